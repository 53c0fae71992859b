// Softmax cross-entropy on logits, its gradient, and the counting that turns outputs into
// accuracy. Softmax is fused with the loss: their combined gradient is simply p - target.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <string>

#include "dr/config.hpp"
#include "dr/kernels/vector_exp.hpp"

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
  namespace simd = kernels::simd;
  using simd::vreal, simd::W;
  // A row's classes in whole vectors, read and written as such when rows are that long; the
  // padding lanes count as -inf, whose exp is 0, and get a gradient of 0.
  constexpr std::size_t lanes = padded(Classes), vectors = lanes / W;
  const bool whole_vectors = ld >= lanes;
  const real off = smoothing / Classes;
  const real on = 1 - smoothing + off;
  const auto max = [](vreal a, vreal b) { return simd::select(a < b, b, a); };
  simd::vint lane[vectors], is_class[vectors];  // a lane's class, and whether it is one
  for (std::size_t v = 0; v < vectors; ++v) {
    lane[v] = simd::lane_numbers(int(v * W));
    is_class[v] = lane[v] < int(Classes);
  }
  double loss = 0;
  for (std::size_t r = 0; r < rows; ++r) {
    alignas(alignment) std::array<real, lanes> row{};
    const real* z = logits + r * ld;
    if (!whole_vectors) z = std::copy(z, z + Classes, row.begin()) - Classes;
    vreal zv[vectors], top = simd::broadcast(-std::numeric_limits<real>::infinity());
    for (std::size_t v = 0; v < vectors; ++v) {
      zv[v] = simd::select(is_class[v], simd::load(z + v * W),
                           simd::broadcast(-std::numeric_limits<real>::infinity()));
      top = max(top, zv[v]);
    }
    top = simd::broadcast(simd::reduce(top, max));
    // p = e / total and log p = z - (top + log(total)), with e = exp(z - top) <= 1.
    vreal e[vectors], sum{};
    for (std::size_t v = 0; v < vectors; ++v) sum += e[v] = simd::exp(zv[v] - top);
    const real total = simd::reduce(sum, std::plus<>{});
    const double log_total = std::log(double(total)) + top[0];
    const std::size_t label = labels[r];
    if (off != 0)
      for (std::size_t j = 0; j < Classes; ++j) loss -= off * (z[j] - log_total);
    loss -= (on - off) * (z[label] - log_total);
    if (!dlogits) continue;
    // Short rows: the gradient goes through `row` too, now that the loss has read z from it.
    real* out = dlogits + r * ld;
    real* d = whole_vectors ? out : row.data();
    const real share = 1 / total;
    for (std::size_t v = 0; v < vectors; ++v) {
      const vreal target =
          simd::select(lane[v] == int(label), simd::broadcast(on),
                       simd::select(is_class[v], simd::broadcast(off), simd::broadcast(0)));
      simd::store(d + v * W, scale * (e[v] * share - target));
    }
    if (!whole_vectors) std::copy(row.begin(), row.begin() + ld, out);  // ld < lanes here
    std::fill(out + std::min(ld, lanes), out + ld, real(0));
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
