#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "accum/accum_cpu.h"
#include "accum/agg_cpu.h"

/* Two ways, as accum_cpu (accum_cpu.h), chosen by the picture's size:
 *
 * - private cells (pictures up to ACCUM_CPU_PRIVATE_MAX_PIXELS, and all the
 *   workers' cells within AGG_PRIVATE_MAX_BYTES): each worker adds into a
 *   grid of its own where a pixel's state is one cell (count and S1 side by
 *   side, S2 too for std/var, the extreme for min/max: one cache line per
 *   sample, where the shared grid's separate arrays cost one each), merged
 *   into the shared grid when the worker ends. A cell's count is 32 bits and
 *   its S1 64 bits (|d| <= 2^40): a pixel reaching 2^22 samples since its
 *   last spill is spilled into the shared grid under a lock, so neither can
 *   overflow.
 * - bands (larger pictures, categories): the shared grid is cut into at most
 *   AGG_BANDS bands of whole power-of-two pixel ranges; each worker buffers
 *   (pixel, w) entries per band and adds a full buffer into the grid under
 *   that band's lock. Memory per worker: AGG_BANDS * AGG_BAND_BUF entries of
 *   16 bytes (1 MiB).
 *
 * Either way every add is an integer add, an exact compare (min/max) or a
 * count, so the grid does not depend on which worker took which chunk, nor
 * on the order anything arrives in. */
#define AGG_BANDS 256
#define AGG_BAND_BUF 256
#define AGG_BLOCK 2048
#define AGG_PRIVATE_MAX_BYTES ((size_t)512 << 20)
#define AGG_SPILL_EVERY (1u << 22)

/* A private cell: count and S1 (sum, mean), + S2 (std, var), or the extreme
 * (min, max; count only for count). */
typedef struct cell_sum {
    int64_t s1;
    uint32_t n;
    uint32_t pad;
} cell_sum;
typedef struct cell_sq {
    unsigned __int128 s2;
    int64_t s1;
    uint32_t n;
    uint32_t pad;
} cell_sq;
typedef struct cell_ext {
    double v;
    uint32_t n;
    uint32_t pad;
} cell_ext;

typedef struct agg_entry {
    uint32_t idx;
    int32_t code; /* categories */
    double w;
} agg_entry;

typedef struct agg_state {
    void *cells;  /* private mode: pixels + 1 cells (the last for outside points) */
    size_t cells_bytes;
    agg_entry *buf;
    uint32_t *fill;
    uint64_t drawn, bad_category;
} agg_state;

typedef struct agg_cpu {
    const view *v;
    agg_grid *g;
    size_t pixels;
    size_t cell;       /* private mode: bytes of a cell; 0: bands */
    unsigned band_shift;
    size_t bands;
    pthread_mutex_t *band_lock;
    pthread_mutex_t lock;
    uint64_t drawn, bad_category;
} agg_cpu;

static void *agg_create(void *ctx)
{
    agg_cpu *a = ctx;
    agg_state *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    if (a->cell) {
        /* anonymous pages: untouched ones of a sparse picture cost no memory;
         * huge pages where the kernel has them (a hint), since the cells are
         * scattered into with little locality and with 4 KiB pages nearly
         * every add is a TLB miss (10^8 points at 1920x1080, mean: 1.5 -> 1.2 s
         * of CPU time on 2 cores) */
        s->cells_bytes = (a->pixels + 1) * a->cell;
        void *m = mmap(NULL, s->cells_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) {
            free(s);
            return NULL;
        }
#ifdef MADV_HUGEPAGE
        (void)madvise(m, s->cells_bytes, MADV_HUGEPAGE);
#endif
        s->cells = m;
        return s;
    }
    s->buf = malloc(a->bands * AGG_BAND_BUF * sizeof *s->buf);
    s->fill = calloc(a->bands, sizeof *s->fill);
    if (!s->buf || !s->fill) {
        free(s->buf);
        free(s->fill);
        free(s);
        return NULL;
    }
    return s;
}

static bool band_flush(agg_cpu *a, agg_state *s, size_t b, vp_err *err)
{
    uint32_t n = s->fill[b];
    if (n == 0)
        return true;
    const agg_entry *e = s->buf + b * AGG_BAND_BUF;
    agg_grid *g = a->g;
    bool ok = true;
    pthread_mutex_lock(&a->band_lock[b]);
    if (g->kind == AGG_CATEGORIES) {
        for (uint32_t i = 0; i < n && ok; i++)
            ok = agg_grid_add_category(g, e[i].idx, e[i].code, err);
    } else {
        for (uint32_t i = 0; i < n; i++)
            agg_grid_add(g, e[i].idx, e[i].w);
    }
    pthread_mutex_unlock(&a->band_lock[b]);
    s->fill[b] = 0;
    return ok;
}

/* Private mode: cell i's state into the shared grid (under a->lock) and
 * cleared. */
static void spill(agg_cpu *a, agg_state *s, size_t i)
{
    agg_grid *g = a->g;
    switch (g->kind) {
    case AGG_COUNT: {
        uint32_t *c = (uint32_t *)s->cells + i;
        g->count[i] += *c;
        *c = 0;
        break;
    }
    case AGG_SUM:
    case AGG_MEAN: {
        cell_sum *c = (cell_sum *)s->cells + i;
        g->count[i] += c->n;
        g->s1[i] += c->s1;
        c->n = 0;
        c->s1 = 0;
        break;
    }
    case AGG_STD:
    case AGG_VAR: {
        cell_sq *c = (cell_sq *)s->cells + i;
        g->count[i] += c->n;
        g->s1[i] += c->s1;
        g->s2[i] += c->s2;
        c->n = 0;
        c->s1 = 0;
        c->s2 = 0;
        break;
    }
    case AGG_MIN:
    case AGG_MAX: {
        cell_ext *c = (cell_ext *)s->cells + i;
        if (c->n) {
            bool first = g->count[i] == 0;
            double *d = g->kind == AGG_MIN ? &g->lo[i] : &g->hi[i], v = c->v;
            bool take = g->kind == AGG_MIN ? (v < *d || (v == *d && __builtin_signbit(v)))
                                           : (v > *d || (v == *d && !__builtin_signbit(v)));
            if (first || take)
                *d = v;
            g->count[i] += c->n;
        }
        c->n = 0;
        break;
    }
    case AGG_CATEGORIES:
        break;
    }
}

static void spill_one(agg_cpu *a, agg_state *s, size_t i)
{
    pthread_mutex_lock(&a->lock);
    spill(a, s, i);
    pthread_mutex_unlock(&a->lock);
}

static void private_points(agg_cpu *a, agg_state *s, const uint32_t *idx, const double *w, size_t m)
{
    const size_t spare = a->pixels;
    const agg_fixed fx = a->g->fx;
    switch (a->g->kind) {
    case AGG_COUNT: {
        uint32_t *c = s->cells;
        for (size_t i = 0; i < m; i++)
            if (++c[idx[i]] == UINT32_MAX && idx[i] != spare)
                spill_one(a, s, idx[i]);
        c[spare] = 0;
        break;
    }
    case AGG_SUM:
    case AGG_MEAN: {
        /* the fixed point of the block first (no dependence between samples),
         * then the scatter */
        int64_t d[AGG_BLOCK];
        for (size_t i = 0; i < m; i++)
            d[i] = agg_fixed_of(&fx, w[i]);
        cell_sum *c = s->cells;
        for (size_t i = 0; i < m; i++) {
            cell_sum *e = &c[idx[i]];
            e->s1 += d[i];
            if (__builtin_expect(++e->n == AGG_SPILL_EVERY, 0) && idx[i] != spare)
                spill_one(a, s, idx[i]);
        }
        c[spare] = (cell_sum){0};
        break;
    }
    case AGG_STD:
    case AGG_VAR: {
        int64_t d[AGG_BLOCK];
        for (size_t i = 0; i < m; i++)
            d[i] = agg_fixed_of(&fx, w[i]);
        cell_sq *c = s->cells;
        for (size_t i = 0; i < m; i++) {
            cell_sq *e = &c[idx[i]];
            e->s1 += d[i];
            e->s2 += (unsigned __int128)((__int128)d[i] * d[i]);
            if (__builtin_expect(++e->n == AGG_SPILL_EVERY, 0) && idx[i] != spare)
                spill_one(a, s, idx[i]);
        }
        c[spare] = (cell_sq){0};
        break;
    }
    case AGG_MIN:
    case AGG_MAX: {
        cell_ext *c = s->cells;
        const bool lo = a->g->kind == AGG_MIN;
        for (size_t i = 0; i < m; i++) {
            cell_ext *e = &c[idx[i]];
            double v = w[i], cur = e->v;
            bool take = lo ? (v < cur || (v == cur && __builtin_signbit(v)))
                           : (v > cur || (v == cur && !__builtin_signbit(v)));
            if (e->n == 0 || take)
                e->v = v;
            if (++e->n == AGG_SPILL_EVERY && idx[i] != spare)
                spill_one(a, s, idx[i]);
        }
        c[spare] = (cell_ext){0};
        break;
    }
    case AGG_CATEGORIES:
        break;
    }
}

static bool agg_points(void *ctx, void *state, uint64_t k, const double *x, const double *y,
                       const double *w, size_t n, vp_err *err)
{
    (void)k;
    agg_cpu *a = ctx;
    agg_state *s = state;
    if (a->cell) {
        uint32_t idx[AGG_BLOCK];
        for (size_t b = 0; b < n; b += AGG_BLOCK) {
            size_t m = n - b < AGG_BLOCK ? n - b : AGG_BLOCK;
            view_bin_block(a->v, x + b, y + b, m, (uint32_t)a->pixels, idx);
            private_points(a, s, idx, w + b, m);
        }
        return true;
    }
    const uint32_t spare = (uint32_t)a->pixels;
    const unsigned shift = a->band_shift;
    const bool cats = a->g->kind == AGG_CATEGORIES;
    const int ncat = a->g->ncat;
    uint32_t idx[AGG_BLOCK];
    for (size_t b = 0; b < n; b += AGG_BLOCK) {
        size_t m = n - b < AGG_BLOCK ? n - b : AGG_BLOCK;
        view_bin_block(a->v, x + b, y + b, m, spare, idx);
        for (size_t i = 0; i < m; i++) {
            uint32_t p = idx[i];
            if (p == spare)
                continue;
            int code = 0;
            if (cats && (code = agg_category_of(w[b + i], ncat)) < 0) {
                s->bad_category++;
                continue;
            }
            uint32_t band = p >> shift;
            agg_entry *e = &s->buf[(size_t)band * AGG_BAND_BUF + s->fill[band]];
            e->idx = p;
            e->code = code;
            e->w = w[b + i];
            s->drawn++;
            if (++s->fill[band] == AGG_BAND_BUF && !band_flush(a, s, band, err))
                return false;
        }
    }
    return true;
}

static bool agg_finish(void *ctx, void *state, bool ok, vp_err *err)
{
    agg_cpu *a = ctx;
    agg_state *s = state;
    if (!s)
        return true;
    bool fine = true;
    if (ok && a->cell) {
        /* the cells into the shared grid (agg_cpu_run counts what is drawn) */
        pthread_mutex_lock(&a->lock);
        for (size_t i = 0; i < a->pixels; i++)
            spill(a, s, i);
        pthread_mutex_unlock(&a->lock);
    }
    if (ok && !a->cell)
        for (size_t b = 0; b < a->bands && fine; b++)
            fine = band_flush(a, s, b, err);
    pthread_mutex_lock(&a->lock);
    a->drawn += s->drawn;
    a->bad_category += s->bad_category;
    pthread_mutex_unlock(&a->lock);
    if (s->cells)
        munmap(s->cells, s->cells_bytes);
    free(s->buf);
    free(s->fill);
    free(s);
    return fine;
}

static const chunk_pass_ops agg_ops = {.thread_create = agg_create, .points = agg_points,
                                       .thread_finish = agg_finish};

bool agg_cpu_run(const dataset *ds, const view *v, const accum_params *p, agg_grid *g,
                 accum_stats *st, agg_stats *ast, vp_err *err)
{
    if (!dataset_has_w(ds))
        return vp_err_set(err, "internal: aggregating a dataset without a value column");
    agg_cpu a = {.v = v, .g = g, .pixels = (size_t)v->w * (size_t)v->h};
    int threads = p && p->threads > 0 ? p->threads : chunk_pass_default_threads();
    size_t cell = g->kind == AGG_COUNT                         ? sizeof(uint32_t)
                  : g->kind == AGG_SUM || g->kind == AGG_MEAN ? sizeof(cell_sum)
                  : g->kind == AGG_STD || g->kind == AGG_VAR  ? sizeof(cell_sq)
                  : g->kind == AGG_MIN || g->kind == AGG_MAX  ? sizeof(cell_ext)
                                                               : 0;
    if (cell && a.pixels <= ACCUM_CPU_PRIVATE_MAX_PIXELS &&
        (size_t)threads * (a.pixels + 1) * cell <= AGG_PRIVATE_MAX_BYTES)
        a.cell = cell;
    while (((a.pixels - 1) >> a.band_shift) >= AGG_BANDS)
        a.band_shift++;
    a.bands = ((a.pixels - 1) >> a.band_shift) + 1;
    if (!(a.band_lock = calloc(a.bands, sizeof *a.band_lock)))
        return vp_err_set(err, "out of memory");
    for (size_t b = 0; b < a.bands; b++)
        pthread_mutex_init(&a.band_lock[b], NULL);
    pthread_mutex_init(&a.lock, NULL);
    uint64_t before = 0;
    if (a.cell)
        for (size_t i = 0; i < a.pixels; i++)
            before += g->count[i];
    chunk_pass *pass;
    chunk_pass_totals t = {0};
    bool ok = chunk_pass_start(ds, threads, &agg_ops, &a, &pass, err) &&
              chunk_pass_join(pass, &t, err);
    for (size_t b = 0; b < a.bands; b++)
        pthread_mutex_destroy(&a.band_lock[b]);
    pthread_mutex_destroy(&a.lock);
    free(a.band_lock);
    if (ok && a.cell) {
        uint64_t after = 0;
        for (size_t i = 0; i < a.pixels; i++)
            after += g->count[i];
        a.drawn = after - before;
    }
    if (st) {
        memset(st, 0, sizeof *st);
        st->records = t.records;
        st->nonfinite = t.nonfinite;
        st->drawn = a.drawn;
    }
    if (ast)
        ast->bad_category = a.bad_category;
    return ok;
}
