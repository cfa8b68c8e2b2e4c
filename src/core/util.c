#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>

#include <time.h>

uint64_t vp_mix64(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void vp_shuffle_u64(uint64_t *v, uint64_t n)
{
    for (uint64_t i = n; i > 1; i--) {
        uint64_t j = vp_mix64(i) % i, t = v[i - 1];
        v[i - 1] = v[j];
        v[j] = t;
    }
}

double vp_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

bool vp_cache_dir(const char *sub, char *dir, size_t len)
{
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    int n;
    if (xdg && *xdg == '/')
        n = snprintf(dir, len, "%s/vastplot/%s", xdg, sub);
    else if (home && *home == '/')
        n = snprintf(dir, len, "%s/.cache/vastplot/%s", home, sub);
    else
        return false;
    return n > 0 && (size_t)n < len;
}
