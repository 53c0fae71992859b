// Streaming stores: writes that go around the cache, for rows one core computes and another reads.
//
// A core that writes a line another core holds must first take it from that core, a trip between
// the cores per line, and stores cannot run far ahead of those trips. A streaming store needs no
// copy of the line: the other core's copy is dropped and the data goes on to memory, whence the
// reader takes it. 16 KiB written by one core and read by the other, in turn, took 4.3-5.7 µs
// a turn with ordinary stores and 1.9-2.1 µs with streaming ones, the cores 450-500 ns apart
// (a throwaway benchmark; train_step.hpp and benchmarks/README.md give what it changes for
// training).
#pragma once

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <cstddef>

#include "dr/config.hpp"

namespace dr::kernels {

/// Copies n floats from src to dst with streaming stores, then fences them, so that a thread
/// that next sees a flag this thread sets afterwards also sees the data. dst and src are
/// aligned to simd_bytes and n is a multiple of simd_width. (Off x86, an ordinary copy.)
inline void stream_copy(real* dst, const real* src, std::size_t n) {
#if !defined(__x86_64__) && !defined(__i386__)
  std::copy_n(src, n, dst);
#else
#if DR_SIMD_BYTES >= 64
  constexpr std::size_t step = 16;
  const auto copy = [](real* d, const real* s) { _mm512_stream_ps(d, _mm512_load_ps(s)); };
#elif DR_SIMD_BYTES >= 32
  constexpr std::size_t step = 8;
  const auto copy = [](real* d, const real* s) { _mm256_stream_ps(d, _mm256_load_ps(s)); };
#else
  constexpr std::size_t step = 4;
  const auto copy = [](real* d, const real* s) { _mm_stream_ps(d, _mm_load_ps(s)); };
#endif
  static_assert(simd_width % step == 0);
  for (std::size_t i = 0; i < n; i += step) copy(dst + i, src + i);
  _mm_sfence();
#endif
}

}  // namespace dr::kernels
