#ifndef VP_SHADE_H
#define VP_SHADE_H
/* Count -> colormap entry: the one definition of which colour a pixel gets.
 * Built on the CPU from a tone-map table (look/tonemap.h) and the colormap
 * floor; both the CPU tone-mapper (shade_rows) and the GL pass
 * (gl/tonemap_pass.c, which uploads shade_of() per pixel) evaluate it, so the
 * two give the same pixels by construction, whatever the GL's float maths.
 *
 * The entry of a non-zero count c is round((floor + (1 - floor) * level(c)) *
 * 255), in double (tonemap_level), made monotonic in c: shade values compare
 * like the counts they stand for, so "the largest count within a radius"
 * (point size) is the largest shade within it. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "look/colormap.h"
#include "look/tonemap.h"

/* Counts below this are looked up directly (128 KiB of table). */
#define SHADE_LUT_MAX 65536u

typedef struct shade_table {
    uint16_t *lut;        /* lut[c] for c < lut_len: 0 for c == 0, else 1 + entry */
    uint32_t lut_len;     /* min(cmax + 1, SHADE_LUT_MAX), at least 1 */
    /* counts >= lut_len: 1 + max(lut[lut_len - 1] - 1, #{k : above[k] <= c}),
     * above[k - 1] = the smallest such count whose entry is >= k (UINT64_MAX
     * when none) */
    uint64_t above[COLORMAP_SIZE - 1];
} shade_table;

/* Returns false only when out of memory. floor as tonemap_look's. */
bool shade_table_build(const tonemap_table *t, float floor, shade_table *out);
void shade_table_free(shade_table *s); /* a zeroed table is fine */

/* Hot path. 0: background; else 1 + the colormap entry. */
static inline uint16_t shade_of(const shade_table *s, uint64_t c)
{
    if (c < s->lut_len)
        return s->lut[c];
    uint32_t lo = 0, hi = COLORMAP_SIZE - 1; /* entries k with above[k - 1] <= c: [1, lo] */
    while (lo < hi) {
        uint32_t mid = (lo + hi + 1) / 2;
        if (s->above[mid - 1] <= c)
            lo = mid;
        else
            hi = mid - 1;
    }
    uint16_t base = s->lut[s->lut_len - 1];
    return (uint16_t)(lo + 1) > base ? (uint16_t)(lo + 1) : base;
}

/* shade_of for n counts. */
void shade_grid(const shade_table *s, const uint64_t *counts, size_t n, uint16_t *out);

/* The picture of a grid, rows top first, as the GL pass draws it at the
 * identity placement (flipped for readback). */
typedef struct shade_picture {
    const uint64_t *counts;   /* w*h, bottom row first */
    int w, h;
    const shade_table *table;
    const uint8_t (*cmap)[4]; /* COLORMAP_SIZE entries */
    uint8_t background[4];    /* zero counts */
    int spread;               /* 0..4: each pixel shows the largest count within this radius */
    int channels;             /* 4: RGBA; 3: RGB (alpha dropped) */
} shade_picture;

/* Writes picture rows [y0, y1) (y = 0 the top row) into out, rows stride bytes
 * apart, w * channels bytes each: background for empty pixels, else the
 * colormap entry with alpha 255. Thread-safe for disjoint row ranges; false
 * only when out of memory (spread > 0 needs a row of scratch). */
bool shade_rows(const shade_picture *p, int y0, int y1, uint8_t *out, size_t stride);

#endif
