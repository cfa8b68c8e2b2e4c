/* vastplot: the command line (vastplot_main, include/vastplot/vastplot.h;
 * src/app/main.c is the program). Errors travel up with their context and
 * are printed here, once. Exit codes: 0 done, 1 failed, 2 bad command line,
 * 128 + N stopped by signal N (SIGINT 130, SIGTERM 143, SIGHUP 129). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vastplot/vastplot.h"

#include "app/commands.h"
#include "app/options.h"
#include "core/cleanup.h"
#include "gl/driver_env.h"
#ifdef VP_HAVE_MPI
#include "mpi/mpi_run.h" /* the MPI mode: MPI_Init/MPI_Finalize around the command */
#endif

/* Started with standard input closed (`vastplot render - <&-`): "-" has
 * nothing to read, and no file opened later may take descriptor 0 and be read
 * as standard input, so /dev/null holds its place. */
static bool check_stdin(const vp_options *o, vp_err *err)
{
    if (fcntl(0, F_GETFD) >= 0 || errno != EBADF)
        return true;
    for (int i = 0; i < o->ninputs; i++)
        if (strcmp(o->inputs[i], "-") == 0)
            return vp_err_set(err, "standard input is closed: nothing to read from \"-\" "
                                   "(give a file, or pipe the data in)");
    int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd > 0)
        close(fd);
    return true;
}

static int cli_main(int argc, char **argv)
{
    vp_options o;
    vp_err err = {{0}};
    if (!options_parse(argc, argv, &o, &err)) {
        fprintf(stderr, "vastplot: %s\n", err.msg);
        return 2;
    }
    cleanup_install(); /* a signal removes temporary files: exit 128 + signal */
    if (o.command != CMD_HELP && o.command != CMD_VERSION && !check_stdin(&o, &err)) {
        fprintf(stderr, "vastplot: %s\n", err.msg);
        return 1;
    }
    /* before anything loads the GL driver: the EGL context and the viewer's */
    const char *no_cache = getenv("VASTPLOT_NO_CACHE");
    o.no_cache |= no_cache && *no_cache && strcmp(no_cache, "0") != 0;
    o.data.no_cache = o.no_cache;
    o.data.threads = o.threads;
    /* a file size limit (ulimit -f) makes writes fail with EFBIG, reported
     * like a full disk, instead of killing the program */
    signal(SIGXFSZ, SIG_IGN);
    driver_env_prepare(!o.no_cache);
    int rc = 0;
    switch (o.command) {
    case CMD_HELP:
        options_print_help(&o);
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
#ifdef VP_HAVE_MPI
    if (rc != 0 && mpi_run_rank() != 0)
        return rc; /* under mpirun, rank 0 reports the error once (mpi_run.h) */
#endif
    if (rc != 0)
        fprintf(stderr, "vastplot: %s\n", err.msg);
    return rc;
}

int vastplot_main(int argc, char **argv)
{
#ifdef VP_HAVE_MPI
    mpi_run_init(&argc, &argv); /* only when started by mpirun */
    int rc = cli_main(argc, argv);
    mpi_run_finalize();
    return rc;
#else
    return cli_main(argc, argv);
#endif
}
