# Victims and referral from the CLI: readers and their quarantine, the
# potential-victim list (counts for analysts, names and reasons for victim
# services, minors first), referral ranking and status changes.
ok "init" -- "$RASTRO" init ws.rastro
ok "formats list encounter and providers" -- "$RASTRO" formats
has out.txt "encounter"
has out.txt "providers"

ok "ingest encounters (format guessed)" -- "$RASTRO" ingest ws.rastro "$DATA/victims_encounters.csv"
has out.txt "encounter, 11 rows read, 8 loaded, 3 quarantined"
ok "ingest providers (format guessed)" -- "$RASTRO" ingest ws.rastro "$DATA/victims_providers.csv"
has out.txt "providers, 11 rows read, 7 loaded, 4 quarantined"
ok "ingest kyc and transactions" -- "$RASTRO" ingest ws.rastro -q "$DATA/victims_kyc.csv" "$DATA/victims_txn.csv"
ok "quarantine" -- "$RASTRO" quarantine ws.rastro --source 2
has out.txt "column 'lat': missing (distance matching needs coordinates)"
has out.txt "unknown service 'massage'"
has out.txt "unknown population 'elderly'"
has out.txt "more open slots than capacity"
ok "quarantine of encounters" -- "$RASTRO" quarantine ws.rastro --source 1 --format csv
has out.txt "not a screening answer"
has out.txt "victims_encounters.csv,10,"

# Analysts (the default role) see counts only.
ok "victims as analyst" -- "$RASTRO" victims ws.rastro
has out.txt "potential victims"
has out.txt "potential minors"
has err.txt "7 potential victims (2 minor(s))"
lacks out.txt "López"
lacks out.txt "E-1"
same "$(sql ws.rastro 'select count(*) from victim_flag')" 7 "victim_flag rows"

# Victim services see names and reasons, minors first.
ok "victims as victim services" -- "$RASTRO" victims ws.rastro --role victim_services --no-run
has out.txt "potential victims: 7 (2 potential minors)"
has out.txt "María López García, 16, F, speaks es, El Paso, TX"
has out.txt "VIC.DOCS_HELD 0.70: border encounter E-1 on 2024-03-02: someone else holds their passport or ID [encounter E-1 (victims_encounters.csv:2)]"
has out.txt "VIC.WAGES_SWEPT"
has out.txt "txn T1 (victims_txn.csv:2)"
same "$(grep -m1 '^victim ' out.txt | grep -c 'POTENTIAL MINOR')" 1 "a potential minor comes first"
lacks out.txt "Marco Ruiz"
ok "victims as csv" -- "$RASTRO" victims ws.rastro --role victim_services --no-run --format csv
has out.txt "victim,minor,score,name,age,sex,language,phone,place,indicators,reasons,entities,referral"
same "$(head -2 out.txt | tail -1 | cut -d, -f2)" yes "csv: minor first"
ok "victims as json" -- "$RASTRO" victims ws.rastro --role victim_services --no-run --format json
cp out.txt victims.json
ok "json parses" -- python3 -c "import json; d=json.load(open('victims.json')); assert len(d)==7 and d[0]['minor']=='yes', d"
ok "limit" -- "$RASTRO" victims ws.rastro --role victim_services --no-run --limit 1 --format csv
same "$(python3 -c "import csv; print(len(list(csv.reader(open('out.txt')))))")" 2 "one victim and the header"
fails 2 "bad format" -- "$RASTRO" victims ws.rastro --format xml
fails 6 "no workspace" -- "$RASTRO" victims missing.rastro

# Referrals: only victim services may make them.
fails 12 "analyst may not refer" -- "$RASTRO" refer ws.rastro
has err.txt "may not make referrals"
ok "refer" -- "$RASTRO" refer ws.rastro --role victim_services
has err.txt "7 potential victims"
has out.txt "P-1 Casa Esperanza"
has out.txt "needs 4/8 +1.50"
has out.txt "speaks es +1.50"
ok "analyst sees referral counts" -- "$RASTRO" refer ws.rastro --list
has out.txt "proposed"
lacks out.txt "Casa Esperanza"
minor=$(sql ws.rastro "select victim from referral r join victim_flag f on f.entity_id = r.victim where f.minor = 1 order by f.score desc limit 1")
same "$(sql ws.rastro "select provider from referral where victim = $minor and rank = 1")" P-1 "the minor's first referral"
ref=$(sql ws.rastro "select id from referral where victim = $minor and rank = 1")
ok "one victim's referrals as csv" -- "$RASTRO" refer ws.rastro --list --role victim_services --victim "$minor" --format csv
has out.txt "referral,victim,minor,rank,status,provider"
fails 12 "analyst may not change status" -- "$RASTRO" refer ws.rastro --set-status "$ref" made
ok "made" -- "$RASTRO" refer ws.rastro --role victim_services --set-status "$ref" made --note "called intake line"
has out.txt "referral $ref is now made"
fails 2 "made cannot go back to proposed" -- "$RASTRO" refer ws.rastro --role victim_services --set-status "$ref" proposed
has err.txt "cannot become 'proposed'"
fails 2 "unknown status" -- "$RASTRO" refer ws.rastro --role victim_services --set-status "$ref" lost
fails 6 "unknown referral" -- "$RASTRO" refer ws.rastro --role victim_services --set-status 9999 made
ok "accepted" -- "$RASTRO" refer ws.rastro --role victim_services --set-status "$ref" accepted
same "$(sql ws.rastro "select group_concat(status, ',') from (select status from referral_event where referral_id = $ref order by id)")" "proposed,made,accepted" "status history"
same "$(sql ws.rastro "select note from referral_event where referral_id = $ref and status = 'made'")" "called intake line" "note kept"
ok "refer again leaves a served victim alone" -- "$RASTRO" refer ws.rastro --role victim_services
has err.txt "1 already served"
same "$(sql ws.rastro "select status from referral where id = $ref")" accepted "accepted referral unchanged"
ok "log" -- "$RASTRO" log ws.rastro
has out.txt "victims"
has out.txt "refer"

# Officers' notes: an indicator in a note counts like a screening answer and
# is quoted in the reasons; a negated one does not count; a notes lexicon
# with an unknown code is refused with its file and line.
cat > notes.csv <<'CSV'
encounter_id,date,type,city,given_name,surname,knows_address,notes
N-1,2024-03-02,raid,Houston,Ana,Uno,no,Says the boss keeps her passport.
N-2,2024-03-02,raid,Houston,Bea,Dos,no,"Denies that the employer keeps her passport. No tiene deuda."
N-3,2024-03-02,raid,Houston,Cruz,Tres,,"NO LA DEJAN SALIR; un hombre contestó por ella"
CSV
ok "init notes workspace" -- "$RASTRO" init notes.rastro
ok "ingest encounters with notes" -- "$RASTRO" ingest notes.rastro -q notes.csv
ok "victims from notes" -- "$RASTRO" victims notes.rastro --role victim_services
has err.txt "3 encounter notes read, 3 indicators from notes beyond the answers, 2 only negated"
has out.txt "potential victims: 2"
has out.txt "VIC.DOCS_HELD 0.70: raid encounter N-1 on 2024-03-02: officer's note \"boss keeps her passport\": someone else holds their passport or ID (vic_notes.tsv:"
has out.txt "VIC.THIRD_PARTY_SPEAKS 0.50: raid encounter N-3 on 2024-03-02: officer's note \"contestó por ella\""
lacks out.txt "Bea Dos"
ok "notes switched off" -- "$RASTRO" victims notes.rastro --set victims.notes.enabled=false
has err.txt "0 potential victims"
printf 'VIC.DOCS_HELD\t0.7\tkeeps her passport\tw\ten\ttest\nVIC.SOMETHING\t1\tfoo\tw\ten\ttest\n' > bad_notes.tsv
fails 3 "notes lexicon with an unknown code" -- "$RASTRO" victims notes.rastro --set "victims.notes.lexicons=[\"$PWD/bad_notes.tsv\"]"
has err.txt "bad_notes.tsv:2: code 'VIC.SOMETHING' is neither a victim indicator"
