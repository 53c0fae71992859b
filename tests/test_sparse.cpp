// The sparse-input path on inputs shaped like MNIST (about 80% exact zeros): it must give the
// dense kernel's results bit for bit (so the automatic choice between them changes no result)
// and agree with the reference loops within float rounding.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <vector>

#include "dr/dense.hpp"
#include "dr/kernels/auto.hpp"
#include "dr/network.hpp"
#include "support/random_data.hpp"

namespace {

using dr::real;
namespace k = dr::kernels;

/// rows x cols values, each zero with probability `zeros`, else uniform in (0, 1].
std::vector<real> sparse_matrix(std::size_t rows, std::size_t cols, double zeros,
                                std::uint64_t seed) {
  dr::Rng rng(seed);
  std::vector<real> v(rows * cols);
  for (auto& x : v) x = dr::uniform01(rng) < zeros ? real(0) : 1 - dr::uniform01(rng);
  return v;
}

template <std::size_t In, std::size_t Out>
void check_sparse_layer(std::size_t rows, double zeros) {
  using Layer = dr::Dense<In, Out, dr::Relu>;
  constexpr std::size_t Np = Layer::padded_out;
  const auto layer = dr::test::random_layer<Layer>(3);
  const auto x = sparse_matrix(rows, In, zeros, 5);
  const auto dz = dr::test::random_matrix(rows, Np, 9);

  std::vector<real> y_ref(rows * Np), y_dense(rows * Np), y_sparse(rows * Np), y_auto(rows * Np);
  const real* w = layer->weights.data();
  const real* b = layer->bias.data();
  k::Reference::affine<In, Np>(rows, x.data(), In, w, b, y_ref.data());
  k::Simd::affine<In, Np>(rows, x.data(), In, w, b, y_dense.data());
  k::Sparse::affine<In, Np>(rows, x.data(), In, w, b, y_sparse.data());
  k::Auto::affine<In, Np>(rows, x.data(), In, w, b, y_auto.data());
  REQUIRE(y_sparse == y_dense);
  REQUIRE(y_auto == y_dense);
  for (std::size_t i = 0; i < y_ref.size(); ++i) {
    INFO("output " << i);
    REQUIRE(y_sparse[i] == Approx(y_ref[i]).margin(1e-4));
  }

  // The sum in two parts over the inputs, as the Trainer splits it (where it cuts the inputs,
  // within a word of the bit sets, at a word's end, at either end): each part as the dense
  // kernel gives it, together the whole sum.
  for (const std::size_t split :
       {std::size_t{0}, In * 101 / 200, In / 3, In < 64 ? In : std::size_t{64}, In}) {
    INFO("inputs split at " << split);
    std::vector<real> parts[3][2];  // [kernel][part]: simd, sparse, auto
    const auto sum_parts = [&]<class K>(K, std::vector<real>* out) {
      out[0].assign(rows * Np, -1);
      out[1].assign(rows * Np, -1);
      K::template affine<In, Np>(rows, x.data(), In, w, b, out[0].data(), {0, split});
      K::template affine<In, Np>(rows, x.data(), In, w, k::zeros<Np>(), out[1].data(), {split, In});
    };
    sum_parts(k::Simd{}, parts[0]);
    sum_parts(k::Sparse{}, parts[1]);
    sum_parts(k::Auto{}, parts[2]);
    for (int part = 0; part < 2; ++part) {
      REQUIRE(parts[1][part] == parts[0][part]);
      REQUIRE(parts[2][part] == parts[0][part]);
    }
    // Both parts at once (one pass over x for the sparse kernel, wherever the split).
    const auto both_parts = [&]<class K>(K) {
      std::vector<real> out[2] = {std::vector<real>(rows * Np, -1),
                                  std::vector<real>(rows * Np, -1)};
      K::template affine_two_parts<In, Np>(rows, x.data(), In, w, b, out[0].data(), out[1].data(),
                                           split);
      REQUIRE(out[0] == parts[0][0]);
      REQUIRE(out[1] == parts[0][1]);
    };
    both_parts(k::Simd{});
    both_parts(k::Sparse{});
    both_parts(k::Auto{});
    for (std::size_t i = 0; i < y_ref.size(); ++i) {
      INFO("output " << i);
      if (split == 0) REQUIRE(parts[0][0][i] == b[i % Np]);  // no inputs: the start alone
      REQUIRE(parts[0][0][i] + parts[0][1][i] == Approx(y_ref[i]).margin(1e-4));
    }
  }

  // Gradients accumulate onto a non-zero start, and in two input ranges as threads split them.
  const auto start = dr::test::random_matrix(In, Np, 17);
  auto g_ref = start, g_dense = start, g_sparse = start, g_split = start;
  k::Reference::accumulate_weight_grad<In, Np>(rows, x.data(), In, dz.data(), g_ref.data());
  k::Simd::accumulate_weight_grad<In, Np>(rows, x.data(), In, dz.data(), g_dense.data());
  k::Sparse::accumulate_weight_grad<In, Np>(rows, x.data(), In, dz.data(), g_sparse.data());
  k::Auto::accumulate_weight_grad<In, Np>(rows, x.data(), In, dz.data(), g_split.data(), 0, In / 3);
  k::Auto::accumulate_weight_grad<In, Np>(rows, x.data(), In, dz.data(), g_split.data(), In / 3,
                                          In);
  REQUIRE(g_sparse == g_dense);
  REQUIRE(g_split == g_dense);

  // Overwriting (as the Trainer does) equals accumulating onto zeros, whatever was there.
  std::vector<real> g_zero(In * Np, 0.0f);
  k::Simd::accumulate_weight_grad<In, Np>(rows, x.data(), In, dz.data(), g_zero.data());
  auto g_over_sparse = start, g_over_dense = start, g_over_ref = start;
  k::Sparse::accumulate_weight_grad<In, Np>(rows, x.data(), In, dz.data(), g_over_sparse.data(), 0,
                                            In, true);
  k::Simd::accumulate_weight_grad<In, Np>(rows, x.data(), In, dz.data(), g_over_dense.data(), 0, In,
                                          true);
  k::Reference::accumulate_weight_grad<In, Np>(rows, x.data(), In, dz.data(), g_over_ref.data(), 0,
                                               In, true);
  REQUIRE(g_over_sparse == g_zero);
  REQUIRE(g_over_dense == g_zero);
  for (std::size_t i = 0; i < g_zero.size(); ++i)
    REQUIRE(g_over_ref[i] == Approx(g_zero[i]).margin(1e-4));
  for (std::size_t i = 0; i < g_ref.size(); ++i) {
    INFO("weight gradient " << i);
    REQUIRE(g_sparse[i] == Approx(g_ref[i]).margin(1e-4));
  }

  // By blocks (the Trainer's fused update): each block is final when done() hears of it, and
  // the blocks cover the range in order.
  const auto by_blocks = [&]<class K>(K, std::size_t block) {
    auto g = start, seen = start;  // seen: each block as done() found it
    std::size_t next = In / 3;
    K::template weight_grad_blocks<In, Np>(rows, x.data(), In, dz.data(), g.data(), In / 3, In,
                                           block, [&](std::size_t k0, std::size_t k1) {
                                             REQUIRE(k0 == next);
                                             REQUIRE((k1 > k0 && k1 - k0 <= block));
                                             std::copy(g.begin() + k0 * Np, g.begin() + k1 * Np,
                                                       seen.begin() + k0 * Np);
                                             next = k1;
                                           });
    REQUIRE(next == In);
    REQUIRE(seen == g);
    return g;
  };
  for (std::size_t block : {std::size_t{1}, std::size_t{5}, In}) {
    INFO("block " << block);
    const auto dense = by_blocks(k::Simd{}, block);
    REQUIRE(by_blocks(k::Sparse{}, block) == dense);
    REQUIRE(by_blocks(k::Auto{}, block) == dense);
    const auto ref = by_blocks(k::Reference{}, block);
    for (std::size_t i = 0; i < In * Np; ++i) {
      INFO("weight gradient " << i);
      if (i < In / 3 * Np)
        REQUIRE(dense[i] == start[i]);  // outside the range: untouched
      else
        REQUIRE(dense[i] == g_zero[i]);
      REQUIRE(ref[i] == Approx(dense[i]).margin(1e-4));
    }
  }
}

}  // namespace

TEMPLATE_TEST_CASE_SIG("sparse: equals the dense kernel bit for bit and the reference closely",
                       "[sparse]", ((std::size_t In, std::size_t Out), In, Out), (784, 128),
                       (784, 800), (13, 7), (128, 10)) {
  for (double zeros : {0.0, 0.5, 0.8, 1.0})
    // 64 rows fill one word of a bit set; 130 need three (one partial) and two row blocks.
    for (std::size_t rows : {std::size_t{1}, std::size_t{7}, std::size_t{64}, std::size_t{130}}) {
      INFO("rows " << rows << ", share of zeros " << zeros);
      check_sparse_layer<In, Out>(rows, zeros);
    }
}

TEST_CASE("sparse: the measured density counts exact zeros only", "[sparse]") {
  const std::vector<real> x = {0, 1e-30f, -0.0f, 2, 0, 0, 3, 0};  // 2 rows of 3, stride 4
  CHECK(k::nonzero_fraction(2, 3, x.data(), 4) == Approx(2.0 / 6));
  CHECK(k::nonzero_fraction(0, 3, x.data(), 4) == 0);
}

TEST_CASE("sparse: a network's forward pass on sparse images matches the reference", "[sparse]") {
  using Net = dr::Network<784, 128, 10>;
  auto net = dr::make_network<Net>(4);
  const auto x = sparse_matrix(33, 784, 0.8, 8);
  dr::Workspace<Net> ws_ref(33), ws_auto(33);
  const real* ref = net->forward<k::Reference>(ws_ref, 33, x.data());
  const real* fast = net->forward(ws_auto, 33, x.data());
  for (std::size_t i = 0; i < 33 * Net::last_layer::padded_out; ++i) {
    INFO("logit " << i);
    REQUIRE(fast[i] == Approx(ref[i]).margin(1e-4));
  }
}

TEST_CASE("sparse: bit sets of the non-zero inputs and rows, exactly", "[sparse]") {
  namespace sp = k::sparse;
  // 70 inputs: words of 64 and 6; -0 counts as zero, NaN and a denormal as non-zero.
  std::vector<real> x(70, 0.0f);
  x[0] = 1;
  x[5] = -0.0f;
  x[17] = std::nanf("");
  x[63] = 1e-40f;
  x[64] = -2;
  x[69] = 3;
  std::uint64_t words[2] = {~0ull, ~0ull};
  sp::nonzero_bits(x.data(), 70, words);
  CHECK(words[0] == ((1ull << 0) | (1ull << 17) | (1ull << 63)));
  CHECK(words[1] == ((1ull << 0) | (1ull << 5)));  // bits past input 69 are 0

  // 130 rows of 3 inputs (from input 1 of rows of stride 4): row r has input 1 + (r % 3) set,
  // and row 129 all three. Rows 64 w + i are bit i of word w of each input.
  const std::size_t rows = 130;
  std::vector<real> m(rows * 4, 0.0f);
  for (std::size_t r = 0; r < rows; ++r) m[r * 4 + 1 + r % 3] = real(r + 1);
  for (std::size_t c = 0; c < 4; ++c) m[129 * 4 + c] = 1;
  sp::NonzeroRows nonzero;
  nonzero.collect(rows, m.data(), 4, 1, 3, true);
  REQUIRE(nonzero.words() == 3);
  for (std::size_t k = 0; k < 3; ++k)
    for (std::size_t w = 0; w < 3; ++w) {
      std::uint64_t expected = 0;
      for (std::size_t i = 0; i < 64 && 64 * w + i < rows; ++i) {
        const std::size_t r = 64 * w + i;
        if (r % 3 == k || r == 129) expected |= 1ull << i;
      }
      INFO("input " << k << ", word " << w);
      CHECK(nonzero.input(k)[w] == expected);
    }
  for (std::size_t k = 0; k < 3; ++k)
    for (std::size_t r = 0; r < rows; ++r) CHECK(nonzero.values(k)[r] == m[r * 4 + 1 + k]);
}

TEST_CASE("sparse: the weight gradient's copy of x by input, exactly", "[sparse]") {
  // 130 rows (two whole words and a part) of inputs 3-39 of rows of stride 41: whole blocks of
  // SIMD width by width, transposed by shuffles, and the parts around them element by element.
  const std::size_t rows = 130, stride = 41, first = 3, n = 37;
  std::vector<real> x(rows * stride);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = real(i);
  k::sparse::NonzeroRows nonzero;
  nonzero.collect(rows, x.data(), stride, first, n, true);
  for (std::size_t k = 0; k < n; ++k)
    for (std::size_t r = 0; r < rows; ++r) {
      INFO("input " << k << ", row " << r);
      REQUIRE(nonzero.values(k)[r] == x[r * stride + first + k]);
    }
}
