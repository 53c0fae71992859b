// `digit-recognizer report DIR`: merges DIR/cells/*.json into sweep.csv (one row per cell and
// test condition), sweep.json and sweep.md (mean ± sd over seeds per training noise x condition)
// and the PNG plots. `sweep` calls the same function after its last cell.
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "commands.hpp"
#include "report/plots.hpp"
#include "report/summary.hpp"
#include "report/sweep_cell.hpp"

namespace driver {
namespace sweep {
namespace {

struct Cell {
  std::size_t index;
  std::filesystem::path file;
  json::Value data;
  double train_noise() const { return data["config"]["train_noise"].number(); }
  double seed() const { return data["config"]["seed"].number(); }
};

/// A cell's configuration without what differs from cell to cell.
json::Value shared_config(const json::Value& config) {
  json::Object out;
  for (const auto& member : config.object())
    if (member.first != "cell" && member.first != "train_noise" && member.first != "seed")
      out.push_back(member);
  return out;
}

/// The cell files of dir, by cell number, each checked to belong to the same sweep.
std::vector<Cell> load_cells(const std::filesystem::path& dir) {
  const auto folder = cells_folder(dir);
  std::error_code ec;
  std::vector<Cell> cells;
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
    const auto name = entry.path().stem().string();
    if (entry.path().extension() != ".json" || name.empty() ||
        !std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; }))
      continue;
    cells.push_back({std::stoul(name), entry.path(), *read_cell(entry.path())});
  }
  if (ec) throw dr::Error(folder.string() + ": cannot read: " + ec.message());
  if (cells.empty())
    throw dr::Error(folder.string() + ": no cell files; run `digit-recognizer sweep` first");
  std::sort(cells.begin(), cells.end(), [](auto& a, auto& b) { return a.index < b.index; });

  const auto reference = shared_config(cells.front().data["config"]);
  for (const auto& c : cells) {
    try {
      const auto config = shared_config(c.data["config"]);
      for (const auto& [key, value] : reference.object())
        if (!config.contains(key) || config[key] != value)
          throw dr::Error("made with a different \"" + key + "\" than " +
                          cells.front().file.filename().string() +
                          "; remove the stale cells or sweep into another folder");
      c.data["results"].array();
    } catch (const dr::Error& e) {
      throw dr::Error(c.file.string() + ": " + e.what());
    }
  }
  return cells;
}

Summary summarize(const std::vector<Cell>& cells) {
  Summary s;
  s.config = shared_config(cells.front().data["config"]);
  s.conditions = conditions(cells.front().data["config"]);
  s.cells = cells.size();
  s.train_rows = static_cast<std::size_t>(cells.front().data["train_rows"].number());
  s.test_rows = static_cast<std::size_t>(cells.front().data["test_rows"].number());
  std::set<double> levels;
  for (const auto& c : cells) levels.insert(c.train_noise());
  s.train_noise.assign(levels.begin(), levels.end());
  s.stats.assign(s.train_noise.size(), std::vector<Stats>(s.conditions.size()));
  for (const auto& c : cells) {
    const auto level = static_cast<std::size_t>(
        std::find(s.train_noise.begin(), s.train_noise.end(), c.train_noise()) -
        s.train_noise.begin());
    const auto& results = c.data["results"].array();
    if (results.size() != s.conditions.size())
      throw dr::Error(c.file.string() + ": has " + std::to_string(results.size()) +
                      " results but its configuration asks for " +
                      std::to_string(s.conditions.size()));
    for (std::size_t k = 0; k < results.size(); ++k)
      s.stats[level][k].values.push_back(results[k]["accuracy"].number());
  }
  // The confusion matrix of the first model of the lowest training noise.
  const auto first = std::find_if(cells.begin(), cells.end(), [&](const Cell& c) {
    return c.train_noise() == s.train_noise.front();
  });
  const auto& rows = first->data["clean_confusion"].array();
  for (std::size_t t = 0; t < 10 && t < rows.size(); ++t)
    for (std::size_t p = 0; p < 10 && p < rows[t].array().size(); ++p)
      s.confusion[t][p] = rows[t].array()[p].number();
  s.confusion_model = s.shape() + " trained with noise " +
                      json::format_number(first->train_noise()) + ", seed " +
                      json::format_number(first->seed());
  return s;
}

std::string csv(const std::vector<Cell>& cells) {
  std::string out =
      "cell,train_noise,seed,noise_mode,adversarial,condition,kind,strength,correct,total,"
      "accuracy\n";
  for (const auto& c : cells) {
    const auto& config = c.data["config"];
    const std::string prefix = std::to_string(c.index) + "," +
                               json::format_number(c.train_noise()) + "," +
                               json::format_number(c.seed()) + "," + config["noise_mode"].string() +
                               "," + json::format_number(config["adversarial"].number()) + ",";
    for (const auto& r : c.data["results"].array())
      out += prefix + r["condition"].string() + "," + r["kind"].string() + "," +
             json::format_number(r["strength"].number()) + "," +
             json::format_number(r["correct"].number()) + "," +
             json::format_number(r["total"].number()) + "," +
             json::format_number(r["accuracy"].number()) + "\n";
  }
  return out;
}

json::Value summary_json(const Summary& s) {
  json::Array rows;
  for (std::size_t l = 0; l < s.train_noise.size(); ++l)
    for (std::size_t c = 0; c < s.conditions.size(); ++c) {
      const auto& st = s.stats[l][c];
      rows.push_back(json::Object{{"train_noise", s.train_noise[l]},
                                  {"condition", s.conditions[c].name},
                                  {"kind", s.conditions[c].kind},
                                  {"strength", s.conditions[c].strength},
                                  {"n", st.n()},
                                  {"mean", st.mean()},
                                  {"sd", st.sd()},
                                  {"min", st.min()},
                                  {"max", st.max()},
                                  {"values", json::Array(st.values.begin(), st.values.end())}});
    }
  return json::Object{{"format", "digit-recognizer sweep report 1"},
                      {"config", s.config},
                      {"cells", s.cells},
                      {"train_rows", s.train_rows},
                      {"test_rows", s.test_rows},
                      {"summary", rows}};
}

std::string markdown(const Summary& s, const std::vector<Cell>& cells, bool plotted) {
  const auto& config = s.config;
  const auto& recipe = config["recipe"];
  std::set<double> seeds;
  for (const auto& c : cells) seeds.insert(c.seed());
  std::string seed_list;
  for (const double v : seeds)
    seed_list += (seed_list.empty() ? "" : ", ") + json::format_number(v);
  const double adversarial = config["adversarial"].number();

  std::string md = "## Noise study: " + s.label() + "\n\n";
  md += "Test accuracy (%) on " + std::to_string(s.test_rows) +
        " test images, mean ± sample sd over the seeds of each row (n). Trained on " +
        std::to_string(s.train_rows) + " rows of " + config["train_file"].string() + ", " +
        json::format_number(recipe["epochs"].number()) + " epochs, batch " +
        json::format_number(recipe["batch"].number()) + ", " + recipe["optimizer"].string() +
        " lr " + json::format_number(recipe["lr"].number()) + " " + recipe["schedule"].string() +
        "; training noise on " +
        (config["noise_mode"].string() == "half" ? "a random half of the images" : "every image") +
        " each epoch" +
        (adversarial > 0 ? "; FGSM adversarial training at ε = " + json::format_number(adversarial)
                         : "") +
        "; seeds " + seed_list + ". Tested on " + config["test_file"].string() +
        "; test noise and PGD starts from evaluation seed " +
        json::format_number(config["eval_seed"].number()) +
        " (the same images for every model); PGD: " +
        json::format_number(config["pgd"]["steps"].number()) +
        " steps of ε/4 from a random start.\n\n";

  md += "| train noise | n |";
  std::string rule = "|---:|---:|";
  for (const auto& c : s.conditions) md += " " + c.name + " |", rule += "---:|";
  md += "\n" + rule + "\n";
  for (std::size_t l = 0; l < s.train_noise.size(); ++l) {
    std::size_t n = 0;
    for (const auto& st : s.stats[l]) n = std::max(n, st.n());
    md += "| " + json::format_number(s.train_noise[l]) + " | " + std::to_string(n) + " |";
    for (const auto& st : s.stats[l])
      md +=
          " " + detail::fixed(100 * st.mean(), 2) + " ± " + detail::fixed(100 * st.sd(), 2) + " |";
    md += "\n";
  }
  if (plotted) {
    md += "\nPlots:";
    for (const auto& p : plots) md += std::string(" ") + p.file;
    md += " (confusion matrix: " + s.confusion_model + ").\n";
  }
  return md;
}

}  // namespace

void write_report(const std::filesystem::path& dir) {
  const auto cells = load_cells(dir);
  const auto summary = summarize(cells);
  dr::write_file_atomically(dir / "sweep.csv", csv(cells));
  dr::write_file_atomically(dir / "sweep.json", json::to_text(summary_json(summary)));
  const bool plotted = draw_plots(summary, dir);
  dr::write_file_atomically(dir / "sweep.md", markdown(summary, cells, plotted));
  std::printf("report: %zu cells merged into %s/sweep.{csv,json,md}%s\n", cells.size(),
              dir.string().c_str(), plotted ? " and 4 PNG plots" : " (no plots)");
}

}  // namespace sweep

void add_report_command(CLI::App& app) {
  auto dir = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("report", "Merge a sweep's cells into tables and plots");
  cmd->add_option("dir", *dir, "The folder given to sweep --out")->required();
  cmd->callback([dir] { sweep::write_report(*dir); });
}

}  // namespace driver
