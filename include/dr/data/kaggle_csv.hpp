// Kaggle's digit-recognizer CSV files, train.csv ("label,pixel0,...,pixel783") and test.csv
// ("pixel0,...,pixel783"), parsed from one in-memory buffer with std::from_chars; and the
// submission file ("ImageId,Label") that Kaggle scores.
#pragma once

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "dr/data/dataset.hpp"
#include "dr/error.hpp"
#include "dr/io/atomic_file.hpp"

namespace dr {

namespace detail {

/// A value for a message: quoted, non-printable bytes as \xNN, long ones cut short.
inline std::string quoted(std::string_view value) {
  constexpr std::size_t limit = 24;
  std::string out = "'";
  for (const char c : value.substr(0, limit)) {
    if (c >= ' ' && c <= '~') {
      out += c;
    } else {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", static_cast<unsigned char>(c));
      out += hex;
    }
  }
  return out + (value.size() > limit ? "'..." : "'");
}

/// "1 field", "2 fields".
inline std::string count_of(std::size_t n, const std::string& noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

/// The first `c` in [p, stop), or stop; memchr is much faster than a loop over long lines.
inline const char* find(const char* p, const char* stop, char c) {
  const void* hit = std::memchr(p, c, static_cast<std::size_t>(stop - p));
  return hit ? static_cast<const char*>(hit) : stop;
}

/// The text of a CSV file and the navigation its parser needs; positions are pointers into it.
/// Errors find their line and column only when thrown, so the hot loop keeps no counters.
class CsvText {
 public:
  CsvText(std::string_view text, std::string_view name) : text_(text), name_(name) {
    if (text_.starts_with("\xEF\xBB\xBF")) text_.remove_prefix(3);  // a UTF-8 BOM (Excel)
  }

  const char* begin() const { return text_.data(); }
  const char* end() const { return text_.data() + text_.size(); }

  /// Throws "NAME:LINE:COLUMN: what", both 1-based, for the character at `at`.
  [[noreturn]] void fail(const char* at, const std::string& what) const {
    const std::string_view before(begin(), static_cast<std::size_t>(at - begin()));
    const auto line = std::count(before.begin(), before.end(), '\n') + 1;
    const auto last_newline = before.rfind('\n');
    const auto column =
        before.size() - (last_newline == std::string_view::npos ? 0 : last_newline + 1) + 1;
    throw Error(name_ + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + what);
  }

  /// Whether `p` is where a line ends: "\n", "\r\n", or the end of the text.
  bool at_line_end(const char* p) const {
    return p == end() || *p == '\n' || (*p == '\r' && (p + 1 == end() || p[1] == '\n'));
  }
  /// The end of the line holding `p`, before its "\n" or "\r\n".
  const char* line_end(const char* p) const {
    const char* stop = find(p, end(), '\n');
    return stop > p && stop[-1] == '\r' ? stop - 1 : stop;
  }
  /// The start of the line after the one holding `p`, or end().
  const char* next_line(const char* p) const {
    const char* newline = find(p, end(), '\n');
    return newline == end() ? newline : newline + 1;
  }
  /// The end of the field starting at `p`, on a line ending at `stop`.
  static const char* field_end(const char* p, const char* stop) { return find(p, stop, ','); }
  /// Fields on the line starting at `line`, counted without parsing them.
  std::size_t field_count(const char* line) const {
    return static_cast<std::size_t>(std::count(line, line_end(line), ',')) + 1;
  }
  /// Whether nothing but line breaks is left from `p` on.
  bool only_blank_lines(const char* p) const {
    return std::all_of(p, end(), [](char c) { return c == '\n' || c == '\r'; });
  }

 private:
  std::string_view text_;
  std::string name_;
};

inline constexpr std::string_view kaggle_train_header = "label,pixel0,...,pixel783";
inline constexpr std::string_view kaggle_test_header = "pixel0,...,pixel783";

/// Checks the header line at `p` and moves `p` past it; returns whether rows carry a label.
inline bool parse_kaggle_header(const CsvText& csv, const char*& p) {
  const char* const stop = csv.line_end(p);
  const std::string_view line(p, static_cast<std::size_t>(stop - p));
  const std::string_view first = line.substr(0, line.find(','));
  if (first != "label" && first != "pixel0") {
    if (find(p, csv.end(), '\0') != csv.end())
      csv.fail(p, "binary data (NUL bytes), not a Kaggle CSV file");
    csv.fail(p, "expected the header '" + std::string(kaggle_train_header) + "' (train) or '" +
                    std::string(kaggle_test_header) + "' (test), found " + quoted(line));
  }
  const bool labelled = first == "label";
  const std::size_t fields = image_pixels + labelled;
  const std::string_view expected = labelled ? kaggle_train_header : kaggle_test_header;
  const char* field = p;
  for (std::size_t i = 0; i < fields; ++i) {
    if (i > 0) {
      if (field == stop)
        csv.fail(stop, "header has " + count_of(i, "field") + ", expected " +
                           std::to_string(fields) + " ('" + std::string(expected) + "')");
      ++field;  // the comma
    }
    const char* field_stop = csv.field_end(field, stop);
    const std::string_view name(field, static_cast<std::size_t>(field_stop - field));
    const std::string want = labelled && i == 0 ? "label" : "pixel" + std::to_string(i - labelled);
    if (name != want)
      csv.fail(field, "header field " + std::to_string(i + 1) + " is " + quoted(name) +
                          ", expected '" + want + "'");
    field = field_stop;
  }
  if (field != stop)
    csv.fail(field + 1, "header has " + count_of(csv.field_count(p), "field") + ", expected " +
                            std::to_string(fields) + " ('" + std::string(expected) + "')");
  p = csv.next_line(p);
  return labelled;
}

/// Parses the field at `p`, an integer in [0, max] followed by a comma or, for the last field of a
/// row, the line end; moves `p` past the comma or to the line end. `row` is for messages.
inline std::uint8_t parse_kaggle_field(const CsvText& csv, const char*& p, const char* row,
                                       unsigned max, bool last, std::size_t index,
                                       std::size_t fields) {
  unsigned value = 0;
  const auto [stop, ec] = std::from_chars(p, csv.end(), value);
  const bool comma = stop != csv.end() && *stop == ',';
  if (ec == std::errc{} && value <= max && (comma || csv.at_line_end(stop))) {
    if (comma && last)
      csv.fail(stop + 1, "row has " + count_of(csv.field_count(row), "field") + ", expected " +
                             std::to_string(fields));
    if (!comma && !last)
      csv.fail(stop,
               "row has " + count_of(index + 1, "field") + ", expected " + std::to_string(fields));
    p = comma ? stop + 1 : stop;
    return static_cast<std::uint8_t>(value);
  }
  const std::string_view text(p, static_cast<std::size_t>(csv.field_end(p, csv.line_end(p)) - p));
  if (text.empty()) csv.fail(p, max == 9 ? "empty label" : "empty pixel value");
  csv.fail(p, max == 9 ? "label " + quoted(text) + " is not a digit 0-9"
                       : "pixel value " + quoted(text) + " is not an integer in 0-255");
}

}  // namespace detail

/// Parses Kaggle CSV text; `name` prefixes messages ("NAME:LINE:COLUMN: what is wrong").
inline Dataset parse_kaggle_csv(std::string_view text, std::string_view name) {
  const detail::CsvText csv(text, name);
  if (csv.begin() == csv.end())
    csv.fail(csv.begin(), "empty file, expected a Kaggle CSV header '" +
                              std::string(detail::kaggle_train_header) + "' or '" +
                              std::string(detail::kaggle_test_header) + "'");
  const char* p = csv.begin();
  const bool labelled = detail::parse_kaggle_header(csv, p);
  if (csv.only_blank_lines(p)) csv.fail(p, "no data rows after the header");

  const std::size_t fields = image_pixels + labelled;
  Dataset data;
  data.source = std::string(name);
  // A row takes at least 2 bytes a field ("0,0,...,0\n"): a bound on the rows no input can inflate.
  const std::size_t max_rows = static_cast<std::size_t>(csv.end() - p) / (2 * fields) + 1;
  data.pixels.reserve(max_rows * image_pixels);
  if (labelled) data.labels.reserve(max_rows);

  while (p != csv.end()) {
    if (csv.at_line_end(p)) {
      if (csv.only_blank_lines(p)) break;  // blank lines at the end of the file are harmless
      csv.fail(p, "empty line, expected " + std::to_string(fields) + " fields");
    }
    const char* const row = p;
    if (labelled)
      data.labels.push_back(detail::parse_kaggle_field(csv, p, row, 9, false, 0, fields));
    const std::size_t offset = data.pixels.size();
    data.pixels.resize(offset + image_pixels);
    std::uint8_t* const pixels = data.pixels.data() + offset;
    for (std::size_t i = 0; i < image_pixels; ++i)
      pixels[i] =
          detail::parse_kaggle_field(csv, p, row, 255, i + 1 == image_pixels, i + labelled, fields);
    p = csv.next_line(p);
  }
  return data;
}

/// Loads a Kaggle train.csv (labelled) or test.csv (unlabelled).
inline Dataset load_kaggle_csv(const std::filesystem::path& path) {
  const auto bytes = read_file_bytes(path);
  return parse_kaggle_csv(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), path.string());
}

/// The submission Kaggle scores: "ImageId,Label", then "1,7" and so on, one row per prediction.
inline std::string format_submission(std::span<const std::uint8_t> predictions) {
  std::string out = "ImageId,Label\n";
  out.reserve(out.size() + predictions.size() * 9);
  char row[32];
  for (std::size_t i = 0; i < predictions.size(); ++i) {
    if (predictions[i] >= class_count)
      throw Error("submission: the prediction for ImageId " + std::to_string(i + 1) + " is " +
                  std::to_string(predictions[i]) + ", not a digit 0-9");
    char* end = std::to_chars(row, row + sizeof row, i + 1).ptr;
    *end++ = ',';
    *end++ = static_cast<char>('0' + predictions[i]);
    *end++ = '\n';
    out.append(row, end);
  }
  return out;
}

/// Writes the submission file atomically.
inline void write_submission(const std::filesystem::path& path,
                             std::span<const std::uint8_t> predictions) {
  write_file_atomically(path, std::string_view(format_submission(predictions)));
}

}  // namespace dr
