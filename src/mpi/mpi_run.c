/* The MPI mode of render (mpi_run.h). Every rank runs the same sequence of
 * collectives whatever happens: each step that can fail on one rank is
 * followed by agree(), so no rank waits in a collective the others skipped. */
#include <inttypes.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accum/accum.h"
#include "app/plot.h"
#include "look/tonemap.h"
#include "mpi/mpi_run.h"
#include "out/npy_out.h"
#include "out/output_set.h"
#include "core/util.h"

/* MPI_Reduce counts are ints: the grid goes in pieces of at most 2^27
 * values (1 GiB), well inside them and inside OpenMPI's buffers. */
#define MPI_RUN_PIECE ((size_t)1 << 27)

static bool started; /* mpi_run_init called MPI_Init */

void mpi_run_init(int *argc, char ***argv)
{
    if (!getenv("OMPI_COMM_WORLD_SIZE") && !getenv("PMIX_RANK"))
        return;
    int already = 0;
    MPI_Initialized(&already);
    if (!already && MPI_Init(argc, argv) == MPI_SUCCESS)
        started = true;
}

void mpi_run_finalize(void)
{
    if (started)
        MPI_Finalize();
    started = false;
}

int mpi_run_size(void)
{
    int n = 1;
    if (started)
        MPI_Comm_size(MPI_COMM_WORLD, &n);
    return n;
}

int mpi_run_rank(void)
{
    int r = 0;
    if (started)
        MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}

/* All ranks: true when ok on every one; else false on every one, with err
 * the message of the lowest failing rank. */
static bool agree(bool ok, vp_err *err)
{
    int mine = ok ? 1 : 0, all = 0;
    MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (all)
        return true;
    int rank = mpi_run_rank(), size = mpi_run_size();
    int cand = ok ? size : rank, first = size;
    MPI_Allreduce(&cand, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    MPI_Bcast(err->msg, (int)sizeof err->msg, MPI_CHAR, first, MPI_COMM_WORLD);
    err->msg[sizeof err->msg - 1] = '\0';
    if (first != 0 && rank == 0 && strncmp(err->msg, "MPI rank", 8) != 0) {
        vp_err e = *err;
        vp_err_set(err, "MPI rank %d: %s", first, e.msg);
    }
    return false;
}

/* What the MPI mode does not do yet: said before any work. */
static bool check_supported(const vp_options *o, vp_err *err)
{
    const char *what = NULL;
    if (o->video)
        what = "video";
    else if (o->follow)
        what = "--follow";
    else if (o->lines)
        what = "--lines";
    else if (o->overlay)
        what = "--overlay";
    else if (o->save_grid)
        what = "--save-grid";
    else if (o->accumulate == ACCUM_GPU)
        what = "--accumulate gpu (the ranks bin on the CPU)";
    else if (o->command != CMD_RENDER)
        what = "a command other than render";
    for (int i = 0; !what && i < o->ninputs; i++)
        if (strcmp(o->inputs[i], "-") == 0)
            what = "standard input (\"-\")";
    if (what)
        return vp_err_set(err, "the MPI mode (%d ranks) does not support %s yet; run without mpirun",
                          mpi_run_size(), what);
    return true;
}

/* The outputs, as render's check_outputs: -o is 0, --save-counts 1. */
static bool add_outputs(const vp_options *o, output_set *outs, vp_err *err)
{
    for (int i = 0; i < o->ninputs; i++)
        if (!output_set_guard(outs, o->inputs[i], "an input", err))
            return false;
    return output_set_add(outs, o->output, "-o", err) &&
           (!o->save_counts || output_set_add(outs, o->save_counts, "--save-counts", err));
}

/* Sums every rank's grid into rank 0's (in place there), exactly. */
static bool reduce_grid(uint64_t *counts, size_t cells, vp_err *err)
{
    int root = mpi_run_rank() == 0;
    for (size_t at = 0; at < cells; at += MPI_RUN_PIECE) {
        int n = (int)(cells - at < MPI_RUN_PIECE ? cells - at : MPI_RUN_PIECE);
        int rc = MPI_Reduce(root ? MPI_IN_PLACE : counts + at, root ? counts + at : NULL, n, MPI_UINT64_T,
                            MPI_SUM, 0, MPI_COMM_WORLD);
        if (rc != MPI_SUCCESS)
            return vp_err_set(err, "MPI_Reduce of the grid failed (error %d)", rc);
    }
    return true;
}

/* Rank 0: the PNG exactly as render draws a count grid without the overlay
 * (plot_write_png's path), and --save-counts. */
static bool write_outputs(const vp_options *o, output_set *outs, const plot_look *look,
                          const uint64_t *counts, vp_err *err)
{
    tonemap_table table;
    if (!tonemap_table_build(look->tonemap, counts, (size_t)o->width * (size_t)o->height, &table))
        return vp_err_set(err, "out of memory building the tone map");
    tonemap_look t = {.table = &table, .floor = look->floor, .spread = look->spread};
    memcpy(t.cmap, look->cmap, sizeof t.cmap);
    memcpy(t.background, look->background, 4);
    atomic_file *af = output_set_begin(outs, 0, err);
    bool ok = af && plot_write_grid_png(af, counts, o->width, o->height, &t, o->threads, err);
    tonemap_table_free(&table);
    if (ok && o->save_counts)
        ok = (af = output_set_begin(outs, 1, err)) && npy_encode_counts(af, counts, o->width, o->height, err);
    return ok;
}

int mpi_run_render(const vp_options *o, vp_err *err)
{
    double t_start = vp_now();
    const int rank = mpi_run_rank(), size = mpi_run_size();
    dataset *ds = NULL;
    plot_bounds *pb = NULL;
    uint64_t *counts = NULL;
    output_set outs;
    output_set_init(&outs);
    int rc = 1;
    double bounds[4], lim[4], wrange[2];
    plot_look look;
    view v;
    size_t cells = (size_t)o->width * (size_t)o->height;

    /* set-up: every rank opens the inputs (text is parsed whole by each)
     * and scans the bounds, so all compute the single-process view */
    bool ok = check_supported(o, err) && add_outputs(o, &outs, err) &&
              dataset_create_inputs(o->inputs, o->ninputs, &o->data, &ds, err);
    if (ok && dataset_has_w(ds))
        ok = vp_err_set(err, "the MPI mode does not support a value column (--value, --by) yet");
    ok = ok && plot_bounds_start(ds, o, false, &pb, err);
    if (ok) {
        ok = plot_bounds_join_w(pb, bounds, wrange, err);
        pb = NULL;
    }
    ok = ok && plot_limits(o, ds, bounds, lim, err) && plot_look_from_options(o, &look, err);
    if (ok && !(counts = calloc(cells ? cells : 1, sizeof *counts)))
        ok = vp_err_set(err, "out of memory for a %dx%d picture", o->width, o->height);
    if (!agree(ok, err))
        goto out;
    char w[1024];
    if (rank == 0 && !o->quiet && dataset_take_warning(ds, w, sizeof w))
        fprintf(stderr, "vastplot: warning: %s\n", w);

    /* this rank's share: chunks [n r / R, n (r + 1) / R) */
    view_init(&v, lim[0], lim[1], lim[2], lim[3], o->width, o->height);
    uint64_t n = dataset_chunks(ds);
    uint64_t from = n / (uint64_t)size * (uint64_t)rank + n % (uint64_t)size * (uint64_t)rank / (uint64_t)size;
    uint64_t to = n / (uint64_t)size * (uint64_t)(rank + 1) +
                  n % (uint64_t)size * (uint64_t)(rank + 1) / (uint64_t)size;
    accum_params ap = {.threads = o->threads};
    accum_stats st = {0};
    double t_acc = vp_now();
    ok = accum_cpu_run_range(ds, &v, &ap, from, to, counts, &st, err);
    double t_acc_end = vp_now();
    if (!agree(ok, err))
        goto out;
    uint64_t mine[3] = {st.records, st.nonfinite, st.drawn}, tot[3] = {0};
    MPI_Reduce(mine, tot, 3, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
    ok = reduce_grid(counts, cells, err);
    double t_red = vp_now();
    /* rank 0 writes; all or nothing, and only when every rank is well */
    ok = agree(ok, err) && (rank != 0 || write_outputs(o, &outs, &look, counts, err));
    ok = ok && (rank != 0 || output_set_commit(&outs, err));
    if (!agree(ok, err))
        goto out;
    if (rank == 0 && !o->quiet) {
        double elapsed = vp_now() - t_start;
        fprintf(stderr,
                "vastplot: %" PRIu64 " points read, %" PRIu64 " drawn, %" PRIu64
                " skipped (non-finite) in %.3f s, %.1f M points/s -> %s [cpu accumulation on %d MPI ranks]\n",
                tot[0], tot[2], tot[1], elapsed, elapsed > 0 ? (double)tot[0] / elapsed * 1e-6 : 0.0,
                o->output, size);
        if (o->verbose)
            fprintf(stderr,
                    "vastplot: view x [%.17g, %.17g] y [%.17g, %.17g]; %" PRIu64 " chunks; rank 0 "
                    "binned chunks [%" PRIu64 ", %" PRIu64 ") in %.3f s; grid reduced in %.3f s\n",
                    lim[0], lim[1], lim[2], lim[3], n, from, to, t_acc_end - t_acc, t_red - t_acc_end);
    }
    rc = 0;
out:
    if (pb)
        plot_bounds_join(pb, (double[4]){0}, NULL);
    output_set_free(&outs);
    free(counts);
    dataset_destroy(ds);
    return rc;
}
