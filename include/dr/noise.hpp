// The study's pixel noise: Gaussian noise added to pixels in [0, 1], then clipped to [0, 1], on
// test images (add_gaussian_noise) and on training images (ImageNoise). The draws are
// kernels/vector_normal.hpp's, a vector at a time.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "dr/config.hpp"
#include "dr/data/dataset.hpp"
#include "dr/kernels/vector_normal.hpp"
#include "dr/random.hpp"
#include "dr/range.hpp"

namespace dr {

/// A pixel plus its noise, clipped to [0, 1].
inline real noised(real pixel, real noise) {
  return std::clamp(pixel + noise, real(0), real(1));
}

/// The noise of the study: adds Gaussian noise of mean 0 and standard deviation `sd` to every
/// pixel, then clips to [0, 1]. sd = 0 leaves the pixels untouched (and draws nothing).
/// Clipping is why noise greys the background: a black pixel (0) can only move up, so its mean
/// after clipping is sd / sqrt(2 pi), about 0.08 at sd = 0.2.
/// The noise is a stream of kernels/vector_normal.hpp keyed by one draw of rng: pixel i gets
/// the stream's draw i.
inline void add_gaussian_noise(std::span<real> pixels, real sd, Rng& rng) {
  if (sd == 0) return;
  using kernels::normal::block;
  const std::uint64_t key = rng();
  alignas(alignment) real z[block];
  const auto add = [&](real* p, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) p[i] = noised(p[i], sd * z[i]);
  };
  std::size_t start = 0;
  for (; start + block <= pixels.size(); start += block) {
    kernels::normal::draw_block(key, start / block, z);
    add(pixels.data() + start, block);  // a constant count, which the compiler unrolls
  }
  if (start == pixels.size()) return;
  kernels::normal::draw_block(key, start / block, z);
  add(pixels.data() + start, pixels.size() - start);
}

/// Room for one image's noise (ImageNoise): its pixels in whole blocks of draws.
using ImageNoiseBuffer = std::array<real, (image_pixels + kernels::normal::block - 1) /
                                              kernels::normal::block * kernels::normal::block>;

/// The noise of training batches (dr::fit), drawn per image from the image's own seed, so that
/// any part of its pixels can be drawn alone, on any thread, with the same result: each image is
/// noised with probability `fraction` (a coin from its seed; fraction >= 1: every image), pixel k
/// by sd times draw k of the stream keyed by its seed. The training threads so noise the pixels
/// they gather themselves (TrainingBatch::fill), and the model does not depend on how many there
/// are.
class ImageNoise {
 public:
  ImageNoise(real sd, double fraction) : sd_(sd), fraction_(fraction) {}

  /// Writes the noise of the pixels `inputs` of the image seeded `seed` into z[k] for k in
  /// `inputs` (and the rest of their blocks of draws); false, writing nothing, if the image is
  /// not noised.
  bool draw(std::uint64_t seed, Range inputs, ImageNoiseBuffer& z) const {
    using kernels::normal::block;
    if (sd_ == 0 || inputs.size() == 0) return false;
    // The coin: the top 24 bits of a draw, a uniform in [0, 1).
    if (fraction_ < 1 && !(double(derive_seed(seed, 0) >> 40) * 0x1p-24 < fraction_)) return false;
    const std::uint64_t key = derive_seed(seed, 1);
    for (std::size_t b = inputs.begin / block; b * block < inputs.end; ++b) {
      kernels::normal::draw_block(key, b, z.data() + b * block);
      for (std::size_t k = b * block; k < (b + 1) * block; ++k) z[k] *= sd_;
    }
    return true;
  }

  /// The noise callback of gather_inputs for rows first, first + 1, ... of a batch whose row r
  /// is seeded seed_of(r): each row's noise drawn into z, or null if the row is not noised.
  template <class SeedOf>
  auto for_rows(SeedOf seed_of, std::size_t first, ImageNoiseBuffer& z) const {
    return [this, seed_of, first, &z](std::size_t r, Range inputs) -> const real* {
      return draw(seed_of(first + r), inputs, z) ? z.data() : nullptr;
    };
  }

  /// Adds the noise of the image seeded `seed` to its pixels, then clips them to [0, 1].
  void add_to(std::uint64_t seed, real* image) const {
    ImageNoiseBuffer z;
    if (draw(seed, {0, image_pixels}, z))
      for (std::size_t k = 0; k < image_pixels; ++k) image[k] = noised(image[k], z[k]);
  }

 private:
  real sd_;
  double fraction_;
};

}  // namespace dr
