#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "data_files.hpp"
#include "dr/data/kaggle_csv.hpp"

using dr::test::kaggle_csv;
using dr::test::kaggle_header;
using dr::test::TempDir;

namespace {

/// A train.csv row of zeros, one pixel replaced by `value`: field k (0-based, label first) then
/// starts at column 2k + 1.
std::string zero_row(const std::string& label, std::size_t pixel = 0,
                     const std::string& value = "0") {
  std::string row = label;
  for (std::size_t i = 0; i < dr::image_pixels; ++i) row += "," + (i == pixel ? value : "0");
  return row;
}

/// The message parse_kaggle_csv throws for `text`, or "" if it parses.
std::string csv_error(const std::string& text) {
  try {
    dr::parse_kaggle_csv(text, "t.csv");
  } catch (const dr::Error& e) {
    return e.what();
  }
  return "";
}

const std::string train_header = kaggle_header(true) + "\n";

}  // namespace

TEST_CASE("kaggle csv: train file loads labels and pixels") {
  const TempDir dir;
  const auto expected = dr::test::random_dataset(5, 1);
  const auto file = dir.write("train.csv", kaggle_csv(expected));
  const auto data = dr::load_kaggle_csv(file);
  CHECK(data.source == file.string());
  CHECK(data.rows() == 5);
  CHECK(data.labels == expected.labels);
  CHECK(data.pixels == expected.pixels);
}

TEST_CASE("kaggle csv: test file without labels loads unlabelled") {
  auto expected = dr::test::random_dataset(4, 2);
  expected.labels.clear();
  const auto data = dr::parse_kaggle_csv(kaggle_csv(expected), "test.csv");
  CHECK_FALSE(data.labelled());
  CHECK(data.pixels == expected.pixels);
}

TEST_CASE("kaggle csv: CRLF, a missing final newline and trailing blank lines are accepted") {
  const auto expected = dr::test::random_dataset(3, 3);
  const std::string crlf = kaggle_csv(expected, "\r\n");
  const std::string lf = kaggle_csv(expected, "\n");
  for (const std::string& text :
       {crlf, crlf.substr(0, crlf.size() - 2), lf.substr(0, lf.size() - 1), lf + "\n",
        crlf + "\r\n", "\xEF\xBB\xBF" + lf}) {
    const auto data = dr::parse_kaggle_csv(text, "t.csv");
    CHECK(data.labels == expected.labels);
    CHECK(data.pixels == expected.pixels);
  }
}

TEST_CASE("kaggle csv: missing file says so") {
  const TempDir dir;
  REQUIRE_THROWS_WITH(dr::load_kaggle_csv(dir / "nope.csv"),
                      (dir / "nope.csv").string() + ": no such file");
}

TEST_CASE("kaggle csv: empty file is rejected at 1:1") {
  CHECK(csv_error("") ==
        "t.csv:1:1: empty file, expected a Kaggle CSV header 'label,pixel0,...,pixel783' or "
        "'pixel0,...,pixel783'");
}

TEST_CASE("kaggle csv: wrong header says what was expected") {
  CHECK(csv_error("id,a,b\n1,2,3\n") ==
        "t.csv:1:1: expected the header 'label,pixel0,...,pixel783' (train) or "
        "'pixel0,...,pixel783' (test), found 'id,a,b'");
}

TEST_CASE("kaggle csv: header with a misnamed field names its column") {
  std::string header = kaggle_header(true);
  const auto at = header.find(",pixel5,") + 1;
  header.replace(at, 6, "pixel55");
  CHECK(csv_error(header + "\n" + zero_row("1") + "\n") ==
        "t.csv:1:" + std::to_string(at + 1) + ": header field 7 is 'pixel55', expected 'pixel5'");
}

TEST_CASE("kaggle csv: header with too few or too many fields counts them") {
  const std::string header = kaggle_header(false);
  const std::string short_header = header.substr(0, header.rfind(','));
  CHECK(csv_error(short_header + "\n" + zero_row("0").substr(2) + "\n") ==
        "t.csv:1:" + std::to_string(short_header.size() + 1) +
            ": header has 783 fields, expected 784 ('pixel0,...,pixel783')");
  CHECK(csv_error(header + ",pixel784\n") ==
        "t.csv:1:" + std::to_string(header.size() + 2) +
            ": header has 785 fields, expected 784 ('pixel0,...,pixel783')");
}

TEST_CASE("kaggle csv: header-only file is rejected") {
  CHECK(csv_error(train_header) == "t.csv:2:1: no data rows after the header");
  CHECK(csv_error(kaggle_header(true)) ==
        "t.csv:1:" + std::to_string(kaggle_header(true).size() + 1) +
            ": no data rows after the header");
}

TEST_CASE("kaggle csv: short row names line and column") {
  const std::string row = zero_row("3");
  const std::string short_row = row.substr(0, row.size() - 2);
  CHECK(csv_error(train_header + row + "\n" + short_row + "\n" + row + "\n") ==
        "t.csv:3:" + std::to_string(short_row.size() + 1) + ": row has 784 fields, expected 785");
  CHECK(csv_error(train_header + "7\r\n") == "t.csv:2:2: row has 1 field, expected 785");
}

TEST_CASE("kaggle csv: long row names the column of the first extra field") {
  const std::string row = zero_row("3");
  CHECK(csv_error(train_header + row + ",0,0\r\n") ==
        "t.csv:2:" + std::to_string(row.size() + 2) + ": row has 787 fields, expected 785");
}

TEST_CASE("kaggle csv: pixel value not an integer in 0-255 is quoted with its column") {
  const auto error_for = [](const std::string& value) {
    return csv_error(train_header + zero_row("1") + "\n" + zero_row("1", 9, value) + "\n");
  };
  const std::string at = "t.csv:3:" + std::to_string(2 * 10 + 1) + ": ";
  CHECK(error_for("256") == at + "pixel value '256' is not an integer in 0-255");
  CHECK(error_for("-1") == at + "pixel value '-1' is not an integer in 0-255");
  CHECK(error_for("1.5") == at + "pixel value '1.5' is not an integer in 0-255");
  CHECK(error_for(" 7") == at + "pixel value ' 7' is not an integer in 0-255");
  CHECK(error_for("99999999999999999999999") ==
        at + "pixel value '99999999999999999999999' is not an integer in 0-255");
  CHECK(error_for(std::string(100, '9')) ==
        at + "pixel value '" + std::string(24, '9') + "'... is not an integer in 0-255");
  CHECK(error_for("") == at + "empty pixel value");
}

TEST_CASE("kaggle csv: label outside 0-9 is rejected") {
  CHECK(csv_error(train_header + zero_row("10") + "\n") ==
        "t.csv:2:1: label '10' is not a digit 0-9");
  CHECK(csv_error(train_header + zero_row("x") + "\n") ==
        "t.csv:2:1: label 'x' is not a digit 0-9");
}

TEST_CASE("kaggle csv: empty line between rows is rejected") {
  CHECK(csv_error(train_header + zero_row("1") + "\n\n" + zero_row("2") + "\n") ==
        "t.csv:3:1: empty line, expected 785 fields");
}

TEST_CASE("kaggle csv: binary garbage is rejected") {
  const std::string garbage("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
  CHECK(csv_error(garbage) == "t.csv:1:1: binary data (NUL bytes), not a Kaggle CSV file");
  CHECK(csv_error(train_header + zero_row("1", 3, std::string("\0\x01", 2)) + "\n") ==
        "t.csv:2:9: pixel value '\\x00\\x01' is not an integer in 0-255");
}

TEST_CASE("kaggle csv: a 10-million-field line fails fast") {
  std::string huge;
  huge.reserve(20'000'000);
  huge += "0";
  for (int i = 1; i < 10'000'000; ++i) huge += ",0";
  const auto start = std::chrono::steady_clock::now();
  CHECK(csv_error(train_header + huge + "\n") ==
        "t.csv:2:" + std::to_string(2 * 785 + 1) + ": row has 10000000 fields, expected 785");
  CHECK(csv_error("pixel0" + huge.substr(1) + "\n") ==
        "t.csv:1:8: header field 2 is '0', expected 'pixel1'");
  CHECK(csv_error(kaggle_header(false) + huge.substr(1) + "\n") ==
        "t.csv:1:" + std::to_string(kaggle_header(false).size() + 2) +
            ": header has 10000783 fields, expected 784 ('pixel0,...,pixel783')");
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
}

TEST_CASE("submission: header, row count and ImageId sequence") {
  const TempDir dir;
  const std::vector<std::uint8_t> predictions = {7, 0, 9, 3, 3};
  dr::write_submission(dir / "submission.csv", predictions);
  CHECK(dr::test::read_text(dir / "submission.csv") == "ImageId,Label\n1,7\n2,0\n3,9\n4,3\n5,3\n");
  CHECK(dir.entries() == std::vector<std::string>{"submission.csv"});

  const std::vector<std::uint8_t> many(28000, 4);
  const std::string text = dr::format_submission(many);
  CHECK(std::count(text.begin(), text.end(), '\n') == 28001);
  CHECK(text.ends_with("\n27999,4\n28000,4\n"));
}

TEST_CASE("submission: a prediction outside 0-9 is rejected") {
  const std::vector<std::uint8_t> predictions = {1, 10};
  REQUIRE_THROWS_WITH(dr::format_submission(predictions),
                      "submission: the prediction for ImageId 2 is 10, not a digit 0-9");
}
