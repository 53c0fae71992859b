// One libFuzzer executable per harness: CMake compiles this file once per target, naming the
// harness in DR_FUZZ_TARGET.
#include <cstddef>
#include <cstdint>

#include "harnesses.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  dr::fuzz::DR_FUZZ_TARGET({data, size});
  return 0;
}
