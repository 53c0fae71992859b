// Augmentations (shift, affine, elastic), the batch producer thread, and what fit() builds on
// them: reproducible augmented training, best-epoch weights, early stopping, checkpoint/resume.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>
#include <stdexcept>
#include <thread>

#include "data_files.hpp"
#include "dr/dr.hpp"

using dr::real;

namespace {

using Image = std::array<std::uint8_t, dr::image_pixels>;
using Pixels = std::array<real, dr::image_pixels>;

/// A filled disc of radius r centred at (cx, cy): a test digit with a known centroid.
Image disc(double cx, double cy, double r) {
  Image img{};
  for (int y = 0; y < 28; ++y)
    for (int x = 0; x < 28; ++x)
      if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r) img[y * 28 + x] = 255;
  return img;
}

Pixels apply(const dr::AugmentSettings& s, const Image& img, std::uint64_t seed) {
  dr::Augmenter augmenter(s);
  dr::Rng rng(seed);
  Pixels out;
  augmenter.apply(img, out.data(), rng);
  return out;
}

double mass(const Pixels& p) {
  return std::accumulate(p.begin(), p.end(), 0.0);
}

std::pair<double, double> centroid(const Pixels& p) {
  double sx = 0, sy = 0;
  for (int k = 0; k < 784; ++k) sx += p[k] * (k % 28), sy += p[k] * (k / 28);
  return {sx / mass(p), sy / mass(p)};
}

dr::AugmentSettings kind(dr::Augmentation k) {
  dr::AugmentSettings s;
  s.kind = k;
  return s;
}

}  // namespace

TEST_CASE("augment: names round-trip and an unknown one is a clear error", "[augment]") {
  for (auto name : dr::augmentation_names)
    REQUIRE(dr::augmentation_name(dr::augmentation_from_name(name)) == name);
  REQUIRE_THROWS_WITH(
      dr::augmentation_from_name("rotate"),
      "unknown augmentation 'rotate' (expected none, shift, affine, elastic or affine+elastic)");
}

TEST_CASE("augment: none scales the pixels to [0, 1] unchanged", "[augment]") {
  const auto data = dr::test::random_dataset(1, 3);
  Image img;
  std::copy_n(data.pixels.begin(), 784, img.begin());
  const auto out = apply(kind(dr::Augmentation::none), img, 1);
  for (int k = 0; k < 784; ++k) REQUIRE(out[k] == img[k] * (real(1) / 255));
}

TEST_CASE("augment: shift moves the whole image by at most 2 pixels, every offset occurring",
          "[augment]") {
  const auto data = dr::test::random_dataset(1, 4);
  Image img;
  std::copy_n(data.pixels.begin(), 784, img.begin());
  std::set<std::pair<int, int>> seen;
  for (std::uint64_t seed = 0; seed < 400; ++seed) {
    const auto out = apply(kind(dr::Augmentation::shift), img, seed);
    int found = 0;
    for (int dy = -2; dy <= 2; ++dy)
      for (int dx = -2; dx <= 2; ++dx) {
        bool match = true;
        for (int y = 0; y < 28 && match; ++y)
          for (int x = 0; x < 28 && match; ++x) {
            const int sx = x - dx, sy = y - dy;
            const real want = sx >= 0 && sy >= 0 && sx < 28 && sy < 28
                                  ? img[sy * 28 + sx] * (real(1) / 255)
                                  : real(0);
            match = out[y * 28 + x] == want;
          }
        if (match) seen.insert({dx, dy}), ++found;
      }
    REQUIRE(found == 1);
  }
  REQUIRE(seen.size() == 25);
}

TEST_CASE("augment: affine and elastic with zero ranges are the identity", "[augment]") {
  const auto data = dr::test::random_dataset(1, 5);
  Image img;
  std::copy_n(data.pixels.begin(), 784, img.begin());
  auto s = kind(dr::Augmentation::affine);
  s.max_rotation_degrees = s.max_scale = s.max_shear = s.max_translation = 0;
  auto e = kind(dr::Augmentation::elastic);
  e.elastic_alpha = 0;
  for (const auto& settings : {s, e}) {
    const auto out = apply(settings, img, 9);
    for (int k = 0; k < 784; ++k) REQUIRE(out[k] == Approx(img[k] / 255.0).margin(1e-6));
  }
}

TEST_CASE("augment: the affine resampling is each pixel's bilinear sample, exactly", "[augment]") {
  // Augmenter resamples a vector of pixels at a time (kernels/bilinear.hpp); each must be
  // detail::sample_bilinear at the pixel's source position. The extreme settings move pixels
  // beyond every border (a zero outside), onto the border's neighbours and between them.
  auto usual = kind(dr::Augmentation::affine);
  auto extreme = usual;
  extreme.max_rotation_degrees = 180;
  extreme.max_scale = 0.9f;
  extreme.max_shear = 1;
  extreme.max_translation = 30;
  const auto data = dr::test::random_dataset(40, 3);
  std::size_t zeros_outside = 0;
  for (const auto& settings : {usual, extreme})
    for (std::size_t i = 0; i < data.rows(); ++i) {
      Image img;
      std::copy_n(data.pixels.begin() + i * 784, 784, img.begin());
      for (int k = 0; k < 784; k += 5) img[k] = 255;  // no pixel of value 0 by chance alone
      const auto out = apply(settings, img, 100 + i);
      dr::Rng rng(100 + i);
      const auto m = dr::detail::AffineMap::draw(settings, rng);
      for (int y = 0; y < 28; ++y)
        for (int x = 0; x < 28; ++x) {
          const real px = x - dr::detail::image_centre, py = y - dr::detail::image_centre;
          const real sx = m.a * px + m.b * py + m.tx + dr::detail::image_centre;
          const real sy = m.c * px + m.d * py + m.ty + dr::detail::image_centre;
          const real expected = dr::detail::sample_bilinear(img, sx, sy);
          INFO("image " << i << ", pixel (" << x << ", " << y << ") from (" << sx << ", " << sy
                        << ")");
          REQUIRE(out[y * 28 + x] == expected);
          zeros_outside += expected == 0 && (sx < -1 || sy < -1 || sx >= 28 || sy >= 28);
        }
    }
  REQUIRE(zeros_outside > 1000);
}

TEST_CASE("augment: the elastic field's smoothing is G F G^T, summed in order", "[augment]") {
  // smooth_field keeps rows of outputs in registers; each output must still be the sum over k
  // in ascending order that the plain loops give.
  dr::detail::GaussianBand band;
  band.build(4);
  dr::Rng rng(5);
  std::array<real, dr::image_pixels> field;
  for (real& v : field) v = dr::uniform(rng, -1, 1);
  const auto g = [&](int i, int j) { return band.at(i, j); };
  std::array<real, dr::image_pixels> rows{}, expected{};
  for (int y = 0; y < 28; ++y)
    for (int k = 0; k < 28; ++k)
      for (int x = 0; x < 28; ++x) rows[y * 28 + x] += field[y * 28 + k] * g(k, x);
  for (int y = 0; y < 28; ++y)
    for (int k = 0; k < 28; ++k)
      for (int x = 0; x < 28; ++x) expected[y * 28 + x] += (34 * g(y, k)) * rows[k * 28 + x];
  dr::detail::smooth_field(band, field, 34);
  REQUIRE(field == expected);
  REQUIRE(g(0, 0) > g(0, 1));
  REQUIRE(g(0, 1) == g(1, 0));
}

TEST_CASE("augment: a rotation keeps a centred disc's ink and centroid, and a translation moves it",
          "[augment]") {
  const auto img = disc(13.5, 13.5, 7);
  const Pixels original = apply(kind(dr::Augmentation::none), img, 0);
  auto rotate = kind(dr::Augmentation::affine);
  rotate.max_scale = rotate.max_shear = rotate.max_translation = 0;
  rotate.max_rotation_degrees = 45;
  auto translate = rotate;
  translate.max_rotation_degrees = 0;
  translate.max_translation = 2;
  double moved = 0;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    const auto r = apply(rotate, img, seed);
    REQUIRE(mass(r) == Approx(mass(original)).epsilon(0.03));
    REQUIRE(centroid(r).first == Approx(13.5).margin(0.05));
    REQUIRE(centroid(r).second == Approx(13.5).margin(0.05));
    const auto t = apply(translate, img, seed);
    REQUIRE(mass(t) == Approx(mass(original)).epsilon(0.03));
    moved = std::max(moved, std::hypot(centroid(t).first - 13.5, centroid(t).second - 13.5));
    REQUIRE(std::abs(centroid(t).first - 13.5) <= 2.05);
  }
  REQUIRE(moved > 1);
}

TEST_CASE("augment: elastic distortion bends a digit but keeps its ink, within [0, 1], by seed",
          "[augment]") {
  const auto img = disc(13.5, 13.5, 6);
  const Pixels original = apply(kind(dr::Augmentation::none), img, 0);
  const auto settings = kind(dr::Augmentation::elastic);
  const auto a = apply(settings, img, 1), b = apply(settings, img, 1), c = apply(settings, img, 2);
  REQUIRE(a == b);
  REQUIRE(a != c);
  double changed = 0;
  for (int k = 0; k < 784; ++k) {
    REQUIRE(a[k] >= 0);
    REQUIRE(a[k] <= 1);
    changed += std::abs(a[k] - original[k]);
  }
  REQUIRE(mass(a) == Approx(mass(original)).epsilon(0.2));
  // A displacement of about a pixel moves the disc's rim (about 38 pixels long) noticeably.
  REQUIRE(changed > 5);
  REQUIRE(changed < 0.5 * mass(original));
}

TEST_CASE("batch producer: threads give the same batches as inline and pass errors on",
          "[augment]") {
  auto fill = [](std::size_t i, dr::BatchSlot& slot, std::size_t) {
    slot.rows = i % 3 + 1;
    for (std::size_t k = 0; k < slot.rows * 2; ++k) slot.x[k] = real(i * 10 + k);
  };
  dr::BatchProducer inline_producer(50, 3, 2, fill, 0);
  dr::BatchProducer one(50, 3, 2, fill, 1, 3);
  dr::BatchProducer three(50, 3, 2, fill, 3);
  for (int i = 0; i < 50; ++i) {
    const auto& a = inline_producer.next();
    for (auto* threaded : {&one, &three}) {
      const auto& b = threaded->next();
      REQUIRE(a.rows == b.rows);
      REQUIRE(std::equal(a.x.data(), a.x.data() + a.rows * 2, b.x.data()));
    }
  }
  // The batch before the last one stays as it was: a Trainer finishes its step while it takes
  // the next batch. (The sleep gives threaded producers time to overwrite it if they would.)
  for (std::size_t workers : {0, 1, 3}) {
    dr::BatchProducer producer(50, 3, 2, fill, workers, 3);
    const dr::BatchSlot* previous = nullptr;
    for (int i = 0; i < 50; ++i) {
      const dr::BatchSlot& batch = producer.next();
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      if (previous) REQUIRE(previous->x[0] == real((i - 1) * 10));
      REQUIRE(batch.x[0] == real(i * 10));
      previous = &batch;
    }
  }
  // Producers one after another in the caller's slots (dr::fit makes one an epoch) give the
  // same batches and allocate no buffer after the first.
  std::vector<dr::BatchSlot> kept;
  for (std::size_t workers : {3, 0, 1}) {
    dr::BatchProducer fresh(50, 3, 2, fill, workers);
    dr::BatchProducer reusing(50, 3, 2, fill, workers, kept);
    for (int i = 0; i < 50; ++i) {
      const auto& a = fresh.next();
      const auto& b = reusing.next();
      REQUIRE(a.rows == b.rows);
      REQUIRE(std::equal(a.x.data(), a.x.data() + a.rows * 2, b.x.data()));
    }
  }
  REQUIRE(kept.size() == 8);  // two per worker of three and two the caller holds
  const real* first_buffer = kept[0].x.data();
  {
    dr::BatchProducer again(50, 3, 2, fill, 2, kept);
    REQUIRE(&again.next() == &kept[0]);
  }
  REQUIRE(kept.size() == 8);
  REQUIRE(kept[0].x.data() == first_buffer);
  {
    dr::BatchProducer larger(5, 4, 2, fill, 0, kept);  // rows of 4 need larger buffers
    REQUIRE(larger.next().x.size() == 8);
  }
  std::vector<std::atomic<int>> by_worker(3);
  auto count_workers = [&](std::size_t, dr::BatchSlot&, std::size_t worker) {
    ++by_worker[worker];
  };
  {
    dr::BatchProducer counted(30, 1, 1, count_workers, 3);
    for (int i = 0; i < 30; ++i) counted.next();
  }
  for (auto& n : by_worker) REQUIRE(n == 10);  // worker w filled batches w, w + 3, ...
  for (std::size_t workers : {1, 2, 3}) {
    // Batch 2 fails (and, on two workers, batch 5 too): the batches before it still arrive.
    dr::BatchProducer failing(
        8, 1, 1,
        [](std::size_t i, dr::BatchSlot&, std::size_t) {
          if (i == 2 || i == 5) throw std::runtime_error("fill " + std::to_string(i) + " failed");
        },
        workers);
    failing.next();
    failing.next();
    REQUIRE_THROWS_WITH(failing.next(), "fill 2 failed");
  }
}

namespace {

using SmallNet = dr::Network<784, 16, 10>;

struct Run {
  std::unique_ptr<SmallNet> net;
  std::vector<dr::EpochReport> reports;
};

/// Trains SmallNet on random digits with SGD (or Adam); `stop_after` > 0 interrupts after that
/// epoch (as a killed process would, with the checkpoint of that epoch on disk).
Run train_small(const dr::FitOptions& options, std::size_t validation = 0,
                std::size_t stop_after = 0, bool adam = false) {
  static const auto data = dr::test::random_dataset(300, 21);
  const auto rows = dr::all_rows(data.rows());
  const auto train = std::span(rows).first(rows.size() - validation);
  const auto held = std::span(rows).last(validation);
  Run run{dr::make_network<SmallNet>(options.seed), {}};
  dr::FitCallbacks callbacks;
  callbacks.on_epoch = [&](const dr::EpochReport& r) {
    if (r.epoch == stop_after) throw std::runtime_error("interrupted");
  };
  const auto fit = [&](auto optimizer, real lr) {
    return dr::fit(*run.net, std::move(optimizer), dr::CosineLr{lr, double(options.epochs), 1},
                   data, train, held, options, callbacks);
  };
  run.reports = adam ? fit(dr::Adam<SmallNet>({.weight_decay = 0.01f}), 1e-3f)
                     : fit(dr::Sgd<SmallNet>({.momentum = 0.9f, .nesterov = true}), 0.05f);
  return run;
}

dr::FitOptions small_options(dr::Augmentation augment) {
  dr::FitOptions o;
  o.epochs = 4;
  o.batch = 32;
  o.seed = 5;
  o.augment.kind = augment;
  return o;
}

}  // namespace

TEST_CASE("fit: augmented training is reproducible by seed despite the producer thread",
          "[augment]") {
  for (auto k : {dr::Augmentation::shift, dr::Augmentation::elastic}) {
    const auto a = train_small(small_options(k)), b = train_small(small_options(k));
    REQUIRE(*a.net == *b.net);
    auto other = small_options(k);
    other.seed = 6;
    REQUIRE_FALSE(*a.net == *train_small(other).net);
  }
}

TEST_CASE("fit: the model does not depend on the thread count, whatever makes the batches",
          "[augment][threads]") {
  // Two threads or more train on batches in two column blocks (SplitRows): gathered straight
  // into them, or made as rows (augmented, noised) and copied. An adversarial perturbation
  // keeps the rows. One thread trains on rows.
  auto options = small_options(GENERATE(dr::Augmentation::none, dr::Augmentation::shift));
  options.noise = GENERATE(0.0f, 0.2f);
  const bool perturbed = GENERATE(false, true);
  if (perturbed)
    options.perturb_batch = [](real* x, const std::uint8_t*, std::size_t rows) {
      for (std::size_t i = 0; i < rows * dr::image_pixels; i += 7) x[i] = 1 - x[i];
    };
  INFO("augmentation " << int(options.augment.kind) << ", noise " << options.noise
                       << (perturbed ? ", perturbed" : ""));
  options.threads = 1;
  const auto one = train_small(options);
  for (std::size_t threads : {2, 4}) {
    INFO("threads " << threads);
    options.threads = threads;
    const auto many = train_small(options);
    REQUIRE(*many.net == *one.net);
    REQUIRE(many.reports.back().loss == one.reports.back().loss);
  }
}

TEST_CASE("fit: resuming from the checkpoint gives the model of an uninterrupted run",
          "[augment][checkpoint]") {
  dr::test::TempDir dir;
  auto options = small_options(dr::Augmentation::affine);
  options.noise = 0.1f;
  options.checkpoint = dir / "run.checkpoint";
  // Adam's moments and step count, and dropout's masks (drawn by step), must resume too.
  const bool adam = GENERATE(false, true);
  options.dropout = GENERATE(0.0f, 0.25f);
  INFO((adam ? "adam" : "sgd") << ", dropout " << options.dropout);
  const auto whole = train_small(options, 60, 0, adam);
  std::filesystem::remove(options.checkpoint);

  // The interrupted run used four threads (two making batches, two training), the others one
  // (one making batches, one training): the result does not depend on it.
  options.threads = 4;
  REQUIRE_THROWS_WITH(train_small(options, 60, 2, adam), "interrupted");
  REQUIRE(std::filesystem::exists(options.checkpoint));
  options.threads = 1;
  options.resume = true;
  const auto resumed = train_small(options, 60, 0, adam);
  REQUIRE(*resumed.net == *whole.net);
  REQUIRE(resumed.reports.size() == whole.reports.size());
  REQUIRE(resumed.reports.back().loss == whole.reports.back().loss);

  SECTION("a checkpoint of other settings is refused, naming the file") {
    options.seed = 99;
    REQUIRE_THROWS_WITH(
        train_small(options, 60),
        Catch::Contains("run.checkpoint: the checkpoint is of another training run"));
  }
  SECTION("a damaged checkpoint is refused") {
    auto bytes = dr::read_file_bytes(options.checkpoint);
    bytes[bytes.size() / 2] ^= 1;
    dr::write_file_atomically(options.checkpoint, std::span<const std::uint8_t>(bytes));
    REQUIRE_THROWS_WITH(train_small(options, 60), Catch::Contains("checksum mismatch"));
  }
}

TEST_CASE("fit: a run that diverges leaves no checkpoint to resume", "[augment][checkpoint]") {
  dr::test::TempDir dir;
  auto options = small_options(dr::Augmentation::none);
  options.checkpoint = dir / "run.checkpoint";
  dr::FitCallbacks callbacks;
  std::size_t checkpoints = 0;
  callbacks.on_epoch = [&](const dr::EpochReport&) {
    checkpoints += std::filesystem::exists(options.checkpoint);
  };
  static const auto data = dr::test::random_dataset(300, 21);
  const auto rows = dr::all_rows(data.rows());
  auto net = dr::make_network<SmallNet>(options.seed);
  // Two good epochs, each leaving a checkpoint, then a rate that blows the weights up.
  const auto schedule = [](double epoch) {
    return epoch < 2 ? real(0.05) : std::numeric_limits<real>::infinity();
  };
  REQUIRE_THROWS_WITH(
      dr::fit(*net, dr::Sgd<SmallNet>(), schedule, data, rows, {}, options, callbacks),
      Catch::StartsWith("training diverged in epoch 3 (loss ") &&
          Catch::EndsWith(") at learning rate inf; try a smaller --lr"));
  REQUIRE(checkpoints == 2);
  REQUIRE_FALSE(std::filesystem::exists(options.checkpoint));
}

TEST_CASE("fit: with validation the model keeps the best epoch, and patience stops early",
          "[augment]") {
  auto options = small_options(dr::Augmentation::none);
  options.epochs = 12;
  const auto run = train_small(options, 100);
  double best = 0;
  for (const auto& r : run.reports) best = std::max(best, *r.validation_accuracy);
  static const auto data = dr::test::random_dataset(300, 21);
  const auto rows = dr::all_rows(data.rows());
  REQUIRE(dr::evaluate(*run.net, data, std::span(rows).last(100)).accuracy() == best);

  // Random labels: validation accuracy wanders, so some epoch stays best for 2 more epochs.
  options.patience = 2;
  const auto stopped = train_small(options, 100);
  REQUIRE(stopped.reports.size() < options.epochs);
  std::size_t best_epoch = 0;
  for (const auto& r : stopped.reports)
    if (*r.validation_accuracy >
        (best_epoch ? *stopped.reports[best_epoch - 1].validation_accuracy : -1))
      best_epoch = r.epoch;
  REQUIRE(stopped.reports.size() - best_epoch == options.patience);
}
