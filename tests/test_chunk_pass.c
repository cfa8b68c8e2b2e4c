/* chunk_pass: one parallel pass over every chunk of a dataset. Every chunk is
 * handed to the callback exactly once whatever the number of threads, each
 * thread's state is created once and finished once (also after an error, and
 * with a NULL state when thread_create failed), the first error stops the pass
 * and is what chunk_pass_join reports, and an empty dataset is a pass that
 * calls nothing but the per-thread hooks. Callbacks run on worker threads, so
 * they only count (atomics); the checks run on the main thread. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "accum/chunk_pass.h"
#include "load/dataset.h"
#include "testutil.h"

#define MAX_CHUNKS 16
#define STATE_MAGIC 0x5eed5eedu

static const char *dir;

typedef struct pass_ctx {
    atomic_int visits[MAX_CHUNKS];
    atomic_ullong points[MAX_CHUNKS];
    atomic_int created, finished, finished_ok, finished_null;
    atomic_int bad_state;         /* a callback saw a state not made by thread_create */
    atomic_int bad_chunk;         /* k out of range */
    atomic_ullong merged;         /* chunks summed by thread_finish */
    long fail_at;                 /* points() fails at this chunk; -1 never */
    bool create_null;             /* thread_create returns NULL */
    bool finish_fails;            /* thread_finish returns false */
} pass_ctx;

typedef struct thread_state {
    uint32_t magic;
    uint64_t chunks;
} thread_state;

static void *on_create(void *c)
{
    pass_ctx *ctx = c;
    atomic_fetch_add(&ctx->created, 1);
    if (ctx->create_null)
        return NULL;
    thread_state *s = calloc(1, sizeof *s);
    if (s)
        s->magic = STATE_MAGIC;
    return s;
}

static bool on_points(void *c, void *state, uint64_t k, const double *x, const double *y,
                      const double *w, size_t n, vp_err *err)
{
    pass_ctx *ctx = c;
    thread_state *s = state;
    if (!s || s->magic != STATE_MAGIC)
        atomic_fetch_add(&ctx->bad_state, 1);
    if (k >= MAX_CHUNKS) {
        atomic_fetch_add(&ctx->bad_chunk, 1);
        return vp_err_set(err, "chunk %llu out of range", (unsigned long long)k);
    }
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]) || !isfinite(y[i]) || (w && !isfinite(w[i])))
            return vp_err_set(err, "a non-finite point was handed over in chunk %llu",
                              (unsigned long long)k);
    atomic_fetch_add(&ctx->visits[k], 1);
    atomic_fetch_add(&ctx->points[k], (unsigned long long)n);
    if (s)
        s->chunks++;
    if (ctx->fail_at >= 0 && k == (uint64_t)ctx->fail_at)
        return vp_err_set(err, "boom at chunk %llu", (unsigned long long)k);
    return true;
}

static bool on_finish(void *c, void *state, bool ok, vp_err *err)
{
    pass_ctx *ctx = c;
    thread_state *s = state;
    atomic_fetch_add(&ctx->finished, 1);
    if (ok)
        atomic_fetch_add(&ctx->finished_ok, 1);
    if (!s) {
        atomic_fetch_add(&ctx->finished_null, 1);
    } else {
        if (s->magic != STATE_MAGIC)
            atomic_fetch_add(&ctx->bad_state, 1);
        atomic_fetch_add(&ctx->merged, s->chunks);
        s->magic = 0;
        free(s);
    }
    if (ctx->finish_fails)
        return vp_err_set(err, "finish refused");
    return true;
}

static const chunk_pass_ops ops = {.thread_create = on_create, .points = on_points,
                                   .thread_finish = on_finish};

static void ctx_init(pass_ctx *ctx)
{
    memset(ctx, 0, sizeof *ctx);
    for (int i = 0; i < MAX_CHUNKS; i++) {
        atomic_init(&ctx->visits[i], 0);
        atomic_init(&ctx->points[i], 0);
    }
    atomic_init(&ctx->created, 0);
    atomic_init(&ctx->finished, 0);
    atomic_init(&ctx->finished_ok, 0);
    atomic_init(&ctx->finished_null, 0);
    atomic_init(&ctx->bad_state, 0);
    atomic_init(&ctx->bad_chunk, 0);
    atomic_init(&ctx->merged, 0);
    ctx->fail_at = -1;
}

static bool run_pass(const dataset *ds, int threads, pass_ctx *ctx, chunk_pass_totals *tot,
                     vp_err *err)
{
    chunk_pass *p;
    if (!chunk_pass_start(ds, threads, &ops, ctx, &p, err))
        fail_msg("chunk_pass_start: %s", err->msg);
    return chunk_pass_join(p, tot, err);
}

/* 5 whole chunks and a partial one of float64 pairs; every 97th record has a
 * NaN x, every 101st an infinite y. */
#define FILE_RECORDS (5 * DATASET_CHUNK_RECORDS + 1234)
static uint64_t file_finite[MAX_CHUNKS];
static uint64_t file_nonfinite;

static dataset *open_file_dataset(void)
{
    const char *path = tu_path(dir, "pairs.f64");
    static bool written;
    if (!written) {
        double *x = malloc(FILE_RECORDS * sizeof *x), *y = malloc(FILE_RECORDS * sizeof *y);
        assert_non_null(x);
        assert_non_null(y);
        uint64_t seed = 12;
        memset(file_finite, 0, sizeof file_finite);
        file_nonfinite = 0;
        for (size_t i = 0; i < FILE_RECORDS; i++) {
            x[i] = tu_rand_unit(&seed) * 10 - 5;
            y[i] = tu_rand_unit(&seed) * 4 + 1;
            if (i % 97 == 0)
                x[i] = NAN;
            if (i % 101 == 0)
                y[i] = -INFINITY;
            if (isfinite(x[i]) && isfinite(y[i]))
                file_finite[i / DATASET_CHUNK_RECORDS]++;
            else
                file_nonfinite++;
        }
        tu_write_f64_pairs(path, x, y, FILE_RECORDS);
        free(x);
        free(y);
        written = true;
    }
    source_params sp = {.dtype = VP_F64, .ycol = -1};
    const char *paths[1] = {path};
    dataset *ds;
    vp_err err;
    if (!dataset_create_files(paths, 1, &sp, &ds, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(dataset_chunks(ds), 6);
    assert_int_equal(dataset_records(ds), FILE_RECORDS);
    return ds;
}

static void check_paired(pass_ctx *ctx, int threads)
{
    assert_int_equal(atomic_load(&ctx->created), threads);
    assert_int_equal(atomic_load(&ctx->finished), threads);
    assert_int_equal(atomic_load(&ctx->bad_state), 0);
    assert_int_equal(atomic_load(&ctx->bad_chunk), 0);
}

static void test_file_every_chunk_once(void **unused)
{
    (void)unused;
    dataset *ds = open_file_dataset();
    uint64_t nch = dataset_chunks(ds);
    for (int threads = 1; threads <= 8; threads++) {
        pass_ctx ctx;
        ctx_init(&ctx);
        chunk_pass_totals tot = {99, 99};
        vp_err err;
        if (!run_pass(ds, threads, &ctx, &tot, &err))
            fail_msg("%d threads: %s", threads, err.msg);
        check_paired(&ctx, threads);
        assert_int_equal(atomic_load(&ctx.finished_ok), threads);
        assert_int_equal(atomic_load(&ctx.finished_null), 0);
        for (uint64_t k = 0; k < nch; k++) {
            if (atomic_load(&ctx.visits[k]) != 1)
                fail_msg("%d threads: chunk %llu visited %d times", threads,
                         (unsigned long long)k, atomic_load(&ctx.visits[k]));
            assert_int_equal(atomic_load(&ctx.points[k]), file_finite[k]);
        }
        assert_int_equal(atomic_load(&ctx.merged), nch);
        assert_int_equal(tot.records, FILE_RECORDS);
        assert_int_equal(tot.nonfinite, file_nonfinite);
    }
    dataset_destroy(ds);
}

static void test_demo_every_chunk_once(void **unused)
{
    (void)unused;
    const uint64_t points = 11 * (uint64_t)DATASET_CHUNK_RECORDS + 7;
    dataset *ds;
    vp_err err;
    assert_true(dataset_create_demo(points, &ds, &err));
    uint64_t nch = dataset_chunks(ds);
    assert_int_equal(nch, 12);
    for (int threads = 1; threads <= 8; threads++) {
        pass_ctx ctx;
        ctx_init(&ctx);
        chunk_pass_totals tot;
        if (!run_pass(ds, threads, &ctx, &tot, &err))
            fail_msg("%d threads: %s", threads, err.msg);
        check_paired(&ctx, threads);
        uint64_t sum = 0;
        for (uint64_t k = 0; k < nch; k++) {
            assert_int_equal(atomic_load(&ctx.visits[k]), 1);
            assert_int_equal(atomic_load(&ctx.points[k]),
                             k + 1 < nch ? DATASET_CHUNK_RECORDS : 7);
            sum += atomic_load(&ctx.points[k]);
        }
        assert_int_equal(sum, points);
        assert_int_equal(tot.records, points);
        assert_int_equal(tot.nonfinite, 0);
        assert_int_equal(atomic_load(&ctx.merged), nch);
    }
    dataset_destroy(ds);
}

static void test_empty_dataset(void **unused)
{
    (void)unused;
    dataset *ds;
    vp_err err;
    assert_true(dataset_create_demo(0, &ds, &err));
    assert_int_equal(dataset_chunks(ds), 0);
    for (int threads = 1; threads <= 4; threads++) {
        pass_ctx ctx;
        ctx_init(&ctx);
        chunk_pass_totals tot = {5, 5};
        if (!run_pass(ds, threads, &ctx, &tot, &err))
            fail_msg("%s", err.msg);
        check_paired(&ctx, threads);
        assert_int_equal(atomic_load(&ctx.finished_ok), threads);
        assert_int_equal(atomic_load(&ctx.merged), 0);
        assert_int_equal(tot.records, 0);
        assert_int_equal(tot.nonfinite, 0);
    }
    dataset_destroy(ds);
}

/* One thread takes the chunks in order: the pass stops right after the
 * failing chunk, and the callback's own message comes back. */
static void test_error_stops_one_thread(void **unused)
{
    (void)unused;
    dataset *ds = open_file_dataset();
    pass_ctx ctx;
    ctx_init(&ctx);
    ctx.fail_at = 2;
    vp_err err = {{0}};
    chunk_pass_totals tot;
    assert_false(run_pass(ds, 1, &ctx, &tot, &err));
    assert_string_equal(err.msg, "boom at chunk 2");
    check_paired(&ctx, 1);
    assert_int_equal(atomic_load(&ctx.finished_ok), 0); /* told it failed */
    for (uint64_t k = 0; k < dataset_chunks(ds); k++)
        assert_int_equal(atomic_load(&ctx.visits[k]), k <= 2 ? 1 : 0);
    dataset_destroy(ds);
}

/* Several threads: the error is reported, no chunk is seen twice, every
 * thread finishes, and the failing thread is told so. */
static void test_error_stops_many_threads(void **unused)
{
    (void)unused;
    dataset *ds;
    vp_err err;
    assert_true(dataset_create_demo(16 * (uint64_t)DATASET_CHUNK_RECORDS, &ds, &err));
    for (int threads = 2; threads <= 8; threads++) {
        for (long at = 0; at < 16; at += 5) {
            pass_ctx ctx;
            ctx_init(&ctx);
            ctx.fail_at = at;
            memset(&err, 0, sizeof err);
            assert_false(run_pass(ds, threads, &ctx, NULL, &err));
            char want[64];
            snprintf(want, sizeof want, "boom at chunk %ld", at);
            assert_string_equal(err.msg, want);
            check_paired(&ctx, threads);
            assert_true(atomic_load(&ctx.finished_ok) < threads);
            assert_int_equal(atomic_load(&ctx.visits[at]), 1);
            for (int k = 0; k < 16; k++)
                assert_true(atomic_load(&ctx.visits[k]) <= 1);
        }
    }
    dataset_destroy(ds);
}

/* thread_create returning NULL is out of memory: thread_finish still runs,
 * with a NULL state and ok = false, and no chunk is handed over. */
static void test_create_null(void **unused)
{
    (void)unused;
    dataset *ds = open_file_dataset();
    for (int threads = 1; threads <= 3; threads++) {
        pass_ctx ctx;
        ctx_init(&ctx);
        ctx.create_null = true;
        vp_err err = {{0}};
        assert_false(run_pass(ds, threads, &ctx, NULL, &err));
        assert_msg_has(err, "out of memory");
        assert_int_equal(atomic_load(&ctx.created), threads);
        assert_int_equal(atomic_load(&ctx.finished), threads);
        assert_int_equal(atomic_load(&ctx.finished_null), threads);
        assert_int_equal(atomic_load(&ctx.finished_ok), 0);
        for (uint64_t k = 0; k < dataset_chunks(ds); k++)
            assert_int_equal(atomic_load(&ctx.visits[k]), 0);
    }
    dataset_destroy(ds);
}

/* An error from thread_finish (a failed merge) fails the pass too. */
static void test_finish_error(void **unused)
{
    (void)unused;
    dataset *ds = open_file_dataset();
    pass_ctx ctx;
    ctx_init(&ctx);
    ctx.finish_fails = true;
    vp_err err = {{0}};
    assert_false(run_pass(ds, 3, &ctx, NULL, &err));
    assert_string_equal(err.msg, "finish refused");
    check_paired(&ctx, 3);
    for (uint64_t k = 0; k < dataset_chunks(ds); k++)
        assert_int_equal(atomic_load(&ctx.visits[k]), 1);
    dataset_destroy(ds);
}

/* A cancelled pass is not an error: it ends early, each chunk seen at most
 * once, every thread finished. */
static void test_cancel(void **unused)
{
    (void)unused;
    dataset *ds;
    vp_err err;
    assert_true(dataset_create_demo(16 * (uint64_t)DATASET_CHUNK_RECORDS, &ds, &err));
    for (int threads = 1; threads <= 4; threads++) {
        pass_ctx ctx;
        ctx_init(&ctx);
        chunk_pass *p;
        assert_true(chunk_pass_start(ds, threads, &ops, &ctx, &p, &err));
        chunk_pass_cancel(p);
        chunk_pass_totals tot;
        if (!chunk_pass_join(p, &tot, &err))
            fail_msg("%s", err.msg);
        check_paired(&ctx, threads);
        uint64_t seen = 0;
        for (int k = 0; k < 16; k++) {
            assert_true(atomic_load(&ctx.visits[k]) <= 1);
            seen += (uint64_t)atomic_load(&ctx.visits[k]);
        }
        assert_int_equal(tot.records, seen * DATASET_CHUNK_RECORDS);
    }
    dataset_destroy(ds);
}

static void test_default_threads(void **unused)
{
    (void)unused;
    int n = chunk_pass_default_threads();
    assert_true(n >= 1);
    assert_true(n <= 256);
}

int main(void)
{
    dir = tu_tmpdir("test_chunk_pass");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_every_chunk_once),
        cmocka_unit_test(test_demo_every_chunk_once),
        cmocka_unit_test(test_empty_dataset),
        cmocka_unit_test(test_error_stops_one_thread),
        cmocka_unit_test(test_error_stops_many_threads),
        cmocka_unit_test(test_create_null),
        cmocka_unit_test(test_finish_error),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_default_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
