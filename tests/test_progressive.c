/* refine (CPU engine): the viewer's background refinement. Through real files and the
 * real decoder: once complete, a snapshot equals an independent reference
 * histogram (tu_ref_bin) and accum_cpu_run's grid for the same view; snapshots
 * taken on the way only ever grow; chunks whose boxes miss the view are never
 * read; the chunks are binned in one fixed shuffled order; a new view starts
 * over (no stale counts); and refine_grow bins the new chunks of a
 * followed file that touch the view, and only those.
 *
 * Completion is waited for by polling refine_get_state with a generous
 * bound on the number of polls; nothing here depends on how long anything takes. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "accum/accum.h"
#include <glad/gl.h>

#include "accum/refine.h"
#include "gl/glctx.h"
#include "core/util.h"
#include "load/dataset.h"
#include "load/follow.h"
#include "testutil.h"

/* NCH chunks of float64 pairs; chunk k < NCH - 1 lies in
 * x in [k + 0.1, k + 0.9], y in [0.1, 0.9]; the last chunk has no finite
 * point (every x is NaN). Chunk 3 has a few NaNs too. */
#define NCH 16
#define REC ((size_t)NCH * DATASET_CHUNK_RECORDS)

static const char *dir;
static const char *file_path;
static double *data_x, *data_y;
static double file_bbox[4 * NCH];
static uint64_t file_nonfinite;

static void make_file(void)
{
    data_x = malloc(REC * sizeof *data_x);
    data_y = malloc(REC * sizeof *data_y);
    assert_non_null(data_x);
    assert_non_null(data_y);
    uint64_t seed = 7;
    for (size_t i = 0; i < REC; i++) {
        size_t k = i / DATASET_CHUNK_RECORDS;
        data_x[i] = (double)k + 0.1 + 0.8 * tu_rand_unit(&seed);
        data_y[i] = 0.1 + 0.8 * tu_rand_unit(&seed);
        if (k == NCH - 1 || (k == 3 && i % 1000 == 0))
            data_x[i] = NAN;
    }
    file_nonfinite = 0;
    for (size_t k = 0; k < NCH; k++) {
        double *b = file_bbox + 4 * k;
        b[0] = b[2] = INFINITY;
        b[1] = b[3] = -INFINITY;
        for (size_t i = k * DATASET_CHUNK_RECORDS; i < (k + 1) * DATASET_CHUNK_RECORDS; i++) {
            if (!isfinite(data_x[i]) || !isfinite(data_y[i])) {
                file_nonfinite++;
                continue;
            }
            b[0] = fmin(b[0], data_x[i]);
            b[1] = fmax(b[1], data_x[i]);
            b[2] = fmin(b[2], data_y[i]);
            b[3] = fmax(b[3], data_y[i]);
        }
    }
    file_path = strdup(tu_path(dir, "chunks.f64"));
    tu_write_f64_pairs(file_path, data_x, data_y, REC);
}

static dataset *open_file(void)
{
    source_params sp = {.dtype = VP_F64, .ycol = -1};
    const char *paths[1] = {file_path};
    dataset *ds;
    vp_err err;
    if (!dataset_create_files(paths, 1, &sp, &ds, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(dataset_chunks(ds), NCH);
    return ds;
}

/* The CPU engine over ds; boxes (NCH of them), when given, become the
 * dataset's chunk boxes, which the refinement culls by. */
static bool make_refine(dataset *ds, int threads, const double *boxes, refine **p, vp_err *err)
{
    if (boxes)
        assert_true(dataset_set_chunk_boxes(ds, boxes, NCH));
    refine_params rp = {REFINE_CPU, threads, 0, {0}, {0}};
    return refine_create(ds, &rp, p, err);
}

/* The reference histogram of records [i0, i1) of (x, y), added into grid. */
static void reference_add(const double *x, const double *y, size_t i0, size_t i1, const view *v,
                          uint64_t *grid)
{
    for (size_t i = i0; i < i1; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i]))
            continue;
        int ix = tu_ref_bin(x[i], v->x0, v->x1, v->w), iy = tu_ref_bin(y[i], v->y0, v->y1, v->h);
        if (ix >= 0 && iy >= 0)
            grid[(size_t)iy * (size_t)v->w + (size_t)ix]++;
    }
}

static void assert_grid_equal(const uint64_t *got, const uint64_t *want, size_t cells)
{
    for (size_t i = 0; i < cells; i++)
        if (got[i] != want[i])
            fail_msg("cell %zu: %llu, want %llu", i, (unsigned long long)got[i],
                     (unsigned long long)want[i]);
}

/* Polls until the current view is complete; every snapshot on the way must
 * be a superset of the one before (counts never go down, chunks_done never
 * does). The bound is on the number of polls, generous. */
static void wait_complete_monotonic(refine *p, const view *v, uint64_t *grid,
                                    refine_state *st)
{
    size_t cells = (size_t)v->w * (size_t)v->h;
    uint64_t *prev = calloc(cells, sizeof *prev);
    assert_non_null(prev);
    uint64_t prev_done = 0, prev_records = 0;
    vp_err err;
    for (long polls = 0;; polls++) {
        if (polls > 2000000)
            fail_msg("the view never completed");
        if (!refine_snapshot(p, grid, st, &err))
            fail_msg("snapshot: %s", err.msg);
        for (size_t i = 0; i < cells; i++)
            if (grid[i] < prev[i])
                fail_msg("cell %zu went down from %llu to %llu", i, (unsigned long long)prev[i],
                         (unsigned long long)grid[i]);
        assert_true(st->chunks_done >= prev_done);
        assert_true(st->records_done >= prev_records);
        assert_true(st->chunks_done <= st->chunks_total);
        memcpy(prev, grid, cells * sizeof *grid);
        prev_done = st->chunks_done;
        prev_records = st->records_done;
        if (st->complete)
            break;
        if (polls > 1000)
            usleep(1000);
    }
    free(prev);
    /* complete, and the grid taken with the state is the whole grid */
    if (!refine_snapshot(p, grid, st, &err))
        fail_msg("snapshot: %s", err.msg);
    assert_true(st->complete);
    assert_int_equal(st->chunks_done, st->chunks_total);
}

static void wait_complete(refine *p)
{
    refine_state st;
    for (long polls = 0;; polls++) {
        if (polls > 200000)
            fail_msg("the view never completed");
        refine_get_state(p, &st);
        if (st.complete)
            break;
        usleep(1000);
    }
}

/* Complete grid = reference = accum_cpu_run, with and without the chunk boxes,
 * for several thread counts; the all-NaN chunk is culled by its empty box. */
static void test_complete_equals_reference(void **unused)
{
    (void)unused;
    dataset *ds = open_file();
    view v;
    view_init(&v, -0.5, 16.25, 0.0, 1.0, 37, 23);
    size_t cells = (size_t)v.w * (size_t)v.h;
    uint64_t *want = calloc(cells, sizeof *want), *got = calloc(cells, sizeof *got);
    uint64_t *cpu = calloc(cells, sizeof *cpu);
    assert_non_null(want);
    assert_non_null(got);
    assert_non_null(cpu);
    reference_add(data_x, data_y, 0, REC, &v, want);

    accum_params ap = {.threads = 2};
    accum_stats ast;
    vp_err err;
    if (!accum_cpu_run(ds, &v, &ap, cpu, &ast, &err))
        fail_msg("%s", err.msg);
    assert_grid_equal(cpu, want, cells);

    for (int with_bbox = 0; with_bbox <= 1; with_bbox++) {
        for (int threads = 1; threads <= 4; threads++) {
            refine *p;
            if (!make_refine(ds, threads, with_bbox ? file_bbox : NULL, &p, &err))
                fail_msg("%s", err.msg);
            assert_true(refine_set_view(p, &v, NULL));
            refine_state st;
            wait_complete_monotonic(p, &v, got, &st);
            assert_grid_equal(got, want, cells);
            assert_int_equal(st.chunks_total, with_bbox ? NCH - 1 : NCH);
            assert_int_equal(st.records_done, st.chunks_total * DATASET_CHUNK_RECORDS);
            assert_int_equal(st.nonfinite,
                             with_bbox ? file_nonfinite - DATASET_CHUNK_RECORDS : file_nonfinite);
            assert_int_equal(st.generation, 1);
            refine_destroy(p);
        }
    }
    free(want);
    free(got);
    free(cpu);
    dataset_destroy(ds);
}

/* Chunks whose box misses the view are never read (records_done counts only
 * the others), in either axis direction; a view that no chunk touches is
 * complete at once and empty. */
static void test_culling(void **unused)
{
    (void)unused;
    dataset *ds = open_file();
    vp_err err;
    refine *p;
    if (!make_refine(ds, 2, file_bbox, &p, &err))
        fail_msg("%s", err.msg);
    static const double lims[][4] = {
        {0.0, 3.0, 0.0, 1.0},  /* chunks 0, 1, 2 */
        {3.0, 0.0, 1.0, 0.0},  /* the same, both axes reversed */
        {4.5, 6.5, 0.5, 0.6},  /* chunks 4, 5, 6 */
        {100, 200, 0.0, 1.0},  /* none */
        {0.0, 16.0, 2.0, 3.0}, /* none: above every chunk */
    };
    static const uint64_t visible[] = {3, 3, 3, 0, 0};
    for (size_t t = 0; t < sizeof lims / sizeof lims[0]; t++) {
        view v;
        view_init(&v, lims[t][0], lims[t][1], lims[t][2], lims[t][3], 19, 11);
        size_t cells = (size_t)v.w * (size_t)v.h;
        uint64_t *want = calloc(cells, sizeof *want), *got = calloc(cells, sizeof *got);
        assert_non_null(want);
        assert_non_null(got);
        reference_add(data_x, data_y, 0, REC, &v, want);
        /* an independent count of the chunks whose box touches the view */
        uint64_t touching = 0;
        for (int k = 0; k < NCH; k++) {
            const double *b = file_bbox + 4 * k;
            double xl = fmin(v.x0, v.x1), xh = fmax(v.x0, v.x1);
            double yl = fmin(v.y0, v.y1), yh = fmax(v.y0, v.y1);
            if (b[0] <= b[1] && b[1] >= xl && b[0] <= xh && b[3] >= yl && b[2] <= yh)
                touching++;
        }
        assert_int_equal(touching, visible[t]);
        assert_true(refine_set_view(p, &v, NULL));
        refine_state st;
        wait_complete_monotonic(p, &v, got, &st);
        assert_grid_equal(got, want, cells);
        assert_int_equal(st.chunks_total, visible[t]);
        assert_int_equal(st.records_done, visible[t] * DATASET_CHUNK_RECORDS);
        assert_int_equal(st.generation, t + 1);
        free(want);
        free(got);
    }
    refine_destroy(p);
    dataset_destroy(ds);
}

/* The boxes given are what culls: a chunk whose (false) box lies elsewhere
 * is not binned even though its points are in the view. */
static void test_given_boxes_are_used(void **unused)
{
    (void)unused;
    dataset *ds = open_file();
    double lying[4 * NCH];
    memcpy(lying, file_bbox, sizeof lying);
    lying[4 * 1 + 0] = 50;
    lying[4 * 1 + 1] = 51;
    view v;
    view_init(&v, 0.0, 3.0, 0.0, 1.0, 12, 4);
    size_t cells = (size_t)v.w * (size_t)v.h;
    uint64_t want[48] = {0}, got[48];
    reference_add(data_x, data_y, 0, DATASET_CHUNK_RECORDS, &v, want);
    reference_add(data_x, data_y, 2 * DATASET_CHUNK_RECORDS, 3 * DATASET_CHUNK_RECORDS, &v, want);
    vp_err err;
    refine *p;
    if (!make_refine(ds, 3, lying, &p, &err))
        fail_msg("%s", err.msg);
    assert_true(refine_set_view(p, &v, NULL));
    refine_state st;
    wait_complete_monotonic(p, &v, got, &st);
    assert_grid_equal(got, want, cells);
    assert_int_equal(st.chunks_total, 2);
    refine_destroy(p);
    dataset_destroy(ds);
}

/* The refinement order is one fixed permutation of the visible chunks, the
 * same every run: vp_shuffle_u64 (core/util.h, "a fixed (seedless) shuffle")
 * of the visible chunk numbers in ascending order. With one worker every
 * snapshot holds whole chunks, and exactly those of a prefix of that order,
 * however the polls fall. The view puts chunk k in pixel columns 4k..4k+3
 * only, so a snapshot tells which chunks it holds. */
static void test_fixed_order(void **unused)
{
    (void)unused;
    /* the shuffle itself: deterministic and a permutation */
    for (uint64_t n = 0; n <= 300; n += 13) {
        uint64_t a[301], b[301];
        int seen[301] = {0};
        for (uint64_t i = 0; i < n; i++)
            a[i] = b[i] = i;
        vp_shuffle_u64(a, n);
        vp_shuffle_u64(b, n);
        assert_memory_equal(a, b, n * sizeof *a);
        for (uint64_t i = 0; i < n; i++) {
            assert_true(a[i] < n);
            assert_int_equal(seen[a[i]]++, 0);
        }
    }
    uint64_t order[NCH];
    uint64_t nvis = 0;
    for (uint64_t k = 0; k < NCH - 1; k++) /* the last chunk's box is empty */
        order[nvis++] = k;
    vp_shuffle_u64(order, nvis);
    int identity = 1;
    for (uint64_t i = 0; i < nvis; i++)
        identity &= order[i] == i;
    assert_false(identity); /* shuffled, not file order */

    dataset *ds = open_file();
    view v;
    view_init(&v, 0.0, 16.0, 0.0, 1.0, 64, 2);
    size_t cells = 128;
    uint64_t chunk_total[NCH] = {0};
    for (size_t i = 0; i < REC; i++) {
        int ix = tu_ref_bin(data_x[i], v.x0, v.x1, v.w), iy = tu_ref_bin(data_y[i], v.y0, v.y1, v.h);
        if (isfinite(data_x[i]) && ix >= 0 && iy >= 0)
            chunk_total[i / DATASET_CHUNK_RECORDS]++;
    }
    for (int run = 0; run < 3; run++) {
        vp_err err;
        refine *p;
        if (!make_refine(ds, 1, file_bbox, &p, &err))
            fail_msg("%s", err.msg);
        assert_true(refine_set_view(p, &v, NULL));
        uint64_t grid[128];
        for (long polls = 0;; polls++) {
            if (polls > 2000000)
                fail_msg("the view never completed");
            refine_state st;
            if (!refine_snapshot(p, grid, &st, &err))
                fail_msg("%s", err.msg);
            assert_int_equal(st.chunks_total, nvis);
            uint64_t per_chunk[NCH] = {0};
            for (size_t i = 0; i < cells; i++)
                per_chunk[(i % 64) / 4] += grid[i];
            /* the chunks held: a prefix of the order, each one whole */
            uint64_t m = 0;
            while (m < nvis && per_chunk[order[m]] != 0)
                m++;
            for (uint64_t i = 0; i < nvis; i++) {
                uint64_t k = order[i];
                if (i < m && per_chunk[k] != chunk_total[k])
                    fail_msg("run %d: chunk %llu partly binned", run, (unsigned long long)k);
                if (i >= m && per_chunk[k] != 0)
                    fail_msg("run %d: chunk %llu binned before chunk %llu (order position %llu)",
                             run, (unsigned long long)k, (unsigned long long)order[m],
                             (unsigned long long)i);
            }
            assert_true(m >= st.chunks_done);
            if (st.complete && m == nvis)
                break;
            if (polls > 1000)
                usleep(200);
        }
        refine_destroy(p);
    }
    dataset_destroy(ds);
}

/* Views changed faster than the work completes: the last one's grid is
 * exact, with nothing left over from the earlier ones. */
static void test_new_view_starts_over(void **unused)
{
    (void)unused;
    dataset *ds = open_file();
    vp_err err;
    refine *p;
    if (!make_refine(ds, 3, file_bbox, &p, &err))
        fail_msg("%s", err.msg);
    view v;
    for (int i = 0; i < 40; i++) {
        double a = (double)(i % 7);
        view_init(&v, a, a + 5.5 + (i % 3), i % 2 ? 1.0 : 0.0, i % 2 ? 0.0 : 1.0, 17 + i % 5,
                  9 + i % 4);
        assert_true(refine_set_view(p, &v, NULL));
        if (i % 4 == 0)
            usleep(500);
    }
    size_t cells = (size_t)v.w * (size_t)v.h;
    uint64_t *want = calloc(cells, sizeof *want), *got = calloc(cells, sizeof *got);
    assert_non_null(want);
    assert_non_null(got);
    reference_add(data_x, data_y, 0, REC, &v, want);
    refine_state st;
    wait_complete_monotonic(p, &v, got, &st);
    assert_grid_equal(got, want, cells);
    assert_int_equal(st.generation, 40);

    /* and refine_reset on an unchanged dataset: the same grid again */
    refine_reset(p);
    refine_get_state(p, &st);
    assert_int_equal(st.generation, 41);
    wait_complete_monotonic(p, &v, got, &st);
    assert_grid_equal(got, want, cells);
    refine_destroy(p);
    free(want);
    free(got);
    dataset_destroy(ds);
}

/* ---- a followed file that grows ---- */

static void append_pairs(const char *path, const double *x, const double *y, size_t n)
{
    FILE *f = fopen(path, "ab");
    assert_non_null(f);
    for (size_t i = 0; i < n; i++) {
        double r[2] = {x[i], y[i]};
        assert_int_equal(fwrite(r, sizeof r, 1, f), 1);
    }
    assert_int_equal(fclose(f), 0);
}

static void poll_until(dataset *ds, uint64_t records)
{
    vp_err err;
    for (int i = 0; dataset_records(ds) < records; i++) {
        if (i > 20000)
            fail_msg("the follower never saw %llu records (has %llu)",
                     (unsigned long long)records, (unsigned long long)dataset_records(ds));
        follow_event ev;
        if (!dataset_follow_poll(ds, &ev, &err))
            fail_msg("%s", err.msg);
        assert_false(ev.reset);
        if (dataset_records(ds) < records)
            dataset_follow_wait(ds, 10);
    }
    assert_int_equal(dataset_records(ds), records);
}

static void test_grow(void **unused)
{
    (void)unused;
    const char *path = tu_path(dir, "growing.f64");
    unlink(path);
    const size_t n1 = 40000, n2 = 30000, n3 = 20000, total = n1 + n2 + n3;
    double *x = malloc(total * sizeof *x), *y = malloc(total * sizeof *y);
    assert_non_null(x);
    assert_non_null(y);
    uint64_t seed = 99;
    for (size_t i = 0; i < total; i++) {
        /* the last batch lies outside the view */
        x[i] = (i < n1 + n2 ? 0.0 : 100.0) + tu_rand_unit(&seed);
        y[i] = tu_rand_unit(&seed);
    }
    tu_write_f64_pairs(path, x, y, n1);

    dataset_params dp = {.binary = {.dtype = VP_F64, .ycol = -1}, .no_cache = true};
    dataset *ds;
    vp_err err;
    if (!dataset_create_follow(path, &dp, &ds, &err))
        fail_msg("%s", err.msg);
    poll_until(ds, n1);
    view v;
    view_init(&v, 0.0, 1.0, 0.0, 1.0, 13, 7);
    size_t cells = (size_t)v.w * (size_t)v.h;
    uint64_t want[13 * 7] = {0}, got[13 * 7];
    reference_add(x, y, 0, n1, &v, want);

    refine *p;
    if (!make_refine(ds, 2, NULL, &p, &err))
        fail_msg("%s", err.msg);
    assert_true(refine_set_view(p, &v, NULL));
    refine_state st;
    wait_complete_monotonic(p, &v, got, &st);
    assert_grid_equal(got, want, cells);
    assert_int_equal(st.chunks_total, dataset_chunks(ds));
    assert_int_equal(st.records_done, n1);

    /* more rows in the view: binned on top, without starting over */
    append_pairs(path, x + n1, y + n1, n2);
    poll_until(ds, n1 + n2);
    uint64_t chunks2 = dataset_chunks(ds);
    refine_grow(p);
    wait_complete(p);
    reference_add(x, y, n1, n1 + n2, &v, want);
    if (!refine_snapshot(p, got, &st, &err))
        fail_msg("%s", err.msg);
    assert_grid_equal(got, want, cells);
    assert_int_equal(st.generation, 1);
    assert_int_equal(st.chunks_total, chunks2);
    assert_int_equal(st.records_done, n1 + n2);

    /* rows outside the view: their chunks' boxes (dataset_chunk_bbox) miss it */
    append_pairs(path, x + n1 + n2, y + n1 + n2, n3);
    poll_until(ds, total);
    assert_true(dataset_chunks(ds) > chunks2);
    for (uint64_t k = chunks2; k < dataset_chunks(ds); k++) {
        double b[4];
        assert_true(dataset_chunk_bbox(ds, k, b));
        assert_true(b[0] >= 100.0);
    }
    refine_grow(p);
    wait_complete(p);
    if (!refine_snapshot(p, got, &st, &err))
        fail_msg("%s", err.msg);
    assert_grid_equal(got, want, cells);
    assert_int_equal(st.chunks_total, chunks2);
    assert_int_equal(st.records_done, n1 + n2);

    /* a view over everything now takes every chunk */
    view all;
    view_init(&all, 0.0, 101.0, 0.0, 1.0, 29, 5);
    size_t cells_all = (size_t)all.w * (size_t)all.h;
    uint64_t want_all[29 * 5] = {0}, got_all[29 * 5];
    reference_add(x, y, 0, total, &all, want_all);
    assert_true(refine_set_view(p, &all, NULL));
    wait_complete_monotonic(p, &all, got_all, &st);
    assert_grid_equal(got_all, want_all, cells_all);
    assert_int_equal(st.chunks_total, dataset_chunks(ds));
    assert_int_equal(st.records_done, total);

    refine_destroy(p);
    dataset_destroy(ds);
    free(x);
    free(y);
}

/* Before any view and on an empty dataset: nothing to do, complete. */
static void test_empty(void **unused)
{
    (void)unused;
    dataset *ds;
    vp_err err;
    assert_true(dataset_create_demo(0, &ds, &err));
    refine *p;
    assert_true(make_refine(ds, 2, NULL, &p, &err));
    refine_state st;
    refine_get_state(p, &st);
    assert_true(st.complete);
    view v;
    view_init(&v, -1, 1, -1, 1, 8, 8);
    assert_true(refine_set_view(p, &v, NULL));
    uint64_t got[64];
    memset(got, 0xff, sizeof got);
    assert_true(refine_snapshot(p, got, &st, &err));
    assert_true(st.complete);
    assert_int_equal(st.chunks_total, 0);
    for (int i = 0; i < 64; i++)
        assert_int_equal(got[i], 0);
    refine_destroy(p);
    refine_destroy(NULL);
    dataset_destroy(ds);
}

/* The demo dataset (no boxes: nothing culled) against accum_cpu_run. */
static void test_demo_equals_accum_cpu(void **unused)
{
    (void)unused;
    dataset *ds;
    vp_err err;
    assert_true(dataset_create_demo(9 * (uint64_t)DATASET_CHUNK_RECORDS + 321, &ds, &err));
    view v;
    view_init(&v, -2.0, 2.5, 3.0, -2.2, 41, 33);
    size_t cells = (size_t)v.w * (size_t)v.h;
    uint64_t *want = calloc(cells, sizeof *want), *got = calloc(cells, sizeof *got);
    assert_non_null(want);
    assert_non_null(got);
    accum_params ap = {.threads = 3};
    accum_stats ast;
    if (!accum_cpu_run(ds, &v, &ap, want, &ast, &err))
        fail_msg("%s", err.msg);
    refine *p;
    assert_true(make_refine(ds, 2, NULL, &p, &err));
    assert_true(refine_set_view(p, &v, NULL));
    refine_state st;
    wait_complete_monotonic(p, &v, got, &st);
    assert_grid_equal(got, want, cells);
    assert_int_equal(st.chunks_total, 10);
    assert_int_equal(st.records_done, dataset_records(ds));
    refine_destroy(p);
    free(want);
    free(got);
    dataset_destroy(ds);
}

/* A chunk that cannot be decoded (the file was cut short under the reader)
 * is an error of the view, reported by the snapshot and naming the file; a
 * new view starts over with new threads, and once the file is whole again it
 * completes to the reference. */
static void test_error_then_new_view(void **unused)
{
    (void)unused;
    const char *path = tu_path(dir, "cut.f64");
    tu_write_f64_pairs(path, data_x, data_y, REC);
    source_params sp = {.dtype = VP_F64, .ycol = -1};
    const char *paths[1] = {path};
    dataset *ds;
    vp_err err;
    if (!dataset_create_files(paths, 1, &sp, &ds, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(truncate(path, (off_t)(REC / 2 * 16)), 0);
    refine *p;
    assert_true(make_refine(ds, 2, NULL, &p, &err));
    view v;
    view_init(&v, -0.5, 16.25, 0.0, 1.0, 37, 23);
    size_t cells = (size_t)v.w * (size_t)v.h;
    uint64_t *got = calloc(cells, sizeof *got), *want = calloc(cells, sizeof *want);
    assert_non_null(got);
    assert_non_null(want);
    assert_true(refine_set_view(p, &v, NULL));
    refine_state st;
    bool failed = false;
    for (long polls = 0; polls < 200000 && !failed; polls++) {
        failed = !refine_snapshot(p, got, &st, &err);
        if (!failed)
            usleep(1000);
    }
    assert_true(failed);
    if (!strstr(err.msg, "cut.f64"))
        fail_msg("the error does not name the file: %s", err.msg);
    /* whole again: a new view completes */
    tu_write_f64_pairs(path, data_x, data_y, REC);
    assert_true(refine_set_view(p, &v, NULL));
    wait_complete_monotonic(p, &v, got, &st);
    reference_add(data_x, data_y, 0, REC, &v, want);
    assert_grid_equal(got, want, cells);
    refine_destroy(p);
    dataset_destroy(ds);
    free(got);
    free(want);
}

/* GPU engine: steps until the view is complete (a bound on the steps, not
 * on time), then the grid. */
static void gpu_complete(refine *p, uint64_t *grid, refine_state *st)
{
    for (long steps = 0;; steps++) {
        refine_get_state(p, st);
        if (st->complete)
            break;
        assert_true(steps < 1000000);
        refine_step(p, 10.0);
    }
    vp_err err;
    if (!refine_snapshot(p, grid, st, &err))
        fail_msg("%s", err.msg);
}

/* The GPU engine behind the same interface: the same culling (by the
 * dataset's boxes), the same order, and once complete the reference grid. */
static void test_gpu_engine_equals_reference(void **unused)
{
    (void)unused;
    glctx *gl = tu_gl_context();
    if (!gl)
        skip();
    dataset *ds = open_file();
    assert_true(dataset_set_chunk_boxes(ds, file_bbox, NCH));
    refine_params rp = {REFINE_GPU, 2, (size_t)256 << 20, {0}, {0}};
    refine *p;
    vp_err err;
    if (!refine_create(ds, &rp, &p, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(refine_engine_of(p), REFINE_GPU);
    static const double lims[][4] = {{-0.5, 16.25, 0.0, 1.0}, {3.0, 0.0, 1.0, 0.0}, {100, 200, 0, 1}};
    static const uint64_t visible[] = {NCH - 1, 3, 0};
    for (size_t t = 0; t < 3; t++) {
        view v;
        view_init(&v, lims[t][0], lims[t][1], lims[t][2], lims[t][3], 37, 23);
        size_t cells = (size_t)v.w * (size_t)v.h;
        uint64_t *want = calloc(cells, sizeof *want), *got = calloc(cells, sizeof *got);
        assert_non_null(want);
        assert_non_null(got);
        reference_add(data_x, data_y, 0, REC, &v, want);
        assert_true(refine_set_view(p, &v, &err));
        refine_state st;
        gpu_complete(p, got, &st);
        assert_grid_equal(got, want, cells);
        assert_int_equal(st.chunks_total, visible[t]);
        assert_int_equal(st.records_done, visible[t] * DATASET_CHUNK_RECORDS);
        assert_int_equal(st.generation, t + 1);
        free(want);
        free(got);
    }
    refine_destroy(p);
    dataset_destroy(ds);
    glctx_destroy(gl);
}

/* Resident data larger than one shader storage block may be (llvmpipe:
 * 128 MiB): each dispatch binds one chunk, so the whole needs no such limit;
 * uploaded through the ring, the grid equals accum_cpu_run's. */
static void test_gpu_engine_beyond_one_block(void **unused)
{
    (void)unused;
    glctx *gl = tu_gl_context();
    if (!gl)
        skip();
    GLint64 max_block = 0;
    glGetInteger64v(GL_MAX_SHADER_STORAGE_BLOCK_SIZE, &max_block);
    uint64_t points = (uint64_t)max_block / 16 + 100000;
    if (points > 20000000) /* a real GPU's limit is far larger: test the path at 2e7 */
        points = 20000000;
    dataset *ds;
    vp_err err;
    assert_true(dataset_create_demo(points, &ds, &err));
    refine_params rp = {REFINE_GPU, 2, (size_t)1 << 40, {0}, {0}};
    refine *p;
    if (!refine_create(ds, &rp, &p, &err))
        fail_msg("%s", err.msg);
    view v;
    view_init(&v, -2.0, 2.5, 3.0, -2.2, 61, 47);
    size_t cells = (size_t)v.w * (size_t)v.h;
    uint64_t *want = calloc(cells, sizeof *want), *got = calloc(cells, sizeof *got);
    assert_non_null(want);
    assert_non_null(got);
    accum_params ap = {.threads = 2};
    accum_stats ast;
    assert_true(accum_cpu_run(ds, &v, &ap, want, &ast, &err));
    assert_true(refine_set_view(p, &v, &err));
    refine_state st;
    gpu_complete(p, got, &st);
    assert_grid_equal(got, want, cells);
    assert_int_equal(st.records_done, points);
    fprintf(stderr, "%llu points resident (%lld MiB per storage block at most)\n",
            (unsigned long long)points, (long long)(max_block >> 20));
    refine_destroy(p);
    dataset_destroy(ds);
    glctx_destroy(gl);
    free(want);
    free(got);
}

int main(void)
{
    dir = tu_tmpdir("test_progressive");
    make_file();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_complete_equals_reference),
        cmocka_unit_test(test_culling),
        cmocka_unit_test(test_given_boxes_are_used),
        cmocka_unit_test(test_fixed_order),
        cmocka_unit_test(test_new_view_starts_over),
        cmocka_unit_test(test_grow),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_demo_equals_accum_cpu),
        cmocka_unit_test(test_error_then_new_view),
        cmocka_unit_test(test_gpu_engine_equals_reference),
        cmocka_unit_test(test_gpu_engine_beyond_one_block),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    free(data_x);
    free(data_y);
    free((void *)file_path);
    return rc;
}
