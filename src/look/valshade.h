#ifndef VP_VALSHADE_H
#define VP_VALSHADE_H
/* Value grids -> pictures: a double per pixel (a mean, a sum, a minimum of a
 * third column; NaN where the pixel has no sample) coloured by a colormap
 * over a value range. The CPU does all of it (the GL pass only shows the
 * finished picture, gl/tonemap_pass.h tonemap_pass_set_rgba), so a picture is
 * the same bytes on every machine and in every output. */
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "look/colormap.h"

/* The value range [out[0], out[1]] that the colormap spans.
 *
 * data_min, data_max: the smallest and largest finite value of the grid.
 *   There is no data when either is not finite or data_min > data_max (an
 *   empty grid: pass NAN, NAN, or the +inf/-inf of an empty min/max).
 * vmin, vmax: the user's limits, NULL when not given (a given value that is
 *   not finite counts as not given). Given ones win.
 * diverging: the map has a centre (colormap_is_diverging); center is the
 *   value it stands for (0 when not finite).
 *
 * Rules, in order:
 *   1. both given: [*vmin, *vmax] as given; vmin > vmax gives a reversed map
 *      (value_shade_rows gives vmin entry 0 whichever end is larger).
 *   2. diverging, neither given: [center - r, center + r], r the larger
 *      distance of the data's ends from center (no data: r = 1).
 *   3. diverging, one given on its own side of center (vmin < center, or
 *      vmax > center): the other end is its mirror image about center.
 *   4. otherwise (sequential, or a diverging map's one given end on the
 *      wrong side of center, which no range centred there can have): a
 *      missing end is the data's; when the data's end is not past the given
 *      one (all data below a given vmin, say) or there is no data, the range
 *      is flat at the given end; nothing given and no data: [0, 1].
 *   5. a flat range at x (lo == hi) is widened by d = 0.05 |x| (d = 1 when x
 *      is 0 or subnormal): to [x - d, x + d] when no end or both ends were given, away
 *      from the given end otherwise ([x, x + d] for a given vmin, [x - d, x]
 *      for a given vmax), so a given end stays where it was put.
 * Ends that would overflow are held at +-DBL_MAX (a widening that cannot go
 * past DBL_MAX goes the other way). out is always two finite,
 * different numbers (NaN never). Pure, cheap. */
void value_range_choose(double data_min, double data_max, const double *vmin, const double *vmax,
                        bool diverging, double center, double out[2]);

typedef struct value_look {
    uint8_t cmap[COLORMAP_SIZE][4]; /* RGB used; every non-empty pixel is opaque */
    double vmin, vmax;              /* value_range_choose's out; vmin > vmax: reversed map */
    uint8_t background[4];          /* NaN pixels: exactly this RGBA (translucent allowed) */
} value_look;

/* The colormap entry of a value v (not NaN), the one rule of this module:
 *   t = (v - vmin) / (vmax - vmin) in double (when vmax - vmin overflows,
 *       both differences are taken of vmin, vmax and v halved);
 *   entry = clamp(floor(t * 256), 0, 255).
 * So [vmin, vmax] is cut into 256 bins of equal width, a value on a bin's
 * lower edge is in that bin, vmax itself is entry 255, values past either
 * end (infinities too) clamp to the end entries. vmin > vmax mirrors it: vmin
 * is entry 0. Hot path (inline); needs vmin != vmax, both finite. */
static inline int value_entry(double vmin, double vmax, double v)
{
    double span = vmax - vmin, d = v - vmin;
    if (!isfinite(span)) { /* the span overflows: the same quotient from halves */
        span = vmax * 0.5 - vmin * 0.5;
        d = v * 0.5 - vmin * 0.5;
    }
    double s = d / span * 256.0;
    return s >= 255.0 ? 255 : s >= 1.0 ? (int)s : 0; /* NaN s (never for finite v): 0 */
}

/* Writes picture rows [y0, y1) (y = 0 is the top row, picture row y is grid
 * row h - 1 - y) into out, rows stride bytes apart, w * channels bytes each
 * (channels 3: RGB, alpha dropped; 4: RGBA). values: w * h doubles, bottom
 * row first (values[row * w + col]). A NaN value is the background as given;
 * any other value is cmap[value_entry(vmin, vmax, v)] with alpha 255.
 * Thread-safe for disjoint row ranges; allocates nothing. False (nothing
 * written) when the look cannot be used: vmin or vmax not finite, vmin ==
 * vmax, channels not 3 or 4, or rows outside [0, h]. */
bool value_shade_rows(const value_look *l, const double *values, int w, int h, int y0, int y1,
                      uint8_t *out, size_t stride, int channels);

#endif
