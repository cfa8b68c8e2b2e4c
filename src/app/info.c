#include <inttypes.h>
#include <stdio.h>

#include "accum/bounds_cache.h"
#include "accum/scan.h"
#include "app/commands.h"

int cmd_info(const vp_options *o, vp_err *err)
{
    for (int i = 0; i < o->ninputs; i++) {
        dataset *ds = NULL;
        if (!dataset_create_files(&o->inputs[i], 1, &o->src, &ds, err))
            return 1;
        const source_info *si = source_get_info(dataset_input(ds, 0));
        scan *sc;
        scan_result r;
        static bounds_cache_key key; /* 8 KiB: keep it off the stack */
        bool cached = !o->no_cache && bounds_cache_get(dataset_input(ds, 0), &key, &r);
        if (!cached) {
            if (!scan_start(ds, o->threads, &sc, err) || !scan_join(sc, &r, err)) {
                dataset_destroy(ds);
                return 1;
            }
            if (!o->no_cache)
                bounds_cache_put(dataset_input(ds, 0), &key, &r);
        }
        printf("file:        %s\n", si->path);
        printf("size:        %" PRIu64 " bytes\n", si->file_size);
        if (si->is_npy)
            printf("format:      npy v%d.0, %s order, data at byte %" PRIu64 "\n", si->npy_version,
                   si->fortran_order ? "Fortran" : "C", si->data_offset);
        else
            printf("format:      raw, data at byte %" PRIu64 "\n", si->data_offset);
        printf("dtype:       %s %s-endian\n", vp_dtype_name(si->dtype),
               vp_dtype_size(si->dtype) == 1 ? "any" : si->endian == VP_BIG ? "big" : "little");
        if (si->xcol < 0)
            printf("columns:     %d (x = record index, y = column %d)\n", si->columns, si->ycol);
        else
            printf("columns:     %d (x = column %d, y = column %d)\n", si->columns, si->xcol, si->ycol);
        printf("records:     %" PRIu64 "\n", si->records);
        if (si->trailing_bytes)
            printf("trailing:    %" PRIu64 " bytes (not a whole record; ignored)\n", si->trailing_bytes);
        printf("non-finite:  %" PRIu64 "\n", r.nonfinite);
        if (r.finite) {
            printf("x:           %.17g .. %.17g\n", r.xmin, r.xmax);
            printf("y:           %.17g .. %.17g\n", r.ymin, r.ymax);
        } else {
            printf("x:           (no finite samples)\ny:           (no finite samples)\n");
        }
        if (i + 1 < o->ninputs)
            printf("\n");
        dataset_destroy(ds);
    }
    return 0;
}
