/* bounds_cache: a file's scan result remembered between runs. A put is found
 * again by a get for the same file and layout, bit for bit (also infinities);
 * a file that changed size or modification time, or the same file read with
 * other layout options, misses; a put whose file changed since its key was
 * taken stores nothing; VASTPLOT_NO_CACHE=1 turns it off; the folder is
 * $XDG_CACHE_HOME/vastplot/bounds; a damaged entry or an unusable cache
 * folder is a miss, never an error; the input is never written to. With w
 * (--value): the entry keeps w's range too, and the w column is part of the
 * key; the scan finds that range (scan.h).
 *
 * XDG_CACHE_HOME is set here, to a folder of this test's own, before the
 * first call (CTest sets one for all tests; this test must not share it). */
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "accum/bounds_cache.h"
#include "accum/scan.h"
#include "load/dataset.h"
#include "load/source.h"
#include "testutil.h"

static const char *dir;
static char cache_home[2048], entries[2100];

/* Removes every entry, so each test starts from an empty cache. */
static int empty_cache(void **unused)
{
    (void)unused;
    DIR *d = opendir(entries);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)))
            if (e->d_name[0] != '.')
                unlink(tu_path(entries, e->d_name));
        closedir(d);
    }
    unsetenv("VASTPLOT_NO_CACHE");
    setenv("XDG_CACHE_HOME", cache_home, 1);
    return 0;
}

static int count_entries(void)
{
    DIR *d = opendir(entries);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* The only entry's path (fails unless there is exactly one). */
static const char *only_entry(void)
{
    static char path[4096];
    DIR *d = opendir(entries);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') {
            snprintf(path, sizeof path, "%s/%s", entries, e->d_name);
            n++;
        }
    closedir(d);
    assert_int_equal(n, 1);
    return path;
}

static const char *write_input(const char *name, size_t floats)
{
    const char *path = tu_path(dir, name);
    float *v = malloc(floats * sizeof *v);
    assert_non_null(v);
    for (size_t i = 0; i < floats; i++)
        v[i] = (float)i * 0.25f - 3.0f;
    unlink(path); /* a new file each time */
    tu_write_file(path, v, floats * sizeof *v);
    free(v);
    return path;
}

static source *open_src(const char *path, const source_params *p)
{
    source *s;
    vp_err err;
    if (!source_create(path, p, &s, &err))
        fail_msg("%s", err.msg);
    return s;
}

static scan_result sample_result(const source *s)
{
    scan_result r = {.records = source_get_info(s)->records, .nonfinite = 3,
                     .xmin = -0.1, .xmax = 1e300, .ymin = 4.9e-324, .ymax = 1.0 / 3.0};
    r.finite = r.records - r.nonfinite;
    return r;
}

static void assert_result_equal(const scan_result *a, const scan_result *b)
{
    assert_int_equal(a->records, b->records);
    assert_int_equal(a->nonfinite, b->nonfinite);
    assert_int_equal(a->finite, b->finite);
    /* bit for bit (compare as bytes: NaN-safe, -0 told from 0) */
    assert_memory_equal(&a->xmin, &b->xmin, sizeof a->xmin);
    assert_memory_equal(&a->xmax, &b->xmax, sizeof a->xmax);
    assert_memory_equal(&a->ymin, &b->ymin, sizeof a->ymin);
    assert_memory_equal(&a->ymax, &b->ymax, sizeof a->ymax);
    assert_int_equal(a->wfinite, b->wfinite);
    assert_memory_equal(&a->wmin, &b->wmin, sizeof a->wmin);
    assert_memory_equal(&a->wmax, &b->wmax, sizeof a->wmax);
}

/* get (miss) -> put -> get (hit) with a fresh source of the same file. */
static void put_after_miss(const char *path, const source_params *p, const scan_result *r)
{
    source *s = open_src(path, p);
    bounds_cache_key key;
    scan_result got;
    assert_false(bounds_cache_get(s, &key, &got));
    assert_true(key.valid);
    bounds_cache_put(s, &key, r);
    source_destroy(s);
}

static bool get_once(const char *path, const source_params *p, scan_result *got)
{
    source *s = open_src(path, p);
    bounds_cache_key key;
    bool hit = bounds_cache_get(s, &key, got);
    source_destroy(s);
    return hit;
}

/* A 2000-record input named name whose bounds were put after a miss: *r. */
static const char *cached_input(const char *name, scan_result *r)
{
    const char *path = write_input(name, 2000);
    source *s = open_src(path, NULL);
    *r = sample_result(s);
    source_destroy(s);
    put_after_miss(path, NULL, r);
    return path;
}

static void test_round_trip(void **unused)
{
    (void)unused;
    scan_result r;
    const char *path = cached_input("a.f32", &r);
    assert_int_equal(count_entries(), 1);
    scan_result got;
    memset(&got, 0xab, sizeof got);
    assert_true(get_once(path, NULL, &got));
    assert_result_equal(&got, &r);
    /* again: a get does not consume the entry */
    assert_true(get_once(path, NULL, &got));
    assert_result_equal(&got, &r);

    /* a file with no finite sample: the infinities a scan leaves come back */
    const char *path2 = write_input("b.f32", 64);
    scan_result none = {.records = 32, .nonfinite = 32, .finite = 0, .xmin = INFINITY,
                        .xmax = -INFINITY, .ymin = INFINITY, .ymax = -INFINITY};
    put_after_miss(path2, NULL, &none);
    assert_true(get_once(path2, NULL, &got));
    assert_result_equal(&got, &none);
    assert_int_equal(count_entries(), 2);
    /* the first entry is still there */
    assert_true(get_once(path, NULL, &got));
    assert_result_equal(&got, &r);
}

static void test_different_size_misses(void **unused)
{
    (void)unused;
    scan_result r;
    const char *path = cached_input("size.f32", &r);
    scan_result got;
    assert_true(get_once(path, NULL, &got));

    /* append one record in place (same inode), then restore the old
     * modification time: only the size (and ctime) differ */
    struct stat st0;
    assert_int_equal(stat(path, &st0), 0);
    FILE *f = fopen(path, "ab");
    assert_non_null(f);
    float more[2] = {1, 2};
    assert_int_equal(fwrite(more, sizeof more, 1, f), 1);
    assert_int_equal(fclose(f), 0);
    struct timespec ts[2] = {st0.st_atim, st0.st_mtim};
    assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
    struct stat st1;
    assert_int_equal(stat(path, &st1), 0);
    assert_int_equal(st1.st_ino, st0.st_ino);
    assert_int_equal(st1.st_mtim.tv_sec, st0.st_mtim.tv_sec);
    assert_int_equal(st1.st_mtim.tv_nsec, st0.st_mtim.tv_nsec);
    assert_false(get_once(path, NULL, &got));
}

static void test_different_mtime_misses(void **unused)
{
    (void)unused;
    scan_result r;
    const char *path = cached_input("mtime.f32", &r);
    scan_result got;
    assert_true(get_once(path, NULL, &got));

    /* same bytes, same size, another modification time */
    struct stat st0;
    assert_int_equal(stat(path, &st0), 0);
    struct timespec ts[2] = {st0.st_atim, {st0.st_mtim.tv_sec - 1000, 5}};
    assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
    assert_false(get_once(path, NULL, &got));

    /* an entry for the new identity is found, and then that one only */
    put_after_miss(path, NULL, &r);
    assert_true(get_once(path, NULL, &got));
    assert_result_equal(&got, &r);
    /* back to the old mtime: the change time still differs, still a miss */
    struct timespec back[2] = {st0.st_atim, st0.st_mtim};
    assert_int_equal(utimensat(AT_FDCWD, path, back, 0), 0);
    assert_false(get_once(path, NULL, &got));
}

/* The same file read with other layout options is another entry. */
static void test_layout_options_miss(void **unused)
{
    (void)unused;
    const char *path = write_input("layout.f32", 4096);
    source_params base = {.ycol = -1};
    source *s = open_src(path, &base);
    scan_result r = sample_result(s);
    source_destroy(s);
    put_after_miss(path, &base, &r);
    scan_result got;
    assert_true(get_once(path, &base, &got));
    assert_result_equal(&got, &r);

    const source_params others[] = {
        {.dtype = VP_F64, .ycol = -1},
        {.columns = 4, .ycol = -1},
        {.xcol = 1, .ycol = 0},
        {.ycol = -1, .y_only = true},
        {.ycol = -1, .skip_bytes = 8},
        {.endian = VP_BIG, .ycol = -1},
    };
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        if (get_once(path, &others[i], &got))
            fail_msg("layout %zu found the default layout's entry", i);
    }
    /* each layout its own entry, side by side */
    source *s2 = open_src(path, &others[1]);
    scan_result r2 = sample_result(s2);
    r2.xmin = 7;
    source_destroy(s2);
    put_after_miss(path, &others[1], &r2);
    assert_true(get_once(path, &others[1], &got));
    assert_result_equal(&got, &r2);
    assert_true(get_once(path, &base, &got));
    assert_result_equal(&got, &r);
    assert_int_equal(count_entries(), 2);
}

/* A put whose file changed after the key was taken stores nothing. */
static void test_put_after_change_stores_nothing(void **unused)
{
    (void)unused;
    const char *path = write_input("changed.f32", 2000);
    source *s = open_src(path, NULL);
    bounds_cache_key key;
    scan_result got, r = sample_result(s);
    assert_false(bounds_cache_get(s, &key, &got));
    struct stat st0;
    assert_int_equal(stat(path, &st0), 0);
    struct timespec ts[2] = {st0.st_atim, {st0.st_mtim.tv_sec - 50, 0}};
    assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
    bounds_cache_put(s, &key, &r);
    source_destroy(s);
    assert_int_equal(count_entries(), 0);
    assert_false(get_once(path, NULL, &got));

    /* nor does a key that was never valid */
    s = open_src(path, NULL);
    bounds_cache_key bad = {.valid = false};
    bounds_cache_put(s, &bad, &r);
    source_destroy(s);
    assert_int_equal(count_entries(), 0);
}

static void test_no_cache_env(void **unused)
{
    (void)unused;
    const char *path = write_input("nocache.f32", 2000);
    source *s = open_src(path, NULL);
    scan_result r = sample_result(s);
    source_destroy(s);

    setenv("VASTPLOT_NO_CACHE", "1", 1);
    put_after_miss(path, NULL, &r);
    assert_int_equal(count_entries(), 0);
    scan_result got;
    assert_false(get_once(path, NULL, &got));

    /* an entry made while it was on is not read while it is off */
    unsetenv("VASTPLOT_NO_CACHE");
    put_after_miss(path, NULL, &r);
    assert_int_equal(count_entries(), 1);
    assert_true(get_once(path, NULL, &got));
    setenv("VASTPLOT_NO_CACHE", "1", 1);
    assert_false(get_once(path, NULL, &got));
    unsetenv("VASTPLOT_NO_CACHE");
    assert_true(get_once(path, NULL, &got));
}

/* The folder is $XDG_CACHE_HOME/vastplot/bounds: another XDG_CACHE_HOME is
 * another cache. */
static void test_folder_from_xdg(void **unused)
{
    (void)unused;
    scan_result r;
    const char *path = cached_input("xdg.f32", &r);
    const char *entry = only_entry();
    assert_int_equal(strncmp(entry, cache_home, strlen(cache_home)), 0);
    assert_non_null(strstr(entry, "/vastplot/bounds/"));

    char other[4096];
    snprintf(other, sizeof other, "%s/other-cache", dir);
    mkdir(other, 0755);
    setenv("XDG_CACHE_HOME", other, 1);
    scan_result got;
    char other_entries[4200];
    snprintf(other_entries, sizeof other_entries, "%s/vastplot/bounds", other);
    DIR *d = opendir(other_entries);
    if (d) { /* left from an earlier run: empty it */
        struct dirent *e;
        while ((e = readdir(d)))
            if (e->d_name[0] != '.')
                unlink(tu_path(other_entries, e->d_name));
        closedir(d);
    }
    assert_false(get_once(path, NULL, &got));
    setenv("XDG_CACHE_HOME", cache_home, 1);
    assert_true(get_once(path, NULL, &got));
    assert_result_equal(&got, &r);
}

/* A damaged entry, or a cache folder that cannot be made, is a miss. */
static void test_damage_is_a_miss(void **unused)
{
    (void)unused;
    scan_result r;
    const char *path = cached_input("damage.f32", &r);
    const char *entry = only_entry();
    char text[8192];
    tu_read_text(entry, text, sizeof text);
    char *nl = strchr(text, '\n');
    assert_non_null(nl);
    scan_result got;

    /* the values cut short */
    tu_write_file(entry, text, (size_t)(nl - text) + 4);
    assert_false(get_once(path, NULL, &got));
    /* the key line only, without its newline */
    tu_write_file(entry, text, (size_t)(nl - text));
    assert_false(get_once(path, NULL, &got));
    /* another file's key under this name (a hash collision) */
    char forged[8300];
    snprintf(forged, sizeof forged, "v1 /elsewhere%s", text + 2);
    tu_write_file(entry, forged, strlen(forged));
    assert_false(get_once(path, NULL, &got));
    /* empty */
    tu_write_file(entry, "", 0);
    assert_false(get_once(path, NULL, &got));

    /* XDG_CACHE_HOME names a regular file: nothing can be stored, silently */
    const char *plain = tu_path(dir, "not-a-folder");
    tu_write_file(plain, "x", 1);
    setenv("XDG_CACHE_HOME", plain, 1);
    put_after_miss(path, NULL, &r);
    assert_false(get_once(path, NULL, &got));
    setenv("XDG_CACHE_HOME", cache_home, 1);
}

/* Neither get nor put writes to the input. */
static void test_input_untouched(void **unused)
{
    (void)unused;
    const char *path = write_input("input.f32", 2000);
    struct stat st0, st1;
    assert_int_equal(stat(path, &st0), 0);
    source *s = open_src(path, NULL);
    scan_result r = sample_result(s);
    source_destroy(s);
    put_after_miss(path, NULL, &r);
    scan_result got;
    assert_true(get_once(path, NULL, &got));
    assert_int_equal(stat(path, &st1), 0);
    assert_int_equal(st1.st_size, st0.st_size);
    assert_int_equal(st1.st_mtim.tv_sec, st0.st_mtim.tv_sec);
    assert_int_equal(st1.st_mtim.tv_nsec, st0.st_mtim.tv_nsec);
    assert_int_equal(st1.st_ctim.tv_sec, st0.st_ctim.tv_sec);
    assert_int_equal(st1.st_ctim.tv_nsec, st0.st_ctim.tv_nsec);
}

/* The scan with w: the range of w over the records whose x, y, w are all
 * finite; remembered with the file's entry, under a key of its own. */
static void test_w_range(void **unused)
{
    (void)unused;
    /* triples x, y, w; record 3 has a NaN w, record 5 an inf x */
    const float v[] = {1, 2, 5,   3, 4, -2.5f, 5, 6, 100, 7, 8, NAN, 9, 10, 7,
                       INFINITY, 1, -1000, 11, 12, 0.25f};
    const char *path = tu_path(dir, "w.f32");
    unlink(path);
    tu_write_file(path, v, sizeof v);
    source_params p = {.columns = 3, .xcol = 0, .ycol = 1, .has_w = true, .wcol = 2};
    const char *paths[] = {path};
    dataset *ds;
    vp_err err;
    assert_true(dataset_create_files(paths, 1, &p, &ds, &err));
    assert_true(dataset_has_w(ds));
    for (int threads = 1; threads <= 3; threads += 2) {
        scan *s;
        assert_true(scan_start(ds, threads, &s, &err));
        scan_result r;
        assert_true(scan_join(s, &r, &err));
        assert_int_equal(r.records, 7);
        assert_int_equal(r.nonfinite, 2);
        assert_int_equal(r.finite, 5);
        assert_int_equal(r.wfinite, 5);
        assert_true(r.wmin == -2.5 && r.wmax == 100);
        assert_true(r.xmin == 1 && r.xmax == 11 && r.ymin == 2 && r.ymax == 12);
    }
    dataset_destroy(ds);
    /* without w: no range, and x, y of the NaN-w record count */
    p.has_w = false;
    assert_true(dataset_create_files(paths, 1, &p, &ds, &err));
    scan *s;
    scan_result r0;
    assert_true(scan_start(ds, 2, &s, &err));
    assert_true(scan_join(s, &r0, &err));
    assert_int_equal(r0.finite, 6);
    assert_int_equal(r0.wfinite, 0);
    assert_true(r0.wmin > r0.wmax);
    dataset_destroy(ds);

    /* remembered: the w range comes back, and the w column is in the key */
    p.has_w = true;
    scan_result r = {.records = 7, .nonfinite = 2, .finite = 5, .xmin = 1, .xmax = 11, .ymin = 2,
                     .ymax = 12, .wfinite = 5, .wmin = -2.5, .wmax = 1.0 / 3.0};
    put_after_miss(path, &p, &r);
    scan_result got;
    assert_true(get_once(path, &p, &got));
    assert_result_equal(&got, &r);
    p.wcol = 1;
    assert_false(get_once(path, &p, &got));
    p.has_w = false;
    assert_false(get_once(path, &p, &got)); /* no entry without w yet */
    put_after_miss(path, &p, &r0);
    assert_true(get_once(path, &p, &got));
    assert_result_equal(&got, &r0);
    p.has_w = true;
    p.wcol = 2;
    assert_true(get_once(path, &p, &got));
    assert_result_equal(&got, &r);
    assert_int_equal(count_entries(), 2);
}

int main(void)
{
    dir = tu_tmpdir("test_bounds_cache");
    snprintf(cache_home, sizeof cache_home, "%s/cache", dir);
    mkdir(cache_home, 0755);
    snprintf(entries, sizeof entries, "%s/vastplot/bounds", cache_home);
    /* before the first call into the cache */
    setenv("XDG_CACHE_HOME", cache_home, 1);
    unsetenv("VASTPLOT_NO_CACHE");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_round_trip, empty_cache),
        cmocka_unit_test_setup(test_different_size_misses, empty_cache),
        cmocka_unit_test_setup(test_different_mtime_misses, empty_cache),
        cmocka_unit_test_setup(test_layout_options_miss, empty_cache),
        cmocka_unit_test_setup(test_put_after_change_stores_nothing, empty_cache),
        cmocka_unit_test_setup(test_no_cache_env, empty_cache),
        cmocka_unit_test_setup(test_folder_from_xdg, empty_cache),
        cmocka_unit_test_setup(test_damage_is_a_miss, empty_cache),
        cmocka_unit_test_setup(test_input_untouched, empty_cache),
        cmocka_unit_test_setup(test_w_range, empty_cache),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
