// FGSM and PGD: the input gradient they follow, the size of the steps they take, and that they
// actually hurt a trained network.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "dr/adversarial.hpp"
#include "dr/dr.hpp"
#include "support/random_data.hpp"
#include "support/synthetic_digits.hpp"

using dr::real;

namespace {

using SmallNet = dr::NetworkWith<dr::Tanh, 12, 9, 4>;
constexpr std::size_t rows = 3;

/// The summed cross-entropy of the rows of x, in double from the float logits.
template <class Net>
double loss_of(const Net& net, const std::vector<real>& x, const std::vector<std::uint8_t>& y) {
  dr::Workspace<Net> ws(y.size());
  const real* logits = net.forward(ws, y.size(), x.data());
  return dr::softmax_cross_entropy<Net::out_size>(y.size(), logits, Net::last_layer::padded_out,
                                                  y.data());
}

/// A small network with random weights, a batch in [lo, hi] with labels, and its gradient.
struct Problem {
  SmallNet net;
  std::vector<real> x;
  std::vector<std::uint8_t> y;
  dr::InputGradient<SmallNet> gradient{net};
  std::vector<real> dx, out;

  Problem(std::uint64_t seed, real lo, real hi)
      : x(dr::test::random_matrix(rows, 12, seed + 1, lo, hi)),
        y(dr::test::random_labels(rows, 4, seed + 2)),
        dx(x.size()),
        out(x.size()) {
    dr::test::randomize(net, seed);
  }
};

}  // namespace

TEST_CASE("adversarial: the input gradient matches central finite differences", "[adversarial]") {
  // Tanh is smooth, so finite differences have no kink to trip on.
  Problem p(4, 0.2f, 0.8f);
  auto& [net, x, y, gradient, dx, out] = p;
  const double loss = gradient(rows, x.data(), y.data(), dx.data());
  REQUIRE(loss == Approx(loss_of(net, x, y)).epsilon(1e-6));

  const real h = 1e-2f;
  for (std::size_t i = 0; i < x.size(); ++i) {
    auto plus = x, minus = x;
    plus[i] += h;
    minus[i] -= h;
    const double numeric = (loss_of(net, plus, y) - loss_of(net, minus, y)) / (2 * double(h));
    INFO("input " << i);
    REQUIRE(dx[i] == Approx(numeric).margin(2e-4).epsilon(1e-2));
  }
}

TEST_CASE("adversarial: FGSM moves every pixel by exactly eps in the gradient's sign",
          "[adversarial]") {
  // Pixels in [0.3, 0.7] and eps 0.05: no pixel reaches the clip.
  Problem p(8, 0.3f, 0.7f);
  auto& [net, x, y, gradient, dx, out] = p;
  std::vector<real> g(x.size());
  gradient(rows, x.data(), y.data(), g.data());
  const real eps = 0.05f;
  dr::fgsm(gradient, rows, x.data(), y.data(), eps, dx.data(), out.data());
  for (std::size_t i = 0; i < x.size(); ++i) {
    REQUIRE(g[i] != 0);
    const real moved = out[i] - x[i];
    REQUIRE(std::abs(std::abs(moved) - eps) < 1e-6f);
    REQUIRE((moved > 0) == (g[i] > 0));
  }
  // The step raises the loss: that is the point of it.
  REQUIRE(loss_of(net, out, y) > loss_of(net, x, y));

  // Near the edges of [0, 1] the result is clipped.
  const auto edge = dr::test::random_matrix(rows, 12, 11, 0.0f, 1.0f);
  dr::fgsm(gradient, rows, edge.data(), y.data(), 0.5f, dx.data(), out.data());
  for (const real v : out) {
    REQUIRE(v >= 0.0f);
    REQUIRE(v <= 1.0f);
  }
}

TEST_CASE("adversarial: PGD stays in the eps-ball and in [0, 1]", "[adversarial]") {
  Problem p(12, 0.0f, 1.0f);
  auto& [net, x, y, gradient, dx, out] = p;
  dr::Rng rng(15);
  const dr::PgdSettings pgd{0.1f, 10, 0.025f};
  dr::pgd(gradient, rows, x.data(), y.data(), pgd, rng, dx.data(), out.data());
  for (std::size_t i = 0; i < x.size(); ++i) {
    REQUIRE(std::abs(out[i] - x[i]) <= pgd.eps + 1e-6f);
    REQUIRE(out[i] >= 0.0f);
    REQUIRE(out[i] <= 1.0f);
  }
  REQUIRE(loss_of(net, out, y) > loss_of(net, x, y));
}

TEST_CASE("adversarial: FGSM and PGD lower a trained network's accuracy", "[adversarial]") {
  using Net = dr::Network<784, 32, 10>;
  const auto train = dr::test::synthetic_digits(1000, 1);
  const auto test = dr::test::synthetic_digits(300, 2);
  auto net = dr::make_network<Net>(3);
  dr::FitOptions options;
  options.epochs = 3;
  const auto rows = dr::all_rows(train.rows());
  dr::fit(*net, dr::Sgd<Net>({.momentum = 0.9f, .nesterov = true}), dr::ConstantLr{0.05f}, train,
          rows, {}, options);
  const auto test_rows = dr::all_rows(test.rows());
  const double clean = dr::evaluate(*net, test, test_rows).accuracy();
  const double fgsm = dr::evaluate_fgsm(*net, test, test_rows, 0.2f).accuracy();
  const double pgd = dr::evaluate_pgd(*net, test, test_rows, {0.2f, 10, 0.05f}, 1).accuracy();
  INFO("clean " << clean << " fgsm " << fgsm << " pgd " << pgd);
  REQUIRE(clean > 0.95);
  REQUIRE(fgsm < clean - 0.1);
  // PGD searches the same ball with ten steps: it finds at least about as much as FGSM.
  REQUIRE(pgd <= fgsm + 0.02);
  // The attack is reproducible: the same seed, the same PGD starting points.
  REQUIRE(dr::evaluate_pgd(*net, test, test_rows, {0.2f, 10, 0.05f}, 1).counts ==
          dr::evaluate_pgd(*net, test, test_rows, {0.2f, 10, 0.05f}, 1).counts);
}
