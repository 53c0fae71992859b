// Build-wide constants: the scalar type, the SIMD width and the alignment that follows from it.
#pragma once

#include <cstddef>

// CMake's DR_ARCH option sets DR_SIMD_BYTES; a build without CMake derives it from the
// compiler's own instruction-set macros, so headers used alone still agree with the code emitted.
#ifndef DR_SIMD_BYTES
#if defined(__AVX512F__)
#define DR_SIMD_BYTES 64
#elif defined(__AVX2__)
#define DR_SIMD_BYTES 32
#else
#define DR_SIMD_BYTES 16
#endif
#endif

namespace dr {

using real = float;

/// Bytes in one SIMD register of the target instruction set.
inline constexpr std::size_t simd_bytes = DR_SIMD_BYTES;
/// Floats in one SIMD register.
inline constexpr std::size_t simd_width = simd_bytes / sizeof(real);
/// Alignment of every weight and activation array: a whole register, at least a cache line.
inline constexpr std::size_t alignment = simd_bytes > 64 ? simd_bytes : 64;

static_assert(simd_width >= 4 && (simd_width & (simd_width - 1)) == 0,
              "DR_SIMD_BYTES must be a power of two of at least 16 bytes");

/// n rounded up to a whole number of SIMD registers: the row length of every padded matrix.
constexpr std::size_t padded(std::size_t n) {
  return (n + simd_width - 1) / simd_width * simd_width;
}

}  // namespace dr
