#include "gl/driver_env.h"
#include "core/util.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#define CACHE_ROOM (UINT64_C(64) << 20) /* free bytes the cache's disk must have */
#define CACHE_MAX "32M"                 /* Mesa evicts beyond this */

static bool truthy(const char *v)
{
    return v && (!strcmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "yes"));
}

static bool cache_dir(char *dir, size_t len)
{
    const char *user = getenv("MESA_SHADER_CACHE_DIR");
    if (user && *user == '/') {
        int n = snprintf(dir, len, "%s", user);
        return n > 0 && (size_t)n < len;
    }
    return vp_cache_dir("mesa", dir, len);
}

/* mkdir -p, private to the user */
static bool make_dirs(char *path)
{
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        bool ok = mkdir(path, 0700) == 0 || errno == EEXIST;
        *p = c;
        if (!ok)
            return false;
        if (c == '\0')
            return true;
    }
}

static bool has_room(const char *dir)
{
    struct statvfs v;
    return statvfs(dir, &v) == 0 && (uint64_t)v.f_bavail * v.f_frsize >= CACHE_ROOM;
}

bool driver_env_prepare(bool allow_disk_cache)
{
    if (truthy(getenv("MESA_SHADER_CACHE_DISABLE")))
        return false;
    char dir[4096];
    if (allow_disk_cache && cache_dir(dir, sizeof dir) && make_dirs(dir) && has_room(dir)) {
        /* the old names too, for Mesa before 21 (newer Mesa reads the new ones first) */
        setenv("MESA_SHADER_CACHE_DIR", dir, 1);
        setenv("MESA_GLSL_CACHE_DIR", dir, 1);
        setenv("MESA_SHADER_CACHE_MAX_SIZE", CACHE_MAX, 0);
        return true;
    }
    setenv("MESA_SHADER_CACHE_DISABLE", "true", 1);
    setenv("MESA_GLSL_CACHE_DISABLE", "true", 1);
    return false;
}
