#ifndef VP_OVERLAY_H
#define VP_OVERLAY_H
/* The overlay a person reads: axes with nice ticks and non-overlapping
 * numeric labels, a colorbar whose labels match the tone map, a title, axis
 * labels and a status line, drawn with a real font (stb_truetype, the TTF in
 * assets/fonts embedded at build time) on top of the density picture. Used by
 * `vastplot render --overlay` and by the viewer, so both draw the same. Needs a
 * current GL 4.5 context; draws into the currently bound framebuffer. */
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "look/colormap.h"
#include "look/tonemap.h"

typedef struct overlay overlay;

/* Pixel rectangle, origin at the TOP-left of the window/picture, y down. */
typedef struct overlay_rect {
    int x, y, w, h;
} overlay_rect;

typedef struct overlay_params {
    const char *title;   /* NULL: none */
    const char *xlabel;  /* NULL: none */
    const char *ylabel;  /* NULL: none */
    float font_px;       /* 0 = default, scaled by dpi_scale */
    float dpi_scale;     /* 0 = 1 (high-DPI windows pass 2) */
    bool colorbar;       /* draw the colorbar (default true via overlay_params_default) */
} overlay_params;

void overlay_params_default(overlay_params *p);

bool overlay_create(const overlay_params *p, overlay **out, vp_err *err);
void overlay_destroy(overlay *o); /* NULL is fine */

/* Where the density picture goes inside a win_w x win_h target once margins
 * for ticks, labels, title and colorbar are taken. Always at least 1x1. */
overlay_rect overlay_plot_rect(const overlay *o, int win_w, int win_h);

typedef struct overlay_frame {
    int win_w, win_h;          /* target size in pixels */
    overlay_rect plot;         /* as returned by overlay_plot_rect */
    double x0, x1, y0, y1;     /* data limits shown in the plot rect (x0 left, y0 bottom) */
    const tonemap_table *table;            /* for the colorbar; NULL: no colorbar */
    const uint8_t (*cmap)[4];              /* COLORMAP_SIZE entries */
    float floor;                           /* as tonemap_look.floor */
    const char *status;        /* status line text at the bottom, or NULL */
    const uint8_t *text_rgba;  /* colour of text and axes; NULL: white */
    bool axes;                 /* false: only the status line (and help) - the overlay is hidden */
    const char *help;          /* multi-line text shown in a box in the middle, or NULL */
} overlay_frame;

/* Draws everything except the picture itself (which the caller has drawn into
 * frame->plot). Blending on, depth off; restores the state it changes. */
bool overlay_draw(overlay *o, const overlay_frame *frame, vp_err *err);

#endif
