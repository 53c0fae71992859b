// The reference kernels: plain scalar loops in the order a textbook writes them. They are the
// truth that every fast path is tested against, and are never the default.
//
// Layout shared by all kernels: a layer's weights are stored input-major, w[k * Np + j] for input
// k and output j, with Np = padded(Out) and the padding columns zero. Activations are row-major
// with row stride ldx (input) or Np (output).
#pragma once

#include <cstddef>

#include "dr/config.hpp"
#include "dr/range.hpp"

namespace dr::kernels {

/// The weight gradient of inputs [k_begin, k_end), written from zero, a block of `block` inputs
/// at a time: done(k0, k1) runs as soon as rows [k0, k1) of dw are final, so that the caller can
/// use them while they are still in cache. This form computes each block by a call of
/// K::accumulate_weight_grad; kernels with per-call set-up (the sparse one) do it once instead.
template <class K, std::size_t In, std::size_t Np, class Done>
void weight_grad_by_block(std::size_t rows, const real* x, std::size_t ldx, const real* dz,
                          real* dw, std::size_t k_begin, std::size_t k_end, std::size_t block,
                          Done&& done) {
  for (std::size_t k0 = k_begin; k0 < k_end; k0 += block) {
    const std::size_t k1 = k0 + block < k_end ? k0 + block : k_end;
    K::template accumulate_weight_grad<In, Np>(rows, x, ldx, dz, dw, k0, k1, true);
    done(k0, k1);
  }
}

/// Np zeros: the start of a sum that is written rather than added to (a gradient, or the
/// second part of a split affine map).
template <std::size_t Np>
const real* zeros() {
  alignas(alignment) static const real z[Np] = {};
  return z;
}

/// y0 = b + the sum over inputs [0, split) and y1 = 0 + the sum over [split, In), by two calls of
/// K::affine (kernels that can do it in one pass over x do).
template <class K, std::size_t In, std::size_t Np>
void affine_parts_by_calls(std::size_t rows, const real* x, std::size_t ldx, const real* w,
                           const real* b, real* y0, real* y1, std::size_t split) {
  K::template affine<In, Np>(rows, x, ldx, w, b, y0, {0, split});
  K::template affine<In, Np>(rows, x, ldx, w, zeros<Np>(), y1, {split, In});
}

struct Reference {
  static constexpr const char* name = "reference";

  /// y[r][j] = b[j] + sum_k x[r][k] w[k][j]   for r < rows, j < Np, k in `inputs` (all by
  /// default; a part of them when a layer's sum is split, b then being the part's start).
  template <std::size_t In, std::size_t Np>
  static void affine(std::size_t rows, const real* x, std::size_t ldx, const real* w, const real* b,
                     real* y, Range inputs = {0, In}) {
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t j = 0; j < Np; ++j) {
        real sum = b[j];
        for (std::size_t k = inputs.begin; k < inputs.end; ++k)
          sum += x[r * ldx + k] * w[k * Np + j];
        y[r * Np + j] = sum;
      }
  }

  template <std::size_t In, std::size_t Np>
  static void affine_two_parts(std::size_t rows, const real* x, std::size_t ldx, const real* w,
                               const real* b, real* y0, real* y1, std::size_t split) {
    affine_parts_by_calls<Reference, In, Np>(rows, x, ldx, w, b, y0, y1, split);
  }

  /// dw[k][j] += sum_r x[r][k] dz[r][j]   for k_begin <= k < k_end (threads split the inputs);
  /// with overwrite, dw[k][j] = the sum (saves clearing the gradient first).
  template <std::size_t In, std::size_t Np>
  static void accumulate_weight_grad(std::size_t rows, const real* x, std::size_t ldx,
                                     const real* dz, real* dw, std::size_t k_begin = 0,
                                     std::size_t k_end = In, bool overwrite = false) {
    for (std::size_t k = k_begin; k < k_end; ++k)
      for (std::size_t j = 0; j < Np; ++j) {
        if (overwrite) dw[k * Np + j] = 0;
        real sum = 0;
        for (std::size_t r = 0; r < rows; ++r) sum += x[r * ldx + k] * dz[r * Np + j];
        dw[k * Np + j] += sum;
      }
  }

  template <std::size_t In, std::size_t Np, class Done>
  static void weight_grad_blocks(std::size_t rows, const real* x, std::size_t ldx, const real* dz,
                                 real* dw, std::size_t k_begin, std::size_t k_end,
                                 std::size_t block, Done&& done) {
    weight_grad_by_block<Reference, In, Np>(rows, x, ldx, dz, dw, k_begin, k_end, block, done);
  }

  /// dx[r][k] = sum_j dz[r][j] w[k][j]   for k < In.
  template <std::size_t In, std::size_t Np>
  static void input_grad(std::size_t rows, const real* dz, const real* w, real* dx,
                         std::size_t lddx) {
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t k = 0; k < In; ++k) {
        real sum = 0;
        for (std::size_t j = 0; j < Np; ++j) sum += dz[r * Np + j] * w[k * Np + j];
        dx[r * lddx + k] = sum;
      }
  }
};

}  // namespace dr::kernels
