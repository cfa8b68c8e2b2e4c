#include "gl/tonemap_pass.h"

#include <glad/gl.h>
#include <stdio.h>
#include <stdlib.h>

#include "gl/shader.h"

struct tonemap_pass {
    tonemap_kind kind;
    GLuint prog, vao;
};

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
    *out = t;
    return true;
}

void tonemap_pass_destroy(tonemap_pass *t)
{
    if (!t)
        return;
    glDeleteProgram(t->prog);
    glDeleteVertexArrays(1, &t->vao);
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
    static const float one = 0.0f;
    glCreateBuffers(1, buf);
    glNamedBufferStorage(*buf, (GLsizeiptr)((n ? n : 1) * sizeof(float)), n ? (const void *)data : &one, 0);
    glCreateTextures(GL_TEXTURE_BUFFER, 1, tex);
    glTextureBuffer(*tex, GL_R32F, *buf);
}

bool tonemap_pass_render(tonemap_pass *t, const uint64_t *counts, int w, int h,
                         const tonemap_look *look, uint8_t *rgba, vp_err *err)
{
    const tonemap_table *tb = look->table;
    if (tb->kind != t->kind)
        return vp_err_set(err, "tone-map pass built for %s used with %s", tonemap_name(t->kind),
                          tonemap_name(tb->kind));
    size_t pixels = (size_t)w * (size_t)h;
    bool ok = false;
    GLuint counts_tex = 0, cmap_tex = 0, color_rb = 0, fbo = 0;
    GLuint bufs[3] = {0, 0, 0}, texs[3] = {0, 0, 0};
    float *fc = malloc(pixels * sizeof *fc);
    float *big = NULL;
    if (!fc) {
        vp_err_set(err, "out of memory for a %dx%d picture", w, h);
        goto out;
    }
    /* float holds counts exactly up to 2^24, which is all the LUT needs; past
     * that the nearest float is far below one colormap step */
    for (size_t i = 0; i < pixels; i++)
        fc[i] = (float)counts[i];
    while (glGetError() != GL_NO_ERROR) {
    }
    glCreateTextures(GL_TEXTURE_2D, 1, &counts_tex);
    glTextureStorage2D(counts_tex, 1, GL_R32F, w, h);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    glTextureSubImage2D(counts_tex, 0, 0, 0, w, h, GL_RED, GL_FLOAT, fc);

    glCreateTextures(GL_TEXTURE_1D, 1, &cmap_tex);
    glTextureStorage1D(cmap_tex, 1, GL_RGBA8, COLORMAP_SIZE);
    glTextureSubImage1D(cmap_tex, 0, 0, COLORMAP_SIZE, GL_RGBA, GL_UNSIGNED_BYTE, look->cmap);

    bool eq = tb->kind == TONEMAP_EQ_HIST;
    float_buffer_texture(eq ? tb->lut : NULL, eq ? tb->lut_len : 0, &bufs[0], &texs[0]);
    if (eq && tb->big_len) {
        if (!(big = malloc(tb->big_len * sizeof *big))) {
            vp_err_set(err, "out of memory");
            goto out;
        }
        for (uint32_t i = 0; i < tb->big_len; i++)
            big[i] = (float)tb->big_values[i];
    }
    float_buffer_texture(big, eq ? tb->big_len : 0, &bufs[1], &texs[1]);
    float_buffer_texture(eq ? tb->big_levels : NULL, eq ? tb->big_len : 0, &bufs[2], &texs[2]);

    glCreateRenderbuffers(1, &color_rb);
    glNamedRenderbufferStorage(color_rb, GL_RGBA8, w, h);
    glCreateFramebuffers(1, &fbo);
    glNamedFramebufferRenderbuffer(fbo, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, color_rb);
    if (glCheckNamedFramebufferStatus(fbo, GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE) {
        vp_err_set(err, "GL cannot render a %dx%d RGBA8 picture (framebuffer incomplete)", w, h);
        goto out;
    }
    GLenum e = glGetError();
    if (e != GL_NO_ERROR) {
        vp_err_set(err, "GL refused the %dx%d tone-map resources (error 0x%x)", w, h, e);
        goto out;
    }

    glBindFramebuffer(GL_FRAMEBUFFER, fbo);
    glViewport(0, 0, w, h);
    glUseProgram(t->prog);
    glBindTextureUnit(0, counts_tex);
    glBindTextureUnit(1, texs[0]);
    glBindTextureUnit(2, texs[1]);
    glBindTextureUnit(3, texs[2]);
    glBindTextureUnit(4, cmap_tex);
    GLuint p = t->prog;
    glUniform1i(glGetUniformLocation(p, "u_counts"), 0);
    glUniform1i(glGetUniformLocation(p, "u_lut"), 1);
    glUniform1i(glGetUniformLocation(p, "u_big_vals"), 2);
    glUniform1i(glGetUniformLocation(p, "u_big_lvls"), 3);
    glUniform1i(glGetUniformLocation(p, "u_cmap"), 4);
    glUniform1i(glGetUniformLocation(p, "u_lut_len"), eq ? (GLint)tb->lut_len : 0);
    glUniform1i(glGetUniformLocation(p, "u_big_len"), eq ? (GLint)tb->big_len : 0);
    glUniform1f(glGetUniformLocation(p, "u_fmin"), (float)tb->fmin);
    glUniform1f(glGetUniformLocation(p, "u_frange"), (float)(tb->fmax - tb->fmin));
    glUniform1f(glGetUniformLocation(p, "u_floor"), look->floor);
    glUniform4f(glGetUniformLocation(p, "u_background"), look->background[0] / 255.0f,
                look->background[1] / 255.0f, look->background[2] / 255.0f,
                look->background[3] / 255.0f);
    glUniform1i(glGetUniformLocation(p, "u_flip"), 1);
    glBindVertexArray(t->vao);
    glDisable(GL_BLEND);
    glDrawArrays(GL_TRIANGLES, 0, 3);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
    e = glGetError();
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
    if (counts_tex)
        glDeleteTextures(1, &counts_tex);
    if (cmap_tex)
        glDeleteTextures(1, &cmap_tex);
    glDeleteTextures(3, texs);
    glDeleteBuffers(3, bufs);
    free(fc);
    free(big);
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
