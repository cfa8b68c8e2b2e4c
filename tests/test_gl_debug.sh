#!/usr/bin/env bash
# --gl-debug on small renders through every GL path (CPU and GPU accumulation,
# the GL tone-map pass, the overlay): the KHR_debug callback and glad's
# post-call hook are on, nothing they print is an error, and the PNG is
# still written. Skips (77) when there is no OpenGL 4.5 here.
# usage: test_gl_debug.sh VASTPLOT_BINARY SCRATCH_DIR
set -u
B=$(realpath "$1")
D=$2
rm -rf "$D" && mkdir -p "$D" && cd "$D" || exit 1
unset DISPLAY WAYLAND_DISPLAY

if ! "$B" demo -o probe.png --points 1000 2>probe.txt; then
    if grep -q -e "OpenGL" -e "EGL" probe.txt; then
        echo "SKIP: no OpenGL 4.5 here: $(cat probe.txt)"; exit 77
    fi
    echo "FAIL: the probe render failed: $(cat probe.txt)"; exit 1
fi

awk 'BEGIN { print "x,y"; for (i = 0; i < 5000; i++) printf "%.6f,%.6f\n", sin(i * 0.37) * i, cos(i * 0.11) }' > pts.csv

pass=0 fail=0
# run NAME ARGS...: exit 0, a PNG, no GL error said on stderr
run() {
    local name=$1
    shift
    rm -f out.png
    "$B" "$@" -o out.png --gl-debug 2>err.txt
    local rc=$? ok=1 why=""
    [ "$rc" = 0 ] || { ok=0; why="rc=$rc"; }
    [ "$(head -c 4 out.png 2>/dev/null | od -An -tx1 | tr -d ' ')" = 89504e47 ] || { ok=0; why="$why, no PNG"; }
    if grep -q -e "gl error" -e "GLAD" err.txt; then ok=0; why="$why, GL errors"; fi
    if [ $ok = 1 ]; then
        pass=$((pass + 1)); echo "ok   $name"
        grep "vastplot: gl " err.txt | sed 's/^/     (said) /'
    else
        fail=$((fail + 1)); echo "FAIL $name: $why; stderr:"; sed 's/^/     /' err.txt
    fi
}

run "demo, CPU accumulation"          demo --points 200000 --accumulate cpu
run "demo, GPU accumulation"          demo --points 200000 --accumulate gpu
run "demo, overlay (GL picture)"      demo --points 200000 --overlay
run "render, GPU + overlay, verbose"  render pts.csv --accumulate gpu --overlay --verbose
run "render, CPU, point size"         render pts.csv --accumulate cpu --overlay --point-size 3

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
