// Progressive GPU accumulation from resident data: one dispatch bins a range
// of points that share a chunk origin. Points are stored as float offsets from
// their chunk's origin; u_offset = float(origin - view origin), computed in
// double on the CPU. Same binning rule as view.h.
layout(local_size_x = LOCAL_SIZE) in;

layout(std430, binding = 0) readonly buffer Points {
    vec2 pts[];
};
layout(r32ui, binding = 0) uniform coherent uimage2D u_counts;

uniform uint u_first;  // first point of the range
uniform uint u_n;      // points in the range
uniform vec2 u_offset; // chunk origin minus view origin, in data units
uniform vec2 u_scale;  // pixels per data unit
uniform vec2 u_size;   // (W, H)

void main()
{
    uint i = gl_GlobalInvocationID.y * (gl_NumWorkGroups.x * LOCAL_SIZE) + gl_GlobalInvocationID.x;
    if (i >= u_n)
        return;
    vec2 p = pts[u_first + i];
    precise float fx = (p.x + u_offset.x) * u_scale.x;
    precise float fy = (p.y + u_offset.y) * u_scale.y;
    if (!(fx >= 0.0 && fx <= u_size.x && fy >= 0.0 && fy <= u_size.y))
        return;
    ivec2 px = min(ivec2(int(fx), int(fy)), ivec2(u_size) - 1);
    imageAtomicAdd(u_counts, px, 1u);
}
