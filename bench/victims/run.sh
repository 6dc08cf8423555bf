#!/usr/bin/env bash
# Victims benchmarks (bench/RESULTS.md, "Issue 8"):
#  1. matcher: 10,000 victims ranked against 50,000 providers in memory, with
#     the spatial grid and with a full scan of the directory (the peer), same
#     run, median of 3, rankings checked identical;
#  2. end to end: `rastro refer` on a workspace holding the same world
#     (reading victims and directory from SQLite, ranking, writing 30,000
#     referrals with their explanations), grid and full scan, median of 3,
#     each run on a fresh copy of the workspace;
#  3. quality on generated worlds: bench/victims/quality.sh (needs `rastro gen`).
# Usage: bench/victims/run.sh   (RASTRO=path/to/rastro, BUILD=build dir)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${BUILD:-$here/../../build}
rastro=${RASTRO:-$build/rastro}
nv=${VICTIMS:-10000}
np=${PROVIDERS:-50000}
work=$(mktemp -d /tmp/rastro-bench-victims-XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "machine: $(uname -srm), $(nproc) cores; load: $(uptime | sed 's/.*load average: //')"
echo "== matcher in memory"
"$build/bench/bench_vic_match" --victims "$nv" --providers "$np" --runs 3

echo "== rastro refer end to end"
"$build/bench/bench_vic_match" --victims "$nv" --providers "$np" --csv "$work" >/dev/null
"$rastro" init "$work/base.rastro" >/dev/null
"$rastro" ingest "$work/base.rastro" -q "$work/providers.csv" "$work/encounters.csv"
"$rastro" victims "$work/base.rastro" -q >/dev/null
"$rastro" victims "$work/base.rastro" --no-run --format csv | head -3 | cut -c1-80
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for mode in true false; do
  times=()
  for i in 1 2 3; do
    cp "$work/base.rastro" "$work/run.rastro"
    rm -f "$work/run.rastro-wal" "$work/run.rastro-shm"
    t0=$(date +%s.%N)
    "$rastro" refer "$work/run.rastro" --role victim_services -q --set "victims.refer.grid=$mode" >/dev/null
    t1=$(date +%s.%N)
    times+=("$(echo "$t1 - $t0" | bc)")
  done
  echo "  grid=$mode: runs ${times[*]} s; median $(printf '%s\n' "${times[@]}" | median) s;" \
       "$(sqlite3 "$work/run.rastro" "select count(*) || ' referrals, ' || count(distinct victim) || ' victims' from referral")"
done
