#include "load/dtype.h"

#include <stdint.h>
#include <string.h>

/* Indexed by vp_dtype; the short name is the one the CLI and messages use. */
static const struct {
    const char *name;
    const char *long_name;
    size_t size;
    bool is_float;
} dtype_table[VP_DTYPE_COUNT] = {
    [VP_F32] = {"f32", "float32", 4, true},
    [VP_F64] = {"f64", "float64", 8, true},
    [VP_I8] = {"i8", "int8", 1, false},
    [VP_I16] = {"i16", "int16", 2, false},
    [VP_I32] = {"i32", "int32", 4, false},
    [VP_I64] = {"i64", "int64", 8, false},
    [VP_U8] = {"u8", "uint8", 1, false},
    [VP_U16] = {"u16", "uint16", 2, false},
    [VP_U32] = {"u32", "uint32", 4, false},
    [VP_U64] = {"u64", "uint64", 8, false},
};

static bool dtype_valid(vp_dtype t)
{
    return (unsigned)t < VP_DTYPE_COUNT;
}

size_t vp_dtype_size(vp_dtype t)
{
    return dtype_valid(t) ? dtype_table[t].size : 0;
}

const char *vp_dtype_name(vp_dtype t)
{
    return dtype_valid(t) ? dtype_table[t].name : "?";
}

bool vp_dtype_is_float(vp_dtype t)
{
    return dtype_valid(t) && dtype_table[t].is_float;
}

bool vp_dtype_parse(const char *s, vp_dtype *out)
{
    if (!s)
        return false;
    for (int t = 0; t < VP_DTYPE_COUNT; t++) {
        if (strcmp(s, dtype_table[t].name) == 0 || strcmp(s, dtype_table[t].long_name) == 0) {
            *out = (vp_dtype)t;
            return true;
        }
    }
    return false;
}

vp_endian vp_host_endian(void)
{
    /* Asked at run time rather than by macro so it is right on any compiler;
     * the compiler folds it to a constant anyway. */
    const uint16_t probe = 1;
    uint8_t first;
    memcpy(&first, &probe, 1);
    return first == 1 ? VP_LITTLE : VP_BIG;
}
