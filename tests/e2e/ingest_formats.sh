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
