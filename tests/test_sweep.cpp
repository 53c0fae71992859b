// `digit-recognizer sweep` and `report` end to end on a tiny generated data set: 2 noise levels x
// 2 seeds, every output file, resume by skipping finished cells, and the report rebuilt from the
// cells alone.
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "support/run_command.hpp"
#include "support/synthetic_digits.hpp"

namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// Width and height from a PNG's IHDR chunk, after checking the 8-byte signature.
std::pair<std::uint32_t, std::uint32_t> png_size(const fs::path& file) {
  const std::string bytes = read_text(file);
  REQUIRE(bytes.size() > 24);
  REQUIRE(bytes.substr(0, 8) == "\x89PNG\r\n\x1a\n");
  REQUIRE(bytes.substr(12, 4) == "IHDR");
  auto be32 = [&](std::size_t at) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i) v = v << 8 | static_cast<unsigned char>(bytes[at + i]);
    return v;
  };
  return {be32(16), be32(20)};
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

struct Folder {
  fs::path dir;
  std::string train, test;
};

Folder make_data(const std::string& name) {
  Folder f{dr::test::fresh_folder(name), {}, {}};
  dr::test::write_kaggle_csv(f.dir / "train.csv", dr::test::synthetic_digits(400, 1), true);
  dr::test::write_kaggle_csv(f.dir / "test.csv", dr::test::synthetic_digits(150, 2), true);
  f.train = (f.dir / "train.csv").string();
  f.test = (f.dir / "test.csv").string();
  return f;
}

std::string sweep_args(const Folder& f, const std::string& out, int epochs = 2) {
  return "sweep --train " + f.train + " --test " + f.test +
         " --noise 0,0.2 --seeds 2 --hidden 32 --epochs " + std::to_string(epochs) +
         " --fgsm 0.05,0.1,0.2 --pgd 0.1 --out " + out;
}

}  // namespace

TEST_CASE("sweep: 2 levels x 2 seeds write every file, a rerun skips, report reproduces the csv",
          "[sweep]") {
  const auto f = make_data("sweep");
  const auto out = f.dir / "study";

  auto first = dr::test::run_driver(sweep_args(f, out.string()));
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  REQUIRE(count(first.output, "] cell ") == 4);  // one line per finished cell...
  REQUIRE_THAT(first.output,
               Catch::Contains("[4/4]") && Catch::Contains("ETA"));  // ...with progress

  for (int cell = 0; cell < 4; ++cell)
    REQUIRE(fs::exists(out / "cells" / (std::to_string(cell) + ".json")));
  REQUIRE_FALSE(fs::exists(out / "cells" / "4.json"));
  for (const char* file : {"sweep.csv", "sweep.json", "sweep.md"})
    REQUIRE(fs::file_size(out / file) > 0);

  // One row per cell and condition: clean, noise 0.2, FGSM x 3, PGD.
  const std::string csv = read_text(out / "sweep.csv");
  REQUIRE(count(csv, "\n") == 1 + 4 * 6);
  REQUIRE_THAT(csv, Catch::StartsWith("cell,train_noise,seed,"));
  REQUIRE_THAT(csv, Catch::Contains(",FGSM 0.2,fgsm,0.2,") &&
                        Catch::Contains(",PGD 0.1,pgd,0.1,") &&
                        Catch::Contains(",noise 0.2,noise,0.2,"));

  const std::string md = read_text(out / "sweep.md");
  REQUIRE_THAT(md, Catch::Contains("| train noise | n | clean | noise 0.2 | FGSM 0.05 | FGSM 0.1 | "
                                   "FGSM 0.2 | PGD 0.1 |"));
  REQUIRE_THAT(md, Catch::Contains("\n| 0 | 2 |") && Catch::Contains("\n| 0.2 | 2 |") &&
                       Catch::Contains(" ± "));
  REQUIRE_THAT(read_text(out / "sweep.json"),
               Catch::Contains("\"n\": 2") && Catch::Contains("\"sd\": "));

  const std::pair<const char*, std::pair<std::uint32_t, std::uint32_t>> pngs[] = {
      {"accuracy_vs_train_noise.png", {900, 600}},
      {"noise_heatmap.png", {800, 600}},
      {"accuracy_vs_fgsm.png", {900, 600}},
      {"confusion.png", {700, 600}}};
  for (const auto& [name, size] : pngs) {
    INFO(name);
    REQUIRE(png_size(out / name) == size);
  }

  SECTION("a rerun skips the finished cells and leaves them as they were") {
    const std::string cell0 = read_text(out / "cells" / "0.json");
    auto again = dr::test::run_driver(sweep_args(f, out.string()));
    INFO(again.output);
    REQUIRE(again.exit_code == 0);
    REQUIRE(count(again.output, "skipped") == 4);
    REQUIRE(count(again.output, "] cell ") == 0);
    REQUIRE(read_text(out / "cells" / "0.json") == cell0);
  }

  SECTION("a changed configuration runs the cell again") {
    auto changed = dr::test::run_driver(sweep_args(f, out.string(), 1) + " --cell 3");
    INFO(changed.output);
    REQUIRE(changed.exit_code == 0);
    REQUIRE(count(changed.output, "] cell 3 ") == 1);
    // The cells now disagree: report names the stale one instead of mixing them.
    auto report = dr::test::run_driver("report " + out.string());
    REQUIRE(report.exit_code == 1);
    REQUIRE_THAT(report.output, Catch::Contains("3.json: made with a different \"recipe\""));
  }

  SECTION("report on the cells alone reproduces sweep.csv") {
    const std::string before = read_text(out / "sweep.csv");
    const std::string md_before = read_text(out / "sweep.md");
    for (const char* file : {"sweep.csv", "sweep.json", "sweep.md", "confusion.png"})
      fs::remove(out / file);
    auto report = dr::test::run_driver("report " + out.string());
    INFO(report.output);
    REQUIRE(report.exit_code == 0);
    REQUIRE(read_text(out / "sweep.csv") == before);
    REQUIRE(read_text(out / "sweep.md") == md_before);
    REQUIRE(png_size(out / "confusion.png") == std::make_pair(700u, 600u));
  }

  SECTION("without gnuplot the tables are still written, with a warning") {
    fs::remove(out / "sweep.csv");
    ::setenv("DR_GNUPLOT", "/nonexistent/gnuplot", 1);
    auto report = dr::test::run_driver("report " + out.string());
    ::unsetenv("DR_GNUPLOT");
    INFO(report.output);
    REQUIRE(report.exit_code == 0);
    REQUIRE_THAT(report.output, Catch::Contains("warning: cannot run /nonexistent/gnuplot"));
    REQUIRE(fs::exists(out / "sweep.csv"));
  }
  fs::remove_all(f.dir);
}

TEST_CASE("sweep: --cell K runs only cell K and writes no report", "[sweep]") {
  const auto f = make_data("sweep_cell");
  const auto out = f.dir / "study";
  auto one = dr::test::run_driver(sweep_args(f, out.string()) + " --cell 2");
  INFO(one.output);
  REQUIRE(one.exit_code == 0);
  REQUIRE(fs::exists(out / "cells" / "2.json"));
  REQUIRE_FALSE(fs::exists(out / "cells" / "0.json"));
  REQUIRE_FALSE(fs::exists(out / "sweep.csv"));
  // Cell 2 is the second level's first seed.
  const std::string cell = read_text(out / "cells" / "2.json");
  REQUIRE_THAT(cell, Catch::Contains("\"train_noise\": 0.2") && Catch::Contains("\"seed\": 1,"));

  auto bad = dr::test::run_driver(sweep_args(f, out.string()) + " --cell 4");
  REQUIRE(bad.exit_code == 2);
  REQUIRE_THAT(bad.output, Catch::Contains("--cell 4: this sweep has cells 0 to 3"));
  fs::remove_all(f.dir);
}
