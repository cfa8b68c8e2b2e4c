#!/usr/bin/env bash
# Memory while following a growing CSV for a long time: a writer appends
# RATE MB/s of "x,y" rows for SECONDS, `vastplot render --follow` reads them
# as they come and renders once the file has been still for 3 s. Reports the
# reader's peak RSS (/usr/bin/time) and its RSS every 30 s (from /proc), the
# rows read against the rows written, and what the spill file took on disk.
#
# usage: bench/follow_memory.sh [--dir WORKDIR] [--rate MBS] [--seconds S] [--vastplot PATH]
# Defaults: 20 MB/s for 600 s (12 GB of text; about 6 GB of spill file while it runs).
set -euo pipefail
export LC_ALL=C
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
WORKDIR=/tmp/vastplot-bench/follow-mem
RATE=20
SECONDS_=600
VASTPLOT=${VASTPLOT:-$ROOT/build/vastplot}
PY=/usr/bin/python3
while [ $# -gt 0 ]; do
    case $1 in
        --dir) WORKDIR=$2; shift 2 ;;
        --rate) RATE=$2; shift 2 ;;
        --seconds) SECONDS_=$2; shift 2 ;;
        --vastplot) VASTPLOT=$2; shift 2 ;;
        -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (Debian package time)" >&2; exit 1; }
"$PY" -c 'import numpy' 2>/dev/null || { echo "needs Debian package python3-numpy" >&2; exit 1; }
rm -rf "$WORKDIR" && mkdir -p "$WORKDIR"
cp "$VASTPLOT" "$WORKDIR/vastplot"
F=$WORKDIR/live.csv
export XDG_CACHE_HOME=$WORKDIR/cache
printf 'x,y\n' > "$F"
# the writer: a prepared 1 MB block of rows, appended RATE times a second
"$PY" - "$F" "$RATE" "$SECONDS_" <<'PY' &
import sys, time, numpy as np
path, rate, secs = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
rng = np.random.default_rng(7)
blocks = []
for _ in range(8):
    a = rng.standard_normal((60000, 2))
    text = "\n".join("%.6f,%.6f" % (x, y) for x, y in a) + "\n"
    blocks.append(text.encode())
rows = 0
t0 = time.monotonic()
written = 0
i = 0
with open(path, "ab", buffering=0) as out:
    while time.monotonic() - t0 < secs:
        # stay on the rate: write when behind
        if written < rate * 1e6 * (time.monotonic() - t0):
            b = blocks[i % len(blocks)]
            out.write(b)
            written += len(b)
            rows += b.count(b"\n")
            i += 1
        else:
            time.sleep(0.005)
with open(path + ".rows", "w") as f:
    f.write("%d %d %.1f\n" % (rows, written, time.monotonic() - t0))
PY
WPID=$!
/usr/bin/time -f "%e %M" -o "$WORKDIR/time.txt" "$WORKDIR/vastplot" render --follow --until-idle 3 "$F" \
    -o "$WORKDIR/out.png" --save-counts "$WORKDIR/counts.npy" -q &
VPID=$!
sleep 1
RPID=$(pgrep -P $VPID vastplot || true)
: > "$WORKDIR/rss.txt"
t=0
while kill -0 $WPID 2>/dev/null; do
    sleep 1
    t=$((t + 1))
    if [ $((t % 30)) = 0 ] && [ -n "$RPID" ]; then
        rss=$(awk '/VmRSS/ {print $2}' /proc/$RPID/status 2>/dev/null || echo 0)
        spill=$(du -sm /proc/$RPID/fd 2>/dev/null | cut -f1 || true)
        echo "$t $rss" >> "$WORKDIR/rss.txt"
    fi
done
wait $WPID
wait $VPID
read -r rows bytes wsecs < "$F.rows"
read -r wall peak < "$WORKDIR/time.txt"
drawn=$("$PY" -c "import numpy as np, sys; print(int(np.load(sys.argv[1]).sum()))" "$WORKDIR/counts.npy")
echo "## Following a CSV at $RATE MB/s for $SECONDS_ s"
echo
echo "- written: $rows rows, $((bytes / 1000000)) MB in $wsecs s ($(awk -v b="$bytes" -v s="$wsecs" 'BEGIN { printf "%.1f", b / s / 1e6 }') MB/s)"
echo "- counted in the picture: $drawn rows ($([ "$drawn" = "$rows" ] && echo "all of them" || echo "MISMATCH"))"
echo "- reader peak RSS: $((peak / 1024)) MiB; wall $wall s (writer time + 3 s idle + render)"
echo "- reader RSS over time (s: MiB): $(awk '{ printf "%s: %d  ", $1, $2 / 1024 }' "$WORKDIR/rss.txt")"
