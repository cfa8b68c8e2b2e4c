#ifndef VP_ACCUM_H
#define VP_ACCUM_H
/* Accumulation: every finite point of a dataset binned into a W x H grid of
 * 64-bit counts (view.h has the rule), exactly, by the CPU or by GL compute
 * shaders. Both give the identical grid. */
#include <stdbool.h>
#include <stdint.h>

#include "accum/chunk_pass.h"
#include "accum/view.h"

typedef struct accum_stats {
    uint64_t records;   /* records read */
    uint64_t nonfinite; /* skipped: x or y NaN/inf */
    uint64_t drawn;     /* inside the view (= sum of the grid) */
    uint64_t flushes;   /* 32-bit partial grids folded into the 64-bit one */
    uint64_t ring_waits;/* GPU: times a loader waited for a free slot */
    uint64_t fence_waits;/* GPU: times the GL thread blocked on a slot's fence */
    uint64_t gpu_slot_points; /* GPU: ring slot size used (shrunk if GL refused more) */
    bool gpu;           /* the GPU accumulated */
    bool gpu_refused;   /* GPU run failed because GL refused memory: the CPU path may serve */
} accum_stats;

typedef struct accum_params {
    int threads;              /* CPU workers / GPU loader threads; 0 = cores */
    /* Points a 32-bit partial grid may take before it is folded into the
     * 64-bit grid; 0 = UINT32_MAX (the most one pixel can hold). Tests lower
     * it to exercise the folding. */
    uint64_t flush_every;
    uint32_t gpu_slot_points; /* GPU ring slot size in points; 0 = default */
    int gpu_slots;            /* GPU ring slots; 0 = default */
} accum_params;

/* counts: w*h zeroed uint64, bottom row first. Blocks until done. */
bool accum_cpu_run(const dataset *ds, const view *v, const accum_params *p, uint64_t *counts,
                   accum_stats *stats, vp_err *err);

/* accum_cpu_run over the chunks [from, to) of ds only (dataset_chunks;
 * clamped to them; an empty range leaves counts zero): adding the grids of
 * ranges that cut [0, dataset_chunks) gives accum_cpu_run's grid exactly, and
 * their stats' records, nonfinite and drawn add up to its. The MPI mode's
 * share of one rank (src/mpi/mpi_run.h). */
bool accum_cpu_run_range(const dataset *ds, const view *v, const accum_params *p, uint64_t from,
                         uint64_t to, uint64_t *counts, accum_stats *stats, vp_err *err);

/* The same through GL compute shaders (imageAtomicAdd on an r32ui image),
 * fed by loader threads through the persistently mapped vertex ring. Needs a
 * current GL 4.5 context on the calling thread. */
bool accum_gpu_run(const dataset *ds, const view *v, const accum_params *p, uint64_t *counts,
                   accum_stats *stats, vp_err *err);
/* accum_gpu_run over the chunks [from, to) only, as accum_cpu_run_range:
 * the MPI mode's share of one rank on its GPU. */
bool accum_gpu_run_range(const dataset *ds, const view *v, const accum_params *p, uint64_t from,
                         uint64_t to, uint64_t *counts, accum_stats *stats, vp_err *err);

#endif
