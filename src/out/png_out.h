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
 * removed on any error (full disk, unwritable folder). Tuned for speed (deflate
 * level 1, no row filter, strips compressed on all cores: see png_encode_rows).
 * Errors name the path. */
bool png_write_rgba(const char *path, const uint8_t *pixels, int width, int height,
                    size_t stride, bool has_alpha, vp_err *err);

/* The same picture encoded into an open atomic file, not committed (a set of
 * outputs is committed together: app/outputs.h); on failure the caller aborts
 * af. Errors name af's path. */
bool png_encode_rgba(atomic_file *af, const uint8_t *pixels, int width, int height,
                     size_t stride, bool has_alpha, vp_err *err);

/* Fills rows [y0, y1) of the picture (y = 0 the top row) into rows, stride
 * bytes apart, width * (has_alpha ? 4 : 3) bytes each. Called from several
 * threads at once, for disjoint ranges; false stops the encoding (out of
 * memory: the encoder reports it). */
typedef bool (*png_rows_fn)(void *ctx, int y0, int y1, uint8_t *rows, size_t stride);

/* Encodes a picture produced strip by strip, never held whole: `threads`
 * workers (0 or more than the cores: one per core) each fill a strip of rows
 * (about 1 MiB) and deflate it on its own (zlib level 1, flushed to a byte
 * boundary, so the pieces join into one zlib stream; the Adler-32 sums are
 * combined); this thread writes the pieces in order as IDAT chunks. Memory:
 * 1.5 strips and their deflated bytes per worker (2-3 MiB). Same file contract
 * as png_encode_rgba. Width at most 1,000,000 (libpng's default limit for
 * readers). */
bool png_encode_rows(atomic_file *af, int width, int height, bool has_alpha, png_rows_fn fill,
                     void *ctx, int threads, vp_err *err);

/* Reads a PNG into RGBA8 (for tests and tools); caller frees *pixels. */
bool png_read_rgba(const char *path, uint8_t **pixels, int *width, int *height, vp_err *err);

#endif
