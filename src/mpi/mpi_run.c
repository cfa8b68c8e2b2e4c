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
#include "gl/glctx.h"
#include "gl/tonemap_pass.h"
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
    else if (o->save_grid)
        what = "--save-grid";
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

/* plot_combine.sum: every rank agrees on the binning, then the grids and
 * the stats are summed on rank 0. */
typedef struct share {
    int gpu_ranks; /* rank 0, after the sum: the ranks that binned on a GPU */
} share;

static bool share_sum(void *ctx, bool ok, uint64_t *counts, size_t cells, accum_stats *st, vp_err *err)
{
    share *sh = ctx;
    if (!agree(ok, err))
        return false;
    uint64_t mine[4] = {st->records, st->nonfinite, st->drawn, st->gpu ? 1 : 0}, tot[4] = {0};
    MPI_Reduce(mine, tot, 4, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
    if (mpi_run_rank() == 0) {
        st->records = tot[0];
        st->nonfinite = tot[1];
        st->drawn = tot[2];
        sh->gpu_ranks = (int)tot[3];
        st->gpu = sh->gpu_ranks == mpi_run_size();
    }
    return agree(reduce_grid(counts, cells, err), err);
}

/* As render's: the overlay grows with a picture taller than 1080 rows. */
static float dpi_scale(const vp_options *o)
{
    return o->height > 1080 ? (float)o->height / 1080.0f : 1.0f;
}

/* The GL context this rank needs: rank 0 composing the overlay, or any rank
 * binning on its GPU (--accumulate gpu; auto tries and, where no context
 * comes up or it is a software one, bins on the CPU: the same counts). */
static bool start_gl(const vp_options *o, glctx **gl, vp_err *err)
{
    *gl = NULL;
    bool need = (mpi_run_rank() == 0 && o->overlay) || o->accumulate == ACCUM_GPU;
    if (!need && o->accumulate != ACCUM_AUTO)
        return true;
    glctx_params gp = {.debug = o->gl_debug, .verbose = o->verbose && !o->quiet && mpi_run_rank() == 0};
    vp_err gerr;
    if (glctx_create_headless(&gp, gl, &gerr))
        return true;
    *gl = NULL;
    if (need) {
        *err = gerr;
        return vp_err_prefix(err, "%s", o->overlay && mpi_run_rank() == 0 ? "rank 0 composes the overlay"
                                                                            : "--accumulate gpu");
    }
    if (o->verbose && !o->quiet)
        fprintf(stderr, "vastplot: MPI rank %d: no GL (%s): binning on the CPU\n", mpi_run_rank(), gerr.msg);
    return true;
}

/* The plot of this rank: rank 0's as render makes it (same size, look and
 * overlay: its rectangle is the grid), the others' a bare grid of that
 * rectangle's size (no overlay: binning it on the CPU touches no GL, so a
 * rank without a context can). */
static bool make_plot(const vp_options *o, dataset *ds, glctx *gl, const plot_combine *comb,
                      const double lim[4], const double wrange[2], plot **pl, vp_err *err)
{
    const int rank = mpi_run_rank();
    plot_look look;
    plot_params pp = {.ds = ds, .accumulate = o->accumulate, .software_gl = !gl || glctx_is_software(gl),
                      .threads = o->threads, .title = o->title, .xlabel = o->xlabel, .ylabel = o->ylabel,
                      .agg = (agg_kind)o->agg, .lines = o->lines, .lp = {o->normalize_lines, o->break_gap},
                      .tz = o->tz, .combine = comb};
    bool ok = plot_look_from_options(o, &look, err);
    look.dpi_scale = dpi_scale(o);
    if (rank != 0)
        look.overlay = false;
    ok = ok && plot_create(&pp, pl, err) && plot_set_wrange(*pl, wrange, err) && plot_set_look(*pl, &look, err) &&
         (rank != 0 || plot_set_size(*pl, o->width, o->height, err));
    int wh[2] = {0, 0};
    if (ok && rank == 0) {
        overlay_rect r = plot_rect(*pl);
        wh[0] = r.w;
        wh[1] = r.h;
    }
    if (!agree(ok, err))
        return false;
    MPI_Bcast(wh, 2, MPI_INT, 0, MPI_COMM_WORLD);
    ok = (rank == 0 || plot_set_size(*pl, wh[0], wh[1], err)) && plot_set_view(*pl, lim, err);
    return agree(ok, err);
}

/* Rank 0: the picture and --save-counts as render writes them. */
static bool write_outputs(const vp_options *o, output_set *outs, plot *pl, vp_err *err)
{
    atomic_file *af = output_set_begin(outs, 0, err);
    if (!af || !plot_write_png(pl, af, err))
        return false;
    int gw, gh;
    const uint64_t *counts = plot_counts(pl, &gw, &gh);
    return !o->save_counts ||
           ((af = output_set_begin(outs, 1, err)) && npy_encode_counts(af, counts, gw, gh, err));
}

int mpi_run_render(const vp_options *o, vp_err *err)
{
    double t_start = vp_now();
    const int rank = mpi_run_rank(), size = mpi_run_size();
    dataset *ds = NULL;
    plot_bounds *pb = NULL;
    glctx *gl = NULL;
    plot *pl = NULL;
    output_set outs;
    output_set_init(&outs);
    int rc = 1;
    double bounds[4], lim[4], wrange[2];

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
    ok = ok && plot_limits(o, ds, bounds, lim, err);
    if (!agree(ok, err))
        goto out;
    char w[1024];
    if (rank == 0 && !o->quiet && dataset_take_warning(ds, w, sizeof w))
        fprintf(stderr, "vastplot: warning: %s\n", w);
    /* a picture larger than GL allows is refused as render refuses it */
    ok = start_gl(o, &gl, err) && (!gl || tonemap_pass_check_size(o->width, o->height, err));
    if (!agree(ok, err))
        goto out;

    /* this rank's share: chunks [n r / R, n (r + 1) / R) */
    uint64_t n = dataset_chunks(ds);
    share sh = {0};
    plot_combine comb = {
        .from = n / (uint64_t)size * (uint64_t)rank + n % (uint64_t)size * (uint64_t)rank / (uint64_t)size,
        .to = n / (uint64_t)size * (uint64_t)(rank + 1) + n % (uint64_t)size * (uint64_t)(rank + 1) / (uint64_t)size,
        .sum = share_sum,
        .ctx = &sh};
    if (!make_plot(o, ds, gl, &comb, lim, wrange, &pl, err))
        goto out;
    accum_stats st = {0};
    double t_acc = vp_now();
    /* bins the share, then share_sum: the totals on rank 0 */
    ok = plot_accumulate(pl, &st, err);
    double t_red = vp_now();
    if (!agree(ok, err))
        goto out;
    const char *fallback = plot_take_note(pl);
    if (fallback && !o->quiet)
        fprintf(stderr, "vastplot: warning: MPI rank %d: %s\n", rank, fallback);
    /* rank 0 writes; all or nothing, and only when every rank is well */
    ok = rank != 0 || write_outputs(o, &outs, pl, err);
    ok = agree(ok, err) && (rank != 0 || output_set_commit(&outs, err));
    if (!agree(ok, err))
        goto out;
    if (rank == 0 && !o->quiet) {
        double elapsed = vp_now() - t_start;
        const char *how = sh.gpu_ranks == size ? "gpu" : sh.gpu_ranks ? "gpu and cpu" : "cpu";
        fprintf(stderr,
                "vastplot: %" PRIu64 " points read, %" PRIu64 " drawn, %" PRIu64
                " skipped (non-finite) in %.3f s, %.1f M points/s -> %s [%s accumulation on %d MPI ranks]\n",
                st.records, st.drawn, st.nonfinite, elapsed, elapsed > 0 ? (double)st.records / elapsed * 1e-6 : 0.0,
                o->output, how, size);
        if (o->verbose)
            fprintf(stderr,
                    "vastplot: view x [%.17g, %.17g] y [%.17g, %.17g]; %" PRIu64 " chunks; rank 0 binned chunks [%"
                    PRIu64 ", %" PRIu64 ") and the grids were summed in %.3f s; %d of %d ranks on a GPU\n",
                    lim[0], lim[1], lim[2], lim[3], n, comb.from, comb.to, t_red - t_acc, sh.gpu_ranks, size);
    }
    rc = 0;
out:
    if (pb)
        plot_bounds_join(pb, (double[4]){0}, NULL);
    output_set_free(&outs);
    plot_destroy(pl);
    glctx_destroy(gl);
    dataset_destroy(ds);
    return rc;
}
