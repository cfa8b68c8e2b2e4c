#ifndef VP_OVERLAY_LAYOUT_H
#define VP_OVERLAY_LAYOUT_H
/* Where every piece of the overlay goes, in pixels (origin top-left, y down),
 * worked out on the CPU from the font's measurements. overlay.c turns a
 * layout into quads; the tests check the pixels against it. Internal to the
 * overlay module and its tests. */
#include <stdbool.h>
#include <stdint.h>

#include "overlay/font.h"
#include "overlay/overlay.h"
#include "overlay/ticks.h"

#define OVERLAY_TEXT_LEN 256
#define OVERLAY_CBAR_LABELS 64
#define OVERLAY_HELP_LINES 48
#define OVERLAY_MAX_TEXTS (2 * TICKS_MAX + OVERLAY_CBAR_LABELS + OVERLAY_HELP_LINES + 8)
#define OVERLAY_MAX_SOLIDS (2 * TICKS_MAX + OVERLAY_CBAR_LABELS + 8)

typedef enum overlay_role {
    OVERLAY_TITLE,
    OVERLAY_XLABEL,
    OVERLAY_YLABEL,
    OVERLAY_XTICK,
    OVERLAY_YTICK,
    OVERLAY_YOFFSET,    /* "+1.7e+09": y tick labels are value - this */
    OVERLAY_CBAR_TICK,  /* a count on the colorbar */
    OVERLAY_CBAR_TITLE, /* "count" */
    OVERLAY_STATUS,
    OVERLAY_HELP        /* a line of the help box */
} overlay_role;

/* Titles are set a size up from everything else, as in print. */
#define OVERLAY_TITLE_SCALE 1.2f

typedef struct overlay_fonts {
    const font *text;  /* ticks, axis labels, status */
    const font *title; /* the title, OVERLAY_TITLE_SCALE times larger */
} overlay_fonts;

typedef struct overlay_text {
    overlay_role role; /* OVERLAY_TITLE is in the title font, the rest in the text font */
    bool numeric;      /* '-' drawn as U+2212, no kerning */
    bool vertical;     /* turned 90 degrees counter-clockwise, reading upwards */
    bool on_top;       /* drawn last, over a backdrop (help lines; status without axes) */
    int x, y;          /* pen: start of the baseline (vertical: it runs up from here) */
    double value;      /* ticks: the data value; colorbar: the count; else 0 */
    overlay_rect box;  /* every pixel the text may touch */
    char text[OVERLAY_TEXT_LEN];
} overlay_text;

/* Sizes that depend only on the font and the params: fixed for an overlay. */
typedef struct overlay_metrics {
    float em;                    /* font size, pixels per em */
    int asc, desc, line_h;       /* whole pixels above / below the baseline; their sum */
    int digit_h;                 /* ink height of digits, for centring labels on ticks */
    int half_up, half_down;      /* a label centred on y stays in [y - half_up, y + half_down] */
    int pad, lw, tick_len, tick_gap, row_gap;
    int cb_gap, cb_w;            /* plot frame to colorbar; colorbar width */
    int ylab_w, cblab_w;         /* widest y tick / colorbar label that fits */
    float xgap, ygap;            /* free space between neighbouring tick labels */
    int left, right, top, bottom; /* margins around the plot */
    int title_asc, title_line_h; /* the title font's ascent and line height */
    int title_top, annot_top;    /* top of the title row and of the row above the plot */
    bool colorbar;               /* room kept for one */
} overlay_metrics;

typedef struct overlay_layout {
    int win_w, win_h;
    overlay_rect plot;
    overlay_rect cbar;  /* the colour ramp; w == 0: no colorbar this frame */
    float cbar_floor;
    int n_text, n_solid;
    overlay_text text[OVERLAY_MAX_TEXTS];
    overlay_rect solid[OVERLAY_MAX_SOLIDS]; /* frame lines and tick marks, text colour */
    /* drawn last, in this order: backdrops (a colour that sets the text off
     * from whatever is below), their outlines in the text colour, then the
     * on_top texts */
    int n_back, n_outline;
    overlay_rect back[2];    /* the help box; the status line's strip without axes */
    overlay_rect outline[4]; /* the help box's border */
} overlay_layout;

/* p must have its defaults resolved (font_px, dpi_scale non-zero). */
void overlay_metrics_compute(const overlay_fonts *f, const overlay_params *p, overlay_metrics *m);
overlay_rect overlay_metrics_plot(const overlay_metrics *m, int win_w, int win_h);
void overlay_layout_compute(const overlay_fonts *f, const overlay_metrics *m,
                            const overlay_params *p, const overlay_frame *fr, overlay_layout *out);

/* Colormap entry of colorbar row r (0 = bottom) of a bar h rows high: the
 * level at the row's middle, mapped exactly as the tone-map shader does. */
int overlay_cbar_index(float floor, int r, int h);

/* The layout overlay_draw would use for fr (the tests' view of it). */
void overlay_layout_of(const overlay *o, const overlay_frame *fr, overlay_layout *out);

#endif
