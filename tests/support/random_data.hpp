// Random inputs and weights for tests, from a fixed seed.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "dr/network.hpp"
#include "dr/random.hpp"

namespace dr::test {

inline std::vector<real> random_matrix(std::size_t rows, std::size_t cols, std::uint64_t seed,
                                       real lo = -1, real hi = 1) {
  Rng rng(seed);
  std::vector<real> v(rows * cols);
  for (auto& x : v) x = uniform(rng, lo, hi);
  return v;
}

inline std::vector<std::uint8_t> random_labels(std::size_t rows, std::size_t classes,
                                               std::uint64_t seed) {
  Rng rng(seed);
  std::vector<std::uint8_t> v(rows);
  for (auto& x : v) x = static_cast<std::uint8_t>(uniform_index(rng, classes));
  return v;
}

/// A freshly initialised layer with biases in [-1, 1], on the heap (784x800 weights are big).
template <class Layer>
std::unique_ptr<Layer> random_layer(std::uint64_t seed) {
  auto layer = std::make_unique<Layer>();
  Rng rng(seed);
  layer->initialize(rng);
  for (std::size_t j = 0; j < Layer::out_size; ++j) layer->bias[j] = uniform(rng, -1, 1);
  return layer;
}

/// Gives biases non-zero values too, so that tests exercise them.
template <class Net>
void randomize(Net& net, std::uint64_t seed) {
  net.initialize(seed);
  Rng rng(seed + 1);
  Net::for_each_index([&](auto i) {
    auto& l = net.template layer<i>();
    for (std::size_t j = 0; j < l.out_size; ++j) l.bias[j] = uniform(rng, -0.5f, 0.5f);
  });
}

}  // namespace dr::test
