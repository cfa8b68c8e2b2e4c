#!/usr/bin/env bash
# Text (CSV) parsing speed: vastplot's parser against numpy.loadtxt and pandas.read_csv.
#
# usage: bench/text_bench.sh [WORKDIR] [--rows N] [--repeat N] [--full] [--skip-numpy]
#
# Generates WORKDIR/points-N.csv once (default 10^7 rows "x,y,z" with a header,
# about 300 MB, values like -122.419416 and 1.2346e-05; with --full every value
# in %.17g, ~570 MB; see bench/text_bench.c), reads it once to put it in the page
# cache, then times each reader REPEAT times (default 3) and reports the median
# as MB/s and rows/s, and the ratio to pandas. Every reader parses the x and y
# columns into float64. The Python readers are timed around the read call only;
# vastplot's parser (bench/text_bench.c, compiled here with cc -O3 like the
# Release build, against src/load/text.c and src/core/err.c) is timed around its
# read()+parse loop, on one core, reading 128 KiB pieces as a file reader would.
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
PY=/usr/bin/python3            # Debian's python, with python3-numpy and python3-pandas

WORKDIR=/tmp/vastplot-text-bench
ROWS=10000000
REPEAT=3
SKIP_NUMPY=0
FULL=0

die() { echo "text_bench.sh: error: $*" >&2; exit 1; }
usage() { sed -n '2,4p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

while [ $# -gt 0 ]; do
    case "$1" in
        --rows)       ROWS=${2:?--rows needs a value}; shift 2 ;;
        --repeat)     REPEAT=${2:?--repeat needs a value}; shift 2 ;;
        --skip-numpy) SKIP_NUMPY=1; shift ;;
        --full)       FULL=1; shift ;;
        -h|--help)    usage 0 ;;
        -*)           echo "text_bench.sh: unknown option $1" >&2; usage 2 ;;
        *)            WORKDIR=$1; shift ;;
    esac
done
[[ "$REPEAT" =~ ^[1-9][0-9]*$ ]] || die "--repeat must be a positive integer, got '$REPEAT'"
ROWS=$(printf '%.0f' "$ROWS") || die "--rows must be a number, got '$ROWS'"

# ---------------------------------------------------------------- prerequisites
missing=()
command -v cc >/dev/null || missing+=("gcc (for cc)")
[ -x "$PY" ] || missing+=("python3 (for $PY)")
if [ -x "$PY" ]; then
    for pair in numpy:python3-numpy pandas:python3-pandas; do
        "$PY" -c "import ${pair%%:*}" 2>/dev/null || missing+=("${pair#*:} (python module ${pair%%:*})")
    done
fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "text_bench.sh: missing prerequisites; install the Debian packages:" >&2
    printf '  %s\n' "${missing[@]}" >&2
    echo "  e.g. sudo apt-get install ${missing[*]%% *}" >&2
    exit 1
fi
unset OPENBLAS_NUM_THREADS OMP_NUM_THREADS 2>/dev/null || true

mkdir -p "$WORKDIR"
BIN=$WORKDIR/text_bench
cc -std=c11 -O3 -DNDEBUG -D_GNU_SOURCE -I"$ROOT/src" -o "$BIN" \
    "$HERE/text_bench.c" "$ROOT/src/load/text.c" "$ROOT/src/load/numparse.c" "$ROOT/src/load/text_par.c" \
    "$ROOT/src/core/err.c" -lm -pthread ||
    die "could not build $BIN"

STYLE=; SUFFIX=
if [ "$FULL" = 1 ]; then STYLE=full; SUFFIX=-full; fi
DATA=$WORKDIR/points-$ROWS$SUFFIX.csv
if [ ! -s "$DATA" ]; then
    echo "generating $DATA ($ROWS rows) ..."
    "$BIN" gen "$ROWS" "$DATA.tmp" $STYLE && mv "$DATA.tmp" "$DATA"
fi
BYTES=$(stat -c %s "$DATA")
cat "$DATA" > /dev/null        # into the page cache: this times parsing, not the disk

# run LABEL CMD...: REPEAT timed runs; prints "LABEL median_seconds rows sum_x sum_y"
run() {
    local label=$1; shift
    local secs=() line=""
    for _ in $(seq "$REPEAT"); do
        line=$("$@") || die "$label failed: $*"
        secs+=("$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' <<<"$line")")
    done
    local med
    med=$(printf '%s\n' "${secs[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    local rows sx sy
    rows=$(sed -n 's/.*rows=\([0-9]*\).*/\1/p' <<<"$line")
    sx=$(sed -n 's/.*sum_x=\([^ ]*\).*/\1/p' <<<"$line")
    sy=$(sed -n 's/.*sum_y=\([^ ]*\).*/\1/p' <<<"$line")
    echo "$label $med $rows $sx $sy"
}

echo "file: $DATA ($BYTES bytes), $REPEAT runs each, median shown"
echo "cpu:  $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(nproc) cores (each reader uses one)"
results=()
results+=("$(run vastplot "$BIN" parse "$DATA")")
results+=("$(run pandas.read_csv "$PY" "$HERE/text_peers.py" pandas "$DATA")")
if [ "$SKIP_NUMPY" = 0 ]; then
    results+=("$(run numpy.loadtxt "$PY" "$HERE/text_peers.py" numpy "$DATA")")
fi

printf '%s\n' "${results[@]}" | awk -v bytes="$BYTES" -v want="$ROWS" '
    { label[NR] = $1; sec[NR] = $2; rows[NR] = $3; sx[NR] = $4; sy[NR] = $5
      if ($1 == "pandas.read_csv") pandas = $2 }
    END {
        printf "\n%-16s %9s %9s %12s %10s   %s\n", "reader", "seconds", "MB/s", "M rows/s", "vs pandas", "checksum (sum x, sum y)"
        for (i = 1; i <= NR; i++) {
            printf "%-16s %9.3f %9.1f %12.2f %9.2fx   %s %s\n", label[i], sec[i], bytes / sec[i] / 1e6,
                   rows[i] / sec[i] / 1e6, pandas / sec[i], sx[i], sy[i]
            if (rows[i] != want) { printf "  %s read %s rows, expected %s\n", label[i], rows[i], want; bad = 1 }
        }
        exit bad
    }' || die "a reader returned the wrong number of rows"
