/* Fuzzes a whole input file through load/source.c: the raw record layout
 * options and the .npy path (header sniffing, shape/size checks, C and
 * Fortran order), then decodes every record in pieces and compares each value
 * with an independent reference decoder written here.
 *
 * Input: FUZZ_PARAM_BYTES bytes of parameters, then the file's bytes.
 *   [0] dtype (value % 11; 10 = an invalid dtype)
 *   [1] bit 0 big endian, bit 1 y_only, bits 2-3 both set: NULL params
 *       (the defaults), bits 4-5 both set: an invalid byte order
 *   [2] columns (0..8; a few out-of-range values)
 *   [3] xcol (-2..9)          [4] ycol (bit 7: -1 = default; else -2..9)
 *   [5] skip_bytes low byte   [6] skip_bytes bits 8-11; bit 6: the file size
 *       minus [5]; bit 7: near UINT64_MAX / 2 (the CLI's largest)
 *   [7] the reader's max_records   [8..11] seed of the piece sizes
 *   [12] bit 7: a w column, (value % 12) - 2 (-2..9: out of range too)
 * The file is a memfd, read back through /proc/self/fd/N: nothing is written
 * to disk and nothing is left behind. (So the path never ends in .npy: the
 * "named .npy but no magic" refusal is left to test_loader.) */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memfd_create; CMake defines it too */
#endif
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "load/npy.h"
#include "load/source.h"

#define FUZZ_PARAM_BYTES 16

static int memfd = -1;
static char memfd_path[64];

/* Replaces the memfd's contents; the fd lives for the whole process. */
static void put_file(const uint8_t *bytes, size_t len)
{
    if (memfd < 0) {
        memfd = memfd_create("vp_fuzz_source", MFD_CLOEXEC);
        FUZZ_CHECK(memfd >= 0);
        snprintf(memfd_path, sizeof memfd_path, "/proc/self/fd/%d", memfd);
    }
    FUZZ_CHECK(ftruncate(memfd, 0) == 0);
    size_t done = 0;
    while (done < len) {
        ssize_t w = pwrite(memfd, bytes + done, len - done, (off_t)done);
        FUZZ_CHECK(w > 0);
        done += (size_t)w;
    }
}

/* ---- the reference decoder: one value at a time, no tricks ---------------- */

static double ref_value(const uint8_t *p, vp_dtype t, vp_endian e)
{
    size_t vs = vp_dtype_size(t);
    uint64_t u = 0;
    for (size_t i = 0; i < vs; i++) {
        size_t b = e == VP_LITTLE ? i : vs - 1 - i;
        u |= (uint64_t)p[b] << (8 * i);
    }
    uint64_t sign = (uint64_t)1 << (8 * vs - 1);
    switch (t) {
    case VP_F32: {
        uint32_t u32 = (uint32_t)u;
        float f;
        memcpy(&f, &u32, sizeof f);
        return f;
    }
    case VP_F64: {
        double d;
        memcpy(&d, &u, sizeof d);
        return d;
    }
    case VP_I8:
    case VP_I16:
    case VP_I32:
    case VP_I64:
        /* Sign-extend by hand: -(2^bits - u) when the sign bit is set. */
        if (u & sign)
            return -(double)((~u & (sign - 1)) + 1);
        return (double)u;
    default:
        return (double)u;
    }
}

/* Where value (record, column) lies in the file: records one after another
 * (C order), or each column as its own run of `records` values (Fortran). */
static uint64_t value_offset(const source_info *in, uint64_t record, int column)
{
    uint64_t vs = vp_dtype_size(in->dtype);
    if (in->fortran_order)
        return in->data_offset + (uint64_t)column * in->records * vs + record * vs;
    return in->data_offset + record * (uint64_t)in->columns * vs + (uint64_t)column * vs;
}

typedef struct fuzz_rng {
    uint32_t s;
} fuzz_rng;

static uint32_t rng_next(fuzz_rng *r)
{
    /* xorshift32; the seed is never 0. */
    uint32_t x = r->s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    r->s = x;
    return x;
}

static void decode_all(const source *s, const uint8_t *file, size_t max_records, fuzz_rng *rng)
{
    const source_info *in = source_get_info(s);
    const size_t vs = vp_dtype_size(in->dtype);
    if (max_records > in->records)
        max_records = (size_t)in->records;
    source_reader *r = source_reader_create(s, max_records);
    FUZZ_CHECK(r != NULL);
    double *x = malloc(max_records * sizeof *x);
    double *y = malloc(max_records * sizeof *y);
    double *w = in->wcol >= 0 ? malloc(max_records * sizeof *w) : NULL;
    FUZZ_CHECK(x && y && (in->wcol < 0 || w));
    vp_err err;

    uint64_t rec = 0, total_nonfinite = 0;
    while (rec < in->records) {
        size_t n = 1 + rng_next(rng) % max_records;
        if (n > in->records - rec)
            n = (size_t)(in->records - rec);
        size_t n_out = (size_t)-1;
        uint64_t nonfinite = 7, before = nonfinite;
        memset(&err, 0, sizeof err);
        FUZZ_CHECK(source_decode(r, rec, n, x, y, w, &n_out, &nonfinite, &err));
        FUZZ_CHECK(n_out <= n);
        FUZZ_CHECK(nonfinite >= before && (nonfinite - before) + n_out == n);
        total_nonfinite += nonfinite - before;
        if (!vp_dtype_is_float(in->dtype))
            FUZZ_CHECK(nonfinite == before);
        /* The reference: walk the records, skip the non-finite ones, and
         * compare the kept ones in order. */
        size_t k = 0;
        for (uint64_t i = rec; i < rec + n; i++) {
            uint64_t yo = value_offset(in, i, in->ycol);
            FUZZ_CHECK(yo + vs <= in->file_size);
            double ey = ref_value(file + yo, in->dtype, in->endian);
            double ex = (double)i;
            if (in->xcol >= 0) {
                uint64_t xo = value_offset(in, i, in->xcol);
                FUZZ_CHECK(xo + vs <= in->file_size);
                ex = ref_value(file + xo, in->dtype, in->endian);
            }
            double ew = 0;
            if (in->wcol >= 0) {
                uint64_t wo = value_offset(in, i, in->wcol);
                FUZZ_CHECK(wo + vs <= in->file_size);
                ew = ref_value(file + wo, in->dtype, in->endian);
            }
            if (!isfinite(ex) || !isfinite(ey) || !isfinite(ew))
                continue;
            FUZZ_CHECK(k < n_out);
            FUZZ_CHECK(isfinite(x[k]) && isfinite(y[k]));
            FUZZ_CHECK(x[k] == ex && y[k] == ey);
            FUZZ_CHECK(!w || w[k] == ew);
            k++;
        }
        FUZZ_CHECK(k == n_out);
        rec += n;
    }
    FUZZ_CHECK(total_nonfinite <= in->records);

    /* Calls out of range fail with a message and write nothing. */
    size_t n_out = 5;
    uint64_t nonfinite = 0;
    memset(&err, 0, sizeof err);
    FUZZ_CHECK(source_decode(r, in->records, 0, x, y, w, &n_out, &nonfinite, &err) && n_out == 0);
    FUZZ_CHECK(!source_decode(r, in->records, 1, x, y, w, &n_out, &nonfinite, &err));
    fuzz_check_err(&err);
    memset(&err, 0, sizeof err);
    FUZZ_CHECK(!source_decode(r, UINT64_MAX, 1, x, y, w, &n_out, &nonfinite, &err));
    fuzz_check_err(&err);
    memset(&err, 0, sizeof err);
    FUZZ_CHECK(!source_decode(r, 0, max_records + 1, x, y, w, &n_out, &nonfinite, &err));
    fuzz_check_err(&err);
    /* w given exactly when the source has one */
    memset(&err, 0, sizeof err);
    double spare;
    FUZZ_CHECK(!source_decode(r, 0, 1, x, y, w ? NULL : &spare, &n_out, &nonfinite, &err));
    fuzz_check_err(&err);
    FUZZ_CHECK(n_out == 0 && nonfinite == 0);

    free(x);
    free(y);
    free(w);
    source_reader_destroy(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < FUZZ_PARAM_BYTES || size > FUZZ_MAX_INPUT)
        return 0;
    const uint8_t *q = data;
    const uint8_t *file = data + FUZZ_PARAM_BYTES;
    const size_t file_len = size - FUZZ_PARAM_BYTES;

    source_params p;
    memset(&p, 0, sizeof p);
    p.dtype = (vp_dtype)(q[0] % (VP_DTYPE_COUNT + 1));
    p.endian = (q[1] & 0x30) == 0x30 ? (vp_endian)2 : (q[1] & 1) ? VP_BIG : VP_LITTLE;
    p.y_only = q[1] & 2;
    bool use_defaults = (q[1] & 0x0c) == 0x0c;
    static const int col_choice[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, -1, 65536, 65537, 2, 3, 4, 1};
    p.columns = col_choice[q[2] % 16];
    p.xcol = (int)(q[3] % 12) - 2;
    p.ycol = (q[4] & 0x80) ? -1 : (int)(q[4] % 12) - 2;
    p.skip_bytes = q[5] | (uint64_t)(q[6] & 0x0f) << 8;
    if (q[6] & 0x40)
        p.skip_bytes = file_len >= q[5] ? file_len - q[5] : 0;
    if (q[6] & 0x80)
        p.skip_bytes = UINT64_MAX / 2 - q[5];
    p.has_w = q[12] & 0x80;
    p.wcol = (int)(q[12] % 12) - 2;
    size_t max_records = ((size_t)1 << (q[7] % 13)) + (q[7] >> 4);
    fuzz_rng rng = {(uint32_t)q[8] | (uint32_t)q[9] << 8 | (uint32_t)q[10] << 16 |
                    (uint32_t)q[11] << 24};
    if (!rng.s)
        rng.s = 0x9e3779b9u;

    put_file(file, file_len);
    source *s = NULL;
    vp_err err;
    memset(&err, 0, sizeof err);
    if (!source_create(memfd_path, use_defaults ? NULL : &p, &s, &err)) {
        FUZZ_CHECK(s == NULL);
        fuzz_check_err(&err);
        return 0;
    }
    FUZZ_CHECK(s != NULL);
    if (use_defaults) {
        memset(&p, 0, sizeof p);
        p.ycol = -1;
    }

    /* What a successful open promises. */
    const source_info *in = source_get_info(s);
    FUZZ_CHECK(in->path && strcmp(in->path, memfd_path) == 0);
    FUZZ_CHECK(in->is_npy == npy_has_magic(file, file_len));
    FUZZ_CHECK(in->file_size == file_len);
    FUZZ_CHECK((unsigned)in->dtype < VP_DTYPE_COUNT);
    FUZZ_CHECK(in->endian == VP_LITTLE || in->endian == VP_BIG);
    FUZZ_CHECK(in->columns >= 1 && in->columns <= 65536);
    FUZZ_CHECK(in->records >= 1);
    FUZZ_CHECK(in->ycol >= 0 && in->ycol < in->columns);
    FUZZ_CHECK(in->xcol >= -1 && in->xcol < in->columns);
    FUZZ_CHECK(in->wcol >= -1 && in->wcol < in->columns);
    FUZZ_CHECK((in->wcol >= 0) == (!use_defaults && p.has_w));
    if (in->wcol >= 0)
        FUZZ_CHECK(in->wcol == p.wcol);
    if (in->columns == 1 || p.y_only)
        FUZZ_CHECK(in->xcol == -1);
    const uint64_t vs = vp_dtype_size(in->dtype);
    const uint64_t rs = (uint64_t)in->columns * vs;
    FUZZ_CHECK(in->data_offset <= in->file_size);
    FUZZ_CHECK(in->records <= (in->file_size - in->data_offset) / rs);
    FUZZ_CHECK(in->data_offset + in->records * rs + in->trailing_bytes == in->file_size);
    if (in->is_npy) {
        FUZZ_CHECK(in->npy_version >= 1 && in->npy_version <= 3);
    } else {
        FUZZ_CHECK(!in->fortran_order);
        FUZZ_CHECK(in->dtype == p.dtype);
        FUZZ_CHECK(vs == 1 || in->endian == p.endian);
        FUZZ_CHECK(in->data_offset == p.skip_bytes);
        FUZZ_CHECK(in->trailing_bytes < rs);
        FUZZ_CHECK(in->columns == (p.columns ? p.columns : p.y_only ? 1 : 2));
    }

    decode_all(s, file, max_records, &rng);
    source_destroy(s);
    return 0;
}
