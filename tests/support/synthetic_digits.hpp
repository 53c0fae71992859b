// Small learnable data sets written as Kaggle CSV files: class c lights up a 4x4 block in a cell
// of its own (a 4 x 3 grid of 7 x 9 cells), on top of random speckle. The cells are far enough
// apart that shift augmentation of 2 pixels keeps the classes apart.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>

#include "dr/data/dataset.hpp"
#include "dr/random.hpp"

namespace dr::test {

inline Dataset synthetic_digits(std::size_t rows, std::uint64_t seed) {
  Rng rng(seed);
  Dataset d;
  d.pixels.resize(rows * image_pixels);
  d.labels.resize(rows);
  for (std::size_t r = 0; r < rows; ++r) {
    const auto c = static_cast<std::uint8_t>(uniform_index(rng, class_count));
    d.labels[r] = c;
    for (std::size_t k = 0; k < image_pixels; ++k) {
      const std::size_t y = k / image_side, x = k % image_side;
      const std::size_t cell_x = (c % 4) * 7 + 2, cell_y = (c / 4) * 9 + 3;
      const bool band = x >= cell_x && x < cell_x + 4 && y >= cell_y && y < cell_y + 4;
      d.pixels[r * image_pixels + k] =
          static_cast<std::uint8_t>(band ? 180 + uniform_index(rng, 76)
                                         : (uniform01(rng) < 0.1f ? uniform_index(rng, 120) : 0));
    }
  }
  return d;
}

/// Writes `d` as Kaggle's train.csv (with labels) or test.csv (without).
inline void write_kaggle_csv(const std::filesystem::path& path, const Dataset& d,
                             bool with_labels) {
  std::ofstream out(path, std::ios::binary);
  if (with_labels) out << "label,";
  for (std::size_t k = 0; k < image_pixels; ++k)
    out << "pixel" << k << (k + 1 < image_pixels ? "," : "\n");
  for (std::size_t r = 0; r < d.rows(); ++r) {
    if (with_labels) out << int(d.labels[r]) << ',';
    for (std::size_t k = 0; k < image_pixels; ++k)
      out << int(d.pixels[r * image_pixels + k]) << (k + 1 < image_pixels ? ',' : '\n');
  }
}

}  // namespace dr::test
