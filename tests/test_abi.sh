#!/usr/bin/env bash
# libvastplot's ABI: the shared library next to the vastplot binary exports
# exactly the symbols of tests/abi/libvastplot.symbols (the C API of
# include/vastplot/vastplot.h, version node VASTPLOT_1), every one declared in
# the header, and its soname is libvastplot.so.1; pkg-config's file names it.
# A symbol added to the API is added to the list by hand; one missing or one
# extra fails. usage: test_abi.sh VASTPLOT_BINARY SCRATCH_DIR
set -euo pipefail
BIN=$1
DIR=$(dirname "$(readlink -f "$BIN")")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LIB=$DIR/libvastplot.so
[ -e "$LIB" ] || { echo "no $LIB (a fuzzing build links the engine statically)"; exit 77; }
command -v nm >/dev/null || { echo "nm missing (binutils)"; exit 77; }
fail=0
got=$(nm -D --defined-only "$LIB" | awk '$2 == "T" {print $3}' | sort)
want=$(sort "$HERE/abi/libvastplot.symbols")
if [ "$got" != "$want" ]; then
    echo "FAIL exported symbols differ from tests/abi/libvastplot.symbols (- list, + library):"
    diff <(echo "$want") <(echo "$got") | grep '^[<>]' | sed 's/^</-/; s/^>/+/'
    fail=1
fi
# every exported function is declared in the public header
for s in $(echo "$got" | sed 's/@.*//'); do
    grep -q "\b$s(" "$HERE/../include/vastplot/vastplot.h" || { echo "FAIL $s is not declared in vastplot.h"; fail=1; }
done
soname=$(readelf -d "$LIB" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
[ "$soname" = libvastplot.so.1 ] || { echo "FAIL soname is '$soname', want libvastplot.so.1"; fail=1; }
# the program itself links the library
ldd "$BIN" | grep -q 'libvastplot.so.1' || { echo "FAIL $BIN does not link libvastplot.so.1"; fail=1; }
grep -q -- '-lvastplot' "$DIR/vastplot.pc" || { echo "FAIL $DIR/vastplot.pc does not give -lvastplot"; fail=1; }
[ "$fail" = 0 ] && echo "ok   libvastplot exports $(echo "$got" | wc -l) symbols, all in the list and the header"
exit $fail
