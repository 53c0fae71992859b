// The training augmentations (shift, small affine, elastic distortion) that turn one uint8 28x28
// image into a new float image in [0, 1]. Every draw comes from the Rng passed in, so a seed
// fixes the result. (The study's pixel noise is in noise.hpp.)
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <span>
#include <string>
#include <string_view>

#include "dr/config.hpp"
#include "dr/data/dataset.hpp"
#include "dr/error.hpp"
#include "dr/kernels/bilinear.hpp"
#include "dr/kernels/simd.hpp"
#include "dr/random.hpp"

namespace dr {

/// affine_elastic applies both at once: the elastic displacement added to a random affine map
/// (Simard et al. distorted with each; together they cover slant and size as well as wobble).
enum class Augmentation { none, shift, affine, elastic, affine_elastic };

inline constexpr std::array<std::string_view, 5> augmentation_names = {"none", "shift", "affine",
                                                                       "elastic", "affine+elastic"};

inline std::string_view augmentation_name(Augmentation a) {
  return augmentation_names[static_cast<std::size_t>(a)];
}

/// The augmentation called `name`; throws dr::Error listing the names otherwise.
inline Augmentation augmentation_from_name(std::string_view name) {
  for (std::size_t i = 0; i < augmentation_names.size(); ++i)
    if (augmentation_names[i] == name) return static_cast<Augmentation>(i);
  throw Error("unknown augmentation '" + std::string(name) +
              "' (expected none, shift, affine, elastic or affine+elastic)");
}

/// What each kind draws. The defaults follow Simard, Steinkraus and Platt (ICDAR 2003): elastic
/// fields of uniform(-1, 1) displacements smoothed by a Gaussian of sigma 4 pixels, scaled by
/// alpha 34; affine distortions of a few degrees and percent.
struct AugmentSettings {
  Augmentation kind = Augmentation::none;
  int max_shift = 2;               ///< shift: whole pixels in x and in y, uniform in [-n, n]
  real max_rotation_degrees = 12;  ///< affine
  real max_scale = 0.12f;          ///< affine: scale in [1 - s, 1 + s] per axis
  real max_shear = 0.12f;          ///< affine: x += shear * y
  real max_translation = 2;        ///< affine: pixels
  real elastic_alpha = 34;         ///< elastic: displacement scale in pixels
  real elastic_sigma = 4;          ///< elastic: Gaussian smoothing of the field, pixels
};

namespace detail {

constexpr int side = static_cast<int>(image_side);
constexpr real image_centre = real(side - 1) / 2;

/// Each pixel's x and y less the image centre, the coordinates an affine map turns about.
inline constexpr auto pixel_offsets = [] {
  std::array<std::array<real, image_pixels>, 2> offsets{};
  for (int y = 0; y < side; ++y)
    for (int x = 0; x < side; ++x) {
      offsets[0][y * side + x] = real(x) - image_centre;
      offsets[1][y * side + x] = real(y) - image_centre;
    }
  return offsets;
}();

/// Bilinear sample of a uint8 image at (x, y) in pixel coordinates, 0 outside, scaled to [0, 1]:
/// one pixel of Augmenter's resampling (kernels/bilinear.hpp, which tests compare with this).
inline real sample_bilinear(std::span<const std::uint8_t, image_pixels> src, real x, real y) {
  const real fx = std::floor(x), fy = std::floor(y);
  const int x0 = static_cast<int>(fx), y0 = static_cast<int>(fy);
  if (x0 < -1 || y0 < -1 || x0 >= side || y0 >= side) return 0;
  const real ax = x - fx, ay = y - fy;
  auto at = [&](int xi, int yi) -> real {
    return xi < 0 || yi < 0 || xi >= side || yi >= side ? real(0) : real(src[yi * side + xi]);
  };
  const real top = at(x0, y0) + ax * (at(x0 + 1, y0) - at(x0, y0));
  const real bottom = at(x0, y0 + 1) + ax * (at(x0 + 1, y0 + 1) - at(x0, y0 + 1));
  return (top + ay * (bottom - top)) * (real(1) / 255);
}

/// The 28x28 matrix G with G[i][j] = normalised Gaussian weight of offset i - j (zero beyond
/// 4 sigma, like an image padded with zeros): smoothing a field F is G F G^T. Its rows are kept
/// `padded_side` apart, zero beyond column 28, so that smooth_field works on whole vectors.
struct GaussianBand {
  static constexpr std::size_t padded_side = padded(image_side);
  std::array<real, image_side * padded_side> g{};
  real sigma = -1;

  real at(int i, int j) const { return g[static_cast<std::size_t>(i) * padded_side + j]; }

  void build(real s) {
    if (s == sigma) return;
    sigma = s;
    const int radius = static_cast<int>(std::ceil(4 * s));
    double total = 0;
    for (int d = -radius; d <= radius; ++d) total += std::exp(-0.5 * d * d / (double(s) * s));
    for (int i = 0; i < side; ++i)
      for (int j = 0; j < side; ++j) {
        const int d = i - j;
        g[static_cast<std::size_t>(i) * padded_side + j] =
            std::abs(d) > radius
                ? real(0)
                : static_cast<real>(std::exp(-0.5 * d * d / (double(s) * s)) / total);
      }
  }
};

/// field = scale * G field G^T, in place, each output summed over k in ascending order, a row
/// of outputs at a time in registers.
inline void smooth_field(const GaussianBand& band, std::array<real, image_pixels>& field,
                         real scale) {
  using kernels::simd::vreal, kernels::simd::load, kernels::simd::store;
  constexpr std::size_t P = GaussianBand::padded_side, vectors = P / kernels::simd::W;
  // Row y of out = the sum over k of weight(y, k) times row k of `in` (rows P apart).
  const auto rows_times = [](auto weight, const real* in, real* out) {
    for (int y = 0; y < side; ++y) {
      vreal acc[vectors] = {};
      for (int k = 0; k < side; ++k) {
        const vreal w = kernels::simd::broadcast(weight(y, k));
        for (std::size_t v = 0; v < vectors; ++v)
          acc[v] += w * load(in + static_cast<std::size_t>(k) * P + v * kernels::simd::W);
      }
      for (std::size_t v = 0; v < vectors; ++v) store(out + y * P + v * kernels::simd::W, acc[v]);
    }
  };
  // rows = field G^T (G is symmetric): smooths along x.
  alignas(alignment) std::array<real, image_side * P> rows, smoothed;
  rows_times([&](int y, int k) { return field[static_cast<std::size_t>(y) * side + k]; },
             band.g.data(), rows.data());
  // field = scale * G rows: smooths along y.
  rows_times([&](int y, int k) { return scale * band.at(y, k); }, rows.data(), smoothed.data());
  for (int y = 0; y < side; ++y)
    std::copy_n(smoothed.data() + y * P, side, field.data() + y * side);
}

/// A random affine map from output to source pixel coordinates about the image centre.
struct AffineMap {
  real a = 1, b = 0, c = 0, d = 1, tx = 0, ty = 0;  // source = [a b; c d] (p - centre) + t

  static AffineMap draw(const AugmentSettings& s, Rng& rng) {
    const real angle = uniform(rng, -s.max_rotation_degrees, s.max_rotation_degrees) *
                       static_cast<real>(std::numbers::pi / 180);
    const real sx = 1 + uniform(rng, -s.max_scale, s.max_scale);
    const real sy = 1 + uniform(rng, -s.max_scale, s.max_scale);
    const real shear = uniform(rng, -s.max_shear, s.max_shear);
    const real cs = std::cos(angle), sn = std::sin(angle);
    // Rotation, then shear along x, then per-axis scale: the inverse of what the digit undergoes
    // is drawn directly, since the draws are symmetric about the identity.
    AffineMap m;
    m.a = sx * cs;
    m.b = sx * (shear * cs - sn);
    m.c = sy * sn;
    m.d = sy * (shear * sn + cs);
    m.tx = uniform(rng, -s.max_translation, s.max_translation);
    m.ty = uniform(rng, -s.max_translation, s.max_translation);
    return m;
  }
};

}  // namespace detail

/// The image moved by whole pixels (uniform in [-max_shift, max_shift] per axis), zero-filled.
inline void shift_image(std::span<const std::uint8_t, image_pixels> src, real* dst, int max_shift,
                        Rng& rng) {
  const int dx = static_cast<int>(uniform_index(rng, 2 * max_shift + 1)) - max_shift;
  const int dy = static_cast<int>(uniform_index(rng, 2 * max_shift + 1)) - max_shift;
  for (int y = 0; y < detail::side; ++y)
    for (int x = 0; x < detail::side; ++x) {
      const int sx = x - dx, sy = y - dy;
      const bool inside = sx >= 0 && sy >= 0 && sx < detail::side && sy < detail::side;
      dst[y * detail::side + x] = inside ? src[sy * detail::side + sx] * (real(1) / 255) : real(0);
    }
}

/// Draws and applies augmentations to one image at a time. Holds the Gaussian band of the elastic
/// smoothing, so keep one per thread rather than one per image.
class Augmenter {
 public:
  explicit Augmenter(const AugmentSettings& settings) : s_(settings) {
    if (s_.kind == Augmentation::elastic || s_.kind == Augmentation::affine_elastic)
      band_.build(s_.elastic_sigma);
  }

  const AugmentSettings& settings() const { return s_; }

  /// Writes a random transform of `src` (kind none: the image itself) as floats in [0, 1].
  void apply(std::span<const std::uint8_t, image_pixels> src, real* dst, Rng& rng) {
    switch (s_.kind) {
      case Augmentation::none:
        for (std::size_t k = 0; k < image_pixels; ++k) dst[k] = src[k] * (real(1) / 255);
        return;
      case Augmentation::shift:
        shift_image(src, dst, s_.max_shift, rng);
        return;
      case Augmentation::affine:
        resample(src, dst, detail::AffineMap::draw(s_, rng), false);
        return;
      case Augmentation::elastic:
        draw_displacement(rng);
        resample(src, dst, detail::AffineMap{}, true);
        return;
      case Augmentation::affine_elastic: {
        const auto map = detail::AffineMap::draw(s_, rng);
        draw_displacement(rng);
        resample(src, dst, map, true);
        return;
      }
    }
  }

 private:
  /// A fresh elastic field in dx_, dy_: uniform(-1, 1) per pixel, smoothed and scaled by alpha.
  void draw_displacement(Rng& rng) {
    for (auto* field : {&dx_, &dy_})
      for (auto& v : *field) v = uniform(rng, -1, 1);
    detail::smooth_field(band_, dx_, s_.elastic_alpha);
    detail::smooth_field(band_, dy_, s_.elastic_alpha);
  }

  /// dst(p) = src(m(p) + displacement(p)), bilinear (detail::sample_bilinear, a vector of
  /// pixels at a time); the displacement is dx_/dy_ if `displaced`.
  void resample(std::span<const std::uint8_t, image_pixels> src, real* dst,
                const detail::AffineMap& m, bool displaced) {
    using kernels::simd::load, kernels::simd::vreal;
    static_assert(image_pixels % kernels::simd::W == 0, "an image is a whole number of vectors");
    source_.assign(src.data());
    for (std::size_t i = 0; i < image_pixels; i += kernels::simd::W) {
      const vreal px = load(detail::pixel_offsets[0].data() + i);
      const vreal py = load(detail::pixel_offsets[1].data() + i);
      vreal sx = m.a * px + m.b * py + m.tx + detail::image_centre;
      vreal sy = m.c * px + m.d * py + m.ty + detail::image_centre;
      if (displaced) {
        sx += load(dx_.data() + i);
        sy += load(dy_.data() + i);
      }
      kernels::simd::store(dst + i, kernels::bilinear::sample(source_, sx, sy));
    }
  }

  AugmentSettings s_;
  detail::GaussianBand band_;
  std::array<real, image_pixels> dx_{}, dy_{};
  kernels::bilinear::PaddedImage<detail::side> source_;
};

}  // namespace dr
