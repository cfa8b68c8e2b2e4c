/* The MPI mode of render (mpi_run.h). Every rank runs the same sequence of
 * collectives whatever happens: each step that can fail on one rank is
 * followed by agree(), so no rank waits in a collective the others skipped. */
#include <inttypes.h>
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accum/accum.h"
#include "accum/bounds_cache.h"
#include "accum/scan.h"
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
    else if (o->lines && o->normalize_lines)
        what = "--normalize lines (each series is normalized whole)";
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

/* Rank r's share of n chunks: [n r / R, n (r + 1) / R), every chunk in one. */
static void share_of(uint64_t n, uint64_t *from, uint64_t *to)
{
    uint64_t r = (uint64_t)mpi_run_rank(), size = (uint64_t)mpi_run_size();
    *from = n / size * r + n % size * r / size;
    *to = n / size * (r + 1) + n % size * (r + 1) / size;
}

/* The data's bounds as one process's plot_bounds gives them: known (text
 * inputs, parsed whole by every rank) or not needed (--xlim and --ylim)
 * without a pass; else rank 0's bounds cache (its answer broadcast, so all
 * take the same path); else each rank scans its share of the chunks and the
 * mins and maxes are reduced (MPI_Allreduce with MPI_MIN, the maxes
 * negated; exact, in any order; a rank of no finite sample gives +inf, which
 * changes nothing, and no value is NaN: the decoder drops those), and rank 0
 * stores the result in the cache. Collective; err the same on every rank.
 * *how says which ("scanned by R ranks", ...) for --verbose. */
static bool mpi_bounds(const vp_options *o, dataset *ds, double bounds[4], const char **how, vp_err *err)
{
    memset(bounds, 0, 4 * sizeof *bounds);
    *how = "known without a pass";
    if (dataset_known_bounds(ds, bounds))
        return true;
    if (o->xlim_set && o->ylim_set) {
        *how = "not needed (--xlim and --ylim)";
        return true;
    }
    const int rank = mpi_run_rank();
    bounds_cache_key *key = NULL;
    scan_result r = {0};
    double hit[5] = {0}; /* 1 when rank 0's cache has them, then the bounds */
    if (rank == 0 && !o->no_cache && dataset_inputs(ds) == 1 && dataset_input(ds, 0) &&
        (key = malloc(sizeof *key)) && bounds_cache_get(dataset_input(ds, 0), key, &r) && r.finite > 0) {
        double c[5] = {1, r.xmin, r.xmax, r.ymin, r.ymax};
        memcpy(hit, c, sizeof c);
    }
    MPI_Bcast(hit, 5, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    if (hit[0] == 1) {
        memcpy(bounds, hit + 1, 4 * sizeof *bounds);
        free(key);
        *how = "from rank 0's bounds cache";
        return true;
    }
    uint64_t from, to;
    share_of(dataset_chunks(ds), &from, &to);
    scan *sc = NULL;
    bool ok = scan_start_range(ds, o->threads, from, to, &sc, err) && scan_join(sc, &r, err);
    if (!agree(ok, err)) {
        free(key);
        return false;
    }
    if (!(r.finite > 0)) {
        r.xmin = r.ymin = INFINITY;
        r.xmax = r.ymax = -INFINITY;
    }
    double lo[4] = {r.xmin, -r.xmax, r.ymin, -r.ymax}, all[4];
    uint64_t n[3] = {r.records, r.nonfinite, r.finite}, tot[3];
    MPI_Allreduce(lo, all, 4, MPI_DOUBLE, MPI_MIN, MPI_COMM_WORLD);
    MPI_Allreduce(n, tot, 3, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
    r = (scan_result){.records = tot[0], .nonfinite = tot[1], .finite = tot[2], .xmin = all[0],
                      .xmax = -all[1], .ymin = all[2], .ymax = -all[3], .wmin = 1, .wmax = 0};
    double c[4] = {r.xmin, r.xmax, r.ymin, r.ymax};
    memcpy(bounds, c, sizeof c);
    *how = "scanned in shares by the ranks";
    if (rank == 0 && key && key->valid)
        bounds_cache_put(dataset_input(ds, 0), key, &r);
    free(key);
    if (r.finite == 0) {
        /* the single process's message (plot_bounds_join_w), on every rank */
        const char *what = dataset_inputs(ds) == 1 ? dataset_input_name(ds, 0) : "the inputs";
        return vp_err_set(err, "%s: no finite samples (%" PRIu64 " records, %" PRIu64
                               " non-finite): nothing to take the view from; give --xlim and --ylim",
                          what, r.records, r.nonfinite);
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
 * comes up or it is a software one, bins on the CPU: the same counts).
 * Annotations are drawn by the overlay's GL pass too. */
static bool start_gl(const vp_options *o, glctx **gl, vp_err *err)
{
    *gl = NULL;
    bool compose = mpi_run_rank() == 0 && (o->overlay || o->n_annots > 0); /* overlay.c draws both */
    bool need = compose || o->accumulate == ACCUM_GPU;
    if (!need && o->accumulate != ACCUM_AUTO)
        return true;
    glctx_params gp = {.debug = o->gl_debug, .verbose = o->verbose && !o->quiet && mpi_run_rank() == 0};
    vp_err gerr;
    if (glctx_create_headless(&gp, gl, &gerr))
        return true;
    *gl = NULL;
    if (need) {
        *err = gerr;
        return vp_err_prefix(err, "%s", compose ? "rank 0 composes the overlay or annotations" : "--accumulate gpu");
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
         plot_set_annotations(*pl, o->annots, o->n_annots, err) &&
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
    glctx *gl = NULL;
    plot *pl = NULL;
    output_set outs;
    output_set_init(&outs);
    int rc = 1;
    double bounds[4], lim[4], wrange[2] = {1, 0}; /* no value column: no w range */
    const char *bounds_how = "";

    /* set-up: every rank opens the inputs (text is parsed whole by each);
     * the bounds are reduced from the ranks' shares, so all compute the
     * single-process view */
    bool ok = check_supported(o, err) && add_outputs(o, &outs, err) &&
              dataset_create_inputs(o->inputs, o->ninputs, &o->data, &ds, err);
    if (ok && dataset_has_w(ds))
        ok = vp_err_set(err, "the MPI mode does not support a value column (--value, --by) yet");
    if (!agree(ok, err) || !agree(mpi_bounds(o, ds, bounds, &bounds_how, err), err) ||
        !agree(plot_limits(o, ds, bounds, lim, err), err))
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
    plot_combine comb = {.sum = share_sum, .ctx = &sh};
    share_of(n, &comb.from, &comb.to);
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
    if (fallback && !o->quiet && (rank == 0 || o->verbose))
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
        if (o->lines)
            fprintf(stderr, "vastplot: %d series drawn as lines; \"drawn\" counts the pixel steps of the segments\n",
                    dataset_inputs(ds) > 0 ? dataset_inputs(ds) : 1);
        if (o->verbose)
            fprintf(stderr,
                    "vastplot: view x [%.17g, %.17g] y [%.17g, %.17g]; bounds %s; %" PRIu64 " chunks; rank 0 "
                    "binned chunks [%" PRIu64 ", %" PRIu64 ") and the grids were summed in %.3f s; %d of %d ranks "
                    "on a GPU\n",
                    lim[0], lim[1], lim[2], lim[3], bounds_how, n, comb.from, comb.to, t_red - t_acc,
                    sh.gpu_ranks, size);
    }
    rc = 0;
out:
    output_set_free(&outs);
    plot_destroy(pl);
    glctx_destroy(gl);
    dataset_destroy(ds);
    return rc;
}
