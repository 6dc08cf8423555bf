#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for
# SECONDS seconds (default 30) on a copy of its seed corpus.  Exits non-zero
# if any target finds a crash, leak, timeout or sanitizer error; the input
# that triggered it is kept in build-fuzz/artifacts/.  FUZZ_SEED=N fixes
# libFuzzer's random seed (make test does, so a CI run repeats the same
# mutations; make fuzz leaves it random to explore further).  FUZZ_JOBS
# targets run at once (default 2).
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}; shift || true
build=build-fuzz
if [ ! -f "$build/build.ninja" ]; then
  CC=clang CXX=clang++ meson setup "$build" -Dfuzz=true -Dwerror=true \
    -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized \
    -Dc_args=-fsanitize=fuzzer-no-link -Dcpp_args=-fsanitize=fuzzer-no-link >/dev/null || exit 1
fi
ninja -C "$build" >/dev/null || { ninja -C "$build" | tail -20; exit 1; }

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=($(cd "$build" && find . -maxdepth 1 -type f -executable -name 'fuzz_*' | sed 's|^./fuzz_||' | sort))
fi
mkdir -p "$build/artifacts" "$build/corpus"
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# run_target T: one target for $secs seconds; writes its result line (and
# the first lines of a failure) to $build/result_T.txt.
run_target() {
  local t=$1 work=$build/corpus/$1 seeds=tests/fuzz/corpus/$1 log=$build/fuzz_$1.log rc execs corpus result
  mkdir -p "$work"
  [ -d "$seeds" ] && cp -n "$seeds"/* "$work"/ 2>/dev/null
  "$build/fuzz_$t" ${FUZZ_SEED:+-seed="$FUZZ_SEED"} -max_total_time="$secs" -timeout=10 -rss_limit_mb=2560 -max_len=65536 \
    -artifact_prefix="$build/artifacts/$t-" -print_final_stats=1 "$work" >"$log" 2>&1
  rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
  corpus=$(ls "$work" | wc -l)
  if [ $rc -eq 0 ]; then result=ok; else result="FAILED (see $log)"; fi
  { printf '%-10s %8s %12s %10s  %s\n' "$t" "$secs" "${execs:-?}" "$corpus" "$result"
    [ $rc -eq 0 ] || grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -5; } > "$build/result_$t.txt"
}

# FUZZ_JOBS targets at once (default 2: libFuzzer uses one core per
# target, so two cores halve the wall time of the step; each target still
# gets its full $secs).
jobs_max=${FUZZ_JOBS:-2}
for t in "${targets[@]}"; do
  rm -f "$build/result_$t.txt"
  run_target "$t" &
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n; done
done
wait
failed=0
printf '%-10s %8s %12s %10s  %s\n' target seconds executions corpus result
for t in "${targets[@]}"; do
  if [ -f "$build/result_$t.txt" ]; then cat "$build/result_$t.txt"; else echo "$t FAILED (no result)"; fi
  grep -q ' ok$' "$build/result_$t.txt" 2>/dev/null || failed=$((failed + 1))
done
[ $failed -eq 0 ]
