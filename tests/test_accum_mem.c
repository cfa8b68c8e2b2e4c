/* CPU accumulation on large pictures: the banded path (accum_cpu.h) gives the
 * reference grid exactly with several threads, and its memory does not grow
 * with the threads: peak RSS of an 8192x8192 accumulation on 24 threads, and
 * of the real binary's whole render, measured on child processes. */
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "accum/accum.h"
#include "accum/accum_cpu.h"
#include "load/dataset.h"
#include "testutil.h"

static const char *dir;
static const char *bin;

static uint64_t *cpu_grid(const char *path, const view *v, int threads, accum_stats *st)
{
    dataset *ds;
    vp_err err;
    const char *paths[1] = {path};
    source_params sp = {.dtype = VP_F64, .ycol = -1};
    if (!dataset_create_files(paths, 1, &sp, &ds, &err))
        fail_msg("%s", err.msg);
    uint64_t *g = calloc((size_t)v->w * v->h, sizeof *g);
    accum_params ap = {.threads = threads};
    if (!accum_cpu_run(ds, v, &ap, g, st, &err))
        fail_msg("cpu accumulation: %s", err.msg);
    dataset_destroy(ds);
    return g;
}

/* Random points a little wider than the view, some non-finite, some exactly
 * on pixel edges, several on one pixel (so a band buffer fills and flushes
 * mid-run): the grid equals the reference with the banded path on 3 and 7
 * threads, and with 24 threads on a grid the private path would take with 2. */
static void big_case(uint64_t seed, size_t n, int w, int h, const int *threads, int nthreads)
{
    const double x0 = -2, x1 = 3, y0 = 10, y1 = 11;
    uint64_t s = seed;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    for (size_t i = 0; i < n; i++) {
        x[i] = x0 + (x1 - x0) * (tu_rand_unit(&s) * 1.2 - 0.1);
        y[i] = y0 + (y1 - y0) * (tu_rand_unit(&s) * 1.2 - 0.1);
        if (i % 97 == 5)
            x[i] = NAN;
        if (i % 101 == 3)
            x[i] = x0 + (x1 - x0) * (double)(i % (size_t)(w + 1)) / w;
        if (i % 7 == 1) { /* 1/7 of the points on one pixel near the end of the grid */
            x[i] = x1 - 0.5 * (x1 - x0) / w;
            y[i] = y1 - 0.5 * (y1 - y0) / h;
        }
    }
    size_t px = (size_t)w * h;
    uint64_t *ref = calloc(px, sizeof *ref), drawn = 0;
    for (size_t i = 0; i < n; i++) {
        int ix = tu_ref_bin(x[i], x0, x1, w), iy = tu_ref_bin(y[i], y0, y1, h);
        if (ix >= 0 && iy >= 0) {
            ref[(size_t)iy * w + ix]++;
            drawn++;
        }
    }
    const char *path = tu_path(dir, "big.f64");
    tu_write_f64_pairs(path, x, y, n);
    view v;
    view_init(&v, x0, x1, y0, y1, w, h);
    for (int t = 0; t < nthreads; t++) {
        accum_stats st;
        uint64_t *g = cpu_grid(path, &v, threads[t], &st);
        size_t diff = 0, first = 0;
        for (size_t i = 0; i < px; i++)
            if (g[i] != ref[i] && diff++ == 0)
                first = i;
        if (diff || st.drawn != drawn)
            fail_msg("%d threads (%s): drawn %llu vs %llu; %zu pixels differ (first %zu: %llu vs %llu)",
                     threads[t], accum_cpu_uses_bands(px, threads[t]) ? "bands" : "private",
                     (unsigned long long)st.drawn, (unsigned long long)drawn, diff, first,
                     (unsigned long long)g[first], (unsigned long long)ref[first]);
        free(g);
    }
    free(ref);
    free(x);
    free(y);
}

static void test_bands_equal_reference(void **state)
{
    (void)state;
    /* 4.25 M pixels, not a power of two: the last band is a short one */
    assert_true(accum_cpu_uses_bands((size_t)2500 * 1700, 1));
    const int t1[] = {3, 7};
    big_case(11, 400000, 2500, 1700, t1, 2);
    /* 4 M pixels: private grids for 2 threads, bands for 24 (384 MiB of grids) */
    assert_false(accum_cpu_uses_bands((size_t)2048 * 2048, 2));
    assert_true(accum_cpu_uses_bands((size_t)2048 * 2048, 24));
    const int t2[] = {2, 24};
    big_case(12, 300000, 2048, 2048, t2, 2);
}

/* Peak RSS (KiB) of a child process, from wait4's rusage (ru_maxrss of that
 * child alone, what getrusage(RUSAGE_CHILDREN) reports for a lone child). */
static long child_rss_kib(pid_t pid, int *status)
{
    struct rusage ru;
    if (wait4(pid, status, 0, &ru) != pid)
        fail_msg("wait4 failed");
    return ru.ru_maxrss;
}

#define GRID_8192_KIB (8192L * 8192L * 8 / 1024) /* the 64-bit grid: 512 MiB */

/* 4 M uniform points (f32 pairs) over the whole 8192x8192 view, so every page
 * of the grid, and of any per-thread grid, is touched. */
static const char *uniform_f32(void)
{
    const size_t n = (size_t)4 << 20;
    float *b = malloc(n * 2 * sizeof *b);
    uint64_t s = 99;
    for (size_t i = 0; i < 2 * n; i++)
        b[i] = (float)tu_rand_unit(&s);
    const char *path = tu_path(dir, "uniform.f32");
    tu_write_file(path, b, n * 2 * sizeof *b);
    free(b);
    return path;
}

/* The accumulation alone, in a child: the 64-bit grid plus 24 threads' band
 * buffers (1 MiB each) and chunk buffers stay under 1.5x the grid. The old
 * per-thread 32-bit grids took 24 x 256 MiB here. Allowance: the process
 * itself (binary, libc, cmocka: ~10 MiB) and the file's 32 MiB of data the
 * parent wrote are not in the child's RSS; 64 MiB covers the per-thread
 * buffers (24 x (1 MiB of band buffers + ~1 MiB of chunk and decode
 * buffers) + thread stacks touched). */
static void test_accum_rss_8192_threads24(void **state)
{
    (void)state;
    const char *path = uniform_f32();
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dataset *ds;
        vp_err err;
        const char *paths[1] = {path};
        source_params sp = {.dtype = VP_F32, .ycol = -1};
        if (!dataset_create_files(paths, 1, &sp, &ds, &err))
            _exit(2);
        view v;
        view_init(&v, 0, 1, 0, 1, 8192, 8192);
        uint64_t *g = calloc((size_t)8192 * 8192, sizeof *g);
        accum_params ap = {.threads = 24};
        accum_stats st;
        if (!g || !accum_cpu_run(ds, &v, &ap, g, &st, &err) || st.drawn != (uint64_t)4 << 20)
            _exit(3);
        _exit(0);
    }
    int status;
    long rss = child_rss_kib(pid, &status);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    long limit = GRID_8192_KIB * 3 / 2 + 64 * 1024;
    fprintf(stderr, "accumulation 8192x8192, 24 threads: peak RSS %ld MiB (limit %ld MiB)\n",
            rss >> 10, limit >> 10);
    assert_true(rss < limit);
}

static long render_rss_kib(const char *path, int threads)
{
    char thr[16], png[4096];
    snprintf(thr, sizeof thr, "%d", threads);
    snprintf(png, sizeof png, "%s/rss.png", dir);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        execl(bin, bin, "render", path, "--size", "8192x8192", "--xlim", "0", "1", "--ylim", "0", "1",
              "--accumulate", "cpu", "--threads", thr, "--no-cache", "-q", "-o", png, (char *)NULL);
        _exit(127);
    }
    int status;
    long rss = child_rss_kib(pid, &status);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("render --threads %d failed (status %d)", threads, status);
    return rss;
}

/* The real binary, 8192x8192, 24 threads. Its peak comes after the
 * accumulation: the tone-map pass holds, besides the 512 MiB grid, a float
 * staging copy (256 MiB), llvmpipe's R32F texture of it (256 MiB), the RGBA
 * framebuffer (256 MiB) and the RGBA picture read back for the PNG
 * (256 MiB): 1 GiB the accumulation has no part in (measured 1.6 GiB in
 * all). So the limit is 1.5x the grid + that 1 GiB + 64 MiB for the
 * threads' buffers and the process (GL driver, libraries); 24 threads may
 * cost at most 64 MiB more than 1. The old per-thread grids took 6.8 GB. */
static void test_render_rss_8192_threads24(void **state)
{
    (void)state;
    const char *path = tu_path(dir, "uniform.f32");
    char probe[8192];
    snprintf(probe, sizeof probe, "'%s' render '%s' --size 1x1 -q --no-cache -o '%s/probe.png' 2>/dev/null",
             bin ? bin : "false", path, dir);
    if (!bin || system(probe) != 0) {
        fprintf(stderr, "SKIP: no $VP_BIN, or vastplot cannot render here (no OpenGL 4.5?)\n");
        skip();
    }
    long one = render_rss_kib(path, 1), many = render_rss_kib(path, 24);
    long limit = GRID_8192_KIB * 3 / 2 + 1024 * 1024 + 64 * 1024;
    fprintf(stderr, "render 8192x8192: peak RSS %ld MiB with 1 thread, %ld MiB with 24 (limit %ld MiB)\n",
            one >> 10, many >> 10, limit >> 10);
    assert_true(many < limit);
    assert_true(many - one < 64 * 1024);
}

int main(void)
{
    bin = getenv("VP_BIN");
    dir = tu_tmpdir("test_accum_mem");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bands_equal_reference),
        cmocka_unit_test(test_accum_rss_8192_threads24),
        cmocka_unit_test(test_render_rss_8192_threads24),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    return rc;
}
