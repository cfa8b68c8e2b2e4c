#ifndef VP_COMPOSE_H
#define VP_COMPOSE_H
/* A whole picture offscreen: background, the tone-mapped grid in the plot
 * rectangle, the overlay around it; read back top row first. Shared by
 * `render --overlay` and the viewer's scaled screenshots, so both draw what
 * the window shows. Needs a current GL context. */
#include <stdbool.h>
#include <stdint.h>

#include "accum/view.h"
#include "core/err.h"
#include "gl/tonemap_pass.h"
#include "out/atomic_file.h"
#include "overlay/overlay.h"

typedef struct compose_params {
    int w, h;                  /* the picture */
    overlay *ov;               /* NULL: no overlay; plot must then be the whole picture */
    overlay_rect plot;         /* where the grid goes (top-left origin) */
    const view *v;             /* the grid's view (its size is the plot's) */
    tonemap_pass *tp;          /* with the grid uploaded (tonemap_pass_set) */
    const tonemap_table *table;
    const uint8_t (*cmap)[4];
    float floor;
    const uint8_t *background; /* RGBA */
    const char *status;        /* status line, or NULL */
} compose_params;

/* GL rows go up, pictures go down: reverses the row order in place
 * (rgba: w*h*4 bytes); false when out of memory. */
bool compose_flip_rows(uint8_t *rgba, int w, int h);

/* rgba: w*h*4 bytes, top row first. */
bool compose_readback(const compose_params *p, uint8_t *rgba, vp_err *err);

/* The picture of a grid without overlay (what tonemap_pass_render reads back,
 * pixel for pixel: both evaluate look/shade.h), tone-mapped on the CPU by
 * `threads` workers (0: one per core) strip by strip straight into the PNG
 * encoder (png_encode_rows), so no whole RGB(A) image, float copy or GL
 * target is ever held: memory beyond the grid is a few MiB per thread. RGBA
 * when the background is translucent, else RGB. No GL needed. */
bool compose_write_png(atomic_file *af, const uint64_t *counts, int w, int h,
                       const tonemap_look *look, int threads, vp_err *err);

#endif
