#ifndef VP_TONEMAP_H
#define VP_TONEMAP_H
/* Tone maps: count -> level in [0,1]. The CPU half lives here (statistics of the
 * count grid, the eq-hist tables, and a reference tonemap_level() used by the
 * tests). look/shade.h turns levels into colormap entries for the GL pass and
 * the CPU tone-mapper alike.
 * Zero counts are background and have no level. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum tonemap_kind {
    TONEMAP_LINEAR, TONEMAP_LOG, TONEMAP_SQRT, TONEMAP_CBRT, TONEMAP_EQ_HIST
} tonemap_kind;

bool tonemap_parse(const char *s, tonemap_kind *out);
const char *tonemap_name(tonemap_kind k);

/* Counts below this are looked up directly in the eq-hist LUT. */
#define TONEMAP_LUT_MAX 65536u

typedef struct tonemap_table {
    tonemap_kind kind;
    uint64_t cmin, cmax;    /* smallest and largest non-zero count (0,0 if none) */
    uint64_t nonzero;       /* pixels with a non-zero count */
    /* linear/log/sqrt/cbrt: level = (f(c) - fmin) / (fmax - fmin), f = identity,
     * log1p, sqrt or cbrt; 1 when fmax == fmin. */
    double fmin, fmax;
    /* eq-hist: level(c) = (F(c) - F(cmin)) / (1 - F(cmin)), F(c) = fraction of
     * non-zero pixels with a count <= c; 1 when every pixel has the same count.
     * lut[c] for c < lut_len (lut_len = min(cmax + 1, TONEMAP_LUT_MAX));
     * counts >= lut_len: big_values[] ascending, distinct, with big_levels[]. */
    float *lut;
    uint32_t lut_len;
    uint64_t *big_values;
    float *big_levels;
    uint32_t big_len;
} tonemap_table;

/* Builds the statistics (and for eq-hist the tables) from a grid of n counts.
 * Returns false only when out of memory. */
bool tonemap_table_build(tonemap_kind kind, const uint64_t *counts, size_t n, tonemap_table *out);
void tonemap_table_free(tonemap_table *t);
/* Reference level in [0,1] for a non-zero count c (any c, also ones not in the
 * grid: eq-hist takes the level of the largest grid value <= c). */
double tonemap_level(const tonemap_table *t, uint64_t c);

#endif
