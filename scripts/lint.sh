#!/usr/bin/env bash
# Static analysis of the library and the CLI (src/): banned functions,
# cppcheck and clang-tidy (.clang-tidy).  Prints each finding and ends with
# one line per tool and "lint: N finding(s)"; exits non-zero on any.
# Usage: scripts/lint.sh [--quick] [FILE...]
#   --quick   banned functions and cppcheck only (what `make test` runs)
#   FILE...   only these files (default: every .c and .cc under src/)
# Needs build/compile_commands.json (make build) for clang-tidy.
set -uo pipefail
cd "$(dirname "$0")/.."
quick=0
if [ "${1:-}" = "--quick" ]; then quick=1; shift; fi
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  mapfile -t files < <(find src -name '*.c' -o -name '*.cc' | sort)
fi
total=0

# 1. Functions the style guide bans (unbounded or unsafe): strcpy, strcat,
#    sprintf, vsprintf, gets, strtok, atoi, atol, atof; and in the library
#    malloc/calloc/realloc outside core/mem.c (allocation goes through mem_*
#    so tests can fail it).  free() is allowed: getline and utf8proc return
#    malloc'd memory.  The CLI (src/cli/) sees only the public API, not mem_*.
banned=$(grep -nE '(^|[^_a-zA-Z0-9])(strcpy|strcat|sprintf|vsprintf|gets|strtok|atoi|atol|atof)[[:space:]]*\(' \
  "${files[@]}" | grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/?\*|//)' || true)
raw=$(grep -nE '(^|[^_a-zA-Z0-9.>])(malloc|calloc|realloc)[[:space:]]*\(' "${files[@]}" \
  | grep -vE '^src/(core/mem\.c|cli/)' | grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/?\*|//)' || true)
n_banned=0
if [ -n "$banned$raw" ]; then
  printf '%s\n' "$banned" "$raw" | sed '/^$/d' | sed 's/$/  [banned function]/'
  n_banned=$(printf '%s\n' "$banned" "$raw" | sed '/^$/d' | wc -l)
fi
echo "banned functions: $n_banned"
total=$((total + n_banned))

# 2. cppcheck: the warning, portability and performance checks.  Reasoned
#    suppressions only, in scripts/cppcheck.supp.
if command -v cppcheck >/dev/null; then
  out=$(cppcheck --quiet --enable=warning,portability,performance --std=c11 --language=c \
    --inline-suppr --suppressions-list=scripts/cppcheck.supp \
    -D_GNU_SOURCE -DRASTRO_DATADIR='""' -DRASTRO_VERSION='""' -I include -I src \
    --template='{file}:{line}:{column}: {severity}: {message} [cppcheck-{id}]' \
    -j 2 $(printf '%s\n' "${files[@]}" | grep '\.c$') 2>&1)
  n=$(printf '%s\n' "$out" | grep -c '\[cppcheck-' || true)
  [ "$n" -eq 0 ] || printf '%s\n' "$out" | grep -A2 '\[cppcheck-'
  echo "cppcheck: $n"
  total=$((total + n))
else
  echo "cppcheck: not installed (scripts/deps.sh cppcheck)"; total=$((total + 1))
fi

# 3. clang-tidy with the checked-in .clang-tidy (slow: minutes on 2 cores).
if [ $quick -eq 0 ]; then
  if [ ! -f build/compile_commands.json ]; then
    echo "clang-tidy: build/compile_commands.json missing (run make build)"; total=$((total + 1))
  elif command -v clang-tidy >/dev/null; then
    log=$(mktemp)
    printf '%s\n' "${files[@]}" | xargs -P 2 -n 4 clang-tidy -p build --quiet \
      --extra-arg=-Wno-unknown-warning-option >"$log" 2>/dev/null
    n=$(grep -cE '^[^ ].*:[0-9]+:[0-9]+: (warning|error):' "$log" || true)
    [ "$n" -eq 0 ] || grep -A3 -E '^[^ ].*:[0-9]+:[0-9]+: (warning|error):' "$log"
    rm -f "$log"
    echo "clang-tidy: $n"
    total=$((total + n))
  else
    echo "clang-tidy: not installed (scripts/deps.sh clang-tidy)"; total=$((total + 1))
  fi
fi
echo "lint: $total finding(s)"
[ "$total" -eq 0 ]
