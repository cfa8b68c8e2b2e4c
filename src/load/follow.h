#ifndef VP_FOLLOW_H
#define VP_FOLLOW_H
/* Following a file that is still being written, like `tail -F`: whatever
 * complete records (raw) or lines (text) have been appended since the last
 * look are decoded into memory (memcols.h). A half-written record or line
 * waits for its end; nothing is read twice or missed. A file that shrinks was
 * truncated; one whose last bytes read are no longer there (truncated and
 * regrown past the old size, or rewritten in place: filemark.h) was
 * replaced. Either way its rows are dropped and reading restarts from its new
 * content. --skip-bytes (binary.skip_bytes) applies to raw and text files and
 * to standard input alike: that many bytes at the start are never read.
 * When the name points to a new file (log rotation), the old file is read to
 * its end, then the new one from its start; its rows are kept. A deleted file
 * keeps its rows and the name is watched until it returns. Growth is noticed
 * through inotify on the file's folder, with polling as the fallback.
 *
 * w (binary.has_w, text_p.wcol) comes with x and y; dst must be made with
 * w then (memcols_create(true)). A text column of category labels keeps
 * one numbering for everything read under the name: labels are numbered in
 * the order first seen, and a file read after a truncation, a rewrite or a
 * rotation gives its labels the numbers they already have (new ones get
 * the next; matched by their display text, text.h's TEXT_LABEL_BYTES). */
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "load/memcols.h"
#include "load/source.h"
#include "load/text.h"

typedef struct follower follower;

typedef struct follow_params {
    bool text;
    text_params text_p;   /* with text */
    source_params binary; /* raw layout (no .npy: its header fixes the size); skip_bytes for text too */
} follow_params;

typedef struct follow_event {
    bool grew;      /* rows were added */
    bool reset;     /* rows were dropped (truncated or rewritten): start the picture again */
    bool rewritten; /* with reset: not shorter, but other bytes where the last ones were read */
    bool rotated;   /* now reading a new file under the name */
    bool missing;   /* the name does not exist (deleted, or between rotation steps) */
} follow_event;

/* The file need not exist yet; "-" reads standard input as it arrives, to
 * its end (an error when standard input is closed). Rows go to dst. */
bool follower_create(const char *path, const follow_params *p, memcols *dst, follower **out,
                     vp_err *err);
void follower_destroy(follower *f); /* NULL is fine */
/* Reads what is new; never blocks. */
bool follower_poll(follower *f, follow_event *ev, vp_err *err);
/* Waits up to timeout_ms for a sign of change (inotify), or just sleeps. */
void follower_wait(follower *f, int timeout_ms);
/* Standard input ("-") has ended: nothing more will come. */
bool follower_at_end(const follower *f);
/* Bytes of a raw record cut short at the end of standard input (ignored). */
size_t follower_trailing_bytes(const follower *f);
/* Rows skipped as bad text (see text_stats); 0 for raw files. */
void follower_text_stats(const follower *f, text_stats *out);
/* The category labels so far, numbered as the w of the rows in dst; their
 * count (0 without labels). Valid until the next follower_poll (which may
 * add labels) or follower_destroy. More than TEXT_MAX_LABELS only when
 * files read one after the other bring more between them. */
int follower_labels(const follower *f, const char *const **out);

#endif
