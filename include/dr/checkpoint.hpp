// Checkpoints: the whole state of a training run between two epochs, so that an interrupted run
// resumes and ends with the same model as one that was never interrupted.
//
// A checkpoint is written and read by the same function, `state(archive)`, called with a
// CheckpointWriter or a CheckpointReader; both take values (trivially copyable), vectors of them
// and networks, so the two directions cannot disagree on the layout. File layout:
//   8 bytes magic "DRCKPT\r\n", u32 version, u32 n + n bytes of fingerprint (the settings a
//   resume must share), the archived values in order, u32 CRC-32 of every byte before it.
// Networks are stored as model-file bytes (canonical order), prefixed by their length.
#pragma once

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <type_traits>
#include <vector>

#include "dr/error.hpp"
#include "dr/io/atomic_file.hpp"
#include "dr/model_file.hpp"

namespace dr {

inline constexpr char checkpoint_magic[8] = {'D', 'R', 'C', 'K', 'P', 'T', '\r', '\n'};
inline constexpr std::uint32_t checkpoint_version = 1;

namespace detail {
template <class T>
concept ArchivedNetwork = requires {
  T::param_count;
  T::depth;
};
}  // namespace detail

class CheckpointWriter {
 public:
  explicit CheckpointWriter(const std::string& fingerprint) {
    detail::append(bytes_, checkpoint_magic, sizeof checkpoint_magic);
    detail::append_value(bytes_, checkpoint_version);
    detail::append_value(bytes_, static_cast<std::uint32_t>(fingerprint.size()));
    detail::append(bytes_, fingerprint.data(), fingerprint.size());
  }

  template <class T>
  void operator()(const T& value) {
    if constexpr (detail::ArchivedNetwork<T>) {
      const auto model = serialize_model(value);
      detail::append_value(bytes_, static_cast<std::uint64_t>(model.size()));
      detail::append(bytes_, model.data(), model.size());
    } else {
      static_assert(std::is_trivially_copyable_v<T>, "a checkpoint stores plain values");
      detail::append_value(bytes_, value);
    }
  }
  template <class T>
  void operator()(const std::vector<T>& values) {
    static_assert(std::is_trivially_copyable_v<T>, "a checkpoint stores plain values");
    detail::append_value(bytes_, static_cast<std::uint64_t>(values.size()));
    detail::append(bytes_, values.data(), values.size() * sizeof(T));
  }

  /// Appends the checksum and writes the file atomically.
  void save(const std::filesystem::path& path) {
    auto out = bytes_;
    detail::append_value(out, detail::crc32_of(out));
    write_file_atomically(path, std::span<const std::uint8_t>(out));
  }

 private:
  std::vector<std::uint8_t> bytes_;
};

class CheckpointReader {
 public:
  /// Reads and checks `path`: magic, version, checksum, and that it was written with
  /// `fingerprint` (a resume with other settings would not reproduce the uninterrupted run).
  CheckpointReader(const std::filesystem::path& path, const std::string& fingerprint)
      : bytes_(read_file_bytes(path)), reader_(bytes_, path.string() + " (checkpoint)") {
    if (bytes_.size() < sizeof checkpoint_magic + 8 ||
        std::memcmp(bytes_.data(), checkpoint_magic, sizeof checkpoint_magic) != 0)
      reader_.fail(0, "not a digit-recognizer checkpoint (bad magic)");
    std::uint32_t stored;
    std::memcpy(&stored, bytes_.data() + bytes_.size() - 4, 4);
    if (stored != detail::crc32_of(std::span(bytes_).first(bytes_.size() - 4)))
      reader_.fail(bytes_.size() - 4, "checksum mismatch: the checkpoint is corrupted");
    reader_ = detail::ModelReader(std::span(bytes_).first(bytes_.size() - 4),
                                  path.string() + " (checkpoint)");
    reader_.skip(sizeof checkpoint_magic);
    if (const auto version = reader_.read<std::uint32_t>("header"); version != checkpoint_version)
      reader_.fail(8, "checkpoint version " + std::to_string(version) + " is not " +
                          std::to_string(checkpoint_version));
    const auto n = reader_.read<std::uint32_t>("header");
    reader_.need(n, "fingerprint");
    const std::string written(reinterpret_cast<const char*>(bytes_.data() + reader_.pos()), n);
    reader_.skip(n);
    if (written != fingerprint)
      throw Error(path.string() + ": the checkpoint is of another training run (" + written +
                  ") than this one (" + fingerprint +
                  "); resume with the same options or delete it");
  }

  template <class T>
  void operator()(T& value) {
    if constexpr (detail::ArchivedNetwork<T>) {
      const auto size = reader_.read<std::uint64_t>("network");
      reader_.need(size, "network");
      value = *parse_model<T>(std::span(bytes_).subspan(reader_.pos(), size), "checkpoint network");
      reader_.skip(size);
    } else {
      value = reader_.read<T>("training state");
    }
  }
  template <class T>
  void operator()(std::vector<T>& values) {
    const auto size = reader_.read<std::uint64_t>("training state");
    reader_.need(size * sizeof(T), "training state");
    values.resize(size);
    std::memcpy(values.data(), bytes_.data() + reader_.pos(), size * sizeof(T));
    reader_.skip(size * sizeof(T));
  }

 private:
  std::vector<std::uint8_t> bytes_;
  detail::ModelReader reader_;
};

}  // namespace dr
