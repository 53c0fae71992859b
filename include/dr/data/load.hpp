// One entry point for every data file: the format is told by the content, not the extension,
// and MNIST images find their label file beside them.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "dr/data/dataset.hpp"
#include "dr/data/idx.hpp"
#include "dr/data/kaggle_csv.hpp"
#include "dr/error.hpp"
#include "dr/io/atomic_file.hpp"
#include "dr/io/gzip.hpp"

namespace dr {

/// The label file beside an MNIST image file, if there is one: "images" becomes "labels" and
/// "idx3" becomes "idx1" in its name (train-images-idx3-ubyte -> train-labels-idx1-ubyte), tried
/// with and without ".gz" and with "-" or "." before "idx1", as the copies in circulation differ.
inline std::optional<std::filesystem::path> find_label_file(const std::filesystem::path& images) {
  auto replace_all = [](std::string& s, std::string_view from, std::string_view to) {
    for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
      s.replace(at, from.size(), to);
  };
  std::string name = images.filename().string();
  const bool gzipped = name.ends_with(".gz");
  if (gzipped) name.resize(name.size() - 3);
  std::string renamed = name;
  replace_all(renamed, "images", "labels");
  replace_all(renamed, "idx3", "idx1");
  if (renamed == name) return std::nullopt;

  std::string other_separator = renamed;
  if (const auto at = renamed.find("-idx1"); at != std::string::npos) other_separator[at] = '.';
  if (const auto at = renamed.find(".idx1"); at != std::string::npos) other_separator[at] = '-';
  const std::string same_suffix = gzipped ? ".gz" : "", other_suffix = gzipped ? "" : ".gz";
  for (const auto& candidate : {renamed + same_suffix, renamed + other_suffix,
                                other_separator + same_suffix, other_separator + other_suffix}) {
    const auto path = images.parent_path() / candidate;
    std::error_code ec;
    if (std::filesystem::is_regular_file(path, ec)) return path;
  }
  return std::nullopt;
}

/// Loads a Kaggle CSV (train.csv or test.csv) or an MNIST IDX image file, raw or gzipped, told
/// apart by content. IDX images take their labels from `labels` or, when not given, from the
/// label file found beside them; with neither they load unlabelled.
inline Dataset load_dataset(const std::filesystem::path& file,
                            std::optional<std::filesystem::path> labels = {}) {
  const auto bytes = read_file_bytes(file);
  const std::string name = file.string();
  if (bytes.empty()) throw Error(name + ": empty file");

  std::array<std::uint8_t, 4> head{};
  if (is_gzip(bytes)) {
    GzipReader(bytes, name).read(head.data(), head.size());
  } else {
    std::copy_n(bytes.begin(), std::min(bytes.size(), head.size()), head.begin());
  }
  const std::uint32_t magic = detail::read_big_endian(head.data());

  // Every IDX magic starts with two zero bytes (then the value type and the dimension count):
  // an IDX file of another kind gets the IDX reader's message about its magic.
  if (magic == idx_images_magic || (magic >> 16 == 0 && magic != idx_labels_magic)) {
    Dataset data = parse_idx_images(bytes, name);
    if (!labels) labels = find_label_file(file);
    if (labels) attach_labels(data, load_idx_labels(*labels), labels->string());
    return data;
  }
  if (magic == idx_labels_magic)
    throw Error(name + ": an MNIST IDX label file; give the image file instead (its labels are " +
                "found beside it)");

  std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  if (text.starts_with("label") || text.starts_with("pixel0")) {
    if (labels)
      throw Error(name + ": a Kaggle CSV file; a separate label file (" + labels->string() +
                  ") goes only with MNIST IDX images");
    return parse_kaggle_csv(text, name);
  }
  throw Error(name + ": not a Kaggle CSV or MNIST IDX image file");
}

}  // namespace dr
