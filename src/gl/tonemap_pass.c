#include "gl/tonemap_pass.h"

#include <glad/gl.h>
#include <stdio.h>
#include <stdlib.h>

#include "gl/gl_util.h"
#include "gl/shader.h"
#include "look/shade.h"

struct tonemap_pass {
    tonemap_kind kind;
    GLuint prog, vao;
    /* the uploaded grid and look */
    int w, h;
    GLuint shades_tex, cmap_tex;
    uint16_t *staging; /* w*h shades (look/shade.h) */
    int spread;
    float background[4];
    GLint u_background, u_flip, u_src_origin, u_src_scale, u_view_origin, u_spread;
};

tonemap_kind tonemap_pass_kind(const tonemap_pass *t) { return t->kind; }

bool tonemap_pass_create(tonemap_kind kind, tonemap_pass **out, vp_err *err)
{
    *out = NULL;
    tonemap_pass *t = calloc(1, sizeof *t);
    if (!t)
        return vp_err_set(err, "out of memory");
    t->kind = kind;
    /* one program for every kind: the CPU has mapped counts to shades */
    if (!(t->prog = shader_program_render("fullscreen.vert.glsl", "tonemap.frag.glsl", "", err))) {
        free(t);
        return false;
    }
    glCreateVertexArrays(1, &t->vao);
    GLuint p = t->prog;
    glProgramUniform1i(p, glGetUniformLocation(p, "u_shades"), 0);
    glProgramUniform1i(p, glGetUniformLocation(p, "u_cmap"), 1);
    t->u_background = glGetUniformLocation(p, "u_background");
    t->u_flip = glGetUniformLocation(p, "u_flip");
    t->u_src_origin = glGetUniformLocation(p, "u_src_origin");
    t->u_src_scale = glGetUniformLocation(p, "u_src_scale");
    t->u_view_origin = glGetUniformLocation(p, "u_view_origin");
    t->u_spread = glGetUniformLocation(p, "u_spread");
    *out = t;
    return true;
}

void tonemap_pass_destroy(tonemap_pass *t)
{
    if (!t)
        return;
    if (t->shades_tex)
        glDeleteTextures(1, &t->shades_tex);
    if (t->cmap_tex)
        glDeleteTextures(1, &t->cmap_tex);
    glDeleteProgram(t->prog);
    glDeleteVertexArrays(1, &t->vao);
    free(t->staging);
    free(t);
}

bool tonemap_pass_check_size(int w, int h, vp_err *err)
{
    GLint tex = 0, rb = 0, vp[2] = {0, 0};
    glGetIntegerv(GL_MAX_TEXTURE_SIZE, &tex);
    glGetIntegerv(GL_MAX_RENDERBUFFER_SIZE, &rb);
    glGetIntegerv(GL_MAX_VIEWPORT_DIMS, vp);
    GLint mw = tex, mh = tex;
    mw = rb < mw ? rb : mw;
    mh = rb < mh ? rb : mh;
    mw = vp[0] < mw ? vp[0] : mw;
    mh = vp[1] < mh ? vp[1] : mh;
    if (w > mw || h > mh)
        return vp_err_set(err, "--size %dx%d is larger than this OpenGL allows: at most %dx%d "
                               "(GL_MAX_TEXTURE_SIZE %d, GL_MAX_RENDERBUFFER_SIZE %d, "
                               "GL_MAX_VIEWPORT_DIMS %dx%d) on %s",
                          w, h, mw, mh, tex, rb, vp[0], vp[1], (const char *)glGetString(GL_RENDERER));
    return true;
}

bool tonemap_pass_set(tonemap_pass *t, const uint64_t *counts, int w, int h,
                      const tonemap_look *look, vp_err *err)
{
    const tonemap_table *tb = look->table;
    if (tb->kind != t->kind)
        return vp_err_set(err, "tone-map pass built for %s used with %s", tonemap_name(t->kind),
                          tonemap_name(tb->kind));
    size_t pixels = (size_t)w * (size_t)h;
    gl_clear_errors();
    if (w != t->w || h != t->h || !t->shades_tex) {
        if (t->shades_tex)
            glDeleteTextures(1, &t->shades_tex);
        free(t->staging);
        t->staging = malloc(pixels * sizeof *t->staging);
        if (!t->staging) {
            t->shades_tex = 0;
            t->w = t->h = 0;
            return vp_err_set(err, "out of memory for a %dx%d picture", w, h);
        }
        glCreateTextures(GL_TEXTURE_2D, 1, &t->shades_tex);
        glTextureStorage2D(t->shades_tex, 1, GL_R16UI, w, h);
        /* an integer texture with a linear filter is incomplete (reads 0) */
        glTextureParameteri(t->shades_tex, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
        glTextureParameteri(t->shades_tex, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
        t->w = w;
        t->h = h;
    }
    shade_table st;
    if (!shade_table_build(tb, look->floor, &st))
        return vp_err_set(err, "out of memory");
    shade_grid(&st, counts, pixels, t->staging);
    shade_table_free(&st);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 2);
    glTextureSubImage2D(t->shades_tex, 0, 0, 0, w, h, GL_RED_INTEGER, GL_UNSIGNED_SHORT, t->staging);

    if (!t->cmap_tex) {
        glCreateTextures(GL_TEXTURE_1D, 1, &t->cmap_tex);
        glTextureStorage1D(t->cmap_tex, 1, GL_RGBA8, COLORMAP_SIZE);
    }
    glTextureSubImage1D(t->cmap_tex, 0, 0, COLORMAP_SIZE, GL_RGBA, GL_UNSIGNED_BYTE, look->cmap);
    t->spread = look->spread < 0 ? 0 : look->spread > 4 ? 4 : look->spread;
    for (int i = 0; i < 4; i++)
        t->background[i] = look->background[i] / 255.0f;
    if (!gl_check("uploading the grid and colormap", err))
        return vp_err_prefix(err, "GL refused the %dx%d tone-map resources", w, h);
    return true;
}

void tonemap_pass_draw(tonemap_pass *t, const tonemap_placement *pl, bool flip)
{
    GLuint p = t->prog;
    glViewport(pl->vx, pl->vy, pl->vw, pl->vh);
    glUseProgram(p);
    glBindTextureUnit(0, t->shades_tex);
    glBindTextureUnit(1, t->cmap_tex);
    glUniform4fv(t->u_background, 1, t->background);
    glUniform1i(t->u_flip, flip ? 1 : 0);
    glUniform1i(t->u_spread, t->spread);
    glUniform2f(t->u_view_origin, (float)pl->vx, (float)pl->vy);
    glUniform2f(t->u_src_origin, (float)pl->src_x, (float)pl->src_y);
    glUniform2f(t->u_src_scale, (float)(pl->src_w / pl->vw), (float)(pl->src_h / pl->vh));
    glBindVertexArray(t->vao);
    glDisable(GL_BLEND);
    glDrawArrays(GL_TRIANGLES, 0, 3);
}

bool tonemap_pass_render(tonemap_pass *t, const uint64_t *counts, int w, int h,
                         const tonemap_look *look, uint8_t *rgba, vp_err *err)
{
    if (!tonemap_pass_set(t, counts, w, h, look, err))
        return false;
    gl_target tg;
    if (!gl_target_create(&tg, w, h, err))
        return false;
    gl_target_bind(&tg);
    /* grid row 0 drawn at the top, so GL's rows come back in picture order */
    tonemap_placement pl = {0, 0, w, h, 0, 0, w, h};
    tonemap_pass_draw(t, &pl, true);
    bool ok = gl_check("drawing", err) || vp_err_prefix(err, "the tone-map pass on a %dx%d picture", w, h);
    ok = ok && gl_target_read(&tg, rgba, false, err);
    gl_target_destroy(&tg);
    return ok;
}

bool tonemap_pass_warm(tonemap_pass *t, vp_err *err)
{
    /* Same textures, formats and target as a real frame, so a driver that
     * compiles shader variants lazily (llvmpipe JITs at the first draw) does
     * that work now, while the accumulation runs on other threads. */
    uint64_t count = 1;
    tonemap_table tb;
    if (!tonemap_table_build(t->kind, &count, 1, &tb))
        return vp_err_set(err, "out of memory");
    tonemap_look look = {.table = &tb};
    uint8_t rgba[4];
    bool ok = tonemap_pass_render(t, &count, 1, 1, &look, rgba, err);
    tonemap_table_free(&tb);
    return ok;
}
