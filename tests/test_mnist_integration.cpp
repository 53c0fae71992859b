// On the real MNIST (scripts/fetch-mnist.sh puts it in data/mnist; scripts/test.sh fetches it).
#include <catch2/catch.hpp>
#include <filesystem>

#include "dr/dr.hpp"

TEST_CASE("mnist: H=32, one epoch on 10,000 training images reaches 90% on the test set",
          "[mnist][integration]") {
  const std::filesystem::path mnist = std::filesystem::path(DR_SOURCE_DIR) / "data" / "mnist";
  const auto train = dr::load_dataset(mnist / "train-images-idx3-ubyte");
  const auto test = dr::load_dataset(mnist / "t10k-images-idx3-ubyte");
  REQUIRE(train.rows() == 60000);
  REQUIRE(test.rows() == 10000);
  REQUIRE(test.labelled());

  using Net = dr::Network<784, 32, 10>;
  auto net = dr::make_network<Net>(1);
  const auto rows = dr::all_rows(10000);
  dr::FitOptions options;
  options.epochs = 1;
  dr::fit(*net, dr::Sgd<Net>({.momentum = 0.9f, .nesterov = true}), dr::ConstantLr{0.05f}, train,
          rows, {}, options);
  const double accuracy = dr::evaluate(*net, test, dr::all_rows(test.rows())).accuracy();
  INFO("test accuracy " << accuracy);
  REQUIRE(accuracy >= 0.90);
}
