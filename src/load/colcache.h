#ifndef VP_COLCACHE_H
#define VP_COLCACHE_H
/* The column cache: a text file's parsed x,y (and w) columns kept on disk, so the
 * next render, zoom or re-accumulation of the same file reads binary chunks
 * (memcols.h's spill format) instead of parsing the text again.
 *
 * Where: $XDG_CACHE_HOME/vastplot/columns (else ~/.cache/vastplot/columns),
 * or $VASTPLOT_CACHE_DIR. One file per input path and options, named by a
 * hash of both: a changed file's entry is replaced, not added to.
 *
 * Keyed on the input's real path, device, inode, size, modification and
 * change times (ns; the change time cannot be set back), a hash of its first and last 4 KiB, the text options (format,
 * delimiter, columns, the w column and whether it is a category, header,
 * --skip-bytes) and this format's version. Any difference is a miss:
 * appended, truncated, rewritten or touched files are parsed again. A
 * column of category labels keeps its labels (as text_parser_labels gives
 * them) in the entry: a hit gives them back with the same numbers.
 *
 * Written as it is parsed, into an unnamed file (O_TMPFILE) in the cache
 * folder, which gets its name only once complete (linked, then renamed over
 * the old entry): a run stopped half way leaves nothing, and two runs on one
 * file each write a whole entry; the last rename wins and a reader keeps the
 * file it opened. Entries read are touched; the least recently used go when
 * the folder holds more than VASTPLOT_CACHE_MAX bytes (default 32 GiB) or
 * the disk would keep less than 10% free.
 *
 * Each chunk carries a sum of its bytes, checked when it is read: a damaged
 * entry is an error naming it, and is removed.
 *
 * Nothing else here is an error for the render: a folder that cannot be written,
 * a full disk, a damaged entry all end in "parse it and hold the rows in
 * memory" plus a warning (colcache_warning). */
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "load/memcols.h"
#include "load/text.h"

/* Text files smaller than this are parsed into memory and not cached (the
 * parse takes less time than a cache lookup saves); VASTPLOT_CACHE_MIN_BYTES
 * changes it. */
#define COLCACHE_MIN_BYTES ((uint64_t)16 << 20)

typedef struct colcache colcache;

/* For the text file open as fd (path as the user gave it, sb its fstat).
 * NULL when the file is too small to cache, or out of memory. */
colcache *colcache_create(const char *path, int fd, const struct stat *sb, const text_params *tp,
                          uint64_t skip_bytes);
void colcache_destroy(colcache *c); /* NULL is fine */

/* A hit: *out reads the cached columns, *st is what the parser saw then;
 * with labels (st->w_labels) labels[0 .. st->labels) are filled in. */
bool colcache_load(colcache *c, memcols **out, text_stats *st,
                   char labels[][TEXT_LABEL_BYTES + 1]);
/* Starts an entry: m's chunks go to a new cache file as they are sealed.
 * False (with a warning) when there is no room or no folder: m then keeps
 * everything in memory. */
bool colcache_begin(colcache *c, memcols *m);
/* The parse finished and the input was unchanged: gives the entry its name,
 * with st->labels labels when st->w_labels (each at most TEXT_LABEL_BYTES
 * bytes). False (with a warning) when it could not be stored; the render
 * goes on. */
bool colcache_commit(colcache *c, memcols *m, const text_stats *st, const char *const *labels);
/* The first problem seen ("" when none), e.g. "column cache not written:
 * /home/u/.cache/vastplot/columns: No space left on device". */
const char *colcache_warning(const colcache *c);

/* An unnamed spill file for standard input and followed files (gone when
 * closed, whatever happens): in the cache folder, else $TMPDIR or /tmp.
 * -1 when none can be made. */
int colcache_spill_file(void);

#endif
