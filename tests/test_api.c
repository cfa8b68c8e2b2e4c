/* The C API (include/vastplot/vastplot.h) against references written here:
 * counts of arrays (float32 pairs, strided float64, int16) and of a raw file
 * equal numpy.histogram2d's rule (tu_ref_bin) over the data's bounds and over
 * set views; configure's words change size and limits as documented; the
 * progressive snapshot reaches the complete grid; errors come back as -1 with
 * a message; the picture has the size asked for and shows the samples (GL,
 * skipped when there is none); vastplot_main is the command line. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "vastplot/vastplot.h"
#include "testutil.h"

#define N 200000

static const char *dir;
static float xf[N], yf[N];
static struct {
    double a, x, b, y;
} rec[N]; /* x and y strided inside records */

static int setup(void **state)
{
    (void)state;
    dir = tu_tmpdir("test_api");
    uint64_t seed = 5;
    for (size_t i = 0; i < N; i++) {
        xf[i] = (float)(tu_rand_unit(&seed) * 10 - 3);
        yf[i] = (float)(tu_rand_unit(&seed) * tu_rand_unit(&seed) * 4);
        rec[i].x = xf[i];
        rec[i].y = yf[i];
        rec[i].a = rec[i].b = -1;
    }
    xf[17] = NAN; /* skipped and counted */
    rec[17].x = NAN;
    return 0;
}

/* the reference grid of the samples (x[i], y[i]) over lim, w x h */
static void reference(const float *x, const float *y, size_t n, const double lim[4], int w, int h,
                      uint64_t *g, uint64_t *drawn)
{
    memset(g, 0, (size_t)w * (size_t)h * sizeof *g);
    *drawn = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i]))
            continue;
        int ix = tu_ref_bin(x[i], lim[0], lim[1], w), iy = tu_ref_bin(y[i], lim[2], lim[3], h);
        if (ix >= 0 && iy >= 0) {
            g[(size_t)iy * (size_t)w + (size_t)ix]++;
            (*drawn)++;
        }
    }
}

static void bounds_of(const float *x, const float *y, size_t n, double b[4])
{
    b[0] = b[2] = INFINITY;
    b[1] = b[3] = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i]) && isfinite(y[i])) {
            b[0] = fmin(b[0], x[i]), b[1] = fmax(b[1], x[i]);
            b[2] = fmin(b[2], y[i]), b[3] = fmax(b[3], y[i]);
        }
}

static void expect_counts(vastplot *p, const double lim[4], int w, int h)
{
    uint64_t *got = malloc((size_t)w * h * sizeof *got), *want = malloc((size_t)w * h * sizeof *want);
    assert_non_null(got);
    assert_non_null(want);
    uint64_t drawn;
    reference(xf, yf, N, lim, w, h, want, &drawn);
    vastplot_stats st;
    if (vastplot_counts(p, got, &st) != 0)
        fail_msg("%s", vastplot_error(p));
    assert_int_equal(st.records, N);
    assert_int_equal(st.nonfinite, 1);
    assert_int_equal(st.drawn, drawn);
    for (size_t i = 0; i < (size_t)w * h; i++)
        if (got[i] != want[i])
            fail_msg("pixel %zu: %llu, want %llu", i, (unsigned long long)got[i], (unsigned long long)want[i]);
    free(got);
    free(want);
}

static void test_arrays(void **state)
{
    (void)state;
    assert_int_equal(vastplot_api_version(), VASTPLOT_API_VERSION);
    assert_string_equal(vastplot_version(), VP_VERSION);
    char err[VASTPLOT_ERROR_BYTES];
    vastplot_array ax = {xf, VASTPLOT_F32, sizeof(float), N}, ay = {yf, VASTPLOT_F32, sizeof(float), N};
    vastplot *p = vastplot_from_arrays(&ax, &ay, err);
    if (!p)
        fail_msg("%s", err);
    /* the data's bounds, at the size configured */
    const char *size[] = {"--size", "301x77"};
    assert_int_equal(vastplot_configure(p, 2, size), 0);
    double b[4], lim[4];
    bounds_of(xf, yf, N, b);
    int w, h;
    vastplot_get_view(p, lim, &w, &h);
    assert_int_equal(w, 301);
    assert_int_equal(h, 77);
    assert_memory_equal(lim, b, sizeof b);
    expect_counts(p, b, 301, 77);
    /* a view set, reversed x */
    const double v[4] = {5.5, -1.25, 0.5, 3.0};
    assert_int_equal(vastplot_set_view(p, v[0], v[1], v[2], v[3], 64, 48), 0);
    expect_counts(p, v, 64, 48);
    /* words after it: --ylim replaces y only */
    const char *yl[] = {"--ylim", "0", "1"};
    assert_int_equal(vastplot_configure(p, 3, yl), 0);
    const double v2[4] = {5.5, -1.25, 0, 1};
    vastplot_get_view(p, lim, &w, &h);
    assert_memory_equal(lim, v2, sizeof v2);
    expect_counts(p, v2, 64, 48);
    /* a bad word: -1, the message, and nothing changed */
    const char *bad[] = {"--colormap", "nosuchmap"};
    assert_int_equal(vastplot_configure(p, 2, bad), -1);
    assert_non_null(strstr(vastplot_error(p), "nosuchmap"));
    expect_counts(p, v2, 64, 48);
    assert_int_equal(vastplot_set_view(p, 1, 1, 0, 1, 10, 10), -1);
    assert_int_equal(vastplot_set_view(p, 0, 1, 0, 1, 0, 10), -1);

    /* progressive: snapshots grow to the complete grid */
    assert_int_equal(vastplot_refine_start(p), 0);
    uint64_t *snap = malloc(64 * 48 * sizeof *snap), *full = malloc(64 * 48 * sizeof *full);
    assert_non_null(snap);
    assert_non_null(full);
    double done = 0;
    for (int polls = 0; done < 1.0; polls++) {
        if (polls > 100000)
            fail_msg("the refinement never completed");
        assert_int_equal(vastplot_refine_snapshot(p, snap, &done), 0);
        if (done < 1.0)
            usleep(1000);
    }
    assert_int_equal(vastplot_counts(p, full, NULL), 0);
    assert_memory_equal(snap, full, 64 * 48 * sizeof *snap);
    free(snap);
    free(full);
    vastplot_destroy(p);

    /* strided float64 columns of records: the same grid */
    vastplot_array sx = {&rec[0].x, VASTPLOT_F64, sizeof rec[0], N}, sy = {&rec[0].y, VASTPLOT_F64, sizeof rec[0], N};
    p = vastplot_from_arrays(&sx, &sy, err);
    if (!p)
        fail_msg("%s", err);
    assert_int_equal(vastplot_set_view(p, v[0], v[1], v[2], v[3], 64, 48), 0);
    expect_counts(p, v, 64, 48);
    vastplot_destroy(p);

    /* refusals */
    vastplot_array shorter = {yf, VASTPLOT_F32, sizeof(float), N - 1}, baddt = {yf, 42, 4, N};
    assert_null(vastplot_from_arrays(&ax, &shorter, err));
    assert_non_null(strstr(err, "x has 200000 values but y has 199999"));
    assert_null(vastplot_from_arrays(&ax, &baddt, err));
    assert_non_null(strstr(err, "dtype"));
    vastplot_destroy(NULL);
}

static void test_files(void **state)
{
    (void)state;
    const char *path = tu_path(dir, "pairs.f32");
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (size_t i = 0; i < N; i++) {
        fwrite(&xf[i], sizeof xf[i], 1, f);
        fwrite(&yf[i], sizeof yf[i], 1, f);
    }
    assert_int_equal(fclose(f), 0);
    char err[VASTPLOT_ERROR_BYTES];
    const char *args[] = {path, "--dtype", "f32", "--columns", "2", "--size", "200x100", "--no-cache"};
    vastplot *p = vastplot_from_args(8, args, err);
    if (!p)
        fail_msg("%s", err);
    double b[4];
    bounds_of(xf, yf, N, b);
    expect_counts(p, b, 200, 100);
    vastplot_destroy(p);

    const char *missing[] = {tu_path(dir, "none.f32")};
    assert_null(vastplot_from_args(1, missing, err));
    assert_non_null(strstr(err, "none.f32"));
    const char *noinput[] = {"--size", "10x10"};
    assert_null(vastplot_from_args(2, noinput, err));
    assert_non_null(strstr(err, "no input"));
}

static void test_picture(void **state)
{
    (void)state;
    if (getenv("VP_TEST_NO_GL"))
        skip();
    char err[VASTPLOT_ERROR_BYTES];
    vastplot_array ax = {xf, VASTPLOT_F32, sizeof(float), N}, ay = {yf, VASTPLOT_F32, sizeof(float), N};
    vastplot *p = vastplot_from_arrays(&ax, &ay, err);
    assert_non_null(p);
    const char *look[] = {"--size", "120x80", "--colormap", "viridis", "--background", "black"};
    assert_int_equal(vastplot_configure(p, 6, look), 0);
    uint8_t *rgba = malloc(120 * 80 * 4);
    uint64_t *c = malloc(120 * 80 * sizeof *c);
    assert_non_null(rgba);
    assert_non_null(c);
    vastplot_stats st;
    if (vastplot_rgba(p, rgba, &st) != 0) {
        print_message("no picture (no GL here?): %s\n", vastplot_error(p));
        skip();
    }
    assert_int_equal(vastplot_counts(p, c, NULL), 0);
    /* a pixel with samples is not the background; an empty one is; rows flip */
    for (int iy = 0; iy < 80; iy++)
        for (int ix = 0; ix < 120; ix++) {
            const uint8_t *px = rgba + ((size_t)(79 - iy) * 120 + (size_t)ix) * 4;
            bool bg = px[0] == 0 && px[1] == 0 && px[2] == 0;
            if ((c[(size_t)iy * 120 + (size_t)ix] == 0) != bg)
                fail_msg("pixel (%d, %d): count %llu but rgb %d %d %d", ix, iy,
                         (unsigned long long)c[(size_t)iy * 120 + (size_t)ix], px[0], px[1], px[2]);
        }
    /* an annotation (--text) draws over the picture: some pixels change, all
     * near its anchor (the top-left quarter here) */
    double b[4];
    assert_int_equal(vastplot_bounds(p, b), 0);
    char text[128];
    snprintf(text, sizeof text, "--text=%.17g %.17g A", b[0] + 0.05 * (b[1] - b[0]), b[2] + 0.75 * (b[3] - b[2]));
    const char *note[] = {text};
    assert_int_equal(vastplot_configure(p, 1, note), 0);
    uint8_t *an = malloc(120 * 80 * 4);
    assert_non_null(an);
    assert_int_equal(vastplot_rgba(p, an, &st), 0);
    int changed = 0;
    for (int y = 0; y < 80; y++)
        for (int x = 0; x < 120; x++)
            if (memcmp(an + ((size_t)y * 120 + x) * 4, rgba + ((size_t)y * 120 + x) * 4, 4)) {
                changed++;
                if (x > 40 || y > 40)
                    fail_msg("the annotation changed (%d, %d), far from its point", x, y);
            }
    assert_true(changed > 5);
    free(an);
    free(rgba);
    free(c);
    vastplot_destroy(p);
}

static void test_main(void **state)
{
    (void)state;
    char *argv[] = {"vastplot", "--version", NULL};
    assert_int_equal(vastplot_main(2, argv), 0);
    char *bad[] = {"vastplot", "render", "--nosuch", NULL};
    assert_int_equal(vastplot_main(3, bad), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arrays),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_picture),
        cmocka_unit_test(test_main),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
