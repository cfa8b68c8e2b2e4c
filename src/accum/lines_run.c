#include "accum/lines_run.h"

#include <math.h>
#include <stdlib.h>

bool lines_out_init(lines_out *o)
{
    o->pix = malloc((DATASET_CHUNK_RECORDS + 1) * sizeof *o->pix);
    o->seg = malloc((DATASET_CHUNK_RECORDS + 1) * sizeof *o->seg);
    o->cx = malloc(DATASET_CHUNK_RECORDS * sizeof *o->cx);
    o->pix_pt = malloc((DATASET_CHUNK_RECORDS + 1) * sizeof *o->pix_pt);
    o->seg_pt = malloc((DATASET_CHUNK_RECORDS + 1) * sizeof *o->seg_pt);
    o->cy = malloc(DATASET_CHUNK_RECORDS * sizeof *o->cy);
    o->npix = o->nseg = 0;
    if (!o->pix || !o->seg || !o->cx || !o->cy || !o->pix_pt || !o->seg_pt) {
        lines_out_free(o);
        return false;
    }
    return true;
}

void lines_out_free(lines_out *o)
{
    free(o->pix);
    free(o->seg);
    free(o->cx);
    free(o->cy);
    free(o->pix_pt);
    free(o->seg_pt);
    o->pix_pt = o->seg_pt = NULL;
    o->pix = NULL;
    o->seg = NULL;
    o->cx = o->cy = NULL;
}

/* Whether a point's segments need no cut (rule 2). */
static inline bool is_near(const view *v, int32_t cx, int32_t cy)
{
    return cx >= -LINES_FAR && cx <= v->w + LINES_FAR && cy >= -LINES_FAR && cy <= v->h + LINES_FAR;
}

static inline void add_start(const view *v, int32_t cx, int32_t cy, bool near, uint32_t j, lines_out *o)
{
    if (near && cx >= 0 && cx < v->w && cy >= 0 && cy < v->h) {
        o->pix_pt[o->npix] = j;
        o->pix[o->npix++] = (uint32_t)cy * (uint32_t)v->w + (uint32_t)cx;
    }
}

/* A segment between two points with their coordinates: one step inline,
 * longer ones kept for the rasterizer. */
static inline void add_seg(const view *v, double xa, double ya, int32_t ax, int32_t ay, bool an,
                           double xb, double yb, int32_t bx, int32_t by, bool bn, uint32_t j,
                           lines_out *o)
{
    lines_seg s;
    if (an && bn) {
        int32_t dx = bx - ax, dy = by - ay;
        if (dx >= -1 && dx <= 1 && dy >= -1 && dy <= 1) {
            if (dx | dy)
                add_start(v, bx, by, true, j, o);
            return;
        }
        if ((ax < 0 && bx < 0) || (ay < 0 && by < 0) || (ax >= v->w && bx >= v->w) ||
            (ay >= v->h && by >= v->h))
            return;
        s = (lines_seg){ax, ay, bx, by};
    } else if (!lines_segment(v, xa, ya, xb, yb, &s)) {
        return;
    }
    o->seg_pt[o->nseg] = j;
    o->seg[o->nseg++] = s;
}

void lines_chunk(const view *v, const lines_params *lp, const double *x, const double *y, size_t n,
                 const uint32_t *brk, size_t nbrk, lines_out *o, lines_ends *e)
{
    o->npix = o->nseg = 0;
    size_t bi = 0;
    const double gap = lp->break_gap;
    e->head_ok = e->tail_ok = 0;
    if (n == 0)
        return;
    bool before0 = nbrk > 0 && brk[0] == 0;
    if (before0)
        bi++;
    e->head_ok = !before0;
    e->hx = x[0];
    e->hy = y[0];
    lines_coords_block(v, x, y, n, o->cx, o->cy);
    int32_t px = o->cx[0], py = o->cy[0];
    bool pn = is_near(v, px, py);
    if (before0)
        add_start(v, px, py, pn, 0, o);
    for (size_t j = 1; j < n; j++) {
        int32_t cx = o->cx[j], cy = o->cy[j];
        bool cn = is_near(v, cx, cy);
        bool broken = bi < nbrk && brk[bi] == j;
        if (broken)
            bi++;
        if (broken || (gap > 0 && fabs(x[j] - x[j - 1]) > gap))
            add_start(v, cx, cy, cn, (uint32_t)j, o);
        else
            add_seg(v, x[j - 1], y[j - 1], px, py, pn, x[j], y[j], cx, cy, cn, (uint32_t)j, o);
        px = cx;
        py = cy;
        pn = cn;
    }
    e->tail_ok = !(bi < nbrk && brk[bi] == n);
    e->tx = x[n - 1];
    e->ty = y[n - 1];
}

uint64_t lines_joins(const dataset *ds, const view *v, const lines_params *lp, const lines_ends *ends,
                     uint64_t from, uint64_t to, uint64_t *counts)
{
    return lines_joins_after(ds, v, lp, NULL, ends, from, to, counts);
}

uint64_t lines_joins_after(const dataset *ds, const view *v, const lines_params *lp, const lines_ends *before,
                           const lines_ends *ends, uint64_t from, uint64_t to, uint64_t *counts)
{
    uint64_t added = 0;
    for (uint64_t k = from; k < to; k++) {
        const lines_ends *e = &ends[k - from];
        if (!e->head_ok)
            continue;
        const lines_ends *p = k > from ? &ends[k - 1 - from] : k > 0 ? before : NULL;
        bool join = p && p->tail_ok && dataset_chunk_input(ds, k) == dataset_chunk_input(ds, k - 1) &&
                    !(lp->break_gap > 0 && fabs(e->hx - p->tx) > lp->break_gap);
        if (join) {
            lines_seg s;
            if (lines_segment(v, p->tx, p->ty, e->hx, e->hy, &s))
                added += lines_raster_u64(&s, v->w, v->h, counts);
        } else {
            uint32_t i;
            if (lines_start(v, e->hx, e->hy, &i)) {
                counts[i]++;
                added++;
            }
        }
    }
    return added;
}
