#ifndef VP_OVERLAY_FONT_DATA_H
#define VP_OVERLAY_FONT_DATA_H
/* assets/fonts/DejaVuSans.ttf, embedded at build time by
 * cmake/embed_font.cmake (licence: assets/fonts/LICENSE-DejaVu.txt). */
#include <stddef.h>

extern const unsigned char vp_font_dejavu_sans[];
extern const size_t vp_font_dejavu_sans_len;

#endif
