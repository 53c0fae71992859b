// What `sweep` and `report` share: the layout of a sweep folder, the test conditions a cell is
// evaluated under, and reading a cell file back.
//
// DIR/cells/K.json holds cell K: its configuration (the sweep's settings plus its own training
// noise and seed) and its results, one entry per test condition.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "dr/io/atomic_file.hpp"
#include "json.hpp"

namespace driver::sweep {

/// One way of testing a model: clean, with Gaussian noise, or under an attack of some strength.
struct Condition {
  std::string name;  ///< "clean", "noise 0.1", "FGSM 0.05", "PGD 0.1"
  std::string kind;  ///< "noise" (clean is noise 0), "fgsm" or "pgd"
  double strength;   ///< the noise's standard deviation or the attack's epsilon
};

/// The conditions a cell with this configuration is tested under, in report order: clean, each
/// test-noise level above 0, each FGSM epsilon, then PGD (if its epsilon is above 0).
inline std::vector<Condition> conditions(const json::Value& config) {
  std::vector<Condition> list{{"clean", "noise", 0}};
  for (const auto& p : config["test_noise"].array())
    if (p.number() > 0)
      list.push_back({"noise " + json::format_number(p.number()), "noise", p.number()});
  for (const auto& e : config["fgsm"].array())
    list.push_back({"FGSM " + json::format_number(e.number()), "fgsm", e.number()});
  if (const double eps = config["pgd"]["eps"].number(); eps > 0)
    list.push_back({"PGD " + json::format_number(eps), "pgd", eps});
  return list;
}

inline std::filesystem::path cells_folder(const std::filesystem::path& dir) {
  return dir / "cells";
}
inline std::filesystem::path cell_file(const std::filesystem::path& dir, std::size_t cell) {
  return cells_folder(dir) / (std::to_string(cell) + ".json");
}

/// The parsed cell file, or nothing if it does not exist. A file that cannot be read or parsed
/// throws dr::Error naming it.
inline std::optional<json::Value> read_cell(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return std::nullopt;
  const auto bytes = dr::read_file_bytes(file);
  return json::parse(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
                     file.string());
}

/// Merges DIR/cells/*.json into DIR/sweep.csv, sweep.json, sweep.md and the PNG plots.
void write_report(const std::filesystem::path& dir);

}  // namespace driver::sweep
