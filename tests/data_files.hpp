// Helpers for the data tests: a scratch folder per test, small generated data sets, and Kaggle
// CSV text made from them.
#pragma once

#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "dr/data/dataset.hpp"
#include "dr/random.hpp"

namespace dr::test {

/// A fresh folder under the system's temporary directory, removed with its content afterwards.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("dr-data-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

  /// Writes `content` to the file `name` in the folder and returns its path.
  std::filesystem::path write(std::string_view name, std::string_view content) const {
    const auto file = path_ / name;
    std::ofstream(file, std::ios::binary).write(content.data(), std::streamsize(content.size()));
    return file;
  }

  /// The names of the folder's entries, sorted.
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(path_))
      names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  std::filesystem::path path_;
};

/// Writes `bytes` gzip-compressed with zlib's own gzip writer, independent of the code under test.
inline void write_gzip(const std::filesystem::path& file, std::string_view bytes) {
  gzFile out = gzopen(file.c_str(), "wb");
  if (out == nullptr) throw std::runtime_error("gzopen failed: " + file.string());
  const int written = gzwrite(out, bytes.data(), static_cast<unsigned>(bytes.size()));
  if (gzclose(out) != Z_OK || written != static_cast<int>(bytes.size()))
    throw std::runtime_error("gzwrite failed: " + file.string());
}

/// Reads a whole file as text, for checking what was written.
inline std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// `rows` labelled images of random pixels, the edge values 0 and 255 among them.
inline Dataset random_dataset(std::size_t rows, std::uint64_t seed) {
  Rng rng(seed);
  Dataset data;
  data.pixels.resize(rows * image_pixels);
  for (auto& p : data.pixels) p = static_cast<std::uint8_t>(uniform_index(rng, 256));
  data.pixels.front() = 0;
  data.pixels.back() = 255;
  for (std::size_t r = 0; r < rows; ++r)
    data.labels.push_back(static_cast<std::uint8_t>(uniform_index(rng, class_count)));
  return data;
}

/// The Kaggle header: train.csv's with `labelled`, test.csv's without.
inline std::string kaggle_header(bool labelled) {
  std::string header = labelled ? "label" : "";
  for (std::size_t i = 0; i < image_pixels; ++i)
    header += (header.empty() ? "pixel" : ",pixel") + std::to_string(i);
  return header;
}

/// One CSV row: the label (if any) and the pixels, comma-separated, without a line break.
inline std::string kaggle_row(const Dataset& data, std::size_t row) {
  std::string line = data.labelled() ? std::to_string(data.labels[row]) : "";
  for (const auto p : data.image(row)) {
    if (!line.empty()) line += ',';
    line += std::to_string(p);
  }
  return line;
}

/// Kaggle CSV text for `data`, lines ending in `newline`.
inline std::string kaggle_csv(const Dataset& data, std::string_view newline = "\n") {
  std::string text = kaggle_header(data.labelled()) + std::string(newline);
  for (std::size_t r = 0; r < data.rows(); ++r) text += kaggle_row(data, r) + std::string(newline);
  return text;
}

}  // namespace dr::test
