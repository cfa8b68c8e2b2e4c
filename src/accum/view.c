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

/* Both axes fast: a branch-free loop the compiler vectorises. A point outside
 * the view gets a first guess of 0 and the spare index. The guess is within
 * one pixel, so one comparison with each neighbouring edge corrects it
 * (view.h); the top pixel's upper edge is taken as +inf, which sends v == hi
 * there too. */
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
__attribute__((target_clones("avx2", "default")))
#endif
static void bin_fast(const view *v, const double *xs, const double *ys, size_t n, uint32_t spare,
                     uint32_t *idx)
{
    const double xlo = v->ax.lo, xhi = v->ax.hi, xstep = v->ax.step, xscale = v->ax.scale;
    const double ylo = v->ay.lo, yhi = v->ay.hi, ystep = v->ay.step, yscale = v->ay.scale;
    const int xn1 = v->ax.n - 1, yn1 = v->ay.n - 1;
    const int xflip = v->ax.flip, yflip = v->ay.flip;
    const uint32_t w = (uint32_t)v->w;
    for (size_t i = 0; i < n; i++) {
        double x = xs[i], y = ys[i];
        int in = (x >= xlo) & (x <= xhi) & (y >= ylo) & (y <= yhi);
        double gx = in ? (x - xlo) * xscale : 0.0;
        double gy = in ? (y - ylo) * yscale : 0.0;
        int bx = (int)gx, by = (int)gy;
        bx = bx < xn1 ? bx : xn1;
        by = by < yn1 ? by : yn1;
        double ex0 = (double)bx * xstep + xlo, ex1 = (double)(bx + 1) * xstep + xlo;
        double ey0 = (double)by * ystep + ylo, ey1 = (double)(by + 1) * ystep + ylo;
        ex1 = bx == xn1 ? INFINITY : ex1;
        ey1 = by == yn1 ? INFINITY : ey1;
        bx += (x >= ex1) - (x < ex0);
        by += (y >= ey1) - (y < ey0);
        bx = xflip ? xn1 - bx : bx;
        by = yflip ? yn1 - by : by;
        idx[i] = in ? (uint32_t)by * w + (uint32_t)bx : spare;
    }
}

void view_bin_block(const view *v, const double *x, const double *y, size_t n, uint32_t spare,
                    uint32_t *idx)
{
    if (v->ax.fast && v->ay.fast) {
        bin_fast(v, x, y, n, spare, idx);
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
