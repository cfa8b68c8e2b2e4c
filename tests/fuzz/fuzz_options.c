/* Fuzzes the command line parser (app/options.c, and through it the dtype,
 * tone-map, colormap and colour parsers): the input is split on NUL bytes
 * into at most FUZZ_MAX_WORDS words after argv[0] = "vastplot". The cap is
 * just above OPTIONS_MAX_INPUTS so that the "too many inputs" check, the one
 * fixed-size array the parser fills from argv, is reachable too. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* setenv, unsetenv; CMake defines it too */
#endif
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/options.h"
#include "fuzz_common.h"

#define FUZZ_MAX_WORDS (OPTIONS_MAX_INPUTS + 8)

static bool points_into(const char *p, const char *buf, size_t len)
{
    return p >= buf && p < buf + len;
}

/* One parse and what it promises; buf/len: the memory the words live in. */
static void parse_and_check(int argc, char **argv, const char *buf, size_t len)
{
    vp_options o;
    vp_err err;
    memset(&err, 0, sizeof err);
    if (!options_parse(argc, argv, &o, &err)) {
        fuzz_check_err(&err);
        return;
    }
    FUZZ_CHECK(o.command >= CMD_RENDER && o.command <= CMD_VERSION);
    FUZZ_CHECK(o.ninputs >= 0 && o.ninputs <= OPTIONS_MAX_INPUTS && o.ninputs < argc);
    for (int i = 0; i < o.ninputs; i++)
        FUZZ_CHECK(o.inputs[i] && points_into(o.inputs[i], buf, len));
    /* render --views may take its inputs from the views file */
    if ((o.command == CMD_RENDER && !o.views) || o.command == CMD_INFO)
        FUZZ_CHECK(o.ninputs >= 1);
    if (o.command == CMD_RENDER)
        FUZZ_CHECK(o.output != NULL);
    if (o.command == CMD_DEMO)
        FUZZ_CHECK(o.ninputs == 0 && o.output != NULL);
    if (o.output && o.command != CMD_DEMO)
        FUZZ_CHECK(points_into(o.output, buf, len));
    FUZZ_CHECK(o.width >= 1 && o.width <= (1 << 20));
    FUZZ_CHECK(o.height >= 1 && o.height <= (1 << 20));
    FUZZ_CHECK((unsigned)o.src.dtype < VP_DTYPE_COUNT);
    FUZZ_CHECK(o.src.endian == VP_LITTLE || o.src.endian == VP_BIG);
    FUZZ_CHECK(o.src.columns >= 0 && o.src.columns <= 65536);
    FUZZ_CHECK(o.src.xcol >= 0 && o.src.xcol <= 65535);
    FUZZ_CHECK(o.src.ycol >= -1 && o.src.ycol <= 65535);
    FUZZ_CHECK(o.src.skip_bytes <= UINT64_MAX / 2);
    /* --help anywhere returns at once, before the final fix-ups. */
    bool finished = o.command != CMD_HELP && o.command != CMD_VERSION;
    if (finished && o.src.columns == 1)
        FUZZ_CHECK(o.src.y_only);
    FUZZ_CHECK(o.threads >= 0 && o.threads <= 256);
    FUZZ_CHECK(o.floor >= 0.0f && o.floor <= 1.0f);
    FUZZ_CHECK(o.colormap != NULL);
    FUZZ_CHECK(o.demo_points <= (UINT64_C(1) << 40));
    if (o.xlim_set)
        FUZZ_CHECK(isfinite(o.xlim[0]) && isfinite(o.xlim[1]) && o.xlim[0] != o.xlim[1]);
    if (o.ylim_set)
        FUZZ_CHECK(isfinite(o.ylim[0]) && isfinite(o.ylim[1]) && o.ylim[0] != o.ylim[1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        return 0;
    /* One NUL-terminated copy to split in place, and one to check that the
     * parser leaves the words alone. */
    char *buf = malloc(size + 1);
    char *orig = malloc(size + 1);
    FUZZ_CHECK(buf && orig);
    memcpy(buf, data, size);
    buf[size] = '\0';
    memcpy(orig, buf, size + 1);

    char argv0[] = "vastplot";
    char *argv[FUZZ_MAX_WORDS + 2];
    int argc = 0;
    argv[argc++] = argv0;
    /* A trailing NUL ends the last word; it does not start an empty one. */
    for (char *w = buf; argc < FUZZ_MAX_WORDS + 1 && w < buf + size; w += strlen(w) + 1)
        argv[argc++] = w;
    argv[argc] = NULL;

    /* The parser may look at the environment (whether a display is there
     * decides what a plain `vastplot FILE` means): every input is parsed
     * without a display and with one, so the result never depends on where
     * the fuzzer runs. */
    unsetenv("WAYLAND_DISPLAY");
    unsetenv("DISPLAY");
    parse_and_check(argc, argv, buf, size + 1);
    setenv("DISPLAY", ":0", 1);
    parse_and_check(argc, argv, buf, size + 1);
    unsetenv("DISPLAY");

    /* The words are the caller's: parsing must not write to them. */
    FUZZ_CHECK(memcmp(buf, orig, size + 1) == 0);
    free(buf);
    free(orig);
    return 0;
}
