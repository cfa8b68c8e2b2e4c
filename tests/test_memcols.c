/* memcols (src/load/memcols.h): columns held in memory up to a budget and
 * spilled to a file past it. Every chunk read back equals what was appended
 * (finite rows, in order, per chunk), whether it stayed in memory, went to
 * the file as float32 or as decimal int32 mantissas (exact values only) or as
 * float64; parts written by
 * several threads at once show in part order; a spill file that fails
 * (/dev/full) keeps the rows in memory and says why; a truncation drops
 * exactly the chunks after the mark; a file written with `all` reopens with
 * memcols_create_from_file to the same chunks, and a flipped byte there is an
 * error. With w: the third column comes back bit for bit in each of the three
 * forms, a row with a non-finite w is not stored, each chunk knows its w
 * range, and the byte sum covers w.
 *
 * Also the dataset over such columns (dataset.h): text inputs with w by name
 * and index, category labels renumbered over several inputs, the refusals
 * (labels and codes mixed, too many labels in all, a binary input given w by
 * name, w for some inputs only), the w range known without a pass, and the
 * column cache (colcache.h) giving back the same w and labels on a hit. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
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

#include "core/util.h"
#include "load/dataset.h"
#include "load/memcols.h"
#include "testutil.h"

#define CH DATASET_CHUNK_RECORDS

/* Row i of stream s: a mix of float32-exact values, decimals and non-finite rows. */
static void row(int s, uint64_t i, double *x, double *y)
{
    uint64_t h = vp_mix64(i * 7919 + (uint64_t)s);
    *x = (i / CH) % 3 == 0 ? (double)(int)(h % 1000) : (double)(h % 100000) / 7.0;
    *y = (i / CH) % 2 == 0 ? (double)(float)((double)(h >> 20) * 1e-9) : (double)(h >> 11) * 1e-12;
    if (h % 97 == 0)
        *x = NAN;
    if (h % 89 == 0)
        *y = INFINITY;
}

static int tmp_fd(void)
{
    char name[] = "/tmp/test_memcols-XXXXXX";
    int fd = mkstemp(name);
    assert_true(fd >= 0);
    unlink(name);
    return fd;
}

static void append_rows(memcols *m, int part, int s, uint64_t n)
{
    double x[1000], y[1000];
    for (uint64_t i = 0; i < n;) {
        size_t k = 0;
        for (; k < 1000 && i < n; k++, i++)
            row(s, i, &x[k], &y[k]);
        assert_true(memcols_append_part(m, part, x, y, NULL, k));
    }
}

/* Chunks [k0, k0 + nchunks) of m hold stream s's rows 0..n-1. */
static void expect_rows(const memcols *m, uint64_t k0, int s, uint64_t n)
{
    double *x = malloc(CH * sizeof *x), *y = malloc(CH * sizeof *y);
    uint64_t i = 0, chunks = (n + CH - 1) / CH;
    for (uint64_t k = k0; k < k0 + chunks; k++) {
        size_t got;
        uint64_t records = 0, nonfinite = 0;
        vp_err err = {0};
        assert_true(memcols_chunk(m, k, x, y, NULL, &got, &records, &nonfinite, "t", &err));
        assert_int_equal(records, memcols_chunk_records(m, k));
        size_t j = 0;
        uint64_t stop = i + records;
        for (; i < stop; i++) {
            double a, b;
            row(s, i, &a, &b);
            if (!isfinite(a) || !isfinite(b))
                continue;
            assert_true(j < got);
            assert_memory_equal(&x[j], &a, sizeof a);
            assert_memory_equal(&y[j], &b, sizeof b);
            j++;
        }
        assert_int_equal(j, got);
        assert_int_equal(nonfinite, records - got);
    }
    assert_int_equal(i, n);
    free(x);
    free(y);
}

static void test_spill_budget(void **state)
{
    (void)state;
    memcols *m = memcols_create(false);
    memcols_spill_to(m, tmp_fd(), 0, false, 3 * CH * 16); /* three chunks in memory, the rest spilled */
    uint64_t n = 10 * CH + 123;
    append_rows(m, 0, 1, n);
    memcols_seal(m);
    assert_int_equal(memcols_chunks(m), 11);
    assert_int_equal(memcols_records(m), n);
    assert_true(memcols_mem_bytes(m) <= 3 * CH * 16);
    assert_true(memcols_spill_end(m) > 0);
    assert_int_equal(memcols_spill_errno(m), 0);
    expect_rows(m, 0, 1, n);
    memcols_destroy(m);
}

static void test_float32_only_when_exact(void **state)
{
    (void)state;
    memcols *m = memcols_create(false);
    memcols_spill_to(m, tmp_fd(), 0, true, 1);
    append_rows(m, 0, 2, 6 * CH);
    memcols_seal(m);
    memcols_entry *e;
    uint64_t n;
    assert_true(memcols_entries(m, &e, &n));
    assert_int_equal(n, 6);
    for (uint64_t k = 0; k < n; k++) {
        assert_int_equal(e[k].xbytes, k % 3 == 0 ? 4 : 8); /* integers fit float32 */
        assert_int_equal(e[k].ybytes, k % 2 == 0 ? 4 : 8);
    }
    free(e);
    expect_rows(m, 0, 2, 6 * CH);
    memcols_destroy(m);
}

/* Decimal text values (what strtod makes of "%.6f") are stored as int32
 * mantissas and read back bit for bit; a column with -0.0 or a value needing
 * more digits is not. */
/* Chunk c's values: what strtod makes of "%.6f" and "%.3f" text; chunk 1 has
 * a -0.0 in x, chunk 2 a value with ten decimals in y. */
static void decimal_chunk(int c, double *x, double *y)
{
    for (uint32_t i = 0; i < CH; i++) {
        char t[64];
        uint64_t h = vp_mix64(i + 100000u * (uint64_t)c);
        snprintf(t, sizeof t, "%.6f", (double)(h % 360000000) / 1e6 - 180);
        x[i] = strtod(t, NULL);
        snprintf(t, sizeof t, "%.3f", (double)(h >> 40) / 1e3 - 5000);
        y[i] = strtod(t, NULL);
    }
    if (c == 1)
        x[77] = -0.0; /* the sign would be lost */
    if (c == 2)
        y[5] = 0.1234567891; /* ten decimals */
}

static void test_decimal_columns(void **state)
{
    (void)state;
    memcols *m = memcols_create(false);
    memcols_spill_to(m, tmp_fd(), 0, true, 1);
    double *x = malloc(CH * sizeof *x), *y = malloc(CH * sizeof *y);
    for (int c = 0; c < 3; c++) {
        decimal_chunk(c, x, y);
        assert_true(memcols_append(m, x, y, NULL, CH));
    }
    memcols_seal(m);
    memcols_entry *e;
    uint64_t n;
    assert_true(memcols_entries(m, &e, &n));
    assert_int_equal(n, 3);
    assert_int_equal(e[0].xdec, 7);
    assert_int_equal(e[0].ydec, 4);
    assert_int_equal(e[0].xbytes, 4);
    assert_int_equal(e[1].xdec, 0);
    assert_int_equal(e[1].xbytes, 8);
    assert_int_equal(e[2].ydec, 0);
    assert_int_equal(e[2].ybytes, 8);
    double *rx = malloc(CH * sizeof *rx), *ry = malloc(CH * sizeof *ry);
    for (int c = 0; c < 3; c++) {
        decimal_chunk(c, x, y); /* the same values again */
        size_t got;
        uint64_t records = 0, nonfinite = 0;
        vp_err err = {0};
        assert_true(memcols_chunk(m, (uint64_t)c, rx, ry, NULL, &got, &records, &nonfinite, "t", &err));
        assert_int_equal(got, CH);
        assert_memory_equal(rx, x, CH * sizeof *x);
        assert_memory_equal(ry, y, CH * sizeof *y);
    }
    free(e);
    free(x);
    free(y);
    free(rx);
    free(ry);
    memcols_destroy(m);
}

static void test_full_disk_keeps_rows(void **state)
{
    (void)state;
    int fd = open("/dev/full", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        skip();
    memcols *m = memcols_create(false);
    memcols_spill_to(m, fd, 0, true, 0);
    append_rows(m, 0, 3, 4 * CH + 5);
    memcols_seal(m);
    assert_int_equal(memcols_spill_errno(m), ENOSPC);
    memcols_entry *e;
    uint64_t n;
    assert_false(memcols_entries(m, &e, &n)); /* not a cache: chunks are in memory */
    expect_rows(m, 0, 3, 4 * CH + 5);
    memcols_destroy(m);
}

typedef struct part_job {
    memcols *m;
    int part;
    uint64_t n;
} part_job;

static void *write_part(void *arg)
{
    part_job *j = arg;
    append_rows(j->m, j->part, 10 + j->part, j->n);
    memcols_part_done(j->m, j->part);
    return NULL;
}

static void test_parts_show_in_order(void **state)
{
    (void)state;
    memcols *m = memcols_create(false);
    memcols_spill_to(m, tmp_fd(), 0, false, 2 * CH * 16);
    assert_true(memcols_set_parts(m, 3));
    uint64_t sizes[3] = {3 * CH + 7, 2 * CH, CH / 2};
    part_job jobs[3];
    pthread_t t[3];
    /* part 2 and 1 finish first: nothing of theirs shows before part 0 is done */
    for (int p = 2; p >= 1; p--) {
        jobs[p] = (part_job){m, p, sizes[p]};
        pthread_create(&t[p], NULL, write_part, &jobs[p]);
        pthread_join(t[p], NULL);
    }
    assert_int_equal(memcols_chunks(m), 0);
    jobs[0] = (part_job){m, 0, sizes[0]};
    pthread_create(&t[0], NULL, write_part, &jobs[0]);
    pthread_join(t[0], NULL);
    assert_int_equal(memcols_chunks(m), 4 + 2 + 1);
    expect_rows(m, 0, 10, sizes[0]);
    expect_rows(m, 4, 11, sizes[1]);
    expect_rows(m, 6, 12, sizes[2]);
    memcols_destroy(m);
}

static void test_truncate(void **state)
{
    (void)state;
    memcols *m = memcols_create(false);
    memcols_spill_to(m, tmp_fd(), 0, false, CH * 16);
    append_rows(m, 0, 4, 2 * CH);
    memcols_seal(m);
    uint64_t mark = memcols_chunks(m);
    append_rows(m, 0, 5, 3 * CH + 9); /* open chunk holds 9 rows */
    memcols_truncate(m, mark);
    assert_int_equal(memcols_chunks(m), mark);
    assert_int_equal(memcols_records(m), 2 * CH);
    append_rows(m, 0, 6, CH + 1);
    memcols_seal(m);
    expect_rows(m, 0, 4, 2 * CH);
    expect_rows(m, mark, 6, CH + 1);
    memcols_destroy(m);
}

static void test_reopen_and_damage(void **state)
{
    (void)state;
    int fd = tmp_fd();
    memcols *m = memcols_create(false);
    memcols_spill_to(m, dup(fd), 4096, true, 0);
    append_rows(m, 0, 7, 5 * CH + 77);
    memcols_seal(m);
    memcols_entry *e;
    uint64_t n;
    assert_true(memcols_entries(m, &e, &n));
    memcols_destroy(m);
    memcols *r = memcols_create_from_file(dup(fd), e, n, false, NULL, NULL);
    assert_non_null(r);
    assert_int_equal(memcols_records(r), 5 * CH + 77);
    expect_rows(r, 0, 7, 5 * CH + 77);
    double b[4];
    memcols_chunk_bbox(r, 2, b);
    assert_true(b[0] <= b[1] && b[2] <= b[3]);
    /* one flipped byte in chunk 3's data */
    unsigned char c;
    assert_int_equal(pread(fd, &c, 1, (off_t)e[3].off + 100), 1);
    c ^= 0x40;
    assert_int_equal(pwrite(fd, &c, 1, (off_t)e[3].off + 100), 1);
    double *x = malloc(CH * sizeof *x), *y = malloc(CH * sizeof *y);
    size_t got;
    uint64_t records = 0, nonfinite = 0;
    vp_err err = {0};
    assert_true(memcols_chunk(r, 2, x, y, NULL, &got, &records, &nonfinite, "t", &err));
    assert_false(memcols_chunk(r, 3, x, y, NULL, &got, &records, &nonfinite, "t", &err));
    assert_non_null(strstr(err.msg, "chunk 3"));
    free(x);
    free(y);
    free(e);
    memcols_destroy(r);
    close(fd);
}

/* ==== w ========================================================================== */

/* Chunk c's w: c % 4 == 0 float32-exact, 1 decimals ("%.3f"), 2 float64,
 * 3 float32-exact with non-finite values now and then. */
static double w_of(uint64_t i)
{
    uint64_t c = i / CH, h = vp_mix64(i * 31 + 5);
    switch (c % 4) {
    case 0: return (double)(int)(h % 2001) - 1000;
    case 1: {
        char t[32];
        snprintf(t, sizeof t, "%.3f", (double)(h % 2000000) / 1e3 - 1000);
        return strtod(t, NULL);
    }
    case 2: return (double)(h % 1000003) / 7.0;
    default: return h % 13 == 0 ? (h % 2 ? NAN : -INFINITY) : (double)(h % 64);
    }
}

static void append_w_rows(memcols *m, uint64_t n)
{
    double x[1000], y[1000], w[1000];
    for (uint64_t i = 0; i < n;) {
        size_t k = 0;
        for (; k < 1000 && i < n; k++, i++) {
            row(9, i, &x[k], &y[k]);
            w[k] = w_of(i);
        }
        assert_true(memcols_append(m, x, y, w, k));
    }
}

static void expect_w_rows(const memcols *m, uint64_t n)
{
    double *x = malloc(CH * sizeof *x), *y = malloc(CH * sizeof *y), *w = malloc(CH * sizeof *w);
    uint64_t i = 0;
    for (uint64_t k = 0; k < (n + CH - 1) / CH; k++) {
        size_t got;
        uint64_t records = 0, nonfinite = 0;
        vp_err err = {0};
        assert_true(memcols_chunk(m, k, x, y, w, &got, &records, &nonfinite, "t", &err));
        double lo = INFINITY, hi = -INFINITY, wr[2];
        size_t j = 0;
        for (uint64_t stop = i + records; i < stop; i++) {
            double a, b, c = w_of(i);
            row(9, i, &a, &b);
            if (!isfinite(a) || !isfinite(b) || !isfinite(c))
                continue;
            assert_true(j < got);
            assert_memory_equal(&x[j], &a, sizeof a);
            assert_memory_equal(&y[j], &b, sizeof b);
            assert_memory_equal(&w[j], &c, sizeof c);
            lo = fmin(lo, c);
            hi = fmax(hi, c);
            j++;
        }
        assert_int_equal(j, got);
        assert_int_equal(nonfinite, records - got);
        memcols_chunk_wrange(m, k, wr);
        assert_true(wr[0] == lo && wr[1] == hi);
    }
    assert_int_equal(i, n);
    free(x);
    free(y);
    free(w);
}

static void test_w_three_forms(void **state)
{
    (void)state;
    int fd = tmp_fd();
    memcols *m = memcols_create(true);
    assert_true(memcols_has_w(m));
    memcols_spill_to(m, dup(fd), 4096, true, 2 * CH * 24); /* all to the file, two kept in memory */
    uint64_t n = 8 * CH + 500;
    append_w_rows(m, n);
    memcols_seal(m);
    assert_int_equal(memcols_chunks(m), 9);
    assert_true(memcols_mem_bytes(m) <= 2 * CH * 24);
    expect_w_rows(m, n); /* from memory and from the file */
    memcols_entry *e;
    uint64_t ne;
    assert_true(memcols_entries(m, &e, &ne));
    assert_int_equal(ne, 9);
    for (uint64_t k = 0; k < ne; k++) {
        int form = (int)(k % 4);
        assert_int_equal(e[k].wbytes, form == 2 ? 8 : 4);
        if (form == 1)
            assert_int_equal(e[k].wdec, 4); /* 1 + three decimals */
        else if (form != 1)
            assert_int_equal(e[k].wdec, 0);
    }
    memcols_destroy(m);
    memcols *r = memcols_create_from_file(dup(fd), e, ne, true, NULL, NULL);
    assert_non_null(r);
    assert_int_equal(memcols_records(r), n);
    expect_w_rows(r, n); /* every chunk from the file */
    /* the sum covers w: a flipped byte in chunk 2's w column */
    uint64_t woff = e[2].off + (uint64_t)e[2].n * (e[2].xbytes + e[2].ybytes) + 8;
    unsigned char c;
    assert_int_equal(pread(fd, &c, 1, (off_t)woff), 1);
    c ^= 0x01;
    assert_int_equal(pwrite(fd, &c, 1, (off_t)woff), 1);
    double *x = malloc(CH * sizeof *x), *y = malloc(CH * sizeof *y), *w = malloc(CH * sizeof *w);
    size_t got;
    uint64_t records = 0, nonfinite = 0;
    vp_err err = {0};
    assert_true(memcols_chunk(r, 1, x, y, w, &got, &records, &nonfinite, "t", &err));
    assert_false(memcols_chunk(r, 2, x, y, w, &got, &records, &nonfinite, "t", &err));
    assert_non_null(strstr(err.msg, "chunk 2"));
    /* w NULL exactly when there is none */
    assert_false(memcols_chunk(r, 1, x, y, NULL, &got, &records, &nonfinite, "t", &err));
    assert_non_null(strstr(err.msg, "internal error"));
    memcols_destroy(r);
    m = memcols_create(false);
    double one = 1;
    assert_false(memcols_has_w(m));
    assert_true(memcols_append(m, &one, &one, NULL, 1));
    memcols_seal(m);
    double wr[2];
    memcols_chunk_wrange(m, 0, wr);
    assert_true(wr[0] > wr[1]);
    assert_false(memcols_chunk(m, 0, x, y, w, &got, &records, &nonfinite, "t", &err));
    memcols_destroy(m);
    m = memcols_create(true);
    assert_false(memcols_append(m, &one, &one, NULL, 1));
    memcols_destroy(m);
    free(x);
    free(y);
    free(w);
    free(e);
    close(fd);
}

/* ==== the dataset over columns: w, labels, the column cache ======================= */

static const char *g_dir;

/* Writes the file; its path in a buffer of the caller's (tu_path's rotate). */
static const char *write_text(const char *name, const char *text, char path[4096])
{
    snprintf(path, 4096, "%s", tu_path(g_dir, name));
    tu_write_file(path, text, strlen(text));
    return path;
}

/* All of ds decoded: x, y, w (n rows). */
typedef struct decoded {
    double *x, *y, *w;
    size_t n;
    uint64_t records, nonfinite;
} decoded;

static decoded decode_all(const dataset *ds)
{
    decoded d = {0};
    uint64_t nch = dataset_chunks(ds);
    size_t cap = (size_t)(nch ? nch : 1) * CH;
    d.x = malloc(cap * sizeof *d.x);
    d.y = malloc(cap * sizeof *d.y);
    d.w = malloc(cap * sizeof *d.w);
    assert_true(d.x && d.y && d.w);
    dataset_reader *r = dataset_reader_create(ds);
    for (uint64_t k = 0; k < nch; k++) {
        size_t n;
        vp_err err = {0};
        if (!dataset_decode(r, k, d.x + d.n, d.y + d.n, dataset_has_w(ds) ? d.w + d.n : NULL, &n,
                            &d.records, &d.nonfinite, &err))
            fail_msg("decode: %s", err.msg);
        d.n += n;
    }
    dataset_reader_destroy(r);
    return d;
}

static void decoded_free(decoded *d)
{
    free(d->x);
    free(d->y);
    free(d->w);
}

static void test_dataset_w_and_labels(void **state)
{
    (void)state;
    char pa[4096], pb[4096], pc[4096], pl1[4096], pl2[4096];
    const char *a = write_text("a.csv", "x,y,kind,v\n1,2,red,0.5\n3,4,blue,nan\n5,6,red,2\n"
                                        "7,8,,3\n9,10,\"green\",4\n", pa);
    const char *b = write_text("b.csv", "x,y,kind,v\n1,1,green,1\n2,2,black,1\n3,3,red,1\n", pb);
    dataset_params p = {.binary = {.ycol = -1}, .text = {.wcol = "kind", .w_category = true},
                        .no_cache = true, .threads = 2};
    const char *paths[] = {a, b};
    dataset *ds = NULL;
    vp_err err = {0};
    if (!dataset_create_inputs(paths, 2, &p, &ds, &err))
        fail_msg("%s", err.msg);
    assert_true(dataset_has_w(ds));
    const char *const *lab;
    assert_int_equal(dataset_labels(ds, &lab), 4);
    assert_string_equal(lab[0], "red");
    assert_string_equal(lab[1], "blue");
    assert_string_equal(lab[2], "green");
    assert_string_equal(lab[3], "black");
    decoded d = decode_all(ds);
    assert_int_equal(d.n, 7); /* the empty kind is a bad row */
    const double want_w[] = {0, 1, 0, 2, 2, 3, 0}, want_x[] = {1, 3, 5, 9, 1, 2, 3};
    for (size_t i = 0; i < 7; i++) {
        assert_true(d.w[i] == want_w[i]);
        assert_true(d.x[i] == want_x[i]);
    }
    double wr[2];
    assert_true(dataset_known_wrange(ds, wr));
    assert_true(wr[0] == 0 && wr[1] == 3);
    assert_true(dataset_chunk_wrange(ds, 1, wr)); /* b's: local 0..2 -> 2, 3, 0 */
    assert_true(wr[0] <= 0 && wr[1] >= 3);
    text_stats st;
    assert_true(dataset_text_stats(ds, 0, &st));
    assert_int_equal(st.skipped_rows, 1);
    assert_string_equal(st.first_bad_why, "empty field in column 2 (kind)");
    decoded_free(&d);
    dataset_destroy(ds);

    /* values: w by index; a NaN w is a non-finite record */
    p.text = (text_params){.wcol = "3"};
    assert_true(dataset_create_inputs(paths, 1, &p, &ds, &err));
    assert_int_equal(dataset_labels(ds, &lab), 0);
    d = decode_all(ds);
    assert_int_equal(d.n, 4);
    assert_int_equal(d.nonfinite, 1);
    assert_true(d.w[0] == 0.5 && d.w[1] == 2 && d.w[2] == 3 && d.w[3] == 4);
    assert_true(dataset_known_wrange(ds, wr));
    assert_true(wr[0] == 0.5 && wr[1] == 4);
    decoded_free(&d);
    dataset_destroy(ds);

    /* codes in one input, labels in another: refused */
    const char *c = write_text("c.csv", "x,y,kind\n1,1,0\n2,2,1\n", pc);
    const char *mix[] = {a, c};
    p.text = (text_params){.wcol = "kind", .w_category = true};
    assert_false(dataset_create_inputs(mix, 2, &p, &ds, &err));
    assert_non_null(strstr(err.msg, "holds category labels in column 2 (kind), but"));
    assert_non_null(strstr(err.msg, "c.csv holds category codes"));
    /* codes alone are numbers, no labels */
    assert_true(dataset_create_inputs(&c, 1, &p, &ds, &err));
    assert_int_equal(dataset_labels(ds, &lab), 0);
    dataset_destroy(ds);

    /* more than 64 labels over the inputs */
    char *big = malloc(100000);
    size_t len = (size_t)snprintf(big, 100000, "x,y,k\n");
    for (int i = 0; i < 40; i++)
        len += (size_t)snprintf(big + len, 100000 - len, "1,1,A%d\n", i);
    write_text("l1.csv", big, pl1);
    len = (size_t)snprintf(big, 100000, "x,y,k\n");
    for (int i = 0; i < 40; i++)
        len += (size_t)snprintf(big + len, 100000 - len, "1,1,B%d\n", i);
    write_text("l2.csv", big, pl2);
    free(big);
    const char *many[] = {pl1, pl2};
    p.text = (text_params){.wcol = "k", .w_category = true};
    assert_false(dataset_create_inputs(many, 2, &p, &ds, &err));
    assert_non_null(strstr(err.msg, "more than 64 categories in column 2 (k) over the inputs"));

    /* binary inputs: w by index only; all inputs with w or none */
    float raw[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    const char *f = tu_path(g_dir, "r.f32");
    tu_write_file(f, raw, sizeof raw);
    char fp[4096];
    snprintf(fp, sizeof fp, "%s", f);
    const char *bin[] = {fp};
    p = (dataset_params){.binary = {.columns = 3, .ycol = 1}, .text = {.wcol = "v"}, .no_cache = true};
    assert_false(dataset_create_inputs(bin, 1, &p, &ds, &err));
    assert_non_null(strstr(err.msg, "r.f32: binary records have no column names: give --value as a "
                                    "0-based index"));
    p.text = (text_params){.wcol = "2"}; /* digits: the binary column too */
    assert_true(dataset_create_inputs(bin, 1, &p, &ds, &err));
    assert_true(dataset_has_w(ds));
    assert_false(dataset_known_wrange(ds, wr)); /* a pass must find it */
    d = decode_all(ds);
    assert_int_equal(d.n, 3);
    assert_true(d.x[2] == 7 && d.y[2] == 8 && d.w[2] == 9);
    decoded_free(&d);
    dataset_destroy(ds);
    p.text = (text_params){0};
    p.binary = (source_params){.columns = 3, .ycol = 1, .has_w = true, .wcol = 0};
    const char *both[] = {fp, a};
    /* the text gets w = column 0 too, and then detection takes x, y from the
     * other numeric columns (y, v: one row has a NaN v) */
    assert_true(dataset_create_inputs(both, 2, &p, &ds, &err));
    d = decode_all(ds);
    assert_int_equal(d.n, 3 + 4);
    assert_true(d.w[0] == 1 && d.w[1] == 4 && d.w[3] == 1 && d.w[4] == 5);
    assert_true(d.x[3] == 2 && d.y[3] == 0.5);
    decoded_free(&d);
    dataset_destroy(ds);
    /* without w: as before */
    p.binary.has_w = false;
    assert_true(dataset_create_inputs(both, 2, &p, &ds, &err));
    assert_false(dataset_has_w(ds));
    assert_false(dataset_known_wrange(ds, wr));
    assert_false(dataset_chunk_wrange(ds, 1, wr));
    d = decode_all(ds);
    assert_int_equal(d.n, 3 + 5);
    decoded_free(&d);
    dataset_destroy(ds);
    assert_true(dataset_create_demo(1000, &ds, &err));
    assert_false(dataset_has_w(ds));
    assert_int_equal(dataset_labels(ds, &lab), 0);
    dataset_destroy(ds);
}

/* The column cache: a miss stores w (and labels), a hit gives the same back;
 * another w column or w_category is another entry. */
static void test_colcache_w(void **state)
{
    (void)state;
    char cdir[4096];
    snprintf(cdir, sizeof cdir, "%s/cols", g_dir);
    setenv("VASTPLOT_CACHE_DIR", cdir, 1);
    setenv("VASTPLOT_CACHE_MIN_BYTES", "0", 1);
    char *text = malloc(4u << 20);
    size_t len = (size_t)snprintf(text, 64, "lon,lat,kind,val\n");
    static const char *kinds[] = {"ash", "oak", "\"elm, wych\"", "fir", "yew"};
    for (int i = 0; i < 90000; i++) {
        uint64_t h = vp_mix64((uint64_t)i);
        len += (size_t)snprintf(text + len, 128, "%.6f,%.5f,%s,%.3f\n", (double)(h % 1000000) / 1e4,
                                (double)(h >> 40) / 1e5, kinds[(h >> 8) % (i < 1000 ? 2 : 5)],
                                (double)(h % 77777) / 1e3);
    }
    char path[4096], path2[4096];
    write_text("cached.csv", text, path);
    len = (size_t)snprintf(text, 64, "lon,lat,kind,val\n1,1,yew,1\n2,2,pine,2\n");
    write_text("second.csv", text, path2);
    free(text);
    const char *paths[] = {path2, path}; /* the cached one second: its labels renumbered */
    for (int kind = 0; kind < 2; kind++) {
        dataset_params p = {.binary = {.ycol = -1}, .threads = 2,
                            .text = {.wcol = kind ? "kind" : "val", .w_category = kind == 1}};
        dataset *miss = NULL, *hit = NULL;
        vp_err err = {0};
        assert_true(dataset_create_inputs(paths, 2, &p, &miss, &err));
        assert_int_equal(dataset_cache(miss, 1), DATASET_CACHE_STORED);
        assert_true(dataset_create_inputs(paths, 2, &p, &hit, &err));
        assert_int_equal(dataset_cache(hit, 1), DATASET_CACHE_HIT);
        decoded a = decode_all(miss), b = decode_all(hit);
        assert_int_equal(a.n, b.n);
        assert_true(a.n > 80000);
        assert_memory_equal(a.x, b.x, a.n * sizeof *a.x);
        assert_memory_equal(a.y, b.y, a.n * sizeof *a.y);
        assert_memory_equal(a.w, b.w, a.n * sizeof *a.w);
        const char *const *la, *const *lb;
        int na = dataset_labels(miss, &la), nb = dataset_labels(hit, &lb);
        assert_int_equal(na, kind ? 6 : 0);
        assert_int_equal(nb, na);
        for (int i = 0; i < na; i++)
            assert_string_equal(la[i], lb[i]);
        if (kind) {
            assert_string_equal(la[0], "yew");
            assert_string_equal(la[1], "pine");
            int elm = 0;
            for (int i = 0; i < na; i++)
                elm += !strcmp(la[i], "elm, wych");
            assert_int_equal(elm, 1);
            text_stats s1, s2;
            assert_true(dataset_text_stats(miss, 1, &s1) && dataset_text_stats(hit, 1, &s2));
            assert_true(s1.w_labels && s2.w_labels);
            assert_int_equal(s2.labels, 5);
            assert_int_equal(s1.data_rows, s2.data_rows);
        }
        double r1[2], r2[2];
        assert_true(dataset_known_wrange(miss, r1) && dataset_known_wrange(hit, r2));
        assert_true(r1[0] == r2[0] && r1[1] == r2[1]);
        decoded_free(&a);
        decoded_free(&b);
        dataset_destroy(miss);
        dataset_destroy(hit);
    }
    /* without w: its own entry, stored then hit */
    dataset_params p = {.binary = {.ycol = -1}, .threads = 2};
    dataset *ds;
    vp_err err = {0};
    const char *one[] = {path};
    assert_true(dataset_create_inputs(one, 1, &p, &ds, &err));
    assert_int_equal(dataset_cache(ds, 0), DATASET_CACHE_STORED);
    assert_false(dataset_has_w(ds));
    dataset_destroy(ds);
    assert_true(dataset_create_inputs(one, 1, &p, &ds, &err));
    assert_int_equal(dataset_cache(ds, 0), DATASET_CACHE_HIT);
    dataset_destroy(ds);
    unsetenv("VASTPLOT_CACHE_DIR");
    unsetenv("VASTPLOT_CACHE_MIN_BYTES");
}

int main(void)
{
    g_dir = tu_tmpdir("test_memcols");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_w_three_forms),
        cmocka_unit_test(test_dataset_w_and_labels),
        cmocka_unit_test(test_colcache_w),
        cmocka_unit_test(test_spill_budget),
        cmocka_unit_test(test_float32_only_when_exact),
        cmocka_unit_test(test_decimal_columns),
        cmocka_unit_test(test_full_disk_keeps_rows),
        cmocka_unit_test(test_parts_show_in_order),
        cmocka_unit_test(test_truncate),
        cmocka_unit_test(test_reopen_and_damage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
