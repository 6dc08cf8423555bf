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

# --- resolution on the small Spanish/English person file plus KYC holders
"$RASTRO" ingest ws.rastro "$DATA/kyc_small.csv" >/dev/null
ok "resolve runs" -- "$RASTRO" resolve ws.rastro --export people.csv --save-params params.txt --blocks
has out.txt "person entities"
has out.txt "surname phonetic + birth year"
has err.txt "warning: 2 record(s) whose name holds only particles"
has err.txt "non-Latin script"
has err.txt "unreadable or absurd date of birth"
has people.csv "record_id,source,file,entity"
has params.txt "level given_name 1"
a1=$(sql ws.rastro "select entity_id from er_link l join person p on p.id = l.record_id where p.ext_id='A-1' and p.source_id=1")
a2=$(sql ws.rastro "select entity_id from er_link l join person p on p.id = l.record_id where p.ext_id='A-2' and p.source_id=1")
same "$a1" "$a2" "José Ma. Hernández Núñez and Jose M Hernandez are one person"
a4=$(sql ws.rastro "select entity_id from er_link l join person p on p.id = l.record_id where p.ext_id='A-4' and p.source_id=1")
a5=$(sql ws.rastro "select entity_id from er_link l join person p on p.id = l.record_id where p.ext_id='A-5' and p.source_id=1")
same "$a4" "$a5" "Paco de la Cruz y Ortega and Pancho De La Cruz Ortega (day-first DOB) are one person"
a3=$(sql ws.rastro "select entity_id from er_link l join person p on p.id = l.record_id where p.ext_id='A-3' and p.source_id=1")
[ "$a1" != "$a3" ]; same $? 0 "different people stay apart"
same "$(sql ws.rastro "select count(*) from edge e join entity p on p.id = e.dst where e.type='uses_phone' and p.key='+525512345678' or 0")" "0" "no phantom phone"
same "$(sql ws.rastro "select count(*) from edge e join entity p on p.id = e.dst where e.type='uses_phone' and p.key='+526561234567' and e.src=$a1")" "4" "both records' phones (two loads) point at one E.164 phone entity"
same "$(sql ws.rastro "select count(*) from edge where type='uses_email' and stage='resolve' and record_id is null")" "0" "every edge names its record"
ok "kyc holders get holds edges" -- sql ws.rastro "select count(*) from edge where type='holds' and stage='resolve'"
[ "$(cat out.txt)" -gt 0 ]; same $? 0 "holds edges exist"
same "$(sql ws.rastro "select count(*) from er_link where weight is not null and reasons like '%given_name%'")" "$(sql ws.rastro "select count(*) from er_link where weight is not null")" "every link stores its weight and reasons"
ok "why explains a pair" -- "$RASTRO" why ws.rastro "$(sql ws.rastro "select id from person where ext_id='A-1' limit 1")" "$(sql ws.rastro "select id from person where ext_id='A-2' limit 1")"
has out.txt "given_name"
has out.txt "nickname or first name"
has out.txt "the same person entity"
has out.txt "match weight"
fails 6 "why on an unknown record" -- "$RASTRO" why ws.rastro no-such-record A-1
fails 2 "why needs two records" -- "$RASTRO" why ws.rastro A-1
ok "rerun keeps entity ids" -- "$RASTRO" resolve ws.rastro
same "$(sql ws.rastro "select entity_id from er_link l join person p on p.id = l.record_id where p.ext_id='A-1' and p.source_id=1")" "$a1" "stable entity id"
fails 6 "incremental without a model" -- "$RASTRO" resolve "$(mktemp -u).rastro"

# --- 10,000 records sharing one phone: a capped block, a warning, no blow-up
awk 'BEGIN { print "record_id,given_name,surname,dob,phone"; for (i = 0; i < 10000; i++) printf "S-%d,Name%c%c%c,Surname%c%c,19%02d-%02d-%02d,915-555-0100\n", i, 97+i%26, 97+int(i/26)%26, 97+int(i/676)%26, 97+i%23, 97+int(i/23)%23, 50+i%40, 1+i%12, 1+i%28 }' > shared.csv
"$RASTRO" init sh.rastro >/dev/null
"$RASTRO" ingest -q sh.rastro --format person shared.csv
ok "shared phone resolves" -- timeout 120 "$RASTRO" resolve sh.rastro --blocks
has err.txt "over the size cap skipped"
same "$(sql sh.rastro "select capped || '/' || largest from er_block where key = 'phone'")" "1/10000" "the phone block is capped"
same "$(sql sh.rastro "select count(distinct entity_id) > 9000 from er_link")" "1" "the shared phone does not merge everyone"

# --- incremental equals batch on the same data, with the same parameters
head -n 6 "$DATA/person_small.csv" > part1.csv
{ head -n 1 "$DATA/person_small.csv"; tail -n +7 "$DATA/person_small.csv"; } > part2.csv
"$RASTRO" init b.rastro >/dev/null; "$RASTRO" ingest -q b.rastro part1.csv part2.csv "$DATA/kyc_small.csv"
ok "batch with saved params" -- "$RASTRO" resolve b.rastro --params params.txt --export batch.csv
"$RASTRO" init i.rastro >/dev/null; "$RASTRO" ingest -q i.rastro part1.csv
ok "first part" -- "$RASTRO" resolve i.rastro --params params.txt
"$RASTRO" ingest -q i.rastro part2.csv "$DATA/kyc_small.csv"
ok "incremental second part" -- "$RASTRO" resolve i.rastro --incremental --export inc.csv
has out.txt "incremental:"
same "$(sort batch.csv | md5sum)" "$(sort inc.csv | md5sum)" "incremental export equals batch export"
fails 3 "bad parameter file" -- "$RASTRO" resolve b.rastro --params "$DATA/person_small.csv"
has err.txt "unknown line"
# a value must be the whole word: trailing junk or a count out of range is refused, with its line
sed 's/^lambda \(.*\)$/lambda \1x/' params.txt > junk.txt
fails 3 "parameter with trailing junk" -- "$RASTRO" resolve b.rastro --params junk.txt
has err.txt "bad value in 'lambda 0."
lacks err.txt "threshold"
{ grep -v '^level ' params.txt; echo "level given_name 99 0.5 0.5"; } > badlevel.txt
fails 3 "level out of range" -- "$RASTRO" resolve b.rastro --params badlevel.txt
has err.txt "bad level line"

# --- privacy-preserving linkage
printf 'a shared secret that is long enough\n' > secret.txt
printf 'short\n' > short.txt
head -n 6 "$DATA/person_small.csv" > agency1.csv
{ head -n 1 "$DATA/person_small.csv"; sed -n '3p;5p;6p' "$DATA/person_small.csv" | sed 's/^A-/B-/'; } > agency2.csv
ok "encode agency 1" -- "$RASTRO" encode e1.rastro --secret secret.txt --out a1.enc agency1.csv
has out.txt "encoded 5 records"
ok "encode agency 2" -- "$RASTRO" encode e2.rastro --secret secret.txt --out a2.enc agency2.csv
lacks a1.enc "Hern"
lacks a1.enc "1990"
has a1.enc "# rastro encodings 1 bits=2048 hardening=balance"
ok "link encoded" -- "$RASTRO" link-encoded lu.rastro a1.enc a2.enc --out links.csv
has out.txt "million/s"
has links.csv "A-2,B-2"
has links.csv "A-4,B-4"
has links.csv "A-5,B-5"
same "$(grep -c '^A-1,' links.csv)" "0" "one-to-one: A-1 and A-2 compete for B-2"
fails 2 "secret too short" -- "$RASTRO" encode e3.rastro --secret short.txt --out x.enc
printf 'another secret, not the shared one\n' > other.txt
ok "encode with another secret" -- "$RASTRO" encode e4.rastro --secret other.txt --out a4.enc agency2.csv
fails 3 "different secrets refused" -- "$RASTRO" link-encoded lu.rastro a1.enc a4.enc --out x.csv
has err.txt "not encoded with the same secret"
printf 'not an encodings file\n' > junk.enc
fails 3 "junk encodings refused" -- "$RASTRO" link-encoded lu.rastro a1.enc junk.enc --out x.csv
has err.txt "junk.enc:1: not a rastro encodings file"
