# AMLSim and generic formats with column mapping, delimiters and stdin.
"$RASTRO" init ws.rastro >/dev/null
ok "amlsim" -- "$RASTRO" ingest ws.rastro "$DATA/amlsim_small.csv"
has out.txt "amlsim, 10 rows read, 10 loaded"
same "$(sql ws.rastro "select count(*) from txn where label=1")" 4 "is_sar kept as ground truth"

printf 'Fecha;Origen;Destino;Monto\n2024-01-01;A;B;5\n2024-01-02;B;C;6\n' > es.csv
ok "semicolons and a column map" -- "$RASTRO" ingest ws.rastro -f generic -d ';' -m 'timestamp=Fecha,from_account=Origen,to_account=Destino,amount=Monto' es.csv
has out.txt "2 loaded"

ok "from standard input" -- sh -c "cat '$DATA/amlsim_small.csv' | '$RASTRO' ingest ws.rastro -f amlsim -"
has out.txt "10 loaded"
fails 2 "standard input needs a format" -- sh -c "cat '$DATA/amlsim_small.csv' | '$RASTRO' ingest ws.rastro -"

ok "formats" -- "$RASTRO" formats
has out.txt "ibm-aml"
has out.txt "amlsim"
has out.txt "kyc"

# JSON Lines are parsed on ingest.threads threads in blocks of 256 lines and
# emitted in file order: the tables are the same at 1, 2 and 3 threads, bad
# lines and duplicate ids included (1,500 lines: six blocks).
awk 'BEGIN { srand(7) }
  { for (i = 0; i < 50; i++) { line = $0; sub(/"id": *"/, "\"id\":\"" i "-", line); print line } }
  NR % 7 == 0 { print "{\"id\": \"bad" NR "\", \"site\": }"; print "[1, 2]" }
  NR % 11 == 0 { print "{\"id\":\"dup\",\"site\":\"s.example\",\"posted_at\":\"2024-01-01T00:00:00\",\"body\":\"x\"}" }' \
  "$DATA/ads_small.jsonl" > many.jsonl
for t in 1 2 3; do
  rm -f t$t.rastro*
  ok "ads at $t threads" -- "$RASTRO" ingest t$t.rastro --format ads -q --set ingest.threads=$t many.jsonl
  for tab in ad entity edge quarantine; do
    sqlite3 t$t.rastro "select * from $tab order by id" > t$t.$tab
  done
done
for tab in ad entity edge quarantine; do
  same "$(cmp t1.$tab t2.$tab && cmp t1.$tab t3.$tab && echo same)" same "$tab identical at 1, 2 and 3 threads"
done
same "$(sql t2.rastro "select count(*) > 1400 from ad")" 1 "the ads loaded"
same "$(sql t2.rastro "select count(*) from quarantine where reason like 'not valid JSON%'")" \
  "$(sql t1.rastro "select count(*) from quarantine where reason like 'not valid JSON%'")" "bad lines quarantined"
same "$(sql t2.rastro "select count(*) > 0 from quarantine where reason like '%duplicate ad id%'")" 1 "duplicate ids refused"
