// A data set of 28x28 greyscale digits: pixels stay uint8 in memory and become floats per batch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace dr {

inline constexpr std::size_t image_side = 28;
inline constexpr std::size_t image_pixels = image_side * image_side;
inline constexpr std::size_t class_count = 10;

struct Dataset {
  std::vector<std::uint8_t> pixels;  ///< rows() x image_pixels, row-major
  std::vector<std::uint8_t> labels;  ///< one per row; empty for unlabelled data (test.csv)
  std::string source;                ///< the file it came from, for messages

  std::size_t rows() const { return pixels.size() / image_pixels; }
  bool labelled() const { return !labels.empty(); }
  std::span<const std::uint8_t, image_pixels> image(std::size_t row) const {
    return std::span<const std::uint8_t, image_pixels>(pixels.data() + row * image_pixels,
                                                       image_pixels);
  }
};

}  // namespace dr
