#ifndef VASTPLOT_H
#define VASTPLOT_H
/* libvastplot: exact density images of very many (x, y) samples, as a C
 * library (the engine of the vastplot command line, which links it).
 *
 * A vastplot handle owns the data's description (arrays in the caller's
 * memory, never copied; or files, read in windows as the command line
 * reads them), a view (limits and a grid size) and a look (tone map,
 * colormap, ...). It gives the exact count grid of the view, bit-equal to
 * numpy.histogram2d's for the same limits and bins, and the picture as RGBA.
 *
 * Conventions:
 * - Functions that can fail return 0 on success and -1 on failure; the
 *   reason is then in vastplot_error(p) (creation functions write it into
 *   the caller's err[VASTPLOT_ERROR_BYTES] instead). Nothing is printed.
 * - Non-finite samples (NaN, inf) are skipped and counted, never drawn.
 * - A handle is used by one thread at a time; distinct handles are
 *   independent. The library uses threads of its own internally.
 * - Count grids are width * height uint64 values, row-major, row 0 the
 *   LOWEST y (the bottom of the picture), column 0 the lowest x:
 *   counts[iy * width + ix]. Pixel (ix, iy) holds the samples with
 *   edges_x[ix] <= x < edges_x[ix + 1] (the last column closed: x <= x1),
 *   edges as numpy.linspace(x0, x1, width + 1) gives them; likewise y.
 *   Reversed limits (x0 > x1) flip the axis.
 * - RGBA pictures are width * height * 4 bytes, row 0 the TOP row (as an
 *   image is stored), straight alpha.
 *
 * Versioning: VASTPLOT_API_VERSION grows when functions are added; the ABI
 * (the exported symbols, tests/abi/libvastplot.symbols) only ever grows
 * within a major version of the library (libvastplot.so.1). */
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VASTPLOT_API_VERSION 1
#define VASTPLOT_ERROR_BYTES 1024

#if defined(__GNUC__)
#define VASTPLOT_EXPORT __attribute__((visibility("default")))
#else
#define VASTPLOT_EXPORT
#endif

typedef struct vastplot vastplot;

/* Sample types, as the command line's --dtype. */
typedef enum vastplot_dtype {
    VASTPLOT_F32 = 0, VASTPLOT_F64, VASTPLOT_I8, VASTPLOT_I16, VASTPLOT_I32, VASTPLOT_I64,
    VASTPLOT_U8, VASTPLOT_U16, VASTPLOT_U32, VASTPLOT_U64
} vastplot_dtype;

/* One column of samples in the caller's memory: count values of dtype,
 * in native byte order, the first at data, each stride bytes after the
 * previous one (a numpy array's data pointer, itemsize-multiple strides;
 * negative strides are allowed). The memory must stay valid and unchanged
 * while the handle exists. */
typedef struct vastplot_array {
    const void *data;
    int dtype;       /* a vastplot_dtype */
    int64_t stride;  /* bytes */
    uint64_t count;
} vastplot_array;

typedef struct vastplot_stats {
    uint64_t records;   /* samples read */
    uint64_t drawn;     /* samples counted inside the view (lines: pixel steps) */
    uint64_t nonfinite; /* samples skipped for a NaN or inf */
} vastplot_stats;

/* VASTPLOT_API_VERSION of the library loaded, and its version text. */
VASTPLOT_EXPORT int vastplot_api_version(void);
VASTPLOT_EXPORT const char *vastplot_version(void);

/* x and y (the same count), zero-copy. NULL on failure (err says why: a
 * bad dtype, different counts, a NULL pointer with a count). */
VASTPLOT_EXPORT vastplot *vastplot_from_arrays(const vastplot_array *x, const vastplot_array *y,
                                               char err[VASTPLOT_ERROR_BYTES]);
/* Files, with the command line's words of `vastplot render` (inputs and
 * options; no -o): e.g. {"data.f32", "--dtype", "f32", "--columns", "2"}
 * or {"log.csv", "--x", "t", "--y", "v", "--lines"}. The view and look
 * options among them apply as vastplot_configure's. NULL on failure (err
 * names the file or the word). */
VASTPLOT_EXPORT vastplot *vastplot_from_args(int argc, const char *const *argv,
                                             char err[VASTPLOT_ERROR_BYTES]);
VASTPLOT_EXPORT void vastplot_destroy(vastplot *p); /* NULL is fine */
/* The last failure's message ("" when none). Valid until the next call. */
VASTPLOT_EXPORT const char *vastplot_error(const vastplot *p);

/* View and look options, as the command line's words: --size WxH, --xlim,
 * --ylim, --tonemap, --colormap, --floor, --background, --point-size,
 * --overlay (axes, labels, colorbar in the picture), --title, --xlabel,
 * --ylabel, --threads, --accumulate, --lines, --normalize, --break-gap. Words
 * not given keep their values. */
VASTPLOT_EXPORT int vastplot_configure(vastplot *p, int argc, const char *const *argv);

/* The bounds of the finite samples, [xmin, xmax, ymin, ymax] (a pass over
 * the data when they are not known). -1 when there is none. */
VASTPLOT_EXPORT int vastplot_bounds(vastplot *p, double out[4]);
/* The view: data limits of the grid (x0 left, x1 right, y0 bottom, y1 top)
 * and its size in pixels (1 .. 65536 each). Until set: the data's bounds
 * (widened when flat) and --size (default 1920x1080). */
VASTPLOT_EXPORT int vastplot_set_view(vastplot *p, double x0, double x1, double y0, double y1, int width,
                                      int height);
/* The view in effect: limits and size. */
VASTPLOT_EXPORT void vastplot_get_view(const vastplot *p, double lim[4], int *width, int *height);

/* The complete count grid of the view into out (width * height values, see
 * above); st (may be NULL) gets the totals. Exact, on the CPU (all cores). */
VASTPLOT_EXPORT int vastplot_counts(vastplot *p, uint64_t *out, vastplot_stats *st);
/* The picture of the view (width * height * 4 bytes, see above): counts
 * tone-mapped and colored as `vastplot render` does (with --overlay, the
 * axes around a smaller grid), bit for bit the PNG's pixels. Needs OpenGL
 * 4.5 through EGL (a GPU, or Mesa's llvmpipe), set up on first use. */
VASTPLOT_EXPORT int vastplot_rgba(vastplot *p, uint8_t *out, vastplot_stats *st);

/* Progressive counting of the view, in the background: start (or restart
 * after vastplot_set_view), then take snapshots: every sample counted so far
 * (out: as vastplot_counts; NULL for none), *done in [0, 1] (1: complete,
 * the snapshot equals vastplot_counts). */
VASTPLOT_EXPORT int vastplot_refine_start(vastplot *p);
VASTPLOT_EXPORT int vastplot_refine_snapshot(vastplot *p, uint64_t *out, double *done);

/* The interactive viewer (as `vastplot view`) on the handle's data, in a
 * window on the display (SDL2: $DISPLAY or Wayland); blocks until the
 * window is closed. The words are the viewer's options (--size,
 * --fullscreen, --colormap, --script FILE, ...) after the handle's own;
 * arrays are shown without a copy. -1 when there is no display or a word
 * is wrong. */
VASTPLOT_EXPORT int vastplot_view(vastplot *p, int argc, const char *const *argv);

/* The vastplot command line itself (what the vastplot program runs). */
VASTPLOT_EXPORT int vastplot_main(int argc, char **argv);

#ifdef __cplusplus
}
#endif
#endif
