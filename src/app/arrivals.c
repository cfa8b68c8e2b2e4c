#include "app/arrivals.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct arrivals {
    double persist_s;
    int n, cap;
    refine_batch *b; /* .first, .weight */
    double *t;       /* arrival times */
};

bool arrivals_create(double persist_s, arrivals **out, vp_err *err)
{
    *out = NULL;
    if (!(persist_s > 0))
        return vp_err_set(err, "internal: persistence of %g s", persist_s);
    arrivals *a = calloc(1, sizeof *a);
    if (!a)
        return vp_err_set(err, "out of memory");
    a->persist_s = persist_s;
    *out = a;
    return true;
}

void arrivals_destroy(arrivals *a)
{
    if (!a)
        return;
    free(a->b);
    free(a->t);
    free(a);
}

void arrivals_reset(arrivals *a)
{
    a->n = 0;
}

bool arrivals_add(arrivals *a, uint64_t first, double t, vp_err *err)
{
    if (a->n == a->cap) {
        int cap = a->cap ? 2 * a->cap : 64;
        refine_batch *b = realloc(a->b, (size_t)cap * sizeof *b);
        if (b)
            a->b = b;
        double *bt = b ? realloc(a->t, (size_t)cap * sizeof *bt) : NULL;
        if (!bt)
            return vp_err_set(err, "out of memory for %d arrivals", cap);
        a->t = bt;
        a->cap = cap;
    }
    a->b[a->n] = (refine_batch){first, 1.0};
    a->t[a->n++] = t;
    return true;
}

const refine_batch *arrivals_weigh(arrivals *a, int *nb, uint64_t *first)
{
    *first = 0;
    *nb = 0;
    if (!a->n)
        return a->b;
    double newest = a->t[a->n - 1];
    int drop = 0;
    while (drop < a->n - 1 && newest - a->t[drop] > ARRIVALS_DROP_AFTER * a->persist_s)
        drop++;
    if (drop) {
        memmove(a->b, a->b + drop, (size_t)(a->n - drop) * sizeof *a->b);
        memmove(a->t, a->t + drop, (size_t)(a->n - drop) * sizeof *a->t);
        a->n -= drop;
    }
    for (int i = 0; i < a->n; i++)
        a->b[i].weight = exp(-(newest - a->t[i]) / a->persist_s);
    *first = a->b[0].first;
    *nb = a->n;
    return a->b;
}
