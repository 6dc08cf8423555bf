#!/usr/bin/python3
"""Synthetic transactions in IBM AMLworld's *_Trans.csv format, with planted
laundering patterns and a *_Patterns.txt file, for the finance benchmarks.

A stand-in for `rastro gen`'s IBM mode when that is not available: a random
background (heavy-tailed activity, habitual payees, popular merchants,
self-transfers, several currencies and payment formats) plus the eight
AMLworld pattern kinds (fan-out, fan-in, cycle, scatter-gather,
gather-scatter, bipartite, stack, random) and unpatterned ("lone") laundering
transactions.  Sizes and shapes follow the public description of AMLworld
(docs/reference: 10 days, ~10 transactions per account, ~1 laundering
transaction per 1,000), not its code, which is not public.

usage: synth_ibm.py --txns N --seed S --out DIR [--patterns K]
writes DIR/synth_Trans.csv and DIR/synth_Patterns.txt
"""
import argparse
import os

import numpy as np

FORMATS = ["ACH", "Credit Card", "Cheque", "Wire", "Cash", "Bitcoin"]
FORMAT_P = [0.32, 0.25, 0.16, 0.12, 0.10, 0.05]
CURRENCIES = ["US Dollar", "Euro", "Yuan", "Yen", "UK Pound", "Rupee", "Mexican Peso", "Canadian Dollar"]
CURRENCY_P = [0.78, 0.07, 0.04, 0.03, 0.03, 0.02, 0.02, 0.01]
DAYS = 10
T0 = np.datetime64("2022-09-01T00:00")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--txns", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--patterns", type=int, default=0, help="planted patterns (default: txns/14000)")
    ap.add_argument("--lone-share", type=float, default=0.35, help="share of laundering rows outside patterns")
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    n = a.txns
    nacc = max(100, n // 10)
    npat = a.patterns or max(8, n // 14000)
    os.makedirs(a.out, exist_ok=True)

    banks = rng.integers(10, 40000, size=nacc)
    accid = np.array(["%09X" % (0x800000000 + i * 7919 % 0x7FFFFFFF) for i in range(nacc)])
    # activity: heavy-tailed; merchants: a few accounts receive a lot
    act = rng.pareto(1.6, size=nacc) + 1.0
    act /= act.sum()
    merchants = rng.choice(nacc, size=max(10, nacc // 500), replace=False)
    habit = rng.integers(0, nacc, size=(nacc, 4))

    src = rng.choice(nacc, size=n, p=act)
    kind = rng.random(n)
    dst = np.empty(n, dtype=np.int64)
    m1 = kind < 0.55                      # habitual payee
    dst[m1] = habit[src[m1], rng.integers(0, 4, size=m1.sum())]
    m2 = (kind >= 0.55) & (kind < 0.80)   # popular merchant
    dst[m2] = merchants[rng.integers(0, len(merchants), size=m2.sum())]
    m3 = (kind >= 0.80) & (kind < 0.97)   # anyone
    dst[m3] = rng.integers(0, nacc, size=m3.sum())
    m4 = kind >= 0.97                     # reinvestment (self)
    dst[m4] = src[m4]
    minute = rng.integers(0, DAYS * 1440, size=n)
    amount = np.round(np.exp(rng.normal(6.0, 1.6, size=n)), 2)
    fmt = rng.choice(len(FORMATS), size=n, p=FORMAT_P)
    fmt[m4] = -1
    cur = rng.choice(len(CURRENCIES), size=n, p=CURRENCY_P)
    label = np.zeros(n, dtype=np.int8)

    rows = []       # planted rows: (minute, s, d, amount, fmt, cur)
    blocks = []     # (kind, description, [row indexes])
    kinds = ["FAN-OUT", "FAN-IN", "CYCLE", "SCATTER-GATHER", "GATHER-SCATTER", "BIPARTITE", "STACK", "RANDOM"]

    def accs(k):
        return list(rng.choice(nacc, size=k, replace=False))

    pcur = [0]   # one currency per pattern: amounts stay comparable along it

    def add(m, s, d, amt):
        rows.append((int(m), int(s), int(d), float(round(amt, 2)), int(rng.choice(len(FORMATS), p=FORMAT_P)),
                     pcur[0]))
        return len(rows) - 1

    for p in range(npat):
        k = kinds[p % len(kinds)]
        start = int(rng.integers(0, (DAYS - 2) * 1440))
        span = int(rng.integers(60, 2 * 1440))
        base = float(np.exp(rng.normal(8.5, 1.0)))
        pcur[0] = 0 if rng.random() < 0.85 else int(rng.integers(1, len(CURRENCIES)))
        idx = []
        if k in ("FAN-OUT", "FAN-IN"):
            deg = int(rng.integers(5, 17))
            hub, *others = accs(deg + 1)
            for o in others:
                t = start + int(rng.integers(0, span))
                idx.append(add(t, hub, o, base * rng.uniform(0.5, 1.0)) if k == "FAN-OUT"
                           else add(t, o, hub, base * rng.uniform(0.5, 1.0)))
            desc = "Max %d-degree %s" % (deg, "Fan-Out" if k == "FAN-OUT" else "Fan-In")
        elif k == "CYCLE":
            hops = int(rng.integers(2, 11))
            ring = accs(hops)
            t = start
            amt = base
            for i in range(hops):
                t += int(rng.integers(1, max(2, span // hops)))
                idx.append(add(t, ring[i], ring[(i + 1) % hops], amt))
                amt *= rng.uniform(0.95, 0.999)
            desc = "Max %d hops" % hops
        elif k == "SCATTER-GATHER":
            mids = int(rng.integers(3, 9))
            s, d, *mm = accs(mids + 2)
            for m in mm:
                t = start + int(rng.integers(0, span // 2))
                idx.append(add(t, s, m, base))
                idx.append(add(t + int(rng.integers(1, span // 2)), m, d, base * rng.uniform(0.9, 0.99)))
            desc = "Max %d-degree Fan-Out" % mids
        elif k == "GATHER-SCATTER":
            ni, no = int(rng.integers(3, 9)), int(rng.integers(3, 9))
            c, *rest = accs(ni + no + 1)
            mid = start + span // 2
            for o in rest[:ni]:
                idx.append(add(start + int(rng.integers(0, span // 2)), o, c, base))
            for o in rest[ni:]:
                idx.append(add(mid + int(rng.integers(1, span // 2)), c, o, base * ni / no * 0.95))
            desc = "Max %d-degree Fan-In" % ni
        elif k == "BIPARTITE":
            na, nb = int(rng.integers(2, 5)), int(rng.integers(2, 5))
            A, B = accs(na), accs(nb)
            for s in A:
                for d in B:
                    if rng.random() < 0.8:
                        idx.append(add(start + int(rng.integers(0, span)), s, d, base))
            desc = "Max %d-degree Fan-Out" % nb
        elif k == "STACK":
            na, nb, nc = (int(rng.integers(2, 5)) for _ in range(3))
            A, B, C = accs(na), accs(nb), accs(nc)
            for s in A:
                for d in B:
                    idx.append(add(start + int(rng.integers(0, span // 2)), s, d, base))
            for s in B:
                for d in C:
                    idx.append(add(start + span // 2 + int(rng.integers(1, span // 2)), s, d, base * 0.95))
            desc = "Max %d-degree Fan-Out" % nb
        else:
            hops = int(rng.integers(3, 8))
            chain = accs(hops + 1)
            t = start
            for i in range(hops):
                t += int(rng.integers(1, max(2, span // hops)))
                idx.append(add(t, chain[i], chain[i + 1], base * rng.uniform(0.9, 1.0)))
            desc = "Max %d hops" % hops
        blocks.append((k, desc, idx))

    # lone laundering rows: background-looking rows that carry the label
    npat_rows = len(rows)
    nlone = int(npat_rows * a.lone_share / (1 - a.lone_share))
    lone = rng.choice(n, size=nlone, replace=False)
    label[lone] = 1
    # planted rows replace background rows so the total stays n
    victims = rng.choice(np.setdiff1d(np.arange(n), lone), size=len(rows), replace=False)
    for r, v in zip(rows, victims):
        minute[v], src[v], dst[v], amount[v], fmt[v], cur[v] = r
        label[v] = 1

    order = np.argsort(minute, kind="stable")
    # IBM files are not strictly time-sorted: swap a few neighbours
    sw = rng.choice(n - 1, size=n // 200, replace=False)
    order[sw], order[sw + 1] = order[sw + 1].copy(), order[sw].copy()

    def ts(m):
        return str(T0 + np.timedelta64(int(m), "m")).replace("-", "/").replace("T", " ")

    fmts = np.array(FORMATS + ["Reinvestment"])
    curs = np.array(CURRENCIES)
    with open(os.path.join(a.out, "synth_Trans.csv"), "w", newline="") as f:
        f.write("Timestamp,From Bank,Account,To Bank,Account,Amount Received,Receiving Currency,"
                "Amount Paid,Payment Currency,Payment Format,Is Laundering\r\n")
        buf = []
        for i in order:
            s, d = src[i], dst[i]
            c = curs[cur[i]]
            fm = fmts[fmt[i]]
            buf.append("%s,%d,%s,%d,%s,%.2f,%s,%.2f,%s,%s,%d\r\n" % (
                ts(minute[i]), banks[s], accid[s], banks[d], accid[d], amount[i], c, amount[i], c, fm, label[i]))
            if len(buf) >= 100000:
                f.write("".join(buf))
                buf = []
        f.write("".join(buf))
    pos = {v: k for k, v in enumerate(victims)}
    with open(os.path.join(a.out, "synth_Patterns.txt"), "w") as f:
        for k, desc, idx in blocks:
            f.write("BEGIN LAUNDERING ATTEMPT - %s:  %s\n" % (k, desc))
            for r in idx:
                v = victims[r]
                s, d = src[v], dst[v]
                c = curs[cur[v]]
                f.write("%s,%06d,%s,%06d,%s,%.2f,%s,%.2f,%s,%s,1\n" % (
                    ts(minute[v]), banks[s], accid[s], banks[d], accid[d], amount[v], c, amount[v], c, fmts[fmt[v]]))
            f.write("END LAUNDERING ATTEMPT - %s\n\n" % k)
    print("%d transactions, %d accounts, %d patterns (%d rows), %d lone laundering rows" % (
        n, nacc, len(blocks), len(rows), nlone))


if __name__ == "__main__":
    main()
