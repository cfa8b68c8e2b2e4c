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

bool npy_encode_counts(atomic_file *af, const uint64_t *grid_bottom_up, int width, int height,
                       vp_err *err)
{
    const char *path = af->path ? af->path : "?";
    if (width < 0 || height < 0 || (!grid_bottom_up && width && height))
        return vp_err_set(err, "%s: cannot write .npy: bad grid (%dx%d)", path, width, height);

    /* Version 1.0: magic, version, little-endian u16 header length, then a
     * Python dict literal padded with spaces and ended by '\n' so the data
     * starts on a 64-byte boundary (what numpy itself writes). */
    char dict[128];
    int dlen = snprintf(dict, sizeof dict,
                        "{'descr': '<u8', 'fortran_order': False, 'shape': (%d, %d), }", height,
                        width);
    size_t total = ((10 + (size_t)dlen + 1) + 63) / 64 * 64;
    size_t hlen = total - 10;
    unsigned char head[192];
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
    /* The grid's last row is the picture's top row: the file's row 0. */
    for (int r = height - 1; r >= 0; r--) {
        const uint64_t *row = grid_bottom_up + (size_t)r * (size_t)width;
        bool ok = true;
        if (!swap) {
            ok = atomic_file_write(af, row, (size_t)width * sizeof *row, err);
        } else {
            for (size_t x = 0; ok && x < (size_t)width; x += NPY_OUT_CHUNK) {
                size_t m = (size_t)width - x < NPY_OUT_CHUNK ? (size_t)width - x : NPY_OUT_CHUNK;
                for (size_t i = 0; i < m; i++)
                    chunk[i] = __builtin_bswap64(row[x + i]);
                ok = atomic_file_write(af, chunk, m * sizeof *chunk, err);
            }
        }
        if (!ok) {
            free(chunk);
            return false;
        }
    }
    free(chunk);
    return true;
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
