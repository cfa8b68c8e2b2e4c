/* The CPU engine of refine.h: one chunk_pass that lives as long as the
 * engine, fed chunk by chunk (its `next`) from the current view's shuffled
 * list; each thread bins into a grid of its own, and a snapshot sums them. */
#include "accum/refine_engines.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "accum/chunk_pass.h"
#include "core/util.h"

typedef struct worker {
    pthread_mutex_t lock; /* guards grid, gen, records, nonfinite */
    uint64_t *grid;       /* pixels + 1 (a spare cell for points outside) */
    size_t cap;           /* cells allocated */
    uint64_t gen;         /* the view generation the grid belongs to */
    uint64_t records, nonfinite;
    agg_grid *ag;         /* aggregating: the grid instead (sized for gen's view) */
    uint64_t bad_category;
    /* the chunk handed out by next (the worker's own) */
    bool has_job;
    uint64_t job_gen;
    view job_view;
    uint32_t idx[DATASET_CHUNK_RECORDS];
    /* followed data's selection (refine_set_points), for the job */
    uint64_t job_base;    /* the chunk's first point */
    uint32_t job_skip;    /* its points before the first one drawn */
    bool job_cut;         /* the first point drawn is in this chunk: it starts a line */
    refine_batch *jb;     /* the batches over the chunk's points (none: weight 1) */
    int njb, jb_cap;
    double *dgrid;        /* weighted: the grid (cells + 1) */
    size_t dcap;
    uint32_t brk2[DATASET_CHUNK_RECORDS + 1];
    /* lines */
    lines_out lo;
    bool lo_ok;
    uint64_t **sgrid;     /* normalizing: a grid per series (input), made when first needed */
    size_t sg_cells;      /* their size */
} worker;

struct refine_cpu {
    const dataset *ds;
    int nthreads;
    chunk_pass *pass;
    pthread_mutex_t lock; /* guards everything below */
    pthread_cond_t work_cv;
    worker **workers;     /* nthreads slots, filled as the threads start */
    int nworkers;
    bool quit, failed;
    vp_err err;
    view v;
    uint64_t gen;
    uint64_t *order, order_cap; /* chunk numbers to bin for this view, shuffled */
    uint64_t norder, next, done;
    uint64_t all_chunks;
    refine_agg agg;
    refine_lines lines;
    int nseries;
    lines_ends *ends;     /* lines: each chunk's ends, valid for view ends_gen[k] */
    uint64_t *ends_gen;
    /* followed data: the points drawn and their weights (refine_set_points) */
    bool select;          /* first_point > 0 or weighted */
    uint64_t first_point;
    refine_batch *batch;
    int nbatch;
    uint64_t *cfirst;     /* each chunk's first point (all_chunks + 1 entries; order_cap + 1 room) */
    uint64_t ncfirst;     /* chunks it covers */
};

static void *worker_create(void *ctx)
{
    refine_cpu *p = ctx;
    /* refinement yields to input handling and drawing */
    setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10);
    worker *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    pthread_mutex_init(&w->lock, NULL);
    w->gen = UINT64_MAX;
    pthread_mutex_lock(&p->lock);
    p->workers[p->nworkers++] = w;
    pthread_mutex_unlock(&p->lock);
    return w;
}

/* The worker's last chunk is binned: count it; then wait for the next. */
static bool worker_next(void *ctx, void *state, uint64_t *k)
{
    refine_cpu *p = ctx;
    worker *w = state;
    pthread_mutex_lock(&p->lock);
    if (w->has_job && w->job_gen == p->gen)
        p->done++;
    w->has_job = false;
    while (!p->quit && !p->failed && p->next >= p->norder)
        pthread_cond_wait(&p->work_cv, &p->lock);
    bool go = !p->quit && !p->failed;
    if (go) {
        *k = p->order[p->next++];
        w->has_job = true;
        w->job_gen = p->gen;
        w->job_view = p->v;
        w->njb = 0;
        w->job_skip = 0;
        w->job_cut = false;
        if (p->select && *k < p->ncfirst) {
            uint64_t a = p->cfirst[*k], b = p->cfirst[*k + 1];
            w->job_base = a;
            w->job_skip = p->first_point > a ? (uint32_t)(p->first_point - a) : 0;
            w->job_cut = p->first_point >= a && p->first_point < b;
            for (int i = 0; i < p->nbatch; i++) {
                uint64_t end = i + 1 < p->nbatch ? p->batch[i + 1].first : UINT64_MAX;
                if (end <= a || p->batch[i].first >= b)
                    continue;
                if (w->njb == w->jb_cap) {
                    int cap = w->jb_cap ? 2 * w->jb_cap : 8;
                    refine_batch *nb = realloc(w->jb, (size_t)cap * sizeof *nb);
                    if (!nb) {
                        p->failed = true;
                        vp_err_set(&p->err, "out of memory for the weights of a chunk");
                        break;
                    }
                    w->jb = nb;
                    w->jb_cap = cap;
                }
                w->jb[w->njb++] = p->batch[i];
            }
        }
    }
    pthread_mutex_unlock(&p->lock);
    return go;
}

/* Weighted (refine_set_points): the weight of the chunk's point j. The
 * batches are few and ascending: a scan from the last one. */
static double job_weight(const worker *w, uint64_t j)
{
    uint64_t pt = w->job_base + j;
    for (int i = w->njb; i-- > 0;)
        if (w->jb[i].first <= pt)
            return w->jb[i].weight;
    return 1.0;
}

/* A worker's grid (w->lock held) of cells cells of size bytes for the
 * job's view: grid itself, or, for a new view or one larger than *cap, the
 * grid zeroed or made again (its counts reset); NULL when out of memory
 * (*cap 0). The caller stores what it returns as its grid. */
static void *job_grid(worker *w, void *grid, size_t *cap, size_t cells, size_t size)
{
    if (w->gen != w->job_gen || *cap < cells) {
        if (*cap < cells) {
            free(grid);
            grid = calloc(cells, size);
            *cap = grid ? cells : 0;
        } else {
            memset(grid, 0, cells * size);
        }
        w->gen = w->job_gen;
        w->records = w->nonfinite = 0;
    }
    return grid;
}

/* The weighted grid of the job's view (w->lock held), cleared for a new
 * view; NULL when out of memory. */
static double *weighted_grid(worker *w, size_t cells)
{
    return w->dgrid = job_grid(w, w->dgrid, &w->dcap, cells, sizeof *w->dgrid);
}

/* Aggregating (w->lock held): the chunk's binned points into the worker's
 * grid, made or cleared for a new view. */
static bool agg_points(refine_cpu *p, worker *w, const view *v, const double *wv, size_t n,
                       uint32_t records, vp_err *err)
{
    const agg_grid *g = w->ag;
    if (w->gen != w->job_gen || !g || g->w != v->w || g->h != v->h) {
        if (g && g->w == v->w && g->h == v->h) {
            agg_grid_clear(w->ag);
        } else {
            agg_grid_destroy(w->ag);
            w->ag = NULL;
            if (!agg_grid_create(p->agg.kind, v->w, v->h, p->agg.ncat, &p->agg.fx, &w->ag, err))
                return false;
        }
        w->gen = w->job_gen;
        w->records = w->nonfinite = w->bad_category = 0;
    }
    agg_grid *ag = w->ag;
    const uint32_t spare = (uint32_t)((size_t)v->w * (size_t)v->h);
    for (size_t i = 0; i < n; i++) {
        uint32_t j = w->idx[i];
        if (j == spare)
            continue;
        if (ag->cat) {
            int c = agg_category_of(wv[i], ag->ncat);
            if (c < 0) {
                w->bad_category++;
                continue;
            }
            if (!agg_grid_add_category(ag, j, c, err))
                return false;
        } else {
            agg_grid_add(ag, j, wv[i]);
        }
    }
    w->records += records;
    w->nonfinite += records - n;
    return true;
}

static bool worker_points(void *ctx, void *state, uint64_t k, const double *x, const double *y,
                          const double *w_, size_t n, vp_err *err)
{
    refine_cpu *p = ctx;
    worker *w = state;
    const view *v = &w->job_view;
    size_t cells = (size_t)v->w * (size_t)v->h + 1;
    uint32_t records = dataset_chunk_records(p->ds, k);
    size_t skip = w->job_skip < n ? w->job_skip : n;
    view_bin_block(v, x + skip, y + skip, n - skip, (uint32_t)(cells - 1), w->idx);
    if (p->select && p->nbatch > 0) {
        pthread_mutex_lock(&w->lock);
        double *g = weighted_grid(w, cells);
        for (size_t i = 0; g && i < n - skip; i++)
            g[w->idx[i]] += job_weight(w, skip + i);
        w->records += records;
        w->nonfinite += records - n;
        pthread_mutex_unlock(&w->lock);
        return g || vp_err_set(err, "out of memory for a %dx%d refinement grid", v->w, v->h);
    }
    size_t m = n - skip; /* the points binned */
    pthread_mutex_lock(&w->lock);
    if (p->agg.on) {
        bool ok = agg_points(p, w, v, w_ ? w_ + skip : NULL, m, records, err);
        w->nonfinite -= skip; /* agg_points counted the skipped points as not finite */
        pthread_mutex_unlock(&w->lock);
        return ok;
    }
    w->grid = job_grid(w, w->grid, &w->cap, cells, sizeof *w->grid);
    bool ok = w->grid != NULL;
    for (size_t i = 0; ok && i < m; i++)
        w->grid[w->idx[i]]++;
    w->records += records;
    w->nonfinite += records - n;
    pthread_mutex_unlock(&w->lock);
    return ok || vp_err_set(err, "out of memory for a %dx%d refinement grid", v->w, v->h);
}

/* Lines (w->lock held): the grid for series s of the job's view, made or
 * cleared for a new view; NULL when out of memory. */
static uint64_t *lines_grid(refine_cpu *p, worker *w, int s, size_t cells)
{
    if (w->gen != w->job_gen) {
        if (w->grid && w->cap >= cells)
            memset(w->grid, 0, cells * sizeof *w->grid);
        for (int i = 0; w->sgrid && i < p->nseries; i++) {
            if (w->sgrid[i] && w->sg_cells == cells) {
                memset(w->sgrid[i], 0, cells * sizeof *w->sgrid[i]);
            } else {
                free(w->sgrid[i]);
                w->sgrid[i] = NULL;
            }
        }
        w->sg_cells = cells;
        w->gen = w->job_gen;
        w->records = w->nonfinite = 0;
    }
    if (!p->lines.lp.normalize) {
        if (w->cap < cells) {
            free(w->grid);
            w->grid = calloc(cells, sizeof *w->grid);
            w->cap = w->grid ? cells : 0;
        }
        return w->grid;
    }
    if (!w->sgrid && !(w->sgrid = calloc((size_t)p->nseries, sizeof *w->sgrid)))
        return NULL;
    if (!w->sgrid[s])
        w->sgrid[s] = calloc(cells, sizeof *w->sgrid[s]);
    return w->sgrid[s];
}

/* Lines (entered with w->lock held, which it releases): chunk k is binned
 * into the worker's grid (binned false: the grid could not be made, an
 * error); its records count, and its ends (e) are kept for the joins of the
 * job's view. */
static bool lines_chunk_done(refine_cpu *p, worker *w, uint64_t k, const lines_ends *e, bool binned,
                             uint32_t records, size_t total, vp_err *err)
{
    if (binned) {
        w->records += records;
        w->nonfinite += records - total;
    }
    uint64_t gen = w->job_gen;
    pthread_mutex_unlock(&w->lock);
    if (!binned)
        return vp_err_set(err, "out of memory for a %dx%d refinement grid", w->job_view.w, w->job_view.h);
    pthread_mutex_lock(&p->lock);
    if (k < p->order_cap) {
        p->ends[k] = *e;
        p->ends_gen[k] = gen;
    }
    pthread_mutex_unlock(&p->lock);
    return true;
}

static bool worker_lines(void *ctx, void *state, uint64_t k, const double *x, const double *y,
                         const double *w_, size_t n, const uint32_t *brk, size_t nbrk, vp_err *err)
{
    (void)w_;
    refine_cpu *p = ctx;
    worker *w = state;
    const view *v = &w->job_view;
    if (!w->lo_ok && !(w->lo_ok = lines_out_init(&w->lo)))
        return vp_err_set(err, "out of memory for a refinement worker");
    lines_ends e;
    uint32_t records = dataset_chunk_records(p->ds, k);
    size_t skip = w->job_skip < n ? w->job_skip : n, total = n;
    if (w->job_cut) {
        /* the first point drawn starts the line: a break before it, the
         * chunk's breaks after it moved down */
        size_t nb = 0;
        w->brk2[nb++] = 0;
        for (size_t i = 0; i < nbrk; i++)
            if (brk[i] > skip)
                w->brk2[nb++] = (uint32_t)(brk[i] - skip);
        brk = w->brk2;
        nbrk = nb;
        x += skip;
        y += skip;
        n -= skip;
    }
    lines_chunk(v, &p->lines.lp, x, y, n, brk, nbrk, &w->lo, &e);
    size_t cells = (size_t)v->w * (size_t)v->h;
    int s = p->lines.lp.normalize ? dataset_chunk_input(p->ds, k) : 0;
    pthread_mutex_lock(&w->lock);
    bool binned;
    if (p->select && p->nbatch > 0) {
        double *d = weighted_grid(w, cells);
        const size_t base = w->job_cut ? skip : 0;
        for (size_t i = 0; d && i < w->lo.npix; i++)
            d[w->lo.pix[i]] += job_weight(w, base + w->lo.pix_pt[i]);
        for (size_t i = 0; d && i < w->lo.nseg; i++)
            lines_raster_f64(&w->lo.seg[i], v->w, v->h, d, job_weight(w, base + w->lo.seg_pt[i]));
        binned = d != NULL;
    } else {
        uint64_t *g = lines_grid(p, w, s, cells);
        for (size_t i = 0; g && i < w->lo.npix; i++)
            g[w->lo.pix[i]]++;
        for (size_t i = 0; g && i < w->lo.nseg; i++)
            lines_raster_u64(&w->lo.seg[i], v->w, v->h, g);
        binned = g != NULL;
    }
    return lines_chunk_done(p, w, k, &e, binned, records, total, err);
}

static void stop_workers(void *ctx)
{
    refine_cpu *p = ctx;
    pthread_mutex_lock(&p->lock);
    p->quit = true;
    pthread_cond_broadcast(&p->work_cv);
    pthread_mutex_unlock(&p->lock);
}

/* A thread's error (decoding a chunk) is the engine's until the next view. */
static bool worker_finish(void *ctx, void *state, bool ok, vp_err *err)
{
    refine_cpu *p = ctx;
    (void)state;
    pthread_mutex_lock(&p->lock);
    if (!ok && !p->failed) {
        p->failed = true;
        p->err = *err;
    }
    pthread_cond_broadcast(&p->work_cv);
    pthread_mutex_unlock(&p->lock);
    return true;
}

static const chunk_pass_ops worker_ops = {worker_create, worker_points, NULL, worker_finish, worker_next,
                                          stop_workers};
static const chunk_pass_ops lines_ops = {worker_create, NULL, worker_lines, worker_finish, worker_next,
                                         stop_workers};

/* Stops the pass's threads (if any are left) and frees their grids. */
static void end_pass(refine_cpu *p)
{
    if (p->pass) {
        stop_workers(p);
        chunk_pass_join(p->pass, NULL, NULL);
        p->pass = NULL;
    }
    for (int i = 0; i < p->nworkers; i++) {
        pthread_mutex_destroy(&p->workers[i]->lock);
        free(p->workers[i]->grid);
        agg_grid_destroy(p->workers[i]->ag);
        if (p->workers[i]->lo_ok)
            lines_out_free(&p->workers[i]->lo);
        for (int j = 0; p->workers[i]->sgrid && j < p->nseries; j++)
            free(p->workers[i]->sgrid[j]);
        free(p->workers[i]->sgrid);
        free(p->workers[i]->jb);
        free(p->workers[i]->dgrid);
        free(p->workers[i]);
    }
    p->nworkers = 0;
}

/* The pass's threads; after an error they have ended, and a new view starts
 * new ones. */
static bool start_pass(refine_cpu *p, vp_err *err)
{
    end_pass(p);
    p->quit = p->failed = false;
    return chunk_pass_start(p->ds, p->nthreads, p->lines.on ? &lines_ops : &worker_ops, p, &p->pass, err);
}

bool refine_cpu_create(const dataset *ds, int threads, const refine_params *rp, refine_cpu **out,
                       vp_err *err)
{
    *out = NULL;
    refine_cpu *p = calloc(1, sizeof *p);
    if (!p)
        return vp_err_set(err, "out of memory");
    p->ds = ds;
    if (rp) {
        p->agg = rp->agg;
        p->lines = rp->lines;
    }
    p->nseries = dataset_inputs(ds) > 0 ? dataset_inputs(ds) : 1;
    p->all_chunks = dataset_chunks(ds);
    p->nthreads = threads > 0 ? threads : 1;
    p->order_cap = p->all_chunks ? p->all_chunks : 1;
    p->order = malloc(p->order_cap * sizeof *p->order);
    p->workers = calloc((size_t)p->nthreads, sizeof *p->workers);
    p->cfirst = calloc(p->order_cap + 1, sizeof *p->cfirst);
    if (p->lines.on) {
        p->ends = calloc(p->order_cap, sizeof *p->ends);
        p->ends_gen = calloc(p->order_cap, sizeof *p->ends_gen);
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->work_cv, NULL);
    if (!p->order || !p->workers || !p->cfirst || (p->lines.on && (!p->ends || !p->ends_gen))) {
        refine_cpu_destroy(p);
        return vp_err_set(err, "out of memory");
    }
    if (!start_pass(p, err)) {
        refine_cpu_destroy(p);
        return false;
    }
    *out = p;
    return true;
}

void refine_cpu_destroy(refine_cpu *p)
{
    if (!p)
        return;
    end_pass(p);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->work_cv);
    free(p->workers);
    free(p->order);
    free(p->ends);
    free(p->ends_gen);
    free(p->cfirst);
    free(p->batch);
    free(p);
}

/* Chunk numbers for the next point numbers (p->lock held): false when a
 * chunk's count is unknown. */
static bool number_points(refine_cpu *p)
{
    for (uint64_t k = p->ncfirst; k < p->all_chunks; k++) {
        uint32_t n;
        if (!dataset_chunk_points(p->ds, k, &n))
            return false;
        p->cfirst[k + 1] = p->cfirst[k] + n;
        p->ncfirst = k + 1;
    }
    return true;
}

/* The chunks of order[0, n) with points drawn (refine_set_points), kept in
 * place; returns how many. */
static uint64_t select_chunks(refine_cpu *p, uint64_t *order, uint64_t n)
{
    if (!p->select)
        return n;
    uint64_t m = 0;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t k = order[i];
        if (k < p->ncfirst && p->cfirst[k + 1] > p->first_point)
            order[m++] = k;
    }
    return m;
}

static void set_view_locked(refine_cpu *p, const view *v)
{
    p->v = *v;
    p->gen++;
    p->norder = p->lines.on ? refine_visible_lines(p->ds, v, 0, p->all_chunks, p->order)
                            : refine_visible(p->ds, v, 0, p->all_chunks, p->order);
    p->norder = select_chunks(p, p->order, p->norder);
    /* a fixed shuffle: the same view always refines in the same order */
    vp_shuffle_u64(p->order, p->norder);
    p->next = p->done = 0;
    pthread_cond_broadcast(&p->work_cv);
}

void refine_cpu_set_view(refine_cpu *p, const view *v)
{
    pthread_mutex_lock(&p->lock);
    bool failed = p->failed;
    if (!failed)
        set_view_locked(p, v);
    pthread_mutex_unlock(&p->lock);
    if (!failed)
        return;
    /* a decoding error ended the threads: new ones (the error shows again
     * if the chunk is read again) */
    vp_err e;
    if (!start_pass(p, &e)) {
        pthread_mutex_lock(&p->lock);
        p->failed = true;
        p->err = e;
        pthread_mutex_unlock(&p->lock);
        return;
    }
    pthread_mutex_lock(&p->lock);
    set_view_locked(p, v);
    pthread_mutex_unlock(&p->lock);
}

/* The joins (lines_run.h) of series s (-1: all) among the chunks binned
 * for view gen: a chunk's first point joins the previous chunk's last once
 * both are binned (a chunk left out of the view cannot join into it:
 * refine_visible_lines). */
static double batch_weight(const refine_batch *b, int nb, uint64_t pt)
{
    for (int i = nb; i-- > 0;)
        if (b[i].first <= pt)
            return b[i].weight;
    return 1.0;
}

/* dcounts (weighted: the weight of the chunk's first point, from cfirst and
 * the batches) instead of counts when not NULL. */
static void snapshot_joins(refine_cpu *p, const view *v, uint64_t gen, const lines_ends *ends,
                           const uint64_t *egen, uint64_t n, int s, uint64_t *counts, double *dcounts,
                           const uint64_t *cfirst, const refine_batch *b, int nb)
{
    const lines_params *lp = &p->lines.lp;
    for (uint64_t k = 0; k < n; k++) {
        if (egen[k] != gen || !ends[k].head_ok)
            continue;
        int in = dataset_chunk_input(p->ds, k);
        if (s >= 0 && in != s)
            continue;
        const lines_ends *e = &ends[k];
        bool first = k == dataset_input_first_chunk(p->ds, in);
        if (!first && egen[k - 1] != gen)
            continue; /* not binned yet, or out of the view */
        const lines_ends *q = first ? NULL : &ends[k - 1];
        lines_seg sg;
        uint32_t i;
        double wt = dcounts ? batch_weight(b, nb, cfirst[k]) : 1;
        if (q && q->tail_ok && !(lp->break_gap > 0 && fabs(e->hx - q->tx) > lp->break_gap)) {
            if (lines_segment(v, q->tx, q->ty, e->hx, e->hy, &sg)) {
                if (dcounts)
                    lines_raster_f64(&sg, v->w, v->h, dcounts, wt);
                else
                    lines_raster_u64(&sg, v->w, v->h, counts);
            }
        } else if (lines_start(v, e->hx, e->hy, &i)) {
            if (dcounts)
                dcounts[i] += wt;
            else
                counts[i]++;
        }
    }
}

/* The state of the view's refinement (p->lock held), records_done and
 * nonfinite 0 (a snapshot sums the workers'). */
static refine_state progress(const refine_cpu *p)
{
    return (refine_state){p->gen, p->done, p->norder, 0, 0, p->done == p->norder};
}

/* What a snapshot takes under p->lock: the view, its progress, whether a
 * thread failed, and how many workers there are. */
typedef struct snap_head {
    uint64_t gen;
    view v;
    refine_state s;
    bool failed;
    int nw;
} snap_head;

/* p->lock held; a thread's error is copied to err (when not NULL) if one failed. */
static snap_head snapshot_head(const refine_cpu *p, vp_err *err)
{
    snap_head h = {p->gen, p->v, progress(p), p->failed, p->nworkers};
    if (h.failed && err)
        *err = p->err;
    return h;
}

/* Weighted (refine_set_points with batches): the workers' sums, the joins
 * for lines, in 1/REFINE_WEIGHT_UNIT. */
static bool weighted_snapshot(refine_cpu *p, uint64_t *counts, refine_state *st, vp_err *err)
{
    pthread_mutex_lock(&p->lock);
    snap_head h = snapshot_head(p, err);
    int nb = p->nbatch;
    uint64_t n = p->lines.on ? p->all_chunks : 0;
    size_t pixels = (size_t)h.v.w * (size_t)h.v.h;
    double *acc = calloc(pixels ? pixels : 1, sizeof *acc);
    lines_ends *ends = malloc((n ? n : 1) * sizeof *ends);
    uint64_t *egen = malloc((n ? n : 1) * sizeof *egen);
    uint64_t *cf = malloc((n + 1) * sizeof *cf);
    refine_batch *b = malloc((size_t)(nb ? nb : 1) * sizeof *b);
    bool mem = acc && ends && egen && cf && b;
    if (mem) {
        if (n) { /* points only: no ends, and memcpy wants real pointers */
            memcpy(ends, p->ends, n * sizeof *ends);
            memcpy(egen, p->ends_gen, n * sizeof *egen);
        }
        if (n && p->ncfirst)
            memcpy(cf, p->cfirst, (n < p->ncfirst ? n : p->ncfirst) * sizeof *cf);
        if (nb)
            memcpy(b, p->batch, (size_t)nb * sizeof *b);
        for (uint64_t k = p->ncfirst; k < n; k++)
            egen[k] = 0; /* no point numbers yet: not binned */
    }
    pthread_mutex_unlock(&p->lock);
    bool ok = mem;
    if (!mem)
        vp_err_set(err, "out of memory for a refinement snapshot");
    for (int i = 0; ok && i < h.nw; i++) {
        worker *w = p->workers[i];
        pthread_mutex_lock(&w->lock);
        if (w->gen == h.gen && w->dgrid && w->dcap >= pixels) {
            for (size_t j = 0; j < pixels; j++)
                acc[j] += w->dgrid[j];
            h.s.records_done += w->records;
            h.s.nonfinite += w->nonfinite;
        }
        pthread_mutex_unlock(&w->lock);
    }
    if (ok && p->lines.on)
        snapshot_joins(p, &h.v, h.gen, ends, egen, n, -1, NULL, acc, cf, b, nb);
    for (size_t j = 0; ok && j < pixels; j++)
        counts[j] = (uint64_t)llround(acc[j] * REFINE_WEIGHT_UNIT);
    free(acc);
    free(ends);
    free(egen);
    free(cf);
    free(b);
    if (st)
        *st = h.s;
    return ok && !h.failed;
}

static bool lines_snapshot(refine_cpu *p, uint64_t *counts, refine_state *st, vp_err *err)
{
    pthread_mutex_lock(&p->lock);
    snap_head h = snapshot_head(p, err);
    uint64_t n = p->all_chunks;
    lines_ends *ends = malloc((n ? n : 1) * sizeof *ends);
    uint64_t *egen = malloc((n ? n : 1) * sizeof *egen);
    if (ends && egen) {
        memcpy(ends, p->ends, n * sizeof *ends);
        memcpy(egen, p->ends_gen, n * sizeof *egen);
    }
    pthread_mutex_unlock(&p->lock);
    size_t pixels = (size_t)h.v.w * (size_t)h.v.h;
    memset(counts, 0, pixels * sizeof *counts);
    bool norm = p->lines.lp.normalize;
    uint64_t *tmp = norm ? calloc(pixels, sizeof *tmp) : NULL;
    if (!ends || !egen || (norm && !tmp)) {
        free(ends);
        free(egen);
        free(tmp);
        return vp_err_set(err, "out of memory for a refinement snapshot");
    }
    bool ok = !h.failed;
    for (int sr = 0; sr < (norm ? p->nseries : 1); sr++) {
        uint64_t *acc = norm ? tmp : counts;
        if (norm)
            memset(tmp, 0, pixels * sizeof *tmp);
        for (int i = 0; i < h.nw; i++) {
            worker *w = p->workers[i];
            pthread_mutex_lock(&w->lock);
            const uint64_t *g = norm ? (w->sgrid && w->sg_cells == pixels ? w->sgrid[sr] : NULL)
                                     : (w->cap >= pixels ? w->grid : NULL);
            if (w->gen == h.gen && g)
                for (size_t j = 0; j < pixels; j++)
                    acc[j] += g[j];
            if (w->gen == h.gen && sr == 0) {
                h.s.records_done += w->records;
                h.s.nonfinite += w->nonfinite;
            }
            pthread_mutex_unlock(&w->lock);
        }
        snapshot_joins(p, &h.v, h.gen, ends, egen, n, norm ? sr : -1, acc, NULL, NULL, NULL, 0);
        if (norm && !lines_normalize_add(tmp, h.v.w, h.v.h, counts))
            ok = vp_err_set(err, "out of memory normalizing a series");
    }
    free(ends);
    free(egen);
    free(tmp);
    if (st)
        *st = h.s;
    return ok;
}

bool refine_cpu_snapshot(refine_cpu *p, uint64_t *counts, refine_state *st, vp_err *err)
{
    if (p->select && p->nbatch > 0)
        return weighted_snapshot(p, counts, st, err);
    if (p->lines.on)
        return lines_snapshot(p, counts, st, err);
    pthread_mutex_lock(&p->lock);
    snap_head h = snapshot_head(p, err);
    pthread_mutex_unlock(&p->lock);
    size_t pixels = (size_t)h.v.w * (size_t)h.v.h;
    memset(counts, 0, pixels * sizeof *counts);
    for (int i = 0; i < h.nw; i++) {
        worker *w = p->workers[i];
        pthread_mutex_lock(&w->lock);
        if (w->gen == h.gen && w->grid) {
            for (size_t j = 0; j < pixels; j++)
                counts[j] += w->grid[j];
            h.s.records_done += w->records;
            h.s.nonfinite += w->nonfinite;
        }
        pthread_mutex_unlock(&w->lock);
    }
    if (st)
        *st = h.s;
    return !h.failed;
}

bool refine_cpu_snapshot_agg(refine_cpu *p, agg_grid *g, uint64_t *bad_category, refine_state *st,
                             vp_err *err)
{
    pthread_mutex_lock(&p->lock);
    snap_head h = snapshot_head(p, NULL);
    vp_err ferr = p->err;
    pthread_mutex_unlock(&p->lock);
    if (!p->agg.on || g->w != h.v.w || g->h != h.v.h)
        return vp_err_set(err, "internal: an aggregate snapshot of another size or without aggregates");
    agg_grid_clear(g);
    *bad_category = 0;
    bool ok = true;
    for (int i = 0; i < h.nw && ok; i++) {
        worker *w = p->workers[i];
        pthread_mutex_lock(&w->lock);
        if (w->gen == h.gen && w->ag) {
            ok = agg_grid_merge(g, w->ag, err);
            h.s.records_done += w->records;
            h.s.nonfinite += w->nonfinite;
            *bad_category += w->bad_category;
        }
        pthread_mutex_unlock(&w->lock);
    }
    if (st)
        *st = h.s;
    if (h.failed && ok && err)
        *err = ferr;
    return ok && !h.failed;
}

static bool fit_order(refine_cpu *p, uint64_t n)
{
    if (n <= p->order_cap)
        return true;
    uint64_t cap = p->order_cap * 2 > n ? p->order_cap * 2 : n;
    uint64_t *o = realloc(p->order, cap * sizeof *o);
    if (!o)
        return false;
    p->order = o;
    if (p->lines.on) {
        lines_ends *e = realloc(p->ends, cap * sizeof *e);
        if (e)
            p->ends = e;
        uint64_t *g = e ? realloc(p->ends_gen, cap * sizeof *g) : NULL;
        if (!g)
            return false; /* order_cap unchanged: the ends arrays hold at least that */
        memset(g + p->order_cap, 0, (cap - p->order_cap) * sizeof *g);
        p->ends_gen = g;
    }
    uint64_t *c = realloc(p->cfirst, (cap + 1) * sizeof *c);
    if (!c)
        return false;
    p->cfirst = c;
    p->order_cap = cap;
    return true;
}

bool refine_cpu_set_points(refine_cpu *p, uint64_t first, const refine_batch *b, int nb, vp_err *err)
{
    refine_batch *copy = NULL;
    if (nb > 0 && !(copy = malloc((size_t)nb * sizeof *copy)))
        return vp_err_set(err, "out of memory for %d weights", nb);
    if (nb > 0)
        memcpy(copy, b, (size_t)nb * sizeof *copy);
    pthread_mutex_lock(&p->lock);
    bool select = first > 0 || nb > 0;
    if (select && !number_points(p)) {
        pthread_mutex_unlock(&p->lock);
        free(copy);
        return vp_err_set(err, "internal: --window and --persist need the points of every chunk (a followed file)");
    }
    free(p->batch);
    p->batch = copy;
    p->nbatch = nb;
    p->first_point = first;
    p->select = select;
    if (p->gen > 0)
        set_view_locked(p, &p->v);
    pthread_mutex_unlock(&p->lock);
    return true;
}

void refine_cpu_grow(refine_cpu *p)
{
    uint64_t n = dataset_chunks(p->ds);
    pthread_mutex_lock(&p->lock);
    if (n > p->all_chunks && fit_order(p, n)) {
        uint64_t before = p->norder;
        if (p->lines.on) {
            /* the old last chunk joins the first new one: needed now if that join shows */
            uint64_t last = p->all_chunks - 1, tmp;
            bool queued = false;
            for (uint64_t i = p->norder; p->all_chunks > 0 && !queued && i-- > 0;)
                queued = p->order[i] == last;
            if (p->all_chunks > 0 && !queued && refine_visible_lines(p->ds, &p->v, last, last + 1, &tmp) == 1)
                p->order[p->norder++] = last;
            p->norder += refine_visible_lines(p->ds, &p->v, p->all_chunks, n, p->order + p->norder);
        } else {
            p->norder += refine_visible(p->ds, &p->v, p->all_chunks, n, p->order + p->norder);
        }
        p->all_chunks = n;
        if (p->select) {
            if (!number_points(p) && !p->failed) {
                p->failed = true;
                vp_err_set(&p->err, "internal: a followed chunk's points are not known");
            }
            p->norder = before + select_chunks(p, p->order + before, p->norder - before);
        }
        pthread_cond_broadcast(&p->work_cv);
    }
    pthread_mutex_unlock(&p->lock);
}

void refine_cpu_reset(refine_cpu *p)
{
    pthread_mutex_lock(&p->lock);
    uint64_t n = dataset_chunks(p->ds);
    if (fit_order(p, n))
        p->all_chunks = n;
    p->ncfirst = 0; /* the chunks are new: numbered again */
    if (p->select && !number_points(p) && !p->failed) {
        p->failed = true;
        vp_err_set(&p->err, "internal: a followed chunk's points are not known");
    }
    view v = p->v;
    pthread_mutex_unlock(&p->lock);
    refine_cpu_set_view(p, &v);
}

void refine_cpu_get_state(refine_cpu *p, refine_state *st)
{
    pthread_mutex_lock(&p->lock);
    *st = progress(p);
    pthread_mutex_unlock(&p->lock);
}
