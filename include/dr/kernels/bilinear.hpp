// Bilinear sampling of a small image a vector of positions at a time: the resampling of the
// affine and elastic augmentations. Per pixel and with branches it cost 9-15 ns, so making the
// augmented batches, not training on them, set the pace of the default `train`.
//
// The image is kept with a border of zeros, so that the four neighbours of any position whose
// floor lies in [-1, side) are in the buffer (neighbours outside the image read the border,
// as detail::sample_bilinear reads 0 for them), and a position beyond gives 0. Each lane
// computes what detail::sample_bilinear (augment.hpp) computes, in the same order, so the
// results are the same (tests/test_augment.cpp compares them).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

#include "dr/kernels/simd.hpp"

namespace dr::kernels::bilinear {

using simd::vint, simd::vreal, simd::W;

/// A side x side uint8 image as floats (0-255), with a border of zeros one pixel wide.
template <int Side>
class PaddedImage {
 public:
  static constexpr int stride = Side + 2;

  void assign(const std::uint8_t* image) {
    for (int y = 0; y < Side; ++y)
      for (int x = 0; x < Side; ++x) v_[(y + 1) * stride + x + 1] = image[y * Side + x];
  }

  /// The pixels at indices idx of the padded image (row stride `stride`), one per lane.
  vreal gather(vint idx) const {
#if DR_SIMD_BYTES == 64 && defined(__AVX512F__)
    // (The masked form: GCC 12 warns on the unmasked one's undefined source.)
    return (vreal)_mm512_mask_i32gather_ps(_mm512_setzero_ps(), 0xffff, (__m512i)idx, v_.data(), 4);
#elif DR_SIMD_BYTES == 32 && defined(__AVX2__)
    return (vreal)_mm256_i32gather_ps(v_.data(), (__m256i)idx, 4);
#else
    vreal r;
    for (std::size_t i = 0; i < W; ++i) r[i] = v_[static_cast<std::size_t>(idx[i])];
    return r;
#endif
  }

 private:
  alignas(64) std::array<real, stride * stride> v_{};  // the border is never written
};

/// floor per lane, for |x| < 2^31: truncation, less one where it rounded up.
inline vreal floor(vreal x) {
  const vreal t = __builtin_convertvector(__builtin_convertvector(x, vint), vreal);
  return t - (vreal)((vint)(t > x) & (vint)simd::broadcast(1.0f));
}

/// The image sampled bilinearly at (x, y), in pixel coordinates, scaled to [0, 1]: 0 where the
/// floor of x or y lies outside [-1, Side).
template <int Side>
inline vreal sample(const PaddedImage<Side>& image, vreal x, vreal y) {
  constexpr int stride = PaddedImage<Side>::stride;
  const vreal fx = floor(x), fy = floor(y);
  const vint x0 = __builtin_convertvector(fx, vint), y0 = __builtin_convertvector(fy, vint);
  const vint inside = (x0 >= -1) & (y0 >= -1) & (x0 < Side) & (y0 < Side);
  // Positions outside read the first pixel instead (their result is masked to 0).
  const vint at = ((y0 + 1) * stride + x0 + 1) & inside;
  const vreal p00 = image.gather(at), p01 = image.gather(at + 1);
  const vreal p10 = image.gather(at + stride), p11 = image.gather(at + stride + 1);
  const vreal ax = x - fx, ay = y - fy;
  const vreal top = p00 + ax * (p01 - p00);
  const vreal bottom = p10 + ax * (p11 - p10);
  const vreal v = (top + ay * (bottom - top)) * (real(1) / 255);
  return (vreal)((vint)v & inside);
}

}  // namespace dr::kernels::bilinear
