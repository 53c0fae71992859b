// Aligned storage: fixed-size arrays for weights, growable buffers for per-batch activations.
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <new>
#include <span>

#include "dr/config.hpp"

namespace dr {

/// N values aligned to a full SIMD register, zero-initialised.
template <class T, std::size_t N>
struct alignas(alignment) AlignedArray {
  T values[N] = {};

  static constexpr std::size_t size() { return N; }
  T* data() { return values; }
  const T* data() const { return values; }
  T& operator[](std::size_t i) { return values[i]; }
  const T& operator[](std::size_t i) const { return values[i]; }
  std::span<T, N> span() { return std::span<T, N>(values); }
  std::span<const T, N> span() const { return std::span<const T, N>(values); }
  bool operator==(const AlignedArray&) const = default;
};

/// A run-time sized, aligned, zero-initialised buffer (activations and gradients of one batch).
template <class T>
class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  explicit AlignedBuffer(std::size_t n) { resize(n); }

  /// Grows to hold at least n values; contents become zero.
  void resize(std::size_t n) {
    if (n > capacity_) {
      data_.reset(static_cast<T*>(::operator new[](n * sizeof(T), std::align_val_t{alignment})));
      capacity_ = n;
    }
    size_ = n;
    std::fill_n(data_.get(), n, T{});
  }
  std::size_t size() const { return size_; }
  T* data() { return data_.get(); }
  const T* data() const { return data_.get(); }
  T& operator[](std::size_t i) { return data_[i]; }
  const T& operator[](std::size_t i) const { return data_[i]; }
  std::span<T> span() { return {data_.get(), size_}; }
  std::span<const T> span() const { return {data_.get(), size_}; }

 private:
  struct Free {
    void operator()(T* p) const { ::operator delete[](p, std::align_val_t{alignment}); }
  };
  std::unique_ptr<T[], Free> data_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

}  // namespace dr
