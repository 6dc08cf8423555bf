#!/usr/bin/python3
"""Writes hostile ads for the bounded-time benchmark (bench/ads/run.sh hostile).

usage: hostile.py OUT.jsonl [N]
N ads of each kind (default 20): invalid UTF-8 bytes in the body (written raw, so the line is not
valid UTF-8 JSON), 1 MB bodies of mixed text, digits and number words, bodies of emoji only
(1 MB), HTML markup (a 200 kB page with script, style and entities), 500 phone-like strings.
"""
import json, sys

out, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 20
MB = 1 << 20

def ad(kind, i, body):
    return {"id": f"{kind}-{i}", "posted_at": "2024-03-01T21:00:00", "site": "hostile.example",
            "city": "El Paso", "country": "US", "title": f"{kind} {i}", "body": body}

with open(out, "wb") as f:
    def put(obj, raw=None):
        line = json.dumps(obj, ensure_ascii=False).encode()
        if raw is not None:
            line = line.replace(b"@@RAW@@", raw)
        f.write(line + b"\n")
    for i in range(n):
        put(ad("badutf8", i, "call @@RAW@@ 915 555 0123"), b"\xff\xfe\xc3\x28\xa0\xa1\xe2\x82\xf0\x90\x28\xbc" * 50)
        unit = f"nine1five 555 oh one {i % 10} seven, $150 roses 24/7 call ✨💋 me at fivefive ∗ "
        put(ad("big", i, (unit * (MB // len(unit.encode()) + 1)).encode()[:MB].decode(errors="ignore")))
        put(ad("emoji", i, "💋🌹😘✨🔥" * (MB // 19)))
        page = ("<html><head><style>.a{color:red}</style><script>var x=9155550123;</script></head><body>"
                + "<div class='ad'><p>Hi &amp; welcome, call <b>915</b>-<i>555</i>-0123 &#x1F339;</p></div>" * 2000
                + "</body></html>")
        put(ad("html", i, page))
        put(ad("phones500", i, ", ".join(f"call 915-555-{k:04d} or $ {k}" for k in range(500))))
print(5 * n)
