// A half-open range of indices, and the even split of one into parts: how threads divide the
// rows of a batch and the inputs of a layer.
#pragma once

#include <algorithm>
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

/// f(part) for each non-empty part of r outside `hole`: before it, then after it.
template <class F>
void for_each_outside(Range r, Range hole, F&& f) {
  const Range before{r.begin, std::min(r.end, std::max(r.begin, hole.begin))};
  const Range after{std::max(r.begin, std::min(r.end, hole.end)), r.end};
  if (before.size() > 0) f(before);
  if (after.size() > 0) f(after);
}

}  // namespace dr
