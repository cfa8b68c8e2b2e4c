#define GLCTX_PLATFORM
#include "gl/glctx.h"

#include <glad/egl.h>
#include <glad/gl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
static bool make_context(glctx *c, bool debug, vp_err *err)
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
    /* a debug context (an EGL 1.5 attribute) only under --gl-debug */
    const EGLint ctx_attr[] = {EGL_CONTEXT_MAJOR_VERSION, 4, EGL_CONTEXT_MINOR_VERSION, 5,
                               EGL_CONTEXT_OPENGL_PROFILE_MASK, EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT,
                               debug ? EGL_CONTEXT_OPENGL_DEBUG : EGL_NONE, EGL_TRUE, EGL_NONE};
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

static bool try_device_platform(glctx *c, const glctx_params *p)
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
        if (make_context(c, p->debug, &ignore)) {
            c->platform = "egl-device";
            if (p->verbose)
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

static void release(glctx *c)
{
    if (c->dpy != EGL_NO_DISPLAY) {
        eglMakeCurrent(c->dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
        if (c->ctx != EGL_NO_CONTEXT)
            eglDestroyContext(c->dpy, c->ctx);
        eglTerminate(c->dpy);
    }
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
    c->release = release;

    /* glad's EGL 1.5 eglGetPlatformDisplay stays NULL until a display exists:
     * use the EXT entry points, then load again with the display. */
    if (!gladLoaderLoadEGL(NULL)) {
        free(c);
        return vp_err_set(err, "cannot load libEGL.so.1: install Debian packages libegl1 and libegl-mesa0");
    }
    if (!try_device_platform(c, p)) {
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
        if (!make_context(c, p->debug, err)) {
            glctx_destroy(c);
            return false;
        }
        c->platform = "egl-surfaceless";
    }

    if (!glctx_load_gl(c, eglGetProcAddress, p, err)) {
        glctx_destroy(c);
        return false;
    }
    *out = c;
    return true;
}
