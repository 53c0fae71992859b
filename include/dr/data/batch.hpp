// Turning uint8 images into the float rows a network reads, one batch at a time.
#pragma once

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <span>
#include <vector>

#include "dr/config.hpp"
#include "dr/data/dataset.hpp"
#include "dr/data/split_rows.hpp"
#include "dr/noise.hpp"
#include "dr/random.hpp"
#include "dr/range.hpp"

namespace dr {

inline constexpr real pixel_scale = real(1) / 255;

/// The labels of the rows `rows` of labelled `data` into labels.
inline void gather_labels(const Dataset& data, std::span<const std::uint32_t> rows,
                          std::uint8_t* labels) {
  for (std::size_t r = 0; r < rows.size(); ++r) labels[r] = data.labels[rows[r]];
}

namespace detail {
/// Rows fetched ahead of the one being converted. A batch's rows lie anywhere in the data set
/// (shuffled), so the hardware prefetchers cannot guess the next one and each row would wait
/// for memory: 37,800 shuffled MNIST rows in batches of 64 took 11.2-11.3 ms per epoch to gather
/// without, 3.9-4.1 with 8 rows ahead (4: 4.2-4.3, 16: 4.0-4.1), about 2.1 with every batch in
/// cache; 60,000 rows 19.7-20.2 and 7.3-8.2 (benchmarks/README.md: Batches gathered by the
/// training threads).
inline constexpr std::size_t rows_ahead = 8;

/// Asks for the cache lines of the pixels `inputs` of an image.
inline void prefetch_pixels(const std::uint8_t* image, Range inputs) {
  constexpr std::size_t line = 64;
  for (std::size_t k = inputs.begin / line * line; k < inputs.end; k += line)
    __builtin_prefetch(image + k);
}

/// For each of the rows `rows` of `data`, batch row r: write_row(r, pixel) with pixel(k) its
/// input k as a float in [0, 1] (the writer asks only for k in `inputs`), plus the noise that
/// noise(r, inputs) gives (NoNoise: none), and its label (if labelled) into labels[r] unless
/// labels is null.
template <class WriteRow, class Noise>
void gather_rows(const Dataset& data, std::span<const std::uint32_t> rows, Range inputs,
                 std::uint8_t* labels, WriteRow&& write_row, Noise&& noise) {
  const auto image = [&](std::size_t r) { return data.pixels.data() + rows[r] * image_pixels; };
  for (std::size_t r = 0; r < std::min(rows_ahead, rows.size()); ++r)
    prefetch_pixels(image(r), inputs);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    if (r + rows_ahead < rows.size()) prefetch_pixels(image(r + rows_ahead), inputs);
    const std::uint8_t* pixels = image(r);
    if (const real* z = noise(r, inputs))
      write_row(r, [=](std::size_t k) { return noised(pixels[k] * pixel_scale, z[k]); });
    else
      write_row(r, [pixels](std::size_t k) { return pixels[k] * pixel_scale; });
  }
  if (labels && data.labelled()) gather_labels(data, rows, labels);
}
}  // namespace detail

/// The noise of no row (gather_inputs).
struct NoNoise {
  const real* operator()(std::size_t, Range) const { return nullptr; }
};

/// Only the inputs `inputs` of the rows `rows` of `data`, as floats in [0, 1], into x (row
/// stride image_pixels): the part of a batch one of the Trainer's threads reads
/// (TrainingBatch::fill). Labels as gather_batch.
template <class Noise = NoNoise>
void gather_inputs(const Dataset& data, std::span<const std::uint32_t> rows, Range inputs, real* x,
                   std::uint8_t* labels = nullptr, Noise&& noise = {}) {
  detail::gather_rows(
      data, rows, inputs, labels,
      [&](std::size_t r, auto pixel) {
        for (std::size_t k = inputs.begin; k < inputs.end; ++k) x[r * image_pixels + k] = pixel(k);
      },
      noise);
}

/// The same into rows first, first + 1, ... of SplitRows.
template <class Noise = NoNoise>
void gather_inputs(const Dataset& data, std::span<const std::uint32_t> rows, Range inputs,
                   SplitRowsBuffer& x, std::size_t first, std::uint8_t* labels = nullptr,
                   Noise&& noise = {}) {
  detail::gather_rows(
      data, rows, inputs, labels,
      [&](std::size_t r, auto pixel) { x.set_inputs(first + r, inputs, pixel); }, noise);
}

/// Copies the rows `rows` of `data` as floats in [0, 1] into x (row stride image_pixels) and
/// their labels (if labelled) into labels.
inline void gather_batch(const Dataset& data, std::span<const std::uint32_t> rows, real* x,
                         std::uint8_t* labels = nullptr) {
  gather_inputs(data, rows, {0, image_pixels}, x, labels);
}

/// The same into rows stored as SplitRows.
inline void gather_batch(const Dataset& data, std::span<const std::uint32_t> rows,
                         SplitRowsBuffer& x, std::uint8_t* labels = nullptr) {
  gather_inputs(data, rows, {0, image_pixels}, x, 0, labels);
}

/// 0, 1, ..., n - 1.
inline std::vector<std::uint32_t> all_rows(std::size_t n) {
  std::vector<std::uint32_t> v(n);
  std::iota(v.begin(), v.end(), 0u);
  return v;
}

/// A seeded split: shuffles the rows, then holds out the last `fraction` of them.
struct Split {
  std::vector<std::uint32_t> train, validation;
};
inline Split split_rows(std::size_t n, double fraction, std::uint64_t seed) {
  auto rows = all_rows(n);
  Rng rng(seed);
  shuffle(rows.begin(), rows.end(), rng);
  const auto held = static_cast<std::size_t>(fraction * static_cast<double>(n) + 0.5);
  Split s;
  s.validation.assign(rows.end() - static_cast<std::ptrdiff_t>(held), rows.end());
  rows.resize(n - held);
  s.train = std::move(rows);
  return s;
}

}  // namespace dr
