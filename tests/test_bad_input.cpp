// The bad-input catalogue, through the built driver: every case exits non-zero with one line that
// names the file (and the line and column, or the byte offset, where there is one) and leaves
// the folder as it was. Usage errors exit 2, problems with files or data exit 1.
#include <unistd.h>
#include <zlib.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "data_files.hpp"
#include "dr/model_file.hpp"
#include "support/refusal.hpp"
#include "support/synthetic_digits.hpp"

namespace fs = std::filesystem;

namespace {

/// A folder with good inputs (train.csv, test.csv, model.bin) and an earlier submission and
/// model that no refused run may touch; each case adds its bad file.
struct Workbench {
  fs::path dir;
  std::string d;  ///< dir as a string, for command lines

  explicit Workbench(const std::string& name) : dir(dr::test::fresh_folder("bad_" + name)) {
    d = dir.string();
    dr::test::write_kaggle_csv(dir / "train.csv", dr::test::synthetic_digits(40, 1), true);
    dr::test::write_kaggle_csv(dir / "test.csv", dr::test::synthetic_digits(5, 2), false);
    write("model.bin", model_bytes<dr::Network<784, 10, 10>>());
    write("old.bin", "an earlier model the refused run must leave alone");
    write("submission.csv", "ImageId,Label\n1,7\n");
  }

  fs::path write(const std::string& name, const std::string& content) const {
    std::ofstream(dir / name, std::ios::binary) << content;
    return dir / name;
  }
  std::string path(const std::string& name) const { return d + "/" + name; }

  /// `train` on `file` into old.bin.
  std::string train(const std::string& file, const std::string& more = "") const {
    return "train --quiet --hidden 10 --train " + path(file) + " --model " + path("old.bin") + more;
  }
  /// Writes `content` as `file` and checks that `train` on it exits 1 with the file's path
  /// followed by `message` ("FILE:LINE:COLUMN: what" for CSV, "FILE: offset N: what" for IDX).
  void refuses_to_train_on(const std::string& file, const std::string& content,
                           const std::string& message, const std::string& more = "") const {
    write(file, content);
    dr::test::check_refused(dir, train(file, more), 1, {path(file) + message});
  }
  /// `predict` with `model` on `test` into submission.csv.
  std::string predict(const std::string& model, const std::string& test) const {
    return "predict --model " + path(model) + " --test " + path(test) + " --out " +
           path("submission.csv");
  }

  template <class Net>
  static std::string model_bytes() {
    const auto bytes = dr::serialize_model(*dr::make_network<Net>(1));
    return {bytes.begin(), bytes.end()};
  }
};

/// An IDX file: big-endian magic and dimensions, then `data`.
std::string idx_file(std::uint32_t magic, std::initializer_list<std::uint32_t> dims,
                     const std::string& data) {
  std::string out;
  auto put = [&out](std::uint32_t v) {
    out += {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
  };
  put(magic);
  for (const std::uint32_t v : dims) put(v);
  return out + data;
}

/// The first `n` pixel values of a CSV row, "0,0,...".
std::string zeros(std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += i ? ",0" : "0";
  return s;
}

const std::string train_header = dr::test::kaggle_header(true) + "\n";

}  // namespace

// --- files that are not there or not files --------------------------------------------------

TEST_CASE("bad input: missing file", "[bad_input]") {
  const Workbench w("missing");
  dr::test::check_refused(w.dir, w.train("none.csv"), 1, {w.path("none.csv") + ": no such file"});
}

TEST_CASE("bad input: directory instead of file", "[bad_input]") {
  const Workbench w("directory");
  fs::create_directory(w.dir / "folder.csv");
  dr::test::check_refused(w.dir, w.train("folder.csv"), 1,
                          {w.path("folder.csv") + ": is a directory"});
}

TEST_CASE("bad input: empty file", "[bad_input]") {
  Workbench("empty").refuses_to_train_on("empty.csv", "", ": empty file");
}

// --- Kaggle CSV ------------------------------------------------------------------------------

TEST_CASE("bad input: header only", "[bad_input]") {
  Workbench("header_only")
      .refuses_to_train_on("header.csv", train_header, ":2:1: no data rows after the header");
}

TEST_CASE("bad input: wrong header", "[bad_input]") {
  const Workbench w("wrong_header");
  w.refuses_to_train_on("skips.csv", "label,pixel0,pixel1,pixel3\n1,0,0,0\n",
                        ":1:21: header field 4 is 'pixel3', expected 'pixel2'");
  w.refuses_to_train_on("submission-like.csv", "ImageId,Label\n1,7\n",
                        ": not a Kaggle CSV or MNIST IDX image file");
}

TEST_CASE("bad input: short row", "[bad_input]") {
  // The row ends after 501 fields, where the 502nd should start: column 2 + 2 * 500.
  Workbench("short_row")
      .refuses_to_train_on("short.csv", train_header + "3," + zeros(500) + "\n",
                           ":2:1002: row has 501 fields, expected 785");
}

TEST_CASE("bad input: long row", "[bad_input]") {
  Workbench("long_row")
      .refuses_to_train_on("long.csv", train_header + "3," + zeros(785) + "\n",
                           ":2:1571: row has 786 fields, expected 785");
}

TEST_CASE("bad input: non-numeric value", "[bad_input]") {
  Workbench("non_numeric")
      .refuses_to_train_on("text.csv", train_header + "3,0,0,zero," + zeros(781) + "\n",
                           ":2:7: pixel value 'zero' is not an integer in 0-255");
}

TEST_CASE("bad input: value 256", "[bad_input]") {
  Workbench("value_256")
      .refuses_to_train_on("256.csv", train_header + "3,0,256," + zeros(782) + "\n",
                           ":2:5: pixel value '256' is not an integer in 0-255");
}

TEST_CASE("bad input: negative value", "[bad_input]") {
  Workbench("negative")
      .refuses_to_train_on("negative.csv", train_header + "3," + zeros(783) + ",-1\n",
                           ":2:1569: pixel value '-1' is not an integer in 0-255");
}

TEST_CASE("bad input: label 10", "[bad_input]") {
  Workbench("label_10")
      .refuses_to_train_on("label.csv", train_header + "10," + zeros(784) + "\n",
                           ":2:1: label '10' is not a digit 0-9");
}

TEST_CASE("bad input: CSV with 10 million fields on one line", "[bad_input]") {
  const auto start = std::chrono::steady_clock::now();
  Workbench("ten_million")
      .refuses_to_train_on("wide.csv", train_header + "3," + zeros(10'000'000 - 1) + "\n",
                           ":2:1571: row has 10000000 fields, expected 785");
  // No hang: one pass over 20 MB, not a quadratic search (generous for sanitizer builds).
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(60));
}

TEST_CASE("bad input: binary garbage", "[bad_input]") {
  const Workbench w("garbage");
  std::string garbage;
  for (int i = 0; i < 4096; ++i) garbage += char((i * 7919 + 13) % 256);
  w.refuses_to_train_on("garbage.bin", garbage, ": not a Kaggle CSV or MNIST IDX image file");
  // Binary data behind a plausible start is caught at the header, with its position.
  w.refuses_to_train_on("label-garbage.csv", "label" + garbage, ":1:1: binary data (NUL bytes)");
}

// --- MNIST IDX -------------------------------------------------------------------------------

TEST_CASE("bad input: IDX with a bad magic", "[bad_input]") {
  const Workbench w("idx_magic");
  // 0x0c03: int32 values in 3 dimensions; an IDX file, but not of unsigned bytes.
  w.refuses_to_train_on("images-idx3-ubyte", idx_file(0x0c03, {1, 28, 28}, std::string(3136, 0)),
                        ": offset 0: bad magic 0x00000c03, expected 2051 (IDX images)");
  // An image file given as the label file.
  w.refuses_to_train_on("i.idx", idx_file(2051, {1, 28, 28}, std::string(784, 0)),
                        ": offset 0: bad magic 0x00000803, expected 2049 (IDX labels); this is "
                        "an IDX images file",
                        " --labels " + w.path("i.idx"));
}

TEST_CASE("bad input: IDX whose header claims 2^31 images", "[bad_input]") {
  Workbench("idx_claims")
      .refuses_to_train_on("big.idx", idx_file(2051, {1u << 31, 28, 28}, std::string(784, 0)),
                           ": offset 800: header declares 2147483648 images of 28x28 "
                           "(1683627180048 bytes), but the file has 800 bytes");
}

TEST_CASE("bad input: IDX image/label count mismatch", "[bad_input]") {
  const Workbench w("idx_counts");
  w.write("l.idx", idx_file(2049, {3}, std::string(3, 1)));
  w.refuses_to_train_on("i.idx", idx_file(2051, {2, 28, 28}, std::string(2 * 784, 0)),
                        " has 2 images but " + w.path("l.idx") + " has 3 labels",
                        " --labels " + w.path("l.idx"));
}

TEST_CASE("bad input: truncated gzip", "[bad_input]") {
  const Workbench w("gzip");
  const dr::test::TempDir scratch;
  dr::test::write_gzip(scratch / "whole.gz", idx_file(2051, {3, 28, 28}, std::string(3 * 784, 5)));
  const std::string whole = dr::test::read_text(scratch / "whole.gz");
  w.refuses_to_train_on(
      "cut.gz", whole.substr(0, whole.size() - 12),
      ": compressed offset " + std::to_string(whole.size() - 12) + ": truncated gzip data");
}

// --- model files -----------------------------------------------------------------------------

TEST_CASE("bad input: model file of another shape", "[bad_input]") {
  const Workbench w("model_shape");
  w.write("small.bin", Workbench::model_bytes<dr::Network<4, 3, 2>>());
  dr::test::check_refused(
      w.dir, w.predict("small.bin", "test.csv"), 1,
      {w.path("small.bin") + " is 4-3-2 (relu) but this program runs 784-H-10"});
  // A 784-H-10 network whose H this build does not have compiled in.
  w.write("h100.bin", Workbench::model_bytes<dr::Network<784, 100, 10>>());
  dr::test::check_refused(w.dir, w.predict("h100.bin", "test.csv"), 1,
                          {w.path("h100.bin") + " is 784-100-10 but this build runs H = 10, 32"});
}

TEST_CASE("bad input: truncated model", "[bad_input]") {
  const Workbench w("model_truncated");
  const std::string good = dr::test::read_text(w.dir / "model.bin");
  w.write("cut.bin", good.substr(0, good.size() - 1000));
  dr::test::check_refused(w.dir, w.predict("cut.bin", "test.csv"), 1,
                          {w.path("cut.bin") + ": offset " + std::to_string(good.size() - 1000) +
                           ": truncated: a 784-10-10 model needs " + std::to_string(good.size())});
}

TEST_CASE("bad input: model with one flipped payload byte", "[bad_input]") {
  const Workbench w("model_flipped");
  std::string bytes = dr::test::read_text(w.dir / "model.bin");
  bytes[bytes.size() / 2] ^= 0x10;
  w.write("flipped.bin", bytes);
  dr::test::check_refused(w.dir, w.predict("flipped.bin", "test.csv"), 1,
                          {w.path("flipped.bin") + ": offset " + std::to_string(bytes.size() - 4) +
                           ": checksum mismatch: the file is corrupted"});
}

TEST_CASE("bad input: model from a future format version", "[bad_input]") {
  const Workbench w("model_future");
  std::string bytes = dr::test::read_text(w.dir / "model.bin");
  bytes[8] = char(dr::model_format_version + 1);  // the little-endian u32 after the magic
  w.write("future.bin", bytes);
  dr::test::check_refused(
      w.dir, w.predict("future.bin", "test.csv"), 1,
      {w.path("future.bin") + ": offset 8: model format version " +
       std::to_string(dr::model_format_version + 1) + " is not one this program reads"});
}

// --- outputs ---------------------------------------------------------------------------------

TEST_CASE("bad input: an output path in a folder that does not exist", "[bad_input]") {
  const Workbench w("no_folder");
  const std::string out = w.path("missing/model.bin");
  dr::test::check_refused(
      w.dir, "train --quiet --epochs 1 --train " + w.path("train.csv") + " --model " + out, 1,
      {out + ": cannot create: folder " + w.path("missing") + " does not exist"});
  dr::test::check_refused(
      w.dir,
      "predict --model " + w.path("model.bin") + " --test " + w.path("test.csv") + " --out " + out,
      1, {out + ": cannot create: folder " + w.path("missing") + " does not exist"});
}

TEST_CASE("bad input: an output folder without write permission", "[bad_input]") {
  const Workbench w("no_write");
  // A folder that is a regular file refuses writes even to root.
  const std::string out = w.path("train.csv/model.bin");
  dr::test::check_refused(
      w.dir, "train --quiet --epochs 1 --train " + w.path("train.csv") + " --model " + out, 1,
      {out + ": cannot create: " + w.path("train.csv") + " is not a folder"});
  fs::create_directory(w.dir / "locked");
  fs::permissions(w.dir / "locked", fs::perms::owner_read | fs::perms::owner_exec);
  if (::geteuid() == 0) {
    WARN("skipping the read-only folder case: running as root, which may write anywhere");
  } else {
    const std::string locked = w.path("locked/model.bin");
    dr::test::check_refused(
        w.dir, "train --quiet --epochs 1 --train " + w.path("train.csv") + " --model " + locked, 1,
        {locked + ": cannot create: folder " + w.path("locked") + " is not writable"});
  }
  fs::permissions(w.dir / "locked", fs::perms::owner_all);
}

// --- command-line values (usage errors: exit 2) ----------------------------------------------

TEST_CASE("bad input: --hidden not in the menu", "[bad_input]") {
  const Workbench w("hidden");
  dr::test::check_refused(
      w.dir,
      "train --train " + w.path("train.csv") + " --model " + w.path("old.bin") + " --hidden 100", 2,
      {"--hidden 100 is not compiled in; choose one of 10, 32"});
}

TEST_CASE("bad input: --noise -1", "[bad_input]") {
  const Workbench w("noise");
  dr::test::check_refused(w.dir, w.train("train.csv", " --noise -1"), 2, {"--noise", "-1"});
}

TEST_CASE("bad input: --epochs 0", "[bad_input]") {
  const Workbench w("epochs");
  dr::test::check_refused(w.dir, w.train("train.csv", " --epochs 0"), 2, {"--epochs", "0"});
}

TEST_CASE("bad input: --validation 1.5", "[bad_input]") {
  const Workbench w("validation");
  dr::test::check_refused(w.dir, w.train("train.csv", " --validation 1.5"), 2,
                          {"--validation", "1.5"});
}
