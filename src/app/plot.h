#ifndef VP_PLOT_H
#define VP_PLOT_H
/* The plot: the one owner of "inputs + view + look -> counts -> picture",
 * shared by `render` and the viewer, so a viewer screenshot and `render` of
 * the same view are the same code, not two that agree.
 *
 *   dataset --(accumulate | refine)--> count grid --(tone map, colormap,
 *   overlay)--> picture: drawn into the bound framebuffer (the window), read
 *   back (RGBA), or streamed into a PNG.
 *
 * The grid covers the plot rectangle: the whole picture, or with the overlay
 * the part inside its margins (axes, labels, colorbar). A plot shows the last
 * grid it took (plot_accumulate, or plot_take while refining), placed for the
 * current view, so a new view never waits for its grid.
 *
 * Every call needs the GL context current on the calling thread, except
 * plot_create, plot_destroy and plot_bounds. */
#include <stdbool.h>
#include <stdint.h>

#include "accum/accum.h"
#include "accum/agg.h"
#include "accum/lines_run.h"
#include "accum/refine.h"
#include "app/options.h"
#include "gl/tonemap_pass.h"
#include "out/atomic_file.h"
#include "overlay/overlay.h"

typedef struct plot plot;

/* Work shared between processes (the MPI mode, src/mpi/mpi_run.h): this one
 * bins only the chunks [from, to) of the dataset (dataset_chunks), then sum()
 * adds up the grids and the stats of all of them, in place. sum is called
 * whether the binning went well or not (ok; counts NULL when not), so every
 * process reaches it; it
 * returns false with err when any process failed, and where it returns true
 * counts and st hold the totals (in a process that gets only its own share
 * back, the picture is not meant to be used). Counts and lines (on the
 * CPU): a plot with w or normalized lines refuses it. */
typedef struct plot_combine {
    uint64_t from, to;
    bool (*sum)(void *ctx, bool ok, uint64_t *counts, size_t cells, accum_stats *st, vp_err *err);
    void *ctx;
} plot_combine;

typedef struct plot_params {
    dataset *ds;              /* used, not owned: outlives the plot */
    vp_accumulate accumulate; /* auto: the GPU unless GL is software */
    bool software_gl;         /* glctx_is_software */
    bool progressive;         /* refine in the background (the viewer) */
    int threads;              /* 0: the cores */
    size_t gpu_budget;        /* resident refinement data, bytes; 0: refine.h's default */
    const char *title, *xlabel, *ylabel;
    /* A third column (the dataset has w): what each pixel shows of it.
     * AGG_COUNT with w: the samples whose w is finite, as a density. */
    agg_kind agg;
    const char *wname;        /* the column's name for the colorbar / legend */
    /* --lines: each series (an input) as its polyline (accum/lines.h); with
     * lines.normalize the counts are in 1/LINES_UNIT of a series */
    bool lines;
    lines_params lp;
    /* The time zone of a time axis (--tz: "UTC", "+05:30", a tz name); NULL:
     * UTC. Whether x is a time, its unit and origin, come from the dataset
     * (dataset_x_time). */
    const char *tz;
    const plot_combine *combine; /* NULL: this process bins every chunk */
} plot_params;

/* The look: how counts become colours. */
typedef struct plot_look {
    tonemap_kind tonemap;
    uint8_t cmap[COLORMAP_SIZE][4];
    float floor;           /* colormap position of the smallest non-zero count */
    int spread;            /* point size - 1 over 2 */
    uint8_t background[4];
    bool overlay;          /* axes, labels and colorbar around the grid */
    float dpi_scale;       /* overlay scale; 0 = 1 */
    /* value grids (--value): the colormap's ends, look/valshade.h */
    bool vmin_set, vmax_set;
    double vmin, vmax;
    bool diverging;        /* the colormap is diverging: centred on vcenter */
    double vcenter;
    /* categories (--by): which are drawn */
    bool cat_off[AGG_MAX_CATEGORIES];
} plot_look;

/* From the command line: the look, and the limits not given there taken from
 * the data's bounds (bounds[4], xmin xmax ymin ymax), widened when flat. */
bool plot_look_from_options(const vp_options *o, plot_look *look, vp_err *err);
/* --xlim given as instants (o->xlim_iso) are placed on ds's time x (an
 * error when x is not a time). */
bool plot_limits(const vp_options *o, const dataset *ds, const double bounds[4], double lim[4], vp_err *err);
/* The --value/--by column's name for labels ("mean of NAME"): a text
 * header's, else "column N". */
void plot_value_name(const vp_options *o, const dataset *ds, char *buf, size_t len);

/* The data's bounds for plot_limits: known without a pass (demo, text,
 * standard input), remembered (bounds cache; not when boxes are wanted), or
 * from a pass over the data, which also gives the dataset its chunk boxes
 * for the refinement's culling. Started in the background (GL can come up
 * meanwhile); joined by plot_bounds_join, which fails naming the input when
 * there is no finite sample. */
typedef struct plot_bounds plot_bounds;
bool plot_bounds_start(dataset *ds, const vp_options *o, bool want_boxes, plot_bounds **out,
                       vp_err *err);
bool plot_bounds_join(plot_bounds *b, double bounds[4], vp_err *err); /* frees b; NULL: no-op true */
/* As plot_bounds_join, also giving the range of the finite w (a third
 * column), which the fixed point of sums and the category count need: from
 * the pass, the bounds cache or the data's chunks (wrange[0] > wrange[1]
 * when there is no finite w). */
bool plot_bounds_join_w(plot_bounds *b, double bounds[4], double wrange[2], vp_err *err);

/* Fails on a --tz it cannot read (naming it). */
bool plot_create(const plot_params *p, plot **out, vp_err *err);
/* x as instants (the dataset's x is a time): the axis (origin, unit, zone);
 * NULL when x is a plain number. */
const time_axis *plot_time_axis(const plot *p);
/* A readout of x for the viewer's status line: the instant at the view's
 * pixel resolution on a time axis ("2024-03-05 14:07:09.25"), else %.9g. */
void plot_format_x(const plot *p, double x, char *buf, size_t len);
void plot_destroy(plot *p); /* NULL is fine */

/* A third column's range over the data (plot_bounds_join_w): sets the fixed
 * point of sums and the number of categories. Needed before the first
 * accumulation of a plot with w; a new range drops the grid shown. */
bool plot_set_wrange(plot *p, const double wrange[2], vp_err *err);
/* The overlay's title and axis labels (copied; NULL: none), e.g. a new
 * slide's: the plot rect may change with them, so set them before the view. */
bool plot_set_titles(plot *p, const char *title, const char *xlabel, const char *ylabel, vp_err *err);
/* Annotations at data coordinates (overlay.h), drawn over the picture with
 * or without the overlay's axes; copied; n = 0 removes them. */
bool plot_set_annotations(plot *p, const overlay_annot *a, int n, vp_err *err);
/* The picture's size in pixels; then the plot rectangle is known. */
bool plot_set_size(plot *p, int w, int h, vp_err *err);
bool plot_set_look(plot *p, const plot_look *look, vp_err *err);
/* Data limits of the plot rectangle (x0 left, y0 bottom). Refining: starts
 * over when they or the size changed. False with err only when even the CPU
 * engine cannot start. */
bool plot_set_view(plot *p, const double lim[4], vp_err *err);
overlay_rect plot_rect(const plot *p);
const view *plot_view(const plot *p);
/* Once, the message of a fallback (GPU refused, refining on the CPU), or NULL. */
const char *plot_take_note(plot *p);

/* Complete accumulation of the current view (GPU or CPU, accum.h); the
 * plot then shows it. */
bool plot_accumulate(plot *p, accum_stats *st, vp_err *err);

/* Refining (progressive plots). */
bool plot_gpu_resident(const plot *p);
void plot_step(plot *p, double budget_ms);  /* GPU work for about budget_ms */
void plot_grow(plot *p);                    /* the dataset has more chunks */
void plot_reset(plot *p);                   /* its chunks changed */
void plot_progress(plot *p, refine_state *st); /* of the current view */
/* Takes what has been refined into the shown grid. */
bool plot_take(plot *p, vp_err *err);

/* The grid shown: whether it is of the current view, and what it holds. */
typedef struct plot_shown {
    bool valid, current;
    refine_state st;   /* when taken */
    uint64_t drawn;    /* its sum */
} plot_shown;
plot_shown plot_get_shown(const plot *p);
/* The shown grid's count at the data point (x, y); 0 outside it. */
uint64_t plot_count_at(const plot *p, double x, double y);
/* With a third column: the pixel's reduced value at (x, y) (NaN where
 * empty) and, for categories, its most frequent category (-1: none). False
 * outside the grid or without w. */
bool plot_value_at(const plot *p, double x, double y, double *value, int *top);
/* The aggregate grid shown (NULL without w), and the values of it
 * (w*h doubles, bottom row first, NaN where empty; NULL for categories). */
const agg_grid *plot_agg(const plot *p);
const double *plot_values(const plot *p);
/* Categories: how many, and their labels (text inputs with labels) or codes. */
int plot_categories(const plot *p);
const char *plot_category_label(const plot *p, int c);
/* The value colormap's range in use (after --vmin/--vmax, diverging). */
void plot_value_range(const plot *p, double out[2]);
/* Samples of the last accumulation whose --by value is not a category code. */
uint64_t plot_bad_category(const plot *p);
/* Followed data (--window, --persist): the points drawn and their weights
 * (refine_set_points); refining plots on the CPU only. */
bool plot_set_points(plot *p, uint64_t first, const refine_batch *b, int nb, vp_err *err);
/* What one count of the grid stands for: 1, or 1/LINES_UNIT of a series
 * for normalized lines, 1/REFINE_WEIGHT_UNIT for weighted points (the
 * colorbar's labels are multiplied by it). */
double plot_count_unit(const plot *p);
/* "mean of mag", "count of mag", ...: what the picture shows. */
const char *plot_what(const plot *p);

/* Overlay content of one frame. */
typedef struct plot_frame {
    const char *status; /* status line, or NULL */
    const char *help;   /* help box, or NULL */
} plot_frame;
/* Draws the picture into the bound framebuffer (w x h of plot_set_size). */
bool plot_draw(plot *p, const plot_frame *f, vp_err *err);
/* The picture read back, top row first (w*h*4 bytes). */
bool plot_read_rgba(plot *p, const plot_frame *f, uint8_t *rgba, vp_err *err);
/* The picture as a PNG: without the overlay the CPU tone-maps strip by strip
 * into the encoder (no whole picture held; the same pixels as the GL pass,
 * look/shade.h); with it, GL composes and reads back. */
bool plot_write_png(plot *p, atomic_file *af, vp_err *err);
/* The picture of a grid without overlay (what the GL pass draws, pixel for
 * pixel: both evaluate look/shade.h), tone-mapped on the CPU by `threads`
 * workers (0: one per core) strip by strip straight into the PNG encoder
 * (png_encode_rows): memory beyond the grid is a few MiB per thread. RGBA when
 * the background is translucent, else RGB. No GL needed. */
bool plot_write_grid_png(atomic_file *af, const uint64_t *counts, int w, int h,
                         const tonemap_look *look, int threads, vp_err *err);
/* The shown grid, w*h of its view, bottom row first (NULL before any). */
const uint64_t *plot_counts(const plot *p, int *w, int *h);
const tonemap_table *plot_table(const plot *p);

#endif
