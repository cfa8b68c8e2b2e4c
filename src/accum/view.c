#include "accum/view.h"

#include <math.h>
#include <string.h>

static void axis_init(view_axis *a, double from, double to, int n)
{
    a->flip = from > to;
    a->lo = a->flip ? to : from;
    a->hi = a->flip ? from : to;
    a->n = n;
    a->span = a->hi - a->lo;
    a->step = a->span / (double)n;
    a->tiny = a->step == 0.0;
    a->scale = (double)n / a->span;
    double mag = fmax(fabs(a->lo), fabs(a->hi));
    a->fast = !a->tiny && isnormal(a->step) && isfinite(a->scale) && n <= (1 << 24) &&
              a->step > ldexp(mag, -40);
}

void view_init(view *v, double x0, double x1, double y0, double y1, int w, int h)
{
    memset(v, 0, sizeof *v);
    v->x0 = x0;
    v->x1 = x1;
    v->y0 = y0;
    v->y1 = y1;
    v->w = w;
    v->h = h;
    axis_init(&v->ax, x0, x1, w);
    axis_init(&v->ay, y0, y1, h);
}

/* The largest b in 0..n-1 with edge(b) <= v, for lo <= v < hi: edges are
 * non-decreasing (each is a rounded increasing function of i), edge(0) = lo
 * and edge(n) = hi, so this is searchsorted(edges, v, 'right') - 1. */
static int axis_search(const view_axis *a, double v)
{
    int lo = 0, hi = a->n; /* edge(lo) <= v < edge(hi) */
    while (hi - lo > 1) {
        int mid = lo + (hi - lo) / 2;
        if (view_axis_edge(a, mid) <= v)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

int view_axis_bin(const view_axis *a, double v)
{
    if (!(v >= a->lo && v <= a->hi))
        return -1;
    int b;
    if (v == a->hi) {
        b = a->n - 1;
    } else if (a->fast) {
        b = (int)((v - a->lo) * a->scale);
        b = b < a->n - 1 ? b : a->n - 1;
        if (v < view_axis_edge(a, b))
            b--;
        else if (v >= view_axis_edge(a, b + 1))
            b++;
    } else {
        b = axis_search(a, v);
    }
    return a->flip ? a->n - 1 - b : b;
}

/* Both axes fast: a branch-free loop the compiler vectorises. The first guess
 * g = (v - lo) * scale is within 2^-11 pixel of v's place among the edges
 * (view.h), so where g is more than 2^-8 from an integer, floor(g) is the
 * pixel. The few points nearer an edge (about 1 in 100) are marked and
 * settled exactly by view_bin afterwards. A point outside gets the spare
 * index. */
#define NEAR_EDGE 0x1p-8
#define SETTLE UINT32_MAX /* (uint32_t)-1 */

#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
__attribute__((target_clones("avx2", "default")))
#endif
static void bin_fast(const view *v, const double *xs, const double *ys, size_t n, uint32_t spare,
                     uint32_t *idx)
{
    /* every step in double lanes (pixel numbers are exact integers there), so
     * the masks and the selects have one width and the loop vectorises (with
     * -fno-trapping-math for this file: CMakeLists.txt; no result changes) */
    const double xlo = v->ax.lo, xhi = v->ax.hi, xscale = v->ax.scale;
    const double ylo = v->ay.lo, yhi = v->ay.hi, yscale = v->ay.scale;
    const double xn = v->ax.n, yn = v->ay.n, w = v->w;
    const double xflip = v->ax.flip ? -1.0 : 1.0, yflip = v->ay.flip ? -1.0 : 1.0;
    const double xoff = v->ax.flip ? xn - 1 : 0.0, yoff = v->ay.flip ? yn - 1 : 0.0;
    const double sp = (double)spare;
    for (size_t i = 0; i < n; i++) {
        double x = xs[i], y = ys[i];
        double gx = (x - xlo) * xscale, gy = (y - ylo) * yscale;
        int in = (x >= xlo) & (x <= xhi) & (y >= ylo) & (y <= yhi);
        /* converting an out-of-range double to int is undefined: replace first */
        gx = in ? gx : 0.5;
        gy = in ? gy : 0.5;
        /* g = n (v at or just below hi): fraction 0, so it is settled exactly */
        gx = gx < xn ? gx : xn;
        gy = gy < yn ? gy : yn;
        double tx = trunc(gx), ty = trunc(gy); /* floor: g >= 0 */
        double fx = gx - tx, fy = gy - ty;
        int near = (fx < NEAR_EDGE) | (fx > 1.0 - NEAR_EDGE) | (fy < NEAR_EDGE) |
                   (fy > 1.0 - NEAR_EDGE);
        double k = (yoff + yflip * ty) * w + (xoff + xflip * tx);
        k = near ? -1.0 : k;
        k = in ? k : sp;
        idx[i] = (uint32_t)(int32_t)k;
    }
}

void view_bin_block(const view *v, const double *x, const double *y, size_t n, uint32_t spare,
                    uint32_t *idx)
{
    if (v->ax.fast && v->ay.fast) {
        bin_fast(v, x, y, n, spare, idx);
        for (size_t i = 0; i < n; i++) {
            if (idx[i] == SETTLE) {
                uint32_t k;
                idx[i] = view_bin(v, x[i], y[i], &k) ? k : spare;
            }
        }
        return;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t k;
        idx[i] = view_bin(v, x[i], y[i], &k) ? k : spare;
    }
}

void view_widen_flat(double lim[4])
{
    for (int a = 0; a < 4; a += 2) {
        if (lim[a] != lim[a + 1])
            continue;
        /* numpy.histogram2d's 0.5, unless it vanishes in the rounding */
        double d = 0.5;
        if (lim[a] - d == lim[a] || lim[a] + d == lim[a])
            d = fabs(lim[a]) * 1e-9;
        lim[a] -= d;
        lim[a + 1] += d;
    }
}

bool view_touches(const view *v, const double b[4])
{
    return !(b[0] > b[1] || b[1] < v->ax.lo || b[0] > v->ax.hi || b[3] < v->ay.lo ||
             b[2] > v->ay.hi);
}
