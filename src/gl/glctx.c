/* What both kinds of context share: loading GL once one is current, the
 * checks on what was found, the accessors. */
#define GLCTX_PLATFORM
#include "gl/glctx.h"

#include <glad/gl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gl/gl_debug.h"

bool glctx_renderer_is_software(const char *r)
{
    return r && (strstr(r, "llvmpipe") || strstr(r, "softpipe") || strstr(r, "swrast") ||
                 strstr(r, "Software"));
}

bool glctx_load_gl(glctx *c, glctx_proc (*get_proc)(const char *name), const glctx_params *p,
                   vp_err *err)
{
    int ver = gladLoadGL(get_proc);
    /* The debug build of glad starts with its call hooks in place: point
     * every glFoo straight at the driver (again after each load, which
     * fills the pointers anew); --gl-debug puts the hooks back below. */
    gladUninstallGLDebug();
    const char *v = glGetString ? (const char *)glGetString(GL_VERSION) : NULL;
    const char *r = glGetString ? (const char *)glGetString(GL_RENDERER) : NULL;
    snprintf(c->version, sizeof c->version, "%s", v ? v : "unknown");
    snprintf(c->renderer, sizeof c->renderer, "%s", r ? r : "unknown");
    if (!ver || GLAD_VERSION_MAJOR(ver) < 4 || (GLAD_VERSION_MAJOR(ver) == 4 && GLAD_VERSION_MINOR(ver) < 5))
        return vp_err_set(err, "OpenGL 4.5 core is needed; found %s on %s", c->version, c->renderer);
    c->software = glctx_renderer_is_software(c->renderer);
    if (p->debug)
        gl_debug_install(p->verbose);
    if (p->verbose)
        fprintf(stderr, "vastplot: %s, OpenGL %s on %s\n", c->platform, c->version, c->renderer);
    return true;
}

void glctx_destroy(glctx *c)
{
    if (!c)
        return;
    if (c->release)
        c->release(c);
    free(c);
}

const char *glctx_renderer(const glctx *c) { return c->renderer; }
const char *glctx_version(const glctx *c) { return c->version; }
const char *glctx_platform(const glctx *c) { return c->platform; }
bool glctx_is_software(const glctx *c) { return c->software; }
