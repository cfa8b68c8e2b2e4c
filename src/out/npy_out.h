#ifndef VP_NPY_OUT_H
#define VP_NPY_OUT_H
#include <stdbool.h>
#include <stdint.h>
#include "core/err.h"
#include "out/atomic_file.h"

/* Writes a (height, width) little-endian uint64 .npy (version 1.0, C order).
 * grid is stored bottom row first (row 0 = the lowest y); the file has row 0 =
 * the top row of the picture, so rows are flipped while writing. Whole file or
 * nothing, as png_write_rgba. */
bool npy_write_counts(const char *path, const uint64_t *grid_bottom_up, int width, int height,
                      vp_err *err);
/* The same bytes into an open atomic file, not committed (see png_encode_rgba);
 * on failure the caller aborts af. */
bool npy_encode_counts(atomic_file *af, const uint64_t *grid_bottom_up, int width, int height,
                       vp_err *err);

/* Any grid: (height, width), or (planes, height, width) when planes > 0,
 * each plane bottom row first in memory and top row first in the file;
 * descr is numpy's ('<f8', '<u4', ...), elem its size in bytes (4 or 8). */
bool npy_encode_grid(atomic_file *af, const void *grid_bottom_up, const char *descr, size_t elem,
                     int planes, int width, int height, vp_err *err);

#endif
