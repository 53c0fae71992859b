// One training epoch (forward, backward, SGD Nesterov-momentum update) of 784-H-10 over 37,800
// real MNIST rows (Kaggle's 42,000 less a 10% validation hold-out), clean and with the study's
// noise 0.2, for our Trainer and for the same algorithm with OpenBLAS's cblas_sgemm doing the
// GEMMs (the stand-in for PyTorch's CPU path). Names: train/IMPL/H:128/B:64/noise:0.2 (and
// .../T:2 for our Trainer on two threads; our Trainer trains an epoch in one run of steps,
// Trainer::train_batches, as dr::fit does, and .../T:2/steps:one_by_one with a step() per
// batch). The batches (shuffled, converted to floats, noised,
// and for our Trainer on two threads stored as SplitRows, as dr::fit gives them) are made once
// before timing, so the time is the training arithmetic alone. Cases named
// .../x:cached/T:n train every step on the epoch's first batch, which so stays in cache: a
// diagnostic of what fetching each new batch from memory costs one and two threads. Cases named
// .../T:1/cpu:N hold the one thread to CPU N (Linux): how fast each core trains, which bounds
// what two threads can reach. Cases named .../x:gathered/T:n train an epoch with dr::fit, as the
// driver does without augmentation or noise: from the uint8 images, each batch's pixels made into
// floats by the training threads as the step starts (TrainingBatch::fill), so their time also
// holds making the batches, which the other cases do before timing. What is done once before
// the first epoch is not timed: our Trainer reserves its buffers (Trainer::reserve) before
// timing, and the x:gathered cases train two epochs of fit and time the second (its shuffle,
// its steps and fit's return), as the epochs of a run after its first.
// Built with DR_MEASURE_WITHOUT_HANDOVER, as bench_train_bound, it times only the cases of batch 64
// without noise with one thread held to each core and with two threads streaming their rows,
// which then hand nothing over (.../T:2/handover:none): the model is wrong, but the time is what
// a step on two threads costs beyond handing rows over, the bound of any way of doing that.
#include <array>
#include <chrono>
#include <map>
#include <optional>
#include <type_traits>
#include <vector>

#include "bench_support.hpp"
#include "dr/data/batch.hpp"
#include "dr/kernels/auto.hpp"
#include "dr/loss.hpp"
#include "dr/noise.hpp"
#include "dr/optimizer.hpp"
#include "dr/train.hpp"
#include "dr/train_step.hpp"

namespace {

using dr::real;
constexpr std::size_t In = dr::image_pixels, epoch_rows = 37'800;
constexpr real learning_rate = 0.05f;
constexpr bool without_handover = !dr::detail::copies_handed_rows;  // bench_train_bound
constexpr dr::SgdSettings sgd{.momentum = 0.9f, .nesterov = true};

/// An epoch's worth of training rows as floats in a fixed shuffled order, noised if asked: as
/// rows, and as SplitRows cut where our Trainer cuts 784-H-10 (the same for every H).
struct Epoch {
  dr::AlignedBuffer<real> x;
  dr::SplitRowsBuffer split;
  std::vector<std::uint8_t> labels;
  const dr::Dataset* images = nullptr;  ///< where the rows come from, as uint8 pixels
  std::vector<std::uint32_t> order;     ///< the rows of images, in the order of x
};
constexpr std::size_t input_cut =
    dr::Trainer<dr::Network<In, 128, 10>, dr::Sgd<dr::Network<In, 128, 10>>>::input_cut;
const Epoch& epoch_data(real noise) {
  static const dr::Dataset train = bench::mnist("train", epoch_rows);
  static std::map<real, Epoch> cache;
  auto [it, fresh] = cache.try_emplace(noise);
  if (fresh) {
    auto order = dr::all_rows(std::min(epoch_rows, train.rows()));
    dr::Rng rng(7);
    dr::shuffle(order.begin(), order.end(), rng);
    it->second.x.resize(order.size() * In);
    it->second.labels.resize(order.size());
    dr::gather_batch(train, order, it->second.x.data(), it->second.labels.data());
    dr::add_gaussian_noise(it->second.x.span(), noise, rng);
    it->second.split.reset(order.size(), In, input_cut);
    it->second.split.assign(order.size(), it->second.x.data());
    it->second.images = &train;
    it->second.order = std::move(order);
  }
  return it->second;
}

/// The same steps as dr::Trainer (the same loss and optimizer code), with OpenBLAS's GEMMs.
template <class Net>
class BlasTrainer {
  static constexpr std::size_t H = Net::first_layer::out_size, Hp = Net::first_layer::padded_out,
                               Op = Net::last_layer::padded_out;

 public:
  BlasTrainer(Net& net, std::size_t batch)
      : net_(net),
        optimizer_(sgd),
        grad_(dr::make_zeroed<Net>()),
        h_(batch * Hp),
        dh_(batch * Hp),
        z_(batch * Op),
        dz_(batch * Op) {}

  double step(const real* x, const std::uint8_t* labels, std::size_t rows, real lr) {
    auto& l1 = net_.template layer<0>();
    auto& l2 = net_.template layer<1>();
    auto& g1 = grad_->template layer<0>();
    auto& g2 = grad_->template layer<1>();
    using enum CBLAS_TRANSPOSE;
    const auto gemm = [](CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, std::size_t m, std::size_t n,
                         std::size_t k, const real* a, std::size_t lda, const real* b,
                         std::size_t ldb, real* c, std::size_t ldc) {
      cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, 1, a, lda, b, ldb, 0, c, ldc);
    };
    // Forward: h = relu(x W1 + b1), z = h W2 + b2 (weights input-major: In x Np row-major).
    gemm(CblasNoTrans, CblasNoTrans, rows, Hp, In, x, In, l1.weights.data(), Hp, h_.data(), Hp);
    bench::bias_relu(rows, H, l1.bias.data(), h_.data(), Hp, true);
    gemm(CblasNoTrans, CblasNoTrans, rows, Op, H, h_.data(), Hp, l2.weights.data(), Op, z_.data(),
         Op);
    bench::bias_relu(rows, dr::class_count, l2.bias.data(), z_.data(), Op, false);
    const double loss = dr::softmax_cross_entropy<dr::class_count>(rows, z_.data(), Op, labels,
                                                                   dz_.data(), real(1) / rows);
    // Backward: dW2 = h^T dz, dh = (dz W2^T) * relu'(h), dW1 = x^T dh; biases sum the rows.
    gemm(CblasTrans, CblasNoTrans, H, Op, rows, h_.data(), Hp, dz_.data(), Op, g2.weights.data(),
         Op);
    gemm(CblasNoTrans, CblasTrans, rows, H, Op, dz_.data(), Op, l2.weights.data(), Op, dh_.data(),
         Hp);
    for (std::size_t i = 0; i < rows * Hp; ++i) dh_[i] = h_[i] > 0 ? dh_[i] : real(0);
    gemm(CblasTrans, CblasNoTrans, In, Hp, rows, x, In, dh_.data(), Hp, g1.weights.data(), Hp);
    g1.bias = {};
    g2.bias = {};
    for (std::size_t r = 0; r < rows; ++r) {
      for (std::size_t j = 0; j < Hp; ++j) g1.bias[j] += dh_[r * Hp + j];
      for (std::size_t j = 0; j < Op; ++j) g2.bias[j] += dz_[r * Op + j];
    }
    optimizer_.step(net_, *grad_, lr);
    return loss / rows;
  }

 private:
  Net& net_;
  dr::Sgd<Net> optimizer_;
  std::unique_ptr<Net> grad_;
  dr::AlignedBuffer<real> h_, dh_, z_, dz_;
};

template <class Net>
struct Ours {
  dr::Trainer<Net, dr::Sgd<Net>> trainer;
  // Profiled: six clock readings a step, about 0.1% of one at H=128 (a step takes 110 µs).
  Ours(Net& net, std::size_t batch, std::size_t threads, dr::Handover handover)
      : trainer(net, dr::Sgd<Net>(sgd),
                {.threads = threads, .profile = true, .handover = handover}) {
    trainer.reserve(batch);
  }
  /// An epoch in batches of `batch` rows in one run of steps, as dr::fit trains, or with a
  /// step() per batch if `one_by_one`; the rows in the layout the trainer reads fastest (each
  /// step on the first batch if `cached`). Returns the sum of the rows' losses.
  double epoch(benchmark::State&, const Epoch& data, std::size_t batch, bool cached, real lr,
               bool one_by_one) {
    const std::size_t rows = data.labels.size();
    std::size_t start = 0, n = 0;
    const auto next = [&]() -> std::optional<dr::TrainingBatch> {
      if (start == rows) return std::nullopt;
      const std::size_t at = cached ? 0 : start;
      n = std::min(batch, rows - start);
      start += n;
      const real* x = data.x.data() + at * In;
      return dr::TrainingBatch{trainer.prefers_split_rows() ? data.split.view().from_row(at)
                                                            : dr::SplitRows::of_rows(x, In),
                               data.labels.data() + at,
                               n,
                               lr,
                               {}};
    };
    double loss = 0;
    if (one_by_one)
      while (const auto b = next()) loss += trainer.step(b->x, b->labels, b->rows, b->lr) * n;
    else
      trainer.train_batches(batch, next,
                            [&](const dr::StepOutcome& step) { loss += step.loss * n; });
    return loss;
  }
};
template <class Net>
struct Blas {
  BlasTrainer<Net> trainer;
  Blas(Net& net, std::size_t batch, std::size_t, dr::Handover) : trainer(net, batch) {}
  double epoch(benchmark::State&, const Epoch& data, std::size_t batch, bool cached, real lr,
               bool) {
    double loss = 0;
    for (std::size_t start = 0; start < data.labels.size(); start += batch) {
      const std::size_t n = std::min(batch, data.labels.size() - start), at = cached ? 0 : start;
      loss += trainer.step(data.x.data() + at * In, data.labels.data() + at, n, lr) * n;
    }
    return loss;
  }
};

/// An epoch of dr::fit (x:gathered cases): the same rows in an order of its own shuffle. Its
/// second epoch: the first, untimed, also starts fit's threads and allocates its buffers.
template <class Net>
struct Fit {
  Net& net;
  std::size_t threads;
  Fit(Net& net, std::size_t, std::size_t threads, dr::Handover) : net(net), threads(threads) {}
  double epoch(benchmark::State& state, const Epoch& data, std::size_t batch, bool, real lr, bool) {
    const dr::FitOptions options{.epochs = 2, .batch = batch, .threads = threads};
    dr::FitCallbacks callbacks;
    callbacks.on_epoch = [&](const dr::EpochReport& report) {
      if (report.epoch == 1) state.ResumeTiming();
    };
    state.PauseTiming();
    const auto reports = dr::fit(
        net, dr::Sgd<Net>(sgd), [lr](double) { return lr; }, *data.images, data.order, {}, options,
        callbacks);
    return reports.back().loss * double(data.order.size());
  }
};

/// Where the rows of a case's steps come from.
enum class Batches {
  made,      ///< the epoch's batches, made before timing
  cached,    ///< the epoch's first batch, every step (x:cached)
  gathered,  ///< dr::fit's batches, gathered from the uint8 images by its threads (x:gathered)
};

/// What a case varies besides the implementation, size, batch and noise.
struct Case {
  std::size_t threads = 0;  ///< 0: one thread timed by CPU time; n: n threads by the wall clock
  Batches batches = Batches::made;  ///< gathered: the Fit implementation, which gathers them
  bool one_by_one = false;          ///< a Trainer::step() per batch, not one run of steps
  dr::Handover handover = dr::Handover::automatic;
  std::optional<int> cpu;  ///< the CPU the one thread is held to
  std::string suffix;      ///< the name's tail after /T:n
};

template <template <class> class Impl, std::size_t H>
void train_epoch(benchmark::State& state, std::size_t batch, real noise, const Case& c) {
  using Net = dr::Network<784, H, 10>;
  std::optional<bench::HeldToCpu> held;
  if (c.cpu) held.emplace(*c.cpu);
  const std::size_t threads = c.threads;
  const Epoch& data = epoch_data(noise);
  const std::size_t rows = data.labels.size();
  double loss = 0;
  std::vector<std::array<double, dr::step_phases>> phases;
  bool streamed = false;
  for (auto _ : state) {
    state.PauseTiming();
    auto net = dr::make_network<Net>(1);
    Impl<Net> impl(*net, batch, std::max<std::size_t>(1, threads), c.handover);
    state.ResumeTiming();
    loss =
        impl.epoch(state, data, batch, c.batches == Batches::cached, learning_rate, c.one_by_one);
    if constexpr (std::is_same_v<Impl<Net>, Ours<Net>>) {
      phases = impl.trainer.phase_microseconds();
      streamed = impl.trainer.streamed();
    }
  }
  // The cases that name their thread count (/T:n) report how long each thread worked in each
  // phase of a step, in µs: "t1.p3" is thread 1 in phase 3 (the last epoch's mean).
  // Whether the last step's threads streamed the rows they hand each other (Handover).
  if (threads > 1 && std::is_same_v<Impl<Net>, Ours<Net>>) state.counters["streamed"] = streamed;
  if (threads > 0)
    for (std::size_t t = 0; t < phases.size(); ++t)
      for (std::size_t p = 0; p < dr::step_phases; ++p)
        state.counters["t" + std::to_string(t) + ".p" + std::to_string(p + 1)] = phases[t][p];
  using C = benchmark::Counter;
  state.counters["s/epoch"] = C(1, C::kIsIterationInvariantRate | C::kInvert);
  state.counters["images/s"] = C(double(rows), C::kIsIterationInvariantRate);
  // The two implementations must agree closely (x:gathered: the loss of the second epoch).
  state.counters["loss"] = loss / rows;
  // The share of non-zero pixels, which decides how much the sparse kernels can skip.
  state.counters["nonzero"] = dr::kernels::nonzero_fraction(rows, In, data.x.data(), In);
}

template <std::size_t H>
void register_size() {
  for (std::size_t batch : {64, 128})
    for (real noise : {0.0f, 0.2f}) {
      char tail[64];
      std::snprintf(tail, sizeof tail, "/H:%zu/B:%zu/noise:%g", H, batch, double(noise));
      // Threaded cases (names ending /T:n) are timed by the wall clock, the others by CPU time
      // (see bench_forward.cpp).
      auto add = [&](const std::string& impl, auto fn, const Case& c = {}) {
        const char* rows = c.batches == Batches::cached     ? "/x:cached"
                           : c.batches == Batches::gathered ? "/x:gathered"
                                                            : "";
        const std::string name = "train/" + impl + tail + rows +
                                 (c.threads ? "/T:" + std::to_string(c.threads) : "") + c.suffix;
        auto* b = benchmark::RegisterBenchmark(
            name.c_str(), [=](benchmark::State& s) { fn(s, batch, noise, c); });
        b->Unit(benchmark::kMillisecond);
        if (c.threads) bench::threaded(b);
      };
      // One thread on each core in turn: a shared host's cores need not train equally fast.
      const auto add_held_to_each_cpu = [&] {
        for (int cpu : bench::usable_cpus())
          add("ours", train_epoch<Ours, H>,
              {.threads = 1, .cpu = cpu, .suffix = "/cpu:" + std::to_string(cpu)});
      };
      if constexpr (without_handover) {
        if (noise != 0 || batch != 64) continue;
        add("ours", train_epoch<Ours, H>,
            {.threads = 2, .handover = dr::Handover::streamed, .suffix = "/handover:none"});
        add_held_to_each_cpu();
        continue;
      }
      add("ours", train_epoch<Ours, H>);
      add("openblas", train_epoch<Blas, H>);
      if (noise != 0) continue;
      for (std::size_t threads : {1, 2}) add("ours", train_epoch<Ours, H>, {.threads = threads});
      if (batch != 64) continue;
      for (std::size_t threads : {1, 2}) {
        add("ours", train_epoch<Ours, H>, {.threads = threads, .batches = Batches::cached});
        add("ours", train_epoch<Fit, H>, {.threads = threads, .batches = Batches::gathered});
      }
      // Both ways of passing rows between the threads, whatever the automatic choice would be
      // (the host moves the cores; cores/round_trip tells where they were).
      add("ours", train_epoch<Ours, H>,
          {.threads = 2, .handover = dr::Handover::in_place, .suffix = "/handover:in_place"});
      add("ours", train_epoch<Ours, H>,
          {.threads = 2, .handover = dr::Handover::streamed, .suffix = "/handover:streamed"});
      // The threads meeting at the start and end of every step, as before runs of steps.
      add("ours", train_epoch<Ours, H>,
          {.threads = 2, .one_by_one = true, .suffix = "/steps:one_by_one"});
      add_held_to_each_cpu();
    }
}

/// cores/step_sync/T:2: what two threads add to every training step whatever its work: one
/// WorkerPool::run_phases of step_phases empty phases (the pool's start and end, and a barrier
/// between phases), in ns.
void register_step_sync() {
  auto* b = benchmark::RegisterBenchmark("cores/step_sync/T:2", [](benchmark::State& state) {
    static_assert(dr::step_phases == 3, "one empty phase per phase of a training step");
    constexpr int steps = 20'000;
    dr::WorkerPool pool(2);
    const auto nothing = [](std::size_t) {};  // the barriers' atomics keep the phases in place
    double ns = 0;
    for (auto _ : state) {
      const auto start = std::chrono::steady_clock::now();
      for (int i = 0; i < steps; ++i) pool.run_phases(nothing, nothing, nothing);
      ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start)
               .count() /
           steps;
    }
    state.counters["ns"] = ns;
  });
  b->Unit(benchmark::kMillisecond);
  bench::threaded(b);
}

/// noise/IMPL: the study's noise (sd 0.2, clipped) on a batch of 64 grey images, in ns per
/// pixel: `ours` is add_gaussian_noise (kernels/vector_normal.hpp), `libm` the per-pixel
/// Box-Muller on double log and cos with a Mersenne Twister that it replaced (dr::standard_normal).
void register_noise() {
  const auto add = [](const char* name, auto noise) {
    benchmark::RegisterBenchmark(name, [=](benchmark::State& state) {
      std::vector<real> x(64 * In, 0.5f);
      dr::Rng rng(1);
      double ns = 0;
      for (auto _ : state) {
        const auto start = std::chrono::steady_clock::now();
        noise(x, rng);
        benchmark::DoNotOptimize(x.data());
        benchmark::ClobberMemory();
        ns += std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start)
                  .count();
      }
      state.counters["ns/pixel"] = ns / (double(state.iterations()) * double(x.size()));
    });
  };
  add("noise/ours",
      [](std::vector<real>& x, dr::Rng& rng) { dr::add_gaussian_noise(x, 0.2f, rng); });
  add("noise/libm", [](std::vector<real>& x, dr::Rng& rng) {
    for (real& v : x) v = std::clamp(v + 0.2f * dr::standard_normal(rng), real(0), real(1));
  });
}

}  // namespace

int main(int argc, char** argv) {
  // bench_train_bound times only what bench_table.py reads of it: its training cases.
  if constexpr (!without_handover) {
    bench::register_peak();
    register_step_sync();
    register_noise();
  }
  register_size<128>();
  register_size<800>();
  return bench::run(argc, argv);
}
