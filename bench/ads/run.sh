#!/usr/bin/env bash
# Ads benchmarks (bench/RESULTS.md, "Issue 6"):
#  quality  on default `rastro gen` worlds (SEEDS), one hard world and one large world: pairwise precision/recall
#           and ARI of the planted template families by template id and by cluster id, phone
#           precision/recall/F1 overall and per obfuscation form (eval.py); the peer (peer.py:
#           libphonenumber's PhoneNumberMatcher + clusters by shared phone) scored the same way
#           on the same files;
#  speed    SIZES ads built from generated worlds (make_set.py), `rastro ingest` and `rastro ads`
#           timed separately, RUNS runs each on a fresh workspace, median, with peak RSS;
#           the peer's phone pass timed on the 100k file;
#  hostile  invalid UTF-8, 1 MB bodies, emoji-only, HTML, 500 phone-like strings: time and RSS.
# Usage: bench/ads/run.sh [quality] [speed] [hostile]   (RASTRO=path/to/rastro; RUNS, SEEDS, SIZES;
#        SET=file.jsonl: a speed set made earlier by make_set.py, instead of making one)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
rastro=${RASTRO:-$here/../../build/rastro}
runs=${RUNS:-3}
seeds=${SEEDS:-"1 2 3"}
sizes=${SIZES:-"100000 1000000"}
py=/usr/bin/python3      # Debian's, which has python3-phonenumbers
work=${WORK:-$(mktemp -d /tmp/rastro-bench-ads-XXXXXX)}
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(quality speed hostile)
"$here/../../scripts/deps.sh" python3-phonenumbers

load() { echo "load: $(uptime | sed 's/.*load average: //')"; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# timed CMD...: runs it, prints "seconds peak_rss_MiB cpu_seconds" (cpu = user + system: on a
# shared machine the wall time depends on the others' load, the CPU time much less)
timed() {
  /usr/bin/time -f "%e %M %U %S" -o "$work/time.txt" "$@" >/dev/null 2>"$work/stderr.txt"
  awk '{printf "%s %.0f %.2f\n", $1, $2 / 1024, $3 + $4}' "$work/time.txt"
}

echo "machine: $(uname -srm), $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(load)"

quality_world() {   # name, gen options...
  local name=$1; shift
  local d="$work/$name"
  "$rastro" gen -o "$d" -q "$@"
  "$rastro" ingest "$d/ws.rastro" --format ads -q "$d/ads.jsonl"
  "$rastro" ads "$d/ws.rastro" -q --export "$d/clusters.csv" >/dev/null
  echo "== quality $name ($(wc -l < "$d/ads.jsonl") ads): rastro"
  "$py" "$here/eval.py" "$d/truth.json" "$d/clusters.csv" "$d/ws.rastro"
  "$py" "$here/peer.py" "$d/ads.jsonl" "$d/peer.csv" "$d/peer_phones.json"
  echo "== quality $name: peer (PhoneNumberMatcher, clusters by shared phone)"
  "$py" "$here/eval.py" "$d/truth.json" "$d/peer.csv" "$d/peer_phones.json"
  rm -rf "$d"
}

for part in "${parts[@]}"; do
  case $part in
  quality)
    for s in $seeds; do quality_world "seed$s" -s "$s"; done
    [ -n "${NO_HARD:-}" ] || quality_world hard -s 1 -d hard
    # the worlds of the speed set (make_set.py): about 85,000 ads, 1,000 networks
    [ -n "${NO_LARGE:-}" ] || quality_world large -s 100 -S 10 --sex-trafficking 400 --smuggling 300 --labor-trafficking 300 \
      --laundering 0 --set gen.benign_ads_ratio=3
    ;;
  speed)
    # one set of the largest size; the smaller sets are its first lines
    max=$(printf '%s\n' $sizes | sort -n | tail -1)
    if [ -n "${SET:-}" ]; then   # a set made earlier by make_set.py, at least as large
      ln -sf "$(realpath "$SET")" "$work/ads_all.jsonl"
    else
      "$py" "$here/make_set.py" "$rastro" "$work/ads_all.jsonl" "$max" >/dev/null
    fi
    for n in $sizes; do
      f="$work/ads_$n.jsonl"
      head -n "$n" "$work/ads_all.jsonl" > "$f"
      echo "== speed $n ads, $(du -m "$f" | cut -f1) MB, $(awk '{s += length($0)} END {printf "%.0f", s / NR}' "$f") bytes/ad; $(load)"
      ti=(); ta=(); ri=(); ra=(); ci=(); ca=()
      for i in $(seq "$runs"); do
        rm -f "$work/s.rastro"*
        read -r t r c < <(timed "$rastro" ingest "$work/s.rastro" --format ads -q "$f")
        ti+=("$t"); ri+=("$r"); ci+=("$c")
        # not quiet: its summary gives the stage split (wall and CPU seconds of analyse, cluster, write)
        read -r t r c < <(timed "$rastro" ads "$work/s.rastro" -n 1)
        ta+=("$t"); ra+=("$r"); ca+=("$c")
        echo "run $i: ingest ${ti[-1]} s (cpu ${ci[-1]} s, ${ri[-1]} MiB), ads ${ta[-1]} s (cpu ${ca[-1]} s, ${ra[-1]} MiB); $(load)"
        echo "  split: $(grep -o '([0-9.]* s: analyse.*)' "$work/stderr.txt")"
      done
      mi=$(printf '%s\n' "${ti[@]}" | median); ma=$(printf '%s\n' "${ta[@]}" | median)
      echo "median: ingest $mi s (cpu $(printf '%s\n' "${ci[@]}" | median)), ads $ma s (cpu $(printf '%s\n' "${ca[@]}" | median))," \
           "end to end $(echo "$mi + $ma" | bc) s;" \
           "peak RSS ingest $(printf '%s\n' "${ri[@]}" | sort -n | tail -1) MiB, ads $(printf '%s\n' "${ra[@]}" | sort -n | tail -1) MiB"
      "$rastro" ads "$work/s.rastro" --no-run -n 0 -f csv | wc -l | awk '{print "clusters listed:", $1 - 1}'
      if [ "$n" -le 100000 ]; then
        tp=()
        for i in $(seq "$runs"); do
          read -r t r c < <(timed "$py" "$here/peer.py" "$f" "$work/peer.csv" "$work/peer.json")
          tp+=("$t cpu $c")
        done
        echo "peer (PhoneNumberMatcher + phone links) on $n ads: median $(printf '%s\n' "${tp[@]}" | median) s"
      fi
      rm -f "$f" "$work/s.rastro"*
    done
    rm -f "$work/ads_all.jsonl"   # (only the link when SET was given)
    ;;
  hostile)
    f="$work/hostile.jsonl"
    "$py" "$here/hostile.py" "$f"
    echo "== hostile input ($(wc -l < "$f") ads, $(du -m "$f" | cut -f1) MB); $(load)"
    rm -f "$work/h.rastro"*
    read -r t r c < <(timed "$rastro" ingest "$work/h.rastro" --format ads -q "$f")
    echo "ingest: $t s (cpu $c s), $r MiB"
    read -r t r c < <(timed "$rastro" ads "$work/h.rastro" -q)
    echo "ads: $t s (cpu $c s), $r MiB"
    sqlite3 "$work/h.rastro" "select 'quarantined: ' || count(*) from quarantine"
    sqlite3 "$work/h.rastro" "select 'phones per ad (max): ' || max(c) from (select count(*) c from ad_ident where kind = 'phone' group by ad_id)"
    ;;
  esac
done
