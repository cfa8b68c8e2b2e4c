#include "gl/gl_debug.h"

#include <glad/gl.h>
#include <stdio.h>
#include <string.h>

#include "gl/gl_util.h"

/* The post-call hook empties GL's error queue after every call; what it took
 * waits here (per thread, like the contexts) until glGetError asks, so the
 * callers' own checks fail as they would without --gl-debug. */
#define KEPT_MAX 8
static _Thread_local GLenum kept[KEPT_MAX];
static _Thread_local int nkept;

static GLenum GLAD_API_PTR get_error_kept(void)
{
    if (nkept == 0)
        return glad_glGetError();
    GLenum e = kept[0];
    memmove(kept, kept + 1, (size_t)--nkept * sizeof *kept);
    return e;
}

static void pre_call(const char *name, GLADapiproc proc, int len_args, ...)
{
    (void)len_args;
    if (!proc)
        fprintf(stderr, "vastplot: gl error: %s is called but was not loaded\n", name);
}

static void post_call(void *ret, const char *name, GLADapiproc proc, int len_args, ...)
{
    (void)ret;
    (void)proc;
    (void)len_args;
    for (int i = 0; i < 16; i++) {
        GLenum e = glad_glGetError();
        if (e == GL_NO_ERROR)
            break;
        fprintf(stderr, "vastplot: gl error: %s after %s\n", gl_enum_name(e), name);
        bool dup = false;
        for (int k = 0; k < nkept; k++)
            dup |= kept[k] == e;
        if (!dup && nkept < KEPT_MAX)
            kept[nkept++] = e;
    }
}

static void GLAD_API_PTR on_message(GLenum source, GLenum type, GLuint id, GLenum severity,
                                    GLsizei length, const GLchar *msg, const void *user)
{
    (void)user;
    const char *lvl = severity == GL_DEBUG_SEVERITY_HIGH     ? "error"
                      : severity == GL_DEBUG_SEVERITY_MEDIUM ? "warning"
                      : severity == GL_DEBUG_SEVERITY_LOW    ? "info"
                                                             : "debug";
    while (length > 0 && msg[length - 1] == '\n')
        length--;
    fprintf(stderr, "vastplot: gl %s: [%s, %s, %u] %.*s\n", lvl, gl_enum_name(source),
            gl_enum_name(type), (unsigned)id, (int)length, msg);
}

void gl_debug_install(bool verbose)
{
    /* core since 4.3, so always there on a 4.5 context */
    glEnable(GL_DEBUG_OUTPUT);
    glEnable(GL_DEBUG_OUTPUT_SYNCHRONOUS);
    glDebugMessageCallback(on_message, NULL);
    /* low severity is off by default (KHR_debug); notifications are chatter
     * (buffer placement, shader statistics) unless verbose */
    glDebugMessageControl(GL_DONT_CARE, GL_DONT_CARE, GL_DONT_CARE, 0, NULL, GL_TRUE);
    glDebugMessageControl(GL_DONT_CARE, GL_DONT_CARE, GL_DEBUG_SEVERITY_NOTIFICATION, 0, NULL,
                          verbose ? GL_TRUE : GL_FALSE);
    nkept = 0;
    gladSetGLPreCallback(pre_call);
    gladSetGLPostCallback(post_call);
    gladInstallGLDebug();
    glad_debug_glGetError = get_error_kept;
}
