/* The GPU line density engine (lines_run.h): the grid of lines_cpu_run, bit
 * for bit, with 32-bit image atomics.
 *
 * Data path. Loader threads (chunk_pass with points_breaks, walking chunks
 * [from, to) of one range) cut each decoded chunk with lines_chunk, as the
 * CPU engine does, and put what it adds into persistently mapped, fenced
 * ring slots (gl/ring.h) as 16-byte records: each lines_seg as it is, each
 * pixel of pix[] as (LINES_GPU_PIXEL, index, 0, 0). The GL thread dispatches
 * shaders/lines.comp.glsl on each filled slot, one invocation per record: it
 * adds the pixel, or walks the segment with rule 3's integer arithmetic in
 * 32-bit ints (the shader's top says why that is exact), into an r32ui image
 * of the view. Rules 1-2 (the extended pixels, the far cut) stay on the CPU,
 * in lines_chunk, so both engines start from the same integer segments.
 *
 * The joins between chunks are drawn on the CPU after the pass, into the
 * 64-bit grid the image was read back into (lines_joins): the same code as
 * the CPU engine's, so identical by construction.
 *
 * Folding. A record adds at most 1 to a pixel (a segment's steps move its
 * major coordinate by one each: distinct pixels), so no pixel of the image can
 * pass the records dispatched since the last fold; the image is read back and
 * added into the 64-bit grid (and cleared) before that could pass
 * accum_params.flush_every (default and most 2^32 - 1, at least one slot).
 * In a normal run that means one fold per range, at its end.
 *
 * --normalize lines: one range per series (input), each into the zeroed image
 * and a zeroed 64-bit series grid, shared out with lines_normalize_add, as
 * lines_cpu_run does.
 *
 * Limits. One image of the view (no tiles): a view wider or taller than
 * GL_MAX_TEXTURE_SIZE, or than 2^16 (the shader's 32-bit bounds), or of more
 * than 2^29 pixels (one glGetTextureImage of 32-bit words), is refused with
 * stats->gpu_refused, naming the size and the limit (the CPU engine serves
 * any size). */
#include <glad/gl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accum/bin_gpu.h"
#include "accum/lines_run.h"
#include "gl/gl_util.h"
#include "gl/ring.h"
#include "gl/shader.h"

#define LOCAL_SIZE 64
#define DEFAULT_SLOT_RECORDS (1u << 20) /* 16 MiB per slot */
#define DEFAULT_SLOTS 4
#define MAX_SIDE 65536                  /* the shader's 32-bit bounds */
#define MAX_PIXELS ((size_t)1 << 29)    /* 2^31 bytes of 32-bit words */
/* the x0 of a pixel record: never a coordinate (rule 2 keeps them within
 * +-(2^20 + 2^16)) */
#define LINES_GPU_PIXEL INT32_MIN

typedef struct gpu_rec {
    int32_t a, b, c, d;
} gpu_rec;
_Static_assert(sizeof(gpu_rec) == 16, "gpu_rec must match lines.comp.glsl's ivec4");
_Static_assert(sizeof(lines_seg) == 16, "a lines_seg is copied as one record");

/* ---- the loaders' side ------------------------------------------------------ */

typedef struct lg_job {
    const dataset *ds;
    const view *v;
    const lines_params *lp;
    ring *ring;
    size_t cap;       /* records per slot */
    lines_ends *ends; /* chunks [range.from, range.to) */
    chunk_range range;
} lg_job;

typedef struct lg_state {
    ring_writer w;
    lines_out o;
} lg_state;

static void *lg_create(void *ctx)
{
    lg_job *j = ctx;
    lg_state *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    if (!lines_out_init(&s->o)) {
        free(s);
        return NULL;
    }
    ring_writer_init(&s->w, j->ring, sizeof(gpu_rec), j->cap);
    return s;
}

/* Hot path: one chunk cut into records. */
static bool lg_points(void *ctx, void *state, uint64_t k, const double *x, const double *y,
                      const double *w, size_t n, const uint32_t *brk, size_t nbrk, vp_err *err)
{
    (void)w;
    lg_job *j = ctx;
    lg_state *s = state;
    lines_out *o = &s->o;
    lines_chunk(j->v, j->lp, x, y, n, brk, nbrk, o, &j->ends[k - j->range.from]);
    size_t m = o->npix + o->nseg; /* <= n <= one chunk <= the slot */
    if (m == 0)
        return true;
    gpu_rec *out = ring_writer_put(&s->w, m);
    if (!out)
        return vp_err_set(err, "GPU line accumulation stopped");
    for (size_t i = 0; i < o->npix; i++)
        out[i] = (gpu_rec){LINES_GPU_PIXEL, (int32_t)o->pix[i], 0, 0};
    memcpy(out + o->npix, o->seg, o->nseg * sizeof *o->seg);
    return true;
}

static bool lg_next(void *ctx, void *state, uint64_t *k)
{
    (void)state;
    lg_job *j = ctx;
    return chunk_range_next(&j->range, k);
}

static bool lg_finish(void *ctx, void *state, bool ok, vp_err *err)
{
    (void)ok;
    (void)err;
    lg_job *j = ctx;
    lg_state *s = state;
    if (s) {
        ring_writer_flush(&s->w);
        lines_out_free(&s->o);
        free(s);
    }
    ring_producer_done(j->ring);
    return true;
}

/* An error in any loader (or a cancel): loaders blocked on a full ring and
 * the GL thread waiting for a slot both get out. */
static void lg_stop(void *ctx)
{
    lg_job *j = ctx;
    ring_close(j->ring);
}

static const chunk_pass_ops lg_ops = {.thread_create = lg_create,
                                      .points_breaks = lg_points,
                                      .next = lg_next,
                                      .thread_finish = lg_finish,
                                      .stop = lg_stop};

/* ---- the GL side ------------------------------------------------------------- */

typedef struct lg_engine {
    const dataset *ds;
    const view *v;
    const lines_params *lp;
    size_t pixels;
    int threads, nslots;
    size_t cap;           /* records per slot, as the ring was made */
    uint64_t flush_every; /* records between folds */
    GLuint prog, tex;
    GLint u_n, u_size;
    uint32_t *buf;        /* readback scratch */
    lines_ends *ends;
    accum_stats *stats;
    chunk_pass_totals tot;
} lg_engine;

/* Adds the image into grid and clears it. */
static bool lg_fold(lg_engine *e, uint64_t *grid, vp_err *err)
{
    if (!gl_check("the line density dispatches", err))
        return vp_err_prefix(err, "accumulating lines on the GPU");
    if (!bin_gpu_read_counts(e->tex, e->pixels, e->buf, grid, true, err))
        return false;
    const GLuint zero = 0;
    glClearTexImage(e->tex, 0, GL_RED_INTEGER, GL_UNSIGNED_INT, &zero);
    e->stats->flushes++;
    return true;
}

/* A ring of e->nslots slots of e->cap records, halving the slots down to one
 * chunk each when GL refuses the memory (as accum_gpu does). */
static bool lg_ring(lg_engine *e, ring **r, vp_err *err)
{
    for (;;) {
        vp_err rerr;
        if (ring_create(e->nslots, e->cap * sizeof(gpu_rec), r, &rerr))
            return true;
        if (e->cap / 2 < DATASET_CHUNK_RECORDS) {
            *err = rerr;
            e->stats->gpu_refused = true;
            return false;
        }
        e->cap /= 2;
    }
}

/* Chunks [from, to) (whole inputs) added into grid: the GPU pass, the fold,
 * then the joins. A ring of its own per range (a ring's producers are
 * counted once). */
static bool lg_range(lg_engine *e, uint64_t from, uint64_t to, uint64_t *grid, vp_err *err)
{
    ring *r = NULL;
    chunk_pass *pass = NULL;
    bool ok = false;
    free(e->ends);
    if (!(e->ends = calloc(to > from ? to - from : 1, sizeof *e->ends)))
        return vp_err_set(err, "out of memory for %llu chunks' ends",
                          (unsigned long long)(to - from));
    if (!lg_ring(e, &r, err))
        return false;
    if (e->flush_every < e->cap)
        e->flush_every = e->cap; /* one slot must fit between folds */
    e->stats->gpu_slot_points = e->cap;
    lg_job job = {.ds = e->ds, .v = e->v, .lp = e->lp, .ring = r, .cap = e->cap, .ends = e->ends};
    chunk_range_set(&job.range, from, to);
    ring_set_producers(r, e->threads);

    glUseProgram(e->prog);
    glUniform2i(e->u_size, e->v->w, e->v->h);
    glBindImageTexture(0, e->tex, 0, GL_FALSE, 0, GL_READ_WRITE, GL_R32UI);
    if (!chunk_pass_start(e->ds, e->threads, &lg_ops, &job, &pass, err))
        goto out;

    uint64_t since_fold = 0;
    bool fold_ok = true;
    size_t bytes;
    int s;
    while ((s = ring_next_filled(r, &bytes)) >= 0) {
        GLuint n = (GLuint)(bytes / sizeof(gpu_rec));
        if (n) {
            if (since_fold + n > e->flush_every) {
                if (!(fold_ok = lg_fold(e, grid, err))) {
                    ring_close(r);
                    ring_retire(r, s);
                    break;
                }
                since_fold = 0;
                glUseProgram(e->prog);
            }
            bin_gpu_dispatch_slot(r, s, bytes, n, e->u_n, LOCAL_SIZE);
            since_fold += n;
        }
        ring_retire(r, s);
    }
    chunk_pass_totals t = {0};
    bool joined = chunk_pass_join_after(pass, fold_ok, &t, err);
    pass = NULL;
    if (!joined)
        goto out;
    if (!lg_fold(e, grid, err))
        goto out;
    e->tot.records += t.records;
    e->tot.nonfinite += t.nonfinite;
    lines_joins(e->ds, e->v, e->lp, e->ends, from, to, grid);
    ring_stats rs;
    ring_get_stats(r, &rs);
    e->stats->ring_waits += rs.producer_waits;
    e->stats->fence_waits += rs.fence_waits;
    ok = true;
out:
    if (pass) {
        chunk_pass_cancel(pass);
        ring_close(r);
        chunk_pass_join(pass, NULL, NULL);
    }
    ring_destroy(r);
    return ok;
}

/* The image and the program for view v, or false with err (gpu_refused for
 * a view GL cannot hold). */
static bool lg_setup(lg_engine *e, vp_err *err)
{
    const view *v = e->v;
    GLint side = 0;
    glGetIntegerv(GL_MAX_TEXTURE_SIZE, &side);
    int limit = side < MAX_SIDE ? side : MAX_SIDE;
    if (v->w > limit || v->h > limit || e->pixels > MAX_PIXELS) {
        e->stats->gpu_refused = true;
        return vp_err_set(err,
                          "a %dx%d line density picture does not fit one GPU image: this GL allows "
                          "%d pixels a side (GL_MAX_TEXTURE_SIZE), the line shader %d, and one "
                          "readback %zu pixels",
                          v->w, v->h, (int)side, MAX_SIDE, MAX_PIXELS);
    }
    char defs[64];
    snprintf(defs, sizeof defs, "#define LOCAL_SIZE %d\n", LOCAL_SIZE);
    if (!(e->prog = shader_program_compute("lines.comp.glsl", defs, err)))
        return false;
    e->u_n = glGetUniformLocation(e->prog, "u_n");
    e->u_size = glGetUniformLocation(e->prog, "u_size");
    int tw = 0, th = 0;
    if (!bin_gpu_count_image(&e->tex, &tw, &th, v->w, v->h, err)) {
        e->stats->gpu_refused = true;
        return false;
    }
    if (!(e->buf = malloc(e->pixels * sizeof *e->buf)))
        return vp_err_set(err, "out of memory for a %dx%d readback buffer", v->w, v->h);
    /* a slot is bound as one shader storage block: no larger than the driver allows */
    GLint64 max_block = 0;
    glGetInteger64v(GL_MAX_SHADER_STORAGE_BLOCK_SIZE, &max_block);
    if (max_block > 0 && e->cap * sizeof(gpu_rec) > (uint64_t)max_block)
        e->cap = (size_t)max_block / sizeof(gpu_rec);
    if (e->cap < DATASET_CHUNK_RECORDS)
        return vp_err_set(err, "GL_MAX_SHADER_STORAGE_BLOCK_SIZE %lld holds less than one chunk",
                          (long long)max_block);
    return true;
}

bool lines_gpu_run(const dataset *ds, const view *v, const lines_params *lp, const accum_params *p,
                   uint64_t *counts, accum_stats *stats, vp_err *err)
{
    accum_params defaults = {0};
    accum_stats local;
    if (!p)
        p = &defaults;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    lg_engine e = {.ds = ds, .v = v, .lp = lp, .stats = stats};
    e.pixels = (size_t)v->w * (size_t)v->h;
    e.threads = p->threads > 0 ? p->threads : chunk_pass_default_threads();
    e.nslots = p->gpu_slots > 1 ? p->gpu_slots : DEFAULT_SLOTS;
    e.cap = p->gpu_slot_points ? p->gpu_slot_points : DEFAULT_SLOT_RECORDS;
    if (e.cap < DATASET_CHUNK_RECORDS)
        e.cap = DATASET_CHUNK_RECORDS;
    e.flush_every = p->flush_every ? p->flush_every : UINT32_MAX;
    if (e.flush_every > UINT32_MAX)
        e.flush_every = UINT32_MAX;

    bool ok = lg_setup(&e, err);
    uint64_t *series = NULL;
    if (ok && !lp->normalize) {
        ok = lg_range(&e, 0, dataset_chunks(ds), counts, err);
    } else if (ok) {
        /* one series at a time into a grid of its own, then its columns shared out */
        int inputs = dataset_inputs(ds) > 0 ? dataset_inputs(ds) : 1;
        if (!(series = calloc(e.pixels, sizeof *series)))
            ok = vp_err_set(err, "out of memory for a series' grid (%zu pixels)", e.pixels);
        for (int i = 0; ok && i < inputs; i++) {
            uint64_t from = dataset_input_first_chunk(ds, i);
            uint64_t to = i + 1 < inputs ? dataset_input_first_chunk(ds, i + 1) : dataset_chunks(ds);
            if (from == to)
                continue;
            if (i > 0)
                memset(series, 0, e.pixels * sizeof *series);
            ok = lg_range(&e, from, to, series, err);
            if (ok && !lines_normalize_add(series, v->w, v->h, counts))
                ok = vp_err_set(err, "out of memory normalizing a series");
        }
    }
    if (ok) {
        uint64_t drawn = 0;
        for (size_t i = 0; i < e.pixels; i++)
            drawn += counts[i];
        stats->records = e.tot.records;
        stats->nonfinite = e.tot.nonfinite;
        stats->drawn = drawn;
        stats->gpu = true;
    }
    free(series);
    free(e.ends);
    free(e.buf);
    if (e.tex)
        glDeleteTextures(1, &e.tex);
    if (e.prog)
        glDeleteProgram(e.prog);
    return ok;
}
