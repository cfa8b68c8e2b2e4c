// Accumulates one ring slot of points into the count image: the binning rule
// of src/accum/view.h, evaluated exactly as the CPU does it (positions arrive
// relative to the view origin, already in float; one multiply per axis).
layout(local_size_x = LOCAL_SIZE) in;

layout(std430, binding = 0) readonly buffer Points {
    vec2 pts[];
};
layout(r32ui, binding = 0) uniform coherent uimage2D u_counts;

uniform uint u_n;      // points in this slot
uniform vec2 u_scale;  // pixels per data unit (view.sx, view.sy)
uniform vec2 u_size;   // (W, H) as float

void main()
{
    uint i = gl_GlobalInvocationID.y * (gl_NumWorkGroups.x * LOCAL_SIZE) + gl_GlobalInvocationID.x;
    if (i >= u_n)
        return;
    vec2 p = pts[i];
    precise float fx = p.x * u_scale.x;
    precise float fy = p.y * u_scale.y;
    if (!(fx >= 0.0 && fx <= u_size.x && fy >= 0.0 && fy <= u_size.y))
        return;
    ivec2 px = min(ivec2(int(fx), int(fy)), ivec2(u_size) - 1);
    imageAtomicAdd(u_counts, px, 1u);
}
