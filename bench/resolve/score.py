#!/usr/bin/env python3
"""Pair precision, recall and F1 of a clustering export against FEBRL truth.

usage: score.py EXPORT.csv [--link]
EXPORT.csv has columns record_id and entity (rastro resolve --export, or the
baseline script's output).  Truth: records with the same rec-<N> are the same
entity (FEBRL's encoding).  --link counts only pairs across the two files
(rec-N-org with rec-N-dup-0), as in FEBRL 4a x 4b.
"""
import csv
import itertools
import re
import sys
from collections import defaultdict


def pairs_of(groups, link):
    out = set()
    for members in groups.values():
        for a, b in itertools.combinations(sorted(members), 2):
            if link and (("-org" in a) == ("-org" in b)):
                continue
            out.add((a, b))
    return out


def main():
    path = sys.argv[1]
    link = "--link" in sys.argv
    pred = defaultdict(list)
    truth = defaultdict(list)
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            rid = row["record_id"]
            pred[row["entity"]].append(rid)
            m = re.match(r"rec-(\d+)", rid)
            truth[m.group(1) if m else rid].append(rid)
    p = pairs_of(pred, link)
    t = pairs_of(truth, link)
    tp = len(p & t)
    prec = tp / len(p) if p else 0.0
    rec = tp / len(t) if t else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    print(f"pairs_predicted={len(p)} pairs_true={len(t)} tp={tp} precision={prec:.4f} recall={rec:.4f} f1={f1:.4f}")


if __name__ == "__main__":
    main()
