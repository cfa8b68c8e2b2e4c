#!/usr/bin/python3
"""Write N (x, y) float32 little-endian samples, interleaved, to a raw file.

usage: gen_data.py N OUT.f32

The data is a correlated Gaussian mixture (a few clusters of different
weight, size and orientation, one long thin ridge) plus a sparse uniform
background, so the picture has both dense cores and faint structure.
It is generated in chunks of 10^7 samples, so memory stays ~250 MB whatever
N is, and written to OUT.f32.tmp, then renamed: an interrupted run never
leaves a truncated file that a later run would take for a cached one.
The seed depends only on N, so the same N always gives the same file.
"""
import os
import sys

import numpy as np

CHUNK = 10_000_000

# weight, mean (x, y), std (x, y), correlation
CLUSTERS = [
    (0.34, (0.0, 0.0), (1.00, 0.60), 0.55),
    (0.22, (3.5, 2.0), (0.45, 0.45), 0.00),
    (0.16, (-3.0, 2.5), (0.30, 0.90), -0.40),
    (0.14, (1.0, -3.0), (2.50, 0.12), 0.15),   # long thin ridge
    (0.08, (-2.5, -2.0), (0.15, 0.15), 0.00),  # small, very dense core
]
BACKGROUND = 1.0 - sum(c[0] for c in CLUSTERS)   # uniform over the box below
BOX = (-7.0, 7.0, -6.0, 6.0)


def make_chunk(rng, n):
    weights = [c[0] for c in CLUSTERS] + [BACKGROUND]
    component = rng.choice(len(weights), size=n, p=weights)
    out = np.empty((n, 2), dtype=np.float64)
    for k, (_, mean, std, rho) in enumerate(CLUSTERS):
        idx = np.flatnonzero(component == k)
        cov = np.array([[std[0] ** 2, rho * std[0] * std[1]],
                        [rho * std[0] * std[1], std[1] ** 2]])
        chol = np.linalg.cholesky(cov)
        z = rng.standard_normal((idx.size, 2))
        out[idx] = z @ chol.T + np.asarray(mean)
    idx = np.flatnonzero(component == len(CLUSTERS))
    out[idx, 0] = rng.uniform(BOX[0], BOX[1], idx.size)
    out[idx, 1] = rng.uniform(BOX[2], BOX[3], idx.size)
    return out.astype("<f4")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    n = int(float(sys.argv[1]))
    path = sys.argv[2]
    tmp = path + ".tmp"
    rng = np.random.default_rng(20240601 + n)
    with open(tmp, "wb") as f:
        done = 0
        while done < n:
            m = min(CHUNK, n - done)
            make_chunk(rng, m).tofile(f)
            done += m
    if os.path.getsize(tmp) != n * 8:
        sys.exit("gen_data.py: short write to %s" % tmp)
    os.replace(tmp, path)


if __name__ == "__main__":
    main()
