#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "accum/accum_cpu.h"
#include "accum/lines_run.h"

/* The CPU engine. Small pictures: each worker steps into a private 32-bit
 * grid, folded into the shared 64-bit one before any pixel could pass
 * 2^32 - 1 (a chunk adds at most one step per point to a pixel: a segment
 * visits distinct pixels). Large ones (accum_cpu_uses_bands): relaxed atomic
 * adds straight into the 64-bit grid, no per-thread memory. */

typedef struct lc_state {
    uint32_t *grid;      /* private mode: w*h */
    uint64_t since_fold; /* points since the last fold: bounds every pixel */
    uint64_t drawn;
    lines_out o;
} lc_state;

typedef struct lc {
    const dataset *ds;
    const view *v;
    const lines_params *lp;
    uint64_t *counts;
    size_t pixels;
    bool shared;          /* atomic adds into counts */
    uint64_t flush_every;
    lines_ends *ends;     /* chunks [range.from, range.to) */
    chunk_range range;
    pthread_mutex_t lock; /* guards counts (private mode) and drawn */
    uint64_t drawn;
} lc;

static void *lc_create(void *ctx)
{
    lc *a = ctx;
    lc_state *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    if (!lines_out_init(&s->o) || (!a->shared && !(s->grid = calloc(a->pixels, sizeof *s->grid)))) {
        lines_out_free(&s->o);
        free(s);
        return NULL;
    }
    return s;
}

static void lc_fold(lc *a, lc_state *s, bool last)
{
    if (s->since_fold == 0)
        return;
    pthread_mutex_lock(&a->lock);
    for (size_t i = 0; i < a->pixels; i++)
        a->counts[i] += s->grid[i];
    pthread_mutex_unlock(&a->lock);
    if (!last)
        memset(s->grid, 0, a->pixels * sizeof *s->grid);
    s->since_fold = 0;
}

static bool lc_points(void *ctx, void *state, uint64_t k, const double *x, const double *y,
                      const double *w, size_t n, const uint32_t *brk, size_t nbrk, vp_err *err)
{
    (void)w;
    (void)err;
    lc *a = ctx;
    lc_state *s = state;
    const view *v = a->v;
    lines_chunk(v, a->lp, x, y, n, brk, nbrk, &s->o, &a->ends[k - a->range.from]);
    const lines_out *o = &s->o;
    uint64_t added = o->npix;
    if (a->shared) {
        for (size_t i = 0; i < o->npix; i++)
            __atomic_fetch_add(&a->counts[o->pix[i]], 1, __ATOMIC_RELAXED);
        for (size_t i = 0; i < o->nseg; i++)
            added += lines_raster_u64_atomic(&o->seg[i], v->w, v->h, a->counts);
    } else {
        if (s->since_fold + n + 1 > a->flush_every)
            lc_fold(a, s, false);
        uint32_t *g = s->grid;
        for (size_t i = 0; i < o->npix; i++)
            g[o->pix[i]]++;
        for (size_t i = 0; i < o->nseg; i++)
            added += lines_raster_u32(&o->seg[i], v->w, v->h, g);
        s->since_fold += n + 1;
    }
    s->drawn += added;
    return true;
}

static bool lc_next(void *ctx, void *state, uint64_t *k)
{
    (void)state;
    lc *a = ctx;
    return chunk_range_next(&a->range, k);
}

static bool lc_finish(void *ctx, void *state, bool ok, vp_err *err)
{
    (void)err;
    if (!state)
        return true;
    lc *a = ctx;
    lc_state *s = state;
    if (ok && !a->shared)
        lc_fold(a, s, true);
    pthread_mutex_lock(&a->lock);
    a->drawn += s->drawn;
    pthread_mutex_unlock(&a->lock);
    free(s->grid);
    lines_out_free(&s->o);
    free(s);
    return true;
}

static const chunk_pass_ops lc_ops = {.thread_create = lc_create,
                                      .points_breaks = lc_points,
                                      .next = lc_next,
                                      .thread_finish = lc_finish};

/* Chunks [from, to) into counts: the pass, then the joins (to the chunk
 * before from when before is given, else from starts its series). */
static bool lc_range_after(lc *a, int threads, const lines_ends *before, uint64_t from, uint64_t to,
                           uint64_t *counts, chunk_pass_totals *tot, vp_err *err)
{
    a->counts = counts;
    chunk_range_set(&a->range, from, to);
    a->drawn = 0;
    free(a->ends);
    if (!(a->ends = calloc(to > from ? to - from : 1, sizeof *a->ends)))
        return vp_err_set(err, "out of memory");
    chunk_pass *pass;
    if (!chunk_pass_start(a->ds, threads, &lc_ops, a, &pass, err))
        return false;
    chunk_pass_totals t = {0};
    if (!chunk_pass_join(pass, &t, err))
        return false;
    tot->records += t.records;
    tot->nonfinite += t.nonfinite;
    a->drawn += lines_joins_after(a->ds, a->v, a->lp, before, a->ends, from, to, counts);
    return true;
}

/* Chunks [from, to) (whole inputs) into counts. */
static bool lc_range(lc *a, int threads, uint64_t from, uint64_t to, uint64_t *counts,
                     chunk_pass_totals *tot, vp_err *err)
{
    return lc_range_after(a, threads, NULL, from, to, counts, tot, err);
}

/* The ends of one chunk, nothing drawn: for the join into the chunk after it. */
typedef struct ends_job {
    const view *v;
    const lines_params *lp;
    chunk_range range;
    lines_ends e;
} ends_job;

static void *ends_create(void *ctx)
{
    (void)ctx;
    lines_out *o = malloc(sizeof *o);
    if (o && !lines_out_init(o)) {
        free(o);
        return NULL;
    }
    return o;
}

static bool ends_points(void *ctx, void *state, uint64_t k, const double *x, const double *y,
                        const double *w, size_t n, const uint32_t *brk, size_t nbrk, vp_err *err)
{
    (void)k, (void)w, (void)err;
    ends_job *j = ctx;
    lines_chunk(j->v, j->lp, x, y, n, brk, nbrk, state, &j->e);
    return true;
}

static bool ends_next(void *ctx, void *state, uint64_t *k)
{
    (void)state;
    return chunk_range_next(&((ends_job *)ctx)->range, k);
}

static bool ends_finish(void *ctx, void *state, bool ok, vp_err *err)
{
    (void)ctx, (void)ok, (void)err;
    if (state)
        lines_out_free(state);
    free(state);
    return true;
}

static const chunk_pass_ops ends_ops = {.thread_create = ends_create, .points_breaks = ends_points,
                                        .next = ends_next, .thread_finish = ends_finish};

/* Chunk k decoded on one thread for its ends alone. */
static bool chunk_ends(const dataset *ds, const view *v, const lines_params *lp, uint64_t k, lines_ends *e,
                       vp_err *err)
{
    ends_job j = {.v = v, .lp = lp};
    chunk_range_set(&j.range, k, k + 1);
    chunk_pass *pass;
    if (!chunk_pass_start(ds, 1, &ends_ops, &j, &pass, err) || !chunk_pass_join(pass, NULL, err))
        return false;
    *e = j.e;
    return true;
}

/* A run's state: its grid's size, how often workers fold, whether they
 * share the grid in bands; returns the workers to use. */
static int lc_init(lc *a, const dataset *ds, const view *v, const lines_params *lp, const accum_params *p)
{
    *a = (lc){.ds = ds, .v = v, .lp = lp};
    a->pixels = (size_t)v->w * (size_t)v->h;
    a->flush_every = p && p->flush_every ? p->flush_every : UINT32_MAX;
    if (a->flush_every < 2 * (uint64_t)DATASET_CHUNK_RECORDS + 2)
        a->flush_every = 2 * (uint64_t)DATASET_CHUNK_RECORDS + 2;
    int threads = p && p->threads > 0 ? p->threads : chunk_pass_default_threads();
    a->shared = accum_cpu_uses_bands(a->pixels, threads);
    pthread_mutex_init(&a->lock, NULL);
    return threads;
}

/* lc_init undone; the totals into stats (NULL: not wanted). */
static void lc_done(lc *a, const chunk_pass_totals *tot, uint64_t drawn, accum_stats *stats)
{
    free(a->ends);
    pthread_mutex_destroy(&a->lock);
    if (stats) {
        memset(stats, 0, sizeof *stats);
        stats->records = tot->records;
        stats->nonfinite = tot->nonfinite;
        stats->drawn = drawn;
    }
}

bool lines_cpu_run(const dataset *ds, const view *v, const lines_params *lp, const accum_params *p,
                   uint64_t *counts, accum_stats *stats, vp_err *err)
{
    lc a;
    int threads = lc_init(&a, ds, v, lp, p);
    chunk_pass_totals tot = {0};
    bool ok = true;
    uint64_t drawn = 0;
    int inputs = dataset_inputs(ds) > 0 ? dataset_inputs(ds) : 1;
    if (!lp->normalize) {
        ok = lc_range(&a, threads, 0, dataset_chunks(ds), counts, &tot, err);
        drawn = a.drawn;
    } else {
        /* one series at a time into a grid of its own, then its columns shared out */
        uint64_t *series = calloc(a.pixels, sizeof *series);
        if (!series)
            ok = vp_err_set(err, "out of memory for a series' grid (%zu pixels)", a.pixels);
        for (int i = 0; ok && i < inputs; i++) {
            uint64_t from = dataset_input_first_chunk(ds, i);
            uint64_t to = i + 1 < inputs ? dataset_input_first_chunk(ds, i + 1) : dataset_chunks(ds);
            if (from == to)
                continue;
            if (i > 0)
                memset(series, 0, a.pixels * sizeof *series);
            ok = lc_range(&a, threads, from, to, series, &tot, err);
            if (ok && !lines_normalize_add(series, v->w, v->h, counts))
                ok = vp_err_set(err, "out of memory normalizing a series");
        }
        free(series);
        if (ok)
            for (size_t i = 0; i < a.pixels; i++)
                drawn += counts[i];
    }
    lc_done(&a, &tot, drawn, stats);
    return ok;
}

bool lines_cpu_run_range(const dataset *ds, const view *v, const lines_params *lp, const accum_params *p,
                         uint64_t from, uint64_t to, uint64_t *counts, accum_stats *stats, vp_err *err)
{
    if (lp->normalize)
        return vp_err_set(err, "internal: normalized lines need whole series, not a range of chunks");
    dataset_clamp_chunks(ds, &from, &to);
    lines_ends before = {0};
    if (from > 0 && from < to && !chunk_ends(ds, v, lp, from - 1, &before, err))
        return false;
    lc a;
    int threads = lc_init(&a, ds, v, lp, p);
    chunk_pass_totals tot = {0};
    bool ok = lc_range_after(&a, threads, from > 0 ? &before : NULL, from, to, counts, &tot, err);
    lc_done(&a, &tot, a.drawn, stats);
    return ok;
}
