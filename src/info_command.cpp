#include <cstdio>

#include "commands.hpp"
#include "dr/activation.hpp"
#include "dr/model_file.hpp"

namespace driver {

void add_info_command(CLI::App& app) {
  auto model = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("info", "Sizes, parameter count and training settings of a model");
  cmd->add_option("--model", *model, "Model file")->required();
  cmd->callback([model] {
    const auto info = dr::read_model_info(*model);
    std::printf("model %s\n", model->c_str());
    std::printf("network %s, hidden activation %s, %llu parameters\n", info.shape().c_str(),
                std::string(dr::activation_name(info.activation)).c_str(),
                static_cast<unsigned long long>(info.param_count()));
    for (std::size_t i = 0; i + 1 < info.sizes.size(); ++i)
      std::printf("  layer %zu: Dense<%zu, %zu>\n", i + 1, info.sizes[i], info.sizes[i + 1]);
    for (const auto& [key, value] : info.metadata)
      std::printf("  %s = %s\n", key.c_str(), value.c_str());
  });
}

}  // namespace driver
