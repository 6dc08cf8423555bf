# Financial detectors end to end: detect, alerts in three formats, risk
# parts, SAR drafts, evaluation, victims kept out, exit codes.
ok "ingest" -- "$RASTRO" ingest -q ws.rastro "$DATA/finance_small.csv"
ok "detector list" -- "$RASTRO" detect ws.rastro --list
has out.txt "FIN.FUNNEL"
has out.txt "FIN-2023-Alert001"
ok "detect" -- "$RASTRO" detect ws.rastro
alerted=$(sed -n 's/.* \([0-9]*\) accounts alerted, .*/\1/p' out.txt)
has out.txt "FIN.FUNNEL"
has out.txt "FIN.PAYROLL_FUNNEL"
has out.txt "FIN.SMUGGLING_MEMO"
ok "alerts" -- "$RASTRO" alerts ws.rastro
has out.txt "FUN-1"
has out.txt "Funnel account"
has out.txt "evidence:"
lacks out.txt "WRK-1"
ok "alerts csv" -- "$RASTRO" alerts ws.rastro --format csv
same "$(($(wc -l < out.txt) - 1))" "$alerted" "the summary's alerted accounts are the alert list's rows"
has out.txt "rank,entity,bank,account,name,score,parts,codes,typologies,signals,first,last,explanation,evidence_ids,source_file,evidence_lines,withheld"
has out.txt ",BK9,FUN-1,"
has out.txt "finance_small.csv,2;3;4;5,"
ok "alerts json" -- "$RASTRO" alerts ws.rastro --format json --limit 1
has out.txt '"rank": 1'
ok "alerts by signal" -- "$RASTRO" alerts ws.rastro --by-signal --code FIN.PAYROLL_FUNNEL --format csv
has out.txt "FIN.PAYROLL_FUNNEL"
has out.txt ",3,0"
ok "risk parts" -- "$RASTRO" alerts ws.rastro --risk BK1/CTL-1
has out.txt "FIN.PAYROLL_FUNNEL"
has out.txt "FIN.ESCORT_SITE_PAY"
ok "sar" -- "$RASTRO" sar ws.rastro BK1/CTL-1 -o sar.txt
ok "sar file" -- cat sar.txt
has out.txt "HUMAN TRAFFICKING FIN-2020-A008"
has out.txt "[x] 38(h) Human trafficking"
has out.txt "[protected]"
lacks out.txt "Rosa Tzul"
lacks out.txt "WRK-1"
ok "sar smuggling" -- "$RASTRO" sar ws.rastro BEN-1
has out.txt "FIN-2023-HUMANSMUGGLING"
has out.txt "[x] 38(g) Human smuggling"
fails 6 "sar unknown account" -- "$RASTRO" sar ws.rastro NO-SUCH
has err.txt "no account 'NO-SUCH'"
fails 2 "alerts unknown detector" -- "$RASTRO" alerts ws.rastro --code FIN.NOPE
fails 2 "detect unknown detector" -- "$RASTRO" detect ws.rastro --only FIN.NOPE
# settings per run: a stricter funnel rule drops the funnel
ok "detect with override" -- "$RASTRO" detect ws.rastro --only funnel --set finance.funnel.min_deposit_places=4
has out.txt "0 accounts alerted, 0 watched"
ok "detect again" -- "$RASTRO" detect ws.rastro -q
# a potential victim flagged later never shows up as a suspect
sql ws.rastro "INSERT INTO victim_flag(entity_id, score, reasons) SELECT id, 1, '[]' FROM entity WHERE key = 'BK9/STR-1'"
ok "alerts after victim flag" -- "$RASTRO" alerts ws.rastro --format csv --limit 0
lacks out.txt "STR-1"
fails 12 "no SAR for a victim" -- "$RASTRO" sar ws.rastro BK9/STR-1
has err.txt "potential victim"
# labels the caller lacks withhold everything
ok "alerts other label" -- "$RASTRO" alerts ws.rastro --labels SECRET
has out.txt "no alerts"
# IBM data: the CSV carries bank and account as written, and eval reads labels and patterns
ok "ingest ibm" -- "$RASTRO" ingest -q ibm.rastro "$DATA/ibm_cycle.csv"
ok "detect ibm" -- "$RASTRO" detect ibm.rastro -q
ok "alerts ibm" -- "$RASTRO" alerts ibm.rastro --format csv
has out.txt ",21174,800737690,"
has out.txt "ibm_cycle.csv,2;3;4,"
ok "eval labels" -- "$RASTRO" eval ibm.rastro --format csv
has out.txt "transaction,all,all days,,3,0,0,1.0000,1.0000,1.0000"
ok "eval patterns" -- "$RASTRO" eval ibm.rastro --truth "$DATA/ibm_cycle_patterns.txt" --format csv
has out.txt "network,CYCLE,all days,,1,,0,,1.0000"
fails 3 "eval bad truth" -- "$RASTRO" eval ibm.rastro --truth "$DATA/finance_small.csv"
