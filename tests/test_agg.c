/* The aggregate grid (accum/agg.h): the fixed point keeps every d within
 * 2^40 and within its stated error of w; sums do not depend on the order of
 * the samples nor on how they are split between grids that are merged; the
 * variance from n, S1, S2 equals an exact integer reference; min and max order
 * -0 before +0; category codes are integers in range only. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "accum/agg.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t next_u64(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}
static double uniform(void) { return (double)(next_u64() >> 11) * 0x1p-53; }

static void test_fixed_point_bounds(void **st)
{
    (void)st;
    for (int t = 0; t < 2000; t++) {
        double scale = ldexp(1.0, (int)(next_u64() % 200) - 100);
        double lo = (uniform() - 0.5) * scale * (t % 3 == 0 ? 1e6 : 1);
        double hi = lo + uniform() * scale;
        agg_fixed f = agg_fixed_for_range(lo, hi);
        double r = fmax(hi - f.center, f.center - lo);
        for (int i = 0; i < 50; i++) {
            double w = i == 0 ? lo : i == 1 ? hi : lo + (hi - lo) * uniform();
            if (w > hi)
                w = hi;
            int64_t d = agg_fixed_of(&f, w);
            assert_true(llabs(d) <= (1ll << AGG_FIXED_BITS));
            /* the stated bound: q/2 + 2^-53 R */
            double back = f.center + (double)d * f.quantum;
            double bound = f.quantum / 2 * (1 + 1.0 / 4096) + fabs(back) * 0x1p-52;
            assert_true(fabs(back - w) <= bound + r * 0x1p-52);
        }
    }
    /* a flat range: every value is the centre */
    agg_fixed f = agg_fixed_for_range(3.25, 3.25);
    assert_int_equal(agg_fixed_of(&f, 3.25), 0);
}

static agg_grid *grid(agg_kind k, int w, int h, const agg_fixed *fx)
{
    agg_grid *g;
    vp_err err;
    assert_true(agg_grid_create(k, w, h, k == AGG_CATEGORIES ? 5 : 0, fx, &g, &err));
    return g;
}

static void add_cat(agg_grid *g, size_t i, double w)
{
    int c = agg_category_of(w, g->ncat);
    if (c < 0)
        return;
    g->cat[(size_t)c * (size_t)g->w * (size_t)g->h + i]++;
    g->count[i]++;
}

static void same(const agg_grid *a, const agg_grid *b)
{
    size_t n = (size_t)a->w * (size_t)a->h;
    assert_memory_equal(a->count, b->count, n * sizeof *a->count);
    if (a->s1)
        assert_memory_equal(a->s1, b->s1, n * sizeof *a->s1);
    if (a->s2)
        assert_memory_equal(a->s2, b->s2, n * sizeof *a->s2);
    for (size_t i = 0; i < n; i++) {
        if (!a->count[i])
            continue;
        if (a->lo)
            assert_memory_equal(&a->lo[i], &b->lo[i], sizeof(double));
        if (a->hi)
            assert_memory_equal(&a->hi[i], &b->hi[i], sizeof(double));
    }
    if (a->cat)
        assert_memory_equal(a->cat, b->cat, n * (size_t)a->ncat * sizeof *a->cat);
}

/* one grid in order, against shuffled samples split over three merged grids */
static void test_order_independent(void **st)
{
    (void)st;
    enum { N = 20000, W = 7, H = 3 };
    static size_t px[N];
    static double w[N];
    for (int i = 0; i < N; i++) {
        px[i] = next_u64() % (W * H);
        w[i] = i % 5 == 0 ? (double)(next_u64() % 7) : (uniform() - 0.5) * 1e6 + 1e9;
        if (i % 11 == 0)
            w[i] = (i & 1) ? -0.0 : 0.0;
    }
    agg_fixed fx = agg_fixed_for_range(-5e8, 1.6e9);
    for (agg_kind k = AGG_COUNT; k <= AGG_CATEGORIES; k++) {
        agg_grid *a = grid(k, W, H, &fx), *parts[3];
        for (int p = 0; p < 3; p++)
            parts[p] = grid(k, W, H, &fx);
        for (int i = 0; i < N; i++)
            k == AGG_CATEGORIES ? add_cat(a, px[i], w[i]) : agg_grid_add(a, px[i], w[i]);
        for (int i = N - 1; i >= 0; i--) {
            agg_grid *g = parts[(i * 7919) % 3];
            k == AGG_CATEGORIES ? add_cat(g, px[i], w[i]) : agg_grid_add(g, px[i], w[i]);
        }
        agg_grid *m = grid(k, W, H, &fx);
        vp_err err;
        assert_true(agg_grid_merge(m, parts[2], &err));
        assert_true(agg_grid_merge(m, parts[0], &err));
        assert_true(agg_grid_merge(m, parts[1], &err));
        same(a, m);
        for (size_t i = 0; i < (size_t)W * H; i++) {
            double va = agg_grid_value(a, i), vm = agg_grid_value(m, i);
            assert_memory_equal(&va, &vm, sizeof va);
        }
        agg_grid_destroy(a);
        agg_grid_destroy(m);
        for (int p = 0; p < 3; p++)
            agg_grid_destroy(parts[p]);
    }
}

/* the variance against exact integers: with few, small d, n S2 - S1^2 fits
 * in 128 bits and is computed directly */
static void test_variance_exact(void **st)
{
    (void)st;
    agg_fixed fx = agg_fixed_for_range(-1.0, 1.0);
    for (int t = 0; t < 500; t++) {
        agg_grid *g = grid(AGG_VAR, 1, 1, &fx), *s = grid(AGG_STD, 1, 1, &fx);
        int n = 1 + (int)(next_u64() % 300);
        __int128 s1 = 0, s2 = 0;
        double lo = -1, span = 2;
        if (t % 2) { /* a narrow cluster near the end of the range */
            lo = 0.999;
            span = 1e-9;
        }
        for (int i = 0; i < n; i++) {
            double w = lo + span * uniform();
            agg_grid_add(g, 0, w);
            agg_grid_add(s, 0, w);
            int64_t d = agg_fixed_of(&fx, w);
            s1 += d;
            s2 += (__int128)d * d;
        }
        __int128 num = (__int128)n * s2 - s1 * s1; /* < 2^128 for these sizes */
        double want = (double)num / ((double)n * n) * fx.quantum * fx.quantum;
        double got = agg_grid_value(g, 0);
        assert_true(fabs(got - want) <= 4 * 0x1p-52 * want + 1e-300);
        double sd = agg_grid_value(s, 0);
        assert_true(fabs(sd - sqrt(want)) <= 4 * 0x1p-52 * sqrt(want) + 1e-300);
        agg_grid_destroy(g);
        agg_grid_destroy(s);
    }
}

/* values far from zero: the mean and std of 1e6 + N(0, 1) samples */
static void test_far_from_zero(void **st)
{
    (void)st;
    agg_fixed fx = agg_fixed_for_range(1e6 - 10, 1e6 + 10);
    agg_grid *m = grid(AGG_MEAN, 1, 1, &fx), *s = grid(AGG_STD, 1, 1, &fx);
    long double sum = 0, sq = 0;
    enum { N = 100000 };
    static double w[N];
    for (int i = 0; i < N; i++) {
        w[i] = 1e6 + (uniform() + uniform() + uniform() - 1.5) * 2;
        agg_grid_add(m, 0, w[i]);
        agg_grid_add(s, 0, w[i]);
        sum += w[i];
    }
    long double mean = sum / N;
    for (int i = 0; i < N; i++)
        sq += (w[i] - mean) * (w[i] - mean);
    double sd = (double)sqrtl(sq / N);
    double eps = fx.quantum / 2 * (1 + 1.0 / 4096);
    assert_true(fabs(agg_grid_value(m, 0) - (double)mean) <= eps + 1e6 * 0x1p-50);
    assert_true(fabs(agg_grid_value(s, 0) - sd) <= eps + sd * 1e-12);
    agg_grid_destroy(m);
    agg_grid_destroy(s);
}

static void test_min_max_zeros(void **st)
{
    (void)st;
    agg_grid *lo = grid(AGG_MIN, 2, 1, NULL), *hi = grid(AGG_MAX, 2, 1, NULL);
    const double a[] = {0.0, -0.0, 0.0}, b[] = {-0.0, 0.0, -0.0};
    for (int i = 0; i < 3; i++) {
        agg_grid_add(lo, 0, a[i]);
        agg_grid_add(hi, 0, a[i]);
        agg_grid_add(lo, 1, b[i]);
        agg_grid_add(hi, 1, b[i]);
    }
    assert_true(signbit(agg_grid_value(lo, 0)) && signbit(agg_grid_value(lo, 1)));
    assert_false(signbit(agg_grid_value(hi, 0)) || signbit(agg_grid_value(hi, 1)));
    agg_grid_destroy(lo);
    agg_grid_destroy(hi);
    /* an empty pixel is NaN */
    agg_grid *g = grid(AGG_MEAN, 1, 1, NULL);
    assert_true(isnan(agg_grid_value(g, 0)));
    agg_grid_destroy(g);
}

static void test_category_codes(void **st)
{
    (void)st;
    assert_int_equal(agg_category_of(0.0, 5), 0);
    assert_int_equal(agg_category_of(-0.0, 5), 0);
    assert_int_equal(agg_category_of(4.0, 5), 4);
    assert_int_equal(agg_category_of(5.0, 5), -1);
    assert_int_equal(agg_category_of(2.5, 5), -1);
    assert_int_equal(agg_category_of(-1.0, 5), -1);
    assert_int_equal(agg_category_of(NAN, 5), -1);
    vp_err err;
    agg_grid *g;
    assert_false(agg_grid_create(AGG_CATEGORIES, 2, 2, AGG_MAX_CATEGORIES + 1, NULL, &g, &err));
    /* merging past 2^32 - 1 in one category is an error, not a wrap */
    agg_grid *a = grid(AGG_CATEGORIES, 1, 1, NULL), *b = grid(AGG_CATEGORIES, 1, 1, NULL);
    a->cat[2] = UINT32_MAX - 1;
    b->cat[2] = 2;
    assert_false(agg_grid_merge(a, b, &err));
    agg_grid_destroy(a);
    agg_grid_destroy(b);
}

static void test_names(void **st)
{
    (void)st;
    agg_kind k;
    for (agg_kind i = AGG_COUNT; i < AGG_CATEGORIES; i++) {
        assert_true(agg_kind_from_name(agg_kind_name(i), &k));
        assert_int_equal(k, i);
    }
    assert_false(agg_kind_from_name("median", &k));
    assert_false(agg_kind_from_name("categories", &k));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixed_point_bounds), cmocka_unit_test(test_order_independent),
        cmocka_unit_test(test_variance_exact),     cmocka_unit_test(test_far_from_zero),
        cmocka_unit_test(test_min_max_zeros),      cmocka_unit_test(test_category_codes),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
