// A small fork-join pool of std::jthread workers: run(f) calls f(0), ..., f(size() - 1) at once,
// task t on thread t (the caller runs task 0), and returns when all are done. Tasks are fixed to
// threads and their number to the pool size, so any split a caller makes is the same every run.
// Nothing is pinned: the OS places the threads.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <limits>
#include <thread>
#include <utility>
#include <vector>

#include "dr/range.hpp"

namespace dr {

namespace spin {
inline constexpr int spin_limit = 4000;   ///< spins before a futex wait (a few hundred µs)
inline constexpr int pause_limit = 2000;  ///< of which the first are pauses, not yields

/// One turn of a spin-wait: the first (some tens of µs) a pause instruction, which sees the
/// other thread's write within a few dozen ns (a sched_yield costs about a µs, and a training
/// step waits several times); then yields, in case the thread we wait for needs this core.
inline void relax(int spin) {
#if defined(__x86_64__) || defined(__i386__)
  if (spin < pause_limit) return __builtin_ia32_pause();
#endif
  std::this_thread::yield();
}

/// Spins until a holds `value`, never sleeping: for waits that take a trip between cores and
/// whose length is the thing measured (Rally, bench_support.hpp's buffer_pass_ns).
template <class T>
void spin_until_equal(const std::atomic<T>& a, T value) {
  for (int spin = 0; a.load(std::memory_order_acquire) != value; ++spin)
    relax(std::min(spin, pause_limit));
}

/// Waits until done(value of a) holds and returns that value: spins first, since the other
/// thread's write usually comes within microseconds (a training step waits every few tens of
/// them), then sleeps on a, since a futex sleep and wake-up costs tens of µs on a virtual machine.
template <class T, class Done>
T wait_until(const std::atomic<T>& a, Done done) {
  T value = a.load(std::memory_order_acquire);
  for (int spin = 0; !done(value) && spin < spin_limit; ++spin) {
    relax(spin);
    value = a.load(std::memory_order_acquire);
  }
  while (!done(value)) {
    a.wait(value, std::memory_order_acquire);
    value = a.load(std::memory_order_acquire);
  }
  return value;
}
}  // namespace spin

/// All the cores the OS reports (at least 1): the default of the command-line --threads.
inline std::size_t hardware_threads() {
  return std::max<std::size_t>(1, std::thread::hardware_concurrency());
}

/// A barrier among the tasks of one WorkerPool::run: each of `threads` tasks, task t on its own
/// thread, calls arrive_and_wait(t) the same number of times, and none returns from its n-th
/// call before all have made theirs. Each thread writes only a cache line of its own, the count
/// of barriers it has reached, and reads the others': once the last thread arrives, the others
/// see it after one trip of that line between cores, where a shared counter (std::barrier) takes
/// a trip per arrival and a WorkerPool::run several (its task, then the count of those done).
class TaskBarrier {
 public:
  explicit TaskBarrier(std::size_t threads) : reached_(std::max<std::size_t>(1, threads)) {}

  void arrive_and_wait(std::size_t t) {
    auto& mine = reached_[t].count;
    const std::uint32_t n = mine.load(std::memory_order_relaxed) + 1;
    mine.store(n, std::memory_order_release);
    mine.notify_all();  // a load of the waiter count, no system call, when no one sleeps
    for (std::size_t u = 0; u < reached_.size(); ++u)
      if (u != t)
        spin::wait_until(reached_[u].count, [n](std::uint32_t seen) { return !before(seen, n); });
  }

 private:
  /// Whether count a comes before b (counts wrap around; a thread is at most one barrier ahead).
  static bool before(std::uint32_t a, std::uint32_t b) {
    return static_cast<std::int32_t>(a - b) < 0;
  }
  struct alignas(64) Reached {  // a cache line each: a thread's arrival moves only its own
    std::atomic<std::uint32_t> count{0};
  };
  std::vector<Reached> reached_;
};

/// A cache line two threads pass back and forth, to time how long a write of one core takes to
/// reach another and come back: one thread calls hit(0), hit(1), ..., the other return_hit(0),
/// return_hit(1), ... A waiting thread spins, yielding after a while in case the other needs
/// its core.
class Rally {
 public:
  /// Sends the ball for the n-th time (n = 0, 1, ...) and waits until it comes back.
  void hit(int n) {
    ball_.store(2 * n + 1, std::memory_order_release);
    await(2 * n + 2);
  }
  /// Waits for the n-th hit and sends the ball back.
  void return_hit(int n) {
    await(2 * n + 1);
    ball_.store(2 * n + 2, std::memory_order_release);
  }

 private:
  void await(int value) const { spin::spin_until_equal(ball_, value); }
  alignas(64) std::atomic<int> ball_{0};  // odd: on its way out; even: back
};

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
    spin::wait_until(pending_, [](std::size_t left) { return left == 0; });
    std::exception_ptr first;
    for (auto& e : errors_)
      if (auto error = std::exchange(e, nullptr); error && !first) first = error;
    if (first) std::rethrow_exception(first);
  }

  /// How far apart the cores are: the shortest of `trips` round trips of a cache line between
  /// thread 0 and the thread furthest from it, in ns (0 on one thread). The host may move a
  /// virtual machine's cores from one L3 cache to two and back while a program runs: on the
  /// Zen 5 used here, 55-80 ns on one L3 and 420-510 ns on two (bench_train's cores/round_trip).
  double round_trip_ns(int trips) {
    double furthest = 0;
    run([&](std::size_t t) {
      const double ns = round_trip_in_task(t, trips);
      if (t == 0) furthest = ns;
    });
    return furthest;
  }

  /// round_trip_ns from inside a task of run(): every thread t calls it at once, thread 0 gets
  /// the result (the others 0). Thread 0 rallies with each other thread in turn; they wait.
  double round_trip_in_task(std::size_t t, int trips) {
    if (t != 0) {
      int& n = rally_hits_[t];
      for (int i = 0; i < trips; ++i) rallies_[t].return_hit(n++);
      return 0;
    }
    double furthest = 0;
    for (std::size_t other = 1; other < size(); ++other) {
      double shortest = std::numeric_limits<double>::infinity();
      for (int i = 0; i < trips; ++i) {
        const auto start = std::chrono::steady_clock::now();
        rallies_[other].hit(rally_hits_by_0_[other]++);
        const std::chrono::duration<double, std::nano> trip =
            std::chrono::steady_clock::now() - start;
        shortest = std::min(shortest, trip.count());
      }
      furthest = std::max(furthest, shortest);
    }
    return furthest;
  }

  /// Runs phases(t)... on every thread t as run() runs one task, each thread waiting after each
  /// phase until all have done it: so a phase sees everything the threads wrote in the ones
  /// before. If a phase throws on any thread, no thread starts the next one, and the exception
  /// of the lowest thread that threw is rethrown. One run and a TaskBarrier per boundary cost
  /// fewer trips of cache lines between cores than a run per phase (training on two cores: 2-4%
  /// faster in two of three rounds measured, the same in the third; see benchmarks/README.md).
  template <class... Phase>
  void run_phases(const Phase&... phase) {
    failed_phase_.store(no_phase, std::memory_order_relaxed);
    run([&](std::size_t t) {
      std::exception_ptr error;
      std::size_t p = 0;
      const auto run_one = [&](const auto& f) {
        // A phase that threw stops the phases after it; the others finish that one.
        if (failed_phase_.load(std::memory_order_relaxed) >= p) try {
            f(t);
          } catch (...) {
            error = std::current_exception();
            failed_phase_.store(p, std::memory_order_relaxed);  // seen by all after the barrier
          }
        if (++p < sizeof...(Phase)) barrier_.arrive_and_wait(t);
      };
      (run_one(phase), ...);
      if (error) std::rethrow_exception(error);
    });
  }

 private:
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
      seen = spin::wait_until(generation_, [seen](std::uint64_t now) { return now != seen; });
      if (stop.stop_requested()) return;
      execute(t);
      if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) pending_.notify_one();
    }
  }

  std::vector<std::exception_ptr> errors_;  // one slot per task
  // Thread t > 0 rallies with thread 0 on rallies_[t]; both count its hits, each in a slot only
  // it writes (rally_hits_[t] for thread t, rally_hits_by_0_[t] for thread 0).
  std::vector<Rally> rallies_ = std::vector<Rally>(errors_.size());
  std::vector<int> rally_hits_ = std::vector<int>(errors_.size()),
                   rally_hits_by_0_ = std::vector<int>(errors_.size());
  TaskBarrier barrier_{errors_.size()};
  static constexpr std::size_t no_phase = ~std::size_t{0};
  std::atomic<std::size_t> failed_phase_{no_phase};  ///< the phase of run_phases that threw
  const std::function<void(std::size_t)>* task_ = nullptr;
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<std::size_t> pending_{0};
  std::vector<std::jthread> workers_;  // last: joined before the members above go
};

}  // namespace dr
