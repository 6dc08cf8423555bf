# Entity resolution end to end: person and FEBRL readers, resolve, why,
# export, link mode, incremental runs, encode / link-encoded.
"$RASTRO" init ws.rastro >/dev/null
ok "person file loads" -- "$RASTRO" ingest ws.rastro --format person "$DATA/person_small.csv"
has out.txt "12 rows read, 9 loaded, 3 quarantined"
ok "quarantine lists the bad person rows" -- "$RASTRO" quarantine ws.rastro
has out.txt "duplicate record id (first used at line"
has out.txt "column 'sex': not F, M, X or empty ('Q')"
has out.txt "column 'status': not subject"
same "$(sql ws.rastro "select maternal_surname from person where ext_id='A-1'")" "Núñez" "maternal surname stored as written"
same "$(sql ws.rastro "select sex from person where ext_id='A-5'")" "M" "sex code folded"
ok "person format guessed from header" -- "$RASTRO" ingest ws.rastro --force "$DATA/person_small.csv"
has out.txt "person,"
if [ -r "${FEBRL_DIR:-/work/shared/data/febrl}/dataset1.csv" ]; then
  febrl=${FEBRL_DIR:-/work/shared/data/febrl}
  "$RASTRO" init fb.rastro >/dev/null
  ok "febrl file loads" -- "$RASTRO" ingest fb.rastro "$febrl/dataset1.csv"
  has out.txt "febrl, 1000 rows read, 1000 loaded, 0 quarantined"
  same "$(sql fb.rastro "select ext_id||'|'||ifnull(given_name,'')||'|'||street_number||'|'||postcode||'|'||id_number from person where ext_id='rec-122-org'")" "rec-122-org|lachlan|69|4814|7364009" "febrl fields mapped"
else
  echo "SKIP: FEBRL data not found (set FEBRL_DIR); FEBRL checks skipped"
fi
