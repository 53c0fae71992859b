// The softmax cross-entropy and its vector exponential: values worked out by hand, the gradient's
// padding, label smoothing, and the exponential against std::exp across float's range.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <vector>

#include "dr/loss.hpp"

namespace {

using dr::real;
namespace simd = dr::kernels::simd;

/// e^x of one value through the vector exponential (every lane the same).
real vector_exp(real x) {
  return simd::exp(simd::broadcast(x))[simd::W - 1];
}

}  // namespace

TEST_CASE("vector exp: within 2 ulp of std::exp from -87 to 88", "[loss]") {
  double worst = 0;
  for (real x = -87.0f; x <= 88.0f; x += 0.001953125f) {  // 2^-9 apart: 88,576 points
    const double want = std::exp(double(x));
    const double ulp =
        std::nextafter(real(want), std::numeric_limits<real>::infinity()) - real(want);
    worst = std::max(worst, std::abs(vector_exp(x) - want) / ulp);
  }
  CHECK(worst <= 2);
  CHECK(vector_exp(0) == 1);
}

TEST_CASE("vector exp: 0 below float's normal range and for -inf, NaN stays NaN", "[loss]") {
  CHECK(vector_exp(-87.5f) == 0);
  CHECK(vector_exp(-1000) == 0);
  CHECK(vector_exp(-std::numeric_limits<real>::infinity()) == 0);
  CHECK(std::isnan(vector_exp(std::numeric_limits<real>::quiet_NaN())));
  // Lanes are independent: a NaN or -inf lane leaves its neighbours alone.
  simd::vreal v = simd::broadcast(std::log(2.0f));
  v[0] = std::numeric_limits<real>::quiet_NaN();
  v[1] = -std::numeric_limits<real>::infinity();
  const simd::vreal e = simd::exp(v);
  CHECK(std::isnan(e[0]));
  CHECK(e[1] == 0);
  for (std::size_t i = 2; i < simd::W; ++i) CHECK(e[i] == Approx(2).epsilon(1e-6));
}

TEST_CASE("softmax cross-entropy: loss and gradient of hand-made rows", "[loss]") {
  // Row 0: three equal logits, label 1: p = 1/3 each, loss ln 3.
  // Row 1: logits ln 1, ln 2, ln 5 (p = 1/8, 2/8, 5/8), label 2: loss ln(8/5).
  constexpr std::size_t ld = dr::padded(3);
  std::vector<real> logits(2 * ld, 99);  // the padding must not be read
  logits[0] = logits[1] = logits[2] = 0.5f;
  logits[ld + 0] = 0;
  logits[ld + 1] = std::log(2.0f);
  logits[ld + 2] = std::log(5.0f);
  const std::uint8_t labels[] = {1, 2};
  std::vector<real> d(2 * ld, 7);
  const double loss = dr::softmax_cross_entropy<3>(2, logits.data(), ld, labels, d.data(), 0.5f);
  CHECK(loss == Approx(std::log(3.0) + std::log(8.0 / 5)).epsilon(1e-6));
  const double want[2][3] = {{1.0 / 3, 1.0 / 3 - 1, 1.0 / 3}, {1.0 / 8, 2.0 / 8, 5.0 / 8 - 1}};
  for (std::size_t r = 0; r < 2; ++r) {
    for (std::size_t j = 0; j < 3; ++j)
      CHECK(d[r * ld + j] == Approx(0.5 * want[r][j]).margin(1e-7));
    for (std::size_t j = 3; j < ld; ++j) CHECK(d[r * ld + j] == 0);
  }
  // Without dlogits only the loss comes back.
  CHECK(dr::softmax_cross_entropy<3>(2, logits.data(), ld, labels) == Approx(loss));
}

TEST_CASE("softmax cross-entropy: label smoothing spreads the target", "[loss]") {
  // Two classes, logits 0 and ln 3 (p = 1/4, 3/4), label 0, smoothing 0.2: target 0.9, 0.1.
  const real logits[] = {0, std::log(3.0f)};
  const std::uint8_t label = 0;
  real d[2];
  const double loss = dr::softmax_cross_entropy<2>(1, logits, 2, &label, d, 1, 0.2f);
  CHECK(loss == Approx(-(0.9 * std::log(0.25) + 0.1 * std::log(0.75))).epsilon(1e-6));
  CHECK(d[0] == Approx(0.25 - 0.9).margin(1e-7));
  CHECK(d[1] == Approx(0.75 - 0.1).margin(1e-7));
}

TEST_CASE("softmax cross-entropy: any row stride and more classes than a vector holds", "[loss]") {
  // 37 classes in rows of 40 (not a whole number of vectors) and in rows of 37 (no padding at
  // all: the last row's gradient must end where the buffer does).
  constexpr std::size_t classes = 37;
  for (const std::size_t ld : {std::size_t{40}, classes}) {
    std::vector<real> logits(3 * ld), d(3 * ld, 7);
    for (std::size_t i = 0; i < logits.size(); ++i) logits[i] = real(0.1 * double(i % 11)) - 3;
    const std::uint8_t labels[] = {0, 36, 5};
    const double loss =
        dr::softmax_cross_entropy<classes>(3, logits.data(), ld, labels, d.data(), 1);
    double want = 0;
    for (std::size_t r = 0; r < 3; ++r) {
      double total = 0;
      for (std::size_t j = 0; j < classes; ++j) total += std::exp(double(logits[r * ld + j]));
      want -= logits[r * ld + labels[r]] - std::log(total);
      for (std::size_t j = 0; j < classes; ++j) {
        const double p = std::exp(double(logits[r * ld + j])) / total;
        CHECK(d[r * ld + j] == Approx(p - (j == labels[r])).margin(1e-6));
      }
      for (std::size_t j = classes; j < ld; ++j) CHECK(d[r * ld + j] == 0);
    }
    CHECK(loss == Approx(want).epsilon(1e-6));
  }
}

TEST_CASE("softmax cross-entropy: a NaN or infinite logit makes the loss NaN", "[loss]") {
  // Training stops on a non-finite loss; a bad logit anywhere in the row must reach it.
  for (const real bad :
       {std::numeric_limits<real>::quiet_NaN(), std::numeric_limits<real>::infinity()}) {
    real logits[] = {0, 1, 2, 3};
    logits[3] = bad;
    const std::uint8_t label = 0;
    CHECK(std::isnan(dr::softmax_cross_entropy<4>(1, logits, 4, &label)));
  }
}
