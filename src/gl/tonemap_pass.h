#ifndef VP_TONEMAP_PASS_H
#define VP_TONEMAP_PASS_H
/* The GL tone-map pass: a count grid in, an RGBA8 picture out (read back for
 * PNG output). Needs a current GL 4.5 context. */
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "look/colormap.h"
#include "look/tonemap.h"

typedef struct tonemap_pass tonemap_pass;

typedef struct tonemap_look {
    const tonemap_table *table;
    uint8_t cmap[COLORMAP_SIZE][4];
    uint8_t background[4];
    float floor; /* colormap position of the smallest non-zero count, 0..1 */
} tonemap_look;

/* Compiles the shaders for one tone map (cheap to do while the accumulation
 * runs); tables of other kinds are refused by tonemap_pass_render. */
bool tonemap_pass_create(tonemap_kind kind, tonemap_pass **out, vp_err *err);
void tonemap_pass_destroy(tonemap_pass *t); /* NULL is fine */

/* Renders a 1x1 picture to get lazy shader compilation out of the way. */
bool tonemap_pass_warm(tonemap_pass *t, vp_err *err);

/* Fails, naming the limit, when GL cannot hold a w x h picture. */
bool tonemap_pass_check_size(int w, int h, vp_err *err);

/* counts: w*h, bottom row first. rgba: w*h*4 bytes, written top row first. */
bool tonemap_pass_render(tonemap_pass *t, const uint64_t *counts, int w, int h,
                         const tonemap_look *look, uint8_t *rgba, vp_err *err);

#endif
