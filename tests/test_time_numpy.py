#!/usr/bin/env python3
"""Time x: epochs and ISO-8601 text bin exactly, as offsets from the first
sample's instant computed in int64.

Nanosecond epochs (about 1.7e18) are not exact as doubles (their spacing there
is 256 ns), so a renderer that turns them into doubles first bins them wrongly
at a zoom of a few microseconds. vastplot subtracts the first sample's instant
in int64 first. The reference here does the same with numpy int64 arithmetic
and numpy.histogram2d; a check that the naive float64 binning differs shows
each case can fail. Cases: integer ns epochs in a CSV column named
"timestamp" (detected), ISO text with nanosecond fractions and offsets
(detected from the values), the same file parsed on one thread and on
several (the parallel parser's later parts get the first part's origin), two
files sharing the first one's origin, `info` printing the instants, and
columns that are not times (a small "t", --x-time none).

usage: test_time_numpy.py VASTPLOT_BINARY SCRATCH_DIR
Exit 77 (skipped) when numpy is not installed (Debian: python3-numpy).
"""
import datetime as dt
import os
import subprocess
import sys

from numpy_harness import start

np, BIN, TMP, ENV = start()
ENV["XDG_CACHE_HOME"] = os.path.join(TMP, "cache")
ENV["VASTPLOT_CACHE_MIN_BYTES"] = "0"  # the column cache takes every file

rng = np.random.default_rng(20261203)
failures = []
checked = 0
SIZE = (640, 200)


def run(args):
    r = subprocess.run([BIN] + args, env=ENV, capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


def render(paths, extra=()):
    out = os.path.join(TMP, "out.npy")
    if os.path.exists(out):
        os.remove(out)
    rc, _, err = run(["render", *paths, "--size", "%dx%d" % SIZE, "-o", os.path.join(TMP, "out.png"),
                      "--save-counts", out, "--quiet", *extra])
    if rc != 0:
        return None, err.strip()
    return np.load(out), None


def reference(x, y):
    """numpy's grid over the data's bounds, in vastplot's layout."""
    W, H = SIZE
    h, _, _ = np.histogram2d(x, y, bins=(W, H), range=((x.min(), x.max()), (y.min(), y.max())))
    return np.flipud(h.T).astype(np.uint64)


def compare(name, got, err, want):
    global checked
    checked += 1
    if got is None:
        failures.append("%s: render failed: %s" % (name, err))
        return
    diff = int(np.count_nonzero(got != want))
    if diff:
        failures.append("%s: %d pixels differ from the int64 reference (drawn %d, want %d)"
                        % (name, diff, int(got.sum()), int(want.sum())))
    else:
        print("  %s: equal (%d samples)" % (name, int(want.sum())))


def iso(ns, offset_min=0):
    """ISO-8601 text of an int64 ns instant, 9 fractional digits, at a UTC offset."""
    s, frac = divmod(int(ns), 10**9)
    t = dt.datetime(1970, 1, 1) + dt.timedelta(seconds=s + offset_min * 60)
    if offset_min == 0:
        zone = "Z"
    else:
        sign = "+" if offset_min > 0 else "-"
        zone = "%s%02d:%02d" % (sign, abs(offset_min) // 60, abs(offset_min) % 60)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + ".%09d" % frac + zone


# 1. integer ns epochs, a time-named column: detected, exact
n = 40000
base = 1709647200 * 10**9 + 123  # 2024-03-05T14:00:00.000000123Z
t = base + np.cumsum(rng.integers(1, 400, n)).astype(np.int64)
t[0] = base
y = np.cumsum(rng.standard_normal(n)).round(3)
p_ns = os.path.join(TMP, "ns.csv")
with open(p_ns, "w") as f:
    f.write("timestamp,value\n")
    for a, b in zip(t, y):
        f.write("%d,%.3f\n" % (a, b))
xref = (t - t[0]).astype(np.float64)  # exact: the span is far below 2^53 ns
want = reference(xref, y)
naive = reference(t.astype(np.float64), y)
if np.array_equal(naive, want):
    failures.append("ns epochs: the naive float64 grid equals the exact one; the case tests nothing")
got, err = render([p_ns])
compare("ns epochs (CSV, detected)", got, err, want)
got, err = render([p_ns], ("--x-time", "ns", "--no-cache"))
compare("ns epochs (--x-time ns)", got, err, want)

# --xlim as instants: a window of a few microseconds, placed exactly
a, b = int(t[1000]), int(t[3000])
W_, H_ = SIZE
sel = (t >= a) & (t <= b)
h, _, _ = np.histogram2d((t[sel] - t[0]).astype(np.float64), y[sel], bins=(W_, H_),
                         range=((float(a - t[0]), float(b - t[0])), (y.min(), y.max())))
want = np.flipud(h.T).astype(np.uint64)
got, err = render([p_ns], ("--xlim", iso(a), iso(b), "--ylim", repr(float(y.min())), repr(float(y.max())),
                           "--no-cache"))
compare("--xlim as instants (a %d ns window)" % (b - a), got, err, want)
got, err = render([p_ns], ("--xlim", iso(a, 330), iso(b, 330), "--ylim", repr(float(y.min())),
                           repr(float(y.max())), "--no-cache"))
compare("--xlim as instants with an offset", got, err, want)

rc, out, err = run(["info", p_ns, "--no-cache"])
checked += 1
line = [l for l in out.splitlines() if l.startswith("x:")]
want_line = "x:           %s .. %s (time; x values are ns after %s)" % (iso(t.min())[:-1].rstrip("0") + "Z",
                                                                      iso(t.max())[:-1].rstrip("0").rstrip(".") + "Z",
                                                                      iso(t[0])[:-1].rstrip("0").rstrip(".") + "Z")
if rc != 0 or line != [want_line]:
    failures.append("info ns.csv: got %r (rc %d, %s), want %r" % (line, rc, err.strip(), want_line))
else:
    print("  info: %s" % line[0])

# 2. ISO text with nanoseconds and offsets; several threads
n = 250000  # about 10 MB: the parallel parser splits it (parts of 4 MiB or more)
base = 1709647200 * 10**9
t = base + np.cumsum(rng.integers(1, 2000, n)).astype(np.int64)
y = np.cumsum(rng.standard_normal(n)).round(2)
offs = rng.choice([0, 60, -330, 345], n)
p_iso = os.path.join(TMP, "iso.csv")
with open(p_iso, "w") as f:
    f.write("when,level\n")
    for a, b, o in zip(t, y, offs):
        f.write("%s,%.2f\n" % (iso(a, int(o)), b))
xref = (t - t[0]).astype(np.float64)
want = reference(xref, y)
if np.array_equal(reference(t.astype(np.float64), y), want):
    failures.append("ISO: the naive float64 grid equals the exact one; the case tests nothing")
for threads in ("1", "4"):
    got, err = render([p_iso], ("--threads", threads, "--no-cache"))
    compare("ISO text, offsets, %s thread(s)" % threads, got, err, want)
got, err = render([p_iso])  # stores the column cache
got, err = render([p_iso])  # and reads it
compare("ISO text from the column cache", got, err, want)

# 3. two files: the second shares the first one's origin
half = n // 2
p_a, p_b = os.path.join(TMP, "a.csv"), os.path.join(TMP, "b.csv")
for p, sl in ((p_a, slice(0, half)), (p_b, slice(half, n))):
    with open(p, "w") as f:
        f.write("time,level\n")
        for a, b in zip(t[sl], y[sl]):
            f.write("%s,%.2f\n" % (iso(a), b))
got, err = render([p_b, p_a], ("--no-cache",))
tb = np.concatenate([t[half:], t[:half]])
yb = np.concatenate([y[half:], y[:half]])
compare("two ISO files, one origin", got, err, reference((tb - tb[0]).astype(np.float64), yb))

# 4. binary int64 ns epochs with --x-time ns: the origin subtracted in int64
n = 60000
t = 1709647200 * 10**9 + 77 + np.cumsum(rng.integers(1, 300, n)).astype(np.int64)
yv = rng.integers(-1000, 1000, n).astype(np.int64)
p_bin = os.path.join(TMP, "epochs.i64")
np.stack([t, yv], axis=1).astype("<i8").tofile(p_bin)
want = reference((t - t[0]).astype(np.float64), yv.astype(np.float64))
if np.array_equal(reference(t.astype(np.float64), yv.astype(np.float64)), want):
    failures.append("binary: the naive float64 grid equals the exact one; the case tests nothing")
got, err = render([p_bin], ("--dtype", "i64", "--columns", "2", "--x-time", "ns", "--no-cache"))
compare("binary i64 ns epochs", got, err, want)
rc, out, err = run(["info", p_bin, "--dtype", "i64", "--columns", "2", "--x-time", "ns", "--no-cache"])
checked += 1
if rc != 0 or ("x:           %s .. " % (iso(t[0])[:-1].rstrip("0") + "Z")) not in out:
    failures.append("info binary i64: %r %r" % (out, err))

# 5. not times: a small "t" column, and --x-time none
p_t = os.path.join(TMP, "small_t.csv")
with open(p_t, "w") as f:
    f.write("t,v\n")
    for i in range(100):
        f.write("%d,%d\n" % (i, i % 7))
for args, name in (([p_t], "a small t column"), ([p_ns, "--x-time", "none"], "--x-time none")):
    rc, out, err = run(["info", *args, "--no-cache"])
    checked += 1
    line = [l for l in out.splitlines() if l.startswith("x:")]
    if rc != 0 or len(line) != 1 or "time" in line[0]:
        failures.append("%s: x should be plain numbers, got %r (%s)" % (name, line, err.strip()))
    else:
        print("  %s: %s" % (name, line[0]))

# 6. a bad time is a skipped row, named
p_bad = os.path.join(TMP, "bad.csv")
with open(p_bad, "w") as f:
    f.write("time,v\n2024-03-05T10:00:00Z,1\n2024-13-05T10:00:00Z,2\n2024-03-05T11:00:00Z,3\n")
rc, out, err = run(["info", p_bad, "--no-cache"])
checked += 1
if rc != 0 or "not an ISO-8601 time in column 0 (time)" not in out or "records:     2" not in out:
    failures.append("bad time: %r %r" % (out, err))
else:
    print("  a bad time: skipped and named")

print("%d checks" % checked)
if failures:
    print("FAILED:")
    for f in failures:
        print("  " + f)
    sys.exit(1)
