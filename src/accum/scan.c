#include "accum/scan.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>

typedef struct bounds_state {
    uint64_t finite, wfinite;
    double xmin, xmax, ymin, ymax, wmin, wmax;
} bounds_state;

#define BOUNDS_EMPTY ((bounds_state){0, 0, INFINITY, -INFINITY, INFINITY, -INFINITY, INFINITY, -INFINITY})

struct scan {
    dataset *ds;
    chunk_pass *pass;
    double *chunk_bbox;
    pthread_mutex_t lock;
    bounds_state all;
    chunk_range range; /* scan_start_range: the chunks to scan */
};

static void *bounds_create(void *ctx)
{
    (void)ctx;
    bounds_state *b = malloc(sizeof *b);
    if (b)
        *b = BOUNDS_EMPTY;
    return b;
}

/* Points are finite already (the decoder drops NaN/inf), so plain compares
 * are exact; written as select so the compiler vectorises them. */
static bool bounds_points(void *ctx, void *state, uint64_t k, const double *x, const double *y,
                          const double *w, size_t n, vp_err *err)
{
    (void)err;
    scan *sc = ctx;
    bounds_state *b = state;
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        x0 = x[i] < x0 ? x[i] : x0;
        x1 = x[i] > x1 ? x[i] : x1;
        y0 = y[i] < y0 ? y[i] : y0;
        y1 = y[i] > y1 ? y[i] : y1;
    }
    if (sc->chunk_bbox) {
        double *cb = sc->chunk_bbox + 4 * k;
        cb[0] = x0; cb[1] = x1; cb[2] = y0; cb[3] = y1;
    }
    b->xmin = fmin(b->xmin, x0); b->xmax = fmax(b->xmax, x1);
    b->ymin = fmin(b->ymin, y0); b->ymax = fmax(b->ymax, y1);
    b->finite += n;
    if (w) { /* a loop of its own: the x,y one stays as it is */
        double w0 = INFINITY, w1 = -INFINITY;
        for (size_t i = 0; i < n; i++) {
            w0 = w[i] < w0 ? w[i] : w0;
            w1 = w[i] > w1 ? w[i] : w1;
        }
        b->wmin = fmin(b->wmin, w0);
        b->wmax = fmax(b->wmax, w1);
        b->wfinite += n;
    }
    return true;
}

static bool bounds_finish(void *ctx, void *state, bool ok, vp_err *err)
{
    if (!state)
        return true;
    (void)ok; (void)err;
    scan *s = ctx;
    bounds_state *b = state;
    pthread_mutex_lock(&s->lock);
    s->all.finite += b->finite;
    s->all.xmin = fmin(s->all.xmin, b->xmin);
    s->all.xmax = fmax(s->all.xmax, b->xmax);
    s->all.ymin = fmin(s->all.ymin, b->ymin);
    s->all.ymax = fmax(s->all.ymax, b->ymax);
    s->all.wfinite += b->wfinite;
    s->all.wmin = fmin(s->all.wmin, b->wmin);
    s->all.wmax = fmax(s->all.wmax, b->wmax);
    pthread_mutex_unlock(&s->lock);
    free(b);
    return true;
}

static bool bounds_next(void *ctx, void *state, uint64_t *k)
{
    (void)state;
    return chunk_range_next(&((scan *)ctx)->range, k);
}

static const chunk_pass_ops bounds_ops = {.thread_create = bounds_create, .points = bounds_points,
                                          .thread_finish = bounds_finish};
static const chunk_pass_ops bounds_range_ops = {.thread_create = bounds_create, .points = bounds_points,
                                                .thread_finish = bounds_finish, .next = bounds_next};

/* range: NULL for every chunk, else {from, to} within the dataset's */
static bool start(dataset *ds, int threads, const uint64_t *range, scan **out, vp_err *err)
{
    *out = NULL;
    scan *s = calloc(1, sizeof *s);
    if (!s)
        return vp_err_set(err, "out of memory");
    double known[4];
    uint64_t nch = dataset_chunks(ds);
    /* the boxes are a by-product: 32 bytes a chunk of 32768 records (of
     * every chunk: not from a range) */
    if (nch && !range && !dataset_chunk_bbox(ds, 0, known) &&
        !(s->chunk_bbox = malloc(nch * 4 * sizeof *s->chunk_bbox))) {
        free(s);
        return vp_err_set(err, "out of memory");
    }
    pthread_mutex_init(&s->lock, NULL);
    s->ds = ds;
    s->all = BOUNDS_EMPTY;
    if (!threads)
        threads = chunk_pass_default_threads();
    if (range)
        chunk_range_set(&s->range, range[0], range[1]);
    if (!chunk_pass_start(ds, threads, range ? &bounds_range_ops : &bounds_ops, s, &s->pass, err)) {
        pthread_mutex_destroy(&s->lock);
        free(s->chunk_bbox);
        free(s);
        return false;
    }
    *out = s;
    return true;
}

bool scan_start(dataset *ds, int threads, scan **out, vp_err *err)
{
    return start(ds, threads, NULL, out, err);
}

bool scan_start_range(dataset *ds, int threads, uint64_t from, uint64_t to, scan **out, vp_err *err)
{
    uint64_t n = dataset_chunks(ds);
    if (to > n)
        to = n;
    if (from > to)
        from = to;
    return start(ds, threads, (const uint64_t[2]){from, to}, out, err);
}

bool scan_join(scan *s, scan_result *out, vp_err *err)
{
    chunk_pass_totals t = {0};
    bool ok = chunk_pass_join(s->pass, &t, err);
    *out = (scan_result){t.records, t.nonfinite, s->all.finite,
                         s->all.xmin, s->all.xmax, s->all.ymin, s->all.ymax,
                         s->all.wfinite, s->all.wmin, s->all.wmax};
    /* the refinement culls by them (out of memory: it reads every chunk) */
    if (ok && s->chunk_bbox)
        dataset_set_chunk_boxes(s->ds, s->chunk_bbox, dataset_chunks(s->ds));
    free(s->chunk_bbox);
    pthread_mutex_destroy(&s->lock);
    free(s);
    return ok;
}
