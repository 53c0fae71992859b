// SIGKILL while the driver writes a large model: the old model stays whole, the half-written
// temporary is hidden under a name no model has, and the next completed write removes it.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "data_files.hpp"
#include "dr/model_file.hpp"
#include "support/run_command.hpp"
#include "support/synthetic_digits.hpp"

namespace fs = std::filesystem;

namespace {

/// Starts the driver with `args`, its output discarded; returns its process id.
pid_t start_driver(const std::vector<std::string>& args) {
  std::vector<std::string> all{DR_DRIVER};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    ::dup2(null, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

/// The names in `dir` starting with `prefix`.
std::vector<std::string> names_starting(const fs::path& dir, const std::string& prefix) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().filename().string().starts_with(prefix))
      names.push_back(entry.path().filename().string());
  return names;
}

/// Whether a non-empty temporary of `model` exists in `dir`: the model's bytes are on their way.
bool writing(const fs::path& dir, const std::string& temporary_prefix) {
  std::error_code ec;
  for (const auto& name : names_starting(dir, temporary_prefix))
    if (fs::file_size(dir / name, ec) > 0 && !ec) return true;
  return false;
}

}  // namespace

TEST_CASE("interrupted write: SIGKILL while saving a large model leaves the old one whole",
          "[interrupted]") {
  const auto dir = dr::test::fresh_folder("interrupted");
  dr::test::write_kaggle_csv(dir / "train.csv", dr::test::synthetic_digits(64, 1), true);
  const dr::test::TempDir scratch;  // keeps the old model to put back after a missed attempt
  dr::save_model(scratch / "old.bin", *dr::make_network<dr::Network<784, 10, 10>>(1));
  fs::copy_file(scratch / "old.bin", dir / "model.bin");
  const std::string old_bytes = dr::test::read_text(dir / "model.bin");

  // H = 1024 makes a 3.3 MB model; the driver is killed once its temporary has bytes in it,
  // i.e. between writing and renaming. The window is short, so a run that ends first is retried.
  const std::vector<std::string> args{"train",     "--quiet",
                                      "--hidden",  "1024",
                                      "--epochs",  "1",
                                      "--threads", "1",
                                      "--train",   (dir / "train.csv").string(),
                                      "--model",   (dir / "model.bin").string()};
  const std::string temporary_prefix = ".model.bin.tmp.";
  bool killed_mid_write = false;
  for (int attempt = 0; attempt < 20 && !killed_mid_write; ++attempt) {
    const pid_t pid = start_driver(args);
    REQUIRE(pid > 0);
    int status = 0;
    while (::waitpid(pid, &status, WNOHANG) == 0) {
      if (writing(dir, temporary_prefix)) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        killed_mid_write = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
        break;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
    if (!killed_mid_write) {
      // It finished first: put the old model back and try again.
      REQUIRE((WIFEXITED(status) && WEXITSTATUS(status) == 0));
      fs::copy_file(scratch / "old.bin", dir / "model.bin", fs::copy_options::overwrite_existing);
    }
  }
  REQUIRE(killed_mid_write);

  // The old model is intact and still loads; the killed writer's temporary is hidden and no
  // visible file appeared that a later run (or a user's *.bin) could take for a model.
  CHECK(dr::test::read_text(dir / "model.bin") == old_bytes);
  CHECK(dr::load_model<dr::Network<784, 10, 10>>(dir / "model.bin") != nullptr);
  const auto leftovers = names_starting(dir, temporary_prefix);
  CHECK(leftovers.size() == 1);
  for (const auto& entry : fs::directory_iterator(dir)) {
    const auto name = entry.path().filename().string();
    INFO(name);
    CHECK((name.starts_with(".") || name == "train.csv" || name == "model.bin" ||
           name == "model.bin.checkpoint"));
  }

  // The next completed run writes a whole model and clears the dead writer's temporary.
  const auto again = dr::test::run_driver(
      "train --quiet --hidden 1024 --epochs 1 --threads 1 "
      "--train " +
      (dir / "train.csv").string() + " --model " + (dir / "model.bin").string());
  INFO(again.output);
  REQUIRE(again.exit_code == 0);
  CHECK(dr::read_model_info(dir / "model.bin").shape() == "784-1024-10");
  CHECK(names_starting(dir, temporary_prefix).empty());
  CHECK(names_starting(dir, ".").empty());
}
