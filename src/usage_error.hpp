#pragma once

#include <stdexcept>

namespace driver {

/// Command-line misuse: exit code 2 (dr::Error, a problem with a file or the data, exits 1).
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace driver
