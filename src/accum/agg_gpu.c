/* The GPU aggregation engine (agg_gpu.h): exact with 32-bit atomics only.
 *
 * Data path. Loader threads (chunk_pass, or one thread over arrays for the
 * tests) turn each sample into a 24-byte gpu_point: x and y as the decoded
 * doubles (binned on the GPU by bin.glsl, view.h's rule) and two 32-bit words
 * holding w in the integer form the shader adds, computed here on the CPU so
 * that both engines add the same integers and the GPU needs neither a float to
 * fixed conversion nor 64-bit integers:
 *   sum mean std var  d = agg_fixed_of(&g->fx, w), int64 (|d| <= 2^40: a w
 *                     outside the fixed point's range fails the run, named)
 *   max               k = the order key of w: the bits with the sign bit set
 *                     for w >= +0, all bits inverted for w <= -0 (unsigned
 *                     order = the order of w, -0 < +0; never 0 for a finite
 *                     w, so 0 can mean "no sample")
 *   min               ~k, so that the greatest is the least (never 0 either)
 *   categories        c = agg_category_of(w), or ncat for a bad code (counted
 *                     where it lands inside the view, as agg_cpu_run does)
 * The points fill persistently mapped, fenced ring slots (gl/ring.h); the GL
 * thread dispatches shaders/agg.comp.glsl on each filled slot.
 *
 * GPU state: per pixel, "planes" of 32-bit words, updated with image atomics:
 *   count            0: samples
 *   sum, mean        0, and 1..3: U = the sum of u = d + 2^40 >= 0, 96 bits in
 *                    32-bit limbs (the bias makes every addend non-negative:
 *                    no sign words, so the upper limb only ever gets carries)
 *   std, var         also 4..7: the sum of d^2, 128 bits in limbs; d^2 is
 *                    formed in the shader from |d| with 32-bit umulExtended
 *   min, max         0, 1: the greatest high word H of the stored keys, 2: the
 *                    greatest low word among the keys whose high word is H
 *   categories       c < ncat: samples of category c (the count is their
 *                    sum); ncat: samples with a bad code (bad_category)
 * They live in one r32ui 2D array texture, a pixel's planes side by side
 * (lx of them), then in rows (ly), then in layers (lz), as the GL's size
 * limits allow (choose_layout): at 1920 pixels wide all 8 words of std share
 * a 32-byte run, which halved llvmpipe's time against a layer per plane.
 * Every plane starts at 0 and goes back to 0 at a fold: one clear.
 *
 * Sums: a limb add is atomicAdd(limb, a + carry in); the value it returns
 * says whether the limb wrapped, and that carry goes into the next limb. Each
 * wrap's carry is added exactly once, so when the dispatch is done the limbs
 * hold the exact sum whatever order the invocations ran in (integer addition
 * is associative): no locks, no retries.
 *
 * Min and max: per slot, pass 1 (with the binning) does H = atomicMax(H,
 * high word) and, when it raised H, resets the low word to 0 (only resets
 * write plane 2 during pass 1, so they cannot undo anything); it also stores
 * each point's pixel in a scratch buffer (none when its high word was below
 * the H the atomic returned: it cannot be the greatest). After a barrier,
 * pass 2 over the same slot does atomicMax(low word) for the points whose
 * high word equals the pixel's H. Before a slot, plane 2 is the greatest low
 * word of the keys with high word H seen so far (reset whenever H rose), so
 * after its pass 2, (H, low) is the greatest key so far. The data is streamed
 * once; the GPU reads each slot twice. No lock spins, no second read of the
 * file.
 *
 * Folding. The planes are read back (glGetTextureSubImage, bands of about 16
 * MiB) and added into g on the CPU as agg_grid_merge adds a grid: count += c,
 * S1 += U - c 2^40 (signed 128-bit), S2 += the limbs (unsigned 128-bit), the
 * key against g's lo/hi where g already had samples (so a run adds into a
 * grid that holds some), categories with agg_grid_merge's check against
 * 2^32 - 1; then every plane is cleared to 0. The fold bound is on the points
 * dispatched since the last fold, m <= accum_params.flush_every (default and
 * most 2^32 - 1, at least one slot), as accum_gpu.c's: then no pixel count or
 * category plane can pass 2^32 - 1, U < m 2^41 < 2^73 fits its 96 bits and the
 * sum of d^2 < m 2^80 < 2^112 fits its 128. In a normal run that means one
 * fold, at the end. */
#include "accum/agg_gpu.h"

#include <glad/gl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accum/bin_gpu.h"
#include "gl/gl_util.h"
#include "gl/ring.h"

#define LOCAL_SIZE 256
#define DEFAULT_SLOT_POINTS (1u << 20) /* 24 MiB per slot */
#define DEFAULT_SLOTS 4

/* One point in a ring slot: std430's layout of agg.comp.glsl's agg_point. */
typedef struct gpu_point {
    double x, y;
    uint32_t v0, v1;
} gpu_point;
_Static_assert(sizeof(gpu_point) == 24, "gpu_point must match agg.comp.glsl's agg_point");

/* The planes of each kind: see the top of the file. */
enum { PLANE_COUNT = 0, PLANE_U = 1, PLANE_Q = 4, PLANE_KEY_HI = 1, PLANE_KEY_LO = 2 };

static bool kind_is_key(agg_kind k)
{
    return k == AGG_MIN || k == AGG_MAX;
}

static int planes_of(const agg_grid *g)
{
    if (g->kind == AGG_CATEGORIES)
        return g->ncat + 1; /* and the bad codes */
    if (agg_needs_sumsq(g->kind))
        return 8;
    if (agg_needs_sum(g->kind))
        return 4;
    if (kind_is_key(g->kind))
        return 3;
    return 1;
}

/* ---- the loaders' side: samples into ring slots ---------------------------- */

static inline uint64_t order_key(double w)
{
    uint64_t b;
    memcpy(&b, &w, sizeof b);
    return b >> 63 ? ~b : b | UINT64_C(1) << 63;
}

static inline double key_value(uint64_t k)
{
    uint64_t b = k >> 63 ? k & ~(UINT64_C(1) << 63) : ~k;
    double w;
    memcpy(&w, &b, sizeof w);
    return w;
}

typedef struct feed {
    const agg_grid *g; /* kind, ncat, fx: read only while loaders run */
    ring *ring;
    size_t cap; /* points per slot */
} feed;

/* Hot path: n finite samples into the current slot (a new one when they do
 * not fit; n <= one chunk <= f->cap). */
static bool feed_points(feed *f, ring_writer *s, const double *x, const double *y, const double *w,
                        size_t n, vp_err *err)
{
    gpu_point *out = ring_writer_put(s, n);
    if (!out)
        return vp_err_set(err, "GPU aggregation stopped");
    const agg_grid *g = f->g;
    switch (g->kind) {
    case AGG_COUNT:
        for (size_t i = 0; i < n; i++)
            out[i] = (gpu_point){x[i], y[i], 0, 0};
        break;
    case AGG_SUM:
    case AGG_MEAN:
    case AGG_STD:
    case AGG_VAR: {
        const double lim = (double)(INT64_C(1) << AGG_FIXED_BITS);
        for (size_t i = 0; i < n; i++) {
            double t = (w[i] - g->fx.center) * g->fx.scale;
            bool near = t >= -2 * lim && t <= 2 * lim; /* else no int64 conversion of it */
            int64_t d = near ? agg_fixed_of(&g->fx, w[i]) : 0;
            if (!near || d > (int64_t)lim || d < -(int64_t)lim) {
                return vp_err_set(err,
                                  "w = %.17g lies outside the range the fixed point was made for "
                                  "(%.17g +- %.17g): did the input change?",
                                  w[i], g->fx.center, ldexp(g->fx.quantum, AGG_FIXED_BITS));
            }
            uint64_t u = (uint64_t)d;
            out[i] = (gpu_point){x[i], y[i], (uint32_t)u, (uint32_t)(u >> 32)};
        }
        break;
    }
    case AGG_MIN:
    case AGG_MAX: {
        uint64_t flip = g->kind == AGG_MIN ? UINT64_MAX : 0; /* the GPU keeps the greatest */
        for (size_t i = 0; i < n; i++) {
            uint64_t k = order_key(w[i]) ^ flip;
            out[i] = (gpu_point){x[i], y[i], (uint32_t)k, (uint32_t)(k >> 32)};
        }
        break;
    }
    case AGG_CATEGORIES:
        for (size_t i = 0; i < n; i++) {
            int c = agg_category_of(w[i], g->ncat);
            out[i] = (gpu_point){x[i], y[i], (uint32_t)(c < 0 ? g->ncat : c), 0};
        }
        break;
    }
    return true;
}

/* ---- the GL side ------------------------------------------------------------ */

typedef struct engine {
    const view *v;
    agg_grid *g;
    size_t pixels;
    int planes;       /* per pixel */
    int lx, ly, lz;   /* the tile of one pixel's planes: lx across, ly down, lz layers */
    int band;         /* pixel rows per readback */
    bool key;         /* min or max: pass 2 and the scratch buffer */
    bin_gpu bin;      /* pass 1: binning and adding */
    GLuint prog2;     /* min/max pass 2 */
    GLint n1, n2;     /* u_n of each */
    GLuint tex;       /* the planes */
    GLuint where;     /* min/max: each point's pixel, per slot */
    uint32_t *buf;    /* readback of one band of pixel rows, every layer */
    uint64_t drawn;
    uint64_t bad_category;
    uint64_t folds;
} engine;

/* A program of agg.comp.glsl with bin.glsl in front and the kind's defines. */
/* The kind's and the pass's #defines for agg.comp.glsl. */
static void program_defines(const agg_grid *g, int pass, char *buf, size_t len)
{
    const char *kind = "";
    if (g->kind == AGG_CATEGORIES)
        kind = "#define AGG_CAT 1\n";
    else if (agg_needs_sumsq(g->kind))
        kind = "#define AGG_SUMSQ 1\n";
    else if (agg_needs_sum(g->kind))
        kind = "#define AGG_SUM 1\n";
    else if (kind_is_key(g->kind))
        kind = "#define AGG_KEY 1\n";
    snprintf(buf, len, "#define AGG_PASS %d\n%s", pass, kind);
}

/* GL 4.5 (compute shaders, image atomics, glGetTextureSubImage) and a tile
 * for the planes within the GL's limits: a pixel's planes side by side
 * (lx), then in rows (ly), then in layers (lz), so that its words share
 * cache lines; says what was needed and what this GL has. */
static bool choose_layout(engine *e, int max_side, accum_stats *st, vp_err *err)
{
    if (!GLAD_GL_VERSION_4_5) {
        const char *ver = (const char *)glGetString(GL_VERSION);
        return vp_err_set(err,
                          "the GPU aggregation needs OpenGL 4.5 (compute shaders, image atomics, "
                          "glGetTextureSubImage); this context has %s",
                          ver ? ver : "no version");
    }
    GLint side = 0, layers = 0, units = 0;
    glGetIntegerv(GL_MAX_TEXTURE_SIZE, &side);
    glGetIntegerv(GL_MAX_ARRAY_TEXTURE_LAYERS, &layers);
    glGetIntegerv(GL_MAX_COMPUTE_IMAGE_UNIFORMS, &units);
    if (units < 1)
        return vp_err_set(err, "the GPU aggregation needs an image unit in compute shaders; "
                               "GL_MAX_COMPUTE_IMAGE_UNIFORMS is %d", units);
    if (max_side > 0 && max_side < side)
        side = max_side;
    if (side > 65535)
        side = 65535; /* min/max pass 2 packs a pixel as x | y << 16 */
    int w = e->v->w, h = e->v->h, L = e->planes;
    int lx = side / w < L ? side / w : L, ly = 0, lz = 0; /* lx 0: w > side */
    if (lx > 0 && h <= side) {
        ly = (L + lx - 1) / lx;
        if (ly > side / h)
            ly = side / h;
        lz = (L + lx * ly - 1) / (lx * ly);
    }
    e->lx = lx;
    e->ly = ly;
    e->lz = lz;
    if (lz == 0 || lz > layers) {
        st->gpu_refused = true;
        return vp_err_set(err,
                          "the GPU %s aggregation needs %d r32ui words for each of %dx%d pixels; "
                          "this GL allows images of %d pixels a side (GL_MAX_TEXTURE_SIZE) and "
                          "%d layers (GL_MAX_ARRAY_TEXTURE_LAYERS)",
                          agg_kind_name(e->g->kind), L, w, h, side, layers);
    }
    /* readback in bands of about 16 MiB */
    size_t row = (size_t)w * (size_t)e->lx * (size_t)e->ly * (size_t)e->lz;
    size_t band = ((size_t)16 << 20) / sizeof(uint32_t) / row;
    e->band = band < 1 ? 1 : band > (size_t)h ? h : (int)band;
    return true;
}

static void engine_destroy(engine *e)
{
    if (e->tex)
        glDeleteTextures(1, &e->tex);
    if (e->where)
        glDeleteBuffers(1, &e->where);
    if (e->prog2)
        glDeleteProgram(e->prog2);
    bin_gpu_destroy(&e->bin);
    free(e->buf);
    memset(e, 0, sizeof *e);
}

static bool engine_create(engine *e, const view *v, agg_grid *g, size_t cap, int max_side,
                          accum_stats *st, vp_err *err)
{
    memset(e, 0, sizeof *e);
    e->v = v;
    e->g = g;
    e->pixels = (size_t)v->w * (size_t)v->h;
    e->planes = planes_of(g);
    e->key = kind_is_key(g->kind);
    if (g->w != v->w || g->h != v->h)
        return vp_err_set(err, "internal: a %dx%d grid for a %dx%d view", g->w, g->h, v->w, v->h);
    if (!choose_layout(e, max_side, st, err))
        return false;
    size_t tw = (size_t)v->w * (size_t)e->lx, band_words = tw * (size_t)e->band * e->ly * e->lz;
    if (!(e->buf = malloc(band_words * sizeof *e->buf)))
        return vp_err_set(err, "out of memory for a readback buffer of %zu words", band_words);

    /* pass 1: the binning rule's program with the kind's defines */
    bin_gpu *b = &e->bin;
    char defs[96];
    program_defines(g, 1, defs, sizeof defs);
    if (!bin_gpu_create_defs(b, "agg.comp.glsl", LOCAL_SIZE, defs, err))
        return false;
    e->n1 = glGetUniformLocation(b->prog, "u_n");
    glProgramUniform2i(b->prog, glGetUniformLocation(b->prog, "u_tile"), e->lx, e->ly);
    if (e->key) {
        program_defines(g, 2, defs, sizeof defs);
        if (!(e->prog2 = bin_gpu_program("agg.comp.glsl", LOCAL_SIZE, defs, err)))
            return false;
        e->n2 = glGetUniformLocation(e->prog2, "u_n");
        glProgramUniform2i(e->prog2, glGetUniformLocation(e->prog2, "u_tile"), e->lx, e->ly);
    }

    gl_clear_errors();
    glCreateTextures(GL_TEXTURE_2D_ARRAY, 1, &e->tex);
    glTextureStorage3D(e->tex, 1, GL_R32UI, v->w * e->lx, v->h * e->ly, e->lz);
    const GLuint zero = 0;
    glClearTexImage(e->tex, 0, GL_RED_INTEGER, GL_UNSIGNED_INT, &zero);
    if (!gl_check("glTextureStorage3D", err)) {
        st->gpu_refused = true;
        return vp_err_prefix(err, "GL refused the %s aggregation's %dx%dx%d r32ui image (%.0f MiB)",
                             agg_kind_name(g->kind), v->w * e->lx, v->h * e->ly, e->lz,
                             (double)tw * v->h * e->ly * e->lz * 4.0 / 1048576.0);
    }
    if (e->key) {
        glCreateBuffers(1, &e->where);
        glNamedBufferStorage(e->where, (GLsizeiptr)(cap * sizeof(uint32_t)), NULL, 0);
        if (!gl_check("glNamedBufferStorage", err)) {
            st->gpu_refused = true;
            return vp_err_prefix(err, "GL refused the min/max scratch buffer of %zu points", cap);
        }
    }
    if (!bin_gpu_set_view(b, v, err))
        return false;
    glBindImageTexture(0, e->tex, 0, GL_TRUE, 0, GL_READ_WRITE, GL_R32UI);
    if (e->key)
        glBindBufferBase(GL_SHADER_STORAGE_BUFFER, 2, e->where);
    if (!gl_check("binding the aggregation planes", err))
        return vp_err_prefix(err, "setting up the GPU %s aggregation", agg_kind_name(g->kind));
    return true;
}

/* The n points of ring slot s through pass 1 (and pass 2 for min/max). */
static void engine_slot(engine *e, const ring *r, int s, GLuint n)
{
    glBindBufferRange(GL_SHADER_STORAGE_BUFFER, 0, ring_buffer(r), (GLintptr)ring_slot_offset(r, s),
                      (GLsizeiptr)(n * sizeof(gpu_point)));
    bin_gpu_bind(&e->bin);
    glUniform1ui(e->n1, n);
    gl_dispatch_1d(n, LOCAL_SIZE);
    if (e->key) {
        /* pass 2 reads pass 1's high words and pixels; the next slot's pass 1
         * must not start before this pass 2 is done with plane 2 and the
         * scratch buffer */
        const GLbitfield bits = GL_SHADER_IMAGE_ACCESS_BARRIER_BIT | GL_SHADER_STORAGE_BARRIER_BIT;
        glMemoryBarrier(bits);
        glUseProgram(e->prog2);
        glUniform1ui(e->n2, n);
        gl_dispatch_1d(n, LOCAL_SIZE);
        glMemoryBarrier(bits);
    }
}

/* One pixel's planes (v) into g at i, as agg_grid_merge adds a grid. */
static bool fold_pixel(engine *e, size_t i, const uint32_t *v, vp_err *err)
{
    agg_grid *g = e->g;
    if (g->kind == AGG_CATEGORIES) {
        size_t px = e->pixels;
        for (int c = 0; c < g->ncat; c++) {
            uint32_t *dst = g->cat + (size_t)c * px + i;
            if (v[c] > UINT32_MAX - *dst)
                return vp_err_set(err, "more than %u samples of category %d in one pixel",
                                  UINT32_MAX, c);
            *dst += v[c];
            g->count[i] += v[c];
            e->drawn += v[c];
        }
        e->bad_category += v[g->ncat];
        return true;
    }
    uint32_t c = v[PLANE_COUNT];
    if (c == 0)
        return true;
    uint64_t before = g->count[i];
    g->count[i] = before + c;
    e->drawn += c;
    if (g->s1) /* U counted every d with + 2^40 */
        g->s1[i] += (__int128)(v[PLANE_U] | (unsigned __int128)v[PLANE_U + 1] << 32 |
                               (unsigned __int128)v[PLANE_U + 2] << 64) -
                    ((__int128)c << AGG_FIXED_BITS);
    if (g->s2)
        g->s2[i] += v[PLANE_Q] | (unsigned __int128)v[PLANE_Q + 1] << 32 |
                    (unsigned __int128)v[PLANE_Q + 2] << 64 | (unsigned __int128)v[PLANE_Q + 3] << 96;
    if (e->key) {
        /* the planes hold the greatest of the stored keys: ~k for min, k for max */
        uint64_t k = (uint64_t)v[PLANE_KEY_HI] << 32 | v[PLANE_KEY_LO];
        if (g->kind == AGG_MIN) {
            double w = key_value(~k);
            if (before == 0 || order_key(w) < order_key(g->lo[i]))
                g->lo[i] = w;
        } else {
            double w = key_value(k);
            if (before == 0 || order_key(w) > order_key(g->hi[i]))
                g->hi[i] = w;
        }
    }
    return true;
}

/* Adds the planes into g and zeroes them, a band of pixel rows at a time
 * (see the top of the file). */
static bool engine_fold(engine *e, vp_err *err)
{
    const view *v = e->v;
    size_t tw = (size_t)v->w * (size_t)e->lx;
    uint32_t planes[AGG_MAX_CATEGORIES + 1];
    gl_clear_errors();
    glMemoryBarrier(GL_TEXTURE_UPDATE_BARRIER_BIT);
    for (int y0 = 0; y0 < v->h; y0 += e->band) {
        int rows = v->h - y0 < e->band ? v->h - y0 : e->band;
        size_t layer = tw * (size_t)rows * (size_t)e->ly; /* words of one layer of the band */
        glGetTextureSubImage(e->tex, 0, 0, y0 * e->ly, 0, (GLsizei)tw, rows * e->ly, e->lz,
                             GL_RED_INTEGER, GL_UNSIGNED_INT,
                             (GLsizei)(layer * (size_t)e->lz * sizeof *e->buf), e->buf);
        if (!gl_check("glGetTextureSubImage", err))
            return vp_err_prefix(err, "reading back the GPU %s aggregation",
                                 agg_kind_name(e->g->kind));
        int per = e->lx * e->ly;
        for (int y = 0; y < rows; y++)
            for (int x = 0; x < v->w; x++) {
                for (int l = 0; l < e->planes; l++) {
                    int t = l % per;
                    size_t row = (size_t)y * e->ly + (size_t)(t / e->lx);
                    planes[l] = e->buf[(size_t)(l / per) * layer + row * tw +
                                       (size_t)x * e->lx + (size_t)(t % e->lx)];
                }
                if (!fold_pixel(e, (size_t)(y0 + y) * v->w + (size_t)x, planes, err))
                    return false;
            }
    }
    const GLuint zero = 0;
    glClearTexImage(e->tex, 0, GL_RED_INTEGER, GL_UNSIGNED_INT, &zero);
    e->folds++;
    return gl_check("clearing the aggregation planes", err);
}

/* ---- one run: producers, the slot loop, the folds ---------------------------- */

/* The dataset's producers: chunk_pass workers, one ring_writer each. */
static void *loader_create(void *ctx)
{
    feed *f = ctx;
    ring_writer *s = malloc(sizeof *s);
    if (s)
        ring_writer_init(s, f->ring, sizeof(gpu_point), f->cap);
    return s;
}

static bool loader_points(void *ctx, void *state, uint64_t k, const double *x, const double *y,
                          const double *w, size_t n, vp_err *err)
{
    (void)k;
    if (!w)
        return vp_err_set(err, "internal: the GPU aggregation got samples without w");
    return feed_points(ctx, state, x, y, w, n, err);
}

static bool loader_finish(void *ctx, void *state, bool ok, vp_err *err)
{
    (void)ok;
    (void)err;
    feed *f = ctx;
    if (state)
        ring_writer_flush(state);
    free(state);
    ring_producer_done(f->ring);
    return true;
}

static const chunk_pass_ops loader_ops = {.thread_create = loader_create, .points = loader_points,
                                          .thread_finish = loader_finish};

typedef struct source_of_points {
    const dataset *ds; /* or arrays: */
    const double *x, *y, *w;
    size_t n;
    int max_side; /* the tests' limit on the image size; 0: the GL's */
} source_of_points;

typedef struct arrays_job {
    feed *f;
    const source_of_points *src;
    uint64_t nonfinite;
    bool ok;
    vp_err err;
} arrays_job;

/* The tests' producer: the arrays in chunks, non-finite samples skipped. */
static void *arrays_main(void *arg)
{
    arrays_job *a = arg;
    const source_of_points *src = a->src;
    ring_writer s;
    ring_writer_init(&s, a->f->ring, sizeof(gpu_point), a->f->cap);
    double *buf = malloc(3 * DATASET_CHUNK_RECORDS * sizeof *buf);
    a->ok = buf != NULL;
    if (!buf)
        vp_err_set(&a->err, "out of memory");
    for (size_t at = 0; a->ok && at < src->n; at += DATASET_CHUNK_RECORDS) {
        size_t end = src->n - at < DATASET_CHUNK_RECORDS ? src->n : at + DATASET_CHUNK_RECORDS;
        double *bx = buf, *by = buf + DATASET_CHUNK_RECORDS, *bw = buf + 2 * DATASET_CHUNK_RECORDS;
        size_t m = 0;
        for (size_t i = at; i < end; i++) {
            if (!isfinite(src->x[i]) || !isfinite(src->y[i]) || !isfinite(src->w[i])) {
                a->nonfinite++;
                continue;
            }
            bx[m] = src->x[i];
            by[m] = src->y[i];
            bw[m] = src->w[i];
            m++;
        }
        a->ok = feed_points(a->f, &s, bx, by, bw, m, &a->err);
    }
    ring_writer_flush(&s);
    ring_producer_done(a->f->ring);
    free(buf);
    return NULL;
}

/* The producers of a run: chunk_pass workers over the dataset, or the
 * arrays thread. */
typedef struct producers {
    const source_of_points *src;
    chunk_pass *pass;
    arrays_job aj;
    pthread_t thread;
    bool thread_running;
} producers;

static bool producers_start(producers *pr, feed *f, int threads, vp_err *err)
{
    if (pr->src->ds)
        return chunk_pass_start(pr->src->ds, threads, &loader_ops, f, &pr->pass, err);
    pr->aj = (arrays_job){.f = f, .src = pr->src};
    if (pthread_create(&pr->thread, NULL, arrays_main, &pr->aj) != 0)
        return vp_err_set(err, "cannot start the GPU aggregation's loader thread");
    pr->thread_running = true;
    return true;
}

/* Waits for them (after the ring ran dry, or was closed); false with the
 * first error. */
static bool producers_join(producers *pr, chunk_pass_totals *t, vp_err *err)
{
    *t = (chunk_pass_totals){0};
    if (pr->pass) {
        bool ok = chunk_pass_join(pr->pass, t, err);
        pr->pass = NULL;
        return ok;
    }
    if (!pr->thread_running)
        return true;
    pthread_join(pr->thread, NULL);
    pr->thread_running = false;
    t->records = pr->src->n;
    t->nonfinite = pr->aj.nonfinite;
    if (!pr->aj.ok)
        *err = pr->aj.err;
    return pr->aj.ok;
}

static bool run(const source_of_points *src, const view *v, const accum_params *p, agg_grid *g,
                accum_stats *st, agg_stats *ast, vp_err *err)
{
    accum_params defaults = {0};
    if (!p)
        p = &defaults;
    *st = (accum_stats){0};
    *ast = (agg_stats){0};
    if (src->ds && !dataset_has_w(src->ds))
        return vp_err_set(err, "the %s aggregation needs a w column (--value COL, --by COL)",
                          agg_kind_name(g->kind));
    uint64_t flush_every = p->flush_every && p->flush_every < UINT32_MAX ? p->flush_every
                                                                         : UINT32_MAX;
    size_t cap = p->gpu_slot_points ? p->gpu_slot_points : DEFAULT_SLOT_POINTS;
    if (cap < DATASET_CHUNK_RECORDS)
        cap = DATASET_CHUNK_RECORDS;
    int nslots = p->gpu_slots > 1 ? p->gpu_slots : DEFAULT_SLOTS;
    int threads = src->ds ? (p->threads > 0 ? p->threads : chunk_pass_default_threads()) : 1;

    bool ok = false, started = false;
    engine e = {0};
    ring *r = NULL;
    feed f = {.g = g};
    producers pr = {.src = src};

    /* A slot is bound as one shader storage block: no larger than the
     * driver allows; if the driver refuses the ring's memory, halve the slots
     * down to one chunk each before giving up (as accum_gpu.c). */
    GLint64 max_block = 0;
    glGetInteger64v(GL_MAX_SHADER_STORAGE_BLOCK_SIZE, &max_block);
    if (max_block > 0 && cap * sizeof(gpu_point) > (uint64_t)max_block)
        cap = (size_t)max_block / sizeof(gpu_point);
    for (;;) {
        vp_err rerr;
        if (ring_create(nslots, cap * sizeof(gpu_point), &r, &rerr))
            break;
        if (cap / 2 < DATASET_CHUNK_RECORDS) {
            *err = rerr;
            st->gpu_refused = true;
            goto out;
        }
        cap /= 2;
    }
    st->gpu_slot_points = cap;
    if (flush_every < cap)
        flush_every = cap; /* one slot must fit between folds */
    if (!engine_create(&e, v, g, cap, src->max_side, st, err))
        goto out;
    f.ring = r;
    f.cap = cap;
    ring_set_producers(r, threads);
    if (!producers_start(&pr, &f, threads, err))
        goto out;
    started = true;

    uint64_t since_fold = 0;
    bool fold_ok = true;
    size_t bytes;
    int s;
    while ((s = ring_next_filled(r, &bytes)) >= 0) {
        GLuint n = (GLuint)(bytes / sizeof(gpu_point));
        if (n) {
            if (since_fold + n > flush_every) {
                if (!(fold_ok = engine_fold(&e, err))) {
                    ring_close(r);
                    ring_retire(r, s);
                    break;
                }
                since_fold = 0;
            }
            engine_slot(&e, r, s, n);
            since_fold += n;
        }
        ring_retire(r, s);
    }
    chunk_pass_totals t;
    vp_err perr;
    bool producers_ok = producers_join(&pr, &t, &perr);
    started = false;
    if (!fold_ok)
        goto out;
    if (!producers_ok) {
        *err = perr;
        goto out;
    }
    if (!gl_check("the aggregation dispatches", err)) {
        vp_err_prefix(err, "GPU %s aggregation", agg_kind_name(g->kind));
        goto out;
    }
    if (!engine_fold(&e, err))
        goto out;
    st->records = t.records;
    st->nonfinite = t.nonfinite;
    st->drawn = e.drawn;
    st->flushes = e.folds;
    ring_stats rs;
    ring_get_stats(r, &rs);
    st->ring_waits = rs.producer_waits;
    st->fence_waits = rs.fence_waits;
    ast->bad_category = e.bad_category;
    st->gpu = ok = true;
out:
    if (started) {
        if (pr.pass)
            chunk_pass_cancel(pr.pass);
        ring_close(r);
        chunk_pass_totals ignored;
        vp_err ignored_err;
        producers_join(&pr, &ignored, &ignored_err);
    }
    ring_destroy(r);
    engine_destroy(&e);
    return ok;
}

bool agg_gpu_bin_arrays(const view *v, const accum_params *p, int max_side, const double *x,
                        const double *y, const double *w, size_t n, agg_grid *g, accum_stats *st,
                        agg_stats *ast, vp_err *err)
{
    source_of_points src = {.x = x, .y = y, .w = w, .n = n, .max_side = max_side};
    return run(&src, v, p, g, st, ast, err);
}

bool agg_gpu_run(const dataset *ds, const view *v, const accum_params *p, agg_grid *g,
                 accum_stats *st, agg_stats *ast, vp_err *err)
{
    source_of_points src = {.ds = ds};
    return run(&src, v, p, g, st, ast, err);
}
