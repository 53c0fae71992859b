// fit(): epochs of shuffled mini-batches over a Dataset, with augmentation and the study's input
// noise, progress callbacks, validation (best epoch, early stopping) and checkpoints;
// evaluate() and predict_all() for labelled and unlabelled data.
// Deterministic: the shuffle of epoch e and the augmentation and noise of batch b come from seeds
// derived from the run's seed, so the same seed gives the same model.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dr/augment.hpp"
#include "dr/checkpoint.hpp"
#include "dr/data/batch.hpp"
#include "dr/data/batch_producer.hpp"
#include "dr/data/dataset.hpp"
#include "dr/error.hpp"
#include "dr/loss.hpp"
#include "dr/noise.hpp"
#include "dr/parallel.hpp"
#include "dr/train_step.hpp"

namespace dr {

struct FitOptions {
  std::size_t epochs = 10;
  std::size_t batch = 64;
  std::uint64_t seed = 1;
  real noise = 0;  ///< standard deviation of the Gaussian pixel noise (0: none)
  real label_smoothing = 0;
  real dropout = 0;  ///< share of hidden units zeroed in each training row (see train_step.hpp)
  double noise_fraction = 1;  ///< share of images noised each epoch (--noise-mode half: 0.5)
  /// If set, replaces each (noised) training batch before the step, e.g. by its FGSM version
  /// for adversarial training: perturb_batch(x, labels, rows).
  std::function<void(real*, const std::uint8_t*, std::size_t)> perturb_batch;
  AugmentSettings augment;  ///< fresh random transforms of the training images every epoch
  /// With validation rows: end with the weights of the epoch of best validation accuracy.
  bool keep_best = true;
  std::size_t patience = 0;  ///< stop after this many epochs without a better validation (0: off)
  std::filesystem::path checkpoint;  ///< if set: the training state after every epoch
  bool resume = false;               ///< continue from `checkpoint` if it exists
  std::string checkpoint_tag;  ///< settings outside FitOptions a resume must match (lr, optimizer)
  /// Threads fit may use (the model does not depend on their number, see train_step.hpp): all
  /// split every training batch and the validation rows, except when batches are augmented or
  /// noised: then that many threads make the batches and half as many (at least one) train.
  std::size_t threads = 1;
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
  real learning_rate;             ///< at the end of the epoch
  double input_wait_seconds = 0;  ///< time training waited for the batch producer
};

struct FitCallbacks {
  std::function<void(const BatchProgress&)> on_batch;
  std::function<void(const EpochReport&)> on_epoch;
};

inline constexpr std::size_t inference_batch = 256;

/// Converts `rows` of `data` to floats inference_batch rows at a time and calls
/// f(t, b, batch_rows, x, labels) for every batch b, the batches split into `threads` contiguous
/// parts, part t on thread t. Every row's prediction is computed alone, so the split changes no
/// result: f only has to keep per-thread state apart (index it by t < threads).
template <class F>
void for_each_inference_batch(const Dataset& data, std::span<const std::uint32_t> rows,
                              std::size_t threads, F&& f) {
  const std::size_t batches = (rows.size() + inference_batch - 1) / inference_batch;
  WorkerPool pool(std::clamp<std::size_t>(batches, 1, std::max<std::size_t>(1, threads)));
  pool.run([&](std::size_t t) {
    AlignedBuffer<real> x(inference_batch * image_pixels);
    std::vector<std::uint8_t> labels(inference_batch);
    const Range part = part_of(batches, pool.size(), t);
    for (std::size_t b = part.begin; b < part.end; ++b) {
      const std::size_t start = b * inference_batch;
      const auto batch = rows.subspan(start, std::min(inference_batch, rows.size() - start));
      gather_batch(data, batch, x.data(), labels.data());
      f(t, b, batch, x.data(), labels.data());
    }
  });
}

/// The confusion matrix of `net` on the labelled rows `rows` of `data`, optionally with input
/// noise drawn from `noise_seed` (the same seed gives every model the same noisy images), on
/// `threads` threads (the result does not depend on their number).
template <class Net>
ConfusionMatrix<class_count> evaluate(const Net& net, const Dataset& data,
                                      std::span<const std::uint32_t> rows, real noise = 0,
                                      std::uint64_t noise_seed = 0, std::size_t threads = 1) {
  static_assert(Net::in_size == image_pixels && Net::out_size == class_count,
                "evaluate() takes a network of 784 inputs and 10 classes");
  if (!data.labelled()) throw Error(data.source + ": has no labels to evaluate against");
  threads = std::max<std::size_t>(1, threads);
  std::vector<ConfusionMatrix<class_count>> confusion(threads);
  std::vector<Workspace<Net>> ws(threads);
  std::vector<std::vector<std::uint8_t>> predicted(threads,
                                                   std::vector<std::uint8_t>(inference_batch));
  for_each_inference_batch(data, rows, threads,
                           [&](std::size_t t, std::size_t b, std::span<const std::uint32_t> batch,
                               real* x, const std::uint8_t* labels) {
                             Rng rng(derive_seed(noise_seed, b));
                             add_gaussian_noise({x, batch.size() * image_pixels}, noise, rng);
                             predict(net, ws[t], x, batch.size(), predicted[t].data());
                             for (std::size_t r = 0; r < batch.size(); ++r)
                               confusion[t].add(labels[r], predicted[t][r]);
                           });
  for (std::size_t t = 1; t < threads; ++t)
    for (std::size_t i = 0; i < class_count; ++i)
      for (std::size_t j = 0; j < class_count; ++j)
        confusion[0].counts[i][j] += confusion[t].counts[i][j];
  return confusion[0];
}

/// The predicted class of every row of `data`, on `threads` threads.
template <class Net>
std::vector<std::uint8_t> predict_all(const Net& net, const Dataset& data,
                                      std::size_t threads = 1) {
  threads = std::max<std::size_t>(1, threads);
  std::vector<std::uint8_t> out(data.rows());
  std::vector<Workspace<Net>> ws(threads);
  for_each_inference_batch(data, all_rows(data.rows()), threads,
                           [&](std::size_t t, std::size_t b, std::span<const std::uint32_t> batch,
                               const real* x, const std::uint8_t*) {
                             predict(net, ws[t], x, batch.size(), out.data() + b * inference_batch);
                           });
  return out;
}

namespace detail {

/// What fit() carries from one epoch to the next besides the network and the optimizer: all a
/// checkpoint needs to continue as if never interrupted.
template <class Net>
struct FitState {
  std::uint64_t epochs_done = 0;
  std::vector<std::uint32_t> order;  ///< the running shuffle (each epoch shuffles it further)
  std::vector<EpochReport> reports;
  std::unique_ptr<Net> best = make_zeroed<Net>();  ///< weights of the best validation epoch
  double best_accuracy = -1;
  std::uint64_t best_epoch = 0;  ///< 0: none yet

  /// Writes or reads (Archive: CheckpointWriter or CheckpointReader) the state and its network
  /// and optimizer, in one order for both directions.
  template <class Archive, class Trainer>
  void archive(Archive& a, Net& net, Trainer& trainer) {
    a(epochs_done);
    a(order);
    a(reports);
    a(best_accuracy);
    a(best_epoch);
    a(net);
    a(*best);
    trainer.visit_state(a);
  }
};

/// The sub-stream of the run's seed that the dropout masks come from (epochs use 0, 1, 2 ...).
inline constexpr std::uint64_t dropout_stream = ~std::uint64_t{0xd209};

/// The settings a checkpoint must share with the run that resumes it. Not the thread count: the
/// Trainer's result does not depend on it, so a run may resume on a machine of other size.
template <class Net>
std::string fit_fingerprint(const FitOptions& o, std::size_t train_rows) {
  return Net::shape() + " seed=" + std::to_string(o.seed) + " epochs=" + std::to_string(o.epochs) +
         " batch=" + std::to_string(o.batch) + " rows=" + std::to_string(train_rows) +
         " augment=" + std::string(augmentation_name(o.augment.kind)) +
         " noise=" + std::to_string(o.noise) + " smoothing=" + std::to_string(o.label_smoothing) +
         " dropout=" + std::to_string(o.dropout) + " patience=" + std::to_string(o.patience) +
         " noise_fraction=" + std::to_string(o.noise_fraction) +
         (o.checkpoint_tag.empty() ? "" : " ") + o.checkpoint_tag;
}

}  // namespace detail

/// Trains `net` on the rows `train_rows` of `data` for options.epochs epochs. Throws dr::Error
/// if the loss becomes NaN or infinite (the network then has that batch's update too; the caller
/// should discard it).
///
/// The batches of an epoch (augmented and noised images) are made on other threads while the
/// network trains, whenever there is augmentation or noise to compute. With validation rows and
/// options.keep_best, `net` ends with the weights of the epoch of best validation accuracy, and
/// options.patience > 0 stops after that many epochs without improvement. With
/// options.checkpoint set, the training state is written there (atomically) after every epoch;
/// options.resume continues from it if it exists.
template <class Net, class Optimizer, class Schedule>
std::vector<EpochReport> fit(Net& net, Optimizer optimizer, Schedule schedule, const Dataset& data,
                             std::span<const std::uint32_t> train_rows,
                             std::span<const std::uint32_t> validation_rows,
                             const FitOptions& options, const FitCallbacks& callbacks = {}) {
  if (!data.labelled()) throw Error(data.source + ": training data needs labels");
  if (train_rows.empty()) throw Error(data.source + ": no rows left to train on");
  using clock = std::chrono::steady_clock;
  const std::size_t batch = std::max<std::size_t>(1, options.batch);
  const std::size_t batches = (train_rows.size() + batch - 1) / batch;
  const bool augmenting = options.augment.kind != Augmentation::none;
  // Augmented batches are made by threads of their own (BatchProducer), and training gets half
  // of the threads: its threads spin between steps, on the cores the batch makers need. An
  // elastic distortion costs several times training on the image, so all the threads make
  // batches; a shift or an affine map costs about as much, so the threads that training leaves
  // do, and no thread waits for a core (two cores, 784-128-10, 60,000 images: the default
  // train, affine, 5.3-6.2 s against 6.3-7.0 with two batch makers; the best recipe's elastic
  // distortions, 10 epochs, 3.8 s against 5.7 with one). (Noise is drawn where the pixels are
  // gathered, by the training threads, unless the batches are augmented: ImageNoise.)
  const std::size_t threads = std::max<std::size_t>(1, options.threads);
  const std::size_t training_threads = augmenting ? std::max<std::size_t>(1, threads / 2) : threads;
  const bool elastic = options.augment.kind == Augmentation::elastic ||
                       options.augment.kind == Augmentation::affine_elastic;
  const std::size_t producers = !augmenting ? 0
                                : elastic   ? threads
                                            : std::max<std::size_t>(1, threads - training_threads);
  Trainer<Net, Optimizer> trainer(net, std::move(optimizer),
                                  {.label_smoothing = options.label_smoothing,
                                   .dropout = options.dropout,
                                   .seed = derive_seed(options.seed, detail::dropout_stream),
                                   .threads = training_threads});
  // Training threads read a batch's columns faster in two blocks (SplitRows); adversarial
  // perturbation works on whole rows, so it keeps them.
  const bool split = trainer.prefers_split_rows() && !options.perturb_batch;
  // Batches neither augmented nor perturbed the training threads gather (and noise) themselves,
  // each the part of the pixels it reads (TrainingBatch::fill): on two threads each does half,
  // into its own core's cache, where thread 0 would do all and the other core fetch half from it.
  const bool gathered_by_trainer = !augmenting && !options.perturb_batch;
  std::vector<Augmenter> augmenters(std::max<std::size_t>(1, producers),
                                    Augmenter(options.augment));  // one per producer thread
  const ImageNoise noise(options.noise, options.noise_fraction);
  detail::FitState<Net> state;
  state.order.assign(train_rows.begin(), train_rows.end());
  const std::string fingerprint = detail::fit_fingerprint<Net>(options, train_rows.size());
  if (options.resume && !options.checkpoint.empty() &&
      std::filesystem::exists(options.checkpoint)) {
    CheckpointReader reader(options.checkpoint, fingerprint);
    state.archive(reader, net, trainer);
  }
  auto& order = state.order;
  auto& reports = state.reports;
  std::vector<BatchSlot> slots;  // of every epoch's BatchProducer
  const auto stopped_early = [&] {
    return options.patience > 0 && state.best_epoch > 0 &&
           state.epochs_done - state.best_epoch >= options.patience;
  };

  for (std::size_t epoch = state.epochs_done; epoch < options.epochs && !stopped_early(); ++epoch) {
    const auto start = clock::now();
    Rng shuffle_rng(derive_seed(options.seed, 2 * epoch));
    shuffle(order.begin(), order.end(), shuffle_rng);
    const std::uint64_t noise_seed = derive_seed(options.seed, 2 * epoch + 1);
    const auto rows_of = [&](std::size_t b) {
      return std::span(order).subspan(b * batch, std::min(batch, order.size() - b * batch));
    };
    // The noise of batch b's row r comes from seeds_of(b)(r) alone (ImageNoise).
    const auto seeds_of = [noise_seed](std::size_t b) {
      return [batch_seed = derive_seed(noise_seed, b)](std::size_t r) {
        return derive_seed(batch_seed, r);
      };
    };
    BatchProducer producer(
        batches, batch, image_pixels,
        [&, noise_seed](std::size_t b, BatchSlot& slot, std::size_t worker) {
          const auto rows = rows_of(b);
          slot.rows = rows.size();
          if (split && slot.split.capacity() < batch)
            slot.split.reset(batch, image_pixels, decltype(trainer)::input_cut);
          if (gathered_by_trainer) return gather_labels(data, rows, slot.labels.data());
          if (augmenting) {
            Rng rng(derive_seed(~noise_seed, b));
            const auto seed_of = seeds_of(b);
            for (std::size_t r = 0; r < rows.size(); ++r) {
              real* image = slot.x.data() + r * image_pixels;
              augmenters[worker].apply(data.image(rows[r]), image, rng);
              noise.add_to(seed_of(r), image);
              slot.labels[r] = data.labels[rows[r]];
            }
          } else {
            ImageNoiseBuffer z;
            gather_inputs(data, rows, {0, image_pixels}, slot.x.data(), slot.labels.data(),
                          noise.for_rows(seeds_of(b), 0, z));
          }
          if (split) slot.split.assign(rows.size(), slot.x.data());
        },
        producers, slots);
    double loss_sum = 0, waited = 0;
    std::size_t correct = 0, taken = 0, rows = 0;  // batches taken; the last one's rows
    real lr = 0;
    // The trainer takes batch b + 1 while it finishes batch b's step (the producer keeps both),
    // unless perturbing a batch reads the weights, which then must have b's update.
    const auto next_batch = [&]() -> std::optional<TrainingBatch> {
      if (taken == batches) return std::nullopt;
      const auto wait_start = clock::now();
      BatchSlot& next = producer.next();
      waited += std::chrono::duration<double>(clock::now() - wait_start).count();
      real* x = next.x.data();
      rows = next.rows;
      if (options.perturb_batch) options.perturb_batch(x, next.labels.data(), rows);
      lr = schedule(static_cast<double>(epoch) + static_cast<double>(taken) / batches);
      const SplitRows view = split ? next.split.view() : SplitRows::of_rows(x, Net::in_size);
      TrainingBatch made{view, next.labels.data(), rows, lr, {}};
      if (gathered_by_trainer)
        made.fill = [&, slot = &next, all = rows_of(taken), b = taken](Range part, Range inputs) {
          const auto these = all.subspan(part.begin, part.size());
          ImageNoiseBuffer z;  // on each thread's own stack: fill runs on several at once
          const auto noise_of = noise.for_rows(seeds_of(b), part.begin, z);
          if (split)
            return gather_inputs(data, these, inputs, slot->split, part.begin, nullptr, noise_of);
          gather_inputs(data, these, inputs, slot->x.data() + part.begin * image_pixels, nullptr,
                        noise_of);
        };
      ++taken;
      return made;
    };
    const auto step_done = [&](const StepOutcome& step) {
      if (!std::isfinite(step.loss)) {
        // Resumed, the run would diverge again at the same batch: leave nothing to resume.
        std::error_code ignored;
        if (!options.checkpoint.empty()) std::filesystem::remove(options.checkpoint, ignored);
        throw Error("training diverged in epoch " + std::to_string(epoch + 1) + " (loss " +
                    shortest_text(step.loss) + ") at learning rate " + shortest_text(lr) +
                    "; try a smaller --lr");
      }
      loss_sum += step.loss * rows;
      correct += step.correct;
      if (callbacks.on_batch)
        callbacks.on_batch({epoch + 1, options.epochs, taken, batches,
                            loss_sum / ((taken - 1) * batch + rows),
                            std::chrono::duration<double>(clock::now() - start).count()});
    };
    trainer.train_batches(batch, next_batch, step_done,
                          options.perturb_batch ? NextBatch::after_step : NextBatch::during_step);
    EpochReport report{
        epoch + 1, loss_sum / order.size(), double(correct) / order.size(), {}, 0, lr, waited};
    if (!validation_rows.empty()) {
      report.validation_accuracy =
          evaluate(net, data, validation_rows, 0, 0, options.threads).accuracy();
      if (*report.validation_accuracy > state.best_accuracy) {
        state.best_accuracy = *report.validation_accuracy;
        state.best_epoch = epoch + 1;
        *state.best = net;
      }
    }
    report.seconds = std::chrono::duration<double>(clock::now() - start).count();
    reports.push_back(report);
    state.epochs_done = epoch + 1;
    if (!options.checkpoint.empty()) {
      CheckpointWriter writer(fingerprint);
      state.archive(writer, net, trainer);
      writer.save(options.checkpoint);
    }
    if (callbacks.on_epoch) callbacks.on_epoch(report);
  }
  if (options.keep_best && state.best_epoch > 0) net = *state.best;
  return reports;
}

}  // namespace dr
