// One optimisation step on a batch: forward, softmax cross-entropy, backward, optimizer update.
// The Trainer owns the per-batch buffers and the gradient so a training loop allocates nothing.
//
// Threads: a step runs in two phases on a pool of T threads. Phase 1 splits the batch's rows:
// each thread runs the forward pass, the loss and the backpropagation of dLoss/dz through every
// layer for its rows (all row-local work). Phase 2 splits each layer's inputs k: each thread sums
// the weight gradients of its inputs over all the batch's rows, in row order. No gradient is
// ever split into partial sums, so the result does not depend on T at all: the same seed gives
// the same model bit for bit with any thread count (tests/test_threads.cpp checks it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <numeric>
#include <vector>

#include "dr/loss.hpp"
#include "dr/network.hpp"
#include "dr/parallel.hpp"

namespace dr {

template <class Net, class Optimizer, class Kernel = kernels::Default>
class Trainer {
 public:
  Trainer(Net& net, Optimizer optimizer, real label_smoothing = 0, std::size_t threads = 1)
      : net_(net),
        optimizer_(std::move(optimizer)),
        grad_(make_zeroed<Net>()),
        smoothing_(label_smoothing),
        pool_(threads),
        correct_(pool_.size()) {}

  /// Trains on `rows` rows of x (row stride Net::in_size) at learning rate lr; returns the mean
  /// loss of the batch before the update. If correct is not null it receives how many rows the
  /// network classified right before the update.
  double step(const real* x, const std::uint8_t* labels, std::size_t rows, real lr,
              std::size_t* correct = nullptr) {
    if (ws_.capacity() < rows) ws_.reserve(rows);
    row_loss_.resize(rows);
    const std::size_t parts = pool_.size();
    pool_.run([&](std::size_t t) {
      correct_[t] = forward_and_backpropagate(x, labels, part_of(rows, parts, t), rows);
    });
    pool_.run([&](std::size_t t) { gradients(x, rows, t, parts); });
    optimizer_.step(net_, *grad_, lr);
    if (correct) *correct = std::accumulate(correct_.begin(), correct_.end(), std::size_t{0});
    return std::accumulate(row_loss_.begin(), row_loss_.end(), 0.0) / rows;
  }

  Optimizer& optimizer() { return optimizer_; }
  std::size_t threads() const { return pool_.size(); }

 private:
  static constexpr std::size_t depth = Net::depth;
  template <std::size_t I>
  using Layer = typename Net::template layer_type<I>;

  /// Layer I reads the batch (stride in_size) or the previous layer's padded output.
  template <std::size_t I>
  const real* input(const real* x) const {
    if constexpr (I == 0)
      return x;
    else
      return ws_.outputs[I - 1].data();
  }
  template <std::size_t I>
  static constexpr std::size_t input_stride() {
    if constexpr (I == 0)
      return Net::in_size;
    else
      return Layer<I - 1>::padded_out;
  }

  /// Phase 1 on rows [part.begin, part.end) of a batch of `rows`: fills ws_.outputs, the rows'
  /// losses and every layer's dLoss/dz in ws_.gradients; returns how many rows were right.
  std::size_t forward_and_backpropagate(const real* x, const std::uint8_t* labels, Range part,
                                        std::size_t rows) {
    if (part.size() == 0) return 0;
    const std::size_t r0 = part.begin, n = part.size();
    Net::for_each_index([&](auto i) {
      constexpr std::size_t I = decltype(i)::value, ld = input_stride<I>();
      net_.template layer<I>().template forward<Kernel>(
          n, input<I>(x) + r0 * ld, ld, ws_.outputs[I].data() + r0 * Layer<I>::padded_out);
    });
    constexpr std::size_t ld = Net::last_layer::padded_out;
    const real* logits = ws_.outputs[depth - 1].data();
    real* dlogits = ws_.gradients[depth - 1].data();
    std::size_t right = 0;
    for (std::size_t r = part.begin; r < part.end; ++r) {
      row_loss_[r] = softmax_cross_entropy<Net::out_size>(
          1, logits + r * ld, ld, labels + r, dlogits + r * ld, real(1) / rows, smoothing_);
      right += argmax(logits + r * ld, Net::out_size) == labels[r];
    }
    backpropagate<depth - 1>(r0, n);
    return right;
  }

  template <std::size_t I>
  void backpropagate(std::size_t r0, std::size_t n) {
    constexpr std::size_t ld = Layer<I>::padded_out;
    real* dx = nullptr;
    if constexpr (I > 0) dx = ws_.gradients[I - 1].data() + r0 * input_stride<I>();
    net_.template layer<I>().template backpropagate<Kernel>(n, ws_.outputs[I].data() + r0 * ld,
                                                            ws_.gradients[I].data() + r0 * ld, dx,
                                                            input_stride<I>());
    if constexpr (I > 0) backpropagate<I - 1>(r0, n);
  }

  /// Phase 2, part t of `parts`: the gradients of every layer's inputs part_of(In, parts, t),
  /// written from zero (the bias goes with the part that starts at input 0).
  void gradients(const real* x, std::size_t rows, std::size_t t, std::size_t parts) {
    Net::for_each_index([&](auto i) {
      constexpr std::size_t I = decltype(i)::value;
      const Range k = part_of(Layer<I>::in_size, parts, t);
      if (k.size() == 0) return;
      net_.template layer<I>().template accumulate_gradients<Kernel>(
          rows, input<I>(x), input_stride<I>(), ws_.gradients[I].data(), grad_->template layer<I>(),
          k.begin, k.end, /*overwrite=*/true);
    });
  }

  Net& net_;
  Optimizer optimizer_;
  std::unique_ptr<Net> grad_;
  Workspace<Net> ws_;
  real smoothing_;
  WorkerPool pool_;
  std::vector<std::size_t> correct_;  ///< per thread, of the last step
  std::vector<double> row_loss_;      ///< per row, summed in row order whatever T is
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
