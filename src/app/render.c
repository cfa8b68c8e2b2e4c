#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "accum/accum.h"
#include "accum/accum_cpu.h"
#include "accum/bounds_cache.h"
#include "accum/scan.h"
#include "app/compose.h"
#include "app/commands.h"
#include "core/util.h"
#include "gl/glctx.h"
#include "load/follow.h"
#include "gl/tonemap_pass.h"
#include "out/npy_out.h"
#include "out/output_set.h"
#include "out/png_out.h"

static void warn_inputs(const vp_options *o, dataset *ds)
{
    char w[1024];
    if (dataset_take_warning(ds, w, sizeof w) && !o->quiet)
        fprintf(stderr, "vastplot: warning: %s\n", w);
    if (o->quiet)
        return;
    for (int i = 0; o->verbose && i < dataset_inputs(ds); i++)
        if (dataset_cache(ds, i) != DATASET_CACHE_NONE)
            fprintf(stderr, "vastplot: %s: columns %s the column cache\n", dataset_input_name(ds, i),
                    dataset_cache(ds, i) == DATASET_CACHE_HIT ? "read from" : "stored in");
    for (int i = 0; i < dataset_inputs(ds); i++) {
        text_stats ts;
        if (dataset_text_stats(ds, i, &ts)) {
            if (!ts.skipped_rows && ts.first_bad_why[0])
                fprintf(stderr, "vastplot: warning: %s: %s\n", dataset_input_name(ds, i), ts.first_bad_why);
            if (ts.skipped_rows)
                fprintf(stderr, "vastplot: warning: %s: %" PRIu64 " row%s skipped; the first, line %"
                                PRIu64 ", held \"%s\" (%s)\n",
                        dataset_input_name(ds, i), ts.skipped_rows, ts.skipped_rows == 1 ? "" : "s",
                        ts.first_bad_line, ts.first_bad_text, ts.first_bad_why);
            continue;
        }
        const source_info *si = source_get_info(dataset_input(ds, i));
        if (si->trailing_bytes && !si->is_npy)
            fprintf(stderr, "vastplot: warning: %s: the last %" PRIu64 " bytes are not a whole record "
                            "of %zu bytes; ignored\n",
                    si->path, si->trailing_bytes, vp_dtype_size(si->dtype) * (size_t)si->columns);
    }
}

/* Limits not given on the command line come from the data's bounds; a
 * zero-width extent is widened (view_widen_flat). */
static bool resolve_limits(const vp_options *o, const scan_result *sr, const dataset *ds,
                           double lim[4], vp_err *err)
{
    if (!o->xlim_set || !o->ylim_set) {
        if (sr->finite == 0) {
            const char *what = dataset_inputs(ds) == 1 ? dataset_input_name(ds, 0) : "the inputs";
            return vp_err_set(err, "%s: no finite samples (%" PRIu64 " records, %" PRIu64
                                   " non-finite): nothing to take the view from; give --xlim and --ylim",
                              what, sr->records, sr->nonfinite);
        }
    }
    lim[0] = o->xlim_set ? o->xlim[0] : sr->xmin;
    lim[1] = o->xlim_set ? o->xlim[1] : sr->xmax;
    lim[2] = o->ylim_set ? o->ylim[0] : sr->ymin;
    lim[3] = o->ylim_set ? o->ylim[1] : sr->ymax;
    view_widen_flat(lim);
    for (int a = 0; a < 4; a += 2) {
        /* a span that overflows double (e.g. -1e308 .. 1e308) cannot be binned */
        if (!isfinite(lim[a + 1] - lim[a]))
            return vp_err_set(err, "the %s range [%g, %g] is too wide to bin; give --%clim",
                              a ? "y" : "x", lim[a], lim[a + 1], a ? 'y' : 'x');
    }
    return true;
}

/* Outputs replace their file by rename: refuse any that is an input or the
 * other output (by identity: output_set.h), before any work. */
static bool check_outputs(const vp_options *o, output_set *outs, vp_err *err)
{
    for (int i = 0; i < o->ninputs; i++)
        if (!output_set_guard(outs, o->inputs[i], "an input", err))
            return false;
    return output_set_add(outs, o->output, "-o", err) &&
           (!o->save_counts || output_set_add(outs, o->save_counts, "--save-counts", err));
}

int cmd_render(const vp_options *o, vp_err *err)
{
    double t_start = vp_now();
    int rc = 1;
    dataset *ds = NULL;
    scan *sc = NULL;
    glctx *gl = NULL;
    overlay *ov = NULL;
    bounds_cache_key *ckey = NULL;
    tonemap_pass *tp = NULL;
    uint64_t *counts = NULL;
    uint8_t *rgba = NULL;
    tonemap_table table = {0};
    int threads = o->threads;
    output_set outs;
    output_set_init(&outs);

    if (!check_outputs(o, &outs, err))
        goto out;
    if (o->command == CMD_DEMO) {
        if (!dataset_create_demo(o->demo_points, &ds, err))
            goto out;
    } else if (o->follow) {
        if (!dataset_create_follow(o->inputs[0], &o->data, &ds, err))
            goto out;
        /* read as it grows; render once it has been still for --until-idle */
        double last_change = vp_now();
        for (;;) {
            follow_event ev;
            if (!dataset_follow_poll(ds, &ev, err))
                goto out;
            double t = vp_now();
            if (ev.grew || ev.reset || ev.rotated)
                last_change = t;
            if (ev.reset && !o->quiet)
                fprintf(stderr, "vastplot: %s was %s: its rows were dropped, reading it again from its start\n",
                        o->inputs[0], ev.rewritten ? "rewritten" : "truncated");
            if (t - last_change >= o->until_idle)
                break;
            dataset_follow_wait(ds, (int)fmin(100, (o->until_idle - (t - last_change)) * 1000 + 1));
        }
        if (dataset_records(ds) == 0) {
            vp_err_set(err, "%s: no records arrived within --until-idle %g s", o->inputs[0], o->until_idle);
            goto out;
        }
        t_start = vp_now(); /* the summary times the render, not the waiting */
    } else if (!dataset_create_inputs(o->inputs, o->ninputs, &o->data, &ds, err)) {
        goto out;
    }
    warn_inputs(o, ds);

    /* The bounds pass and GL start-up overlap: workers scan while this thread
     * brings up EGL. */
    double known[4];
    bool have_known = dataset_known_bounds(ds, known);
    bool need_scan = !(o->xlim_set && o->ylim_set) && !have_known;
    /* one input: its bounds may be remembered from an earlier run */
    scan_result cached;
    if (need_scan && !o->no_cache && dataset_inputs(ds) == 1 && dataset_input(ds, 0) &&
        (ckey = malloc(sizeof *ckey)) &&
        bounds_cache_get(dataset_input(ds, 0), ckey, &cached)) {
        have_known = true;
        need_scan = false;
        known[0] = cached.xmin;
        known[1] = cached.xmax;
        known[2] = cached.ymin;
        known[3] = cached.ymax;
        if (cached.finite == 0) /* keep the "no finite samples" error */
            have_known = false, need_scan = true;
    }
    if (need_scan && !scan_start(ds, threads ? threads : chunk_pass_default_threads(), &sc, err))
        goto out;
    glctx_params gp = {.debug = o->gl_debug, .verbose = o->verbose};
    if (!glctx_create_headless(&gp, &gl, err))
        goto out;
    double t_gl = vp_now();
    if (!tonemap_pass_check_size(o->width, o->height, err))
        goto out;
    bool use_gpu = o->accumulate == ACCUM_GPU || (o->accumulate == ACCUM_AUTO && !glctx_is_software(gl));

    scan_result sr = {0};
    if (have_known)
        sr = (scan_result){.finite = 1, .xmin = known[0], .xmax = known[1], .ymin = known[2], .ymax = known[3]};
    if (sc) {
        bool ok = scan_join(sc, &sr, err);
        sc = NULL;
        if (!ok)
            goto out;
        if (ckey)
            bounds_cache_put(dataset_input(ds, 0), ckey, &sr);
    }
    double t_scan = vp_now();
    double lim[4] = {0, 0, 0, 0};
    if (!resolve_limits(o, &sr, ds, lim, err))
        goto out;
    view v;
    /* with --overlay the grid fills the plot rectangle inside the margins */
    overlay_rect plot = {0, 0, o->width, o->height};
    if (o->overlay) {
        overlay_params op;
        overlay_params_default(&op);
        op.title = o->title;
        op.xlabel = o->xlabel;
        op.ylabel = o->ylabel;
        if (!overlay_create(&op, &ov, err))
            goto out;
        plot = overlay_plot_rect(ov, o->width, o->height);
    }
    view_init(&v, lim[0], lim[1], lim[2], lim[3], plot.w, plot.h);
    size_t pixels = (size_t)plot.w * (size_t)plot.h;
    if (!(counts = calloc(pixels, sizeof *counts))) {
        vp_err_set(err, "out of memory for a %dx%d picture (%zu MiB of counts)", o->width, o->height,
                   pixels * 8 >> 20);
        goto out;
    }
    double t_acc = vp_now();
    accum_params ap = {.threads = threads};
    accum_stats st = {0};
    if (use_gpu) {
        if (!tonemap_pass_create(o->tonemap, &tp, err))
            goto out;
        if (!accum_gpu_run(ds, &v, &ap, counts, &st, err)) {
            if (!(st.gpu_refused && o->accumulate == ACCUM_AUTO))
                goto out;
            /* auto: the CPU path gives the same grid without GPU memory */
            if (!o->quiet)
                fprintf(stderr, "vastplot: warning: %s; accumulating on the CPU instead\n", err->msg);
            use_gpu = false;
            memset(counts, 0, pixels * sizeof *counts);
            if (!accum_cpu_run(ds, &v, &ap, counts, &st, err))
                goto out;
        }
    } else {
        accum_cpu *ac;
        if (!accum_cpu_start(ds, &v, &ap, counts, &ac, err))
            goto out;
        /* compiles (and warms) the tone-map shaders while the workers bin;
         * only the overlay needs them (below) */
        bool tp_ok = !ov || (tonemap_pass_create(o->tonemap, &tp, err) && tonemap_pass_warm(tp, err));
        vp_err aerr;
        bool ok = accum_cpu_join(ac, &st, &aerr);
        if (!ok)
            *err = aerr;
        if (!ok || !tp_ok)
            goto out;
    }
    double t_acc_end = vp_now();

    tonemap_look look = {.floor = o->floor, .spread = (o->point_size - 1) / 2};
    if (!colormap_get(o->colormap, look.cmap)) {
        vp_err_set(err, "unknown colormap \"%s\"", o->colormap);
        goto out;
    }
    for (int i = 0; i < 4; i++)
        look.background[i] = o->background[i];
    if (!tonemap_table_build(o->tonemap, counts, pixels, &table)) {
        vp_err_set(err, "out of memory building the tone map");
        goto out;
    }
    look.table = &table;
    double t_table = vp_now();
    /* Without the overlay, when the grid is here anyway or GL is software,
     * the CPU tone-maps strip by strip into the PNG encoder: the same pixels
     * as the GL pass (look/shade.h), no whole picture held, all cores. */
    bool cpu_picture = !ov && (!use_gpu || glctx_is_software(gl));
    atomic_file *af = NULL;
    if (cpu_picture) {
        /* all or nothing: both go to temporary files, moved into place together */
        if (!(af = output_set_begin(&outs, 0, err)) ||
            !compose_write_png(af, counts, plot.w, plot.h, &look, threads, err))
            goto out;
    } else {
        if (!(rgba = malloc((size_t)o->width * (size_t)o->height * 4))) {
            vp_err_set(err, "out of memory for a %dx%d picture", o->width, o->height);
            goto out;
        }
        if (ov) {
            compose_params cp = {o->width, o->height, ov, plot, &v, tp, &table,
                                 (const uint8_t(*)[4])look.cmap, look.floor, o->background, NULL};
            if (!tonemap_pass_set(tp, counts, plot.w, plot.h, &look, err) || !compose_readback(&cp, rgba, err))
                goto out;
        } else if (!tonemap_pass_render(tp, counts, plot.w, plot.h, &look, rgba, err)) {
            goto out;
        }
        if (!(af = output_set_begin(&outs, 0, err)) ||
            !png_encode_rgba(af, rgba, o->width, o->height, (size_t)o->width * 4,
                             o->background[3] != 255, err))
            goto out;
        free(rgba);
        rgba = NULL;
    }
    double t_tone = vp_now();
    if (o->save_counts &&
        (!(af = output_set_begin(&outs, 1, err)) || !npy_encode_counts(af, counts, plot.w, plot.h, err)))
        goto out;
    if (!output_set_commit(&outs, err))
        goto out;

    double t_end = vp_now();
    double elapsed = t_end - t_start;
    if (!o->quiet) {
        fprintf(stderr,
                "vastplot: %" PRIu64 " points read, %" PRIu64 " drawn, %" PRIu64
                " skipped (non-finite) in %.3f s, %.1f M points/s -> %s [%s accumulation on %s]\n",
                st.records, st.drawn, st.nonfinite, elapsed,
                elapsed > 0 ? (double)st.records / elapsed * 1e-6 : 0.0, o->output,
                use_gpu ? "gpu" : "cpu", glctx_renderer(gl));
        if (o->verbose)
            fprintf(stderr,
                    "vastplot: view x [%.17g, %.17g] y [%.17g, %.17g]; accumulation %.3f s "
                    "(%.1f M points/s), %" PRIu64 " folds, %" PRIu64 " ring waits\n",
                    lim[0], lim[1], lim[2], lim[3], t_acc_end - t_acc,
                    (double)st.records / (t_acc_end - t_acc) * 1e-6, st.flushes, st.ring_waits);
        if (o->verbose)
            fprintf(stderr,
                    "vastplot: timeline (s from start): GL ready %.3f, bounds done %.3f, "
                    "accumulated %.3f, tone-map table %.3f, %s %.3f, files written %.3f\n",
                    t_gl - t_start, t_scan - t_start, t_acc_end - t_start, t_table - t_start,
                    cpu_picture ? "PNG (CPU tone map streamed into it)" : "tone-map pass + PNG",
                    t_tone - t_start, t_end - t_start);
    }
    rc = 0;
out:
    if (sc) {
        scan_result ignore;
        scan_join(sc, &ignore, NULL);
    }
    output_set_free(&outs);
    free(ckey);
    tonemap_table_free(&table);
    tonemap_pass_destroy(tp);
    overlay_destroy(ov);
    glctx_destroy(gl);
    dataset_destroy(ds);
    free(counts);
    free(rgba);
    return rc;
}
