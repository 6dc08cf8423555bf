#!/usr/bin/env python3
"""Scores `rastro ads` against the generator's ground truth.

usage: eval.py TRUTH.json EXPORT.csv WORKSPACE.rastro|PHONES.json

- template families: every ad of truth.json's ad_templates belongs to one family; the export's
  template_id (an ad without one is its own group) and cluster_id are compared with the families:
  pairwise precision and recall (over pairs of ads) and the adjusted Rand index; clusters also
  against the ad's author (its network, else its poster, else its family: one organisation's
  families share phones, so a cluster may rightly join several families);
- phones: the phones rastro found in each ad (ad_ident, text and structured fields) against the
  ad's true phones, overall and by obfuscation form (or the phones of PHONES.json, {ad id: [E.164]},
  for the peer).
Prints one line per figure, "name value".
"""
import collections, csv, json, math, sqlite3, sys

truth = json.load(open(sys.argv[1]))
rows = list(csv.DictReader(open(sys.argv[2], newline="")))

fam, author, true_phones, obf = {}, {}, {}, {}
for f in truth["ad_templates"]:
    for a in f["ads"]:
        fam[a["id"]] = f["family"]
        # the organisation behind the ad: its network, else its poster, else the family
        author[a["id"]] = f.get("network") or f.get("poster") or f["family"]
        true_phones[a["id"]] = set(a.get("phones", []))
        obf[a["id"]] = a.get("obfuscation", "plain")

def pairs(groups):
    return sum(n * (n - 1) // 2 for n in groups.values())

def compare(pred, fam=fam):
    """pairwise precision, recall, ARI of a predicted labelling against the families."""
    ids = [i for i in pred if i in fam]
    n = len(ids)
    cont = collections.Counter((fam[i], pred[i]) for i in ids)
    a = collections.Counter(fam[i] for i in ids)
    b = collections.Counter(pred[i] for i in ids)
    same_both = sum(v * (v - 1) // 2 for v in cont.values())
    same_true, same_pred = pairs(a), pairs(b)
    prec = same_both / same_pred if same_pred else 1.0
    rec = same_both / same_true if same_true else 1.0
    total = n * (n - 1) // 2
    expected = same_true * same_pred / total if total else 0
    maxi = (same_true + same_pred) / 2
    ari = (same_both - expected) / (maxi - expected) if maxi != expected else 1.0
    return prec, rec, ari, n

tmpl = {r["ad_id"]: (r["template_id"] or "single:" + r["ad_id"]) for r in rows}
clus = {r["ad_id"]: r["cluster_id"] for r in rows}
for name, pred in (("template", tmpl), ("cluster", clus)):
    p, r, ari, n = compare(pred)
    print(f"{name}_pairwise_precision {p:.4f}")
    print(f"{name}_pairwise_recall {r:.4f}")
    print(f"{name}_ari {ari:.4f}")
p, r, ari, n = compare(clus, author)
print(f"cluster_author_pairwise_precision {p:.4f}")
print(f"cluster_author_pairwise_recall {r:.4f}")
print(f"cluster_author_ari {ari:.4f}")
print(f"ads_scored {n}")
print(f"families {len(set(fam.values()))}")

found = collections.defaultdict(set)
if sys.argv[3].endswith(".json"):
    for ext, values in json.load(open(sys.argv[3])).items():
        found[ext].update(values)
else:
    db = sqlite3.connect(sys.argv[3])
    for ext, value in db.execute("SELECT a.ext_id, i.value FROM ad_ident i JOIN ad a ON a.id = i.ad_id WHERE i.kind = 'phone'"):
        found[ext].add(value)
tp = fp = fn = 0
by = collections.defaultdict(lambda: [0, 0, 0])
for ad, tru in true_phones.items():
    got = found.get(ad, set())
    t, f_, n_ = len(got & tru), len(got - tru), len(tru - got)
    tp, fp, fn = tp + t, fp + f_, fn + n_
    s = by[obf[ad]]
    s[0] += t; s[1] += f_; s[2] += n_
def prf(t, f_, n_):
    p = t / (t + f_) if t + f_ else 1.0
    r = t / (t + n_) if t + n_ else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)
p, r, f1 = prf(tp, fp, fn)
print(f"phone_precision {p:.4f}")
print(f"phone_recall {r:.4f}")
print(f"phone_f1 {f1:.4f}")
for k in sorted(by):
    p, r, f1 = prf(*by[k])
    print(f"phone_f1_{k} {f1:.4f} (tp {by[k][0]} fp {by[k][1]} fn {by[k][2]})")
