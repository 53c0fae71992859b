// Gzip decompression a piece at a time, so that a reader can check a file's header before it
// commits memory to the content the header declares.
#pragma once

#include <zlib.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "dr/error.hpp"

namespace dr {

/// Whether bytes start with the gzip magic 1f 8b.
inline bool is_gzip(std::span<const std::uint8_t> bytes) {
  return bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
}

/// Inflates a gzip buffer (one member or several concatenated) on demand. Errors name the file and
/// the compressed offset: "FILE: compressed offset N: truncated gzip data".
class GzipReader {
 public:
  GzipReader(std::span<const std::uint8_t> compressed, std::string name)
      : input_(compressed), name_(std::move(name)) {
    if (inflateInit2(&stream_, 15 + 16) != Z_OK)  // 16: expect a gzip wrapper, not raw zlib
      throw Error(name_ + ": cannot start gzip decompression");
  }
  GzipReader(const GzipReader&) = delete;
  GzipReader& operator=(const GzipReader&) = delete;
  ~GzipReader() { inflateEnd(&stream_); }

  /// Inflates up to n bytes into `out`; returns how many, fewer than n only at the end of the data.
  std::size_t read(std::uint8_t* out, std::size_t n) {
    // zlib counts in 32-bit uInt, so both sides go in slices of at most 1 GiB.
    constexpr std::size_t slice = std::size_t{1} << 30;
    std::size_t done = 0;
    while (done < n && !finished_) {
      if (stream_.avail_in == 0) {
        stream_.next_in = const_cast<Bytef*>(input_.data() + consumed_);
        stream_.avail_in = static_cast<uInt>(std::min(input_.size() - consumed_, slice));
        consumed_ += stream_.avail_in;
      }
      stream_.next_out = out + done;
      stream_.avail_out = static_cast<uInt>(std::min(n - done, slice));
      const uInt room = stream_.avail_out;
      const int rc = inflate(&stream_, Z_NO_FLUSH);
      done += room - stream_.avail_out;
      if (rc == Z_STREAM_END) {
        if (offset() == input_.size()) {
          finished_ = true;
        } else if (is_gzip(input_.subspan(offset()))) {
          inflateReset(&stream_);  // the next member of a concatenation (cat a.gz b.gz)
        } else {
          fail("unexpected data after the end of the gzip stream");
        }
      } else if (rc == Z_BUF_ERROR && offset() == input_.size()) {
        fail("truncated gzip data (the file ends inside the compressed stream)");
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        fail(std::string("corrupt gzip data: ") + (stream_.msg ? stream_.msg : zError(rc)));
      }
    }
    return done;
  }

  /// Bytes of compressed input consumed so far.
  std::size_t offset() const { return consumed_ - stream_.avail_in; }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw Error(name_ + ": compressed offset " + std::to_string(offset()) + ": " + what);
  }

  std::span<const std::uint8_t> input_;
  std::string name_;
  z_stream stream_{};
  std::size_t consumed_ = 0;  ///< input handed to zlib so far
  bool finished_ = false;
};

}  // namespace dr
