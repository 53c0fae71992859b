// Checks that the driver refuses an input the way every refusal must look: the expected exit
// code, exactly one line "digit-recognizer: ..." naming the problem, and the folder it worked in
// left exactly as it was (no file created, changed or removed, no temporary behind).
#pragma once

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "support/run_command.hpp"

namespace dr::test {

/// Every file in `dir` (recursively, hidden ones included) with its content.
inline std::map<std::string, std::string> folder_snapshot(const std::filesystem::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    std::string content = "(folder)";
    if (entry.is_regular_file()) {
      std::ifstream in(entry.path(), std::ios::binary);
      content.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    files[std::filesystem::relative(entry.path(), dir).string()] = std::move(content);
  }
  return files;
}

/// Runs the driver with `args` and checks the refusal: `exit_code`, one line that contains every
/// piece of `expected`, and `dir` unchanged. Returns the line for further checks.
inline std::string check_refused(const std::filesystem::path& dir, const std::string& args,
                                 int exit_code, const std::vector<std::string>& expected) {
  const auto before = folder_snapshot(dir);
  const auto result = run_driver(args);
  INFO("digit-recognizer " << args << "\nprinted: " << result.output);
  CHECK(result.exit_code == exit_code);
  CHECK(result.output.starts_with("digit-recognizer: "));
  CHECK(result.output.find('\n') == result.output.size() - 1);  // one line, ended
  for (const auto& piece : expected) CHECK_THAT(result.output, Catch::Contains(piece));
  CHECK(folder_snapshot(dir) == before);
  return result.output;
}

}  // namespace dr::test
