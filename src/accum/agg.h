#ifndef VP_AGG_H
#define VP_AGG_H
/* Aggregates of a third column w per pixel (--value COL --agg ..., --by COL):
 * what every engine fills, bit for bit alike, so the engines agree exactly and
 * the result never depends on the threads or the order of the chunks.
 *
 * A sample is (x, y, w) with all three finite (the loader skips the others
 * and counts them as non-finite). It lands in the pixel of view.h's rule.
 *
 * Per pixel, by kind:
 *   count            n: samples
 *   sum, mean        n, S1 = sum of d(w)
 *   std, var         n, S1, S2 = sum of d(w)^2
 *   min, max         n, the least / greatest w (exact doubles; -0 < +0)
 *   categories       per category c < ncat: samples whose w is the integer c
 *                    (w not an integer in [0, ncat): not drawn, counted in
 *                    agg_stats.bad_category)
 *
 * Sums are in fixed point, exact integer arithmetic (agg_fixed): every w
 * becomes d(w) = rint((w - c) * 2^-e), an integer with |d| <= 2^40, where c
 * (the centre) and 2^e (the quantum q) come from the range of w over the
 * whole data, [wlo, whi]: c = wlo + (whi - wlo) / 2 (doubles), R = max(whi - c,
 * c - wlo), e = frexp exponent of R minus 40 (so R < 2^(e + 40)). Integer sums
 * are associative: any order gives the same S1 and S2. S1 is a signed 128-bit
 * integer and S2 an unsigned 128-bit one, so no pixel can overflow below 2^47
 * samples.
 *
 * Error bound of one value: |c + d(w) q - w| <= q/2 + 2^-53 |w - c| <=
 * q/2 + 2^-53 R <= (1 + 2^-12) q / 2, i.e. about 2^-41 R; so
 *   sum:  |err| <= n (1 + 2^-12) q / 2    (+ the final rounding to double)
 *   mean: |err| <= (1 + 2^-12) q / 2      (+ rounding)
 *   std:  |err| <= (1 + 2^-12) q / 2      (+ rounding; var from std)
 * var is computed exactly from n, S1, S2 (n S2 - S1^2 in 256-bit integers)
 * and rounded once. min and max are exact. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef enum agg_kind {
    AGG_COUNT = 0,
    AGG_SUM,
    AGG_MEAN,
    AGG_MIN,
    AGG_MAX,
    AGG_STD,
    AGG_VAR,
    AGG_CATEGORIES /* --by */
} agg_kind;

/* Categories per picture, at most (codes 0..AGG_MAX_CATEGORIES-1). */
#define AGG_MAX_CATEGORIES 64
/* Fraction bits below R: |d| <= 2^AGG_FIXED_BITS. */
#define AGG_FIXED_BITS 40

/* "count", "sum", ... (not "categories"); false for anything else. */
bool agg_kind_from_name(const char *s, agg_kind *out);
const char *agg_kind_name(agg_kind k);
/* What the kind keeps per pixel. */
bool agg_needs_sum(agg_kind k);    /* S1: sum mean std var */
bool agg_needs_sumsq(agg_kind k);  /* S2: std var */
bool agg_needs_range(agg_kind k);  /* the w range before binning: sum mean std var (the fixed
                                    * point), categories (how many codes) */

typedef struct agg_fixed {
    double center; /* c */
    double scale;  /* 2^-e: d = rint((w - c) * scale) */
    double quantum;/* 2^e */
} agg_fixed;

/* From the range of the finite w of the data (wlo <= whi). */
agg_fixed agg_fixed_for_range(double wlo, double whi);
/* d(w); w inside the range it was made for. rint: round half to even. */
static inline int64_t agg_fixed_of(const agg_fixed *f, double w)
{
    return (int64_t)__builtin_rint((w - f->center) * f->scale);
}

/* The per-pixel state, bottom row first like the count grid: index =
 * row * w + column. Arrays not needed by the kind are NULL. */
typedef struct agg_grid {
    agg_kind kind;
    int w, h;
    int ncat;              /* categories: planes in cat */
    agg_fixed fx;          /* sums: the fixed point */
    uint64_t *count;       /* samples per pixel (categories: of every category) */
    __int128 *s1;          /* sum of d */
    unsigned __int128 *s2; /* sum of d^2 */
    double *lo, *hi;       /* min / max of w; only where count > 0 */
    uint32_t *cat;         /* ncat planes of w*h: cat[c * w * h + index] */
} agg_grid;

/* Zeroed state for a w x h view (ncat for categories; fx for sums). */
bool agg_grid_create(agg_kind kind, int w, int h, int ncat, const agg_fixed *fx, agg_grid **out,
                     vp_err *err);
void agg_grid_destroy(agg_grid *g); /* NULL is fine */
void agg_grid_clear(agg_grid *g);
/* Bytes it holds. */
size_t agg_grid_bytes(const agg_grid *g);
/* Adds src into dst (same kind, size, fixed point): exact. False (err) when
 * a category count would pass 2^32 - 1. */
bool agg_grid_merge(agg_grid *dst, const agg_grid *src, vp_err *err);

/* One sample into pixel i, for the kinds with one plane (not categories). */
static inline void agg_grid_add(agg_grid *g, size_t i, double w)
{
    g->count[i]++;
    if (g->s1) {
        int64_t d = agg_fixed_of(&g->fx, w);
        g->s1[i] += d;
        if (g->s2)
            g->s2[i] += (unsigned __int128)((__int128)d * d);
    }
    if (g->lo) {
        double c = g->lo[i];
        if (g->count[i] == 1 || w < c || (w == c && __builtin_signbit(w)))
            g->lo[i] = w;
    }
    if (g->hi) {
        double c = g->hi[i];
        if (g->count[i] == 1 || w > c || (w == c && !__builtin_signbit(w)))
            g->hi[i] = w;
    }
}

/* One sample of category c (0..ncat-1) into pixel i; false (err set) when
 * that category's count there would pass 2^32 - 1. */
static inline bool agg_grid_add_category(agg_grid *g, size_t i, int c, vp_err *err)
{
    uint32_t *cell = &g->cat[(size_t)c * (size_t)g->w * (size_t)g->h + i];
    if (*cell == UINT32_MAX)
        return vp_err_set(err, "more than %u samples of category %d in one pixel", UINT32_MAX, c);
    ++*cell;
    g->count[i]++;
    return true;
}

/* Category code of w: 0..ncat-1, or -1 (not an integer in range). */
static inline int agg_category_of(double w, int ncat)
{
    if (!(w >= 0.0 && w < (double)ncat))
        return -1;
    int c = (int)w;
    return (double)c == w ? c : -1;
}

/* The reduced value of pixel i as a double: NaN where the pixel has no
 * sample (and for categories: the count of the top category). */
double agg_grid_value(const agg_grid *g, size_t i);
/* Every pixel's value (w*h doubles, NaN where empty); min and max of those
 * values over the non-empty pixels (both NaN when none). */
void agg_grid_values(const agg_grid *g, double *out, double *vmin, double *vmax);

typedef struct agg_stats {
    uint64_t bad_category; /* w not a category code */
} agg_stats;

#endif
