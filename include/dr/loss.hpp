// Softmax cross-entropy on logits, its gradient, and the counting that turns outputs into
// accuracy. Softmax is fused with the loss: their combined gradient is simply p - target.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "dr/config.hpp"

namespace dr {

/// Softmax of one row of Classes logits, computed stably (shifted by the maximum).
template <std::size_t Classes>
void softmax(const real* logits, real* p) {
  const real top = *std::max_element(logits, logits + Classes);
  double total = 0;
  for (std::size_t j = 0; j < Classes; ++j) total += p[j] = std::exp(logits[j] - top);
  for (std::size_t j = 0; j < Classes; ++j) p[j] = static_cast<real>(p[j] / total);
}

/// Sum over rows of -log softmax(logits)[label], with the target smoothed towards uniform by
/// `smoothing`. If dlogits is not null it receives scale * (softmax - target), row stride ld,
/// padding zero. Logits have row stride ld >= Classes.
template <std::size_t Classes>
double softmax_cross_entropy(std::size_t rows, const real* logits, std::size_t ld,
                             const std::uint8_t* labels, real* dlogits = nullptr, real scale = 1,
                             real smoothing = 0) {
  double loss = 0;
  const real off = smoothing / Classes;
  const real on = 1 - smoothing + off;
  for (std::size_t r = 0; r < rows; ++r) {
    const real* z = logits + r * ld;
    const real top = *std::max_element(z, z + Classes);
    // One exp per class (they are most of the cost): p = e / total, log p = z - log(total).
    std::array<double, Classes> e;
    double total = 0;
    for (std::size_t j = 0; j < Classes; ++j) total += e[j] = std::exp(double(z[j] - top));
    const double log_total = std::log(total) + top;
    for (std::size_t j = 0; j < Classes; ++j) {
      const real target = j == labels[r] ? on : off;
      if (target != 0) loss -= target * (z[j] - log_total);
      if (dlogits) dlogits[r * ld + j] = scale * (static_cast<real>(e[j] / total) - target);
    }
    if (dlogits) std::fill(dlogits + r * ld + Classes, dlogits + (r + 1) * ld, real(0));
  }
  return loss;
}

/// The index of the largest of n values (the first on ties).
inline std::uint8_t argmax(const real* v, std::size_t n) {
  return static_cast<std::uint8_t>(std::max_element(v, v + n) - v);
}

/// counts[truth][predicted] for Classes classes.
template <std::size_t Classes>
struct ConfusionMatrix {
  std::array<std::array<std::size_t, Classes>, Classes> counts{};

  void add(std::uint8_t truth, std::uint8_t predicted) { ++counts[truth][predicted]; }
  std::size_t total() const {
    std::size_t n = 0;
    for (auto& row : counts)
      for (auto c : row) n += c;
    return n;
  }
  std::size_t correct() const {
    std::size_t n = 0;
    for (std::size_t i = 0; i < Classes; ++i) n += counts[i][i];
    return n;
  }
  double accuracy() const { return total() ? double(correct()) / double(total()) : 0.0; }

  /// A fixed-width table, truth down, prediction across.
  std::string to_string() const {
    std::string s = "truth\\pred";
    auto cell = [&](std::size_t v) {
      std::string t = std::to_string(v);
      s += std::string(t.size() < 7 ? 7 - t.size() : 1, ' ') + t;
    };
    for (std::size_t j = 0; j < Classes; ++j) cell(j);
    s += '\n';
    for (std::size_t i = 0; i < Classes; ++i) {
      std::string t = std::to_string(i);
      s += std::string(10 - t.size(), ' ') + t;
      for (std::size_t j = 0; j < Classes; ++j) cell(counts[i][j]);
      s += '\n';
    }
    return s;
  }
};

}  // namespace dr
