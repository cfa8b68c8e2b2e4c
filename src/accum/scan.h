#ifndef VP_SCAN_H
#define VP_SCAN_H
/* One streaming pass: record counts and the bounds of the finite samples
 * (and the range of w, when the dataset has w). */
#include <stdbool.h>
#include <stdint.h>

#include "accum/chunk_pass.h"

typedef struct scan_result {
    uint64_t records, nonfinite, finite;
    double xmin, xmax, ymin, ymax; /* meaningful when finite > 0 */
    /* With w (dataset_has_w): the samples counted in finite (x, y and w all
     * finite) and the range of their w; without w, wfinite = 0 and
     * wmin > wmax. */
    uint64_t wfinite;
    double wmin, wmax;
} scan_result;

typedef struct scan scan;
/* Starts the pass on `threads` workers (0: the cores) and returns at once.
 * When the dataset knows no chunk boxes, the pass also records each chunk's
 * and hands them to it on a successful join (dataset_set_chunk_boxes), for
 * the refinement's culling. ds must not be used by others until the join. */
bool scan_start(dataset *ds, int threads, scan **out, vp_err *err);
/* scan_start over the chunks [from, to) of ds only (clamped to them; no
 * chunk boxes are recorded): the bounds of ranges that cut the dataset's
 * chunks, min of the mins and max of the maxes, are scan_start's exactly,
 * and their counts add up to its. The MPI mode's share of one rank. */
bool scan_start_range(dataset *ds, int threads, uint64_t from, uint64_t to, scan **out, vp_err *err);
bool scan_join(scan *s, scan_result *out, vp_err *err); /* frees s */

#endif
