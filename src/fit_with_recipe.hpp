// RecipeTraining<Net>::fit, declared in training_recipe.hpp. Only fit_menu.cpp, which
// src/CMakeLists.txt writes with an explicit instantiation for each H of the menu, includes this.
#pragma once

#include <variant>

#include "dr/optimizer.hpp"
#include "dr/schedule.hpp"
#include "dr/train.hpp"
#include "training_recipe.hpp"

namespace driver {

template <class Net>
std::vector<dr::EpochReport> RecipeTraining<Net>::fit(
    Net& net, const TrainingRecipe& r, const dr::Dataset& data,
    std::span<const std::uint32_t> train_rows, std::span<const std::uint32_t> validation_rows,
    const dr::FitOptions& options, const dr::FitCallbacks& callbacks) {
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
