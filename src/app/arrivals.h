#ifndef VP_ARRIVALS_H
#define VP_ARRIVALS_H
/* --persist S: the arrivals of a followed file (the points one poll brought)
 * and their weights, like a digital phosphor screen. An arrival's age is how
 * long before the newest arrival it came (so a file that pauses keeps its
 * last picture: a fade of everything at once would only rescale the tone
 * map); it weighs exp(-age / S), the newest 1. Arrivals older than
 * ARRIVALS_DROP_AFTER x S (weight below 1e-13) are dropped: their points are
 * no longer drawn. Pure bookkeeping (no data, no GL), so the weights are
 * tested against the formula. */
#include <stdbool.h>
#include <stdint.h>

#include "accum/refine.h"
#include "core/err.h"

#define ARRIVALS_DROP_AFTER 30.0

typedef struct arrivals arrivals;

bool arrivals_create(double persist_s, arrivals **out, vp_err *err);
void arrivals_destroy(arrivals *a); /* NULL is fine */
/* Forgets every arrival (the file was truncated). */
void arrivals_reset(arrivals *a);
/* Points from `first` on (refine's numbering) came at time t (seconds,
 * ascending). False when out of memory. */
bool arrivals_add(arrivals *a, uint64_t first, double t, vp_err *err);
/* Drops the faded arrivals and weighs the others (refine_set_points'
 * batches, ascending .first): *nb of them, valid until the next call. The
 * first kept arrival's .first is where drawing starts (0 when none). */
const refine_batch *arrivals_weigh(arrivals *a, int *nb, uint64_t *first);

#endif
