#include "accum/chunk_pass.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

struct chunk_pass {
    const dataset *ds;
    const chunk_pass_ops *ops;
    void *ctx;
    int nthreads;
    pthread_t *threads;
    int started;
    atomic_uint_fast64_t next;
    atomic_bool stop;
    pthread_mutex_t lock; /* guards the fields below */
    bool failed;
    vp_err err;
    chunk_pass_totals totals;
};

static void fail(chunk_pass *p, const vp_err *e)
{
    pthread_mutex_lock(&p->lock);
    if (!p->failed) {
        p->failed = true;
        p->err = *e;
    }
    pthread_mutex_unlock(&p->lock);
    chunk_pass_cancel(p);
}

static void *worker(void *arg)
{
    chunk_pass *p = arg;
    vp_err e;
    dataset_reader *rd = dataset_reader_create(p->ds);
    double *x = malloc(DATASET_CHUNK_RECORDS * sizeof *x);
    double *y = malloc(DATASET_CHUNK_RECORDS * sizeof *y);
    double *w = dataset_has_w(p->ds) ? malloc(DATASET_CHUNK_RECORDS * sizeof *w) : NULL;
    uint32_t *brk = p->ops->points_breaks ? malloc((DATASET_CHUNK_RECORDS + 1) * sizeof *brk) : NULL;
    void *state = p->ops->thread_create ? p->ops->thread_create(p->ctx) : NULL;
    if (!rd || !x || !y || (dataset_has_w(p->ds) && !w) || (p->ops->points_breaks && !brk) || (p->ops->thread_create && !state)) {
        vp_err_set(&e, "out of memory starting a worker thread");
        fail(p, &e);
        if (p->ops->thread_finish)
            p->ops->thread_finish(p->ctx, state, false, &e);
        goto done;
    }
    uint64_t records = 0, nonfinite = 0;
    uint64_t nchunks = dataset_chunks(p->ds);
    bool ok = true;
    while (!atomic_load_explicit(&p->stop, memory_order_relaxed)) {
        uint64_t k;
        if (p->ops->next ? !p->ops->next(p->ctx, state, &k) : (k = atomic_fetch_add(&p->next, 1)) >= nchunks)
            break;
        size_t n = 0, nbrk = 0;
        bool got = brk ? dataset_decode_breaks(rd, k, x, y, w, &n, brk, &nbrk, &records, &nonfinite, &e) &&
                             p->ops->points_breaks(p->ctx, state, k, x, y, w, n, brk, nbrk, &e)
                       : dataset_decode(rd, k, x, y, w, &n, &records, &nonfinite, &e) &&
                             p->ops->points(p->ctx, state, k, x, y, w, n, &e);
        if (!got) {
            ok = false;
            fail(p, &e);
            break;
        }
    }
    if (p->ops->thread_finish && !p->ops->thread_finish(p->ctx, state, ok, &e))
        fail(p, &e);
    pthread_mutex_lock(&p->lock);
    p->totals.records += records;
    p->totals.nonfinite += nonfinite;
    pthread_mutex_unlock(&p->lock);
done:
    free(x);
    free(y);
    free(w);
    free(brk);
    dataset_reader_destroy(rd);
    return NULL;
}

bool chunk_pass_join_after(chunk_pass *p, bool consumer_ok, chunk_pass_totals *totals, vp_err *err)
{
    vp_err perr;
    bool ok = chunk_pass_join(p, totals, &perr);
    if (!consumer_ok)
        return false;
    if (!ok)
        *err = perr;
    return ok;
}

void chunk_range_set(chunk_range *r, uint64_t from, uint64_t to)
{
    r->from = from;
    r->to = to;
    atomic_store(&r->next, 0);
}

bool chunk_range_next(chunk_range *r, uint64_t *k)
{
    uint64_t i = atomic_fetch_add(&r->next, 1);
    if (r->from + i >= r->to)
        return false;
    *k = r->from + i;
    return true;
}

int chunk_pass_default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 256 ? 256 : (int)n;
}

bool chunk_pass_start(const dataset *ds, int threads, const chunk_pass_ops *ops, void *ctx,
                      chunk_pass **out, vp_err *err)
{
    *out = NULL;
    if (threads < 1)
        threads = 1;
    chunk_pass *p = calloc(1, sizeof *p);
    if (!p || !(p->threads = calloc((size_t)threads, sizeof *p->threads))) {
        free(p);
        return vp_err_set(err, "out of memory");
    }
    p->ds = ds;
    p->ops = ops;
    p->ctx = ctx;
    p->nthreads = threads;
    atomic_init(&p->next, 0);
    atomic_init(&p->stop, false);
    pthread_mutex_init(&p->lock, NULL);
    for (int i = 0; i < threads; i++) {
        if (pthread_create(&p->threads[i], NULL, worker, p) != 0) {
            vp_err e;
            vp_err_set(&e, "cannot start worker thread %d of %d", i + 1, threads);
            fail(p, &e);
            chunk_pass_join(p, NULL, err);
            return false;
        }
        p->started++;
    }
    *out = p;
    return true;
}

void chunk_pass_cancel(chunk_pass *p)
{
    atomic_store(&p->stop, true);
    if (p->ops->stop)
        p->ops->stop(p->ctx);
}

bool chunk_pass_join(chunk_pass *p, chunk_pass_totals *totals, vp_err *err)
{
    for (int i = 0; i < p->started; i++)
        pthread_join(p->threads[i], NULL);
    bool ok = !p->failed;
    if (!ok && err)
        *err = p->err;
    if (totals)
        *totals = p->totals;
    pthread_mutex_destroy(&p->lock);
    free(p->threads);
    free(p);
    return ok;
}
