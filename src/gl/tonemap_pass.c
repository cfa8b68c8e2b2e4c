#include "gl/tonemap_pass.h"

#include <glad/gl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gl/gl_util.h"
#include "gl/shader.h"
#include "look/shade.h"

/* One variant of the program: shades uploaded (R16UI), counts read from an
 * r32ui image and shaded in the shader with the same table, or a finished
 * RGBA8 picture only placed. */
typedef struct tm_prog {
    GLuint prog;
    GLint u_background, u_flip, u_src_origin, u_src_scale, u_view_origin, u_spread, u_lut_len, u_above;
} tm_prog;

typedef enum tm_mode { TM_SHADES, TM_COUNTS, TM_PICTURE } tm_mode;

struct tonemap_pass {
    tonemap_kind kind;
    tm_prog shades, counts, picture; /* counts, picture: made when first used */
    GLuint vao;
    /* the grid and look set */
    int w, h;
    tm_mode mode;           /* which of the three was set last */
    GLuint counts_tex;      /* the caller's r32ui image (not owned) */
    GLuint shades_tex, lut_tex, cmap_tex;
    GLuint picture_tex;     /* RGBA8, picture_w x picture_h */
    int picture_w, picture_h;
    int shades_w, shades_h, lut_rows;
    uint16_t *staging;      /* shades_w * shades_h shades (look/shade.h) */
    int spread;
    float background[4];
};

static bool prog_build(tm_prog *pr, const char *defines, vp_err *err)
{
    GLuint p = shader_program_render("fullscreen.vert.glsl", "tonemap.frag.glsl", defines, err);
    if (!(pr->prog = p))
        return false;
    glProgramUniform1i(p, glGetUniformLocation(p, "u_grid"), 0);
    glProgramUniform1i(p, glGetUniformLocation(p, "u_cmap"), 1);
    glProgramUniform1i(p, glGetUniformLocation(p, "u_lut"), 2);
    pr->u_background = glGetUniformLocation(p, "u_background");
    pr->u_flip = glGetUniformLocation(p, "u_flip");
    pr->u_src_origin = glGetUniformLocation(p, "u_src_origin");
    pr->u_src_scale = glGetUniformLocation(p, "u_src_scale");
    pr->u_view_origin = glGetUniformLocation(p, "u_view_origin");
    pr->u_spread = glGetUniformLocation(p, "u_spread");
    pr->u_lut_len = glGetUniformLocation(p, "u_lut_len");
    pr->u_above = glGetUniformLocation(p, "u_above");
    return true;
}

bool tonemap_pass_create(tonemap_kind kind, tonemap_pass **out, vp_err *err)
{
    *out = NULL;
    tonemap_pass *t = calloc(1, sizeof *t);
    if (!t)
        return vp_err_set(err, "out of memory");
    t->kind = kind;
    /* one program for every kind: counts become shades by a table */
    if (!prog_build(&t->shades, "", err)) {
        free(t);
        return false;
    }
    glCreateVertexArrays(1, &t->vao);
    *out = t;
    return true;
}

void tonemap_pass_destroy(tonemap_pass *t)
{
    if (!t)
        return;
    GLuint tex[4] = {t->shades_tex, t->lut_tex, t->cmap_tex, t->picture_tex};
    glDeleteTextures(4, tex);
    /* a deleted program that stays current keeps its name only while it is:
     * whoever saved and restores "the current program" would get a dead name */
    GLint cur = 0;
    glGetIntegerv(GL_CURRENT_PROGRAM, &cur);
    if (cur && ((GLuint)cur == t->shades.prog || (GLuint)cur == t->counts.prog ||
                (GLuint)cur == t->picture.prog))
        glUseProgram(0);
    glDeleteProgram(t->shades.prog);
    glDeleteProgram(t->counts.prog);
    glDeleteProgram(t->picture.prog);
    glDeleteVertexArrays(1, &t->vao);
    free(t->staging);
    free(t);
}

bool tonemap_pass_check_size(int w, int h, vp_err *err)
{
    GLint tex = 0, rb = 0, vp[2] = {0, 0};
    glGetIntegerv(GL_MAX_TEXTURE_SIZE, &tex);
    glGetIntegerv(GL_MAX_RENDERBUFFER_SIZE, &rb);
    glGetIntegerv(GL_MAX_VIEWPORT_DIMS, vp);
    GLint mw = tex, mh = tex;
    mw = rb < mw ? rb : mw;
    mh = rb < mh ? rb : mh;
    mw = vp[0] < mw ? vp[0] : mw;
    mh = vp[1] < mh ? vp[1] : mh;
    if (w > mw || h > mh)
        return vp_err_set(err, "--size %dx%d is larger than this OpenGL allows: at most %dx%d "
                               "(GL_MAX_TEXTURE_SIZE %d, GL_MAX_RENDERBUFFER_SIZE %d, "
                               "GL_MAX_VIEWPORT_DIMS %dx%d) on %s",
                          w, h, mw, mh, tex, rb, vp[0], vp[1], (const char *)glGetString(GL_RENDERER));
    return true;
}

/* The colormap, point size and background, for either source. */
static void set_look(tonemap_pass *t, const tonemap_look *look)
{
    if (!t->cmap_tex) {
        glCreateTextures(GL_TEXTURE_1D, 1, &t->cmap_tex);
        glTextureStorage1D(t->cmap_tex, 1, GL_RGBA8, COLORMAP_SIZE);
    }
    glTextureSubImage1D(t->cmap_tex, 0, 0, COLORMAP_SIZE, GL_RGBA, GL_UNSIGNED_BYTE, look->cmap);
    t->spread = look->spread < 0 ? 0 : look->spread > 4 ? 4 : look->spread;
    for (int i = 0; i < 4; i++)
        t->background[i] = look->background[i] / 255.0f;
}

/* An integer texture (a linear filter would make it incomplete: reads 0). */
static GLuint int_texture(GLenum format, int w, int h)
{
    GLuint tex;
    glCreateTextures(GL_TEXTURE_2D, 1, &tex);
    glTextureStorage2D(tex, 1, format, w, h);
    glTextureParameteri(tex, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTextureParameteri(tex, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    return tex;
}

static bool check_kind(const tonemap_pass *t, const tonemap_look *look, vp_err *err)
{
    if (look->table->kind == t->kind)
        return true;
    return vp_err_set(err, "tone-map pass built for %s used with %s", tonemap_name(t->kind),
                      tonemap_name(look->table->kind));
}

bool tonemap_pass_set(tonemap_pass *t, const uint64_t *counts, int w, int h,
                      const tonemap_look *look, vp_err *err)
{
    if (!check_kind(t, look, err))
        return false;
    size_t pixels = (size_t)w * (size_t)h;
    gl_clear_errors();
    if (w != t->shades_w || h != t->shades_h || !t->shades_tex) {
        glDeleteTextures(1, &t->shades_tex);
        free(t->staging);
        t->shades_tex = 0;
        t->shades_w = t->shades_h = 0;
        if (!(t->staging = malloc(pixels * sizeof *t->staging)))
            return vp_err_set(err, "out of memory for a %dx%d picture", w, h);
        t->shades_tex = int_texture(GL_R16UI, w, h);
        t->shades_w = w;
        t->shades_h = h;
    }
    shade_table st;
    if (!shade_table_build(look->table, look->floor, &st))
        return vp_err_set(err, "out of memory");
    shade_grid(&st, counts, pixels, t->staging);
    shade_table_free(&st);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 2);
    glTextureSubImage2D(t->shades_tex, 0, 0, 0, w, h, GL_RED_INTEGER, GL_UNSIGNED_SHORT, t->staging);
    set_look(t, look);
    t->w = w;
    t->h = h;
    t->mode = TM_SHADES;
    if (!gl_check("uploading the grid and colormap", err))
        return vp_err_prefix(err, "GL refused the %dx%d tone-map resources", w, h);
    return true;
}

bool tonemap_pass_set_image(tonemap_pass *t, GLuint counts, int w, int h, const tonemap_look *look,
                            vp_err *err)
{
    if (!check_kind(t, look, err) ||
        (!t->counts.prog && !prog_build(&t->counts, "#define FROM_COUNTS 1\n", err)))
        return false;
    shade_table st;
    if (!shade_table_build(look->table, look->floor, &st))
        return vp_err_set(err, "out of memory");
    /* the direct part of the table, 256 entries a row; the thresholds above
     * it as (high, low) halves: a 32-bit count reaches none with a high half */
    int rows = (int)((st.lut_len + 255) / 256);
    uint16_t *lut = calloc((size_t)rows * 256, sizeof *lut);
    GLuint above[2 * (COLORMAP_SIZE - 1)];
    for (int k = 0; k < COLORMAP_SIZE - 1; k++) {
        above[2 * k] = (GLuint)(st.above[k] >> 32);
        above[2 * k + 1] = (GLuint)st.above[k];
    }
    if (lut)
        memcpy(lut, st.lut, st.lut_len * sizeof *lut);
    GLuint lut_len = st.lut_len;
    shade_table_free(&st);
    if (!lut)
        return vp_err_set(err, "out of memory");
    gl_clear_errors();
    if (rows > t->lut_rows) {
        glDeleteTextures(1, &t->lut_tex);
        t->lut_tex = int_texture(GL_R16UI, 256, rows);
        t->lut_rows = rows;
    }
    glPixelStorei(GL_UNPACK_ALIGNMENT, 2);
    glTextureSubImage2D(t->lut_tex, 0, 0, 0, 256, rows, GL_RED_INTEGER, GL_UNSIGNED_SHORT, lut);
    free(lut);
    glProgramUniform1ui(t->counts.prog, t->counts.u_lut_len, lut_len);
    glProgramUniform2uiv(t->counts.prog, t->counts.u_above, COLORMAP_SIZE - 1, above);
    set_look(t, look);
    /* sampled with texelFetch: without these a one-level texture is incomplete (reads 0) */
    glTextureParameteri(counts, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTextureParameteri(counts, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    t->counts_tex = counts;
    t->w = w;
    t->h = h;
    t->mode = TM_COUNTS;
    if (!gl_check("uploading the shade table and colormap", err))
        return vp_err_prefix(err, "GL refused the tone-map resources of a %dx%d count image", w, h);
    return true;
}

bool tonemap_pass_set_rgba(tonemap_pass *t, const uint8_t *rgba, int w, int h, vp_err *err)
{
    if (w < 1 || h < 1)
        return vp_err_set(err, "a %dx%d picture for the tone-map pass", w, h);
    if (!t->picture.prog && !prog_build(&t->picture, "#define FROM_RGBA 1\n", err))
        return false;
    gl_clear_errors();
    if (w != t->picture_w || h != t->picture_h || !t->picture_tex) {
        glDeleteTextures(1, &t->picture_tex);
        glCreateTextures(GL_TEXTURE_2D, 1, &t->picture_tex);
        glTextureStorage2D(t->picture_tex, 1, GL_RGBA8, w, h);
        /* texelFetch only, but a one-level texture needs these to be complete */
        glTextureParameteri(t->picture_tex, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
        glTextureParameteri(t->picture_tex, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
        t->picture_w = w;
        t->picture_h = h;
    }
    /* tightly packed rows, whatever unpack state the caller left */
    gl_unpack_state unpack = gl_unpack_packed(4);
    glTextureSubImage2D(t->picture_tex, 0, 0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
    gl_unpack_restore(&unpack);
    t->w = w;
    t->h = h;
    t->mode = TM_PICTURE;
    if (!gl_check("uploading the picture", err)) {
        t->picture_w = t->picture_h = 0; /* made again next time */
        return vp_err_prefix(err, "GL refused a %dx%d RGBA8 picture texture", w, h);
    }
    return true;
}

void tonemap_pass_draw(tonemap_pass *t, const tonemap_placement *pl, bool flip)
{
    const tm_prog *pr = t->mode == TM_PICTURE ? &t->picture : t->mode == TM_COUNTS ? &t->counts : &t->shades;
    GLuint grid = t->mode == TM_PICTURE ? t->picture_tex : t->mode == TM_COUNTS ? t->counts_tex : t->shades_tex;
    glViewport(pl->vx, pl->vy, pl->vw, pl->vh);
    glUseProgram(pr->prog);
    glBindTextureUnit(0, grid);
    glBindTextureUnit(1, t->cmap_tex);
    glBindTextureUnit(2, t->lut_tex);
    glUniform4fv(pr->u_background, 1, t->background);
    glUniform1i(pr->u_flip, flip ? 1 : 0);
    glUniform1i(pr->u_spread, t->spread);
    glUniform2f(pr->u_view_origin, (float)pl->vx, (float)pl->vy);
    glUniform2f(pr->u_src_origin, (float)pl->src_x, (float)pl->src_y);
    glUniform2f(pr->u_src_scale, (float)(pl->src_w / pl->vw), (float)(pl->src_h / pl->vh));
    glBindVertexArray(t->vao);
    glDisable(GL_BLEND);
    glDrawArrays(GL_TRIANGLES, 0, 3);
}

bool tonemap_pass_render(tonemap_pass *t, const uint64_t *counts, int w, int h,
                         const tonemap_look *look, uint8_t *rgba, vp_err *err)
{
    if (!tonemap_pass_set(t, counts, w, h, look, err))
        return false;
    gl_target tg;
    if (!gl_target_create(&tg, w, h, err))
        return false;
    gl_target_bind(&tg);
    /* grid row 0 drawn at the top, so GL's rows come back in picture order */
    tonemap_placement pl = {0, 0, w, h, 0, 0, w, h};
    tonemap_pass_draw(t, &pl, true);
    bool ok = gl_check("drawing", err) || vp_err_prefix(err, "the tone-map pass on a %dx%d picture", w, h);
    ok = ok && gl_target_read(&tg, rgba, false, err);
    gl_target_destroy(&tg);
    return ok;
}

bool tonemap_pass_warm(tonemap_pass *t, vp_err *err)
{
    /* Same textures, formats and target as a real frame, so a driver that
     * compiles shader variants lazily (llvmpipe JITs at the first draw) does
     * that work now, while the accumulation runs on other threads. */
    uint64_t count = 1;
    tonemap_table tb;
    if (!tonemap_table_build(t->kind, &count, 1, &tb))
        return vp_err_set(err, "out of memory");
    tonemap_look look = {.table = &tb};
    uint8_t rgba[4];
    bool ok = tonemap_pass_render(t, &count, 1, 1, &look, rgba, err);
    tonemap_table_free(&tb);
    return ok;
}
