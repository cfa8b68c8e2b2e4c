# What the interleaved bench scripts (agg.sh, lines.sh, python_hist.sh) share;
# sourced, not run: `. "$HERE/common.sh"` after HERE is set.

die() { echo "$(basename "$0"): error: $*" >&2; exit 1; }

# The median of the numbers on standard input (separated by spaces or lines).
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# Runs the command with its output in $WORKDIR; prints "wall_s rss_kb"
# (/usr/bin/time), or shows its standard error and dies when it fails.
run_one() {
    local t=$WORKDIR/time.txt
    /usr/bin/time -f "%e %M" -o "$t" "$@" >/dev/null 2>"$WORKDIR/stderr.txt" ||
        { cat "$WORKDIR/stderr.txt" >&2; die "failed: $*"; }
    cat "$t"
}

# The table of medians of WALL[case] and RSS[case] for cases ("${cases[@]}"),
# N samples each: CASE_WIDTH the first column's width, RATE the rate
# column's name (per second, in millions), BASE the case the last column
# (RATIO, wall / BASE's wall) compares with.
ratio_table() { # CASE_WIDTH RATE RATIO BASE
    local cw=$1 rate=$2 ratio=$3 base c w m
    base=$(echo "${WALL[$4]}" | median)
    printf "%-${cw}s %10s %12s %12s %10s\n" case wall_s "$rate" peak_MiB "$ratio"
    for c in "${cases[@]}"; do
        w=$(echo "${WALL[$c]}" | median)
        m=$(echo "${RSS[$c]}" | median)
        awk -v c="$c" -v w="$w" -v m="$m" -v n="$N" -v b="$base" -v cw="$cw" \
            'BEGIN {printf "%-" cw "s %10.3f %12.1f %12.1f %10.2f\n", c, w, n / w / 1e6, m / 1024, w / b}'
    done
}
