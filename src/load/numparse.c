#include "load/numparse.h"

#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>

#include "load/numparse_inline.h"

/* Most numbers in data files have at most 19 significant digits, which fit a
 * uint64 w, so the value is w * 10^q. Two exact shortcuts cover nearly all of
 * them; anything else goes to strtod_l in the C locale, which is exact but
 * costs ~10x more:
 * - Clinger (numparse_clinger, inline): w <= 2^53 and |q| <= 22.
 * - Otherwise (17-19 digit numbers, large exponents), Eisel-Lemire style: 5^q
 *   is held as its 128 leading bits m (truncated), so w * 10^q ~= (w * m) *
 *   2^(e + q). The 192-bit product is off from the exact one by less than w,
 *   i.e. only in its lowest 64 bits, while the double needs its top 54 (53 + a
 *   rounding bit). When the bits below the rounding bit are too close to a
 *   boundary for that error to be harmless (all ones, or zero at a tie), we
 *   give up and ask strtod. We first try with the top 64 bits of m only (error
 *   then below 2^64 + 1 in the top 128 bits), which decides all but ~1/500
 *   numbers. Subnormal and overflowing results go to strtod too.
 * - More than 19 digits: the first 19 significant ones, when no nonzero digit
 *   follows them (trailing zeros), are the whole value and take the paths
 *   above; else strtod. */

#define P5_MIN (-342) /* below, 19 digits round to 0; above P5_MAX to inf */
#define P5_MAX 308

typedef struct pow5 {
    uint64_t hi, lo; /* 2^127 <= hi:lo < 2^128 */
    int32_t e;       /* 5^q ~= (hi:lo) * 2^e, hi:lo truncated */
} pow5;

static pow5 g_pow5[P5_MAX - P5_MIN + 1];
static locale_t g_c_locale;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

const double numparse_p10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

const uint64_t numparse_p10u[9] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000,
                                   100000000};

/* ---- the table of powers of 5 (built once) -------------------------------------- */

/* Little-endian bigints, only to build the table once. 5^342 < 2^800. */
#define BIG_LIMBS 28
typedef struct big {
    uint32_t v[BIG_LIMBS];
} big;

static int big_bitlen(const big *b)
{
    for (int i = BIG_LIMBS - 1; i >= 0; i--)
        if (b->v[i])
            return i * 32 + 32 - __builtin_clz(b->v[i]);
    return 0;
}

static void big_mul_small(big *b, uint32_t m)
{
    uint64_t carry = 0;
    for (int i = 0; i < BIG_LIMBS; i++) {
        uint64_t x = (uint64_t)b->v[i] * m + carry;
        b->v[i] = (uint32_t)x;
        carry = x >> 32;
    }
}

static int big_bit(const big *b, int k)
{
    if (k < 0 || k >= BIG_LIMBS * 32)
        return 0;
    return (b->v[k >> 5] >> (k & 31)) & 1;
}

/* 64 bits of b starting at bit pos (bits below 0 read as 0). */
static uint64_t big_bits64(const big *b, int pos)
{
    uint64_t r = 0;
    for (int i = 0; i < 64; i++)
        r |= (uint64_t)big_bit(b, pos + i) << i;
    return r;
}

static void big_shl1(big *b)
{
    for (int i = BIG_LIMBS - 1; i > 0; i--)
        b->v[i] = (b->v[i] << 1) | (b->v[i - 1] >> 31);
    b->v[0] <<= 1;
}

static bool big_ge(const big *a, const big *b)
{
    for (int i = BIG_LIMBS - 1; i >= 0; i--)
        if (a->v[i] != b->v[i])
            return a->v[i] > b->v[i];
    return true;
}

static void big_sub(big *a, const big *b)
{
    int64_t borrow = 0;
    for (int i = 0; i < BIG_LIMBS; i++) {
        int64_t x = (int64_t)a->v[i] - b->v[i] - borrow;
        borrow = x < 0;
        a->v[i] = (uint32_t)(x + (borrow << 32));
    }
}

static void num_init(void)
{
    big p = {{1}};
    for (int q = 0; q <= P5_MAX; q++) { /* leading 128 bits of 5^q */
        int len = big_bitlen(&p);
        pow5 *t = &g_pow5[q - P5_MIN];
        t->hi = big_bits64(&p, len - 64);
        t->lo = big_bits64(&p, len - 128);
        t->e = len - 128;
        big_mul_small(&p, 5);
    }
    big d = {{5}};
    for (int n = 1; n <= -P5_MIN; n++) { /* floor(2^(len+127) / 5^n), len = bits of 5^n */
        int len = big_bitlen(&d);
        big r = {{0}};
        r.v[(len - 1) >> 5] = 1u << ((len - 1) & 31); /* 2^(len-1) < 5^n */
        uint64_t hi = 0, lo = 0;
        for (int i = 0; i < 128; i++) {
            big_shl1(&r);
            hi = (hi << 1) | (lo >> 63);
            lo <<= 1;
            if (big_ge(&r, &d)) {
                big_sub(&r, &d);
                lo |= 1;
            }
        }
        pow5 *t = &g_pow5[-n - P5_MIN];
        t->hi = hi;
        t->lo = lo;
        t->e = -(len + 127);
        big_mul_small(&d, 5);
    }
    g_c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

void numparse_init(void)
{
    pthread_once(&g_once, num_init);
}

/* ---- the paths --------------------------------------------------------------------- */

static void mul64(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo)
{
#if defined(__SIZEOF_INT128__)
    __extension__ typedef unsigned __int128 u128;
    u128 r = (u128)a * b;
    *hi = (uint64_t)(r >> 64);
    *lo = (uint64_t)r;
#else
    uint64_t a0 = (uint32_t)a, a1 = a >> 32, b0 = (uint32_t)b, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (uint32_t)p01 + (uint32_t)p10;
    *hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
    *lo = (mid << 32) | (uint32_t)p00;
#endif
}

/* w * 10^q, w != 0, q in [P5_MIN, P5_MAX], into *out; false = undecided here. */
static bool eisel_lemire(uint64_t w, int q, bool neg, double *out)
{
    const pow5 *m = &g_pow5[q - P5_MIN];
    int lz = __builtin_clzll(w);
    w <<= lz;
    uint64_t a1, a0;
    mul64(w, m->hi, &a1, &a0);
    int sh = (int)(a1 >> 63) + 9; /* a1 >> sh keeps 54 bits */
    uint64_t mask = ((uint64_t)1 << sh) - 1;
    uint64_t r54 = a1 >> sh;
    if ((a1 & mask) == mask || ((a1 & mask) == 0 && a0 == 0 && (r54 & 1))) {
        uint64_t b1, b0;
        mul64(w, m->lo, &b1, &b0);
        uint64_t p1 = a0 + b1;
        uint64_t p2 = a1 + (p1 < a0);
        sh = (int)(p2 >> 63) + 9;
        mask = ((uint64_t)1 << sh) - 1;
        r54 = p2 >> sh;
        if ((p2 & mask) == mask && p1 == UINT64_MAX)
            return false; /* the error could carry into the kept bits */
        if ((p2 & mask) == 0 && p1 == 0 && b0 == 0 && (r54 & 1))
            return false; /* maybe exactly half way: ties-to-even needs the truth */
    }
    uint64_t mant = (r54 >> 1) + (r54 & 1);
    int e2 = 128 + sh + 1 + m->e + q - lz; /* value = mant * 2^e2 */
    if (mant >> 53) {
        mant >>= 1;
        e2++;
    }
    int biased = e2 + 52 + 1023;
    if (biased < 1 || biased > 2046)
        return false; /* subnormal or overflow: strtod */
    uint64_t bits = ((uint64_t)biased << 52) | (mant & (((uint64_t)1 << 52) - 1));
    bits |= (uint64_t)neg << 63;
    memcpy(out, &bits, sizeof bits);
    return true;
}

/* strtod on a NUL-terminated copy; false only when out of memory. */
static bool slow_strtod(const char *s, size_t n, double *out)
{
    char small[128];
    char *buf = n < sizeof small ? small : malloc(n + 1);
    if (!buf)
        return false;
    memcpy(buf, s, n);
    buf[n] = 0;
    *out = g_c_locale ? strtod_l(buf, NULL, g_c_locale) : strtod(buf, NULL);
    if (buf != small)
        free(buf);
    return true;
}

bool numparse_hard(const char *s, const char *e, uint64_t w, int64_t q, bool neg, double *out)
{
    if (q >= P5_MIN && q <= P5_MAX && eisel_lemire(w, (int)q, neg, out))
        return true;
    return slow_strtod(s, (size_t)(e - s), out);
}

/* w and q again for more than 19 digits, counting only significant ones:
 * value ~= w * 10^q; *dropped = a nonzero digit did not fit. */
static void digits_long(const char *ip, size_t nint, const char *fp, size_t nfrac, uint64_t *w,
                        int64_t *q, bool *dropped)
{
    uint64_t v = 0;
    int nd = 0;
    int64_t e = 0;
    bool drop = false;
    for (size_t i = 0; i < nint + nfrac; i++) {
        bool frac = i >= nint;
        unsigned d = (unsigned)((frac ? fp[i - nint] : ip[i]) - '0');
        if (nd < 19) {
            v = v * 10 + d;
            nd += v != 0; /* leading zeros are not significant */
            e -= frac;
        } else {
            e += !frac;
            drop |= d != 0;
        }
    }
    *w = v;
    *q += e;
    *dropped = drop;
}

bool numparse_long(const char *s, const char *e, int64_t exp10, bool neg, double *out)
{
    /* where the digits are: [s, e) matched the grammar already */
    const char *ip = s + (*s == '-' || *s == '+'), *p = ip;
    while (p < e && numparse_is_digit(*p))
        p++;
    size_t nint = (size_t)(p - ip), nfrac = 0;
    const char *fp = p;
    if (p < e && *p == '.') {
        fp = ++p;
        while (p < e && numparse_is_digit(*p))
            p++;
        nfrac = (size_t)(p - fp);
    }
    uint64_t w;
    int64_t q = exp10;
    bool dropped;
    digits_long(ip, nint, fp, nfrac, &w, &q, &dropped);
    if (w == 0) {
        *out = neg ? -0.0 : 0.0;
        return true;
    }
    if (!dropped) {
        if (numparse_clinger(w, q, neg, out))
            return true;
        return numparse_hard(s, e, w, q, neg, out);
    }
    return slow_strtod(s, (size_t)(e - s), out);
}

/* Case-insensitive: does [p, end) start with the lowercase word w? */
static bool starts_word(const char *p, const char *end, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(end - p) < n)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((p[i] | 0x20) != w[i])
            return false;
    return true;
}

const char *numparse_word(const char *p, const char *end, bool neg, double *out)
{
    if (starts_word(p, end, "infinity"))
        *out = neg ? -INFINITY : INFINITY, p += 8;
    else if (starts_word(p, end, "inf"))
        *out = neg ? -INFINITY : INFINITY, p += 3;
    else if (starts_word(p, end, "nan"))
        *out = neg ? -(double)NAN : (double)NAN, p += 3;
    else
        return NULL;
    return p;
}

/* ---- public --------------------------------------------------------------------------- */

size_t text_parse_double(const char *s, size_t len, double *out)
{
    if (!len)
        return 0;
    numparse_init();
    double v;
    const char *e = numparse_scan(s, s + len, &v);
    if (!e)
        return 0;
    *out = v;
    return (size_t)(e - s);
}
