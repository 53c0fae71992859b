// Standard normal draws a vector at a time, for the study's pixel noise. One draw per pixel by
// Box-Muller on libm's double log and cos with a Mersenne Twister cost about 30 ns, so noise, not
// training, set the pace of a noisy epoch; here a draw costs a few vector instructions.
//
// The draws of a stream are counter-based: draw i depends only on the stream's key and i, never
// on the SIMD width or on the draws before it, so AVX2 and AVX-512 builds give the same numbers
// (up to the roundings of the polynomials' fused multiply-adds) and any block can be drawn alone.
// Pair c of a stream is Box-Muller on two uniforms from 24 random bits each, the bits being two
// rounds of MurmurHash3's 32-bit finaliser (a bijection in which every output bit depends on
// every input bit) over counters 2c and 2c + 1, keyed by the stream's 64-bit key. Its cosine
// draw goes to place c % 16 of a block of 32, its sine draw 16 places later. The counters are
// 32-bit, so a stream holds 2^33 draws (noise for 34 GB of floats) and repeats after them.
// Accuracy: within 2e-6 of Box-Muller in double precision on the same uniforms (tests/
// test_noise.cpp); the smallest uniform, 2^-24, bounds the draws to |z| <= 5.77, which cuts a
// tail of probability 8e-9.
#pragma once

#include <cstddef>
#include <cstdint>
#include <numbers>

#if defined(__SSE2__)
#include <immintrin.h>
#endif

#include "dr/kernels/simd.hpp"

namespace dr::kernels::simd {

using vuint = std::uint32_t __attribute__((vector_size(simd_bytes)));
static_assert(sizeof(vuint) == sizeof(vreal));

/// sqrt per lane (the square-root instruction; a lane loop would call libm for errno's sake).
inline vreal sqrt(vreal x) {
#if DR_SIMD_BYTES == 64 && defined(__AVX512F__)
  // (The masked form: GCC 12 warns on the unmasked one's undefined source.)
  return (vreal)_mm512_mask_sqrt_ps((__m512)x, 0xffff, (__m512)x);
#elif DR_SIMD_BYTES == 32 && defined(__AVX__)
  return (vreal)_mm256_sqrt_ps((__m256)x);
#elif DR_SIMD_BYTES == 16 && defined(__SSE2__)
  return (vreal)_mm_sqrt_ps((__m128)x);
#else
  vreal r;
  for (std::size_t i = 0; i < W; ++i) r[i] = __builtin_sqrtf(x[i]);
  return r;
#endif
}

/// ln x per lane for normal floats x > 0: x = 2^e m with m in [sqrt(1/2), sqrt(2)), and
/// ln m = 2 atanh(s), s = (m - 1) / (m + 1), by the series to s^9 (|s| < 0.172: the first term
/// left out is below 2^-30 relative).
inline vreal log(vreal x) {
  constexpr real sqrt2 = std::numbers::sqrt2_v<real>, ln2 = std::numbers::ln2_v<real>;
  const vint bits = (vint)x;
  vint e = ((bits >> 23) & 0xff) - 127;
  vreal m = (vreal)((bits & 0x7fffff) | 0x3f800000);  // [1, 2)
  const vint high = m > broadcast(sqrt2);             // -1 where m is halved
  m = select(high, m * 0.5f, m);
  e -= high;
  const vreal s = (m - 1.0f) / (m + 1.0f), s2 = s * s;
  vreal p = broadcast(2.0f / 9);
  for (const real c : {2.0f / 7, 2.0f / 5, 2.0f / 3, 2.0f}) p = p * s2 + c;
  return __builtin_convertvector(e, vreal) * ln2 + p * s;
}

/// cos and sin per lane of q pi / 2 + f pi / 2 for quadrants q in [0, 4) and f in [0, 1): the
/// Taylor polynomials of sin and cos on [0, pi / 2) (the first terms left out, x^15 / 15! and
/// x^16 / 16!, are below 7e-10), then the quadrant's swap and signs.
inline void cos_sin_quadrant(vint q, vreal f, vreal& cos_out, vreal& sin_out) {
  const vreal x = f * (std::numbers::pi_v<real> / 2), x2 = x * x;
  vreal s = broadcast(1.0f), c = broadcast(1.0f);
  // sin x = x (1 - x^2 / (2 * 3) (1 - x^2 / (4 * 5) (...))), cos x = 1 - x^2 / (1 * 2) (...).
  for (const real d : {14.0f * 15, 12.0f * 13, 10.0f * 11, 8.0f * 9, 6.0f * 7, 4.0f * 5, 2.0f * 3})
    s = 1.0f - x2 * (1.0f / d) * s;
  for (const real d :
       {15.0f * 16, 13.0f * 14, 11.0f * 12, 9.0f * 10, 7.0f * 8, 5.0f * 6, 3.0f * 4, 1.0f * 2})
    c = 1.0f - x2 * (1.0f / d) * c;
  s *= x;
  // Quadrant q turns (cos, sin) by q quarter turns: (c, s), (-s, c), (-c, -s), (s, -c).
  const vint odd = -(q & 1);
  const vint cos_sign = ((q + 1) & 2) << 30, sin_sign = (q & 2) << 30;
  cos_out = (vreal)((vint)select(odd, s, c) ^ cos_sign);
  sin_out = (vreal)((vint)select(odd, c, s) ^ sin_sign);
}

}  // namespace dr::kernels::simd

namespace dr::kernels::normal {

using simd::vint, simd::vreal, simd::vuint, simd::W;

/// Draws come in blocks of 32: 16 pairs, whatever the SIMD width.
inline constexpr std::size_t block = 32;
inline constexpr std::size_t pairs_per_block = block / 2;
static_assert(pairs_per_block % W == 0, "a block of draws must hold whole vectors of pairs");

/// MurmurHash3's 32-bit finaliser.
template <class U>
inline U fmix32(U h) {
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  return h ^ (h >> 16);
}

/// 32 random bits for each counter n of a stream keyed by key.
template <class U>
inline U random_bits(std::uint64_t key, U n) {
  const auto low = static_cast<std::uint32_t>(key), high = static_cast<std::uint32_t>(key >> 32);
  return fmix32(fmix32(n + low) ^ high);
}

/// The two uniforms of pair c: u1 in (0, 1] (a logarithm's argument) and u2 in [0, 1), each a
/// multiple of 2^-24, as their top 24 bits.
template <class U>
inline void uniform_bits(std::uint64_t key, U c, U& u1, U& u2) {
  u1 = (random_bits(key, 2 * c) >> 8) + 1;
  u2 = random_bits(key, 2 * c + 1) >> 8;
}

/// Draws 32 b .. 32 b + 31 of the stream `key` into out.
inline void draw_block(std::uint64_t key, std::size_t b, real* out) {
  for (std::size_t v = 0; v < pairs_per_block; v += W) {
    vuint u1, u2;
    uniform_bits(key,
                 static_cast<std::uint32_t>(b * pairs_per_block + v) + (vuint)simd::lane_numbers(),
                 u1, u2);
    // u1 = k 2^-24 with k in [1, 2^24], exact in float.
    const vreal radius =
        simd::sqrt(-2.0f * simd::log(__builtin_convertvector((vint)u1, vreal) * 0x1p-24f));
    // u2 = (q 2^22 + f') 2^-24: quadrant q, and f = f' 2^-22 in [0, 1) within it.
    vreal cos_u2, sin_u2;
    simd::cos_sin_quadrant((vint)(u2 >> 22),
                           __builtin_convertvector((vint)(u2 & 0x3fffff), vreal) * 0x1p-22f, cos_u2,
                           sin_u2);
    simd::store(out + v, radius * cos_u2);
    simd::store(out + pairs_per_block + v, radius * sin_u2);
  }
}

}  // namespace dr::kernels::normal
