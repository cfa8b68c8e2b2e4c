#!/bin/bash
# The Python package (python/): its pytest suite against the libvastplot.so
# built next to the binary, and an install into a venv with pip from Debian's
# packages only (no network).  Usage: bash tests/test_python.sh BINARY SCRATCHDIR
# Exit 77 (skipped) when python3, numpy, cffi or pytest are missing, or no
# libvastplot.so is next to BINARY.
set -u
BIN=${1:?usage: test_python.sh BINARY SCRATCHDIR}
SCRATCH=${2:?usage: test_python.sh BINARY SCRATCHDIR}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3) || { echo "SKIP: no python3"; exit 77; }

BINDIR=$(cd "$(dirname "$BIN")" && pwd)
LIB=
for f in "$BINDIR/libvastplot.so" "$BINDIR/libvastplot.so.1"; do
    [ -e "$f" ] && { LIB=$f; break; }
done
[ -n "$LIB" ] || { echo "SKIP: no libvastplot.so next to $BIN"; exit 77; }
# a sanitizer build's library needs its runtime loaded first: python3 is not
# built with it, so the Python suite runs in the normal build (CI's step 1)
if nm -D "$LIB" 2>/dev/null | grep -q ' U __asan_init'; then
    echo "SKIP: $LIB is built with AddressSanitizer; the Python suite runs against the normal build"
    exit 77
fi
for m in numpy cffi pytest; do
    "$PY" -c "import $m" 2>/dev/null || { echo "SKIP: python3 module $m missing (Debian: python3-$m)"; exit 77; }
done

rm -rf "$SCRATCH" && mkdir -p "$SCRATCH" || exit 1
export VASTPLOT_LIBRARY=$LIB VASTPLOT_CLI=$BINDIR/vastplot
export PYTHONPATH=$ROOT/python PYTHONDONTWRITEBYTECODE=1
cd "$ROOT" || exit 1

# the suite (its temporary files under the scratch dir; no cache in the tree)
"$PY" -m pytest -q -p no:cacheprovider --basetemp="$SCRATCH/pytest" python/tests
rc=$?
[ $rc -eq 0 ] || { echo "FAIL: pytest exited $rc"; exit 1; }

# pip install into a venv (system site packages: numpy, cffi from Debian), from a
# copy of python/ so that the build leaves nothing in the tree
if ! "$PY" -c "import venv, ensurepip" 2>/dev/null; then
    echo "note: python3-venv missing: the install check is left out"
    exit 0
fi
cp -r "$ROOT/python" "$SCRATCH/src" && rm -rf "$SCRATCH/src/build" "$SCRATCH/src"/*.egg-info || exit 1
"$PY" -m venv --system-site-packages "$SCRATCH/venv" || { echo "FAIL: venv"; exit 1; }
VPY=$SCRATCH/venv/bin/python
(cd "$SCRATCH" && PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    "$VPY" -m pip install -q --no-build-isolation --no-index ./src) || { echo "FAIL: pip install"; exit 1; }
out=$(cd "$SCRATCH" && env -u PYTHONPATH "$VPY" -c '
import os, numpy as np, vastplot
assert "/venv/" in vastplot.__file__, vastplot.__file__
x = np.arange(10.0)
H, xe, ye = vastplot.histogram2d(x, x[::-1], bins=5)
assert (H == np.histogram2d(x, x[::-1], bins=5)[0]).all()
print("installed", vastplot.__version__, "from", os.path.dirname(vastplot.__file__), "library", vastplot.library_version())
') || { echo "FAIL: import vastplot from the venv"; exit 1; }
echo "$out"
exit 0
