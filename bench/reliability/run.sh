#!/usr/bin/env bash
# Time and peak memory of rastro on pathological inputs (the same shapes as
# tests/e2e/pathological.sh, at full size): a 100 MB field, a header of
# 1,000,000 columns, JSON nested 100,000 deep and a 20 MB JSON line, names
# of 10,000 characters, a hub account with HUB_N counterparties (default
# 5,000,000), and ROWS_N plain rows (default 0 = skipped; 50000000 for the
# issue's 50-million-row ingest).  Prints one table row per case:
# case | command | exit | wall s | CPU s (user+sys) | peak RSS MiB | message.
# Usage: RASTRO=build/rastro bench/reliability/run.sh
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
rastro=$(realpath "${RASTRO:-$here/../../build/rastro}")
mkibm=$(dirname "$rastro")/bench/mkibm
hub_n=${HUB_N:-5000000}
rows_n=${ROWS_N:-0}
work=$(mktemp -d "${TMPDIR:-/tmp}/rastro-patho-XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
echo "uptime: $(uptime)"
echo "| case | command | exit | wall s | CPU s | peak RSS MiB | message |"
echo "|---|---|---|---|---|---|---|"
measure() {  # CASE -- ARGS...
  local name=$1; shift 2
  /usr/bin/time -f '%e %U %S %M' -o time.txt "$rastro" "$@" >out.txt 2>err.txt
  local rc=$? t u s m msg
  read -r t u s m < <(tail -1 time.txt)
  msg=$(cat out.txt err.txt | grep -v '^$' | tail -1 | cut -c1-140 | tr '|' '/')
  printf '| %s | `rastro %s` | %s | %s | %s | %s | %s |\n' "$name" "$1" "$rc" "$t" \
    "$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')" "$((m / 1024))" "$msg"
}

"$rastro" init ws.rastro >/dev/null
{ echo "txn_id,timestamp,from_account,to_account,amount,currency,memo"
  printf 'p2,2024-03-01T09:16:00,ACC-1,ACC-2,10.00,USD,"'; head -c 100000000 /dev/zero | tr '\0' 'x'; echo '"'
  echo "p3,2024-03-01T09:17:00,ACC-1,ACC-2,10.00,USD,last"; } > field.csv
measure "100 MB field" -- ingest ws.rastro field.csv
rm -f field.csv
python3 -c 'import sys; sys.stdout.write(",".join("c%d" % i for i in range(1000000)) + "\n1,2,3\n")' > wide.csv
measure "1,000,000-column header" -- ingest ws.rastro wide.csv
rm -f wide.csv
{ python3 -c 'import sys; sys.stdout.write("[" * 100000 + "]" * 100000 + "\n")'
  printf '{"id":"j2","posted_at":"2024-03-01T21:00:00","site":"s.example","title":"t","body":"'
  head -c 20000000 /dev/zero | tr '\0' 'y'; echo '"}'; } > deep.jsonl
measure "JSON 100,000 deep + 20 MB line" -- ingest ws.rastro --format ads deep.jsonl
measure "ads stage over the 20 MB ad" -- ads ws.rastro -q
rm -f deep.jsonl
python3 - <<'PY' > long_names.csv
import random
random.seed(9)
print("record_id,given_name,surname,dob,phone")
for i in range(1000):
    g = "".join(random.choice("abcdefghijklmnopqrstuvwxyzáéíñ ") for _ in range(10000))
    s = "".join(random.choice("abcdefghijklmnopqrstuvwxyz-' ") for _ in range(10000))
    print("L-%d,%s,%s,1990-01-%02d,915-555-%04d" % (i, g, s, 1 + i % 28, i))
PY
measure "1,000 names of 10,000 chars" -- ingest ws.rastro --format person long_names.csv
measure "resolve them" -- resolve ws.rastro -q
rm -f long_names.csv
"$rastro" init hub.rastro >/dev/null
awk -v n="$hub_n" 'BEGIN { print "txn_id,timestamp,from_account,to_account,amount,currency"
  for (i = 0; i < n; i++) printf "h%d,2024-03-%02dT%02d:00:00,HUB,C%07d,%d.00,USD\n", i, 1 + i % 28, i % 24, i, 10 + i % 500 }' > hub.csv
measure "hub with $hub_n counterparties" -- ingest hub.rastro -q hub.csv
rm -f hub.csv
measure "victims over the hub" -- victims hub.rastro
measure "network over the hub" -- network hub.rastro
if [ "$rows_n" -gt 0 ]; then
  "$rastro" init big.rastro >/dev/null
  "$mkibm" "$rows_n" 7 > big.csv
  ls -l big.csv | awk '{ printf "input: %.1f GB\n", $5 / 1e9 }' >&2
  measure "$rows_n-row ingest" -- ingest big.rastro -q big.csv
  rm -f big.csv
fi
