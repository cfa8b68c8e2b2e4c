/* Accumulation: the CPU and GPU (GL compute, llvmpipe on CI) paths against an
 * independent reference histogram written here in plain double arithmetic,
 * through real files and the real decoder. Exit 77 (skip) when no GL 4.5. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "accum/accum.h"
#include "accum/bin_gpu.h"
#include "gl/glctx.h"
#include "gl/shader.h"
#include "load/dataset.h"
#include "testutil.h"

static glctx *gl;
static const char *dir;

/* The reference: tu_ref_bin (testutil.h), numpy.histogram2d's rule written
 * independently of view.c. Exact: no point is ambiguous. */
typedef struct ref_result {
    uint64_t *grid;
    uint64_t drawn;
} ref_result;

static void reference(const double *x, const double *y, size_t n, double x0, double x1, double y0,
                      double y1, int w, int h, ref_result *r)
{
    r->grid = calloc((size_t)w * h, sizeof *r->grid);
    r->drawn = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i]))
            continue;
        int ix = tu_ref_bin(x[i], x0, x1, w), iy = tu_ref_bin(y[i], y0, y1, h);
        if (ix < 0 || iy < 0)
            continue;
        r->grid[(size_t)iy * w + ix]++;
        r->drawn++;
    }
}

typedef struct run {
    uint64_t *grid;
    accum_stats st;
} run;

static void accumulate(const char *path, const source_params *sp, const view *v, bool gpu,
                       const accum_params *ap, run *out)
{
    dataset *ds;
    vp_err err;
    const char *paths[1] = {path};
    if (!dataset_create_files(paths, 1, sp, &ds, &err))
        fail_msg("%s", err.msg);
    out->grid = calloc((size_t)v->w * v->h, sizeof *out->grid);
    bool ok = gpu ? accum_gpu_run(ds, v, ap, out->grid, &out->st, &err)
                  : accum_cpu_run(ds, v, ap, out->grid, &out->st, &err);
    if (!ok)
        fail_msg("%s accumulation: %s", gpu ? "gpu" : "cpu", err.msg);
    dataset_destroy(ds);
}

static uint64_t grid_sum(const uint64_t *g, size_t n)
{
    uint64_t s = 0;
    for (size_t i = 0; i < n; i++)
        s += g[i];
    return s;
}

/* Compares a run with the reference: every pixel equal. */
static void check_against_reference(const run *r, const ref_result *ref, int w, int h)
{
    size_t px = (size_t)w * h;
    assert_int_equal(grid_sum(r->grid, px), r->st.drawn);
    size_t diff = 0, first = 0;
    for (size_t i = 0; i < px; i++)
        if (r->grid[i] != ref->grid[i] && diff++ == 0)
            first = i;
    if (diff || r->st.drawn != ref->drawn)
        fail_msg("drawn %llu vs reference %llu; %zu pixels differ (first %zu: %llu vs %llu)",
                 (unsigned long long)r->st.drawn, (unsigned long long)ref->drawn, diff, first,
                 (unsigned long long)r->grid[first], (unsigned long long)ref->grid[first]);
}

static void random_case(uint64_t seed, size_t n, int w, int h, double x0, double x1, double y0,
                        double y1, const accum_params *ap)
{
    uint64_t s = seed;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    for (size_t i = 0; i < n; i++) {
        /* a spread a little wider than the view, so some points fall outside */
        x[i] = x0 + (x1 - x0) * (tu_rand_unit(&s) * 1.2 - 0.1);
        y[i] = y0 + (y1 - y0) * (tu_rand_unit(&s) * 1.2 - 0.1);
        if (i % 97 == 5)
            x[i] = NAN;
        if (i % 89 == 7)
            y[i] = -INFINITY;
        if (i % 101 == 3) /* exactly on pixel edges and the view's edges */
            x[i] = x0 + (x1 - x0) * (double)(i % (size_t)(w + 1)) / w;
    }
    const char *path = tu_path(dir, "random.f64");
    tu_write_f64_pairs(path, x, y, n);
    ref_result ref;
    reference(x, y, n, x0, x1, y0, y1, w, h, &ref);
    uint64_t nonfinite = 0;
    for (size_t i = 0; i < n; i++)
        nonfinite += !isfinite(x[i]) || !isfinite(y[i]);

    source_params sp = {.dtype = VP_F64, .ycol = -1};
    view v;
    view_init(&v, x0, x1, y0, y1, w, h);
    run cpu, gpu;
    accumulate(path, &sp, &v, false, ap, &cpu);
    accumulate(path, &sp, &v, true, ap, &gpu);
    assert_int_equal(cpu.st.records, n);
    assert_int_equal(gpu.st.records, n);
    assert_int_equal(cpu.st.nonfinite, nonfinite);
    assert_int_equal(gpu.st.nonfinite, nonfinite);
    check_against_reference(&cpu, &ref, w, h);
    check_against_reference(&gpu, &ref, w, h);
    /* one binning rule: the two paths agree exactly */
    assert_memory_equal(cpu.grid, gpu.grid, (size_t)w * h * sizeof *cpu.grid);
    free(cpu.grid);
    free(gpu.grid);
    free(ref.grid);
    free(x);
    free(y);
}

static void test_random_small(void **state)
{
    (void)state;
    random_case(1, 1000, 7, 5, 0, 1, 0, 1, NULL);
}

static void test_random_large(void **state)
{
    (void)state;
    accum_params ap = {.threads = 2};
    random_case(2, 300000, 640, 480, -3.5, 12.25, -100, 100, &ap);
}

static void test_random_reversed_and_odd_sizes(void **state)
{
    (void)state;
    random_case(3, 200000, 1, 333, 10, -10, 5, 4, NULL);  /* x reversed */
    random_case(4, 200000, 1031, 1, 0, 1e-3, -1, 1, NULL);
}

/* Multi-slot, multi-fold: a tiny fold threshold and ring slots must give
 * exactly the grid of a plain run. */
static void test_folds_and_small_ring(void **state)
{
    (void)state;
    accum_params small = {.threads = 3, .flush_every = 50000, .gpu_slot_points = 40000, .gpu_slots = 2};
    random_case(5, 400000, 64, 48, -1, 1, -1, 1, &small);
}

/* The driver refuses a 16 GiB ring: the GPU path shrinks its slots to what GL
 * allows and still gives the exact grid. */
static void test_gpu_ring_larger_than_allowed(void **state)
{
    (void)state;
    accum_params huge = {.gpu_slot_points = 1u << 31};
    random_case(6, 100000, 64, 48, -1, 1, -1, 1, &huge);
}

/* Far from zero: timestamps around 1.7e9 with one sample per pixel. Without
 * subtracting the origin in double, float32 could not tell them apart. */
static void test_precision_far_from_zero(void **state)
{
    (void)state;
    const int w = 100;
    const double t0 = 1.7e9;
    double x[100], y[100];
    for (int i = 0; i < w; i++) {
        x[i] = t0 + i * 1e-3 + 0.5e-3;
        y[i] = 0.5;
    }
    const char *path = tu_path(dir, "far.f64");
    tu_write_f64_pairs(path, x, y, w);
    source_params sp = {.dtype = VP_F64, .ycol = -1};
    view v;
    view_init(&v, t0, t0 + w * 1e-3, 0, 1, w, 1);
    for (int g = 0; g < 2; g++) {
        run r;
        accumulate(path, &sp, &v, g == 1, NULL, &r);
        for (int i = 0; i < w; i++)
            assert_int_equal(r.grid[i], 1);
        free(r.grid);
    }
}

/* Exactness: 30 million samples on one pixel read back as 30,000,000 (a
 * float32 sum would stop at 16,777,216). u8 samples against their index. */
static void test_exact_past_2_24(void **state)
{
    (void)state;
    const size_t n = 30000000;
    uint8_t *b = malloc(n);
    memset(b, 5, n);
    const char *path = tu_path(dir, "same.u8");
    tu_write_file(path, b, n);
    free(b);
    source_params sp = {.dtype = VP_U8, .columns = 1, .y_only = true, .ycol = -1};
    view v;
    view_init(&v, 0, 4.0 * n, 0, 10, 2, 2); /* every x well inside column 0; y = 5 in row 1 */
    for (int g = 0; g < 2; g++) {
        run r;
        accumulate(path, &sp, &v, g == 1, NULL, &r);
        assert_int_equal(r.grid[2], n);
        assert_int_equal(r.grid[0] + r.grid[1] + r.grid[3], 0);
        assert_int_equal(r.st.drawn, n);
        free(r.grid);
    }
}

/* A shader that does not compile: the message names the file and the line. */
static void test_shader_error_names_file_and_line(void **state)
{
    (void)state;
    vp_err err;
    const char *bad = "void main()\n{\n    float x = undefined_thing;\n}\n";
    GLuint sh = shader_compile_text(GL_COMPUTE_SHADER, "broken.comp.glsl", bad,
                                    "#define LOCAL_SIZE 1\nlayout(local_size_x = 1) in;\n", &err);
    assert_int_equal(sh, 0);
    if (!strstr(err.msg, "shaders/broken.comp.glsl") || !strstr(err.msg, "3"))
        fail_msg("message: %s", err.msg);
    fprintf(stderr, "(expected) %s\n", err.msg);
    /* and every shipped shader compiles */
    for (int ls = 32; ls <= 256; ls *= 8) {
        bin_gpu bg;
        assert_true(bin_gpu_create(&bg, "accum.comp.glsl", ls, &err));
        bin_gpu_destroy(&bg);
    }
    for (int k = 0; k <= 4; k++) {
        char defs[32];
        snprintf(defs, sizeof defs, "#define KIND %d\n", k);
        assert_int_not_equal(shader_program_render("fullscreen.vert.glsl", "tonemap.frag.glsl", defs, &err), 0);
    }
}

int main(void)
{
    if (!(gl = tu_gl_context()))
        return 77;
    dir = tu_tmpdir("test_accum");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_small),
        cmocka_unit_test(test_random_large),
        cmocka_unit_test(test_random_reversed_and_odd_sizes),
        cmocka_unit_test(test_folds_and_small_ring),
        cmocka_unit_test(test_gpu_ring_larger_than_allowed),
        cmocka_unit_test(test_precision_far_from_zero),
        cmocka_unit_test(test_exact_past_2_24),
        cmocka_unit_test(test_shader_error_names_file_and_line),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    glctx_destroy(gl);
    return rc;
}
