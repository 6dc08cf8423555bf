#!/usr/bin/env bash
# Ingest benchmark (issue 2): a 10-million-row IBM-format transaction file,
# loaded by `rastro ingest` and by the SQLite shell's own `.import` into a
# plain table, in the same run.  Reports every run and the medians of 3
# runs: wall seconds, rows/s, peak RSS, CPU seconds (a shared machine
# inflates wall time; CPU time less so), the load average around each run
# and the ratio.  ROWS=... to change the size; OUT=dir for the files.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
rastro=${RASTRO:-$root/build/rastro}
mkibm=$(dirname "$rastro")/bench/mkibm
rows=${ROWS:-10000000}
runs=${RUNS:-3}
out=${OUT:-$root/bench/out/ingest}
mkdir -p "$out"
csv=$out/ibm_${rows}.csv
[ -s "$csv" ] || "$mkibm" "$rows" 42 > "$csv"
echo "input: $csv ($(du -h "$csv" | cut -f1), $rows rows)"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, load before: $(cut -d' ' -f1-3 /proc/loadavg)"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timeit() {  # prints "seconds maxrss_kb cpu_seconds load1_before"
  local load
  load=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/time -f "%e %M %U %S" -o "$out/time.txt" "$@" >/dev/null 2>"$out/stderr.txt" || { cat "$out/stderr.txt"; exit 1; }
  awk -v l="$load" '{printf "%s %s %.2f %s\n", $1, $2, $3 + $4, l}' "$out/time.txt"
}

: > "$out/import.txt"; : > "$out/rastro.txt"; : > "$out/rastro_index.txt"
for i in $(seq "$runs"); do
  rm -f "$out/import.db"
  timeit sqlite3 "$out/import.db" -cmd ".mode csv" ".import $csv t" >> "$out/import.txt"
  rm -f "$out/b.rastro"*
  timeit "$rastro" ingest "$out/b.rastro" -q --defer-index "$csv" >> "$out/rastro.txt"
  timeit "$rastro" index "$out/b.rastro" -q >> "$out/rastro_index.txt"
done
echo "runs (wall s, peak RSS, CPU s, load average before the run):"
for f in import rastro rastro_index; do
  printf '  %-13s %s\n' "$f:" "$(awk '{printf "%s%s s/%.0f MiB/%s cpu/load %s", (NR > 1 ? "; " : ""), $1, $2 / 1024, $3, $4}' "$out/$f.txt")"
done
rows_loaded=$(sqlite3 "$out/b.rastro" "select count(*) from txn")
[ "$rows_loaded" = "$rows" ] || { echo "rastro loaded $rows_loaded rows, expected $rows"; exit 1; }
echo "workspace after index: $(du -h "$out/b.rastro" | cut -f1); sqlite3 table: $(du -h "$out/import.db" | cut -f1)"
imp=$(cut -d' ' -f1 "$out/import.txt" | median)
ras=$(cut -d' ' -f1 "$out/rastro.txt" | median)
idx=$(cut -d' ' -f1 "$out/rastro_index.txt" | median)
imp_rss=$(cut -d' ' -f2 "$out/import.txt" | sort -n | tail -1)
ras_rss=$(cut -d' ' -f2 "$out/rastro.txt" | sort -n | tail -1)
imp_cpu=$(cut -d' ' -f3 "$out/import.txt" | median)
ras_cpu=$(cut -d' ' -f3 "$out/rastro.txt" | median)
idx_cpu=$(cut -d' ' -f3 "$out/rastro_index.txt" | median)
idx_rss=$(cut -d' ' -f2 "$out/rastro_index.txt" | sort -n | tail -1)
awk -v r="$rows" -v imp="$imp" -v ras="$ras" -v idx="$idx" -v irss="$imp_rss" -v rrss="$ras_rss" \
    -v icpu="$imp_cpu" -v rcpu="$ras_cpu" -v xcpu="$idx_cpu" -v xrss="$idx_rss" 'BEGIN {
  printf "sqlite3 .import:          %6.2f s  %9.0f rows/s  peak RSS %5.0f MiB\n", imp, r/imp, irss/1024
  printf "rastro ingest (load):     %6.2f s  %9.0f rows/s  peak RSS %5.0f MiB\n", ras, r/ras, rrss/1024
  printf "rastro index (after):     %6.2f s                    peak RSS %5.0f MiB\n", idx, xrss/1024
  printf "ratio load  import/rastro: %.2fx\n", imp/ras
  printf "ratio with indexes:        %.2fx\n", imp/(ras+idx)
  printf "CPU seconds (user+sys, median): import %.2f, rastro load %.2f, index %.2f\n", icpu, rcpu, xcpu
}'
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
