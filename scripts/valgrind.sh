#!/usr/bin/env bash
# Valgrind memcheck over an end-to-end run on small data: init, ingest of
# each kind of source, resolve, ads, victims, status.  Each command is one
# check: it must exit as it does without Valgrind, with no memory error and
# no "definitely lost" block.  Prints one line per command, then
# "valgrind: N passed, N failed".
# Usage: scripts/valgrind.sh [RASTRO_BINARY]   (default build/rastro)
set -uo pipefail
cd "$(dirname "$0")/.."
rastro=$(realpath "${1:-build/rastro}")
data=$PWD/tests/data
command -v valgrind >/dev/null || { echo "valgrind: not installed (scripts/deps.sh valgrind)"; echo "valgrind: 0 passed, 1 failed"; exit 1; }
work=$(mktemp -d /tmp/rastro-valgrind-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
passed=0 failed=0

# vg NAME -- ARGS...: one rastro command under memcheck.
vg() {
  local name=$1; shift 2
  local t0=$SECONDS
  valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite \
    --show-leak-kinds=definite --error-exitcode=99 --track-origins=no \
    --suppressions="$OLDPWD/tests/valgrind.supp" --log-file="vg-$name.log" \
    "$rastro" "$@" >"out-$name.txt" 2>&1
  local rc=$? lost errs
  lost=$(grep -oE 'definitely lost: [0-9,]+ bytes' "vg-$name.log" | head -1 | grep -oE '[0-9,]+' | tr -d ,)
  errs=$(grep -oE 'ERROR SUMMARY: [0-9]+' "vg-$name.log" | grep -oE '[0-9]+$')
  if [ "$rc" -eq 0 ] && [ "${errs:-1}" -eq 0 ]; then
    passed=$((passed + 1))
    printf '%-22s ok      (%ss, definitely lost %s bytes)\n' "$name" $((SECONDS - t0)) "${lost:-0}"
  else
    failed=$((failed + 1))
    printf '%-22s FAILED  (exit %s, %s error(s), definitely lost %s bytes)\n' "$name" "$rc" "${errs:-?}" "${lost:-?}"
    grep -A12 -E 'Invalid|uninitialised|definitely lost in' "vg-$name.log" | head -40
    tail -5 "out-$name.txt"
  fi
}

vg init -- init ws.rastro
vg ingest_txn -- ingest ws.rastro -q "$data/generic_small.csv" "$data/ibm_small.csv" "$data/amlsim_small.csv"
vg ingest_gz -- ingest ws.rastro -q --force "$data/generic_small.csv.gz"
vg ingest_bad -- ingest ws.rastro -q "$data/bad_rows.csv"
vg ingest_kyc -- ingest ws.rastro -q "$data/kyc_small.csv"
vg ingest_person -- ingest ws.rastro -q --format person "$data/person_small.csv"
vg ingest_ads -- ingest ws.rastro -q "$data/ads_small.jsonl" "$data/victims_ads.jsonl"
vg ingest_victims -- ingest ws.rastro -q "$data/victims_encounters.csv" "$data/victims_providers.csv"
vg resolve -- resolve ws.rastro -q
vg ads -- ads ws.rastro -q
vg victims -- victims ws.rastro
vg network -- network ws.rastro
vg report -- report ws.rastro -o report.html
vg status -- status ws.rastro
vg quarantine -- quarantine ws.rastro
echo "valgrind: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
