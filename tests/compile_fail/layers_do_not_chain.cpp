// Must not compile: the first layer feeds 128 values, the second expects 64.
#include <dr/dr.hpp>

#ifdef DR_PROBE_CONTROL
using Broken = dr::Sequential<dr::Dense<784, 128, dr::Relu>, dr::Dense<128, 10>>;
#else
using Broken = dr::Sequential<dr::Dense<784, 128, dr::Relu>, dr::Dense<64, 10>>;
#endif

int main() {
  Broken net;
  return static_cast<int>(net.param_count % 2);
}
