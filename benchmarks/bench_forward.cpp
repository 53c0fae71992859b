// The forward pass (affine, ReLU, affine, softmax) of 784-H-10 on real MNIST test images, for
// our kernels, the scalar reference, Eigen 3 and OpenBLAS, side by side in one binary.
// Names: forward/IMPL/H:128/B:256 (and .../T:2 for our path split over two threads).
// Counters: images/s, GFLOP/s of the dense FLOPs, and % of the FMA peak measured by peak/fma.
#define EIGEN_STACK_ALLOCATION_LIMIT 0  // fixed-size weight matrices, held on the heap
#include <Eigen/Dense>

#include "bench_support.hpp"
#include "dr/data/batch.hpp"
#include "dr/kernels/auto.hpp"
#include "dr/loss.hpp"
#include "dr/network.hpp"
#include "dr/parallel.hpp"

namespace {

using dr::real;
constexpr std::size_t In = dr::image_pixels, Classes = dr::class_count;

/// The test images as floats in [0, 1], converted once so every implementation reads the same.
const dr::AlignedBuffer<real>& test_images() {
  static const dr::AlignedBuffer<real> x = [] {
    const dr::Dataset d = bench::mnist("t10k", 10000);
    dr::AlignedBuffer<real> buf(d.rows() * In);
    dr::gather_batch(d, dr::all_rows(d.rows()), buf.data());
    return buf;
  }();
  return x;
}
std::size_t test_rows() {
  return test_images().size() / In;
}

/// The network every implementation computes, with Eigen's copy of its weights.
template <std::size_t H>
struct Model {
  using Net = dr::Network<784, H, 10>;
  static constexpr std::size_t Hp = Net::first_layer::padded_out, Op = Net::last_layer::padded_out;
  std::unique_ptr<Net> net = dr::make_network<Net>(1);
  std::unique_ptr<Eigen::Matrix<float, H, 784>> w1 =
      std::make_unique<Eigen::Matrix<float, H, 784>>();
  Eigen::Matrix<float, H, 1> b1;
  std::unique_ptr<Eigen::Matrix<float, 10, H>> w2 = std::make_unique<Eigen::Matrix<float, 10, H>>();
  Eigen::Matrix<float, 10, 1> b2;

  Model() {
    auto& l1 = net->template layer<0>();
    auto& l2 = net->template layer<1>();
    dr::Rng rng(2);  // non-zero biases, so that adding them is real work
    for (std::size_t j = 0; j < H; ++j) l1.bias[j] = dr::uniform(rng, -0.1f, 0.1f);
    for (std::size_t j = 0; j < H; ++j) {
      b1(j) = l1.bias[j];
      for (std::size_t k = 0; k < In; ++k) (*w1)(j, k) = l1.weight(j, k);
    }
    for (std::size_t j = 0; j < 10; ++j) {
      b2(j) = l2.bias[j];
      for (std::size_t k = 0; k < H; ++k) (*w2)(j, k) = l2.weight(j, k);
    }
  }
  static const Model& get() {
    static const Model m;
    return m;
  }
};

/// Softmax of `rows` rows of logits (row stride ld) into p: the last step of every pass.
void softmax_rows(std::size_t rows, const real* logits, std::size_t ld, real* p) {
  for (std::size_t r = 0; r < rows; ++r) dr::softmax<Classes>(logits + r * ld, p + r * Classes);
}

template <std::size_t H, class Kernel>
struct Ours {
  using M = Model<H>;
  std::vector<dr::Workspace<typename M::Net>> ws;
  std::vector<real> p;
  dr::WorkerPool pool;
  Ours(std::size_t batch, std::size_t threads) : ws(threads), p(batch * Classes), pool(threads) {
    for (auto& w : ws) w.reserve(batch);
  }
  void operator()(const real* x, std::size_t batch) {
    const auto& net = *M::get().net;
    pool.run([&](std::size_t t) {
      const dr::Range part = dr::part_of(batch, pool.size(), t);
      const real* logits = net.template forward<Kernel>(ws[t], part.size(), x + part.begin * In);
      softmax_rows(part.size(), logits, M::Op, p.data() + part.begin * Classes);
    });
  }
};

template <std::size_t H>
struct Blas {
  using M = Model<H>;
  dr::AlignedBuffer<real> h, z;
  std::vector<real> p;
  Blas(std::size_t batch, std::size_t) : h(batch * M::Hp), z(batch * M::Op), p(batch * Classes) {}
  void operator()(const real* x, std::size_t batch) {
    const auto& l1 = M::get().net->template layer<0>();
    const auto& l2 = M::get().net->template layer<1>();
    // Our weights are input-major (In x Np, row-major): exactly B's layout in x W.
    if (batch == 1) {
      cblas_sgemv(CblasRowMajor, CblasTrans, In, M::Hp, 1, l1.weights.data(), M::Hp, x, 1, 0,
                  h.data(), 1);
    } else {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, batch, M::Hp, In, 1, x, In,
                  l1.weights.data(), M::Hp, 0, h.data(), M::Hp);
    }
    bench::bias_relu(batch, H, l1.bias.data(), h.data(), M::Hp, true);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, batch, M::Op, H, 1, h.data(), M::Hp,
                l2.weights.data(), M::Op, 0, z.data(), M::Op);
    bench::bias_relu(batch, Classes, l2.bias.data(), z.data(), M::Op, false);
    softmax_rows(batch, z.data(), M::Op, p.data());
  }
};

template <std::size_t H>
struct EigenImpl {
  using M = Model<H>;
  Eigen::Matrix<float, H, Eigen::Dynamic> h;
  Eigen::Matrix<float, 10, Eigen::Dynamic> z;
  Eigen::Matrix<float, H, 1> h1;
  Eigen::Matrix<float, 10, 1> z1;
  std::vector<real> p;
  EigenImpl(std::size_t batch, std::size_t) : h(H, batch), z(10, batch), p(batch * Classes) {}
  void operator()(const real* x, std::size_t batch) {
    const M& m = M::get();
    if (batch == 1) {  // all fixed-size: Eigen's best case
      Eigen::Map<const Eigen::Matrix<float, 784, 1>> x1(x);
      h1.noalias() = *m.w1 * x1;
      h1 = (h1 + m.b1).cwiseMax(0.0f);
      z1.noalias() = *m.w2 * h1;
      z1 += m.b2;
      softmax_rows(1, z1.data(), Classes, p.data());
      return;
    }
    Eigen::Map<const Eigen::Matrix<float, 784, Eigen::Dynamic>> xs(x, 784, batch);
    h.noalias() = *m.w1 * xs;
    h = (h.colwise() + m.b1).cwiseMax(0.0f);
    z.noalias() = *m.w2 * h;
    z.colwise() += m.b2;
    softmax_rows(batch, z.data(), Classes, p.data());
  }
};

template <class Impl, std::size_t H>
void forward(benchmark::State& state, std::size_t batch, std::size_t threads) {
  const real* images = test_images().data();
  const std::size_t windows = test_rows() / batch;  // each pass takes the next window of images
  Impl impl(batch, threads);
  std::size_t w = 0;
  for (auto _ : state) {
    impl(images + (w % windows) * batch * In, batch);
    benchmark::ClobberMemory();
    ++w;
  }
  const double flops = 2.0 * (In * H + H * Classes) * double(batch);
  using C = benchmark::Counter;
  state.counters["images/s"] = C(double(batch), C::kIsIterationInvariantRate);
  state.counters["GFLOP/s"] = C(flops / 1e9, C::kIsIterationInvariantRate);
  state.counters["pct_peak"] =
      C(flops / 1e9 / bench::fma_peak_gflops() * 100, C::kIsIterationInvariantRate);
}

template <std::size_t H>
void register_size() {
  namespace k = dr::kernels;
  for (std::size_t batch : {1, 64, 256, 4096}) {
    const std::string tail = "/H:" + std::to_string(H) + "/B:" + std::to_string(batch);
    // Threaded cases (names ending /T:n) are timed by the wall clock, since one thread's CPU
    // time says nothing about two; the others by CPU time, which other users of a shared
    // machine disturb less.
    auto add = [&](const std::string& impl, auto fn, std::size_t threads = 0) {
      const std::string name =
          "forward/" + impl + tail + (threads ? "/T:" + std::to_string(threads) : "");
      auto* b = benchmark::RegisterBenchmark(name.c_str(), [=](benchmark::State& s) {
        fn(s, batch, std::max<std::size_t>(1, threads));
      });
      b->Unit(benchmark::kMicrosecond);
      if (threads) bench::threaded(b);
    };
    if (batch <= 256) add("reference", forward<Ours<H, k::Reference>, H>);
    add("ours", forward<Ours<H, k::Simd>, H>);
    add("ours_sparse", forward<Ours<H, k::Sparse>, H>);
    add("ours_auto", forward<Ours<H, k::Auto>, H>);
    add("eigen", forward<EigenImpl<H>, H>);
    add("openblas", forward<Blas<H>, H>);
    if (batch == 256)
      for (std::size_t threads : {1, 2}) {
        add("ours", forward<Ours<H, k::Simd>, H>, threads);
        add("ours_sparse", forward<Ours<H, k::Sparse>, H>, threads);
      }
  }
}

/// The first layer alone, dense against sparse kernel, on 64 rows of random inputs of a given
/// density: the forward pass (layer1/...) and the weight gradient as the Trainer computes it
/// (grad1/...). Where the two cross is where kernels::Auto switches (Auto::sparse_below).
template <std::size_t H, class Kernel, bool Gradient>
void first_layer(benchmark::State& state, double density) {
  using Layer = dr::Dense<In, H, dr::Relu>;
  constexpr std::size_t rows = 64, Np = Layer::padded_out;
  auto layer = std::make_unique<Layer>(), grad = std::make_unique<Layer>();
  dr::Rng rng(3);
  layer->initialize(rng);
  dr::AlignedBuffer<real> x(rows * In), y(rows * Np), dz(rows * Np);
  for (std::size_t i = 0; i < x.size(); ++i)
    x[i] = dr::uniform01(rng) < density ? 1 - dr::uniform01(rng) : real(0);
  for (std::size_t i = 0; i < dz.size(); ++i) dz[i] = dr::uniform01(rng) - real(0.5);
  for (auto _ : state) {
    if constexpr (Gradient)
      Kernel::template weight_grad_blocks<In, Np>(rows, x.data(), In, dz.data(),
                                                  grad->weights.data(), 0, In, In,
                                                  [](std::size_t, std::size_t) {});
    else
      layer->template forward<Kernel>(rows, x.data(), In, y.data());
    benchmark::ClobberMemory();
  }
  state.counters["images/s"] =
      benchmark::Counter(rows, benchmark::Counter::kIsIterationInvariantRate);
}

template <std::size_t H>
void register_density_sweep() {
  namespace k = dr::kernels;
  for (double density : {0.2, 0.4, 0.6, 0.7, 0.8, 0.9}) {
    char tail[48];
    std::snprintf(tail, sizeof tail, "/H:%zu/density:%.1f", H, density);
    const auto add = [&](const char* name, void (*fn)(benchmark::State&, double)) {
      benchmark::RegisterBenchmark((std::string(name) + tail).c_str(), [=](benchmark::State& s) {
        fn(s, density);
      })->Unit(benchmark::kMicrosecond);
    };
    add("layer1/dense", first_layer<H, k::Simd, false>);
    add("layer1/sparse", first_layer<H, k::Sparse, false>);
    add("grad1/dense", first_layer<H, k::Simd, true>);
    add("grad1/sparse", first_layer<H, k::Sparse, true>);
  }
}

}  // namespace

int main(int argc, char** argv) {
  bench::register_peak();
  register_size<128>();
  register_size<800>();
  register_density_sweep<128>();
  register_density_sweep<800>();
  return bench::run(argc, argv);
}
