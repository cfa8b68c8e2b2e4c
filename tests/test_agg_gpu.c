/* The GPU aggregation engine (agg_gpu.c, llvmpipe here) against a CPU
 * reference: every array of the grid (count, s1, s2, lo, hi, cat) and the
 * statistics bit-equal, for every kind, on random data with non-finite
 * samples, empty pixels, values far from zero, -0 and +0, bad category codes,
 * folds forced by a low bound, more than 2^24 samples in one pixel, and runs
 * that add into a grid already holding samples. Exit 77 (skip) when no GL 4.5. */
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

#include "accum/agg.h"
#include "accum/agg_cpu.h"
#include "accum/agg_gpu.h"
#include "gl/gl_util.h"
#include "gl/glctx.h"
#include "load/dataset.h"
#include "testutil.h"

static glctx *gl;
static const char *dir;

static const agg_kind every_kind[] = {AGG_COUNT, AGG_SUM, AGG_MEAN, AGG_MIN,
                                      AGG_MAX,   AGG_STD, AGG_VAR,  AGG_CATEGORIES};

typedef struct sample_set {
    double *x, *y, *w;
    size_t n;
} sample_set;

static void set_alloc(sample_set *s, size_t n)
{
    s->n = n;
    s->x = malloc(n * sizeof *s->x);
    s->y = malloc(n * sizeof *s->y);
    s->w = malloc(n * sizeof *s->w);
    assert_non_null(s->x);
    assert_non_null(s->y);
    assert_non_null(s->w);
}

static void set_free(sample_set *s)
{
    free(s->x);
    free(s->y);
    free(s->w);
}

/* The reference: the contract of agg.h as a plain loop over the samples
 * (view.h's rule for the pixel, agg_grid_add for one-plane kinds). */
static void reference(const sample_set *s, size_t from, size_t to, const view *v, agg_grid *g,
                      uint64_t *nonfinite, uint64_t *bad, uint64_t *drawn)
{
    size_t px = (size_t)g->w * (size_t)g->h;
    for (size_t i = from; i < to; i++) {
        if (!isfinite(s->x[i]) || !isfinite(s->y[i]) || !isfinite(s->w[i])) {
            ++*nonfinite;
            continue;
        }
        uint32_t idx;
        if (!view_bin(v, s->x[i], s->y[i], &idx))
            continue;
        int c = 0; /* a bad code counts where it is drawn, as agg_cpu_run counts it */
        if (g->kind == AGG_CATEGORIES && (c = agg_category_of(s->w[i], g->ncat)) < 0) {
            ++*bad;
            continue;
        }
        ++*drawn;
        if (g->kind == AGG_CATEGORIES) {
            g->cat[(size_t)c * px + idx]++;
            g->count[idx]++;
        } else {
            agg_grid_add(g, idx, s->w[i]);
        }
    }
}

static agg_fixed fixed_of_samples(const sample_set *s)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < s->n; i++)
        if (isfinite(s->w[i])) {
            lo = fmin(lo, s->w[i]);
            hi = fmax(hi, s->w[i]);
        }
    return agg_fixed_for_range(lo, hi);
}

static agg_grid *new_grid(agg_kind kind, const view *v, int ncat, const agg_fixed *fx)
{
    agg_grid *g;
    vp_err err;
    if (!agg_grid_create(kind, v->w, v->h, ncat, fx, &g, &err))
        fail_msg("%s", err.msg);
    return g;
}

/* Every array bit-equal; names the first pixel that differs. */
static void assert_grids_equal(const agg_grid *a, const agg_grid *b)
{
    assert_int_equal(a->kind, b->kind);
    size_t px = (size_t)a->w * (size_t)a->h;
    const struct {
        const char *name;
        const void *pa, *pb;
        size_t elem;
        size_t count;
    } arrays[] = {
        {"count", a->count, b->count, sizeof *a->count, px},
        {"s1", a->s1, b->s1, sizeof *a->s1, px},
        {"s2", a->s2, b->s2, sizeof *a->s2, px},
        {"lo", a->lo, b->lo, sizeof *a->lo, px},
        {"hi", a->hi, b->hi, sizeof *a->hi, px},
        {"cat", a->cat, b->cat, sizeof *a->cat, px * (size_t)a->ncat},
    };
    for (size_t k = 0; k < sizeof arrays / sizeof arrays[0]; k++) {
        if (!arrays[k].pa || !arrays[k].pb) {
            assert_true(arrays[k].pa == arrays[k].pb);
            continue;
        }
        const unsigned char *pa = arrays[k].pa, *pb = arrays[k].pb;
        for (size_t i = 0; i < arrays[k].count; i++)
            if (memcmp(pa + i * arrays[k].elem, pb + i * arrays[k].elem, arrays[k].elem) != 0) {
                size_t p = i % px;
                fail_msg("%s grid: %s differs at element %zu (pixel %zu, count %llu vs %llu)",
                         agg_kind_name(a->kind), arrays[k].name, i, p,
                         (unsigned long long)a->count[p], (unsigned long long)b->count[p]);
            }
    }
}

/* x, y spread a little wider than [0, 1] (some outside), with the right
 * fifth of the view empty; non-finite samples in x, y and w. */
static void fill_positions(sample_set *s, uint64_t *rs)
{
    for (size_t i = 0; i < s->n; i++) {
        s->x[i] = tu_rand_unit(rs) * 0.9 - 0.1;
        s->y[i] = tu_rand_unit(rs) * 1.2 - 0.1;
        if (i % 97 == 5)
            s->x[i] = NAN;
        if (i % 89 == 7)
            s->y[i] = -INFINITY;
    }
}

/* w for a kind: far from zero for the sums, -0/+0 and near ties for min/max,
 * codes and bad codes for categories; NaN and inf now and then. */
static void fill_w(sample_set *s, agg_kind kind, int ncat, uint64_t *rs)
{
    static const double specials[] = {-0.0, 0.0, 1.0, -1.0, 0x1p-1074, -0x1p-1074, 1e300, -1e300,
                                      1.0 + 0x1p-40, 1.0 + 0x1p-52, 1.0 - 0x1p-53};
    static const double bad_codes[] = {-1.0, 2.5, 1e10, -0.5, 0.999999, 1e300, -1e300};
    for (size_t i = 0; i < s->n; i++) {
        double u = tu_rand_unit(rs);
        double w;
        if (kind == AGG_CATEGORIES) {
            w = (double)(int)(u * ncat);
            if (i % 13 == 4)
                w = bad_codes[i % (sizeof bad_codes / sizeof bad_codes[0])];
            else if (i % 13 == 9)
                w = (double)ncat; /* one past the last code */
            else if (i % 29 == 1)
                w = -0.0; /* the integer 0 */
        } else if (kind == AGG_MIN || kind == AGG_MAX) {
            /* mostly values whose high words tie, with low words apart */
            w = i % 7 == 0 ? specials[i % (sizeof specials / sizeof specials[0])]
                           : 3.0 + (double)(tu_rand(rs) & 0xfffff) * 0x1p-50;
            if (i % 11 == 3)
                w = -w;
        } else {
            w = 1e6 + (u - 0.5) * 1e-3;
            if (i % 31 == 2)
                w = 1e6 + (double)(int)(u * 100); /* exact integers among them */
        }
        if (i % 53 == 3)
            w = NAN;
        if (i % 211 == 17)
            w = i % 2 ? INFINITY : -INFINITY;
        s->w[i] = w;
    }
}

typedef struct gpu_result {
    accum_stats st;
    agg_stats ast;
    double seconds;
} gpu_result;

static double clock_s(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double now_s(void)
{
    return clock_s(CLOCK_MONOTONIC);
}

/* CPU time of every thread of the process (llvmpipe's too): less at the
 * mercy of other work on the machine than the wall clock */
static double cpu_s(void)
{
    return clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

static void run_gpu(const view *v, const accum_params *ap, int max_side, const sample_set *s,
                    size_t from, size_t to, agg_grid *g, gpu_result *r)
{
    vp_err err;
    double t0 = now_s();
    if (!agg_gpu_bin_arrays(v, ap, max_side, s->x + from, s->y + from, s->w + from, to - from, g, &r->st,
                            &r->ast, &err))
        fail_msg("GPU %s: %s", agg_kind_name(g->kind), err.msg);
    r->seconds = now_s() - t0;
    assert_true(gl_check("after the GPU aggregation", &err));
}

/* One kind on one data set: the GPU grid equals the reference. */
static void check_kind_sized(agg_kind kind, const sample_set *s, const view *v, int ncat,
                             const accum_params *ap, uint64_t min_flushes, int max_side)
{
    agg_fixed fx = fixed_of_samples(s);
    agg_grid *ref = new_grid(kind, v, ncat, &fx), *got = new_grid(kind, v, ncat, &fx);
    uint64_t nonfinite = 0, bad = 0, drawn = 0;
    reference(s, 0, s->n, v, ref, &nonfinite, &bad, &drawn);
    gpu_result r;
    run_gpu(v, ap, max_side, s, 0, s->n, got, &r);
    assert_grids_equal(got, ref);
    assert_int_equal(r.st.records, s->n);
    assert_int_equal(r.st.nonfinite, nonfinite);
    assert_int_equal(r.st.drawn, drawn);
    assert_int_equal(r.ast.bad_category, bad);
    assert_true(r.st.gpu);
    assert_true(r.st.flushes >= min_flushes);
    if (kind == AGG_CATEGORIES && drawn > s->n / 4)
        assert_true(bad > 0);
    agg_grid_destroy(ref);
    agg_grid_destroy(got);
}

static void check_kind(agg_kind kind, const sample_set *s, const view *v, int ncat,
                       const accum_params *ap, uint64_t min_flushes)
{
    check_kind_sized(kind, s, v, ncat, ap, min_flushes, 0);
}

static void random_kinds(size_t n, int w, int h, const accum_params *ap, uint64_t min_flushes)
{
    const int ncat = 5;
    view v;
    view_init(&v, 0, 1, 0, 1, w, h);
    for (size_t k = 0; k < sizeof every_kind / sizeof every_kind[0]; k++) {
        uint64_t rs = 1000 + k;
        sample_set s;
        set_alloc(&s, n);
        fill_positions(&s, &rs);
        fill_w(&s, every_kind[k], ncat, &rs);
        check_kind(every_kind[k], &s, &v, ncat, ap, min_flushes);
        set_free(&s);
    }
}

static void test_every_kind_random(void **state)
{
    (void)state;
    /* several slots, the last one partly filled */
    accum_params ap = {.gpu_slot_points = 32768, .gpu_slots = 3};
    random_kinds(200003, 37, 23, &ap, 1);
}

static void test_every_kind_folding(void **state)
{
    (void)state;
    /* a fold before every slot */
    accum_params ap = {.gpu_slot_points = 32768, .gpu_slots = 2, .flush_every = 40000};
    random_kinds(150001, 19, 31, &ap, 150001 / 32768);
}

/* The planes of a pixel in rows and layers (what large views get), with the
 * image size limit lowered: 40x30 pixels in images of at most 100 (or 60,
 * 40) texels a side. */
static void test_planes_in_rows_and_layers(void **state)
{
    (void)state;
    const int ncat = 7;
    accum_params ap = {.gpu_slot_points = 32768, .flush_every = 70000};
    view v;
    view_init(&v, 0, 1, 0, 1, 40, 30);
    static const int sides[] = {100, 60, 40};
    for (size_t k = 0; k < sizeof every_kind / sizeof every_kind[0]; k++)
        for (size_t j = 0; j < 3; j++) {
            uint64_t rs = 300 + k * 3 + j;
            sample_set s;
            set_alloc(&s, 100000);
            fill_positions(&s, &rs);
            fill_w(&s, every_kind[k], ncat, &rs);
            check_kind_sized(every_kind[k], &s, &v, ncat, &ap, 2, sides[j]);
            set_free(&s);
        }
    /* a view that fits no layout: refused, saying what it needed */
    agg_grid *g = new_grid(AGG_STD, &v, 0, NULL);
    double x = 0.5, y = 0.5, w = 0;
    accum_stats st;
    agg_stats ast;
    vp_err err;
    assert_false(agg_gpu_bin_arrays(&v, NULL, 39, &x, &y, &w, 1, g, &st, &ast, &err));
    assert_true(st.gpu_refused);
    assert_msg_has(err, "needs 8 r32ui words for each of 40x30 pixels");
    agg_grid_destroy(g);
}

static void test_reversed_view_and_empty_grid(void **state)
{
    (void)state;
    /* reversed limits; and no sample at all inside the view */
    accum_params ap = {.gpu_slot_points = 32768};
    view v;
    view_init(&v, 1, 0, 1, 0, 64, 3);
    for (size_t k = 0; k < sizeof every_kind / sizeof every_kind[0]; k++) {
        uint64_t rs = 77 + k;
        sample_set s;
        set_alloc(&s, 40000);
        fill_positions(&s, &rs);
        fill_w(&s, every_kind[k], 3, &rs);
        check_kind(every_kind[k], &s, &v, 3, &ap, 1);
        for (size_t i = 0; i < s.n; i++)
            s.x[i] += 5; /* all outside */
        check_kind(every_kind[k], &s, &v, 3, &ap, 1);
        set_free(&s);
    }
}

/* A carry into a limb whose addend is all ones: d = 57942276633 has
 * d^2 = 0xb5'ffffffff'fd94d671, so the second word of d^2 is 0xffffffff and
 * the first wraps the limb on most adds: addend + carry in wraps itself and
 * must carry on. */
static void test_carry_through_an_all_ones_word(void **state)
{
    (void)state;
    const int64_t d = INT64_C(57942276633);
    sample_set s;
    set_alloc(&s, 4096);
    for (size_t i = 0; i < s.n; i++) {
        s.x[i] = 0.5;
        s.y[i] = 0.5;
        s.w[i] = (double)(i % 2 ? d : -d) * 0x1p-39; /* exact: d(w) = +-d below */
    }
    s.w[0] = -1.0; /* the range: [-1, 1], so the quantum is 2^-39 */
    s.w[1] = 1.0;
    agg_fixed fx = fixed_of_samples(&s);
    assert_true(fx.center == 0 && fx.quantum == 0x1p-39);
    assert_true(agg_fixed_of(&fx, s.w[3]) == d);
    view v;
    view_init(&v, 0, 1, 0, 1, 1, 1);
    check_kind(AGG_STD, &s, &v, 0, NULL, 1);
    set_free(&s);
}

/* -0 < +0 for min and max: pixels of zeros of both signs, in every order. */
static void test_signed_zeros(void **state)
{
    (void)state;
    /* per pixel (x = 0.1, 0.3, 0.5, 0.7, 0.9) the values it gets, in turn */
    static const double vals[5][4] = {{0.0, -0.0, 0.0, 0.0},
                                      {-0.0, -0.0, -0.0, -0.0},
                                      {0.0, 0.0, 0.0, 0.0},
                                      {0.0, -0.0, 0x1p-1074, -0x1p-1074},
                                      {-0.0, 0.0, -0.0, -0.0}};
    sample_set s;
    set_alloc(&s, 50000);
    uint64_t rs = 3;
    for (size_t i = 0; i < s.n; i++) {
        int p = (int)(tu_rand(&rs) % 5);
        s.x[i] = 0.1 + 0.2 * p;
        s.y[i] = 0.5;
        s.w[i] = vals[p][tu_rand(&rs) % 4];
    }
    view v;
    view_init(&v, 0, 1, 0, 1, 5, 1);
    check_kind(AGG_MIN, &s, &v, 0, NULL, 1);
    check_kind(AGG_MAX, &s, &v, 0, NULL, 1);
    /* and the reference says what it should */
    agg_grid *g = new_grid(AGG_MIN, &v, 0, NULL);
    accum_stats st;
    agg_stats ast;
    vp_err err;
    assert_true(agg_gpu_bin_arrays(&v, NULL, 0, s.x, s.y, s.w, s.n, g, &st, &ast, &err));
    assert_true(g->lo[0] == 0 && signbit(g->lo[0]));
    assert_true(g->lo[2] == 0 && !signbit(g->lo[2]));
    assert_true(g->lo[3] == -0x1p-1074);
    agg_grid_destroy(g);
    g = new_grid(AGG_MAX, &v, 0, NULL);
    assert_true(agg_gpu_bin_arrays(&v, NULL, 0, s.x, s.y, s.w, s.n, g, &st, &ast, &err));
    assert_true(g->hi[0] == 0 && !signbit(g->hi[0]));
    assert_true(g->hi[1] == 0 && signbit(g->hi[1]));
    assert_true(g->hi[4] == 0 && !signbit(g->hi[4]));
    agg_grid_destroy(g);
    set_free(&s);
}

/* A category plane that would pass 2^32 - 1 in the grid fails the fold, as
 * agg_grid_merge does. */
static void test_category_overflow(void **state)
{
    (void)state;
    view v;
    view_init(&v, 0, 1, 0, 1, 2, 2);
    agg_grid *g = new_grid(AGG_CATEGORIES, &v, 3, NULL);
    g->cat[1 * 4 + 0] = UINT32_MAX - 3; /* category 1, pixel 0 */
    g->count[0] = UINT32_MAX - 3;
    double x[10], y[10], w[10];
    for (int i = 0; i < 10; i++) {
        x[i] = 0.25;
        y[i] = 0.25;
        w[i] = 1;
    }
    accum_stats st;
    agg_stats ast;
    vp_err err;
    assert_true(agg_gpu_bin_arrays(&v, NULL, 0, x, y, w, 3, g, &st, &ast, &err));
    assert_int_equal(g->cat[4], UINT32_MAX);
    assert_false(agg_gpu_bin_arrays(&v, NULL, 0, x, y, w, 1, g, &st, &ast, &err));
    assert_msg_has(err, "more than 4294967295 samples of category 1 in one pixel");
    agg_grid_destroy(g);
}

/* More than 2^24 samples in one pixel: the limbs' carries reach the top
 * limbs (the high word of U wraps after about 2^23 samples, the d^2 words
 * after about 2^16), and a category plane passes 2^24. */
static void test_one_pixel_past_2_24(void **state)
{
    (void)state;
    const size_t n = (1u << 24) + 4097;
    sample_set s;
    set_alloc(&s, n);
    uint64_t rs = 99;
    view v;
    view_init(&v, 0, 1, 0, 1, 1, 1);
    for (size_t i = 0; i < n; i++) {
        s.x[i] = tu_rand_unit(&rs);
        s.y[i] = tu_rand_unit(&rs);
    }
    static const agg_kind kinds[] = {AGG_COUNT, AGG_VAR, AGG_MIN, AGG_MAX, AGG_CATEGORIES};
    accum_params ap = {0};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        agg_kind kind = kinds[k];
        for (size_t i = 0; i < n; i++) {
            double u = tu_rand_unit(&rs);
            if (kind == AGG_CATEGORIES)
                s.w[i] = u < 0.9 ? 1.0 : u < 0.99 ? 0.0 : 2.0; /* 2: a bad code */
            else if (kind == AGG_VAR)
                s.w[i] = -5e6 + u * 1e7; /* d near +-2^40 */
            else
                s.w[i] = 1e6 + u;
        }
        if (kind == AGG_VAR) {
            s.w[0] = -5e6; /* the range's ends: d = -2^40 ... */
            s.w[1] = 5e6;
        }
        if (kind == AGG_MIN || kind == AGG_MAX) {
            s.w[n / 2] = kind == AGG_MIN ? 1e6 - 0x1p-20 : 1e6 + 1.0;
        }
        double t0 = now_s();
        check_kind(kind, &s, &v, 2, &ap, 1);
        print_message("one pixel, %zu samples, %s: %.2f s\n", n, agg_kind_name(kind), now_s() - t0);
    }
    set_free(&s);
}

/* A grid already holding samples: a second run adds into it (min and max
 * are seeded from it), equal to one reference run over both halves. */
static void test_adds_into_grid(void **state)
{
    (void)state;
    const int ncat = 4;
    view v;
    view_init(&v, 0, 1, 0, 1, 13, 11);
    accum_params ap = {.gpu_slot_points = 32768, .flush_every = 50000};
    for (size_t k = 0; k < sizeof every_kind / sizeof every_kind[0]; k++) {
        agg_kind kind = every_kind[k];
        uint64_t rs = 500 + k;
        sample_set s;
        set_alloc(&s, 120000);
        fill_positions(&s, &rs);
        fill_w(&s, kind, ncat, &rs);
        agg_fixed fx = fixed_of_samples(&s);
        agg_grid *ref = new_grid(kind, &v, ncat, &fx), *got = new_grid(kind, &v, ncat, &fx);
        uint64_t nonfinite = 0, bad = 0, drawn = 0;
        reference(&s, 0, s.n, &v, ref, &nonfinite, &bad, &drawn);
        gpu_result a, b;
        run_gpu(&v, &ap, 0, &s, 0, 70000, got, &a);
        run_gpu(&v, &ap, 0, &s, 70000, s.n, got, &b);
        assert_grids_equal(got, ref);
        assert_int_equal(a.st.drawn + b.st.drawn, drawn);
        assert_int_equal(a.ast.bad_category + b.ast.bad_category, bad);
        assert_int_equal(a.st.nonfinite + b.st.nonfinite, nonfinite);
        agg_grid_destroy(ref);
        agg_grid_destroy(got);
        set_free(&s);
    }
}

/* Writes the samples as f64 (x, y, w) records and opens them as a dataset. */
static dataset *dataset_of(const sample_set *s, const char *name)
{
    double *rec = malloc(3 * s->n * sizeof *rec);
    assert_non_null(rec);
    for (size_t i = 0; i < s->n; i++) {
        rec[3 * i] = s->x[i];
        rec[3 * i + 1] = s->y[i];
        rec[3 * i + 2] = s->w[i];
    }
    const char *path = tu_path(dir, name);
    tu_write_file(path, rec, 3 * s->n * sizeof *rec);
    free(rec);
    source_params sp = {.dtype = VP_F64, .columns = 3, .ycol = 1, .has_w = true, .wcol = 2};
    dataset *ds;
    vp_err err;
    const char *paths[1] = {path};
    if (!dataset_create_files(paths, 1, &sp, &ds, &err))
        fail_msg("%s", err.msg);
    return ds;
}

/* Through a real file and the real decoder (x, y, w as f64 records), with
 * 1 and 3 loader threads: equal to the reference over the same samples, and
 * to the CPU engine (agg_cpu_run) in every array and statistic. */
static void test_dataset_every_kind(void **state)
{
    (void)state;
    const int ncat = 6;
    view v;
    view_init(&v, 0, 1, 0, 1, 29, 17);
    for (size_t k = 0; k < sizeof every_kind / sizeof every_kind[0]; k++) {
        agg_kind kind = every_kind[k];
        uint64_t rs = 900 + k;
        sample_set s;
        set_alloc(&s, 3 * DATASET_CHUNK_RECORDS + 1234);
        fill_positions(&s, &rs);
        fill_w(&s, kind, ncat, &rs);
        dataset *ds = dataset_of(&s, "xyw.f64");
        vp_err err;
        assert_true(dataset_has_w(ds));
        agg_fixed fx = fixed_of_samples(&s);
        agg_grid *ref = new_grid(kind, &v, ncat, &fx), *cpu = new_grid(kind, &v, ncat, &fx);
        uint64_t nonfinite = 0, bad = 0, drawn = 0;
        reference(&s, 0, s.n, &v, ref, &nonfinite, &bad, &drawn);
        accum_stats cst;
        agg_stats cast;
        accum_params cp = {.threads = 2};
        if (!agg_cpu_run(ds, &v, &cp, cpu, &cst, &cast, &err))
            fail_msg("CPU %s: %s", agg_kind_name(kind), err.msg);
        assert_grids_equal(cpu, ref);
        assert_int_equal(cst.drawn, drawn);
        assert_int_equal(cast.bad_category, bad);
        for (int threads = 1; threads <= 3; threads += 2) {
            agg_grid *got = new_grid(kind, &v, ncat, &fx);
            accum_params ap = {.threads = threads, .gpu_slot_points = 32768, .gpu_slots = 2};
            accum_stats st;
            agg_stats ast;
            if (!agg_gpu_run(ds, &v, &ap, got, &st, &ast, &err))
                fail_msg("GPU %s, %d threads: %s", agg_kind_name(kind), threads, err.msg);
            assert_grids_equal(got, ref);
            assert_grids_equal(got, cpu);
            assert_int_equal(st.records, s.n);
            assert_int_equal(st.records, cst.records);
            assert_int_equal(st.nonfinite, nonfinite);
            assert_int_equal(st.nonfinite, cst.nonfinite);
            assert_int_equal(st.drawn, drawn);
            assert_int_equal(ast.bad_category, bad);
            assert_int_equal(ast.bad_category, cast.bad_category);
            assert_true(st.gpu);
            agg_grid_destroy(got);
        }
        agg_grid_destroy(cpu);
        agg_grid_destroy(ref);
        dataset_destroy(ds);
        set_free(&s);
    }
}

/* A dataset without w is refused, by name. */
static void test_dataset_without_w(void **state)
{
    (void)state;
    double xy[4] = {0.1, 0.2, 0.3, 0.4};
    const char *path = tu_path(dir, "xy.f64");
    tu_write_file(path, xy, sizeof xy);
    source_params sp = {.dtype = VP_F64, .ycol = -1};
    dataset *ds;
    vp_err err;
    const char *paths[1] = {path};
    if (!dataset_create_files(paths, 1, &sp, &ds, &err))
        fail_msg("%s", err.msg);
    view v;
    view_init(&v, 0, 1, 0, 1, 2, 2);
    agg_grid *g = new_grid(AGG_MEAN, &v, 0, NULL);
    accum_stats st;
    agg_stats ast;
    assert_false(agg_gpu_run(ds, &v, NULL, g, &st, &ast, &err));
    assert_msg_has(err, "the mean aggregation needs a w column");
    agg_grid_destroy(g);
    dataset_destroy(ds);
}

/* A w outside the range the fixed point was made for fails the run, named. */
static void test_w_outside_the_fixed_point(void **state)
{
    (void)state;
    view v;
    view_init(&v, 0, 1, 0, 1, 4, 4);
    agg_fixed fx = agg_fixed_for_range(0, 1);
    agg_grid *g = new_grid(AGG_SUM, &v, 0, &fx);
    double x[3] = {0.5, 0.5, 0.5}, y[3] = {0.5, 0.5, 0.5}, w[3] = {0.25, 7.5, 1e300};
    accum_stats st;
    agg_stats ast;
    vp_err err;
    assert_false(agg_gpu_bin_arrays(&v, NULL, 0, x, y, w, 3, g, &st, &ast, &err));
    assert_msg_has(err, "w = 7.5 lies outside the range");
    w[1] = 0.75;
    assert_false(agg_gpu_bin_arrays(&v, NULL, 0, x, y, w, 3, g, &st, &ast, &err));
    assert_msg_has(err, "w = 1.0000000000000001e+300 lies outside");
    agg_grid_destroy(g);
}

/* 10^7 samples of each kind from a file on a 1920x1080 view (another size
 * with VP_AGG_TIMINGS_SIZE=WxH): agg_gpu_run's time against agg_cpu_run's,
 * both with the default threads, wall and CPU time (printed, not checked;
 * the grids must be equal). */
static void test_timings(void **state)
{
    (void)state;
    if (!getenv("VP_AGG_TIMINGS")) {
        print_message("timings skipped (VP_AGG_TIMINGS=1 runs them)\n");
        return;
    }
    const size_t n = 10000000;
    view v;
    const char *sz = getenv("VP_AGG_TIMINGS_SIZE");
    int tw = 1920, th = 1080;
    if (sz && sscanf(sz, "%dx%d", &tw, &th) != 2)
        tw = 1920, th = 1080;
    view_init(&v, 0, 1, 0, 1, tw, th);
    for (size_t k = 0; k < sizeof every_kind / sizeof every_kind[0]; k++) {
        agg_kind kind = every_kind[k];
        uint64_t rs = 7 + k;
        sample_set s;
        set_alloc(&s, n);
        for (size_t i = 0; i < n; i++) {
            s.x[i] = tu_rand_unit(&rs);
            s.y[i] = tu_rand_unit(&rs);
        }
        fill_w(&s, kind, 8, &rs);
        dataset *ds = dataset_of(&s, "timing.f64");
        agg_fixed fx = fixed_of_samples(&s);
        set_free(&s);
        agg_grid *cpu = new_grid(kind, &v, 8, &fx), *gpu = new_grid(kind, &v, 8, &fx);
        accum_stats st;
        agg_stats ast;
        vp_err err;
        double t0 = now_s(), c0 = cpu_s();
        if (!agg_cpu_run(ds, &v, NULL, cpu, &st, &ast, &err))
            fail_msg("%s", err.msg);
        double tc = now_s() - t0, cc = cpu_s() - c0;
        t0 = now_s();
        c0 = cpu_s();
        if (!agg_gpu_run(ds, &v, NULL, gpu, &st, &ast, &err))
            fail_msg("%s", err.msg);
        double tg = now_s() - t0, cg = cpu_s() - c0;
        assert_grids_equal(gpu, cpu);
        print_message("%-10s 10^7 samples, %dx%d: agg_gpu_run %.2f s (CPU time %.2f s), "
                      "agg_cpu_run %.2f s (%.2f s)\n",
                      agg_kind_name(kind), tw, th, tg, cg, tc, cc);
        agg_grid_destroy(cpu);
        agg_grid_destroy(gpu);
        dataset_destroy(ds);
    }
}

int main(void)
{
    if (!(gl = tu_gl_context()))
        return 77;
    dir = tu_tmpdir("test_agg_gpu");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_kind_random),
        cmocka_unit_test(test_every_kind_folding),
        cmocka_unit_test(test_reversed_view_and_empty_grid),
        cmocka_unit_test(test_planes_in_rows_and_layers),
        cmocka_unit_test(test_adds_into_grid),
        cmocka_unit_test(test_dataset_every_kind),
        cmocka_unit_test(test_dataset_without_w),
        cmocka_unit_test(test_w_outside_the_fixed_point),
        cmocka_unit_test(test_signed_zeros),
        cmocka_unit_test(test_category_overflow),
        cmocka_unit_test(test_carry_through_an_all_ones_word),
        cmocka_unit_test(test_one_pixel_past_2_24),
        cmocka_unit_test(test_timings),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    glctx_destroy(gl);
    return rc;
}
