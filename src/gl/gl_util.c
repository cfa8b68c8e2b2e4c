#include "gl/gl_util.h"

#include <stdio.h>
#include <string.h>

const char *gl_enum_name(GLenum e)
{
#define N(x) \
    case x:  \
        return #x;
    switch (e) {
    N(GL_NO_ERROR) N(GL_INVALID_ENUM) N(GL_INVALID_VALUE) N(GL_INVALID_OPERATION)
    N(GL_INVALID_FRAMEBUFFER_OPERATION) N(GL_OUT_OF_MEMORY) N(GL_STACK_OVERFLOW)
    N(GL_STACK_UNDERFLOW) N(GL_CONTEXT_LOST)
    N(GL_FRAMEBUFFER_COMPLETE) N(GL_FRAMEBUFFER_UNDEFINED) N(GL_FRAMEBUFFER_UNSUPPORTED)
    N(GL_FRAMEBUFFER_INCOMPLETE_ATTACHMENT) N(GL_FRAMEBUFFER_INCOMPLETE_MISSING_ATTACHMENT)
    N(GL_FRAMEBUFFER_INCOMPLETE_DRAW_BUFFER) N(GL_FRAMEBUFFER_INCOMPLETE_READ_BUFFER)
    N(GL_FRAMEBUFFER_INCOMPLETE_MULTISAMPLE) N(GL_FRAMEBUFFER_INCOMPLETE_LAYER_TARGETS)
    N(GL_DEBUG_SOURCE_API) N(GL_DEBUG_SOURCE_WINDOW_SYSTEM) N(GL_DEBUG_SOURCE_SHADER_COMPILER)
    N(GL_DEBUG_SOURCE_THIRD_PARTY) N(GL_DEBUG_SOURCE_APPLICATION) N(GL_DEBUG_SOURCE_OTHER)
    N(GL_DEBUG_TYPE_ERROR) N(GL_DEBUG_TYPE_DEPRECATED_BEHAVIOR) N(GL_DEBUG_TYPE_UNDEFINED_BEHAVIOR)
    N(GL_DEBUG_TYPE_PORTABILITY) N(GL_DEBUG_TYPE_PERFORMANCE) N(GL_DEBUG_TYPE_OTHER)
    N(GL_DEBUG_TYPE_MARKER) N(GL_DEBUG_TYPE_PUSH_GROUP) N(GL_DEBUG_TYPE_POP_GROUP)
    N(GL_DEBUG_SEVERITY_HIGH) N(GL_DEBUG_SEVERITY_MEDIUM) N(GL_DEBUG_SEVERITY_LOW)
    N(GL_DEBUG_SEVERITY_NOTIFICATION)
    default:
        break;
    }
#undef N
    static _Thread_local char buf[4][16];
    static _Thread_local unsigned next;
    char *b = buf[next++ % 4];
    snprintf(b, sizeof buf[0], "0x%04x", (unsigned)e);
    return b;
}

/* GL keeps one flag per kind of error, so a handful of calls empties the
 * queue; the bound only guards against a driver that never says "none". */
#define MAX_ERROR_READS 16

bool gl_check(const char *what, vp_err *err)
{
    GLenum seen[MAX_ERROR_READS];
    int n = 0;
    for (int i = 0; i < MAX_ERROR_READS; i++) {
        GLenum e = glGetError();
        if (e == GL_NO_ERROR)
            break;
        bool dup = false;
        for (int k = 0; k < n; k++)
            dup |= seen[k] == e;
        if (!dup)
            seen[n++] = e;
    }
    if (n == 0)
        return true;
    if (err) {
        size_t len = (size_t)snprintf(err->msg, sizeof err->msg, "%s:", what);
        for (int k = 0; k < n && len < sizeof err->msg; k++)
            len += (size_t)snprintf(err->msg + len, sizeof err->msg - len, "%s %s", k ? "," : "",
                                    gl_enum_name(seen[k]));
    }
    return false;
}

void gl_clear_errors(void)
{
    for (int i = 0; i < MAX_ERROR_READS && glGetError() != GL_NO_ERROR; i++) {
    }
}

bool gl_target_create(gl_target *t, int w, int h, vp_err *err)
{
    memset(t, 0, sizeof *t);
    gl_clear_errors();
    glCreateRenderbuffers(1, &t->rb);
    glNamedRenderbufferStorage(t->rb, GL_RGBA8, w, h);
    glCreateFramebuffers(1, &t->fbo);
    glNamedFramebufferRenderbuffer(t->fbo, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, t->rb);
    GLenum st = glCheckNamedFramebufferStatus(t->fbo, GL_FRAMEBUFFER);
    bool ok = gl_check("glNamedRenderbufferStorage", err);
    if (ok && st != GL_FRAMEBUFFER_COMPLETE)
        ok = vp_err_set(err, "framebuffer status %s", gl_enum_name(st));
    if (!ok) {
        gl_target_destroy(t);
        return vp_err_prefix(err, "GL cannot render a %dx%d RGBA8 picture", w, h);
    }
    t->w = w;
    t->h = h;
    return true;
}

void gl_target_bind(const gl_target *t)
{
    glBindFramebuffer(GL_FRAMEBUFFER, t ? t->fbo : 0);
    if (t)
        glViewport(0, 0, t->w, t->h);
}

/* Reverses the row order in place, through a small buffer: no allocation, so
 * no out-of-memory case for a picture of any size. */
static void flip_rows(uint8_t *px, size_t stride, int h)
{
    uint8_t tmp[4096];
    for (int y = 0; y < h / 2; y++) {
        uint8_t *a = px + (size_t)y * stride, *b = px + (size_t)(h - 1 - y) * stride;
        for (size_t off = 0; off < stride; off += sizeof tmp) {
            size_t n = stride - off < sizeof tmp ? stride - off : sizeof tmp;
            memcpy(tmp, a + off, n);
            memcpy(a + off, b + off, n);
            memcpy(b + off, tmp, n);
        }
    }
}

bool gl_read_rgba(GLuint fbo, int w, int h, uint8_t *rgba, bool top_first, vp_err *err)
{
    GLint prev = 0;
    glGetIntegerv(GL_READ_FRAMEBUFFER_BINDING, &prev);
    glBindFramebuffer(GL_READ_FRAMEBUFFER, fbo);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
    glBindFramebuffer(GL_READ_FRAMEBUFFER, (GLuint)prev);
    if (!gl_check("glReadPixels", err))
        return vp_err_prefix(err, "reading back the %dx%d picture", w, h);
    if (top_first)
        flip_rows(rgba, (size_t)w * 4, h);
    return true;
}

bool gl_target_read(const gl_target *t, uint8_t *rgba, bool top_first, vp_err *err)
{
    return gl_read_rgba(t->fbo, t->w, t->h, rgba, top_first, err);
}

void gl_target_destroy(gl_target *t)
{
    if (t->fbo)
        glDeleteFramebuffers(1, &t->fbo);
    if (t->rb)
        glDeleteRenderbuffers(1, &t->rb);
    memset(t, 0, sizeof *t);
}

gl_unpack_state gl_unpack_packed(GLint alignment)
{
    gl_unpack_state s;
    glGetIntegerv(GL_UNPACK_ALIGNMENT, &s.align);
    glGetIntegerv(GL_UNPACK_ROW_LENGTH, &s.row_len);
    glGetIntegerv(GL_UNPACK_SKIP_ROWS, &s.skip_rows);
    glGetIntegerv(GL_UNPACK_SKIP_PIXELS, &s.skip_px);
    glGetIntegerv(GL_PIXEL_UNPACK_BUFFER_BINDING, &s.pbo);
    glPixelStorei(GL_UNPACK_ALIGNMENT, alignment);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
    glPixelStorei(GL_UNPACK_SKIP_ROWS, 0);
    glPixelStorei(GL_UNPACK_SKIP_PIXELS, 0);
    glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
    return s;
}

void gl_unpack_restore(const gl_unpack_state *s)
{
    glPixelStorei(GL_UNPACK_ALIGNMENT, s->align);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, s->row_len);
    glPixelStorei(GL_UNPACK_SKIP_ROWS, s->skip_rows);
    glPixelStorei(GL_UNPACK_SKIP_PIXELS, s->skip_px);
    glBindBuffer(GL_PIXEL_UNPACK_BUFFER, (GLuint)s->pbo);
}

void gl_dispatch_1d(GLuint n, GLuint local_size)
{
    if (n == 0)
        return;
    GLuint groups = (n + local_size - 1) / local_size;
    GLuint gx = groups < 65535 ? groups : 65535;
    GLuint gy = (groups + gx - 1) / gx;
    glDispatchCompute(gx, gy, 1);
}
