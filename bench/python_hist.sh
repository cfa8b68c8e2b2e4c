#!/usr/bin/env bash
# vastplot.histogram2d (the Python front over libvastplot) against
# numpy.histogram2d and fast_histogram.histogram2d on the same pairs: a
# numpy.memmap of N float32 (x, y) records, 1920 x 1080 bins over the data's
# range, each tool in a fresh process, the cases interleaved R times; median
# wall time, points per second and peak RSS (/usr/bin/time), with ratios to
# numpy.histogram2d of the same run. vastplot's grid is checked equal to
# numpy's once.
#
# usage: bench/python_hist.sh [--dir WORKDIR] [--points N] [--repeat R] [--build DIR]
# needs: python3-numpy, python3-cffi, python3-fast-histogram (optional), time
set -euo pipefail
export LC_ALL=C
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
PY=/usr/bin/python3
WORKDIR=/tmp/vastplot-bench-python
POINTS=100000000
REPEAT=3
BUILD=$ROOT/build
. "$HERE/common.sh"
while [ $# -gt 0 ]; do
    case "$1" in
        --dir)    WORKDIR=${2:?}; shift 2 ;;
        --points) POINTS=${2:?}; shift 2 ;;
        --repeat) REPEAT=${2:?}; shift 2 ;;
        --build)  BUILD=${2:?}; shift 2 ;;
        -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument $1" ;;
    esac
done
[ -e "$BUILD/libvastplot.so" ] || die "no $BUILD/libvastplot.so (build it, or pass --build)"
[ -x /usr/bin/time ] || die "needs /usr/bin/time (Debian package: time)"
export VASTPLOT_LIBRARY=$BUILD/libvastplot.so PYTHONPATH=$ROOT/python${PYTHONPATH:+:$PYTHONPATH}
"$PY" -c 'import numpy, vastplot' || die "needs numpy and the vastplot package (python/)"
cases=(numpy vastplot)
"$PY" -c 'import fast_histogram' 2>/dev/null && cases+=(fast_histogram) ||
    echo "(fast_histogram not installed: Debian package python3-fast-histogram)" >&2
mkdir -p "$WORKDIR"
N=$("$PY" -c "print(int(float('$POINTS')))")
DATA=$WORKDIR/pairs-$N.f32
if [ ! -s "$DATA" ]; then
    echo "writing $N float32 pairs to $DATA" >&2
    "$PY" - "$N" "$DATA" <<'PYEOF'
import os, sys
import numpy as np
n, out = int(sys.argv[1]), sys.argv[2]
rng = np.random.default_rng(n)
with open(out + ".tmp", "wb") as f:
    for s in range(0, n, 10_000_000):
        m = min(n - s, 10_000_000)
        x = rng.standard_normal(m)
        y = 0.5 * x + rng.standard_normal(m)
        np.stack([x, y], axis=1).astype("<f4").tofile(f)
os.replace(out + ".tmp", out)
PYEOF
fi
# the range once (min/max), shared by every case, so all bin the same view
RANGE=$("$PY" -c "
import numpy as np, sys
a = np.memmap('$DATA', dtype='<f4', mode='r').reshape(-1, 2)
print(float(a[:, 0].min()), float(a[:, 0].max()), float(a[:, 1].min()), float(a[:, 1].max()))")
read -r X0 X1 Y0 Y1 <<<"$RANGE"
prog() { # case -> a python program
    local head="import numpy as np, sys
a = np.memmap('$DATA', dtype='<f4', mode='r').reshape(-1, 2)
x, y = a[:, 0], a[:, 1]
r = [[$X0, $X1], [$Y0, $Y1]]"
    case "$1" in
        numpy) echo "$head
h = np.histogram2d(x, y, bins=(1920, 1080), range=r)[0]" ;;
        vastplot) echo "$head
import vastplot
h = vastplot.histogram2d(x, y, bins=(1920, 1080), range=r)[0]" ;;
        fast_histogram) echo "$head
import fast_histogram
h = fast_histogram.histogram2d(x, y, bins=(1920, 1080), range=r)" ;;
    esac
}
# equal grids (and a warm page cache)
"$PY" -c "$(prog numpy)
import vastplot
v = vastplot.histogram2d(x, y, bins=(1920, 1080), range=r)[0]
assert np.array_equal(v, h), 'vastplot.histogram2d differs from numpy.histogram2d'
print('grids equal: %d samples binned' % int(h.sum()), file=sys.stderr)"
declare -A WALL RSS
for ((k = 0; k < REPEAT; k++)); do
    for c in "${cases[@]}"; do
        /usr/bin/time -f "%e %M" -o "$WORKDIR/time.txt" "$PY" -c "$(prog "$c")" ||
            die "$c failed"
        read -r w m <"$WORKDIR/time.txt"
        WALL[$c]+="$w "
        RSS[$c]+="$m "
    done
done
base=$(echo "${WALL[numpy]}" | median)
printf '%d float32 pairs (numpy.memmap), 1920x1080 bins, %d runs each, interleaved, %d cores\n' "$N" "$REPEAT" "$(nproc)"
printf '%-15s %9s %11s %10s %10s\n' case wall_s Mpoints/s peak_MiB vs_numpy
for c in "${cases[@]}"; do
    w=$(echo "${WALL[$c]}" | median); m=$(echo "${RSS[$c]}" | median)
    awk -v c="$c" -v w="$w" -v m="$m" -v n="$N" -v b="$base" \
        'BEGIN {printf "%-15s %9.2f %11.1f %10.1f %10.2f\n", c, w, n / w / 1e6, m / 1024, b / w}'
done
echo "(vs_numpy: how many times faster than numpy.histogram2d)"
