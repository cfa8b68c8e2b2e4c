#include "accum/bounds_cache.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The key text: everything that changes what a scan of this file returns. */
static bool make_key(const source *s, char *key, size_t len)
{
    const source_info *in = source_get_info(s);
    struct stat st;
    if (stat(in->path, &st) != 0 || !S_ISREG(st.st_mode))
        return false;
    char *real = realpath(in->path, NULL);
    int n = snprintf(key, len,
                     "v2 %s dev=%ju ino=%ju size=%jd mtime=%jd.%09ld ctime=%jd.%09ld npy=%d "
                     "dtype=%s endian=%d columns=%d x=%d y=%d w=%d offset=%" PRIu64 " records=%" PRIu64
                     " x_origin=%d:%" PRId64,
                     real ? real : in->path, (uintmax_t)st.st_dev, (uintmax_t)st.st_ino,
                     (intmax_t)st.st_size, (intmax_t)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
                     (intmax_t)st.st_ctim.tv_sec, st.st_ctim.tv_nsec, in->is_npy,
                     vp_dtype_name(in->dtype), (int)in->endian, in->columns, in->xcol, in->ycol,
                     in->wcol, in->data_offset, in->records, (int)in->x_rebased, in->x_origin);
    free(real);
    return n > 0 && (size_t)n < len;
}

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return h;
}

static bool cache_dir(char *dir, size_t len)
{
    const char *env = getenv("VASTPLOT_NO_CACHE");
    if (env && *env && strcmp(env, "0") != 0)
        return false;
    return vp_cache_dir("bounds", dir, len);
}

static bool entry_path(const char *key, char *path, size_t len)
{
    char dir[3072];
    if (!cache_dir(dir, sizeof dir))
        return false;
    int n = snprintf(path, len, "%s/%016" PRIx64, dir, fnv1a(key));
    return n > 0 && (size_t)n < len;
}

bool bounds_cache_get(const source *s, bounds_cache_key *k, scan_result *out)
{
    char path[4096];
    const char *key = k->text;
    k->valid = make_key(s, k->text, sizeof k->text);
    if (!k->valid || !entry_path(key, path, sizeof path))
        return false;
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    char line[8192];
    bool ok = false;
    /* line 1: the full key (hash collisions are told apart); line 2: values */
    if (fgets(line, sizeof line, f) && strlen(line) > 0 && line[strlen(line) - 1] == '\n') {
        line[strlen(line) - 1] = 0;
        scan_result r;
        if (strcmp(line, key) == 0 &&
            fscanf(f, "%" SCNu64 " %" SCNu64 " %" SCNu64 " %la %la %la %la %" SCNu64 " %la %la",
                   &r.records, &r.nonfinite, &r.finite, &r.xmin, &r.xmax, &r.ymin, &r.ymax,
                   &r.wfinite, &r.wmin, &r.wmax) == 10 &&
            r.records == source_get_info(s)->records) {
            *out = r;
            ok = true;
        }
    }
    fclose(f);
    return ok;
}

static void mkdirs(char *dir)
{
    for (char *p = dir + 1; *p; p++) {
        if (*p == '/') {
            *p = 0;
            mkdir(dir, 0755);
            *p = '/';
        }
    }
    mkdir(dir, 0755);
}

void bounds_cache_put(const source *s, const bounds_cache_key *k, const scan_result *r)
{
    char key[8192], path[4096], dir[3072], tmp[4200];
    if (!k->valid || !make_key(s, key, sizeof key) || strcmp(key, k->text) != 0 ||
        !cache_dir(dir, sizeof dir) || !entry_path(key, path, sizeof path))
        return;
    mkdirs(dir);
    snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        unlink(tmp);
        return;
    }
    fprintf(f, "%s\n%" PRIu64 " %" PRIu64 " %" PRIu64 " %a %a %a %a %" PRIu64 " %a %a\n", key,
            r->records, r->nonfinite, r->finite, r->xmin, r->xmax, r->ymin, r->ymax, r->wfinite,
            r->wmin, r->wmax);
    /* rename: readers see the old entry or the new one, never half of one */
    if (fclose(f) != 0 || rename(tmp, path) != 0)
        unlink(tmp);
}
