#!/usr/bin/env bash
# Line density (--lines) against the point render of the same file, and
# against numpy.histogram2d of the same points (what people use instead; it
# draws the samples, not the segments between them).
#
# usage: bench/lines.sh [--dir WORKDIR] [--points N] [--repeat R] [--vastplot PATH]
#                       [--accumulate cpu|gpu] [--numpy]
#
# The file holds N records of two float32 (x = the index, y = a random walk):
# one long series, so every segment is drawn and most are short. Each case
# runs R times, the cases interleaved (points, lines, ...) so drift in the
# machine's speed hits them alike; the median wall time and peak RSS
# (/usr/bin/time) are reported, with the ratio to the point render of the
# same run.
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
PY=/usr/bin/python3
WORKDIR=/tmp/vastplot-bench-lines
POINTS=100000000
REPEAT=5
NUMPY=0
ACC=cpu
VASTPLOT=${VASTPLOT:-$ROOT/build/vastplot}

. "$HERE/common.sh"
while [ $# -gt 0 ]; do
    case "$1" in
        --dir)        WORKDIR=${2:?}; shift 2 ;;
        --points)     POINTS=${2:?}; shift 2 ;;
        --repeat)     REPEAT=${2:?}; shift 2 ;;
        --vastplot)   VASTPLOT=${2:?}; shift 2 ;;
        --accumulate) ACC=${2:?}; shift 2 ;;
        --numpy)      NUMPY=1; shift ;;
        -h|--help)    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument $1" ;;
    esac
done
[ -x "$VASTPLOT" ] || die "no vastplot at $VASTPLOT (build it, or pass --vastplot)"
[ -x /usr/bin/time ] || die "needs /usr/bin/time (Debian package: time)"
"$PY" -c 'import numpy' 2>/dev/null || die "needs numpy (Debian package: python3-numpy)"
mkdir -p "$WORKDIR"
N=$("$PY" -c "print(int(float('$POINTS')))")
DATA=$WORKDIR/walk-$N.f32

if [ ! -s "$DATA" ]; then
    echo "writing $N records of (index, random walk) float32 to $DATA" >&2
    "$PY" - "$N" "$DATA" <<'PYEOF'
import os, sys
import numpy as np
n, out = int(sys.argv[1]), sys.argv[2]
rng = np.random.default_rng(n)
y0 = 0.0
with open(out + ".tmp", "wb") as f:
    for s in range(0, n, 10_000_000):
        m = min(n - s, 10_000_000)
        y = y0 + np.cumsum(rng.standard_normal(m))
        y0 = float(y[-1])
        np.stack([np.arange(s, s + m, dtype=np.float64), y], axis=1).astype("<f4").tofile(f)
os.replace(out + ".tmp", out)
PYEOF
fi

COMMON=(render "$DATA" --dtype f32 --columns 2 --size 1920x1080 --quiet --accumulate "$ACC"
        -o "$WORKDIR/out.png")
declare -A WALL RSS
cases=(points lines)
[ "$NUMPY" = 1 ] && cases+=(numpy-points)
# warm the page cache and the bounds cache once
"$VASTPLOT" "${COMMON[@]}" >/dev/null 2>&1 || true
for ((r = 0; r < REPEAT; r++)); do
    for c in "${cases[@]}"; do
        case "$c" in
            points) out=$(run_one "$VASTPLOT" "${COMMON[@]}") ;;
            lines) out=$(run_one "$VASTPLOT" "${COMMON[@]}" --lines) ;;
            numpy-points) out=$(run_one "$PY" - "$DATA" <<'PYEOF'
import sys
import numpy as np
a = np.memmap(sys.argv[1], dtype="<f4", mode="r").reshape(-1, 2)
lim = [[float(a[:, 0].min()), float(a[:, 0].max())], [float(a[:, 1].min()), float(a[:, 1].max())]]
n, _, _ = np.histogram2d(a[:, 0], a[:, 1], bins=(1920, 1080), range=lim)
PYEOF
) ;;
        esac
        WALL[$c]+="${out% *} "
        RSS[$c]+="${out#* } "
    done
done

printf '%d samples (one random walk), 1920x1080, --accumulate %s, %d runs each, interleaved; %s\n' "$N" "$ACC" \
    "$REPEAT" "$("$VASTPLOT" --version 2>&1 | head -1)"
ratio_table 13 Msamples/s vs_points points
