#include "accum/view.h"

void view_init(view *v, double x0, double x1, double y0, double y1, int w, int h)
{
    v->x0 = x0;
    v->x1 = x1;
    v->y0 = y0;
    v->y1 = y1;
    v->w = w;
    v->h = h;
    v->sx = (float)((double)w / (x1 - x0));
    v->sy = (float)((double)h / (y1 - y0));
    v->fw = (float)w;
    v->fh = (float)h;
}
