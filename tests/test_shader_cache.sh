#!/usr/bin/env bash
# Mesa's shader disk cache and a full disk. Mesa maps a sparse index file in
# its cache folder; on a full disk the first write to it killed vastplot with
# SIGBUS. vastplot keeps the cache in its own folder and only where the disk
# has room: on a full tmpfs (XDG_CACHE_HOME and HOME there) a render must
# succeed with exact counts. With room, the cache is used, in
# $XDG_CACHE_HOME/vastplot/mesa and nowhere else; --no-cache writes none.
# Needs root for the tmpfs mount: exit 77 (a visible skip) otherwise.
# usage: test_shader_cache.sh VASTPLOT_BINARY SCRATCH_DIR
set -u
B=$(realpath "$1")
D=$2
rm -rf "$D" && mkdir -p "$D" && cd "$D" || exit 1
unset DISPLAY WAYLAND_DISPLAY MESA_SHADER_CACHE_DIR MESA_SHADER_CACHE_DISABLE MESA_GLSL_CACHE_DIR \
      MESA_GLSL_CACHE_DISABLE MESA_SHADER_CACHE_MAX_SIZE VASTPLOT_NO_CACHE
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }

# 1600 samples, 100 on each pixel of a 4x4 picture
for i in $(seq 0 1599); do echo "$((i % 4)).5,$((i / 4 % 4)).5"; done > pts.csv
# render CACHE_HOME NAME [options]: a render with that cache folder (and HOME), counts checked
render() {
    local home=$1 name=$2 msg rc
    shift 2
    rm -f out.png out.npy
    msg=$(XDG_CACHE_HOME=$home HOME=$home "$B" render pts.csv --xlim 0 4 --ylim 0 4 --size 4x4 \
          -o out.png --save-counts out.npy "$@" 2>&1)
    rc=$?
    local counts
    counts=$(tail -c 128 out.npy 2>/dev/null | od -An -v -t u8 | tr -s ' \n' ' ')
    if [ $rc = 0 ] && [ "$counts" = "$(printf ' 100%.0s' $(seq 16)) " ]; then
        ok "$name"
    else
        bad "$name: rc=$rc counts=[$counts] stderr: $msg"
    fi
}

# with room: the cache is used, and only in vastplot's folder
mkdir -p roomy
render "$D/roomy" "render with a cache folder"
render "$D/roomy" "render again (cache warm)"
if [ -n "$(find roomy/vastplot/mesa -type f 2>/dev/null)" ]; then ok "cache in \$XDG_CACHE_HOME/vastplot/mesa"
else bad "no shader cache under roomy/vastplot/mesa: $(find roomy)"; fi
if [ -z "$(find roomy -mindepth 1 -maxdepth 1 ! -name vastplot)" ]; then ok "nothing outside vastplot's folder"
else bad "written outside vastplot's folder: $(find roomy -mindepth 1 -maxdepth 1)"; fi
mkdir -p nocache
render "$D/nocache" "render --no-cache" --no-cache
if [ -z "$(find nocache -type f)" ]; then ok "--no-cache writes no cache"
else bad "--no-cache wrote: $(find nocache -type f)"; fi

# a full disk
mkdir -p full
if [ "$(id -u)" != 0 ] || ! mount -t tmpfs -o size=1m tmpfs full 2>/dev/null; then
    echo "skip full disk: mounting a tmpfs needs root"
    echo "$pass passed, $fail failed"
    [ $fail = 0 ] || exit 1
    exit 77
fi
trap 'umount "$D/full" 2>/dev/null' EXIT
dd if=/dev/zero of=full/fill bs=4k status=none 2>/dev/null
if [ "$(df --output=avail full | tail -1 | tr -d ' ')" = 0 ]; then ok "tmpfs is full"; else bad "tmpfs not full"; fi
render "$D/full" "render with the cache folder on a full disk"
render "$D/full" "and again"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
