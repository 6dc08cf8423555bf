# Potential victims never appear as suspects, and victim data stays with
# victim-services roles.
#
# A small world with planted victims (encounters with screening answers,
# workers whose wages are swept to a controller) and the controller himself.
# Every suspect output in this build is run and searched for the victims'
# names, account numbers and entity ids.  Add each new suspect output
# (alerts, SAR drafts, risk scores, network rankings, exports) here as it
# lands; the list at the end says which outputs were checked.
ok "init" -- "$RASTRO" init ws.rastro
ok "ingest" -- "$RASTRO" ingest ws.rastro -q "$DATA/victims_encounters.csv" "$DATA/victims_providers.csv" \
  "$DATA/victims_kyc.csv" "$DATA/victims_txn.csv"
# A victim known from an officer's notes alone (their words are quoted in
# the reasons: victim data like the rest).
printf 'encounter_id,date,type,city,given_name,surname,notes\nN-9,2024-03-11,raid,Houston,Nora,Quispe,"The boss keeps her passport; she does not know her address."\n' > notes.csv
ok "ingest notes" -- "$RASTRO" ingest ws.rastro -q notes.csv
ok "victims stage" -- "$RASTRO" victims ws.rastro -q
ok "referrals" -- "$RASTRO" refer ws.rastro -q --role victim_services

# The planted victims are flagged; the controller (A-200) and employer are not.
for acct in A-100 A-101 A-102; do
  same "$(sql ws.rastro "select count(*) from victim_flag f join account a on a.entity_id = f.entity_id where a.number = '$acct'")" 1 "victim account $acct flagged"
done
same "$(sql ws.rastro "select count(*) from victim_flag f join account a on a.entity_id = f.entity_id where a.number in ('A-200', 'E-900')")" 0 "controller and employer not flagged"
same "$(sql ws.rastro "select count(*) from victim_flag f join vic_person v on v.entity_id = f.entity_id join encounter e on e.id = v.record_id where e.ext_id = 'N-9'")" 1 "victim known from notes flagged"

# What identifies a victim in any output: names, account numbers, encounter
# ids, and entity ids as outputs print them.
victim_names="María López|López García|Juan Pérez|Rosa Tzul|Ana Gomez|Lucia Perez|Beto Soto|Nora Quispe|keeps her passport"
victim_ids="A-100|A-101|A-102|E-1|E-2|E-5|E-6|E-8|N-9"
check_output() {  # NAME: out.txt must name no victim
  checks=$((checks + 1))
  if grep -E -q -- "$victim_names|(^|[^A-Za-z0-9-])($victim_ids)([^0-9]|$)" out.txt; then
    echo "FAIL: $1 names a potential victim:"; grep -E -- "$victim_names|$victim_ids" out.txt | head -5 | sed 's/^/  | /'
    failures=$((failures + 1))
  fi
  checked="$checked $1"
}
checked=""

# Victim data itself: the default role sees counts only, everywhere.
ok "victims, default role" -- "$RASTRO" victims ws.rastro --no-run --format json
check_output "victims(counts)"
ok "referrals, default role" -- "$RASTRO" refer ws.rastro --list --format csv
check_output "refer(counts)"
# The victims list is never mixed with suspects: the controller is not in it.
ok "victims, services role" -- "$RASTRO" victims ws.rastro --no-run --role victim_services --format csv
lacks out.txt "Marco Ruiz"
lacks out.txt "Green Fields"

# Suspect outputs (each is checked when its command exists in this build).
has_cmd() { "$RASTRO" --help | grep -q "^  $1 "; }
if has_cmd alerts; then
  "$RASTRO" detect ws.rastro -q >/dev/null 2>&1 || true
  ok "alerts" -- "$RASTRO" alerts ws.rastro --format csv
  check_output "alerts"
fi

if has_cmd sar; then
  # No SAR draft for a potential victim's account, and the drafts for every
  # alerted account (the suspects) name no victim, not even as a
  # counterparty of the supporting transactions.
  for acct in A-100 A-101 A-102; do
    fails 12 "no SAR for victim account $acct" -- "$RASTRO" sar ws.rastro "BK1/$acct"
    has err.txt "potential victim"
  done
  "$RASTRO" alerts ws.rastro --format csv --limit 0 > alerts.csv 2>/dev/null || true
  for a in $(python3 -c "import csv; [print(r['bank'] + '/' + r['account']) for r in csv.DictReader(open('alerts.csv')) if r.get('account')]"); do
    ok "sar $a" -- "$RASTRO" sar ws.rastro "$a" -o sar.txt
    cp sar.txt out.txt
    check_output "sar($a)"
  done
fi

if has_cmd network; then
  ok "network stage" -- "$RASTRO" network ws.rastro -q
  ok "network ranking" -- "$RASTRO" network ws.rastro --no-run -n 0 --format csv
  check_output "network ranking"
  for k in $(sql ws.rastro "SELECT key FROM network WHERE rank IS NOT NULL"); do
    ok "network $k" -- "$RASTRO" network ws.rastro --show "$k" --format csv
    check_output "network --show $k"
  done
  for f in graphml gexf cyjs i2; do
    ok "suspect export $f" -- "$RASTRO" export ws.rastro --suspects -f $f -o sus.$f
    cp sus.$f out.txt
    check_output "export --suspects $f"
    ok "full export $f" -- "$RASTRO" export ws.rastro -f $f -o full.$f
    cp full.$f out.txt
    check_output "export $f"
  done
  ok "report" -- "$RASTRO" report ws.rastro -o report.html
  cp report.html out.txt
  check_output "report"
fi


# A generated world: every planted perpetrator stays a suspect (none is
# flagged as a victim, so none is hidden from suspect outputs), and the
# suspect outputs of this build name no planted victim.
if has_cmd gen; then
  ok "gen" -- "$RASTRO" gen -q --seed 3 -o world
  ok "ingest world" -- "$RASTRO" ingest g.rastro -q world/transactions.csv world/accounts.csv \
    world/encounters.csv world/providers.csv
  for f in world/persons_*.csv; do
    a=$(basename "$f" .csv); a=${a#persons_}
    ok "ingest $a records" -- "$RASTRO" ingest g.rastro -q --agency "$a" "$f"
  done
  ok "victims in the world" -- "$RASTRO" victims g.rastro -q
  # Flagged identifiers: accounts, and the records of every flagged entity
  # (its victim-stage links, and once resolution has run, its resolved
  # records, KYC ones by account number).
  flagged_ids() {
    sqlite3 g.rastro "select a.number from victim_flag f join account a on a.entity_id = f.entity_id" > flagged_accounts.txt
    sqlite3 g.rastro "select r.ext_id from victim_flag f join vic_person v on v.entity_id = f.entity_id join record r on r.id = v.record_id" > flagged_records.txt
    if [ "$(sqlite3 g.rastro "select count(*) from sqlite_master where name = 'er_link'")" = 1 ]; then
      sqlite3 g.rastro "select coalesce(a.number, r.ext_id) from victim_flag f join er_link l on l.entity_id = f.entity_id
        join record r on r.id = l.record_id left join kyc k on k.id = r.id left join account a on a.entity_id = k.account" >> flagged_records.txt
    fi
  }
  no_perpetrator() {  # LABEL
    ok "$1" -- python3 - world/truth.json flagged_accounts.txt flagged_records.txt <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
flagged = set(l.strip() for f in sys.argv[2:] for l in open(f) if l.strip())
bad = [(n["id"], m["role"], m["id"]) for n in t["networks"] for m in n["members"]
       if m["role"] not in ("victim", "customer", "buyer") and m["id"] in flagged]
victims = set(x for v in t["victims"] for x in v["accounts"] + v["records"] + v["encounters"])
assert not bad, f"perpetrators flagged as victims: {bad[:5]}"
assert flagged & victims, "no planted victim was flagged at all"
PY
  }
  flagged_ids
  no_perpetrator "no planted perpetrator is flagged as a victim"
  # After entity resolution, which can merge victims with their controller
  # (their bank records carry his phone and address), still none.
  if has_cmd resolve; then
    ok "resolve the world" -- "$RASTRO" resolve g.rastro -q
    ok "victims after resolution" -- "$RASTRO" victims g.rastro -q
    flagged_ids
    no_perpetrator "no planted perpetrator is flagged as a victim after resolution"
  fi
  # the planted victims' ids, for the suspect-output checks below
  victim_ids=$(python3 -c "import json; t=json.load(open('world/truth.json')); print('|'.join(sorted(set(x for v in t['victims'] for x in v['accounts'] + v['records'] + v['encounters']))))")
  # and their names, as whole fields: the small file's names above can be
  # borne by other people of the world ("María López Martínez")
  victim_names=$(python3 -c "
import json, re
t = json.load(open('world/truth.json'))
vp = set(v['person'] for v in t['victims'])
names = sorted(set(p['name'] for n in t['networks'] for p in n['people'] if p.get('person') in vp and p.get('name')))
print('(^|[,\"])(' + '|'.join(map(re.escape, names)) + ')([,\"]|$)')")
  if has_cmd alerts; then
    "$RASTRO" detect g.rastro -q >/dev/null 2>&1 || true
    ok "alerts of the world" -- "$RASTRO" alerts g.rastro --format csv
    check_output "alerts(world)"
  fi
  if has_cmd sar; then
    "$RASTRO" alerts g.rastro --format csv --limit 10 > walerts.csv 2>/dev/null || true
    for a in $(python3 -c "import csv; [print(r['bank'] + '/' + r['account']) for r in csv.DictReader(open('walerts.csv')) if r.get('account')]"); do
      ok "sar of the world $a" -- "$RASTRO" sar g.rastro "$a" -o sar.txt
      cp sar.txt out.txt
      check_output "sar(world $a)"
    done
    for a in $(head -3 flagged_accounts.txt); do
      fails 12 "no SAR for the world's potential victim $a" -- "$RASTRO" sar g.rastro "$a"
    done
  fi
fi
echo "suspect outputs checked:${checked}"
