#include "load/arrays.h"

#include "load/convert.h"

/* x and y are separate loops, load/convert.h's one-column kernels (their
 * dtypes may differ: an int64 x with an f32 y is common). */

/* Where sample i of c lies. */
static const uint8_t *at(const arrays_col *c, uint64_t i)
{
    return c->data + (ptrdiff_t)((int64_t)i * c->stride);
}

size_t arrays_decode(const arrays_col *xc, const arrays_col *yc, uint64_t i0, size_t n,
                     double *x, double *y)
{
    size_t bad = convert_column(yc->dtype, false)(at(yc, i0), (ptrdiff_t)yc->stride, n, y);
    if (xc) {
        bad += convert_column(xc->dtype, false)(at(xc, i0), (ptrdiff_t)xc->stride, n, x);
    } else {
        /* Sample numbers stay far below 2^63, so the signed conversion (one
         * instruction, unlike unsigned) is exact enough, as in source.c. */
        int64_t r = (int64_t)i0;
        for (size_t i = 0; i < n; i++)
            x[i] = (double)(r + (int64_t)i);
    }
    return bad;
}
