#ifndef VP_SOURCE_H
#define VP_SOURCE_H
/* One input file of samples (raw binary records or .npy), read in windows:
 * never mapped or copied whole. Records are decoded to double x,y (and w, a
 * third column, when one is chosen) in blocks by per-thread readers. Nothing
 * here writes to the input file. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "load/dtype.h"

/* What the user said about the layout. Zero-initialised plus ycol = -1 =
 * defaults (f32, little endian, 2 columns, x=0, y=1, no header); ycol 0 is
 * taken literally, so leave it at -1 unless the user chose a y column.
 * source_create(path, NULL, ...) uses the defaults. For .npy files the
 * header decides dtype/endian/columns/skip_bytes; xcol/ycol/y_only/wcol still
 * apply (a .npy column is a column of its 2-D array). has_w false = no w, as
 * without it; a wcol out of range is an error naming the file. */
typedef struct source_params {
    vp_dtype dtype;
    vp_endian endian;
    int columns;        /* values per record; 0 = 2 (1 for y_only) */
    int xcol, ycol;     /* 0-based; ycol < 0 means default (1, or 0 when columns == 1) */
    bool y_only;        /* x is the record index; also implied by columns == 1 */
    uint64_t skip_bytes;/* raw files: header bytes to ignore */
    bool has_w;         /* a third value w per record (--value, --by) */
    int wcol;           /* 0-based column of w (with has_w) */
    /* x is a time (--x-time s|ms|us|ns) held as integers (i8..u64): x
     * values become x - origin, exactly (the difference in integers, the
     * double formed once), so ns epochs (1.7e18) bin exactly. The origin is
     * x_origin when x_origin_given, else the first record's x (files; 0 for
     * records from memory). Floating x is left as it is (origin 0). */
    bool x_rebase;
    bool x_origin_given;
    int64_t x_origin;
} source_params;

typedef struct source_info {
    const char *path;
    bool is_npy;
    int npy_version;
    vp_dtype dtype;
    vp_endian endian;
    int columns;
    int xcol, ycol;     /* xcol = -1 when x is the record index */
    int wcol;           /* -1: none */
    bool fortran_order;
    uint64_t file_size;     /* bytes */
    uint64_t data_offset;   /* bytes before the first record */
    uint64_t records;       /* whole records */
    uint64_t trailing_bytes;/* bytes of a trailing partial record (ignored; warn) */
    bool x_rebased;         /* x values are x - x_origin (source_params.x_rebase) */
    int64_t x_origin;
} source_info;

typedef struct source source;

/* Opens and validates. Errors name the file and the problem: missing,
 * unreadable, directory, empty, npy header truncated or lying about the shape,
 * column out of range, --skip-bytes beyond the end, no whole record, ... */
bool source_create(const char *path, const source_params *p, source **out, vp_err *err);
void source_destroy(source *s);      /* NULL is fine */
const source_info *source_get_info(const source *s);

/* Per-thread decoding state (a read buffer). max_records bounds one call. */
typedef struct source_reader source_reader;
source_reader *source_reader_create(const source *s, size_t max_records);
void source_reader_destroy(source_reader *r);

/* Hot path. Reads records [rec0, rec0 + n) (n <= max_records) and writes the x
 * and y of those whose x and y are both finite, compacted, to x[] and y[] as
 * double (the record index as x when x is the index). *n_out = how many were
 * written; *nonfinite += how many records were skipped for a NaN/inf.
 * w is NULL exactly when the source has no w (info.wcol < 0); with w, a
 * record is kept only when x, y and w are all finite, and w[] is compacted
 * like x[] and y[]. Without w the two-column loop runs as before. */
bool source_decode(source_reader *r, uint64_t rec0, size_t n, double *x, double *y, double *w,
                   size_t *n_out, uint64_t *nonfinite, vp_err *err);

/* As source_decode, and where the records' sequence breaks: brk[] (room for
 * n + 1) gets the ascending, distinct positions j in [0, *n_out] such that
 * records skipped for a NaN/inf lie between output point j-1 and point j (a
 * run of them gives one); *nbrk how many (0 when none was skipped). Not for
 * the points-only hot path: source_decode stays as it is. */
bool source_decode_breaks(source_reader *r, uint64_t rec0, size_t n, double *x, double *y,
                          double *w, size_t *n_out, uint32_t *brk, size_t *nbrk,
                          uint64_t *nonfinite, vp_err *err);

/* Raw records that arrive in memory (standard input, the new bytes of a
 * growing file): the same layout rules and decoding kernels as files, without
 * one. name is for messages. NULL on a bad layout (err set). */
typedef struct record_decoder record_decoder;
record_decoder *record_decoder_create(const char *name, const source_params *p, vp_err *err);
void record_decoder_destroy(record_decoder *d); /* NULL is fine */
size_t record_decoder_record_size(const record_decoder *d); /* bytes */
/* Decodes n whole records at bytes (x = rec0 + i for y-only layouts); finite
 * points compacted into x, y (and w: NULL exactly when the layout has no w,
 * as for source_decode); *nonfinite += skipped. */
void record_decoder_run(const record_decoder *d, const uint8_t *bytes, size_t n, uint64_t rec0,
                        double *x, double *y, double *w, size_t *n_out, uint64_t *nonfinite);
/* As record_decoder_run, but not compacted: x[i], y[i] (w[i]) for every one
 * of the n records, NaN/inf as they are (memcols drops them and knows where
 * they were); returns how many records have a non-finite value. */
size_t record_decoder_run_all(const record_decoder *d, const uint8_t *bytes, size_t n,
                              uint64_t rec0, double *x, double *y, double *w);
/* Whether the layout has w. */
bool record_decoder_has_w(const record_decoder *d);

#endif
