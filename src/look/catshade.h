#ifndef VP_CATSHADE_H
#define VP_CATSHADE_H
/* Category grids -> pictures, as datashader's shade() does for a categorical
 * aggregate: per pixel a count for each category (--by COL); the pixel's
 * colour is the count-weighted mean of the enabled categories' colours, its
 * opacity comes from its total count through the tone map. All on the CPU in
 * integers after the tone level (the GL pass only shows the finished
 * picture, gl/tonemap_pass.h tonemap_pass_set_rgba), so a picture is the same
 * bytes on every machine.
 *
 * The rule for a pixel with enabled counts n_c (categories c < ncat with
 * enabled[c]) and total T = sum n_c:
 *   T == 0: the background, exactly as given (RGBA).
 *   colour, per component k: C_k = round(sum(n_c * colors[c][k]) / T),
 *     a mean in 0..255 sRGB component space (not linear light: datashader's
 *     choice, and what its users expect), halves rounded up, exact integers.
 *   tone: e = the colormap entry shade.h gives T with floor 0, i.e.
 *     round(255 * tonemap_level(t, T)) made monotonic in T (0..255).
 *   alpha: a = a0 + round((255 - a0) * e / 255), a0 = round(255 * min_alpha)
 *     (0..255), i.e. alpha = min_alpha + (1 - min_alpha) * tone(T) in 8 bits:
 *     the smallest total gets min_alpha, the largest full opacity.
 *   over the background B (RGBA, straight alpha), in exact integers, halves
 *   rounded up:
 *     out_alpha = round((255 a + B_a (255 - a)) / 255)
 *     out_k     = round((255 a C_k + B_a (255 - a) B_k) / (255 a + B_a (255 - a)))
 *     (both weights zero, a transparent pixel over a transparent background:
 *     out = (C, 0)). An opaque background gives opaque pixels with
 *     out_k = round((a C_k + (255 - a) B_k) / 255).
 * Channels 3 drop the alpha. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "look/colormap.h"
#include "look/tonemap.h"

/* datashader's default min_alpha, 40 of 255. */
#define CATEGORY_MIN_ALPHA (40.0f / 255.0f)

typedef struct category_look {
    int ncat;                          /* categories in the grid, 1..CATEGORY_MAX */
    uint8_t colors[CATEGORY_MAX][4];   /* RGB used, alpha ignored (category_color) */
    bool enabled[CATEGORY_MAX];        /* disabled categories count for nothing */
    tonemap_kind tonemap;              /* the tone map of the totals, alpha */
    uint8_t background[4];
    float min_alpha;                   /* 0..1 (clamped); CATEGORY_MIN_ALPHA as datashader */
} category_look;

/* total[i] = the sum of cat[c * pixels + i] over the enabled categories c <
 * ncat (cat: ncat planes of `pixels` counts, each bottom row first). The
 * totals are what the tone map is built from: tonemap_table_build(l->tonemap,
 * total, pixels, &t). False (nothing written) when ncat is not in
 * 1..CATEGORY_MAX. Cost: one pass over the planes; no allocation. */
bool category_totals(const category_look *l, const uint32_t *cat, size_t pixels, uint64_t *total);

/* Writes picture rows [y0, y1) (y = 0 is the top row, picture row y is grid
 * row h - 1 - y, as value_shade_rows and shade_rows) into out, rows stride
 * bytes apart, w * channels bytes each (3: RGB, 4: RGBA), by the rule above.
 * cat: ncat planes of w * h counts; total: category_totals' output for the
 * same look (it decides emptiness and alpha; the colour's weights are the
 * planes' own enabled counts); t: the table built from total, of kind
 * l->tonemap. Thread-safe for disjoint row ranges. False with err set when
 * ncat, channels, the rows or t's kind do not fit, or out of memory (each
 * call builds a shade table from t, as shade.h does, and allocates a row of
 * sums: call it for strips of rows, not row by row). */
bool category_shade_rows(const category_look *l, const uint32_t *cat, const uint64_t *total,
                         const tonemap_table *t, int w, int h, int y0, int y1, uint8_t *out,
                         size_t stride, int channels, vp_err *err);

#endif
