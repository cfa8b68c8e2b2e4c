#ifndef VP_ATOMIC_FILE_H
#define VP_ATOMIC_FILE_H
/* A file that appears whole or not at all: bytes go to a temporary file in the
 * target's folder (so the final rename stays on one filesystem), which is
 * renamed over the target on commit and removed on abort. Writes are buffered
 * (large write(2) calls); the first write error is kept and reported by
 * atomic_file_write / atomic_file_commit with the target path in the message.
 * Used by the PNG and .npy writers. Not thread-safe per object.
 *
 * Symlinks, as cp: writing through a symlink replaces its target (the link
 * stays; the temporary file goes in the target's folder); a dangling symlink
 * is refused. A replaced file keeps its permission bits. A file that belongs
 * to another user is refused, never silently taken over. The temporary file
 * is on the signal cleanup list (core/cleanup.h) while it exists. */
#include <stdbool.h>
#include <stddef.h>
#include "core/err.h"

typedef struct atomic_file {
    int fd;             /* valid while tmp_path is set */
    char *path;         /* the target, as the caller named it (for messages) */
    char *final_path;   /* where the rename goes (a symlink's target, else path) */
    char *tmp_path;
    unsigned char *buf;
    size_t buf_len, buf_cap;
    int write_errno;    /* first failed write's errno, 0 if none */
    int cleanup_slot;   /* core/cleanup.h slot of tmp_path, -1 if none */
} atomic_file;

/* The most files atomic_file_commit_all takes at once. */
#define ATOMIC_FILE_MAX_SET 8

/* Creates the temporary file beside path, mode 0666 filtered by the umask like
 * any newly created file. Fails (with a message naming path) when the folder
 * is missing or unwritable, or when path is a folder or another non-regular
 * file such as a device (renaming over it would replace the node, not write
 * into it). A symlink to a regular file is followed: its target is replaced. */
bool atomic_file_open(atomic_file *af, const char *path, vp_err *err);
/* Appends bytes; false (with the message) after a write error. */
bool atomic_file_write(atomic_file *af, const void *data, size_t len, vp_err *err);
/* Flushes, closes and renames into place; on failure removes the temporary
 * file. Either way af is released. */
bool atomic_file_commit(atomic_file *af, vp_err *err);
/* All or nothing for n files (at most ATOMIC_FILE_MAX_SET): every one is
 * flushed and closed first; only when all succeeded are they moved into
 * place, and if a move fails the ones already moved are put back (an existing
 * target is exchanged with its temporary file, RENAME_EXCHANGE, so the old
 * file returns; on a filesystem without exchange it is a plain rename that
 * cannot be undone). SIGINT/SIGTERM/SIGHUP wait for the moves to finish.
 * Either way every af is released. */
bool atomic_file_commit_all(atomic_file *afs, size_t n, vp_err *err);
/* Removes the temporary file and releases af; fine on a zeroed or already
 * released af. */
void atomic_file_abort(atomic_file *af);

#endif
