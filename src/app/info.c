#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#include "accum/bounds_cache.h"
#include "accum/scan.h"
#include "app/commands.h"
#include "overlay/timeaxis.h"

/* An x value of a time axis as the ISO instant (the fewest fractional digits
 * that keep it exact, whole nanoseconds). */
static void format_instant(double x, int64_t unit_ns, int64_t origin, const time_zone *tz, char *buf, size_t len)
{
    double off = x * (double)unit_ns;
    if (!(fabs(off) < 9e18) || origin > INT64_MAX / unit_ns || origin < INT64_MIN / unit_ns) {
        snprintf(buf, len, "%.17g", x);
        return;
    }
    int64_t ns = origin * unit_ns + (int64_t)llround(off);
    int digits = 9;
    for (int64_t q = 10; digits > 0 && ns % q == 0; q *= 10)
        digits--;
    time_format_iso(ns, tz, digits, buf, len);
}

/* x:  the range, as instants when x is a time */
static void print_x_range(const dataset *ds, const vp_options *o, double lo, double hi)
{
    time_unit unit;
    int64_t origin;
    static time_zone tz; /* about 5 KiB */
    vp_err e;
    if (!dataset_x_time(ds, &unit, &origin) || !time_zone_parse(o->tz, &tz, &e)) {
        printf("x:           %.17g .. %.17g\n", lo, hi);
        return;
    }
    char a[64], b[64], z[64];
    format_instant(lo, time_unit_ns(unit), origin, &tz, a, sizeof a);
    format_instant(hi, time_unit_ns(unit), origin, &tz, b, sizeof b);
    format_instant(0, time_unit_ns(unit), origin, &tz, z, sizeof z);
    printf("x:           %s .. %s (time; x values are %s after %s)\n", a, b, time_unit_name(unit), z);
}

int cmd_info(const vp_options *o, vp_err *err)
{
    for (int i = 0; i < o->ninputs; i++) {
        dataset *ds = NULL;
        if (!dataset_create_inputs(&o->inputs[i], 1, &o->data, &ds, err))
            return 1;
        const source *src = dataset_input(ds, 0);
        scan *sc;
        scan_result r;
        static bounds_cache_key key; /* 8 KiB: keep it off the stack */
        bool cached = src && !o->no_cache && bounds_cache_get(src, &key, &r);
        if (!cached) {
            if (!scan_start(ds, o->threads, &sc, err) || !scan_join(sc, &r, err)) {
                dataset_destroy(ds);
                return 1;
            }
            if (src && !o->no_cache)
                bounds_cache_put(src, &key, &r);
        }
        text_stats ts;
        if (dataset_text_stats(ds, 0, &ts)) {
            printf("file:        %s\n", dataset_input_name(ds, 0));
            printf("format:      text, delimiter %s, %s\n",
                   ts.delimiter == ' ' ? "spaces" : ts.delimiter == '\t' ? "tab"
                   : ts.delimiter == ',' ? "comma" : ts.delimiter == ';' ? "semicolon" : "other",
                   ts.header ? "with a header row" : "no header row");
            if (ts.xcol < 0)
                printf("columns:     x = row index, y = column %d%s%s%s%s\n", ts.ycol, ts.yname[0] ? " " : "", ts.yname,
                       ts.x_index_why[0] ? "\n             " : "", ts.x_index_why);
            else
                printf("columns:     x = column %d%s%s, y = column %d%s%s\n", ts.xcol,
                       ts.xname[0] ? " " : "", ts.xname, ts.ycol, ts.yname[0] ? " " : "", ts.yname);
            if (dataset_inputs(ds) > 1) {
                /* --y a,b,c: one series per column, the y range over all */
                printf("series:      %d:", dataset_inputs(ds));
                for (int k = 0; k < dataset_inputs(ds); k++)
                    printf(" %s%s", dataset_input_name(ds, k), k + 1 < dataset_inputs(ds) ? "," : "\n");
            }
            printf("lines:       %" PRIu64 " (%" PRIu64 " data rows, %" PRIu64 " comment, %" PRIu64 " blank)\n",
                   ts.lines, ts.data_rows, ts.comment_lines, ts.blank_lines);
            if (dataset_inputs(ds) > 1)
                printf("records:     %" PRIu64 " (all series)\n", r.records);
            else
                printf("records:     %" PRIu64 "\n", r.records);
            if (ts.skipped_rows)
                printf("skipped:     %" PRIu64 " row(s); the first, line %" PRIu64 ", held \"%s\" (%s)\n",
                       ts.skipped_rows, ts.first_bad_line, ts.first_bad_text, ts.first_bad_why);
        } else {
            const source_info *si = source_get_info(src);
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
        }
        printf("non-finite:  %" PRIu64 "\n", r.nonfinite);
        if (r.finite) {
            print_x_range(ds, o, r.xmin, r.xmax);
            printf("y:           %.17g .. %.17g\n", r.ymin, r.ymax);
        } else {
            printf("x:           (no finite samples)\ny:           (no finite samples)\n");
        }
        if (dataset_has_w(ds)) {
            /* --value / --by: the third column (a sample needs it finite too) */
            text_stats wts;
            const char *col = o->value_col ? o->value_col : o->by_col;
            bool named = dataset_text_stats(ds, 0, &wts) && wts.wname[0];
            if (named)
                printf("%s column %d (%s)", o->by_col ? "categories: " : "value:      ", wts.wcol, wts.wname);
            else
                printf("%s column %s", o->by_col ? "categories: " : "value:      ", col);
            const char *const *labels;
            int nl = dataset_labels(ds, &labels);
            if (nl > 0) {
                printf(": %d labels:", nl);
                for (int k = 0; k < nl; k++)
                    printf(" \"%s\"%s", labels[k], k + 1 < nl ? "," : "");
                printf("\n");
            } else if (r.wfinite) {
                printf(": %.17g .. %.17g\n", r.wmin, r.wmax);
            } else {
                printf(": (no finite values)\n");
            }
        }
        if (i + 1 < o->ninputs)
            printf("\n");
        dataset_destroy(ds);
    }
    return 0;
}
