/* The GPU engine of refine.h: resident float64 pairs, one compute dispatch
 * per chunk into an r32ui count image. The data goes up through the vertex
 * ring, a chunk a slot, copied on the GPU into place: the CPU never holds
 * more of it than the ring's few slots. */
#include "accum/refine_engines.h"

#include <glad/gl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accum/bin_gpu.h"
#include "accum/chunk_pass.h"
#include "gl/ring.h"
#include "gl/gl_util.h"
#include "core/util.h"

#define LOCAL_SIZE 256
#define CHUNK_BYTES ((size_t)DATASET_CHUNK_RECORDS * 2 * sizeof(double))
#define UPLOAD_SLOTS 8

typedef struct gchunk {
    uint32_t n;         /* finite points stored at byte k * CHUNK_BYTES */
    uint32_t records;
} gchunk;

struct refine_gpu {
    uint64_t nchunks;
    const dataset *ds;
    gchunk *chunks;
    GLuint buf, tex;
    bin_gpu bg;
    GLint u_n;
    int tw, th;
    view v;
    uint64_t gen, *order, norder, next;
    uint64_t records_done, nonfinite_done;
    GLuint query;
    bool query_pending;
    uint64_t query_points;
    double ns_per_point; /* measured */
    uint32_t *readback;
    size_t readback_cap;
};

/* Loader threads decode chunks into ring slots, one chunk a slot; which
 * chunk a slot holds is noted beside the ring (the slot is the loader's
 * until it is submitted, then the GL thread's). */
typedef struct upload_ctx {
    ring *r;
    uint64_t slot_k[UPLOAD_SLOTS];
} upload_ctx;

static bool upload_points(void *ctx, void *state, uint64_t k, const double *x, const double *y,
                          const double *w, size_t n, vp_err *err)
{
    (void)w; /* w is for the aggregations */
    (void)state;
    upload_ctx *u = ctx;
    void *mem;
    int s = ring_acquire(u->r, &mem);
    if (s < 0)
        return vp_err_set(err, "uploading the points to the GPU stopped");
    double *out = mem;
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = x[i];
        out[2 * i + 1] = y[i];
    }
    u->slot_k[s] = k;
    ring_submit(u->r, s, n * 2 * sizeof(double));
    return true;
}

static bool upload_finish(void *ctx, void *state, bool ok, vp_err *err)
{
    (void)state, (void)ok, (void)err;
    ring_producer_done(((upload_ctx *)ctx)->r);
    return true;
}

static const chunk_pass_ops upload_ops = {.points = upload_points, .thread_finish = upload_finish};

/* Every chunk decoded once, in parallel, and copied into g->buf at its place. */
static bool upload(refine_gpu *g, const dataset *ds, int threads, vp_err *err)
{
    upload_ctx u = {0};
    if (!ring_create(UPLOAD_SLOTS, CHUNK_BYTES, &u.r, err))
        return false;
    ring_set_producers(u.r, threads);
    chunk_pass *pass;
    if (!chunk_pass_start(ds, threads, &upload_ops, &u, &pass, err)) {
        ring_destroy(u.r);
        return false;
    }
    gl_clear_errors();
    size_t bytes;
    int s;
    while ((s = ring_next_filled(u.r, &bytes)) >= 0) {
        uint64_t k = u.slot_k[s];
        g->chunks[k].n = (uint32_t)(bytes / (2 * sizeof(double)));
        if (bytes)
            glCopyNamedBufferSubData(ring_buffer(u.r), g->buf, (GLintptr)ring_slot_offset(u.r, s),
                                     (GLintptr)(k * CHUNK_BYTES), (GLsizeiptr)bytes);
        ring_retire(u.r, s);
    }
    bool ok = chunk_pass_join(pass, NULL, err);
    ok = ok && (gl_check("glCopyNamedBufferSubData", err) ||
                vp_err_prefix(err, "uploading the points to the GPU"));
    ring_destroy(u.r);
    return ok;
}

size_t refine_gpu_free_memory(void)
{
    /* GL_NVX_gpu_memory_info / GL_ATI_meminfo: not in our glad subset, so by value */
    const GLenum NVX_CURRENT_AVAILABLE = 0x9049, ATI_TEXTURE_FREE = 0x87FC;
    GLint kb[4] = {0, 0, 0, 0};
    const char *ext;
    GLint n = 0;
    glGetIntegerv(GL_NUM_EXTENSIONS, &n);
    for (GLint i = 0; i < n; i++) {
        ext = (const char *)glGetStringi(GL_EXTENSIONS, (GLuint)i);
        if (ext && strcmp(ext, "GL_NVX_gpu_memory_info") == 0) {
            glGetIntegerv(NVX_CURRENT_AVAILABLE, kb);
            return (size_t)kb[0] * 1024;
        }
        if (ext && strcmp(ext, "GL_ATI_meminfo") == 0) {
            glGetIntegerv(ATI_TEXTURE_FREE, kb);
            return (size_t)kb[0] * 1024;
        }
    }
    return 0;
}

bool refine_gpu_create(const dataset *ds, size_t budget_bytes, int threads, refine_gpu **out,
                       vp_err *err)
{
    *out = NULL;
    uint64_t nch = dataset_chunks(ds);
    uint64_t bytes = nch * DATASET_CHUNK_RECORDS * 2 * sizeof(double);
    if (bytes > budget_bytes)
        return vp_err_set(err, "the data (%.0f MiB as float64 pairs) does not fit the GPU budget of %.0f MiB",
                          bytes / 1048576.0, budget_bytes / 1048576.0);
    if (dataset_records(ds) >= UINT32_MAX) /* a pixel of the r32ui image could overflow */
        return vp_err_set(err, "%" PRIu64 " records: the GPU refinement counts at most 2^32 - 1",
                          dataset_records(ds));
    refine_gpu *g = calloc(1, sizeof *g);
    if (!g)
        return vp_err_set(err, "out of memory");
    g->ds = ds;
    g->nchunks = nch;
    g->chunks = calloc(nch ? nch : 1, sizeof *g->chunks);
    g->order = malloc((nch ? nch : 1) * sizeof *g->order);
    if (!g->chunks || !g->order) {
        refine_gpu_destroy(g);
        return vp_err_set(err, "out of memory");
    }
    for (uint64_t k = 0; k < nch; k++)
        g->chunks[k].records = dataset_chunk_records(ds, k);
    /* one buffer; each dispatch binds one chunk of it, so no shader storage
     * block limit applies to the whole */
    gl_clear_errors();
    glCreateBuffers(1, &g->buf);
    glNamedBufferStorage(g->buf, (GLsizeiptr)(bytes ? bytes : 8), NULL, 0);
    if (!gl_check("glNamedBufferStorage", err)) {
        refine_gpu_destroy(g);
        return vp_err_prefix(err, "GL refused %.0f MiB of resident point data", bytes / 1048576.0);
    }
    if (!upload(g, ds, threads, err)) {
        refine_gpu_destroy(g);
        return false;
    }
    if (!bin_gpu_create(&g->bg, "accum.comp.glsl", LOCAL_SIZE, err)) {
        refine_gpu_destroy(g);
        return false;
    }
    g->u_n = glGetUniformLocation(g->bg.prog, "u_n");
    glCreateQueries(GL_TIME_ELAPSED, 1, &g->query);
    g->ns_per_point = 0;
    *out = g;
    return true;
}

void refine_gpu_destroy(refine_gpu *g)
{
    if (!g)
        return;
    if (g->buf)
        glDeleteBuffers(1, &g->buf);
    if (g->tex)
        glDeleteTextures(1, &g->tex);
    bin_gpu_destroy(&g->bg);
    if (g->query)
        glDeleteQueries(1, &g->query);
    free(g->chunks);
    free(g->order);
    free(g->readback);
    free(g);
}

bool refine_gpu_set_view(refine_gpu *g, const view *v, vp_err *err)
{
    g->v = *v;
    g->norder = g->next = 0;
    if (!bin_gpu_set_view(&g->bg, v, err))
        return false;
    g->gen++;
    if (!bin_gpu_count_image(&g->tex, &g->tw, &g->th, v->w, v->h, err))
        return false;
    g->norder = refine_visible(g->ds, v, 0, g->nchunks, g->order);
    vp_shuffle_u64(g->order, g->norder);
    g->next = 0;
    g->records_done = g->nonfinite_done = 0;
    return true;
}

void refine_gpu_step(refine_gpu *g, double budget_ms)
{
    if (g->next >= g->norder)
        return;
    /* learn the cost per point from the last finished timer query */
    if (g->query_pending) {
        GLint avail = 0;
        glGetQueryObjectiv(g->query, GL_QUERY_RESULT_AVAILABLE, &avail);
        if (avail) {
            GLuint64 ns = 0;
            glGetQueryObjectui64v(g->query, GL_QUERY_RESULT, &ns);
            if (g->query_points)
                g->ns_per_point = (double)ns / (double)g->query_points;
            g->query_pending = false;
        }
    }
    uint64_t want = g->ns_per_point > 0 ? (uint64_t)(budget_ms * 1e6 / g->ns_per_point)
                                        : DATASET_CHUNK_RECORDS;
    if (want < DATASET_CHUNK_RECORDS)
        want = DATASET_CHUNK_RECORDS;
    bool timing = !g->query_pending;
    if (timing)
        glBeginQuery(GL_TIME_ELAPSED, g->query);
    bin_gpu_bind(&g->bg);
    glBindImageTexture(0, g->tex, 0, GL_FALSE, 0, GL_READ_WRITE, GL_R32UI);
    uint64_t points = 0;
    while (g->next < g->norder && points < want) {
        uint64_t k = g->order[g->next++];
        const gchunk *c = &g->chunks[k];
        g->records_done += c->records;
        g->nonfinite_done += c->records - c->n;
        if (!c->n)
            continue;
        glBindBufferRange(GL_SHADER_STORAGE_BUFFER, 0, g->buf, (GLintptr)(k * CHUNK_BYTES),
                          (GLsizeiptr)(c->n * 2 * sizeof(double)));
        glUniform1ui(g->u_n, c->n);
        glDispatchCompute((c->n + LOCAL_SIZE - 1) / LOCAL_SIZE, 1, 1);
        points += c->n;
    }
    if (timing) {
        glEndQuery(GL_TIME_ELAPSED);
        g->query_pending = true;
        g->query_points = points;
    }
}

void refine_gpu_get_state(refine_gpu *g, refine_state *st)
{
    *st = (refine_state){g->gen, g->next, g->norder, g->records_done, g->nonfinite_done,
                              g->next >= g->norder};
}

unsigned refine_gpu_image(const refine_gpu *g) { return g->tex; }

bool refine_gpu_snapshot(refine_gpu *g, uint64_t *counts, refine_state *st, vp_err *err)
{
    size_t pixels = (size_t)g->tw * (size_t)g->th;
    if (g->readback_cap < pixels) {
        free(g->readback);
        g->readback = malloc(pixels * sizeof *g->readback);
        g->readback_cap = g->readback ? pixels : 0;
        if (!g->readback)
            return vp_err_set(err, "out of memory");
    }
    if (!bin_gpu_read_counts(g->tex, pixels, g->readback, counts, false, err))
        return false;
    refine_gpu_get_state(g, st);
    return true;
}
