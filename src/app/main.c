/* vastplot: the command line. Errors travel up with their context and are
 * printed here, once. Exit codes: 0 done, 1 failed, 2 bad command line,
 * 128 + N stopped by signal N (SIGINT 130, SIGTERM 143, SIGHUP 129). */
#include <stdio.h>

#include "app/commands.h"
#include "app/options.h"
#include "core/cleanup.h"

int main(int argc, char **argv)
{
    vp_options o;
    vp_err err = {{0}};
    if (!options_parse(argc, argv, &o, &err)) {
        fprintf(stderr, "vastplot: %s\n", err.msg);
        return 2;
    }
    cleanup_install(); /* a signal removes temporary files: exit 128 + signal */
    int rc = 0;
    switch (o.command) {
    case CMD_HELP:
        options_print_help(argv[0]);
        return 0;
    case CMD_VERSION:
        printf("vastplot %s\n", VP_VERSION);
        return 0;
    case CMD_INFO:
        rc = cmd_info(&o, &err);
        break;
    case CMD_VIEW:
        rc = cmd_view(&o, &err);
        break;
    case CMD_DEMO:
        rc = o.demo_view ? cmd_view(&o, &err) : cmd_render(&o, &err);
        break;
    case CMD_RENDER:
        rc = cmd_render(&o, &err);
        break;
    default:
        rc = 2;
        break;
    }
    if (rc != 0)
        fprintf(stderr, "vastplot: %s\n", err.msg);
    return rc;
}
