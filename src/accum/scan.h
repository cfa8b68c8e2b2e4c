#ifndef VP_SCAN_H
#define VP_SCAN_H
/* One streaming pass: record counts and the bounds of the finite samples. */
#include <stdbool.h>
#include <stdint.h>

#include "accum/chunk_pass.h"

typedef struct scan_result {
    uint64_t records, nonfinite, finite;
    double xmin, xmax, ymin, ymax; /* meaningful when finite > 0 */
} scan_result;

typedef struct scan scan;
bool scan_start(const dataset *ds, int threads, scan **out, vp_err *err);
/* Also records each chunk's bounds of finite points into chunk_bbox (4 doubles
 * per chunk: xmin, xmax, ymin, ymax; +inf, -inf, ... for a chunk with none). */
bool scan_start_chunks(const dataset *ds, int threads, double *chunk_bbox, scan **out, vp_err *err);
bool scan_join(scan *s, scan_result *out, vp_err *err); /* frees s */

#endif
