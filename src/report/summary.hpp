// The merged view of a sweep's cells: test accuracy per (training noise level, test condition)
// as mean and spread over the seeds. Tables and plots are both drawn from it.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "json.hpp"
#include "sweep_cell.hpp"

namespace driver::sweep {

/// Accuracies (fractions) of the seeds of one training noise level under one test condition.
struct Stats {
  std::vector<double> values;

  std::size_t n() const { return values.size(); }
  double mean() const { return std::accumulate(values.begin(), values.end(), 0.0) / double(n()); }
  /// The sample standard deviation (n - 1 in the denominator); 0 for a single seed.
  double sd() const {
    if (n() < 2) return 0;
    const double m = mean();
    double ss = 0;
    for (const double v : values) ss += (v - m) * (v - m);
    return std::sqrt(ss / double(n() - 1));
  }
  double min() const { return *std::min_element(values.begin(), values.end()); }
  double max() const { return *std::max_element(values.begin(), values.end()); }
};

struct Summary {
  json::Value config;                 ///< the cells' shared configuration (a cell's, minus its own)
  std::vector<double> train_noise;    ///< distinct levels, ascending
  std::vector<Condition> conditions;  ///< in report order, clean first
  std::vector<std::vector<Stats>> stats;  ///< [level][condition]
  std::size_t cells = 0;
  std::size_t train_rows = 0, test_rows = 0;
  /// counts[truth][predicted] on clean test images of one model, and which model it is.
  std::array<std::array<double, 10>, 10> confusion{};
  std::string confusion_model;

  /// The test-noise conditions (clean and "noise P") with their indices into conditions.
  std::vector<std::size_t> noise_conditions() const { return of_kind("noise"); }
  std::vector<std::size_t> fgsm_conditions() const { return of_kind("fgsm"); }

  /// "784-128-10"
  std::string shape() const {
    return "784-" + json::format_number(config["hidden"].number()) + "-10";
  }

  /// The shape, plus how training differed from the plain recipe: for titles.
  std::string label() const {
    std::string s = shape();
    if (config["noise_mode"].string() == "half") s += ", noise on half the images";
    if (const double eps = config["adversarial"].number(); eps > 0)
      s += ", FGSM training ε = " + json::format_number(eps);
    return s;
  }

 private:
  std::vector<std::size_t> of_kind(const std::string& kind) const {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < conditions.size(); ++i)
      if (conditions[i].kind == kind) out.push_back(i);
    return out;
  }
};

}  // namespace driver::sweep
