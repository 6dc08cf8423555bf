#!/usr/bin/env bash
# Quality of potential-victim identification on generated worlds: recall and
# precision of planted victims (truth.json), per seed, at a difficulty, with
# and without entity resolution, without the agencies' own `victim`
# records (what rastro finds from screening answers and money alone), and
# without the officers' encounter notes (the peer for the notes lexicon).
# Usage: bench/victims/quality.sh [SEEDS...]   (SCALE, DIFFICULTY, RASTRO)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
rastro=${RASTRO:-$here/../../build/rastro}
scale=${SCALE:-5}
difficulty=${DIFFICULTY:-default}
seeds=("$@")
[ ${#seeds[@]} -eq 0 ] && seeds=(2 3 4)
work=$(mktemp -d /tmp/rastro-bench-vq-XXXXXX)
trap 'rm -rf "$work"' EXIT
has_cmd() { "$rastro" --help | grep -q "^  $1 "; }
echo "scale $scale, difficulty $difficulty, seeds ${seeds[*]}; load: $(uptime | sed 's/.*load average: //')"
stats=$work/stats.txt
: > "$stats"
for seed in "${seeds[@]}"; do
  w=$work/s$seed
  "$rastro" gen -q --seed "$seed" --scale "$scale" -d "$difficulty" -o "$w"
  ws=$w/ws.rastro
  "$rastro" init "$ws" >/dev/null
  "$rastro" ingest "$ws" -q "$w/transactions.csv" "$w/accounts.csv" "$w/encounters.csv" "$w/providers.csv"
  for f in "$w"/persons_*.csv; do
    a=$(basename "$f" .csv); a=${a#persons_}
    "$rastro" ingest "$ws" -q --agency "$a" "$f"
  done
  ads=""
  if has_cmd ads; then "$rastro" ingest "$ws" -q --format ads "$w/ads.jsonl"; "$rastro" ads "$ws" -q >/dev/null; ads=" ads"; fi
  if has_cmd detect; then "$rastro" detect "$ws" -q >/dev/null; ads="$ads detect"; fi
  "$rastro" victims "$ws" -q >/dev/null
  python3 "$here/quality.py" "$ws" "$w/truth.json" --label "seed $seed, no resolution$ads: " | tee -a "$stats" | grep -v "^#stats"
  "$rastro" victims "$ws" -q --set victims.weight.agency_victim=0 >/dev/null
  python3 "$here/quality.py" "$ws" "$w/truth.json" --label "seed $seed, no resolution, agency victim records ignored$ads: " | tee -a "$stats" | grep -v "^#stats"
  # the peer without officers' notes (the state before the notes lexicon)
  "$rastro" victims "$ws" -q --set victims.notes.enabled=false >/dev/null
  python3 "$here/quality.py" "$ws" "$w/truth.json" --label "seed $seed, no resolution, notes not read$ads: " | tee -a "$stats" | grep -v "^#stats"
  "$rastro" victims "$ws" -q --set victims.weight.pay_to_other=0 >/dev/null
  python3 "$here/quality.py" "$ws" "$w/truth.json" --label "seed $seed, no resolution, pay to other not read$ads: " | tee -a "$stats" | grep -v "^#stats"
  "$rastro" victims "$ws" -q --set victims.weight.pay_to_other=0.7 >/dev/null
  python3 "$here/quality.py" "$ws" "$w/truth.json" --label "seed $seed, no resolution, pay to other weighed 0.7$ads: " | tee -a "$stats" | grep -v "^#stats"
  "$rastro" resolve "$ws" -q >/dev/null
  "$rastro" victims "$ws" -q >/dev/null
  python3 "$here/quality.py" "$ws" "$w/truth.json" --label "seed $seed, resolved$ads: " | tee -a "$stats" | grep -v "^#stats"
  "$rastro" victims "$ws" -q --set victims.weight.agency_victim=0 >/dev/null
  python3 "$here/quality.py" "$ws" "$w/truth.json" --label "seed $seed, resolved, agency victim records ignored$ads: " | tee -a "$stats" | grep -v "^#stats"
done
echo "== pooled over seeds ${seeds[*]} (scale $scale, $difficulty)"
grep '^#stats' "$stats" | awk -F'\t' '{p[$2]+=$3; f[$2]+=$4; g[$2]+=$5; c[$2]+=$6; r[$2]+=$7; rf[$2]+=$8; x[$2]+=$9; o[$2]=NR}
  END {for (v in p) printf "%s: recall %.3f (%d/%d), precision %.3f (%d/%d), recall with an id in the files %.3f (%d/%d), perpetrators flagged %d\n",
       v, f[v]/p[v], f[v], p[v], c[v]/g[v], c[v], g[v], rf[v]/r[v], rf[v], r[v], x[v]}' | sort
