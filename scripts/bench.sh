#!/usr/bin/env bash
# Runs bench_forward, bench_train and bench_train_bound (median of 5 randomly interleaved
# repetitions each), writes results/bench/{forward,train,train_bound}.json, the ratio tables
# results/bench/table.md and the chart results/bench/forward.png. Every figure in the README's
# Performance section comes from here.
#   BUILD_DIR   build folder (default build/release)
#   BENCH_ARGS  extra Google Benchmark flags, e.g. --benchmark_filter=H:128
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build/release}"
out="$root/results/bench"
cd "$root"

scripts/setup-deps.sh
command -v python3 >/dev/null || { echo "bench.sh: python3 is needed to write the tables" >&2; exit 1; }
[ -f data/mnist/t10k-images-idx3-ubyte ] || scripts/fetch-mnist.sh
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j "$(nproc)" --target bench_forward bench_train bench_train_bound
mkdir -p "$out"

export OPENBLAS_NUM_THREADS=1  # the peers run on one thread like ours; T:2 cases use our pool
flags=(--benchmark_repetitions=5 --benchmark_enable_random_interleaving=true
       --benchmark_report_aggregates_only=true --benchmark_out_format=json)
for b in forward train train_bound; do
  echo "bench.sh: bench_$b (load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
  "$build/benchmarks/bench_$b" "${flags[@]}" --benchmark_out="$out/$b.json.tmp" ${BENCH_ARGS:-}
  mv "$out/$b.json.tmp" "$out/$b.json"
done
python3 benchmarks/bench_table.py "$out" > "$out/table.md.tmp" && mv "$out/table.md.tmp" "$out/table.md"
if command -v gnuplot >/dev/null; then
  gnuplot -e "data='$out/forward_chart.dat'; output='$out/forward.png.tmp'" benchmarks/bench_chart.gp
  mv "$out/forward.png.tmp" "$out/forward.png"
fi
cat "$out/table.md"
