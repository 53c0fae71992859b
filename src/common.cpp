#include <unistd.h>

#include "commands.hpp"
#include "dr/activation.hpp"
#include "dr/data/load.hpp"
#include "dr/error.hpp"
#include "hidden_menu.hpp"

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

}  // namespace driver
