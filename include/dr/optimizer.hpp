// Optimizers: each owns the moments it needs (networks of the same type, on the heap) and
// updates a network from an accumulated gradient at the learning rate a schedule gives it.
// Weight decay applies to weights only, never to biases.
//
// An optimizer's step is begin_step() followed by update() on blocks of parameters, in any
// order and from any thread as long as the blocks do not overlap: the Trainer updates each
// block of weights right after computing its gradient, while it is still in cache.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "dr/network.hpp"

namespace dr {

/// One whole step: begin_step(), then update() on every layer's weights and bias.
template <class Optimizer, class Net>
void update_every_block(Optimizer& optimizer, Net& net, const Net& grad, real lr) {
  optimizer.begin_step();
  Net::for_each_index([&](auto i) {
    optimizer.update(net, grad, lr, false,
                     [](auto& n) { return n.template layer<decltype(i)::value>().weights.span(); });
    optimizer.update(net, grad, lr, true,
                     [](auto& n) { return n.template layer<decltype(i)::value>().bias.span(); });
  });
}

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

  void begin_step() {}

  /// Updates the block of parameters that select(n) picks from a network n (the same block
  /// of net, grad and velocity); is_bias turns weight decay off.
  template <class Select>
  void update(Net& net, const Net& grad, real lr, bool is_bias, Select&& select) {
    const SgdSettings s = settings_;
    const real decay = is_bias ? real(0) : s.weight_decay;
    const auto w = select(net);
    const auto g = select(grad);
    const auto v = select(*velocity_);
    for (std::size_t i = 0; i < w.size(); ++i) {
      const real gi = g[i] + decay * w[i];
      v[i] = s.momentum * v[i] + gi;
      w[i] -= lr * (s.nesterov ? gi + s.momentum * v[i] : v[i]);
    }
  }

  void step(Net& net, const Net& grad, real lr) { update_every_block(*this, net, grad, lr); }
  const SgdSettings& settings() const { return settings_; }
  /// Calls f on every piece of state a checkpoint must keep to resume exactly.
  template <class F>
  void visit_state(F&& f) {
    f(*velocity_);
  }

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

  /// Counts the step: the bias corrections of every update() until the next begin_step().
  void begin_step() {
    ++steps_;
    correction1_ = 1 - static_cast<real>(std::pow(double(settings_.beta1), double(steps_)));
    correction2_ = 1 - static_cast<real>(std::pow(double(settings_.beta2), double(steps_)));
  }

  /// Updates the block of parameters that select(n) picks from a network n (the same block
  /// of net, grad and both moments); is_bias turns weight decay off.
  template <class Select>
  void update(Net& net, const Net& grad, real lr, bool is_bias, Select&& select) {
    const AdamSettings s = settings_;
    const real decay = is_bias ? real(0) : s.weight_decay;
    const auto w = select(net);
    const auto g = select(grad);
    const auto m = select(*first_);
    const auto v = select(*second_);
    for (std::size_t i = 0; i < w.size(); ++i) {
      m[i] = s.beta1 * m[i] + (1 - s.beta1) * g[i];
      v[i] = s.beta2 * v[i] + (1 - s.beta2) * g[i] * g[i];
      const real m_hat = m[i] / correction1_;
      const real v_hat = v[i] / correction2_;
      w[i] -= lr * (m_hat / (std::sqrt(v_hat) + s.epsilon) + decay * w[i]);
    }
  }

  void step(Net& net, const Net& grad, real lr) { update_every_block(*this, net, grad, lr); }
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
  real correction1_ = 1, correction2_ = 1;  ///< of the current step
};

}  // namespace dr
