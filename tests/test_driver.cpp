// The driver end to end on generated Kaggle CSV files: train, info, evaluate, predict.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "support/run_command.hpp"
#include "support/synthetic_digits.hpp"

namespace fs = std::filesystem;

TEST_CASE("driver: train, evaluate, predict on Kaggle CSV files", "[driver]") {
  const auto dir = dr::test::fresh_folder("driver");
  dr::test::write_kaggle_csv(dir / "train.csv", dr::test::synthetic_digits(600, 1), true);
  dr::test::write_kaggle_csv(dir / "test.csv", dr::test::synthetic_digits(123, 2), false);
  dr::test::write_kaggle_csv(dir / "labelled.csv", dr::test::synthetic_digits(200, 3), true);
  const std::string d = dir.string();

  auto train = dr::test::run_driver("train --train " + d +
                                    "/train.csv --hidden 32 --epochs 12 "
                                    "--validation 0.1 --seed 5 --model " +
                                    d + "/m.bin");
  INFO(train.output);
  REQUIRE(train.exit_code == 0);
  REQUIRE_THAT(train.output, Catch::Contains("epoch 12/12") && Catch::Contains("validation"));
  REQUIRE(fs::exists(dir / "m.bin"));

  auto info = dr::test::run_driver("info --model " + d + "/m.bin");
  REQUIRE(info.exit_code == 0);
  REQUIRE_THAT(info.output, Catch::Contains("network 784-32-10") && Catch::Contains("seed = 5") &&
                                Catch::Contains("epochs = 12") && Catch::Contains("lr = 0.05\n") &&
                                Catch::Contains("validation = 0.1\n"));

  auto evaluate =
      dr::test::run_driver("evaluate --model " + d + "/m.bin --test " + d + "/labelled.csv");
  INFO(evaluate.output);
  REQUIRE(evaluate.exit_code == 0);
  REQUIRE_THAT(evaluate.output, Catch::Contains("of 200) on") && Catch::Contains("truth\\pred"));
  // The blocks make the classes easy: anything but a near-perfect score means a broken pipeline.
  const auto at = evaluate.output.find("accuracy ");
  REQUIRE(at != std::string::npos);
  REQUIRE(std::stod(evaluate.output.substr(at + 9)) > 95.0);

  auto predict = dr::test::run_driver("predict --model " + d + "/m.bin --test " + d +
                                      "/test.csv --out " + d + "/submission.csv");
  INFO(predict.output);
  REQUIRE(predict.exit_code == 0);
  std::ifstream submission(dir / "submission.csv");
  std::string line;
  REQUIRE(std::getline(submission, line));
  REQUIRE(line == "ImageId,Label");
  int expected_id = 1;
  while (std::getline(submission, line)) {
    std::istringstream row(line);
    int id, label;
    char comma;
    REQUIRE((row >> id >> comma >> label));
    REQUIRE(id == expected_id++);
    REQUIRE(label >= 0);
    REQUIRE(label <= 9);
  }
  REQUIRE(expected_id == 124);
}

TEST_CASE("driver: train says how long it waited for batch makers only when they ran", "[driver]") {
  const auto dir = dr::test::fresh_folder("driver_batch_makers");
  dr::test::write_kaggle_csv(dir / "train.csv", dr::test::synthetic_digits(200, 4), true);
  const std::string d = dir.string();
  const auto train = [&](const std::string& flags) {
    auto run = dr::test::run_driver("train --train " + d + "/train.csv --hidden 32 --epochs 1 " +
                                    flags + " --model " + d + "/m.bin");
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    REQUIRE_THAT(run.output, Catch::Contains("trained in ") &&
                                 Catch::Contains("; model written to " + d + "/m.bin"));
    return run.output;
  };
  REQUIRE_THAT(train("--augment shift --noise 0"),
               Catch::Contains("of it waiting for augmented batches)"));
  // Noise is drawn by the training threads as they gather the pixels.
  REQUIRE_THAT(train("--augment none --noise 0.1"), !Catch::Contains("waiting"));
  REQUIRE_THAT(train("--augment none --noise 0"), !Catch::Contains("waiting"));
}

TEST_CASE("driver: same seed, same model file payload", "[driver]") {
  const auto dir = dr::test::fresh_folder("driver_seed");
  dr::test::write_kaggle_csv(dir / "train.csv", dr::test::synthetic_digits(200, 1), true);
  const std::string d = dir.string();
  for (const char* name : {"a.bin", "b.bin"})
    REQUIRE(dr::test::run_driver("train --quiet --train " + d +
                                 "/train.csv --hidden 10 --epochs 2 "
                                 "--threads 1 --seed 9 --model " +
                                 d + "/" + name)
                .exit_code == 0);
  auto payload = [&](const char* name) {
    std::ifstream in(dir / name, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    // The weights sit just before the CRC (which also covers metadata such as the time taken).
    constexpr std::size_t weight_bytes = (784 * 10 + 10 + 10 * 10 + 10) * 4;
    return bytes.substr(bytes.size() - 4 - weight_bytes, weight_bytes);
  };
  REQUIRE(payload("a.bin") == payload("b.bin"));
}

TEST_CASE("driver: usage errors exit 2 with one line", "[driver]") {
  auto no_args = dr::test::run_driver("");
  REQUIRE(no_args.exit_code == 2);
  auto hidden = dr::test::run_driver("train --train x.csv --model m.bin --hidden 100");
  REQUIRE(hidden.exit_code == 2);
  REQUIRE(hidden.output ==
          "digit-recognizer: --hidden 100 is not compiled in; choose one of 10, 32, 64, 128, 256, "
          "512, 800, 1024 or rebuild with -DDR_HIDDEN_SIZES=\"...;100\"\n");
  auto help = dr::test::run_driver("train --help");
  REQUIRE(help.exit_code == 0);
  REQUIRE_THAT(help.output, Catch::Contains("--validation") && Catch::Contains("--noise"));
}
