#ifndef VP_NPY_H
#define VP_NPY_H
/* .npy header reader: bytes in, a description out. No files, no GL: tests and
 * fuzzers feed it strings. Format: numpy's NEP 1 (versions 1.0, 2.0, 3.0). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "load/dtype.h"

#define NPY_MAGIC_LEN 6
/* Longest header we accept (bytes of the dict text); numpy writes < 4 KiB. */
#define NPY_MAX_HEADER (1u << 20)

typedef struct npy_header {
    int version;            /* 1, 2 or 3 */
    vp_dtype dtype;
    vp_endian endian;       /* for 1-byte types: host endian */
    bool fortran_order;
    int ndim;               /* 1 or 2 */
    uint64_t shape[2];      /* shape[0] = rows; shape[1] = columns when ndim == 2 */
    uint64_t data_offset;   /* bytes from the start of the file to the data */
} npy_header;

/* True when buf starts with "\x93NUMPY". */
bool npy_has_magic(const uint8_t *buf, size_t len);

/* Bytes needed to hold the whole header, read from the 10 or 12-byte preamble.
 * Fails (with a message saying what is wrong) on a bad magic, an unknown
 * version, or a header length over NPY_MAX_HEADER. */
bool npy_header_size(const uint8_t *buf, size_t len, uint64_t *total, vp_err *err);

/* Parses the whole header (buf holds at least npy_header_size() bytes).
 * Accepts dtypes <f4 <f8 <i1..<i8 <u1..<u8 (and > or | byte orders), shapes of
 * 1 or 2 dimensions. Messages name the field and what was expected; they do
 * not name the file (the caller prefixes it). */
bool npy_parse(const uint8_t *buf, size_t len, npy_header *out, vp_err *err);

/* Bytes of the fixed preamble (magic, version, length field): 10 for version
 * 1.0, 12 for 2.0 and 3.0 (read from buf[6] when len > 6; 10 otherwise). */
size_t npy_preamble_size(const uint8_t *buf, size_t len);

/* Bytes of array data the header describes (rows x columns x value size).
 * False when that, or data_offset plus it, does not fit in 64 bits; npy_parse
 * already rejects such headers. */
bool npy_data_bytes(const npy_header *h, uint64_t *bytes);

#endif
