// What both benchmark binaries share: the MNIST images they run on, the FMA peak that "% of peak"
// divides by, and the set-up that keeps OpenBLAS on the thread count we measure.
#pragma once

#include <benchmark/benchmark.h>
#include <cblas.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#if defined(__linux__)
#include <pthread.h>
#include <sched.h>
#endif

#include "dr/config.hpp"
#include "dr/data/idx.hpp"
#include "dr/kernels/simd.hpp"
#include "dr/parallel.hpp"
#include "dr/random.hpp"

namespace bench {

using dr::real;

/// Real MNIST from data/mnist/ (scripts/fetch-mnist.sh); if absent, says so and makes images of
/// MNIST's sparsity (about 19% non-zero pixels in a central blob) with random labels.
inline dr::Dataset mnist(const std::string& stem, std::size_t synthetic_rows) {
  const std::filesystem::path dir = std::filesystem::path(DR_SOURCE_DIR) / "data" / "mnist";
  const auto images = dir / (stem + "-images-idx3-ubyte"),
             labels = dir / (stem + "-labels-idx1-ubyte");
  if (std::filesystem::exists(images) && std::filesystem::exists(labels))
    return dr::load_idx(images, labels);
  std::fprintf(stderr,
               "bench: %s not found (run scripts/fetch-mnist.sh); using %zu generated "
               "images of MNIST's sparsity instead\n",
               images.c_str(), synthetic_rows);
  dr::Rng rng(1);
  dr::Dataset d;
  d.source = "generated";
  d.pixels.resize(synthetic_rows * dr::image_pixels);
  d.labels.resize(synthetic_rows);
  for (std::size_t r = 0; r < synthetic_rows; ++r) {
    d.labels[r] = static_cast<std::uint8_t>(dr::uniform_index(rng, dr::class_count));
    for (std::size_t k = 0; k < dr::image_pixels; ++k) {
      const double dy = double(k / dr::image_side) - 13.5, dx = double(k % dr::image_side) - 13.5;
      const bool blob = dx * dx + dy * dy < 49 && dr::uniform01(rng) < 0.6;
      d.pixels[r * dr::image_pixels + k] = blob ? std::uint8_t(1 + dr::uniform_index(rng, 255)) : 0;
    }
  }
  return d;
}

/// y = act(y + b) over rows x cols (stride ld), act ReLU or none: the element-wise loops the
/// BLAS peers need around their GEMMs.
inline void bias_relu(std::size_t rows, std::size_t cols, const real* b, real* y, std::size_t ld,
                      bool relu) {
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t j = 0; j < cols; ++j) {
      const real v = y[r * ld + j] + b[j];
      y[r * ld + j] = relu && v < 0 ? real(0) : v;
    }
}

/// CPU time of the calling thread: on a shared machine, the time we were actually running.
inline double thread_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

/// Independent multiply-add chains in flight: latency 4 x 2 pipes = 8 needed; 16 fit the registers.
inline constexpr int fma_chains = 16;

/// `iterations` steps of fma_chains multiply-add chains of the vector width the kernels use (zmm
/// under AVX-512, ymm under AVX2): iterations * fma_chains * W * 2 float FLOPs.
inline void run_fma_chains(std::size_t iterations) {
  using dr::kernels::simd::vreal;
  vreal acc[fma_chains];
  for (int c = 0; c < fma_chains; ++c) acc[c] = dr::kernels::simd::broadcast(real(c));
  vreal m = dr::kernels::simd::broadcast(0.999999f), a = dr::kernels::simd::broadcast(1e-7f);
  benchmark::DoNotOptimize(m);
  benchmark::DoNotOptimize(a);
  for (std::size_t i = 0; i < iterations; ++i)
    for (int c = 0; c < fma_chains; ++c) acc[c] = acc[c] * m + a;
  for (int c = 0; c < fma_chains; ++c) benchmark::DoNotOptimize(acc[c]);
}

inline double fma_flop_count(std::size_t iterations) {
  return double(iterations) * fma_chains * double(dr::kernels::simd::W) * 2;
}

/// Float FLOP/s of one thread running the chains, by its CPU time.
inline double fma_flops(std::size_t iterations) {
  const double start = thread_seconds();
  run_fma_chains(iterations);
  return fma_flop_count(iterations) / (thread_seconds() - start);
}

/// The single-core FMA peak in GFLOP/s, the best of a few short runs (taken before the
/// benchmarks so that every "% of peak" counter divides by the same number).
inline double fma_peak_gflops() {
  static const double peak = [] {
    double best = 0;
    for (int i = 0; i < 5; ++i) best = std::max(best, fma_flops(4'000'000) / 1e9);
    return best;
  }();
  return peak;
}

/// Repetitions of the cases on two threads (names ending /T:n). They need the second core, which
/// other users of a shared machine take at times: with this many repetitions interleaved over
/// the whole run, their median is the time with the core as free as it usually is, not the
/// time of one busy spell.
inline constexpr int threaded_repetitions = 15;

/// Marks a threaded case: timed by the wall clock, repeated threaded_repetitions times, and
/// reported with the best of its repetitions as well (aggregate "min"): the time of the spell
/// when the second core was freest, which the median of a busy run can hide.
inline void threaded(benchmark::internal::Benchmark* b) {
  b->UseRealTime()->Repetitions(threaded_repetitions);
  b->ComputeStatistics("min", [](const std::vector<double>& v) {
    return v.empty() ? 0.0 : *std::min_element(v.begin(), v.end());
  });
}

/// The CPUs this process may run on, in order (empty off Linux, where nothing is held).
inline std::vector<int> usable_cpus() {
  std::vector<int> cpus;
#if defined(__linux__)
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0)
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
      if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
#endif
  return cpus;
}

/// Holds the calling thread to one CPU while it lives, then gives it back the CPUs it had:
/// to measure each core alone (the library itself pins nothing).
class HeldToCpu {
 public:
  explicit HeldToCpu(int cpu) {
#if defined(__linux__)
    pthread_getaffinity_np(pthread_self(), sizeof before_, &before_);
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    if (pthread_setaffinity_np(pthread_self(), sizeof one, &one) != 0)
      std::fprintf(stderr, "bench: could not hold the thread to CPU %d\n", cpu);
#else
    (void)cpu;
#endif
  }
  ~HeldToCpu() {
#if defined(__linux__)
    pthread_setaffinity_np(pthread_self(), sizeof before_, &before_);
#endif
  }
  HeldToCpu(const HeldToCpu&) = delete;
  HeldToCpu& operator=(const HeldToCpu&) = delete;

 private:
#if defined(__linux__)
  cpu_set_t before_{};
#endif
};

/// Nanoseconds for a cache line to go from one thread to another and back, the mean of `trips`
/// round trips timed as a whole (a clock reading per trip would add some 20 ns to each, a
/// third of a trip between cores on one L3 cache).
inline double round_trip_ns(int trips) {
  dr::WorkerPool pool(2);
  dr::Rally rally;
  double ns = 0;
  pool.run([&](std::size_t t) {
    if (t == 1) {
      for (int i = 0; i <= trips; ++i) rally.return_hit(i);
      return;
    }
    rally.hit(0);  // both threads running: the clock starts after this trip
    const auto start = std::chrono::steady_clock::now();
    for (int i = 1; i <= trips; ++i) rally.hit(i);
    const std::chrono::duration<double, std::nano> wall = std::chrono::steady_clock::now() - start;
    ns = wall.count() / trips;
  });
  return ns;
}

/// Nanoseconds per pass of a buffer of `bytes` among threads: each pass reads every value and
/// then writes every value, as a training phase reads the rows another phase wrote. On one
/// thread the buffer stays in its core's cache; on two the passes alternate between the
/// threads (each waits for the other's), so every pass first brings the buffer over from the
/// other core. The difference is what handing that much data to the other core costs.
inline double buffer_pass_ns(std::size_t bytes, int passes, int threads) {
  using dr::kernels::simd::vreal;
  std::vector<vreal> buffer(std::max<std::size_t>(1, bytes / sizeof(vreal)), vreal{} + 1);
  // The pass whose turn it is; -1 until every thread runs, so the clock starts after that.
  alignas(64) std::atomic<int> turn{threads == 1 ? 0 : -1};
  const auto await = [&](int value) { dr::spin::spin_until_equal(turn, value); };
  dr::WorkerPool pool(threads);
  double ns = 0;
  pool.run([&](std::size_t t) {
    const int first = static_cast<int>(t);
    if (first == 1) turn.store(0, std::memory_order_release);
    if (first == 0) await(0);
    const auto start = std::chrono::steady_clock::now();
    for (int i = first; i < passes; i += threads) {
      await(i);
      vreal sum[4] = {};
      for (std::size_t v = 0; v < buffer.size(); ++v) sum[v % 4] += buffer[v];
      const vreal next = (sum[0] + sum[1]) + (sum[2] + sum[3]);
      for (auto& v : buffer) v = next;
      turn.store(i + 1, std::memory_order_release);
    }
    if (first != 0) return;
    await(passes);
    ns =
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count() /
        passes;
  });
  benchmark::DoNotOptimize(buffer.data());
  return ns;
}

/// peak/fma as a benchmark of its own, so the JSON carries the peak measured in the same run;
/// peak/fma/T:2, the same chains on two threads at once by the wall clock: how much of the
/// second core this run had; and cores/round_trip/T:2, how far the other core was: the host
/// places this machine's two cores on one L3 cache at times and on two at others, and the
/// threaded cases, which pass rows between the cores every step, are slower in the second case.
inline void register_peak() {
  static constexpr std::size_t iterations = 5'000'000;
  benchmark::RegisterBenchmark("peak/fma", [](benchmark::State& state) {
    double flops = 0;
    for (auto _ : state) flops = fma_flops(iterations);
    state.counters["GFLOP/s"] = flops / 1e9;
  })->Unit(benchmark::kMillisecond);
  auto* two = benchmark::RegisterBenchmark("peak/fma/T:2", [](benchmark::State& state) {
    double flops = 0;
    for (auto _ : state) {
      const auto start = std::chrono::steady_clock::now();
      std::thread other(run_fma_chains, iterations);
      run_fma_chains(iterations);
      other.join();
      const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - start;
      flops = 2 * fma_flop_count(iterations) / wall.count();
    }
    state.counters["GFLOP/s"] = flops / 1e9;
  });
  two->Unit(benchmark::kMillisecond);
  threaded(two);
  auto* trip = benchmark::RegisterBenchmark("cores/round_trip/T:2", [](benchmark::State& state) {
    double ns = 0;
    for (auto _ : state) ns = round_trip_ns(20'000);
    state.counters["ns"] = ns;
  });
  trip->Unit(benchmark::kMillisecond);
  threaded(trip);
  // 16 KiB: what each thread of a training step at H=128, batch 64, reads of the other's rows
  // in phase 2 (see include/dr/train_step.hpp), and again in phase 3.
  for (int threads : {1, 2}) {
    auto* pass = benchmark::RegisterBenchmark(
        ("cores/buffer_pass/KiB:16/T:" + std::to_string(threads)).c_str(),
        [threads](benchmark::State& state) {
          double ns = 0;
          for (auto _ : state) ns = buffer_pass_ns(16 * 1024, 20'000, threads);
          state.counters["ns"] = ns;
        });
    pass->Unit(benchmark::kMillisecond);
    threaded(pass);
  }
}

/// Runs the registered benchmarks with OpenBLAS held to one thread (our threaded cases use
/// their own pool) and the context the README table quotes.
inline int run(int argc, char** argv) {
  openblas_set_num_threads(1);
  benchmark::AddCustomContext("openblas_core", openblas_get_corename());
  benchmark::AddCustomContext("simd_bytes", std::to_string(dr::simd_bytes));
  benchmark::AddCustomContext("fma_peak_gflops_at_start", std::to_string(fma_peak_gflops()));
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace bench
