/* Loader tests: dtype names, the .npy header parser on in-memory bytes, and
 * source_create/source_decode on raw and .npy files written here. Each test
 * table is a set of bit patterns; files get them byte by byte in the chosen
 * order (put_bits), and expected values are read from the patterns directly
 * (ref_from_bits), so nothing shares code with the kernels in source.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "load/dtype.h"
#include "load/npy.h"
#include "load/source.h"
#include "testutil.h"

static const char *dir(void)
{
    return tu_tmpdir("test_loader");
}

/* ---- reference encoding/decoding --------------------------------------------- */

static void put_bits(uint8_t *p, size_t size, vp_endian e, uint64_t bits)
{
    for (size_t i = 0; i < size; i++) {
        uint8_t b = (uint8_t)(bits >> (8 * i));
        p[e == VP_LITTLE ? i : size - 1 - i] = b;
    }
}

/* The value of a bit pattern of type t (held in the low bits of v). */
static double ref_from_bits(uint64_t v, vp_dtype t)
{
    size_t size = vp_dtype_size(t);
    switch (t) {
    case VP_F32: {
        uint32_t u = (uint32_t)v;
        float f;
        memcpy(&f, &u, 4);
        return f;
    }
    case VP_F64: {
        double d;
        memcpy(&d, &v, 8);
        return d;
    }
    case VP_I8:
    case VP_I16:
    case VP_I32:
    case VP_I64: {
        if (size < 8 && (v >> (8 * size - 1)) & 1)
            v |= ~(uint64_t)0 << (8 * size);
        int64_t s;
        memcpy(&s, &v, 8);
        return (double)s;
    }
    default:
        return (double)v;
    }
}

/* Values worth testing for each type, as bit patterns. */
static size_t specials(vp_dtype t, uint64_t out[16])
{
    size_t n = 0;
    switch (t) {
    case VP_F32: {
        const float f[] = {0.0f, -0.0f, 1.5f, -2.25f, FLT_MAX, -FLT_MAX, FLT_MIN, 1e-45f,
                           NAN, INFINITY, -INFINITY, 3.0f};
        for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
            uint32_t u;
            memcpy(&u, &f[i], 4);
            out[n++] = u;
        }
        out[n++] = 0x7fc00001u; /* a NaN with payload */
        out[n++] = 0xffc00000u; /* negative NaN */
        break;
    }
    case VP_F64: {
        const double d[] = {0.0, -0.0, 1.5, -2.25, DBL_MAX, -DBL_MAX, DBL_MIN, 5e-324,
                            NAN, INFINITY, -INFINITY, 1e300};
        for (size_t i = 0; i < sizeof d / sizeof d[0]; i++)
            memcpy(&out[n++], &d[i], 8);
        out[n++] = 0x7ff0000000000001ull; /* signalling NaN */
        break;
    }
    default: {
        size_t size = vp_dtype_size(t);
        uint64_t mask = size == 8 ? ~(uint64_t)0 : ((uint64_t)1 << (8 * size)) - 1;
        uint64_t top = (uint64_t)1 << (8 * size - 1);
        out[n++] = 0;
        out[n++] = 1;
        out[n++] = mask;           /* -1 / max unsigned */
        out[n++] = top;            /* min signed / 2^(bits-1) */
        out[n++] = top - 1;        /* max signed */
        out[n++] = mask - 1;
        out[n++] = 0x5a & mask;
        break;
    }
    }
    return n;
}

/* A table of R x C values of type t: specials at some places, random bits
 * elsewhere. Stored as bit patterns; layout applied when written. */
typedef struct table {
    vp_dtype t;
    size_t rows, cols;
    uint64_t *bits; /* row-major */
} table;

static table table_make(vp_dtype t, size_t rows, size_t cols, uint64_t seed)
{
    table tb = {t, rows, cols, calloc(rows * cols, sizeof(uint64_t))};
    assert_non_null(tb.bits);
    uint64_t sp[16];
    size_t nsp = specials(t, sp);
    size_t size = vp_dtype_size(t);
    uint64_t mask = size == 8 ? ~(uint64_t)0 : ((uint64_t)1 << (8 * size)) - 1;
    for (size_t i = 0; i < rows * cols; i++) {
        uint64_t r = tu_rand(&seed);
        tb.bits[i] = i % 5 == 0 ? sp[(i / 5) % nsp] : r & mask;
    }
    return tb;
}

/* Encodes the table into bytes, C (row-major) or Fortran (column-major). */
static uint8_t *table_bytes(const table *tb, vp_endian e, bool fortran, size_t *len)
{
    size_t size = vp_dtype_size(tb->t);
    *len = tb->rows * tb->cols * size;
    uint8_t *b = malloc(*len ? *len : 1);
    assert_non_null(b);
    for (size_t r = 0; r < tb->rows; r++)
        for (size_t c = 0; c < tb->cols; c++) {
            size_t at = fortran ? c * tb->rows + r : r * tb->cols + c;
            put_bits(b + at * size, size, e, tb->bits[r * tb->cols + c]);
        }
    return b;
}

static double table_value(const table *tb, size_t r, size_t c)
{
    return ref_from_bits(tb->bits[r * tb->cols + c], tb->t);
}

/* Expected output for records [rec0, rec0+n): xcol < 0 means x = index;
 * wcol >= 0: w too, and a record needs all three finite. */
static size_t table_expect(const table *tb, int xcol, int ycol, int wcol, size_t rec0, size_t n,
                           double *x, double *y, double *w, uint64_t *nonfinite)
{
    size_t k = 0;
    for (size_t r = rec0; r < rec0 + n; r++) {
        double xv = xcol < 0 ? (double)r : table_value(tb, r, (size_t)xcol);
        double yv = table_value(tb, r, (size_t)ycol);
        double wv = wcol < 0 ? 0 : table_value(tb, r, (size_t)wcol);
        if (!isfinite(xv) || !isfinite(yv) || !isfinite(wv)) {
            (*nonfinite)++;
            continue;
        }
        x[k] = xv;
        y[k] = yv;
        if (wcol >= 0)
            w[k] = wv;
        k++;
    }
    return k;
}

/* Bitwise, so -0.0 and 0.0 differ. */
static void assert_same_doubles(const double *a, const double *b, size_t n, const char *what)
{
    for (size_t i = 0; i < n; i++) {
        if (memcmp(&a[i], &b[i], sizeof(double)) != 0) {
            print_error("%s: element %zu: got %.17g, expected %.17g\n", what, i, a[i], b[i]);
            fail();
        }
    }
}

/* Decodes [rec0, rec0 + n) in calls of at most `chunk` records, and compares
 * with the table. */
static void check_decode(source *s, const table *tb, size_t rec0, size_t n, size_t chunk,
                         const char *what)
{
    const source_info *in = source_get_info(s);
    double *x = malloc((n + 1) * sizeof(double)), *y = malloc((n + 1) * sizeof(double));
    double *ex = malloc((n + 1) * sizeof(double)), *ey = malloc((n + 1) * sizeof(double));
    double *w = malloc((n + 1) * sizeof(double)), *ew = malloc((n + 1) * sizeof(double));
    assert_true(x && y && ex && ey && w && ew);
    bool has_w = in->wcol >= 0;
    source_reader *r = source_reader_create(s, chunk);
    assert_non_null(r);
    size_t got = 0;
    uint64_t nf = 0, enf = 0;
    for (size_t at = rec0; at < rec0 + n;) {
        size_t m = rec0 + n - at < chunk ? rec0 + n - at : chunk;
        size_t out = 99;
        vp_err e = {{0}};
        if (!source_decode(r, at, m, x + got, y + got, has_w ? w + got : NULL, &out, &nf, &e)) {
            print_error("%s: decode failed: %s\n", what, e.msg);
            fail();
        }
        assert_true(out <= m);
        got += out;
        at += m;
    }
    size_t want = table_expect(tb, in->xcol, in->ycol, in->wcol, rec0, n, ex, ey, ew, &enf);
    if (got != want || nf != enf) {
        print_error("%s: got %zu records (%" PRIu64 " non-finite), expected %zu (%" PRIu64 ")\n",
                    what, got, nf, want, enf);
        fail();
    }
    assert_same_doubles(x, ex, got, what);
    assert_same_doubles(y, ey, got, what);
    if (has_w)
        assert_same_doubles(w, ew, got, what);
    /* with w and without: the other is refused */
    size_t out;
    vp_err e = {{0}};
    if (n) {
        assert_false(source_decode(r, rec0, 1, x, y, has_w ? NULL : w, &out, &nf, &e));
        assert_msg_has(e, "internal error");
    }
    source_reader_destroy(r);
    free(x);
    free(y);
    free(ex);
    free(ey);
    free(w);
    free(ew);
}

static source *open_ok(const char *path, const source_params *p)
{
    source *s = NULL;
    vp_err e = {{0}};
    if (!source_create(path, p, &s, &e)) {
        print_error("source_create(%s) failed: %s\n", path, e.msg);
        fail();
    }
    assert_non_null(s);
    return s;
}

/* Expects source_create to fail with a message starting with the path and
 * containing `needle`. */
static void open_fails(const char *path, const source_params *p, const char *needle)
{
    source *s = (source *)(uintptr_t)1;
    vp_err e = {{0}};
    if (source_create(path, p, &s, &e)) {
        print_error("source_create(%s) succeeded; expected \"%s\"\n", path, needle);
        fail();
    }
    assert_null(s);
    if (strncmp(e.msg, path, strlen(path)) != 0) {
        print_error("message \"%s\" does not start with the path\n", e.msg);
        fail();
    }
    assert_msg_has(e, needle);
}

/* ---- .npy writing -------------------------------------------------------------- */

/* The header as numpy lays it out: magic, version, length, the dict padded
 * with spaces so that the data starts at a multiple of 64, then '\n'. */
static size_t npy_make_header(uint8_t *out, size_t cap, int version, const char *dict)
{
    size_t pre = version == 1 ? 10 : 12;
    size_t dlen = strlen(dict);
    size_t total = (pre + dlen + 1 + 63) / 64 * 64;
    assert_true(total <= cap);
    memcpy(out, "\x93NUMPY", 6);
    out[6] = (uint8_t)version;
    out[7] = 0;
    size_t hlen = total - pre;
    put_bits(out + 8, pre - 8, VP_LITTLE, hlen);
    memcpy(out + pre, dict, dlen);
    memset(out + pre + dlen, ' ', total - pre - dlen - 1);
    out[total - 1] = '\n';
    return total;
}

static void descr_of(vp_dtype t, vp_endian e, char out[8])
{
    size_t size = vp_dtype_size(t);
    char kind = vp_dtype_is_float(t) ? 'f' : t >= VP_U8 ? 'u' : 'i';
    snprintf(out, 8, "%c%c%zu", size == 1 ? '|' : e == VP_LITTLE ? '<' : '>', kind, size);
}

/* Writes header + data (+ extra bytes) to path. */
static void npy_write(const char *path, int version, const char *dict, const uint8_t *data,
                      size_t len, size_t extra)
{
    uint8_t *b = malloc(4096 + len + extra);
    assert_non_null(b);
    size_t h = npy_make_header(b, 4096, version, dict);
    if (len)
        memcpy(b + h, data, len);
    memset(b + h + len, 0xAB, extra);
    tu_write_file(path, b, h + len + extra);
    free(b);
}

/* ---- dtype ------------------------------------------------------------------------ */

static void test_dtype(void **state)
{
    (void)state;
    static const char *names[] = {"f32", "f64", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64"};
    static const char *longs[] = {"float32", "float64", "int8",   "int16",  "int32",
                                  "int64",   "uint8",   "uint16", "uint32", "uint64"};
    static const size_t sizes[] = {4, 8, 1, 2, 4, 8, 1, 2, 4, 8};
    for (int t = 0; t < VP_DTYPE_COUNT; t++) {
        vp_dtype got = VP_DTYPE_COUNT;
        assert_string_equal(vp_dtype_name((vp_dtype)t), names[t]);
        assert_int_equal(vp_dtype_size((vp_dtype)t), sizes[t]);
        assert_int_equal(vp_dtype_is_float((vp_dtype)t), t <= VP_F64);
        assert_true(vp_dtype_parse(names[t], &got));
        assert_int_equal(got, t);
        got = VP_DTYPE_COUNT;
        assert_true(vp_dtype_parse(longs[t], &got));
        assert_int_equal(got, t);
    }
    vp_dtype d;
    assert_false(vp_dtype_parse("f16", &d));
    assert_false(vp_dtype_parse("", &d));
    assert_false(vp_dtype_parse("F32", &d));
    assert_false(vp_dtype_parse("f32 ", &d));
    assert_false(vp_dtype_parse(NULL, &d));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    assert_int_equal(vp_host_endian(), VP_LITTLE);
#elif defined(__BYTE_ORDER__)
    assert_int_equal(vp_host_endian(), VP_BIG);
#endif
}

/* ---- raw files ----------------------------------------------------------------- */

/* Every dtype in both byte orders, three columns, several column choices,
 * decoded whole and in uneven chunks. */
static void test_raw_every_dtype(void **state)
{
    (void)state;
    const size_t rows = 301;
    for (int t = 0; t < VP_DTYPE_COUNT; t++) {
        for (int e = 0; e < 2; e++) {
            table tb = table_make((vp_dtype)t, rows, 3, 1000 + (uint64_t)t * 2 + (uint64_t)e);
            size_t len;
            uint8_t *b = table_bytes(&tb, (vp_endian)e, false, &len);
            char name[64];
            snprintf(name, sizeof name, "raw_%s_%s.bin", vp_dtype_name((vp_dtype)t),
                     e ? "be" : "le");
            const char *path = tu_path(dir(), name);
            tu_write_file(path, b, len);

            static const int choices[][2] = {{0, 1}, {2, 0}, {1, 1}, {1, 2}};
            for (size_t c = 0; c < 4; c++) {
                source_params p = {.dtype = (vp_dtype)t, .endian = (vp_endian)e, .columns = 3,
                                   .xcol = choices[c][0], .ycol = choices[c][1]};
                source *s = open_ok(path, &p);
                const source_info *in = source_get_info(s);
                assert_false(in->is_npy);
                assert_int_equal(in->dtype, t);
                assert_int_equal(in->columns, 3);
                assert_int_equal(in->xcol, choices[c][0]);
                assert_int_equal(in->ycol, choices[c][1]);
                assert_int_equal(in->records, rows);
                assert_int_equal(in->trailing_bytes, 0);
                assert_int_equal(in->data_offset, 0);
                assert_int_equal(in->file_size, len);
                char what[96];
                snprintf(what, sizeof what, "%s x=%d y=%d", name, choices[c][0], choices[c][1]);
                check_decode(s, &tb, 0, rows, rows, what);
                check_decode(s, &tb, 0, rows, 7, what);
                check_decode(s, &tb, 13, rows - 20, 64, what);
                source_destroy(s);
            }
            /* Two columns with the default x 0, y 1: the interleaved fast path. */
            table tb2 = table_make((vp_dtype)t, rows, 2, 77 + (uint64_t)t);
            uint8_t *b2 = table_bytes(&tb2, (vp_endian)e, false, &len);
            tu_write_file(path, b2, len);
            source_params p2 = {.dtype = (vp_dtype)t, .endian = (vp_endian)e, .ycol = -1};
            source *s = open_ok(path, &p2);
            assert_int_equal(source_get_info(s)->columns, 2);
            assert_int_equal(source_get_info(s)->xcol, 0);
            assert_int_equal(source_get_info(s)->ycol, 1);
            check_decode(s, &tb2, 0, rows, 1000, name);
            check_decode(s, &tb2, 5, 100, 33, name);
            source_destroy(s);
            free(b2);
            free(tb2.bits);
            free(b);
            free(tb.bits);
        }
    }
}

/* w, a third column, decodes bit for bit in every dtype and byte order, in
 * any column (x's or y's too), with x the index too; a record with a
 * non-finite w is skipped and counted. */
static void test_raw_w_every_dtype(void **state)
{
    (void)state;
    const size_t rows = 257;
    for (int t = 0; t < VP_DTYPE_COUNT; t++) {
        for (int e = 0; e < 2; e++) {
            table tb = table_make((vp_dtype)t, rows, 4, 3000 + (uint64_t)t * 2 + (uint64_t)e);
            size_t len;
            uint8_t *b = table_bytes(&tb, (vp_endian)e, false, &len);
            char name[64];
            snprintf(name, sizeof name, "raw_w_%s_%s.bin", vp_dtype_name((vp_dtype)t),
                     e ? "be" : "le");
            const char *path = tu_path(dir(), name);
            tu_write_file(path, b, len);
            static const int choices[][3] = {{0, 1, 2}, {3, 0, 1}, {1, 2, 1}, {0, 1, 3}, {2, 2, 2}};
            for (size_t c = 0; c < 5; c++) {
                source_params p = {.dtype = (vp_dtype)t, .endian = (vp_endian)e, .columns = 4,
                                   .xcol = choices[c][0], .ycol = choices[c][1], .has_w = true,
                                   .wcol = choices[c][2]};
                source *s = open_ok(path, &p);
                assert_int_equal(source_get_info(s)->wcol, choices[c][2]);
                char what[96];
                snprintf(what, sizeof what, "%s x=%d y=%d w=%d", name, choices[c][0],
                         choices[c][1], choices[c][2]);
                check_decode(s, &tb, 0, rows, rows, what);
                check_decode(s, &tb, 11, rows - 30, 16, what);
                source_destroy(s);
            }
            source_params p = {.dtype = (vp_dtype)t, .endian = (vp_endian)e, .columns = 4,
                               .y_only = true, .ycol = 3, .has_w = true, .wcol = 0};
            source *s = open_ok(path, &p);
            assert_int_equal(source_get_info(s)->xcol, -1);
            check_decode(s, &tb, 5, 200, 64, name);
            source_destroy(s);
            /* without w, the same file: wcol -1 */
            p = (source_params){.dtype = (vp_dtype)t, .endian = (vp_endian)e, .columns = 4,
                                .ycol = 1, .wcol = 3};
            s = open_ok(path, &p);
            assert_int_equal(source_get_info(s)->wcol, -1);
            check_decode(s, &tb, 0, rows, 100, name);
            source_destroy(s);

            /* records in memory: record_decoder with w */
            vp_err err = {{0}};
            source_params pr = {.dtype = (vp_dtype)t, .endian = (vp_endian)e, .columns = 4,
                                .xcol = 1, .ycol = 2, .has_w = true, .wcol = 3};
            record_decoder *d = record_decoder_create("mem", &pr, &err);
            assert_non_null(d);
            assert_true(record_decoder_has_w(d));
            double x[300], y[300], w[300], ex[300], ey[300], ew[300];
            size_t out;
            uint64_t nf = 0, enf = 0;
            record_decoder_run(d, b + 4 * vp_dtype_size((vp_dtype)t) * 7, rows - 7, 7, x, y, w, &out,
                               &nf);
            size_t want = table_expect(&tb, 1, 2, 3, 7, rows - 7, ex, ey, ew, &enf);
            assert_int_equal(out, want);
            assert_int_equal(nf, enf);
            assert_same_doubles(x, ex, out, "record_decoder x");
            assert_same_doubles(y, ey, out, "record_decoder y");
            assert_same_doubles(w, ew, out, "record_decoder w");
            record_decoder_destroy(d);
            pr.y_only = true;
            pr.columns = 4;
            d = record_decoder_create("mem", &pr, &err);
            nf = enf = 0;
            record_decoder_run(d, b, rows, 0, x, y, w, &out, &nf);
            want = table_expect(&tb, -1, 2, 3, 0, rows, ex, ey, ew, &enf);
            assert_int_equal(out, want);
            assert_same_doubles(x, ex, out, "record_decoder y-only x");
            assert_same_doubles(w, ew, out, "record_decoder y-only w");
            record_decoder_destroy(d);
            free(b);
            free(tb.bits);
        }
    }
}

static void test_w_nonfinite_and_errors(void **state)
{
    (void)state;
    /* x, y, w triples; rows 1 and 3 have a NaN/inf w only, row 4 an inf y */
    const float v[] = {1, 2, 3, 4, 5, NAN, 7, 8, 9, 10, 11, -INFINITY, 13, INFINITY, 15, 16, 17, 18};
    const char *path = tu_path(dir(), "nonfinite_w.f32");
    tu_write_file(path, v, sizeof v);
    source_params p = {.columns = 3, .xcol = 0, .ycol = 1, .has_w = true, .wcol = 2};
    source *s = open_ok(path, &p);
    source_reader *r = source_reader_create(s, 16);
    double x[6], y[6], w[6];
    size_t out;
    uint64_t nf = 1;
    vp_err e;
    assert_true(source_decode(r, 0, 6, x, y, w, &out, &nf, &e));
    assert_int_equal(out, 3);
    assert_int_equal(nf, 1 + 3);
    const double ex[] = {1, 7, 16}, ey[] = {2, 8, 17}, ew[] = {3, 9, 18};
    assert_same_doubles(x, ex, 3, "x");
    assert_same_doubles(y, ey, 3, "y");
    assert_same_doubles(w, ew, 3, "w");
    /* without w the same records keep x, y */
    source_reader_destroy(r);
    source_destroy(s);
    p.has_w = false;
    s = open_ok(path, &p);
    r = source_reader_create(s, 16);
    nf = 0;
    assert_true(source_decode(r, 0, 6, x, y, NULL, &out, &nf, &e));
    assert_int_equal(out, 5);
    assert_int_equal(nf, 1);
    source_reader_destroy(r);
    source_destroy(s);

    /* out of range: an error naming the file, raw and .npy */
    p = (source_params){.columns = 3, .ycol = 1, .has_w = true, .wcol = 3};
    open_fails(path, &p, "the --value/--by column 3 is out of range: records have 3 columns (0..2)");
    p.wcol = -1;
    open_fails(path, &p, "--value/--by column -1");
    vp_err err = {{0}};
    assert_null(record_decoder_create("stdin", &p, &err));
    assert_msg_has(err, "stdin: the --value/--by column -1");
    const char *npy = tu_path(dir(), "w_range.npy");
    npy_write(npy, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (6, 3), }",
              (const uint8_t *)v, sizeof v, 0);
    p = (source_params){.ycol = 1, .has_w = true, .wcol = 2};
    s = open_ok(npy, &p);
    assert_int_equal(source_get_info(s)->wcol, 2);
    source_destroy(s);
    p.wcol = 5;
    open_fails(npy, &p, "the --value/--by column 5 is out of range: records have 3 columns");
    const char *npy1 = tu_path(dir(), "w_1d.npy");
    npy_write(npy1, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (18,), }",
              (const uint8_t *)v, sizeof v, 0);
    p.wcol = 1;
    open_fails(npy1, &p, "records have 1 column (0..0)");
}

static void test_raw_defaults(void **state)
{
    (void)state;
    table tb = table_make(VP_F32, 50, 2, 5);
    size_t len;
    uint8_t *b = table_bytes(&tb, VP_LITTLE, false, &len);
    const char *path = tu_path(dir(), "defaults.f32");
    tu_write_file(path, b, len);
    /* Zero-initialised params with ycol -1 are the documented defaults: f32
     * LE, 2 columns, x 0, y 1. */
    source_params def;
    memset(&def, 0, sizeof def);
    def.ycol = -1;
    source *s = open_ok(path, &def);
    const source_info *in = source_get_info(s);
    assert_int_equal(in->dtype, VP_F32);
    assert_int_equal(in->endian, VP_LITTLE);
    assert_int_equal(in->columns, 2);
    assert_int_equal(in->xcol, 0);
    assert_int_equal(in->ycol, 1);
    assert_int_equal(in->records, 50);
    check_decode(s, &tb, 0, 50, 50, "default params");
    source_destroy(s);
    /* NULL params too. */
    s = open_ok(path, NULL);
    assert_int_equal(source_get_info(s)->xcol, 0);
    assert_int_equal(source_get_info(s)->ycol, 1);
    source_destroy(s);
    /* ycol 0 is literal: "--x 0 --y 0" plots column 0 against itself. */
    source_params same = {.xcol = 0, .ycol = 0};
    s = open_ok(path, &same);
    assert_int_equal(source_get_info(s)->xcol, 0);
    assert_int_equal(source_get_info(s)->ycol, 0);
    check_decode(s, &tb, 0, 50, 50, "x0 y0");
    source_destroy(s);
    /* x 1 with the y default: y 1. */
    source_params p = {.xcol = 1, .ycol = -1};
    s = open_ok(path, &p);
    assert_int_equal(source_get_info(s)->xcol, 1);
    assert_int_equal(source_get_info(s)->ycol, 1);
    source_destroy(s);
    /* Explicit x 1, y 0. */
    p = (source_params){.xcol = 1, .ycol = 0};
    s = open_ok(path, &p);
    assert_int_equal(source_get_info(s)->xcol, 1);
    assert_int_equal(source_get_info(s)->ycol, 0);
    check_decode(s, &tb, 0, 50, 50, "x1 y0");
    source_destroy(s);
    free(b);
    free(tb.bits);
}

static void test_raw_y_only(void **state)
{
    (void)state;
    const size_t rows = 200;
    /* columns 1: y is column 0, x the record index. */
    table tb = table_make(VP_I16, rows, 1, 9);
    size_t len;
    uint8_t *b = table_bytes(&tb, VP_BIG, false, &len);
    const char *path = tu_path(dir(), "yonly.i16");
    tu_write_file(path, b, len);
    source_params p = {.dtype = VP_I16, .endian = VP_BIG, .columns = 1, .ycol = -1};
    source *s = open_ok(path, &p);
    const source_info *in = source_get_info(s);
    assert_int_equal(in->xcol, -1);
    assert_int_equal(in->ycol, 0);
    assert_int_equal(in->records, rows);
    check_decode(s, &tb, 0, rows, rows, "columns 1");
    check_decode(s, &tb, 150, 50, 16, "columns 1 from 150");
    source_destroy(s);
    /* y_only with no columns given: 1 column. */
    p = (source_params){.dtype = VP_I16, .endian = VP_BIG, .y_only = true, .ycol = -1};
    s = open_ok(path, &p);
    assert_int_equal(source_get_info(s)->columns, 1);
    assert_int_equal(source_get_info(s)->xcol, -1);
    check_decode(s, &tb, 37, 100, 100, "y_only");
    source_destroy(s);
    /* Zero-initialised y_only. */
    p = (source_params){.dtype = VP_I16, .endian = VP_BIG, .y_only = true};
    s = open_ok(path, &p);
    assert_int_equal(source_get_info(s)->ycol, 0);
    source_destroy(s);
    free(b);
    free(tb.bits);

    /* y_only on 4-column f64 records, y = column 3, NaNs dropped, x the index. */
    table t4 = table_make(VP_F64, rows, 4, 10);
    b = table_bytes(&t4, VP_LITTLE, false, &len);
    path = tu_path(dir(), "yonly4.f64");
    tu_write_file(path, b, len);
    p = (source_params){.dtype = VP_F64, .columns = 4, .ycol = 3, .y_only = true};
    s = open_ok(path, &p);
    in = source_get_info(s);
    assert_int_equal(in->xcol, -1);
    assert_int_equal(in->ycol, 3);
    check_decode(s, &t4, 0, rows, 64, "y_only col 3");
    check_decode(s, &t4, 101, 99, 10, "y_only col 3 from 101");
    /* Explicitly: x of the first output equals rec0 (no NaN in those rows). */
    source_reader *r = source_reader_create(s, 4);
    double x[4], y[4];
    size_t out;
    uint64_t nf = 0;
    vp_err e;
    assert_true(source_decode(r, 1, 4, x, y, NULL, &out, &nf, &e));
    assert_true(out >= 1);
    assert_true(x[0] >= 1.0 && x[out - 1] <= 4.0);
    source_reader_destroy(r);
    source_destroy(s);
    free(b);
    free(t4.bits);
}

static void test_raw_skip_and_trailing(void **state)
{
    (void)state;
    const size_t rows = 123;
    table tb = table_make(VP_U32, rows, 2, 11);
    size_t len;
    uint8_t *b = table_bytes(&tb, VP_BIG, false, &len);
    /* 5 junk header bytes (so every value is misaligned), then a trailing
     * partial record of one whole value (4 bytes). */
    uint8_t *f = malloc(len + 9);
    memset(f, 0xEE, len + 9);
    memcpy(f + 5, b, len);
    const char *path = tu_path(dir(), "skip.u32");
    tu_write_file(path, f, len + 9);
    source_params p = {.dtype = VP_U32, .endian = VP_BIG, .skip_bytes = 5, .ycol = -1};
    source *s = open_ok(path, &p);
    const source_info *in = source_get_info(s);
    assert_int_equal(in->data_offset, 5);
    assert_int_equal(in->records, rows);
    assert_int_equal(in->trailing_bytes, 4);
    assert_int_equal(in->file_size, len + 9);
    /* a size that is not a whole number of values means a wrong dtype or skip */
    source_params p6 = p;
    p6.skip_bytes = 6;
    open_fails(path, &p6, "is not a whole number of u32 values");
    check_decode(s, &tb, 0, rows, 50, "skip 5");
    /* Past the last record is an error, not a read into the trailing bytes. */
    source_reader *r = source_reader_create(s, 8);
    double x[8], y[8];
    size_t out;
    uint64_t nf = 0;
    vp_err e;
    assert_false(source_decode(r, rows - 1, 2, x, y, NULL, &out, &nf, &e));
    assert_msg_has(e, "past the end");
    assert_false(source_decode(r, UINT64_MAX, 1, x, y, NULL, &out, &nf, &e));
    /* More than the reader holds. */
    assert_false(source_decode(r, 0, 9, x, y, NULL, &out, &nf, &e));
    /* n = 0 is fine anywhere within. */
    assert_true(source_decode(r, 0, 0, x, y, NULL, &out, &nf, &e));
    assert_int_equal(out, 0);
    source_reader_destroy(r);
    source_destroy(s);
    free(f);
    free(b);
    free(tb.bits);
}

static void test_nonfinite(void **state)
{
    (void)state;
    /* x, y pairs; rows 1, 3, 4 hold a NaN/inf somewhere. */
    const float v[] = {1, 2, NAN, 3, 4, 5, 6, INFINITY, -INFINITY, NAN, 7, 8, 9, 10};
    const char *path = tu_path(dir(), "nonfinite.f32");
    tu_write_file(path, v, sizeof v);
    source *s = open_ok(path, NULL);
    source_reader *r = source_reader_create(s, 16);
    double x[7], y[7];
    size_t out;
    uint64_t nf = 5; /* added to, not reset */
    vp_err e;
    assert_true(source_decode(r, 0, 7, x, y, NULL, &out, &nf, &e));
    assert_int_equal(out, 4);
    assert_int_equal(nf, 5 + 3);
    const double ex[] = {1, 4, 7, 9}, ey[] = {2, 5, 8, 10};
    assert_same_doubles(x, ex, 4, "x");
    assert_same_doubles(y, ey, 4, "y");
    /* A block of nothing but non-finite records. */
    nf = 0;
    assert_true(source_decode(r, 3, 2, x, y, NULL, &out, &nf, &e));
    assert_int_equal(out, 0);
    assert_int_equal(nf, 2);
    source_reader_destroy(r);
    source_destroy(s);
}

static void test_raw_errors(void **state)
{
    (void)state;
    const char *d = dir();
    source_params p = {.ycol = -1};
    open_fails(tu_path(d, "does-not-exist.bin"), &p, ": no such file");
    open_fails(d, &p, ": is a directory");
    const char *empty = tu_path(d, "empty.bin");
    tu_write_file(empty, "", 0);
    open_fails(empty, &p, ": file is empty");

    /* A FIFO with no writer must be refused at once, not block in open().
     * The alarm turns a hang into a failure. */
    const char *fifo = tu_path(d, "fifo");
    unlink(fifo);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    alarm(10);
    open_fails(fifo, &p, ": not a regular file");
    alarm(0);
    unlink(fifo);
    open_fails("/dev/null", &p, ": not a regular file");

    const float v[6] = {1, 2, 3, 4, 5, 6};
    const char *path = tu_path(d, "three.f32");
    tu_write_file(path, v, sizeof v);
    source_params bad = {.xcol = 0, .ycol = 5};
    open_fails(path, &bad, ": --y column 5 is out of range: records have 2 columns (0..1)");
    bad = (source_params){.xcol = 2, .ycol = 1};
    open_fails(path, &bad, ": --x column 2 is out of range: records have 2 columns (0..1)");
    bad = (source_params){.xcol = -3, .ycol = 1};
    open_fails(path, &bad, ": --x column -3 is out of range");
    bad = (source_params){.columns = 3, .xcol = 0, .ycol = 3};
    open_fails(path, &bad, ": --y column 3 is out of range: records have 3 columns (0..2)");
    bad = (source_params){.columns = -1, .ycol = -1};
    open_fails(path, &bad, "--columns -1 is out of range");
    bad = (source_params){.columns = 65537, .ycol = -1};
    open_fails(path, &bad, "--columns 65537 is out of range");
    bad = (source_params){.skip_bytes = 24, .ycol = -1};
    open_fails(path, &bad, ": --skip-bytes 24 is not less than the file size (24 bytes)");
    bad = (source_params){.skip_bytes = 1000, .ycol = -1};
    open_fails(path, &bad, ": --skip-bytes 1000 is not less than the file size");

    const char *twelve = tu_path(d, "twelve.bin");
    tu_write_file(twelve, v, 12);
    bad = (source_params){.dtype = VP_F64, .ycol = -1};
    open_fails(twelve, &bad,
               ": 12 bytes of data after --skip-bytes 0 is less than one record of 16 bytes (2 x f64)");
    bad = (source_params){.dtype = VP_F32, .skip_bytes = 5, .ycol = -1};
    open_fails(twelve, &bad, ": 7 bytes of data after --skip-bytes 5 is less than one record of 8 bytes");

    /* Named .npy but not one: refused, not read as raw. */
    const char *fake = tu_path(d, "fake.npy");
    tu_write_file(fake, v, sizeof v);
    open_fails(fake, &p, "does not start with the .npy magic");

    if (geteuid() != 0) {
        const char *locked = tu_path(d, "locked.bin");
        tu_write_file(locked, v, sizeof v);
        chmod(locked, 0);
        open_fails(locked, &p, ": permission denied");
        chmod(locked, 0600);
    }
}

/* A file cut short after it was opened: decoding fails with a message naming
 * the file instead of returning stale or partial data. */
static void test_file_shrinks(void **state)
{
    (void)state;
    table tb = table_make(VP_F64, 1000, 2, 12);
    size_t len;
    uint8_t *b = table_bytes(&tb, VP_LITTLE, false, &len);
    const char *path = tu_path(dir(), "shrinks.f64");
    tu_write_file(path, b, len);
    source_params p = {.dtype = VP_F64, .ycol = -1};
    source *s = open_ok(path, &p);
    source_reader *r = source_reader_create(s, 1000);
    double *x = malloc(1000 * sizeof(double)), *y = malloc(1000 * sizeof(double));
    assert_int_equal(truncate(path, 16 * 500 + 3), 0);
    size_t out;
    uint64_t nf = 0;
    vp_err e = {{0}};
    assert_true(source_decode(r, 0, 500, x, y, NULL, &out, &nf, &e));
    assert_false(source_decode(r, 400, 200, x, y, NULL, &out, &nf, &e));
    assert_int_equal(strncmp(e.msg, path, strlen(path)), 0);
    assert_msg_has(e, "changed while reading");
    assert_false(source_decode(r, 900, 100, x, y, NULL, &out, &nf, &e));
    source_reader_destroy(r);
    source_destroy(s);
    free(x);
    free(y);
    free(b);
    free(tb.bits);
}

/* ---- .npy files ------------------------------------------------------------------ */

static void test_npy_every_dtype(void **state)
{
    (void)state;
    const size_t rows = 97;
    int case_no = 0;
    for (int version = 1; version <= 3; version++)
        for (int t = 0; t < VP_DTYPE_COUNT; t++)
            for (int e = 0; e < 2; e++)
                for (int layout = 0; layout < 3; layout++) { /* 1-D, 2-D C, 2-D Fortran */
                    bool fortran = layout == 2;
                    size_t cols = layout == 0 ? 1 : 3;
                    table tb = table_make((vp_dtype)t, rows, cols, 5000 + (uint64_t)case_no);
                    size_t len;
                    uint8_t *b = table_bytes(&tb, (vp_endian)e, fortran, &len);
                    char descr[8], dict[256], shape[64], name[96];
                    descr_of((vp_dtype)t, (vp_endian)e, descr);
                    if (layout == 0)
                        snprintf(shape, sizeof shape, "(%zu,)", rows);
                    else
                        snprintf(shape, sizeof shape, "(%zu, %zu)", rows, cols);
                    snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }",
                             descr, fortran ? "True" : "False", shape);
                    snprintf(name, sizeof name, "v%d_%s_%s_%d.npy", version,
                             vp_dtype_name((vp_dtype)t), e ? "be" : "le", layout);
                    const char *path = tu_path(dir(), name);
                    /* Extra bytes after the data are accepted and reported. */
                    size_t extra = (size_t)(case_no % 3);
                    npy_write(path, version, dict, b, len, extra);
                    case_no++;

                    /* The user's dtype/columns/skip are ignored for .npy. */
                    source_params p = {.dtype = VP_U8, .endian = VP_BIG, .columns = 7,
                                       .skip_bytes = 3, .xcol = 2, .ycol = 0};
                    if (layout == 0)
                        p = (source_params){.dtype = VP_F64, .ycol = -1};
                    source *s = open_ok(path, &p);
                    const source_info *in = source_get_info(s);
                    assert_true(in->is_npy);
                    assert_int_equal(in->npy_version, version);
                    assert_int_equal(in->dtype, t);
                    if (vp_dtype_size((vp_dtype)t) > 1)
                        assert_int_equal(in->endian, e);
                    assert_int_equal(in->columns, cols);
                    assert_int_equal(in->records, rows);
                    assert_int_equal(in->trailing_bytes, extra);
                    assert_int_equal(in->data_offset % 64, 0);
                    assert_int_equal(in->fortran_order, fortran);
                    assert_int_equal(in->xcol, layout == 0 ? -1 : 2);
                    assert_int_equal(in->ycol, 0);
                    check_decode(s, &tb, 0, rows, rows, name);
                    check_decode(s, &tb, 0, rows, 10, name);
                    check_decode(s, &tb, 31, 40, 9, name);
                    source_destroy(s);

                    if (layout != 0) {
                        /* Other column choices, and y_only, on the same file. */
                        static const int ch[][2] = {{0, 1}, {1, 2}, {2, 2}};
                        for (int c = 0; c < 3; c++) {
                            p = (source_params){.xcol = ch[c][0], .ycol = ch[c][1]};
                            s = open_ok(path, &p);
                            check_decode(s, &tb, 0, rows, 32, name);
                            source_destroy(s);
                        }
                        p = (source_params){.y_only = true, .ycol = 1};
                        s = open_ok(path, &p);
                        assert_int_equal(source_get_info(s)->xcol, -1);
                        check_decode(s, &tb, 3, rows - 3, 32, name);
                        source_destroy(s);
                        /* w, C and Fortran order alike */
                        static const int wch[][3] = {{0, 1, 2}, {2, 0, 0}, {1, 1, 1}};
                        for (int c = 0; c < 3; c++) {
                            p = (source_params){.xcol = wch[c][0], .ycol = wch[c][1],
                                                .has_w = true, .wcol = wch[c][2]};
                            s = open_ok(path, &p);
                            assert_int_equal(source_get_info(s)->wcol, wch[c][2]);
                            check_decode(s, &tb, 0, rows, 32, name);
                            check_decode(s, &tb, 30, 50, 7, name);
                            source_destroy(s);
                        }
                        p = (source_params){.y_only = true, .ycol = 2, .has_w = true, .wcol = 0};
                        s = open_ok(path, &p);
                        check_decode(s, &tb, 1, rows - 1, 40, name);
                        source_destroy(s);
                    } else {
                        p = (source_params){.ycol = -1, .has_w = true, .wcol = 0};
                        s = open_ok(path, &p); /* 1-D: w is the y values */
                        check_decode(s, &tb, 0, rows, 32, name);
                        source_destroy(s);
                    }
                    free(b);
                    free(tb.bits);
                }
}

static void test_npy_file_errors(void **state)
{
    (void)state;
    const char *d = dir();
    float data[200];
    for (int i = 0; i < 200; i++)
        data[i] = (float)i;
    source_params p = {.ycol = -1};

    /* The shape says more than the file holds. */
    const char *lying = tu_path(d, "lying.npy");
    npy_write(lying, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1000, 2), }",
              (const uint8_t *)data, sizeof data, 0);
    open_fails(lying, &p,
               ": .npy header says shape (1000, 2) = 8000 bytes of <f4 data after offset 128, "
               "but the file has only 800");
    const char *lying1 = tu_path(d, "lying1.npy");
    npy_write(lying1, 2, "{'descr': '>i8', 'fortran_order': False, 'shape': (101,), }",
              (const uint8_t *)data, sizeof data, 0);
    open_fails(lying1, &p, "header says shape (101,) = 808 bytes of >i8 data after offset 128");

    /* Truncated inside the dict, and inside the preamble. */
    uint8_t h[256];
    size_t hl = npy_make_header(h, sizeof h, 1,
                                "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }");
    const char *cut = tu_path(d, "cut.npy");
    tu_write_file(cut, h, 40);
    char want[128];
    snprintf(want, sizeof want, ": .npy header truncated: file has 40 bytes, header needs %zu", hl);
    open_fails(cut, &p, want);
    tu_write_file(cut, h, 9);
    open_fails(cut, &p, ": .npy header truncated: file has 9 bytes, header needs 10");
    tu_write_file(cut, h, 4); /* shorter than the magic, but named .npy */
    open_fails(cut, &p, ": .npy header truncated: file has 4 bytes, header needs 10");
    hl = npy_make_header(h, sizeof h, 3, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }");
    tu_write_file(cut, h, 11);
    open_fails(cut, &p, ": .npy header truncated: file has 11 bytes, header needs 12");

    /* Absurd header length (version 2's 32-bit field). */
    uint8_t absurd[64];
    memcpy(absurd, "\x93NUMPY\x02\x00\xff\xff\xff\x7f", 12);
    memset(absurd + 12, ' ', sizeof absurd - 12);
    const char *ab = tu_path(d, "absurd.npy");
    tu_write_file(ab, absurd, sizeof absurd);
    open_fails(ab, &p, ": npy header length 2147483647 is absurd (largest accepted:");

    /* Unsupported descr, named in the message. */
    const char *cplx = tu_path(d, "complex.npy");
    npy_write(cplx, 1, "{'descr': '<c8', 'fortran_order': False, 'shape': (3,), }",
              (const uint8_t *)data, 24, 0);
    open_fails(cplx, &p, "'<c8'");
    open_fails(cplx, &p, "complex");
    open_fails(cplx, &p, "expected one of <f4");

    /* 3-D. */
    const char *cube = tu_path(d, "cube.npy");
    npy_write(cube, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2, 2), }",
              (const uint8_t *)data, 32, 0);
    open_fails(cube, &p, "shape has 3 dimensions");

    /* No rows; no columns. */
    const char *none = tu_path(d, "none.npy");
    npy_write(none, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 2), }", NULL, 0, 0);
    open_fails(none, &p, "holds no records");
    npy_write(none, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (5, 0), }", NULL, 0, 0);
    open_fails(none, &p, "has no columns");

    /* Column out of range on a 2-D .npy, and y other than 0 on a 1-D one. */
    const char *two = tu_path(d, "two.npy");
    npy_write(two, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (100, 2), }",
              (const uint8_t *)data, 800, 0);
    source_params bad = {.xcol = 0, .ycol = 5};
    open_fails(two, &bad, ": --y column 5 is out of range: records have 2 columns (0..1)");
    const char *one = tu_path(d, "one.npy");
    npy_write(one, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (100,), }",
              (const uint8_t *)data, 400, 0);
    bad = (source_params){.ycol = 1};
    open_fails(one, &bad, ": --y column 1 is out of range: records have 1 column (0..0)");
}

/* ---- npy_parse on bytes ----------------------------------------------------------- */

/* Parses a dict given as text (wrapped in a version-1 preamble, no padding). */
static bool parse_dict(const char *dict, npy_header *h, vp_err *e)
{
    size_t dl = strlen(dict);
    /* An exact-size heap copy, so an overread is an ASan report. */
    uint8_t *b = malloc(10 + dl);
    assert_non_null(b);
    memcpy(b, "\x93NUMPY\x01\x00", 8);
    b[8] = (uint8_t)(dl & 0xff);
    b[9] = (uint8_t)(dl >> 8);
    memcpy(b + 10, dict, dl);
    memset(h, 0x55, sizeof *h);
    bool ok = npy_parse(b, 10 + dl, h, e);
    free(b);
    return ok;
}

static void parse_ok(const char *dict, vp_dtype t, vp_endian en, bool fortran, int ndim,
                     uint64_t rows, uint64_t cols)
{
    npy_header h;
    vp_err e = {{0}};
    if (!parse_dict(dict, &h, &e)) {
        print_error("parse of %s failed: %s\n", dict, e.msg);
        fail();
    }
    assert_int_equal(h.version, 1);
    assert_int_equal(h.dtype, t);
    assert_int_equal(h.endian, en);
    assert_int_equal(h.fortran_order, fortran);
    assert_int_equal(h.ndim, ndim);
    assert_int_equal(h.shape[0], rows);
    if (ndim == 2)
        assert_int_equal(h.shape[1], cols);
    assert_int_equal(h.data_offset, 10 + strlen(dict));
}

static void parse_fails(const char *dict, const char *needle)
{
    npy_header h;
    vp_err e = {{0}};
    if (parse_dict(dict, &h, &e)) {
        print_error("parse of %s succeeded; expected \"%s\"\n", dict, needle);
        fail();
    }
    assert_msg_has(e, needle);
}

static void test_npy_parse_good(void **state)
{
    (void)state;
    vp_endian host = vp_host_endian();
    parse_ok("{'descr': '<f4', 'fortran_order': False, 'shape': (1000, 2), }\n", VP_F32, VP_LITTLE,
             false, 2, 1000, 2);
    /* Keys in another order, no trailing comma. */
    parse_ok("{'shape': (7,), 'fortran_order': True, 'descr': '>f8'}", VP_F64, VP_BIG, true, 1, 7, 1);
    /* Double quotes; whitespace everywhere; (N,k,). */
    parse_ok("{ \"fortran_order\" :False ,\n\t\"shape\":(  3 ,4 , ) ,\"descr\"  :  \"<u2\" }  \n",
             VP_U16, VP_LITTLE, false, 2, 3, 4);
    parse_ok("{'descr':'<i4','fortran_order':False,'shape':(5,6)}", VP_I32, VP_LITTLE, false, 2, 5, 6);
    /* Python 2 longs, digit underscores, (N) taken as (N,). */
    parse_ok("{'descr': '<i8', 'fortran_order': False, 'shape': (10L, 2L), }", VP_I64, VP_LITTLE,
             false, 2, 10, 2);
    parse_ok("{'descr': '<u8', 'fortran_order': False, 'shape': (1_000_000,), }", VP_U64, VP_LITTLE,
             false, 1, 1000000, 1);
    parse_ok("{'descr': '<u4', 'fortran_order': False, 'shape': (12), }", VP_U32, VP_LITTLE, false,
             1, 12, 1);
    /* Byte orders: | and < > on 1-byte types mean host; = is host. */
    parse_ok("{'descr': '|u1', 'fortran_order': False, 'shape': (1,), }", VP_U8, host, false, 1, 1, 1);
    parse_ok("{'descr': '|i1', 'fortran_order': False, 'shape': (1,), }", VP_I8, host, false, 1, 1, 1);
    parse_ok("{'descr': '>i1', 'fortran_order': False, 'shape': (1,), }", VP_I8, host, false, 1, 1, 1);
    parse_ok("{'descr': '=f8', 'fortran_order': False, 'shape': (1,), }", VP_F64, host, false, 1, 1, 1);
    parse_ok("{'descr': '>i2', 'fortran_order': False, 'shape': (2, 1), }", VP_I16, VP_BIG, false, 2,
             2, 1);
    /* Largest 64-bit dimension with a 1-byte type still addresses. */
    parse_ok("{'descr': '|u1', 'fortran_order': False, 'shape': (1000000000000,), }", VP_U8, host,
             false, 1, 1000000000000ull, 1);
    /* NUL padding after the dict. */
    npy_header h;
    vp_err e;
    const char nul_dict[] = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\0\0\0\n";
    uint8_t b[10 + sizeof nul_dict - 1];
    memcpy(b, "\x93NUMPY\x01\x00", 8);
    b[8] = (uint8_t)(sizeof nul_dict - 1);
    b[9] = 0;
    memcpy(b + 10, nul_dict, sizeof nul_dict - 1);
    assert_true(npy_parse(b, sizeof b, &h, &e));

    /* Versions 2 and 3 from full headers, and the header size. */
    for (int v = 1; v <= 3; v++) {
        uint8_t full[256];
        size_t total = npy_make_header(full, sizeof full, v,
                                       "{'descr': '<f4', 'fortran_order': False, 'shape': (9, 2), }");
        uint64_t sz = 0;
        assert_true(npy_has_magic(full, total));
        assert_true(npy_header_size(full, v == 1 ? 10 : 12, &sz, &e));
        assert_int_equal(sz, total);
        assert_int_equal(npy_preamble_size(full, total), v == 1 ? 10 : 12);
        assert_true(npy_parse(full, total, &h, &e));
        assert_int_equal(h.version, v);
        assert_int_equal(h.data_offset, total);
        uint64_t bytes = 0;
        assert_true(npy_data_bytes(&h, &bytes));
        assert_int_equal(bytes, 9 * 2 * 4);
    }
}

static void test_npy_parse_bad(void **state)
{
    (void)state;
    parse_fails("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", "shape ()");
    parse_fails("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4), }",
                "shape has 3 dimensions");
    parse_fails("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", "'<c8'");
    parse_fails("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", "expected one of");
    parse_fails("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", "'|O'");
    parse_fails("{'descr': 'O', 'fortran_order': False, 'shape': (2,), }", "Python objects");
    parse_fails("{'descr': '<U3', 'fortran_order': False, 'shape': (2,), }", "'<U3'");
    parse_fails("{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }", "boolean");
    parse_fails("{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }", "'<f2'");
    parse_fails("{'descr': '<f16', 'fortran_order': False, 'shape': (2,), }", "not a supported type");
    parse_fails("{'descr': '<M8[ns]', 'fortran_order': False, 'shape': (2,), }", "datetimes");
    parse_fails("{'descr': '|f4', 'fortran_order': False, 'shape': (2,), }", "no byte order");
    parse_fails("{'descr': '', 'fortran_order': False, 'shape': (2,), }", "not a supported type");
    parse_fails("{'descr': [('x', '<f4'), ('y', '<f4')], 'fortran_order': False, 'shape': (2,), }",
                "structured");
    parse_fails("{'descr': '<f4', 'fortran_order': False}", "lacks 'shape'");
    parse_fails("{'fortran_order': False, 'shape': (2,)}", "lacks 'descr'");
    parse_fails("{'descr': '<f4', 'shape': (2,)}", "lacks 'fortran_order'");
    parse_fails("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}",
                "appears twice");
    parse_fails("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}",
                "unknown key 'extra'");
    parse_fails("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}", "True or False");
    parse_fails("{'descr': '<f4', 'fortran_order': false, 'shape': (2,)}", "True or False");
    parse_fails("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}", "negative");
    parse_fails("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}",
                "does not fit in 64 bits");
    parse_fails("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296)}",
                "too large");
    parse_fails("{'descr': '<f8', 'fortran_order': False, 'shape': (18446744073709551615,)}",
                "too large");
    parse_fails("{'descr': '<f4', 'fortran_order': False, 'shape': [2, 2]}", "list");
    parse_fails("{'descr': '<f4', 'fortran_order': False, 'shape': (2,,)}", "dimension");
    parse_fails("{'descr': '<f4', 'fortran_order': False, 'shape': (2 2)}", "',' or ')'");
    parse_fails("{'descr': '<f4', 'fortran_order': False, 'shape': (0x10,)}", "dimension");
    parse_fails("{'descr': '<f4', 'fortran_order': False, 'shape': (2.5,)}", "',' or ')'");
    parse_fails("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} junk", "after the dict");
    parse_fails("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", "',' or '}'");
    parse_fails("{'descr: '<f4', 'fortran_order': False, 'shape': (2,)}", "expected");
    parse_fails("{'descr': '<f4 , 'fortran_order': False", "expected");
    parse_fails("['descr', '<f4']", "'{'");
    parse_fails("", "'{'");
    parse_fails("{descr: '<f4'}", "quoted key");
    parse_fails("{'descr' '<f4'}", "':'");
    parse_fails("{'descr': '<f4',, }", "quoted key");
    parse_fails("{'descr': '<f4'\x01}", "\\x01");

    npy_header h;
    vp_err e;
    uint64_t total;
    /* Preamble problems. */
    assert_false(npy_has_magic((const uint8_t *)"\x93NUMP", 5));
    assert_false(npy_header_size((const uint8_t *)"\x93NUMPX\x01\x00\x10\x00", 10, &total, &e));
    assert_msg_has(e, "magic");
    assert_false(npy_header_size((const uint8_t *)"\x93NUMPY\x04\x00\x10\x00", 10, &total, &e));
    assert_msg_has(e, "version 4.0");
    assert_false(npy_header_size((const uint8_t *)"\x93NUMPY\x01\x01\x10\x00", 10, &total, &e));
    assert_msg_has(e, "version 1.1");
    assert_false(npy_header_size((const uint8_t *)"\x93NUMPY\x02\x00\x01\x00\x10\x00", 12, &total, &e));
    assert_msg_has(e, "npy header length 1048577 is absurd (largest accepted: 1048576 bytes)");
    /* NPY_MAX_HEADER itself is accepted. */
    assert_true(npy_header_size((const uint8_t *)"\x93NUMPY\x03\x00\x00\x00\x10\x00", 12, &total, &e));
    assert_int_equal(total, 12 + NPY_MAX_HEADER);
    /* Version 1's 16-bit field can never be absurd. */
    assert_true(npy_header_size((const uint8_t *)"\x93NUMPY\x01\x00\xff\xff", 10, &total, &e));
    assert_int_equal(total, 10 + 0xffff);
    assert_false(npy_header_size((const uint8_t *)"\x93NUMPY\x02\x00\x10", 11, &total, &e));
    assert_msg_has(e, "truncated");
    /* npy_parse given less than the header length says. */
    uint8_t full[256];
    size_t n = npy_make_header(full, sizeof full, 1,
                               "{'descr': '<f4', 'fortran_order': False, 'shape': (9, 2), }");
    assert_false(npy_parse(full, n - 1, &h, &e));
    assert_msg_has(e, "truncated");
}

/* npy_parse on every prefix and on random mutations of a real header, each
 * in an exact-size heap buffer: under ASan any overread is a failure. The
 * prefixes must all fail; mutations may do anything but crash. */
static void test_npy_parse_robust(void **state)
{
    (void)state;
    uint8_t full[256];
    size_t n = npy_make_header(full, sizeof full, 2,
                               "{'descr': '<f8', 'fortran_order': True, 'shape': (123, 4), }");
    npy_header h;
    vp_err e;
    for (size_t len = 0; len < n; len++) {
        uint8_t *b = malloc(len ? len : 1);
        memcpy(b, full, len);
        assert_false(npy_parse(b, len, &h, &e));
        assert_true(strlen(e.msg) > 0);
        free(b);
    }
    uint8_t *b = malloc(n);
    memcpy(b, full, n);
    assert_true(npy_parse(b, n, &h, &e));
    free(b);

    uint64_t seed = 42;
    const char alphabet[] = "{}()[]:,'\" \n\t0123456789-_LTrueFalsedescrshape<>|=fiuc\\\x93\x00\xff";
    int parsed = 0;
    for (int iter = 0; iter < 20000; iter++) {
        b = malloc(n);
        memcpy(b, full, n);
        int edits = 1 + (int)(tu_rand(&seed) % 4);
        for (int k = 0; k < edits; k++) {
            /* Mostly the dict, sometimes the preamble. */
            size_t at = tu_rand(&seed) % 8 == 0 ? tu_rand(&seed) % 12 : 12 + tu_rand(&seed) % (n - 12);
            b[at] = (uint8_t)alphabet[tu_rand(&seed) % (sizeof alphabet - 1)];
        }
        size_t len = tu_rand(&seed) % 4 == 0 ? tu_rand(&seed) % (n + 1) : n;
        uint8_t *exact = malloc(len ? len : 1);
        memcpy(exact, b, len);
        memset(&e, 0, sizeof e);
        if (npy_parse(exact, len, &h, &e)) {
            parsed++;
            assert_true(h.ndim == 1 || h.ndim == 2);
            assert_true(h.data_offset <= len);
            uint64_t bytes;
            assert_true(npy_data_bytes(&h, &bytes));
        } else {
            assert_true(strlen(e.msg) > 0);
        }
        free(exact);
        free(b);
    }
    assert_true(parsed > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dtype),
        cmocka_unit_test(test_raw_every_dtype),
        cmocka_unit_test(test_raw_w_every_dtype),
        cmocka_unit_test(test_w_nonfinite_and_errors),
        cmocka_unit_test(test_raw_defaults),
        cmocka_unit_test(test_raw_y_only),
        cmocka_unit_test(test_raw_skip_and_trailing),
        cmocka_unit_test(test_nonfinite),
        cmocka_unit_test(test_raw_errors),
        cmocka_unit_test(test_file_shrinks),
        cmocka_unit_test(test_npy_every_dtype),
        cmocka_unit_test(test_npy_file_errors),
        cmocka_unit_test(test_npy_parse_good),
        cmocka_unit_test(test_npy_parse_bad),
        cmocka_unit_test(test_npy_parse_robust),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
