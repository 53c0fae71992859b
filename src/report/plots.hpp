// The sweep's four PNG plots as one gnuplot script: accuracy vs training noise (a line per test
// condition, error bars = sd over seeds), a heatmap of training noise x test noise, accuracy vs
// FGSM epsilon (a line per training noise), and the confusion matrix of one model.
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "gnuplot.hpp"
#include "summary.hpp"

namespace driver::sweep {

struct Plot {
  const char* file;
  int width, height;
};
inline constexpr Plot accuracy_plot{"accuracy_vs_train_noise.png", 900, 600};
inline constexpr Plot heatmap_plot{"noise_heatmap.png", 800, 600};
inline constexpr Plot fgsm_plot{"accuracy_vs_fgsm.png", 900, 600};
inline constexpr Plot confusion_plot{"confusion.png", 700, 600};
inline constexpr Plot plots[] = {accuracy_plot, heatmap_plot, fgsm_plot, confusion_plot};

namespace detail {

inline std::string fixed(double v, int decimals = 4) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

/// Resets gnuplot and points it at the plot's temporary file.
inline std::string start(const Plot& p, const std::filesystem::path& dir) {
  return "reset\nset terminal pngcairo size " + std::to_string(p.width) + "," +
         std::to_string(p.height) + " font 'Sans,11'\nset output " +
         gnuplot::quote(gnuplot::temporary_for(dir / p.file).string()) + "\nset grid\n";
}

/// "set xtics ('0' 0, '0.1' 1, ...)" for categorical axes.
inline std::string tics(const char* axis, const std::vector<std::string>& names) {
  std::string s = std::string("set ") + axis + " (";
  for (std::size_t i = 0; i < names.size(); ++i)
    s += (i ? ", " : "") + gnuplot::quote(names[i]) + " " + std::to_string(i);
  return s + ")\n";
}

inline std::vector<std::string> level_names(const Summary& s) {
  std::vector<std::string> names;
  for (const double p : s.train_noise) names.push_back(json::format_number(p));
  return names;
}

inline std::string seeds_text(const Summary& s) {
  std::size_t lo = s.cells, hi = 0;
  for (const auto& row : s.stats)
    for (const auto& st : row) lo = std::min(lo, st.n()), hi = std::max(hi, st.n());
  return lo == hi ? "n = " + std::to_string(lo) + " seeds"
                  : "n = " + std::to_string(lo) + " to " + std::to_string(hi) + " seeds";
}

inline std::string accuracy_vs_noise(const Summary& s, const std::filesystem::path& dir) {
  std::string g = start(accuracy_plot, dir) + "$accuracy << EOD\n";
  for (std::size_t l = 0; l < s.train_noise.size(); ++l) {
    g += json::format_number(s.train_noise[l]);
    // append(), not " " + fixed(...): g++ 12 then warns of a memcpy overlap (-Wrestrict, a
    // false positive) when this is inlined into the driver's unity build.
    for (const auto& st : s.stats[l])
      g.append(" ").append(fixed(100 * st.mean())).append(" ").append(fixed(100 * st.sd()));
    g += "\n";
  }
  g += "EOD\nset title " +
       gnuplot::quote("Test accuracy vs training noise (" + s.label() + ", mean ± sd, " +
                      seeds_text(s) + ")") +
       "\nset xlabel 'training noise (std of Gaussian pixel noise)'\n"
       "set ylabel 'test accuracy (%)'\nset yrange [0:100]\nset offsets 0.01, 0.01, 0, 0\n"
       "set key outside right top\nset xtics (";
  for (std::size_t l = 0; l < s.train_noise.size(); ++l)
    g += (l ? ", " : "") + json::format_number(s.train_noise[l]);
  g += ")\nplot ";
  for (std::size_t c = 0; c < s.conditions.size(); ++c)
    g += std::string(c ? ", \\\n  " : "") + "$accuracy using 1:" + std::to_string(2 * c + 2) + ":" +
         std::to_string(2 * c + 3) + " with yerrorlines lw 2 title " +
         gnuplot::quote("test: " + s.conditions[c].name);
  return g + "\nunset output\n";
}

// Boxes rather than `with image`, which needs at least a 2 x 2 grid.
inline std::string noise_heatmap(const Summary& s, const std::filesystem::path& dir) {
  const auto tests = s.noise_conditions();
  std::string g = start(heatmap_plot, dir) + "$heat << EOD\n";
  for (std::size_t l = 0; l < s.train_noise.size(); ++l)
    for (std::size_t t = 0; t < tests.size(); ++t)
      g += std::to_string(t) + " " + std::to_string(l) + " " +
           fixed(100 * s.stats[l][tests[t]].mean()) + "\n";
  std::vector<std::string> test_names;
  for (const auto t : tests)
    test_names.push_back(t == 0 ? "0 (clean)" : json::format_number(s.conditions[t].strength));
  g += "EOD\nset title " +
       gnuplot::quote("Mean test accuracy (%), " + s.label() + ", " + seeds_text(s)) +
       "\nset xlabel 'test noise (std)'\nset ylabel 'training noise (std)'\n" +
       tics("xtics", test_names) + tics("ytics", level_names(s)) +
       "set xrange [-0.5:" + std::to_string(tests.size()) +
       "-0.5]\nset yrange [-0.5:" + std::to_string(s.train_noise.size()) +
       "-0.5]\nunset grid\n"
       "set palette defined (0 '#fff5eb', 1 '#fd8d3c', 2 '#d94801')\nset cblabel 'accuracy (%)'\n"
       "plot $heat using 1:2:(0.5):(0.5):3 with boxxyerror fillstyle solid noborder fillcolor "
       "palette "
       "notitle, \\\n"
       "  $heat using 1:2:(sprintf('%.2f', $3)) with labels font ',12' notitle\nunset output\n";
  return g;
}

inline std::string accuracy_vs_fgsm(const Summary& s, const std::filesystem::path& dir) {
  // Epsilon 0 is the clean test set.
  std::vector<std::size_t> points{0};
  for (const auto c : s.fgsm_conditions()) points.push_back(c);
  std::string g = start(fgsm_plot, dir) + "$fgsm << EOD\n";
  for (std::size_t l = 0; l < s.train_noise.size(); ++l) {
    for (const auto c : points)
      g += json::format_number(s.conditions[c].strength) + " " + fixed(100 * s.stats[l][c].mean()) +
           " " + fixed(100 * s.stats[l][c].sd()) + "\n";
    g += "\n\n";
  }
  g += "EOD\nset title " +
       gnuplot::quote("Test accuracy under FGSM (" + s.label() + ", mean ± sd, " + seeds_text(s) +
                      ")") +
       "\nset xlabel 'FGSM epsilon (0 = clean)'\nset ylabel 'test accuracy (%)'\n"
       "set yrange [0:100]\nset offsets 0.005, 0.005, 0, 0\nset key outside right top\nplot ";
  for (std::size_t l = 0; l < s.train_noise.size(); ++l)
    g += std::string(l ? ", \\\n  " : "") + "$fgsm index " + std::to_string(l) +
         " using 1:2:3 with yerrorlines lw 2 title " +
         gnuplot::quote("train noise " + json::format_number(s.train_noise[l]));
  return g + "\nunset output\n";
}

inline std::string confusion(const Summary& s, const std::filesystem::path& dir) {
  std::string g = start(confusion_plot, dir) + "$confusion << EOD\n";
  for (int truth = 0; truth < 10; ++truth)
    for (int predicted = 0; predicted < 10; ++predicted)
      g += std::to_string(predicted) + " " + std::to_string(truth) + " " +
           fixed(s.confusion[truth][predicted], 0) + "\n";
  std::vector<std::string> digits;
  for (int d = 0; d < 10; ++d) digits.push_back(std::to_string(d));
  g += "EOD\nset title " +
       gnuplot::quote("Confusion matrix, clean test images: " + s.confusion_model) +
       "\nset xlabel 'predicted digit'\nset ylabel 'true digit'\n" + tics("xtics", digits) +
       tics("ytics", digits) +
       "set xrange [-0.5:9.5]\nset yrange [9.5:-0.5]\nunset grid\nset logscale cb\n"
       "set cbrange [1:*]\nset cblabel 'images (log scale)'\n"
       "set palette defined (0 '#f7fbff', 1 '#6baed6', 2 '#08306b')\n"
       "plot $confusion using 1:2:($3 > 0 ? $3 : 1) with image notitle, \\\n"
       "  $confusion using 1:2:(sprintf('%d', int($3))) with labels textcolor rgb '#d94801' "
       "notitle\n"
       "unset output\n";
  return g;
}

}  // namespace detail

/// Draws the four plots into dir; returns false (after a warning) if gnuplot could not.
inline bool draw_plots(const Summary& s, const std::filesystem::path& dir) {
  const auto absolute = std::filesystem::absolute(dir);
  const std::string script = detail::accuracy_vs_noise(s, absolute) +
                             detail::noise_heatmap(s, absolute) +
                             detail::accuracy_vs_fgsm(s, absolute) + detail::confusion(s, absolute);
  std::vector<std::filesystem::path> outputs;
  for (const auto& p : plots) outputs.push_back(absolute / p.file);
  return gnuplot::run(script, absolute / "plots.gp", outputs);
}

}  // namespace driver::sweep
