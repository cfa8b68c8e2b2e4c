#ifndef VP_DTYPE_H
#define VP_DTYPE_H
#include <stdbool.h>
#include <stddef.h>

/* The sample types vastplot reads. */
typedef enum vp_dtype {
    VP_F32, VP_F64,
    VP_I8, VP_I16, VP_I32, VP_I64,
    VP_U8, VP_U16, VP_U32, VP_U64,
    VP_DTYPE_COUNT
} vp_dtype;

typedef enum vp_endian { VP_LITTLE, VP_BIG } vp_endian;

size_t vp_dtype_size(vp_dtype t);          /* bytes per value */
const char *vp_dtype_name(vp_dtype t);     /* "f32", "u16", ... */
bool vp_dtype_is_float(vp_dtype t);
/* Parses "f32" ... "u64" (also "float32", "float64", "int16", "uint8", ...). */
bool vp_dtype_parse(const char *s, vp_dtype *out);
vp_endian vp_host_endian(void);

#endif
