/* Followed data drawn in part (refine_set_points): --persist's weights are
 * the formula (arrivals.h), weighted snapshots are the weighted sums of the
 * arrivals' own grids, and --window N draws exactly the last N points, as
 * points and as lines: the same grid as the complete engines (accum_cpu_run,
 * lines_cpu_run) give for a file holding only those points. Inputs are CSV
 * files held as columns (their chunks' points are known, as a followed
 * file's are), a few chunks long, cut in the middle of chunks. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "accum/accum.h"
#include "accum/lines_run.h"
#include "accum/refine.h"
#include "app/arrivals.h"
#include "load/dataset.h"
#include "testutil.h"

#define N 100000 /* points: about 3 chunks */
#define W 97
#define H 41
#define CELLS ((size_t)W * H)

static const char *dir;
static double xs[N], ys[N];
static view v;

/* rows [from, to) of the walk as a CSV file */
static const char *write_csv(const char *name, size_t from, size_t to)
{
    const char *path = tu_path(dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "x,y\n");
    for (size_t i = from; i < to; i++)
        fprintf(f, "%.17g,%.17g\n", xs[i], ys[i]);
    assert_int_equal(fclose(f), 0);
    return path;
}

static dataset *open_csv(const char *path)
{
    dataset_params dp = {.no_cache = true, .threads = 1};
    dataset *ds;
    vp_err err;
    if (!dataset_create_inputs(&path, 1, &dp, &ds, &err))
        fail_msg("%s: %s", path, err.msg);
    return ds;
}

static int setup(void **state)
{
    (void)state;
    dir = tu_tmpdir("test_persist");
    uint64_t seed = 7;
    double y = 0;
    for (size_t i = 0; i < N; i++) {
        xs[i] = (double)i;
        y += (tu_rand_unit(&seed) - 0.5) * 3.0;
        ys[i] = y;
    }
    double ylo = ys[0], yhi = ys[0];
    for (size_t i = 0; i < N; i++)
        ylo = fmin(ylo, ys[i]), yhi = fmax(yhi, ys[i]);
    /* x a little wider than the data, so no sample sits on the closing edge */
    view_init(&v, -10.0, N + 10.0, ylo - 1.0, yhi + 1.0, W, H);
    return 0;
}

/* the grid of the complete engine over ds */
static void complete_grid(dataset *ds, bool lines, uint64_t *g)
{
    accum_params ap = {.threads = 2};
    accum_stats st;
    vp_err err;
    memset(g, 0, CELLS * sizeof *g);
    lines_params lp = {0};
    bool ok = lines ? lines_cpu_run(ds, &v, &lp, &ap, g, &st, &err) : accum_cpu_run(ds, &v, &ap, g, &st, &err);
    if (!ok)
        fail_msg("%s", err.msg);
}

/* the refinement's complete snapshot of ds with the points from first on,
 * weighed by b[0, nb) */
static void refined_grid(dataset *ds, bool lines, uint64_t first, const refine_batch *b, int nb, uint64_t *g)
{
    refine_params rp = {REFINE_CPU, 2, 0, {0}, {lines, {0}}};
    refine *r;
    vp_err err;
    if (!refine_create(ds, &rp, &r, &err) || !refine_set_view(r, &v, &err) ||
        !refine_set_points(r, first, b, nb, &err))
        fail_msg("%s", err.msg);
    refine_state st;
    for (long polls = 0;; polls++) {
        if (polls > 200000)
            fail_msg("the refinement never completed");
        refine_get_state(r, &st);
        if (st.complete)
            break;
        usleep(1000);
    }
    if (!refine_snapshot(r, g, &st, &err))
        fail_msg("%s", err.msg);
    assert_true(st.complete);
    refine_destroy(r);
}

static void assert_grids_equal(const uint64_t *got, const uint64_t *want, const char *what)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < CELLS; i++) {
        sum += want[i];
        if (got[i] != want[i])
            fail_msg("%s: pixel %zu holds %llu, want %llu", what, i, (unsigned long long)got[i],
                     (unsigned long long)want[i]);
    }
    assert_true(sum > 0); /* something was compared */
}

/* arrivals_weigh: exp(-(newest - t) / S), the faded ones dropped */
static void test_weights_formula(void **state)
{
    (void)state;
    const double S = 2.0;
    arrivals *a;
    vp_err err;
    assert_true(arrivals_create(S, &a, &err));
    int nb;
    uint64_t first;
    arrivals_weigh(a, &nb, &first);
    assert_int_equal(nb, 0);
    const double t[] = {0.0, 1.0, 2.5, 4.0, 9.75};
    for (int i = 0; i < 5; i++) {
        assert_true(arrivals_add(a, 1000u * (uint64_t)i + 5, t[i], &err));
        const refine_batch *b = arrivals_weigh(a, &nb, &first);
        assert_int_equal(nb, i + 1);
        assert_int_equal(first, 5);
        for (int k = 0; k <= i; k++) {
            assert_int_equal(b[k].first, 1000u * (uint64_t)k + 5);
            assert_true(fabs(b[k].weight - exp(-(t[i] - t[k]) / S)) <= 1e-15);
        }
        assert_true(b[i].weight == 1.0);
    }
    /* 60 s (30 S) after the first, the first three are past it: dropped */
    assert_true(arrivals_add(a, 9000, 62.6, &err));
    const refine_batch *b = arrivals_weigh(a, &nb, &first);
    assert_int_equal(nb, 3);
    assert_int_equal(first, 3005);
    assert_true(fabs(b[0].weight - exp(-(62.6 - 4.0) / S)) <= 1e-15);
    assert_true(fabs(b[1].weight - exp(-(62.6 - 9.75) / S)) <= 1e-15);
    assert_true(b[2].weight == 1.0);
    arrivals_reset(a);
    arrivals_weigh(a, &nb, &first);
    assert_int_equal(nb, 0);
    assert_int_equal(first, 0);
    arrivals_destroy(a);
}

/* --window: the points from `first` on equal a file of only those points */
static void test_window_exact(void **state)
{
    (void)state;
    const char *all = write_csv("all.csv", 0, N);
    dataset *ds = open_csv(all);
    static uint64_t got[CELLS], want[CELLS];
    const size_t windows[] = {N - 1, N - 2000, N - 40000, 1, 0};
    for (int lines = 0; lines < 2; lines++) {
        for (size_t k = 0; k < sizeof windows / sizeof windows[0]; k++) {
            size_t first = windows[k];
            char name[64];
            snprintf(name, sizeof name, "tail%zu.csv", first);
            dataset *tail = open_csv(write_csv(name, first, N));
            complete_grid(tail, lines, want);
            dataset_destroy(tail);
            refined_grid(ds, lines, first, NULL, 0, got);
            char what[96];
            snprintf(what, sizeof what, "%s, the last %zu points", lines ? "lines" : "points", (size_t)N - first);
            assert_grids_equal(got, want, what);
        }
    }
    dataset_destroy(ds);
}

/* --persist: points weigh their arrival's weight; the snapshot holds the
 * weighted sum in 1/REFINE_WEIGHT_UNIT, rounded. Lines: a segment weighs
 * its newer end's arrival, the first point its own. */
static void test_weighted_sums(void **state)
{
    (void)state;
    const char *all = write_csv("all.csv", 0, N);
    dataset *ds = open_csv(all);
    static uint64_t got[CELLS], ga[CELLS], gb[CELLS], gc[CELLS];
    const size_t k1 = 30001, k2 = 70000; /* arrivals: [0, k1) [k1, k2) [k2, N) */
    const double wt[3] = {0.25, 0.5, 1.0}; /* sums exact in doubles: the test compares bit for bit */
    refine_batch b[3] = {{0, wt[0]}, {k1, wt[1]}, {k2, wt[2]}};

    /* points: each arrival's own grid */
    dataset *da = open_csv(write_csv("a.csv", 0, k1)), *db = open_csv(write_csv("b.csv", k1, k2)),
            *dc = open_csv(write_csv("c.csv", k2, N));
    complete_grid(da, false, ga);
    complete_grid(db, false, gb);
    complete_grid(dc, false, gc);
    refined_grid(ds, false, 0, b, 3, got);
    static uint64_t want[CELLS];
    for (size_t i = 0; i < CELLS; i++)
        want[i] = (uint64_t)llround((wt[0] * (double)ga[i] + wt[1] * (double)gb[i] + wt[2] * (double)gc[i]) *
                                    REFINE_WEIGHT_UNIT);
    assert_grids_equal(got, want, "weighted points");
    dataset_destroy(da);
    dataset_destroy(db);
    dataset_destroy(dc);

    /* lines: the polyline of [0, k1) at wt[0]; the segments from point k1 - 1
     * on (a file starting there, less its first point's own pixel) at the
     * weights of their newer ends */
    dataset *la = open_csv(write_csv("la.csv", 0, k1)), *lb = open_csv(write_csv("lb.csv", k1 - 1, k2)),
            *lc = open_csv(write_csv("lc.csv", k2 - 1, N));
    complete_grid(la, true, ga);
    complete_grid(lb, true, gb);
    complete_grid(lc, true, gc);
    uint32_t sb = 0, sc = 0;
    assert_true(view_bin(&v, xs[k1 - 1], ys[k1 - 1], &sb));
    assert_true(view_bin(&v, xs[k2 - 1], ys[k2 - 1], &sc));
    gb[sb]--;
    gc[sc]--;
    refined_grid(ds, true, 0, b, 3, got);
    for (size_t i = 0; i < CELLS; i++)
        want[i] = (uint64_t)llround((wt[0] * (double)ga[i] + wt[1] * (double)gb[i] + wt[2] * (double)gc[i]) *
                                    REFINE_WEIGHT_UNIT);
    assert_grids_equal(got, want, "weighted lines");
    dataset_destroy(la);
    dataset_destroy(lb);
    dataset_destroy(lc);

    /* persist and window together: arrivals weigh from where the window starts */
    refine_batch one[1] = {{0, 1.0}};
    refined_grid(ds, true, 0, one, 1, got);
    complete_grid(ds, true, want);
    for (size_t i = 0; i < CELLS; i++)
        want[i] *= (uint64_t)REFINE_WEIGHT_UNIT;
    assert_grids_equal(got, want, "lines at weight 1");
    dataset_destroy(ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_weights_formula),
        cmocka_unit_test(test_window_exact),
        cmocka_unit_test(test_weighted_sums),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
