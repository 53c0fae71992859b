// Rows stored as two column blocks: inputs [0, cut) of every row, then inputs [cut, width) of
// every row. The Trainer on two threads or more gives each thread one of the first layer's two
// parts of inputs; from such a batch each thread streams one contiguous block, where from
// row-major rows it would read a part of every row, which the hardware prefetchers stream
// badly (they run on into the other part), or take half of its rows from the other core's
// cache. bench_train, 784-128-10, two threads, batch from memory, cores far apart: 38.9 and
// 39.8 ms per epoch against 44.1 and 43.3 (benchmarks/README.md: Batches in two column blocks).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>

#include "dr/array.hpp"
#include "dr/config.hpp"
#include "dr/error.hpp"
#include "dr/range.hpp"

namespace dr {

/// A view of rows in two column blocks: block(c)[r * stride + k] is input k of row r, for k in
/// block c's inputs ([0, cut) or [cut, width)). Each block's base is offset by its first input,
/// so one index formula serves both blocks and the kernels address either like row-major rows.
/// Row-major rows x, `stride` apart, are SplitRows too, with both bases x (of_rows).
struct SplitRows {
  std::array<const real*, 2> base;
  std::size_t stride, cut;

  /// Row-major rows x, `stride` apart, as a view: both blocks at x (the cut then means nothing).
  static SplitRows of_rows(const real* x, std::size_t stride) { return {{x, x}, stride, 0}; }

  const real* block(std::size_t c) const { return base[c]; }
  /// The same view from row r on.
  SplitRows from_row(std::size_t r) const {
    return {{base[0] + r * stride, base[1] + r * stride}, stride, cut};
  }
};

/// Owns rows in the layout of SplitRows, written one row at a time.
class SplitRowsBuffer {
 public:
  /// Room for `capacity` rows of `width` inputs cut at `cut` (0 < cut < width).
  void reset(std::size_t capacity, std::size_t width, std::size_t cut) {
    if (capacity == 0 || cut == 0 || cut >= width)
      throw Error("split rows need a cut inside the row and room for a row");
    // Rows of either block start on a vector boundary; the larger part sets the stride.
    constexpr std::size_t align = 64 / sizeof(real);
    stride_ = (std::max(cut, width - cut) + align - 1) / align * align;
    capacity_ = capacity;
    width_ = width;
    cut_ = cut;
    data_.resize(2 * capacity * stride_);
  }

  /// Writes row r: input k is value(k) for k < width.
  template <class Value>
  void set_row(std::size_t r, Value&& value) {
    set_inputs(r, {0, width_}, value);
  }

  /// Writes the inputs k in `inputs` of row r as value(k).
  template <class Value>
  void set_inputs(std::size_t r, Range inputs, Value&& value) {
    real* first = data_.data() + r * stride_;
    real* second = data_.data() + (capacity_ + r) * stride_ - cut_;  // indexed by k, as view()
    const std::size_t cut = std::clamp(cut_, inputs.begin, inputs.end);
    for (std::size_t k = inputs.begin; k < cut; ++k) first[k] = value(k);
    for (std::size_t k = cut; k < inputs.end; ++k) second[k] = value(k);
  }

  /// Copies `rows` row-major rows of x (row stride width).
  void assign(std::size_t rows, const real* x) {
    for (std::size_t r = 0; r < rows; ++r)
      set_row(r, [row = x + r * width_](std::size_t k) { return row[k]; });
  }

  /// The second block's base lies `cut` inputs before its first row, within the first block
  /// (capacity * stride >= cut), so the pointer stays inside the buffer.
  SplitRows view() const {
    return {{data_.data(), data_.data() + capacity_ * stride_ - cut_}, stride_, cut_};
  }
  std::size_t capacity() const { return capacity_; }

 private:
  AlignedBuffer<real> data_;
  std::size_t stride_ = 0, capacity_ = 0, width_ = 0, cut_ = 0;
};

}  // namespace dr
