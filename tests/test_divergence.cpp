// A learning rate that blows the loss up stops training with the epoch and the learning rate in
// the message, and leaves the earlier model file as it was.
#include <catch2/catch.hpp>
#include <fstream>

#include "support/refusal.hpp"
#include "support/synthetic_digits.hpp"

TEST_CASE("divergence: a huge --lr stops with the epoch and the rate, the old model untouched",
          "[divergence]") {
  const auto dir = dr::test::fresh_folder("divergence");
  dr::test::write_kaggle_csv(dir / "train.csv", dr::test::synthetic_digits(200, 1), true);
  std::ofstream(dir / "model.bin", std::ios::binary) << "the previous model";
  const std::string d = dir.string();
  dr::test::check_refused(
      dir,
      "train --quiet --hidden 32 --epochs 3 --schedule constant --lr 1e8 "
      "--train " +
          d + "/train.csv --model " + d + "/model.bin",
      1, {"training diverged in epoch 1 ", "at learning rate 1e+08; try a smaller --lr"});
}
