#!/usr/bin/env bash
# libvastplot's ABI: the shared library next to the vastplot binary exports
# exactly the symbols of tests/abi/libvastplot.symbols (the C API of
# include/vastplot/vastplot.h, version node VASTPLOT_1), every one declared in
# the header, and its soname is libvastplot.so.1; pkg-config's file names it.
# A symbol added to the API is added to the list by hand; one missing or one
# extra fails. Then the build is installed into the scratch dir and a program
# built with pkg-config's flags uses it, and the installed vastplot runs.
# usage: test_abi.sh VASTPLOT_BINARY SCRATCH_DIR
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
ldd "$BIN" | grep 'libvastplot.so.1' >/dev/null || { echo "FAIL $BIN does not link libvastplot.so.1"; fail=1; }
grep -q -- '-lvastplot' "$DIR/vastplot.pc" || { echo "FAIL $DIR/vastplot.pc does not give -lvastplot"; fail=1; }
# installed: a program built with pkg-config's flags against the installed
# header and library counts samples through the API
SCRATCH=${2:-$(mktemp -d)}
rm -rf "$SCRATCH" && mkdir -p "$SCRATCH"
if nm -D "$LIB" | grep ' U __asan_init' >/dev/null; then
    echo "note: a sanitizer build: the install check (a plain program linked against it) is left to the normal build"
elif command -v cmake >/dev/null && command -v cc >/dev/null && command -v pkg-config >/dev/null &&
    [ -f "$DIR/cmake_install.cmake" ]; then
    cmake --install "$DIR" --prefix "$SCRATCH/prefix" >/dev/null || { echo "FAIL cmake --install"; fail=1; }
    pc=$(find "$SCRATCH/prefix" -name vastplot.pc | head -1)
    cat >"$SCRATCH/use.c" <<'CEOF'
#include <stdio.h>
#include <vastplot/vastplot.h>
int main(void)
{
    float x[5] = {0, 1, 2, 3, 4}, y[5] = {0, 1, 0, 1, 0};
    vastplot_array ax = {x, VASTPLOT_F32, sizeof x[0], 5}, ay = {y, VASTPLOT_F32, sizeof y[0], 5};
    char err[VASTPLOT_ERROR_BYTES];
    vastplot *p = vastplot_from_arrays(&ax, &ay, err);
    uint64_t c[4];
    if (!p || vastplot_set_view(p, 0, 4, 0, 1, 2, 2) != 0 || vastplot_counts(p, c, NULL) != 0)
        return printf("error: %s\n", p ? vastplot_error(p) : err), 1;
    printf("%s %llu %llu %llu %llu\n", vastplot_version(), (unsigned long long)c[0], (unsigned long long)c[1],
           (unsigned long long)c[2], (unsigned long long)c[3]);
    vastplot_destroy(p);
    return 0;
}
CEOF
    if [ -z "$pc" ]; then
        echo "FAIL no vastplot.pc installed"; fail=1
    elif ! cc -o "$SCRATCH/use" "$SCRATCH/use.c" $(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --cflags --libs vastplot) \
        2>"$SCRATCH/cc.log"; then
        echo "FAIL building against the installed library:"; cat "$SCRATCH/cc.log"; fail=1
    else
        libdir=$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --variable=libdir vastplot)
        out=$(LD_LIBRARY_PATH=$libdir "$SCRATCH/use") || { echo "FAIL the program: $out"; fail=1; }
        # x 0 1 | 2 3 4 (the closing edge), y 0 | 1: bottom row (0, 2, 4) -> 1 2, top (1, 3) -> 1 1
        "$SCRATCH/prefix/bin/vastplot" --version >/dev/null ||
            { echo "FAIL the installed vastplot does not run (its library?)"; fail=1; }
        case "$out" in
            *" 1 2 1 1") echo "ok   built with pkg-config against the installed libvastplot: $out" ;;
            *) echo "FAIL the installed library counted '$out', want '... 1 2 1 1'"; fail=1 ;;
        esac
    fi
fi
[ "$fail" = 0 ] && echo "ok   libvastplot exports $(echo "$got" | wc -l) symbols, all in the list and the header"
exit $fail
