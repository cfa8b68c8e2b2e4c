#ifndef VP_MEMCOLS_H
#define VP_MEMCOLS_H
/* Decoded x,y columns kept in memory, for inputs that cannot be re-read in
 * windows: text files (parsing is the expensive part), standard input and
 * followed (growing) files. Rows are grouped into chunks of at most
 * DATASET_CHUNK_RECORDS; non-finite rows are counted per chunk and not
 * stored; each chunk knows its bounding box. 16 bytes per row.
 *
 * Thread safety: one writer (append, seal, truncate) and any number of readers
 * (memcols_chunk) may run at once. A chunk a reader has seen never changes
 * unless it is dropped by memcols_truncate. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct memcols memcols;

memcols *memcols_create(void);
void memcols_destroy(memcols *m); /* NULL is fine */
/* Appends n rows to the open chunk (new chunks as needed); false when out of memory. */
bool memcols_append(memcols *m, const double *x, const double *y, size_t n);
/* Closes the open chunk, so readers may take it whole: later rows start a new one. */
void memcols_seal(memcols *m);
/* Drops chunks from `keep` on (a followed file was truncated). */
void memcols_truncate(memcols *m, uint64_t keep);
uint64_t memcols_records(const memcols *m); /* rows held, non-finite included */
uint64_t memcols_chunks(const memcols *m);  /* sealed chunks: the ones readers may use */
/* Chunk k's finite points (room for DATASET_CHUNK_RECORDS); *records and
 * *nonfinite are added to. */
void memcols_chunk(const memcols *m, uint64_t k, double *x, double *y, size_t *n,
                   uint64_t *records, uint64_t *nonfinite);
/* Rows (non-finite included) in chunk k. */
uint32_t memcols_chunk_records(const memcols *m, uint64_t k);
/* xmin, xmax, ymin, ymax of chunk k's finite points (xmin > xmax if none). */
void memcols_chunk_bbox(const memcols *m, uint64_t k, double out[4]);

#endif
