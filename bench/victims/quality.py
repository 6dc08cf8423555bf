#!/usr/bin/env python3
"""Scores rastro's potential-victim list against a generated world's truth.

usage: quality.py WORKSPACE TRUTH.json [--label TEXT]

A planted victim (truth.json "victims") is found when any of its identifiers
as written in the files (account numbers, agency person-record ids,
encounter ids, or its name as the payee of a payroll credit into an account of
its network: VIC.PAY_TO_OTHER) belongs to an entity rastro flagged
(victim_flag).  A flagged
victim (one group of entities in vic_group) is correct when any of its
identifiers belongs to a planted victim.  Prints recall, precision, F1, the
recall per network kind, minors, and which indicator sources found them.
Also checks that no planted perpetrator (any network role other than victim,
customer or buyer) is flagged.
"""
import collections
import json
import re
import sqlite3
import sys
import unicodedata


def fold(name):
    """Folded name words (case, accents, punctuation), as rastro keys payees."""
    s = unicodedata.normalize("NFKD", name or "")
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    return " ".join(w for w in re.split(r"[^a-z0-9\x80-\U0010ffff]+", s) if len(w) >= 2)


def has_column(db, table, col):
    return any(r[1] == col for r in db.execute(f"PRAGMA table_info({table})"))


def identifiers(db):
    """entity id -> set of ('account'|'record'|'encounter', id) for flagged entities."""
    ids = collections.defaultdict(set)
    q = db.execute
    for ent, num in q("SELECT f.entity_id, a.number FROM victim_flag f JOIN account a ON a.entity_id = f.entity_id"):
        ids[ent].add(("account", num))
    for ent, kind, ext in q("SELECT f.entity_id, r.kind, r.ext_id FROM victim_flag f"
                            " JOIN vic_person v ON v.entity_id = f.entity_id JOIN record r ON r.id = v.record_id"):
        ids[ent].add(("encounter" if kind == "encounter" else "record", ext))
    has_ads = q("SELECT count(*) FROM sqlite_master WHERE name = 'ad_ident'").fetchone()[0]
    if has_ads:
        for ent, ext in q("SELECT DISTINCT f.entity_id, a.ext_id FROM victim_flag f JOIN ad_ident d"
                          " ON d.entity_id = f.entity_id AND d.kind = 'image' JOIN ad a ON a.id = d.ad_id"):
            ids[ent].add(("ad", ext))
    if has_column(db, "txn", "to_name"):
        # a worker known by the payroll credits in their name (VIC.PAY_TO_OTHER)
        for ent, num, name in q("SELECT DISTINCT f.entity_id, a.number, t.to_name FROM victim_flag f"
                                " JOIN vic_hit h ON h.entity_id = f.entity_id AND h.code = 'VIC.PAY_TO_OTHER'"
                                " JOIN txn t ON t.id = h.record_id JOIN account a ON a.entity_id = t.dst"):
            ids[ent].add(("payee", num, fold(name)))
    has_er = q("SELECT count(*) FROM sqlite_master WHERE name = 'er_link'").fetchone()[0]
    if has_er:
        for ent, kind, ext, acct in q(
                "SELECT f.entity_id, r.kind, r.ext_id, k.account FROM victim_flag f JOIN er_link l ON l.entity_id = f.entity_id"
                " JOIN record r ON r.id = l.record_id LEFT JOIN kyc k ON k.id = r.id AND r.kind = 'kyc'"):
            if kind == "kyc":
                num = q("SELECT number FROM account WHERE entity_id = ?", (acct,)).fetchone()
                if num:
                    ids[ent].add(("account", num[0]))
            else:
                ids[ent].add(("encounter" if kind == "encounter" else "record", ext))
    return ids


def owners(truth):
    """identifier -> index of the planted victim it belongs to."""
    owner = {}
    net_accounts = {n["id"]: [m["id"] for m in n["members"] if m["type"] == "account"] for n in truth["networks"]}
    net_names = {(n["id"], p["person"]): p["name"] for n in truth["networks"] for p in n["people"] if "person" in p}
    for i, v in enumerate(truth["victims"]):
        name = fold(net_names.get((v["network"], v["person"]), ""))
        for a in net_accounts.get(v["network"], []):
            owner[("payee", a, name)] = i   # named as payee on a credit into a network account
        for a in v["accounts"]:
            owner[("account", a)] = i
        for r in v["records"]:
            owner[("record", r)] = i
        for e in v["encounters"]:
            owner[("encounter", e)] = i
        for a in v.get("ads", []):
            owner[("ad", a)] = i   # ads the victim is shown in (an image of theirs)
    return owner


def main():
    ws, truth_path = sys.argv[1], sys.argv[2]
    label = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--label" else ""
    truth = json.load(open(truth_path))
    db = sqlite3.connect(ws)
    ids = identifiers(db)
    groups = collections.defaultdict(set)
    for ent, victim in db.execute("SELECT entity_id, victim FROM vic_group"):
        groups[victim].add(ent)
    codes = collections.defaultdict(set)
    for victim, code in db.execute("SELECT g.victim, h.code FROM vic_hit h JOIN vic_group g ON g.entity_id = h.entity_id"):
        codes[victim].add(code)

    owner = owners(truth)
    perp = set()
    for n in truth["networks"]:
        for m in n["members"]:
            if m["role"] in ("victim", "customer", "buyer"):
                continue
            t = {"account": "account", "person_record": "record", "encounter": "encounter"}.get(m["type"])
            if t:
                perp.add((t, m["id"]))

    found = collections.defaultdict(set)   # planted victim -> codes that found it
    tp = fp = 0
    perps_flagged = set()
    for victim, ents in groups.items():
        hits = set()
        for e in ents:
            for ident in ids.get(e, ()):
                if ident in owner:
                    hits.add(owner[ident])
                if ident in perp:
                    perps_flagged.add(ident)
        if hits:
            tp += 1
            for h in hits:
                found[h] |= codes[victim]
        else:
            fp += 1
    planted = truth["victims"]
    recall = len(found) / len(planted) if planted else 0.0
    precision = tp / (tp + fp) if tp + fp else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    payees = set()
    q = db.execute
    if has_column(db, "txn", "to_name"):
        for num, name in q("SELECT DISTINCT a.number, t.to_name FROM txn t JOIN account a ON a.entity_id = t.dst"
                           " WHERE t.to_name IS NOT NULL AND t.category IN ('payroll', 'wages', 'salary')"):
            if ("payee", num, fold(name)) in owner:
                payees.add(owner[("payee", num, fold(name))])
    reachable = [i for i, v in enumerate(planted)
                 if v["accounts"] or v["records"] or v["encounters"] or v.get("ads") or i in payees]
    rfound = sum(1 for i in reachable if i in found)
    print(f"{label}planted {len(planted)}, found {len(found)}: recall {recall:.3f}; flagged {tp + fp}, correct {tp}:"
          f" precision {precision:.3f}; F1 {f1:.3f}; recall of the {len(reachable)} with an id in the files"
          f" {rfound / len(reachable) if reachable else 0:.3f}")
    kinds = collections.Counter(v["kind"] for v in planted)
    per = collections.Counter(planted[i]["kind"] for i in found)
    print("  recall per kind: " + ", ".join(f"{k} {per[k]}/{n}" for k, n in sorted(kinds.items())))
    minors = [i for i, v in enumerate(planted) if v["minor"]]
    print(f"  minors: {sum(1 for i in minors if i in found)}/{len(minors)} found")
    reach = collections.Counter()
    for i in range(len(planted)):
        v = planted[i]
        reach["has an encounter" if v["encounters"] else "no encounter"] += 1
    src = collections.Counter()
    for i, c in found.items():
        for code in c:
            src[code] += 1
    print("  found victims per indicator: " + ", ".join(f"{k} {n}" for k, n in sorted(src.items())))
    missed = [i for i in range(len(planted)) if i not in found]
    print("  missed: " + "; ".join(
        f"{planted[i]['kind']}{' minor' if planted[i]['minor'] else ''} (enc {len(planted[i]['encounters'])},"
        f" rec {len(planted[i]['records'])}, acct {len(planted[i]['accounts'])}, ind {','.join(planted[i]['indicators']) or '-'})"
        for i in missed[:8]) + (" ..." if len(missed) > 8 else ""))
    print(f"  planted perpetrators flagged as victims: {len(perps_flagged)}" +
          (f" ({', '.join(sorted(x[1] for x in perps_flagged)[:5])})" if perps_flagged else ""))
    # for pooling over seeds: variant, planted, found, flagged, correct, reachable, reachable found, perps
    variant = label.split(": ")[0].split(", ", 1)[1] if ", " in label else label
    print(f"#stats\t{variant}\t{len(planted)}\t{len(found)}\t{tp + fp}\t{tp}\t{len(reachable)}\t{rfound}"
          f"\t{len(perps_flagged)}")


if __name__ == "__main__":
    main()
