#!/usr/bin/env python3
"""Builds a large ads file for the speed benchmark from several generated worlds.

usage: make_set.py RASTRO OUT.jsonl N [SEED]

`rastro gen` writes about 85,000 ads per world with the knobs below (many planted networks in a
small population, three benign ads per network ad); worlds with consecutive seeds are generated
until N ads are written.  Each ad id gets the world's seed as a prefix so ids stay unique.  The
quality benchmark uses default-knob worlds instead (run.sh).
"""
import json, os, shutil, subprocess, sys, tempfile

rastro, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
seed = int(sys.argv[4]) if len(sys.argv) > 4 else 100
written = 0
tmp = tempfile.mkdtemp(prefix="rastro-ads-set-")
try:
    with open(out, "w") as f:
        while written < n:
            d = os.path.join(tmp, str(seed))
            subprocess.run([rastro, "gen", "-o", d, "-s", str(seed), "-S", "10", "-q",
                            "--sex-trafficking", "400", "--smuggling", "300", "--labor-trafficking", "300",
                            "--laundering", "0", "--set", "gen.benign_ads_ratio=3"], check=True)
            with open(os.path.join(d, "ads.jsonl")) as g:
                for line in g:
                    if written >= n:
                        break
                    a = json.loads(line)
                    a["id"] = f"{seed}-{a['id']}"
                    f.write(json.dumps(a, ensure_ascii=False, separators=(",", ":")) + "\n")
                    written += 1
            shutil.rmtree(d)
            seed += 1
finally:
    shutil.rmtree(tmp, ignore_errors=True)
print(written)
