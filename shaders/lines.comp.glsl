// Line density: rule 3 of src/accum/lines.h on the GPU, the same integer
// walk as lines.c's lines_raster_u32, so the grids are identical. One
// invocation per record of the bound ring slot (src/accum/lines_gpu.c):
//   (x0, y0, x1, y1)   a segment in extended pixels: steps t = 1 .. N of
//                      p(t) = (x0 + q(t, dx), y0 + q(t, dy)),
//                      q(t, d) = floor((2 t d + N) / (2 N)), each step inside
//                      the view adds 1 (long segments loop)
//   (PIXEL, i, 0, 0)   adds 1 at pixel index i = y * w + x (a series' start,
//                      or a one-step segment, as lines_chunk hands them out)
// 32-bit integers only (no GL_ARB_gpu_shader_int64 needed). The bounds: the
// coordinates are within [-2^20, n + 2^20] (lines.h, rule 2) with n <= 2^16
// (lines_gpu.c refuses larger views), so N < 2^22, 2 N < 2^23, and the walk's
// remainder r in [0, 2 N) plus a step 2 d in [-2 N, 2 N] stays below 2^25.
// The one product that does not fit, 2 t d at the first step inside the
// major axis' range (up to 2^45), is never formed whole: q at that step is
// guessed in float (off by a few at most: t, d, N < 2^24 are exact floats
// and the guess is within about 4 ulp of a value below 2^23), and the
// remainder of the guess, num - q 2 N, is computed with wrapping 32-bit
// arithmetic (GLSL's int ops give the low 32 bits): its true value is
// small (|.| < 2^31 while the guess is within 127 of q), so those low 32
// bits are it exactly; the guess is then corrected a step at a time until
// 0 <= r < 2 N, which makes q exact.
// Defines: LOCAL_SIZE (invocations per group).
layout(local_size_x = LOCAL_SIZE) in;

layout(std430, binding = 0) readonly buffer Records {
    ivec4 recs[];
};
layout(r32ui, binding = 0) uniform coherent uimage2D u_counts;

uniform uint u_n;     // records bound
uniform ivec2 u_size; // the view's w, h (pixels)

const int PIXEL = int(0x80000000u); // never a coordinate (they are within +-2^21)

void walk(ivec4 s)
{
    int dx = s.z - s.x, dy = s.w - s.y;
    int adx = abs(dx), ady = abs(dy);
    int N = max(adx, ady);
    if (N == 0)
        return;
    bool xmajor = adx >= ady;
    int c0 = xmajor ? s.x : s.y, m0 = xmajor ? s.y : s.x;
    int dmaj = xmajor ? dx : dy, dmin = xmajor ? dy : dx;
    int nmaj = xmajor ? u_size.x : u_size.y, nmin = xmajor ? u_size.y : u_size.x;
    // the steps whose major coordinate c0 + sign t lies in [0, nmaj)
    int a = dmaj > 0 ? -c0 : c0 - (nmaj - 1);
    int b = dmaj > 0 ? nmaj - 1 - c0 : c0;
    int t0 = max(a, 1), t1 = min(b, N);
    if (t0 > t1)
        return;
    int two_n = 2 * N, step = 2 * dmin, smaj = dmaj > 0 ? 1 : -1;
    // q(t0, dmin) and its remainder (see the top)
    int q = int(floor(float(t0) * (float(dmin) / float(N)) + 0.5));
    int r = (2 * t0 * dmin + N) - q * two_n; // wraps: exact while |q - q(t0)| < 128
    while (r < 0) {
        r += two_n;
        q--;
    }
    while (r >= two_n) {
        r -= two_n;
        q++;
    }
    int c = c0 + smaj * t0;
    int m = m0 + q;
    for (int t = t0; t <= t1; t++) {
        if (m >= 0 && m < nmin)
            imageAtomicAdd(u_counts, xmajor ? ivec2(c, m) : ivec2(m, c), 1u);
        c += smaj;
        r += step;
        if (r >= two_n) {
            r -= two_n;
            m++;
        } else if (r < 0) {
            r += two_n;
            m--;
        }
    }
}

void main()
{
    // groups beyond 65535 go on in y (GL's guaranteed limit per dimension)
    uint i = gl_GlobalInvocationID.y * (gl_NumWorkGroups.x * LOCAL_SIZE) + gl_GlobalInvocationID.x;
    if (i >= u_n)
        return;
    ivec4 s = recs[i];
    if (s.x == PIXEL) {
        uint p = uint(s.y), w = uint(u_size.x);
        imageAtomicAdd(u_counts, ivec2(int(p % w), int(p / w)), 1u);
        return;
    }
    walk(s);
}
