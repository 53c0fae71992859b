// The driver trains and loads 784-H-10 networks for the H compiled into it (CMake option
// DR_HIDDEN_SIZES); this turns a run-time H into the compile-time type.
#pragma once

#include <boost/hana.hpp>
#include <cstddef>
#include <string>

#include "dr/network.hpp"
#include "usage_error.hpp"

namespace driver {

namespace hana = boost::hana;

inline constexpr auto hidden_menu = hana::tuple_c<std::size_t, DR_HIDDEN_SIZES>;

template <std::size_t H>
using MnistNetwork = dr::Network<784, H, 10>;

inline std::string menu_text() {
  std::string s;
  hana::for_each(hidden_menu, [&](auto h) { s += (s.empty() ? "" : ", ") + std::to_string(h()); });
  return s;
}

/// Calls f(hana::type_c<MnistNetwork<H>>) for the compiled H equal to `hidden`; any other value
/// is a usage error listing the menu.
template <class F>
decltype(auto) with_hidden_size(std::size_t hidden, F&& f) {
  bool found = false;
  hana::for_each(hidden_menu, [&](auto h) {
    if (h() == hidden) {
      found = true;
      f(hana::type_c<MnistNetwork<decltype(h)::value>>);
    }
  });
  if (!found)
    throw UsageError("--hidden " + std::to_string(hidden) + " is not compiled in; choose one of " +
                     menu_text() + " or rebuild with -DDR_HIDDEN_SIZES=\"...;" +
                     std::to_string(hidden) + "\"");
}

}  // namespace driver
