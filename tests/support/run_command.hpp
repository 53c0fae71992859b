// Runs the built driver from a test: exit code and everything it printed.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

namespace dr::test {

struct CommandResult {
  int exit_code;
  std::string output;  ///< stdout and stderr together
};

/// Runs `args` (already shell-quoted where needed) with the driver binary in front.
inline CommandResult run_driver(const std::string& args) {
#ifndef DR_DRIVER
  static_assert(sizeof(args) == 0, "tests that run the driver need DR_DRIVER (the CMake target)");
#endif
  const std::string command = std::string("'") + DR_DRIVER + "' " + args + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return {-1, "popen failed"};
  std::string output;
  std::array<char, 4096> buffer;
  while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe))
    output.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), output};
}

/// A fresh, empty folder under the system's temporary directory.
inline std::filesystem::path fresh_folder(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("dr_test_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace dr::test
