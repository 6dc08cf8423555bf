# Pathological inputs: each must end in bounded time with a clear message
# (file, line, reason) and lose nothing else.  Limits (docs/reliability.md):
# a CSV record or JSON line over 64 MiB is quarantined with its line; a
# header of more than 10,000 fields is refused (a data row with more is
# quarantined); JSON nested deeper than jansson's limit (2,048) is
# quarantined; names are folded to 63 bytes per part.  Time and memory
# figures at full size: bench/reliability/run.sh.  The sanitizer build runs
# the long JSON line and the hub at a tenth of the size (the limits are
# exercised all the same).
"$RASTRO" init ws.rastro >/dev/null
jsonline=20000000 hub=200000
if [ "${RASTRO_SANITIZER:-0}" = 1 ]; then jsonline=2000000 hub=20000; fi

# --- a single 100 MB field between two good rows
{
  echo "txn_id,timestamp,from_account,to_account,amount,currency,memo"
  echo "p1,2024-03-01T09:15:00,ACC-1,ACC-2,10.00,USD,first"
  printf 'p2,2024-03-01T09:16:00,ACC-1,ACC-2,10.00,USD,"'
  head -c 100000000 /dev/zero | tr '\0' 'x'
  echo '"'
  echo "p3,2024-03-01T09:17:00,ACC-1,ACC-2,10.00,USD,last"
} > field.csv
fails 0 "a 100 MB field: the file loads" -- timeout 300 "$RASTRO" ingest ws.rastro field.csv
has out.txt "3 rows read, 2 loaded, 1 quarantined"
same "$(sql ws.rastro "select line || ' ' || reason from quarantine where source_id = (select max(id) from source)")" \
  "3 record longer than the size limit" "the long record is quarantined with its line and reason"
same "$(sql ws.rastro "select group_concat(memo) from (select memo from txn order by line)")" "first,last" "the rows around it load"
rm -f field.csv

# --- a header of 1,000,000 columns
python3 -c 'import sys; sys.stdout.write(",".join("c%d" % i for i in range(1000000)) + "\n1,2,3\n")' > wide.csv
fails 3 "a header of a million columns is refused" -- timeout 120 "$RASTRO" ingest ws.rastro wide.csv
has err.txt "wide.csv:1:1: too many fields in one record"
same "$(sql ws.rastro "select count(*) from source where path like '%wide.csv'")" 0 "nothing half-loaded"
rm -f wide.csv

# --- JSON: nested 100,000 deep, and a 20 MB line, between good ads
ad() { printf '{"id":"%s","posted_at":"2024-03-01T21:00:00","site":"s.example","city":"El Paso","title":"t","body":"%s"}\n' "$1" "$2"; }
{
  ad j1 "first"
  python3 -c 'import sys; sys.stdout.write("[" * 100000 + "]" * 100000 + "\n")'
  python3 -c 'import sys; sys.stdout.write("{\"id\":\"deep\",\"x\":" + "{\"a\":" * 5000 + "1" + "}" * 5000 + "}\n")'
  ad j2 "$(head -c $jsonline /dev/zero | tr '\0' 'y')"
  ad j3 "last 915-555-0147"
} > deep.jsonl
fails 0 "deep and long JSON: the file loads" -- timeout 300 "$RASTRO" ingest ws.rastro --format ads deep.jsonl
has out.txt "5 rows read, 3 loaded, 2 quarantined"
same "$(sql ws.rastro "select count(*) from quarantine where source_id = (select max(id) from source) and line in (2, 3)")" 2 \
  "both nested lines quarantined by line"
ok "ads over a 20 MB body" -- timeout 300 "$RASTRO" ads ws.rastro -q
rm -f deep.jsonl

# --- names of 10,000 characters
python3 - <<'PY' > long_names.csv
import random
random.seed(9)
print("record_id,given_name,surname,dob,phone")
for i in range(20):
    g = "".join(random.choice("abcdefghijklmnopqrstuvwxyzáéíñ ") for _ in range(10000))
    s = "".join(random.choice("abcdefghijklmnopqrstuvwxyz-' ") for _ in range(10000))
    print("L-%d,%s,%s,1990-01-%02d,915-555-01%02d" % (i, g, s, 1 + i % 28, i))
print("L-20,José,Hernández Núñez,1990-07-03,656 123 4567")
PY
ok "10,000-character names load" -- timeout 120 "$RASTRO" ingest ws.rastro --format person long_names.csv
has out.txt "21 rows read, 21 loaded"
ok "and resolve" -- timeout 300 "$RASTRO" resolve ws.rastro -q
same "$(sql ws.rastro "select count(*) from er_link l join person p on p.id = l.record_id where p.ext_id like 'L-%'")" 21 "every long-named record resolved"

# --- a hub account with $hub counterparties (one payment to each)
awk -v n=$hub 'BEGIN { print "txn_id,timestamp,from_account,to_account,amount,currency"
  for (i = 0; i < n; i++) printf "h%d,2024-03-%02dT%02d:00:00,HUB,C%06d,%d.00,USD\n", i, 1 + i % 28, i % 24, i, 10 + i % 500 }' > hub.csv
ok "a hub account's $hub payments load" -- timeout 300 "$RASTRO" ingest ws.rastro -q hub.csv
same "$(sql ws.rastro "select count(distinct dst) from txn t join entity e on e.id = t.src where e.key = 'HUB'")" $hub "every counterparty"
ok "victims runs over the hub" -- timeout 300 "$RASTRO" victims ws.rastro
ok "network runs over the hub" -- timeout 300 "$RASTRO" network ws.rastro
ok "the hub is set aside, not made a network" -- "$RASTRO" network ws.rastro --no-run --hubs
has out.txt "HUB"
same "$(sql ws.rastro 'pragma integrity_check')" ok "integrity at the end"
