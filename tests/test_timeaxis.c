/* Date/time axes (src/overlay/timeaxis.h): units, header names, ISO-8601
 * parsing and formatting, time zones (checked against the C library's own
 * reading of tzdata), and the axis' ticks and labels: fixed snapshots worked
 * out by hand, then a sweep of spans from 1 ms to 100 years with a fake font
 * (7 px per character). The IANA cases skip where /usr/share/zoneinfo is
 * missing. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "overlay/timeaxis.h"
#include "testutil.h"

/* 2024-03-05T14:07:09.123456789Z: 19787 days (54 years with 13 leap days,
 * then 31 + 29 + 4) and 50829 s */
#define NS0 INT64_C(1709647629123456789)
#define S0 INT64_C(1709647629)
#define MS0 INT64_C(1709647629123)
#define SEC_NS INT64_C(1000000000)

static float measure7(void *ctx, const char *label)
{
    (void)ctx;
    return 7.0f * (float)strlen(label);
}

static int64_t iso(const char *s, const time_zone *tz)
{
    int64_t ns = 0;
    if (!time_parse_iso(s, strlen(s), tz, &ns)) {
        char why[128];
        time_parse_iso_explain(s, strlen(s), why, sizeof why);
        fail_msg("\"%s\" does not parse: %s", s, why);
    }
    return ns;
}

static bool have_zoneinfo(void)
{
    return access(TIME_ZONE_DIR "/Europe/Berlin", R_OK) == 0;
}

static time_zone zone(const char *name)
{
    time_zone tz;
    vp_err err;
    if (!time_zone_parse(name, &tz, &err))
        fail_msg("zone %s: %s", name, err.msg);
    return tz;
}

static void print_set(const char *what, const tick_set *t, const char *context)
{
    fprintf(stderr, "%s: n=%d step=%.17g context=\"%s\":", what, t->n, t->step, context);
    for (int i = 0; i < t->n; i++)
        fprintf(stderr, " \"%s\"", t->label[i]);
    fprintf(stderr, "\n");
}

/* ---- units and header names --------------------------------------------------------- */

static void test_units(void **state)
{
    (void)state;
    assert_true(time_unit_ns(TIME_S) == SEC_NS);
    assert_true(time_unit_ns(TIME_MS) == 1000000);
    assert_true(time_unit_ns(TIME_US) == 1000);
    assert_true(time_unit_ns(TIME_NS) == 1);
    static const char *const names[] = {"s", "ms", "us", "ns"};
    for (int i = 0; i < 4; i++) {
        time_unit u = TIME_S;
        assert_true(time_unit_parse(names[i], &u));
        assert_int_equal(u, i);
        assert_string_equal(time_unit_name(u), names[i]);
    }
    time_unit u;
    assert_false(time_unit_parse("sec", &u));
    assert_false(time_unit_parse("MS", &u));
    assert_false(time_unit_parse("", &u));
    assert_false(time_unit_parse(NULL, &u));

    static const struct {
        double v;
        time_unit u;
    } guess[] = {{0, TIME_S},       {1, TIME_S},        {-5, TIME_S},        {1.7e9, TIME_S},
                 {9.99e10, TIME_S}, {1e11, TIME_MS},    {1.7e12, TIME_MS},   {-1.7e12, TIME_MS},
                 {9.9e13, TIME_MS}, {1e14, TIME_US},    {1.7e15, TIME_US},   {1e17, TIME_NS},
                 {1.7e18, TIME_NS}, {9.2e18, TIME_NS},  {NAN, TIME_S},       {INFINITY, TIME_NS}};
    for (size_t i = 0; i < sizeof guess / sizeof *guess; i++)
        if (time_unit_guess(guess[i].v) != guess[i].u)
            fail_msg("time_unit_guess(%g) = %d, want %d", guess[i].v, time_unit_guess(guess[i].v),
                     guess[i].u);
}

static void test_header_names(void **state)
{
    (void)state;
    static const char *const yes[] = {"time",      "Time",     "TIMESTAMP", "date",     "DateTime",
                                      "t",         "T",        "ts",        "TS",       "epoch",
                                      "unix_time", "EVENT_TS", "created_at", "time_utc", "Time_s",
                                      "x_at"};
    static const char *const no[] = {"",      "x",     "tim",     "times", "timer",  "value",
                                     "_at",   "at",    "date2",   "t1",    "format", "time_",
                                     "_time", "stamp", "updated", "data",  "ts2"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        if (!time_header_name(yes[i]))
            fail_msg("\"%s\" should name a time", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        if (time_header_name(no[i]))
            fail_msg("\"%s\" should not name a time", no[i]);
    assert_false(time_header_name(NULL));
}

/* ---- ISO-8601 ----------------------------------------------------------------------- */

static void test_iso_valid(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        int64_t ns;
    } cases[] = {
        {"1970-01-01", 0},
        {"1970-01-01T00:00:00Z", 0},
        {"1970-01-01T00:00:01.5Z", 1500000000},
        {"1970-01-01 00:00:00.000000001", 1},
        {"1969-12-31T23:59:59.999999999Z", -1},
        {"1969-12-31", -86400 * SEC_NS},
        {"2024-03-05T14:07:09.123456789Z", NS0},
        {"2024-03-05T14:07:09.123456789", NS0},
        {"2024-03-05t14:07:09.123456789z", NS0},
        {"2024-03-05 14:07:09.123456789Z", NS0},
        {"2024-03-05T14:07:09.1Z", S0 * SEC_NS + 100000000},
        {"2024-03-05T14:07:09Z", S0 * SEC_NS},
        {"2024-03-05T14:07", (S0 - 9) * SEC_NS},
        {"2024-03-05T14:07Z", (S0 - 9) * SEC_NS},
        {"2024-03-05", (S0 - 50829) * SEC_NS},
        {"2024-03-05T14:07:09+01:00", (S0 - 3600) * SEC_NS},
        {"2024-03-05T14:07:09+0100", (S0 - 3600) * SEC_NS},
        {"2024-03-05T14:07:09+01", (S0 - 3600) * SEC_NS},
        {"2024-03-05T14:07:09.123456789-08:00", NS0 + 28800 * SEC_NS},
        {"2024-03-05T14:07:09+05:30", (S0 - 19800) * SEC_NS},
        {"2024-03-05T14:07+00:53:28", (S0 - 9 - 3208) * SEC_NS},
        {"2024-03-05T14:07:09-00:00", S0 * SEC_NS},
        /* leap day: 19723 days to 2024-01-01, + 31 + 28 */
        {"2024-02-29", INT64_C(1709164800) * SEC_NS},
        {"2000-02-29T12:00:00Z", INT64_C(951825600) * SEC_NS},
        {"1900-01-01T00:00:00Z", INT64_C(-2208988800) * SEC_NS},
        {"1900-02-28T23:59:59Z", (INT64_C(-2208988800) + 59 * 86400 - 1) * SEC_NS},
        {"1900-03-01", (INT64_C(-2208988800) + 59 * 86400) * SEC_NS}, /* 1900 is not leap */
        {"2262-04-11T23:47:16.854775807Z", INT64_MAX},
        {"1677-09-21T00:12:43.145224192Z", INT64_MIN},
        {"2262-04-12T00:47:16.854775807+01:00", INT64_MAX},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int64_t got = iso(cases[i].s, NULL);
        if (got != cases[i].ns)
            fail_msg("\"%s\" -> %lld, want %lld", cases[i].s, (long long)got, (long long)cases[i].ns);
    }
    /* n bytes, not the NUL: the rest of a field is not read */
    int64_t ns;
    assert_true(time_parse_iso("2024-03-05XYZ", 10, NULL, &ns));
    assert_true(ns == (S0 - 50829) * SEC_NS);
    assert_true(time_parse_iso("2024-03-05T14:07:09.123456789Z,42", 30, NULL, &ns));
    assert_true(ns == NS0);

    /* local time of a fixed zone; an explicit offset wins over the zone */
    time_zone ist = zone("+05:30");
    assert_true(iso("2024-03-05T19:37:09.123456789", &ist) == NS0);
    assert_true(iso("2024-03-05T14:07:09.123456789Z", &ist) == NS0);
    time_zone pst = zone("-0800");
    assert_true(iso("2024-03-05", &pst) == (S0 - 50829 + 28800) * SEC_NS);
}

static void expect_invalid(const char *s, const char *why_part)
{
    int64_t ns = 12345;
    if (time_parse_iso(s, strlen(s), NULL, &ns))
        fail_msg("\"%s\" parsed as %lld", s, (long long)ns);
    char why[160];
    time_parse_iso_explain(s, strlen(s), why, sizeof why);
    if (!strstr(why, why_part))
        fail_msg("\"%s\": explained as \"%s\", want \"%s\"", s, why, why_part);
}

static void test_iso_invalid(void **state)
{
    (void)state;
    expect_invalid("", "expected a date YYYY-MM-DD");
    expect_invalid("2024", "expected a date YYYY-MM-DD");
    expect_invalid("2024-3-5", "expected a date YYYY-MM-DD");
    expect_invalid("2024-03-5", "expected a date YYYY-MM-DD");
    expect_invalid("2024/03/05", "expected a date YYYY-MM-DD");
    expect_invalid("+2024-03-05", "expected a date YYYY-MM-DD");
    expect_invalid(" 2024-03-05", "expected a date YYYY-MM-DD");
    expect_invalid("24-03-05", "expected a date YYYY-MM-DD");
    expect_invalid("2024-13-01", "month 13 out of range (1-12)");
    expect_invalid("2024-00-10", "month 0 out of range (1-12)");
    expect_invalid("2023-02-29", "day 29 out of range for 2023-02 (1-28)");
    expect_invalid("1900-02-29", "day 29 out of range for 1900-02 (1-28)");
    expect_invalid("2024-04-31", "day 31 out of range for 2024-04 (1-30)");
    expect_invalid("2024-01-00", "day 0 out of range");
    expect_invalid("2024-03-05T24:00", "hour 24 out of range (0-23)");
    expect_invalid("2024-03-05T14:60", "minute 60 out of range (0-59)");
    expect_invalid("2024-03-05T23:59:60Z", "second 60 out of range (0-59; leap seconds");
    expect_invalid("2024-03-05T14:07:09.1234567891Z", "more than 9 fractional second digits");
    expect_invalid("2024-03-05T14:07:09.Z", "expected digits after the decimal point");
    expect_invalid("2024-03-05T14:07:09Zjunk", "unexpected 'junk' after the time");
    expect_invalid("2024-03-05T14:07:09 ", "unexpected ' ' after the time");
    expect_invalid("2024-03-05T14:07:09 +01:00", "unexpected ' +01:00' after the time");
    expect_invalid("2024-03-05x", "unexpected 'x' after the date");
    expect_invalid("2024-03-05Z", "unexpected 'Z' after the date");
    expect_invalid("2024-03-05T", "expected a time HH:MM after the date");
    expect_invalid("2024-03-05T14", "expected a time HH:MM after the date");
    expect_invalid("2024-03-05  14:07", "expected a time HH:MM after the date");
    expect_invalid("2024-03-05T14:7", "expected a time HH:MM after the date");
    expect_invalid("2024-03-05T14:07.5", "unexpected '.5' after the time");
    expect_invalid("2024-03-05T14:07:9", "expected 2-digit seconds");
    expect_invalid("2024-03-05T14:07:09+1", "expected an offset");
    expect_invalid("2024-03-05T14:07:09+01:", "expected 2-digit minutes in the offset");
    expect_invalid("2024-03-05T14:07:09+24:00", "offset hour 24 out of range");
    expect_invalid("2024-03-05T14:07:09+01:60", "out of range (0-59)");
    expect_invalid("2024-03-05T14:07:09+01:00:5", "expected 2-digit seconds in the offset");
    /* the int64 ns range, to the nanosecond */
    expect_invalid("0000-01-01", "outside the int64 nanosecond range");
    expect_invalid("9999-12-31T23:59:59Z", "outside the int64 nanosecond range");
    expect_invalid("1677-09-21T00:12:43.145224191Z", "outside the int64 nanosecond range");
    expect_invalid("2262-04-11T23:47:16.854775808Z", "outside the int64 nanosecond range");
    expect_invalid("2262-04-11T23:47:16.854775807-00:01", "outside the int64 nanosecond range");
    int64_t ns;
    assert_false(time_parse_iso("2024-03-05T14:07", 13, NULL, &ns)); /* cut at n */
    char why[64];
    time_parse_iso_explain("2024-03-05", 10, why, sizeof why);
    assert_string_equal(why, "valid");
    /* a short buffer still ends in a NUL */
    char tiny[8];
    time_parse_iso_explain("2024-13-01", 10, tiny, sizeof tiny);
    assert_string_equal(tiny, "month 1");
}

static void test_format(void **state)
{
    (void)state;
    char buf[64];
    time_format_iso(NS0, NULL, 9, buf, sizeof buf);
    assert_string_equal(buf, "2024-03-05T14:07:09.123456789Z");
    time_format_iso(NS0, NULL, 3, buf, sizeof buf);
    assert_string_equal(buf, "2024-03-05T14:07:09.123Z");
    time_format_iso(NS0, NULL, 0, buf, sizeof buf);
    assert_string_equal(buf, "2024-03-05T14:07:09Z");
    time_format_iso(NS0, NULL, 12, buf, sizeof buf); /* clamped */
    assert_string_equal(buf, "2024-03-05T14:07:09.123456789Z");
    time_format_iso(-1, NULL, 9, buf, sizeof buf);
    assert_string_equal(buf, "1969-12-31T23:59:59.999999999Z");
    time_format_iso(-1, NULL, 2, buf, sizeof buf); /* truncated, never rounded up */
    assert_string_equal(buf, "1969-12-31T23:59:59.99Z");
    time_format_iso(INT64_MIN, NULL, 9, buf, sizeof buf);
    assert_string_equal(buf, "1677-09-21T00:12:43.145224192Z");
    time_format_iso(INT64_MAX, NULL, 9, buf, sizeof buf);
    assert_string_equal(buf, "2262-04-11T23:47:16.854775807Z");
    time_zone ist = zone("UTC+5:30");
    time_format_iso(NS0, &ist, 3, buf, sizeof buf);
    assert_string_equal(buf, "2024-03-05T19:37:09.123+05:30");
    time_zone west = zone("-08");
    time_format_iso(NS0, &west, 0, buf, sizeof buf);
    assert_string_equal(buf, "2024-03-05T06:07:09-08:00");
    char small[11];
    time_format_iso(NS0, NULL, 9, small, sizeof small);
    assert_string_equal(small, "2024-03-05");
}

static void check_round_trip(const time_zone *tz, uint64_t seed)
{
    char buf[64];
    for (int i = 0; i < 20000; i++) {
        int64_t x = (int64_t)tu_rand(&seed);
        if (i % 4 == 1) /* near today, where the data is */
            x = NS0 + (int64_t)(tu_rand(&seed) % (UINT64_C(1) << 62)) - (INT64_C(1) << 61);
        if (i == 0)
            x = INT64_MIN;
        if (i == 1)
            x = INT64_MAX;
        time_format_iso(x, tz, 9, buf, sizeof buf);
        int64_t back;
        if (!time_parse_iso(buf, strlen(buf), tz, &back) || back != x)
            fail_msg("%lld -> \"%s\" -> %lld", (long long)x, buf, (long long)back);
        /* with fewer digits: the truncation (which takes INT64_MIN out of range) */
        time_format_iso(x, tz, 3, buf, sizeof buf);
        bool ok = time_parse_iso(buf, strlen(buf), tz, &back);
        if (x == INT64_MIN)
            assert_false(ok);
        else
            assert_true(ok && back <= x && x - back < 1000000);
    }
}

static void test_round_trip(void **state)
{
    (void)state;
    check_round_trip(NULL, 1);
    time_zone tz = zone("+05:30");
    check_round_trip(&tz, 2);
    tz = zone("-11:45");
    check_round_trip(&tz, 3);
    if (!have_zoneinfo())
        return;
    /* the offsets of IANA zones, local mean time before 1893 ("+00:53:28") included */
    tz = zone("Europe/Berlin");
    check_round_trip(&tz, 4);
    tz = zone("America/New_York");
    check_round_trip(&tz, 5);
}

/* ---- time zones ------------------------------------------------------------------------ */

static void test_zone_parse(void **state)
{
    (void)state;
    static const char *const utc[] = {"UTC", "utc", "Z", "z", "+00:00", "-0000", "UTC+0", ""};
    for (size_t i = 0; i < sizeof utc / sizeof *utc; i++) {
        time_zone tz = zone(utc[i]);
        assert_int_equal(tz.kind, TIME_ZONE_UTC);
        assert_string_equal(tz.name, "UTC");
        assert_int_equal(time_zone_offset(&tz, S0), 0);
    }
    time_zone tz;
    vp_err err;
    assert_true(time_zone_parse(NULL, &tz, &err));
    assert_int_equal(tz.kind, TIME_ZONE_UTC);
    assert_int_equal(time_zone_offset(NULL, S0), 0);
    static const struct {
        const char *s, *name;
        int off;
    } fixed[] = {{"+05:30", "UTC+05:30", 19800}, {"-0800", "UTC-08:00", -28800},
                 {"UTC+2", "UTC+02:00", 7200},   {"utc-3:30", "UTC-03:30", -12600},
                 {"+14", "UTC+14:00", 50400},    {"-23:59", "UTC-23:59", -86340}};
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++) {
        tz = zone(fixed[i].s);
        assert_int_equal(tz.kind, TIME_ZONE_FIXED);
        assert_string_equal(tz.name, fixed[i].name);
        assert_int_equal(time_zone_offset(&tz, 0), fixed[i].off);
        assert_int_equal(time_zone_offset(&tz, -S0 * 20), fixed[i].off);
    }
    static const char *const bad_offset[] = {"+24:00", "+5:3", "+12345", "+", "-08:60", "UTC+",
                                             "+05:30x", "+1:2:3"};
    for (size_t i = 0; i < sizeof bad_offset / sizeof *bad_offset; i++) {
        assert_false(time_zone_parse(bad_offset[i], &tz, &err));
        assert_msg_has(err, "bad time zone offset");
    }
    assert_false(time_zone_parse("Mars/Olympus", &tz, &err));
    assert_string_equal(err.msg, "unknown time zone 'Mars/Olympus' (no /usr/share/zoneinfo/Mars/Olympus)");
    assert_int_equal(tz.kind, TIME_ZONE_UTC); /* a failed parse leaves UTC */
    static const char *const bad_name[] = {"../../etc/passwd", "/etc/passwd", "Europe//Berlin",
                                           "Europe/../Berlin", "Europe/Berlin/", "a b", "Europe/./x",
                                           "..", "x\n"};
    for (size_t i = 0; i < sizeof bad_name / sizeof *bad_name; i++) {
        assert_false(time_zone_parse(bad_name[i], &tz, &err));
        assert_msg_has(err, "bad time zone");
    }
    if (!have_zoneinfo())
        skip();
    tz = zone("Europe/Berlin");
    assert_int_equal(tz.kind, TIME_ZONE_IANA);
    assert_string_equal(tz.name, "Europe/Berlin");
    assert_false(time_zone_parse("Europe", &tz, &err)); /* a folder */
    assert_msg_has(err, "unknown time zone 'Europe'");
    assert_false(time_zone_parse("europe/berlin", &tz, &err)); /* names are case-sensitive */
    assert_msg_has(err, "unknown time zone 'europe/berlin'");
    if (access(TIME_ZONE_DIR "/right/UTC", R_OK) == 0) {
        assert_false(time_zone_parse("right/UTC", &tz, &err));
        assert_msg_has(err, "leap seconds");
    }
    if (access(TIME_ZONE_DIR "/zone.tab", R_OK) == 0) {
        assert_false(time_zone_parse("zone.tab", &tz, &err));
        assert_msg_has(err, "is not a zone file");
    }
}

static void test_zone_offsets(void **state)
{
    (void)state;
    if (!have_zoneinfo())
        skip();
    time_zone b = zone("Europe/Berlin");
    /* the 2024 changes at 01:00 UTC */
    int64_t spring = iso("2024-03-31T01:00:00Z", NULL) / SEC_NS;
    int64_t autumn = iso("2024-10-27T01:00:00Z", NULL) / SEC_NS;
    assert_int_equal(time_zone_offset(&b, spring - 1), 3600);
    assert_int_equal(time_zone_offset(&b, spring), 7200);
    assert_int_equal(time_zone_offset(&b, autumn - 1), 7200);
    assert_int_equal(time_zone_offset(&b, autumn), 3600);
    /* long after the file's table: its rule CET-1CEST,M3.5.0,M10.5.0/3 (the
     * last Sundays of March and October: 2100-03-28 and 2100-10-31) */
    assert_int_equal(time_zone_offset(&b, iso("2100-01-15", NULL) / SEC_NS), 3600);
    assert_int_equal(time_zone_offset(&b, iso("2100-03-28T00:59:59Z", NULL) / SEC_NS), 3600);
    assert_int_equal(time_zone_offset(&b, iso("2100-03-28T01:00:00Z", NULL) / SEC_NS), 7200);
    assert_int_equal(time_zone_offset(&b, iso("2100-10-31T00:59:59Z", NULL) / SEC_NS), 7200);
    assert_int_equal(time_zone_offset(&b, iso("2100-10-31T01:00:00Z", NULL) / SEC_NS), 3600);
    assert_int_equal(time_zone_offset(&b, INT64_C(100000000000)), 3600); /* 5138-11-16 */
    /* local mean time before 1893 */
    assert_int_equal(time_zone_offset(&b, iso("1850-06-01", NULL) / SEC_NS), 3208);
    /* the southern hemisphere: DST across New Year */
    time_zone syd = zone("Australia/Sydney");
    assert_int_equal(time_zone_offset(&syd, iso("2024-01-15", NULL) / SEC_NS), 39600);
    assert_int_equal(time_zone_offset(&syd, iso("2024-07-15", NULL) / SEC_NS), 36000);
    assert_int_equal(time_zone_offset(&syd, iso("2150-01-15", NULL) / SEC_NS), 39600);
    assert_int_equal(time_zone_offset(&syd, iso("2150-07-15", NULL) / SEC_NS), 36000);

    /* against the C library's reading of the same files, 1850..2400 */
    static const char *const names[] = {"Europe/Berlin",     "America/New_York", "Australia/Sydney",
                                        "Asia/Kolkata",      "Australia/Lord_Howe", "Asia/Gaza",
                                        "Africa/Casablanca", "America/Sao_Paulo", "Pacific/Apia",
                                        "Europe/London",     "America/St_Johns", "Asia/Kathmandu",
                                        "Pacific/Chatham",   "America/Santiago", "Europe/Dublin"};
    const char *old = getenv("TZ");
    char saved[256];
    snprintf(saved, sizeof saved, "%s", old ? old : "");
    uint64_t seed = 99;
    int compared = 0;
    for (size_t z = 0; z < sizeof names / sizeof *names; z++) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", TIME_ZONE_DIR, names[z]);
        if (access(path, R_OK) != 0)
            continue;
        time_zone tz = zone(names[z]);
        char env[300];
        snprintf(env, sizeof env, ":%s", path);
        setenv("TZ", env, 1);
        tzset();
        for (int i = 0; i < 5000; i++) {
            int64_t t = -3786825600LL + (int64_t)(tu_rand(&seed) % UINT64_C(17356838400));
            time_t tt = (time_t)t;
            struct tm tm;
            assert_non_null(localtime_r(&tt, &tm));
            if (time_zone_offset(&tz, t) != tm.tm_gmtoff)
                fail_msg("%s at %lld: offset %d, the C library says %ld", names[z], (long long)t,
                         time_zone_offset(&tz, t), (long)tm.tm_gmtoff);
            compared++;
        }
    }
    if (old)
        setenv("TZ", saved, 1);
    else
        unsetenv("TZ");
    tzset();
    fprintf(stderr, "%d offsets agree with localtime_r\n", compared);
}

/* Local times: the first of a repeated hour, a skipped one read forward. */
static void test_zone_local_times(void **state)
{
    (void)state;
    if (!have_zoneinfo())
        skip();
    time_zone b = zone("Europe/Berlin");
    assert_true(iso("2024-07-01T12:00", &b) == iso("2024-07-01T10:00Z", NULL));
    assert_true(iso("2024-01-01", &b) == iso("2023-12-31T23:00Z", NULL));
    assert_true(iso("2024-03-31T01:59:59", &b) == iso("2024-03-31T00:59:59Z", NULL));
    assert_true(iso("2024-03-31T02:30", &b) == iso("2024-03-31T01:30Z", NULL)); /* 03:30 CEST */
    assert_true(iso("2024-03-31T03:00", &b) == iso("2024-03-31T01:00Z", NULL));
    assert_true(iso("2024-10-27T02:30", &b) == iso("2024-10-27T00:30Z", NULL)); /* CEST, first */
    assert_true(iso("2024-10-27T03:00", &b) == iso("2024-10-27T02:00Z", NULL));
    assert_true(iso("2024-10-27T02:30+01:00", &b) == iso("2024-10-27T01:30Z", NULL));
    /* every instant of a few zones reads back from its local time alone,
     * except in a repeated hour, where the first is taken */
    static const char *const names[] = {"Europe/Berlin", "America/New_York", "Australia/Lord_Howe"};
    uint64_t seed = 5;
    for (size_t z = 0; z < sizeof names / sizeof *names; z++) {
        time_zone tz = zone(names[z]);
        for (int i = 0; i < 20000; i++) {
            int64_t x = NS0 + (int64_t)(tu_rand(&seed) % (UINT64_C(1) << 61)) - (INT64_C(1) << 60);
            char buf[64];
            time_format_iso(x, &tz, 9, buf, sizeof buf);
            buf[29] = 0; /* drop the offset */
            int64_t back = iso(buf, &tz);
            int64_t s = x / SEC_NS - (x % SEC_NS < 0);
            int64_t later = s + 3 * 3600;
            bool repeated = time_zone_offset(&tz, s) != time_zone_offset(&tz, s - 3 * 3600) ||
                            time_zone_offset(&tz, s) != time_zone_offset(&tz, later);
            if (back != x && !(repeated && back < x))
                fail_msg("%s: %lld -> \"%s\" -> %lld", names[z], (long long)x, buf, (long long)back);
        }
    }
}

/* ---- the axis --------------------------------------------------------------------------- */

static ticks_layout_params params(float axis_px)
{
    ticks_layout_params p = {.axis_px = axis_px, .gap_px = 10, .room_lo = -1, .room_hi = -1,
                             .measure = measure7};
    return p;
}

static time_axis axis(int64_t origin, time_unit unit, const char *tz)
{
    time_axis ta;
    memset(&ta, 0, sizeof ta);
    ta.origin = origin;
    ta.unit = unit;
    ta.tz = zone(tz);
    return ta;
}

/* Ascending values inside the limits, neighbouring labels distinct, labels
 * apart by the gap and inside the room. */
static void check_axis(double lo, double hi, const ticks_layout_params *p, const tick_set *t,
                       const char *context)
{
    double a = fmin(lo, hi), b = fmax(lo, hi);
    bool rev = hi < lo;
    double prev_edge = -INFINITY;
    assert_true(t->n >= 0 && t->n <= TICKS_MAX);
    for (int i = 0; i < t->n; i++) {
        if (!(t->value[i] >= a && t->value[i] <= b) || (i > 0 && !(t->value[i] > t->value[i - 1]))) {
            print_set("set", t, context);
            fail_msg("value %d = %.17g outside [%.17g, %.17g] or not ascending", i, t->value[i], a, b);
        }
        if (i > 0 && strcmp(t->label[i], t->label[i - 1]) == 0) {
            print_set("set", t, context);
            fail_msg("labels %d and %d are both \"%s\"", i - 1, i, t->label[i]);
        }
    }
    for (int j = 0; j < t->n; j++) {
        int i = rev ? t->n - 1 - j : j;
        double pos = (t->value[i] / 2 - lo / 2) / (hi / 2 - lo / 2) * p->axis_px;
        double half = measure7(NULL, t->label[i]) / 2;
        if (pos - half < prev_edge + p->gap_px - 1e-3) {
            print_set("overlap", t, context);
            fail_msg("labels overlap on a %g px axis for [%.17g, %.17g]", (double)p->axis_px, lo, hi);
        }
        if ((p->room_lo >= 0 && pos - half < -p->room_lo - 1e-3) ||
            (p->room_hi >= 0 && pos + half > p->axis_px + p->room_hi + 1e-3)) {
            print_set("outside", t, context);
            fail_msg("label \"%s\" at %g reaches outside the room", t->label[i], pos);
        }
        prev_edge = pos + half;
    }
}

static void expect_axis(const char *what, const time_axis *ta, double lo, double hi, float px,
                        const char *context, int n, const char *const *labels)
{
    ticks_layout_params p = params(px);
    tick_set t;
    char ctx[64];
    assert_true(timeaxis_layout(lo, hi, ta, &p, &t, ctx));
    check_axis(lo, hi, &p, &t, ctx);
    bool same = t.n == n && strcmp(ctx, context) == 0;
    for (int i = 0; same && i < n; i++)
        same = strcmp(t.label[i], labels[i]) == 0;
    if (!same) {
        print_set(what, &t, ctx);
        fail_msg("%s: not the expected %d labels, context \"%s\"", what, n, context);
    }
}

#define EXPECT_AXIS(what, ta, lo, hi, px, context, ...)                                        \
    do {                                                                                       \
        static const char *const want_[] = {__VA_ARGS__};                                      \
        expect_axis(what, ta, lo, hi, px, context, (int)(sizeof want_ / sizeof *want_), want_); \
    } while (0)

/* The labels of fixed spans on a 1000 px axis (7 px per character, 10 px
 * gap), each worked out by hand: the densest step whose labels keep
 * width + 10 px apart wins. */
static void test_snapshots(void **state)
{
    (void)state;
    time_axis ns = axis(NS0, TIME_NS, "UTC"), ms = axis(MS0, TIME_MS, "UTC"),
              s = axis(S0, TIME_S, "UTC");
    /* 09.123456789 .. 09.124456789: 20 and 50 us steps space 20 and 50 px,
     * too close for 8-character labels; 100 us steps (4 decimals) space 100 */
    EXPECT_AXIS("1 ms", &ns, 0, 1e6, 1000, "2024-03-05 14:07", "09.1235", "09.1236", "09.1237",
                "09.1238", "09.1239", "09.1240", "09.1241", "09.1242", "09.1243", "09.1244");
    /* 500 us steps space 50 px < 7 * 7 + 10; 1 ms steps 100 px */
    EXPECT_AXIS("10 ms", &ns, 0, 1e7, 1000, "2024-03-05 14:07", "09.124", "09.125", "09.126",
                "09.127", "09.128", "09.129", "09.130", "09.131", "09.132", "09.133");
    /* 09.123 .. 10.123 in ms: 50 ms steps space 50 px >= 5 * 7 + 10 */
    EXPECT_AXIS("1 s", &ms, 0, 1000, 1000, "2024-03-05 14:07", "09.15", "09.20", "09.25", "09.30",
                "09.35", "09.40", "09.45", "09.50", "09.55", "09.60", "09.65", "09.70", "09.75",
                "09.80", "09.85", "09.90", "09.95", "10.00", "10.05", "10.10");
    /* 2 s steps space 33 px < 8 * 7 + 10; 5 s steps 83 px */
    EXPECT_AXIS("1 min", &s, 0, 60, 1000, "2024-03-05", "14:07:10", "14:07:15", "14:07:20",
                "14:07:25", "14:07:30", "14:07:35", "14:07:40", "14:07:45", "14:07:50", "14:07:55",
                "14:08:00", "14:08:05");
    /* 2 min steps space 33 px < 5 * 7 + 10; 5 min steps 83 px */
    EXPECT_AXIS("1 h", &ns, 0, 3.6e12, 1000, "2024-03-05", "14:10", "14:15", "14:20", "14:25",
                "14:30", "14:35", "14:40", "14:45", "14:50", "14:55", "15:00", "15:05");
    /* 1 h steps space 42 px < 45; 2 h steps 83 px, midnight shows the day */
    EXPECT_AXIS("1 day", &s, 0, 86400, 1000, "2024-03-05", "16:00", "18:00", "20:00", "22:00",
                "Mar 06", "02:00", "04:00", "06:00", "08:00", "10:00", "12:00", "14:00");
    /* 6 h steps space 36 px; 12 h steps 71 px >= (35 + 42) / 2 + 10; the
     * context is the first tick's date */
    EXPECT_AXIS("1 week", &ms, 0, 7 * 86400e3, 1000, "2024-03-06", "Mar 06", "12:00", "Mar 07",
                "12:00", "Mar 08", "12:00", "Mar 09", "12:00", "Mar 10", "12:00", "Mar 11", "12:00",
                "Mar 12", "12:00");
    /* 1 day steps space 33 px < 52; 2 days 67 px: days 1, 3, ..., 29 (31 is
     * one day before Apr 01, less than 0.6 steps: left out) */
    EXPECT_AXIS("1 month", &s, 0, 30 * 86400.0, 1000, "2024", "Mar 07", "Mar 09", "Mar 11",
                "Mar 13", "Mar 15", "Mar 17", "Mar 19", "Mar 21", "Mar 23", "Mar 25", "Mar 27",
                "Mar 29", "Apr 01", "Apr 03");
    /* 15 day steps space 41 px < 52; months 83 px; January shows the year */
    EXPECT_AXIS("1 year", &ns, 0, 365 * 86400e9, 1000, "2024", "Apr", "May", "Jun", "Jul", "Aug",
                "Sep", "Oct", "Nov", "Dec", "2025", "Feb", "Mar");
    /* 2024-03-05 .. 2034-03-03: 3 month steps space 25 px; 6 months 50 px */
    EXPECT_AXIS("10 years", &s, 0, 10 * 365 * 86400.0, 1000, "2024", "Jul", "2025", "Jul", "2026",
                "Jul", "2027", "Jul", "2028", "Jul", "2029", "Jul", "2030", "Jul", "2031", "Jul",
                "2032", "Jul", "2033", "Jul", "2034");
    /* 1900-06-15 .. 2000-06-15: 2 year steps space 20 px; 5 years 50 px */
    time_axis old = axis(iso("1900-06-15", NULL) / SEC_NS, TIME_S, "UTC");
    EXPECT_AXIS("100 years", &old, 0, 100 * 365.2425 * 86400, 1000, "", "1905", "1910", "1915",
                "1920", "1925", "1930", "1935", "1940", "1945", "1950", "1955", "1960", "1965",
                "1970", "1975", "1980", "1985", "1990", "1995", "2000");

    /* the values: exact differences from the origin, in units */
    ticks_layout_params p = params(1000);
    tick_set t;
    char ctx[64];
    assert_true(timeaxis_layout(0, 1e6, &ns, &p, &t, ctx));
    assert_true(t.value[0] == 43211 && t.value[9] == 943211 && t.step == 1e5);
    assert_true(timeaxis_layout(0, 1000, &ms, &p, &t, ctx));
    assert_true(t.value[0] == 27 && t.value[17] == 877 && t.step == 50);
    assert_true(timeaxis_layout(0, 86400, &s, &p, &t, ctx));
    assert_true(t.value[0] == 6771 && t.value[4] == 35571 && t.step == 7200);
    assert_true(timeaxis_layout(0, 3.6e12, &ns, &p, &t, ctx));
    assert_true(t.value[0] == 170876543211.0 && t.step == 3e11);
    /* reversed limits: the same ticks (the overlap check reads them right to left) */
    EXPECT_AXIS("1 day reversed", &s, 86400, 0, 1000, "2024-03-05", "16:00", "18:00", "20:00",
                "22:00", "Mar 06", "02:00", "04:00", "06:00", "08:00", "10:00", "12:00", "14:00");
    /* limits around the origin, fractional units */
    EXPECT_AXIS("s unit, fractions", &s, 0.123, 1.123, 1000, "2024-03-05 14:07", "09.15", "09.20",
                "09.25", "09.30", "09.35", "09.40", "09.45", "09.50", "09.55", "09.60", "09.65",
                "09.70", "09.75", "09.80", "09.85", "09.90", "09.95", "10.00", "10.05", "10.10");
    /* below a second: 23:59:59.600 is on the 50 ms grid; midnight shows the day */
    time_axis mid = axis(iso("2024-03-05T23:59:59.6Z", NULL) / 1000000, TIME_MS, "UTC");
    EXPECT_AXIS("across midnight", &mid, 0, 800, 1000, "2024-03-05 23:59", "59.60", "59.65",
                "59.70", "59.75", "59.80", "59.85", "59.90", "59.95", "Mar 06", "00.05", "00.10",
                "00.15", "00.20", "00.25", "00.30", "00.35", "00.40");
    /* a new year at the day level; ns steps (9 decimals) */
    time_axis ny = axis(iso("2023-12-25", NULL) / SEC_NS, TIME_S, "UTC");
    EXPECT_AXIS("new year", &ny, 0, 14 * 86400.0, 1000, "2023", "Dec 25", "Dec 26", "Dec 27",
                "Dec 28", "Dec 29", "Dec 30", "Dec 31", "2024", "Jan 02", "Jan 03", "Jan 04",
                "Jan 05", "Jan 06", "Jan 07", "Jan 08");
    EXPECT_AXIS("ns steps", &ns, 0, 40, 1000, "2024-03-05 14:07", "09.123456790", "09.123456795",
                "09.123456800", "09.123456805", "09.123456810", "09.123456815", "09.123456820",
                "09.123456825");
}

static void test_dst(void **state)
{
    (void)state;
    if (!have_zoneinfo())
        skip();
    time_zone b = zone("Europe/Berlin");
    int64_t night = iso("2024-03-31T00:00", &b) / SEC_NS; /* 2024-03-30T23:00Z */
    assert_true(night == iso("2024-03-30T23:00Z", NULL) / SEC_NS);
    /* 1 h steps on 300 px (30 min ones space 25 px): local 02:00 does not
     * exist; the ticks stay an hour apart */
    time_axis ta = axis(night, TIME_S, "Europe/Berlin");
    EXPECT_AXIS("spring forward", &ta, 0, 6 * 3600, 300, "2024-03-31 Europe/Berlin", "Mar 31",
                "01:00", "03:00", "04:00", "05:00", "06:00", "07:00");
    ticks_layout_params p = params(300);
    tick_set t;
    char ctx[64];
    assert_true(timeaxis_layout(0, 6 * 3600, &ta, &p, &t, ctx));
    for (int i = 0; i < t.n; i++)
        assert_true(t.value[i] == 3600.0 * i);
    /* day ticks at local midnights: Mar 31 has 23 hours */
    ta = axis(night - 3 * 86400, TIME_S, "Europe/Berlin");
    EXPECT_AXIS("days", &ta, 0, 8 * 86400, 500, "2024 Europe/Berlin", "Mar 28", "Mar 29", "Mar 30",
                "Mar 31", "Apr 01", "Apr 02", "Apr 03", "Apr 04", "Apr 05");
    p = params(500);
    assert_true(timeaxis_layout(0, 8 * 86400, &ta, &p, &t, ctx));
    assert_int_equal(t.n, 9);
    for (int i = 1; i < t.n; i++)
        assert_true(t.value[i] - t.value[i - 1] == (i == 4 ? 23 : 24) * 3600.0);
    /* set back: the repeated 02:00 is taken once at hour steps (02:00 to
     * 03:00 is two hours), both times at 30 min steps */
    int64_t oct = iso("2024-10-27T00:00", &b) / SEC_NS; /* 2024-10-26T22:00Z */
    ta = axis(oct, TIME_S, "Europe/Berlin");
    EXPECT_AXIS("set back", &ta, 0, 6 * 3600, 300, "2024-10-27 Europe/Berlin", "Oct 27", "01:00",
                "02:00", "03:00", "04:00", "05:00");
    p = params(300);
    assert_true(timeaxis_layout(0, 6 * 3600, &ta, &p, &t, ctx));
    assert_true(t.value[2] == 7200 && t.value[3] == 14400);
    EXPECT_AXIS("set back, 30 min", &ta, 0, 6 * 3600, 1000, "2024-10-27 Europe/Berlin", "Oct 27",
                "00:30", "01:00", "01:30", "02:00", "02:30", "02:00", "02:30", "03:00", "03:30",
                "04:00", "04:30", "05:00");
    /* months at local midnight on the first: 23:00Z or 22:00Z the day before */
    ta = axis(iso("2024-01-15T00:00Z", NULL) / SEC_NS, TIME_S, "Europe/Berlin");
    p = params(1000);
    assert_true(timeaxis_layout(0, 330 * 86400.0, &ta, &p, &t, ctx));
    print_set("Berlin months", &t, ctx);
    assert_string_equal(t.label[0], "Feb");
    assert_string_equal(ctx, "2024 Europe/Berlin");
    for (int i = 0; i < t.n; i++) {
        char buf[64];
        int64_t tick = ta.origin + (int64_t)t.value[i];
        time_format_iso(tick * SEC_NS, &ta.tz, 0, buf, sizeof buf);
        assert_memory_equal(buf + 7, "-01T00:00:00+0", 14);
    }
}

static void test_fixed_zone_axis(void **state)
{
    (void)state;
    /* 14:07:09Z is 19:37:09 at +05:30: ticks at whole local hours, :30 UTC */
    time_axis ta = axis(S0, TIME_S, "+05:30");
    EXPECT_AXIS("+05:30 day", &ta, 0, 86400, 1000, "2024-03-05 UTC+05:30", "20:00", "22:00",
                "Mar 06", "02:00", "04:00", "06:00", "08:00", "10:00", "12:00", "14:00", "16:00",
                "18:00");
    ticks_layout_params p = params(1000);
    tick_set t;
    char ctx[64];
    assert_true(timeaxis_layout(0, 86400, &ta, &p, &t, ctx));
    assert_true(t.value[0] == 1371); /* 14:30:00Z */
    /* year ticks: the zone's name alone; Jan 1 at local midnight */
    time_axis yrs = axis(iso("1900-06-15", NULL) / SEC_NS, TIME_S, "-08:00");
    EXPECT_AXIS("-08:00 years", &yrs, 0, 100 * 365.2425 * 86400, 1000, "UTC-08:00", "1905", "1910",
                "1915", "1920", "1925", "1930", "1935", "1940", "1945", "1950", "1955", "1960",
                "1965", "1970", "1975", "1980", "1985", "1990", "1995", "2000");
    assert_true(timeaxis_layout(0, 100 * 365.2425 * 86400, &yrs, &p, &t, ctx));
    assert_true(yrs.origin + (int64_t)t.value[0] == iso("1905-01-01T08:00Z", NULL) / SEC_NS);
}

/* Spans from 1 ms to 100 years in steps of x1.5, for several units, zones,
 * directions and rooms: every set valid, at least two ticks (the rooms are at
 * least half the widest label, 12 characters). */
static void sweep(const char *what, const time_axis *ta, double per_s, double shift,
                  ticks_layout_params p, bool reversed)
{
    int count = 0;
    for (double span = 1e-3; span <= 100 * 365.2425 * 86400; span *= 1.5, count++) {
        double lo = (shift * span) * per_s, hi = lo + span * per_s;
        if (reversed) {
            double x = lo;
            lo = hi;
            hi = x;
        }
        tick_set t;
        char ctx[64];
        if (!timeaxis_layout(lo, hi, ta, &p, &t, ctx))
            fail_msg("%s: no layout for a span of %g s", what, span);
        check_axis(lo, hi, &p, &t, ctx);
        if (t.n < 2) {
            print_set(what, &t, ctx);
            fail_msg("%s: %d ticks for a span of %g s on %g px", what, t.n, span, (double)p.axis_px);
        }
        if (count % 8 == 0)
            print_set(what, &t, ctx);
    }
    assert_true(count > 70);
}

static void test_sweep(void **state)
{
    (void)state;
    ticks_layout_params p = params(1000);
    time_axis ns = axis(NS0, TIME_NS, "UTC");
    sweep("ns", &ns, 1e9, 0, p, false);
    time_axis s = axis(S0, TIME_S, "UTC");
    sweep("s, centred", &s, 1, -0.5, p, false);
    time_axis ms = axis(MS0, TIME_MS, "+05:45");
    sweep("ms +05:45 reversed", &ms, 1e3, -0.3, p, true);
    ticks_layout_params tight = {.axis_px = 600, .gap_px = 4, .room_lo = 42, .room_hi = 45,
                                 .measure = measure7};
    time_axis us = axis(iso("1969-12-31T23:59:59.999Z", NULL) / 1000, TIME_US, "-03:30");
    sweep("us, 600 px, room", &us, 1e6, 0, tight, false);
    time_axis far = axis(INT64_C(-62167219200), TIME_S, "UTC"); /* 0000-01-01 */
    sweep("year 0", &far, 1, -0.5, p, false);
    if (have_zoneinfo()) {
        time_axis b = axis(iso("2024-10-26T23:59:58Z", NULL), TIME_NS, "Europe/Berlin");
        sweep("ns Berlin", &b, 1e9, -0.2, p, false);
        time_axis lh = axis(iso("2024-04-06T14:59:59Z", NULL) / SEC_NS, TIME_S, "Australia/Lord_Howe");
        sweep("s Lord Howe", &lh, 1, -0.5, tight, true);
    }
}

static void test_axis_limits(void **state)
{
    (void)state;
    ticks_layout_params p = params(1000);
    time_axis s = axis(S0, TIME_S, "UTC");
    tick_set t;
    char ctx[64] = "x";
    assert_false(timeaxis_layout(NAN, 1, &s, &p, &t, ctx));
    assert_string_equal(ctx, "");
    assert_false(timeaxis_layout(0, INFINITY, &s, &p, &t, ctx));
    assert_false(timeaxis_layout(5, 5, &s, &p, &t, ctx));
    ticks_layout_params none = p;
    none.measure = NULL;
    assert_false(timeaxis_layout(0, 1, &s, &none, &t, ctx));
    /* beyond about 3 million years */
    assert_false(timeaxis_layout(0, 1e15, &s, &p, &t, ctx));
    time_axis huge = axis(INT64_MAX, TIME_S, "UTC");
    assert_false(timeaxis_layout(0, 1, &huge, &p, &t, ctx));
    /* but a million years is fine */
    assert_true(timeaxis_layout(-3e13, 3e13, &s, &p, &t, ctx));
    check_axis(-3e13, 3e13, &p, &t, ctx);
    print_set("two million years", &t, ctx);
    assert_true(t.n >= 2);
    /* no axis: no ticks */
    ticks_layout_params zero = p;
    zero.axis_px = 0;
    assert_true(timeaxis_layout(0, 60, &s, &zero, &t, ctx));
    assert_int_equal(t.n, 0);
    /* narrower than a nanosecond: nothing to label */
    time_axis ns = axis(NS0, TIME_NS, "UTC");
    assert_true(timeaxis_layout(0.1, 0.6, &ns, &p, &t, ctx));
    assert_int_equal(t.n, 0);
    /* a short axis: the end ticks, then one, then none */
    ticks_layout_params shortp = params(60);
    assert_true(timeaxis_layout(0, 86400, &s, &shortp, &t, ctx));
    print_set("60 px day", &t, ctx);
    check_axis(0, 86400, &shortp, &t, ctx);
    assert_true(t.n >= 1);
    shortp.axis_px = 5;
    shortp.room_lo = shortp.room_hi = 0;
    assert_true(timeaxis_layout(0, 86400, &s, &shortp, &t, ctx));
    assert_int_equal(t.n, 0);
    /* ticks beyond 2^53 units from the origin still lie inside the limits */
    time_axis zero_origin = axis(0, TIME_NS, "UTC");
    double lo = 1.7e18, hi = 1.7e18 + 4096;
    assert_true(timeaxis_layout(lo, hi, &zero_origin, &p, &t, ctx));
    check_axis(lo, hi, &p, &t, ctx);
    print_set("1.7e18 ns from the epoch, 4096 ns wide", &t, ctx);
}

static void test_format_value(void **state)
{
    (void)state;
    char buf[80];
    time_axis ns = axis(NS0, TIME_NS, "UTC");
    static const struct {
        double res_ns;
        const char *want;
    } cases[] = {
        {1, "2024-03-05 14:07:09.123456789"},  {0, "2024-03-05 14:07:09.123456789"},
        {1e3, "2024-03-05 14:07:09.123456"},   {7e5, "2024-03-05 14:07:09.1234"},
        {1e6, "2024-03-05 14:07:09.123"},      {-1e6, "2024-03-05 14:07:09.123"},
        {0.5e9, "2024-03-05 14:07:09.1"},      {1e9, "2024-03-05 14:07:09"},
        {59e9, "2024-03-05 14:07:09"},         {60e9, "2024-03-05 14:07"},
        {86400e9, "2024-03-05"},               {30 * 86400e9, "2024-03"},
        {400 * 86400e9, "2024"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        timeaxis_format_value(0, &ns, cases[i].res_ns, buf, sizeof buf);
        if (strcmp(buf, cases[i].want) != 0)
            fail_msg("resolution %g ns: \"%s\", want \"%s\"", cases[i].res_ns, buf, cases[i].want);
    }
    timeaxis_format_value(-123456790, &ns, 1, buf, sizeof buf);
    assert_string_equal(buf, "2024-03-05 14:07:08.999999999");
    time_axis s = axis(S0, TIME_S, "+05:30");
    timeaxis_format_value(0.5, &s, 0.001, buf, sizeof buf);
    assert_string_equal(buf, "2024-03-05 19:37:09.500 +05:30");
    timeaxis_format_value(0.5, &s, 86400, buf, sizeof buf);
    assert_string_equal(buf, "2024-03-05");
    timeaxis_format_value(NAN, &s, 1, buf, sizeof buf);
    assert_string_equal(buf, "nan");
    timeaxis_format_value(1e300, &s, 1, buf, sizeof buf);
    assert_string_equal(buf, "1.0000000000000001e+300");
    char small[8];
    timeaxis_format_value(0, &s, 1, small, sizeof small);
    assert_string_equal(small, "2024-03");
    if (have_zoneinfo()) {
        time_axis b = axis(NS0, TIME_NS, "Europe/Berlin");
        timeaxis_format_value(0, &b, 1e6, buf, sizeof buf);
        assert_string_equal(buf, "2024-03-05 15:07:09.123 +01:00");
        timeaxis_format_value(120 * 86400e9, &b, 1e9, buf, sizeof buf);
        assert_string_equal(buf, "2024-07-03 16:07:09 +02:00");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_units),
        cmocka_unit_test(test_header_names),
        cmocka_unit_test(test_iso_valid),
        cmocka_unit_test(test_iso_invalid),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_zone_parse),
        cmocka_unit_test(test_zone_offsets),
        cmocka_unit_test(test_zone_local_times),
        cmocka_unit_test(test_snapshots),
        cmocka_unit_test(test_dst),
        cmocka_unit_test(test_fixed_zone_axis),
        cmocka_unit_test(test_sweep),
        cmocka_unit_test(test_axis_limits),
        cmocka_unit_test(test_format_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
