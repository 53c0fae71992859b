#include <catch2/catch.hpp>
#include <cmath>

#include "dr/dr.hpp"
#include "support/random_data.hpp"

using dr::real;

TEST_CASE("network: exact outputs of a hand-made 2-3-2 network", "[network]") {
  dr::Network<2, 3, 2> net;
  auto& l1 = net.layer<0>();
  auto& l2 = net.layer<1>();
  // W1 = [[1, 0], [0, 1], [1, -1]], b1 = [0, 0.5, -1]; W2 = [[1, 1, 1], [0, -1, 2]], b2 = [0.25, 0]
  const real w1[3][2] = {{1, 0}, {0, 1}, {1, -1}}, b1[3] = {0, 0.5f, -1};
  const real w2[2][3] = {{1, 1, 1}, {0, -1, 2}}, b2[2] = {0.25f, 0};
  for (int j = 0; j < 3; ++j) {
    l1.bias[j] = b1[j];
    for (int k = 0; k < 2; ++k) l1.weight(j, k) = w1[j][k];
  }
  for (int j = 0; j < 2; ++j) {
    l2.bias[j] = b2[j];
    for (int k = 0; k < 3; ++k) l2.weight(j, k) = w2[j][k];
  }
  // x = [2, 1]: z1 = [2, 1.5, 0] -> relu [2, 1.5, 0]; z2 = [3.75, -1.5]
  // x = [-1, 3]: z1 = [-1, 3.5, -5] -> relu [0, 3.5, 0]; z2 = [3.75, -3.5]
  const real x[4] = {2, 1, -1, 3};
  const real expected[2][2] = {{3.75f, -1.5f}, {3.75f, -3.5f}};
  dr::Workspace<decltype(net)> ws(2);
  auto check = [&](const real* logits) {
    constexpr std::size_t ld = decltype(net)::last_layer::padded_out;
    for (int r = 0; r < 2; ++r)
      for (int j = 0; j < 2; ++j) REQUIRE(logits[r * ld + j] == expected[r][j]);
  };
  check(net.forward<dr::kernels::Reference>(ws, 2, x));
  check(net.forward<dr::kernels::Simd>(ws, dr::MatrixView<2>{x, 2}));
  REQUIRE(ws.outputs[0][1] == 1.5f);  // hidden activations are kept for backward

  // softmax of [3.75, -1.5]: p0 = 1 / (1 + e^-5.25)
  real p[2];
  dr::softmax<2>(expected[0], p);
  REQUIRE(p[0] == Approx(1 / (1 + std::exp(-5.25))).epsilon(1e-6));
  REQUIRE(p[0] + p[1] == Approx(1).epsilon(1e-6));
}

TEST_CASE("network: sizes, parameter counts and describe()", "[network]") {
  using Mnist = dr::Network<784, 128, 10>;
  STATIC_REQUIRE(Mnist::param_count == 784 * 128 + 128 + 128 * 10 + 10);
  STATIC_REQUIRE(Mnist::depth == 2);
  STATIC_REQUIRE(Mnist::in_size == 784);
  STATIC_REQUIRE(Mnist::out_size == 10);
  using Deep = dr::Network<784, 256, 128, 10>;
  STATIC_REQUIRE(Deep::depth == 3);
  STATIC_REQUIRE(std::is_same_v<Deep::layer_type<1>, dr::Dense<256, 128, dr::Relu>>);
  STATIC_REQUIRE(std::is_same_v<Deep::layer_type<2>, dr::Dense<128, 10, dr::Identity>>);
  STATIC_REQUIRE(std::is_same_v<dr::NetworkWith<dr::Tanh, 13, 7, 3>::layer_type<0>,
                                dr::Dense<13, 7, dr::Tanh>>);
  REQUIRE(Mnist::shape() == "784-128-10");
  REQUIRE(Mnist::describe() ==
          "Network 784-128-10, 101770 parameters\n"
          "  layer 1: Dense<784, 128> relu, 100480 parameters\n"
          "  layer 2: Dense<128, 10> identity, 1290 parameters\n");
}

TEST_CASE("network: weights are aligned and padded with zeros", "[network]") {
  auto net = dr::make_network<784, 800, 10>(3);  // heap: 2.5 MB of weights
  const auto& l1 = net->layer<0>();
  REQUIRE(reinterpret_cast<std::uintptr_t>(l1.weights.data()) % dr::alignment == 0);
  REQUIRE(reinterpret_cast<std::uintptr_t>(net->layer<1>().weights.data()) % dr::alignment == 0);
  const auto& l2 = net->layer<1>();
  for (std::size_t k = 0; k < 800; ++k)
    for (std::size_t j = 10; j < l2.padded_out; ++j)
      REQUIRE(l2.weights[k * l2.padded_out + j] == 0);
}

TEST_CASE("initialisation: same seed bit-identical, He and Glorot scales", "[network][init]") {
  auto a = dr::make_network<784, 128, 10>(42);
  auto b = dr::make_network<784, 128, 10>(42);
  auto c = dr::make_network<784, 128, 10>(43);
  REQUIRE(*a == *b);
  REQUIRE_FALSE(*a == *c);

  // He-normal for the ReLU layer: mean 0, sd sqrt(2 / 784).
  double sum = 0, sq = 0;
  const auto& l1 = a->layer<0>();
  for (std::size_t k = 0; k < 784; ++k)
    for (std::size_t j = 0; j < 128; ++j) {
      sum += l1.weight(j, k);
      sq += double(l1.weight(j, k)) * l1.weight(j, k);
    }
  const double n = 784 * 128, mean = sum / n, sd = std::sqrt(sq / n - mean * mean);
  REQUIRE(std::fabs(mean) < 0.001);
  REQUIRE(sd == Approx(std::sqrt(2.0 / 784)).epsilon(0.02));

  // Glorot-uniform for the output layer: within +-sqrt(6 / (128 + 10)).
  const double limit = std::sqrt(6.0 / 138);
  double top = 0;
  for (std::size_t k = 0; k < 128; ++k)
    for (std::size_t j = 0; j < 10; ++j)
      top = std::max(top, double(std::fabs(a->layer<1>().weight(j, k))));
  REQUIRE(top <= limit);
  REQUIRE(top > 0.9 * limit);
}
