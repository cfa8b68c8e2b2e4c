#!/usr/bin/env bash
# Memory under load: 2^32 + 2^20 samples (a sparse file of zeros, one u8 sample
# per byte, y against the record index) all on one pixel, binned by a single
# thread, so the 32-bit partial grid must be folded into the 64-bit one before
# it overflows. The count must read back exactly, the summary's 64-bit totals
# too, and peak RSS must stay bounded. Takes about 20 s (labelled "slow").
# usage: test_big.sh VASTPLOT_BINARY SCRATCH_DIR
set -u
B=$(realpath "$1")
D=$2
rm -rf "$D" && mkdir -p "$D" && cd "$D" || exit 1
unset DISPLAY WAYLAND_DISPLAY
n=$(( (1 << 32) + (1 << 20) ))
truncate -s "$n" big.u8 || { echo "cannot make a sparse file here: skip"; exit 77; }
/usr/bin/time -f '%M' -o rss.txt "$B" render big.u8 --dtype u8 --y-only --threads 1 --no-cache \
    --xlim 0 1e10 --ylim -1 1 --size 1x1 -o big.png --save-counts big.npy 2> log.txt
rc=$?
cat log.txt
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass + 1)); echo "ok   $1"; else fail=$((fail + 1)); echo "FAIL $1"; fi; }
check "render succeeded" '[ $rc = 0 ]'
check "summary counts every point (64-bit)" 'grep -q "$n points read, $n drawn, 0 skipped" log.txt'
# the .npy holds one little-endian uint64 after its header (last 8 bytes)
got=$(tail -c 8 big.npy | od -An -t u8 | tr -d ' ')
check "pixel count $n past 2^32 (got $got)" '[ "$got" = "$n" ]'
rss=$(tail -n 1 rss.txt)
check "peak RSS ${rss} KiB under 400 MiB" '[ "$rss" -lt 409600 ]'
rm -f big.u8
echo "$pass passed, $fail failed"
[ $fail = 0 ]
