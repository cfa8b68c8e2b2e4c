/* Following growing files: a writer process appends records in random-sized
 * pieces (cutting records and lines at arbitrary bytes), truncates the file
 * once and rotates it once, while `vastplot render --follow --until-idle`
 * reads it. The final counts must equal, pixel for pixel, a histogram of what
 * the final files hold: the rotated file's rows after the truncation, and the
 * new file's. For raw f32 records and for CSV text.
 *
 * A file truncated and regrown past its old size at once, or rewritten in
 * place, shows no shrink: the follower must notice the bytes it read are gone
 * and start again, so the counts equal the final content again (never stale
 * rows, never a record glued from an old partial one and new bytes).
 *
 * A text file truncated while a plain render reads it: exit 1 naming the
 * file, never exit 0 with part of the rows.
 *
 * w, a third column, through the follower itself (follow.h, no binary): raw
 * records and CSV rows appended in pieces cut anywhere come out with their
 * w bit for bit (a non-finite w skipped and counted); category labels are
 * numbered as they first come, and keep their numbers when the file is
 * truncated and regrown and when the name is rotated to a new file. */
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <dirent.h>
#include <unistd.h>
#include <cmocka.h>

#include "load/follow.h"
#include "load/memcols.h"
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

/* Records [first, first + n) as bytes; *len = their size. */
static char *records(bool text, uint64_t first, uint64_t n, size_t *len)
{
    char *buf = malloc(n * 32 + 1);
    *len = 0;
    for (uint64_t i = 0; i < n; i++)
        *len += (size_t)record_bytes(text, first + i, buf + *len);
    return buf;
}

static void pwrite_all(int fd, const char *p, size_t n, off_t at)
{
    if (pwrite(fd, p, n, at) != (ssize_t)n)
        _exit(3);
}

/* regrow: records, half a record, then truncated and at once (one write)
 * regrown past the old size with other records; rewrite: the same bytes
 * overwritten in place by other records (no truncation at all). Then a few
 * more appended, so reading must go on after the restart. */
static void replace_writer(const char *path, bool text, bool regrow)
{
    uint64_t rng = 99;
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        _exit(2);
    nap_ms(200);
    size_t la, lb;
    char *a = records(text, 0, 700, &la);
    write_pieces(fd, text, 0, 700, &rng);
    if (regrow && write(fd, a, 5) != 5) /* half a record or line */
        _exit(3);
    nap_ms(400); /* the reader has it all */
    char *b = records(text, 3 * W + 5, regrow ? 1500 : 700, &lb);
    while (lb < la) { /* text: other records need not be as long */
        free(b);
        b = records(text, 3 * W + 5, 700 + (la - lb), &lb);
    }
    if (regrow && ftruncate(fd, 0) != 0)
        _exit(4);
    pwrite_all(fd, b, lb, 0);
    nap_ms(300);
    if (lseek(fd, 0, SEEK_END) < 0)
        _exit(4);
    write_pieces(fd, text, 9000, 33, &rng);
    close(fd);
    free(a);
    free(b);
    _exit(0);
}

/* The counts a histogram of the file's complete records gives (row 0 = top). */
static uint64_t reference(const char *path, bool text, uint64_t want[W * H])
{
    memset(want, 0, W * H * sizeof *want);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    uint64_t n = 0;
    float xy[2];
    double x, y;
    for (;;) {
        if (text ? fscanf(fp, "%lf,%lf\n", &x, &y) != 2 : fread(xy, 4, 2, fp) != 2)
            break;
        if (!text)
            x = xy[0], y = xy[1];
        want[(H - 1 - (int)y) * W + (int)x]++;
        n++;
    }
    fclose(fp);
    return n;
}

static void read_counts(const char *npy, uint64_t got[W * H])
{
    FILE *fp = fopen(npy, "rb");
    assert_non_null(fp);
    fseek(fp, -(long)(W * H * 8), SEEK_END);
    assert_int_equal(fread(got, 8, W * H, fp), W * H);
    fclose(fp);
}

static void replace_case(bool text, bool regrow)
{
    char path[4096], args[16384], npy[4096], log[4096];
    snprintf(path, sizeof path, "%s/replaced.%s", dir, text ? "csv" : "f32");
    snprintf(npy, sizeof npy, "%s/counts.npy", dir);
    snprintf(log, sizeof log, "%s/stderr.txt", dir);
    unlink(path);
    unlink(npy);
    pid_t pid = fork();
    if (pid == 0)
        replace_writer(path, text, regrow);
    snprintf(args, sizeof args,
             "env -u DISPLAY '%s' render --follow --until-idle 1.0 '%s' --xlim 0 %d --ylim 0 %d "
             "--size %dx%d -o '%s/out.png' --save-counts '%s' 2>'%s'",
             bin, path, W, H, W, H, dir, npy, log);
    int rc = system(args);
    int st = 0;
    waitpid(pid, &st, 0);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    assert_true(WIFEXITED(rc) && WEXITSTATUS(rc) == 0);
    uint64_t want[W * H], got[W * H];
    uint64_t n = reference(path, text, want);
    read_counts(npy, got);
    uint64_t total = 0;
    int differ = 0;
    for (int i = 0; i < W * H; i++) {
        total += got[i];
        differ += got[i] != want[i];
    }
    if (total != n || differ)
        fail_msg("%s %s: %llu points counted, the final file holds %llu; %d of %d pixels differ",
                 text ? "text" : "raw", regrow ? "regrown" : "rewritten", (unsigned long long)total,
                 (unsigned long long)n, differ, W * H);
    char msg[4096];
    tu_read_text(log, msg, sizeof msg);
    if (!strstr(msg, "its rows were dropped, reading it again from its start"))
        fail_msg("no word of the restart on stderr: %s", msg);
}

static void test_regrown_raw(void **state)
{
    (void)state;
    replace_case(false, true);
}

static void test_regrown_text(void **state)
{
    (void)state;
    replace_case(true, true);
}

static void test_rewritten_raw(void **state)
{
    (void)state;
    replace_case(false, false);
}

static void test_rewritten_text(void **state)
{
    (void)state;
    replace_case(true, false);
}

/* Bytes the process has read (all files), from /proc/PID/io; 0 if unknown. */
static uint64_t proc_rchar(pid_t pid)
{
    char p[64];
    snprintf(p, sizeof p, "/proc/%d/io", (int)pid);
    FILE *fp = fopen(p, "r");
    unsigned long long v = 0;
    if (fp) {
        if (fscanf(fp, "rchar: %llu", &v) != 1)
            v = 0;
        fclose(fp);
    }
    return v;
}

/* Whether process pid has path open. */
static bool proc_has_open(pid_t pid, const char *path)
{
    char d[64], link[4200], target[4200];
    snprintf(d, sizeof d, "/proc/%d/fd", (int)pid);
    DIR *dp = opendir(d);
    if (!dp)
        return false;
    bool found = false;
    struct dirent *e;
    while (!found && (e = readdir(dp))) {
        snprintf(link, sizeof link, "%s/%s", d, e->d_name);
        ssize_t k = readlink(link, target, sizeof target - 1);
        if (k > 0) {
            target[k] = '\0';
            found = strcmp(target, path) == 0;
        }
    }
    closedir(dp);
    return found;
}

/* A plain render of a large CSV; once it has the file open and has read 4 MiB
 * of it, the file is cut to half its size. The render must fail and say so. */
static void test_text_truncated_while_read(void **state)
{
    (void)state;
    char path[4096], npy[4096], log[4096], out[4096];
    snprintf(path, sizeof path, "%s/big.csv", dir);
    snprintf(npy, sizeof npy, "%s/big.npy", dir);
    snprintf(out, sizeof out, "%s/big.png", dir);
    snprintf(log, sizeof log, "%s/big.txt", dir);
    bool caught = false;
    for (uint64_t rows = UINT64_C(4) << 20; rows <= (UINT64_C(32) << 20) && !caught; rows *= 2) {
        size_t len;
        char *text = records(true, 0, rows, &len);
        tu_write_file(path, text, len);
        free(text);
        char real[4096];
        assert_non_null(realpath(path, real));
        unlink(npy);
        unlink(out);
        pid_t pid = fork();
        if (pid == 0) {
            int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            dup2(fd, 2);
            unsetenv("DISPLAY");
            execl(bin, bin, "render", path, "--xlim", "0", "16", "--ylim", "0", "8", "--size", "16x8",
                  "-o", out, "--save-counts", npy, (char *)NULL);
            _exit(127);
        }
        /* cut it while it is being read */
        bool cut = false;
        for (int i = 0; i < 200000 && !cut; i++) {
            if (waitpid(pid, NULL, WNOHANG) == pid) {
                pid = 0;
                break;
            }
            if (proc_has_open(pid, real) && proc_rchar(pid) > (UINT64_C(4) << 20)) {
                assert_int_equal(truncate(path, (off_t)(len / 2)), 0);
                /* still reading it: the cut happened during the read */
                cut = proc_has_open(pid, real);
            }
        }
        int st = 0;
        if (pid)
            waitpid(pid, &st, 0);
        if (!cut)
            continue; /* it read the whole file first: try a larger one */
        caught = true;
        char msg[4096];
        tu_read_text(log, msg, sizeof msg);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 1)
            fail_msg("a text file truncated while read: exit %d, want 1; stderr: %s",
                     WIFEXITED(st) ? WEXITSTATUS(st) : -1, msg);
        if (!strstr(msg, "big.csv: the file was truncated while being read"))
            fail_msg("message does not say what happened: %s", msg);
        struct stat sb;
        assert_true(stat(out, &sb) != 0 && stat(npy, &sb) != 0); /* no output left */
    }
    if (!caught)
        skip(); /* never caught it mid-read (a very fast machine) */
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

/* ---- w through the follower ------------------------------------------------------ */

static void append_bytes(const char *path, const void *p, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, p, n), (ssize_t)n);
    close(fd);
}

/* Every row of m's chunks: x, y, w. */
static size_t all_rows(const memcols *m, double *x, double *y, double *w, uint64_t *nonfinite)
{
    size_t total = 0;
    uint64_t records = 0;
    for (uint64_t k = 0; k < memcols_chunks(m); k++) {
        size_t n;
        vp_err err = {{0}};
        assert_true(memcols_chunk(m, k, x + total, y + total, w + total, &n, &records, nonfinite,
                                  "t", &err));
        total += n;
    }
    return total;
}

static void poll_ok(follower *f)
{
    follow_event ev;
    vp_err err = {{0}};
    if (!follower_poll(f, &ev, &err))
        fail_msg("poll: %s", err.msg);
}

static void test_follow_w_raw(void **state)
{
    (void)state;
    char path[4096];
    snprintf(path, sizeof path, "%s/w.f64", dir);
    unlink(path);
    enum { N = 5000 };
    double *rec = malloc(N * 3 * sizeof *rec);
    for (int i = 0; i < N; i++) {
        rec[3 * i] = i;
        rec[3 * i + 1] = -i * 0.5;
        rec[3 * i + 2] = i % 100 == 7 ? NAN : i * 1e-7 + 1e300 * (i % 2);
    }
    follow_params fp = {.binary = {.dtype = VP_F64, .columns = 3, .xcol = 0, .ycol = 1,
                                   .has_w = true, .wcol = 2}};
    memcols *m = memcols_create(true);
    follower *f = NULL;
    vp_err err = {{0}};
    assert_true(follower_create(path, &fp, m, &f, &err));
    const char *bytes = (const char *)rec;
    size_t len = N * 3 * sizeof *rec, at = 0;
    uint64_t rng = 5;
    while (at < len) {
        size_t k = 1 + tu_rand(&rng) % 3001; /* records cut anywhere */
        if (k > len - at)
            k = len - at;
        append_bytes(path, bytes + at, k);
        at += k;
        if (tu_rand(&rng) % 3 == 0)
            poll_ok(f);
    }
    poll_ok(f);
    double *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y), *w = malloc(N * sizeof *w);
    uint64_t nonfinite = 0;
    size_t n = all_rows(m, x, y, w, &nonfinite);
    assert_int_equal(n, N - N / 100);
    assert_int_equal(nonfinite, N / 100);
    assert_int_equal(memcols_records(m), N);
    for (size_t i = 0, j = 0; i < N; i++) {
        if (i % 100 == 7)
            continue;
        assert_memory_equal(&x[j], &rec[3 * i], 8);
        assert_memory_equal(&y[j], &rec[3 * i + 1], 8);
        assert_memory_equal(&w[j], &rec[3 * i + 2], 8);
        j++;
    }
    const char *const *lab;
    assert_int_equal(follower_labels(f, &lab), 0);
    follower_destroy(f);
    memcols_destroy(m);
    /* rows with w need columns with w */
    m = memcols_create(false);
    assert_false(follower_create(path, &fp, m, &f, &err));
    assert_non_null(strstr(err.msg, "internal error"));
    memcols_destroy(m);
    free(rec);
    free(x);
    free(y);
    free(w);
}

static void test_follow_w_labels(void **state)
{
    (void)state;
    char path[4096], rotated[4200];
    snprintf(path, sizeof path, "%s/labels.csv", dir);
    snprintf(rotated, sizeof rotated, "%s.1", path);
    unlink(path);
    unlink(rotated);
    follow_params fp = {.text = true, .text_p = {.wcol = "kind", .w_category = true}};
    memcols *m = memcols_create(true);
    follower *f = NULL;
    vp_err err = {{0}};
    assert_true(follower_create(path, &fp, m, &f, &err));
    /* pieces cut inside lines; "b" first, then "a" */
    static const char *part1[] = {"x,y,kind\n1,1,b\n2,", "2,a\n3,3,\"b\"\n", "4,4,a\n5,"};
    for (int i = 0; i < 3; i++) {
        append_bytes(path, part1[i], strlen(part1[i]));
        poll_ok(f);
    }
    const char *const *lab;
    assert_int_equal(follower_labels(f, &lab), 2);
    assert_string_equal(lab[0], "b");
    assert_string_equal(lab[1], "a");
    append_bytes(path, "5,c\n", 4);
    poll_ok(f);
    assert_int_equal(follower_labels(f, &lab), 3);
    assert_string_equal(lab[2], "c");
    double x[64], y[64], w[64];
    uint64_t nf = 0;
    size_t n = all_rows(m, x, y, w, &nf);
    assert_int_equal(n, 5);
    const double want1[] = {0, 1, 0, 1, 2};
    for (size_t i = 0; i < n; i++) {
        assert_true(x[i] == (double)(i + 1));
        assert_true(w[i] == want1[i]);
    }
    /* truncated and regrown: rows dropped, numbers kept ("a" first now) */
    int fd = open(path, O_WRONLY | O_TRUNC);
    close(fd);
    poll_ok(f);
    static const char regrow[] = "x,y,kind\n6,6,a\n7,7,d\n8,8,b\n";
    append_bytes(path, regrow, strlen(regrow));
    poll_ok(f);
    poll_ok(f);
    n = all_rows(m, x, y, w, &nf);
    assert_int_equal(n, 3);
    assert_true(x[0] == 6 && w[0] == 1 && w[1] == 3 && w[2] == 0);
    assert_int_equal(follower_labels(f, &lab), 4);
    assert_string_equal(lab[3], "d");
    /* rotated: the old file's rows stay, the new one's labels keep their numbers */
    assert_int_equal(rename(path, rotated), 0);
    static const char fresh[] = "x,y,kind\n9,9,c\n10,10,e\n11,11,a\n";
    append_bytes(path, fresh, strlen(fresh));
    poll_ok(f);
    poll_ok(f);
    n = all_rows(m, x, y, w, &nf);
    assert_int_equal(n, 6);
    const double want3[] = {1, 3, 0, 2, 4, 1};
    for (size_t i = 0; i < n; i++)
        assert_true(w[i] == want3[i]);
    assert_int_equal(follower_labels(f, &lab), 5);
    assert_string_equal(lab[4], "e");
    text_stats st;
    follower_text_stats(f, &st);
    assert_true(st.w_labels);
    follower_destroy(f);
    memcols_destroy(m);

    /* plain w values in a followed text, by index */
    unlink(path);
    fp = (follow_params){.text = true, .text_p = {.xcol = "0", .ycol = "1", .wcol = "2"}};
    m = memcols_create(true);
    assert_true(follower_create(path, &fp, m, &f, &err));
    static const char vals[] = "1,2,3.25\n4,5,\n7,8,-inf\n9,10,1e-300\n";
    append_bytes(path, vals, strlen(vals));
    poll_ok(f);
    poll_ok(f);
    nf = 0;
    n = all_rows(m, x, y, w, &nf);
    assert_int_equal(n, 2);
    assert_int_equal(nf, 1); /* -inf */
    assert_true(w[0] == 3.25 && w[1] == 1e-300);
    follower_text_stats(f, &st);
    assert_int_equal(st.skipped_rows, 1); /* the empty w */
    assert_int_equal(follower_labels(f, &lab), 0);
    follower_destroy(f);
    memcols_destroy(m);
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
        cmocka_unit_test(test_regrown_raw),
        cmocka_unit_test(test_regrown_text),
        cmocka_unit_test(test_rewritten_raw),
        cmocka_unit_test(test_rewritten_text),
        cmocka_unit_test(test_text_truncated_while_read),
        cmocka_unit_test(test_follow_w_raw),
        cmocka_unit_test(test_follow_w_labels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
