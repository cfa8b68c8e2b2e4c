#ifndef VP_TONEMAP_PASS_H
#define VP_TONEMAP_PASS_H
/* The GL tone-map pass: a count grid in, coloured pixels out - into the
 * current framebuffer (the viewer) or read back (PNG output). One rendering
 * path for both. Counts become colormap entries on the CPU (look/shade.h,
 * uploaded as 2 bytes a pixel), so these pixels equal the CPU tone-mapper's
 * (shade_rows). Needs a current GL 4.5 context. */
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
    int spread;  /* point size - 1 over 2: each pixel shows the largest count within this radius */
} tonemap_look;

/* Compiles the shaders for one tone map (cheap to do while the accumulation
 * runs); tables of other kinds are refused. */
bool tonemap_pass_create(tonemap_kind kind, tonemap_pass **out, vp_err *err);
void tonemap_pass_destroy(tonemap_pass *t); /* NULL is fine */

/* Renders a 1x1 picture to get lazy shader compilation out of the way. */
bool tonemap_pass_warm(tonemap_pass *t, vp_err *err);

/* Fails, naming the limit, when GL cannot hold a w x h picture. */
bool tonemap_pass_check_size(int w, int h, vp_err *err);

/* Uploads a grid (w*h counts, bottom row first) and the look; keeps them until
 * the next call. */
bool tonemap_pass_set(tonemap_pass *t, const uint64_t *counts, int w, int h,
                      const tonemap_look *look, vp_err *err);

/* The same from counts that are on the GPU already: counts is an r32ui
 * texture of w x h (bottom row first), kept by the caller until the next set;
 * the shader shades each count by the same table (look->table, floor), so
 * the pixels equal tonemap_pass_set's for the same counts. */
bool tonemap_pass_set_image(tonemap_pass *t, unsigned counts, int w, int h, const tonemap_look *look,
                            vp_err *err);

/* Picture mode: uploads a finished picture (value or category shading,
 * look/valshade.h, look/catshade.h) that tonemap_pass_draw then shows in place
 * of tone-mapped counts, with the same placement, nearest sampling, no
 * blending: the bytes land in the framebuffer as given (alpha too). rgba: w *
 * h * 4 bytes, RGBA8, TOP row first (as value_shade_rows writes it); copied,
 * so the caller may free it on return. Where the placement reaches outside
 * the picture nothing is drawn (the caller's clear shows there). Kept until
 * the next tonemap_pass_set, _set_image or _set_rgba, which switch the mode.
 * False, naming the size, when GL refuses the texture. */
bool tonemap_pass_set_rgba(tonemap_pass *t, const uint8_t *rgba, int w, int h, vp_err *err);

/* Where the uploaded grid goes: src_x/src_y/src_w/src_h is the part of the
 * grid (in grid pixels, may reach outside it: background there) shown in the
 * GL viewport vx, vy, vw, vh (bottom-left origin) of the bound framebuffer.
 * The identity is {0, 0, w, h} onto a w x h viewport. */
typedef struct tonemap_placement {
    int vx, vy, vw, vh;
    double src_x, src_y, src_w, src_h;
} tonemap_placement;

/* Draws the uploaded grid (or picture) into the bound framebuffer. flip: grid
 * row 0 at the top of the viewport (for readback as a top-down picture; a
 * picture set by tonemap_pass_set_rgba then reads back in its own row order). */
void tonemap_pass_draw(tonemap_pass *t, const tonemap_placement *pl, bool flip);

/* set + draw into an offscreen RGBA8 target + read back: rgba is w*h*4 bytes,
 * top row first. */
bool tonemap_pass_render(tonemap_pass *t, const uint64_t *counts, int w, int h,
                         const tonemap_look *look, uint8_t *rgba, vp_err *err);

#endif
