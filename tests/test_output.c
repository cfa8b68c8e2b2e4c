/* PNG and .npy writers: round trips, exact bytes of the .npy layout, and the
 * "whole file or nothing" promise under failures (missing folder, full disk,
 * libpng errors), including that no temporary file is left behind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "out/npy_out.h"
#include "out/output_set.h"
#include "out/png_out.h"
#include "testutil.h"

static const char *scratch(void)
{
    return tu_tmpdir("test_output");
}

static bool file_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* Entries in dir (other than . and ..); with `needle`, only names containing it. */
static int count_entries(const char *dir, const char *needle)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (!needle || strstr(e->d_name, needle))
            n++;
    }
    closedir(d);
    return n;
}

static int temp_files_in(const char *dir)
{
    int a = count_entries(dir, ".tmp-"), b = count_entries(dir, "vastplot-tmp");
    return a < 0 || b < 0 ? -1 : a + b;
}

static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long size = ftell(f);
    assert_true(size >= 0);
    rewind(f);
    uint8_t *buf = malloc((size_t)size + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    *len = (size_t)size;
    return buf;
}

static uint8_t *random_pixels(int h, size_t stride, uint64_t seed)
{
    uint8_t *p = malloc(stride * (size_t)h);
    assert_non_null(p);
    for (size_t i = 0; i < stride * (size_t)h; i++)
        p[i] = (uint8_t)tu_rand(&seed);
    return p;
}

/* ---- PNG -------------------------------------------------------------------- */

static void roundtrip(int w, int h, size_t stride, bool has_alpha, uint64_t seed)
{
    const char *path = tu_path(scratch(), has_alpha ? "rt_rgba.png" : "rt_rgb.png");
    uint8_t *src = random_pixels(h, stride, seed);
    vp_err err = {{0}};
    if (!png_write_rgba(path, src, w, h, stride, has_alpha, &err))
        fail_msg("png_write_rgba: %s", err.msg);
    uint8_t *back;
    int bw, bh;
    if (!png_read_rgba(path, &back, &bw, &bh, &err))
        fail_msg("png_read_rgba: %s", err.msg);
    assert_int_equal(bw, w);
    assert_int_equal(bh, h);
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            const uint8_t *a = src + (size_t)y * stride + (size_t)x * 4;
            const uint8_t *b = back + ((size_t)y * (size_t)w + (size_t)x) * 4;
            if (memcmp(a, b, 3) != 0 || b[3] != (has_alpha ? a[3] : 255))
                fail_msg("pixel %d,%d: wrote %u,%u,%u,%u read %u,%u,%u,%u", x, y, a[0], a[1], a[2],
                         a[3], b[0], b[1], b[2], b[3]);
        }
    }
    free(back);
    free(src);
    assert_int_equal(temp_files_in(scratch()), 0);
}

static void test_png_roundtrip(void **state)
{
    (void)state;
    roundtrip(37, 23, 37 * 4, true, 1);
    roundtrip(37, 23, 37 * 4 + 12, true, 2); /* padded rows */
    roundtrip(37, 23, 37 * 4, false, 3);
    roundtrip(64, 9, 64 * 4 + 4, false, 4);
    roundtrip(1, 1, 4, true, 5);
}

static void test_png_overwrite_and_mode(void **state)
{
    (void)state;
    const char *path = tu_path(scratch(), "mode.png");
    uint8_t px[4 * 4 * 4];
    memset(px, 200, sizeof px);
    vp_err err = {{0}};
    unlink(path);
    mode_t old = umask(027);
    bool ok = png_write_rgba(path, px, 4, 4, 16, true, &err);
    umask(old);
    if (!ok)
        fail_msg("%s", err.msg);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    /* like a plain newly created file: 0666 filtered by the umask */
    assert_int_equal(st.st_mode & 07777, 0640);

    /* replacing an existing file */
    memset(px, 7, sizeof px);
    if (!png_write_rgba(path, px, 4, 4, 16, true, &err))
        fail_msg("%s", err.msg);
    uint8_t *back;
    int w, h;
    assert_true(png_read_rgba(path, &back, &w, &h, &err));
    assert_int_equal(back[0], 7);
    free(back);

    /* through a symlink: the link stays, its target is replaced */
    const char *link = tu_path(scratch(), "link.png");
    unlink(link);
    assert_int_equal(symlink("mode.png", link), 0);
    memset(px, 99, sizeof px);
    if (!png_write_rgba(link, px, 4, 4, 16, true, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_true(png_read_rgba(path, &back, &w, &h, &err));
    assert_int_equal(back[0], 99);
    free(back);
    assert_int_equal(temp_files_in(scratch()), 0);
}

static void test_png_missing_folder(void **state)
{
    (void)state;
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s/no/such/folder", scratch());
    snprintf(path, sizeof path, "%s/out.png", dir);
    uint8_t px[16] = {0};
    vp_err err = {{0}};
    assert_false(png_write_rgba(path, px, 2, 2, 8, true, &err));
    assert_non_null(strstr(err.msg, path));
    assert_non_null(strstr(err.msg, "cannot create file"));
    assert_non_null(strstr(err.msg, "does not exist"));
    assert_non_null(strstr(err.msg, dir));
    assert_false(file_exists(path));
    assert_false(file_exists(dir));
}

static void test_png_target_is_folder(void **state)
{
    (void)state;
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/a_folder.png", scratch());
    mkdir(dir, 0755);
    uint8_t px[16] = {0};
    vp_err err = {{0}};
    assert_false(png_write_rgba(dir, px, 2, 2, 8, true, &err));
    assert_non_null(strstr(err.msg, "is a folder"));
    assert_int_equal(count_entries(dir, NULL), 0);
    assert_int_equal(temp_files_in(scratch()), 0);
    rmdir(dir);

    /* a device node must not be replaced by the rename */
    assert_false(png_write_rgba("/dev/null", px, 2, 2, 8, true, &err));
    assert_non_null(strstr(err.msg, "not a regular file"));
    struct stat st;
    assert_int_equal(stat("/dev/null", &st), 0);
    assert_true(S_ISCHR(st.st_mode));
}

static void test_png_bad_arguments(void **state)
{
    (void)state;
    const char *path = tu_path(scratch(), "bad.png");
    unlink(path);
    uint8_t px[16] = {0};
    vp_err err = {{0}};
    assert_false(png_write_rgba(path, px, 0, 2, 8, true, &err));
    assert_false(png_write_rgba(path, px, 2, 2, 7, true, &err)); /* stride < width * 4 */
    assert_false(file_exists(path));

    /* an error raised inside libpng (longjmp path): width over its limit */
    const int w = 1000001;
    uint8_t *wide = calloc((size_t)w, 4);
    assert_non_null(wide);
    assert_false(png_write_rgba(path, wide, w, 1, (size_t)w * 4, true, &err));
    assert_non_null(strstr(err.msg, path));
    free(wide);
    assert_false(file_exists(path));
    assert_int_equal(temp_files_in(scratch()), 0);

    uint8_t *back = (uint8_t *)1;
    int bw, bh;
    assert_false(png_read_rgba(path, &back, &bw, &bh, &err));
    assert_null(back);
}

/* ---- full disk: a 64 KiB tmpfs (needs root; skipped visibly otherwise) ------ */

typedef struct full_fs {
    char dir[4096];
    bool mounted;
} full_fs;

static int full_fs_setup(void **state)
{
    static full_fs fs;
    snprintf(fs.dir, sizeof fs.dir, "%s/tiny_fs", scratch());
    mkdir(fs.dir, 0755);
    fs.mounted = mount("tmpfs", fs.dir, "tmpfs", 0, "size=64k,mode=0755") == 0;
    if (!fs.mounted)
        print_message("[  NOTE    ] cannot mount a tmpfs on %s (%s): full-disk case skipped\n",
                      fs.dir, strerror(errno));
    *state = &fs;
    return 0;
}

static int full_fs_teardown(void **state)
{
    full_fs *fs = *state;
    if (fs->mounted && umount(fs->dir) != 0)
        print_message("cannot unmount %s: %s\n", fs->dir, strerror(errno));
    fs->mounted = false;
    rmdir(fs->dir);
    return 0;
}

static void test_full_disk(void **state)
{
    full_fs *fs = *state;
    if (!fs->mounted) {
        skip();
        return;
    }
    char path[4200];
    vp_err err = {{0}};

    /* small enough to fit: shows the mount works and is writable */
    snprintf(path, sizeof path, "%s/small.png", fs->dir);
    uint8_t px[8 * 8 * 4];
    memset(px, 50, sizeof px);
    if (!png_write_rgba(path, px, 8, 8, 32, true, &err))
        fail_msg("small write on tmpfs: %s", err.msg);
    assert_int_equal(unlink(path), 0);

    /* 256 KiB of noise does not compress below the 64 KiB limit */
    snprintf(path, sizeof path, "%s/big.png", fs->dir);
    uint8_t *noise = random_pixels(256, 1024, 77);
    assert_false(png_write_rgba(path, noise, 256, 256, 1024, true, &err));
    free(noise);
    assert_non_null(strstr(err.msg, path));
    assert_non_null(strstr(err.msg, "cannot write"));
    assert_non_null(strstr(err.msg, strerror(ENOSPC)));
    assert_int_equal(count_entries(fs->dir, NULL), 0); /* no file, no temp file */

    snprintf(path, sizeof path, "%s/big.npy", fs->dir);
    uint64_t *grid = calloc(100 * 100, sizeof *grid);
    assert_non_null(grid);
    err.msg[0] = 0;
    assert_false(npy_write_counts(path, grid, 100, 100, &err));
    free(grid);
    assert_non_null(strstr(err.msg, path));
    assert_non_null(strstr(err.msg, strerror(ENOSPC)));
    assert_int_equal(count_entries(fs->dir, NULL), 0);
}

/* ---- .npy ------------------------------------------------------------------- */

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void check_npy(int w, int h, uint64_t seed)
{
    const char *path = tu_path(scratch(), "grid.npy");
    size_t n = (size_t)w * (size_t)h;
    uint64_t *grid = malloc((n ? n : 1) * sizeof *grid);
    assert_non_null(grid);
    for (size_t i = 0; i < n; i++)
        grid[i] = tu_rand(&seed) >> (tu_rand(&seed) % 64);
    if (n >= 3) {
        grid[0] = (1ull << 40) + 7;
        grid[1] = UINT64_MAX;
        grid[2] = 0;
    }
    vp_err err = {{0}};
    if (!npy_write_counts(path, grid, w, h, &err))
        fail_msg("%s", err.msg);

    size_t len;
    uint8_t *f = read_all(path, &len);
    assert_true(len >= 10);
    assert_memory_equal(f, "\x93NUMPY\x01\x00", 8);
    size_t hlen = f[8] | (size_t)f[9] << 8;
    size_t data = 10 + hlen;
    assert_int_equal(data % 64, 0);
    assert_int_equal(len, data + n * 8);
    char want[128];
    int wl = snprintf(want, sizeof want,
                      "{'descr': '<u8', 'fortran_order': False, 'shape': (%d, %d), }", h, w);
    assert_memory_equal(f + 10, want, (size_t)wl);
    for (size_t i = 10 + (size_t)wl; i < data - 1; i++)
        assert_int_equal(f[i], ' ');
    assert_int_equal(f[data - 1], '\n');

    /* file row r is grid row h-1-r */
    for (int r = 0; r < h; r++)
        for (int x = 0; x < w; x++) {
            uint64_t got = le64(f + data + ((size_t)r * (size_t)w + (size_t)x) * 8);
            uint64_t exp = grid[(size_t)(h - 1 - r) * (size_t)w + (size_t)x];
            if (got != exp)
                fail_msg("%dx%d: file [%d][%d] = %llu, want %llu", w, h, r, x,
                         (unsigned long long)got, (unsigned long long)exp);
        }
    free(f);
    free(grid);
    assert_int_equal(temp_files_in(scratch()), 0);
}

static void test_npy_layout(void **state)
{
    (void)state;
    check_npy(5, 3, 1);
    check_npy(1, 1, 2);
    check_npy(1000, 7, 3);
    check_npy(300000, 2, 4); /* rows wider than the write buffer */
    check_npy(0, 0, 5);
}

static void test_npy_missing_folder(void **state)
{
    (void)state;
    char path[4200];
    snprintf(path, sizeof path, "%s/nowhere/grid.npy", scratch());
    uint64_t grid[4] = {1, 2, 3, 4};
    vp_err err = {{0}};
    assert_false(npy_write_counts(path, grid, 2, 2, &err));
    assert_non_null(strstr(err.msg, "cannot create file"));
    assert_non_null(strstr(err.msg, "does not exist"));
    assert_false(file_exists(path));
    assert_false(npy_write_counts(scratch(), grid, 2, 2, &err));
    assert_non_null(strstr(err.msg, "is a folder"));
}


/* ---- outputs never destroy inputs or old results ---------------------------- */


static void open_and_write(atomic_file *af, const char *path, const char *text)
{
    vp_err err = {{0}};
    if (!atomic_file_open(af, path, &err) || !atomic_file_write(af, text, strlen(text), &err))
        fail_msg("%s", err.msg);
}

/* Two files committed together: both replaced, or (when the second cannot be
 * moved into place) the first one's old content put back. */
static void test_commit_all_or_nothing(void **state)
{
    (void)state;
    char d[4200];
    snprintf(d, sizeof d, "%s/set", scratch());
    mkdir(d, 0755);
    const char *a = tu_path(d, "a.png"), *b = tu_path(d, "b.npy");
    tu_write_text(a, "old a");
    tu_write_text(b, "old b");
    atomic_file afs[2];
    vp_err err = {{0}};
    open_and_write(&afs[0], a, "new a");
    open_and_write(&afs[1], b, "new b");
    if (!atomic_file_commit_all(afs, 2, &err))
        fail_msg("%s", err.msg);
    assert_file_holds(a, "new a");
    assert_file_holds(b, "new b");
    assert_int_equal(temp_files_in(d), 0);

    /* b turns into a folder while both are written: nothing changes */
    open_and_write(&afs[0], a, "newer a");
    open_and_write(&afs[1], b, "newer b");
    assert_int_equal(unlink(b), 0);
    assert_int_equal(mkdir(b, 0755), 0);
    assert_false(atomic_file_commit_all(afs, 2, &err));
    assert_msg_has(err, b);
    assert_file_holds(a, "new a");
    assert_int_equal(temp_files_in(d), 0);
    assert_int_equal(rmdir(b), 0);

    /* a new target (no old file) is taken away again */
    const char *c = tu_path(d, "c.png");
    unlink(c);
    open_and_write(&afs[0], c, "new c");
    open_and_write(&afs[1], b, "x");
    assert_int_equal(mkdir(b, 0755), 0);
    assert_false(atomic_file_commit_all(afs, 2, &err));
    assert_false(file_exists(c));
    assert_int_equal(temp_files_in(d), 0);
    assert_int_equal(rmdir(b), 0);
}

/* Symlinks as cp: the target is written, a dangling link is refused; a
 * replaced file keeps its mode; another user's file is never taken over. */
static void test_symlink_mode_owner(void **state)
{
    (void)state;
    char d[4200];
    snprintf(d, sizeof d, "%s/links", scratch());
    mkdir(d, 0755);
    char sub[4300];
    snprintf(sub, sizeof sub, "%s/sub", d);
    mkdir(sub, 0755);
    const char *target = tu_path(sub, "t.npy"), *link = tu_path(d, "l.npy");
    tu_write_text(target, "old");
    assert_int_equal(chmod(target, 0600), 0);
    unlink(link);
    assert_int_equal(symlink("sub/t.npy", link), 0);
    atomic_file af;
    vp_err err = {{0}};
    open_and_write(&af, link, "new");
    /* the temporary file is in the target's folder */
    assert_int_equal(temp_files_in(sub), 1);
    assert_int_equal(temp_files_in(d), 0);
    if (!atomic_file_commit(&af, &err))
        fail_msg("%s", err.msg);
    struct stat st;
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_file_holds(target, "new");
    assert_int_equal(stat(target, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal(temp_files_in(sub), 0);

    const char *dangling = tu_path(d, "dangling.png");
    unlink(dangling);
    assert_int_equal(symlink("missing.png", dangling), 0);
    assert_false(atomic_file_open(&af, dangling, &err));
    assert_msg_has(err, "dangling.png: is a symlink to a file that does not exist");
    assert_int_equal(lstat(dangling, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_false(file_exists(tu_path(d, "missing.png")));
    assert_int_equal(temp_files_in(d), 0);

    if (geteuid() != 0) {
        print_message("[  NOTE    ] not root: cannot make a file of another user; owner case skipped\n");
        return;
    }
    const char *theirs = tu_path(d, "theirs.png");
    tu_write_text(theirs, "theirs");
    assert_int_equal(chown(theirs, 65534, 65534), 0);
    assert_false(atomic_file_open(&af, theirs, &err));
    assert_msg_has(err, "theirs.png: belongs to another user (uid 65534)");
    assert_file_holds(theirs, "theirs");
    assert_int_equal(stat(theirs, &st), 0);
    assert_int_equal(st.st_uid, 65534);
}

/* Identity, not spelling: ./x and x, a symlink, a hard link, a file not yet
 * created, and a guarded file that only appears after the outputs were added. */
static void test_output_set_identity(void **state)
{
    (void)state;
    char d[4200], cwd[4200];
    snprintf(d, sizeof d, "%s/ids", scratch());
    mkdir(d, 0755);
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(d), 0);
    tu_write_text("in.f32", "input");
    unlink("in-link.png");
    assert_int_equal(symlink("in.f32", "in-link.png"), 0);
    unlink("hard.npy");
    tu_write_text("out.png", "old out");
    assert_int_equal(link("out.png", "hard.npy"), 0);
    unlink("new.out");
    unlink("later.f32");
    output_set s;
    vp_err err = {{0}};

    output_set_init(&s);
    assert_true(output_set_guard(&s, "in.f32", "an input", &err));
    assert_false(output_set_add(&s, "./in.f32", "-o", &err));
    assert_msg_has(err, "./in.f32: is also an input (the same file as in.f32)");
    assert_false(output_set_add(&s, "in-link.png", "-o", &err));
    assert_msg_has(err, "in-link.png: is also an input");
    assert_true(output_set_add(&s, "new.out", "-o", &err));
    assert_false(output_set_add(&s, "./new.out", "--save-counts", &err)); /* neither exists */
    assert_msg_has(err, "./new.out: --save-counts is the same file as -o new.out");
    output_set_free(&s);

    output_set_init(&s);
    assert_true(output_set_add(&s, "out.png", "-o", &err));
    assert_false(output_set_add(&s, "hard.npy", "--save-counts", &err));
    assert_msg_has(err, "hard.npy: --save-counts is the same file as -o out.png");
    output_set_free(&s);

    /* an input that appears (as a link to the output) before the commit */
    output_set_init(&s);
    assert_true(output_set_guard(&s, "later.f32", "an input", &err));
    assert_true(output_set_add(&s, "out.png", "-o", &err));
    atomic_file *af = output_set_begin(&s, 0, &err);
    assert_non_null(af);
    assert_true(atomic_file_write(af, "new", 3, &err));
    assert_int_equal(link("out.png", "later.f32"), 0);
    assert_false(output_set_commit(&s, &err));
    assert_msg_has(err, "out.png: is also an input (the same file as later.f32)");
    output_set_free(&s);
    assert_file_holds("out.png", "old out");
    assert_int_equal(temp_files_in("."), 0);
    assert_int_equal(chdir(cwd), 0);
}

/* A child with a temporary file open is stopped by sig: the file is removed
 * and it exits 128 + sig. With hold, the commit in progress completes first. */
static void signal_case(int sig, bool hold)
{
    char d[4200];
    snprintf(d, sizeof d, "%s/sig%d%s", scratch(), sig, hold ? "h" : "");
    mkdir(d, 0755);
    const char *path = tu_path(d, "out.png");
    tu_write_text(path, "old");
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        cleanup_install();
        atomic_file af;
        vp_err err;
        if (!atomic_file_open(&af, path, &err) || !atomic_file_write(&af, "new", 3, &err))
            _exit(3);
        if (hold)
            cleanup_hold();
        (void)!write(fds[1], "x", 1);
        if (!hold)
            for (;;)
                pause();
        usleep(300000); /* the signal arrives in here */
        bool ok = atomic_file_commit(&af, &err);
        cleanup_release();
        _exit(ok ? 4 : 5);
    }
    char c;
    assert_int_equal(read(fds[0], &c, 1), 1);
    close(fds[0]);
    close(fds[1]);
    assert_int_equal(temp_files_in(d), 1);
    assert_int_equal(kill(pid, sig), 0);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status))
        fail_msg("signal %d: the child did not exit (killed by signal %d)", sig,
                 WIFSIGNALED(status) ? WTERMSIG(status) : -1);
    assert_int_equal(WEXITSTATUS(status), 128 + sig);
    assert_int_equal(temp_files_in(d), 0);
    assert_file_holds(path, hold ? "new" : "old");
}

static void test_signals_remove_temp_files(void **state)
{
    (void)state;
    signal_case(SIGTERM, false);
    signal_case(SIGINT, false);
    signal_case(SIGHUP, false);
    signal_case(SIGTERM, true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_png_roundtrip),
        cmocka_unit_test(test_png_overwrite_and_mode),
        cmocka_unit_test(test_png_missing_folder),
        cmocka_unit_test(test_png_target_is_folder),
        cmocka_unit_test(test_png_bad_arguments),
        cmocka_unit_test_setup_teardown(test_full_disk, full_fs_setup, full_fs_teardown),
        cmocka_unit_test(test_npy_layout),
        cmocka_unit_test(test_npy_missing_folder),
        cmocka_unit_test(test_commit_all_or_nothing),
        cmocka_unit_test(test_symlink_mode_owner),
        cmocka_unit_test(test_output_set_identity),
        cmocka_unit_test(test_signals_remove_temp_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
