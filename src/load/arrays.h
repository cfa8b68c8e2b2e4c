#ifndef VP_ARRAYS_H
#define VP_ARRAYS_H
/* Decoding kernels for columns in the caller's memory (dataset_create_arrays):
 * values of one dtype in native byte order, each `stride` bytes after the
 * previous (negative and 0 allowed), widened to double by the same kernels
 * as source.c's w column (load/convert.h: f32 -> double exact, integers ->
 * (double)); convert_compact drops the non-finite samples after. No I/O, no
 * copies of the caller's memory: a chunk is read where it lies. */
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
 * have one). One loop per dtype (convert_column): a straight one for
 * contiguous columns (stride == the value's size). */
size_t arrays_decode(const arrays_col *xc, const arrays_col *yc, uint64_t i0, size_t n,
                     double *x, double *y);

#endif
