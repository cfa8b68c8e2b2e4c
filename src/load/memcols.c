#include "load/memcols.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "load/dataset.h"

typedef struct mchunk {
    double *x, *y;     /* finite points, DATASET_CHUNK_RECORDS allocated */
    uint32_t n;        /* finite points stored */
    uint32_t records;  /* rows, non-finite included */
    double bbox[4];
} mchunk;

struct memcols {
    pthread_rwlock_t lock;
    mchunk **chunks;   /* pointers: a chunk never moves while readers use it */
    uint64_t nchunks, cap;
    bool open;         /* the last chunk still takes rows */
    uint64_t records;
};

memcols *memcols_create(void)
{
    memcols *m = calloc(1, sizeof *m);
    if (m)
        pthread_rwlock_init(&m->lock, NULL);
    return m;
}

static void free_chunk(mchunk *c)
{
    if (c) {
        free(c->x);
        free(c->y);
        free(c);
    }
}

void memcols_destroy(memcols *m)
{
    if (!m)
        return;
    for (uint64_t i = 0; i < m->nchunks; i++)
        free_chunk(m->chunks[i]);
    free(m->chunks);
    pthread_rwlock_destroy(&m->lock);
    free(m);
}

/* With the write lock held: the chunk taking rows, new if needed. */
static mchunk *tail(memcols *m)
{
    if (m->open && m->chunks[m->nchunks - 1]->records < DATASET_CHUNK_RECORDS)
        return m->chunks[m->nchunks - 1];
    if (m->nchunks == m->cap) {
        uint64_t ncap = m->cap ? m->cap * 2 : 64;
        mchunk **nc = realloc(m->chunks, ncap * sizeof *nc);
        if (!nc)
            return NULL;
        m->chunks = nc;
        m->cap = ncap;
    }
    mchunk *c = calloc(1, sizeof *c);
    if (!c || !(c->x = malloc(DATASET_CHUNK_RECORDS * sizeof *c->x)) ||
        !(c->y = malloc(DATASET_CHUNK_RECORDS * sizeof *c->y))) {
        free_chunk(c);
        return NULL;
    }
    c->bbox[0] = c->bbox[2] = INFINITY;
    c->bbox[1] = c->bbox[3] = -INFINITY;
    m->chunks[m->nchunks++] = c;
    m->open = true;
    return c;
}

bool memcols_append(memcols *m, const double *x, const double *y, size_t n)
{
    pthread_rwlock_wrlock(&m->lock);
    size_t i = 0;
    bool ok = true;
    while (i < n) {
        mchunk *c = tail(m);
        if (!c) {
            ok = false;
            break;
        }
        size_t room = DATASET_CHUNK_RECORDS - c->records;
        size_t take = n - i < room ? n - i : room;
        for (size_t j = 0; j < take; j++) {
            double a = x[i + j], b = y[i + j];
            bool fin = isfinite(a) && isfinite(b);
            c->x[c->n] = a;
            c->y[c->n] = b;
            c->n += fin;
            if (fin) {
                c->bbox[0] = a < c->bbox[0] ? a : c->bbox[0];
                c->bbox[1] = a > c->bbox[1] ? a : c->bbox[1];
                c->bbox[2] = b < c->bbox[2] ? b : c->bbox[2];
                c->bbox[3] = b > c->bbox[3] ? b : c->bbox[3];
            }
        }
        c->records += (uint32_t)take;
        m->records += take;
        i += take;
        if (c->records == DATASET_CHUNK_RECORDS)
            m->open = false;
    }
    pthread_rwlock_unlock(&m->lock);
    return ok;
}

void memcols_seal(memcols *m)
{
    pthread_rwlock_wrlock(&m->lock);
    m->open = false;
    pthread_rwlock_unlock(&m->lock);
}

void memcols_truncate(memcols *m, uint64_t keep)
{
    pthread_rwlock_wrlock(&m->lock);
    while (m->nchunks > keep) {
        mchunk *c = m->chunks[--m->nchunks];
        m->records -= c->records;
        free_chunk(c);
    }
    m->open = false;
    pthread_rwlock_unlock(&m->lock);
}

uint64_t memcols_records(const memcols *m)
{
    pthread_rwlock_rdlock((pthread_rwlock_t *)&m->lock);
    uint64_t r = m->records;
    pthread_rwlock_unlock((pthread_rwlock_t *)&m->lock);
    return r;
}

uint64_t memcols_chunks(const memcols *m)
{
    pthread_rwlock_rdlock((pthread_rwlock_t *)&m->lock);
    uint64_t n = m->nchunks - (m->open ? 1 : 0);
    pthread_rwlock_unlock((pthread_rwlock_t *)&m->lock);
    return n;
}

void memcols_chunk(const memcols *m, uint64_t k, double *x, double *y, size_t *n,
                   uint64_t *records, uint64_t *nonfinite)
{
    pthread_rwlock_rdlock((pthread_rwlock_t *)&m->lock);
    *n = 0;
    if (k < m->nchunks) {
        const mchunk *c = m->chunks[k];
        memcpy(x, c->x, c->n * sizeof *x);
        memcpy(y, c->y, c->n * sizeof *y);
        *n = c->n;
        *records += c->records;
        *nonfinite += c->records - c->n;
    }
    pthread_rwlock_unlock((pthread_rwlock_t *)&m->lock);
}

void memcols_chunk_bbox(const memcols *m, uint64_t k, double out[4])
{
    pthread_rwlock_rdlock((pthread_rwlock_t *)&m->lock);
    if (k < m->nchunks)
        memcpy(out, m->chunks[k]->bbox, 4 * sizeof *out);
    else
        out[0] = INFINITY, out[1] = -INFINITY, out[2] = INFINITY, out[3] = -INFINITY;
    pthread_rwlock_unlock((pthread_rwlock_t *)&m->lock);
}

uint32_t memcols_chunk_records(const memcols *m, uint64_t k)
{
    pthread_rwlock_rdlock((pthread_rwlock_t *)&m->lock);
    uint32_t r = k < m->nchunks ? m->chunks[k]->records : 0;
    pthread_rwlock_unlock((pthread_rwlock_t *)&m->lock);
    return r;
}
