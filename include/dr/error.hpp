// The one exception type of the library: its message is the single line a user sees.
#pragma once

#include <stdexcept>
#include <string>

namespace dr {

/// A problem with a file or an argument, phrased for the user: "FILE:LINE:COLUMN: what is wrong"
/// for text files, "FILE: offset N: what is wrong" for binary ones.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace dr
