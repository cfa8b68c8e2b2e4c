#!/usr/bin/env bash
# Viewer benchmark: frame times while zooming through a scripted path, and the
# time from launch to a complete first image, for 10^7 and 10^8 points.
# Uses bench/run.sh's cached data files (run that first, or pass --dir) and a
# private Xvfb. On a machine with a display and a GPU, set DISPLAY yourself
# and pass --own-display.
# usage: bench/viewer.sh [--dir WORKDIR] [--sizes 1e7,1e8] [--own-display] [--vastplot PATH]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
WORKDIR=/tmp/vastplot-bench
SIZES=1e7,1e8
OWN=0
VASTPLOT=${VASTPLOT:-$ROOT/build/vastplot}
while [ $# -gt 0 ]; do
    case $1 in
        --dir) WORKDIR=$2; shift 2 ;;
        --sizes) SIZES=$2; shift 2 ;;
        --own-display) OWN=1; shift ;;
        --vastplot) VASTPLOT=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
command -v Xvfb >/dev/null || [ $OWN = 1 ] || { echo "needs Xvfb (Debian package xvfb)" >&2; exit 1; }
mkdir -p "$WORKDIR/viewer"
if [ $OWN = 0 ]; then
    n=150; while [ -e /tmp/.X$n-lock ]; do n=$((n + 1)); done
    Xvfb :$n -screen 0 1920x1080x24 -nolisten tcp >/dev/null 2>&1 &
    XPID=$!
    trap 'kill $XPID 2>/dev/null' EXIT
    export DISPLAY=:$n
    for _ in $(seq 50); do [ -e /tmp/.X11-unix/X$n ] && break; sleep 0.1; done
fi
# a zoom path: 12 steps into a cluster and 12 back out, 40 ms apart (faster than
# refinement can finish), then wait for the last view to be complete
S=$WORKDIR/viewer/zoom.txt
{
    echo "wait-refined"
    for _ in $(seq 12); do echo "zoom 1.4"; echo "wait 40"; done
    for _ in $(seq 12); do echo "zoom 0.714285714"; echo "wait 40"; done
    echo "wait-refined"
    echo "stats $WORKDIR/viewer/stats.json"
    echo "quit"
} > "$S"
echo "| points | size | launch to complete first image s | frame ms median | frame ms p99 | frames | GL |"
echo "|---:|---|---:|---:|---:|---:|---|"
IFS=, read -ra sizes <<< "$SIZES"
for s in "${sizes[@]}"; do
    n=$(printf '%.0f' "$s")
    f=$WORKDIR/data/points-$n.f32
    [ -f "$f" ] || { echo "missing $f: run bench/run.sh --sizes $s first" >&2; exit 1; }
    for wh in 1280x800 1920x1080; do
        log=$WORKDIR/viewer/log-$n-$wh.txt
        "$VASTPLOT" view "$f" --size "$wh" --script "$S" --verbose --no-cache > "$log" 2>&1 \
            || { cat "$log" >&2; exit 1; }
        gl=$(grep -m1 -o 'OpenGL .*' "$log" | head -1)
        /usr/bin/python3 - "$WORKDIR/viewer/stats.json" "$n" "$wh" "$gl" <<'PY'
import json, sys
st = json.load(open(sys.argv[1]))
print("| %s | %s | %.2f | %.1f | %.1f | %d | %s |" % (sys.argv[2], sys.argv[3], st["first_complete_s"],
      st["frame_ms_median"], st["frame_ms_p99"], st["frames"], sys.argv[4]))
PY
    done
done
