#!/usr/bin/env bash
# The column cache (src/load/colcache.h) and spill files, through the real
# binary: a cached render counts exactly what a --no-cache render counts; an
# appended, truncated, rewritten (mtime set back) or re-optioned file is parsed
# again; --no-cache and VASTPLOT_NO_CACHE write nothing; a damaged entry is
# noticed, removed and parsed again; a full disk for the cache folder warns
# and still draws the right picture; concurrent runs and a killed run leave
# only whole entries; standard input spills past the memory budget and counts
# the same. The full-disk part needs root (tmpfs mount), else it is skipped.
# usage: test_colcache.sh VASTPLOT_BINARY SCRATCH_DIR
set -u
B=$(realpath "$1")
D=$2
rm -rf "$D" && mkdir -p "$D" && cd "$D" || exit 1
unset DISPLAY WAYLAND_DISPLAY VASTPLOT_NO_CACHE VASTPLOT_CACHE_MAX VASTPLOT_MEM_BUDGET
export VASTPLOT_CACHE_DIR=$D/cols VASTPLOT_CACHE_MIN_BYTES=0
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }

# rows: x,y with decimals (float64 in the cache), a NaN row, a bad row and a comment
gen() { # gen ROWS SEED > file
    awk -v n="$1" -v s="$2" 'BEGIN { srand(s); print "x,y";
        for (i = 0; i < n; i++) {
            if (i == 1000) print "nan,1"; else if (i == 2000) print "oops,2"; else if (i == 3000) print "# c";
            else printf "%.6f,%.5f\n", rand() * 10 - 5, (rand() + rand()) * 3 - 3 }
    }'
}
R=(render --size 97x61 --accumulate cpu)
# counts NAME FILE [opts]: renders FILE to NAME.npy (counts) and NAME.err (stderr)
counts() {
    local name=$1 f=$2
    shift 2
    "$B" "${R[@]}" "$f" -o "$name.png" --save-counts "$name.npy" --verbose "$@" 2>"$name.err"
}
same() { cmp -s "$1.npy" "$2.npy"; }
hit() { grep -q 'read from the column cache' "$1.err"; }
stored() { grep -q 'stored in the column cache' "$1.err"; }
entries() { find "$VASTPLOT_CACHE_DIR" -name '*.cols' 2>/dev/null | wc -l; }

gen 120000 1 > a.csv
counts ref a.csv --no-cache
check "--no-cache writes nothing" '[ "$(find "$D/cols" -type f 2>/dev/null | wc -l)" = 0 ]'
VASTPLOT_NO_CACHE=1 counts ref2 a.csv
check "VASTPLOT_NO_CACHE=1 writes nothing" '[ "$(find "$D/cols" -type f 2>/dev/null | wc -l)" = 0 ] && same ref ref2'
counts miss a.csv
check "first render stores the columns" 'stored miss && [ "$(entries)" = 1 ]'
check "first render counts = --no-cache" 'same ref miss'
counts hit a.csv
check "second render reads the cache" 'hit hit'
check "cache hit counts = --no-cache" 'same ref hit'
check "cache hit gives the same bad-row warning" \
    'grep "rows\? skipped" ref.err > w1; grep "rows\? skipped" hit.err > w2; [ -s w1 ] && cmp -s w1 w2'
check "no temporary files left" '[ -z "$(find "$D/cols" -name ".tmp-*")" ]'
# the same with given limits (another view of the same cache)
counts ref_l a.csv --no-cache --xlim -1 1 --ylim -1 1
counts hit_l a.csv --xlim -1 1 --ylim -1 1
check "zoomed view from the cache = --no-cache" 'hit hit_l && same ref_l hit_l'

# appended
echo "4.5,2.5" >> a.csv
counts ref a.csv --no-cache
counts app a.csv
check "appended file is parsed again" 'stored app && same ref app'
# truncated
head -n 100000 a.csv > t.tmp && cat t.tmp > a.csv
counts ref a.csv --no-cache
counts trunc a.csv
check "truncated file is parsed again" 'stored trunc && same ref trunc'
counts trunc2 a.csv
check "then read from the cache" 'hit trunc2 && same ref trunc2'
# rewritten in the middle, same size, modification time set back
touch -r a.csv stamp
sed -i.bak '50000s/^[0-9-]/9/' a.csv 2>/dev/null || sed -i '50000s/^./9/' a.csv
cmp -s a.csv a.csv.bak && bad "rewrite changed nothing"
touch -r stamp a.csv
counts ref a.csv --no-cache
counts rew a.csv
check "rewritten file (same size, mtime set back) is parsed again" 'stored rew && same ref rew'
# other options: other columns
counts ref_y a.csv --no-cache --x 1 --y 0
counts opt_y a.csv --x 1 --y 0
check "other columns: another entry" 'stored opt_y && same ref_y opt_y && [ "$(entries)" -ge 2 ]'
counts opt_y2 a.csv --x 1 --y 0
counts back a.csv
check "both entries hit" 'hit opt_y2 && hit back && same ref_y opt_y2 && same ref back'

# a damaged entry: cut short (index check) ...
for f in "$D"/cols/*.cols; do truncate -s -100 "$f"; done
counts dmg a.csv
check "cut-short entry: warning, parsed again, right counts" \
    'grep -q "damaged" dmg.err && stored dmg && same ref dmg'
# ... or with flipped bytes inside the data (chunk sums)
for f in "$D"/cols/*.cols; do
    printf '\x55\x55\x55\x55' | dd of="$f" bs=1 seek=20000 conv=notrunc status=none
done
counts flip a.csv
rc=$?
check "flipped bytes: an error naming the entry, and it is removed" \
    '[ $rc != 0 ] && grep -q "column cache entry .* is damaged" flip.err && [ "$(entries)" = 1 ]'
counts again a.csv
check "after removal: parsed again, right counts" 'stored again && same ref again'

# standard input spills past the memory budget and counts the same
VASTPLOT_MEM_BUDGET=65536 "$B" "${R[@]}" - -o in.png --save-counts stdin.npy < a.csv 2>stdin.err
check "standard input through a spill file = --no-cache" 'same ref stdin'
check "the spill file leaves nothing" '[ -z "$(find "$D/cols" -type f ! -name "*.cols")" ]'
VASTPLOT_MEM_BUDGET=65536 counts small a.csv --no-cache
check "a tiny memory budget without a cache: same counts" 'same ref small'

# concurrent first renders of one file: whole entries only, right counts
gen 400000 2 > big.csv
counts refb big.csv --no-cache
rm -rf "$D/cols"
for i in 1 2 3; do counts "c$i" big.csv & done
wait
check "three concurrent first renders count right" 'same refb c1 && same refb c2 && same refb c3'
check "one entry, no temporary files" '[ "$(entries)" = 1 ] && [ -z "$(find "$D/cols" -name ".tmp-*")" ]'
counts c4 big.csv
check "and the entry they left is whole" 'hit c4 && same refb c4'
# a run killed while parsing leaves nothing behind
rm -rf "$D/cols"
gen 2000000 3 > huge.csv
"$B" "${R[@]}" huge.csv -o k.png 2>/dev/null &
pid=$!
# killed once it holds its unnamed cache file open, i.e. while writing it
writing=0
for _ in $(seq 500); do
    if ls -l /proc/$pid/fd 2>/dev/null | grep -q "$D/cols"; then writing=1; break; fi
    sleep 0.01
done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
check "a run killed while writing its entry leaves no entry and no temporary file" \
    '[ $writing = 1 ] && [ -z "$(find "$D/cols" -type f 2>/dev/null)" ]'

# a full disk for the cache folder (needs root for a tmpfs)
mkdir -p full
if [ "$(id -u)" != 0 ] || ! mount -t tmpfs -o size=32m tmpfs full 2>/dev/null; then
    echo "skip full disk: mounting a tmpfs needs root"
else
    trap 'umount "$D/full" 2>/dev/null' EXIT
    # 1.5 M rows of 8 bytes: 12 MB of text; x (k * 1e-10) needs float64, y (small
    # integers) fits float32: 18 MB of columns
    awk 'BEGIN { for (i = 0; i < 1500000; i++) printf "%de-10,%d\n", i % 9 + 1, i % 7 + 1 }' > f.csv
    counts reff f.csv --no-cache
    # room for the check before writing (the text's size + a tenth of the disk), not for the columns
    avail=$(df -B1 --output=avail full | tail -n 1)
    want=$(( $(stat -c %s f.csv) + 32 * 1024 * 1024 / 10 + 1024 * 1024 ))
    fallocate -l $((avail - want)) full/fill 2>/dev/null ||
        dd if=/dev/zero of=full/fill bs=1M count=$(((avail - want) >> 20)) status=none
    VASTPLOT_CACHE_DIR=$D/full/cols counts fullw f.csv
    rc=$?
    check "disk full while writing: rc 0, right counts" '[ $rc = 0 ] && same reff fullw'
    check "disk full while writing: a warning" 'grep -q "column cache not written.*No space left" fullw.err'
    check "disk full: nothing left in the cache folder" '[ -z "$(find full/cols -type f)" ]'
    rm -f full/fill
    avail=$(df -B1 --output=avail full | tail -n 1)
    fallocate -l $((avail - 1024 * 1024)) full/fill 2>/dev/null ||
        dd if=/dev/zero of=full/fill bs=1M count=$(((avail >> 20) - 1)) status=none
    VASTPLOT_CACHE_DIR=$D/full/cols counts fullb f.csv
    rc=$?
    check "no room before writing: rc 0, a warning, right counts" \
        '[ $rc = 0 ] && grep -q "column cache not written: only" fullb.err && same reff fullb'
    VASTPLOT_MEM_BUDGET=65536 VASTPLOT_CACHE_DIR=$D/full/cols "$B" "${R[@]}" - -o in.png \
        --save-counts fulls.npy < f.csv 2>fulls.err
    rc=$?
    check "standard input with a full spill disk: rc 0, a warning, right counts" \
        '[ $rc = 0 ] && grep -q "spill file could not be written" fulls.err && same reff fulls'
    umount full
    trap - EXIT
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
