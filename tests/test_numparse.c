/* Number parser tests (load/numparse.h): text_parse_double against glibc's
 * strtod, which is correctly rounded, on a few million strings: the bytes
 * consumed must be the same and the doubles identical bit for bit (memcmp:
 * -0.0 and the sign of a NaN count). Every string is parsed from a copy of
 * exactly its length, without a NUL, so a read past the end is an ASan error.
 * Where the grammar differs from strtod's on purpose (leading blanks, hex
 * floats, "nan(...)") or the input is not a number, the expected results are
 * written as C literals here: they pin down today's behaviour. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load/numparse.h"
#include "testutil.h"

static double from_bits(uint64_t u)
{
    double d;
    memcpy(&d, &u, 8);
    return d;
}

#define SENTINEL 0x5a5a5a5a5a5a5a5au /* what *out holds before a call */

/* Ours on the first n bytes of s (copied to a buffer of exactly n bytes). */
static size_t ours_n(const char *s, size_t n, double *v)
{
    char *copy = NULL;
    if (n) {
        copy = malloc(n);
        assert_non_null(copy);
        memcpy(copy, s, n);
    }
    *v = from_bits(SENTINEL);
    size_t used = text_parse_double(copy, n, v);
    free(copy);
    return used;
}

/* Ours against strtod on the NUL-terminated s: same length, same bits; *out
 * untouched when nothing was consumed. Returns whether they agreed. */
static bool agrees(const char *s)
{
    size_t n = strlen(s);
    double ours;
    size_t used = ours_n(s, n, &ours);
    char *end;
    double ref = strtod(s, &end);
    size_t ref_used = (size_t)(end - s);
    bool ok = used == ref_used &&
              (used ? memcmp(&ours, &ref, sizeof ours) == 0 : tu_bits(ours) == SENTINEL);
    if (!ok)
        print_error("\"%s\": ours %zu bytes %.17g (%016" PRIx64 "), strtod %zu bytes %.17g "
                    "(%016" PRIx64 ")\n",
                    s, used, ours, tu_bits(ours), ref_used, ref, tu_bits(ref));
    return ok;
}

static void check(const char *s)
{
    if (!agrees(s))
        fail();
}

/* ==== the tables are built once, by whichever thread comes first ============= */

typedef struct first_arg {
    pthread_barrier_t *go;
    int bad;
} first_arg;

static void *first_calls(void *p)
{
    first_arg *a = p;
    /* the Eisel-Lemire path (17-19 digits) and the long path read the tables */
    static const char *s[] = {"1234567890123456789e-300", "9007199254740993", "0.1",
                              "2.2250738585072014e-308", "12345678901234567890e100",
                              "4.9406564584124654e-324", "1.7976931348623157e308"};
    pthread_barrier_wait(a->go);
    for (int r = 0; r < 200; r++)
        for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) {
            double v;
            size_t n = strlen(s[i]);
            double ref = strtod(s[i], NULL);
            if (text_parse_double(s[i], n, &v) != n || memcmp(&v, &ref, 8) != 0)
                a->bad++;
        }
    return NULL;
}

/* Runs first in the program: no call has built the tables yet. */
static void test_first_calls_in_threads(void **state)
{
    (void)state;
    enum { N = 4 };
    pthread_t th[N];
    pthread_barrier_t go;
    first_arg a[N];
    assert_int_equal(pthread_barrier_init(&go, NULL, N), 0);
    for (int i = 0; i < N; i++) {
        a[i] = (first_arg){&go, 0};
        assert_int_equal(pthread_create(&th[i], NULL, first_calls, &a[i]), 0);
    }
    for (int i = 0; i < N; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(a[i].bad, 0);
    }
    pthread_barrier_destroy(&go);
}

/* ==== fixed cases ================================================================= */

static void test_cases_vs_strtod(void **state)
{
    (void)state;
    static const char *cases[] = {
        "0", "-0", "+0", "0.0", "-0.0", "00000", "000123", "1", "-1", "+1", "1.5", ".5", "5.",
        "-.5", "+.5", "0.1", "0.2", "0.3", "123456789", "1e0", "1E5", "1e+5", "1e-5", "-1.5e-3",
        "2.5E+300", "1e22", "1e23", "1e-22", "1e-23", "9007199254740992", "9007199254740993",
        "9007199254740994", "9007199254740995", "18014398509481985", "9223372036854775807",
        "9223372036854775808", "18446744073709551615", "18446744073709551616",
        "1844674407370955161500", "9999999999999999999", "99999999999999999999",
        "12345678901234567890123", "0.1000000000000000055511151231257827",
        "0.10000000000000000555111512312578270211815834045410156250001",
        "2.2250738585072011e-308", "2.2250738585072014e-308", "2.2250738585072012e-308",
        "4.9406564584124654e-324", "2.4703282292062327e-324", "2.4703282292062328e-324",
        "5e-324", "1e-320", "1e-310", "1e-400", "-1e-400", "1.7976931348623157e308",
        "1.7976931348623158e308", "1.7976931348623159e308", "1e308", "1e309", "1e400",
        "-1e400", "8.589973e9", "7.038531e-26", "4.35679e-17", "3.0e-44", "1448997445238699",
        "0.000000000000000000000000000000000000000001", "1e-342", "1e-343", "1e308",
        "123456789012345678e-10", "1234567890123456789e-330", "1234567890123456789e290",
        "0.0000000000000000000000000000001234567890123456789", "1e00000000000000000000001",
        "1e-99999999999999999999", "1e99999999999999999999", "1e", "1e+", "1e-", "1ex",
        "1.5e3x", "1.2.3", "--1", "+-1", ".", "-", "+", "", "e5", ".e5", "x", "1,5", "1_000",
        "12abc", "-.e1", "5.e-1", "0e999999", "0.0e-999999",
        /* ties: 2^53 + 1, 2^53 + 3, 2^54 + 2, 2^54 + 6, 2^52 + 0.5, ... 2^63 + 1024 */
        "9007199254740993.0", "9007199254740995.000", "18014398509481986", "18014398509481990",
        "4503599627370496.5", "4503599627370497.5", "2251799813685248.25", "2251799813685248.75",
        "1125899906842624.125", "1125899906842624.375", "562949953421312.0625",
        "9223372036854776832", "9223372036854777856", "18446744073709553664",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check(cases[i]);

    /* a few by value, independently of strtod */
    double v;
    assert_int_equal(text_parse_double("1.5e3x", 6, &v), 5);
    assert_true(v == 1500.0);
    assert_int_equal(text_parse_double("1e-310", 6, &v), 6);
    assert_true(v > 0 && v < DBL_MIN);
    assert_int_equal(text_parse_double("1e400", 5, &v), 5);
    assert_true(isinf(v) && v > 0);
    assert_int_equal(text_parse_double("-0", 2, &v), 2);
    assert_true(v == 0 && signbit(v));
    assert_int_equal(text_parse_double("9007199254740993", 16, &v), 16);
    assert_true(v == 9007199254740992.0); /* the tie goes to the even neighbour */
    assert_int_equal(text_parse_double("9007199254740995", 16, &v), 16);
    assert_true(v == 9007199254740996.0);
}

/* Trailing and leading dots, leading zeros and signs on every form. */
static void test_forms(void **state)
{
    (void)state;
    static const char *bases[] = {
        "1.", ".5", "5.e3", ".5e-3", "0.", ".0", "00.", "0", "1", "123.456", "1.e-320",
        "9007199254740993", "1234567890123456789", "12345678901234567890",
        "0.000000000000000000000000000000000000000000000000000001", "1e308", "1.8e308",
        "4.9e-324", "2e-324", "1e-330", "0e5", "0.000e-999", "1234567890.0987654321e-5",
    };
    static const char *signs[] = {"", "+", "-"};
    char s[256];
    for (size_t b = 0; b < sizeof bases / sizeof bases[0]; b++)
        for (int sg = 0; sg < 3; sg++)
            for (int z = 0; z <= 40; z += z < 4 ? 1 : 6) { /* leading zeros */
                int k = snprintf(s, sizeof s, "%s", signs[sg]);
                for (int j = 0; j < z; j++)
                    s[k++] = '0';
                snprintf(s + k, sizeof s - (size_t)k, "%s", bases[b]);
                check(s);
            }
    double v;
    assert_int_equal(text_parse_double("1.", 2, &v), 2);
    assert_true(v == 1.0);
    assert_int_equal(text_parse_double("-.5", 3, &v), 3);
    assert_true(v == -0.5);
    assert_int_equal(text_parse_double("-0.", 3, &v), 3);
    assert_true(v == 0 && signbit(v));
    assert_int_equal(text_parse_double("+.0e7", 5, &v), 5);
    assert_true(v == 0 && !signbit(v));
    assert_int_equal(text_parse_double("0000000000000000000000000000000000001.5", 39, &v), 39);
    assert_true(v == 1.5);
}

/* inf, infinity and nan in every case, with signs; strtod takes the same. */
static void test_words(void **state)
{
    (void)state;
    static const char *words[] = {"inf", "infinity", "nan"};
    static const char *signs[] = {"", "+", "-"};
    static const char *tails[] = {"", "x", "1", " ", "init", "e5"};
    char s[64];
    for (int w = 0; w < 3; w++) {
        size_t n = strlen(words[w]);
        for (unsigned m = 0; m < (1u << n); m++) { /* bit i: letter i upper case */
            char word[16];
            for (size_t i = 0; i < n; i++)
                word[i] = (char)(m >> i & 1 ? words[w][i] - 'a' + 'A' : words[w][i]);
            word[n] = 0;
            for (int sg = 0; sg < 3; sg++)
                for (size_t t = 0; t < sizeof tails / sizeof tails[0]; t++) {
                    snprintf(s, sizeof s, "%s%s%s", signs[sg], word, tails[t]);
                    check(s);
                }
        }
    }
    /* the bits, as literals */
    static const struct {
        const char *s;
        size_t used;
        uint64_t bits;
    } pin[] = {
        {"inf", 3, 0x7ff0000000000000u},      {"-inf", 4, 0xfff0000000000000u},
        {"+Infinity", 9, 0x7ff0000000000000u}, {"-INFINITY", 9, 0xfff0000000000000u},
        {"nan", 3, 0x7ff8000000000000u},      {"-nan", 4, 0xfff8000000000000u},
        {"+NaN", 4, 0x7ff8000000000000u},
    };
    for (size_t i = 0; i < sizeof pin / sizeof pin[0]; i++) {
        double v;
        assert_int_equal(ours_n(pin[i].s, strlen(pin[i].s), &v), pin[i].used);
        assert_int_equal(tu_bits(v), pin[i].bits);
    }
}

/* Not numbers, numbers followed by other bytes, and where the grammar is not
 * strtod's: the results of today, as literals. len -1 = strlen. */
static void test_rejected_and_prefixes(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        int len;
        size_t used;   /* 0: not a number, *out untouched */
        uint64_t bits; /* when used */
    } pin[] = {
        {"", -1, 0, 0}, {"-", -1, 0, 0}, {"+", -1, 0, 0}, {".", -1, 0, 0}, {"-.", -1, 0, 0},
        {"+.", -1, 0, 0}, {"e5", -1, 0, 0}, {"E5", -1, 0, 0}, {".e5", -1, 0, 0},
        {"-e5", -1, 0, 0}, {"x", -1, 0, 0}, {"abc", -1, 0, 0}, {"--1", -1, 0, 0},
        {"+-1", -1, 0, 0}, {"-+1", -1, 0, 0}, {"-.e1", -1, 0, 0}, {"i", -1, 0, 0},
        {"in", -1, 0, 0}, {"na", -1, 0, 0}, {"-in", -1, 0, 0}, {"\xd9\xa1", -1, 0, 0},
        /* no blanks skipped (strtod skips them) */
        {" 1", -1, 0, 0}, {"\t1", -1, 0, 0}, {"\n1", -1, 0, 0}, {"- 1", -1, 0, 0},
        /* an exponent needs digits */
        {"1e", -1, 1, 0x3ff0000000000000u}, {"1e+", -1, 1, 0x3ff0000000000000u},
        {"1e-", -1, 1, 0x3ff0000000000000u}, {"1E", -1, 1, 0x3ff0000000000000u},
        {"1ex", -1, 1, 0x3ff0000000000000u}, {"1e+x", -1, 1, 0x3ff0000000000000u},
        {"2.e", -1, 2, 0x4000000000000000u},
        /* the longest prefix */
        {"1.2.3", -1, 3, 0x3ff3333333333333u}, {"1..2", -1, 2, 0x3ff0000000000000u},
        {"1,5", -1, 1, 0x3ff0000000000000u}, {"1_000", -1, 1, 0x3ff0000000000000u},
        {"12abc", -1, 2, 0x4028000000000000u}, {"5e3.5", -1, 3, 0x40b3880000000000u},
        {"1e5e5", -1, 3, 0x40f86a0000000000u}, {"1d5", -1, 1, 0x3ff0000000000000u},
        {"0.5f", -1, 3, 0x3fe0000000000000u},
        /* no hex floats: "0" and then other bytes (strtod reads 16 and 8) */
        {"0x10", -1, 1, 0}, {"0X1p3", -1, 1, 0}, {"-0x1", -1, 2, 0x8000000000000000u},
        /* words end at their last letter (strtod takes "nan(...)" whole) */
        {"nan(1)", -1, 3, 0x7ff8000000000000u}, {"nan()", -1, 3, 0x7ff8000000000000u},
        {"-nan(abc)", -1, 4, 0xfff8000000000000u}, {"infinit", -1, 3, 0x7ff0000000000000u},
        {"infnity", -1, 3, 0x7ff0000000000000u}, {"infinityy", -1, 8, 0x7ff0000000000000u},
        /* len bounds the scan */
        {"1.25", 3, 3, 0x3ff3333333333333u}, {"infinity", 5, 3, 0x7ff0000000000000u},
        {"1e5", 2, 1, 0x3ff0000000000000u}, {"1e5", 1, 1, 0x3ff0000000000000u},
        {"-5", 1, 0, 0}, {"nan", 2, 0, 0}, {"12", 0, 0, 0},
        {"100000000000000000000000", 21, 21, 0x4415af1d78b58c40u}, /* 1e20 */
    };
    for (size_t i = 0; i < sizeof pin / sizeof pin[0]; i++) {
        size_t n = pin[i].len < 0 ? strlen(pin[i].s) : (size_t)pin[i].len;
        double v;
        size_t used = ours_n(pin[i].s, n, &v);
        uint64_t want = pin[i].used ? pin[i].bits : SENTINEL;
        if (used != pin[i].used || tu_bits(v) != want) {
            print_error("\"%s\" (len %zu): %zu bytes, %016" PRIx64 "; want %zu bytes, %016" PRIx64
                        "\n",
                        pin[i].s, n, used, tu_bits(v), pin[i].used, want);
            fail();
        }
    }
    double v = 7;
    assert_int_equal(text_parse_double(NULL, 0, &v), 0);
    assert_true(v == 7);
}

/* ==== random strings ================================================================ */

/* Random decimal strings: 1..40 digits (and leading zeros), the point
 * anywhere or nowhere, signs, exponents that put the value anywhere from below
 * the smallest subnormal to beyond DBL_MAX. */
static void test_random_decimal(void **state)
{
    (void)state;
    uint64_t rs = 0xdec1a1u;
    char s[200];
    const int n = 400000;
    for (int i = 0; i < n; i++) {
        int k = 0;
        unsigned sg = (unsigned)(tu_rand(&rs) % 3);
        if (sg)
            s[k++] = sg == 1 ? '-' : '+';
        int nd = 1 + (int)(tu_rand(&rs) % 40);
        int dot = (int)(tu_rand(&rs) % (unsigned)(nd + 2)) - 1; /* -1: none; nd: "ddd." */
        int lead0 = tu_rand(&rs) % 4 == 0 ? (int)(tu_rand(&rs) % 25) : 0;
        bool zeros = tu_rand(&rs) % 32 == 0; /* all digits zero */
        for (int j = 0; j < lead0; j++)
            s[k++] = '0';
        int nint = 0; /* digits before the point, for the magnitude */
        for (int j = 0; j < nd; j++) {
            if (j == dot)
                s[k++] = '.';
            nint += dot < 0 || j < dot;
            s[k++] = zeros ? '0' : (char)('0' + tu_rand(&rs) % 10);
        }
        if (dot == nd)
            s[k++] = '.';
        if (tu_rand(&rs) % 4) {
            /* the value's decimal magnitude, then the exponent that gives it */
            int mag;
            switch (tu_rand(&rs) % 8) {
            case 0: mag = (int)(tu_rand(&rs) % 801) - 400; break; /* all, 0 and inf too */
            case 1: mag = (int)(tu_rand(&rs) % 26) - 330; break;  /* subnormals */
            case 2: mag = (int)(tu_rand(&rs) % 13) + 300; break;  /* overflow edge */
            default: mag = (int)(tu_rand(&rs) % 641) - 330; break;
            }
            int ex = mag - nint;
            const char *esign = ex < 0 ? "-" : tu_rand(&rs) & 1 ? "+" : "";
            const char *ezeros = tu_rand(&rs) % 8 == 0 ? "00" : "";
            k += snprintf(s + k, sizeof s - (size_t)k, "%c%s%s%d", tu_rand(&rs) & 1 ? 'e' : 'E',
                          esign, ezeros, ex < 0 ? -ex : ex);
        }
        s[k] = 0;
        check(s);
    }
}

/* How printf writes doubles: %.17g (round trip), %.6g, %g, %e, all exponents. */
static void test_printf_forms(void **state)
{
    (void)state;
    uint64_t rs = 0x5eed1234u;
    char s[64];
    const int n = 300000;
    for (int i = 0; i < n; i++) {
        /* half from random bits (all exponents, subnormals too), half of everyday size */
        double d;
        if (i & 1) {
            do
                d = from_bits(tu_rand(&rs));
            while (!isfinite(d));
        } else {
            d = (tu_rand_unit(&rs) - 0.5) * pow(10.0, (double)(int)(tu_rand(&rs) % 25) - 12);
        }
        static const char *fmts[] = {"%.17g", "%.6g", "%g", "%e", "%.16e", "%.20e", "%.9e"};
        for (size_t f = 0; f < sizeof fmts / sizeof fmts[0]; f++) {
            snprintf(s, sizeof s, fmts[f], d);
            check(s);
        }
    }
}

/* 19 and 20 digit mantissas: where the integer paths end and the long one
 * starts. Random 19-digit w (up to 9999999999999999999 > 2^63) at exponents
 * around both ends of the range; the same with a 20th digit (a 0: the value
 * is still w; else a dropped digit), leading zeros and the point inside. */
static void test_19_20_digits(void **state)
{
    (void)state;
    uint64_t rs = 0x1920u;
    char s[128], w[24];
    const int n = 150000;
    for (int i = 0; i < n; i++) {
        w[0] = (char)('1' + tu_rand(&rs) % 9);
        for (int j = 1; j < 19; j++)
            w[j] = (char)('0' + tu_rand(&rs) % 10);
        w[19] = 0;
        int q;
        switch (tu_rand(&rs) % 4) {
        case 0: q = (int)(tu_rand(&rs) % 41) - 365; break; /* the low end: P5_MIN is -342 */
        case 1: q = (int)(tu_rand(&rs) % 41) + 270; break; /* the high end: 1e308 */
        case 2: q = (int)(tu_rand(&rs) % 61) - 30; break;  /* near 1 */
        default: q = (int)(tu_rand(&rs) % 691) - 360; break;
        }
        const char *sign = tu_rand(&rs) & 1 ? "-" : "";
        snprintf(s, sizeof s, "%s%se%d", sign, w, q);
        check(s);
        snprintf(s, sizeof s, "%s%s0e%d", sign, w, q - 1); /* 20 digits, the same value */
        check(s);
        snprintf(s, sizeof s, "%s%s%ce%d", sign, w, (char)('1' + tu_rand(&rs) % 9), q - 1);
        check(s);
        int at = 1 + (int)(tu_rand(&rs) % 18); /* the point inside */
        snprintf(s, sizeof s, "%s%.*s.%se%d", sign, at, w, w + at, q + 19 - at);
        check(s);
        snprintf(s, sizeof s, "%s0.000%se%d", sign, w, q + 23); /* leading zeros, 19 significant */
        check(s);
        snprintf(s, sizeof s, "%s%s", sign, w); /* plain integers */
        check(s);
    }
    /* the largest integers that fit, and one past */
    static const char *edge[] = {"9999999999999999999", "10000000000000000000",
                                 "18446744073709551615", "18446744073709551616",
                                 "9223372036854775807", "9223372036854775808",
                                 "1999999999999999999e-342", "1999999999999999999e-343",
                                 "9999999999999999999e-343", "9999999999999999999e289",
                                 "1797693134862315708e289", "1797693134862315807e289"};
    for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++)
        check(edge[i]);
}

/* ==== halfway cases ================================================================= */

#if LDBL_MANT_DIG >= 64
/* The exact decimal value of the midpoint between d >= 0 and its successor
 * (a long double holds it exactly; printf prints it exactly), trailing zeros
 * dropped: a tie that must round to the even neighbour. */
static long double midpoint(double d)
{
    double next = nextafter(d, INFINITY);
    /* above DBL_MAX: where 2^1024 would be, the overflow threshold in between */
    long double up = isinf(next) ? ldexpl(1.0L, 1024) : (long double)next;
    return ((long double)d + up) / 2;
}

static void exact_midpoint(char *dst, size_t cap, double d)
{
    long double mid = midpoint(d);
    snprintf(dst, cap, "%.1100Le", mid); /* at most ~770 significant digits */
    char *e = strchr(dst, 'e');
    char *z = e;
    while (z[-1] == '0')
        z--;
    if (z[-1] == '.')
        z--;
    memmove(z, e, strlen(e) + 1);
}

/* s with extra digits appended to its mantissa (so just above the tie). */
static void just_above(char *dst, size_t cap, const char *s)
{
    const char *e = strchr(s, 'e');
    bool has_dot = memchr(s, '.', (size_t)(e - s)) != NULL;
    snprintf(dst, cap, "%.*s%s0000001%s", (int)(e - s), s, has_dot ? "" : ".", e);
}

/* s cut to k significant digits (just below the tie), nudged up sometimes */
static void just_below(char *dst, size_t cap, const char *s, int k, bool nudge)
{
    const char *e = strchr(s, 'e');
    int m = 0;
    char mant[64];
    for (const char *p = s; p < e && m < k + 1 && m < 60; p++)
        mant[m++] = *p;
    mant[m] = 0;
    if (nudge && m > 2)
        mant[m - 1] = '9';
    snprintf(dst, cap, "%s%s", mant, e);
}

static void check_ties_of(double d, uint64_t *rs)
{
    static char tie[1200], s[1300];
    exact_midpoint(tie, sizeof tie, d);
    check(tie);
    snprintf(s, sizeof s, "-%s", tie);
    check(s);
    just_above(s, sizeof s, tie);
    check(s);
    if (strchr(tie, 'e') - tie > 18) {
        just_below(s, sizeof s, tie, 16 + (int)(tu_rand(rs) % 10), tu_rand(rs) & 1);
        check(s);
    }
}
#endif

/* Exact ties between two doubles, printed in full: random doubles of every
 * size (subnormals, the overflow threshold 2^1024 - 2^970 included), and
 * binades where the tie has at most 20 significant digits (doubles in
 * [2^45, 2^70): "4503599627370496.5", odd integers above 2^53), where the
 * fast paths, not strtod, must see that it is a tie. */
static void test_halfway(void **state)
{
    (void)state;
#if LDBL_MANT_DIG >= 64
    uint64_t rs = 0x7135u;
    static const double fixed[] = {0.0, 5e-324, 2.2250738585072009e-308, 2.2250738585072014e-308,
                                   1.0, 0.1, 9007199254740992.0, 1.7976931348623157e308};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        check_ties_of(fixed[i], &rs);
    for (int i = 0; i < 60000; i++) {
        double d;
        switch (i % 3) {
        case 0: /* any finite double */
            do
                d = from_bits(tu_rand(&rs) >> 1);
            while (!isfinite(d));
            break;
        case 1: /* subnormals and the smallest normals */
            d = from_bits(tu_rand(&rs) % ((uint64_t)3 << 52));
            break;
        default: /* short ties: 2^45 .. 2^70 */
            d = ldexp(1.0 + tu_rand_unit(&rs), 45 + (int)(tu_rand(&rs) % 25));
            break;
        }
        check_ties_of(d, &rs);
    }
    /* short ties written as integers with trailing zeros and a negative
     * exponent (up to 20 digits), and in e notation at 17 digits */
    char s[96];
    for (int i = 0; i < 60000; i++) {
        double d = ldexp(1.0 + tu_rand_unit(&rs), 53 + (int)(tu_rand(&rs) % 10)); /* ulp >= 2 */
        long double mid = midpoint(d);
        int z = (int)(tu_rand(&rs) % 4);
        snprintf(s, sizeof s, "%.0Lf%.*se-%d", mid, z, "000", z);
        check(s);
        snprintf(s, sizeof s, "%.0Lf.%.*s", mid, z, "000");
        check(s);
    }
    for (int i = 0; i < 60000; i++) { /* n + 0.5, n + 0.25, ...: 17 to 20 digits */
        int b = 49 + (int)(tu_rand(&rs) % 4);
        double d = ldexp(1.0 + tu_rand_unit(&rs), b);
        long double mid = midpoint(d);
        snprintf(s, sizeof s, "%.*Lf", 53 - b, mid);
        check(s);
    }
#else
    print_message("no 64-bit long double here: the exact midpoints are not generated\n");
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_calls_in_threads), /* first: builds the tables */
        cmocka_unit_test(test_cases_vs_strtod),
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_words),
        cmocka_unit_test(test_rejected_and_prefixes),
        cmocka_unit_test(test_random_decimal),
        cmocka_unit_test(test_printf_forms),
        cmocka_unit_test(test_19_20_digits),
        cmocka_unit_test(test_halfway),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
