/* The interactive viewer: an SDL window, progressive accumulation on the CPU
 * (every point, refined in a shuffled chunk order), the same tone-map pass and
 * overlay as `render --overlay`, navigation, screenshots and --script. */
#include <SDL2/SDL.h>
#include <glad/gl.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>

#include "app/arrivals.h"
#include "app/commands.h"
#include "app/plot.h"
#include "app/script.h"
#include "app/views.h"
#include "app/viewstate.h"
#include "core/util.h"
#include "gl/gl_util.h"
#include "gl/glctx.h"
#include "gl/tonemap_pass.h"
#include "load/dataset.h"
#include "load/follow.h"
#include "out/output_set.h"
#include "out/png_out.h"
#include "overlay/overlay.h"

#define MAX_FRAMES 100000

static const tonemap_kind tm_cycle[] = {TONEMAP_EQ_HIST, TONEMAP_LOG, TONEMAP_CBRT, TONEMAP_SQRT,
                                        TONEMAP_LINEAR};
static const char *const cmap_cycle[] = {"inferno", "viridis", "magma", "plasma", "cividis",
                                         "fire", "gray"};
/* --value: the diverging maps too */
static const char *const vmap_cycle[] = {"viridis", "inferno", "magma", "plasma", "cividis",
                                         "coolwarm", "rdbu", "piyg", "fire", "gray"};

typedef struct viewer {
    const vp_options *o;
    SDL_Window *win;
    glctx *gl;
    dataset *ds;
    plot *pl;            /* inputs + view + look -> picture (plot.h) */
    plot_look look;
    uint64_t view_gen;   /* bumped whenever the view changes */
    viewstate vs;
    int ww, wh;          /* drawable size in pixels */
    float dpi;           /* drawable pixels per window point */
    overlay_rect plot;
    double last_snapshot;
    const char *cmap_name;
    char cmap_buf[64];       /* a slide's colormap name, copied (the slides may move) */
    int tm_i;
    bool help_on;
    double view_changed_t;
    /* interaction */
    bool had_input;      /* an event or script command since the last frame */
    int drag;            /* 0 none, 1 pan, 2 box */
    double mx, my, ax, ay; /* mouse and anchor, plot pixels */
    double last_wheel_push;
    /* screenshots */
    bool shot_pending;
    char shot_path[4096];
    char message[512];
    double message_until;
    /* script */
    script sc;
    size_t sc_next;
    double wait_until;
    bool quit;
    /* following a growing file */
    bool following;          /* the view tracks the data (until the user navigates) */
    uint64_t bbox_chunks;    /* chunks folded into vs.full */
    double t_grew;           /* when the last new rows were noticed (0: none pending) */
    float *latency_ms;
    size_t nlatency;
    /* statistics */
    float *frame_ms;
    size_t nframes;
    size_t loading_frames;   /* frames with points drawn while a text file was still parsed */
    bool text_growing;       /* a text file shown while parsed (dataset_create_loading) */
    uint64_t grown_chunks;   /* chunks the engine was told of (plot_grow) */
    uint64_t shown_grown;    /* grown_chunks when the shown picture was taken */
    double t_start, t_first_complete;
    /* a third column: the range the plot aggregates with, and the data's */
    double wrange[2], wseen[2];
    uint64_t wrange_chunks;  /* chunks folded into wseen */
    int nlabels;             /* labels when the range was set */
    char wname[96];
    /* --window / --persist: the points drawn and their ages */
    uint64_t pt_chunks, pt_total;  /* chunks counted into pt_total (their points) */
    arrivals *arr;           /* --persist: the arrivals and their weights */
    bool timed;              /* x is known to be a time (the plot's overlay knows it) */
    bool frozen;             /* P: the picture holds; data is still read */
    bool thaw;               /* unfrozen: apply what arrived meanwhile */
    /* --views: the slides, the one shown, the animated move to it */
    vp_views slides;
    int slide;               /* the slide shown (-1: none yet) */
    char title_buf[VIEWS_TEXT_MAX]; /* the title the plot shows (plot_params.title points here) */
    const char *title;       /* title_buf, or NULL: no title row */
    char xlabel_buf[VIEWS_TEXT_MAX], ylabel_buf[VIEWS_TEXT_MAX];
    const char *xlabel, *ylabel; /* the axis labels shown: the slide's (in the bufs) or --xlabel's */
    int n_annots;            /* the annotations shown: the slide's, else none */
    overlay_annot annots[VIEWS_ANNOTS_MAX];
    /* no inputs on the command line: the options with the first view's */
    vp_options opts;
    char inputs[VIEWS_INPUTS_MAX][VIEWS_PATH_MAX];
    bool anim;
    double anim_t0, anim_from[4], anim_to[4];
} viewer;

static void say(viewer *v, const char *fmt, ...) VP_PRINTF(2, 3);
static void say(viewer *v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->message, sizeof v->message, fmt, ap);
    va_end(ap);
    v->message_until = vp_now() + 3.0;
    if (!v->o->quiet)
        fprintf(stderr, "vastplot: %s\n", v->message);
}

/* The plot at the window's size and pixel density (text, ticks and lines
 * of the overlay scale on high-DPI screens). */
static bool update_sizes(viewer *v, vp_err *err)
{
    int pw, ph;
    SDL_GL_GetDrawableSize(v->win, &v->ww, &v->wh);
    SDL_GetWindowSize(v->win, &pw, &ph);
    v->dpi = pw > 0 ? (float)v->ww / (float)pw : 1.0f;
    v->look.dpi_scale = v->dpi;
    if (!plot_set_look(v->pl, &v->look, err) || !plot_set_size(v->pl, v->ww, v->wh, err))
        return false;
    v->plot = plot_rect(v->pl);
    viewstate_resize(&v->vs, v->plot.w, v->plot.h);
    return true;
}

static void set_look(viewer *v)
{
    vp_err err;
    if (!update_sizes(v, &err))
        say(v, "%s", err.msg);
}

/* window points to plot pixels */
static void mouse_to_plot(const viewer *v, int x, int y, double *px, double *py)
{
    *px = x * v->dpi - v->plot.x;
    *py = y * v->dpi - v->plot.y;
}

static void set_tonemap(viewer *v, int i)
{
    v->tm_i = i;
    v->look.tonemap = tm_cycle[i];
    set_look(v);
}

/* ---- slides (--views) -------------------------------------------------------- */

#define SLIDE_SECONDS 0.5

static const char *views_path(const viewer *v)
{
    return v->o->views ? v->o->views : "vastplot.views";
}

/* A slide's title, axis labels and annotations (keys it leaves out are the
 * command line's); the plot rect may change with the title row. */
static void set_texts(viewer *v, const vp_view *s)
{
    const vp_options *o = v->o;
    snprintf(v->title_buf, sizeof v->title_buf, "%s", s->title[0] ? s->title : o->title ? o->title : "");
    snprintf(v->xlabel_buf, sizeof v->xlabel_buf, "%s", s->xlabel);
    snprintf(v->ylabel_buf, sizeof v->ylabel_buf, "%s", s->ylabel);
    v->xlabel = s->xlabel[0] ? v->xlabel_buf : o->xlabel;
    v->ylabel = s->ylabel[0] ? v->ylabel_buf : o->ylabel;
    v->n_annots = s->n_annots ? s->n_annots : o->n_annots;
    if (v->n_annots)
        memcpy(v->annots, s->n_annots ? s->annots : o->annots, (size_t)v->n_annots * sizeof *v->annots);
    vp_err err;
    if (!plot_set_titles(v->pl, v->title, v->xlabel, v->ylabel, &err) ||
        !plot_set_annotations(v->pl, v->annots, v->n_annots, &err) || !update_sizes(v, &err))
        say(v, "%s", err.msg);
}

/* Whether slide s names the inputs shown (or none): the same files. */
static bool same_inputs(const viewer *v, const vp_view *s)
{
    if (!s->n_inputs)
        return true;
    if (s->n_inputs != v->o->ninputs)
        return false;
    for (int i = 0; i < s->n_inputs; i++) {
        struct stat a, b;
        if (stat(s->inputs[i], &a) != 0 || stat(v->o->inputs[i], &b) != 0
                ? strcmp(s->inputs[i], v->o->inputs[i]) != 0
                : a.st_dev != b.st_dev || a.st_ino != b.st_ino)
            return false;
    }
    return true;
}

/* Shows slide i (clamped), moving there over SLIDE_SECONDS when animate:
 * the span of each axis interpolated in log scale, the centre so that the
 * point that stays fixed in a zoom stays fixed. */
static void go_slide(viewer *v, int i, bool animate)
{
    if (!v->slides.n) {
        say(v, "no saved views: give --views FILE, or press V to save one to %s", views_path(v));
        return;
    }
    i = i < 0 ? 0 : i >= (int)v->slides.n ? (int)v->slides.n - 1 : i;
    const vp_view *s = &v->slides.v[i];
    v->slide = i;
    double to[4];
    memcpy(to, v->vs.full, sizeof to);
    if (s->xlim_set)
        to[0] = s->xlim[0], to[1] = s->xlim[1];
    if (s->ylim_set)
        to[2] = s->ylim[0], to[3] = s->ylim[1];
    /* as render --views: a key the view leaves out is the command line's */
    tonemap_kind tm = s->tonemap_set ? s->tonemap : v->o->tonemap;
    for (int k = 0; k < (int)(sizeof tm_cycle / sizeof tm_cycle[0]); k++)
        if (tm_cycle[k] == tm)
            set_tonemap(v, k);
    const char *cm = s->colormap[0] ? s->colormap : v->o->colormap;
    if (colormap_get(cm, v->look.cmap)) {
        snprintf(v->cmap_buf, sizeof v->cmap_buf, "%s", cm);
        v->cmap_name = v->cmap_buf;
        v->look.diverging = colormap_is_diverging(cm);
        set_look(v);
    }
    set_texts(v, s);
    if (!same_inputs(v, s))
        say(v, "view %d names other inputs (%s%s) than those shown: render --views draws it over them", i + 1,
            s->inputs[0], s->n_inputs > 1 ? ", ..." : "");
    v->following = false;
    viewstate_push(&v->vs);
    if (!animate) {
        v->anim = false;
        viewstate_set(&v->vs, to[0], to[1], to[2], to[3]);
        return;
    }
    v->anim = true;
    v->anim_t0 = vp_now();
    memcpy(v->anim_from, v->vs.lim, sizeof v->anim_from);
    memcpy(v->anim_to, to, sizeof to);
}

static void animate_slide(viewer *v)
{
    if (!v->anim)
        return;
    double u = (vp_now() - v->anim_t0) / SLIDE_SECONDS, lim[4];
    v->anim = u < 1;
    views_interpolate(v->anim_from, v->anim_to, u, lim);
    viewstate_set(&v->vs, lim[0], lim[1], lim[2], lim[3]);
    v->had_input = true;
}

/* V and `view save NAME`: the view on screen appended to the views file, and
 * to the slides. */
static bool save_view(viewer *v, const char *name, vp_err *err)
{
    vp_view s = {0};
    snprintf(s.title, sizeof s.title, "%s", name ? name : v->title_buf);
    s.xlim_set = s.ylim_set = s.tonemap_set = true;
    s.xlim[0] = v->vs.lim[0], s.xlim[1] = v->vs.lim[1];
    s.ylim[0] = v->vs.lim[2], s.ylim[1] = v->vs.lim[3];
    s.tonemap = tm_cycle[v->tm_i];
    snprintf(s.colormap, sizeof s.colormap, "%s", v->cmap_name);
    snprintf(s.xlabel, sizeof s.xlabel, "%s", v->xlabel ? v->xlabel : "");
    snprintf(s.ylabel, sizeof s.ylabel, "%s", v->ylabel ? v->ylabel : "");
    s.n_annots = v->n_annots;
    if (v->n_annots)
        memcpy(s.annots, v->annots, (size_t)v->n_annots * sizeof *s.annots);
    /* the window's size, and the inputs as absolute paths (the file may be
     * used from elsewhere) */
    s.size_set = true;
    s.width = v->ww, s.height = v->wh;
    for (int i = 0; i < v->o->ninputs && s.n_inputs < VIEWS_INPUTS_MAX; i++) {
        char *abs = strcmp(v->o->inputs[i], "-") ? realpath(v->o->inputs[i], NULL) : NULL;
        if (abs && strlen(abs) < VIEWS_PATH_MAX)
            snprintf(s.inputs[s.n_inputs++], VIEWS_PATH_MAX, "%s", abs);
        free(abs);
    }
    if (!views_append(views_path(v), &s, err))
        return false;
    vp_view *nv = realloc(v->slides.v, (v->slides.n + 1) * sizeof *nv);
    if (!nv)
        return vp_err_set(err, "out of memory");
    v->slides.v = nv;
    v->slides.v[v->slides.n++] = s;
    say(v, "view %zu saved to %s", v->slides.n, views_path(v));
    return true;
}

static void request_screenshot(viewer *v, const char *path)
{
    if (path) {
        snprintf(v->shot_path, sizeof v->shot_path, "%s", path);
    } else {
        /* milliseconds, and a counter if that name is taken: never a
         * screenshot over an earlier one */
        char name[64];
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        struct tm tmv;
        localtime_r(&ts.tv_sec, &tmv);
        strftime(name, sizeof name, "vastplot-%Y%m%d-%H%M%S", &tmv);
        const char *dir = v->o->screenshot_dir ? v->o->screenshot_dir : ".";
        struct stat st;
        for (int k = 1; k == 1 || (lstat(v->shot_path, &st) == 0 && k < 10000); k++) {
            if (k == 1)
                snprintf(v->shot_path, sizeof v->shot_path, "%s/%s-%03ld.png", dir, name,
                         ts.tv_nsec / 1000000);
            else
                snprintf(v->shot_path, sizeof v->shot_path, "%s/%s-%03ld-%d.png", dir, name,
                         ts.tv_nsec / 1000000, k);
        }
    }
    v->shot_pending = true;
}

/* Every file the viewer writes (screenshots, stats) goes through here: never
 * over an input or the --script file (output_set.h), whole or not at all.
 * Exactly one of png and text is given. */
static bool write_output(viewer *v, const char *path, const char *what, const uint8_t *png, int w,
                         int h, size_t stride, const char *text, vp_err *err)
{
    output_set s;
    output_set_init(&s);
    bool ok = output_set_guard(&s, v->o->script, "the --script file", err);
    for (int i = 0; ok && i < v->o->ninputs; i++)
        ok = output_set_guard(&s, v->o->inputs[i], "an input", err);
    atomic_file *af = ok && output_set_add(&s, path, what, err) ? output_set_begin(&s, 0, err) : NULL;
    ok = af && (png ? png_encode_rgba(af, png, w, h, stride, v->o->background[3] != 255, err)
                    : atomic_file_write(af, text, strlen(text), err)) &&
         output_set_commit(&s, err);
    output_set_free(&s);
    return ok;
}

static void zoom_key(viewer *v, double factor)
{
    double px = v->mx, py = v->my;
    if (px < 0 || py < 0 || px >= v->plot.w || py >= v->plot.h) {
        px = v->plot.w / 2.0;
        py = v->plot.h / 2.0;
    }
    viewstate_push(&v->vs);
    viewstate_zoom_at(&v->vs, factor, px, py);
}

/* --by: category c on (1), off (0) or toggled (-1); the picture is shaded
 * again from the grid held (nothing is read again). */
static void toggle_category(viewer *v, int c, int on)
{
    int n = plot_categories(v->pl);
    if (n == 0) {
        say(v, "keys 0-9 show and hide categories (with --by)");
        return;
    }
    if (c < 0 || c >= n) {
        say(v, "no category %d: there are %d (0 to %d)", c, n, n - 1);
        return;
    }
    v->look.cat_off[c] = on < 0 ? !v->look.cat_off[c] : !on;
    set_look(v);
    say(v, "category %s: %s", plot_category_label(v->pl, c), v->look.cat_off[c] ? "hidden" : "shown");
}

static void handle_key(viewer *v, SDL_Keycode k, Uint16 mod)
{
    switch (k) {
    case SDLK_PAGEDOWN:
    case SDLK_PAGEUP:
        go_slide(v, v->slide + (k == SDLK_PAGEDOWN ? 1 : -1), true);
        break;
    case SDLK_v: {
        vp_err e;
        if (!save_view(v, NULL, &e))
            say(v, "%s", e.msg);
        break;
    }
    case SDLK_q:
    case SDLK_ESCAPE:
        v->quit = true;
        break;
    case SDLK_f:
    case SDLK_F11: {
        bool fs = SDL_GetWindowFlags(v->win) & SDL_WINDOW_FULLSCREEN_DESKTOP;
        SDL_SetWindowFullscreen(v->win, fs ? 0 : SDL_WINDOW_FULLSCREEN_DESKTOP);
        break;
    }
    case SDLK_HOME:
    case SDLK_r:
        viewstate_push(&v->vs);
        viewstate_reset(&v->vs);
        v->following = dataset_is_follow(v->ds); /* track the data again */
        break;
    case SDLK_BACKSPACE:
        viewstate_back(&v->vs);
        break;
    case SDLK_LEFT:
    case SDLK_RIGHT:
    case SDLK_UP:
    case SDLK_DOWN:
        viewstate_push(&v->vs);
        viewstate_pan_px(&v->vs, k == SDLK_LEFT ? 0.1 * v->plot.w : k == SDLK_RIGHT ? -0.1 * v->plot.w : 0,
                         k == SDLK_UP ? 0.1 * v->plot.h : k == SDLK_DOWN ? -0.1 * v->plot.h : 0);
        break;
    case SDLK_PLUS:
    case SDLK_EQUALS:
    case SDLK_KP_PLUS:
        zoom_key(v, 1.5);
        break;
    case SDLK_MINUS:
    case SDLK_KP_MINUS:
        zoom_key(v, 1 / 1.5);
        break;
    case SDLK_p:
        if (v->o->follow) {
            v->frozen = !v->frozen;
            v->thaw = !v->frozen;
            say(v, v->frozen ? "frozen: new samples are read but not drawn (P again to go on)"
                             : "drawing new samples again");
        }
        break;
    case SDLK_t:
        set_tonemap(v, (v->tm_i + 1) % (int)(sizeof tm_cycle / sizeof tm_cycle[0]));
        say(v, "tone map: %s", tonemap_name(tm_cycle[v->tm_i]));
        break;
    case SDLK_c: {
        bool values = dataset_has_w(v->ds) && v->o->agg != AGG_COUNT && v->o->agg != AGG_CATEGORIES;
        const char *const *cycle = values ? vmap_cycle : cmap_cycle;
        size_t n = values ? sizeof vmap_cycle / sizeof vmap_cycle[0] : sizeof cmap_cycle / sizeof cmap_cycle[0];
        size_t i = 0;
        while (i < n && strcmp(cycle[i], v->cmap_name) != 0)
            i++;
        v->cmap_name = cycle[(i + 1) % n];
        colormap_get(v->cmap_name, v->look.cmap);
        v->look.diverging = colormap_is_diverging(v->cmap_name);
        set_look(v);
        say(v, "colormap: %s", v->cmap_name);
        break;
    }
    case SDLK_LEFTBRACKET:
    case SDLK_RIGHTBRACKET:
        v->look.spread += k == SDLK_RIGHTBRACKET ? 1 : -1;
        v->look.spread = v->look.spread < 0 ? 0 : v->look.spread > 4 ? 4 : v->look.spread;
        set_look(v);
        say(v, "point size %d", 2 * v->look.spread + 1);
        break;
    case SDLK_h:
        v->look.overlay = !v->look.overlay;
        set_look(v);
        break;
    case SDLK_F1:
    case SDLK_QUESTION:
        v->help_on = !v->help_on;
        break;
    case SDLK_SLASH:
        if (mod & KMOD_SHIFT)
            v->help_on = !v->help_on;
        break;
    case SDLK_0:
    case SDLK_1:
    case SDLK_2:
    case SDLK_3:
    case SDLK_4:
    case SDLK_5:
    case SDLK_6:
    case SDLK_7:
    case SDLK_8:
    case SDLK_9:
        toggle_category(v, (int)(k - SDLK_0), -1);
        break;
    case SDLK_s:
    case SDLK_F12:
        request_screenshot(v, NULL);
        say(v, "screenshot: waiting for every point...");
        break;
    default:
        break;
    }
}

static void mouse_down(viewer *v, int button, bool shift, double px, double py)
{
    v->following = false; /* the user is exploring: stop tracking the data */
    v->mx = px;
    v->my = py;
    v->ax = px;
    v->ay = py;
    viewstate_push(&v->vs);
    v->drag = (button == SDL_BUTTON_RIGHT || (button == SDL_BUTTON_LEFT && shift)) ? 2
              : button == SDL_BUTTON_LEFT ? 1 : 0;
}

static void mouse_move(viewer *v, double px, double py)
{
    if (v->drag == 1)
        viewstate_pan_px(&v->vs, px - v->mx, py - v->my);
    v->mx = px;
    v->my = py;
}

static void mouse_up(viewer *v, double px, double py)
{
    mouse_move(v, px, py);
    if (v->drag == 2)
        viewstate_box(&v->vs, v->ax, v->ay, px, py);
    v->drag = 0;
}

static void wheel(viewer *v, double px, double py, double clicks)
{
    double t = vp_now();
    if (t - v->last_wheel_push > 0.5)
        viewstate_push(&v->vs);
    v->last_wheel_push = t;
    viewstate_zoom_at(&v->vs, pow(1.25, clicks), px, py);
}

static void handle_event(viewer *v, const SDL_Event *e)
{
    double px, py;
    v->had_input = true;
    if (e->type == SDL_MOUSEBUTTONDOWN || e->type == SDL_MOUSEWHEEL || e->type == SDL_KEYDOWN)
        v->anim = false; /* the user takes over */
    switch (e->type) {
    case SDL_QUIT:
        v->quit = true;
        break;
    case SDL_WINDOWEVENT:
        if (e->window.event == SDL_WINDOWEVENT_SIZE_CHANGED ||
            e->window.event == SDL_WINDOWEVENT_DISPLAY_CHANGED)
            set_look(v);
        break;
    case SDL_KEYDOWN:
        handle_key(v, e->key.keysym.sym, e->key.keysym.mod);
        break;
    case SDL_MOUSEBUTTONDOWN:
        mouse_to_plot(v, e->button.x, e->button.y, &px, &py);
        mouse_down(v, e->button.button, SDL_GetModState() & KMOD_SHIFT, px, py);
        break;
    case SDL_MOUSEMOTION:
        mouse_to_plot(v, e->motion.x, e->motion.y, &px, &py);
        mouse_move(v, px, py);
        break;
    case SDL_MOUSEBUTTONUP:
        mouse_to_plot(v, e->button.x, e->button.y, &px, &py);
        mouse_up(v, px, py);
        break;
    case SDL_MOUSEWHEEL: {
        int x, y;
        SDL_GetMouseState(&x, &y);
        mouse_to_plot(v, x, y, &px, &py);
        wheel(v, px, py, e->wheel.preciseY != 0 ? e->wheel.preciseY : e->wheel.y);
        break;
    }
    default:
        break;
    }
}

/* ---- statistics ----------------------------------------------------------- */

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

static bool refined(viewer *v);

static bool write_stats(viewer *v, const char *path, vp_err *err)
{
    size_t n = v->nframes;
    float *sorted = malloc((n ? n : 1) * sizeof *sorted);
    if (!sorted)
        return vp_err_set(err, "out of memory");
    memcpy(sorted, v->frame_ms, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_float);
    double med = n ? sorted[n / 2] : 0, p99 = n ? sorted[(size_t)((n - 1) * 0.99)] : 0;
    size_t nl = v->nlatency;
    memcpy(sorted, v->latency_ms, (nl < n ? nl : n) * sizeof *sorted);
    nl = nl < n ? nl : n;
    qsort(sorted, nl, sizeof *sorted, cmp_float);
    double lmed = nl ? sorted[nl / 2] : -1, lp99 = nl ? sorted[(size_t)((nl - 1) * 0.99)] : -1;
    free(sorted);
    char *text = NULL;
    size_t text_len = 0;
    FILE *f = open_memstream(&text, &text_len);
    if (!f)
        return vp_err_set(err, "%s: cannot write stats: %s", path, strerror(errno));
    const double *l = v->vs.lim;
    plot_shown sh = plot_get_shown(v->pl);
    /* the title shown, as a JSON string: quotes and backslashes escaped, controls dropped */
    char title[2 * VIEWS_TEXT_MAX] = "";
    size_t tl = 0;
    for (const char *c = v->title ? v->title : ""; *c && tl + 3 < sizeof title; c++) {
        if (*c == '"' || *c == '\\')
            title[tl++] = '\\';
        if ((unsigned char)*c >= 0x20)
            title[tl++] = *c;
    }
    title[tl] = 0;
    fprintf(f,
            "{\n  \"points_total\": %" PRIu64 ",\n  \"points_loaded\": %" PRIu64
            ",\n  \"points_drawn\": %" PRIu64 ",\n  \"nonfinite\": %" PRIu64
            ",\n  \"view\": [%.17g, %.17g, %.17g, %.17g],\n  \"plot_size\": [%d, %d],\n"
            "  \"frames\": %zu,\n  \"frame_ms_median\": %.3f,\n  \"frame_ms_p99\": %.3f,\n"
            "  \"refined\": %s,\n  \"refinement\": %.4f,\n  \"first_complete_s\": %.3f,\n"
            "  \"tonemap\": \"%s\",\n  \"colormap\": \"%s\",\n  \"overlay\": %s,\n"
            "  \"follow_updates\": %zu,\n  \"follow_latency_ms_median\": %.1f,\n"
            "  \"follow_latency_ms_p99\": %.1f,\n  \"frames_while_loading\": %zu,\n  \"annotations\": %d,\n"
            "  \"title\": \"%s\"\n}\n",
            dataset_records(v->ds), sh.st.records_done, sh.drawn, sh.st.nonfinite, l[0],
            l[1], l[2], l[3], v->plot.w, v->plot.h, n, med, p99,
            refined(v) ? "true" : "false",
            sh.st.chunks_total ? (double)sh.st.chunks_done / (double)sh.st.chunks_total : 1.0,
            v->t_first_complete > 0 ? v->t_first_complete - v->t_start : -1.0,
            tonemap_name(tm_cycle[v->tm_i]), v->cmap_name, v->look.overlay ? "true" : "false",
            nl, lmed, lp99, v->loading_frames, v->n_annots, title);
    bool ok = fclose(f) == 0 ? write_output(v, path, "stats", NULL, 0, 0, 0, text, err)
                             : vp_err_set(err, "%s: cannot write stats: out of memory", path);
    free(text);
    return ok;
}

/* ---- script --------------------------------------------------------------- */

static void sync_view(viewer *v);

/* Every point of the current view is on screen. */
static bool refined(viewer *v)
{
    if (v->anim)
        return false;
    sync_view(v);
    plot_shown sh = plot_get_shown(v->pl);
    refine_state st;
    plot_progress(v->pl, &st);
    return sh.current && st.complete && sh.st.generation == st.generation &&
           sh.st.chunks_done == st.chunks_total &&
           (!v->text_growing || (!dataset_loading(v->ds) && v->shown_grown == dataset_chunks(v->ds)));
}

/* Runs script commands until one has to wait; false on an error. */
static bool script_step(viewer *v, vp_err *err)
{
    double t = vp_now();
    while (v->sc_next < v->sc.n) {
        const script_cmd *c = &v->sc.cmds[v->sc_next];
        if (v->wait_until > 0) {
            if (t < v->wait_until)
                return true;
            v->wait_until = 0;
            v->sc_next++;
            continue;
        }
        switch (c->op) {
        case SCRIPT_VIEW:
            viewstate_push(&v->vs);
            if (!viewstate_set(&v->vs, c->arg[0], c->arg[1], c->arg[2], c->arg[3]))
                return vp_err_set(err, "%s:%d: view: unusable limits", v->o->script, c->line);
            break;
        case SCRIPT_ZOOM: {
            double px = v->plot.w / 2.0, py = v->plot.h / 2.0;
            if (c->nargs == 3) {
                const double *l = v->vs.lim;
                px = (c->arg[1] - l[0]) / (l[1] - l[0]) * v->plot.w;
                py = (l[3] - c->arg[2]) / (l[3] - l[2]) * v->plot.h;
            }
            viewstate_push(&v->vs);
            viewstate_zoom_at(&v->vs, c->arg[0], px, py);
            break;
        }
        case SCRIPT_PAN:
            viewstate_push(&v->vs);
            viewstate_pan_px(&v->vs, -c->arg[0] * v->plot.w, c->arg[1] * v->plot.h);
            break;
        case SCRIPT_DRAG:
        case SCRIPT_BOX:
            mouse_down(v, c->op == SCRIPT_DRAG ? SDL_BUTTON_LEFT : SDL_BUTTON_RIGHT, false,
                       c->arg[0], c->arg[1]);
            mouse_move(v, (c->arg[0] + c->arg[2]) / 2, (c->arg[1] + c->arg[3]) / 2);
            mouse_up(v, c->arg[2], c->arg[3]);
            break;
        case SCRIPT_WHEEL:
            v->last_wheel_push = 0;
            v->mx = c->arg[0];
            v->my = c->arg[1];
            wheel(v, c->arg[0], c->arg[1], c->arg[2]);
            break;
        case SCRIPT_KEY: {
            SDL_Keycode k = SDL_GetKeyFromName(c->text);
            if (k == SDLK_UNKNOWN)
                return vp_err_set(err, "%s:%d: key: unknown key name \"%s\"", v->o->script, c->line, c->text);
            v->anim = false; /* as a key press does */
            handle_key(v, k, 0);
            break;
        }
        case SCRIPT_WAIT:
            v->wait_until = t + c->arg[0] / 1000.0;
            return true;
        case SCRIPT_WAIT_REFINED:
            if (!refined(v))
                return true;
            break;
        case SCRIPT_SCREENSHOT:
            if (!v->shot_pending && strcmp(v->shot_path, c->text) == 0) {
                v->shot_path[0] = 0; /* taken */
                break;
            }
            if (!v->shot_pending)
                request_screenshot(v, c->text);
            return true;
        case SCRIPT_STATS:
            if (!write_stats(v, c->text, err))
                return false;
            break;
        case SCRIPT_VIEW_SAVE:
            if (!save_view(v, c->text, err))
                return vp_err_prefix(err, "%s:%d: view save", v->o->script, c->line);
            break;
        case SCRIPT_CATEGORY:
            toggle_category(v, (int)c->arg[0], c->nargs > 1 ? (int)c->arg[1] : -1);
            break;
        case SCRIPT_QUIT:
            v->quit = true;
            return true;
        }
        v->sc_next++;
    }
    return true;
}

/* ---- drawing -------------------------------------------------------------- */

/* Reads what the followed file gained; widens the data extent; moves the
 * view when it tracks the data (fit everything, or a window over the newest
 * samples), and hands new chunks to the refinement without starting over. */
/* A followed file's new rows may hold values outside the range the plot
 * aggregates with (its fixed point, its categories): then it starts again
 * with a wider one (with room to grow, so this stays rare). */
static bool follow_wrange(viewer *v, uint64_t n, bool reset, vp_err *err)
{
    if (reset) {
        v->wrange_chunks = 0;
        v->wseen[0] = 1;
        v->wseen[1] = 0;
    }
    double r[2];
    for (uint64_t k = v->wrange_chunks; k < n; k++)
        if (dataset_chunk_wrange(v->ds, k, r) && r[0] <= r[1]) {
            if (!(v->wseen[0] <= v->wseen[1])) {
                v->wseen[0] = r[0];
                v->wseen[1] = r[1];
            }
            v->wseen[0] = fmin(v->wseen[0], r[0]);
            v->wseen[1] = fmax(v->wseen[1], r[1]);
        }
    v->wrange_chunks = n;
    const char *const *labels;
    int nl = dataset_labels(v->ds, &labels);
    bool inside = v->wseen[0] >= v->wrange[0] && v->wseen[1] <= v->wrange[1];
    if (!(v->wseen[0] <= v->wseen[1]) || (inside && nl == v->nlabels))
        return true;
    double lo = v->wseen[0], hi = v->wseen[1];
    if (v->o->agg != AGG_CATEGORIES) {
        double span = hi - lo > 0 ? hi - lo : fabs(hi) > 0 ? fabs(hi) : 1;
        lo -= span;
        hi += span;
    }
    v->wrange[0] = lo;
    v->wrange[1] = hi;
    v->nlabels = nl;
    if (!plot_set_wrange(v->pl, v->wrange, err))
        return false;
    set_look(v); /* a longer legend may move the plot's edge */
    return true;
}

/* --window N: only the newest N points are drawn; --persist S: each
 * arrival (the points of one poll) weighs exp(-age / S), the newest 1, and
 * arrivals older than 30 S (weight < 1e-13) are no longer drawn. Points are
 * counted as the refinement numbers them (dataset_chunk_points). */
static bool select_points(viewer *v, uint64_t n, bool reset, double t, vp_err *err)
{
    if (reset) {
        v->pt_chunks = v->pt_total = 0;
        if (v->arr)
            arrivals_reset(v->arr);
    }
    uint64_t before = v->pt_total;
    for (uint64_t k = v->pt_chunks; k < n; k++) {
        uint32_t c;
        if (!dataset_chunk_points(v->ds, k, &c))
            return vp_err_set(err, "internal: the points of a followed chunk are not known");
        v->pt_total += c;
    }
    v->pt_chunks = n;
    uint64_t first = v->o->window_n && v->pt_total > v->o->window_n ? v->pt_total - v->o->window_n : 0;
    const refine_batch *b = NULL;
    int nb = 0;
    if (v->o->persist > 0) {
        if (!v->arr && !arrivals_create(v->o->persist, &v->arr, err))
            return false;
        if (v->pt_total > before && !arrivals_add(v->arr, before, t, err))
            return false;
        uint64_t kept;
        b = arrivals_weigh(v->arr, &nb, &kept);
        if (kept > first)
            first = kept;
    }
    return plot_set_points(v->pl, first, b, nb, err);
}

static bool follow_update(viewer *v, vp_err *err)
{
    follow_event ev;
    if (!dataset_follow_poll(v->ds, &ev, err))
        return false;
    char warn[1024];
    if (dataset_take_warning(v->ds, warn, sizeof warn))
        say(v, "warning: %s", warn);
    time_unit unit;
    int64_t origin;
    if (!v->timed && dataset_x_time(v->ds, &unit, &origin)) {
        /* x turned out to be a time (known once the first lines, or the
         * whole file, are parsed): the overlay keeps a row for its dates */
        v->timed = true;
        set_look(v);
    }
    if (v->frozen && !ev.reset)
        return true; /* read, not drawn: taken in when thawed */
    if (!ev.grew && !ev.reset && !v->thaw)
        return true;
    v->thaw = false;
    double t = vp_now();
    if (v->t_grew == 0)
        v->t_grew = t;
    uint64_t n = dataset_chunks(v->ds);
    if (ev.reset) {
        say(v, "%s was %s: drawing it again from its new content", dataset_input_name(v->ds, 0),
            ev.rewritten ? "rewritten" : "truncated");
        v->bbox_chunks = 0;
        v->vs.full[0] = v->vs.full[2] = INFINITY;
        v->vs.full[1] = v->vs.full[3] = -INFINITY;
    }
    double f[4] = VP_BOX_EMPTY, b[4];
    if (v->bbox_chunks > 0)
        memcpy(f, v->vs.full, sizeof f);
    for (uint64_t k = v->bbox_chunks; k < n; k++)
        if (dataset_chunk_bbox(v->ds, k, b))
            vp_box_add(f, b);
    v->bbox_chunks = n;
    if (!(f[0] <= f[1]))
        return true; /* nothing finite yet */
    view_widen_flat(f);
    memcpy(v->vs.full, f, sizeof f);
    if (v->following) {
        double l[4];
        memcpy(l, f, sizeof l);
        if (v->o->window_n || v->o->window_x > 0) {
            /* the newest chunks covering the window */
            uint64_t need = v->o->window_n, got = 0;
            double w[4] = VP_BOX_EMPTY;
            for (uint64_t k = n; k-- > 0;) {
                dataset_chunk_bbox(v->ds, k, b);
                if (v->o->window_x > 0 && b[1] < f[1] - v->o->window_x)
                    break;
                vp_box_add(w, b);
                got += dataset_chunk_records(v->ds, k);
                if (need && got >= need)
                    break;
            }
            if (w[0] <= w[1]) {
                l[0] = v->o->window_x > 0 ? f[1] - v->o->window_x : w[0];
                l[1] = f[1];
                l[2] = w[2];
                l[3] = w[3];
                view_widen_flat(l);
            }
        }
        viewstate_set(&v->vs, l[0], l[1], l[2], l[3]);
    }
    if (dataset_has_w(v->ds) && agg_needs_range((agg_kind)v->o->agg) && !follow_wrange(v, n, ev.reset, err))
        return false;
    if (ev.reset)
        plot_reset(v->pl);
    else
        plot_grow(v->pl);
    v->grown_chunks = n;
    if (v->o->window_n || v->o->persist > 0)
        return select_points(v, n, ev.reset, t, err);
    return true;
}

/* The view the plot refines follows the navigation. */
static void sync_view(viewer *v)
{
    view before = *plot_view(v->pl);
    vp_err err;
    if (!plot_set_view(v->pl, v->vs.lim, &err))
        say(v, "%s", err.msg);
    const char *n = plot_take_note(v->pl);
    if (n)
        say(v, "%s", n);
    if (memcmp(&before, plot_view(v->pl), sizeof before) != 0) {
        v->view_gen++;
        v->view_changed_t = vp_now();
    }
}

/* Takes the refinement's progress into the grid on screen, when it is worth
 * it: a new view once it has something to show (until then the old picture
 * is drawn moved and scaled to the new view, so input never waits), and
 * refinements a few times a second until complete. */
static bool refresh_grid(viewer *v, vp_err *err)
{
    double t = vp_now();
    sync_view(v);
    refine_state st;
    plot_progress(v->pl, &st);
    plot_shown sh = plot_get_shown(v->pl);
    bool take;
    if (!sh.valid)
        take = st.chunks_done > 0 || st.complete;
    else if (!sh.current || sh.st.generation != st.generation)
        take = v->drag == 0 && (st.complete || (st.chunks_done > 0 && t - v->view_changed_t > 0.08));
    else
        take = (st.chunks_done != sh.st.chunks_done || v->shown_grown != v->grown_chunks) &&
               (st.complete || t - v->last_snapshot > (dataset_is_follow(v->ds) ? 0.03 : 0.2));
    if (!take)
        return true;
    if (!plot_take(v->pl, err))
        return false;
    st = plot_get_shown(v->pl).st;
    v->last_snapshot = t;
    v->shown_grown = v->grown_chunks;
    if (st.complete && v->t_first_complete == 0)
        v->t_first_complete = t;
    if (v->t_grew > 0 && st.complete) { /* new rows are on screen after this frame */
        if (v->nlatency < MAX_FRAMES)
            v->latency_ms[v->nlatency++] = (float)((t - v->t_grew) * 1e3);
        v->t_grew = 0;
    }
    return true;
}

/* A rectangle outline by scissored clears: no shader needed. */
static void outline(const viewer *v, double ax, double ay, double bx, double by)
{
    int x0 = (int)fmin(ax, bx) + v->plot.x, x1 = (int)fmax(ax, bx) + v->plot.x;
    int y0 = (int)fmin(ay, by) + v->plot.y, y1 = (int)fmax(ay, by) + v->plot.y;
    int t = v->dpi > 1.5f ? 2 : 1;
    int gy0 = v->wh - y1, gy1 = v->wh - y0; /* GL rows from the bottom */
    glEnable(GL_SCISSOR_TEST);
    glClearColor(1, 1, 1, 1);
    int rects[4][4] = {{x0, gy0, x1 - x0, t}, {x0, gy1 - t, x1 - x0, t},
                       {x0, gy0, t, gy1 - gy0}, {x1 - t, gy0, t, gy1 - gy0}};
    for (int i = 0; i < 4; i++) {
        glScissor(rects[i][0], rects[i][1], rects[i][2] > 0 ? rects[i][2] : 1, rects[i][3] > 0 ? rects[i][3] : 1);
        glClear(GL_COLOR_BUFFER_BIT);
    }
    glDisable(GL_SCISSOR_TEST);
}

static const char help_text[] =
    "drag: pan    wheel, + or -: zoom at the cursor    right-drag or Shift+drag: box zoom\n"
    "Home or R: whole data    Backspace: previous view    arrows: pan\n"
    "T: tone map    C: colormap    [ and ]: point size    H: overlay    0-9: show/hide that category\n"
    "P: freeze the picture of a followed file (still read)\n"
    "PageDown / PageUp: next / previous saved view (--views)    V: save this view\n"
    "F or F11: fullscreen    S or F12: screenshot    ? or F1: this help    Q or Esc: quit";

static bool draw_frame(viewer *v, float fps, vp_err *err)
{
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    char status[1024];
    plot_frame f = {.help = v->help_on ? help_text : NULL};
    if (v->look.overlay || v->help_on || vp_now() < v->message_until) {
        double x = 0, y = 0;
        viewstate_to_data(&v->vs, v->mx, v->my, &x, &y);
        bool in_plot = v->mx >= 0 && v->my >= 0 && v->mx < v->plot.w && v->my < v->plot.h;
        plot_shown sh = plot_get_shown(v->pl);
        double frac = sh.st.chunks_total ? (double)sh.st.chunks_done / (double)sh.st.chunks_total : 1.0;
        char readout[256] = "";
        double val;
        int top;
        if (in_plot && plot_value_at(v->pl, x, y, &val, &top)) {
            uint64_t cnt = plot_count_at(v->pl, x, y);
            if (plot_categories(v->pl))
                snprintf(readout, sizeof readout, "   top %s (%.0f of %" PRIu64 ")",
                         top >= 0 ? plot_category_label(v->pl, top) : "-", top >= 0 ? val : 0.0, cnt);
            else
                snprintf(readout, sizeof readout, "   %s %.9g", plot_what(v->pl), val);
        }
        char xs[80];
        plot_format_x(v->pl, x, xs, sizeof xs);
        const char *caption = v->slide >= 0 ? v->slides.v[v->slide].caption : "";
        if (vp_now() < v->message_until)
            snprintf(status, sizeof status, "%s", v->message);
        else
            snprintf(status, sizeof status,
                     "%s%s%" PRIu64 " / %" PRIu64 " points drawn   refined %3.0f%%   %4.0f fps   "
                     "x %s  y %.9g  count %" PRIu64 "%s",
                     caption, caption[0] ? "      " : "", sh.drawn, dataset_records(v->ds), 100.0 * frac, fps, xs, y,
                     in_plot ? plot_count_at(v->pl, x, y) : 0, readout);
        f.status = status;
    }
    if (!plot_draw(v->pl, &f, err))
        return false;
    if (v->drag == 2)
        outline(v, v->ax, v->ay, v->mx, v->my);
    return true;
}

/* --screenshot-scale K: the same picture at K times the window's resolution,
 * rendered offscreen by a plot of its own (what `render` does): every point
 * binned at that size, overlay scaled. */
static bool save_scaled_screenshot(viewer *v, int k, vp_err *err)
{
    int W = v->ww * k, H = v->wh * k;
    plot_params pp = {.ds = v->ds, .accumulate = v->o->accumulate, .software_gl = glctx_is_software(v->gl),
                      .threads = v->o->threads, .title = v->title, .xlabel = v->xlabel,
                      .ylabel = v->ylabel, .agg = (agg_kind)v->o->agg, .wname = v->wname,
                      .lines = v->o->lines, .lp = {v->o->normalize_lines, v->o->break_gap},
                      .tz = v->o->tz};
    plot_look look = v->look;
    look.dpi_scale = v->dpi * (float)k;
    look.spread = v->look.spread * k;
    plot *pl = NULL;
    uint8_t *px = NULL;
    accum_stats st;
    bool ok = tonemap_pass_check_size(W, H, err) && plot_create(&pp, &pl, err) &&
              plot_set_wrange(pl, v->wrange, err) && plot_set_look(pl, &look, err) &&
              plot_set_annotations(pl, v->annots, v->n_annots, err) && plot_set_size(pl, W, H, err) &&
              plot_set_view(pl, v->vs.lim, err) && plot_accumulate(pl, &st, err);
    if (ok && !(px = malloc((size_t)W * H * 4)))
        ok = vp_err_set(err, "out of memory for a %dx%d screenshot", W, H);
    ok = ok && plot_read_rgba(pl, NULL, px, err) &&
         write_output(v, v->shot_path, "screenshot", px, W, H, (size_t)W * 4, NULL, err);
    plot_destroy(pl);
    free(px);
    return ok;
}

static bool save_screenshot(viewer *v, vp_err *err)
{
    if (v->o->screenshot_scale > 1)
        return save_scaled_screenshot(v, v->o->screenshot_scale, err);
    size_t stride = (size_t)v->ww * 4;
    uint8_t *px = malloc(stride * (size_t)v->wh);
    if (!px)
        return vp_err_set(err, "out of memory for a screenshot");
    glReadBuffer(GL_BACK);
    bool ok = gl_read_rgba(0, v->ww, v->wh, px, true, err) &&
              write_output(v, v->shot_path, "screenshot", px, v->ww, v->wh, stride, NULL, err);
    free(px);
    return ok;
}

/* ---- set-up and the loop -------------------------------------------------- */

static bool open_window(viewer *v, vp_err *err)
{
    const vp_options *o = v->o;
    if (SDL_Init(SDL_INIT_VIDEO) != 0)
        return vp_err_set(err, "cannot open a window: %s (no display? 'vastplot render' works without one)",
                          SDL_GetError());
    /* Without a display SDL falls back to drivers that show nothing (its
     * offscreen one): a window nobody sees would wait forever. Only when
     * asked for by name (SDL_VIDEODRIVER) is that meant. */
    const char *drv = SDL_GetCurrentVideoDriver(), *asked = getenv("SDL_VIDEODRIVER");
    if (drv && (!strcmp(drv, "offscreen") || !strcmp(drv, "dummy")) && !(asked && *asked))
        return vp_err_set(err, "no display to open a window on (DISPLAY and WAYLAND_DISPLAY are not set; "
                               "SDL found only its '%s' driver): 'vastplot render' works without one",
                          drv);
    glctx_params gp = {.debug = o->gl_debug, .verbose = o->verbose};
    glctx_sdl_attributes(&gp);
    int nd = SDL_GetNumVideoDisplays();
    if (o->display >= nd && nd > 0)
        return vp_err_set(err, "--display %d: this system has %d display%s (0..%d)", o->display, nd,
                          nd == 1 ? "" : "s", nd - 1);
    int w = o->size_set ? o->width : 1280, h = o->size_set ? o->height : 800;
    Uint32 flags = SDL_WINDOW_OPENGL | SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI;
    if (o->fullscreen)
        flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
    char title[512];
    snprintf(title, sizeof title, "vastplot - %s", o->title ? o->title
                                                  : o->command == CMD_DEMO ? "demo" : o->inputs[0]);
    v->win = SDL_CreateWindow(title, SDL_WINDOWPOS_CENTERED_DISPLAY(o->display),
                              SDL_WINDOWPOS_CENTERED_DISPLAY(o->display), w, h, flags);
    if (!v->win)
        return vp_err_set(err, "cannot open a %dx%d window: %s", w, h, SDL_GetError());
    if (!glctx_create_window(&gp, v->win, &v->gl, err))
        return false;
    SDL_GL_SetSwapInterval(1);
    return true;
}

/* The data and its extent: a growing file or standard input is drawn as it
 * arrives; one text file while it is parsed (complete at once from the
 * column cache); else everything is read first, with a pass for the bounds
 * and the chunk boxes (so a zoomed view reads only the chunks that can touch
 * it). */
static bool load_data(viewer *v, double full[4], vp_err *err)
{
    const vp_options *o = v->o;
    double bounds[4] = {0, 1, 0, 1}; /* a growing file: something to start from */
    if (v->ds) {
        /* given (cmd_view_dataset) */
    } else if (o->command == CMD_DEMO) {
        if (!dataset_create_demo(o->demo_points, &v->ds, err))
            return false;
    } else {
        bool grows = o->follow || (o->ninputs == 1 && strcmp(o->inputs[0], "-") == 0);
        bool text1 = !grows && o->ninputs == 1 &&
                     dataset_input_is_text(&o->data, o->inputs[0]);
        bool ok = grows   ? dataset_create_follow(o->inputs[0], &o->data, &v->ds, err)
                  : text1 ? dataset_create_loading(o->inputs[0], &o->data, &v->ds, err)
                          : dataset_create_inputs(o->inputs, o->ninputs, &o->data, &v->ds, err);
        if (!ok)
            return false;
        char w[1024];
        if (dataset_take_warning(v->ds, w, sizeof w))
            fprintf(stderr, "vastplot: warning: %s\n", w);
        v->text_growing = text1 && dataset_loading(v->ds);
        v->following = dataset_is_follow(v->ds);
    }
    if (!dataset_is_follow(v->ds)) {
        plot_bounds *pb;
        bool ok = plot_bounds_start(v->ds, o, true, &pb, err);
        if (!plot_bounds_join_w(pb, bounds, v->wrange, ok ? err : NULL) || !ok)
            return false;
    }
    return plot_limits(o, v->ds, bounds, full, err);
}

static int view_run(const vp_options *o, dataset *given, vp_err *err);

int cmd_view(const vp_options *o, vp_err *err)
{
    return view_run(o, NULL, err);
}

int cmd_view_dataset(const vp_options *o, dataset *ds, vp_err *err)
{
    return view_run(o, ds, err);
}

static int view_run(const vp_options *o, dataset *given, vp_err *err)
{
    viewer *v = calloc(1, sizeof *v);
    if (!v) {
        vp_err_set(err, "out of memory");
        return 1;
    }
    int rc = 1;
    v->o = o;
    v->ds = given;
    v->t_start = vp_now();
    v->cmap_name = o->colormap;
    for (int i = 0; i < (int)(sizeof tm_cycle / sizeof tm_cycle[0]); i++)
        if (tm_cycle[i] == o->tonemap)
            v->tm_i = i;
    double full[4];
    v->frame_ms = malloc(MAX_FRAMES * sizeof *v->frame_ms);
    v->latency_ms = malloc(MAX_FRAMES * sizeof *v->latency_ms);
    if (!v->frame_ms || !v->latency_ms) {
        vp_err_set(err, "out of memory");
        goto out;
    }
    if (!plot_look_from_options(o, &v->look, err))
        goto out;
    v->look.overlay = true;
    if (o->script && !script_load(o->script, &v->sc, err))
        goto out;
    v->slide = -1;
    /* a views file that is not there yet is one V or `view save` makes */
    if (o->views && (access(o->views, F_OK) == 0 || errno != ENOENT) && !views_load(o->views, &v->slides, err))
        goto out;
    if (!given && o->ninputs == 0) {
        /* `view --views talk.views`: the data the views were made of */
        v->opts = *o;
        for (size_t i = 0; i < v->slides.n && !v->opts.ninputs; i++)
            for (int k = 0; k < v->slides.v[i].n_inputs; k++) {
                memcpy(v->inputs[k], v->slides.v[i].inputs[k], VIEWS_PATH_MAX);
                v->opts.inputs[v->opts.ninputs++] = v->inputs[k];
            }
        if (!v->opts.ninputs) {
            vp_err_set(err, "view: no input: give input files, or input = PATH lines in %s", o->views);
            goto out;
        }
        v->o = o = &v->opts;
    }
    snprintf(v->title_buf, sizeof v->title_buf, "%s", o->title ? o->title : "");
    v->title = o->title || v->slides.n ? v->title_buf : NULL;
    v->xlabel = o->xlabel;
    v->ylabel = o->ylabel;
    v->n_annots = o->n_annots;
    if (o->n_annots)
        memcpy(v->annots, o->annots, (size_t)o->n_annots * sizeof *v->annots);
    if (!load_data(v, full, err) || !open_window(v, err))
        goto out;
    if (dataset_has_w(v->ds))
        plot_value_name(o, v->ds, v->wname, sizeof v->wname);
    plot_params pp = {.ds = v->ds, .accumulate = o->accumulate, .software_gl = glctx_is_software(v->gl),
                      .progressive = true, .threads = o->threads,
                      .gpu_budget = (size_t)o->gpu_mem_mb << 20, .title = v->title,
                      .xlabel = o->xlabel, .ylabel = o->ylabel, .agg = (agg_kind)o->agg,
                      .wname = v->wname, .lines = o->lines, .lp = {o->normalize_lines, o->break_gap},
                      .tz = o->tz};
    if (dataset_is_follow(v->ds)) {
        v->wrange[0] = v->wseen[0] = 1;
        v->wrange[1] = v->wseen[1] = 0;
    }
    if (!plot_create(&pp, &v->pl, err) || !plot_set_wrange(v->pl, v->wrange, err) ||
        !plot_set_annotations(v->pl, v->annots, v->n_annots, err) || !update_sizes(v, err))
        goto out;
    viewstate_init(&v->vs, full, NULL, v->plot.w, v->plot.h);
    if (v->slides.n)
        go_slide(v, 0, false);
    sync_view(v);
    if (o->verbose && plot_gpu_resident(v->pl))
        fprintf(stderr, "vastplot: points resident on the GPU\n");

    double last = vp_now();
    float fps = 0;
    while (!v->quit) {
        SDL_Event e;
        /* idle and complete: sleep until input (or, following a file, until
         * the next look at it) rather than spin */
        bool idle = refined(v) && v->sc_next >= v->sc.n && !v->shot_pending && !v->o->script;
        if (idle && SDL_WaitEventTimeout(&e, dataset_is_follow(v->ds) ? 10 : 100))
            handle_event(v, &e);
        while (SDL_PollEvent(&e))
            handle_event(v, &e);
        size_t sc_before = v->sc_next;
        if (v->sc.n && !script_step(v, err))
            goto out;
        if (v->sc_next != sc_before)
            v->had_input = true;
        if (v->sc.n && v->sc_next >= v->sc.n)
            v->quit = true;
        if (dataset_is_follow(v->ds) && !follow_update(v, err))
            goto out;
        animate_slide(v);
        uint64_t gen_before = v->view_gen;
        double snap_before = v->last_snapshot, t_frame = vp_now();
        sync_view(v);
        /* GPU refinement: as many chunks as fit a few milliseconds per frame */
        bool gpu = plot_gpu_resident(v->pl);
        if (gpu)
            plot_step(v->pl, 8.0);
        if (!refresh_grid(v, err))
            goto out;
        /* draw only when something changed: the CPU is the refinement's */
        bool dirty = v->had_input || v->view_gen != gen_before || v->last_snapshot != snap_before ||
                     v->shot_pending || gpu || t_frame < v->message_until + 0.1 || v->nframes == 0;
        v->had_input = false;
        if (!dirty) {
            SDL_Event e2;
            if (SDL_WaitEventTimeout(&e2, 5))
                handle_event(v, &e2);
            continue;
        }
        if (!draw_frame(v, fps, err))
            goto out;
        if (v->shot_pending && refined(v)) {
            v->shot_pending = false;
            if (!save_screenshot(v, err))
                goto out;
            say(v, "screenshot saved: %s", v->shot_path);
        }
        SDL_GL_SwapWindow(v->win);
        double t = vp_now();
        /* frame time: the work of one frame (not the sleeping between frames) */
        float ms = (float)((t - t_frame) * 1e3);
        float gap = (float)((t - last) * 1e3);
        last = t;
        fps = fps == 0 ? 1000.0f / gap : 0.9f * fps + 0.1f * (1000.0f / gap);
        if (v->nframes < MAX_FRAMES)
            v->frame_ms[v->nframes++] = ms;
        v->loading_frames += dataset_loading(v->ds) && plot_get_shown(v->pl).drawn > 0;
    }
    rc = 0;
out:
    plot_destroy(v->pl);
    glctx_destroy(v->gl);
    if (v->win)
        SDL_DestroyWindow(v->win);
    SDL_Quit();
    script_free(&v->sc);
    views_free(&v->slides);
    if (v->ds != given)
        dataset_destroy(v->ds);
    free(v->frame_ms);
    free(v->latency_ms);
    arrivals_destroy(v->arr);
    free(v);
    return rc;
}
