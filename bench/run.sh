#!/usr/bin/env bash
# Runs every benchmark (long: minutes to hours).  Each writes its figures to
# stdout; bench/RESULTS.md records them by hand with the machine and date.
# Usage: bench/run.sh [path/to/rastro] [NAME...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export RASTRO=${1:-$here/../build/rastro}
shift || true
names=("$@")
[ ${#names[@]} -eq 0 ] && names=($(cd "$here" && ls -d */ | tr -d /))
for n in "${names[@]}"; do
  [ -x "$here/$n/run.sh" ] || continue
  echo "== bench $n"
  "$here/$n/run.sh"
done
