/* text_parse_file (src/load/text_par.c) against one text_parser fed the same
 * bytes: on many generated texts (numbers of every spelling, headers, quoted
 * names, comments, blank lines, bad rows anywhere, CRLF, a BOM, a last line
 * without '\n', NUL bytes), on every prefix of small texts (so that the split
 * points land on every byte, next to each '\n' and '\r'), with 1 to 4 threads
 * and pieces of 1 byte to 64 KiB, the rows (put together part after part),
 * the stats and the error messages must be the same, bit for bit. Also: the
 * sink's contract (part numbers, done once after a part's last rows), errors
 * from a sink, from done, from a later part (a line longer than TEXT_MAX_LINE:
 * its number in the file), a file truncated under the reader, and that the
 * parallel path is really taken. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "load/text.h"
#include "load/text_par.h"
#include "testutil.h"

#define MAXP 4
#define NAME "in.csv"

static const char *g_dir;

/* ---- rows and results --------------------------------------------------------- */

typedef struct rows {
    double *x, *y, *w;
    size_t n, cap;
    int with_w, without_w; /* batches that came with w, without */
} rows;

static void rows_add(rows *r, const double *x, const double *y, const double *w, size_t n)
{
    if (r->n + n > r->cap) {
        size_t cap = r->cap ? r->cap : 256;
        while (cap < r->n + n)
            cap *= 2;
        r->x = realloc(r->x, cap * sizeof *r->x);
        r->y = realloc(r->y, cap * sizeof *r->y);
        r->w = realloc(r->w, cap * sizeof *r->w);
        if (!r->x || !r->y || !r->w)
            abort();
        r->cap = cap;
    }
    memcpy(r->x + r->n, x, n * sizeof *x);
    memcpy(r->y + r->n, y, n * sizeof *y);
    if (w)
        memcpy(r->w + r->n, w, n * sizeof *w);
    else
        memset(r->w + r->n, 0, n * sizeof *w);
    r->with_w += w != NULL;
    r->without_w += w == NULL;
    r->n += n;
}

/* A part's rows after another's. */
static void rows_append(rows *dst, const rows *src)
{
    if (!src->n)
        return;
    rows_add(dst, src->x, src->y, src->with_w ? src->w : NULL, src->n);
    dst->with_w += src->with_w - (src->with_w != 0);
    dst->without_w += src->without_w - (src->with_w == 0);
}

static void rows_free(rows *r)
{
    free(r->x);
    free(r->y);
    free(r->w);
    *r = (rows){0};
}

typedef struct result {
    rows r;
    text_stats st;
    bool ok;
    char msg[1024];
    int nparts;
    int nlabels;
    char labels[TEXT_MAX_LABELS][TEXT_LABEL_BYTES + 1];
} result;

static void result_free(result *r)
{
    rows_free(&r->r);
}

/* A sink may be told to fail on the row whose y is this value. */
#define FAIL_Y 777.25

static bool has_fail_y(const double *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (y[i] == FAIL_Y)
            return true;
    return false;
}

/* ---- the reference: one text_parser ------------------------------------------ */

typedef struct ref_ctx {
    rows *r;
    bool fail_on_y;
} ref_ctx;

static bool ref_emit(void *ctx, const double *x, const double *y, const double *w, size_t n,
                     vp_err *err)
{
    ref_ctx *c = ctx;
    for (size_t i = 0; i < n; i++) { /* rows up to the failing one, as a part's sink */
        if (c->fail_on_y && y[i] == FAIL_Y) {
            rows_add(c->r, x, y, w, i);
            return vp_err_set(err, "sink refused y=%g", y[i]);
        }
    }
    rows_add(c->r, x, y, w, n);
    return true;
}

/* text.h's parser fed [text, text + len) in pieces of `piece` bytes; the error
 * named as text_parse_file names it. */
static void ref_parse(const char *text, size_t len, const text_params *p, size_t piece,
                      bool fail_on_y, result *out)
{
    *out = (result){0};
    ref_ctx c = {&out->r, fail_on_y};
    text_sink sink = {ref_emit, &c, NULL};
    vp_err err = {{0}};
    text_parser *t = NULL;
    bool ok = text_parser_create(p, &t, &err);
    for (size_t at = 0; ok && at < len; at += piece)
        ok = text_parser_feed(t, text + at, len - at < piece ? len - at : piece, &sink, &err);
    if (ok)
        ok = text_parser_finish(t, &sink, &err);
    if (ok) {
        text_parser_stats(t, &out->st);
        const char *const *lab;
        out->nlabels = text_parser_labels(t, &lab);
        for (int i = 0; i < out->nlabels; i++)
            snprintf(out->labels[i], sizeof out->labels[i], "%s", lab[i]);
    } else if (strncmp(err.msg, NAME, strlen(NAME)) != 0)
        vp_err_prefix(&err, "%s", NAME);
    out->ok = ok;
    snprintf(out->msg, sizeof out->msg, "%s", ok ? "" : err.msg);
    out->nparts = 1;
    text_parser_destroy(t);
}

/* ---- the parallel parser ----------------------------------------------------- */

typedef struct par_ctx {
    rows part[MAXP];
    int done[MAXP];
    int threads;
    bool fail_on_y;
    int fail_done; /* done fails for this part; -1: never */
    /* contract breaches, seen on the parts' threads, asserted on the main one */
    int bad_part, after_done, bad_n;
    int label_calls, nlabels;
    char labels[TEXT_MAX_LABELS][TEXT_LABEL_BYTES + 1];
} par_ctx;

static bool par_labels(void *ctx, const char *const *labels, int n, vp_err *err)
{
    (void)err;
    par_ctx *c = ctx;
    c->label_calls++;
    c->nlabels = n;
    for (int i = 0; i < n && i < TEXT_MAX_LABELS; i++)
        snprintf(c->labels[i], sizeof c->labels[i], "%s", labels[i]);
    return true;
}

static bool par_emit(void *ctx, int part, const double *x, const double *y, const double *w,
                     size_t n, vp_err *err)
{
    par_ctx *c = ctx;
    if (part < 0 || part >= c->threads) {
        c->bad_part = 1; /* racy, but only ever set: a breach is seen */
        return vp_err_set(err, "part %d out of range", part);
    }
    if (n < 1 || n > TEXT_BATCH)
        c->bad_n = 1;
    if (c->done[part])
        c->after_done = 1;
    if (c->fail_on_y && has_fail_y(y, n)) {
        size_t i = 0;
        while (y[i] != FAIL_Y)
            i++;
        rows_add(&c->part[part], x, y, w, i);
        return vp_err_set(err, "sink refused y=%g", FAIL_Y);
    }
    rows_add(&c->part[part], x, y, w, n);
    return true;
}

static bool par_done(void *ctx, int part, vp_err *err)
{
    par_ctx *c = ctx;
    if (part < 0 || part >= c->threads) {
        c->bad_part = 1;
        return vp_err_set(err, "part %d out of range", part);
    }
    c->done[part]++;
    if (part == c->fail_done)
        return vp_err_set(err, "done refused part %d", part);
    return true;
}

typedef struct run_opts {
    int threads;
    size_t piece;
    uint64_t min_part;
    bool fail_on_y;
    int fail_done;
} run_opts;

static void par_parse(int fd, uint64_t off, uint64_t len, const text_params *p, const run_opts *o,
                      result *out)
{
    *out = (result){0};
    par_ctx *cp = calloc(1, sizeof *cp);
    assert_non_null(cp);
    par_ctx c = {.threads = o->threads, .fail_on_y = o->fail_on_y, .fail_done = o->fail_done};
    text_par_sink sink = {par_emit, par_done, cp, par_labels, NULL};
    *cp = c;
    text_par_tuning tune = {o->piece, o->min_part};
    vp_err err = {{0}};
    int np = 0;
    out->ok = text_parse_file_tuned(fd, NAME, off, len, p, o->threads, &tune, &sink, &np, &out->st,
                                    &err);
    out->nparts = np;
    snprintf(out->msg, sizeof out->msg, "%s", out->ok ? "" : err.msg);
    c = *cp;
    free(cp);
    assert_false(c.bad_part);
    assert_false(c.after_done);
    assert_false(c.bad_n);
    assert_true(np >= 1 && np <= o->threads);
    /* labels: once, after a whole parse, when the column has labels */
    assert_int_equal(c.label_calls, out->ok && out->st.w_labels ? 1 : 0);
    out->nlabels = c.nlabels;
    memcpy(out->labels, c.labels, sizeof out->labels);
    for (int k = 0; k < MAXP; k++) {
        if (out->ok) { /* done exactly once for each part used, never for others */
            if (c.done[k] != (k < np)) {
                print_error("part %d: done called %d times (%d parts)\n", k, c.done[k], np);
                fail();
            }
            if (k >= np)
                assert_int_equal(c.part[k].n, 0);
        }
        assert_true(c.done[k] <= 1);
        rows_append(&out->r, &c.part[k]);
        rows_free(&c.part[k]);
    }
}

/* ---- comparing ---------------------------------------------------------------- */

static bool same_stats(const text_stats *a, const text_stats *b)
{
    return a->lines == b->lines && a->data_rows == b->data_rows &&
           a->skipped_rows == b->skipped_rows && a->comment_lines == b->comment_lines &&
           a->blank_lines == b->blank_lines && a->first_bad_line == b->first_bad_line &&
           !strcmp(a->first_bad_text, b->first_bad_text) &&
           !strcmp(a->first_bad_why, b->first_bad_why) && a->detected == b->detected &&
           a->delimiter == b->delimiter && a->header == b->header &&
           a->header_line == b->header_line && a->xcol == b->xcol && a->ycol == b->ycol &&
           !strcmp(a->xname, b->xname) && !strcmp(a->yname, b->yname) && a->wcol == b->wcol &&
           !strcmp(a->wname, b->wname) && a->w_labels == b->w_labels && a->labels == b->labels;
}

static void print_stats(const char *who, const text_stats *s)
{
    print_error("  %s: lines %" PRIu64 " rows %" PRIu64 " skipped %" PRIu64 " comments %" PRIu64
                " blank %" PRIu64 " first bad %" PRIu64 " [%s] [%s] detected %d delim '%c' "
                "header %d@%" PRIu64 " cols %d,%d names [%s] [%s]\n",
                who, s->lines, s->data_rows, s->skipped_rows, s->comment_lines, s->blank_lines,
                s->first_bad_line, s->first_bad_text, s->first_bad_why, s->detected,
                s->delimiter, s->header, s->header_line, s->xcol, s->ycol, s->xname, s->yname);
}

/* The whole result: rows (with the rows a failing sink got before failing:
 * only on success, since later parts may have run ahead), stats, message. */
static void expect_same(const result *ref, const result *got, const char *what)
{
    bool ok = ref->ok == got->ok && !strcmp(ref->msg, got->msg);
    if (ok && ref->ok) {
        ok = same_stats(&ref->st, &got->st) && ref->r.n == got->r.n;
        /* w in every batch or in none, as the reference */
        if (ok && (!ref->r.with_w != !got->r.with_w || (ref->r.with_w && got->r.without_w) ||
                   (got->r.with_w && ref->r.without_w))) {
            print_error("%s: w in %d batches, none in %d; expected %d and %d\n", what,
                        got->r.with_w, got->r.without_w, ref->r.with_w, ref->r.without_w);
            ok = false;
        }
        for (size_t i = 0; ok && i < ref->r.n; i++)
            if (!tu_same_double(ref->r.x[i], got->r.x[i]) || !tu_same_double(ref->r.y[i], got->r.y[i]) ||
                !tu_same_double(ref->r.w[i], got->r.w[i])) {
                print_error("%s: row %zu is (%.17g, %.17g, %.17g), expected (%.17g, %.17g, %.17g)\n",
                            what, i, got->r.x[i], got->r.y[i], got->r.w[i], ref->r.x[i],
                            ref->r.y[i], ref->r.w[i]);
                ok = false;
            }
        if (ok && ref->nlabels != got->nlabels) {
            print_error("%s: %d labels, expected %d\n", what, got->nlabels, ref->nlabels);
            ok = false;
        }
        for (int i = 0; ok && i < ref->nlabels; i++)
            if (strcmp(ref->labels[i], got->labels[i])) {
                print_error("%s: label %d [%s], expected [%s]\n", what, i, got->labels[i],
                            ref->labels[i]);
                ok = false;
            }
    }
    if (!ok) {
        print_error("%s (%d parts): ok %d/%d, %zu/%zu rows, message [%s] expected [%s]\n", what,
                    got->nparts, got->ok, ref->ok, got->r.n, ref->r.n, got->msg, ref->msg);
        if (ref->ok && got->ok) {
            print_stats("got", &got->st);
            print_stats("expected", &ref->st);
        }
        fail();
    }
}

/* ---- files -------------------------------------------------------------------- */

/* Writes junk (skip bytes, as --skip-bytes would jump) then the text; returns
 * an fd open for reading. */
static int open_text(const char *text, size_t len, size_t skip)
{
    const char *path = tu_path(g_dir, "t.txt");
    char *b = malloc(skip + len + 1);
    assert_non_null(b);
    for (size_t i = 0; i < skip; i++)
        b[i] = (char)(i * 37 + 1);
    if (len)
        memcpy(b + skip, text, len);
    tu_write_file(path, b, skip + len);
    free(b);
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    return fd;
}

/* Parses text with threads 1..4 and the given pieces; each must equal the
 * reference. Returns the most parts any run used. */
static int check_text(const char *text, size_t len, const text_params *p, const size_t *pieces,
                      int npieces, size_t skip, const char *what)
{
    result ref;
    ref_parse(text, len, p, TEXT_PAR_PIECE, false, &ref);
    int fd = open_text(text, len, skip);
    int most = 0;
    for (int th = 1; th <= MAXP; th++)
        for (int i = 0; i < npieces; i++) {
            run_opts o = {.threads = th, .piece = pieces[i], .min_part = 1, .fail_done = -1};
            result got;
            par_parse(fd, skip, len, p, &o, &got);
            char label[160];
            snprintf(label, sizeof label, "%s, %d threads, pieces of %zu", what, th, pieces[i]);
            expect_same(&ref, &got, label);
            if (got.nparts > most)
                most = got.nparts;
            result_free(&got);
        }
    close(fd);
    result_free(&ref);
    return most;
}

/* ---- generated texts ---------------------------------------------------------- */

typedef struct sbuf {
    char *s;
    size_t n, cap;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->n + n + 1)
            cap *= 2;
        b->s = realloc(b->s, cap);
        if (!b->s)
            abort();
        b->cap = cap;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = 0;
}

static void sb_str(sbuf *b, const char *s)
{
    sb_put(b, s, strlen(s));
}

static void sb_fmt(sbuf *b, const char *fmt, ...) VP_PRINTF(2, 3);
static void sb_fmt(sbuf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    sb_put(b, tmp, (size_t)n);
}

static uint64_t rnd(uint64_t *s, uint64_t n)
{
    return tu_rand(s) % n;
}

/* One field's text: mostly numbers of every spelling, sometimes not. */
static void gen_field(sbuf *b, uint64_t *rs, char delim, int bad_pct)
{
    if ((int)rnd(rs, 100) < bad_pct) {
        static const char *bad[] = {"abc", "", "1.2.3", "12x", "--1", "0x10", "\"\"", "e5",
                                    "\"1,5\"", "1 2"};
        const char *s = bad[rnd(rs, 10)];
        if (delim == ' ' && (!*s || !strcmp(s, "1 2")))
            s = "zz";
        if (delim != ',' && !strcmp(s, "\"1,5\""))
            s = "1,5x";
        sb_str(b, s);
        return;
    }
    double u = tu_rand_unit(rs) * 2000 - 1000;
    switch (rnd(rs, 12)) {
    case 0: sb_fmt(b, "%d", (int)u); break;
    case 1: sb_fmt(b, "%.3f", u); break;
    case 2: sb_fmt(b, "%.6e", u * 1e-20); break;
    case 3: sb_fmt(b, "%.17g", u); break;
    case 4: sb_str(b, rnd(rs, 2) ? "nan" : "-Inf"); break;
    case 5: sb_fmt(b, "\"%.2f\"", u); break;
    case 6: sb_fmt(b, delim == '\t' ? "%.1f" : "  %.1f ", u); break;
    case 7: sb_fmt(b, "%.25f", u / 3); break; /* more than 19 digits */
    case 8: sb_str(b, "1e-310"); break;
    case 9: sb_fmt(b, "+%.4E", u); break;
    default: sb_fmt(b, "%.6f", u); break;
    }
}

typedef struct gen_opts {
    int lines;
    int bad_pct;   /* of fields */
    bool crlf_ok;  /* CRLF lines allowed */
} gen_opts;

/* A random text and params to read it with. */
static void gen_text(uint64_t *rs, const gen_opts *g, sbuf *b, text_params *p, char *xs, char *ys,
                     char *wsb)
{
    static const char delims[] = {',', ';', '\t', ' ', '|'};
    char delim = delims[rnd(rs, 5)];
    int ncols = 1 + (int)rnd(rs, 4);
    bool crlf = g->crlf_ok && rnd(rs, 3) == 0;
    const char *eol = crlf ? "\r\n" : "\n";
    bool header = rnd(rs, 2);
    static const char *names[] = {"lon", "lat", "Depth", "mag", "t"};
    *p = (text_params){0};
    b->n = 0;
    if (rnd(rs, 6) == 0)
        sb_str(b, "\xEF\xBB\xBF");
    if (rnd(rs, 4) == 0) {
        sb_str(b, "# made by test_text_par");
        sb_str(b, eol);
    }
    if (header) {
        for (int c = 0; c < ncols; c++) {
            if (c)
                sb_put(b, &delim, 1);
            if (delim == ',' && c == 1 && rnd(rs, 3) == 0)
                sb_str(b, "\"la\"\"t, deg\"");
            else
                sb_str(b, names[c]);
        }
        sb_str(b, eol);
    }
    for (int i = 0; i < g->lines; i++) {
        uint64_t k = rnd(rs, 40);
        if (k == 0) {
            sb_str(b, rnd(rs, 2) ? "# comment, 1, 2" : "  > segment");
        } else if (k == 1) {
            sb_str(b, rnd(rs, 2) ? "" : " \t");
        } else if (k == 2 && g->bad_pct) { /* a short row */
            gen_field(b, rs, delim, 0);
        } else if (k == 3 && g->bad_pct && i > 12) { /* a line a header could be */
            for (int c = 0; c < ncols; c++) {
                if (c)
                    sb_put(b, &delim, 1);
                sb_str(b, names[c]);
            }
        } else if (k == 4 && g->bad_pct && i > 12 && rnd(rs, 4) == 0) { /* not text */
            sb_put(b, "1\0002", 3);
        } else {
            if (delim == ' ' && rnd(rs, 5) == 0)
                sb_str(b, "  ");
            for (int c = 0; c < ncols; c++) {
                if (c)
                    sb_str(b, delim == ' ' && rnd(rs, 3) == 0 ? "   " : (char[]){delim, 0});
                gen_field(b, rs, delim, g->bad_pct);
            }
        }
        sb_str(b, g->crlf_ok && rnd(rs, 20) == 0 ? "\r\n" : eol);
    }
    if (b->n && rnd(rs, 3) == 0) { /* no '\n' after the last line */
        b->n -= b->s[b->n - 1] == '\n' ? 1 : 0;
        b->s[b->n] = 0;
    }

    switch (rnd(rs, 9)) {
    case 0: break;
    case 1:
        p->format = delim == '\t' ? TEXT_TSV : delim == ' ' ? TEXT_WHITESPACE : TEXT_CSV;
        break;
    case 2:
        snprintf(xs, 16, "%d", (int)rnd(rs, (uint64_t)ncols));
        snprintf(ys, 16, "%d", (int)rnd(rs, (uint64_t)ncols + 1)); /* maybe out of range */
        p->xcol = xs;
        p->ycol = ys;
        break;
    case 3: /* names: with a header, or an error without one */
        p->xcol = "lon";
        p->ycol = rnd(rs, 4) ? "LAT" : "nope";
        break;
    case 4: p->y_only = true; break;
    case 5:
        snprintf(ys, 16, "%d", ncols - 1);
        p->ycol = ys;
        break;
    case 6: p->header = rnd(rs, 2) ? TEXT_HEADER_NO : TEXT_HEADER_YES; break;
    case 7: p->delimiter = delim; break;
    default:
        p->header = TEXT_HEADER_YES;
        p->xcol = "0";
        p->ycol = ncols > 1 ? "1" : "0";
        break;
    }
    /* a w column, sometimes: by index (now and then out of range) or by name;
     * now and then a category (the numbers here are mostly labels then). From
     * a stream of its own, so the texts are the ones without w. */
    uint64_t ws = tu_rand(&(uint64_t){*rs ^ 0x5eed});
    if (!p->y_only && ncols >= 3 && rnd(&ws, 2) == 0) {
        if (header && rnd(&ws, 4) == 0) {
            p->wcol = names[rnd(&ws, (uint64_t)ncols)];
        } else {
            snprintf(wsb, 16, "%d", (int)rnd(&ws, (uint64_t)ncols + (rnd(&ws, 10) == 0)));
            p->wcol = wsb;
        }
        p->w_category = rnd(&ws, 10) == 0;
    }
}

static void test_generated(void **state)
{
    (void)state;
    uint64_t rs = 20240611;
    sbuf b = {0};
    int multi = 0, files = 0;
    static const size_t pieces_a[] = {1, 7, 4096};
    static const size_t pieces_b[] = {3, 65536};
    for (int it = 0; it < 400; it++) {
        gen_opts g = {.lines = (int)rnd(&rs, it % 10 == 0 ? 3000 : 200),
                      .bad_pct = (int)rnd(&rs, 4) ? 3 : 0, .crlf_ok = true};
        text_params p;
        char xs[16], ys[16], wsb[16];
        gen_text(&rs, &g, &b, &p, xs, ys, wsb);
        char what[64];
        snprintf(what, sizeof what, "text %d (%zu bytes)", it, b.n);
        bool small = b.n < 20000;
        int most = check_text(b.s, b.n, &p, small ? pieces_a : pieces_b, small ? 3 : 2,
                              (size_t)rnd(&rs, 3) * 100, what);
        multi += most > 1;
        files++;

    }
    free(b.s);
    print_message("%d of %d texts were parsed in more than one part\n", multi, files);
    assert_true(multi > files / 2);
}

/* Every prefix of small texts: the split points sweep every byte. */
static void test_every_prefix(void **state)
{
    (void)state;
    static const char *texts[] = {
        "x,y\r\n1,2\r\n3,4\r\n\r\n# c\r\n5,6\r\nbad,7\r\n8,9\r\n10,11\r\n12\r\n13,14\r\n",
        ("\xEF\xBB\xBF" "a b\n1 2\n 3  4\n\n5 6\r\n> seg\n7 x\n8 9\r\n\r\n10 11\n12 13"),
        "1;2\n3;4\n5;6\n7;8\n;9\n10;11\n12;13\n14;15\n16;17\n18;19\n20;21\n22;\n23;24\n",
        "\r\n\n#\n1\t2\r\n3\t4\r\n5\t\"6\"\r\n7\t8\r\r\n9\t10\r\n11\t\r\n12\t13\r\n",
    };
    static const size_t pieces[] = {1, 5};
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        size_t n = strlen(texts[t]);
        for (size_t len = 0; len <= n; len++) {
            char what[64];
            snprintf(what, sizeof what, "text %zu, first %zu bytes", t, len);
            check_text(texts[t], len, NULL, pieces, 2, 0, what);
            text_params p = {.ycol = "1"};
            check_text(texts[t], len, &p, pieces, 1, 0, what);
        }
    }
}

/* The first bad row in the third part of four: its line number in the file. */
static void test_first_bad_in_part_2(void **state)
{
    (void)state;
    sbuf b = {0};
    sb_str(&b, "lon,lat\n");
    const int n = 4000, bad_at = 2500; /* 62 %: inside part 2 of [0, 25, 50, 75, 100] % */
    for (int i = 0; i < n; i++) {
        if (i % 97 == 5)
            sb_str(&b, "# a comment\n");
        if (i % 89 == 3)
            sb_str(&b, "\n");
        if (i == bad_at)
            sb_str(&b, "1.5,oops\n");
        else
            sb_fmt(&b, "%d.25,%d\n", i, -i);
    }
    result ref;
    ref_parse(b.s, b.n, NULL, TEXT_PAR_PIECE, false, &ref);
    assert_true(ref.ok);
    assert_true(ref.st.first_bad_line > 0);
    assert_string_equal(ref.st.first_bad_why, "not a number in column 1 (lat)");
    int fd = open_text(b.s, b.n, 0);
    static const size_t pieces[] = {1000, 4096}; /* the first piece is part 0's */
    for (int i = 0; i < 2; i++) {
        run_opts o = {.threads = 4, .piece = pieces[i], .min_part = 1, .fail_done = -1};
        par_ctx c = {.threads = 4, .fail_done = -1};
        text_par_sink sink = {par_emit, par_done, &c, NULL, NULL};
        text_par_tuning tune = {o.piece, o.min_part};
        vp_err err;
        int np;
        result got = {0};
        got.ok = text_parse_file_tuned(fd, NAME, 0, b.n, NULL, 4, &tune, &sink, &np, &got.st, &err);
        assert_true(got.ok);
        assert_int_equal(np, 4);
        /* the bad row lies in part 2: after the rows of parts 0 and 1 */
        size_t before = c.part[0].n + c.part[1].n;
        assert_true(before <= (size_t)bad_at && (size_t)bad_at <= before + c.part[2].n);
        for (int k = 0; k < MAXP; k++) {
            rows_append(&got.r, &c.part[k]);
            rows_free(&c.part[k]);
        }
        got.nparts = np;
        expect_same(&ref, &got, "bad row in part 2");
        result_free(&got);
    }
    close(fd);
    result_free(&ref);
    free(b.s);
}

/* Numbered rows with y = i (y = FAIL_Y at fail_at), a header. */
static void numbered_text(sbuf *b, int n, int fail_at)
{
    b->n = 0;
    sb_str(b, "t,v\n");
    for (int i = 0; i < n; i++)
        if (i == fail_at)
            sb_fmt(b, "%d,%g\n", i, FAIL_Y);
        else
            sb_fmt(b, "%d,%d\n", i, i);
}

/* A sink that fails in some part: the message is the sequential one, and the
 * parts before it were parsed to their end. */
static void test_sink_errors(void **state)
{
    (void)state;
    sbuf b = {0};
    const int n = 3000;
    for (int fail_at = 1; fail_at < n; fail_at += 211) {
        numbered_text(&b, n, fail_at);
        result ref;
        ref_parse(b.s, b.n, NULL, TEXT_PAR_PIECE, true, &ref);
        assert_false(ref.ok);
        assert_string_equal(ref.msg, NAME ": sink refused y=777.25");
        int fd = open_text(b.s, b.n, 0);
        for (int th = 1; th <= MAXP; th++) {
            run_opts o = {.threads = th, .piece = 512, .min_part = 1, .fail_on_y = true,
                          .fail_done = -1};
            result got;
            par_parse(fd, 0, b.n, NULL, &o, &got);
            expect_same(&ref, &got, "sink error");
            /* every row before the failing one was handed over */
            assert_true(got.r.n >= (size_t)fail_at);
            for (int i = 0; i < fail_at; i++)
                assert_true(got.r.y[i] == i);
            result_free(&got);
        }
        close(fd);
        result_free(&ref);
    }

    /* done fails: that part's message; an earlier part's when two fail */
    numbered_text(&b, n, -1);
    int fd = open_text(b.s, b.n, 0);
    for (int part = 0; part < MAXP; part++) {
        run_opts o = {.threads = MAXP, .piece = 512, .min_part = 1, .fail_done = part};
        result got;
        par_parse(fd, 0, b.n, NULL, &o, &got);
        assert_false(got.ok);
        char want[64];
        snprintf(want, sizeof want, NAME ": done refused part %d", part);
        assert_string_equal(got.msg, want);
        result_free(&got);
    }
    close(fd);
    free(b.s);
}

/* Errors of detection (part 0) and of parameters: the sequential ones. */
static void test_detection_errors(void **state)
{
    (void)state;
    sbuf b = {0};
    static const size_t pieces[] = {3, 4096};
    text_params p = {.xcol = "lon", .ycol = "lat"};
    numbered_text(&b, 2000, -1);
    check_text(b.s, b.n, &p, pieces, 2, 0, "unknown names"); /* "column \"lon\" not found" */
    p = (text_params){.ycol = "t"};
    check_text(b.s + 4, b.n - 4, &p, pieces, 2, 0, "name without header");
    p = (text_params){.xcol = "0", .ycol = "5"};
    check_text(b.s, b.n, &p, pieces, 2, 0, "index out of range");
    p = (text_params){.delimiter = '\n'};
    check_text(b.s, b.n, &p, pieces, 1, 0, "bad params");

    /* a NUL byte in the detection lines: an error; further on: a bad row */
    b.n = 0;
    sb_str(&b, "1,2\n3,4\n");
    sb_put(&b, "5,\0006\n", 6);
    for (int i = 0; i < 3000; i++)
        sb_fmt(&b, "%d,%d\n", i, i);
    check_text(b.s, b.n, NULL, pieces, 2, 0, "NUL in detection");
    b.n = 0;
    for (int i = 0; i < 3000; i++) {
        sb_fmt(&b, "%d,%d\n", i, i);
        if (i == 1500)
            sb_put(&b, "\0007,8\n", 5);
    }
    check_text(b.s, b.n, NULL, pieces, 2, 0, "NUL later");
    free(b.s);
}

/* x is the row index (y only, or one numeric column): one part, exact. */
static void test_row_index_is_sequential(void **state)
{
    (void)state;
    sbuf b = {0};
    sb_str(&b, "name,v\n");
    for (int i = 0; i < 5000; i++)
        sb_str(&b, i % 50 == 7 ? "# c\nk,bad\n" : "k,1.5\n");
    static const size_t pieces[] = {700};
    assert_int_equal(check_text(b.s, b.n, NULL, pieces, 1, 0, "one numeric column"), 1);
    b.n = 0;
    for (int i = 0; i < 5000; i++)
        sb_fmt(&b, "%d %d\n", i, 2 * i);
    text_params p = {.y_only = true};
    assert_int_equal(check_text(b.s, b.n, &p, pieces, 1, 0, "y only"), 1);
    p = (text_params){.ycol = "1"};
    assert_int_equal(check_text(b.s, b.n, &p, pieces, 1, 0, "ycol alone"), 1);
    p = (text_params){0};
    assert_true(check_text(b.s, b.n, &p, pieces, 1, 0, "x and y") > 1);
    free(b.s);
}

/* w through the parts: numbers and category codes in parallel, category
 * labels in one part (numbered by first appearance in the file); rows,
 * stats and labels as the sequential parser's. */
static void test_w_columns(void **state)
{
    (void)state;
    uint64_t rs = 99;
    static const char *kinds[] = {"red", "\"dark, red\"", "blue", " green ", "\"\"", "teal",
                                  "x y", "7.5"};
    static const size_t pieces[] = {5, 700};
    sbuf b = {0};
    for (int it = 0; it < 6; it++) {
        b.n = 0;
        sb_str(&b, "lon,lat,code,kind,val\n");
        int n = 3000 + (int)rnd(&rs, 2000);
        for (int i = 0; i < n; i++) {
            if (rnd(&rs, 200) == 0)
                sb_str(&b, "# c\n");
            int code = (int)rnd(&rs, 12);
            /* kinds beyond the first 4 only later, so labels keep coming */
            const char *kind = kinds[rnd(&rs, i < 1000 ? 4 : 8)];
            if (rnd(&rs, 300) == 0)
                sb_fmt(&b, "%d.5,%d,,%s,oops\n", i, -i, kind);
            else if (rnd(&rs, 300) == 0)
                sb_fmt(&b, "%d.5,%d\n", i, -i);
            else
                sb_fmt(&b, "%d.5,%d,%d,%s,%g\n", i, -i, code, kind, tu_rand_unit(&rs) * 100);
        }
        text_params p = {.wcol = "val"};
        char what[64];
        snprintf(what, sizeof what, "w numbers %d", it);
        assert_true(check_text(b.s, b.n, &p, pieces, 2, 0, what) > 1);
        p = (text_params){.wcol = "2", .w_category = true};
        snprintf(what, sizeof what, "w codes %d", it);
        assert_true(check_text(b.s, b.n, &p, pieces, 2, 0, what) > 1);
        p = (text_params){.xcol = "lon", .ycol = "lat", .wcol = "kind", .w_category = true};
        snprintf(what, sizeof what, "w labels %d", it);
        assert_int_equal(check_text(b.s, b.n, &p, pieces, 2, 0, what), 1);
        result ref;
        ref_parse(b.s, b.n, &p, TEXT_PAR_PIECE, false, &ref);
        assert_true(ref.ok && ref.st.w_labels);
        assert_int_equal(ref.nlabels, 7); /* "" is an empty field, not a label */
        int dark = 0;
        for (int i = 0; i < ref.nlabels; i++)
            dark += !strcmp(ref.labels[i], "dark, red") + !strcmp(ref.labels[i], "green");
        assert_int_equal(dark, 2);
        assert_true(ref.st.skipped_rows > 0);
        result_free(&ref);
    }
    free(b.s);
}

/* Default tuning: small ranges are one part, large ones use the threads. */
static void test_default_sizes(void **state)
{
    (void)state;
    sbuf b = {0};
    int nrows = 0;
    sb_str(&b, "x,y\n");
    while (b.n < 2 * TEXT_PAR_MIN_PART + 1000)
        sb_fmt(&b, "%d.5,%d.25\n", nrows, nrows), nrows++;
    int fd = open_text(b.s, b.n, 0);
    for (int th = 1; th <= MAXP; th++) {
        int np;
        text_stats st;
        vp_err err;
        text_par_sink sink = {0};
        assert_true(text_parse_file(fd, NAME, 0, 1 << 20, NULL, th, &sink, &np, &st, &err));
        assert_int_equal(np, 1);
        assert_true(text_parse_file(fd, NAME, 0, b.n, NULL, th, &sink, &np, &st, &err));
        assert_int_equal(np, th > 2 ? 2 : th);
        assert_int_equal(st.data_rows, nrows);
        assert_int_equal(st.lines, nrows + 1);
    }
    close(fd);
    free(b.s);
}

/* A line longer than TEXT_MAX_LINE in a later part: the error names its line
 * in the file, as the sequential parser does. With 16 parts of the range, the
 * long line (three quarters of it) begins in a later part. */
static void test_long_line_later_part(void **state)
{
    (void)state;
    sbuf b = {0};
    int n = 0;
    while (b.n < (TEXT_MAX_LINE >> 2))
        sb_fmt(&b, "%d,%d\n", n, n), n++;
    size_t longn = TEXT_MAX_LINE + 10;
    char *big = malloc(longn);
    assert_non_null(big);
    memset(big, '7', longn);
    big[0] = '1';
    big[1] = ',';
    sb_put(&b, big, longn);
    free(big);
    sb_str(&b, "\n1,2\n");
    result ref;
    ref_parse(b.s, b.n, NULL, TEXT_PAR_PIECE, false, &ref);
    assert_false(ref.ok);
    char want[128];
    snprintf(want, sizeof want, NAME ": line %d is longer", n + 1);
    assert_true(strncmp(ref.msg, want, strlen(want)) == 0);
    int fd = open_text(b.s, b.n, 0);
    text_par_sink sink = {0};
    text_par_tuning tune = {0, 1};
    int np;
    text_stats st;
    vp_err err;
    assert_false(text_parse_file_tuned(fd, NAME, 0, b.n, NULL, 16, &tune, &sink, &np, &st, &err));
    assert_true(np > 2);
    assert_string_equal(err.msg, ref.msg);
    close(fd);
    result_free(&ref);
    free(b.s);
}

/* A range past the file's end: "truncated while being read", in any part. */
static void test_truncated(void **state)
{
    (void)state;
    sbuf b = {0};
    numbered_text(&b, 3000, -1);
    int fd = open_text(b.s, b.n, 10);
    for (int th = 1; th <= MAXP; th++) {
        run_opts o = {.threads = th, .piece = 1000, .min_part = 1, .fail_done = -1};
        result got;
        par_parse(fd, 10, b.n + 5, NULL, &o, &got);
        assert_false(got.ok);
        assert_non_null(strstr(got.msg, NAME ": the file was truncated while being read"));
        result_free(&got);
    }
    close(fd);
    free(b.s);
}

int main(void)
{
    g_dir = tu_tmpdir("test_text_par");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generated),
        cmocka_unit_test(test_every_prefix),
        cmocka_unit_test(test_first_bad_in_part_2),
        cmocka_unit_test(test_sink_errors),
        cmocka_unit_test(test_detection_errors),
        cmocka_unit_test(test_row_index_is_sequential),
        cmocka_unit_test(test_w_columns),
        cmocka_unit_test(test_default_sizes),
        cmocka_unit_test(test_long_line_later_part),
        cmocka_unit_test(test_truncated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
