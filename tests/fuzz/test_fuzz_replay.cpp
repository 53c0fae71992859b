// Replays every seed of tests/fuzz/corpus/<target>/ and every input a fuzzer ever crashed on,
// saved under tests/fuzz/regressions/<target>/, through the harnesses the fuzzers run.
#include <catch2/catch.hpp>
#include <filesystem>
#include <vector>

#include "data_files.hpp"
#include "harnesses.hpp"

namespace fs = std::filesystem;

namespace {

/// The files of `folder` (none if it does not exist), sorted for a stable order.
std::vector<fs::path> files_in(const fs::path& folder) {
  std::vector<fs::path> files;
  if (fs::is_directory(folder))
    for (const auto& entry : fs::directory_iterator(folder))
      if (entry.is_regular_file()) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<std::uint8_t> read_bytes(const fs::path& file) {
  const std::string text = dr::test::read_text(file);
  return {text.begin(), text.end()};
}

}  // namespace

TEST_CASE("fuzz replay: every corpus and regression input gets a clean answer", "[fuzz]") {
  const fs::path root = DR_FUZZ_DIR;
  const dr::test::TempDir out;
  for (const auto& target : dr::fuzz::targets) {
    const auto seeds = files_in(root / "corpus" / target.name);
    INFO("target " << target.name);
    REQUIRE(seeds.size() >= 3);
    auto inputs = seeds;
    for (const auto& crash : files_in(root / "regressions" / target.name)) inputs.push_back(crash);
    for (const auto& input : inputs) {
      INFO("input " << input.string());
      const auto bytes = read_bytes(input);
      if (std::string_view(target.name) == "submission") {
        // The replay also writes the submission to disk, which the fuzzer skips for speed.
        const auto written = out / "submission.csv";
        dr::fuzz::submission(bytes, &written);
      } else {
        target.run(bytes);
      }
      SUCCEED();
    }
  }
}

TEST_CASE("fuzz replay: the harnesses accept the valid seeds", "[fuzz]") {
  // Seeds named valid-* are well-formed files: a harness that rejected them would fuzz nothing
  // but the rejection paths.
  const fs::path root = DR_FUZZ_DIR;
  SECTION("kaggle csv") {
    for (const auto& file : files_in(root / "corpus" / "kaggle_csv")) {
      if (!file.filename().string().starts_with("valid-")) continue;
      INFO(file.string());
      const auto text = dr::fuzz::kaggle_csv_text(read_bytes(file));
      REQUIRE(dr::parse_kaggle_csv(text, file.string()).rows() >= 1);
    }
  }
  SECTION("idx") {
    for (const auto& file : files_in(root / "corpus" / "idx")) {
      if (!file.filename().string().starts_with("valid-")) continue;
      INFO(file.string());
      const auto bytes = read_bytes(file);
      const bool images = file.filename().string().find("images") != std::string::npos;
      REQUIRE((images ? dr::parse_idx_images(bytes, file.string()).rows()
                      : dr::parse_idx_labels(bytes, file.string()).size()) >= 1);
    }
  }
  SECTION("model file") {
    for (const auto& file : files_in(root / "corpus" / "model_file")) {
      if (!file.filename().string().starts_with("valid-")) continue;
      INFO(file.string());
      REQUIRE(dr::parse_model<dr::fuzz::SmallNet>(read_bytes(file), file.string()) != nullptr);
    }
  }
  SECTION("submission") {
    for (const auto& file : files_in(root / "corpus" / "submission")) {
      if (!file.filename().string().starts_with("valid-")) continue;
      INFO(file.string());
      REQUIRE(dr::load_dataset(file).rows() >= 1);
    }
  }
}
