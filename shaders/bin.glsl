// The binning rule of src/accum/view.h (numpy.histogram2d's), in float64.
// The pixel edges come from a table the CPU computed exactly as view.h does
// (x edges 0..W, then y edges 0..H), so no GPU rounding can move an edge: the
// shader only guesses a pixel from (v - lo) * scale and checks the guess
// against the edges, falling back to a binary search over them.
layout(std430, binding = 1) readonly buffer Edges {
    double vp_edges[];
};
uniform dvec2 u_bin_lo;    // the lower limit per axis
uniform dvec2 u_bin_hi;    // the upper limit per axis
uniform dvec2 u_bin_scale; // pixels per data unit (the guess)
uniform ivec2 u_bin_n;     // pixels per axis
uniform ivec2 u_bin_flip;  // 1: reversed limits
uniform ivec2 u_bin_fast;  // 1: try the guess first

double vp_edge(int a, int i)
{
    return vp_edges[a == 0 ? i : u_bin_n.x + 1 + i];
}

// The pixel of v on axis a, or -1 outside.
int vp_bin(int a, double v)
{
    if (!(v >= u_bin_lo[a] && v <= u_bin_hi[a]))
        return -1;
    int n = u_bin_n[a];
    int b = -1;
    if (v == u_bin_hi[a]) {
        b = n - 1;
    } else {
        if (u_bin_fast[a] != 0) {
            precise double g = (v - u_bin_lo[a]) * u_bin_scale[a];
            int c = clamp(int(g), 0, n - 1);
            if (v < vp_edge(a, c))
                c--;
            else if (v >= vp_edge(a, c + 1))
                c++;
            if (c >= 0 && c < n && vp_edge(a, c) <= v && v < vp_edge(a, c + 1))
                b = c;
        }
        if (b < 0) {
            int lo = 0, hi = n; // edge(lo) <= v < edge(hi)
            while (hi - lo > 1) {
                int mid = lo + (hi - lo) / 2;
                if (vp_edge(a, mid) <= v)
                    lo = mid;
                else
                    hi = mid;
            }
            b = lo;
        }
    }
    return u_bin_flip[a] != 0 ? n - 1 - b : b;
}
