// The study's noise: Gaussian of standard deviation P on pixels in [0, 1], clipped to [0, 1].
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <numbers>
#include <vector>

#include "dr/kernels/vector_normal.hpp"
#include "dr/noise.hpp"

using dr::real;

namespace {

struct Moments {
  double mean, sd;
};
Moments moments(const std::vector<real>& v, real offset) {
  double sum = 0, sum2 = 0;
  for (const real x : v) sum += x - offset, sum2 += double(x - offset) * (x - offset);
  const double n = double(v.size());
  const double mean = sum / n;
  return {mean, std::sqrt(sum2 / n - mean * mean)};
}

}  // namespace

TEST_CASE("noise: the added noise has mean 0 and standard deviation P", "[noise]") {
  // A mid-grey image keeps the noise away from the clip at 0 and 1 (5 sd at P = 0.1), so the
  // change of each pixel is the noise itself.
  constexpr std::size_t n = 400000;
  for (const real p : {0.02f, 0.05f, 0.1f}) {
    std::vector<real> image(n, 0.5f);
    dr::Rng rng(7);
    dr::add_gaussian_noise(image, p, rng);
    const auto m = moments(image, 0.5f);
    INFO("P = " << p);
    // Standard errors: P / sqrt(n) for the mean, about P / sqrt(2n) for the sd.
    REQUIRE(std::abs(m.mean) < 5 * p / std::sqrt(double(n)));
    REQUIRE(std::abs(m.sd - p) < 5 * p / std::sqrt(2.0 * n));
  }
}

TEST_CASE("noise: clipping keeps [0, 1] and greys a black background", "[noise]") {
  constexpr std::size_t n = 200000;
  const real p = 0.3f;
  std::vector<real> image(n);
  for (std::size_t i = 0; i < n; ++i) image[i] = i % 2 ? 1.0f : 0.0f;
  dr::Rng rng(3);
  dr::add_gaussian_noise(image, p, rng);
  double black_sum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    REQUIRE(image[i] >= 0.0f);
    REQUIRE(image[i] <= 1.0f);
    if (i % 2 == 0) black_sum += image[i];
  }
  // A black pixel can only move up: its mean after clipping is E[max(0, N(0, P^2))] = P/sqrt(2 pi)
  // (ignoring the tiny mass above 1).
  const double expected = p / std::sqrt(2 * std::numbers::pi);
  REQUIRE(black_sum / (n / 2) == Approx(expected).epsilon(0.02));
}

TEST_CASE("noise: P = 0 leaves the image untouched and draws nothing", "[noise]") {
  std::vector<real> image{0.0f, 0.25f, 0.5f, 1.0f};
  const auto before = image;
  dr::Rng rng(11), untouched(11);
  dr::add_gaussian_noise(image, 0.0f, rng);
  REQUIRE(image == before);
  REQUIRE(rng == untouched);
  dr::ImageNoiseBuffer z;
  REQUIRE_FALSE(dr::ImageNoise(0.0f, 1.0).draw(1, {0, dr::image_pixels}, z));
}

TEST_CASE("noise: the same seed gives the same noise, another seed other noise", "[noise]") {
  auto noisy = [](std::uint64_t seed) {
    std::vector<real> image(1000, 0.5f);
    dr::Rng rng(seed);
    dr::add_gaussian_noise(image, 0.2f, rng);
    return image;
  };
  REQUIRE(noisy(5) == noisy(5));
  REQUIRE(noisy(5) != noisy(6));
}

TEST_CASE("noise: half mode noises about half of the images, all mode every one", "[noise]") {
  // ImageNoise, the training noise: each image is noised whole or not at all, by a coin of its
  // own seed.
  constexpr std::size_t images = 4000;
  dr::ImageNoiseBuffer z;
  const auto noised = [&](double fraction) {
    std::size_t n = 0;
    for (std::uint64_t seed = 0; seed < images; ++seed)
      n += dr::ImageNoise(0.1f, fraction).draw(seed, {0, dr::image_pixels}, z);
    return n;
  };
  // Binomial(4000, 0.5): sd about 32.
  CHECK(noised(0.5) > images / 2 - 150);
  CHECK(noised(0.5) < images / 2 + 150);
  CHECK(noised(1.0) == images);
  CHECK(noised(0.0) == 0);

  std::vector<real> image(dr::image_pixels, 0.5f);
  dr::ImageNoise(0.1f, 1.0).add_to(3, image.data());
  const auto changed = std::count_if(image.begin(), image.end(), [](real v) { return v != 0.5f; });
  CHECK(changed == dr::image_pixels);
}

TEST_CASE("noise: an image's training noise does not depend on how its pixels are split",
          "[noise]") {
  // The training threads each draw the noise of the pixels they gather.
  const dr::ImageNoise noise(0.2f, 0.5);
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    dr::ImageNoiseBuffer whole, parts;
    const bool noised = noise.draw(seed, {0, dr::image_pixels}, whole);
    INFO("seed " << seed);
    for (const dr::Range part : {dr::Range{0, 395}, dr::Range{395, 700}, dr::Range{700, 784}}) {
      REQUIRE(noise.draw(seed, part, parts) == noised);
      if (noised)
        REQUIRE(std::equal(whole.begin() + part.begin, whole.begin() + part.end,
                           parts.begin() + part.begin));
    }
    if (!noised) continue;
    // sd times standard normal draws: none is 0, and the image's are its own.
    std::vector<real> image(dr::image_pixels, 0.5f);
    noise.add_to(seed, image.data());
    for (std::size_t k = 0; k < dr::image_pixels; ++k)
      REQUIRE(image[k] == std::clamp(0.5f + whole[k], 0.0f, 1.0f));
    dr::ImageNoiseBuffer other;
    for (std::uint64_t next = seed + 1; !noise.draw(next, {0, dr::image_pixels}, other);) ++next;
    REQUIRE_FALSE(std::equal(whole.begin(), whole.begin() + dr::image_pixels, other.begin()));
  }
}

namespace {

namespace normal = dr::kernels::normal;

/// Draws [0, n) of stream `key`, n a whole number of blocks.
std::vector<real> draws(std::uint64_t key, std::size_t n) {
  std::vector<real> z(n);
  for (std::size_t b = 0; b < n / normal::block; ++b)
    normal::draw_block(key, b, z.data() + b * normal::block);
  return z;
}

/// Pearson correlation of a[i] and b[i].
double correlation(const std::vector<real>& a, const std::vector<real>& b) {
  double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    sa += a[i], sb += b[i], saa += double(a[i]) * a[i], sbb += double(b[i]) * b[i],
        sab += double(a[i]) * b[i];
  const double n = double(a.size());
  return (sab / n - sa / n * sb / n) /
         std::sqrt((saa / n - sa / n * sa / n) * (sbb / n - sb / n * sb / n));
}

}  // namespace

TEST_CASE("noise: each draw is Box-Muller on its pair's uniforms, to 2e-6", "[noise]") {
  // Against the formula in double precision on the same two uniforms: the cosine draw of pair c
  // at place c % 16 of its block of 32, the sine draw 16 places later.
  const std::uint64_t key = 0x0123456789abcdefull;
  constexpr std::size_t blocks = 20000;
  const std::vector<real> z = draws(key, blocks * normal::block);
  double worst = 0, largest = 0;
  std::uint32_t u1_min = ~0u, u1_max = 0, u2_max = 0;
  for (std::uint32_t c = 0; c < blocks * normal::pairs_per_block; ++c) {
    std::uint32_t u1 = 0, u2 = 0;
    normal::uniform_bits(key, c, u1, u2);
    u1_min = std::min(u1_min, u1), u1_max = std::max(u1_max, u1), u2_max = std::max(u2_max, u2);
    const double radius = std::sqrt(-2 * std::log(u1 * 0x1p-24));
    const double angle = 2 * std::numbers::pi * (u2 * 0x1p-24);
    const std::size_t at =
        c / normal::pairs_per_block * normal::block + c % normal::pairs_per_block;
    worst = std::max({worst, std::abs(z[at] - radius * std::cos(angle)),
                      std::abs(z[at + normal::pairs_per_block] - radius * std::sin(angle))});
    largest = std::max(
        {largest, std::abs(double(z[at])), std::abs(double(z[at + normal::pairs_per_block]))});
  }
  CHECK(u1_min >= 1);
  CHECK(u1_max <= (1u << 24));
  CHECK(u2_max < (1u << 24));
  CHECK(worst < 2e-6);
  CHECK(largest <= std::sqrt(2 * 24 * std::numbers::ln2) + 1e-5);  // |z| <= 5.77: u1 >= 2^-24
}

TEST_CASE("noise: the draws are standard normal and uncorrelated", "[noise]") {
  constexpr std::size_t n = std::size_t{1} << 20;
  std::vector<real> z = draws(7, n);
  const double tolerance = 5 / std::sqrt(double(n));  // 5 standard errors of a correlation
  SECTION("neighbours, the two draws of a pair, and two streams at the same places") {
    CHECK(std::abs(correlation({z.begin(), z.end() - 1}, {z.begin() + 1, z.end()})) < tolerance);
    std::vector<real> cosines, sines;
    for (std::size_t b = 0; b < n; b += normal::block) {
      cosines.insert(cosines.end(), z.begin() + b, z.begin() + b + 16);
      sines.insert(sines.end(), z.begin() + b + 16, z.begin() + b + 32);
    }
    CHECK(std::abs(correlation(cosines, sines)) < 2 * tolerance);
    CHECK(std::abs(correlation(z, draws(8, n))) < tolerance);
    CHECK(std::abs(correlation(z, draws(7ull << 32, n))) < tolerance);
  }
  SECTION("Kolmogorov-Smirnov against the normal distribution function") {
    std::sort(z.begin(), z.end());
    double d = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double cdf = 0.5 * std::erfc(-z[i] / std::numbers::sqrt2);
      d = std::max({d, std::abs(cdf - double(i) / n), std::abs(cdf - double(i + 1) / n)});
    }
    // The critical value at the 0.1% level is 1.95 / sqrt(n).
    CHECK(d < 1.95 / std::sqrt(double(n)));
    // The tails, as counts against their binomial sd.
    for (const double t : {2.0, 3.0, 4.0}) {
      const double p = std::erfc(t / std::numbers::sqrt2);  // P(|z| > t)
      const auto beyond =
          std::count_if(z.begin(), z.end(), [&](real v) { return std::abs(v) > t; });
      INFO("|z| > " << t);
      CHECK(std::abs(double(beyond) - p * n) < 5 * std::sqrt(p * n));
    }
  }
}

TEST_CASE("noise: a pixel's noise does not depend on how many pixels follow it", "[noise]") {
  // Pixel i takes draw i of the call's stream, in the last, partial block too.
  for (const std::size_t length : {1, 31, 33, 70}) {
    std::vector<real> some(length, 0.5f), more(96, 0.5f);
    dr::Rng a(4), b(4);
    dr::add_gaussian_noise(some, 0.1f, a);
    dr::add_gaussian_noise(more, 0.1f, b);
    INFO("length " << length);
    REQUIRE(std::equal(some.begin(), some.end(), more.begin()));
    REQUIRE(some.back() != 0.5f);
  }
}
