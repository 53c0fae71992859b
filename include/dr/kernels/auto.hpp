// The default kernel: measures the share of non-zero inputs in each call and takes the sparse
// path below a threshold, the dense one above it. MNIST images go sparse, clean (about 19%
// non-zero) and noisy (about 60% at noise 0.2) alike; a layer with few outputs (the 10 classes)
// always goes dense. Since the two paths give the same bits (see sparse.hpp), the choice
// changes only the speed, never a result.
#pragma once

#include <cstddef>

#include "dr/config.hpp"
#include "dr/kernels/simd.hpp"
#include "dr/kernels/sparse.hpp"

namespace dr::kernels {

/// The share of non-zero values in the first `cols` values of `rows` rows of stride ld.
inline double nonzero_fraction(std::size_t rows, std::size_t cols, const real* x, std::size_t ld) {
  if (rows == 0 || cols == 0) return 0;
  std::size_t nonzero = 0;
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t k = 0; k < cols; ++k) nonzero += x[r * ld + k] != 0;
  return double(nonzero) / double(rows * cols);
}

struct Auto : Simd {
  static constexpr const char* name = "auto";
  /// The density below which the sparse path is the faster, forward and backward, on the first
  /// layer of 784-128-10 and 784-800-10 (bench_forward's layer1 and grad1 sweeps and bench_train
  /// with noise 0.2, about 0.6 non-zero; see README, Performance).
  static constexpr double sparse_below = 0.75;
  /// Vectors of outputs a sparse term must feed to pay for finding it: a 10-class layer (one
  /// vector) is always faster dense, whatever its inputs' density.
  static constexpr std::size_t sparse_min_vectors = 4;

  /// Whether inputs [k_begin, k_end) of `rows` rows of x should take the sparse path for a
  /// layer of Np outputs: wide enough, and sparse enough.
  template <std::size_t Np>
  static bool sparse_inputs(std::size_t rows, const real* x, std::size_t ldx, std::size_t k_begin,
                            std::size_t k_end) {
    if constexpr (Np / simd::W < sparse_min_vectors) return false;
    return nonzero_fraction(rows, k_end - k_begin, x + k_begin, ldx) < sparse_below;
  }

  template <std::size_t In, std::size_t Np>
  static void affine(std::size_t rows, const real* x, std::size_t ldx, const real* w, const real* b,
                     real* y, Range inputs = {0, In}) {
    if (sparse_inputs<Np>(rows, x, ldx, inputs.begin, inputs.end))
      Sparse::affine<In, Np>(rows, x, ldx, w, b, y, inputs);
    else
      Simd::affine<In, Np>(rows, x, ldx, w, b, y, inputs);
  }

  template <std::size_t In, std::size_t Np>
  static void affine_two_parts(std::size_t rows, const real* x, std::size_t ldx, const real* w,
                               const real* b, real* y0, real* y1, std::size_t split) {
    if (sparse_inputs<Np>(rows, x, ldx, 0, In))
      Sparse::affine_two_parts<In, Np>(rows, x, ldx, w, b, y0, y1, split);
    else
      Simd::affine_two_parts<In, Np>(rows, x, ldx, w, b, y0, y1, split);
  }

  template <std::size_t In, std::size_t Np>
  static void accumulate_weight_grad(std::size_t rows, const real* x, std::size_t ldx,
                                     const real* dz, real* dw, std::size_t k_begin = 0,
                                     std::size_t k_end = In, bool overwrite = false) {
    if (sparse_inputs<Np>(rows, x, ldx, k_begin, k_end))
      Sparse::accumulate_weight_grad<In, Np>(rows, x, ldx, dz, dw, k_begin, k_end, overwrite);
    else
      Simd::accumulate_weight_grad<In, Np>(rows, x, ldx, dz, dw, k_begin, k_end, overwrite);
  }

  template <std::size_t In, std::size_t Np, class Done>
  static void weight_grad_blocks(std::size_t rows, const real* x, std::size_t ldx, const real* dz,
                                 real* dw, std::size_t k_begin, std::size_t k_end,
                                 std::size_t block, Done&& done) {
    if (sparse_inputs<Np>(rows, x, ldx, k_begin, k_end))
      Sparse::weight_grad_blocks<In, Np>(rows, x, ldx, dz, dw, k_begin, k_end, block, done);
    else
      Simd::weight_grad_blocks<In, Np>(rows, x, ldx, dz, dw, k_begin, k_end, block, done);
  }
};

/// The kernel every layer uses unless told otherwise.
using Default = Auto;

}  // namespace dr::kernels
