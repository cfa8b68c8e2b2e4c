#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "accum/agg_cpu.h"

/* The shared grid is cut into at most AGG_BANDS bands of whole power-of-two
 * pixel ranges (as accum_cpu's band mode); each worker buffers (pixel, w)
 * entries per band and adds a full buffer into the grid under that band's
 * lock. Every add is an integer add, an exact compare (min/max) or a count,
 * so the grid does not depend on which worker took which chunk, nor on the
 * order the buffers arrive in. Memory per worker: AGG_BANDS * AGG_BAND_BUF
 * entries of 16 bytes (1 MiB). */
#define AGG_BANDS 256
#define AGG_BAND_BUF 256
#define AGG_BLOCK 2048

typedef struct agg_entry {
    uint32_t idx;
    int32_t code; /* categories */
    double w;
} agg_entry;

typedef struct agg_state {
    agg_entry *buf;
    uint32_t *fill;
    uint64_t drawn, bad_category;
} agg_state;

typedef struct agg_cpu {
    const view *v;
    agg_grid *g;
    size_t pixels;
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
        for (uint32_t i = 0; i < n; i++) {
            uint32_t *c = &g->cat[(size_t)e[i].code * a->pixels + e[i].idx];
            if (*c == UINT32_MAX) {
                ok = vp_err_set(err, "more than %u samples of category %d in one pixel",
                                UINT32_MAX, e[i].code);
                break;
            }
            ++*c;
            g->count[e[i].idx]++;
        }
    } else {
        for (uint32_t i = 0; i < n; i++)
            agg_grid_add(g, e[i].idx, e[i].w);
    }
    pthread_mutex_unlock(&a->band_lock[b]);
    s->fill[b] = 0;
    return ok;
}

static bool agg_points(void *ctx, void *state, uint64_t k, const double *x, const double *y,
                       const double *w, size_t n, vp_err *err)
{
    (void)k;
    agg_cpu *a = ctx;
    agg_state *s = state;
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
    if (ok)
        for (size_t b = 0; b < a->bands && fine; b++)
            fine = band_flush(a, s, b, err);
    pthread_mutex_lock(&a->lock);
    a->drawn += s->drawn;
    a->bad_category += s->bad_category;
    pthread_mutex_unlock(&a->lock);
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
    while (((a.pixels - 1) >> a.band_shift) >= AGG_BANDS)
        a.band_shift++;
    a.bands = ((a.pixels - 1) >> a.band_shift) + 1;
    if (!(a.band_lock = calloc(a.bands, sizeof *a.band_lock)))
        return vp_err_set(err, "out of memory");
    for (size_t b = 0; b < a.bands; b++)
        pthread_mutex_init(&a.band_lock[b], NULL);
    pthread_mutex_init(&a.lock, NULL);
    int threads = p && p->threads > 0 ? p->threads : chunk_pass_default_threads();
    chunk_pass *pass;
    chunk_pass_totals t = {0};
    bool ok = chunk_pass_start(ds, threads, &agg_ops, &a, &pass, err) &&
              chunk_pass_join(pass, &t, err);
    for (size_t b = 0; b < a.bands; b++)
        pthread_mutex_destroy(&a.band_lock[b]);
    pthread_mutex_destroy(&a.lock);
    free(a.band_lock);
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
