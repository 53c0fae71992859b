// Dense<In, Out, Act>: a fully connected layer with sizes fixed at compile time.
//
// Weights are kept input-major, weights[k * padded_out + j] for input k and output j, because the
// kernels stream one input's row of outputs at a time (and the sparse path touches only the rows
// of non-zero inputs). Model files store the canonical output-major order; weight(j, k) reads it.
#pragma once

#include <cmath>
#include <cstddef>
#include <span>
#include <string>

#include "dr/activation.hpp"
#include "dr/array.hpp"
#include "dr/kernels/auto.hpp"
#include "dr/kernels/reference.hpp"
#include "dr/random.hpp"
#include "dr/range.hpp"

namespace dr {

template <std::size_t In, std::size_t Out, class Act = Identity>
struct Dense {
  static_assert(In > 0 && Out > 0, "a Dense layer needs at least one input and one output");

  using activation = Act;
  static constexpr std::size_t in_size = In;
  static constexpr std::size_t out_size = Out;
  static constexpr std::size_t padded_out = padded(Out);
  static constexpr std::size_t weight_count = In * Out;
  static constexpr std::size_t param_count = In * Out + Out;

  AlignedArray<real, In * padded_out> weights;  ///< input-major, padding columns zero
  AlignedArray<real, padded_out> bias;          ///< padding zero

  static std::string name() {
    return "Dense<" + std::to_string(In) + ", " + std::to_string(Out) + "> " +
           std::string(Act::name);
  }

  /// The weight from input k to output j.
  real& weight(std::size_t j, std::size_t k) { return weights[k * padded_out + j]; }
  real weight(std::size_t j, std::size_t k) const { return weights[k * padded_out + j]; }

  /// He-normal for ReLU (keeps the activations' variance through the layer), Glorot-uniform
  /// otherwise; biases zero. Padding stays zero so that it never leaks into a result.
  void initialize(Rng& rng) {
    *this = Dense{};
    if constexpr (Act::he_init) {
      const real sd = std::sqrt(real(2) / In);
      for (std::size_t k = 0; k < In; ++k)
        for (std::size_t j = 0; j < Out; ++j) weight(j, k) = sd * standard_normal(rng);
    } else {
      const real limit = std::sqrt(real(6) / (In + Out));
      for (std::size_t k = 0; k < In; ++k)
        for (std::size_t j = 0; j < Out; ++j) weight(j, k) = uniform(rng, -limit, limit);
    }
  }

  /// y = act(x W + b) for `rows` rows of x (row stride ldx); y has row stride padded_out.
  template <class Kernel = kernels::Default>
  void forward(std::size_t rows, const real* x, std::size_t ldx, real* y) const {
    Kernel::template affine<In, padded_out>(rows, x, ldx, weights.data(), bias.data(), y);
    if constexpr (!std::is_same_v<Act, Identity>)
      for (std::size_t i = 0; i < rows * padded_out; ++i) y[i] = Act::apply(y[i]);
  }

  /// One part of forward() split by inputs: z = start + sum over inputs k in `inputs` of
  /// x[r][k] W[k], without the activation, start being the bias if with_bias, else 0. The parts
  /// of a layer's inputs can run on different threads, each reading only its rows of W;
  /// activate_sum() then adds them up.
  template <class Kernel = kernels::Default>
  void affine_part(std::size_t rows, const real* x, std::size_t ldx, real* z, Range inputs,
                   bool with_bias) const {
    Kernel::template affine<In, padded_out>(rows, x, ldx, weights.data(),
                                            with_bias ? bias.data() : kernels::zeros<padded_out>(),
                                            z, inputs);
  }

  /// Both parts of affine_part() split at input `split`: z0 from the bias, z1 from 0 (in one
  /// pass over x where the kernel can).
  template <class Kernel = kernels::Default>
  void affine_two_parts(std::size_t rows, const real* x, std::size_t ldx, real* z0, real* z1,
                        std::size_t split) const {
    Kernel::template affine_two_parts<In, padded_out>(rows, x, ldx, weights.data(), bias.data(), z0,
                                                      z1, split);
  }

  /// y = act(z0 + z1) for `rows` rows: the sum of two parts of affine_part(), activated.
  static void activate_sum(std::size_t rows, real* y, const real* z0, const real* z1) {
    for (std::size_t i = 0; i < rows * padded_out; ++i) y[i] = Act::apply(z0[i] + z1[i]);
  }

  /// Given the layer's input x and output y, and dy = dLoss/dy (overwritten with dLoss/dz),
  /// adds this batch's gradients to `grad` and, if dx is not null, writes dLoss/dx (stride lddx).
  template <class Kernel = kernels::Default>
  void backward(std::size_t rows, const real* x, std::size_t ldx, const real* y, real* dy,
                Dense& grad, real* dx = nullptr, std::size_t lddx = In) const {
    backpropagate<Kernel>(rows, y, dy, dx, lddx);
    bias_gradient(rows, dy, grad, false);
    Kernel::template accumulate_weight_grad<In, padded_out>(rows, x, ldx, dy, grad.weights.data());
  }

  /// The row-by-row half of backward(): dy becomes dLoss/dz and, if dx is not null, dx receives
  /// dLoss/dx. Rows are independent, so threads may split them. y_scale: the outputs y were
  /// multiplied by it after the activation (dropout's 1 / keep); the derivative undoes it.
  template <class Kernel = kernels::Default>
  void backpropagate(std::size_t rows, const real* y, real* dy, real* dx, std::size_t lddx,
                     real y_scale = 1) const {
    if constexpr (!std::is_same_v<Act, Identity>) {
      const real unscale = 1 / y_scale;
      for (std::size_t i = 0; i < rows * padded_out; ++i)
        dy[i] *= Act::derivative_from_output(y[i] * unscale);
    }
    if (dx) Kernel::template input_grad<In, padded_out>(rows, dy, weights.data(), dx, lddx);
  }

  /// The other half: the gradients of the weights of inputs [k_begin, k_end) (and of the bias
  /// if k_begin == 0) given dz = dLoss/dz of all rows, written from zero, `block` inputs at a
  /// time; done(k0, k1) runs as each block of weight gradients is final (after the bias).
  /// Threads may split the inputs: each gradient is still summed over the rows in order, so
  /// the split changes no bit.
  template <class Kernel = kernels::Default, class Done>
  void gradients_by_block(std::size_t rows, const real* x, std::size_t ldx, const real* dz,
                          Dense& grad, std::size_t k_begin, std::size_t k_end, std::size_t block,
                          Done&& done) const {
    if (k_begin == 0) bias_gradient(rows, dz, grad, true);
    Kernel::template weight_grad_blocks<In, padded_out>(rows, x, ldx, dz, grad.weights.data(),
                                                        k_begin, k_end, block, done);
  }

  bool operator==(const Dense&) const = default;

 private:
  static void bias_gradient(std::size_t rows, const real* dz, Dense& grad, bool overwrite) {
    if (overwrite) grad.bias = {};
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t j = 0; j < padded_out; ++j) grad.bias[j] += dz[r * padded_out + j];
  }
};

}  // namespace dr
