#ifndef VP_BOUNDS_CACHE_H
#define VP_BOUNDS_CACHE_H
/* Remembers a file's bounds (the result of the scan pass) so that rendering
 * the same file again - another colormap, size or tone map - skips a full
 * read of it. Entries live in $XDG_CACHE_HOME/vastplot/bounds (else
 * ~/.cache/vastplot/bounds), one small text file per (file, layout), keyed by
 * the file's identity: device, inode, size, modification and change times,
 * and the layout options (the w column too: an entry holds w's range, so a
 * render with --value needs no pass either). A file that changes in any way gets a new key, so a
 * stale entry is never used. Failures to read or write the cache are silent:
 * it only ever saves time. Inputs are never written to. */
#include <stdbool.h>

#include "accum/scan.h"
#include "load/source.h"

/* The file's identity, taken before its scan. */
typedef struct bounds_cache_key {
    bool valid;
    char text[8192];
} bounds_cache_key;

/* Takes the key; true and *out filled when an entry for exactly this file and
 * layout exists. */
bool bounds_cache_get(const source *s, bounds_cache_key *key, scan_result *out);
/* Stores a scan result (best effort), unless the file changed since the key
 * was taken (then the scan may have seen a mix of old and new bytes). */
void bounds_cache_put(const source *s, const bounds_cache_key *key, const scan_result *r);

#endif
