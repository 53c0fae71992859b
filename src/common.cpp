#include <unistd.h>

#include <ctime>

#include "commands.hpp"
#include "dr/activation.hpp"
#include "dr/data/load.hpp"
#include "dr/error.hpp"
#include "hidden_menu.hpp"
#include "training_recipe.hpp"

namespace driver {

dr::Dataset load_input(const std::string& file, const std::string& labels) {
  if (labels.empty()) return dr::load_dataset(file);
  return dr::load_dataset(file, std::filesystem::path(labels));
}

void check_output_folder(const std::filesystem::path& output) {
  const auto folder =
      output.parent_path().empty() ? std::filesystem::path(".") : output.parent_path();
  std::error_code ec;
  if (std::filesystem::exists(folder, ec) && !std::filesystem::is_directory(folder, ec))
    throw dr::Error(output.string() + ": cannot create: " + folder.string() + " is not a folder");
  if (!std::filesystem::is_directory(folder, ec))
    throw dr::Error(output.string() + ": cannot create: folder " + folder.string() +
                    " does not exist");
  if (std::filesystem::is_directory(output, ec))
    throw dr::Error(output.string() + ": cannot create: it is a directory");
  if (::access(folder.c_str(), W_OK | X_OK) != 0)
    throw dr::Error(output.string() + ": cannot create: folder " + folder.string() +
                    " is not writable");
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

std::size_t mnist_hidden_size(const dr::ModelInfo& info, const std::string& path) {
  if (info.sizes.size() != 3 || info.sizes[0] != 784 || info.sizes[2] != 10 ||
      info.activation != dr::Relu::id)
    throw dr::Error(path + " is " + info.shape() + " (" +
                    std::string(dr::activation_name(info.activation)) +
                    ") but this program runs 784-H-10 (relu) networks");
  // Checked here, not by with_hidden_size(), whose message is about the --hidden option.
  bool compiled = false;
  hana::for_each(hidden_menu, [&](auto h) { compiled = compiled || h() == info.sizes[1]; });
  if (!compiled)
    throw dr::Error(path + " is " + info.shape() + " but this build runs H = " + menu_text() +
                    "; rebuild with -DDR_HIDDEN_SIZES=\"...;" + std::to_string(info.sizes[1]) +
                    "\" to load it");
  return info.sizes[1];
}

void add_recipe_options(CLI::App* cmd, TrainingRecipe& r, const char* preset_note) {
  auto preset = [&](CLI::Option* o) { return preset_note ? o : o->capture_default_str(); };
  const std::string note = preset_note ? std::string(" (default: ") + preset_note + ")" : "";
  preset(cmd->add_option("--epochs", r.epochs, "Passes over the training rows" + note)
             ->check(CLI::Range(1, 100000)));
  preset(
      cmd->add_option("--batch", r.batch, "Rows per update" + note)->check(CLI::Range(1, 65536)));
  preset(cmd->add_option("--warmup", r.warmup,
                         "Epochs of linear learning-rate warm-up before the cosine decay" + note)
             ->check(CLI::NonNegativeNumber));
  cmd->add_option("--optimizer", r.optimizer, "sgd (Nesterov momentum) or adam")
      ->check(CLI::IsMember({"sgd", "adam"}))
      ->capture_default_str();
  cmd->add_option("--lr", r.lr, "Peak learning rate (default 0.05 for sgd, 0.001 for adam)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--momentum", r.momentum, "SGD momentum")
      ->check(CLI::Range(0.0, 0.999))
      ->capture_default_str();
  cmd->add_option("--weight-decay", r.weight_decay, "Weight decay (weights only)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--schedule", r.schedule, "Learning-rate schedule: constant, step or cosine")
      ->check(CLI::IsMember({"constant", "step", "cosine"}))
      ->capture_default_str();
}

}  // namespace driver
