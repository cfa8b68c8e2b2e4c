#!/usr/bin/env bash
# Value reductions against the count-only render of the same file, and
# against numpy (histogram2d with weights over a memmap) on the same data.
#
# usage: bench/agg.sh [--dir WORKDIR] [--points N] [--repeat R] [--kinds mean,std,...]
#                     [--vastplot PATH] [--numpy]
#
# The file holds N records of three float32 (x, y, w): bench/gen_data.py's
# picture for x, y and a smooth field plus noise for w. Each case runs R times,
# the cases interleaved (count, mean, count, mean, ...) so drift in the
# machine's speed hits them alike; the median wall time and peak RSS
# (/usr/bin/time) are reported, with the ratio to the count-only render of
# the same run.
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
PY=/usr/bin/python3
WORKDIR=/tmp/vastplot-bench-agg
POINTS=100000000
REPEAT=5
KINDS=mean
NUMPY=0
VASTPLOT=${VASTPLOT:-$ROOT/build/vastplot}

. "$HERE/common.sh"
while [ $# -gt 0 ]; do
    case "$1" in
        --dir)      WORKDIR=${2:?}; shift 2 ;;
        --points)   POINTS=${2:?}; shift 2 ;;
        --repeat)   REPEAT=${2:?}; shift 2 ;;
        --kinds)    KINDS=${2:?}; shift 2 ;;
        --vastplot) VASTPLOT=${2:?}; shift 2 ;;
        --numpy)    NUMPY=1; shift ;;
        -h|--help)  sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument $1" ;;
    esac
done
[ -x "$VASTPLOT" ] || die "no vastplot at $VASTPLOT (build it, or pass --vastplot)"
[ -x /usr/bin/time ] || die "needs /usr/bin/time (Debian package: time)"
"$PY" -c 'import numpy' 2>/dev/null || die "needs numpy (Debian package: python3-numpy)"
mkdir -p "$WORKDIR"
N=$("$PY" -c "print(int(float('$POINTS')))")
DATA=$WORKDIR/xyw-$N.f32

if [ ! -s "$DATA" ]; then
    echo "writing $N records of (x, y, w) float32 to $DATA" >&2
    "$PY" - "$N" "$DATA" <<'EOF'
import os, sys
import numpy as np
n, out = int(sys.argv[1]), sys.argv[2]
rng = np.random.default_rng(n)
with open(out + ".tmp", "wb") as f:
    left = n
    while left:
        m = min(left, 10_000_000)
        x = rng.normal(size=m) * 2.0
        y = rng.normal(size=m) + 0.3 * x
        w = np.sin(x) * np.cos(y) * 10 + rng.normal(size=m)
        np.stack([x, y, w], axis=1).astype("<f4").tofile(f)
        left -= m
os.replace(out + ".tmp", out)
EOF
fi

COMMON=(render "$DATA" --dtype f32 --columns 3 --size 1920x1080 --quiet -o "$WORKDIR/out.png")
declare -A WALL RSS
cases=(count)
IFS=, read -ra kinds <<<"$KINDS"
cases+=("${kinds[@]}")
[ "$NUMPY" = 1 ] && cases+=(numpy-mean)
# warm the page cache and the bounds cache once
"$VASTPLOT" "${COMMON[@]}" --value 2 >/dev/null 2>&1 || true
for ((r = 0; r < REPEAT; r++)); do
    for c in "${cases[@]}"; do
        case "$c" in
            count) out=$(run_one "$VASTPLOT" "${COMMON[@]}") ;;
            numpy-mean) out=$(run_one "$PY" - "$DATA" <<'EOF'
import sys
import numpy as np
a = np.memmap(sys.argv[1], dtype="<f4", mode="r").reshape(-1, 3)
lim = [[float(a[:, 0].min()), float(a[:, 0].max())], [float(a[:, 1].min()), float(a[:, 1].max())]]
n, _, _ = np.histogram2d(a[:, 0], a[:, 1], bins=(1920, 1080), range=lim)
s, _, _ = np.histogram2d(a[:, 0], a[:, 1], bins=(1920, 1080), range=lim, weights=a[:, 2])
with np.errstate(invalid="ignore"):
    mean = s / n
EOF
) ;;
            *) out=$(run_one "$VASTPLOT" "${COMMON[@]}" --value 2 --agg "$c") ;;
        esac
        WALL[$c]+="${out% *} "
        RSS[$c]+="${out#* } "
    done
done

printf '%d records of (x, y, w) float32, 1920x1080, %d runs each, interleaved; %s\n' "$N" "$REPEAT" \
    "$("$VASTPLOT" --version 2>&1 | head -1)"
ratio_table 12 Mpoints/s vs_count count
