#ifndef VP_GLCTX_H
#define VP_GLCTX_H
/* A current OpenGL 4.5 core context and nothing else: the renderer never sees
 * how it was made (headless EGL here; an SDL window later). */
#include <stdbool.h>
#include "core/err.h"

typedef struct glctx glctx;

typedef struct glctx_params {
    bool debug;   /* KHR_debug callback + glad post-call error checks (--gl-debug) */
    bool verbose; /* say which EGL platform and device were chosen */
} glctx_params;

/* Headless context through EGL with no DISPLAY/WAYLAND_DISPLAY needed: the EGL
 * device platform first (NVIDIA and other real GPUs), then Mesa's surfaceless
 * platform (llvmpipe). Made current on the calling thread. Fails with a
 * message naming what was needed (OpenGL 4.5 core, GL_ARB_buffer_storage) and
 * what was found (version and renderer strings). */
bool glctx_create_headless(const glctx_params *p, glctx **out, vp_err *err);
void glctx_destroy(glctx *c); /* NULL is fine */

const char *glctx_renderer(const glctx *c);  /* GL_RENDERER */
const char *glctx_version(const glctx *c);   /* GL_VERSION */
const char *glctx_platform(const glctx *c);  /* "egl-device", "egl-surfaceless" */
/* True for software rasterisers (llvmpipe, softpipe, swrast), where the CPU
 * accumulation path is faster than the GL one. */
bool glctx_is_software(const glctx *c);

#endif
