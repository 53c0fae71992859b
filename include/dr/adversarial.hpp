// Adversarial inputs: the gradient of the loss with respect to the input (from
// Network::backward's dx), the fast gradient sign method (FGSM) and projected gradient descent
// (PGD) built on it, and the accuracy of a network on a data set under either attack.
// Inputs are pixels in [0, 1]; every attacked image stays in [0, 1].
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "dr/data/batch.hpp"
#include "dr/data/dataset.hpp"
#include "dr/error.hpp"
#include "dr/loss.hpp"
#include "dr/network.hpp"
#include "dr/random.hpp"
#include "dr/train_step.hpp"

namespace dr {

/// Computes dLoss/dx for batches of a fixed network. Owns the buffers, so repeated calls (PGD's
/// steps) allocate nothing. The loss is the summed softmax cross-entropy of the rows, so each
/// row's gradient is that of its own loss.
template <class Net, class Kernel = kernels::Default>
class InputGradient {
 public:
  explicit InputGradient(const Net& net) : net_(net), parameter_grad_(make_zeroed<Net>()) {}

  /// Writes dLoss/dx for `rows` rows of x (row stride Net::in_size) to dx (same layout);
  /// returns the summed loss.
  double operator()(std::size_t rows, const real* x, const std::uint8_t* labels, real* dx) {
    if (ws_.capacity() < rows) ws_.reserve(rows);
    const real* logits = net_.template forward<Kernel>(ws_, rows, x);
    const double loss = softmax_cross_entropy<Net::out_size>(
        rows, logits, Net::last_layer::padded_out, labels, ws_.gradients[Net::depth - 1].data());
    // backward() also accumulates parameter gradients; they are not wanted here, and zeroing
    // keeps the scratch accumulator from growing without bound over many calls.
    parameter_grad_->zero();
    net_.template backward<Kernel>(ws_, rows, x, *parameter_grad_, dx);
    return loss;
  }

  const Net& network() const { return net_; }

 private:
  const Net& net_;
  std::unique_ptr<Net> parameter_grad_;
  Workspace<Net> ws_;
};

namespace detail {
inline real sign(real v) {
  return v > 0 ? real(1) : v < 0 ? real(-1) : real(0);
}
inline real clip01(real v) {
  return std::clamp(v, real(0), real(1));
}
}  // namespace detail

/// FGSM: out = clip(x + eps * sign(dLoss/dx), 0, 1). A pixel whose gradient is exactly zero does
/// not move. `out` may alias `x`; `dx` is scratch of the same size.
template <class Net, class Kernel>
void fgsm(InputGradient<Net, Kernel>& gradient, std::size_t rows, const real* x,
          const std::uint8_t* labels, real eps, real* dx, real* out) {
  gradient(rows, x, labels, dx);
  for (std::size_t i = 0; i < rows * Net::in_size; ++i)
    out[i] = detail::clip01(x[i] + eps * detail::sign(dx[i]));
}

struct PgdSettings {
  real eps = 0.1f;  ///< radius of the L-infinity ball around the clean input
  std::size_t steps = 10;
  real step = 0.025f;  ///< size of each signed-gradient step
};

/// PGD with a random start: out starts uniform in the eps-ball around x (clipped to [0, 1]), then
/// takes `steps` FGSM steps of size `step`, each projected back into the ball and into [0, 1].
/// `out` must not alias `x`; `dx` is scratch of the same size.
template <class Net, class Kernel>
void pgd(InputGradient<Net, Kernel>& gradient, std::size_t rows, const real* x,
         const std::uint8_t* labels, const PgdSettings& s, Rng& rng, real* dx, real* out) {
  const std::size_t n = rows * Net::in_size;
  for (std::size_t i = 0; i < n; ++i) out[i] = detail::clip01(x[i] + uniform(rng, -s.eps, s.eps));
  for (std::size_t step = 0; step < s.steps; ++step) {
    gradient(rows, out, labels, dx);
    for (std::size_t i = 0; i < n; ++i) {
      const real moved = out[i] + s.step * detail::sign(dx[i]);
      out[i] = detail::clip01(std::clamp(moved, x[i] - s.eps, x[i] + s.eps));
    }
  }
}

/// The confusion matrix of `net` on the rows `rows` of `data` after `attack(gradient, rows, x,
/// labels, dx, out, batch_index)` has replaced each batch by its adversarial version.
template <class Net, class Attack>
ConfusionMatrix<class_count> evaluate_attacked(const Net& net, const Dataset& data,
                                               std::span<const std::uint32_t> rows,
                                               Attack&& attack) {
  static_assert(Net::in_size == image_pixels && Net::out_size == class_count,
                "evaluate_attacked() takes a network of 784 inputs and 10 classes");
  if (!data.labelled()) throw Error(data.source + ": has no labels to evaluate against");
  constexpr std::size_t batch = 256;
  InputGradient<Net> gradient(net);
  Workspace<Net> ws(batch);
  AlignedBuffer<real> x(batch * image_pixels), dx(batch * image_pixels),
      adversarial(batch * image_pixels);
  std::vector<std::uint8_t> labels(batch), predicted(batch);
  ConfusionMatrix<class_count> confusion;
  for (std::size_t start = 0, b = 0; start < rows.size(); start += batch, ++b) {
    const auto part = rows.subspan(start, std::min(batch, rows.size() - start));
    gather_batch(data, part, x.data(), labels.data());
    attack(gradient, part.size(), x.data(), labels.data(), dx.data(), adversarial.data(), b);
    predict(net, ws, adversarial.data(), part.size(), predicted.data());
    for (std::size_t r = 0; r < part.size(); ++r) confusion.add(labels[r], predicted[r]);
  }
  return confusion;
}

/// The confusion matrix under FGSM at `eps`.
template <class Net>
ConfusionMatrix<class_count> evaluate_fgsm(const Net& net, const Dataset& data,
                                           std::span<const std::uint32_t> rows, real eps) {
  return evaluate_attacked(
      net, data, rows,
      [&](auto& g, std::size_t n, const real* x, const std::uint8_t* y, real* dx, real* out,
          std::size_t) { fgsm(g, n, x, y, eps, dx, out); });
}

/// Accuracy under PGD; the random start of batch b comes from derive_seed(seed, b), so every
/// model is attacked from the same starting points.
template <class Net>
ConfusionMatrix<class_count> evaluate_pgd(const Net& net, const Dataset& data,
                                          std::span<const std::uint32_t> rows,
                                          const PgdSettings& settings, std::uint64_t seed) {
  return evaluate_attacked(net, data, rows,
                           [&](auto& g, std::size_t n, const real* x, const std::uint8_t* y,
                               real* dx, real* out, std::size_t b) {
                             Rng rng(derive_seed(seed, b));
                             pgd(g, n, x, y, settings, rng, dx, out);
                           });
}

}  // namespace dr
