#include "out/png_out.h"

#include <png.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
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
 * larger. Again at 16384x16384 (10^7 normal points, eq-hist, inferno, one
 * core, strips of 256 rows): NONE 1.42 s 16 MiB, SUB 1.96 s 18 MiB; Z_RLE
 * 1.33 s 16 MiB, Z_FILTERED 1.48 s 17 MiB, level 2 1.41 s 15 MiB.
 *
 * libpng deflates on one thread (4.2 s for that picture), so the image data
 * is written here: strips deflated in parallel as pigz does, each a raw
 * deflate stream of its own ended by a sync flush (byte-aligned, not final),
 * which concatenate into one valid zlib stream; the header, the chunks and
 * their CRCs are a few lines. libpng still reads (png_read_rgba). */
#define PNG_OUT_LEVEL 1
#define PNG_OUT_STRIP_BYTES (1u << 20)
#define PNG_OUT_MAX_WIDTH 1000000 /* PNG_USER_WIDTH_MAX: readers refuse wider */

typedef struct png_strip {
    int index;             /* the strip held, -1: free */
    bool done;
    uint8_t *raw, *z;      /* filtered rows; their deflated bytes */
    size_t raw_len, z_cap, z_len;
    uint32_t adler;        /* of raw */
} png_strip;

typedef struct png_enc {
    int width, height, rows_per_strip, nstrips, window;
    size_t row_bytes; /* 1 filter byte + pixels */
    bool has_alpha;
    png_rows_fn fill;
    void *ctx;
    png_strip *slots; /* window of them: strip i in slot i % window */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int next_take, next_write;
    bool stop;
    char why[128]; /* a worker's failure */
} png_enc;

static bool strip_grow(png_strip *s, size_t need)
{
    if (need <= s->z_cap)
        return true;
    uint8_t *z = realloc(s->z, need);
    if (!z)
        return false;
    s->z = z;
    s->z_cap = need;
    return true;
}

/* Fills and deflates strip i into s; false with why (128 bytes) set. */
static bool strip_make(const png_enc *e, z_stream *zs, int i, png_strip *s, char *why)
{
    int y0 = i * e->rows_per_strip;
    int y1 = y0 + e->rows_per_strip < e->height ? y0 + e->rows_per_strip : e->height;
    s->raw_len = (size_t)(y1 - y0) * e->row_bytes;
    if (!e->fill(e->ctx, y0, y1, s->raw + 1, e->row_bytes)) {
        snprintf(why, 128, "out of memory");
        return false;
    }
    for (int r = 0; r < y1 - y0; r++)
        s->raw[(size_t)r * e->row_bytes] = 0; /* filter type None */
    s->adler = (uint32_t)adler32(adler32(0, NULL, 0), s->raw, (uInt)s->raw_len);
    if (deflateReset(zs) != Z_OK) {
        snprintf(why, 128, "zlib: %s", zs->msg ? zs->msg : "deflateReset failed");
        return false;
    }
    bool last = i == e->nstrips - 1;
    size_t start = i == 0 ? 2 : 0; /* the zlib header goes before strip 0 */
    if (!strip_grow(s, start + deflateBound(zs, (uLong)s->raw_len) + 64)) {
        snprintf(why, 128, "out of memory");
        return false;
    }
    if (i == 0) {
        s->z[0] = 0x78; /* deflate, 32 KiB window */
        s->z[1] = 0x01; /* fastest; (0x78 * 256 + 0x01) % 31 == 0 */
    }
    zs->next_in = s->raw;
    zs->avail_in = (uInt)s->raw_len;
    zs->next_out = s->z + start;
    zs->avail_out = (uInt)(s->z_cap - start);
    for (;;) {
        int rc = deflate(zs, last ? Z_FINISH : Z_SYNC_FLUSH);
        if (rc == Z_STREAM_ERROR) {
            snprintf(why, 128, "zlib: deflate failed");
            return false;
        }
        if (zs->avail_in == 0 && zs->avail_out > 0 && (!last || rc == Z_STREAM_END))
            break;
        size_t used = s->z_cap - zs->avail_out;
        if (!strip_grow(s, s->z_cap * 2)) {
            snprintf(why, 128, "out of memory");
            return false;
        }
        zs->next_out = s->z + used;
        zs->avail_out = (uInt)(s->z_cap - used);
    }
    s->z_len = s->z_cap - zs->avail_out;
    return true;
}

static void *png_worker(void *arg)
{
    png_enc *e = arg;
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    bool ok = deflateInit2(&zs, PNG_OUT_LEVEL, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK;
    pthread_mutex_lock(&e->mu);
    if (!ok && !e->stop) {
        snprintf(e->why, sizeof e->why, "zlib: cannot start deflate (out of memory)");
        e->stop = true;
        pthread_cond_broadcast(&e->cv);
    }
    while (ok) {
        while (!e->stop && e->next_take < e->nstrips && e->next_take >= e->next_write + e->window)
            pthread_cond_wait(&e->cv, &e->mu);
        if (e->stop || e->next_take >= e->nstrips)
            break;
        int i = e->next_take++;
        png_strip *s = &e->slots[i % e->window];
        s->index = i;
        s->done = false;
        pthread_mutex_unlock(&e->mu);
        char why[sizeof e->why];
        ok = strip_make(e, &zs, i, s, why);
        pthread_mutex_lock(&e->mu);
        if (ok) {
            s->done = true;
        } else if (!e->stop) {
            memcpy(e->why, why, sizeof why);
            e->stop = true;
        }
        pthread_cond_broadcast(&e->cv);
    }
    pthread_mutex_unlock(&e->mu);
    deflateEnd(&zs);
    return NULL;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* One chunk: length, type, data (+ an optional tail in the same chunk), CRC. */
static bool put_chunk(atomic_file *af, const char type[4], const uint8_t *data, size_t len,
                      const uint8_t *tail, size_t tail_len, vp_err *err)
{
    uint8_t head[8], crc_be[4];
    put_be32(head, (uint32_t)(len + tail_len));
    memcpy(head + 4, type, 4);
    uLong crc = crc32(crc32(0, NULL, 0), head + 4, 4);
    if (len) /* crc32 of a NULL buffer is 0, not "unchanged" */
        crc = crc32(crc, data, (uInt)len);
    if (tail_len)
        crc = crc32(crc, tail, (uInt)tail_len);
    put_be32(crc_be, (uint32_t)crc);
    return atomic_file_write(af, head, 8, err) && (!len || atomic_file_write(af, data, len, err)) &&
           (!tail_len || atomic_file_write(af, tail, tail_len, err)) &&
           atomic_file_write(af, crc_be, 4, err);
}

/* Waits for each strip in order and writes it; false on a write error (err
 * set) or a worker's failure (e->why). */
static bool png_write_strips(png_enc *e, atomic_file *af, vp_err *err)
{
    uLong adler = adler32(0, NULL, 0);
    for (int i = 0; i < e->nstrips; i++) {
        png_strip *s = &e->slots[i % e->window];
        pthread_mutex_lock(&e->mu);
        while (!e->stop && !(s->index == i && s->done))
            pthread_cond_wait(&e->cv, &e->mu);
        bool stopped = e->stop;
        pthread_mutex_unlock(&e->mu);
        if (stopped)
            return vp_err_set(err, "%s: cannot write PNG: %s", af->path ? af->path : "?", e->why);
        adler = adler32_combine(adler, s->adler, (z_off_t)s->raw_len);
        uint8_t trailer[4];
        put_be32(trailer, (uint32_t)adler);
        bool last = i == e->nstrips - 1;
        if (!put_chunk(af, "IDAT", s->z, s->z_len, trailer, last ? 4 : 0, err))
            return false;
        pthread_mutex_lock(&e->mu);
        s->index = -1;
        e->next_write++;
        pthread_cond_broadcast(&e->cv);
        pthread_mutex_unlock(&e->mu);
    }
    return true;
}

bool png_encode_rows(atomic_file *af, int width, int height, bool has_alpha, png_rows_fn fill,
                     void *ctx, int threads, vp_err *err)
{
    const char *path = af->path ? af->path : "?";
    if (width <= 0 || height <= 0)
        return vp_err_set(err, "%s: cannot write PNG: bad image (%dx%d)", path, width, height);
    if (width > PNG_OUT_MAX_WIDTH)
        return vp_err_set(err, "%s: cannot write PNG: %d pixels wide is more than PNG readers take "
                               "(at most %d)", path, width, PNG_OUT_MAX_WIDTH);
    png_enc e = {.width = width, .height = height, .has_alpha = has_alpha, .fill = fill, .ctx = ctx};
    e.row_bytes = 1 + (size_t)width * (has_alpha ? 4 : 3);
    e.rows_per_strip = (int)(PNG_OUT_STRIP_BYTES / e.row_bytes);
    e.rows_per_strip = e.rows_per_strip < 1 ? 1 : e.rows_per_strip > height ? height : e.rows_per_strip;
    e.nstrips = (height + e.rows_per_strip - 1) / e.rows_per_strip;
    /* more workers than cores would only hold more strips */
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    cores = cores < 1 ? 1 : cores > 64 ? 64 : cores;
    threads = threads <= 0 || threads > cores ? (int)cores : threads;
    threads = threads > e.nstrips ? e.nstrips : threads;
    /* a strip per worker, and slack so that one slow strip does not stall
     * the others while it is written */
    e.window = threads + threads / 2 + 1;
    pthread_t *tids = calloc((size_t)threads, sizeof *tids);
    e.slots = calloc((size_t)e.window, sizeof *e.slots);
    bool ok = tids && e.slots;
    size_t raw_cap = (size_t)e.rows_per_strip * e.row_bytes;
    for (int k = 0; ok && k < e.window; k++) {
        e.slots[k].index = -1;
        ok = (e.slots[k].raw = malloc(raw_cap)) != NULL;
    }
    if (!ok) {
        vp_err_set(err, "%s: cannot write PNG: out of memory", path);
        goto out;
    }

    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    uint8_t ihdr[13];
    put_be32(ihdr, (uint32_t)width);
    put_be32(ihdr + 4, (uint32_t)height);
    ihdr[8] = 8;                  /* bits per sample */
    ihdr[9] = has_alpha ? 6 : 2;  /* RGBA : RGB */
    ihdr[10] = ihdr[11] = ihdr[12] = 0; /* deflate, adaptive filtering (per-row type), no interlace */
    if (!atomic_file_write(af, sig, sizeof sig, err) || !put_chunk(af, "IHDR", ihdr, 13, NULL, 0, err)) {
        ok = false;
        goto out;
    }

    pthread_mutex_init(&e.mu, NULL);
    pthread_cond_init(&e.cv, NULL);
    int started = 0;
    for (; started < threads; started++)
        if (pthread_create(&tids[started], NULL, png_worker, &e) != 0)
            break;
    if (started == 0) {
        snprintf(e.why, sizeof e.why, "cannot start a thread");
        e.stop = true;
    }
    ok = png_write_strips(&e, af, err);
    pthread_mutex_lock(&e.mu);
    e.stop = true; /* after an error: the workers stop taking strips */
    pthread_cond_broadcast(&e.cv);
    pthread_mutex_unlock(&e.mu);
    for (int k = 0; k < started; k++)
        pthread_join(tids[k], NULL);
    pthread_cond_destroy(&e.cv);
    pthread_mutex_destroy(&e.mu);
    ok = ok && put_chunk(af, "IEND", NULL, 0, NULL, 0, err);
out:
    for (int k = 0; e.slots && k < e.window; k++) {
        free(e.slots[k].raw);
        free(e.slots[k].z);
    }
    free(e.slots);
    free(tids);
    return ok;
}

typedef struct rgba_rows {
    const uint8_t *pixels;
    size_t stride;
    int width;
    bool has_alpha;
} rgba_rows;

static bool rgba_fill(void *ctx, int y0, int y1, uint8_t *rows, size_t stride)
{
    const rgba_rows *r = ctx;
    for (int y = y0; y < y1; y++) {
        const uint8_t *src = r->pixels + (size_t)y * r->stride;
        uint8_t *dst = rows + (size_t)(y - y0) * stride;
        if (r->has_alpha) {
            memcpy(dst, src, (size_t)r->width * 4);
            continue;
        }
        for (int x = 0; x < r->width; x++)
            memcpy(dst + 3 * (size_t)x, src + 4 * (size_t)x, 3);
    }
    return true;
}

bool png_encode_rgba(atomic_file *af, const uint8_t *pixels, int width, int height,
                     size_t stride, bool has_alpha, vp_err *err)
{
    const char *path = af->path ? af->path : "?";
    if (width <= 0 || height <= 0 || !pixels || stride < (size_t)width * 4)
        return vp_err_set(err, "%s: cannot write PNG: bad image (%dx%d, stride %zu)", path, width,
                          height, stride);
    rgba_rows r = {pixels, stride, width, has_alpha};
    return png_encode_rows(af, width, height, has_alpha, rgba_fill, &r, 0, err);
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
