/* Columns in the caller's memory (dataset_create_arrays in src/load/dataset.h),
 * against what the test itself wrote:
 * - every dtype, contiguous, as columns of an interleaved (unaligned) record
 *   array, with a negative stride, x as the sample index (x NULL), a
 *   broadcast x (stride 0), x and y of different dtypes; NaN/inf in runs
 *   across chunk boundaries, at a chunk's first and last sample and the
 *   data's, a partial chunk that ends non-finite: chunk by chunk, the
 *   points, records, non-finite counts and breaks equal the ones worked out
 *   here, decoded in any order;
 * - the same samples as a raw binary file read with dataset_create_files:
 *   the same chunks, points and breaks, and accum_cpu_run's grid equal;
 * - the bounds scan over arrays (its result and the chunk boxes it leaves);
 * - refusals with their messages, an empty dataset, what the dataset says
 *   of itself (no file, no w, no boxes, no time x);
 * - the decode speed of contiguous f32 and f64 pairs, printed. */
#include <inttypes.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "accum/accum.h"
#include "accum/scan.h"
#include "load/dataset.h"
#include "load/follow.h"
#include "testutil.h"

#define C DATASET_CHUNK_RECORDS
/* several chunks, the last one partial */
#define N ((size_t)3 * C + 1234)

static const char *g_dir;

/* ---- test data ---------------------------------------------------------------- */

/* Sample j of dtype t from the random bits r: its bytes (native order) at
 * out and the double it must decode to (f32 widened exactly, integers as
 * (double) does). */
static double make_value(vp_dtype t, uint64_t r, uint8_t *out)
{
    double u = (double)(r >> 11) * 0x1p-53;
    switch (t) {
    case VP_F32: {
        float f = (float)(u * 2000.0 - 1000.0) * 1.1f; /* most are not exact in fewer bits */
        memcpy(out, &f, 4);
        return (double)f;
    }
    case VP_F64: {
        double d = u * 3e6 - 1.5e6 + 1e-7;
        memcpy(out, &d, 8);
        return d;
    }
    case VP_I8: { int8_t v = (int8_t)r; memcpy(out, &v, 1); return (double)v; }
    case VP_I16: { int16_t v = (int16_t)r; memcpy(out, &v, 2); return (double)v; }
    case VP_I32: { int32_t v = (int32_t)r; memcpy(out, &v, 4); return (double)v; }
    case VP_I64: { int64_t v = (int64_t)r; memcpy(out, &v, 8); return (double)v; } /* past 2^53 too */
    case VP_U8: { uint8_t v = (uint8_t)r; memcpy(out, &v, 1); return (double)v; }
    case VP_U16: { uint16_t v = (uint16_t)r; memcpy(out, &v, 2); return (double)v; }
    case VP_U32: { uint32_t v = (uint32_t)r; memcpy(out, &v, 4); return (double)v; }
    case VP_U64: { uint64_t v = r; memcpy(out, &v, 8); return (double)v; } /* past 2^63 too */
    default: fail_msg("dtype %d", (int)t); return 0;
    }
}

/* A non-finite value of a float dtype: bytes and the double. */
static double make_bad(vp_dtype t, int kind, uint8_t *out)
{
    double d = kind == 0 ? NAN : kind == 1 ? INFINITY : -INFINITY;
    if (t == VP_F32) {
        float f = (float)d;
        memcpy(out, &f, 4);
    } else {
        memcpy(out, &d, 8);
    }
    return d;
}

/* Where x or y (or both) is non-finite, for the float dtypes: runs across
 * chunk boundaries, a chunk's first and last samples, the data's first, a run
 * of two by different columns, and the partial last chunk's tail to the end. */
typedef struct bad_at { size_t j; int col; /* 0 x, 1 y, 2 both */ int kind; } bad_at;
static const bad_at g_bad[] = {
    {0, 1, 0},
    {C - 3, 0, 0}, {C - 2, 0, 1}, {C - 1, 2, 2}, {C, 0, 0}, {C + 1, 1, 0},
    {2 * C - 1, 1, 1},
    {2 * C, 0, 2},
    {2 * C + 10, 0, 0}, {2 * C + 11, 1, 0},
    {2 * C + 20, 2, 0},
    {2 * C + 500, 1, 1},
};
#define TAIL_BAD (3 * C + 100) /* from here to the end: y NaN */

/* One column's samples: the bytes of each (vs apiece, packed) and doubles. */
typedef struct column {
    vp_dtype t;
    size_t vs;
    uint8_t *bytes; /* n * vs */
    double *d;      /* n */
} column;

static void column_make(column *c, vp_dtype t, size_t n, uint64_t seed, int which, bool with_bad)
{
    c->t = t;
    c->vs = vp_dtype_size(t);
    c->bytes = malloc(n * c->vs);
    c->d = malloc(n * sizeof *c->d);
    assert_non_null(c->bytes);
    assert_non_null(c->d);
    uint64_t st = seed;
    for (size_t j = 0; j < n; j++)
        c->d[j] = make_value(t, tu_rand(&st), c->bytes + j * c->vs);
    if (!with_bad || !vp_dtype_is_float(t))
        return;
    for (size_t b = 0; b < sizeof g_bad / sizeof g_bad[0]; b++)
        if (g_bad[b].j < n && (g_bad[b].col == which || g_bad[b].col == 2))
            c->d[g_bad[b].j] = make_bad(t, g_bad[b].kind, c->bytes + g_bad[b].j * c->vs);
    for (size_t j = TAIL_BAD; j < n && which == 1; j++)
        c->d[j] = make_bad(t, 0, c->bytes + j * c->vs);
}

static void column_free(column *c)
{
    free(c->bytes);
    free(c->d);
}

/* ---- what the chunks must be ------------------------------------------------ */

typedef struct chunk_out {
    double x[C], y[C];
    uint32_t brk[C + 1];
    size_t n, nbrk;
    uint64_t records, nonfinite;
} chunk_out;

/* Chunk k of the samples xd (NULL: the index), yd, worked out here: the
 * finite points in order, a break at the output position where each run of
 * non-finite samples (within the chunk) begins. */
static void want_chunk(const double *xd, const double *yd, size_t n, uint64_t k, chunk_out *o)
{
    memset(o, 0, sizeof *o);
    size_t j0 = (size_t)k * C, j1 = j0 + C < n ? j0 + C : n;
    bool prev_bad = false;
    for (size_t j = j0; j < j1; j++) {
        double xv = xd ? xd[j] : (double)j, yv = yd[j];
        o->records++;
        if (!isfinite(xv) || !isfinite(yv)) {
            o->nonfinite++;
            if (!prev_bad)
                o->brk[o->nbrk++] = (uint32_t)o->n;
            prev_bad = true;
            continue;
        }
        prev_bad = false;
        o->x[o->n] = xv;
        o->y[o->n] = yv;
        o->n++;
    }
}

static void got_chunk(dataset_reader *r, uint64_t k, bool breaks, chunk_out *o)
{
    vp_err err;
    memset(o, 0, sizeof *o);
    bool ok = breaks ? dataset_decode_breaks(r, k, o->x, o->y, NULL, &o->n, o->brk, &o->nbrk,
                                             &o->records, &o->nonfinite, &err)
                     : dataset_decode(r, k, o->x, o->y, NULL, &o->n, &o->records, &o->nonfinite, &err);
    if (!ok)
        fail_msg("decode chunk %" PRIu64 ": %s", k, err.msg);
}

static void assert_chunks_equal(const chunk_out *a, const chunk_out *b, bool breaks, const char *what,
                                uint64_t k)
{
    if (a->n != b->n || a->records != b->records || a->nonfinite != b->nonfinite)
        fail_msg("%s chunk %" PRIu64 ": n %zu/%zu records %" PRIu64 "/%" PRIu64 " nonfinite %" PRIu64
                 "/%" PRIu64, what, k, a->n, b->n, a->records, b->records, a->nonfinite, b->nonfinite);
    for (size_t j = 0; j < a->n; j++)
        if (a->x[j] != b->x[j] || a->y[j] != b->y[j])
            fail_msg("%s chunk %" PRIu64 " point %zu: (%.17g, %.17g) want (%.17g, %.17g)", what, k, j,
                     a->x[j], a->y[j], b->x[j], b->y[j]);
    if (!breaks)
        return;
    if (a->nbrk != b->nbrk)
        fail_msg("%s chunk %" PRIu64 ": %zu breaks, want %zu", what, k, a->nbrk, b->nbrk);
    for (size_t j = 0; j < a->nbrk; j++)
        if (a->brk[j] != b->brk[j])
            fail_msg("%s chunk %" PRIu64 " break %zu: at %u, want %u", what, k, j, a->brk[j], b->brk[j]);
}

/* Every chunk of ds against the samples, with and without breaks, in reverse
 * order through one reader and forwards through another. */
static void check_dataset(const dataset *ds, const double *xd, const double *yd, size_t n,
                          const char *what)
{
    assert_int_equal(dataset_records(ds), n);
    uint64_t nk = (n + C - 1) / C;
    assert_int_equal(dataset_chunks(ds), nk);
    static chunk_out want, got;
    dataset_reader *r1 = dataset_reader_create(ds), *r2 = dataset_reader_create(ds);
    assert_non_null(r1);
    assert_non_null(r2);
    for (uint64_t i = 0; i < nk; i++) {
        uint64_t k = nk - 1 - i;
        want_chunk(xd, yd, n, k, &want);
        assert_int_equal(dataset_chunk_records(ds, k), want.records);
        got_chunk(r1, k, true, &got);
        assert_chunks_equal(&got, &want, true, what, k);
        got_chunk(r2, i, false, &got);
        want_chunk(xd, yd, n, i, &want);
        assert_chunks_equal(&got, &want, false, what, i);
    }
    assert_int_equal(dataset_chunk_records(ds, nk), 0);
    dataset_reader_destroy(r1);
    dataset_reader_destroy(r2);
}

static dataset *make_arrays(const dataset_array *x, const dataset_array *y)
{
    dataset *ds = NULL;
    vp_err err;
    if (!dataset_create_arrays(x, y, &ds, &err))
        fail_msg("dataset_create_arrays: %s", err.msg);
    return ds;
}

/* ---- every dtype, every layout --------------------------------------------- */

static void test_layouts(void **state)
{
    (void)state;
    for (int t = 0; t < VP_DTYPE_COUNT; t++) {
        column cx, cy;
        column_make(&cx, (vp_dtype)t, N, 11 + (uint64_t)t, 0, true);
        column_make(&cy, (vp_dtype)t, N, 1000 + (uint64_t)t, 1, true);
        const size_t vs = cx.vs;
        char what[64];

        /* contiguous columns */
        dataset_array ax = {cx.bytes, (vp_dtype)t, (int64_t)vs, N}, ay = {cy.bytes, (vp_dtype)t, (int64_t)vs, N};
        dataset *ds = make_arrays(&ax, &ay);
        snprintf(what, sizeof what, "%s contiguous", vp_dtype_name((vp_dtype)t));
        check_dataset(ds, cx.d, cy.d, N, what);
        dataset_destroy(ds);

        /* columns of an interleaved record array, unaligned: 1 byte, x, 1
         * byte, y, 1 byte */
        size_t rs = 2 * vs + 3;
        uint8_t *rec = malloc(N * rs);
        assert_non_null(rec);
        for (size_t j = 0; j < N; j++) {
            uint8_t *p = rec + j * rs;
            p[0] = 0xa5;
            memcpy(p + 1, cx.bytes + j * vs, vs);
            p[1 + vs] = 0x5a;
            memcpy(p + 2 + vs, cy.bytes + j * vs, vs);
            p[rs - 1] = 0xff;
        }
        ax = (dataset_array){rec + 1, (vp_dtype)t, (int64_t)rs, N};
        ay = (dataset_array){rec + 2 + vs, (vp_dtype)t, (int64_t)rs, N};
        ds = make_arrays(&ax, &ay);
        snprintf(what, sizeof what, "%s interleaved", vp_dtype_name((vp_dtype)t));
        check_dataset(ds, cx.d, cy.d, N, what);
        dataset_destroy(ds);

        /* negative strides: the samples stored last to first, x contiguous
         * backwards, y a column of the record array backwards */
        uint8_t *rev = malloc(N * vs);
        uint8_t *rrec = malloc(N * rs);
        assert_non_null(rev);
        assert_non_null(rrec);
        for (size_t j = 0; j < N; j++) {
            memcpy(rev + (N - 1 - j) * vs, cx.bytes + j * vs, vs);
            memcpy(rrec + (N - 1 - j) * rs, rec + j * rs, rs);
        }
        ax = (dataset_array){rev + (N - 1) * vs, (vp_dtype)t, -(int64_t)vs, N};
        ay = (dataset_array){rrec + (N - 1) * rs + 2 + vs, (vp_dtype)t, -(int64_t)rs, N};
        ds = make_arrays(&ax, &ay);
        snprintf(what, sizeof what, "%s negative stride", vp_dtype_name((vp_dtype)t));
        check_dataset(ds, cx.d, cy.d, N, what);
        dataset_destroy(ds);

        /* x NULL: the index; y strided */
        ds = make_arrays(NULL, &(dataset_array){rec + 2 + vs, (vp_dtype)t, (int64_t)rs, N});
        snprintf(what, sizeof what, "%s x index", vp_dtype_name((vp_dtype)t));
        check_dataset(ds, NULL, cy.d, N, what);
        dataset_destroy(ds);

        /* a broadcast x: one value, stride 0 (its sample 5, finite) */
        double *bx = malloc(N * sizeof *bx);
        assert_non_null(bx);
        for (size_t j = 0; j < N; j++)
            bx[j] = cx.d[5];
        ax = (dataset_array){cx.bytes + 5 * vs, (vp_dtype)t, 0, N};
        ay = (dataset_array){cy.bytes, (vp_dtype)t, (int64_t)vs, N};
        ds = make_arrays(&ax, &ay);
        snprintf(what, sizeof what, "%s broadcast x", vp_dtype_name((vp_dtype)t));
        check_dataset(ds, bx, cy.d, N, what);
        dataset_destroy(ds);

        free(bx);
        free(rev);
        free(rrec);
        free(rec);
        column_free(&cx);
        column_free(&cy);
    }
}

/* x and y of different dtypes: an int64 x (past 2^53) with f32 y, a u8 x
 * with f64 y, and the other way round */
static void test_mixed_dtypes(void **state)
{
    (void)state;
    const vp_dtype pairs[][2] = {{VP_I64, VP_F32}, {VP_U8, VP_F64}, {VP_F32, VP_U16}, {VP_F64, VP_I32}};
    for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++) {
        column cx, cy;
        column_make(&cx, pairs[p][0], N, 77 + p, 0, true);
        column_make(&cy, pairs[p][1], N, 88 + p, 1, true);
        dataset_array ax = {cx.bytes, cx.t, (int64_t)cx.vs, N}, ay = {cy.bytes, cy.t, (int64_t)cy.vs, N};
        dataset *ds = make_arrays(&ax, &ay);
        char what[64];
        snprintf(what, sizeof what, "x %s y %s", vp_dtype_name(cx.t), vp_dtype_name(cy.t));
        check_dataset(ds, cx.d, cy.d, N, what);
        dataset_destroy(ds);
        column_free(&cx);
        column_free(&cy);
    }
}

/* ---- against the same samples as a raw binary file ---------------------------- */

static void grid_of(const dataset *ds, const view *v, uint64_t *grid, accum_stats *st)
{
    vp_err err;
    memset(grid, 0, (size_t)v->w * v->h * sizeof *grid);
    accum_params ap = {.threads = 2};
    if (!accum_cpu_run(ds, v, &ap, grid, st, &err))
        fail_msg("accum_cpu_run: %s", err.msg);
}

static void scan_of(dataset *ds, scan_result *r)
{
    vp_err err;
    scan *sc;
    if (!scan_start(ds, 2, &sc, &err) || !scan_join(sc, r, &err))
        fail_msg("scan: %s", err.msg);
}

/* Compares arrays and file chunk by chunk, then their scans and grids. */
static void compare_with_file(dataset *da, dataset *df, const double *xd, const double *yd,
                              const char *what)
{
    assert_int_equal(dataset_chunks(da), dataset_chunks(df));
    static chunk_out a, f;
    dataset_reader *ra = dataset_reader_create(da), *rf = dataset_reader_create(df);
    for (uint64_t k = 0; k < dataset_chunks(df); k++) {
        got_chunk(ra, k, true, &a);
        got_chunk(rf, k, true, &f);
        assert_chunks_equal(&a, &f, true, what, k);
    }
    dataset_reader_destroy(ra);
    dataset_reader_destroy(rf);

    /* the scan: records, non-finite and bounds as worked out here */
    scan_result sa, sf;
    double chunk_box[4];
    assert_false(dataset_chunk_bbox(da, 0, chunk_box)); /* not known before the pass */
    scan_of(da, &sa);
    scan_of(df, &sf);
    uint64_t finite = 0;
    double b[4] = {INFINITY, -INFINITY, INFINITY, -INFINITY};
    for (size_t j = 0; j < N; j++) {
        double xv = xd ? xd[j] : (double)j;
        if (!isfinite(xv) || !isfinite(yd[j]))
            continue;
        finite++;
        b[0] = fmin(b[0], xv);
        b[1] = fmax(b[1], xv);
        b[2] = fmin(b[2], yd[j]);
        b[3] = fmax(b[3], yd[j]);
    }
    assert_int_equal(sa.records, N);
    assert_int_equal(sa.finite, finite);
    assert_int_equal(sa.nonfinite, N - finite);
    assert_true(sa.xmin == b[0] && sa.xmax == b[1] && sa.ymin == b[2] && sa.ymax == b[3]);
    assert_int_equal(sf.finite, sa.finite);
    assert_true(sf.xmin == sa.xmin && sf.xmax == sa.xmax && sf.ymin == sa.ymin && sf.ymax == sa.ymax);
    /* the pass left chunk boxes: chunk 1's holds its points */
    assert_true(dataset_chunk_bbox(da, 1, chunk_box));
    want_chunk(xd, yd, N, 1, &a);
    for (size_t j = 0; j < a.n; j++)
        assert_true(a.x[j] >= chunk_box[0] && a.x[j] <= chunk_box[1] && a.y[j] >= chunk_box[2] &&
                    a.y[j] <= chunk_box[3]);

    /* the grid over the bounds, and over a part of them */
    for (int part = 0; part < 2; part++) {
        double lim[4] = {sa.xmin, sa.xmax, sa.ymin, sa.ymax};
        if (part) {
            lim[1] = lim[0] + (lim[1] - lim[0]) * 0.37;
            lim[2] = lim[2] + (lim[3] - lim[2]) * 0.21;
        }
        view_widen_flat(lim);
        view v;
        view_init(&v, lim[0], lim[1], lim[2], lim[3], 97, 61);
        size_t cells = (size_t)v.w * v.h;
        uint64_t *ga = malloc(cells * sizeof *ga), *gf = malloc(cells * sizeof *gf);
        accum_stats st_a, st_f;
        grid_of(da, &v, ga, &st_a);
        grid_of(df, &v, gf, &st_f);
        assert_int_equal(st_a.records, N);
        assert_int_equal(st_a.nonfinite, N - finite);
        assert_int_equal(st_a.drawn, st_f.drawn);
        if (!part)
            assert_int_equal(st_a.drawn, finite);
        if (memcmp(ga, gf, cells * sizeof *ga) != 0)
            fail_msg("%s: the grids of arrays and file differ", what);
        free(ga);
        free(gf);
    }
}

static void test_same_as_file(void **state)
{
    (void)state;
    vp_err err;
    for (int t = 0; t < VP_DTYPE_COUNT; t++) {
        column cx, cy;
        column_make(&cx, (vp_dtype)t, N, 300 + (uint64_t)t, 0, true);
        column_make(&cy, (vp_dtype)t, N, 400 + (uint64_t)t, 1, true);
        const size_t vs = cx.vs;
        /* the raw file: x, y records */
        uint8_t *raw = malloc(N * 2 * vs);
        assert_non_null(raw);
        for (size_t j = 0; j < N; j++) {
            memcpy(raw + 2 * j * vs, cx.bytes + j * vs, vs);
            memcpy(raw + (2 * j + 1) * vs, cy.bytes + j * vs, vs);
        }
        char name[32];
        snprintf(name, sizeof name, "pairs_%s.bin", vp_dtype_name((vp_dtype)t));
        const char *path = tu_path(g_dir, name);
        tu_write_file(path, raw, N * 2 * vs);
        source_params sp = {.dtype = (vp_dtype)t, .endian = vp_host_endian(), .ycol = -1};
        dataset *df = NULL;
        if (!dataset_create_files(&path, 1, &sp, &df, &err))
            fail_msg("%s: %s", path, err.msg);

        /* the arrays: columns of that very record buffer */
        dataset_array ax = {raw, (vp_dtype)t, (int64_t)(2 * vs), N};
        dataset_array ay = {raw + vs, (vp_dtype)t, (int64_t)(2 * vs), N};
        dataset *da = make_arrays(&ax, &ay);
        char what[64];
        snprintf(what, sizeof what, "%s pairs vs file", vp_dtype_name((vp_dtype)t));
        compare_with_file(da, df, cx.d, cy.d, what);
        dataset_destroy(da);
        dataset_destroy(df);

        /* contiguous columns against the same file */
        ax = (dataset_array){cx.bytes, (vp_dtype)t, (int64_t)vs, N};
        ay = (dataset_array){cy.bytes, (vp_dtype)t, (int64_t)vs, N};
        da = make_arrays(&ax, &ay);
        if (!dataset_create_files(&path, 1, &sp, &df, &err))
            fail_msg("%s: %s", path, err.msg);
        snprintf(what, sizeof what, "%s columns vs file", vp_dtype_name((vp_dtype)t));
        compare_with_file(da, df, cx.d, cy.d, what);
        dataset_destroy(da);
        dataset_destroy(df);

        /* x NULL against a y-only file */
        snprintf(name, sizeof name, "y_%s.bin", vp_dtype_name((vp_dtype)t));
        path = tu_path(g_dir, name);
        tu_write_file(path, cy.bytes, N * vs);
        source_params sy = {.dtype = (vp_dtype)t, .endian = vp_host_endian(), .columns = 1, .ycol = -1,
                            .y_only = true};
        if (!dataset_create_files(&path, 1, &sy, &df, &err))
            fail_msg("%s: %s", path, err.msg);
        da = make_arrays(NULL, &ay);
        snprintf(what, sizeof what, "%s y only vs file", vp_dtype_name((vp_dtype)t));
        compare_with_file(da, df, NULL, cy.d, what);
        dataset_destroy(da);
        dataset_destroy(df);

        free(raw);
        column_free(&cx);
        column_free(&cy);
    }
}

/* ---- what the dataset says of itself, refusals ------------------------------ */

static void test_properties(void **state)
{
    (void)state;
    float xs[5] = {1, 2, 3, 4, 5}, ys[5] = {5, 4, 3, 2, 1};
    dataset_array ax = {xs, VP_F32, 4, 5}, ay = {ys, VP_F32, 4, 5};
    dataset *ds = make_arrays(&ax, &ay);
    assert_int_equal(dataset_inputs(ds), 1);
    assert_null(dataset_input(ds, 0));
    assert_string_equal(dataset_input_name(ds, 0), "arrays");
    assert_int_equal(dataset_records(ds), 5);
    assert_int_equal(dataset_chunks(ds), 1);
    assert_int_equal(dataset_chunk_records(ds, 0), 5);
    assert_int_equal(dataset_chunk_input(ds, 0), 0);
    assert_int_equal(dataset_input_first_chunk(ds, 0), 0);
    double b[4];
    assert_false(dataset_known_bounds(ds, b));
    assert_false(dataset_chunk_bbox(ds, 0, b));
    assert_false(dataset_has_w(ds));
    assert_false(dataset_is_follow(ds));
    assert_false(dataset_loading(ds));
    time_unit unit;
    int64_t origin;
    assert_false(dataset_x_time(ds, &unit, &origin));
    uint32_t pts;
    assert_false(dataset_chunk_points(ds, 0, &pts));
    text_stats ts;
    assert_false(dataset_text_stats(ds, 0, &ts));
    assert_int_equal(dataset_cache(ds, 0), DATASET_CACHE_NONE);
    const char *const *labels;
    assert_int_equal(dataset_labels(ds, &labels), 0);
    char w[64];
    assert_false(dataset_take_warning(ds, w, sizeof w));
    follow_event ev;
    vp_err err;
    assert_true(dataset_follow_poll(ds, &ev, &err));
    /* decoding with w is refused: the dataset has none */
    dataset_reader *r = dataset_reader_create(ds);
    static double x[C], y[C], wv[C];
    size_t n;
    uint64_t rec = 0, nf = 0;
    assert_false(dataset_decode(r, 0, x, y, wv, &n, &rec, &nf, &err));
    /* past the last chunk: nothing */
    assert_true(dataset_decode(r, 1, x, y, NULL, &n, &rec, &nf, &err));
    assert_int_equal(n, 0);
    assert_int_equal(rec, 0);
    dataset_reader_destroy(r);
    dataset_destroy(ds);

    /* empty: no records, no chunks; the scan finds nothing */
    ax.count = ay.count = 0;
    ax.data = ay.data = NULL;
    ds = make_arrays(&ax, &ay);
    assert_int_equal(dataset_records(ds), 0);
    assert_int_equal(dataset_chunks(ds), 0);
    scan_result sr;
    scan_of(ds, &sr);
    assert_int_equal(sr.records, 0);
    assert_int_equal(sr.finite, 0);
    dataset_destroy(ds);
}

static void test_refused(void **state)
{
    (void)state;
    double xs[6] = {0}, ys[6] = {0};
    static int not_null;
    dataset *ds = (dataset *)&not_null;
    vp_err err;
    dataset_array ax = {xs, VP_F64, 8, 5}, ay = {ys, VP_F64, 8, 6};
    assert_false(dataset_create_arrays(&ax, &ay, &ds, &err));
    assert_null(ds);
    assert_msg_has(err, "x has 5 values but y has 6");

    ax.count = 6;
    ax.data = NULL;
    ds = (dataset *)&not_null;
    assert_false(dataset_create_arrays(&ax, &ay, &ds, &err));
    assert_null(ds);
    assert_msg_has(err, "x has 6 values but no data");
    assert_false(dataset_create_arrays(NULL, &(dataset_array){NULL, VP_U8, 1, 3}, &ds, &err));
    assert_msg_has(err, "y has 3 values but no data");

    ax.data = xs;
    ay.dtype = VP_DTYPE_COUNT;
    assert_false(dataset_create_arrays(&ax, &ay, &ds, &err));
    assert_msg_has(err, "y has dtype");
    ay.dtype = (vp_dtype)-1;
    assert_false(dataset_create_arrays(&ax, &ay, &ds, &err));
    assert_msg_has(err, "y has dtype -1");
    ay.dtype = VP_F64;
    ax.dtype = (vp_dtype)42;
    assert_false(dataset_create_arrays(&ax, &ay, &ds, &err));
    assert_msg_has(err, "x has dtype 42");

    assert_false(dataset_create_arrays(NULL, NULL, &ds, &err));
    assert_msg_has(err, "no y array");

    /* a broadcast y with a NULL-free x is fine, and so is count 1 */
    ax.dtype = VP_F64;
    ay.stride = 0;
    ds = make_arrays(&ax, &ay);
    dataset_destroy(ds);
}

/* ---- decode speed (printed, not asserted) ------------------------------------ */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* n samples of dtype dt (f32, f64) as x, y columns: contiguous, or (inter)
 * the columns of one x, y record array */
static void time_decode(vp_dtype dt, bool inter, size_t n)
{
    size_t vs = vp_dtype_size(dt);
    uint8_t *buf = malloc(2 * n * vs);
    assert_non_null(buf);
    uint8_t *bx = buf, *by = inter ? buf + vs : buf + n * vs;
    size_t s = inter ? 2 * vs : vs;
    for (size_t j = 0; j < n; j++) {
        if (dt == VP_F64) {
            double a = (double)j, b = (double)(n - j);
            memcpy(bx + j * s, &a, 8);
            memcpy(by + j * s, &b, 8);
        } else {
            float a = (float)j, b = (float)(n - j);
            memcpy(bx + j * s, &a, 4);
            memcpy(by + j * s, &b, 4);
        }
    }
    dataset *ds = make_arrays(&(dataset_array){bx, dt, (int64_t)s, n}, &(dataset_array){by, dt, (int64_t)s, n});
    dataset_reader *r = dataset_reader_create(ds);
    static double x[C], y[C];
    double best = 1e30;
    for (int rep = 0; rep < 3; rep++) {
        double t0 = now_s();
        uint64_t rec = 0, nf = 0, pts = 0;
        vp_err err;
        for (uint64_t k = 0; k < dataset_chunks(ds); k++) {
            size_t m;
            assert_true(dataset_decode(r, k, x, y, NULL, &m, &rec, &nf, &err));
            pts += m;
        }
        double dt_s = now_s() - t0;
        assert_int_equal(pts, n);
        best = dt_s < best ? dt_s : best;
    }
    printf("arrays: decode of %s %s pairs: %.0f M samples/s (one thread)\n", vp_dtype_name(dt),
           inter ? "interleaved" : "contiguous", (double)n / best * 1e-6);
    dataset_reader_destroy(r);
    dataset_destroy(ds);
    free(buf);
}

static void test_speed(void **state)
{
    (void)state;
    const size_t n = (size_t)1 << 23;
    time_decode(VP_F32, false, n);
    time_decode(VP_F64, false, n);
    time_decode(VP_F32, true, n);
    time_decode(VP_F64, true, n);
}

int main(void)
{
    g_dir = tu_tmpdir("test_arrays");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_properties),
        cmocka_unit_test(test_layouts),
        cmocka_unit_test(test_mixed_dtypes),
        cmocka_unit_test(test_same_as_file),
        cmocka_unit_test(test_speed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
