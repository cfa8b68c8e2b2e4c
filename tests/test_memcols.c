/* memcols (src/load/memcols.h): columns held in memory up to a budget and
 * spilled to a file past it. Every chunk read back equals what was appended
 * (finite rows, in order, per chunk), whether it stayed in memory, went to
 * the file as float32 or as decimal int32 mantissas (exact values only) or as
 * float64; parts written by
 * several threads at once show in part order; a spill file that fails
 * (/dev/full) keeps the rows in memory and says why; a truncation drops
 * exactly the chunks after the mark; a file written with `all` reopens with
 * memcols_create_from_file to the same chunks, and a flipped byte there is an
 * error. */
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
    memcols *r = memcols_create_from_file(dup(fd), e, n, false, NULL);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
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
