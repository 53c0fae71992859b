// The sparse-input kernel: most MNIST pixels are exactly 0, so the affine map and the weight
// gradient visit only the non-zero inputs. Which inputs are non-zero is kept as bit sets, 64 to a
// word, and a bit scan (tzcnt) walks them in order; each non-zero term costs one broadcast and
// one fused multiply-add per vector of outputs, its operand read from L1:
// - forward, per row: the set bits of the row's inputs, 64 inputs (one word) at a time, each
//   bringing its weight row; all rows of a block pass over those 64 weight rows while they are
//   in L1, and the outputs stay in registers for the word;
// - backward, per input k: the set bits of the rows where x[r][k] != 0, each bringing its row
//   of dz (a block of at most 8 vectors of columns of 64 rows: 32 KiB, in L1 across inputs);
//   on layers of several column blocks, x[r][k] comes from a copy of x transposed by input,
//   read in order, rather than from 64 rows of x once per block.
// The input gradient has no zeros to skip and is the dense kernel's.
//
// Same results as kernels::Simd: each output starts from the same value and adds the same
// non-zero products in the same ascending order, with the same fused multiply-adds; a skipped
// term is a product with +-0, which an FMA adds without changing the sum's value (at most the
// sign of an exact zero sum could differ, and -0 == +0).
// Assumptions as in simd.hpp: Np is a whole number of vectors and weight rows are Np apart.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

#include "dr/config.hpp"
#include "dr/kernels/simd.hpp"

namespace dr::kernels {

namespace sparse {

using simd::vreal, simd::W;

/// Words of a bit set of n entries.
constexpr std::size_t words_for(std::size_t n) {
  return (n + 63) / 64;
}

/// Bit i of words[i / 64] = (x[i] != 0) for i < n; the bits from n to the word's end are 0.
/// (NaN counts as non-zero, as it does for `!=`, so it reaches the output as in the dense path.)
inline void nonzero_bits(const real* x, std::size_t n, std::uint64_t* words) {
  for (std::size_t q = 0; q < words_for(n); ++q) {
    const real* p = x + 64 * q;
    const std::size_t len = n - 64 * q < 64 ? n - 64 * q : 64;
    std::uint64_t m = 0;
    std::size_t i = 0;
#if defined(__AVX512F__)
    for (; i < len; i += 16) {
      const auto valid = static_cast<__mmask16>(len - i >= 16 ? 0xffff : (1u << (len - i)) - 1);
      const __mmask16 nz = _mm512_mask_cmpneq_ps_mask(valid, _mm512_maskz_loadu_ps(valid, p + i),
                                                      _mm512_setzero_ps());
      m |= std::uint64_t{nz} << i;
    }
#elif defined(__AVX2__)
    for (; i + 8 <= len; i += 8) {
      const __m256 nz = _mm256_cmp_ps(_mm256_loadu_ps(p + i), _mm256_setzero_ps(), _CMP_NEQ_UQ);
      m |= std::uint64_t(static_cast<unsigned>(_mm256_movemask_ps(nz))) << i;
    }
#endif
    // (i < 64 always holds, len <= 64; said again so GCC sees no shift past 63.)
    for (; i < len && i < 64; ++i) m |= std::uint64_t{p[i] != 0} << i;
    words[q] = m;
  }
}

/// c[v * W ..] = start[v * W ..] + value[i * stride] * b[i * ldb + v * W ..] summed over the set
/// bits of `bits` in ascending order, i = first + the bit's position, for v < CV.
template <std::size_t CV>
inline void sum_set_bits(std::uint64_t bits, std::size_t first, const real* value,
                         std::size_t stride, const real* b, std::size_t ldb, const real* start,
                         real* c) {
  vreal acc[CV];
  for (std::size_t v = 0; v < CV; ++v) acc[v] = simd::load(start + v * W);
  for (; bits != 0; bits &= bits - 1) {
    const std::size_t i = first + static_cast<std::size_t>(std::countr_zero(bits));
    const vreal s = simd::broadcast(value[i * stride]);
    const real* row = b + i * ldb;
#pragma GCC unroll 16
    for (std::size_t v = 0; v < CV; ++v) acc[v] += s * simd::load(row + v * W);
  }
  for (std::size_t v = 0; v < CV; ++v) simd::store(c + v * W, acc[v]);
}

/// Calls f.template operator()<CV>(j) for column blocks [j, j + CV * W) covering Np columns:
/// as few blocks as MaxCV vectors each allow, their sizes differing by at most one vector (50
/// vectors in 8s: one block of 8 and six of 7, not six of 8 and a weak one of 2).
template <std::size_t Np, std::size_t MaxCV, class F>
inline void for_column_blocks(F&& f) {
  static_assert(Np % W == 0, "the column count of a fast kernel must be a whole number of vectors");
  constexpr std::size_t vectors = Np / W, blocks = (vectors + MaxCV - 1) / MaxCV;
  constexpr std::size_t small = vectors / blocks, large = vectors % blocks;
  std::size_t v = 0;
  for (std::size_t i = 0; i < large; ++i, v += small + 1) f.template operator()<small + 1>(v * W);
  for (std::size_t i = large; i < blocks; ++i, v += small) f.template operator()<small>(v * W);
}

/// Vectors of columns a sparse kernel keeps in registers: 8 leave room for the loads, and a
/// block of 64 rows of 8 vectors (32 KiB under AVX-512) fits L1.
inline constexpr std::size_t max_column_vectors = 8;

/// Whether the weight gradient takes x[r][k] from NonzeroRows::values, x transposed, rather
/// than from x's rows: with more than one column block, each block would gather its values
/// from 64 rows again (bench_forward grad1/sparse, H=800, density 0.6: 523 µs against 770);
/// with one, the transposition costs more than it saves (H=128: 41 against 35 µs at 0.2).
template <std::size_t Np>
inline constexpr bool gradient_reads_transposed = Np / W > max_column_vectors;

/// For each of up to 64 rows, the bit set of its non-zero inputs (forward).
class NonzeroInputs {
 public:
  /// Collects inputs [0, n) of `rows` rows of x (row stride ldx).
  void collect(std::size_t rows, const real* x, std::size_t ldx, std::size_t n) {
    words_ = words_for(n);
    bits_.resize(rows * words_);
    for (std::size_t r = 0; r < rows; ++r) nonzero_bits(x + r * ldx, n, bits_.data() + r * words_);
  }
  /// Row r's inputs, as words() words.
  const std::uint64_t* row(std::size_t r) const { return bits_.data() + r * words_; }
  std::size_t words() const { return words_; }

 private:
  std::size_t words_ = 0;
  std::vector<std::uint64_t> bits_;
};

/// For each input k of a batch, the bit set of the rows where x[r][k] != 0 (backward): bit i
/// of word w stands for row 64 w + i, so a bit scan gives the rows in order. Built from each
/// row's nonzero_bits by transposing them a byte at a time.
class NonzeroRows {
 public:
  /// Collects inputs [k_begin, k_begin + n) of `rows` rows of x (row stride ldx), and their
  /// values by input if `with_values`.
  void collect(std::size_t rows, const real* x, std::size_t ldx, std::size_t k_begin, std::size_t n,
               bool with_values) {
    words_ = words_for(rows);
    bits_.assign(n * words_, 0);
    if (with_values) values_.resize(n * words_ * 64);
    row_bits_.resize(words_for(n));
    // bytes_[c * 64 + i]: byte c of the bit set of row 64 w + i; rows past the end stay 0.
    bytes_.resize(row_bits_.size() * 8 * 64);
    for (std::size_t w = 0; w < words_; ++w) {
      const std::size_t group = std::min<std::size_t>(64, rows - 64 * w);
      std::fill(bytes_.begin(), bytes_.end(), 0);
      for (std::size_t i = 0; i < group; ++i) {
        nonzero_bits(x + (64 * w + i) * ldx + k_begin, n, row_bits_.data());
        for (std::size_t c = 0; c < (n + 7) / 8; ++c)
          bytes_[c * 64 + i] = static_cast<std::uint8_t>(row_bits_[c / 8] >> (c % 8 * 8));
      }
      for (std::size_t k = 0; k < n; ++k) bits_[k * words_ + w] = column_bits(k);
      if (with_values)
        transpose_values(x + 64 * w * ldx + k_begin, ldx, group, n, values_.data() + 64 * w);
    }
  }
  /// The rows of input k_begin + k, as words() words.
  const std::uint64_t* input(std::size_t k) const { return bits_.data() + k * words_; }
  /// x[r][k_begin + k] for the rows r, 64 per word (collected with_values; rows past the end
  /// are left unwritten, and their bits are 0).
  const real* values(std::size_t k) const { return values_.data() + k * words_ * 64; }
  std::size_t words() const { return words_; }

 private:
  /// Bit i = bit k % 8 of bytes_[k / 8 * 64 + i], for the 64 rows of a group.
  std::uint64_t column_bits(std::size_t k) const {
    const std::uint8_t* column = bytes_.data() + k / 8 * 64;
#if defined(__AVX512BW__)
    return _mm512_test_epi8_mask(_mm512_loadu_si512(column),
                                 _mm512_set1_epi8(static_cast<char>(1u << (k % 8))));
#elif defined(__AVX2__)
    // Shift bit k % 8 of every byte up to the byte's top bit, which movemask collects.
    const int shift = static_cast<int>(7 - k % 8);
    const auto half = [&](std::size_t h) {
      const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(column + 32 * h));
      return std::uint64_t{static_cast<std::uint32_t>(
          _mm256_movemask_epi8(_mm256_sll_epi16(v, _mm_cvtsi32_si128(shift))))};
    };
    return half(0) | half(1) << 32;
#else
    std::uint64_t m = 0;
    for (std::size_t i = 0; i < 64; ++i) m |= std::uint64_t{(column[i] >> (k % 8)) & 1u} << i;
    return m;
#endif
  }

  /// out[k * words_ * 64 + i] = x[i][k] for i < rows, k < n: a group's values by input, in
  /// W x W blocks (transpose) where whole.
  void transpose_values(const real* x, std::size_t ldx, std::size_t rows, std::size_t n,
                        real* out) const {
    const std::size_t ldo = words_ * 64;
    for (std::size_t k0 = 0; k0 < n; k0 += W)
      for (std::size_t i0 = 0; i0 < rows; i0 += W) {
        if (k0 + W <= n && i0 + W <= rows) {
          vreal block[W];
          for (std::size_t a = 0; a < W; ++a) block[a] = simd::load(x + (i0 + a) * ldx + k0);
          simd::transpose(block);
          for (std::size_t a = 0; a < W; ++a) simd::store(out + (k0 + a) * ldo + i0, block[a]);
          continue;
        }
        for (std::size_t k = k0; k < std::min(n, k0 + W); ++k)
          for (std::size_t i = i0; i < std::min(rows, i0 + W); ++i)
            out[k * ldo + i] = x[i * ldx + k];
      }
  }

  std::size_t words_ = 0;
  std::vector<std::uint64_t> bits_, row_bits_;
  std::vector<real> values_;
  std::vector<std::uint8_t> bytes_;
};

/// Scratch space, one per thread, so that kernel calls allocate nothing after their first.
template <class T>
T& scratch() {
  thread_local T t;
  return t;
}

}  // namespace sparse

struct Sparse : Simd {
  static constexpr const char* name = "sparse";

  /// y[r][j] = b[j] + sum over non-zero x[r][k] of x[r][k] w[k][j], k in `inputs` ascending.
  template <std::size_t In, std::size_t Np>
  static void affine(std::size_t rows, const real* x, std::size_t ldx, const real* w, const real* b,
                     real* y, Range inputs = {0, In}) {
    if (inputs.size() == 0) return Simd::affine<In, Np>(rows, x, ldx, w, b, y, inputs);
    sum_words<Np>(rows, x + inputs.begin, ldx, w + inputs.begin * Np, inputs.size(), b, y, y, 0);
  }

  /// affine() over inputs [0, split) into y0 and, from zero, over [split, In) into y1, in one
  /// pass over x.
  template <std::size_t In, std::size_t Np>
  static void affine_two_parts(std::size_t rows, const real* x, std::size_t ldx, const real* w,
                               const real* b, real* y0, real* y1, std::size_t split) {
    if (split == 0 || split >= In)
      return affine_parts_by_calls<Sparse, In, Np>(rows, x, ldx, w, b, y0, y1, split);
    sum_words<Np>(rows, x, ldx, w, In, b, y0, y1, split);
  }

  /// dw[k][j] += (with overwrite: =) the sum over rows r with x[r][k] non-zero of
  /// x[r][k] dz[r][j], for k in [k_begin, k_end).
  template <std::size_t In, std::size_t Np>
  static void accumulate_weight_grad(std::size_t rows, const real* x, std::size_t ldx,
                                     const real* dz, real* dw, std::size_t k_begin = 0,
                                     std::size_t k_end = In, bool overwrite = false) {
    auto& nonzero = sparse::scratch<sparse::NonzeroRows>();
    nonzero.collect(rows, x, ldx, k_begin, k_end - k_begin, sparse::gradient_reads_transposed<Np>);
    sum_inputs<Np>(nonzero, x, ldx, k_begin, k_begin, k_end, dz, dw, overwrite);
  }

  /// weight_grad_by_block (reference.hpp) with the non-zero inputs collected once for all blocks.
  /// Out of line: inlined into the Trainer's phase 3, its inner loop ran out of registers
  /// (bench_train, 784-128-10, one thread: phase 3 took 59-65 µs against 44-48).
  template <std::size_t In, std::size_t Np, class Done>
  [[gnu::noinline]] static void weight_grad_blocks(std::size_t rows, const real* x, std::size_t ldx,
                                                   const real* dz, real* dw, std::size_t k_begin,
                                                   std::size_t k_end, std::size_t block,
                                                   Done&& done) {
    auto& nonzero = sparse::scratch<sparse::NonzeroRows>();
    nonzero.collect(rows, x, ldx, k_begin, k_end - k_begin, sparse::gradient_reads_transposed<Np>);
    for (std::size_t k0 = k_begin; k0 < k_end; k0 += block) {
      const std::size_t k1 = std::min(k_end, k0 + block);
      sum_inputs<Np>(nonzero, x, ldx, k_begin, k0, k1, dz, dw, true);
      done(k0, k1);
    }
  }

 private:
  /// y0 = b + the sum over the set bits of inputs [0, n) of `rows` rows of x, or, if
  /// 0 < split < n, y0 = b + inputs [0, split) and y1 = 0 + inputs [split, n) (the word that
  /// holds input `split` goes to both, each taking its side's bits).
  /// Rows in blocks of 64 and column blocks outermost, then words: all rows of a block pass over
  /// a word's 64 weight rows while they are in L1, and a row's outputs stay in registers.
  template <std::size_t Np>
  static void sum_words(std::size_t rows, const real* x, std::size_t ldx, const real* w,
                        std::size_t n_inputs, const real* b, real* y0, real* y1,
                        std::size_t split = 0) {
    constexpr std::size_t row_block = 64;
    if (split == 0) split = n_inputs;
    // The bits of word `split / 64` below input `split` (none when the split is whole).
    const std::size_t split_word = split / 64;
    const std::uint64_t below = split % 64 == 0 ? 0 : (std::uint64_t{1} << split % 64) - 1;
    auto& nonzero = sparse::scratch<sparse::NonzeroInputs>();
    for (std::size_t r0 = 0; r0 < rows; r0 += row_block) {
      const std::size_t n = std::min(row_block, rows - r0);
      nonzero.collect(n, x + r0 * ldx, ldx, n_inputs);
      const std::size_t words = nonzero.words();
      sparse::for_column_blocks<Np, sparse::max_column_vectors>([&]<std::size_t CV>(std::size_t j) {
        // Words [q0, q1) into y, the first of them from `start`; word split_word's bits masked.
        const auto sum = [&](std::size_t q0, std::size_t q1, const real* start, real* y,
                             std::uint64_t split_mask) {
          for (std::size_t q = q0; q < q1; ++q) {
            const std::uint64_t mask = q == split_word ? split_mask : ~std::uint64_t{0};
            for (std::size_t r = 0; r < n; ++r) {
              real* out = y + (r0 + r) * Np + j;
              sparse::sum_set_bits<CV>(nonzero.row(r)[q] & mask, 64 * q, x + (r0 + r) * ldx, 1,
                                       w + j, Np, q == q0 ? start + j : out, out);
            }
          }
        };
        sum(0, split_word + (below != 0), b, y0, below);
        if (split < n_inputs) sum(split_word, words, zeros<Np>(), y1, ~below);
      });
    }
  }

  /// Rows [k0, k1) of dw from the non-zero rows collected from input `first` on. Column blocks
  /// and then groups of 64 rows (one word of the bit sets) outermost, so that the block's
  /// columns of the group's rows of dz stay in L1 across inputs; each gradient goes on from
  /// the previous group's sum, so the rows are still added in order.
  template <std::size_t Np>
  static void sum_inputs(const sparse::NonzeroRows& nonzero, const real* x, std::size_t ldx,
                         std::size_t first, std::size_t k0, std::size_t k1, const real* dz,
                         real* dw, bool overwrite) {
    sparse::for_column_blocks<Np, sparse::max_column_vectors>([&]<std::size_t CV>(std::size_t j) {
      for (std::size_t w = 0; w < nonzero.words(); ++w)
        for (std::size_t k = k0; k < k1; ++k) {
          real* out = dw + k * Np + j;
          const real* start = w > 0 ? out : overwrite ? zeros<Np>() : out;
          // x[r][k] for the rows r: down column k of x, or along the transposed copy.
          constexpr bool transposed = sparse::gradient_reads_transposed<Np>;
          const real* value = transposed ? nonzero.values(k - first) : x + k;
          sparse::sum_set_bits<CV>(nonzero.input(k - first)[w], 64 * w, value, transposed ? 1 : ldx,
                                   dz + j, Np, start, out);
        }
    });
  }
};

}  // namespace dr::kernels
