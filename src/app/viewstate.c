#include "app/viewstate.h"

#include <float.h>
#include <math.h>
#include <string.h>

void viewstate_init(viewstate *s, const double full[4], const double start[4], int w, int h)
{
    memset(s, 0, sizeof *s);
    memcpy(s->full, full, sizeof s->full);
    memcpy(s->lim, start ? start : full, sizeof s->lim);
    s->w = w > 0 ? w : 1;
    s->h = h > 0 ? h : 1;
}

void viewstate_resize(viewstate *s, int w, int h)
{
    s->w = w > 0 ? w : 1;
    s->h = h > 0 ? h : 1;
}

void viewstate_to_data(const viewstate *s, double px, double py, double *x, double *y)
{
    *x = s->lim[0] + (s->lim[1] - s->lim[0]) * (px / s->w);
    *y = s->lim[3] - (s->lim[3] - s->lim[2]) * (py / s->h);
}

void viewstate_push(viewstate *s)
{
    if (s->nhist == VIEWSTATE_HISTORY) {
        memmove(s->hist[0], s->hist[1], sizeof s->hist[0] * (VIEWSTATE_HISTORY - 1));
        s->nhist--;
    }
    if (s->nhist > 0 && memcmp(s->hist[s->nhist - 1], s->lim, sizeof s->lim) == 0)
        return;
    memcpy(s->hist[s->nhist++], s->lim, sizeof s->lim);
}

/* Zooming stops before a pixel gets narrower than two double ulps of the
 * view's centre: past that the data's own positions are blocky. */
static bool usable(const viewstate *s, const double l[4])
{
    for (int a = 0; a < 4; a += 2) {
        double c = fabs(l[a] + l[a + 1]) * 0.5;
        double px = a ? s->h : s->w;
        if (!isfinite(l[a]) || !isfinite(l[a + 1]) ||
            fabs(l[a + 1] - l[a]) / px <= 2 * c * DBL_EPSILON ||
            l[a + 1] == l[a])
            return false;
    }
    return true;
}

void viewstate_pan_px(viewstate *s, double dx, double dy)
{
    double ux = (s->lim[1] - s->lim[0]) / s->w, uy = (s->lim[3] - s->lim[2]) / s->h;
    double l[4] = {s->lim[0] - dx * ux, s->lim[1] - dx * ux, s->lim[2] + dy * uy, s->lim[3] + dy * uy};
    if (usable(s, l))
        memcpy(s->lim, l, sizeof l);
}

void viewstate_zoom_at(viewstate *s, double factor, double px, double py)
{
    if (!(factor > 0) || !isfinite(factor))
        return;
    double x, y;
    viewstate_to_data(s, px, py, &x, &y);
    double l[4] = {x - (x - s->lim[0]) / factor, x + (s->lim[1] - x) / factor,
                   y - (y - s->lim[2]) / factor, y + (s->lim[3] - y) / factor};
    if (usable(s, l))
        memcpy(s->lim, l, sizeof l);
}

void viewstate_box(viewstate *s, double ax, double ay, double bx, double by)
{
    if (fabs(bx - ax) < 3 || fabs(by - ay) < 3)
        return;
    double x0, y0, x1, y1;
    viewstate_to_data(s, fmin(ax, bx), fmax(ay, by), &x0, &y0);
    viewstate_to_data(s, fmax(ax, bx), fmin(ay, by), &x1, &y1);
    /* screen left/bottom to right/top: a reversed axis stays reversed */
    double l[4] = {x0, x1, y0, y1};
    if (usable(s, l))
        memcpy(s->lim, l, sizeof l);
}

void viewstate_reset(viewstate *s)
{
    memcpy(s->lim, s->full, sizeof s->lim);
}

bool viewstate_back(viewstate *s)
{
    if (s->nhist == 0)
        return false;
    memcpy(s->lim, s->hist[--s->nhist], sizeof s->lim);
    return true;
}

bool viewstate_set(viewstate *s, double x0, double x1, double y0, double y1)
{
    double l[4] = {x0, x1, y0, y1};
    if (!usable(s, l))
        return false;
    memcpy(s->lim, l, sizeof l);
    return true;
}
