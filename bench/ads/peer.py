#!/usr/bin/python3
"""The peer of `rastro ads` in the benchmark: what an analyst's script commonly does.

usage: peer.py ADS.jsonl EXPORT.csv PHONES.json

- phones: libphonenumber's own matcher (python3-phonenumbers, PhoneNumberMatcher, leniency VALID)
  over title and body with the ad's country as region (else US), plus the structured `phones`
  field parsed with phonenumbers.parse;
- clusters: ads joined when they share a phone (union-find), the usual phone-linking step; the
  cluster is also written as the template id, so eval.py scores it both ways.
Writes EXPORT.csv (ad_id, cluster_id, template_id) and PHONES.json ({ad id: [E.164...]}).
"""
import csv, json, sys
import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberMatcher, Leniency

REGIONS = {"US", "MX", "GT", "HN", "SV", "NI", "CR", "PA", "BZ", "CA"}

def region_of(c):
    c = (c or "").strip().upper()
    if c in REGIONS:
        return c
    return {"MEXICO": "MX", "MÉXICO": "MX", "GUATEMALA": "GT", "HONDURAS": "HN"}.get(c, "US")

parent = {}
def find(x):
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x

phones, first_ad = {}, {}
ids = []
with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
    for line in f:
        try:
            a = json.loads(line)
        except ValueError:
            continue
        aid = str(a.get("id"))
        ids.append(aid)
        parent[aid] = aid
        reg = region_of(a.get("country"))
        text = (a.get("title") or "") + "\n" + (a.get("body") or "")
        got = set()
        for m in PhoneNumberMatcher(text, reg, leniency=Leniency.VALID, max_tries=100):
            got.add(phonenumbers.format_number(m.number, PhoneNumberFormat.E164))
        given = a.get("phones") or []
        if isinstance(given, str):
            given = given.split(";")
        for p in given:
            try:
                n = phonenumbers.parse(p, reg)
                if phonenumbers.is_valid_number(n):
                    got.add(phonenumbers.format_number(n, PhoneNumberFormat.E164))
            except phonenumbers.NumberParseException:
                pass
        phones[aid] = sorted(got)
        for p in got:
            if p in first_ad:
                ra, rb = find(aid), find(first_ad[p])
                if ra != rb:
                    parent[ra] = rb
            else:
                first_ad[p] = aid

with open(sys.argv[2], "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["ad_id", "cluster_id", "template_id"])
    for aid in ids:
        r = find(aid)
        w.writerow([aid, r, r])
with open(sys.argv[3], "w") as f:
    json.dump(phones, f)
