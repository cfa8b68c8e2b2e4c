/* The overlay (src/overlay/overlay.h) drawn for real on a headless GL
 * context (llvmpipe on CI) and read back: the picture inside the plot rect is
 * untouched, ink falls only where the layout put something and every label
 * has ink, labels never overlap each other or the picture, the colorbar shows
 * the colormap in order from floor to 1, nothing lands outside the window,
 * and the GL state is as it was. Writes PNGs to the test's tmp dir for a
 * person to look at. Exit 77 (skip) when no GL 4.5. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <glad/gl.h>

#include "gl/glctx.h"
#include "look/colormap.h"
#include "look/tonemap.h"
#include "out/png_out.h"
#include "overlay/layout.h"
#include "overlay/overlay.h"
#include "testutil.h"

static glctx *gl;
static const char *dir;

/* The framebuffer is larger than the window the overlay is told about, so
 * anything drawn outside the window would show. */
#define FB_W 1700
#define FB_H 1300
static const uint8_t OUTSIDE[4] = {255, 0, 255, 255};

typedef struct scene {
    overlay_params params;
    int win_w, win_h;
    double x0, x1, y0, y1;
    tonemap_kind kind;
    const char *cmap_name;
    float floor;
    uint8_t bg[4], ink[4];
    const char *status;
    bool hide_axes;   /* overlay_frame.axes = false */
    const char *help; /* overlay_frame.help */
    const char *png;  /* file name in the tmp dir */
} scene;

typedef struct result {
    overlay_layout *layout;
    uint8_t *before, *after; /* win_w x win_h RGBA, top row first */
    uint8_t cmap[COLORMAP_SIZE][4];
    tonemap_table table;
    int w, h;
} result;

static size_t px(const result *r, int x, int y) { return ((size_t)y * (size_t)r->w + (size_t)x) * 4; }

static bool rect_has(overlay_rect r, int x, int y)
{
    return x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h;
}

static bool rects_meet(overlay_rect a, overlay_rect b)
{
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/* Counts for the plot: a dense core, a ring and a sparse haze, so every tone
 * map has something to show. */
static uint64_t *make_counts(int w, int h)
{
    uint64_t *c = calloc((size_t)w * (size_t)h, sizeof *c);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            double u = (x + 0.5) / w * 2 - 1, v = (y + 0.5) / h * 2 - 1;
            double r = sqrt(u * u + v * v);
            double d = 40000 * exp(-r * r * 18) + 300 * exp(-pow((r - 0.6) * 12, 2)) +
                       (((x * 7 + y * 13) % 11) == 0 ? 1 : 0);
            c[(size_t)y * (size_t)w + (size_t)x] = (uint64_t)d;
        }
    return c;
}

/* The picture as the tone-map pass would draw it (top row first). */
static uint8_t *make_picture(const result *r, const uint64_t *counts, int w, int h, float floor,
                             const uint8_t bg[4])
{
    uint8_t *p = malloc((size_t)w * (size_t)h * 4);
    for (size_t i = 0; i < (size_t)w * (size_t)h; i++) {
        if (!counts[i]) {
            memcpy(p + 4 * i, bg, 4);
            continue;
        }
        double t = tonemap_level(&r->table, counts[i]);
        int idx = (int)((floor + (1 - floor) * t) * 255 + 0.5);
        memcpy(p + 4 * i, r->cmap[idx], 4);
    }
    return p;
}

/* Reads the window's part of the framebuffer, top row first. */
static void read_window(GLuint fbo, int w, int h, uint8_t *out)
{
    uint8_t *all = malloc((size_t)FB_W * FB_H * 4);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glBindFramebuffer(GL_READ_FRAMEBUFFER, fbo);
    glReadPixels(0, 0, FB_W, FB_H, GL_RGBA, GL_UNSIGNED_BYTE, all);
    for (int y = 0; y < h; y++)
        memcpy(out + (size_t)y * w * 4, all + (size_t)(h - 1 - y) * FB_W * 4, (size_t)w * 4);
    /* outside the window: exactly as cleared */
    for (int y = 0; y < FB_H; y++)
        for (int x = 0; x < FB_W; x++)
            if (x >= w || y >= h) {
                const uint8_t *p = all + ((size_t)y * FB_W + x) * 4;
                if (memcmp(p, OUTSIDE, 4) != 0)
                    fail_msg("pixel (%d, %d) outside the %dx%d window was drawn on", x, y, w, h);
            }
    free(all);
}

static void render(const scene *s, result *r)
{
    vp_err err;
    overlay *o;
    if (!overlay_create(&s->params, &o, &err))
        fail_msg("overlay_create: %s", err.msg);
    r->w = s->win_w;
    r->h = s->win_h;
    overlay_rect pl = overlay_plot_rect(o, s->win_w, s->win_h);
    assert_true(colormap_get(s->cmap_name, r->cmap));
    uint64_t *counts = make_counts(pl.w, pl.h);
    assert_true(tonemap_table_build(s->kind, counts, (size_t)pl.w * pl.h, &r->table));
    uint8_t *pic = make_picture(r, counts, pl.w, pl.h, s->floor, s->bg);

    GLuint rb, fbo, tex, src;
    glCreateRenderbuffers(1, &rb);
    glNamedRenderbufferStorage(rb, GL_RGBA8, FB_W, FB_H);
    glCreateFramebuffers(1, &fbo);
    glNamedFramebufferRenderbuffer(fbo, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, rb);
    assert_int_equal(glCheckNamedFramebufferStatus(fbo, GL_FRAMEBUFFER), GL_FRAMEBUFFER_COMPLETE);
    /* the picture goes in with row 0 at the bottom, as GL wants */
    glCreateTextures(GL_TEXTURE_2D, 1, &tex);
    glTextureStorage2D(tex, 1, GL_RGBA8, pl.w, pl.h);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    for (int y = 0; y < pl.h; y++)
        glTextureSubImage2D(tex, 0, 0, pl.h - 1 - y, pl.w, 1, GL_RGBA, GL_UNSIGNED_BYTE,
                            pic + (size_t)y * pl.w * 4);
    glCreateFramebuffers(1, &src);
    glNamedFramebufferTexture(src, GL_COLOR_ATTACHMENT0, tex, 0);

    glBindFramebuffer(GL_FRAMEBUFFER, fbo);
    glClearColor(OUTSIDE[0] / 255.f, OUTSIDE[1] / 255.f, OUTSIDE[2] / 255.f, OUTSIDE[3] / 255.f);
    glClear(GL_COLOR_BUFFER_BIT);
    glEnable(GL_SCISSOR_TEST);
    glScissor(0, 0, s->win_w, s->win_h);
    glClearColor(s->bg[0] / 255.f, s->bg[1] / 255.f, s->bg[2] / 255.f, s->bg[3] / 255.f);
    glClear(GL_COLOR_BUFFER_BIT);
    glDisable(GL_SCISSOR_TEST);
    int gy = s->win_h - (pl.y + pl.h);
    glBlitNamedFramebuffer(src, fbo, 0, 0, pl.w, pl.h, pl.x, gy, pl.x + pl.w, gy + pl.h,
                           GL_COLOR_BUFFER_BIT, GL_NEAREST);
    r->before = malloc((size_t)s->win_w * s->win_h * 4);
    r->after = malloc((size_t)s->win_w * s->win_h * 4);
    read_window(fbo, s->win_w, s->win_h, r->before);

    overlay_frame fr = {.win_w = s->win_w,
                        .win_h = s->win_h,
                        .plot = pl,
                        .x0 = s->x0,
                        .x1 = s->x1,
                        .y0 = s->y0,
                        .y1 = s->y1,
                        .table = &r->table,
                        .cmap = (const uint8_t(*)[4])r->cmap,
                        .floor = s->floor,
                        .status = s->status,
                        .text_rgba = s->ink,
                        .axes = !s->hide_axes,
                        .help = s->help};
    /* some state of the caller's that must survive */
    GLuint other_vao, other_tex;
    glCreateVertexArrays(1, &other_vao);
    glCreateTextures(GL_TEXTURE_2D, 1, &other_tex);
    glBindVertexArray(other_vao);
    glActiveTexture(GL_TEXTURE0);
    glBindTexture(GL_TEXTURE_2D, other_tex);
    glActiveTexture(GL_TEXTURE3);
    glViewport(3, 4, 50, 60);
    glDisable(GL_BLEND);
    glBlendFunc(GL_ONE, GL_ZERO);
    glUseProgram(0);

    if (!overlay_draw(o, &fr, &err))
        fail_msg("overlay_draw: %s", err.msg);

    GLint v[4], i;
    glGetIntegerv(GL_VIEWPORT, v);
    assert_true(v[0] == 3 && v[1] == 4 && v[2] == 50 && v[3] == 60);
    assert_false(glIsEnabled(GL_BLEND));
    glGetIntegerv(GL_BLEND_SRC_RGB, &i);
    assert_int_equal(i, GL_ONE);
    glGetIntegerv(GL_VERTEX_ARRAY_BINDING, &i);
    assert_int_equal(i, (GLint)other_vao);
    glGetIntegerv(GL_CURRENT_PROGRAM, &i);
    assert_int_equal(i, 0);
    glGetIntegerv(GL_ACTIVE_TEXTURE, &i);
    assert_int_equal(i, GL_TEXTURE3);
    glActiveTexture(GL_TEXTURE0);
    glGetIntegerv(GL_TEXTURE_BINDING_2D, &i);
    assert_int_equal(i, (GLint)other_tex);
    assert_int_equal(glGetError(), GL_NO_ERROR);
    glBindVertexArray(0);

    read_window(fbo, s->win_w, s->win_h, r->after);
    r->layout = malloc(sizeof *r->layout);
    overlay_layout_of(o, &fr, r->layout);
    if (s->png) {
        if (!png_write_rgba(tu_path(dir, s->png), r->after, s->win_w, s->win_h,
                            (size_t)s->win_w * 4, false, &err))
            fail_msg("%s", err.msg);
        fprintf(stderr, "wrote %s\n", tu_path(dir, s->png));
    }
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    glDeleteFramebuffers(1, &fbo);
    glDeleteFramebuffers(1, &src);
    glDeleteRenderbuffers(1, &rb);
    glDeleteTextures(1, &tex);
    glDeleteTextures(1, &other_tex);
    glDeleteVertexArrays(1, &other_vao);
    overlay_destroy(o);
    free(pic);
    free(counts);
}

static void result_free(result *r)
{
    free(r->layout);
    free(r->before);
    free(r->after);
    tonemap_table_free(&r->table);
}

static const char *role_name(overlay_role k)
{
    static const char *const n[] = {"title", "xlabel", "ylabel", "xtick", "ytick",
                                    "yoffset", "cbar", "cbar-title", "status", "help"};
    return n[k];
}

static int count_role(const overlay_layout *l, overlay_role k)
{
    int n = 0;
    for (int i = 0; i < l->n_text; i++)
        n += l->text[i].role == k;
    return n;
}

static bool in_top(const overlay_layout *l, int x, int y)
{
    for (int i = 0; i < l->n_back; i++)
        if (rect_has(l->back[i], x, y))
            return true;
    for (int i = 0; i < l->n_outline; i++)
        if (rect_has(l->outline[i], x, y))
            return true;
    return false;
}

/* The checks every scene must pass. */
static void check_common(const scene *s, const result *r)
{
    const overlay_layout *l = r->layout;
    overlay_rect pl = l->plot;
    /* the picture is untouched, except under a help box or status strip */
    for (int y = pl.y; y < pl.y + pl.h; y++)
        for (int x = pl.x; x < pl.x + pl.w; x++)
            if (memcmp(r->after + px(r, x, y), r->before + px(r, x, y), 4) != 0 && !in_top(l, x, y))
                fail_msg("the overlay drew on the picture at (%d, %d)", x, y);
    /* every label: inside the window, off the picture and the colorbar, apart
     * from every other label, and with ink in it; help lines (over the
     * picture on purpose) apart from each other and inside their box */
    for (int i = 0; i < l->n_text; i++) {
        const overlay_text *t = &l->text[i];
        overlay_rect b = t->box;
        if (b.x < 0 || b.y < 0 || b.x + b.w > r->w || b.y + b.h > r->h)
            fail_msg("%s \"%s\" box %d,%d %dx%d leaves the %dx%d window", role_name(t->role),
                     t->text, b.x, b.y, b.w, b.h, r->w, r->h);
        if (t->role == OVERLAY_HELP) {
            assert_true(l->n_back >= 1);
            overlay_rect hb = l->back[l->n_back - 1];
            assert_true(b.x >= hb.x && b.y >= hb.y && b.x + b.w <= hb.x + hb.w &&
                        b.y + b.h <= hb.y + hb.h);
        } else if (!t->on_top && (rects_meet(b, pl) || (l->cbar.w && rects_meet(b, l->cbar)))) {
            fail_msg("%s \"%s\" lies on the picture or the colorbar", role_name(t->role), t->text);
        }
        for (int j = 0; j < i; j++)
            if ((t->role == OVERLAY_HELP) == (l->text[j].role == OVERLAY_HELP) &&
                rects_meet(b, l->text[j].box))
                fail_msg("%s \"%s\" overlaps %s \"%s\"", role_name(t->role), t->text,
                         role_name(l->text[j].role), l->text[j].text);
        int ink = 0;
        for (int y = b.y; y < b.y + b.h; y++)
            for (int x = b.x; x < b.x + b.w; x++)
                ink += memcmp(r->after + px(r, x, y), r->before + px(r, x, y), 4) != 0;
        if (ink < 3)
            fail_msg("%s \"%s\": no ink in its box", role_name(t->role), t->text);
    }
    /* ink only where the layout put something */
    for (int y = 0; y < r->h; y++)
        for (int x = 0; x < r->w; x++) {
            if (memcmp(r->after + px(r, x, y), r->before + px(r, x, y), 4) == 0)
                continue;
            bool known = rect_has(l->cbar, x, y) || in_top(l, x, y);
            for (int i = 0; i < l->n_solid && !known; i++)
                known = rect_has(l->solid[i], x, y);
            for (int i = 0; i < l->n_text && !known; i++)
                known = rect_has(l->text[i].box, x, y);
            if (!known)
                fail_msg("stray ink at (%d, %d)", x, y);
        }
    if (s->hide_axes)
        return;
    /* the frame: a line of the ink colour just outside each side */
    int lw = s->params.dpi_scale > 1 ? (int)(s->params.dpi_scale + 0.5f) : 1;
    for (int x = pl.x; x < pl.x + pl.w; x += 7) {
        if (in_top(l, x, pl.y - lw) || in_top(l, x, pl.y + pl.h))
            continue;
        assert_memory_equal(r->after + px(r, x, pl.y - lw), s->ink, 4);
        assert_memory_equal(r->after + px(r, x, pl.y + pl.h), s->ink, 4);
    }
    for (int y = pl.y; y < pl.y + pl.h; y += 7) {
        if (in_top(l, pl.x - lw, y) || in_top(l, pl.x + pl.w, y))
            continue;
        assert_memory_equal(r->after + px(r, pl.x - lw, y), s->ink, 4);
        assert_memory_equal(r->after + px(r, pl.x + pl.w, y), s->ink, 4);
    }
    /* ticks on both axes; x labels centred on their ticks */
    assert_true(count_role(l, OVERLAY_XTICK) >= 2);
    assert_true(count_role(l, OVERLAY_YTICK) >= 2);
    for (int i = 0; i < l->n_text; i++) {
        const overlay_text *t = &l->text[i];
        if (t->role != OVERLAY_XTICK)
            continue;
        double cx = pl.x + (t->value - s->x0) / (s->x1 - s->x0) * pl.w;
        double mid = t->box.x + t->box.w / 2.0;
        if (fabs(mid - cx) > 2.5)
            fail_msg("x label \"%s\" centred at %g, its tick at %g", t->text, mid, cx);
    }
}

/* The colour ramp: row by row from the bottom, the colormap entry the tone
 * map gives that level, climbing from floor to 1; labels at their levels. */
static void check_colorbar(const scene *s, const result *r)
{
    const overlay_layout *l = r->layout;
    overlay_rect cb = l->cbar;
    assert_true(cb.w > 0 && cb.h == l->plot.h);
    int prev = -1;
    for (int row = 0; row < cb.h; row++) {
        int idx = overlay_cbar_index(s->floor, row, cb.h);
        assert_true(idx >= prev);
        prev = idx;
        for (int x = cb.x; x < cb.x + cb.w; x++) {
            const uint8_t *p = r->after + px(r, x, cb.y + cb.h - 1 - row);
            if (memcmp(p, r->cmap[idx], 3) != 0 || p[3] != 255)
                fail_msg("colorbar row %d (from the bottom) is %d,%d,%d, colormap[%d] is %d,%d,%d",
                         row, p[0], p[1], p[2], idx, r->cmap[idx][0], r->cmap[idx][1], r->cmap[idx][2]);
        }
    }
    assert_int_equal(overlay_cbar_index(s->floor, 0, cb.h), (int)(s->floor * 255 + 0.5));
    assert_int_equal(prev, 255);
    /* the labels sit where their counts' colours are, min and max among them */
    bool have_min = false, have_max = false;
    for (int i = 0; i < l->n_text; i++) {
        const overlay_text *t = &l->text[i];
        if (t->role != OVERLAY_CBAR_TICK)
            continue;
        uint64_t c = (uint64_t)t->value;
        have_min |= c == r->table.cmin;
        have_max |= c == r->table.cmax;
        double want = cb.y + cb.h - tonemap_level(&r->table, c) * cb.h;
        double mid = t->box.y + t->box.h / 2.0;
        if (fabs(mid - want) > t->box.h * 0.25)
            fail_msg("colorbar label \"%s\" centred at y %g, its level at %g", t->text, mid, want);
    }
    assert_true(have_min && have_max);
}

static void test_light_eq_hist(void **state)
{
    (void)state;
    scene s = {.win_w = 800, .win_h = 600, .x0 = 0, .x1 = 360, .y0 = -90, .y1 = 90,
               .kind = TONEMAP_EQ_HIST, .cmap_name = "viridis", .floor = 0.0f,
               .bg = {255, 255, 255, 255}, .ink = {0, 0, 0, 255},
               .status = "1,811,709,771 points \xC2\xB7 eq-hist \xC2\xB7 0.8 s",
               .png = "overlay_light.png"};
    overlay_params_default(&s.params);
    s.params.title = "Gaia DR3 sources";
    s.params.xlabel = "right ascension (deg)";
    s.params.ylabel = "declination (deg)";
    result r = {0};
    render(&s, &r);
    check_common(&s, &r);
    check_colorbar(&s, &r);
    const overlay_layout *l = r.layout;
    assert_int_equal(count_role(l, OVERLAY_TITLE), 1);
    assert_int_equal(count_role(l, OVERLAY_XLABEL), 1);
    assert_int_equal(count_role(l, OVERLAY_YLABEL), 1);
    assert_int_equal(count_role(l, OVERLAY_STATUS), 1);
    assert_int_equal(count_role(l, OVERLAY_YOFFSET), 0);
    /* the turned y label is taller than wide */
    for (int i = 0; i < l->n_text; i++)
        if (l->text[i].role == OVERLAY_YLABEL)
            assert_true(l->text[i].box.h > 3 * l->text[i].box.w);
    /* eq-hist labels: uneven spacing, as the colours are */
    result_free(&r);
}

static void test_dark_far_from_zero(void **state)
{
    (void)state;
    /* timestamps far from zero on y, a reversed x axis, a linear map with a
     * floor, translucent-free light ink on black */
    scene s = {.win_w = 1024, .win_h = 640, .x0 = 5, .x1 = -5, .y0 = 1.7e9, .y1 = 1.7e9 + 0.01,
               .kind = TONEMAP_LINEAR, .cmap_name = "inferno", .floor = 0.2f,
               .bg = {0, 0, 0, 255}, .ink = {230, 230, 230, 255},
               .status = "zoom 12x \xE2\x80\x94 6.4e+07 points in view", .png = "overlay_dark.png"};
    overlay_params_default(&s.params);
    s.params.title = "latency vs. time";
    s.params.xlabel = "offset (\xC2\xB5s)";
    s.params.ylabel = "unix time (s)";
    result r = {0};
    render(&s, &r);
    check_common(&s, &r);
    check_colorbar(&s, &r);
    assert_int_equal(count_role(r.layout, OVERLAY_YOFFSET), 1);
    for (int i = 0; i < r.layout->n_text; i++) {
        const overlay_text *t = &r.layout->text[i];
        if (t->role == OVERLAY_YOFFSET)
            assert_string_equal(t->text, "+1.7e+09");
    }
    result_free(&r);
}

static void test_log_hidpi(void **state)
{
    (void)state;
    scene s = {.win_w = 1600, .win_h = 1200, .x0 = -1e-6, .x1 = 3e-6, .y0 = 0, .y1 = 1e12,
               .kind = TONEMAP_LOG, .cmap_name = "fire", .floor = 0.1f,
               .bg = {255, 255, 255, 255}, .ink = {20, 20, 60, 255}, .png = "overlay_hidpi.png"};
    overlay_params_default(&s.params);
    s.params.dpi_scale = 2;
    s.params.title = "a title long enough that it needs cutting short to stay inside a window "
                     "that is this wide, which it is not, so it gets an ellipsis at the end";
    result r = {0};
    render(&s, &r);
    check_common(&s, &r);
    check_colorbar(&s, &r);
    result_free(&r);
}

/* No colorbar, no labels, a small window: still inside, still apart. */
static void test_small_plain(void **state)
{
    (void)state;
    scene s = {.win_w = 260, .win_h = 200, .x0 = 0, .x1 = 1, .y0 = 0, .y1 = 1,
               .kind = TONEMAP_SQRT, .cmap_name = "gray", .floor = 0,
               .bg = {255, 255, 255, 255}, .ink = {0, 0, 0, 255}, .png = "overlay_small.png"};
    overlay_params_default(&s.params);
    s.params.colorbar = false;
    result r = {0};
    render(&s, &r);
    check_common(&s, &r);
    assert_int_equal(r.layout->cbar.w, 0);
    assert_int_equal(count_role(r.layout, OVERLAY_CBAR_TICK), 0);
    result_free(&r);
}

static const char help_text[] =
    "drag: pan    wheel, + or -: zoom at the cursor    right-drag or Shift+drag: box zoom\n"
    "Home or R: whole data    Backspace: previous view    arrows: pan\n"
    "T: tone map    C: colormap    [ and ]: point size    H: overlay\n"
    "F or F11: fullscreen    S or F12: screenshot    ? or F1: this help    Q or Esc: quit";

/* The viewer with its overlay off and help on: no axes, no colorbar, only the
 * status line on a strip and the help box, both over the picture. */
static void test_help_without_axes(void **state)
{
    (void)state;
    scene s = {.win_w = 900, .win_h = 560, .x0 = 0, .x1 = 1, .y0 = 0, .y1 = 1,
               .kind = TONEMAP_EQ_HIST, .cmap_name = "viridis", .floor = 0,
               .bg = {0, 0, 0, 255}, .ink = {255, 255, 255, 255},
               .status = "120000 / 120000 points drawn   refined 100%   60 fps   x 0.25  y 0.5  count 3",
               .hide_axes = true, .help = help_text, .png = "overlay_help.png"};
    overlay_params_default(&s.params);
    s.params.title = "not shown without axes";
    result r = {0};
    render(&s, &r);
    check_common(&s, &r);
    const overlay_layout *l = r.layout;
    assert_int_equal(count_role(l, OVERLAY_HELP), 4);
    assert_int_equal(count_role(l, OVERLAY_STATUS), 1);
    assert_int_equal(l->n_text, 5);
    assert_int_equal(l->n_solid, 0);
    assert_int_equal(l->cbar.w, 0);
    assert_int_equal(l->n_back, 2);
    /* the help box is in the middle */
    overlay_rect hb = l->back[1];
    assert_true(abs(hb.x + hb.w / 2 - s.win_w / 2) <= 1 && abs(hb.y + hb.h / 2 - s.win_h / 2) <= 1);
    result_free(&r);
}

/* Help over a plot with axes: everything still where it was. */
static void test_help_with_axes(void **state)
{
    (void)state;
    scene s = {.win_w = 800, .win_h = 600, .x0 = -2, .x1 = 2, .y0 = -1, .y1 = 1,
               .kind = TONEMAP_CBRT, .cmap_name = "magma", .floor = 0.05f,
               .bg = {255, 255, 255, 255}, .ink = {0, 0, 0, 255}, .status = "status",
               .help = help_text, .png = "overlay_help_axes.png"};
    overlay_params_default(&s.params);
    result r = {0};
    render(&s, &r);
    check_common(&s, &r);
    assert_int_equal(count_role(r.layout, OVERLAY_HELP), 4);
    assert_int_equal(r.layout->n_back, 1); /* the status line has its margin */
    result_free(&r);
}

/* A help text taller than the window keeps to the window. */
static void test_help_too_tall(void **state)
{
    (void)state;
    char tall[4000] = "";
    for (int i = 0; i < 60; i++)
        snprintf(tall + strlen(tall), sizeof tall - strlen(tall), "line %d of a long help text\n", i);
    scene s = {.win_w = 400, .win_h = 300, .x0 = 0, .x1 = 1, .y0 = 0, .y1 = 1,
               .kind = TONEMAP_LINEAR, .cmap_name = "gray", .bg = {255, 255, 255, 255},
               .ink = {0, 0, 0, 255}, .hide_axes = true, .help = tall};
    overlay_params_default(&s.params);
    result r = {0};
    render(&s, &r);
    check_common(&s, &r);
    int n = count_role(r.layout, OVERLAY_HELP);
    assert_true(n >= 5 && n < 60);
    result_free(&r);
}

/* Limits with nothing to tick (equal, not finite) and a picture with no
 * counts: the frame, a bare colour ramp and the status, no error. */
static void test_degenerate_frame(void **state)
{
    (void)state;
    vp_err err;
    overlay_params p;
    overlay_params_default(&p);
    overlay *o;
    assert_true(overlay_create(&p, &o, &err));
    uint64_t zeros[16] = {0};
    tonemap_table t;
    assert_true(tonemap_table_build(TONEMAP_EQ_HIST, zeros, 16, &t));
    uint8_t cmap[COLORMAP_SIZE][4];
    assert_true(colormap_get("viridis", cmap));
    GLuint rb, fbo;
    glCreateRenderbuffers(1, &rb);
    glNamedRenderbufferStorage(rb, GL_RGBA8, 320, 240);
    glCreateFramebuffers(1, &fbo);
    glNamedFramebufferRenderbuffer(fbo, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, rb);
    glBindFramebuffer(GL_FRAMEBUFFER, fbo);
    overlay_frame fr = {.win_w = 320, .win_h = 240, .plot = overlay_plot_rect(o, 320, 240),
                        .x0 = 1, .x1 = 1, .y0 = NAN, .y1 = 2, .table = &t,
                        .cmap = (const uint8_t(*)[4])cmap, .status = "no data", .axes = true};
    if (!overlay_draw(o, &fr, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(glGetError(), GL_NO_ERROR);
    overlay_layout *l = malloc(sizeof *l);
    overlay_layout_of(o, &fr, l);
    assert_int_equal(count_role(l, OVERLAY_XTICK) + count_role(l, OVERLAY_YTICK), 0);
    assert_int_equal(count_role(l, OVERLAY_CBAR_TICK), 0);
    assert_int_equal(count_role(l, OVERLAY_STATUS), 1);
    assert_true(l->cbar.w > 0);
    /* a zero-sized window is refused, not drawn */
    fr.win_w = 0;
    assert_false(overlay_draw(o, &fr, &err));
    free(l);
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    glDeleteFramebuffers(1, &fbo);
    glDeleteRenderbuffers(1, &rb);
    tonemap_table_free(&t);
    overlay_destroy(o);
}

static void test_plot_rect(void **state)
{
    (void)state;
    vp_err err;
    overlay_params p;
    overlay_params_default(&p);
    overlay *a, *b, *c;
    assert_true(overlay_create(&p, &a, &err));
    p.font_px = 20;
    p.title = "t";
    p.xlabel = "x";
    p.ylabel = "y";
    assert_true(overlay_create(&p, &b, &err));
    overlay_params zero = {0};
    assert_true(overlay_create(&zero, &c, &err)); /* all defaults, colorbar off */
    overlay_rect ra = overlay_plot_rect(a, 800, 600), ra2 = overlay_plot_rect(a, 800, 600);
    assert_memory_equal(&ra, &ra2, sizeof ra);
    overlay_rect rb = overlay_plot_rect(b, 800, 600);
    overlay_rect rc = overlay_plot_rect(c, 800, 600);
    fprintf(stderr, "plot rect 800x600: default %d,%d %dx%d; 20 px + labels %d,%d %dx%d; "
                    "no colorbar %d,%d %dx%d\n", ra.x, ra.y, ra.w, ra.h, rb.x, rb.y, rb.w, rb.h,
            rc.x, rc.y, rc.w, rc.h);
    assert_true(rb.w < ra.w && rb.h < ra.h);
    assert_true(rc.w > ra.w);
    overlay_rect tiny = overlay_plot_rect(b, 10, 10);
    assert_true(tiny.w >= 1 && tiny.h >= 1);
    /* a size that does not fit an atlas is refused with a message */
    p.font_px = 3000;
    overlay *d = NULL;
    assert_false(overlay_create(&p, &d, &err));
    assert_null(d);
    fprintf(stderr, "(expected) %s\n", err.msg);
    overlay_destroy(a);
    overlay_destroy(b);
    overlay_destroy(c);
    overlay_destroy(NULL);
}

int main(void)
{
    if (!(gl = tu_gl_context()))
        return 77;
    dir = tu_tmpdir("test_overlay");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_light_eq_hist),
        cmocka_unit_test(test_dark_far_from_zero),
        cmocka_unit_test(test_log_hidpi),
        cmocka_unit_test(test_small_plain),
        cmocka_unit_test(test_help_without_axes),
        cmocka_unit_test(test_help_with_axes),
        cmocka_unit_test(test_help_too_tall),
        cmocka_unit_test(test_degenerate_frame),
        cmocka_unit_test(test_plot_rect),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    glctx_destroy(gl);
    return rc;
}
