#include "accum/view.h"

#include <math.h>

void view_init(view *v, double x0, double x1, double y0, double y1, int w, int h)
{
    v->x0 = x0;
    v->x1 = x1;
    v->y0 = y0;
    v->y1 = y1;
    v->w = w;
    v->h = h;
    v->sx = (float)((double)w / (x1 - x0));
    v->sy = (float)((double)h / (y1 - y0));
    v->fw = (float)w;
    v->fh = (float)h;
    /* float rounding of (x1 - x0) * sx may land just past W, which would drop
     * the points on the closing edge x1 (the data's maximum, in the default
     * view): nudge the scale toward zero until the far edge maps inside. */
    while ((float)(x1 - x0) * v->sx > v->fw)
        v->sx = nextafterf(v->sx, 0.0f);
    while ((float)(y1 - y0) * v->sy > v->fh)
        v->sy = nextafterf(v->sy, 0.0f);
}

void view_widen_flat(double lim[4])
{
    for (int a = 0; a < 4; a += 2) {
        if (lim[a] != lim[a + 1])
            continue;
        double d = fmax(0.5, fabs(lim[a]) * 1e-9);
        lim[a] -= d;
        lim[a + 1] += d;
    }
}

bool view_touches(const view *v, const double b[4])
{
    double vx0 = fmin(v->x0, v->x1), vx1 = fmax(v->x0, v->x1);
    double vy0 = fmin(v->y0, v->y1), vy1 = fmax(v->y0, v->y1);
    return !(b[0] > b[1] || b[1] < vx0 || b[0] > vx1 || b[3] < vy0 || b[2] > vy1);
}
