#include "app/compose.h"

#include <glad/gl.h>
#include <stdlib.h>
#include <string.h>

#include "gl/gl_util.h"
#include "look/shade.h"
#include "out/png_out.h"

bool compose_flip_rows(uint8_t *rgba, int w, int h)
{
    size_t stride = (size_t)w * 4;
    uint8_t *row = malloc(stride);
    if (!row)
        return false;
    for (int y = 0; y < h / 2; y++) {
        memcpy(row, rgba + (size_t)y * stride, stride);
        memcpy(rgba + (size_t)y * stride, rgba + (size_t)(h - 1 - y) * stride, stride);
        memcpy(rgba + (size_t)(h - 1 - y) * stride, row, stride);
    }
    free(row);
    return true;
}

bool compose_readback(const compose_params *p, uint8_t *rgba, vp_err *err)
{
    gl_target tg;
    if (!gl_target_create(&tg, p->w, p->h, err))
        return false;
    gl_target_bind(&tg);
    bool ok = true;
    const uint8_t *bg = p->background;
    glClearColor(bg[0] / 255.0f, bg[1] / 255.0f, bg[2] / 255.0f, bg[3] / 255.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    const overlay_rect *r = &p->plot;
    tonemap_placement pl = {r->x, p->h - r->y - r->h, r->w, r->h, 0, 0, r->w, r->h};
    tonemap_pass_draw(p->tp, &pl, false);
    if (p->ov) {
        overlay_frame f = {.win_w = p->w, .win_h = p->h, .plot = *r, .x0 = p->v->x0,
                           .x1 = p->v->x1, .y0 = p->v->y0, .y1 = p->v->y1, .table = p->table,
                           .cmap = p->cmap, .floor = p->floor, .status = p->status, .axes = true};
        ok = overlay_draw(p->ov, &f, err);
    }
    if (ok && !gl_check("drawing", err))
        ok = vp_err_prefix(err, "composing the %dx%d picture", p->w, p->h);
    ok = ok && gl_target_read(&tg, rgba, true, err);
    gl_target_destroy(&tg);
    return ok;
}

static bool shade_fill(void *ctx, int y0, int y1, uint8_t *rows, size_t stride)
{
    return shade_rows(ctx, y0, y1, rows, stride);
}

bool compose_write_png(atomic_file *af, const uint64_t *counts, int w, int h,
                       const tonemap_look *look, int threads, vp_err *err)
{
    shade_table st;
    if (!shade_table_build(look->table, look->floor, &st))
        return vp_err_set(err, "out of memory building the tone map");
    bool alpha = look->background[3] != 255;
    shade_picture sp = {.counts = counts, .w = w, .h = h, .table = &st, .cmap = look->cmap,
                        .spread = look->spread, .channels = alpha ? 4 : 3};
    memcpy(sp.background, look->background, 4);
    bool ok = png_encode_rows(af, w, h, alpha, shade_fill, &sp, threads, err);
    shade_table_free(&st);
    return ok;
}
