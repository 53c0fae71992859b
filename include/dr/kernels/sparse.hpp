// The sparse-input kernel: most MNIST pixels are exactly 0, so the affine map and the weight
// gradient visit only the non-zero inputs, each of which brings one whole weight row (forward)
// or one row of output gradients (backward). The input gradient has no zeros to skip and is
// the dense kernel's.
//
// Same results as kernels::Simd: each output starts from the same value and adds the same
// non-zero products in the same ascending order, with the same fused multiply-adds; a skipped
// term is a product with +-0, which an FMA adds without changing the sum's value (at most the
// sign of an exact zero sum could differ, and -0 == +0). Forward, rows go in pairs over the
// union of their non-zero inputs, adding the zeros of the other row: the same argument holds.
// Assumptions as in simd.hpp: Np is a whole number of vectors and weight rows are Np apart.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "dr/config.hpp"
#include "dr/kernels/simd.hpp"

namespace dr::kernels {

namespace sparse {

using simd::vreal, simd::W;

/// Writes the positions where any of G rows x + g * ldx (g < G) is non-zero, in order, to
/// index, and each row's values there (0 where only another row is non-zero) to value[g];
/// returns how many positions. All must have room for n + 16 entries (whole vectors are stored).
template <std::size_t G>
std::size_t compress_nonzero(const real* x, std::size_t ldx, std::size_t n, std::uint32_t* index,
                             real* const* value) {
  std::size_t count = 0, i = 0;
#if defined(__AVX512F__)
  // Sixteen at a time: compare, then compress the survivors into registers (compressing
  // straight to memory is microcoded and slow on AMD) and store them whole.
  __m512i positions = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i sixteen = _mm512_set1_epi32(16);
  for (; i + 16 <= n; i += 16, positions = _mm512_add_epi32(positions, sixteen)) {
    __m512 v[G];
    __mmask16 keep = 0;
    for (std::size_t g = 0; g < G; ++g) {
      v[g] = _mm512_loadu_ps(x + g * ldx + i);
      keep |= _mm512_cmpneq_ps_mask(v[g], _mm512_setzero_ps());
    }
    if (keep == 0) continue;
    for (std::size_t g = 0; g < G; ++g)
      _mm512_storeu_ps(value[g] + count, _mm512_maskz_compress_ps(keep, v[g]));
    _mm512_storeu_si512(index + count, _mm512_maskz_compress_epi32(keep, positions));
    count += static_cast<std::size_t>(std::popcount(static_cast<unsigned>(keep)));
  }
#endif
  for (std::size_t left = n - i; left > 0; --left, ++i) {
    bool any = false;
    for (std::size_t g = 0; g < G; ++g) any |= x[g * ldx + i] != 0;
    if (!any) continue;
    for (std::size_t g = 0; g < G; ++g) value[g][count] = x[g * ldx + i];
    index[count++] = static_cast<std::uint32_t>(i);
  }
  return count;
}

/// Terms shared by G outputs: term i scales row index[i] of b by value[g][i] for output g.
template <std::size_t G>
struct Terms {
  const std::uint32_t* index;
  const real* value[G];
  std::size_t count;
};

/// The non-zero positions of G input rows at once (forward): one pass over the weight rows
/// they need serves all G, which halves the traffic from L2 for G = 2 on MNIST, where two
/// digits share most of their non-zero pixels.
template <std::size_t G>
struct RowTerms {
  std::vector<std::uint32_t> index;
  std::vector<real> values[G];

  Terms<G> collect(const real* x, std::size_t ldx, std::size_t n) {
    if (index.size() < n + 16) {
      index.resize(n + 16);
      for (auto& v : values) v.resize(n + 16);
    }
    real* out[G];
    Terms<G> t{index.data(), {}, 0};
    for (std::size_t g = 0; g < G; ++g) t.value[g] = out[g] = values[g].data();
    t.count = compress_nonzero<G>(x, ldx, n, index.data(), out);
    return t;
  }
};

/// The non-zero inputs of a batch grouped by input k, each group in row order (backward):
/// compressed by rows first, then regrouped by a counting sort that keeps the row order.
class TermsByInput {
 public:
  /// Collects inputs [k_begin, k_begin + n) of `rows` rows of x (row stride ldx).
  void collect(std::size_t rows, const real* x, std::size_t ldx, std::size_t k_begin,
               std::size_t n) {
    if (by_row_k_.size() < rows * n + 16) {
      by_row_k_.resize(rows * n + 16);
      by_row_v_.resize(rows * n + 16);
    }
    start_.assign(n + 1, 0);
    row_end_.resize(rows);
    std::size_t total = 0;
    for (std::size_t r = 0; r < rows; ++r) {
      real* v = by_row_v_.data() + total;
      const std::size_t count =
          compress_nonzero<1>(x + r * ldx + k_begin, ldx, n, by_row_k_.data() + total, &v);
      for (std::size_t i = total; i < total + count; ++i) ++start_[by_row_k_[i] + 1];
      row_end_[r] = total += count;
    }
    for (std::size_t k = 0; k < n; ++k) start_[k + 1] += start_[k];
    row_.resize(total);
    value_.resize(total);
    fill_.assign(start_.begin(), start_.end() - 1);
    for (std::size_t r = 0, i = 0; r < rows; ++r)
      for (; i < row_end_[r]; ++i) {
        const std::uint32_t slot = fill_[by_row_k_[i]]++;
        row_[slot] = static_cast<std::uint32_t>(r);
        value_[slot] = by_row_v_[i];
      }
  }
  /// The rows of input k_begin + k with a non-zero value, and those values.
  Terms<1> input(std::size_t k) const {
    return {row_.data() + start_[k], {value_.data() + start_[k]}, start_[k + 1] - start_[k]};
  }

 private:
  std::vector<std::uint32_t> by_row_k_, row_end_, start_, fill_, row_;
  std::vector<real> by_row_v_, value_;
};

/// Scratch space, one per thread, so that kernel calls allocate nothing after their first.
template <class T>
T& scratch() {
  thread_local T t;
  return t;
}

/// c[g * ldc + (0 .. CV*W)] = start + sum_i t.value[g][i] * b[t.index[i] * ldb + (0 .. CV*W)].
template <std::size_t G, std::size_t CV>
inline void sum_terms(const Terms<G>& t, const real* b, std::size_t ldb, const real* start, real* c,
                      std::size_t ldc) {
  vreal acc[G][CV];
  for (std::size_t g = 0; g < G; ++g)
    for (std::size_t v = 0; v < CV; ++v) acc[g][v] = simd::load(start + v * W);
  for (std::size_t i = 0; i < t.count; ++i) {
    const real* row = b + t.index[i] * ldb;
    vreal s[G];
    for (std::size_t g = 0; g < G; ++g) s[g] = simd::broadcast(t.value[g][i]);
#pragma GCC unroll 16
    for (std::size_t v = 0; v < CV; ++v) {
      const vreal w = simd::load(row + v * W);
#pragma GCC unroll 4
      for (std::size_t g = 0; g < G; ++g) acc[g][v] += s[g] * w;
    }
  }
  for (std::size_t g = 0; g < G; ++g)
    for (std::size_t v = 0; v < CV; ++v) simd::store(c + g * ldc + v * W, acc[g][v]);
}

/// sum_terms over all Np columns, in blocks of as many accumulators as the registers allow.
template <std::size_t Np, std::size_t G>
inline void sum_terms_all_columns(const Terms<G>& t, const real* b, const real* start, real* c,
                                  std::size_t ldc) {
  static_assert(Np % W == 0, "the column count of a fast kernel must be a whole number of vectors");
  constexpr std::size_t vectors = Np / W;
  constexpr std::size_t CV = std::min(vectors, simd::accumulator_registers * 2 / 3 / G);
  constexpr std::size_t full = vectors / CV * CV;
  for (std::size_t v = 0; v < full; v += CV)
    sum_terms<G, CV>(t, b + v * W, Np, start + v * W, c + v * W, ldc);
  if constexpr (vectors % CV != 0)
    sum_terms<G, vectors % CV>(t, b + full * W, Np, start + full * W, c + full * W, ldc);
}

}  // namespace sparse

struct Sparse : Simd {
  static constexpr const char* name = "sparse";

  /// y[r][j] = b[j] + sum over non-zero x[r][k] of x[r][k] w[k][j]; rows go in pairs.
  template <std::size_t In, std::size_t Np>
  static void affine(std::size_t rows, const real* x, std::size_t ldx, const real* w, const real* b,
                     real* y) {
    std::size_t r = 0;
    for (auto& pair = sparse::scratch<sparse::RowTerms<2>>(); r + 2 <= rows; r += 2)
      sparse::sum_terms_all_columns<Np, 2>(pair.collect(x + r * ldx, ldx, In), w, b, y + r * Np,
                                           Np);
    if (r < rows)
      sparse::sum_terms_all_columns<Np, 1>(
          sparse::scratch<sparse::RowTerms<1>>().collect(x + r * ldx, ldx, In), w, b, y + r * Np,
          Np);
  }

  /// dw[k][j] += (with overwrite: =) the sum over rows r with x[r][k] non-zero of
  /// x[r][k] dz[r][j], for k in [k_begin, k_end).
  template <std::size_t In, std::size_t Np>
  static void accumulate_weight_grad(std::size_t rows, const real* x, std::size_t ldx,
                                     const real* dz, real* dw, std::size_t k_begin = 0,
                                     std::size_t k_end = In, bool overwrite = false) {
    auto& terms = sparse::scratch<sparse::TermsByInput>();
    terms.collect(rows, x, ldx, k_begin, k_end - k_begin);
    sum_inputs<Np>(terms, k_begin, k_begin, k_end, dz, dw, overwrite);
  }

  /// weight_grad_by_block (reference.hpp) with the non-zero inputs collected once for all blocks.
  template <std::size_t In, std::size_t Np, class Done>
  static void weight_grad_blocks(std::size_t rows, const real* x, std::size_t ldx, const real* dz,
                                 real* dw, std::size_t k_begin, std::size_t k_end,
                                 std::size_t block, Done&& done) {
    auto& terms = sparse::scratch<sparse::TermsByInput>();
    terms.collect(rows, x, ldx, k_begin, k_end - k_begin);
    for (std::size_t k0 = k_begin; k0 < k_end; k0 += block) {
      const std::size_t k1 = std::min(k_end, k0 + block);
      sum_inputs<Np>(terms, k_begin, k0, k1, dz, dw, true);
      done(k0, k1);
    }
  }

 private:
  /// Rows [k0, k1) of dw from terms collected from input `first` on.
  template <std::size_t Np>
  static void sum_inputs(const sparse::TermsByInput& terms, std::size_t first, std::size_t k0,
                         std::size_t k1, const real* dz, real* dw, bool overwrite) {
    for (std::size_t k = k0; k < k1; ++k) {
      const sparse::Terms<1> t = terms.input(k - first);
      real* row = dw + k * Np;
      if (t.count || overwrite)
        sparse::sum_terms_all_columns<Np, 1>(t, dz, overwrite ? zeros<Np>() : row, row, Np);
    }
  }
};

}  // namespace dr::kernels
