#ifndef VP_MEMCOLS_H
#define VP_MEMCOLS_H
/* Decoded x,y columns kept in memory, for inputs that cannot be re-read in
 * windows: text files (parsing is the expensive part) and standard input.
 * Rows are grouped into chunks of DATASET_CHUNK_RECORDS as the files' are;
 * non-finite rows are counted per chunk and not stored. 16 bytes per row. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct memcols memcols;

memcols *memcols_create(void);
void memcols_destroy(memcols *m); /* NULL is fine */
/* Appends n rows; false when out of memory. */
bool memcols_append(memcols *m, const double *x, const double *y, size_t n);
uint64_t memcols_records(const memcols *m); /* rows appended, non-finite included */
uint64_t memcols_chunks(const memcols *m);
/* Chunk k's finite points (room for DATASET_CHUNK_RECORDS); *records and
 * *nonfinite are added to. */
void memcols_chunk(const memcols *m, uint64_t k, double *x, double *y, size_t *n,
                   uint64_t *records, uint64_t *nonfinite);

#endif
