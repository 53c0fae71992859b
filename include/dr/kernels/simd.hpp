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
#include <cstdint>
#include <cstring>
#include <utility>

#include "dr/array.hpp"
#include "dr/config.hpp"
#include "dr/kernels/reference.hpp"

namespace dr::kernels {

namespace simd {

using vreal = real __attribute__((vector_size(simd_bytes)));
inline constexpr std::size_t W = simd_width;

inline vreal load(const real* p) {
  vreal v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store(real* p, vreal v) {
  std::memcpy(p, &v, sizeof v);
}
/// s in every lane. (Not vreal{} + s: adding +0 is no identity for -0, so the compiler would
/// have to emit the addition before broadcasting, an extra instruction on the hottest path.)
template <std::size_t... I>
inline vreal splat(real s, std::index_sequence<I...>) {
  return vreal{((void)I, s)...};
}
inline vreal broadcast(real s) {
  return splat(s, std::make_index_sequence<W>{});
}
/// The lanes added in order, one after the other (the dense kernels' roundings follow that
/// order; reduce() below is the shorter chain for new code).
inline real sum(vreal v) {
  real s = 0;
  for (std::size_t i = 0; i < W; ++i) s += v[i];
  return s;
}

using vint = std::int32_t __attribute__((vector_size(simd_bytes)));
static_assert(sizeof(vint) == sizeof(vreal));

/// Lane i of the result: i + first.
inline vint lane_numbers(int first = 0) {
  vint v;
  for (std::size_t i = 0; i < W; ++i) v[i] = first + static_cast<int>(i);
  return v;
}

/// a where the mask is set (all ones), else b.
inline vreal select(vint mask, vreal a, vreal b) {
  return (vreal)(((vint)a & mask) | ((vint)b & ~mask));
}

namespace detail {
template <std::size_t Distance, std::size_t... I>
vreal swap_lanes(vreal v, std::index_sequence<I...>) {
  return __builtin_shufflevector(v, v, (I ^ Distance)...);
}
template <std::size_t Distance, class Op>
vreal butterfly(vreal v, Op op) {
  v = op(v, swap_lanes<Distance>(v, std::make_index_sequence<W>{}));
  if constexpr (Distance > 1)
    return butterfly<Distance / 2>(v, op);
  else
    return v;
}
/// Rows a and b of a block exchange the off-diagonal B x B squares of each 2B x 2B square.
template <std::size_t B, std::size_t... J>
void swap_squares(vreal& a, vreal& b, std::index_sequence<J...>) {
  const vreal upper = __builtin_shufflevector(a, b, ((J & B) == 0 ? J : W + (J ^ B))...);
  b = __builtin_shufflevector(a, b, ((J & B) == 0 ? J ^ B : W + J)...);
  a = upper;
}
}  // namespace detail

/// Transposes the W x W block whose rows are r[0..W): r[i][j] and r[j][i] change places, in
/// log2(W) steps of two-vector shuffles (step B swaps bit B of the row and column numbers).
template <std::size_t B = W / 2>
inline void transpose(vreal (&r)[W]) {
  for (std::size_t i = 0; i < W; ++i)
    if ((i & B) == 0) detail::swap_squares<B>(r[i], r[i | B], std::make_index_sequence<W>{});
  if constexpr (B > 1) transpose<B / 2>(r);
}

/// op over the lanes of v, as log2(W) steps each combining every lane with another (a chain
/// of W - 1 dependent scalar steps is what a short reduction, like a softmax row's, waits on).
template <class Op>
real reduce(vreal v, Op op) {
  return detail::butterfly<W / 2>(v, op)[0];
}

/// Accumulators a tile may hold: three quarters of the register file.
inline constexpr std::size_t accumulator_registers = simd_bytes >= 64 ? 24 : 12;

/// c[i][j] = init[j] + sum_p a(i, p) b[p][j]  (init == nullptr: c[i][j] += ...)
/// for i < R, j < CV * W, where a(i, p) = a[i * a_row + p * a_depth]. Depth, if not 0, is the
/// depth known at compile time (it then overrides `depth`): the forward pass's is the layer's
/// input count, and the constant bound measured 4-7% faster (256 rows, H=128 and 800).
template <std::size_t R, std::size_t CV, std::size_t Depth = 0>
inline void tile(std::size_t depth, const real* a, std::size_t a_row, std::size_t a_depth,
                 const real* b, std::size_t ldb, real* c, std::size_t ldc, const real* init) {
  if constexpr (Depth != 0) depth = Depth;
  // The pragmas keep the accumulators in registers at -O2 too (GCC unrolls these fully only
  // at -O3, and an accumulator array left in memory runs at a third of the speed).
  vreal acc[R][CV];
  for (std::size_t r = 0; r < R; ++r)
    for (std::size_t v = 0; v < CV; ++v)
      acc[r][v] = init ? load(init + v * W) : load(c + r * ldc + v * W);
  for (std::size_t p = 0; p < depth; ++p) {
    vreal bv[CV];
#pragma GCC unroll 8
    for (std::size_t v = 0; v < CV; ++v) bv[v] = load(b + p * ldb + v * W);
#pragma GCC unroll 32
    for (std::size_t r = 0; r < R; ++r) {
      const vreal s = broadcast(a[r * a_row + p * a_depth]);
#pragma GCC unroll 8
      for (std::size_t v = 0; v < CV; ++v) acc[r][v] += s * bv[v];
    }
  }
  for (std::size_t r = 0; r < R; ++r)
    for (std::size_t v = 0; v < CV; ++v) store(c + r * ldc + v * W, acc[r][v]);
}

/// Vectors per tile row for a product of depth Depth. Short products (weight gradients, depth =
/// batch rows) keep their panel of b in L1 and do best with the fewest loads per FMA: 4 vectors
/// by R rows. Long ones (the forward pass, depth = In) stream b from L2 for every row tile:
/// 2 vectors by 2R rows halve that traffic, which bench_forward measured 5% faster at H=800.
template <std::size_t Depth>
inline constexpr std::size_t tile_vectors = Depth >= 256 ? 2 : 4;

/// The whole product for M rows and N = Np columns, tiled; weight panels outermost so that a
/// panel of b stays in cache while every row block passes over it.
template <std::size_t N, std::size_t TileVectors = 4, std::size_t Depth = 0>
inline void gemm(std::size_t M, std::size_t depth, const real* a, std::size_t a_row,
                 std::size_t a_depth, const real* b, std::size_t ldb, real* c, std::size_t ldc,
                 const real* init) {
  static_assert(N % W == 0, "the column count of a fast kernel must be a whole number of vectors");
  constexpr std::size_t CV = std::min<std::size_t>(TileVectors, N / W);
  constexpr std::size_t R = std::max<std::size_t>(1, accumulator_registers / CV);
  constexpr std::size_t full = N / (CV * W) * (CV * W);
  auto row_blocks = [&]<std::size_t Cols>(std::size_t j) {
    const real* in = init ? init + j : nullptr;
    auto rows_of = [&]<std::size_t Rows>(std::size_t& i) {
      for (; i + Rows <= M; i += Rows)
        tile<Rows, Cols, Depth>(depth, a + i * a_row, a_row, a_depth, b + j, ldb, c + i * ldc + j,
                                ldc, in);
    };
    // Whole tiles, then the rows left in tiles of R/2, R/4 ... 1 rows: a batch of 64 rows
    // and R = 6 ends in a tile of 3 and one of 1, not four single rows that reload b each.
    std::size_t i = 0;
    rows_of.template operator()<R>(i);
    if constexpr (R >= 4) rows_of.template operator()<R / 2>(i);
    if constexpr (R >= 8) rows_of.template operator()<R / 4>(i);
    rows_of.template operator()<1>(i);
  };
  for (std::size_t j = 0; j < full; j += CV * W) row_blocks.template operator()<CV>(j);
  for (std::size_t j = full; j < N; j += W) row_blocks.template operator()<1>(j);
}

/// gemm in blocks of rows small enough that a block of a stays in L2 while each panel of b
/// passes over it (else a batch of 4096 rows would stream a from memory once per panel).
template <std::size_t N, std::size_t TileVectors = 4, std::size_t Depth = 0>
inline void blocked_gemm(std::size_t M, std::size_t depth, const real* a, std::size_t a_row,
                         std::size_t a_depth, const real* b, std::size_t ldb, real* c,
                         std::size_t ldc, const real* init) {
  constexpr std::size_t block_bytes = 384 * 1024;
  const std::size_t block = std::max<std::size_t>(
      24, block_bytes / (std::max<std::size_t>(depth, 1) * sizeof(real)) / 24 * 24);
  for (std::size_t i = 0; i < M; i += block)
    gemm<N, TileVectors, Depth>(std::min(block, M - i), depth, a + i * a_row, a_row, a_depth, b,
                                ldb, c + i * ldc, ldc, init);
}

}  // namespace simd

struct Simd {
  static constexpr const char* name = "simd";

  template <std::size_t In, std::size_t Np>
  static void affine(std::size_t rows, const real* x, std::size_t ldx, const real* w, const real* b,
                     real* y, Range inputs = {0, In}) {
    if (inputs == Range{0, In})
      return simd::blocked_gemm<Np, simd::tile_vectors<In>, In>(rows, In, x, ldx, 1, w, Np, y, Np,
                                                                b);
    simd::blocked_gemm<Np, simd::tile_vectors<In>>(rows, inputs.size(), x + inputs.begin, ldx, 1,
                                                   w + inputs.begin * Np, Np, y, Np, b);
  }

  template <std::size_t In, std::size_t Np>
  static void affine_two_parts(std::size_t rows, const real* x, std::size_t ldx, const real* w,
                               const real* b, real* y0, real* y1, std::size_t split) {
    affine_parts_by_calls<Simd, In, Np>(rows, x, ldx, w, b, y0, y1, split);
  }

  template <std::size_t In, std::size_t Np>
  static void accumulate_weight_grad(std::size_t rows, const real* x, std::size_t ldx,
                                     const real* dz, real* dw, std::size_t k_begin = 0,
                                     std::size_t k_end = In, bool overwrite = false) {
    // dw (In x Np) += x^T dz: the same tile with x read transposed.
    simd::gemm<Np>(k_end - k_begin, rows, x + k_begin, 1, ldx, dz, Np, dw + k_begin * Np, Np,
                   overwrite ? zeros<Np>() : nullptr);
  }

  template <std::size_t In, std::size_t Np, class Done>
  static void weight_grad_blocks(std::size_t rows, const real* x, std::size_t ldx, const real* dz,
                                 real* dw, std::size_t k_begin, std::size_t k_end,
                                 std::size_t block, Done&& done) {
    weight_grad_by_block<Simd, In, Np>(rows, x, ldx, dz, dw, k_begin, k_end, block, done);
  }

  template <std::size_t In, std::size_t Np>
  static void input_grad(std::size_t rows, const real* dz, const real* w, real* dx,
                         std::size_t lddx) {
    using simd::vreal, simd::W;
    if constexpr (In % W == 0 && Np < 4 * W) {
      // Few outputs make short dot products that cost more in horizontal sums than in
      // multiply-adds (a 10-class output layer: one vector each). Instead transpose the small
      // weight matrix (Np x In floats) and run the tiled product dx = dz w^T.
      thread_local AlignedBuffer<real> wt;
      if (wt.size() < Np * In) wt.resize(Np * In);
      for (std::size_t k = 0; k < In; ++k)
        for (std::size_t j = 0; j < Np; ++j) wt[j * In + k] = w[k * Np + j];
      simd::gemm<In>(rows, Np, dz, Np, 1, wt.data(), In, dx, lddx, zeros<In>());
      return;
    }
    // Dot products along the contiguous output axis, four inputs at a time.
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
        for (std::size_t j = 0; j < Np; j += W)
          acc += simd::load(g + j) * simd::load(w + k * Np + j);
        dx[r * lddx + k] = simd::sum(acc);
      }
    }
  }
};

}  // namespace dr::kernels
