// `digit-recognizer sweep`: one training per (training noise level, seed) cell, each evaluated on
// clean test images, on test images with every level of Gaussian noise, and under FGSM and PGD.
// Each cell is written to DIR/cells/K.json on its own, so cells can run anywhere in any order,
// and a cell already finished with the same configuration is skipped.
#include <chrono>
#include <cstdio>
#include <optional>
#include <thread>

#include "commands.hpp"
#include "dr/adversarial.hpp"
#include "dr/data/batch.hpp"
#include "hidden_menu.hpp"
#include "report/sweep_cell.hpp"
#include "sweep_progress.hpp"
#include "training_recipe.hpp"
#include "usage_error.hpp"

namespace driver {
namespace {

struct SweepSettings {
  std::string train_file, train_labels, test_file, test_labels, out_dir;
  double validation = 0;
  std::vector<double> noise{0, 0.1, 0.2, 0.3};
  std::size_t seeds = 3;
  std::uint64_t seed = 1;
  std::size_t hidden = 128;
  TrainingRecipe recipe;
  std::string noise_mode = "all";
  double adversarial = 0;
  std::vector<double> fgsm{0.05, 0.1, 0.2};
  double pgd = 0.1;
  std::size_t pgd_steps = 10;
  std::uint64_t eval_seed = 2024;
  std::optional<std::size_t> cell;
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  bool quiet = false;

  std::size_t cell_count() const { return noise.size() * seeds; }
  double cell_noise(std::size_t cell) const { return noise[cell / seeds]; }
  std::uint64_t cell_seed(std::size_t cell) const { return seed + cell % seeds; }
};

json::Array numbers(const std::vector<double>& v) {
  return json::Array(v.begin(), v.end());
}

/// Everything that determines a cell's result. A cell file whose config equals this one is done.
json::Value cell_config(const SweepSettings& s, std::size_t cell) {
  return json::Object{
      {"cell", cell},
      {"train_noise", s.cell_noise(cell)},
      {"seed", s.cell_seed(cell)},
      {"hidden", s.hidden},
      {"train_file", s.train_file},
      {"test_file", s.test_file},
      {"validation", s.validation},
      {"noise_mode", s.noise_mode},
      {"adversarial", s.adversarial},
      {"recipe", s.recipe.to_json()},
      {"test_noise", numbers(s.noise)},
      {"fgsm", numbers(s.fgsm)},
      {"pgd", json::Object{{"eps", s.pgd}, {"steps", s.pgd_steps}, {"step", s.pgd / 4}}},
      {"eval_seed", s.eval_seed},
  };
}

std::string cell_label(const SweepSettings& s, std::size_t cell) {
  return "noise " + json::format_number(s.cell_noise(cell)) + " seed " +
         std::to_string(s.cell_seed(cell));
}

/// True if `file` holds a finished cell made with `config`. An unreadable or stale file is
/// reported and the cell is run again.
bool finished(const std::filesystem::path& file, const json::Value& config) {
  try {
    const auto cell = sweep::read_cell(file);
    return cell && (*cell)["config"] == config && cell->contains("results");
  } catch (const dr::Error& e) {
    std::fprintf(stderr, "digit-recognizer: warning: %s; running the cell again\n", e.what());
    return false;
  }
}

json::Value result(const sweep::Condition& c, const dr::ConfusionMatrix<dr::class_count>& m) {
  return json::Object{{"condition", c.name},    {"kind", c.kind},     {"strength", c.strength},
                      {"correct", m.correct()}, {"total", m.total()}, {"accuracy", m.accuracy()}};
}

json::Value confusion_json(const dr::ConfusionMatrix<dr::class_count>& m) {
  json::Array rows;
  for (const auto& row : m.counts) rows.push_back(json::Array(row.begin(), row.end()));
  return rows;
}

struct Data {
  dr::Dataset train, test;
  dr::Split split;
};

/// Trains cell `cell` and evaluates it under every condition; returns the cell's JSON.
template <class Net>
json::Value run_cell(const SweepSettings& s, std::size_t cell, const Data& data,
                     SweepProgress& progress) {
  using clock = std::chrono::steady_clock;
  const auto config = cell_config(s, cell);
  const std::uint64_t seed = s.cell_seed(cell);
  auto net = dr::make_network<Net>(seed);

  dr::FitOptions options;
  options.epochs = s.recipe.epochs;
  options.batch = s.recipe.batch;
  options.seed = seed;
  options.noise = static_cast<dr::real>(s.cell_noise(cell));
  options.noise_fraction = s.noise_mode == "half" ? 0.5 : 1.0;
  options.threads = s.threads;  // the model does not depend on it
  // FGSM adversarial training: each (noised) batch is replaced by its FGSM version against the
  // network as it is at that step.
  dr::InputGradient<Net> gradient(*net);
  dr::AlignedBuffer<dr::real> dx(s.recipe.batch * dr::image_pixels);
  if (s.adversarial > 0)
    options.perturb_batch = [&](dr::real* x, const std::uint8_t* labels, std::size_t rows) {
      dr::fgsm(gradient, rows, x, labels, static_cast<dr::real>(s.adversarial), dx.data(), x);
    };
  const dr::FitCallbacks callbacks{[&](const dr::BatchProgress& p) { progress.batch(p); }, {}};
  const auto train_start = clock::now();
  const auto reports = RecipeTraining<Net>::fit(*net, s.recipe, data.train, data.split.train,
                                                data.split.validation, options, callbacks);
  const double train_seconds = std::chrono::duration<double>(clock::now() - train_start).count();

  progress.evaluating();
  const auto eval_start = clock::now();
  const auto rows = dr::all_rows(data.test.rows());
  json::Array results;
  json::Value clean_confusion;
  for (const auto& c : sweep::conditions(config)) {
    const auto strength = static_cast<dr::real>(c.strength);
    dr::ConfusionMatrix<dr::class_count> m;
    if (c.kind == "noise")
      m = dr::evaluate(*net, data.test, rows, strength, s.eval_seed);
    else if (c.kind == "fgsm")
      m = dr::evaluate_fgsm(*net, data.test, rows, strength);
    else
      m = dr::evaluate_pgd(*net, data.test, rows, {strength, s.pgd_steps, strength / 4},
                           dr::derive_seed(s.eval_seed, 0x9d));
    if (c.name == "clean") clean_confusion = confusion_json(m);
    results.push_back(result(c, m));
  }
  const double eval_seconds = std::chrono::duration<double>(clock::now() - eval_start).count();

  json::Object cell_json{{"format", "digit-recognizer sweep cell 1"},
                         {"config", config},
                         {"train_rows", data.split.train.size()},
                         {"test_rows", data.test.rows()},
                         {"final_loss", reports.back().loss},
                         {"final_train_accuracy", reports.back().train_accuracy}};
  if (reports.back().validation_accuracy)
    cell_json.emplace_back("validation_accuracy", *reports.back().validation_accuracy);
  cell_json.insert(cell_json.end(), {{"training_seconds", train_seconds},
                                     {"evaluation_seconds", eval_seconds},
                                     {"finished_at", utc_now()},
                                     {"results", results},
                                     {"clean_confusion", clean_confusion}});
  return cell_json;
}

/// "clean 97.8%, noise 0.3 95.1%, FGSM 0.1 40.2%, ..."
std::string summary(const json::Value& cell) {
  std::string s;
  for (const auto& r : cell["results"].array()) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s%s %.2f%%", s.empty() ? "" : ", ",
                  r["condition"].string().c_str(), 100 * r["accuracy"].number());
    s += buf;
  }
  return s;
}

void check(const SweepSettings& s) {
  for (const double p : s.noise)
    if (p < 0 || p > 10)
      throw UsageError("--noise " + json::format_number(p) + ": levels must be in [0, 10]");
  for (const double e : s.fgsm)
    if (e <= 0 || e > 1)
      throw UsageError("--fgsm " + json::format_number(e) + ": epsilons must be in (0, 1]");
  if (s.cell && *s.cell >= s.cell_count())
    throw UsageError("--cell " + std::to_string(*s.cell) + ": this sweep has cells 0 to " +
                     std::to_string(s.cell_count() - 1) + " (" + std::to_string(s.noise.size()) +
                     " noise levels x " + std::to_string(s.seeds) + " seeds)");
}

template <class Net>
void sweep(const SweepSettings& s) {
  check(s);
  const std::filesystem::path dir = s.out_dir;
  std::error_code ec;
  std::filesystem::create_directories(sweep::cells_folder(dir), ec);
  if (ec) throw dr::Error(sweep::cells_folder(dir).string() + ": cannot create: " + ec.message());

  std::vector<std::size_t> to_run;
  SweepProgress progress(s.quiet, 0, s.cell_count());
  for (std::size_t k = 0; k < s.cell_count(); ++k) {
    if (s.cell && *s.cell != k) continue;
    if (finished(sweep::cell_file(dir, k), cell_config(s, k)))
      progress.skip_cell(k, cell_label(s, k));
    else
      to_run.push_back(k);
  }

  if (!to_run.empty()) {
    Data data{load_input(s.train_file, s.train_labels), load_input(s.test_file, s.test_labels), {}};
    if (!data.train.labelled())
      throw dr::Error(s.train_file + ": has no labels; training needs them");
    if (!data.test.labelled())
      throw dr::Error(s.test_file + ": has no labels; the sweep needs them");
    if (!s.quiet)
      std::printf("sweep: %zu cells to run of %zu (%zu noise levels x %zu seeds), %s, %s\n",
                  to_run.size(), s.cell_count(), s.noise.size(), s.seeds, Net::shape().c_str(),
                  s.recipe.describe().c_str());
    progress = SweepProgress(s.quiet, to_run.size(), s.cell_count());
    for (const std::size_t k : to_run) {
      // The same held-out split as `train --seed S --validation F`.
      data.split =
          dr::split_rows(data.train.rows(), s.validation, dr::derive_seed(s.cell_seed(k), 0xda7a));
      if (data.split.train.empty())
        throw dr::Error(s.train_file + ": no rows left to train on after holding out --validation");
      progress.start_cell(cell_label(s, k));
      const auto cell = run_cell<Net>(s, k, data, progress);
      dr::write_file_atomically(sweep::cell_file(dir, k), json::to_text(cell));
      progress.finish_cell(k, summary(cell));
    }
  }
  if (!s.cell) sweep::write_report(dir);
}

}  // namespace

void add_sweep_command(CLI::App& app) {
  auto s = std::make_shared<SweepSettings>();
  auto* cmd = app.add_subcommand(
      "sweep", "Train one model per (noise level, seed) and test each clean, noisy and attacked");
  cmd->add_option("--train", s->train_file, "Kaggle train.csv or MNIST IDX image file")->required();
  cmd->add_option("--train-labels", s->train_labels,
                  "IDX label file of --train (default: beside it)");
  cmd->add_option("--test", s->test_file, "Labelled test data (Kaggle CSV or MNIST IDX)")
      ->required();
  cmd->add_option("--test-labels", s->test_labels, "IDX label file of --test (default: beside it)");
  cmd->add_option("--out", s->out_dir, "Folder for cells/ and the report")->required();
  cmd->add_option("--validation", s->validation, "Fraction of training rows held out")
      ->check(CLI::Range(0.0, 0.99));
  cmd->add_option("--noise", s->noise,
                  "Noise levels (std of Gaussian pixel noise), for training and for testing")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--seeds", s->seeds, "Trainings per noise level")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--seed", s->seed, "First seed; level i's runs use seeds S, S+1, ...")
      ->capture_default_str();
  cmd->add_option("--hidden", s->hidden, "Hidden units: " + menu_text())->capture_default_str();
  add_recipe_options(cmd, s->recipe);
  cmd->add_option("--noise-mode", s->noise_mode,
                  "all: noise on every training image; half: on a random half each epoch")
      ->check(CLI::IsMember({"all", "half"}))
      ->capture_default_str();
  cmd->add_option("--adversarial", s->adversarial,
                  "FGSM adversarial training at this epsilon (0: none)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option("--fgsm", s->fgsm, "FGSM epsilons to test under")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--pgd", s->pgd, "PGD epsilon to test under (0: none); steps of epsilon/4")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option("--pgd-steps", s->pgd_steps, "PGD steps")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--eval-seed", s->eval_seed,
                  "Seed of the test noise and PGD starts (same for every model)")
      ->capture_default_str();
  cmd->add_option("--cell", s->cell,
                  "Run only cell K (0-based: level K / seeds, seed K % seeds); no report");
  cmd->add_option("--threads", s->threads,
                  "Threads per training (default: all cores); with noise all of them make batches "
                  "and half of them train")
      ->check(CLI::Range(1u, 256u));
  cmd->add_flag("--quiet", s->quiet, "Print only errors and warnings");
  cmd->callback([s] {
    with_hidden_size(s->hidden,
                     [&](auto net_type) { sweep<typename decltype(net_type)::type>(*s); });
  });
}

}  // namespace driver
