#ifndef VP_OPTIONS_H
#define VP_OPTIONS_H
/* The command line, parsed into one read-only struct. No files are opened
 * here: options_parse only checks the words (the fuzzer feeds it anything). */
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "load/dataset.h"
#include "load/source.h"
#include "look/tonemap.h"
#include "overlay/overlay.h"

typedef enum vp_command { CMD_NONE, CMD_RENDER, CMD_INFO, CMD_DEMO, CMD_VIEW, CMD_HELP, CMD_VERSION } vp_command;
typedef enum vp_accumulate { ACCUM_AUTO, ACCUM_CPU, ACCUM_GPU } vp_accumulate;

#define OPTIONS_MAX_INPUTS 256

typedef struct vp_options {
    vp_command command;
    const char *inputs[OPTIONS_MAX_INPUTS];
    int ninputs;
    source_params src;
    dataset_params data;       /* src (copied in) + text input options */
    bool names_used;           /* --x/--y gave a column name (text inputs only) */
    bool xlim_set, ylim_set;
    double xlim[2], ylim[2];
    /* --xlim as ISO-8601 instants (x a time): their text, and the instants
     * (ns since 1970, read in --tz) once the options are checked; plot_limits
     * turns them into x values */
    bool xlim_iso;
    char xlim_text[2][64];
    int64_t xlim_ns[2];
    int width, height;
    bool size_set;             /* --size given */
    int point_size;            /* 1.. : each count drawn as a square this wide (display only) */
    tonemap_kind tonemap;
    const char *colormap;
    uint8_t background[4];
    float floor;
    const char *output;
    const char *save_counts;
    /* aggregation of a third column */
    const char *value_col;     /* --value COL (NULL: none) */
    const char *by_col;        /* --by COL (NULL: none) */
    int agg;                   /* agg_kind: --agg, else mean with --value, categories with --by, else count */
    bool agg_set;
    bool vmin_set, vmax_set;
    double vmin, vmax;         /* --vmin/--vmax: the value colormap's ends */
    double vcenter;            /* --vcenter: a diverging colormap's centre (default 0) */
    const char *save_grid;     /* --save-grid OUT.npy: the reduced values (+ OUT.npy.json) */
    /* time series */
    bool lines;                /* --lines: each series as its polyline */
    bool normalize_lines;      /* --normalize lines: DenseLines' weight 1 per series per column */
    double break_gap;          /* --break-gap: no segment where x moves by more (0: none) */
    char ybuf[1024];           /* --y a,b,c: the names, split (data.ycols point here) */
    const char *x_time;        /* --x-time auto|s|ms|us|ns|iso (NULL: detected) */
    bool no_x_time;            /* --x-time none */
    const char *tz;            /* --tz: the time axis' zone (NULL: UTC) */
    time_zone tz_parsed;       /* --tz read (data.text.tz points here) */
    double persist;            /* view --follow --persist S: old samples fade as exp(-age/S) */
    vp_accumulate accumulate;
    int threads;
    uint64_t demo_points;
    bool gl_debug, verbose, quiet;
    bool no_cache; /* --no-cache: neither use nor store remembered bounds */
    /* viewer and presentation */
    bool demo_view;            /* demo in the viewer (a display, no -o) */
    bool overlay;              /* render: axes, labels, colorbar */
    bool fullscreen;
    int display;               /* monitor index */
    const char *script;
    const char *views;         /* --views FILE: saved views (app/views.h); render: one picture each */
    const overlay_annot *annots; /* --text/--arrow (annot_buf), or a view's (views_apply) */
    int n_annots;
    overlay_annot annot_buf[OVERLAY_MAX_ANNOTS];
    bool video;                /* the video command (a render: CMD_RENDER): frames to ffmpeg */
    int fps;                   /* video --fps */
    double seconds;            /* video --seconds (0: 2 per view) */
    const char *screenshot_dir;
    int screenshot_scale;      /* 1.. */
    bool follow;               /* --follow: the input is still being written */
    double until_idle;         /* render --follow: seconds without growth before rendering */
    uint64_t window_n;         /* viewer --follow: show the last N samples (0: all) */
    double window_x;           /* viewer --follow: show the last X units of x (0: all) */
    int gpu_mem_mb;            /* viewer: GPU memory budget; 0 = what the driver reports free / 2 */
    const char *title, *xlabel, *ylabel;
    vp_command help_for;       /* help: only this command's options (CMD_NONE: all) */
    bool help_markdown;        /* help --markdown: README.md's option tables */
    bool help_video;           /* help video (help_for is CMD_RENDER): render's options and video's */
} vp_options;

/* argv[1] is the command. Fills o with defaults first. False with a message
 * that names the option and what was expected (a usage error: exit 2). */
bool options_parse(int argc, char **argv, vp_options *o, vp_err *err);
/* --help (o->help_for's options, or all), or README.md's option tables in
 * Markdown (help --markdown): both from the one table of options.c. */
void options_print_help(const vp_options *o);

#endif
