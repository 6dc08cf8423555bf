#!/usr/bin/env bash
# Network benchmarks (issue 7).  Sections, each selectable by name:
#   quality  generated worlds (rastro gen, default difficulty, seeds 1-3): planted
#            networks recovered (Jaccard >= 0.5) and ranked in the top 20, role
#            accuracy per role, and the ranked list itself: networks in the top 10
#            and top 20 that match a planted network or are false (fewer than 20 %
#            planted people), the largest false one (bench/network/eval.py)
#   scale    a community-structured graph of ~10M links (mkgraph): `rastro network`
#            3 runs, each with wall and CPU time, peak RSS, load, and the split
#            by phase (build, partition, join, roles, write; wall and CPU)
#   query    2-hop neighbourhoods on the same 1M-node graph, through the C API with
#            the graph cache mapped (netq), and a few through the CLI
#   report   `rastro report` for a world with 100 planted networks
#   peer     modularity and time against networkx Louvain on the same graphs
# Usage: bench/network/run.sh [section...]   (ROWS=..., ACCOUNTS=... to resize)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
rastro=${RASTRO:-$root/build/rastro}
bin=$(dirname "$rastro")/bench
out=${OUT:-$root/bench/out/network}
py=${PYTHON:-/usr/bin/python3}
mkdir -p "$out"
sections=("$@")
[ ${#sections[@]} -eq 0 ] && sections=(quality scale query report peer)
want() { local s; for s in "${sections[@]}"; do [ "$s" = "$1" ] && return 0; done; return 1; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# timed LOG OUT CMD...: runs CMD (its output to the file OUT), appends
# "wall KiB user sys" to LOG and prints wall, CPU (user + sys), peak RSS and
# the load average after it
timed() {
  local log=$1 o=$2; shift 2
  /usr/bin/time -f "%e %M %U %S" -o "$out/time.txt" "$@" > "$o" 2>&1
  cat "$out/time.txt" >> "$log"
  awk -v l="$(cut -d' ' -f1-3 /proc/loadavg)" '{printf "wall %.2f s, CPU %.2f s (user %.2f + sys %.2f), peak RSS %d MiB, load %s\n", $1, $3 + $4, $3, $4, $2 / 1024, l}' "$out/time.txt"
}
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; load: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%F)"

world() {  # DIR SEED [gen settings...]: generate, ingest, run every stage
  local dir=$1 seed=$2; shift 2
  rm -rf "$dir"; mkdir -p "$dir"
  "$rastro" gen -o "$dir/world" --seed "$seed" "$@" >/dev/null
  local ws=$dir/ws.rastro w=$dir/world
  "$rastro" init "$ws" >/dev/null
  "$rastro" ingest "$ws" -q --agency bank "$w/transactions.csv" "$w/accounts.csv"
  for a in hsi cbp txdps elpasopd; do "$rastro" ingest "$ws" -q --format person --agency $a "$w/persons_$a.csv"; done
  "$rastro" ingest "$ws" -q --format encounter --agency hsi "$w/encounters.csv"
  "$rastro" ingest "$ws" -q --format ads --agency platform "$w/ads.jsonl"
  "$rastro" ingest "$ws" -q --format providers --agency ngo "$w/providers.csv"
  echo "   rastro run: $(timed "$dir/run_time.txt" "$dir/run_out.txt" "$rastro" run "$ws" -q)"
}

if want quality; then
  echo "== quality: generated worlds, default difficulty"
  # seed 1 was the development world (link weights, eval definitions): the
  # figures are measured on other seeds
  for seed in ${SEEDS:-2 3 4}; do
    d=$out/q$seed
    world "$d" $seed --scale 2 --days 90
    echo "-- seed $seed: $("$rastro" network "$d/ws.rastro" --no-run -q -n 0 -f csv | tail -n +2 | wc -l) networks listed"
    echo "   every planted person (buyers and customers included):"
    $py "$here/eval.py" "$d/ws.rastro" "$d/world/truth.json" | tee "$d/eval_all.txt" | tail -n 10
    echo "   the organisation (no buyers or customers), people the workspace holds something of:"
    $py "$here/eval.py" "$d/ws.rastro" "$d/world/truth.json" --core --observable | tee "$d/eval_core.txt" | grep -E "^N0|^recovered|^ranked|^false|^role"
  done
fi

big=$out/big.rastro
if want scale || want query || want peer; then
  rows=${ROWS:-11000000}
  accounts=${ACCOUNTS:-1000000}
  csv=$out/graph_${rows}.csv
  [ -s "$csv" ] || "$bin/mkgraph" "$rows" "$accounts" 40 7 > "$csv"
  if [ ! -s "$big" ]; then
    "$rastro" init "$big" >/dev/null
    "$rastro" ingest "$big" -q "$csv"
  fi
fi

if want scale; then
  echo "== scale: $(du -h "$csv" | cut -f1) of transactions, $(sqlite3 "$big" 'select count(*) from txn') rows"
  : > "$out/scale.txt"
  for i in 1 2 3; do
    echo "   run $i: $(timed "$out/scale.txt" "$out/net_run.txt" "$rastro" network "$big" -n 3)"
    grep -E "nodes|components" "$out/net_run.txt" | sed 's/^/   /'
    # per phase, wall and the process's CPU time (rastro network prints both)
    grep -E "^build" "$out/net_run.txt" | sed 's/^/   phases: /'
  done
  echo "rastro network: median wall $(cut -d' ' -f1 "$out/scale.txt" | median) s," \
       "median CPU (user+sys) $(awk '{print $3 + $4}' "$out/scale.txt" | median) s," \
       "peak RSS $(( $(cut -d' ' -f2 "$out/scale.txt" | sort -n | tail -1) / 1024 )) MiB (3 runs)"
fi

if want query; then
  echo "== query: 2-hop neighbourhoods on $(sqlite3 "$big" 'select count(*) from entity') nodes"
  maxid=$(sqlite3 "$big" 'select max(id) from entity')
  [ -s "$big.graph" ] || "$rastro" network "$big" -q
  "$bin/netq" "$big" 2 10000 11 "$maxid"
  : > "$out/cli.txt"
  for i in $(seq 1 20); do
    e=$(( (i * 48271) % maxid + 1 ))
    timed "$out/cli.txt" /dev/null "$rastro" network "$big" --around "#$e" --hops 2 -q >/dev/null
  done
  echo "CLI (process start, open, map, query, labels, print): median wall $(cut -d' ' -f1 "$out/cli.txt" | median) s," \
       "median CPU $(awk '{print $3 + $4}' "$out/cli.txt" | median) s over 20 queries"
fi

if want report; then
  echo "== report: a world with 100 planted networks"
  d=$out/r100
  world "$d" 5 --scale 10 --days 60 --networks 25
  echo "planted networks: $($py -c "import json,sys; print(len(json.load(open(sys.argv[1]))['networks']))" "$d/world/truth.json")"
  : > "$out/report.txt"
  for i in 1 2 3; do
    echo "   run $i: $(timed "$out/report.txt" /dev/null "$rastro" report "$d/ws.rastro" -o "$d/report.html" --top 100 -q)"
  done
  echo "rastro report --top 100: median wall $(cut -d' ' -f1 "$out/report.txt" | median) s," \
       "median CPU $(awk '{print $3 + $4}' "$out/report.txt" | median) s, $(du -h "$d/report.html" | cut -f1)," \
       "$(grep -c 'class="network"' "$d/report.html") network pages"
fi

if want peer; then
  echo "== peer: networkx on the same graphs"
  for d in "$out/q1"; do
    [ -s "$d/ws.rastro" ] || world "$d" 1 --scale 2 --days 90
    s=$("$rastro" network "$d/ws.rastro" | sed -n 's/.*partition \([0-9.]*\) s.*/\1/p')
    "$rastro" export "$d/ws.rastro" --all -f csv -o "$d/all.csv" -q
    echo "-- generated world (seed 1)"
    $py "$here/compare_nx.py" "$d/all-nodes.csv" "$d/all-edges.csv" "$s"
  done
  # a 1M-link graph (networkx needs minutes and gigabytes beyond that)
  m=$out/mid.rastro
  if [ ! -s "$m" ]; then
    "$bin/mkgraph" 1100000 100000 40 9 > "$out/mid.csv"
    "$rastro" init "$m" >/dev/null
    "$rastro" ingest "$m" -q "$out/mid.csv"
  fi
  s=$("$rastro" network "$m" | sed -n 's/.*partition \([0-9.]*\) s.*/\1/p')
  "$rastro" export "$m" --all -f csv -o "$out/mid.csv.out" -q
  echo "-- community graph, 100k accounts"
  $py "$here/compare_nx.py" "$out/mid.csv.out-nodes.csv" "$out/mid.csv.out-edges.csv" "$s"
fi
