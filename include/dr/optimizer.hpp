// Optimizers: each owns the moments it needs (networks of the same type, on the heap) and
// updates a network from an accumulated gradient at the learning rate a schedule gives it.
// Weight decay applies to weights only, never to biases.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "dr/network.hpp"

namespace dr {

struct SgdSettings {
  real momentum = 0.9f;
  bool nesterov = false;
  real weight_decay = 0;  ///< L2 penalty added to the gradient (coupled, as in classic SGD)
};

/// SGD with momentum: v = mu v + g;  step = nesterov ? g + mu v : v;  w -= lr step.
template <class Net>
class Sgd {
 public:
  explicit Sgd(SgdSettings s = {}) : settings_(s), velocity_(make_zeroed<Net>()) {}

  void step(Net& net, Net& grad, real lr) {
    const SgdSettings s = settings_;
    Net::for_each_parameter_block(
        [&](auto w, auto g, auto v, bool is_bias) {
          const real decay = is_bias ? real(0) : s.weight_decay;
          for (std::size_t i = 0; i < w.size(); ++i) {
            const real gi = g[i] + decay * w[i];
            v[i] = s.momentum * v[i] + gi;
            w[i] -= lr * (s.nesterov ? gi + s.momentum * v[i] : v[i]);
          }
        },
        net, grad, *velocity_);
  }
  const SgdSettings& settings() const { return settings_; }
  /// Calls f on every piece of state a checkpoint must keep to resume exactly.
  template <class F>
  void visit_state(F&& f) { f(*velocity_); }

 private:
  SgdSettings settings_;
  std::unique_ptr<Net> velocity_;
};

struct AdamSettings {
  real beta1 = 0.9f;
  real beta2 = 0.999f;
  real epsilon = 1e-8f;
  real weight_decay = 0;  ///< decoupled (AdamW): w -= lr * decay * w, apart from the moments
};

/// Adam with bias-corrected moments (Kingma & Ba), decoupled weight decay.
template <class Net>
class Adam {
 public:
  explicit Adam(AdamSettings s = {})
      : settings_(s), first_(make_zeroed<Net>()), second_(make_zeroed<Net>()) {}

  void step(Net& net, Net& grad, real lr) {
    const AdamSettings s = settings_;
    ++steps_;
    const real c1 = 1 - static_cast<real>(std::pow(double(s.beta1), double(steps_)));
    const real c2 = 1 - static_cast<real>(std::pow(double(s.beta2), double(steps_)));
    Net::for_each_parameter_block(
        [&](auto w, auto g, auto m, auto v, bool is_bias) {
          const real decay = is_bias ? real(0) : s.weight_decay;
          for (std::size_t i = 0; i < w.size(); ++i) {
            m[i] = s.beta1 * m[i] + (1 - s.beta1) * g[i];
            v[i] = s.beta2 * v[i] + (1 - s.beta2) * g[i] * g[i];
            const real m_hat = m[i] / c1;
            const real v_hat = v[i] / c2;
            w[i] -= lr * (m_hat / (std::sqrt(v_hat) + s.epsilon) + decay * w[i]);
          }
        },
        net, grad, *first_, *second_);
  }
  const AdamSettings& settings() const { return settings_; }
  /// Calls f on every piece of state a checkpoint must keep to resume exactly.
  template <class F>
  void visit_state(F&& f) {
    f(*first_);
    f(*second_);
    f(steps_);
  }

 private:
  AdamSettings settings_;
  std::unique_ptr<Net> first_, second_;
  std::uint64_t steps_ = 0;
};

}  // namespace dr
