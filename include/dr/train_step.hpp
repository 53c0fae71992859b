// One optimisation step on a batch: forward, softmax cross-entropy, backward, optimizer update.
// The Trainer owns the per-batch buffers and the gradient so a training loop allocates nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "dr/loss.hpp"
#include "dr/network.hpp"

namespace dr {

template <class Net, class Optimizer, class Kernel = kernels::Default>
class Trainer {
 public:
  Trainer(Net& net, Optimizer optimizer, real label_smoothing = 0)
      : net_(net),
        optimizer_(std::move(optimizer)),
        grad_(make_zeroed<Net>()),
        smoothing_(label_smoothing) {}

  /// Trains on `rows` rows of x (row stride Net::in_size) at learning rate lr; returns the mean
  /// loss of the batch before the update. If correct is not null it receives how many rows the
  /// network classified right before the update.
  double step(const real* x, const std::uint8_t* labels, std::size_t rows, real lr,
              std::size_t* correct = nullptr) {
    if (ws_.capacity() < rows) ws_.reserve(rows);
    const real* logits = net_.template forward<Kernel>(ws_, rows, x);
    constexpr std::size_t ld = Net::last_layer::padded_out;
    const double loss = softmax_cross_entropy<Net::out_size>(
        rows, logits, ld, labels, ws_.gradients[Net::depth - 1].data(), real(1) / rows,
        smoothing_);
    if (correct) {
      *correct = 0;
      for (std::size_t r = 0; r < rows; ++r)
        *correct += argmax(logits + r * ld, Net::out_size) == labels[r];
    }
    grad_->zero();
    net_.template backward<Kernel>(ws_, rows, x, *grad_);
    optimizer_.step(net_, *grad_, lr);
    return loss / rows;
  }

  Optimizer& optimizer() { return optimizer_; }

 private:
  Net& net_;
  Optimizer optimizer_;
  std::unique_ptr<Net> grad_;
  Workspace<Net> ws_;
  real smoothing_;
};

/// The predicted class of each of `rows` rows of x, written to out.
template <class Net, class Kernel = kernels::Default>
void predict(const Net& net, Workspace<Net>& ws, const real* x, std::size_t rows,
             std::uint8_t* out) {
  if (ws.capacity() < rows) ws.reserve(rows);
  const real* logits = net.template forward<Kernel>(ws, rows, x);
  for (std::size_t r = 0; r < rows; ++r)
    out[r] = argmax(logits + r * Net::last_layer::padded_out, Net::out_size);
}

}  // namespace dr
