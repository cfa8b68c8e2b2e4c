#include "gl/tonemap_pass.h"

#include <glad/gl.h>
#include <stdio.h>
#include <stdlib.h>

#include "gl/shader.h"

struct tonemap_pass {
    tonemap_kind kind;
    GLuint prog, vao;
    /* the uploaded grid and look */
    int w, h;
    GLuint counts_tex, cmap_tex;
    GLuint bufs[3], texs[3]; /* eq-hist LUT, big values, big levels */
    float *staging;          /* w*h floats */
    float fmin, frange, floor;
    int spread;
    int lut_len, big_len;
    float background[4];
    GLint u_lut_len, u_big_len, u_fmin, u_frange, u_floor, u_background, u_flip, u_src_origin,
        u_src_scale, u_view_origin, u_spread;
};

tonemap_kind tonemap_pass_kind(const tonemap_pass *t) { return t->kind; }

bool tonemap_pass_create(tonemap_kind kind, tonemap_pass **out, vp_err *err)
{
    *out = NULL;
    tonemap_pass *t = calloc(1, sizeof *t);
    if (!t)
        return vp_err_set(err, "out of memory");
    t->kind = kind;
    char defs[32];
    snprintf(defs, sizeof defs, "#define KIND %d\n", (int)kind);
    if (!(t->prog = shader_program_render("fullscreen.vert.glsl", "tonemap.frag.glsl", defs, err))) {
        free(t);
        return false;
    }
    glCreateVertexArrays(1, &t->vao);
    GLuint p = t->prog;
    glProgramUniform1i(p, glGetUniformLocation(p, "u_counts"), 0);
    glProgramUniform1i(p, glGetUniformLocation(p, "u_lut"), 1);
    glProgramUniform1i(p, glGetUniformLocation(p, "u_big_vals"), 2);
    glProgramUniform1i(p, glGetUniformLocation(p, "u_big_lvls"), 3);
    glProgramUniform1i(p, glGetUniformLocation(p, "u_cmap"), 4);
    t->u_lut_len = glGetUniformLocation(p, "u_lut_len");
    t->u_big_len = glGetUniformLocation(p, "u_big_len");
    t->u_fmin = glGetUniformLocation(p, "u_fmin");
    t->u_frange = glGetUniformLocation(p, "u_frange");
    t->u_floor = glGetUniformLocation(p, "u_floor");
    t->u_background = glGetUniformLocation(p, "u_background");
    t->u_flip = glGetUniformLocation(p, "u_flip");
    t->u_src_origin = glGetUniformLocation(p, "u_src_origin");
    t->u_src_scale = glGetUniformLocation(p, "u_src_scale");
    t->u_view_origin = glGetUniformLocation(p, "u_view_origin");
    t->u_spread = glGetUniformLocation(p, "u_spread");
    *out = t;
    return true;
}

static void release_look(tonemap_pass *t)
{
    glDeleteTextures(3, t->texs);
    glDeleteBuffers(3, t->bufs);
    for (int i = 0; i < 3; i++)
        t->texs[i] = t->bufs[i] = 0;
}

void tonemap_pass_destroy(tonemap_pass *t)
{
    if (!t)
        return;
    release_look(t);
    if (t->counts_tex)
        glDeleteTextures(1, &t->counts_tex);
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

/* A buffer texture of n floats (at least one, so the sampler is valid). */
static void float_buffer_texture(const float *data, size_t n, GLuint *buf, GLuint *tex)
{
    static const float zero = 0.0f;
    glCreateBuffers(1, buf);
    glNamedBufferStorage(*buf, (GLsizeiptr)((n ? n : 1) * sizeof(float)), n ? (const void *)data : &zero, 0);
    glCreateTextures(GL_TEXTURE_BUFFER, 1, tex);
    glTextureBuffer(*tex, GL_R32F, *buf);
}

bool tonemap_pass_set(tonemap_pass *t, const uint64_t *counts, int w, int h,
                      const tonemap_look *look, vp_err *err)
{
    const tonemap_table *tb = look->table;
    if (tb->kind != t->kind)
        return vp_err_set(err, "tone-map pass built for %s used with %s", tonemap_name(t->kind),
                          tonemap_name(tb->kind));
    size_t pixels = (size_t)w * (size_t)h;
    while (glGetError() != GL_NO_ERROR) {
    }
    if (w != t->w || h != t->h || !t->counts_tex) {
        if (t->counts_tex)
            glDeleteTextures(1, &t->counts_tex);
        free(t->staging);
        t->staging = malloc(pixels * sizeof *t->staging);
        if (!t->staging) {
            t->counts_tex = 0;
            t->w = t->h = 0;
            return vp_err_set(err, "out of memory for a %dx%d picture", w, h);
        }
        glCreateTextures(GL_TEXTURE_2D, 1, &t->counts_tex);
        glTextureStorage2D(t->counts_tex, 1, GL_R32F, w, h);
        t->w = w;
        t->h = h;
    }
    /* float holds counts exactly up to 2^24, which is all the LUT needs; past
     * that the nearest float is far below one colormap step */
    float *fc = t->staging;
    for (size_t i = 0; i < pixels; i++)
        fc[i] = (float)counts[i];
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    glTextureSubImage2D(t->counts_tex, 0, 0, 0, w, h, GL_RED, GL_FLOAT, fc);

    if (!t->cmap_tex) {
        glCreateTextures(GL_TEXTURE_1D, 1, &t->cmap_tex);
        glTextureStorage1D(t->cmap_tex, 1, GL_RGBA8, COLORMAP_SIZE);
    }
    glTextureSubImage1D(t->cmap_tex, 0, 0, COLORMAP_SIZE, GL_RGBA, GL_UNSIGNED_BYTE, look->cmap);

    release_look(t);
    bool eq = tb->kind == TONEMAP_EQ_HIST;
    float *big = NULL;
    if (eq && tb->big_len) {
        if (!(big = malloc(tb->big_len * sizeof *big)))
            return vp_err_set(err, "out of memory");
        for (uint32_t i = 0; i < tb->big_len; i++)
            big[i] = (float)tb->big_values[i];
    }
    float_buffer_texture(eq ? tb->lut : NULL, eq ? tb->lut_len : 0, &t->bufs[0], &t->texs[0]);
    float_buffer_texture(big, eq ? tb->big_len : 0, &t->bufs[1], &t->texs[1]);
    float_buffer_texture(eq ? tb->big_levels : NULL, eq ? tb->big_len : 0, &t->bufs[2], &t->texs[2]);
    free(big);
    t->lut_len = eq ? (int)tb->lut_len : 0;
    t->big_len = eq ? (int)tb->big_len : 0;
    t->fmin = (float)tb->fmin;
    t->frange = (float)(tb->fmax - tb->fmin);
    t->floor = look->floor;
    t->spread = look->spread < 0 ? 0 : look->spread > 4 ? 4 : look->spread;
    for (int i = 0; i < 4; i++)
        t->background[i] = look->background[i] / 255.0f;
    GLenum e = glGetError();
    if (e != GL_NO_ERROR)
        return vp_err_set(err, "GL refused the %dx%d tone-map resources (error 0x%x)", w, h, e);
    return true;
}

void tonemap_pass_draw(tonemap_pass *t, const tonemap_placement *pl, bool flip)
{
    GLuint p = t->prog;
    glViewport(pl->vx, pl->vy, pl->vw, pl->vh);
    glUseProgram(p);
    glBindTextureUnit(0, t->counts_tex);
    glBindTextureUnit(1, t->texs[0]);
    glBindTextureUnit(2, t->texs[1]);
    glBindTextureUnit(3, t->texs[2]);
    glBindTextureUnit(4, t->cmap_tex);
    glUniform1i(t->u_lut_len, t->lut_len);
    glUniform1i(t->u_big_len, t->big_len);
    glUniform1f(t->u_fmin, t->fmin);
    glUniform1f(t->u_frange, t->frange);
    glUniform1f(t->u_floor, t->floor);
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
    bool ok = false;
    GLuint color_rb = 0, fbo = 0;
    glCreateRenderbuffers(1, &color_rb);
    glNamedRenderbufferStorage(color_rb, GL_RGBA8, w, h);
    glCreateFramebuffers(1, &fbo);
    glNamedFramebufferRenderbuffer(fbo, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, color_rb);
    if (glCheckNamedFramebufferStatus(fbo, GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE) {
        vp_err_set(err, "GL cannot render a %dx%d RGBA8 picture (framebuffer incomplete)", w, h);
        goto out;
    }
    glBindFramebuffer(GL_FRAMEBUFFER, fbo);
    tonemap_placement pl = {0, 0, w, h, 0, 0, w, h};
    tonemap_pass_draw(t, &pl, true);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
    GLenum e = glGetError();
    if (e != GL_NO_ERROR) {
        vp_err_set(err, "GL tone-map pass failed (error 0x%x)", e);
        goto out;
    }
    ok = true;
out:
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    if (fbo)
        glDeleteFramebuffers(1, &fbo);
    if (color_rb)
        glDeleteRenderbuffers(1, &color_rb);
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
