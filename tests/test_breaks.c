/* Where the loader says the sequence of points breaks (dataset_decode_breaks
 * in src/load/dataset.h), against breaks worked out here from what the test
 * itself wrote:
 * - binary f32 (and f64 with w) records with NaN/inf: scattered, in runs,
 *   across chunk boundaries, at the first and last record of a chunk and of
 *   the file, a whole chunk; chunk by chunk, exactly (binary chunks are
 *   DATASET_CHUNK_RECORDS records each), and the points equal dataset_decode's;
 * - CSV with '>' segment lines, NaN/inf rows and bad rows (empty field, not
 *   a number, trailing garbage, too few fields), where '#' comments and
 *   blank lines are no breaks: several MB parsed with 1 thread and with 4
 *   (text_par splits it), then from the column cache (the hit's chunks and
 *   breaks equal the parse that stored them);
 * - text_par cut into many small parts (text_parse_file_tuned) into memcols
 *   parts, so that split points fall inside runs of breaks, just before and
 *   just after them;
 * - the same text from standard input;
 * - a followed file growing in appends, '>' lines and bad rows at the ends
 *   and starts of appends, and a line cut across two appends.
 *
 * Text chunks depend on where parts were cut, so text breaks are compared as
 * positions among the input's points (a break at n of one chunk and one at 0
 * of the next are the same cut); breaks before an input's first point and
 * after its last are left out (dataset.h: an input's ends cut anyway). */
#include <fcntl.h>
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

#include "load/dataset.h"
#include "load/follow.h"
#include "load/memcols.h"
#include "load/text_par.h"
#include "testutil.h"

#define C DATASET_CHUNK_RECORDS

static const char *g_dir;

/* ---- what the loader gives --------------------------------------------------- */

/* An input's points, one after the other, and its breaks as positions among
 * them (0 and n left out), ascending and distinct. */
typedef struct got {
    double *x, *y;
    size_t n, cap;
    uint64_t *brk;
    size_t nbrk, bcap;
} got;

static void got_free(got *g)
{
    free(g->x);
    free(g->y);
    free(g->brk);
    memset(g, 0, sizeof *g);
}

static void got_add_chunk(got *g, const double *x, const double *y, size_t n, const uint32_t *brk,
                          size_t nbrk)
{
    for (size_t j = 0; j < nbrk; j++) { /* each chunk's own: ascending, distinct, in [0, n] */
        assert_true(brk[j] <= n);
        if (j)
            assert_true(brk[j] > brk[j - 1]);
    }
    if (g->n + n > g->cap) {
        g->cap = (g->n + n) * 2 + 1024;
        g->x = realloc(g->x, g->cap * sizeof *g->x);
        g->y = realloc(g->y, g->cap * sizeof *g->y);
    }
    memcpy(g->x + g->n, x, n * sizeof *x);
    memcpy(g->y + g->n, y, n * sizeof *y);
    for (size_t j = 0; j < nbrk; j++) {
        uint64_t at = g->n + brk[j];
        if (g->nbrk && g->brk[g->nbrk - 1] == at)
            continue;
        assert_true(!g->nbrk || g->brk[g->nbrk - 1] < at);
        if (g->nbrk == g->bcap) {
            g->bcap = g->bcap * 2 + 64;
            g->brk = realloc(g->brk, g->bcap * sizeof *g->brk);
        }
        g->brk[g->nbrk++] = at;
    }
    g->n += n;
}

/* Drops breaks at 0 and at n. */
static void got_trim(got *g)
{
    size_t k = 0;
    for (size_t j = 0; j < g->nbrk; j++)
        if (g->brk[j] != 0 && g->brk[j] != g->n)
            g->brk[k++] = g->brk[j];
    g->nbrk = k;
}

static double bx[C], by[C], bw[C], cx[C], cy[C], cw[C];
static uint32_t bb[C + 1];

/* Every chunk of input i through dataset_decode_breaks, checked against
 * dataset_decode's points. */
static got from_dataset(const dataset *ds, int i)
{
    got g = {0};
    dataset_reader *r = dataset_reader_create(ds);
    assert_non_null(r);
    bool w = dataset_has_w(ds);
    uint64_t k0 = dataset_input_first_chunk(ds, i);
    uint64_t k1 = i + 1 < dataset_inputs(ds) ? dataset_input_first_chunk(ds, i + 1) : dataset_chunks(ds);
    for (uint64_t k = k0; k < k1; k++) {
        size_t n = 0, nb = 0, n2 = 0;
        uint64_t rec = 0, nf = 0, rec2 = 0, nf2 = 0;
        vp_err err = {{0}};
        if (!dataset_decode_breaks(r, k, bx, by, w ? bw : NULL, &n, bb, &nb, &rec, &nf, &err))
            fail_msg("decode_breaks: %s", err.msg);
        if (!dataset_decode(r, k, cx, cy, w ? cw : NULL, &n2, &rec2, &nf2, &err))
            fail_msg("decode: %s", err.msg);
        assert_int_equal(n, n2);
        assert_int_equal(rec, rec2);
        assert_int_equal(nf, nf2);
        assert_memory_equal(bx, cx, n * sizeof *bx);
        assert_memory_equal(by, cy, n * sizeof *by);
        if (w)
            assert_memory_equal(bw, cw, n * sizeof *bw);
        got_add_chunk(&g, bx, by, n, bb, nb);
    }
    dataset_reader_destroy(r);
    got_trim(&g);
    return g;
}

static got from_memcols(const memcols *m)
{
    got g = {0};
    for (uint64_t k = 0; k < memcols_chunks(m); k++) {
        size_t n = 0, nb = 0;
        uint64_t rec = 0, nf = 0;
        vp_err err = {{0}};
        assert_true(memcols_chunk_breaks(m, k, bx, by, NULL, &n, bb, &nb, &rec, &nf, "t", &err));
        got_add_chunk(&g, bx, by, n, bb, nb);
    }
    got_trim(&g);
    return g;
}

/* ---- what the test wrote -------------------------------------------------- */

/* Text written line by line, with the points and breaks it should give. */
typedef struct gen {
    char *text;
    size_t len, cap;
    got want;
    uint64_t rng, row;
} gen;

static void gen_put(gen *g, const char *s)
{
    size_t n = strlen(s);
    if (g->len + n + 1 > g->cap) {
        g->cap = (g->len + n + 1) * 2;
        g->text = realloc(g->text, g->cap);
    }
    memcpy(g->text + g->len, s, n + 1);
    g->len += n;
}

static void gen_break(gen *g)
{
    got *w = &g->want;
    if (w->nbrk && w->brk[w->nbrk - 1] == w->n)
        return;
    if (w->nbrk == w->bcap) {
        w->bcap = w->bcap * 2 + 64;
        w->brk = realloc(w->brk, w->bcap * sizeof *w->brk);
    }
    w->brk[w->nbrk++] = w->n;
}

enum { L_POINT, L_NAN, L_BAD, L_SEG, L_COMMENT, L_BLANK };

/* One line of kind k. Points: x = the row's number (an integer), y = a
 * multiple of 1/64: exact in the text. */
static void gen_line(gen *g, int k)
{
    char line[128];
    uint64_t h = tu_rand(&g->rng);
    double y = (double)(h % 100000) / 64.0 - 700;
    switch (k) {
    case L_POINT: {
        snprintf(line, sizeof line, "%llu,%.6f\n", (unsigned long long)g->row, y);
        got *w = &g->want;
        if (w->n == w->cap) {
            w->cap = w->cap * 2 + 1024;
            w->x = realloc(w->x, w->cap * sizeof *w->x);
            w->y = realloc(w->y, w->cap * sizeof *w->y);
        }
        w->x[w->n] = (double)g->row;
        w->y[w->n++] = y;
        g->row++;
        break;
    }
    case L_NAN: {
        static const char *const forms[] = {"nan,%.6f\n", "%.0f,inf\n", "-inf,%.6f\n", "%.0f,NaN\n"};
        snprintf(line, sizeof line, forms[h % 4], h % 4 == 1 || h % 4 == 3 ? (double)g->row : y);
        gen_break(g);
        g->row++;
        break;
    }
    case L_BAD: {
        static const char *const forms[] = {"abc,1\n", ",5\n", "7\n", "1,2x\n", "3,\n", "\"q\",4\n"};
        snprintf(line, sizeof line, "%s", forms[h % 6]);
        gen_break(g);
        break;
    }
    case L_SEG:
        snprintf(line, sizeof line, h % 2 ? "> segment %llu\n" : ">\n", (unsigned long long)h % 1000);
        gen_break(g);
        break;
    case L_COMMENT:
        snprintf(line, sizeof line, "# a comment\n");
        break;
    default:
        snprintf(line, sizeof line, h % 2 ? "\n" : "  \n");
        break;
    }
    gen_put(g, line);
}

/* A random line: mostly points, breaks now and then, runs of them too. */
static void gen_lines(gen *g, size_t lines, unsigned every)
{
    for (size_t i = 0; i < lines; i++) {
        uint64_t h = tu_rand(&g->rng) % every;
        if (h > 12) {
            gen_line(g, L_POINT);
        } else if (h < 6) {
            gen_line(g, (int)h);
        } else { /* a run of breaks, comments and blanks between them */
            int n = 2 + (int)(h % 4);
            for (int j = 0; j < n; j++)
                gen_line(g, (int)(tu_rand(&g->rng) % 6));
        }
    }
}

static void gen_free(gen *g)
{
    free(g->text);
    got_free(&g->want);
}

static void trimmed_want(const gen *g, got *w)
{
    *w = g->want;
    w->brk = malloc((w->nbrk + 1) * sizeof *w->brk);
    if (w->nbrk)
        memcpy(w->brk, g->want.brk, w->nbrk * sizeof *w->brk);
    w->x = w->y = NULL;
    got_trim(w);
}

static void expect_same(const got *a, const got *want, const char *what)
{
    if (a->n != want->n)
        fail_msg("%s: %zu points, want %zu", what, a->n, want->n);
    if (want->x) {
        for (size_t i = 0; i < a->n; i++)
            if (a->x[i] != want->x[i] || a->y[i] != want->y[i])
                fail_msg("%s: point %zu is (%g, %g), want (%g, %g)", what, i, a->x[i], a->y[i],
                         want->x[i], want->y[i]);
    }
    size_t i = 0;
    for (; i < a->nbrk && i < want->nbrk; i++)
        if (a->brk[i] != want->brk[i])
            break;
    if (i < a->nbrk || i < want->nbrk)
        fail_msg("%s: %zu breaks, want %zu; the %zu-th is %lld, want %lld", what, a->nbrk, want->nbrk,
                 i, i < a->nbrk ? (long long)a->brk[i] : -1LL,
                 i < want->nbrk ? (long long)want->brk[i] : -1LL);
}

static void expect_want(const got *a, const gen *g, const char *what)
{
    got w;
    trimmed_want(g, &w);
    w.x = g->want.x;
    w.y = g->want.y;
    expect_same(a, &w, what);
    free(w.brk);
}

static const char *write_gen(const char *name, const gen *g, char *path)
{
    snprintf(path, 4096, "%s", tu_path(g_dir, name));
    tu_write_file(path, g->text, g->len);
    return path;
}

/* ---- binary ------------------------------------------------------------------ */

static void test_binary_f32(void **state)
{
    (void)state;
    const size_t N = 6 * C + 777;
    float *rec = malloc(N * 2 * sizeof *rec);
    bool *bad = calloc(N, sizeof *bad);
    uint64_t rng = 11;
    for (size_t i = 0; i < N; i++) {
        rec[2 * i] = (float)i;
        rec[2 * i + 1] = (float)(tu_rand(&rng) % 1000) * 0.25f;
        bad[i] = tu_rand(&rng) % 301 == 0;
    }
    const size_t at[] = {0, 1, C - 1, C, 2 * C - 1, 3 * C, 4 * C - 1, 4 * C + 1, N - 1};
    for (size_t j = 0; j < sizeof at / sizeof at[0]; j++)
        bad[at[j]] = true;
    for (size_t i = 2 * C - 7; i < 2 * C + 9; i++) /* a run across a boundary */
        bad[i] = true;
    for (size_t i = 5 * C; i < 6 * C; i++) /* a whole chunk */
        bad[i] = true;
    for (size_t i = 0; i < N; i++)
        if (bad[i])
            rec[2 * i + (i % 3 == 0)] = i % 2 ? NAN : -INFINITY;
    char path[4096];
    snprintf(path, sizeof path, "%s", tu_path(g_dir, "nan.f32"));
    tu_write_file(path, rec, N * 2 * sizeof *rec);

    dataset_params p = {.binary = {.ycol = -1}, .no_cache = true};
    const char *paths[] = {path};
    dataset *ds = NULL;
    vp_err err = {{0}};
    if (!dataset_create_inputs(paths, 1, &p, &ds, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(dataset_chunks(ds), 7);
    dataset_reader *r = dataset_reader_create(ds);
    uint64_t total_brk = 0;
    for (uint64_t k = 0; k < 7; k++) {
        size_t n = 0, nb = 0, n2 = 0;
        uint64_t records = 0, nf = 0, r2 = 0, nf2 = 0;
        assert_true(dataset_decode_breaks(r, k, bx, by, NULL, &n, bb, &nb, &records, &nf, &err));
        assert_true(dataset_decode(r, k, cx, cy, NULL, &n2, &r2, &nf2, &err));
        assert_int_equal(n, n2);
        assert_int_equal(nf, nf2);
        assert_memory_equal(bx, cx, n * sizeof *bx);
        assert_memory_equal(by, cy, n * sizeof *by);
        /* the chunk's own: a run of skipped records is one break where it lay */
        static uint32_t want[C + 1];
        size_t nw = 0, kept = 0;
        size_t end = (k + 1) * C < N ? (k + 1) * C : N;
        for (size_t i = k * C; i < end; i++) {
            if (!bad[i]) {
                assert_true(bx[kept] == (double)i);
                kept++;
            } else if (i == k * C || !bad[i - 1]) {
                want[nw++] = (uint32_t)kept;
            }
        }
        assert_int_equal(n, kept);
        assert_int_equal(nb, nw);
        assert_memory_equal(bb, want, nw * sizeof *want);
        total_brk += nb;
    }
    assert_true(total_brk > 100);
    /* chunk 0 begins with a NaN: a break at 0; chunk 3's last record: at n */
    size_t n = 0, nb = 0;
    uint64_t records = 0, nf = 0;
    assert_true(dataset_decode_breaks(r, 0, bx, by, NULL, &n, bb, &nb, &records, &nf, &err));
    assert_true(nb > 0 && bb[0] == 0);
    assert_true(dataset_decode_breaks(r, 3, bx, by, NULL, &n, bb, &nb, &records, &nf, &err));
    assert_true(nb > 1 && bb[0] == 0 && bb[nb - 1] == n);
    assert_true(dataset_decode_breaks(r, 5, bx, by, NULL, &n, bb, &nb, &records, &nf, &err));
    assert_int_equal(n, 0);
    assert_int_equal(nb, 1);
    dataset_reader_destroy(r);
    dataset_destroy(ds);
    free(rec);
    free(bad);
}

/* f64 records of 3 columns with w: a NaN w skips its record too. */
static void test_binary_w(void **state)
{
    (void)state;
    const size_t N = 2 * C + 100;
    double *rec = malloc(N * 3 * sizeof *rec);
    bool *bad = calloc(N, sizeof *bad);
    uint64_t rng = 5;
    for (size_t i = 0; i < N; i++) {
        rec[3 * i] = (double)i;
        rec[3 * i + 1] = tu_rand_unit(&rng);
        rec[3 * i + 2] = tu_rand_unit(&rng);
        bad[i] = tu_rand(&rng) % 97 == 0 || i == C - 1;
        if (bad[i])
            rec[3 * i + 2] = NAN;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s", tu_path(g_dir, "w.f64"));
    tu_write_file(path, rec, N * 3 * sizeof *rec);
    dataset_params p = {.binary = {.dtype = VP_F64, .columns = 3, .ycol = 1, .has_w = true, .wcol = 2},
                        .binary_given = true, .no_cache = true};
    const char *paths[] = {path};
    dataset *ds = NULL;
    vp_err err = {{0}};
    if (!dataset_create_inputs(paths, 1, &p, &ds, &err))
        fail_msg("%s", err.msg);
    got g = from_dataset(ds, 0);
    got w = {0};
    for (size_t i = 0; i < N; i++) {
        if (!bad[i]) {
            w.n++;
        } else if (w.nbrk == 0 || w.brk[w.nbrk - 1] != w.n) {
            w.brk = realloc(w.brk, (w.nbrk + 1) * sizeof *w.brk);
            w.brk[w.nbrk++] = w.n;
        }
    }
    got_trim(&w);
    expect_same(&g, &w, "f64 with w");
    assert_true(g.nbrk > 100);
    got_free(&g);
    got_free(&w);
    dataset_destroy(ds);
    free(rec);
    free(bad);
}

/* ---- text ---------------------------------------------------------------------- */

static gen big_csv(void)
{
    gen g = {.rng = 99};
    gen_put(&g, "x,y\n");
    gen_line(&g, L_POINT);
    gen_lines(&g, 700000, 400);
    return g;
}

static void test_csv_threads_and_cache(void **state)
{
    (void)state;
    gen g = big_csv();
    assert_true(g.len > (size_t)12 << 20);
    char path[4096];
    write_gen("big.csv", &g, path);
    const char *paths[] = {path};
    vp_err err = {{0}};
    got fresh[2];
    for (int t = 0; t < 2; t++) {
        dataset_params p = {.binary = {.ycol = -1}, .no_cache = true, .threads = t ? 4 : 1,
                            .text = {.xcol = "x", .ycol = "y"}};
        dataset *ds = NULL;
        if (!dataset_create_inputs(paths, 1, &p, &ds, &err))
            fail_msg("%s", err.msg);
        fresh[t] = from_dataset(ds, 0);
        expect_want(&fresh[t], &g, t ? "csv, 4 threads" : "csv, 1 thread");
        if (t) { /* text_par cut it: parts end in short chunks */
            bool short_chunk = false;
            for (uint64_t k = 0; k + 1 < dataset_chunks(ds); k++)
                short_chunk |= dataset_chunk_records(ds, k) < C;
            assert_true(short_chunk);
        }
        dataset_destroy(ds);
    }
    assert_true(fresh[0].nbrk > 1000);
    expect_same(&fresh[1], &fresh[0], "4 threads against 1");

    /* the column cache: stored, then hit; the hit's chunks and breaks are the
     * stored parse's, chunk by chunk */
    char cdir[4096];
    snprintf(cdir, sizeof cdir, "%s/cols", g_dir);
    setenv("VASTPLOT_CACHE_DIR", cdir, 1);
    setenv("VASTPLOT_CACHE_MIN_BYTES", "0", 1);
    dataset_params p = {.binary = {.ycol = -1}, .threads = 4, .text = {.xcol = "x", .ycol = "y"}};
    dataset *stored = NULL, *hit = NULL;
    assert_true(dataset_create_inputs(paths, 1, &p, &stored, &err));
    assert_int_equal(dataset_cache(stored, 0), DATASET_CACHE_STORED);
    assert_true(dataset_create_inputs(paths, 1, &p, &hit, &err));
    assert_int_equal(dataset_cache(hit, 0), DATASET_CACHE_HIT);
    assert_int_equal(dataset_chunks(stored), dataset_chunks(hit));
    dataset_reader *ra = dataset_reader_create(stored), *rb = dataset_reader_create(hit);
    static uint32_t b2[C + 1];
    for (uint64_t k = 0; k < dataset_chunks(hit); k++) {
        size_t n1 = 0, n2 = 0, nb1 = 0, nb2 = 0;
        uint64_t r1 = 0, r2 = 0, f1 = 0, f2 = 0;
        assert_true(dataset_decode_breaks(ra, k, bx, by, NULL, &n1, bb, &nb1, &r1, &f1, &err));
        assert_true(dataset_decode_breaks(rb, k, cx, cy, NULL, &n2, b2, &nb2, &r2, &f2, &err));
        assert_int_equal(n1, n2);
        assert_int_equal(nb1, nb2);
        assert_int_equal(r1, r2);
        assert_memory_equal(bb, b2, nb1 * sizeof *bb);
        assert_memory_equal(bx, cx, n1 * sizeof *bx);
    }
    dataset_reader_destroy(ra);
    dataset_reader_destroy(rb);
    got gh = from_dataset(hit, 0);
    expect_want(&gh, &g, "csv from the column cache");
    got_free(&gh);
    dataset_destroy(stored);
    dataset_destroy(hit);
    unsetenv("VASTPLOT_CACHE_DIR");
    unsetenv("VASTPLOT_CACHE_MIN_BYTES");
    got_free(&fresh[0]);
    got_free(&fresh[1]);
    gen_free(&g);
}

/* text_par's parts into memcols parts, as dataset.c does it. */
typedef struct par_ctx {
    memcols *m;
} par_ctx;

static bool par_emit(void *ctx, int part, const double *x, const double *y, const double *w, size_t n,
                     vp_err *err)
{
    (void)err;
    return memcols_append_part(((par_ctx *)ctx)->m, part, x, y, w, n);
}

static bool par_done(void *ctx, int part, vp_err *err)
{
    (void)err;
    memcols_part_done(((par_ctx *)ctx)->m, part);
    return true;
}

static bool par_brk(void *ctx, int part, vp_err *err)
{
    (void)err;
    return memcols_break_part(((par_ctx *)ctx)->m, part);
}

/* Many small parts: split points inside runs of breaks, right before and
 * right after them. */
static void test_many_parts(void **state)
{
    (void)state;
    for (int round = 0; round < 6; round++) {
        gen g = {.rng = 1000 + (uint64_t)round};
        gen_put(&g, "x,y\n");
        gen_line(&g, L_POINT);
        gen_line(&g, L_POINT);
        for (int block = 0; block < 8; block++) {
            gen_lines(&g, 4000, round % 2 ? 20 : 60);
            /* parts with no row at all: comments only (no break), or one
             * break among comments, or many breaks */
            for (int j = 0; j < 2500; j++)
                gen_line(&g, block % 3 == 0 ? L_COMMENT + j % 2
                             : block % 3 == 1 ? (j == 1300 ? L_SEG : L_COMMENT)
                                              : L_BAD + (int)(tu_rand(&g.rng) % 4));
        }
        char path[4096], name[64];
        snprintf(name, sizeof name, "parts%d.csv", round);
        write_gen(name, &g, path);
        int fd = open(path, O_RDONLY);
        assert_true(fd >= 0);
        const int threads = 64;
        memcols *m = memcols_create(false);
        assert_true(memcols_set_parts(m, threads));
        par_ctx pc = {m};
        text_par_sink sink = {par_emit, par_done, &pc, NULL, par_brk};
        text_par_tuning tune = {.piece_bytes = 97 + 31 * (size_t)round,
                                .min_part_bytes = 1000 + 700 * (uint64_t)round};
        text_params tp = {.xcol = "x", .ycol = "y"};
        int nparts = 0;
        text_stats st;
        vp_err err = {{0}};
        if (!text_parse_file_tuned(fd, path, 0, g.len, &tp, threads, &tune, &sink, &nparts, &st, &err))
            fail_msg("%s", err.msg);
        for (int q = nparts; q < threads; q++)
            memcols_part_done(m, q);
        assert_true(nparts > 8);
        got a = from_memcols(m);
        char what[64];
        snprintf(what, sizeof what, "%d parts (round %d)", nparts, round);
        expect_want(&a, &g, what);
        got_free(&a);
        memcols_destroy(m);
        close(fd);
        gen_free(&g);
    }
}

static void test_stdin_text(void **state)
{
    (void)state;
    gen g = {.rng = 7};
    gen_put(&g, "x,y\n");
    gen_line(&g, L_POINT);
    gen_lines(&g, 100000, 50);
    char path[4096];
    write_gen("in.csv", &g, path);
    int saved = dup(0), fd = open(path, O_RDONLY);
    assert_true(saved >= 0 && fd >= 0);
    assert_int_equal(dup2(fd, 0), 0);
    close(fd);
    dataset_params p = {.binary = {.ycol = -1}, .no_cache = true, .text = {.xcol = "x", .ycol = "y"}};
    const char *paths[] = {"-"};
    dataset *ds = NULL;
    vp_err err = {{0}};
    bool ok = dataset_create_inputs(paths, 1, &p, &ds, &err);
    dup2(saved, 0);
    close(saved);
    if (!ok)
        fail_msg("%s", err.msg);
    got a = from_dataset(ds, 0);
    expect_want(&a, &g, "standard input");
    assert_true(a.nbrk > 100);
    got_free(&a);
    dataset_destroy(ds);
    gen_free(&g);
}

/* ---- a followed file ------------------------------------------------------------- */

static void append_text(const char *path, const char *s, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, s, n), (ssize_t)n);
    close(fd);
}

static void poll_and_check(dataset *ds, const gen *g, const char *what)
{
    follow_event ev;
    vp_err err = {{0}};
    if (!dataset_follow_poll(ds, &ev, &err))
        fail_msg("poll: %s", err.msg);
    got a = from_dataset(ds, 0);
    expect_want(&a, g, what);
    got_free(&a);
}

static void test_follow(void **state)
{
    (void)state;
    char path[4096];
    snprintf(path, sizeof path, "%s", tu_path(g_dir, "grow.csv"));
    unlink(path);
    gen g = {.rng = 3};
    gen_put(&g, "x,y\n");
    for (int i = 0; i < 12; i++)
        gen_line(&g, L_POINT);
    append_text(path, g.text, g.len);
    dataset_params p = {.binary = {.ycol = -1}, .text = {.xcol = "x", .ycol = "y"}};
    dataset *ds = NULL;
    vp_err err = {{0}};
    if (!dataset_create_follow(path, &p, &ds, &err))
        fail_msg("%s", err.msg);
    poll_and_check(ds, &g, "first");
    char what[64];
    for (int step = 0; step < 40; step++) {
        size_t from = g.len;
        int kind = step % 5;
        if (kind == 0) { /* ends with '>' lines: the break waits for the next rows */
            gen_lines(&g, 50 + (size_t)step * 97, 30);
            gen_line(&g, L_SEG);
        } else if (kind == 1) { /* starts with a bad row, then '>' */
            gen_line(&g, L_BAD);
            gen_line(&g, L_SEG);
            gen_lines(&g, 3000 + (size_t)step * 1000, 200);
        } else if (kind == 2) { /* one row, then a break */
            gen_line(&g, L_POINT);
            gen_line(&g, L_NAN);
        } else if (kind == 3) { /* past a chunk's end, ending with a point */
            gen_lines(&g, C + 500, 1000);
            gen_line(&g, L_POINT);
        } else { /* a break first, after rows already sealed for readers */
            gen_line(&g, L_COMMENT);
            gen_line(&g, L_BLANK);
            gen_line(&g, step % 2 ? L_SEG : L_BAD);
            gen_lines(&g, 10, 4);
        }
        append_text(path, g.text + from, g.len - from);
        snprintf(what, sizeof what, "after append %d", step);
        poll_and_check(ds, &g, what);
    }
    /* a line cut across two appends: nothing of it until its end comes */
    size_t from = g.len;
    gen_line(&g, L_SEG);
    gen_line(&g, L_POINT);
    gen_line(&g, L_POINT);
    size_t cut = g.len - 4;
    append_text(path, g.text + from, cut - from);
    append_text(path, g.text + cut, g.len - cut);
    poll_and_check(ds, &g, "after a cut line");
    assert_true(g.want.nbrk > 100);
    dataset_destroy(ds);
    gen_free(&g);
}

/* The text parser alone: '>' lines and bad rows are told once per run, after
 * the rows before them; '#' comments, blanks and the header are not. */
typedef struct tally {
    uint64_t rows;
    uint64_t brk[64];
    int nbrk;
} tally;

static bool tally_emit(void *ctx, const double *x, const double *y, const double *w, size_t n,
                       vp_err *err)
{
    (void)x, (void)y, (void)w, (void)err;
    ((tally *)ctx)->rows += n;
    return true;
}

static bool tally_brk(void *ctx, vp_err *err)
{
    (void)err;
    tally *t = ctx;
    t->brk[t->nbrk++] = t->rows;
    return true;
}

static void test_text_sink_breaks(void **state)
{
    (void)state;
    const char *text = "# head\nx,y\n> first\n1,1\n2,2\n\n# c\n3,3\n>\n> again\nbad,1\n4,4\nnan,5\n"
                       "6,6\n7\n8,8\n  > indented\n9,9\n>";
    for (size_t piece = 1; piece <= strlen(text); piece++) {
        text_parser *t = NULL;
        vp_err err = {{0}};
        assert_true(text_parser_create(NULL, &t, &err));
        tally c = {0};
        text_sink s = {tally_emit, &c, tally_brk};
        for (size_t at = 0; at < strlen(text); at += piece) {
            size_t n = strlen(text) - at < piece ? strlen(text) - at : piece;
            assert_true(text_parser_feed(t, text + at, n, &s, &err));
        }
        assert_true(text_parser_finish(t, &s, &err));
        /* "> first"; ">", "> again", "bad,1" (one run); "7"; "  > indented";
         * the last ">" (nan,5 is a row: the sink's business) */
        const uint64_t want[] = {0, 3, 6, 7, 8};
        assert_int_equal(c.rows, 8);
        assert_int_equal(c.nbrk, 5);
        for (int i = 0; i < 5; i++)
            assert_int_equal(c.brk[i], want[i]);
        text_parser_destroy(t);
    }
}

int main(void)
{
    g_dir = tu_tmpdir("test_breaks");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_sink_breaks),
        cmocka_unit_test(test_binary_f32),
        cmocka_unit_test(test_binary_w),
        cmocka_unit_test(test_many_parts),
        cmocka_unit_test(test_stdin_text),
        cmocka_unit_test(test_follow),
        cmocka_unit_test(test_csv_threads_and_cache),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
