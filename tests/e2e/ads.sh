# rastro ads: ingest of ads (JSON Lines and CSV), the stage, clusters, export,
# one ad's findings, determinism, bad input and bad lexicons.
ok "help" -- "$RASTRO" ads --help
has out.txt "usage: rastro ads"
"$RASTRO" init ws.rastro >/dev/null

ok "ingest ads (guessed)" -- "$RASTRO" ingest ws.rastro "$DATA/ads_small.jsonl"
has out.txt "ads, 30 rows read, 30 loaded, 0 quarantined"
same "$(sql ws.rastro "select count(*) from ad")" 30 "ads loaded"
same "$(sql ws.rastro "select count(*) from entity where kind = 'ad'")" 30 "one ad entity per ad"
same "$(sql ws.rastro "select key from entity where kind = 'ad' order by id limit 1")" "classifieds.example:a1" "ad key"

fails 6 "results before a run" -- "$RASTRO" ads ws.rastro --no-run
has err.txt "run 'rastro ads' first"

ok "ads stage" -- "$RASTRO" ads ws.rastro
has err.txt "ads: 30 ads"
has err.txt "4 templates cover 23 ads"
has out.txt "AD.CLUSTER_CITIES"
has out.txt "latina cutie new in <city>"
same "$(sql ws.rastro "select count(*) from signal where code = 'AD.SHARED_PHONE_MULTICITY'")" 2 "phones across cities"
same "$(sql ws.rastro "select count(*) from run_log where command = 'ads' and status = 'ok'")" 1 "run logged"

ok "json listing" -- "$RASTRO" ads ws.rastro --no-run --format json --limit 1
has out.txt '"cluster": "C'

ok "export" -- "$RASTRO" ads ws.rastro --export clusters.csv
same "$(head -1 clusters.csv)" "ad_id,cluster_id,template_id,site" "export header"
same "$(wc -l < clusters.csv | tr -d ' ')" 31 "one row per ad"
same "$(grep -c '^a[0-9],' clusters.csv)" 8 "family A rows"
same "$(grep '^a[0-9],' clusters.csv | cut -d, -f2,3 | sort -u | wc -l | tr -d ' ')" 1 "family A: one cluster and template"
cp clusters.csv first.csv
ok "export again after a second run" -- "$RASTRO" ads ws.rastro -q --threads 1 --export clusters.csv
same "$(cmp first.csv clusters.csv && echo same)" same "deterministic across runs and thread counts"
# every table the stage writes, byte for byte, with chunks of 4 ads (the
# workers analyse one chunk while the last is written) at 1 and 2 threads
dump() {   # every column but the run's id
  for t in ad_ident ad_indicator ad_template ad_cluster ad_result signal signal_evidence edge entity; do
    sql ws.rastro "select $(sql ws.rastro "select group_concat(name) from pragma_table_info('$t') where name != 'run_id'") from $t" > "$1.$t"
  done
}
dump t0
ok "one thread, small chunks" -- "$RASTRO" ads ws.rastro -q --threads 1 --set ads.chunk=4
dump t1
ok "two threads, small chunks" -- "$RASTRO" ads ws.rastro -q --threads 2 --set ads.chunk=4
dump t2
# every coarse group with a helper thread for each seed's try (candidates,
# alignments, support levels split between two threads)
ok "two threads, every group helped" -- "$RASTRO" ads ws.rastro -q --threads 2 --set ads.cluster.help_min=2
dump t3
# the per-ad facts wait in a temporary file during the cluster step (ads.park):
# kept in memory, or with no directory to write the file to, nothing changes
ok "facts kept in memory" -- "$RASTRO" ads ws.rastro -q --threads 2 --set ads.chunk=4 --set ads.park=false
dump t4
ok "no directory for the parked facts" -- env TMPDIR="$PWD/no-such-dir" "$RASTRO" ads ws.rastro -q --threads 2 --set ads.chunk=4
dump t5
for t in ad_ident ad_indicator ad_template ad_cluster ad_result signal signal_evidence edge entity; do
  same "$(cmp t1.$t t2.$t && echo same)" same "$t identical at 1 and 2 threads"
  same "$(cmp t1.$t t3.$t && echo same)" same "$t identical with the fine step's helper threads"
  same "$(cmp t2.$t t4.$t && echo same)" same "$t identical with the facts kept in memory"
  same "$(cmp t2.$t t5.$t && echo same)" same "$t identical when the facts cannot be parked"
done
for t in ad_ident ad_indicator ad_template ad_cluster ad_result; do
  same "$(cmp t0.$t t1.$t && echo same)" same "$t: small chunks change nothing"
done
fails 2 "bad chunk setting" -- "$RASTRO" ads ws.rastro -q --set ads.chunk=0
has err.txt "ads.chunk must be 1 to"
# a bound on the wording comparisons inside one shared identifier: counted, never silent
ok "link pairs bounded" -- "$RASTRO" ads ws.rastro --set ads.cluster.link_max_pairs=1
has err.txt "compared only up to ads.cluster.link_max_pairs pairs"
ok "back to the default" -- "$RASTRO" ads ws.rastro -q
# merging templates (off by default) keeps the four hand-made families apart
ok "templates merged when shorter" -- "$RASTRO" ads ws.rastro --set ads.cluster.merge_max=16 --export merged.csv
has err.txt "4 templates cover 23 ads"
ok "export without merging" -- "$RASTRO" ads ws.rastro -q --export unmerged.csv
same "$(cmp merged.csv unmerged.csv && echo same)" same "no family merged into another"

# a given name inside a city of several words is the city's
cat > sa.jsonl <<'EOF'
{"id":"sa1","posted_at":"2024-03-01","site":"s","title":"New in San Antonio","body":"Hi I am Lola, new in San Antonio this week, call 210 555 0147"}
{"id":"sa2","posted_at":"2024-03-02","site":"s","title":"Antonio here","body":"Ask for Antonio in El Paso, 915 555 0148"}
EOF
"$RASTRO" ingest sa.rastro --format ads -q sa.jsonl
ok "city over name" -- "$RASTRO" ads sa.rastro -q
same "$(sql sa.rastro "select group_concat(field) from ad_ident i join ad a on a.id = i.ad_id where a.ext_id = 'sa1' and kind = 'city' and value = 'San Antonio, TX, US'")" "title" "San Antonio is a city (one row per ad and value: its first place)"
same "$(sql sa.rastro "select group_concat(value) from ad_ident i join ad a on a.id = i.ad_id where a.ext_id = 'sa1' and kind = 'name'")" "lola" "and not the name Antonio"
same "$(sql sa.rastro "select count(*) from ad_ident i join ad a on a.id = i.ad_id where a.ext_id = 'sa2' and kind = 'name' and value = 'antonio'")" 1 "Antonio alone is a name"

# each ad's language as the analysis tells it (kept per ad as a byte, written as its code)
cat > lang.jsonl <<'EOF'
{"id":"l1","posted_at":"2024-03-01","site":"s","body":"Call me for the best time with you and your friends"}
{"id":"l2","posted_at":"2024-03-02","site":"s","body":"Llama para una cita con la mejor de las chicas que te espera"}
{"id":"l3","posted_at":"2024-03-03","site":"s","body":"915 555 0199"}
EOF
"$RASTRO" ingest lang.rastro --format ads -q lang.jsonl
ok "languages" -- "$RASTRO" ads lang.rastro -q
same "$(sql lang.rastro "select group_concat(x, ' ') from (select a.ext_id || '=' || coalesce(r.lang, '-') as x from ad_result r join ad a on a.id = r.ad_id order by a.ext_id)")" "l1=en l2=es l3=-" "English, Spanish, neither"

ok "show one ad" -- "$RASTRO" ads ws.rastro --no-run --show escortsite.example:a2
has out.txt "nine1five 555 oh one four seven"
has out.txt "+19155550147"
has out.txt "AD.OBSCURED_PHONE"
fails 6 "show unknown ad" -- "$RASTRO" ads ws.rastro --no-run --show nosuch:ad
has err.txt "no ad 'nosuch:ad'"

ok "ingest ads-csv" -- "$RASTRO" ingest ws.rastro --format ads-csv "$DATA/ads_small.csv"
has out.txt "ads-csv, 4 rows read, 3 loaded, 1 quarantined"
same "$(sql ws.rastro "select count(*) from quarantine where reason like '%posted_at%'")" 1 "bad date quarantined"
same "$(sql ws.rastro "select count(*) from entity where kind = 'image' and key = 'ab12cd34ef'")" 1 "image entity"
same "$(sql ws.rastro "select count(*) from entity where kind = 'handle' and key = 'instagram:ruby_lrd'")" 1 "handle entity"
same "$(sql ws.rastro "select count(*) from entity where kind = 'handle' and key = 'escortsite.example:ruby_lrd'")" 1 "bare handle takes the site"
same "$(sql ws.rastro "select count(*) from entity where kind = 'phone' and key = '+528671234567'")" 1 "mexican phone"
ok "ads stage with the csv ads" -- "$RASTRO" ads ws.rastro -q
same "$(sql ws.rastro "select count(distinct r.cluster_id) from ad_result r join ad a on a.id = r.ad_id where a.ext_id in ('k1','k2')")" 1 "linked by shared identifiers"
same "$(sql ws.rastro "select count(*) from ad_ident i join ad a on a.id = i.ad_id where a.ext_id = 'k3' and i.field = 'phones' and i.entity_id is null")" 1 "a bad structured phone kept without entity"
same "$(sql ws.rastro "select count(*) from (select 1 from ad_ident group by ad_id, kind, value having count(*) > 1)")" 0 "one row per ad, kind and value"

# Bad input: invalid UTF-8, a 1 MB body, emoji only, HTML, 500 phone-like strings.
python3 - <<'PY'
import json
rows = [
  b'{"id":"x1","posted_at":"2024-03-01","site":"s","body":"bad \xff\xfe utf8"}',
  json.dumps({"id":"x2","posted_at":"2024-03-01","site":"s","body":"call 915 555 0123 " + "lorem ipsum dolor sit amet "*40000}).encode(),
  json.dumps({"id":"x3","posted_at":"2024-03-01","site":"s","body":"\U0001F48B"*5000}, ensure_ascii=False).encode(),
  json.dumps({"id":"x4","posted_at":"2024-03-01","site":"s","body":"<html><body><div class='x'>Call <b>915-555-0124</b> &amp; ask</div></body></html>"}).encode(),
  json.dumps({"id":"x5","posted_at":"2024-03-01","site":"s","body":" ".join("915-555-%04d" % i for i in range(500))}).encode(),
]
open("bad.jsonl","wb").write(b"\n".join(rows) + b"\n")
PY
ok "hostile ads ingest" -- "$RASTRO" ingest ws.rastro --format ads bad.jsonl
has out.txt "5 rows read, 4 loaded, 1 quarantined"
ok "hostile ads analysed" -- "$RASTRO" ads ws.rastro -q
same "$(sql ws.rastro "select count(*) from ad_ident i join ad a on a.id = i.ad_id where a.ext_id = 'x5' and kind = 'phone'")" 100 "phones per ad capped"
same "$(sql ws.rastro "select value from ad_ident i join ad a on a.id = i.ad_id where a.ext_id = 'x4' and kind = 'phone'")" "+19155550124" "phone inside HTML"
same "$(sql ws.rastro "select count(*) from ad_result r join ad a on a.id = r.ad_id where a.ext_id = 'x3'")" 1 "emoji-only ad has a result"

# Bad lexicons: the error names the file and line.
printf 'AD.X\t1\tok\twl\ten\tsrc\nAD.Y\t1\tfoo(\t-\ten\tsrc\n' > bad.tsv
fails 3 "bad lexicon" -- "$RASTRO" ads ws.rastro --set "ads.lexicons=[\"$PWD/bad.tsv\"]"
has err.txt "bad.tsv:2: pattern 'foo(' of code 'AD.Y' cannot be compiled"
fails 4 "missing lexicon" -- "$RASTRO" ads ws.rastro --set 'ads.lexicons=["/nonexistent/x.tsv"]'
has err.txt "cannot open lexicon '/nonexistent/x.tsv'"
same "$(sql ws.rastro "select count(*) from ad_result")" 37 "a failed run keeps the previous results"
same "$(sql ws.rastro 'pragma integrity_check')" ok
