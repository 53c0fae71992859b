#!/usr/bin/env bash
# Builds everything in Release and runs the whole test suite. Exits non-zero on any failure.
#   scripts/test.sh            build in build/test
#   BUILD_DIR=... scripts/test.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build/test}"
jobs="${JOBS:-$(nproc)}"

"$root/scripts/setup-deps.sh"
# The integration tests train on real MNIST; fetch it once (idempotent, checked by sha256).
"$root/scripts/fetch-mnist.sh"

start=$(date +%s)
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j "$jobs"
echo "test.sh: build took $(( $(date +%s) - start )) s"
cd "$build"
ctest --output-on-failure -j "$jobs"
