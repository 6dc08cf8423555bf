#!/usr/bin/python3
"""The peer for the finance benchmark: what an analyst would otherwise
write with pandas and networkx over an IBM AMLworld-format *_Trans.csv —
windowed fan-in and fan-out, scatter-gather and bounded cycles.

Rules (the same thresholds as rastro's defaults where the two overlap):
  fan-out / fan-in   >= K distinct counterparties on one calendar day
  scatter-gather     source -> >= M intermediates -> one sink, second leg
                     within W hours of the first, accounts with more than
                     D transfers skipped as intermediates
  cycles             transfers of one calendar day as a networkx DiGraph;
                     for each edge u->v, nx.all_simple_paths(v, u, cutoff)
                     (cycles of at most H hops)

Writes the flagged accounts (key, rules hit; most rules first) and the
flagged transactions (their line in the file) for score.py, and the time.

usage: baseline_nx.py TRANS.csv OUTDIR [--k 5] [--m 3] [--hours 72] [--hops 4]
"""
import argparse
import os
import time

import networkx as nx
import pandas as pd


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("trans")
    ap.add_argument("out")
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--m", type=int, default=3)
    ap.add_argument("--hours", type=float, default=72)
    ap.add_argument("--hops", type=int, default=4)
    ap.add_argument("--max-degree", type=int, default=1000)
    a = ap.parse_args()
    t0 = time.time()
    df = pd.read_csv(a.trans, header=0, dtype=str)
    df.columns = ["ts", "fb", "fa", "tb", "ta", "amt_r", "cur_r", "amt_p", "cur_p", "fmt", "label"]
    df["line"] = df.index + 2
    df["ts"] = pd.to_datetime(df["ts"], format="%Y/%m/%d %H:%M")
    df["src"] = df["fb"].str.lstrip("0").replace("", "0") + "/" + df["fa"]
    df["dst"] = df["tb"].str.lstrip("0").replace("", "0") + "/" + df["ta"]
    df["day"] = df["ts"].dt.floor("D")
    tr = df[df["src"] != df["dst"]]
    t_read = time.time()

    hits = {}
    flagged = set()

    def hit(accs, rule):
        for x in accs:
            hits.setdefault(x, set()).add(rule)

    # fan-out and fan-in per calendar day
    for side, other, rule in (("src", "dst", "fan_out"), ("dst", "src", "fan_in")):
        n = tr.groupby([side, "day"])[other].nunique()
        big = n[n >= a.k].reset_index()[[side, "day"]]
        rows = tr.merge(big, on=[side, "day"])
        hit(set(big[side]), rule)
        flagged.update(rows["line"])
    t_fan = time.time()

    # scatter-gather: s -> m -> t
    deg = tr.groupby("src").size()
    ok = set(deg[deg <= a.max_degree].index)
    e = tr[tr["src"].isin(ok)][["src", "dst", "ts", "line"]]
    j = e.merge(e, left_on="dst", right_on="src", suffixes=("1", "2"))
    j = j[(j["ts2"] >= j["ts1"]) & (j["ts2"] - j["ts1"] <= pd.Timedelta(hours=a.hours)) &
          (j["dst2"] != j["src1"])]
    g = j.groupby(["src1", "dst2"])["dst1"].nunique()
    sg = g[g >= a.m].reset_index()[["src1", "dst2"]]
    jj = j.merge(sg, on=["src1", "dst2"])
    hit(set(jj["src1"]) | set(jj["dst2"]) | set(jj["dst1"]), "scatter_gather")
    flagged.update(jj["line1"])
    flagged.update(jj["line2"])
    t_sg = time.time()

    # bounded cycles per day
    for day, part in tr.groupby("day"):
        G = nx.DiGraph()
        for s, d, ln in zip(part["src"], part["dst"], part["line"]):
            if G.has_edge(s, d):
                G[s][d]["lines"].append(ln)
            else:
                G.add_edge(s, d, lines=[ln])
        for u, v in list(G.edges()):
            for path in nx.all_simple_paths(G, v, u, cutoff=a.hops - 1):
                cyc = [u] + path
                hit(cyc, "cycle")
                for x, y in zip(cyc, cyc[1:]):
                    flagged.update(G[x][y]["lines"])
    t_cyc = time.time()

    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "accounts.tsv"), "w") as f:
        for k in sorted(hits, key=lambda x: (-len(hits[x]), x)):
            f.write("%s\t%d\t%s\n" % (k, len(hits[k]), ",".join(sorted(hits[k]))))
    with open(os.path.join(a.out, "lines.txt"), "w") as f:
        for ln in sorted(flagged):
            f.write("%d\n" % ln)
    with open(os.path.join(a.out, "time.txt"), "w") as f:
        f.write("read %.2f fan %.2f scatter_gather %.2f cycles %.2f total %.2f rows %d\n" % (
            t_read - t0, t_fan - t_read, t_sg - t_fan, t_cyc - t_sg, t_cyc - t0, len(df)))
    print(open(os.path.join(a.out, "time.txt")).read().strip())


if __name__ == "__main__":
    main()
