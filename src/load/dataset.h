#ifndef VP_DATASET_H
#define VP_DATASET_H
/* Everything to be drawn, as numbered chunks of records: one or more input
 * files (read through source.h), arrays in the caller's memory or the
 * built-in demo generator. Any thread
 * may decode any chunk, in any order, through its own dataset_reader; the
 * result never depends on the order or the number of threads. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "load/source.h"
#include "load/text.h"

/* Records per chunk: large enough to amortise a pread, small enough that a
 * chunk's raw bytes and decoded doubles stay in the core's L2 cache. */
#define DATASET_CHUNK_RECORDS 32768u
/* y columns of one --y list, at most. */
#define DATASET_MAX_Y 16

typedef struct dataset dataset;

/* Opens every path (errors name the file): raw binary or .npy through
 * source.h. With p->has_w every record has w (p->wcol). */
bool dataset_create_files(const char *const *paths, int npaths, const source_params *p,
                          dataset **out, vp_err *err);

/* One column in the caller's memory: count values of dtype in native byte
 * order, the first at data, each stride bytes after the previous (negative
 * strides allowed; 0: one value broadcast to every sample). A numpy array's
 * column is (data, dtype, strides[0], shape[0]) as numpy gives them. */
typedef struct dataset_array {
    const void *data;
    vp_dtype dtype;
    int64_t stride; /* bytes, not values */
    uint64_t count;
} dataset_array;
/* x (NULL: x is the sample's index, as --y-only) and y, zero-copy: nothing is
 * copied whole; a chunk is read where it lies, on any thread. The memory must
 * stay valid and unchanged while the dataset exists (numpy.memmap of many GB
 * is fine: pages are touched as chunks are decoded). Refused (false, *out
 * NULL, err set): y NULL, a dtype that is not a vp_dtype, NULL data with
 * count > 0, x and y of different counts (the message gives both). A stride
 * of 0 with count > 1 is accepted (a broadcast); count 0 is an empty dataset.
 * One input, named "arrays" by dataset_input_name; dataset_input(ds, 0) is
 * NULL (no file). Chunks of DATASET_CHUNK_RECORDS samples, decoded as binary
 * files are (dataset_decode, dataset_decode_breaks: a break per run of
 * non-finite samples); no chunk boxes until a pass gives them, no w, not
 * followed, no time x. */
bool dataset_create_arrays(const dataset_array *x, const dataset_array *y, dataset **out,
                           vp_err *err);

/* The w column (--value COL, --by COL) comes in as binary.has_w/wcol and
 * text.wcol/w_category; either reaches both kinds of input (a text.wcol of
 * digits is the binary column too, a binary.wcol the text one), and every
 * input then has w: binary records by index only (text.wcol a name and a
 * binary input: an error naming the file). */
typedef struct dataset_params {
    source_params binary;
    text_params text;
    bool text_forced; /* --format given: every input is text */
    bool names_given; /* columns chosen by name: binary inputs are refused */
    bool binary_given; /* --dtype given: inputs, "-" too, are binary records whatever
                          their names, unless text_forced */
    bool no_cache;    /* --no-cache: no column cache and no spill file; rows stay in memory */
    int threads;      /* for parsing text; 0 = the online CPUs */
    /* Several y columns (--y a,b,c), each a series of its own: with ny > 1
     * every path is ny inputs, input i * ny + c being path i with y column
     * ycols[c] (a name or digits, as text.ycol; binary records by index
     * only: binary.ycol from the digits), named "PATH [COL]" by
     * dataset_input_name. A text file is parsed once per column (and each
     * column has its own column cache entry). Not for standard input nor a
     * followed file (an error). ny <= 1: text.ycol/binary.ycol alone, as
     * without it; ycols are not looked at. */
    int ny;
    const char *ycols[DATASET_MAX_Y];
    /* --y all: every column of the first input (text) that holds numbers in
     * its first rows (text_stats.number_cols), except x and w, by its header
     * name (else its index), at most DATASET_MAX_Y, as if listed in ycols
     * (for every input: they should share their columns). x as chosen, else
     * as detected. */
    bool y_all;
} dataset_params;

/* As dataset_create_files, but inputs named like text (.csv .tsv .txt .dat
 * .xyz ...), all inputs when text_forced, and "-" (standard input: text, or
 * raw records with binary_given: dataset_input_is_text) are decoded while the dataset is created, into
 * columns (memcols.h) held in memory up to a budget and spilled to a file
 * past it. Text files come from the column cache (colcache.h) when it holds
 * them as they are now, and are stored there when parsed. */
bool dataset_create_inputs(const char *const *paths, int npaths, const dataset_params *p,
                           dataset **out, vp_err *err);
/* Whether path ("-": standard input) is read as text: --format forces text,
 * --dtype binary records; else standard input and files named like text
 * (.csv .tsv .txt .dat .xyz ...) are. */
bool dataset_input_is_text(const dataset_params *p, const char *path);
/* One growing file, followed (follow.h): rows are read by dataset_follow_poll
 * and held in memory. The chunk count grows; chunks already seen never change
 * unless a poll reports a reset (truncation). */
typedef struct follow_event follow_event;
bool dataset_create_follow(const char *path, const dataset_params *p, dataset **out, vp_err *err);
/* One text file parsed on a thread of its own while the dataset is used:
 * it grows like a followed file (dataset_follow_poll says so, and reports the
 * parse's error, if any, once it ends; then it is an ordinary dataset). From
 * the column cache it is complete at once. */
bool dataset_create_loading(const char *path, const dataset_params *p, dataset **out, vp_err *err);
/* A text file of dataset_create_loading still being parsed (until a poll
 * sees the parse end). */
bool dataset_loading(const dataset *ds);
/* Followed, or still loading: the chunk count may grow. */
bool dataset_is_follow(const dataset *ds);
bool dataset_follow_poll(dataset *ds, follow_event *ev, vp_err *err);
void dataset_follow_wait(dataset *ds, int timeout_ms);
/* The bounding box of chunk k's finite points ([xmin, xmax, ymin, ymax];
 * xmin > xmax for a chunk with none), when known: text, standard input and
 * followed data hold them from the start, other inputs once a pass gave them
 * (dataset_set_chunk_boxes); false otherwise. The refinement culls by them. */
bool dataset_chunk_bbox(const dataset *ds, uint64_t k, double out[4]);
/* Boxes for chunks [0, n) (4 doubles each), copied; they take precedence
 * over the ones the dataset knows itself. False when out of memory (the
 * dataset is unchanged). */
bool dataset_set_chunk_boxes(dataset *ds, const double *boxes, uint64_t n);
/* Records in chunk k (0 past the last chunk). */
uint32_t dataset_chunk_records(const dataset *ds, uint64_t k);

/* For a text input: whether its columns came from the column cache (HIT),
 * were stored there (STORED), or neither. */
typedef enum dataset_cache_state { DATASET_CACHE_NONE, DATASET_CACHE_HIT, DATASET_CACHE_STORED } dataset_cache_state;
dataset_cache_state dataset_cache(const dataset *ds, int i);
/* For a text input: what its parser saw (bad rows and the first of them). */
bool dataset_text_stats(const dataset *ds, int i, text_stats *out);
const char *dataset_input_name(const dataset *ds, int i);
/* The procedural demo: a Clifford attractor of `points` samples. */
bool dataset_create_demo(uint64_t points, dataset **out, vp_err *err);
void dataset_destroy(dataset *ds);

/* A problem worth a warning (the column cache could not be written, a spill
 * file ran out of room), once: true and the text in buf the first time. */
bool dataset_take_warning(dataset *ds, char *buf, size_t len);
/* True when the bounds are known without a pass (the demo; text and standard
 * input, from their chunks' boxes): [xmin, xmax, ymin, ymax]. */
bool dataset_known_bounds(const dataset *ds, double bounds[4]);

/* Whether every record has a third value w (--value, --by); false for the
 * demo. All inputs agree (the create calls refuse a mix). */
bool dataset_has_w(const dataset *ds);
/* min, max of chunk k's finite w (min > max for a chunk with none), when
 * known: for inputs held as columns (text, standard input, followed); false
 * otherwise. For category labels renumbered over several inputs, a range
 * that holds the chunk's codes (maybe wider). */
bool dataset_chunk_wrange(const dataset *ds, uint64_t k, double out[2]);
/* The range of w without a pass: the union of the chunks' ranges when every
 * input is held as columns (text, standard input, followed); false
 * otherwise, without w, or when no record has a finite w. */
bool dataset_known_wrange(const dataset *ds, double out[2]);
/* Category labels (w_category with a column of labels): their count, and in
 * *out their texts (at most TEXT_LABEL_BYTES bytes each) numbered as the w
 * dataset_decode gives: over several inputs the labels of all, in input
 * order, each numbered where first seen (an input's own numbers are mapped
 * to these; labels match by their text as kept). 0 when w holds codes, is
 * not a category, or there is no w. Valid until dataset_follow_poll (a
 * followed file's labels grow as it does; a text file still loading shows
 * its labels once the poll sees its parse end) or dataset_destroy. At most
 * TEXT_MAX_LABELS for files read whole (more is an error when they are
 * created); a followed name that is rotated may bring more. */
int dataset_labels(const dataset *ds, const char *const **out);
uint64_t dataset_records(const dataset *ds);  /* total records, all inputs */
uint64_t dataset_chunks(const dataset *ds);
/* A share [*from, *to) of the chunks cut to those there are (empty when
 * from is past them): for the range variants of the passes. */
void dataset_clamp_chunks(const dataset *ds, uint64_t *from, uint64_t *to);
int dataset_inputs(const dataset *ds);
const source *dataset_input(const dataset *ds, int i); /* NULL for the demo and arrays */

typedef struct dataset_reader dataset_reader;
dataset_reader *dataset_reader_create(const dataset *ds);
void dataset_reader_destroy(dataset_reader *r);

/* Hot path. Decodes chunk k: finite points to x[], y[] (room for
 * DATASET_CHUNK_RECORDS each), *n = how many; *records += records in the chunk,
 * *nonfinite += records skipped for a NaN/inf. w is NULL exactly when the
 * dataset has no w (dataset_has_w); with w, a record is kept only when x, y
 * and w are finite, and w[] (room for DATASET_CHUNK_RECORDS) is compacted
 * like them: category labels as dataset_labels numbers them. */
bool dataset_decode(dataset_reader *r, uint64_t k, double *x, double *y, double *w, size_t *n,
                    uint64_t *records, uint64_t *nonfinite, vp_err *err);

/* As dataset_decode, and where the sequence of chunk k's records breaks:
 * brk[] (room for DATASET_CHUNK_RECORDS + 1) gets the ascending, distinct
 * positions j in [0, *n] such that something that is not a drawn point lies
 * between point j-1 and point j; *nbrk how many. What breaks: records
 * skipped for a NaN/inf (a run of them is one break), and in text (files,
 * standard input, followed files) a '>' segment line or a data row skipped
 * as bad (text.h); not '#' comments, blank lines or a header. A followed
 * name that is rotated or restarted breaks where the new file begins. A
 * break between two chunks of an input may be told as 0 of the later one or
 * as *n of the earlier one (the same cut); one before an input's first
 * point or after its last may be told or not (an input's ends cut anyway:
 * dataset_chunk_input). The demo has none. For inputs held as columns the
 * breaks were found when the rows came (and are in the column cache); for
 * binary inputs by a decode that does what dataset_decode does, plus the
 * positions when records were skipped (dataset_decode itself is not
 * slowed). */
bool dataset_decode_breaks(dataset_reader *r, uint64_t k, double *x, double *y, double *w, size_t *n,
                           uint32_t *brk, size_t *nbrk, uint64_t *records, uint64_t *nonfinite,
                           vp_err *err);
/* Whether x is a time (text: ISO-8601 fields, or epoch numbers in a column
 * named like a time or chosen by text.x_time; binary: only as chosen): then
 * every x dataset_decode gives is in *unit (ISO text: TIME_NS) after the
 * instant *origin (in that unit since 1970-01-01 UTC), so large epochs bin
 * exactly. */
bool dataset_x_time(const dataset *ds, time_unit *unit, int64_t *origin);
/* The points dataset_decode gives for chunk k, when known without decoding
 * (inputs held as columns: text, standard input, followed files); else
 * false. */
bool dataset_chunk_points(const dataset *ds, uint64_t k, uint32_t *n);
/* The input chunk k belongs to (0 for the demo), and input i's first chunk. */
int dataset_chunk_input(const dataset *ds, uint64_t k);
uint64_t dataset_input_first_chunk(const dataset *ds, int i);

#endif
