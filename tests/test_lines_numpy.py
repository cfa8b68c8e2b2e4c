#!/usr/bin/env python3
"""Line density (--lines) against a reference rasterizer written here in numpy.

Each data set is written as raw records, .npy or CSV, rendered by the real
binary with --lines --save-counts (CPU engine, and the GPU engine: compute
shaders, llvmpipe here) and compared, pixel for pixel, with the rule of
src/accum/lines.h evaluated here independently:

  - a sample's extended pixel: numpy.histogram2d's bin inside the limits,
    floor((v - lo) * n / (hi - lo)) outside (at most -1 / at least n),
    flipped for reversed limits;
  - a segment visits p(t) = (x0 + q(t, dx), y0 + q(t, dy)), t = 1..N,
    N = max(|dx|, |dy|), q(t, d) = floor((2 t d + N) / (2 N)), here by
    numpy's integer floor division over every step at once (np.repeat),
    not by the incremental walk the engines use;
  - the first sample of a series, and the first after a break, adds its own
    pixel; breaks: non-finite records, text '>' lines, file ends,
    --break-gap.

Data: random walks (many short segments), a series whose every segment
crosses hundreds of pixels, reversed limits, points outside the view, NaN
breaks (also at chunk boundaries: chunks are 32768 records), two files,
--break-gap, CSV with '>' lines. With --normalize lines the reference shares
2^24 units per series per pixel column by largest remainders; every column
of every series must sum to exactly 2^24.

usage: test_lines_numpy.py VASTPLOT_BINARY SCRATCH_DIR
Exit 77 (skipped) when numpy is not installed (Debian: python3-numpy).
"""
import os
import subprocess
import sys

from numpy_harness import start

np, BIN, TMP, ENV = start()
ENV["VASTPLOT_CACHE_DIR"] = os.path.join(TMP, "cache")

rng = np.random.default_rng(20261203)
failures = []
checked = 0
UNIT = 1 << 24
CHUNK = 32768


def coord(v, lo, hi, n):
    """Rule 1 on one axis (lo < hi): the extended pixel, unflipped."""
    edges = np.linspace(lo, hi, n + 1)
    b = np.searchsorted(edges, v, side="right") - 1
    b = np.where(v == hi, n - 1, b)
    inside = (v >= lo) & (v <= hi)
    g = (v - lo) * (float(n) / (hi - lo))
    with np.errstate(invalid="ignore"):
        out = np.where(v < lo, np.minimum(np.floor(g), -1), np.maximum(np.floor(g), n))
    return np.where(inside, b, out).astype(np.int64)


def pixels(x, y, lim, size):
    W, H = size
    x0, x1, y0, y1 = lim
    cx = coord(x, min(x0, x1), max(x0, x1), W)
    cy = coord(y, min(y0, y1), max(y0, y1), H)
    if x0 > x1:
        cx = W - 1 - cx
    if y0 > y1:
        cy = H - 1 - cy
    return cx, cy


def add_pixels(grid, px, py, size):
    W, H = size
    ok = (px >= 0) & (px < W) & (py >= 0) & (py < H)
    np.add.at(grid, (H - 1 - py[ok], px[ok]), 1)


def series_grid(x, y, lim, size, gap=0.0):
    """One series (finite samples and NaN breaks, in order) by the rule."""
    W, H = size
    grid = np.zeros((H, W), np.uint64)
    fin = np.isfinite(x) & np.isfinite(y)
    idx = np.nonzero(fin)[0]
    if idx.size == 0:
        return grid
    xs, ys = x[idx], y[idx]
    cx, cy = pixels(xs, ys, lim, size)
    # a break before point j: a skipped record between j-1 and j, or a gap
    brk = np.ones(idx.size, bool)
    brk[1:] = idx[1:] != idx[:-1] + 1
    if gap > 0:
        brk[1:] |= np.abs(xs[1:] - xs[:-1]) > gap
    add_pixels(grid, cx[brk], cy[brk], size)
    seg = np.nonzero(~brk)[0]  # segment from point j-1 to point j
    x0, y0, x1, y1 = cx[seg - 1], cy[seg - 1], cx[seg], cy[seg]
    dx, dy = x1 - x0, y1 - y0
    N = np.maximum(np.abs(dx), np.abs(dy))
    keep = N > 0
    x0, y0, dx, dy, N = x0[keep], y0[keep], dx[keep], dy[keep], N[keep]
    # every step of every segment at once: t = 1..N
    rep = np.repeat(np.arange(N.size), N)
    start = np.cumsum(N) - N
    t = np.arange(rep.size) - start[rep] + 1
    Nr = N[rep]
    px = x0[rep] + (2 * t * dx[rep] + Nr) // (2 * Nr)
    py = y0[rep] + (2 * t * dy[rep] + Nr) // (2 * Nr)
    add_pixels(grid, px, py, size)
    return grid


def normalize(grids):
    """DenseLines: 2^24 units per series per column, largest remainders."""
    H, W = grids[0].shape
    acc = np.zeros((H, W), np.uint64)
    for g in grids:
        c = g.astype(object)  # exact integers
        for col in range(W):
            S = int(sum(c[:, col]))
            if S == 0:
                continue
            rows = [r for r in range(H) if c[r, col]]
            base = {r: (int(c[r, col]) * UNIT) // S for r in rows}
            rem = {r: (int(c[r, col]) * UNIT) % S for r in rows}
            left = UNIT - sum(base.values())
            # rows are stored bottom first in the engines: the lower row is the
            # larger index here (row 0 = the top)
            order = sorted(rows, key=lambda r: (-rem[r], H - 1 - r))
            for r in rows:
                acc[r, col] += base[r]
            for r in order[:left]:
                acc[r, col] += 1
    return acc


def render(inputs, lim, size, extra, engine):
    out = os.path.join(TMP, "out.png")
    cnt = os.path.join(TMP, "counts.npy")
    cmd = [BIN, "render", *inputs, "--lines", "-o", out, "--save-counts", cnt, "--quiet",
           "--size", "%dx%d" % size, "--xlim", repr(lim[0]), repr(lim[1]),
           "--ylim", repr(lim[2]), repr(lim[3]), "--accumulate", engine] + extra
    r = subprocess.run(cmd, env=ENV, capture_output=True, text=True)
    if r.returncode != 0:
        return None, r.stderr.strip()
    return np.load(cnt), ""


def check(name, inputs, lim, size, ref, extra=(), engines=("cpu", "gpu")):
    global checked
    for eng in engines:
        got, msg = render(inputs, lim, size, list(extra), eng)
        checked += 1
        if got is None:
            if eng == "gpu" and ("GL" in msg or "compute" in msg):
                print("  %s [%s]: skipped (%s)" % (name, eng, msg))
                continue
            failures.append("%s [%s]: render failed: %s" % (name, eng, msg))
            continue
        if got.shape != ref.shape or not np.array_equal(got, ref):
            diff = np.argwhere(got != ref) if got.shape == ref.shape else []
            failures.append("%s [%s]: %d pixels differ (first %s: got %s want %s), sums %d vs %d"
                            % (name, eng, len(diff), diff[0].tolist() if len(diff) else "-",
                               got[tuple(diff[0])] if len(diff) else "-",
                               ref[tuple(diff[0])] if len(diff) else "-",
                               int(got.sum()), int(ref.sum())))
        else:
            print("  %s [%s]: equal (%d pixel steps)" % (name, eng, int(ref.sum())))


def raw(name, x, y):
    p = os.path.join(TMP, name)
    np.stack([x, y], 1).astype(np.float32).tofile(p)
    return p


def f32(a):
    return np.asarray(a, np.float32).astype(np.float64)


# 1. random walk: many short segments, some leaving the view
n = 200_000
x = f32(np.arange(n))
y = f32(np.cumsum(rng.standard_normal(n)))
p = raw("walk.f32", x, y)
lim = (0.0, float(n - 1), float(y.min()) * 0.8, float(y.max()) * 0.8)
check("random walk", [p], lim, (640, 360), series_grid(x, y, lim, (640, 360)))
big = (2400, 2000)  # past 4M pixels: the CPU engine's shared grid (atomic adds)
check("random walk, 4.8M pixels", [p], lim, big, series_grid(x, y, lim, big), engines=("cpu",))
check("random walk, one thread", [p], lim, (640, 360), series_grid(x, y, lim, (640, 360)),
      extra=("--threads", "1"), engines=("cpu",))
lim_r = (lim[1], lim[0], lim[3], lim[2])
check("random walk, reversed limits", [p], lim_r, (500, 300), series_grid(x, y, lim_r, (500, 300)))

# 2. every segment crosses hundreds of pixels, ends far outside the view too
m = 3000
xs = f32(rng.uniform(-1.5, 1.5, m))
ys = f32(rng.uniform(-1.5, 1.5, m))
xs[::97] = 30.0  # 5800 pixels out: walked, not cut (rule 2 cuts past 2^20)
p = raw("long.f32", xs, ys)
lim = (-1.0, 1.0, -1.0, 1.0)
check("long segments", [p], lim, (400, 400), series_grid(xs, ys, lim, (400, 400)))

# 3. NaN breaks, also at chunk boundaries and in runs
n = 3 * CHUNK + 500
x = f32(np.arange(n))
y = f32(np.sin(np.arange(n) / 900.0) * 100 + rng.standard_normal(n))
for i in (0, 5, 6, 7, CHUNK - 1, CHUNK, 2 * CHUNK, 2 * CHUNK + 1, n - 1):
    y[i] = np.nan
y[CHUNK + 100:CHUNK + 3000] = np.nan
p = raw("nan.f32", x, y)
lim = (0.0, float(n), -120.0, 120.0)
check("NaN breaks", [p], lim, (700, 300), series_grid(x, y, lim, (700, 300)))

# 4. two files: a break between them, and --break-gap
x1 = f32(np.arange(5000))
y1 = f32(np.cumsum(rng.standard_normal(5000)))
x2 = f32(np.arange(5000) + 4000.0)
y2 = f32(np.cumsum(rng.standard_normal(5000)) + 10)
pa, pb = raw("a.f32", x1, y1), raw("b.f32", x2, y2)
lim = (0.0, 9000.0, -100.0, 100.0)
ref = series_grid(x1, y1, lim, (600, 300)) + series_grid(x2, y2, lim, (600, 300))
check("two files", [pa, pb], lim, (600, 300), ref)
xg = x1.copy()
xg[2500:] += 50  # a jump of 51 in x: broken with --break-gap 10, joined without
pg = raw("gap.f32", xg, y1)
lim = (0.0, 5100.0, -100.0, 100.0)
check("--break-gap", [pg], lim, (500, 250), series_grid(xg, y1, lim, (500, 250), gap=10.0),
      extra=("--break-gap", "10"))
check("no --break-gap", [pg], lim, (500, 250), series_grid(xg, y1, lim, (500, 250)))

# 5. CSV with '>' segment lines (GMT): each segment a series of its own
csv = os.path.join(TMP, "seg.csv")
parts = []
with open(csv, "w") as f:
    f.write("t,v\n")
    t0 = 0
    for k in range(4):
        t = np.arange(t0, t0 + 3000, dtype=np.float64)
        v = np.cumsum(rng.standard_normal(3000)).round(3)
        for a, b in zip(t, v):
            f.write("%d,%.3f\n" % (a, b))
        f.write(">\n")
        parts.append((t, v))
        t0 += 2990  # overlapping: a join would show
lim = (0.0, 12000.0, -80.0, 80.0)
ref = sum(series_grid(t, v, lim, (600, 300)) for t, v in parts)
check("CSV '>' breaks", [csv], lim, (600, 300), ref)

# 6. DenseLines normalization: three series of very different busyness
size = (120, 60)
sers = []
for k, amp in enumerate((1.0, 20.0, 0.2)):
    n = 4000 + 1000 * k
    x = f32(np.linspace(0, 100, n))
    y = f32(np.cumsum(rng.standard_normal(n)) * amp / 10)
    sers.append((x, y, raw("s%d.f32" % k, x, y)))
lim = (0.0, 100.0, -8.0, 8.0)
grids = [series_grid(x, y, lim, size) for x, y, _ in sers]
ref = normalize(grids)
for g in grids:  # each series' weight in each column it crosses: exactly 1
    sh = normalize([g])
    cols = g.sum(axis=0) > 0
    if not np.all(sh.sum(axis=0)[cols] == UNIT) or np.any(sh.sum(axis=0)[~cols]):
        failures.append("reference normalization does not sum to 2^24 per column")
check("--normalize lines", [s[2] for s in sers], lim, size, ref, extra=("--normalize", "lines"))
got, msg = render([s[2] for s in sers], lim, size, ["--normalize", "lines"], "cpu")
if got is not None:
    touching = sum((g.sum(axis=0) > 0).astype(np.uint64) for g in grids)
    checked += 1
    if not np.array_equal(got.sum(axis=0), touching * UNIT):
        failures.append("--normalize lines: column sums are not 2^24 x the series crossing them")
    else:
        print("  --normalize lines: every column sums to 2^24 x its series")

print("%d comparisons" % checked)
if failures:
    print("FAILED:\n  " + "\n  ".join(failures))
    sys.exit(1)
print("all equal")
