// The overlay's quads (text glyphs, lines, colorbar rows): positions in
// window pixels with the origin at the top-left and y down, as the layout
// computes them; atlas coordinates; one colour per vertex.
layout(location = 0) in vec2 a_pos;
layout(location = 1) in vec2 a_uv;
layout(location = 2) in vec4 a_color;

uniform vec2 u_size; // window size in pixels

out vec2 v_uv;
out vec4 v_color;

void main()
{
    v_uv = a_uv;
    v_color = a_color;
    gl_Position = vec4(a_pos.x / u_size.x * 2.0 - 1.0, 1.0 - a_pos.y / u_size.y * 2.0, 0.0, 1.0);
}
