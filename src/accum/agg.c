#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "accum/agg.h"

static const char *const kind_names[] = {"count", "sum", "mean", "min", "max", "std", "var",
                                         "categories"};

bool agg_kind_from_name(const char *s, agg_kind *out)
{
    for (int k = AGG_COUNT; k < AGG_CATEGORIES; k++)
        if (strcmp(s, kind_names[k]) == 0) {
            *out = (agg_kind)k;
            return true;
        }
    return false;
}

const char *agg_kind_name(agg_kind k)
{
    return k >= AGG_COUNT && k <= AGG_CATEGORIES ? kind_names[k] : "?";
}

bool agg_needs_sum(agg_kind k)
{
    return k == AGG_SUM || k == AGG_MEAN || k == AGG_STD || k == AGG_VAR;
}

bool agg_needs_sumsq(agg_kind k)
{
    return k == AGG_STD || k == AGG_VAR;
}

bool agg_needs_range(agg_kind k)
{
    return agg_needs_sum(k) || k == AGG_CATEGORIES;
}

agg_fixed agg_fixed_for_range(double wlo, double whi)
{
    agg_fixed f;
    f.center = wlo + (whi - wlo) / 2;
    double r1 = whi - f.center, r2 = f.center - wlo;
    double r = r1 > r2 ? r1 : r2;
    int e = 0;
    if (r > 0 && isfinite(r))
        (void)frexp(r, &e); /* r < 2^e */
    else
        e = 0;
    e -= AGG_FIXED_BITS;
    f.quantum = ldexp(1.0, e);
    f.scale = ldexp(1.0, -e);
    return f;
}

bool agg_grid_create(agg_kind kind, int w, int h, int ncat, const agg_fixed *fx, agg_grid **out,
                     vp_err *err)
{
    *out = NULL;
    agg_grid *g = calloc(1, sizeof *g);
    if (!g)
        return vp_err_set(err, "out of memory");
    g->kind = kind;
    g->w = w;
    g->h = h;
    g->ncat = kind == AGG_CATEGORIES ? ncat : 0;
    if (fx)
        g->fx = *fx;
    else
        g->fx = agg_fixed_for_range(0, 0);
    size_t n = (size_t)w * (size_t)h;
    bool ok = (g->count = calloc(n, sizeof *g->count)) != NULL;
    if (ok && agg_needs_sum(kind))
        ok = (g->s1 = calloc(n, sizeof *g->s1)) != NULL;
    if (ok && agg_needs_sumsq(kind))
        ok = (g->s2 = calloc(n, sizeof *g->s2)) != NULL;
    if (ok && kind == AGG_MIN)
        ok = (g->lo = calloc(n, sizeof *g->lo)) != NULL;
    if (ok && kind == AGG_MAX)
        ok = (g->hi = calloc(n, sizeof *g->hi)) != NULL;
    if (ok && kind == AGG_CATEGORIES) {
        if (ncat < 1 || ncat > AGG_MAX_CATEGORIES) {
            agg_grid_destroy(g);
            return vp_err_set(err, "%d categories: between 1 and %d are supported", ncat,
                              AGG_MAX_CATEGORIES);
        }
        ok = (g->cat = calloc(n * (size_t)ncat, sizeof *g->cat)) != NULL;
    }
    if (!ok) {
        size_t bytes = agg_grid_bytes(g);
        agg_grid_destroy(g);
        return vp_err_set(err, "out of memory for the %s grid of %dx%d pixels (%.0f MiB)",
                          agg_kind_name(kind), w, h, (double)bytes / 1048576.0);
    }
    *out = g;
    return true;
}

void agg_grid_destroy(agg_grid *g)
{
    if (!g)
        return;
    free(g->count);
    free(g->s1);
    free(g->s2);
    free(g->lo);
    free(g->hi);
    free(g->cat);
    free(g);
}

static size_t pixels_of(const agg_grid *g)
{
    return (size_t)g->w * (size_t)g->h;
}

size_t agg_grid_bytes(const agg_grid *g)
{
    size_t n = pixels_of(g), per = sizeof(uint64_t);
    if (agg_needs_sum(g->kind))
        per += sizeof(__int128);
    if (agg_needs_sumsq(g->kind))
        per += sizeof(unsigned __int128);
    if (g->kind == AGG_MIN || g->kind == AGG_MAX)
        per += sizeof(double);
    if (g->kind == AGG_CATEGORIES)
        per += (size_t)g->ncat * sizeof(uint32_t);
    return n * per;
}

void agg_grid_clear(agg_grid *g)
{
    size_t n = pixels_of(g);
    memset(g->count, 0, n * sizeof *g->count);
    if (g->s1)
        memset(g->s1, 0, n * sizeof *g->s1);
    if (g->s2)
        memset(g->s2, 0, n * sizeof *g->s2);
    if (g->lo)
        memset(g->lo, 0, n * sizeof *g->lo);
    if (g->hi)
        memset(g->hi, 0, n * sizeof *g->hi);
    if (g->cat)
        memset(g->cat, 0, n * (size_t)g->ncat * sizeof *g->cat);
}

static bool less_total(double a, double b) /* a < b with -0 < +0 */
{
    return a < b || (a == b && __builtin_signbit(a) && !__builtin_signbit(b));
}

bool agg_grid_merge(agg_grid *dst, const agg_grid *src, vp_err *err)
{
    size_t n = pixels_of(dst);
    if (src->kind != dst->kind || pixels_of(src) != n || src->ncat != dst->ncat)
        return vp_err_set(err, "internal: merging unlike grids");
    for (size_t i = 0; i < n; i++) {
        uint64_t c = src->count[i];
        if (c == 0)
            continue;
        uint64_t before = dst->count[i];
        dst->count[i] = before + c;
        if (dst->s1)
            dst->s1[i] += src->s1[i];
        if (dst->s2)
            dst->s2[i] += src->s2[i];
        if (dst->lo && (before == 0 || less_total(src->lo[i], dst->lo[i])))
            dst->lo[i] = src->lo[i];
        if (dst->hi && (before == 0 || less_total(dst->hi[i], src->hi[i])))
            dst->hi[i] = src->hi[i];
    }
    if (dst->cat) {
        size_t m = n * (size_t)dst->ncat;
        for (size_t i = 0; i < m; i++) {
            uint32_t a = dst->cat[i], b = src->cat[i];
            if (b > UINT32_MAX - a)
                return vp_err_set(err, "more than %u samples of category %zu in one pixel",
                                  UINT32_MAX, i / n);
            dst->cat[i] = a + b;
        }
    }
    return true;
}

/* 256-bit unsigned arithmetic for the variance: n S2 - S1^2, exactly. */
typedef struct u256 {
    uint64_t w[4]; /* little end first */
} u256;

static u256 mul128(unsigned __int128 a, unsigned __int128 b)
{
    uint64_t a0 = (uint64_t)a, a1 = (uint64_t)(a >> 64), b0 = (uint64_t)b, b1 = (uint64_t)(b >> 64);
    unsigned __int128 p00 = (unsigned __int128)a0 * b0, p01 = (unsigned __int128)a0 * b1,
                      p10 = (unsigned __int128)a1 * b0, p11 = (unsigned __int128)a1 * b1;
    u256 r;
    r.w[0] = (uint64_t)p00;
    unsigned __int128 mid = (p00 >> 64) + (uint64_t)p01 + (uint64_t)p10;
    r.w[1] = (uint64_t)mid;
    unsigned __int128 hi = (mid >> 64) + (p01 >> 64) + (p10 >> 64) + (uint64_t)p11;
    r.w[2] = (uint64_t)hi;
    r.w[3] = (uint64_t)((hi >> 64) + (p11 >> 64));
    return r;
}

static bool u256_sub(u256 *a, const u256 *b) /* a -= b; false if it would go negative */
{
    uint64_t borrow = 0;
    u256 r;
    for (int i = 0; i < 4; i++) {
        unsigned __int128 d = (unsigned __int128)a->w[i] - b->w[i] - borrow;
        r.w[i] = (uint64_t)d;
        borrow = (uint64_t)(d >> 64) ? 1 : 0;
    }
    if (borrow)
        return false;
    *a = r;
    return true;
}

static double u256_to_double(const u256 *a)
{
    double r = 0;
    for (int i = 3; i >= 0; i--)
        r = r * 18446744073709551616.0 + (double)a->w[i];
    return r;
}

/* var of the quantized values, in units of q^2: (n S2 - S1^2) / n^2 */
static double var_units(uint64_t n, __int128 s1, unsigned __int128 s2)
{
    unsigned __int128 a1 = s1 < 0 ? (unsigned __int128)(-s1) : (unsigned __int128)s1;
    u256 ns2 = mul128(s2, n), sq = mul128(a1, a1);
    if (!u256_sub(&ns2, &sq))
        return 0; /* cannot happen (Cauchy-Schwarz); guard anyway */
    double nn = (double)n;
    return u256_to_double(&ns2) / nn / nn;
}

double agg_grid_value(const agg_grid *g, size_t i)
{
    uint64_t n = g->count[i];
    if (n == 0)
        return NAN;
    const agg_fixed *f = &g->fx;
    switch (g->kind) {
    case AGG_COUNT:
        return (double)n;
    case AGG_SUM:
        return (double)n * f->center + (double)g->s1[i] * f->quantum;
    case AGG_MEAN:
        return f->center + (double)g->s1[i] / (double)n * f->quantum;
    case AGG_MIN:
        return g->lo[i];
    case AGG_MAX:
        return g->hi[i];
    case AGG_VAR:
        return var_units(n, g->s1[i], g->s2[i]) * f->quantum * f->quantum;
    case AGG_STD:
        return sqrt(var_units(n, g->s1[i], g->s2[i])) * f->quantum;
    case AGG_CATEGORIES: {
        size_t px = pixels_of(g);
        uint32_t best = 0;
        for (int c = 0; c < g->ncat; c++)
            if (g->cat[(size_t)c * px + i] > best)
                best = g->cat[(size_t)c * px + i];
        return (double)best;
    }
    }
    return NAN;
}

void agg_grid_values(const agg_grid *g, double *out, double *vmin, double *vmax)
{
    size_t n = pixels_of(g);
    double lo = NAN, hi = NAN;
    for (size_t i = 0; i < n; i++) {
        double v = agg_grid_value(g, i);
        out[i] = v;
        if (v == v) {
            if (!(v >= lo))
                lo = v;
            if (!(v <= hi))
                hi = v;
        }
    }
    *vmin = lo;
    *vmax = hi;
}
