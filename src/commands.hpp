// The driver's subcommands; each registers its options and its action on the CLI11 app.
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <optional>
#include <string>

#include "dr/data/dataset.hpp"
#include "dr/model_file.hpp"

namespace driver {

void add_train_command(CLI::App& app);
void add_predict_command(CLI::App& app);
void add_evaluate_command(CLI::App& app);
void add_info_command(CLI::App& app);
void add_sweep_command(CLI::App& app);
void add_report_command(CLI::App& app);

/// A data file given with --train/--test, with an optional --labels for IDX images.
dr::Dataset load_input(const std::string& file, const std::string& labels);

/// Fails early, before any long work, if `output`'s folder does not exist or is not writable.
void check_output_folder(const std::filesystem::path& output);

/// The time now as "2026-12-02T05:30:00Z", for the records of a run.
std::string utc_now();

/// Reads a model file's header and checks it is a 784-H-10 ReLU network this driver can run;
/// returns H.
std::size_t mnist_hidden_size(const dr::ModelInfo& info, const std::string& path);

}  // namespace driver
