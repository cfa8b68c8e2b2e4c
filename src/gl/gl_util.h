#ifndef VP_GL_UTIL_H
#define VP_GL_UTIL_H
/* Small GL helpers: enum names for messages, error checks that name every
 * error, and the one offscreen RGBA8 target (render --overlay, the tone-map
 * pass's readback, tests). Need a current context, except gl_enum_name.
 * None of this is on a hot path: call gl_check once per operation, not per draw. */
#include <glad/gl.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

/* "GL_INVALID_ENUM", "GL_FRAMEBUFFER_INCOMPLETE_ATTACHMENT",
 * "GL_DEBUG_SOURCE_API", ...: errors, framebuffer statuses and the KHR_debug
 * source/type/severity values. Any other value as "0x%04x" text in a
 * thread-local buffer (one of 4, reused in turn: good until 4 more unknown
 * values have been named on this thread). Never NULL. No GL call. */
const char *gl_enum_name(GLenum e);

/* Takes every pending error off the GL queue. False when there was one: err
 * then says "<what>: GL_OUT_OF_MEMORY" (every distinct error, by name,
 * comma-separated); err may be NULL. Under --gl-debug the errors the post-call
 * hook took off the queue are still reported here (gl_debug.c). */
bool gl_check(const char *what, vp_err *err);
/* Drops pending errors (before a sequence that gl_check will judge). */
void gl_clear_errors(void);

/* An offscreen RGBA8 colour target: a renderbuffer on a framebuffer. */
typedef struct gl_target {
    GLuint fbo, rb;
    int w, h;
} gl_target;

/* Creates a w x h target; on failure (GL error or an incomplete framebuffer,
 * by its status's name) *t is left zeroed and err says why. */
bool gl_target_create(gl_target *t, int w, int h, vp_err *err);
/* Binds it as GL_FRAMEBUFFER (draw and read) with the viewport on the whole
 * target; NULL binds the default framebuffer (the viewport is left alone). */
void gl_target_bind(const gl_target *t);
/* rgba: w*h*4 bytes (pack alignment 1; no pixel pack buffer may be bound).
 * top_first: row 0 of rgba is the top row (a picture), else GL's bottom row.
 * Any error pending is reported as the readback's: gl_check the drawing first. */
bool gl_target_read(const gl_target *t, uint8_t *rgba, bool top_first, vp_err *err);
/* The same from framebuffer fbo (0: the window's, its back buffer when
 * double buffered) of w x h pixels. */
bool gl_read_rgba(GLuint fbo, int w, int h, uint8_t *rgba, bool top_first, vp_err *err);
/* Zeroed or half-built is fine; the default framebuffer is bound after it if
 * this one was. */
void gl_target_destroy(gl_target *t);

/* Pixel unpack state as the caller left it, for an upload of tightly packed
 * rows (gl_unpack_packed: row length and skips 0, no unpack buffer, the
 * given alignment) that puts it back afterwards (gl_unpack_restore). */
typedef struct gl_unpack_state {
    GLint align, row_len, skip_rows, skip_px, pbo;
} gl_unpack_state;
gl_unpack_state gl_unpack_packed(GLint alignment);
void gl_unpack_restore(const gl_unpack_state *s);

/* Dispatches the bound compute program over n items, local_size (> 0) to a
 * work group: ceil(n / local_size) groups as a gx x gy grid, gx at most
 * 65535 (the least GL_MAX_COMPUTE_WORK_GROUP_COUNT GL allows), gy enough to
 * cover them. The shader numbers its item
 * gl_GlobalInvocationID.y * (gl_NumWorkGroups.x * local_size) + gl_GlobalInvocationID.x
 * and skips those from n on (the last row may run past n). n 0: no dispatch.
 * A hot path: no error check. */
void gl_dispatch_1d(GLuint n, GLuint local_size);

#endif
