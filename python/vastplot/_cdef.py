"""The declarations of include/vastplot/vastplot.h, as cffi's cdef takes them
(the header without its comments, export macro and preprocessor lines).
tests/test_loader.py checks that every prototype here is the header's."""

CDEF = r"""
#define VASTPLOT_API_VERSION 1
#define VASTPLOT_ERROR_BYTES 1024

typedef struct vastplot vastplot;

typedef enum vastplot_dtype {
    VASTPLOT_F32 = 0, VASTPLOT_F64, VASTPLOT_I8, VASTPLOT_I16, VASTPLOT_I32, VASTPLOT_I64,
    VASTPLOT_U8, VASTPLOT_U16, VASTPLOT_U32, VASTPLOT_U64
} vastplot_dtype;

typedef struct vastplot_array {
    const void *data;
    int dtype;
    int64_t stride;
    uint64_t count;
} vastplot_array;

typedef struct vastplot_stats {
    uint64_t records;
    uint64_t drawn;
    uint64_t nonfinite;
} vastplot_stats;

int vastplot_api_version(void);
const char *vastplot_version(void);
vastplot *vastplot_from_arrays(const vastplot_array *x, const vastplot_array *y,
                               char err[VASTPLOT_ERROR_BYTES]);
vastplot *vastplot_from_args(int argc, const char *const *argv,
                             char err[VASTPLOT_ERROR_BYTES]);
void vastplot_destroy(vastplot *p);
const char *vastplot_error(const vastplot *p);
int vastplot_configure(vastplot *p, int argc, const char *const *argv);
int vastplot_bounds(vastplot *p, double out[4]);
int vastplot_set_view(vastplot *p, double x0, double x1, double y0, double y1, int width,
                      int height);
void vastplot_get_view(const vastplot *p, double lim[4], int *width, int *height);
int vastplot_counts(vastplot *p, uint64_t *out, vastplot_stats *st);
int vastplot_rgba(vastplot *p, uint8_t *out, vastplot_stats *st);
int vastplot_refine_start(vastplot *p);
int vastplot_refine_snapshot(vastplot *p, uint64_t *out, double *done);
int vastplot_view(vastplot *p, int argc, const char *const *argv);
int vastplot_main(int argc, char **argv);
"""

# The API version these bindings were written against (the header's).
API_VERSION = 1
