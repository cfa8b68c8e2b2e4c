#include "look/tonemap.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static const char *const tonemap_names[] = {
    [TONEMAP_LINEAR] = "linear", [TONEMAP_LOG] = "log",         [TONEMAP_SQRT] = "sqrt",
    [TONEMAP_CBRT] = "cbrt",     [TONEMAP_EQ_HIST] = "eq-hist",
};

bool tonemap_parse(const char *s, tonemap_kind *out)
{
    if (!s)
        return false;
    for (int k = TONEMAP_LINEAR; k <= TONEMAP_EQ_HIST; k++) {
        if (strcasecmp(s, tonemap_names[k]) == 0) {
            *out = (tonemap_kind)k;
            return true;
        }
    }
    /* datashader spells it eq_hist; accept that too. */
    if (strcasecmp(s, "eq_hist") == 0 || strcasecmp(s, "eqhist") == 0) {
        *out = TONEMAP_EQ_HIST;
        return true;
    }
    return false;
}

const char *tonemap_name(tonemap_kind k)
{
    if ((int)k < TONEMAP_LINEAR || k > TONEMAP_EQ_HIST)
        return "?";
    return tonemap_names[k];
}

static double tonemap_f(tonemap_kind k, uint64_t c)
{
    double x = (double)c;
    switch (k) {
    case TONEMAP_LOG: return log1p(x);
    case TONEMAP_SQRT: return sqrt(x);
    case TONEMAP_CBRT: return cbrt(x);
    default: return x;
    }
}

void tonemap_table_free(tonemap_table *t)
{
    if (!t)
        return;
    free(t->lut);
    free(t->big_values);
    free(t->big_levels);
    memset(t, 0, sizeof *t);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* LSD radix sort, 11-bit digits. The big counts are few on typical pictures,
 * but a dense grid of large counts can make them millions: for 2 M random
 * values qsort took 0.3-0.4 s, this 0.05 s. Digits that are equal in every
 * value (the high bits, usually) cost no pass. Falls back to qsort when the
 * scratch copy cannot be allocated. */
#define RADIX_BITS 11
#define RADIX_SIZE (1u << RADIX_BITS)
#define RADIX_DIGITS ((64 + RADIX_BITS - 1) / RADIX_BITS)

static void sort_u64(uint64_t *v, size_t n)
{
    uint64_t *tmp = n > 64 ? malloc(n * sizeof *tmp) : NULL;
    size_t(*hist)[RADIX_SIZE] = tmp ? calloc(RADIX_DIGITS, sizeof *hist) : NULL;
    if (!hist) {
        free(tmp);
        qsort(v, n, sizeof *v, cmp_u64);
        return;
    }
    for (size_t i = 0; i < n; i++)
        for (int d = 0; d < RADIX_DIGITS; d++)
            hist[d][(v[i] >> (d * RADIX_BITS)) & (RADIX_SIZE - 1)]++;
    uint64_t *src = v, *dst = tmp;
    for (int d = 0; d < RADIX_DIGITS; d++) {
        unsigned shift = (unsigned)(d * RADIX_BITS);
        if (hist[d][(v[0] >> shift) & (RADIX_SIZE - 1)] == n)
            continue; /* one bucket: this digit changes no order */
        size_t pos = 0;
        for (uint32_t b = 0; b < RADIX_SIZE; b++) {
            size_t c = hist[d][b];
            hist[d][b] = pos;
            pos += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[hist[d][(src[i] >> shift) & (RADIX_SIZE - 1)]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != v)
        memcpy(v, src, n * sizeof *v);
    free(hist);
    free(tmp);
}

/* Level from the cumulative count: (cum - cum_min) / (nonzero - cum_min), with
 * cum_min the number of pixels at cmin. Below cmin cum < cum_min: clamp to 0. */
static float eq_level(uint64_t cum, uint64_t cum_min, uint64_t nonzero)
{
    if (nonzero == cum_min)
        return 1.0f;
    if (cum <= cum_min)
        return 0.0f;
    return (float)((double)(cum - cum_min) / (double)(nonzero - cum_min));
}

/* big[]: the nbig counts >= TONEMAP_LUT_MAX, sorted; taken over as big_values. */
static bool eq_hist_build(const uint64_t *hist, uint64_t *big, uint64_t nbig, tonemap_table *t)
{
    /* min(cmax + 1, TONEMAP_LUT_MAX), without overflow at cmax = UINT64_MAX */
    t->lut_len = t->cmax < TONEMAP_LUT_MAX ? (uint32_t)t->cmax + 1 : TONEMAP_LUT_MAX;
    t->lut = malloc(t->lut_len * sizeof *t->lut);
    if (!t->lut) {
        free(big);
        return false;
    }

    uint64_t cum_min = 0;
    if (t->cmin < TONEMAP_LUT_MAX)
        cum_min = hist[t->cmin];
    else
        while (cum_min < nbig && big[cum_min] == t->cmin)
            cum_min++;

    uint64_t cum = 0;
    t->lut[0] = 0.0f;
    for (uint32_t c = 1; c < t->lut_len; c++) {
        cum += hist[c];
        /* A count that does not occur leaves cum unchanged, so it gets the
         * level of the largest occurring count below it: the LUT stays
         * monotonic without a special case. */
        t->lut[c] = eq_level(cum, cum_min, t->nonzero);
    }
    if (!nbig)
        return true;

    /* Dedupe in place: big[] becomes big_values[], with counts folded into
     * the running total. */
    uint64_t distinct = 0;
    for (uint64_t i = 0; i < nbig; i++)
        if (i == 0 || big[i] != big[i - 1])
            distinct++;
    t->big_levels = distinct <= UINT32_MAX ? malloc(distinct * sizeof *t->big_levels) : NULL;
    if (!t->big_levels) {
        free(big);
        return false;
    }
    uint64_t j = 0;
    for (uint64_t i = 0; i < nbig;) {
        uint64_t v = big[i];
        while (i < nbig && big[i] == v) {
            cum++;
            i++;
        }
        big[j] = v;
        t->big_levels[j] = eq_level(cum, cum_min, t->nonzero);
        j++;
    }
    uint64_t *shrunk = realloc(big, distinct * sizeof *big);
    t->big_values = shrunk ? shrunk : big;
    t->big_len = (uint32_t)distinct;
    return true;
}

/* One part of the grid's pass: min - 1 / max / non-zero for the shaped
 * kinds, the small-count histogram and the number of big counts for eq-hist. */
typedef struct stats_part {
    const uint64_t *counts;
    size_t n;
    uint64_t *hist; /* eq-hist: TONEMAP_LUT_MAX entries, zeroed */
    uint64_t cmin_m1, cmax, nonzero, nbig;
} stats_part;

static void *stats_run(void *arg)
{
    stats_part *p = arg;
    const uint64_t *counts = p->counts;
    if (!p->hist) {
        uint64_t cmin_m1 = UINT64_MAX, cmax = 0, nonzero = 0;
        for (size_t i = 0; i < p->n; i++) {
            uint64_t c = counts[i];
            /* c - 1 wraps zero to UINT64_MAX, so the min skips background
             * without a branch and the loop vectorises. */
            uint64_t m = c - 1;
            cmin_m1 = m < cmin_m1 ? m : cmin_m1;
            cmax = c > cmax ? c : cmax;
            nonzero += c != 0;
        }
        p->cmin_m1 = cmin_m1;
        p->cmax = cmax;
        p->nonzero = nonzero;
    } else {
        uint64_t *hist = p->hist, nbig = 0;
        for (size_t i = 0; i < p->n; i++) {
            uint64_t c = counts[i];
            if (c < TONEMAP_LUT_MAX)
                hist[c]++;
            else
                nbig++;
        }
        p->nbig = nbig;
    }
    return NULL;
}

/* The pass over the grid, the part that scales with its size: on several
 * threads for large grids (16384x16384: 0.23 s on one core). Parts merge
 * exactly (sums, min, max), so the result does not depend on the split.
 * hist: NULL for the shaped kinds. False only when out of memory. */
#define STATS_MAX_PARTS 16
#define STATS_PART_MIN ((size_t)4 << 20)

static bool stats_pass(const uint64_t *counts, size_t n, uint64_t *hist, stats_part *total)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    size_t parts = cores < 1 ? 1 : cores > STATS_MAX_PARTS ? STATS_MAX_PARTS : (size_t)cores;
    if (n / STATS_PART_MIN < parts)
        parts = n / STATS_PART_MIN ? n / STATS_PART_MIN : 1;
    stats_part part[STATS_MAX_PARTS];
    pthread_t tid[STATS_MAX_PARTS];
    bool started[STATS_MAX_PARTS] = {false};
    bool ok = true;
    for (size_t k = 0; k < parts; k++) {
        size_t a = n / parts * k, b = k + 1 == parts ? n : n / parts * (k + 1);
        part[k] = (stats_part){.counts = n ? counts + a : counts, .n = b - a, .hist = hist};
        if (hist && k > 0 && !(part[k].hist = calloc(TONEMAP_LUT_MAX, sizeof *hist)))
            ok = false;
    }
    for (size_t k = 1; ok && k < parts; k++)
        started[k] = pthread_create(&tid[k], NULL, stats_run, &part[k]) == 0;
    if (ok)
        stats_run(&part[0]);
    *total = (stats_part){.cmin_m1 = UINT64_MAX};
    for (size_t k = 0; k < parts; k++) {
        if (ok && k > 0) {
            if (started[k])
                pthread_join(tid[k], NULL);
            else
                stats_run(&part[k]); /* no thread: this one does it */
        }
        if (ok) {
            total->cmin_m1 = part[k].cmin_m1 < total->cmin_m1 ? part[k].cmin_m1 : total->cmin_m1;
            total->cmax = part[k].cmax > total->cmax ? part[k].cmax : total->cmax;
            total->nonzero += part[k].nonzero;
            total->nbig += part[k].nbig;
        }
        if (hist && k > 0 && part[k].hist) {
            for (uint32_t c = 0; ok && c < TONEMAP_LUT_MAX; c++)
                hist[c] += part[k].hist[c];
            free(part[k].hist);
        }
    }
    return ok;
}

bool tonemap_table_build(tonemap_kind kind, const uint64_t *counts, size_t n, tonemap_table *out)
{
    memset(out, 0, sizeof *out);
    out->kind = kind;
    uint64_t cmin = UINT64_MAX, cmax = 0, nonzero = 0;

    if (kind != TONEMAP_EQ_HIST) {
        stats_part t;
        if (!stats_pass(counts, n, NULL, &t))
            return false;
        cmax = t.cmax;
        nonzero = t.nonzero;
        cmin = nonzero ? t.cmin_m1 + 1 : 0;
    } else {
        /* One pass builds the histogram of the small counts, which also
         * gives cmin/cmax/nonzero; a second pass only when there are large
         * counts, to collect them. They are usually few (the dense cores of
         * the picture); their sorted copy is the only allocation that grows
         * with the grid. */
        uint64_t *hist = calloc(TONEMAP_LUT_MAX, sizeof *hist);
        if (!hist)
            return false;
        stats_part t;
        if (!stats_pass(counts, n, hist, &t)) {
            free(hist);
            return false;
        }
        uint64_t nbig = t.nbig;
        uint64_t *big = NULL;
        if (nbig) {
            big = malloc(nbig * sizeof *big);
            if (!big) {
                free(hist);
                return false;
            }
            uint64_t m = 0;
            for (size_t i = 0; i < n; i++)
                if (counts[i] >= TONEMAP_LUT_MAX)
                    big[m++] = counts[i];
            sort_u64(big, nbig);
        }
        for (uint32_t c = 1; c < TONEMAP_LUT_MAX; c++) {
            if (hist[c]) {
                cmin = cmin == UINT64_MAX ? c : cmin;
                cmax = c;
                nonzero += hist[c];
            }
        }
        if (nbig) {
            cmin = cmin == UINT64_MAX ? big[0] : cmin;
            cmax = big[nbig - 1];
            nonzero += nbig;
        }
        if (!nonzero)
            cmin = 0;
        out->cmin = cmin;
        out->cmax = cmax;
        out->nonzero = nonzero;
        bool ok = eq_hist_build(hist, big, nbig, out);
        free(hist);
        if (!ok) {
            tonemap_table_free(out);
            return false;
        }
    }

    out->cmin = cmin;
    out->cmax = cmax;
    out->nonzero = nonzero;
    /* Kept for every kind, eq-hist included, so a caller can show the range. */
    out->fmin = tonemap_f(kind, cmin);
    out->fmax = tonemap_f(kind, cmax);
    return true;
}

double tonemap_level(const tonemap_table *t, uint64_t c)
{
    if (c == 0 || t->nonzero == 0)
        return 0.0;
    if (t->kind != TONEMAP_EQ_HIST) {
        if (t->fmax == t->fmin)
            return 1.0;
        double v = (tonemap_f(t->kind, c) - t->fmin) / (t->fmax - t->fmin);
        return v < 0.0 ? 0.0 : v > 1.0 ? 1.0 : v;
    }
    if (c < t->lut_len)
        return t->lut[c];
    if (t->big_len == 0 || c < t->big_values[0])
        return t->lut[t->lut_len - 1];
    /* Largest big value <= c. */
    uint32_t lo = 0, hi = t->big_len - 1;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo + 1) / 2;
        if (t->big_values[mid] <= c)
            lo = mid;
        else
            hi = mid - 1;
    }
    return t->big_levels[lo];
}
