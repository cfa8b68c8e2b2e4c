#include "load/dataset.h"

#include <stdlib.h>

#include "load/demo.h"

struct dataset {
    int n;                 /* inputs; 0 for the demo */
    source **src;
    uint64_t *first_chunk; /* n + 1 entries: chunk numbers where each input starts */
    uint64_t records;
    uint64_t chunks;
};

struct dataset_reader {
    const dataset *ds;
    source_reader **rd; /* one per input, created on first use */
};

static uint64_t div_up(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

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
    if (ds->src)
        for (int i = 0; i < ds->n; i++)
            source_destroy(ds->src[i]);
    free(ds->src);
    free(ds->first_chunk);
    free(ds);
}

bool dataset_known_bounds(const dataset *ds, double bounds[4])
{
    if (ds->n != 0)
        return false;
    demo_bounds(bounds);
    return true;
}

uint64_t dataset_records(const dataset *ds) { return ds->records; }
uint64_t dataset_chunks(const dataset *ds) { return ds->chunks; }
int dataset_inputs(const dataset *ds) { return ds->n; }
const source *dataset_input(const dataset *ds, int i) { return i < ds->n ? ds->src[i] : NULL; }

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

bool dataset_decode(dataset_reader *r, uint64_t k, double *x, double *y, size_t *n,
                    uint64_t *records, uint64_t *nonfinite, vp_err *err)
{
    const dataset *ds = r->ds;
    *n = 0;
    if (k >= ds->chunks)
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
    /* Inputs are few: a linear scan beats a binary search here. */
    int i = 0;
    while (k >= ds->first_chunk[i + 1])
        i++;
    if (!r->rd[i] && !(r->rd[i] = source_reader_create(ds->src[i], DATASET_CHUNK_RECORDS)))
        return vp_err_set(err, "out of memory");
    uint64_t rec0 = (k - ds->first_chunk[i]) * DATASET_CHUNK_RECORDS;
    uint64_t total = source_get_info(ds->src[i])->records;
    size_t cnt = (size_t)(total - rec0 < DATASET_CHUNK_RECORDS ? total - rec0 : DATASET_CHUNK_RECORDS);
    *records += cnt;
    return source_decode(r->rd[i], rec0, cnt, x, y, n, nonfinite, err);
}
