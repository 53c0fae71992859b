// Learning-rate schedules: functions of training progress measured in (fractional) epochs, so a
// schedule does not depend on the batch size. Each combines with any optimizer.
#pragma once

#include <cmath>
#include <numbers>

#include "dr/config.hpp"

namespace dr {

struct ConstantLr {
  real lr;
  real operator()(double /*epoch*/) const { return lr; }
};

/// lr * gamma^floor(epoch / step_epochs).
struct StepLr {
  real lr;
  double step_epochs;
  real gamma = 0.1f;
  real operator()(double epoch) const {
    return lr * static_cast<real>(std::pow(double(gamma), std::floor(epoch / step_epochs)));
  }
};

/// Linear warm-up from 0 over warmup_epochs, then a half cosine from lr down to min_lr at
/// total_epochs.
struct CosineLr {
  real lr;
  double total_epochs;
  double warmup_epochs = 0;
  real min_lr = 0;
  real operator()(double epoch) const {
    if (epoch < warmup_epochs) return lr * static_cast<real>(epoch / warmup_epochs);
    const double span = total_epochs - warmup_epochs;
    const double t = span > 0 ? std::fmin(1.0, (epoch - warmup_epochs) / span) : 1.0;
    return min_lr + (lr - min_lr) * static_cast<real>(0.5 * (1 + std::cos(std::numbers::pi * t)));
  }
};

}  // namespace dr
