#ifndef VP_NUMPARSE_INLINE_H
#define VP_NUMPARSE_INLINE_H
/* The hot part of the number parser (numparse.h), inline, for text.c's line
 * loop: numparse_scan is what text_parse_double runs, minus the table check
 * and the length arithmetic. The grammar and the results are numparse.h's.
 * Only the common case is here (at most 19 significant digits, a value that
 * one double multiply or divide gets exactly: Clinger's fast path); the rest
 * goes to the out-of-line functions below, in numparse.c, which says how they
 * stay exact. Nothing here is for use outside src/load/. */
#include <float.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "load/numparse.h"

extern const double numparse_p10[23];   /* 1e0 .. 1e22, all exact doubles */
extern const uint64_t numparse_p10u[9]; /* 1 .. 1e8 */

/* The rare cases of numparse_scan, out of line (numparse.c):
 * - numparse_word: no digits at p (after the sign): "infinity", "inf", "nan"
 *   in any case; returns their end, NULL when none is there.
 * - numparse_long: [s, e) is a number with more than 19 digits and the
 *   explicit exponent exp10 (0 without one); false = out of memory.
 * - numparse_hard: [s, e) is a number with at most 19 digits, value w * 10^q,
 *   w != 0, that numparse_clinger did not take; false = out of memory. */
const char *numparse_word(const char *p, const char *end, bool neg, double *out);
bool numparse_long(const char *s, const char *e, int64_t exp10, bool neg, double *out);
bool numparse_hard(const char *s, const char *e, uint64_t w, int64_t q, bool neg, double *out);

static inline bool numparse_is_digit(char c)
{
    return (unsigned char)(c - '0') < 10;
}

/* Appends the decimal digits at p to *w (w = w * 10 + d each; it wraps past 19
 * digits, which the caller redoes) and returns the first non-digit. Eight bytes
 * at a time where they are there: digit test and conversion in a few integer
 * operations instead of a multiply-add chain per digit. */
static inline const char *numparse_add_digits(const char *p, const char *end, uint64_t *w)
{
    uint64_t v = *w;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    while (end - p >= 8) {
        uint64_t b;
        memcpy(&b, p, 8);
        /* a byte is a digit iff its high nibble is 3 and adding 6 keeps it 3 */
        uint64_t nd = ((b & 0xF0F0F0F0F0F0F0F0u) |
                       (((b + 0x0606060606060606u) & 0xF0F0F0F0F0F0F0F0u) >> 4)) ^
                      0x3333333333333333u;
        int n = nd ? __builtin_ctzll(nd) >> 3 : 8; /* leading digits */
        if (n == 0)
            break;
        /* the n digits to the top bytes (zeros below read as leading zeros),
         * then pairs, quads, octets */
        b = (b & 0x0F0F0F0F0F0F0F0Fu) << (8 * (8 - n));
        b = (b * 10 + (b >> 8)) & 0x00FF00FF00FF00FFu;
        b = (b * 100 + (b >> 16)) & 0x0000FFFF0000FFFFu;
        b = (b * 10000 + (b >> 32)) & 0xFFFFFFFFu;
        v = v * numparse_p10u[n] + b;
        p += n;
        if (n < 8)
            break;
    }
#endif
    while (p < end && numparse_is_digit(*p))
        v = v * 10 + (unsigned)(*p++ - '0');
    *w = v;
    return p;
}

/* Clinger: w <= 2^53 and |q| <= 22. Both w and 10^|q| are exact doubles, so
 * one IEEE multiply or divide rounds the exact value once: the right answer.
 * (Measured: the divide beats the integer path for q < 0, 0.40 s against
 * 0.46 s for 20 million "%.6f" numbers.) false = not this case. */
static inline bool numparse_clinger(uint64_t w, int64_t q, bool neg, double *out)
{
#if FLT_EVAL_METHOD == 0 /* needs plain double arithmetic, no excess precision */
    if (w <= ((uint64_t)1 << 53) && q >= -22 && q <= 22) {
        double v = q < 0 ? (double)w / numparse_p10[-q] : (double)w * numparse_p10[q];
        uint64_t bits;
        memcpy(&bits, &v, 8);
        bits |= (uint64_t)neg << 63; /* v >= 0: the sign without a branch */
        memcpy(out, &bits, 8);
        return true;
    }
#else
    (void)w, (void)q, (void)neg, (void)out;
#endif
    return false;
}

/* The number at [p, end) into *out: returns its end, or NULL when there is
 * none (numparse.h's grammar, longest prefix). numparse_init() must have
 * run. Hot path: inlined into the callers' loops. */
static inline __attribute__((always_inline)) const char *numparse_scan(const char *p,
                                                                       const char *end,
                                                                       double *out)
{
    const char *s = p;
    /* Without branches: signs are random in data, so a branch would be
     * mispredicted half the time. */
    bool neg = p < end && *p == '-';
    p += p < end && (*p == '-' || *p == '+');
    /* Digits straight into w; more than 19 of them (rare) are redone by
     * numparse_long, so the common loop has no per-digit bookkeeping. */
    uint64_t w = 0;
    const char *ip = p;
    p = numparse_add_digits(p, end, &w);
    size_t ndig = (size_t)(p - ip), nfrac = 0;
    if (p < end && *p == '.') {
        const char *fp = ++p;
        p = numparse_add_digits(p, end, &w);
        nfrac = (size_t)(p - fp);
        ndig += nfrac;
    }
    if (ndig == 0) /* no digits: inf, infinity, nan or nothing */
        return numparse_word(ip, end, neg, out);
    int64_t x = 0;
    if (p < end && (*p | 0x20) == 'e') { /* an exponent only if digits follow */
        const char *e = p + 1;
        bool eneg = false;
        if (e < end && (*e == '-' || *e == '+')) {
            eneg = *e == '-';
            e++;
        }
        if (e < end && numparse_is_digit(*e)) {
            while (e < end && numparse_is_digit(*e)) {
                if (x < 100000000) /* far beyond any double; keeps q from overflowing */
                    x = x * 10 + (*e - '0');
                e++;
            }
            if (eneg)
                x = -x;
            p = e;
        }
    }
    if (ndig > 19)
        return numparse_long(s, p, x, neg, out) ? p : NULL;
    if (w == 0) {
        *out = neg ? -0.0 : 0.0;
        return p;
    }
    int64_t q = x - (int64_t)nfrac;
    if (numparse_clinger(w, q, neg, out))
        return p;
    return numparse_hard(s, p, w, q, neg, out) ? p : NULL;
}

#endif
