// Threads: the pool runs each task once and passes exceptions on; training and inference give
// the same bits with any thread count (the guarantee stated in train_step.hpp).
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <limits>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include "dr/dr.hpp"
#include "dr/kernels/stream.hpp"
#include "dr/parallel.hpp"
#include "support/random_data.hpp"
#include "support/synthetic_digits.hpp"

namespace {

using dr::real;
using Net = dr::Network<784, 48, 10>;

/// Trains a fresh network for `steps` steps of `rows` rows on T threads, given the batches as
/// rows or as SplitRows, the threads passing rows as `handover` says, a step() per batch or,
/// given `in_a_row`, all in one train_batches; returns it and the losses and counts right. Given
/// `filled` (in a row), each batch's rows start as NaN and the trainer's threads fill them
/// (TrainingBatch::fill), which must write each of the batch's floats once.
template <class Net = Net>
std::pair<std::unique_ptr<Net>, std::vector<double>> train(
    std::size_t threads, std::size_t rows, int steps, real dropout = 0, bool split = false,
    dr::Handover handover = dr::Handover::automatic,
    std::optional<dr::NextBatch> in_a_row = std::nullopt, bool filled = false) {
  const auto data = dr::test::synthetic_digits(rows * steps, 21);
  const std::size_t all = rows * steps;
  std::vector<real> x(all * dr::image_pixels);
  dr::gather_batch(data, dr::all_rows(all), x.data());
  auto net = dr::make_network<Net>(6);
  dr::Trainer trainer(*net, dr::Sgd<Net>({.momentum = 0.9f, .nesterov = true}),
                      {.label_smoothing = 0.1f,
                       .dropout = dropout,
                       .seed = 3,
                       .threads = threads,
                       .handover = handover});
  REQUIRE(trainer.threads() == threads);
  REQUIRE(trainer.prefers_split_rows() == (threads > 1));
  dr::SplitRowsBuffer blocks;
  blocks.reset(all, dr::image_pixels, trainer.input_cut);
  blocks.assign(all, x.data());
  std::vector<double> losses;
  if (in_a_row) {
    // Filled: the rows fill() copies from `source`, while the batches' rows start as NaN.
    std::vector<real> source;
    std::vector<int> writes;  // of each float by fill()
    std::mutex writing;
    if (filled) {
      source = x;
      writes.resize(x.size());
      std::fill(x.begin(), x.end(), std::numeric_limits<real>::quiet_NaN());
      blocks.assign(all, x.data());
    }
    const auto fill = [&](std::size_t at, dr::Range part, dr::Range inputs) {
      const std::lock_guard lock(writing);
      for (std::size_t r = at + part.begin; r < at + part.end; ++r) {
        const real* from = source.data() + r * dr::image_pixels;
        for (std::size_t k = inputs.begin; k < inputs.end; ++k) ++writes[r * dr::image_pixels + k];
        std::copy(from + inputs.begin, from + inputs.end,
                  x.data() + r * dr::image_pixels + inputs.begin);
        blocks.set_inputs(r, inputs, [from](std::size_t k) { return from[k]; });
      }
    };
    int s = 0;
    trainer.train_batches(
        rows,
        [&]() -> std::optional<dr::TrainingBatch> {
          if (s == steps) return std::nullopt;
          const std::size_t at = s++ * rows;
          const real* p = x.data() + at * dr::image_pixels;
          dr::TrainingBatch batch{
              split ? blocks.view().from_row(at) : dr::SplitRows::of_rows(p, dr::image_pixels),
              data.labels.data() + at,
              rows,
              0.05f,
              {}};
          if (filled) batch.fill = [&fill, at](dr::Range r, dr::Range k) { fill(at, r, k); };
          return batch;
        },
        [&](const dr::StepOutcome& o) {
          losses.push_back(o.loss);
          losses.push_back(double(o.correct));
        },
        *in_a_row);
    if (filled) REQUIRE(std::all_of(writes.begin(), writes.end(), [](int n) { return n == 1; }));
    return {std::move(net), losses};
  }
  for (int s = 0; s < steps; ++s) {
    std::size_t correct = 0;
    const std::uint8_t* labels = data.labels.data() + s * rows;
    losses.push_back(
        split
            ? trainer.step(blocks.view().from_row(s * rows), labels, rows, 0.05f, &correct)
            : trainer.step(x.data() + s * rows * dr::image_pixels, labels, rows, 0.05f, &correct));
    losses.push_back(double(correct));
  }
  return {std::move(net), losses};
}

}  // namespace

TEST_CASE("threads: the pool runs every task once, on every call", "[threads]") {
  for (std::size_t size : {1, 2, 5}) {
    dr::WorkerPool pool(size);
    REQUIRE(pool.size() == size);
    for (int call = 0; call < 50; ++call) {
      std::vector<std::atomic<int>> runs(size);
      pool.run([&](std::size_t t) { ++runs[t]; });
      for (auto& r : runs) REQUIRE(r == 1);
    }
  }
}

TEST_CASE("threads: the pool passes on the exception of the lowest failing task", "[threads]") {
  dr::WorkerPool pool(3);
  auto fail_from_1 = [](std::size_t t) {
    if (t >= 1) throw std::runtime_error("task " + std::to_string(t));
  };
  REQUIRE_THROWS_WITH(pool.run(fail_from_1), "task 1");
  int ran = 0;  // and stays usable
  pool.run([&](std::size_t t) {
    if (t == 0) ran = 1;
  });
  REQUIRE(ran == 1);
}

TEST_CASE("threads: run_phases starts no phase before every thread ended the one before",
          "[threads]") {
  for (std::size_t size : {1, 2, 3, 5}) {
    dr::WorkerPool pool(size);
    std::vector<std::atomic<int>> written(size);
    std::atomic<int> stale{0};
    for (int call = 1; call <= 200; ++call) {
      pool.run_phases(
          [&](std::size_t t) {
            // The last thread comes late, so a phase 1 that did not wait would see its old value.
            if (t + 1 == size) std::this_thread::sleep_for(std::chrono::microseconds(20));
            written[t].store(call, std::memory_order_relaxed);
          },
          [&](std::size_t) {
            for (auto& w : written) stale += w.load(std::memory_order_relaxed) != call;
          },
          [&](std::size_t t) { written[t].store(-call, std::memory_order_relaxed); });
      for (auto& w : written) REQUIRE(w == -call);
    }
    REQUIRE(stale == 0);
  }
}

TEST_CASE("threads: a phase that throws stops run_phases after that phase", "[threads]") {
  dr::WorkerPool pool(3);
  std::atomic<int> second{0}, third{0};
  REQUIRE_THROWS_WITH(
      pool.run_phases([](std::size_t) {},
                      [&](std::size_t t) {
                        ++second;
                        if (t >= 1) throw std::runtime_error("phase 1, task " + std::to_string(t));
                      },
                      [&](std::size_t) { ++third; }),
      "phase 1, task 1");
  REQUIRE(second == 3);  // every thread finished the phase that threw
  REQUIRE(third == 0);
  pool.run_phases([&](std::size_t) { ++second; }, [&](std::size_t) { ++third; });  // usable
  REQUIRE(second == 6);
  REQUIRE(third == 3);
}

TEST_CASE("threads: the pool measures how far apart its threads run", "[threads]") {
  REQUIRE(dr::WorkerPool(1).round_trip_ns(3) == 0);
  for (std::size_t threads : {2, 3}) {
    dr::WorkerPool pool(threads);
    const double ns = pool.round_trip_ns(3);
    INFO(threads << " threads: " << ns << " ns");
    REQUIRE(ns > 0);
    REQUIRE(ns < 1e9);  // a round trip, not a stuck or unmeasured one
    int runs = 0;       // the pool still runs tasks afterwards
    pool.run([&](std::size_t t) {
      if (t == 0) runs = 1;
    });
    REQUIRE(runs == 1);
  }
}

TEST_CASE("threads: a streaming copy gives every float of its source", "[threads]") {
  constexpr std::size_t n = 3 * dr::simd_width;
  dr::AlignedBuffer<real> from(n + dr::simd_width), to(n + dr::simd_width);
  for (std::size_t i = 0; i < from.size(); ++i) from[i] = real(i) - real(0.25);
  std::ranges::fill(to.span(), real(-1));
  dr::kernels::stream_copy(to.data(), from.data(), n);
  for (std::size_t i = 0; i < n; ++i) REQUIRE(to[i] == from[i]);
  for (std::size_t i = n; i < to.size(); ++i) REQUIRE(to[i] == -1);  // nothing past n
}

TEST_CASE("threads: the parts of a range outside another", "[threads]") {
  const auto outside = [](dr::Range r, dr::Range hole) {
    std::vector<dr::Range> parts;
    dr::for_each_outside(r, hole, [&](dr::Range q) { parts.push_back(q); });
    return parts;
  };
  using V = std::vector<dr::Range>;
  REQUIRE(outside({0, 64}, {0, 32}) == V{{32, 64}});
  REQUIRE(outside({0, 64}, {32, 64}) == V{{0, 32}});
  REQUIRE(outside({0, 64}, {21, 42}) == V{{0, 21}, {42, 64}});
  REQUIRE(outside({21, 42}, {0, 32}) == V{{32, 42}});
  REQUIRE(outside({10, 20}, {30, 40}) == V{{10, 20}});
  REQUIRE(outside({10, 20}, {0, 5}) == V{{10, 20}});
  REQUIRE(outside({10, 20}, {0, 40}).empty());
  REQUIRE(outside({10, 20}, {15, 15}) == V{{10, 15}, {15, 20}});
  REQUIRE(outside({5, 5}, {0, 1}).empty());
}

TEST_CASE("threads: parts cover the range without gaps or overlap", "[threads]") {
  for (std::size_t n : {0, 1, 7, 64})
    for (std::size_t parts : {1, 2, 3, 8}) {
      std::size_t next = 0;
      for (std::size_t p = 0; p < parts; ++p) {
        const auto r = dr::part_of(n, parts, p);
        REQUIRE(r.begin == next);
        REQUIRE(r.size() <= n / parts + 1);
        next = r.end;
      }
      REQUIRE(next == n);
    }
}

TEMPLATE_TEST_CASE("threads: training gives the same model bit for bit with 1 to 4 threads",
                   "[threads]", (dr::Network<784, 48, 10>), (dr::Network<784, 128, 10>)) {
  // 5 rows: with 3 threads the parts are uneven; 1 row: some threads have no rows at all.
  // 2 threads sum one part of the first layer's inputs each, 3 and 4 share the parts' rows.
  // Dropout's masks must not depend on which thread draws them either. (48 hidden units go
  // dense under AVX-512, 128 sparse: both kernels are split.)
  // Given as SplitRows, every thread count gives the model of rows on one thread too, and so
  // does either way of handing rows between the threads, and a run of steps (train_batches),
  // which takes the next batch during a step or after it.
  const real dropout = GENERATE(0.0f, 0.3f);
  const auto handover = GENERATE(dr::Handover::in_place, dr::Handover::streamed);
  const auto in_a_row = GENERATE(std::optional<dr::NextBatch>{}, dr::NextBatch::during_step,
                                 dr::NextBatch::after_step);
  for (std::size_t rows : {64, 5, 1}) {
    INFO("rows per batch " << rows << ", dropout " << dropout << ", rows handed over "
                           << (handover == dr::Handover::streamed ? "streamed" : "in place")
                           << (!in_a_row ? ", step by step"
                               : *in_a_row == dr::NextBatch::during_step
                                   ? ", in a row"
                                   : ", in a row, next after"));
    const auto [one, one_losses] = train<TestType>(1, rows, 6, dropout);
    for (std::size_t threads : {1, 2, 3, 4})
      for (bool split : {false, true}) {
        INFO("threads " << threads << (split ? ", split rows" : ", rows"));
        const auto [many, many_losses] =
            train<TestType>(threads, rows, 6, dropout, split, handover, in_a_row);
        REQUIRE(many_losses == one_losses);
        REQUIRE(*many == *one);
      }
  }
}

TEST_CASE("threads: batches the trainer's threads fill train as batches given whole", "[threads]") {
  // Every row starts as NaN, so a thread that read a part before it was filled, or a part no
  // thread filled, would spoil the model; train() checks that each float is filled once.
  const auto when = GENERATE(dr::NextBatch::during_step, dr::NextBatch::after_step);
  for (std::size_t rows : {64, 5, 1}) {
    const auto [one, one_losses] = train(1, rows, 6);
    for (std::size_t threads : {1, 2, 3, 4})
      for (bool split : {false, true}) {
        INFO("rows per batch " << rows << ", threads " << threads
                               << (split ? ", split rows" : ", rows")
                               << (when == dr::NextBatch::during_step ? "" : ", next after"));
        const auto [many, many_losses] =
            train(threads, rows, 6, 0, split, dr::Handover::automatic, when, true);
        REQUIRE(many_losses == one_losses);
        REQUIRE(*many == *one);
      }
  }
}

TEST_CASE("threads: a batch gathered in parts holds each pixel where whole rows hold it",
          "[threads]") {
  const auto data = dr::test::synthetic_digits(9, 5);
  const std::vector<std::uint32_t> rows{7, 2, 2, 0, 8};
  const std::size_t n = rows.size(), width = dr::image_pixels;
  std::vector<real> whole(n * width);
  std::vector<std::uint8_t> labels(n);
  dr::gather_batch(data, rows, whole.data(), labels.data());
  for (std::size_t r = 0; r < n; ++r) {
    REQUIRE(labels[r] == data.labels[rows[r]]);
    for (std::size_t k = 0; k < width; ++k)
      REQUIRE(whole[r * width + k] == data.pixels[rows[r] * width + k] * dr::pixel_scale);
  }
  // In parts of rows and inputs, the middle part across the SplitRows cut.
  const dr::Range row_parts[] = {{0, 2}, {2, 5}},
                  input_parts[] = {{0, 100}, {100, 500}, {500, width}};
  std::vector<real> parts(n * width, std::numeric_limits<real>::quiet_NaN());
  dr::SplitRowsBuffer blocks;
  blocks.reset(n, width, 395);
  for (const dr::Range p : row_parts)
    for (const dr::Range inputs : input_parts) {
      const auto these = std::span(rows).subspan(p.begin, p.size());
      dr::gather_inputs(data, these, inputs, parts.data() + p.begin * width);
      dr::gather_inputs(data, these, inputs, blocks, p.begin);
    }
  REQUIRE(parts == whole);
  const dr::SplitRows view = blocks.view();
  for (std::size_t r = 0; r < n; ++r)
    for (std::size_t k = 0; k < width; ++k)
      REQUIRE(view.block(k < 395 ? 0 : 1)[r * view.stride + k] == whole[r * width + k]);
  // A part writes nothing outside it.
  std::vector<real> one_part(n * width, -1);
  dr::gather_inputs(data, std::span(rows).subspan(1, 2), {390, 400}, one_part.data() + width);
  for (std::size_t r = 0; r < n; ++r)
    for (std::size_t k = 0; k < width; ++k) {
      const bool inside = r >= 1 && r < 3 && k >= 390 && k < 400;
      REQUIRE(one_part[r * width + k] == (inside ? whole[r * width + k] : -1));
    }
}

TEMPLATE_TEST_CASE("threads: networks of few inputs train the same on 1 to 3 threads", "[threads]",
                   (dr::Network<1, 20, 3>), (dr::Network<3, 20, 2>)) {
  // The first layer's inputs are cut at 50.5%: with 1 input the first part is empty (and
  // there are no SplitRows to give), with 3 it holds one input. Rows 7, so that three threads
  // split the rows unevenly.
  using Small = TestType;
  using SmallTrainer = dr::Trainer<Small, dr::Sgd<Small>>;
  constexpr std::size_t rows = 7, steps = 4;
  constexpr bool splittable = SmallTrainer::input_cut > 0;
  const auto x = dr::test::random_matrix(rows * steps, Small::in_size, 5, 0, 1);
  const auto labels = dr::test::random_labels(rows * steps, Small::out_size, 6);
  dr::SplitRowsBuffer blocks;
  if (splittable) {
    blocks.reset(rows * steps, Small::in_size, SmallTrainer::input_cut);
    blocks.assign(rows * steps, x.data());
  }
  const auto train_small = [&](std::size_t threads, bool split, dr::Handover handover) {
    auto net = dr::make_network<Small>(7);
    SmallTrainer trainer(*net, dr::Sgd<Small>({.momentum = 0.9f}),
                         {.threads = threads, .handover = handover});
    REQUIRE(trainer.prefers_split_rows() == (splittable && threads > 1));
    std::vector<double> losses;
    for (std::size_t s = 0; s < steps; ++s)
      losses.push_back(split ? trainer.step(blocks.view().from_row(s * rows),
                                            labels.data() + s * rows, rows, 0.1f)
                             : trainer.step(x.data() + s * rows * Small::in_size,
                                            labels.data() + s * rows, rows, 0.1f));
    return std::pair{std::move(net), losses};
  };
  const auto [one, one_losses] = train_small(1, false, dr::Handover::automatic);
  for (std::size_t threads : {1, 2, 3})
    for (bool split : {false, true})
      for (auto handover : {dr::Handover::in_place, dr::Handover::streamed}) {
        if (split && !splittable) continue;
        INFO("threads " << threads << (split ? ", split rows" : ", rows")
                        << (handover == dr::Handover::streamed ? ", streamed" : ", in place"));
        const auto [many, many_losses] = train_small(threads, split, handover);
        REQUIRE(many_losses == one_losses);
        REQUIRE(*many == *one);
      }
  REQUIRE(one_losses.back() != one_losses.front());  // it did train
}

TEST_CASE("threads: SplitRows hold every input of every row where the view says", "[threads]") {
  constexpr std::size_t rows = 5, width = 30, cut = 13;
  const auto x = dr::test::random_matrix(rows, width, 8, -1, 1);
  dr::SplitRowsBuffer blocks;
  blocks.reset(rows + 2, width, cut);  // room for more rows than written
  blocks.assign(rows, x.data());
  const dr::SplitRows view = blocks.view();
  REQUIRE(view.cut == cut);
  REQUIRE(view.stride % 16 == 0);
  REQUIRE(view.stride >= width - cut);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t k = 0; k < width; ++k) {
      const std::size_t c = k < cut ? 0 : 1;
      REQUIRE(view.block(c)[r * view.stride + k] == x[r * width + k]);
      REQUIRE(view.from_row(r).block(c)[k] == x[r * width + k]);
    }
  // Each block's rows follow each other: one block is one contiguous run.
  REQUIRE(view.block(1) + cut == view.block(0) + (rows + 2) * view.stride);

  REQUIRE_THROWS_WITH(blocks.reset(4, width, 0),
                      "split rows need a cut inside the row and room for a row");
  REQUIRE_THROWS_WITH(blocks.reset(4, width, width),
                      "split rows need a cut inside the row and room for a row");
  REQUIRE_THROWS_WITH(blocks.reset(0, width, cut),
                      "split rows need a cut inside the row and room for a row");
}

TEST_CASE("threads: rows of a wider stride, given as SplitRows, train as packed rows",
          "[threads]") {
  // The 16 floats after each row are NaN: a kernel that read them would spoil the model.
  constexpr std::size_t rows = 24, steps = 3, stride = dr::image_pixels + 16;
  const auto data = dr::test::synthetic_digits(rows * steps, 9);
  std::vector<real> packed(rows * steps * dr::image_pixels);
  dr::gather_batch(data, dr::all_rows(rows * steps), packed.data());
  std::vector<real> wide(rows * steps * stride, std::numeric_limits<real>::quiet_NaN());
  for (std::size_t r = 0; r < rows * steps; ++r)
    std::copy_n(packed.data() + r * dr::image_pixels, dr::image_pixels, wide.data() + r * stride);
  for (std::size_t threads : {1, 2, 3}) {
    INFO("threads " << threads);
    auto a = dr::make_network<Net>(4), b = dr::make_network<Net>(4);
    dr::Trainer on_packed(*a, dr::Sgd<Net>(dr::SgdSettings{}), {.threads = threads});
    dr::Trainer on_wide(*b, dr::Sgd<Net>(dr::SgdSettings{}), {.threads = threads});
    for (std::size_t s = 0; s < steps; ++s) {
      const std::uint8_t* labels = data.labels.data() + s * rows;
      const real* x = wide.data() + s * rows * stride;
      const double loss = on_wide.step(dr::SplitRows::of_rows(x, stride), labels, rows, 0.1f);
      REQUIRE(loss ==
              on_packed.step(packed.data() + s * rows * dr::image_pixels, labels, rows, 0.1f));
    }
    REQUIRE(*a == *b);
  }
}

TEST_CASE("threads: a trainer refuses SplitRows cut elsewhere than its first layer", "[threads]") {
  auto net = dr::make_network<Net>(1);
  dr::Trainer trainer(*net, dr::Sgd<Net>(dr::SgdSettings{}), {.threads = 2});
  dr::SplitRowsBuffer blocks;
  blocks.reset(4, dr::image_pixels, 392);
  const std::vector<std::uint8_t> labels(4, 0);
  const auto before = std::make_unique<Net>(*net);
  REQUIRE_THROWS_WITH(trainer.step(blocks.view(), labels.data(), 4, 0.1f),
                      "the batch's columns are cut at input 392, the trainer's first layer at 395");
  REQUIRE(*net == *before);
}

TEST_CASE("threads: a run of steps ends where next() or done() throws, each step begun done",
          "[threads]") {
  constexpr std::size_t rows = 8;
  const auto data = dr::test::synthetic_digits(rows * 6, 21);
  std::vector<real> x(data.rows() * dr::image_pixels);
  dr::gather_batch(data, dr::all_rows(data.rows()), x.data());
  const auto batch = [&](std::size_t b, std::size_t n) {
    const real* p = x.data() + b * rows * dr::image_pixels;
    return dr::TrainingBatch{
        dr::SplitRows::of_rows(p, dr::image_pixels), data.labels.data() + b * rows, n, 0.05f, {}};
  };
  const dr::SgdSettings sgd{.momentum = 0.9f};
  // The network after the first n batches, a step() each on one thread.
  const auto stepped = [&](std::size_t n) {
    auto net = dr::make_network<Net>(6);
    dr::Trainer trainer(*net, dr::Sgd<Net>(sgd));
    for (std::size_t b = 0; b < n; ++b) {
      const dr::TrainingBatch t = batch(b, rows);
      trainer.step(t.x, t.labels, t.rows, t.lr);
    }
    return net;
  };
  const auto nothing = [](const dr::StepOutcome&) {};
  for (std::size_t threads : {1, 2, 3})
    for (auto when : {dr::NextBatch::during_step, dr::NextBatch::after_step}) {
      INFO("threads " << threads << (when == dr::NextBatch::during_step ? "" : ", next after"));
      auto net = dr::make_network<Net>(6);
      dr::Trainer trainer(*net, dr::Sgd<Net>(sgd), {.threads = threads});
      std::size_t b = 0;
      const auto next = [&]() -> std::optional<dr::TrainingBatch> {
        if (b == 4) throw dr::Error("batch 4 is unreadable");
        return batch(b++, rows);
      };
      REQUIRE_THROWS_WITH(trainer.train_batches(rows, next, nothing, when),
                          "batch 4 is unreadable");
      REQUIRE(*net == *stepped(4));
      // The trainer goes on where it stopped, as if never stopped; done() throws after step 5.
      std::size_t outcomes = 0;
      REQUIRE_THROWS_WITH(trainer.train_batches(
                              rows, [&] { return std::optional(batch(b++, rows)); },
                              [&](const dr::StepOutcome&) {
                                if (++outcomes == 2) throw dr::Error("stop");
                              },
                              when),
                          "stop");
      REQUIRE(outcomes == 2);
      REQUIRE(*net == *stepped(6));
      // A fresh trainer's run on the batches make(0), make(1), ...: it stops with `message`,
      // the network trained on the first n of them.
      const auto stops = [&](auto make, const char* message, std::size_t n) {
        std::size_t i = 0;
        auto fresh = dr::make_network<Net>(6);
        dr::Trainer second(*fresh, dr::Sgd<Net>(sgd), {.threads = threads});
        REQUIRE_THROWS_WITH(second.train_batches(
                                rows, [&] { return std::optional(make(i++)); }, nothing, when),
                            message);
        REQUIRE(*fresh == *stepped(n));
      };
      // A batch larger than the room asked for: refused before its step, and the run ends.
      stops([&](std::size_t i) { return batch(i, i == 2 ? rows + 1 : rows); },
            "a batch of 9 rows exceeds the 8 the trainer was given room for", 2);
      // A fill that throws in batch 3, in the part of the last inputs (thread 1's on two
      // threads, which may then be in batch 3 while thread 0 still updates batch 2).
      stops(
          [&](std::size_t i) {
            dr::TrainingBatch t = batch(i, rows);
            t.fill = [i](dr::Range, dr::Range inputs) {
              if (i == 3 && inputs.end == dr::image_pixels)
                throw dr::Error("pixels of batch 3 unreadable");
            };
            return t;
          },
          "pixels of batch 3 unreadable", 3);
    }
}

TEST_CASE("threads: a run longer than the handover's check interval trains as step by step",
          "[threads]") {
  // 300 steps on two threads: Handover::automatic measures the cores again at step 256, inside
  // the run; whatever it finds, the model is the one-thread model.
  const auto [one, one_losses] = train(1, 2, 300);
  const auto [two, two_losses] =
      train(2, 2, 300, 0, true, dr::Handover::automatic, dr::NextBatch::during_step);
  REQUIRE(two_losses == one_losses);
  REQUIRE(*two == *one);
}

TEST_CASE("threads: a profiled trainer times every phase on every thread and changes no bit",
          "[threads]") {
  constexpr std::size_t rows = 64, steps = 3;
  const auto data = dr::test::synthetic_digits(rows * steps, 21);
  std::vector<real> x(rows * steps * dr::image_pixels);
  dr::gather_batch(data, dr::all_rows(data.rows()), x.data());
  for (std::size_t threads : {1, 2, 3}) {
    INFO("threads " << threads);
    auto plain_net = dr::make_network<Net>(6), profiled_net = dr::make_network<Net>(6);
    const dr::SgdSettings sgd{.momentum = 0.9f};
    dr::Trainer plain(*plain_net, dr::Sgd<Net>(sgd), {.threads = threads});
    dr::Trainer profiled(*profiled_net, dr::Sgd<Net>(sgd), {.threads = threads, .profile = true});
    for (const auto& thread : profiled.phase_microseconds())
      for (double us : thread) REQUIRE(us == 0);  // no step yet
    for (std::size_t s = 0; s < steps; ++s) {
      const real* batch = x.data() + s * rows * dr::image_pixels;
      const std::uint8_t* labels = data.labels.data() + s * rows;
      REQUIRE(profiled.step(batch, labels, rows, 0.05f) == plain.step(batch, labels, rows, 0.05f));
    }
    REQUIRE(*profiled_net == *plain_net);
    const auto times = profiled.phase_microseconds();
    REQUIRE(times.size() == threads);
    for (const auto& thread : times)
      for (double us : thread) REQUIRE(us > 0);  // every thread has rows and inputs in each
    for (const auto& thread : plain.phase_microseconds())
      for (double us : thread) REQUIRE(us == 0);  // not profiled: nothing timed
  }
}

TEST_CASE("threads: evaluate and predict_all do not depend on the thread count", "[threads]") {
  const auto data = dr::test::synthetic_digits(700, 4);  // 3 inference batches, the last short
  auto net = dr::make_network<Net>(2);
  const auto rows = dr::all_rows(data.rows());
  const auto one = dr::evaluate(*net, data, rows, 0.3f, 9, 1);
  const auto predicted = dr::predict_all(*net, data, 1);
  for (std::size_t threads : {2, 3, 5}) {
    INFO("threads " << threads);
    REQUIRE(dr::evaluate(*net, data, rows, 0.3f, 9, threads).counts == one.counts);
    REQUIRE(dr::predict_all(*net, data, threads) == predicted);
  }
  REQUIRE(one.total() == 700);
}
