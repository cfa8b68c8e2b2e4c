#include "gl/glctx.h"

#include <glad/egl.h>
#include <glad/gl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct glctx {
    EGLDisplay dpy;
    EGLContext ctx;
    const char *platform;
    char renderer[256];
    char version[256];
    bool software;
};

static void GLAD_API_PTR debug_cb(GLenum source, GLenum type, GLuint id, GLenum severity,
                              GLsizei length, const GLchar *msg, const void *user)
{
    (void)source; (void)id; (void)length; (void)user;
    const char *lvl = severity == GL_DEBUG_SEVERITY_HIGH ? "error"
                    : severity == GL_DEBUG_SEVERITY_MEDIUM ? "warning"
                    : severity == GL_DEBUG_SEVERITY_LOW ? "info" : "debug";
    fprintf(stderr, "vastplot: gl %s (type 0x%x): %s\n", lvl, type, msg);
}

/* After a failed 4.5 request: which OpenGL does this display offer at all? */
static void describe_default_context(EGLDisplay dpy, EGLConfig cfg, char *out, size_t len)
{
    snprintf(out, len, "no OpenGL context at all");
    EGLContext ctx = eglCreateContext(dpy, cfg, EGL_NO_CONTEXT, NULL);
    if (ctx == EGL_NO_CONTEXT)
        return;
    if (eglMakeCurrent(dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, ctx)) {
        typedef const unsigned char *(GLAD_API_PTR * get_string_fn)(unsigned int);
        get_string_fn get = (get_string_fn)eglGetProcAddress("glGetString");
        const char *ver = get ? (const char *)get(GL_VERSION) : NULL;
        const char *ren = get ? (const char *)get(GL_RENDERER) : NULL;
        snprintf(out, len, "OpenGL %s on %s", ver ? ver : "(unknown version)", ren ? ren : "(unknown renderer)");
        eglMakeCurrent(dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
    }
    eglDestroyContext(dpy, ctx);
}

/* Tries to make a 4.5 core context on an initialised display. */
static bool make_context(glctx *c, vp_err *err)
{
    if (!eglBindAPI(EGL_OPENGL_API))
        return vp_err_set(err, "EGL: eglBindAPI(EGL_OPENGL_API) failed (0x%x): no desktop OpenGL", eglGetError());
    static const EGLint cfg_attr[] = {EGL_SURFACE_TYPE, EGL_PBUFFER_BIT, EGL_RENDERABLE_TYPE,
                                      EGL_OPENGL_BIT, EGL_NONE};
    EGLConfig cfg = NULL;
    EGLint ncfg = 0;
    /* Surfaceless contexts need no config; fall back to none if there is no match. */
    if (!eglChooseConfig(c->dpy, cfg_attr, &cfg, 1, &ncfg) || ncfg < 1)
        cfg = NULL;
    static const EGLint ctx_attr[] = {EGL_CONTEXT_MAJOR_VERSION, 4, EGL_CONTEXT_MINOR_VERSION, 5,
                                      EGL_CONTEXT_OPENGL_PROFILE_MASK,
                                      EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT, EGL_NONE};
    c->ctx = eglCreateContext(c->dpy, cfg, EGL_NO_CONTEXT, ctx_attr);
    if (c->ctx == EGL_NO_CONTEXT) {
        EGLint e = eglGetError();
        char found[512];
        describe_default_context(c->dpy, cfg, found, sizeof found);
        return vp_err_set(err, "OpenGL 4.5 core is needed, but EGL could not create it (error 0x%x); "
                               "this system offers %s", e, found);
    }
    if (!eglMakeCurrent(c->dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, c->ctx))
        return vp_err_set(err, "EGL: cannot make a context current without a surface (0x%x)", eglGetError());
    return true;
}

static bool try_device_platform(glctx *c, bool verbose)
{
    if (!eglQueryDevicesEXT || !eglGetPlatformDisplayEXT)
        return false;
    EGLDeviceEXT devs[16];
    EGLint n = 0;
    if (!eglQueryDevicesEXT(16, devs, &n))
        return false;
    for (EGLint i = 0; i < n; i++) {
        const char *ext = eglQueryDeviceStringEXT ? eglQueryDeviceStringEXT(devs[i], EGL_EXTENSIONS) : NULL;
        /* Mesa lists its software rasteriser as a device too; surfaceless covers it. */
        if (ext && strstr(ext, "EGL_MESA_device_software"))
            continue;
        EGLDisplay d = eglGetPlatformDisplayEXT(EGL_PLATFORM_DEVICE_EXT, devs[i], NULL);
        if (d == EGL_NO_DISPLAY || !eglInitialize(d, NULL, NULL))
            continue;
        c->dpy = d;
        gladLoaderLoadEGL(d);
        vp_err ignore;
        if (make_context(c, &ignore)) {
            c->platform = "egl-device";
            if (verbose)
                fprintf(stderr, "vastplot: EGL device %d of %d\n", i, n);
            return true;
        }
        if (c->ctx != EGL_NO_CONTEXT)
            eglDestroyContext(d, c->ctx);
        c->ctx = EGL_NO_CONTEXT;
        eglTerminate(d);
        c->dpy = EGL_NO_DISPLAY;
    }
    return false;
}

bool glctx_create_headless(const glctx_params *p, glctx **out, vp_err *err)
{
    glctx_params defaults = {0};
    if (!p)
        p = &defaults;
    *out = NULL;
    glctx *c = calloc(1, sizeof *c);
    if (!c)
        return vp_err_set(err, "out of memory");
    c->dpy = EGL_NO_DISPLAY;
    c->ctx = EGL_NO_CONTEXT;

    /* glad's EGL 1.5 eglGetPlatformDisplay stays NULL until a display exists:
     * use the EXT entry points, then load again with the display. */
    if (!gladLoaderLoadEGL(NULL)) {
        free(c);
        return vp_err_set(err, "cannot load libEGL.so.1: install Debian packages libegl1 and libegl-mesa0");
    }
    if (!try_device_platform(c, p->verbose)) {
        if (!eglGetPlatformDisplayEXT) {
            glctx_destroy(c);
            return vp_err_set(err, "EGL: EGL_EXT_platform_base is missing; needed for headless rendering");
        }
        c->dpy = eglGetPlatformDisplayEXT(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, NULL);
        EGLint major = 0, minor = 0;
        if (c->dpy == EGL_NO_DISPLAY || !eglInitialize(c->dpy, &major, &minor)) {
            c->dpy = EGL_NO_DISPLAY;
            glctx_destroy(c);
            return vp_err_set(err, "EGL: neither a GPU device nor Mesa's surfaceless platform is available "
                                   "(install Debian package libegl-mesa0 for software rendering)");
        }
        gladLoaderLoadEGL(c->dpy);
        if (!make_context(c, err)) {
            glctx_destroy(c);
            return false;
        }
        c->platform = "egl-surfaceless";
    }

    int glver = gladLoadGL((GLADloadfunc)eglGetProcAddress);
    const char *ver = glGetString ? (const char *)glGetString(GL_VERSION) : NULL;
    const char *ren = glGetString ? (const char *)glGetString(GL_RENDERER) : NULL;
    snprintf(c->version, sizeof c->version, "%s", ver ? ver : "unknown");
    snprintf(c->renderer, sizeof c->renderer, "%s", ren ? ren : "unknown");
    if (!glver || GLAD_VERSION_MAJOR(glver) < 4 || (GLAD_VERSION_MAJOR(glver) == 4 && GLAD_VERSION_MINOR(glver) < 5)) {
        vp_err_set(err, "OpenGL 4.5 core is needed; found %s on %s", c->version, c->renderer);
        glctx_destroy(c);
        return false;
    }
    c->software = strstr(c->renderer, "llvmpipe") || strstr(c->renderer, "softpipe") ||
                  strstr(c->renderer, "swrast") || strstr(c->renderer, "Software");
    if (p->debug) {
        /* Core since 4.3, so always there on a 4.5 context. */
        glEnable(GL_DEBUG_OUTPUT);
        glEnable(GL_DEBUG_OUTPUT_SYNCHRONOUS);
        glDebugMessageCallback(debug_cb, NULL);
    }
    if (p->verbose)
        fprintf(stderr, "vastplot: %s, OpenGL %s on %s\n", c->platform, c->version, c->renderer);
    *out = c;
    return true;
}

void glctx_destroy(glctx *c)
{
    if (!c)
        return;
    if (c->dpy != EGL_NO_DISPLAY) {
        eglMakeCurrent(c->dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
        if (c->ctx != EGL_NO_CONTEXT)
            eglDestroyContext(c->dpy, c->ctx);
        eglTerminate(c->dpy);
    }
    free(c);
}

const char *glctx_renderer(const glctx *c) { return c->renderer; }
const char *glctx_version(const glctx *c) { return c->version; }
const char *glctx_platform(const glctx *c) { return c->platform; }
bool glctx_is_software(const glctx *c) { return c->software; }
