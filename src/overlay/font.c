#include "overlay/font.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <stb/stb_truetype.h>

#define MINUS_SIGN 0x2212
#define ELLIPSIS 0x2026
/* rows below the glyphs that hold the solid block */
#define WHITE_ROWS 4

struct font {
    stbtt_fontinfo info;
    float scale; /* font units to pixels */
    float ascent, descent, digit_h;
    int n;            /* glyphs in the atlas */
    int *codepoints;  /* ascending */
    int *glyph_index; /* the font's glyph for each, for kerning */
    stbtt_packedchar *chars;
    int question; /* index of '?', drawn for what the atlas lacks */
    int aw, ah;   /* atlas size */
    uint8_t *atlas;
};

/* The characters an axis label or title plausibly needs; each costs a few
 * hundred bytes of atlas. */
static int collect_codepoints(int *cp)
{
    int n = 0;
    for (int c = 32; c <= 126; c++)
        cp[n++] = c;
    for (int c = 160; c <= 255; c++)
        cp[n++] = c;
    for (int c = 0x391; c <= 0x3A9; c++)
        if (c != 0x3A2) /* unassigned */
            cp[n++] = c;
    for (int c = 0x3B1; c <= 0x3C9; c++)
        cp[n++] = c;
    static const int extra[] = {0x2013, 0x2014, 0x2026, MINUS_SIGN, 0x2264, 0x2265};
    for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++)
        cp[n++] = extra[i];
    return n;
}

void font_destroy(font *f)
{
    if (!f)
        return;
    free(f->codepoints);
    free(f->glyph_index);
    free(f->chars);
    free(f->atlas);
    free(f);
}

bool font_create(const unsigned char *ttf, size_t len, float em_px, font **out, vp_err *err)
{
    *out = NULL;
    if (!(em_px >= 2.0f && em_px <= 512.0f))
        return vp_err_set(err, "font size %g px is outside 2..512", (double)em_px);
    if (len < 12 || len > (size_t)0x7fffffff)
        return vp_err_set(err, "embedded font: %zu bytes is not a TrueType file", len);
    font *f = calloc(1, sizeof *f);
    if (!f)
        return vp_err_set(err, "out of memory");
    if (!stbtt_InitFont(&f->info, ttf, stbtt_GetFontOffsetForIndex(ttf, 0))) {
        font_destroy(f);
        return vp_err_set(err, "embedded font: not a TrueType font stb_truetype can read");
    }
    f->scale = stbtt_ScaleForMappingEmToPixels(&f->info, em_px);
    int asc, desc, gap;
    stbtt_GetFontVMetrics(&f->info, &asc, &desc, &gap);
    f->ascent = asc * f->scale;
    f->descent = -desc * f->scale;
    int x0, y0, x1, y1;
    f->digit_h = stbtt_GetCodepointBox(&f->info, '0', &x0, &y0, &x1, &y1) ? (y1 - y0) * f->scale
                                                                          : 0.7f * em_px;

    int cps[400];
    f->n = collect_codepoints(cps);
    f->codepoints = malloc(sizeof *f->codepoints * (size_t)f->n);
    f->glyph_index = malloc(sizeof *f->glyph_index * (size_t)f->n);
    f->chars = calloc((size_t)f->n, sizeof *f->chars);
    if (!f->codepoints || !f->glyph_index || !f->chars) {
        font_destroy(f);
        return vp_err_set(err, "out of memory");
    }
    memcpy(f->codepoints, cps, sizeof *f->codepoints * (size_t)f->n);
    for (int i = 0; i < f->n; i++) {
        f->glyph_index[i] = stbtt_FindGlyphIndex(&f->info, cps[i]);
        if (cps[i] == '?')
            f->question = i;
    }

    /* the smallest square-ish power-of-two atlas the glyphs pack into */
    for (int w = 128, h = 128; w <= 4096; w < h ? (w *= 2) : (h *= 2)) {
        uint8_t *px = calloc((size_t)w * (size_t)(h + WHITE_ROWS), 1);
        if (!px) {
            font_destroy(f);
            return vp_err_set(err, "out of memory for a %dx%d font atlas", w, h);
        }
        stbtt_pack_context pc;
        if (!stbtt_PackBegin(&pc, px, w, h, w, 1, NULL)) {
            free(px);
            font_destroy(f);
            return vp_err_set(err, "out of memory");
        }
        stbtt_pack_range range = {.font_size = STBTT_POINT_SIZE(em_px),
                                  .array_of_unicode_codepoints = f->codepoints,
                                  .num_chars = f->n,
                                  .chardata_for_range = f->chars};
        int ok = stbtt_PackFontRanges(&pc, ttf, 0, &range, 1);
        stbtt_PackEnd(&pc);
        if (ok) {
            for (int y = h; y < h + WHITE_ROWS; y++)
                memset(px + (size_t)y * (size_t)w, 255, WHITE_ROWS);
            f->atlas = px;
            f->aw = w;
            f->ah = h + WHITE_ROWS;
            *out = f;
            return true;
        }
        free(px);
    }
    font_destroy(f);
    return vp_err_set(err, "font size %g px does not fit a 4096x4096 atlas", (double)em_px);
}

float font_ascent(const font *f) { return f->ascent; }
float font_descent(const font *f) { return f->descent; }
float font_digit_height(const font *f) { return f->digit_h; }

const uint8_t *font_atlas(const font *f, int *w, int *h)
{
    *w = f->aw;
    *h = f->ah;
    return f->atlas;
}

void font_white(const font *f, float *s, float *t)
{
    /* the middle of the solid block: bilinear filtering there sees only 255 */
    *s = (WHITE_ROWS / 2.0f) / (float)f->aw;
    *t = (float)(f->ah - WHITE_ROWS / 2.0f) / (float)f->ah;
}

/* Decodes one UTF-8 character; malformed bytes read as U+FFFD, one at a time. */
static int next_codepoint(const char **ps)
{
    const unsigned char *s = (const unsigned char *)*ps;
    int c = s[0], need, cp;
    if (c < 0x80) {
        *ps += 1;
        return c;
    }
    if ((c & 0xE0) == 0xC0) {
        need = 1;
        cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        need = 2;
        cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        need = 3;
        cp = c & 0x07;
    } else {
        *ps += 1;
        return 0xFFFD;
    }
    for (int i = 1; i <= need; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *ps += 1;
            return 0xFFFD;
        }
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    *ps += need + 1;
    return cp;
}

static int glyph_of(const font *f, int cp, bool numeric)
{
    if (numeric && cp == '-')
        cp = MINUS_SIGN;
    if (cp >= 32 && cp <= 126)
        return cp - 32;
    int lo = 0, hi = f->n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (f->codepoints[mid] == cp)
            return mid;
        if (f->codepoints[mid] < cp)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return f->question;
}

/* Walks text, calling back for each glyph with its pen position; returns the
 * pen's final x. Measuring and drawing share this walk, so they agree. */
typedef void (*glyph_fn)(void *ctx, int index, float *x, float baseline);

static float walk(const font *f, const char *text, bool numeric, float x, float baseline,
                  glyph_fn fn, void *ctx)
{
    int prev = -1;
    for (const char *p = text; *p;) {
        int g = glyph_of(f, next_codepoint(&p), numeric);
        if (prev >= 0 && !numeric)
            x += f->scale * (float)stbtt_GetGlyphKernAdvance(&f->info, f->glyph_index[prev],
                                                             f->glyph_index[g]);
        if (fn)
            fn(ctx, g, &x, baseline);
        else
            x += f->chars[g].xadvance;
        prev = g;
    }
    return x;
}

float font_width(const font *f, const char *text, bool numeric)
{
    return walk(f, text, numeric, 0, 0, NULL, NULL);
}

typedef struct quad_ctx {
    const font *f;
    font_quad *q;
    int n, max;
} quad_ctx;

static void emit_quad(void *ctx, int index, float *x, float baseline)
{
    quad_ctx *c = ctx;
    stbtt_aligned_quad aq;
    float y = baseline;
    stbtt_GetPackedQuad(c->f->chars, c->f->aw, c->f->ah, index, x, &y, &aq, 1);
    if (aq.x1 <= aq.x0 || aq.y1 <= aq.y0 || c->n >= c->max)
        return;
    c->q[c->n++] = (font_quad){aq.x0, aq.y0, aq.x1, aq.y1, aq.s0, aq.t0, aq.s1, aq.t1};
}

int font_quads(const font *f, const char *text, bool numeric, float x, float baseline,
               font_quad *q, int max)
{
    quad_ctx c = {f, q, 0, max};
    walk(f, text, numeric, x, baseline, emit_quad, &c);
    return c.n;
}

void font_fit(const font *f, const char *text, bool numeric, float max_w, char *out, size_t size)
{
    static const char ell[] = "\xE2\x80\xA6"; /* U+2026 */
    if (size < sizeof ell) {
        if (size)
            out[0] = 0;
        return;
    }
    size_t len = strlen(text);
    if (len < size && font_width(f, text, numeric) <= max_w) {
        memcpy(out, text, len + 1);
        return;
    }
    /* longest prefix (at a character boundary) that fits with the ellipsis */
    size_t best = 0;
    char buf[1024];
    for (const char *p = text; *p;) {
        next_codepoint(&p);
        size_t n = (size_t)(p - text);
        if (n + sizeof ell > size || n + sizeof ell > sizeof buf)
            break;
        memcpy(buf, text, n);
        memcpy(buf + n, ell, sizeof ell);
        if (font_width(f, buf, numeric) > max_w)
            break;
        best = n;
    }
    if (best == 0 && font_width(f, ell, numeric) > max_w) {
        out[0] = 0;
        return;
    }
    memcpy(out, text, best);
    memcpy(out + best, ell, sizeof ell);
}
