#include "load/memcols.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "load/dataset.h"

typedef struct mchunk {
    double *x, *y;   /* held in memory (n values each), or NULL */
    double *w;       /* likewise, with w; else NULL */
    bool on_file;    /* e.off/xbytes/ybytes/wbytes say where (vacuously true when n == 0) */
    uint32_t *brk;   /* e.nbrk break positions (memcols.h), always in memory; or NULL */
    uint32_t brk_cap;
    memcols_entry e;
} mchunk;

/* One writer's state. Only its own thread touches `open` and the spares;
 * `pending` and `done` change under the write lock. */
typedef struct mpart {
    mchunk *open;            /* taking rows, or NULL */
    double *spare_x, *spare_y, *spare_w; /* full-size buffers to reuse for the next chunk */
    float *f32;              /* conversion scratch for spill writes */
    mchunk **pending;        /* sealed, not yet visible (an earlier part is not done) */
    size_t npending, cap;
    bool done;
    bool brk_pending;        /* a break came with no open chunk: the next one starts with it */
} mpart;

struct memcols {
    pthread_rwlock_t lock;
    mchunk **chunks;         /* visible chunks: pointers, so a chunk never moves */
    uint64_t nchunks, cap;
    mpart *parts;
    int nparts, live;        /* live: the first part not done; its chunks show at once */
    bool carry;              /* a done part ended with a break: the next chunk shown starts
                              * with it (under the lock) */
    bool with_w;
    size_t row_bytes;        /* of a finite row in memory: 16, 24 with w */
    _Atomic uint64_t records;
    _Atomic size_t mem_held; /* bytes of chunk values held in memory */
    int fd;                  /* spill file, or -1 */
    bool spill_all;
    size_t budget;
    _Atomic uint64_t spill_end;
    _Atomic int spill_errno;
    char *origin;            /* the cache file read, removed when found damaged */
};

memcols *memcols_create(bool with_w)
{
    memcols *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->with_w = with_w;
    m->row_bytes = with_w ? 24 : 16;
    if (!(m->parts = calloc(1, sizeof *m->parts))) {
        free(m);
        return NULL;
    }
    m->nparts = 1;
    m->fd = -1;
    m->budget = MEMCOLS_MEM_BUDGET;
    const char *env = getenv("VASTPLOT_MEM_BUDGET");
    if (env && *env >= '0' && *env <= '9')
        m->budget = (size_t)strtoull(env, NULL, 10);
    pthread_rwlock_init(&m->lock, NULL);
    return m;
}

bool memcols_has_w(const memcols *m) { return m->with_w; }

static void free_chunk(mchunk *c)
{
    if (c) {
        free(c->x);
        free(c->y);
        free(c->w);
        free(c->brk);
        free(c);
    }
}

static void free_part(mpart *p)
{
    free_chunk(p->open);
    free(p->spare_x);
    free(p->spare_y);
    free(p->spare_w);
    free(p->f32);
    for (size_t i = 0; i < p->npending; i++)
        free_chunk(p->pending[i]);
    free(p->pending);
}

void memcols_destroy(memcols *m)
{
    if (!m)
        return;
    for (uint64_t i = 0; i < m->nchunks; i++)
        free_chunk(m->chunks[i]);
    free(m->chunks);
    for (int i = 0; i < m->nparts; i++)
        free_part(&m->parts[i]);
    free(m->parts);
    if (m->fd >= 0)
        close(m->fd);
    free(m->origin);
    pthread_rwlock_destroy(&m->lock);
    free(m);
}

void memcols_spill_to(memcols *m, int fd, uint64_t at, bool all, size_t budget)
{
    if (m->fd >= 0)
        close(m->fd);
    m->fd = fd;
    m->spill_end = at;
    m->spill_all = all;
    if (budget)
        m->budget = budget;
}

int memcols_spill_errno(const memcols *m) { return atomic_load(&m->spill_errno); }
uint64_t memcols_spill_end(const memcols *m) { return atomic_load(&m->spill_end); }
size_t memcols_mem_bytes(const memcols *m) { return atomic_load(&m->mem_held); }

bool memcols_set_parts(memcols *m, int n)
{
    if (n < 1)
        n = 1;
    mpart *p = calloc((size_t)n, sizeof *p);
    if (!p)
        return false;
    for (int i = 0; i < m->nparts; i++)
        free_part(&m->parts[i]);
    free(m->parts);
    m->parts = p;
    m->nparts = n;
    m->live = 0;
    return true;
}

/* A break at position `at` of chunk c, merged with the last one when they
 * are one (positions only grow while a chunk is filled). */
static bool add_brk(mchunk *c, uint32_t at)
{
    uint32_t nb = c->e.nbrk;
    if (nb && c->brk[nb - 1] == at)
        return true;
    if (nb == c->brk_cap) {
        uint32_t cap = c->brk_cap ? 2 * c->brk_cap : 8;
        uint32_t *b = realloc(c->brk, (size_t)cap * sizeof *b);
        if (!b)
            return false;
        c->brk = b;
        c->brk_cap = cap;
    }
    c->brk[c->e.nbrk++] = at;
    return true;
}

/* A break before chunk c's first point (from a part before c's). */
static bool add_brk_front(mchunk *c)
{
    if (c->e.nbrk && c->brk[0] == 0)
        return true;
    uint32_t nb = c->e.nbrk;
    if (!add_brk(c, 0))
        return false;
    if (c->e.nbrk > nb && nb) { /* appended at the end: move it to the front */
        memmove(c->brk + 1, c->brk, (size_t)nb * sizeof *c->brk);
        c->brk[0] = 0;
    }
    return true;
}

/* With the write lock held. */
static bool show(memcols *m, mchunk *c)
{
    if (m->carry) {
        if (!add_brk_front(c))
            return false;
        m->carry = false;
    }
    if (m->nchunks == m->cap) {
        uint64_t ncap = m->cap ? m->cap * 2 : 64;
        mchunk **nc = realloc(m->chunks, ncap * sizeof *nc);
        if (!nc)
            return false;
        m->chunks = nc;
        m->cap = ncap;
    }
    m->chunks[m->nchunks++] = c;
    return true;
}

static bool pend(mpart *p, mchunk *c)
{
    if (p->npending == p->cap) {
        size_t ncap = p->cap ? p->cap * 2 : 16;
        mchunk **nc = realloc(p->pending, ncap * sizeof *nc);
        if (!nc)
            return false;
        p->pending = nc;
        p->cap = ncap;
    }
    p->pending[p->npending++] = c;
    return true;
}

static bool pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
    const char *b = buf;
    while (len) {
        ssize_t w = pwrite(fd, b, len, (off_t)off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = ENOSPC;
            return false;
        }
        b += w;
        len -= (size_t)w;
        off += (uint64_t)w;
    }
    return true;
}

/* The column's bytes as 64-bit words (a last half word zero-extended), summed. */
static uint64_t sum_bytes(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t s = 0;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        s += w;
    }
    if (i < len) {
        uint64_t w = 0;
        memcpy(&w, p + i, len - i);
        s += w;
    }
    return s;
}

static bool fits_f32(const double *v, size_t n)
{
    bool ok = true;
    for (size_t i = 0; i < n; i++)
        ok &= (double)(float)v[i] == v[i];
    return ok;
}

static const double pow10_tab[10] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};

/* v rounded to the nearest integer (ties to even) for |v| < 2^51, inline and
 * vectorisable (nearbyint is a call); larger |v| come out larger than 2^31,
 * which the callers refuse anyway. */
static inline double round_int(double v)
{
    const double magic = 6755399441055744.0; /* 1.5 * 2^52; the build has no -ffast-math */
    return (v + magic) - magic;
}

/* The smallest k (<= 9) with every v[i] == m / 10^k for an int32 m, as 1 + k;
 * 0 when there is none. */
static uint8_t decimal_scale(const double *v, uint32_t n)
{
    if (n == 0)
        return 0;
    for (int k = 0; k < 10; k++) {
        double p = pow10_tab[k];
        /* a first look at one value saves whole passes that must fail */
        double m0 = round_int(v[0] * p);
        if (!(fabs(m0) <= 2147483647.0) || m0 / p != v[0])
            continue;
        bool ok = true;
        for (uint32_t i = 0; i < n && ok; i++) {
            double m = round_int(v[i] * p);
            /* -0.0 equals 0 but an int32 cannot keep its sign */
            ok = fabs(m) <= 2147483647.0 && m / p == v[i] && !(v[i] == 0 && signbit(v[i]));
        }
        if (ok)
            return (uint8_t)(k + 1);
    }
    return 0;
}

/* Writes one column at off as float32 (when exact) or float64. */
static bool write_col(memcols *m, mpart *p, const double *v, uint32_t n, uint8_t bytes, uint8_t dec,
                      uint64_t off, uint64_t *sum)
{
    if (bytes == 8) {
        *sum += sum_bytes(v, (size_t)n * 8);
        return pwrite_all(m->fd, v, (size_t)n * 8, off);
    }
    if (dec) {
        int32_t *q = (int32_t *)p->f32;
        double s = pow10_tab[dec - 1];
        for (uint32_t i = 0; i < n; i++)
            q[i] = (int32_t)round_int(v[i] * s);
    } else {
        for (uint32_t i = 0; i < n; i++)
            p->f32[i] = (float)v[i];
    }
    *sum += sum_bytes(p->f32, (size_t)n * 4);
    return pwrite_all(m->fd, p->f32, (size_t)n * 4, off);
}

static bool spill(memcols *m, mpart *p, mchunk *c)
{
    if (!p->f32 && !(p->f32 = malloc(DATASET_CHUNK_RECORDS * sizeof *p->f32)))
        return false;
    uint32_t n = c->e.n;
    c->e.xdec = c->e.ydec = c->e.wdec = 0;
    c->e.xbytes = fits_f32(c->x, n) || (c->e.xdec = decimal_scale(c->x, n)) ? 4 : 8;
    c->e.ybytes = fits_f32(c->y, n) || (c->e.ydec = decimal_scale(c->y, n)) ? 4 : 8;
    c->e.wbytes = !c->w ? 0 : fits_f32(c->w, n) || (c->e.wdec = decimal_scale(c->w, n)) ? 4 : 8;
    uint64_t bx = (uint64_t)n * c->e.xbytes, by = (uint64_t)n * c->e.ybytes;
    uint64_t bw = (uint64_t)n * c->e.wbytes;
    uint64_t off = atomic_fetch_add(&m->spill_end, bx + by + bw);
    c->e.sum = 0;
    if (!write_col(m, p, c->x, n, c->e.xbytes, c->e.xdec, off, &c->e.sum) ||
        !write_col(m, p, c->y, n, c->e.ybytes, c->e.ydec, off + bx, &c->e.sum) ||
        (c->w && !write_col(m, p, c->w, n, c->e.wbytes, c->e.wdec, off + bx + by, &c->e.sum))) {
        int zero = 0;
        atomic_compare_exchange_strong(&m->spill_errno, &zero, errno ? errno : EIO);
        return false;
    }
    c->e.off = off;
    return true;
}

static void recycle(mpart *p, double **x, double **y, double **w)
{
    if (!p->spare_x) {
        p->spare_x = *x;
        p->spare_y = *y;
        p->spare_w = *w;
    } else {
        free(*x);
        free(*y);
        free(*w);
    }
    *x = *y = *w = NULL;
}

/* Seals part p's open chunk: to the spill file and/or kept in memory, then
 * visible or pending. From the part's own thread. */
static bool seal_part(memcols *m, int pi)
{
    mpart *p = &m->parts[pi];
    mchunk *c = p->open;
    if (!c)
        return true;
    p->open = NULL;
    if (c->e.records == 0) {
        recycle(p, &c->x, &c->y, &c->w);
        free_chunk(c);
        return true;
    }
    size_t bytes = (size_t)c->e.n * m->row_bytes;
    if (c->e.n == 0) {
        c->on_file = true;
        c->e.xbytes = c->e.ybytes = 8;
        c->e.wbytes = c->w ? 8 : 0;
    } else if (m->fd >= 0 && !atomic_load(&m->spill_errno) &&
               (m->spill_all || atomic_load(&m->mem_held) + bytes > m->budget)) {
        c->on_file = spill(m, p, c);
    }
    bool keep = c->e.n && (!c->on_file || atomic_load(&m->mem_held) + bytes <= m->budget);
    if (keep) {
        if (c->e.n < DATASET_CHUNK_RECORDS) { /* a short chunk keeps only what it holds */
            double *nx = realloc(c->x, (size_t)c->e.n * sizeof *nx);
            if (nx)
                c->x = nx;
            double *ny = realloc(c->y, (size_t)c->e.n * sizeof *ny);
            if (ny)
                c->y = ny;
            double *nw = c->w ? realloc(c->w, (size_t)c->e.n * sizeof *nw) : NULL;
            if (nw)
                c->w = nw;
        }
        atomic_fetch_add(&m->mem_held, bytes);
    } else {
        recycle(p, &c->x, &c->y, &c->w);
    }
    pthread_rwlock_wrlock(&m->lock);
    bool ok = pi == m->live ? show(m, c) : pend(p, c);
    pthread_rwlock_unlock(&m->lock);
    if (!ok)
        free_chunk(c);
    return ok;
}

static mchunk *open_chunk(mpart *p, bool with_w)
{
    mchunk *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    if (p->spare_x) {
        c->x = p->spare_x;
        c->y = p->spare_y;
        c->w = p->spare_w;
        p->spare_x = p->spare_y = p->spare_w = NULL;
    } else if (!(c->x = malloc(DATASET_CHUNK_RECORDS * sizeof *c->x)) ||
               !(c->y = malloc(DATASET_CHUNK_RECORDS * sizeof *c->y)) ||
               (with_w && !(c->w = malloc(DATASET_CHUNK_RECORDS * sizeof *c->w)))) {
        free_chunk(c);
        return NULL;
    }
    c->e.bbox[0] = c->e.bbox[2] = INFINITY;
    c->e.bbox[1] = c->e.bbox[3] = -INFINITY;
    c->e.wrange[0] = INFINITY;
    c->e.wrange[1] = -INFINITY;
    return c;
}

/* take rows into chunk c from row i: the finite ones stored, its box (and w
 * range) widened. Two loops, so the two-column one stays as it was. */
static void fill_xy(mchunk *c, const double *x, const double *y, size_t take)
{
    uint32_t k = c->e.n;
    double x0 = c->e.bbox[0], x1 = c->e.bbox[1], y0 = c->e.bbox[2], y1 = c->e.bbox[3];
    for (size_t j = 0; j < take; j++) {
        double a = x[j], b = y[j];
        bool fin = isfinite(a) && isfinite(b);
        c->x[k] = a;
        c->y[k] = b;
        k += fin;
        if (fin) {
            x0 = a < x0 ? a : x0;
            x1 = a > x1 ? a : x1;
            y0 = b < y0 ? b : y0;
            y1 = b > y1 ? b : y1;
        }
    }
    c->e.bbox[0] = x0, c->e.bbox[1] = x1, c->e.bbox[2] = y0, c->e.bbox[3] = y1;
    c->e.n = k;
}

static void fill_xyw(mchunk *c, const double *x, const double *y, const double *w, size_t take)
{
    uint32_t k = c->e.n;
    double x0 = c->e.bbox[0], x1 = c->e.bbox[1], y0 = c->e.bbox[2], y1 = c->e.bbox[3];
    double w0 = c->e.wrange[0], w1 = c->e.wrange[1];
    for (size_t j = 0; j < take; j++) {
        double a = x[j], b = y[j], v = w[j];
        bool fin = isfinite(a) && isfinite(b) && isfinite(v);
        c->x[k] = a;
        c->y[k] = b;
        c->w[k] = v;
        k += fin;
        if (fin) {
            x0 = a < x0 ? a : x0;
            x1 = a > x1 ? a : x1;
            y0 = b < y0 ? b : y0;
            y1 = b > y1 ? b : y1;
            w0 = v < w0 ? v : w0;
            w1 = v > w1 ? v : w1;
        }
    }
    c->e.bbox[0] = x0, c->e.bbox[1] = x1, c->e.bbox[2] = y0, c->e.bbox[3] = y1;
    c->e.wrange[0] = w0, c->e.wrange[1] = w1;
    c->e.n = k;
}

/* Rows [0, take) were just filled into c from point k on, and some were not
 * finite: each run of those is a break where it lay. Not the common case:
 * the fill loops above stay as they are. */
static bool nonfinite_breaks(mchunk *c, const double *x, const double *y, const double *w,
                             size_t take, uint32_t k)
{
    for (size_t j = 0; j < take; j++) {
        bool fin = isfinite(x[j]) && isfinite(y[j]) && (!w || isfinite(w[j]));
        if (fin)
            k++;
        else if (!add_brk(c, k))
            return false;
    }
    return true;
}

bool memcols_append_part(memcols *m, int part, const double *x, const double *y, const double *w,
                         size_t n)
{
    if (m->with_w && !w)
        return n == 0;
    mpart *p = &m->parts[part];
    size_t i = 0;
    while (i < n) {
        if (!p->open && !(p->open = open_chunk(p, m->with_w)))
            return false;
        mchunk *c = p->open;
        if (p->brk_pending) {
            if (!add_brk(c, c->e.n))
                return false;
            p->brk_pending = false;
        }
        size_t room = DATASET_CHUNK_RECORDS - c->e.records;
        size_t take = n - i < room ? n - i : room;
        uint32_t k0 = c->e.n;
        if (m->with_w)
            fill_xyw(c, x + i, y + i, w + i, take);
        else
            fill_xy(c, x + i, y + i, take);
        if (c->e.n - k0 != take &&
            !nonfinite_breaks(c, x + i, y + i, m->with_w ? w + i : NULL, take, k0))
            return false;
        c->e.records += (uint32_t)take;
        atomic_fetch_add(&m->records, take);
        i += take;
        if (c->e.records == DATASET_CHUNK_RECORDS && !seal_part(m, part))
            return false;
    }
    return true;
}

bool memcols_append(memcols *m, const double *x, const double *y, const double *w, size_t n)
{
    return memcols_append_part(m, 0, x, y, w, n);
}

bool memcols_break_part(memcols *m, int part)
{
    mpart *p = &m->parts[part];
    if (p->open)
        return add_brk(p->open, p->open->e.n);
    p->brk_pending = true;
    return true;
}

bool memcols_break(memcols *m) { return memcols_break_part(m, 0); }

void memcols_part_done(memcols *m, int part)
{
    seal_part(m, part);
    pthread_rwlock_wrlock(&m->lock);
    m->parts[part].done = true;
    while (m->live < m->nparts && m->parts[m->live].done) {
        /* a break after the part's last row lies before the next part's first */
        if (m->parts[m->live].brk_pending)
            m->carry = true;
        m->parts[m->live].brk_pending = false;
        m->live++;
        if (m->live < m->nparts) {
            mpart *q = &m->parts[m->live];
            for (size_t i = 0; i < q->npending; i++)
                if (!show(m, q->pending[i]))
                    free_chunk(q->pending[i]);
            q->npending = 0;
        }
    }
    pthread_rwlock_unlock(&m->lock);
}

void memcols_seal(memcols *m) { seal_part(m, 0); }

void memcols_truncate(memcols *m, uint64_t keep)
{
    pthread_rwlock_wrlock(&m->lock);
    while (m->nchunks > keep) {
        mchunk *c = m->chunks[--m->nchunks];
        m->records -= c->e.records;
        if (c->x)
            m->mem_held -= (size_t)c->e.n * m->row_bytes;
        free_chunk(c);
    }
    mpart *p = &m->parts[0];
    if (p->open) {
        m->records -= p->open->e.records;
        recycle(p, &p->open->x, &p->open->y, &p->open->w);
        free_chunk(p->open);
        p->open = NULL;
    }
    p->brk_pending = false;
    m->carry = false;
    pthread_rwlock_unlock(&m->lock);
}

uint64_t memcols_records(const memcols *m) { return atomic_load(&m->records); }

uint64_t memcols_chunks(const memcols *m)
{
    pthread_rwlock_rdlock((pthread_rwlock_t *)&m->lock);
    uint64_t n = m->nchunks;
    pthread_rwlock_unlock((pthread_rwlock_t *)&m->lock);
    return n;
}

static bool pread_all(int fd, void *buf, size_t len, uint64_t off)
{
    char *b = buf;
    while (len) {
        ssize_t r = pread(fd, b, len, (off_t)off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            if (r == 0)
                errno = EIO; /* the spill file is shorter than its index says */
            return false;
        }
        b += r;
        len -= (size_t)r;
        off += (uint64_t)r;
    }
    return true;
}

/* Reads a column of n values into dst (room for n doubles). float32 values
 * are read into the upper half and widened in place, front to back: dst[i]
 * only ever overwrites float32 values already widened. */
static bool read_col(int fd, double *dst, uint32_t n, uint8_t bytes, uint8_t dec, uint64_t off,
                     uint64_t *sum)
{
    if (bytes == 8) {
        if (!pread_all(fd, dst, (size_t)n * 8, off))
            return false;
        *sum += sum_bytes(dst, (size_t)n * 8);
        return true;
    }
    float *src = (float *)((char *)dst + (size_t)n * 4);
    if (!pread_all(fd, src, (size_t)n * 4, off))
        return false;
    *sum += sum_bytes(src, (size_t)n * 4);
    if (dec) {
        const int32_t *q = (const int32_t *)src;
        double s = pow10_tab[dec - 1];
        for (uint32_t i = 0; i < n; i++)
            dst[i] = (double)q[i] / s;
        return true;
    }
    for (uint32_t i = 0; i < n; i++)
        dst[i] = (double)src[i];
    return true;
}

bool memcols_chunk(const memcols *m, uint64_t k, double *x, double *y, double *w, size_t *n,
                   uint64_t *records, uint64_t *nonfinite, const char *name, vp_err *err)
{
    return memcols_chunk_breaks(m, k, x, y, w, n, NULL, NULL, records, nonfinite, name, err);
}

bool memcols_chunk_breaks(const memcols *m, uint64_t k, double *x, double *y, double *w, size_t *n,
                          uint32_t *brk, size_t *nbrk, uint64_t *records, uint64_t *nonfinite,
                          const char *name, vp_err *err)
{
    *n = 0;
    if (nbrk)
        *nbrk = 0;
    if ((w != NULL) != m->with_w)
        return vp_err_set(err, "%s: internal error: reading columns %s w, but they have %s", name,
                          w ? "with" : "without", m->with_w ? "one" : "none");
    pthread_rwlock_rdlock((pthread_rwlock_t *)&m->lock);
    if (k >= m->nchunks) {
        pthread_rwlock_unlock((pthread_rwlock_t *)&m->lock);
        return true;
    }
    const mchunk *c = m->chunks[k];
    memcols_entry e = c->e;
    bool in_memory = c->x != NULL;
    if (in_memory) {
        memcpy(x, c->x, e.n * sizeof *x);
        memcpy(y, c->y, e.n * sizeof *y);
        if (w)
            memcpy(w, c->w, e.n * sizeof *w);
    }
    if (brk && e.nbrk)
        memcpy(brk, c->brk, e.nbrk * sizeof *brk);
    pthread_rwlock_unlock((pthread_rwlock_t *)&m->lock);
    /* Spilled bytes are never rewritten: the read needs no lock. */
    uint64_t sum = 0;
    if (!in_memory && e.n &&
        (!read_col(m->fd, x, e.n, e.xbytes, e.xdec, e.off, &sum) ||
         !read_col(m->fd, y, e.n, e.ybytes, e.ydec, e.off + (uint64_t)e.n * e.xbytes, &sum) ||
         (w && !read_col(m->fd, w, e.n, e.wbytes, e.wdec,
                         e.off + (uint64_t)e.n * (e.xbytes + e.ybytes), &sum))))
        return vp_err_set(err, "%s: reading its columns back from %s: %s", name,
                          m->origin ? m->origin : "the spill file", strerror(errno));
    if (!in_memory && e.n && sum != e.sum) {
        if (m->origin) {
            unlink(m->origin);
            return vp_err_set(err, "%s: the column cache entry %s is damaged (chunk %" PRIu64 " does not "
                                   "match its sum); it was removed: run again to parse the text anew",
                              name, m->origin, k);
        }
        return vp_err_set(err, "%s: the spill file's chunk %" PRIu64 " reads back other bytes than were "
                               "written", name, k);
    }
    *n = e.n;
    if (nbrk)
        *nbrk = e.nbrk;
    *records += e.records;
    *nonfinite += e.records - e.n;
    return true;
}

void memcols_chunk_bbox(const memcols *m, uint64_t k, double out[4])
{
    pthread_rwlock_rdlock((pthread_rwlock_t *)&m->lock);
    if (k < m->nchunks)
        memcpy(out, m->chunks[k]->e.bbox, 4 * sizeof *out);
    else
        out[0] = INFINITY, out[1] = -INFINITY, out[2] = INFINITY, out[3] = -INFINITY;
    pthread_rwlock_unlock((pthread_rwlock_t *)&m->lock);
}

void memcols_chunk_wrange(const memcols *m, uint64_t k, double out[2])
{
    pthread_rwlock_rdlock((pthread_rwlock_t *)&m->lock);
    if (k < m->nchunks)
        memcpy(out, m->chunks[k]->e.wrange, 2 * sizeof *out);
    else
        out[0] = INFINITY, out[1] = -INFINITY;
    pthread_rwlock_unlock((pthread_rwlock_t *)&m->lock);
}

uint32_t memcols_chunk_records(const memcols *m, uint64_t k)
{
    pthread_rwlock_rdlock((pthread_rwlock_t *)&m->lock);
    uint32_t r = k < m->nchunks ? m->chunks[k]->e.records : 0;
    pthread_rwlock_unlock((pthread_rwlock_t *)&m->lock);
    return r;
}

uint32_t memcols_chunk_points(const memcols *m, uint64_t k)
{
    pthread_rwlock_rdlock((pthread_rwlock_t *)&m->lock);
    uint32_t r = k < m->nchunks ? m->chunks[k]->e.n : 0;
    pthread_rwlock_unlock((pthread_rwlock_t *)&m->lock);
    return r;
}

bool memcols_entries(const memcols *m, memcols_entry **out, uint64_t *n)
{
    pthread_rwlock_rdlock((pthread_rwlock_t *)&m->lock);
    bool ok = (*out = malloc((m->nchunks ? m->nchunks : 1) * sizeof **out)) != NULL;
    for (uint64_t i = 0; ok && i < m->nchunks; i++) {
        ok = m->chunks[i]->on_file;
        (*out)[i] = m->chunks[i]->e;
    }
    *n = m->nchunks;
    pthread_rwlock_unlock((pthread_rwlock_t *)&m->lock);
    if (!ok) {
        free(*out);
        *out = NULL;
    }
    return ok;
}

bool memcols_breaks(const memcols *m, uint32_t **out, uint64_t *n)
{
    pthread_rwlock_rdlock((pthread_rwlock_t *)&m->lock);
    uint64_t total = 0;
    for (uint64_t i = 0; i < m->nchunks; i++)
        total += m->chunks[i]->e.nbrk;
    bool ok = (*out = malloc((total ? total : 1) * sizeof **out)) != NULL;
    for (uint64_t i = 0, at = 0; ok && i < m->nchunks; i++) {
        const mchunk *c = m->chunks[i];
        if (c->e.nbrk)
            memcpy(*out + at, c->brk, c->e.nbrk * sizeof **out);
        at += c->e.nbrk;
    }
    *n = total;
    pthread_rwlock_unlock((pthread_rwlock_t *)&m->lock);
    return ok;
}

memcols *memcols_create_from_file(int fd, const memcols_entry *e, uint64_t n, bool with_w,
                                  const uint32_t *brk, const char *origin)
{
    memcols *m = memcols_create(with_w);
    if (!m || !(m->chunks = malloc((n ? n : 1) * sizeof *m->chunks)) || (origin && !(m->origin = strdup(origin)))) {
        memcols_destroy(m);
        close(fd);
        return NULL;
    }
    m->fd = fd;
    m->cap = n ? n : 1;
    m->parts[0].done = true;
    m->live = 1;
    uint64_t end = 0, records = 0;
    for (uint64_t i = 0; i < n; i++) {
        mchunk *c = calloc(1, sizeof *c);
        if (!c) {
            memcols_destroy(m);
            return NULL;
        }
        c->on_file = true;
        c->e = e[i];
        m->chunks[m->nchunks++] = c;
        if (!brk)
            c->e.nbrk = 0;
        if (c->e.nbrk) {
            if (!(c->brk = malloc(e[i].nbrk * sizeof *c->brk))) {
                memcols_destroy(m);
                return NULL;
            }
            memcpy(c->brk, brk, e[i].nbrk * sizeof *c->brk);
            c->brk_cap = e[i].nbrk;
            brk += e[i].nbrk;
        }
        records += e[i].records;
        uint64_t stop = e[i].off + (uint64_t)e[i].n * (e[i].xbytes + e[i].ybytes + e[i].wbytes);
        end = stop > end ? stop : end;
    }
    m->records = records;
    m->spill_end = end;
    return m;
}
