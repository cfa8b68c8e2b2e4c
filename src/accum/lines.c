#include "accum/lines.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double lines_axis_coord(const view_axis *a, double v, double *g)
{
    double gg = (v - a->lo) * a->scale;
    *g = a->flip ? (double)a->n - gg : gg;
    int b = view_axis_bin(a, v);
    if (b >= 0)
        return (double)b;
    double c = v < a->lo ? fmin(floor(gg), -1.0) : fmax(floor(gg), (double)a->n);
    return a->flip ? (double)(a->n - 1) - c : c;
}

#define NEAR_EDGE 0x1p-8
#define SETTLE_C INT32_MIN

/* One axis of a block in double lanes: floor(g) where that is the rule's
 * answer for sure (g well inside a pixel, or well outside the limits: the
 * sign of v - lo is exact, and hi maps within 2^-40 of n), SETTLE_C where
 * the exact rule must decide. */
static inline int32_t fast_coord(double v, double lo, double hi, double scale, double n, double flip,
                                 double off)
{
    double g = (v - lo) * scale;
    g = g < -0x1p30 ? -0x1p30 : g > 0x1p30 ? 0x1p30 : g;
    double f = floor(g), fr = g - f;
    int in = (v >= lo) & (v <= hi);
    int ok_in = in & (g > NEAR_EDGE) & (g < n - NEAR_EDGE) & (fr > NEAR_EDGE) & (fr < 1.0 - NEAR_EDGE);
    int ok_out = (in ^ 1) & ((g < -NEAR_EDGE) | (g > n + NEAR_EDGE));
    double c = off + flip * f;
    return (ok_in | ok_out) ? (int32_t)c : SETTLE_C;
}

#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
__attribute__((target_clones("avx2", "default")))
#endif
static void coords_fast(const view *v, const double *x, const double *y, size_t n, int32_t *cx,
                        int32_t *cy)
{
    const view_axis *a = &v->ax, *b = &v->ay;
    const double axf = a->flip ? -1.0 : 1.0, axo = a->flip ? a->n - 1.0 : 0.0;
    const double ayf = b->flip ? -1.0 : 1.0, ayo = b->flip ? b->n - 1.0 : 0.0;
    for (size_t i = 0; i < n; i++) {
        cx[i] = fast_coord(x[i], a->lo, a->hi, a->scale, a->n, axf, axo);
        cy[i] = fast_coord(y[i], b->lo, b->hi, b->scale, b->n, ayf, ayo);
    }
}

static int32_t exact_coord(const view_axis *a, double v)
{
    double g, c = lines_axis_coord(a, v, &g);
    return c < -0x1p30 ? (int32_t)-0x40000000 : c > 0x1p30 ? (int32_t)0x40000000 : (int32_t)c;
}

void lines_coords_block(const view *v, const double *x, const double *y, size_t n, int32_t *cx,
                        int32_t *cy)
{
    if (v->ax.fast && v->ay.fast) {
        coords_fast(v, x, y, n, cx, cy);
        for (size_t i = 0; i < n; i++) {
            if (cx[i] == SETTLE_C)
                cx[i] = exact_coord(&v->ax, x[i]);
            if (cy[i] == SETTLE_C)
                cy[i] = exact_coord(&v->ay, y[i]);
        }
        return;
    }
    for (size_t i = 0; i < n; i++) {
        cx[i] = exact_coord(&v->ax, x[i]);
        cy[i] = exact_coord(&v->ay, y[i]);
    }
}

/* Liang-Barsky: narrows [*s0, *s1] to the parameters where p + s d lies in
 * [lo, hi]; false when none. */
static bool clip_axis(double p, double d, double lo, double hi, double *s0, double *s1)
{
    if (d == 0)
        return p >= lo && p <= hi;
    double a = (lo - p) / d, b = (hi - p) / d;
    if (a > b) {
        double t = a;
        a = b;
        b = t;
    }
    if (a > *s0)
        *s0 = a;
    if (b < *s1)
        *s1 = b;
    return *s0 <= *s1;
}

static double clamp_far(double c, int n)
{
    double lo = -(double)LINES_FAR, hi = (double)n + LINES_FAR;
    return c < lo ? lo : c > hi ? hi : c;
}

static bool far(double c, int n) { return c < -(double)LINES_FAR || c > (double)n + LINES_FAR; }

bool lines_segment(const view *v, double xa, double ya, double xb, double yb, lines_seg *s)
{
    double gxa, gya, gxb, gyb;
    double cxa = lines_axis_coord(&v->ax, xa, &gxa), cya = lines_axis_coord(&v->ay, ya, &gya);
    double cxb = lines_axis_coord(&v->ax, xb, &gxb), cyb = lines_axis_coord(&v->ay, yb, &gyb);
    const int w = v->w, h = v->h;
    if ((cxa < 0 && cxb < 0) || (cya < 0 && cyb < 0) || (cxa >= w && cxb >= w) ||
        (cya >= h && cyb >= h))
        return false;
    if (far(cxa, w) || far(cya, h) || far(cxb, w) || far(cyb, h)) {
        if (!isfinite(gxa) || !isfinite(gya) || !isfinite(gxb) || !isfinite(gyb))
            return false;
        double dx = gxb - gxa, dy = gyb - gya;
        if (!isfinite(dx) || !isfinite(dy))
            return false;
        double s0 = 0, s1 = 1;
        if (!clip_axis(gxa, dx, -(double)LINES_FAR, (double)w + LINES_FAR, &s0, &s1) ||
            !clip_axis(gya, dy, -(double)LINES_FAR, (double)h + LINES_FAR, &s0, &s1))
            return false;
        if (far(cxa, w) || far(cya, h)) {
            cxa = clamp_far(floor(gxa + s0 * dx), w);
            cya = clamp_far(floor(gya + s0 * dy), h);
        }
        if (far(cxb, w) || far(cyb, h)) {
            cxb = clamp_far(floor(gxa + s1 * dx), w);
            cyb = clamp_far(floor(gya + s1 * dy), h);
        }
        if ((cxa < 0 && cxb < 0) || (cya < 0 && cyb < 0) || (cxa >= w && cxb >= w) ||
            (cya >= h && cyb >= h))
            return false;
    }
    s->x0 = (int32_t)cxa;
    s->y0 = (int32_t)cya;
    s->x1 = (int32_t)cxb;
    s->y1 = (int32_t)cyb;
    return true;
}

static int64_t floor_div(int64_t a, int64_t b) /* b > 0 */
{
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

/* The steps t in [*t0, *t1] (within 1..N) whose major coordinate
 * c0 + sign * t lies in [0, n). False when none. */
static bool major_range(int64_t c0, int64_t d, int64_t N, int n, int64_t *t0, int64_t *t1)
{
    int64_t a, b;
    if (d > 0) {
        a = -c0;
        b = (int64_t)n - 1 - c0;
    } else {
        a = c0 - ((int64_t)n - 1);
        b = c0;
    }
    *t0 = a > 1 ? a : 1;
    *t1 = b < N ? b : N;
    return *t0 <= *t1;
}

/* Walks steps t0..t1 of the segment: the major coordinate moves by one each
 * step, the minor one by q(t, d) kept as quotient and remainder of
 * (2 t d + N) / (2 N), updated by 2 d a step (|d| <= N: one carry at most). */
#define LINES_WALK(T, NAME, INC, EXTRA)                                                                      \
    uint64_t NAME(const lines_seg *s, int w, int h, T *g EXTRA)                                        \
    {                                                                                              \
        int64_t dx = (int64_t)s->x1 - s->x0, dy = (int64_t)s->y1 - s->y0;                          \
        int64_t adx = dx < 0 ? -dx : dx, ady = dy < 0 ? -dy : dy;                                  \
        int64_t N = adx > ady ? adx : ady;                                                         \
        if (N == 0)                                                                                \
            return 0;                                                                              \
        bool xmajor = adx >= ady;                                                                  \
        int64_t c0 = xmajor ? s->x0 : s->y0, m0 = xmajor ? s->y0 : s->x0;                          \
        int64_t dmaj = xmajor ? dx : dy, dmin = xmajor ? dy : dx;                                  \
        int nmaj = xmajor ? w : h, nmin = xmajor ? h : w;                                          \
        int64_t t0, t1;                                                                            \
        if (!major_range(c0, dmaj, N, nmaj, &t0, &t1))                                             \
            return 0;                                                                              \
        const int64_t two_n = 2 * N, step = 2 * dmin, smaj = dmaj > 0 ? 1 : -1;                    \
        int64_t num = 2 * t0 * dmin + N;                                                           \
        int64_t q = floor_div(num, two_n), r = num - q * two_n;                                    \
        int64_t c = c0 + smaj * t0;                                                                \
        uint64_t added = 0;                                                                        \
        for (int64_t t = t0; t <= t1; t++) {                                                       \
            int64_t m = m0 + q;                                                                    \
            if (m >= 0 && m < nmin) {                                                              \
                size_t i = xmajor ? (size_t)m * (size_t)w + (size_t)c                              \
                                  : (size_t)c * (size_t)w + (size_t)m;                             \
                INC(g[i]);                                                                         \
                added++;                                                                           \
            }                                                                                      \
            c += smaj;                                                                             \
            r += step;                                                                             \
            if (r >= two_n) {                                                                      \
                r -= two_n;                                                                        \
                q++;                                                                               \
            } else if (r < 0) {                                                                    \
                r += two_n;                                                                        \
                q--;                                                                               \
            }                                                                                      \
        }                                                                                          \
        return added;                                                                              \
    }

#define LINES_INC(c) ((c)++)
#define LINES_INC_ATOMIC(c) __atomic_fetch_add(&(c), 1, __ATOMIC_RELAXED)
#define LINES_ADD_WT(c) ((c) += wt)
#define LINES_NO_PARAM
#define LINES_WT_PARAM , double wt
LINES_WALK(uint32_t, lines_raster_u32, LINES_INC, LINES_NO_PARAM)
LINES_WALK(uint64_t, lines_raster_u64, LINES_INC, LINES_NO_PARAM)
LINES_WALK(uint64_t, lines_raster_u64_atomic, LINES_INC_ATOMIC, LINES_NO_PARAM)
LINES_WALK(double, lines_raster_f64, LINES_ADD_WT, LINES_WT_PARAM)

uint64_t lines_seg_steps(const lines_seg *s, int w, int h)
{
    int64_t dx = (int64_t)s->x1 - s->x0, dy = (int64_t)s->y1 - s->y0;
    int64_t n = dx < 0 ? -dx : dx, m = dy < 0 ? -dy : dy;
    uint64_t N = (uint64_t)(n > m ? n : m);
    uint64_t cap = (uint64_t)w + (uint64_t)h;
    return N < cap ? N : cap;
}

typedef struct rem_entry {
    uint64_t rem;
    int row;
} rem_entry;

static int by_rem(const void *a, const void *b)
{
    const rem_entry *p = a, *q = b;
    if (p->rem != q->rem)
        return p->rem > q->rem ? -1 : 1;
    return p->row - q->row;
}

bool lines_normalize_add(const uint64_t *c, int w, int h, uint64_t *acc)
{
    rem_entry *e = malloc((size_t)h * sizeof *e);
    if (!e)
        return false;
    for (int x = 0; x < w; x++) {
        unsigned __int128 S = 0;
        for (int y = 0; y < h; y++)
            S += c[(size_t)y * (size_t)w + (size_t)x];
        if (S == 0)
            continue;
        uint64_t given = 0;
        int ne = 0;
        for (int y = 0; y < h; y++) {
            uint64_t v = c[(size_t)y * (size_t)w + (size_t)x];
            if (!v)
                continue;
            unsigned __int128 p = (unsigned __int128)v * LINES_UNIT;
            uint64_t base = (uint64_t)(p / S);
            acc[(size_t)y * (size_t)w + (size_t)x] += base;
            given += base;
            e[ne++] = (rem_entry){(uint64_t)(p % S), y};
        }
        uint64_t left = LINES_UNIT - given; /* < the pixels with counts */
        qsort(e, (size_t)ne, sizeof *e, by_rem);
        for (uint64_t i = 0; i < left; i++)
            acc[(size_t)e[i].row * (size_t)w + (size_t)x]++;
    }
    free(e);
    return true;
}
