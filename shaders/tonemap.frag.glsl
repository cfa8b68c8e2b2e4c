// Shade -> colour: the GL side of src/look/shade.h. Every count has its
// colormap entry (0 empty, else 1 + entry) by the table the CPU tone-mapper
// uses, so both give the same pixels by construction; this pass places,
// spreads and colours them. The grid is either those shades, computed on the
// CPU (shade_grid, R16UI), or - FROM_COUNTS - the counts themselves in the
// r32ui image the GPU accumulated into, shaded here by the same table: the
// direct part (u_lut) and the thresholds above it (u_above), as shade_of does.
// FROM_RGBA: no counts at all, a finished picture (value or category shading
// done on the CPU), only placed.
layout(location = 0) out vec4 frag;

#ifdef FROM_RGBA
uniform sampler2D u_grid;          // RGBA8, TOP row first (the picture's own order)
#else
uniform usampler2D u_grid;         // bottom row first: R16UI shades, or r32ui counts
#endif
uniform sampler1D u_cmap;          // 256 RGBA8 entries
uniform vec4 u_background;
uniform int u_flip;                // 1: grid row 0 at the top (for readback)
uniform vec2 u_view_origin;        // viewport origin in window pixels
uniform vec2 u_src_origin;         // grid position shown at the viewport's corner
uniform vec2 u_src_scale;          // grid pixels per viewport pixel
uniform int u_spread;              // point size: show the largest count within this radius

#ifdef FROM_RGBA
#elif defined(FROM_COUNTS)
uniform usampler2D u_lut;          // shade of count c < u_lut_len at (c % 256, c / 256)
uniform uint u_lut_len;
uniform uvec2 u_above[255];        // (high, low) halves of shade_table.above

uint shade_at(ivec2 p)
{
    uint c = texelFetch(u_grid, p, 0).r;
    if (c < u_lut_len)
        return texelFetch(u_lut, ivec2(int(c & 255u), int(c >> 8u)), 0).r;
    uint lo = 0u, hi = 255u; // entries k with above[k - 1] <= c: [1, lo]
    while (lo < hi) {
        uint mid = (lo + hi + 1u) / 2u;
        uvec2 a = u_above[mid - 1u];
        if (a.x == 0u && a.y <= c)
            lo = mid;
        else
            hi = mid - 1u;
    }
    uint last = u_lut_len - 1u;
    uint base = texelFetch(u_lut, ivec2(int(last & 255u), int(last >> 8u)), 0).r;
    return max(lo + 1u, base);
}
#else
uint shade_at(ivec2 p)
{
    return texelFetch(u_grid, p, 0).r;
}
#endif

void main()
{
    ivec2 size = textureSize(u_grid, 0);
    vec2 v = gl_FragCoord.xy - u_view_origin;         // pixel centre in the viewport
    vec2 g = u_src_origin + v * u_src_scale;           // position in the grid
    ivec2 p = ivec2(floor(g));
    if (u_flip == 1)
        p.y = size.y - 1 - p.y;
#ifdef FROM_RGBA
    // grid row p.y (0 at the bottom) is picture row size.y - 1 - p.y
    if (p.x < 0 || p.y < 0 || p.x >= size.x || p.y >= size.y)
        discard;
    frag = texelFetch(u_grid, ivec2(p.x, size.y - 1 - p.y), 0);
#else
    if (p.x < 0 || p.y < 0 || p.x >= size.x || p.y >= size.y) {
        frag = u_background;
        return;
    }
    // shades are monotonic in the count: the largest shade is the largest count's
    uint s = shade_at(p);
    if (u_spread > 0) {
        for (int dy = -u_spread; dy <= u_spread; dy++)
            for (int dx = -u_spread; dx <= u_spread; dx++) {
                ivec2 q = clamp(p + ivec2(dx, dy), ivec2(0), size - 1);
                s = max(s, shade_at(q));
            }
    }
    if (s == 0u) {
        frag = u_background;
        return;
    }
    frag = vec4(texelFetch(u_cmap, int(s) - 1, 0).rgb, 1.0);
#endif
}
