#include "look/shade.h"

#include <stdlib.h>
#include <string.h>

/* The entry before monotonic clean-up: in double, from the reference level. */
static int entry_of(const tonemap_table *t, double floor, uint64_t c)
{
    double pos = floor + (1.0 - floor) * tonemap_level(t, c);
    double e = pos * 255.0 + 0.5;
    return e < 0.0 ? 0 : e >= 255.0 ? 255 : (int)e;
}

bool shade_table_build(const tonemap_table *t, float floor, shade_table *out)
{
    memset(out, 0, sizeof *out);
    out->lut_len = t->cmax < SHADE_LUT_MAX ? (uint32_t)t->cmax + 1 : SHADE_LUT_MAX;
    if (!(out->lut = malloc(out->lut_len * sizeof *out->lut)))
        return false;
    double fl = floor;
    out->lut[0] = 0;
    for (uint32_t c = 1; c < out->lut_len; c++) {
        uint16_t s = (uint16_t)(1 + entry_of(t, fl, c));
        /* every tone map is monotonic; this keeps the table so even where a
         * libm function might not be */
        out->lut[c] = s > out->lut[c - 1] ? s : out->lut[c - 1];
    }
    uint64_t prev = 0;
    for (int k = 1; k < COLORMAP_SIZE; k++) {
        uint64_t a = UINT64_MAX;
        if (t->cmax >= out->lut_len && entry_of(t, fl, t->cmax) >= k) {
            /* smallest c in [lut_len, cmax] with entry >= k */
            uint64_t lo = out->lut_len, hi = t->cmax;
            while (lo < hi) {
                uint64_t mid = lo + (hi - lo) / 2;
                if (entry_of(t, fl, mid) >= k)
                    hi = mid;
                else
                    lo = mid + 1;
            }
            a = lo;
        }
        a = a > prev ? a : prev;
        out->above[k - 1] = prev = a;
    }
    return true;
}

void shade_table_free(shade_table *s)
{
    if (!s)
        return;
    free(s->lut);
    memset(s, 0, sizeof *s);
}

void shade_grid(const shade_table *s, const uint64_t *counts, size_t n, uint16_t *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = shade_of(s, counts[i]);
}

/* The largest count within `spread` of (x, gy), the window clipped to the
 * grid (the GL pass clamps its texel coordinates, which picks the same set).
 * col[] holds each column's largest count over the window's rows. */
static void spread_row(const shade_picture *p, int gy, int s, uint64_t *col, uint64_t *row)
{
    int w = p->w;
    int r0 = gy - s < 0 ? 0 : gy - s, r1 = gy + s > p->h - 1 ? p->h - 1 : gy + s;
    memcpy(col, p->counts + (size_t)r0 * (size_t)w, (size_t)w * sizeof *col);
    for (int r = r0 + 1; r <= r1; r++) {
        const uint64_t *src = p->counts + (size_t)r * (size_t)w;
        for (int x = 0; x < w; x++)
            col[x] = src[x] > col[x] ? src[x] : col[x];
    }
    for (int x = 0; x < w; x++) {
        int x0 = x - s < 0 ? 0 : x - s, x1 = x + s > w - 1 ? w - 1 : x + s;
        uint64_t m = col[x0];
        for (int i = x0 + 1; i <= x1; i++)
            m = col[i] > m ? col[i] : m;
        row[x] = m;
    }
}

bool shade_rows(const shade_picture *p, int y0, int y1, uint8_t *out, size_t stride)
{
    uint8_t pal[COLORMAP_SIZE + 1][4];
    memcpy(pal[0], p->background, 4);
    for (int k = 0; k < COLORMAP_SIZE; k++) {
        memcpy(pal[k + 1], p->cmap[k], 3);
        pal[k + 1][3] = 255;
    }
    int s = p->spread < 0 ? 0 : p->spread > 4 ? 4 : p->spread; /* as the GL pass */
    uint64_t *scratch = NULL;
    if (s > 0 && !(scratch = malloc((size_t)p->w * 2 * sizeof *scratch)))
        return false;
    const shade_table *t = p->table;
    for (int y = y0; y < y1; y++) {
        int gy = p->h - 1 - y;
        const uint64_t *src = p->counts + (size_t)gy * (size_t)p->w;
        if (s > 0) {
            spread_row(p, gy, s, scratch, scratch + p->w);
            src = scratch + p->w;
        }
        uint8_t *o = out + (size_t)(y - y0) * stride;
        if (p->channels == 4) {
            for (int x = 0; x < p->w; x++)
                memcpy(o + 4 * (size_t)x, pal[shade_of(t, src[x])], 4);
        } else {
            for (int x = 0; x < p->w; x++)
                memcpy(o + 3 * (size_t)x, pal[shade_of(t, src[x])], 3);
        }
    }
    free(scratch);
    return true;
}
