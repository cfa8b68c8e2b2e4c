#ifndef VP_BIN_GPU_H
#define VP_BIN_GPU_H
/* The GPU side of the binning rule (view.h): builds compute programs with
 * shaders/bin.glsl in front, and gives them a view: the edge table (computed
 * here on the CPU with view_axis_edge, so the GPU's rounding never moves an
 * edge) in shader storage binding 1, and the limits as uniforms. Needs a
 * current GL context. */
#include <glad/gl.h>
#include "accum/view.h"
#include "core/err.h"
#include "gl/ring.h"

typedef struct bin_gpu {
    GLuint prog;
    GLuint edges;      /* buffer of (w + 1) + (h + 1) doubles */
    size_t edges_cap;  /* doubles it holds */
    GLint u_lo, u_hi, u_scale, u_n, u_flip, u_fast;
} bin_gpu;

/* Compiles the compute shader `file` with bin.glsl and LOCAL_SIZE defined. */
bool bin_gpu_create(bin_gpu *b, const char *file, int local_size, vp_err *err);
/* The same with more #define lines (NULL: none) after LOCAL_SIZE. */
bool bin_gpu_create_defs(bin_gpu *b, const char *file, int local_size, const char *defines,
                         vp_err *err);
/* Only the program (bin.glsl in front, the defines), 0 with err set: for a
 * further pass over the points of a bin_gpu's view. */
GLuint bin_gpu_program(const char *file, int local_size, const char *defines, vp_err *err);
void bin_gpu_destroy(bin_gpu *b); /* zeroed is fine */
/* Uses the program, uploads the view's edges and sets the uniforms. */
bool bin_gpu_set_view(bin_gpu *b, const view *v, vp_err *err);
/* Uses the program and binds the edge table (after other GL work). */
void bin_gpu_bind(const bin_gpu *b);

/* The r32ui count image of a w x h view, zeroed: *tex replaced (deleted
 * first) when its size differs, else cleared. False when GL refuses it
 * (err names the GL error). */
bool bin_gpu_count_image(GLuint *tex, int *tw, int *th, int w, int h, vp_err *err);
/* Reads the image's w*h counts through buf (w*h uint32 of scratch) into
 * counts: added to them when add, else stored. */
bool bin_gpu_read_counts(GLuint tex, size_t pixels, uint32_t *buf, uint64_t *counts, bool add,
                         vp_err *err);

/* Hot path, once per filled ring slot: the bound program over the n records
 * (bytes bytes) of slot s of r, bound as shader storage binding 0, n in the
 * uniform u_n (gl_dispatch_1d's numbering, local_size to a group). */
void bin_gpu_dispatch_slot(const ring *r, int s, size_t bytes, GLuint n, GLint u_n, GLuint local_size);

#endif
