// fit(): epochs of shuffled mini-batches over a Dataset, with the study's input noise, progress
// callbacks and validation; evaluate() and predict_all() for labelled and unlabelled data.
// Deterministic: the shuffle of epoch e and the noise of batch b come from seeds derived from
// the run's seed, so the same seed gives the same model.
#pragma once

#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dr/augment.hpp"
#include "dr/data/batch.hpp"
#include "dr/data/dataset.hpp"
#include "dr/error.hpp"
#include "dr/loss.hpp"
#include "dr/train_step.hpp"

namespace dr {

struct FitOptions {
  std::size_t epochs = 10;
  std::size_t batch = 64;
  std::uint64_t seed = 1;
  real noise = 0;  ///< standard deviation of the Gaussian pixel noise (0: none)
  real label_smoothing = 0;
};

struct BatchProgress {
  std::size_t epoch, epochs, batch, batches;
  double loss;  ///< mean over the epoch so far
  double seconds;
};

struct EpochReport {
  std::size_t epoch;
  double loss;
  double train_accuracy;  ///< on the (noisy) training batches, before each update
  std::optional<double> validation_accuracy;
  double seconds;
  real learning_rate;  ///< at the end of the epoch
};

struct FitCallbacks {
  std::function<void(const BatchProgress&)> on_batch;
  std::function<void(const EpochReport&)> on_epoch;
};

inline constexpr std::size_t inference_batch = 256;

/// The confusion matrix of `net` on the labelled rows `rows` of `data`, optionally with input
/// noise drawn from `noise_seed` (the same seed gives every model the same noisy images).
template <class Net>
ConfusionMatrix<class_count> evaluate(const Net& net, const Dataset& data,
                                      std::span<const std::uint32_t> rows, real noise = 0,
                                      std::uint64_t noise_seed = 0) {
  static_assert(Net::in_size == image_pixels && Net::out_size == class_count,
                "evaluate() takes a network of 784 inputs and 10 classes");
  if (!data.labelled()) throw Error(data.source + ": has no labels to evaluate against");
  ConfusionMatrix<class_count> confusion;
  Workspace<Net> ws(inference_batch);
  AlignedBuffer<real> x(inference_batch * image_pixels);
  std::vector<std::uint8_t> labels(inference_batch), predicted(inference_batch);
  for (std::size_t start = 0, b = 0; start < rows.size(); start += inference_batch, ++b) {
    const auto batch = rows.subspan(start, std::min(inference_batch, rows.size() - start));
    gather_batch(data, batch, x.data(), labels.data());
    Rng rng(derive_seed(noise_seed, b));
    add_gaussian_noise({x.data(), batch.size() * image_pixels}, noise, rng);
    predict(net, ws, x.data(), batch.size(), predicted.data());
    for (std::size_t r = 0; r < batch.size(); ++r) confusion.add(labels[r], predicted[r]);
  }
  return confusion;
}

/// The predicted class of every row of `data`.
template <class Net>
std::vector<std::uint8_t> predict_all(const Net& net, const Dataset& data) {
  std::vector<std::uint8_t> out(data.rows());
  Workspace<Net> ws(inference_batch);
  AlignedBuffer<real> x(inference_batch * image_pixels);
  const auto rows = all_rows(data.rows());
  for (std::size_t start = 0; start < rows.size(); start += inference_batch) {
    const auto batch =
        std::span(rows).subspan(start, std::min(inference_batch, rows.size() - start));
    gather_batch(data, batch, x.data());
    predict(net, ws, x.data(), batch.size(), out.data() + start);
  }
  return out;
}

/// Trains `net` on the rows `train_rows` of `data` for options.epochs epochs. Throws dr::Error
/// if the loss becomes NaN or infinite (the network is then left as it was before that batch's
/// update, but the caller should discard it).
template <class Net, class Optimizer, class Schedule>
std::vector<EpochReport> fit(Net& net, Optimizer optimizer, Schedule schedule,
                             const Dataset& data, std::span<const std::uint32_t> train_rows,
                             std::span<const std::uint32_t> validation_rows,
                             const FitOptions& options, const FitCallbacks& callbacks = {}) {
  if (!data.labelled()) throw Error(data.source + ": training data needs labels");
  if (train_rows.empty()) throw Error(data.source + ": no rows left to train on");
  using clock = std::chrono::steady_clock;
  Trainer<Net, Optimizer> trainer(net, std::move(optimizer), options.label_smoothing);
  const std::size_t batch = std::max<std::size_t>(1, options.batch);
  const std::size_t batches = (train_rows.size() + batch - 1) / batch;
  AlignedBuffer<real> x(batch * image_pixels);
  std::vector<std::uint8_t> labels(batch);
  std::vector<std::uint32_t> order(train_rows.begin(), train_rows.end());
  std::vector<EpochReport> reports;

  for (std::size_t epoch = 0; epoch < options.epochs; ++epoch) {
    const auto start = clock::now();
    Rng shuffle_rng(derive_seed(options.seed, 2 * epoch));
    shuffle(order.begin(), order.end(), shuffle_rng);
    const std::uint64_t noise_seed = derive_seed(options.seed, 2 * epoch + 1);
    double loss_sum = 0;
    std::size_t correct = 0;
    real lr = 0;
    for (std::size_t b = 0; b < batches; ++b) {
      const auto rows = std::span(order).subspan(b * batch, std::min(batch, order.size() - b * batch));
      gather_batch(data, rows, x.data(), labels.data());
      Rng noise_rng(derive_seed(noise_seed, b));
      add_gaussian_noise({x.data(), rows.size() * image_pixels}, options.noise, noise_rng);
      lr = schedule(static_cast<double>(epoch) + static_cast<double>(b) / batches);
      std::size_t batch_correct = 0;
      const double loss = trainer.step(x.data(), labels.data(), rows.size(), lr, &batch_correct);
      if (!std::isfinite(loss))
        throw Error("training diverged in epoch " + std::to_string(epoch + 1) + " (loss " +
                    std::to_string(loss) + ") at learning rate " + std::to_string(lr) +
                    "; try a smaller --lr");
      loss_sum += loss * rows.size();
      correct += batch_correct;
      if (callbacks.on_batch)
        callbacks.on_batch({epoch + 1, options.epochs, b + 1, batches,
                            loss_sum / ((b * batch) + rows.size()),
                            std::chrono::duration<double>(clock::now() - start).count()});
    }
    EpochReport report{epoch + 1, loss_sum / order.size(), double(correct) / order.size(), {}, 0, lr};
    if (!validation_rows.empty())
      report.validation_accuracy = evaluate(net, data, validation_rows).accuracy();
    report.seconds = std::chrono::duration<double>(clock::now() - start).count();
    reports.push_back(report);
    if (callbacks.on_epoch) callbacks.on_epoch(report);
  }
  return reports;
}

}  // namespace dr
