// Input perturbations applied to a batch of pixels in [0, 1].
#pragma once

#include <algorithm>
#include <span>

#include "dr/config.hpp"
#include "dr/random.hpp"

namespace dr {

/// The noise of the study: adds Gaussian noise of mean 0 and standard deviation `sd` to every
/// pixel, then clips to [0, 1]. sd = 0 leaves the pixels untouched (and draws nothing).
/// Clipping is why noise greys the background: a black pixel (0) can only move up, so its mean
/// after clipping is sd / sqrt(2 pi), about 0.08 at sd = 0.2.
inline void add_gaussian_noise(std::span<real> pixels, real sd, Rng& rng) {
  if (sd == 0) return;
  for (auto& v : pixels) v = std::clamp(v + sd * standard_normal(rng), real(0), real(1));
}

}  // namespace dr
