/* End to end through the real binary ($VP_BIN): files in, PNG and --save-counts
 * out, decoded here and checked against a reference computed in this test:
 * the counts against an independent histogram, the picture against the tone
 * map evaluated on the CPU (tonemap_level + colormap), for both accumulation
 * paths, every tone map, and .npy input. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "look/colormap.h"
#include "look/tonemap.h"
#include "out/png_out.h"
#include "testutil.h"

static const char *bin, *dir;

static int run(const char *args)
{
    char cmd[16384 + 4096 + 128];
    snprintf(cmd, sizeof cmd, "env -u DISPLAY -u WAYLAND_DISPLAY '%s' %s", bin, args);
    if (getenv("VP_TEST_VERBOSE"))
        fprintf(stderr, "+ %s\n", cmd);
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* Reads a '<u8' (h, w) .npy written by --save-counts: checks the header text
 * itself, then returns the data (row 0 = top). */
static uint64_t *read_counts(const char *path, int w, int h)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    unsigned char pre[10];
    assert_int_equal(fread(pre, 1, 10, f), 10);
    assert_memory_equal(pre, "\x93NUMPY\x01\x00", 8);
    size_t hl = pre[8] | (size_t)pre[9] << 8;
    char *hdr = calloc(1, hl + 1);
    assert_int_equal(fread(hdr, 1, hl, f), hl);
    char want[128];
    snprintf(want, sizeof want, "'shape': (%d, %d)", h, w);
    if (!strstr(hdr, "'descr': '<u8'") || !strstr(hdr, want) || !strstr(hdr, "'fortran_order': False"))
        fail_msg("unexpected header: %s", hdr);
    free(hdr);
    uint64_t *g = malloc((size_t)w * h * 8);
    assert_int_equal(fread(g, 8, (size_t)w * h, f), (size_t)w * h);
    fclose(f);
    return g;
}

/* reference histogram, row 0 = top, same rule as the README */
static uint64_t *reference(const float *xy, size_t n, double x0, double x1, double y0, double y1,
                           int w, int h)
{
    uint64_t *g = calloc((size_t)w * h, 8);
    for (size_t i = 0; i < n; i++) {
        double fx = (xy[2 * i] - x0) / (x1 - x0) * w, fy = (xy[2 * i + 1] - y0) / (y1 - y0) * h;
        if (!(fx >= 0 && fx <= w && fy >= 0 && fy <= h))
            continue;
        int ix = fx >= w ? w - 1 : (int)fx, iy = fy >= h ? h - 1 : (int)fy;
        g[(size_t)(h - 1 - iy) * w + ix]++;
    }
    return g;
}

/* Points on pixel centres of a 40x30 view over [0,4]x[0,3], so no sample is
 * near a pixel edge, with a skewed density and a few NaN/inf. */
static float *make_points(size_t n, const char *path)
{
    uint64_t s = 42;
    float *xy = malloc(n * 2 * sizeof *xy);
    for (size_t i = 0; i < n; i++) {
        double u = tu_rand_unit(&s), v = tu_rand_unit(&s);
        int ix = (int)(40 * u * u), iy = (int)(30 * v); /* denser on the left */
        xy[2 * i] = (float)((ix + 0.5) / 10.0);
        xy[2 * i + 1] = (float)((iy + 0.5) / 10.0);
    }
    xy[0] = 0.05f; xy[1] = 2.95f; /* the top-left pixel is non-empty */
    xy[2 * 7] = NAN;
    xy[2 * 9 + 1] = INFINITY;
    tu_write_file(path, xy, n * 2 * sizeof *xy);
    return xy;
}

static void check_picture(const char *png, const uint64_t *counts_top, int w, int h,
                          tonemap_kind kind, const char *cmap_name, double floor_)
{
    uint8_t *px;
    int pw, ph;
    vp_err err;
    if (!png_read_rgba(png, &px, &pw, &ph, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(pw, w);
    assert_int_equal(ph, h);
    tonemap_table t;
    assert_true(tonemap_table_build(kind, counts_top, (size_t)w * h, &t));
    uint8_t cmap[COLORMAP_SIZE][4];
    assert_true(colormap_get(cmap_name, cmap));
    int bad = 0;
    for (int i = 0; i < w * h; i++) {
        const uint8_t *p = px + 4 * (size_t)i;
        if (counts_top[i] == 0) {
            if (p[0] || p[1] || p[2] || p[3] != 255)
                bad++;
            continue;
        }
        double pos = floor_ + (1 - floor_) * tonemap_level(&t, counts_top[i]);
        int idx = (int)lround(pos * 255);
        /* the GPU works in float: allow the neighbouring colormap entry */
        bool ok = false;
        for (int d = -1; d <= 1 && !ok; d++) {
            int k = idx + d < 0 ? 0 : idx + d > 255 ? 255 : idx + d;
            ok = abs(p[0] - cmap[k][0]) <= 1 && abs(p[1] - cmap[k][1]) <= 1 && abs(p[2] - cmap[k][2]) <= 1;
        }
        if (!ok && bad++ < 5)
            fprintf(stderr, "pixel %d (count %llu): got %d,%d,%d want entry %d = %d,%d,%d\n", i,
                    (unsigned long long)counts_top[i], p[0], p[1], p[2], idx, cmap[idx][0],
                    cmap[idx][1], cmap[idx][2]);
    }
    assert_int_equal(bad, 0);
    tonemap_table_free(&t);
    free(px);
}

static void test_render_both_paths_all_tonemaps(void **state)
{
    (void)state;
    const size_t n = 200000;
    char data[4096];
    snprintf(data, sizeof data, "%s", tu_path(dir, "pts.f32"));
    float *xy = make_points(n, data);
    uint64_t *ref = reference(xy, n, 0, 4, 0, 3, 40, 30);
    const char *kinds[] = {"linear", "log", "sqrt", "cbrt", "eq-hist"};
    for (int acc = 0; acc < 2; acc++) {
        for (int k = 0; k < 5; k++) {
            char args[16384];
            const char *png = tu_path(dir, "out.png"), *npy = tu_path(dir, "out.npy");
            snprintf(args, sizeof args,
                     "render '%s' --xlim 0 4 --ylim 0 3 --size 40x30 --accumulate %s --tonemap %s "
                     "--colormap viridis -o '%s' --save-counts '%s' -q",
                     data, acc ? "gpu" : "cpu", kinds[k], png, npy);
            assert_int_equal(run(args), 0);
            uint64_t *got = read_counts(npy, 40, 30);
            assert_memory_equal(got, ref, 40 * 30 * 8);
            assert_true(got[0] > 0); /* row 0 = top */
            tonemap_kind tk;
            assert_true(tonemap_parse(kinds[k], &tk));
            check_picture(png, got, 40, 30, tk, "viridis", 0.15);
            free(got);
        }
    }
    free(ref);
    free(xy);
}

/* Default limits are the data's bounds: every finite point is drawn. */
static void test_default_bounds_draw_everything(void **state)
{
    (void)state;
    char data[4096];
    snprintf(data, sizeof data, "%s", tu_path(dir, "pts2.f32"));
    float *xy = make_points(5000, data);
    const int sizes[][2] = {{17, 9}, {40, 30}, {1920, 1080}, {1, 1}, {333, 7}};
    for (int s = 0; s < 5; s++) {
        int w = sizes[s][0], h = sizes[s][1];
        char args[16384];
        const char *npy = tu_path(dir, "c2.npy"), *png = tu_path(dir, "c2.png");
        snprintf(args, sizeof args, "render '%s' --size %dx%d -o '%s' --save-counts '%s' -q", data, w, h,
                 png, npy);
        assert_int_equal(run(args), 0);
        uint64_t *got = read_counts(npy, w, h);
        uint64_t sum = 0;
        for (int i = 0; i < w * h; i++)
            sum += got[i];
        assert_int_equal(sum, 5000 - 2); /* two records hold a NaN / inf */
        free(got);
    }
    free(xy);
}

/* A 2-D Fortran-order .npy of f64 and a big-endian raw file of the same
 * points render the same counts as the f32 file. */
static void test_npy_and_big_endian_inputs(void **state)
{
    (void)state;
    const size_t n = 3000;
    const char *f32 = tu_path(dir, "p3.f32");
    float *xy = make_points(n, f32);
    /* Fortran order: all x, then all y */
    char hdr[128];
    int hl = snprintf(hdr, sizeof hdr, "{'descr': '<f8', 'fortran_order': True, 'shape': (%zu, 2), }", n);
    int total = 10 + hl + 1;
    int pad = (64 - total % 64) % 64;
    size_t hsize = (size_t)(hl + pad + 1);
    size_t fsize = 10 + hsize + n * 16;
    unsigned char *buf = calloc(1, fsize);
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (unsigned char)(hsize & 255);
    buf[9] = (unsigned char)(hsize >> 8);
    memcpy(buf + 10, hdr, (size_t)hl);
    memset(buf + 10 + hl, ' ', (size_t)pad);
    buf[10 + hsize - 1] = '\n';
    double *col = (double *)(void *)(buf + 10 + hsize);
    for (size_t i = 0; i < n; i++) {
        double x = xy[2 * i], y = xy[2 * i + 1];
        memcpy(&col[i], &x, 8);
        memcpy(&col[n + i], &y, 8);
    }
    const char *npy_in = tu_path(dir, "p3.npy");
    tu_write_file(npy_in, buf, fsize);
    free(buf);
    /* big-endian i16 with a header to skip: x*10 and y*10 as integers + 0.5 are
     * not representable, so use u16 of (pixel index) on a 40x30 grid */
    uint16_t *be = malloc(n * 2 * sizeof *be);
    for (size_t i = 0; i < 2 * n; i++) {
        float v = isfinite(xy[i]) ? xy[i] : 0.0f;
        uint16_t u = (uint16_t)(v * 10.0f); /* pixel index */
        be[i] = (uint16_t)(u << 8 | u >> 8);
    }
    const char *be_in = tu_path(dir, "p3.be");
    FILE *f = fopen(be_in, "wb");
    fwrite("HEADER", 1, 6, f);
    fwrite(be, 2, 2 * n, f);
    fclose(f);
    free(be);

    char args[16384];
    const char *a = tu_path(dir, "a.npy"), *b = tu_path(dir, "b.npy"), *c = tu_path(dir, "c.npy");
    const char *png = tu_path(dir, "p3.png");
    snprintf(args, sizeof args, "render '%s' --xlim 0 4 --ylim 0 3 --size 40x30 -o '%s' --save-counts '%s' -q", f32, png, a);
    assert_int_equal(run(args), 0);
    snprintf(args, sizeof args, "render '%s' --xlim 0 4 --ylim 0 3 --size 40x30 -o '%s' --save-counts '%s' -q", npy_in, png, b);
    assert_int_equal(run(args), 0);
    snprintf(args, sizeof args, "render '%s' --dtype u16 --endian big --skip-bytes 6 --xlim -0.5 39.5 "
             "--ylim -0.5 29.5 --size 40x30 -o '%s' --save-counts '%s' -q", be_in, png, c);
    assert_int_equal(run(args), 0);
    uint64_t *ga = read_counts(a, 40, 30), *gb = read_counts(b, 40, 30), *gc = read_counts(c, 40, 30);
    assert_memory_equal(ga, gb, 40 * 30 * 8);
    /* the integer file keeps the two non-finite records as (0, y) / (x, 0): compare the rest */
    uint64_t sa = 0, sc = 0;
    for (int i = 0; i < 40 * 30; i++) {
        sa += ga[i];
        sc += gc[i];
    }
    assert_int_equal(sa + 2, sc);
    free(ga);
    free(gb);
    free(gc);
    free(xy);
}

int main(void)
{
    bin = getenv("VP_BIN");
    if (!bin || !*bin) {
        fprintf(stderr, "VP_BIN (the vastplot binary) is not set; run through ctest\n");
        return 1;
    }
    dir = tu_tmpdir("test_e2e");
    /* no GL 4.5 here: skip, visibly */
    char probe[4096];
    snprintf(probe, sizeof probe, "%s/probe.f32", dir);
    float one[2] = {0, 0};
    tu_write_file(probe, one, sizeof one);
    char args[8192];
    snprintf(args, sizeof args, "render '%s' -o '%s/probe.png' -q 2>/dev/null", probe, dir);
    if (run(args) != 0) {
        fprintf(stderr, "SKIP: vastplot cannot render here (no OpenGL 4.5?)\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_both_paths_all_tonemaps),
        cmocka_unit_test(test_default_bounds_draw_everything),
        cmocka_unit_test(test_npy_and_big_endian_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
