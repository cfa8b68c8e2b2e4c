#!/bin/bash
# The MPI mode's scaling on one machine (docs/mpi.md): `vastplot render` of a
# raw f32 file of N (x, y) points (default 10^8, 800 MB) at 1920x1080 with 1
# process and with 1, 2, ... ranks under mpirun, best of REPEAT runs each.
# Ranks use --threads ${THREADS:-1} each (one core per rank, as on a node per
# rank at scale); the single process is timed with that and with all cores.
# Prints the rates and the time of the grid's reduce (from --verbose).
# Measured numbers and a 64-node estimate: docs/mpi.md.
#   bench/mpi_scaling.sh [BUILD_DIR] [N] [RANKS...]     e.g. bench/mpi_scaling.sh build-mpi 1e8 1 2
set -euo pipefail
BUILD=${1:-build-mpi}
N=${2:-1e8}
shift $(( $# < 2 ? $# : 2 )) || true
RANKS=${*:-2}
REPEAT=${REPEAT:-3}
BIN=$BUILD/vastplot
WORK=${WORK:-/tmp/vastplot-mpi-bench}
mkdir -p "$WORK"
n=$(python3 -c "print(int(float('$N')))")
DATA=$WORK/points-$n.f32
if [ ! -s "$DATA" ]; then
    echo "writing $DATA ($n points)"
    python3 - "$DATA" "$n" <<'PY'
import sys, random, struct, array
path, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(1)
with open(path, 'wb') as f:
    block = 1 << 20
    base = array.array('f', (rng.gauss(0, 1) for _ in range(2 * block)))
    done = 0
    while done < n:  # a shifted copy per block: fast to write, not constant
        m = min(block, n - done)
        s = float(done % 977) * 1e-3
        a = array.array('f', (v + s for v in base[:2 * m]))
        f.write(a.tobytes())
        done += m
PY
fi
MPI="mpirun --oversubscribe --allow-run-as-root"
best() { # command...: the best wall time of REPEAT runs, and the last stderr in $WORK/last.err
    local b=
    for _ in $(seq "$REPEAT"); do
        local t0 t1
        t0=$(date +%s.%N)
        "$@" 2>"$WORK/last.err" >/dev/null
        t1=$(date +%s.%N)
        b=$(python3 -c "t=$t1-$t0; b='$b'; print(t if not b or t<float(b) else b)")
    done
    echo "$b"
}
OPTS="--size 1920x1080 --accumulate cpu --verbose --threads ${THREADS:-1}"
"$BIN" render "$DATA" -o "$WORK/warm.png" $OPTS 2>/dev/null  # the page cache warm
t=$(best "$BIN" render "$DATA" -o "$WORK/one.png" $OPTS)
printf "%-12s %8.3f s  %7.1f M points/s  (--threads ${THREADS:-1})\n" "1 process" "$t" "$(python3 -c "print($n/$t*1e-6)")"
t=$(best "$BIN" render "$DATA" -o "$WORK/one.png" $OPTS --threads "$(nproc)")
printf "%-12s %8.3f s  %7.1f M points/s  (all cores)\n" "1 process" "$t" "$(python3 -c "print($n/$t*1e-6)")"
for r in $RANKS; do
    t=$(best $MPI -n "$r" "$BIN" render "$DATA" -o "$WORK/mpi-$r.png" $OPTS)
    red=$(sed -n 's/.*grid reduced in \([0-9.]*\) s.*/\1/p' "$WORK/last.err")
    acc=$(sed -n 's/.*rank 0 binned chunks .* in \([0-9.]*\) s;.*/\1/p' "$WORK/last.err")
    printf "%-12s %8.3f s  %7.1f M points/s  (rank 0 binned its share in %s s, reduce %s s)\n" \
        "$r ranks" "$t" "$(python3 -c "print($n/$t*1e-6)")" "${acc:-?}" "${red:-?}"
done
