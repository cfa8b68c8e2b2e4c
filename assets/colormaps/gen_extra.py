#!/usr/bin/python3
"""Generates src/look/colormap_extra.c and src/look/colormap_extra.h: the
diverging colormaps and the category palette. Pure Python (math only):

    python3 assets/colormaps/gen_extra.py

The output is deterministic; commit both files. The tables are committed
rather than computed at start-up so that a picture is the same on every
machine, whatever its libm does in the last bit.

Diverging maps (Kenneth Moreland, "Diverging Color Maps for Scientific
Visualization", ISVC 2009): the two end colours go to CIELAB (D65) and then
to Msh (M = |Lab|, s = acos(L / M), h = atan2(b, a)); between two saturated
ends of distant hue a neutral point (s = 0, M = max(M1, M2, M_mid)) is put in
the middle; from a saturated to a neutral colour the hue is spun as the paper
says (so the path keeps its perceived hue as it loses saturation); M, s and h
are interpolated linearly and the result goes back to sRGB. Entry i is the
interpolation at i / 255, so entries 0 and 255 are the end colours.
  coolwarm: the paper's own ends, sRGB (0.230, 0.299, 0.754) and
      (0.706, 0.016, 0.150), M_mid = 88 (the paper's choice).
  rdbu, piyg: vastplot's own end colours (a dark red and a dark blue; a
      magenta-pink and a green), made the same way with M_mid = 97, so that
      the centre is near white as in the familiar print maps of those names.

Category palette: 64 colours. The first 16 were chosen by hand (hues spread
around the wheel, then lightness and saturation varied), then nudged by a
small search for a larger smallest CIEDE2000 difference and rounded; among
them no two are closer than DE00 = 24. The other 48 step the OKLCH hue by
the golden angle (137.508 degrees) through five lightness levels in turn and
two chroma levels (lowered where the colour would leave sRGB), skipping a
candidate closer than DE00 = 10 to one already taken: no two of the 64 are
closer than that.
"""

import math
import os

N = 256
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# ---- colour spaces ----------------------------------------------------------


def srgb_to_linear(v):
    return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4


def linear_to_srgb(v):
    return v * 12.92 if v <= 0.0031308 else 1.055 * v ** (1 / 2.4) - 0.055


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


def rgb_to_lab(rgb):  # rgb in 0..1
    xyz = matvec(M_RGB2XYZ, [srgb_to_linear(c) for c in rgb])
    fx, fy, fz = (lab_f(xyz[i] / WHITE[i]) for i in range(3))
    return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))


def lab_to_rgb(lab):  # 0..1, unclamped
    L, a, b = lab
    fy = (L + 16) / 116
    xyz = (WHITE[0] * lab_finv(fy + a / 500), WHITE[1] * lab_finv(fy), WHITE[2] * lab_finv(fy - b / 200))
    return tuple(linear_to_srgb(c) if c > 0 else c * 12.92 for c in matvec(M_XYZ2RGB, xyz))


def to8(rgb, stats=None):
    out = []
    for c in rgb:
        if stats is not None:
            stats[0] = max(stats[0], -c, c - 1.0)
        out.append(int(math.floor(min(max(c, 0.0), 1.0) * 255 + 0.5)))
    return tuple(out)


# ---- Moreland's Msh interpolation ---------------------------------------------


def lab_to_msh(lab):
    L, a, b = lab
    M = math.sqrt(L * L + a * a + b * b)
    s = math.acos(L / M) if M > 0 else 0.0
    return (M, s, math.atan2(b, a))


def msh_to_lab(msh):
    M, s, h = msh
    return (M * math.cos(s), M * math.sin(s) * math.cos(h), M * math.sin(s) * math.sin(h))


def adjust_hue(sat, m_unsat):
    """The hue a neutral colour of magnitude m_unsat gets next to sat."""
    M, s, h = sat
    if M >= m_unsat:
        return h
    spin = s * math.sqrt(m_unsat * m_unsat - M * M) / (M * math.sin(s))
    return h + spin if h > -math.pi / 3 else h - spin


def msh_interp(c1, c2, x, m_mid):
    (M1, s1, h1), (M2, s2, h2) = c1, c2
    if s1 > 0.05 and s2 > 0.05 and abs(h1 - h2) > math.pi / 3:
        mid = max(M1, M2, m_mid)
        if x < 0.5:
            M2, s2, h2 = mid, 0.0, 0.0
            x = 2 * x
        else:
            M1, s1, h1 = mid, 0.0, 0.0
            x = 2 * x - 1
    if s1 < 0.05 and s2 > 0.05:
        h1 = adjust_hue((M2, s2, h2), M1)
    elif s2 < 0.05 and s1 > 0.05:
        h2 = adjust_hue((M1, s1, h1), M2)
    return ((1 - x) * M1 + x * M2, (1 - x) * s1 + x * s2, (1 - x) * h1 + x * h2)


DIVERGING = [
    # name, low end, high end (sRGB 0..1), M of the neutral centre
    ("coolwarm", (0.230, 0.299, 0.754), (0.706, 0.016, 0.150), 88.0),
    ("rdbu", (165 / 255, 25 / 255, 45 / 255), (35 / 255, 95 / 255, 165 / 255), 97.0),
    ("piyg", (160 / 255, 30 / 255, 90 / 255), (45 / 255, 115 / 255, 35 / 255), 97.0),
]


def diverging_table(lo, hi, m_mid):
    a, b = lab_to_msh(rgb_to_lab(lo)), lab_to_msh(rgb_to_lab(hi))
    stats = [0.0]
    table = [to8(lab_to_rgb(msh_to_lab(msh_interp(a, b, i / (N - 1), m_mid))), stats) for i in range(N)]
    return table, stats[0]


# ---- the category palette -----------------------------------------------------------

HAND_PICKED = [
    (5, 120, 230),    # blue
    (255, 160, 25),   # orange
    (10, 125, 95),    # green
    (225, 15, 55),    # red
    (135, 45, 155),   # purple
    (135, 80, 15),    # brown
    (240, 100, 220),  # pink
    (128, 128, 128),  # gray
    (140, 140, 15),   # olive
    (25, 220, 235),   # cyan
    (190, 200, 250),  # lavender
    (255, 165, 160),  # salmon
    (115, 240, 155),  # mint
    (5, 50, 75),      # dark teal
    (85, 5, 25),      # maroon
    (255, 245, 5),    # yellow
]
N_CATEGORIES = 64


def oklab_to_linear(L, a, b):
    # Bjorn Ottosson's OKLab (2020), its published inverse matrices
    l_ = L + 0.3963377774 * a + 0.2158037573 * b
    m_ = L - 0.1055613458 * a - 0.0638541728 * b
    s_ = L - 0.0894841775 * a - 1.2914855480 * b
    l, m, s = l_ ** 3, m_ ** 3, s_ ** 3
    return (4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s,
            -1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s,
            -0.0041960863 * l - 0.7034186147 * m + 1.7076147010 * s)


def de2000(lab1, lab2):
    """CIEDE2000 colour difference (Sharma, Wu and Dalal 2005)."""
    (L1, a1, b1), (L2, a2, b2) = lab1, lab2
    cbar7 = ((math.hypot(a1, b1) + math.hypot(a2, b2)) / 2) ** 7
    g = 0.5 * (1 - math.sqrt(cbar7 / (cbar7 + 25.0 ** 7)))
    a1, a2 = (1 + g) * a1, (1 + g) * a2
    c1, c2 = math.hypot(a1, b1), math.hypot(a2, b2)
    h1 = math.degrees(math.atan2(b1, a1)) % 360 if c1 else 0.0
    h2 = math.degrees(math.atan2(b2, a2)) % 360 if c2 else 0.0
    dh = 0.0 if c1 * c2 == 0 else (h2 - h1 + 180) % 360 - 180
    dH = 2 * math.sqrt(c1 * c2) * math.sin(math.radians(dh / 2))
    lbar, cbar = (L1 + L2) / 2, (c1 + c2) / 2
    if c1 * c2 == 0:
        hbar = h1 + h2
    elif abs(h1 - h2) <= 180:
        hbar = (h1 + h2) / 2
    else:
        hbar = (h1 + h2 + 360) / 2 if h1 + h2 < 360 else (h1 + h2 - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(hbar - 30)) + 0.24 * math.cos(math.radians(2 * hbar)) +
         0.32 * math.cos(math.radians(3 * hbar + 6)) - 0.20 * math.cos(math.radians(4 * hbar - 63)))
    sl = 1 + 0.015 * (lbar - 50) ** 2 / math.sqrt(20 + (lbar - 50) ** 2)
    sc, sh = 1 + 0.045 * cbar, 1 + 0.015 * cbar * t
    rc = 2 * math.sqrt(cbar ** 7 / (cbar ** 7 + 25.0 ** 7))
    rt = -math.sin(math.radians(60 * math.exp(-((hbar - 275) / 25) ** 2))) * rc
    dl, dc, dhs = (L2 - L1) / sl, (c2 - c1) / sc, dH / sh
    return math.sqrt(dl * dl + dc * dc + dhs * dhs + rt * dc * dhs)


GEN_LIGHTNESS = (0.82, 0.46, 0.70, 0.58, 0.36)  # OKLab L, in turn
GEN_CHROMA = (0.16, 0.09)                     # the first round of lightness, then the next
GEN_MIN_DE = 10.0                             # a candidate closer than this to one taken is skipped


def generated_color(k):
    hue = math.radians((30.0 + k * 137.50776405) % 360.0)
    L = GEN_LIGHTNESS[k % len(GEN_LIGHTNESS)]
    C = GEN_CHROMA[(k // len(GEN_LIGHTNESS)) % len(GEN_CHROMA)]
    while True:
        lin = oklab_to_linear(L, C * math.cos(hue), C * math.sin(hue))
        if all(-1e-9 <= c <= 1 + 1e-9 for c in lin) or C <= 0:
            break
        C -= 0.005
    return to8([linear_to_srgb(min(max(c, 0.0), 1.0)) for c in lin])


def lab8(c):
    return rgb_to_lab([v / 255 for v in c])


def palette():
    pal = list(HAND_PICKED)
    k = 0
    while len(pal) < N_CATEGORIES:
        c = generated_color(k)
        k += 1
        if min(de2000(lab8(c), lab8(p)) for p in pal) >= GEN_MIN_DE:
            pal.append(c)
    first = min(de2000(lab8(pal[i]), lab8(pal[j])) for i in range(16) for j in range(i))
    every = min(de2000(lab8(pal[i]), lab8(pal[j])) for i in range(len(pal)) for j in range(i))
    print(f"palette: {k} candidates for {len(pal) - 16}; smallest DE00 {first:.2f} among the first 16, "
          f"{every:.2f} among all")
    return pal


# ---- output ------------------------------------------------------------------------

HEADER_NOTE = (
    "/* GENERATED by assets/colormaps/gen_extra.py - do not edit; rerun the script:\n"
    " *     python3 assets/colormaps/gen_extra.py\n"
    " * Diverging maps by Moreland's Msh interpolation (coolwarm with the ends of\n"
    " * his paper, rdbu and piyg with vastplot's own ends); the category palette:\n"
    " * 16 colours picked by hand, 48 by golden-angle OKLCH hue steps. See the\n"
    " * script. */\n")


def c_table(name, rows, n):
    out = [f"const uint8_t {name}[{n}][3] = {{\n"]
    for i in range(0, len(rows), 8):
        out.append("    " + " ".join("{%3d,%3d,%3d}," % r for r in rows[i:i + 8]) + "\n")
    out.append("};\n")
    return "".join(out)


def main():
    h = [HEADER_NOTE,
         "#ifndef VP_COLORMAP_EXTRA_H\n#define VP_COLORMAP_EXTRA_H\n#include <stdint.h>\n\n",
         "#include \"look/colormap.h\"\n\n",
         "/* RGB8 tables, index 0 = the low end. */\n"]
    c = [HEADER_NOTE, "#include \"look/colormap_extra.h\"\n"]
    for name, lo, hi, m_mid in DIVERGING:
        table, clip = diverging_table(lo, hi, m_mid)
        if clip > 0.01:
            raise SystemExit(f"{name}: the path leaves sRGB by {clip:.3f}; choose other ends")
        h.append(f"extern const uint8_t colormap_data_{name}[COLORMAP_SIZE][3];\n")
        c.append("\n" + c_table(f"colormap_data_{name}", table, "COLORMAP_SIZE"))
        print(f"{name}: {table[0]} .. {table[127]} {table[128]} .. {table[255]}, "
              f"largest clip {clip:.4f}")
    h.append("/* The category palette, most distinct first. */\n"
             f"extern const uint8_t category_palette[{N_CATEGORIES}][3];\n\n#endif\n")
    c.append("\n" + c_table("category_palette", palette(), N_CATEGORIES))
    for path, text in (("src/look/colormap_extra.h", h), ("src/look/colormap_extra.c", c)):
        with open(os.path.join(ROOT, path), "w") as f:
            f.write("".join(text))
        print("wrote", path)


if __name__ == "__main__":
    main()
