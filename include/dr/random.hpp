// Seeded random numbers whose values do not depend on the standard library in use:
// std::normal_distribution differs between libstdc++ and libc++, so the draws are ours.
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>

namespace dr {

using Rng = std::mt19937_64;

/// A seed for a sub-stream (an epoch, a batch) derived from a parent seed: SplitMix64 of both,
/// so neighbouring indices give unrelated streams.
inline std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t index) {
  std::uint64_t z = seed + 0x9e3779b97f4a7c15ull * (index + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/// Uniform in [0, 1) from the top 24 bits of one draw (exact in float).
inline float uniform01(Rng& rng) {
  return static_cast<float>(rng() >> 40) * 0x1.0p-24f;
}

/// Uniform in [lo, hi).
inline float uniform(Rng& rng, float lo, float hi) {
  return lo + (hi - lo) * uniform01(rng);
}

/// Standard normal by Box-Muller on two uniform draws in double precision.
inline float standard_normal(Rng& rng) {
  const double u1 = (static_cast<double>(rng() >> 11) + 1.0) * 0x1.0p-53;  // (0, 1]
  const double u2 = static_cast<double>(rng() >> 11) * 0x1.0p-53;          // [0, 1)
  return static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2));
}

/// An integer uniform in [0, n) without modulo bias (Lemire's method), the same on every library.
inline std::uint64_t uniform_index(Rng& rng, std::uint64_t n) {
  const std::uint64_t threshold = -n % n;
  for (;;) {
    const unsigned __int128 m = static_cast<unsigned __int128>(rng()) * n;
    if (static_cast<std::uint64_t>(m) >= threshold) return static_cast<std::uint64_t>(m >> 64);
  }
}

/// Fisher-Yates shuffle with uniform_index, reproducible across standard libraries.
template <class RandomIt>
void shuffle(RandomIt first, RandomIt last, Rng& rng) {
  for (auto n = last - first; n > 1; --n) {
    const auto j = static_cast<decltype(n)>(uniform_index(rng, static_cast<std::uint64_t>(n)));
    std::swap(first[n - 1], first[j]);
  }
}

}  // namespace dr
