# Ingest of each core format from the CLI, status, re-ingest detection.
ok "init" -- "$RASTRO" init ws.rastro
has out.txt "created workspace ws.rastro"
ok "init twice is harmless" -- "$RASTRO" init ws.rastro
has out.txt "upgraded"

ok "ingest IBM format (guessed)" -- "$RASTRO" ingest ws.rastro -q "$DATA/ibm_small.csv"
same "$(sql ws.rastro 'select count(*) from txn')" 20 "IBM rows loaded"
same "$(sql ws.rastro 'select format from source')" "ibm-aml"

ok "ingest prints a summary" -- "$RASTRO" ingest ws.rastro "$DATA/generic_small.csv"
has out.txt "generic, 12 rows read, 12 loaded, 0 quarantined"
has out.txt "rows/s"

ok "same content is skipped" -- "$RASTRO" ingest ws.rastro "$DATA/generic_small.csv"
has out.txt "skipped, same content as source 2"
same "$(sql ws.rastro 'select count(*) from txn')" 32 "no duplicated rows"

ok "gzip and zstd read the same" -- "$RASTRO" ingest ws.rastro -q "$DATA/generic_small.csv.gz" "$DATA/generic_small.csv.zst"
same "$(sql ws.rastro 'select count(*) from txn')" 56 "compressed files loaded"

ok "kyc" -- "$RASTRO" ingest ws.rastro --format kyc --agency hsi --label LES "$DATA/kyc_small.csv"
has out.txt "kyc, 5 rows read, 5 loaded"
same "$(sql ws.rastro "select count(*) from kyc k join source s on s.id=k.source_id join agency a on a.id=s.agency_id where a.code='hsi'")" 5

ok "status" -- "$RASTRO" status ws.rastro
has out.txt "txn"
has out.txt "ibm-aml"
ok "status as json" -- "$RASTRO" status ws.rastro --format json
has out.txt '"rows": 56'
ok "log" -- "$RASTRO" log ws.rastro
has out.txt "ingest"
same "$(sql ws.rastro 'pragma integrity_check')" ok
same "$(sql ws.rastro 'pragma journal_mode')" wal
same "$(sql ws.rastro 'pragma foreign_key_check')" "" "every reference written by ingest resolves"
