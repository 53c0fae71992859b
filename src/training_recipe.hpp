// The optimisation settings shared by `train` and `sweep` (optimizer, learning rate, schedule,
// epochs, batch), their command-line options and the fit() call they make. The defaults are the
// sweep's (10 epochs, no augmentation); `train` fills unset ones from its --recipe preset.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dr/train.hpp"
#include "report/json.hpp"

namespace CLI {
class App;
}

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

/// Registers the options above on `cmd`; with `preset_note`, epochs, batch and warm-up say their
/// default comes from a preset instead of showing the value above. (Defined in common.cpp, so
/// that this header does not bring CLI11 into the files that only train.)
void add_recipe_options(CLI::App* cmd, TrainingRecipe& r, const char* preset_note = nullptr);

/// Trains a Net by a recipe; options carry the seed, the noise and the batch hook. `fit` is
/// defined in fit_with_recipe.hpp and compiled for every H of the menu in one file that
/// src/CMakeLists.txt writes (fit_menu.cpp), which `train` and `sweep` share: the fits are the
/// longest part of the driver's build.
template <class Net>
struct RecipeTraining {
  static std::vector<dr::EpochReport> fit(Net& net, const TrainingRecipe& r,
                                          const dr::Dataset& data,
                                          std::span<const std::uint32_t> train_rows,
                                          std::span<const std::uint32_t> validation_rows,
                                          const dr::FitOptions& options,
                                          const dr::FitCallbacks& callbacks);
};

}  // namespace driver
