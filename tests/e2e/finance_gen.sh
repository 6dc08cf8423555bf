# A small generated world: the planted networks must be found, and found
# near the top of the alert list, and no planted victim may be alerted.
ok "generate" -- "$RASTRO" gen -o world --seed 11
ok "ingest accounts" -- "$RASTRO" ingest -q ws.rastro world/accounts.csv
ok "ingest transactions" -- "$RASTRO" ingest -q ws.rastro world/transactions.csv
ok "ingest encounters" -- "$RASTRO" ingest -q ws.rastro world/encounters.csv
ok "detect" -- "$RASTRO" detect -q ws.rastro
# the victims stage reads the detectors' `affected` lists and flags victims,
# whom every suspect output then leaves out (docs/victims.md)
ok "victims" -- "$RASTRO" victims -q ws.rastro
ok "eval" -- "$RASTRO" eval ws.rastro --truth world/truth.json --format csv
found=$(grep '^network,all,all days,' out.txt | cut -d, -f9)
top=$(grep '^network,all,top-k alerts,100,' out.txt | cut -d, -f9)
same "$(awk -v r="$found" 'BEGIN { print (r >= 1.0) ? "yes" : "no" }')" yes "every planted network has an alerted account (recall $found)"
same "$(awk -v r="$top" 'BEGIN { print (r >= 0.8) ? "yes" : "no" }')" yes "80% of networks in the top 100 alerts (got $top)"
# victims named in the truth file are never among the alerts' subjects
ok "alerts" -- "$RASTRO" alerts ws.rastro --format csv --limit 0
/usr/bin/python3 - world/truth.json out.txt > victims_alerted.txt <<'PY'
import csv, json, sys
t = json.load(open(sys.argv[1]))
vict = set()
for n in t["networks"]:
    for m in n["members"]:
        if m.get("type") == "account" and m.get("role") == "victim":
            vict.add(m["id"])
rows = list(csv.DictReader(open(sys.argv[2])))
print(len([r for r in rows if r["account"] in vict]))
PY
same "$(cat victims_alerted.txt)" 0 "planted victims among alert subjects"
# the table view shows twelve evidence ids per alert and counts the rest;
# the CSV keeps every one (the largest alert here has more than twelve)
maxids=$(/usr/bin/python3 -c "import csv,sys; print(max(len(r['evidence_ids'].split(';')) for r in csv.DictReader(open('out.txt'))))")
ok "alerts table" -- "$RASTRO" alerts ws.rastro --limit 0
same "$(awk -v m="$maxids" 'BEGIN { print (m > 12) ? "yes" : "no" }')" yes "an alert with more than 12 evidence ids ($maxids)"
has out.txt "more (--format csv lists them all)"
same "$(grep -c '^    evidence: ' out.txt)" "$(grep -c '^#' out.txt)" "one evidence line per alert"
# buyers (the demand side) are not suspect accounts unless --buyers asks:
# the default view has fewer truth accounts, and no alerted buyer counts
# as a false alarm
ok "eval with buyers" -- "$RASTRO" eval ws.rastro --truth world/truth.json --buyers --format csv
with_b=$(grep '^account,all,all days,' out.txt | sed 's/.*"\([0-9]*\) truth accounts.*/\1/')
ok "eval without buyers" -- "$RASTRO" eval ws.rastro --truth world/truth.json --format csv
without_b=$(grep '^account,all,all days,' out.txt | sed 's/.*"\([0-9]*\) truth accounts.*/\1/')
nbuyers=$(/usr/bin/python3 -c "import json; t=json.load(open('world/truth.json')); print(len(set(m['bank']+'/'+m['id'] for n in t['networks'] for m in n['members'] if m.get('type')=='account' and m.get('role')=='buyer')))")
same "$(awk -v a="$with_b" -v b="$without_b" -v n="$nbuyers" 'BEGIN { print (n == 0 || a > b) ? "yes" : "no" }')" yes "--buyers adds the buyers to the truth accounts ($without_b -> $with_b, $nbuyers buyers)"
