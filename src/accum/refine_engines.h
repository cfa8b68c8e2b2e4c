#ifndef VP_REFINE_ENGINES_H
#define VP_REFINE_ENGINES_H
/* The two engines behind refine.h (internal to it: callers use refine.h). */
#include "accum/refine.h"

typedef struct refine_cpu refine_cpu;
bool refine_cpu_create(const dataset *ds, int threads, const refine_params *rp, refine_cpu **out,
                       vp_err *err);
void refine_cpu_destroy(refine_cpu *p);
void refine_cpu_set_view(refine_cpu *p, const view *v);
void refine_cpu_grow(refine_cpu *p);
bool refine_cpu_set_points(refine_cpu *p, uint64_t first, const refine_batch *b, int nb, vp_err *err);
void refine_cpu_reset(refine_cpu *p);
void refine_cpu_get_state(refine_cpu *p, refine_state *st);
bool refine_cpu_snapshot(refine_cpu *p, uint64_t *counts, refine_state *st, vp_err *err);
bool refine_cpu_snapshot_agg(refine_cpu *p, agg_grid *g, uint64_t *bad_category, refine_state *st,
                             vp_err *err);

typedef struct refine_gpu refine_gpu;
bool refine_gpu_create(const dataset *ds, size_t budget_bytes, int threads, refine_gpu **out,
                       vp_err *err);
void refine_gpu_destroy(refine_gpu *g);
bool refine_gpu_set_view(refine_gpu *g, const view *v, vp_err *err);
void refine_gpu_step(refine_gpu *g, double budget_ms);
void refine_gpu_get_state(refine_gpu *g, refine_state *st);
bool refine_gpu_snapshot(refine_gpu *g, uint64_t *counts, refine_state *st, vp_err *err);
unsigned refine_gpu_image(const refine_gpu *g);

#endif
