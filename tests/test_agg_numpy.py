#!/usr/bin/env python3
"""Value reductions and categories against numpy: a property test.

Random data sets with a third column (NaN in it, empty pixels, more than 2^24
samples in one pixel, values far from zero, negative zeros) are written as raw
records, .npy, CSV, standard input and a followed file, rendered by the real
binary with --value COL --agg K (or --by COL) --save-grid on the CPU and the
GPU engine (compute shaders; llvmpipe here), and compared with a numpy
reference computed here: numpy.histogram2d's binning rule (np.linspace edges,
searchsorted 'right', the closing edge), np.bincount with weights for sums,
np.minimum.at / np.maximum.at, a two-pass per-pixel variance. count, min and
max must be bit-equal; sum, mean, std and var within the bound docs/internals.md
states for the fixed point (q/2 per value, q = 2^(e-40), R < 2^e the value
range's half width) plus numpy's own float64 rounding. The two engines must
give bit-equal grids for every reduction.

usage: test_agg_numpy.py VASTPLOT_BINARY SCRATCH_DIR
Exit 77 (skipped) when numpy is not installed (Debian: python3-numpy).
"""
import json
import math
import os
import subprocess
import sys

from numpy_harness import start

np, BIN, TMP, ENV = start()
ENV["VASTPLOT_CACHE_DIR"] = os.path.join(TMP, "cache")

rng = np.random.default_rng(20261203)
failures = []
checked = 0
KINDS = ("count", "sum", "mean", "min", "max", "std", "var")


def bins(v, lo, hi, n):
    """numpy.histogram2d's pixel of each value (-1 outside), lo < hi."""
    edges = np.linspace(lo, hi, n + 1)
    b = np.searchsorted(edges, v, side="right") - 1
    b = np.where(v == hi, n - 1, b)
    return np.where((v >= lo) & (v <= hi), b, -1)


def pixel_index(x, y, lim, size):
    """Index in vastplot's saved layout: row 0 the top row, (H, W)."""
    W, H = size
    x0, x1, y0, y1 = lim
    bx = bins(x, min(x0, x1), max(x0, x1), W)
    by = bins(y, min(y0, y1), max(y0, y1), H)
    if x0 > x1:
        bx = np.where(bx >= 0, W - 1 - bx, -1)
    if y0 > y1:
        by = np.where(by >= 0, H - 1 - by, -1)
    ok = (bx >= 0) & (by >= 0)
    row = H - 1 - by
    return np.where(ok, row * W + bx, -1)


def fixed_quantum(wlo, whi):
    c = wlo + (whi - wlo) / 2
    r = max(whi - c, c - wlo)
    e = math.frexp(r)[1] if r > 0 else 0
    return math.ldexp(1.0, e - 40)


def expect(x, y, w, lim, size, kind):
    W, H = size
    fin = np.isfinite(x) & np.isfinite(y) & np.isfinite(w)
    q = fixed_quantum(float(w[fin].min()), float(w[fin].max()))
    eps = (1 + 2.0 ** -12) * q / 2
    xf, yf, wf = x[fin], y[fin], w[fin]
    idx = pixel_index(xf, yf, lim, size)
    sel = idx >= 0
    idx, wf = idx[sel], wf[sel]
    P = W * H
    n = np.bincount(idx, minlength=P).astype(np.float64)
    s = np.bincount(idx, weights=wf, minlength=P)
    sabs = np.bincount(idx, weights=np.abs(wf), minlength=P)
    u = 2.0 ** -53
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = s / n
        dev = wf - mean[idx]
        m2 = np.bincount(idx, weights=dev * dev, minlength=P)
        var = m2 / n
    amax = np.zeros(P)
    np.maximum.at(amax, idx, np.abs(wf))
    if kind == "count":
        val, tol = n.copy(), np.zeros(P)
    elif kind == "sum":
        val, tol = s, n * eps + 4 * n * u * sabs
    elif kind == "mean":
        val, tol = mean, eps + 8 * n * u * amax
    elif kind == "min":
        val = np.full(P, np.inf)
        np.minimum.at(val, idx, wf)
        tol = np.zeros(P)
    elif kind == "max":
        val = np.full(P, -np.inf)
        np.maximum.at(val, idx, wf)
        tol = np.zeros(P)
    elif kind == "var":
        sd = np.sqrt(var)
        val, tol = var, 2 * sd * eps + eps * eps + 16 * n * u * amax * amax
    else:
        val, tol = np.sqrt(var), eps + 16 * n * u * amax
    val = np.where(n == 0, np.nan, val)
    return val.reshape(H, W), n.reshape(H, W), tol.reshape(H, W)


def run(args, stdin=None):
    r = subprocess.run([BIN] + args, env=ENV, capture_output=True, input=stdin)
    return r.returncode, r.stderr.decode(errors="replace").strip()


def render_grid(inputs, extra, size, engine, kind=None, stdin=None):
    out = os.path.join(TMP, "grid.npy")
    for p in (out, out + ".json"):
        if os.path.exists(p):
            os.remove(p)
    args = ["render"] + inputs + ["--size", "%dx%d" % size, "-o", os.path.join(TMP, "out.png"),
                                  "--save-grid", out, "--accumulate", engine, "--quiet"] + extra
    if kind:
        args += ["--agg", kind]
    rc, err = run(args, stdin)
    if rc != 0:
        return None, None, err
    with open(out + ".json") as f:
        side = json.load(f)
    return np.load(out), side, None


def lim_args(lim):
    return ["--xlim", repr(float(lim[0])), repr(float(lim[1])), "--ylim", repr(float(lim[2])),
            repr(float(lim[3]))]


def compare(name, got, want, tol, counts):
    global checked
    checked += 1
    if got.shape != want.shape:
        failures.append("%s: shape %s, numpy %s" % (name, got.shape, want.shape))
        return False
    gn, wn = np.isnan(got), np.isnan(want)
    if not np.array_equal(gn, wn):
        r, c = np.argwhere(gn != wn)[0]
        failures.append("%s: empty pixels differ (first at row %d col %d: %r, numpy %r, %d samples)"
                        % (name, r, c, got[r, c], want[r, c], counts[r, c]))
        return False
    m = ~wn
    d = np.abs(got[m] - want[m])
    bad = d > tol[m]
    if np.any(bad):
        k = np.argmax(d - tol[m])
        failures.append("%s: %d of %d pixels outside the bound (worst %r vs numpy %r, |diff| %.3g > %.3g)"
                        % (name, int(bad.sum()), int(m.sum()), got[m][k], want[m][k], d[k], tol[m][k]))
        return False
    zero_tol = tol[m] == 0
    if np.any(zero_tol) and not np.array_equal(got[m][zero_tol].view(np.uint64),
                                               want[m][zero_tol].view(np.uint64)):
        failures.append("%s: not bit-equal to numpy" % name)
        return False
    return True


def raw_case(name, x, y, w, lim, size=(64, 48), dtype="f32", kinds=KINDS, engines=("cpu", "gpu")):
    global checked
    npd = {"f32": "<f4", "f64": "<f8"}[dtype]
    x, y, w = (np.asarray(a).astype(npd) for a in (x, y, w))
    path = os.path.join(TMP, name + "." + dtype)
    np.stack([x, y, w], axis=1).tofile(path)
    xd, yd, wd = (a.astype(np.float64) for a in (x, y, w))
    for kind in kinds:
        want, n, tol = expect(xd, yd, wd, lim, size, kind)
        grids = {}
        for engine in engines:
            got, side, err = render_grid([path, "--dtype", dtype, "--columns", "3", "--value", "2",
                                          "--no-cache"] + lim_args(lim), [], size, engine, kind)
            if got is None:
                failures.append("%s %s [%s]: render failed: %s" % (name, kind, engine, err))
                continue
            grids[engine] = got
            if kind == "count":  # exact integers: uint64, 0 where empty
                checked += 1
                checked_ok = got.dtype == np.uint64 and np.array_equal(got, n.astype(np.uint64))
                if not checked_ok:
                    failures.append("%s count [%s]: counts differ from numpy" % (name, engine))
                else:
                    print("ok   %s count [%s] (%d samples drawn)" % (name, engine, int(n.sum())))
                continue
            if side.get("kind") != kind or side.get("dtype") != "float64":
                failures.append("%s %s [%s]: sidecar says %r" % (name, kind, engine, side))
            if compare("%s %s [%s]" % (name, kind, engine), got, want, tol, n):
                print("ok   %s %s [%s] (%d samples drawn)" % (name, kind, engine, int(n.sum())))
        if len(grids) == 2 and not np.array_equal(grids["cpu"].view(np.uint64), grids["gpu"].view(np.uint64)):
            failures.append("%s %s: the GPU grid is not bit-equal to the CPU grid" % (name, kind))
    os.remove(path)


N = 100_000
# uniform values, NaN in a tenth of the value column, a view with empty pixels
x, y = rng.random(N), rng.random(N)
w = rng.normal(size=N)
w[rng.random(N) < 0.1] = np.nan
raw_case("uniform_nan", x, y, w, (0.0, 1.5, -0.2, 1.0))
raw_case("uniform_nan_f64", x, y, w, (0.0, 1.5, -0.2, 1.0), dtype="f64")
# far from zero: a mean of 1e6 with unit spread (a naive sum of squares cancels)
raw_case("far_from_zero", rng.normal(size=N), rng.normal(size=N), 1e6 + rng.normal(size=N),
         (-3.0, 3.0, -3.0, 3.0), dtype="f64", size=(20, 10))
# negative zeros and ties for min/max; integer-valued w
wz = rng.integers(-2, 3, N).astype(np.float64)
wz[wz == 0] = np.where(rng.random(int((wz == 0).sum())) < 0.5, -0.0, 0.0)
raw_case("zeros", rng.random(N), rng.random(N), wz, (0.0, 1.0, 0.0, 1.0), dtype="f64", size=(7, 5),
         kinds=("min", "max", "sum", "mean"))
# reversed limits, values of both signs over many decades
raw_case("reversed", rng.random(N), rng.random(N), rng.normal(size=N) * 10.0 ** rng.integers(-8, 8, N),
         (1.0, 0.0, 1.0, 0.0), dtype="f64", size=(33, 17))

# a picture past 4M pixels: the CPU engine's band mode (smaller ones use private cells)
raw_case("big_picture", rng.random(N), rng.random(N), rng.normal(size=N), (0.0, 1.0, 0.0, 1.0), dtype="f64",
         size=(2100, 2000), kinds=("mean", "min", "std"), engines=("cpu",))

# more than 2^24 samples in one pixel: float32 sums would stall at 2^24
M = (1 << 24) + 4099
big = os.path.join(TMP, "big.f32")
vals = (1.0 + (np.arange(M) % 7) * 0.25).astype("<f4")
rec = np.zeros((M, 3), dtype="<f4")
rec[:, 0] = 0.5
rec[:, 1] = 0.5
rec[:, 2] = vals
rec.tofile(big)
del rec
for kind in ("count", "sum", "mean", "std"):
    want, n, tol = expect(np.full(M, 0.5), np.full(M, 0.5), vals.astype(np.float64), (0.0, 1.0, 0.0, 1.0),
                          (2, 1), kind)
    for engine in ("cpu", "gpu"):
        got, side, err = render_grid([big, "--dtype", "f32", "--columns", "3", "--value", "2", "--no-cache",
                                      "--xlim", "0", "1", "--ylim", "0", "1"], [], (2, 1), engine, kind)
        if got is None:
            failures.append("2^24+ %s [%s]: %s" % (kind, engine, err))
        elif kind == "count":
            if got[0, 1] != M or got[0, 0] != 0:
                failures.append("2^24+ count [%s]: %r, want %d" % (engine, got, M))
            else:
                print("ok   %d samples in one pixel, count [%s]" % (M, engine))
        elif compare("2^24+ samples, %s [%s]" % (kind, engine), got, want, tol, n):
            print("ok   %d samples in one pixel, %s [%s] = %r" % (M, kind, engine, got[0, 1]))
os.remove(big)

# every input kind, one reduction each, the data's own bounds (no --xlim/--ylim)
n2 = 20_000
xs, ys, ws = rng.normal(size=n2), rng.normal(size=n2), rng.random(n2) * 100 - 50
ws[::97] = np.nan
lim = (xs.min(), xs.max(), ys.min(), ys.max())
size = (40, 30)
want, n, tol = expect(xs, ys, ws, lim, size, "mean")
npy = os.path.join(TMP, "data.npy")
np.save(npy, np.stack([xs, ys, ws], axis=1))
csv = os.path.join(TMP, "data.csv")
with open(csv, "w") as f:
    f.write("lon,lat,mag\n")
    for a, b, c in zip(xs, ys, ws):
        f.write("%r,%r,%r\n" % (a, b, c))
rawf = os.path.join(TMP, "data.f64")
np.stack([xs, ys, ws], axis=1).astype("<f8").tofile(rawf)
with open(rawf, "rb") as f:
    raw_bytes = f.read()
with open(csv, "rb") as f:
    csv_bytes = f.read()
for label, inputs, stdin in (
        ("npy", [npy, "--value", "2"], None),
        ("csv by name", [csv, "--x", "lon", "--y", "lat", "--value", "mag"], None),
        ("csv by index", [csv, "--value", "2"], None),
        ("csv on stdin", ["-", "--format", "csv", "--value", "mag"], csv_bytes),
        ("raw on stdin", ["-", "--dtype", "f64", "--columns", "3", "--value", "2"], raw_bytes),
        ("followed csv", [csv, "--follow", "--until-idle", "0.3", "--value", "mag"], None),
        ("followed raw", [rawf, "--dtype", "f64", "--columns", "3", "--follow", "--until-idle", "0.3",
                          "--value", "2"], None)):
    for engine in ("cpu", "gpu"):
        got, side, err = render_grid(inputs, [], size, engine, "mean", stdin)
        if got is None:
            failures.append("%s [%s]: render failed: %s" % (label, engine, err))
        elif compare("%s mean [%s]" % (label, engine), got, want, tol, n):
            print("ok   %s mean [%s]" % (label, engine))
# a second run of the CSV comes from the column cache: the same grid
for attempt in ("stored", "cached"):
    got, side, err = render_grid([csv, "--value", "mag"], [], size, "cpu", "max")
    want_max, n_max, tol_max = expect(xs, ys, ws, lim, size, "max")
    if got is None:
        failures.append("csv %s: %s" % (attempt, err))
    elif compare("csv max (%s)" % attempt, got, want_max, tol_max, n_max):
        print("ok   csv max, column cache %s" % attempt)

# categories: integer codes (raw) and text labels (CSV), counts per category
n3 = 50_000
cx, cy = rng.random(n3), rng.random(n3)
codes = rng.integers(0, 5, n3).astype(np.float64)
codes[::101] = 7.5  # not a category code: not drawn
codes[::211] = np.nan
lim3 = (0.0, 1.0, 0.0, 1.0)
size3 = (24, 16)
okc = np.isfinite(codes) & (codes == np.floor(codes))
idx = pixel_index(cx[okc], cy[okc], lim3, size3)
catpath = os.path.join(TMP, "cats.f64")
np.stack([cx, cy, codes], axis=1).astype("<f8").tofile(catpath)
ncat = int(codes[okc].max()) + 1
want_c = np.zeros((ncat, size3[1] * size3[0]), dtype=np.uint64)
for c in range(ncat):
    sel = (codes[okc] == c) & (idx >= 0)
    want_c[c] = np.bincount(idx[sel], minlength=size3[0] * size3[1])
want_c = want_c.reshape(ncat, size3[1], size3[0])
grids = {}
for engine in ("cpu", "gpu"):
    got, side, err = render_grid([catpath, "--dtype", "f64", "--columns", "3", "--by", "2", "--no-cache"]
                                 + lim_args(lim3), [], size3, engine)
    checked += 1
    if got is None:
        failures.append("categories [%s]: %s" % (engine, err))
        continue
    grids[engine] = got
    if got.dtype != np.uint32 or got.shape != want_c.shape or not np.array_equal(got, want_c):
        failures.append("categories [%s]: counts differ from numpy (shape %s vs %s)"
                        % (engine, got.shape, want_c.shape))
    else:
        print("ok   categories, integer codes [%s]: %d categories" % (engine, got.shape[0]))
labels = np.array(["alpha", "beta", "gamma, with a comma", "delta"])
lab = rng.integers(0, 4, n3)
lcsv = os.path.join(TMP, "labels.csv")
with open(lcsv, "w") as f:
    f.write("x,y,kind\n")
    for a, b, k in zip(cx, cy, lab):
        f.write('%r,%r,"%s"\n' % (a, b, labels[k]))
first_seen = []
for k in lab:
    if labels[k] not in first_seen:
        first_seen.append(labels[k])
idx = pixel_index(cx, cy, lim3, size3)
want_l = np.stack([np.bincount(idx[(labels[lab] == name) & (idx >= 0)], minlength=size3[0] * size3[1])
                   for name in first_seen]).astype(np.uint32).reshape(len(first_seen), size3[1], size3[0])
got, side, err = render_grid([lcsv, "--by", "kind"] + lim_args(lim3), [], size3, "cpu")
checked += 1
if got is None:
    failures.append("labels: %s" % err)
elif side.get("categories") != first_seen or not np.array_equal(got, want_l):
    failures.append("labels: categories %r (want %r) or counts differ" % (side.get("categories"), first_seen))
else:
    print("ok   categories, text labels in first-seen order: %s" % ", ".join(first_seen))

if failures:
    print("\n%d of %d checks FAILED:" % (len(failures), checked))
    for f in failures:
        print("  " + f)
    sys.exit(1)
print("all %d checks passed" % checked)
