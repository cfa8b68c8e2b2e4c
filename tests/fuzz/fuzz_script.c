/* The viewer's --script parser on any bytes: never crashes; a failure has a
 * message naming the line; a success holds only well-formed commands. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "app/script.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        return 0;
    script sc;
    vp_err err = {{0}};
    if (!script_parse((const char *)data, size, "fuzz.txt", &sc, &err)) {
        FUZZ_CHECK(err.msg[0] != 0);
        FUZZ_CHECK(memchr(err.msg, 0, sizeof err.msg) != NULL);
        FUZZ_CHECK(strncmp(err.msg, "fuzz.txt:", 9) == 0 || strcmp(err.msg, "out of memory") == 0);
        FUZZ_CHECK(sc.cmds == NULL && sc.n == 0);
        return 0;
    }
    for (size_t i = 0; i < sc.n; i++) {
        const script_cmd *c = &sc.cmds[i];
        FUZZ_CHECK(c->op >= SCRIPT_VIEW && c->op <= SCRIPT_CATEGORY);
        FUZZ_CHECK(c->nargs >= 0 && c->nargs <= 4);
        for (int a = 0; a < c->nargs; a++)
            FUZZ_CHECK(isfinite(c->arg[a]));
        FUZZ_CHECK(memchr(c->text, 0, sizeof c->text) != NULL);
        if (c->op == SCRIPT_KEY || c->op == SCRIPT_SCREENSHOT || c->op == SCRIPT_STATS)
            FUZZ_CHECK(c->text[0] != 0);
        if (c->op == SCRIPT_VIEW)
            FUZZ_CHECK(c->nargs == 4 && c->arg[0] != c->arg[1] && c->arg[2] != c->arg[3]);
        if (c->op == SCRIPT_ZOOM)
            FUZZ_CHECK(c->arg[0] > 0 && c->nargs != 2);
        if (c->op == SCRIPT_CATEGORY)
            FUZZ_CHECK(c->nargs >= 1 && c->nargs <= 2 && c->arg[0] >= 0 && c->arg[0] <= 255 &&
                       c->arg[0] == floor(c->arg[0]) && (c->nargs == 1 || c->arg[1] == 0 || c->arg[1] == 1));
        FUZZ_CHECK(c->line >= 1);
    }
    script_free(&sc);
    return 0;
}
