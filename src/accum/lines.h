#ifndef VP_LINES_H
#define VP_LINES_H
/* Line density (--lines): the rule that turns consecutive samples of a series
 * into pixels, shared by every engine (the CPU loops and the GPU shader
 * evaluate the same integer arithmetic, so their grids are identical).
 *
 * 1. Each sample gets an extended pixel (x, y), integers. Per axis (view.h's
 *    axis, n pixels): a value inside the limits gets its pixel by the points'
 *    rule (view_axis_bin: numpy's, exact); a value outside gets
 *    floor(g) with g = (v - lo) * n / (hi - lo), at most -1 below lo and at
 *    least n above hi, then flipped (n - 1 - c) for reversed limits.
 * 2. A segment whose ends lie more than LINES_FAR pixels outside the view is
 *    first cut to the box [-LINES_FAR, n + LINES_FAR] on each axis, in g
 *    coordinates (Liang-Barsky, float64), and its cut ends floored: the part
 *    inside the view keeps its direction, and the integers below stay small.
 *    A segment whose g is not finite (values near +-DBL_MAX) is not drawn.
 * 3. A segment from (x0, y0) to (x1, y1), dx = x1 - x0, dy = y1 - y0,
 *    N = max(|dx|, |dy|), visits the pixels
 *        p(t) = (x0 + q(t, dx), y0 + q(t, dy)),  t = 1 .. N,
 *        q(t, d) = floor((2 t d + N) / (2 N))     (d t / N rounded half up)
 *    and adds 1 to each of them that is inside the view. Step 0 is the end
 *    of the previous segment and is not added again; the first sample of a
 *    series (and the first after a break) adds 1 to its own pixel. So the
 *    count of a pixel is how many times the polyline steps into it, and a
 *    run of samples inside one pixel counts once.
 * 4. A series breaks (no segment) at a non-finite or bad record, a text '>'
 *    line, the end of a file, and where x moves by more than --break-gap.
 *
 * Per-series normalization (--normalize lines, DenseLines: Moritz and Fisher
 * 2018): each series is counted into a grid of its own; in each pixel column
 * where it has counts, LINES_UNIT units are shared among its pixels in
 * proportion to their counts, by largest remainders (ties: the lower row),
 * so the column holds exactly LINES_UNIT, that is weight 1; the picture is
 * the sum over the series. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "accum/view.h"

#define LINES_FAR (1 << 20)
/* a series' weight in one column, in grid units (counts of a normalized
 * picture are in 1/LINES_UNIT of a series) */
#define LINES_UNIT ((uint64_t)1 << 24)

typedef struct lines_seg {
    int32_t x0, y0, x1, y1;
} lines_seg;

/* Rule 1 for one value on one axis, as a double (finite, exact integer), plus
 * g for rule 2 in *g (unflipped). */
double lines_axis_coord(const view_axis *a, double v, double *g);

/* Rule 1 for n samples at once (vectorised where both axes are fast):
 * their extended pixels, limited to +-2^30 (anything past LINES_FAR needs
 * lines_segment's cut anyway). */
void lines_coords_block(const view *v, const double *x, const double *y, size_t n, int32_t *cx,
                        int32_t *cy);

/* Rules 1-2: the integer segment between samples a and b (finite), or false
 * when it cannot touch the view (both ends past one edge, or cut away). */
bool lines_segment(const view *v, double xa, double ya, double xb, double yb, lines_seg *s);

/* Rule 3: adds the segment's steps 1..N inside the w x h grid (bottom row
 * first) to g; returns how many were added. The major axis is clipped to
 * the grid first, so the cost is at most w + h steps. */
uint64_t lines_raster_u32(const lines_seg *s, int w, int h, uint32_t *g);
uint64_t lines_raster_u64(const lines_seg *s, int w, int h, uint64_t *g);
/* With relaxed atomic adds, for a grid shared by threads. */
uint64_t lines_raster_u64_atomic(const lines_seg *s, int w, int h, uint64_t *g);
/* Adding wt to each step's pixel (weighted followed data, refine.h). */
uint64_t lines_raster_f64(const lines_seg *s, int w, int h, double *g, double wt);
/* The steps a segment can add at most (N, bounded by w + h): for bounding
 * 32-bit partial grids before they are folded. */
uint64_t lines_seg_steps(const lines_seg *s, int w, int h);

/* The pixel index of a start point, or false outside (view_bin). */
static inline bool lines_start(const view *v, double x, double y, uint32_t *index)
{
    return view_bin(v, x, y, index);
}

/* Per-series normalization of one series' counts c (w x h, bottom row
 * first) into acc: each column with counts gets exactly LINES_UNIT more.
 * False when out of memory (acc unchanged). */
bool lines_normalize_add(const uint64_t *c, int w, int h, uint64_t *acc);

#endif
