/* Benchmark driver for the text parser (src/load/text.c), built by
 * bench/text_bench.sh with cc against text.c and err.c only.
 *
 *   text_bench gen N FILE [full]  N rows "x,y,z" with a header (see below)
 *   text_bench parse FILE [X Y [W]] read FILE in 128 KiB pieces, parse columns X, Y
 *                                 (default: detected) and W (a third column, as
 *                                 --value reads it), print one result line
 *   text_bench par FILE THREADS   the same through text_parse_file (text_par.c):
 *                                 the file cut into parts parsed by THREADS
 *                                 threads; also prints the parts used
 *
 * The generated rows look like instrument output: x a longitude with 6
 * decimals, y a latitude with 6 decimals, z a value in %.5g (so some rows have
 * exponents), e.g. "-122.419416,37.774929,1.2346e-05". With "full", every value
 * is written with %.17g, as numpy.savetxt or a round-trip writer would:
 * "-122.41941612345678,37.774929012345678,1.2345678901234567e-05". */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "load/text.h"
#include "load/text_par.h"

static uint64_t rng(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double unit(uint64_t *s)
{
    return (double)(rng(s) >> 11) * (1.0 / 9007199254740992.0);
}

static int gen(long long n, const char *path, bool full)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "text_bench: cannot write %s: %s\n", path, strerror(errno));
        return 1;
    }
    static char buf[1 << 20];
    setvbuf(f, buf, _IOFBF, sizeof buf);
    uint64_t s = 12345;
    fputs("x,y,z\n", f);
    for (long long i = 0; i < n; i++) {
        double x = unit(&s) * 360 - 180, y = unit(&s) * 180 - 90;
        double z = exp(unit(&s) * 30 - 15);
        if (full)
            fprintf(f, "%.17g,%.17g,%.17g\n", x, y, z);
        else
            fprintf(f, "%.6f,%.6f,%.5g\n", x, y, z);
    }
    if (fclose(f)) {
        fprintf(stderr, "text_bench: writing %s failed\n", path);
        return 1;
    }
    return 0;
}

typedef struct acc {
    double sx, sy, sw;
    uint64_t n;
} acc;

static bool sum_sink(void *ctx, const double *x, const double *y, const double *w, size_t n,
                     vp_err *err)
{
    (void)err;
    acc *a = ctx;
    for (size_t i = 0; i < n; i++) {
        a->sx += x[i];
        a->sy += y[i];
    }
    if (w)
        for (size_t i = 0; i < n; i++)
            a->sw += w[i];
    a->n += n;
    return true;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int parse(const char *path, const char *xcol, const char *ycol, const char *wcol)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        fprintf(stderr, "text_bench: cannot open %s: %s\n", path, strerror(errno));
        return 1;
    }
    size_t cap = (size_t)128 << 10; /* fits L2: the parser reads what read() just wrote */
    char *buf = malloc(cap);
    text_params p = {.xcol = xcol, .ycol = ycol, .wcol = wcol};
    text_parser *t;
    vp_err err = {{0}};
    if (!buf || !text_parser_create(&p, &t, &err)) {
        fprintf(stderr, "text_bench: %s\n", buf ? err.msg : "out of memory");
        return 1;
    }
    acc a = {0};
    text_sink sink = {sum_sink, &a};
    double t0 = now();
    uint64_t bytes = 0;
    for (;;) {
        ssize_t r = read(fd, buf, cap);
        if (r < 0) {
            fprintf(stderr, "text_bench: reading %s: %s\n", path, strerror(errno));
            return 1;
        }
        if (r == 0)
            break;
        bytes += (uint64_t)r;
        if (!text_parser_feed(t, buf, (size_t)r, &sink, &err)) {
            fprintf(stderr, "text_bench: %s\n", err.msg);
            return 1;
        }
    }
    if (!text_parser_finish(t, &sink, &err)) {
        fprintf(stderr, "text_bench: %s\n", err.msg);
        return 1;
    }
    double dt = now() - t0;
    text_stats st;
    text_parser_stats(t, &st);
    /* one line, parsed by text_bench.sh: seconds rows bytes checksum */
    printf("seconds=%.6f rows=%llu bytes=%llu skipped=%llu sum_x=%.10g sum_y=%.10g", dt,
           (unsigned long long)a.n, (unsigned long long)bytes,
           (unsigned long long)st.skipped_rows, a.sx, a.sy);
    if (wcol)
        printf(" sum_w=%.10g", a.sw);
    printf("\n");
    text_parser_destroy(t);
    free(buf);
    close(fd);
    return 0;
}

/* One accumulator per part, each on its own cache lines. */
typedef struct part_acc {
    acc a;
    char pad[64];
} part_acc;

static bool part_sink(void *ctx, int part, const double *x, const double *y, const double *w,
                      size_t n, vp_err *err)
{
    return sum_sink(&((part_acc *)ctx)[part].a, x, y, w, n, err);
}

static int parse_par(const char *path, int threads)
{
    int fd = open(path, O_RDONLY);
    off_t size = fd < 0 ? -1 : lseek(fd, 0, SEEK_END);
    if (fd < 0 || size < 0) {
        fprintf(stderr, "text_bench: cannot open %s: %s\n", path, strerror(errno));
        return 1;
    }
    part_acc *pa = calloc(TEXT_PAR_MAX_PARTS, sizeof *pa);
    if (!pa || threads < 1) {
        fprintf(stderr, "text_bench: %s\n", pa ? "THREADS must be at least 1" : "out of memory");
        return 1;
    }
    text_par_sink sink = {part_sink, NULL, pa, NULL};
    text_stats st;
    vp_err err = {{0}};
    int nparts;
    double t0 = now();
    if (!text_parse_file(fd, path, 0, (uint64_t)size, NULL, threads, &sink, &nparts, &st, &err)) {
        fprintf(stderr, "text_bench: %s\n", err.msg);
        return 1;
    }
    double dt = now() - t0;
    acc a = {0}; /* rows only: sums per part would round differently from parse's */
    for (int k = 0; k < nparts; k++)
        a.n += pa[k].a.n;
    printf("seconds=%.6f rows=%llu bytes=%llu skipped=%llu parts=%d\n", dt,
           (unsigned long long)a.n, (unsigned long long)size,
           (unsigned long long)st.skipped_rows, nparts);
    free(pa);
    close(fd);
    return 0;
}

int main(int argc, char **argv)
{
    if ((argc == 4 || (argc == 5 && !strcmp(argv[4], "full"))) && !strcmp(argv[1], "gen"))
        return gen(atoll(argv[2]), argv[3], argc == 5);
    if ((argc == 3 || argc == 5 || argc == 6) && !strcmp(argv[1], "parse"))
        return parse(argv[2], argc >= 5 ? argv[3] : NULL, argc >= 5 ? argv[4] : NULL,
                     argc == 6 ? argv[5] : NULL);
    if (argc == 4 && !strcmp(argv[1], "par"))
        return parse_par(argv[2], atoi(argv[3]));
    fprintf(stderr, "usage: text_bench gen N FILE [full] | text_bench parse FILE [XCOL YCOL [WCOL]] | "
                    "text_bench par FILE THREADS\n");
    return 2;
}
