#!/usr/bin/env python3
"""Community quality and time: rastro's partition against networkx's Louvain on the same graph.

    compare_nx.py NODES.csv EDGES.csv RASTRO_PARTITION_SECONDS

Reads rastro's whole-graph CSV export (rastro export --all -f csv), leaves
out the hubs rastro set aside, and builds the undirected weighted graph
rastro partitioned (parallel links summed, rastro's link weights).  Each
node's community on rastro's side is its network; nodes in no network
(groups below network.min_size) are their own communities.  networkx's
louvain_communities runs on the same graph (seed 1, resolution 1); both
partitions are scored with networkx's modularity on that graph.
"""
import csv
import sys
import time

import networkx as nx


def main():
    nodes_csv, edges_csv, rastro_s = sys.argv[1], sys.argv[2], float(sys.argv[3])
    hub, net = set(), {}
    with open(nodes_csv, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["hub:boolean"] == "true":
                hub.add(r["id:ID"])
            else:
                net[r["id:ID"]] = r["network"] or ("solo-" + r["id:ID"])
    g = nx.Graph()
    g.add_nodes_from(net)
    with open(edges_csv, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            a, b = r[":START_ID"], r[":END_ID"]
            if a in hub or b in hub or a == b:
                continue
            w = float(r["weight:double"])
            if g.has_edge(a, b):
                g[a][b]["weight"] += w
            else:
                g.add_edge(a, b, weight=w)
    parts = {}
    for v, c in net.items():
        parts.setdefault(c, set()).add(v)
    q_rastro = nx.community.modularity(g, parts.values(), weight="weight")
    t0 = time.perf_counter()
    comms = nx.community.louvain_communities(g, weight="weight", resolution=1, seed=1)
    t_nx = time.perf_counter() - t0
    q_nx = nx.community.modularity(g, comms, weight="weight")
    print(f"graph: {g.number_of_nodes()} nodes, {g.number_of_edges()} links (hubs left out: {len(hub)})")
    print(f"rastro (components + igraph Leiden): modularity {q_rastro:.4f}, {len(parts)} communities, "
          f"partition {rastro_s:.2f} s")
    print(f"networkx {nx.__version__} louvain_communities: modularity {q_nx:.4f}, {len(comms)} communities, {t_nx:.2f} s")
    print(f"time ratio networkx / rastro: {t_nx / rastro_s if rastro_s > 0 else float('inf'):.1f}x")


if __name__ == "__main__":
    main()
