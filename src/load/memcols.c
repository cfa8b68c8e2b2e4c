#include "load/memcols.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "load/dataset.h"

typedef struct mchunk {
    double *x, *y;     /* finite points, DATASET_CHUNK_RECORDS allocated */
    uint32_t n;        /* finite points stored */
    uint32_t records;  /* rows, non-finite included */
} mchunk;

struct memcols {
    mchunk *chunks;
    uint64_t nchunks, cap;
    uint64_t records;
};

memcols *memcols_create(void)
{
    return calloc(1, sizeof(memcols));
}

void memcols_destroy(memcols *m)
{
    if (!m)
        return;
    for (uint64_t i = 0; i < m->nchunks; i++) {
        free(m->chunks[i].x);
        free(m->chunks[i].y);
    }
    free(m->chunks);
    free(m);
}

static mchunk *tail(memcols *m)
{
    if (m->nchunks && m->chunks[m->nchunks - 1].records < DATASET_CHUNK_RECORDS)
        return &m->chunks[m->nchunks - 1];
    if (m->nchunks == m->cap) {
        uint64_t ncap = m->cap ? m->cap * 2 : 64;
        mchunk *nc = realloc(m->chunks, ncap * sizeof *nc);
        if (!nc)
            return NULL;
        m->chunks = nc;
        m->cap = ncap;
    }
    mchunk *c = &m->chunks[m->nchunks];
    memset(c, 0, sizeof *c);
    c->x = malloc(DATASET_CHUNK_RECORDS * sizeof *c->x);
    c->y = malloc(DATASET_CHUNK_RECORDS * sizeof *c->y);
    if (!c->x || !c->y) {
        free(c->x);
        free(c->y);
        return NULL;
    }
    m->nchunks++;
    return c;
}

bool memcols_append(memcols *m, const double *x, const double *y, size_t n)
{
    size_t i = 0;
    while (i < n) {
        mchunk *c = tail(m);
        if (!c)
            return false;
        size_t room = DATASET_CHUNK_RECORDS - c->records;
        size_t take = n - i < room ? n - i : room;
        for (size_t j = 0; j < take; j++) {
            double a = x[i + j], b = y[i + j];
            c->x[c->n] = a;
            c->y[c->n] = b;
            c->n += isfinite(a) && isfinite(b);
        }
        c->records += (uint32_t)take;
        m->records += take;
        i += take;
    }
    return true;
}

uint64_t memcols_records(const memcols *m) { return m->records; }
uint64_t memcols_chunks(const memcols *m) { return m->nchunks; }

void memcols_chunk(const memcols *m, uint64_t k, double *x, double *y, size_t *n,
                   uint64_t *records, uint64_t *nonfinite)
{
    const mchunk *c = &m->chunks[k];
    memcpy(x, c->x, c->n * sizeof *x);
    memcpy(y, c->y, c->n * sizeof *y);
    *n = c->n;
    *records += c->records;
    *nonfinite += c->records - c->n;
}
