#include "load/follow.h"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "load/dataset.h"
#include "load/filemark.h"

#define READ_PIECE (1u << 20)

struct follower {
    char *path;
    follow_params p;
    memcols *dst;
    int fd;             /* the file being read, or -1 */
    dev_t dev;
    ino_t ino;
    uint64_t offset;    /* bytes read (raw: a partial record's bytes wait in buf) */
    uint64_t start;     /* where records start: --skip-bytes */
    uint64_t to_skip;   /* standard input: header bytes still to throw away */
    filemark mark;      /* the last bytes read, to tell a rewritten file from a grown one */
    uint64_t base_chunk;/* memcols chunks before this file's rows */
    uint64_t records;   /* this file's records so far (the x of y-only raw data) */
    text_parser *tp;
    text_stats tstats_prev; /* of files read before this one */
    record_decoder *dec;
    uint8_t *buf;
    size_t pending;     /* raw: bytes of a partial record at the start of buf */
    double *x, *y, *w;  /* w: with w, else NULL */
    bool with_w;
    /* category labels of everything read under the name; lmap[i] is the
     * number of the current parser's label i */
    char **label;
    int nlabels, label_cap;
    int lmap[TEXT_MAX_LABELS], nlmap;
    double *wmapped;    /* a batch's w renumbered */
    int ino_fd;         /* inotify, or -1 */
    bool stream;        /* "-": standard input, read as it arrives, to its end */
    bool eof;
};

/* The follower's number for the current parser's label i (added when new);
 * -1 when out of memory. */
static int global_label(follower *f, const char *s)
{
    for (int k = 0; k < f->nlabels; k++)
        if (strcmp(f->label[k], s) == 0)
            return k;
    if (f->nlabels == f->label_cap) {
        int cap = f->label_cap ? 2 * f->label_cap : TEXT_MAX_LABELS;
        char **nl = realloc(f->label, (size_t)cap * sizeof *nl);
        if (!nl)
            return -1;
        f->label = nl;
        f->label_cap = cap;
    }
    if (!(f->label[f->nlabels] = strdup(s)))
        return -1;
    return f->nlabels++;
}

static bool text_sink_append(void *ctx, const double *x, const double *y, const double *w, size_t n,
                             vp_err *err)
{
    follower *f = ctx;
    const char *const *lab;
    int nl = w && f->tp ? text_parser_labels(f->tp, &lab) : 0;
    if (nl > 0) { /* labels: rows carry the parser's numbers; dst gets ours */
        for (; f->nlmap < nl; f->nlmap++)
            if ((f->lmap[f->nlmap] = global_label(f, lab[f->nlmap])) < 0)
                return vp_err_set(err, "out of memory holding the followed rows");
        for (size_t i = 0; i < n; i++)
            f->wmapped[i] = (double)f->lmap[(int)w[i]];
        w = f->wmapped;
    }
    if (!memcols_append(f->dst, x, y, w, n))
        return vp_err_set(err, "out of memory holding the followed rows");
    return true;
}

/* A '>' line or a skipped row: the line breaks there (memcols.h). */
static bool text_sink_break(void *ctx, vp_err *err)
{
    follower *f = ctx;
    if (!memcols_break(f->dst))
        return vp_err_set(err, "out of memory holding the followed rows");
    return true;
}

static void close_file(follower *f)
{
    if (f->fd > 0)
        close(f->fd);
    f->fd = -1;
    text_parser_destroy(f->tp);
    f->tp = NULL;
    f->nlmap = 0;
    f->pending = 0;
    f->offset = 0;
    f->records = 0;
}

static bool open_file(follower *f, vp_err *err)
{
    if (f->stream) {
        f->fd = 0;
        f->to_skip = f->p.binary.skip_bytes;
        f->base_chunk = memcols_chunks(f->dst);
        return !f->p.text || text_parser_create(&f->p.text_p, &f->tp, err);
    }
    int fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return true; /* not there (yet): keep watching the name */
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return vp_err_set(err, "%s: not a regular file: --follow reads files", f->path);
    }
    unsigned char magic[6];
    if (!f->p.text && pread(fd, magic, sizeof magic, 0) == (ssize_t)sizeof magic &&
        memcmp(magic, "\x93NUMPY", 6) == 0) {
        close(fd);
        return vp_err_set(err, "%s: a .npy file cannot be followed: its header fixes the array's "
                               "shape, so appended rows are invisible to numpy too; write raw records "
                               "(and give --dtype/--columns) to follow them", f->path);
    }
    f->fd = fd;
    f->dev = st.st_dev;
    f->ino = st.st_ino;
    f->start = f->offset = f->p.binary.skip_bytes;
    filemark_reset(&f->mark, f->offset);
    f->pending = 0;
    f->records = 0;
    f->base_chunk = memcols_chunks(f->dst);
    /* the rows of a file read before (rotated, or before a restart) and this
     * one's are not one line */
    if (memcols_records(f->dst) > 0 && !memcols_break(f->dst))
        return vp_err_set(err, "out of memory");
    if (f->p.text && !text_parser_create(&f->p.text_p, &f->tp, err))
        return false;
    return true;
}

bool follower_create(const char *path, const follow_params *p, memcols *dst, follower **out,
                     vp_err *err)
{
    *out = NULL;
    follower *f = calloc(1, sizeof *f);
    if (!f)
        return vp_err_set(err, "out of memory");
    f->fd = -1;
    f->ino_fd = -1;
    f->p = *p;
    f->stream = strcmp(path, "-") == 0;
    f->dst = dst;
    f->path = strdup(path);
    f->buf = malloc(READ_PIECE);
    f->x = malloc(DATASET_CHUNK_RECORDS * sizeof *f->x);
    f->y = malloc(DATASET_CHUNK_RECORDS * sizeof *f->y);
    f->with_w = p->text ? p->text_p.wcol != NULL : p->binary.has_w;
    if (f->with_w) {
        f->w = malloc(DATASET_CHUNK_RECORDS * sizeof *f->w);
        f->wmapped = malloc(TEXT_BATCH * sizeof *f->wmapped);
    }
    if (!f->path || !f->buf || !f->x || !f->y || (f->with_w && (!f->w || !f->wmapped))) {
        follower_destroy(f);
        return vp_err_set(err, "out of memory");
    }
    if (f->with_w != memcols_has_w(dst)) {
        vp_err_set(err, "%s: internal error: the rows %s w, the columns %s", path,
                   f->with_w ? "have" : "have no", f->with_w ? "have none" : "have one");
        follower_destroy(f);
        return false;
    }
    if (!p->text && !(f->dec = record_decoder_create(path, &p->binary, err))) {
        follower_destroy(f);
        return false;
    }
    /* watch the folder: the name may be replaced (rotation) or come back */
    f->ino_fd = f->stream ? -1 : inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (f->ino_fd >= 0) {
        char *copy = strdup(path);
        const char *d = copy ? dirname(copy) : ".";
        if (inotify_add_watch(f->ino_fd, d, IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM |
                                                IN_DELETE | IN_ATTRIB | IN_CLOSE_WRITE) < 0) {
            close(f->ino_fd);
            f->ino_fd = -1; /* polling it is */
        }
        free(copy);
    }
    if (!open_file(f, err)) {
        follower_destroy(f);
        return false;
    }
    *out = f;
    return true;
}

void follower_destroy(follower *f)
{
    if (!f)
        return;
    close_file(f);
    if (f->ino_fd >= 0)
        close(f->ino_fd);
    record_decoder_destroy(f->dec);
    free(f->path);
    free(f->buf);
    free(f->x);
    free(f->y);
    free(f->w);
    free(f->wmapped);
    for (int i = 0; i < f->nlabels; i++)
        free(f->label[i]);
    free(f->label);
    free(f);
}

/* Raw bytes in buf[0, len): decode the whole records, keep the rest pending. */
static bool take_raw(follower *f, size_t len, vp_err *err)
{
    size_t rs = record_decoder_record_size(f->dec);
    size_t whole = len / rs;
    size_t done = 0;
    while (done < whole) {
        size_t n = whole - done < DATASET_CHUNK_RECORDS ? whole - done : DATASET_CHUNK_RECORDS;
        /* every record where it is, NaN/inf too: memcols counts those as rows
         * and breaks the line where they lie */
        record_decoder_run_all(f->dec, f->buf + done * rs, n, f->records, f->x, f->y, f->w);
        if (!memcols_append(f->dst, f->x, f->y, f->w, n))
            return vp_err_set(err, "out of memory holding the followed rows");
        f->records += n;
        done += n;
    }
    f->pending = len - whole * rs;
    memmove(f->buf, f->buf + whole * rs, f->pending);
    return true;
}

/* The file read so far is not what the name holds now (truncated, or
 * rewritten): its rows go, reading starts again at its start. */
static bool restart(follower *f, follow_event *ev, bool rewritten, vp_err *err)
{
    memcols_truncate(f->dst, f->base_chunk);
    uint64_t base = f->base_chunk;
    close_file(f);
    ev->reset = true;
    ev->rewritten |= rewritten;
    if (!open_file(f, err))
        return false;
    f->base_chunk = base;
    return true;
}

/* Reads fd from f->offset to its current end. Each piece is taken only while
 * the bytes read before it are still in place, so a file rewritten between
 * two reads never mixes old rows with new ones. */
static bool drain(follower *f, follow_event *ev, vp_err *err)
{
    bool restarted = false;
    while (f->fd >= 0) {
        size_t room = READ_PIECE - f->pending;
        ssize_t r = pread(f->fd, f->buf + f->pending, room, (off_t)f->offset);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return vp_err_set(err, "%s: read error: %s", f->path, strerror(errno));
        if (r == 0)
            return true;
        if (!filemark_holds(&f->mark, f->fd)) {
            if (restarted) /* rewritten again meanwhile: the next poll reads it */
                return restart(f, ev, true, err);
            restarted = true;
            if (!restart(f, ev, true, err))
                return false;
            continue;
        }
        filemark_note(&f->mark, f->buf + f->pending, (size_t)r);
        f->offset += (uint64_t)r;
        uint64_t before = memcols_records(f->dst);
        if (f->p.text) {
            text_sink sink = {text_sink_append, f, text_sink_break};
            if (!text_parser_feed(f->tp, (const char *)f->buf, (size_t)r, &sink, err))
                return vp_err_prefix(err, "%s", f->path);
        } else if (!take_raw(f, f->pending + (size_t)r, err)) {
            return false;
        }
        ev->grew |= memcols_records(f->dst) != before;
    }
    return true;
}

/* Standard input: what has arrived, without blocking; to its end. */
static bool poll_stream(follower *f, follow_event *ev, vp_err *err)
{
    uint64_t before = memcols_records(f->dst);
    while (!f->eof) {
        struct pollfd pfd = {0, POLLIN, 0};
        if (poll(&pfd, 1, 0) > 0 && (pfd.revents & POLLNVAL))
            return vp_err_set(err, "standard input is closed: nothing to read from \"-\"");
        if (!(pfd.revents & (POLLIN | POLLHUP | POLLERR)))
            break;
        ssize_t r = read(0, f->buf + f->pending, READ_PIECE - f->pending);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return vp_err_set(err, "standard input: read error: %s", strerror(errno));
        text_sink sink = {text_sink_append, f, text_sink_break};
        if (r == 0 && f->to_skip)
            return vp_err_set(err, "standard input: ended after %" PRIu64 " bytes, inside the "
                                   "%" PRIu64 " bytes of --skip-bytes", f->p.binary.skip_bytes - f->to_skip,
                              f->p.binary.skip_bytes);
        if (f->to_skip) { /* the header: thrown away as it arrives */
            size_t drop = (uint64_t)r < f->to_skip ? (size_t)r : (size_t)f->to_skip;
            memmove(f->buf + f->pending, f->buf + f->pending + drop, (size_t)r - drop);
            f->to_skip -= drop;
            r -= (ssize_t)drop;
            if (r == 0)
                continue;
        }
        if (r == 0) {
            f->eof = true;
            if (f->tp && !text_parser_finish(f->tp, &sink, err))
                return vp_err_prefix(err, "standard input");
            break;
        }
        if (f->tp) {
            if (!text_parser_feed(f->tp, (const char *)f->buf, (size_t)r, &sink, err))
                return vp_err_prefix(err, "standard input");
        } else if (!take_raw(f, f->pending + (size_t)r, err)) {
            return false;
        }
    }
    ev->grew = memcols_records(f->dst) != before;
    if (f->tp && !ev->grew && !f->eof) {
        text_sink sink = {text_sink_append, f, text_sink_break};
        if (!text_parser_settle(f->tp, &sink, err))
            return vp_err_prefix(err, "standard input");
        ev->grew = memcols_records(f->dst) != before;
    }
    memcols_seal(f->dst);
    return true;
}

bool follower_poll(follower *f, follow_event *ev, vp_err *err)
{
    memset(ev, 0, sizeof *ev);
    if (f->stream)
        return poll_stream(f, ev, err);
    if (f->ino_fd >= 0) { /* empty the event queue: we look at the file itself */
        char evbuf[4096];
        while (read(f->ino_fd, evbuf, sizeof evbuf) > 0) {
        }
    }
    struct stat by_name;
    bool named = stat(f->path, &by_name) == 0;
    ev->missing = !named;
    if (f->fd >= 0) {
        /* shorter than what was read: truncated; as long or longer but other
         * bytes where the last ones were read: truncated and regrown, or
         * rewritten in place. Either way the rows read so far are stale. */
        struct stat st;
        bool shrank = fstat(f->fd, &st) == 0 && (uint64_t)st.st_size < f->offset && f->offset > f->start;
        if ((shrank || !filemark_holds(&f->mark, f->fd)) && !restart(f, ev, !shrank, err))
            return false;
    }
    if (f->fd >= 0 && !drain(f, ev, err))
        return false;
    /* the name now means another file: finish this one (done above), then switch */
    bool other = named && (f->fd < 0 || by_name.st_ino != f->ino || by_name.st_dev != f->dev);
    if (other) {
        if (f->fd >= 0) {
            if (f->p.text) {
                text_sink sink = {text_sink_append, f, text_sink_break};
                /* the old file is complete: its last line needs no newline */
                if (!text_parser_finish(f->tp, &sink, err))
                    return false;
                text_parser_stats(f->tp, &f->tstats_prev);
            }
            ev->rotated = true;
        }
        memcols_seal(f->dst);
        close_file(f);
        if (!open_file(f, err))
            return false;
        if (f->fd >= 0 && !drain(f, ev, err))
            return false;
    }
    /* a quiet text file: decide its format with the lines there are, rather
     * than wait for the lines detection would like to see */
    if (f->tp && !ev->grew) {
        uint64_t before = memcols_records(f->dst);
        text_sink sink = {text_sink_append, f, text_sink_break};
        if (!text_parser_settle(f->tp, &sink, err))
            return vp_err_prefix(err, "%s", f->path);
        ev->grew = memcols_records(f->dst) != before;
    }
    /* whole rows become visible to readers at once */
    memcols_seal(f->dst);
    return true;
}

void follower_wait(follower *f, int timeout_ms)
{
    if (f->stream && !f->eof) {
        struct pollfd pfd = {0, POLLIN, 0};
        poll(&pfd, 1, timeout_ms);
    } else if (f->ino_fd >= 0) {
        struct pollfd pfd = {f->ino_fd, POLLIN, 0};
        poll(&pfd, 1, timeout_ms);
    } else {
        usleep((useconds_t)timeout_ms * 1000);
    }
}

void follower_text_stats(const follower *f, text_stats *out)
{
    if (f->tp)
        text_parser_stats(f->tp, out);
    else
        *out = f->tstats_prev;
}

int follower_labels(const follower *f, const char *const **out)
{
    *out = (const char *const *)f->label;
    return f->nlabels;
}

bool follower_at_end(const follower *f)
{
    return f->stream && f->eof;
}

size_t follower_trailing_bytes(const follower *f)
{
    return f->eof ? f->pending : 0;
}
