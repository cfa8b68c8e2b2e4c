#ifndef VP_VIEWSTATE_H
#define VP_VIEWSTATE_H
/* The viewer's navigation as pure math on data limits: pan, zoom about a
 * point, box zoom, reset, back. Pixel positions are in the plot rectangle,
 * origin top-left, y down (as the mouse reports them). No SDL, no GL: the
 * tests drive it directly, and so do the window's event handlers. */
#include <stdbool.h>

#define VIEWSTATE_HISTORY 64

typedef struct viewstate {
    double full[4];  /* the data's extent: x0, x1, y0, y1 */
    double lim[4];   /* what is shown now */
    double hist[VIEWSTATE_HISTORY][4];
    int nhist;
    int w, h;        /* plot size in pixels */
} viewstate;

void viewstate_init(viewstate *s, const double full[4], const double start[4], int w, int h);
void viewstate_resize(viewstate *s, int w, int h);
/* Data coordinates of a plot pixel position. */
void viewstate_to_data(const viewstate *s, double px, double py, double *x, double *y);
/* Remember the current limits for viewstate_back (before a new gesture). */
void viewstate_push(viewstate *s);
/* Move the view by (dx, dy) pixels, following the mouse: content moves with it. */
void viewstate_pan_px(viewstate *s, double dx, double dy);
/* Zoom by factor (> 1: in) keeping the data point under pixel (px, py) fixed. */
void viewstate_zoom_at(viewstate *s, double factor, double px, double py);
/* Show the data inside the pixel box (any two corners); ignored if tiny. */
void viewstate_box(viewstate *s, double ax, double ay, double bx, double by);
void viewstate_reset(viewstate *s);
/* Previous limits; false when there is none. */
bool viewstate_back(viewstate *s);
/* Sets explicit limits (script `view`); false if degenerate or not finite. */
bool viewstate_set(viewstate *s, double x0, double x1, double y0, double y1);

#endif
