#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <vector>

#include "data_files.hpp"
#include "dr/data/idx.hpp"

using dr::test::read_text;
using dr::test::TempDir;

namespace {

/// An IDX file's bytes: magic and dimensions big-endian, then `data`; the header may lie.
std::string idx_bytes(std::uint32_t magic, std::initializer_list<std::uint32_t> dims,
                      const std::string& data) {
  std::string out;
  auto put = [&out](std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>(v >> shift);
  };
  put(magic);
  for (const auto d : dims) put(d);
  return out + data;
}

std::span<const std::uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

/// The message parsing `bytes` as IDX images throws, or "" if they parse.
std::string images_error(const std::string& bytes) {
  try {
    dr::parse_idx_images(as_bytes(bytes), "img");
  } catch (const dr::Error& e) {
    return e.what();
  }
  return "";
}

std::string labels_error(const std::string& bytes) {
  try {
    dr::parse_idx_labels(as_bytes(bytes), "lbl");
  } catch (const dr::Error& e) {
    return e.what();
  }
  return "";
}

const std::string two_images(2 * dr::image_pixels, '\x7f');

}  // namespace

TEST_CASE("idx: images and labels round trip through write_idx_images and write_idx_labels") {
  const TempDir dir;
  const auto expected = dr::test::random_dataset(7, 11);
  dr::write_idx_images(dir / "images", expected.pixels);
  dr::write_idx_labels(dir / "labels", expected.labels);
  CHECK(read_text(dir / "images").substr(0, 16) == idx_bytes(2051, {7, 28, 28}, ""));
  const auto data = dr::load_idx(dir / "images", dir / "labels");
  CHECK(data.source == (dir / "images").string());
  CHECK(data.pixels == expected.pixels);
  CHECK(data.labels == expected.labels);
  CHECK_FALSE(dr::load_idx_images(dir / "images").labelled());
}

TEST_CASE("idx: bad magic names the file, offset 0 and the expected magic") {
  CHECK(images_error(idx_bytes(0x12345678, {2, 28, 28}, two_images)) ==
        "img: offset 0: bad magic 0x12345678, expected 2051 (IDX images)");
  CHECK(images_error(idx_bytes(2049, {2}, "\1\2")) ==
        "img: offset 0: bad magic 0x00000801, expected 2051 (IDX images); this is an IDX labels "
        "file");
  CHECK(labels_error(idx_bytes(2051, {2, 28, 28}, two_images)) ==
        "lbl: offset 0: bad magic 0x00000803, expected 2049 (IDX labels); this is an IDX images "
        "file");
}

TEST_CASE("idx: images that are not 28x28 are rejected with their size") {
  CHECK(images_error(idx_bytes(2051, {1, 32, 32}, std::string(1024, '\0'))) ==
        "img: offset 8: images are 32x32, expected 28x28");
}

TEST_CASE("idx: truncated header names where the file ends") {
  CHECK(images_error("") == "img: offset 0: file too short for an IDX header (0 bytes)");
  CHECK(images_error(idx_bytes(2051, {2}, std::string(2, '\0'))) ==
        "img: offset 10: file ends inside the 16-byte IDX header");
  CHECK(labels_error(idx_bytes(2049, {}, std::string(1, '\0'))) ==
        "lbl: offset 5: file ends inside the 8-byte IDX header");
}

TEST_CASE("idx: a count that does not match the file length says declared and actual bytes") {
  // A header claiming four billion images must be refused before anything that size is allocated.
  CHECK(images_error(idx_bytes(2051, {0xFFFFFFFF, 28, 28}, two_images)) ==
        "img: offset 1584: header declares 4294967295 images of 28x28 (3367254359296 bytes), but "
        "the file has 1584 bytes");
  CHECK(images_error(idx_bytes(2051, {3, 28, 28}, two_images)) ==
        "img: offset 1584: header declares 3 images of 28x28 (2368 bytes), but the file has 1584 "
        "bytes");
  CHECK(images_error(idx_bytes(2051, {1, 28, 28}, two_images)) ==
        "img: offset 800: header declares 1 images of 28x28 (800 bytes), but the file has 1584 "
        "bytes");
  CHECK(labels_error(idx_bytes(2049, {3}, "\1\2")) ==
        "lbl: offset 10: header declares 3 labels (11 bytes), but the file has 10 bytes");
  CHECK(images_error(idx_bytes(2051, {0, 28, 28}, "")) ==
        "img: offset 4: the header declares no images");
}

TEST_CASE("idx: label outside 0-9 names its offset") {
  CHECK(labels_error(idx_bytes(2049, {4}, std::string("\1\2\x0a\3", 4))) ==
        "lbl: offset 10: label 10 is not a digit 0-9");
}

TEST_CASE("idx: load_idx rejects different image and label counts naming both files") {
  const TempDir dir;
  dr::write_idx_images(dir / "images", as_bytes(two_images));
  dr::write_idx_labels(dir / "labels", std::vector<std::uint8_t>{1, 2, 3});
  REQUIRE_THROWS_WITH(dr::load_idx(dir / "images", dir / "labels"),
                      (dir / "images").string() + " has 2 images but " + (dir / "labels").string() +
                          " has 3 labels");
}

TEST_CASE("idx: gzip round trip") {
  const TempDir dir;
  const auto expected = dr::test::random_dataset(9, 12);
  dr::write_idx_images(dir / "images", expected.pixels);
  dr::write_idx_labels(dir / "labels", expected.labels);
  dr::test::write_gzip(dir / "images.gz", read_text(dir / "images"));
  dr::test::write_gzip(dir / "labels.gz", read_text(dir / "labels"));
  const auto data = dr::load_idx(dir / "images.gz", dir / "labels.gz");
  CHECK(data.pixels == expected.pixels);
  CHECK(data.labels == expected.labels);

  // Concatenated members, as `cat a.gz b.gz` makes, are one stream.
  const std::string raw = read_text(dir / "images");
  dr::test::write_gzip(dir / "first.gz", raw.substr(0, 1000));
  dr::test::write_gzip(dir / "second.gz", raw.substr(1000));
  const std::string joined = read_text(dir / "first.gz") + read_text(dir / "second.gz");
  CHECK(dr::parse_idx_images(as_bytes(joined), "joined").pixels == expected.pixels);
}

TEST_CASE("idx: truncated gzip names the file and the compressed offset") {
  const TempDir dir;
  const auto expected = dr::test::random_dataset(20, 13);
  dr::write_idx_images(dir / "images", expected.pixels);
  dr::test::write_gzip(dir / "images.gz", read_text(dir / "images"));
  const std::string gz = read_text(dir / "images.gz");
  for (const std::size_t cut : {gz.size() / 2, gz.size() - 4, std::size_t{20}}) {
    dir.write("cut.gz", gz.substr(0, cut));
    REQUIRE_THROWS_WITH(dr::load_idx_images(dir / "cut.gz"),
                        (dir / "cut.gz").string() + ": compressed offset " + std::to_string(cut) +
                            ": truncated gzip data (the file ends inside the compressed stream)");
  }
}

TEST_CASE("idx: corrupt gzip data and trailing garbage are rejected") {
  const TempDir dir;
  dr::test::write_gzip(dir / "labels.gz", idx_bytes(2049, {3}, "\1\2\3"));
  std::string gz = read_text(dir / "labels.gz");
  std::string bad_crc = gz;
  bad_crc[bad_crc.size() - 6] ^= 0x55;  // in the CRC-32 of the trailer
  CHECK_THAT(labels_error(bad_crc), Catch::Matchers::StartsWith("lbl: compressed offset ") &&
                                        Catch::Matchers::Contains(": corrupt gzip data: "));
  CHECK(labels_error(gz + "junk") == "lbl: compressed offset " + std::to_string(gz.size()) +
                                         ": unexpected data after the end of the gzip stream");
}

TEST_CASE("idx: gzipped header lying about its count reports the decompressed length") {
  const TempDir dir;
  dr::test::write_gzip(dir / "lie.gz", idx_bytes(2051, {0xFFFFFFFF, 28, 28}, two_images));
  REQUIRE_THROWS_WITH(dr::load_idx_images(dir / "lie.gz"),
                      (dir / "lie.gz").string() +
                          ": offset 1584: header declares 4294967295 images of 28x28 "
                          "(3367254359296 bytes), but the decompressed data has 1584 bytes");
  dr::test::write_gzip(dir / "long.gz", idx_bytes(2051, {1, 28, 28}, two_images));
  REQUIRE_THROWS_WITH(dr::load_idx_images(dir / "long.gz"),
                      (dir / "long.gz").string() +
                          ": offset 800: header declares 1 images of 28x28 (800 bytes), but the "
                          "decompressed data has 1584 bytes");
}

TEST_CASE("idx: missing file and directory are named") {
  const TempDir dir;
  REQUIRE_THROWS_WITH(dr::load_idx_images(dir / "none"),
                      (dir / "none").string() + ": no such file");
  REQUIRE_THROWS_WITH(dr::load_idx_labels(dir.path()), dir.path().string() + ": is a directory");
}

TEST_CASE("idx: real MNIST from scripts/fetch-mnist.sh loads with its known first labels") {
  const std::filesystem::path mnist = std::filesystem::path(DR_SOURCE_DIR) / "data" / "mnist";
  if (!std::filesystem::exists(mnist / "train-images-idx3-ubyte")) {
    WARN("skipped: run scripts/fetch-mnist.sh to fetch MNIST into " << mnist.string());
    return;
  }
  const auto train =
      dr::load_idx(mnist / "train-images-idx3-ubyte", mnist / "train-labels-idx1-ubyte");
  const auto test =
      dr::load_idx(mnist / "t10k-images-idx3-ubyte", mnist / "t10k-labels-idx1-ubyte");
  CHECK(train.rows() == 60000);
  CHECK(test.rows() == 10000);
  CHECK(std::vector<int>(train.labels.begin(), train.labels.begin() + 5) ==
        std::vector<int>{5, 0, 4, 1, 9});
  CHECK(std::vector<int>(test.labels.begin(), test.labels.begin() + 5) ==
        std::vector<int>{7, 2, 1, 0, 4});
}
