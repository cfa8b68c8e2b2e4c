#!/usr/bin/env bash
# Following growing files: sustained ingest rate (records/s) for raw f32 and
# CSV while a writer appends as fast as it can, and the append-to-screen
# latency of the viewer (median, 99th percentile) while a logger appends a row
# every 20 ms. Uses a private Xvfb for the viewer part.
# usage: bench/follow.sh [--dir WORKDIR] [--records N] [--vastplot PATH]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
WORKDIR=/tmp/vastplot-bench/follow
N=20000000
VASTPLOT=${VASTPLOT:-$ROOT/build/vastplot}
PY=/usr/bin/python3
while [ $# -gt 0 ]; do
    case $1 in
        --dir) WORKDIR=$2; shift 2 ;;
        --records) N=$2; shift 2 ;;
        --vastplot) VASTPLOT=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
mkdir -p "$WORKDIR"
"$PY" -c 'import numpy' 2>/dev/null || { echo "needs Debian package python3-numpy" >&2; exit 1; }
now() { date +%s.%N; }

ingest() { # ingest KIND FILE: a writer appends N records in 4 MiB pieces, as fast as it can
    local kind=$1 f=$2
    rm -f "$f" "$f.go"; : > "$f"
    # the writer formats everything first, then says "go" and writes
    "$PY" - "$kind" "$f" "$N" <<'PY' &
import sys, numpy as np
kind, path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
a = np.random.default_rng(5).standard_normal((n, 2)).astype(np.float32)
if kind == "raw":
    data = a.tobytes()
else:
    import io
    buf = io.StringIO()
    np.savetxt(buf, a, fmt="%.5f", delimiter=",")
    data = buf.getvalue().encode()
open(path + ".go", "w").close()
with open(path, "ab", buffering=0) as out:
    for j in range(0, len(data), 4 << 20):
        out.write(data[j:j + (4 << 20)])
PY
    local wpid=$!
    while [ ! -e "$f.go" ]; do sleep 0.01; done
    local t0; t0=$(now)
    "$VASTPLOT" render --follow --until-idle 1 "$f" -o "$WORKDIR/out.png" -q
    local t1; t1=$(now)
    wait $wpid
    local wall; wall=$(echo "$t1 - $t0 - 1" | bc -l)
    local mb; mb=$(du -m "$f" | cut -f1)
    printf '| %s | %d | %d MB | %.2f | %.1f M records/s | %.0f MB/s |\n' "$kind" "$N" "$mb" "$wall" \
        "$(echo "$N / $wall / 1000000" | bc -l)" "$(echo "$mb / $wall" | bc -l)"
}

echo "## Ingest while following (writer and reader at once; until the last record is read)"
echo "| input | records | size | seconds | rate | throughput |"
echo "|---|---:|---:|---:|---:|---:|"
ingest raw "$WORKDIR/ingest.f32"
ingest csv "$WORKDIR/ingest.csv"
echo "(from the writer's first byte to the reader's last record, the --until-idle wait taken off;"
echo " the reader and a writer that only copies prepared bytes share the machine)"

echo
echo "## Append-to-screen latency in the viewer (a row every 20 ms for 4 s)"
command -v Xvfb >/dev/null || { echo "needs Xvfb (Debian package xvfb)" >&2; exit 1; }
n=170; while [ -e /tmp/.X$n-lock ]; do n=$((n + 1)); done
Xvfb :$n -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
XPID=$!
trap 'kill $XPID 2>/dev/null' EXIT
for _ in $(seq 50); do [ -e /tmp/.X11-unix/X$n ] && break; sleep 0.1; done
f=$WORKDIR/live.csv
printf 't,v\n' > "$f"
( for i in $(seq 1 200); do printf '%d,%d\n' "$i" $((i % 13)) >> "$f"; sleep 0.02; done ) &
LPID=$!
printf 'wait 4500\nstats %s\nquit\n' "$WORKDIR/live.json" > "$WORKDIR/live.txt"
DISPLAY=:$n "$VASTPLOT" view --follow "$f" --size 1280x800 --script "$WORKDIR/live.txt" -q
wait $LPID
"$PY" - "$WORKDIR/live.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print("| rows seen | updates | latency median ms | latency p99 ms | frame ms median | frame ms p99 |")
print("|---:|---:|---:|---:|---:|---:|")
print("| %d | %d | %.1f | %.1f | %.1f | %.1f |" % (s["points_total"], s["follow_updates"],
      s["follow_latency_ms_median"], s["follow_latency_ms_p99"], s["frame_ms_median"], s["frame_ms_p99"]))
print("latency: from the poll that found new rows (inotify wakes it within microseconds of the")
print("write; otherwise the viewer looks at least every 10 ms) to the frame that shows them.")
PY
