// The fast kernels against the reference loops on the same random data. Tolerance: both sum the
// same products in different orders (and the fast path fuses multiply-adds), so they may differ
// by a few float roundings per term: we allow 1e-5 relative to the sum of the terms' magnitudes.
#include <catch2/catch.hpp>
#include <cmath>

#include "dr/dense.hpp"
#include "support/random_data.hpp"

namespace {

using dr::real;

template <class Kernel, std::size_t In, std::size_t Out>
void check_parity(std::size_t rows) {
  using Layer = dr::Dense<In, Out, dr::Relu>;
  constexpr std::size_t Np = Layer::padded_out;
  const auto layer = dr::test::random_layer<Layer>(7);
  const auto x = dr::test::random_matrix(rows, In, 11);
  const auto dy = dr::test::random_matrix(rows, Np, 13);
  // Bound for each output: the sum of |terms|, so the tolerance scales with the problem.
  auto close = [](real a, real b, real scale) { return std::fabs(a - b) <= 1e-5f * scale + 1e-6f; };

  std::vector<real> y_ref(rows * Np), y_fast(rows * Np);
  dr::kernels::Reference::affine<In, Np>(rows, x.data(), In, layer->weights.data(),
                                         layer->bias.data(), y_ref.data());
  Kernel::template affine<In, Np>(rows, x.data(), In, layer->weights.data(), layer->bias.data(),
                                  y_fast.data());
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t j = 0; j < Np; ++j) {
      real scale = std::fabs(layer->bias[j]);
      for (std::size_t k = 0; k < In; ++k) scale += std::fabs(x[r * In + k] * layer->weight(j, k));
      INFO("affine row " << r << " column " << j);
      REQUIRE(close(y_ref[r * Np + j], y_fast[r * Np + j], scale));
    }

  auto g_ref = std::make_unique<Layer>(), g_fast = std::make_unique<Layer>();
  dr::kernels::Reference::accumulate_weight_grad<In, Np>(rows, x.data(), In, dy.data(),
                                                         g_ref->weights.data());
  Kernel::template accumulate_weight_grad<In, Np>(rows, x.data(), In, dy.data(),
                                                  g_fast->weights.data());
  for (std::size_t k = 0; k < In; ++k)
    for (std::size_t j = 0; j < Np; ++j) {
      real scale = 0;
      for (std::size_t r = 0; r < rows; ++r) scale += std::fabs(x[r * In + k] * dy[r * Np + j]);
      INFO("weight gradient input " << k << " output " << j);
      REQUIRE(close(g_ref->weights[k * Np + j], g_fast->weights[k * Np + j], scale));
    }

  std::vector<real> dx_ref(rows * In), dx_fast(rows * In);
  dr::kernels::Reference::input_grad<In, Np>(rows, dy.data(), layer->weights.data(), dx_ref.data(),
                                             In);
  Kernel::template input_grad<In, Np>(rows, dy.data(), layer->weights.data(), dx_fast.data(), In);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t k = 0; k < In; ++k) {
      real scale = 0;
      for (std::size_t j = 0; j < Np; ++j)
        scale += std::fabs(dy[r * Np + j] * layer->weights[k * Np + j]);
      INFO("input gradient row " << r << " input " << k);
      REQUIRE(close(dx_ref[r * In + k], dx_fast[r * In + k], scale));
    }
}

}  // namespace

TEMPLATE_TEST_CASE_SIG("kernels: simd path matches the reference", "[kernels]",
                       ((std::size_t In, std::size_t Out), In, Out), (13, 7), (16, 24), (8, 8),
                       (100, 33), (784, 128), (128, 10), (3, 65)) {
  for (std::size_t rows : {std::size_t{1}, std::size_t{2}, std::size_t{5}, std::size_t{257}}) {
    INFO("rows " << rows);
    check_parity<dr::kernels::Simd, In, Out>(rows);
    check_parity<dr::kernels::Sparse, In, Out>(rows);
  }
}
