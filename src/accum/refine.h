#ifndef VP_REFINE_H
#define VP_REFINE_H
/* Refinement: the accumulation of a dataset for one view, chunk by chunk,
 * that can be looked at while it runs. The chunks whose box
 * (dataset_chunk_bbox) misses the view are never read; the others are taken
 * in one fixed shuffled order (so a partial picture is representative, not
 * the first 10% of the file, and the same view always refines alike). A new
 * view starts over; once complete, the counts equal accum_cpu_run's for the
 * same view, bit for bit, whichever engine ran:
 *
 *   REFINE_CPU  background workers decode and bin from the dataset (any size,
 *               growing data too); refine_step does nothing.
 *   REFINE_GPU  the data decoded once into GPU memory (float64 pairs, 16 bytes
 *               a point, so view.h's rule is exact at any zoom); each
 *               refine_step bins as many chunks as fit its time budget
 *               (measured with GL timer queries). Every call needs the GL
 *               context current on the calling thread. Not for growing data.
 *
 * The counts of the GPU engine stay in one r32ui image until they are read
 * (refine_snapshot). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "accum/agg.h"
#include "accum/lines_run.h"
#include "accum/view.h"
#include "core/err.h"
#include "load/dataset.h"

typedef enum refine_engine { REFINE_CPU, REFINE_GPU } refine_engine;

/* Aggregates of a third column (agg.h) instead of counts: the CPU engine. */
typedef struct refine_agg {
    bool on;
    agg_kind kind;
    int ncat;       /* categories */
    agg_fixed fx;   /* sums */
} refine_agg;

/* Line density (lines_run.h) instead of points: the CPU engine. The view's
 * chunks are those whose box, or the box spanning it and a neighbour (the
 * segment joining them), touches the view. */
typedef struct refine_lines {
    bool on;
    lines_params lp;
} refine_lines;

typedef struct refine_params {
    refine_engine engine;
    int threads;       /* CPU workers, GPU upload threads; 0 = the cores */
    size_t gpu_budget; /* bytes the resident data may take; 0 = half of what the
                          driver reports free, else 1 GiB */
    refine_agg agg;    /* REFINE_GPU refuses it */
    refine_lines lines; /* likewise */
} refine_params;

typedef struct refine_state {
    uint64_t generation;                /* bumped by every refine_set_view */
    uint64_t chunks_done, chunks_total; /* of the chunks that can touch the view */
    uint64_t records_done;              /* records of those chunks binned so far */
    uint64_t nonfinite;                 /* of those, skipped for NaN/inf */
    bool complete;
} refine_state;

typedef struct refine refine;

/* Followed data (--window, --persist): which points are drawn, and what
 * each weighs. Points are numbered over the dataset in chunk order, as
 * dataset_decode gives them (dataset_chunk_points must know every chunk's).
 * Only points from `first` on are drawn (the first of them starts a line).
 * With nb > 0 batches (ascending .first), a point weighs the weight of the
 * last batch at or before it (1 before the first batch), and snapshots hold
 * the weighted sums in units of 1/REFINE_WEIGHT_UNIT, rounded to the
 * nearest. first = 0, nb = 0: every point, counted. Starts over. */
typedef struct refine_batch {
    uint64_t first;
    double weight;
} refine_batch;
#define REFINE_WEIGHT_UNIT 65536.0

/* REFINE_GPU fails (with the sizes in the message) when the data does not
 * fit the budget or GL refuses it; the caller may then use REFINE_CPU. */
bool refine_create(const dataset *ds, const refine_params *p, refine **out, vp_err *err);
void refine_destroy(refine *r); /* NULL is fine */
refine_engine refine_engine_of(const refine *r);

/* Starts over for view v (copied); cheap when the view is unchanged is the
 * caller's business. False (GPU: GL refused the edge table) with err set. */
bool refine_set_view(refine *r, const view *v, vp_err *err);
/* The dataset has more chunks (a followed or loading file): bin those that
 * touch the view too, without starting over. CPU engine only. */
void refine_grow(refine *r);
/* The points drawn and their weights (above); CPU engine only. False (err)
 * when a chunk's point count is unknown, or out of memory (the selection
 * is then unchanged). Copied. */
bool refine_set_points(refine *r, uint64_t first, const refine_batch *b, int nb, vp_err *err);
/* The dataset's chunks changed (a followed file was truncated): start over. */
void refine_reset(refine *r);
/* GPU: bins chunks for about budget_ms of GPU time. CPU: nothing. */
void refine_step(refine *r, double budget_ms);
/* The state alone (cheap). */
void refine_get_state(refine *r, refine_state *st);
/* What has been binned for the current view so far, into counts (w*h of the
 * view, overwritten). False on a decoding error, which stays until the next
 * refine_set_view or refine_reset (err set). */
bool refine_snapshot(refine *r, uint64_t *counts, refine_state *st, vp_err *err);
/* With refine_params.agg: what has been aggregated for the current view so
 * far, into g (of the view's size and the engine's kind; overwritten), and
 * the samples not drawn for a bad category code in *bad_category. */
bool refine_snapshot_agg(refine *r, agg_grid *g, uint64_t *bad_category, refine_state *st,
                         vp_err *err);

/* The GPU engine's r32ui count image of the current view (a GL texture
 * name; its contents are what refine_snapshot reads), or 0 for the CPU
 * engine. The tone map can draw from it without the counts leaving the GPU. */
unsigned refine_count_image(const refine *r);

/* Chunk numbers in [from, to) whose box can touch v, appended to order (room
 * for to - from); returns how many. Shared by the engines. */
uint64_t refine_visible(const dataset *ds, const view *v, uint64_t from, uint64_t to, uint64_t *order);
/* The same for lines: also the chunks whose joining segment with a
 * neighbour (same input) can touch v. */
uint64_t refine_visible_lines(const dataset *ds, const view *v, uint64_t from, uint64_t to,
                              uint64_t *order);
/* GPU memory the driver reports free (NVIDIA, AMD extensions), in bytes, or
 * 0. Needs a current GL context. */
size_t refine_gpu_free_memory(void);

#endif
