/* libvastplot (include/vastplot/vastplot.h): the public C API over the
 * engine. A handle keeps the data (a dataset), the command-line words that
 * configure it (parsed by app/options, as `vastplot render` would parse
 * them), the view, and what the picture and the progressive counts need
 * (a headless GL context and a plot; a refinement), made on first use. */
#include "vastplot/vastplot.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accum/accum.h"
#include "accum/lines_run.h"
#include "accum/refine.h"
#include "accum/scan.h"
#include "app/commands.h"
#include "app/options.h"
#include "app/plot.h"
#include "gl/glctx.h"
#include "load/dataset.h"

#define MAX_WORDS 256

struct vastplot {
    char err[VASTPLOT_ERROR_BYTES];
    dataset *ds;
    /* the words given so far (inputs first for files), parsed together */
    char *words[MAX_WORDS];
    int nwords, ninputs;
    vp_options *o;
    bool have_bounds;
    double bounds[4];
    bool view_set; /* vastplot_set_view, or --xlim/--ylim/--size given */
    double lim[4];
    int w, h;
    glctx *gl;
    plot *pl;
    refine *ref;
    view ref_view;
};

_Static_assert((int)VASTPLOT_F32 == (int)VP_F32 && (int)VASTPLOT_U64 == (int)VP_U64,
               "vastplot_dtype follows vp_dtype");

static int fail(vastplot *p, const vp_err *e)
{
    snprintf(p->err, sizeof p->err, "%s", e->msg);
    return -1;
}

static int fail_msg(vastplot *p, const char *msg)
{
    snprintf(p->err, sizeof p->err, "%s", msg);
    return -1;
}

int vastplot_api_version(void)
{
    return VASTPLOT_API_VERSION;
}

const char *vastplot_version(void)
{
    return VP_VERSION;
}

const char *vastplot_error(const vastplot *p)
{
    return p ? p->err : "no vastplot handle";
}

/* ---- words: the command line's options, as `vastplot render` takes them ---- */

static bool add_words(vastplot *p, int argc, const char *const *argv, vp_err *err)
{
    if (argc < 0 || (argc > 0 && !argv))
        return vp_err_set(err, "no words given (argc %d)", argc);
    if (p->nwords + argc > MAX_WORDS)
        return vp_err_set(err, "more than %d words of options", MAX_WORDS);
    for (int i = 0; i < argc; i++) {
        if (!argv[i])
            return vp_err_set(err, "word %d is NULL", i);
        if (!(p->words[p->nwords] = strdup(argv[i])))
            return vp_err_set(err, "out of memory");
        p->nwords++;
    }
    return true;
}

/* Parses every word so far as `vastplot render WORDS -o (none)` into p->o. */
static bool parse_words(vastplot *p, vp_options *o, vp_err *err)
{
    char *argv[MAX_WORDS + 6];
    int n = 0;
    argv[n++] = "vastplot";
    argv[n++] = "render";
    if (p->ninputs == 0)
        argv[n++] = "arrays"; /* the input is the arrays: a name for the parser only */
    for (int i = 0; i < p->nwords; i++)
        argv[n++] = p->words[i];
    argv[n++] = "-o";
    argv[n++] = "/dev/null";
    argv[n] = NULL;
    if (!options_parse(n, argv, o, err))
        return false;
    o->data.threads = o->threads;
    return true;
}

static bool has_word(int argc, const char *const *argv, const char *name)
{
    size_t n = strlen(name);
    for (int i = 0; i < argc; i++)
        if (!strncmp(argv[i], name, n) && (argv[i][n] == 0 || argv[i][n] == '='))
            return true;
    return false;
}

/* ---- creation ------------------------------------------------------------------ */

static vastplot *alloc_handle(char err[VASTPLOT_ERROR_BYTES])
{
    vastplot *p = calloc(1, sizeof *p);
    vp_options *o = calloc(1, sizeof *o);
    if (!p || !o) {
        free(p);
        free(o);
        if (err)
            snprintf(err, VASTPLOT_ERROR_BYTES, "out of memory");
        return NULL;
    }
    p->o = o;
    return p;
}

static vastplot *created(vastplot *p, bool ok, const vp_err *e, char err[VASTPLOT_ERROR_BYTES])
{
    if (ok) {
        p->w = p->o->width;
        p->h = p->o->height;
        if (err)
            err[0] = 0;
        return p;
    }
    if (err)
        snprintf(err, VASTPLOT_ERROR_BYTES, "%s", e->msg);
    vastplot_destroy(p);
    return NULL;
}

static bool array_of(const vastplot_array *a, const char *name, dataset_array *out, vp_err *err)
{
    if (!a)
        return vp_err_set(err, "%s: no array", name);
    if (a->dtype < 0 || a->dtype >= VP_DTYPE_COUNT)
        return vp_err_set(err, "%s: dtype %d is not a vastplot_dtype (0..%d)", name, a->dtype,
                          VP_DTYPE_COUNT - 1);
    *out = (dataset_array){a->data, (vp_dtype)a->dtype, a->stride, a->count};
    return true;
}

vastplot *vastplot_from_arrays(const vastplot_array *x, const vastplot_array *y, char err[VASTPLOT_ERROR_BYTES])
{
    vastplot *p = alloc_handle(err);
    if (!p)
        return NULL;
    vp_err e = {{0}};
    dataset_array ax, ay;
    bool ok = array_of(x, "x", &ax, &e) && array_of(y, "y", &ay, &e) &&
              dataset_create_arrays(&ax, &ay, &p->ds, &e) && parse_words(p, p->o, &e);
    return created(p, ok, &e, err);
}

vastplot *vastplot_from_args(int argc, const char *const *argv, char err[VASTPLOT_ERROR_BYTES])
{
    vastplot *p = alloc_handle(err);
    if (!p)
        return NULL;
    vp_err e = {{0}};
    bool ok = add_words(p, argc, argv, &e);
    p->ninputs = -1; /* the words hold the inputs */
    ok = ok && parse_words(p, p->o, &e);
    if (ok && (p->o->follow || p->o->ninputs < 1))
        ok = vp_err_set(&e, p->o->follow ? "--follow is for the command line's viewer and render"
                                         : "no input file among the words");
    ok = ok && dataset_create_inputs(p->o->inputs, p->o->ninputs, &p->o->data, &p->ds, &e);
    if (ok) {
        p->view_set = p->o->xlim_set || p->o->ylim_set;
    }
    return created(p, ok, &e, err);
}

void vastplot_destroy(vastplot *p)
{
    if (!p)
        return;
    refine_destroy(p->ref);
    plot_destroy(p->pl);
    glctx_destroy(p->gl);
    dataset_destroy(p->ds);
    for (int i = 0; i < p->nwords; i++)
        free(p->words[i]);
    free(p->o);
    free(p);
}

/* ---- the view ------------------------------------------------------------------ */

int vastplot_bounds(vastplot *p, double out[4])
{
    if (!p->have_bounds) {
        vp_err e = {{0}};
        scan *sc;
        scan_result r;
        if (!scan_start(p->ds, p->o->threads, &sc, &e) || !scan_join(sc, &r, &e))
            return fail(p, &e);
        if (!r.finite)
            return fail_msg(p, "no finite sample: the data has no bounds");
        p->bounds[0] = r.xmin, p->bounds[1] = r.xmax, p->bounds[2] = r.ymin, p->bounds[3] = r.ymax;
        p->have_bounds = true;
    }
    memcpy(out, p->bounds, sizeof p->bounds);
    return 0;
}

/* The limits in effect: set, or the options' over the data's bounds. */
static int view_limits(vastplot *p, double lim[4])
{
    if (p->view_set && !(p->o->xlim_set || p->o->ylim_set)) {
        memcpy(lim, p->lim, sizeof p->lim);
        return 0;
    }
    double b[4] = {0, 1, 0, 1};
    if (!(p->o->xlim_set && p->o->ylim_set) && vastplot_bounds(p, b) != 0)
        return -1;
    vp_err e = {{0}};
    if (!plot_limits(p->o, p->ds, b, lim, &e))
        return fail(p, &e);
    if (p->view_set) {
        /* set_view after the options: its limits, the options' where given later */
        if (!p->o->xlim_set)
            lim[0] = p->lim[0], lim[1] = p->lim[1];
        if (!p->o->ylim_set)
            lim[2] = p->lim[2], lim[3] = p->lim[3];
    }
    return 0;
}

int vastplot_set_view(vastplot *p, double x0, double x1, double y0, double y1, int width, int height)
{
    if (!(isfinite(x0) && isfinite(x1) && isfinite(y0) && isfinite(y1)) || x0 == x1 || y0 == y1 ||
        !isfinite(x1 - x0) || !isfinite(y1 - y0))
        return fail_msg(p, "the view needs finite, distinct limits with a finite span");
    if (width < 1 || height < 1 || width > 65536 || height > 65536)
        return fail_msg(p, "the view's size must be 1..65536 pixels each way");
    p->lim[0] = x0, p->lim[1] = x1, p->lim[2] = y0, p->lim[3] = y1;
    p->w = width;
    p->h = height;
    p->view_set = true;
    /* later options win over what was set before them, not these */
    p->o->xlim_set = p->o->ylim_set = false;
    return 0;
}

void vastplot_get_view(const vastplot *p, double lim[4], int *width, int *height)
{
    if (lim) {
        if (view_limits((vastplot *)p, lim) != 0)
            lim[0] = lim[1] = lim[2] = lim[3] = NAN;
    }
    if (width)
        *width = p->w;
    if (height)
        *height = p->h;
}

int vastplot_configure(vastplot *p, int argc, const char *const *argv)
{
    vp_err e = {{0}};
    int before = p->nwords;
    vp_options *o = calloc(1, sizeof *o);
    if (!o)
        return fail_msg(p, "out of memory");
    if (!add_words(p, argc, argv, &e) || !parse_words(p, o, &e)) {
        for (int i = before; i < p->nwords; i++)
            free(p->words[i]);
        p->nwords = before;
        free(o);
        return fail(p, &e);
    }
    bool size = has_word(argc, argv, "--size");
    bool xl = has_word(argc, argv, "--xlim"), yl = has_word(argc, argv, "--ylim");
    /* limits set by vastplot_set_view stay unless given again here */
    o->xlim_set = xl || (!p->view_set && o->xlim_set);
    o->ylim_set = yl || (!p->view_set && o->ylim_set);
    /* the tz of a time --xlim points into o */
    if (o->data.text.tz == &p->o->tz_parsed)
        o->data.text.tz = &o->tz_parsed;
    free(p->o);
    p->o = o;
    if (size || !p->view_set) {
        p->w = o->width;
        p->h = o->height;
    }
    return 0;
}

static int current_view(vastplot *p, view *v)
{
    double lim[4];
    if (view_limits(p, lim) != 0)
        return -1;
    view_init(v, lim[0], lim[1], lim[2], lim[3], p->w, p->h);
    return 0;
}

/* ---- counts and pictures ---------------------------------------------------------- */

int vastplot_counts(vastplot *p, uint64_t *out, vastplot_stats *st)
{
    view v;
    if (current_view(p, &v) != 0)
        return -1;
    memset(out, 0, (size_t)v.w * (size_t)v.h * sizeof *out);
    accum_params ap = {.threads = p->o->threads};
    accum_stats as = {0};
    vp_err e = {{0}};
    lines_params lp = {p->o->normalize_lines, p->o->break_gap};
    bool ok = p->o->lines ? lines_cpu_run(p->ds, &v, &lp, &ap, out, &as, &e)
                          : accum_cpu_run(p->ds, &v, &ap, out, &as, &e);
    if (!ok)
        return fail(p, &e);
    if (st)
        *st = (vastplot_stats){as.records, as.drawn, as.nonfinite};
    return 0;
}

int vastplot_rgba(vastplot *p, uint8_t *out, vastplot_stats *st)
{
    vp_err e = {{0}};
    double lim[4];
    if (view_limits(p, lim) != 0)
        return -1;
    if (!p->gl) {
        glctx_params gp = {.debug = p->o->gl_debug};
        if (!glctx_create_headless(&gp, &p->gl, &e))
            return fail(p, &e);
    }
    plot_look look;
    if (!plot_look_from_options(p->o, &look, &e))
        return fail(p, &e);
    plot_params pp = {.ds = p->ds, .accumulate = p->o->accumulate, .software_gl = glctx_is_software(p->gl),
                      .threads = p->o->threads, .title = p->o->title, .xlabel = p->o->xlabel,
                      .ylabel = p->o->ylabel, .lines = p->o->lines,
                      .lp = {p->o->normalize_lines, p->o->break_gap}, .tz = p->o->tz};
    /* a plot per picture: its options may have changed since the last */
    plot_destroy(p->pl);
    p->pl = NULL;
    accum_stats as = {0};
    double wr[2] = {1, 0};
    bool ok = plot_create(&pp, &p->pl, &e) && plot_set_wrange(p->pl, wr, &e) && plot_set_look(p->pl, &look, &e) &&
              plot_set_annotations(p->pl, p->o->annots, p->o->n_annots, &e) && plot_set_size(p->pl, p->w, p->h, &e) && plot_set_view(p->pl, lim, &e) &&
              plot_accumulate(p->pl, &as, &e) && plot_read_rgba(p->pl, NULL, out, &e);
    if (!ok)
        return fail(p, &e);
    if (st)
        *st = (vastplot_stats){as.records, as.drawn, as.nonfinite};
    return 0;
}

/* ---- the viewer ----------------------------------------------------------------- */

int vastplot_view(vastplot *p, int argc, const char *const *argv)
{
    if (argc < 0 || (argc > 0 && !argv) || p->nwords + argc + 4 > MAX_WORDS)
        return fail_msg(p, "bad words for the viewer");
    const char *words[MAX_WORDS + 4];
    int n = 0;
    words[n++] = "vastplot";
    words[n++] = "view";
    if (p->ninputs == 0)
        words[n++] = "arrays";
    for (int i = 0; i < p->nwords; i++) {
        /* the handle's words that only `render` takes (--overlay is the
         * viewer's default, -o has no place) are left out */
        if (!strcmp(p->words[i], "--overlay"))
            continue;
        words[n++] = p->words[i];
    }
    for (int i = 0; i < argc; i++)
        words[n++] = argv[i];
    words[n] = NULL;
    vp_options *o = calloc(1, sizeof *o);
    if (!o)
        return fail_msg(p, "out of memory");
    vp_err e = {{0}};
    if (!options_parse(n, (char **)words, o, &e)) {
        free(o);
        return fail(p, &e);
    }
    o->data.threads = o->threads;
    int rc = cmd_view_dataset(o, p->ds, &e);
    free(o);
    return rc == 0 ? 0 : fail(p, &e);
}

/* ---- progressive ------------------------------------------------------------------ */

int vastplot_refine_start(vastplot *p)
{
    vp_err e = {{0}};
    if (current_view(p, &p->ref_view) != 0)
        return -1;
    refine_destroy(p->ref);
    p->ref = NULL;
    refine_params rp = {REFINE_CPU, p->o->threads, 0, {0},
                        {p->o->lines, {p->o->normalize_lines, p->o->break_gap}}};
    if (!refine_create(p->ds, &rp, &p->ref, &e) || !refine_set_view(p->ref, &p->ref_view, &e))
        return fail(p, &e);
    return 0;
}

int vastplot_refine_snapshot(vastplot *p, uint64_t *out, double *done)
{
    if (!p->ref)
        return fail_msg(p, "no refinement: call vastplot_refine_start first");
    vp_err e = {{0}};
    refine_state st;
    size_t cells = (size_t)p->ref_view.w * (size_t)p->ref_view.h;
    uint64_t *tmp = out ? out : malloc(cells * sizeof *tmp);
    if (!tmp)
        return fail_msg(p, "out of memory");
    bool ok = refine_snapshot(p->ref, tmp, &st, &e);
    if (!out)
        free(tmp);
    if (!ok)
        return fail(p, &e);
    if (done)
        *done = st.complete ? 1.0 : st.chunks_total ? (double)st.chunks_done / (double)st.chunks_total : 0.0;
    return 0;
}
