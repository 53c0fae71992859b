#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "data_files.hpp"
#include "dr/io/atomic_file.hpp"

using dr::test::read_text;
using dr::test::TempDir;

TEST_CASE("atomic file: writes a new file and replaces an old one") {
  const TempDir dir;
  dr::write_file_atomically(dir / "out.txt", std::string_view("first"));
  CHECK(read_text(dir / "out.txt") == "first");
  dr::write_file_atomically(dir / "out.txt", [](std::ostream& out) { out << "second " << 2; });
  CHECK(read_text(dir / "out.txt") == "second 2");
  CHECK(dir.entries() == std::vector<std::string>{"out.txt"});
}

TEST_CASE("atomic file: large and small writes arrive whole and in order") {
  const TempDir dir;
  std::string big(3 << 20, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7 + i / 251);
  dr::write_file_atomically(dir / "model.bin", [&](std::ostream& out) {
    out << "head";
    out.write(big.data(), static_cast<std::streamsize>(big.size()));
    for (int i = 0; i < 100000; ++i) out.put(static_cast<char>(i));
  });
  std::string expected = "head" + big;
  for (int i = 0; i < 100000; ++i) expected += static_cast<char>(i);
  CHECK(read_text(dir / "model.bin") == expected);
  const std::vector<std::uint8_t> bytes = {0, 1, 2, 255};
  dr::write_file_atomically(dir / "bytes.bin", bytes);
  CHECK(dr::read_file_bytes(dir / "bytes.bin") == bytes);
}

TEST_CASE("atomic file: the temporary is hidden beside the target until the rename") {
  const TempDir dir;
  std::vector<std::string> during;
  dr::write_file_atomically(dir / "x.csv", [&](std::ostream& out) {
    out << "data";
    during = dir.entries();
  });
  REQUIRE(during.size() == 1);
  CHECK_THAT(during[0],
             Catch::Matchers::StartsWith(".x.csv.tmp." + std::to_string(::getpid()) + "."));
  CHECK(dir.entries() == std::vector<std::string>{"x.csv"});
}

TEST_CASE("atomic file: a missing folder names the file and the reason") {
  const TempDir dir;
  REQUIRE_THROWS_WITH(
      dr::write_file_atomically(dir / "missing" / "x.csv", std::string_view("a")),
      (dir / "missing" / "x.csv").string() + ": cannot create: No such file or directory");
}

TEST_CASE("atomic file: a throwing writer leaves the old file and no temporary") {
  const TempDir dir;
  dir.write("x.csv", "old");
  REQUIRE_THROWS_WITH(dr::write_file_atomically(dir / "x.csv",
                                                [](std::ostream& out) {
                                                  out << std::string(1 << 20, 'n');
                                                  throw std::runtime_error("out of ideas");
                                                }),
                      (dir / "x.csv").string() + ": cannot write: out of ideas");
  CHECK(read_text(dir / "x.csv") == "old");
  CHECK(dir.entries() == std::vector<std::string>{"x.csv"});

  // A dr::Error is already a user's message and passes through as it is.
  REQUIRE_THROWS_WITH(dr::write_file_atomically(
                          dir / "x.csv", [](std::ostream&) { throw dr::Error("model: bad size"); }),
                      "model: bad size");
  CHECK(read_text(dir / "x.csv") == "old");
  CHECK(dir.entries() == std::vector<std::string>{"x.csv"});
}

TEST_CASE("atomic file: a directory in the target's place is not replaced") {
  const TempDir dir;
  std::filesystem::create_directory(dir / "out");
  REQUIRE_THROWS_WITH(dr::write_file_atomically(dir / "out", std::string_view("a")),
                      (dir / "out").string() + ": cannot replace: Is a directory");
  CHECK(dir.entries() == std::vector<std::string>{"out"});
}

TEST_CASE("atomic file: an unwritable folder says permission denied") {
  if (::geteuid() == 0) {
    WARN("skipped: root ignores folder permissions");
    return;
  }
  const TempDir dir;
  std::filesystem::create_directory(dir / "locked");
  std::filesystem::permissions(
      dir / "locked", std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
  REQUIRE_THROWS_WITH(dr::write_file_atomically(dir / "locked" / "x", std::string_view("a")),
                      (dir / "locked" / "x").string() + ": cannot create: Permission denied");
  std::filesystem::permissions(dir / "locked", std::filesystem::perms::owner_all);
}

TEST_CASE("atomic file: a replaced file keeps its permissions") {
  const TempDir dir;
  dir.write("run.sh", "old");
  ::chmod((dir / "run.sh").c_str(), 0750);
  dr::write_file_atomically(dir / "run.sh", std::string_view("new"));
  struct stat status;
  REQUIRE(::stat((dir / "run.sh").c_str(), &status) == 0);
  CHECK((status.st_mode & 07777) == 0750);
}

TEST_CASE("read_file_bytes: missing file, directory and contents") {
  const TempDir dir;
  REQUIRE_THROWS_WITH(dr::read_file_bytes(dir / "nope"),
                      (dir / "nope").string() + ": no such file");
  REQUIRE_THROWS_WITH(dr::read_file_bytes(dir.path()), dir.path().string() + ": is a directory");
  dir.write("empty", "");
  CHECK(dr::read_file_bytes(dir / "empty").empty());
  dir.write("three", "abc");
  CHECK(dr::read_file_bytes(dir / "three") == std::vector<std::uint8_t>{'a', 'b', 'c'});
}
