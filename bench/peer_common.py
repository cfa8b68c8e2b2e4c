"""Shared by the peer scripts: load the samples, and write counts as a PNG.

Kept to numpy + PIL (no matplotlib import) so the histogram peers pay only
for what a minimal script of their own would pay for.
"""
import sys

import numpy as np

WIDTH, HEIGHT = 1920, 1080

# matplotlib's "inferno" sampled at 17 stops; interpolated to a 256-entry LUT.
_INFERNO = np.array([
    (0.0015, 0.0005, 0.0139), (0.0423, 0.0281, 0.1411), (0.1293, 0.0473, 0.2908),
    (0.2383, 0.0366, 0.3964), (0.3415, 0.0623, 0.4294), (0.4412, 0.0993, 0.4316),
    (0.5409, 0.1347, 0.4151), (0.6401, 0.1714, 0.3811), (0.7357, 0.2159, 0.3302),
    (0.8224, 0.2752, 0.2661), (0.8943, 0.3534, 0.1936), (0.9470, 0.4492, 0.1153),
    (0.9784, 0.5579, 0.0349), (0.9879, 0.6753, 0.0653), (0.9746, 0.7977, 0.2063),
    (0.9476, 0.9174, 0.4107), (0.9884, 0.9984, 0.6449),
])


def args():
    if len(sys.argv) != 3:
        sys.exit("usage: %s INPUT.f32 OUTPUT.png" % sys.argv[0])
    return sys.argv[1], sys.argv[2]


def load_xy(path):
    """The whole file in memory as (x, y) strided views, like a user would."""
    a = np.fromfile(path, dtype="<f4").reshape(-1, 2)
    return a[:, 0], a[:, 1]


def bounds(x, y):
    return (float(x.min()), float(x.max())), (float(y.min()), float(y.max()))


def counts_to_png(counts, path):
    """counts: (HEIGHT, WIDTH), row 0 = smallest y. Log scale, inferno, black
    where empty, row 0 of the picture = top."""
    t = np.linspace(0.0, 1.0, len(_INFERNO))
    grid = np.linspace(0.0, 1.0, 256)
    lut = np.stack([np.interp(grid, t, _INFERNO[:, c]) for c in range(3)], axis=1)
    lut = (lut * 255.0 + 0.5).astype(np.uint8)

    c = np.asarray(counts, dtype=np.float64)
    peak = c.max()
    scaled = np.log1p(c) / np.log1p(peak) if peak > 0 else c
    idx = (scaled * 255.0).astype(np.uint8)
    rgb = lut[idx]
    rgb[c == 0] = 0
    rgb = np.ascontiguousarray(rgb[::-1])

    from PIL import Image
    Image.fromarray(rgb, "RGB").save(path)
