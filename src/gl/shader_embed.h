#ifndef VP_SHADER_EMBED_H
#define VP_SHADER_EMBED_H
#include <stddef.h>

/* The shader files of shaders/, embedded at build time (cmake/embed_shaders.cmake).
 * The table ends with a {NULL, NULL, 0} entry. */
typedef struct vp_shader_file {
    const char *name; /* file name, e.g. "accum.comp.glsl" */
    const char *text; /* NUL-terminated */
    size_t len;       /* bytes, without the NUL */
} vp_shader_file;

extern const vp_shader_file vp_shader_files[];

#endif
