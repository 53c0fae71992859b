// The one exception type of the library: its message is the single line a user sees.
#pragma once

#include <charconv>
#include <concepts>
#include <stdexcept>
#include <string>

namespace dr {

/// A problem with a file or an argument, phrased for the user: "FILE:LINE:COLUMN: what is wrong"
/// for text files, "FILE: offset N: what is wrong" for binary ones.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// x as the shortest text that reads back as the same value of its type, for messages: "0.05",
/// not std::to_string's "0.050000"; "1e+08", "inf", "nan".
template <std::floating_point T>
std::string shortest_text(T x) {
  char text[32];
  return {text, std::to_chars(text, text + sizeof text, x).ptr};
}

}  // namespace dr
