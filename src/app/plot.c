#include "app/plot.h"

#include <glad/gl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accum/accum_cpu.h"
#include "accum/agg_cpu.h"
#include "accum/agg_gpu.h"
#include "accum/bounds_cache.h"
#include "accum/scan.h"
#include "gl/gl_util.h"
#include "gl/tonemap_pass.h"
#include "look/catshade.h"
#include "look/shade.h"
#include "look/valshade.h"
#include "out/png_out.h"

struct plot {
    plot_params p;
    bool timed;              /* x is a time: ta holds the axis */
    time_axis ta;
    bool use_gpu;            /* accumulate and refine on the GPU */
    plot_look look;
    tonemap_pass *tp;        /* made when first drawn, for look.tonemap */
    overlay *ov;             /* made when first needed, at ov_dpi */
    float ov_dpi;
    int w, h;                /* the picture */
    overlay_rect rect;       /* the grid's place in it */
    view cur;                /* what the limits and size ask for */
    bool cur_valid;
    refine *ref;             /* progressive plots, made at the first view */
    /* the grid shown */
    uint64_t *counts;
    size_t cap;
    view shown;
    plot_shown sh;
    GLuint image;            /* the shown grid as an r32ui image, when the GPU refines */
    int image_w, image_h;
    bool from_image;         /* the tone map draws from it (the counts are its copy) */
    tonemap_table table;
    bool have_table, uploaded;
    char note[sizeof(((vp_err *)0)->msg) + 64];
    bool note_taken;
    /* a third column */
    bool has_w;
    agg_fixed fx;
    bool wrange_set;
    int ncat;
    agg_grid *ag;            /* the shown grid's aggregates */
    double *values;          /* of ag, for value kinds */
    double vlo, vhi;         /* their range */
    uint64_t bad_category;
    bool weighted;           /* plot_set_points gave weights */
    uint8_t *rgba;           /* the shown grid's picture, value kinds and categories */
    bool rgba_valid;
    char what[160];
    char *titles[3];         /* plot_set_titles' copies (title, xlabel, ylabel) */
    overlay_annot *annots;   /* plot_set_annotations' copy */
    int n_annots;
};

static bool place(plot *p, vp_err *err);
static bool set_legend(plot *p, vp_err *err);
static bool ensure_engine(plot *p, vp_err *err);
static bool copy_titles(plot *p, const char *title, const char *xlabel, const char *ylabel, vp_err *err);

/* ---- from the command line ------------------------------------------------ */

bool plot_look_from_options(const vp_options *o, plot_look *look, vp_err *err)
{
    *look = (plot_look){.tonemap = o->tonemap, .floor = o->floor, .spread = (o->point_size - 1) / 2,
                        .overlay = o->overlay, .dpi_scale = 1};
    memcpy(look->background, o->background, 4);
    if (!colormap_get(o->colormap, look->cmap))
        return vp_err_set(err, "unknown colormap \"%s\"", o->colormap);
    look->vmin_set = o->vmin_set;
    look->vmax_set = o->vmax_set;
    look->vmin = o->vmin;
    look->vmax = o->vmax;
    look->vcenter = o->vcenter;
    look->diverging = colormap_is_diverging(o->colormap);
    return true;
}

void plot_value_name(const vp_options *o, const dataset *ds, char *buf, size_t len)
{
    const char *col = o->value_col ? o->value_col : o->by_col;
    text_stats ts;
    if (dataset_inputs(ds) > 0 && dataset_text_stats(ds, 0, &ts) && ts.wname[0])
        snprintf(buf, len, "%s", ts.wname);
    else if (col && col[0] >= '0' && col[0] <= '9')
        snprintf(buf, len, "column %s", col);
    else
        snprintf(buf, len, "%s", col ? col : "");
}

bool plot_limits(const vp_options *o, const dataset *ds, const double bounds[4], double lim[4], vp_err *err)
{
    lim[0] = o->xlim_set ? o->xlim[0] : bounds[0];
    lim[1] = o->xlim_set ? o->xlim[1] : bounds[1];
    if (o->xlim_set && o->xlim_iso) {
        /* instants -> x values: (ns - origin in ns) / unit, the difference in int64 */
        time_unit tu;
        int64_t origin, o_ns;
        if (!dataset_x_time(ds, &tu, &origin))
            return vp_err_set(err, "--xlim %s,%s: instants need x to be a time, and %s's x is not one "
                                   "(--x-time says it is; or give --xlim as x values)",
                              o->xlim_text[0], o->xlim_text[1], dataset_input_name(ds, 0));
        int64_t unit = time_unit_ns(tu);
        if (__builtin_mul_overflow(origin, unit, &o_ns))
            return vp_err_set(err, "--xlim: the data's time origin is out of range");
        for (int i = 0; i < 2; i++) {
            int64_t d;
            double off = __builtin_sub_overflow(o->xlim_ns[i], o_ns, &d) ? (double)o->xlim_ns[i] - (double)o_ns
                                                                           : (double)d;
            lim[i] = off / (double)unit;
        }
    }
    lim[2] = o->ylim_set ? o->ylim[0] : bounds[2];
    lim[3] = o->ylim_set ? o->ylim[1] : bounds[3];
    view_widen_flat(lim);
    for (int a = 0; a < 4; a += 2) {
        /* a span that overflows double (e.g. -1e308 .. 1e308) cannot be binned */
        if (!isfinite(lim[a + 1] - lim[a]))
            return vp_err_set(err, "the %s range [%g, %g] is too wide to bin; give --%clim",
                              a ? "y" : "x", lim[a], lim[a + 1], a ? 'y' : 'x');
    }
    return true;
}

struct plot_bounds {
    dataset *ds;
    bool limits_given;
    scan *sc;
    bounds_cache_key *ckey; /* store the pass's result under it */
    double b[4];
    double wr[2];           /* the finite w's range (wr[0] > wr[1]: none) */
};

bool plot_bounds_start(dataset *ds, const vp_options *o, bool want_boxes, plot_bounds **out,
                       vp_err *err)
{
    plot_bounds *b = calloc(1, sizeof *b);
    *out = b;
    if (!b)
        return vp_err_set(err, "out of memory");
    b->ds = ds;
    b->limits_given = o->xlim_set && o->ylim_set;
    b->wr[0] = 1;
    b->wr[1] = 0;
    /* with w, its range too, when the reduction needs it: known with the
     * bounds, else the pass (min, max and count do without) */
    bool has_w = dataset_has_w(ds), need_w = has_w && agg_needs_range((agg_kind)o->agg);
    if (dataset_known_bounds(ds, b->b) && (!has_w || dataset_known_wrange(ds, b->wr) || !need_w))
        return true;
    if (b->limits_given && !want_boxes && !need_w)
        return true;
    /* one input: its bounds may be remembered from an earlier run */
    scan_result r;
    if (!want_boxes && !o->no_cache && dataset_inputs(ds) == 1 && dataset_input(ds, 0) &&
        (b->ckey = malloc(sizeof *b->ckey))) {
        if (bounds_cache_get(dataset_input(ds, 0), b->ckey, &r) && r.finite > 0) {
            double c[4] = {r.xmin, r.xmax, r.ymin, r.ymax};
            memcpy(b->b, c, sizeof c);
            if (has_w && r.wfinite > 0) {
                b->wr[0] = r.wmin;
                b->wr[1] = r.wmax;
            }
            free(b->ckey);
            b->ckey = NULL;
            return true;
        }
    }
    return scan_start(ds, o->threads, &b->sc, err);
}

bool plot_bounds_join(plot_bounds *b, double bounds[4], vp_err *err)
{
    return plot_bounds_join_w(b, bounds, NULL, err);
}

bool plot_bounds_join_w(plot_bounds *b, double bounds[4], double wrange[2], vp_err *err)
{
    if (!b)
        return true;
    bool ok = true;
    if (b->sc) {
        scan_result r;
        ok = scan_join(b->sc, &r, err);
        if (ok && b->ckey)
            bounds_cache_put(dataset_input(b->ds, 0), b->ckey, &r);
        if (ok && r.finite == 0 && !b->limits_given) {
            const char *what = dataset_inputs(b->ds) == 1 ? dataset_input_name(b->ds, 0) : "the inputs";
            ok = vp_err_set(err, "%s: no finite samples (%" PRIu64 " records, %" PRIu64
                                 " non-finite%s): nothing to take the view from; give --xlim and --ylim",
                            what, r.records, r.nonfinite,
                            dataset_has_w(b->ds) ? ": x, y and the value column must all be finite" : "");
        }
        if (!dataset_known_bounds(b->ds, b->b)) {
            double c[4] = {r.xmin, r.xmax, r.ymin, r.ymax};
            memcpy(b->b, c, sizeof c);
        }
        if (r.wfinite > 0) {
            b->wr[0] = r.wmin;
            b->wr[1] = r.wmax;
        }
    }
    memcpy(bounds, b->b, sizeof b->b);
    if (wrange)
        memcpy(wrange, b->wr, sizeof b->wr);
    free(b->ckey);
    free(b);
    return ok;
}

/* ---- the plot ------------------------------------------------------------- */

/* Whether x is a time: asked of the dataset until it says so (a followed
 * file, or one loading, decides once its first lines are read). A change
 * remakes the overlay, which keeps a row for the axis' context. */
static void refresh_time(plot *p)
{
    if (p->timed || !dataset_x_time(p->p.ds, &p->ta.unit, &p->ta.origin))
        return;
    p->timed = true;
    overlay_destroy(p->ov);
    p->ov = NULL;
}

const time_axis *plot_time_axis(const plot *p)
{
    return p->timed ? &p->ta : NULL;
}

void plot_format_x(const plot *p, double x, char *buf, size_t len)
{
    if (!p->timed) {
        snprintf(buf, len, "%.9g", x);
        return;
    }
    double res = p->cur.w > 0 ? fabs(p->cur.x1 - p->cur.x0) / p->cur.w : 0;
    timeaxis_format_value(x, &p->ta, res, buf, len);
}

bool plot_create(const plot_params *p, plot **out, vp_err *err)
{
    plot *pl = calloc(1, sizeof *pl);
    *out = pl;
    if (!pl)
        return vp_err_set(err, "out of memory");
    pl->p = *p;
    if (!copy_titles(pl, p->title, p->xlabel, p->ylabel, err))
        return false;
    if (!time_zone_parse(p->tz ? p->tz : "UTC", &pl->ta.tz, err))
        return false;
    refresh_time(pl);
    pl->use_gpu = p->accumulate == ACCUM_GPU || (p->accumulate == ACCUM_AUTO && !p->software_gl);
    pl->look.dpi_scale = 1;
    pl->has_w = dataset_has_w(p->ds);
    const char *col = p->wname ? p->wname : "the value";
    if (p->lines && p->lp.normalize)
        snprintf(pl->what, sizeof pl->what, "series per column");
    else if (p->lines)
        snprintf(pl->what, sizeof pl->what, "line crossings");
    else if (!pl->has_w)
        snprintf(pl->what, sizeof pl->what, "count");
    else if (p->agg == AGG_CATEGORIES)
        snprintf(pl->what, sizeof pl->what, "count by %s", col);
    else
        snprintf(pl->what, sizeof pl->what, "%s of %s", agg_kind_name(p->agg), col);
    return true;
}

static bool same_text(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

/* The titles into p's own copies (p->p's point there). */
static bool copy_titles(plot *p, const char *title, const char *xlabel, const char *ylabel, vp_err *err)
{
    const char *want[3] = {title, xlabel, ylabel};
    const char **have[3] = {&p->p.title, &p->p.xlabel, &p->p.ylabel};
    char *copy[3] = {0};
    for (int i = 0; i < 3; i++)
        if (want[i] && !(copy[i] = strdup(want[i]))) {
            for (int k = 0; k < i; k++)
                free(copy[k]);
            return vp_err_set(err, "out of memory");
        }
    for (int i = 0; i < 3; i++) {
        free(p->titles[i]);
        p->titles[i] = copy[i];
        *have[i] = copy[i];
    }
    return true;
}

bool plot_set_titles(plot *p, const char *title, const char *xlabel, const char *ylabel, vp_err *err)
{
    if (same_text(title, p->p.title) && same_text(xlabel, p->p.xlabel) && same_text(ylabel, p->p.ylabel))
        return true;
    if (!copy_titles(p, title, xlabel, ylabel, err))
        return false;
    /* the title's row, and so the plot rect, come with the overlay */
    overlay_destroy(p->ov);
    p->ov = NULL;
    return place(p, err);
}

bool plot_set_annotations(plot *p, const overlay_annot *a, int n, vp_err *err)
{
    if (n < 0 || n > OVERLAY_MAX_ANNOTS)
        return vp_err_set(err, "%d annotations (at most %d)", n, OVERLAY_MAX_ANNOTS);
    overlay_annot *copy = NULL;
    if (n && !(copy = malloc((size_t)n * sizeof *copy)))
        return vp_err_set(err, "out of memory");
    if (n)
        memcpy(copy, a, (size_t)n * sizeof *copy);
    free(p->annots);
    p->annots = copy;
    p->n_annots = n;
    return true;
}

bool plot_set_wrange(plot *p, const double wr[2], vp_err *err)
{
    if (!p->has_w)
        return true;
    bool empty = !(wr[0] <= wr[1]);
    p->fx = agg_fixed_for_range(empty ? 0 : wr[0], empty ? 0 : wr[1]);
    p->wrange_set = true;
    if (p->p.agg == AGG_CATEGORIES) {
        const char *const *labels;
        int nl = dataset_labels(p->p.ds, &labels);
        if (nl > 0) {
            p->ncat = nl;
        } else if (empty) {
            p->ncat = 1;
        } else {
            /* codes past the last plane are counted as not a category */
            p->ncat = wr[1] >= AGG_MAX_CATEGORIES ? AGG_MAX_CATEGORIES : wr[1] < 0 ? 1 : (int)floor(wr[1]) + 1;
        }
        if (!set_legend(p, err) || !place(p, err))
            return false;
    }
    /* a refinement under way aggregates with the old range: start it again */
    if (p->ref) {
        refine_destroy(p->ref);
        p->ref = NULL;
        agg_grid_destroy(p->ag);
        p->ag = NULL;
        p->sh.valid = false;
        if (p->cur_valid && (!ensure_engine(p, err) || !refine_set_view(p->ref, &p->cur, err)))
            return false;
    }
    return true;
}

void plot_destroy(plot *p)
{
    if (!p)
        return;
    refine_destroy(p->ref);
    if (p->image)
        glDeleteTextures(1, &p->image);
    tonemap_pass_destroy(p->tp);
    overlay_destroy(p->ov);
    tonemap_table_free(&p->table);
    free(p->counts);
    agg_grid_destroy(p->ag);
    free(p->values);
    free(p->rgba);
    for (int i = 0; i < 3; i++)
        free(p->titles[i]);
    free(p->annots);
    free(p);
}

static void note(plot *p, const char *fmt, const char *msg)
{
    snprintf(p->note, sizeof p->note, fmt, msg);
    p->note_taken = false;
}

const char *plot_take_note(plot *p)
{
    if (!p->note[0] || p->note_taken)
        return NULL;
    p->note_taken = true;
    return p->note;
}

const char *plot_category_label(const plot *p, int c)
{
    static _Thread_local char code[16];
    const char *const *labels;
    int nl = dataset_labels(p->p.ds, &labels);
    if (c >= 0 && c < nl)
        return labels[c];
    snprintf(code, sizeof code, "%d", c);
    return code;
}

int plot_categories(const plot *p) { return p->p.agg == AGG_CATEGORIES ? p->ncat : 0; }

/* The overlay's legend: the categories with their colours. */
static bool set_legend(plot *p, vp_err *err)
{
    if (!p->ov || p->p.agg != AGG_CATEGORIES || !p->wrange_set)
        return true;
    char names[AGG_MAX_CATEGORIES][72];
    const char *labels[AGG_MAX_CATEGORIES];
    uint8_t colors[AGG_MAX_CATEGORIES][4];
    for (int c = 0; c < p->ncat; c++) {
        snprintf(names[c], sizeof names[c], "%s", plot_category_label(p, c));
        labels[c] = names[c];
        category_color(c, colors[c]);
    }
    return overlay_set_legend(p->ov, p->ncat, labels, (const uint8_t(*)[4])colors, err);
}

static bool ensure_overlay(plot *p, vp_err *err)
{
    refresh_time(p);
    float dpi = p->look.dpi_scale > 0 ? p->look.dpi_scale : 1;
    if (p->ov && p->ov_dpi == dpi)
        return true;
    overlay_params op;
    overlay_params_default(&op);
    op.title = p->p.title;
    op.xlabel = p->p.xlabel;
    op.ylabel = p->p.ylabel;
    op.time_x = p->timed;
    op.dpi_scale = dpi;
    /* categories: a legend instead of the colorbar, right next to the plot */
    op.colorbar = !(p->has_w && p->p.agg == AGG_CATEGORIES);
    overlay *ov;
    if (!overlay_create(&op, &ov, err))
        return false;
    overlay_destroy(p->ov);
    p->ov = ov;
    p->ov_dpi = dpi;
    return set_legend(p, err);
}

static bool place(plot *p, vp_err *err)
{
    if (p->look.overlay && !ensure_overlay(p, err))
        return false;
    p->rect = p->look.overlay ? overlay_plot_rect(p->ov, p->w, p->h) : (overlay_rect){0, 0, p->w, p->h};
    return true;
}

bool plot_set_size(plot *p, int w, int h, vp_err *err)
{
    p->w = w;
    p->h = h;
    return place(p, err);
}

/* The tone map's statistics of the shown grid, for look.tonemap. */
static bool build_table(plot *p, vp_err *err)
{
    if (p->have_table)
        tonemap_table_free(&p->table);
    p->have_table = tonemap_table_build(p->look.tonemap, p->counts, (size_t)p->shown.w * p->shown.h,
                                        &p->table);
    p->uploaded = false;
    return p->have_table || vp_err_set(err, "out of memory building the tone map");
}

bool plot_set_look(plot *p, const plot_look *look, vp_err *err)
{
    bool kind = look->tonemap != p->look.tonemap;
    p->look = *look;
    p->uploaded = false;
    p->rgba_valid = false;
    if (kind) {
        /* a pass is made for one tone map; the grid shown stays, with its table
         * for the new one */
        tonemap_pass_destroy(p->tp);
        p->tp = NULL;
        if (p->sh.valid && !build_table(p, err))
            return false;
    }
    return place(p, err);
}

overlay_rect plot_rect(const plot *p) { return p->rect; }
const view *plot_view(const plot *p) { return &p->cur; }
bool plot_gpu_resident(const plot *p) { return p->ref && refine_engine_of(p->ref) == REFINE_GPU; }

/* The refinement engine: resident on the GPU when wanted and the data fits
 * (and does not grow), else CPU workers streaming from the dataset. */
static bool ensure_engine(plot *p, vp_err *err)
{
    if (p->ref)
        return true;
    refine_params rp = {REFINE_GPU, p->p.threads, p->p.gpu_budget, {0}, {0}};
    vp_err gerr;
    if (p->p.lines) {
        rp.lines = (refine_lines){true, p->p.lp};
        if (p->use_gpu)
            note(p, "%s: the GPU refinement draws points only; refining the lines on the CPU", "--lines");
    } else if (p->has_w) {
        /* aggregates refine on the CPU (refine.h) */
        rp.agg = (refine_agg){true, p->p.agg, p->ncat, p->fx};
        if (p->use_gpu)
            note(p, "%s: the GPU refinement keeps counts only; refining on the CPU", p->what);
    } else if (p->use_gpu && !dataset_is_follow(p->p.ds) && !refine_create(p->p.ds, &rp, &p->ref, &gerr)) {
        note(p, "%s: refining on the CPU instead", gerr.msg);
    }
    rp.engine = REFINE_CPU;
    return p->ref || refine_create(p->p.ds, &rp, &p->ref, err);
}

bool plot_set_view(plot *p, const double lim[4], vp_err *err)
{
    view nv;
    view_init(&nv, lim[0], lim[1], lim[2], lim[3], p->rect.w, p->rect.h);
    if (p->cur_valid && memcmp(&nv, &p->cur, sizeof nv) == 0)
        return true;
    p->cur = nv;
    p->cur_valid = true;
    if (!p->p.progressive)
        return true;
    if (!ensure_engine(p, err))
        return false;
    vp_err verr;
    if (refine_set_view(p->ref, &nv, &verr))
        return true;
    /* the GPU refused this view (its edge table): the CPU serves from now on */
    note(p, "%s; refining on the CPU", verr.msg);
    refine_destroy(p->ref);
    refine_params rp = {REFINE_CPU, p->p.threads, 0, {0}, {0}};
    if (!refine_create(p->p.ds, &rp, &p->ref, err))
        return false;
    return refine_set_view(p->ref, &nv, err);
}

static bool ensure_counts(plot *p, size_t cells, vp_err *err)
{
    if (p->cap >= cells)
        return true;
    free(p->counts);
    p->counts = malloc(cells * sizeof *p->counts);
    p->cap = p->counts ? cells : 0;
    if (!p->counts)
        return vp_err_set(err, "out of memory for a %dx%d picture (%zu MiB of counts)", p->cur.w,
                          p->cur.h, cells * 8 >> 20);
    return true;
}

/* The counts now hold the grid of the current view: show it. */
static bool shown_now(plot *p, const refine_state *st, vp_err *err)
{
    size_t cells = (size_t)p->cur.w * (size_t)p->cur.h;
    uint64_t drawn = 0;
    for (size_t i = 0; i < cells; i++)
        drawn += p->counts[i];
    if (p->weighted) /* --persist: weighted counts, in 1/REFINE_WEIGHT_UNIT */
        drawn = (uint64_t)llround((double)drawn / REFINE_WEIGHT_UNIT);
    p->shown = p->cur;
    p->sh = (plot_shown){true, true, *st, drawn};
    p->from_image = false;
    return build_table(p, err);
}

static bool ensure_pass(plot *p, vp_err *err)
{
    return p->tp || tonemap_pass_create(p->look.tonemap, &p->tp, err);
}

/* An aggregate grid of the current view's size (fresh: always). */
static bool ensure_agg(plot *p, bool fresh, vp_err *err)
{
    if (!fresh && p->ag && p->ag->w == p->cur.w && p->ag->h == p->cur.h)
        return true;
    agg_grid_destroy(p->ag);
    p->ag = NULL;
    free(p->values);
    p->values = NULL;
    return agg_grid_create(p->p.agg, p->cur.w, p->cur.h, p->ncat, &p->fx, &p->ag, err);
}

/* With w: the aggregates of the current view, then its counts and values. */
static bool accumulate_agg(plot *p, accum_stats *st, vp_err *err)
{
    size_t cells = (size_t)p->cur.w * (size_t)p->cur.h;
    if (!p->wrange_set)
        return vp_err_set(err, "internal: the value range is not set");
    if (!ensure_agg(p, true, err))
        return false;
    accum_params ap = {.threads = p->p.threads};
    agg_stats as = {0};
    *st = (accum_stats){0};
    bool ok;
    if (p->use_gpu) {
        ok = agg_gpu_run(p->p.ds, &p->cur, &ap, p->ag, st, &as, err);
        if (!ok && st->gpu_refused && p->p.accumulate == ACCUM_AUTO) {
            note(p, "%s; accumulating on the CPU instead", err->msg);
            agg_grid_clear(p->ag);
            ok = agg_cpu_run(p->p.ds, &p->cur, &ap, p->ag, st, &as, err);
        }
    } else {
        ok = agg_cpu_run(p->p.ds, &p->cur, &ap, p->ag, st, &as, err);
    }
    if (!ok)
        return false;
    p->bad_category = as.bad_category;
    if (p->ag->cat) {
        /* codes (not labels) above the last one drawn: no planes, no legend rows */
        const char *const *labels;
        int last = 0;
        for (int c = 0; c < p->ag->ncat; c++)
            for (size_t i = 0; i < cells; i++)
                if (p->ag->cat[(size_t)c * cells + i]) {
                    last = c;
                    break;
                }
        if (dataset_labels(p->p.ds, &labels) == 0 && last + 1 < p->ncat) {
            /* the legend gets shorter; the plot keeps its place */
            p->ncat = p->ag->ncat = last + 1;
            if (!set_legend(p, err))
                return false;
        }
    }
    memcpy(p->counts, p->ag->count, cells * sizeof *p->counts);
    if (p->p.agg != AGG_COUNT && p->p.agg != AGG_CATEGORIES) {
        if (!(p->values = malloc(cells * sizeof *p->values)))
            return vp_err_set(err, "out of memory for the values of a %dx%d picture", p->cur.w, p->cur.h);
        agg_grid_values(p->ag, p->values, &p->vlo, &p->vhi);
    }
    p->rgba_valid = false;
    refine_state rs = {0, 1, 1, st->records, st->nonfinite, true};
    return shown_now(p, &rs, err);
}

uint64_t plot_bad_category(const plot *p) { return p->bad_category; }

double plot_count_unit(const plot *p)
{
    if (p->weighted)
        return 1.0 / REFINE_WEIGHT_UNIT;
    return p->p.lines && p->p.lp.normalize ? 1.0 / (double)LINES_UNIT : 1.0;
}

bool plot_set_points(plot *p, uint64_t first, const refine_batch *b, int nb, vp_err *err)
{
    if (!p->ref && !ensure_engine(p, err))
        return false;
    if (refine_engine_of(p->ref) != REFINE_CPU) {
        /* --window/--persist select points: the CPU engine from now on */
        refine_destroy(p->ref);
        p->ref = NULL;
        refine_params rp = {REFINE_CPU, p->p.threads, 0, {0}, {p->p.lines, p->p.lp}};
        if (p->has_w)
            rp.agg = (refine_agg){true, p->p.agg, p->ncat, p->fx};
        if (!refine_create(p->p.ds, &rp, &p->ref, err) || (p->cur_valid && !refine_set_view(p->ref, &p->cur, err)))
            return false;
    }
    if (!refine_set_points(p->ref, first, b, nb, err))
        return false;
    p->weighted = nb > 0;
    return true;
}

/* --lines: the polylines of the current view into p->counts. */
static bool accumulate_lines(plot *p, accum_stats *st, vp_err *err)
{
    size_t cells = (size_t)p->cur.w * (size_t)p->cur.h;
    accum_params ap = {.threads = p->p.threads};
    *st = (accum_stats){0};
    if (p->use_gpu) {
        if (!lines_gpu_run(p->p.ds, &p->cur, &p->p.lp, &ap, p->counts, st, err)) {
            if (!(st->gpu_refused && p->p.accumulate == ACCUM_AUTO))
                return false;
            note(p, "%s; accumulating on the CPU instead", err->msg);
            memset(p->counts, 0, cells * sizeof *p->counts);
            if (!lines_cpu_run(p->p.ds, &p->cur, &p->p.lp, &ap, p->counts, st, err))
                return false;
        }
    } else if (!lines_cpu_run(p->p.ds, &p->cur, &p->p.lp, &ap, p->counts, st, err)) {
        return false;
    }
    refine_state rs = {0, 1, 1, st->records, st->nonfinite, true};
    return shown_now(p, &rs, err);
}

/* plot_params.combine: this process's chunks, then the grids of all summed. */
static bool accumulate_combined(plot *p, accum_stats *st, vp_err *err)
{
    const plot_combine *c = p->p.combine;
    size_t cells = (size_t)p->cur.w * (size_t)p->cur.h;
    accum_params ap = {.threads = p->p.threads};
    *st = (accum_stats){0};
    bool ok = (!p->has_w && !(p->p.lines && p->p.lp.normalize)) ||
              vp_err_set(err, "internal: a shared accumulation is of counts or lines (no value column, "
                              "no normalized lines)");
    ok = ok && ensure_counts(p, cells, err);
    if (ok)
        memset(p->counts, 0, cells * sizeof *p->counts);
    if (ok && p->p.lines) {
        /* the lines' range, with its join to the chunk before it, is drawn on the CPU */
        if (p->p.accumulate == ACCUM_GPU)
            note(p, "%s: a share of the chunks is drawn on the CPU", "--lines");
        ok = lines_cpu_run_range(p->p.ds, &p->cur, &p->p.lp, &ap, c->from, c->to, p->counts, st, err);
    } else if (ok && p->use_gpu) {
        ok = accum_gpu_run_range(p->p.ds, &p->cur, &ap, c->from, c->to, p->counts, st, err);
        if (!ok && st->gpu_refused && p->p.accumulate == ACCUM_AUTO) {
            note(p, "%s; accumulating on the CPU instead", err->msg);
            memset(p->counts, 0, cells * sizeof *p->counts);
            ok = accum_cpu_run_range(p->p.ds, &p->cur, &ap, c->from, c->to, p->counts, st, err);
        }
    } else if (ok) {
        ok = accum_cpu_run_range(p->p.ds, &p->cur, &ap, c->from, c->to, p->counts, st, err);
    }
    if (!c->sum(c->ctx, ok, ok ? p->counts : NULL, cells, st, err))
        return false;
    refine_state rs = {0, 1, 1, st->records, st->nonfinite, true};
    return shown_now(p, &rs, err);
}

bool plot_accumulate(plot *p, accum_stats *st, vp_err *err)
{
    size_t cells = (size_t)p->cur.w * (size_t)p->cur.h;
    if (p->p.combine)
        return accumulate_combined(p, st, err);
    if (!ensure_counts(p, cells, err))
        return false;
    if (p->has_w)
        return accumulate_agg(p, st, err);
    memset(p->counts, 0, cells * sizeof *p->counts);
    if (p->p.lines)
        return accumulate_lines(p, st, err);
    accum_params ap = {.threads = p->p.threads};
    *st = (accum_stats){0};
    if (p->use_gpu) {
        if (!accum_gpu_run(p->p.ds, &p->cur, &ap, p->counts, st, err)) {
            if (!(st->gpu_refused && p->p.accumulate == ACCUM_AUTO))
                return false;
            /* auto: the CPU gives the same grid without GPU memory */
            note(p, "%s; accumulating on the CPU instead", err->msg);
            memset(p->counts, 0, cells * sizeof *p->counts);
            if (!accum_cpu_run(p->p.ds, &p->cur, &ap, p->counts, st, err))
                return false;
        }
    } else {
        accum_cpu *ac;
        if (!accum_cpu_start(p->p.ds, &p->cur, &ap, p->counts, &ac, err))
            return false;
        /* compiles (and warms) the tone-map shaders while the workers bin;
         * only GL composing (the overlay) needs them */
        vp_err terr;
        bool tp_ok = !p->look.overlay || (ensure_pass(p, &terr) && tonemap_pass_warm(p->tp, &terr));
        if (!accum_cpu_join(ac, st, err))
            return false;
        if (!tp_ok) {
            *err = terr;
            return false;
        }
    }
    refine_state rs = {0, 1, 1, st->records, st->nonfinite, true};
    return shown_now(p, &rs, err);
}

void plot_step(plot *p, double budget_ms)
{
    if (p->ref)
        refine_step(p->ref, budget_ms);
}

void plot_grow(plot *p)
{
    if (p->ref)
        refine_grow(p->ref);
}

void plot_reset(plot *p)
{
    if (p->ref)
        refine_reset(p->ref);
}

void plot_progress(plot *p, refine_state *st)
{
    if (p->ref)
        refine_get_state(p->ref, st);
    else
        *st = (refine_state){0};
}

/* The GPU engine's image as it is now, copied on the GPU: what the tone map
 * draws from while the engine goes on (and on to other views). */
static bool copy_image(plot *p, GLuint src, vp_err *err)
{
    int w = p->cur.w, h = p->cur.h;
    gl_clear_errors();
    if (!p->image || p->image_w != w || p->image_h != h) {
        if (p->image)
            glDeleteTextures(1, &p->image);
        glCreateTextures(GL_TEXTURE_2D, 1, &p->image);
        glTextureStorage2D(p->image, 1, GL_R32UI, w, h);
        p->image_w = w;
        p->image_h = h;
    }
    glMemoryBarrier(GL_ALL_BARRIER_BITS);
    glCopyImageSubData(src, GL_TEXTURE_2D, 0, 0, 0, 0, p->image, GL_TEXTURE_2D, 0, 0, 0, 0, w, h, 1);
    return gl_check("glCopyImageSubData", err) ||
           vp_err_prefix(err, "copying the %dx%d count image", w, h);
}

/* Refining aggregates: the engine's grid so far, shown. */
static bool take_agg(plot *p, vp_err *err)
{
    size_t cells = (size_t)p->cur.w * (size_t)p->cur.h;
    if (!ensure_agg(p, false, err))
        return false;
    refine_state st;
    if (!ensure_counts(p, cells, err) || !refine_snapshot_agg(p->ref, p->ag, &p->bad_category, &st, err))
        return false;
    memcpy(p->counts, p->ag->count, cells * sizeof *p->counts);
    if (p->p.agg != AGG_COUNT && p->p.agg != AGG_CATEGORIES) {
        if (!p->values && !(p->values = malloc(cells * sizeof *p->values)))
            return vp_err_set(err, "out of memory for the values of a %dx%d picture", p->cur.w, p->cur.h);
        agg_grid_values(p->ag, p->values, &p->vlo, &p->vhi);
    }
    p->rgba_valid = false;
    return shown_now(p, &st, err);
}

bool plot_take(plot *p, vp_err *err)
{
    if (!p->ref)
        return true;
    if (p->has_w)
        return take_agg(p, err);
    refine_state st;
    GLuint img = refine_count_image(p->ref);
    if (!ensure_counts(p, (size_t)p->cur.w * (size_t)p->cur.h, err) ||
        !refine_snapshot(p->ref, p->counts, &st, err) || !shown_now(p, &st, err))
        return false;
    /* the counts read back serve the tone map's statistics and the readout;
     * the picture is drawn from the same counts on the GPU, still r32ui */
    p->from_image = img && copy_image(p, img, err);
    return !img || p->from_image;
}

plot_shown plot_get_shown(const plot *p)
{
    plot_shown s = p->sh;
    s.current = s.valid && memcmp(&p->shown, &p->cur, sizeof p->cur) == 0;
    return s;
}

uint64_t plot_count_at(const plot *p, double x, double y)
{
    uint32_t i;
    return p->sh.valid && view_bin(&p->shown, x, y, &i) ? p->counts[i] : 0;
}

const uint64_t *plot_counts(const plot *p, int *w, int *h)
{
    *w = p->shown.w;
    *h = p->shown.h;
    return p->sh.valid ? p->counts : NULL;
}

const tonemap_table *plot_table(const plot *p) { return p->have_table ? &p->table : NULL; }

const agg_grid *plot_agg(const plot *p) { return p->sh.valid ? p->ag : NULL; }
const double *plot_values(const plot *p) { return p->sh.valid ? p->values : NULL; }
const char *plot_what(const plot *p) { return p->what; }

void plot_value_range(const plot *p, double out[2])
{
    value_range_choose(p->vlo, p->vhi, p->look.vmin_set ? &p->look.vmin : NULL,
                       p->look.vmax_set ? &p->look.vmax : NULL, p->look.diverging, p->look.vcenter, out);
}

bool plot_value_at(const plot *p, double x, double y, double *value, int *top)
{
    uint32_t i;
    *value = NAN;
    *top = -1;
    if (!p->sh.valid || !p->ag || !view_bin(&p->shown, x, y, &i))
        return false;
    if (p->values)
        *value = p->values[i];
    else if (p->p.agg == AGG_COUNT)
        *value = p->ag->count[i] ? (double)p->ag->count[i] : NAN;
    if (p->ag->cat) {
        size_t px = (size_t)p->ag->w * (size_t)p->ag->h;
        uint32_t best = 0;
        for (int c = 0; c < p->ag->ncat; c++)
            if (p->ag->cat[(size_t)c * px + i] > best) {
                best = p->ag->cat[(size_t)c * px + i];
                *top = c;
            }
    }
    return true;
}

/* Value grids and categories are shaded on the CPU (look/valshade.h,
 * look/catshade.h), for the PNG strip by strip and for GL as one RGBA
 * picture: the same code, so a screenshot equals the render. */
static bool cpu_picture(const plot *p) { return p->has_w && p->p.agg != AGG_COUNT; }

typedef struct pic_rows {
    const plot *p;
    value_look vl;
    category_look cl;
    uint64_t *total;
    tonemap_table t;
    bool have_t;
    int channels;
} pic_rows;

static bool pic_begin(const plot *p, pic_rows *r, int channels, vp_err *err)
{
    memset(r, 0, sizeof *r);
    r->p = p;
    r->channels = channels;
    if (p->p.agg != AGG_CATEGORIES) {
        memcpy(r->vl.cmap, p->look.cmap, sizeof r->vl.cmap);
        double vr[2];
        plot_value_range(p, vr);
        r->vl.vmin = vr[0];
        r->vl.vmax = vr[1];
        memcpy(r->vl.background, p->look.background, 4);
        return true;
    }
    r->cl.ncat = p->ag->ncat;
    for (int c = 0; c < r->cl.ncat; c++) {
        category_color(c, r->cl.colors[c]);
        r->cl.enabled[c] = !p->look.cat_off[c];
    }
    r->cl.tonemap = p->look.tonemap;
    memcpy(r->cl.background, p->look.background, 4);
    r->cl.min_alpha = CATEGORY_MIN_ALPHA;
    size_t px = (size_t)p->ag->w * (size_t)p->ag->h;
    if (!(r->total = malloc(px * sizeof *r->total)) || !category_totals(&r->cl, p->ag->cat, px, r->total) ||
        !(r->have_t = tonemap_table_build(p->look.tonemap, r->total, px, &r->t))) {
        free(r->total);
        return vp_err_set(err, "out of memory shading %d categories", r->cl.ncat);
    }
    return true;
}

static void pic_end(pic_rows *r)
{
    free(r->total);
    if (r->have_t)
        tonemap_table_free(&r->t);
}

static bool pic_fill(void *ctx, int y0, int y1, uint8_t *rows, size_t stride)
{
    pic_rows *r = ctx;
    const agg_grid *g = r->p->ag;
    if (r->p->p.agg == AGG_CATEGORIES) {
        vp_err e;
        return category_shade_rows(&r->cl, g->cat, r->total, &r->t, g->w, g->h, y0, y1, rows, stride,
                                   r->channels, &e);
    }
    return value_shade_rows(&r->vl, r->p->values, g->w, g->h, y0, y1, rows, stride, r->channels);
}

static bool ensure_rgba(plot *p, vp_err *err)
{
    if (p->rgba_valid)
        return true;
    size_t bytes = (size_t)p->shown.w * (size_t)p->shown.h * 4;
    free(p->rgba);
    if (!(p->rgba = malloc(bytes)))
        return vp_err_set(err, "out of memory for a %dx%d picture", p->shown.w, p->shown.h);
    pic_rows r;
    if (!pic_begin(p, &r, 4, err))
        return false;
    bool ok = pic_fill(&r, 0, p->shown.h, p->rgba, (size_t)p->shown.w * 4);
    pic_end(&r);
    if (!ok)
        return vp_err_set(err, "shading the %s picture failed", p->what);
    return p->rgba_valid = true;
}

static tonemap_look tone_look(const plot *p)
{
    tonemap_look t = {.table = &p->table, .floor = p->look.floor, .spread = p->look.spread};
    memcpy(t.cmap, p->look.cmap, sizeof t.cmap);
    memcpy(t.background, p->look.background, 4);
    return t;
}

bool plot_draw(plot *p, const plot_frame *f, vp_err *err)
{
    const uint8_t *bg = p->look.background;
    glViewport(0, 0, p->w, p->h);
    glClearColor(bg[0] / 255.0f, bg[1] / 255.0f, bg[2] / 255.0f, bg[3] / 255.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    if (p->sh.valid && p->have_table) {
        if (!ensure_pass(p, err))
            return false;
        if (!p->uploaded && cpu_picture(p)) {
            if (!ensure_rgba(p, err) || !tonemap_pass_set_rgba(p->tp, p->rgba, p->shown.w, p->shown.h, err))
                return false;
            p->uploaded = true;
        }
        if (!p->uploaded) {
            tonemap_look t = tone_look(p);
            if (p->from_image ? !tonemap_pass_set_image(p->tp, p->image, p->shown.w, p->shown.h, &t, err)
                              : !tonemap_pass_set(p->tp, p->counts, p->shown.w, p->shown.h, &t, err))
                return false;
            p->uploaded = true;
        }
        /* the shown grid where its limits fall in the current view */
        const view *c = &p->cur, *s = &p->shown;
        const overlay_rect *r = &p->rect;
        tonemap_placement pl = {r->x, p->h - r->y - r->h, r->w, r->h,
                                (c->x0 - s->x0) / (s->x1 - s->x0) * s->w,
                                (c->y0 - s->y0) / (s->y1 - s->y0) * s->h,
                                (c->x1 - c->x0) / (s->x1 - s->x0) * s->w,
                                (c->y1 - c->y0) / (s->y1 - s->y0) * s->h};
        tonemap_pass_draw(p->tp, &pl, false);
    }
    if (!p->look.overlay && !p->n_annots && !(f && (f->status || f->help)))
        return true;
    if (!ensure_overlay(p, err))
        return false;
    overlay_frame of = {.win_w = p->w, .win_h = p->h, .plot = p->rect, .x0 = p->cur.x0,
                        .x1 = p->cur.x1, .y0 = p->cur.y0, .y1 = p->cur.y1,
                        .table = p->look.overlay && p->p.agg != AGG_CATEGORIES ? plot_table(p) : NULL,
                        .cmap = (const uint8_t(*)[4])p->look.cmap, .floor = p->look.floor,
                        .status = f ? f->status : NULL, .axes = p->look.overlay,
                        .help = f ? f->help : NULL, .x_time = plot_time_axis(p),
                        .annots = p->annots, .n_annots = p->n_annots};
    bool legend_on[AGG_MAX_CATEGORIES];
    if (p->p.lines) {
        of.bar_label = p->what;
        of.count_unit = plot_count_unit(p);
    }
    if (p->has_w) {
        of.bar_label = p->what;
        if (cpu_picture(p) && p->p.agg != AGG_CATEGORIES) {
            double vr[2];
            plot_value_range(p, vr);
            of.value_bar = true;
            of.value_min = vr[0];
            of.value_max = vr[1];
        }
        if (p->p.agg == AGG_CATEGORIES) {
            for (int c = 0; c < AGG_MAX_CATEGORIES; c++)
                legend_on[c] = !p->look.cat_off[c];
            of.legend_on = legend_on;
        }
    }
    return overlay_draw(p->ov, &of, err);
}

bool plot_read_rgba(plot *p, const plot_frame *f, uint8_t *rgba, vp_err *err)
{
    gl_target t = {0};
    bool ok = gl_target_create(&t, p->w, p->h, err);
    if (ok) {
        gl_target_bind(&t);
        ok = plot_draw(p, f, err) && gl_target_read(&t, rgba, true, err);
    }
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    gl_target_destroy(&t);
    return ok;
}

static bool shade_fill(void *ctx, int y0, int y1, uint8_t *rows, size_t stride)
{
    return shade_rows(ctx, y0, y1, rows, stride);
}

bool plot_write_grid_png(atomic_file *af, const uint64_t *counts, int w, int h,
                         const tonemap_look *look, int threads, vp_err *err)
{
    shade_table st;
    if (!shade_table_build(look->table, look->floor, &st))
        return vp_err_set(err, "out of memory building the tone map");
    bool alpha = look->background[3] != 255;
    shade_picture sp = {.counts = counts, .w = w, .h = h, .table = &st, .cmap = look->cmap,
                        .spread = look->spread, .channels = alpha ? 4 : 3};
    memcpy(sp.background, look->background, 4);
    bool ok = png_encode_rows(af, w, h, alpha, shade_fill, &sp, threads, err);
    shade_table_free(&st);
    return ok;
}

bool plot_write_png(plot *p, atomic_file *af, vp_err *err)
{
    bool alpha = p->look.background[3] != 255;
    /* annotations are drawn by the overlay's GL pass */
    bool bare = !p->look.overlay && !p->n_annots;
    if (bare && plot_get_shown(p).current && cpu_picture(p)) {
        pic_rows r;
        if (!pic_begin(p, &r, alpha ? 4 : 3, err))
            return false;
        bool ok = png_encode_rows(af, p->shown.w, p->shown.h, alpha, pic_fill, &r, p->p.threads, err);
        pic_end(&r);
        return ok;
    }
    if (bare && plot_get_shown(p).current) {
        tonemap_look t = tone_look(p);
        return plot_write_grid_png(af, p->counts, p->shown.w, p->shown.h, &t, p->p.threads, err);
    }
    uint8_t *rgba = malloc((size_t)p->w * (size_t)p->h * 4);
    if (!rgba)
        return vp_err_set(err, "out of memory for a %dx%d picture", p->w, p->h);
    bool ok = plot_read_rgba(p, NULL, rgba, err) &&
              png_encode_rgba(af, rgba, p->w, p->h, (size_t)p->w * 4, alpha, err);
    free(rgba);
    return ok;
}
