#ifndef VP_VIEW_H
#define VP_VIEW_H
/* The view: data limits mapped onto a W x H pixel grid, and the one binning
 * rule shared by every accumulation path (CPU loops and GPU shaders). It is
 * numpy.histogram2d's rule, bit for bit, evaluated in float64:
 *
 *   per axis, with lo < hi the limits and n pixels:
 *     step    = (hi - lo) / n                          (double)
 *     edge(i) = i * step + lo  for i < n,  edge(n) = hi (numpy.linspace)
 *     a value v is drawn when lo <= v <= hi, in the pixel
 *     b = (number of edges <= v) - 1  (searchsorted(edges, v, 'right') - 1),
 *     v == hi going to the last pixel (numpy's closing edge)
 *
 * When step underflows to 0 (a span of a few subnormals), numpy's linspace
 * computes edge(i) = (i / n) * (hi - lo) + lo instead; so do we. Every
 * product and sum is rounded on its own (the build has -ffp-contract=off,
 * shaders use `precise`), as numpy does.
 *
 * Reversed limits (x0 > x1) flip the axis: the bins are those of [x1, x0]
 * and pixel 0 is the one at x0. Counts are stored bottom row first:
 * index = row * W + column.
 *
 * Fast axes: when the edges are well apart compared with the rounding of
 * the values (step > 2^-40 * max(|lo|, |hi|)), a first guess
 * g = (v - lo) * (n / (hi - lo)) is within 2^-11 pixel of v's place among the
 * edges: floor(g) is the pixel unless g is near an integer, and then one
 * comparison with each neighbouring edge settles it. Other axes (deep zooms
 * far from zero, subnormal spans) use a binary search over the edges. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct view_axis {
    double lo, hi;  /* lo < hi */
    double span;    /* hi - lo */
    double step;    /* span / n, as numpy.linspace computes it */
    double scale;   /* n / span: the first guess on fast axes */
    int n;
    int flip;       /* 1: the limits were given high to low */
    int fast;       /* 1: first guess + one step is exact */
    int tiny;       /* 1: step underflowed, edges from (i / n) * span */
} view_axis;

typedef struct view {
    double x0, x1, y0, y1; /* as given (x0 > x1: reversed) */
    int w, h;
    view_axis ax, ay;
} view;

/* Limits [x0, x1, y0, y1] with an axis of zero width (one sample, or all
 * equal) widened around it: by 0.5 each way as numpy.histogram2d does, or
 * more far from zero, where 0.5 would vanish in the rounding. */
void view_widen_flat(double lim[4]);

/* Needs x0 != x1, y0 != y1 with a finite difference, w, h >= 1. Every byte
 * of *v is set (views may be compared with memcmp). */
void view_init(view *v, double x0, double x1, double y0, double y1, int w, int h);

/* True when the box [xmin, xmax, ymin, ymax] (xmin > xmax: empty) overlaps
 * the view's limits (either order); for skipping chunks that cannot touch it. */
bool view_touches(const view *v, const double box[4]);


/* The edge i (0..n) of an axis, as numpy.linspace computes it. */
static inline double view_axis_edge(const view_axis *a, int i)
{
    if (i >= a->n)
        return a->hi;
    if (a->tiny)
        return ((double)i / (double)a->n) * a->span + a->lo;
    return (double)i * a->step + a->lo;
}

/* The pixel (0..n-1, flipped for reversed limits) of v, or -1 outside. */
int view_axis_bin(const view_axis *a, double v);

/* The binning rule for one point: false when it is outside the view. */
static inline bool view_bin(const view *v, double x, double y, uint32_t *index)
{
    int ix = view_axis_bin(&v->ax, x), iy = view_axis_bin(&v->ay, y);
    if (ix < 0 || iy < 0)
        return false;
    *index = (uint32_t)iy * (uint32_t)v->w + (uint32_t)ix;
    return true;
}

/* The rule for n points at once (vectorised where both axes are fast):
 * idx[i] = the pixel of point i, or `spare` when it is outside. */
void view_bin_block(const view *v, const double *x, const double *y, size_t n, uint32_t spare,
                    uint32_t *idx);

#endif
