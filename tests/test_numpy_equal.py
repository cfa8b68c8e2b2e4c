#!/usr/bin/env python3
"""The count grid is bit-equal to numpy.histogram2d: a property test.

Random data sets, many of them adversarial (samples on and next to every pixel
edge, data far from zero, ranges of 1e-36 and smaller, subnormals, +-1e300,
deep zooms where neighbouring edges round to the same double, reversed limits,
integer dtypes), are written as raw files, rendered by the real binary with
--save-counts on the CPU and on the GPU path (compute shaders; llvmpipe here),
and compared with numpy.histogram2d(x, y, bins=(W, H), range=...) cell by cell.
Any difference fails. numpy is an independent float64 reference: it shares no
code with vastplot.

usage: test_numpy_equal.py VASTPLOT_BINARY SCRATCH_DIR
Exit 77 (skipped) when numpy is not installed (Debian: python3-numpy).
"""
import os
import subprocess
import sys

from numpy_harness import start

np, BIN, TMP, ENV = start()

rng = np.random.default_rng(20261202)
failures = []
checked = 0


def on_edges(lo, hi, n, count, dtype):
    """Samples on numpy's own edges and one ulp either side of them."""
    e = np.linspace(lo, hi, n + 1)
    pick = e[rng.integers(0, n + 1, count)]
    side = rng.integers(-1, 2, count)
    v = np.where(side < 0, np.nextafter(pick, -np.inf), np.where(side > 0, np.nextafter(pick, np.inf), pick))
    return v.astype(dtype)


def render(path, dtype, lim, size, engine, extra=()):
    out = os.path.join(TMP, "out.npy")
    if os.path.exists(out):
        os.remove(out)
    args = [BIN, "render", path, "--dtype", dtype, "--columns", "2", "--size", "%dx%d" % size,
            "-o", os.path.join(TMP, "out.png"), "--save-counts", out, "--accumulate", engine,
            "--quiet", "--no-cache"]
    if lim is not None:
        args += ["--xlim", repr(float(lim[0])), repr(float(lim[1])),
                 "--ylim", repr(float(lim[2])), repr(float(lim[3]))]
    args += list(extra)
    r = subprocess.run(args, env=ENV, capture_output=True, text=True)
    if r.returncode != 0:
        return None, r.stderr.strip()
    return np.load(out), None


def reference(x, y, lim, size):
    """numpy's grid in vastplot's layout: (H, W), row 0 the top row."""
    W, H = size
    x0, x1, y0, y1 = lim
    flipx, flipy = x0 > x1, y0 > y1
    rx = (min(x0, x1), max(x0, x1))
    ry = (min(y0, y1), max(y0, y1))
    h, _, _ = np.histogram2d(x, y, bins=(W, H), range=(rx, ry))
    if flipx:
        h = h[::-1, :]
    if flipy:
        h = h[:, ::-1]
    return np.flipud(h.T).astype(np.uint64)


def case(name, x, y, lim, size=(1920, 1080), dtype="f64", engines=("cpu", "gpu")):
    global checked
    np_dtype = {"f64": "<f8", "f32": "<f4", "i32": "<i4", "i64": "<i8", "u16": "<u2"}[dtype]
    x = np.asarray(x).astype(np_dtype)
    y = np.asarray(y).astype(np_dtype)
    path = os.path.join(TMP, name + "." + dtype)
    np.stack([x, y], axis=1).tofile(path)
    xd, yd = x.astype(np.float64), y.astype(np.float64)
    ok_x = np.isfinite(xd) & np.isfinite(yd)
    given = lim
    if lim is None:  # vastplot's default view: the data's bounds, as numpy takes them
        lim = (xd[ok_x].min(), xd[ok_x].max(), yd[ok_x].min(), yd[ok_x].max())
    want = reference(xd[ok_x], yd[ok_x], lim, size)
    for engine in engines:
        got, err = render(path, dtype, given, size, engine)
        checked += 1
        if got is None:
            failures.append("%s [%s]: render failed: %s" % (name, engine, err))
            continue
        if got.shape != want.shape:
            failures.append("%s [%s]: shape %s, numpy %s" % (name, engine, got.shape, want.shape))
            continue
        diff = int(np.count_nonzero(got != want))
        if diff:
            r, c = np.argwhere(got != want)[0]
            failures.append("%s [%s]: %d of %d pixels differ from numpy.histogram2d (first at row %d "
                            "col %d: %d, numpy %d; drawn %d, numpy %d)"
                            % (name, engine, diff, want.size, r, c, got[r, c], want[r, c],
                               int(got.sum()), int(want.sum())))
        else:
            print("ok   %s [%s] (%d points drawn)" % (name, engine, int(want.sum())))
    os.remove(path)


N = 200_000

# uniform data in the default view (its own bounds), float32 and float64
case("uniform_f32", rng.random(N), rng.random(N), None, dtype="f32")
case("normal_f64", rng.normal(size=N), rng.normal(size=N), None)
# every sample on an edge or one ulp beside it
case("edges_unit", on_edges(0.0, 1.0, 1920, N, np.float64), on_edges(-3.0, 7.0, 1080, N, np.float64),
     (0.0, 1.0, -3.0, 7.0))
case("edges_f32", on_edges(0.1, 0.7, 640, N, np.float32), on_edges(-1e3, 2e3, 480, N, np.float32),
     (0.1, 0.7, -1e3, 2e3), size=(640, 480), dtype="f32")
case("edges_odd", on_edges(1 / 3, 2 / 3, 997, N, np.float64), on_edges(-0.1, 0.3, 13, N, np.float64),
     (1 / 3, 2 / 3, -0.1, 0.3), size=(997, 13))
# far from zero: Unix times with a half-second width
t0 = 1.7e9
case("far_from_zero", on_edges(t0, t0 + 0.5, 1920, N, np.float64), rng.normal(size=N),
     (t0, t0 + 0.5, -4.0, 4.0))
case("far_from_zero_mixed", t0 + rng.random(N) * 0.5, rng.normal(size=N), (t0, t0 + 0.5, -4.0, 4.0))
# a deep zoom far from zero: neighbouring edges round to the same double
case("deep_zoom", t0 + rng.integers(-20, 40, N) * 2.384185791015625e-07, rng.random(N),
     (t0, t0 + 5e-6, 0.0, 1.0))
# tiny ranges
case("range_1e-36_f32", rng.random(N) * 1e-36, rng.random(N) * 1e-36, (0.0, 1e-36, 0.0, 1e-36), dtype="f32")
case("range_1e-300", on_edges(0.0, 1e-300, 1920, N, np.float64), rng.random(N) * 3e-300,
     (0.0, 1e-300, 0.0, 3e-300))
# subnormal data and limits; and a span of a few subnormals, where step underflows
case("subnormal", rng.random(N) * 1e-310, rng.random(N) * 2e-312, (0.0, 1e-310, 0.0, 2e-312))
tiny = 5e-324
case("step_underflow", rng.integers(0, 101, N) * tiny, rng.integers(-50, 51, N) * tiny,
     (0.0, 100 * tiny, -50 * tiny, 50 * tiny), size=(1920, 1080))
# huge values
case("pm_1e300", rng.uniform(-1e300, 1e300, N), rng.uniform(-1e300, 1e300, N), None)
case("xlim_0_1e300", np.concatenate([rng.random(N // 2) * 1e300, 10.0 ** rng.uniform(-300, 300, N // 2)]),
     rng.random(N), (0.0, 1e300, 0.0, 1.0))
# reversed limits flip the axis
case("reversed", on_edges(0.0, 1.0, 300, N, np.float64), on_edges(0.0, 2.0, 200, N, np.float64),
     (1.0, 0.0, 2.0, 0.0), size=(300, 200))
# integer samples (numpy compares them as float64, as vastplot decodes them)
case("int32", rng.integers(-1000, 1000, N), rng.integers(0, 7, N), (-1000.0, 1000.0, 0.0, 6.0),
     size=(333, 7), dtype="i32")
case("int64_big", rng.integers(-2**62, 2**62, N), rng.integers(0, 2**40, N), None, size=(512, 256), dtype="i64")
# all samples on one value: the view is widened by 0.5 each way, as numpy does
case("flat", np.full(1000, 3.0), np.full(1000, -2.0), None, size=(64, 48))
case("flat_far", np.full(1000, t0), rng.random(1000), None, size=(64, 48))
# non-finite samples are skipped, never drawn
xs = rng.random(N)
xs[::97] = np.nan
ys = rng.random(N)
ys[::89] = np.inf
case("nonfinite", xs, ys, (0.0, 1.0, 0.0, 1.0), size=(100, 100))
# small and odd sizes
case("one_pixel", rng.random(1000), rng.random(1000), (0.0, 1.0, 0.0, 1.0), size=(1, 1))
case("wide", on_edges(-5.0, 5.0, 16384, N, np.float64), rng.random(N), (-5.0, 5.0, 0.0, 1.0), size=(16384, 2))


def text_case(name, x, y, lim, size=(640, 480)):
    """The same comparison through the other readers: a CSV of the shortest
    round-trip decimal of every float64 (as a file and on standard input),
    and a .npy file of the same values."""
    global checked
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    path = os.path.join(TMP, name + ".csv")
    with open(path, "w") as f:
        f.write("x,y\n")
        f.writelines("%r,%r\n" % (float(a), float(b)) for a, b in zip(x, y))
    want = reference(x, y, lim, size)
    npy = os.path.join(TMP, name + ".npy")
    np.save(npy, np.stack([x, y], axis=1))
    # (engine, input, standard input): the CSV on both engines, the CSV on
    # standard input, and the same values as a .npy file
    for engine, src, stdin in (("cpu", path, None), ("gpu", path, None), ("cpu", "-", path),
                               ("cpu", npy, None)):
        out = os.path.join(TMP, "out.npy")
        cols = ["--x", "x", "--y", "y"] if src != npy else []
        args = [BIN, "render", src] + cols + ["--size", "%dx%d" % size,
                "-o", os.path.join(TMP, "out.png"), "--save-counts", out, "--accumulate", engine,
                "--quiet", "--no-cache", "--xlim", repr(lim[0]), repr(lim[1]),
                "--ylim", repr(lim[2]), repr(lim[3])]
        with open(stdin or os.devnull) as f:
            r = subprocess.run(args, env=ENV, capture_output=True, text=True, stdin=f)
        checked += 1
        what = "%s [%s, %s]" % (name, engine, "stdin" if stdin else os.path.basename(src))
        if r.returncode != 0:
            failures.append("%s: render failed: %s" % (what, r.stderr.strip()))
            continue
        diff = int(np.count_nonzero(np.load(out) != want))
        if diff:
            failures.append("%s: %d pixels differ from numpy.histogram2d" % (what, diff))
        else:
            print("ok   %s (%d points drawn)" % (what, int(want.sum())))
    os.remove(path)
    os.remove(npy)


# text input: edges and far from zero, through the CSV parser
text_case("csv_edges", on_edges(0.0, 1.0, 640, 50_000, np.float64), on_edges(-2.0, 2.0, 480, 50_000, np.float64),
          (0.0, 1.0, -2.0, 2.0))
text_case("csv_far", on_edges(t0, t0 + 0.5, 640, 50_000, np.float64), rng.normal(size=50_000),
          (t0, t0 + 0.5, -4.0, 4.0))

for f in failures:
    print("FAIL " + f)
print("%d renders compared with numpy.histogram2d, %d failed" % (checked, len(failures)))
sys.exit(1 if failures else 0)
