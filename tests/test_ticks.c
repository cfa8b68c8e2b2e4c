/* Axis ticks (src/overlay/ticks.h): nice 1-2-5 steps and labels, pure
 * functions, no GL. Fixed cases for the awkward ranges, then property tests
 * over random ranges with a fake font (7 px per character). */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "overlay/ticks.h"
#include "testutil.h"

static float measure7(void *ctx, const char *label)
{
    (void)ctx;
    return 7.0f * (float)strlen(label);
}

static void print_set(const char *what, const tick_set *t)
{
    fprintf(stderr, "%s: n=%d step=%.17g:", what, t->n, t->step);
    for (int i = 0; i < t->n; i++)
        fprintf(stderr, " [%s]", t->label[i]);
    fprintf(stderr, "\n");
}

/* What every set must satisfy: ascending values inside the range, distinct
 * neighbouring labels, labels that read back as their values. */
static void check_set(double lo, double hi, const tick_set *t)
{
    double a = fmin(lo, hi), b = fmax(lo, hi);
    assert_true(t->n >= 0 && t->n <= TICKS_MAX);
    for (int i = 0; i < t->n; i++) {
        if (!(t->value[i] >= a && t->value[i] <= b) || (i > 0 && !(t->value[i] > t->value[i - 1]))) {
            print_set("set", t);
            fail_msg("value %d = %.17g outside [%.17g, %.17g] or not ascending", i, t->value[i], a, b);
        }
        if (i > 0 && strcmp(t->label[i], t->label[i - 1]) == 0) {
            print_set("set", t);
            fail_msg("labels %d and %d are both \"%s\"", i - 1, i, t->label[i]);
        }
        char *end;
        double back = strtod(t->label[i], &end);
        assert_true(*end == 0);
        double tol = (t->n >= 2 ? t->step : fabs(t->value[i])) * 0.02 + fabs(t->value[i]) * 1e-14;
        if (!(fabs(back - t->value[i]) <= tol)) {
            print_set("set", t);
            fail_msg("label \"%s\" does not read back as %.17g", t->label[i], t->value[i]);
        }
        if (strcmp(t->label[i], "-0") == 0 || (back == 0 && strcmp(t->label[i], "0") != 0))
            fail_msg("zero written as \"%s\"", t->label[i]);
    }
}

static void expect_labels(double lo, double hi, int target, int n, const char *const *labels)
{
    tick_set t;
    assert_true(ticks_nice(lo, hi, target, &t));
    check_set(lo, hi, &t);
    if (t.n != n)
        print_set("got", &t);
    assert_int_equal(t.n, n);
    for (int i = 0; i < n; i++)
        assert_string_equal(t.label[i], labels[i]);
}

static void test_unit_range(void **state)
{
    (void)state;
    static const char *const want[] = {"0", "0.2", "0.4", "0.6", "0.8", "1"};
    expect_labels(0, 1, 6, 6, want);
    tick_set t;
    assert_true(ticks_nice(0, 1, 6, &t));
    assert_true(fabs(t.step - 0.2) < 1e-15);
    /* decimal values, not accumulated steps: 0.6 is the double nearest 0.6 */
    assert_true(t.value[3] == 0.6);
    /* reversed limits: the same ticks */
    static const char *const want2[] = {"0", "0.2", "0.4", "0.6", "0.8", "1"};
    expect_labels(1, 0, 6, 6, want2);
}

static void test_negative_and_crossing_zero(void **state)
{
    (void)state;
    static const char *const neg[] = {"-5", "-4", "-3", "-2", "-1"};
    expect_labels(-5, -1, 5, 5, neg);
    static const char *const cross[] = {"-0.2", "0", "0.2", "0.4", "0.6"};
    expect_labels(-0.3, 0.7, 5, 5, cross);
    /* limits that are noisy sums: zero still prints as "0" */
    double lo = 0.1 + 0.2 - 0.6, hi = 0.7 - 0.1;
    tick_set t;
    assert_true(ticks_nice(lo, hi, 7, &t));
    check_set(lo, hi, &t);
    bool zero = false;
    for (int i = 0; i < t.n; i++)
        zero |= strcmp(t.label[i], "0") == 0;
    assert_true(zero);
}

static void test_far_from_zero(void **state)
{
    (void)state;
    double lo = 1.7e9, hi = 1.7e9 + 0.01;
    tick_set t;
    assert_true(ticks_nice(lo, hi, 6, &t));
    print_set("1.7e9 + [0, 0.01]", &t);
    check_set(lo, hi, &t);
    assert_true(t.n >= 4);
    bool found = false;
    for (int i = 0; i < t.n; i++)
        found |= strcmp(t.label[i], "1700000000.002") == 0;
    assert_true(found);
    /* offset notation: short labels and the offset */
    char off[40];
    assert_true(ticks_offset_labels(&t, off));
    print_set("offset", &t);
    assert_string_equal(off, "+1.7e+09");
    assert_string_equal(t.label[0], "0");
    assert_string_equal(t.label[1], "0.002");
    /* crossing zero needs no offset and keeps its labels */
    assert_true(ticks_nice(-1, 1, 5, &t));
    assert_false(ticks_offset_labels(&t, off));
    assert_string_equal(t.label[0], "-1");
    /* negative and far: the offset is below the ticks, labels count up */
    assert_true(ticks_nice(-123456.7, -123456.1, 4, &t));
    check_set(-123456.7, -123456.1, &t);
    assert_true(ticks_offset_labels(&t, off));
    print_set("negative offset", &t);
    assert_string_equal(off, "-123457");
    for (int i = 0; i < t.n; i++)
        assert_true(t.label[i][0] != '-');
    /* a range one ulp wide still gets two distinct labels */
    double u = nextafter(1.7e9, INFINITY);
    assert_true(ticks_nice(1.7e9, u, 5, &t));
    check_set(1.7e9, u, &t);
    assert_true(t.n >= 1);
}

static void test_magnitudes(void **state)
{
    (void)state;
    static const char *const mill[] = {"0", "2e+06", "4e+06", "6e+06", "8e+06", "1e+07"};
    expect_labels(0, 1e7, 6, 6, mill);
    static const char *const tiny[] = {"0", "2e-13", "4e-13", "6e-13", "8e-13", "1e-12"};
    expect_labels(0, 1e-12, 6, 6, tiny);
    static const char *const thou[] = {"0", "0.0002", "0.0004", "0.0006", "0.0008", "0.001"};
    expect_labels(0, 1e-3, 6, 6, thou);
    static const char *const big[] = {"1e+300", "1.2e+300", "1.4e+300", "1.6e+300", "1.8e+300",
                                      "2e+300"};
    expect_labels(1e300, 2e300, 6, 6, big);
    tick_set t;
    assert_true(ticks_nice(-DBL_MAX, DBL_MAX, 5, &t));
    check_set(-DBL_MAX, DBL_MAX, &t);
    assert_true(t.n >= 2);
    assert_true(ticks_nice(1e-300, 5e-300, 5, &t));
    check_set(1e-300, 5e-300, &t);
    assert_true(ticks_nice(-5e-324, 5e-324, 4, &t));
    check_set(-5e-324, 5e-324, &t);
}

static void test_invalid(void **state)
{
    (void)state;
    tick_set t;
    assert_false(ticks_nice(NAN, 1, 5, &t));
    assert_false(ticks_nice(0, INFINITY, 5, &t));
    assert_false(ticks_nice(3, 3, 5, &t));
    assert_false(ticks_layout(0, NAN, 500, 10, measure7, NULL, &t));
    assert_false(ticks_layout(2, 2, 500, 10, measure7, NULL, &t));
    assert_true(ticks_layout(0, 1, 0, 10, measure7, NULL, &t));
    assert_int_equal(t.n, 0);
}

static bool is_125(double step)
{
    int k = (int)floor(log10(step));
    for (int d = k - 1; d <= k + 1; d++)
        for (int m = 1; m <= 5; m++)
            if ((m == 1 || m == 2 || m == 5) && fabs(step - m * pow(10, d)) <= step * 1e-9)
                return true;
    return false;
}

/* A random range: magnitudes from 1e-30 to 1e30, widths from 1e-10 of the
 * magnitude up to 1000 times it, either order, sometimes around zero. */
static void random_range(uint64_t *s, double *lo, double *hi)
{
    double mag = pow(10, tu_rand_unit(s) * 60 - 30);
    double centre = tu_rand(s) % 4 == 0 ? 0 : mag * (tu_rand(s) % 2 ? 1 : -1);
    double width = mag * pow(10, tu_rand_unit(s) * 13 - 10);
    *lo = centre - width * tu_rand_unit(s);
    *hi = *lo + width;
    if (*lo == *hi)
        *hi = nextafter(*lo, INFINITY);
    if (tu_rand(s) % 3 == 0) {
        double t = *lo;
        *lo = *hi;
        *hi = t;
    }
}

static void test_nice_property(void **state)
{
    (void)state;
    uint64_t s = 12345;
    for (int it = 0; it < 20000; it++) {
        double lo, hi;
        random_range(&s, &lo, &hi);
        int target = 2 + (int)(tu_rand(&s) % 12);
        tick_set t;
        assert_true(ticks_nice(lo, hi, target, &t));
        check_set(lo, hi, &t);
        assert_true(t.n >= 1);
        if (t.n >= 3 && !is_125(t.step))
            fail_msg("step %.17g for [%.17g, %.17g] is not 1, 2 or 5 x 10^k", t.step, lo, hi);
    }
}

/* Labels placed along the axis (position 0 at lo's end) do not overlap. */
static void check_no_overlap(double lo, double hi, const ticks_layout_params *p, const tick_set *t)
{
    double prev_hi_edge = -INFINITY;
    bool rev = hi < lo;
    for (int j = 0; j < t->n; j++) {
        int i = rev ? t->n - 1 - j : j;
        double pos = (t->value[i] / 2 - lo / 2) / (hi / 2 - lo / 2) * p->axis_px;
        double half = measure7(NULL, t->label[i]) / 2;
        if (pos - half < prev_hi_edge + p->gap_px - 1e-3) {
            print_set("overlap", t);
            fail_msg("labels overlap on a %g px axis, gap %g, [%.17g, %.17g]", (double)p->axis_px,
                     (double)p->gap_px, lo, hi);
        }
        if ((p->room_lo >= 0 && pos - half < -p->room_lo - 1e-3) ||
            (p->room_hi >= 0 && pos + half > p->axis_px + p->room_hi + 1e-3)) {
            print_set("outside", t);
            fail_msg("label \"%s\" at %g reaches outside the room", t->label[i], pos);
        }
        prev_hi_edge = pos + half;
    }
}

static void test_layout_property(void **state)
{
    (void)state;
    uint64_t s = 777;
    int fewer_than_two = 0;
    for (int it = 0; it < 20000; it++) {
        double lo, hi;
        random_range(&s, &lo, &hi);
        ticks_layout_params p = {.axis_px = 20 + (float)(tu_rand(&s) % 2500),
                                 .gap_px = (float)(tu_rand(&s) % 40),
                                 .room_lo = -1,
                                 .room_hi = -1,
                                 .measure = measure7};
        if (it % 2) {
            p.room_lo = (float)(tu_rand(&s) % 60);
            p.room_hi = (float)(tu_rand(&s) % 60);
        }
        tick_set t;
        assert_true(ticks_layout_ex(lo, hi, &p, &t));
        check_set(lo, hi, &t);
        check_no_overlap(lo, hi, &p, &t);
        /* long enough for three labels (the widest of a plain 5-tick set),
         * with room for half a label past each end: at least two ticks */
        tick_set ref;
        assert_true(ticks_nice(lo, hi, 5, &ref));
        float wmax = 0;
        for (int i = 0; i < ref.n; i++)
            wmax = fmaxf(wmax, measure7(NULL, ref.label[i]));
        bool roomy = (p.room_lo < 0 || p.room_lo >= wmax / 2) && (p.room_hi < 0 || p.room_hi >= wmax / 2);
        if (roomy && p.axis_px >= 3 * wmax + 2 * p.gap_px && t.n < 2) {
            print_set("reference", &ref);
            print_set("layout", &t);
            fail_msg("a %g px axis (gap %g) for [%.17g, %.17g] got %d ticks", (double)p.axis_px,
                     (double)p.gap_px, lo, hi, t.n);
        }
        fewer_than_two += t.n < 2;
    }
    fprintf(stderr, "%d of 20000 random axes had fewer than two ticks (all short ones)\n",
            fewer_than_two);
}

/* Densest: with plenty of room the layout has as many ticks as fit. */
static void test_layout_density(void **state)
{
    (void)state;
    tick_set t;
    /* "0.1" is 21 px: with a 10 px gap, 31 px spacing; 0.1 steps on 600 px are 60 px */
    assert_true(ticks_layout(0, 1, 600, 10, measure7, NULL, &t));
    assert_int_equal(t.n, 11);
    /* on 300 px, 0.1 steps are 30 px < 31: 0.2 steps */
    assert_true(ticks_layout(0, 1, 300, 10, measure7, NULL, &t));
    assert_int_equal(t.n, 6);
    /* the far-from-zero case: 14-character labels, 98 px each */
    assert_true(ticks_layout(1.7e9, 1.7e9 + 0.01, 800, 20, measure7, NULL, &t));
    print_set("far, 800 px", &t);
    check_set(1.7e9, 1.7e9 + 0.01, &t);
    assert_true(t.n >= 3);
    /* an axis too short for any whole set with two ticks (0.2 steps need 26
     * px, 0.5 has one tick in range) shows the end ticks of the 0.1 steps */
    assert_true(ticks_layout(0.13, 0.87, 60, 5, measure7, NULL, &t));
    print_set("short", &t);
    assert_int_equal(t.n, 2);
    assert_string_equal(t.label[0], "0.2");
    assert_string_equal(t.label[1], "0.8");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unit_range),
        cmocka_unit_test(test_negative_and_crossing_zero),
        cmocka_unit_test(test_far_from_zero),
        cmocka_unit_test(test_magnitudes),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_nice_property),
        cmocka_unit_test(test_layout_property),
        cmocka_unit_test(test_layout_density),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
