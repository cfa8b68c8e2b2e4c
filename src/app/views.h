#ifndef VP_VIEWS_H
#define VP_VIEWS_H
/* Saved views: a small text file of slides, one [view] block each.
 *
 *   # vastplot views 1          the first line, always (the format's version)
 *   [view]                      starts a view
 *   title = Overview            KEY = VALUE; '#' at a line's start is a comment
 *   caption = All 10^8 samples
 *   xlim = -2.5 3.5             two finite numbers, unequal (reversed flips)
 *   ylim = -1 1
 *   size = 1920x1080            WIDTHxHEIGHT, each 1..1048576
 *   tonemap = eq-hist           linear, log, sqrt, cbrt or eq-hist
 *   colormap = inferno          a --colormap name
 *   xlabel = x / m              the axis labels
 *   ylabel = y / m
 *   input = data/run1.f32        an input file (again for more): relative to
 *                                the views file's folder
 *   text = 0.5 0.2 The peak      an annotation: X Y (data coordinates) LABEL,
 *                                the label's baseline starting at (X, Y)
 *   arrow = 2 0.8 0.5 0.25 Peak  an arrow: tail X0 Y0, head X1 Y1, then a
 *                                label beside the tail (may be left out)
 *
 * input may be given up to VIEWS_INPUTS_MAX times a view; a view's inputs
 * replace the command line's (how they are read, --dtype and the rest,
 * stays the command line's). text and arrow may be given up to
 * VIEWS_ANNOTS_MAX times a view, in the
 * order drawn; on a time x axis, X is the axis' value (as xlim's). Every
 * other key is optional and given at most once per view; a key not given
 * leaves the command line's option as it is (a view's
 * text and arrow lines replace --text and --arrow). Values are the rest of the line,
 * trimmed. Parsing takes bytes (tests and fuzzers feed strings); an error
 * names the file, the line and what was expected. */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "app/options.h"
#include "core/err.h"
#include "look/tonemap.h"
#include "overlay/overlay.h"

#define VIEWS_TEXT_MAX 256 /* bytes of a title, caption, label or colormap, with the NUL */
#define VIEWS_ANNOTS_MAX OVERLAY_MAX_ANNOTS
#define VIEWS_INPUTS_MAX 16
#define VIEWS_PATH_MAX 1024 /* bytes of an input's path, with the NUL */

typedef struct vp_view {
    char title[VIEWS_TEXT_MAX], caption[VIEWS_TEXT_MAX]; /* "": not given */
    char xlabel[VIEWS_TEXT_MAX], ylabel[VIEWS_TEXT_MAX];
    char colormap[64];
    bool xlim_set, ylim_set, size_set, tonemap_set;
    double xlim[2], ylim[2];
    int width, height;
    tonemap_kind tonemap;
    int n_annots;
    overlay_annot annots[VIEWS_ANNOTS_MAX]; /* text (arrow false) and arrow, in file order */
    int n_inputs;
    char inputs[VIEWS_INPUTS_MAX][VIEWS_PATH_MAX]; /* as resolved: relative to the file's folder */
    int line; /* the line of its [view] (0: made in the program) */
} vp_view;

typedef struct vp_views {
    vp_view *v; /* owned; views_free */
    size_t n;
} vp_views;

/* name: for messages ("FILE:LINE: ..."), and the folder relative inputs
 * are in. On failure out is empty. */
bool views_parse(const char *text, size_t len, const char *name, vp_views *out, vp_err *err);
bool views_load(const char *path, vp_views *out, vp_err *err);
void views_free(vp_views *vs);
/* The file's text: the header, then each view's keys that are given, numbers
 * with 17 digits so that views_parse reads back the same doubles. */
bool views_write(FILE *f, const vp_views *vs);
/* Appends one view to path, writing the header first when the file is new or
 * empty; refuses a file that is not a views file. */
bool views_append(const char *path, const vp_view *v, vp_err *err);
/* A "text" (X Y LABEL) or "arrow" (X0 Y0 X1 Y1 [LABEL]) value, as the file
 * and --text/--arrow give it; err names the key and what was expected. */
bool views_parse_annot(const char *val, bool arrow, overlay_annot *out, vp_err *err);
/* The command line's options with the view's given keys in their place; the
 * strings of o point into v, which must outlive o. */
void views_apply(const vp_view *v, vp_options *o);
/* render --views' -o: PATTERN with one %d, %0Nd or %Nd (N 1..9) and %% for a
 * '%'. Puts the name of view k (from 1) in out (cap bytes; cap 0 only checks)
 * and returns 1; 0 when PATTERN has no number (out: PATTERN); -1 when it is
 * malformed or too long. */
int views_output_name(const char *pattern, int k, char *out, size_t cap);
/* The limits (x0 x1 y0 y1) a move from `from` to `to` shows at u (0..1,
 * smoothstepped here): each axis' span interpolated in log scale, its centre
 * so that the point a zoom keeps still stays still (linear when an axis
 * flips). The viewer's PageDown and the video share it. */
void views_interpolate(const double from[4], const double to[4], double u, double out[4]);
bool views_equal(const vp_view *a, const vp_view *b);
/* Whether the view names inputs other than these (false when it names none). */
bool views_inputs_differ(const vp_view *v, const char *const *inputs, int n);

#endif
