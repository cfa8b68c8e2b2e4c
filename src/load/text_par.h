#ifndef VP_TEXT_PAR_H
#define VP_TEXT_PAR_H
/* One text file parsed by several threads. The byte range is cut into parts,
 * consecutive ranges of whole lines numbered in file order; each part is read
 * (pread, in pieces) and parsed by its own text_parser on its own thread. The
 * result is exactly what one text_parser fed the whole range gives (text.h):
 * the same rows in the same order when the parts' rows are put one after the
 * other (part 0, 1, ...), the same text_stats and the same errors.
 *
 * How (text_par.c says why): part 0 is parsed first on the calling thread
 * until the format is decided (delimiter, header, columns: text.h's detection
 * on the file's first lines); the other parts start after the first '\n' at
 * or after their nominal split points and are given the decided format. Line
 * numbers (first bad row, error messages) are fixed up with the line counts of
 * the parts before. One part only, i.e. the sequential parser, when:
 * - threads <= 1, or the range is small (under 2 x TEXT_PAR_MIN_PART bytes);
 * - x is the row index (y_only, or only one numeric column found): x of a row
 *   needs the row counts of all parts before it;
 * - w is a column of category labels (text_stats.w_labels): a label's number
 *   is its order of first appearance in the whole file (a column of category
 *   codes, and any other w, is parsed in parallel as usual);
 * - the format is still undecided after the whole range (a file of comments);
 * - a chosen column index is above TEXT_PAR_MAX_COL. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "load/text.h"

/* Bytes per pread, per thread. */
#define TEXT_PAR_PIECE ((size_t)256 << 10)
/* Bytes of a part, at least. */
#define TEXT_PAR_MIN_PART ((uint64_t)4 << 20)
/* At most this many parts, whatever threads says. */
#define TEXT_PAR_MAX_PARTS 64
/* Parallel only while the chosen columns are at most this index. */
#define TEXT_PAR_MAX_COL 4096

/* Rows of part `part` (0 <= part < the threads argument, and < *nparts at the
 * end), from that part's thread, in file order within the part. Otherwise as
 * text_sink_fn: the arrays are valid during the call only; 1 <= n <=
 * TEXT_BATCH; return false with err set to stop. Calls for different parts
 * come from different threads at the same time; calls for one part never
 * overlap. Rows of a later part may arrive before those of an earlier one and
 * after an earlier part failed; they mean nothing when the call fails. */
typedef bool (*text_part_fn)(void *ctx, int part, const double *x, const double *y,
                             const double *w, size_t n, vp_err *err);
/* Once per part, from its thread, after its last rows, when it was parsed to
 * its end without error. Return false with err set to fail the call. */
typedef bool (*text_part_done_fn)(void *ctx, int part, vp_err *err);
/* With category labels (text_stats.w_labels), once, on the calling thread,
 * after the whole range was parsed without error: the labels, numbered as
 * the rows' w (text_parser_labels); valid during the call only. Return
 * false with err set to fail the call. */
typedef bool (*text_labels_fn)(void *ctx, const char *const *labels, int n, vp_err *err);
/* A break in part `part`'s rows (text_break_fn: a '>' line or a skipped row
 * between the part's rows emitted so far and its next ones), from that
 * part's thread, in order with its emit calls. A break before a later
 * part's first row is told to that part: the sink puts it between the part
 * before and this one. Two parts may each tell one where the sequential
 * parser tells one (a run of breaks across a split point): the sink merges
 * breaks with no row between them. */
typedef bool (*text_part_break_fn)(void *ctx, int part, vp_err *err);
typedef struct text_par_sink {
    text_part_fn emit;      /* NULL: rows are parsed and counted, then dropped */
    text_part_done_fn done; /* NULL: none */
    void *ctx;
    text_labels_fn labels;  /* NULL: none */
    text_part_break_fn brk; /* NULL: breaks are not told */
} text_par_sink;

/* For tests: smaller pieces and parts than the defaults (0 = default). */
typedef struct text_par_tuning {
    size_t piece_bytes;      /* TEXT_PAR_PIECE */
    uint64_t min_part_bytes; /* TEXT_PAR_MIN_PART */
} text_par_tuning;

/* Parses bytes [off, off + len) of the open regular file fd with up to
 * `threads` threads (1 = text_parser fed the range in pieces, on this thread).
 * Reads exactly len bytes, never the whole text at once (one piece per thread
 * and the lines text.c holds). p = NULL means defaults, as for
 * text_parser_create. name goes before every message ("data.csv: ...").
 *
 * Returns true with *nparts (>= 1) the parts used and *st the stats of the
 * whole range. False with err set: the first error in file order (a parse
 * error, a sink's or done's error, a read error, or "the file was truncated
 * while being read" when it ends before off + len); the other threads are
 * stopped, *nparts still says how many parts there were, *st is unspecified.
 * Blocking; joins every thread it started before returning. */
bool text_parse_file(int fd, const char *name, uint64_t off, uint64_t len, const text_params *p,
                     int threads, const text_par_sink *sink, int *nparts, text_stats *st,
                     vp_err *err);
/* The same, with tune = NULL meaning the defaults. */
bool text_parse_file_tuned(int fd, const char *name, uint64_t off, uint64_t len,
                           const text_params *p, int threads, const text_par_tuning *tune,
                           const text_par_sink *sink, int *nparts, text_stats *st, vp_err *err);

#endif
