#ifndef VP_TEXT_H
#define VP_TEXT_H
/* Text samples: CSV, TSV and whitespace-separated columns, parsed from bytes
 * that arrive in pieces of any size (a file read in blocks, a pipe, a file that
 * grows). No files and no GL here: the caller feeds bytes and gets (x, y)
 * doubles (and w, a third column, when one is chosen) in batches through a
 * sink, so tests feed strings and fuzzers feed anything.
 *
 * What is read:
 * - Lines end at '\n'; a '\r' before it is dropped (CRLF). Only complete lines
 *   are parsed: a half line waits for its end, and text_parser_finish() parses
 *   a last line that has none. A UTF-8 BOM at the very start is skipped.
 * - Blank lines (only spaces/tabs) and lines whose first non-blank byte is '#'
 *   (comments) or '>' (segment separators, as GMT writes them) are skipped
 *   anywhere in the file and counted ('>' lines with the comments); a '>'
 *   line breaks the sequence of rows (text_sink.brk).
 * - Fields are split at one delimiter byte (',', ';', '|', '\t') or at runs of
 *   spaces/tabs. Spaces and tabs around a field are ignored (unless the tab is
 *   the delimiter). A field may be quoted "..." with "" for a quote inside; the
 *   quotes may hold the delimiter. A quoted number is a number. A quoted field
 *   cannot span lines (a line break ends the row).
 * - Numbers (load/numparse.h has the grammar): optional sign, digits with an
 *   optional '.', optional exponent (1e-310 gives the subnormal, 1e400 gives
 *   inf), and inf, infinity, nan in any case with an optional sign. The value
 *   is the correctly rounded double, bit for bit what strtod gives in the C
 *   locale. Hex floats, digit grouping and decimal commas are not numbers.
 * - A data row whose chosen field is empty, not a number (trailing garbage
 *   included) or missing (too few fields) is skipped and counted, and the first
 *   such line is reported (number and text). That is never an error. The w
 *   field counts as a chosen field. A skipped row breaks the sequence of rows
 *   (text_sink.brk).
 * - Categories (w_category, for --by): decided once, with the format, from the
 *   detection's data rows. When the w field of each of them that has one
 *   (empty and missing fields aside) is a number that is a non-negative
 *   integer (3, 3.0, 3e0), the column holds codes and w is that number, as
 *   for any w. Otherwise it holds labels: each distinct field text (trimmed
 *   and unquoted as names are; compared in full, byte for byte) is a
 *   category, numbered 0, 1, 2, ... in the order first seen; w = that
 *   number. A row with a label past the first TEXT_MAX_LABELS is skipped and
 *   counted ("more than 64 categories in column 3 (kind)"); an empty label
 *   field is an empty field. With w_category, detection looks at the first 8
 *   data rows even when the columns are chosen.
 *
 * Errors (vp_err) are only: column choices that cannot be resolved, bytes that
 * are not text (a NUL byte in the lines used for detection), a line longer than
 * TEXT_MAX_LINE that arrives split across feeds, out of memory, and a failing
 * sink. After an error the parser accepts only text_parser_destroy(). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "load/numparse.h" /* text_parse_double: one number, as the parser reads it */
#include "overlay/timeaxis.h" /* time_zone, time_parse_iso: x as a time */

/* Rows per sink call, at most. */
#define TEXT_BATCH 4096u
/* Bytes of one line, at most, when it has to be held between feeds. */
#define TEXT_MAX_LINE ((size_t)64 << 20)
/* Distinct labels of a category column, at most. */
#define TEXT_MAX_LABELS 64
/* Bytes of a label kept for display (and compared across inputs), at most,
 * the terminating NUL aside. */
#define TEXT_LABEL_BYTES 63

typedef enum text_format {
    TEXT_AUTO = 0,    /* delimiter from the content: ',', ';', '|', tab, else space
                       * runs. The candidate seen most often (outside quotes) in the
                       * first line wins, preferring one seen as often in the
                       * second; tab runs in the first line mean space runs */
    TEXT_CSV,         /* one of ',', ';', '|' (from the content; ',' when undecided) */
    TEXT_TSV,         /* tab */
    TEXT_WHITESPACE,  /* runs of spaces and tabs; leading blanks ignored */
    TEXT_NOT_TEXT     /* only from text_format_from_name: not a text file name */
} text_format;

typedef enum text_header {
    TEXT_HEADER_AUTO = 0, /* a header when no field of the first line is a number */
    TEXT_HEADER_YES,      /* the first non-blank, non-comment line is a header */
    TEXT_HEADER_NO
} text_header;

/* x as a time (--x-time). AUTO: ISO-8601 text in the x field of the first
 * data row (x chosen, or the first column of ISO text in at least half of
 * the detection's rows when x is detected: then x is that column and y the
 * first numeric one), or numbers in a column
 * named like a time (time_header_name) whose first value is a plausible
 * epoch (|v| >= 1e8, 1973 in seconds), the unit by its magnitude
 * (time_unit_guess). S..NS: the x field holds epoch numbers in that unit;
 * ISO: ISO-8601 text. NONE: never.
 * A time x is emitted as the offset from an origin, in its unit (ns for ISO
 * text): the first data row's instant, or x_origin when x_origin_given; a
 * number that is an integer (digits, no '.' or exponent) is taken as an
 * int64 and the origin subtracted exactly, others as doubles minus the
 * origin. A field that is not a time (ISO) is a bad field. */
typedef enum text_xtime {
    TEXT_XTIME_AUTO = 0, TEXT_XTIME_NONE, TEXT_XTIME_S, TEXT_XTIME_MS, TEXT_XTIME_US, TEXT_XTIME_NS,
    TEXT_XTIME_ISO
} text_xtime;

/* Zero-initialised = defaults: format from the content, header detected,
 * columns: the first two fields that hold a number (or nothing) in at least
 * half of the first 8 data rows, as x and y; the only such field as y. */
typedef struct text_params {
    text_format format;
    char delimiter;       /* 0 = by format; ' ' = runs of spaces/tabs; else that byte */
    /* A column is a header name or a 0-based index written in decimal digits
     * (digits always mean an index). NULL = not chosen. Both chosen: x and y.
     * Only ycol: y only. Only xcol: an error. Names need a header row; they
     * match exactly, else case-insensitively when that is unique. */
    const char *xcol, *ycol;
    bool y_only;          /* x = row index; y = ycol or the first numeric field */
    text_header header;
    /* w, a third column (--value, --by), named like xcol/ycol; NULL = none.
     * With x and y chosen or detected (y_only too); detection then never
     * takes the w column for x or y. */
    const char *wcol;
    bool w_category;      /* w is a category column (codes or labels, above) */
    text_xtime x_time;    /* x as a time, above */
    const time_zone *tz;  /* ISO text without an offset is local time here; NULL: UTC */
    bool x_origin_given;  /* the origin of a time x is x_origin (units), not the first row's */
    int64_t x_origin;
} text_params;

/* What the parser has seen so far (counts grow as lines are parsed; lines held
 * for detection are counted once the format is decided). */
typedef struct text_stats {
    uint64_t lines;          /* physical lines parsed, header and comments included */
    uint64_t data_rows;      /* rows emitted (NaN/inf values included) */
    uint64_t skipped_rows;   /* data rows skipped for an empty/bad/missing field */
    uint64_t comment_lines;  /* '#' and '>' lines */
    uint64_t blank_lines;
    uint64_t first_bad_line; /* 1-based physical line of the first skipped row; 0 = none */
    char first_bad_text[64]; /* its offending field (or the line, when fields are
                              * missing), at most 40 bytes then "..." */
    char first_bad_why[64];  /* e.g. "not a number in column 2 (lat)", "empty field in
                              * column 0 (lon)", "too few fields for column 2";
                              * columns are 0-based, as in xcol/ycol */
    bool detected;           /* delimiter/header/columns are decided (fields below valid) */
    char delimiter;          /* ' ' = runs of spaces/tabs */
    bool header;
    uint64_t header_line;    /* 1-based; 0 = no header */
    int xcol, ycol;          /* 0-based field indices; xcol = -1: x is the row index */
    char xname[64], yname[64]; /* header names ("" without a header or for the index) */
    int wcol;                /* 0-based field index of w; -1: none */
    char wname[64];
    bool w_labels;           /* w_category and the column holds labels */
    int labels;              /* distinct labels seen so far (<= TEXT_MAX_LABELS) */
    /* x is a time (text_params.x_time): nanoseconds per unit of x (1 for ISO
     * text), 0 when it is not; x = 0 is the instant x_origin (units since
     * 1970-01-01 UTC) */
    int64_t x_unit_ns;
    bool x_iso;              /* ... read from ISO-8601 text */
    int64_t x_origin;
    /* bit c: field c (c < 64) held a number, or nothing, in at least half
     * of the detection's data rows (the vote that picks x and y), whatever
     * was chosen: for --y all */
    uint64_t number_cols;
    /* Why x is the row index when that was detected while the rows hold
     * other fields ("column 0 (time) holds neither numbers nor ISO-8601
     * instants ..."), for a warning after "x is the row index: "; "" when
     * x was not detected so. */
    char x_index_why[160];
} text_stats;

/* ns per unit of x for a kind chosen by name: S..NS their unit, ISO 1 (ISO
 * text is read to the nanosecond); 0 for AUTO and NONE. */
int64_t text_xtime_unit_ns(text_xtime m);
/* The kind that makes a parser take x as st's parser did (ISO, S..NS, or
 * NONE when x is not a time): for later parts and inputs. */
text_xtime text_xtime_decided(const text_stats *st);
/* The time_unit of a kind S..NS or ISO (TIME_NS). */
time_unit text_xtime_unit(text_xtime m);


/* Receives a batch of rows: x[i], y[i] (and w[i]) for i < n, 1 <= n <=
 * TEXT_BATCH; w is NULL exactly when there is no wcol. The arrays belong to
 * the parser and are valid during the call only. In y-only mode x is the
 * row's index among data rows (skipped rows keep their index, so x is where
 * the row is in the file). Return false (with err set) to stop: the
 * feed/finish that called it then returns false. */
typedef bool (*text_sink_fn)(void *ctx, const double *x, const double *y, const double *w,
                             size_t n, vp_err *err);
/* A break in the sequence of rows: something that is not a row lies between
 * the rows emitted so far and the ones that come next. Breaks are a '>' line
 * (a segment separator) and a data row skipped as bad (empty, not a number,
 * missing, a label too many); not '#' comments, blank lines or the header
 * (kept simple: those are not in the data's sequence). The parser flushes its
 * batch first, so every row before the break has been through emit; one call
 * for a run of breaks with no row between them; a break before the first row
 * is told too. Rows with NaN/inf values are rows (emitted as they are): what
 * they mean is the sink's business. Return false (with err set) to stop, as
 * for emit. */
typedef bool (*text_break_fn)(void *ctx, vp_err *err);
typedef struct text_sink {
    text_sink_fn emit;    /* NULL: rows are parsed and counted, then dropped */
    void *ctx;
    text_break_fn brk;    /* NULL: breaks are not told (and batches stay whole) */
} text_sink;

typedef struct text_parser text_parser;

/* p = NULL means defaults. The column strings are copied. Fails only on bad
 * params (unknown format, empty column name, y_only with an x column, x without
 * y, a delimiter that can be part of a number or a line end) or no memory.
 * Column names are resolved when the first lines have come (feed/finish fail
 * then, e.g. "column \"lat\" not found; the header has: lon, depth, mag").
 * One parser belongs to one thread at a time; parsers are independent. */
bool text_parser_create(const text_params *p, text_parser **out, vp_err *err);
void text_parser_destroy(text_parser *t);   /* NULL is fine */

/* Hot path. Parses every line completed by these bytes and hands its rows to
 * the sink before returning (a partial batch too, so a caller following a
 * growing file sees every complete line). Until the format is decided, lines
 * are held: up to the first 9 non-blank, non-comment lines (2 when ycol is
 * chosen), fewer once 64 KiB have come. bytes may be NULL when len is 0. */
bool text_parser_feed(text_parser *t, const char *bytes, size_t len, const text_sink *sink,
                      vp_err *err);
/* End of input: decides the format with what there is, parses a last line
 * without '\n', flushes. Feeding after this is an error. */
bool text_parser_finish(text_parser *t, const text_sink *sink, vp_err *err);

/* Decides the format now from the complete lines held so far (two or more:
 * a header alone says nothing about the data), and
 * hands their rows to the sink; a partial last line keeps waiting. For
 * inputs that may never send the lines detection waits for (a followed file
 * that has gone quiet). Feeding may continue afterwards. */
bool text_parser_settle(text_parser *t, const text_sink *sink, vp_err *err);

void text_parser_stats(const text_parser *t, text_stats *out);
/* Field col's name in the header (unquoted, trimmed, cut to len - 1 bytes),
 * once detected; false without a header or such a field. */
bool text_parser_field_name(const text_parser *t, int col, char *buf, size_t len);
/* The labels of a label column so far (text_stats.w_labels), numbered as w:
 * *out[i] is label i, at most TEXT_LABEL_BYTES bytes (longer labels are cut
 * there, at a UTF-8 character boundary, for display; rows still tell them
 * apart in full). Returns their count (0 without labels). The array and the
 * strings stay valid and unchanged until text_parser_destroy (later feeds
 * only add labels after them). */
int text_parser_labels(const text_parser *t, const char *const **out);

/* By extension, case-insensitive: .csv -> TEXT_CSV; .tsv, .tab -> TEXT_TSV;
 * .txt, .dat, .xyz, .asc -> TEXT_AUTO; anything else -> TEXT_NOT_TEXT. */
text_format text_format_from_name(const char *path);
/* "csv", "tsv", "text" or "txt" (TEXT_AUTO), "whitespace"; false for anything
 * else. The one mapping of --format. */
bool text_format_from_option(const char *s, text_format *out);
/* For files without a telling name: true when the first bytes of a file look
 * like numeric text (no NUL or control bytes other than \t \r \n, a BOM
 * allowed, and a digit somewhere). Reads at most len bytes. */
bool text_sniff(const void *head, size_t len);

#endif
