#ifndef VP_CONVERT_H
#define VP_CONVERT_H
/* Values of one dtype widened to double, and non-finite samples dropped: the
 * pieces the file kernels (source.c) and the kernels for the caller's memory
 * (arrays.c) share, so both read a value the same way. Values are fetched
 * with memcpy (records and numpy views need not be aligned) as unsigned bits,
 * byte-swapped when needed, then reinterpreted and widened: f32 -> double
 * exact, integers -> (double). Hot path: the per-value helpers are static
 * inline so a kernel's loop has no call and no per-value switch. No I/O. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "load/dtype.h"

#if defined(__GNUC__)
#define CONVERT_INLINE static inline __attribute__((always_inline))
#else
#define CONVERT_INLINE static inline
#endif

/* The bits of one value in the file's byte order to the host's: as they are,
 * or __builtin_bswap16/32/64. */
#define CONVERT_SWAP_NONE(u) (u)

/* 1 when the bits are an infinity or NaN (all exponent bits set); integer
 * dtypes never are. */
#define CONVERT_BAD_F32(u) ((size_t)(((u) & 0x7f800000u) == 0x7f800000u))
#define CONVERT_BAD_F64(u) ((size_t)(((u) & 0x7ff0000000000000ull) == 0x7ff0000000000000ull))
#define CONVERT_BAD_NONE(u) ((size_t)0)

/* The host-order bits of one value, as a double. */
static inline double convert_f32(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return (double)f;
}
static inline double convert_f64(uint64_t u)
{
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}
static inline double convert_i8(uint8_t u)
{
    int8_t v;
    memcpy(&v, &u, sizeof v);
    return (double)v;
}
static inline double convert_i16(uint16_t u)
{
    int16_t v;
    memcpy(&v, &u, sizeof v);
    return (double)v;
}
static inline double convert_i32(uint32_t u)
{
    int32_t v;
    memcpy(&v, &u, sizeof v);
    return (double)v;
}
static inline double convert_i64(uint64_t u)
{
    int64_t v;
    memcpy(&v, &u, sizeof v);
    return (double)v;
}
static inline double convert_u8(uint8_t u)
{
    return (double)u;
}
static inline double convert_u16(uint16_t u)
{
    return (double)u;
}
static inline double convert_u32(uint32_t u)
{
    return (double)u;
}
static inline double convert_u64(uint64_t u)
{
    return (double)u;
}

/* Hot path. One column: n values at b, each s bytes after the previous
 * (negative and 0 allowed), to v[0..n) uncompacted (NaN/inf as they are);
 * returns how many were non-finite (0 for integer dtypes). A straight vector
 * loop for a contiguous column (s == the value's size) and for every third
 * value (s == 3 values: x,y,w records), a strided one otherwise. */
typedef size_t (*convert_column_fn)(const uint8_t *b, ptrdiff_t s, size_t n, double *v);

/* The kernel for dtype (< VP_DTYPE_COUNT) in the host's byte order, or
 * swapped; 1-byte dtypes have no byte order. Never NULL. */
convert_column_fn convert_column(vp_dtype dtype, bool swapped);

/* Drops the samples whose x, y or (w non-NULL) w is NaN/inf, in place;
 * returns how many are kept. Only worth calling for a block that had a
 * non-finite value. Without brk a branch-free loop (the output cursor
 * advances only past a finite sample); with brk (room for n + 1) also
 * where: brk[] gets the output position of each run of dropped samples
 * (ascending, distinct, in [0, kept]), *nbrk how many. */
size_t convert_compact(double *x, double *y, double *w, size_t n, uint32_t *brk, size_t *nbrk);

#endif
