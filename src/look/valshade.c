#include "look/valshade.h"

#include <float.h>
#include <string.h>

static double finite_or_max(double v)
{
    return v > DBL_MAX ? DBL_MAX : v < -DBL_MAX ? -DBL_MAX : v;
}

void value_range_choose(double data_min, double data_max, const double *vmin, const double *vmax,
                        bool diverging, double center, double out[2])
{
    bool have_data = isfinite(data_min) && isfinite(data_max) && data_min <= data_max;
    bool given_lo = vmin && isfinite(*vmin), given_hi = vmax && isfinite(*vmax);
    double c = isfinite(center) ? center : 0.0;
    double lo, hi;
    if (given_lo && given_hi) {
        lo = *vmin;
        hi = *vmax;
    } else if (diverging && !given_lo && !given_hi) {
        double r = have_data ? fmax(fabs(data_min - c), fabs(data_max - c)) : 1.0;
        lo = finite_or_max(c - r);
        hi = finite_or_max(c + r);
    } else if (diverging && given_lo && *vmin < c) {
        lo = *vmin;
        hi = finite_or_max(c + (c - *vmin));
    } else if (diverging && given_hi && *vmax > c) {
        hi = *vmax;
        lo = finite_or_max(c - (*vmax - c));
    } else if (given_lo) {
        lo = *vmin;
        hi = have_data && data_max > lo ? data_max : lo;
    } else if (given_hi) {
        hi = *vmax;
        lo = have_data && data_min < hi ? data_min : hi;
    } else if (have_data) {
        lo = data_min;
        hi = data_max;
    } else {
        lo = 0.0;
        hi = 1.0;
    }
    if (lo == hi) {
        double x = lo, d = fabs(x) >= DBL_MIN ? 0.05 * fabs(x) : 1.0;
        /* one end given: it stays, the other moves away from it */
        bool up = given_lo && !given_hi, down = given_hi && !given_lo;
        lo = up ? x : finite_or_max(x - d);
        hi = down ? x : finite_or_max(x + d);
        if (lo == hi && x > 0) /* x is +-DBL_MAX and the way out is past it: the other way */
            lo = x - d;
        else if (lo == hi)
            hi = x + d;
    }
    out[0] = lo;
    out[1] = hi;
}

bool value_shade_rows(const value_look *l, const double *values, int w, int h, int y0, int y1,
                      uint8_t *out, size_t stride, int channels)
{
    if (!isfinite(l->vmin) || !isfinite(l->vmax) || l->vmin == l->vmax ||
        (channels != 3 && channels != 4) || y0 < 0 || y1 > h || y0 > y1 || w < 0)
        return false;
    uint8_t pal[COLORMAP_SIZE][4];
    for (int k = 0; k < COLORMAP_SIZE; k++) {
        memcpy(pal[k], l->cmap[k], 3);
        pal[k][3] = 255;
    }
    double vmin = l->vmin, vmax = l->vmax;
    for (int y = y0; y < y1; y++) {
        const double *src = values + (size_t)(h - 1 - y) * (size_t)w;
        uint8_t *o = out + (size_t)(y - y0) * stride;
        for (int x = 0; x < w; x++, o += channels) {
            double v = src[x];
            const uint8_t *c = isnan(v) ? l->background : pal[value_entry(vmin, vmax, v)];
            memcpy(o, c, (size_t)channels);
        }
    }
    return true;
}
