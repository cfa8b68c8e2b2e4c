#include "load/dataset.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"
#include "load/arrays.h"
#include "load/colcache.h"
#include "load/convert.h"
#include "load/demo.h"
#include "load/filemark.h"
#include "load/follow.h"
#include "load/memcols.h"
#include "load/text_par.h"

struct dataset {
    int n;                 /* inputs; 0 for the demo */
    source **src;          /* binary inputs (NULL for text ones) */
    memcols **mem;         /* text inputs (NULL for binary ones) */
    text_stats *tstats;
    char **names;
    follower *follow;      /* the one input is a followed file */
    uint64_t *first_chunk; /* n + 1 entries: chunk numbers where each input starts */
    uint64_t records;
    uint64_t chunks;
    dataset_cache_state *cache; /* per input */
    struct text_job *job;  /* a text file still being parsed (dataset_create_loading) */
    char warning[1024];    /* the first problem worth a warning ("" when none) */
    bool warned;           /* it was handed out */
    bool spill_checked;    /* a followed input's spill failure was noticed */
    double *boxes;         /* chunk boxes from a pass (dataset_set_chunk_boxes), or NULL */
    uint64_t nboxes;
    bool has_w;
    /* category labels: each text input's own (ilabel[i], nilabel[i]), their
     * union (label), and each input's numbers in it (lmap[i]; remap[i]:
     * not the same numbers) */
    char (*ilabel)[TEXT_MAX_LABELS][TEXT_LABEL_BYTES + 1];
    int *nilabel;
    int (*lmap)[TEXT_MAX_LABELS];
    bool *remap;
    char label[TEXT_MAX_LABELS][TEXT_LABEL_BYTES + 1];
    const char *label_ptr[TEXT_MAX_LABELS];
    int nlabels;
    /* x is a time (dataset_x_time): its kind (ISO, S..NS) and the origin x = 0 */
    text_xtime x_kind;     /* AUTO (zeroed) or NONE: not a time */
    int64_t x_origin;
    /* dataset_create_arrays: its one input is acol[1] (y) and acol[0] (x,
     * unless x_index) */
    bool arrays;
    bool x_index;
    arrays_col acol[2];
};

static bool is_time(text_xtime k)
{
    return k != TEXT_XTIME_AUTO && k != TEXT_XTIME_NONE;
}

bool dataset_x_time(const dataset *ds, time_unit *unit, int64_t *origin)
{
    text_xtime k = ds->x_kind;
    int64_t o = ds->x_origin;
    if (!is_time(k) && ds->n == 1 && !ds->job && ds->mem && ds->mem[0]) {
        /* a followed file decides once its first lines have come, a file
         * loaded in the background is known once its parse ended */
        k = text_xtime_decided(&ds->tstats[0]);
        o = ds->tstats[0].x_origin;
    }
    if (!is_time(k))
        return false;
    *unit = text_xtime_unit(k);
    *origin = o;
    return true;
}

/* --x-time S..NS for binary records (no names or text to detect a time by) */
static bool binary_time(text_xtime m)
{
    return m >= TEXT_XTIME_S && m <= TEXT_XTIME_NS;
}

struct dataset_reader {
    const dataset *ds;
    source_reader **rd; /* one per input, created on first use */
};

/* The parse of one text file into ds->mem[i], inline or on a thread of its
 * own (the viewer draws while it runs). */
typedef struct text_job {
    dataset *ds;
    int i;
    int fd;
    char *name;
    uint64_t skip, planned;
    int threads;
    text_params tp;
    char *wcol;        /* owned: tp.wcol may be the caller's buffer */
    colcache *cc;
    pthread_t thread;
    bool started;
    _Atomic bool stop;
    _Atomic bool finished;
    bool ok;
    vp_err err;
    char warning[512]; /* the column cache's, handed to ds by the thread that polls */
} text_job;

static void text_job_destroy(text_job *j);
static int input_of(const dataset *ds, uint64_t *k);
static void note_warning(dataset *ds, const char *name, const char *what);
static bool load_text(dataset *ds, int i, const char *path, const dataset_params *p, bool background,
                      vp_err *err);

static uint64_t div_up(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

/* The w column reaches both kinds of input (dataset.h): *q is p with
 * text.wcol from binary.wcol (written into wbuf) or binary.has_w/wcol from a
 * text.wcol of digits. */
static void w_params(const dataset_params *p, dataset_params *q, char wbuf[16])
{
    *q = *p;
    if (!q->text.wcol && q->binary.has_w) {
        snprintf(wbuf, 16, "%d", q->binary.wcol);
        q->text.wcol = wbuf;
    } else if (q->text.wcol && !q->binary.has_w) {
        const char *c = q->text.wcol;
        size_t n = strlen(c);
        bool digits = n > 0 && n <= 7;
        for (size_t i = 0; i < n && digits; i++)
            digits = c[i] >= '0' && c[i] <= '9';
        if (digits) {
            q->binary.has_w = true;
            q->binary.wcol = atoi(c);
        }
    }
}

/* A binary input needs w by index (q from w_params). */
static bool binary_w_ok(const dataset_params *q, const char *path, vp_err *err)
{
    if (q->text.wcol && !q->binary.has_w)
        return vp_err_set(err, "%s: binary records have no column names: give --%s as a 0-based "
                               "index", path, q->text.w_category ? "by" : "value");
    return true;
}

/* The union of the text inputs' labels (dataset_labels) and each input's
 * numbers in it. An error for a mix of labels and codes, or more than
 * TEXT_MAX_LABELS labels in all. */
static bool union_labels(dataset *ds, vp_err *err)
{
    int with = -1, without = -1;
    for (int i = 0; i < ds->n; i++) {
        if (ds->mem && ds->mem[i] && ds->tstats[i].w_labels) {
            if (with < 0)
                with = i;
        } else if (without < 0) {
            without = i;
        }
    }
    ds->nlabels = 0;
    if (with < 0)
        return true;
    const text_stats *st = &ds->tstats[with];
    char col[96];
    snprintf(col, sizeof col, "column %d%s%.40s%s", st->wcol, st->wname[0] ? " (" : "", st->wname,
             st->wname[0] ? ")" : "");
    if (without >= 0)
        return vp_err_set(err, "%s holds category labels in %s, but %s holds category codes "
                               "(non-negative integers): give all inputs the one or the other",
                          ds->names[with], col, ds->names[without]);
    for (int i = 0; i < ds->n; i++) {
        ds->remap[i] = false;
        for (int j = 0; j < ds->nilabel[i]; j++) {
            const char *lab = ds->ilabel[i][j];
            int g = 0;
            while (g < ds->nlabels && strcmp(ds->label[g], lab) != 0)
                g++;
            if (g == ds->nlabels) {
                if (g == TEXT_MAX_LABELS)
                    return vp_err_set(err, "%s: more than %d categories in %s over the inputs "
                                           "(\"%s\" is one more)", ds->names[i], TEXT_MAX_LABELS,
                                      col, lab);
                snprintf(ds->label[g], sizeof ds->label[g], "%s", lab);
                ds->label_ptr[g] = ds->label[g];
                ds->nlabels++;
            }
            ds->lmap[i][j] = g;
            ds->remap[i] |= g != j;
        }
    }
    return true;
}

/* A dataset of n inputs with its per-input arrays (names filled in by the
 * caller); NULL when out of memory. */
static dataset *dataset_alloc(int n)
{
    dataset *ds = calloc(1, sizeof *ds);
    size_t k = (size_t)n;
    if (!ds || !(ds->src = calloc(k, sizeof *ds->src)) || !(ds->mem = calloc(k, sizeof *ds->mem)) ||
        !(ds->tstats = calloc(k, sizeof *ds->tstats)) || !(ds->cache = calloc(k, sizeof *ds->cache)) ||
        !(ds->names = calloc(k, sizeof *ds->names)) ||
        !(ds->first_chunk = calloc(k + 1, sizeof *ds->first_chunk)) ||
        !(ds->ilabel = calloc(k, sizeof *ds->ilabel)) || !(ds->nilabel = calloc(k, sizeof *ds->nilabel)) ||
        !(ds->lmap = calloc(k, sizeof *ds->lmap)) || !(ds->remap = calloc(k, sizeof *ds->remap))) {
        dataset_destroy(ds);
        return NULL;
    }
    ds->n = n;
    return ds;
}

bool dataset_create_files(const char *const *paths, int npaths, const source_params *p,
                          dataset **out, vp_err *err)
{
    *out = NULL;
    dataset *ds = calloc(1, sizeof *ds);
    if (!ds || !(ds->src = calloc((size_t)npaths, sizeof *ds->src)) ||
        !(ds->first_chunk = calloc((size_t)npaths + 1, sizeof *ds->first_chunk))) {
        dataset_destroy(ds);
        return vp_err_set(err, "out of memory");
    }
    ds->n = npaths;
    ds->has_w = p && p->has_w;
    for (int i = 0; i < npaths; i++) {
        if (!source_create(paths[i], p, &ds->src[i], err)) {
            dataset_destroy(ds);
            return false;
        }
        uint64_t r = source_get_info(ds->src[i])->records;
        ds->first_chunk[i] = ds->chunks;
        ds->chunks += div_up(r, DATASET_CHUNK_RECORDS);
        ds->records += r;
    }
    ds->first_chunk[npaths] = ds->chunks;
    *out = ds;
    return true;
}

/* One column of dataset_create_arrays makes sense (which: "x" or "y"). */
static bool array_ok(const char *which, const dataset_array *a, vp_err *err)
{
    if ((unsigned)a->dtype >= VP_DTYPE_COUNT)
        return vp_err_set(err, "arrays: %s has dtype %d, not one of f32 f64 i8 i16 i32 i64 u8 u16 "
                               "u32 u64", which, (int)a->dtype);
    if (!a->data && a->count > 0)
        return vp_err_set(err, "arrays: %s has %" PRIu64 " values but no data (NULL)", which,
                          a->count);
    if (a->count > (uint64_t)INT64_MAX)
        return vp_err_set(err, "arrays: %s has %" PRIu64 " values; at most %" PRId64, which,
                          a->count, INT64_MAX);
    return true;
}

bool dataset_create_arrays(const dataset_array *x, const dataset_array *y, dataset **out,
                           vp_err *err)
{
    *out = NULL;
    if (!y)
        return vp_err_set(err, "arrays: no y array (NULL)");
    if ((x && !array_ok("x", x, err)) || !array_ok("y", y, err))
        return false;
    if (x && x->count != y->count)
        return vp_err_set(err, "arrays: x has %" PRIu64 " values but y has %" PRIu64
                               ": they must have as many", x->count, y->count);
    dataset *ds = dataset_alloc(1);
    if (!ds || !(ds->names[0] = strdup("arrays"))) {
        dataset_destroy(ds);
        return vp_err_set(err, "out of memory");
    }
    ds->arrays = true;
    ds->x_index = x == NULL;
    if (x)
        ds->acol[0] = (arrays_col){x->data, x->dtype, x->stride};
    ds->acol[1] = (arrays_col){y->data, y->dtype, y->stride};
    ds->x_kind = TEXT_XTIME_NONE;
    ds->records = y->count;
    ds->chunks = div_up(y->count, DATASET_CHUNK_RECORDS);
    ds->first_chunk[1] = ds->chunks;
    *out = ds;
    return true;
}

bool dataset_create_demo(uint64_t points, dataset **out, vp_err *err)
{
    dataset *ds = calloc(1, sizeof *ds);
    if (!ds)
        return vp_err_set(err, "out of memory");
    ds->records = points;
    ds->chunks = div_up(points, DATASET_CHUNK_RECORDS);
    *out = ds;
    return true;
}

void dataset_destroy(dataset *ds)
{
    if (!ds)
        return;
    text_job_destroy(ds->job);
    follower_destroy(ds->follow);
    for (int i = 0; i < ds->n; i++) {
        if (ds->src)
            source_destroy(ds->src[i]);
        if (ds->mem)
            memcols_destroy(ds->mem[i]);
        if (ds->names)
            free(ds->names[i]);
    }
    free(ds->src);
    free(ds->mem);
    free(ds->tstats);
    free(ds->cache);
    free(ds->names);
    free(ds->first_chunk);
    free(ds->boxes);
    free(ds->ilabel);
    free(ds->nilabel);
    free(ds->lmap);
    free(ds->remap);
    free(ds);
}

bool dataset_has_w(const dataset *ds) { return ds->has_w; }

int dataset_labels(const dataset *ds, const char *const **out)
{
    if (ds->follow && ds->has_w)
        return follower_labels(ds->follow, out);
    *out = ds->label_ptr;
    return ds->nlabels;
}

bool dataset_chunk_wrange(const dataset *ds, uint64_t k, double out[2])
{
    if (!ds->has_w || !ds->mem || k >= dataset_chunks(ds))
        return false;
    int i = input_of(ds, &k);
    if (!ds->mem[i])
        return false;
    memcols_chunk_wrange(ds->mem[i], k, out);
    if (ds->remap[i] && out[0] <= out[1]) {
        /* local codes lo..hi: the range of their numbers in the union */
        int lo = out[0] < 0 ? 0 : (int)out[0], hi = out[1] >= ds->nilabel[i] ? ds->nilabel[i] - 1
                                                                             : (int)out[1];
        double a = INFINITY, b = -INFINITY;
        for (int c = lo; c <= hi; c++) {
            a = fmin(a, ds->lmap[i][c]);
            b = fmax(b, ds->lmap[i][c]);
        }
        out[0] = a;
        out[1] = b;
    }
    return true;
}

bool dataset_known_wrange(const dataset *ds, double out[2])
{
    if (!ds->has_w || ds->n == 0 || !ds->mem)
        return false;
    for (int i = 0; i < ds->n; i++)
        if (!ds->mem[i])
            return false;
    double lo = INFINITY, hi = -INFINITY, c[2];
    uint64_t n = dataset_chunks(ds);
    for (uint64_t k = 0; k < n; k++)
        if (dataset_chunk_wrange(ds, k, c) && c[0] <= c[1]) {
            lo = fmin(lo, c[0]);
            hi = fmax(hi, c[1]);
        }
    if (!(lo <= hi))
        return false;
    out[0] = lo;
    out[1] = hi;
    return true;
}

bool dataset_known_bounds(const dataset *ds, double bounds[4])
{
    if (ds->n == 0) {
        demo_bounds(bounds);
        return true;
    }
    /* Text and standard input: every chunk's box is known, so their union is
     * the bounds, without a pass. */
    if (ds->follow || !ds->mem)
        return false;
    for (int i = 0; i < ds->n; i++)
        if (!ds->mem[i])
            return false;
    double b[4] = VP_BOX_EMPTY, c[4];
    for (uint64_t k = 0; k < ds->chunks; k++)
        if (dataset_chunk_bbox(ds, k, c))
            vp_box_add(b, c);
    if (b[0] > b[1])
        return false; /* no finite samples: the pass says so */
    memcpy(bounds, b, sizeof b);
    return true;
}

uint64_t dataset_records(const dataset *ds)
{
    return ds->follow || ds->job ? memcols_records(ds->mem[0]) : ds->records;
}

uint64_t dataset_chunks(const dataset *ds)
{
    return ds->follow || ds->job ? memcols_chunks(ds->mem[0]) : ds->chunks;
}

void dataset_clamp_chunks(const dataset *ds, uint64_t *from, uint64_t *to)
{
    uint64_t n = dataset_chunks(ds);
    *to = *to > n ? n : *to;
    *from = *from > *to ? *to : *from;
}

bool dataset_create_follow(const char *path, const dataset_params *p, dataset **out, vp_err *err)
{
    *out = NULL;
    if ((p->ny > 1 || p->y_all) && strcmp(path, "-") == 0)
        return vp_err_set(err, "--y with several columns reads files, not standard input");
    if (p->ny > 1 || p->y_all)
        return vp_err_set(err, "%s: --y with several columns reads whole files, not followed ones "
                               "(--follow takes one y column)", path);
    char wbuf[16];
    dataset_params q;
    w_params(p, &q, wbuf);
    p = &q;
    follow_params fp = {.text = dataset_input_is_text(p, path), .text_p = p->text, .binary = p->binary};
    bool with_w = fp.text ? fp.text_p.wcol != NULL : fp.binary.has_w;
    dataset *ds = dataset_alloc(1);
    if (!ds || !(ds->names[0] = strdup(strcmp(path, "-") == 0 ? "standard input" : path)) ||
        !(ds->mem[0] = memcols_create(with_w))) {
        dataset_destroy(ds);
        return vp_err_set(err, "out of memory");
    }
    ds->has_w = with_w;
    ds->first_chunk[1] = UINT64_MAX;
    if (!fp.text && binary_time(p->text.x_time)) /* epochs as they are (no origin: the first record is not there yet) */
        ds->x_kind = p->text.x_time;
    /* a named --value/--by first: its message names the option */
    if (!fp.text && !binary_w_ok(p, path, err)) {
        dataset_destroy(ds);
        return false;
    }
    if (!fp.text && p->names_given) {
        dataset_destroy(ds);
        return vp_err_set(err, "%s: --x/--y name a column, but this is read as binary", path);
    }
    if (!p->no_cache) {
        int fd = colcache_spill_file();
        if (fd >= 0)
            memcols_spill_to(ds->mem[0], fd, 0, false, 0);
    }
    if (!follower_create(path, &fp, ds->mem[0], &ds->follow, err)) {
        dataset_destroy(ds);
        return false;
    }
    *out = ds;
    return true;
}

bool dataset_loading(const dataset *ds) { return ds->job != NULL; }
bool dataset_is_follow(const dataset *ds) { return ds->follow != NULL || ds->job != NULL; }

uint32_t dataset_chunk_records(const dataset *ds, uint64_t k)
{
    if (k >= dataset_chunks(ds))
        return 0;
    uint64_t left = ds->records - k * DATASET_CHUNK_RECORDS; /* the demo */
    if (ds->n > 0) {
        int i = input_of(ds, &k);
        if (ds->mem && ds->mem[i])
            return memcols_chunk_records(ds->mem[i], k);
        left = (ds->arrays ? ds->records : source_get_info(ds->src[i])->records) -
               k * DATASET_CHUNK_RECORDS;
    }
    return left < DATASET_CHUNK_RECORDS ? (uint32_t)left : DATASET_CHUNK_RECORDS;
}

bool dataset_follow_poll(dataset *ds, follow_event *ev, vp_err *err)
{
    if (ds->job) {
        memset(ev, 0, sizeof *ev);
        text_job *j = ds->job;
        bool finished = atomic_load(&j->finished);
        uint64_t r = memcols_records(ds->mem[0]);
        ev->grew = r != ds->records;
        ds->records = r;
        if (!finished)
            return true;
        ds->job = NULL;
        bool ok = j->ok;
        if (!ok)
            *err = j->err;
        note_warning(ds, ds->names[0], j->warning);
        text_job_destroy(j);
        /* complete: an ordinary dataset from here on */
        ds->records = memcols_records(ds->mem[0]);
        ds->chunks = memcols_chunks(ds->mem[0]);
        ds->first_chunk[1] = ds->chunks;
        ev->grew = true;
        return ok && union_labels(ds, err);
    }
    if (!ds->follow) {
        memset(ev, 0, sizeof *ev);
        return true;
    }
    if (!follower_poll(ds->follow, ev, err))
        return false;
    follower_text_stats(ds->follow, &ds->tstats[0]);
    return true;
}

void dataset_follow_wait(dataset *ds, int timeout_ms)
{
    if (ds->follow)
        follower_wait(ds->follow, timeout_ms);
    else if (timeout_ms > 0)
        usleep((useconds_t)timeout_ms * 1000);
}

bool dataset_create_loading(const char *path, const dataset_params *p, dataset **out, vp_err *err)
{
    *out = NULL;
    if (p->ny > 1 || p->y_all) /* one input per column: read before it is shown */
        return dataset_create_inputs(&path, 1, p, out, err);
    char wbuf[16];
    dataset_params q;
    w_params(p, &q, wbuf);
    p = &q;
    dataset *ds = dataset_alloc(1);
    if (!ds || !(ds->names[0] = strdup(path))) {
        dataset_destroy(ds);
        return vp_err_set(err, "out of memory");
    }
    ds->has_w = p->text.wcol != NULL;
    ds->first_chunk[1] = UINT64_MAX;
    if (!load_text(ds, 0, path, p, true, err)) {
        dataset_destroy(ds);
        return false;
    }
    if (!ds->job) { /* from the cache: complete at once */
        ds->records = memcols_records(ds->mem[0]);
        ds->chunks = memcols_chunks(ds->mem[0]);
        ds->first_chunk[1] = ds->chunks;
        if (!union_labels(ds, err)) {
            dataset_destroy(ds);
            return false;
        }
    }
    *out = ds;
    return true;
}

/* The input holding chunk k, and k within it. */
static int input_of(const dataset *ds, uint64_t *k)
{
    if (ds->follow)
        return 0;
    /* Inputs are few: a linear scan beats a binary search here. */
    int i = 0;
    while (*k >= ds->first_chunk[i + 1])
        i++;
    *k -= ds->first_chunk[i];
    return i;
}

bool dataset_chunk_points(const dataset *ds, uint64_t k, uint32_t *n)
{
    if (ds->n == 0 || k >= dataset_chunks(ds))
        return false;
    int i = input_of(ds, &k);
    if (!ds->mem || !ds->mem[i])
        return false;
    *n = memcols_chunk_points(ds->mem[i], k);
    return true;
}

int dataset_chunk_input(const dataset *ds, uint64_t k)
{
    return ds->n == 0 ? 0 : input_of(ds, &k);
}

uint64_t dataset_input_first_chunk(const dataset *ds, int i)
{
    return ds->n == 0 || ds->follow || i <= 0 ? 0 : ds->first_chunk[i < ds->n ? i : ds->n];
}

bool dataset_set_chunk_boxes(dataset *ds, const double *boxes, uint64_t n)
{
    double *b = malloc((n ? n : 1) * 4 * sizeof *b);
    if (!b)
        return false;
    memcpy(b, boxes, n * 4 * sizeof *b);
    free(ds->boxes);
    ds->boxes = b;
    ds->nboxes = n;
    return true;
}

bool dataset_chunk_bbox(const dataset *ds, uint64_t k, double out[4])
{
    if (ds->boxes && k < ds->nboxes) {
        memcpy(out, ds->boxes + 4 * k, 4 * sizeof *out);
        return true;
    }
    if (!ds->mem || k >= dataset_chunks(ds))
        return false;
    int i = input_of(ds, &k);
    if (!ds->mem[i])
        return false;
    memcols_chunk_bbox(ds->mem[i], k, out);
    return true;
}

static void note_warning(dataset *ds, const char *name, const char *what)
{
    if (!ds->warning[0] && what && what[0])
        snprintf(ds->warning, sizeof ds->warning, "%s: %s", name, what);
}

bool dataset_take_warning(dataset *ds, char *buf, size_t len)
{
    if (ds->follow && !ds->spill_checked && memcols_spill_errno(ds->mem[0])) {
        ds->spill_checked = true;
        char what[256];
        snprintf(what, sizeof what, "the spill file could not be written (%s); new rows are held in memory",
                 strerror(memcols_spill_errno(ds->mem[0])));
        note_warning(ds, ds->names[0], what);
    }
    if (ds->warned || !ds->warning[0])
        return false;
    ds->warned = true;
    snprintf(buf, len, "%s", ds->warning);
    return true;
}
int dataset_inputs(const dataset *ds) { return ds->n; }
const source *dataset_input(const dataset *ds, int i) { return i < ds->n ? ds->src[i] : NULL; }

const char *dataset_input_name(const dataset *ds, int i)
{
    return i < ds->n && ds->names ? ds->names[i] : ds->n ? source_get_info(ds->src[i])->path : "demo";
}

dataset_cache_state dataset_cache(const dataset *ds, int i)
{
    return ds->cache && i < ds->n ? ds->cache[i] : DATASET_CACHE_NONE;
}

bool dataset_text_stats(const dataset *ds, int i, text_stats *out)
{
    if (i >= ds->n || !ds->mem || !ds->mem[i] || ds->job)
        return false;
    *out = ds->tstats[i];
    return true;
}

/* After parsing a text file (text_parse_file read exactly `planned` bytes,
 * or failed as truncated): is it still the file it was when opened? Shorter
 * now: truncated while read. Other bytes at its start than the ones read
 * there: rewritten (truncated and regrown). Either way the rows are a mix
 * nobody wrote. */
static bool text_file_unchanged(int fd, const char *path, uint64_t skip, uint64_t planned,
                                const filemark *head, vp_err *err)
{
    struct stat now;
    if (fstat(fd, &now) != 0)
        return vp_err_set(err, "%s: fstat: %s", path, strerror(errno));
    if ((uint64_t)now.st_size < skip + planned)
        return vp_err_set(err, "%s: the file was truncated while being read (%" PRIu64 " bytes when "
                               "opened, %" PRIu64 " now); render it again once it is complete, or "
                               "use --follow", path, skip + planned, (uint64_t)now.st_size);
    if (!filemark_holds(head, fd))
        return vp_err_set(err, "%s: the file was rewritten while being read (its first bytes "
                               "changed); render it again once it is complete, or use --follow", path);
    return true;
}

/* Parses the text of fd after skip into m. The text itself is never held
 * whole. */
typedef struct part_sink {
    memcols *m;
    const _Atomic bool *stop;
    const char *name;
    char (*labels)[TEXT_LABEL_BYTES + 1]; /* TEXT_MAX_LABELS of them */
    int *nlabels;
} part_sink;

static bool part_emit(void *ctx, int part, const double *x, const double *y, const double *w,
                      size_t n, vp_err *err)
{
    part_sink *ps = ctx;
    if (ps->stop && atomic_load(ps->stop))
        return vp_err_set(err, "%s: reading stopped", ps->name);
    if (!memcols_append_part(ps->m, part, x, y, w, n))
        return vp_err_set(err, "%s: out of memory holding the parsed columns", ps->name);
    return true;
}

static bool part_brk(void *ctx, int part, vp_err *err)
{
    part_sink *ps = ctx;
    if (!memcols_break_part(ps->m, part))
        return vp_err_set(err, "%s: out of memory holding the parsed columns", ps->name);
    return true;
}

static bool part_done(void *ctx, int part, vp_err *err)
{
    (void)err;
    part_sink *ps = ctx;
    memcols_part_done(ps->m, part);
    return true;
}

static bool part_labels(void *ctx, const char *const *labels, int n, vp_err *err)
{
    (void)err;
    part_sink *ps = ctx;
    if (n > TEXT_MAX_LABELS)
        n = TEXT_MAX_LABELS; /* the parser keeps no more */
    for (int i = 0; i < n; i++)
        snprintf(ps->labels[i], sizeof ps->labels[i], "%s", labels[i]);
    *ps->nlabels = n;
    return true;
}

/* Parses the text of fd after skip into m, with `threads` threads (parts of
 * the file, shown in file order: memcols.h). The text itself is never held
 * whole. */
static bool parse_text(int fd, const char *name, uint64_t skip, uint64_t planned, const text_params *tp,
                       int threads, memcols *m, text_stats *st, char (*labels)[TEXT_LABEL_BYTES + 1],
                       int *nlabels, const _Atomic bool *stop, vp_err *err)
{
    if (threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (int)(n > 64 ? 64 : n) : 1;
    }
    filemark head;
    filemark_reset(&head, skip);
    char first[FILEMARK_BYTES];
    ssize_t r = pread(fd, first, sizeof first, (off_t)skip);
    if (r > 0)
        filemark_note(&head, first, (size_t)r);
    if (!memcols_set_parts(m, threads))
        return vp_err_set(err, "out of memory");
    part_sink ps = {m, stop, name, labels, nlabels};
    text_par_sink sink = {part_emit, part_done, &ps, part_labels, part_brk};
    int nparts = 0;
    bool ok = text_parse_file(fd, name, skip, planned, tp, threads, &sink, &nparts, st, err) &&
              text_file_unchanged(fd, name, skip, planned, &head, err);
    for (int p = nparts; p < threads; p++) /* parts not used: nothing to wait for */
        memcols_part_done(m, p);
    return ok;
}

static void *text_job_run(void *arg)
{
    text_job *j = arg;
    dataset *ds = j->ds;
    memcols *m = ds->mem[j->i];
    text_stats st = {0};
    if (j->cc)
        colcache_begin(j->cc, m);
    j->ok = parse_text(j->fd, j->name, j->skip, j->planned, &j->tp, j->threads, m, &st,
                       ds->ilabel[j->i], &ds->nilabel[j->i], &j->stop, &j->err);
    const char *labels[TEXT_MAX_LABELS];
    for (int k = 0; k < ds->nilabel[j->i]; k++)
        labels[k] = ds->ilabel[j->i][k];
    if (j->ok && j->cc && colcache_commit(j->cc, m, &st, labels))
        ds->cache[j->i] = DATASET_CACHE_STORED;
    if (j->ok && memcols_records(m) == 0 && st.data_rows == 0 && st.skipped_rows == 0)
        j->ok = vp_err_set(&j->err, "%s: no data rows (%llu lines)", j->name, (unsigned long long)st.lines);
    ds->tstats[j->i] = st;
    snprintf(j->warning, sizeof j->warning, "%s", colcache_warning(j->cc));
    colcache_destroy(j->cc);
    j->cc = NULL;
    close(j->fd);
    j->fd = -1;
    atomic_store(&j->finished, true);
    return NULL;
}

static void text_job_destroy(text_job *j)
{
    if (!j)
        return;
    atomic_store(&j->stop, true);
    if (j->started)
        pthread_join(j->thread, NULL);
    colcache_destroy(j->cc);
    if (j->fd >= 0)
        close(j->fd);
    free(j->name);
    free(j->wcol);
    free(j);
}

/* A whole text file, from the column cache when it holds this file as it is
 * now, else parsed (and stored in the cache as it is parsed). The first
 * skip bytes (--skip-bytes) are not read. With `background`, a parse runs on
 * a thread of its own and ds->job is set: rows show as they come. */
static bool load_text(dataset *ds, int i, const char *path, const dataset_params *p, bool background,
                      vp_err *err)
{
    const char *name = path;
    uint64_t skip = p->binary.skip_bytes;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return vp_err_set(err, "%s: %s", path, errno == ENOENT ? "no such file"
                                              : errno == EACCES ? "permission denied" : strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0 || S_ISDIR(sb.st_mode) || !S_ISREG(sb.st_mode)) {
        close(fd);
        return vp_err_set(err, "%s: %s", path, S_ISDIR(sb.st_mode) ? "is a directory" : "not a regular file");
    }
    if (skip && skip >= (uint64_t)sb.st_size) {
        close(fd);
        return vp_err_set(err, "%s: --skip-bytes %" PRIu64 " is not less than the file size (%" PRIu64
                               " bytes)", path, skip, (uint64_t)sb.st_size);
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    colcache *cc = p->no_cache ? NULL : colcache_create(path, fd, &sb, &p->text, skip);
    if (cc && colcache_load(cc, &ds->mem[i], &ds->tstats[i], ds->ilabel[i])) {
        ds->nilabel[i] = ds->tstats[i].w_labels ? ds->tstats[i].labels : 0;
        ds->cache[i] = DATASET_CACHE_HIT;
        note_warning(ds, name, colcache_warning(cc));
        colcache_destroy(cc);
        close(fd);
        return true;
    }
    text_job *j = calloc(1, sizeof *j);
    if (!j || !(j->name = strdup(name)) || (p->text.wcol && !(j->wcol = strdup(p->text.wcol))) ||
        !(ds->mem[i] = memcols_create(p->text.wcol != NULL))) {
        text_job_destroy(j);
        colcache_destroy(cc);
        close(fd);
        return vp_err_set(err, "out of memory");
    }
    *j = (text_job){.ds = ds, .i = i, .fd = fd, .name = j->name, .skip = skip,
                    .planned = (uint64_t)sb.st_size - skip, .threads = p->threads, .tp = p->text,
                    .wcol = j->wcol, .cc = cc};
    j->tp.wcol = j->wcol;
    if (background) {
        ds->job = j;
        if (pthread_create(&j->thread, NULL, text_job_run, j) == 0) {
            j->started = true;
            return true;
        }
        ds->job = NULL;
    }
    text_job_run(j);
    bool ok = j->ok;
    if (!ok)
        *err = j->err;
    note_warning(ds, name, j->warning);
    text_job_destroy(j);
    return ok;
}

/* Standard input, read to its end through the follower's stream mode (the
 * same decoding as for a growing file). */
static bool load_stdin(const dataset_params *p, memcols **out, text_stats *st,
                       char (*labels)[TEXT_LABEL_BYTES + 1], int *nlabels, vp_err *err)
{
    follow_params fp = {.text = dataset_input_is_text(p, "-"), .text_p = p->text, .binary = p->binary};
    if (!fp.text && !binary_w_ok(p, "standard input", err))
        return false;
    memcols *m = memcols_create(fp.text ? fp.text_p.wcol != NULL : fp.binary.has_w);
    if (m && !p->no_cache) {
        int fd = colcache_spill_file();
        if (fd >= 0)
            memcols_spill_to(m, fd, 0, false, 0);
    }
    follower *f = NULL;
    if (!m || !follower_create("-", &fp, m, &f, err)) {
        if (!m)
            vp_err_set(err, "out of memory");
        memcols_destroy(m);
        return false;
    }
    bool ok = true;
    while (ok && !follower_at_end(f)) {
        follow_event ev;
        ok = follower_poll(f, &ev, err);
        if (ok && !follower_at_end(f))
            follower_wait(f, 100);
    }
    if (ok) {
        follower_text_stats(f, st);
        const char *const *lab;
        int nl = follower_labels(f, &lab);
        if (nl > TEXT_MAX_LABELS)
            nl = TEXT_MAX_LABELS; /* one parser: cannot be */
        for (int k = 0; k < nl; k++)
            snprintf(labels[k], sizeof labels[k], "%s", lab[k]);
        *nlabels = nl;
        size_t cut = follower_trailing_bytes(f);
        if (cut && !st->skipped_rows) /* the summary's warning names it */
            snprintf(st->first_bad_why, sizeof st->first_bad_why,
                     "%u bytes of a last record cut short: ignored", (unsigned)(cut & 0xfffff));
    }
    follower_destroy(f);
    if (!ok) {
        memcols_destroy(m);
        return false;
    }
    *out = m;
    return true;
}

/* A binary input with --x-time s..ns: x is a time in that unit (binary
 * data has no names to detect it by), from the origin the source took (its
 * first record's integer x) or 0 for floating x; later inputs share it. */
static void take_binary_x_time(dataset *ds, int i, dataset_params *q)
{
    const source_info *in = source_get_info(ds->src[i]);
    if (is_time(ds->x_kind) || !binary_time(q->text.x_time) || in->xcol < 0)
        return;
    ds->x_kind = q->text.x_time;
    ds->x_origin = in->x_rebased ? in->x_origin : 0;
    q->binary.x_origin_given = q->text.x_origin_given = true;
    q->binary.x_origin = q->text.x_origin = ds->x_origin;
}

/* A time x decided by input i (the first to decide) holds for the inputs
 * after it: the same kind and origin, so all share one axis. */
static void take_x_time(dataset *ds, int i, dataset_params *q)
{
    const text_stats *st = &ds->tstats[i];
    if (is_time(ds->x_kind) || !is_time(text_xtime_decided(st)))
        return;
    ds->x_kind = text_xtime_decided(st);
    ds->x_origin = st->x_origin;
    q->text.x_origin_given = q->binary.x_origin_given = true;
    q->text.x_origin = q->binary.x_origin = st->x_origin;
    q->text.x_time = ds->x_kind;
}

/* A column given as digits: an index (text.h's rule). */
static bool col_is_index(const char *c)
{
    size_t n = strlen(c);
    bool digits = n > 0 && n <= 7;
    for (size_t i = 0; i < n && digits; i++)
        digits = c[i] >= '0' && c[i] <= '9';
    return digits;
}

/* p->ny and p->ycols make sense (ny <= 1: not used). */
static bool several_y_ok(const dataset_params *p, vp_err *err)
{
    if (p->ny <= 1)
        return true;
    if (p->ny > DATASET_MAX_Y)
        return vp_err_set(err, "--y: %d columns; at most %d", p->ny, DATASET_MAX_Y);
    for (int c = 0; c < p->ny; c++)
        if (!p->ycols[c] || !p->ycols[c][0])
            return vp_err_set(err, "--y: column %d of the list is empty", c + 1);
    return true;
}

bool dataset_input_is_text(const dataset_params *p, const char *path)
{
    if (p->text_forced)
        return true;
    if (p->binary_given)
        return false;
    return strcmp(path, "-") == 0 || text_format_from_name(path) != TEXT_NOT_TEXT;
}

/* --y all: the number columns of path's first lines but x and w, into
 * q->ycols (names[] holds them) and q->ny; the x detected, when none was
 * chosen, into q->text.xcol (names[DATASET_MAX_Y]). */
static bool all_y_columns(const char *path, dataset_params *q, char (*names)[64], vp_err *err)
{
    if (strcmp(path, "-") == 0 || !dataset_input_is_text(q, path))
        return vp_err_set(err, "%s: --y all reads the columns of a text file; name them for binary "
                               "records (--y 1,2,3)", strcmp(path, "-") == 0 ? "standard input" : path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return vp_err_set(err, "%s: %s", path, errno == ENOENT ? "no such file" : strerror(errno));
    enum { HEAD = 1 << 16 };
    char *head = malloc(HEAD);
    ssize_t got = head ? pread(fd, head, HEAD, (off_t)q->binary.skip_bytes) : -1;
    close(fd);
    if (got < 0) {
        free(head);
        return vp_err_set(err, "%s: %s", path, head ? strerror(errno) : "out of memory");
    }
    /* x as chosen (named as y too, which the detection then resolves), else detected */
    text_params tp = q->text;
    tp.ycol = tp.xcol;
    tp.y_only = false;
    text_parser *t = NULL;
    bool ok = text_parser_create(&tp, &t, err) && text_parser_feed(t, head, (size_t)got, NULL, err) &&
              (got < HEAD ? text_parser_finish(t, NULL, err) : text_parser_settle(t, NULL, err));
    free(head);
    if (!ok) {
        text_parser_destroy(t);
        return vp_err_prefix(err, "%s", path);
    }
    text_stats st;
    text_parser_stats(t, &st);
    int n = 0;
    for (int c = 0; c < 64 && st.detected; c++) {
        if (!(st.number_cols >> c & 1) || c == st.xcol || c == st.wcol)
            continue;
        if (n == DATASET_MAX_Y) {
            text_parser_destroy(t);
            return vp_err_set(err, "%s: --y all: more than %d number columns; list the ones to draw",
                              path, DATASET_MAX_Y);
        }
        if (!text_parser_field_name(t, c, names[n], 64) || !names[n][0] || col_is_index(names[n]))
            snprintf(names[n], 64, "%d", c);
        q->ycols[n] = names[n];
        n++;
    }
    char *xn = names[DATASET_MAX_Y];
    if (!q->text.xcol && st.xcol >= 0) {
        if (!text_parser_field_name(t, st.xcol, xn, 64) || !xn[0] || col_is_index(xn))
            snprintf(xn, 64, "%d", st.xcol);
        q->text.xcol = xn;
    }
    text_parser_destroy(t);
    if (n == 0)
        return vp_err_set(err, "%s: --y all: no column of numbers besides x", path);
    q->ny = n;
    q->text.ycol = q->ycols[0];
    q->y_all = false;
    return true;
}

bool dataset_create_inputs(const char *const *paths, int npaths, const dataset_params *p,
                           dataset **out, vp_err *err)
{
    *out = NULL;
    char wbuf[16];
    dataset_params q;
    w_params(p, &q, wbuf);
    p = &q;
    char all_names[DATASET_MAX_Y + 1][64];
    if (q.y_all && npaths > 0 && !all_y_columns(paths[0], &q, all_names, err))
        return false;
    /* --y a,b,c: each path is ny inputs, one per y column (dataset.h) */
    const int ny = p->ny > 1 ? p->ny : 1;
    if (!several_y_ok(p, err))
        return false;
    for (int i = 0; i < npaths && ny > 1; i++)
        if (strcmp(paths[i], "-") == 0)
            return vp_err_set(err, "--y with several columns reads files, not standard input");
    if (npaths > INT_MAX / ny)
        return vp_err_set(err, "too many inputs");
    dataset *ds = dataset_alloc(npaths * ny);
    if (!ds)
        return vp_err_set(err, "out of memory");
    ds->has_w = p->text.wcol != NULL;
    dataset_params qc = q;
    p = &qc;
    for (int k = 0; k < npaths * ny; k++) {
        const char *path = paths[k / ny];
        bool text = dataset_input_is_text(p, path);
        int i = k;
        if (ny > 1) {
            const char *col = q.ycols[k % ny];
            bool digits = col_is_index(col);
            qc.text.ycol = col;
            qc.binary.ycol = digits ? atoi(col) : q.binary.ycol;
            if (!text && !digits) {
                dataset_destroy(ds);
                return vp_err_set(err, "%s: --y %s names a column, but this is read as binary "
                                       "(columns are numbers there; for text give --format)",
                                  path, col);
            }
            size_t len = strlen(path) + strlen(col) + 4;
            if ((ds->names[i] = malloc(len)))
                snprintf(ds->names[i], len, "%s [%s]", path, col);
        } else {
            ds->names[i] = strdup(strcmp(path, "-") == 0 ? "standard input" : path);
        }
        if (!ds->names[i]) {
            dataset_destroy(ds);
            return vp_err_set(err, "out of memory");
        }
        uint64_t r;
        if (strcmp(path, "-") == 0) {
            if (!load_stdin(p, &ds->mem[i], &ds->tstats[i], ds->ilabel[i], &ds->nilabel[i], err)) {
                dataset_destroy(ds);
                return false;
            }
            take_x_time(ds, i, &qc);
            if (memcols_spill_errno(ds->mem[i])) {
                char what[256];
                snprintf(what, sizeof what, "the spill file could not be written (%s); the rows past "
                                            "that point were held in memory",
                         strerror(memcols_spill_errno(ds->mem[i])));
                note_warning(ds, ds->names[i], what);
            }
            r = memcols_records(ds->mem[i]);
            ds->first_chunk[i] = ds->chunks;
            ds->chunks += memcols_chunks(ds->mem[i]);
        } else if (text) {
            if (!load_text(ds, i, path, p, false, err)) {
                dataset_destroy(ds);
                return false;
            }
            take_x_time(ds, i, &qc);
            r = memcols_records(ds->mem[i]);
            ds->first_chunk[i] = ds->chunks;
            ds->chunks += memcols_chunks(ds->mem[i]);
        } else {
            if (p->names_given && binary_w_ok(p, path, err)) {
                dataset_destroy(ds);
                return vp_err_set(err, "%s: --x/--y name a column, but this is read as binary "
                                       "(columns are numbers there; for text give --format)",
                                  path);
            }
            if (qc.text.x_time == TEXT_XTIME_ISO) {
                dataset_destroy(ds);
                return vp_err_set(err, "%s: --x-time iso reads ISO-8601 text, but this is read as binary "
                                       "(give its unit, --x-time s|ms|us|ns; or --format for text)", path);
            }
            qc.binary.x_rebase = binary_time(qc.text.x_time);
            if (!binary_w_ok(p, path, err) ||
                !source_create(path, &p->binary, &ds->src[i], err)) {
                dataset_destroy(ds);
                return false;
            }
            take_binary_x_time(ds, i, &qc);
            r = source_get_info(ds->src[i])->records;
            ds->first_chunk[i] = ds->chunks;
            ds->chunks += div_up(r, DATASET_CHUNK_RECORDS);
        }
        ds->records += r;
    }
    ds->first_chunk[npaths * ny] = ds->chunks;
    if (!union_labels(ds, err)) {
        dataset_destroy(ds);
        return false;
    }
    *out = ds;
    return true;
}

dataset_reader *dataset_reader_create(const dataset *ds)
{
    dataset_reader *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->ds = ds;
    if (ds->n && !(r->rd = calloc((size_t)ds->n, sizeof *r->rd))) {
        free(r);
        return NULL;
    }
    return r;
}

void dataset_reader_destroy(dataset_reader *r)
{
    if (!r)
        return;
    for (int i = 0; r->rd && i < r->ds->n; i++)
        source_reader_destroy(r->rd[i]);
    free(r->rd);
    free(r);
}

/* dataset_decode, and with brk (not NULL) dataset_decode_breaks: binary
 * inputs through source_decode_breaks, columns with their breaks; the demo
 * has none. One branch per chunk: the points' loops are the same. */
static bool decode_chunk(dataset_reader *r, uint64_t k, double *x, double *y, double *w, size_t *n,
                         uint32_t *brk, size_t *nbrk, uint64_t *records, uint64_t *nonfinite, vp_err *err)
{
    const dataset *ds = r->ds;
    *n = 0;
    if ((w != NULL) != ds->has_w)
        return vp_err_set(err, "internal error: decoding %s w, but the dataset has %s",
                          w ? "with" : "without", ds->has_w ? "one" : "none");
    if (k >= dataset_chunks(ds))
        return true;
    if (ds->n == 0) {
        uint64_t first = k * DATASET_CHUNK_RECORDS;
        size_t cnt = (size_t)(ds->records - first < DATASET_CHUNK_RECORDS ? ds->records - first
                                                                          : DATASET_CHUNK_RECORDS);
        demo_generate(k, cnt, x, y);
        *n = cnt;
        *records += cnt;
        return true;
    }
    int i = input_of(ds, &k);
    if (ds->mem && ds->mem[i]) {
        if (!(brk ? memcols_chunk_breaks(ds->mem[i], k, x, y, w, n, brk, nbrk, records, nonfinite,
                                         ds->names[i], err)
                  : memcols_chunk(ds->mem[i], k, x, y, w, n, records, nonfinite, ds->names[i], err)))
            return false;
        if (w && ds->remap[i]) { /* the input's label numbers to the union's */
            const int *map = ds->lmap[i], nl = ds->nilabel[i];
            for (size_t j = 0; j < *n; j++) {
                if (w[j] >= 0 && w[j] < nl && (double)(int)w[j] == w[j])
                    w[j] = (double)map[(int)w[j]];
            }
        }
        return true;
    }
    if (ds->arrays) {
        /* read where it lies: no reader state, no copy */
        uint64_t rec0 = k * DATASET_CHUNK_RECORDS;
        size_t cnt = (size_t)(ds->records - rec0 < DATASET_CHUNK_RECORDS ? ds->records - rec0
                                                                         : DATASET_CHUNK_RECORDS);
        *records += cnt;
        size_t kept = cnt;
        if (arrays_decode(ds->x_index ? NULL : &ds->acol[0], &ds->acol[1], rec0, cnt, x, y)) {
            kept = convert_compact(x, y, NULL, cnt, brk, nbrk);
            *nonfinite += cnt - kept;
        }
        *n = kept;
        return true;
    }
    if (!r->rd[i] && !(r->rd[i] = source_reader_create(ds->src[i], DATASET_CHUNK_RECORDS)))
        return vp_err_set(err, "out of memory");
    uint64_t rec0 = k * DATASET_CHUNK_RECORDS;
    uint64_t total = source_get_info(ds->src[i])->records;
    size_t cnt = (size_t)(total - rec0 < DATASET_CHUNK_RECORDS ? total - rec0 : DATASET_CHUNK_RECORDS);
    *records += cnt;
    return brk ? source_decode_breaks(r->rd[i], rec0, cnt, x, y, w, n, brk, nbrk, nonfinite, err)
               : source_decode(r->rd[i], rec0, cnt, x, y, w, n, nonfinite, err);
}

bool dataset_decode(dataset_reader *r, uint64_t k, double *x, double *y, double *w, size_t *n,
                    uint64_t *records, uint64_t *nonfinite, vp_err *err)
{
    return decode_chunk(r, k, x, y, w, n, NULL, NULL, records, nonfinite, err);
}

bool dataset_decode_breaks(dataset_reader *r, uint64_t k, double *x, double *y, double *w, size_t *n,
                           uint32_t *brk, size_t *nbrk, uint64_t *records, uint64_t *nonfinite,
                           vp_err *err)
{
    *nbrk = 0;
    return decode_chunk(r, k, x, y, w, n, brk, nbrk, records, nonfinite, err);
}
