#!/usr/bin/env bash
# vastplot benchmark: file on disk -> 1920x1080 PNG, against common Python tools.
# See bench/README.md.
#
# usage: bench/run.sh [WORKDIR] [--dir WORKDIR] [--sizes 1e6,1e7,1e8]
#                     [--repeat N] [--gpu-all] [--vastplot PATH]
set -euo pipefail
export LC_ALL=C                # numbers like 1e6 and 0.37 parse the same everywhere

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
PY=/usr/bin/python3            # Debian's python, with the python3-* packages below

WORKDIR=/tmp/vastplot-bench
SIZES=1e6,1e7,1e8
REPEAT=3
GPU_ALL=0
VASTPLOT=${VASTPLOT:-$ROOT/build/vastplot}
GPU_MAX_DEFAULT=10000000       # without --gpu-all, GPU accumulation only up to 10^7

die() { echo "run.sh: error: $*" >&2; exit 1; }
usage() { sed -n '2,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

while [ $# -gt 0 ]; do
    case "$1" in
        --dir)      WORKDIR=${2:?--dir needs a value}; shift 2 ;;
        --sizes)    SIZES=${2:?--sizes needs a value}; shift 2 ;;
        --repeat)   REPEAT=${2:?--repeat needs a value}; shift 2 ;;
        --gpu-all)  GPU_ALL=1; shift ;;
        --vastplot) VASTPLOT=${2:?--vastplot needs a value}; shift 2 ;;
        -h|--help)  usage 0 ;;
        -*)         echo "run.sh: unknown option $1" >&2; usage 2 ;;
        *)          WORKDIR=$1; shift ;;
    esac
done
[[ "$REPEAT" =~ ^[1-9][0-9]*$ ]] || die "--repeat must be a positive integer, got '$REPEAT'"

# ---------------------------------------------------------------- prerequisites
missing=()
[ -x "$PY" ] || missing+=("python3 (for $PY)")
if [ -x "$PY" ]; then
    for pair in numpy:python3-numpy fast_histogram:python3-fast-histogram \
                matplotlib:python3-matplotlib mpl_scatter_density:python3-mpl-scatter-density \
                PIL:python3-pil; do
        "$PY" -c "import ${pair%%:*}" 2>/dev/null || missing+=("${pair#*:} (python module ${pair%%:*})")
    done
fi
[ -x /usr/bin/time ] || missing+=("time (for /usr/bin/time)")
if [ ${#missing[@]} -gt 0 ]; then
    echo "run.sh: missing prerequisites; install the Debian packages:" >&2
    printf '  %s\n' "${missing[@]}" >&2
    echo "  e.g. sudo apt-get install ${missing[*]%% *}" >&2
    exit 1
fi
[ -x "$VASTPLOT" ] || die "no vastplot at $VASTPLOT; build it with
  cmake -S $ROOT -B $ROOT/build && cmake --build $ROOT/build -j
or pass --vastplot PATH"

# Some machines set these for OpenBLAS; they can slow numpy down badly. They are
# removed for the Python peers only; vastplot runs in the caller's environment.
PEER_ENV=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE)

mkdir -p "$WORKDIR/data" "$WORKDIR/out" "$WORKDIR/logs"
# Time a private copy, so a rebuild of build/vastplot during a long run cannot
# mix two versions in one table (the shaders are embedded in the binary), with
# the libvastplot.so.1 it links beside it (found first: LD_LIBRARY_PATH below)
cp "$VASTPLOT" "$WORKDIR/vastplot-under-test"
if [ -e "$(dirname "$VASTPLOT")/libvastplot.so.1" ]; then
    mkdir -p "$WORKDIR/lib"
    cp -L "$(dirname "$VASTPLOT")/libvastplot.so.1" "$WORKDIR/lib/"
    export LD_LIBRARY_PATH=$WORKDIR/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
fi
# vastplot remembers file bounds under $XDG_CACHE_HOME: keep the benchmark's own
export XDG_CACHE_HOME=$WORKDIR/cache
rm -rf "$XDG_CACHE_HOME"
VASTPLOT=$WORKDIR/vastplot-under-test
RAW=$WORKDIR/raw.tsv
: > "$RAW"

# ---------------------------------------------------------------- data
points_list=()
for s in ${SIZES//,/ }; do
    n=$(printf '%.0f' "$s" 2>/dev/null) || die "bad size '$s' in --sizes"
    [ "$n" -gt 0 ] || die "bad size '$s' in --sizes"
    points_list+=("$n")
done

data_file() { echo "$WORKDIR/data/points-$1.f32"; }

for n in "${points_list[@]}"; do
    f=$(data_file "$n")
    if [ -f "$f" ] && [ "$(stat -c %s "$f")" -eq $((n * 8)) ]; then
        echo "data: $f (cached)"
    else
        echo "data: generating $f ($n points, $((n * 8 / 1000000)) MB)..."
        "$PY" "$HERE/gen_data.py" "$n" "$f"
    fi
done

# ---------------------------------------------------------------- machine
probe_log=$WORKDIR/logs/gl-probe.log
"$VASTPLOT" render "$(data_file "${points_list[0]}")" --dtype f32 --columns 2 \
    -o "$WORKDIR/out/gl-probe.png" --verbose 2>"$probe_log" \
    || { cat "$probe_log" >&2; die "vastplot failed on the GL probe run"; }
gl=$(grep -m1 'OpenGL' "$probe_log" | sed 's/^vastplot: //') || gl="unknown"
cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/^model name[[:space:]]*:[[:space:]]*//') || cpu="unknown"
mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "unknown")
[ -z "$(git -C "$ROOT" status --porcelain 2>/dev/null)" ] || commit="$commit + uncommitted changes"
pyvers=$("${PEER_ENV[@]}" "$PY" -c '
import sys, numpy, fast_histogram, matplotlib, PIL
try:
    from importlib.metadata import version
    msd = version("mpl-scatter-density")
except Exception:
    msd = "?"
print("python %s, numpy %s, fast_histogram %s, mpl-scatter-density %s, matplotlib %s, Pillow %s" % (
    sys.version.split()[0], numpy.__version__, fast_histogram.__version__, msd,
    matplotlib.__version__, PIL.__version__))')
MACHINE=$WORKDIR/machine.md
cat > "$MACHINE" <<EOF
# vastplot benchmark results

- date: $(date -u '+%Y-%m-%d %H:%M UTC')
- machine: $(nproc) CPUs (nproc), $cpu, $mem RAM
- GL: $gl
- vastplot: $("$VASTPLOT" --version 2>&1 | head -n1), commit $commit
- load average before timing: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews the numbers)
- peers: $pyvers
EOF
cat "$MACHINE"; echo

# ---------------------------------------------------------------- measuring
# run_timed N TOOL OUT.png CMD... : one run under /usr/bin/time; sets WALL, RSS.
# Aborts the whole benchmark (non-zero exit) if the command fails or writes no PNG.
run_timed() {
    local n=$1 tool=$2 out=$3; shift 3
    local log="$WORKDIR/logs/${tool// /_}-$n.log" tfile="$WORKDIR/logs/time.txt"
    rm -f "$out"
    if ! /usr/bin/time -f '%e %M' -o "$tfile" "$@" >"$log" 2>&1; then
        echo >&2; echo "---- tail of $log" >&2; tail -n 20 "$log" >&2
        die "'$tool' failed on $n points: $*"
    fi
    if [ "$out" != "-" ] && [ ! -s "$out" ]; then
        echo >&2; die "'$tool' wrote no picture at $out: $*"
    fi
    read -r WALL RSS < <(tail -n 1 "$tfile")
}

# bench N TOOL OUT.png CMD... : warm-up run, then REPEAT timed runs into RAW.
bench() {
    local n=$1 tool=$2 out=$3; shift 3
    printf '%-34s %11s points: warm-up' "$tool" "$n"
    run_timed "$n" "$tool" "$out" "$@"
    printf ', runs:'
    for _ in $(seq "$REPEAT"); do
        run_timed "$n" "$tool" "$out" "$@"
        printf ' %ss/%sMiB' "$WALL" "$((RSS / 1024))"
        printf '%s\t%s\t%s\t%s\n' "$n" "$tool" "$WALL" "$RSS" >> "$RAW"
    done
    echo
}

skip() {
    printf '%-34s %11s points: skipped (%s)\n' "$2" "$1" "$3"
    printf '%s\t%s\tskipped\t\n' "$1" "$2" >> "$RAW"
}

echo "timing: median of $REPEAT run(s) after one warm-up run; whole processes (Python peers include interpreter start-up)"
for n in "${points_list[@]}"; do
    f=$(data_file "$n")
    o=$WORKDIR/out
    vp=("$VASTPLOT" render "$f" --dtype f32 --columns 2 --size 1920x1080)

    # --no-cache: every run scans the file for its bounds, as a first render does.
    bench "$n" "vastplot cpu" "$o/vastplot-cpu-$n.png" "${vp[@]}" --no-cache --accumulate cpu -o "$o/vastplot-cpu-$n.png"
    # A later render of the same file (another look or size) finds its bounds remembered.
    bench "$n" "vastplot cpu, bounds remembered" "$o/vastplot-cpu-$n.png" "${vp[@]}" --accumulate cpu -o "$o/vastplot-cpu-$n.png"
    if [ "$GPU_ALL" = 1 ] || [ "$n" -le "$GPU_MAX_DEFAULT" ]; then
        bench "$n" "vastplot gpu" "$o/vastplot-gpu-$n.png" "${vp[@]}" --no-cache --accumulate gpu -o "$o/vastplot-gpu-$n.png"
    else
        skip "$n" "vastplot gpu" "over 10^7 points; --gpu-all times it"
    fi
    for peer in numpy_histogram2d:numpy.histogram2d fast_histogram:fast_histogram \
                mpl_scatter_density:mpl-scatter-density; do
        script=${peer%%:*} tool=${peer#*:}
        bench "$n" "$tool" "$o/$script-$n.png" \
            "${PEER_ENV[@]}" "$PY" "$HERE/peer_$script.py" "$f" "$o/$script-$n.png"
    done
    bench "$n" "numpy read only (floor)" - \
        "${PEER_ENV[@]}" "$PY" "$HERE/peer_numpy_read.py" "$f" /dev/null
done

echo
"$PY" "$HERE/report.py" "$RAW" "$MACHINE" "$WORKDIR/results.md"
echo
echo "written: $WORKDIR/results.md (pictures in $WORKDIR/out, logs in $WORKDIR/logs)"
