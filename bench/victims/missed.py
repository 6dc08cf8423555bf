#!/usr/bin/env python3
"""Lists the planted victims rastro did not flag, with what the workspace holds about each.

usage: missed.py WORKSPACE TRUTH.json [--label TEXT] [--all]

For every planted victim (truth.json "victims") that no flagged group holds
(the same matching as quality.py), prints: its kind and the indicators the
world planted; its agency person records (agency, status, case and the other
records of that case); its encounters (type, place, the screening answers
given, the note); its accounts, with the finance signals on them, their
counterparties' signals and the transactions between them; the ads that show
it or carry its phone; and the indicators rastro found (vic_hit) with their
total.  A diagnosis aid for bench/RESULTS.md (Issue 8): it reads the truth
file, so nothing in it may feed a rule.  --all lists found victims too.
"""
import collections
import json
import sqlite3
import sys

sys.path.insert(0, __import__("os").path.dirname(__file__))
from quality import identifiers, owners  # noqa: E402

ANSWERS = ("age_stated", "documents_held_by_other", "owes_debt", "debt_amount", "not_free_to_leave",
           "threatened", "knows_address", "third_party_speaks", "paid_smuggling_fee",
           "smuggling_fee_owed", "works_for_housing")


def main():
    ws, truth_path = sys.argv[1], sys.argv[2]
    label = sys.argv[sys.argv.index("--label") + 1] if "--label" in sys.argv else ""
    show_all = "--all" in sys.argv
    truth = json.load(open(truth_path))
    db = sqlite3.connect(ws)
    q = db.execute
    ids = identifiers(db)
    groups = collections.defaultdict(set)
    for ent, victim in q("SELECT entity_id, victim FROM vic_group"):
        groups[victim].add(ent)
    owner = owners(truth)
    found = set()
    for ents in groups.values():
        for e in ents:
            for ident in ids.get(e, ()):
                if ident in owner:
                    found.add(owner[ident])
    role_of = {}   # account or record id -> (network, role)
    for n in truth["networks"]:
        for m in n["members"]:
            role_of[m["id"]] = (n["id"], n["kind"], m["role"])

    def ent_of_account(num):
        r = q("SELECT entity_id FROM account WHERE number = ?", (num,)).fetchone()
        return r[0] if r else None

    def signals_on(ent):
        out = []
        for code, score, det in q("SELECT code, score, details FROM signal WHERE entity_id = ?", (ent,)):
            out.append(f"{code} {score:.2f}")
        return out

    def signals_affecting(ent, key):
        out = []
        for sid, code, det, own in q("SELECT id, code, details, entity_id FROM signal WHERE details LIKE ?",
                                     (f"%{key}%",)):
            try:
                aff = json.loads(det or "{}").get("affected", [])
            except ValueError:
                aff = []
            if ent in aff or key in [str(a) for a in aff] or any(isinstance(a, str) and a.endswith("/" + key) for a in aff):
                out.append(f"{code} (affected; signal on entity {own})")
        return out

    for i, v in enumerate(truth["victims"]):
        if i in found and not show_all:
            continue
        print(f"{label}{'FOUND ' if i in found else 'MISSED '}{v['person']} {v['kind']} {v['network']}"
              f"{' minor' if v['minor'] else ''} age {v['age']}; planted indicators: {','.join(v['indicators']) or '-'}")
        ents = set()
        for r in v["records"]:
            row = q("SELECT p.id, g.code, p.status, p.case_id, p.city, p.phone, p.address FROM person p"
                    " JOIN source s ON s.id = p.source_id JOIN agency g ON g.id = s.agency_id"
                    " WHERE p.ext_id = ?", (r,)).fetchone()
            if not row:
                print(f"  record {r}: not in the workspace")
                continue
            pid, agency, status, case, city, phone, addr = row
            mates = []
            if case:
                for ext, st in q("SELECT ext_id, status FROM person WHERE case_id = ? AND ext_id != ?", (case, r)):
                    who = role_of.get(ext, ("", "", "victim" if ext in
                                            {x for w in truth["victims"] for x in w["records"]} else "-"))[2]
                    mates.append(f"{ext}:{st}/{who}")
            print(f"  record {r} ({agency}) status {status} case {case or '-'} city {city or '-'} phone {phone or '-'}"
                  f" address {addr or '-'}" + (f"; case mates {' '.join(mates)}" if mates else ""))
            for (e,) in q("SELECT entity_id FROM vic_person WHERE record_id = ?", (pid,)):
                ents.add(e)
        for e in v["encounters"]:
            row = q("SELECT id, type, city, person_record_id, notes, phone, " + ", ".join(ANSWERS) +
                    " FROM encounter WHERE ext_id = ?", (e,)).fetchone()
            if not row:
                print(f"  encounter {e}: not in the workspace")
                continue
            eid, typ, city, prid, notes, phone = row[:6]
            ans = [f"{k}={val}" for k, val in zip(ANSWERS, row[6:]) if val is not None]
            print(f"  encounter {e} {typ} {city} record {prid or '-'} phone {phone or '-'}: {' '.join(ans) or 'no answers'}"
                  f"; note: {notes or '-'}")
            for (x,) in q("SELECT entity_id FROM vic_person WHERE record_id = ?", (eid,)):
                ents.add(x)
        for a in v["accounts"]:
            ent = ent_of_account(a)
            if ent is None:
                print(f"  account {a}: not in the workspace")
                continue
            ents.add(ent)
            kyc = q("SELECT name, phone, address, city FROM kyc WHERE account = ?", (ent,)).fetchone()
            print(f"  account {a} kyc {kyc}: signals on it {signals_on(ent) or '-'};"
                  f" affected by {signals_affecting(ent, a) or '-'}")
            cps = collections.Counter()
            for row in txn_partners(db, ent):
                cps[row] += 1
            for (cp, direction, cat), n in cps.most_common(8):
                num = q("SELECT number FROM account WHERE entity_id = ?", (cp,)).fetchone()
                num = num[0] if num else str(cp)
                r = role_of.get(num)
                print(f"    {direction} {n}x {cat} {num}{' [' + '/'.join(r) + ']' if r else ''}"
                      f" signals {signals_on(cp) or '-'}")
        for a in v.get("ads", []):
            row = q("SELECT id, city, category, phones, author FROM ad WHERE ext_id = ?", (a,)).fetchone()
            if row:
                codes = [c for (c,) in q("SELECT DISTINCT code FROM ad_indicator WHERE ad_id = ?", (row[0],))]
                print(f"  ad {a} {row[2]} {row[1]} phones {row[3]} indicators {','.join(codes) or '-'}")
        hits = []
        for e in sorted(ents):
            for code, w, sent in q("SELECT code, weight, sentence FROM vic_hit WHERE entity_id = ?", (e,)):
                hits.append((code, w, sent))
        total = sum(w for _, w in {c: w for c, w, _ in hits}.items())
        print(f"  rastro: {len(hits)} indicator rows, distinct codes {sorted({c for c, _, _ in hits}) or '-'},"
              f" score {total:.2f}")


_cols = {}


def has_col(db, table, col):
    if table not in _cols:
        _cols[table] = {r[1] for r in db.execute(f"PRAGMA table_info({table})")}
    return col in _cols[table]


def txn_partners(db, ent):
    """(counterparty entity, 'to'|'from', category) for each transaction of an account entity."""
    if has_col(db, "txn", "src"):
        a, b = "src", "dst"
    else:
        a, b = "from_entity", "to_entity"
    for cp, cat in db.execute(f"SELECT {b}, category FROM txn WHERE {a} = ?", (ent,)):
        yield (cp, "pays", cat)
    for cp, cat in db.execute(f"SELECT {a}, category FROM txn WHERE {b} = ?", (ent,)):
        yield (cp, "paid by", cat)


if __name__ == "__main__":
    main()
