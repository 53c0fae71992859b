// Images per second of each augmentation on one core, on MNIST digits (or random pixels when
// data/mnist is absent): what the batch producer thread must sustain to keep training fed.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "dr/augment.hpp"
#include "dr/data/load.hpp"

namespace {

const dr::Dataset& digits() {
  static const dr::Dataset data = [] {
    const auto file = std::filesystem::path(DR_SOURCE_DIR) / "data/mnist/t10k-images-idx3-ubyte";
    if (std::filesystem::exists(file)) return dr::load_dataset(file);
    dr::Dataset random;
    dr::Rng rng(1);
    random.pixels.resize(1000 * dr::image_pixels);
    for (auto& p : random.pixels) p = static_cast<std::uint8_t>(dr::uniform_index(rng, 256));
    return random;
  }();
  return data;
}

void BM_Augment(benchmark::State& state) {
  dr::AugmentSettings settings;
  settings.kind = static_cast<dr::Augmentation>(state.range(0));
  dr::Augmenter augmenter(settings);
  dr::Rng rng(7);
  std::array<dr::real, dr::image_pixels> out;
  const auto& data = digits();
  std::size_t row = 0;
  for (auto _ : state) {
    augmenter.apply(data.image(row), out.data(), rng);
    benchmark::DoNotOptimize(out.data());
    row = (row + 1) % data.rows();
  }
  state.SetLabel(std::string(dr::augmentation_name(settings.kind)));
  state.counters["images/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Augment)->DenseRange(0, 3);

}  // namespace

BENCHMARK_MAIN();
