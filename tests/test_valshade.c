/* Value shading (look/valshade.h): value_shade_rows against a plain
 * reference on random values (NaN, huge and tiny magnitudes, values on bin
 * edges and past the range's ends, a reversed range, a range whose span
 * overflows a double), in pieces of rows, RGB and RGBA, with padded rows;
 * the bin rule on exact edges; and value_range_choose case by case. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "look/colormap.h"
#include "look/valshade.h"
#include "testutil.h"

/* The entry by the rule as the header states it, computed another way: the
 * quotient of the differences of a quarter of each number (exact scaling,
 * so the same quotient as the unscaled one wherever that does not overflow),
 * then floor and clamp. */
static int ref_entry(double vmin, double vmax, double v)
{
    double t = (v / 4 - vmin / 4) / (vmax / 4 - vmin / 4);
    double s = floor(t * 256);
    if (s < 0)
        return 0;
    if (s > 255)
        return 255;
    return (int)s;
}

/* A value of every kind the grid can hold, from the seed. */
static double random_value(uint64_t *seed, double vmin, double vmax)
{
    double lo = fmin(vmin, vmax), hi = fmax(vmin, vmax);
    double u = tu_rand_unit(seed);
    uint64_t k = tu_rand(seed);
    if (u < 0.15)
        return NAN;
    if (u < 0.55) /* inside the range */
        return lo + (hi - lo) * tu_rand_unit(seed);
    if (u < 0.70) /* near or on a bin edge */
        return vmin + (vmax - vmin) * ((double)(k % 257) / 256) + (double)((int)(k >> 40) % 3 - 1) *
                                                                   fabs(vmax - vmin) * 1e-17;
    if (u < 0.80) { /* past an end */
        double w = (hi - lo) * tu_rand_unit(seed) * 10;
        return k & 1 ? hi + w : lo - w;
    }
    static const double special[] = {DBL_MAX, -DBL_MAX, 1e300, -1e300, 1e-300, -1e-300, 0.0, -0.0,
                                     DBL_MIN, 5e-324, 1.0, -1.0};
    if (u < 0.95)
        return special[k % (sizeof special / sizeof special[0])];
    return k & 1 ? vmin : vmax;
}

typedef struct vcase {
    double vmin, vmax;
    int w, h;
    uint8_t bg[4];
    const char *cmap;
} vcase;

static void check_case(const vcase *c, uint64_t seed)
{
    value_look l = {.vmin = c->vmin, .vmax = c->vmax};
    assert_true(colormap_get(c->cmap, l.cmap));
    memcpy(l.background, c->bg, 4);
    /* an alpha in the colormap must not leak into the picture */
    for (int k = 0; k < COLORMAP_SIZE; k++)
        l.cmap[k][3] = (uint8_t)k;
    size_t n = (size_t)c->w * (size_t)c->h;
    double *v = malloc(n * sizeof *v);
    assert_non_null(v);
    for (size_t i = 0; i < n; i++)
        v[i] = random_value(&seed, c->vmin, c->vmax);
    for (int channels = 3; channels <= 4; channels++) {
        size_t stride = (size_t)c->w * (size_t)channels + 5; /* padded rows */
        uint8_t *out = malloc(stride * (size_t)c->h);
        assert_non_null(out);
        memset(out, 0xA5, stride * (size_t)c->h);
        /* in three uneven pieces, as the PNG workers call it */
        int a = c->h / 3, b = c->h - c->h / 4;
        assert_true(value_shade_rows(&l, v, c->w, c->h, 0, a, out, stride, channels));
        assert_true(value_shade_rows(&l, v, c->w, c->h, a, b, out + (size_t)a * stride, stride, channels));
        assert_true(value_shade_rows(&l, v, c->w, c->h, b, c->h, out + (size_t)b * stride, stride, channels));
        for (int y = 0; y < c->h; y++) {
            const uint8_t *row = out + (size_t)y * stride;
            for (int x = 0; x < c->w; x++) {
                double val = v[(size_t)(c->h - 1 - y) * (size_t)c->w + (size_t)x]; /* top row first */
                uint8_t want[4];
                if (isnan(val)) {
                    memcpy(want, c->bg, 4);
                } else {
                    int e = ref_entry(c->vmin, c->vmax, val);
                    memcpy(want, l.cmap[e], 3);
                    want[3] = 255;
                }
                if (memcmp(row + (size_t)x * channels, want, (size_t)channels) != 0)
                    fail_msg("[%g, %g] %d channels: pixel (%d, %d) of value %.17g is %d,%d,%d, want "
                             "%d,%d,%d", c->vmin, c->vmax, channels, x, y, val, row[x * channels],
                             row[x * channels + 1], row[x * channels + 2], want[0], want[1], want[2]);
            }
            for (size_t p = (size_t)c->w * channels; p < stride; p++)
                assert_int_equal(row[p], 0xA5); /* the padding is left alone */
        }
        free(out);
    }
    free(v);
}

static void test_against_reference(void **state)
{
    (void)state;
    static const vcase cases[] = {
        {0, 1, 97, 61, {0, 0, 0, 255}, "viridis"},
        {-3.5, 12.25, 64, 64, {255, 255, 255, 255}, "coolwarm"},
        {1.7e9, 1.7e9 + 0.01, 33, 80, {10, 20, 30, 0}, "fire"},       /* far from zero */
        {5, -5, 50, 40, {200, 100, 50, 128}, "rdbu_r"},               /* reversed */
        {-1e308, 1e308, 70, 30, {0, 0, 0, 255}, "piyg"},              /* the span overflows */
        {1e308, -DBL_MAX, 20, 20, {0, 0, 0, 0}, "gray"},              /* both */
        {1e-300, 3e-300, 41, 17, {0, 0, 0, 255}, "magma"},            /* tiny */
        {-1, 1, 1, 1, {1, 2, 3, 4}, "inferno"},                       /* one pixel */
        {-1, 1, 300, 2, {1, 2, 3, 4}, "cividis"},
    };
    uint64_t seed = 7;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_case(&cases[i], seed++);
}

/* The bins themselves, on exact numbers: [0, 256] is cut at the integers. */
static void test_bins(void **state)
{
    (void)state;
    assert_int_equal(value_entry(0, 256, 0), 0);
    assert_int_equal(value_entry(0, 256, 0.999999), 0);
    assert_int_equal(value_entry(0, 256, 1), 1);
    assert_int_equal(value_entry(0, 256, 128), 128);
    assert_int_equal(value_entry(0, 256, 255.5), 255);
    assert_int_equal(value_entry(0, 256, 256), 255); /* vmax itself */
    assert_int_equal(value_entry(0, 256, 1e300), 255);
    assert_int_equal(value_entry(0, 256, INFINITY), 255);
    assert_int_equal(value_entry(0, 256, -INFINITY), 0);
    assert_int_equal(value_entry(0, 256, -1), 0);
    for (int k = 0; k < 256; k++) {
        assert_int_equal(value_entry(0, 1, k / 256.0), k);
        assert_int_equal(value_entry(-1, 1, -1 + k / 128.0), k);
        /* reversed: vmin is entry 0 */
        assert_int_equal(value_entry(1, 0, 1 - k / 256.0), k);
    }
    /* a symmetric range puts its centre at the start of the upper half */
    assert_int_equal(value_entry(-7, 7, 0), 128);
    assert_int_equal(value_entry(-7, 7, -1e-12), 127);
    /* a span that overflows (2^1024): the same bins as a scaled-down range,
     * on edges that are exact */
    double big = ldexp(1, 1023);
    for (int k = 0; k <= 256; k++)
        assert_int_equal(value_entry(-big, big, ldexp(k - 128, 1016)), k < 256 ? k : 255);
}

static void test_bad_looks(void **state)
{
    (void)state;
    value_look l = {.vmin = 0, .vmax = 1};
    assert_true(colormap_get("gray", l.cmap));
    double v[4] = {0, 0.5, NAN, 1};
    uint8_t out[16];
    assert_true(value_shade_rows(&l, v, 2, 2, 0, 2, out, 8, 4));
    assert_true(value_shade_rows(&l, v, 2, 2, 1, 1, out, 8, 4)); /* no rows */
    assert_false(value_shade_rows(&l, v, 2, 2, 0, 2, out, 8, 2));
    assert_false(value_shade_rows(&l, v, 2, 2, 0, 3, out, 8, 4));
    assert_false(value_shade_rows(&l, v, 2, 2, -1, 1, out, 8, 4));
    assert_false(value_shade_rows(&l, v, 2, 2, 2, 1, out, 8, 4));
    l.vmax = 0;
    assert_false(value_shade_rows(&l, v, 2, 2, 0, 2, out, 8, 4));
    l.vmax = INFINITY;
    assert_false(value_shade_rows(&l, v, 2, 2, 0, 2, out, 8, 4));
    l.vmax = 1;
    l.vmin = NAN;
    assert_false(value_shade_rows(&l, v, 2, 2, 0, 2, out, 8, 4));
}

/* ---- value_range_choose ------------------------------------------------------ */

#define GIVEN(x) (&(double){x})

static void expect_range(int line, double dmin, double dmax, const double *vmin, const double *vmax,
                         bool div, double centre, double lo, double hi)
{
    double out[2] = {-12345, -12345};
    value_range_choose(dmin, dmax, vmin, vmax, div, centre, out);
    if (!isfinite(out[0]) || !isfinite(out[1]) || out[0] == out[1])
        fail_msg("line %d: range [%.17g, %.17g] is not two finite, different numbers", line, out[0], out[1]);
    if (out[0] != lo || out[1] != hi)
        fail_msg("line %d: range [%.17g, %.17g], want [%.17g, %.17g]", line, out[0], out[1], lo, hi);
}
#define RANGE(...) expect_range(__LINE__, __VA_ARGS__)

static void test_range_choose(void **state)
{
    (void)state;
    const double *none = NULL;
    /* sequential: the data's ends, given ones win */
    RANGE(2, 9, none, none, false, 0, 2, 9);
    RANGE(2, 9, GIVEN(3), none, false, 0, 3, 9);
    RANGE(2, 9, none, GIVEN(4), false, 0, 2, 4);
    RANGE(2, 9, GIVEN(-1), GIVEN(20), false, 0, -1, 20);
    RANGE(2, 9, GIVEN(20), GIVEN(-1), false, 0, 20, -1);   /* reversed, as given */
    RANGE(2, 9, GIVEN(20), GIVEN(-1), true, 0, 20, -1);    /* both given: no centring either */
    /* a given end with all data on its wrong side: flat there, widened away */
    RANGE(2, 9, GIVEN(10), none, false, 0, 10, 10 + 0.05 * 10);
    RANGE(2, 9, none, GIVEN(1), false, 0, 1 - 0.05 * 1, 1);
    RANGE(2, 9, none, GIVEN(2), false, 0, 2 - 0.05 * 2, 2);
    /* flat data: widened both ways by 5% (1 at zero) */
    RANGE(4, 4, none, none, false, 0, 4 - 0.05 * 4, 4 + 0.05 * 4);
    RANGE(-4, -4, none, none, false, 0, -4 - 0.05 * 4, -4 + 0.05 * 4);
    RANGE(0, 0, none, none, false, 0, -1, 1);
    RANGE(5e-324, 5e-324, none, none, false, 0, 5e-324 - 1, 5e-324 + 1); /* subnormal: as zero */
    RANGE(7, 9, GIVEN(3), GIVEN(3), false, 0, 3 - 0.05 * 3, 3 + 0.05 * 3);  /* both given, equal */
    /* no data */
    RANGE(NAN, NAN, none, none, false, 0, 0, 1);
    RANGE(INFINITY, -INFINITY, none, none, false, 0, 0, 1);
    RANGE(5, 1, none, none, false, 0, 0, 1);                /* min > max: empty */
    RANGE(NAN, NAN, GIVEN(2), none, false, 0, 2, 2 + 0.05 * 2);
    RANGE(NAN, NAN, none, GIVEN(-2), false, 0, -2 - 0.05 * 2, -2);
    RANGE(NAN, NAN, GIVEN(0), none, false, 0, 0, 1);
    /* not finite given values count as not given */
    RANGE(2, 9, GIVEN(NAN), GIVEN(INFINITY), false, 0, 2, 9);
    /* diverging: symmetric about the centre */
    RANGE(-2, 9, none, none, true, 0, -9, 9);
    RANGE(-20, 9, none, none, true, 0, -20, 20);
    RANGE(3, 9, none, none, true, 0, -9, 9);                /* data on one side */
    RANGE(3, 9, none, none, true, 5, 1, 9);
    RANGE(3, 9, none, none, true, NAN, -9, 9);              /* centre not finite: 0 */
    RANGE(NAN, NAN, none, none, true, 0, -1, 1);
    RANGE(NAN, NAN, none, none, true, 10, 9, 11);
    RANGE(5, 5, none, none, true, 5, 4.75, 5.25);           /* flat at the centre */
    /* diverging, one end given on its side: mirrored */
    RANGE(-2, 9, GIVEN(-4), none, true, 0, -4, 4);
    RANGE(-2, 9, none, GIVEN(3), true, 0, -3, 3);
    RANGE(-2, 9, GIVEN(-4), none, true, 1, -4, 6);
    /* ... on the wrong side: the sequential rule */
    RANGE(-2, 9, GIVEN(4), none, true, 0, 4, 9);
    RANGE(-2, 9, none, GIVEN(-1), true, 0, -2, -1);
    RANGE(-2, 9, GIVEN(0), none, true, 0, 0, 9);
    /* overflow: held at DBL_MAX */
    RANGE(-1e308, 1.5e308, none, none, true, 0, -1.5e308, 1.5e308);
    RANGE(-1e308, 1e308, none, none, true, 1e308, -DBL_MAX, DBL_MAX);
    RANGE(-2, 9, GIVEN(-1e308), none, true, 1e308, -1e308, DBL_MAX);
    RANGE(DBL_MAX, DBL_MAX, none, none, false, 0, DBL_MAX - DBL_MAX * 0.05, DBL_MAX);
    RANGE(-DBL_MAX, -DBL_MAX, none, none, false, 0, -DBL_MAX, -DBL_MAX + DBL_MAX * 0.05);
    /* a flat range at a given DBL_MAX: the way out is back */
    RANGE(NAN, NAN, GIVEN(DBL_MAX), none, false, 0, DBL_MAX - DBL_MAX * 0.05, DBL_MAX);
    RANGE(NAN, NAN, none, GIVEN(-DBL_MAX), false, 0, -DBL_MAX, -DBL_MAX + DBL_MAX * 0.05);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_reference),
        cmocka_unit_test(test_bins),
        cmocka_unit_test(test_bad_looks),
        cmocka_unit_test(test_range_choose),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
