#!/usr/bin/python3
"""Generates src/look/colormap_data.c and src/look/colormap_data.h.

Run from anywhere (Debian 12 needs: apt-get install python3-matplotlib):

    /usr/bin/python3 assets/colormaps/gen_colormaps.py

The explicit /usr/bin/python3 matters where a pyenv or venv python3 comes first
on PATH and lacks matplotlib. The output is deterministic; commit both files.

Tables:
  viridis, inferno, magma, plasma: taken from matplotlib's 256-entry listed
      colormaps. Designed by Nathaniel J. Smith and Stefan van der Walt
      (viridis together with Eric Firing); released under CC0 (public domain),
      https://bids.github.io/colormap/
  cividis: taken from matplotlib. Designed by Jamie R. Nunez, Christopher R.
      Anderton and Ryan S. Renslow, "Optimizing colormaps with consideration for
      color vision deficiency to enable accurate interpretation of scientific
      data", PLOS ONE 13(7): e0199239 (2018); the authors released the table
      under CC0 (the paper's supplementary file S2).
  fire: vastplot's own ramp, computed below (black -> dark red -> red ->
      orange -> yellow -> near-white). Inspired by datashader/colorcet "fire",
      but no values are taken from it.
The gray ramp is computed at run time (i -> i,i,i) and needs no table.
"""

import math
import os
import sys

try:
    import matplotlib
    from matplotlib import colormaps
except ImportError:
    sys.exit(f"{sys.executable}: no matplotlib; run with /usr/bin/python3 "
             "(Debian package python3-matplotlib)")

N = 256
MPL_MAPS = ["viridis", "inferno", "magma", "plasma", "cividis"]

# Anchors of the fire ramp, sRGB8. Chosen by eye for warm, saturated hues with
# clearly rising lightness (L* about 0, 21, 44, 65, 87, 99).
FIRE_ANCHORS = [
    (0, 0, 0),        # black
    (100, 8, 4),      # dark red
    (205, 30, 12),    # red
    (250, 125, 22),   # orange
    (255, 212, 62),   # yellow
    (255, 252, 232),  # near-white
]


def srgb_to_linear(v):
    return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4


def linear_to_srgb(v):
    v = min(max(v, 0.0), 1.0)
    return v * 12.92 if v <= 0.0031308 else 1.055 * v ** (1 / 2.4) - 0.055


# CIE XYZ <-> linear sRGB (D65), and CIELAB with the D65 white point.
M_RGB2XYZ = [(0.4124564, 0.3575761, 0.1804375),
             (0.2126729, 0.7151522, 0.0721750),
             (0.0193339, 0.1191920, 0.9503041)]
M_XYZ2RGB = [(3.2404542, -1.5371385, -0.4985314),
             (-0.9692660, 1.8760108, 0.0415560),
             (0.0556434, -0.2040259, 1.0572252)]
WHITE = (0.95047, 1.0, 1.08883)


def matvec(m, v):
    return tuple(sum(m[r][c] * v[c] for c in range(3)) for r in range(3))


def lab_f(t):
    d = 6 / 29
    return t ** (1 / 3) if t > d ** 3 else t / (3 * d * d) + 4 / 29


def lab_finv(t):
    d = 6 / 29
    return t ** 3 if t > d else 3 * d * d * (t - 4 / 29)


def rgb8_to_lab(rgb):
    lin = [srgb_to_linear(c / 255) for c in rgb]
    xyz = matvec(M_RGB2XYZ, lin)
    fx, fy, fz = (lab_f(xyz[i] / WHITE[i]) for i in range(3))
    return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))


def lab_to_rgb8(lab):
    L, a, b = lab
    fy = (L + 16) / 116
    fx = fy + a / 500
    fz = fy - b / 200
    xyz = (WHITE[0] * lab_finv(fx), WHITE[1] * lab_finv(fy), WHITE[2] * lab_finv(fz))
    lin = matvec(M_XYZ2RGB, xyz)
    # Out-of-gamut mixtures are clipped per channel; the ramp is checked below.
    return tuple(int(math.floor(linear_to_srgb(c) * 255 + 0.5)) for c in lin)


def make_fire():
    """Interpolates the anchors in CIELAB, placing each anchor at a position
    proportional to its L*, so lightness rises (close to) linearly along the
    ramp: equal steps in level read as equal steps in brightness."""
    labs = [rgb8_to_lab(c) for c in FIRE_ANCHORS]
    lmax = labs[-1][0]
    pos = [lab[0] / lmax for lab in labs]
    out = []
    for i in range(N):
        t = i / (N - 1)
        k = 0
        while k < len(pos) - 2 and t > pos[k + 1]:
            k += 1
        u = (t - pos[k]) / (pos[k + 1] - pos[k])
        lab = tuple(labs[k][j] + u * (labs[k + 1][j] - labs[k][j]) for j in range(3))
        out.append(lab_to_rgb8(lab))
    out[0] = FIRE_ANCHORS[0]
    out[-1] = FIRE_ANCHORS[-1]
    return out


def mpl_table(name):
    cmap = colormaps[name]
    if cmap.N != N:
        sys.exit(f"{name}: matplotlib has {cmap.N} entries, expected {N}")
    rows = []
    for i in range(N):
        r, g, b, _ = cmap(i)  # an int indexes the listed colours directly
        rows.append(tuple(int(math.floor(c * 255 + 0.5)) for c in (r, g, b)))
    return rows


def check_lightness(name, rows):
    ls = [rgb8_to_lab(c)[0] for c in rows]
    for i in range(1, N):
        if ls[i] < ls[i - 1] - 0.5:
            sys.exit(f"{name}: L* falls at {i}: {ls[i - 1]:.2f} -> {ls[i]:.2f}")


def emit_table(name, rows):
    lines = [f"const uint8_t colormap_data_{name}[COLORMAP_SIZE][3] = {{"]
    for i in range(0, N, 8):
        cells = ", ".join("{%3d,%3d,%3d}" % c for c in rows[i:i + 8])
        lines.append(f"    {cells},")
    lines.append("};")
    return "\n".join(lines) + "\n"


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out_dir = os.path.join(root, "src", "look")
    tables = [(name, mpl_table(name)) for name in MPL_MAPS]
    tables.append(("fire", make_fire()))
    for name, rows in tables:
        check_lightness(name, rows)

    banner = (
        "/* GENERATED by assets/colormaps/gen_colormaps.py - do not edit; rerun the script:\n"
        " *     /usr/bin/python3 assets/colormaps/gen_colormaps.py\n"
        f" * Source: matplotlib {matplotlib.__version__} (Debian python3-matplotlib).\n"
        " *\n"
        " * viridis, inferno, magma, plasma: by Nathaniel J. Smith and Stefan van der\n"
        " * Walt (viridis with Eric Firing), CC0 / public domain,\n"
        " * https://bids.github.io/colormap/\n"
        " * cividis: by Jamie R. Nunez, Christopher R. Anderton and Ryan S. Renslow,\n"
        " * PLOS ONE 13(7): e0199239 (2018), released by its authors under CC0.\n"
        " * fire: vastplot's own ramp (CIELAB interpolation of six anchor colours,\n"
        " * lightness rising linearly); see the script. */\n"
    )
    header = (
        banner
        + "#ifndef VP_COLORMAP_DATA_H\n#define VP_COLORMAP_DATA_H\n"
        + "#include <stdint.h>\n\n#include \"look/colormap.h\"\n\n"
        + "/* RGB8 tables, index 0 = lowest level. */\n"
        + "".join(f"extern const uint8_t colormap_data_{n}[COLORMAP_SIZE][3];\n" for n, _ in tables)
        + "\n#endif\n"
    )
    source = (
        banner
        + "#include \"look/colormap_data.h\"\n\n"
        + "\n".join(emit_table(n, rows) for n, rows in tables)
    )
    with open(os.path.join(out_dir, "colormap_data.h"), "w") as f:
        f.write(header)
    with open(os.path.join(out_dir, "colormap_data.c"), "w") as f:
        f.write(source)


if __name__ == "__main__":
    main()
