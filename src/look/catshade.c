#include "look/catshade.h"

#include <stdlib.h>
#include <string.h>

#include "look/shade.h"

bool category_totals(const category_look *l, const uint32_t *cat, size_t pixels, uint64_t *total)
{
    if (l->ncat < 1 || l->ncat > CATEGORY_MAX)
        return false;
    memset(total, 0, pixels * sizeof *total);
    for (int c = 0; c < l->ncat; c++) {
        if (!l->enabled[c])
            continue;
        const uint32_t *plane = cat + (size_t)c * pixels;
        for (size_t i = 0; i < pixels; i++)
            total[i] += plane[i];
    }
    return true;
}

/* round(n / d) for d > 0, halves up */
static inline uint64_t div_round(uint64_t n, uint64_t d)
{
    return (2 * n + d) / (2 * d);
}

bool category_shade_rows(const category_look *l, const uint32_t *cat, const uint64_t *total,
                         const tonemap_table *t, int w, int h, int y0, int y1, uint8_t *out,
                         size_t stride, int channels, vp_err *err)
{
    if (l->ncat < 1 || l->ncat > CATEGORY_MAX)
        return vp_err_set(err, "category picture: %d categories (1 to %d can be shaded)", l->ncat,
                          CATEGORY_MAX);
    if (channels != 3 && channels != 4)
        return vp_err_set(err, "category picture: %d channels (3 or 4)", channels);
    if (w < 0 || h < 0 || y0 < 0 || y1 > h || y0 > y1)
        return vp_err_set(err, "category picture: rows %d..%d of a %dx%d picture", y0, y1, w, h);
    if (t->kind != l->tonemap)
        return vp_err_set(err, "category picture: a %s table for the %s tone map",
                          tonemap_name(t->kind), tonemap_name(l->tonemap));
    if (y0 == y1 || w == 0)
        return true;

    /* alpha of each tone entry: a0 + round((255 - a0) e / 255) */
    float ma = l->min_alpha >= 0.0f ? (l->min_alpha <= 1.0f ? l->min_alpha : 1.0f) : 0.0f;
    uint32_t a0 = (uint32_t)(ma * 255.0f + 0.5f), alpha[COLORMAP_SIZE];
    for (uint32_t e = 0; e < COLORMAP_SIZE; e++)
        alpha[e] = a0 + (uint32_t)div_round((uint64_t)(255 - a0) * e, 255);

    shade_table st;
    if (!shade_table_build(t, 0.0f, &st))
        return vp_err_set(err, "out of memory for the category picture's tone table");
    uint64_t *sum = malloc((size_t)w * 4 * sizeof *sum);
    if (!sum) {
        shade_table_free(&st);
        return vp_err_set(err, "out of memory for a %d-pixel row of category sums", w);
    }
    const size_t pixels = (size_t)w * (size_t)h;
    const uint8_t *bg = l->background;
    const uint64_t ba = bg[3];
    for (int y = y0; y < y1; y++) {
        size_t row = (size_t)(h - 1 - y) * (size_t)w;
        /* sum[4x .. 4x+3]: the weighted R, G, B sums and the count */
        memset(sum, 0, (size_t)w * 4 * sizeof *sum);
        for (int c = 0; c < l->ncat; c++) {
            if (!l->enabled[c])
                continue;
            const uint32_t *plane = cat + (size_t)c * pixels + row;
            const uint64_t r = l->colors[c][0], g = l->colors[c][1], b = l->colors[c][2];
            for (int x = 0; x < w; x++) {
                uint64_t n = plane[x];
                uint64_t *s = sum + 4 * (size_t)x;
                s[0] += n * r;
                s[1] += n * g;
                s[2] += n * b;
                s[3] += n;
            }
        }
        uint8_t *o = out + (size_t)(y - y0) * stride;
        for (int x = 0; x < w; x++, o += channels) {
            uint64_t tot = total[row + (size_t)x];
            if (!tot) {
                memcpy(o, bg, (size_t)channels);
                continue;
            }
            const uint64_t *s = sum + 4 * (size_t)x;
            uint64_t col[3] = {0, 0, 0};
            if (s[3])
                for (int k = 0; k < 3; k++)
                    col[k] = div_round(s[k], s[3]);
            uint64_t a = alpha[shade_of(&st, tot) - 1];
            uint8_t px[4];
            if (ba == 255) {
                for (int k = 0; k < 3; k++)
                    px[k] = (uint8_t)div_round(a * col[k] + (255 - a) * bg[k], 255);
                px[3] = 255;
            } else {
                uint64_t wa = 255 * a, wb = ba * (255 - a), d = wa + wb;
                for (int k = 0; k < 3; k++)
                    px[k] = (uint8_t)(d ? div_round(wa * col[k] + wb * bg[k], d) : col[k]);
                px[3] = (uint8_t)div_round(d, 255);
            }
            memcpy(o, px, (size_t)channels);
        }
    }
    free(sum);
    shade_table_free(&st);
    return true;
}
