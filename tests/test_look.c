/* Colormaps, colour parsing and the CPU tone maps, checked against closed forms
 * and brute-force references rather than stored expectations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "look/colormap.h"
#include "look/tonemap.h"
#include "testutil.h"

/* ---- colormaps -------------------------------------------------------------- */

static const char *const expected_maps[] = {"viridis", "inferno", "magma",    "plasma", "cividis",
                                            "fire",    "gray",    "coolwarm", "rdbu",   "piyg"};
#define N_EXPECTED (sizeof expected_maps / sizeof expected_maps[0])
/* the sequential ones, whose lightness rises from end to end */
#define N_SEQUENTIAL 7

/* CIE L* (D65) of an sRGB8 colour. */
static double lightness(const uint8_t c[4])
{
    double lin[3];
    for (int i = 0; i < 3; i++) {
        double v = c[i] / 255.0;
        lin[i] = v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
    }
    double y = 0.2126729 * lin[0] + 0.7151522 * lin[1] + 0.0721750 * lin[2];
    double d = 6.0 / 29.0;
    double f = y > d * d * d ? cbrt(y) : y / (3 * d * d) + 4.0 / 29.0;
    return 116.0 * f - 16.0;
}

static void test_colormap_names_resolve(void **state)
{
    (void)state;
    const char *const *names = colormap_names();
    size_t n = 0;
    while (names[n])
        n++;
    assert_int_equal(n, N_EXPECTED);
    for (size_t i = 0; i < N_EXPECTED; i++) {
        bool listed = false;
        for (size_t j = 0; j < n; j++)
            listed |= strcmp(names[j], expected_maps[i]) == 0;
        assert_true(listed);
    }
    for (size_t j = 0; j < n; j++) {
        uint8_t map[COLORMAP_SIZE][4], rev[COLORMAP_SIZE][4];
        char rname[64];
        snprintf(rname, sizeof rname, "%s_r", names[j]);
        assert_true(colormap_get(names[j], map));
        assert_true(colormap_get(rname, rev));
        int distinct = 0;
        for (int i = 0; i < COLORMAP_SIZE; i++) {
            assert_int_equal(map[i][3], 255);
            assert_int_equal(rev[i][3], 255);
            if (i && memcmp(map[i], map[i - 1], 3) != 0)
                distinct++;
            /* _r is the same table, back to front */
            assert_memory_equal(rev[i], map[COLORMAP_SIZE - 1 - i], 4);
        }
        /* 256 real entries, not a short table stretched */
        assert_true(distinct > 200);
    }
    uint8_t m[COLORMAP_SIZE][4];
    assert_false(colormap_get("nope", m));
    assert_false(colormap_get("", m));
    assert_false(colormap_get("_r", m));
    assert_false(colormap_get("viridis_r_r", m));
    assert_false(colormap_get("viridisx", m));
    assert_false(colormap_get(NULL, m));
}

static void test_colormap_known_values(void **state)
{
    (void)state;
    uint8_t m[COLORMAP_SIZE][4];
    /* matplotlib's viridis ends, rounded: #440154 and #fde725 */
    assert_true(colormap_get("viridis", m));
    assert_int_equal(m[0][0], 0x44);
    assert_int_equal(m[0][1], 0x01);
    assert_int_equal(m[0][2], 0x54);
    assert_int_equal(m[255][0], 0xfd);
    assert_int_equal(m[255][1], 0xe7);
    assert_int_equal(m[255][2], 0x25);
    assert_true(colormap_get("gray", m));
    for (int i = 0; i < COLORMAP_SIZE; i++) {
        assert_int_equal(m[i][0], i);
        assert_int_equal(m[i][1], i);
        assert_int_equal(m[i][2], i);
    }
    assert_true(colormap_get("fire", m));
    assert_int_equal(m[0][0] + m[0][1] + m[0][2], 0); /* starts black */
    assert_true(m[255][0] > 240 && m[255][1] > 240 && m[255][2] > 200); /* ends near white */
    assert_true(m[128][0] > 2 * m[128][2]);                              /* warm in between */
}

static void test_colormap_lightness_increases(void **state)
{
    (void)state;
    for (size_t k = 0; k < N_SEQUENTIAL; k++) {
        uint8_t m[COLORMAP_SIZE][4];
        assert_true(colormap_get(expected_maps[k], m));
        assert_false(colormap_is_diverging(expected_maps[k]));
        double top = lightness(m[0]);
        for (int i = 1; i < COLORMAP_SIZE; i++) {
            double l = lightness(m[i]);
            if (l < top - 1.0)
                fail_msg("%s: L* falls from %.2f to %.2f at entry %d", expected_maps[k], top, l, i);
            top = l > top ? l : top;
        }
        double span = lightness(m[COLORMAP_SIZE - 1]) - lightness(m[0]);
        if (span < 40.0)
            fail_msg("%s: L* spans only %.1f", expected_maps[k], span);
    }
}

/* ---- diverging maps ------------------------------------------------------------ */

/* CIELAB (D65) of an sRGB8 colour. */
static void to_lab(const uint8_t c[3], double lab[3])
{
    double lin[3];
    for (int i = 0; i < 3; i++) {
        double v = c[i] / 255.0;
        lin[i] = v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
    }
    double xyz[3] = {(0.4124564 * lin[0] + 0.3575761 * lin[1] + 0.1804375 * lin[2]) / 0.95047,
                     0.2126729 * lin[0] + 0.7151522 * lin[1] + 0.0721750 * lin[2],
                     (0.0193339 * lin[0] + 0.1191920 * lin[1] + 0.9503041 * lin[2]) / 1.08883};
    double d = 6.0 / 29.0, f[3];
    for (int i = 0; i < 3; i++)
        f[i] = xyz[i] > d * d * d ? cbrt(xyz[i]) : xyz[i] / (3 * d * d) + 4.0 / 29.0;
    lab[0] = 116.0 * f[1] - 16.0;
    lab[1] = 500.0 * (f[0] - f[1]);
    lab[2] = 200.0 * (f[1] - f[2]);
}

/* Lab -> sRGB8, clamped: the way back, for the reference below. */
static void from_lab(const double lab[3], uint8_t out[3])
{
    double fy = (lab[0] + 16.0) / 116.0, f[3] = {fy + lab[1] / 500.0, fy, fy - lab[2] / 200.0};
    double d = 6.0 / 29.0, w[3] = {0.95047, 1.0, 1.08883}, xyz[3];
    for (int i = 0; i < 3; i++)
        xyz[i] = w[i] * (f[i] > d ? f[i] * f[i] * f[i] : 3 * d * d * (f[i] - 4.0 / 29.0));
    double lin[3] = {3.2404542 * xyz[0] - 1.5371385 * xyz[1] - 0.4985314 * xyz[2],
                     -0.9692660 * xyz[0] + 1.8760108 * xyz[1] + 0.0415560 * xyz[2],
                     0.0556434 * xyz[0] - 0.2040259 * xyz[1] + 1.0572252 * xyz[2]};
    for (int i = 0; i < 3; i++) {
        double v = lin[i] <= 0.0031308 ? 12.92 * lin[i] : 1.055 * pow(lin[i], 1 / 2.4) - 0.055;
        v = v < 0 ? 0 : v > 1 ? 1 : v;
        out[i] = (uint8_t)floor(v * 255.0 + 0.5);
    }
}

/* Moreland's diverging interpolation (ISVC 2009, section 5), written again
 * from the paper, to check the generated tables: Msh of the two ends, a
 * neutral middle of magnitude max(M1, M2, mid_m) between saturated ends of
 * distant hue, the hue spin toward the neutral, linear in M, s, h. */
static void msh_of(const double end[3], double msh[3])
{
    /* the ends as given (0..1), not rounded to 8 bits */
    double lin[3];
    for (int i = 0; i < 3; i++)
        lin[i] = end[i] <= 0.04045 ? end[i] / 12.92 : pow((end[i] + 0.055) / 1.055, 2.4);
    double xyz[3] = {(0.4124564 * lin[0] + 0.3575761 * lin[1] + 0.1804375 * lin[2]) / 0.95047,
                     0.2126729 * lin[0] + 0.7151522 * lin[1] + 0.0721750 * lin[2],
                     (0.0193339 * lin[0] + 0.1191920 * lin[1] + 0.9503041 * lin[2]) / 1.08883};
    double d = 6.0 / 29.0, f[3];
    for (int i = 0; i < 3; i++)
        f[i] = xyz[i] > d * d * d ? cbrt(xyz[i]) : xyz[i] / (3 * d * d) + 4.0 / 29.0;
    double L = 116.0 * f[1] - 16.0, a = 500.0 * (f[0] - f[1]), b = 200.0 * (f[1] - f[2]);
    msh[0] = sqrt(L * L + a * a + b * b);
    msh[1] = acos(L / msh[0]);
    msh[2] = atan2(b, a);
}

static double spin_hue(const double sat[3], double m_unsat)
{
    if (sat[0] >= m_unsat)
        return sat[2];
    double spin = sat[1] * sqrt(m_unsat * m_unsat - sat[0] * sat[0]) / (sat[0] * sin(sat[1]));
    return sat[2] > -M_PI / 3 ? sat[2] + spin : sat[2] - spin;
}

static void moreland(const double lo[3], const double hi[3], double mid_m, double x, uint8_t out[3])
{
    double a[3], b[3];
    msh_of(lo, a);
    msh_of(hi, b);
    if (a[1] > 0.05 && b[1] > 0.05 && fabs(a[2] - b[2]) > M_PI / 3) {
        double mid = fmax(fmax(a[0], b[0]), mid_m);
        if (x < 0.5) {
            b[0] = mid, b[1] = 0, b[2] = 0;
            x = 2 * x;
        } else {
            a[0] = mid, a[1] = 0, a[2] = 0;
            x = 2 * x - 1;
        }
    }
    if (a[1] < 0.05 && b[1] > 0.05)
        a[2] = spin_hue(b, a[0]);
    else if (b[1] < 0.05 && a[1] > 0.05)
        b[2] = spin_hue(a, b[0]);
    double m = (1 - x) * a[0] + x * b[0], s = (1 - x) * a[1] + x * b[1], h = (1 - x) * a[2] + x * b[2];
    double lab[3] = {m * cos(s), m * sin(s) * cos(h), m * sin(s) * sin(h)};
    from_lab(lab, out);
}

typedef struct div_map {
    const char *name;
    double lo[3], hi[3]; /* the end colours, 0..1 */
    double mid_m;        /* magnitude of the neutral centre */
    double centre_l;     /* at least this L* in the middle */
} div_map;

static const div_map diverging[] = {
    /* Moreland's own ends and centre */
    {"coolwarm", {0.230, 0.299, 0.754}, {0.706, 0.016, 0.150}, 88.0, 85.0},
    {"rdbu", {165 / 255.0, 25 / 255.0, 45 / 255.0}, {35 / 255.0, 95 / 255.0, 165 / 255.0}, 97.0, 95.0},
    {"piyg", {160 / 255.0, 30 / 255.0, 90 / 255.0}, {45 / 255.0, 115 / 255.0, 35 / 255.0}, 97.0, 95.0},
};

static void test_diverging_maps(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof diverging / sizeof diverging[0]; k++) {
        const div_map *d = &diverging[k];
        uint8_t m[COLORMAP_SIZE][4];
        char rname[32], upper[32];
        snprintf(rname, sizeof rname, "%s_r", d->name);
        snprintf(upper, sizeof upper, "%s", d->name);
        for (char *c = upper; *c; c++)
            *c = (char)(*c - 'a' + 'A');
        assert_true(colormap_get(d->name, m));
        assert_true(colormap_is_diverging(d->name));
        assert_true(colormap_is_diverging(rname));
        assert_true(colormap_is_diverging(upper));
        /* the ends are the end colours */
        for (int i = 0; i < 3; i++) {
            assert_int_equal(m[0][i], (int)floor(d->lo[i] * 255 + 0.5));
            assert_int_equal(m[255][i], (int)floor(d->hi[i] * 255 + 0.5));
        }
        /* every entry is Moreland's interpolation at i / 255 (the reference
         * above, within one unit for the last bit of libm) */
        for (int i = 0; i < COLORMAP_SIZE; i++) {
            uint8_t want[3];
            moreland(d->lo, d->hi, d->mid_m, i / 255.0, want);
            for (int c = 0; c < 3; c++)
                if (abs((int)m[i][c] - (int)want[c]) > 1)
                    fail_msg("%s[%d] = %d,%d,%d, Moreland's method gives %d,%d,%d", d->name, i, m[i][0],
                             m[i][1], m[i][2], want[0], want[1], want[2]);
        }
        /* the centre (entries 127, 128) is light and neutral, the lightest of all */
        double lab[COLORMAP_SIZE][3];
        for (int i = 0; i < COLORMAP_SIZE; i++)
            to_lab(m[i], lab[i]);
        for (int i = 127; i <= 128; i++) {
            double chroma = hypot(lab[i][1], lab[i][2]);
            if (lab[i][0] < d->centre_l || chroma > 2.0)
                fail_msg("%s[%d]: L* %.2f, C* %.2f: not a light neutral", d->name, i, lab[i][0], chroma);
        }
        /* L* climbs from each end to the centre (0.25 allows the 8-bit rounding) */
        for (int i = 1; i <= 127; i++)
            if (lab[i][0] < lab[i - 1][0] - 0.25)
                fail_msg("%s: L* falls from %.2f to %.2f at entry %d", d->name, lab[i - 1][0], lab[i][0], i);
        for (int i = 128; i < 255; i++)
            if (lab[i + 1][0] > lab[i][0] + 0.25)
                fail_msg("%s: L* rises from %.2f to %.2f at entry %d", d->name, lab[i][0], lab[i + 1][0], i + 1);
        assert_true(lab[127][0] - lab[0][0] > 40 && lab[128][0] - lab[255][0] > 40);
        /* two hues: the ends are far apart */
        assert_true(hypot(lab[0][1] - lab[255][1], lab[0][2] - lab[255][2]) > 60);
    }
    assert_false(colormap_is_diverging("viridis"));
    assert_false(colormap_is_diverging("gray_r"));
    assert_false(colormap_is_diverging("coolwarmx"));
    assert_false(colormap_is_diverging(""));
    assert_false(colormap_is_diverging(NULL));
}

/* ---- the category palette -------------------------------------------------------- */

/* CIEDE2000 (Sharma, Wu and Dalal 2005). */
static double de2000(const double p[3], const double q[3])
{
    double c7 = pow((hypot(p[1], p[2]) + hypot(q[1], q[2])) / 2, 7);
    double g = 0.5 * (1 - sqrt(c7 / (c7 + pow(25, 7))));
    double a1 = (1 + g) * p[1], a2 = (1 + g) * q[1];
    double c1 = hypot(a1, p[2]), c2 = hypot(a2, q[2]);
    double h1 = c1 ? fmod(atan2(p[2], a1) * 180 / M_PI + 360, 360) : 0;
    double h2 = c2 ? fmod(atan2(q[2], a2) * 180 / M_PI + 360, 360) : 0;
    double dh = 0;
    if (c1 * c2 != 0) {
        dh = h2 - h1;
        dh = dh > 180 ? dh - 360 : dh < -180 ? dh + 360 : dh;
    }
    double dH = 2 * sqrt(c1 * c2) * sin(dh * M_PI / 360);
    double lb = (p[0] + q[0]) / 2, cb = (c1 + c2) / 2, hb;
    if (c1 * c2 == 0)
        hb = h1 + h2;
    else if (fabs(h1 - h2) <= 180)
        hb = (h1 + h2) / 2;
    else
        hb = h1 + h2 < 360 ? (h1 + h2 + 360) / 2 : (h1 + h2 - 360) / 2;
    double r = M_PI / 180;
    double t = 1 - 0.17 * cos((hb - 30) * r) + 0.24 * cos(2 * hb * r) + 0.32 * cos((3 * hb + 6) * r) -
               0.20 * cos((4 * hb - 63) * r);
    double sl = 1 + 0.015 * (lb - 50) * (lb - 50) / sqrt(20 + (lb - 50) * (lb - 50));
    double sc = 1 + 0.045 * cb, sh = 1 + 0.015 * cb * t;
    double rc = 2 * sqrt(pow(cb, 7) / (pow(cb, 7) + pow(25, 7)));
    double rt = -sin(60 * exp(-pow((hb - 275) / 25, 2)) * r) * rc;
    double dl = (q[0] - p[0]) / sl, dc = (c2 - c1) / sc, dhs = dH / sh;
    return sqrt(dl * dl + dc * dc + dhs * dhs + rt * dc * dhs);
}

static void test_category_palette(void **state)
{
    (void)state;
    /* the metric itself: the first pair of Sharma et al.'s test data */
    const double s1[3] = {50, 2.6772, -79.7751}, s2[3] = {50, 0, -82.7485};
    assert_true(fabs(de2000(s1, s2) - 2.0425) < 1e-4);

    double lab[CATEGORY_MAX][3];
    for (int i = 0; i < CATEGORY_MAX; i++) {
        uint8_t c[4] = {1, 2, 3, 4}, again[4];
        category_color(i, c);
        assert_int_equal(c[3], 255);
        category_color(i + CATEGORY_MAX, again); /* wraps */
        assert_memory_equal(c, again, 4);
        category_color(i - CATEGORY_MAX, again);
        assert_memory_equal(c, again, 4);
        to_lab(c, lab[i]);
    }
    /* the first 16: no two closer than DE00 20; all 64: than 10 */
    double first = 1e9, all = 1e9;
    int fi = 0, fj = 0;
    for (int i = 0; i < CATEGORY_MAX; i++)
        for (int j = 0; j < i; j++) {
            double d = de2000(lab[i], lab[j]);
            if (i < 16 && d < first) {
                first = d;
                fi = i, fj = j;
            }
            all = d < all ? d : all;
        }
    fprintf(stderr, "category palette: smallest CIEDE2000 %.2f among the first 16 (%d, %d), %.2f among "
                    "all 64\n", first, fj, fi, all);
    assert_true(first >= 20.0);
    assert_true(all >= 9.9);
    /* the first few are the most distinct: the first 4 are at least DE00 25 apart */
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < i; j++)
            assert_true(de2000(lab[i], lab[j]) >= 25.0);
}

static void expect_color(const char *s, int r, int g, int b, int a)
{
    uint8_t c[4] = {1, 2, 3, 4};
    if (!color_parse(s, c))
        fail_msg("color_parse(\"%s\") rejected", s);
    if (c[0] != r || c[1] != g || c[2] != b || c[3] != a)
        fail_msg("color_parse(\"%s\") = %d,%d,%d,%d, want %d,%d,%d,%d", s, c[0], c[1], c[2], c[3],
                 r, g, b, a);
}

static void test_color_parse(void **state)
{
    (void)state;
    expect_color("black", 0, 0, 0, 255);
    expect_color("white", 255, 255, 255, 255);
    expect_color("WHITE", 255, 255, 255, 255);
    expect_color("gray", 128, 128, 128, 255);
    expect_color("grey", 128, 128, 128, 255);
    expect_color("red", 255, 0, 0, 255);
    expect_color("green", 0, 128, 0, 255);
    expect_color("blue", 0, 0, 255, 255);
    expect_color("transparent", 0, 0, 0, 0);
    expect_color("#fff", 255, 255, 255, 255);
    expect_color("#AbC", 0xaa, 0xbb, 0xcc, 255);
    expect_color("#1a2B3c", 0x1a, 0x2b, 0x3c, 255);
    expect_color("#000000", 0, 0, 0, 255);
    expect_color("#11223344", 0x11, 0x22, 0x33, 0x44);
    expect_color("#FFFFFF00", 255, 255, 255, 0);

    static const char *const bad[] = {
        "",         "#",        "#1",       "#12",         "#1234",   "#12345",  "#1234567",
        "#123456789", "#ggg",   "#12345g",  "purple",      "red ",    " red",    "#fff ",
        "0xffffff", "fff",      "##fff",    "#-12",        "#+1+2+3", "rgb(1,2,3)",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t c[4];
        if (color_parse(bad[i], c))
            fail_msg("color_parse(\"%s\") accepted", bad[i]);
    }
    uint8_t c[4];
    assert_false(color_parse(NULL, c));
}

/* ---- tone maps -------------------------------------------------------------- */

static const tonemap_kind all_kinds[] = {TONEMAP_LINEAR, TONEMAP_LOG, TONEMAP_SQRT, TONEMAP_CBRT,
                                         TONEMAP_EQ_HIST};
#define N_KINDS (sizeof all_kinds / sizeof all_kinds[0])

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Sorted copy of the non-zero counts; returns how many. */
static size_t sorted_nonzero(const uint64_t *g, size_t n, uint64_t **out)
{
    uint64_t *v = malloc((n ? n : 1) * sizeof *v);
    assert_non_null(v);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (g[i])
            v[m++] = g[i];
    qsort(v, m, sizeof *v, cmp_u64);
    *out = v;
    return m;
}

/* Heavy-tailed counts with some background: zeros, many small values and a
 * tail reaching well past TONEMAP_LUT_MAX. */
static uint64_t *make_skewed_grid(size_t n, uint64_t seed)
{
    uint64_t *g = malloc(n * sizeof *g);
    assert_non_null(g);
    for (size_t i = 0; i < n; i++) {
        double u = tu_rand_unit(&seed);
        if (u < 0.2) {
            g[i] = 0;
            continue;
        }
        double v = tu_rand_unit(&seed);
        /* Pareto, alpha 1, from 1000: median 2000, max around 1000 * n */
        g[i] = (uint64_t)(1000.0 / (1.0 - v));
    }
    return g;
}

static void test_tonemap_parse_names(void **state)
{
    (void)state;
    for (size_t k = 0; k < N_KINDS; k++) {
        tonemap_kind got;
        assert_true(tonemap_parse(tonemap_name(all_kinds[k]), &got));
        assert_int_equal(got, all_kinds[k]);
    }
    tonemap_kind got;
    assert_true(tonemap_parse("eq-hist", &got));
    assert_int_equal(got, TONEMAP_EQ_HIST);
    assert_true(tonemap_parse("log", &got));
    assert_int_equal(got, TONEMAP_LOG);
    assert_false(tonemap_parse("logarithmic", &got));
    assert_false(tonemap_parse("", &got));
}

static void test_tonemap_monotonic_and_range(void **state)
{
    (void)state;
    const size_t n = 300 * 200;
    uint64_t *g = make_skewed_grid(n, 42);
    uint64_t *v;
    size_t m = sorted_nonzero(g, n, &v);
    assert_true(m > 0);
    for (size_t k = 0; k < N_KINDS; k++) {
        tonemap_table t;
        assert_true(tonemap_table_build(all_kinds[k], g, n, &t));
        assert_int_equal(t.nonzero, m);
        assert_int_equal(t.cmin, v[0]);
        assert_int_equal(t.cmax, v[m - 1]);
        assert_true(t.cmin < t.cmax);
        double prev = -1.0;
        for (size_t i = 0; i < m; i++) {
            double l = tonemap_level(&t, v[i]);
            if (!(l >= 0.0 && l <= 1.0) || l < prev)
                fail_msg("%s: level(%llu) = %g after %g", tonemap_name(all_kinds[k]),
                         (unsigned long long)v[i], l, prev);
            prev = l;
        }
        /* also between and beyond the grid's values */
        prev = -1.0;
        for (uint64_t c = 1; c < 4 * t.cmax; c = c + 1 + c / 7) {
            double l = tonemap_level(&t, c);
            assert_true(l >= 0.0 && l <= 1.0 && l >= prev);
            prev = l;
        }
        assert_true(tonemap_level(&t, t.cmax) == 1.0);
        assert_true(tonemap_level(&t, t.cmin) == 0.0);
        tonemap_table_free(&t);
    }
    free(v);
    free(g);
}

static double closed_form(tonemap_kind k, uint64_t c, uint64_t cmin, uint64_t cmax)
{
    double (*f)(double) = k == TONEMAP_LOG ? log1p : k == TONEMAP_SQRT ? sqrt
                        : k == TONEMAP_CBRT ? cbrt : NULL;
    double x = (double)c, lo = (double)cmin, hi = (double)cmax;
    if (f) {
        x = f(x);
        lo = f(lo);
        hi = f(hi);
    }
    double l = (x - lo) / (hi - lo);
    return l < 0 ? 0 : l > 1 ? 1 : l;
}

/* cmocka 1.1 compares only floats; levels are doubles. */
#define assert_near(got, want, eps) assert_near_at((got), (want), (eps), __LINE__)
static void assert_near_at(double got, double want, double eps, int line)
{
    if (!(fabs(got - want) <= eps))
        fail_msg("line %d: got %.17g, want %.17g (+-%g)", line, got, want, eps);
}

static void test_tonemap_closed_forms(void **state)
{
    (void)state;
    const size_t n = 10000;
    uint64_t seed = 7;
    uint64_t *g = malloc(n * sizeof *g);
    assert_non_null(g);
    for (size_t i = 0; i < n; i++)
        g[i] = tu_rand(&seed) % 4 == 0 ? 0 : 3 + tu_rand(&seed) % 100000;
    g[5] = 3;
    g[6] = 100002;
    for (size_t k = 0; k < 4; k++) {
        tonemap_table t;
        assert_true(tonemap_table_build(all_kinds[k], g, n, &t));
        assert_int_equal(t.cmin, 3);
        assert_int_equal(t.cmax, 100002);
        for (size_t i = 0; i < n; i += 3) {
            if (!g[i])
                continue;
            double want = closed_form(all_kinds[k], g[i], 3, 100002);
            assert_near(tonemap_level(&t, g[i]), want, 1e-12);
        }
        /* outside [cmin, cmax] clamps */
        assert_near(tonemap_level(&t, 1), 0.0, 0.0);
        assert_near(tonemap_level(&t, 1000000), 1.0, 0.0);
        assert_near(tonemap_level(&t, 51234),
                            closed_form(all_kinds[k], 51234, 3, 100002), 1e-12);
        tonemap_table_free(&t);
    }
    free(g);
}

static void test_tonemap_eq_hist_spreads(void **state)
{
    (void)state;
    const size_t n = 512 * 512;
    uint64_t *g = make_skewed_grid(n, 1234);
    tonemap_table eq, lin;
    assert_true(tonemap_table_build(TONEMAP_EQ_HIST, g, n, &eq));
    assert_true(tonemap_table_build(TONEMAP_LINEAR, g, n, &lin));
    size_t dec[10] = {0}, lin_low = 0, nz = 0;
    for (size_t i = 0; i < n; i++) {
        if (!g[i])
            continue;
        nz++;
        double l = tonemap_level(&eq, g[i]);
        int d = (int)(l * 10.0);
        dec[d > 9 ? 9 : d]++;
        lin_low += tonemap_level(&lin, g[i]) < 0.05;
    }
    /* the premise: linear crushes almost everything into the darkest 5% */
    if (lin_low <= nz * 9 / 10)
        fail_msg("grid not skewed enough: linear puts %zu of %zu below 0.05", lin_low, nz);
    for (int d = 0; d < 10; d++) {
        double frac = (double)dec[d] / (double)nz;
        if (frac < 0.05 || frac > 0.15)
            fail_msg("eq-hist decile %d holds %.3f of the pixels", d, frac);
    }
    tonemap_table_free(&eq);
    tonemap_table_free(&lin);
    free(g);
}

/* Level by definition: cum = pixels <= c over the sorted non-zero values. */
static double brute_eq_level(const uint64_t *v, size_t m, uint64_t c)
{
    size_t cum_min = 0;
    while (cum_min < m && v[cum_min] == v[0])
        cum_min++;
    size_t lo = 0, hi = m; /* cum = first index with v > c */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] <= c)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t cum = lo;
    if (cum_min == m)
        return 1.0;
    if (cum <= cum_min)
        return 0.0;
    return (double)(cum - cum_min) / (double)(m - cum_min);
}

static void check_eq_against_brute(const uint64_t *g, size_t n, const uint64_t *probe, size_t np)
{
    uint64_t *v;
    size_t m = sorted_nonzero(g, n, &v);
    tonemap_table t;
    assert_true(tonemap_table_build(TONEMAP_EQ_HIST, g, n, &t));
    assert_int_equal(t.nonzero, m);
    uint64_t want_len = t.cmax < TONEMAP_LUT_MAX ? t.cmax + 1 : TONEMAP_LUT_MAX;
    assert_int_equal(t.lut_len, want_len);
    assert_true(t.lut[0] == 0.0f);
    for (uint32_t c = 1; c < t.lut_len; c++)
        assert_true(t.lut[c] >= t.lut[c - 1]);
    /* big_values: exactly the distinct grid values >= lut_len, ascending */
    size_t nd = 0;
    for (size_t i = 0; i < m; i++)
        if (v[i] >= t.lut_len && (i == 0 || v[i] != v[i - 1])) {
            assert_true(nd < t.big_len);
            assert_int_equal(t.big_values[nd], v[i]);
            nd++;
        }
    assert_int_equal(nd, t.big_len);
    for (size_t i = 0; i < m; i++) {
        double want = brute_eq_level(v, m, v[i]);
        if (fabs(tonemap_level(&t, v[i]) - want) > 1e-6)
            fail_msg("level(%llu) = %.7f, brute force %.7f", (unsigned long long)v[i],
                     tonemap_level(&t, v[i]), want);
    }
    for (size_t i = 0; i < np; i++) {
        if (!probe[i])
            continue;
        double want = brute_eq_level(v, m, probe[i]);
        if (fabs(tonemap_level(&t, probe[i]) - want) > 1e-6)
            fail_msg("probe level(%llu) = %.7f, brute force %.7f", (unsigned long long)probe[i],
                     tonemap_level(&t, probe[i]), want);
    }
    tonemap_table_free(&t);
    free(v);
}

static void test_tonemap_eq_hist_straddles_lut(void **state)
{
    (void)state;
    static const uint64_t pool[] = {
        2,      3,      17,     1000,   65534,        65535,          65536,     65537,
        65538,  70000,  123456, 999999, 1ull << 32,   (1ull << 32) + 1, 1ull << 40,
        UINT64_MAX,
    };
    const size_t np = sizeof pool / sizeof pool[0];
    const size_t n = 20000;
    uint64_t seed = 99;
    uint64_t *g = malloc(n * sizeof *g);
    assert_non_null(g);
    for (size_t i = 0; i < n; i++) {
        uint64_t r = tu_rand(&seed);
        /* zeros, pool values with uneven weights, and random values both sides */
        switch (r % 5) {
        case 0: g[i] = 0; break;
        case 1: g[i] = pool[(r >> 8) % np]; break;
        case 2: g[i] = pool[((r >> 8) % np) / 2]; break;
        case 3: g[i] = 1 + (r >> 8) % 131072; break;
        default: g[i] = 60000 + (r >> 8) % 20000; break;
        }
    }
    static const uint64_t probe[] = {
        1,      2,     4,     65533,  65534,      65535,    65536,   65537,  65539,
        80001,  99999, 131073, 1000000, 1ull << 31, (1ull << 32) + 2, 1ull << 40, (1ull << 40) + 1,
        UINT64_MAX,
    };
    check_eq_against_brute(g, n, probe, sizeof probe / sizeof probe[0]);

    /* a gap between the LUT's end and the first big value */
    for (size_t i = 0; i < n; i++) {
        static const uint64_t gap[] = {0, 5, 300, 300, 70000, 80000, 80000};
        g[i] = gap[tu_rand(&seed) % 7];
    }
    check_eq_against_brute(g, n, probe, sizeof probe / sizeof probe[0]);

    /* every non-zero count above the LUT: lut holds only levels below cmin */
    for (size_t i = 0; i < n; i++)
        g[i] = g[i] ? TONEMAP_LUT_MAX + g[i] % 5000 : 0;
    check_eq_against_brute(g, n, probe, sizeof probe / sizeof probe[0]);

    /* small counts only: no big table, lut_len = cmax + 1 */
    for (size_t i = 0; i < n; i++)
        g[i] %= 300;
    check_eq_against_brute(g, n, probe, sizeof probe / sizeof probe[0]);
    free(g);
}

static void test_tonemap_all_equal(void **state)
{
    (void)state;
    static const uint64_t values[] = {1, 7, 65535, 65536, 1ull << 40, UINT64_MAX};
    uint64_t g[64];
    for (size_t vi = 0; vi < sizeof values / sizeof values[0]; vi++) {
        for (size_t i = 0; i < 64; i++)
            g[i] = i % 3 ? values[vi] : 0;
        for (size_t k = 0; k < N_KINDS; k++) {
            tonemap_table t;
            assert_true(tonemap_table_build(all_kinds[k], g, 64, &t));
            assert_int_equal(t.cmin, values[vi]);
            assert_int_equal(t.cmax, values[vi]);
            if (tonemap_level(&t, values[vi]) != 1.0)
                fail_msg("%s: all-equal %llu gives %g", tonemap_name(all_kinds[k]),
                         (unsigned long long)values[vi], tonemap_level(&t, values[vi]));
            tonemap_table_free(&t);
        }
    }
}

static void test_tonemap_empty(void **state)
{
    (void)state;
    uint64_t g[100] = {0};
    for (size_t k = 0; k < N_KINDS; k++) {
        for (size_t n = 0; n <= 100; n += 100) {
            tonemap_table t;
            assert_true(tonemap_table_build(all_kinds[k], n ? g : NULL, n, &t));
            assert_int_equal(t.nonzero, 0);
            assert_int_equal(t.cmin, 0);
            assert_int_equal(t.cmax, 0);
            double l = tonemap_level(&t, 5);
            assert_true(l >= 0.0 && l <= 1.0);
            tonemap_table_free(&t);
            tonemap_table_free(&t); /* idempotent */
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_colormap_names_resolve),
        cmocka_unit_test(test_colormap_known_values),
        cmocka_unit_test(test_colormap_lightness_increases),
        cmocka_unit_test(test_diverging_maps),
        cmocka_unit_test(test_category_palette),
        cmocka_unit_test(test_color_parse),
        cmocka_unit_test(test_tonemap_parse_names),
        cmocka_unit_test(test_tonemap_monotonic_and_range),
        cmocka_unit_test(test_tonemap_closed_forms),
        cmocka_unit_test(test_tonemap_eq_hist_spreads),
        cmocka_unit_test(test_tonemap_eq_hist_straddles_lut),
        cmocka_unit_test(test_tonemap_all_equal),
        cmocka_unit_test(test_tonemap_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
