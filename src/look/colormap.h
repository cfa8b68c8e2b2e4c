#ifndef VP_COLORMAP_H
#define VP_COLORMAP_H
#include <stdbool.h>
#include <stdint.h>

#define COLORMAP_SIZE 256

/* Fills out[i] (RGBA8, alpha 255) for i in 0..255, low to high.
 * Names: viridis, inferno, magma, plasma, cividis, fire, gray (and the
 * reversed variant of each as NAME_r). False for an unknown name. */
bool colormap_get(const char *name, uint8_t out[COLORMAP_SIZE][4]);
/* The NULL-terminated list of base names, for help and error messages. */
const char *const *colormap_names(void);

/* Parses a colour: a name (black, white, gray, transparent, ...) or #RGB,
 * #RRGGBB, #RRGGBBAA. rgba in 0..255. */
bool color_parse(const char *s, uint8_t rgba[4]);

#endif
