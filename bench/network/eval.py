#!/usr/bin/env python3
"""Scores the network stage of a workspace against a generated world's truth.json.

    eval.py WORKSPACE TRUTH.json [--top 20] [--core] [--observable] [--json] [--ranked]

With --observable the planted set leaves out planted people of whom the
workspace holds nothing (no account, record, ad, or phone used by them
alone): no method can place them; their number is shown either way.

With --core the planted set leaves out the demand side (buyers, and
customers: families paying smuggling or recruitment fees, who are not part
of the organisation in the generator's terms); they are left out of the
matched rastro network too (neither organisation nor noise).

A planted network counts as recovered when one rastro network holds it with
Jaccard >= 0.5 over people: each side is reduced to the real people it
contains (truth person ids, through accounts, agency records, encounters,
ads, and phones no other planted person uses), and members rastro cannot tie to a planted person count as
one extra element each (a person entity with the accounts it holds counts
once).  It counts as ranked when that network's rank is at most --top.
Role accuracy is measured per truth role over the planted people found in
their matched network, with the truth roles folded onto rastro's:
organiser/controller -> organiser, money_mover/funnel -> money_mover,
recruiter/poster -> recruiter, transporter/driver -> transporter,
stash_house/facilitator -> facilitator, buyer/customer -> buyer,
victim -> potential_victim.
"""
import json
import sqlite3
import sys
from collections import Counter, defaultdict

FOLD = {
    "organiser": "organiser", "controller": "organiser",
    "money_mover": "money_mover", "funnel": "money_mover",
    "recruiter": "recruiter", "poster": "recruiter",
    "transporter": "transporter", "driver": "transporter",
    "stash_house": "facilitator", "facilitator": "facilitator",
    "buyer": "buyer", "customer": "buyer",
    "victim": "potential_victim",
}
CORE = "--core" in sys.argv
OBSERVABLE = "--observable" in sys.argv
ORDER = ["organiser", "money_mover", "recruiter", "transporter", "facilitator", "buyer", "potential_victim"]


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    top = 20
    if "--top" in sys.argv:
        top = int(sys.argv[sys.argv.index("--top") + 1])
        args = [a for a in args if a != str(top)]
    ws, truth_path = args[0], args[1]
    t = json.load(open(truth_path, encoding="utf-8"))
    db = sqlite3.connect(f"file:{ws}?mode=ro", uri=True)
    q = db.execute

    # identifiers as written in the files -> entity ids
    acct = {k: i for i, k in q("SELECT id, key FROM entity WHERE kind = 'account'")}
    phone = {k: i for i, k in q("SELECT id, key FROM entity WHERE kind = 'phone'")}
    ad = {}
    for i, k in q("SELECT id, key FROM entity WHERE kind = 'ad'"):
        ad[k.split(":", 1)[1] if ":" in k else k] = i
    rec = {}
    for ext, e in q("SELECT p.ext_id, l.entity_id FROM person p JOIN er_link l ON l.record_id = p.id"):
        rec[ext] = e
    tables = {r[0] for r in q("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "encounter" in tables:
        for ext, e in q("SELECT x.ext_id, l.entity_id FROM encounter x JOIN er_link l ON l.record_id = x.id"):
            rec[ext] = e
        if "vic_person" in tables:
            for ext, e in q("SELECT x.ext_id, v.entity_id FROM encounter x JOIN vic_person v ON v.record_id = x.id"):
                rec.setdefault(ext, e)

    def ent_of(m):
        ty, i = m["type"], m["id"]
        if ty == "account":
            return acct.get(f'{m.get("bank", "").lstrip("0")}/{i}') or acct.get(i)
        if ty in ("person_record", "encounter"):
            return rec.get(i)
        if ty == "ad":
            return ad.get(i)
        if ty == "phone":
            return phone.get(i)
        return None

    # entity -> truth person; truth person -> (network, role)
    who = {}
    truth_people = {}
    phone_owners = defaultdict(set)
    for n in t["networks"]:
        for m in n["members"]:
            if m["type"] == "phone":
                phone_owners[m["id"]].add(m.get("person") or m.get("business"))
    seen = set()  # planted people with at least one entity in the workspace
    for n in t["networks"]:
        for p in n["people"]:
            pid = p.get("person") or p.get("business")
            truth_people[pid] = (n["id"], p["role"])
        for m in n["members"]:
            e = ent_of(m)
            pid = m.get("person") or m.get("business")
            # a phone names a person only when no other planted person uses it
            if e is not None and (m["type"] != "phone" or len(phone_owners[m["id"]]) == 1):
                who.setdefault(e, pid)
                seen.add(pid)

    # rastro networks: members, roles, holders
    holder = {}
    for s, d in q("SELECT src, dst FROM edge WHERE type = 'holds' ORDER BY id"):
        holder.setdefault(d, s)
    # The reverse direction, which the docstring's "counts once" needs too: a
    # person entity that no truth member names (resolution made it from KYC
    # holder rows alone) but that holds a planted person's account is that
    # person, not a stranger.  Without it, every such entity counted as one
    # extra element against the network that held it beside its accounts.
    held_pid = {}
    for s, d in q("SELECT src, dst FROM edge WHERE type = 'holds' ORDER BY id"):
        if who.get(d) and s not in who:
            held_pid.setdefault(s, who[d])
    kind = dict(q("SELECT id, kind FROM entity"))
    nets = {}
    for nid, key, rank, size, suspects in q("SELECT id, key, rank, size, suspects FROM network"):
        nets[nid] = {"key": key, "rank": rank, "size": size, "suspects": suspects, "elems": set(), "role_of": {},
                     "role_ent": {}}
    for nid, e, role in q("SELECT network_id, entity_id, role FROM network_member"):
        net = nets[nid]
        if kind.get(e) not in ("person", "account", "org") and not (kind.get(e) == "phone" and e in who):
            continue
        pid = who.get(e)
        if pid is None and e in holder and who.get(holder[e]):
            pid = who[holder[e]]
        if pid is None and e in held_pid:
            pid = held_pid[e]
        elem = pid if pid else f"E{holder.get(e, e)}"
        net["elems"].add(elem)
        if pid:
            # a person's own entity decides; else the first account seen
            if kind.get(e) == "person" or pid not in net["role_of"]:
                net["role_of"][pid] = role
                net["role_ent"][pid] = e
    by_pid = defaultdict(set)
    for nid, net in nets.items():
        for el in net["elems"]:
            by_pid[el].add(nid)

    if "--explain" in sys.argv:
        explain(q, t, who, holder, kind, nets)
        return
    rows = []
    role_tot, role_found, role_ok = Counter(), Counter(), Counter()
    confusion = Counter()
    wrong = []  # (truth role, rastro role, network kind, person, entity, network id)
    demand = {"buyer", "customer"}
    for n in t["networks"]:
        planted = {p.get("person") or p.get("business") for p in n["people"]
                   if not (CORE and p["role"] in demand)}
        # the demand side of this planted network is left out of both sides:
        # neither organisation nor noise
        drop = {p.get("person") or p.get("business") for p in n["people"]
                if CORE and p["role"] in demand}
        unseen = len(planted - seen)
        if OBSERVABLE:
            planted &= seen
        best, bj = None, 0.0
        for nid in set().union(*(by_pid[p] for p in planted if p in by_pid)) if planted else ():
            el = nets[nid]["elems"] - drop
            j = len(el & planted) / len(el | planted) if el | planted else 0.0
            if j > bj or (j == bj and best is not None and (nets[nid]["rank"] or 1e9) < (nets[best]["rank"] or 1e9)):
                best, bj = nid, j
        rank = nets[best]["rank"] if best else None
        # how the planted set is spread: networks holding any of it, and the
        # share the two networks holding most of it cover together
        holding = sorted(((len((nets[nid]["elems"] - drop) & planted), nid)
                          for nid in set().union(*(by_pid[p] for p in planted if p in by_pid))), reverse=True) \
            if planted else []
        cover2 = len(set().union(*((nets[nid]["elems"] - drop) & planted for _, nid in holding[:2]))) / len(planted) \
            if holding else 0.0
        el = nets[best]["elems"] - drop if best else set()
        cover = len(el & planted) / len(planted) if planted else 0.0     # of the planted set, in the match
        purity = len(el & planted) / len(el) if el else 0.0             # of the match, planted
        rows.append({"network": n["id"], "kind": n["kind"], "people": len(planted), "match": nets[best]["key"] if best else None,
                     "jaccard": round(bj, 3), "cover": round(cover, 3), "purity": round(purity, 3),
                     "networks_holding": len(holding), "cover_best2": round(cover2, 3),
                     "rank": rank, "not_in_data": unseen, "recovered": bj >= 0.5,
                     "top": bool(bj >= 0.5 and rank is not None and rank <= top)})
        for p in n["people"]:
            pid = p.get("person") or p.get("business")
            want = FOLD.get(p["role"], p["role"])
            role_tot[want] += 1
            got = nets[best]["role_of"].get(pid) if best else None
            if got:
                role_found[want] += 1
                role_ok[want] += got == want
                confusion[(want, got)] += 1
                if got != want:
                    wrong.append((want, got, n["kind"], pid, nets[best]["role_ent"][pid], best))

    ranked = ranked_list(t, nets, seen, top)
    # false networks an analyst opens before the last planted network that
    # is recovered and in the top: the ones that cost work before a real case
    last = max((r["rank"] for r in rows if r["top"]), default=0)
    false_above = sum(1 for net in nets.values() if net["rank"] and net["rank"] < last
                      and net.get("cls") == "false")
    rec = sum(r["recovered"] for r in rows)
    pure_split = sum(1 for r in rows if not r["recovered"] and r["purity"] >= 0.9)
    topn = sum(r["top"] for r in rows)
    out = {
        "planted_set": ("organisation (no buyers or customers)" if CORE else "all people")
        + (", only people with an entity in the workspace" if OBSERVABLE else ""), "networks": len(rows), "recovered": rec, "recovered_share": round(rec / len(rows), 3) if rows else 0,
        "missed_pure": pure_split,
        "ranked_top": topn, "top_share": round(topn / len(rows), 3) if rows else 0, "top": top,
        "per_network": rows,
        "roles": {r: {"planted": role_tot[r], "found": role_found[r], "correct": role_ok[r],
                      "accuracy_found": round(role_ok[r] / role_found[r], 3) if role_found[r] else None,
                      "accuracy_all": round(role_ok[r] / role_tot[r], 3) if role_tot[r] else None}
                  for r in ORDER if role_tot[r]},
        "confusion": {f"{a}->{b}": c for (a, b), c in sorted(confusion.items())},
        "ranked_list": ranked,
        "false_above_last_match": false_above,
    }
    if "--json" in sys.argv:
        print(json.dumps(out, indent=1))
        return
    if "--wrong" in sys.argv:
        explain_wrong(q, wrong)
    for r in rows:
        print(f'{r["network"]} {r["kind"]:<26} people {r["people"]:>3}  best {r["match"] or "-":<14} '
              f'J {r["jaccard"]:.2f} (cover {r["cover"]:.2f}, purity {r["purity"]:.2f})  not in data {r["not_in_data"]:>2}  rank {r["rank"] if r["rank"] is not None else "-":>4}  '
              f'{"recovered" if r["recovered"] else "missed"}{" top" if r["top"] else ""}')
    print(f'recovered {rec}/{len(rows)} ({out["recovered_share"]:.0%}); in the top {top}: {topn}/{len(rows)} '
          f'({out["top_share"]:.0%})')
    print(f'missed with a pure best match (purity >= 0.9: split into clean pieces): {pure_split}; '
          f'median networks holding a planted set: {sorted(r["networks_holding"] for r in rows)[len(rows) // 2] if rows else 0}; '
          f'mean cover of the best two: {sum(r["cover_best2"] for r in rows) / len(rows) if rows else 0:.2f}')
    for r in ranked:
        print(f'ranked list, top {r["top"]}: {r["match"]} match a planted network, {r["false"]} false, {r["other"]} other'
              f' ({r["empty"]} with no person or account); largest false network '
              f'{r["largest_false_size"]} entities ({r["largest_false_suspects"]} suspects)'
              + (f' at rank {r["largest_false_rank"]}' if r["largest_false_rank"] else ''))
    print(f'false networks ranked above the last planted network recovered in the top {top} (rank {last}): {false_above}')
    for r, v in out["roles"].items():
        print(f'role {r:<17} planted {v["planted"]:>4}  in matched network {v["found"]:>4}  correct {v["correct"]:>4}'
              f'  accuracy {v["accuracy_found"] if v["accuracy_found"] is not None else "-"}')
    print("confusion (truth->rastro):", ", ".join(f"{k} {v}" for k, v in out["confusion"].items()))


def ranked_list(t, nets, seen, top):
    """The ranked list itself, as an analyst works it from the top.

    Each network ranked at most 10 and at most --top is one of:
      match  it holds a planted network: Jaccard >= 0.5 with that network's
             planted set, or at least half of that set (a network that holds
             most of a ring but also its surroundings is still the ring's);
      false  fewer than 20 % of its people are planted people of any network
             (none at all included): an analyst opening it starts on an
             organisation that does not exist;
      other  neither (part of a planted network mixed with others);
      empty  no person or account to judge (ads and identifiers only).
    Planted sets are as for recovery (--core, --observable).  The largest
    false network is given in entities (`network.size`) and suspects.
    """
    demand = {"buyer", "customer"}
    sets, drop = [], set()
    for n in t["networks"]:
        ps = set()
        for p in n["people"]:
            pid = p.get("person") or p.get("business")
            if CORE and p["role"] in demand:
                drop.add(pid)
            else:
                ps.add(pid)
        if OBSERVABLE:
            ps &= seen
        if ps:
            sets.append(ps)
    planted = set().union(*sets) if sets else set()
    by_rank = sorted((net for net in nets.values() if net["rank"]), key=lambda net: net["rank"])
    out = []
    for limit in sorted({min(10, top), top}):
        c = Counter()
        big = (0, 0, None)
        for net in by_rank[:limit]:
            el = net["elems"] - drop
            if not el:
                cls = "empty"
            elif any(len(el & ps) / len(el | ps) >= 0.5 or len(el & ps) >= 0.5 * len(ps) for ps in sets):
                cls = "match"
            elif len(el & planted) < 0.2 * len(el):
                cls = "false"
                if net["size"] > big[0]:
                    big = (net["size"], net["suspects"], net["rank"])
            else:
                cls = "other"
            c[cls] += 1
            net["cls"] = cls
            if "--ranked" in sys.argv and limit == top:
                print(f'rank {net["rank"]:>3} {net["key"]:<14} {cls:<5} size {net["size"]:>4} suspects {net["suspects"]:>3}'
                      f'  people {len(el):>3}, planted {len(el & planted):>3}')
        out.append({"top": limit, "match": c["match"], "false": c["false"], "other": c["other"],
                    "empty": c["empty"], "largest_false_size": big[0], "largest_false_suspects": big[1],
                    "largest_false_rank": big[2]})
    return out


def explain_wrong(q, wrong):
    """Per wrongly labelled planted person (--wrong): the truth and rastro
    roles, rastro's reason, the signals on the subject (the person and the
    accounts it holds; with their details' side), and its KYC business type."""
    for want, got, nkind, pid, e, nid in sorted(wrong):
        ents = [e] + [d for (d,) in q("SELECT dst FROM edge WHERE type = 'holds' AND src = ?", (e,))]
        ph = ",".join("?" * len(ents))
        sigs = Counter()
        for code, det in q(f"SELECT code, details FROM signal WHERE entity_id IN ({ph})", ents):
            side = json.loads(det).get("side") if det and det.startswith("{") else None
            sigs[code + (f"/{side}" if side else "")] += 1
        bt = [b for (b,) in q(f"SELECT DISTINCT business_type FROM kyc WHERE account IN ({ph})"
                              " AND business_type IS NOT NULL AND business_type != ''", ents)]
        reason = q("SELECT reason FROM network_member WHERE network_id = ? AND entity_id = ?", (nid, e)).fetchone()
        print(f'wrong {want:<12} as {got:<12} {nkind:<24} {pid:<9} #{e} sig {dict(sigs)} kyc {bt}\n'
              f'      reason: {reason[0] if reason else "-"}')


def explain(q, t, who, holder, kind, nets):
    """Per planted person: its entities, the rastro network and role of each."""
    net_of = defaultdict(list)
    for nid, e, role in q("SELECT network_id, entity_id, role FROM network_member"):
        net_of[e].append((nets[nid]["key"], nets[nid]["rank"], role))
    hub = {e for (e,) in q("SELECT entity_id FROM net_hub")}
    ents = defaultdict(set)
    for e, pid in who.items():
        ents[pid].add(e)
    for e, h in holder.items():
        if who.get(h):
            ents[who[h]].add(e)
    for n in t["networks"]:
        print(f'{n["id"]} {n["kind"]}')
        for p in n["people"]:
            pid = p.get("person") or p.get("business")
            where = []
            for e in sorted(ents.get(pid, ())):
                nn = net_of.get(e)
                tag = "hub" if e in hub else (f'{nn[0][0]}#{nn[0][1]}:{nn[0][2]}' if nn else "-")
                where.append(f'{kind.get(e)}#{e}@{tag}')
            print(f'   {p["role"]:<12} {pid:<10} ' + (" ".join(where) or "(nothing in the workspace)"))


if __name__ == "__main__":
    main()
