// Bins the bound points into the count image with the binning rule of
// src/accum/view.h (bin.glsl, prepended): points are the decoded float64
// values, so every sample lands where the CPU puts it. Used by the streaming
// accumulation (a ring slot bound) and by the resident refinement (one chunk
// of the resident buffer bound).
// Defines: LOCAL_SIZE (invocations per group).
layout(local_size_x = LOCAL_SIZE) in;

layout(std430, binding = 0) readonly buffer Points {
    dvec2 pts[];
};
layout(r32ui, binding = 0) uniform coherent uimage2D u_counts;

uniform uint u_n; // points bound

void main()
{
    // groups beyond 65535 go on in y (GL's guaranteed limit per dimension)
    uint i = gl_GlobalInvocationID.y * (gl_NumWorkGroups.x * LOCAL_SIZE) + gl_GlobalInvocationID.x;
    if (i >= u_n)
        return;
    dvec2 p = pts[i];
    int bx = vp_bin(0, p.x), by = vp_bin(1, p.y);
    if (bx < 0 || by < 0)
        return;
    imageAtomicAdd(u_counts, ivec2(bx, by), 1u);
}
