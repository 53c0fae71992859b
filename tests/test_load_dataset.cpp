#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "data_files.hpp"
#include "dr/data/load.hpp"

using dr::test::read_text;
using dr::test::TempDir;

namespace {

/// Writes `data` as MNIST files named `images` and `labels` in `dir`, gzipped when a name ends
/// in ".gz".
void write_mnist(const TempDir& dir, const dr::Dataset& data, const std::string& images,
                 const std::string& labels) {
  auto put = [&dir](const std::string& name, auto write) {
    if (!name.ends_with(".gz")) return write(dir / name);
    write(dir / "raw");
    dr::test::write_gzip(dir / name, read_text(dir / "raw"));
    std::filesystem::remove(dir / "raw");
  };
  put(images, [&](const auto& path) { dr::write_idx_images(path, data.pixels); });
  put(labels, [&](const auto& path) { dr::write_idx_labels(path, data.labels); });
}

}  // namespace

TEST_CASE("load dataset: CSV and IDX of the same images load identically") {
  const TempDir dir;
  const auto expected = dr::test::random_dataset(6, 21);
  dir.write("train.csv", dr::test::kaggle_csv(expected));
  write_mnist(dir, expected, "train-images-idx3-ubyte", "train-labels-idx1-ubyte");

  const auto from_csv = dr::load_dataset(dir / "train.csv");
  const auto from_idx = dr::load_dataset(dir / "train-images-idx3-ubyte");
  CHECK(from_csv.pixels == expected.pixels);
  CHECK(from_csv.labels == expected.labels);
  CHECK(from_idx.pixels == from_csv.pixels);
  CHECK(from_idx.labels == from_csv.labels);

  // And back: the loaded IDX data written as CSV is the same text.
  CHECK(dr::test::kaggle_csv(from_idx) == read_text(dir / "train.csv"));
}

TEST_CASE("load dataset: MNIST images find their label file beside them") {
  const auto expected = dr::test::random_dataset(3, 22);
  const std::pair<std::string, std::string> names[] = {
      {"train-images-idx3-ubyte", "train-labels-idx1-ubyte"},
      {"t10k-images.idx3-ubyte", "t10k-labels.idx1-ubyte"},
      {"t10k-images.idx3-ubyte", "t10k-labels-idx1-ubyte"},
      {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"},
      {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte"},
      {"train-images-idx3-ubyte", "train-labels-idx1-ubyte.gz"},
      {"my-images.bin", "my-labels.bin"},
  };
  for (const auto& [images, labels] : names) {
    INFO(images << " + " << labels);
    const TempDir dir;
    write_mnist(dir, expected, images, labels);
    const auto data = dr::load_dataset(dir / images);
    CHECK(data.pixels == expected.pixels);
    CHECK(data.labels == expected.labels);
  }
}

TEST_CASE("load dataset: IDX images without a label file load unlabelled") {
  const TempDir dir;
  const auto expected = dr::test::random_dataset(2, 23);
  dr::write_idx_images(dir / "train-images-idx3-ubyte", expected.pixels);
  const auto data = dr::load_dataset(dir / "train-images-idx3-ubyte");
  CHECK(data.pixels == expected.pixels);
  CHECK_FALSE(data.labelled());
}

TEST_CASE("load dataset: a label file given explicitly is used and checked") {
  const TempDir dir;
  const auto expected = dr::test::random_dataset(4, 24);
  write_mnist(dir, expected, "digits", "answers");
  CHECK(dr::load_dataset(dir / "digits", dir / "answers").labels == expected.labels);
  dr::write_idx_labels(dir / "few", std::vector<std::uint8_t>{1});
  REQUIRE_THROWS_WITH(
      dr::load_dataset(dir / "digits", dir / "few"),
      (dir / "digits").string() + " has 4 images but " + (dir / "few").string() + " has 1 labels");
  REQUIRE_THROWS_WITH(dr::load_dataset(dir / "digits", dir / "none"),
                      (dir / "none").string() + ": no such file");
}

TEST_CASE("load dataset: the format is decided by content, not extension") {
  const TempDir dir;
  const auto expected = dr::test::random_dataset(2, 25);
  dir.write("really-csv.idx", dr::test::kaggle_csv(expected, "\r\n"));
  dr::write_idx_images(dir / "really-idx.csv", expected.pixels);
  CHECK(dr::load_dataset(dir / "really-csv.idx").labels == expected.labels);
  CHECK(dr::load_dataset(dir / "really-idx.csv").pixels == expected.pixels);
}

TEST_CASE("load dataset: unknown content, label files, empty and missing files are rejected") {
  const TempDir dir;
  dir.write("notes.txt", "hello, world\n");
  REQUIRE_THROWS_WITH(dr::load_dataset(dir / "notes.txt"),
                      (dir / "notes.txt").string() + ": not a Kaggle CSV or MNIST IDX image file");
  dr::test::write_gzip(dir / "notes.gz", "hello, world\n");
  REQUIRE_THROWS_WITH(dr::load_dataset(dir / "notes.gz"),
                      (dir / "notes.gz").string() + ": not a Kaggle CSV or MNIST IDX image file");
  dr::write_idx_labels(dir / "train-labels-idx1-ubyte", std::vector<std::uint8_t>{1});
  REQUIRE_THROWS_WITH(dr::load_dataset(dir / "train-labels-idx1-ubyte"),
                      (dir / "train-labels-idx1-ubyte").string() +
                          ": an MNIST IDX label file; give the image file instead (its labels are "
                          "found beside it)");
  dir.write("empty.csv", "");
  REQUIRE_THROWS_WITH(dr::load_dataset(dir / "empty.csv"),
                      (dir / "empty.csv").string() + ": empty file");
  REQUIRE_THROWS_WITH(dr::load_dataset(dir / "gone.csv"),
                      (dir / "gone.csv").string() + ": no such file");
  REQUIRE_THROWS_WITH(dr::load_dataset(dir.path()), dir.path().string() + ": is a directory");
}

TEST_CASE("load dataset: CSV errors keep their line and column") {
  const TempDir dir;
  const auto file = dir.write("train.csv", dr::test::kaggle_header(true) + "\n11\n");
  REQUIRE_THROWS_WITH(dr::load_dataset(file),
                      file.string() + ":2:1: label '11' is not a digit 0-9");
}
