// The training recipes on the real MNIST (scripts/fetch-mnist.sh puts it in data/mnist): a short
// run of the default (fast) recipe must clear a floor far below its target, so a recipe that
// broke (augmentation garbling digits, a bad schedule) fails CI in seconds.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "support/run_command.hpp"

namespace {

const std::string mnist = std::string(DR_SOURCE_DIR) + "/data/mnist/";

/// The test accuracy in percent that `evaluate` printed.
double printed_accuracy(const std::string& output) {
  const auto at = output.find("accuracy ");
  REQUIRE(at != std::string::npos);
  return std::stod(output.substr(at + 9));
}

}  // namespace

TEST_CASE("recipe: three epochs of --recipe fast on MNIST reach 97% on the test set",
          "[recipe][mnist]") {
  const auto dir = dr::test::fresh_folder("recipe_fast");
  const std::string model = (dir / "fast.bin").string();
  // The full recipe (30 epochs) reaches about 98.8%; three epochs of it 97.94% (seed 1).
  const auto train = dr::test::run_driver("train --train " + mnist + "train-images-idx3-ubyte " +
                                          "--recipe fast --epochs 3 --hidden 128 --model " + model);
  INFO(train.output);
  REQUIRE(train.exit_code == 0);
  REQUIRE_THAT(train.output, Catch::Contains("epoch 3/3"));
  REQUIRE_FALSE(std::filesystem::exists(model + ".checkpoint"));

  const auto info = dr::test::run_driver("info --model " + model);
  REQUIRE_THAT(info.output,
               Catch::Contains("recipe = fast") && Catch::Contains("augment = affine"));

  const auto evaluate = dr::test::run_driver("evaluate --model " + model + " --test " + mnist +
                                             "t10k-images-idx3-ubyte");
  INFO(evaluate.output);
  REQUIRE(evaluate.exit_code == 0);
  REQUIRE(printed_accuracy(evaluate.output) >= 97.0);
}

TEST_CASE("recipe: options given explicitly override the recipe's", "[recipe][mnist]") {
  const auto dir = dr::test::fresh_folder("recipe_override");
  const std::string model = (dir / "m.bin").string();
  const auto train =
      dr::test::run_driver("train --train " + mnist +
                           "train-images-idx3-ubyte --recipe best --epochs 1 --augment none " +
                           "--batch 128 --hidden 10 --model " + model);
  INFO(train.output);
  REQUIRE(train.exit_code == 0);
  REQUIRE_THAT(train.output,
               Catch::Contains("1 epochs, batch 128") && Catch::Contains("epoch 1/1"));
  const auto info = dr::test::run_driver("info --model " + model);
  REQUIRE_THAT(info.output, Catch::Contains("recipe = best") && Catch::Contains("augment = none") &&
                                Catch::Contains("warmup = 1"));

  const auto bad = dr::test::run_driver("train --train x --model m --augment twist");
  REQUIRE(bad.exit_code == 2);
}
