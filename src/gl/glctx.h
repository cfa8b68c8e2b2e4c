#ifndef VP_GLCTX_H
#define VP_GLCTX_H
/* A current OpenGL 4.5 core context and nothing else: the renderer never sees
 * how it was made (headless EGL, or an SDL window's context). One thread:
 * the context is current on the thread that created it. */
#include <stdbool.h>
#include "core/err.h"

typedef struct glctx glctx;
struct SDL_Window;

typedef struct glctx_params {
    bool debug;   /* KHR_debug callback + glad post-call error checks (--gl-debug) */
    bool verbose; /* say which platform, device and GL were chosen */
} glctx_params;

/* Headless context through EGL with no DISPLAY/WAYLAND_DISPLAY needed: the EGL
 * device platform first (NVIDIA and other real GPUs), then Mesa's surfaceless
 * platform (llvmpipe). Made current on the calling thread. Fails with a
 * message naming what was needed (OpenGL 4.5 core, GL_ARB_buffer_storage) and
 * what was found (version and renderer strings). */
bool glctx_create_headless(const glctx_params *p, glctx **out, vp_err *err);

/* After SDL_Init(SDL_INIT_VIDEO), before SDL_CreateWindow: the GL attributes
 * the window's context needs (4.5 core, double buffered, a debug context
 * under p->debug). p may be NULL (defaults). */
void glctx_sdl_attributes(const glctx_params *p);
/* The window's OpenGL 4.5 core context, made current; GL loaded; the
   KHR_debug callback installed under p->debug. Fails naming what was needed and found.
   win must have been created with SDL_WINDOW_OPENGL after glctx_sdl_attributes;
   it stays the caller's: destroy it after glctx_destroy. */
bool glctx_create_window(const glctx_params *p, struct SDL_Window *win, glctx **out, vp_err *err);

/* Either kind; NULL is fine. A window's context is deleted, the window kept. */
void glctx_destroy(glctx *c);

const char *glctx_renderer(const glctx *c);  /* GL_RENDERER */
const char *glctx_version(const glctx *c);   /* GL_VERSION */
const char *glctx_platform(const glctx *c);  /* "egl-device", "egl-surfaceless", "sdl" */
/* True for software rasterisers, where the CPU accumulation path is faster
 * than the GL one: glctx_renderer_is_software of the renderer. */
bool glctx_is_software(const glctx *c);
/* The one test for that: llvmpipe, softpipe, swrast, or "Software" in a
 * GL_RENDERER string (NULL: false). */
bool glctx_renderer_is_software(const char *renderer);

#ifdef GLCTX_PLATFORM
/* ---- for glctx.c, glctx_egl.c and glctx_sdl.c only ------------------------ */
typedef void (*glctx_proc)(void);
struct glctx {
    const char *platform;
    void *dpy, *ctx;             /* EGLDisplay and EGLContext, or NULL and SDL_GLContext */
    void (*release)(glctx *c);   /* the platform's teardown of dpy/ctx */
    char renderer[256], version[256];
    bool software;
};
/* With c's context current: loads GL through get_proc, checks for 4.5 core
 * ("OpenGL 4.5 core is needed; found VERSION on RENDERER"), fills the strings
 * and the software flag, installs --gl-debug's diagnostics under p->debug and
 * says what was made under p->verbose. On failure c is left for glctx_destroy. */
bool glctx_load_gl(glctx *c, glctx_proc (*get_proc)(const char *name), const glctx_params *p,
                   vp_err *err);
#endif

#endif
