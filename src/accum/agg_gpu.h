#ifndef VP_AGG_GPU_H
#define VP_AGG_GPU_H
/* The GPU engine for aggregates (agg.h): loader threads on chunk_pass decode
 * the chunks and put each sample, with its w already in the integer form the
 * GPU adds (d(w) of agg_fixed_of, a min/max key, a category code), into the
 * vertex ring; the GL thread bins each slot with bin.glsl (view.h's rule) and
 * adds it into r32ui planes with 32-bit image atomics only; the planes are
 * folded into the grid on the CPU before any of them could overflow. The
 * grid equals the CPU engine's (agg_cpu.h), bit for bit, in every array and
 * in agg_stats. agg_gpu.c's opening comment has the layout and the bounds.
 *
 * Costs: the data is streamed once for every kind (min and max run a second
 * dispatch over each slot, still on the GPU, not a second read of the data).
 * GPU memory: the ring (4 slots of 24 bytes a point, 24 MiB each by
 * default) and 4 bytes a pixel per plane: count 1 plane, sum and mean 4, std
 * and var 8, min and max 3, categories ncat + 1 (a little more where the planes
 * do not tile evenly); min and max also 4 bytes a slot point of scratch.
 * A view the GL's image size limits cannot hold at that many planes is
 * refused (st->gpu_refused).
 *
 * Needs a current GL 4.5 context on the calling thread. On llvmpipe this is
 * slower than agg_cpu_run; it is what `render --accumulate gpu` runs. */
#include "accum/accum.h"
#include "accum/agg.h"

/* g: made by agg_grid_create for v's size (zeroed, or holding earlier
 * samples: they are added to); for sum, mean, std and var its fixed point
 * (g->fx) must come from a range holding every w of ds, else the run fails
 * naming the first w outside it. The dataset must have w (dataset_has_w).
 * st: records, non-finite, drawn (samples added to g), flushes (plane folds),
 * ring waits; st->gpu_refused when GL refused the memory (the CPU engine may
 * serve). ast->bad_category: samples inside the view whose w is not a
 * category code (categories only), as agg_cpu_run counts them. False with
 * err on any failure; g then holds a partial result.
 * Blocks until done. */
bool agg_gpu_run(const dataset *ds, const view *v, const accum_params *p, agg_grid *g,
                 accum_stats *st, agg_stats *ast, vp_err *err);

/* The same engine fed from arrays instead of a dataset (one producer thread
 * through the ring, chunks of DATASET_CHUNK_RECORDS), for tests: samples with
 * x, y or w not finite are skipped and counted in st->nonfinite, as the
 * loader does; st->records = n. max_side > 0 lowers the GL's image size limit,
 * so that a small view takes the layouts of large ones (planes in rows and
 * layers); 0 for the GL's own. */
bool agg_gpu_bin_arrays(const view *v, const accum_params *p, int max_side, const double *x,
                        const double *y, const double *w, size_t n, agg_grid *g, accum_stats *st,
                        agg_stats *ast, vp_err *err);

#endif
