// Training progress: a live bar on a terminal (stderr), plain per-epoch lines on stdout.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <string>

#include "dr/train.hpp"

namespace driver {

class Progress {
 public:
  Progress(bool quiet, std::size_t rows_per_epoch)
      : quiet_(quiet), bar_(!quiet && ::isatty(STDERR_FILENO)), rows_(rows_per_epoch) {}

  void batch(const dr::BatchProgress& p) {
    if (!bar_ || (p.batch % 20 != 0 && p.batch != p.batches)) return;
    constexpr int width = 30;
    const double done = double(p.batch) / p.batches;
    const int filled = static_cast<int>(done * width);
    const double rate = p.seconds > 0 ? done * rows_ / p.seconds : 0;
    const double eta = done > 0 ? p.seconds * (1 - done) / done : 0;
    std::fprintf(stderr, "\r\033[Kepoch %zu/%zu [%s%s] %zu/%zu loss %.4f %.0f img/s ETA %.1fs",
                 p.epoch, p.epochs, std::string(filled, '#').c_str(),
                 std::string(width - filled, '.').c_str(), p.batch, p.batches, p.loss, rate, eta);
    std::fflush(stderr);
  }

  void epoch(const dr::EpochReport& r, std::size_t epochs) {
    if (bar_) std::fprintf(stderr, "\r\033[K");
    if (quiet_) return;
    std::printf("epoch %zu/%zu  loss %.4f  train %.2f%%", r.epoch, epochs, r.loss,
                100 * r.train_accuracy);
    if (r.validation_accuracy) std::printf("  validation %.2f%%", 100 * *r.validation_accuracy);
    std::printf("  lr %.4g  %.2fs\n", double(r.learning_rate), r.seconds);
    std::fflush(stdout);
  }

 private:
  bool quiet_, bar_;
  std::size_t rows_;
};

}  // namespace driver
