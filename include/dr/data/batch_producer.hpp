// Batches prepared on other threads while the network trains on the previous ones.
//
// Producer threads fill a small ring of batch slots by calling fill(index, slot, worker), worker
// w of n taking batches w, w + n, ...; the training loop takes them in order (batch 0, 1, 2,
// ...). What a batch holds depends only on its index, never on timing or on n, so the threaded
// and the inline producer give identical batches and training stays reproducible by seed.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "dr/array.hpp"
#include "dr/config.hpp"
#include "dr/data/split_rows.hpp"

namespace dr {

/// One batch of float rows and their labels; the rows in `x`, or in `split` if the filler
/// stores them so (a trainer of two threads or more reads SplitRows faster).
struct BatchSlot {
  AlignedBuffer<real> x;
  SplitRowsBuffer split;
  std::vector<std::uint8_t> labels;
  std::size_t rows = 0;
};

class BatchProducer {
 public:
  /// Fills batch `index` into slot; `worker` (below the number of workers, 0 inline) lets the
  /// function keep scratch state per thread.
  using Fill = std::function<void(std::size_t index, BatchSlot& slot, std::size_t worker)>;

  /// Produces `count` batches with `fill`: on `workers` threads of their own, worker w filling
  /// batches w, w + workers, w + 2 workers, ..., or inline in next() if workers is 0. Slots are
  /// sized for `capacity_rows` rows of `width` values; there are `slots` of them (at least two
  /// per worker and two besides; two inline).
  BatchProducer(std::size_t count, std::size_t capacity_rows, std::size_t width, Fill fill,
                std::size_t workers, std::size_t slots = 4)
      : count_(count), fill_(std::move(fill)) {
    start(capacity_rows, width, workers, slots, own_slots_);
  }
  /// The same in the caller's `slots`, which it adds to and enlarges as needed and which must
  /// outlive it: producers made one after another (dr::fit makes one an epoch) so allocate
  /// their buffers, and the system maps their pages, once. (dr::fit's epochs of 784-128-10,
  /// 40-80 ms on the virtual machine of benchmarks/README.md, spent 0.2-2.2 ms making a
  /// producer before their first step.)
  BatchProducer(std::size_t count, std::size_t capacity_rows, std::size_t width, Fill fill,
                std::size_t workers, std::vector<BatchSlot>& slots, std::size_t min_slots = 4)
      : count_(count), fill_(std::move(fill)) {
    start(capacity_rows, width, workers, min_slots, slots);
  }
  BatchProducer(const BatchProducer&) = delete;
  BatchProducer& operator=(const BatchProducer&) = delete;

  ~BatchProducer() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    changed_.notify_all();
    for (auto& t : threads_) t.join();
  }

  /// The next batch, valid until the second call after this one (a Trainer trains on it while
  /// it takes the next: Trainer::train_batches); rethrows what fill threw for it.
  BatchSlot& next() {
    if (threads_.empty()) {
      BatchSlot& slot = slots_[taken_ % kept];
      fill_(taken_, slot, 0);
      ++taken_;
      return slot;
    }
    std::unique_lock lock(mutex_);
    // The caller is done with the batch before the previous one.
    if (taken_ >= kept) released_ = taken_ + 1 - kept;
    changed_.notify_all();
    BatchSlot& slot = slots_[taken_ % slots_.size()];
    const std::size_t& ready = ready_[taken_ % slots_.size()];
    changed_.wait(lock, [&] { return ready == taken_ || failed_at_ <= taken_; });
    if (ready != taken_) std::rethrow_exception(error_);
    ++taken_;
    return slot;
  }

 private:
  static constexpr std::size_t none = ~std::size_t{0};
  static constexpr std::size_t kept = 2;  ///< batches the caller holds at once

  void start(std::size_t capacity_rows, std::size_t width, std::size_t workers,
             std::size_t min_slots, std::vector<BatchSlot>& slots) {
    const std::size_t needed = workers == 0 ? kept : std::max(min_slots, 2 * workers + kept);
    if (slots.size() < needed) slots.resize(needed);
    for (auto& s : slots) {
      if (s.x.size() < capacity_rows * width) s.x.resize(capacity_rows * width);
      if (s.labels.size() < capacity_rows) s.labels.resize(capacity_rows);
    }
    slots_ = slots;
    ready_.assign(slots_.size(), none);
    for (std::size_t w = 0; w < workers; ++w)
      threads_.emplace_back([this, w, workers] { produce(w, workers); });
  }

  void produce(std::size_t first, std::size_t step) {
    for (std::size_t i = first; i < count_; i += step) {
      const std::size_t s = i % slots_.size();
      {
        // Slot s is free once the consumer has released batch i - slots.
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return stop_ || i < released_ + slots_.size(); });
        if (stop_) return;
      }
      try {
        fill_(i, slots_[s], first);
      } catch (...) {
        std::lock_guard lock(mutex_);
        if (i < failed_at_) {  // the consumer meets the first failed batch first
          failed_at_ = i;
          error_ = std::current_exception();
        }
        changed_.notify_all();
        return;
      }
      {
        std::lock_guard lock(mutex_);
        ready_[s] = i;
      }
      changed_.notify_all();
    }
  }

  std::size_t count_;
  Fill fill_;
  std::vector<BatchSlot> own_slots_;  ///< unless the caller keeps them
  std::span<BatchSlot> slots_;        ///< the ring, own or the caller's
  std::vector<std::size_t> ready_;    ///< per slot, the batch it holds (none before the first)
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t taken_ = 0, released_ = 0, failed_at_ = none;
  bool stop_ = false;
  std::exception_ptr error_;
};

}  // namespace dr
