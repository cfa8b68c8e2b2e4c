#ifndef VP_COLORMAP_H
#define VP_COLORMAP_H
#include <stdbool.h>
#include <stdint.h>

#define COLORMAP_SIZE 256

/* Fills out[i] (RGBA8, alpha 255) for i in 0..255, low to high.
 * Names: viridis, inferno, magma, plasma, cividis, fire, gray (sequential)
 * and coolwarm, rdbu, piyg (diverging: two hues meeting at a light, neutral
 * centre between entries 127 and 128), and the reversed variant of each as
 * NAME_r; case-insensitive. False for an unknown name. */
bool colormap_get(const char *name, uint8_t out[COLORMAP_SIZE][4]);
/* The NULL-terminated list of base names, for help and error messages:
 * the sequential maps first, then the diverging ones. */
const char *const *colormap_names(void);
/* True when name (NAME or NAME_r) is a known diverging map: one meant for
 * values on both sides of a centre (value_range_choose centres the range);
 * false for sequential maps and unknown names. */
bool colormap_is_diverging(const char *name);

/* Parses a colour: a name (black, white, gray, transparent, ...) or #RGB,
 * #RRGGBB, #RRGGBBAA. rgba in 0..255. */
bool color_parse(const char *s, uint8_t rgba[4]);

/* The category palette: how many colours it has (categories beyond it are
 * not told apart by colour). */
#define CATEGORY_MAX 64

/* Colour i of the category palette, RGBA8 with alpha 255. i in
 * 0..CATEGORY_MAX-1 (other values wrap around modulo CATEGORY_MAX). The
 * first 16 are picked by hand, most distinct first: no two of them are
 * closer than CIEDE2000 = 20 (24.5 as shipped); the other 48 are generated
 * (golden-angle OKLCH hue steps, five lightness levels) and no two of all 64
 * are closer than CIEDE2000 = 10. A fixed table (look/colormap_extra.c): the
 * same colours on every machine. Cheap; thread-safe. */
void category_color(int i, uint8_t rgba[4]);

#endif
