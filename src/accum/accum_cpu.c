#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "accum/accum.h"
#include "accum/accum_cpu.h"

/* Two ways to scatter, chosen by the grid's size (accum_cpu.h says when):
 *
 * - private grids (small pictures): each worker bins into its own 32-bit grid
 *   (half the cache footprint of a 64-bit one, no sharing between cores) and
 *   folds it into the shared 64-bit grid before any pixel could pass
 *   2^32 - 1. Fastest where a grid per thread is cheap and cache-sized.
 *
 * - bands (large pictures): a grid per thread would multiply the memory by the
 *   threads (8192x8192 with 24 threads: 6.9 GB) and its fold and clear cost
 *   more than the binning. The shared 64-bit grid is cut into at most
 *   CPU_BANDS bands of whole power-of-two pixel ranges; each worker keeps a
 *   small buffer of pixel indices per band and, when one fills, adds it into
 *   the grid under that band's lock. The memory per thread is fixed
 *   (CPU_BANDS * CPU_BAND_BUF indices, 1 MiB), the adds of one flush stay in
 *   one band (better cache and TLB locality than scattering over the whole
 *   grid) and no 32-bit counter exists to overflow. */
#define CPU_BANDS 256
#define CPU_BAND_BUF 1024 /* indices per band buffer: a lock amortised over 1024 adds */

typedef struct cpu_state {
    uint32_t *grid;      /* private mode: (pixels + 1) cells, the last one for outside */
    uint32_t *buf;       /* band mode: CPU_BANDS * CPU_BAND_BUF indices */
    uint32_t *fill;      /* band mode: entries in each band's buffer */
    uint64_t since_fold; /* private mode: points binned since the last fold: bounds every pixel */
    uint64_t drawn;
} cpu_state;

struct accum_cpu {
    const view *v;
    uint64_t *counts;
    uint64_t flush_every;
    size_t pixels;
    bool banded;
    unsigned band_shift;   /* band of pixel i: i >> band_shift */
    size_t bands;
    pthread_mutex_t *band_lock; /* bands of them: each guards its range of counts */
    pthread_mutex_t lock; /* guards counts (private mode) and the stats */
    accum_stats stats;
    chunk_pass *pass;
    chunk_range range; /* accum_cpu_run_range: the chunks to bin */
};

bool accum_cpu_uses_bands(size_t pixels, int threads)
{
    /* private grids of 4M pixels (16 MiB each) and up to 256 MiB in all */
    size_t per_thread = (pixels + 1) * sizeof(uint32_t);
    return pixels > ACCUM_CPU_PRIVATE_MAX_PIXELS ||
           (size_t)(threads > 0 ? threads : 1) * per_thread > ACCUM_CPU_PRIVATE_MAX_BYTES;
}

/* Large grids are scattered into with little locality: with 4 KiB pages
 * nearly every add is a TLB miss and the first touch of each page a fault.
 * Transparent huge pages for the caller's grid (a hint: the page-aligned
 * interior only, ignored where THP is off) took the accumulation of 10^8
 * points at 16384x16384 from 2.3 s to 1.5 s and at 8192x8192 from 1.46 s to
 * 1.22 s (2 cores). Peak RSS does not change where the picture is dense; a
 * sparse one may now hold up to the whole grid (2 MiB pages), never more. */
static void advise_huge_pages(uint64_t *counts, size_t pixels)
{
#ifdef MADV_HUGEPAGE
    const uintptr_t page = 4096;
    uintptr_t lo = ((uintptr_t)counts + page - 1) & ~(page - 1);
    uintptr_t hi = (uintptr_t)(counts + pixels) & ~(page - 1);
    if (hi > lo)
        (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
    (void)counts;
    (void)pixels;
#endif
}

static void *cpu_create(void *ctx)
{
    accum_cpu *a = ctx;
    cpu_state *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    if (a->banded) {
        s->buf = malloc((size_t)CPU_BANDS * CPU_BAND_BUF * sizeof *s->buf);
        s->fill = calloc(CPU_BANDS, sizeof *s->fill);
        if (!s->buf || !s->fill) {
            free(s->buf);
            free(s->fill);
            free(s);
            return NULL;
        }
        return s;
    }
    /* calloc: untouched pages of a sparse picture cost no memory */
    /* one spare cell past the last pixel takes the points outside the view */
    if (!(s->grid = calloc(a->pixels + 1, sizeof *s->grid))) {
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

static void band_flush(accum_cpu *a, cpu_state *s, size_t b)
{
    uint32_t n = s->fill[b];
    if (n == 0)
        return;
    const uint32_t *idx = s->buf + b * CPU_BAND_BUF;
    uint64_t *g = a->counts;
    pthread_mutex_lock(&a->band_lock[b]);
    for (uint32_t i = 0; i < n; i++)
        g[idx[i]]++;
    pthread_mutex_unlock(&a->band_lock[b]);
    s->fill[b] = 0;
}

/* Points are binned in blocks: view_bin_block computes pixel indices (points
 * outside the view go to a spare index past the last pixel), vectorised, then
 * the scattered increments follow. */
#define BIN_BLOCK 2048

static bool cpu_points(void *ctx, void *state, uint64_t k, const double *x, const double *y,
                       const double *w, size_t n, vp_err *err)
{
    (void)w; /* w is for the aggregations */
    (void)err;
    (void)k;
    accum_cpu *a = ctx;
    cpu_state *s = state;
    const uint32_t spare = (uint32_t)a->pixels;
    uint32_t idx[BIN_BLOCK];
    if (a->banded) {
        const unsigned shift = a->band_shift;
        uint32_t *buf = s->buf, *fill = s->fill;
        uint64_t outside = 0;
        for (size_t b = 0; b < n; b += BIN_BLOCK) {
            size_t m = n - b < BIN_BLOCK ? n - b : BIN_BLOCK;
            view_bin_block(a->v, x + b, y + b, m, spare, idx);
            for (size_t i = 0; i < m; i++) {
                uint32_t p = idx[i];
                if (p == spare) {
                    outside++;
                    continue;
                }
                uint32_t band = p >> shift;
                buf[(size_t)band * CPU_BAND_BUF + fill[band]] = p;
                if (++fill[band] == CPU_BAND_BUF)
                    band_flush(a, s, band);
            }
        }
        s->drawn += n - outside;
        return true;
    }
    if (s->since_fold + n > a->flush_every)
        fold(a, s, false);
    uint32_t *g = s->grid;
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
    if (ok) {
        if (a->banded)
            for (size_t b = 0; b < a->bands; b++)
                band_flush(a, s, b);
        else
            fold(a, s, true);
    }
    pthread_mutex_lock(&a->lock);
    a->stats.drawn += s->drawn;
    pthread_mutex_unlock(&a->lock);
    free(s->grid);
    free(s->buf);
    free(s->fill);
    free(s);
    return true;
}

static bool cpu_next(void *ctx, void *state, uint64_t *k)
{
    (void)state;
    return chunk_range_next(&((accum_cpu *)ctx)->range, k);
}

static const chunk_pass_ops cpu_ops = {.thread_create = cpu_create, .points = cpu_points,
                                       .thread_finish = cpu_finish};
/* the same over a range of the chunks (accum_cpu_run_range) */
static const chunk_pass_ops cpu_range_ops = {.thread_create = cpu_create, .points = cpu_points,
                                             .thread_finish = cpu_finish, .next = cpu_next};

static void destroy_locks(accum_cpu *a)
{
    if (a->band_lock)
        for (size_t b = 0; b < a->bands; b++)
            pthread_mutex_destroy(&a->band_lock[b]);
    free(a->band_lock);
    pthread_mutex_destroy(&a->lock);
}

/* range: NULL for every chunk, else {from, to} */
static bool cpu_start(const dataset *ds, const view *v, const accum_params *p, const uint64_t *range,
                      uint64_t *counts, accum_cpu **out, vp_err *err)
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
    int threads = p && p->threads > 0 ? p->threads : chunk_pass_default_threads();
    a->banded = accum_cpu_uses_bands(a->pixels, threads);
    if (a->banded) {
        advise_huge_pages(counts, a->pixels);
        /* the smallest power-of-two band that cuts the grid into <= CPU_BANDS */
        while (((a->pixels - 1) >> a->band_shift) >= CPU_BANDS)
            a->band_shift++;
        a->bands = ((a->pixels - 1) >> a->band_shift) + 1;
        if (!(a->band_lock = calloc(a->bands, sizeof *a->band_lock))) {
            free(a);
            return vp_err_set(err, "out of memory");
        }
        for (size_t b = 0; b < a->bands; b++)
            pthread_mutex_init(&a->band_lock[b], NULL);
    }
    pthread_mutex_init(&a->lock, NULL);
    if (range)
        chunk_range_set(&a->range, range[0], range[1]);
    if (!chunk_pass_start(ds, threads, range ? &cpu_range_ops : &cpu_ops, a, &a->pass, err)) {
        destroy_locks(a);
        free(a);
        return false;
    }
    *out = a;
    return true;
}

bool accum_cpu_start(const dataset *ds, const view *v, const accum_params *p, uint64_t *counts,
                     accum_cpu **out, vp_err *err)
{
    return cpu_start(ds, v, p, NULL, counts, out, err);
}

bool accum_cpu_join(accum_cpu *a, accum_stats *stats, vp_err *err)
{
    chunk_pass_totals t = {0};
    bool ok = chunk_pass_join(a->pass, &t, err);
    a->stats.records = t.records;
    a->stats.nonfinite = t.nonfinite;
    if (stats)
        *stats = a->stats;
    destroy_locks(a);
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

bool accum_cpu_run_range(const dataset *ds, const view *v, const accum_params *p, uint64_t from,
                         uint64_t to, uint64_t *counts, accum_stats *stats, vp_err *err)
{
    dataset_clamp_chunks(ds, &from, &to);
    accum_cpu *a;
    if (!cpu_start(ds, v, p, (const uint64_t[2]){from, to}, counts, &a, err))
        return false;
    return accum_cpu_join(a, stats, err);
}
