/* Fuzzes the text sample parser (load/text.c) two ways:
 *  - the stream: the same bytes fed whole and fed in pieces of random size
 *    (empty ones included) must give the same outcome, the same rows bit for
 *    bit and the same stats; batches are 1..TEXT_BATCH rows, the row count is
 *    the stats' data_rows, and x is the row index in y-only mode;
 *  - the numbers: text_parse_double at the start of each token is compared
 *    with strtod (glibc, C locale), which the header promises it equals bit
 *    for bit, on exactly the bytes it consumed, and in length too wherever
 *    strtod's grammar and its own agree (no hex, no "nan(...)").
 *
 * Also: a sink that fails stops the parser for good; feeding after the end
 * is refused; text_sniff and the file-name/option helpers take anything.
 *
 * Input: FUZZ_TEXT_PARAM_BYTES bytes of parameters, then the text.
 *   [0] format (0..3 valid; 4 = TEXT_NOT_TEXT, refused)   [1] delimiter choice
 *   [2] xcol choice   [3] ycol choice (NULL, indices, names, "", blanks)
 *   [4] bit 0 y_only, bits 1-2 header mode (3: invalid), bit 3 also run with
 *       a sink that fails, bit 4 NULL params (the defaults), bits 5-7: a w
 *       column (0-3 none; else one of the column choices, a category when
 *       odd: labels must number alike however the bytes arrive)
 *   [5..7] seed of the piece sizes; bits 5-7 of [7]: the largest piece */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* CMake defines it too */
#endif
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "load/text.h"

#define FUZZ_TEXT_PARAM_BYTES 8

typedef struct rows {
    double *x, *y, *w;
    size_t n, cap;
    int calls, fail_at; /* fail_at > 0: the fail_at-th call fails */
    int batches, w_calls; /* calls; those that came with w */
} rows;

#define SINK_FAILED "fuzz sink: refused"

static bool collect(void *ctx, const double *x, const double *y, const double *w, size_t n,
                    vp_err *err)
{
    rows *r = ctx;
    FUZZ_CHECK(n >= 1 && n <= TEXT_BATCH);
    r->batches++;
    r->w_calls += w != NULL;
    if (r->fail_at && ++r->calls == r->fail_at)
        return vp_err_set(err, SINK_FAILED);
    if (r->n + n > r->cap) {
        size_t cap = r->cap ? r->cap : 256;
        while (cap < r->n + n)
            cap *= 2;
        double *nx = realloc(r->x, cap * sizeof *nx);
        FUZZ_CHECK(nx != NULL);
        r->x = nx;
        double *ny = realloc(r->y, cap * sizeof *ny);
        FUZZ_CHECK(ny != NULL);
        r->y = ny;
        double *nw = realloc(r->w, cap * sizeof *nw);
        FUZZ_CHECK(nw != NULL);
        r->w = nw;
        r->cap = cap;
    }
    memcpy(r->x + r->n, x, n * sizeof *x);
    memcpy(r->y + r->n, y, n * sizeof *y);
    if (w)
        memcpy(r->w + r->n, w, n * sizeof *w);
    else
        memset(r->w + r->n, 0, n * sizeof *w);
    r->n += n;
    return true;
}

typedef struct outcome {
    bool ok;
    vp_err err;
    rows r;
    text_stats st;
    int nlabels;
    char labels[TEXT_MAX_LABELS][TEXT_LABEL_BYTES + 1];
} outcome;

static uint32_t rng_next(uint32_t *s)
{
    uint32_t x = *s; /* xorshift32; never seeded with 0 */
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *s = x;
}

/* Parses text with a fresh parser; piece_max 0 = all in one feed. */
static void run(const text_params *p, const char *text, size_t len, size_t piece_max,
                uint32_t seed, int sink_fail_at, outcome *o)
{
    memset(o, 0, sizeof *o);
    o->r.fail_at = sink_fail_at;
    text_parser *t = NULL;
    text_sink sink = {collect, &o->r, NULL};
    if (!text_parser_create(p, &t, &o->err)) {
        FUZZ_CHECK(t == NULL);
        fuzz_check_err(&o->err);
        return;
    }
    bool ok = true;
    if (!piece_max) {
        ok = text_parser_feed(t, text, len, &sink, &o->err);
    } else {
        size_t off = 0;
        while (ok && off < len) {
            size_t n = rng_next(&seed) % (piece_max + 1); /* 0 too: an empty feed */
            if (n > len - off)
                n = len - off;
            ok = text_parser_feed(t, n ? text + off : NULL, n, &sink, &o->err);
            off += n;
        }
    }
    if (ok)
        ok = text_parser_finish(t, &sink, &o->err);
    text_parser_stats(t, &o->st);
    const char *const *lab;
    o->nlabels = text_parser_labels(t, &lab);
    FUZZ_CHECK(o->nlabels >= 0 && o->nlabels <= TEXT_MAX_LABELS);
    for (int i = 0; i < o->nlabels; i++) {
        FUZZ_CHECK(strlen(lab[i]) <= TEXT_LABEL_BYTES);
        memcpy(o->labels[i], lab[i], strlen(lab[i]) + 1);
    }
    o->ok = ok;
    if (!ok)
        fuzz_check_err(&o->err);
    /* After the end, or after an error, nothing more is taken. */
    vp_err late;
    memset(&late, 0, sizeof late);
    FUZZ_CHECK(!text_parser_feed(t, "1 2\n", 4, &sink, &late));
    fuzz_check_err(&late);
    memset(&late, 0, sizeof late);
    FUZZ_CHECK(!text_parser_finish(t, &sink, &late));
    fuzz_check_err(&late);
    text_parser_destroy(t);
}

static bool same_stats(const text_stats *a, const text_stats *b)
{
    return a->lines == b->lines && a->data_rows == b->data_rows &&
           a->skipped_rows == b->skipped_rows && a->comment_lines == b->comment_lines &&
           a->blank_lines == b->blank_lines && a->first_bad_line == b->first_bad_line &&
           strcmp(a->first_bad_text, b->first_bad_text) == 0 &&
           strcmp(a->first_bad_why, b->first_bad_why) == 0 && a->detected == b->detected &&
           a->delimiter == b->delimiter && a->header == b->header &&
           a->header_line == b->header_line && a->xcol == b->xcol && a->ycol == b->ycol &&
           strcmp(a->xname, b->xname) == 0 && strcmp(a->yname, b->yname) == 0 &&
           a->wcol == b->wcol && strcmp(a->wname, b->wname) == 0 &&
           a->w_labels == b->w_labels && a->labels == b->labels;
}

static void check_stats(const text_stats *s)
{
    FUZZ_CHECK(memchr(s->first_bad_text, 0, sizeof s->first_bad_text));
    FUZZ_CHECK(memchr(s->first_bad_why, 0, sizeof s->first_bad_why));
    FUZZ_CHECK(memchr(s->xname, 0, sizeof s->xname));
    FUZZ_CHECK(memchr(s->yname, 0, sizeof s->yname));
    FUZZ_CHECK(memchr(s->wname, 0, sizeof s->wname));
    FUZZ_CHECK(s->labels >= 0 && s->labels <= TEXT_MAX_LABELS && (s->w_labels || !s->labels));
    FUZZ_CHECK((s->first_bad_line == 0) == (s->skipped_rows == 0));
}

/* ---- numbers -------------------------------------------------------------------- */

static bool same_double(double a, double b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    return memcmp(&a, &b, sizeof a) == 0; /* tells -0 from +0 */
}

/* Every byte strtod could take after leading blanks: digits, letters (inf,
 * nan, e, hex), '.', signs, and '(' ')' '_' of "nan(chars)". */
static bool strtod_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           c == '.' || c == '+' || c == '-' || c == '_' || c == '(' || c == ')';
}

/* s: a run of strtod_char bytes (all of it: strtod would stop at its end),
 * then the rest of the text (text_parse_double may look at len bytes). */
static void check_number_at(const char *s, size_t run, size_t len)
{
    double v = 12345.0;
    size_t n = text_parse_double(s, len, &v);
    FUZZ_CHECK(n <= len);
    if (n == 0)
        FUZZ_CHECK(v == 12345.0); /* untouched */
    FUZZ_CHECK(n <= run);          /* a number is made of strtod_char bytes */
    char *c = malloc(run + 1);
    FUZZ_CHECK(c != NULL);
    if (n) {
        /* strtod on exactly the bytes consumed takes them all, same value. */
        memcpy(c, s, n);
        c[n] = '\0';
        char *end;
        double r = strtod(c, &end);
        FUZZ_CHECK(end == c + n);
        FUZZ_CHECK(same_double(v, r));
    }
    /* The longest prefix: strtod's length too, where the grammars agree
     * (strtod also reads hex floats and "nan(chars)"). */
    memcpy(c, s, run);
    c[run] = '\0';
    char *end;
    double r = strtod(c, &end);
    size_t m = (size_t)(end - c);
    bool comparable = true;
    for (size_t i = 0; i < m; i++)
        if (c[i] == 'x' || c[i] == 'X' || c[i] == '(')
            comparable = false;
    free(c);
    if (comparable) {
        FUZZ_CHECK(n == m);
        if (m)
            FUZZ_CHECK(same_double(v, r));
    }
}

/* At the start of every run of strtod_char bytes (at most 256 of them). */
static void check_numbers(const char *text, size_t len)
{
    int checked = 0;
    for (size_t i = 0; i < len && checked < 256;) {
        if (!strtod_char(text[i])) {
            i++;
            continue;
        }
        size_t run = 0;
        while (i + run < len && strtod_char(text[i + run]))
            run++;
        check_number_at(text + i, run, len - i);
        checked++;
        i += run;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < FUZZ_TEXT_PARAM_BYTES || size > FUZZ_MAX_INPUT)
        return 0;
    const uint8_t *q = data;
    const char *text = (const char *)data + FUZZ_TEXT_PARAM_BYTES;
    size_t len = size - FUZZ_TEXT_PARAM_BYTES;

    static const char delims[] = {0, 0, 0, ' ', ',', ';', '|', '\t', '.', '-', '\n', 'e', '1', ':'};
    static const char *const cols[] = {NULL, NULL,  "0",   "1",    "2",        "3",
                                       "x",  "y",   "lat", "LAT",  "",         "10",
                                       " 1\t", "lat ", " ",   "007", "12345678", "-1"};
    text_params p;
    memset(&p, 0, sizeof p);
    p.format = (text_format)(q[0] % 5);
    p.delimiter = delims[q[1] % sizeof delims];
    p.xcol = cols[q[2] % (sizeof cols / sizeof cols[0])];
    p.ycol = cols[q[3] % (sizeof cols / sizeof cols[0])];
    p.y_only = q[4] & 1;
    p.header = (text_header)(q[4] >> 1 & 3);
    unsigned wsel = q[4] >> 5;
    if (wsel >= 4) {
        p.wcol = cols[(q[2] + q[3] + wsel) % (sizeof cols / sizeof cols[0])];
        p.w_category = wsel & 1;
    }
    const text_params *pp = (q[4] & 0x10) ? NULL : &p;
    uint32_t seed = (uint32_t)q[5] | (uint32_t)q[6] << 8 | (uint32_t)q[7] << 16 | 1u << 24;
    static const size_t piece_max[] = {1, 2, 3, 7, 16, 64, 1000, 70000};
    size_t pm = piece_max[q[7] >> 5];

    outcome whole, pieces;
    run(pp, text, len, 0, seed, 0, &whole);
    run(pp, text, len, pm, seed, 0, &pieces);

    /* How the bytes arrive must not matter. */
    FUZZ_CHECK(whole.ok == pieces.ok);
    if (whole.ok) {
        check_stats(&whole.st);
        FUZZ_CHECK(same_stats(&whole.st, &pieces.st));
        FUZZ_CHECK(whole.r.n == pieces.r.n);
        FUZZ_CHECK(whole.st.data_rows == whole.r.n);
        if (whole.r.n) {
            FUZZ_CHECK(memcmp(whole.r.x, pieces.r.x, whole.r.n * sizeof(double)) == 0);
            FUZZ_CHECK(memcmp(whole.r.y, pieces.r.y, whole.r.n * sizeof(double)) == 0);
            FUZZ_CHECK(memcmp(whole.r.w, pieces.r.w, whole.r.n * sizeof(double)) == 0);
        }
        /* w with every batch exactly when a w column was chosen */
        FUZZ_CHECK(whole.r.w_calls == (pp && pp->wcol ? whole.r.batches : 0));
        FUZZ_CHECK(pieces.r.w_calls == (pp && pp->wcol ? pieces.r.batches : 0));
        FUZZ_CHECK(whole.nlabels == pieces.nlabels && whole.nlabels == whole.st.labels);
        for (int i = 0; i < whole.nlabels; i++)
            FUZZ_CHECK(strcmp(whole.labels[i], pieces.labels[i]) == 0);
        if (whole.st.w_labels) /* label numbers, each one seen */
            for (size_t i = 0; i < whole.r.n; i++)
                FUZZ_CHECK(whole.r.w[i] >= 0 && whole.r.w[i] < whole.nlabels &&
                           whole.r.w[i] == floor(whole.r.w[i]));
        if (whole.st.detected && whole.st.xcol == -1) {
            for (size_t i = 0; i < whole.r.n; i++) {
                FUZZ_CHECK(whole.r.x[i] >= 0 && whole.r.x[i] == floor(whole.r.x[i]));
                FUZZ_CHECK(i == 0 || whole.r.x[i] > whole.r.x[i - 1]);
            }
        }
    }
    /* A sink that refuses stops everything, with its own message. */
    if ((q[4] & 0x08) && whole.ok && whole.r.n) {
        outcome refused;
        int fail_at = 1 + (int)(q[5] % 3);
        run(pp, text, len, pm, seed, fail_at, &refused);
        if (refused.r.calls >= fail_at) {
            FUZZ_CHECK(!refused.ok);
            FUZZ_CHECK(strstr(refused.err.msg, SINK_FAILED) != NULL);
        }
        free(refused.r.x);
        free(refused.r.y);
        free(refused.r.w);
    }
    free(whole.r.x);
    free(whole.r.y);
    free(whole.r.w);
    free(pieces.r.x);
    free(pieces.r.y);
    free(pieces.r.w);

    (void)text_sniff(text, len);
    /* The first line as a file name and as a --format value. */
    char name[256];
    size_t nl = 0;
    while (nl < len && nl < sizeof name - 1 && text[nl] != '\n' && text[nl] != '\0')
        nl++;
    memcpy(name, text, nl);
    name[nl] = '\0';
    text_format f = text_format_from_name(name);
    FUZZ_CHECK((unsigned)f <= TEXT_NOT_TEXT);
    if (text_format_from_option(name, &f))
        FUZZ_CHECK((unsigned)f < TEXT_NOT_TEXT);
    check_numbers(text, len);
    return 0;
}
