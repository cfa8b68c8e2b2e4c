#include <glad/gl.h>
#include <stdio.h>
#include <stdlib.h>

#include "accum/accum.h"
#include "accum/bin_gpu.h"
#include "gl/gl_util.h"
#include "gl/ring.h"

#define LOCAL_SIZE 256
#define DEFAULT_SLOT_POINTS (1u << 20) /* 16 MiB per slot */
#define POINT_BYTES (2 * sizeof(double))
#define DEFAULT_SLOTS 4

typedef struct gpu_job {
    const view *v;
    ring *ring;
    size_t cap; /* points per slot */
    chunk_range range; /* accum_gpu_run_range: the chunks to bin */
} gpu_job;

static void *loader_create(void *ctx)
{
    gpu_job *j = ctx;
    ring_writer *w = malloc(sizeof *w);
    if (w)
        ring_writer_init(w, j->ring, POINT_BYTES, j->cap);
    return w;
}

static bool loader_points(void *ctx, void *state, uint64_t k, const double *x, const double *y,
                          const double *w, size_t n, vp_err *err)
{
    (void)ctx;
    (void)w; /* w is for the aggregations */
    (void)k;
    /* the decoded values themselves: the shader bins them as view.h does */
    double *out = ring_writer_put(state, n);
    if (!out)
        return vp_err_set(err, "GPU accumulation stopped");
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = x[i];
        out[2 * i + 1] = y[i];
    }
    return true;
}

static bool loader_finish(void *ctx, void *state, bool ok, vp_err *err)
{
    (void)ok; (void)err;
    gpu_job *j = ctx;
    if (state)
        ring_writer_flush(state);
    free(state);
    ring_producer_done(j->ring);
    return true;
}

static bool loader_next(void *ctx, void *state, uint64_t *k)
{
    (void)state;
    return chunk_range_next(&((gpu_job *)ctx)->range, k);
}

static const chunk_pass_ops loader_ops = {.thread_create = loader_create, .points = loader_points,
                                          .thread_finish = loader_finish};
/* the same over a range of the chunks (accum_gpu_run_range) */
static const chunk_pass_ops loader_range_ops = {.thread_create = loader_create, .points = loader_points,
                                                .thread_finish = loader_finish, .next = loader_next};

/* Adds the 32-bit image into the 64-bit grid and clears it. */
static bool fold(GLuint tex, const view *v, uint32_t *buf, uint64_t *counts, vp_err *err)
{
    if (!bin_gpu_read_counts(tex, (size_t)v->w * (size_t)v->h, buf, counts, true, err))
        return false;
    const GLuint zero = 0;
    glClearTexImage(tex, 0, GL_RED_INTEGER, GL_UNSIGNED_INT, &zero);
    return true;
}

/* range: NULL for every chunk, else {from, to} within the dataset's */
static bool gpu_run(const dataset *ds, const view *v, const accum_params *p, const uint64_t *range,
                    uint64_t *counts, accum_stats *stats, vp_err *err)
{
    accum_params defaults = {0};
    if (!p)
        p = &defaults;
    *stats = (accum_stats){0};
    uint64_t flush_every = p->flush_every ? p->flush_every : UINT32_MAX;
    size_t cap = p->gpu_slot_points ? p->gpu_slot_points : DEFAULT_SLOT_POINTS;
    if (cap < DATASET_CHUNK_RECORDS)
        cap = DATASET_CHUNK_RECORDS;
    if (flush_every < cap)
        flush_every = cap; /* one slot must fit between folds */
    int nslots = p->gpu_slots > 1 ? p->gpu_slots : DEFAULT_SLOTS;
    int threads = p->threads > 0 ? p->threads : chunk_pass_default_threads();
    size_t pixels = (size_t)v->w * (size_t)v->h;

    bool ok = false;
    GLuint tex = 0;
    bin_gpu bg = {0};
    ring *r = NULL;
    uint32_t *buf = NULL;
    chunk_pass *pass = NULL;
    gpu_job job = {.v = v, .cap = cap};
    if (range)
        chunk_range_set(&job.range, range[0], range[1]);

    if (!bin_gpu_create(&bg, "accum.comp.glsl", LOCAL_SIZE, err))
        goto out;
    int tw = 0, th = 0;
    if (!bin_gpu_count_image(&tex, &tw, &th, v->w, v->h, err)) {
        stats->gpu_refused = true;
        goto out;
    }
    if (!(buf = malloc(pixels * sizeof *buf))) {
        vp_err_set(err, "out of memory for a %dx%d readback buffer", v->w, v->h);
        goto out;
    }
    /* A slot is bound as one shader storage block: no larger than the driver
     * allows. If the driver refuses the ring's memory, halve the slots down to
     * one chunk each before giving up. */
    GLint64 max_block = 0;
    glGetInteger64v(GL_MAX_SHADER_STORAGE_BLOCK_SIZE, &max_block);
    if (max_block > 0 && cap * POINT_BYTES > (uint64_t)max_block)
        cap = (size_t)max_block / POINT_BYTES;
    for (;;) {
        vp_err rerr;
        if (ring_create(nslots, cap * POINT_BYTES, &r, &rerr))
            break;
        if (cap / 2 < DATASET_CHUNK_RECORDS) {
            *err = rerr;
            stats->gpu_refused = true;
            goto out;
        }
        cap /= 2;
    }
    stats->gpu_slot_points = cap;
    job.cap = cap;
    if (flush_every < cap)
        flush_every = cap;
    job.ring = r;
    ring_set_producers(r, threads);

    if (!bin_gpu_set_view(&bg, v, err))
        goto out;
    GLint loc_n = glGetUniformLocation(bg.prog, "u_n");
    glBindImageTexture(0, tex, 0, GL_FALSE, 0, GL_READ_WRITE, GL_R32UI);

    if (!chunk_pass_start(ds, threads, range ? &loader_range_ops : &loader_ops, &job, &pass, err))
        goto out;

    uint64_t since_fold = 0;
    bool fold_ok = true;
    size_t bytes;
    int s;
    while ((s = ring_next_filled(r, &bytes)) >= 0) {
        GLuint n = (GLuint)(bytes / POINT_BYTES);
        if (n) {
            if (since_fold + n > flush_every) {
                if (!(fold_ok = fold(tex, v, buf, counts, err))) {
                    ring_close(r);
                    ring_retire(r, s);
                    break;
                }
                stats->flushes++;
                since_fold = 0;
                bin_gpu_bind(&bg);
            }
            bin_gpu_dispatch_slot(r, s, bytes, n, loc_n, LOCAL_SIZE);
            since_fold += n;
        }
        ring_retire(r, s);
    }
    chunk_pass_totals t = {0};
    bool joined = chunk_pass_join_after(pass, fold_ok, &t, err);
    pass = NULL;
    if (!joined)
        goto out;
    if (!fold(tex, v, buf, counts, err))
        goto out;
    stats->flushes++;
    stats->records = t.records;
    stats->nonfinite = t.nonfinite;
    uint64_t drawn = 0;
    for (size_t i = 0; i < pixels; i++)
        drawn += counts[i];
    stats->drawn = drawn;
    ring_stats rs;
    ring_get_stats(r, &rs);
    stats->ring_waits = rs.producer_waits;
    stats->fence_waits = rs.fence_waits;
    stats->gpu = ok = true;
out:
    if (pass) {
        chunk_pass_cancel(pass);
        ring_close(r);
        chunk_pass_join(pass, NULL, NULL);
    }
    ring_destroy(r);
    free(buf);
    if (tex)
        glDeleteTextures(1, &tex);
    bin_gpu_destroy(&bg);
    return ok;
}

bool accum_gpu_run(const dataset *ds, const view *v, const accum_params *p, uint64_t *counts,
                   accum_stats *stats, vp_err *err)
{
    return gpu_run(ds, v, p, NULL, counts, stats, err);
}

bool accum_gpu_run_range(const dataset *ds, const view *v, const accum_params *p, uint64_t from,
                         uint64_t to, uint64_t *counts, accum_stats *stats, vp_err *err)
{
    dataset_clamp_chunks(ds, &from, &to);
    return gpu_run(ds, v, p, (const uint64_t[2]){from, to}, counts, stats, err);
}
