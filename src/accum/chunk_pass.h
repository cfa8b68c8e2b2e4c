#ifndef VP_CHUNK_PASS_H
#define VP_CHUNK_PASS_H
/* One parallel pass over every chunk of a dataset: worker threads take chunk
 * numbers from a shared counter, decode them and hand the finite points to the
 * pass's callback. Used by the bounds scan, the CPU binning and the GPU loader.
 * The first error stops every worker; it is reported by chunk_pass_join. */
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "load/dataset.h"

typedef struct chunk_pass_ops {
    /* Per-thread state; NULL means out of memory. */
    void *(*thread_create)(void *ctx);
    /* Hot path: the n finite points of chunk k; w[] their third values, NULL
     * exactly when the dataset has none (dataset_has_w). */
    bool (*points)(void *ctx, void *state, uint64_t k, const double *x, const double *y,
                   const double *w, size_t n, vp_err *err);
    /* Instead of points, for passes that need the order of the records (the
     * lines): also where the sequence breaks (dataset_decode_breaks: brk[]
     * ascending positions in [0, n]). */
    bool (*points_breaks)(void *ctx, void *state, uint64_t k, const double *x, const double *y,
                          const double *w, size_t n, const uint32_t *brk, size_t nbrk,
                          vp_err *err);
    /* After the thread's last chunk, also after an error, and also when
     * thread_create returned NULL (state is then NULL): merge and free. err
     * holds the thread's own error when ok is false. */
    bool (*thread_finish)(void *ctx, void *state, bool ok, vp_err *err);
    /* Optional, for a pass fed by its caller (the viewer's refinement): the
     * next chunk for this thread in *k, blocking until there is one; false
     * ends the thread. Without it, every chunk of the dataset once. */
    bool (*next)(void *ctx, void *state, uint64_t *k);
    /* Optional: the pass is stopping (an error, or a cancel): wake threads
     * blocked in next, which must then return false. Any thread. */
    void (*stop)(void *ctx);
} chunk_pass_ops;

typedef struct chunk_pass_totals {
    uint64_t records;   /* records decoded */
    uint64_t nonfinite; /* records skipped for NaN/inf */
} chunk_pass_totals;

typedef struct chunk_pass chunk_pass;

/* Starts `threads` workers (>= 1) and returns at once. If a thread cannot be
 * started, the ones that did are stopped and joined (their thread_finish runs)
 * and false is returned. */
bool chunk_pass_start(const dataset *ds, int threads, const chunk_pass_ops *ops, void *ctx,
                      chunk_pass **out, vp_err *err);
/* Asks the workers to stop after their current chunk (the result is then incomplete). */
void chunk_pass_cancel(chunk_pass *p);
/* Waits for the workers; false with the first error. Frees p. */
bool chunk_pass_join(chunk_pass *p, chunk_pass_totals *totals, vp_err *err);
/* chunk_pass_join for a consumer of the pass's output that may have failed
 * first (consumer_ok false, err holding why): joins p (freeing it), then
 * false with err kept when the consumer failed, else false with the pass's
 * first error; true when both went well. */
bool chunk_pass_join_after(chunk_pass *p, bool consumer_ok, chunk_pass_totals *totals, vp_err *err);

/* Chunks [from, to) handed out once each, in ascending order, to a pass's
 * threads: the `next` of a pass over part of a dataset (the lines' one input
 * at a time). */
typedef struct chunk_range {
    uint64_t from, to;
    atomic_uint_fast64_t next; /* chunks handed out so far */
} chunk_range;
/* Sets r to [from, to) with none handed out; before the pass starts. */
void chunk_range_set(chunk_range *r, uint64_t from, uint64_t to);
/* The next chunk of r in *k, or false when every one has been handed out.
 * Any thread; hot path (one atomic add). */
bool chunk_range_next(chunk_range *r, uint64_t *k);

/* Worker threads to use by default: the online cores, at least 1. */
int chunk_pass_default_threads(void);

#endif
