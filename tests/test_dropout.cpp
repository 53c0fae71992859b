// Dropout on the hidden layers (train_step.hpp): the Trainer's update is the gradient of the loss
// of the network thinned by the step's mask, the mask drops the asked share of units and changes
// with every step, and bad rates are refused.
#include <catch2/catch.hpp>
#include <cmath>

#include "dr/dr.hpp"
#include "support/random_data.hpp"

namespace {

using dr::real;
constexpr std::size_t rows = 5;
constexpr dr::TrainerSettings with_dropout{.dropout = 0.4f, .seed = 11};

/// One plain SGD step (no momentum) of a fresh Trainer on a copy of `net`: returns the copy
/// after the step and the loss before it. Every fresh Trainer draws step 0's mask, so these
/// losses are all of one thinned network.
template <class Net>
std::pair<std::unique_ptr<Net>, double> one_step(const Net& net, const std::vector<real>& x,
                                                 const std::vector<std::uint8_t>& y, real lr,
                                                 dr::TrainerSettings settings = with_dropout) {
  auto copy = std::make_unique<Net>(net);
  dr::Trainer trainer(*copy, dr::Sgd<Net>({.momentum = 0}), settings);
  const double loss = trainer.step(x.data(), y.data(), y.size(), lr);
  return {std::move(copy), loss};
}

/// Sigmoid and tanh layers: smooth, and their derivative is computed from the stored output,
/// which dropout has scaled, so they check that the backward pass undoes the scale.
template <class Net>
void check_gradient_through_mask(std::uint64_t seed) {
  auto net = dr::make_zeroed<Net>();
  dr::test::randomize(*net, seed);
  auto x = dr::test::random_matrix(rows, Net::in_size, seed + 1);
  const auto y = dr::test::random_labels(rows, Net::out_size, seed + 2);
  // With lr 1 and no momentum, a step subtracts exactly the gradient.
  const auto [stepped, loss] = one_step(*net, x, y, 1);
  REQUIRE(loss != one_step(*net, x, y, 0, {}).second);  // the mask changed the loss

  const real h = 1e-2f;
  std::size_t checked = 0;
  Net::for_each_parameter_block(
      [&](auto p, auto after, bool is_bias) {
        for (std::size_t i = 0; i < p.size(); ++i) {
          const double analytic = double(p[i]) - double(after[i]);
          const real saved = p[i];
          if (saved == 0 && analytic == 0) continue;  // padding
          p[i] = saved + h;
          const double up = one_step(*net, x, y, 0).second;
          p[i] = saved - h;
          const double down = one_step(*net, x, y, 0).second;
          p[i] = saved;
          const double numeric = (up - down) / (2 * h);
          INFO((is_bias ? "bias " : "weight ")
               << i << ": analytic " << analytic << " numeric " << numeric);
          REQUIRE(std::fabs(analytic - numeric) <=
                  1e-2 * std::max({1e-1, std::fabs(analytic), std::fabs(numeric)}));
          ++checked;
        }
      },
      *net, *stepped);
  REQUIRE(checked > 0);
}

}  // namespace

TEST_CASE("dropout: the step follows the gradient of the thinned network", "[dropout]") {
  SECTION("sigmoid") {
    check_gradient_through_mask<dr::NetworkWith<dr::Sigmoid, 7, 9, 3>>(1);
  }
  SECTION("tanh, two hidden layers") {
    check_gradient_through_mask<dr::NetworkWith<dr::Tanh, 6, 11, 8, 4>>(2);
  }
}

TEST_CASE("dropout: about p of the hidden units drop, a new set every step", "[dropout]") {
  // A sigmoid unit's bias gradient is zero exactly when the unit was dropped (sigmoid' > 0).
  using Net = dr::NetworkWith<dr::Sigmoid, 4, 1000, 3>;
  auto net = dr::make_network<Net>(3);
  const auto x = dr::test::random_matrix(1, 4, 4);
  const std::vector<std::uint8_t> y = {1};
  const auto dropped_in_step = [&](std::uint64_t step, real p) {
    auto copy = std::make_unique<Net>(*net);
    dr::Trainer trainer(*copy, dr::Sgd<Net>({.momentum = 0}), {.dropout = p, .seed = 5});
    auto before = std::make_unique<Net>(*copy);
    for (std::uint64_t s = 0; s <= step; ++s) {
      *before = *copy;
      trainer.step(x.data(), y.data(), 1, 1);
    }
    std::vector<bool> dropped(1000);
    for (std::size_t j = 0; j < 1000; ++j)
      dropped[j] = before->layer<0>().bias[j] == copy->layer<0>().bias[j];
    return dropped;
  };
  for (real p : {0.0f, 0.3f, 0.5f}) {
    INFO("p " << p);
    const auto first = dropped_in_step(0, p);
    const auto count = std::count(first.begin(), first.end(), true);
    // Binomial(1000, p): within 4 standard deviations (at most 63 units) of 1000 p.
    REQUIRE(std::abs(double(count) - 1000 * p) <= 4 * std::sqrt(1000 * p * (1 - p)) + 0.5);
    if (p > 0) REQUIRE(first != dropped_in_step(1, p));
  }
}

TEST_CASE("dropout: rates below 0 and from 1 up are refused", "[dropout]") {
  using Net = dr::Network<4, 3, 2>;
  auto net = dr::make_network<Net>(1);
  for (real p : {-0.1f, 1.0f, 1.5f, std::nanf("")})
    REQUIRE_THROWS_WITH((dr::Trainer(*net, dr::Sgd<Net>(), {.dropout = p})),
                        Catch::StartsWith("dropout must be in [0, 1), got "));
}
