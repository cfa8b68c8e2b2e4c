#ifndef VP_OVERLAY_FONT_H
#define VP_OVERLAY_FONT_H
/* A TrueType font rasterised once into a coverage atlas (stb_truetype), and
 * text measured and laid out as quads in that atlas. CPU only: overlay.c
 * uploads the atlas; the layout and the tests measure with it. Pixel
 * coordinates have y down; a pen position is the start of the baseline. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct font font;

/* One glyph: the pixel rectangle to cover and its atlas coordinates (0..1). */
typedef struct font_quad {
    float x0, y0, x1, y1;
    float s0, t0, s1, t1;
} font_quad;

/* ttf must outlive the font (it is read for kerning). em_px: the font size,
 * pixels per em. Holds printable ASCII, Latin-1, Greek, and the minus sign,
 * dashes, ellipsis, <= and >=; other characters are drawn as '?'. */
bool font_create(const unsigned char *ttf, size_t len, float em_px, font **out, vp_err *err);
void font_destroy(font *f); /* NULL is fine */

float font_ascent(const font *f);      /* pixels above the baseline, > 0 */
float font_descent(const font *f);     /* pixels below the baseline, > 0 */
float font_digit_height(const font *f); /* ink height of the digits */

/* numeric: the text is a number, '-' is drawn as the minus sign U+2212 and
 * there is no kerning (digits stay in columns). UTF-8 text. */
float font_width(const font *f, const char *text, bool numeric);

/* Quads for text with its pen at (x, baseline), glyph corners on whole
 * pixels when x and baseline are whole; at most max quads (spaces have none).
 * Returns the number written. */
int font_quads(const font *f, const char *text, bool numeric, float x, float baseline,
               font_quad *q, int max);

/* Copies text into out, cut at a character boundary and ended with an
 * ellipsis when it is wider than max_w. */
void font_fit(const font *f, const char *text, bool numeric, float max_w, char *out, size_t size);

/* The atlas: w x h bytes of coverage, row 0 first. */
const uint8_t *font_atlas(const font *f, int *w, int *h);
/* Atlas coordinates of a fully covered texel, for solid rectangles. */
void font_white(const font *f, float *s, float *t);

#endif
