#include "app/options.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load/demo.h"
#include "look/colormap.h"

static bool parse_double(const char *opt, const char *s, double *out, vp_err *err)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    /* ERANGE with a tiny result is an underflow to a subnormal: a fine number */
    if (end == s || *end || (errno == ERANGE && fabs(v) > 1.0) || !isfinite(v))
        return vp_err_set(err, "%s: expected a finite number, got \"%s\"", opt, s);
    *out = v;
    return true;
}

static bool parse_u64(const char *opt, const char *s, uint64_t max, uint64_t *out, vp_err *err)
{
    char *end;
    errno = 0;
    if (!(*s >= '0' && *s <= '9'))
        return vp_err_set(err, "%s: expected a whole number from 0 to %llu, got \"%s\"", opt,
                          (unsigned long long)max, s);
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || *end || errno == ERANGE || v > max)
        return vp_err_set(err, "%s: expected a whole number from 0 to %llu, got \"%s\"", opt,
                          (unsigned long long)max, s);
    *out = v;
    return true;
}

static bool parse_int(const char *opt, const char *s, int lo, int hi, int *out, vp_err *err)
{
    uint64_t v = 0;
    if (!parse_u64(opt, s, (uint64_t)hi, &v, err) || (int)v < lo)
        return vp_err_set(err, "%s: expected a whole number from %d to %d, got \"%s\"", opt, lo, hi, s);
    *out = (int)v;
    return true;
}

static bool parse_size(const char *s, int *w, int *h, vp_err *err)
{
    const char *x = strchr(s, 'x');
    if (!x)
        x = strchr(s, 'X');
    char a[32], b[32];
    if (!x || (size_t)(x - s) >= sizeof a || strlen(x + 1) >= sizeof b)
        return vp_err_set(err, "--size: expected WIDTHxHEIGHT such as 1920x1080, got \"%s\"", s);
    memcpy(a, s, (size_t)(x - s));
    a[x - s] = 0;
    strcpy(b, x + 1);
    if (!parse_int("--size", a, 1, 1 << 20, w, err) || !parse_int("--size", b, 1, 1 << 20, h, err))
        return vp_err_set(err, "--size: expected WIDTHxHEIGHT, each from 1 to 1048576, got \"%s\"", s);
    return true;
}

static void defaults(vp_options *o)
{
    memset(o, 0, sizeof *o);
    o->src.ycol = -1;
    o->width = 1920;
    o->height = 1080;
    o->tonemap = TONEMAP_EQ_HIST;
    o->colormap = "inferno";
    o->background[3] = 255;
    o->floor = 0.15f;
    o->demo_points = DEMO_POINTS;
    o->screenshot_scale = 1;
    o->point_size = 1;
}

bool options_parse(int argc, char **argv, vp_options *o, vp_err *err)
{
    defaults(o);
    if (argc < 2)
        return vp_err_set(err, "no command given: try 'vastplot --help'");
    const char *cmd = argv[1];
    int first = 2;
    bool have_display = (getenv("DISPLAY") && *getenv("DISPLAY")) ||
                        (getenv("WAYLAND_DISPLAY") && *getenv("WAYLAND_DISPLAY"));
    if (!strcmp(cmd, "view"))
        o->command = CMD_VIEW;
    else if (!strcmp(cmd, "render"))
        o->command = CMD_RENDER;
    else if (!strcmp(cmd, "info"))
        o->command = CMD_INFO;
    else if (!strcmp(cmd, "demo"))
        o->command = CMD_DEMO;
    else if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        o->command = CMD_HELP;
        return true;
    } else if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        o->command = CMD_VERSION;
        return true;
    } else if (cmd[0] != '-' && have_display) {
        /* plain `vastplot FILE...`: the viewer */
        o->command = CMD_VIEW;
        cmd = "view";
        first = 1;
    } else if (cmd[0] != '-') {
        return vp_err_set(err, "unknown command \"%s\": expected view, render, info, demo or --help "
                               "(a plain 'vastplot FILE' opens the viewer, which needs a display; "
                               "without one use 'vastplot render FILE -o OUT.png')", cmd);
    } else
        return vp_err_set(err, "unknown command \"%s\": expected view, render, info, demo or --help", cmd);

    bool only_inputs = false;
    bool names_used = false;
    for (int i = first; i < argc; i++) {
        char *a = argv[i];
        if (only_inputs || a[0] != '-' || a[1] == 0) {
            if (o->ninputs >= OPTIONS_MAX_INPUTS)
                return vp_err_set(err, "too many inputs (at most %d)", OPTIONS_MAX_INPUTS);
            o->inputs[o->ninputs++] = a;
            continue;
        }
        if (!strcmp(a, "--")) {
            only_inputs = true;
            continue;
        }
        /* "--name=value" or "--name value" */
        char name[64];
        const char *val = NULL;
        const char *eq = strchr(a, '=');
        if (eq && (size_t)(eq - a) < sizeof name) {
            memcpy(name, a, (size_t)(eq - a));
            name[eq - a] = 0;
            val = eq + 1;
        } else {
            snprintf(name, sizeof name, "%s", a);
        }
#define FLAG(n) (!strcmp(name, n))
#define NEED_VALUE()                                                                           \
    do {                                                                                       \
        if (!val) {                                                                            \
            if (i + 1 >= argc)                                                                 \
                return vp_err_set(err, "%s needs a value", name);                              \
            val = argv[++i];                                                                   \
        }                                                                                      \
    } while (0)
        if (FLAG("--help") || FLAG("-h")) {
            o->command = CMD_HELP;
            return true;
        } else if (FLAG("--gl-debug")) {
            o->gl_debug = true;
        } else if (FLAG("--verbose") || FLAG("-v")) {
            o->verbose = true;
        } else if (FLAG("--quiet") || FLAG("-q")) {
            o->quiet = true;
        } else if (FLAG("--follow") || FLAG("-f")) {
            o->follow = true;
        } else if (FLAG("--until-idle")) {
            NEED_VALUE();
            if (!parse_double(name, val, &o->until_idle, err))
                return false;
            if (o->until_idle < 0 || o->until_idle > 86400)
                return vp_err_set(err, "--until-idle: expected seconds from 0 to 86400, got \"%s\"", val);
        } else if (FLAG("--window")) {
            NEED_VALUE();
            if (!parse_u64(name, val, UINT64_C(1) << 62, &o->window_n, err))
                return false;
        } else if (FLAG("--window-x")) {
            NEED_VALUE();
            if (!parse_double(name, val, &o->window_x, err))
                return false;
            if (!(o->window_x > 0))
                return vp_err_set(err, "--window-x: expected a positive width, got \"%s\"", val);
        } else if (FLAG("--gpu-mem")) {
            NEED_VALUE();
            if (!parse_int(name, val, 1, 1 << 24, &o->gpu_mem_mb, err))
                return false;
        } else if (FLAG("--point-size")) {
            NEED_VALUE();
            if (!parse_int(name, val, 1, 9, &o->point_size, err))
                return false;
        } else if (FLAG("--overlay")) {
            o->overlay = true;
        } else if (FLAG("--fullscreen")) {
            o->fullscreen = true;
        } else if (FLAG("--display")) {
            NEED_VALUE();
            if (!parse_int(name, val, 0, 63, &o->display, err))
                return false;
        } else if (FLAG("--script")) {
            NEED_VALUE();
            o->script = val;
        } else if (FLAG("--screenshot-dir")) {
            NEED_VALUE();
            o->screenshot_dir = val;
        } else if (FLAG("--screenshot-scale")) {
            NEED_VALUE();
            if (!parse_int(name, val, 1, 8, &o->screenshot_scale, err))
                return false;
        } else if (FLAG("--title")) {
            NEED_VALUE();
            o->title = val;
        } else if (FLAG("--xlabel")) {
            NEED_VALUE();
            o->xlabel = val;
        } else if (FLAG("--ylabel")) {
            NEED_VALUE();
            o->ylabel = val;
        } else if (FLAG("--no-cache")) {
            o->no_cache = true;
        } else if (FLAG("--y-only")) {
            o->src.y_only = true;
        } else if (FLAG("--dtype")) {
            NEED_VALUE();
            if (!vp_dtype_parse(val, &o->src.dtype))
                return vp_err_set(err, "--dtype: expected f32, f64, i8, i16, i32, i64, u8, u16, u32 or u64, got \"%s\"", val);
            o->data.stdin_raw = true;
        } else if (FLAG("--endian")) {
            NEED_VALUE();
            if (!strcmp(val, "little"))
                o->src.endian = VP_LITTLE;
            else if (!strcmp(val, "big"))
                o->src.endian = VP_BIG;
            else
                return vp_err_set(err, "--endian: expected little or big, got \"%s\"", val);
        } else if (FLAG("--columns")) {
            NEED_VALUE();
            if (!parse_int(name, val, 1, 65536, &o->src.columns, err))
                return false;
        } else if (FLAG("--x") || FLAG("--y")) {
            NEED_VALUE();
            bool is_x = FLAG("--x");
            /* digits: a column index for every input; else a text column name */
            if (val[0] >= '0' && val[0] <= '9') {
                if (!parse_int(name, val, 0, 65535, is_x ? &o->src.xcol : &o->src.ycol, err))
                    return false;
            } else if (!val[0]) {
                return vp_err_set(err, "%s: expected a column index or name", name);
            } else {
                names_used = true;
            }
            if (is_x)
                o->data.text.xcol = val;
            else
                o->data.text.ycol = val;
        } else if (FLAG("--format")) {
            NEED_VALUE();
            /* one mapping, text.h's: "text" detects the delimiter, as README says */
            if (!text_format_from_option(val, &o->data.text.format))
                return vp_err_set(err, "--format: expected csv, tsv, text or whitespace, got \"%s\"", val);
            o->data.text_forced = true;
        } else if (FLAG("--header")) {
            NEED_VALUE();
            if (!strcmp(val, "yes"))
                o->data.text.header = TEXT_HEADER_YES;
            else if (!strcmp(val, "no"))
                o->data.text.header = TEXT_HEADER_NO;
            else if (!strcmp(val, "auto"))
                o->data.text.header = TEXT_HEADER_AUTO;
            else
                return vp_err_set(err, "--header: expected yes, no or auto, got \"%s\"", val);
        } else if (FLAG("--skip-bytes")) {
            NEED_VALUE();
            if (!parse_u64(name, val, UINT64_MAX / 2, &o->src.skip_bytes, err))
                return false;
        } else if (FLAG("--xlim") || FLAG("--ylim")) {
            double *lim = FLAG("--xlim") ? o->xlim : o->ylim;
            if (val) {
                /* --xlim=X0,X1 */
                char buf[128];
                if (snprintf(buf, sizeof buf, "%s", val) >= (int)sizeof buf)
                    return vp_err_set(err, "%s: the value is longer than %zu characters", name, sizeof buf - 1);
                char *comma = strchr(buf, ',');
                if (!comma)
                    return vp_err_set(err, "%s: expected two numbers, \"%s X0 X1\" or \"%s=X0,X1\"", name, name, name);
                *comma = 0;
                if (!parse_double(name, buf, &lim[0], err) || !parse_double(name, comma + 1, &lim[1], err))
                    return false;
            } else {
                if (i + 2 >= argc)
                    return vp_err_set(err, "%s needs two values: %s LOW HIGH", name, name);
                if (!parse_double(name, argv[i + 1], &lim[0], err) || !parse_double(name, argv[i + 2], &lim[1], err))
                    return false;
                i += 2;
            }
            if (lim[0] == lim[1])
                return vp_err_set(err, "%s: the two limits are equal (%g): the view needs a width", name, lim[0]);
            if (lim == o->xlim)
                o->xlim_set = true;
            else
                o->ylim_set = true;
        } else if (FLAG("--size")) {
            NEED_VALUE();
            if (!parse_size(val, &o->width, &o->height, err))
                return false;
            o->size_set = true;
        } else if (FLAG("--tonemap")) {
            NEED_VALUE();
            if (!tonemap_parse(val, &o->tonemap))
                return vp_err_set(err, "--tonemap: expected linear, log, sqrt, cbrt or eq-hist, got \"%s\"", val);
        } else if (FLAG("--colormap") || FLAG("--cmap")) {
            NEED_VALUE();
            uint8_t tmp[COLORMAP_SIZE][4];
            if (!colormap_get(val, tmp)) {
                char list[256] = "";
                for (const char *const *n = colormap_names(); *n; n++) {
                    size_t used = strlen(list);
                    if (used + strlen(*n) + 3 >= sizeof list)
                        break;
                    snprintf(list + used, sizeof list - used, "%s%s", *n, n[1] ? ", " : "");
                }
                return vp_err_set(err, "--colormap: unknown \"%s\"; expected one of %s (add _r to reverse)", val, list);
            }
            o->colormap = val;
        } else if (FLAG("--background") || FLAG("--bg")) {
            NEED_VALUE();
            if (!color_parse(val, o->background))
                return vp_err_set(err, "--background: expected a colour name, #RRGGBB or #RRGGBBAA, got \"%s\"", val);
        } else if (FLAG("--floor")) {
            NEED_VALUE();
            double f;
            if (!parse_double(name, val, &f, err))
                return false;
            if (f < 0 || f > 1)
                return vp_err_set(err, "--floor: expected a number from 0 to 1, got \"%s\"", val);
            o->floor = (float)f;
        } else if (FLAG("-o") || FLAG("--output")) {
            NEED_VALUE();
            o->output = val;
        } else if (FLAG("--save-counts")) {
            NEED_VALUE();
            o->save_counts = val;
        } else if (FLAG("--accumulate")) {
            NEED_VALUE();
            if (!strcmp(val, "auto"))
                o->accumulate = ACCUM_AUTO;
            else if (!strcmp(val, "cpu"))
                o->accumulate = ACCUM_CPU;
            else if (!strcmp(val, "gpu"))
                o->accumulate = ACCUM_GPU;
            else
                return vp_err_set(err, "--accumulate: expected gpu, cpu or auto, got \"%s\"", val);
        } else if (FLAG("--threads")) {
            NEED_VALUE();
            if (!parse_int(name, val, 1, 256, &o->threads, err))
                return false;
        } else if (FLAG("--points")) {
            NEED_VALUE();
            if (!parse_u64(name, val, UINT64_C(1) << 40, &o->demo_points, err))
                return false;
        } else {
            return vp_err_set(err, "unknown option \"%s\" (see 'vastplot --help')", a);
        }
#undef FLAG
#undef NEED_VALUE
    }
    if (o->src.columns == 1 && !o->src.y_only)
        o->src.y_only = true;
    if (o->data.text.xcol && !o->data.text.ycol)
        return vp_err_set(err, "--x %s needs --y too (or --y alone for y against the row index)",
                          o->data.text.xcol);
    o->data.text.y_only = o->src.y_only;
    o->data.binary = o->src;
    /* a name means a text column; binary inputs are refused later, per file */
    if (names_used) {
        o->data.binary.xcol = 0;
        o->data.binary.ycol = -1;
    }
    o->names_used = names_used;
    o->data.names_given = names_used;
    if (o->command == CMD_DEMO && !o->output && have_display)
        o->demo_view = true;
    if (o->command == CMD_RENDER || o->command == CMD_INFO || o->command == CMD_VIEW) {
        if (o->ninputs == 0)
            return vp_err_set(err, "%s: no input file given", cmd);
    }
    if (o->follow && o->ninputs != 1 && (o->command == CMD_RENDER || o->command == CMD_VIEW))
        return vp_err_set(err, "--follow takes one input file (got %d)", o->ninputs);
    if (o->follow && o->command == CMD_RENDER && !(o->until_idle > 0))
        return vp_err_set(err, "render --follow needs --until-idle SECONDS: when to stop waiting and render");
    if ((o->window_n || o->window_x > 0) && !o->follow)
        return vp_err_set(err, "--window and --window-x go with --follow");
    if (o->command == CMD_DEMO && o->ninputs)
        return vp_err_set(err, "demo takes no input file (got \"%s\")", o->inputs[0]);
    if (o->command == CMD_RENDER && !o->output)
        return vp_err_set(err, "render: no output given: add -o OUT.png");
    if (o->command == CMD_DEMO && !o->output)
        o->output = "vastplot-demo.png";
    return true;
}

void options_print_help(const char *argv0)
{
    (void)argv0;
    fputs(
        "vastplot " VP_VERSION " - every point of huge data sets, as an exact density image\n"
        "\n"
        "usage:\n"
        "  vastplot view INPUT... [options]                 the interactive viewer (also: vastplot INPUT)\n"
        "  vastplot render INPUT... -o OUT.png [options]   render headless (no display needed)\n"
        "  vastplot info INPUT [input options]              records, dtype, bounds, non-finite count\n"
        "  vastplot demo [-o OUT.png] [--points N]          the built-in demo (a Clifford attractor,\n"
        "                                                   100 million points): the viewer when a\n"
        "                                                   display is there and no -o is given\n"
        "\n"
        "input (raw binary records; .npy files are recognised by their magic):\n"
        "  --dtype f32|f64|i8|i16|i32|i64|u8|u16|u32|u64   sample type (default f32)\n"
        "  --endian little|big                              byte order (default little)\n"
        "  --columns N                                      values per record (default 2)\n"
        "  --x COL --y COL                                  0-based columns (default 0 and 1)\n"
        "  --y-only                                         x is the record index (also --columns 1)\n"
        "  --skip-bytes N                                   ignore a header of N bytes\n"
        "text input (.csv .tsv .txt .dat .xyz, '-' for standard input, or --format):\n"
        "  --format csv|tsv|text|whitespace                 parse every input as text (text: delimiter detected)\n"
        "  --x NAME --y NAME                                columns by header name (or index)\n"
        "  --header yes|no|auto                             a header row (default: detected)\n"
        "\n"
        "view:\n"
        "  --xlim X0 X1, --ylim Y0 Y1   limits (default: the data's bounds; reversed flips)\n"
        "  --size WxH                   picture size in pixels (default 1920x1080)\n"
        "  binning: column i covers [x0 + i*(x1-x0)/W, x0 + (i+1)*(x1-x0)/W), rows from the\n"
        "  bottom likewise; the last column/row also takes x1/y1; outside points are not drawn\n"
        "\n"
        "look:\n"
        "  --tonemap linear|log|sqrt|cbrt|eq-hist   (default eq-hist)\n"
        "  --colormap viridis|inferno|magma|plasma|cividis|fire|gray, NAME_r reverses (default inferno)\n"
        "  --background COLOR           name, #RRGGBB or #RRGGBBAA (default black)\n"
        "  --floor F                    colormap position of the smallest count, 0..1 (default 0.15)\n"
        "  --point-size N               draw each non-empty pixel N pixels wide (display only;\n"
        "                               counts are unchanged; default 1)\n"
        "\n"
        "growing files:\n"
        "  --follow, -f                 keep reading as the file grows (like tail -F: truncation\n"
        "                               restarts it, a rotated name is followed)\n"
        "  --until-idle S               render --follow: render once the file has not grown for S s\n"
        "  --window N, --window-x X     viewer --follow: show the last N samples / X units of x\n"
        "\n"
        "viewer and presentation:\n"
        "  --size WxH                   window size (default 1280x800 for the viewer)\n"
        "  --fullscreen, --display N    fullscreen; the monitor to open on (a projector)\n"
        "  --title T, --xlabel T, --ylabel T\n"
        "  --overlay                    render: draw axes, ticks, labels and colorbar as the viewer does\n"
        "  --screenshot-dir DIR         where S / F12 writes vastplot-YYYYMMDD-HHMMSS-mmm.png (default .)\n"
        "  --screenshot-scale K         screenshots at K times the window's resolution\n"
        "  --script FILE                run viewer commands (see README)\n"
        "  --gpu-mem MB                 GPU memory the viewer may hold points in (default: half of\n"
        "                               what the driver reports free, else 1024); larger data is\n"
        "                               refined on the CPU, streamed from the file\n"
        "  keys: drag pan, wheel or +/- zoom at the cursor, right-drag or Shift+drag box zoom,\n"
        "        Home/R reset, Backspace back, arrows pan, T tone map, C colormap, [ ] point size,\n"
        "        H overlay, ? or F1 help, F or F11 fullscreen, S or F12 screenshot, Q or Esc quit\n"
        "\n"
        "output and engine:\n"
        "  -o, --output OUT.png         the picture\n"
        "  --save-counts OUT.npy        the exact counts, uint64 (height, width), row 0 = top\n"
        "  --accumulate gpu|cpu|auto    auto: CPU on software GL (llvmpipe), GPU otherwise\n"
        "  --threads N                  worker threads (default: all cores)\n"
        "  --no-cache                   no remembered bounds, column cache or spill files (below)\n"
        "  --gl-debug, --verbose, --quiet\n"
        "\n"
        "The bounds of a file (the pass before binning when limits are not given) are\n"
        "remembered in $XDG_CACHE_HOME/vastplot (else ~/.cache/vastplot), keyed by the file's\n"
        "device, inode, size, modification and change times and the layout options: a file\n"
        "that changes in any way is scanned again. Parsed text files are kept as binary\n"
        "columns in $XDG_CACHE_HOME/vastplot/columns (VASTPLOT_CACHE_DIR), so the next run\n"
        "reads them at raw speed; rows of standard input and followed files past 64 MiB go\n"
        "to an unnamed spill file there. VASTPLOT_NO_CACHE=1 turns all of this off too.\n",
        stdout);
}
