#ifndef VP_VIEW_H
#define VP_VIEW_H
/* The view: data limits mapped onto a W x H pixel grid, and the one binning
 * rule shared by every accumulation path (CPU loop and GPU shader):
 *
 *   fx = float(x - x0) * sx        (x - x0 in double: data far from zero keeps
 *   fy = float(y - y0) * sy         its resolution; sx = float(W / (x1 - x0)))
 *   drawn when 0 <= fx <= W and 0 <= fy <= H; column = min(int(fx), W - 1)
 *
 * So column i covers [x0 + i*(x1-x0)/W, x0 + (i+1)*(x1-x0)/W), rows likewise
 * counted from the bottom, and the last column and the top row also take the
 * closing edge x1 / y1 (as numpy.histogram2d does), so that the default view,
 * the data's own bounds, draws every point. Reversed limits (x0 > x1) flip the
 * axis. Counts are stored bottom row first: index = row * W + column. */
#include <stdbool.h>
#include <stdint.h>

typedef struct view {
    double x0, x1, y0, y1;
    int w, h;
    float sx, sy; /* pixels per data unit, rounded to float once */
    float fw, fh; /* (float)w, (float)h */
} view;

/* Limits [x0, x1, y0, y1] with an axis of zero width (one sample, or all
 * equal) widened around it: by 0.5 each way, or more far from zero, where
 * 0.5 would vanish in the rounding. */
void view_widen_flat(double lim[4]);

/* Needs x0 != x1, y0 != y1 (finite), w, h >= 1. */
void view_init(view *v, double x0, double x1, double y0, double y1, int w, int h);

/* True when the box [xmin, xmax, ymin, ymax] (xmin > xmax: empty) overlaps
 * the view's limits (either order); for skipping chunks that cannot touch it. */
bool view_touches(const view *v, const double box[4]);

/* The binning rule for one point, for the CPU paths. */
static inline bool view_bin(const view *v, double x, double y, uint32_t *index)
{
    float fx = (float)(x - v->x0) * v->sx;
    float fy = (float)(y - v->y0) * v->sy;
    if (!(fx >= 0.0f && fx <= v->fw && fy >= 0.0f && fy <= v->fh))
        return false;
    int ix = (int)fx, iy = (int)fy;
    ix = ix < v->w ? ix : v->w - 1;
    iy = iy < v->h ? iy : v->h - 1;
    *index = (uint32_t)iy * (uint32_t)v->w + (uint32_t)ix;
    return true;
}

#endif
