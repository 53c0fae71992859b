// Progress of a whole sweep: on a terminal, a live line (stderr) with the cells done out of the
// total, the current cell's epoch bar and the sweep's ETA; on stdout, one line per finished cell.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "dr/train.hpp"

namespace driver {

class SweepProgress {
 public:
  using clock = std::chrono::steady_clock;

  /// `to_run` cells will be trained in this run, out of `total` in the sweep.
  SweepProgress(bool quiet, std::size_t to_run, std::size_t total)
      : quiet_(quiet), bar_(!quiet && ::isatty(STDERR_FILENO)), to_run_(to_run), total_(total) {}

  void start_cell(std::string label) {
    label_ = std::move(label);
    cell_start_ = clock::now();
  }

  void batch(const dr::BatchProgress& p) {
    if (!bar_ || (p.batch % 20 != 0 && p.batch != p.batches)) return;
    constexpr int width = 24;
    const double cell_done =
        (double(p.epoch - 1) + double(p.batch) / double(p.batches)) / double(p.epochs);
    const int filled = static_cast<int>(double(p.batch) / double(p.batches) * width);
    std::fprintf(stderr, "\r\033[Kcell %zu/%zu %s: epoch %zu/%zu [%s%s] ETA %s", done_ + 1, to_run_,
                 label_.c_str(), p.epoch, p.epochs, std::string(filled, '#').c_str(),
                 std::string(width - filled, '.').c_str(), eta(cell_done).c_str());
    std::fflush(stderr);
  }

  /// Training is over; the attacks are being evaluated.
  void evaluating() {
    if (!bar_) return;
    std::fprintf(stderr, "\r\033[Kcell %zu/%zu %s: evaluating", done_ + 1, to_run_, label_.c_str());
    std::fflush(stderr);
  }

  /// The cell is written; `summary` is its one-line result.
  void finish_cell(std::size_t cell, const std::string& summary) {
    ++done_;
    finished_seconds_ += seconds_since(cell_start_);
    if (bar_) std::fprintf(stderr, "\r\033[K");
    if (quiet_) return;
    std::printf("[%zu/%zu] cell %zu %s: %s (%.1fs, ETA %s)\n", done_, to_run_, cell, label_.c_str(),
                summary.c_str(), seconds_since(cell_start_), eta(0).c_str());
    std::fflush(stdout);
  }

  void skip_cell(std::size_t cell, const std::string& label) {
    if (!quiet_)
      std::printf("cell %zu of %zu %s: done earlier with this configuration, skipped\n", cell,
                  total_, label.c_str());
  }

 private:
  static double seconds_since(clock::time_point t) {
    return std::chrono::duration<double>(clock::now() - t).count();
  }

  /// Remaining time of the sweep: the current cell's rest (from its own pace) plus the cells
  /// still to come at the mean time of those finished (or of this one, before any finished).
  std::string eta(double cell_done) const {
    const double elapsed = seconds_since(cell_start_);
    const double current_total = cell_done > 0 ? elapsed / cell_done : 0;
    const double per_cell = done_ ? finished_seconds_ / double(done_) : current_total;
    const double waiting = double(to_run_ - done_ - (cell_done > 0 ? 1 : 0));
    const double rest = (cell_done > 0 ? current_total - elapsed : 0) + waiting * per_cell;
    const auto s = static_cast<long>(rest + 0.5);
    return s >= 60 ? std::to_string(s / 60) + "m" + std::to_string(s % 60) + "s"
                   : std::to_string(s) + "s";
  }

  bool quiet_, bar_;
  std::size_t to_run_, total_, done_ = 0;
  double finished_seconds_ = 0;
  std::string label_;
  clock::time_point cell_start_ = clock::now();
};

}  // namespace driver
