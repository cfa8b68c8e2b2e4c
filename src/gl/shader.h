#ifndef VP_SHADER_H
#define VP_SHADER_H
/* Programs built from the embedded shaders/ files. Variants come from injected
 * #defines, never copied files. On a compile error the message names the
 * shader file and line (a #line marker keeps the driver's line numbers equal to
 * the file's) and the numbered source goes to stderr. Needs a current context. */
#include <glad/gl.h>
#include "core/err.h"

/* defines: extra lines put after #version (e.g. "#define LOCAL_SIZE 256\n"), or NULL.
 * Return 0 on failure. */
GLuint shader_program_compute(const char *file, const char *defines, vp_err *err);
GLuint shader_program_render(const char *vert_file, const char *frag_file, const char *defines,
                             vp_err *err);

/* Compiles one stage from text named `file` (for messages); 0 on failure with
 * "shaders/FILE: compile error ... 0:LINE..." in err. The building block of the
 * two above; tests use it to check error reporting. */
GLuint shader_compile_text(GLenum type, const char *file, const char *text, const char *defines,
                           vp_err *err);

/* The embedded text of a shaders/ file, or NULL. */
const char *shader_source(const char *file);

#endif
