// Count -> level -> colour: the GL side of src/look/tonemap.h. The CPU builds
// the statistics (and the eq-hist tables); this pass evaluates them per pixel.
layout(location = 0) out vec4 frag;

uniform sampler2D u_counts;        // R32F, bottom row first
uniform samplerBuffer u_lut;       // eq-hist: level of count c, c < u_lut_len
uniform samplerBuffer u_big_vals;  // eq-hist: ascending counts >= u_lut_len
uniform samplerBuffer u_big_lvls;  //          and their levels
uniform sampler1D u_cmap;          // 256 RGBA8 entries
// KIND (injected #define): 0 linear 1 log 2 sqrt 3 cbrt 4 eq-hist. One
// program per tone map keeps the per-pixel code branch-free, which matters on
// software GL where both sides of a branch may run.
uniform int u_lut_len;
uniform int u_big_len;
uniform float u_fmin;
uniform float u_frange;            // fmax - fmin, 0 when all counts are equal
uniform float u_floor;             // lowest colormap position for a non-zero count
uniform vec4 u_background;
uniform int u_flip;                // 1: grid row 0 at the top (for readback)
uniform vec2 u_view_origin;        // viewport origin in window pixels
uniform vec2 u_src_origin;         // grid position shown at the viewport's corner
uniform vec2 u_src_scale;          // grid pixels per viewport pixel
uniform int u_spread;              // point size: show the largest count within this radius

float shape(float c)
{
#if KIND == 1
    return log(1.0 + c);
#elif KIND == 2
    return sqrt(c);
#elif KIND == 3
    return pow(c, 1.0 / 3.0);
#else
    return c;
#endif
}

float eq_hist(float c)
{
    if (c < float(u_lut_len))
        return texelFetch(u_lut, int(c)).r;
    // largest big value <= c (the table starts above the LUT, so lo >= 0)
    int lo = 0, hi = u_big_len - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) >> 1;
        if (texelFetch(u_big_vals, mid).r <= c) lo = mid; else hi = mid - 1;
    }
    return texelFetch(u_big_lvls, lo).r;
}

void main()
{
    ivec2 size = textureSize(u_counts, 0);
    vec2 v = gl_FragCoord.xy - u_view_origin;         // pixel centre in the viewport
    vec2 g = u_src_origin + v * u_src_scale;           // position in the grid
    ivec2 p = ivec2(floor(g));
    if (u_flip == 1)
        p.y = size.y - 1 - p.y;
    if (p.x < 0 || p.y < 0 || p.x >= size.x || p.y >= size.y) {
        frag = u_background;
        return;
    }
    float c = texelFetch(u_counts, p, 0).r;
    if (u_spread > 0) {
        for (int dy = -u_spread; dy <= u_spread; dy++)
            for (int dx = -u_spread; dx <= u_spread; dx++) {
                ivec2 q = clamp(p + ivec2(dx, dy), ivec2(0), size - 1);
                c = max(c, texelFetch(u_counts, q, 0).r);
            }
    }
    if (c <= 0.0) {
        frag = u_background;
        return;
    }
#if KIND == 4
    float t = eq_hist(c);
#else
    float t = u_frange > 0.0 ? clamp((shape(c) - u_fmin) / u_frange, 0.0, 1.0) : 1.0;
#endif
    float pos = u_floor + (1.0 - u_floor) * t;
    int idx = clamp(int(pos * 255.0 + 0.5), 0, 255);
    frag = vec4(texelFetch(u_cmap, idx, 0).rgb, 1.0);
}
