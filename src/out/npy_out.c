#include "out/npy_out.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out/atomic_file.h"

/* Rows are converted (byte order) through this buffer, never through a copy
 * of the grid: a 16384x16384 grid is 2 GiB. */
#define NPY_OUT_CHUNK (1u << 16) /* values, 512 KiB */

static bool host_is_little_endian(void)
{
    const uint16_t one = 1;
    return *(const uint8_t *)&one == 1;
}

bool npy_encode_grid(atomic_file *af, const void *grid_bottom_up, const char *descr, size_t elem,
                     int planes, int width, int height, vp_err *err)
{
    const char *path = af->path ? af->path : "?";
    if (width < 0 || height < 0 || (!grid_bottom_up && width && height) || (elem != 4 && elem != 8))
        return vp_err_set(err, "%s: cannot write .npy: bad grid (%dx%d)", path, width, height);

    /* Version 1.0: magic, version, little-endian u16 header length, then a
     * Python dict literal padded with spaces and ended by '\n' so the data
     * starts on a 64-byte boundary (what numpy itself writes). */
    char dict[160], shape[64];
    if (planes > 0)
        snprintf(shape, sizeof shape, "(%d, %d, %d)", planes, height, width);
    else
        snprintf(shape, sizeof shape, "(%d, %d)", height, width);
    int dlen = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
                        descr, shape);
    size_t total = ((10 + (size_t)dlen + 1) + 63) / 64 * 64;
    size_t hlen = total - 10;
    unsigned char head[256];
    memcpy(head, "\x93NUMPY\x01\x00", 8);
    head[8] = (unsigned char)(hlen & 0xff);
    head[9] = (unsigned char)(hlen >> 8);
    memcpy(head + 10, dict, (size_t)dlen);
    memset(head + 10 + dlen, ' ', hlen - (size_t)dlen - 1);
    head[total - 1] = '\n';

    if (!atomic_file_write(af, head, total, err))
        return false;

    bool swap = !host_is_little_endian();
    uint64_t *chunk = swap ? malloc(NPY_OUT_CHUNK * sizeof *chunk) : NULL;
    if (swap && !chunk)
        return vp_err_set(err, "%s: cannot write .npy: out of memory", path);
    size_t row_bytes = (size_t)width * elem;
    /* The grid's last row is the picture's top row: the file's row 0. */
    for (int pl = 0; pl < (planes > 0 ? planes : 1); pl++) {
        const unsigned char *base =
            (const unsigned char *)grid_bottom_up + (size_t)pl * (size_t)height * row_bytes;
        for (int r = height - 1; r >= 0; r--) {
            const unsigned char *row = base + (size_t)r * row_bytes;
            bool ok = true;
            if (!swap) {
                ok = atomic_file_write(af, row, row_bytes, err);
            } else {
                for (size_t x = 0; ok && x < (size_t)width; x += NPY_OUT_CHUNK) {
                    size_t m = (size_t)width - x < NPY_OUT_CHUNK ? (size_t)width - x : NPY_OUT_CHUNK;
                    uint32_t *c32 = (uint32_t *)chunk;
                    for (size_t i = 0; i < m; i++) {
                        if (elem == 8) {
                            uint64_t v;
                            memcpy(&v, row + (x + i) * 8, 8);
                            chunk[i] = __builtin_bswap64(v);
                        } else {
                            uint32_t v;
                            memcpy(&v, row + (x + i) * 4, 4);
                            c32[i] = __builtin_bswap32(v);
                        }
                    }
                    ok = atomic_file_write(af, chunk, m * elem, err);
                }
            }
            if (!ok) {
                free(chunk);
                return false;
            }
        }
    }
    free(chunk);
    return true;
}

bool npy_encode_counts(atomic_file *af, const uint64_t *grid_bottom_up, int width, int height,
                       vp_err *err)
{
    return npy_encode_grid(af, grid_bottom_up, "<u8", 8, 0, width, height, err);
}

bool npy_write_counts(const char *path, const uint64_t *grid_bottom_up, int width, int height,
                      vp_err *err)
{
    if (width < 0 || height < 0 || (!grid_bottom_up && width && height))
        return vp_err_set(err, "%s: cannot write .npy: bad grid (%dx%d)", path, width, height);
    atomic_file af;
    if (!atomic_file_open(&af, path, err))
        return false;
    if (!npy_encode_counts(&af, grid_bottom_up, width, height, err)) {
        atomic_file_abort(&af);
        return false;
    }
    return atomic_file_commit(&af, err);
}
