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
ok "victims stage" -- "$RASTRO" victims ws.rastro -q
ok "referrals" -- "$RASTRO" refer ws.rastro -q --role victim_services

# The planted victims are flagged; the controller (A-200) and employer are not.
for acct in A-100 A-101 A-102; do
  same "$(sql ws.rastro "select count(*) from victim_flag f join account a on a.entity_id = f.entity_id where a.number = '$acct'")" 1 "victim account $acct flagged"
done
same "$(sql ws.rastro "select count(*) from victim_flag f join account a on a.entity_id = f.entity_id where a.number in ('A-200', 'E-900')")" 0 "controller and employer not flagged"

# What identifies a victim in any output: names, account numbers, encounter
# ids, and entity ids as outputs print them.
victim_names="María López|López García|Juan Pérez|Rosa Tzul|Ana Gomez|Lucia Perez|Beto Soto"
victim_ids="A-100|A-101|A-102|E-1|E-2|E-5|E-6|E-8"
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

echo "suspect outputs checked:${checked}"
