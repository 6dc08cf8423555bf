#!/usr/bin/env bash
# The demo job: a fresh workspace, the bundled sample data ingested, and the
# run summary.  Later stages extend it as they land.
set -euo pipefail
rastro=${1:-build/rastro}
here=$(cd "$(dirname "$0")/.." && pwd)
out=$here/demo-out
rm -rf "$out"; mkdir -p "$out"
ws=$out/demo.rastro

echo "== rastro demo: workspace $ws"
"$rastro" init "$ws"
"$rastro" ingest "$ws" "$here/tests/data/generic_small.csv" "$here/tests/data/kyc_small.csv" \
  "$here/tests/data/ibm_small.csv" "$here/tests/data/bad_rows.csv"
echo
"$rastro" status "$ws"
echo
echo "== quarantined rows (kept with file, line, column and reason)"
"$rastro" quarantine "$ws"
