#include <catch2/catch.hpp>
#include <filesystem>

#include "dr/model_file.hpp"
#include "support/random_data.hpp"

namespace fs = std::filesystem;

namespace {
fs::path scratch(const char* name) {
  const auto dir = fs::temp_directory_path() / ("dr_model_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}
using Small = dr::Network<784, 32, 10>;
}  // namespace

TEST_CASE("model file: save and load round trip is bit-identical", "[model_file]") {
  auto net = dr::make_network<Small>(5);
  dr::test::randomize(*net, 5);
  const auto path = scratch("round.bin");
  dr::save_model(path, *net, {{"seed", "5"}, {"epochs", "3"}});
  dr::ModelInfo info;
  auto back = dr::load_model<Small>(path, &info);
  REQUIRE(*back == *net);
  REQUIRE(info.shape() == "784-32-10");
  REQUIRE(info.metadata.at("seed") == "5");
  REQUIRE(info.metadata.at("epochs") == "3");
  // magic, version, size count, 3 sizes, activation, metadata length + text, count, floats, CRC
  const std::size_t metadata_text = std::string("epochs=3\nseed=5\n").size();
  REQUIRE(fs::file_size(path) ==
          8 + 4 + 4 + 12 + 4 + 4 + metadata_text + 8 + Small::param_count * 4 + 4);
  // No temporary left beside it.
  for (const auto& e : fs::directory_iterator(path.parent_path()))
    REQUIRE(e.path().filename().string().find(".tmp") == std::string::npos);
}

TEST_CASE("model file: damaged or foreign files are rejected with a reason", "[model_file]") {
  auto net = dr::make_network<Small>(1);
  const auto bytes = dr::serialize_model(*net, {{"seed", "1"}});
  auto load = [](std::vector<std::uint8_t> b) { dr::parse_model<Small>(b, "m.bin"); };

  SECTION("other sizes") {
    auto other = dr::make_network<784, 64, 10>(1);
    REQUIRE_THROWS_WITH(load(dr::serialize_model(*other)),
                        "m.bin is 784-64-10 (relu) but this program expects 784-32-10 (relu)");
  }
  SECTION("other activation") {
    auto other = dr::make_network<dr::NetworkWith<dr::Tanh, 784, 32, 10>>(1);
    REQUIRE_THROWS_WITH(load(dr::serialize_model(*other)),
                        "m.bin is 784-32-10 (tanh) but this program expects 784-32-10 (relu)");
  }
  SECTION("truncated") {
    auto cut = bytes;
    cut.resize(cut.size() - 1000);
    REQUIRE_THROWS_WITH(load(cut), Catch::Contains("m.bin: offset ") &&
                                       Catch::Contains("truncated: a 784-32-10 model needs"));
    cut.resize(10);
    REQUIRE_THROWS_WITH(load(cut), "m.bin: offset 8: truncated: the file ends inside the header");
  }
  SECTION("one flipped payload byte") {
    auto flipped = bytes;
    flipped[flipped.size() / 2] ^= 0x10;
    REQUIRE_THROWS_WITH(load(flipped), Catch::EndsWith("checksum mismatch: the file is corrupted"));
  }
  SECTION("future format version") {
    auto future = bytes;
    future[8] = 2;
    REQUIRE_THROWS_WITH(load(future), Catch::StartsWith("m.bin: offset 8: model format version 2 "
                                                        "is not one this program reads"));
  }
  SECTION("not a model") {
    const std::string csv = "label,pixel0\n";
    REQUIRE_THROWS_WITH(load({csv.begin(), csv.end()}),
                        "m.bin: offset 0: not a digit-recognizer model file (bad magic)");
  }
  SECTION("extra bytes") {
    auto longer = bytes;
    longer.push_back(0);
    REQUIRE_THROWS_WITH(load(longer), Catch::EndsWith("1 unexpected bytes after the end"));
  }
  SECTION("the intact file loads") {
    REQUIRE_NOTHROW(load(bytes));
  }
}

TEST_CASE("model file: missing file and missing folder", "[model_file]") {
  REQUIRE_THROWS_WITH(dr::load_model<Small>("/nonexistent/m.bin"),
                      "/nonexistent/m.bin: no such file");
  auto net = dr::make_network<Small>(1);
  REQUIRE_THROWS_WITH(dr::save_model("/nonexistent/dir/m.bin", *net),
                      Catch::StartsWith("/nonexistent/dir/m.bin: cannot create"));
}
