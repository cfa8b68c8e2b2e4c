/* The command line (src/app/options.c): every kind of option puts its value in
 * the right field of vp_options, defaults hold when an option is not given,
 * bad values are refused with a message naming the option and what it
 * expects, and the checks across options (--follow, --window, inputs, -o)
 * stay as they were. Every option --help lists is exercised here: a new
 * option in the table fails test_every_option_tested until it is. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "accum/agg.h"

#include "app/options.h"
#include "load/demo.h"
#include "testutil.h"

/* argv[0] = "vastplot", then the words */
static bool parse_v(vp_options *o, vp_err *e, const char *const *words)
{
    char *argv[64] = {"vastplot"};
    int argc = 1;
    while (*words && argc < 63)
        argv[argc++] = (char *)*words++;
    memset(e, 0, sizeof *e);
    return options_parse(argc, argv, o, e);
}
#define PARSE(o, e, ...) parse_v((o), (e), (const char *const[]){__VA_ARGS__, NULL})

/* parses, or fails the test with the message */
#define OK(o, ...)                                                                     \
    do {                                                                               \
        vp_err e_;                                                                     \
        if (!PARSE((o), &e_, __VA_ARGS__)) {                                           \
            print_error("refused: %s\n", e_.msg);                                      \
            fail();                                                                    \
        }                                                                              \
    } while (0)
/* refused, with a message that contains needle */
#define BAD(needle, ...)                                                               \
    do {                                                                               \
        vp_options o_;                                                                 \
        vp_err e_;                                                                     \
        assert_false(PARSE(&o_, &e_, __VA_ARGS__));                                    \
        assert_msg_has(e_, needle);                                                    \
    } while (0)

static int no_display(void **state)
{
    (void)state;
    unsetenv("DISPLAY");
    unsetenv("WAYLAND_DISPLAY");
    return 0;
}

static void test_defaults(void **state)
{
    (void)state;
    vp_options o;
    OK(&o, "render", "in.f32", "-o", "out.png");
    assert_int_equal(o.command, CMD_RENDER);
    assert_int_equal(o.ninputs, 1);
    assert_string_equal(o.inputs[0], "in.f32");
    assert_string_equal(o.output, "out.png");
    assert_int_equal(o.src.dtype, VP_F32);
    assert_int_equal(o.src.endian, VP_LITTLE);
    assert_int_equal(o.src.columns, 0); /* 0: two, decided by the source */
    assert_int_equal(o.src.xcol, 0);
    assert_int_equal(o.src.ycol, -1);
    assert_int_equal(o.src.skip_bytes, 0);
    assert_false(o.src.y_only);
    assert_int_equal(o.data.binary.ycol, -1);
    assert_int_equal(o.data.text.format, TEXT_AUTO);
    assert_int_equal(o.data.text.header, TEXT_HEADER_AUTO);
    assert_null(o.data.text.xcol);
    assert_null(o.data.text.ycol);
    assert_false(o.data.text_forced || o.data.binary_given || o.data.names_given || o.names_used);
    assert_false(o.xlim_set || o.ylim_set || o.size_set);
    assert_int_equal(o.width, 1920);
    assert_int_equal(o.height, 1080);
    assert_int_equal(o.tonemap, TONEMAP_EQ_HIST);
    assert_string_equal(o.colormap, "inferno");
    assert_memory_equal(o.background, ((uint8_t[4]){0, 0, 0, 255}), 4);
    assert_true(o.floor == 0.15f);
    assert_int_equal(o.point_size, 1);
    assert_null(o.save_counts);
    assert_int_equal(o.accumulate, ACCUM_AUTO);
    assert_int_equal(o.threads, 0);
    assert_true(o.demo_points == DEMO_POINTS);
    assert_false(o.gl_debug || o.verbose || o.quiet || o.no_cache || o.follow);
    assert_false(o.overlay || o.fullscreen || o.demo_view);
    assert_int_equal(o.display, 0);
    assert_null(o.script);
    assert_null(o.screenshot_dir);
    assert_int_equal(o.screenshot_scale, 1);
    assert_true(o.until_idle == 0 && o.window_x == 0);
    assert_true(o.window_n == 0);
    assert_int_equal(o.gpu_mem_mb, 0);
    assert_null(o.title);
    assert_null(o.xlabel);
    assert_null(o.ylabel);

    /* demo: its own output name; the viewer when there is a display and no -o */
    OK(&o, "demo");
    assert_int_equal(o.command, CMD_DEMO);
    assert_string_equal(o.output, "vastplot-demo.png");
    assert_false(o.demo_view);
    setenv("DISPLAY", ":0", 1);
    OK(&o, "demo");
    assert_true(o.demo_view);
    OK(&o, "demo", "-o", "d.png");
    assert_false(o.demo_view);
    assert_string_equal(o.output, "d.png");
    /* plain `vastplot FILE` is the viewer, with a display */
    OK(&o, "data.csv");
    assert_int_equal(o.command, CMD_VIEW);
    assert_string_equal(o.inputs[0], "data.csv");
    no_display(NULL);
    BAD("unknown command \"data.csv\": expected view, render, info, demo or --help (a plain", "data.csv");
}

static void test_flags(void **state)
{
    (void)state;
    vp_options o;
    OK(&o, "render", "f", "-o", "p", "--gl-debug", "--verbose", "--quiet", "--no-cache", "--overlay",
       "--y-only");
    assert_true(o.gl_debug && o.verbose && o.quiet && o.no_cache && o.overlay);
    assert_true(o.src.y_only && o.data.text.y_only && o.data.binary.y_only);
    OK(&o, "view", "f", "--fullscreen");
    assert_true(o.fullscreen);
    OK(&o, "render", "f", "-o", "p", "-v", "-q", "-f", "--until-idle", "1");
    assert_true(o.verbose && o.quiet && o.follow);
    OK(&o, "view", "f", "--follow");
    assert_true(o.follow);
    /* a flag takes no value: "--verbose=no" is refused, not taken for yes */
    BAD("--verbose takes no value (got \"--verbose=no\")", "render", "f", "-o", "p", "--verbose=no");
    BAD("--help takes no value", "render", "--help=x");
    /* --columns 1 means y only */
    OK(&o, "render", "f", "-o", "p", "--columns", "1");
    assert_true(o.src.y_only);
}

static void test_strings(void **state)
{
    (void)state;
    vp_options o;
    OK(&o, "render", "f", "--output", "a.png", "--save-counts", "c.npy", "--title", "T", "--xlabel", "X",
       "--ylabel=Y");
    assert_string_equal(o.output, "a.png");
    assert_string_equal(o.save_counts, "c.npy");
    assert_string_equal(o.title, "T");
    assert_string_equal(o.xlabel, "X");
    assert_string_equal(o.ylabel, "Y");
    OK(&o, "view", "f", "--script", "s.txt", "--screenshot-dir", "shots", "--title=");
    assert_string_equal(o.script, "s.txt");
    assert_string_equal(o.screenshot_dir, "shots");
    assert_string_equal(o.title, "");
    OK(&o, "render", "f", "-o=x.png");
    assert_string_equal(o.output, "x.png");
    /* a value that looks like an option is still the value */
    OK(&o, "render", "f", "-o", "--weird.png");
    assert_string_equal(o.output, "--weird.png");
    BAD("-o needs a value", "render", "f", "-o");
    BAD("--output needs a value", "render", "f", "--output");
    BAD("--script needs a value", "view", "f", "--script");
}

/* --views: render's -o takes one %d/%0Nd for the view's number */
static void test_views_option(void **state)
{
    (void)state;
    vp_options o;
    OK(&o, "render", "f", "--views", "talk.views", "-o", "slide-%02d.png");
    assert_string_equal(o.views, "talk.views");
    OK(&o, "view", "f", "--views=t.views");
    assert_string_equal(o.views, "t.views");
    OK(&o, "render", "f", "--views", "t.views", "-o", "one.png"); /* one view: a plain name (checked at run time) */
    OK(&o, "render", "f", "--views", "t.views", "-o", "100%%-%d.png");
    OK(&o, "render", "f", "-o", "100%s.png"); /* without --views a '%' is just a character */
    BAD("expected one %d or %02d", "render", "f", "--views", "t.views", "-o", "s%s.png");
    BAD("expected one %d or %02d", "render", "f", "--views", "t.views", "-o", "s%d%d.png");
    BAD("--views needs a value", "render", "f", "--views");
    BAD("--views is not an option of info", "info", "f", "--views", "t.views");
    OK(&o, "render", "f", "-o", "x.png");
    assert_null(o.views);
    assert_false(o.video);
    /* video: a render with frames; --fps and --seconds its own */
    OK(&o, "video", "f", "--views", "t.views", "-o", "fly.mp4", "--fps", "60", "--seconds", "20", "--overlay");
    assert_true(o.video && o.command == CMD_RENDER && o.overlay);
    assert_int_equal(o.fps, 60);
    assert_true(o.seconds == 20);
    OK(&o, "video", "f", "--views", "t.views", "-o", "fly.mp4");
    assert_int_equal(o.fps, 30);
    assert_true(o.seconds == 0);
    BAD("no --views FILE", "video", "f", "-o", "fly.mp4");
    BAD("--fps: expected a whole number from 1 to 240", "video", "f", "--views", "t", "-o", "a", "--fps", "0");
    BAD("--seconds: expected seconds from 0.05 to 86400", "video", "f", "--views", "t", "-o", "a", "--seconds", "0");
    BAD("--seconds is not an option of render (it goes with video", "render", "f", "-o", "x.png", "--seconds", "3");
    BAD("--fps is not an option of view", "view", "f", "--fps", "3");
}

/* whole numbers: the range ends are taken, one past them refused */
static void test_ints(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        size_t off;
        int lo, hi;
    } ints[] = {
        {"--columns", offsetof(vp_options, src.columns), 1, 65536},
        {"--threads", offsetof(vp_options, threads), 1, 256},
        {"--point-size", offsetof(vp_options, point_size), 1, 9},
        {"--display", offsetof(vp_options, display), 0, 63},
        {"--screenshot-scale", offsetof(vp_options, screenshot_scale), 1, 8},
        {"--gpu-mem", offsetof(vp_options, gpu_mem_mb), 1, 1 << 24},
    };
    for (size_t k = 0; k < sizeof ints / sizeof ints[0]; k++) {
        char lo[32], hi[32], below[32], above[32], want[128], eq[64];
        snprintf(lo, sizeof lo, "%d", ints[k].lo);
        snprintf(hi, sizeof hi, "%d", ints[k].hi);
        snprintf(below, sizeof below, "%d", ints[k].lo - 1);
        snprintf(above, sizeof above, "%d", ints[k].hi + 1);
        snprintf(eq, sizeof eq, "%s=%s", ints[k].name, hi);
        vp_options o;
        OK(&o, "view", "f", ints[k].name, lo);
        assert_int_equal(*(int *)((char *)&o + ints[k].off), ints[k].lo);
        OK(&o, "view", "f", eq);
        assert_int_equal(*(int *)((char *)&o + ints[k].off), ints[k].hi);
        snprintf(want, sizeof want, "%s: expected a whole number from %d to %d, got \"%s\"", ints[k].name,
                 ints[k].lo, ints[k].hi, above);
        BAD(want, "view", "f", ints[k].name, above);
        if (ints[k].lo > 0) {
            snprintf(want, sizeof want, "%s: expected a whole number from %d to %d, got \"%s\"", ints[k].name,
                     ints[k].lo, ints[k].hi, below);
            BAD(want, "view", "f", ints[k].name, below);
        }
        BAD("expected a whole number", "view", "f", ints[k].name, "2x");
        BAD("expected a whole number", "view", "f", ints[k].name, "-1");
        BAD("expected a whole number", "view", "f", ints[k].name, "");
        BAD("expected a whole number", "view", "f", ints[k].name, "99999999999999999999999");
        snprintf(want, sizeof want, "%s needs a value", ints[k].name);
        BAD(want, "view", "f", ints[k].name);
    }
}

static void test_u64(void **state)
{
    (void)state;
    vp_options o;
    OK(&o, "render", "f", "-o", "p", "--skip-bytes", "4611686018427387903");
    assert_true(o.src.skip_bytes == UINT64_MAX / 4 && o.data.binary.skip_bytes == UINT64_MAX / 4);
    OK(&o, "demo", "--points", "1099511627776");
    assert_true(o.demo_points == UINT64_C(1) << 40);
    OK(&o, "render", "f", "-o", "p", "--skip-bytes=9223372036854775807");
    assert_true(o.src.skip_bytes == UINT64_MAX / 2);
    BAD("--skip-bytes: expected a whole number from 0 to 9223372036854775807, got \"9223372036854775808\"",
        "render", "f", "-o", "p", "--skip-bytes", "9223372036854775808");
    BAD("--skip-bytes: expected a whole number from 0 to 9223372036854775807, got \"-4\"", "render", "f", "-o",
        "p", "--skip-bytes", "-4");
    BAD("--points: expected a whole number from 0 to 1099511627776, got \"1099511627777\"", "demo", "--points",
        "1099511627777");
    OK(&o, "demo", "--points", "0");
    assert_true(o.demo_points == 0);
    OK(&o, "view", "f", "--follow", "--window", "4611686018427387904");
    assert_true(o.window_n == UINT64_C(1) << 62);
    BAD("--window: expected a whole number from 0 to 4611686018427387904", "view", "f", "--follow", "--window",
        "4611686018427387905");
}

static void test_doubles(void **state)
{
    (void)state;
    vp_options o;
    OK(&o, "render", "f", "-o", "p", "--floor", "0.5");
    assert_true(o.floor == 0.5f);
    OK(&o, "render", "f", "-o", "p", "--floor=1");
    assert_true(o.floor == 1.0f);
    OK(&o, "render", "f", "-o", "p", "--floor", "0");
    assert_true(o.floor == 0.0f);
    BAD("--floor: expected a number from 0 to 1, got \"1.5\"", "render", "f", "-o", "p", "--floor", "1.5");
    BAD("--floor: expected a number from 0 to 1, got \"-0.1\"", "render", "f", "-o", "p", "--floor", "-0.1");
    BAD("--floor: expected a finite number, got \"nan\"", "render", "f", "-o", "p", "--floor", "nan");

    OK(&o, "render", "f", "-o", "p", "--follow", "--until-idle", "0.25");
    assert_true(o.until_idle == 0.25);
    OK(&o, "render", "f", "-o", "p", "--follow", "--until-idle", "86400");
    BAD("--until-idle: expected seconds from 0 to 86400, got \"86401\"", "render", "f", "-o", "p", "--follow",
        "--until-idle", "86401");
    BAD("--until-idle: expected seconds from 0 to 86400, got \"-1\"", "render", "f", "-o", "p",
        "--until-idle", "-1");
    BAD("--until-idle: expected a finite number, got \"soon\"", "render", "f", "-o", "p", "--until-idle",
        "soon");

    OK(&o, "view", "f", "--follow", "--window-x", "2.5");
    assert_true(o.window_x == 2.5);
    OK(&o, "view", "f", "--follow", "--window-x", "1e-320"); /* a subnormal is a fine number */
    assert_true(o.window_x > 0);
    BAD("--window-x: expected a positive width, got \"0\"", "view", "f", "--follow", "--window-x", "0");
    BAD("--window-x: expected a positive width, got \"-3\"", "view", "f", "--follow", "--window-x", "-3");
    BAD("--window-x: expected a finite number, got \"1e309\"", "view", "f", "--window-x", "1e309");
    BAD("--window-x: expected a finite number, got \"inf\"", "view", "f", "--window-x", "inf");
    BAD("--window-x needs a value", "view", "f", "--window-x");
}

/* options with a fixed set of words, and the ones whose words another module parses */
static void test_keywords(void **state)
{
    (void)state;
    vp_options o;
    OK(&o, "render", "f", "-o", "p", "--endian", "big", "--header", "no", "--accumulate", "cpu");
    assert_int_equal(o.src.endian, VP_BIG);
    assert_int_equal(o.data.binary.endian, VP_BIG);
    assert_int_equal(o.data.text.header, TEXT_HEADER_NO);
    assert_int_equal(o.accumulate, ACCUM_CPU);
    OK(&o, "render", "f", "-o", "p", "--endian=little", "--header=yes", "--accumulate=gpu");
    assert_int_equal(o.src.endian, VP_LITTLE);
    assert_int_equal(o.data.text.header, TEXT_HEADER_YES);
    assert_int_equal(o.accumulate, ACCUM_GPU);
    OK(&o, "render", "f", "-o", "p", "--header", "yes", "--header", "auto", "--accumulate", "gpu", "--accumulate",
       "auto");
    assert_int_equal(o.data.text.header, TEXT_HEADER_AUTO);
    assert_int_equal(o.accumulate, ACCUM_AUTO);
    BAD("--endian: expected little or big, got \"middle\"", "render", "f", "-o", "p", "--endian", "middle");
    BAD("--header: expected yes, no or auto, got \"maybe\"", "render", "f", "-o", "p", "--header", "maybe");
    BAD("--accumulate: expected gpu, cpu or auto, got \"tpu\"", "render", "f", "-o", "p", "--accumulate", "tpu");
    BAD("--endian needs a value", "render", "f", "-o", "p", "--endian");

    /* --dtype: also says that "-" carries raw records */
    OK(&o, "render", "-", "-o", "p", "--dtype", "u16");
    assert_int_equal(o.src.dtype, VP_U16);
    assert_int_equal(o.data.binary.dtype, VP_U16);
    assert_true(o.data.binary_given);
    OK(&o, "render", "-", "-o", "p", "--dtype=f64");
    assert_int_equal(o.src.dtype, VP_F64);
    BAD("--dtype: expected f32, f64, i8, i16, i32, i64, u8, u16, u32 or u64, got \"f16\"", "render", "f", "-o",
        "p", "--dtype", "f16");

    /* --format: text_format_from_option's mapping; every input is text */
    static const char *const formats[] = {"csv", "tsv", "text", "whitespace"};
    for (size_t k = 0; k < 4; k++) {
        text_format want;
        assert_true(text_format_from_option(formats[k], &want));
        OK(&o, "render", "f", "-o", "p", "--format", formats[k]);
        assert_int_equal(o.data.text.format, want);
        assert_true(o.data.text_forced);
    }
    OK(&o, "render", "f", "-o", "p", "--format", "text");
    assert_int_equal(o.data.text.format, TEXT_AUTO); /* text: the delimiter is detected */
    OK(&o, "render", "f", "-o", "p", "--format", "whitespace");
    assert_int_equal(o.data.text.format, TEXT_WHITESPACE);
    BAD("--format: expected csv, tsv, text or whitespace, got \"json\"", "render", "f", "-o", "p", "--format",
        "json");

    OK(&o, "render", "f", "-o", "p", "--tonemap", "log");
    assert_int_equal(o.tonemap, TONEMAP_LOG);
    OK(&o, "render", "f", "-o", "p", "--tonemap=cbrt");
    assert_int_equal(o.tonemap, TONEMAP_CBRT);
    BAD("--tonemap: expected linear, log, sqrt, cbrt or eq-hist, got \"gamma\"", "render", "f", "-o", "p",
        "--tonemap", "gamma");

    OK(&o, "render", "f", "-o", "p", "--colormap", "viridis_r");
    assert_string_equal(o.colormap, "viridis_r");
    OK(&o, "render", "f", "-o", "p", "--cmap", "gray");
    assert_string_equal(o.colormap, "gray");
    BAD("--colormap: unknown \"jet\"; expected one of viridis, inferno", "render", "f", "-o", "p", "--colormap",
        "jet");
    BAD("--colormap: unknown \"jet\"; expected one of", "render", "f", "-o", "p", "--cmap=jet");
    BAD("(add _r to reverse)", "render", "f", "-o", "p", "--cmap", "jet");
    BAD("--cmap needs a value", "render", "f", "-o", "p", "--cmap");

    OK(&o, "render", "f", "-o", "p", "--background", "#102030");
    assert_memory_equal(o.background, ((uint8_t[4]){0x10, 0x20, 0x30, 255}), 4);
    OK(&o, "render", "f", "-o", "p", "--bg", "#10203040");
    assert_memory_equal(o.background, ((uint8_t[4]){0x10, 0x20, 0x30, 0x40}), 4);
    OK(&o, "render", "f", "-o", "p", "--bg=white");
    assert_memory_equal(o.background, ((uint8_t[4]){255, 255, 255, 255}), 4);
    BAD("--background: expected a colour name, #RRGGBB or #RRGGBBAA, got \"#12\"", "render", "f", "-o", "p",
        "--bg", "#12");
    BAD("--bg needs a value", "render", "f", "-o", "p", "--bg");
}

/* --x/--y: digits are an index for every input, else a text column's name */
static void test_columns(void **state)
{
    (void)state;
    vp_options o;
    OK(&o, "render", "f", "-o", "p", "--x", "2", "--y", "0", "--columns", "3");
    assert_int_equal(o.src.xcol, 2);
    assert_int_equal(o.src.ycol, 0);
    assert_int_equal(o.data.binary.xcol, 2);
    assert_int_equal(o.data.binary.ycol, 0);
    assert_int_equal(o.src.columns, 3);
    assert_string_equal(o.data.text.xcol, "2");
    assert_string_equal(o.data.text.ycol, "0");
    assert_false(o.names_used || o.data.names_given);

    OK(&o, "render", "f.csv", "-o", "p", "--x", "lon", "--y=lat");
    assert_true(o.names_used && o.data.names_given);
    assert_string_equal(o.data.text.xcol, "lon");
    assert_string_equal(o.data.text.ycol, "lat");
    assert_int_equal(o.data.binary.xcol, 0); /* binary inputs are refused later, per file */
    assert_int_equal(o.data.binary.ycol, -1);

    OK(&o, "render", "f.csv", "-o", "p", "--y", "mag"); /* y against the row number */
    assert_null(o.data.text.xcol);
    assert_string_equal(o.data.text.ycol, "mag");
    assert_true(o.names_used);

    BAD("--x lon needs --y too (or --y alone for y against the row index)", "render", "f", "-o", "p", "--x",
        "lon");
    BAD("--x: expected a column index or name", "render", "f", "-o", "p", "--x=", "--y", "1");
    BAD("--y: expected a whole number from 0 to 65535, got \"65536\"", "render", "f", "-o", "p", "--y", "65536");
    BAD("--x: expected a whole number from 0 to 65535, got \"1st\"", "render", "f", "-o", "p", "--x", "1st");
    BAD("--y needs a value", "render", "f", "-o", "p", "--y");
}

/* --value, --agg, --by, --vmin/--vmax/--vcenter, --save-grid */
static void test_aggregation(void **state)
{
    (void)state;
    vp_options o;
    OK(&o, "render", "f", "-o", "p", "--columns", "3", "--value", "2");
    assert_true(o.src.has_w && o.data.binary.has_w);
    assert_int_equal(o.src.wcol, 2);
    assert_int_equal(o.data.binary.wcol, 2);
    assert_string_equal(o.data.text.wcol, "2");
    assert_false(o.data.text.w_category);
    assert_int_equal(o.agg, AGG_MEAN); /* the default reduction with --value */
    assert_false(o.names_used);

    OK(&o, "render", "f.csv", "-o", "p", "--value", "mag", "--agg", "std", "--vmin", "-1", "--vmax=2.5",
       "--vcenter", "0.5", "--save-grid", "g.npy");
    assert_true(o.names_used && !o.src.has_w); /* a name: text inputs only */
    assert_string_equal(o.value_col, "mag");
    assert_int_equal(o.agg, AGG_STD);
    assert_true(o.vmin_set && o.vmax_set);
    assert_true(o.vmin == -1 && o.vmax == 2.5 && o.vcenter == 0.5);
    assert_string_equal(o.save_grid, "g.npy");

    OK(&o, "render", "f.csv", "-o", "p", "--by", "kind");
    assert_int_equal(o.agg, AGG_CATEGORIES);
    assert_true(o.data.text.w_category && !o.src.has_w);
    assert_string_equal(o.by_col, "kind");

    OK(&o, "render", "f", "-o", "p", "--agg", "count"); /* count without a value: the plain density */
    assert_int_equal(o.agg, AGG_COUNT);
    assert_false(o.src.has_w);

    BAD("--agg: expected count, sum, mean, min, max, std or var, got \"median\"", "render", "f", "-o", "p",
        "--value", "2", "--agg", "median");
    BAD("--agg mean needs --value COL", "render", "f", "-o", "p", "--agg", "mean");
    BAD("--agg goes with --value", "render", "f", "-o", "p", "--by", "2", "--agg", "sum");
    BAD("--value and --by cannot be used together", "render", "f", "-o", "p", "--by", "2", "--value", "3");
    BAD("--vmin and --vmax go with --value", "render", "f", "-o", "p", "--vmin", "0");
    BAD("--save-grid goes with --value or --by", "render", "f", "-o", "p", "--save-grid", "g.npy");
    BAD("--value: expected a column index or name", "render", "f", "-o", "p", "--value=");
    BAD("--vmax: expected a finite number, got \"big\"", "render", "f", "-o", "p", "--value", "2", "--vmax", "big");
    BAD("--save-grid is not an option of view", "view", "f", "--value", "2", "--save-grid", "g.npy");
}

static void test_limits_and_size(void **state)
{
    (void)state;
    vp_options o;
    OK(&o, "render", "f", "-o", "p", "--xlim", "-1.5", "2", "--ylim=10,-10");
    assert_true(o.xlim_set && o.ylim_set);
    assert_true(o.xlim[0] == -1.5 && o.xlim[1] == 2);
    assert_true(o.ylim[0] == 10 && o.ylim[1] == -10); /* reversed: flips the axis */
    OK(&o, "render", "f", "-o", "p", "--ylim", "0", "1e300");
    assert_false(o.xlim_set);
    assert_true(o.ylim_set && o.ylim[1] == 1e300);
    BAD("--xlim: the two limits are equal (1): the view needs a width", "render", "f", "-o", "p", "--xlim", "1",
        "1");
    BAD("--ylim: the two limits are equal (0)", "render", "f", "-o", "p", "--ylim=0,-0");
    BAD("--xlim needs two values: --xlim LOW HIGH", "render", "f", "-o", "p", "--xlim", "1");
    BAD("--ylim needs two values: --ylim LOW HIGH", "render", "f", "-o", "p", "--ylim");
    BAD("--xlim: expected two numbers, \"--xlim X0 X1\" or \"--xlim=X0,X1\"", "render", "f", "-o", "p",
        "--xlim=1");
    BAD("--ylim: expected a finite number, got \"abc\"", "render", "f", "-o", "p", "--ylim", "0", "abc");
    BAD("--xlim: expected a finite number, got \"2,3\"", "render", "f", "-o", "p", "--xlim=1,2,3");
    BAD("--xlim: expected a finite number, got \"nan\"", "render", "f", "-o", "p", "--xlim", "nan", "1");
    char longv[200];
    memset(longv, '1', sizeof longv - 1);
    longv[sizeof longv - 1] = 0;
    memcpy(longv, "--xlim=", 7);
    BAD("--xlim: the value is longer than 127 characters", "render", "f", "-o", "p", longv);

    OK(&o, "render", "f", "-o", "p", "--size", "640x480");
    assert_true(o.size_set);
    assert_int_equal(o.width, 640);
    assert_int_equal(o.height, 480);
    OK(&o, "render", "f", "-o", "p", "--size=3X4");
    assert_int_equal(o.width, 3);
    assert_int_equal(o.height, 4);
    OK(&o, "render", "f", "-o", "p", "--size", "1048576x1");
    assert_int_equal(o.width, 1 << 20);
    BAD("--size: expected WIDTHxHEIGHT such as 1920x1080, got \"640\"", "render", "f", "-o", "p", "--size", "640");
    BAD("--size: expected WIDTHxHEIGHT, each from 1 to 1048576, got \"0x10\"", "render", "f", "-o", "p", "--size",
        "0x10");
    BAD("--size: expected WIDTHxHEIGHT, each from 1 to 1048576, got \"99999999999x2\"", "render", "f", "-o", "p",
        "--size", "99999999999x2");
    BAD("--size needs a value", "render", "f", "-o", "p", "--size");
}

static void test_words_and_errors(void **state)
{
    (void)state;
    vp_options o;
    BAD("no command given: try 'vastplot --help'", NULL);
    BAD("unknown command \"--frob\": expected view, render, info, demo or --help", "--frob");
    BAD("unknown command \"plot\": expected view, render, info, demo or --help (a plain 'vastplot FILE' opens",
        "plot");
    BAD("unknown option \"--frobnicate\" (see 'vastplot --help')", "render", "f", "-o", "p", "--frobnicate");
    BAD("unknown option \"--frobnicate=3\"", "render", "f", "-o", "p", "--frobnicate=3");
    BAD("unknown option \"-x\"", "render", "f", "-o", "p", "-x");
    BAD("unknown option \"--xlim2\"", "render", "f", "-o", "p", "--xlim2", "0", "1");
    /* "-" is an input, and everything after "--" is */
    OK(&o, "render", "-", "-o", "p", "--", "--odd-name", "-");
    assert_int_equal(o.ninputs, 3);
    assert_string_equal(o.inputs[0], "-");
    assert_string_equal(o.inputs[1], "--odd-name");
    assert_string_equal(o.inputs[2], "-");
    /* inputs and options mix in any order; the last of an option wins */
    OK(&o, "render", "a", "--threads", "2", "b", "-o", "p", "c", "--threads", "3");
    assert_int_equal(o.ninputs, 3);
    assert_string_equal(o.inputs[2], "c");
    assert_int_equal(o.threads, 3);

    char *argv[OPTIONS_MAX_INPUTS + 4] = {"vastplot", "info"};
    for (int i = 0; i <= OPTIONS_MAX_INPUTS; i++)
        argv[2 + i] = "x";
    vp_err e = {{0}};
    assert_false(options_parse(3 + OPTIONS_MAX_INPUTS, argv, &o, &e));
    assert_msg_has(e, "too many inputs (at most 256)");
    assert_true(options_parse(2 + OPTIONS_MAX_INPUTS, argv, &o, &e));
    assert_int_equal(o.ninputs, OPTIONS_MAX_INPUTS);
}

/* The table's command column is enforced: an option a command does not
 * take is refused, naming the commands that do. */
static void test_commands(void **state)
{
    (void)state;
    vp_options o;
    BAD("--follow is not an option of info (it goes with view, render; see 'vastplot info --help')",
        "info", "f", "--follow");
    BAD("--overlay is not an option of info (it goes with render, demo; see 'vastplot info --help')",
        "info", "f", "--overlay");
    BAD("--dtype is not an option of demo (it goes with view, render, info; see 'vastplot demo --help')",
        "demo", "--dtype", "f64");
    BAD("--until-idle is not an option of view (it goes with render; see 'vastplot view --help')",
        "view", "f", "--until-idle", "2");
    BAD("--fullscreen is not an option of render (it goes with view, demo; see 'vastplot render --help')",
        "render", "f", "-o", "p", "--fullscreen");
    OK(&o, "info", "f", "--dtype", "f64", "--threads", "2", "--no-cache");
    OK(&o, "demo", "--points", "10", "--colormap", "gray", "-o", "x.png");
    OK(&o, "render", "f", "-o", "p", "-f", "--until-idle", "1", "--overlay");
    OK(&o, "view", "f", "--fullscreen", "--window", "3", "--follow");
    BAD("render: no input file given", "render", "-o", "p");
    BAD("info: no input file given", "info");
    BAD("view: no input file given", "view");
    BAD("render: no output given: add -o OUT.png", "render", "f");
    BAD("demo takes no input file (got \"f\")", "demo", "f");
    BAD("--follow takes one input file (got 2)", "render", "a", "b", "-o", "p", "-f", "--until-idle", "1");
    BAD("--follow takes one input file (got 2)", "view", "a", "b", "--follow");
    BAD("render --follow needs --until-idle SECONDS", "render", "a", "-o", "p", "--follow");
    BAD("render --follow needs --until-idle SECONDS", "render", "a", "-o", "p", "--follow", "--until-idle", "0");
    BAD("--window and --window-x go with --follow", "view", "a", "--window", "10");
    BAD("--window and --window-x go with --follow", "view", "a", "--window-x", "10");
    OK(&o, "view", "a", "--window", "0"); /* 0: all, no window */
}

static void test_help(void **state)
{
    (void)state;
    vp_options o;
    static const char *const spellings[] = {"help", "--help", "-h"};
    for (size_t k = 0; k < 3; k++) {
        OK(&o, spellings[k]);
        assert_int_equal(o.command, CMD_HELP);
        assert_int_equal(o.help_for, CMD_NONE);
        assert_false(o.help_markdown);
        OK(&o, spellings[k], "render", "--frobnicate");
        assert_int_equal(o.command, CMD_HELP);
        assert_int_equal(o.help_for, CMD_RENDER);
        OK(&o, spellings[k], "--markdown");
        assert_true(o.help_markdown);
        BAD("help whatever: no such command: expected view, render, info, demo or --markdown", spellings[k],
            "whatever");
    }
    OK(&o, "info", "--help");
    assert_int_equal(o.command, CMD_HELP);
    assert_int_equal(o.help_for, CMD_INFO);
    OK(&o, "demo", "-h");
    assert_int_equal(o.help_for, CMD_DEMO);
    OK(&o, "--version");
    assert_int_equal(o.command, CMD_VERSION);
    OK(&o, "version", "--frobnicate");
    assert_int_equal(o.command, CMD_VERSION);
    /* --help stops the parse where it stands: later words are not looked at,
     * earlier ones are, and the checks across options are not made */
    OK(&o, "render", "--help", "--frobnicate", "--xlim");
    assert_int_equal(o.command, CMD_HELP);
    OK(&o, "render", "f", "--follow", "--help");
    assert_int_equal(o.command, CMD_HELP);
    BAD("unknown option \"--frobnicate\"", "render", "--frobnicate", "--help");
    BAD("--size: expected WIDTHxHEIGHT", "render", "--size", "0x0", "--help");
}

/* the options --help lists (the words of its "  -x, --long VALUE" lines) */
static int help_options(const vp_options *o, char names[][40], int max)
{
    const char *dir = tu_tmpdir("test_options");
    const char *path = tu_path(dir, "help.txt");
    fflush(stdout);
    int saved = dup(1), fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(saved >= 0 && fd >= 0);
    dup2(fd, 1);
    close(fd);
    options_print_help(o);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    static char text[1 << 16];
    tu_read_text(path, text, sizeof text);
    int n = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (strncmp(line, "  -", 3) != 0)
            continue;
        /* "  --name, -a METAVAR  help" */
        for (char *w = line + 2; n < max; w += 2) {
            size_t len = strcspn(w, " ,");
            snprintf(names[n++], 40, "%.*s", (int)len, w);
            w += len;
            if (strncmp(w, ", -", 3) != 0)
                break;
        }
    }
    return n;
}

/* Every option --help lists is one of those tested above. */
/* --lines and its company, time axes, persistence */
static void test_series(void **state)
{
    (void)state;
    vp_options o;
    OK(&o, "render", "f", "-o", "p");
    assert_false(o.lines || o.normalize_lines);
    assert_true(o.break_gap == 0 && o.x_time == NULL && !o.no_x_time && o.tz == NULL && o.persist == 0);
    OK(&o, "render", "f", "-o", "p", "--lines", "--normalize", "lines", "--break-gap", "2.5");
    assert_true(o.lines && o.normalize_lines && o.break_gap == 2.5);
    OK(&o, "render", "f", "-o", "p", "--lines", "--normalize", "none");
    assert_false(o.normalize_lines);
    BAD("--normalize: expected lines or none, got \"rows\"", "render", "f", "-o", "p", "--lines", "--normalize",
        "rows");
    BAD("--normalize lines goes with --lines", "render", "f", "-o", "p", "--normalize", "lines");
    BAD("--break-gap goes with --lines", "render", "f", "-o", "p", "--break-gap", "3");
    BAD("--break-gap: expected a positive width", "render", "f", "-o", "p", "--lines", "--break-gap", "0");
    BAD("--lines counts the pixels the series cross; it does not go with --value or --by", "render", "f.csv",
        "-o", "p", "--lines", "--value", "m");

    const char *units[] = {"s", "ms", "us", "ns", "iso"};
    for (int i = 0; i < 5; i++) {
        OK(&o, "render", "f.csv", "-o", "p", "--x-time", units[i]);
        assert_string_equal(o.x_time, units[i]);
        assert_false(o.no_x_time);
    }
    OK(&o, "render", "f.csv", "-o", "p", "--x-time", "none");
    assert_true(o.no_x_time && o.x_time == NULL);
    OK(&o, "render", "f.csv", "-o", "p", "--x-time", "auto");
    assert_true(!o.no_x_time && o.x_time == NULL);
    BAD("--x-time: expected auto, s, ms, us, ns, iso or none, got \"days\"", "info", "f.csv", "--x-time", "days");
    OK(&o, "info", "f.csv", "--tz", "+05:30");
    assert_string_equal(o.tz, "+05:30");
    OK(&o, "render", "f.csv", "-o", "p", "--tz", "UTC");
    BAD("--tz: unknown time zone 'Mars/Olympus'", "render", "f.csv", "-o", "p", "--tz", "Mars/Olympus");
    BAD("--tz", "render", "f.csv", "-o", "p", "--tz", "+25:00");

    OK(&o, "render", "f.csv", "-o", "p", "--xlim", "2024-03-05T14:00", "2024-03-05T15:00:00.5Z", "--tz", "+01:00");
    assert_true(o.xlim_set && o.xlim_iso);
    assert_true(o.xlim_ns[0] == 1709643600LL * 1000000000LL && o.xlim_ns[1] == 1709650800500000000LL);
    OK(&o, "render", "f.csv", "-o", "p", "--xlim=2024-03-05,2024-03-06");
    assert_true(o.xlim_iso && o.xlim_ns[1] - o.xlim_ns[0] == 86400LL * 1000000000LL);
    OK(&o, "render", "f.csv", "-o", "p", "--xlim=2024-03-05,2024-03-06", "--xlim", "1", "2");
    assert_true(!o.xlim_iso && o.xlim[0] == 1 && o.xlim[1] == 2);
    BAD("--xlim: \"2024-02-30\" is not an instant (day 30 out of range", "render", "f.csv", "-o", "p", "--xlim",
        "2024-02-01", "2024-02-30");
    BAD("--xlim: the two instants are equal", "render", "f.csv", "-o", "p", "--xlim", "2024-02-01T00:00Z",
        "2024-02-01");

    OK(&o, "view", "f", "--follow", "--persist", "2.5");
    assert_true(o.persist == 2.5);
    BAD("--persist goes with --follow", "view", "f", "--persist", "2");
    BAD("--persist: expected seconds from 0.001 to 1e9", "view", "f", "--follow", "--persist", "0");
    BAD("--persist weighs samples by their age: not with --normalize lines", "view", "f", "--follow", "--lines",
        "--normalize", "lines", "--persist", "2");
}

static void test_annotations(void **state)
{
    (void)state;
    vp_options o;
    OK(&o, "render", "f", "-o", "p");
    assert_int_equal(o.n_annots, 0);
    OK(&o, "render", "f", "-o", "p", "--text", "1.5 -2 the peak", "--arrow", "0 0 1e3 2", "--arrow=3 4 5 6 far end");
    assert_int_equal(o.n_annots, 3);
    assert_true(o.annots == o.annot_buf);
    assert_true(!o.annots[0].arrow && o.annots[0].x0 == 1.5 && o.annots[0].y0 == -2);
    assert_string_equal(o.annots[0].text, "the peak");
    assert_true(o.annots[1].arrow && o.annots[1].x1 == 1e3 && o.annots[1].y1 == 2 && !o.annots[1].text[0]);
    assert_string_equal(o.annots[2].text, "far end");
    OK(&o, "view", "f", "--text", "0 0 x");
    assert_int_equal(o.n_annots, 1);
    BAD("--text: a label is needed after X Y", "render", "f", "-o", "p", "--text", "1 2");
    BAD("--arrow: expected X0 Y0 X1 Y1", "render", "f", "-o", "p", "--arrow", "1 2 3");
    BAD("--text: expected X Y", "render", "f", "-o", "p", "--text", "nan 2 x");
    BAD("--text needs a value", "render", "f", "-o", "p", "--text");
    BAD("--text is not an option of info", "info", "f", "--text", "1 2 x");
    const char *argv[OVERLAY_MAX_ANNOTS + 8] = {"render", "f", "-o", "p"};
    int n = 4;
    for (int i = 0; i <= OVERLAY_MAX_ANNOTS; i++)
        argv[n++] = "--text=1 1 a";
    argv[n] = NULL;
    vp_err e;
    assert_false(parse_v(&o, &e, argv));
    assert_non_null(strstr(e.msg, "more than 32 annotations"));
}

static void test_every_option_tested(void **state)
{
    (void)state;
    static const char *const tested[] = {
        "--dtype", "--endian", "--columns", "--x", "--y", "--y-only", "--skip-bytes", "--format", "--header",
        "--xlim", "--ylim", "--size", "--tonemap", "--colormap", "--cmap", "--background", "--bg", "--floor",
        "--point-size", "-o", "--output", "--save-counts", "--accumulate", "--threads", "--points", "--no-cache",
        "--gl-debug", "--verbose", "-v", "--quiet", "-q", "--help", "-h", "--follow", "-f", "--until-idle",
        "--window", "--window-x", "--fullscreen", "--display", "--title", "--xlabel", "--ylabel", "--overlay",
        "--screenshot-dir", "--screenshot-scale", "--script", "--gpu-mem", "--value", "--agg", "--by", "--vmin",
        "--vmax", "--vcenter", "--save-grid", "--lines", "--normalize", "--break-gap", "--x-time", "--tz",
        "--persist", "--views", "--fps", "--seconds", "--text", "--arrow",
    };
    const size_t ntested = sizeof tested / sizeof tested[0];
    vp_options o;
    OK(&o, "--help");
    char names[128][40];
    int n = help_options(&o, names, 128);
    assert_int_equal(n, (int)ntested);
    for (int i = 0; i < n; i++) {
        bool known = false;
        for (size_t k = 0; k < ntested; k++)
            known |= strcmp(names[i], tested[k]) == 0;
        if (!known) {
            print_error("--help lists %s, which test_options.c does not test\n", names[i]);
            fail();
        }
        /* and the parser knows every spelling --help shows */
        vp_err e;
        const char *const argv[] = {"render", "f", "-o", "p", names[i], "1", "1", NULL};
        if (!parse_v(&o, &e, argv))
            assert_null(strstr(e.msg, "unknown option"));
    }
    /* help for one command lists a part of them */
    OK(&o, "help", "info");
    int ninfo = help_options(&o, names, 128);
    assert_true(ninfo > 5 && ninfo < n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_defaults, no_display),
        cmocka_unit_test_setup(test_flags, no_display),
        cmocka_unit_test_setup(test_strings, no_display),
        cmocka_unit_test_setup(test_ints, no_display),
        cmocka_unit_test_setup(test_u64, no_display),
        cmocka_unit_test_setup(test_doubles, no_display),
        cmocka_unit_test_setup(test_keywords, no_display),
        cmocka_unit_test_setup(test_columns, no_display),
        cmocka_unit_test_setup(test_aggregation, no_display),
        cmocka_unit_test_setup(test_limits_and_size, no_display),
        cmocka_unit_test_setup(test_words_and_errors, no_display),
        cmocka_unit_test_setup(test_annotations, no_display),
        cmocka_unit_test_setup(test_commands, no_display),
        cmocka_unit_test_setup(test_help, no_display),
        cmocka_unit_test_setup(test_series, no_display),
        cmocka_unit_test_setup(test_views_option, no_display),
        cmocka_unit_test_setup(test_every_option_tested, no_display),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
