# Network stage, queries, exports and the report, end to end on a small
# planted ring (controller, victims, motel, driver, money mover, buyers), a
# benign family cycle and a big merchant hub.
"$RASTRO" init ws.rastro >/dev/null
ok "ingest ring" -- "$RASTRO" ingest ws.rastro "$DATA/network_txn.csv" "$DATA/network_kyc.csv"
ok "ingest agency records" -- "$RASTRO" ingest ws.rastro --agency hsi "$DATA/network_persons.csv"
{ head -1 "$DATA/network_txn.csv"
  for i in $(seq 1 120); do echo "h$i,2024-04-0$((i % 9 + 1))T12:00:00,NH-$i,Shopper $i,MEGA-1,MegaMart,20.00,USD,card,grocery,Houston,TX,US,"; done
  echo "h999,2024-04-03T12:00:00,NV-101,Ana Flores,MEGA-1,MegaMart,31.00,USD,card,grocery,Houston,TX,US,"
  echo "h998,2024-04-03T12:00:00,NK-301,Laura King,MEGA-1,MegaMart,12.00,USD,card,grocery,Austin,TX,US,"
} > hub.csv
ok "ingest hub" -- "$RASTRO" ingest ws.rastro hub.csv

fails 2 "report before any network run" -- "$RASTRO" report ws.rastro -o early.html
has err.txt "run 'rastro network'"

ok "run every stage" -- "$RASTRO" run ws.rastro
has out.txt "== resolve"
has out.txt "== detect"
has out.txt "== network"
has out.txt "1 hubs set aside"

# the victims stage is simulated: the three workers and their accounts
sql ws.rastro "INSERT INTO victim_flag(entity_id, score, minor, reasons) SELECT id, 1.5, 0,
  '[{\"code\":\"VIC.THREATS\",\"sentence\":\"was threatened\"}]' FROM entity
  WHERE key IN ('NV-101','NV-102','NV-103') OR (kind = 'person' AND label IN ('ana flores','rosa diaz','lucia mejia'))"
ok "network stage" -- "$RASTRO" network ws.rastro
has out.txt "2 networks, 2 ranked"
has out.txt "trafficking"
same "$(sql ws.rastro "SELECT summary FROM network WHERE rank = 1")" "6 suspects (1 organiser, 1 money_mover, 1 transporter, 1 facilitator, 2 buyer), 3 potential victims, 8 identifiers and 0 ads; active 2024-04-01 to 2024-04-11" "summary of the ring"
# the money transmitter the money mover pays (a categorised payment in, nothing out, no KYC row)
# is a counterparty of the ring, not a member; the motel (KYC) and the driver (KYC) stay members
same "$(sql ws.rastro "SELECT e.key || ' ' || c.payments || ' ' || c.amount FROM net_counterparty c JOIN entity e ON e.id = c.entity_id JOIN network n ON n.id = c.network_id WHERE n.rank = 1")" "NX-900 1 2300.0" "the ring's counterparty"
same "$(sql ws.rastro "SELECT count(*) FROM network_member m JOIN entity e ON e.id = m.entity_id WHERE e.key IN ('NX-900', 'MEGA-1')")" "0" "merchant and hub are no members"
same "$(sql ws.rastro "SELECT count(*) FROM network_member m JOIN entity e ON e.id = m.entity_id WHERE e.key IN ('NF-001', 'ND-001')")" "2" "motel and driver are members"
key=$(sql ws.rastro "SELECT key FROM network WHERE rank = 1")
ok "show the first network" -- "$RASTRO" network ws.rastro --show "#1"
# with the detectors in `rastro run`, the organiser is named by the finance signal on the controller
has out.txt "controller signal FIN.SHARED_IDENTIFIER"
has out.txt "paid for lodging or rent 3 times"
has out.txt "paid for rides or travel 3 times"
has out.txt "pass-through"
same "$(sql ws.rastro "SELECT reason FROM network_member m JOIN entity e ON e.id = m.entity_id WHERE e.kind = 'person' AND e.label = 'pedro vega'")" "pass-through: 2,400 in, 2,300 out (96%), to 0 members and 1 counterparties" "money out to a counterparty passes through"
has out.txt "demand side"
has out.txt "agency_target"
has out.txt "held as a target or subject by hsi"
has out.txt "[protected: potential victim]"
lacks out.txt "Ana Flores"
lacks out.txt "ana flores"
ok "victim services see names" -- "$RASTRO" network ws.rastro --show "$key" --role victim_services
has out.txt "ana flores"
ok "show by key, JSON" -- "$RASTRO" network ws.rastro --show "$key" -f json
has out.txt '"role": "organiser"'
ok "hubs" -- "$RASTRO" network ws.rastro --hubs
has out.txt "MegaMart"
has out.txt "degree"
same "$(sql ws.rastro "SELECT count(*) FROM network_member m JOIN entity e ON e.id = m.entity_id WHERE e.key = 'MEGA-1'")" "0" "the hub is in no network"

# keys are stable across runs
ok "rerun" -- "$RASTRO" network ws.rastro -q
same "$(sql ws.rastro "SELECT key FROM network WHERE rank = 1")" "$key" "network key stable across runs"

# queries
ok "neighbourhood" -- "$RASTRO" network ws.rastro --around account:NC-001 --hops 1
has out.txt "NF-001"
has out.txt "ND-001"
has out.txt "[protected: potential victim]"
ok "neighbourhood does not expand hubs" -- "$RASTRO" network ws.rastro --around account:NV-101 --hops 2
has out.txt "hub"
lacks out.txt "NH-17"
ok "... unless asked" -- "$RASTRO" network ws.rastro --around account:NV-101 --hops 2 --through-hubs
has out.txt "NH-17"
ok "shared identifiers" -- "$RASTRO" network ws.rastro --shared "Rafael Ortiz"
has out.txt "+17135550177"
ok "shortest path" -- "$RASTRO" path ws.rastro account:NB-201 account:NX-900
has out.txt "shortest path"
has out.txt "NM-001"
ok "all paths" -- "$RASTRO" path ws.rastro account:NB-201 account:NX-900 --all --hops 6
has out.txt "paths of at most 6 links"
fails 6 "path to an unknown entity" -- "$RASTRO" path ws.rastro account:NB-201 account:NOPE
has err.txt "no entity 'account:NOPE'"
ok "no path across the hub" -- "$RASTRO" path ws.rastro account:NK-301 account:NC-001
has out.txt "no path"
ok "timeline" -- "$RASTRO" timeline ws.rastro account:NC-001
has out.txt "network_txn.csv:2"
has out.txt "received"
has out.txt "2024-04-11T10:00:00"

# exports
for f in graphml gexf cyjs csv i2; do
  ok "export $f" -- "$RASTRO" export ws.rastro -f $f -o full.$f
  ok "suspect export $f" -- "$RASTRO" export ws.rastro -f $f -o sus.$f --suspects
  has out.txt "potential victims left out"
done
ok "graphml is well-formed" -- xmllint --noout full.graphml
ok "gexf is well-formed" -- xmllint --noout full.gexf
py=/usr/bin/python3
if $py -c "import networkx" 2>/dev/null; then
  ok "networkx reads the GraphML" -- $py -c "
import networkx as nx, sys
g = nx.read_graphml('full.graphml')
assert g.number_of_nodes() > 10 and g.number_of_edges() > 10, g
assert any(d.get('role') == 'organiser' for _, d in g.nodes(data=True))
print(g.number_of_nodes(), g.number_of_edges())"
  ok "networkx reads the GEXF" -- $py -c "
import networkx as nx
g = nx.read_gexf('full.gexf')
assert g.number_of_nodes() > 10 and g.number_of_edges() > 10
print(g.number_of_nodes(), g.number_of_edges())"
else
  echo "SKIP: /usr/bin/python3 has no networkx (scripts/deps.sh python3-networkx): structure not checked"
fi
ok "cytoscape JSON parses" -- $py -c "
import json
d = json.load(open('full.cyjs'))
assert len(d['elements']['nodes']) > 10 and len(d['elements']['edges']) > 10"
has full-nodes.csv "id:ID,entity:long,kind,key,label"
has full-edges.csv ":START_ID,:END_ID,:TYPE"
has full.i2 "Entity1 Identity,Entity1 Type,Entity1 Label"
has full.i2 "Arrow on head"
has full.graphml "[protected: potential victim]"
for f in sus.graphml sus.gexf sus.cyjs sus-nodes.csv sus-edges.csv sus.i2; do
  lacks $f "Ana Flores"
  lacks $f "NV-101"
  lacks $f "[protected"
done
lacks full.graphml "Ana Flores"
ok "one network only" -- "$RASTRO" export ws.rastro -f csv -o one.csv --network "#2"
has one-nodes.csv "Laura King"
lacks one-nodes.csv "Rafael Ortiz"
fails 2 "export needs a format" -- "$RASTRO" export ws.rastro -o x.graphml
fails 2 "unknown export format" -- "$RASTRO" export ws.rastro -f pdf -o x.pdf
has err.txt "unknown format 'pdf'"

# report
ok "report" -- "$RASTRO" report ws.rastro -o report.html
has out.txt "2 networks, 2 diagrams"
for k in $(sql ws.rastro "SELECT key FROM network WHERE rank IS NOT NULL"); do
  has report.html "id=\"net-$k\""
done
lacks report.html "Ana Flores"
lacks report.html "ana flores"
lacks report.html "NV-101"
has report.html "potential victims are in this network"
has report.html "network_txn.csv"
has report.html "<h3>Counterparties</h3>"
has report.html "Envios Rapidos"
ok "every SVG in the report is well-formed XML" -- $py -c "
import re, xml.etree.ElementTree as ET
html = open('report.html', encoding='utf-8').read()
svgs = re.findall(r'<svg.*?</svg>', html, re.S)
assert len(svgs) >= 4, len(svgs)
for s in svgs:
    ET.fromstring(s.replace('&nbsp;', '&#160;'))
print(len(svgs), 'svg')"
ok "report again" -- "$RASTRO" report ws.rastro -o report2.html
ok "report is deterministic" -- cmp report.html report2.html
ok "export again" -- "$RASTRO" export ws.rastro -f graphml -o full2.graphml
ok "export is deterministic" -- cmp full.graphml full2.graphml
ok "victim-services report" -- "$RASTRO" report ws.rastro -o vs.html --role victim_services
has vs.html "was threatened"
fails 2 "report needs -o" -- "$RASTRO" report ws.rastro

# a cluster of ads whose poster nobody has identified yet: the advertised
# person is a potential victim, the posting phones belong to no member; the
# network is ranked once the ads stage has a signal on the cluster
"$RASTRO" init ads.rastro >/dev/null
sql ads.rastro "INSERT INTO entity(id, kind, key, label) VALUES
  (1, 'person', 'p:advertised', 'advertised person'), (2, 'phone', '+15550000001', '555-000-0001'),
  (3, 'phone', '+15550000002', '555-000-0002'), (4, 'ad', 'site:A1', 'ad one'), (5, 'ad', 'site:A2', 'ad two'),
  (6, 'ad_cluster', 'C1', '2 ads');
  INSERT INTO edge(src, dst, type, stage) VALUES (1, 2, 'uses_phone', 'resolve'), (4, 2, 'lists', 'ads'),
  (5, 2, 'lists', 'ads'), (5, 3, 'lists', 'ads'), (4, 6, 'in_cluster', 'ads'), (5, 6, 'in_cluster', 'ads');
  INSERT INTO victim_flag(entity_id, score, minor, reasons) VALUES (1, 1.5, 0, '[{\"code\":\"VIC.IN_ADS\",\"sentence\":\"appears in ads\"}]')"
ok "ads without a signal or a suspect" -- "$RASTRO" network ads.rastro
has out.txt "1 networks, 0 ranked"
sql ads.rastro "INSERT INTO signal(code, entity_id, score, explanation, stage) VALUES
  ('AD.CLUSTER_PHONES', 6, 0.8, 'two ads, two phones', 'ads')"
ok "ads with a cluster signal" -- "$RASTRO" network ads.rastro
has out.txt "1 networks, 1 ranked"
ok "show it" -- "$RASTRO" network ads.rastro --show "#1"
has out.txt "AD.CLUSTER_PHONES"
has out.txt "[protected: potential victim]"
same "$(sql ads.rastro "SELECT suspects FROM network WHERE rank = 1")" "0" "no suspect is made up"

# enterprises: cells joined through a flagged ad cluster (docs/network.md
# "Enterprises"), on a small generated world
ok "generate a small world" -- "$RASTRO" gen -o world --seed 4 --scale 0.5 --days 30
"$RASTRO" init gw.rastro >/dev/null
ok "ingest it" -- "$RASTRO" ingest gw.rastro -q --agency bank world/transactions.csv world/accounts.csv
for a in hsi cbp txdps elpasopd; do "$RASTRO" ingest gw.rastro -q --format person --agency $a "world/persons_$a.csv"; done
"$RASTRO" ingest gw.rastro -q --format encounter --agency hsi world/encounters.csv
"$RASTRO" ingest gw.rastro -q --format ads --agency platform world/ads.jsonl
ok "run every stage" -- "$RASTRO" run gw.rastro -q
# a second `rastro run` finds what the first found: each stage runs after the
# stages whose output it reads (FIN.AD_IDENTIFIER reads the identifiers the
# ads stage takes out of ad text)
results() {
  sql gw.rastro "SELECT stage, code, entity_id, round(score, 6) FROM signal ORDER BY 1, 2, 3, 4"
  sql gw.rastro "SELECT entity_id, score, alert FROM fin_risk ORDER BY 1"
  sql gw.rastro "SELECT key, round(score, 6), size, suspects, victims FROM network ORDER BY 1"
}
results > run1.txt
ok "run every stage again" -- "$RASTRO" run gw.rastro -q
results > run2.txt
ok "a second run gives the same signals, risk and networks" -- cmp run1.txt run2.txt
same "$(sql gw.rastro "SELECT count(*) > 0 FROM net_bridge")" "1" "cells were joined"
same "$(sql gw.rastro "SELECT count(*) FROM net_bridge WHERE rule NOT IN ('ad_cluster', 'shared_evidence', 'evidence_move',
  'typology_payment')")" "0" "only ad clusters, shared evidence and typology payments join by default"
# a typology payment: the payer paid the payee at least the minimum, both alerted, the
# evidence the two accounts' own finance codes
same "$(sql gw.rastro "SELECT count(*) FROM net_bridge b WHERE b.rule = 'typology_payment' AND
  (SELECT sum(amount) FROM txn t WHERE t.src = b.src_entity AND t.dst = b.dst_entity) >= 1000
  AND (SELECT count(*) FROM fin_risk r WHERE r.entity_id IN (b.src_entity, b.dst_entity) AND r.alert = 1) = 2
  AND EXISTS(SELECT 1 FROM signal s WHERE s.entity_id = b.src_entity AND s.code = substr(b.evidence, 1, instr(b.evidence, ',') - 1))
  AND EXISTS(SELECT 1 FROM signal s WHERE s.entity_id = b.dst_entity AND s.code = substr(b.evidence, instr(b.evidence, ',') + 1))")" \
  "$(sql gw.rastro "SELECT count(*) FROM net_bridge WHERE rule = 'typology_payment'")" \
  "each typology payment names a payment of at least 1,000 between alerted accounts and a code of each"
same "$(sql gw.rastro "SELECT count(*) FROM net_bridge b JOIN victim_flag v ON v.entity_id IN (b.src_entity, b.dst_entity)")" "0" \
  "a potential victim never bridges"
same "$(sql gw.rastro "SELECT count(*) FROM network n WHERE n.cells <> (SELECT count(DISTINCT cell) FROM network_member m
  WHERE m.network_id = n.id) OR n.cells - 1 <> (SELECT count(*) FROM net_bridge b WHERE b.network_id = n.id
  AND b.rule <> 'evidence_move')")" "0" \
  "each network's cells are its members' cells, joined by one link fewer"
same "$(sql gw.rastro "SELECT count(*) FROM net_bridge b JOIN signal s ON s.entity_id = b.dst_entity AND s.code = b.evidence
  AND s.stage = 'ads' WHERE b.rule = 'ad_cluster'")" "$(sql gw.rastro "SELECT count(*) FROM net_bridge WHERE rule = 'ad_cluster'")" \
  "each ad-cluster join names a signal of the ads stage on its cluster"
same "$(sql gw.rastro "SELECT max(size) <= 150 FROM network")" "1" "the size limit holds"
# the score (docs/network.md "Score"): the sum of its named parts; agency records
# and targets count nothing in a network of no victims and no ads signal where
# no signal names a suspect member, and are shown there as not counted
same "$(sql gw.rastro "SELECT count(*) FROM network n WHERE abs(n.score - (SELECT sum(json_extract(j.value, '$.points'))
  FROM json_each(n.parts) j)) > 0.001")" "0" "each score is the sum of its parts"
unnamed="FROM network n WHERE n.victims = 0 AND NOT EXISTS (SELECT 1 FROM json_each(n.parts) j
  WHERE json_extract(j.value, '$.part') = 'ads' AND json_extract(j.value, '$.points') > 0)
  AND NOT EXISTS (SELECT 1 FROM network_member m JOIN signal s ON s.entity_id = m.entity_id
  WHERE m.network_id = n.id AND m.suspect = 1)"
same "$(sql gw.rastro "SELECT count(*) $unnamed AND EXISTS (SELECT 1 FROM json_each(n.parts) j
  WHERE json_extract(j.value, '$.part') IN ('records', 'agency_target') AND json_extract(j.value, '$.points') > 0)")" "0" \
  "records and agency targets count only where a signal names a member (or beside victims or ads)"
same "$(sql gw.rastro "SELECT count(*) > 0 $unnamed AND n.parts LIKE '%not counted%'")" "1" \
  "records left out are shown as not counted"
# merchants (docs/network.md "Merchants"): counterparties, never members, never potential victims
same "$(sql gw.rastro "SELECT count(*) > 0 FROM net_counterparty")" "1" "merchants were set aside"
same "$(sql gw.rastro "SELECT count(*) FROM net_counterparty c JOIN network_member m ON m.entity_id = c.entity_id")" "0" \
  "a counterparty is no member"
same "$(sql gw.rastro "SELECT count(*) FROM net_counterparty c JOIN victim_flag v ON v.entity_id = c.entity_id
  UNION ALL SELECT count(*) FROM net_counterparty c JOIN kyc k ON k.account = c.entity_id" | tr '\n' ' ')" "0 0 " \
  "no potential victim and no KYC customer is a counterparty"
dump() {
  sql gw.rastro "SELECT n.key, m.entity_id, m.cell, m.role FROM network n JOIN network_member m ON m.network_id = n.id
    ORDER BY 1, 2"
  sql gw.rastro "SELECT n.key, c.entity_id, c.payments, c.amount FROM network n JOIN net_counterparty c ON c.network_id = n.id
    ORDER BY 1, 2"
}
dump > members1.txt
ok "network again" -- "$RASTRO" network gw.rastro -n 0
dump > members2.txt
ok "enterprises are deterministic" -- cmp members1.txt members2.txt
ok "report with enterprises" -- "$RASTRO" report gw.rastro -o gw.html --top 50
has gw.html "<h3>Cells</h3>"
has gw.html "which the ads stage flagged AD."
ok "export with cells" -- "$RASTRO" export gw.rastro -f csv -o gw
has gw-nodes.csv "hub:boolean,cell:int,:LABEL"
ek=$(sql gw.rastro "SELECT key FROM network WHERE cells > 1 ORDER BY key LIMIT 1")
ok "show an enterprise" -- "$RASTRO" network gw.rastro --no-run --show "$ek" -f csv
has out.txt "reason,cell"
ok "without the join" -- "$RASTRO" network gw.rastro -n 0 --set network.enterprise.ad_clusters=false \
  --set network.enterprise.shared_evidence=false --set network.enterprise.typology_payment=false
has out.txt "0 joins"
same "$(sql gw.rastro "SELECT count(*) FROM net_bridge")" "0" "no join when switched off"
same "$(sql gw.rastro "SELECT max(cells) FROM network")" "1" "one cell per network"
# shared evidence: finance signals on both ends of one transaction move the payee into the
# payer's cell, or join the two cells
ok "shared evidence" -- "$RASTRO" network gw.rastro -n 0 --set network.enterprise.ad_clusters=false \
  --set network.enterprise.shared_evidence=true --set network.enterprise.typology_payment=false
same "$(sql gw.rastro "SELECT count(*) > 0 FROM net_bridge")" "1" "accounts were moved or cells joined by shared evidence"
same "$(sql gw.rastro "SELECT count(*) FROM net_bridge WHERE rule NOT IN ('shared_evidence', 'evidence_move')")" "0" \
  "only shared evidence moves or joins"
same "$(sql gw.rastro "SELECT count(*) FROM net_bridge b JOIN victim_flag v ON v.entity_id IN (b.src_entity, b.dst_entity)")" "0" \
  "a potential victim never bridges by shared evidence"
same "$(sql gw.rastro "SELECT count(*) FROM net_bridge b JOIN txn t ON t.id = b.record_id AND t.src = b.src_entity
  AND t.dst = b.dst_entity WHERE EXISTS(SELECT 1 FROM signal s JOIN signal_evidence se ON se.signal_id = s.id
  WHERE s.entity_id = b.src_entity AND se.record_id = b.record_id AND s.code = substr(b.evidence, 1, instr(b.evidence, ',') - 1))
  AND EXISTS(SELECT 1 FROM signal s JOIN signal_evidence se ON se.signal_id = s.id WHERE s.entity_id = b.dst_entity
  AND se.record_id = b.record_id AND s.code = substr(b.evidence, instr(b.evidence, ',') + 1))")" \
  "$(sql gw.rastro "SELECT count(*) FROM net_bridge")" "each move or join names the transaction and a signal citing it at each end"
same "$(sql gw.rastro "SELECT count(*) FROM net_bridge b JOIN network_member m ON m.network_id = b.network_id
  AND m.entity_id = b.dst_entity WHERE b.rule = 'evidence_move' AND m.cell <> b.cell_a")" "0" "a moved account is in its new cell"
same "$(sql gw.rastro "SELECT count(*) FROM net_bridge b WHERE (SELECT count(*) FROM fin_risk r WHERE r.alert = 1
  AND r.entity_id IN (b.src_entity, b.dst_entity)) <> 2")" "0" "both ends of each move or join are alerted accounts"
shapes="'FIN.FAN_IN','FIN.FAN_OUT','FIN.PASS_THROUGH','FIN.BIPARTITE','FIN.STACK','FIN.SCATTER_GATHER','FIN.GATHER_SCATTER','FIN.CYCLE'"
same "$(sql gw.rastro "SELECT count(*) FROM net_bridge WHERE substr(evidence, 1, instr(evidence, ',') - 1) IN ($shapes)
  AND substr(evidence, instr(evidence, ',') + 1) IN ($shapes)")" "0" "no move or join on graph shapes at both ends"
same "$(sql gw.rastro "SELECT count(*) FROM network n WHERE n.cells - 1 <> (SELECT count(*) FROM net_bridge b WHERE b.network_id = n.id
  AND b.rule <> 'evidence_move')")" \
  "0" "k - 1 joins for k cells"
