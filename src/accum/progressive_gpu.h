#ifndef VP_PROGRESSIVE_GPU_H
#define VP_PROGRESSIVE_GPU_H
/* Progressive accumulation on the GPU for the viewer: the data is decoded
 * once into a GPU-resident buffer (the float64 values, 16 bytes a point, so
 * the binning rule of view.h is exact at any zoom), and every frame bins as many more chunks of the current view as fit a time
 * budget, measured with GL timer queries. Chunks are taken in a shuffled
 * order and culled by their bounding boxes, as on the CPU. Needs a current GL
 * context on the calling thread for every call. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "accum/progressive.h"

typedef struct progressive_gpu progressive_gpu;

/* Fails (with the sizes in the message) when the data does not fit
 * budget_bytes; the caller then uses the CPU path, which streams from the file. */
bool progressive_gpu_create(const dataset *ds, const double *chunk_bbox, size_t budget_bytes,
                            int threads, progressive_gpu **out, vp_err *err);
void progressive_gpu_destroy(progressive_gpu *g); /* NULL is fine */

/* False (with the message) when GL refuses the edge table. */
bool progressive_gpu_set_view(progressive_gpu *g, const view *v, vp_err *err);
/* Bins chunks for about budget_ms of GPU time; true when something was added. */
bool progressive_gpu_step(progressive_gpu *g, double budget_ms);
/* Reads the count image back (w*h of the current view). */
bool progressive_gpu_snapshot(progressive_gpu *g, uint64_t *counts, progressive_state *st,
                              vp_err *err);
void progressive_gpu_get_state(progressive_gpu *g, progressive_state *st);
/* GPU memory the driver reports free (NVIDIA, AMD extensions), in bytes, or 0. */
size_t progressive_gpu_free_memory(void);

#endif
