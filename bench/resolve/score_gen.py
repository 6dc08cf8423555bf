#!/usr/bin/env python3
"""Pair precision, recall and F1 of a rastro export against `rastro gen`'s truth.

usage: score_gen.py EXPORT.csv truth.json [--only-persons]
Truth: truth.json's same_person lists, for each real person who appears in
two places or more, their agency person records, encounters and KYC accounts;
every other record is its own person.  --only-persons scores only the rows
of persons_*.csv files (what the baseline reads).
"""
import csv
import itertools
import json
import sys
from collections import defaultdict


def main():
    exp, truth_path = sys.argv[1], sys.argv[2]
    only = "--only-persons" in sys.argv
    truth = json.load(open(truth_path))
    who = {}
    for p in truth["same_person"]:
        for rid in p.get("records", []):
            who[rid] = p["person"]
        if not only:
            for rid in p.get("encounters", []):
                who[rid] = p["person"]
            for acct in p.get("accounts", []):
                who[acct] = p["person"]
    pred = defaultdict(list)
    true = defaultdict(list)
    with open(exp, newline="") as f:
        for row in csv.DictReader(f):
            rid = row["record_id"]
            if only and "file" in row and "persons_" not in row["file"]:
                continue
            key = (row.get("source", ""), rid)
            pred[row["entity"]].append(key)
            true[who.get(rid, "solo:" + row.get("source", "") + ":" + rid)].append(key)

    def pairs(groups):
        return {tuple(sorted(p)) for g in groups.values() for p in itertools.combinations(g, 2)}

    p, t = pairs(pred), pairs(true)
    tp = len(p & t)
    prec = tp / len(p) if p else 0.0
    rec = tp / len(t) if t else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    print(f"pairs_predicted={len(p)} pairs_true={len(t)} tp={tp} precision={prec:.4f} recall={rec:.4f} f1={f1:.4f}")


if __name__ == "__main__":
    main()
