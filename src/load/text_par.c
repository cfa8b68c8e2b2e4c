#include "load/text_par.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Why it is exact:
 * - Parts begin just after a '\n', so every line is whole in one part, and a
 *   line's rows depend only on the line and the decided format (text.h: quoted
 *   fields never span lines; a '\r' before '\n' stays with its line; a BOM
 *   counts only at byte 0, which is part 0's).
 * - The format is what part 0's parser decided from the file's first lines;
 *   the split points lie after the bytes it needed for that, so part 0 is
 *   exactly the sequential parser's start.
 * - A later part's parser gets that format by being fed a made-up start first:
 *   a header line (the decided column names, quoted, at the chosen indices)
 *   and one data row of zeros, with the delimiter given and the columns given
 *   as indices. Its detection is then over after those two lines, so the
 *   part's own lines are never taken for a header nor checked as detection
 *   lines (NUL bytes, a short first row meaning "column out of range"), and a
 *   bad row's message names the column as the sequential parser's does. The
 *   made-up rows go to no sink; their lines and row are taken off the counts.
 * text.h offers no way to create a parser with a decided format; this keeps
 * text.c as it is, at the cost of depending on its detection rules (checked
 * once per call on a trial parser: any difference means one part). */

#define SYNTH_LINES 2u /* the made-up header and data row */
#define SYNTH_ROWS 1u

typedef enum fail_kind { FAIL_PARSE = 1, FAIL_OTHER } fail_kind;

typedef struct par par;

typedef struct part {
    par *par;
    int idx;
    uint64_t start, end, pos; /* absolute file offsets; pos = next byte to read */
    text_parser *t;
    char *buf;
    bool ok;                  /* parsed to its end, done() called */
    fail_kind failed;
    bool started;             /* a thread of its own runs it */
    pthread_t th;
    text_stats st;            /* when ok */
    vp_err err;
} part;

struct par {
    int fd;
    const char *name;
    size_t piece;
    const text_par_sink *sink;
    const time_zone *tz;   /* text_params.tz, for a time x in ISO text */
    atomic_int failed_min; /* the lowest part that failed; INT_MAX: none */
};

static bool read_exact(const par *pr, char *buf, size_t n, uint64_t at, uint64_t range_end,
                       vp_err *err)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(pr->fd, buf + got, n - got, (off_t)(at + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return vp_err_set(err, "%s: read error: %s", pr->name, strerror(errno));
        if (r == 0)
            return vp_err_set(err, "%s: the file was truncated while being read (it ended at byte "
                                   "%" PRIu64 ", before byte %" PRIu64 "); render it again once "
                                   "it is complete, or use --follow",
                              pr->name, at + got, range_end);
        got += (size_t)r;
    }
    return true;
}

static bool part_emit(void *ctx, const double *x, const double *y, const double *w, size_t n,
                      vp_err *err)
{
    part *pt = ctx;
    const text_par_sink *s = pt->par->sink;
    if (!s->emit(s->ctx, pt->idx, x, y, w, n, err)) {
        pt->failed = FAIL_OTHER;
        return false;
    }
    return true;
}

static bool part_brk(void *ctx, vp_err *err)
{
    part *pt = ctx;
    const text_par_sink *s = pt->par->sink;
    if (!s->brk(s->ctx, pt->idx, err)) {
        pt->failed = FAIL_OTHER;
        return false;
    }
    return true;
}

static void note_failure(part *pt, fail_kind kind)
{
    if (!pt->failed)
        pt->failed = kind;
    int cur = atomic_load(&pt->par->failed_min);
    while (pt->idx < cur && !atomic_compare_exchange_weak(&pt->par->failed_min, &cur, pt->idx)) {
    }
}

/* Reads and parses the next piece of the part. */
static bool part_step(part *pt, const text_sink *s)
{
    uint64_t left = pt->end - pt->pos;
    size_t n = left < pt->par->piece ? (size_t)left : pt->par->piece;
    if (!read_exact(pt->par, pt->buf, n, pt->pos, pt->end, &pt->err)) {
        note_failure(pt, FAIL_OTHER);
        return false;
    }
    pt->pos += n;
    if (!text_parser_feed(pt->t, pt->buf, n, s, &pt->err)) {
        note_failure(pt, FAIL_PARSE);
        return false;
    }
    return true;
}

static text_sink part_sink(part *pt)
{
    const text_par_sink *s = pt->par->sink;
    return (text_sink){s->emit ? part_emit : NULL, pt, s->brk ? part_brk : NULL};
}

/* The rest of the part, from pt->pos. Stops early (neither ok nor failed)
 * when an earlier part failed: nothing after that can matter. */
static void part_run(part *pt)
{
    par *pr = pt->par;
    text_sink s = part_sink(pt);
    while (pt->pos < pt->end) {
        if (atomic_load_explicit(&pr->failed_min, memory_order_relaxed) < pt->idx)
            return;
        if (!part_step(pt, &s))
            return;
    }
    if (!text_parser_finish(pt->t, &s, &pt->err)) {
        note_failure(pt, FAIL_PARSE);
        return;
    }
    text_parser_stats(pt->t, &pt->st);
    if (pr->sink->done && !pr->sink->done(pr->sink->ctx, pt->idx, &pt->err)) {
        note_failure(pt, FAIL_OTHER);
        return;
    }
    pt->ok = true;
}

static void *part_thread(void *arg)
{
    part_run(arg);
    return NULL;
}

/* ---- the made-up start of a later part ------------------------------------ */

/* '"' + s with '"' doubled + '"' */
static size_t put_quoted(char *d, const char *s)
{
    size_t k = 0;
    d[k++] = '"';
    for (; *s; s++) {
        if (*s == '"')
            d[k++] = '"';
        d[k++] = *s;
    }
    d[k++] = '"';
    return k;
}

static int max_col(const text_stats *f)
{
    int m = f->xcol > f->ycol ? f->xcol : f->ycol;
    return f->wcol > m ? f->wcol : m;
}

static char *synth_prefix(const text_stats *f, size_t *len)
{
    int maxcol = max_col(f);
    size_t cap = (size_t)(maxcol + 1) * 8 + 3 * (2 * sizeof f->xname + 2) + 4;
    char *b = malloc(cap);
    if (!b)
        return NULL;
    size_t k = 0;
    for (int i = 0; i <= maxcol; i++) {
        if (i)
            b[k++] = f->delimiter;
        k += put_quoted(b + k, i == f->ycol ? f->yname : i == f->xcol ? f->xname
                               : i == f->wcol ? f->wname : "");
    }
    b[k++] = '\n';
    for (int i = 0; i <= maxcol; i++) {
        if (i)
            b[k++] = f->delimiter;
        /* an x of ISO times gets an instant (a number is not one) */
        const char *zero = i == f->xcol && f->x_iso ? "\"1970-01-01\"" : "\"0\"";
        memcpy(b + k, zero, strlen(zero));
        k += strlen(zero);
    }
    b[k++] = '\n';
    *len = k;
    return b;
}

/* A parser that has read the made-up start and agrees with part 0's format
 * in every way that shows in later lines; NULL (err set) on no memory, NULL
 * with *differs set when it disagrees. */
static text_parser *later_parser(const par *pr, const text_stats *f, const char *prefix, size_t plen,
                                 bool *differs, vp_err *err)
{
    char xs[16], ys[16], ws[16];
    snprintf(xs, sizeof xs, "%d", f->xcol);
    snprintf(ys, sizeof ys, "%d", f->ycol);
    snprintf(ws, sizeof ws, "%d", f->wcol);
    /* category codes are numbers: a later part reads them as any w */
    text_params q = {.delimiter = f->delimiter, .xcol = xs, .ycol = ys,
                     .header = TEXT_HEADER_YES, .wcol = f->wcol >= 0 ? ws : NULL,
                     /* a time x: part 0's kind and origin */
                     .x_time = text_xtime_decided(f),
                     .tz = pr->tz, .x_origin_given = f->x_unit_ns != 0, .x_origin = f->x_origin};
    text_parser *t = NULL;
    *differs = false;
    if (!text_parser_create(&q, &t, err))
        return NULL;
    vp_err e2;
    if (!text_parser_feed(t, prefix, plen, NULL, &e2)) {
        text_parser_destroy(t);
        *differs = true;
        return NULL;
    }
    text_stats s;
    text_parser_stats(t, &s);
    if (!s.detected || s.delimiter != f->delimiter || !s.header || s.header_line != 1 ||
        s.xcol != f->xcol || s.ycol != f->ycol || s.wcol != f->wcol || s.lines != SYNTH_LINES ||
        s.data_rows != SYNTH_ROWS || s.skipped_rows || s.comment_lines || s.blank_lines ||
        strcmp(s.xname, f->xname) || strcmp(s.yname, f->yname) || strcmp(s.wname, f->wname) ||
        s.x_unit_ns != f->x_unit_ns || s.x_iso != f->x_iso || s.x_origin != f->x_origin) {
        text_parser_destroy(t);
        *differs = true;
        return NULL;
    }
    return t;
}

/* ---- planning ----------------------------------------------------------------- */

/* The offset of the first '\n' in [from, end), or end when there is none. */
static bool find_newline(const par *pr, char *buf, uint64_t from, uint64_t end, uint64_t *at,
                         vp_err *err)
{
    while (from < end) {
        uint64_t left = end - from;
        size_t n = left < pr->piece ? (size_t)left : pr->piece;
        if (!read_exact(pr, buf, n, from, end, err))
            return false;
        const char *nl = memchr(buf, '\n', n);
        if (nl) {
            *at = from + (uint64_t)(nl - buf);
            return true;
        }
        from += n;
    }
    *at = end;
    return true;
}

/* Cuts [parts[0].pos, end) into at most `want` parts and makes their parsers;
 * *n = the parts (1: part 0 alone). False only on a read error or no memory. */
static bool plan(par *pr, part *parts, int want, const text_stats *f, int *n, vp_err *err)
{
    *n = 1;
    part *p0 = &parts[0];
    const uint64_t end = p0->end, P = p0->pos, R = end - P;
    int maxcol = max_col(f);
    if (want < 2 || !f->detected || f->xcol < 0 || f->w_labels || maxcol > TEXT_PAR_MAX_COL ||
        P >= end)
        return true;
    size_t plen;
    char *prefix = synth_prefix(f, &plen);
    if (!prefix)
        return vp_err_set(err, "%s: out of memory", pr->name);
    bool differs;
    text_parser *trial = later_parser(pr, f, prefix, plen, &differs, err);
    if (!trial) {
        free(prefix);
        return differs ? true : vp_err_prefix(err, "%s", pr->name);
    }
    text_parser_destroy(trial);

    int k = 1;
    uint64_t lo = P - 1; /* P > parts[0].start: detection has read something */
    for (; k < want; k++) {
        uint64_t nominal = P + R / (uint64_t)want * (uint64_t)k;
        uint64_t from = nominal - 1 > lo ? nominal - 1 : lo, at;
        if (!find_newline(pr, p0->buf, from, end, &at, err)) {
            free(prefix);
            return false;
        }
        if (at + 1 >= end)
            break; /* no line starts after here: fewer parts */
        part *pt = &parts[k];
        pt->start = pt->pos = at + 1;
        pt->end = end;
        parts[k - 1].end = pt->start;
        lo = pt->start;
        pt->buf = malloc(pr->piece);
        pt->t = pt->buf ? later_parser(pr, f, prefix, plen, &differs, err) : NULL;
        if (!pt->t) {
            free(prefix);
            if (!pt->buf)
                return vp_err_set(err, "%s: out of memory", pr->name);
            if (differs) /* cannot be: the trial agreed */
                return vp_err_set(err, "%s: internal error: text parts disagree", pr->name);
            return vp_err_prefix(err, "%s", pr->name);
        }
    }
    free(prefix);
    *n = k;
    return true;
}

/* ---- the result --------------------------------------------------------------- */

static uint64_t part_lines(const part *pt)
{
    return pt->idx ? pt->st.lines - SYNTH_LINES : pt->st.lines;
}

static void merge_stats(const part *parts, int n, text_stats *out)
{
    *out = parts[0].st;
    for (int k = 1; k < n; k++) {
        const text_stats *s = &parts[k].st;
        if (!out->first_bad_line && s->first_bad_line) {
            out->first_bad_line = s->first_bad_line - SYNTH_LINES + out->lines;
            memcpy(out->first_bad_text, s->first_bad_text, sizeof out->first_bad_text);
            memcpy(out->first_bad_why, s->first_bad_why, sizeof out->first_bad_why);
        }
        out->lines += part_lines(&parts[k]);
        out->data_rows += s->data_rows - SYNTH_ROWS;
        out->skipped_rows += s->skipped_rows;
        out->comment_lines += s->comment_lines;
        out->blank_lines += s->blank_lines;
    }
}

/* A later part's parser counts lines from its made-up start: "line N ..."
 * (text.c's messages that name a line begin so) gets the file's number. */
static void fix_line_number(vp_err *err, uint64_t before)
{
    const char *m = err->msg;
    if (strncmp(m, "line ", 5) != 0)
        return;
    char *e;
    errno = 0;
    unsigned long long local = strtoull(m + 5, &e, 10);
    if (e == m + 5 || errno || local <= SYNTH_LINES)
        return;
    char num[32];
    int k = snprintf(num, sizeof num, "line %" PRIu64, (uint64_t)local - SYNTH_LINES + before);
    size_t rest = strlen(e), cap = sizeof err->msg - 1 - (size_t)k;
    if (rest > cap)
        rest = cap;
    memmove(err->msg + k, e, rest);
    err->msg[(size_t)k + rest] = 0;
    memcpy(err->msg, num, (size_t)k);
}

bool text_parse_file_tuned(int fd, const char *name, uint64_t off, uint64_t len,
                           const text_params *p, int threads, const text_par_tuning *tune,
                           const text_par_sink *sink, int *nparts, text_stats *st, vp_err *err)
{
    static const text_par_sink no_sink = {0};
    *nparts = 1;
    if (!sink)
        sink = &no_sink;
    if (threads < 1)
        threads = 1;
    if (threads > TEXT_PAR_MAX_PARTS)
        threads = TEXT_PAR_MAX_PARTS;
    uint64_t min_part = tune && tune->min_part_bytes ? tune->min_part_bytes : TEXT_PAR_MIN_PART;
    par pr = {.fd = fd, .name = name, .sink = sink, .tz = p ? p->tz : NULL,
              .piece = tune && tune->piece_bytes ? tune->piece_bytes : TEXT_PAR_PIECE};
    atomic_init(&pr.failed_min, INT_MAX);
    part *parts = calloc((size_t)threads, sizeof *parts);
    if (!parts)
        return vp_err_set(err, "%s: out of memory", name);
    for (int k = 0; k < threads; k++)
        parts[k] = (part){.par = &pr, .idx = k};
    part *p0 = &parts[0];
    p0->start = p0->pos = off;
    p0->end = off + len;
    int n = 1;
    bool ok = false;
    p0->buf = malloc(pr.piece);
    if (!p0->buf) {
        vp_err_set(err, "%s: out of memory", name);
        goto out;
    }
    if (!text_parser_create(p, &p0->t, err)) {
        vp_err_prefix(err, "%s", name);
        goto out;
    }

    /* Part 0 on this thread until the format is decided. */
    text_sink s0 = part_sink(p0);
    text_stats f;
    text_parser_stats(p0->t, &f);
    while (p0->pos < p0->end && !f.detected) {
        if (!part_step(p0, &s0))
            break;
        text_parser_stats(p0->t, &f);
    }
    if (!p0->failed) {
        uint64_t want = len / min_part;
        if (!plan(&pr, parts, want < (uint64_t)threads ? (int)want : threads, &f, &n, err))
            goto out;
        for (int k = 1; k < n; k++)
            parts[k].started = pthread_create(&parts[k].th, NULL, part_thread, &parts[k]) == 0;
        part_run(p0);
        for (int k = 1; k < n; k++) /* no thread could be had for it: here, in order */
            if (!parts[k].started)
                part_run(&parts[k]);
        for (int k = 1; k < n; k++)
            if (parts[k].started)
                pthread_join(parts[k].th, NULL);
    }

    int bad = atomic_load(&pr.failed_min);
    if (bad != INT_MAX) {
        *err = parts[bad].err;
        if (bad > 0 && parts[bad].failed == FAIL_PARSE) {
            uint64_t before = 0;
            for (int k = 0; k < bad; k++)
                before += part_lines(&parts[k]);
            fix_line_number(err, before);
        }
        if (strncmp(err->msg, name, strlen(name)) != 0)
            vp_err_prefix(err, "%s", name);
    } else {
        merge_stats(parts, n, st);
        ok = true;
        const char *const *labels;
        int nl = text_parser_labels(p0->t, &labels);
        if (st->w_labels && sink->labels && !sink->labels(sink->ctx, labels, nl, err)) {
            ok = false;
            if (strncmp(err->msg, name, strlen(name)) != 0)
                vp_err_prefix(err, "%s", name);
        }
    }
out:
    *nparts = n;
    for (int k = 0; k < threads; k++) {
        text_parser_destroy(parts[k].t);
        free(parts[k].buf);
    }
    free(parts);
    return ok;
}

bool text_parse_file(int fd, const char *name, uint64_t off, uint64_t len, const text_params *p,
                     int threads, const text_par_sink *sink, int *nparts, text_stats *st,
                     vp_err *err)
{
    return text_parse_file_tuned(fd, name, off, len, p, threads, NULL, sink, nparts, st, err);
}
