#!/usr/bin/env bash
# Entity-resolution benchmark: quality on FEBRL (dedup 1-3, linkage 4a x 4b)
# and on generated people, side by side with the pandas + jellyfish baseline
# run in the same script; privacy-preserving linkage on 4a x 4b; scaling.
#
# usage: bench/resolve/run.sh [quality|pprl|gen|world|scale] ...   (default: all but scale)
#   RASTRO=path/to/rastro  FEBRL_DIR=/work/shared/data/febrl  RUNS=3
#   SCALE="100000 1000000"  people per scaling run (records = about 1.25x)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
RASTRO=${RASTRO:-$here/../../build/rastro}
FEBRL_DIR=${FEBRL_DIR:-/work/shared/data/febrl}
RUNS=${RUNS:-3}
PY=/usr/bin/python3            # Debian's python3 with python3-pandas and python3-jellyfish
work=$(mktemp -d "${TMPDIR:-/tmp}/rastro-bench-resolve-XXXXXX")
trap 'rm -rf "$work"' EXIT
parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(quality pprl gen world)

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
secs() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N); printf "%.2f\n" "$(echo "$t1 - $t0" | bc)"; }

rastro_dedup() {  # FILE... -> export in $work/r.csv
  rm -f "$work/w.rastro"; "$RASTRO" init "$work/w.rastro" >/dev/null
  "$RASTRO" ingest -q "$work/w.rastro" "$@"
  "$RASTRO" resolve -q "$work/w.rastro" --export "$work/r.csv"
}
rastro_link() {   # A B
  rm -f "$work/w.rastro"; "$RASTRO" init "$work/w.rastro" >/dev/null
  "$RASTRO" ingest -q "$work/w.rastro" "$1" "$2"
  "$RASTRO" resolve -q "$work/w.rastro" --link "$(basename "$1")" "$(basename "$2")" --export "$work/r.csv"
}
baseline() {      # THRESHOLD FILE [FILE]
  local t=$1; shift
  sed "s/^THRESHOLD = .*/THRESHOLD = $t/" "$here/baseline.py" > "$work/bl.py"
  PYTHONWARNINGS=ignore $PY "$work/bl.py" "$work/b.csv" "$@"
}
row() {           # NAME TOOL SECONDS SCORE-LINE
  local s=$4
  printf '| %s | %s | %s | %s | %s | %s | %.2f |\n' "$1" "$2" \
    "$(sed 's/.*precision=\([0-9.]*\).*/\1/' <<<"$s")" "$(sed 's/.*recall=\([0-9.]*\).*/\1/' <<<"$s")" \
    "$(sed 's/.*f1=\([0-9.]*\).*/\1/' <<<"$s")" "$(sed 's/.*pairs_predicted=\([0-9]*\).*/\1/' <<<"$s")" "$3"
}
compare() {       # NAME LINKFLAG FILES...
  local name=$1 link=$2; shift 2
  local ts=() tb=() tb2=() i
  for i in $(seq "$RUNS"); do
    if [ -n "$link" ]; then ts+=("$(secs rastro_link "$@")"); else ts+=("$(secs rastro_dedup "$@")"); fi
  done
  row "$name" "rastro (ingest + resolve)" "$(printf '%s\n' "${ts[@]}" | median)" "$($PY "$here/score.py" "$work/r.csv" $link)"
  for th in 6.5 5.5; do
    tb=()
    for i in $(seq "$RUNS"); do tb+=("$(secs baseline $th "$@")"); done
    row "$name" "baseline, threshold $th" "$(printf '%s\n' "${tb[@]}" | median)" "$($PY "$here/score.py" "$work/b.csv" $link)"
  done
}

echo "machine: $(uname -srm), $(nproc) cores; load: $(uptime | sed 's/.*load average: //')"
for part in "${parts[@]}"; do
  case $part in
  quality)
    [ -r "$FEBRL_DIR/dataset1.csv" ] || { echo "SKIP quality: no FEBRL data in $FEBRL_DIR"; continue; }
    echo; echo "| data | tool | precision | recall | F1 | pairs predicted | seconds (median of $RUNS) |"
    echo "|---|---|---|---|---|---|---|"
    for d in dataset1 dataset2 dataset3; do compare "FEBRL $d" "" "$FEBRL_DIR/$d.csv"; done
    compare "FEBRL 4a x 4b" "--link" "$FEBRL_DIR/dataset4a.csv" "$FEBRL_DIR/dataset4b.csv"
    ;;
  pprl)
    [ -r "$FEBRL_DIR/dataset4a.csv" ] || { echo "SKIP pprl: no FEBRL data"; continue; }
    head -c 32 /dev/urandom | base64 > "$work/secret"
    rm -f "$work"/e*.rastro
    "$RASTRO" encode "$work/ea.rastro" -q --secret "$work/secret" --out "$work/a.enc" "$FEBRL_DIR/dataset4a.csv"
    "$RASTRO" encode "$work/eb.rastro" -q --secret "$work/secret" --out "$work/b.enc" "$FEBRL_DIR/dataset4b.csv"
    echo; echo "| PPRL 4a x 4b | threads | threshold | precision | recall | F1 | comparisons/s (median of $RUNS) |"
    echo "|---|---|---|---|---|---|---|"
    for th in 1 2; do
      for t in 0.7 0.8; do
        rates=()
        for i in $(seq "$RUNS"); do
          out=$("$RASTRO" link-encoded "$work/lk.rastro" "$work/a.enc" "$work/b.enc" --out "$work/links.csv" \
                --threshold $t --set resolve.threads=$th)
          rates+=("$(sed 's/.*(\([0-9.]*\) million\/s).*/\1/' <<<"$out")")
        done
        s=$($PY - "$work/links.csv" <<'PY'
import csv, re, sys
tp = n = 0
for r in csv.DictReader(open(sys.argv[1])):
    n += 1
    tp += re.match(r"rec-(\d+)", r["a"]).group(1) == re.match(r"rec-(\d+)", r["b"]).group(1)
p = tp / n if n else 0; rc = tp / 5000
print(f"{p:.4f} | {rc:.4f} | {2*p*rc/(p+rc) if p+rc else 0:.4f}")
PY
)
        echo "| balanced 2x1024 bits | $th | $t | $s | $(printf '%s\n' "${rates[@]}" | median) million |"
      done
    done
    ;;
  gen)
    echo; echo "| data | tool | precision | recall | F1 | pairs predicted | seconds (median of $RUNS) |"
    echo "|---|---|---|---|---|---|---|"
    $PY "$here/gen_people.py" 5000 0.5 7 "$work/g.csv" --hard
    compare "generated people (5,000 people, hard)" "" "$work/g.csv"
    $PY "$here/gen_people.py" 5000 0.5 8 "$work/g2.csv"
    compare "generated people (5,000 people, normal)" "" "$work/g2.csv"
    ;;
  world)
    # people from `rastro gen` (agency person records, KYC holders, encounters)
    echo; echo "| rastro gen world | tool | records scored | precision | recall | F1 | seconds |"
    echo "|---|---|---|---|---|---|---|"
    for diff in default hard; do
      rm -rf "$work/gw"; "$RASTRO" gen -q -o "$work/gw" --scale "${GEN_SCALE:-5}" --difficulty $diff
      rm -f "$work/g.rastro"; "$RASTRO" init "$work/g.rastro" >/dev/null
      "$RASTRO" ingest -q "$work/g.rastro" "$work"/gw/persons_*.csv "$work/gw/accounts.csv" "$work/gw/encounters.csv"
      t=$(secs "$RASTRO" resolve -q "$work/g.rastro" --export "$work/r.csv")
      s=$($PY "$here/score_gen.py" "$work/r.csv" "$work/gw/truth.json")
      echo "| scale ${GEN_SCALE:-5}, $diff | rastro: person records + KYC + encounters | $(( $(wc -l < "$work/r.csv") - 1 )) | $(sed 's/.*precision=\([0-9.]*\) recall=\([0-9.]*\) f1=\([0-9.]*\)/\1 | \2 | \3/' <<<"$s") | $t |"
      s=$($PY "$here/score_gen.py" "$work/r.csv" "$work/gw/truth.json" --only-persons)
      echo "| scale ${GEN_SCALE:-5}, $diff | rastro: person records only | $(grep -c persons_ "$work/r.csv") | $(sed 's/.*precision=\([0-9.]*\) recall=\([0-9.]*\) f1=\([0-9.]*\)/\1 | \2 | \3/' <<<"$s") | |"
      for th in 6.5 5.5; do
        t=$(secs baseline $th --dedup "$work"/gw/persons_*.csv)
        s=$($PY "$here/score_gen.py" "$work/b.csv" "$work/gw/truth.json" --only-persons)
        echo "| scale ${GEN_SCALE:-5}, $diff | baseline $th: person records | $(( $(wc -l < "$work/b.csv") - 1 )) | $(sed 's/.*precision=\([0-9.]*\) recall=\([0-9.]*\) f1=\([0-9.]*\)/\1 | \2 | \3/' <<<"$s") | $t |"
      done
    done
    ;;
  scale)
    # one resolve run per size: wall, CPU (user + sys, all threads), peak RSS,
    # and the stages' wall and CPU seconds as `resolve --blocks` reports them
    echo; echo "| people | records | candidate pairs | ingest s | resolve wall s | resolve CPU s | peak RSS MB | F1 | load before / after |"
    echo "|---|---|---|---|---|---|---|---|---|"
    stages=()
    for n in ${SCALE:-100000 1000000}; do
      $PY "$here/gen_people.py" "$n" 0.25 11 "$work/s.csv"
      rm -f "$work/s.rastro"; "$RASTRO" init "$work/s.rastro" >/dev/null
      ti=$(printf "%.1f" "$(secs "$RASTRO" ingest -q "$work/s.rastro" --format person "$work/s.csv")")
      l0=$(uptime | sed 's/.*load average: \([0-9.]*\).*/\1/')
      /usr/bin/time -f '%e %U %S %M' -o "$work/time.txt" "$RASTRO" resolve "$work/s.rastro" --blocks \
        --export "$work/r.csv" >"$work/out.txt"
      l1=$(uptime | sed 's/.*load average: \([0-9.]*\).*/\1/')
      read -r tw tu ts rk < <(tail -1 "$work/time.txt")
      pairs=$(sed -n 's/.*, \([0-9]*\) candidate pairs.*/\1/p' "$work/out.txt")
      recs=$(( $(wc -l < "$work/s.csv") - 1 ))
      f1=$($PY "$here/score.py" "$work/r.csv" | sed 's/.*f1=//')
      echo "| $n | $recs | $pairs | $ti | $tw | $(echo "$tu + $ts" | bc) | $(( rk / 1024 )) | $f1 | $l0 / $l1 |"
      stages+=("$n: $(grep '^seconds:' "$work/out.txt")" "$n: $(grep '^cpu seconds:' "$work/out.txt")")
      rm -f "$work/s.rastro" "$work/s.rastro-wal" "$work/s.csv" "$work/r.csv"
    done
    echo; printf '%s\n' "${stages[@]}"
    ;;
  esac
done
