// Model files: a versioned, checksummed container for a network's weights.
//
// Layout (little-endian):
//   8 bytes  magic "DRNN\r\n\x1a\n" (the line-ending bytes expose text-mode corruption)
//   u32      format version (model_format_version)
//   u32      n, the number of sizes; then n x u32 sizes, input first (784 128 10)
//   u8       hidden activation id (activation.hpp); 3 zero bytes
//   u32      m; then m bytes of metadata, "key=value" lines (seed, epochs, noise, ...)
//   u64      count of float32 values that follow
//   float32  per layer: weights in canonical output-major order W[out][in], then bias[out]
//   u32      CRC-32 (zlib) of every byte before it
// The file keeps the canonical order; the in-memory kernel order is a property of this build.
#pragma once

#include <zlib.h>

#include <bit>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dr/activation.hpp"
#include "dr/error.hpp"
#include "dr/io/atomic_file.hpp"
#include "dr/network.hpp"

namespace dr {

static_assert(std::endian::native == std::endian::little,
              "model files are read and written as little-endian; this target is not");

inline constexpr std::uint32_t model_format_version = 1;
inline constexpr char model_magic[8] = {'D', 'R', 'N', 'N', '\r', '\n', '\x1a', '\n'};
inline constexpr std::size_t max_model_sizes = 64;         ///< layers + 1, far beyond real use
inline constexpr std::uint64_t max_layer_size = 1u << 24;  ///< per layer, likewise

using ModelMetadata = std::map<std::string, std::string>;

/// What a model file says about itself, checked against its length and checksum.
struct ModelInfo {
  std::vector<std::size_t> sizes;
  std::uint8_t activation = 0;
  ModelMetadata metadata;
  std::size_t payload_offset = 0;  ///< where the float32 values start
  std::uint64_t payload_count = 0;

  std::string shape() const { return shape_text(sizes); }
  std::uint64_t param_count() const {
    std::uint64_t n = 0;
    for (std::size_t i = 0; i + 1 < sizes.size(); ++i) n += sizes[i] * sizes[i + 1] + sizes[i + 1];
    return n;
  }
};

namespace detail {

class ModelReader {
 public:
  ModelReader(std::span<const std::uint8_t> bytes, std::string name)
      : b_(bytes), name_(std::move(name)) {}

  [[noreturn]] void fail(std::size_t offset, const std::string& what) const {
    throw Error(name_ + ": offset " + std::to_string(offset) + ": " + what);
  }
  void need(std::size_t n, const char* what) const {
    if (b_.size() - pos_ < n)
      fail(pos_, std::string("truncated: the file ends inside the ") + what);
  }
  template <class T>
  T read(const char* what) {
    need(sizeof(T), what);
    T v;
    std::memcpy(&v, b_.data() + pos_, sizeof v);
    pos_ += sizeof v;
    return v;
  }
  std::size_t pos() const { return pos_; }
  void skip(std::size_t n) { pos_ += n; }
  std::span<const std::uint8_t> bytes() const { return b_; }

 private:
  std::span<const std::uint8_t> b_;
  std::string name_;
  std::size_t pos_ = 0;
};

inline void append(std::vector<std::uint8_t>& out, const void* p, std::size_t n) {
  const auto* c = static_cast<const std::uint8_t*>(p);
  out.insert(out.end(), c, c + n);
}
template <class T>
void append_value(std::vector<std::uint8_t>& out, T v) {
  append(out, &v, sizeof v);
}

inline std::uint32_t crc32_of(std::span<const std::uint8_t> bytes) {
  uLong crc = ::crc32(0L, Z_NULL, 0);
  // zlib takes a uInt length: feed large buffers in pieces.
  for (std::size_t at = 0; at < bytes.size();) {
    const std::size_t n = std::min<std::size_t>(bytes.size() - at, 1u << 30);
    crc = ::crc32(crc, bytes.data() + at, static_cast<uInt>(n));
    at += n;
  }
  return static_cast<std::uint32_t>(crc);
}

}  // namespace detail

/// Parses and checks a model file held in memory: magic, version, sizes, the payload length
/// against the file's length, and the checksum. `name` is used in messages.
inline ModelInfo parse_model_info(std::span<const std::uint8_t> bytes, const std::string& name) {
  detail::ModelReader in(bytes, name);
  if (bytes.size() < sizeof model_magic ||
      std::memcmp(bytes.data(), model_magic, sizeof model_magic) != 0)
    in.fail(0, "not a digit-recognizer model file (bad magic)");
  in.skip(sizeof model_magic);
  const auto version = in.read<std::uint32_t>("header");
  if (version == 0 || version > model_format_version)
    in.fail(8, "model format version " + std::to_string(version) +
                   " is not one this program reads (it reads version " +
                   std::to_string(model_format_version) + "); use a newer digit-recognizer");
  ModelInfo info;
  const std::size_t count_at = in.pos();
  const auto count = in.read<std::uint32_t>("header");
  if (count < 2 || count > max_model_sizes)
    in.fail(count_at, "implausible number of layer sizes: " + std::to_string(count));
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::size_t at = in.pos();
    const auto n = in.read<std::uint32_t>("layer sizes");
    if (n == 0 || n > max_layer_size) in.fail(at, "implausible layer size " + std::to_string(n));
    info.sizes.push_back(n);
  }
  const std::size_t act_at = in.pos();
  info.activation = in.read<std::uint8_t>("header");
  if (activation_name(info.activation) == "?")
    in.fail(act_at, "unknown activation id " + std::to_string(info.activation));
  in.need(3, "header");
  in.skip(3);
  const auto meta_bytes = in.read<std::uint32_t>("header");
  in.need(meta_bytes, "metadata");
  std::string_view meta(reinterpret_cast<const char*>(bytes.data() + in.pos()), meta_bytes);
  in.skip(meta_bytes);
  for (std::size_t start = 0; start < meta.size();) {
    const std::size_t end = std::min(meta.find('\n', start), meta.size());
    const auto line = meta.substr(start, end - start);
    if (const auto eq = line.find('='); eq != line.npos)
      info.metadata[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
    start = end + 1;
  }
  const std::size_t payload_count_at = in.pos();
  info.payload_count = in.read<std::uint64_t>("header");
  if (info.payload_count != info.param_count())
    in.fail(payload_count_at, "the header declares " + std::to_string(info.payload_count) +
                                  " weights but a " + info.shape() + " network has " +
                                  std::to_string(info.param_count()));
  info.payload_offset = in.pos();
  const std::uint64_t expected = info.payload_offset + info.payload_count * 4 + 4;
  if (bytes.size() < expected)
    in.fail(bytes.size(), "truncated: a " + info.shape() + " model needs " +
                              std::to_string(expected) + " bytes but the file has " +
                              std::to_string(bytes.size()));
  if (bytes.size() > expected)
    in.fail(expected, std::to_string(bytes.size() - expected) + " unexpected bytes after the end");
  std::uint32_t stored;
  std::memcpy(&stored, bytes.data() + expected - 4, 4);
  const std::uint32_t computed = detail::crc32_of(bytes.first(expected - 4));
  if (stored != computed) in.fail(expected - 4, "checksum mismatch: the file is corrupted");
  return info;
}

/// Reads and checks a model file's header (see parse_model_info).
inline ModelInfo read_model_info(const std::filesystem::path& path) {
  return parse_model_info(read_file_bytes(path), path.string());
}

/// The bytes of a model file for `net` with `metadata`.
template <class Net>
std::vector<std::uint8_t> serialize_model(const Net& net, const ModelMetadata& metadata = {}) {
  std::vector<std::uint8_t> out;
  out.reserve(64 + Net::param_count * 4);
  detail::append(out, model_magic, sizeof model_magic);
  detail::append_value(out, model_format_version);
  detail::append_value(out, static_cast<std::uint32_t>(Net::sizes.size()));
  for (auto n : Net::sizes) detail::append_value(out, static_cast<std::uint32_t>(n));
  detail::append_value(out, Net::hidden_activation);
  detail::append_value(out, std::array<std::uint8_t, 3>{});
  std::string meta;
  for (const auto& [k, v] : metadata) meta += k + "=" + v + "\n";
  detail::append_value(out, static_cast<std::uint32_t>(meta.size()));
  detail::append(out, meta.data(), meta.size());
  detail::append_value(out, static_cast<std::uint64_t>(Net::param_count));
  Net::for_each_index([&](auto i) {
    const auto& l = net.template layer<i>();
    for (std::size_t j = 0; j < l.out_size; ++j)
      for (std::size_t k = 0; k < l.in_size; ++k) detail::append_value(out, l.weight(j, k));
    detail::append(out, l.bias.data(), l.out_size * sizeof(real));
  });
  detail::append_value(out, detail::crc32_of(out));
  return out;
}

/// Writes `net` to `path` atomically (temporary file, fsync, rename).
template <class Net>
void save_model(const std::filesystem::path& path, const Net& net,
                const ModelMetadata& metadata = {}) {
  write_file_atomically(path, std::span<const std::uint8_t>(serialize_model(net, metadata)));
}

/// A network of type Net from model-file bytes; throws dr::Error naming `name` if the file is
/// damaged or holds a network of other sizes or activation.
template <class Net>
std::unique_ptr<Net> parse_model(std::span<const std::uint8_t> bytes, const std::string& name,
                                 ModelInfo* info_out = nullptr) {
  ModelInfo info = parse_model_info(bytes, name);
  const bool same_sizes =
      std::equal(info.sizes.begin(), info.sizes.end(), Net::sizes.begin(), Net::sizes.end());
  if (!same_sizes || info.activation != Net::hidden_activation)
    throw Error(name + " is " + info.shape() + " (" +
                std::string(activation_name(info.activation)) + ") but this program expects " +
                Net::shape() + " (" + std::string(activation_name(Net::hidden_activation)) + ")");
  auto net = make_zeroed<Net>();
  const std::uint8_t* p = bytes.data() + info.payload_offset;
  auto next = [&p] {
    real v;
    std::memcpy(&v, p, sizeof v);
    p += sizeof v;
    return v;
  };
  Net::for_each_index([&](auto i) {
    auto& l = net->template layer<i>();
    for (std::size_t j = 0; j < l.out_size; ++j)
      for (std::size_t k = 0; k < l.in_size; ++k) l.weight(j, k) = next();
    for (std::size_t j = 0; j < l.out_size; ++j) l.bias[j] = next();
  });
  if (info_out) *info_out = std::move(info);
  return net;
}

template <class Net>
std::unique_ptr<Net> load_model(const std::filesystem::path& path, ModelInfo* info = nullptr) {
  return parse_model<Net>(read_file_bytes(path), path.string(), info);
}

}  // namespace dr
