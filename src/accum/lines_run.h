#ifndef VP_LINES_RUN_H
#define VP_LINES_RUN_H
/* Line density of a dataset for one view (lines.h has the rule): every
 * series (an input of the dataset: a file, or a file's --y column) drawn as
 * its polyline, exactly, by the CPU or by GL compute shaders; both give the
 * identical grid.
 *
 * The chunks are cut up among workers in any order: each worker draws the
 * segments inside its chunk and notes the chunk's first and last points
 * (lines_ends); the segments that join consecutive chunks of a series are
 * drawn at the end from those notes (lines_joins), so the grid never depends
 * on who took which chunk. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "accum/accum.h"
#include "accum/lines.h"

typedef struct lines_params {
    bool normalize;   /* --normalize lines: each series weighs 1 per column (lines.h) */
    double break_gap; /* > 0: a series breaks where x moves by more than this */
} lines_params;

/* A chunk's first and last points, for the joins. */
typedef struct lines_ends {
    double hx, hy, tx, ty;
    uint8_t head_ok; /* the chunk's first record is its first point (no break before it) */
    uint8_t tail_ok; /* the chunk's last record is its last point */
} lines_ends;

/* What one chunk adds: pixels added once (series starts and one-step
 * segments, as indices), and longer segments. Room for the chunk's points. */
typedef struct lines_out {
    uint32_t *pix;
    size_t npix;
    lines_seg *seg;
    size_t nseg;
    uint32_t *pix_pt, *seg_pt; /* the point (index in the chunk) each came from: a
                                  segment's is its newer end */
    int32_t *cx, *cy; /* scratch: the points' extended pixels */
} lines_out;

bool lines_out_init(lines_out *o);  /* room for DATASET_CHUNK_RECORDS */
void lines_out_free(lines_out *o);

/* The steps of one chunk's points (dataset_decode_breaks): every segment
 * between consecutive points with no break between them, every start after a
 * break, into o (overwritten); the first point's own start or segment is left
 * to the joins unless a break comes before it. e gets the chunk's ends. */
void lines_chunk(const view *v, const lines_params *lp, const double *x, const double *y, size_t n,
                 const uint32_t *brk, size_t nbrk, lines_out *o, lines_ends *e);

/* The joins of chunks [from, to) (ends[k - from]): for each chunk, the
 * segment from the previous chunk's last point to its first (same input, both
 * ok, no gap), or the start at its first point. Added to counts (w x h). The
 * chunk before `from` is not looked at: from is an input's first chunk. */
uint64_t lines_joins(const dataset *ds, const view *v, const lines_params *lp, const lines_ends *ends,
                     uint64_t from, uint64_t to, uint64_t *counts);
/* The same where chunk from - 1 is known too (before: its ends, NULL as
 * lines_joins): chunk from is joined to it as any other chunk to the one
 * before it. */
uint64_t lines_joins_after(const dataset *ds, const view *v, const lines_params *lp, const lines_ends *before,
                           const lines_ends *ends, uint64_t from, uint64_t to, uint64_t *counts);

/* The whole accumulation. counts: w*h zeroed; stats as accum.h (drawn: the
 * grid's sum; for a normalized grid, in 1/LINES_UNIT of a series). */
bool lines_cpu_run(const dataset *ds, const view *v, const lines_params *lp, const accum_params *p,
                   uint64_t *counts, accum_stats *stats, vp_err *err);
/* lines_cpu_run over the chunks [from, to) only (clamped; not with
 * lp->normalize, which needs whole series: false with err): every step whose
 * newer end is in the range, so the grids of ranges that cut [0,
 * dataset_chunks) add up to lines_cpu_run's exactly (the segment joining
 * chunk from - 1 to chunk from is drawn by the range holding chunk from: it
 * decodes chunk from - 1 for its last point). The MPI mode's share of one
 * rank. */
bool lines_cpu_run_range(const dataset *ds, const view *v, const lines_params *lp, const accum_params *p,
                         uint64_t from, uint64_t to, uint64_t *counts, accum_stats *stats, vp_err *err);
/* Through GL compute shaders; needs a current GL 4.5 context. */
bool lines_gpu_run(const dataset *ds, const view *v, const lines_params *lp, const accum_params *p,
                   uint64_t *counts, accum_stats *stats, vp_err *err);

#endif
