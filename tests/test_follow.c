/* Following growing files: a writer process appends records in random-sized
 * pieces (cutting records and lines at arbitrary bytes), truncates the file
 * once and rotates it once, while `vastplot render --follow --until-idle`
 * reads it. The final counts must equal, pixel for pixel, a histogram of what
 * the final files hold: the rotated file's rows after the truncation, and the
 * new file's. For raw f32 records and for CSV text. */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "testutil.h"

#define W 16
#define H 8

static const char *bin, *dir;

static void nap_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* A record: the centre of pixel (i % W, (i / W) % H) of [0,W] x [0,H]. */
static int record_bytes(bool text, uint64_t i, char *out)
{
    float x = (float)(i % W) + 0.5f, y = (float)((i / W) % H) + 0.5f;
    if (text)
        return sprintf(out, "%.1f,%.1f\n", x, y);
    memcpy(out, &x, 4);
    memcpy(out + 4, &y, 4);
    return 8;
}

/* Writes records [first, first + n) in random pieces, flushing each piece. */
static void write_pieces(int fd, bool text, uint64_t first, uint64_t n, uint64_t *rng)
{
    char *buf = malloc(n * 32 + 1);
    size_t len = 0;
    for (uint64_t i = 0; i < n; i++)
        len += (size_t)record_bytes(text, first + i, buf + len);
    size_t pos = 0;
    while (pos < len) {
        size_t k = 1 + tu_rand(rng) % 97; /* arbitrary cuts, inside records too */
        if (k > len - pos)
            k = len - pos;
        if (write(fd, buf + pos, k) != (ssize_t)k)
            _exit(3);
        pos += k;
        if (tu_rand(rng) % 8 == 0)
            nap_ms(1 + (int)(tu_rand(rng) % 4));
    }
    free(buf);
}

static void writer(const char *path, bool text, uint64_t n1, uint64_t n2, uint64_t n3)
{
    uint64_t rng = 1234;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        _exit(2);
    nap_ms(200);
    write_pieces(fd, text, 0, n1, &rng);
    nap_ms(300); /* let the reader see it all, then truncate */
    if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0)
        _exit(4);
    nap_ms(300); /* the reader notices the shrink before the file grows again */
    write_pieces(fd, text, 1000, n2, &rng);
    nap_ms(300);
    char rotated[4200];
    snprintf(rotated, sizeof rotated, "%s.1", path);
    if (rename(path, rotated) != 0)
        _exit(5);
    write_pieces(fd, text, 5000, 17, &rng); /* late rows into the rotated file */
    close(fd);
    nap_ms(200);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    write_pieces(fd, text, 7000, n3, &rng);
    close(fd);
    _exit(0);
}

static void follow_case(bool text)
{
    char path[4096], args[16384], npy[4096];
    snprintf(path, sizeof path, "%s/growing.%s", dir, text ? "csv" : "f32");
    snprintf(npy, sizeof npy, "%s/counts.npy", dir);
    char rotated[4200];
    snprintf(rotated, sizeof rotated, "%s.1", path);
    unlink(path);
    unlink(rotated);
    const uint64_t n1 = 3000, n2 = 2500, n3 = 1800;
    pid_t pid = fork();
    if (pid == 0)
        writer(path, text, n1, n2, n3);
    snprintf(args, sizeof args,
             "env -u DISPLAY '%s' render --follow --until-idle 1.0 '%s' --xlim 0 %d --ylim 0 %d "
             "--size %dx%d -o '%s/out.png' --save-counts '%s' -q",
             bin, path, W, H, W, H, dir, npy);
    int rc = system(args);
    int st = 0;
    waitpid(pid, &st, 0);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    assert_true(WIFEXITED(rc) && WEXITSTATUS(rc) == 0);
    /* the reference: what the final files hold */
    uint64_t want[W * H] = {0};
    const uint64_t firsts[3] = {1000, 5000, 7000}, counts[3] = {n2, 17, n3};
    for (int f = 0; f < 3; f++)
        for (uint64_t i = 0; i < counts[f]; i++) {
            uint64_t r = firsts[f] + i;
            want[(H - 1 - (r / W) % H) * W + r % W]++; /* row 0 = top */
        }
    FILE *fp = fopen(npy, "rb");
    assert_non_null(fp);
    fseek(fp, -(long)(W * H * 8), SEEK_END);
    uint64_t got[W * H];
    assert_int_equal(fread(got, 8, W * H, fp), W * H);
    fclose(fp);
    uint64_t total = 0;
    for (int i = 0; i < W * H; i++)
        total += got[i];
    if (total != n2 + 17 + n3)
        fail_msg("%s: %llu points counted, want %llu", text ? "text" : "raw",
                 (unsigned long long)total, (unsigned long long)(n2 + 17 + n3));
    assert_memory_equal(got, want, sizeof want);
}

static void test_follow_raw(void **state)
{
    (void)state;
    follow_case(false);
}

static void test_follow_text(void **state)
{
    (void)state;
    follow_case(true);
}

int main(void)
{
    bin = getenv("VP_BIN");
    if (!bin || !*bin)
        return 1;
    dir = tu_tmpdir("test_follow");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_follow_raw),
        cmocka_unit_test(test_follow_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
