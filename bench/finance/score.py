#!/usr/bin/python3
"""Scores flagged accounts and transactions against an IBM AMLworld-format
file's labels, the same way for rastro and for the peer script.

  transaction level: flagged lines vs Is Laundering = 1
  account level:     flagged account keys vs accounts that paid or received
                     a laundering transaction (bank/account, bank without
                     leading zeros)
  network level:     patterns (*_Patterns.txt) with at least one flagged
                     member account (recall)
  top-k:             precision of the first k flagged accounts in rank order

Inputs: --rastro ALERTS.csv (rastro alerts --format csv --limit 0) or
--peer DIR (baseline_nx.py output).
usage: score.py TRANS.csv PATTERNS.txt (--rastro F | --peer D) [--split]
  --split: transaction level on the test days only (IBM's 60/20/20 day split)
"""
import argparse
import csv


def key(bank, acc):
    return (bank.lstrip("0") or "0") + "/" + acc


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("trans")
    ap.add_argument("patterns")
    ap.add_argument("--rastro")
    ap.add_argument("--peer")
    ap.add_argument("--split", action="store_true")
    a = ap.parse_args()
    labels = {}
    bad_acc = set()
    days = {}
    with open(a.trans, newline="") as f:
        r = csv.reader(f)
        next(r)
        for i, row in enumerate(r):
            ln = i + 2
            lab = row[10] == "1"
            labels[ln] = (lab, row[0][:10])
            days[row[0][:10]] = days.get(row[0][:10], 0) + 1
            if lab:
                bad_acc.add(key(row[1], row[2]))
                bad_acc.add(key(row[3], row[4]))
    nets = []
    with open(a.patterns) as f:
        cur = None
        for line in f:
            if line.startswith("BEGIN"):
                cur = set()
            elif line.startswith("END"):
                nets.append(cur)
                cur = None
            elif cur is not None and line.strip():
                x = line.strip().split(",")
                cur.add(key(x[1], x[2]))
                cur.add(key(x[3], x[4]))
    ranked, lines = [], set()
    if a.rastro:
        with open(a.rastro, newline="") as f:
            for row in csv.DictReader(f):
                ranked.append(key(row["bank"], row["account"]))
                for x in row["evidence_lines"].split(";"):
                    if x.isdigit():
                        lines.add(int(x))
    else:
        with open(a.peer + "/accounts.tsv") as f:
            ranked = [l.split("\t")[0] for l in f]
        with open(a.peer + "/lines.txt") as f:
            lines = set(int(l) for l in f)
    test = None
    if a.split:
        order = sorted(days)
        tot = sum(days.values())
        best = None
        for i in range(1, len(order) - 1):
            for j in range(i + 1, len(order)):
                s1 = sum(days[d] for d in order[:i]) / tot
                s2 = sum(days[d] for d in order[i:j]) / tot
                s3 = 1 - s1 - s2
                err = max(abs(s1 - .6) / .6, abs(s2 - .2) / .2, abs(s3 - .2) / .2)
                if best is None or err < best[0]:
                    best = (err, j)
        test = set(order[best[1]:])
    tp = fp = fn = 0
    for ln, (lab, day) in labels.items():
        if test is not None and day not in test:
            continue
        pred = ln in lines
        tp += pred and lab
        fp += pred and not lab
        fn += (not pred) and lab
    p, r, f = prf(tp, fp, fn)
    print("transaction%s P %.4f R %.4f F1 %.4f (tp %d fp %d fn %d)" % (
        " (test days)" if test else "", p, r, f, tp, fp, fn))
    fl = set(ranked)
    tp = len(fl & bad_acc)
    p, r, f = prf(tp, len(fl) - tp, len(bad_acc) - tp)
    print("account P %.4f R %.4f F1 %.4f (flagged %d, truth %d)" % (p, r, f, len(fl), len(bad_acc)))
    found = sum(1 for n in nets if n & fl)
    print("network recall %.4f (%d of %d patterns)" % (found / len(nets) if nets else 0, found, len(nets)))
    for k in (10, 100):
        top = ranked[:k]
        print("top-%d precision %.4f" % (k, sum(1 for x in top if x in bad_acc) / len(top) if top else 0))


if __name__ == "__main__":
    main()
