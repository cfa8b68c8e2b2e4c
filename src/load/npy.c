#include "load/npy.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* The header dict is a Python literal. Rather than pattern-matching numpy's
 * exact spelling (which other writers vary: quotes, spacing, key order,
 * trailing commas, Python 2 "10L" integers), it is tokenized and parsed as a
 * tiny grammar:
 *
 *   dict  := '{' [ entry (',' entry)* [','] ] '}'
 *   entry := STRING ':' value
 *   shape := '(' [ INT (',' INT)* [','] ] ')'
 *
 * Every read is bounds-checked against the header length: the parser is a
 * fuzz target and must survive any bytes. */

static const uint8_t npy_magic[NPY_MAGIC_LEN] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

bool npy_has_magic(const uint8_t *buf, size_t len)
{
    return buf && len >= NPY_MAGIC_LEN && memcmp(buf, npy_magic, NPY_MAGIC_LEN) == 0;
}

size_t npy_preamble_size(const uint8_t *buf, size_t len)
{
    /* Versions 2 and 3 widened the length field to 4 bytes. */
    if (buf && len > NPY_MAGIC_LEN && (buf[NPY_MAGIC_LEN] == 2 || buf[NPY_MAGIC_LEN] == 3))
        return 12;
    return 10;
}

bool npy_header_size(const uint8_t *buf, size_t len, uint64_t *total, vp_err *err)
{
    if (!npy_has_magic(buf, len))
        return vp_err_set(err, "not a .npy file: it does not start with the magic \\x93NUMPY");
    if (len < 8)
        return vp_err_set(err, ".npy header truncated: %zu bytes, the preamble needs 10", len);
    unsigned major = buf[6], minor = buf[7];
    if ((major != 1 && major != 2 && major != 3) || minor != 0)
        return vp_err_set(err, "npy format version %u.%u is not supported (known: 1.0, 2.0, 3.0)",
                          major, minor);
    size_t pre = npy_preamble_size(buf, len);
    if (len < pre)
        return vp_err_set(err, ".npy header truncated: %zu bytes, the preamble needs %zu", len, pre);
    /* Little-endian length field, assembled bytewise so the host order and
     * alignment do not matter. */
    uint64_t hlen = (uint64_t)buf[8] | (uint64_t)buf[9] << 8;
    if (pre == 12)
        hlen |= (uint64_t)buf[10] << 16 | (uint64_t)buf[11] << 24;
    if (hlen > NPY_MAX_HEADER)
        return vp_err_set(err, "npy header length %" PRIu64 " is absurd (largest accepted: %u bytes)",
                          hlen, (unsigned)NPY_MAX_HEADER);
    *total = pre + hlen;
    return true;
}

/* ---- tokenizer --------------------------------------------------------------- */

typedef enum tok_kind {
    TOK_END,    /* end of the header text */
    TOK_PUNCT,  /* one of { } ( ) [ ] : , */
    TOK_STRING, /* quoted; text/len exclude the quotes */
    TOK_NAME,   /* identifier: True, False, ... */
    TOK_INT,    /* unsigned decimal integer, value in .ival */
    TOK_BAD,    /* anything else; .text points at it */
} tok_kind;

typedef struct token {
    tok_kind kind;
    const char *text;
    size_t len;
    size_t pos; /* offset in the header text, for messages */
    uint64_t ival;
    bool overflow; /* TOK_INT that does not fit in 64 bits */
    bool negative; /* TOK_INT written with a leading '-' */
} token;

typedef struct lexer {
    const char *s;
    size_t len, pos;
    token tok; /* the current (lookahead) token */
} lexer;

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || is_digit(c);
}

static void lex_next(lexer *lx)
{
    while (lx->pos < lx->len && is_space(lx->s[lx->pos]))
        lx->pos++;
    token *t = &lx->tok;
    memset(t, 0, sizeof *t);
    t->pos = lx->pos;
    t->text = lx->s + lx->pos;
    if (lx->pos >= lx->len) {
        t->kind = TOK_END;
        return;
    }
    char c = lx->s[lx->pos];
    if (c != '\0' && strchr("{}()[]:,", c)) {
        t->kind = TOK_PUNCT;
        t->len = 1;
        lx->pos++;
        return;
    }
    if (c == '\'' || c == '"') {
        size_t i = lx->pos + 1;
        while (i < lx->len && lx->s[i] != c) {
            /* A backslash escapes the next byte; the escaped text is kept raw
             * (no dtype string needs escapes, so it will simply not match). */
            if (lx->s[i] == '\\' && i + 1 < lx->len)
                i++;
            i++;
        }
        if (i >= lx->len) {
            t->kind = TOK_BAD;
            t->len = lx->len - lx->pos;
            lx->pos = lx->len;
            return;
        }
        t->kind = TOK_STRING;
        t->text = lx->s + lx->pos + 1;
        t->len = i - lx->pos - 1;
        lx->pos = i + 1;
        return;
    }
    if (is_digit(c) || c == '-' || c == '+') {
        size_t i = lx->pos;
        if (c == '-' || c == '+') {
            t->negative = c == '-';
            i++;
            while (i < lx->len && is_space(lx->s[i]))
                i++;
        }
        if (i >= lx->len || !is_digit(lx->s[i])) {
            t->kind = TOK_BAD;
            t->len = 1;
            lx->pos++;
            return;
        }
        uint64_t v = 0;
        /* Python allows single underscores between digits (1_000_000). */
        while (i < lx->len && (is_digit(lx->s[i]) ||
                               (lx->s[i] == '_' && i + 1 < lx->len && is_digit(lx->s[i + 1])))) {
            if (lx->s[i] != '_') {
                unsigned d = (unsigned)(lx->s[i] - '0');
                if (v > (UINT64_MAX - d) / 10)
                    t->overflow = true;
                else
                    v = v * 10 + d;
            }
            i++;
        }
        /* Python 2 numpy wrote longs as "1000L". */
        if (i < lx->len && (lx->s[i] == 'L' || lx->s[i] == 'l'))
            i++;
        if (i < lx->len && is_name_char(lx->s[i])) {
            /* "12abc", "0x10", "1e3": not a plain integer. */
            while (i < lx->len && is_name_char(lx->s[i]))
                i++;
            t->kind = TOK_BAD;
            t->len = i - lx->pos;
            lx->pos = i;
            return;
        }
        t->kind = TOK_INT;
        t->ival = v;
        t->len = i - lx->pos;
        lx->pos = i;
        return;
    }
    if (is_name_char(c)) {
        size_t i = lx->pos;
        while (i < lx->len && is_name_char(lx->s[i]))
            i++;
        t->kind = TOK_NAME;
        t->len = i - lx->pos;
        lx->pos = i;
        return;
    }
    t->kind = TOK_BAD;
    t->len = 1;
    lx->pos++;
}

static bool tok_is(const token *t, char punct)
{
    return t->kind == TOK_PUNCT && t->text[0] == punct;
}

static bool tok_equals(const token *t, const char *word)
{
    size_t n = strlen(word);
    return t->len == n && memcmp(t->text, word, n) == 0;
}

/* Describes a token for a message: "'shape'" (strings shown in single quotes
 * whatever they were written with), "the end of the header"; text is cut at
 * 24 bytes and unprintable bytes are shown as \xNN. */
static const char *tok_describe(const token *t, char *buf, size_t cap)
{
    if (t->kind == TOK_END) {
        snprintf(buf, cap, "the end of the header");
        return buf;
    }
    size_t n = t->len > 24 ? 24 : t->len;
    size_t o = 0;
    buf[o++] = '\'';
    for (size_t i = 0; i < n && o + 6 < cap; i++) {
        unsigned char c = (unsigned char)t->text[i];
        if (c >= 0x20 && c < 0x7f)
            buf[o++] = (char)c;
        else
            o += (size_t)snprintf(buf + o, cap - o, "\\x%02x", c);
    }
    if (n < t->len && o + 4 < cap) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    if (o + 1 < cap)
        buf[o++] = '\'';
    buf[o < cap ? o : cap - 1] = '\0';
    return buf;
}

static bool expect_fail(lexer *lx, const char *what, vp_err *err)
{
    char d[128];
    return vp_err_set(err, "npy header: expected %s at byte %zu of the dict, found %s", what,
                      lx->tok.pos, tok_describe(&lx->tok, d, sizeof d));
}

/* ---- values -------------------------------------------------------------------- */

typedef struct descr_kind {
    char code;
    const char *what;
} descr_kind;

/* numpy kind codes vastplot cannot plot, named so the message says what the
 * file holds rather than just "unsupported". */
static const descr_kind unsupported_kinds[] = {
    {'c', "complex"}, {'b', "boolean"}, {'?', "boolean"}, {'O', "Python objects"},
    {'U', "unicode strings"}, {'S', "byte strings"}, {'a', "byte strings"},
    {'V', "raw void records"}, {'M', "datetimes"}, {'m', "timedeltas"},
};

#define DESCR_EXPECTED \
    "expected one of <f4 <f8 <i1 <i2 <i4 <i8 <u1 <u2 <u4 <u8 (byte order <, >, = or |)"

static bool parse_descr(const token *t, npy_header *h, vp_err *err)
{
    char d[128];
    const char *s = t->text;
    size_t n = t->len;
    char order = '=';
    if (n > 0 && (s[0] == '<' || s[0] == '>' || s[0] == '|' || s[0] == '=')) {
        order = s[0];
        s++;
        n--;
    }
    if (n >= 1) {
        for (size_t i = 0; i < sizeof unsupported_kinds / sizeof unsupported_kinds[0]; i++) {
            if (s[0] == unsupported_kinds[i].code)
                return vp_err_set(err, "npy header: descr %s holds %s, which vastplot cannot plot; %s",
                                  tok_describe(t, d, sizeof d), unsupported_kinds[i].what,
                                  DESCR_EXPECTED);
        }
    }
    vp_dtype dt = VP_DTYPE_COUNT;
    if (n == 2) {
        char k = s[0], z = s[1];
        if (k == 'f' && z == '4')
            dt = VP_F32;
        else if (k == 'f' && z == '8')
            dt = VP_F64;
        else if (k == 'i' && z == '1')
            dt = VP_I8;
        else if (k == 'i' && z == '2')
            dt = VP_I16;
        else if (k == 'i' && z == '4')
            dt = VP_I32;
        else if (k == 'i' && z == '8')
            dt = VP_I64;
        else if (k == 'u' && z == '1')
            dt = VP_U8;
        else if (k == 'u' && z == '2')
            dt = VP_U16;
        else if (k == 'u' && z == '4')
            dt = VP_U32;
        else if (k == 'u' && z == '8')
            dt = VP_U64;
    }
    if (dt == VP_DTYPE_COUNT)
        return vp_err_set(err, "npy header: descr %s is not a supported type; %s",
                          tok_describe(t, d, sizeof d), DESCR_EXPECTED);
    size_t size = vp_dtype_size(dt);
    /* '|' means "byte order not applicable", which is only true of 1-byte
     * values; on wider ones the order would be a guess. */
    if (order == '|' && size != 1)
        return vp_err_set(err, "npy header: descr %s gives no byte order ('|') for a %zu-byte type; "
                          "expected '<' or '>'", tok_describe(t, d, sizeof d), size);
    h->dtype = dt;
    if (size == 1 || order == '=' || order == '|')
        h->endian = vp_host_endian();
    else
        h->endian = order == '<' ? VP_LITTLE : VP_BIG;
    return true;
}

static bool parse_shape(lexer *lx, npy_header *h, vp_err *err)
{
    char d[128];
    if (tok_is(&lx->tok, '['))
        return vp_err_set(err, "npy header: shape is a list; expected a tuple like (N,) or (N, k)");
    if (!tok_is(&lx->tok, '('))
        return expect_fail(lx, "a shape tuple like (N,) or (N, k)", err);
    lex_next(lx);
    int ndim = 0;
    while (!tok_is(&lx->tok, ')')) {
        token *t = &lx->tok;
        if (t->kind != TOK_INT)
            return expect_fail(lx, "a dimension (a non-negative integer) or ')' in shape", err);
        if (t->negative)
            return vp_err_set(err, "npy header: shape has a negative dimension %s",
                              tok_describe(t, d, sizeof d));
        if (t->overflow)
            return vp_err_set(err, "npy header: shape dimension %s does not fit in 64 bits",
                              tok_describe(t, d, sizeof d));
        if (ndim < 2)
            h->shape[ndim] = t->ival;
        /* Counted past 2 only to say how many there were. */
        if (ndim < 1000)
            ndim++;
        lex_next(lx);
        if (tok_is(&lx->tok, ','))
            lex_next(lx);
        else if (!tok_is(&lx->tok, ')'))
            return expect_fail(lx, "',' or ')' in shape", err);
    }
    lex_next(lx);
    /* "(N)" is an int in Python, not a tuple; it is taken as (N,) since the
     * intent is plain. */
    if (ndim == 0)
        return vp_err_set(err, "npy header: shape () is a single value; expected (N,) or (N, k)");
    if (ndim > 2)
        return vp_err_set(err, "npy header: shape has %d dimensions; vastplot reads (N,) or (N, k)",
                          ndim);
    h->ndim = ndim;
    if (ndim == 1)
        h->shape[1] = 1;
    return true;
}

/* ---- the dict ------------------------------------------------------------------ */

bool npy_parse(const uint8_t *buf, size_t len, npy_header *out, vp_err *err)
{
    uint64_t total;
    if (!npy_header_size(buf, len, &total, err))
        return false;
    if (len < total)
        return vp_err_set(err, ".npy header truncated: %zu bytes, header needs %" PRIu64, len, total);
    npy_header h;
    memset(&h, 0, sizeof h);
    h.version = buf[6];
    h.data_offset = total;
    size_t pre = npy_preamble_size(buf, len);

    lexer lx = {.s = (const char *)buf + pre, .len = (size_t)total - pre, .pos = 0};
    lex_next(&lx);
    if (!tok_is(&lx.tok, '{'))
        return expect_fail(&lx, "'{' opening the header dict", err);
    lex_next(&lx);

    bool have_descr = false, have_order = false, have_shape = false;
    while (!tok_is(&lx.tok, '}')) {
        char d[128];
        if (lx.tok.kind != TOK_STRING)
            return expect_fail(&lx, "a quoted key ('descr', 'fortran_order' or 'shape') or '}'", err);
        token key = lx.tok;
        bool *seen;
        if (tok_equals(&key, "descr"))
            seen = &have_descr;
        else if (tok_equals(&key, "fortran_order"))
            seen = &have_order;
        else if (tok_equals(&key, "shape"))
            seen = &have_shape;
        else
            return vp_err_set(err, "npy header: unknown key %s; expected 'descr', 'fortran_order' "
                              "and 'shape'", tok_describe(&key, d, sizeof d));
        if (*seen)
            return vp_err_set(err, "npy header: key %s appears twice", tok_describe(&key, d, sizeof d));
        *seen = true;
        lex_next(&lx);
        if (!tok_is(&lx.tok, ':'))
            return expect_fail(&lx, "':' after a key", err);
        lex_next(&lx);

        if (seen == &have_descr) {
            if (tok_is(&lx.tok, '['))
                return vp_err_set(err, "npy header: descr is a list (a structured dtype), which "
                                  "vastplot cannot plot; %s", DESCR_EXPECTED);
            if (lx.tok.kind != TOK_STRING)
                return expect_fail(&lx, "a quoted type string for 'descr' such as '<f4'", err);
            if (!parse_descr(&lx.tok, &h, err))
                return false;
            lex_next(&lx);
        } else if (seen == &have_order) {
            if (lx.tok.kind == TOK_NAME && tok_equals(&lx.tok, "True"))
                h.fortran_order = true;
            else if (lx.tok.kind == TOK_NAME && tok_equals(&lx.tok, "False"))
                h.fortran_order = false;
            else
                return expect_fail(&lx, "True or False for 'fortran_order'", err);
            lex_next(&lx);
        } else {
            if (!parse_shape(&lx, &h, err))
                return false;
        }

        if (tok_is(&lx.tok, ','))
            lex_next(&lx);
        else if (!tok_is(&lx.tok, '}'))
            return expect_fail(&lx, "',' or '}' after a value", err);
    }
    /* After the dict numpy pads with spaces and a newline; some writers use
     * NULs. Anything else means the header is not what we think it is. */
    for (size_t i = lx.pos; i < lx.len; i++) {
        char c = lx.s[i];
        if (!is_space(c) && c != '\0')
            return vp_err_set(err, "npy header: unexpected byte 0x%02x after the dict at byte %zu",
                              (unsigned)(unsigned char)c, i);
    }
    if (!have_descr || !have_order || !have_shape)
        return vp_err_set(err, "npy header: the dict lacks %s", !have_descr ? "'descr'"
                          : !have_order ? "'fortran_order'" : "'shape'");

    uint64_t bytes;
    if (!npy_data_bytes(&h, &bytes))
        return vp_err_set(err, "npy header: shape (%" PRIu64 ", %" PRIu64 ") of %zu-byte values is "
                          "too large to address (over 2^64 bytes)",
                          h.shape[0], h.shape[1], vp_dtype_size(h.dtype));
    *out = h;
    return true;
}

bool npy_data_bytes(const npy_header *h, uint64_t *bytes)
{
    uint64_t size = vp_dtype_size(h->dtype);
    uint64_t cols = h->ndim == 2 ? h->shape[1] : 1;
    uint64_t n = h->shape[0];
    uint64_t per_row;
    if (__builtin_mul_overflow(cols, size, &per_row) || __builtin_mul_overflow(n, per_row, bytes) ||
        *bytes > UINT64_MAX - h->data_offset)
        return false;
    return true;
}
