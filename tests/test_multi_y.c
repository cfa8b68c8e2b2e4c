/* Several y columns (--y a,b,c: dataset_params.ny/ycols, dataset.h): every
 * path is ny inputs, input i * ny + c being path i with y column c, named
 * "PATH [COL]"; each input holds that column's values (and its own breaks:
 * a NaN in one column breaks that series only), for text by name and by
 * index and for binary records by index; names for binary records, standard
 * input and a followed file are refused with a message. The option splits
 * the list (one name stays as it was), and the real binary renders
 * `--x t --y a,b,c --lines`. */
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "app/options.h"
#include "load/dataset.h"
#include "testutil.h"

#define C DATASET_CHUNK_RECORDS
#define ROWS 50000

static const char *g_dir;
static double bx[C], by[C];
static uint32_t bb[C + 1];

/* Column c (0: t, 1..3: a, b, c) of row i; b is NaN now and then. */
static double value(int c, size_t i)
{
    if (c == 0)
        return (double)i;
    if (c == 2 && i % 1000 == 999)
        return NAN;
    return (double)((i * (size_t)(7 + 3 * c)) % 4096) / 16.0 + 100.0 * c;
}

static const char *write_csv(const char *name, char *path)
{
    snprintf(path, 4096, "%s", tu_path(g_dir, name));
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "t,a,b,c\n");
    for (size_t i = 0; i < ROWS; i++) {
        if (i == 20000)
            fprintf(f, "> a segment for every series\n");
        fprintf(f, "%.0f,%.4f,%.4f,%.4f\n", value(0, i), value(1, i), value(2, i), value(3, i));
    }
    fclose(f);
    return path;
}

/* Input `in`'s points are column c's finite values against t, in order; its
 * breaks (among its points, without the ends) are counted. */
static void expect_input(const dataset *ds, int in, int c, size_t *nbreaks)
{
    dataset_reader *r = dataset_reader_create(ds);
    uint64_t k0 = dataset_input_first_chunk(ds, in);
    uint64_t k1 = in + 1 < dataset_inputs(ds) ? dataset_input_first_chunk(ds, in + 1) : dataset_chunks(ds);
    size_t row = 0, breaks = 0, seen = 0;
    for (uint64_t k = k0; k < k1; k++) {
        assert_int_equal(dataset_chunk_input(ds, k), in);
        size_t n = 0, nb = 0;
        uint64_t rec = 0, nf = 0;
        vp_err err = {{0}};
        if (!dataset_decode_breaks(r, k, bx, by, NULL, &n, bb, &nb, &rec, &nf, &err))
            fail_msg("%s", err.msg);
        for (size_t j = 0; j < n; j++) {
            while (isnan(value(c, row)))
                row++;
            if (bx[j] != value(0, row) || by[j] != value(c, row))
                fail_msg("input %d: point %zu is (%g, %g), want (%g, %g)", in, seen + j, bx[j], by[j],
                         value(0, row), value(c, row));
            row++;
        }
        for (size_t j = 0; j < nb; j++)
            breaks += (seen + bb[j] != 0 && !(k + 1 == k1 && bb[j] == n));
        seen += n;
    }
    assert_int_equal(seen, ROWS - (c == 2 ? ROWS / 1000 : 0));
    dataset_reader_destroy(r);
    *nbreaks = breaks;
}

static void test_text_columns(void **state)
{
    (void)state;
    char p1[4096], p2[4096];
    const char *paths[] = {write_csv("one.csv", p1), write_csv("two.csv", p2)};
    const char *const lists[2][3] = {{"a", "b", "c"}, {"1", "2", "3"}};
    for (int by_index = 0; by_index < 2; by_index++) {
        dataset_params p = {.binary = {.ycol = -1}, .no_cache = true, .threads = 2,
                            .text = {.xcol = by_index ? "0" : "t", .ycol = lists[by_index][0]},
                            .ny = 3};
        for (int c = 0; c < 3; c++)
            p.ycols[c] = lists[by_index][c];
        dataset *ds = NULL;
        vp_err err = {{0}};
        if (!dataset_create_inputs(paths, 2, &p, &ds, &err))
            fail_msg("%s", err.msg);
        assert_int_equal(dataset_inputs(ds), 6);
        assert_int_equal(dataset_records(ds), 6 * ROWS);
        for (int in = 0; in < 6; in++) {
            char want[4200];
            snprintf(want, sizeof want, "%s [%s]", paths[in / 3], lists[by_index][in % 3]);
            assert_string_equal(dataset_input_name(ds, in), want);
            size_t breaks;
            expect_input(ds, in, 1 + in % 3, &breaks);
            /* the '>' line breaks every series; b's NaN rows break b's only
             * (one is just before the '>', the last is b's last row) */
            assert_int_equal(breaks, in % 3 == 1 ? ROWS / 1000 - 1 : 1);
        }
        dataset_destroy(ds);
    }
    /* one column: as always */
    dataset_params p = {.binary = {.ycol = -1}, .no_cache = true, .text = {.xcol = "t", .ycol = "c"}};
    dataset *ds = NULL;
    vp_err err = {{0}};
    assert_true(dataset_create_inputs(paths, 1, &p, &ds, &err));
    assert_int_equal(dataset_inputs(ds), 1);
    assert_string_equal(dataset_input_name(ds, 0), paths[0]);
    size_t breaks;
    expect_input(ds, 0, 3, &breaks);
    dataset_destroy(ds);
}

/* --y all: every column of numbers but x (detected or chosen) and w, by
 * its header name; a column of labels is not one */
static void test_all_columns(void **state)
{
    (void)state;
    char p1[4096];
    const char *paths[] = {write_csv("all.csv", p1)};
    dataset_params p = {.binary = {.ycol = -1}, .no_cache = true, .threads = 2, .y_all = true,
                        .text = {.ycol = "all"}};
    dataset *ds = NULL;
    vp_err err = {{0}};
    if (!dataset_create_inputs(paths, 1, &p, &ds, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(dataset_inputs(ds), 3);
    const char *cols[] = {"a", "b", "c"};
    for (int in = 0; in < 3; in++) {
        char want[4200];
        snprintf(want, sizeof want, "%s [%s]", paths[0], cols[in]);
        assert_string_equal(dataset_input_name(ds, in), want);
        size_t breaks;
        expect_input(ds, in, 1 + in, &breaks); /* x is t, detected */
    }
    dataset_destroy(ds);

    /* x chosen: the others are the series */
    p.text.xcol = "b";
    assert_true(dataset_create_inputs(paths, 1, &p, &ds, &err));
    assert_int_equal(dataset_inputs(ds), 3);
    char want[4200];
    snprintf(want, sizeof want, "%s [t]", paths[0]);
    assert_string_equal(dataset_input_name(ds, 0), want);
    dataset_destroy(ds);

    /* labels are not numbers; nothing left but x: an error naming the file */
    char p2[4096];
    snprintf(p2, sizeof p2, "%s", tu_path(g_dir, "labels.csv"));
    tu_write_text(p2, "t,kind,v\n1,red,2\n2,blue,3\n3,red,5\n");
    const char *lp[] = {p2};
    dataset_params q = {.binary = {.ycol = -1}, .no_cache = true, .y_all = true, .text = {.ycol = "all"}};
    assert_true(dataset_create_inputs(lp, 1, &q, &ds, &err));
    assert_int_equal(dataset_inputs(ds), 1); /* v alone: one series, as --y v */
    assert_int_equal(dataset_records(ds), 3);
    dataset_destroy(ds);
    tu_write_text(p2, "t,kind\n1,red\n2,blue\n");
    q.text.xcol = "t";
    assert_false(dataset_create_inputs(lp, 1, &q, &ds, &err));
    assert_msg_has(err, "--y all: no column of numbers besides x");
    assert_msg_has(err, "labels.csv");
}

static void test_binary_columns(void **state)
{
    (void)state;
    char path[4096];
    snprintf(path, sizeof path, "%s", tu_path(g_dir, "four.f64"));
    double *rec = malloc(ROWS * 4 * sizeof *rec);
    for (size_t i = 0; i < ROWS; i++)
        for (int c = 0; c < 4; c++)
            rec[4 * i + (size_t)c] = value(c, i);
    tu_write_file(path, rec, ROWS * 4 * sizeof *rec);
    free(rec);
    const char *paths[] = {path};
    dataset_params p = {.binary = {.dtype = VP_F64, .columns = 4, .ycol = 1}, .binary_given = true,
                        .no_cache = true, .ny = 3, .ycols = {"1", "2", "3"}};
    dataset *ds = NULL;
    vp_err err = {{0}};
    if (!dataset_create_inputs(paths, 1, &p, &ds, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(dataset_inputs(ds), 3);
    for (int in = 0; in < 3; in++) {
        char want[4200];
        snprintf(want, sizeof want, "%s [%d]", path, in + 1);
        assert_string_equal(dataset_input_name(ds, in), want);
        assert_int_equal(source_get_info(dataset_input(ds, in))->ycol, in + 1);
        size_t breaks;
        expect_input(ds, in, in + 1, &breaks);
        assert_int_equal(breaks, in == 1 ? ROWS / 1000 - 1 : 0);
    }
    dataset_destroy(ds);
    /* names are for text */
    p.ycols[1] = "b";
    assert_false(dataset_create_inputs(paths, 1, &p, &ds, &err));
    assert_msg_has(err, "four.f64: --y b names a column, but this is read as binary");
    /* out of range: the file's own message */
    p.ycols[1] = "4";
    assert_false(dataset_create_inputs(paths, 1, &p, &ds, &err));
    assert_msg_has(err, "--y column 4 is out of range");
}

static void test_refused(void **state)
{
    (void)state;
    char p1[4096];
    write_csv("three.csv", p1);
    dataset_params p = {.binary = {.ycol = -1}, .no_cache = true, .text = {.xcol = "t", .ycol = "a"},
                        .ny = 2, .ycols = {"a", "b"}};
    dataset *ds = NULL;
    vp_err err = {{0}};
    const char *in[] = {p1, "-"};
    assert_false(dataset_create_inputs(in, 2, &p, &ds, &err));
    assert_string_equal(err.msg, "--y with several columns reads files, not standard input");
    assert_false(dataset_create_follow("-", &p, &ds, &err));
    assert_string_equal(err.msg, "--y with several columns reads files, not standard input");
    assert_false(dataset_create_follow(p1, &p, &ds, &err));
    assert_msg_has(err, "--y with several columns reads whole files, not followed ones");
    /* a file shown while loading: read whole, one input per column */
    assert_true(dataset_create_loading(p1, &p, &ds, &err));
    assert_false(dataset_loading(ds));
    assert_int_equal(dataset_inputs(ds), 2);
    dataset_destroy(ds);
    p.ny = DATASET_MAX_Y + 1;
    assert_false(dataset_create_inputs(in, 1, &p, &ds, &err));
    assert_msg_has(err, "at most 16");
}

/* argv[0] = "vastplot", then the words */
static bool parse(vp_options *o, vp_err *e, const char *const *words)
{
    char *argv[64] = {"vastplot"};
    int argc = 1;
    while (*words && argc < 63)
        argv[argc++] = (char *)*words++;
    memset(e, 0, sizeof *e);
    return options_parse(argc, argv, o, e);
}
#define PARSE(o, e, ...) parse((o), (e), (const char *const[]){__VA_ARGS__, NULL})

static void test_option(void **state)
{
    (void)state;
    static vp_options o;
    vp_err e;
    assert_true(PARSE(&o, &e, "render", "f.csv", "--x", "t", "--y", "a,b,c", "-o", "x.png"));
    assert_int_equal(o.data.ny, 3);
    assert_string_equal(o.data.ycols[0], "a");
    assert_string_equal(o.data.ycols[1], "b");
    assert_string_equal(o.data.ycols[2], "c");
    assert_string_equal(o.data.text.ycol, "a");
    assert_true(o.data.names_given);
    assert_true(PARSE(&o, &e, "render", "f.f32", "--columns", "4", "--y", "1,3", "-o", "x.png"));
    assert_int_equal(o.data.ny, 2);
    assert_string_equal(o.data.ycols[1], "3");
    assert_int_equal(o.data.binary.ycol, 1);
    assert_false(o.data.names_given);
    /* one column stays one column; the last --y counts */
    assert_true(PARSE(&o, &e, "render", "f.csv", "--y", "a,b", "--y", "b", "-o", "x.png"));
    assert_true(o.data.ny <= 1);
    assert_string_equal(o.data.text.ycol, "b");
    assert_false(PARSE(&o, &e, "render", "f.csv", "--y", "a,,b", "-o", "x.png"));
    assert_msg_has(e, "--y: an empty column in \"a,,b\"");
    assert_false(PARSE(&o, &e, "render", "f.csv", "--y", "a,", "-o", "x.png"));
    assert_false(PARSE(&o, &e, "render", "f.csv", "--y", "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16",
                       "-o", "x.png"));
    assert_msg_has(e, "more than 16 columns");
    assert_false(PARSE(&o, &e, "render", "f.csv", "--y", "a,99999", "-o", "x.png"));
    assert_true(PARSE(&o, &e, "render", "f.csv", "--y", "all", "-o", "x.png"));
    assert_true(o.data.y_all && o.data.names_given);
    assert_true(PARSE(&o, &e, "render", "f.csv", "--y", "all", "--y", "a,b", "-o", "x.png"));
    assert_false(o.data.y_all);
    assert_int_equal(o.data.ny, 2);
}

/* The real binary: three series drawn as lines. */
static void test_render(void **state)
{
    (void)state;
    const char *bin = getenv("VP_BIN");
    if (!bin) {
        print_message("VP_BIN is not set (run through ctest): the render is not checked\n");
        skip();
    }
    char csv[4096], png[4096], log[4096], cmd[16384];
    write_csv("series.csv", csv);
    snprintf(png, sizeof png, "%s", tu_path(g_dir, "series.png"));
    snprintf(log, sizeof log, "%s", tu_path(g_dir, "series.log"));
    unlink(png);
    snprintf(cmd, sizeof cmd, "'%s' render '%s' --x t --y a,b,c --lines --size 160x120 --no-cache -o '%s' "
                              ">'%s' 2>&1", bin, csv, png, log);
    int rc = system(cmd);
    char text[4096];
    tu_read_text(log, text, sizeof text);
    if (rc != 0)
        fail_msg("%s: exit %d: %s", cmd, rc, text);
    struct stat sb;
    assert_int_equal(stat(png, &sb), 0);
    assert_true(sb.st_size > 0);
    if (!strstr(text, "3 series"))
        fail_msg("no \"3 series\" in: %s", text);
}

int main(void)
{
    g_dir = tu_tmpdir("test_multi_y");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_columns),
        cmocka_unit_test(test_all_columns),
        cmocka_unit_test(test_binary_columns),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_option),
        cmocka_unit_test(test_render),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
