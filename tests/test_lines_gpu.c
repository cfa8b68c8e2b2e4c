/* The GPU line density engine (lines_gpu_run, llvmpipe here) bit-equal to the
 * CPU engine (lines_cpu_run) and to a reference written here: the samples in
 * file order, broken where the contract breaks them (a non-finite record, a
 * file's start, --break-gap), each segment cut by lines_segment (rules 1-2)
 * and walked by the closed form of rule 3 itself, q(t, d) = floor((2 t d +
 * N) / (2 N)) for every t = 1 .. N in int64, no clipping, no incremental
 * remainder (the engines walk incrementally from the first step inside the
 * grid). Through real files and the real decoder: random walks over many
 * chunks, segments hundreds of pixels long, samples far outside the view and
 * segments through it, reversed limits, NaN records at chunk boundaries, two
 * files, --break-gap, folds forced by a low bound, --normalize with three
 * series (every column of a series sums to LINES_UNIT), and a picture too
 * large for one image refused by name. Exit 77 (skip) when no GL 4.5.
 * VP_LINES_TIMINGS=1 adds 10^7 random-walk samples and 2 10^5 uniform ones
 * (long segments) on 1920x1080, GPU against CPU, timed; VP_LINES_ONLY=GLOB
 * runs only the tests whose names match. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "accum/lines_run.h"
#include "gl/gl_util.h"
#include "gl/glctx.h"
#include "load/dataset.h"
#include "testutil.h"

static glctx *gl;
static const char *dir;

/* ---- samples and files ------------------------------------------------------- */

typedef struct series {
    double *x, *y;
    size_t n;
} series;

static void series_alloc(series *s, size_t n)
{
    s->n = n;
    s->x = malloc((n ? n : 1) * sizeof *s->x);
    s->y = malloc((n ? n : 1) * sizeof *s->y);
    assert_non_null(s->x);
    assert_non_null(s->y);
}

static void series_free(series *s)
{
    free(s->x);
    free(s->y);
}

/* A random walk from (x, y): steps uniform in +-step on each axis. */
static void random_walk(series *s, size_t n, double x, double y, double step, uint64_t seed)
{
    series_alloc(s, n);
    uint64_t rs = seed;
    for (size_t i = 0; i < n; i++) {
        s->x[i] = x;
        s->y[i] = y;
        x += (tu_rand_unit(&rs) - 0.5) * 2 * step;
        y += (tu_rand_unit(&rs) - 0.5) * 2 * step;
    }
}

static void bounds_of(const series *s, double lim[4])
{
    lim[0] = lim[2] = INFINITY;
    lim[1] = lim[3] = -INFINITY;
    for (size_t i = 0; i < s->n; i++) {
        if (!isfinite(s->x[i]) || !isfinite(s->y[i]))
            continue;
        lim[0] = fmin(lim[0], s->x[i]);
        lim[1] = fmax(lim[1], s->x[i]);
        lim[2] = fmin(lim[2], s->y[i]);
        lim[3] = fmax(lim[3], s->y[i]);
    }
}

/* The series as files (f64 pairs, or f32 pairs with f32) and one dataset of them. */
static dataset *dataset_of(const series *ss, int ns, bool f32, const char *name)
{
    const char *paths[8];
    static char names[8][512];
    assert_true(ns <= 8);
    for (int k = 0; k < ns; k++) {
        char fn[64];
        snprintf(fn, sizeof fn, "%s%d.%s", name, k, f32 ? "f32" : "f64");
        snprintf(names[k], sizeof names[k], "%s", tu_path(dir, fn));
        paths[k] = names[k];
        const series *s = &ss[k];
        if (f32) {
            float *b = malloc(2 * s->n * sizeof *b);
            assert_non_null(b);
            for (size_t i = 0; i < s->n; i++) {
                b[2 * i] = (float)s->x[i];
                b[2 * i + 1] = (float)s->y[i];
            }
            tu_write_file(paths[k], b, 2 * s->n * sizeof *b);
            free(b);
        } else {
            tu_write_f64_pairs(paths[k], s->x, s->y, s->n);
        }
    }
    source_params sp = {.dtype = f32 ? VP_F32 : VP_F64, .ycol = -1};
    dataset *ds;
    vp_err err;
    if (!dataset_create_files(paths, ns, &sp, &ds, &err))
        fail_msg("%s", err.msg);
    return ds;
}

/* ---- the reference ----------------------------------------------------------- */

static int64_t ref_floor_div(int64_t a, int64_t b) /* b > 0 */
{
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

/* Rule 3 by its closed form, every step. */
static uint64_t ref_walk(const lines_seg *s, int w, int h, uint64_t *g)
{
    int64_t dx = (int64_t)s->x1 - s->x0, dy = (int64_t)s->y1 - s->y0;
    int64_t N = llabs(dx) > llabs(dy) ? llabs(dx) : llabs(dy);
    uint64_t added = 0;
    for (int64_t t = 1; t <= N; t++) {
        int64_t px = s->x0 + ref_floor_div(2 * t * dx + N, 2 * N);
        int64_t py = s->y0 + ref_floor_div(2 * t * dy + N, 2 * N);
        if (px >= 0 && px < w && py >= 0 && py < h) {
            g[py * w + px]++;
            added++;
        }
    }
    return added;
}

/* One series (a file: a break before its first record) into g; the samples
 * as the decoder gives them (f32: rounded to float first). */
static void ref_series(const series *s, bool f32, const view *v, double gap, uint64_t *g,
                       uint64_t *nonfinite)
{
    bool have = false;
    double px = 0, py = 0;
    for (size_t i = 0; i < s->n; i++) {
        double x = f32 ? (double)(float)s->x[i] : s->x[i];
        double y = f32 ? (double)(float)s->y[i] : s->y[i];
        if (!isfinite(x) || !isfinite(y)) {
            ++*nonfinite;
            have = false;
            continue;
        }
        if (have && !(gap > 0 && fabs(x - px) > gap)) {
            lines_seg seg;
            if (lines_segment(v, px, py, x, y, &seg))
                ref_walk(&seg, v->w, v->h, g);
        } else {
            uint32_t i0;
            if (lines_start(v, x, y, &i0))
                g[i0]++;
        }
        have = true;
        px = x;
        py = y;
    }
}

/* ---- the engines and the checks ---------------------------------------------- */

static size_t pixels_of(const view *v)
{
    return (size_t)v->w * (size_t)v->h;
}

static uint64_t grid_sum(const uint64_t *g, size_t n)
{
    uint64_t s = 0;
    for (size_t i = 0; i < n; i++)
        s += g[i];
    return s;
}

static void assert_grids_equal(const char *what, const uint64_t *got, const uint64_t *want,
                               const view *v)
{
    size_t px = pixels_of(v), diff = 0, first = 0;
    for (size_t i = 0; i < px; i++)
        if (got[i] != want[i] && diff++ == 0)
            first = i;
    if (diff)
        fail_msg("%s: %zu of %zu pixels differ, the first at (%zu, %zu): %llu, want %llu", what,
                 diff, px, first % (size_t)v->w, first / (size_t)v->w,
                 (unsigned long long)got[first], (unsigned long long)want[first]);
}

typedef struct engine_run {
    uint64_t *grid;
    accum_stats st;
} engine_run;

static void run_engine(bool gpu, const dataset *ds, const view *v, const lines_params *lp,
                       const accum_params *ap, engine_run *r)
{
    vp_err err;
    r->grid = calloc(pixels_of(v), sizeof *r->grid);
    assert_non_null(r->grid);
    bool ok = gpu ? lines_gpu_run(ds, v, lp, ap, r->grid, &r->st, &err)
                  : lines_cpu_run(ds, v, lp, ap, r->grid, &r->st, &err);
    if (!ok)
        fail_msg("lines_%s_run: %s", gpu ? "gpu" : "cpu", err.msg);
    if (gpu) {
        assert_true(r->st.gpu);
        assert_true(gl_check("after lines_gpu_run", &err));
    }
    assert_int_equal(r->st.drawn, grid_sum(r->grid, pixels_of(v)));
}

typedef struct case_opts {
    double gap;         /* --break-gap */
    bool normalize;
    bool f32;
    accum_params gpu;   /* the GPU run's parameters (threads 0: 1 and 3) */
    uint64_t min_flushes;
} case_opts;

/* The series (one file each) on view v: reference, CPU and GPU all equal,
 * statistics too. Returns the reference's drawn total. */
static uint64_t check_case(const series *ss, int ns, const view *v, const case_opts *o,
                           const char *name)
{
    size_t px = pixels_of(v);
    uint64_t *ref = calloc(px, sizeof *ref), *one = calloc(px, sizeof *one);
    uint32_t *touch = calloc((size_t)v->w, sizeof *touch);
    assert_non_null(ref);
    assert_non_null(one);
    assert_non_null(touch);
    uint64_t nonfinite = 0, records = 0;
    for (int k = 0; k < ns; k++) {
        records += ss[k].n;
        if (!o->normalize) {
            ref_series(&ss[k], o->f32, v, o->gap, ref, &nonfinite);
            continue;
        }
        memset(one, 0, px * sizeof *one);
        ref_series(&ss[k], o->f32, v, o->gap, one, &nonfinite);
        for (int x = 0; x < v->w; x++) {
            bool any = false;
            for (int y = 0; y < v->h && !any; y++)
                any = one[(size_t)y * v->w + x] != 0;
            touch[x] += any;
        }
        assert_true(lines_normalize_add(one, v->w, v->h, ref));
    }
    uint64_t drawn = grid_sum(ref, px);
    if (o->normalize) /* every column: LINES_UNIT for each series that touches it */
        for (int x = 0; x < v->w; x++) {
            uint64_t col = 0;
            for (int y = 0; y < v->h; y++)
                col += ref[(size_t)y * v->w + x];
            if (col != LINES_UNIT * touch[x])
                fail_msg("%s: column %d sums to %llu, want %u x LINES_UNIT", name, x,
                         (unsigned long long)col, touch[x]);
        }

    dataset *ds = dataset_of(ss, ns, o->f32, name);
    lines_params lp = {.normalize = o->normalize, .break_gap = o->gap};
    accum_params cp = {.threads = 2};
    engine_run cpu;
    run_engine(false, ds, v, &lp, &cp, &cpu);
    char what[128];
    snprintf(what, sizeof what, "%s: lines_cpu_run against the reference", name);
    assert_grids_equal(what, cpu.grid, ref, v);
    for (int threads = 1; threads <= 3; threads += 2) {
        accum_params gp = o->gpu;
        if (!gp.threads)
            gp.threads = threads;
        else if (threads > 1)
            break;
        engine_run gpu;
        run_engine(true, ds, v, &lp, &gp, &gpu);
        snprintf(what, sizeof what, "%s: lines_gpu_run (%d threads) against the reference", name,
                 gp.threads);
        assert_grids_equal(what, gpu.grid, ref, v);
        snprintf(what, sizeof what, "%s: lines_gpu_run against lines_cpu_run", name);
        assert_grids_equal(what, gpu.grid, cpu.grid, v);
        assert_int_equal(gpu.st.records, records);
        assert_int_equal(gpu.st.records, cpu.st.records);
        assert_int_equal(gpu.st.nonfinite, nonfinite);
        assert_int_equal(gpu.st.nonfinite, cpu.st.nonfinite);
        assert_int_equal(gpu.st.drawn, drawn);
        assert_int_equal(gpu.st.drawn, cpu.st.drawn);
        if (getenv("VP_LINES_VERBOSE"))
            print_message("%s: %llu folds, %llu drawn\n", name, (unsigned long long)gpu.st.flushes,
                          (unsigned long long)gpu.st.drawn);
        if (gpu.st.flushes < o->min_flushes)
            fail_msg("%s: %llu folds, want at least %llu", name,
                     (unsigned long long)gpu.st.flushes, (unsigned long long)o->min_flushes);
        free(gpu.grid);
    }
    free(cpu.grid);
    dataset_destroy(ds);
    free(ref);
    free(one);
    free(touch);
    return drawn;
}

/* ---- the cases --------------------------------------------------------------- */

/* 10^6 samples (31 chunks) of a walk, the view on its middle (the walk
 * leaves it and comes back). */
static void test_random_walk(void **state)
{
    (void)state;
    series s;
    random_walk(&s, 1000000, 0, 0, 1.0, 11);
    double lim[4];
    bounds_of(&s, lim);
    view v;
    view_init(&v, lim[0] + 0.1 * (lim[1] - lim[0]), lim[1] - 0.15 * (lim[1] - lim[0]),
              lim[2] + 0.2 * (lim[3] - lim[2]), lim[3] - 0.05 * (lim[3] - lim[2]), 320, 240);
    case_opts o = {0};
    /* mostly steps inside one pixel or to the next: the pixel records */
    assert_true(check_case(&s, 1, &v, &o, "walk") > 100000);
    /* a tenth of its extent: steps of a few pixels, the walk leaving the view often */
    double cx = s.x[s.n / 2], cy = s.y[s.n / 2]; /* a place it passes */
    double hx = 0.05 * (lim[1] - lim[0]), hy = 0.05 * (lim[3] - lim[2]);
    view_init(&v, cx - hx, cx + hx, cy - hy, cy + hy, 320, 240);
    print_message("zoomed walk: %llu steps\n", (unsigned long long)check_case(&s, 1, &v, &o, "walk-zoom"));
    view_init(&v, lim[0] + 0.1 * (lim[1] - lim[0]), lim[1] - 0.15 * (lim[1] - lim[0]),
              lim[2] + 0.2 * (lim[3] - lim[2]), lim[3] - 0.05 * (lim[3] - lim[2]), 320, 240);
    /* several slots of the ring in turn, the last one partly filled */
    o.gpu = (accum_params){.threads = 2, .gpu_slot_points = 32768, .gpu_slots = 2};
    check_case(&s, 1, &v, &o, "walk-slots");
    series_free(&s);
}

/* Every segment crosses hundreds of pixels: points uniform over a little
 * more than the view, in both orientations of the major axis. */
static void test_long_segments(void **state)
{
    (void)state;
    series s;
    series_alloc(&s, 150000);
    uint64_t rs = 5;
    for (size_t i = 0; i < s.n; i++) {
        s.x[i] = tu_rand_unit(&rs) * 1.2 - 0.1;
        s.y[i] = tu_rand_unit(&rs) * 1.2 - 0.1;
    }
    view v;
    view_init(&v, 0, 1, 0, 1, 517, 389);
    case_opts o = {0};
    uint64_t drawn = check_case(&s, 1, &v, &o, "long");
    assert_true(drawn > 150000 * 150ull);
    series_free(&s);
}

/* Samples at +-1e12 (far cut, rule 2) mixed into a walk, segments between
 * two far samples through the view in every direction, far samples past one
 * edge (culled), and values whose g is not finite (not drawn). */
static void test_far_points(void **state)
{
    (void)state;
    series s;
    random_walk(&s, 200000, 0.5, 0.5, 0.004, 21);
    uint64_t rs = 77;
    for (size_t i = 0; i < s.n; i += 997) {
        double u = tu_rand_unit(&rs);
        switch ((i / 997) % 6) {
        case 0:
            s.x[i] = u < 0.5 ? -1e12 : 1e12;
            break;
        case 1:
            s.y[i] = u < 0.5 ? -1e12 : 1e12;
            break;
        case 2: /* opposite corners: through the view */
            s.x[i] = -1e12 * (1 + u);
            s.y[i] = -1e12;
            if (i + 1 < s.n) {
                s.x[i + 1] = 1e12;
                s.y[i + 1] = 1e12 * (1 + u);
            }
            break;
        case 3: /* far along one axis, near the view along the other */
            s.x[i] = 1e12;
            s.y[i] = u;
            if (i + 1 < s.n) {
                s.x[i + 1] = -1e12;
                s.y[i + 1] = 1 - u;
            }
            break;
        case 4: /* both far past the same edge: nothing */
            s.y[i] = 1e12;
            if (i + 1 < s.n)
                s.y[i + 1] = 2e12;
            break;
        default: /* g overflows: not drawn */
            s.x[i] = u < 0.5 ? -1.7e308 : 1.7e308;
            break;
        }
    }
    view v;
    view_init(&v, 0, 1, 0, 1, 300, 200);
    case_opts o = {0};
    check_case(&s, 1, &v, &o, "far");
    /* the far samples near the view's middle, steep and shallow */
    series t;
    series_alloc(&t, 300);
    for (size_t i = 0; i < t.n; i++) {
        double u = tu_rand_unit(&rs), w = tu_rand_unit(&rs);
        t.x[i] = i % 2 ? 0.5 + (u - 0.5) * 1e-3 : (u < 0.5 ? -1e12 : 1e12) * (1 + w);
        t.y[i] = i % 4 < 2 ? 0.5 + (w - 0.5) * 2 : (w - 0.5) * 3e12;
    }
    check_case(&t, 1, &v, &o, "far-cross");
    series_free(&t);
    series_free(&s);
}

/* The shader starts a segment's walk at its first step inside the grid, t0,
 * from a float guess of q(t0, d) corrected to the exact value
 * (lines.comp.glsl). Segments that enter the view far from their start at a
 * step where that guess, made in IEEE float as here, is off: found by
 * search, drawn as a series of far starts (x within -2^20 .. -2^18, so no
 * far cut) and ends inside. The view maps integers to pixel edges. */
static void test_entry_guess(void **state)
{
    (void)state;
    const int W = 64, H = 48;
    const size_t want = 60;
    series s;
    series_alloc(&s, 2 * want);
    uint64_t rs = 123;
    size_t found = 0;
    for (int tries = 0; found < want && tries < 50000000; tries++) {
        int32_t x0 = -(int32_t)(262144 + tu_rand(&rs) % 786000);
        int32_t x1 = (int32_t)(tu_rand(&rs) % (uint64_t)W);
        int32_t N = x1 - x0, t0 = -x0;
        int32_t dy = (int32_t)(tu_rand(&rs) % (uint64_t)(2 * N + 1)) - N;
        volatile float fg = (float)t0 * ((float)dy / (float)N) + 0.5f;
        int32_t guess = (int32_t)floorf(fg);
        int64_t q = ref_floor_div(2 * (int64_t)t0 * dy + N, 2 * (int64_t)N);
        if (guess == q)
            continue;
        int64_t y0 = H / 2 - q, y1 = y0 + dy;
        if (y0 < -(1 << 20) || y1 < -(1 << 20) || y0 > H + (1 << 20) || y1 > H + (1 << 20))
            continue;
        s.x[2 * found] = (double)x0 + 0.5; /* extended pixel x0 (floor), inside: pixel x0 */
        s.y[2 * found] = (double)y0 + 0.5;
        s.x[2 * found + 1] = (double)x1 + 0.5;
        s.y[2 * found + 1] = (double)y1 + 0.5;
        found++;
    }
    assert_int_equal(found, want);
    view v;
    view_init(&v, 0, W, 0, H, W, H);
    case_opts o = {0};
    check_case(&s, 1, &v, &o, "entry");
    series_free(&s);
}

/* Reversed limits on both axes and on one. */
static void test_reversed_limits(void **state)
{
    (void)state;
    series s;
    random_walk(&s, 300000, 0, 0, 0.5, 31);
    double lim[4];
    bounds_of(&s, lim);
    view v;
    case_opts o = {0};
    view_init(&v, lim[1], lim[0], lim[3] - 0.3 * (lim[3] - lim[2]), lim[2], 211, 157);
    check_case(&s, 1, &v, &o, "reversed");
    view_init(&v, lim[0], lim[1] - 0.3 * (lim[1] - lim[0]), lim[3], lim[2], 97, 301);
    check_case(&s, 1, &v, &o, "reversed-y");
    series_free(&s);
}

/* f32 records with NaN (and inf): scattered, the last record of a chunk, the
 * first of the next, a run across a chunk boundary, the first and last
 * records, a whole chunk. */
static void test_nan_breaks(void **state)
{
    (void)state;
    const size_t C = DATASET_CHUNK_RECORDS;
    series s;
    random_walk(&s, 6 * C + 999, 0.5, 0.5, 0.01, 41);
    uint64_t rs = 3;
    for (size_t i = 0; i < s.n; i++)
        if (tu_rand(&rs) % 293 == 0) {
            if (i % 3)
                s.x[i] = NAN;
            else
                s.y[i] = i % 2 ? INFINITY : NAN;
        }
    const size_t at[] = {0, C - 1, 2 * C, 3 * C - 2, 3 * C - 1, 3 * C, 3 * C + 1, s.n - 1};
    for (size_t k = 0; k < sizeof at / sizeof at[0]; k++)
        s.x[at[k]] = NAN;
    for (size_t i = 4 * C; i < 5 * C; i++) /* chunk 4: nothing */
        s.y[i] = NAN;
    view v;
    view_init(&v, 0, 1, 0, 1, 256, 192);
    case_opts o = {.f32 = true};
    check_case(&s, 1, &v, &o, "nan");
    series_free(&s);
}

/* Two files: no segment from the first's last sample to the second's first. */
static void test_two_files(void **state)
{
    (void)state;
    series s[2];
    random_walk(&s[0], 100000, 0.2, 0.2, 0.01, 51);
    random_walk(&s[1], 2 * DATASET_CHUNK_RECORDS + 7, 0.8, 0.8, 0.01, 52);
    view v;
    view_init(&v, 0, 1, 0, 1, 200, 200);
    case_opts o = {0};
    uint64_t two = check_case(s, 2, &v, &o, "two");
    uint64_t a = check_case(&s[0], 1, &v, &o, "first");
    uint64_t b = check_case(&s[1], 1, &v, &o, "second");
    assert_int_equal(two, a + b);
    series_free(&s[0]);
    series_free(&s[1]);
}

/* --break-gap: x jumps now and then by more than the gap. */
static void test_break_gap(void **state)
{
    (void)state;
    series s;
    random_walk(&s, 120000, 0, 0, 0.002, 61);
    uint64_t rs = 8;
    double off = 0;
    for (size_t i = 0; i < s.n; i++) {
        if (tu_rand(&rs) % 211 == 0)
            off = tu_rand_unit(&rs) - 0.5;
        s.x[i] += off;
    }
    s.x[DATASET_CHUNK_RECORDS] += 0.5; /* a gap at a chunk boundary (the joins) */
    double lim[4];
    bounds_of(&s, lim);
    view v;
    view_init(&v, lim[0], lim[1], lim[2], lim[3], 240, 180);
    case_opts o = {.gap = 0.05};
    check_case(&s, 1, &v, &o, "gap");
    series_free(&s);
}

/* A low fold bound: the image is read back and cleared before nearly every
 * slot. Uniform samples, so that each is a record (a segment of tens of
 * pixels). */
static void test_folds(void **state)
{
    (void)state;
    series s;
    series_alloc(&s, 400000);
    uint64_t rs = 71;
    for (size_t i = 0; i < s.n; i++) {
        s.x[i] = tu_rand_unit(&rs) * 1.1 - 0.05;
        s.y[i] = tu_rand_unit(&rs) * 1.1 - 0.05;
    }
    view v;
    view_init(&v, 0, 1, 0, 1, 60, 40);
    case_opts o = {.gpu = {.threads = 3, .gpu_slot_points = 32768, .gpu_slots = 3,
                           .flush_every = 40000},
                   .min_flushes = 400000 / 32768};
    check_case(&s, 1, &v, &o, "folds");
    series_free(&s);
}

/* --normalize lines with three series over different parts of the view (one
 * of them reversed in x, one crossing far outside), several chunks each. */
static void test_normalize(void **state)
{
    (void)state;
    series s[3];
    random_walk(&s[0], 150000, 0.3, 0.5, 0.003, 81);
    random_walk(&s[1], 40000, 0.7, 0.3, 0.006, 82);
    series_alloc(&s[2], 3 * DATASET_CHUNK_RECORDS + 5);
    for (size_t i = 0; i < s[2].n; i++) {
        s[2].x[i] = 0.9 - 0.8 * (double)i / (double)s[2].n;
        s[2].y[i] = 0.5 + 0.4 * sin((double)i * 1e-3);
        if (i % 5000 == 17)
            s[2].y[i] = 1e12;
    }
    view v;
    view_init(&v, 0, 1, 0, 1, 160, 120);
    case_opts o = {.normalize = true};
    check_case(s, 3, &v, &o, "normalize");
    o.gpu = (accum_params){.threads = 2, .gpu_slot_points = 32768, .flush_every = 40000};
    check_case(s, 3, &v, &o, "normalize-folds");
    for (int k = 0; k < 3; k++)
        series_free(&s[k]);
}

/* A picture wider than one GL image: refused, naming the size and the limit. */
static void test_too_large(void **state)
{
    (void)state;
    GLint side = 0;
    glGetIntegerv(GL_MAX_TEXTURE_SIZE, &side);
    assert_true(side > 0);
    series s;
    random_walk(&s, 1000, 0.5, 0.5, 0.01, 91);
    dataset *ds = dataset_of(&s, 1, false, "large");
    int w = (side < 65536 ? side : 65536) + 1;
    view v;
    view_init(&v, 0, 1, 0, 1, w, 2);
    uint64_t *g = calloc(pixels_of(&v), sizeof *g);
    assert_non_null(g);
    lines_params lp = {0};
    accum_stats st;
    vp_err err;
    assert_false(lines_gpu_run(ds, &v, &lp, NULL, g, &st, &err));
    assert_true(st.gpu_refused);
    char size[64];
    snprintf(size, sizeof size, "a %dx2 line density picture", w);
    assert_msg_has(err, size);
    assert_msg_has(err, "GL_MAX_TEXTURE_SIZE");
    free(g);
    dataset_destroy(ds);
    series_free(&s);
}

/* Tiny series: one sample, two in one pixel, all outside. */
static void test_small(void **state)
{
    (void)state;
    view v;
    view_init(&v, 0, 1, 0, 1, 10, 10);
    case_opts o = {0};
    series s;
    series_alloc(&s, 1);
    s.x[0] = s.y[0] = 0.55;
    assert_int_equal(check_case(&s, 1, &v, &o, "one"), 1);
    series_free(&s);
    series_alloc(&s, 3);
    s.x[0] = s.y[0] = 0.51;
    s.x[1] = s.y[1] = 0.52;
    s.x[2] = 0.95;
    s.y[2] = 0.52;
    assert_int_equal(check_case(&s, 1, &v, &o, "three"), 5);
    for (size_t i = 0; i < 3; i++)
        s.x[i] += 2;
    assert_int_equal(check_case(&s, 1, &v, &o, "outside"), 0);
    series_free(&s);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* 10^7 random-walk samples on 1920x1080 (VP_LINES_TIMINGS_SIZE=WxH for
 * another): lines_gpu_run against lines_cpu_run, default threads (printed,
 * not checked; the grids must be equal). */
static void test_timings(void **state)
{
    (void)state;
    if (!getenv("VP_LINES_TIMINGS")) {
        print_message("timings skipped (VP_LINES_TIMINGS=1 runs them)\n");
        return;
    }
    int tw = 1920, th = 1080;
    const char *sz = getenv("VP_LINES_TIMINGS_SIZE");
    if (sz && sscanf(sz, "%dx%d", &tw, &th) != 2)
        tw = 1920, th = 1080;
    series s;
    random_walk(&s, 10000000, 0, 0, 1.0, 101);
    double lim[4];
    bounds_of(&s, lim);
    double px = s.x[s.n / 2], py = s.y[s.n / 2];
    dataset *ds = dataset_of(&s, 1, false, "timing");
    series_free(&s);
    lines_params lp = {0};
    /* the whole walk (steps mostly within a pixel), then a tenth of its
     * extent around a place it passes (steps of several pixels) */
    for (int rep = 0; rep < 4; rep++) {
        view v;
        double f = rep < 2 ? 0.5 : 0.05;
        double hx = f * (lim[1] - lim[0]), hy = f * (lim[3] - lim[2]);
        double cx = rep < 2 ? 0.5 * (lim[0] + lim[1]) : px;
        double cy = rep < 2 ? 0.5 * (lim[2] + lim[3]) : py;
        view_init(&v, cx - hx, cx + hx, cy - hy, cy + hy, tw, th);
        engine_run cpu, gpu;
        double t0 = now_s();
        run_engine(false, ds, &v, &lp, NULL, &cpu);
        double tc = now_s() - t0;
        t0 = now_s();
        run_engine(true, ds, &v, &lp, NULL, &gpu);
        double tg = now_s() - t0;
        assert_grids_equal("timings", gpu.grid, cpu.grid, &v);
        print_message("10^7 random-walk samples, %s, %dx%d, %llu steps drawn: lines_gpu_run "
                      "%.2f s, lines_cpu_run %.2f s\n",
                      rep < 2 ? "whole walk" : "a tenth", tw, th,
                      (unsigned long long)cpu.st.drawn, tg, tc);
        free(cpu.grid);
        free(gpu.grid);
    }
    dataset_destroy(ds);
    /* long segments: 2 10^5 uniform samples, each segment hundreds of pixels */
    series_alloc(&s, 200000);
    uint64_t rs = 5;
    for (size_t i = 0; i < s.n; i++) {
        s.x[i] = tu_rand_unit(&rs);
        s.y[i] = tu_rand_unit(&rs);
    }
    ds = dataset_of(&s, 1, false, "timing-long");
    series_free(&s);
    view v;
    view_init(&v, 0, 1, 0, 1, tw, th);
    engine_run cpu, gpu;
    double t0 = now_s();
    run_engine(false, ds, &v, &lp, NULL, &cpu);
    double tc = now_s() - t0;
    t0 = now_s();
    run_engine(true, ds, &v, &lp, NULL, &gpu);
    double tg = now_s() - t0;
    assert_grids_equal("timings, long segments", gpu.grid, cpu.grid, &v);
    print_message("2 10^5 uniform samples, %dx%d, %llu steps drawn: lines_gpu_run %.2f s, "
                  "lines_cpu_run %.2f s\n",
                  tw, th, (unsigned long long)cpu.st.drawn, tg, tc);
    free(cpu.grid);
    free(gpu.grid);
    dataset_destroy(ds);
}

int main(void)
{
    if (!(gl = tu_gl_context()))
        return 77;
    dir = tu_tmpdir("test_lines_gpu");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small),
        cmocka_unit_test(test_random_walk),
        cmocka_unit_test(test_long_segments),
        cmocka_unit_test(test_far_points),
        cmocka_unit_test(test_entry_guess),
        cmocka_unit_test(test_reversed_limits),
        cmocka_unit_test(test_nan_breaks),
        cmocka_unit_test(test_two_files),
        cmocka_unit_test(test_break_gap),
        cmocka_unit_test(test_folds),
        cmocka_unit_test(test_normalize),
        cmocka_unit_test(test_too_large),
        cmocka_unit_test(test_timings),
    };
    const char *only = getenv("VP_LINES_ONLY"); /* a glob of test names, e.g. under valgrind */
    if (only)
        cmocka_set_test_filter(only);
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    glctx_destroy(gl);
    return rc;
}
