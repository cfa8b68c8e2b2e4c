/* Replays fuzz inputs without libFuzzer: calls LLVMFuzzerTestOneInput once
 * for every file named on the command line and every regular file in every
 * directory named there (not recursive), in sorted order so a run is
 * reproducible. Built with any compiler; CTest runs it over the committed
 * corpus, which makes every crash reproducer a permanent regression test.
 * Exits 0 when all inputs ran, 1 on an unreadable path or when no input was
 * found at all (an empty corpus is a packaging mistake, not a pass). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* opendir, readdir; CMake defines it too */
#endif
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "regress: %s: %s\n", path, strerror(errno));
        return false;
    }
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap)
            break;
        uint8_t *nb = realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    bool ok = buf && !ferror(f);
    fclose(f);
    if (!ok) {
        fprintf(stderr, "regress: %s: cannot read\n", path);
        free(buf);
        return false;
    }
    /* An exactly sized copy, so that ASan sees a read one past the input. */
    uint8_t *exact = malloc(len ? len : 1);
    if (!exact) {
        free(buf);
        return false;
    }
    memcpy(exact, buf, len);
    free(buf);
    fprintf(stderr, "regress: %s (%zu bytes)\n", path, len);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    return true;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every regular file in dir; adds to *count. */
static bool run_dir(const char *dir, size_t *count)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "regress: %s: %s\n", dir, strerror(errno));
        return false;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    bool ok = true;
    struct dirent *e;
    while (ok && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        size_t need = strlen(dir) + strlen(e->d_name) + 2;
        char *p = malloc(need);
        if (!p) {
            ok = false;
            break;
        }
        snprintf(p, need, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(p, &st) != 0 || !S_ISREG(st.st_mode)) {
            free(p);
            continue;
        }
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            char **nn = realloc(names, ncap * sizeof *nn);
            if (!nn) {
                free(p);
                ok = false;
                break;
            }
            names = nn;
            cap = ncap;
        }
        names[n++] = p;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n; i++) {
        if (ok && run_file(names[i]))
            ++*count;
        else
            ok = false;
        free(names[i]);
    }
    free(names);
    return ok;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE_OR_DIR...\n", argv[0]);
        return 2;
    }
    size_t count = 0;
    bool ok = true;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "regress: %s: %s\n", argv[i], strerror(errno));
            ok = false;
        } else if (S_ISDIR(st.st_mode)) {
            ok = run_dir(argv[i], &count) && ok;
        } else if (run_file(argv[i])) {
            count++;
        } else {
            ok = false;
        }
    }
    printf("regress: %zu input%s run\n", count, count == 1 ? "" : "s");
    if (count == 0) {
        fprintf(stderr, "regress: no inputs found\n");
        return 1;
    }
    return ok ? 0 : 1;
}
