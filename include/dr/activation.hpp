// Activation policies. Each maps a pre-activation z to y and gives its derivative from y alone,
// so the backward pass needs only the stored outputs. The id is what model files record.
#pragma once

#include <cmath>
#include <cstdint>
#include <string_view>

#include "dr/config.hpp"

namespace dr {

/// Used by the output layer, whose logits go to softmax inside the loss.
struct Identity {
  static constexpr std::uint8_t id = 0;
  static constexpr std::string_view name = "identity";
  static constexpr bool he_init = false;
  static real apply(real z) { return z; }
  static real derivative_from_output(real) { return 1; }
};

struct Relu {
  static constexpr std::uint8_t id = 1;
  static constexpr std::string_view name = "relu";
  static constexpr bool he_init = true;
  static real apply(real z) { return z > 0 ? z : 0; }
  static real derivative_from_output(real y) { return y > 0 ? 1 : 0; }
};

struct Sigmoid {
  static constexpr std::uint8_t id = 2;
  static constexpr std::string_view name = "sigmoid";
  static constexpr bool he_init = false;
  static real apply(real z) { return 1 / (1 + std::exp(-z)); }
  static real derivative_from_output(real y) { return y * (1 - y); }
};

struct Tanh {
  static constexpr std::uint8_t id = 3;
  static constexpr std::string_view name = "tanh";
  static constexpr bool he_init = false;
  static real apply(real z) { return std::tanh(z); }
  static real derivative_from_output(real y) { return 1 - y * y; }
};

/// The name of an activation id as stored in a model file ("?" for an unknown id).
constexpr std::string_view activation_name(std::uint8_t id) {
  constexpr std::string_view names[] = {Identity::name, Relu::name, Sigmoid::name, Tanh::name};
  return id < std::size(names) ? names[id] : std::string_view("?");
}

}  // namespace dr
