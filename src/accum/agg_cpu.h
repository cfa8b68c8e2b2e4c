#ifndef VP_AGG_CPU_H
#define VP_AGG_CPU_H
/* The exact CPU engine for aggregates (agg.h): workers on chunk_pass decode
 * the chunks, bin each (x, y) with view.h's rule and add w into the grid. */
#include "accum/accum.h"
#include "accum/agg.h"

/* g: zeroed (agg_grid_create), of v's size; the samples are added into it.
 * The dataset must have w (dataset_has_w). Blocks until done. */
bool agg_cpu_run(const dataset *ds, const view *v, const accum_params *p, agg_grid *g,
                 accum_stats *st, agg_stats *ast, vp_err *err);

#endif
