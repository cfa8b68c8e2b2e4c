#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "accum/accum.h"
#include "accum/accum_cpu.h"

/* Each worker bins into its own 32-bit grid (half the cache footprint of a
 * 64-bit one, no sharing between cores) and folds it into the shared 64-bit
 * grid before any pixel could pass 2^32 - 1, so counts stay exact at any size. */
typedef struct cpu_state {
    uint32_t *grid;
    uint64_t since_fold; /* points binned since the last fold: bounds every pixel */
    uint64_t drawn;
} cpu_state;

struct accum_cpu {
    const view *v;
    uint64_t *counts;
    uint64_t flush_every;
    size_t pixels;
    pthread_mutex_t lock; /* guards counts and the stats */
    accum_stats stats;
    chunk_pass *pass;
};

static void *cpu_create(void *ctx)
{
    accum_cpu *a = ctx;
    cpu_state *s = calloc(1, sizeof *s);
    /* calloc: untouched pages of a sparse picture cost no memory */
    /* one spare cell past the last pixel takes the points outside the view */
    if (s && !(s->grid = calloc(a->pixels + 1, sizeof *s->grid))) {
        free(s);
        s = NULL;
    }
    return s;
}

/* last: the grid is freed next, so it need not be cleared (at 16384x16384
 * that memset alone writes 1 GiB). */
static void fold(accum_cpu *a, cpu_state *s, bool last)
{
    if (s->since_fold == 0)
        return;
    pthread_mutex_lock(&a->lock);
    uint64_t *dst = a->counts;
    const uint32_t *src = s->grid;
    for (size_t i = 0; i < a->pixels; i++)
        dst[i] += src[i];
    a->stats.flushes++;
    s->drawn += s->since_fold - src[a->pixels];
    pthread_mutex_unlock(&a->lock);
    if (!last)
        memset(s->grid, 0, (a->pixels + 1) * sizeof *s->grid);
    s->since_fold = 0;
}

/* Points are binned in blocks: view_bin_block computes pixel indices (points
 * outside the view go to a spare cell past the last pixel), vectorised, then
 * the scattered increments follow. */
#define BIN_BLOCK 2048

static bool cpu_points(void *ctx, void *state, uint64_t k, const double *x, const double *y, size_t n,
                       vp_err *err)
{
    (void)err;
    (void)k;
    accum_cpu *a = ctx;
    cpu_state *s = state;
    if (s->since_fold + n > a->flush_every)
        fold(a, s, false);
    uint32_t *g = s->grid;
    const uint32_t spare = (uint32_t)a->pixels;
    uint32_t idx[BIN_BLOCK];
    for (size_t b = 0; b < n; b += BIN_BLOCK) {
        size_t m = n - b < BIN_BLOCK ? n - b : BIN_BLOCK;
        view_bin_block(a->v, x + b, y + b, m, spare, idx);
        for (size_t i = 0; i < m; i++)
            g[idx[i]]++;
    }
    s->since_fold += n;
    return true;
}

static bool cpu_finish(void *ctx, void *state, bool ok, vp_err *err)
{
    if (!state)
        return true;
    (void)err;
    accum_cpu *a = ctx;
    cpu_state *s = state;
    if (ok)
        fold(a, s, true);
    pthread_mutex_lock(&a->lock);
    a->stats.drawn += s->drawn;
    pthread_mutex_unlock(&a->lock);
    free(s->grid);
    free(s);
    return true;
}

static const chunk_pass_ops cpu_ops = {cpu_create, cpu_points, cpu_finish};

bool accum_cpu_start(const dataset *ds, const view *v, const accum_params *p, uint64_t *counts,
                     accum_cpu **out, vp_err *err)
{
    *out = NULL;
    accum_cpu *a = calloc(1, sizeof *a);
    if (!a)
        return vp_err_set(err, "out of memory");
    a->v = v;
    a->counts = counts;
    a->pixels = (size_t)v->w * (size_t)v->h;
    a->flush_every = p && p->flush_every ? p->flush_every : UINT32_MAX;
    /* a chunk must fit in one partial grid */
    if (a->flush_every < DATASET_CHUNK_RECORDS)
        a->flush_every = DATASET_CHUNK_RECORDS;
    pthread_mutex_init(&a->lock, NULL);
    int threads = p && p->threads > 0 ? p->threads : chunk_pass_default_threads();
    if (!chunk_pass_start(ds, threads, &cpu_ops, a, &a->pass, err)) {
        pthread_mutex_destroy(&a->lock);
        free(a);
        return false;
    }
    *out = a;
    return true;
}

bool accum_cpu_join(accum_cpu *a, accum_stats *stats, vp_err *err)
{
    chunk_pass_totals t = {0};
    bool ok = chunk_pass_join(a->pass, &t, err);
    a->stats.records = t.records;
    a->stats.nonfinite = t.nonfinite;
    if (stats)
        *stats = a->stats;
    pthread_mutex_destroy(&a->lock);
    free(a);
    return ok;
}

bool accum_cpu_run(const dataset *ds, const view *v, const accum_params *p, uint64_t *counts,
                   accum_stats *stats, vp_err *err)
{
    accum_cpu *a;
    if (!accum_cpu_start(ds, v, p, counts, &a, err))
        return false;
    return accum_cpu_join(a, stats, err);
}
