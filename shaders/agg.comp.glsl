// Aggregates of w (src/accum/agg.h) with 32-bit image atomics only; the
// layout, the passes and the overflow bounds are in src/accum/agg_gpu.c.
// Each point of the bound ring slot carries its w already in the integer form
// added here (computed on the CPU, so both engines use the same numbers):
//   AGG_SUM, AGG_SUMSQ  (v0, v1) = d(w), a two's complement int64, |d| <= 2^40
//   AGG_KEY             (v0, v1) = the low and high words of a 64-bit key
//                       whose unsigned order is the order of w (min: inverted),
//                       never 0 for a finite w, so 0 is "none yet"
//   AGG_CAT             v0 = the category code, < the planes bound
// Planes (layers of u_planes), per kind:
//   count         0 count
//   AGG_SUM       0 count, 1..3 the sum of u = d + 2^40 in 32-bit limbs
//   AGG_SUMSQ     also 4..7 the sum of d^2 in 32-bit limbs
//   AGG_KEY       0 count, 1 the greatest high word, 2 the greatest low word
//                 among the keys whose high word is plane 1's
//   AGG_CAT       c: the samples of category c
// A pixel's planes lie side by side, u_tile.x across and u_tile.y down, then
// in further layers (plane_at), so that its words share cache lines.
// Every plane starts at 0.
// Defines: LOCAL_SIZE; AGG_PASS 1 (bin and add) or 2 (AGG_KEY's low words);
// at most one of AGG_SUM, AGG_SUMSQ, AGG_KEY, AGG_CAT (none: count only).
// bin.glsl is prepended (vp_bin).
layout(local_size_x = LOCAL_SIZE) in;

struct agg_point {
    double x;
    double y;
    uint v0;
    uint v1;
}; // std430: 24 bytes, the layout of agg_gpu.c's gpu_point

layout(std430, binding = 0) readonly buffer Points {
    agg_point pts[];
};
#ifdef AGG_KEY
// per point of the slot: its pixel (x | y << 16) from pass 1, or NO_PIXEL
// (outside the view, or its high word cannot be the pixel's least)
layout(std430, binding = 2) buffer Where {
    uint where[];
};
#define NO_PIXEL 0xffffffffu
#endif
layout(r32ui, binding = 0) uniform coherent uimage2DArray u_planes;

uniform uint u_n; // points bound
uniform ivec2 u_tile; // planes of a pixel across and down in a layer

ivec3 plane_at(ivec2 p, int l)
{
    int per = u_tile.x * u_tile.y;
    int t = l % per;
    return ivec3(p.x * u_tile.x + t % u_tile.x, p.y * u_tile.y + t / u_tile.x, l / per);
}

#if defined(AGG_SUM) || defined(AGG_SUMSQ)
// Adds a + cin into limb plane l of pixel p; returns the carry out of the
// limb (0..2), from the value the atomic returned: the limbs' total is then
// exact in any order. No atomic for a zero addend (upper limbs, mostly).
uint limb_add(ivec2 p, int l, uint a, uint cin)
{
    uint s = a + cin;
    uint carry = s < cin ? 1u : 0u;
    if (s != 0u) {
        uint old = imageAtomicAdd(u_planes, plane_at(p, l), s);
        carry += old + s < old ? 1u : 0u;
    }
    return carry;
}

// The top limb takes the last carry; the fold bound keeps it from wrapping.
void limb_top(ivec2 p, int l, uint c)
{
    if (c != 0u)
        imageAtomicAdd(u_planes, plane_at(p, l), c);
}
#endif

void main()
{
    // groups beyond 65535 go on in y (GL's guaranteed limit per dimension)
    uint i = gl_GlobalInvocationID.y * (gl_NumWorkGroups.x * LOCAL_SIZE) + gl_GlobalInvocationID.x;
    if (i >= u_n)
        return;
#if AGG_PASS == 2
    // the high words are settled (pass 1 of this slot): the low word counts
    // only where the high word is the pixel's greatest
    uint at = where[i];
    if (at == NO_PIXEL)
        return;
    ivec2 p = ivec2(int(at & 0xffffu), int(at >> 16));
    agg_point q = pts[i];
    if (imageLoad(u_planes, plane_at(p, 1)).x == q.v1)
        imageAtomicMax(u_planes, plane_at(p, 2), q.v0);
#else
    agg_point q = pts[i];
    int bx = vp_bin(0, q.x), by = vp_bin(1, q.y);
    bool inside = bx >= 0 && by >= 0;
#ifdef AGG_KEY
    if (!inside)
        where[i] = NO_PIXEL;
#endif
    if (!inside)
        return;
    ivec2 p = ivec2(bx, by);
#ifdef AGG_CAT
    imageAtomicAdd(u_planes, plane_at(p, int(q.v0)), 1u);
#else
    imageAtomicAdd(u_planes, plane_at(p, 0), 1u);
#endif
#if defined(AGG_SUM) || defined(AGG_SUMSQ)
    // u = d + 2^40 >= 0: 2^40 is 256 in the high word, and d >= -2^40 keeps
    // the high word of u within 0..512, so no sign words to carry
    uint c = limb_add(p, 1, q.v0, 0u);
    c = limb_add(p, 2, q.v1 + 256u, c);
    limb_top(p, 3, c);
#endif
#ifdef AGG_SUMSQ
    // |d| = a + b 2^32 (b <= 256); d^2 = a^2 + 2ab 2^32 + b^2 2^64 < 2^81,
    // in three words, with 32-bit multiplies
    uint a = q.v0, b = q.v1;
    if (int(b) < 0) {
        a = ~a + 1u;
        b = ~b + (a == 0u ? 1u : 0u);
    }
    uint aah, aal, abh, abl;
    umulExtended(a, a, aah, aal);
    umulExtended(a, b, abh, abl); // ab < 2^40: abh < 2^8
    uint w1 = aah + (abl << 1);
    uint k1 = w1 < aah ? 1u : 0u;
    uint w2 = (abh << 1) + (abl >> 31) + b * b + k1;
    c = limb_add(p, 4, aal, 0u);
    c = limb_add(p, 5, w1, c);
    c = limb_add(p, 6, w2, c);
    limb_top(p, 7, c);
#endif
#ifdef AGG_KEY
    // a greater high word makes plane 2's low word stale: reset it, for pass
    // 2 to fill from the keys with the new high word (nothing else writes
    // plane 2 during pass 1, so the resets cannot undo a pass 2 maximum)
    uint old = imageAtomicMax(u_planes, plane_at(p, 1), q.v1);
    if (q.v1 > old)
        imageAtomicExchange(u_planes, plane_at(p, 2), 0u);
    // a high word below one already there is below the pixel's greatest:
    // pass 2 can skip the point
    where[i] = q.v1 >= old ? uint(bx) | (uint(by) << 16) : NO_PIXEL;
#endif
#endif
}
