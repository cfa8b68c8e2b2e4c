// Glyph coverage from the font atlas scales the alpha (antialiased text with
// blending); lines and colorbar rows sample the atlas' solid block, coverage 1,
// so their colours come out exactly.
in vec2 v_uv;
in vec4 v_color;

uniform sampler2D u_atlas; // R8 coverage

layout(location = 0) out vec4 frag;

void main()
{
    float coverage = texture(u_atlas, v_uv).r;
    frag = vec4(v_color.rgb, v_color.a * coverage);
}
