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

/* Chunks [from, to) (whole inputs) into counts: the pass, then the joins. */
static bool lc_range(lc *a, int threads, uint64_t from, uint64_t to, uint64_t *counts,
                     chunk_pass_totals *tot, vp_err *err)
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
    a->drawn += lines_joins(a->ds, a->v, a->lp, a->ends, from, to, counts);
    return true;
}

bool lines_cpu_run(const dataset *ds, const view *v, const lines_params *lp, const accum_params *p,
                   uint64_t *counts, accum_stats *stats, vp_err *err)
{
    lc a = {.ds = ds, .v = v, .lp = lp};
    a.pixels = (size_t)v->w * (size_t)v->h;
    a.flush_every = p && p->flush_every ? p->flush_every : UINT32_MAX;
    if (a.flush_every < 2 * (uint64_t)DATASET_CHUNK_RECORDS + 2)
        a.flush_every = 2 * (uint64_t)DATASET_CHUNK_RECORDS + 2;
    int threads = p && p->threads > 0 ? p->threads : chunk_pass_default_threads();
    a.shared = accum_cpu_uses_bands(a.pixels, threads);
    pthread_mutex_init(&a.lock, NULL);
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
    free(a.ends);
    pthread_mutex_destroy(&a.lock);
    if (stats) {
        memset(stats, 0, sizeof *stats);
        stats->records = tot.records;
        stats->nonfinite = tot.nonfinite;
        stats->drawn = drawn;
    }
    return ok;
}
