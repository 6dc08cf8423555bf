#!/usr/bin/env bash
# Installs the Debian packages rastro needs to build, test and run its demo,
# but only those that are missing: a machine that has them all is left alone.
# Usage: scripts/deps.sh [extra-package...]
set -euo pipefail

packages=(
  build-essential pkg-config meson ninja-build clang libclang-rt-14-dev
  libsqlite3-dev sqlite3 zlib1g-dev libzstd-dev libjansson-dev libsimdjson-dev libxxhash-dev
  libutf8proc-dev libvectorscan-dev libigraph-dev libsodium-dev libgraphviz-dev
  libphonenumber-dev libmicrohttpd-dev libcmocka-dev libxml2-utils zstd
  cppcheck clang-tidy valgrind
  "$@"
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing missing packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
