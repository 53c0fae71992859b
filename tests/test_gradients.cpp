// Gradients of every layer type and of whole networks against central finite differences.
// The loss is computed in float by the network; with step h the difference quotient carries a
// truncation error of order h^2 and a rounding error of order 1e-7 / h, so h = 1e-2 and a
// relative tolerance of 1e-2 leave both well inside while still catching any wrong term.
// ReLU has kinks: where a step of h flips a hidden unit between active and inactive, the
// difference quotient measures neither side's slope, so such points are skipped (and counted:
// fewer than 10% may be).
#include <catch2/catch.hpp>
#include <cmath>
#include <optional>

#include "dr/dr.hpp"
#include "support/random_data.hpp"

namespace {

using dr::real;

struct Evaluation {
  double loss;
  std::vector<bool> active;  ///< which hidden units are > 0
};

template <class Net>
Evaluation loss_of(const Net& net, const std::vector<real>& x, const std::vector<std::uint8_t>& y) {
  dr::Workspace<Net> ws(y.size());
  const real* logits = net.template forward<dr::kernels::Reference>(ws, y.size(), x.data());
  Evaluation e{dr::softmax_cross_entropy<Net::out_size>(y.size(), logits,
                                                        Net::last_layer::padded_out, y.data()),
               {}};
  for (std::size_t l = 0; l + 1 < Net::depth; ++l)
    for (std::size_t i = 0; i < ws.outputs[l].size(); ++i) e.active.push_back(ws.outputs[l][i] > 0);
  return e;
}

/// The central difference of the loss in one variable v, or nothing where a kink lies between.
template <class Net>
std::optional<double> central_difference(const Net& net, const std::vector<real>& x,
                                         const std::vector<std::uint8_t>& y, real& v, real h) {
  const real saved = v;
  v = saved + h;
  const auto up = loss_of(net, x, y);
  v = saved - h;
  const auto down = loss_of(net, x, y);
  v = saved;
  if (up.active != down.active) return std::nullopt;
  return (up.loss - down.loss) / (2 * h);
}

template <class Net, class Kernel>
void check_gradients(std::uint64_t seed) {
  constexpr std::size_t rows = 5;
  auto net = dr::make_zeroed<Net>();
  dr::test::randomize(*net, seed);
  auto x = dr::test::random_matrix(rows, Net::in_size, seed + 2);
  const auto y = dr::test::random_labels(rows, Net::out_size, seed + 3);

  dr::Workspace<Net> ws(rows);
  const real* logits = net->template forward<Kernel>(ws, rows, x.data());
  dr::softmax_cross_entropy<Net::out_size>(rows, logits, Net::last_layer::padded_out, y.data(),
                                           ws.gradients[Net::depth - 1].data());
  auto grad = dr::make_zeroed<Net>();
  std::vector<real> dx(rows * Net::in_size);
  net->template backward<Kernel>(ws, rows, x.data(), *grad, dx.data());

  const real h = 1e-2f;
  std::size_t checked = 0, kinks = 0;
  auto check = [&](double analytic, real& v) {
    const auto numeric = central_difference(*net, x, y, v, h);
    if (!numeric) return void(++kinks);
    ++checked;
    INFO("analytic " << analytic << " numeric " << *numeric);
    REQUIRE(std::fabs(analytic - *numeric) <=
            1e-2 * std::max({1e-1, std::fabs(analytic), std::fabs(*numeric)}));
  };
  Net::for_each_parameter_block(
      [&](auto p, auto g, bool is_bias) {
        for (std::size_t i = 0; i < p.size(); ++i) {
          if (p[i] == 0 && g[i] == 0) continue;  // padding
          INFO((is_bias ? "bias " : "weight ") << i);
          check(g[i], p[i]);
        }
      },
      *net, *grad);
  for (std::size_t i = 0; i < x.size(); ++i) {
    INFO("input " << i);
    check(dx[i], x[i]);
  }
  REQUIRE(kinks * 10 < checked);
}

}  // namespace

TEMPLATE_TEST_CASE("gradients: every layer type matches finite differences", "[gradients]",
                   dr::kernels::Reference, dr::kernels::Simd) {
  SECTION("identity (softmax regression)") {
    check_gradients<dr::Network<9, 4>, TestType>(1);
  }
  SECTION("sigmoid hidden layer") {
    check_gradients<dr::NetworkWith<dr::Sigmoid, 11, 7, 3>, TestType>(2);
  }
  SECTION("tanh hidden layers") {
    check_gradients<dr::NetworkWith<dr::Tanh, 6, 17, 9, 5>, TestType>(3);
  }
  SECTION("relu hidden layers") {
    check_gradients<dr::Network<13, 20, 8, 10>, TestType>(4);
  }
}

TEST_CASE("gradients: corrupting a gradient is caught by the check", "[gradients]") {
  // The check itself must be able to fail: a gradient scaled by 1.05 is rejected.
  using Net = dr::Network<5, 3>;
  auto net = dr::make_network<Net>(9);
  const auto x = dr::test::random_matrix(2, 5, 1);
  const auto y = dr::test::random_labels(2, 3, 2);
  dr::Workspace<Net> ws(2);
  dr::softmax_cross_entropy<3>(2, net->forward(ws, 2, x.data()), Net::last_layer::padded_out,
                               y.data(), ws.gradients[0].data());
  auto grad = dr::make_zeroed<Net>();
  net->backward(ws, 2, x.data(), *grad);
  auto& w = net->layer<0>().weight(1, 2);
  const double numeric = *central_difference(*net, x, y, w, 1e-2f);
  const double analytic = grad->layer<0>().weight(1, 2);
  REQUIRE(std::fabs(analytic - numeric) < 1e-2 * std::fabs(numeric));
  REQUIRE(std::fabs(1.05 * analytic - numeric) > 1e-2 * std::fabs(numeric));
}
