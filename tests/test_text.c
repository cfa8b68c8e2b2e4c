/* Text parser tests: a conformance table of CSV/TSV/whitespace inputs with the
 * rows, skips and first bad line each must give, and the same inputs fed in
 * every possible split, byte by byte and in random pieces, which must all give
 * the one-piece result. Expected values are written as C literals here, never
 * computed by the code under test. The numbers themselves (text_parse_double
 * against strtod) are tests/test_numparse.c's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load/text.h"
#include "testutil.h"

/* ==== parser harness ============================================================= */

typedef struct rows {
    size_t n, cap;
    double *x, *y;
    double *w;              /* NULL: the sink got no w */
    size_t calls, w_calls;  /* w_calls: batches that came with w */
    size_t max_batch;
    int nlabels;            /* text_parser_labels at the end */
    char labels[TEXT_MAX_LABELS][TEXT_LABEL_BYTES + 1];
} rows;

static bool rows_sink(void *ctx, const double *x, const double *y, const double *w, size_t n,
                      vp_err *err)
{
    (void)err;
    rows *r = ctx;
    if (n == 0 || n > TEXT_BATCH)
        fail_msg("sink got a batch of %zu rows", n);
    if (r->n + n > r->cap) {
        size_t cap = r->cap ? r->cap : 64;
        while (cap < r->n + n)
            cap *= 2;
        r->x = realloc(r->x, cap * sizeof *r->x);
        r->y = realloc(r->y, cap * sizeof *r->y);
        r->w = realloc(r->w, cap * sizeof *r->w);
        assert_non_null(r->x);
        assert_non_null(r->y);
        assert_non_null(r->w);
        r->cap = cap;
    }
    memcpy(r->x + r->n, x, n * sizeof *x);
    memcpy(r->y + r->n, y, n * sizeof *y);
    if (w) {
        memcpy(r->w + r->n, w, n * sizeof *w);
        r->w_calls++;
    }
    r->n += n;
    r->calls++;
    if (n > r->max_batch)
        r->max_batch = n;
    return true;
}

static void rows_free(rows *r)
{
    free(r->x);
    free(r->y);
    free(r->w);
    memset(r, 0, sizeof *r);
}

/* The sink gets w in every batch or in none; r->w NULL for none. */
static void rows_settle_w(rows *r)
{
    if (r->w_calls && r->w_calls != r->calls)
        fail_msg("w came with %zu of %zu batches", r->w_calls, r->calls);
    if (!r->w_calls) {
        free(r->w);
        r->w = NULL;
    }
}

/* Parses in[0..len) cut at the given offsets (ascending, within (0, len)). */
static bool parse_pieces(const char *in, size_t len, const text_params *p, const size_t *cuts,
                         size_t ncuts, rows *out, text_stats *st, vp_err *err)
{
    memset(out, 0, sizeof *out);
    text_parser *t;
    if (!text_parser_create(p, &t, err))
        return false;
    text_sink sink = {rows_sink, out, NULL};
    size_t at = 0;
    bool ok = true;
    for (size_t i = 0; i <= ncuts && ok; i++) {
        size_t to = i < ncuts ? cuts[i] : len;
        ok = text_parser_feed(t, in + at, to - at, &sink, err);
        at = to;
    }
    if (ok)
        ok = text_parser_finish(t, &sink, err);
    text_parser_stats(t, st);
    const char *const *lab;
    out->nlabels = text_parser_labels(t, &lab);
    for (int i = 0; i < out->nlabels; i++)
        snprintf(out->labels[i], sizeof out->labels[i], "%s", lab[i]);
    text_parser_destroy(t);
    rows_settle_w(out);
    return ok;
}

static void check_same_stats(const text_stats *a, const text_stats *b, const char *what)
{
    bool same = a->lines == b->lines && a->data_rows == b->data_rows &&
                a->skipped_rows == b->skipped_rows && a->comment_lines == b->comment_lines &&
                a->blank_lines == b->blank_lines && a->first_bad_line == b->first_bad_line &&
                !strcmp(a->first_bad_text, b->first_bad_text) &&
                !strcmp(a->first_bad_why, b->first_bad_why) && a->detected == b->detected &&
                a->delimiter == b->delimiter && a->header == b->header &&
                a->header_line == b->header_line && a->xcol == b->xcol && a->ycol == b->ycol &&
                !strcmp(a->xname, b->xname) && !strcmp(a->yname, b->yname) &&
                a->wcol == b->wcol && !strcmp(a->wname, b->wname) &&
                a->w_labels == b->w_labels && a->labels == b->labels;
    if (!same) {
        print_error("%s: stats differ: lines %" PRIu64 "/%" PRIu64 " rows %" PRIu64 "/%" PRIu64
                    " skipped %" PRIu64 "/%" PRIu64 " bad line %" PRIu64 "/%" PRIu64
                    " text '%s'/'%s'\n",
                    what, a->lines, b->lines, a->data_rows, b->data_rows, a->skipped_rows,
                    b->skipped_rows, a->first_bad_line, b->first_bad_line, a->first_bad_text,
                    b->first_bad_text);
        fail();
    }
}

static void check_same_rows(const rows *a, const rows *b, const char *what)
{
    if (a->n != b->n) {
        print_error("%s: %zu rows, expected %zu\n", what, a->n, b->n);
        fail();
    }
    for (size_t i = 0; i < a->n; i++)
        if (!tu_same_double(a->x[i], b->x[i]) || !tu_same_double(a->y[i], b->y[i])) {
            print_error("%s: row %zu is (%.17g, %.17g), expected (%.17g, %.17g)\n", what, i,
                        a->x[i], a->y[i], b->x[i], b->y[i]);
            fail();
        }
    if (!a->w != !b->w)
        fail_msg("%s: w %s, expected %s", what, a->w ? "given" : "none", b->w ? "some" : "none");
    for (size_t i = 0; a->w && i < a->n; i++)
        if (!tu_same_double(a->w[i], b->w[i]))
            fail_msg("%s: row %zu has w %.17g, expected %.17g", what, i, a->w[i], b->w[i]);
    if (a->nlabels != b->nlabels)
        fail_msg("%s: %d labels, expected %d", what, a->nlabels, b->nlabels);
    for (int i = 0; i < a->nlabels; i++)
        if (strcmp(a->labels[i], b->labels[i]))
            fail_msg("%s: label %d is \"%s\", expected \"%s\"", what, i, a->labels[i],
                     b->labels[i]);
}

/* Every two-piece split, byte by byte, and random pieces: all as one piece. */
static void check_splits(const char *name, const char *in, size_t len, const text_params *p,
                         const rows *ref, const text_stats *ref_st, uint64_t *rs)
{
    char what[160];
    size_t *cuts = malloc((len + 1) * sizeof *cuts);
    assert_non_null(cuts);
    rows r;
    text_stats st;
    vp_err err = {{0}};
    for (size_t k = 0; k <= len; k++) { /* k = 0 and len: an empty feed */
        cuts[0] = k;
        snprintf(what, sizeof what, "%s, split at %zu", name, k);
        if (!parse_pieces(in, len, p, cuts, 1, &r, &st, &err))
            fail_msg("%s: %s", what, err.msg);
        check_same_rows(&r, ref, what);
        check_same_stats(&st, ref_st, what);
        rows_free(&r);
    }
    for (size_t k = 1; k < len; k++)
        cuts[k - 1] = k;
    snprintf(what, sizeof what, "%s, byte by byte", name);
    if (!parse_pieces(in, len, p, cuts, len ? len - 1 : 0, &r, &st, &err))
        fail_msg("%s: %s", what, err.msg);
    check_same_rows(&r, ref, what);
    check_same_stats(&st, ref_st, what);
    rows_free(&r);
    for (int rep = 0; rep < 20; rep++) {
        size_t nc = 0, at = 0;
        while (len && at < len) {
            at += 1 + tu_rand(rs) % 7;
            if (at < len)
                cuts[nc++] = at;
        }
        snprintf(what, sizeof what, "%s, random pieces #%d", name, rep);
        if (!parse_pieces(in, len, p, cuts, nc, &r, &st, &err))
            fail_msg("%s: %s", what, err.msg);
        check_same_rows(&r, ref, what);
        check_same_stats(&st, ref_st, what);
        rows_free(&r);
    }
    free(cuts);
}

/* ==== conformance table =========================================================== */

#define MAXR 12
#define NOCHECK (-1)

typedef struct ccase {
    const char *name;
    const char *in;
    size_t len;           /* 0: strlen(in) */
    text_params p;
    int n;                /* rows */
    double x[MAXR], y[MAXR];
    uint64_t skipped, first_bad;
    const char *bad_text; /* NULL: not checked */
    char delim;           /* 0: not checked */
    int header;           /* NOCHECK, 0, 1 */
    int comments, blanks; /* NOCHECK or counts */
    const char *xname, *yname; /* NULL: not checked */
    /* with p.wcol: */
    double w[MAXR];
    const char *wname;    /* NULL: not checked */
    int wcol;             /* checked when p.wcol is set */
    const char *labels[8];/* the labels expected (NULL-ended); none: codes or not a category */
    const char *why;      /* first_bad_why; NULL: not checked */
} ccase;

#define NA (-1)
#define P(...) ((text_params){__VA_ARGS__})

static const ccase g_cases[] = {
    {.name = "header and two rows", .in = "x,y\n1,2\n3,4\n", .n = 2, .x = {1, 3}, .y = {2, 4},
     .delim = ',', .header = 1, .comments = 0, .blanks = 0, .xname = "x", .yname = "y"},
    {.name = "no header", .in = "1,2\n3,4\n", .n = 2, .x = {1, 3}, .y = {2, 4}, .delim = ',',
     .header = 0, .comments = NA, .blanks = NA},
    {.name = "no trailing newline", .in = "x,y\n1,2\n3,4", .n = 2, .x = {1, 3}, .y = {2, 4},
     .header = 1, .comments = NA, .blanks = NA},
    {.name = "CRLF", .in = "x,y\r\n1,2\r\n3,4\r\n", .n = 2, .x = {1, 3}, .y = {2, 4},
     .delim = ',', .header = 1, .comments = NA, .blanks = NA, .yname = "y"},
    {.name = "CRLF blank lines, quotes, no final newline",
     .in = "x,y\r\n\r\n\"1\",2\r\n  \r\n3,\"4\"", .n = 2, .x = {1, 3}, .y = {2, 4}, .header = 1,
     .comments = 0, .blanks = 2},
    {.name = "BOM and header", .in = "\xEF\xBB\xBFlon,lat\n1,2\n", .n = 1, .x = {1}, .y = {2},
     .header = 1, .comments = NA, .blanks = NA, .xname = "lon", .yname = "lat"},
    {.name = "BOM without header", .in = "\xEF\xBB\xBF" "1.5,2\n3,4\n", .n = 2, .x = {1.5, 3},
     .y = {2, 4}, .header = 0, .comments = NA, .blanks = NA},
    {.name = "quoted header and numbers", .in = "\"x\",\"y\"\n\"1.5\",\" 2 \"\n", .n = 1,
     .x = {1.5}, .y = {2}, .header = 1, .comments = NA, .blanks = NA, .xname = "x"},
    {.name = "quoted skipped field holds delimiters and quotes",
     .in = "name,x,y\n\"a,b\",1,2\n\"say \"\"hi\"\", ok\",3,4\n", .n = 2, .x = {1, 3},
     .y = {2, 4}, .header = 1, .comments = NA, .blanks = NA, .xname = "x", .yname = "y"},
    {.name = "quoted chosen field with a delimiter is bad", .in = "x,y\n\"1,5\",2\n3,4\n",
     .p = P(.xcol = "x", .ycol = "y"), .n = 1,
     .x = {3}, .y = {4}, .skipped = 1, .first_bad = 2, .bad_text = "\"1,5\"", .header = 1,
     .comments = NA, .blanks = NA},
    {.name = "unterminated quote", .in = "x,y\n\"1,2\n3,4\n", .n = 1, .x = {3}, .y = {4},
     .skipped = 1, .first_bad = 2, .header = 1, .comments = NA, .blanks = NA},
    {.name = "columns by name", .in = "lon,depth,lat\n1,2,3\n4,5,6\n",
     .p = P(.xcol = "lon", .ycol = "lat"), .n = 2, .x = {1, 4}, .y = {3, 6}, .header = 1,
     .comments = NA, .blanks = NA, .xname = "lon", .yname = "lat"},
    {.name = "columns by index", .in = "lon,depth,lat\n1,2,3\n4,5,6\n",
     .p = P(.xcol = "2", .ycol = "0"), .n = 2, .x = {3, 6}, .y = {1, 4}, .header = 1,
     .comments = NA, .blanks = NA, .xname = "lat", .yname = "lon"},
    {.name = "names match without case", .in = "Lon,LAT\n1,2\n",
     .p = P(.xcol = "lon", .ycol = "lat"), .n = 1, .x = {1}, .y = {2}, .header = 1,
     .comments = NA, .blanks = NA, .xname = "Lon", .yname = "LAT"},
    {.name = "index without header", .in = "1,2,3\n4,5,6\n", .p = P(.xcol = "1", .ycol = "2"),
     .n = 2, .x = {2, 5}, .y = {3, 6}, .header = 0, .comments = NA, .blanks = NA},
    {.name = "TSV", .in = "x\ty\n1\t2\n3\t4\n", .n = 2, .x = {1, 3}, .y = {2, 4}, .delim = '\t',
     .header = 1, .comments = NA, .blanks = NA},
    {.name = "TSV empty field", .in = "1\t\t3\n4\t5\t6\n",
     .p = P(.format = TEXT_TSV, .xcol = "0", .ycol = "1"), .n = 1,
     .x = {4}, .y = {5}, .skipped = 1, .first_bad = 1, .bad_text = "", .delim = '\t',
     .header = 0, .comments = NA, .blanks = NA},
    {.name = "TSV with spaces around fields", .in = "a\tb\n 1 \t 2 \n", .n = 1, .x = {1},
     .y = {2}, .delim = '\t', .header = 1, .comments = NA, .blanks = NA},
    {.name = "whitespace runs, leading and trailing spaces",
     .in = "   1.0   2.0\n  3   4  \n\t5\t \t6\n", .n = 3, .x = {1, 3, 5}, .y = {2, 4, 6},
     .delim = ' ', .header = 0, .comments = NA, .blanks = NA},
    {.name = "whitespace header", .in = "# x y z\n   lon    lat   z\n  1.5  2.5  3\n", .n = 1,
     .x = {1.5}, .y = {2.5}, .delim = ' ', .header = 1, .comments = 1, .blanks = 0,
     .xname = "lon", .yname = "lat"},
    {.name = "whitespace quoted field with a space",
     .in = "\"a b\" 1 2\n\"c d\" 3 4\n", .p = P(.format = TEXT_WHITESPACE), .n = 2, .x = {1, 3},
     .y = {2, 4}, .delim = ' ', .header = 0, .comments = NA, .blanks = NA},
    {.name = "whitespace too few fields", .in = "1 2\n3\n5 6\n", .n = 2, .x = {1, 5},
     .y = {2, 6}, .skipped = 1, .first_bad = 2, .bad_text = "3", .comments = NA, .blanks = NA},
    {.name = "GMT segment separators", .in = "> seg 1\n1 2\n3 4\n> -Z5\n5 6\n", .n = 3,
     .x = {1, 3, 5}, .y = {2, 4, 6}, .header = 0, .comments = 2, .blanks = 0},
    {.name = "comments anywhere", .in = "# top\nx,y\n# mid\n1,2\n  # indented\n3,4\n# end", .n = 2,
     .x = {1, 3}, .y = {2, 4}, .header = 1, .comments = 4, .blanks = 0},
    {.name = "blank lines", .in = "\n\nx,y\n\n1,2\n   \n3,4\n\n", .n = 2, .x = {1, 3},
     .y = {2, 4}, .header = 1, .comments = 0, .blanks = 5},
    {.name = "empty fields", .in = "x,y\n1,\n,2\n3,4\n", .n = 1, .x = {3}, .y = {4}, .skipped = 2,
     .first_bad = 2, .bad_text = "", .header = 1, .comments = NA, .blanks = NA},
    {.name = "not a number", .in = "x,y\n1,abc\n2,3\n", .n = 1, .x = {2}, .y = {3}, .skipped = 1,
     .first_bad = 2, .bad_text = "abc", .header = 1, .comments = NA, .blanks = NA},
    {.name = "trailing garbage", .in = "1,2.5kg\n3,4\n", .n = 1, .x = {3}, .y = {4},
     .skipped = 1, .first_bad = 1, .bad_text = "2.5kg", .header = 0, .comments = NA,
     .blanks = NA},
    {.name = "long bad field is cut",
     .in = "1,abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz\n3,4\n", .n = 1, .x = {3},
     .y = {4}, .skipped = 1, .first_bad = 1,
     .bad_text = "abcdefghijklmnopqrstuvwxyzabcdefghijklmn...", .comments = NA, .blanks = NA},
    {.name = "first bad line counts every physical line",
     .in = "# c\n\nx,y\n# c\n1,2\n\n3,x\n4,y\n", .p = P(.xcol = "x", .ycol = "y"), .n = 1, .x = {1}, .y = {2}, .skipped = 2,
     .first_bad = 7, .bad_text = "x", .header = 1, .comments = 2, .blanks = 2},
    {.name = "nan and inf spellings",
     .in = "x,y\nnan,1\nNaN,inf\n-Infinity,+inf\nINF,-nan\n", .n = 4,
     .x = {NAN, NAN, -INFINITY, INFINITY}, .y = {1, INFINITY, INFINITY, -NAN}, .header = 1,
     .comments = NA, .blanks = NA},
    {.name = "subnormal, overflow, underflow",
     .in = "1e-310,1e400\n-1e400,4.9e-324\n1e-400,-0\n", .n = 3,
     .x = {1e-310, -INFINITY, 0.0}, .y = {INFINITY, 4.9e-324, -0.0}, .header = 0,
     .comments = NA, .blanks = NA},
    {.name = "scientific and short forms", .in = "1.5e3,-2.5E-3\n+.5,5.\n-7e+2,0.000001\n",
     .n = 3, .x = {1500, 0.5, -700}, .y = {-0.0025, 5, 1e-6}, .comments = NA, .blanks = NA},
    {.name = "more than 19 digits",
     .in = "0.1000000000000000055511151231257827,123456789012345678901234567890\n", .n = 1,
     .x = {0.1000000000000000055511151231257827}, .y = {123456789012345678901234567890.0},
     .comments = NA, .blanks = NA},
    {.name = "semicolon", .in = "x;y\n1;2\n3;4\n", .n = 2, .x = {1, 3}, .y = {2, 4},
     .delim = ';', .header = 1, .comments = NA, .blanks = NA},
    {.name = "pipe", .in = "x|y\n1|2\n", .n = 1, .x = {1}, .y = {2}, .delim = '|', .header = 1,
     .comments = NA, .blanks = NA},
    {.name = "spaces around CSV fields", .in = " x , y \n 1 , 2 \n3 ,4\n", .n = 2, .x = {1, 3},
     .y = {2, 4}, .delim = ',', .header = 1, .comments = NA, .blanks = NA, .xname = "x",
     .yname = "y"},
    {.name = "header forced on", .in = "1,2\n3,4\n", .p = P(.header = TEXT_HEADER_YES), .n = 1,
     .x = {3}, .y = {4}, .header = 1, .comments = NA, .blanks = NA, .xname = "1"},
    {.name = "header forced off", .in = "x,y\n1,2\n", .p = P(.header = TEXT_HEADER_NO), .n = 1,
     .x = {1}, .y = {2}, .skipped = 1, .first_bad = 1, .bad_text = "x", .header = 0,
     .comments = NA, .blanks = NA},
    {.name = "one column: y only", .in = "v\n1\n2\n3\n", .n = 3, .x = {0, 1, 2}, .y = {1, 2, 3},
     .header = 1, .comments = NA, .blanks = NA, .yname = "v"},
    {.name = "y only keeps the index of skipped rows", .in = "5\nabc\n7\n", .n = 2, .x = {0, 2},
     .y = {5, 7}, .skipped = 1, .first_bad = 2, .header = 0, .comments = NA, .blanks = NA},
    {.name = "only y chosen", .in = "a,b,c\n1,2,3\n4,5,6\n", .p = P(.ycol = "c"), .n = 2,
     .x = {0, 1}, .y = {3, 6}, .header = 1, .comments = NA, .blanks = NA, .xname = "",
     .yname = "c"},
    {.name = "y_only flag", .in = "1,2\n3,4\n", .p = P(.y_only = true), .n = 2, .x = {0, 1},
     .y = {1, 3}, .comments = NA, .blanks = NA},
    {.name = "too few fields", .in = "x,y,z\n1,2,3\n4\n5,6,7\n", .p = P(.xcol = "0", .ycol = "2"),
     .n = 2, .x = {1, 5}, .y = {3, 7}, .skipped = 1, .first_bad = 3, .bad_text = "4",
     .header = 1, .comments = NA, .blanks = NA},
    {.name = "defaults skip a text column", .in = "name,lon,lat\nA,1,2\nB,3,4\n", .n = 2,
     .x = {1, 3}, .y = {2, 4}, .header = 1, .comments = NA, .blanks = NA, .xname = "lon",
     .yname = "lat"},
    {.name = "one numeric column among text: y only", .in = "name,val\nA,1\nB,2\n", .n = 2,
     .x = {0, 1}, .y = {1, 2}, .header = 1, .comments = NA, .blanks = NA, .yname = "val"},
    {.name = "ragged rows", .in = "1,2,3,4\n5,6\n", .n = 2, .x = {1, 5}, .y = {2, 6},
     .comments = NA, .blanks = NA},
    {.name = "only comments", .in = "# nothing\n\n", .n = 0, .comments = 1, .blanks = 1,
     .header = 0},
    {.name = "empty input", .in = "", .n = 0, .comments = 0, .blanks = 0, .header = 0},
    {.name = "header only", .in = "x,y\n", .n = 0, .header = 1, .comments = 0, .blanks = 0,
     .xname = "x", .yname = "y"},
    {.name = "repeated header mid-file is a bad row", .in = "x,y\n1,2\nx,y\n3,4\n", .n = 2,
     .x = {1, 3}, .y = {2, 4}, .skipped = 1, .first_bad = 3, .bad_text = "x", .header = 1,
     .comments = NA, .blanks = NA},
    {.name = "NUL inside a later data row is just a bad field", .in = "1,2\n3,4\n5,\0\n7,8\n",
     .len = 16, .p = P(.xcol = "0", .ycol = "1"), .n = 3, .x = {1, 3, 7}, .y = {2, 4, 8}, .skipped = 1, .first_bad = 3,
     .bad_text = "?", .comments = NA, .blanks = NA},
    {.name = "explicit delimiter", .in = "1:2\n3:4\n", .p = P(.delimiter = ':'), .n = 2,
     .x = {1, 3}, .y = {2, 4}, .delim = ':', .comments = NA, .blanks = NA},
    {.name = "tab runs mean whitespace", .in = "1\t\t2\n3\t4\n", .n = 2, .x = {1, 3}, .y = {2, 4},
     .delim = ' ', .comments = NA, .blanks = NA},
    {.name = "csv format picks semicolon", .in = "1;2\n3;4\n", .p = P(.format = TEXT_CSV), .n = 2,
     .x = {1, 3}, .y = {2, 4}, .delim = ';', .comments = NA, .blanks = NA},
    /* w, a third column */
    {.name = "w by name", .in = "x,y,v\n1,2,3\n4,5,6\n", .p = P(.wcol = "v"), .n = 2, .x = {1, 4},
     .y = {2, 5}, .w = {3, 6}, .wcol = 2, .wname = "v", .header = 1, .comments = NA, .blanks = NA,
     .xname = "x", .yname = "y"},
    {.name = "w by index, columns by index", .in = "a,b,c\n1,2,3\n4,5,6\n",
     .p = P(.xcol = "1", .ycol = "2", .wcol = "0"), .n = 2, .x = {2, 5}, .y = {3, 6}, .w = {1, 4},
     .wcol = 0, .wname = "a", .header = 1, .comments = NA, .blanks = NA},
    {.name = "w by index without a header", .in = "1 2 3 4\n5 6 7 8\n", .p = P(.wcol = "3"), .n = 2,
     .x = {1, 5}, .y = {2, 6}, .w = {4, 8}, .wcol = 3, .wname = "", .header = 0, .comments = NA,
     .blanks = NA},
    {.name = "w is never taken for x or y", .in = "v,x,y\n9,1,2\n8,3,4\n", .p = P(.wcol = "v"),
     .n = 2, .x = {1, 3}, .y = {2, 4}, .w = {9, 8}, .wcol = 0, .header = 1, .comments = NA,
     .blanks = NA, .xname = "x", .yname = "y"},
    {.name = "w may be the y column", .in = "x,y\n1,2\n3,4\n", .p = P(.xcol = "x", .ycol = "y", .wcol = "y"),
     .n = 2, .x = {1, 3}, .y = {2, 4}, .w = {2, 4}, .wcol = 1, .wname = "y", .header = 1,
     .comments = NA, .blanks = NA},
    {.name = "w with y only", .in = "y,w\n5,1\n6,2\n", .p = P(.ycol = "y", .wcol = "w"), .n = 2,
     .x = {0, 1}, .y = {5, 6}, .w = {1, 2}, .wcol = 1, .header = 1, .comments = NA, .blanks = NA},
    {.name = "bad w fields are skipped", .in = "x,y,v\n1,2,\n3,4,abc\n5,6,7\n7,8\n",
     .p = P(.wcol = "v"), .n = 1, .x = {5}, .y = {6}, .w = {7}, .wcol = 2, .skipped = 3,
     .first_bad = 2, .bad_text = "", .why = "empty field in column 2 (v)", .header = 1,
     .comments = NA, .blanks = NA},
    {.name = "w not a number", .in = "x,y,v\n1,2,3\n3,4,abc\n", .p = P(.wcol = "v"), .n = 1,
     .x = {1}, .y = {2}, .w = {3}, .wcol = 2, .skipped = 1, .first_bad = 3, .bad_text = "abc",
     .why = "not a number in column 2 (v)", .header = 1, .comments = NA, .blanks = NA},
    {.name = "w missing", .in = "x,y,v\n1,2\n3,4,5\n", .p = P(.xcol = "x", .ycol = "y", .wcol = "v"),
     .n = 1, .x = {3}, .y = {4}, .w = {5}, .wcol = 2, .skipped = 1, .first_bad = 2,
     .bad_text = "1,2", .why = "too few fields for column 2 (v)", .header = 1, .comments = NA,
     .blanks = NA},
    {.name = "non-finite w is a value", .in = "1,2,nan\n3,4,-inf\n", .p = P(.wcol = "2"), .n = 2,
     .x = {1, 3}, .y = {2, 4}, .w = {NAN, -INFINITY}, .wcol = 2, .comments = NA, .blanks = NA},
    {.name = "categories: codes", .in = "x,y,c\n1,2,0\n3,4,2\n5,6,1.0\n7,8,3e0\n",
     .p = P(.wcol = "c", .w_category = true), .n = 4, .x = {1, 3, 5, 7}, .y = {2, 4, 6, 8},
     .w = {0, 2, 1, 3}, .wcol = 2, .header = 1, .comments = NA, .blanks = NA},
    {.name = "categories: codes, empty fields aside",
     .in = "x,y,c\n1,2,\n3,4,2\n", .p = P(.wcol = "c", .w_category = true), .n = 1, .x = {3},
     .y = {4}, .w = {2}, .wcol = 2, .skipped = 1, .first_bad = 2, .header = 1, .comments = NA,
     .blanks = NA},
    {.name = "categories: a later non-integer is a w value",
     .in = "1,2,0\n1,2,1\n1,2,2\n1,2,3\n1,2,4\n1,2,5\n1,2,6\n1,2,7\n1,2,8\n1,2,0.5\n",
     .p = P(.wcol = "2", .w_category = true), .n = 10, .x = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
     .y = {2, 2, 2, 2, 2, 2, 2, 2, 2, 2}, .w = {0, 1, 2, 3, 4, 5, 6, 7, 8, 0.5}, .wcol = 2,
     .comments = NA, .blanks = NA},
    {.name = "categories: labels by first appearance",
     .in = "x,y,kind\n1,2,b\n3,4,a\n5,6,b\n7,8,\"a\"\n9,10, c \n",
     .p = P(.wcol = "kind", .w_category = true), .n = 5, .x = {1, 3, 5, 7, 9},
     .y = {2, 4, 6, 8, 10}, .w = {0, 1, 0, 1, 2}, .wcol = 2, .wname = "kind",
     .labels = {"b", "a", "c"}, .header = 1, .comments = NA, .blanks = NA},
    {.name = "categories: one non-integer makes labels",
     .in = "1,2,3\n3,4,x\n5,6,3\n7,8,-1\n", .p = P(.wcol = "2", .w_category = true), .n = 4,
     .x = {1, 3, 5, 7}, .y = {2, 4, 6, 8}, .w = {0, 1, 0, 2}, .wcol = 2,
     .labels = {"3", "x", "-1"}, .comments = NA, .blanks = NA},
    {.name = "categories: chosen columns still look at 8 rows",
     .in = "x,y,k\n1,2,1\n3,4,2\n5,6,z\n", .p = P(.xcol = "x", .ycol = "y", .wcol = "k", .w_category = true),
     .n = 3, .x = {1, 3, 5}, .y = {2, 4, 6}, .w = {0, 1, 2}, .wcol = 2,
     .labels = {"1", "2", "z"}, .header = 1, .comments = NA, .blanks = NA},
    {.name = "categories: quoted labels, empty ones skipped",
     .in = "x;y;k\n1;2;\"a;b\"\n3;4;\n5;6;\"say \"\"hi\"\"\"\n7;8;a;b\n9;10;\"\"\n",
     .p = P(.wcol = "k", .w_category = true), .n = 3, .x = {1, 5, 7}, .y = {2, 6, 8},
     .w = {0, 1, 2}, .wcol = 2, .labels = {"a;b", "say \"hi\"", "a"}, .skipped = 2,
     .first_bad = 3, .why = "empty field in column 2 (k)", .header = 1, .comments = NA,
     .blanks = NA},
    {.name = "categories: labels in whitespace columns",
     .in = "x y k\n1 2 red\n3 4 \"dark red\"\n5 6 red\n", .p = P(.wcol = "k", .w_category = true),
     .n = 3, .x = {1, 3, 5}, .y = {2, 4, 6}, .w = {0, 1, 0}, .wcol = 2,
     .labels = {"red", "dark red"}, .header = 1, .comments = NA, .blanks = NA},
};

static void run_case(const ccase *c, uint64_t *rs)
{
    size_t len = c->len ? c->len : strlen(c->in);
    rows r;
    text_stats st;
    vp_err err = {{0}};
    if (!parse_pieces(c->in, len, &c->p, NULL, 0, &r, &st, &err))
        fail_msg("case \"%s\": %s", c->name, err.msg);
    rows want = {.n = (size_t)c->n, .x = (double *)c->x, .y = (double *)c->y,
                 .w = c->p.wcol ? (double *)c->w : NULL};
    for (int i = 0; i < 8 && c->labels[i]; i++)
        snprintf(want.labels[want.nlabels++], sizeof want.labels[0], "%s", c->labels[i]);
    char what[128];
    snprintf(what, sizeof what, "case \"%s\"", c->name);
    check_same_rows(&r, &want, what);
    if (st.skipped_rows != c->skipped || st.first_bad_line != c->first_bad)
        fail_msg("%s: skipped %" PRIu64 " (want %" PRIu64 "), first bad line %" PRIu64
                 " (want %" PRIu64 ") '%s' %s",
                 what, st.skipped_rows, c->skipped, st.first_bad_line, c->first_bad,
                 st.first_bad_text, st.first_bad_why);
    if (st.data_rows != (uint64_t)c->n)
        fail_msg("%s: data_rows %" PRIu64, what, st.data_rows);
    if (c->bad_text && strcmp(st.first_bad_text, c->bad_text))
        fail_msg("%s: first bad text '%s', want '%s'", what, st.first_bad_text, c->bad_text);
    if (c->delim && st.delimiter != c->delim)
        fail_msg("%s: delimiter '%c', want '%c'", what, st.delimiter, c->delim);
    if (c->header != NOCHECK && st.header != (c->header == 1))
        fail_msg("%s: header %d, want %d", what, st.header, c->header);
    if (c->comments != NA && st.comment_lines != (uint64_t)c->comments)
        fail_msg("%s: %" PRIu64 " comment lines, want %d", what, st.comment_lines, c->comments);
    if (c->blanks != NA && st.blank_lines != (uint64_t)c->blanks)
        fail_msg("%s: %" PRIu64 " blank lines, want %d", what, st.blank_lines, c->blanks);
    if (c->xname && strcmp(st.xname, c->xname))
        fail_msg("%s: x name '%s', want '%s'", what, st.xname, c->xname);
    if (c->yname && strcmp(st.yname, c->yname))
        fail_msg("%s: y name '%s', want '%s'", what, st.yname, c->yname);
    if (c->p.wcol && st.wcol != c->wcol)
        fail_msg("%s: w column %d, want %d", what, st.wcol, c->wcol);
    if (!c->p.wcol && st.wcol != -1)
        fail_msg("%s: w column %d without a w", what, st.wcol);
    if (c->wname && strcmp(st.wname, c->wname))
        fail_msg("%s: w name '%s', want '%s'", what, st.wname, c->wname);
    if (st.w_labels != (want.nlabels > 0) || st.labels != want.nlabels)
        fail_msg("%s: w_labels %d with %d labels, want %d", what, st.w_labels, st.labels,
                 want.nlabels);
    if (c->why && strcmp(st.first_bad_why, c->why))
        fail_msg("%s: first bad why '%s', want '%s'", what, st.first_bad_why, c->why);
    /* lines = physical lines: '\n's, plus one for a last line without it */
    uint64_t want_lines = 0;
    for (size_t i = 0; i < len; i++)
        want_lines += c->in[i] == '\n';
    want_lines += len && c->in[len - 1] != '\n';
    if (st.lines != want_lines)
        fail_msg("%s: %" PRIu64 " lines, want %" PRIu64, what, st.lines, want_lines);
    check_splits(c->name, c->in, len, &c->p, &r, &st, rs);
    rows_free(&r);
}

static void test_conformance(void **state)
{
    (void)state;
    uint64_t rs = 42;
    size_t n = sizeof g_cases / sizeof g_cases[0];
    assert_true(n >= 30);
    for (size_t i = 0; i < n; i++)
        run_case(&g_cases[i], &rs);
}

static void test_first_bad_reason(void **state)
{
    (void)state;
    rows r;
    text_stats st;
    vp_err err = {{0}};
    const char *in = "x,y,z\n1,,3\n4,b,6\n";
    text_params p = {.xcol = "x", .ycol = "y"};
    assert_true(parse_pieces(in, strlen(in), &p, NULL, 0, &r, &st, &err));
    assert_int_equal(st.first_bad_line, 2);
    assert_string_equal(st.first_bad_text, "");
    assert_string_equal(st.first_bad_why, "empty field in column 1 (y)");
    rows_free(&r);
    in = "1,2\n3 , 4x \n";
    assert_true(parse_pieces(in, strlen(in), NULL, NULL, 0, &r, &st, &err));
    assert_string_equal(st.first_bad_text, "4x");
    assert_string_equal(st.first_bad_why, "not a number in column 1");
    rows_free(&r);
    in = "a,b,c\n1,2,3\n4,5\n";
    p = (text_params){.xcol = "a", .ycol = "c"};
    assert_true(parse_pieces(in, strlen(in), &p, NULL, 0, &r, &st, &err));
    assert_string_equal(st.first_bad_text, "4,5");
    assert_string_equal(st.first_bad_why, "too few fields for column 2 (c)");
    rows_free(&r);
}

/* x falls back to the row index: why, when another field was there */
static void test_x_index_why(void **state)
{
    (void)state;
    rows r;
    text_stats st;
    vp_err err = {{0}};
    const char *in = "time,v\n12:30:00,1\n12:31:00,2\n";
    assert_true(parse_pieces(in, strlen(in), NULL, NULL, 0, &r, &st, &err));
    assert_int_equal(st.xcol, -1);
    assert_string_equal(st.x_index_why, "column 0 (time) holds neither numbers nor ISO-8601 instants "
                                        "(\"12:30:00\"); --x COL and --x-time choose x");
    rows_free(&r);
    in = "5,a\n6,b\n"; /* no header: the field's number only */
    assert_true(parse_pieces(in, strlen(in), NULL, NULL, 0, &r, &st, &err));
    assert_int_equal(st.xcol, -1);
    assert_non_null(strstr(st.x_index_why, "column 1 holds neither"));
    rows_free(&r);
    const char *fine[] = {"t,v\n1,2\n3,4\n", "v\n1\n2\n", "2024-03-05T14:00:00Z,1\n2024-03-05T14:00:01Z,2\n"};
    for (int i = 0; i < 3; i++) {
        assert_true(parse_pieces(fine[i], strlen(fine[i]), NULL, NULL, 0, &r, &st, &err));
        assert_string_equal(st.x_index_why, "");
        rows_free(&r);
    }
    text_params yo = {.y_only = true};
    assert_true(parse_pieces(in, strlen(in), &yo, NULL, 0, &r, &st, &err));
    assert_string_equal(st.x_index_why, ""); /* asked for */
    rows_free(&r);
}

/* ==== errors ==================================================================== */

static void expect_error(const char *in, const text_params *p, const char *needle)
{
    rows r;
    text_stats st;
    vp_err err = {{0}};
    if (parse_pieces(in, strlen(in), p, NULL, 0, &r, &st, &err))
        fail_msg("\"%s\": no error, expected one with \"%s\"", in, needle);
    assert_msg_has(err, needle);
    rows_free(&r);
}

static void test_column_errors(void **state)
{
    (void)state;
    text_params p = {.xcol = "lon", .ycol = "lat"};
    expect_error("lon,depth,mag\n1,2,3\n", &p,
                 "column \"lat\" not found; the header has: lon, depth, mag");
    expect_error("1,2,3\n4,5,6\n", &p, "column \"lat\" chosen by name, but the file has no header");
    p.header = TEXT_HEADER_NO;
    expect_error("lon,lat\n1,2\n", &p, "header row is turned off");
    p = (text_params){.xcol = "0", .ycol = "5"};
    expect_error("a,b,c\n1,2,3\n", &p, "column 5 is out of range: line 1 has 3 columns (0 to 2)");
    expect_error("# c\n1,2,3\n", &p, "column 5 is out of range: line 2 has 3 columns");
    p = (text_params){.xcol = "x", .ycol = "X2", .header = TEXT_HEADER_YES};
    expect_error("x,y\n1,2\n", &p, "\"X2\" not found");
    p = (text_params){.xcol = "a", .ycol = "lat"};
    expect_error("a,Lat,LAT\n1,2,3\n", &p, "column \"lat\" is ambiguous");
}

static void test_params_errors(void **state)
{
    (void)state;
    text_parser *t = NULL;
    vp_err err = {{0}};
    text_params p = {.xcol = "a"};
    assert_false(text_parser_create(&p, &t, &err));
    assert_msg_has(err, "without a y column");
    p = (text_params){.xcol = "a", .ycol = "b", .y_only = true};
    assert_false(text_parser_create(&p, &t, &err));
    assert_msg_has(err, "together with y only");
    p = (text_params){.delimiter = '"'};
    assert_false(text_parser_create(&p, &t, &err));
    assert_msg_has(err, "cannot be a field delimiter");
    p = (text_params){.ycol = ""};
    assert_false(text_parser_create(&p, &t, &err));
    assert_msg_has(err, "empty column name");
    p = (text_params){.format = (text_format)99};
    assert_false(text_parser_create(&p, &t, &err));
    assert_null(t);
    /* the strings are copied */
    char name[8] = "b";
    p = (text_params){.xcol = "a", .ycol = name};
    assert_true(text_parser_create(&p, &t, &err));
    name[0] = 'z';
    rows r = {0};
    text_sink sink = {rows_sink, &r, NULL};
    assert_true(text_parser_feed(t, "a,b\n1,2\n", 8, &sink, &err));
    assert_true(text_parser_finish(t, &sink, &err));
    assert_int_equal(r.n, 1);
    assert_true(r.y[0] == 2);
    assert_false(text_parser_feed(t, "3,4\n", 4, &sink, &err));
    assert_msg_has(err, "after the end of input");
    text_parser_destroy(t);
    text_parser_destroy(NULL);
    rows_free(&r);
}

static void test_not_text(void **state)
{
    (void)state;
    static const char bin[] = "\x01\x00\x00\x00\x3f\x80\x00\x00\n1,2\n";
    text_parser *t;
    vp_err err = {{0}};
    assert_true(text_parser_create(NULL, &t, &err));
    bool ok = text_parser_feed(t, bin, sizeof bin - 1, NULL, &err) &&
              text_parser_finish(t, NULL, &err);
    assert_false(ok);
    assert_msg_has(err, "line 1 holds a NUL byte");
    assert_false(text_parser_feed(t, "1,2\n", 4, NULL, &err));
    assert_msg_has(err, "after an error");
    text_parser_destroy(t);

    /* a line that never ends, fed in pieces */
    assert_true(text_parser_create(NULL, &t, &err));
    size_t piece = 1 << 20;
    char *b = malloc(piece);
    assert_non_null(b);
    memset(b, '7', piece);
    ok = text_parser_feed(t, "1,2\n3,4\n", 8, NULL, &err);
    assert_true(ok);
    for (size_t i = 0; ok && i < (TEXT_MAX_LINE / piece) + 2; i++)
        ok = text_parser_feed(t, b, piece, NULL, &err);
    assert_false(ok);
    assert_msg_has(err, "line 3 is longer than 64 MiB");
    text_parser_destroy(t);
    free(b);
}

/* ==== streaming =================================================================== */

static bool failing_sink(void *ctx, const double *x, const double *y, const double *w, size_t n,
                         vp_err *err)
{
    (void)x;
    (void)y;
    (void)w;
    int *calls = ctx;
    (*calls)++;
    return vp_err_set(err, "disk full after %zu rows", n);
}

static void test_streaming(void **state)
{
    (void)state;
    text_parser *t;
    vp_err err = {{0}};
    rows r = {0};
    text_sink sink = {rows_sink, &r, NULL};
    text_params p = {.xcol = "x", .ycol = "y"};
    assert_true(text_parser_create(&p, &t, &err));
    /* nothing until the format is decided: two content lines with chosen columns */
    assert_true(text_parser_feed(t, "x,y\n1,", 6, &sink, &err));
    assert_int_equal(r.n, 0);
    text_stats st;
    text_parser_stats(t, &st);
    assert_false(st.detected);
    assert_true(text_parser_feed(t, "2\n3,4", 5, &sink, &err));
    assert_int_equal(r.n, 1); /* the half line "3,4" waits */
    text_parser_stats(t, &st);
    assert_true(st.detected);
    assert_true(st.header);
    assert_true(text_parser_feed(t, "5", 1, &sink, &err));
    assert_int_equal(r.n, 1);
    assert_true(text_parser_feed(t, "\r\n", 2, &sink, &err));
    assert_int_equal(r.n, 2);
    assert_true(r.y[1] == 45);
    assert_true(text_parser_feed(t, "6,7", 3, &sink, &err));
    assert_true(text_parser_finish(t, &sink, &err));
    assert_int_equal(r.n, 3);
    assert_true(r.x[2] == 6 && r.y[2] == 7);
    text_parser_destroy(t);
    rows_free(&r);

    /* default columns: up to 9 content lines are looked at first */
    assert_true(text_parser_create(NULL, &t, &err));
    for (int i = 0; i < 8; i++) {
        char line[32];
        int n = snprintf(line, sizeof line, "%d,%d\n", i, -i);
        assert_true(text_parser_feed(t, line, (size_t)n, &sink, &err));
        assert_int_equal(r.n, 0);
    }
    assert_true(text_parser_feed(t, "# c\n\n8,-8\n9,0", 13, &sink, &err));
    assert_int_equal(r.n, 9);
    assert_true(text_parser_finish(t, &sink, &err));
    assert_int_equal(r.n, 10);
    assert_true(r.x[9] == 9 && r.y[9] == 0);
    text_parser_destroy(t);
    rows_free(&r);

    /* rows decided in a feed reach the sink in that feed, even when the
     * piece ends inside a line */
    text_params p2 = {.xcol = "0", .ycol = "1"};
    assert_true(text_parser_create(&p2, &t, &err));
    assert_true(text_parser_feed(t, "1,2\n", 4, &sink, &err));
    assert_int_equal(r.n, 0);
    assert_true(text_parser_feed(t, "3,4\n5", 5, &sink, &err));
    assert_int_equal(r.n, 2);
    text_parser_destroy(t);
    rows_free(&r);
    /* the same with a first piece larger than what detection takes at once */
    char *big = malloc(70000);
    assert_non_null(big);
    memcpy(big, "1,2\n3,4\n", 8);
    memset(big + 8, '5', 70000 - 8);
    assert_true(text_parser_create(&p2, &t, &err));
    assert_true(text_parser_feed(t, big, 70000, &sink, &err));
    assert_int_equal(r.n, 2);
    assert_true(text_parser_feed(t, ",6\n", 3, &sink, &err));
    assert_int_equal(r.n, 3);
    assert_true(isinf(r.x[2])); /* 69992 fives */
    text_parser_destroy(t);
    rows_free(&r);
    free(big);

    /* long lines: detection stops looking once 64 KiB have come */
    assert_true(text_parser_create(NULL, &t, &err));
    char *wide = malloc(40000);
    assert_non_null(wide);
    for (int i = 0; i < 2; i++) {
        int k = snprintf(wide, 40000, "%d,%d", i, 2 * i);
        while (k < 39999)
            wide[k++] = ' ';
        wide[39999] = '\n';
        assert_true(text_parser_feed(t, wide, 40000, &sink, &err));
    }
    assert_int_equal(r.n, 2);
    assert_true(r.y[1] == 2);
    text_parser_destroy(t);
    free(wide);
    rows_free(&r);

    /* a long comment block before the data, in small pieces: each byte is
     * looked at once (this would take minutes if detection rescanned) */
    assert_true(text_parser_create(NULL, &t, &err));
    static const char com[] = "# a comment line of some length\n";
    const size_t ncom = 200000, clen = sizeof com - 1;
    char *block = malloc(ncom * clen + 16);
    assert_non_null(block);
    for (size_t i = 0; i < ncom; i++)
        memcpy(block + i * clen, com, clen);
    memcpy(block + ncom * clen, "1,2\n3,4\n", 8);
    size_t blen = ncom * clen + 8;
    for (size_t at = 0; at < blen; at += 5)
        assert_true(text_parser_feed(t, block + at, blen - at < 5 ? blen - at : 5, &sink, &err));
    assert_true(text_parser_finish(t, &sink, &err));
    assert_int_equal(r.n, 2);
    text_parser_stats(t, &st);
    assert_int_equal(st.comment_lines, ncom);
    assert_int_equal(st.lines, ncom + 2);
    text_parser_destroy(t);
    free(block);
    rows_free(&r);

    /* a failing sink stops the feed with its message */
    int calls = 0;
    text_sink bad = {failing_sink, &calls, NULL};
    assert_true(text_parser_create(NULL, &t, &err));
    assert_false(text_parser_feed(t, "1,2\n3,4\n5,6\n", 12, &bad, &err) &&
                 text_parser_finish(t, &bad, &err));
    assert_msg_has(err, "disk full after 3 rows");
    assert_int_equal(calls, 1);
    assert_false(text_parser_feed(t, "1,2\n", 4, &bad, &err));
    assert_msg_has(err, "after an error");
    text_parser_destroy(t);
}

/* Many rows of random numbers in random formats, in random pieces: every value
 * comes back bit for bit, in batches of at most TEXT_BATCH. */
static void test_many_rows(void **state)
{
    (void)state;
    uint64_t rs = 7;
    const size_t nrows = 200000;
    size_t cap = nrows * 100 + 100, len = 0;
    char *in = malloc(cap);
    double *wx = malloc(nrows * sizeof *wx), *wy = malloc(nrows * sizeof *wy);
    assert_non_null(in);
    assert_non_null(wx);
    assert_non_null(wy);
    len += (size_t)snprintf(in + len, cap - len, "id,label,x,y\n");
    static const char *fmts[] = {"%.17g", "%.6f", "%g", "%.3e", "%.18e", "%.10g"};
    for (size_t i = 0; i < nrows; i++) {
        double x = (tu_rand_unit(&rs) - 0.5) * 360, y = (tu_rand_unit(&rs) - 0.5) * 1e-3;
        char xs[64], ys[64];
        snprintf(xs, sizeof xs, fmts[tu_rand(&rs) % 6], x);
        snprintf(ys, sizeof ys, fmts[tu_rand(&rs) % 6], y);
        wx[i] = strtod(xs, NULL);
        wy[i] = strtod(ys, NULL);
        len += (size_t)snprintf(in + len, cap - len, "%zu,%s,%s,%s%s", i,
                                i % 3 ? "\"q,\"\"x\"" : "plain", xs, ys, i % 5 ? "\n" : "\r\n");
    }
    rows want = {.n = nrows, .x = wx, .y = wy};
    text_params p = {.xcol = "x", .ycol = "y"};
    size_t maxcuts = len / 10 + 16;
    size_t *cuts = malloc(maxcuts * sizeof *cuts);
    assert_non_null(cuts);
    for (int rep = 0; rep < 3; rep++) {
        size_t nc = 0, at = 0;
        size_t maxpiece = rep == 0 ? 100000 : rep == 1 ? 5000 : 50;
        while (rep > 0 && at < len && nc < maxcuts) {
            at += 1 + tu_rand(&rs) % maxpiece;
            if (at < len)
                cuts[nc++] = at;
            else
                break;
        }
        rows r;
        text_stats st;
        vp_err err = {{0}};
        assert_true(parse_pieces(in, len, &p, cuts, nc, &r, &st, &err));
        check_same_rows(&r, &want, "many rows");
        assert_true(r.max_batch <= TEXT_BATCH);
        if (rep == 0)
            assert_int_equal(r.max_batch, TEXT_BATCH);
        assert_int_equal(st.skipped_rows, 0);
        assert_int_equal(st.lines, nrows + 1);
        rows_free(&r);
    }
    free(cuts);
    free(in);
    free(wx);
    free(wy);
}

/* ==== categories ================================================================ */

/* A 65th distinct label is a bad row, every time; the first 64 keep their
 * numbers. Long labels: compared in full, shown cut. */
static void test_label_limit(void **state)
{
    (void)state;
    char *in = malloc(100000);
    assert_non_null(in);
    size_t len = (size_t)snprintf(in, 100000, "x,y,k\n");
    for (int i = 0; i < 70; i++) /* labels L0 .. L69, then L0 and L66 again */
        len += (size_t)snprintf(in + len, 100000 - len, "%d,1,L%d\n", i, i);
    len += (size_t)snprintf(in + len, 100000 - len, "70,1,L0\n71,1,L66\n");
    text_params p = {.wcol = "k", .w_category = true};
    rows r;
    text_stats st;
    vp_err err = {{0}};
    assert_true(parse_pieces(in, len, &p, NULL, 0, &r, &st, &err));
    assert_int_equal(r.n, 65);
    assert_int_equal(st.skipped_rows, 7);
    assert_int_equal(st.first_bad_line, 66);
    assert_string_equal(st.first_bad_text, "L64");
    assert_string_equal(st.first_bad_why, "more than 64 categories in column 2 (k)");
    assert_true(st.w_labels);
    assert_int_equal(st.labels, TEXT_MAX_LABELS);
    assert_int_equal(r.nlabels, TEXT_MAX_LABELS);
    for (int i = 0; i < 64; i++) {
        char want[16];
        snprintf(want, sizeof want, "L%d", i);
        assert_string_equal(r.labels[i], want);
        assert_true(r.w[i] == i && r.x[i] == i);
    }
    assert_true(r.x[64] == 70 && r.w[64] == 0);
    rows_free(&r);

    /* two labels alike in their first 63 bytes are two categories */
    char a[101], b[101];
    memset(a, 'a', 100);
    a[100] = 0;
    memcpy(b, a, sizeof a);
    b[99] = 'b';
    len = (size_t)snprintf(in, 100000, "x,y,k\n1,2,%s\n3,4,%s\n5,6,%s\n", a, b, a);
    assert_true(parse_pieces(in, len, &p, NULL, 0, &r, &st, &err));
    assert_int_equal(r.n, 3);
    assert_true(r.w[0] == 0 && r.w[1] == 1 && r.w[2] == 0);
    assert_int_equal(r.nlabels, 2);
    assert_int_equal(strlen(r.labels[0]), TEXT_LABEL_BYTES);
    assert_string_equal(r.labels[0], r.labels[1]);
    rows_free(&r);

    /* a cut label never ends inside a UTF-8 character: "ab" and two-byte ones
     * put byte 63 inside one */
    len = (size_t)snprintf(in, 100000, "x,y,k\n1,2,ab");
    for (int i = 0; i < 40; i++)
        len += (size_t)snprintf(in + len, 100000 - len, "\xC3\xA9");
    len += (size_t)snprintf(in + len, 100000 - len, "\n");
    assert_true(parse_pieces(in, len, &p, NULL, 0, &r, &st, &err));
    assert_int_equal(strlen(r.labels[0]), 62); /* "ab" + 30 whole characters */
    rows_free(&r);

    /* the labels array stays put while labels are added */
    text_parser *t;
    assert_true(text_parser_create(&p, &t, &err));
    assert_true(text_parser_feed(t, "x,y,k\n1,2,u\n", 12, NULL, &err));
    assert_true(text_parser_settle(t, NULL, &err));
    const char *const *l1, *const *l2;
    assert_int_equal(text_parser_labels(t, &l1), 1);
    const char *first = l1[0];
    assert_true(text_parser_feed(t, "3,4,v\n5,6,w\n", 12, NULL, &err));
    assert_int_equal(text_parser_labels(t, &l2), 3);
    assert_ptr_equal(l1, l2);
    assert_ptr_equal(first, l2[0]);
    assert_string_equal(l2[2], "w");
    text_parser_destroy(t);

    /* labels cannot be x or y too */
    p = (text_params){.xcol = "x", .ycol = "k", .wcol = "k", .w_category = true};
    expect_error("x,k\n1,a\n", &p, "column 1 holds category labels, so it cannot be the y column too");
    p = (text_params){.wcol = ""};
    assert_false(text_parser_create(&p, &t, &err));
    assert_msg_has(err, "empty column name");
    p = (text_params){.wcol = "nope"};
    expect_error("x,y\n1,2\n", &p, "column \"nope\" not found; the header has: x, y");
    free(in);
}

/* ==== names ===================================================================== */

static void test_names(void **state)
{
    (void)state;
    assert_int_equal(text_format_from_name("a/b/points.csv"), TEXT_CSV);
    assert_int_equal(text_format_from_name("POINTS.CSV"), TEXT_CSV);
    assert_int_equal(text_format_from_name("x.tsv"), TEXT_TSV);
    assert_int_equal(text_format_from_name("x.tab"), TEXT_TSV);
    assert_int_equal(text_format_from_name("x.txt"), TEXT_AUTO);
    assert_int_equal(text_format_from_name("x.dat"), TEXT_AUTO);
    assert_int_equal(text_format_from_name("x.xyz"), TEXT_AUTO);
    assert_int_equal(text_format_from_name("x.f32"), TEXT_NOT_TEXT);
    assert_int_equal(text_format_from_name("x.npy"), TEXT_NOT_TEXT);
    assert_int_equal(text_format_from_name("csv"), TEXT_NOT_TEXT);
    assert_int_equal(text_format_from_name(".csv"), TEXT_NOT_TEXT);
    assert_int_equal(text_format_from_name("dir.csv/file"), TEXT_NOT_TEXT);
    text_format f = TEXT_NOT_TEXT;
    assert_true(text_format_from_option("csv", &f) && f == TEXT_CSV);
    assert_true(text_format_from_option("tsv", &f) && f == TEXT_TSV);
    assert_true(text_format_from_option("text", &f) && f == TEXT_AUTO);
    assert_true(text_format_from_option("whitespace", &f) && f == TEXT_WHITESPACE);
    assert_false(text_format_from_option("CSV!", &f));

    assert_true(text_sniff("x,y\n1,2\n", 8));
    assert_true(text_sniff("\xEF\xBB\xBF" "1 2\r\n", 8));
    assert_false(text_sniff("x,y\n", 4)); /* no digit */
    float raw[4] = {1.5f, 2.5f, -3.0f, 0.25f};
    assert_false(text_sniff(raw, sizeof raw));
    assert_false(text_sniff("", 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conformance),
        cmocka_unit_test(test_first_bad_reason),
        cmocka_unit_test(test_x_index_why),
        cmocka_unit_test(test_column_errors),
        cmocka_unit_test(test_params_errors),
        cmocka_unit_test(test_not_text),
        cmocka_unit_test(test_streaming),
        cmocka_unit_test(test_many_rows),
        cmocka_unit_test(test_label_limit),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
