#include "accum/refine.h"

#include <stdlib.h>

#include "accum/chunk_pass.h"
#include "accum/refine_engines.h"

struct refine {
    refine_engine engine;
    refine_cpu *cpu;
    refine_gpu *gpu;
};

uint64_t refine_visible(const dataset *ds, const view *v, uint64_t from, uint64_t to, uint64_t *order)
{
    uint64_t n = 0;
    for (uint64_t k = from; k < to; k++) {
        double b[4];
        if (!dataset_chunk_bbox(ds, k, b) || view_touches(v, b))
            order[n++] = k;
    }
    return n;
}

/* The box spanning chunks a and b when both are known and of one input. */
static bool join_box(const dataset *ds, uint64_t a, uint64_t b, double out[4])
{
    double p[4], q[4];
    if (b >= dataset_chunks(ds) || dataset_chunk_input(ds, a) != dataset_chunk_input(ds, b) ||
        !dataset_chunk_bbox(ds, a, p) || !dataset_chunk_bbox(ds, b, q) || !(p[0] <= p[1]) || !(q[0] <= q[1]))
        return false;
    out[0] = p[0] < q[0] ? p[0] : q[0];
    out[1] = p[1] > q[1] ? p[1] : q[1];
    out[2] = p[2] < q[2] ? p[2] : q[2];
    out[3] = p[3] > q[3] ? p[3] : q[3];
    return true;
}

uint64_t refine_visible_lines(const dataset *ds, const view *v, uint64_t from, uint64_t to,
                              uint64_t *order)
{
    uint64_t n = 0;
    for (uint64_t k = from; k < to; k++) {
        double b[4];
        bool in = !dataset_chunk_bbox(ds, k, b) || view_touches(v, b);
        if (!in && k > 0 && join_box(ds, k - 1, k, b))
            in = view_touches(v, b);
        if (!in && join_box(ds, k, k + 1, b))
            in = view_touches(v, b);
        if (in)
            order[n++] = k;
    }
    return n;
}

bool refine_create(const dataset *ds, const refine_params *p, refine **out, vp_err *err)
{
    *out = NULL;
    refine *r = calloc(1, sizeof *r);
    if (!r)
        return vp_err_set(err, "out of memory");
    r->engine = p->engine;
    int threads = p->threads > 0 ? p->threads : chunk_pass_default_threads();
    bool ok;
    if (p->engine == REFINE_GPU && p->agg.on) {
        free(r);
        return vp_err_set(err, "the GPU refinement keeps counts only, not aggregates of a value column");
    }
    if (p->engine == REFINE_GPU && p->lines.on) {
        free(r);
        return vp_err_set(err, "the GPU refinement draws points only, not lines");
    }
    if (p->engine == REFINE_GPU) {
        size_t free_b = refine_gpu_free_memory();
        size_t budget = p->gpu_budget ? p->gpu_budget : free_b ? free_b / 2 : (size_t)1 << 30;
        ok = refine_gpu_create(ds, budget, threads, &r->gpu, err);
    } else {
        ok = refine_cpu_create(ds, threads, p, &r->cpu, err);
    }
    if (!ok) {
        free(r);
        return false;
    }
    *out = r;
    return true;
}

void refine_destroy(refine *r)
{
    if (!r)
        return;
    refine_cpu_destroy(r->cpu);
    refine_gpu_destroy(r->gpu);
    free(r);
}

refine_engine refine_engine_of(const refine *r) { return r->engine; }

bool refine_set_view(refine *r, const view *v, vp_err *err)
{
    if (r->gpu)
        return refine_gpu_set_view(r->gpu, v, err);
    refine_cpu_set_view(r->cpu, v);
    return true;
}

void refine_grow(refine *r)
{
    if (r->cpu)
        refine_cpu_grow(r->cpu);
}

bool refine_set_points(refine *r, uint64_t first, const refine_batch *b, int nb, vp_err *err)
{
    if (!r->cpu)
        return vp_err_set(err, "the GPU refinement draws every point: --window and --persist refine on the CPU");
    return refine_cpu_set_points(r->cpu, first, b, nb, err);
}

void refine_reset(refine *r)
{
    if (r->cpu)
        refine_cpu_reset(r->cpu);
}

void refine_step(refine *r, double budget_ms)
{
    if (r->gpu)
        refine_gpu_step(r->gpu, budget_ms);
}

void refine_get_state(refine *r, refine_state *st)
{
    if (r->gpu)
        refine_gpu_get_state(r->gpu, st);
    else
        refine_cpu_get_state(r->cpu, st);
}

unsigned refine_count_image(const refine *r) { return r->gpu ? refine_gpu_image(r->gpu) : 0; }

bool refine_snapshot(refine *r, uint64_t *counts, refine_state *st, vp_err *err)
{
    return r->gpu ? refine_gpu_snapshot(r->gpu, counts, st, err)
                  : refine_cpu_snapshot(r->cpu, counts, st, err);
}

bool refine_snapshot_agg(refine *r, agg_grid *g, uint64_t *bad_category, refine_state *st,
                         vp_err *err)
{
    if (!r->cpu)
        return vp_err_set(err, "internal: the GPU refinement has no aggregates");
    return refine_cpu_snapshot_agg(r->cpu, g, bad_category, st, err);
}
