#ifndef VP_MEMCOLS_H
#define VP_MEMCOLS_H
/* Decoded x,y (and w) columns of inputs that cannot be re-read in windows: text files
 * (parsing is the expensive part), standard input and followed (growing)
 * files. Rows are grouped into chunks of at most DATASET_CHUNK_RECORDS;
 * non-finite rows are counted per chunk and not stored; each chunk knows its
 * bounding box.
 *
 * With w (memcols_create(true)) every row has a third value w, stored and
 * read back with x and y; a row is stored only when x, y and w are all
 * finite (the others count as non-finite), and each chunk knows the range
 * of its w as well.
 *
 * Where the values live: in memory (16 bytes per finite row, 24 with w) until the
 * retained chunks reach the memory budget; with a spill file
 * (memcols_spill_to) the chunks after that are written to it and read back
 * with pread, so memory stays bounded whatever the number of rows. In a spill
 * file each chunk holds its x column then its y column (then its w column),
 * each in the smallest
 * of three lossless forms that holds every value of that column in the chunk
 * exactly: float32; a decimal (int32 m, the value m / 10^k for one k <= 9 per
 * column: text such as -122.419416 parses to the double nearest m / 10^k, and
 * the division gives that same double, since m and 10^k are exact and IEEE
 * division rounds correctly; every value is checked when written); else
 * float64. The picture must be the one the float64 values give.
 * A write that fails (a full disk, a file size limit) is not an error: that
 * chunk and all later ones stay in memory, and memcols_spill_errno says why
 * (warn once). Spilled bytes are never overwritten, so a reader's pread never
 * races a writer.
 *
 * Breaks: where a chunk's sequence of points breaks (dataset.h's
 * dataset_decode_breaks), as positions j in [0, n] of its finite points
 * (something not drawn lies between point j-1 and point j), ascending and
 * distinct, kept in memory for every chunk (spilled ones too). A run of
 * non-finite rows is one break where it lay; memcols_break adds one where
 * the rows appended so far end (a text '>' line, a skipped row). A break
 * between two chunks is at 0 of the later one or at n of the earlier one
 * (the line engines take either as the same cut); one after the last row
 * appended is kept until more rows come (then it is at 0 of their chunk),
 * and one after the input's last row is dropped.
 *
 * Writers: one writer per part (memcols_set_parts, for a text parsed by
 * several threads at once; 1 part by default). A part's chunks become
 * visible to readers (memcols_chunks) in part order: part p's chunks appear
 * once parts 0..p-1 are done, so chunk numbers never change once seen.
 * Readers (memcols_chunk and the other getters) may run at any time from any
 * thread. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* Bytes of chunk values kept in memory before a spill file takes the rest
 * (VASTPLOT_MEM_BUDGET, in bytes, changes it: for tests). */
#define MEMCOLS_MEM_BUDGET ((size_t)64 << 20)

typedef struct memcols memcols;

/* with_w: rows have w (every append then passes w). NULL when out of memory. */
memcols *memcols_create(bool with_w);
/* Whether rows have w. */
bool memcols_has_w(const memcols *m);
void memcols_destroy(memcols *m); /* NULL is fine; closes the spill file */

/* From now on sealed chunks go to fd (memcols owns it from here, even on
 * failure), from byte offset `at` on: every chunk when `all` (a cache file being
 * written: the chunks stay in memory too while within the budget), else only
 * those past the memory budget. budget 0 = MEMCOLS_MEM_BUDGET. Call before the
 * first append. */
void memcols_spill_to(memcols *m, int fd, uint64_t at, bool all, size_t budget);
/* 0, or the errno of the first spill write that failed (rows are then kept in
 * memory from that chunk on). */
int memcols_spill_errno(const memcols *m);
/* Offset just past the spilled bytes. */
uint64_t memcols_spill_end(const memcols *m);

/* Writers in parts: n >= 1, before any append. */
bool memcols_set_parts(memcols *m, int n);
/* Appends n rows to part's open chunk (new chunks as needed); false when out
 * of memory. w is NULL exactly when the memcols has no w. memcols_append is
 * part 0. */
bool memcols_append_part(memcols *m, int part, const double *x, const double *y, const double *w,
                         size_t n);
bool memcols_append(memcols *m, const double *x, const double *y, const double *w, size_t n);
/* A break after part's rows so far (merged with one already there, with no
 * row between); a break at the end of a part lies before the next part's
 * first row. False when out of memory. memcols_break is part 0. */
bool memcols_break_part(memcols *m, int part);
bool memcols_break(memcols *m);
/* The part has all its rows: its last chunk is sealed and, once every earlier
 * part is done too, its chunks are visible. */
void memcols_part_done(memcols *m, int part);
/* Closes part 0's open chunk, so readers may take it whole: later rows start
 * a new one (a followed file's rows become visible after every read). */
void memcols_seal(memcols *m);
/* Drops chunks from `keep` on and part 0's open chunk (a followed file was
 * truncated). With one part only. */
void memcols_truncate(memcols *m, uint64_t keep);

uint64_t memcols_records(const memcols *m); /* rows appended, non-finite included */
uint64_t memcols_chunks(const memcols *m);  /* visible chunks: the ones readers may use */
/* Bytes of chunk values held in memory now. */
size_t memcols_mem_bytes(const memcols *m);
/* Chunk k's finite points (room for DATASET_CHUNK_RECORDS); *records and
 * *nonfinite are added to. w is NULL exactly when the memcols has no w. Hot
 * path; false only when reading the spill file fails (err names `name`). */
bool memcols_chunk(const memcols *m, uint64_t k, double *x, double *y, double *w, size_t *n,
                   uint64_t *records, uint64_t *nonfinite, const char *name, vp_err *err);
/* As memcols_chunk, and the chunk's breaks (above) to brk[] (room for
 * DATASET_CHUNK_RECORDS + 1), *nbrk how many; taken together with the
 * points, so they always agree. */
bool memcols_chunk_breaks(const memcols *m, uint64_t k, double *x, double *y, double *w, size_t *n,
                          uint32_t *brk, size_t *nbrk, uint64_t *records, uint64_t *nonfinite,
                          const char *name, vp_err *err);
/* Rows (non-finite included) in chunk k. */
uint32_t memcols_chunk_records(const memcols *m, uint64_t k);
/* The finite points chunk k holds (what memcols_chunk gives). */
uint32_t memcols_chunk_points(const memcols *m, uint64_t k);
/* xmin, xmax, ymin, ymax of chunk k's finite points (xmin > xmax if none). */
void memcols_chunk_bbox(const memcols *m, uint64_t k, double out[4]);
/* min, max of chunk k's stored w (min > max if none, or without w). */
void memcols_chunk_wrange(const memcols *m, uint64_t k, double out[2]);

/* A visible chunk as it lies in the spill file: what a cache file's index
 * holds (colcache.h). */
typedef struct memcols_entry {
    uint64_t off;          /* byte offset of the x column; y follows, then w */
    uint32_t n, records;   /* finite points stored; rows */
    uint32_t nbrk;         /* breaks (memcols_breaks has them) */
    uint8_t xbytes, ybytes;/* 4: float32 or decimal, 8: float64 */
    uint8_t xdec, ydec;    /* 0, or 1 + k: int32 m with value m / 10^k (exact) */
    uint8_t wbytes, wdec;  /* the same for w; wbytes 0: no w column */
    uint64_t sum;          /* of the column bytes (w's too) as 64-bit words: a damaged file shows */
    double bbox[4];
    double wrange[2];      /* min, max of w (min > max: none, or no w) */
} memcols_entry;
/* Every visible chunk's entry (malloc'd, *out); false when a chunk is not in
 * the spill file (no spill, or a spill write failed) or out of memory. */
bool memcols_entries(const memcols *m, memcols_entry **out, uint64_t *n);
/* Every visible chunk's breaks, one after the other in chunk order (entry i
 * has nbrk of them): malloc'd, *out; *n in all. False when out of memory. */
bool memcols_breaks(const memcols *m, uint32_t **out, uint64_t *n);
/* Read-only columns over a spill file written earlier (a cache hit): takes
 * fd (closed on failure too) and copies the entries and the breaks (brk:
 * as memcols_breaks gave them, checked by the caller; NULL: none); with_w as it was
 * written (the entries then have w columns). A chunk whose bytes do not
 * match its sum when read is an error, and the file called `origin` is
 * removed then (it is damaged: the next run parses again). NULL when out of
 * memory. */
memcols *memcols_create_from_file(int fd, const memcols_entry *e, uint64_t n, bool with_w,
                                  const uint32_t *brk, const char *origin);

#endif
