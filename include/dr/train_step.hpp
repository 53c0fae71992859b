// One optimisation step on a batch: forward, softmax cross-entropy, backward, optimizer update.
// The Trainer owns the per-batch buffers and the gradient so a training loop allocates nothing.
//
// Threads: a step runs in three phases on a pool of T threads, which wait for each other at a
// barrier (TaskBarrier) between phases.
// 1. The first layer's sum (the big one: 784 x H weights) in two parts, over its first and its
//    last inputs (cut where two threads take the same time on MNIST), for all the batch's rows:
//    on two threads one part each, on one thread both in one pass over x.
// 2. The batch's rows split: each thread adds up the two parts and activates them, then runs the
//    rest of the forward pass, the loss and the backpropagation of dLoss/dz through every layer
//    for its rows (all row-local work).
// 3. Each layer's inputs k split: each thread sums the weight gradients of its inputs over all
//    the batch's rows, in row order, and updates those weights at once, a cache-sized block at a
//    time (the gradient is still in L2 when the optimizer reads it).
// On two threads each thread reads (phase 1) and writes (phase 3) the same part of the first
// layer's weights, which so stays in its core's cache. (A forward pass split by rows made each
// core read all of them, so that every step moved the half the other core had just updated;
// benchmarks/README.md has the measurements.) Given the batch as SplitRows, cut
// where the first layer is (Trainer::input_cut), each thread also reads one contiguous block of
// the batch instead of a part of every row.
// Handing rows over (Handover). In place, all threads compute in one set of buffers, and a
// thread writes lines that another core read a phase earlier: each store must first take the
// line back from that core. With the cores on one L3 cache that is cheap; on two (the host
// moves this machine's cores between the two) each such line costs a trip between the cores,
// and stores cannot run far ahead of those trips. Streamed, each thread computes in buffers of
// its own (ThreadBuffers), which no other thread touches, writes the rows others need into
// shared ones (handed_) with streaming stores (kernels/stream.hpp), which take no line from
// anyone, and the others read them from there (from memory) in the next phase: phase 2 adds
// up the first layer's sums where they are, and phase 3 first copies the rows into its own
// buffers, as it sums over all of them in one pass. On the Zen 5 used here, two threads took
// 10-14% less time per epoch streamed with the cores far apart, and 6-16% more with them
// close, so by default the Trainer measures how far apart they are every few hundred steps and
// chooses (see benchmarks/README.md).
// Steps in a row (train_batches; step() is one). The threads run all of them in one
// WorkerPool::run, and on two threads each goes from a step's phase 3 straight into the next
// step's phase 1 without waiting for the other: its phase 1 reads only the part of the first
// layer's weights that it updated itself in phase 3, and the barrier after phase 1 keeps phase
// 2 from reading layer 2's weights before both have updated them. So a step has two meetings
// of the threads instead of four (the pool's start and end of a step besides the two
// barriers), and a thread late in phase 3 can catch up in phase 1. Thread 0 takes the next
// batch from the caller while the others finish phase 3, and tells them (Plan, announce). A
// batch may leave its rows to be written in phase 1 (TrainingBatch::fill), each thread writing
// the part it reads: dr::fit gathers its pixels so, on all the threads and into the cache of
// the core that reads them.
// (On more than two threads the threads that share a part of the first layer still meet at
// the end of each step.) Measured in benchmarks/README.md (Steps in a row).
// The first layer is always summed in the same two parts, and no gradient is ever split into
// partial sums, so the result does not depend on T at all: the same seed gives the same model
// bit for bit with any thread count, on rows or on SplitRows (tests/test_threads.cpp checks it).
//
// Dropout (Srivastava et al. 2014), if asked: every hidden unit of every training row is zeroed
// with probability p and the survivors scaled by 1 / (1 - p), so inference needs no change. The
// masks come from a counter-based hash of (seed, step, layer, row, unit): they too are the same
// for any T, and a resumed run draws the masks the uninterrupted one would have.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <limits>
#include <memory>
#include <numeric>
#include <optional>
#include <utility>
#include <vector>

#include "dr/array.hpp"
#include "dr/data/split_rows.hpp"
#include "dr/error.hpp"
#include "dr/kernels/stream.hpp"
#include "dr/loss.hpp"
#include "dr/network.hpp"
#include "dr/parallel.hpp"
#include "dr/random.hpp"
#include "dr/range.hpp"

namespace dr {

/// How threads pass each other the rows of a step (see the top of this file).
enum class Handover {
  automatic,  ///< through memory while the cores are far apart (re-checked every 256 steps)
  in_place,   ///< every thread reads and writes the step's rows in one set of buffers
  streamed,   ///< each thread computes in buffers of its own and streams the rows to the others
};

struct TrainerSettings {
  real label_smoothing = 0;
  real dropout = 0;        ///< probability of zeroing a hidden unit in a training row, in [0, 1)
  std::uint64_t seed = 0;  ///< of the dropout masks
  std::size_t threads = 1;
  bool profile = false;  ///< time every phase on every thread (Trainer::phase_microseconds)
  Handover handover = Handover::automatic;
};

namespace detail {
// False only in bench_train_bound (DR_MEASURE_WITHOUT_HANDOVER, benchmarks/CMakeLists.txt): the
// streamed handover then copies nothing, so each thread computes on rows the others never gave
// it and the model is wrong. What is left of a step on two threads, its work and its barriers,
// bounds what any way of handing the rows over could reach.
#ifdef DR_MEASURE_WITHOUT_HANDOVER
inline constexpr bool copies_handed_rows = false;
#else
inline constexpr bool copies_handed_rows = true;
#endif
}  // namespace detail

/// Phases of a training step (see the top of this file).
inline constexpr std::size_t step_phases = 3;

/// A batch for Trainer::train_batches: `rows` rows of x (SplitRows cut at Trainer::input_cut, or
/// row-major rows of any stride as SplitRows::of_rows), their labels, and the learning rate of
/// its step.
struct TrainingBatch {
  SplitRows x;
  const std::uint8_t* labels = nullptr;
  std::size_t rows = 0;
  real lr = 0;
  /// If set, x is still to be written, and the trainer's threads write it as the step starts:
  /// fill(rows, inputs) writes the inputs `inputs` of the batch's rows `rows`, each thread the
  /// part it reads, which so is in its own core's cache (and, on two threads, is never read by
  /// the other). Calls run at once on several threads, for parts that do not overlap. dr::fit
  /// gathers its batches' pixels so (gather_inputs).
  std::function<void(Range rows, Range inputs)> fill;
};

/// What a training step gave: the batch's mean loss and how many of its rows the network
/// classified right, both before the update.
struct StepOutcome {
  double loss = 0;
  std::size_t correct = 0;
};

/// When Trainer::train_batches asks for the next batch.
enum class NextBatch {
  during_step,  ///< while the threads finish the step before, which the batch may not depend on
  after_step,   ///< once every thread has finished the step before (to read the weights, say)
};

template <class Net, class Optimizer, class Kernel = kernels::Default>
class Trainer {
 public:
  /// Where the first layer's inputs are cut in two parts: at 50.5% of them, 395 of 784, where
  /// two threads measured the same time in phases 1 and 3 (bench_train's t0/t1 counters, H=128,
  /// batch in cache: within 0.7 µs). Half-way, at 384, thread 1 took 2.0 µs longer in phase 3:
  /// the lower rows of MNIST's images hold more non-zero pixels, half of them lie in the first
  /// 407 inputs. At 407 thread 0 took 1.4-2.4 µs longer: each input also costs for itself (its bit
  /// sets, its row of gradients), not only for its non-zeros.
  static constexpr std::size_t input_cut = Net::in_size * 101 / 200;

  Trainer(Net& net, Optimizer optimizer, TrainerSettings settings = {})
      : net_(net),
        optimizer_(std::move(optimizer)),
        grad_(make_zeroed<Net>()),
        own_(std::max<std::size_t>(1, settings.threads)),
        settings_(settings),
        keep_scale_(settings.dropout > 0 ? 1 / (1 - settings.dropout) : real(1)),
        pool_(settings.threads),
        per_thread_(pool_.size()) {
    if (!(settings.dropout >= 0 && settings.dropout < 1))
      throw Error("dropout must be in [0, 1), got " + shortest_text(settings.dropout));
  }

  /// Trains on `rows` rows of x (row stride Net::in_size) at learning rate lr; returns the mean
  /// loss of the batch before the update. If correct is not null it receives how many rows the
  /// network classified right before the update.
  double step(const real* x, const std::uint8_t* labels, std::size_t rows, real lr,
              std::size_t* correct = nullptr) {
    return step(SplitRows::of_rows(x, Net::in_size), labels, rows, lr, correct);
  }

  /// The same on rows stored in two column blocks cut at input_cut (SplitRowsBuffer), which
  /// two threads or more read faster (see the top of this file); the same result bit for bit.
  /// (Row-major rows of any stride pass as SplitRows::of_rows.)
  double step(const SplitRows& x, const std::uint8_t* labels, std::size_t rows, real lr,
              std::size_t* correct = nullptr) {
    StepOutcome outcome;
    bool given = false;
    train_batches(
        rows,
        [&]() -> std::optional<TrainingBatch> {
          if (std::exchange(given, true)) return std::nullopt;
          return TrainingBatch{x, labels, rows, lr, {}};
        },
        [&](const StepOutcome& o) { outcome = o; });
    if (correct) *correct = outcome.correct;
    return outcome.loss;
  }

  /// Trains a step on each batch next() gives until it gives std::nullopt, and calls
  /// done(StepOutcome) once each step's loss is known (before its update is done). The steps
  /// run in one go on the pool's threads, each thread going from a step's last phase straight
  /// into the next step's first (see the top of this file): the same model bit for bit as
  /// step() on each batch in turn, sooner. next() and done() run on the calling thread. With
  /// NextBatch::during_step, next() is called while the threads still finish the step before,
  /// so a batch must stay valid until next() has returned the batch after the one that follows
  /// it (BatchProducer keeps it so) and may not depend on the weights. No batch may have more
  /// than max_rows rows. done() for a step always comes before next() is asked for the step
  /// after it, so done() may read what the caller kept of the last batch it gave. What next()
  /// or done() throws is rethrown once the steps under way are done; the network has then been
  /// trained on every batch next() returned. What a batch's fill throws is rethrown too; the
  /// network has then been trained on every batch before that one.
  template <class Next, class Done>
  void train_batches(std::size_t max_rows, Next&& next, Done&& done,
                     NextBatch when = NextBatch::during_step) {
    std::optional<TrainingBatch> first = next();
    if (!first) return;
    check(*first, max_rows);
    reserve(max_rows);
    choose_handover();
    failed_step_.store(no_step, std::memory_order_relaxed);
    for (auto& own : per_thread_) own.error = nullptr;
    const std::uint64_t first_step = steps_;
    std::uint64_t ran = 0;
    std::exception_ptr error;  // of next() or done()
    announced_.store(0, std::memory_order_relaxed);
    announce(0, Plan{*first, streamed_, first_step});
    // Thread 0's plan of step i, or the end of the run, while step i - 1 is under way.
    const auto plan = [&](std::uint64_t i) {
      std::optional<Plan> p;
      if (!error && !failed()) try {
          if (std::optional<TrainingBatch> batch = next()) {
            check(*batch, max_rows);
            p = Plan{*batch, streamed_, first_step + i};
          }
        } catch (...) {
          error = std::current_exception();
        }
      announce(i, p);
    };
    pool_.run([&](std::size_t t) {
      for (std::uint64_t i = 0;; ++i) {
        if (t != 0) spin::wait_until(announced_, [i](std::uint64_t made) { return made > i; });
        if (!plans_[i % 2]) return;
        const Plan& p = *plans_[i % 2];  // until plan(i + 2), when every thread is past step i
        if (i > 0 && handover_check_due(p.step)) {
          // Every thread is here at once; the answer decides the handover of the next plans.
          const double ns = pool_.round_trip_in_task(t, handover_check_trips);
          if (t == 0) streamed_ = ns > streamed_beyond_ns;
        }
        run_phase(0, t, p.step, [&] { sum_first_layer(p, t); });
        barrier_.arrive_and_wait(t);
        run_phase(1, t, p.step, [&] {
          per_thread_[t].correct = forward_and_backpropagate(p, t);
          if (t == 0) optimizer_.begin_step();  // before any thread's phase 3
        });
        barrier_.arrive_and_wait(t);
        if (t == 0) {
          ++ran;
          last_streamed_ = p.streamed;
          if (!failed() && !error) try {
              done(outcome(p.batch.rows));
            } catch (...) {
              error = std::current_exception();
            }
          if (when == NextBatch::during_step) plan(i + 1);
        }
        run_phase(2, t, p.step, [&] { gradients_and_update(p, t); });
        // On more than two threads, those sharing a part of the first layer read in the next
        // phase 1 weights the others update in this phase 3.
        if (when == NextBatch::after_step || pool_.size() > 2) barrier_.arrive_and_wait(t);
        if (t == 0 && when == NextBatch::after_step) plan(i + 1);
      }
    });
    steps_ = first_step + ran;
    if (settings_.profile) profiled_steps_ += ran;
    for (auto& own : per_thread_)
      if (own.error) std::rethrow_exception(own.error);
    if (error) std::rethrow_exception(error);
  }

  /// Makes room for batches of up to max_rows rows, as train_batches otherwise does when it
  /// starts: the buffers of a step are then allocated and their pages mapped before the first
  /// step. (That took 0.4 ms on one thread and 1-8 ms on two, the threads just started, on the
  /// virtual machine of benchmarks/README.md; bench_train reserves before it times an epoch.)
  void reserve(std::size_t max_rows) {
    if (reserved_rows_ < max_rows) make_room(max_rows);
  }

  /// Whether step() reads SplitRows faster than row-major rows: on more than one thread.
  bool prefers_split_rows() const { return pool_.size() > 1 && input_cut > 0; }

  /// Whether the last step streamed its rows between the threads (Handover::streamed), as
  /// Handover::automatic decides from where the cores are.
  bool streamed() const { return last_streamed_; }

  /// With settings.profile: for each thread, the mean time in microseconds each phase of a
  /// step kept it working (its waits for the other threads not counted), over the steps so far.
  std::vector<std::array<double, step_phases>> phase_microseconds() const {
    std::vector<std::array<double, step_phases>> mean(per_thread_.size());
    for (std::size_t t = 0; t < per_thread_.size(); ++t)
      for (std::size_t p = 0; p < step_phases; ++p)
        mean[t][p] = profiled_steps_ ? per_thread_[t].seconds[p] * 1e6 / profiled_steps_ : 0.0;
    return mean;
  }

  Optimizer& optimizer() { return optimizer_; }
  std::size_t threads() const { return pool_.size(); }
  const TrainerSettings& settings() const { return settings_; }

  /// Calls f on every piece of state a checkpoint must keep to resume exactly: the optimizer's
  /// and the step count (which the dropout masks depend on).
  template <class F>
  void visit_state(F&& f) {
    optimizer_.visit_state(f);
    f(steps_);
  }

 private:
  static constexpr std::size_t depth = Net::depth;
  template <std::size_t I>
  using Layer = typename Net::template layer_type<I>;

  /// A step as thread 0 plans it for all (train_batches).
  struct Plan {
    TrainingBatch batch;
    bool streamed = false;   ///< how its rows are handed over
    std::uint64_t step = 0;  ///< its number (steps_ then), the key of its dropout masks
  };

  /// Throws if a batch does not fit the buffers or the first layer's cut.
  void check(const TrainingBatch& batch, std::size_t max_rows) const {
    if (batch.rows > max_rows)
      throw Error("a batch of " + std::to_string(batch.rows) + " rows exceeds the " +
                  std::to_string(max_rows) + " the trainer was given room for");
    if (!row_major(batch.x) && batch.x.cut != input_cut)
      throw Error("the batch's columns are cut at input " + std::to_string(batch.x.cut) +
                  ", the trainer's first layer at " + std::to_string(input_cut));
  }

  /// Thread 0 makes step i's plan (none: the run ends) known to the other threads.
  void announce(std::uint64_t i, const std::optional<Plan>& plan) {
    plans_[i % 2] = plan;  // step i - 2's, which every thread has finished
    announced_.store(i + 1, std::memory_order_release);
    if (pool_.size() > 1) announced_.notify_all();
  }

  /// The outcome of a step of `rows` rows, once all threads have finished its phase 2.
  StepOutcome outcome(std::size_t rows) const {
    StepOutcome o{std::accumulate(row_loss_.begin(), row_loss_.begin() + rows, 0.0) / rows, 0};
    for (const auto& own : per_thread_) o.correct += own.correct;
    return o;
  }

  /// f(), phase `phase` of step `step` on thread t, timed if profiling; unless a phase of this
  /// step or one before has thrown on some thread, in which case the threads do no more work,
  /// though they still meet at the barriers, and train_batches rethrows the exception once they
  /// have all stopped. (A thread may fail in a step's phase 1 while thread 0 still has the step
  /// before to finish: that one it finishes, so the network has every step before the failure.)
  template <class F>
  void run_phase(std::size_t phase, std::size_t t, std::uint64_t step, F&& f) {
    if (failed_step_.load(std::memory_order_relaxed) <= step) return;
    try {
      if (!settings_.profile) return f();
      const auto start = std::chrono::steady_clock::now();
      f();
      per_thread_[t].seconds[phase] +=
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    } catch (...) {
      per_thread_[t].error = std::current_exception();
      // Seen by all after the next barrier; the earliest step if threads fail in two.
      std::uint64_t failed = failed_step_.load(std::memory_order_relaxed);
      while (step < failed && !failed_step_.compare_exchange_weak(failed, step)) {
      }
    }
  }

  bool failed() const { return failed_step_.load(std::memory_order_relaxed) != no_step; }

  /// Inputs per block of phase 3: a block's gradient (this many rows of padded_out floats)
  /// is still in L2 when the optimizer reads it, and the sparse kernel reads all of dz (one
  /// column block after another) once per block, so fewer blocks read it less often: 784-800-10
  /// with noise 0.2 trained 2-4% faster in blocks of 128 KiB (36 inputs) than of 32 (12), in
  /// three alternating bench_train runs; other cases measured the same from 32 to 256 KiB. A
  /// multiple of 12 keeps the dense kernel's register tiles (3, 6 or 12 rows) whole.
  static constexpr std::size_t update_block_bytes = 128 * 1024;
  template <std::size_t I>
  static constexpr std::size_t update_block = std::max<std::size_t>(
      12, update_block_bytes / (Layer<I>::padded_out * sizeof(real)) / 12 * 12);

  /// Cores further apart than this round trip of a cache line (WorkerPool::round_trip_ns) take
  /// rows from memory sooner than from each other's caches: on the Zen 5 used here streaming
  /// paid with the cores 420-470 ns apart and cost with them 58-76 ns apart (see the top of
  /// this file); the threshold lies between.
  static constexpr double streamed_beyond_ns = 250;
  /// Steps between checks of where the cores are; a check costs a few round trips (2-5 µs).
  static constexpr std::uint64_t handover_check_steps = 256;
  static constexpr int handover_check_trips = 5;

  /// Whether Handover::automatic measures where the cores are before step `step`.
  bool handover_check_due(std::uint64_t step) const {
    return pool_.size() > 1 && settings_.handover == Handover::automatic &&
           step % handover_check_steps == 0;
  }

  void choose_handover() {
    if (pool_.size() == 1) return;
    switch (settings_.handover) {
      case Handover::in_place:
        streamed_ = false;
        return;
      case Handover::streamed:
        streamed_ = true;
        return;
      case Handover::automatic:
        if (!checked_handover_ || handover_check_due(steps_))
          streamed_ = pool_.round_trip_ns(handover_check_trips) > streamed_beyond_ns;
        checked_handover_ = true;
        return;
    }
  }

  void make_room(std::size_t rows) {
    const auto size = [rows](ThreadBuffers& b) {
      b.ws.reserve(rows);
      for (auto& part : b.first_layer_parts) part.resize(rows * Layer<0>::padded_out);
    };
    // One thread computes in its own buffers; more share handed_, and also compute in their own
    // unless the handover is forced in place, which never uses them.
    const bool one_thread = own_.size() == 1;
    if (one_thread || settings_.handover != Handover::in_place)
      for (auto& own : own_) size(own);
    if (!one_thread) size(handed_);
    const Workspace<Net>& sized = one_thread ? own_[0].ws : handed_.ws;
    if (settings_.dropout > 0)
      for (std::size_t i = 0; i + 1 < depth; ++i) keep_[i].resize(sized.outputs[i].size());
    row_loss_.resize(rows);
    reserved_rows_ = rows;
  }

  static constexpr Range first_layer_part(std::size_t c) {
    return c == 0 ? Range{0, input_cut} : Range{input_cut, Layer<0>::in_size};
  }

  /// The part of the first layer thread t of T sums in phase 1 (c = 2 t / T) and the threads
  /// that share it: one each on two threads, both parts on one, rows split on more.
  struct Share {
    std::size_t part;
    Range threads;
    /// Thread t's share of n items (rows or inputs) of the part.
    Range own(std::size_t n, std::size_t t) const {
      return part_of(n, threads.size(), t - threads.begin);
    }
  };
  static Share share_of(std::size_t threads, std::size_t t) {
    const auto first_thread = [&](std::size_t part) { return (part * threads + 1) / 2; };
    const std::size_t c = t * 2 / threads;
    return {c, {first_thread(c), first_thread(c + 1)}};
  }

  /// Phase 3's share of thread t of the first layer's inputs: the threads of a part split its
  /// inputs, so that on two threads each reads and writes the weights it summed in phase 1.
  static Range first_layer_inputs(std::size_t threads, std::size_t t) {
    if (threads == 1) return {0, Layer<0>::in_size};
    const Share share = share_of(threads, t);
    const Range part = first_layer_part(share.part);
    const Range own = share.own(part.size(), t);
    return {part.begin + own.begin, part.begin + own.end};
  }

  /// Phase 1, thread t's share of the first layer's two parts: part c sums the inputs
  /// first_layer_part(c) into first_layer_parts[c], part 0 from the bias, part 1 from 0. One
  /// thread does both at once; two do one each; more split each part's rows.
  void sum_first_layer(const Plan& plan, std::size_t t) {
    constexpr std::size_t ld = Layer<0>::padded_out;
    const SplitRows& x = plan.batch.x;
    const std::size_t ldx = x.stride, rows = plan.batch.rows;
    const auto& layer = net_.template layer<0>();
    auto& parts = mine(t, plan.streamed).first_layer_parts;
    const auto sum_part = [&](std::size_t c, Range r) {
      layer.template affine_part<Kernel>(r.size(), x.block(c) + r.begin * ldx, ldx,
                                         parts[c].data() + r.begin * ld, first_layer_part(c),
                                         c == 0);
    };
    const std::size_t threads = pool_.size();
    const auto& fill = plan.batch.fill;
    if (threads == 1) {
      if (fill) fill({0, rows}, {0, Net::in_size});
      if (!row_major(x)) return sum_part(0, {0, rows}), sum_part(1, {0, rows});
      return layer.template affine_two_parts<Kernel>(rows, x.block(0), ldx, parts[0].data(),
                                                     parts[1].data(), input_cut);
    }
    const Share share = share_of(threads, t);
    const Range r = share.own(rows, t);
    if (fill) {
      if (r.size() > 0) fill(r, first_layer_part(share.part));
    } else if (row_major(x)) {
      const Range own_rows = part_of(rows, threads, t);
      read_rows(x.block(0) + own_rows.begin * ldx, own_rows.size(), ldx, Net::in_size);
    } else {
      const Range part = first_layer_part(share.part);
      read_rows(x.block(share.part) + r.begin * ldx + part.begin, r.size(), ldx, part.size());
    }
    if (r.size() == 0) return;
    sum_part(share.part, r);
    // The rows of the part that other threads complete in phase 2.
    if (plan.streamed)
      for_each_outside(r, part_of(rows, threads, t), [&](Range q) {
        hand_over(handed_.first_layer_parts[share.part], parts[share.part], q, ld);
      });
  }

  /// Rows q of `from` (rows of `width` floats) into `to` with streaming stores, for other
  /// threads to take (see the top of this file).
  static void hand_over(AlignedBuffer<real>& to, const AlignedBuffer<real>& from, Range q,
                        std::size_t width) {
    if constexpr (!detail::copies_handed_rows) return;
    kernels::stream_copy(to.data() + q.begin * width, from.data() + q.begin * width,
                         q.size() * width);
  }
  /// Rows q of what other threads handed over (`from`) into this thread's `to`.
  static void take_over(AlignedBuffer<real>& to, const AlignedBuffer<real>& from, Range q,
                        std::size_t width) {
    if constexpr (!detail::copies_handed_rows) return;
    std::copy_n(from.data() + q.begin * width, q.size() * width, to.data() + q.begin * width);
  }

  static bool row_major(const SplitRows& x) { return x.block(0) == x.block(1); }

  /// Reads `rows` rows of `width` floats, `ld` apart, from p in order, one float per cache line.
  /// Each thread of phase 1 reads a part of every row of x, which the hardware prefetcher streams
  /// at about a third of the speed of whole rows when the batch comes from memory (64 rows of 784,
  /// one thread: 9.6 µs for the first halves, 7.0 for whole rows), so from row-major rows each
  /// first brings in its share of whole rows, and from SplitRows its block.
  static void read_rows(const real* p, std::size_t rows, std::size_t ld, std::size_t width) {
    constexpr std::size_t line = 64 / sizeof(real);
    const std::size_t n = rows == 0 ? 0 : (rows - 1) * ld + width;  // nothing past the last row
    real sum = 0;
    for (std::size_t i = 0; i < n; i += line) sum += p[i];
    [[maybe_unused]] volatile real sink = sum;
  }

  /// Phase 2 on thread t's rows of a batch of `rows`: completes the first layer, fills the
  /// other layers' outputs, the rows' losses and every layer's dLoss/dz in the thread's
  /// workspace, and hands over what phase 3 needs of them; returns how many rows were right.
  std::size_t forward_and_backpropagate(const Plan& plan, std::size_t t) {
    const std::size_t threads = pool_.size(), rows = plan.batch.rows;
    const std::uint8_t* labels = plan.batch.labels;
    const Range part = part_of(rows, threads, t);
    if (part.size() == 0) return 0;
    const std::size_t r0 = part.begin, n = part.size();
    Workspace<Net>& ws = mine(t, plan.streamed).ws;
    auto& parts = mine(t, plan.streamed).first_layer_parts;
    // The first layer's two sums over the thread's rows. Streamed, a part's rows that other
    // threads summed are read where they streamed them, unless the thread summed some of them
    // itself (on more than two threads), when it takes the others over into its own buffer.
    std::array<const real*, 2> sums{parts[0].data(), parts[1].data()};
    if (plan.streamed) {
      const Share share = share_of(threads, t);
      for (std::size_t c = 0; c < 2; ++c) {
        const Range own = c == share.part ? share.own(rows, t) : Range{0, 0};
        const bool none_own = own.end <= part.begin || own.begin >= part.end;
        if (detail::copies_handed_rows && none_own) {
          sums[c] = handed_.first_layer_parts[c].data();
          continue;
        }
        for_each_outside(part, own, [&](Range q) {
          take_over(parts[c], handed_.first_layer_parts[c], q, Layer<0>::padded_out);
        });
      }
    }
    Net::for_each_index([&](auto i) {
      constexpr std::size_t I = decltype(i)::value, ld = Net::template input_stride<I>();
      real* y = ws.outputs[I].data() + r0 * Layer<I>::padded_out;
      if constexpr (I == 0)
        Layer<0>::activate_sum(n, y, sums[0] + r0 * Layer<0>::padded_out,
                               sums[1] + r0 * Layer<0>::padded_out);
      else
        net_.template layer<I>().template forward<Kernel>(
            n, Net::template input_of<I>(ws, nullptr) + r0 * ld, ld, y);
      if constexpr (I + 1 < depth)
        if (settings_.dropout > 0) drop_units<I>(plan.step, part, y);
    });
    constexpr std::size_t ld = Net::last_layer::padded_out;
    const real* logits = ws.outputs[depth - 1].data();
    real* dlogits = ws.gradients[depth - 1].data();
    std::size_t right = 0;
    for (std::size_t r = part.begin; r < part.end; ++r) {
      row_loss_[r] =
          softmax_cross_entropy<Net::out_size>(1, logits + r * ld, ld, labels + r, dlogits + r * ld,
                                               real(1) / rows, settings_.label_smoothing);
      right += argmax(logits + r * ld, Net::out_size) == labels[r];
    }
    backpropagate<depth - 1>(ws, r0, n);
    if (plan.streamed) pass_rows_of_phase_2(handed_.ws, ws, part, hand_over);
    return right;
  }

  /// move(to, from, rows q, width) on every buffer phase 2 fills and phase 3 reads: the layers'
  /// dLoss/dz and the outputs that are another layer's input.
  template <class Move>
  static void pass_rows_of_phase_2(Workspace<Net>& to, const Workspace<Net>& from, Range q,
                                   Move move) {
    Net::for_each_index([&](auto i) {
      constexpr std::size_t I = decltype(i)::value, width = Layer<I>::padded_out;
      move(to.gradients[I], from.gradients[I], q, width);
      if constexpr (I + 1 < depth) move(to.outputs[I], from.outputs[I], q, width);
    });
  }

  /// Draws the dropout mask of hidden layer I of step `step` for the part's rows into keep_[I]
  /// (0 or the keep scale per unit) and applies it to the layer's outputs y (the part's first
  /// row).
  template <std::size_t I>
  void drop_units(std::uint64_t step, Range part, real* y) {
    constexpr std::size_t units = Layer<I>::out_size, ld = Layer<I>::padded_out;
    // A unit survives when its 16 random bits are at least p * 2^16.
    const auto threshold = static_cast<std::uint32_t>(settings_.dropout * 65536 + real(0.5));
    const std::uint64_t layer_key = derive_seed(derive_seed(settings_.seed, step), I);
    real* keep = keep_[I].data() + part.begin * ld;
    for (std::size_t r = 0; r < part.size(); ++r) {
      const std::uint64_t row_key = derive_seed(layer_key, part.begin + r);
      for (std::size_t j = 0; j < units; j += 4) {
        std::uint64_t bits = derive_seed(row_key, j / 4);
        for (std::size_t q = j; q < std::min(j + 4, units); ++q, bits >>= 16)
          keep[r * ld + q] = (bits & 0xffff) >= threshold ? keep_scale_ : real(0);
      }
      for (std::size_t q = units; q < ld; ++q) keep[r * ld + q] = 0;
      for (std::size_t q = 0; q < ld; ++q) y[r * ld + q] *= keep[r * ld + q];
    }
  }

  template <std::size_t I>
  void backpropagate(Workspace<Net>& ws, std::size_t r0, std::size_t n) {
    constexpr std::size_t ld = Layer<I>::padded_out;
    real* dy = ws.gradients[I].data() + r0 * ld;
    real y_scale = 1;
    if constexpr (I + 1 < depth)
      if (settings_.dropout > 0) {
        // Through the mask: dropped units pass nothing back, survivors their scale.
        const real* keep = keep_[I].data() + r0 * ld;
        for (std::size_t i = 0; i < n * ld; ++i) dy[i] *= keep[i];
        y_scale = keep_scale_;
      }
    real* dx = nullptr;
    if constexpr (I > 0) dx = ws.gradients[I - 1].data() + r0 * Net::template input_stride<I>();
    net_.template layer<I>().template backpropagate<Kernel>(
        n, ws.outputs[I].data() + r0 * ld, dy, dx, Net::template input_stride<I>(), y_scale);
    if constexpr (I > 0) backpropagate<I - 1>(ws, r0, n);
  }

  /// Phase 3, part t of every layer's inputs: their weight gradients summed over all rows
  /// (written from zero; the bias goes with the part that starts at input 0), each block of
  /// inputs updated by the optimizer right after.
  void gradients_and_update(const Plan& plan, std::size_t t) {
    const std::size_t threads = pool_.size(), rows = plan.batch.rows;
    const SplitRows& x = plan.batch.x;
    const real lr = plan.batch.lr;
    Workspace<Net>& ws = mine(t, plan.streamed).ws;
    if (plan.streamed)
      for_each_outside({0, rows}, part_of(rows, threads, t),
                       [&](Range q) { pass_rows_of_phase_2(ws, handed_.ws, q, take_over); });
    Net::for_each_index([&](auto i) {
      constexpr std::size_t I = decltype(i)::value, ld = Layer<I>::padded_out;
      const Range k =
          I == 0 ? first_layer_inputs(threads, t) : part_of(Layer<I>::in_size, threads, t);
      if (k.size() == 0) return;
      // Inputs of the first layer's two parts come from their blocks of SplitRows: two calls,
      // which only one thread makes (with both parts).
      struct Piece {
        const real* x;
        std::size_t ld;
        Range inputs;
      };
      std::array<Piece, 2> pieces{Piece{Net::template input_of<I>(ws, x.block(0)),
                                        I == 0 ? x.stride : Net::template input_stride<I>(), k},
                                  Piece{nullptr, 0, {k.end, k.end}}};
      if constexpr (I == 0)
        if (!row_major(x)) {
          const std::size_t cut = std::clamp(input_cut, k.begin, k.end);
          pieces = {Piece{x.block(0), x.stride, {k.begin, cut}},
                    Piece{x.block(1), x.stride, {cut, k.end}}};
        }
      for (const Piece& piece : pieces) {
        if (piece.inputs.size() == 0) continue;
        net_.template layer<I>().template gradients_by_block<Kernel>(
            rows, piece.x, piece.ld, ws.gradients[I].data(), grad_->template layer<I>(),
            piece.inputs.begin, piece.inputs.end, update_block<I>,
            [&](std::size_t k0, std::size_t k1) {
              optimizer_.update(net_, *grad_, lr, false, [&](auto& n) {
                return n.template layer<I>().weights.span().subspan(k0 * ld, (k1 - k0) * ld);
              });
            });
      }
      if (k.begin == 0)
        optimizer_.update(net_, *grad_, lr, true,
                          [](auto& n) { return n.template layer<I>().bias.span(); });
    });
  }

  Net& net_;
  Optimizer optimizer_;
  std::unique_ptr<Net> grad_;
  /// A thread's buffers for a step: the layers' outputs and gradients (ws) and the first layer's
  /// sums over its two parts of inputs. The parts are not summed into ws.outputs[0], which
  /// phase 2 overwrites with the activations while another thread may still read the parts.
  struct ThreadBuffers {
    Workspace<Net> ws;
    std::array<AlignedBuffer<real>, 2> first_layer_parts;
  };
  std::vector<ThreadBuffers> own_;  ///< one per thread, which alone reads and writes them
  ThreadBuffers handed_;            ///< the rows threads hand each other (more than one thread)
  bool streamed_ = false;           ///< the handover of the steps thread 0 plans next
  bool last_streamed_ = false;      ///< the handover of the last step
  bool checked_handover_ = false;
  std::size_t reserved_rows_ = 0;  ///< rows the buffers a step computes in have room for
  /// The buffers thread t computes in, in a step handed over streamed or not (handed_ shared).
  ThreadBuffers& mine(std::size_t t, bool streamed) {
    return streamed || own_.size() == 1 ? own_[t] : handed_;
  }
  TrainerSettings settings_;
  real keep_scale_;
  std::array<AlignedBuffer<real>, depth> keep_;  ///< dropout masks of the hidden layers
  std::uint64_t steps_ = 0;
  WorkerPool pool_;
  TaskBarrier barrier_{pool_.size()};         ///< between the phases of a step
  std::array<std::optional<Plan>, 2> plans_;  ///< step i's in plans_[i % 2] (train_batches)
  std::atomic<std::uint64_t> announced_{0};   ///< the plans made so far in this run
  static constexpr std::uint64_t no_step = std::numeric_limits<std::uint64_t>::max();
  std::atomic<std::uint64_t> failed_step_{no_step};  ///< of the first phase that threw in this run
  struct alignas(64) PerThread {  // a cache line per thread: no sharing while they write
    std::size_t correct = 0;      ///< rows it classified right in the last step
    std::array<double, step_phases> seconds{};  ///< per phase, summed over the profiled steps
    std::exception_ptr error;                   ///< what a phase threw in this run
  };
  std::vector<PerThread> per_thread_;
  std::uint64_t profiled_steps_ = 0;
  std::vector<double> row_loss_;  ///< per row, summed in row order whatever T is
};

/// The predicted class of each of `rows` rows of x, written to out.
template <class Net, class Kernel = kernels::Default>
void predict(const Net& net, Workspace<Net>& ws, const real* x, std::size_t rows,
             std::uint8_t* out) {
  if (ws.capacity() < rows) ws.reserve(rows);
  const real* logits = net.template forward<Kernel>(ws, rows, x);
  for (std::size_t r = 0; r < rows; ++r)
    out[r] = argmax(logits + r * Net::last_layer::padded_out, Net::out_size);
}

}  // namespace dr
