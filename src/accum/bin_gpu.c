#include "accum/bin_gpu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gl/gl_util.h"
#include "gl/shader.h"

GLuint bin_gpu_program(const char *file, int local_size, const char *defines, vp_err *err)
{
    const char *rule = shader_source("bin.glsl");
    if (!rule) {
        vp_err_set(err, "shaders/bin.glsl is not embedded in this build");
        return 0;
    }
    if (!defines)
        defines = "";
    size_t len = strlen(rule) + strlen(defines) + 64;
    char *defs = malloc(len);
    if (!defs) {
        vp_err_set(err, "out of memory");
        return 0;
    }
    snprintf(defs, len, "#define LOCAL_SIZE %d\n%s%s", local_size, defines, rule);
    GLuint prog = shader_program_compute(file, defs, err);
    free(defs);
    return prog;
}

bool bin_gpu_create_defs(bin_gpu *b, const char *file, int local_size, const char *defines,
                         vp_err *err)
{
    memset(b, 0, sizeof *b);
    if (!(b->prog = bin_gpu_program(file, local_size, defines, err)))
        return false;
    b->u_lo = glGetUniformLocation(b->prog, "u_bin_lo");
    b->u_hi = glGetUniformLocation(b->prog, "u_bin_hi");
    b->u_scale = glGetUniformLocation(b->prog, "u_bin_scale");
    b->u_n = glGetUniformLocation(b->prog, "u_bin_n");
    b->u_flip = glGetUniformLocation(b->prog, "u_bin_flip");
    b->u_fast = glGetUniformLocation(b->prog, "u_bin_fast");
    return true;
}

bool bin_gpu_create(bin_gpu *b, const char *file, int local_size, vp_err *err)
{
    return bin_gpu_create_defs(b, file, local_size, NULL, err);
}

void bin_gpu_destroy(bin_gpu *b)
{
    if (b->edges)
        glDeleteBuffers(1, &b->edges);
    if (b->prog)
        glDeleteProgram(b->prog);
    memset(b, 0, sizeof *b);
}

bool bin_gpu_set_view(bin_gpu *b, const view *v, vp_err *err)
{
    size_t n = (size_t)v->w + 1 + (size_t)v->h + 1;
    gl_clear_errors();
    double *e = malloc(n * sizeof *e);
    if (!e)
        return vp_err_set(err, "out of memory for the pixel edges");
    for (int i = 0; i <= v->w; i++)
        e[i] = view_axis_edge(&v->ax, i);
    for (int i = 0; i <= v->h; i++)
        e[v->w + 1 + i] = view_axis_edge(&v->ay, i);
    if (b->edges_cap < n) {
        if (b->edges)
            glDeleteBuffers(1, &b->edges);
        glCreateBuffers(1, &b->edges);
        glNamedBufferStorage(b->edges, (GLsizeiptr)(n * sizeof *e), NULL, GL_DYNAMIC_STORAGE_BIT);
        b->edges_cap = n;
    }
    glNamedBufferSubData(b->edges, 0, (GLsizeiptr)(n * sizeof *e), e);
    free(e);
    glUseProgram(b->prog);
    glUniform2d(b->u_lo, v->ax.lo, v->ay.lo);
    glUniform2d(b->u_hi, v->ax.hi, v->ay.hi);
    glUniform2d(b->u_scale, v->ax.fast ? v->ax.scale : 0.0, v->ay.fast ? v->ay.scale : 0.0);
    glUniform2i(b->u_n, v->ax.n, v->ay.n);
    glUniform2i(b->u_flip, v->ax.flip, v->ay.flip);
    glUniform2i(b->u_fast, v->ax.fast, v->ay.fast);
    if (!gl_check("the edge table", err))
        return vp_err_prefix(err, "setting up the GPU binning rule for %dx%d", v->w, v->h);
    bin_gpu_bind(b);
    return true;
}

bool bin_gpu_count_image(GLuint *tex, int *tw, int *th, int w, int h, vp_err *err)
{
    gl_clear_errors();
    if (!*tex || *tw != w || *th != h) {
        if (*tex)
            glDeleteTextures(1, tex);
        glCreateTextures(GL_TEXTURE_2D, 1, tex);
        glTextureStorage2D(*tex, 1, GL_R32UI, w, h);
        *tw = w;
        *th = h;
    }
    const GLuint zero = 0;
    glClearTexImage(*tex, 0, GL_RED_INTEGER, GL_UNSIGNED_INT, &zero);
    if (gl_check("glTextureStorage2D", err))
        return true;
    glDeleteTextures(1, tex);
    *tex = 0;
    *tw = *th = 0;
    return vp_err_prefix(err, "GL refused a %dx%d r32ui count image", w, h);
}

bool bin_gpu_read_counts(GLuint tex, size_t pixels, uint32_t *buf, uint64_t *counts, bool add,
                         vp_err *err)
{
    gl_clear_errors();
    glMemoryBarrier(GL_TEXTURE_UPDATE_BARRIER_BIT);
    glGetTextureImage(tex, 0, GL_RED_INTEGER, GL_UNSIGNED_INT, (GLsizei)(pixels * sizeof *buf), buf);
    if (!gl_check("glGetTextureImage", err))
        return vp_err_prefix(err, "reading back the GPU count image");
    if (add)
        for (size_t i = 0; i < pixels; i++)
            counts[i] += buf[i];
    else
        for (size_t i = 0; i < pixels; i++)
            counts[i] = buf[i];
    return true;
}

void bin_gpu_bind(const bin_gpu *b)
{
    glUseProgram(b->prog);
    glBindBufferBase(GL_SHADER_STORAGE_BUFFER, 1, b->edges);
}

void bin_gpu_dispatch_slot(const ring *r, int s, size_t bytes, GLuint n, GLint u_n, GLuint local_size)
{
    glBindBufferRange(GL_SHADER_STORAGE_BUFFER, 0, ring_buffer(r), (GLintptr)ring_slot_offset(r, s),
                      (GLsizeiptr)bytes);
    glUniform1ui(u_n, n);
    gl_dispatch_1d(n, local_size);
}
