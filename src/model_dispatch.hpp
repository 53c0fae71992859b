// Loading a model file whose hidden size is only known at run time.
#pragma once

#include <string>

#include "commands.hpp"
#include "dr/model_file.hpp"
#include "hidden_menu.hpp"

namespace driver {

/// Reads the 784-H-10 model at `path` and calls f(const Net&) with it as its compiled type.
template <class F>
void with_mnist_model(const std::string& path, F&& f) {
  const auto bytes = dr::read_file_bytes(path);
  const auto info = dr::parse_model_info(bytes, path);
  with_hidden_size(mnist_hidden_size(info, path), [&](auto net_type) {
    using Net = typename decltype(net_type)::type;
    f(*dr::parse_model<Net>(bytes, path));
  });
}

}  // namespace driver
