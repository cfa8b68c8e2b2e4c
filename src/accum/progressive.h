#ifndef VP_PROGRESSIVE_H
#define VP_PROGRESSIVE_H
/* Progressive accumulation for the viewer: background workers bin the chunks
 * of a dataset for the current view in a shuffled order (so a partial picture
 * is representative, not the first 10% of the file), skipping chunks whose
 * bounding box misses the view. A new view restarts the work; the viewer takes
 * snapshots of whatever has been binned so far. Exact like accum_cpu: once
 * complete, a snapshot equals accum_cpu_run's grid for the same view. */
#include <stdbool.h>
#include <stdint.h>

#include "accum/view.h"
#include "core/err.h"
#include "load/dataset.h"

typedef struct progressive progressive;

typedef struct progressive_state {
    uint64_t generation;     /* bumped by every progressive_set_view */
    uint64_t chunks_done, chunks_total; /* of the chunks that can touch the view */
    uint64_t records_done;   /* records of those chunks binned so far */
    uint64_t nonfinite;      /* records skipped for NaN/inf so far */
    bool complete;
} progressive_state;

/* chunk_bbox: 4 doubles per chunk (xmin, xmax, ymin, ymax; xmin > xmax for a
 * chunk with no finite point), or NULL (no culling). Copied. */
bool progressive_create(const dataset *ds, int threads, const double *chunk_bbox,
                        progressive **out, vp_err *err);
void progressive_destroy(progressive *p); /* NULL is fine */

/* Restarts the accumulation for view v (copied). Cheap: call per frame. */
void progressive_set_view(progressive *p, const view *v);

/* A growing dataset (followed file) has more chunks: bin those that touch the
 * current view too, without starting over. Their boxes come from
 * dataset_chunk_bbox. */
void progressive_grow(progressive *p);
/* The dataset's chunks changed (a followed file was truncated): start over. */
void progressive_reset(progressive *p);

/* Sums what has been binned for the current view into counts (w*h of the
 * current view, overwritten). False only on a decoding error (err set). */
bool progressive_snapshot(progressive *p, uint64_t *counts, progressive_state *st, vp_err *err);

/* The state alone, without the grid (cheap). */
void progressive_get_state(progressive *p, progressive_state *st);

/* Blocks until the current view is complete (or an error); for scripts and
 * screenshots. */
bool progressive_wait(progressive *p, vp_err *err);

#endif
