#!/usr/bin/env bash
# The column cache on a big CSV: peak RSS and parse throughput of the first
# render (cache miss: parsed and stored), the second render (cache hit) and
# the raw float32 render of the same points, all in one run, as ratios.
#
# usage: bench/column_cache.sh [--dir WORKDIR] [--gb G] [--repeat N] [--vastplot PATH]
#
# Generates WORKDIR/cc-G.csv once (G GB of "lon,lat,mag" rows, default 5) and
# WORKDIR/cc-G.f32 (the same rows' x,y as float32) with bench/csv_pair.c.
# The cache goes to WORKDIR/cache (VASTPLOT_CACHE_DIR), emptied before each
# miss. Each figure is the median of --repeat runs (default 3), each command
# timed by /usr/bin/time (wall seconds, peak RSS). The files are read once
# first so they come from the page cache: this times vastplot, not the disk.
# Needs about 2.3x G GB of disk (text, float32 copy, cache).
set -euo pipefail
export LC_ALL=C
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
WORKDIR=/tmp/vastplot-bench/cc
GB=5
REPEAT=3
VASTPLOT=${VASTPLOT:-$ROOT/build/vastplot}
while [ $# -gt 0 ]; do
    case $1 in
        --dir) WORKDIR=$2; shift 2 ;;
        --gb) GB=$2; shift 2 ;;
        --repeat) REPEAT=$2; shift 2 ;;
        --vastplot) VASTPLOT=$2; shift 2 ;;
        -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (Debian package time)" >&2; exit 1; }
mkdir -p "$WORKDIR"
cp "$VASTPLOT" "$WORKDIR/vastplot"
VP=$WORKDIR/vastplot
cc -O2 -o "$WORKDIR/csv_pair" "$HERE/csv_pair.c" -lm
CSV=$WORKDIR/cc-$GB.csv
F32=$WORKDIR/cc-$GB.f32
if [ ! -s "$CSV" ] || [ ! -s "$F32" ]; then
    # a row is about 30 bytes
    rows=$(awk -v g="$GB" 'BEGIN { printf "%.0f", g * 1e9 / 30.4 }')
    echo "generating $CSV and $F32 ($rows rows) ..."
    "$WORKDIR/csv_pair" "$rows" "$CSV.tmp" "$F32.tmp"
    mv "$CSV.tmp" "$CSV"
    mv "$F32.tmp" "$F32"
fi
BYTES=$(stat -c %s "$CSV")
ROWS=$(( $(stat -c %s "$F32") / 8 ))
cat "$CSV" "$F32" > /dev/null
export VASTPLOT_CACHE_DIR=$WORKDIR/cache
OPTS=(--size 1920x1080 --accumulate cpu -q)

# timed LABEL CMD...: one run, appends "LABEL wall rss_kb" to $WORKDIR/times
timed() {
    local label=$1; shift
    /usr/bin/time -f "%e %M" -o "$WORKDIR/t.txt" "$@" || { echo "failed: $*" >&2; exit 1; }
    echo "$label $(cat "$WORKDIR/t.txt")" >> "$WORKDIR/times"
}
: > "$WORKDIR/times"
for _ in $(seq "$REPEAT"); do
    rm -rf "$VASTPLOT_CACHE_DIR"
    timed miss "$VP" render "$CSV" -o "$WORKDIR/miss.png" "${OPTS[@]}"
    timed hit "$VP" render "$CSV" -o "$WORKDIR/hit.png" "${OPTS[@]}"
    timed raw "$VP" render "$F32" -o "$WORKDIR/raw.png" "${OPTS[@]}"
done
cmp -s "$WORKDIR/miss.png" "$WORKDIR/hit.png" || { echo "the cache hit drew another picture" >&2; exit 1; }
CACHE_BYTES=$(du -sb "$VASTPLOT_CACHE_DIR" | cut -f1)
med() { grep "^$1 " "$WORKDIR/times" | awk -v c="$2" '{print $c}' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mw=$(med miss 2); mr=$(med miss 3); hw=$(med hit 2); hr=$(med hit 3); rw=$(med raw 2); rr=$(med raw 3)
echo "## Column cache: $((BYTES / 1000000)) MB CSV, $ROWS rows, 1920x1080, CPU path (median of $REPEAT)"
echo
echo "| run | seconds | peak RSS | throughput | vs raw float32 |"
echo "|---|---:|---:|---:|---:|"
awk -v b="$BYTES" -v n="$ROWS" -v mw="$mw" -v mr="$mr" -v hw="$hw" -v hr="$hr" -v rw="$rw" -v rr="$rr" 'BEGIN {
    printf "| first render (parse + store) | %.2f | %.0f MiB | %.0f MB/s of text | %.2fx |\n", mw, mr / 1024, b / mw / 1e6, mw / rw
    printf "| second render (cache hit) | %.2f | %.0f MiB | %.0f M rows/s | %.2fx |\n", hw, hr / 1024, n / hw / 1e6, hw / rw
    printf "| raw float32, same points | %.2f | %.0f MiB | %.0f M rows/s | 1.00x |\n", rw, rr / 1024, n / rw / 1e6
}'
echo
echo "cache entry: $((CACHE_BYTES / 1000000)) MB ($(awk -v c="$CACHE_BYTES" -v n="$ROWS" 'BEGIN { printf "%.1f", c / n }') bytes/row)"
