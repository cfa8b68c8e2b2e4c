#include "out/png_out.h"

#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "out/atomic_file.h"

/* Speed over size: deflate level 1 and no row filter. Measured (libpng 1.6.39,
 * zlib level 1, 2-core AMD EPYC) on a 1920x1080 density picture: eq-hist,
 * viridis on black, a third of the pixels non-zero, speckled sparse regions;
 * RGB, best of 15:
 *   NONE 29 ms 830 KiB | SUB 36 ms 1148 KiB | UP 42 ms 1367 KiB |
 *   AVG 48 ms 1683 KiB | PAETH 56 ms 1561 KiB | ALL (adaptive) 76 ms 1619 KiB
 * NONE wins on both counts, also for fire on white and for sparser and denser
 * pictures: colormapped counts change in steps that no predictor guesses,
 * while runs of background deflate well unfiltered. Z_RLE was no faster and
 * larger. PNG_OUT_FILTER may be set at build time to repeat the measurement. */
#ifndef PNG_OUT_FILTER
#define PNG_OUT_FILTER PNG_FILTER_NONE
#endif

typedef struct png_sink {
    atomic_file *af;
    const char *path;
    vp_err *err;
    bool have_msg; /* err already holds the real cause (a write error) */
    char warning[256]; /* libpng's last warning: often the detail behind an error */
} png_sink;

static void png_sink_write(png_structp png, png_bytep data, size_t len)
{
    png_sink *s = png_get_io_ptr(png);
    if (!atomic_file_write(s->af, data, len, s->err)) {
        s->have_msg = true;
        png_error(png, "write failed");
    }
}

static void png_sink_flush(png_structp png)
{
    (void)png; /* atomic_file_commit flushes */
}

static void png_sink_error(png_structp png, png_const_charp msg)
{
    png_sink *s = png_get_error_ptr(png);
    if (!s->have_msg)
        vp_err_set(s->err, "%s: cannot write PNG: %s%s%s%s", s->path, msg,
                   s->warning[0] ? " (" : "", s->warning, s->warning[0] ? ")" : "");
    s->have_msg = true;
    png_longjmp(png, 1);
}

static void png_sink_warning(png_structp png, png_const_charp msg)
{
    /* Not printed: a warning alone leaves a valid file. Kept because libpng
     * states the reason as a warning before a terse error ("Invalid IHDR
     * data"). */
    png_sink *s = png_get_error_ptr(png);
    snprintf(s->warning, sizeof s->warning, "%s", msg);
}

bool png_encode_rgba(atomic_file *af, const uint8_t *pixels, int width, int height,
                     size_t stride, bool has_alpha, vp_err *err)
{
    const char *path = af->path ? af->path : "?";
    if (width <= 0 || height <= 0 || !pixels || stride < (size_t)width * 4)
        return vp_err_set(err, "%s: cannot write PNG: bad image (%dx%d, stride %zu)", path, width,
                          height, stride);

    png_sink sink = {.af = af, .path = path, .err = err};
    png_structp png =
        png_create_write_struct(PNG_LIBPNG_VER_STRING, &sink, png_sink_error, png_sink_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        return vp_err_set(err, "%s: cannot write PNG: out of memory", path);
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return false;
    }

    png_set_write_fn(png, &sink, png_sink_write, png_sink_flush);
    png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8,
                 has_alpha ? PNG_COLOR_TYPE_RGBA : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_compression_level(png, Z_BEST_SPEED);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_OUT_FILTER);
    /* Larger IDAT chunks: fewer chunk headers and CRC restarts. */
    png_set_compression_buffer_size(png, 1u << 17);
    png_write_info(png, info);
    if (!has_alpha)
        png_set_filler(png, 0, PNG_FILLER_AFTER); /* drops the 4th byte on write */
    for (int y = 0; y < height; y++)
        png_write_row(png, pixels + (size_t)y * stride);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    return true;
}

bool png_write_rgba(const char *path, const uint8_t *pixels, int width, int height,
                    size_t stride, bool has_alpha, vp_err *err)
{
    if (width <= 0 || height <= 0 || !pixels || stride < (size_t)width * 4)
        return vp_err_set(err, "%s: cannot write PNG: bad image (%dx%d, stride %zu)", path, width,
                          height, stride);
    atomic_file af;
    if (!atomic_file_open(&af, path, err))
        return false;
    if (!png_encode_rgba(&af, pixels, width, height, stride, has_alpha, err)) {
        atomic_file_abort(&af);
        return false;
    }
    return atomic_file_commit(&af, err);
}

bool png_read_rgba(const char *path, uint8_t **pixels, int *width, int *height, vp_err *err)
{
    *pixels = NULL;
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&img, path))
        return vp_err_set(err, "%s: cannot read PNG: %s", path, img.message);
    /* The simplified API expands palette, gray, 16-bit and missing alpha; 8-bit
     * sRGB samples pass through unchanged. */
    img.format = PNG_FORMAT_RGBA;
    size_t size = PNG_IMAGE_SIZE(img);
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf) {
        png_image_free(&img);
        return vp_err_set(err, "%s: cannot read PNG: out of memory", path);
    }
    if (!png_image_finish_read(&img, NULL, buf, 0, NULL)) {
        free(buf);
        vp_err_set(err, "%s: cannot read PNG: %s", path, img.message);
        png_image_free(&img);
        return false;
    }
    *pixels = buf;
    *width = (int)img.width;
    *height = (int)img.height;
    return true;
}
