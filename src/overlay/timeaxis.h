#ifndef VP_TIMEAXIS_H
#define VP_TIMEAXIS_H
/* Date/time axes: instants as int64 counts of a unit since the Unix epoch
 * (1970-01-01T00:00:00Z, POSIX time: no leap seconds), ISO-8601 text, time
 * zones, and ticks at calendar-aware instants whose labels adapt to the zoom.
 *
 * Pure functions (no GL, no font, no globals); the only file access is
 * time_zone_parse reading an IANA zone's TZif file once. A time_zone is a
 * plain value that owns nothing: copy it, share it between threads.
 *
 * The plot works in doubles RELATIVE to an origin so that nanosecond epochs
 * (~1.7e18) stay exact: data value v (double) means the instant origin + v
 * units. Calendar math is the proleptic Gregorian calendar on int64 days, so
 * any year works, not just those of the platform's time_t or timegm. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "overlay/ticks.h"

/* ---- units ------------------------------------------------------------------ */

typedef enum time_unit { TIME_S, TIME_MS, TIME_US, TIME_NS } time_unit;

/* Nanoseconds in one unit: 1e9, 1e6, 1e3, 1. */
int64_t time_unit_ns(time_unit u);
/* "s", "ms", "us", "ns" (exactly, lower case); false for anything else. */
bool time_unit_parse(const char *s, time_unit *u);
/* "s", "ms", "us", "ns"; "?" for a value outside the enum. */
const char *time_unit_name(time_unit u);
/* The unit an epoch number of this magnitude most likely has, today's epoch
 * being about 1.7e9 s, 1.7e12 ms, 1.7e15 us, 1.7e18 ns. Thresholds halfway in
 * log scale: |v| < 1e11 -> s (also 0, small values and NaN), < 1e14 -> ms,
 * < 1e17 -> us, else ns. */
time_unit time_unit_guess(double v);
/* Whether a column header names a time, ASCII case-insensitively: one of
 * "time", "timestamp", "date", "datetime", "t", "ts", "epoch", or a name that
 * starts with "time_" or ends in "_time", "_ts" or "_at" ("unix_time",
 * "event_ts", "created_at", "time_utc"). NULL: false. */
bool time_header_name(const char *name);

/* ---- time zones --------------------------------------------------------------- */

enum { TIME_ZONE_UTC, TIME_ZONE_FIXED, TIME_ZONE_IANA };

#define TIME_ZONE_DIR "/usr/share/zoneinfo"
#define TIME_ZONE_MAX_TRANSITIONS 512 /* tzdata 2025 needs 310 at most (Asia/Hebron) */
#define TIME_ZONE_MAX_TYPES 32        /* and 18 local time types */

/* A POSIX TZ rule's day (Jn, n or Mm.w.d) and local time of a change. */
typedef struct time_zone_date {
    char kind;           /* 'J': day 1..365 without Feb 29; 'D': day 0..365; 'M': month.week.weekday */
    int16_t n;           /* the day (J, D) or the month 1..12 (M) */
    int16_t week, wday;  /* M: week 1..5 (5: the last), weekday 0..6 (0: Sunday) */
    int32_t time_s;      /* local time of day of the change, seconds (-167 h..167 h) */
} time_zone_date;

/* A zeroed struct is UTC. Fill it with time_zone_parse. About 5 KB. */
typedef struct time_zone {
    char name[64];  /* "UTC", "UTC+05:30", "Europe/Berlin" (as given) */
    int kind;       /* TIME_ZONE_UTC, _FIXED or _IANA */
    int offset_s;   /* TIME_ZONE_FIXED: seconds east of UTC */
    /* TIME_ZONE_IANA: the TZif file's transitions (RFC 8536), ascending, and
     * the offsets (seconds east of UTC) of its local time types; before the
     * first transition, type 0 applies */
    int n_trans, n_types;
    int64_t trans_at[TIME_ZONE_MAX_TRANSITIONS];
    uint8_t trans_type[TIME_ZONE_MAX_TRANSITIONS];
    int32_t type_offset[TIME_ZONE_MAX_TYPES];
    /* after the last transition: the file's POSIX TZ rule, when it has one */
    bool has_rule, rule_has_dst;
    int32_t rule_std_offset, rule_dst_offset; /* east of UTC */
    time_zone_date rule_start, rule_end;      /* standard -> DST, DST -> standard */
} time_zone;

/* Parses a zone (rare: a command-line option):
 *   NULL, "", "UTC", "Z" (any case)      UTC
 *   "+05:30" "-0800" "+5" "UTC+2"        a fixed offset east of UTC, ISO sign
 *                                        convention (UTC+2 is 2 h ahead of
 *                                        UTC, unlike POSIX TZ strings); hours
 *                                        0-23, minutes 0-59; zero is UTC
 *   "Europe/Berlin", "America/New_York"  an IANA name: TIME_ZONE_DIR/NAME is
 *                                        read (TZif version 1-4, DST rules for
 *                                        the years after its table included)
 * False with a message for a malformed offset, a bad name, a name with no
 * file ("unknown time zone 'X' (no /usr/share/zoneinfo/X)"), a file that is
 * not TZif or that counts leap seconds (the right/ zones). */
bool time_zone_parse(const char *s, time_zone *tz, vp_err *err);
/* The zone's offset east of UTC in seconds at instant t_s (epoch seconds),
 * DST included. Hot path: a binary search at most. NULL is UTC. */
int time_zone_offset(const time_zone *tz, int64_t t_s);

/* ---- ISO-8601 text ------------------------------------------------------------ */

/* Text (n bytes, no NUL needed, no quotes: the caller strips them) -> int64
 * nanoseconds since the epoch, exactly. Accepts
 *   YYYY-MM-DD
 *   YYYY-MM-DD?HH:MM   YYYY-MM-DD?HH:MM:SS   YYYY-MM-DD?HH:MM:SS.F (1-9 digits)
 * where ? is 'T', 't' or one space, optionally followed (times only) by 'Z',
 * 'z' or an offset +HH:MM, +HHMM, +HH, -.. (also +HH:MM:SS, what
 * time_format_iso writes for the local mean times before 1900). Without
 * Z/offset the text is local time in tz (NULL: UTC); a local time that occurs
 * twice (clocks set back) is the first of the two, one skipped by clocks set
 * forward is read as if the clocks had not changed yet (02:30 on a day that
 * jumps from 02:00 to 03:00 is 03:30 summer time). Years 0000-9999; month
 * 1-12; day valid for the month (leap years included); hour 0-23; minute
 * 0-59; second 0-59 (60, a leap second, is rejected: POSIX time has none);
 * more than 9 fractional digits are an error, never rounded. The instant must
 * lie in the int64 nanosecond range, 1677-09-21T00:12:43.145224192Z to
 * 2262-04-11T23:47:16.854775807Z. False for anything else, without a
 * message: this is a hot path and also detection; see ..._explain. */
bool time_parse_iso(const char *s, size_t n, const time_zone *tz, int64_t *ns);
/* Why time_parse_iso fails for this text, e.g. "month 13 out of range
 * (1-12)"; "valid" when it does not. */
void time_parse_iso_explain(const char *s, size_t n, char *buf, size_t len);
/* Instant ns in tz as ISO-8601, "2024-03-05T14:07:09.123456789Z": digits
 * (clamped to 0..9) fractional second digits, truncated (not rounded); with a
 * non-UTC zone the instant's offset ("+01:00", "+00:53:28" where it has
 * seconds) instead of Z. time_parse_iso reads it back exactly at 9 digits. */
void time_format_iso(int64_t ns, const time_zone *tz, int digits, char *buf, size_t len);

/* ---- the axis ------------------------------------------------------------------- */

typedef struct time_axis {
    int64_t origin;  /* in units: data value 0 is this instant */
    time_unit unit;
    time_zone tz;    /* where ticks are aligned and labels are read */
} time_axis;

/* Ticks for data values lo..hi (relative to ta->origin, in units), with the
 * contract of ticks_layout_ex: either order (reversed limits give a reversed
 * axis), labels measured with p->measure, centred on their ticks, at least
 * p->gap_px apart, within p->room_lo / room_hi past the ends; the densest
 * step whose whole set fits, else the two end ticks of the densest set whose
 * end labels fit (and differ), else the one tick nearest the middle, else
 * none. Steps, fine to coarse: 1-2-5 x 10^k ns up to 500 ms; 1 2 5 10 15 30
 * s; 1 2 5 10 15 30 min; 1 2 3 6 12 h; 1 2 5 10 15 days; 1 2 3 6 months;
 * 1-2-5 x 10^k years. No weeks (they do not align with months).
 *
 * Ticks sit at instants aligned in the zone's local calendar: Jan 1 and the
 * first of the month at local midnight; day steps on days 1, 1+k, 1+2k, ...
 * of each month, leaving out one less than 0.6 steps before the next month's
 * first; hour steps at hours 0, k, 2k, ... of each local day, a local hour
 * that does not exist (clocks set forward) skipped, one that occurs twice
 * (set back) taken once, the first time; a local midnight that does not exist
 * starts its day where the clocks resume. Steps below an hour are multiples
 * of the step in local time, realigned after a change of offset (so the
 * repeated hour of a set-back day keeps its minute ticks).
 *
 * Labels (neighbours always differ; one that starts a unit coarser than
 * every field its step shows names that unit instead):
 *   years          "2024"
 *   months         "Mar"; January: "2025"
 *   days           "Mar 05"; Jan 01: "2025"
 *   hours, minutes "14:30"; local midnight: "Mar 06"
 *   seconds        "14:07:05"; local midnight: "Mar 06"
 *   below 1 s      "09.125" (seconds, as many decimals as the step has:
 *                  1 for 100-500 ms, 3 for 1-5 ms, 9 for 1-5 ns); a whole
 *                  minute: "14:08"; local midnight: "Mar 06"
 * context gets what the labels leave out, taken at the first tick: "" for
 * years, the year "2024" for months and days, the date "2024-03-05" for
 * hours to seconds, "2024-03-05 14:07" below a second; for a non-UTC zone
 * followed by its name ("2024-03-05 UTC+05:30", "2024 Europe/Berlin"; the
 * name alone for years).
 *
 * out->value[]: ascending data values inside [min(lo,hi), max(lo,hi)],
 * computed from int64 instants as (tick - origin) in units, exact while that
 * is below 2^53 units. out->step: the step in units (a month is 1/12 of
 * 365.2425 days, a year 365.2425 days). False (out->n = 0, context "") for
 * non-finite limits, lo == hi, no measure function, or instants beyond about
 * +-3 million years from 1970 (the caller may fall back to plain ticks).
 * Cost: a few hundred measure calls and tick generations at most. */
bool timeaxis_layout(double lo, double hi, const time_axis *ta, const ticks_layout_params *p,
                     tick_set *out, char context[64]);

/* The instant of data value v as a readout at resolution res_units (say the
 * width of a pixel, in units; sign ignored), truncated to it:
 *   >= 365.2425 days "2024"            >= 28 days "2024-03"
 *   >= 1 day         "2024-03-05"      >= 1 min   "2024-03-05 14:07"
 *   >= 1 s           "2024-03-05 14:07:09"
 *   finer            "2024-03-05 14:07:09.123" (the fewest decimals whose
 *                    last digit is no coarser than res_units, up to 9)
 * local time in ta->tz, followed (below a day) by the instant's offset,
 * " +01:00", for a non-UTC zone. A non-finite v or an instant out of range
 * (see timeaxis_layout) is written as the plain number. */
void timeaxis_format_value(double v, const time_axis *ta, double res_units, char *buf, size_t len);

#endif
