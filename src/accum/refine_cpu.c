/* The CPU engine of refine.h: long-lived workers that bin chunks of the
 * current view into per-worker grids; a snapshot sums them. */
#include "accum/refine_engines.h"

#include "core/util.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

typedef struct worker {
    struct refine_cpu *p;
    pthread_t thread;
    pthread_mutex_t lock; /* guards grid, gen, records, nonfinite */
    uint64_t *grid;       /* pixels + 1 (a spare cell for points outside) */
    size_t cap;           /* cells allocated */
    uint64_t gen;         /* the view generation the grid belongs to */
    uint64_t records, nonfinite;
} worker;

struct refine_cpu {
    const dataset *ds;
    uint64_t order_cap;
    int nthreads;
    worker *workers;
    pthread_mutex_t lock; /* guards everything below */
    pthread_cond_t work_cv, done_cv;
    bool quit;
    view v;
    uint64_t gen;
    uint64_t *order;      /* chunk numbers to bin for this view, shuffled */
    uint64_t norder, next, done;
    uint64_t all_chunks;
    bool failed;
    vp_err err;
};

static void *work(void *arg)
{
    worker *w = arg;
    refine_cpu *p = w->p;
    /* refinement yields to input handling and drawing */
    setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10);
    dataset_reader *rd = dataset_reader_create(p->ds);
    double *x = malloc(DATASET_CHUNK_RECORDS * sizeof *x);
    double *y = malloc(DATASET_CHUNK_RECORDS * sizeof *y);
    uint32_t *idx = malloc(DATASET_CHUNK_RECORDS * sizeof *idx);
    for (;;) {
        pthread_mutex_lock(&p->lock);
        while (!p->quit && (p->failed || p->next >= p->norder))
            pthread_cond_wait(&p->work_cv, &p->lock);
        if (p->quit) {
            pthread_mutex_unlock(&p->lock);
            break;
        }
        uint64_t gen = p->gen, k = p->order[p->next++];
        view v = p->v;
        pthread_mutex_unlock(&p->lock);

        size_t n = 0;
        uint64_t records = 0, nonfinite = 0;
        vp_err e;
        if (!rd || !x || !y || !idx) {
            vp_err_set(&e, "out of memory in a refinement thread");
            goto fail;
        }
        if (!dataset_decode(rd, k, x, y, &n, &records, &nonfinite, &e))
            goto fail;
        view_bin_block(&v, x, y, n, (uint32_t)((size_t)v.w * (size_t)v.h), idx);
        pthread_mutex_lock(&w->lock);
        size_t cells = (size_t)v.w * (size_t)v.h + 1;
        if (w->gen != gen || w->cap < cells) {
            if (w->cap < cells) {
                free(w->grid);
                w->grid = calloc(cells, sizeof *w->grid);
                w->cap = w->grid ? cells : 0;
            } else {
                memset(w->grid, 0, cells * sizeof *w->grid);
            }
            w->gen = gen;
            w->records = w->nonfinite = 0;
        }
        if (!w->grid) {
            pthread_mutex_unlock(&w->lock);
            vp_err_set(&e, "out of memory for a %dx%d refinement grid", v.w, v.h);
            goto fail;
        }
        for (size_t i = 0; i < n; i++)
            w->grid[idx[i]]++;
        w->records += records;
        w->nonfinite += nonfinite;
        pthread_mutex_unlock(&w->lock);

        pthread_mutex_lock(&p->lock);
        if (p->gen == gen && ++p->done == p->norder)
            pthread_cond_broadcast(&p->done_cv);
        pthread_mutex_unlock(&p->lock);
        continue;
    fail:
        pthread_mutex_lock(&p->lock);
        if (!p->failed) {
            p->failed = true;
            p->err = e;
        }
        pthread_cond_broadcast(&p->done_cv);
        pthread_mutex_unlock(&p->lock);
    }
    free(x);
    free(y);
    free(idx);
    dataset_reader_destroy(rd);
    return NULL;
}

bool refine_cpu_create(const dataset *ds, int threads, refine_cpu **out, vp_err *err)
{
    *out = NULL;
    refine_cpu *p = calloc(1, sizeof *p);
    if (!p)
        return vp_err_set(err, "out of memory");
    p->ds = ds;
    p->all_chunks = dataset_chunks(ds);
    p->nthreads = threads > 0 ? threads : 1;
    p->order_cap = p->all_chunks ? p->all_chunks : 1;
    p->order = malloc(p->order_cap * sizeof *p->order);
    p->workers = calloc((size_t)p->nthreads, sizeof *p->workers);
    if (!p->order || !p->workers) {
        free(p->order);
        free(p->workers);
        free(p);
        return vp_err_set(err, "out of memory");
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->work_cv, NULL);
    pthread_cond_init(&p->done_cv, NULL);
    for (int i = 0; i < p->nthreads; i++) {
        worker *w = &p->workers[i];
        w->p = p;
        w->gen = UINT64_MAX;
        pthread_mutex_init(&w->lock, NULL);
        if (pthread_create(&w->thread, NULL, work, w) != 0) {
            p->nthreads = i;
            refine_cpu_destroy(p);
            return vp_err_set(err, "cannot start refinement thread %d", i + 1);
        }
    }
    *out = p;
    return true;
}

void refine_cpu_destroy(refine_cpu *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->quit = true;
    pthread_cond_broadcast(&p->work_cv);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->nthreads; i++) {
        pthread_join(p->workers[i].thread, NULL);
        pthread_mutex_destroy(&p->workers[i].lock);
        free(p->workers[i].grid);
    }
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->work_cv);
    pthread_cond_destroy(&p->done_cv);
    free(p->workers);
    free(p->order);
    free(p);
}

void refine_cpu_set_view(refine_cpu *p, const view *v)
{
    pthread_mutex_lock(&p->lock);
    p->v = *v;
    p->gen++;
    p->norder = refine_visible(p->ds, v, 0, p->all_chunks, p->order);
    /* a fixed shuffle: the same view always refines in the same order */
    vp_shuffle_u64(p->order, p->norder);
    p->next = p->done = 0;
    p->failed = false; /* a decoding error shows again if the chunk is read again */
    pthread_cond_broadcast(&p->work_cv);
    pthread_mutex_unlock(&p->lock);
}

bool refine_cpu_snapshot(refine_cpu *p, uint64_t *counts, refine_state *st, vp_err *err)
{
    pthread_mutex_lock(&p->lock);
    uint64_t gen = p->gen;
    view v = p->v;
    refine_state s = {gen, p->done, p->norder, 0, 0, p->done == p->norder};
    bool failed = p->failed;
    if (failed && err)
        *err = p->err;
    pthread_mutex_unlock(&p->lock);
    size_t pixels = (size_t)v.w * (size_t)v.h;
    memset(counts, 0, pixels * sizeof *counts);
    for (int i = 0; i < p->nthreads; i++) {
        worker *w = &p->workers[i];
        pthread_mutex_lock(&w->lock);
        if (w->gen == gen && w->grid) {
            for (size_t j = 0; j < pixels; j++)
                counts[j] += w->grid[j];
            s.records_done += w->records;
            s.nonfinite += w->nonfinite;
        }
        pthread_mutex_unlock(&w->lock);
    }
    if (st)
        *st = s;
    return !failed;
}

static bool fit_order(refine_cpu *p, uint64_t n)
{
    if (n <= p->order_cap)
        return true;
    uint64_t cap = p->order_cap * 2 > n ? p->order_cap * 2 : n;
    uint64_t *o = realloc(p->order, cap * sizeof *o);
    if (!o)
        return false;
    p->order = o;
    p->order_cap = cap;
    return true;
}

void refine_cpu_grow(refine_cpu *p)
{
    uint64_t n = dataset_chunks(p->ds);
    pthread_mutex_lock(&p->lock);
    if (n > p->all_chunks && fit_order(p, n)) {
        p->norder += refine_visible(p->ds, &p->v, p->all_chunks, n, p->order + p->norder);
        p->all_chunks = n;
        pthread_cond_broadcast(&p->work_cv);
    }
    pthread_mutex_unlock(&p->lock);
}

void refine_cpu_reset(refine_cpu *p)
{
    pthread_mutex_lock(&p->lock);
    uint64_t n = dataset_chunks(p->ds);
    if (fit_order(p, n))
        p->all_chunks = n;
    view v = p->v;
    pthread_mutex_unlock(&p->lock);
    refine_cpu_set_view(p, &v);
}

void refine_cpu_get_state(refine_cpu *p, refine_state *st)
{
    pthread_mutex_lock(&p->lock);
    *st = (refine_state){p->gen, p->done, p->norder, 0, 0, p->done == p->norder};
    pthread_mutex_unlock(&p->lock);
}
