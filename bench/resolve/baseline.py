#!/usr/bin/python3
"""The simple baseline the resolution benchmark compares rastro with.

pandas + jellyfish, as an analyst would write it: blocking on soundex of the
surname, on date of birth and on the id number (union), a score that sums
Jaro-Winkler similarities of the name and address fields and exact agreement
of the others, a threshold, and connected components for entities.

usage: baseline.py OUT.csv FILE [FILE_B]   |   baseline.py OUT.csv --dedup FILE...
  one file (or --dedup with several): deduplication; two files: linkage
  (pairs only across files, one-to-one, best score first).  Writes record_id,entity like
  `rastro resolve --export`.
"""
import sys
import time

import jellyfish
import pandas as pd

JW_FIELDS = ["given_name", "surname", "address_1", "address_2", "suburb"]
EXACT_FIELDS = ["street_number", "postcode", "state", "date_of_birth", "soc_sec_id"]
THRESHOLD = 7.0   # of a possible 10


# rastro's person format read with the same columns (FEBRL names)
PERSON_MAP = {"record_id": "rec_id", "address": "address_1", "city": "suburb", "region": "state",
              "postcode": "postcode", "dob": "date_of_birth", "id_number": "soc_sec_id"}


def read(path):
    df = pd.read_csv(path, skipinitialspace=True, dtype=str, keep_default_na=False)
    df.columns = [c.strip() for c in df.columns]
    if "rec_id" not in df.columns:
        df = df.rename(columns=PERSON_MAP)
        df["surname"] = (df["surname"] + " " + df.get("maternal_surname", "")).str.strip()
        df["street_number"] = ""
        df["address_2"] = df.get("phone", "")
    return df


def jw(a, b):
    if not a or not b:
        return 0.0
    try:
        return jellyfish.jaro_winkler_similarity(a, b)
    except AttributeError:  # jellyfish < 0.8
        return jellyfish.jaro_winkler(a, b)


def candidates(df, link_split):
    df = df.copy()
    df["sx"] = [jellyfish.soundex(s) if s else "" for s in df["surname"]]
    pairs = set()
    for key in ["sx", "date_of_birth", "soc_sec_id"]:
        sub = df[df[key] != ""][[key]].reset_index()
        m = sub.merge(sub, on=key)
        m = m[m["index_x"] < m["index_y"]]
        if link_split is not None:
            m = m[(m["index_x"] < link_split) & (m["index_y"] >= link_split)]
        pairs.update(zip(m["index_x"], m["index_y"]))
    return sorted(pairs)


def score(df, pairs):
    rows = df.to_dict("records")
    out = []
    for a, b in pairs:
        ra, rb = rows[a], rows[b]
        s = sum(jw(ra[f], rb[f]) for f in JW_FIELDS)
        s += sum(1.0 for f in EXACT_FIELDS if ra[f] and ra[f] == rb[f])
        out.append((s, a, b))
    return out


def main():
    t0 = time.time()
    out_path, files = sys.argv[1], sys.argv[2:]
    dedup = files[0] == "--dedup"
    if dedup:
        files = files[1:]
    frames = [read(f) for f in files]
    df = pd.concat(frames, ignore_index=True)
    split = len(frames[0]) if len(frames) == 2 and not dedup else None
    scored = [x for x in score(df, candidates(df, split)) if x[0] >= THRESHOLD]
    parent = list(range(len(df)))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    if split is None:
        for _, a, b in scored:
            parent[find(a)] = find(b)
    else:
        used = set()
        for _, a, b in sorted(scored, reverse=True):
            if a in used or b in used:
                continue
            used.update((a, b))
            parent[find(a)] = find(b)
    with open(out_path, "w") as f:
        f.write("record_id,entity\n")
        for i, rid in enumerate(df["rec_id"]):
            f.write(f"{rid},b{find(i)}\n")
    print(f"baseline: {len(df)} records, {len(scored)} links, {time.time() - t0:.2f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
