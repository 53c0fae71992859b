// MNIST's IDX files, raw or gzipped: images (magic 2051: count, rows, cols, then bytes) and labels
// (magic 2049: count, then bytes), all header numbers big-endian u32. A header is checked against
// the file's real length before its numbers decide any allocation.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dr/data/dataset.hpp"
#include "dr/error.hpp"
#include "dr/io/atomic_file.hpp"
#include "dr/io/gzip.hpp"

namespace dr {

inline constexpr std::uint32_t idx_images_magic = 0x00000803;  // 2051: unsigned bytes, 3 dims
inline constexpr std::uint32_t idx_labels_magic = 0x00000801;  // 2049: unsigned bytes, 1 dim

namespace detail {

inline std::uint32_t read_big_endian(const std::uint8_t* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}

/// The content of an IDX file read front to back, whether the bytes are raw or gzipped.
class IdxInput {
 public:
  IdxInput(std::span<const std::uint8_t> bytes, std::string_view name)
      : bytes_(bytes), name_(name) {
    if (is_gzip(bytes)) gzip_.emplace(bytes, name_);
  }

  const std::string& name() const { return name_; }
  bool gzipped() const { return gzip_.has_value(); }
  /// Offset in the (decompressed) content of the next byte read.
  std::uint64_t offset() const { return offset_; }
  /// The content's total length when known without reading it (raw files).
  std::optional<std::uint64_t> known_length() const {
    return gzipped() ? std::nullopt : std::optional<std::uint64_t>(bytes_.size());
  }

  /// Reads up to n bytes; fewer only at the end of the content.
  std::size_t read(std::uint8_t* out, std::size_t n) {
    if (gzip_) {
      n = gzip_->read(out, n);
    } else {
      n = std::min<std::size_t>(n, bytes_.size() - offset_);
      std::memcpy(out, bytes_.data() + offset_, n);
    }
    offset_ += n;
    return n;
  }

  /// The next n bytes of raw content, which must be there: copied straight into a new vector,
  /// where read() would need one zero-filled first (for MNIST's training images, a 47 MB pass).
  std::vector<std::uint8_t> take_raw(std::size_t n) {
    const auto* first = bytes_.data() + offset_;
    offset_ += n;
    return {first, first + n};
  }

  /// Reads to the end without keeping anything; returns the content's total length.
  std::uint64_t length() {
    std::array<std::uint8_t, 1 << 16> scratch;
    while (read(scratch.data(), scratch.size()) == scratch.size()) {
    }
    return offset_;
  }

  [[noreturn]] void fail(std::uint64_t at, const std::string& what) const {
    throw Error(name_ + ": offset " + std::to_string(at) + ": " + what);
  }

 private:
  std::span<const std::uint8_t> bytes_;
  std::string name_;
  std::optional<GzipReader> gzip_;
  std::uint64_t offset_ = 0;
};

/// What sets images and labels apart: the magic, the dimensions and their names in messages.
struct IdxKind {
  std::uint32_t magic;
  std::size_t dims;
  const char* what;  ///< "IDX images"
  const char* item;  ///< "images"
};
inline constexpr IdxKind idx_images{idx_images_magic, 3, "IDX images", "images"};
inline constexpr IdxKind idx_labels{idx_labels_magic, 1, "IDX labels", "labels"};

/// An IDX file's dimensions and data bytes.
struct IdxContent {
  std::vector<std::uint32_t> dims;
  std::vector<std::uint8_t> data;
};

/// Reads and checks an IDX file of `kind`: magic, then dimensions (checked by `check_dims`
/// before use), then exactly the data they declare. The data buffer grows with what is really
/// there, so a lying header cannot make it allocate.
template <class CheckDims>
IdxContent read_idx(std::span<const std::uint8_t> bytes, std::string_view name, const IdxKind& kind,
                    CheckDims check_dims) {
  IdxInput in(bytes, name);
  const std::size_t header_bytes = 4 * (1 + kind.dims);
  std::array<std::uint8_t, 16> header{};
  const std::size_t got = in.read(header.data(), header_bytes);
  if (got < 4 || read_big_endian(header.data()) != kind.magic) {
    if (got < 4)
      in.fail(got, "file too short for an IDX header (" + std::to_string(got) + " bytes)");
    const std::uint32_t magic = read_big_endian(header.data());
    char hex[11];
    std::snprintf(hex, sizeof hex, "0x%08x", magic);
    const bool other = magic == idx_images.magic || magic == idx_labels.magic;
    in.fail(0, std::string("bad magic ") + hex + ", expected " + std::to_string(kind.magic) + " (" +
                   kind.what + ")" +
                   (other ? std::string("; this is an ") +
                                (magic == idx_images.magic ? idx_images.what : idx_labels.what) +
                                " file"
                          : std::string()));
  }
  if (got < header_bytes)
    in.fail(got, "file ends inside the " + std::to_string(header_bytes) + "-byte IDX header");

  IdxContent content;
  for (std::size_t i = 0; i < kind.dims; ++i)
    content.dims.push_back(read_big_endian(header.data() + 4 * (i + 1)));
  check_dims(in, content.dims);

  // With every dimension but the count checked, the product fits easily in 64 bits.
  std::uint64_t data_bytes = 1;
  for (const auto d : content.dims) data_bytes *= d;
  const std::uint64_t declared = header_bytes + data_bytes;
  auto mismatch = [&](std::uint64_t actual) {
    std::string sizes;
    for (std::size_t i = 1; i < content.dims.size(); ++i)
      sizes += (i == 1 ? " of " : "x") + std::to_string(content.dims[i]);
    in.fail(std::min(declared, actual),
            "header declares " + std::to_string(content.dims[0]) + " " + kind.item + sizes + " (" +
                std::to_string(declared) + " bytes), but the " +
                (in.gzipped() ? "decompressed data has " : "file has ") + std::to_string(actual) +
                " bytes");
  };
  if (const auto length = in.known_length(); length && *length != declared) mismatch(*length);

  // Raw data is already known to be all there, and taken at once; gzipped data proves itself a
  // slice at a time.
  if (!in.gzipped()) content.data = in.take_raw(data_bytes);
  std::size_t filled = content.data.size();
  while (filled < data_bytes) {
    const std::size_t want =
        std::min<std::uint64_t>(data_bytes, std::max<std::size_t>(2 * filled, 1 << 20));
    content.data.resize(want);
    const std::size_t read = in.read(content.data.data() + filled, want - filled);
    filled += read;
    if (filled < want) mismatch(in.offset());
  }
  std::uint8_t extra;
  if (in.read(&extra, 1) != 0) mismatch(in.length());
  return content;
}

}  // namespace detail

/// Parses an IDX image file (raw or gzipped) held in memory; the images must be 28x28.
inline Dataset parse_idx_images(std::span<const std::uint8_t> bytes, std::string_view name) {
  auto content = detail::read_idx(bytes, name, detail::idx_images, [](auto& in, const auto& dims) {
    if (dims[1] != image_side || dims[2] != image_side)
      in.fail(8, "images are " + std::to_string(dims[1]) + "x" + std::to_string(dims[2]) +
                     ", expected " + std::to_string(image_side) + "x" + std::to_string(image_side));
    if (dims[0] == 0) in.fail(4, "the header declares no images");
  });
  Dataset data;
  data.pixels = std::move(content.data);
  data.source = std::string(name);
  return data;
}

/// Parses an IDX label file (raw or gzipped) held in memory; every label must be a digit 0-9.
inline std::vector<std::uint8_t> parse_idx_labels(std::span<const std::uint8_t> bytes,
                                                  std::string_view name) {
  auto content = detail::read_idx(bytes, name, detail::idx_labels, [](auto& in, const auto& dims) {
    if (dims[0] == 0) in.fail(4, "the header declares no labels");
  });
  const auto bad = std::find_if(content.data.begin(), content.data.end(),
                                [](std::uint8_t label) { return label >= class_count; });
  if (bad != content.data.end())
    throw Error(std::string(name) + ": offset " + std::to_string(8 + (bad - content.data.begin())) +
                ": label " + std::to_string(*bad) + " is not a digit 0-9");
  return std::move(content.data);
}

inline Dataset load_idx_images(const std::filesystem::path& path) {
  return parse_idx_images(read_file_bytes(path), path.string());
}

inline std::vector<std::uint8_t> load_idx_labels(const std::filesystem::path& path) {
  return parse_idx_labels(read_file_bytes(path), path.string());
}

/// Gives `images` the labels read from `labels_source`, which must hold one per image.
inline void attach_labels(Dataset& images, std::vector<std::uint8_t> labels,
                          std::string_view labels_source) {
  if (labels.size() != images.rows())
    throw Error(images.source + " has " + std::to_string(images.rows()) + " images but " +
                std::string(labels_source) + " has " + std::to_string(labels.size()) + " labels");
  images.labels = std::move(labels);
}

/// Loads MNIST images with their labels.
inline Dataset load_idx(const std::filesystem::path& images_path,
                        const std::filesystem::path& labels_path) {
  Dataset data = load_idx_images(images_path);
  attach_labels(data, load_idx_labels(labels_path), labels_path.string());
  return data;
}

namespace detail {

/// Writes a raw IDX file: magic, dimensions, data.
inline void write_idx(const std::filesystem::path& path, std::uint32_t magic,
                      std::span<const std::uint32_t> dims, std::span<const std::uint8_t> data) {
  write_file_atomically(path, [&](std::ostream& out) {
    auto put = [&out](std::uint32_t v) {
      const char b[4] = {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
      out.write(b, 4);
    };
    put(magic);
    for (const auto d : dims) put(d);
    out.write(reinterpret_cast<const char*>(data.data()),
              static_cast<std::streamsize>(data.size()));
  });
}

}  // namespace detail

/// Writes 28x28 images (rows x 784 bytes) as a raw IDX image file.
inline void write_idx_images(const std::filesystem::path& path,
                             std::span<const std::uint8_t> pixels) {
  if (pixels.size() % image_pixels != 0)
    throw Error(path.string() + ": cannot write: " + std::to_string(pixels.size()) +
                " pixels are not a whole number of 28x28 images");
  const std::uint32_t dims[] = {static_cast<std::uint32_t>(pixels.size() / image_pixels),
                                image_side, image_side};
  detail::write_idx(path, idx_images_magic, dims, pixels);
}

/// Writes labels as a raw IDX label file.
inline void write_idx_labels(const std::filesystem::path& path,
                             std::span<const std::uint8_t> labels) {
  const std::uint32_t dims[] = {static_cast<std::uint32_t>(labels.size())};
  detail::write_idx(path, idx_labels_magic, dims, labels);
}

}  // namespace dr
