#!/usr/bin/python3
"""Turn run.sh's raw timings into the markdown results table.

usage: report.py RAW.tsv MACHINE.md OUT.md

RAW.tsv lines: points <TAB> tool <TAB> wall_s <TAB> max_rss_kib
(wall_s is "skipped" for a tool that was not run at that size).
MACHINE.md is copied to the top of the report. The report is written to
OUT.md and printed.
"""
import statistics
import sys
from collections import OrderedDict

PEERS = ("numpy.histogram2d", "fast_histogram", "mpl-scatter-density")


def size_label(n):
    k = len(str(n)) - 1
    return "10^%d" % k if n == 10 ** k else "{:,}".format(n)


def read_raw(path):
    runs = OrderedDict()   # (points, tool) -> list of (wall, rss_kib), or None if skipped
    with open(path) as f:
        for line in f:
            points, tool, wall, rss = line.rstrip("\n").split("\t")
            key = (int(points), tool)
            if wall == "skipped":
                runs[key] = None
            else:
                runs.setdefault(key, []).append((float(wall), int(rss)))
    return runs


def fmt_ratio(r):
    return "%.2f×" % r if r < 10 else "%.1f×" % r


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    raw, machine, out = sys.argv[1:]
    runs = read_raw(raw)

    rows, summary = [], []
    for n in sorted({p for p, _ in runs}):
        med = {}
        for (p, tool), samples in runs.items():
            if p != n:
                continue
            if samples is None:
                med[tool] = None
            else:
                med[tool] = (statistics.median(w for w, _ in samples),
                             statistics.median(r for _, r in samples) / 1024.0,
                             len(samples))
        peers = [t for t in PEERS if med.get(t)]
        fastest = min(peers, key=lambda t: med[t][0]) if peers else None
        for tool, m in med.items():
            if m is None:
                rows.append("| %s | %s | skipped | | | | |" % (size_label(n), tool))
                continue
            wall, rss, _ = m
            name = tool + (" (fastest peer)" if tool == fastest else "")
            if fastest:
                speed = fmt_ratio(med[fastest][0] / wall) if wall > 0 else "n/a"
                rss_ratio = fmt_ratio(med[fastest][1] / rss)
            else:
                speed = rss_ratio = "n/a"
            rows.append("| %s | %s | %.2f | %.1f | %.0f | %s | %s |" % (
                size_label(n), name, wall, n / wall / 1e6 if wall > 0 else float("inf"),
                rss, speed, rss_ratio))
        for vtool in ("vastplot cpu", "vastplot cpu, bounds remembered"):
            vp = med.get(vtool)
            if not (fastest and vp):
                continue
            speed = med[fastest][0] / vp[0]
            mem = med[fastest][1] / vp[1]
            summary.append(
                "- %s points: %s %.2f s vs %s %.2f s: **%s %s**; "
                "peak RSS %.0f MiB vs %.0f MiB: %s %s memory." % (
                    size_label(n), vtool, vp[0], fastest, med[fastest][0],
                    fmt_ratio(max(speed, 1 / speed)), "faster" if speed >= 1 else "slower",
                    vp[1], med[fastest][1],
                    fmt_ratio(max(mem, 1 / mem)), "less" if mem >= 1 else "more"))

    repeats = sorted({len(s) for s in runs.values() if s})
    text = [open(machine).read().rstrip("\n"), "",
            "Median of %s timed run(s) per cell, after one untimed warm-up run "
            "(page cache warm). End to end: a fresh process reads the raw float32 "
            "file and writes a 1920x1080 PNG. Wall time and peak RSS are measured "
            "by `/usr/bin/time -f '%%e %%M'` around the whole process, so the "
            "Python peers include interpreter start-up and imports." % (
                "/".join(map(str, repeats)) or "0"),
            "",
            "| size | tool | median wall s | M points/s | peak RSS MiB "
            "| speed vs fastest peer | RSS ratio (fastest peer / this) |",
            "|---:|---|---:|---:|---:|---:|---:|"]
    text += rows
    text += ["",
             "speed vs fastest peer = fastest peer's time / this row's time "
             "(> 1: faster than the fastest peer). RSS ratio = fastest peer's "
             "peak RSS / this row's (> 1: uses less memory). The fastest peer is "
             "the quickest of numpy.histogram2d, fast_histogram and "
             "mpl-scatter-density at that size; the numpy read-only row is a floor "
             "reference, not a peer.", ""]
    text += summary
    report = "\n".join(text).rstrip("\n") + "\n"
    with open(out, "w") as f:
        f.write(report)
    sys.stdout.write(report)


if __name__ == "__main__":
    main()
