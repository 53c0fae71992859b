#!/usr/bin/env bash
# Builds the libFuzzer harnesses (tests/fuzz) with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer, and runs each in turn.
#   scripts/fuzz.sh [SECONDS]     run each harness SECONDS (default 60)
#   FUZZ_RUNS=10000000 scripts/fuzz.sh    run each for that many executions instead
#   FUZZ_TARGETS="idx model_file" scripts/fuzz.sh   only these harnesses
# Prints each harness's executions and any crash; exits 1 if one crashed. A crash input is left
# in build/fuzz/crashes/<target>/: fix the bug, then copy the input to
# tests/fuzz/regressions/<target>/ so that the normal test run replays it forever.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build/fuzz}"
seconds="${1:-60}"
targets=(${FUZZ_TARGETS:-kaggle_csv idx model_file submission})

"$root/scripts/setup-deps.sh"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=clang++ \
  -DDR_BUILD_FUZZERS=ON -DDR_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build "$build" -j "${JOBS:-$(nproc)}" --target "${targets[@]/#/fuzz_}"

if [ -n "${FUZZ_RUNS:-}" ]; then limit=(-runs="$FUZZ_RUNS"); else limit=(-max_total_time="$seconds"); fi
failed=0
for target in "${targets[@]}"; do
  # The fuzzer adds what it finds to a working copy of the seeds, never to the committed corpus.
  work="$build/corpus/$target" crashes="$build/crashes/$target"
  mkdir -p "$work" "$crashes"
  log="$build/fuzz_$target.log"
  status=0
  # -malloc_limit_mb: no input may make a loader allocate what a header merely claims.
  "$build/tests/fuzz/fuzz_$target" "${limit[@]}" -malloc_limit_mb=512 -rss_limit_mb=2048 \
    -timeout=10 -print_final_stats=1 -artifact_prefix="$crashes/" \
    "$work" "$root/tests/fuzz/corpus/$target" >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  time=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | tail -1 | grep -o 'in [0-9]*' | cut -c4- || true)
  if [ "$status" -eq 0 ]; then
    echo "fuzz $target: ${runs:-?} executions in ${time:-?} s, no crash"
  else
    failed=1
    echo "fuzz $target: CRASH after ${runs:-?} executions (exit $status); log $log"
    grep -m3 -E 'ERROR:|fuzz finding|SUMMARY' "$log" | sed 's/^/  /' || true
    ls "$crashes" | sed "s|^|  input $crashes/|"
  fi
done
exit "$failed"
