// A small fork-join pool of std::jthread workers: run(f) calls f(0), ..., f(size() - 1) at once,
// task t on thread t (the caller runs task 0), and returns when all are done. Tasks are fixed to
// threads and their number to the pool size, so any split a caller makes is the same every run.
// Nothing is pinned: the OS places the threads.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <thread>
#include <utility>
#include <vector>

#include "dr/range.hpp"

namespace dr {

/// All the cores the OS reports (at least 1): the default of the command-line --threads.
inline std::size_t hardware_threads() {
  return std::max<std::size_t>(1, std::thread::hardware_concurrency());
}

class WorkerPool {
 public:
  /// A pool of `threads` threads in all, the caller included (0 counts as 1).
  explicit WorkerPool(std::size_t threads = 1) : errors_(std::max<std::size_t>(1, threads)) {
    for (std::size_t t = 1; t < errors_.size(); ++t)
      workers_.emplace_back([this, t](std::stop_token stop) { work(t, stop); });
  }
  ~WorkerPool() {
    for (auto& w : workers_) w.request_stop();
    generation_.fetch_add(1);  // wakes the workers, which then see the stop request
    generation_.notify_all();
  }
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  std::size_t size() const { return errors_.size(); }

  /// Runs task(t) for every t < size() and waits for all; rethrows the exception of the lowest t
  /// that threw. Not re-entrant: one run at a time per pool.
  void run(const std::function<void(std::size_t)>& task) {
    if (workers_.empty()) return task(0);
    task_ = &task;
    pending_.store(workers_.size());
    generation_.fetch_add(1, std::memory_order_release);
    generation_.notify_all();
    execute(0);
    // Spin before sleeping, as the workers do: the others usually finish within microseconds,
    // and a futex sleep and wake-up costs tens of them on a virtual machine.
    for (int spin = 0; spin < spin_limit && pending_.load(std::memory_order_acquire) != 0; ++spin)
      relax(spin);
    for (std::size_t left; (left = pending_.load(std::memory_order_acquire)) != 0;)
      pending_.wait(left);
    std::exception_ptr first;
    for (auto& e : errors_)
      if (auto error = std::exchange(e, nullptr); error && !first) first = error;
    if (first) std::rethrow_exception(first);
  }

 private:
  static constexpr int spin_limit = 4000;   ///< spins before a futex wait (a few hundred µs)
  static constexpr int pause_limit = 2000;  ///< of which the first are pauses, not yields

  /// One turn of a spin-wait: the first (some tens of µs) a pause instruction, which sees the
  /// other thread's write within a few dozen ns (a sched_yield costs about a µs, each of three
  /// phases per training step); then yields, in case the thread we wait for needs this core.
  static void relax(int spin) {
#if defined(__x86_64__) || defined(__i386__)
    if (spin < pause_limit) return __builtin_ia32_pause();
#endif
    std::this_thread::yield();
  }

  void execute(std::size_t t) {
    try {
      (*task_)(t);
    } catch (...) {
      errors_[t] = std::current_exception();
    }
  }

  void work(std::size_t t, const std::stop_token& stop) {
    std::uint64_t seen = 0;
    for (;;) {
      // A short spin first: training steps come every few hundred microseconds, and a futex
      // sleep and wake-up would cost a noticeable part of that.
      std::uint64_t now = generation_.load(std::memory_order_acquire);
      for (int spin = 0; now == seen && spin < spin_limit; ++spin) {
        relax(spin);
        now = generation_.load(std::memory_order_acquire);
      }
      if (now == seen) {
        generation_.wait(seen, std::memory_order_acquire);
        continue;
      }
      seen = now;
      if (stop.stop_requested()) return;
      execute(t);
      if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) pending_.notify_one();
    }
  }

  std::vector<std::exception_ptr> errors_;  // one slot per task
  const std::function<void(std::size_t)>* task_ = nullptr;
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<std::size_t> pending_{0};
  std::vector<std::jthread> workers_;  // last: joined before the members above go
};

}  // namespace dr
