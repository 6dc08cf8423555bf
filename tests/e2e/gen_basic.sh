# rastro gen: a small world written, byte-identical for the same seed,
# readable by ingest with nothing quarantined, and usage errors.
ok "help" -- "$RASTRO" gen --help
has out.txt "usage: rastro gen -o DIR"

ok "generate" -- "$RASTRO" gen -o w1 --seed 4 --scale 0.3 --days 20
has out.txt "wrote w1:"
for f in transactions.csv accounts.csv persons_hsi.csv persons_cbp.csv persons_txdps.csv \
         persons_elpasopd.csv encounters.csv ads.jsonl providers.csv truth.json; do
  checks=$((checks + 1))
  if [ ! -s "w1/$f" ]; then echo "FAIL: w1/$f missing or empty"; failures=$((failures + 1)); fi
done
lacks out.txt ".tmp"
checks=$((checks + 1))
if ls w1/*.tmp >/dev/null 2>&1; then echo "FAIL: temporary files left behind"; failures=$((failures + 1)); fi

ok "same seed again, other thread count" -- "$RASTRO" gen -o w2 --seed 4 --scale 0.3 --days 20 --threads 1 -q
for f in w1/*; do
  same "$(cmp "$f" "w2/$(basename "$f")" && echo same)" same "$(basename "$f") identical"
done
ok "other seed" -- "$RASTRO" gen -o w3 --seed 5 --scale 0.3 --days 20 -q
checks=$((checks + 1))
if cmp -s w1/transactions.csv w3/transactions.csv; then echo "FAIL: seeds 4 and 5 gave the same transactions"; failures=$((failures + 1)); fi

# Everything rastro reads today loads without a single quarantined row.
"$RASTRO" init ws.rastro >/dev/null
"$RASTRO" formats > formats.txt
ok "ingest transactions and accounts" -- "$RASTRO" ingest ws.rastro w1/transactions.csv w1/accounts.csv
has out.txt "generic,"
has out.txt "kyc,"
for pair in person:persons_hsi.csv person:persons_cbp.csv person:persons_txdps.csv person:persons_elpasopd.csv \
            encounter:encounters.csv ads:ads.jsonl providers:providers.csv; do
  fmt=${pair%%:*}; file=${pair#*:}
  if grep -q "^ *$fmt " formats.txt; then
    ok "ingest $file" -- "$RASTRO" ingest ws.rastro --format "$fmt" w1/$file
  fi
done
same "$(sql ws.rastro 'select count(*) from quarantine')" 0 "rows quarantined"
same "$(sql ws.rastro 'select count(*) from txn')" "$(($(wc -l < w1/transactions.csv) - 1))" "all transactions loaded"
same "$(sql ws.rastro 'select count(*) from txn where label = 1')" \
     "$(python3 -c 'import json,sys; print(json.load(open("w1/truth.json"))["counts"]["illicit_transactions"])')" \
     "labelled rows = planted transactions"

# Truth: one entry per planted network, of every kind.
ok "truth is JSON" -- python3 -c 'import json; t=json.load(open("w1/truth.json")); print(" ".join(sorted({n["kind"].split("_")[0] for n in t["networks"]})))'
has out.txt "labor laundering sex smuggling"
ok "exact network counts" -- "$RASTRO" gen -o w4 --seed 1 --scale 0.2 --days 10 --smuggling 2 --sex-trafficking 0 --labor-trafficking 0 --laundering 8 -q
ok "counted" -- python3 -c 'import json; t=json.load(open("w4/truth.json")); print(len(t["networks"]), len({n["kind"] for n in t["networks"]}))'
has out.txt "10 9"

# Usage errors.
fails 2 "no output directory" -- "$RASTRO" gen --seed 3
has err.txt "output directory is required"
fails 2 "unknown setting" -- "$RASTRO" gen -o w5 --set gen.nonsense=1
has err.txt "unknown generator setting 'gen.nonsense'"
fails 2 "bad difficulty" -- "$RASTRO" gen -o w5 -d extreme
has err.txt "unknown difficulty 'extreme'"
: > afile
fails 4 "output is a file" -- "$RASTRO" gen -o afile
has err.txt "not a directory"

# IBM AMLworld-style files read by the ibm-aml and ibm-accounts formats.
ok "ibm mode" -- "$RASTRO" gen --ibm -o aml --seed 2 --scale 2
has out.txt "IBM AMLworld format"
ok "ingest ibm files" -- "$RASTRO" ingest ibm.rastro aml/gen_Trans.csv aml/gen_accounts.csv
has out.txt "ibm-aml,"
has out.txt "ibm-accounts,"
same "$(sql ibm.rastro 'select count(*) from quarantine')" 0 "IBM rows quarantined"
same "$(sql ibm.rastro 'select sum(label) from txn')" \
     "$(python3 -c 'import json; print(json.load(open("aml/truth.json"))["counts"]["laundering_rows"])')" \
     "laundering rows = truth"
