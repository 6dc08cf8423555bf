#!/usr/bin/env bash
# Runs every test: the normal build's unit and end-to-end tests, then the
# same tests under AddressSanitizer + UndefinedBehaviorSanitizer, then the
# fuzz targets, the quick static analysis and Valgrind memcheck of the
# end-to-end flow (each can be skipped: RASTRO_SKIP_ASAN, RASTRO_SKIP_FUZZ,
# RASTRO_SKIP_LINT, RASTRO_SKIP_VALGRIND=1).  Ends with one line CI reads:
# "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0 failed=0
run_suite() {  # BUILD_DIR LABEL [TEST...]
  local dir=$1 label=$2
  shift 2
  echo "== $label tests ($dir)"
  meson test -C "$dir" --print-errorlogs -v --num-processes 2 "$@" >"$dir/test-output.txt" 2>&1
  # cmocka's own lines and each test's result, for the log
  grep -E '^\[ *(PASSED|FAILED) *\]|^ *[0-9]+/[0-9]+ .* (OK|FAIL|ERROR|TIMEOUT) |FAIL:' "$dir/test-output.txt" || true
  local p f
  p=$(python3 - "$dir/meson-logs/testlog.json" <<'PY'
import json,sys
ok=bad=skip=0
for line in open(sys.argv[1]):
    r=json.loads(line)["result"]
    if r in ("OK","EXPECTEDFAIL"): ok+=1
    elif r == "SKIP": skip+=1
    else: bad+=1
print(ok,bad,skip)
PY
)
  local s
  read -r p f s <<<"$p"
  [ "$s" -eq 0 ] || echo "-- $s test(s) skipped in the $label build (see the log for why)"
  if [ "$f" -ne 0 ]; then
    echo "-- failures in $label build:"
    grep -E -B2 -A30 '^(=+ [0-9]+/[0-9]+ =+|FAIL)' "$dir/test-output.txt" | head -200
  fi
  passed=$((passed + p)); failed=$((failed + f))
}

run_suite build "normal"
if [ "${RASTRO_SKIP_ASAN:-0}" != 1 ]; then
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp
  export RASTRO_SANITIZER=1
  # Every test but the two SIGKILL tests (RASTRO_ASAN_SKIP): they check the
  # workspace file after kills at random moments, which the sanitizers add
  # nothing to, while their code paths (ingest, resolve) run under the
  # sanitizers in the other tests; they are the slowest tests of this
  # suite and the normal suite runs them.
  skip=" ${RASTRO_ASAN_SKIP-e2e_crash_ingest e2e_crash_resolve} "
  mapfile -t asan_tests < <(meson test -C build-asan --list 2>/dev/null | awk '/ \/ / { print $NF }' |
    while read -r t; do [[ "$skip" == *" $t "* ]] || echo "$t"; done)
  [ -z "${skip// /}" ] || echo "-- skipped in the sanitizer build (run by the normal build):$skip"
  run_suite build-asan "sanitizer" "${asan_tests[@]}"
fi
# Fuzzing: every libFuzzer target for a bounded time (RASTRO_FUZZ_SECONDS,
# 10 s each by default; `make fuzz` runs them much longer).
if [ "${RASTRO_SKIP_FUZZ:-0}" != 1 ]; then
  echo "== fuzz targets (${RASTRO_FUZZ_SECONDS:-10} s each)"
  FUZZ_SEED=${RASTRO_FUZZ_SEED:-1} scripts/fuzz.sh "${RASTRO_FUZZ_SECONDS:-10}" > build-fuzz-summary.txt 2>&1
  cat build-fuzz-summary.txt
  p=$(grep -cE ' ok$' build-fuzz-summary.txt)
  f=$(grep -cE 'FAILED' build-fuzz-summary.txt)
  if ! grep -q '^target' build-fuzz-summary.txt; then f=$((f + 1)); fi  # the fuzz build itself failed
  passed=$((passed + p)); failed=$((failed + f))
  rm -f build-fuzz-summary.txt
fi
# Static analysis, quick part: banned functions and cppcheck (deterministic,
# about 15 s of CPU); clang-tidy takes minutes and runs under `make lint`.
if [ "${RASTRO_SKIP_LINT:-0}" != 1 ]; then
  echo "== lint (scripts/lint.sh --quick)"
  if scripts/lint.sh --quick; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
fi
# Valgrind memcheck of every command of the end-to-end flow on small data,
# one check per command (three chains of commands at once).  Skip with
# RASTRO_SKIP_VALGRIND=1.
if [ "${RASTRO_SKIP_VALGRIND:-0}" != 1 ]; then
  echo "== valgrind memcheck (scripts/valgrind.sh)"
  scripts/valgrind.sh build/rastro > build/valgrind-summary.txt 2>&1
  cat build/valgrind-summary.txt
  p=$(grep -cE '^[a-z_0-9]+ +ok ' build/valgrind-summary.txt)
  f=$(grep -cE '^[a-z_0-9]+ +FAILED' build/valgrind-summary.txt)
  grep -q '^valgrind: ' build/valgrind-summary.txt || f=$((f + 1))
  passed=$((passed + p)); failed=$((failed + f))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
