#include "overlay/timeaxis.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_S 1000000000LL
#define S_PER_DAY 86400LL
/* Instants the axis handles: within this many seconds of the epoch (about
 * 3.17 million years). It keeps every int64 sum below overflow and makes the
 * double -> instant split below exact. */
#define AXIS_LIMIT_S 1e14
#define YEAR_S (365.2425 * 86400.0)
#define MONTH_S (YEAR_S / 12.0)

static const char *const month_abbr[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* ---- integers and the calendar -------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if (a % b != 0 && (a < 0) != (b < 0))
        q--;
    return q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
    int64_t r = a % b; /* not a - floor_div(a, b) * b: that overflows near INT64_MIN */
    return r != 0 && (r < 0) != (b < 0) ? r + b : r;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }

static bool is_leap(int64_t y)
{
    return floor_mod(y, 4) == 0 && (floor_mod(y, 100) != 0 || floor_mod(y, 400) == 0);
}

static int days_in_month(int64_t y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Days from 1970-01-01 to y-m-d, proleptic Gregorian (after Howard Hinnant's
 * days_from_civil): the year is taken to start on March 1 so that the leap
 * day comes last, and whole 400-year eras (146097 days) are counted apart. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    if (m <= 2)
        y--;
    int64_t era = floor_div(y, 400);
    int64_t year_of_era = y - era * 400;                     /* 0..399 */
    int64_t month_from_march = m > 2 ? m - 3 : m + 9;        /* 0..11 */
    int64_t day_of_year = (153 * month_from_march + 2) / 5 + d - 1;
    int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468; /* 719468: 0000-03-01 to 1970-01-01 */
}

/* The inverse: the date of day z (days since 1970-01-01). */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = floor_div(z, 146097);
    int64_t day_of_era = z - era * 146097; /* 0..146096 */
    /* years of 365 days, less the leap days before: 1460 days per 4 years,
     * 36524 per century, 146096 for the era's last day */
    int64_t year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    int64_t mp = (5 * day_of_year + 2) / 153; /* month from March, 0..11 */
    *d = (int)(day_of_year - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = year_of_era + era * 400 + (*m <= 2);
}

/* 0 = Sunday; 1970-01-01 was a Thursday. */
static int weekday(int64_t days) { return (int)floor_mod(days + 4, 7); }

/* ---- instants -------------------------------------------------------------------- */

/* Seconds and nanoseconds (0..1e9-1) since the epoch: wider than int64 ns,
 * so the axis works for any year, with unit s origins far from 1970. */
typedef struct tinst {
    int64_t s, ns;
} tinst;

static tinst ti_make(int64_t s, int64_t ns)
{
    tinst t = {s + floor_div(ns, NS_PER_S), floor_mod(ns, NS_PER_S)};
    return t;
}

static int ti_cmp(tinst a, tinst b)
{
    if (a.s != b.s)
        return a.s < b.s ? -1 : 1;
    return a.ns < b.ns ? -1 : a.ns > b.ns;
}

/* Local calendar fields of an instant. */
typedef struct civil {
    int64_t year;
    int month, day, hour, minute, second;
    int64_t ns;
    int offset; /* seconds east of UTC */
} civil;

static civil civil_at(tinst t, const time_zone *tz)
{
    civil c;
    c.offset = time_zone_offset(tz, t.s);
    int64_t local = t.s + c.offset;
    int64_t days = floor_div(local, S_PER_DAY), sod = local - days * S_PER_DAY;
    civil_from_days(days, &c.year, &c.month, &c.day);
    c.hour = (int)(sod / 3600);
    c.minute = (int)(sod / 60 % 60);
    c.second = (int)(sod % 60);
    c.ns = t.ns;
    return c;
}

/* ---- units ----------------------------------------------------------------------- */

int64_t time_unit_ns(time_unit u)
{
    switch (u) {
    case TIME_S: return NS_PER_S;
    case TIME_MS: return 1000000;
    case TIME_US: return 1000;
    case TIME_NS: return 1;
    }
    return NS_PER_S;
}

static const char *const unit_names[4] = {"s", "ms", "us", "ns"};

bool time_unit_parse(const char *s, time_unit *u)
{
    for (int i = 0; s && i < 4; i++)
        if (strcmp(s, unit_names[i]) == 0) {
            *u = (time_unit)i;
            return true;
        }
    return false;
}

const char *time_unit_name(time_unit u)
{
    return (int)u >= 0 && (int)u < 4 ? unit_names[u] : "?";
}

time_unit time_unit_guess(double v)
{
    double a = fabs(v);
    if (!(a >= 1e11))
        return TIME_S;
    if (a < 1e14)
        return TIME_MS;
    if (a < 1e17)
        return TIME_US;
    return TIME_NS;
}

static bool equal_nocase(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (ascii_lower(a[i]) != ascii_lower(b[i]))
            return false;
    return true;
}

bool time_header_name(const char *name)
{
    static const char *const whole[] = {"time", "timestamp", "date", "datetime", "t", "ts", "epoch"};
    static const char *const suffix[] = {"_time", "_ts", "_at"};
    if (!name)
        return false;
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof whole / sizeof *whole; i++)
        if (strlen(whole[i]) == n && equal_nocase(name, whole[i], n))
            return true;
    for (size_t i = 0; i < sizeof suffix / sizeof *suffix; i++) {
        size_t k = strlen(suffix[i]);
        if (n > k && equal_nocase(name + n - k, suffix[i], k))
            return true;
    }
    return n > 5 && equal_nocase(name, "time_", 5);
}

/* ---- POSIX TZ rules (the footer of a TZif file) ---------------------------------- */

/* A zone abbreviation: three or more letters, or <...> ("<+0330>"). */
static bool rule_name(const char **p)
{
    const char *s = *p;
    if (*s == '<') {
        while (*s && *s != '>')
            s++;
        if (*s != '>')
            return false;
        s++;
    } else {
        while ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z'))
            s++;
        if (s - *p < 3)
            return false;
    }
    *p = s;
    return true;
}

/* Two digits, 0..max. */
static bool two_digits(const char **p, int max, int *out)
{
    const char *s = *p;
    if (!is_digit(s[0]) || !is_digit(s[1]))
        return false;
    *out = (s[0] - '0') * 10 + (s[1] - '0');
    *p = s + 2;
    return *out <= max;
}

/* [+-]h[hh][:mm[:ss]] as seconds, hours up to max_h. */
static bool rule_time(const char **p, int max_h, int32_t *out)
{
    const char *s = *p;
    int sign = 1;
    if (*s == '+' || *s == '-')
        sign = *s++ == '-' ? -1 : 1;
    int h = 0, nd = 0, mi = 0, sec = 0;
    while (is_digit(*s) && nd < 3) {
        h = h * 10 + (*s++ - '0');
        nd++;
    }
    if (nd == 0 || h > max_h)
        return false;
    if (*s == ':') {
        s++;
        if (!two_digits(&s, 59, &mi))
            return false;
        if (*s == ':') {
            s++;
            if (!two_digits(&s, 59, &sec))
                return false;
        }
    }
    *out = sign * (h * 3600 + mi * 60 + sec);
    *p = s;
    return true;
}

static bool rule_number(const char **p, int lo, int hi, int16_t *out)
{
    const char *s = *p;
    int v = 0, nd = 0;
    while (is_digit(*s) && nd < 4) {
        v = v * 10 + (*s++ - '0');
        nd++;
    }
    if (nd == 0 || v < lo || v > hi)
        return false;
    *out = (int16_t)v;
    *p = s;
    return true;
}

/* Jn, n or Mm.w.d, then an optional /time (default 02:00). */
static bool rule_date(const char **p, time_zone_date *d)
{
    const char *s = *p;
    memset(d, 0, sizeof *d);
    if (*s == 'J') {
        s++;
        d->kind = 'J';
        if (!rule_number(&s, 1, 365, &d->n))
            return false;
    } else if (*s == 'M') {
        s++;
        d->kind = 'M';
        if (!rule_number(&s, 1, 12, &d->n) || *s++ != '.' || !rule_number(&s, 1, 5, &d->week) ||
            *s++ != '.' || !rule_number(&s, 0, 6, &d->wday))
            return false;
    } else {
        d->kind = 'D';
        if (!rule_number(&s, 0, 365, &d->n))
            return false;
    }
    d->time_s = 7200;
    if (*s == '/') {
        s++;
        if (!rule_time(&s, 167, &d->time_s))
            return false;
    }
    *p = s;
    return true;
}

/* "CET-1CEST,M3.5.0,M10.5.0/3": std name, offset west of UTC, optional DST
 * name, offset (default an hour ahead) and the two changes. */
static bool rule_parse(const char *s, time_zone *tz)
{
    int32_t off;
    if (!*s)
        return true; /* an empty rule: the last transition holds forever */
    if (!rule_name(&s) || !rule_time(&s, 24, &off))
        return false;
    tz->rule_std_offset = -off;
    tz->has_rule = true;
    if (!*s)
        return true;
    if (!rule_name(&s))
        return false;
    tz->rule_has_dst = true;
    tz->rule_dst_offset = tz->rule_std_offset + 3600;
    if (*s && *s != ',') {
        if (!rule_time(&s, 24, &off))
            return false;
        tz->rule_dst_offset = -off;
    }
    if (!*s) /* no changes given: POSIX leaves it to the system; glibc's US rule */
        s = ",M3.2.0,M11.1.0";
    return *s++ == ',' && rule_date(&s, &tz->rule_start) && *s++ == ',' &&
           rule_date(&s, &tz->rule_end) && *s == 0;
}

/* The local day (days since the epoch) a rule date falls on in year y. */
static int64_t rule_day(const time_zone_date *d, int64_t y)
{
    int64_t jan1 = days_from_civil(y, 1, 1);
    if (d->kind == 'J')
        return jan1 + d->n - 1 + (is_leap(y) && d->n >= 60);
    if (d->kind == 'D')
        return jan1 + d->n;
    int64_t first = days_from_civil(y, d->n, 1);
    int64_t day = first + (d->wday - weekday(first) + 7) % 7 + 7 * (d->week - 1);
    while (day >= first + days_in_month(y, d->n))
        day -= 7; /* week 5: the last such weekday */
    return day;
}

static int rule_offset(const time_zone *tz, int64_t t)
{
    if (!tz->rule_has_dst)
        return tz->rule_std_offset;
    int64_t y, days = floor_div(t + tz->rule_std_offset, S_PER_DAY);
    int m, d;
    civil_from_days(days, &y, &m, &d);
    /* each change happens at a local time of the offset in force before it */
    int64_t start = rule_day(&tz->rule_start, y) * S_PER_DAY + tz->rule_start.time_s -
                    tz->rule_std_offset;
    int64_t end = rule_day(&tz->rule_end, y) * S_PER_DAY + tz->rule_end.time_s -
                  tz->rule_dst_offset;
    bool dst = start < end ? t >= start && t < end : !(t >= end && t < start);
    return dst ? tz->rule_dst_offset : tz->rule_std_offset;
}

/* ---- TZif files (RFC 8536) -------------------------------------------------------- */

typedef struct tzif_counts {
    uint32_t isut, isstd, leap, time, type, chars;
} tzif_counts;

static int64_t be_int(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v = v << 8 | p[i];
    if (bytes == 4)
        return (int32_t)(uint32_t)v;
    return (int64_t)v;
}

static bool tzif_header(const unsigned char *p, size_t len, tzif_counts *c)
{
    if (len < 44 || memcmp(p, "TZif", 4) != 0)
        return false;
    uint32_t v[6];
    for (int i = 0; i < 6; i++)
        v[i] = (uint32_t)be_int(p + 20 + 4 * i, 4);
    *c = (tzif_counts){v[0], v[1], v[2], v[3], v[4], v[5]};
    return true;
}

static size_t tzif_block_size(const tzif_counts *c, int tsize)
{
    return (size_t)c->time * ((size_t)tsize + 1) + (size_t)c->type * 6 + c->chars +
           (size_t)c->leap * ((size_t)tsize + 4) + c->isstd + c->isut;
}

/* Copies one data block's transitions and types into tz. */
static bool tzif_block(const unsigned char *p, const tzif_counts *c, int tsize, const char *path,
                       time_zone *tz, vp_err *err)
{
    if (c->leap)
        return vp_err_set(err, "%s counts leap seconds (a right/ zone): use the zone without right/",
                          path);
    if (c->time > TIME_ZONE_MAX_TRANSITIONS || c->type < 1 || c->type > TIME_ZONE_MAX_TYPES)
        return vp_err_set(err, "%s has %u transitions and %u local time types (at most %d and %d)",
                          path, c->time, c->type, TIME_ZONE_MAX_TRANSITIONS, TIME_ZONE_MAX_TYPES);
    tz->n_trans = (int)c->time;
    tz->n_types = (int)c->type;
    const unsigned char *idx = p + (size_t)c->time * (size_t)tsize;
    const unsigned char *types = idx + c->time;
    for (int i = 0; i < tz->n_trans; i++) {
        tz->trans_at[i] = be_int(p + (size_t)i * (size_t)tsize, tsize);
        tz->trans_type[i] = idx[i];
        if (idx[i] >= c->type || (i > 0 && tz->trans_at[i] <= tz->trans_at[i - 1]))
            return vp_err_set(err, "%s is not a valid TZif file (transition %d)", path, i);
    }
    for (int i = 0; i < tz->n_types; i++) {
        int64_t off = be_int(types + 6 * i, 4);
        if (off < -26 * 3600 || off > 26 * 3600)
            return vp_err_set(err, "%s is not a valid TZif file (offset %lld s)", path,
                              (long long)off);
        tz->type_offset[i] = (int32_t)off;
    }
    return true;
}

static bool tzif_parse(const unsigned char *buf, size_t len, const char *path, time_zone *tz,
                       vp_err *err)
{
    tzif_counts c1, c2;
    if (!tzif_header(buf, len, &c1))
        return vp_err_set(err, "%s is not a time zone (TZif) file", path);
    size_t v1 = 44 + tzif_block_size(&c1, 4);
    if (v1 > len)
        return vp_err_set(err, "%s is truncated", path);
    if (buf[4] < '2') /* version 1: 32-bit times, no rule */
        return tzif_block(buf + 44, &c1, 4, path, tz, err);
    if (!tzif_header(buf + v1, len - v1, &c2))
        return vp_err_set(err, "%s is not a valid TZif file (no second header)", path);
    size_t v2 = v1 + 44 + tzif_block_size(&c2, 8);
    if (v2 > len)
        return vp_err_set(err, "%s is truncated", path);
    if (!tzif_block(buf + v1 + 44, &c2, 8, path, tz, err))
        return false;
    /* the footer: "\n" POSIX-TZ-string "\n" */
    const char *f = (const char *)buf + v2, *end = (const char *)buf + len;
    if (f >= end || *f != '\n')
        return true;
    f++;
    const char *nl = memchr(f, '\n', (size_t)(end - f));
    char rule[128];
    if (!nl || nl - f >= (long)sizeof rule)
        return vp_err_set(err, "%s is not a valid TZif file (its rule)", path);
    memcpy(rule, f, (size_t)(nl - f));
    rule[nl - f] = 0;
    if (!rule_parse(rule, tz))
        return vp_err_set(err, "%s: its TZ rule '%s' is not understood", path, rule);
    return true;
}

/* A name that stays inside TIME_ZONE_DIR: letters, digits, "_+-." and
 * slashes between non-empty parts that are not "." or "..". */
static bool zone_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= sizeof ((time_zone *)0)->name || s[0] == '/' || s[n - 1] == '/')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
                  strchr("_+-./", c) != NULL;
        if (!ok || (c == '/' && s[i + 1] == '/'))
            return false;
        bool part_start = i == 0 || s[i - 1] == '/';
        if (part_start && c == '.' && (s[i + 1] == '/' || s[i + 1] == 0 ||
                                        (s[i + 1] == '.' && (s[i + 2] == '/' || s[i + 2] == 0))))
            return false;
    }
    return true;
}

static bool zone_load(const char *name, time_zone *tz, vp_err *err)
{
    if (!zone_name_ok(name))
        return vp_err_set(err,
                          "bad time zone '%s' (an IANA name like Europe/Berlin, UTC, or an offset "
                          "like +05:30)",
                          name);
    char path[sizeof TIME_ZONE_DIR + 64];
    snprintf(path, sizeof path, "%s/%s", TIME_ZONE_DIR, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT || errno == ENOTDIR)
            return vp_err_set(err, "unknown time zone '%s' (no %s)", name, path);
        return vp_err_set(err, "time zone '%s': cannot read %s: %s", name, path, strerror(errno));
    }
    enum { MAX_FILE = 1 << 18 };
    unsigned char *buf = malloc(MAX_FILE);
    size_t len = buf ? fread(buf, 1, MAX_FILE, f) : 0;
    bool read_error = ferror(f) != 0;
    fclose(f);
    bool ok;
    if (!buf)
        ok = vp_err_set(err, "out of memory reading %s", path);
    else if (read_error || len < 4 || memcmp(buf, "TZif", 4) != 0)
        ok = vp_err_set(err, "unknown time zone '%s' (%s is not a zone file)", name, path);
    else
        ok = tzif_parse(buf, len, path, tz, err);
    free(buf);
    if (ok) {
        tz->kind = TIME_ZONE_IANA;
        snprintf(tz->name, sizeof tz->name, "%s", name);
    }
    return ok;
}

/* ---- time zones ------------------------------------------------------------------- */

static void format_offset(int off, char *buf, size_t len)
{
    int a = off < 0 ? -off : off;
    if (a % 60)
        snprintf(buf, len, "%c%02d:%02d:%02d", off < 0 ? '-' : '+', a / 3600, a / 60 % 60, a % 60);
    else
        snprintf(buf, len, "%c%02d:%02d", off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
}

/* "+05:30", "-0800", "+5", "+5:30" (after an optional "UTC"): 1 with *off
 * set; 0 when s is not in that form; -1 in that form but out of range. */
static int parse_fixed_zone(const char *s, int *off)
{
    if (equal_nocase(s, "UTC", 3) && (s[3] == '+' || s[3] == '-'))
        s += 3;
    if (*s != '+' && *s != '-')
        return 0;
    int sign = *s++ == '-' ? -1 : 1, h = 0, m = 0, nd = 0;
    while (is_digit(s[nd]) && nd < 4)
        nd++;
    if (nd == 1 || nd == 2) {
        h = nd == 1 ? s[0] - '0' : (s[0] - '0') * 10 + (s[1] - '0');
        s += nd;
        if (*s == ':') {
            s++;
            if (!is_digit(s[0]) || !is_digit(s[1]))
                return -1;
            m = (s[0] - '0') * 10 + (s[1] - '0');
            s += 2;
        }
    } else if (nd == 4) {
        h = (s[0] - '0') * 10 + (s[1] - '0');
        m = (s[2] - '0') * 10 + (s[3] - '0');
        s += 4;
    } else {
        return -1;
    }
    if (*s || h > 23 || m > 59)
        return -1;
    *off = sign * (h * 3600 + m * 60);
    return 1;
}

bool time_zone_parse(const char *s, time_zone *tz, vp_err *err)
{
    memset(tz, 0, sizeof *tz);
    strcpy(tz->name, "UTC");
    if (!s || !*s || (strlen(s) == 3 && equal_nocase(s, "UTC", 3)) || strcmp(s, "Z") == 0 ||
        strcmp(s, "z") == 0)
        return true;
    int off = 0;
    int r = parse_fixed_zone(s, &off);
    if (r < 0)
        return vp_err_set(err,
                          "bad time zone offset '%s' (+HH:MM, +HHMM or +HH, hours 0-23, minutes "
                          "0-59)",
                          s);
    if (r > 0) {
        if (off != 0) {
            tz->kind = TIME_ZONE_FIXED;
            tz->offset_s = off;
            char o[16];
            format_offset(off, o, sizeof o);
            snprintf(tz->name, sizeof tz->name, "UTC%s", o);
        }
        return true;
    }
    time_zone z;
    memset(&z, 0, sizeof z);
    if (!zone_load(s, &z, err))
        return false;
    *tz = z;
    return true;
}

static int iana_offset(const time_zone *tz, int64_t t)
{
    int n = tz->n_trans;
    if (n == 0)
        return tz->has_rule ? rule_offset(tz, t) : tz->type_offset[0];
    if (t < tz->trans_at[0])
        return tz->type_offset[0];
    int lo = 0, hi = n - 1; /* the last transition at or before t */
    while (lo < hi) {
        int mid = lo + (hi - lo + 1) / 2;
        if (tz->trans_at[mid] <= t)
            lo = mid;
        else
            hi = mid - 1;
    }
    if (lo == n - 1 && tz->has_rule && t > tz->trans_at[n - 1])
        return rule_offset(tz, t);
    return tz->type_offset[tz->trans_type[lo]];
}

int time_zone_offset(const time_zone *tz, int64_t t_s)
{
    if (!tz)
        return 0;
    if (tz->kind == TIME_ZONE_FIXED)
        return tz->offset_s;
    if (tz->kind == TIME_ZONE_IANA)
        return iana_offset(tz, t_s);
    return 0;
}

/* The instant whose local time in tz is local_s: the first where that local
 * time occurs twice (clocks set back); where it does not occur (clocks set
 * forward), false, and *t is the instant as if the clocks had not changed
 * yet, which reads local_s plus the jump. */
static bool local_to_utc(const time_zone *tz, int64_t local_s, int64_t *t)
{
    if (!tz || tz->kind != TIME_ZONE_IANA) {
        *t = local_s - time_zone_offset(tz, 0);
        return true;
    }
    /* offsets never exceed 26 h: the instant lies within 30 h of local_s,
     * and the offsets in force there are the candidates */
    const int64_t w = 30 * 3600;
    int64_t probe[3] = {local_s - w, local_s, local_s + w};
    bool found = false;
    int64_t best = local_s - iana_offset(tz, probe[0]);
    for (int i = 0; i < 3; i++) {
        int o = iana_offset(tz, probe[i]);
        int64_t c = local_s - o;
        if (iana_offset(tz, c) == o && (!found || c < best)) {
            best = c;
            found = true;
        }
    }
    *t = best;
    return found;
}

/* ---- ISO-8601 --------------------------------------------------------------------- */

typedef struct iso_fields {
    int y, mo, d, h, mi, sec;
    int64_t frac_ns;
    bool zoned;
    int zone_s;
} iso_fields;

static bool why_fail(char *why, size_t wlen, const char *fmt, ...) VP_PRINTF(3, 4);
static bool why_fail(char *why, size_t wlen, const char *fmt, ...)
{
    if (why && wlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, wlen, fmt, ap);
        va_end(ap);
    }
    return false;
}

/* Exactly k digits at s[i..]. */
static bool digits_at(const char *s, size_t n, size_t i, int k, int *out)
{
    if (i + (size_t)k > n)
        return false;
    int v = 0;
    for (int j = 0; j < k; j++) {
        if (!is_digit(s[i + j]))
            return false;
        v = v * 10 + (s[i + j] - '0');
    }
    *out = v;
    return true;
}

/* The text at s[i..] for a message: printable ASCII up to 16 bytes. */
static void show_rest(const char *s, size_t n, size_t i, char out[24])
{
    size_t k = 0;
    for (; i < n && k < 16; i++)
        out[k++] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
    if (i < n) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k] = 0;
}

/* +HH, +HH:MM, +HHMM, +HH:MM:SS at s[i], into f->zone_s; *i moves past it. */
static bool iso_offset(const char *s, size_t n, size_t *i, iso_fields *f, char *why, size_t wl)
{
    size_t j = *i;
    int sign = s[j++] == '-' ? -1 : 1, h, m = 0, sec = 0;
    if (!digits_at(s, n, j, 2, &h))
        return why_fail(why, wl, "expected an offset +HH:MM, +HHMM or +HH after the time");
    j += 2;
    bool colon = j < n && s[j] == ':';
    if (digits_at(s, n, j + colon, 2, &m)) {
        j += 2 + colon;
        if (colon && j < n && s[j] == ':') {
            if (!digits_at(s, n, j + 1, 2, &sec))
                return why_fail(why, wl, "expected 2-digit seconds in the offset");
            j += 3;
        }
    } else if (colon) {
        return why_fail(why, wl, "expected 2-digit minutes in the offset after ':'");
    }
    if (h > 23)
        return why_fail(why, wl, "offset hour %d out of range (0-23)", h);
    if (m > 59 || sec > 59)
        return why_fail(why, wl, "offset minute or second out of range (0-59)");
    f->zoned = true;
    f->zone_s = sign * (h * 3600 + m * 60 + sec);
    *i = j;
    return true;
}

/* :SS and .F after HH:MM at s[*i]. */
static bool iso_seconds(const char *s, size_t n, size_t *i, iso_fields *f, char *why, size_t wl)
{
    size_t j = *i;
    if (!digits_at(s, n, j + 1, 2, &f->sec))
        return why_fail(why, wl, "expected 2-digit seconds after HH:MM:");
    if (f->sec > 59)
        return why_fail(why, wl, "second %d out of range (0-59; leap seconds are not accepted)",
                        f->sec);
    j += 3;
    if (j < n && s[j] == '.') {
        j++;
        int k = 0;
        for (; j < n && is_digit(s[j]); j++, k++) {
            if (k == 9)
                return why_fail(why, wl, "more than 9 fractional second digits");
            f->frac_ns = f->frac_ns * 10 + (s[j] - '0');
        }
        if (k == 0)
            return why_fail(why, wl, "expected digits after the decimal point");
        for (; k < 9; k++)
            f->frac_ns *= 10;
    }
    *i = j;
    return true;
}

/* The time after the date's separator, at s[*i]. */
static bool iso_time(const char *s, size_t n, size_t *i, iso_fields *f, char *why, size_t wl)
{
    size_t j = *i;
    if (!digits_at(s, n, j, 2, &f->h) || j + 2 >= n || s[j + 2] != ':' ||
        !digits_at(s, n, j + 3, 2, &f->mi))
        return why_fail(why, wl, "expected a time HH:MM after the date");
    if (f->h > 23)
        return why_fail(why, wl, "hour %d out of range (0-23)", f->h);
    if (f->mi > 59)
        return why_fail(why, wl, "minute %d out of range (0-59)", f->mi);
    j += 5;
    if (j < n && s[j] == ':' && !iso_seconds(s, n, &j, f, why, wl))
        return false;
    if (j < n && (s[j] == 'Z' || s[j] == 'z')) {
        f->zoned = true;
        j++;
    } else if (j < n && (s[j] == '+' || s[j] == '-') && !iso_offset(s, n, &j, f, why, wl)) {
        return false;
    }
    *i = j;
    return true;
}

static bool iso_scan(const char *s, size_t n, iso_fields *f, char *why, size_t wl)
{
    memset(f, 0, sizeof *f);
    if (!digits_at(s, n, 0, 4, &f->y) || n < 5 || s[4] != '-' || !digits_at(s, n, 5, 2, &f->mo) ||
        n < 8 || s[7] != '-' || !digits_at(s, n, 8, 2, &f->d))
        return why_fail(why, wl, "expected a date YYYY-MM-DD (4-digit year, 2-digit month and day)");
    if (f->mo < 1 || f->mo > 12)
        return why_fail(why, wl, "month %d out of range (1-12)", f->mo);
    int dim = days_in_month(f->y, f->mo);
    if (f->d < 1 || f->d > dim)
        return why_fail(why, wl, "day %d out of range for %04d-%02d (1-%d)", f->d, f->y, f->mo, dim);
    size_t i = 10;
    if (i < n && (s[i] == 'T' || s[i] == 't' || s[i] == ' ')) {
        i++;
        if (!iso_time(s, n, &i, f, why, wl))
            return false;
    }
    if (i < n) {
        char rest[24];
        show_rest(s, n, i, rest);
        return why_fail(why, wl, "unexpected '%s' after the %s", rest, i == 10 ? "date" : "time");
    }
    return true;
}

/* s seconds + frac nanoseconds as int64 ns; false outside its range. */
static bool to_int64_ns(int64_t s, int64_t frac, int64_t *ns)
{
    const int64_t smax = INT64_MAX / NS_PER_S; /* 9223372036, frac up to 854775807 */
    if (s > smax || s < -smax - 1 || (s == smax && frac > INT64_MAX % NS_PER_S) ||
        (s == -smax - 1 && frac < NS_PER_S + INT64_MIN % NS_PER_S))
        return false;
    *ns = s >= 0 ? s * NS_PER_S + frac : (s + 1) * NS_PER_S - (NS_PER_S - frac);
    return true;
}

static bool iso_parse(const char *s, size_t n, const time_zone *tz, int64_t *ns, char *why,
                      size_t wl)
{
    iso_fields f;
    if (!iso_scan(s, n, &f, why, wl))
        return false;
    int64_t local = days_from_civil(f.y, f.mo, f.d) * S_PER_DAY + f.h * 3600 + f.mi * 60 + f.sec;
    int64_t t;
    if (f.zoned)
        t = local - f.zone_s;
    else
        local_to_utc(tz, local, &t);
    if (!to_int64_ns(t, f.frac_ns, ns))
        return why_fail(why, wl,
                        "outside the int64 nanosecond range (1677-09-21T00:12:43.145224192Z to "
                        "2262-04-11T23:47:16.854775807Z)");
    return true;
}

bool time_parse_iso(const char *s, size_t n, const time_zone *tz, int64_t *ns)
{
    return iso_parse(s, n, tz, ns, NULL, 0);
}

void time_parse_iso_explain(const char *s, size_t n, char *buf, size_t len)
{
    int64_t ns;
    if (len && iso_parse(s, n, NULL, &ns, buf, len))
        snprintf(buf, len, "valid");
}

/* "2024-03-05", negative years as "-0500-..." */
static void format_date(const civil *c, char *buf, size_t len)
{
    int64_t y = c->year;
    snprintf(buf, len, "%s%04lld-%02d-%02d", y < 0 ? "-" : "", (long long)(y < 0 ? -y : y),
             c->month, c->day);
}

/* ".123" for digits 3 (truncated), "" for 0 */
static void format_frac(int64_t ns, int digits, char *buf, size_t len)
{
    if (digits <= 0) {
        buf[0] = 0;
        return;
    }
    int64_t v = ns;
    for (int k = digits; k < 9; k++)
        v /= 10;
    snprintf(buf, len, ".%0*lld", digits, (long long)v);
}

static bool zone_is_utc(const time_zone *tz) { return !tz || tz->kind == TIME_ZONE_UTC; }

static void format_instant_iso(tinst t, const time_zone *tz, int digits, char *buf, size_t len)
{
    civil c = civil_at(t, tz);
    char date[32], frac[16], zone[16];
    format_date(&c, date, sizeof date);
    format_frac(c.ns, digits < 0 ? 0 : digits > 9 ? 9 : digits, frac, sizeof frac);
    if (zone_is_utc(tz))
        strcpy(zone, "Z");
    else
        format_offset(c.offset, zone, sizeof zone);
    snprintf(buf, len, "%sT%02d:%02d:%02d%s%s", date, c.hour, c.minute, c.second, frac, zone);
}

void time_format_iso(int64_t ns, const time_zone *tz, int digits, char *buf, size_t len)
{
    format_instant_iso(ti_make(floor_div(ns, NS_PER_S), floor_mod(ns, NS_PER_S)), tz, digits, buf,
                       len);
}

/* ---- the axis: data values and instants --------------------------------------------- */

typedef struct axis_ctx {
    const time_zone *tz;
    int64_t unit_ns, per_s; /* ns per unit, units per second */
    tinst origin;
    double lo, hi, a, b;    /* the limits as given, and ordered */
    tinst first, last;      /* the instants of a and b, widened by their ulps */
} axis_ctx;

static bool within_limit(int64_t s) { return s >= -AXIS_LIMIT_S && s <= AXIS_LIMIT_S; }

/* The instant origin + v units, to the nearest ns. v = q * per_s + r with r
 * from fmod (exact); (v - r) / per_s rounds to the integer q exactly for any
 * |v| within AXIS_LIMIT_S seconds: its error is below half an ulp of v over
 * per_s, under 0.07 for every unit. */
static bool value_to_inst(const axis_ctx *c, double v, tinst *out)
{
    double per = (double)c->per_s;
    if (!(fabs(v) / per <= AXIS_LIMIT_S))
        return false;
    double r = fmod(v, per);
    double q = nearbyint((v - r) / per);
    if (r < 0) {
        r += per;
        q -= 1;
    }
    int64_t ns = llround(r * (double)c->unit_ns);
    *out = ti_make(c->origin.s + (int64_t)q, c->origin.ns + ns);
    return within_limit(out->s);
}

/* (t - origin) in units as a double: exact while below 2^53 units. */
static double inst_to_value(const axis_ctx *c, tinst t)
{
    int64_t ds = t.s - c->origin.s, dns = t.ns - c->origin.ns;
    if (ds > -9000000000LL && ds < 9000000000LL) {
        int64_t tot = ds * NS_PER_S + dns;
        if (tot % c->unit_ns == 0)
            return (double)(tot / c->unit_ns);
        return (double)tot / (double)c->unit_ns;
    }
    return (double)ds * (double)c->per_s + (double)dns / (double)c->unit_ns;
}

static bool axis_init(axis_ctx *c, const time_axis *ta, double lo, double hi)
{
    if ((int)ta->unit < 0 || (int)ta->unit > TIME_NS)
        return false;
    c->tz = &ta->tz;
    c->unit_ns = time_unit_ns(ta->unit);
    c->per_s = NS_PER_S / c->unit_ns;
    c->origin = ti_make(floor_div(ta->origin, c->per_s), floor_mod(ta->origin, c->per_s) * c->unit_ns);
    if (!within_limit(c->origin.s))
        return false;
    c->lo = lo;
    c->hi = hi;
    c->a = fmin(lo, hi);
    c->b = fmax(lo, hi);
    if (!value_to_inst(c, c->a, &c->first) || !value_to_inst(c, c->b, &c->last))
        return false;
    /* ticks are kept by their double values; the instants whose values round
     * into [a, b] lie within an ulp of the limits */
    double big = fmax(fabs(c->a), fabs(c->b));
    double ulp_ns = (nextafter(big, INFINITY) - big) * (double)c->unit_ns;
    int64_t widen = 1 + (int64_t)ceil(ulp_ns);
    c->first = ti_make(c->first.s, c->first.ns - widen);
    c->last = ti_make(c->last.s, c->last.ns + widen);
    return true;
}

/* ---- the axis: steps and tick instants ------------------------------------------------ */

typedef enum level { LV_SUBSEC, LV_SEC, LV_MIN, LV_HOUR, LV_DAY, LV_MONTH, LV_YEAR } level;

typedef struct tstep {
    level lv;
    int64_t n; /* LV_SUBSEC: nanoseconds; else a count of the level's unit */
} tstep;

#define MAX_STEPS 96

/* Every step, fine to coarse. */
static int step_list(tstep *s)
{
    static const int m125[] = {1, 2, 5}, clock[] = {1, 2, 5, 10, 15, 30}, hours[] = {1, 2, 3, 6, 12},
                     days[] = {1, 2, 5, 10, 15}, months[] = {1, 2, 3, 6};
    int n = 0;
    for (int64_t p = 1; p < NS_PER_S; p *= 10)
        for (int i = 0; i < 3; i++)
            s[n++] = (tstep){LV_SUBSEC, m125[i] * p};
    for (int i = 0; i < 6; i++)
        s[n++] = (tstep){LV_SEC, clock[i]};
    for (int i = 0; i < 6; i++)
        s[n++] = (tstep){LV_MIN, clock[i]};
    for (int i = 0; i < 5; i++)
        s[n++] = (tstep){LV_HOUR, hours[i]};
    for (int i = 0; i < 5; i++)
        s[n++] = (tstep){LV_DAY, days[i]};
    for (int i = 0; i < 4; i++)
        s[n++] = (tstep){LV_MONTH, months[i]};
    for (int64_t p = 1; p <= 100000000; p *= 10)
        for (int i = 0; i < 3; i++)
            s[n++] = (tstep){LV_YEAR, m125[i] * p};
    return n;
}

static double step_seconds(tstep st)
{
    static const double unit_s[] = {1e-9, 1, 60, 3600, 86400, MONTH_S, YEAR_S};
    return (double)st.n * unit_s[st.lv];
}

/* Tick instants between c->first and c->last, ascending, at most cap. */
typedef struct tick_list {
    tinst t[TICKS_MAX + 8];
    int n;
    bool full; /* more than fit */
} tick_list;

#define LIST_CAP (TICKS_MAX + 8)

/* Adds t if inside the range; false once past its end or full. */
static bool list_add(tick_list *l, const axis_ctx *c, tinst t)
{
    if (ti_cmp(t, c->last) > 0)
        return false;
    if (ti_cmp(t, c->first) < 0)
        return true;
    if (l->n == LIST_CAP) {
        l->full = true;
        return false;
    }
    l->t[l->n++] = t;
    return true;
}

static void gen_subsec(const axis_ctx *c, int64_t step_ns, tick_list *l)
{
    int64_t ns = (c->first.ns + step_ns - 1) / step_ns * step_ns; /* step_ns divides 1 s */
    for (tinst t = ti_make(c->first.s, ns); list_add(l, c, t); t = ti_make(t.s, t.ns + step_ns)) {
    }
}

static int64_t ceil_to(int64_t x, int64_t m) { return -floor_div(-x, m) * m; }

/* Multiples of step_s seconds (dividing an hour) in local time. */
static void gen_clock(const axis_ctx *c, int64_t step_s, tick_list *l)
{
    int64_t t0 = c->first.s + (c->first.ns > 0);
    int off = time_zone_offset(c->tz, t0);
    int64_t t = ceil_to(t0 + off, step_s) - off;
    for (;;) {
        int o2 = time_zone_offset(c->tz, t);
        if (o2 != off) { /* the offset changed: realign, never backwards */
            off = o2;
            int64_t t2 = ceil_to(t + off, step_s) - off;
            if (t2 != t) {
                t = t2;
                continue;
            }
        }
        if (!list_add(l, c, ti_make(t, 0)))
            return;
        t += step_s;
    }
}

/* Hours 0, k, 2k, ... of each local day; skipped where they do not exist. */
static void gen_hours(const axis_ctx *c, int k, tick_list *l)
{
    int64_t day = floor_div(c->first.s + time_zone_offset(c->tz, c->first.s), S_PER_DAY) - 1;
    for (;; day++) {
        if (day * S_PER_DAY - 30 * 3600 > c->last.s)
            return;
        for (int h = 0; h < 24; h += k) {
            int64_t t;
            if (local_to_utc(c->tz, day * S_PER_DAY + h * 3600, &t) && !list_add(l, c, ti_make(t, 0)))
                return;
        }
    }
}

/* The instant local midnight starts day `days` (where midnight is skipped,
 * where the clocks resume). */
static tinst midnight(const axis_ctx *c, int64_t days)
{
    int64_t t;
    local_to_utc(c->tz, days * S_PER_DAY, &t);
    return ti_make(t, 0);
}

static void local_month(const axis_ctx *c, int64_t *y, int *m)
{
    civil f = civil_at(c->first, c->tz);
    *y = f.year;
    *m = f.month;
}

/* Days 1, 1+k, ... of each month, leaving out a last one that is less than
 * 0.6 steps before the next month's first. */
static void gen_days(const axis_ctx *c, int k, tick_list *l)
{
    int64_t y;
    int m;
    local_month(c, &y, &m);
    for (;;) {
        int dim = days_in_month(y, m);
        for (int d = 1; d <= dim; d += k) {
            if (k > 1 && 5 * (dim + 1 - d) < 3 * k)
                break;
            if (!list_add(l, c, midnight(c, days_from_civil(y, m, d))))
                return;
        }
        if (++m > 12) {
            m = 1;
            y++;
        }
    }
}

static void gen_months(const axis_ctx *c, int k, tick_list *l)
{
    int64_t y;
    int m;
    local_month(c, &y, &m);
    int64_t i = floor_div(y * 12 + m - 1, k) * k;
    for (;; i += k)
        if (!list_add(l, c, midnight(c, days_from_civil(floor_div(i, 12), (int)floor_mod(i, 12) + 1, 1))))
            return;
}

static void gen_years(const axis_ctx *c, int64_t k, tick_list *l)
{
    int64_t y;
    int m;
    local_month(c, &y, &m);
    for (y = floor_div(y, k) * k;; y += k)
        if (!list_add(l, c, midnight(c, days_from_civil(y, 1, 1))))
            return;
}

static void gen_ticks(const axis_ctx *c, tstep st, tick_list *l)
{
    l->n = 0;
    l->full = false;
    switch (st.lv) {
    case LV_SUBSEC: gen_subsec(c, st.n, l); break;
    case LV_SEC: gen_clock(c, st.n, l); break;
    case LV_MIN: gen_clock(c, st.n * 60, l); break;
    case LV_HOUR: gen_hours(c, (int)st.n, l); break;
    case LV_DAY: gen_days(c, (int)st.n, l); break;
    case LV_MONTH: gen_months(c, (int)st.n, l); break;
    case LV_YEAR: gen_years(c, st.n, l); break;
    }
}

/* ---- the axis: labels --------------------------------------------------------------- */

static void label_year(const civil *t, char *buf, size_t len)
{
    snprintf(buf, len, "%lld", (long long)t->year);
}

/* "Mar 05"; Jan 01: the year */
static void label_day(const civil *t, char *buf, size_t len)
{
    if (t->month == 1 && t->day == 1)
        label_year(t, buf, len);
    else
        snprintf(buf, len, "%s %02d", month_abbr[t->month - 1], t->day);
}

static bool at_midnight(const civil *t)
{
    return t->hour == 0 && t->minute == 0 && t->second == 0 && t->ns == 0;
}

/* Decimals of a sub-second step: 9 - floor(log10(step_ns)). */
static int subsec_digits(int64_t step_ns)
{
    int d = 9;
    for (int64_t p = 10; p <= step_ns; p *= 10)
        d--;
    return d;
}

static void tick_label(const civil *t, tstep st, char *buf, size_t len)
{
    switch (st.lv) {
    case LV_YEAR: label_year(t, buf, len); return;
    case LV_MONTH:
        if (t->month == 1)
            label_year(t, buf, len);
        else
            snprintf(buf, len, "%s", month_abbr[t->month - 1]);
        return;
    case LV_DAY: label_day(t, buf, len); return;
    default: break;
    }
    if (at_midnight(t)) {
        snprintf(buf, len, "%s %02d", month_abbr[t->month - 1], t->day);
    } else if (st.lv == LV_HOUR || st.lv == LV_MIN) {
        snprintf(buf, len, "%02d:%02d", t->hour, t->minute);
    } else if (st.lv == LV_SEC) {
        snprintf(buf, len, "%02d:%02d:%02d", t->hour, t->minute, t->second);
    } else if (t->second == 0 && t->ns == 0) {
        snprintf(buf, len, "%02d:%02d", t->hour, t->minute);
    } else {
        char frac[16];
        format_frac(t->ns, subsec_digits(st.n), frac, sizeof frac);
        snprintf(buf, len, "%02d%s", t->second, frac);
    }
}

/* What the labels of this level leave out, at t, plus a non-UTC zone's name. */
static void context_text(const civil *t, level lv, const time_zone *tz, char context[64])
{
    char base[64] = "";
    if (t && (lv == LV_MONTH || lv == LV_DAY)) {
        label_year(t, base, sizeof base);
    } else if (t && lv != LV_YEAR) {
        format_date(t, base, sizeof base);
        if (lv == LV_SUBSEC) {
            size_t n = strlen(base);
            snprintf(base + n, sizeof base - n, " %02d:%02d", t->hour, t->minute);
        }
    }
    size_t n = strlen(base);
    if (!zone_is_utc(tz)) {
        if (n)
            base[n++] = ' ';
        size_t k = strlen(tz->name);
        if (k > sizeof base - 1 - n)
            k = sizeof base - 1 - n;
        memcpy(base + n, tz->name, k);
        n += k;
    }
    base[n] = 0;
    memcpy(context, base, n + 1);
}

/* ---- the axis: layout ------------------------------------------------------------------ */

typedef struct candidate {
    tick_set set;
    level lv;
    civil first; /* local fields of the first tick */
} candidate;

/* The ticks of one step with their labels; false when there are too many,
 * when doubles cannot tell neighbours apart, or labels repeat. */
static bool make_set(const axis_ctx *c, tstep st, tick_list *l, candidate *out)
{
    gen_ticks(c, st, l);
    if (l->full)
        return false;
    tick_set *t = &out->set;
    t->n = 0;
    /* in units; below a second from the nanoseconds, so 500 ns is 500 or 5e-7 exactly */
    t->step = st.lv == LV_SUBSEC ? (double)st.n / (double)c->unit_ns
                                 : step_seconds(st) * (double)c->per_s;
    out->lv = st.lv;
    for (int i = 0; i < l->n; i++) {
        double v = inst_to_value(c, l->t[i]);
        if (v < c->a || v > c->b)
            continue;
        if (t->n == TICKS_MAX || (t->n > 0 && !(v > t->value[t->n - 1])))
            return false;
        civil f = civil_at(l->t[i], c->tz);
        if (t->n == 0)
            out->first = f;
        t->value[t->n] = v;
        tick_label(&f, st, t->label[t->n], sizeof t->label[t->n]);
        if (t->n > 0 && strcmp(t->label[t->n], t->label[t->n - 1]) == 0)
            return false;
        t->n++;
    }
    return true;
}

/* The pair (end ticks) and single (middle tick) fallbacks of a set that does
 * not fit whole, each the first found. */
typedef struct fallbacks {
    candidate pair, single;
    bool have_pair, have_single;
} fallbacks;

static void note_fallbacks(const axis_ctx *c, const ticks_layout_params *p, const candidate *cur,
                           fallbacks *fb)
{
    const tick_set *t = &cur->set;
    int ends[2] = {0, t->n - 1};
    if (t->n >= 2 && !fb->have_pair && strcmp(t->label[0], t->label[t->n - 1]) != 0 &&
        ticks_labels_fit(c->lo, c->hi, p, t, ends, 2)) {
        fb->pair = *cur;
        ticks_keep_only(&fb->pair.set, ends, 2);
        fb->have_pair = true;
    }
    int mid = ticks_middle(c->lo, c->hi, t);
    if (t->n >= 1 && !fb->have_single && ticks_labels_fit(c->lo, c->hi, p, t, &mid, 1)) {
        fb->single = *cur;
        ticks_keep_only(&fb->single.set, &mid, 1);
        fb->have_single = true;
    }
}

/* The densest whole set that fits, else a fallback; NULL for none. */
static const candidate *choose(const axis_ctx *c, const ticks_layout_params *p, candidate *cur,
                               fallbacks *fb)
{
    tstep steps[MAX_STEPS];
    int ns = step_list(steps);
    double span_s = (c->b - c->a) / (double)c->per_s;
    double min_frac = fmax((p->gap_px + 1.0) / p->axis_px, 1.0 / (TICKS_MAX - 1));
    tick_list list;
    for (int i = 0; i < ns; i++) {
        double len = step_seconds(steps[i]);
        if (len < span_s * min_frac)
            continue;
        if (len > span_s * 4)
            break;
        if (!make_set(c, steps[i], &list, cur) || cur->set.n < 1)
            continue;
        if (cur->set.n >= 2) {
            int idx[TICKS_MAX];
            for (int j = 0; j < cur->set.n; j++)
                idx[j] = j;
            if (ticks_labels_fit(c->lo, c->hi, p, &cur->set, idx, cur->set.n))
                return cur;
        }
        note_fallbacks(c, p, cur, fb);
    }
    return fb->have_pair ? &fb->pair : fb->have_single ? &fb->single : NULL;
}

bool timeaxis_layout(double lo, double hi, const time_axis *ta, const ticks_layout_params *p,
                     tick_set *out, char context[64])
{
    memset(out, 0, sizeof *out);
    context[0] = 0;
    axis_ctx c;
    if (!isfinite(lo) || !isfinite(hi) || lo == hi || !p->measure || !axis_init(&c, ta, lo, hi))
        return false;
    candidate cur;
    fallbacks fb;
    fb.have_pair = fb.have_single = false;
    const candidate *best = p->axis_px > 0 ? choose(&c, p, &cur, &fb) : NULL;
    if (best) {
        *out = best->set;
        context_text(&best->first, best->lv, c.tz, context);
    } else {
        context_text(NULL, LV_YEAR, c.tz, context);
    }
    return true;
}

void timeaxis_format_value(double v, const time_axis *ta, double res_units, char *buf, size_t len)
{
    axis_ctx c;
    tinst t;
    if (!len)
        return;
    if (!isfinite(v) || !axis_init(&c, ta, 0, 1) || !value_to_inst(&c, v, &t)) {
        snprintf(buf, len, "%.17g", v);
        return;
    }
    double res_s = fabs(res_units) / (double)c.per_s;
    if (!(res_s > 0) || !isfinite(res_s))
        res_s = 1e-9;
    civil f = civil_at(t, c.tz);
    char date[32];
    format_date(&f, date, sizeof date);
    if (res_s >= YEAR_S) {
        label_year(&f, buf, len);
        return;
    }
    if (res_s >= 28 * 86400.0) {
        date[strlen(date) - 3] = 0; /* drop "-DD" */
        snprintf(buf, len, "%s", date);
        return;
    }
    if (res_s >= 86400) {
        snprintf(buf, len, "%s", date);
        return;
    }
    char clock[40], zone[24] = "";
    if (res_s >= 60) {
        snprintf(clock, sizeof clock, "%02d:%02d", f.hour, f.minute);
    } else {
        int digits = 0;
        while (digits < 9 && pow(10.0, -digits) > res_s * (1 + 1e-9))
            digits++;
        char frac[16];
        format_frac(f.ns, digits, frac, sizeof frac);
        snprintf(clock, sizeof clock, "%02d:%02d:%02d%s", f.hour, f.minute, f.second, frac);
    }
    if (!zone_is_utc(c.tz)) {
        zone[0] = ' ';
        format_offset(f.offset, zone + 1, sizeof zone - 1);
    }
    snprintf(buf, len, "%s %s%s", date, clock, zone);
}
