// Running gnuplot on a script that writes PNG files, with atomic outputs: the script draws each
// plot into a hidden temporary beside its target, and only a run that succeeds renames them into
// place. A missing or failing gnuplot is a warning, never an error: the tables do not need it.
#pragma once

#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "dr/io/atomic_file.hpp"

extern char** environ;

namespace driver::gnuplot {

/// A gnuplot single-quoted string: only the quote itself needs escaping (by doubling it).
inline std::string quote(const std::string& s) {
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

/// The hidden temporary a plot is drawn into before it is renamed to `target`.
inline std::filesystem::path temporary_for(const std::filesystem::path& target) {
  return target.parent_path() / ("." + target.filename().string() + ".tmp");
}

/// Writes `script` to `script_file` and runs gnuplot on it (the program named by the environment
/// variable DR_GNUPLOT, default "gnuplot"). The script must draw each of `outputs` into
/// temporary_for(output). Returns true if every plot was written; otherwise warns on stderr.
inline bool run(const std::string& script, const std::filesystem::path& script_file,
                const std::vector<std::filesystem::path>& outputs) {
  dr::write_file_atomically(script_file, script);
  const char* program = std::getenv("DR_GNUPLOT");
  if (program == nullptr || *program == '\0') program = "gnuplot";
  const std::string script_path = script_file.string();
  char* argv[] = {const_cast<char*>(program), const_cast<char*>(script_path.c_str()), nullptr};
  auto discard = [&] {
    std::error_code ignored;
    for (const auto& out : outputs) std::filesystem::remove(temporary_for(out), ignored);
  };

  pid_t pid = 0;
  if (const int rc = ::posix_spawnp(&pid, program, nullptr, nullptr, argv, environ); rc != 0) {
    std::fprintf(stderr,
                 "digit-recognizer: warning: cannot run %s (%s): plots not drawn, tables written "
                 "(install gnuplot-nox, or run scripts/setup-deps.sh)\n",
                 program, std::strerror(rc));
    return false;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    discard();
    std::fprintf(stderr, "digit-recognizer: warning: %s %s failed (status %d): plots not drawn\n",
                 program, script_path.c_str(), status);
    return false;
  }
  for (const auto& out : outputs) {
    std::error_code ec;
    std::filesystem::rename(temporary_for(out), out, ec);
    if (ec) {
      discard();
      std::fprintf(stderr, "digit-recognizer: warning: %s: not drawn by gnuplot (%s)\n",
                   out.string().c_str(), ec.message().c_str());
      return false;
    }
  }
  return true;
}

}  // namespace driver::gnuplot
