#ifndef VP_TICKS_H
#define VP_TICKS_H
/* Axis ticks: nice values (1-2-5 x 10^k steps) and labels that never overlap.
 * Pure functions (no GL, no font): the tests call them directly. */
#include <stdbool.h>
#include <stddef.h>

#define TICKS_MAX 64

typedef struct tick_set {
    int n;
    double value[TICKS_MAX];     /* ascending data values inside [min(lo,hi), max(lo,hi)] */
    char label[TICKS_MAX][40];   /* formatted so that neighbours differ, with no
                                    more digits than needed ("0.25", "1e+06",
                                    "1700000000.002") */
    double step;
} tick_set;

/* The nice ticks for [lo, hi] (either order) with about `target` ticks (>= 2);
 * false if lo or hi is not finite or lo == hi. */
bool ticks_nice(double lo, double hi, int target, tick_set *out);

/* Measures a label's extent along the axis in pixels (width for the x axis,
 * height for y). */
typedef float (*ticks_measure_fn)(void *ctx, const char *label);

/* The densest nice tick set whose labels, placed at their values along an axis
 * of axis_px pixels, keep at least gap_px between neighbours. Position 0 is
 * lo's end, axis_px is hi's end (so reversed limits give a reversed axis); a
 * label is centred on its tick. When no whole set fits, the two end ticks of
 * the densest set whose two end labels fit (step is then their distance), else
 * the one tick nearest the middle, else none (n = 0): an axis keeps at least
 * two labels down to about three label widths. False only for non-finite
 * limits or lo == hi. Cost: a few hundred measure calls at most. */
bool ticks_layout(double lo, double hi, float axis_px, float gap_px, ticks_measure_fn measure,
                  void *ctx, tick_set *out);

typedef struct ticks_layout_params {
    float axis_px;           /* axis length in pixels */
    float gap_px;            /* free space between neighbouring labels */
    float room_lo, room_hi;  /* how far a label may reach past the axis' lo / hi
                                end, in pixels; negative: no limit */
    ticks_measure_fn measure;
    void *ctx;
} ticks_layout_params;

/* ticks_layout with room limits at the axis ends (labels must not leave the
 * window or run into neighbours past the axis). */
bool ticks_layout_ex(double lo, double hi, const ticks_layout_params *p, tick_set *out);

/* The pieces of ticks_layout_ex's rule, for layouts of other ticks (the
 * time axis, timeaxis.h), so that both judge labels alike. */
/* Position of v along an axis from lo (0) to hi (axis_px), without
 * overflowing for limits near +-DBL_MAX. */
double ticks_axis_pos(double v, double lo, double hi, double axis_px);
/* Whether t's labels at idx[0..m) (ascending values) fit on the axis from lo
 * to hi: p->gap_px between neighbours, none past p->room_lo / p->room_hi.
 * One p->measure call a label. */
bool ticks_labels_fit(double lo, double hi, const ticks_layout_params *p, const tick_set *t,
                      const int *idx, int m);
/* The tick of t nearest the middle of the axis from lo to hi (the first of
 * equals; 0 when t has none). */
int ticks_middle(double lo, double hi, const tick_set *t);
/* Keeps only t's ticks at idx[0..m) (ascending), in place; step becomes the
 * first two's distance when m >= 2, else stays. */
void ticks_keep_only(tick_set *t, const int *idx, int m);

/* Offset notation for ticks far from zero, where full labels are too long
 * ("1700000000.002"): relabels t in place as value - offset ("0", "0.002",
 * ...) and writes the offset as "+1.7e+09" (or "-..."; tick labels use '-' as
 * minus sign, the overlay draws it as U+2212). The offset is the first tick
 * rounded down to a power of ten above the ticks' extent. False, leaving t
 * alone, when the offset would be 0 (the labels are already short). */
bool ticks_offset_labels(tick_set *t, char offset_label[40]);

#endif
