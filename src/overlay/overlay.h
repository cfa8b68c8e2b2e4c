#ifndef VP_OVERLAY_H
#define VP_OVERLAY_H
/* The overlay a person reads: axes with nice ticks and non-overlapping
 * numeric labels, a colorbar whose labels match the tone map (or a value
 * range), a legend of categories, a title, axis labels and a status line, drawn with a real font (stb_truetype, the TTF in
 * assets/fonts embedded at build time) on top of the density picture. Used by
 * `vastplot render --overlay` and by the viewer, so both draw the same. Needs a
 * current GL 4.5 context; draws into the currently bound framebuffer. */
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "look/colormap.h" /* COLORMAP_SIZE, CATEGORY_MAX */
#include "look/tonemap.h"
#include "overlay/timeaxis.h"

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
    /* x is a time (overlay_frame.x_time): a row under the x tick labels is
     * kept for the date (or year) the labels leave out, with the x label */
    bool time_x;
} overlay_params;

void overlay_params_default(overlay_params *p);

bool overlay_create(const overlay_params *p, overlay **out, vp_err *err);
void overlay_destroy(overlay *o); /* NULL is fine */

/* Where the density picture goes inside a win_w x win_h target once margins
 * for ticks, labels, title, colorbar and legend are taken. Always at least
 * 1x1. */
overlay_rect overlay_plot_rect(const overlay *o, int win_w, int win_h);

/* The legend of a category picture: n rows of a colour swatch and a label,
 * in a box right of the plot (right of the colorbar's place when the overlay
 * has one), top-aligned with it. labels (UTF-8) and colors (RGB used, drawn
 * opaque) are copied; n = 0 removes the legend. Labels longer than
 * OVERLAY_LEGEND_CHARS characters are cut to that many, the last an ellipsis
 * (U+2026), and any that still do not fit the legend's width are cut there.
 * Rows go in columns (as many as the plot's height needs, at most
 * OVERLAY_LEGEND_COLS; rows beyond those end in a "+N more" row), so 64
 * categories fit a 1080-pixel-high window in two. overlay_plot_rect leaves
 * room for it from then on, so the plot shrinks and never lies under it.
 * False (the legend unchanged) when n is not in 0..CATEGORY_MAX, a label is
 * NULL, or out of memory. Rare: when the categories are known. */
#define OVERLAY_LEGEND_CHARS 24
#define OVERLAY_LEGEND_COLS 4
bool overlay_set_legend(overlay *o, int n, const char *const *labels, const uint8_t (*colors)[4],
                        vp_err *err);

/* An annotation at data coordinates (a view file's "text" or "arrow"): a
 * label whose baseline starts at (x0, y0), or an arrow from its tail (x0,
 * y0) to its head (x1, y1) with the label (may be "") beside the tail, on
 * the side away from the head. Drawn over the picture in the text colour,
 * on a translucent backdrop that keeps it readable on any density; the
 * parts outside the plot rect are left out (a label whose anchor is
 * outside is not drawn; one near an edge is moved inside). Inline text: a
 * copy of the struct is whole. */
#define OVERLAY_ANNOT_TEXT 256
#define OVERLAY_MAX_ANNOTS 32
typedef struct overlay_annot {
    bool arrow;
    double x0, y0, x1, y1;
    char text[OVERLAY_ANNOT_TEXT]; /* UTF-8 */
} overlay_annot;

typedef struct overlay_frame {
    int win_w, win_h;          /* target size in pixels */
    overlay_rect plot;         /* as returned by overlay_plot_rect */
    double x0, x1, y0, y1;     /* data limits shown in the plot rect (x0 left, y0 bottom) */
    /* x values are instants (timeaxis.h): calendar ticks with labels that
     * adapt to the span (years .. ns), and what they leave out ("2024-03-05")
     * after the x label. NULL: numeric ticks. */
    const time_axis *x_time;
    const tonemap_table *table;            /* for the colorbar; NULL: no count colorbar */
    const uint8_t (*cmap)[4];              /* COLORMAP_SIZE entries */
    float floor;                           /* as tonemap_look.floor */
    /* A value colorbar instead of the counts': the colormap spread linearly
     * from value_min (bottom) to value_max (top), row r of h showing entry
     * value_entry(value_min, value_max, v) for the value v at the row's
     * middle (look/valshade.h), with nice numeric ticks. Needs cmap, not
     * table; value_min > value_max (a reversed map) runs the ticks downwards.
     * Limits that are not finite or equal: the bare ramp, no ticks. */
    bool value_bar;
    double value_min, value_max;
    /* Text above the colorbar, where the count bar says "count": the name of
     * what it shows ("mean of mag"); cut to fit the window. NULL: "count" on
     * a count bar (as before), nothing on a value bar; "": nothing. A value
     * bar whose ticks need offset notation shows the offset after it. */
    const char *bar_label;
    /* A count bar's labels are counts times this (normalized lines: 1 /
     * LINES_UNIT, labels in series); 0 means 1. */
    double count_unit;
    /* The legend's rows (overlay_set_legend): legend_on[i] false draws row i
     * dimmed, its swatch hollow (a disabled category). NULL: all on;
     * otherwise as many flags as the legend has rows. */
    const bool *legend_on;
    const char *status;        /* status line text at the bottom, or NULL */
    const uint8_t *text_rgba;  /* colour of text and axes; NULL: white */
    bool axes;                 /* false: only the status line (and help) - the overlay is hidden */
    const char *help;          /* multi-line text shown in a box in the middle, or NULL */
    /* annotations, with or without axes; at most OVERLAY_MAX_ANNOTS drawn */
    const overlay_annot *annots;
    int n_annots;
} overlay_frame;

/* Draws everything except the picture itself (which the caller has drawn into
 * frame->plot). Blending on, depth off; restores the state it changes. */
bool overlay_draw(overlay *o, const overlay_frame *frame, vp_err *err);

#endif
