// Shade -> colour: the GL side of src/look/shade.h. The CPU maps every count
// to its colormap entry (shade_grid: 0 empty, else 1 + entry) with the same
// table the CPU tone-mapper uses, so both give the same pixels by
// construction; this pass only places, spreads and colours them.
layout(location = 0) out vec4 frag;

uniform usampler2D u_shades;       // R16UI, bottom row first
uniform sampler1D u_cmap;          // 256 RGBA8 entries
uniform vec4 u_background;
uniform int u_flip;                // 1: grid row 0 at the top (for readback)
uniform vec2 u_view_origin;        // viewport origin in window pixels
uniform vec2 u_src_origin;         // grid position shown at the viewport's corner
uniform vec2 u_src_scale;          // grid pixels per viewport pixel
uniform int u_spread;              // point size: show the largest count within this radius

void main()
{
    ivec2 size = textureSize(u_shades, 0);
    vec2 v = gl_FragCoord.xy - u_view_origin;         // pixel centre in the viewport
    vec2 g = u_src_origin + v * u_src_scale;           // position in the grid
    ivec2 p = ivec2(floor(g));
    if (u_flip == 1)
        p.y = size.y - 1 - p.y;
    if (p.x < 0 || p.y < 0 || p.x >= size.x || p.y >= size.y) {
        frag = u_background;
        return;
    }
    // shades are monotonic in the count: the largest shade is the largest count's
    uint s = texelFetch(u_shades, p, 0).r;
    if (u_spread > 0) {
        for (int dy = -u_spread; dy <= u_spread; dy++)
            for (int dx = -u_spread; dx <= u_spread; dx++) {
                ivec2 q = clamp(p + ivec2(dx, dy), ivec2(0), size - 1);
                s = max(s, texelFetch(u_shades, q, 0).r);
            }
    }
    if (s == 0u) {
        frag = u_background;
        return;
    }
    frag = vec4(texelFetch(u_cmap, int(s) - 1, 0).rgb, 1.0);
}
