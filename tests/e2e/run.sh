#!/usr/bin/env bash
# Runs one end-to-end test script in a fresh temporary directory with the
# helpers below.  Each script calls the rastro CLI on small files and checks
# exit codes and output.  Usage: run.sh SCRIPT
set -u
script=$1
export RASTRO=${RASTRO_BIN:?RASTRO_BIN must point at the rastro binary}
export DATA=${RASTRO_SRC:?}/tests/data
work=$(mktemp -d /tmp/rastro-e2e-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

failures=0
checks=0

# ok DESCRIPTION -- COMMAND...: the command must succeed.
ok() {
  local what=$1; shift; [ "$1" = "--" ] && shift
  checks=$((checks + 1))
  local rc=0
  "$@" >out.txt 2>err.txt || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "FAIL: $what: '$*' exited $rc"; sed 's/^/  | /' err.txt out.txt | head -20
    failures=$((failures + 1))
  fi
}

# fails CODE DESCRIPTION -- COMMAND...: the command must exit with CODE.
fails() {
  local code=$1 what=$2; shift 2; [ "$1" = "--" ] && shift
  checks=$((checks + 1))
  "$@" >out.txt 2>err.txt
  local rc=$?
  if [ "$rc" -ne "$code" ]; then
    echo "FAIL: $what: '$*' exited $rc, expected $code"; sed 's/^/  | /' err.txt out.txt | head -20
    failures=$((failures + 1))
  fi
}

# has FILE TEXT: FILE (out.txt or err.txt) must contain TEXT.
has() {
  checks=$((checks + 1))
  if ! grep -qF -- "$2" "$1"; then
    echo "FAIL: expected '$2' in $1:"; sed 's/^/  | /' "$1" | head -20
    failures=$((failures + 1))
  fi
}

# lacks FILE TEXT: FILE must not contain TEXT.
lacks() {
  checks=$((checks + 1))
  if grep -qF -- "$2" "$1"; then
    echo "FAIL: did not expect '$2' in $1"
    failures=$((failures + 1))
  fi
}

# same A B: two values must be equal.
same() {
  checks=$((checks + 1))
  if [ "$1" != "$2" ]; then
    echo "FAIL: ${3:-values differ}: '$1' != '$2'"
    failures=$((failures + 1))
  fi
}

# skip REASON: the environment cannot run this test (exit 77 = skipped).
skip() { echo "SKIP: $*"; exit 77; }

# sql WS QUERY: prints the query's result.
sql() { sqlite3 "$1" "$2"; }

. "$script"

echo "$(basename "$script" .sh): $checks checks, $failures failed"
[ "$failures" -eq 0 ]
