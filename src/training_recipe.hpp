// The training recipe of the sweep's cells (optimizer, learning rate, schedule, epochs, batch),
// its command-line options and the fit() call it makes. The defaults are `train`'s, so that a
// sweep cell with noise P and seed S trains the same model as `train --noise P --seed S`.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "dr/optimizer.hpp"
#include "dr/schedule.hpp"
#include "dr/train.hpp"
#include "report/json.hpp"

namespace driver {

struct TrainingRecipe {
  std::size_t epochs = 10;
  std::size_t batch = 64;
  std::string optimizer = "sgd";
  std::optional<float> lr;
  float momentum = 0.9f;
  float weight_decay = 0;
  std::string schedule = "cosine";

  float learning_rate() const { return lr.value_or(optimizer == "adam" ? 1e-3f : 0.05f); }

  json::Value to_json() const {
    return json::Object{{"epochs", epochs},       {"batch", batch},
                        {"optimizer", optimizer}, {"lr", learning_rate()},
                        {"momentum", momentum},   {"weight_decay", weight_decay},
                        {"schedule", schedule}};
  }

  /// "10 epochs, batch 64, sgd lr 0.05 cosine"
  std::string describe() const {
    return std::to_string(epochs) + " epochs, batch " + std::to_string(batch) + ", " + optimizer +
           " lr " + json::format_number(learning_rate()) + " " + schedule;
  }
};

inline void add_recipe_options(CLI::App* cmd, TrainingRecipe& r) {
  cmd->add_option("--epochs", r.epochs, "Passes over the training rows")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_option("--batch", r.batch, "Rows per update")
      ->check(CLI::Range(1, 65536))
      ->capture_default_str();
  cmd->add_option("--optimizer", r.optimizer, "sgd (Nesterov momentum) or adam")
      ->check(CLI::IsMember({"sgd", "adam"}))
      ->capture_default_str();
  cmd->add_option("--lr", r.lr, "Peak learning rate (default 0.05 for sgd, 0.001 for adam)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--momentum", r.momentum, "SGD momentum")
      ->check(CLI::Range(0.0, 0.999))
      ->capture_default_str();
  cmd->add_option("--weight-decay", r.weight_decay, "Weight decay (weights only)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--schedule", r.schedule, "Learning-rate schedule: constant, step or cosine")
      ->check(CLI::IsMember({"constant", "step", "cosine"}))
      ->capture_default_str();
}

/// Trains `net` by the recipe; options carry the seed, the noise and the batch hook.
template <class Net>
std::vector<dr::EpochReport> fit_with_recipe(Net& net, const TrainingRecipe& r,
                                             const dr::Dataset& data,
                                             std::span<const std::uint32_t> train_rows,
                                             std::span<const std::uint32_t> validation_rows,
                                             const dr::FitOptions& options,
                                             const dr::FitCallbacks& callbacks) {
  const float lr = r.learning_rate();
  const double epochs = static_cast<double>(r.epochs);
  using Schedule = std::variant<dr::ConstantLr, dr::StepLr, dr::CosineLr>;
  const Schedule schedule = r.schedule == "constant" ? Schedule(dr::ConstantLr{lr})
                            : r.schedule == "step"   ? Schedule(dr::StepLr{lr, epochs / 3, 0.1f})
                                                     : Schedule(dr::CosineLr{lr, epochs});
  const auto lr_at = [&](double e) { return std::visit([e](auto& f) { return f(e); }, schedule); };
  if (r.optimizer == "adam")
    return dr::fit(net, dr::Adam<Net>({.weight_decay = r.weight_decay}), lr_at, data, train_rows,
                   validation_rows, options, callbacks);
  return dr::fit(
      net, dr::Sgd<Net>({.momentum = r.momentum, .nesterov = true, .weight_decay = r.weight_decay}),
      lr_at, data, train_rows, validation_rows, options, callbacks);
}

}  // namespace driver
