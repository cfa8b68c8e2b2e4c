#include "load/text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "load/numparse_inline.h"

/* ==== the parser =============================================================
 *
 * Lines are parsed in place in the caller's bytes: we look for the last '\n'
 * of a piece, and every line before it is known complete. Since each region we
 * scan ends with '\n', the field loops stop at it without bounds checks. Only
 * the part of a line that straddles two pieces is copied (into t->buf). Until
 * the format is decided, all bytes are held in t->buf and then parsed from
 * there by the same loop. */

enum {
    C_LEAD = 1,   /* skipped at a field's start: blanks, or the separator run (ws) */
    C_TRIM = 2,   /* skipped after a number: blanks (none in whitespace mode) */
    C_DELIM = 4,
    C_EOL = 8,    /* '\n' */
    C_SPACE = 16, /* ' ', '\t', '\r' whatever the mode: blank-line test */
    C_LSLOW = 32, /* a line starting with this needs a closer look */
};

typedef enum bad_kind { BAD_NONE, BAD_EMPTY, BAD_NUMBER, BAD_SHORT, BAD_LABELS, BAD_TIME } bad_kind;

/* Content lines looked at before deciding: the header and 8 data rows when the
 * columns are ours to choose (a bad value in the first row must not change the
 * choice), 2 when the user chose them; fewer once 64 KiB have been seen. The
 * sample is a property of the stream's first bytes, so where the pieces were
 * cut never changes a decision. */
#define DETECT_LINES 9
#define DETECT_BYTES ((size_t)64 << 10)

/* How far detection has looked into t->buf. */
typedef struct detect_scan {
    size_t pos;                 /* next unscanned byte */
    uint64_t line;              /* lines scanned */
    int n;                      /* content lines found */
    size_t s[DETECT_LINES], e[DETECT_LINES]; /* their bytes ('\r' excluded) */
    uint64_t lno[DETECT_LINES];
} detect_scan;

/* Open addressing over the labels' hashes: twice TEXT_MAX_LABELS slots, so
 * a lookup ends within a few probes. */
#define LABEL_SLOTS (2 * TEXT_MAX_LABELS)

struct text_parser {
    text_params p;
    char *xcol_s, *ycol_s, *wcol_s; /* owned copies behind p.xcol/p.ycol/p.wcol */
    bool ready, finished, failed;
    bool settle;             /* text_parser_settle: decide with the complete lines held */
    bool ws;                 /* fields split at runs of blanks */
    char delim;
    int xi, yi, maxcol;      /* xi = -1: x is the row index */
    int wi;                  /* w's field, -1: none */
    bool labels;             /* w's field holds labels (w_category) */
    /* x is a time (text_params.x_time): st.x_unit_ns != 0; x = instant - xorigin */
    bool xtime, xiso;
    int64_t xorigin;
    uint64_t header_line;
    char *header_text;       /* the header line's bytes, once detected (NUL-terminated) */
    uint64_t row_index;      /* data rows so far, skipped ones included */
    uint64_t brk_rows;       /* data_rows when the sink was last told a break; UINT64_MAX: never */
    unsigned char cls[256];
    char *buf;               /* held bytes: all of them before detection, then a part line */
    size_t len, cap;
    size_t nb;               /* rows in the batch */
    detect_scan det;
    text_stats st;
    /* labels: the full text (compared), the display copy (handed out) */
    int nlabels;
    char *label[TEXT_MAX_LABELS];
    size_t label_len[TEXT_MAX_LABELS];
    char *label_show[TEXT_MAX_LABELS];
    uint64_t label_hash[TEXT_MAX_LABELS];
    signed char slot[LABEL_SLOTS]; /* label index, -1: empty */
    char *lbuf;              /* an unquoted label being looked up */
    size_t lcap;
    double xb[TEXT_BATCH], yb[TEXT_BATCH], wb[TEXT_BATCH];
};

/* Every error ends the parser's use: later calls fail without touching state
 * that may be half updated. */
static bool fail(text_parser *t)
{
    t->failed = true;
    return false;
}

static bool fail_oom(text_parser *t, vp_err *err)
{
    vp_err_set(err, "out of memory");
    return fail(t);
}

static bool fail_long_line(text_parser *t, uint64_t line, vp_err *err)
{
    vp_err_set(err, "line %llu is longer than %zu MiB: not a text file?",
               (unsigned long long)line, TEXT_MAX_LINE >> 20);
    return fail(t);
}

static bool hold(text_parser *t, const char *bytes, size_t n)
{
    if (t->len + n > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;
        while (cap < t->len + n)
            cap *= 2;
        char *b = realloc(t->buf, cap);
        if (!b)
            return false;
        t->buf = b;
        t->cap = cap;
    }
    memcpy(t->buf + t->len, bytes, n);
    t->len += n;
    return true;
}

static bool flush(text_parser *t, const text_sink *sink, vp_err *err)
{
    size_t n = t->nb;
    t->nb = 0;
    if (!n || !sink || !sink->emit)
        return true;
    if (!sink->emit(sink->ctx, t->xb, t->yb, t->wi >= 0 ? t->wb : NULL, n, err))
        return fail(t);
    return true;
}

/* A '>' line or a skipped row after `rows` rows, nb of them in the batch:
 * the batch goes to the sink, then the break (once for a run of breaks). Not
 * the hot path: only for lines that are no row. */
static bool tell_break(text_parser *t, uint64_t rows, size_t *nb, const text_sink *sink, vp_err *err)
{
    if (!sink || !sink->brk || t->brk_rows == rows)
        return true;
    t->brk_rows = rows;
    t->nb = *nb;
    *nb = 0;
    if (!flush(t, sink, err))
        return false;
    if (!sink->brk(sink->ctx, err))
        return fail(t);
    return true;
}

/* Copies at most 40 bytes of [s, e) as text for a message, "..." when cut. */
static void clip_text(char *dst, size_t cap, const char *s, const char *e)
{
    size_t n = (size_t)(e - s), k = n > 40 ? 40 : n;
    if (k > cap - 4)
        k = cap - 4;
    while (k < n && k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--; /* not inside a UTF-8 character */
    for (size_t i = 0; i < k; i++) /* keep messages printable */
        dst[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
    if (k < n)
        memcpy(dst + k, "...", 4);
    else
        dst[k] = 0;
}

/* End of the field that starts at f: through a closing quote, then to the
 * separator; trailing blanks dropped. */
/* Past the field at p, to its delimiter or line end; a quoted field may hold
 * the delimiter. */
static inline const char *skip_field(const unsigned char *cls, const char *p)
{
    if (*p == '"') {
        p++;
        while (*p != '\n' && !(*p == '"' && p[1] != '"'))
            p += *p == '"' ? 2 : 1;
        if (*p == '"')
            p++;
    }
    while (!(cls[(unsigned char)*p] & (C_DELIM | C_EOL)))
        p++;
    return p;
}

static const char *field_end(const text_parser *t, const char *f)
{
    const unsigned char *cls = t->cls;
    const char *p = skip_field(cls, f);
    while (p > f && (cls[(unsigned char)p[-1]] & C_SPACE))
        p--;
    return p;
}

static void note_bad(text_parser *t, uint64_t line, const char *line_start, const char *f,
                     bad_kind kind, int col)
{
    t->st.skipped_rows++;
    if (t->st.first_bad_line)
        return;
    t->st.first_bad_line = line;
    const char *name = col == t->yi ? t->st.yname : col == t->xi ? t->st.xname
                       : col == t->wi ? t->st.wname : "";
    bool named = *name != 0;
    if (kind == BAD_LABELS) {
        clip_text(t->st.first_bad_text, sizeof t->st.first_bad_text, f, field_end(t, f));
        snprintf(t->st.first_bad_why, sizeof t->st.first_bad_why, "more than %d categories in "
                 "column %d%s%.24s%s", TEXT_MAX_LABELS, col, named ? " (" : "", name, named ? ")" : "");
        return;
    }
    const char *what = kind == BAD_EMPTY    ? "empty field"
                       : kind == BAD_NUMBER ? "not a number"
                       : kind == BAD_TIME   ? "not an ISO-8601 time"
                                            : "too few fields";
    if (kind == BAD_SHORT) {
        const char *e = line_start;
        while (*e != '\n')
            e++;
        while (e > line_start && (t->cls[(unsigned char)e[-1]] & C_SPACE))
            e--;
        clip_text(t->st.first_bad_text, sizeof t->st.first_bad_text, line_start, e);
    } else {
        clip_text(t->st.first_bad_text, sizeof t->st.first_bad_text, f, field_end(t, f));
    }
    /* the name cut to fit: a long header name must not hide the reason */
    snprintf(t->st.first_bad_why, sizeof t->st.first_bad_why, "%s %s column %d%s%.24s%s", what,
             kind == BAD_SHORT ? "for" : "in", col, named ? " (" : "", name, named ? ")" : "");
}

/* The number in a quoted field at p ('"'): returns the byte after the closing
 * quote, or NULL when the content is not exactly one number (blanks aside). */
static const char *quoted_number(const char *p, double *v)
{
    const char *c = p + 1, *close = c;
    while (*close != '"' && *close != '\n')
        close++;
    if (*close != '"' || close[1] == '"')
        return NULL; /* unterminated, or an escaped quote: not a number */
    while (c < close && (*c == ' ' || *c == '\t'))
        c++;
    const char *e = numparse_scan(c, close, v);
    if (!e)
        return NULL;
    while (e < close && (*e == ' ' || *e == '\t'))
        e++;
    return e == close ? close + 1 : NULL;
}

/* ---- x as a time --------------------------------------------------------------- */

/* [s, e) as an int64 when it is one: an optional sign and 1-19 digits. */
static bool int64_text(const char *s, const char *e, int64_t *out)
{
    bool neg = s < e && *s == '-';
    if (s < e && (*s == '-' || *s == '+'))
        s++;
    if (s == e || e - s > 19)
        return false;
    uint64_t v = 0;
    for (; s < e; s++) {
        if (*s < '0' || *s > '9')
            return false;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    if (v > (uint64_t)INT64_MAX + neg)
        return false;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

/* instant - origin as a double: exact below 2^53 (int64 arithmetic, the
 * double formed once) */
static double time_offset(int64_t instant, int64_t origin)
{
    int64_t d;
    if (__builtin_sub_overflow(instant, origin, &d))
        return (double)instant - (double)origin;
    return (double)d;
}

/* The instant in [s, e) (trimmed, unquoted) in the parser's time unit. */
static bool time_value(const text_parser *t, const char *s, const char *e, int64_t *iv, double *dv,
                       bool *is_int)
{
    *is_int = true;
    if (t->xiso)
        return time_parse_iso(s, (size_t)(e - s), t->p.tz, iv);
    if (int64_text(s, e, iv))
        return true;
    *is_int = false;
    return e > s && text_parse_double(s, (size_t)(e - s), dv) == (size_t)(e - s);
}

/* Not the hot path of plain numbers: the x field at p of a time x, as its
 * offset from the origin. Returns the byte after the field (its delimiter
 * or line end), NULL when the field is not a time. */
static const char *time_field(const text_parser *t, const char *p, double *xv)
{
    const unsigned char *cls = t->cls;
    const char *s = p, *e, *after;
    if (*p == '"') {
        const char *close = p + 1;
        while (*close != '"' && *close != '\n')
            close++;
        if (*close != '"' || close[1] == '"')
            return NULL;
        s = p + 1;
        e = close;
        after = close + 1;
        while (cls[(unsigned char)*after] & C_TRIM)
            after++;
        if (!(cls[(unsigned char)*after] & (C_DELIM | C_EOL)))
            return NULL;
    } else {
        after = e = skip_field(cls, p);
    }
    while (s < e && (*s == ' ' || *s == '\t'))
        s++;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        e--;
    int64_t iv;
    double dv;
    bool is_int;
    if (s == e || !time_value(t, s, e, &iv, &dv, &is_int))
        return NULL;
    *xv = is_int ? time_offset(iv, t->xorigin) : dv - (double)t->xorigin;
    return after;
}

/* ---- labels (w_category with labels; not the hot path) ---------------------- */

static uint64_t label_hash(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
    return h;
}

/* The quoted part of a field, from q (just after its opening quote) to the
 * closing quote or e, "" read as one ", appended at d[*k] (*k advanced);
 * returns where it stopped: after the closing quote. */
static const char *unquote(const char *q, const char *e, char *d, size_t *k)
{
    size_t n = *k;
    while (q < e) {
        if (*q == '"') {
            if (q + 1 < e && q[1] == '"') {
                d[n++] = '"';
                q += 2;
                continue;
            }
            q++;
            break;
        }
        d[n++] = *q++;
    }
    *k = n;
    return q;
}

/* d[0, k) without the blanks at its ends: [d + *lead, d + *lead + the
 * length returned). */
static size_t trim_blanks(const char *d, size_t k, size_t *lead)
{
    while (k > 0 && (d[k - 1] == ' ' || d[k - 1] == '\t' || d[k - 1] == '\r'))
        k--;
    size_t l = 0;
    while (l < k && (d[l] == ' ' || d[l] == '\t'))
        l++;
    *lead = l;
    return k - l;
}

/* The text of the label field at p (leading blanks skipped already), as
 * split_fields gives it: a quoted part unquoted ("" = "), the bytes up to
 * the separator after it, blanks at both ends dropped. *end = the
 * separator or line end. False when out of memory. */
static bool label_text(text_parser *t, const char *p, const char **s, size_t *n, const char **end)
{
    const unsigned char *cls = t->cls;
    const char *e = skip_field(cls, p);
    *end = e;
    if (*p != '"') {
        const char *b = p;
        while (e > b && (cls[(unsigned char)e[-1]] & C_SPACE))
            e--;
        *s = b;
        *n = (size_t)(e - b);
        return true;
    }
    size_t need = (size_t)(e - p) + 1;
    if (need > t->lcap) {
        char *nb = realloc(t->lbuf, need);
        if (!nb)
            return false;
        t->lbuf = nb;
        t->lcap = need;
    }
    char *d = t->lbuf;
    size_t k = 0, lead;
    const char *q = unquote(p + 1, e, d, &k);
    while (q < e)
        d[k++] = *q++;
    *n = trim_blanks(d, k, &lead);
    *s = d + lead;
    return true;
}

/* The number of label [s, s + n): found, or added while there is room; -1
 * when there is none (a label past TEXT_MAX_LABELS), -2 out of memory. */
static int label_index(text_parser *t, const char *s, size_t n)
{
    uint64_t h = label_hash(s, n);
    unsigned i = (unsigned)(h % LABEL_SLOTS);
    for (; t->slot[i] >= 0; i = (i + 1) % LABEL_SLOTS) {
        int k = t->slot[i];
        if (t->label_hash[k] == h && t->label_len[k] == n && memcmp(t->label[k], s, n) == 0)
            return k;
    }
    if (t->nlabels == TEXT_MAX_LABELS)
        return -1;
    int k = t->nlabels;
    size_t show = n;
    if (show > TEXT_LABEL_BYTES) {
        show = TEXT_LABEL_BYTES;
        while (show > 0 && ((unsigned char)s[show] & 0xC0) == 0x80)
            show--; /* not inside a UTF-8 character */
    }
    char *full = malloc(n + 1), *disp = malloc(show + 1);
    if (!full || !disp) {
        free(full);
        free(disp);
        return -2;
    }
    memcpy(full, s, n);
    full[n] = 0;
    for (size_t j = 0; j < show; j++) /* printable, like messages */
        disp[j] = (unsigned char)s[j] < 0x20 || s[j] == 0x7f ? '?' : s[j];
    disp[show] = 0;
    t->label[k] = full;
    t->label_len[k] = n;
    t->label_show[k] = disp;
    t->label_hash[k] = h;
    t->slot[i] = (signed char)k;
    t->nlabels = k + 1;
    t->st.labels = t->nlabels;
    return k;
}

#if defined(__GNUC__)
#define TEXT_INLINE static inline __attribute__((always_inline))
#else
#define TEXT_INLINE static inline
#endif

/* Hot path: parses the complete lines in [p, end); end[-1] is '\n'. One body,
 * made twice: with_w is a constant, so the two-column parser has no w code. */
TEXT_INLINE bool run_lines_body(text_parser *t, const char *p, const char *end,
                                const text_sink *sink, vp_err *err, const bool with_w)
{
    const unsigned char *cls = t->cls;
    const int xi = t->xi, yi = t->yi, maxcol = t->maxcol;
    const int wi = with_w ? t->wi : -2;
    const bool labels = with_w && t->labels;
    const bool ws = t->ws;
    const bool xtime = t->xtime;
    const uint64_t header_line = t->header_line;
    uint64_t line = t->st.lines, rows = t->st.data_rows, row_index = t->row_index;
    size_t nb = t->nb;
    bool ok = true;

    while (p < end) {
        line++;
        if (cls[(unsigned char)*p] & C_LSLOW) {
            const char *q = p;
            while (cls[(unsigned char)*q] & C_SPACE)
                q++;
            if (*q == '\n') {
                t->st.blank_lines++;
                p = q + 1;
                continue;
            }
            if (*q == '#' || *q == '>') {
                t->st.comment_lines++;
                p = (const char *)memchr(q, '\n', (size_t)(end - q)) + 1;
                if (*q == '>' && !tell_break(t, rows, &nb, sink, err)) {
                    ok = false;
                    break;
                }
                continue;
            }
        }
        if (line == header_line) {
            p = (const char *)memchr(p, '\n', (size_t)(end - p)) + 1;
            continue;
        }
        const char *ls = p;
        double xv = 0, yv = 0, wv = 0;
        bad_kind bad = BAD_NONE;
        const char *f = p;
        int col = 0;
        for (;; col++) {
            while (cls[(unsigned char)*p] & C_LEAD)
                p++;
            f = p;
            if (col == xi || col == yi || (with_w && col == wi)) {
                if (ws && *p == '\n') {
                    bad = BAD_SHORT;
                    break;
                }
                if (labels && col == wi) { /* x and y are other columns (detect) */
                    const char *s, *q;
                    size_t n;
                    if (!label_text(t, p, &s, &n, &q)) {
                        vp_err_set(err, "out of memory");
                        ok = false;
                        break;
                    }
                    if (!n) {
                        bad = BAD_EMPTY;
                        break;
                    }
                    int k = label_index(t, s, n);
                    if (k < 0) {
                        if (k == -2) {
                            vp_err_set(err, "out of memory");
                            ok = false;
                        }
                        bad = BAD_LABELS;
                        break;
                    }
                    wv = (double)k;
                    p = q;
                    goto next_field;
                }
                if (xtime && col == xi) {
                    const char *q = time_field(t, p, &xv);
                    if (!q) {
                        bad = (cls[(unsigned char)*p] & (C_DELIM | C_EOL)) || (p[0] == '"' && p[1] == '"')
                                  ? BAD_EMPTY
                                  : t->xiso ? BAD_TIME : BAD_NUMBER;
                        break;
                    }
                    p = q;
                    goto next_field;
                }
                double v;
                const char *q = *p == '"' ? quoted_number(p, &v) : numparse_scan(p, end, &v);
                if (!q) {
                    bad = (cls[(unsigned char)*p] & (C_DELIM | C_EOL)) ||
                                  (p[0] == '"' && p[1] == '"')
                              ? BAD_EMPTY
                              : BAD_NUMBER;
                    break;
                }
                p = q;
                while (cls[(unsigned char)*p] & C_TRIM)
                    p++;
                if (!(cls[(unsigned char)*p] & (C_DELIM | C_EOL))) {
                    bad = BAD_NUMBER;
                    break;
                }
                if (col == xi)
                    xv = v;
                if (col == yi)
                    yv = v;
                if (with_w && col == wi)
                    wv = v;
            } else {
                p = skip_field(cls, p);
            }
        next_field:
            if (col == maxcol)
                break;
            if (*p == '\n') {
                col++;
                bad = BAD_SHORT;
                break;
            }
            p++;
        }
        if (with_w && !ok)
            break; /* out of memory */
        if (bad) {
            t->st.lines = line;
            note_bad(t, line, ls, f, bad, col);
            if (!tell_break(t, rows, &nb, sink, err)) {
                ok = false;
                p = (const char *)memchr(p, '\n', (size_t)(end - p)) + 1;
                row_index++;
                break;
            }
        } else {
            t->xb[nb] = xi < 0 ? (double)row_index : xv;
            t->yb[nb] = yv;
            if (with_w)
                t->wb[nb] = wv;
            rows++;
            if (++nb == TEXT_BATCH) {
                t->nb = nb;
                nb = 0;
                if (!flush(t, sink, err)) {
                    ok = false;
                    p = (const char *)memchr(p, '\n', (size_t)(end - p)) + 1;
                    row_index++;
                    break;
                }
            }
        }
        row_index++;
        p = (const char *)memchr(p, '\n', (size_t)(end - p)) + 1;
    }
    t->st.lines = line;
    t->st.data_rows = rows;
    t->row_index = row_index;
    t->nb = nb;
    return ok;
}

static bool run_lines_xy(text_parser *t, const char *p, const char *end, const text_sink *sink,
                         vp_err *err)
{
    return run_lines_body(t, p, end, sink, err, false);
}

static bool run_lines_w(text_parser *t, const char *p, const char *end, const text_sink *sink,
                        vp_err *err)
{
    return run_lines_body(t, p, end, sink, err, true);
}

static bool run_lines(text_parser *t, const char *p, const char *end, const text_sink *sink,
                      vp_err *err)
{
    return t->wi >= 0 ? run_lines_w(t, p, end, sink, err) : run_lines_xy(t, p, end, sink, err);
}

/* ---- detection (rare path: the first lines) -------------------------------- */

typedef struct span {
    const char *s, *e;
} span;

typedef struct fields {
    int n, cap;
    char **v;          /* unquoted, trimmed copies */
} fields;

static void fields_free(fields *f)
{
    for (int i = 0; i < f->n; i++)
        free(f->v[i]);
    free(f->v);
    f->v = NULL;
    f->n = f->cap = 0;
}

static bool is_sep(char c, char delim)
{
    return delim == ' ' ? c == ' ' || c == '\t' || c == '\r' : c == delim;
}

static bool fields_add(fields *out, const char *s, size_t n)
{
    if (out->n == out->cap) {
        int nc = out->cap ? out->cap * 2 : 8;
        char **nv = realloc(out->v, (size_t)nc * sizeof *nv);
        if (!nv)
            return false;
        out->v = nv;
        out->cap = nc;
    }
    char *v = malloc(n + 1);
    if (!v)
        return false;
    memcpy(v, s, n);
    v[n] = 0;
    out->v[out->n++] = v;
    return true;
}

/* Splits [s, e) (no '\n') the way run_lines does, for names and numeric tests. */
static bool split_fields(const char *s, const char *e, char delim, fields *out)
{
    const bool ws = delim == ' ';
    char *tmp = malloc((size_t)(e - s) + 1); /* one field, unquoted */
    if (!tmp)
        return false;
    const char *p = s;
    bool ok = true;
    out->n = 0;
    for (;;) {
        while (p < e && (*p == ' ' || *p == '\t' || *p == '\r') && (ws || *p != delim))
            p++;
        if (ws && p >= e)
            break;
        size_t k = 0, lead;
        if (p < e && *p == '"')
            p = unquote(p + 1, e, tmp, &k);
        while (p < e && !is_sep(*p, delim))
            tmp[k++] = *p++;
        size_t n = trim_blanks(tmp, k, &lead);
        if (!(ok = fields_add(out, tmp + lead, n)))
            break;
        if (p >= e)
            break;
        p++; /* the separator */
    }
    free(tmp);
    return ok;
}

static bool is_number_text(const char *s)
{
    size_t n = strlen(s);
    double v;
    return n > 0 && text_parse_double(s, n, &v) == n;
}

/* Delimiter bytes outside quotes in [s, e). */
static int count_outside_quotes(const char *s, const char *e, char c)
{
    int n = 0;
    bool in = false;
    for (const char *p = s; p < e; p++) {
        if (*p == '"')
            in = !in;
        else if (*p == c && !in)
            n++;
    }
    return n;
}

static bool has_tab_run(const char *s, const char *e)
{
    if (s < e && *s == '\t')
        return true;
    for (const char *p = s; p + 1 < e; p++)
        if (p[0] == '\t' && p[1] == '\t')
            return true;
    return false;
}

/* The delimiter: the candidate seen most often in the first line, preferring
 * one seen as often in the second (a header and its rows agree). */
static char pick_delim(const text_parser *t, const span *l, int nl)
{
    if (t->p.delimiter)
        return t->p.delimiter;
    if (t->p.format == TEXT_TSV)
        return '\t';
    if (t->p.format == TEXT_WHITESPACE)
        return ' ';
    const char *cands = t->p.format == TEXT_CSV ? ",;|" : "\t,;|";
    char best = 0;
    int best_n = 0;
    bool best_same = false;
    for (const char *c = cands; *c; c++) {
        int n1 = nl > 0 ? count_outside_quotes(l[0].s, l[0].e, *c) : 0;
        if (!n1)
            continue;
        bool same = nl < 2 || count_outside_quotes(l[1].s, l[1].e, *c) == n1;
        if (!best || (same && !best_same) || (same == best_same && n1 > best_n)) {
            best = *c;
            best_n = n1;
            best_same = same;
        }
    }
    if (!best)
        return t->p.format == TEXT_CSV ? ',' : ' ';
    /* Tabs in a file not named .tsv: runs of them mean alignment, not empty fields. */
    if (best == '\t' && nl > 0 && has_tab_run(l[0].s, l[0].e))
        return ' ';
    return best;
}

/* "lon, depth, mag" (shortened when long) for messages. */
static void list_names(const fields *h, char *dst, size_t cap)
{
    size_t k = 0;
    dst[0] = 0;
    for (int i = 0; i < h->n; i++) {
        int w = snprintf(dst + k, cap - k, "%s%s", i ? ", " : "", h->v[i]);
        if (w < 0 || (size_t)w >= cap - k || k + (size_t)w > 400) {
            snprintf(dst + k, cap - k, ", ...");
            return;
        }
        k += (size_t)w;
    }
}

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!numparse_is_digit(*s))
            return false;
    return true;
}

/* One user column (name or index) to an index. ref = the fields of the header,
 * or of the first data line (for the range check), or NULL when there is none. */
static bool resolve_col(const char *spec, const fields *hdr, const fields *ref, uint64_t ref_line,
                        const text_parser *t, const span *data_line, int *out, vp_err *err)
{
    char s[256];
    size_t n = strlen(spec);
    while (n && (spec[n - 1] == ' ' || spec[n - 1] == '\t'))
        n--;
    while (n && (*spec == ' ' || *spec == '\t'))
        spec++, n--;
    if (n >= sizeof s)
        n = sizeof s - 1;
    memcpy(s, spec, n);
    s[n] = 0;
    if (all_digits(s)) {
        if (n > 7)
            return vp_err_set(err, "column %s is out of range", s);
        int i = atoi(s);
        if (ref && i >= ref->n)
            return vp_err_set(err, "column %d is out of range: line %llu has %d column%s (0 to %d)",
                              i, (unsigned long long)ref_line, ref->n, ref->n == 1 ? "" : "s",
                              ref->n - 1);
        *out = i;
        return true;
    }
    if (!hdr) {
        if (t->p.header == TEXT_HEADER_NO)
            return vp_err_set(err, "column \"%s\" chosen by name, but the header row is turned off",
                              s);
        if (!data_line)
            return vp_err_set(err, "column \"%s\" chosen by name, but the input has no lines", s);
        char txt[64];
        clip_text(txt, sizeof txt, data_line->s, data_line->e);
        return vp_err_set(err,
                          "column \"%s\" chosen by name, but the file has no header row "
                          "(line %llu is data: %s); choose columns by index (0 = first)",
                          s, (unsigned long long)ref_line, txt);
    }
    for (int i = 0; i < hdr->n; i++)
        if (!strcmp(hdr->v[i], s)) {
            *out = i;
            return true;
        }
    int found = -1, nfound = 0;
    for (int i = 0; i < hdr->n; i++)
        if (!strcasecmp(hdr->v[i], s)) {
            found = i;
            nfound++;
        }
    if (nfound == 1) {
        *out = found;
        return true;
    }
    char names[512];
    list_names(hdr, names, sizeof names);
    if (nfound > 1)
        return vp_err_set(err, "column \"%s\" is ambiguous (differs only in case); the header has: %s",
                          s, names);
    return vp_err_set(err, "column \"%s\" not found; the header has: %s", s, names);
}

static void build_classes(text_parser *t)
{
    unsigned char *c = t->cls;
    memset(c, 0, 256);
    const char blanks[] = {' ', '\t', '\r'};
    for (int i = 0; i < 3; i++) {
        unsigned char b = (unsigned char)blanks[i];
        c[b] |= C_SPACE | C_LSLOW;
        if (t->ws)
            c[b] |= C_LEAD | C_DELIM;
        else if (blanks[i] != t->delim)
            c[b] |= C_LEAD | C_TRIM;
    }
    if (!t->ws)
        c[(unsigned char)t->delim] |= C_DELIM;
    c['\n'] = C_EOL | C_LSLOW;
    c['#'] |= C_LSLOW;
    c['>'] |= C_LSLOW;
}

static void copy_name(char *dst, size_t cap, const char *s)
{
    snprintf(dst, cap, "%s", s);
}

/* For each field index: in how many sampled data rows it exists, and in how
 * many it holds a number or nothing (a missing value, not a text column). */
static bool vote_numeric(const span *l, int nl, char delim, int **has, int **yes, int *nf)
{
    *has = *yes = NULL;
    *nf = 0;
    fields f = {0};
    for (int k = 0; k < nl; k++) {
        if (!split_fields(l[k].s, l[k].e, delim, &f))
            goto oom;
        if (f.n > *nf) {
            int *h = realloc(*has, (size_t)f.n * sizeof *h), *y;
            if (h)
                *has = h;
            y = h ? realloc(*yes, (size_t)f.n * sizeof *y) : NULL;
            if (!h || !y)
                goto oom;
            *yes = y;
            memset(h + *nf, 0, (size_t)(f.n - *nf) * sizeof *h);
            memset(y + *nf, 0, (size_t)(f.n - *nf) * sizeof *y);
            *nf = f.n;
        }
        for (int i = 0; i < f.n; i++) {
            (*has)[i]++;
            (*yes)[i] += !f.v[i][0] || is_number_text(f.v[i]);
        }
        fields_free(&f);
    }
    return true;
oom:
    fields_free(&f);
    free(*has);
    free(*yes);
    *has = *yes = NULL;
    return false;
}

/* A category column holds codes when the field wi of every sampled data row
 * that has a non-empty one is a number that is a non-negative integer;
 * *labels otherwise. False when out of memory. */
static bool codes_only(const span *l, int nl, char delim, int wi, bool *labels)
{
    *labels = false;
    fields f = {0};
    for (int k = 0; k < nl && !*labels; k++) {
        if (!split_fields(l[k].s, l[k].e, delim, &f))
            return false;
        if (wi < f.n && f.v[wi][0]) {
            size_t n = strlen(f.v[wi]);
            double v;
            *labels = text_parse_double(f.v[wi], n, &v) != n || !(v >= 0 && v == floor(v)) ||
                      isinf(v);
        }
        fields_free(&f);
    }
    return true;
}

int64_t text_xtime_unit_ns(text_xtime m)
{
    switch (m) {
    case TEXT_XTIME_S: return 1000000000;
    case TEXT_XTIME_MS: return 1000000;
    case TEXT_XTIME_US: return 1000;
    case TEXT_XTIME_NS:
    case TEXT_XTIME_ISO: return 1;
    default: return 0;
    }
}

text_xtime text_xtime_decided(const text_stats *st)
{
    if (st->x_iso)
        return TEXT_XTIME_ISO;
    for (text_xtime m = TEXT_XTIME_S; st->x_unit_ns && m <= TEXT_XTIME_NS; m++)
        if (text_xtime_unit_ns(m) == st->x_unit_ns)
            return m;
    return TEXT_XTIME_NONE;
}

time_unit text_xtime_unit(text_xtime m)
{
    return m == TEXT_XTIME_S ? TIME_S : m == TEXT_XTIME_MS ? TIME_MS : m == TEXT_XTIME_US ? TIME_US : TIME_NS;
}

/* The first column (not skip) whose non-empty fields in the rows l[0, nl)
 * are ISO-8601 times at least half of the time (as numeric columns are
 * voted), at least one; -1 when none. */
static int iso_column(const text_parser *t, const span *l, int nl, char delim, int skip, bool *oom)
{
    fields f[DETECT_LINES] = {{0}};
    int best = -1, nf = 0;
    *oom = false;
    for (int r = 0; r < nl; r++) {
        if (!split_fields(l[r].s, l[r].e, delim, &f[r])) {
            *oom = true;
            goto out;
        }
        nf = f[r].n > nf ? f[r].n : nf;
    }
    for (int c = 0; c < nf && best < 0; c++) {
        int ok = 0, bad = 0;
        for (int r = 0; r < nl; r++) {
            if (c >= f[r].n || !f[r].v[c][0])
                continue;
            int64_t ns;
            if (time_parse_iso(f[r].v[c], strlen(f[r].v[c]), t->p.tz, &ns))
                ok++;
            else
                bad++;
        }
        if (c != skip && ok > 0 && ok >= bad)
            best = c;
    }
out:
    for (int r = 0; r < nl; r++)
        fields_free(&f[r]);
    return best;
}

/* Whether x (field xi) is a time (text.h's text_xtime), and its origin,
 * from the data rows l[0, nl) and the header. */
static bool decide_time(text_parser *t, const span *l, int nl, const fields *hdr, int xi)
{
    fields f[DETECT_LINES] = {{0}};
    const char *xf[DETECT_LINES];
    bool ok = true;
    for (int r = 0; r < nl; r++) {
        if (!split_fields(l[r].s, l[r].e, t->delim, &f[r])) {
            ok = false;
            goto out;
        }
        xf[r] = xi < f[r].n && f[r].v[xi][0] ? f[r].v[xi] : NULL;
    }
    text_xtime m = t->p.x_time;
    int64_t unit = text_xtime_unit_ns(m);
    bool iso = m == TEXT_XTIME_ISO;
    const char *first = NULL;
    for (int r = 0; r < nl && !first; r++)
        first = xf[r];
    if (m == TEXT_XTIME_AUTO && first) {
        int64_t ns;
        double v;
        size_t n = strlen(first);
        if (!is_number_text(first) && time_parse_iso(first, n, t->p.tz, &ns))
            iso = true, unit = 1;
        else if (hdr && xi < hdr->n && time_header_name(hdr->v[xi]) && text_parse_double(first, n, &v) == n &&
                 fabs(v) >= 1e8 && isfinite(v))
            unit = time_unit_ns(time_unit_guess(v));
    }
    if (!unit)
        goto out;
    t->xtime = true;
    t->xiso = iso;
    t->xorigin = 0;
    if (t->p.x_origin_given) {
        t->xorigin = t->p.x_origin;
    } else {
        /* the first row whose x is a time */
        for (int r = 0; r < nl; r++) {
            int64_t iv;
            double dv;
            bool is_int;
            if (!xf[r] || !time_value(t, xf[r], xf[r] + strlen(xf[r]), &iv, &dv, &is_int))
                continue;
            if (is_int)
                t->xorigin = iv;
            else if (fabs(dv) < 9e18)
                t->xorigin = (int64_t)llround(dv);
            else
                continue;
            break;
        }
    }
    t->st.x_unit_ns = unit;
    t->st.x_iso = iso;
    t->st.x_origin = t->xorigin;
out:
    for (int r = 0; r < nl; r++)
        fields_free(&f[r]);
    return ok;
}

/* Decides delimiter, header and columns from the first content lines held in
 * t->buf, once they are all there (or final). *decided = false: wait. */
static bool detect(text_parser *t, bool final, bool *decided, vp_err *err)
{
    *decided = false;
    detect_scan *d = &t->det;
    const char *b = t->buf ? t->buf : "", *e = b + t->len;
    if (d->pos == 0 && t->len >= 3 && memcmp(b, "\xEF\xBB\xBF", 3) == 0)
        d->pos = 3;
    /* Resume where the last call stopped, so that each byte is looked at once
     * however the input was cut (offsets, not pointers: t->buf may move). */
    const char *p = b + d->pos;
    const int need = t->p.ycol && !(t->p.wcol && t->p.w_category) ? 2 : DETECT_LINES;
    bool enough = d->n == need;
    while (p < e && !enough) {
        const char *nlp = memchr(p, '\n', (size_t)(e - p));
        if (!nlp && !final) {
            if ((size_t)(e - p) > TEXT_MAX_LINE)
                return vp_err_set(err, "line %llu is longer than %zu MiB: not a text file?",
                                  (unsigned long long)d->line + 1, TEXT_MAX_LINE >> 20);
            break;
        }
        const char *le = nlp ? nlp : e;
        d->line++;
        if (memchr(p, 0, (size_t)(le - p)))
            return vp_err_set(err, "line %llu holds a NUL byte: this is not a text file "
                                   "(binary records: give --dtype; or UTF-16 text)",
                              (unsigned long long)d->line);
        const char *q = p;
        while (q < le && (*q == ' ' || *q == '\t' || *q == '\r'))
            q++;
        if (q < le && *q != '#' && *q != '>') {
            const char *ee = le;
            if (ee > p && ee[-1] == '\r')
                ee--;
            d->s[d->n] = (size_t)(p - b);
            d->e[d->n] = (size_t)(ee - b);
            d->lno[d->n++] = d->line;
        }
        p = nlp ? nlp + 1 : e;
        d->pos = (size_t)(p - b);
        enough = d->n == need || (d->n >= 2 && d->pos >= DETECT_BYTES);
    }
    if (!enough && !final && !(t->settle && d->n >= 2))
        return true;

    int nl = d->n;
    span l[DETECT_LINES];
    const uint64_t *lno = d->lno;
    for (int i = 0; i < nl; i++)
        l[i] = (span){b + d->s[i], b + d->e[i]};
    t->delim = pick_delim(t, l, nl);
    t->ws = t->delim == ' ';
    fields f0 = {0}, f1 = {0};
    int *has = NULL, *yes = NULL, nf = 0;
    bool ok = false;
    if (nl > 0 && !split_fields(l[0].s, l[0].e, t->delim, &f0))
        goto oom;
    bool header = false;
    if (t->p.header == TEXT_HEADER_YES)
        header = nl > 0;
    else if (t->p.header == TEXT_HEADER_AUTO && nl > 0) {
        int nonempty = 0, numeric = 0;
        for (int i = 0; i < f0.n; i++) {
            nonempty += f0.v[i][0] != 0;
            numeric += is_number_text(f0.v[i]);
        }
        header = nonempty > 0 && numeric == 0;
    }
    /* the first data line: the reference for index checks without a header */
    int d0 = header ? 1 : 0;
    const span *dl = nl > d0 ? &l[d0] : NULL;
    uint64_t dl_no = nl > d0 ? lno[d0] : 0;
    fields *df = NULL;
    if (dl && header) {
        if (!split_fields(dl->s, dl->e, t->delim, &f1))
            goto oom;
        df = &f1;
    } else if (dl) {
        df = &f0;
    }
    const fields *hdr = header ? &f0 : NULL;
    const fields *ref = header ? &f0 : df;
    uint64_t ref_no = header ? lno[0] : dl_no;

    const char *xs = t->p.xcol, *ys = t->p.ycol;
    int xi = -1, yi = 0, wi = -1;
    bool labels = false;
    if (t->p.wcol) {
        if (!resolve_col(t->p.wcol, hdr, ref, ref_no, t, dl, &wi, err))
            goto out;
        if (t->p.w_category && !codes_only(l + d0, nl - d0, t->delim, wi, &labels))
            goto oom;
    }
    /* numeric columns: a number (or nothing) in at least half the sampled rows */
    if (nl > d0 && !vote_numeric(l + d0, nl - d0, t->delim, &has, &yes, &nf))
        goto oom;
    for (int i = 0; i < nf && i < 64; i++)
        if (2 * yes[i] >= has[i])
            t->st.number_cols |= (uint64_t)1 << i;
    if (header && !(t->header_text = malloc((size_t)(l[0].e - l[0].s) + 1)))
        goto oom;
    if (header) {
        memcpy(t->header_text, l[0].s, (size_t)(l[0].e - l[0].s));
        t->header_text[l[0].e - l[0].s] = 0;
    }
    if (ys) {
        if (!resolve_col(ys, hdr, ref, ref_no, t, dl, &yi, err))
            goto out;
        if (xs && !resolve_col(xs, hdr, ref, ref_no, t, dl, &xi, err))
            goto out;
    } else {
        int num[2], nn = 0;
        for (int i = 0; i < nf && nn < 2; i++)
            if (2 * yes[i] >= has[i] && i != wi)
                num[nn++] = i;
        int nfields = ref ? ref->n : 0;
        /* a column of ISO times is x, the first numeric one y */
        bool oom_iso = false;
        int iso = (t->p.x_time == TEXT_XTIME_AUTO || t->p.x_time == TEXT_XTIME_ISO) && !t->p.y_only && nn > 0
                      ? iso_column(t, l + d0, nl - d0, t->delim, wi, &oom_iso)
                      : -1;
        if (oom_iso)
            goto oom;
        if (iso >= 0)
            xi = iso, yi = num[0];
        else if (t->p.y_only)
            yi = nn ? num[0] : 0;
        else if (nn == 2)
            xi = num[0], yi = num[1];
        else if (nn == 1) {
            yi = num[0];
            /* x falls back to the row index: say which field could not be x */
            for (int i = 0; i < nfields && !t->st.x_index_why[0]; i++)
                if (i != yi && i != wi)
                    snprintf(t->st.x_index_why, sizeof t->st.x_index_why,
                             "column %d%s%.40s%s holds neither numbers nor ISO-8601 instants "
                             "(\"%.24s\"); --x COL and --x-time choose x", i, hdr && i < hdr->n ? " (" : "",
                             hdr && i < hdr->n ? hdr->v[i] : "", hdr && i < hdr->n ? ")" : "",
                             df && i < df->n ? df->v[i] : "");
        }
        else if (nfields != 1)
            xi = 0, yi = 1;
    }
    if (labels && (wi == xi || wi == yi)) {
        vp_err_set(err, "column %d holds category labels, so it cannot be the %s column too", wi,
                   wi == xi ? "x" : "y");
        goto out;
    }
    if (xi >= 0 && t->p.x_time != TEXT_XTIME_NONE && !decide_time(t, l + d0, nl - d0, hdr, xi))
        goto oom;
    t->xi = xi;
    t->yi = yi;
    t->wi = wi;
    t->labels = labels;
    t->maxcol = xi > yi ? xi : yi;
    if (wi > t->maxcol)
        t->maxcol = wi;
    t->header_line = header ? lno[0] : 0;
    build_classes(t);

    t->st.detected = true;
    t->st.delimiter = t->delim;
    t->st.header = header;
    t->st.header_line = t->header_line;
    t->st.xcol = xi;
    t->st.ycol = yi;
    t->st.wcol = wi;
    t->st.w_labels = labels;
    if (hdr) {
        if (xi >= 0 && xi < hdr->n)
            copy_name(t->st.xname, sizeof t->st.xname, hdr->v[xi]);
        if (yi < hdr->n)
            copy_name(t->st.yname, sizeof t->st.yname, hdr->v[yi]);
        if (wi >= 0 && wi < hdr->n)
            copy_name(t->st.wname, sizeof t->st.wname, hdr->v[wi]);
    }
    t->ready = true;
    *decided = true;
    ok = true;
    goto out;
oom:
    vp_err_set(err, "out of memory");
out:
    fields_free(&f0);
    fields_free(&f1);
    free(has);
    free(yes);
    return ok;
}

/* After detection: parses the complete lines held in t->buf; keeps the rest. */
static bool run_held(text_parser *t, const text_sink *sink, vp_err *err)
{
    if (!t->len)
        return true;
    size_t off = t->len >= 3 && memcmp(t->buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    const char *s = t->buf + off;
    const char *last = t->len > off ? memrchr(s, '\n', t->len - off) : NULL;
    if (!last) {
        memmove(t->buf, s, t->len - off);
        t->len -= off;
        return true;
    }
    if (!run_lines(t, s, last + 1, sink, err))
        return fail(t);
    size_t done = (size_t)(last + 1 - t->buf);
    memmove(t->buf, t->buf + done, t->len - done);
    t->len -= done;
    return true;
}

/* ---- public ------------------------------------------------------------------ */

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

bool text_parser_create(const text_params *p, text_parser **out, vp_err *err)
{
    *out = NULL;
    text_params def = {0};
    if (!p)
        p = &def;
    if (p->format < TEXT_AUTO || p->format > TEXT_WHITESPACE)
        return vp_err_set(err, "text format %d is not one of auto, csv, tsv, whitespace",
                          (int)p->format);
    if (p->header < TEXT_HEADER_AUTO || p->header > TEXT_HEADER_NO)
        return vp_err_set(err, "text header setting %d is not auto, yes or no", (int)p->header);
    char d = p->delimiter;
    if (d == '\n' || d == '\r' || d == '"' || d == '#' || d == '>' || numparse_is_digit(d) ||
        d == '.' || d == '-' || d == '+')
        return vp_err_set(err, "'%c' (byte %d) cannot be a field delimiter",
                          (unsigned char)d >= 0x20 ? d : '?', (unsigned char)d);
    if ((p->xcol && !*p->xcol) || (p->ycol && !*p->ycol) || (p->wcol && !*p->wcol))
        return vp_err_set(err, "an empty column name was given");
    if (p->y_only && p->xcol)
        return vp_err_set(err, "an x column (\"%s\") was chosen together with y only", p->xcol);
    if (p->xcol && !p->ycol)
        return vp_err_set(err, "an x column (\"%s\") was chosen without a y column", p->xcol);
    numparse_init();
    text_parser *t = calloc(1, sizeof *t);
    if (!t)
        return vp_err_set(err, "out of memory");
    t->p = *p;
    t->p.xcol = t->p.ycol = t->p.wcol = NULL;
    if ((p->xcol && !(t->xcol_s = dup_str(p->xcol))) ||
        (p->ycol && !(t->ycol_s = dup_str(p->ycol))) ||
        (p->wcol && !(t->wcol_s = dup_str(p->wcol)))) {
        text_parser_destroy(t);
        return vp_err_set(err, "out of memory");
    }
    t->p.xcol = t->xcol_s;
    t->p.ycol = t->ycol_s;
    t->p.wcol = t->wcol_s;
    t->st.xcol = -1;
    t->st.ycol = -1;
    t->st.wcol = -1;
    t->wi = -1;
    t->brk_rows = UINT64_MAX;
    memset(t->slot, -1, sizeof t->slot);
    *out = t;
    return true;
}

void text_parser_destroy(text_parser *t)
{
    if (!t)
        return;
    free(t->xcol_s);
    free(t->ycol_s);
    free(t->wcol_s);
    free(t->header_text);
    for (int i = 0; i < t->nlabels; i++) {
        free(t->label[i]);
        free(t->label_show[i]);
    }
    free(t->lbuf);
    free(t->buf);
    free(t);
}

static bool usable(text_parser *t, vp_err *err)
{
    if (t->failed)
        return vp_err_set(err, "text parser used after an error");
    if (t->finished)
        return vp_err_set(err, "text parser fed after the end of input");
    return true;
}

bool text_parser_feed(text_parser *t, const char *bytes, size_t len, const text_sink *sink,
                      vp_err *err)
{
    if (!usable(t, err))
        return false;
    if (!len)
        return true;
    /* Until the format is decided the bytes are held, taken 64 KiB at a time
     * so that a huge first piece (a whole mapped file) is not copied whole:
     * once decided, the rest is parsed in place below. */
    while (!t->ready && len) {
        size_t k = len < DETECT_BYTES ? len : DETECT_BYTES;
        bool decided = false;
        if (!hold(t, bytes, k))
            return fail_oom(t, err);
        if (memchr(bytes, '\n', k) && !detect(t, false, &decided, err))
            return fail(t);
        bytes += k;
        len -= k;
        if (decided) {
            if (!run_held(t, sink, err))
                return false;
        } else if (t->len - t->det.pos > TEXT_MAX_LINE) {
            return fail_long_line(t, t->det.line + 1, err);
        }
    }
    if (!len)
        return flush(t, sink, err);
    if (t->len) { /* finish the line begun in an earlier piece */
        const char *nl = memchr(bytes, '\n', len);
        size_t k = nl ? (size_t)(nl - bytes) + 1 : len;
        if (t->len + k > TEXT_MAX_LINE)
            return fail_long_line(t, t->st.lines + 1, err);
        if (!hold(t, bytes, k))
            return fail_oom(t, err);
        if (!nl)
            return flush(t, sink, err); /* rows from the detection above, if any */
        size_t n = t->len;
        t->len = 0; /* the bytes stay in t->buf while run_lines reads them */
        if (!run_lines(t, t->buf, t->buf + n, sink, err))
            return fail(t);
        bytes += k;
        len -= k;
    }
    const char *last = len ? memrchr(bytes, '\n', len) : NULL;
    if (last) {
        if (!run_lines(t, bytes, last + 1, sink, err))
            return fail(t);
        len -= (size_t)(last + 1 - bytes);
        bytes = last + 1;
    }
    if (len) {
        if (len > TEXT_MAX_LINE)
            return fail_long_line(t, t->st.lines + 1, err);
        if (!hold(t, bytes, len))
            return fail_oom(t, err);
    }
    return flush(t, sink, err);
}

bool text_parser_finish(text_parser *t, const text_sink *sink, vp_err *err)
{
    if (!usable(t, err))
        return false;
    if (!t->ready) {
        bool decided;
        if (!detect(t, true, &decided, err))
            return fail(t);
        if (!run_held(t, sink, err))
            return false;
    }
    if (t->len) {
        if (!hold(t, "\n", 1))
            return fail_oom(t, err);
        size_t n = t->len;
        t->len = 0;
        if (!run_lines(t, t->buf, t->buf + n, sink, err))
            return fail(t);
    }
    t->finished = true;
    return flush(t, sink, err);
}

bool text_parser_field_name(const text_parser *t, int col, char *buf, size_t len)
{
    fields f = {0};
    if (!t->header_text || col < 0 || !split_fields(t->header_text, t->header_text + strlen(t->header_text), t->delim, &f))
        return false;
    bool ok = col < f.n;
    if (ok)
        copy_name(buf, len, f.v[col]);
    fields_free(&f);
    return ok;
}

bool text_parser_settle(text_parser *t, const text_sink *sink, vp_err *err)
{
    if (!usable(t, err))
        return false;
    if (t->ready)
        return true;
    bool decided = false;
    t->settle = true;
    bool ok = detect(t, false, &decided, err);
    t->settle = false;
    if (!ok)
        return fail(t);
    if (!t->ready)
        return true;
    return run_held(t, sink, err) && flush(t, sink, err);
}

void text_parser_stats(const text_parser *t, text_stats *out)
{
    *out = t->st;
}

int text_parser_labels(const text_parser *t, const char *const **out)
{
    *out = (const char *const *)t->label_show;
    return t->nlabels;
}

/* ---- names -------------------------------------------------------------------- */

text_format text_format_from_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    if (!dot || dot == base)
        return TEXT_NOT_TEXT;
    static const struct {
        const char *ext;
        text_format f;
    } map[] = {{".csv", TEXT_CSV}, {".tsv", TEXT_TSV}, {".tab", TEXT_TSV},
               {".txt", TEXT_AUTO}, {".dat", TEXT_AUTO}, {".xyz", TEXT_AUTO},
               {".asc", TEXT_AUTO}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcasecmp(dot, map[i].ext))
            return map[i].f;
    return TEXT_NOT_TEXT;
}

bool text_format_from_option(const char *s, text_format *out)
{
    static const struct {
        const char *name;
        text_format f;
    } map[] = {{"csv", TEXT_CSV}, {"tsv", TEXT_TSV}, {"text", TEXT_AUTO}, {"txt", TEXT_AUTO},
               {"whitespace", TEXT_WHITESPACE}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(s, map[i].name)) {
            *out = map[i].f;
            return true;
        }
    return false;
}

bool text_sniff(const void *head, size_t len)
{
    const unsigned char *p = head;
    size_t i = len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    bool digit = false;
    for (; i < len; i++) {
        unsigned char c = p[i];
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            return false;
        if (c == 0x7f)
            return false;
        digit |= c >= '0' && c <= '9';
    }
    return digit;
}
