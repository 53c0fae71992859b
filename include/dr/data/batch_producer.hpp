// Batches prepared on another thread while the network trains on the previous ones.
//
// A producer thread fills a small ring of batch slots in order (batch 0, 1, 2, ...) by calling
// fill(index, slot); the training loop takes them in the same order. What a batch holds depends
// only on its index, never on timing, so the threaded and the inline producer give identical
// batches and training stays reproducible by seed.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "dr/array.hpp"
#include "dr/config.hpp"

namespace dr {

/// One batch of float rows and their labels.
struct BatchSlot {
  AlignedBuffer<real> x;
  std::vector<std::uint8_t> labels;
  std::size_t rows = 0;
};

class BatchProducer {
 public:
  using Fill = std::function<void(std::size_t index, BatchSlot& slot)>;

  /// Produces `count` batches with `fill`; on a thread of its own if `threaded`, else inline in
  /// next(). Slots are sized for `capacity_rows` rows of `width` values.
  BatchProducer(std::size_t count, std::size_t capacity_rows, std::size_t width, Fill fill,
                bool threaded, std::size_t slots = 4)
      : count_(count), fill_(std::move(fill)), slots_(threaded ? slots : 1) {
    for (auto& s : slots_) {
      s.x.resize(capacity_rows * width);
      s.labels.resize(capacity_rows);
    }
    if (threaded) thread_ = std::thread([this] { produce(); });
  }
  BatchProducer(const BatchProducer&) = delete;
  BatchProducer& operator=(const BatchProducer&) = delete;

  ~BatchProducer() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    changed_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  /// The next batch, valid until the following call; rethrows what fill threw on the thread.
  BatchSlot& next() {
    if (!thread_.joinable()) {
      fill_(taken_, slots_[0]);
      ++taken_;
      return slots_[0];
    }
    std::unique_lock lock(mutex_);
    if (taken_ > 0) ++released_;  // the caller is done with the previous batch
    changed_.notify_all();
    changed_.wait(lock, [&] { return produced_ > taken_ || error_; });
    if (error_ && produced_ == taken_) std::rethrow_exception(error_);
    return slots_[taken_++ % slots_.size()];
  }

 private:
  void produce() {
    for (std::size_t i = 0; i < count_; ++i) {
      {
        // Slot i % n is free once the consumer has released batch i - n.
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return stop_ || i < released_ + slots_.size(); });
        if (stop_) return;
      }
      try {
        fill_(i, slots_[i % slots_.size()]);
      } catch (...) {
        std::lock_guard lock(mutex_);
        error_ = std::current_exception();
        changed_.notify_all();
        return;
      }
      {
        std::lock_guard lock(mutex_);
        ++produced_;
      }
      changed_.notify_all();
    }
  }

  std::size_t count_;
  Fill fill_;
  std::vector<BatchSlot> slots_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t produced_ = 0, taken_ = 0, released_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
};

}  // namespace dr
