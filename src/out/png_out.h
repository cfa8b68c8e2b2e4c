#ifndef VP_PNG_OUT_H
#define VP_PNG_OUT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/err.h"
#include "out/atomic_file.h"

/* Writes an 8-bit RGBA (or RGB when has_alpha is false: the alpha bytes are
 * dropped) image. rows[0] is the top row; stride in bytes. The file appears
 * whole or not at all: written to a temporary file beside it, then renamed, and
 * removed on any error (full disk, unwritable folder). Tuned for speed (fast
 * deflate level). Errors name the path. */
bool png_write_rgba(const char *path, const uint8_t *pixels, int width, int height,
                    size_t stride, bool has_alpha, vp_err *err);

/* The same picture encoded into an open atomic file, not committed (a set of
 * outputs is committed together: app/outputs.h); on failure the caller aborts
 * af. Errors name af's path. */
bool png_encode_rgba(atomic_file *af, const uint8_t *pixels, int width, int height,
                     size_t stride, bool has_alpha, vp_err *err);

/* Reads a PNG into RGBA8 (for tests and tools); caller frees *pixels. */
bool png_read_rgba(const char *path, uint8_t **pixels, int *width, int *height, vp_err *err);

#endif
