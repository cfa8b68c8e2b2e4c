/* The viewer's context: an SDL window's OpenGL 4.5 core context. The window
 * stays the caller's; this file only makes, loads and deletes its context. */
#define GLCTX_PLATFORM
#include "gl/glctx.h"

#include <SDL2/SDL.h>
#include <glad/gl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void glctx_sdl_attributes(const glctx_params *p)
{
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MAJOR_VERSION, 4);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MINOR_VERSION, 5);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_PROFILE_MASK, SDL_GL_CONTEXT_PROFILE_CORE);
    SDL_GL_SetAttribute(SDL_GL_DOUBLEBUFFER, 1);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_FLAGS, p && p->debug ? SDL_GL_CONTEXT_DEBUG_FLAG : 0);
}

/* SDL_GL_GetProcAddress returns void *; glad wants a function pointer */
static glctx_proc get_proc(const char *name)
{
    glctx_proc f;
    void *v = SDL_GL_GetProcAddress(name);
    _Static_assert(sizeof f == sizeof v, "function and object pointers differ in size");
    memcpy(&f, &v, sizeof f);
    return f;
}

/* After a failed 4.5 request: which OpenGL does this window get with SDL's
 * defaults (2.1, any profile)? The 4.5 attributes are set again afterwards. */
static void describe_default_context(SDL_Window *win, const glctx_params *p, char *out, size_t len)
{
    snprintf(out, len, "no OpenGL context at all");
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MAJOR_VERSION, 2);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MINOR_VERSION, 1);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_PROFILE_MASK, 0);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_FLAGS, 0);
    SDL_GLContext ctx = SDL_GL_CreateContext(win);
    glctx_sdl_attributes(p);
    if (!ctx)
        return;
    PFNGLGETSTRINGPROC get = (PFNGLGETSTRINGPROC)get_proc("glGetString");
    const char *ver = get ? (const char *)get(GL_VERSION) : NULL;
    const char *ren = get ? (const char *)get(GL_RENDERER) : NULL;
    snprintf(out, len, "OpenGL %s on %s", ver ? ver : "(unknown version)", ren ? ren : "(unknown renderer)");
    SDL_GL_DeleteContext(ctx);
}

static void release(glctx *c)
{
    if (c->ctx)
        SDL_GL_DeleteContext(c->ctx);
}

bool glctx_create_window(const glctx_params *p, struct SDL_Window *win, glctx **out, vp_err *err)
{
    glctx_params defaults = {0};
    if (!p)
        p = &defaults;
    *out = NULL;
    glctx *c = calloc(1, sizeof *c);
    if (!c)
        return vp_err_set(err, "out of memory");
    c->platform = "sdl";
    c->release = release;
    c->ctx = SDL_GL_CreateContext(win); /* and makes it current */
    if (!c->ctx) {
        char why[256], found[512];
        snprintf(why, sizeof why, "%s", SDL_GetError());
        describe_default_context(win, p, found, sizeof found);
        glctx_destroy(c);
        return vp_err_set(err, "OpenGL 4.5 core is needed for the window, but SDL could not create it "
                               "(%s); this system offers %s", why, found);
    }
    if (!glctx_load_gl(c, get_proc, p, err)) {
        glctx_destroy(c);
        return false;
    }
    *out = c;
    return true;
}
