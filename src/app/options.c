#include "app/options.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accum/agg.h"
#include "app/views.h"
#include "load/demo.h"
#include "look/colormap.h"
#include "overlay/timeaxis.h"

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

/* ---- the table ---------------------------------------------------------------
 * One row per option: its spellings, its value's metavar (NULL: a flag), the
 * default and help text that --help and README.md (help --markdown) show, the
 * commands that take it, and how its value lands in vp_options: a kind and a
 * field, or a handler. Rows without a name start a group. The commands are
 * documentation only: every command accepts every option, as it always has. */
enum { R = 1, V = 2, D = 4, I = 8, ALL = R | V | D | I, W = 16 }; /* render view demo info; video (and R) */
typedef enum opt_kind { K_GROUP, K_HELP, K_FLAG, K_STR, K_INT, K_U64, K_DBL, K_FLT, K_KEY, K_CONV, K_FN } opt_kind;
typedef struct opt_key { const char *word; int value; } opt_key;
typedef struct opt_def opt_def;
/* v2: the second value of --xlim/--ylim, NULL for NAME=V1,V2 */
typedef bool opt_fn(vp_options *o, const opt_def *d, const char *v, const char *v2, vp_err *err);
struct opt_def {
    const char *name, *alias, *metavar, *def, *help;
    const char *group, *note; /* K_GROUP: README.md's marker name, a note after the group in --help */
    unsigned cmds;
    opt_kind kind;
    size_t off;               /* the field, K_FLAG .. K_KEY */
    int lo;                   /* K_INT: lo..hi */
    uint64_t hi;              /* K_INT, K_U64 */
    double dlo, dhi;          /* K_DBL, K_FLT: dlo..dhi, else "expected <expected>" */
    const char *expected;     /* also K_CONV's */
    const opt_key *keys;      /* K_KEY, up to {NULL} */
    bool (*conv)(const char *v, vp_options *o); /* K_CONV: false, not one of `expected` */
    opt_fn *fn;
};

#define GROUP(key, title, nt) {.kind = K_GROUP, .group = key, .help = title, .note = nt}
#define OPT(n, a, m, df, c, h) .name = n, .alias = a, .metavar = m, .def = df, .cmds = c, .help = h
#define FIELD(f, T) _Generic(((vp_options *)0)->f, T: offsetof(vp_options, f)) /* f, if of type T */
#define FLAG(f) .kind = K_FLAG, .off = FIELD(f, bool)
#define STR(f) .kind = K_STR, .off = FIELD(f, const char *)
#define INT(f, l, h) .kind = K_INT, .off = FIELD(f, int), .lo = l, .hi = h
#define U64(f, h) .kind = K_U64, .off = FIELD(f, uint64_t), .hi = h
#define DBL(f, l, h, what) .kind = K_DBL, .off = FIELD(f, double), .dlo = l, .dhi = h, .expected = what
#define FLT(f, l, h, what) .kind = K_FLT, .off = FIELD(f, float), .dlo = l, .dhi = h, .expected = what
#define KEYS(f, ...) .kind = K_KEY, .keys = (const opt_key[]){__VA_ARGS__, {NULL, 0}}, \
    .off = offsetof(vp_options, f) + 0 * sizeof(char[sizeof(((vp_options *)0)->f) == sizeof(int) ? 1 : -1])
#define CONV(c, what) .kind = K_CONV, .conv = c, .expected = what
#define FN(h) .kind = K_FN, .fn = h

static bool bad(const opt_def *d, const char *v, vp_err *err)
{
    return vp_err_set(err, "%s: expected %s, got \"%s\"", d->name, d->expected, v);
}

static bool conv_dtype(const char *v, vp_options *o)
{
    return vp_dtype_parse(v, &o->src.dtype) && (o->data.binary_given = true);
}

/* one mapping, text.h's: "text" detects the delimiter, as README says */
static bool conv_format(const char *v, vp_options *o)
{
    return text_format_from_option(v, &o->data.text.format) && (o->data.text_forced = true);
}

static bool conv_tonemap(const char *v, vp_options *o)
{
    return tonemap_parse(v, &o->tonemap);
}

static bool conv_background(const char *v, vp_options *o)
{
    return color_parse(v, o->background);
}

/* --y a,b,c: several y columns, each a series (dataset_params.ny/ycols),
 * split into o->ybuf; each a name or an index as for one column. */
static bool set_y_list(vp_options *o, const opt_def *d, const char *v, vp_err *err)
{
    size_t len = strlen(v);
    if (len >= sizeof o->ybuf)
        return vp_err_set(err, "%s: the list of columns is longer than %zu bytes", d->name,
                          sizeof o->ybuf - 1);
    memcpy(o->ybuf, v, len + 1);
    o->data.y_all = false;
    int n = 0;
    for (char *c = o->ybuf;; c++) {
        char *e = strchr(c, ',');
        if (e)
            *e = 0;
        if (!*c)
            return vp_err_set(err, "%s: an empty column in \"%s\"", d->name, v);
        if (n == DATASET_MAX_Y)
            return vp_err_set(err, "%s: more than %d columns in \"%s\"", d->name, DATASET_MAX_Y, v);
        int idx;
        if (c[0] >= '0' && c[0] <= '9') {
            if (!parse_int(d->name, c, 0, 65535, &idx, err))
                return false;
            if (n == 0)
                o->src.ycol = idx;
        } else {
            o->names_used = true;
        }
        o->data.ycols[n++] = c;
        if (!e)
            break;
        c = e;
    }
    o->data.ny = n;
    o->data.text.ycol = o->data.ycols[0];
    return true;
}

/* --x/--y: digits are a column index for every input; else a text column name */
static bool set_column(vp_options *o, const opt_def *d, const char *v, const char *v2, vp_err *err)
{
    (void)v2;
    bool is_x = d->name[2] == 'x';
    if (!is_x && strchr(v, ','))
        return set_y_list(o, d, v, err);
    if (!is_x)
        o->data.ny = 0; /* one column: as it always was */
    if (!is_x)
        o->data.y_all = !strcmp(v, "all"); /* every column of numbers but x (dataset.h) */
    if (v[0] >= '0' && v[0] <= '9') {
        if (!parse_int(d->name, v, 0, 65535, is_x ? &o->src.xcol : &o->src.ycol, err))
            return false;
    } else if (!v[0]) {
        return vp_err_set(err, "%s: expected a column index or name", d->name);
    } else {
        o->names_used = true;
    }
    *(is_x ? &o->data.text.xcol : &o->data.text.ycol) = v;
    return true;
}

/* --normalize none|lines */
static bool set_normalize(vp_options *o, const opt_def *d, const char *v, const char *v2, vp_err *err)
{
    (void)d, (void)v2;
    if (!strcmp(v, "lines") || !strcmp(v, "none"))
        return (o->normalize_lines = !strcmp(v, "lines")), true;
    return vp_err_set(err, "--normalize: expected lines or none, got \"%s\"", v);
}

/* --x-time auto|s|ms|us|ns|iso|none */
static bool set_x_time(vp_options *o, const opt_def *d, const char *v, const char *v2, vp_err *err)
{
    (void)d, (void)v2;
    static const char *const ok[] = {"auto", "s", "ms", "us", "ns", "iso", "none"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (!strcmp(v, ok[i])) {
            o->no_x_time = i == 6;
            o->x_time = i == 0 || i == 6 ? NULL : ok[i];
            return true;
        }
    return vp_err_set(err, "--x-time: expected auto, s, ms, us, ns, iso or none, got \"%s\"", v);
}

/* --text "X Y LABEL", --arrow "X0 Y0 X1 Y1 [LABEL]": each adds one */
static bool add_annot(vp_options *o, const opt_def *d, const char *v, const char *v2, vp_err *err)
{
    (void)v2;
    if (o->n_annots >= OVERLAY_MAX_ANNOTS)
        return vp_err_set(err, "%s: more than %d annotations (--text, --arrow)", d->name, OVERLAY_MAX_ANNOTS);
    if (!views_parse_annot(v, d->name[2] == 'a', &o->annot_buf[o->n_annots], err)) {
        vp_err e = *err; /* "text: ..." -> "--text: ..." */
        return vp_err_set(err, "--%s", e.msg);
    }
    o->annots = o->annot_buf;
    o->n_annots++;
    return true;
}

static bool set_lim(vp_options *o, const opt_def *d, const char *v, const char *v2, vp_err *err)
{
    bool is_x = d->name[2] == 'x';
    double *lim = is_x ? o->xlim : o->ylim;
    char buf[128];
    if (!v2) { /* --xlim=X0,X1 */
        if (snprintf(buf, sizeof buf, "%s", v) >= (int)sizeof buf)
            return vp_err_set(err, "%s: the value is longer than %zu characters", d->name, sizeof buf - 1);
        char *comma = strchr(buf, ',');
        if (!comma)
            return vp_err_set(err, "%s: expected two numbers, \"%s X0 X1\" or \"%s=X0,X1\"", d->name, d->name, d->name);
        *comma = 0;
        v = buf;
        v2 = comma + 1;
    }
    int64_t ns;
    if (is_x && !parse_double(d->name, v, &lim[0], NULL) && time_parse_iso(v, strlen(v), NULL, &ns) &&
        time_parse_iso(v2, strlen(v2), NULL, &ns)) {
        /* instants: read in --tz when the options are checked */
        if (strlen(v) >= sizeof o->xlim_text[0] || strlen(v2) >= sizeof o->xlim_text[1])
            return vp_err_set(err, "--xlim: an instant longer than %zu characters", sizeof o->xlim_text[0] - 1);
        snprintf(o->xlim_text[0], sizeof o->xlim_text[0], "%s", v);
        snprintf(o->xlim_text[1], sizeof o->xlim_text[1], "%s", v2);
        o->xlim_iso = true;
        return o->xlim_set = true;
    }
    if (is_x && !parse_double(d->name, v, &lim[0], NULL) && time_parse_iso(v, strlen(v), NULL, &ns)) {
        char why[128];
        time_parse_iso_explain(v2, strlen(v2), why, sizeof why);
        return vp_err_set(err, "--xlim: \"%s\" is not an instant (%s)", v2, why);
    }
    if (!parse_double(d->name, v, &lim[0], err) || !parse_double(d->name, v2, &lim[1], err))
        return false;
    if (is_x)
        o->xlim_iso = false;
    if (lim[0] == lim[1])
        return vp_err_set(err, "%s: the two limits are equal (%g): the view needs a width", d->name, lim[0]);
    return *(is_x ? &o->xlim_set : &o->ylim_set) = true;
}

static bool set_size(vp_options *o, const opt_def *d, const char *v, const char *v2, vp_err *err)
{
    (void)d, (void)v2;
    const char *x = strchr(v, 'x');
    if (!x)
        x = strchr(v, 'X');
    char a[32], b[32];
    if (!x || (size_t)(x - v) >= sizeof a || strlen(x + 1) >= sizeof b)
        return vp_err_set(err, "--size: expected WIDTHxHEIGHT such as 1920x1080, got \"%s\"", v);
    memcpy(a, v, (size_t)(x - v));
    a[x - v] = 0;
    strcpy(b, x + 1);
    if (!parse_int("--size", a, 1, 1 << 20, &o->width, err) || !parse_int("--size", b, 1, 1 << 20, &o->height, err))
        return vp_err_set(err, "--size: expected WIDTHxHEIGHT, each from 1 to 1048576, got \"%s\"", v);
    return o->size_set = true;
}

static bool set_colormap(vp_options *o, const opt_def *d, const char *v, const char *v2, vp_err *err)
{
    (void)d, (void)v2;
    uint8_t tmp[COLORMAP_SIZE][4];
    if (colormap_get(v, tmp))
        return (o->colormap = v), true;
    char list[256] = "";
    for (const char *const *n = colormap_names(); *n; n++) {
        size_t used = strlen(list);
        if (used + strlen(*n) + 3 >= sizeof list)
            break;
        snprintf(list + used, sizeof list - used, "%s%s", *n, n[1] ? ", " : "");
    }
    return vp_err_set(err, "--colormap: unknown \"%s\"; expected one of %s (add _r to reverse)", v, list);
}

/* --value/--by COL: the third column w; digits are an index for every input,
 * else a text header's name */
static bool set_wcol(vp_options *o, const opt_def *d, const char *v, const char *v2, vp_err *err)
{
    (void)v2;
    bool by = !strcmp(d->name, "--by");
    if ((by ? o->value_col : o->by_col) != NULL)
        return vp_err_set(err, "--value and --by cannot be used together: one third column is aggregated");
    if (v[0] >= '0' && v[0] <= '9') {
        if (!parse_int(d->name, v, 0, 65535, &o->src.wcol, err))
            return false;
        o->src.has_w = true; /* binary inputs too; a name is for text only */
    } else if (!v[0]) {
        return vp_err_set(err, "%s: expected a column index or name", d->name);
    } else {
        o->names_used = true;
    }
    o->data.text.wcol = v;
    o->data.text.w_category = by;
    *(by ? &o->by_col : &o->value_col) = v;
    return true;
}

static bool set_agg(vp_options *o, const opt_def *d, const char *v, const char *v2, vp_err *err)
{
    (void)d, (void)v2;
    agg_kind k;
    if (!agg_kind_from_name(v, &k))
        return vp_err_set(err, "--agg: expected count, sum, mean, min, max, std or var, got \"%s\"", v);
    o->agg = (int)k;
    return o->agg_set = true;
}

static bool set_vrange(vp_options *o, const opt_def *d, const char *v, const char *v2, vp_err *err)
{
    (void)v2;
    double x = 0;
    if (!parse_double(d->name, v, &x, err))
        return false;
    if (!strcmp(d->name, "--vmin"))
        o->vmin = x, o->vmin_set = true;
    else if (!strcmp(d->name, "--vmax"))
        o->vmax = x, o->vmax_set = true;
    else
        o->vcenter = x;
    return true;
}

static const opt_def table[] = {
    GROUP("input", "input (raw binary records; .npy files by their magic; text: .csv .tsv .txt .dat .xyz, '-' for "
                   "standard input, or --format)", NULL),
    {OPT("--dtype", NULL, "f32|f64|i8|i16|i32|i64|u8|u16|u32|u64", "f32", R | V | I,
         "sample type of raw records; given, every input is raw records (a .dat, '-' too) unless --format"),
     CONV(conv_dtype, "f32, f64, i8, i16, i32, i64, u8, u16, u32 or u64")},
    {OPT("--endian", NULL, "little|big", "little", R | V | I, "byte order"),
     KEYS(src.endian, {"little", VP_LITTLE}, {"big", VP_BIG})},
    {OPT("--columns", NULL, "N", "2", R | V | I, "values per record (1: y against the index)"),
     INT(src.columns, 1, 65536)},
    {OPT("--x", NULL, "COL", "0", R | V | I, "the x column: a 0-based index, or a text header's name"), FN(set_column)},
    {OPT("--y", NULL, "COL[,COL...]", "1", R | V | I, "the y column, likewise; --y alone: y against the row; "
         "several (--y a,b,c, or all: every column of numbers but x): each a series of its own"),
     FN(set_column)},
    {OPT("--y-only", NULL, NULL, NULL, R | V | I, "x is the record index (also --columns 1)"), FLAG(src.y_only)},
    {OPT("--skip-bytes", NULL, "N", "0", R | V | I, "a header to ignore: the first N bytes of every input, raw or "
         "text, file or standard input, followed or not (not .npy: its header says where data starts)"),
     U64(src.skip_bytes, UINT64_MAX / 2)},
    {OPT("--format", NULL, "csv|tsv|text|whitespace", NULL, R | V | I,
         "read every input as text (text: the delimiter is detected); else files are text by their name"),
     CONV(conv_format, "csv, tsv, text or whitespace")},
    {OPT("--header", NULL, "yes|no|auto", "auto", R | V | I, "whether text has a header row (auto: detected)"),
     KEYS(data.text.header, {"yes", TEXT_HEADER_YES}, {"no", TEXT_HEADER_NO}, {"auto", TEXT_HEADER_AUTO})},

    GROUP("view", "view", "binning: column i covers [x0 + i*(x1-x0)/W, x0 + (i+1)*(x1-x0)/W), rows from the bottom "
                          "likewise; the last column/row also takes x1/y1; outside points are not drawn"),
    {OPT("--xlim", NULL, "X0 X1", "the data's bounds", R | V | D,
         "x limits (also --xlim=X0,X1); reversed limits flip the axis; on a time axis also "
         "ISO-8601 instants (2024-03-05T14:00, read in --tz)"), FN(set_lim)},
    {OPT("--ylim", NULL, "Y0 Y1", "the data's bounds", R | V | D, "y limits, likewise"), FN(set_lim)},
    {OPT("--size", NULL, "WxH", "1920x1080; the viewer's window 1280x800", R | V | D,
         "picture size in pixels, up to what the GL implementation allows"), FN(set_size)},

    GROUP("look", "look", NULL),
    {OPT("--tonemap", NULL, "linear|log|sqrt|cbrt|eq-hist", "eq-hist", R | V | D,
         "count to level (eq-hist: histogram equalisation, as datashader)"),
     CONV(conv_tonemap, "linear, log, sqrt, cbrt or eq-hist")},
    {OPT("--colormap", "--cmap", "NAME", "inferno", R | V | D,
         "viridis, inferno, magma, plasma, cividis, fire, gray; diverging (for --value): coolwarm, rdbu, piyg; "
         "NAME_r reverses"), FN(set_colormap)},
    {OPT("--background", "--bg", "COLOR", "black", R | V | D,
         "a name, #RRGGBB or #RRGGBBAA; a translucent one gives an RGBA PNG"),
     CONV(conv_background, "a colour name, #RRGGBB or #RRGGBBAA")},
    {OPT("--floor", NULL, "F", "0.15", R | V | D,
         "colormap position of the smallest non-zero count, 0..1, so single samples stay visible"),
     FLT(floor, 0, 1, "a number from 0 to 1")},
    {OPT("--point-size", NULL, "N", "1", R | V | D,
         "draw each non-empty pixel N pixels wide, 1..9 (display only: counts are unchanged)"), INT(point_size, 1, 9)},

    GROUP("output", "output and engine", NULL),
    {OPT("-o", "--output", "OUT.png", NULL, R | D,
         "the picture (render: required; demo: vastplot-demo.png when there is no display)"), STR(output)},
    {OPT("--save-counts", NULL, "OUT.npy", NULL, R | D,
         "the exact counts: uint64 (height, width), row 0 = the top row of the PNG"), STR(save_counts)},
    {OPT("--accumulate", NULL, "gpu|cpu|auto", "auto", R | V | D,
         "auto uses the CPU on software GL (llvmpipe, softpipe, swrast), GL compute shaders otherwise"),
     KEYS(accumulate, {"gpu", ACCUM_GPU}, {"cpu", ACCUM_CPU}, {"auto", ACCUM_AUTO})},
    {OPT("--threads", NULL, "N", "all cores", ALL, "loader, parser and binning threads, 1..256"), INT(threads, 1, 256)},
    {OPT("--points", NULL, "N", "100000000", D, "demo: how many points, up to 2^40"), U64(demo_points, 1ull << 40)},
    {OPT("--no-cache", NULL, NULL, NULL, ALL,
         "no remembered bounds, column cache or spill files: nothing written besides the outputs"), FLAG(no_cache)},
    {OPT("--gl-debug", NULL, NULL, NULL, R | V | D, "GL diagnostics: driver messages (KHR_debug) and an error check after every GL call, naming it"), FLAG(gl_debug)},
    {OPT("--verbose", "-v", NULL, NULL, R | V | D, "which GL, the view, timings, the column cache"), FLAG(verbose)},
    {OPT("--quiet", "-q", NULL, NULL, R | V | D, "no summary line"), FLAG(quiet)},
    {OPT("--help", "-h", NULL, NULL, ALL, "this help; after a command: that command's options only"), .kind = K_HELP},

    GROUP("aggregate", "aggregation (a third column per sample)",
          "a sample is drawn when x, y and its value are finite; sums are exact fixed point (2^-40 of the "
          "value range, docs/internals.md); empty pixels show the background"),
    {OPT("--value", NULL, "COL", NULL, R | V | I, "the value column to reduce per pixel: a 0-based index, or a text "
         "header's name"), FN(set_wcol)},
    {OPT("--agg", NULL, "count|sum|mean|min|max|std|var", "mean with --value", R | V,
         "the reduction of the values in each pixel"), FN(set_agg)},
    {OPT("--by", NULL, "COL", NULL, R | V | I, "a category column (integer codes 0..63, or text labels): pixels mix "
         "the categories' colours by count, with a legend"), FN(set_wcol)},
    {OPT("--vmin", NULL, "V", "the smallest value", R | V, "the value at the colormap's low end"), FN(set_vrange)},
    {OPT("--vmax", NULL, "V", "the largest value", R | V, "the value at the colormap's high end"), FN(set_vrange)},
    {OPT("--vcenter", NULL, "V", "0", R | V, "the value at a diverging colormap's centre"), FN(set_vrange)},
    {OPT("--save-grid", NULL, "OUT.npy", NULL, R, "the reduced values: float64 (height, width), NaN where empty "
         "(count: uint64), row 0 = the top row; --by: uint32 counts (categories, height, width); OUT.npy.json says "
         "what it holds"),
     STR(save_grid)},

    GROUP("series", "time series",
          "a series is a file, or one --y column of it (--y a,b,c); it breaks at a non-finite or bad record, a "
          "text '>' line, the end of its file and a --break-gap jump"),
    {OPT("--lines", NULL, NULL, NULL, R | V, "connect consecutive samples of each series: each segment adds 1 to "
         "every pixel it steps into (exact, docs/internals.md)"), FLAG(lines)},
    {OPT("--normalize", NULL, "none|lines", "none", R | V, "lines: each series weighs 1 in every pixel column it "
         "crosses (DenseLines), so one busy series cannot hide the others"), FN(set_normalize)},
    {OPT("--break-gap", NULL, "DX", NULL, R | V, "--lines: no segment where x moves by more than DX"),
     DBL(break_gap, DBL_TRUE_MIN, DBL_MAX, "a positive width")},
    {OPT("--x-time", NULL, "auto|s|ms|us|ns|iso|none", "auto", R | V | I, "x is a time: epoch seconds, ms, us or ns, "
         "or ISO-8601 text; auto: ISO text, or a time-named column of epoch values"), FN(set_x_time)},
    {OPT("--tz", NULL, "ZONE", "UTC", R | V | I, "the time axis' zone: UTC, +05:30, or a tz name such as "
         "Europe/Berlin"), STR(tz)},

    GROUP("follow", "growing files", NULL),
    {OPT("--follow", "-f", NULL, NULL, R | V, "keep reading as the one input grows, like tail -F: a truncation "
         "restarts it, a rotated name is followed"), FLAG(follow)},
    {OPT("--until-idle", NULL, "S", NULL, R, "render --follow: render once the file has not grown for S seconds"),
     DBL(until_idle, 0, 86400, "seconds from 0 to 86400")},
    {OPT("--window", NULL, "N", "all", V, "view --follow: draw only the last N samples (older ones are taken "
         "out exactly)"), U64(window_n, 1ull << 62)},
    {OPT("--persist", NULL, "S", NULL, V, "view --follow: samples fade as exp(-age/S), like a phosphor screen "
         "(P freezes the picture)"), DBL(persist, 1e-3, 1e9, "seconds from 0.001 to 1e9")},
    {OPT("--window-x", NULL, "X", "all", V, "view --follow: show the last X units of x"),
     DBL(window_x, DBL_TRUE_MIN, DBL_MAX, "a positive width")},

    GROUP("viewer", "viewer and presentation",
          "keys: drag pan, wheel or +/- zoom at the cursor, right-drag or Shift+drag box zoom, Home/R reset, "
          "Backspace back, arrows pan, T tone map, C colormap, [ ] point size, H overlay, ? or F1 help, F or F11 "
          "fullscreen, S or F12 screenshot, PageDown/PageUp saved views, V save this view, Q or Esc quit"),
    {OPT("--fullscreen", NULL, NULL, NULL, V | D, "open fullscreen (F or F11 toggles)"), FLAG(fullscreen)},
    {OPT("--display", NULL, "N", "0", V | D, "the monitor to open on (a projector), 0..63"), INT(display, 0, 63)},
    {OPT("--title", NULL, "T", NULL, R | V | D, "a title above the plot"), STR(title)},
    {OPT("--xlabel", NULL, "T", NULL, R | V | D, "the x axis' label"), STR(xlabel)},
    {OPT("--ylabel", NULL, "T", NULL, R | V | D, "the y axis' label"), STR(ylabel)},
    {OPT("--text", NULL, "\"X Y LABEL\"", NULL, R | V | D, "an annotation: LABEL with its baseline starting at "
         "(X, Y), data coordinates; may be given again (at most 32 annotations)"), FN(add_annot)},
    {OPT("--arrow", NULL, "\"X0 Y0 X1 Y1 [LABEL]\"", NULL, R | V | D, "an annotation: an arrow from (X0, Y0) "
         "to its head at (X1, Y1), LABEL beside the tail; may be given again"), FN(add_annot)},
    {OPT("--overlay", NULL, NULL, NULL, R | D, "render: axes, ticks, labels and colorbar, as the viewer"),
     FLAG(overlay)},
    {OPT("--screenshot-dir", NULL, "DIR", ".", V | D, "where S / F12 writes vastplot-YYYYMMDD-HHMMSS-mmm.png"),
     STR(screenshot_dir)},
    {OPT("--screenshot-scale", NULL, "K", "1", V | D, "screenshots at K times the window's resolution, 1..8"),
     INT(screenshot_scale, 1, 8)},
    {OPT("--script", NULL, "FILE", NULL, V | D, "run viewer commands from FILE, one a line"), STR(script)},
    {OPT("--views", NULL, "FILE", NULL, R | V, "saved views (README: Presentations): render writes one picture "
         "per view (-o with %d or %02d, numbered from 1); the viewer starts on the first, PageDown/PageUp step, V "
         "appends the current view (default file: vastplot.views)"), STR(views)},
    {OPT("--fps", NULL, "N", "30", W, "video: frames per second, 1..240"), INT(fps, 1, 240)},
    {OPT("--seconds", NULL, "S", "2 per view", W, "video: its length; the views shown in turn, each held a "
         "quarter of its share, then moved from"), DBL(seconds, 0.05, 86400, "seconds from 0.05 to 86400")},
    {OPT("--gpu-mem", NULL, "MB", "half the free GPU memory, else 1024", V | D,
         "GPU memory the viewer may hold points in; larger data is refined on the CPU, streamed from the file"),
     INT(gpu_mem_mb, 1, 1 << 24)},
};
#define NOPTS (sizeof table / sizeof table[0])

static const struct {
    const char *name;
    vp_command cmd;
    unsigned bit;
    const char *usage, *what;
} commands[] = {
    {"view", CMD_VIEW, V, "view INPUT... [options]", "the interactive viewer (also: vastplot INPUT...)"},
    {"render", CMD_RENDER, R, "render INPUT... -o OUT.png [options]", "render headless (no display needed)"},
    {"video", CMD_RENDER, W, "video INPUT... --views FILE -o OUT.mp4", "a flight through the saved views: raw "
     "frames piped to ffmpeg (found in PATH at run time); takes render's options too"},
    {"info", CMD_INFO, I, "info INPUT [input options]", "records, dtype, bounds, non-finite count"},
    {"demo", CMD_DEMO, D, "demo [-o OUT.png] [--points N]", "the built-in demo (a Clifford attractor, 100 million "
     "points): the viewer when a display is there and no -o is given"},
};
#define NCMDS (sizeof commands / sizeof commands[0])

static int command_index(const char *s)
{
    for (size_t c = 0; c < NCMDS; c++)
        if (!strcmp(s, commands[c].name))
            return (int)c;
    return -1;
}

static const opt_def *find_option(const char *a, size_t len)
{
    for (const opt_def *d = table; d < table + NOPTS; d++)
        for (const char *n = d->name; n; n = n == d->name ? d->alias : NULL)
            if (strlen(n) == len && !strncmp(a, n, len))
                return d;
    return NULL;
}

static bool apply(vp_options *o, const opt_def *d, const char *v, const char *v2, vp_err *err)
{
    void *f = (char *)o + d->off;
    double x = 0;
    switch (d->kind) {
    case K_FLAG:
        return *(bool *)f = true;
    case K_STR:
        return (*(const char **)f = v), true;
    case K_INT:
        return parse_int(d->name, v, d->lo, (int)d->hi, f, err);
    case K_U64:
        return parse_u64(d->name, v, d->hi, f, err);
    case K_DBL:
    case K_FLT:
        if (!parse_double(d->name, v, &x, err))
            return false;
        if (x < d->dlo || x > d->dhi)
            return bad(d, v, err);
        if (d->kind == K_DBL)
            return (*(double *)f = x), true;
        return (*(float *)f = (float)x), true;
    case K_KEY: {
        char list[128] = "";
        for (const opt_key *k = d->keys; k->word; k++) {
            if (!strcmp(v, k->word))
                return (*(int *)f = k->value), true;
            size_t used = strlen(list);
            snprintf(list + used, sizeof list - used, "%s%s", used ? (k[1].word ? ", " : " or ") : "", k->word);
        }
        return vp_err_set(err, "%s: expected %s, got \"%s\"", d->name, list, v);
    }
    case K_CONV:
        return d->conv(v, o) || bad(d, v, err);
    case K_FN:
        return d->fn(o, d, v, v2, err);
    default:
        return true;
    }
}

static const vp_options defaults = {.src.ycol = -1, .width = 1920, .height = 1080, .tonemap = TONEMAP_EQ_HIST,
                                     .colormap = "inferno", .background = {0, 0, 0, 255}, .floor = 0.15f,
                                     .demo_points = DEMO_POINTS, .screenshot_scale = 1, .point_size = 1};

bool options_parse(int argc, char **argv, vp_options *o, vp_err *err)
{
    memcpy(o, &defaults, sizeof *o);
    if (argc < 2)
        return vp_err_set(err, "no command given: try 'vastplot --help'");
    const char *cmd = argv[1];
    int first = 2, c = command_index(cmd);
    bool have_display = (getenv("DISPLAY") && *getenv("DISPLAY")) ||
                        (getenv("WAYLAND_DISPLAY") && *getenv("WAYLAND_DISPLAY"));
    if (c >= 0) {
        o->command = commands[c].cmd;
    } else if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        /* help [COMMAND | --markdown] */
        o->command = CMD_HELP;
        if (argc > 2 && command_index(argv[2]) >= 0) {
            o->help_for = commands[command_index(argv[2])].cmd;
            o->help_video = commands[command_index(argv[2])].bit == W;
        }
        o->help_markdown = argc > 2 && !strcmp(argv[2], "--markdown");
        if (argc > 2 && !o->help_for && !o->help_markdown)
            return vp_err_set(err, "help %s: no such command: expected view, render, info, demo or --markdown",
                              argv[2]);
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

    unsigned cmd_bit = 0;
    for (size_t k = 0; k < NCMDS; k++)
        if (commands[k].cmd == o->command && !cmd_bit)
            cmd_bit = commands[k].bit;
    o->video = c >= 0 && commands[c].bit == W;
    if (o->video)
        cmd_bit = R | W; /* render's options, and its own */
    bool only_inputs = false;
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
        /* "--name=value" or "--name value"; a flag ignores "=value" */
        const char *eq = strchr(a, '=');
        const char *v = eq ? eq + 1 : NULL, *v2 = NULL;
        const opt_def *d = find_option(a, eq ? (size_t)(eq - a) : strlen(a));
        if (!d)
            return vp_err_set(err, "unknown option \"%s\" (see 'vastplot --help')", a);
        if (!(d->cmds & cmd_bit)) {
            char with[64] = "";
            for (size_t k = 0; k < NCMDS; k++)
                if (d->cmds & commands[k].bit)
                    snprintf(with + strlen(with), sizeof with - strlen(with), "%s%s", with[0] ? ", " : "",
                             commands[k].name);
            return vp_err_set(err, "%s is not an option of %s (it goes with %s; see 'vastplot %s --help')",
                              d->name, cmd, with, cmd);
        }
        if (v && !d->metavar)
            return vp_err_set(err, "%s takes no value (got \"%s\")", d->name, a);
        if (d->kind == K_HELP) {
            o->help_for = o->command;
            o->help_video = o->video;
            o->command = CMD_HELP;
            return true;
        }
        int nargs = !d->metavar ? 0 : d->fn == set_lim ? 2 : 1;
        if (nargs && !v) {
            if (i + nargs >= argc)
                return nargs == 2 ? vp_err_set(err, "%s needs two values: %s LOW HIGH", a, a)
                                  : vp_err_set(err, "%s needs a value", a);
            v = argv[++i];
            v2 = nargs == 2 ? argv[++i] : NULL;
        }
        if (!apply(o, d, v, v2, err))
            return false;
    }
    o->src.y_only |= o->src.columns == 1;
    if (o->data.text.xcol && !o->data.text.ycol)
        return vp_err_set(err, "--x %s needs --y too (or --y alone for y against the row index)",
                          o->data.text.xcol);
    o->data.text.y_only = o->src.y_only;
    o->data.binary = o->src;
    /* a name means a text column; binary inputs are refused later, per file */
    if (o->names_used) {
        o->data.binary.xcol = 0;
        o->data.binary.ycol = -1;
    }
    o->data.names_given = o->names_used;
    if (o->by_col && o->agg_set)
        return vp_err_set(err, "--agg goes with --value; --by counts the samples of each category");
    if (o->agg_set && o->agg != AGG_COUNT && !o->value_col)
        return vp_err_set(err, "--agg %s needs --value COL: the column to reduce", agg_kind_name((agg_kind)o->agg));
    if (o->by_col)
        o->agg = AGG_CATEGORIES;
    else if (o->value_col && !o->agg_set)
        o->agg = AGG_MEAN;
    if ((o->vmin_set || o->vmax_set) && !o->value_col)
        return vp_err_set(err, "--vmin and --vmax go with --value (the colormap's ends for the reduced values)");
    if (o->save_grid && !o->value_col && !o->by_col)
        return vp_err_set(err, "--save-grid goes with --value or --by (--save-counts saves counts)");
    if (o->command == CMD_DEMO && !o->output && have_display)
        o->demo_view = true;
    /* with --views, the inputs may come from the views file (input = PATH) */
    if ((o->command == CMD_RENDER || o->command == CMD_INFO || o->command == CMD_VIEW) && o->ninputs == 0 &&
        !(o->views && o->command != CMD_INFO))
        return vp_err_set(err, "%s: no input file given", cmd);
    if (o->follow && o->ninputs != 1 && (o->command == CMD_RENDER || o->command == CMD_VIEW))
        return vp_err_set(err, "--follow takes one input file (got %d)", o->ninputs);
    if (o->follow && o->command == CMD_RENDER && !(o->until_idle > 0))
        return vp_err_set(err, "render --follow needs --until-idle SECONDS: when to stop waiting and render");
    if ((o->window_n || o->window_x > 0) && !o->follow)
        return vp_err_set(err, "--window and --window-x go with --follow");
    if (o->persist > 0 && !o->follow)
        return vp_err_set(err, "--persist goes with --follow (it fades samples by their age)");
    if (o->persist > 0 && (o->value_col || o->by_col || o->normalize_lines))
        return vp_err_set(err, "--persist weighs samples by their age: not with %s",
                          o->normalize_lines ? "--normalize lines" : o->value_col ? "--value" : "--by");
    if ((o->normalize_lines || o->break_gap > 0) && !o->lines)
        return vp_err_set(err, "%s goes with --lines", o->normalize_lines ? "--normalize lines" : "--break-gap");
    if (o->lines && (o->value_col || o->by_col))
        return vp_err_set(err, "--lines counts the pixels the series cross; it does not go with --value or --by");
    if (o->tz) {
        vp_err e = {0};
        if (!time_zone_parse(o->tz, &o->tz_parsed, &e))
            return vp_err_set(err, "--tz: %s", e.msg);
        o->data.text.tz = &o->tz_parsed;
    }
    if (o->xlim_iso) {
        for (int i = 0; i < 2; i++)
            if (!time_parse_iso(o->xlim_text[i], strlen(o->xlim_text[i]), o->data.text.tz, &o->xlim_ns[i]))
                return vp_err_set(err, "--xlim: \"%s\" is not an instant in --tz %s", o->xlim_text[i],
                                  o->tz ? o->tz : "UTC");
        if (o->xlim_ns[0] == o->xlim_ns[1])
            return vp_err_set(err, "--xlim: the two instants are equal (%s): the view needs a width",
                              o->xlim_text[0]);
    }
    /* --x-time: how the loader reads x */
    static const char *const xt[] = {"s", "ms", "us", "ns", "iso"};
    o->data.text.x_time = o->no_x_time ? TEXT_XTIME_NONE : TEXT_XTIME_AUTO;
    for (int i = 0; o->x_time && i < 5; i++)
        if (!strcmp(o->x_time, xt[i]))
            o->data.text.x_time = (text_xtime)(TEXT_XTIME_S + i);
    if (o->command == CMD_DEMO && o->ninputs)
        return vp_err_set(err, "demo takes no input file (got \"%s\")", o->inputs[0]);
    char probe[16];
    if (o->views && o->command == CMD_RENDER && !o->video && o->output && views_output_name(o->output, 1, probe, 0) < 0)
        return vp_err_set(err, "--views: -o %s: expected one %%d or %%02d (the view's number, from 1) in the "
                               "name, and no other %% but %%%%", o->output);
    if (o->video && !o->views)
        return vp_err_set(err, "video: no --views FILE given: the views to fly through");
    if ((o->fps || o->seconds > 0) && !o->video)
        return vp_err_set(err, "--fps and --seconds go with the video command");
    if (o->video && !o->fps)
        o->fps = 30;
    if (o->command == CMD_RENDER && !o->output)
        return vp_err_set(err, "render: no output given: add -o OUT.png");
    if (o->command == CMD_DEMO && !o->output)
        o->output = "vastplot-demo.png";
    return true;
}

/* ---- help and README.md, from the table ---------------------------------------- */
#define HELP_WIDTH 100
#define HELP_COL 32

/* s from column col on, words wrapped at HELP_WIDTH, further lines at indent */
static void put_wrapped(FILE *f, int col, int indent, const char *s)
{
    for (bool first = true; *(s += strspn(s, " ")); first = false) {
        int n = (int)strcspn(s, " ");
        if (!first && col + 1 + n > HELP_WIDTH)
            col = fprintf(f, "\n%*s", indent, "") - 1;
        else if (!first)
            col += fprintf(f, " ");
        col += fprintf(f, "%.*s", n, s);
        s += n;
    }
    fputc('\n', f);
}

static void put_usage(FILE *f, const char *usage, const char *what)
{
    int col = fprintf(f, "  vastplot %s", usage);
    put_wrapped(f, col + fprintf(f, "%*s", col < 47 ? 49 - col : 2, ""), 49, what);
}

static void print_text(FILE *f, vp_command only, bool video)
{
    unsigned mask = only == CMD_NONE ? ALL | W : 0;
    fputs("vastplot " VP_VERSION " - every point of huge data sets, as an exact density image\n\nusage:\n", f);
    for (size_t c = 0; c < NCMDS; c++)
        if (only == CMD_NONE || (commands[c].cmd == only && (commands[c].bit == W) == video)) {
            put_usage(f, commands[c].usage, commands[c].what);
            mask |= commands[c].bit | (commands[c].bit == W ? R : 0);
        }
    if (only == CMD_NONE)
        put_usage(f, "help [COMMAND | --markdown]", "the options COMMAND takes; README.md's option tables");
    const opt_def *group = table;
    bool shown = false; /* a line of the group was printed */
    char text[512];
    for (const opt_def *d = table; d <= table + NOPTS; d++) {
        if (d == table + NOPTS || d->kind == K_GROUP) { /* the last group's note, then the next group */
            if (shown && group->note)
                put_wrapped(f, fprintf(f, "  "), 2, group->note);
            group = d, shown = false;
            continue;
        }
        if (!(d->cmds & mask))
            continue;
        if (!shown && snprintf(text, sizeof text, "\n%s:", group->help) > 0)
            put_wrapped(f, 0, 2, text);
        shown = true;
        int col = fprintf(f, "  %s%s%s%s%s", d->name, d->alias ? ", " : "", d->alias ? d->alias : "",
                          d->metavar ? " " : "", d->metavar ? d->metavar : "");
        snprintf(text, sizeof text, "%s%s%s%s", d->help, d->def ? " (default: " : "", d->def ? d->def : "",
                 d->def ? ")" : "");
        if (col > HELP_COL - 2)
            col = fprintf(f, "\n") - 1;
        put_wrapped(f, col + fprintf(f, "%*s", HELP_COL - col, ""), HELP_COL, text);
    }
    if (mask & (R | V | I) && fputc('\n', f) != EOF)
        put_wrapped(f, 0, 0,
                    "The bounds of a file (the pass before binning when limits are not given) are remembered in "
                    "$XDG_CACHE_HOME/vastplot (else ~/.cache/vastplot), keyed by the file's device, inode, size, "
                    "modification and change times and the layout options: a file that changes in any way is "
                    "scanned again. Parsed text files are kept as binary columns in "
                    "$XDG_CACHE_HOME/vastplot/columns (VASTPLOT_CACHE_DIR), so the next run reads them at raw "
                    "speed; rows of standard input and followed files past 64 MiB go to an unnamed spill file "
                    "there. VASTPLOT_NO_CACHE=1 turns all of this off too.");
}

/* a table cell: '|' escaped */
static void put_cell(FILE *f, const char *s)
{
    for (; s && *s; s++)
        fprintf(f, "%s%c", *s == '|' ? "\\" : "", *s);
}

/* README.md's tables: one for each group, between its markers */
static void print_markdown(FILE *f)
{
    for (const opt_def *d = table; d < table + NOPTS; d++) {
        if (d->kind == K_GROUP) {
            fprintf(f, "%s<!-- options:begin %s (generated by 'vastplot help --markdown' from src/app/options.c) "
                       "-->\n| option | meaning | default | commands |\n|---|---|---|---|\n",
                    d == table ? "" : "<!-- options:end -->\n\n", d->group);
            continue;
        }
        fprintf(f, "| `%s%s", d->name, d->metavar ? " " : "");
        put_cell(f, d->metavar);
        fprintf(f, "`%s%s%s | ", d->alias ? ", `" : "", d->alias ? d->alias : "", d->alias ? "`" : "");
        put_cell(f, d->help);
        fputs(" | ", f);
        put_cell(f, d->def);
        fputs(d->cmds == ALL ? " | all" : " |", f);
        for (size_t c = 0; c < NCMDS && d->cmds != ALL; c++)
            fprintf(f, "%s%s", d->cmds & commands[c].bit ? " " : "", d->cmds & commands[c].bit ? commands[c].name : "");
        fputs(" |\n", f);
    }
    fputs("<!-- options:end -->\n", f);
}

void options_print_help(const vp_options *o)
{
    if (o->help_markdown)
        print_markdown(stdout);
    else
        print_text(stdout, o->help_for, o->help_video);
}
