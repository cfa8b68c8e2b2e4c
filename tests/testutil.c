#include "testutil.h"

#include "gl/glctx.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

static void mkdir_p(const char *path)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p == '/') {
            *p = 0;
            mkdir(buf, 0755);
            *p = '/';
        }
    }
    mkdir(buf, 0755);
}

const char *tu_tmpdir(const char *test_name)
{
    static char dir[4096];
    const char *base = getenv("VP_TEST_TMP");
    snprintf(dir, sizeof dir, "%s/%s", base && *base ? base : "/tmp/vastplot-tests", test_name);
    mkdir_p(dir);
    return dir;
}

const char *tu_path(const char *dir, const char *name)
{
    static char bufs[8][4096];
    static int k;
    char *b = bufs[k++ & 7];
    snprintf(b, 4096, "%s/%s", dir, name);
    return b;
}

void tu_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f) != 0) {
        fprintf(stderr, "test: cannot write %s: %s\n", path, strerror(errno));
        abort();
    }
}

uint64_t tu_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

double tu_rand_unit(uint64_t *s)
{
    return (double)(tu_rand(s) >> 11) * (1.0 / 9007199254740992.0);
}

void tu_read_text(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "test: cannot read %s: %s\n", path, strerror(errno));
        abort();
    }
    size_t n = fread(buf, 1, size - 1, f);
    fclose(f);
    buf[n] = 0;
}

glctx *tu_gl_context(void)
{
    glctx *gl;
    vp_err err;
    glctx_params gp = {0};
    if (!glctx_create_headless(&gp, &gl, &err)) {
        fprintf(stderr, "SKIP: no OpenGL 4.5 context: %s\n", err.msg);
        return NULL;
    }
    fprintf(stderr, "GL: %s\n", glctx_renderer(gl));
    return gl;
}

void tu_write_text(const char *path, const char *text)
{
    unlink(path);
    tu_write_file(path, text, strlen(text));
}

int tu_file_holds(const char *path, const char *text, char got[256])
{
    tu_read_text(path, got, 256);
    return strcmp(got, text) == 0;
}

int tu_ref_bin(double v, double a0, double a1, int n)
{
    double lo = a0 < a1 ? a0 : a1, hi = a0 < a1 ? a1 : a0, step = (hi - lo) / n;
    if (!(v >= lo && v <= hi))
        return -1;
    int right = 0; /* edges <= v */
    for (int i = 0; i <= n; i++) {
        double e = i == n ? hi : (double)i * step + lo;
        right += e <= v;
    }
    int b = v == hi ? n - 1 : right - 1;
    return a0 > a1 ? n - 1 - b : b;
}

void tu_write_f64_pairs(const char *path, const double *x, const double *y, size_t n)
{
    double *buf = malloc(n * 2 * sizeof *buf);
    for (size_t i = 0; i < n; i++) {
        buf[2 * i] = x[i];
        buf[2 * i + 1] = y[i];
    }
    tu_write_file(path, buf, n * 2 * sizeof *buf);
    free(buf);
}

uint64_t tu_bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

bool tu_same_double(double a, double b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b) && !signbit(a) == !signbit(b);
    return tu_bits(a) == tu_bits(b);
}
