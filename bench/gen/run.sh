#!/usr/bin/env bash
# Generator benchmark (issue 3): a world of about 10 million transactions
# written by `rastro gen`, median of RUNS runs, with peak RSS; in the same
# run two peers on the same number of rows: the ingest benchmark's mkibm (a
# C writer of random IBM-format rows with no world model, the floor for
# "just writing rows") and `cp` of the generated file (the disk).  Then the
# memory check (same people, 3x and 9x the days: RSS must not grow with the
# transactions) and the IBM mode at 10 million rows.
# SCALE=... RUNS=... OUT=dir to change.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
rastro=${RASTRO:-$root/build/rastro}
mkibm=$(dirname "$rastro")/bench/mkibm
scale=${SCALE:-100}
runs=${RUNS:-3}
threads=${THREADS:-2}
out=${OUT:-$root/bench/out/gen}
mkdir -p "$out"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -sr), load before: $(cut -d' ' -f1-3 /proc/loadavg)"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timeit() {  # FILE CMD...: appends "seconds maxrss_kb"
  local f=$1; shift
  /usr/bin/time -f "%e %M" -o "$out/time.txt" "$@" >/dev/null 2>"$out/stderr.txt" || { cat "$out/stderr.txt"; exit 1; }
  cat "$out/time.txt" >> "$f"
}

: > "$out/gen.txt"; : > "$out/mkibm.txt"; : > "$out/cp.txt"
for i in $(seq "$runs"); do
  rm -rf "$out/world"
  timeit "$out/gen.txt" "$rastro" gen -o "$out/world" --scale "$scale" --threads "$threads" -q
  rows=$(($(wc -l < "$out/world/transactions.csv") - 1))
  bytes=$(du -sb "$out/world" | cut -f1)
  if [ -x "$mkibm" ]; then
    timeit "$out/mkibm.txt" sh -c "'$mkibm' $rows 42 > '$out/mkibm.csv'"
  fi
  timeit "$out/cp.txt" cp "$out/world/transactions.csv" "$out/copy.csv"
  rm -f "$out/copy.csv" "$out/mkibm.csv"
done
gen=$(cut -d' ' -f1 "$out/gen.txt" | median)
gen_rss=$(cut -d' ' -f2 "$out/gen.txt" | sort -n | tail -1)
cpt=$(cut -d' ' -f1 "$out/cp.txt" | median)
awk -v r="$rows" -v b="$bytes" -v t="$gen" -v m="$gen_rss" -v c="$cpt" 'BEGIN {
  printf "rastro gen --scale '"$scale"': %d transactions, %.0f MB in all files\n", r, b/1e6
  printf "  rastro gen:      %6.2f s  %9.0f txn/s  peak RSS %5.0f MiB\n", t, r/t, m/1024
  printf "  cp of the file:  %6.2f s  (the disk alone)\n", c
}'
if [ -s "$out/mkibm.txt" ]; then
  mk=$(cut -d' ' -f1 "$out/mkibm.txt" | median)
  awk -v r="$rows" -v t="$gen" -v k="$mk" 'BEGIN {
    printf "  mkibm (no model): %6.2f s  %9.0f rows/s\n", k, r/k
    printf "  ratio gen/mkibm:  %.2fx\n", t/k
  }'
fi

# Memory does not grow with the number of transactions: same people,
# more days.
for d in 30 90 270; do
  rm -rf "$out/days"
  /usr/bin/time -f "%e %M" -o "$out/time.txt" "$rastro" gen -o "$out/days" --scale 20 --days "$d" -q
  rows=$(($(wc -l < "$out/days/transactions.csv") - 1))
  read -r secs rss < "$out/time.txt"
  printf "  scale 20, %3d days: %9d transactions, %6.2f s, peak RSS %5.0f MiB\n" "$d" "$rows" "$secs" "$(echo "$rss/1024" | bc -l)"
done
rm -rf "$out/days"

# IBM AMLworld mode at about 10 million rows.
: > "$out/ibm.txt"
for i in $(seq "$runs"); do
  rm -rf "$out/ibm"
  timeit "$out/ibm.txt" "$rastro" gen --ibm -o "$out/ibm" --scale 200 -q
done
rows=$(($(wc -l < "$out/ibm/gen_Trans.csv") - 1))
t=$(cut -d' ' -f1 "$out/ibm.txt" | median)
m=$(cut -d' ' -f2 "$out/ibm.txt" | sort -n | tail -1)
awk -v r="$rows" -v t="$t" -v m="$m" 'BEGIN {
  printf "rastro gen --ibm --scale 200: %d rows, %6.2f s, %9.0f rows/s, peak RSS %5.0f MiB\n", r, t, r/t, m/1024 }'
rm -rf "$out/world" "$out/ibm"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
