// Accumulates one ring slot of points into the count image with the binning
// rule of src/accum/view.h (bin.glsl, prepended): points arrive as the
// decoded float64 values, so every sample is binned exactly as on the CPU.
layout(local_size_x = LOCAL_SIZE) in;

layout(std430, binding = 0) readonly buffer Points {
    dvec2 pts[];
};
layout(r32ui, binding = 0) uniform coherent uimage2D u_counts;

uniform uint u_n; // points in this slot

void main()
{
    uint i = gl_GlobalInvocationID.y * (gl_NumWorkGroups.x * LOCAL_SIZE) + gl_GlobalInvocationID.x;
    if (i >= u_n)
        return;
    dvec2 p = pts[i];
    int bx = vp_bin(0, p.x), by = vp_bin(1, p.y);
    if (bx < 0 || by < 0)
        return;
    imageAtomicAdd(u_counts, ivec2(bx, by), 1u);
}
