#!/usr/bin/env bash
# CI: builds the libFuzzer targets of tests/fuzz/ with clang (VP_FUZZ=ON:
# coverage + ASan + UBSan) in build-fuzz/, runs each for a bounded time from a
# copy of its committed seed corpus, and prints executions and coverage.
# Exits non-zero when any target crashed, leaked, timed out or ran out of
# memory; the reproducers are then in build-fuzz/crashes/ (the log names them).
# Add a reproducer to tests/fuzz/corpus/<name>/ once the bug is fixed: the
# ctest fuzz_<name>_regress then replays it in every normal build.
#
#   FUZZ_SECONDS=25   seconds per target (default 25: four targets, 100 s)
#   FUZZ_TARGETS="npy source options text"   which targets (default: all fuzz_*.c)
#   FUZZ_JOBS=N       build parallelism (default: nproc)
#   BUILD_DIR=build-fuzz
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD_DIR:-build-fuzz}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD;; esac
SECONDS_EACH=${FUZZ_SECONDS:-20}
JOBS=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
# (0 would mean "no limit" to libFuzzer.)
case $SECONDS_EACH in ''|*[!0-9]*|0) echo "FUZZ_SECONDS must be a whole number >= 1" >&2; exit 2;; esac

if [ -n "${FUZZ_TARGETS:-}" ]; then
    TARGETS=$FUZZ_TARGETS
else
    TARGETS=
    for f in tests/fuzz/fuzz_*.c; do
        f=${f##*/fuzz_}
        TARGETS="$TARGETS ${f%.c}"
    done
fi

CC_FUZZ=${CC_FUZZ:-$(command -v clang || command -v clang-14 || true)}
if [ -z "$CC_FUZZ" ]; then
    echo "fuzz: clang not found: install Debian packages 'clang' and 'libclang-rt-14-dev'" >&2
    exit 2
fi

echo "== configure $BUILD (clang, VP_FUZZ=ON) =="
mkdir -p "$BUILD"
cmake -S . -B "$BUILD" -DCMAKE_C_COMPILER="$CC_FUZZ" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DVP_FUZZ=ON -DBUILD_TESTING=ON >"$BUILD/configure.log" 2>&1 || {
    cat "$BUILD/configure.log" >&2; exit 2; }
echo "== build =="
build_targets=()
for t in $TARGETS; do build_targets+=("fuzz_$t" "fuzz_${t}_regress"); done
cmake --build "$BUILD" -j"$JOBS" --target "${build_targets[@]}"

export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

CRASHES=$BUILD/crashes
WORK=$BUILD/fuzz-work
# Reproducers of an earlier run are kept aside, not mistaken for new ones.
if [ -d "$CRASHES" ] && [ -n "$(ls -A "$CRASHES")" ]; then
    rm -rf "$CRASHES.previous"
    mv "$CRASHES" "$CRASHES.previous"
    echo "fuzz: reproducers of the previous run moved to $CRASHES.previous"
fi
mkdir -p "$CRASHES"
rm -rf "$WORK"
mkdir -p "$WORK"

failed=()
summary=()
for t in $TARGETS; do
    bin=$BUILD/tests/fuzz/fuzz_$t
    seeds=$ROOT/tests/fuzz/corpus/$t
    corpus=$WORK/corpus-$t
    log=$WORK/fuzz_$t.log
    # A scratch copy: new inputs libFuzzer finds go there, never into git.
    mkdir -p "$corpus"
    if [ -d "$seeds" ]; then cp -R "$seeds"/. "$corpus"/; fi
    dict=()
    if [ -f "$ROOT/tests/fuzz/fuzz_$t.dict" ]; then dict=(-dict="$ROOT/tests/fuzz/fuzz_$t.dict"); fi
    echo "== fuzz_$t: ${SECONDS_EACH}s, log $log =="
    set +e
    # Run from the work dir so nothing lands in the source tree; artifacts
    # (crash-*, leak-*, timeout-*, oom-*) go straight to $CRASHES.
    (cd "$WORK" && "$bin" "$corpus" "${dict[@]}" \
        -max_total_time="$SECONDS_EACH" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$CRASHES/fuzz_$t-") >"$log" 2>&1
    rc=$?
    set -e
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n1)
    last=$(grep -E '^#[0-9]+' "$log" | tail -n1 || true)
    cov=$(printf '%s\n' "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
    ft=$(printf '%s\n' "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
    corp=$(printf '%s\n' "$last" | sed -n 's/.* corp: \([0-9]*\/[0-9A-Za-z]*\).*/\1/p')
    line=$(printf 'fuzz_%-8s rc=%-3s execs=%-9s execs/s=%-7s cov=%-5s ft=%-6s corpus=%s' \
        "$t" "$rc" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}")
    echo "$line"
    summary+=("$line")
    artifacts=$(ls "$CRASHES"/fuzz_"$t"-* 2>/dev/null || true)
    if [ "$rc" -ne 0 ] || [ -n "$artifacts" ]; then
        failed+=("fuzz_$t")
        echo "---- fuzz_$t FAILED (exit $rc); last lines of $log:"
        tail -n 60 "$log"
        if [ -n "$artifacts" ]; then
            echo "---- reproducer(s):"
            for a in $artifacts; do
                echo "  $a"
                echo "    replay: $bin $a"
                echo "    or:     $BUILD/tests/fuzz/fuzz_${t}_regress $a"
            done
        fi
    fi
done

echo "== summary =="
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -ne 0 ]; then
    echo "fuzz: FAILED: ${failed[*]} (reproducers in $CRASHES)" >&2
    exit 1
fi
echo "fuzz: all targets ran ${SECONDS_EACH}s each without a failure"
