#!/bin/bash
# The MPI mode of render (src/mpi/mpi_run.h, docs/mpi.md): under mpirun with
# 2, 3 and 4 ranks the --save-counts grid and the PNG equal the single-process
# run's bit for bit, on raw f32 data of several chunks, a small CSV, a .npy
# file, and a file so small that some ranks get no chunk; with --overlay
# (title, labels, colorbar), with --accumulate gpu, with --lines, and with
# the bounds scanned in shares; a missing input
# gives one message, a non-zero exit on every rank and no output file.
# Skipped (77) without mpirun, python3, GL, or a binary built without MPI.
set -u -o pipefail
BIN=$1
T=$2
LIB=$(dirname "$BIN")/libvastplot.so.1
command -v mpirun >/dev/null || { echo "SKIP: no mpirun (Debian: openmpi-bin)"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
libs=$(ldd "$LIB" 2>/dev/null; ldd "$BIN" 2>/dev/null)
case $libs in
*libmpi*) ;;
*) echo "SKIP: $BIN was built without MPI (configure with -DVP_MPI=ON)"; exit 77 ;;
esac
rm -rf "$T" && mkdir -p "$T" && cd "$T" || exit 1
MPI="mpirun --oversubscribe --allow-run-as-root"
fail=0

python3 - <<'PY' || exit 1
import random, struct
random.seed(7)
def pts(n):
    out = []
    for i in range(n):
        x, y = random.gauss(0, 1), random.gauss(0, 2) * random.random()
        if i % 9973 == 5:
            x = float('nan')
        out.append((x, y))
    return out
with open('big.f32', 'wb') as f:  # 7 chunks of 32768 records and a part
    f.write(b''.join(struct.pack('<2f', x, y) for x, y in pts(7 * 32768 + 1234)))
with open('nan.f32', 'wb') as f:  # 3 chunks, no finite sample
    f.write(struct.pack('<2f', float('nan'), 1.0) * (2 * 32768 + 5))
with open('tiny.f32', 'wb') as f:  # one chunk: ranks 1.. get none
    f.write(b''.join(struct.pack('<2f', x, y) for x, y in pts(1000)))
with open('small.csv', 'w') as f:
    f.write('t,v\n')
    for x, y in pts(5000):
        f.write('%r,%r\n' % (x, y))
p = pts(3 * 32768 + 17)
hdr = "{'descr': '<f8', 'fortran_order': False, 'shape': (%d, 2), }" % len(p)
hdr += ' ' * (64 - (10 + len(hdr) + 1) % 64) + '\n'
with open('data.npy', 'wb') as f:
    f.write(b'\x93NUMPY\x01\x00' + struct.pack('<H', len(hdr)) + hdr.encode())
    f.write(b''.join(struct.pack('<2d', x, y) for x, y in p))
PY

# the reference: one process (needs GL; none here: skip)
if ! "$BIN" render big.f32 -o ref.png --quiet 2>ref.err; then
    echo "SKIP: the single-process render fails here: $(cat ref.err)"; exit 77
fi
check() { # name, inputs and options...; RANKS: the mpirun -n to run (2 3 4)
    local name=$1; shift
    "$BIN" render "$@" -o "$name-1.png" --save-counts "$name-1.npy" --quiet 2>"$name-1.err" || { echo "FAIL: $name: one process: $(cat "$name-1.err")"; fail=1; return; }
    for n in ${RANKS:-2 3 4}; do
        if ! $MPI -n $n "$BIN" render "$@" -o "$name-$n.png" --save-counts "$name-$n.npy" 2>"$name-$n.err"; then
            echo "FAIL: $name: $n ranks: $(cat "$name-$n.err")"; fail=1; continue
        fi
        cmp -s "$name-1.npy" "$name-$n.npy" || { echo "FAIL: $name: $n ranks: counts differ"; fail=1; }
        cmp -s "$name-1.png" "$name-$n.png" || { echo "FAIL: $name: $n ranks: PNG differs"; fail=1; }
        grep -q "on $n MPI ranks" "$name-$n.err" || { echo "FAIL: $name: $n ranks: no stats line"; cat "$name-$n.err"; fail=1; }
        [ "$(grep -c 'points read' "$name-$n.err")" = 1 ] || { echo "FAIL: $name: $n ranks: not one stats line"; fail=1; }
    done
    echo "ok: $name"
}
check raw big.f32
check raw-lim big.f32 --xlim -1 2 --ylim -3 1 --size 333x211
check tiny tiny.f32
check csv small.csv
check npy data.npy
check two big.f32 tiny.f32
# the bounds scanned in shares and reduced (no bounds cache; two inputs have none)
XDG_CACHE_HOME=$T/cache; export XDG_CACHE_HOME
check raw-scan big.f32 --no-cache -v
check npy-scan data.npy --no-cache -v --overlay
RANKS='2 4' check tiny-scan tiny.f32 --no-cache -v
RANKS='2 4' check two-scan big.f32 tiny.f32 -v --ylim -1 1
for f in raw-scan-4.err npy-scan-3.err tiny-scan-4.err two-scan-2.err; do
    grep -q "bounds scanned in shares" $f || { echo "FAIL: $f: the bounds were not scanned in shares"; cat $f; fail=1; }
done
# no finite sample: the single process's message, once
"$BIN" render nan.f32 -o nan.png --no-cache 2>nan-1.err && { echo "FAIL: nan: one process: exit 0"; fail=1; }
$MPI -n 3 "$BIN" render nan.f32 -o nan.png --no-cache 2>nan-3.err && { echo "FAIL: nan: 3 ranks: exit 0"; fail=1; }
[ "$(grep -c 'no finite samples' nan-3.err)" = 1 ] || { echo "FAIL: nan: not one message"; cat nan-3.err; fail=1; }
grep -qF "$(cat nan-1.err)" nan-3.err || { echo "FAIL: nan: not the single process's message"; cat nan-1.err nan-3.err; fail=1; }
[ ! -e nan.png ] || { echo "FAIL: nan: nan.png written"; fail=1; }
echo "ok: no finite sample: $(cat nan-3.err)"

# the overlay: rank 0 composes it around the summed grid of its plot rectangle
check overlay big.f32 --overlay --title "MPI, 7 chunks" --xlabel "x (m)" --ylabel y --colormap magma
RANKS='2 4' check overlay-csv small.csv --overlay --size 640x400 --xlim -2 2
# every rank bins its share through GL (llvmpipe here), with ranks of no chunk
RANKS='2 4' check gpu tiny.f32 --accumulate gpu
check gpu-overlay big.f32 --accumulate gpu --overlay --size 500x300
for f in gpu-2.err gpu-overlay-4.err; do
    grep -q "gpu accumulation on" $f || { echo "FAIL: $f: not binned on the GPU"; cat $f; fail=1; }
done

# --lines: each segment joining two chunks drawn once, by the rank of the later
# chunk; NaN records, the end of an input and --break-gap break the series
check lines big.f32 --lines
RANKS='2 4' check lines-two big.f32 tiny.f32 --lines --overlay --ylim -3 3
RANKS='3' check lines-gap data.npy --lines --break-gap 0.5 --size 400x300
RANKS='2 3' check lines-csv small.csv --lines

# still refused: one message naming it, no output
$MPI -n 2 "$BIN" render big.f32 --lines --normalize lines -o lines.png 2>lines.err && { echo "FAIL: --normalize lines: exit 0"; fail=1; }
[ "$(grep -c 'does not support --normalize lines' lines.err)" = 1 ] || { echo "FAIL: --normalize lines: not one message"; cat lines.err; fail=1; }
[ ! -e lines.png ] || { echo "FAIL: --normalize lines: lines.png written"; fail=1; }
echo "ok: --normalize lines refused"

# --views: each view through the MPI mode, the same bytes
# (with annotations: rank 0 draws them, overlay or not)
printf '# vastplot views 1\n[view]\nxlim = -1 1\ntext = -0.5 1 a note\n\n[view]\nylim = 0 1\nsize = 300x200\narrow = 1 0.8 0 0.2 here\n' >two.views
"$BIN" render big.f32 --views two.views -o v1-%d.png --quiet || { echo "FAIL: views: one process"; fail=1; }
$MPI -n 3 "$BIN" render big.f32 --views two.views -o v3-%d.png --quiet || { echo "FAIL: views: 3 ranks"; fail=1; }
for i in 1 2; do cmp -s v1-$i.png v3-$i.png || { echo "FAIL: views: view $i differs"; fail=1; }; done
"$BIN" render big.f32 --views two.views -o o1-%d.png --overlay --quiet || { echo "FAIL: views: one process"; fail=1; }
$MPI -n 2 "$BIN" render big.f32 --views two.views -o o2-%d.png --overlay --quiet || { echo "FAIL: views: 2 ranks"; fail=1; }
for i in 1 2; do cmp -s o1-$i.png o2-$i.png || { echo "FAIL: views --overlay: view $i differs"; fail=1; }; done
echo "ok: views"

# a video under mpirun: refused, nothing written
$MPI -n 2 "$BIN" video big.f32 --views two.views -o x.mp4 2>video.err && { echo "FAIL: video: exit 0"; fail=1; }
grep -q "does not support video" video.err || { echo "FAIL: video: no message"; cat video.err; fail=1; }
[ ! -e x.mp4 ] || { echo "FAIL: video: x.mp4 written"; fail=1; }
echo "ok: video refused"

# an error: one message, non-zero exit, no output
rm -f err.png
$MPI -n 3 "$BIN" render big.f32 missing.f32 -o err.png >err.out 2>err.err
rc=$?
[ $rc -ne 0 ] || { echo "FAIL: a missing input: exit 0"; fail=1; }
[ ! -e err.png ] || { echo "FAIL: a missing input: err.png written"; fail=1; }
[ "$(grep -c 'missing.f32' err.err)" = 1 ] || { echo "FAIL: a missing input: not one message:"; cat err.err; fail=1; }
ls err.png.* .err.png* 2>/dev/null && { echo "FAIL: temporary files left"; fail=1; }
echo "ok: error case (exit $rc): $(grep missing.f32 err.err)"
exit $fail
