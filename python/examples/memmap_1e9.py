#!/usr/bin/env python3
"""10^9 (x, y) float32 pairs (8 GB) in a memmap: histogram2d and a picture.

    VASTPLOT_LIBRARY=build/libvastplot.so PYTHONPATH=python \\
        python3 python/examples/memmap_1e9.py [FILE] [--pairs N]

The file is written in chunks when missing (a few minutes; 8 GB of disk),
then read in place: neither numpy nor vastplot loads it into memory (the
page cache holds what fits). numpy.histogram2d on the same data would need
tens of GB of temporaries.
"""
import argparse
import os
import sys
import time

import numpy as np

import vastplot

CHUNK = 10_000_000


def write(path, pairs, seed=1):
    """A Clifford-like attractor plus noise, written CHUNK pairs at a time."""
    rng = np.random.default_rng(seed)
    tmp = path + ".part"
    with open(tmp, "wb") as f:
        for i in range(0, pairs, CHUNK):
            n = min(CHUNK, pairs - i)
            t = rng.uniform(0, 2 * np.pi, n)
            r = 1 + 0.3 * np.sin(5 * t) + rng.normal(0, 0.05, n)
            d = np.empty((n, 2), np.float32)
            d[:, 0] = r * np.cos(t)
            d[:, 1] = r * np.sin(t) + 0.2 * np.sin(3 * d[:, 0])
            d.tofile(f)
            print(f"\rwriting {path}: {i + n:,} / {pairs:,}", end="", file=sys.stderr)
    os.replace(tmp, path)
    print(file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file", nargs="?", default="pairs_1e9.f32")
    ap.add_argument("--pairs", type=int, default=10**9)
    ap.add_argument("-o", "--output", default="memmap_1e9.png")
    args = ap.parse_args()
    if not os.path.exists(args.file) or os.path.getsize(args.file) != args.pairs * 8:
        write(args.file, args.pairs)
    mm = np.memmap(args.file, dtype=np.float32, mode="r").reshape(-1, 2)
    x, y = mm[:, 0], mm[:, 1]  # strided views: nothing copied

    t = time.perf_counter()
    H, xe, ye = vastplot.histogram2d(x, y, bins=[1000, 800], range=[[-1.6, 1.6], [-1.6, 1.6]])
    print(f"histogram2d of {len(x):,} pairs: {time.perf_counter() - t:.2f} s, {int(H.sum()):,} counted")

    t = time.perf_counter()
    try:
        img = vastplot.render(x, y, width=1600, height=1200, cmap="inferno", tonemap="eq-hist", overlay=True)
    except vastplot.VastplotError as e:  # no OpenGL here: a matplotlib picture of the counts instead
        print(f"render: {e}; drawing H with matplotlib", file=sys.stderr)
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.colors import LogNorm
        fig, ax = plt.subplots(figsize=(8, 6))
        im = ax.imshow(H.T, origin="lower", extent=(xe[0], xe[-1], ye[0], ye[-1]), norm=LogNorm(),
                       cmap="inferno", interpolation="nearest")
        fig.colorbar(im, label="samples per bin")
        fig.savefig(args.output, dpi=150)
    else:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        plt.imsave(args.output, img)
    print(f"picture: {time.perf_counter() - t:.2f} s -> {args.output}")


if __name__ == "__main__":
    main()
