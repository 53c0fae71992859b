// The study's noise: Gaussian of standard deviation P on pixels in [0, 1], clipped to [0, 1].
#include <catch2/catch.hpp>
#include <cmath>
#include <numbers>
#include <vector>

#include "dr/augment.hpp"

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
  dr::add_gaussian_noise_to_rows(image, 2, 0.0f, 0.5, rng);
  REQUIRE(image == before);
  REQUIRE(rng == untouched);
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
  constexpr std::size_t rows = 4000, width = 16;
  const std::vector<real> clean(rows * width, 0.5f);

  auto half = clean;
  dr::Rng rng(21);
  dr::add_gaussian_noise_to_rows(half, width, 0.1f, 0.5, rng);
  std::size_t noised = 0;
  for (std::size_t r = 0; r < rows; ++r) {
    std::size_t changed = 0;
    for (std::size_t k = 0; k < width; ++k) changed += half[r * width + k] != 0.5f;
    REQUIRE((changed == 0 || changed == width));  // an image is noised whole or not at all
    noised += changed == width;
  }
  // Binomial(4000, 0.5): sd about 32.
  REQUIRE(noised > rows / 2 - 150);
  REQUIRE(noised < rows / 2 + 150);

  // fraction 1 is exactly add_gaussian_noise, draw for draw.
  auto all = clean, plain = clean;
  dr::Rng a(9), b(9);
  dr::add_gaussian_noise_to_rows(all, width, 0.1f, 1.0, a);
  dr::add_gaussian_noise(plain, 0.1f, b);
  REQUIRE(all == plain);
}
