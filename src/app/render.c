#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <errno.h>
#include <signal.h>
#include <unistd.h>
#include <sys/wait.h>

#include "app/commands.h"
#include "app/plot.h"
#include "app/views.h"
#include "core/util.h"
#include "gl/glctx.h"
#include "gl/tonemap_pass.h"
#include "load/follow.h"
#include "out/npy_out.h"
#include "out/output_set.h"
#ifdef VP_HAVE_MPI
#include "mpi/mpi_run.h"
#endif

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
            if (ts.x_index_why[0])
                fprintf(stderr, "vastplot: warning: %s: x is the row index: %s\n", dataset_input_name(ds, i),
                        ts.x_index_why);
            if (!ts.skipped_rows && ts.first_bad_why[0])
                fprintf(stderr, "vastplot: warning: %s: %s\n", dataset_input_name(ds, i), ts.first_bad_why);
            if (ts.skipped_rows)
                fprintf(stderr, "vastplot: warning: %s: %" PRIu64 " row%s skipped; the first, line %"
                                PRIu64 ", held \"%s\" (%s)\n",
                        dataset_input_name(ds, i), ts.skipped_rows, ts.skipped_rows == 1 ? "" : "s",
                        ts.first_bad_line, ts.first_bad_text, ts.first_bad_why);
            continue;
        }
        if (!dataset_input(ds, i))
            continue; /* arrays in memory: no file */
        const source_info *si = source_get_info(dataset_input(ds, i));
        if (si->trailing_bytes && !si->is_npy)
            fprintf(stderr, "vastplot: warning: %s: the last %" PRIu64 " bytes are not a whole record "
                            "of %zu bytes; ignored\n",
                    si->path, si->trailing_bytes, vp_dtype_size(si->dtype) * (size_t)si->columns);
    }
}

/* The outputs of one render: where each is in the set (-1: not asked for). */
typedef struct render_outputs {
    output_set set;
    int counts, grid;     /* grid + 1: its sidecar */
    char sidecar[4096];
} render_outputs;

/* Outputs replace their file by rename: refuse any that is an input or
 * another output (by identity: output_set.h), before any work. */
static bool check_outputs(const vp_options *o, render_outputs *ro, vp_err *err)
{
    output_set *outs = &ro->set;
    char *sidecar = ro->sidecar;
    size_t len = sizeof ro->sidecar;
    for (int i = 0; i < o->ninputs; i++)
        if (!output_set_guard(outs, o->inputs[i], "an input", err))
            return false;
    if (o->save_grid && snprintf(sidecar, len, "%s.json", o->save_grid) >= (int)len)
        return vp_err_set(err, "--save-grid: the path is too long");
    /* -o is 0; then --save-counts; then --save-grid and its sidecar */
    if (!output_set_add(outs, o->output, "-o", err))
        return false;
    ro->counts = ro->grid = -1;
    if (o->save_counts) {
        ro->counts = outs->n;
        if (!output_set_add(outs, o->save_counts, "--save-counts", err))
            return false;
    }
    if (o->save_grid) {
        ro->grid = outs->n;
        if (!output_set_add(outs, o->save_grid, "--save-grid", err) ||
            !output_set_add(outs, sidecar, "--save-grid's sidecar", err))
            return false;
    }
    return true;
}

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

/* --save-grid: the values (or the category planes) and a JSON sidecar saying
 * what they are. */
static bool save_grid(plot *pl, render_outputs *ro, const double lim[4], const accum_stats *st,
                      const char *wname, vp_err *err)
{
    output_set *outs = &ro->set;
    const agg_grid *g = plot_agg(pl);
    if (!g)
        return vp_err_set(err, "--save-grid: no grid");
    atomic_file *af = output_set_begin(outs, ro->grid, err);
    if (!af)
        return false;
    bool cats = g->kind == AGG_CATEGORIES;
    bool ok;
    if (cats)
        ok = npy_encode_grid(af, g->cat, "<u4", 4, g->ncat, g->w, g->h, err);
    else if (g->kind == AGG_COUNT)
        ok = npy_encode_grid(af, g->count, "<u8", 8, 0, g->w, g->h, err);
    else
        ok = npy_encode_grid(af, plot_values(pl), "<f8", 8, 0, g->w, g->h, err);
    if (!ok || !(af = output_set_begin(outs, ro->grid + 1, err)))
        return false;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return vp_err_set(err, "out of memory");
    fprintf(f, "{\n  \"what\": ");
    json_string(f, plot_what(pl));
    fprintf(f, ",\n  \"kind\": \"%s\",\n  \"column\": ", agg_kind_name(g->kind));
    json_string(f, wname);
    if (cats)
        fprintf(f, ",\n  \"dtype\": \"uint32\",\n  \"shape\": [%d, %d, %d],\n"
                   "  \"layout\": \"[category, row, column]: samples of each category per pixel; row 0 is the "
                   "top row of the PNG\"", g->ncat, g->h, g->w);
    else
        fprintf(f, ",\n  \"dtype\": \"%s\",\n  \"shape\": [%d, %d],\n"
                   "  \"layout\": \"[row, column]; row 0 is the top row of the PNG\",\n  \"empty\": \"%s\"",
                g->kind == AGG_COUNT ? "uint64" : "float64", g->h, g->w,
                g->kind == AGG_COUNT ? "0" : "NaN: no sample in the pixel");
    fprintf(f, ",\n  \"xlim\": [%.17g, %.17g],\n  \"ylim\": [%.17g, %.17g]", lim[0], lim[1], lim[2],
            lim[3]);
    fprintf(f, ",\n  \"records\": %" PRIu64 ",\n  \"skipped_nonfinite\": %" PRIu64
               ",\n  \"samples_drawn\": %" PRIu64, st->records, st->nonfinite, st->drawn);
    if (agg_needs_sum(g->kind))
        fprintf(f, ",\n  \"fixed_point\": {\"center\": %.17g, \"quantum\": %.17g, "
                   "\"error_per_value\": %.17g}", g->fx.center, g->fx.quantum,
                g->fx.quantum / 2 * (1 + 1.0 / 4096));
    if (cats) {
        fprintf(f, ",\n  \"not_a_category\": %" PRIu64 ",\n  \"categories\": [", plot_bad_category(pl));
        for (int c = 0; c < g->ncat; c++) {
            fprintf(f, c ? ", " : "");
            json_string(f, plot_category_label(pl, c));
        }
        fprintf(f, "]");
    }
    fprintf(f, ",\n  \"vastplot\": \"%s\"\n}\n", VP_VERSION);
    fclose(f);
    ok = atomic_file_write(af, text, len, err);
    free(text);
    return ok;
}

/* render --follow: reads the growing file until it has been still for
 * --until-idle seconds. */
static bool follow_until_idle(const vp_options *o, dataset **out, vp_err *err)
{
    if (!dataset_create_follow(o->inputs[0], &o->data, out, err))
        return false;
    double last_change = vp_now();
    for (;;) {
        follow_event ev;
        if (!dataset_follow_poll(*out, &ev, err))
            return false;
        double t = vp_now();
        if (ev.grew || ev.reset || ev.rotated)
            last_change = t;
        if (ev.reset && !o->quiet)
            fprintf(stderr, "vastplot: %s was %s: its rows were dropped, reading it again from its start\n",
                    o->inputs[0], ev.rewritten ? "rewritten" : "truncated");
        if (t - last_change >= o->until_idle)
            break;
        dataset_follow_wait(*out, (int)fmin(100, (o->until_idle - (t - last_change)) * 1000 + 1));
    }
    if (dataset_records(*out) == 0)
        return vp_err_set(err, "%s: no records arrived within --until-idle %g s", o->inputs[0], o->until_idle);
    return true;
}

/* The overlay's fonts and lines grow with a picture taller than 1080 rows, as
 * the viewer's --screenshot-scale grows them: a 3840x2160 slide reads like a
 * 1920x1080 one. */
static float render_dpi_scale(const vp_options *o)
{
    return o->height > 1080 ? (float)o->height / 1080.0f : 1.0f;
}

/* render --views FILE: each view rendered exactly as `render` with the view's
 * keys as options would (the same function, on a copy of the options), into
 * -o's pattern numbered from 1. */
static int render_views(const vp_options *o, vp_err *err)
{
    vp_views vs;
    if (!views_load(o->views, &vs, err))
        return 1;
    int rc = 0;
    char name[4096];
    if (vs.n == 0) {
        rc = 1;
        vp_err_set(err, "%s: no [view] in the file: nothing to render", o->views);
    } else if (vs.n > 1 && views_output_name(o->output, 1, name, sizeof name) == 0) {
        rc = 2;
        vp_err_set(err, "--views: %s holds %zu views but -o %s has no %%d or %%02d for their numbers", o->views,
                   vs.n, o->output);
    }
    for (size_t i = 0; rc == 0 && i < vs.n; i++) {
        vp_options one = *o;
        one.views = NULL;
        views_apply(&vs.v[i], &one);
        if (views_output_name(o->output, (int)i + 1, name, sizeof name) < 0) {
            rc = 2;
            vp_err_set(err, "--views: -o %s: a bad pattern or a name too long", o->output);
            break;
        }
        one.output = name;
        if (one.ninputs == 0) {
            rc = 2;
            vp_err_set(err, "%s:%d (view %zu): no input: give input files on the command line, or input = PATH "
                            "lines in the view", o->views, vs.v[i].line, i + 1);
            break;
        }
        rc = cmd_render(&one, err);
        if (rc)
            vp_err_prefix(err, "%s:%d (view %zu)", o->views, vs.v[i].line, i + 1);
    }
    views_free(&vs);
    return rc;
}

/* ---- video: a flight through the views, raw RGBA frames piped to ffmpeg ---- */

/* ffmpeg's path from PATH into buf; false when there is none */
static bool find_ffmpeg(char *buf, size_t len)
{
    const char *path = getenv("PATH");
    for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
        size_t n = strcspn(p, ":");
        if (n && snprintf(buf, len, "%.*s/ffmpeg", (int)n, p) < (int)len && access(buf, X_OK) == 0)
            return true;
        p += n + (p[n] == ':');
    }
    return false;
}

/* What video's -o becomes, by its extension: the muxer and the encoder. */
typedef struct video_format {
    const char *ext, *muxer;
    const char *const *codec; /* ffmpeg's arguments after the input, up to NULL */
} video_format;

static const char *const h264[] = {"-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2", "-c:v", "libx264", "-preset", "medium",
                                   "-crf", "16", "-pix_fmt", "yuv420p", "-movflags", "+faststart", NULL};
static const char *const ffv1[] = {"-c:v", "ffv1", "-level", "3", "-pix_fmt", "bgr0", NULL};
static const char *const vp9[] = {"-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2", "-c:v", "libvpx-vp9", "-crf", "24", "-b:v",
                                  "0", "-pix_fmt", "yuv420p", NULL};
static const video_format video_formats[] = {
    {".mp4", "mp4", h264}, {".mov", "mov", h264}, {".mkv", "matroska", ffv1}, {".webm", "webm", vp9}};

static bool video_format_of(const char *path, const video_format **out, vp_err *err)
{
    size_t n = strlen(path);
    for (size_t i = 0; i < sizeof video_formats / sizeof video_formats[0]; i++) {
        size_t e = strlen(video_formats[i].ext);
        if (n > e && !strcasecmp(path + n - e, video_formats[i].ext)) {
            *out = &video_formats[i];
            return true;
        }
    }
    return vp_err_set(err, "video: -o %s: expected a name ending in .mp4 or .mov (H.264, plays anywhere), .mkv "
                           "(FFV1, lossless: every pixel as rendered) or .webm (VP9)", path);
}

/* ffmpeg reading frames on its standard input and writing tmp (the
 * output's temporary file) as fmt; its pid, the pipe's end in *fd */
static pid_t start_ffmpeg(const char *exe, const vp_options *o, const video_format *fmt, const char *tmp, int w,
                          int h, int *fd, vp_err *err)
{
    char size[64], rate[32];
    snprintf(size, sizeof size, "%dx%d", w, h);
    snprintf(rate, sizeof rate, "%d", o->fps);
    const char *head[] = {exe, "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-f", "rawvideo",
                          "-pix_fmt", "rgba", "-s", size, "-r", rate, "-i", "pipe:0"};
    const char *args[64];
    size_t n = 0;
    for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
        args[n++] = head[i];
    for (const char *const *c = fmt->codec; *c; c++)
        args[n++] = *c;
    args[n++] = "-f";
    args[n++] = fmt->muxer;
    args[n++] = tmp;
    args[n] = NULL;
    int p[2];
    if (pipe(p) != 0)
        return vp_err_set(err, "video: pipe: %s", strerror(errno)), -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]), close(p[1]);
        return vp_err_set(err, "video: fork: %s", strerror(errno)), -1;
    }
    if (pid == 0) {
        dup2(p[0], 0);
        close(p[0]), close(p[1]);
        execv(exe, (char *const *)args);
        _exit(127);
    }
    close(p[0]);
    *fd = p[1];
    return pid;
}

static bool write_all(int fd, const uint8_t *b, size_t n)
{
    while (n) {
        ssize_t k = write(fd, b, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return false;
        b += k, n -= (size_t)k;
    }
    return true;
}

/* video --views FILE -o OUT.mp4: the views in turn, each held a quarter of
 * its share of --seconds, then moved from to the next (views_interpolate);
 * a view's look, title and annotations from the end of the move onto it.
 * All frames are the first view's size (else --size). */
static int render_video(const vp_options *o, vp_err *err)
{
    char exe[4096];
    if (!find_ffmpeg(exe, sizeof exe))
        return vp_err_set(err, "video: ffmpeg not found in PATH: it encodes the frames (install it, e.g. "
                               "'apt-get install ffmpeg')"), 1;
    vp_views vs = {0};
    dataset *ds = NULL;
    glctx *gl = NULL;
    plot *pl = NULL;
    uint8_t *px = NULL;
    double (*lims)[4] = NULL;
    plot_look *looks = NULL;
    vp_options *opts = NULL;
    int rc = 1, fd = -1;
    pid_t pid = -1;
    void (*old_pipe)(int) = signal(SIGPIPE, SIG_IGN);
    output_set outs;
    output_set_init(&outs);
    const video_format *fmt = NULL;
    if (!video_format_of(o->output, &fmt, err) || !views_load(o->views, &vs, err))
        goto out;
    if (vs.n == 0) {
        vp_err_set(err, "%s: no [view] in the file: nothing to fly through", o->views);
        goto out;
    }
    /* one dataset for the whole flight: the command line's inputs, else the
     * first view's that names some; a view naming others is refused */
    const char **in = (const char **)o->inputs;
    int nin = o->ninputs;
    const char *from_view[VIEWS_INPUTS_MAX];
    for (size_t i = 0; nin == 0 && i < vs.n; i++)
        for (int k = 0; k < vs.v[i].n_inputs; k++)
            from_view[nin++] = vs.v[i].inputs[k];
    if (o->ninputs == 0)
        in = from_view;
    if (nin == 0) {
        vp_err_set(err, "video: no input: give input files on the command line, or input = PATH lines in %s",
                   o->views);
        goto out;
    }
    for (size_t i = 0; i < vs.n; i++)
        if (views_inputs_differ(&vs.v[i], in, nin)) {
            vp_err_set(err, "%s:%d (view %zu): its inputs differ from the video's (%s%s): a video flies over one "
                            "data set", o->views, vs.v[i].line, i + 1, in[0], nin > 1 ? ", ..." : "");
            goto out;
        }
    for (int i = 0; i < nin; i++)
        if (!output_set_guard(&outs, in[i], "an input", err))
            goto out;
    if (!output_set_add(&outs, o->output, "-o", err) || !dataset_create_inputs(in, nin, &o->data, &ds, err))
        goto out;
    warn_inputs(o, ds);
    char wname[96] = "";
    if (dataset_has_w(ds))
        plot_value_name(o, ds, wname, sizeof wname);
    plot_bounds *pb = NULL;
    double bounds[4], wrange[2];
    if (!plot_bounds_start(ds, o, false, &pb, err) || !plot_bounds_join_w(pb, bounds, wrange, err))
        goto out;
    glctx_params gp = {.debug = o->gl_debug, .verbose = o->verbose};
    if (!glctx_create_headless(&gp, &gl, err))
        goto out;
    lims = calloc(vs.n, sizeof *lims);
    looks = calloc(vs.n, sizeof *looks);
    opts = calloc(vs.n, sizeof *opts);
    if (!lims || !looks || !opts) {
        vp_err_set(err, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < vs.n; i++) {
        opts[i] = *o;
        views_apply(&vs.v[i], &opts[i]);
        if (!plot_limits(&opts[i], ds, bounds, lims[i], err) || !plot_look_from_options(&opts[i], &looks[i], err)) {
            vp_err_prefix(err, "%s:%d", o->views, vs.v[i].line);
            goto out;
        }
    }
    int w = opts[0].width, h = opts[0].height;
    looks[0].dpi_scale = render_dpi_scale(&opts[0]);
    plot_params pp = {.ds = ds, .accumulate = o->accumulate, .software_gl = glctx_is_software(gl),
                      .threads = o->threads, .title = o->title, .xlabel = o->xlabel, .ylabel = o->ylabel,
                      .agg = (agg_kind)o->agg, .wname = wname, .lines = o->lines,
                      .lp = {o->normalize_lines, o->break_gap}, .tz = o->tz};
    if (!tonemap_pass_check_size(w, h, err) || !plot_create(&pp, &pl, err) || !plot_set_wrange(pl, wrange, err) ||
        !plot_set_look(pl, &looks[0], err) || !plot_set_size(pl, w, h, err))
        goto out;
    if (!(px = malloc((size_t)w * h * 4))) {
        vp_err_set(err, "out of memory for %dx%d frames", w, h);
        goto out;
    }
    double secs = o->seconds > 0 ? o->seconds : 2.0 * (double)vs.n;
    long frames = lround(secs * o->fps);
    frames = frames < 1 ? 1 : frames;
    /* ffmpeg writes the output's temporary file, moved into place when it
     * is done: a failed or cut video leaves no partial file */
    atomic_file *af = output_set_begin(&outs, 0, err);
    if (!af || (pid = start_ffmpeg(exe, o, fmt, af->tmp_path, w, h, &fd, err)) < 0)
        goto out;
    int shown = -1;
    for (long f = 0; f < frames; f++) {
        /* t from 0 to the number of moves: the last frame is on the last view */
        double t = frames > 1 ? (double)f / (double)(frames - 1) * (double)(vs.n - 1) : 0;
        size_t k = vs.n > 1 ? (size_t)fmin(floor(t), (double)vs.n - 2) : 0;
        double u = vs.n > 1 ? (t - (double)k - 0.25) / 0.75 : 0, lim[4];
        size_t look = vs.n > 1 && u >= 1 ? k + 1 : k;
        views_interpolate(lims[k], lims[vs.n > 1 ? k + 1 : k], u, lim);
        if ((int)look != shown) {
            /* the view's look, title, labels and annotations, from the end
             * of the move onto it */
            const vp_options *vo = &opts[look];
            looks[look].dpi_scale = render_dpi_scale(&opts[0]);
            if (!plot_set_look(pl, &looks[look], err) ||
                !plot_set_titles(pl, vo->title, vo->xlabel, vo->ylabel, err) ||
                !plot_set_annotations(pl, vo->annots, vo->n_annots, err))
                goto out;
            shown = (int)look;
        }
        accum_stats st;
        if (!plot_set_view(pl, lim, err) || !plot_accumulate(pl, &st, err) || !plot_read_rgba(pl, NULL, px, err))
            goto out;
        if (!write_all(fd, px, (size_t)w * h * 4)) {
            vp_err_set(err, "video: ffmpeg stopped reading frames at frame %ld of %ld (%s)", f + 1, frames,
                       strerror(errno));
            goto out;
        }
        if (!o->quiet && o->verbose)
            fprintf(stderr, "vastplot: frame %ld of %ld\n", f + 1, frames);
    }
    close(fd);
    fd = -1;
    int status = 0;
    waitpid(pid, &status, 0);
    pid = -1;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        vp_err_set(err, "video: ffmpeg failed (exit status %d) writing %s", WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                   o->output);
        goto out;
    }
    if (!output_set_commit(&outs, err))
        goto out;
    if (!o->quiet)
        fprintf(stderr, "vastplot: %ld frames of %dx%d at %d fps through %zu views -> %s\n", frames, w, h, o->fps,
                vs.n, o->output);
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    if (pid > 0)
        waitpid(pid, NULL, 0);
    signal(SIGPIPE, old_pipe);
    output_set_free(&outs);
    free(px);
    free(lims);
    free(looks);
    free(opts);
    plot_destroy(pl);
    glctx_destroy(gl);
    dataset_destroy(ds);
    views_free(&vs);
    return rc;
}

int cmd_render(const vp_options *o, vp_err *err)
{
#ifdef VP_HAVE_MPI
    /* under mpirun with several ranks: each bins a share of the chunks,
     * rank 0 sums the grids and writes (src/mpi/mpi_run.h); --views comes
     * back here for each view, a video is refused */
    if (mpi_run_size() > 1 && (o->video || !o->views))
        return mpi_run_render(o, err);
#endif
    if (o->video)
        return render_video(o, err);
    if (o->views)
        return render_views(o, err);
    double t_start = vp_now();
    int rc = 1;
    dataset *ds = NULL;
    glctx *gl = NULL;
    plot_bounds *pb = NULL;
    plot *pl = NULL;
    render_outputs ro;
    output_set_init(&ro.set);
    char wname[96] = "";

    if (!check_outputs(o, &ro, err))
        goto out;
    if (o->command == CMD_DEMO) {
        if (!dataset_create_demo(o->demo_points, &ds, err))
            goto out;
    } else if (o->follow) {
        if (!follow_until_idle(o, &ds, err))
            goto out;
        t_start = vp_now(); /* the summary times the render, not the waiting */
    } else if (!dataset_create_inputs(o->inputs, o->ninputs, &o->data, &ds, err)) {
        goto out;
    }
    warn_inputs(o, ds);
    if (dataset_has_w(ds))
        plot_value_name(o, ds, wname, sizeof wname);

    /* the bounds pass and GL start-up overlap: workers scan while this
     * thread brings up EGL */
    if (!plot_bounds_start(ds, o, false, &pb, err))
        goto out;
    glctx_params gp = {.debug = o->gl_debug, .verbose = o->verbose};
    if (!glctx_create_headless(&gp, &gl, err))
        goto out;
    double t_gl = vp_now();
    double bounds[4], lim[4], wrange[2];
    plot_look look;
    vp_err ignore;
    bool ok = tonemap_pass_check_size(o->width, o->height, err);
    ok = plot_bounds_join_w(pb, bounds, wrange, ok ? err : &ignore) && ok; /* joined either way */
    pb = NULL;
    if (!ok || !plot_limits(o, ds, bounds, lim, err) || !plot_look_from_options(o, &look, err))
        goto out;
    look.dpi_scale = render_dpi_scale(o);
    double t_scan = vp_now();
    plot_params pp = {.ds = ds, .accumulate = o->accumulate, .software_gl = glctx_is_software(gl),
                      .threads = o->threads, .title = o->title, .xlabel = o->xlabel, .ylabel = o->ylabel,
                      .agg = (agg_kind)o->agg, .wname = wname, .lines = o->lines,
                      .lp = {o->normalize_lines, o->break_gap}, .tz = o->tz};
    accum_stats st;
    if (!plot_create(&pp, &pl, err) || !plot_set_wrange(pl, wrange, err) || !plot_set_look(pl, &look, err) ||
        !plot_set_annotations(pl, o->annots, o->n_annots, err) || !plot_set_size(pl, o->width, o->height, err) ||
        !plot_set_view(pl, lim, err))
        goto out;
    double t_acc = vp_now();
    if (!plot_accumulate(pl, &st, err))
        goto out;
    const char *fallback = plot_take_note(pl);
    if (fallback && !o->quiet)
        fprintf(stderr, "vastplot: warning: %s\n", fallback);
    double t_acc_end = vp_now();
    /* all or nothing: both go to temporary files, moved into place together */
    atomic_file *af = output_set_begin(&ro.set, 0, err);
    if (!af || !plot_write_png(pl, af, err))
        goto out;
    double t_tone = vp_now();
    int gw, gh;
    const uint64_t *counts = plot_counts(pl, &gw, &gh);
    if (o->save_counts &&
        (!(af = output_set_begin(&ro.set, ro.counts, err)) || !npy_encode_counts(af, counts, gw, gh, err)))
        goto out;
    if (o->save_grid && !save_grid(pl, &ro, lim, &st, wname, err))
        goto out;
    if (!output_set_commit(&ro.set, err))
        goto out;

    double t_end = vp_now();
    double elapsed = t_end - t_start;
    if (!o->quiet) {
        fprintf(stderr,
                "vastplot: %" PRIu64 " points read, %" PRIu64 " drawn, %" PRIu64
                " skipped (non-finite) in %.3f s, %.1f M points/s -> %s [%s accumulation on %s]\n",
                st.records, st.drawn, st.nonfinite, elapsed,
                elapsed > 0 ? (double)st.records / elapsed * 1e-6 : 0.0, o->output,
                st.gpu ? "gpu" : "cpu", glctx_renderer(gl));
        if (o->lines)
            fprintf(stderr, "vastplot: %d series drawn as lines%s; \"drawn\" counts %s\n",
                    dataset_inputs(ds) > 0 ? dataset_inputs(ds) : 1,
                    o->normalize_lines ? ", each weighing 1 per pixel column" : "",
                    o->normalize_lines ? "series-columns times 2^24" : "the pixel steps of the segments");
        if (dataset_has_w(ds))
            fprintf(stderr, "vastplot: each pixel shows the %s%s\n", plot_what(pl),
                    o->agg == AGG_CATEGORIES ? "" : " (a sample needs x, y and the value finite)");
        if (plot_bad_category(pl))
            fprintf(stderr, "vastplot: warning: %" PRIu64 " sample%s not drawn: %s is not a category "
                            "code there (an integer from 0 to %d)\n", plot_bad_category(pl),
                    plot_bad_category(pl) == 1 ? "" : "s", wname, AGG_MAX_CATEGORIES - 1);
        if (o->verbose)
            fprintf(stderr,
                    "vastplot: view x [%.17g, %.17g] y [%.17g, %.17g]; accumulation %.3f s "
                    "(%.1f M points/s), %" PRIu64 " folds, %" PRIu64 " ring waits, %" PRIu64
                    " fence waits\n",
                    lim[0], lim[1], lim[2], lim[3], t_acc_end - t_acc,
                    (double)st.records / (t_acc_end - t_acc) * 1e-6, st.flushes, st.ring_waits,
                    st.fence_waits);
        if (o->verbose)
            fprintf(stderr,
                    "vastplot: timeline (s from start): GL ready %.3f, bounds done %.3f, "
                    "accumulated %.3f, picture written %.3f (%s), files committed %.3f\n",
                    t_gl - t_start, t_scan - t_start, t_acc_end - t_start, t_tone - t_start,
                    o->overlay ? "GL composed with the overlay" : "CPU tone map streamed into the PNG",
                    t_end - t_start);
    }
    rc = 0;
out:
    plot_bounds_join(pb, (double[4]){0}, NULL);
    output_set_free(&ro.set);
    plot_destroy(pl);
    glctx_destroy(gl);
    dataset_destroy(ds);
    return rc;
}
