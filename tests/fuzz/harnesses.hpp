// The fuzz targets' bodies, shared by the libFuzzer executables (fuzz_main.cpp) and the replay
// test (test_fuzz_replay.cpp), so that a saved input replays exactly as it was fuzzed. Each feeds
// the bytes to a real library function. A dr::Error of one line is the clean rejection every bad
// input must get; anything else is a finding: another exception, a sanitizer report, or an
// accepted input that breaks what the loader promises about its result.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "data_files.hpp"
#include "dr/data/idx.hpp"
#include "dr/data/kaggle_csv.hpp"
#include "dr/data/load.hpp"
#include "dr/error.hpp"
#include "dr/model_file.hpp"
#include "dr/network.hpp"
#include "dr/train.hpp"

namespace dr::fuzz {

using Bytes = std::span<const std::uint8_t>;

/// Stops the run with `what`: libFuzzer saves the input as a crash, the replay test fails.
inline void require(bool holds, const char* what) {
  if (holds) return;
  std::fprintf(stderr, "fuzz finding: %s\n", what);
  std::abort();
}

/// Runs `load`; returns whether it accepted the input. A rejection must be a dr::Error whose
/// message is one non-empty line (the driver prints it as is); other exceptions propagate.
template <class Load>
bool accepted(Load&& load) {
  try {
    load();
    return true;
  } catch (const Error& e) {
    const std::string_view message = e.what();
    require(!message.empty() && message.find('\n') == std::string_view::npos,
            "an error message is not one line");
    return false;
  }
}

inline std::string_view as_text(Bytes bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

/// What every loader promises about a data set it returns.
inline void check_dataset(const Dataset& data) {
  require(data.rows() > 0, "a data set without rows was accepted");
  require(data.pixels.size() % image_pixels == 0, "pixels are not whole 28x28 images");
  require(!data.labelled() || data.labels.size() == data.rows(),
          "labels and images differ in count");
  for (const auto label : data.labels) require(label < class_count, "a label is not a digit 0-9");
}

/// The CSV text a kaggle_csv input stands for. Its first byte chooses what precedes the rest:
/// nothing (the fuzzer must keep a header intact itself), train.csv's header or test.csv's
/// header, so that most inputs reach the row parser.
inline std::string kaggle_csv_text(Bytes bytes) {
  static const std::string headers[] = {"", test::kaggle_header(true) + "\n",
                                        test::kaggle_header(false) + "\n"};
  if (bytes.empty()) return {};
  return headers[bytes[0] % 3] + std::string(as_text(bytes.subspan(1)));
}

/// Kaggle CSV, train and test shapes. An accepted file must read back the same from the
/// canonical text of what was parsed.
inline void kaggle_csv(Bytes bytes) {
  const std::string text = kaggle_csv_text(bytes);
  Dataset data;
  if (!accepted([&] { data = parse_kaggle_csv(text, "fuzz.csv"); })) return;
  check_dataset(data);
  const Dataset again = parse_kaggle_csv(test::kaggle_csv(data), "canonical.csv");
  require(again.pixels == data.pixels && again.labels == data.labels,
          "the canonical text of an accepted CSV reads back differently");
}

/// MNIST IDX, raw or gzipped, read both as an image file and as a label file.
inline void idx(Bytes bytes) {
  Dataset images;
  if (accepted([&] { images = parse_idx_images(bytes, "fuzz-images.idx"); })) check_dataset(images);
  std::vector<std::uint8_t> labels;
  if (accepted([&] { labels = parse_idx_labels(bytes, "fuzz-labels.idx"); })) {
    require(!labels.empty(), "a label file without labels was accepted");
    for (const auto label : labels) require(label < class_count, "a label is not a digit 0-9");
  }
}

/// The network model-file seeds hold: small enough that a whole file fits a fuzz input.
using SmallNet = Network<4, 3, 2>;

/// Model files: the header checks, then loading into SmallNet. A loaded network must save back
/// to the very payload bytes it was read from.
inline void model_file(Bytes bytes) {
  ModelInfo info;
  if (!accepted([&] { info = parse_model_info(bytes, "fuzz.model"); })) return;
  require(info.payload_count == info.param_count(), "payload count differs from the sizes");
  require(info.payload_offset + 4 * info.payload_count + 4 == bytes.size(),
          "an accepted model file has bytes beyond its payload and checksum");
  std::unique_ptr<SmallNet> net;
  if (!accepted([&] { net = parse_model<SmallNet>(bytes, "fuzz.model"); })) return;
  const auto saved = serialize_model(*net);
  const auto payload = [](Bytes b) {
    return b.last(4 * SmallNet::param_count + 4).first(4 * SmallNet::param_count);
  };
  const Bytes expected = payload(bytes), actual = payload(saved);
  require(std::equal(actual.begin(), actual.end(), expected.begin(), expected.end()),
          "a loaded model saves back to other weights");
}

/// A file the loaders can open by name whose content is set in memory (no disk, no fsync), so
/// that the submission harness runs the real load_dataset() from a path.
class MemoryFile {
 public:
  MemoryFile() : fd_(::memfd_create("dr-fuzz", 0)) { require(fd_ >= 0, "memfd_create failed"); }
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;
  ~MemoryFile() { ::close(fd_); }

  std::filesystem::path path() const { return "/proc/self/fd/" + std::to_string(fd_); }
  void set(Bytes bytes) const {
    require(::ftruncate(fd_, 0) == 0, "ftruncate failed");
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::pwrite(fd_, bytes.data() + done, bytes.size() - done, off_t(done));
      require(n > 0, "pwrite failed");
      done += std::size_t(n);
    }
  }

 private:
  int fd_;
};

/// What format_submission promises: the header, then "ImageId,Label" for ImageId 1, 2, ...
inline void check_submission(const std::string& text, std::span<const std::uint8_t> predictions) {
  std::string expected = "ImageId,Label\n";
  for (std::size_t i = 0; i < predictions.size(); ++i)
    expected += std::to_string(i + 1) + "," + std::to_string(predictions[i]) + "\n";
  require(text == expected, "a submission differs from its predictions");
}

/// The submission writer's input path: the bytes as a test file given by path (Kaggle CSV or IDX,
/// told apart by load_dataset()), predicted by a fixed network, formatted as a submission; and
/// the bytes as raw predictions, which format_submission must reject unless all are digits.
/// With `out`, the submission is also written there by write_submission and read back (the
/// replay test does; the fuzzer does not, as an fsync per input would make it crawl).
inline void submission(Bytes bytes, const std::filesystem::path* out = nullptr) {
  using Net = Network<784, 10, 10>;
  static const auto net = make_network<Net>(1);
  static const MemoryFile file;
  file.set(bytes);
  Dataset data;
  if (accepted([&] { data = load_dataset(file.path()); })) {
    check_dataset(data);
    const auto predictions = predict_all(*net, data);
    require(predictions.size() == data.rows(), "not one prediction per row");
    check_submission(format_submission(predictions), predictions);
    if (out) {
      write_submission(*out, predictions);
      check_submission(test::read_text(*out), predictions);
    }
  }
  std::string text;
  if (accepted([&] { text = format_submission(bytes); })) check_submission(text, bytes);
}

/// A fuzz target: its name (the corpus folder) and its body.
struct Target {
  const char* name;
  void (*run)(Bytes);
};

inline constexpr Target targets[] = {
    {"kaggle_csv", kaggle_csv},
    {"idx", idx},
    {"model_file", model_file},
    {"submission", [](Bytes b) { submission(b); }},
};

}  // namespace dr::fuzz
