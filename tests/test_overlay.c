/* The overlay (src/overlay/overlay.h) drawn for real on a headless GL
 * context (llvmpipe on CI) and read back: the picture inside the plot rect is
 * untouched, ink falls only where the layout put something and every label
 * has ink, labels never overlap each other or the picture, the colorbar shows
 * the colormap in order from floor to 1, nothing lands outside the window,
 * and the GL state is as it was; the value bar's ramp and ticks, the bar's
 * label, the legend (swatches, dimmed rows, cut labels, columns, the plot
 * rect leaving room for it) and that none of them changes a pixel when
 * unused. Writes PNGs to the test's tmp dir for a
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
#include "look/valshade.h"
#include "out/png_out.h"
#include "overlay/layout.h"
#include "overlay/overlay.h"
#include "testutil.h"

static glctx *gl;
static const char *dir;

/* The framebuffer is larger than the window the overlay is told about, so
 * anything drawn outside the window would show. */
#define FB_W 2100
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
    /* the value bar, the bar's label, the legend */
    bool value_bar;
    double vmin, vmax;
    const char *bar_label;
    int legend_n;                     /* overlay_set_legend with category_color colours */
    const char *const *legend_labels;
    const bool *legend_on;
    bool legend_removed;              /* set, then removed again (n = 0) before drawing */
    const overlay_annot *annots;      /* overlay_frame.annots */
    int n_annots;
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
    if (s->legend_n) {
        uint8_t colors[CATEGORY_MAX][4];
        for (int i = 0; i < s->legend_n; i++)
            category_color(i, colors[i]);
        if (!overlay_set_legend(o, s->legend_n, s->legend_labels, (const uint8_t(*)[4])colors, &err))
            fail_msg("overlay_set_legend: %s", err.msg);
        if (s->legend_removed)
            assert_true(overlay_set_legend(o, 0, NULL, NULL, &err));
    }
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
                        .table = s->value_bar ? NULL : &r->table,
                        .cmap = (const uint8_t(*)[4])r->cmap,
                        .floor = s->floor,
                        .status = s->status,
                        .text_rgba = s->ink,
                        .axes = !s->hide_axes,
                        .help = s->help,
                        .value_bar = s->value_bar,
                        .value_min = s->vmin,
                        .value_max = s->vmax,
                        .bar_label = s->bar_label,
                        .legend_on = s->legend_on,
                        .annots = s->annots,
                        .n_annots = s->n_annots};
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
                                    "yoffset", "cbar", "cbar-title", "status", "help", "legend", "annot"};
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
            for (int i = 0; i < l->n_swatch && !known; i++)
                known = rect_has(l->swatch[i], x, y);
            for (int i = 0; i < l->n_text && !known; i++)
                known = rect_has(l->text[i].box, x, y);
            if (!known)
                fail_msg("stray ink at (%d, %d)", x, y);
        }
    /* the legend: off the plot and the colorbar, its texts and swatches in its box */
    if (l->legend.w) {
        assert_false(rects_meet(l->legend, pl));
        assert_false(l->cbar.w && rects_meet(l->legend, l->cbar));
        overlay_rect lb = l->legend;
        assert_true(lb.x >= 0 && lb.y >= 0 && lb.x + lb.w <= r->w && lb.y + lb.h <= r->h);
        for (int i = 0; i < l->n_text; i++) {
            overlay_rect b = l->text[i].box;
            bool inside = b.x >= lb.x && b.y >= lb.y && b.x + b.w <= lb.x + lb.w && b.y + b.h <= lb.y + lb.h;
            if ((l->text[i].role == OVERLAY_LEGEND) != inside && !l->text[i].on_top)
                fail_msg("%s \"%s\" %s the legend's box", role_name(l->text[i].role), l->text[i].text,
                         inside ? "lies in" : "leaves");
        }
        for (int i = 0; i < l->n_swatch; i++) {
            overlay_rect b = l->swatch[i];
            assert_true(b.x >= lb.x && b.y >= lb.y && b.x + b.w <= lb.x + lb.w && b.y + b.h <= lb.y + lb.h);
        }
    } else {
        assert_int_equal(count_role(l, OVERLAY_LEGEND), 0);
        assert_int_equal(l->n_swatch, 0);
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

/* The value bar: rows by overlay_vbar_index from entry 0 at the bottom to
 * 255 at the top, ticks where their values fall, within the limits. */
static void check_value_bar(const scene *s, const result *r)
{
    const overlay_layout *l = r->layout;
    overlay_rect cb = l->cbar;
    assert_true(l->cbar_value);
    assert_true(cb.w > 0 && cb.h == l->plot.h);
    int prev = -1;
    for (int row = 0; row < cb.h; row++) {
        int idx = overlay_vbar_index(row, cb.h);
        /* the rule: the entry of the value at the row's middle */
        assert_int_equal(idx, value_entry(0, 1, (row + 0.5) / cb.h));
        assert_true(idx >= prev);
        prev = idx;
        for (int x = cb.x; x < cb.x + cb.w; x++) {
            const uint8_t *p = r->after + px(r, x, cb.y + cb.h - 1 - row);
            if (memcmp(p, r->cmap[idx], 3) != 0 || p[3] != 255)
                fail_msg("value bar row %d (from the bottom) is %d,%d,%d, colormap[%d] is %d,%d,%d", row,
                         p[0], p[1], p[2], idx, r->cmap[idx][0], r->cmap[idx][1], r->cmap[idx][2]);
        }
    }
    assert_int_equal(overlay_vbar_index(0, cb.h), 0);
    assert_int_equal(prev, 255);
    int ticks = 0;
    double lo = fmin(s->vmin, s->vmax), hi = fmax(s->vmin, s->vmax);
    for (int i = 0; i < l->n_text; i++) {
        const overlay_text *t = &l->text[i];
        if (t->role != OVERLAY_CBAR_TICK)
            continue;
        ticks++;
        assert_true(t->value >= lo && t->value <= hi);
        double want = cb.y + cb.h - (t->value - s->vmin) / (s->vmax - s->vmin) * cb.h;
        double mid = t->box.y + t->box.h / 2.0;
        if (fabs(mid - want) > t->box.h * 0.25)
            fail_msg("value bar label \"%s\" centred at y %g, its value at %g", t->text, mid, want);
    }
    if (isfinite(s->vmin) && isfinite(s->vmax) && s->vmin != s->vmax)
        assert_true(ticks >= 3);
    else
        assert_int_equal(ticks, 0);
}

static const char *title_of(const overlay_layout *l)
{
    for (int i = 0; i < l->n_text; i++)
        if (l->text[i].role == OVERLAY_CBAR_TITLE)
            return l->text[i].text;
    return NULL;
}

static void test_value_bar(void **state)
{
    (void)state;
    scene s = {.win_w = 900, .win_h = 600, .x0 = -180, .x1 = 180, .y0 = -90, .y1 = 90,
               .kind = TONEMAP_EQ_HIST, .cmap_name = "coolwarm", .bg = {255, 255, 255, 255},
               .ink = {0, 0, 0, 255}, .status = "mean of mag", .png = "overlay_value.png",
               .value_bar = true, .vmin = -2.5, .vmax = 7.25, .bar_label = "mean of mag"};
    overlay_params_default(&s.params);
    s.params.title = "a value grid";
    result r = {0};
    render(&s, &r);
    check_common(&s, &r);
    check_value_bar(&s, &r);
    assert_string_equal(title_of(r.layout), "mean of mag");
    result_free(&r);

    /* reversed limits far from zero: ticks run down, offset notation, the
     * offset after the label; on black */
    scene t = {.win_w = 700, .win_h = 500, .x0 = 0, .x1 = 1, .y0 = 0, .y1 = 1, .kind = TONEMAP_LOG,
               .cmap_name = "viridis", .bg = {0, 0, 0, 255}, .ink = {230, 230, 230, 255},
               .png = "overlay_value_reversed.png", .value_bar = true, .vmin = 1.7e9 + 0.01,
               .vmax = 1.7e9, .bar_label = "t"};
    overlay_params_default(&t.params);
    result q = {0};
    render(&t, &q);
    check_common(&t, &q);
    check_value_bar(&t, &q);
    assert_non_null(strstr(title_of(q.layout), "e+09"));
    assert_true(strncmp(title_of(q.layout), "t ", 2) == 0);
    result_free(&q);

    /* limits with nothing to tick: the bare ramp; no label, no title */
    scene u = t;
    u.vmin = NAN;
    u.bar_label = NULL;
    u.png = NULL;
    result z = {0};
    render(&u, &z);
    check_common(&u, &z);
    check_value_bar(&u, &z);
    assert_null(title_of(z.layout));
    result_free(&z);
}

/* bar_label "count" on a count bar is the default, pixel for pixel; another
 * label replaces it, cut to the room it has. */
static void test_bar_label(void **state)
{
    (void)state;
    scene s = {.win_w = 640, .win_h = 480, .x0 = 0, .x1 = 10, .y0 = 0, .y1 = 10,
               .kind = TONEMAP_LOG, .cmap_name = "magma", .floor = 0.1f, .bg = {255, 255, 255, 255},
               .ink = {0, 0, 0, 255}};
    overlay_params_default(&s.params);
    result a = {0}, b = {0}, c = {0};
    render(&s, &a);
    s.bar_label = "count";
    render(&s, &b);
    assert_memory_equal(a.after, b.after, (size_t)a.w * a.h * 4);
    s.bar_label = "points per pixel, summed over every input file given on the command line";
    render(&s, &c);
    check_common(&s, &c);
    check_colorbar(&s, &c);
    const char *t = title_of(c.layout);
    assert_non_null(t);
    assert_true(strncmp(t, "points per", 10) == 0 && strstr(t, "\xE2\x80\xA6"));
    result_free(&a);
    result_free(&b);
    result_free(&c);
}

/* UTF-8 code points of s. */
static int chars_of(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static float luma(const uint8_t *p) { return 0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2]; }

/* The legend's rows: swatches in their exact colours (hollow ones with the
 * background inside), dimmed labels lighter than the others (black ink on
 * white), long labels cut. */
static void check_legend(const scene *s, const result *r)
{
    const overlay_layout *l = r->layout;
    assert_true(l->legend.w > 0);
    overlay_rect pl = l->plot;
    assert_true(l->legend.x >= pl.x + pl.w && l->legend.y == pl.y && l->legend.y + l->legend.h <= pl.y + pl.h);
    if (l->cbar.w) /* right of the colorbar and its labels */
        for (int i = 0; i < l->n_text; i++)
            if (l->text[i].role == OVERLAY_CBAR_TICK)
                assert_true(l->text[i].box.x + l->text[i].box.w <= l->legend.x);
    for (int i = 0; i < l->n_swatch; i++) {
        overlay_rect b = l->swatch[i];
        for (int y = b.y; y < b.y + b.h; y++)
            for (int x = b.x; x < b.x + b.w; x++)
                if (memcmp(r->after + px(r, x, y), l->swatch_rgba[i], 4) != 0)
                    fail_msg("swatch %d pixel (%d, %d) is not its colour", i, x, y);
    }
    int sw = 0, rows = 0;
    float on_dark = 255, off_dark = 0;
    for (int i = 0; i < l->n_text; i++) {
        const overlay_text *t = &l->text[i];
        if (t->role != OVERLAY_LEGEND)
            continue;
        if (rows == l->legend_shown) { /* "+N more" */
            assert_true(t->text[0] == '+' && strstr(t->text, "more"));
            assert_int_equal((int)t->value, s->legend_n - l->legend_shown);
            continue;
        }
        int k = (int)t->value;
        assert_int_equal(k, rows);
        rows++;
        bool on = !s->legend_on || s->legend_on[k];
        assert_true(t->dim == !on);
        uint8_t want[4];
        category_color(k, want);
        assert_memory_equal(l->swatch_rgba[sw], want, 4);
        if (on) {
            sw++;
        } else { /* hollow: the inside is untouched */
            overlay_rect top = l->swatch[sw];
            int cx = top.x + top.w / 2, cy = top.y + top.w / 2;
            assert_memory_equal(r->after + px(r, cx, cy), r->before + px(r, cx, cy), 4);
            sw += 4;
        }
        /* the label: the given one, or its first 23 characters and an ellipsis */
        const char *given = s->legend_labels[k];
        if (chars_of(given) <= OVERLAY_LEGEND_CHARS && !strstr(t->text, "\xE2\x80\xA6")) {
            assert_string_equal(t->text, given);
        } else {
            assert_true(chars_of(t->text) <= OVERLAY_LEGEND_CHARS);
            size_t n = strlen(t->text) - 3;
            assert_string_equal(t->text + n, "\xE2\x80\xA6");
            assert_true(strncmp(t->text, given, n) == 0);
        }
        float dark = 255;
        for (int y = t->box.y; y < t->box.y + t->box.h; y++)
            for (int x = t->box.x; x < t->box.x + t->box.w; x++)
                dark = fminf(dark, luma(r->after + px(r, x, y)));
        if (on)
            on_dark = fminf(on_dark, dark);
        else
            off_dark = fmaxf(off_dark, dark);
    }
    assert_int_equal(rows, l->legend_shown);
    assert_int_equal(sw, l->n_swatch);
    if (s->ink[0] == 0 && s->bg[0] == 255 && s->legend_on) {
        /* black ink on white: on labels reach near black, dimmed ones stay grey */
        assert_true(on_dark < 60);
        assert_true(off_dark > 120 && off_dark < 230);
    }
}

static char legend_text[CATEGORY_MAX][64];
static const char *legend_labels[CATEGORY_MAX];
static bool legend_on[CATEGORY_MAX];

static void make_legend(void)
{
    for (int i = 0; i < CATEGORY_MAX; i++) {
        if (i % 9 == 4)
            snprintf(legend_text[i], sizeof legend_text[i], "a category name far too long to show, %d", i);
        else if (i % 9 == 7)
            snprintf(legend_text[i], sizeof legend_text[i], "\xC3\xA9t\xC3\xA9 %d \xC2\xB5m", i); /* UTF-8 */
        else
            snprintf(legend_text[i], sizeof legend_text[i], "cat %d", i);
        legend_labels[i] = legend_text[i];
        legend_on[i] = i % 5 != 2;
    }
}

static void test_legend(void **state)
{
    (void)state;
    make_legend();
    /* 64 categories in 1080 pixels: two columns, all shown */
    scene s = {.win_w = 1920, .win_h = 1080, .x0 = 0, .x1 = 1, .y0 = 0, .y1 = 1,
               .kind = TONEMAP_EQ_HIST, .cmap_name = "viridis", .bg = {255, 255, 255, 255},
               .ink = {0, 0, 0, 255}, .status = "64 categories", .png = "overlay_legend64.png",
               .legend_n = 64, .legend_labels = legend_labels, .legend_on = legend_on};
    overlay_params_default(&s.params);
    s.params.title = "by category";
    result r = {0};
    render(&s, &r);
    check_common(&s, &r);
    check_colorbar(&s, &r);
    check_legend(&s, &r);
    assert_int_equal(r.layout->legend_cols, 2);
    assert_int_equal(r.layout->legend_shown, 64);
    result_free(&r);

    /* a few, no colorbar, all on (legend_on NULL), dark */
    scene t = {.win_w = 800, .win_h = 500, .x0 = 0, .x1 = 1, .y0 = 0, .y1 = 1,
               .kind = TONEMAP_LOG, .cmap_name = "gray", .bg = {0, 0, 0, 255}, .ink = {255, 255, 255, 255},
               .png = "overlay_legend5.png", .legend_n = 5, .legend_labels = legend_labels};
    overlay_params_default(&t.params);
    t.params.colorbar = false;
    result q = {0};
    render(&t, &q);
    check_common(&t, &q);
    check_legend(&t, &q);
    assert_int_equal(q.layout->legend_cols, 1);
    assert_int_equal(q.layout->n_swatch, 5);
    result_free(&q);

    /* 64 in a small window: more columns, the rest counted in a "+N more" row */
    scene u = s;
    u.win_w = 900;
    u.win_h = 300;
    u.png = "overlay_legend_small.png";
    result z = {0};
    render(&u, &z);
    check_common(&u, &z);
    check_legend(&u, &z);
    assert_true(z.layout->legend_cols >= 2 && z.layout->legend_cols <= OVERLAY_LEGEND_COLS);
    assert_true(z.layout->legend_shown < 64);
    assert_int_equal(count_role(z.layout, OVERLAY_LEGEND), z.layout->legend_shown + 1);
    result_free(&z);

    /* hidden overlay: no legend */
    scene h = t;
    h.hide_axes = true;
    h.png = NULL;
    result hz = {0};
    render(&h, &hz);
    check_common(&h, &hz);
    assert_int_equal(hz.layout->legend.w, 0);
    result_free(&hz);
}

/* A legend set and removed again leaves no trace: the same pixels. */
static void test_legend_removed(void **state)
{
    (void)state;
    make_legend();
    scene s = {.win_w = 640, .win_h = 480, .x0 = -1, .x1 = 1, .y0 = -1, .y1 = 1,
               .kind = TONEMAP_CBRT, .cmap_name = "plasma", .floor = 0.05f, .bg = {255, 255, 255, 255},
               .ink = {0, 0, 0, 255}, .status = "s"};
    overlay_params_default(&s.params);
    result a = {0}, b = {0};
    render(&s, &a);
    s.legend_n = 12;
    s.legend_labels = legend_labels;
    s.legend_removed = true;
    render(&s, &b);
    assert_memory_equal(&a.layout->plot, &b.layout->plot, sizeof a.layout->plot);
    assert_memory_equal(a.after, b.after, (size_t)a.w * a.h * 4);
    result_free(&a);
    result_free(&b);
}

static void test_legend_plot_rect(void **state)
{
    (void)state;
    make_legend();
    vp_err err;
    overlay_params p;
    overlay_params_default(&p);
    overlay *o;
    assert_true(overlay_create(&p, &o, &err));
    uint8_t colors[CATEGORY_MAX][4];
    for (int i = 0; i < CATEGORY_MAX; i++)
        category_color(i, colors[i]);
    overlay_rect a = overlay_plot_rect(o, 1920, 1080);
    assert_true(overlay_set_legend(o, 10, legend_labels, (const uint8_t(*)[4])colors, &err));
    overlay_rect b = overlay_plot_rect(o, 1920, 1080);
    assert_true(overlay_set_legend(o, 64, legend_labels, (const uint8_t(*)[4])colors, &err));
    overlay_rect c = overlay_plot_rect(o, 1920, 1080);
    fprintf(stderr, "plot rect 1920x1080: %dx%d; with 10 categories %dx%d; with 64 %dx%d\n", a.w, a.h,
            b.w, b.h, c.w, c.h);
    assert_true(b.x == a.x && b.y == a.y && b.h == a.h && b.w < a.w);
    assert_true(c.w < b.w);              /* two columns */
    assert_true(a.w - c.w < 1920 / 2);   /* the legend keeps to under half the window */
    /* refused: the legend stays */
    assert_false(overlay_set_legend(o, CATEGORY_MAX + 1, legend_labels, (const uint8_t(*)[4])colors, &err));
    fprintf(stderr, "(expected) %s\n", err.msg);
    const char *with_null[2] = {"a", NULL};
    assert_false(overlay_set_legend(o, 2, with_null, (const uint8_t(*)[4])colors, &err));
    overlay_rect c2 = overlay_plot_rect(o, 1920, 1080);
    assert_memory_equal(&c, &c2, sizeof c);
    assert_true(overlay_set_legend(o, 0, NULL, NULL, &err));
    overlay_rect d = overlay_plot_rect(o, 1920, 1080);
    assert_memory_equal(&a, &d, sizeof a);
    /* a tiny window still gets a 1x1 plot */
    assert_true(overlay_set_legend(o, 64, legend_labels, (const uint8_t(*)[4])colors, &err));
    overlay_rect tiny = overlay_plot_rect(o, 30, 30);
    assert_true(tiny.w >= 1 && tiny.h >= 1);
    overlay_destroy(o);
}

static void test_legend_cut(void **state)
{
    (void)state;
    char out[OVERLAY_LEGEND_LABEL];
    overlay_legend_cut("short", out);
    assert_string_equal(out, "short");
    overlay_legend_cut("exactly twenty-four char", out); /* 24 */
    assert_string_equal(out, "exactly twenty-four char");
    overlay_legend_cut("exactly twenty-five chars", out);
    assert_string_equal(out, "exactly twenty-five cha\xE2\x80\xA6");
    overlay_legend_cut("tab\there\nnewline", out);
    assert_string_equal(out, "tab here newline");
    /* 30 two-byte characters: 23 of them and the ellipsis */
    char in[128] = "";
    for (int i = 0; i < 30; i++)
        strcat(in, "\xC3\xA9");
    overlay_legend_cut(in, out);
    assert_int_equal(chars_of(out), 24);
    assert_int_equal(strlen(out), 23 * 2 + 3);
    /* 24 four-byte characters: would take 96 bytes + NUL, kept whole or cut */
    in[0] = 0;
    for (int i = 0; i < 24; i++)
        strcat(in, "\xF0\x9F\x98\x80");
    overlay_legend_cut(in, out);
    assert_true(chars_of(out) <= 24 && strlen(out) < OVERLAY_LEGEND_LABEL);
    /* malformed: a lead byte and a long run of continuation bytes */
    char bad[200] = "x\xC3";
    memset(bad + 2, 0x80, 150);
    bad[152] = 0;
    overlay_legend_cut(bad, out);
    assert_true(strlen(out) < OVERLAY_LEGEND_LABEL);
    assert_string_equal(out, "x\xE2\x80\xA6");
    overlay_legend_cut("", out);
    assert_string_equal(out, "");
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

static double seg_dist(double x, double y, double x0, double y0, double x1, double y1)
{
    double dx = x1 - x0, dy = y1 - y0, l2 = dx * dx + dy * dy;
    double t = l2 > 0 ? ((x - x0) * dx + (y - y0) * dy) / l2 : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return hypot(x - (x0 + t * dx), y - (y0 + t * dy));
}

static const overlay_text *annot_text(const overlay_layout *l, const char *s)
{
    for (int i = 0; i < l->n_text; i++)
        if (l->text[i].role == OVERLAY_ANNOT && !strcmp(l->text[i].text, s))
            return &l->text[i];
    return NULL;
}

/* Annotations at data coordinates: a label's pen where its point falls, an
 * arrow's tip on its head's pixel, a shaft cut at the plot's edge, a label
 * whose point is outside left out, one at the edge moved inside; ink only on
 * the labels' backdrops and along the arrows; the axes as without them. */
static void test_annotations(void **state)
{
    (void)state;
    static const overlay_annot an[] = {
        {.x0 = 2, .y0 = 8, .x1 = 2, .y1 = 8, .text = "Peak here"},
        {.arrow = true, .x0 = 8, .y0 = 8, .x1 = 5, .y1 = 5, .text = "Centre"},
        {.arrow = true, .x0 = -5, .y0 = 5, .x1 = 1, .y1 = 5, .text = "from far left"},
        {.x0 = 20, .y0 = 5, .x1 = 20, .y1 = 5, .text = "gone"},
        {.x0 = 9.9, .y0 = 1, .x1 = 9.9, .y1 = 1, .text = "near the edge"},
    };
    scene s = {.win_w = 800, .win_h = 600, .x0 = 0, .x1 = 10, .y0 = 0, .y1 = 10, .kind = TONEMAP_LOG,
               .cmap_name = "inferno", .floor = 0.15f, .bg = {0, 0, 0, 255}, .ink = {255, 255, 255, 255},
               .png = "overlay_annotations.png", .annots = an, .n_annots = 5};
    overlay_params_default(&s.params);
    result r = {0};
    render(&s, &r);
    const overlay_layout *l = r.layout;
    overlay_rect pl = l->plot;
    double sx = pl.w / 10.0, sy = pl.h / 10.0;
#define PX(v) (pl.x + (v) * sx)
#define PY(v) (pl.y + (10 - (v)) * sy)
    assert_int_equal(count_role(l, OVERLAY_ANNOT), 3);
    assert_null(annot_text(l, "gone"));
    const overlay_text *peak = annot_text(l, "Peak here"), *centre = annot_text(l, "Centre");
    const overlay_text *edge = annot_text(l, "near the edge"), *far = annot_text(l, "from far left");
    assert_non_null(peak);
    assert_non_null(centre);
    assert_non_null(edge);
    assert_null(far); /* its tail is outside: the label goes, the arrow stays */
    assert_true(fabs(peak->x - PX(2)) <= 1 && fabs(peak->y - PY(8)) <= 1);
    /* the head is down-left of the tail: the label goes right of the tail */
    assert_true(centre->box.x >= PX(8));
    assert_true(centre->box.y <= PY(8) && centre->box.y + centre->box.h >= PY(8));
    for (int i = 0; i < l->n_text; i++)
        if (l->text[i].role == OVERLAY_ANNOT) {
            overlay_rect b = l->text[i].box;
            if (b.x < pl.x || b.y < pl.y || b.x + b.w > pl.x + pl.w || b.y + b.h > pl.y + pl.h)
                fail_msg("annotation \"%s\" leaves the plot", l->text[i].text);
        }
    assert_true(edge->box.x + edge->box.w <= pl.x + pl.w && edge->box.x < PX(9.9));
    assert_int_equal(l->n_arrow, 2);
    assert_true(l->arrow[0].head && fabsf(l->arrow[0].tri[0][0] - (float)PX(5)) < 0.01f &&
                fabsf(l->arrow[0].tri[0][1] - (float)PY(5)) < 0.01f);
    /* cut just inside the edge, outline and all */
    assert_true(l->arrow[1].x0 > (float)pl.x && l->arrow[1].x0 < (float)pl.x + 5 && l->arrow[1].head);
    /* ink: over the tip, and only on backdrops, labels and arrows */
    for (int a = 0; a < 2; a++) {
        const overlay_arrow *ar = &l->arrow[a];
        float ux = ar->x1 - ar->tri[0][0], uy = ar->y1 - ar->tri[0][1], n = hypotf(ux, uy);
        int x = (int)(ar->tri[0][0] + 3 * ux / n), y = (int)(ar->tri[0][1] + 3 * uy / n);
        assert_memory_equal(r.after + px(&r, x, y), s.ink, 4);
    }
    for (int y = pl.y; y < pl.y + pl.h; y++)
        for (int x = pl.x; x < pl.x + pl.w; x++) {
            if (!memcmp(r.after + px(&r, x, y), r.before + px(&r, x, y), 4))
                continue;
            bool known = false;
            for (int i = 0; i < l->n_annot_back && !known; i++)
                known = rect_has(l->annot_back[i], x, y);
            for (int i = 0; i < l->n_arrow && !known; i++) {
                const overlay_arrow *ar = &l->arrow[i];
                double reach = ar->w * 1.5 + 2.5, cx = x + 0.5, cy = y + 0.5;
                known = seg_dist(cx, cy, ar->x0, ar->y0, ar->x1, ar->y1) < reach ||
                        seg_dist(cx, cy, ar->tri[0][0], ar->tri[0][1], ar->tri[1][0], ar->tri[1][1]) < reach ||
                        seg_dist(cx, cy, ar->tri[1][0], ar->tri[1][1], ar->tri[2][0], ar->tri[2][1]) < reach ||
                        seg_dist(cx, cy, ar->tri[2][0], ar->tri[2][1], ar->tri[0][0], ar->tri[0][1]) < reach;
            }
            if (!known)
                fail_msg("annotation ink at (%d, %d), away from every annotation", x, y);
        }
    for (int i = 0; i < l->n_text; i++)
        if (l->text[i].role == OVERLAY_ANNOT) {
            int ink = 0;
            overlay_rect b = l->text[i].box;
            for (int y = b.y; y < b.y + b.h; y++)
                for (int x = b.x; x < b.x + b.w; x++)
                    ink += r.after[px(&r, x, y)] > 200 && r.after[px(&r, x, y) + 1] > 200 &&
                           r.after[px(&r, x, y) + 2] > 200 && memcmp(r.after + px(&r, x, y), r.before + px(&r, x, y), 4);
            if (ink < 10)
                fail_msg("annotation \"%s\": no ink", l->text[i].text);
        }
    /* outside the plot, the annotations change nothing: the same as a scene without them */
    scene plain = s;
    plain.n_annots = 0;
    plain.png = NULL;
    result q = {0};
    render(&plain, &q);
    for (int y = 0; y < r.h; y++)
        for (int x = 0; x < r.w; x++)
            if (!rect_has(pl, x, y) && memcmp(r.after + px(&r, x, y), q.after + px(&q, x, y), 4))
                fail_msg("annotations changed (%d, %d), outside the plot", x, y);
#undef PX
#undef PY
    result_free(&q);
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
        cmocka_unit_test(test_annotations),
        cmocka_unit_test(test_value_bar),
        cmocka_unit_test(test_bar_label),
        cmocka_unit_test(test_legend),
        cmocka_unit_test(test_legend_removed),
        cmocka_unit_test(test_legend_plot_rect),
        cmocka_unit_test(test_legend_cut),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    glctx_destroy(gl);
    return rc;
}
