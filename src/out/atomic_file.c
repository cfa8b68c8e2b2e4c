#include "out/atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/cleanup.h"

/* Large enough that a 2 GiB .npy goes out in a few thousand write(2) calls. */
#define ATOMIC_FILE_BUF (1u << 20)

/* The folder part of path, for messages and for placing the temporary file. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

/* Six name characters. getrandom() keeps this free of global state; if it is
 * unavailable the clock still makes collisions unlikely, and O_EXCL makes them
 * harmless. */
static void random_suffix(char *x, unsigned attempt)
{
    static const char alphabet[] =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    uint64_t r;
    if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        r = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid() << 20 ^ attempt;
    }
    for (int i = 0; i < 6; i++) {
        x[i] = alphabet[r % (sizeof alphabet - 1)];
        r /= sizeof alphabet - 1;
    }
}

static bool create_failed(atomic_file *af, int e, vp_err *err)
{
    /* Say which folder is at fault: the system's message alone ("No such
     * file or directory") does not tell the missing folder from the file. */
    char *dir = dir_of(af->path);
    const char *pre = NULL, *post = "";
    if (dir) {
        struct stat st;
        bool exists = stat(dir, &st) == 0;
        if (e == ENOENT && !exists) {
            pre = "folder ";
            post = " does not exist";
        } else if (e == EACCES || e == EPERM) {
            pre = "folder ";
            post = " is not writable";
        } else if (e == ENOTDIR) {
            pre = exists && !S_ISDIR(st.st_mode) ? "" : "part of ";
            post = " is not a folder";
        }
    }
    if (pre)
        vp_err_set(err, "%s: cannot create file: %s (%s%s%s)", af->path, strerror(e), pre, dir,
                   post);
    else
        vp_err_set(err, "%s: cannot create file: %s", af->path, strerror(e));
    free(dir);
    atomic_file_abort(af);
    return false;
}

bool atomic_file_open(atomic_file *af, const char *path, vp_err *err)
{
    memset(af, 0, sizeof *af);
    af->fd = -1;
    af->cleanup_slot = -1;
    af->path = strdup(path);
    if (!af->path)
        return vp_err_set(err, "%s: out of memory", path);

    struct stat st, lst;
    bool exists = stat(path, &st) == 0;
    if (!exists && lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
        /* like cp: a dangling symlink is not written through (nor replaced) */
        atomic_file_abort(af);
        return vp_err_set(err, "%s: is a symlink to a file that does not exist; not writing through it "
                               "(remove the link or create its target)", path);
    }
    if (exists) {
        if (S_ISDIR(st.st_mode)) {
            atomic_file_abort(af);
            return vp_err_set(err, "%s: is a folder, not a file", path);
        }
        if (!S_ISREG(st.st_mode)) {
            /* The rename would swap out a device node or pipe rather than
             * write into it; refusing is the only safe choice. */
            atomic_file_abort(af);
            return vp_err_set(err, "%s: exists and is not a regular file (a device, pipe or socket)",
                              path);
        }
        if (st.st_uid != geteuid()) {
            /* a rename would put a file of ours in its place, silently
             * taking it from its owner */
            atomic_file_abort(af);
            return vp_err_set(err, "%s: belongs to another user (uid %u); not replacing it "
                                   "(remove it or choose another name)", path, (unsigned)st.st_uid);
        }
        if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode))
            af->final_path = realpath(path, NULL);
    }
    if (!af->final_path)
        af->final_path = strdup(path);
    af->buf = malloc(ATOMIC_FILE_BUF);
    if (!af->final_path || !af->buf) {
        atomic_file_abort(af);
        return vp_err_set(err, "%s: out of memory", path);
    }
    af->buf_cap = ATOMIC_FILE_BUF;

    /* "PATH.tmp-XXXXXX" beside the target shows what it belongs to if the
     * program is killed mid-write; a very long name would overflow NAME_MAX, so
     * it gets a short hidden name in the same folder instead. */
    const char *base = strrchr(af->final_path, '/');
    base = base ? base + 1 : af->final_path;
    char *dir = dir_of(af->final_path);
    size_t cap = strlen(af->final_path) + 32;
    /* af->tmp_path is set only once the file exists: abort unlinks it. */
    char *tmp = malloc(cap);
    if (!dir || !tmp) {
        free(dir);
        free(tmp);
        atomic_file_abort(af);
        return vp_err_set(err, "%s: out of memory", path);
    }
    if (strlen(base) <= 200)
        snprintf(tmp, cap, "%s.tmp-XXXXXX", af->final_path);
    else
        snprintf(tmp, cap, "%s/.vastplot-tmp-XXXXXX", dir);
    free(dir);
    char *x = tmp + strlen(tmp) - 6;

    /* Not mkstemp: it creates mode 0600, and fixing that with fchmod needs the
     * umask, which can only be read by changing it (racy with other threads).
     * open(O_EXCL, 0666) lets the kernel apply the umask and any default ACL,
     * exactly as for a plain newly created file. */
    for (unsigned attempt = 0;; attempt++) {
        random_suffix(x, attempt);
        /* a signal between the creation and the listing would leave the file */
        cleanup_hold();
        af->fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (af->fd >= 0)
            af->cleanup_slot = cleanup_add(tmp);
        int open_errno = errno;
        cleanup_release();
        errno = open_errno;
        if (af->fd >= 0) {
            af->tmp_path = tmp;
            /* a replaced file keeps its permissions, as cp writing into it */
            if (exists)
                (void)fchmod(af->fd, st.st_mode & 0777);
            return true;
        }
        if (errno != EEXIST || attempt >= 100) {
            int e = errno;
            free(tmp);
            return create_failed(af, e, err);
        }
    }
}

static bool write_all(int fd, const unsigned char *p, size_t n, int *err_no)
{
    while (n) {
        ssize_t w = write(fd, p, n > (1u << 30) ? (1u << 30) : n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            *err_no = errno;
            return false;
        }
        if (w == 0) {
            *err_no = EIO;
            return false;
        }
        p += w;
        n -= (size_t)w;
    }
    return true;
}

static bool flush_buf(atomic_file *af)
{
    if (af->write_errno)
        return false;
    if (af->buf_len && !write_all(af->fd, af->buf, af->buf_len, &af->write_errno))
        return false;
    af->buf_len = 0;
    return true;
}

static bool write_failed(atomic_file *af, vp_err *err)
{
    return vp_err_set(err, "%s: cannot write: %s", af->path ? af->path : "?",
                      strerror(af->write_errno));
}

bool atomic_file_write(atomic_file *af, const void *data, size_t len, vp_err *err)
{
    if (!af->tmp_path) {
        af->write_errno = af->write_errno ? af->write_errno : EBADF;
        return write_failed(af, err);
    }
    if (af->write_errno)
        return write_failed(af, err);
    if (af->buf_len + len > af->buf_cap) {
        if (!flush_buf(af))
            return write_failed(af, err);
        /* A block as large as the buffer gains nothing from a copy. */
        if (len >= af->buf_cap) {
            if (!write_all(af->fd, data, len, &af->write_errno))
                return write_failed(af, err);
            return true;
        }
    }
    memcpy(af->buf + af->buf_len, data, len);
    af->buf_len += len;
    return true;
}

/* Flushes and closes; on failure the message is set (af is kept for abort). */
static bool finish(atomic_file *af, vp_err *err)
{
    if (!af->tmp_path)
        return vp_err_set(err, "%s: cannot write: file is not open", af->path ? af->path : "?");
    if (!flush_buf(af))
        return write_failed(af, err);
    /* Some filesystems (NFS, quotas) only report a full disk at close. */
    int rc = close(af->fd);
    af->fd = -1;
    if (rc != 0 && errno != EINTR) {
        af->write_errno = errno;
        return write_failed(af, err);
    }
    return true;
}

static bool no_rename2(int e)
{
    return e == EINVAL || e == ENOSYS || e == EOPNOTSUPP;
}

/* Moves the temporary file into place. An existing target is exchanged with
 * it (RENAME_EXCHANGE), so the old file sits under the temporary name and can
 * be put back; *undo says how. Falls back to rename(2) where the filesystem
 * has no exchange (then that one cannot be undone). */
enum { UNDO_NONE, UNDO_EXCHANGE, UNDO_UNCREATE };
static bool move_into_place(atomic_file *af, int *undo, vp_err *err)
{
    *undo = UNDO_NONE;
    struct stat st;
    bool exists = lstat(af->final_path, &st) == 0;
    if (exists && !S_ISREG(st.st_mode))
        return vp_err_set(err, "%s: is no longer a regular file; not replacing it", af->path);
    int rc = renameat2(AT_FDCWD, af->tmp_path, AT_FDCWD, af->final_path,
                       exists ? RENAME_EXCHANGE : RENAME_NOREPLACE);
    if (rc == 0) {
        *undo = exists ? UNDO_EXCHANGE : UNDO_UNCREATE;
        return true;
    }
    if ((no_rename2(errno) || (exists && errno == ENOENT)) &&
        rename(af->tmp_path, af->final_path) == 0)
        return true;
    return vp_err_set(err, "%s: cannot move the temporary file %s into place: %s", af->path,
                      af->tmp_path, strerror(errno));
}

static void undo_move(atomic_file *af, int undo)
{
    if (undo == UNDO_EXCHANGE)
        renameat2(AT_FDCWD, af->tmp_path, AT_FDCWD, af->final_path, RENAME_EXCHANGE);
    else if (undo == UNDO_UNCREATE)
        rename(af->final_path, af->tmp_path);
}

bool atomic_file_commit_all(atomic_file *afs, size_t n, vp_err *err)
{
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++)
        ok = finish(&afs[i], err);
    int undo[ATOMIC_FILE_MAX_SET] = {0};
    size_t moved = 0;
    if (ok && n > ATOMIC_FILE_MAX_SET)
        ok = vp_err_set(err, "%s: too many files in one commit", afs[0].path);
    /* A signal now waits until every file is in place or every old one back. */
    cleanup_hold();
    for (; ok && moved < n; moved++)
        ok = move_into_place(&afs[moved], &undo[moved], err);
    if (!ok)
        while (moved-- > 0)
            undo_move(&afs[moved], undo[moved]);
    for (size_t i = 0; i < n; i++) {
        atomic_file *af = &afs[i];
        /* committed: the temporary name is gone, or holds the old file */
        if (ok && undo[i] != UNDO_EXCHANGE) {
            cleanup_forget(af->cleanup_slot);
            af->cleanup_slot = -1;
            free(af->tmp_path);
            af->tmp_path = NULL;
        }
        atomic_file_abort(af);
    }
    cleanup_release();
    return ok;
}

bool atomic_file_commit(atomic_file *af, vp_err *err)
{
    return atomic_file_commit_all(af, 1, err);
}

void atomic_file_abort(atomic_file *af)
{
    if (!af)
        return;
    if (af->tmp_path) {
        if (af->fd >= 0)
            close(af->fd);
        unlink(af->tmp_path);
        cleanup_forget(af->cleanup_slot);
    }
    free(af->path);
    free(af->final_path);
    free(af->tmp_path);
    free(af->buf);
    memset(af, 0, sizeof *af);
    af->fd = -1;
    af->cleanup_slot = -1;
}
