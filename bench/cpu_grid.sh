#!/usr/bin/env bash
# CPU accumulation on large pictures: points/s and peak RSS of
#   1920x1080 (all cores), 8192x8192 (--threads 24), 16384x16384 (all cores)
# each also as a ratio to the 1920x1080 render of the same binary (the baseline).
# "acc" is the accumulation alone (from --verbose), "total" the whole render
# (tone map and PNG included); RSS is the whole process's peak (/usr/bin/time).
# usage: bench/cpu_grid.sh [VASTPLOT [DATA.f32 [OTHER_VASTPLOT]]]
#   DATA defaults to /tmp/vastplot-bench/p1e8.f32, made by gen_data.py (10^8 points);
#   OTHER_VASTPLOT (e.g. a build from before a change) is measured the same way.
#   REPEAT=n (default 3) runs each case n times and keeps the fastest.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=$(realpath "${1:-$here/../build-c/vastplot}")
data=${2:-/tmp/vastplot-bench/p1e8.f32}
other=${3:-}
repeat=${REPEAT:-3}
if [ ! -f "$data" ]; then
    mkdir -p "$(dirname "$data")"
    /usr/bin/python3 "$here/gen_data.py" 100000000 "$data"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat "$data" > /dev/null # warm the page cache
lim="--xlim -7 7 --ylim -6 6" # gen_data.py's box

# one case: prints "acc_mpts total_mpts rss_mib acc_s total_s"
one() {
    local b=$1 size=$2 threads=$3 best=""
    for _ in $(seq "$repeat"); do
        /usr/bin/time -f '%M' -o "$tmp/rss" "$b" render "$data" --size "$size" $threads $lim \
            --accumulate cpu --no-cache --verbose -o "$tmp/out.png" 2> "$tmp/log"
        local acc total pts rss
        acc=$(sed -n 's/.*; accumulation \([0-9.]*\) s.*/\1/p' "$tmp/log")
        total=$(sed -n 's/.* in \([0-9.]*\) s, .*/\1/p' "$tmp/log")
        pts=$(sed -n 's/^vastplot: \([0-9]*\) points read.*/\1/p' "$tmp/log")
        rss=$(tail -n 1 "$tmp/rss")
        if [ -z "$best" ] || awk -v a="$acc" -v b="${best%% *}" 'BEGIN { exit !(a < b) }'; then
            best="$acc $total $pts $rss"
        fi
    done
    set -- $best
    awk -v acc="$1" -v total="$2" -v pts="$3" -v rss="$4" \
        'BEGIN { printf "%.1f %.1f %.0f %.3f %.3f\n", pts / acc / 1e6, pts / total / 1e6, rss / 1024, acc, total }'
}

report() {
    local b=$1
    echo "== $b"
    printf '%-12s %-10s %10s %10s %9s %9s %9s %12s\n' size threads "acc Mpt/s" "tot Mpt/s" "acc s" "total s" "RSS MiB" "acc vs 1080p"
    local base=""
    for c in "1920x1080:" "8192x8192:--threads 24" "16384x16384:"; do
        local size=${c%%:*} thr=${c#*:}
        set -- $(one "$b" "$size" "$thr")
        [ -n "$base" ] || base=$1
        printf '%-12s %-10s %10s %10s %9s %9s %9s %12s\n' "$size" "${thr:-all}" "$1" "$2" "$4" "$5" "$3" \
            "$(awk -v a="$1" -v b="$base" 'BEGIN { printf "%.2fx", a / b }')"
    done
}

report "$bin"
[ -z "$other" ] || report "$(realpath "$other")"
