/* The overlay's GL side: two coverage atlases (text and title sizes), one
 * program, one vertex buffer refilled each frame, and at most three draws
 * (main atlas, title atlas, then what goes over everything). Where things go
 * is layout.c's business; this file turns the layout into quads.
 *
 * Orientation: the layout's pixels have y down from the top-left; the vertex
 * shader maps them so that the top row is GL's last row, as a window shows
 * it. A caller that reads back with glReadPixels (bottom row first) flips the
 * rows for PNG; the picture itself goes into the plot rect with
 * glViewport(plot.x, win_h - plot.y - plot.h, plot.w, plot.h). The overlay
 * draws only ink (lines, glyphs, the colour ramp, and backdrops for the help
 * box and for the status line when there are no axes): the caller clears the
 * margins to its background. */
#include "overlay/overlay.h"

#include <glad/gl.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "gl/gl_util.h"
#include "gl/shader.h"
#include "overlay/font.h"
#include "overlay/font_data.h"
#include "overlay/layout.h"

#define DEFAULT_FONT_PX 13.0f

typedef struct ov_vertex {
    float x, y, s, t;
    uint8_t rgba[4];
} ov_vertex;

struct overlay {
    overlay_params p; /* defaults resolved; the strings below are our copies */
    char *title, *xlabel, *ylabel;
    overlay_legend legend; /* n = 0: none */
    font *font, *title_font;
    overlay_fonts fonts;
    overlay_metrics m;
    GLuint prog, vao, vbo, atlas, title_atlas;
    GLint u_size, u_atlas;
    overlay_layout *layout; /* scratch, rebuilt every frame */
    ov_vertex *verts;
    size_t n_verts, cap_verts;
    /* the vertices come in three runs: main atlas, title atlas, and the main
     * atlas again for what goes over everything (help box, status strip) */
    size_t n_title_verts, n_top_verts;
    bool oom;
};

void overlay_params_default(overlay_params *p)
{
    memset(p, 0, sizeof *p);
    p->font_px = DEFAULT_FONT_PX;
    p->dpi_scale = 1.0f;
    p->colorbar = true;
}

static char *dup_or_null(const char *s, bool *oom)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (!d)
        *oom = true;
    else
        memcpy(d, s, n);
    return d;
}

void overlay_destroy(overlay *o)
{
    if (!o)
        return;
    if (o->prog)
        glDeleteProgram(o->prog);
    if (o->vao)
        glDeleteVertexArrays(1, &o->vao);
    if (o->vbo)
        glDeleteBuffers(1, &o->vbo);
    if (o->atlas)
        glDeleteTextures(1, &o->atlas);
    if (o->title_atlas)
        glDeleteTextures(1, &o->title_atlas);
    font_destroy(o->font);
    font_destroy(o->title_font);
    free(o->title);
    free(o->xlabel);
    free(o->ylabel);
    free(o->legend.labels);
    free(o->layout);
    free(o->verts);
    free(o);
}

/* Uploads the coverage atlas with tightly packed rows, whatever unpack state
 * (alignment, row length, a bound pixel buffer) the caller left. */
static GLuint upload_atlas(const font *f)
{
    GLuint tex;
    int w, h;
    const uint8_t *px = font_atlas(f, &w, &h);
    gl_unpack_state unpack = gl_unpack_packed(1);
    glCreateTextures(GL_TEXTURE_2D, 1, &tex);
    glTextureStorage2D(tex, 1, GL_R8, w, h);
    glTextureSubImage2D(tex, 0, 0, 0, w, h, GL_RED, GL_UNSIGNED_BYTE, px);
    glTextureParameteri(tex, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTextureParameteri(tex, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glTextureParameteri(tex, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTextureParameteri(tex, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    gl_unpack_restore(&unpack);
    return tex;
}

bool overlay_create(const overlay_params *p, overlay **out, vp_err *err)
{
    *out = NULL;
    overlay *o = calloc(1, sizeof *o);
    if (!o)
        return vp_err_set(err, "out of memory");
    overlay_params_default(&o->p);
    if (p) {
        o->p = *p;
        if (!(o->p.font_px > 0))
            o->p.font_px = DEFAULT_FONT_PX;
        if (!(o->p.dpi_scale > 0))
            o->p.dpi_scale = 1.0f;
    }
    bool oom = false;
    o->p.title = o->title = dup_or_null(o->p.title, &oom);
    o->p.xlabel = o->xlabel = dup_or_null(o->p.xlabel, &oom);
    o->p.ylabel = o->ylabel = dup_or_null(o->p.ylabel, &oom);
    o->layout = malloc(sizeof *o->layout);
    if (oom || !o->layout) {
        overlay_destroy(o);
        return vp_err_set(err, "out of memory");
    }
    float em = o->p.font_px * o->p.dpi_scale;
    if (!font_create(vp_font_dejavu_sans, vp_font_dejavu_sans_len, em, &o->font, err) ||
        !font_create(vp_font_dejavu_sans, vp_font_dejavu_sans_len, em * OVERLAY_TITLE_SCALE,
                     &o->title_font, err)) {
        double font_px = o->p.font_px, dpi = o->p.dpi_scale;
        overlay_destroy(o);
        return vp_err_prefix(err, "overlay font (font_px %g x dpi_scale %g)", font_px, dpi);
    }
    o->fonts = (overlay_fonts){o->font, o->title_font};
    overlay_metrics_compute(&o->fonts, &o->p, &o->m);

    if (!(o->prog = shader_program_render("overlay_quad.vert.glsl", "overlay_quad.frag.glsl", NULL,
                                          err))) {
        overlay_destroy(o);
        return false;
    }
    o->u_size = glGetUniformLocation(o->prog, "u_size");
    o->u_atlas = glGetUniformLocation(o->prog, "u_atlas");
    gl_clear_errors();
    o->atlas = upload_atlas(o->font);
    o->title_atlas = upload_atlas(o->title_font);
    glCreateBuffers(1, &o->vbo);
    glCreateVertexArrays(1, &o->vao);
    glVertexArrayVertexBuffer(o->vao, 0, o->vbo, 0, sizeof(ov_vertex));
    glEnableVertexArrayAttrib(o->vao, 0);
    glVertexArrayAttribFormat(o->vao, 0, 2, GL_FLOAT, GL_FALSE, offsetof(ov_vertex, x));
    glVertexArrayAttribBinding(o->vao, 0, 0);
    glEnableVertexArrayAttrib(o->vao, 1);
    glVertexArrayAttribFormat(o->vao, 1, 2, GL_FLOAT, GL_FALSE, offsetof(ov_vertex, s));
    glVertexArrayAttribBinding(o->vao, 1, 0);
    glEnableVertexArrayAttrib(o->vao, 2);
    glVertexArrayAttribFormat(o->vao, 2, 4, GL_UNSIGNED_BYTE, GL_TRUE, offsetof(ov_vertex, rgba));
    glVertexArrayAttribBinding(o->vao, 2, 0);
    if (!gl_check("GL refused them", err)) {
        int aw, ah, tw, th;
        font_atlas(o->font, &aw, &ah);
        font_atlas(o->title_font, &tw, &th);
        overlay_destroy(o);
        return vp_err_prefix(err, "the overlay's R8 font atlases of %dx%d and %dx%d and vertex buffer",
                             aw, ah, tw, th);
    }
    *out = o;
    return true;
}

bool overlay_set_legend(overlay *o, int n, const char *const *labels, const uint8_t (*colors)[4],
                        vp_err *err)
{
    if (n < 0 || n > CATEGORY_MAX)
        return vp_err_set(err, "a legend of %d rows (0 to %d)", n, CATEGORY_MAX);
    for (int i = 0; i < n; i++)
        if (!labels[i])
            return vp_err_set(err, "legend row %d has no label", i);
    overlay_legend lg = {0};
    if (n) {
        if (!(lg.labels = malloc((size_t)n * sizeof *lg.labels)))
            return vp_err_set(err, "out of memory for a legend of %d rows", n);
        lg.n = n;
        for (int i = 0; i < n; i++) {
            overlay_legend_cut(labels[i], lg.labels[i]);
            lg.width[i] = font_width(o->font, lg.labels[i], false);
            memcpy(lg.colors[i], colors[i], 4);
        }
    }
    free(o->legend.labels);
    o->legend = lg;
    return true;
}

overlay_rect overlay_plot_rect(const overlay *o, int win_w, int win_h)
{
    return overlay_metrics_plot(&o->m, &o->fonts, &o->legend, win_w, win_h);
}

void overlay_layout_of(const overlay *o, const overlay_frame *fr, overlay_layout *out)
{
    overlay_layout_compute(&o->fonts, &o->m, &o->p, &o->legend, fr, out);
}

/* ---- vertices ------------------------------------------------------------------ */

static ov_vertex *reserve(overlay *o, size_t n)
{
    if (o->n_verts + n > o->cap_verts) {
        size_t cap = o->cap_verts ? o->cap_verts : 4096;
        while (cap < o->n_verts + n)
            cap *= 2;
        ov_vertex *v = realloc(o->verts, cap * sizeof *v);
        if (!v) {
            o->oom = true;
            return NULL;
        }
        o->verts = v;
        o->cap_verts = cap;
    }
    ov_vertex *v = o->verts + o->n_verts;
    o->n_verts += n;
    return v;
}

/* Two triangles a b c, a c d; corners in order around the quad. */
static void push_quad(overlay *o, const float xy[4][2], const float st[4][2], const uint8_t rgba[4])
{
    ov_vertex *v = reserve(o, 6);
    if (!v)
        return;
    static const int order[6] = {0, 1, 2, 0, 2, 3};
    for (int i = 0; i < 6; i++) {
        int c = order[i];
        v[i] = (ov_vertex){xy[c][0], xy[c][1], st[c][0], st[c][1], {rgba[0], rgba[1], rgba[2], rgba[3]}};
    }
}

static void push_solid(overlay *o, float x0, float y0, float x1, float y1, const uint8_t rgba[4])
{
    float s, t;
    font_white(o->font, &s, &t);
    const float xy[4][2] = {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}};
    const float st[4][2] = {{s, t}, {s, t}, {s, t}, {s, t}};
    push_quad(o, xy, st, rgba);
}

static void push_text(overlay *o, const font *f, const overlay_text *t, const uint8_t rgba[4])
{
    font_quad q[OVERLAY_TEXT_LEN];
    int n = font_quads(f, t->text, t->numeric, 0, 0, q, OVERLAY_TEXT_LEN);
    for (int i = 0; i < n; i++) {
        /* glyph corners in text space (pen at 0,0, y down) */
        float c[4][2] = {{q[i].x0, q[i].y0}, {q[i].x1, q[i].y0}, {q[i].x1, q[i].y1}, {q[i].x0, q[i].y1}};
        const float st[4][2] = {{q[i].s0, q[i].t0}, {q[i].s1, q[i].t0}, {q[i].s1, q[i].t1}, {q[i].s0, q[i].t1}};
        float xy[4][2];
        for (int k = 0; k < 4; k++) {
            if (t->vertical) { /* a quarter turn counter-clockwise: reads upwards */
                xy[k][0] = (float)t->x + c[k][1];
                xy[k][1] = (float)t->y - c[k][0];
            } else {
                xy[k][0] = (float)t->x + c[k][0];
                xy[k][1] = (float)t->y + c[k][1];
            }
        }
        push_quad(o, xy, st, rgba);
    }
}

/* An annotation's arrow, grown by `grow` pixels on every side (its halo):
 * the shaft as a quad along the segment, the head as a triangle (a quad
 * with two corners on the tip). */
static void push_arrow(overlay *o, const overlay_arrow *a, float grow, const uint8_t rgba[4])
{
    float s, t;
    font_white(o->font, &s, &t);
    const float st[4][2] = {{s, t}, {s, t}, {s, t}, {s, t}};
    float dx = a->x1 - a->x0, dy = a->y1 - a->y0, len = sqrtf(dx * dx + dy * dy);
    if (len > 0) {
        float ux = dx / len, uy = dy / len, h = a->w * 0.5f + grow;
        float x0 = a->x0 - ux * grow, y0 = a->y0 - uy * grow, x1 = a->x1 + ux * grow, y1 = a->y1 + uy * grow;
        const float xy[4][2] = {{x0 - uy * h, y0 + ux * h}, {x1 - uy * h, y1 + ux * h},
                                {x1 + uy * h, y1 - ux * h}, {x0 + uy * h, y0 - ux * h}};
        push_quad(o, xy, st, rgba);
    }
    if (!a->head)
        return;
    /* the triangle pushed out from its centroid by grow */
    float cx = (a->tri[0][0] + a->tri[1][0] + a->tri[2][0]) / 3, cy = (a->tri[0][1] + a->tri[1][1] + a->tri[2][1]) / 3;
    float xy[4][2];
    for (int k = 0; k < 3; k++) {
        float vx = a->tri[k][0] - cx, vy = a->tri[k][1] - cy, d = sqrtf(vx * vx + vy * vy);
        float f = d > 0 ? (d + 2 * grow) / d : 1;
        xy[k][0] = cx + vx * f;
        xy[k][1] = cy + vy * f;
    }
    xy[3][0] = xy[0][0], xy[3][1] = xy[0][1];
    push_quad(o, xy, st, rgba);
}

static void build_vertices(overlay *o, const overlay_layout *l, const overlay_frame *fr)
{
    static const uint8_t white[4] = {255, 255, 255, 255};
    const uint8_t *ink = fr->text_rgba ? fr->text_rgba : white;
    o->n_verts = 0;
    o->oom = false;
    for (int i = 0; i < l->n_solid; i++) {
        overlay_rect r = l->solid[i];
        push_solid(o, (float)r.x, (float)r.y, (float)(r.x + r.w), (float)(r.y + r.h), ink);
    }
    /* the colour ramp: one quad per run of rows with the same colormap entry */
    overlay_rect cb = l->cbar;
    for (int r = 0; r < cb.h && fr->cmap;) {
        int idx = l->cbar_value ? overlay_vbar_index(r, cb.h) : overlay_cbar_index(l->cbar_floor, r, cb.h);
        int r1 = r + 1;
        while (r1 < cb.h && (l->cbar_value ? overlay_vbar_index(r1, cb.h)
                                           : overlay_cbar_index(l->cbar_floor, r1, cb.h)) == idx)
            r1++;
        const uint8_t *c = fr->cmap[idx];
        const uint8_t opaque[4] = {c[0], c[1], c[2], 255};
        /* row r counts from the bottom */
        push_solid(o, (float)cb.x, (float)(cb.y + cb.h - r1), (float)(cb.x + cb.w),
                   (float)(cb.y + cb.h - r), opaque);
        r = r1;
    }
    for (int i = 0; i < l->n_swatch; i++) {
        overlay_rect r = l->swatch[i];
        push_solid(o, (float)r.x, (float)r.y, (float)(r.x + r.w), (float)(r.y + r.h), l->swatch_rgba[i]);
    }
    /* backdrops in a colour the ink stands out from */
    bool light_ink = ink[0] * 299 + ink[1] * 587 + ink[2] * 114 > 128 * 1000;
    const uint8_t back[4] = {light_ink ? 0 : 255, light_ink ? 0 : 255, light_ink ? 0 : 255, 210};
    /* annotations over the picture: label backdrops (translucent), arrows
     * (an opaque outline, so overlaps do not darken, then the ink) */
    const uint8_t veil[4] = {back[0], back[1], back[2], 160}, outline[4] = {back[0], back[1], back[2], 255};
    for (int i = 0; i < l->n_annot_back; i++) {
        overlay_rect r = l->annot_back[i];
        push_solid(o, (float)r.x, (float)r.y, (float)(r.x + r.w), (float)(r.y + r.h), veil);
    }
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < l->n_arrow; i++)
            push_arrow(o, &l->arrow[i], pass ? 0 : fmaxf(1.0f, 0.5f * l->arrow[i].w), pass ? ink : outline);
    const uint8_t dim[4] = {ink[0], ink[1], ink[2], (uint8_t)((ink[3] * OVERLAY_DIM_ALPHA + 127) / 255)};
    for (int i = 0; i < l->n_text; i++)
        if (l->text[i].role != OVERLAY_TITLE && !l->text[i].on_top)
            push_text(o, o->font, &l->text[i], l->text[i].dim ? dim : ink);
    size_t first_title = o->n_verts;
    for (int i = 0; i < l->n_text; i++)
        if (l->text[i].role == OVERLAY_TITLE)
            push_text(o, o->title_font, &l->text[i], ink);
    size_t first_top = o->n_verts;
    o->n_title_verts = first_top - first_title;
    /* over everything: the backdrops */
    for (int i = 0; i < l->n_back; i++) {
        overlay_rect r = l->back[i];
        push_solid(o, (float)r.x, (float)r.y, (float)(r.x + r.w), (float)(r.y + r.h), back);
    }
    for (int i = 0; i < l->n_outline; i++) {
        overlay_rect r = l->outline[i];
        push_solid(o, (float)r.x, (float)r.y, (float)(r.x + r.w), (float)(r.y + r.h), ink);
    }
    for (int i = 0; i < l->n_text; i++)
        if (l->text[i].on_top)
            push_text(o, o->font, &l->text[i], ink);
    o->n_top_verts = o->n_verts - first_top;
}

/* ---- drawing ------------------------------------------------------------------- */

typedef struct gl_saved {
    GLint program, vao, viewport[4], active_tex, tex0, sampler0;
    GLint blend_src_rgb, blend_dst_rgb, blend_src_a, blend_dst_a, blend_eq_rgb, blend_eq_a;
    GLboolean blend, depth, scissor, cull, stencil;
} gl_saved;

static void save_state(gl_saved *s)
{
    glGetIntegerv(GL_CURRENT_PROGRAM, &s->program);
    glGetIntegerv(GL_VERTEX_ARRAY_BINDING, &s->vao);
    glGetIntegerv(GL_VIEWPORT, s->viewport);
    glGetIntegerv(GL_ACTIVE_TEXTURE, &s->active_tex);
    glActiveTexture(GL_TEXTURE0);
    glGetIntegerv(GL_TEXTURE_BINDING_2D, &s->tex0);
    glGetIntegerv(GL_SAMPLER_BINDING, &s->sampler0);
    glGetIntegerv(GL_BLEND_SRC_RGB, &s->blend_src_rgb);
    glGetIntegerv(GL_BLEND_DST_RGB, &s->blend_dst_rgb);
    glGetIntegerv(GL_BLEND_SRC_ALPHA, &s->blend_src_a);
    glGetIntegerv(GL_BLEND_DST_ALPHA, &s->blend_dst_a);
    glGetIntegerv(GL_BLEND_EQUATION_RGB, &s->blend_eq_rgb);
    glGetIntegerv(GL_BLEND_EQUATION_ALPHA, &s->blend_eq_a);
    s->blend = glIsEnabled(GL_BLEND);
    s->depth = glIsEnabled(GL_DEPTH_TEST);
    s->scissor = glIsEnabled(GL_SCISSOR_TEST);
    s->cull = glIsEnabled(GL_CULL_FACE);
    s->stencil = glIsEnabled(GL_STENCIL_TEST);
}

static void set_enabled(GLenum cap, GLboolean on)
{
    if (on)
        glEnable(cap);
    else
        glDisable(cap);
}

static void restore_state(const gl_saved *s)
{
    glUseProgram((GLuint)s->program);
    glBindVertexArray((GLuint)s->vao);
    glViewport(s->viewport[0], s->viewport[1], s->viewport[2], s->viewport[3]);
    glActiveTexture(GL_TEXTURE0);
    glBindTexture(GL_TEXTURE_2D, (GLuint)s->tex0);
    glBindSampler(0, (GLuint)s->sampler0);
    glActiveTexture((GLenum)s->active_tex);
    glBlendFuncSeparate((GLenum)s->blend_src_rgb, (GLenum)s->blend_dst_rgb, (GLenum)s->blend_src_a,
                        (GLenum)s->blend_dst_a);
    glBlendEquationSeparate((GLenum)s->blend_eq_rgb, (GLenum)s->blend_eq_a);
    set_enabled(GL_BLEND, s->blend);
    set_enabled(GL_DEPTH_TEST, s->depth);
    set_enabled(GL_SCISSOR_TEST, s->scissor);
    set_enabled(GL_CULL_FACE, s->cull);
    set_enabled(GL_STENCIL_TEST, s->stencil);
}

bool overlay_draw(overlay *o, const overlay_frame *frame, vp_err *err)
{
    if (frame->win_w < 1 || frame->win_h < 1)
        return vp_err_set(err, "overlay: window size %dx%d", frame->win_w, frame->win_h);
    overlay_layout_compute(&o->fonts, &o->m, &o->p, &o->legend, frame, o->layout);
    build_vertices(o, o->layout, frame);
    if (o->oom)
        return vp_err_set(err, "out of memory for the overlay's %zu vertices", o->n_verts);
    if (o->n_verts == 0)
        return true;

    gl_clear_errors();
    gl_saved saved;
    save_state(&saved);
    glNamedBufferData(o->vbo, (GLsizeiptr)(o->n_verts * sizeof(ov_vertex)), o->verts, GL_STREAM_DRAW);
    glViewport(0, 0, frame->win_w, frame->win_h);
    glUseProgram(o->prog);
    glUniform2f(o->u_size, (float)frame->win_w, (float)frame->win_h);
    glUniform1i(o->u_atlas, 0);
    glActiveTexture(GL_TEXTURE0);
    glBindTexture(GL_TEXTURE_2D, o->atlas);
    glBindSampler(0, 0);
    glBindVertexArray(o->vao);
    /* straight alpha over whatever is there; the destination's alpha grows as
     * "over" says, so a transparent background stays right for PNG output */
    glEnable(GL_BLEND);
    glBlendEquationSeparate(GL_FUNC_ADD, GL_FUNC_ADD);
    glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
    glDisable(GL_DEPTH_TEST);
    glDisable(GL_SCISSOR_TEST);
    glDisable(GL_CULL_FACE);
    glDisable(GL_STENCIL_TEST);
    GLsizei n_main = (GLsizei)(o->n_verts - o->n_title_verts - o->n_top_verts);
    if (n_main)
        glDrawArrays(GL_TRIANGLES, 0, n_main);
    if (o->n_title_verts) {
        glBindTexture(GL_TEXTURE_2D, o->title_atlas);
        glDrawArrays(GL_TRIANGLES, n_main, (GLsizei)o->n_title_verts);
        glBindTexture(GL_TEXTURE_2D, o->atlas);
    }
    if (o->n_top_verts)
        glDrawArrays(GL_TRIANGLES, n_main + (GLsizei)o->n_title_verts, (GLsizei)o->n_top_verts);
    restore_state(&saved);
    if (!gl_check("drawing", err))
        return vp_err_prefix(err, "the overlay (%zu vertices, %dx%d)", o->n_verts, frame->win_w, frame->win_h);
    return true;
}
