#include <catch2/catch.hpp>
#include <cmath>

#include "dr/dr.hpp"
#include "support/random_data.hpp"

using dr::real;

namespace {

// Three Gaussian blobs in 13 dimensions whose centres are far apart: linearly separable.
struct Blobs {
  std::vector<real> x;
  std::vector<std::uint8_t> y;
};
Blobs make_blobs(std::size_t rows, std::uint64_t seed) {
  dr::Rng rng(seed);
  Blobs b{std::vector<real>(rows * 13), std::vector<std::uint8_t>(rows)};
  for (std::size_t r = 0; r < rows; ++r) {
    b.y[r] = static_cast<std::uint8_t>(r % 3);
    for (std::size_t k = 0; k < 13; ++k)
      b.x[r * 13 + k] = (k % 3 == b.y[r] ? 2.0f : 0.0f) + 0.3f * dr::standard_normal(rng);
  }
  return b;
}

template <class Net, class Opt>
std::unique_ptr<Net> train_blobs(std::uint64_t seed, Opt opt, int steps, real lr) {
  auto net = dr::make_network<Net>(seed);
  const auto data = make_blobs(96, 5);
  dr::Trainer trainer(*net, std::move(opt));
  for (int s = 0; s < steps; ++s) {
    const std::size_t start = (s % 3) * 32;
    trainer.step(data.x.data() + start * 13, data.y.data() + start, 32, lr);
  }
  return net;
}

}  // namespace

TEST_CASE("training: a separable problem reaches 100% training accuracy", "[training]") {
  using Net = dr::Network<13, 16, 3>;
  auto net = train_blobs<Net>(1, dr::Sgd<Net>({.momentum = 0.9f}), 150, 0.05f);
  const auto data = make_blobs(96, 5);
  std::vector<std::uint8_t> predicted(96);
  dr::Workspace<Net> ws;
  dr::predict(*net, ws, data.x.data(), 96, predicted.data());
  REQUIRE(predicted == data.y);
}

TEST_CASE("training: same seed gives bit-identical weights", "[training]") {
  using Net = dr::NetworkWith<dr::Tanh, 13, 16, 3>;
  auto a = train_blobs<Net>(7, dr::Adam<Net>(), 40, 0.01f);
  auto b = train_blobs<Net>(7, dr::Adam<Net>(), 40, 0.01f);
  auto c = train_blobs<Net>(8, dr::Adam<Net>(), 40, 0.01f);
  REQUIRE(*a == *b);
  REQUIRE_FALSE(*a == *c);
}

TEST_CASE("optimizers: SGD, Nesterov and Adam approach a known convex minimum", "[training]") {
  // Softmax regression where every input appears with labels 0, 1, 2 in the ratio 5:3:2. The
  // loss is convex and its minimum is the entropy of (0.5, 0.3, 0.2), reached when the
  // prediction ignores x and the biases give those probabilities.
  using Net = dr::Network<4, 3>;
  constexpr std::size_t inputs = 6, rows = inputs * 10;
  const auto features = dr::test::random_matrix(inputs, 4, 3, -0.5f, 0.5f);
  std::vector<real> x(rows * 4);
  std::vector<std::uint8_t> y(rows);
  for (std::size_t r = 0; r < rows; ++r) {
    std::copy_n(features.begin() + (r / 10) * 4, 4, x.begin() + r * 4);
    const std::size_t slot = r % 10;
    y[r] = slot < 5 ? 0 : slot < 8 ? 1 : 2;
  }
  const double minimum = -(0.5 * std::log(0.5) + 0.3 * std::log(0.3) + 0.2 * std::log(0.2));

  auto run = [&](auto optimizer, real lr, int steps) {
    auto net = dr::make_network<Net>(11);
    dr::Trainer trainer(*net, std::move(optimizer));
    const double first = trainer.step(x.data(), y.data(), rows, lr);
    double last = first;
    for (int s = 0; s < steps; ++s) last = trainer.step(x.data(), y.data(), rows, lr);
    REQUIRE(first > minimum + 0.05);
    REQUIRE(last == Approx(minimum).margin(2e-3));
  };
  SECTION("sgd with momentum") {
    run(dr::Sgd<Net>({.momentum = 0.9f}), 0.5f, 400);
  }
  SECTION("sgd with Nesterov momentum") {
    run(dr::Sgd<Net>({.momentum = 0.9f, .nesterov = true}), 0.5f, 400);
  }
  SECTION("plain sgd") {
    run(dr::Sgd<Net>({.momentum = 0}), 2.0f, 1500);
  }
  SECTION("adam") {
    run(dr::Adam<Net>(), 0.05f, 600);
  }
}

TEST_CASE("optimizers: weight decay shrinks weights but not biases", "[training]") {
  using Net = dr::Network<3, 2>;
  auto net = dr::make_network<Net>(1);
  net->layer<0>().bias[0] = 1;
  const Net before = *net;
  auto zero_grad = dr::make_zeroed<Net>();
  dr::Sgd<Net> sgd({.momentum = 0, .weight_decay = 0.5f});
  sgd.step(*net, *zero_grad, 0.1f);
  // w -= lr * decay * w  ->  w * 0.95
  REQUIRE(net->layer<0>().weight(1, 2) == Approx(before.layer<0>().weight(1, 2) * 0.95f));
  REQUIRE(net->layer<0>().bias[0] == 1);
  dr::Adam<Net> adam({.weight_decay = 0.5f});
  *net = before;
  adam.step(*net, *zero_grad, 0.1f);
  REQUIRE(net->layer<0>().weight(0, 0) == Approx(before.layer<0>().weight(0, 0) * 0.95f));
  REQUIRE(net->layer<0>().bias[0] == 1);
}

TEST_CASE("schedules: constant, step and cosine with warm-up", "[schedule]") {
  REQUIRE(dr::ConstantLr{0.1f}(7.5) == 0.1f);
  const dr::StepLr step{0.1f, 2, 0.5f};
  REQUIRE(step(0) == Approx(0.1f));
  REQUIRE(step(1.99) == Approx(0.1f));
  REQUIRE(step(2) == Approx(0.05f));
  REQUIRE(step(5) == Approx(0.025f));
  const dr::CosineLr cosine{0.2f, 11, 1, 0.01f};
  REQUIRE(cosine(0) == 0);
  REQUIRE(cosine(0.5) == Approx(0.1f));
  REQUIRE(cosine(1) == Approx(0.2f));
  REQUIRE(cosine(6) == Approx(0.105f));  // halfway down: (0.2 + 0.01) / 2
  REQUIRE(cosine(11) == Approx(0.01f));
  REQUIRE(cosine(20) == Approx(0.01f));
}
