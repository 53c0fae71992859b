// A half-open range of indices, and the even split of one into parts: how threads divide the
// rows of a batch and the inputs of a layer.
#pragma once

#include <cstddef>

namespace dr {

/// [begin, end).
struct Range {
  std::size_t begin, end;
  std::size_t size() const { return end - begin; }
  bool operator==(const Range&) const = default;
};

/// [begin, end) of part `part` when `n` items are cut into `parts` contiguous, near-equal parts.
inline Range part_of(std::size_t n, std::size_t parts, std::size_t part) {
  return {n * part / parts, n * (part + 1) / parts};
}

/// part_of with the inner boundaries rounded to the nearest multiple of `align` (parts may be
/// empty when n is small).
inline Range aligned_part_of(std::size_t n, std::size_t parts, std::size_t part,
                             std::size_t align) {
  const auto boundary = [&](std::size_t i) {
    if (i == 0 || i == parts) return i == 0 ? std::size_t{0} : n;
    const std::size_t rounded = (n * i / parts + align / 2) / align * align;
    return rounded < n ? rounded : n;
  };
  return {boundary(part), boundary(part + 1)};
}

}  // namespace dr
