#!/usr/bin/env bash
# Valgrind memcheck over every command of the end-to-end flow on small data:
# init, ingest of each kind of source (plain, gzip, zstd, bad rows, KYC,
# people, ads, encounters, providers), resolve, why, encode, link-encoded,
# detect, alerts, sar, eval, ads, victims, refer, network and its queries,
# path, timeline, export, report, run, gen, status, quarantine, log, config.
# Each command is one check: it must exit as it does without Valgrind (0,
# or the documented code for the few refusals checked), with no memory
# error and no "definitely lost" block (suppressions: third-party libraries
# only, tests/valgrind.supp).  Three independent chains of commands run at
# once (RASTRO_VALGRIND_JOBS, default 3) to use both cores.  Prints one line
# per command, then "valgrind: N passed, N failed".
# Usage: scripts/valgrind.sh [RASTRO_BINARY]   (default build/rastro)
set -uo pipefail
cd "$(dirname "$0")/.."
rastro=$(realpath "${1:-build/rastro}")
src=$PWD
data=$PWD/tests/data
command -v valgrind >/dev/null || { echo "valgrind: not installed (scripts/deps.sh valgrind)"; echo "valgrind: 0 passed, 1 failed"; exit 1; }
work=$(mktemp -d /tmp/rastro-valgrind-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

# vg NAME [--exit N] -- ARGS...: one rastro command under memcheck; appends
# one result line to results-$chain.txt.
vg() {
  local name=$1 want=0; shift
  if [ "$1" = "--exit" ]; then want=$2; shift 2; fi
  shift
  local t0=$SECONDS
  valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite \
    --show-leak-kinds=definite --error-exitcode=99 --track-origins=no \
    --suppressions="$src/tests/valgrind.supp" --log-file="vg-$name.log" \
    "$rastro" "$@" >"out-$name.txt" 2>&1
  local rc=$? lost errs
  lost=$(grep -oE 'definitely lost: [0-9,]+ bytes' "vg-$name.log" | head -1 | grep -oE '[0-9,]+' | tr -d ,)
  errs=$(grep -oE 'ERROR SUMMARY: [0-9]+' "vg-$name.log" | grep -oE '[0-9]+$')
  if [ "$rc" -eq "$want" ] && [ "${errs:-1}" -eq 0 ]; then
    printf '%-22s ok      (%ss, exit %s, definitely lost %s bytes)\n' "$name" $((SECONDS - t0)) "$rc" "${lost:-0}"
  else
    printf '%-22s FAILED  (exit %s, wanted %s, %s error(s), definitely lost %s bytes)\n' \
      "$name" "$rc" "$want" "${errs:-?}" "${lost:-?}"
    grep -A12 -E 'Invalid|uninitialised|definitely lost in' "vg-$name.log" | head -40
    tail -5 "out-$name.txt"
  fi
}

# Chain 1: transactions, KYC and agency records -> resolve, detect, network
# and its queries, export, report.
chain_finance() {
  mkdir -p fin && cd fin || return
  vg init -- init ws.rastro
  vg ingest_txn -- ingest ws.rastro -q "$data/generic_small.csv" "$data/ibm_small.csv" "$data/amlsim_small.csv" \
    "$data/finance_small.csv" "$data/network_txn.csv"
  vg ingest_gz -- ingest ws.rastro -q --force "$data/generic_small.csv.gz"
  vg ingest_zst -- ingest ws.rastro -q --force "$data/generic_small.csv.zst"
  vg ingest_bad -- ingest ws.rastro -q "$data/bad_rows.csv"
  vg ingest_kyc -- ingest ws.rastro -q "$data/kyc_small.csv" "$data/network_kyc.csv"
  vg ingest_agency -- ingest ws.rastro -q --agency hsi "$data/network_persons.csv"
  vg index -- index ws.rastro
  vg resolve -- resolve ws.rastro -q
  vg detect -- detect ws.rastro -q
  vg alerts -- alerts ws.rastro --format csv --limit 20
  vg sar -- sar ws.rastro BK1/CTL-1 -o sar.txt
  vg sar_unknown --exit 6 -- sar ws.rastro NO-SUCH
  vg network -- network ws.rastro -q
  vg network_show -- network ws.rastro --no-run --show "#1"
  vg network_around -- network ws.rastro --no-run --around account:NV-101 --hops 2
  vg path -- path ws.rastro account:NB-201 account:NX-900 --all --hops 6
  vg timeline -- timeline ws.rastro account:NC-001
  vg export_graphml -- export ws.rastro -f graphml -o full.graphml
  vg export_i2 -- export ws.rastro -f i2 -o sus.i2 --suspects
  vg report -- report ws.rastro -o report.html
  vg status -- status ws.rastro
  vg quarantine -- quarantine ws.rastro
  vg log -- log ws.rastro
}

# Chain 2: people, ads, encounters and providers -> run (every stage),
# ads, victims, refer; eval on IBM data.
chain_victims() {
  mkdir -p vic && cd vic || return
  vg init_v -- init ws.rastro
  vg ingest_txn_v -- ingest ws.rastro -q "$data/victims_txn.csv" "$data/victims_kyc.csv"
  vg ingest_person -- ingest ws.rastro -q --format person "$data/person_small.csv" "$data/victims_persons.csv"
  vg ingest_ads -- ingest ws.rastro -q "$data/ads_small.jsonl" "$data/victims_ads.jsonl"
  vg ingest_ads_csv -- ingest ws.rastro -q "$data/ads_small.csv"
  vg ingest_victims -- ingest ws.rastro -q "$data/victims_encounters.csv" "$data/victims_providers.csv"
  vg run -- run ws.rastro
  vg ads -- ads ws.rastro -q
  vg victims -- victims ws.rastro -q
  vg refer -- refer ws.rastro -q --role victim_services
  vg refer_list -- refer ws.rastro --list --role victim_services --format csv
  vg config -- config ws.rastro --set ingest.default_currency=MXN
  vg init_ibm -- init ibm.rastro
  vg ingest_ibm -- ingest ibm.rastro -q "$data/ibm_cycle.csv"
  vg detect_ibm -- detect ibm.rastro -q
  vg eval -- eval ibm.rastro --format csv
}

# Chain 3: a tiny synthetic world; privacy-preserving linkage; why.
chain_gen() {
  mkdir -p gen && cd gen || return
  vg gen -- gen -q -o world --seed 3 --scale 0.05 --days 5
  printf 'a shared secret that is long enough\n' > secret.txt
  head -n 6 "$data/person_small.csv" > agency1.csv
  { head -n 1 "$data/person_small.csv"; sed -n '3p;5p;6p' "$data/person_small.csv" | sed 's/^A-/B-/'; } > agency2.csv
  vg encode -- encode e1.rastro --secret secret.txt --out a1.enc agency1.csv
  "$rastro" encode e2.rastro --secret secret.txt --out a2.enc agency2.csv >/dev/null 2>&1
  vg link_encoded -- link-encoded lu.rastro a1.enc a2.enc --out links.csv
  "$rastro" init p.rastro >/dev/null && "$rastro" ingest p.rastro -q --format person "$data/person_small.csv" >/dev/null 2>&1 &&
    "$rastro" resolve p.rastro -q >/dev/null 2>&1
  vg why -- why p.rastro A-1 A-2
  vg formats -- formats
}

jobs_max=${RASTRO_VALGRIND_JOBS:-3}
t0=$SECONDS
for c in chain_finance chain_victims chain_gen; do
  ( $c > "$work/results-$c.txt" 2>&1 ) &
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n; done
done
wait
cat "$work"/results-chain_finance.txt "$work"/results-chain_victims.txt "$work"/results-chain_gen.txt
passed=$(cat "$work"/results-*.txt | grep -cE '^[a-z_0-9]+ +ok ')
failed=$(cat "$work"/results-*.txt | grep -cE '^[a-z_0-9]+ +FAILED')
echo "valgrind: $passed passed, $failed failed ($((SECONDS - t0)) s)"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
