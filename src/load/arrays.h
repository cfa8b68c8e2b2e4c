#ifndef VP_ARRAYS_H
#define VP_ARRAYS_H
/* Decoding kernels for columns in the caller's memory (dataset_create_arrays):
 * values of one dtype in native byte order, each `stride` bytes after the
 * previous (negative and 0 allowed), widened to double exactly as source.c's
 * kernels do (f32 -> double exact, integers -> (double)). No I/O, no copies of
 * the caller's memory: a chunk is read where it lies. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "load/dtype.h"

/* One column: the first value at data. */
typedef struct arrays_col {
    const uint8_t *data;
    vp_dtype dtype; /* < VP_DTYPE_COUNT */
    int64_t stride; /* bytes */
} arrays_col;

/* Hot path. Samples [i0, i0 + n) of x (NULL: x is the sample index i0 + j)
 * and y into x[j], y[j] for every j < n, not compacted (NaN/inf as they
 * are); returns 0 exactly when every x and y is finite (else the count of
 * non-finite values: a sample with both counts twice; integer columns never
 * have one). One loop per dtype, a
 * straight one for contiguous columns (stride == the value's size). */
size_t arrays_decode(const arrays_col *xc, const arrays_col *yc, uint64_t i0, size_t n,
                     double *x, double *y);

/* Drops the samples whose x or y is NaN/inf, in place; returns how many are
 * kept. With brk (room for n + 1), also where: brk[] gets the output position
 * of each run of dropped samples (ascending, distinct, in [0, kept]), *nbrk
 * how many; the same rule as source_decode_breaks. */
size_t arrays_compact(double *x, double *y, size_t n, uint32_t *brk, size_t *nbrk);

#endif
