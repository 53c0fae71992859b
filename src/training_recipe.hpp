// The optimisation settings shared by `train` and `sweep` (optimizer, learning rate, schedule,
// epochs, batch), their command-line options and the fit() call they make. The defaults are the
// sweep's (10 epochs, no augmentation); `train` fills unset ones from its --recipe preset.
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
  double warmup = 0;  ///< epochs of linear warm-up before the cosine decay

  float learning_rate() const { return lr.value_or(optimizer == "adam" ? 1e-3f : 0.05f); }

  json::Value to_json() const {
    return json::Object{{"epochs", epochs},       {"batch", batch},
                        {"optimizer", optimizer}, {"lr", learning_rate()},
                        {"momentum", momentum},   {"weight_decay", weight_decay},
                        {"schedule", schedule},   {"warmup", warmup}};
  }

  /// Every setting on one line: what a checkpoint must match to be resumed.
  std::string signature() const {
    return describe() + " warmup " + json::format_number(warmup) + " momentum " +
           json::format_number(momentum) + " weight_decay " + json::format_number(weight_decay);
  }

  /// "10 epochs, batch 64, sgd lr 0.05 cosine"
  std::string describe() const {
    return std::to_string(epochs) + " epochs, batch " + std::to_string(batch) + ", " + optimizer +
           " lr " + json::format_number(learning_rate()) + " " + schedule;
  }
};

/// The options; with `preset_note`, epochs, batch and warm-up say their default comes from a
/// preset instead of showing the value above.
inline void add_recipe_options(CLI::App* cmd, TrainingRecipe& r,
                               const char* preset_note = nullptr) {
  auto preset = [&](CLI::Option* o) { return preset_note ? o : o->capture_default_str(); };
  const std::string note = preset_note ? std::string(" (default: ") + preset_note + ")" : "";
  preset(cmd->add_option("--epochs", r.epochs, "Passes over the training rows" + note)
             ->check(CLI::Range(1, 100000)));
  preset(
      cmd->add_option("--batch", r.batch, "Rows per update" + note)->check(CLI::Range(1, 65536)));
  preset(cmd->add_option("--warmup", r.warmup,
                         "Epochs of linear learning-rate warm-up before the cosine decay" + note)
             ->check(CLI::NonNegativeNumber));
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
                                                     : Schedule(dr::CosineLr{lr, epochs, r.warmup});
  const auto lr_at = [&](double e) { return std::visit([e](auto& f) { return f(e); }, schedule); };
  if (r.optimizer == "adam")
    return dr::fit(net, dr::Adam<Net>({.weight_decay = r.weight_decay}), lr_at, data, train_rows,
                   validation_rows, options, callbacks);
  return dr::fit(
      net, dr::Sgd<Net>({.momentum = r.momentum, .nesterov = true, .weight_decay = r.weight_decay}),
      lr_at, data, train_rows, validation_rows, options, callbacks);
}

}  // namespace driver
