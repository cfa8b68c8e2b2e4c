#include "overlay/ticks.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A nice step is m * 10^k with m in {1, 2, 5}. Tick values are computed as
 * (n * m) / 10^-k rather than n * step, so that 3 * 0.1 comes out as the
 * double nearest 0.3 and not 0.30000000000000004. */
typedef struct nice_step {
    int m, k;
} nice_step;

static const double exact_p10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static double p10(int k)
{
    if (k >= 0 && k <= 22)
        return exact_p10[k];
    return pow(10.0, k);
}

/* x * 10^k, dividing by an exact power when k < 0 so decimals round once. */
static double scale10(double x, int k)
{
    if (k >= 0)
        return x * p10(k);
    if (k >= -308)
        return x / p10(-k);
    return x * p10(k); /* subnormal territory: precision is gone anyway */
}

static double step_value(nice_step s) { return scale10(s.m, s.k); }

static nice_step step_next(nice_step s)
{
    if (s.m == 1)
        s.m = 2;
    else if (s.m == 2)
        s.m = 5;
    else {
        s.m = 1;
        s.k++;
    }
    return s;
}

/* floor(log10(x)) for finite x > 0, corrected where log10 rounds across a
 * power of ten. */
static int floor_log10(double x)
{
    int e = (int)floor(log10(x));
    if (e > -300 && e < 300) {
        if (p10(e) > x)
            e--;
        else if (p10(e + 1) <= x)
            e++;
    }
    return e;
}

/* The smallest nice step >= x (x > 0, finite). */
static nice_step step_at_least(double x)
{
    nice_step s = {1, floor_log10(x) - 1};
    while (step_value(s) < x)
        s = step_next(s);
    return s;
}

double ticks_axis_pos(double v, double lo, double hi, double axis_px)
{
    return (v * 0.5 - lo * 0.5) / (hi * 0.5 - lo * 0.5) * axis_px;
}

/* The multiples of s inside [a, b] (a < b). A multiple within 1e-7 steps
 * outside the range counts as the endpoint (floating noise in the limits).
 * False when there are more than TICKS_MAX or when doubles cannot tell
 * neighbours apart; *n = 0 is a valid answer. */
static bool gen_values(double a, double b, nice_step s, double *v, int *n)
{
    *n = 0;
    double st = step_value(s);
    if (!(st > 0) || !isfinite(st))
        return false;
    double qa = a / st, qb = b / st;
    if (!isfinite(qa) || !isfinite(qb))
        return false;
    double na = ceil(qa - 1e-7), nb = floor(qb + 1e-7);
    if (nb < na)
        return true;
    if (nb - na + 1 > TICKS_MAX)
        return false;
    if (fabs(na) * s.m > 9007199254740992.0 || fabs(nb) * s.m > 9007199254740992.0)
        return false;
    int cnt = (int)(nb - na) + 1;
    for (int i = 0; i < cnt; i++) {
        double x = scale10((na + i) * s.m, s.k);
        if (!isfinite(x))
            return false;
        x = x < a ? a : x > b ? b : x;
        if (i > 0 && !(x > v[i - 1]))
            return false;
        v[i] = x;
    }
    *n = cnt;
    return true;
}

static void strip_zeros(char *s)
{
    /* "1.2500" -> "1.25", "3.000" -> "3", "2.500e+06" -> "2.5e+06" */
    char *dot = strchr(s, '.');
    if (!dot)
        return;
    char *e = strchr(s, 'e');
    char *end = e ? e : s + strlen(s);
    char *p = end;
    while (p > dot + 1 && p[-1] == '0')
        p--;
    if (p == dot + 1)
        p = dot;
    memmove(p, end, strlen(end) + 1);
}

/* True when a formatted number is a zero ("0", "-0", "0.000", "-0e+00"). */
static bool is_zero_text(const char *s)
{
    for (; *s && *s != 'e'; s++)
        if (*s >= '1' && *s <= '9')
            return false;
    return true;
}

/* Labels for ascending values on a grid of spacing st (values already minus
 * any offset). Fixed notation unless the exponent form is shorter (or the
 * magnitude is beyond what fixed notation shows honestly); as few digits as
 * tell neighbours apart; a value within half a step of 0 is exactly "0". */
static bool format_labels(const double *v, int n, double st, char (*lab)[40])
{
    if (n <= 0)
        return true;
    double amax = 0;
    for (int i = 0; i < n; i++)
        if (fabs(v[i]) >= st * 0.5 && fabs(v[i]) > amax)
            amax = fabs(v[i]);
    int k = floor_log10(st);
    /* the magnitude of the largest label, taken on the step grid so that
     * 0.0099999 (0.01 minus an offset's rounding) counts as 0.01 */
    double grid_max = nearbyint(amax / st) * st;
    if (isfinite(grid_max) && grid_max > 0)
        amax = grid_max;
    int e = amax > 0 ? floor_log10(amax) : k;
    int prec = e - k + 1;
    if (prec < 1)
        prec = 1;
    int len_fixed = (e >= 0 ? e + 1 : 1) + (k < 0 ? 1 - k : 0);
    int len_exp = prec + (prec > 1) + (abs(e) >= 100 ? 5 : 4);
    bool fixed = e < 17 && k < 6 && (len_fixed < len_exp || (len_fixed == len_exp && e >= -3));
    for (int extra = 0; extra <= 17; extra++) {
        for (int i = 0; i < n; i++) {
            if (fabs(v[i]) < st * 0.5) {
                strcpy(lab[i], "0");
                continue;
            }
            if (fixed)
                snprintf(lab[i], 40, "%.*f", (k < 0 ? -k : 0) + extra, v[i]);
            else
                snprintf(lab[i], 40, "%.*e", prec - 1 + extra, v[i]);
            strip_zeros(lab[i]);
            if (is_zero_text(lab[i]))
                strcpy(lab[i], "0");
        }
        bool distinct = true;
        for (int i = 1; i < n && distinct; i++)
            distinct = strcmp(lab[i], lab[i - 1]) != 0;
        if (distinct)
            return true;
    }
    return false;
}

/* Shortest text that reads back as x. */
static void shortest_g(double x, char *buf, size_t size)
{
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, size, "%.*g", p, x);
        if (strtod(buf, NULL) == x)
            return;
    }
}

/* Two ticks at the limits themselves, for ranges too narrow for any grid
 * doubles can represent (a few ulps wide). */
static void endpoints(double a, double b, tick_set *out)
{
    out->n = 2;
    out->value[0] = a;
    out->value[1] = b;
    out->step = b - a;
    shortest_g(a, out->label[0], sizeof out->label[0]);
    shortest_g(b, out->label[1], sizeof out->label[1]);
}

/* A complete set for one step; false when the step does not work here. */
static bool make_set(double a, double b, nice_step s, tick_set *out)
{
    int n;
    if (!gen_values(a, b, s, out->value, &n))
        return false;
    out->n = n;
    out->step = step_value(s);
    return format_labels(out->value, n, out->step, out->label);
}

bool ticks_nice(double lo, double hi, int target, tick_set *out)
{
    memset(out, 0, sizeof *out);
    if (!isfinite(lo) || !isfinite(hi) || lo == hi)
        return false;
    double a = lo < hi ? lo : hi, b = lo < hi ? hi : lo;
    target = target < 2 ? 2 : target > TICKS_MAX ? TICKS_MAX : target;
    double span = b * 0.5 - a * 0.5; /* half the span: never overflows */
    double raw = span / (target - 1) * 2.0;
    if (!isfinite(raw))
        raw = DBL_MAX;
    if (!(raw > 0))
        raw = DBL_MIN;
    nice_step s = step_at_least(raw / 10.0);
    tick_set best, cur;
    int best_score = -1;
    /* the step whose tick count is nearest the target (at least two if any
     * step gives two); ties to fewer ticks */
    for (int i = 0; i < 12; i++, s = step_next(s)) {
        if (!make_set(a, b, s, &cur) || cur.n < 1)
            continue;
        int score = abs(cur.n - target) * 2 + (cur.n < 2 ? 100 : 0);
        if (best_score < 0 || score <= best_score) {
            best = cur;
            best_score = score;
        }
    }
    if (best_score < 0 || best.n < 2) {
        endpoints(a, b, out);
        return true;
    }
    *out = best;
    return true;
}

bool ticks_labels_fit(double lo, double hi, const ticks_layout_params *p, const tick_set *t,
                      const int *idx, int m)
{
    bool rev = hi < lo;
    float prev_pos = 0, prev_half = 0;
    for (int j = 0; j < m; j++) {
        int i = idx[rev ? m - 1 - j : j];
        float pos = (float)ticks_axis_pos(t->value[i], lo, hi, p->axis_px);
        float half = p->measure(p->ctx, t->label[i]) * 0.5f;
        if (j == 0 && p->room_lo >= 0 && pos - half < -p->room_lo)
            return false;
        if (j > 0 && pos - prev_pos < prev_half + half + p->gap_px)
            return false;
        if (j == m - 1 && p->room_hi >= 0 && pos + half > p->axis_px + p->room_hi)
            return false;
        prev_pos = pos;
        prev_half = half;
    }
    return true;
}

int ticks_middle(double lo, double hi, const tick_set *t)
{
    int best = 0;
    double bd = -1;
    for (int j = 0; j < t->n; j++) {
        double d = fabs(ticks_axis_pos(t->value[j], lo, hi, 1.0) - 0.5);
        if (bd < 0 || d < bd) {
            bd = d;
            best = j;
        }
    }
    return best;
}

void ticks_keep_only(tick_set *t, const int *idx, int m)
{
    tick_set k = *t;
    for (int j = 0; j < m; j++) {
        t->value[j] = k.value[idx[j]];
        memcpy(t->label[j], k.label[idx[j]], sizeof t->label[j]);
    }
    t->n = m;
    if (m >= 2)
        t->step = t->value[1] - t->value[0];
}

bool ticks_layout_ex(double lo, double hi, const ticks_layout_params *p, tick_set *out)
{
    memset(out, 0, sizeof *out);
    if (!isfinite(lo) || !isfinite(hi) || lo == hi || !p->measure)
        return false;
    if (!(p->axis_px > 0))
        return true;
    double a = lo < hi ? lo : hi, b = lo < hi ? hi : lo;
    double span2 = b * 0.5 - a * 0.5;
    /* no spacing can be below gap_px + 1 px, nor can there be more than
     * TICKS_MAX ticks: the densest step worth trying */
    double min_frac = (p->gap_px + 1.0) / p->axis_px;
    if (min_frac < 1.0 / (TICKS_MAX - 1))
        min_frac = 1.0 / (TICKS_MAX - 1);
    double smin = span2 * min_frac * 2.0;
    if (!isfinite(smin))
        smin = DBL_MAX;
    if (!(smin > 0))
        smin = DBL_MIN;
    nice_step s = step_at_least(smin);
    tick_set cur, pair, single;
    bool have_pair = false, have_single = false;
    int idx[TICKS_MAX];
    for (int i = 0; i < TICKS_MAX; i++)
        idx[i] = i;
    /* from dense to sparse: the first whole set that fits wins; remember the
     * first that fits as its two end ticks, or as one tick, for axes too short
     * for any whole set */
    bool any_set = false;
    for (int guard = 0; guard < 80; guard++, s = step_next(s)) {
        double st = step_value(s);
        if (!isfinite(st) || st * 0.5 > span2 * 4.0)
            break;
        if (!make_set(a, b, s, &cur) || cur.n < 1)
            continue;
        any_set = true;
        if (cur.n >= 2 && ticks_labels_fit(lo, hi, p, &cur, idx, cur.n)) {
            *out = cur;
            return true;
        }
        if (cur.n >= 2 && !have_pair) {
            int ends[2] = {0, cur.n - 1};
            if (ticks_labels_fit(lo, hi, p, &cur, ends, 2)) {
                pair = cur;
                ticks_keep_only(&pair, ends, 2);
                have_pair = true;
            }
        }
        if (!have_single) {
            int bi = ticks_middle(lo, hi, &cur);
            if (ticks_labels_fit(lo, hi, p, &cur, &bi, 1)) {
                single = cur;
                ticks_keep_only(&single, &bi, 1);
                single.step = cur.step;
                have_single = true;
            }
        }
    }
    if (!any_set) {
        /* a range a few ulps wide: no grid, but the limits themselves */
        endpoints(a, b, &cur);
        int ends[2] = {0, 1};
        if (ticks_labels_fit(lo, hi, p, &cur, ends, 2)) {
            *out = cur;
            return true;
        }
    }
    if (have_pair)
        *out = pair;
    else if (have_single)
        *out = single;
    return true;
}

bool ticks_layout(double lo, double hi, float axis_px, float gap_px, ticks_measure_fn measure,
                  void *ctx, tick_set *out)
{
    ticks_layout_params p = {.axis_px = axis_px, .gap_px = gap_px, .room_lo = -1, .room_hi = -1,
                             .measure = measure, .ctx = ctx};
    return ticks_layout_ex(lo, hi, &p, out);
}

bool ticks_offset_labels(tick_set *t, char offset_label[40])
{
    offset_label[0] = 0;
    if (t->n < 1 || !(t->step > 0) || !isfinite(t->step))
        return false;
    double v0 = t->value[0], vn = t->value[t->n - 1];
    if (v0 <= 0 && vn >= 0)
        return false; /* around zero labels are as short as they get */
    double extent = vn - v0 > t->step ? vn - v0 : t->step;
    /* the offset: v0 rounded down to a power of ten above the ticks' extent,
     * so the remaining labels have few digits */
    int j = floor_log10(extent) + 1;
    if (j > 300 || j < -300)
        return false;
    double q = j >= 0 ? v0 / p10(j) : v0 * p10(-j);
    if (!isfinite(q))
        return false;
    double off = j >= 0 ? floor(q) * p10(j) : floor(q) / p10(-j);
    if (off == 0 || !isfinite(off))
        return false;
    double rel[TICKS_MAX];
    for (int i = 0; i < t->n; i++)
        rel[i] = t->value[i] - off;
    char lab[TICKS_MAX][40];
    if (!format_labels(rel, t->n, t->step, lab))
        return false;
    memcpy(t->label, lab, sizeof lab[0] * (size_t)t->n);
    char num[32]; /* %.17g needs at most 24 */
    shortest_g(off, num, sizeof num);
    snprintf(offset_label, 40, "%s%s", off > 0 ? "+" : "", num);
    return true;
}
