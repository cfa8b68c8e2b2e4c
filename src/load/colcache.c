#include "load/colcache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/util.h"

#define CC_MAGIC "VPCOLS\0\1"
#define CC_VERSION 4u /* 3: the w column, labels; 4: breaks */
#define CC_HEADER_BYTES 4096u
#define CC_EDGE 4096u /* bytes hashed at each end of the input */

typedef struct cc_header {
    char magic[8];
    uint32_t version, header_bytes, stats_bytes, entry_bytes;
    uint64_t dev, ino, size, mtime_s, mtime_ns, ctime_s, ctime_ns;
    uint64_t head_hash, tail_hash;
    uint64_t nchunks, records, index_off, file_bytes, index_hash;
    uint64_t labels_off, labels_bytes, labels_hash; /* NUL-ended labels after the index */
    uint64_t brk_off, brk_bytes, brk_hash; /* the chunks' breaks (uint32) after the labels */
    text_stats stats;
    char opts[2048];
} cc_header;
_Static_assert(sizeof(cc_header) <= CC_HEADER_BYTES, "the header fits its block");

struct colcache {
    char dir[PATH_MAX];
    char entry[PATH_MAX + 32];
    char tmpname[PATH_MAX + 64]; /* the mkstemp fallback's name, "" otherwise */
    int tmp_slot;                /* its cleanup slot */
    int fd;                      /* the entry being written, or -1 */
    bool with_w;
    cc_header key;               /* the fields that must match, opts included */
    char warning[PATH_MAX + 160];
};

static uint64_t hash_bytes(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (; n >= 8; n -= 8, p += 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = vp_mix64(h ^ w);
    }
    uint64_t w = n;
    for (size_t i = 0; i < n; i++)
        w = w << 8 | p[i];
    return vp_mix64(h ^ w);
}

static uint64_t hash_range(int fd, uint64_t off, uint64_t len)
{
    unsigned char buf[CC_EDGE];
    size_t want = len < CC_EDGE ? (size_t)len : CC_EDGE;
    ssize_t r = pread(fd, buf, want, (off_t)off);
    return r < 0 ? 0 : hash_bytes(0x636f6c73, buf, (size_t)r) ^ (uint64_t)r;
}

/* The folder, made if needed (mode 0700, parents too). */
static bool cache_dir(char *dir, size_t len)
{
    const char *env = getenv("VASTPLOT_CACHE_DIR");
    if (env && *env == '/') {
        if ((size_t)snprintf(dir, len, "%s", env) >= len)
            return false;
    } else if (!vp_cache_dir("columns", dir, len)) {
        return false;
    }
    for (char *p = dir + 1; *p; p++) {
        if (*p == '/') {
            *p = 0;
            if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
                *p = '/';
                return false;
            }
            *p = '/';
        }
    }
    return mkdir(dir, 0700) == 0 || errno == EEXIST;
}

static uint64_t env_bytes(const char *name, uint64_t dflt)
{
    const char *s = getenv(name);
    if (!s || !*s)
        return dflt;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    return *end ? dflt : (uint64_t)v;
}

colcache *colcache_create(const char *path, int fd, const struct stat *sb, const text_params *tp,
                          uint64_t skip_bytes)
{
    if ((uint64_t)sb->st_size < env_bytes("VASTPLOT_CACHE_MIN_BYTES", COLCACHE_MIN_BYTES))
        return NULL;
    colcache *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->fd = -1;
    c->tmp_slot = -1;
    char real[PATH_MAX];
    if (!realpath(path, real))
        snprintf(real, sizeof real, "%s", path);
    cc_header *k = &c->key;
    memcpy(k->magic, CC_MAGIC, 8);
    k->version = CC_VERSION;
    k->header_bytes = CC_HEADER_BYTES;
    k->stats_bytes = sizeof(text_stats);
    k->entry_bytes = sizeof(memcols_entry);
    k->dev = (uint64_t)sb->st_dev;
    k->ino = (uint64_t)sb->st_ino;
    k->size = (uint64_t)sb->st_size;
    k->mtime_s = (uint64_t)sb->st_mtim.tv_sec;
    k->mtime_ns = (uint64_t)sb->st_mtim.tv_nsec;
    /* the change time cannot be set back (touch -r, cp -p set mtime only) */
    k->ctime_s = (uint64_t)sb->st_ctim.tv_sec;
    k->ctime_ns = (uint64_t)sb->st_ctim.tv_nsec;
    uint64_t body = k->size - skip_bytes;
    k->head_hash = hash_range(fd, skip_bytes, body);
    k->tail_hash = hash_range(fd, k->size - (body < CC_EDGE ? body : CC_EDGE), body);
    /* a time x: its kind, the zone of ISO text without offsets, a given origin */
    int n = snprintf(k->opts, sizeof k->opts, "format=%d delimiter=%d x=%s y=%s y_only=%d header=%d "
                                              "w=%s w_category=%d x_time=%d tz=%s origin=%d:%" PRId64
                                              " skip=%" PRIu64 " path=%s",
                     (int)tp->format, (int)(unsigned char)tp->delimiter, tp->xcol ? tp->xcol : "-",
                     tp->ycol ? tp->ycol : "-", (int)tp->y_only, (int)tp->header,
                     tp->wcol ? tp->wcol : "-", (int)(tp->wcol && tp->w_category), (int)tp->x_time,
                     tp->tz ? tp->tz->name : "UTC", (int)tp->x_origin_given,
                     tp->x_origin_given ? tp->x_origin : 0, skip_bytes, real);
    c->with_w = tp->wcol != NULL;
    if (n < 0 || (size_t)n >= sizeof k->opts || !cache_dir(c->dir, sizeof c->dir)) {
        free(c);
        return NULL;
    }
    snprintf(c->entry, sizeof c->entry, "%s/%016" PRIx64 ".cols", c->dir,
             hash_bytes(CC_VERSION, k->opts, strlen(k->opts)));
    return c;
}

void colcache_destroy(colcache *c)
{
    if (!c)
        return;
    if (c->fd >= 0)
        close(c->fd);
    if (c->tmpname[0]) {
        unlink(c->tmpname);
        cleanup_forget(c->tmp_slot);
    }
    free(c);
}

const char *colcache_warning(const colcache *c) { return c ? c->warning : ""; }

static bool same_key(const cc_header *a, const cc_header *b)
{
    return memcmp(a->magic, b->magic, 8) == 0 && a->version == b->version &&
           a->header_bytes == b->header_bytes && a->stats_bytes == b->stats_bytes &&
           a->entry_bytes == b->entry_bytes && a->dev == b->dev && a->ino == b->ino &&
           a->size == b->size && a->mtime_s == b->mtime_s && a->mtime_ns == b->mtime_ns &&
           a->ctime_s == b->ctime_s && a->ctime_ns == b->ctime_ns &&
           a->head_hash == b->head_hash && a->tail_hash == b->tail_hash &&
           strncmp(a->opts, b->opts, sizeof a->opts) == 0;
}

static bool entry_damaged(colcache *c)
{
    snprintf(c->warning, sizeof c->warning, "column cache entry %s is damaged; parsing the text again",
             c->entry);
    return false;
}

bool colcache_load(colcache *c, memcols **out, text_stats *st,
                   char labels[][TEXT_LABEL_BYTES + 1])
{
    *out = NULL;
    int fd = open(c->entry, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    cc_header *h = malloc(sizeof *h);
    memcols_entry *e = NULL;
    struct stat sb;
    bool ok = h && pread(fd, h, sizeof *h, 0) == (ssize_t)sizeof *h && same_key(h, &c->key);
    if (ok && (fstat(fd, &sb) != 0 || (uint64_t)sb.st_size != h->file_bytes ||
               h->index_off < CC_HEADER_BYTES || h->nchunks > (uint64_t)SIZE_MAX / sizeof *e ||
               h->labels_off != h->index_off + h->nchunks * sizeof *e ||
               h->labels_off > h->file_bytes || h->brk_off < h->labels_off ||
               h->brk_off - h->labels_off != h->labels_bytes || h->brk_off > h->file_bytes ||
               h->file_bytes - h->brk_off != h->brk_bytes || h->brk_bytes % sizeof(uint32_t) ||
               h->brk_bytes / sizeof(uint32_t) > h->records + h->nchunks ||
               h->labels_bytes > TEXT_MAX_LABELS * (TEXT_LABEL_BYTES + 1) ||
               h->stats.labels < 0 || h->stats.labels > TEXT_MAX_LABELS ||
               (!h->stats.w_labels && (h->stats.labels || h->labels_bytes))))
        ok = entry_damaged(c);
    /* the labels: stats.labels strings, each NUL-ended */
    char lb[TEXT_MAX_LABELS * (TEXT_LABEL_BYTES + 1)];
    if (ok && h->labels_bytes &&
        (pread(fd, lb, (size_t)h->labels_bytes, (off_t)h->labels_off) != (ssize_t)h->labels_bytes ||
         hash_bytes(h->labels_bytes, lb, (size_t)h->labels_bytes) != h->labels_hash))
        ok = entry_damaged(c);
    for (size_t at = 0, i = 0; ok && i < (size_t)h->stats.labels; i++) {
        const char *z = at < h->labels_bytes ? memchr(lb + at, 0, (size_t)h->labels_bytes - at) : NULL;
        if (!z || (size_t)(z - (lb + at)) > TEXT_LABEL_BYTES) {
            ok = entry_damaged(c);
            break;
        }
        if (labels)
            memcpy(labels[i], lb + at, (size_t)(z - (lb + at)) + 1);
        at = (size_t)(z - lb) + 1;
    }
    size_t ib = ok ? (size_t)h->nchunks * sizeof *e : 0;
    if (ok && !(e = malloc(ib ? ib : 1)))
        ok = false;
    if (ok && ib && pread(fd, e, ib, (off_t)h->index_off) != (ssize_t)ib)
        ok = entry_damaged(c);
    if (ok && hash_bytes(h->records, e, ib) != h->index_hash)
        ok = entry_damaged(c);
    /* the breaks: each chunk's ascending, distinct, within its points */
    uint32_t *brk = NULL;
    if (ok && !(brk = malloc(h->brk_bytes ? (size_t)h->brk_bytes : 1)))
        ok = false;
    if (ok && h->brk_bytes &&
        (pread(fd, brk, (size_t)h->brk_bytes, (off_t)h->brk_off) != (ssize_t)h->brk_bytes ||
         hash_bytes(h->brk_bytes, brk, (size_t)h->brk_bytes) != h->brk_hash))
        ok = entry_damaged(c);
    uint64_t records = 0, nbrk = 0, total_brk = ok ? h->brk_bytes / sizeof *brk : 0;
    for (uint64_t i = 0; ok && i < h->nchunks; i++) {
        const memcols_entry *x = &e[i];
        if (x->nbrk > total_brk - nbrk || x->nbrk > x->n + 1) {
            ok = entry_damaged(c);
            break;
        }
        for (uint32_t j = 0; j < x->nbrk && ok; j++)
            if (brk[nbrk + j] > x->n || (j && brk[nbrk + j] <= brk[nbrk + j - 1]))
                ok = entry_damaged(c);
        nbrk += x->nbrk;
        uint64_t bytes = (uint64_t)x->n * (x->xbytes + x->ybytes + x->wbytes);
        bool wok = c->with_w ? (x->wbytes == 4 || x->wbytes == 8) && x->wdec <= 10 &&
                                   (!x->wdec || x->wbytes == 4)
                             : x->wbytes == 0 && x->wdec == 0;
        if (x->n > x->records || (x->n && (x->off < CC_HEADER_BYTES || x->off + bytes > h->index_off)) ||
            (x->xbytes != 4 && x->xbytes != 8) || (x->ybytes != 4 && x->ybytes != 8) || !wok ||
            x->xdec > 10 || x->ydec > 10 || (x->xdec && x->xbytes != 4) || (x->ydec && x->ybytes != 4))
            ok = entry_damaged(c);
        records += x->records;
    }
    if (ok && (records != h->records || nbrk != total_brk))
        ok = entry_damaged(c);
    if (ok) {
        *st = h->stats;
        futimens(fd, NULL); /* recently used: evicted last */
        *out = memcols_create_from_file(fd, e, h->nchunks, c->with_w, brk, c->entry);
        fd = -1;
        ok = *out != NULL;
    }
    if (fd >= 0)
        close(fd);
    free(brk);
    free(e);
    free(h);
    return ok;
}

static void warn_errno(colcache *c, const char *what)
{
    if (!c->warning[0])
        snprintf(c->warning, sizeof c->warning, "column cache not written: %s: %s; the rows are held "
                                                "in memory", what, strerror(errno));
}

bool colcache_begin(colcache *c, memcols *m)
{
    struct statvfs vs;
    if (statvfs(c->dir, &vs) == 0) {
        uint64_t avail = (uint64_t)vs.f_bavail * vs.f_frsize, total = (uint64_t)vs.f_blocks * vs.f_frsize;
        /* a text's columns take about its own size at most (8-16 bytes per
         * row of 16+ characters), usually less; keep a tenth of the disk free */
        if (avail < c->key.size + total / 10) {
            snprintf(c->warning, sizeof c->warning, "column cache not written: only %" PRIu64
                     " MiB free in %s; the rows are held in memory", avail >> 20, c->dir);
            return false;
        }
    }
    c->fd = open(c->dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (c->fd < 0) { /* a file system without O_TMPFILE: a named temp file */
        snprintf(c->tmpname, sizeof c->tmpname, "%s/.tmp-XXXXXX", c->dir);
        c->fd = mkstemp(c->tmpname);
        if (c->fd < 0) {
            c->tmpname[0] = 0;
            warn_errno(c, c->dir);
            return false;
        }
        c->tmp_slot = cleanup_add(c->tmpname);
    }
    int dup_fd = fcntl(c->fd, F_DUPFD_CLOEXEC, 0);
    if (dup_fd < 0) {
        warn_errno(c, c->dir);
        return false;
    }
    memcols_spill_to(m, dup_fd, CC_HEADER_BYTES, true, 0);
    return true;
}

typedef struct cc_file {
    char name[NAME_MAX + 1];
    time_t mtime;
    uint64_t bytes;
} cc_file;

static int by_age(const void *a, const void *b)
{
    const cc_file *x = a, *y = b;
    return (x->mtime > y->mtime) - (x->mtime < y->mtime);
}

/* Least recently used entries go while the folder holds more than the cap
 * or the disk keeps less than a tenth free; leftovers of stopped runs (named
 * temp files an hour old) go too. */
static void evict(const colcache *c, const char *keep)
{
    DIR *d = opendir(c->dir);
    if (!d)
        return;
    cc_file *f = NULL;
    size_t n = 0, cap = 0;
    uint64_t total = 0;
    time_t now = time(NULL);
    for (struct dirent *de; (de = readdir(d));) {
        size_t len = strlen(de->d_name);
        bool entry = len > 5 && strcmp(de->d_name + len - 5, ".cols") == 0;
        bool tmp = strncmp(de->d_name, ".tmp-", 5) == 0;
        struct stat sb;
        if ((!entry && !tmp) || fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISREG(sb.st_mode))
            continue;
        if (tmp) {
            if (now - sb.st_mtime > 3600)
                unlinkat(dirfd(d), de->d_name, 0);
            continue;
        }
        if (n == cap) {
            cc_file *nf = realloc(f, (cap = cap ? cap * 2 : 32) * sizeof *f);
            if (!nf)
                break;
            f = nf;
        }
        snprintf(f[n].name, sizeof f[n].name, "%s", de->d_name);
        f[n].mtime = sb.st_mtime;
        f[n].bytes = (uint64_t)sb.st_blocks * 512;
        total += f[n++].bytes;
    }
    uint64_t max = env_bytes("VASTPLOT_CACHE_MAX", (uint64_t)32 << 30), short_by = 0;
    struct statvfs vs;
    if (statvfs(c->dir, &vs) == 0) {
        uint64_t avail = (uint64_t)vs.f_bavail * vs.f_frsize, disk = (uint64_t)vs.f_blocks * vs.f_frsize;
        short_by = avail < disk / 10 ? disk / 10 - avail : 0;
    }
    if (f && n)
        qsort(f, n, sizeof *f, by_age);
    uint64_t freed = 0;
    for (size_t i = 0; i < n && (total > max || freed < short_by); i++) {
        if (strcmp(f[i].name, keep) == 0)
            continue;
        if (unlinkat(dirfd(d), f[i].name, 0) == 0) {
            total -= f[i].bytes;
            freed += f[i].bytes;
        }
    }
    free(f);
    closedir(d);
}

bool colcache_commit(colcache *c, memcols *m, const text_stats *st, const char *const *labels)
{
    if (c->fd < 0)
        return false;
    int spill_err = memcols_spill_errno(m);
    if (spill_err) {
        errno = spill_err;
        warn_errno(c, c->dir);
        return false;
    }
    memcols_entry *e;
    uint32_t *brk = NULL;
    uint64_t n, nbrk = 0;
    if (!memcols_entries(m, &e, &n)) {
        errno = ENOMEM;
        warn_errno(c, c->dir);
        return false;
    }
    if (!memcols_breaks(m, &brk, &nbrk)) {
        free(e);
        errno = ENOMEM;
        warn_errno(c, c->dir);
        return false;
    }
    size_t bb = (size_t)nbrk * sizeof *brk;
    cc_header *h = calloc(1, CC_HEADER_BYTES);
    char lb[TEXT_MAX_LABELS * (TEXT_LABEL_BYTES + 1)];
    size_t nlb = 0;
    int nlabels = st->w_labels && labels ? st->labels : 0;
    for (int i = 0; i < nlabels && i < TEXT_MAX_LABELS; i++) {
        size_t len = strnlen(labels[i], TEXT_LABEL_BYTES);
        memcpy(lb + nlb, labels[i], len);
        lb[nlb + len] = 0;
        nlb += len + 1;
    }
    bool ok = h != NULL;
    if (ok) {
        *h = c->key;
        h->stats = *st;
        h->stats.labels = nlabels;
        h->nchunks = n;
        h->index_off = memcols_spill_end(m);
        h->labels_off = h->index_off + n * sizeof *e;
        h->labels_bytes = nlb;
        h->labels_hash = hash_bytes(nlb, lb, nlb);
        h->brk_off = h->labels_off + nlb;
        h->brk_bytes = bb;
        h->brk_hash = hash_bytes(bb, brk, bb);
        h->file_bytes = h->brk_off + bb;
        for (uint64_t i = 0; i < n; i++)
            h->records += e[i].records;
        h->index_hash = hash_bytes(h->records, e, n * sizeof *e);
        ok = (!n || pwrite(c->fd, e, n * sizeof *e, (off_t)h->index_off) == (ssize_t)(n * sizeof *e)) &&
             (!nlb || pwrite(c->fd, lb, nlb, (off_t)h->labels_off) == (ssize_t)nlb) &&
             (!bb || pwrite(c->fd, brk, bb, (off_t)h->brk_off) == (ssize_t)bb) &&
             pwrite(c->fd, h, CC_HEADER_BYTES, 0) == (ssize_t)CC_HEADER_BYTES;
        if (!ok)
            warn_errno(c, c->dir);
    }
    free(e);
    free(brk);
    free(h);
    char tmp[PATH_MAX + 64];
    if (ok && !c->tmpname[0]) { /* an unnamed file: link it under a temporary name first */
        char proc[64];
        snprintf(proc, sizeof proc, "/proc/self/fd/%d", c->fd);
        snprintf(tmp, sizeof tmp, "%s/.tmp-%ld-%" PRIx64, c->dir, (long)getpid(),
                 vp_mix64((uint64_t)(uintptr_t)c ^ (uint64_t)time(NULL)));
        if (linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) != 0) {
            warn_errno(c, c->dir);
            ok = false;
        }
    } else if (ok) {
        snprintf(tmp, sizeof tmp, "%s", c->tmpname);
    }
    if (ok && rename(tmp, c->entry) != 0) {
        warn_errno(c, c->entry);
        unlink(tmp);
        ok = false;
    }
    if (c->tmpname[0]) {
        if (!ok)
            unlink(c->tmpname);
        cleanup_forget(c->tmp_slot);
        c->tmpname[0] = 0;
    }
    if (ok) {
        const char *base = strrchr(c->entry, '/');
        evict(c, base ? base + 1 : c->entry);
    }
    return ok;
}

int colcache_spill_file(void)
{
    char dir[PATH_MAX];
    int fd = -1;
    if (cache_dir(dir, sizeof dir))
        fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    const char *tmpdir = getenv("TMPDIR");
    if (fd < 0)
        fd = open(tmpdir && *tmpdir == '/' ? tmpdir : "/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) {
        char name[PATH_MAX];
        snprintf(name, sizeof name, "%s/vastplot-spill-XXXXXX", tmpdir && *tmpdir == '/' ? tmpdir : "/tmp");
        fd = mkstemp(name);
        if (fd >= 0) {
            unlink(name);
            fcntl(fd, F_SETFD, FD_CLOEXEC);
        }
    }
    return fd;
}
