// The fast kernels: register-tiled loops over GCC/Clang vector types, which the compiler lowers to
// the instruction set chosen by DR_ARCH (AVX2+FMA, AVX-512, or SSE2).
//
// Assumptions (checked by static_assert): every output row holds Np floats with Np a multiple of
// the SIMD width, and weight rows are Np apart, so each vector load is whole and never crosses a
// row. A tile keeps R x CV accumulators in registers, sized to leave room for the CV weight loads
// and one broadcast: 12 of 16 ymm registers under AVX2, 24 of 32 zmm registers under AVX-512.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "dr/config.hpp"

namespace dr::kernels {

namespace simd {

using vreal = real __attribute__((vector_size(simd_bytes)));
inline constexpr std::size_t W = simd_width;

inline vreal load(const real* p) {
  vreal v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store(real* p, vreal v) { std::memcpy(p, &v, sizeof v); }
inline vreal broadcast(real s) { return vreal{} + s; }
inline real sum(vreal v) {
  real s = 0;
  for (std::size_t i = 0; i < W; ++i) s += v[i];
  return s;
}

/// Accumulators a tile may hold: three quarters of the register file.
inline constexpr std::size_t accumulator_registers = simd_bytes >= 64 ? 24 : 12;

/// c[i][j] = init[j] + sum_p a(i, p) b[p][j]  (init == nullptr: c[i][j] += ...)
/// for i < R, j < CV * W, where a(i, p) = a[i * a_row + p * a_depth].
template <std::size_t R, std::size_t CV>
inline void tile(std::size_t depth, const real* a, std::size_t a_row, std::size_t a_depth,
                 const real* b, std::size_t ldb, real* c, std::size_t ldc, const real* init) {
  vreal acc[R][CV];
  for (std::size_t r = 0; r < R; ++r)
    for (std::size_t v = 0; v < CV; ++v)
      acc[r][v] = init ? load(init + v * W) : load(c + r * ldc + v * W);
  for (std::size_t p = 0; p < depth; ++p) {
    vreal bv[CV];
    for (std::size_t v = 0; v < CV; ++v) bv[v] = load(b + p * ldb + v * W);
    for (std::size_t r = 0; r < R; ++r) {
      const vreal s = broadcast(a[r * a_row + p * a_depth]);
      for (std::size_t v = 0; v < CV; ++v) acc[r][v] += s * bv[v];
    }
  }
  for (std::size_t r = 0; r < R; ++r)
    for (std::size_t v = 0; v < CV; ++v) store(c + r * ldc + v * W, acc[r][v]);
}

/// The whole product for M rows and N = Np columns, tiled; weight panels outermost so that a
/// panel of b stays in cache while every row block passes over it.
template <std::size_t N>
inline void gemm(std::size_t M, std::size_t depth, const real* a, std::size_t a_row,
                 std::size_t a_depth, const real* b, std::size_t ldb, real* c, std::size_t ldc,
                 const real* init) {
  static_assert(N % W == 0, "the column count of a fast kernel must be a whole number of vectors");
  constexpr std::size_t CV = std::min<std::size_t>(4, N / W);
  constexpr std::size_t R = std::max<std::size_t>(1, accumulator_registers / CV);
  constexpr std::size_t full = N / (CV * W) * (CV * W);
  auto row_blocks = [&]<std::size_t Cols>(std::size_t j) {
    const real* in = init ? init + j : nullptr;
    std::size_t i = 0;
    for (; i + R <= M; i += R)
      tile<R, Cols>(depth, a + i * a_row, a_row, a_depth, b + j, ldb, c + i * ldc + j, ldc, in);
    for (; i < M; ++i)
      tile<1, Cols>(depth, a + i * a_row, a_row, a_depth, b + j, ldb, c + i * ldc + j, ldc, in);
  };
  for (std::size_t j = 0; j < full; j += CV * W) row_blocks.template operator()<CV>(j);
  for (std::size_t j = full; j < N; j += W) row_blocks.template operator()<1>(j);
}

}  // namespace simd

struct Simd {
  static constexpr const char* name = "simd";

  template <std::size_t In, std::size_t Np>
  static void affine(std::size_t rows, const real* x, std::size_t ldx, const real* w,
                     const real* b, real* y) {
    simd::gemm<Np>(rows, In, x, ldx, 1, w, Np, y, Np, b);
  }

  template <std::size_t In, std::size_t Np>
  static void accumulate_weight_grad(std::size_t rows, const real* x, std::size_t ldx,
                                     const real* dz, real* dw) {
    // dw (In x Np) += x^T dz: the same tile with x read transposed.
    simd::gemm<Np>(In, rows, x, 1, ldx, dz, Np, dw, Np, nullptr);
  }

  template <std::size_t In, std::size_t Np>
  static void input_grad(std::size_t rows, const real* dz, const real* w, real* dx,
                         std::size_t lddx) {
    // Dot products along the contiguous output axis, four inputs at a time.
    using simd::vreal, simd::W;
    constexpr std::size_t K = 4;
    for (std::size_t r = 0; r < rows; ++r) {
      const real* g = dz + r * Np;
      std::size_t k = 0;
      for (; k + K <= In; k += K) {
        vreal acc[K] = {};
        for (std::size_t j = 0; j < Np; j += W) {
          const vreal gv = simd::load(g + j);
          for (std::size_t q = 0; q < K; ++q) acc[q] += gv * simd::load(w + (k + q) * Np + j);
        }
        for (std::size_t q = 0; q < K; ++q) dx[r * lddx + k + q] = simd::sum(acc[q]);
      }
      for (; k < In; ++k) {
        vreal acc = {};
        for (std::size_t j = 0; j < Np; j += W) acc += simd::load(g + j) * simd::load(w + k * Np + j);
        dx[r * lddx + k] = simd::sum(acc);
      }
    }
  }
};

/// The kernel every layer uses unless told otherwise.
using Default = Simd;

}  // namespace dr::kernels
