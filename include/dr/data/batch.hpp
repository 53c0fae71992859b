// Turning uint8 images into the float rows a network reads, one batch at a time.
#pragma once

#include <cstdint>
#include <numeric>
#include <span>
#include <vector>

#include "dr/config.hpp"
#include "dr/data/dataset.hpp"
#include "dr/data/split_rows.hpp"
#include "dr/random.hpp"

namespace dr {

inline constexpr real pixel_scale = real(1) / 255;

namespace detail {
/// For each of the rows `rows` of `data`, batch row r: write_row(r, pixel) with pixel(k) its
/// input k as a float in [0, 1], and its label (if labelled) into labels[r].
template <class WriteRow>
void gather_rows(const Dataset& data, std::span<const std::uint32_t> rows, std::uint8_t* labels,
                 WriteRow&& write_row) {
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const auto image = data.image(rows[r]);
    write_row(r, [&](std::size_t k) { return image[k] * pixel_scale; });
    if (labels && data.labelled()) labels[r] = data.labels[rows[r]];
  }
}
}  // namespace detail

/// Copies the rows `rows` of `data` as floats in [0, 1] into x (row stride image_pixels) and
/// their labels (if labelled) into labels.
inline void gather_batch(const Dataset& data, std::span<const std::uint32_t> rows, real* x,
                         std::uint8_t* labels = nullptr) {
  detail::gather_rows(data, rows, labels, [x](std::size_t r, auto pixel) {
    for (std::size_t k = 0; k < image_pixels; ++k) x[r * image_pixels + k] = pixel(k);
  });
}

/// The same into rows stored as SplitRows.
inline void gather_batch(const Dataset& data, std::span<const std::uint32_t> rows,
                         SplitRowsBuffer& x, std::uint8_t* labels = nullptr) {
  detail::gather_rows(data, rows, labels, [&x](std::size_t r, auto pixel) { x.set_row(r, pixel); });
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
