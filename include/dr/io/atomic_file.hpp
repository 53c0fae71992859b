// Whole-file reads and writes with one-line errors. A write goes to a hidden temporary beside the
// target, is synced, then renamed over it: readers see the old file or the new one, never half.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <concepts>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <ostream>
#include <random>
#include <span>
#include <streambuf>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "dr/error.hpp"

namespace dr {

namespace detail {

/// "FILE: doing what: strerror text", the shape of every failed system call's message.
inline Error file_error(const std::filesystem::path& path, std::string_view doing, int err) {
  return Error(path.string() + ": " + std::string(doing) + ": " +
               std::generic_category().message(err));
}

/// Closes a descriptor on every path out of a scope.
class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  /// Closes now, returning 0 or the errno of close(), which can report a delayed write error.
  int close() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc == 0 ? 0 : errno;
  }

 private:
  int fd_;
};

/// An output buffer over a descriptor that keeps the errno of the first failed write, which
/// std::ofstream would reduce to a bare failbit.
class DescriptorBuffer : public std::streambuf {
 public:
  explicit DescriptorBuffer(int fd) : fd_(fd), buffer_(new char[capacity]) {
    setp(buffer_.get(), buffer_.get() + capacity);
  }
  int error() const { return error_; }

 protected:
  int_type overflow(int_type ch) override {
    if (sync() != 0) return traits_type::eof();
    if (!traits_type::eq_int_type(ch, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(ch);
      pbump(1);
    }
    return traits_type::not_eof(ch);
  }

  int sync() override {
    const bool ok = drain(pbase(), static_cast<std::size_t>(pptr() - pbase()));
    setp(buffer_.get(), buffer_.get() + capacity);
    return ok ? 0 : -1;
  }

  // Large blocks (a model's weights) go straight to the descriptor instead of through the buffer.
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    if (n < epptr() - pptr()) return std::streambuf::xsputn(s, n);
    if (sync() != 0 || !drain(s, static_cast<std::size_t>(n))) return 0;
    return n;
  }

 private:
  static constexpr std::size_t capacity = std::size_t{1} << 16;

  bool drain(const char* p, std::size_t n) {
    while (n > 0 && error_ == 0) {
      const ssize_t written = ::write(fd_, p, n);
      if (written < 0) {
        if (errno != EINTR) error_ = errno;
        continue;
      }
      p += written;
      n -= static_cast<std::size_t>(written);
    }
    return error_ == 0;
  }

  int fd_;
  int error_ = 0;
  std::unique_ptr<char[]> buffer_;
};

/// Removes the temporaries of `target` that writers killed mid-write (SIGKILL, power loss) left
/// behind: ".NAME.tmp.PID.N" whose process no longer runs. A running writer's temporary stays.
inline void remove_stale_temporaries(const std::filesystem::path& target) {
  // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on "." + std::string.
  std::string prefix = ".";
  prefix += target.filename().string();
  prefix += ".tmp.";
  const auto folder =
      target.parent_path().empty() ? std::filesystem::path(".") : target.parent_path();
  std::error_code ec;
  for (std::filesystem::directory_iterator it(folder, ec), end; !ec && it != end;
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.starts_with(prefix)) continue;
    const std::string_view rest = std::string_view(name).substr(prefix.size());  // "PID.N"
    const auto dot = rest.find('.');
    const auto digits = [](std::string_view s) {
      return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
    };
    if (dot == rest.npos || !digits(rest.substr(0, dot)) || !digits(rest.substr(dot + 1))) continue;
    const long pid = std::strtol(name.c_str() + prefix.size(), nullptr, 10);
    if (pid <= 0 || ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    std::error_code ignored;
    std::filesystem::remove(it->path(), ignored);
  }
}

/// A new, hidden file beside `target` (".NAME.tmp.PID.RANDOM", which no output is ever named),
/// removed on destruction unless committed.
class TemporaryFile {
 public:
  explicit TemporaryFile(const std::filesystem::path& target) : target_(target), fd_(-1) {
    const std::string name = target.filename().string();
    if (name.empty() || name == "." || name == "..")
      throw Error(target.string() + ": cannot create: Is a directory");
    const auto folder = target.parent_path();
    std::random_device entropy;
    for (int attempt = 0;; ++attempt) {
      path_ = folder /
              ("." + name + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(entropy()));
      const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (fd >= 0) {
        fd_ = fd;
        break;
      }
      if (errno != EEXIST || attempt == 16) throw file_error(target, "cannot create", errno);
    }
    // A replaced file keeps its permissions; a new one gets the umask's, as with any open().
    struct stat existing;
    if (::stat(target.c_str(), &existing) == 0 && S_ISREG(existing.st_mode))
      ::fchmod(fd_, existing.st_mode & 07777);
  }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  ~TemporaryFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(path_.c_str());
  }

  int fd() const { return fd_; }

  /// Makes the content durable, then puts it in the target's place.
  void commit() {
    if (::fsync(fd_) != 0) throw file_error(target_, "cannot write", errno);
    const int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0) throw file_error(target_, "cannot write", errno);
    if (::rename(path_.c_str(), target_.c_str()) != 0)
      throw file_error(target_, "cannot replace", errno);
    committed_ = true;
    remove_stale_temporaries(target_);
    // The rename itself lives in the folder; syncing it is best effort (not every file system can).
    const auto folder = target_.parent_path().empty() ? "." : target_.parent_path();
    const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
      ::fsync(dir);
      ::close(dir);
    }
  }

 private:
  std::filesystem::path target_;
  std::filesystem::path path_;
  int fd_;
  bool committed_ = false;
};

}  // namespace detail

/// Writes `path` through `write_to(std::ostream&)` atomically. Any failure, an exception from the
/// writer included, leaves an existing file untouched, no temporary behind, and throws dr::Error.
template <class Fn>
requires std::invocable<Fn&, std::ostream&>
void write_file_atomically(const std::filesystem::path& path, Fn&& write_to) {
  detail::TemporaryFile temporary(path);
  detail::DescriptorBuffer buffer(temporary.fd());
  std::ostream out(&buffer);
  try {
    write_to(out);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(path.string() + ": cannot write: " + e.what());
  }
  out.flush();
  if (buffer.error() != 0) throw detail::file_error(path, "cannot write", buffer.error());
  if (!out) throw Error(path.string() + ": cannot write: the output stream failed");
  temporary.commit();
}

/// Writes `text` as the whole content of `path`, atomically.
inline void write_file_atomically(const std::filesystem::path& path, std::string_view text) {
  write_file_atomically(path, [text](std::ostream& out) {
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
  });
}

/// Writes `bytes` as the whole content of `path`, atomically.
inline void write_file_atomically(const std::filesystem::path& path,
                                  std::span<const std::uint8_t> bytes) {
  write_file_atomically(
      path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

/// The whole content of a file. Throws dr::Error "FILE: no such file", "FILE: is a directory",
/// or "FILE: cannot open/read: reason".
inline std::vector<std::uint8_t> read_file_bytes(const std::filesystem::path& path) {
  detail::Descriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) throw Error(path.string() + ": no such file");
    throw detail::file_error(path, "cannot open", errno);
  }
  struct stat status;
  if (::fstat(fd.get(), &status) != 0) throw detail::file_error(path, "cannot read", errno);
  if (S_ISDIR(status.st_mode)) throw Error(path.string() + ": is a directory");

  // A regular file's size is known (one spare byte sees the end without growing); a pipe's is not.
  std::vector<std::uint8_t> bytes(S_ISREG(status.st_mode) ? std::size_t(status.st_size) + 1
                                                          : std::size_t{1} << 16);
  std::size_t size = 0;
  for (;;) {
    if (size == bytes.size()) bytes.resize(2 * bytes.size());
    const ssize_t got = ::read(fd.get(), bytes.data() + size, bytes.size() - size);
    if (got == 0) break;
    if (got < 0) {
      if (errno == EINTR) continue;
      throw detail::file_error(path, "cannot read", errno);
    }
    size += static_cast<std::size_t>(got);
  }
  bytes.resize(size);
  return bytes;
}

}  // namespace dr
