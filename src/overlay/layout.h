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
#define OVERLAY_MAX_TEXTS                                                                                  \
    (2 * TICKS_MAX + OVERLAY_CBAR_LABELS + OVERLAY_HELP_LINES + CATEGORY_MAX + OVERLAY_MAX_ANNOTS + 8)
#define OVERLAY_MAX_SOLIDS (2 * TICKS_MAX + OVERLAY_CBAR_LABELS + 12)
/* a legend row's swatch: one rect, or four for a hollow one */
#define OVERLAY_MAX_SWATCHES (4 * CATEGORY_MAX)
/* bytes of a cut legend label: OVERLAY_LEGEND_CHARS characters of up to 4 bytes */
#define OVERLAY_LEGEND_LABEL (4 * OVERLAY_LEGEND_CHARS + 1)

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
    OVERLAY_HELP,       /* a line of the help box */
    OVERLAY_LEGEND,     /* a legend row's label, or its "+N more" */
    OVERLAY_ANNOT       /* an annotation's label */
} overlay_role;

/* Disabled legend rows: the text colour's alpha times this / 255. */
#define OVERLAY_DIM_ALPHA 100

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
    bool dim;          /* drawn in the text colour at OVERLAY_DIM_ALPHA of its opacity */
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

/* The legend an overlay holds (overlay_set_legend's copy). */
typedef struct overlay_legend {
    int n;                                /* rows; 0: no legend */
    char (*labels)[OVERLAY_LEGEND_LABEL]; /* cut to OVERLAY_LEGEND_CHARS characters */
    float width[CATEGORY_MAX];            /* of each label in the text font */
    uint8_t colors[CATEGORY_MAX][4];
} overlay_legend;

/* Copies a label, cut to OVERLAY_LEGEND_CHARS characters (UTF-8 code points)
 * with the last one an ellipsis when it is longer; control characters become
 * spaces. */
void overlay_legend_cut(const char *label, char out[OVERLAY_LEGEND_LABEL]);

/* An arrow of an annotation, in pixels: the shaft (clipped to the plot
 * rect), width w, and its head, a filled triangle whose tip is the arrow's
 * head (shown only when the tip is in the plot rect). */
typedef struct overlay_arrow {
    float x0, y0, x1, y1, w;
    bool head;
    float tri[3][2]; /* tip first */
} overlay_arrow;

typedef struct overlay_layout {
    int win_w, win_h;
    overlay_rect plot;
    overlay_rect cbar;  /* the colour ramp; w == 0: no colorbar this frame */
    float cbar_floor;
    bool cbar_value;    /* a value bar: rows by overlay_vbar_index, not overlay_cbar_index */
    overlay_rect legend; /* the legend's box, border included; w == 0: none */
    int legend_rows, legend_cols, legend_shown; /* rows a column; columns; categories shown */
    int n_swatch;
    overlay_rect swatch[OVERLAY_MAX_SWATCHES];     /* legend swatches, in their colour */
    uint8_t swatch_rgba[OVERLAY_MAX_SWATCHES][4];
    int n_text, n_solid;
    overlay_text text[OVERLAY_MAX_TEXTS];
    overlay_rect solid[OVERLAY_MAX_SOLIDS]; /* frame lines and tick marks, text colour */
    /* drawn last, in this order: backdrops (a colour that sets the text off
     * from whatever is below), their outlines in the text colour, then the
     * on_top texts */
    int n_back, n_outline;
    overlay_rect back[2];    /* the help box; the status line's strip without axes */
    overlay_rect outline[4]; /* the help box's border */
    /* annotations: drawn over the picture, before the texts: backdrops
     * (behind their labels), then the arrows (a halo in the backdrop colour,
     * then the ink) */
    int n_annot_back, n_arrow;
    overlay_rect annot_back[OVERLAY_MAX_ANNOTS];
    overlay_arrow arrow[OVERLAY_MAX_ANNOTS];
} overlay_layout;

/* p must have its defaults resolved (font_px, dpi_scale non-zero). */
void overlay_metrics_compute(const overlay_fonts *f, const overlay_params *p, overlay_metrics *m);
/* The plot rect: the margins, and the legend's width right of them (lg may
 * be NULL or empty: none). */
overlay_rect overlay_metrics_plot(const overlay_metrics *m, const overlay_fonts *f,
                                  const overlay_legend *lg, int win_w, int win_h);
void overlay_layout_compute(const overlay_fonts *f, const overlay_metrics *m,
                            const overlay_params *p, const overlay_legend *lg,
                            const overlay_frame *fr, overlay_layout *out);

/* Colormap entry of colorbar row r (0 = bottom) of a bar h rows high: the
 * level at the row's middle, mapped exactly as the tone-map shader does. */
int overlay_cbar_index(float floor, int r, int h);
/* The same for a value bar: the entry of the value at the row's middle,
 * floor((r + 0.5) / h * 256) (look/valshade.h's rule on [0, 1]), computed in
 * integers as floor((2r + 1) * 128 / h), clamped to 0..255. */
int overlay_vbar_index(int r, int h);

/* The layout overlay_draw would use for fr (the tests' view of it). */
void overlay_layout_of(const overlay *o, const overlay_frame *fr, overlay_layout *out);

#endif
