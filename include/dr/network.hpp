// Network<Sizes...>: a flat list of Dense layers held in a boost::hana::tuple.
//
// `Network<784, 128, 10>` is Sequential<Dense<784, 128, Relu>, Dense<128, 10, Identity>>: ReLU on
// every hidden layer, raw logits out (softmax lives in the loss). `NetworkWith<Tanh, ...>` picks
// another hidden activation; Sequential<...> takes any explicit layer list whose sizes chain.
#pragma once

#include <array>
#include <boost/hana.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>

#include "dr/array.hpp"
#include "dr/dense.hpp"
#include "dr/random.hpp"

namespace dr {

namespace hana = boost::hana;

/// Layer sizes as text, "784-128-10": a network's shape in messages and model files. (Appends
/// piece by piece: GCC 12 warns falsely (-Wrestrict) on "-" + std::to_string(n).)
inline std::string shape_text(std::span<const std::size_t> sizes) {
  std::string s;
  for (std::size_t n : sizes) {
    if (!s.empty()) s += '-';
    s += std::to_string(n);
  }
  return s;
}

namespace detail {
// The sentences below are what a compiler prints when shapes do not fit; the template arguments,
// printed beside them ("In instantiation of ...<128, 64>"), are the two sizes.
template <std::size_t LayerFeeds, std::size_t NextLayerExpects>
struct check_layer_sizes_chain {
  static_assert(LayerFeeds == NextLayerExpects,
                "layer sizes do not chain: a Dense layer feeds LayerFeeds values but the next "
                "layer expects NextLayerExpects (the two numbers in check_layer_sizes_chain<>)");
  static constexpr bool value = true;
};

template <std::size_t NetworkInputs, std::size_t ViewColumns>
struct check_input_width {
  static_assert(NetworkInputs == ViewColumns,
                "the data does not fit the network: the network expects NetworkInputs values per "
                "row but the data view has ViewColumns columns (the numbers in "
                "check_input_width<>)");
  static constexpr bool value = true;
};

template <class List, std::size_t... I>
constexpr bool layers_chain(std::index_sequence<I...>) {
  return (check_layer_sizes_chain<
              std::remove_cvref_t<decltype(hana::at_c<I>(std::declval<List&>()))>::out_size,
              std::remove_cvref_t<decltype(hana::at_c<I + 1>(std::declval<List&>()))>::in_size>::
              value &&
          ... && true);
}
}  // namespace detail

/// A row-major view of `rows` rows of Cols values each: the typed form of a batch, so that a
/// network given data of the wrong width fails to compile instead of reading past a row.
template <std::size_t Cols>
struct MatrixView {
  const real* data;
  std::size_t rows;
  static constexpr std::size_t cols = Cols;
};

template <class... Layers>
class Sequential;

/// Per-batch buffers for one network: each layer's output and the gradient flowing into it.
template <class Net>
class Workspace {
 public:
  static constexpr std::size_t depth = Net::depth;

  explicit Workspace(std::size_t max_rows = 0) { reserve(max_rows); }

  /// Makes room for `rows` rows; contents become zero.
  void reserve(std::size_t rows) {
    rows_ = rows;
    Net::for_each_index([&](auto i) {
      constexpr std::size_t width = Net::template layer_type<i>::padded_out;
      outputs[i].resize(rows * width);
      gradients[i].resize(rows * width);
    });
  }
  std::size_t capacity() const { return rows_; }

  std::array<AlignedBuffer<real>, depth> outputs;    ///< layer i's output, row stride padded_out
  std::array<AlignedBuffer<real>, depth> gradients;  ///< dLoss/d(layer i's output)

 private:
  std::size_t rows_ = 0;
};

template <class... Layers>
class Sequential {
  static_assert(sizeof...(Layers) >= 1, "a network needs at least one layer");
  static_assert(detail::layers_chain<hana::tuple<Layers...>>(
      std::make_index_sequence<sizeof...(Layers) - 1>{}));

 public:
  using layer_list = hana::tuple<Layers...>;
  static constexpr std::size_t depth = sizeof...(Layers);
  template <std::size_t I>
  using layer_type = std::remove_cvref_t<decltype(hana::at_c<I>(std::declval<layer_list&>()))>;
  using first_layer = layer_type<0>;
  using last_layer = layer_type<depth - 1>;
  static constexpr std::size_t in_size = first_layer::in_size;
  static constexpr std::size_t out_size = last_layer::out_size;
  static constexpr std::size_t param_count = (Layers::param_count + ...);
  /// The sizes, input first: {784, 128, 10}.
  static constexpr std::array<std::size_t, depth + 1> sizes = {first_layer::in_size,
                                                               Layers::out_size...};
  /// The activation id of the hidden layers (that of the only layer for a single-layer network).
  static constexpr std::uint8_t hidden_activation = first_layer::activation::id;

  layer_list layers;

  template <std::size_t I>
  auto& layer() {
    return layers[hana::size_c<I>];
  }
  template <std::size_t I>
  const auto& layer() const {
    return layers[hana::size_c<I>];
  }

  /// Calls f(hana::size_c<I>) for every layer index, first to last.
  template <class F>
  static constexpr void for_each_index(F&& f) {
    hana::for_each(hana::make_range(hana::size_c<0>, hana::size_c<depth>), f);
  }

  /// "784-128-10"
  static std::string shape() { return shape_text(sizes); }

  /// One line per layer with its sizes and parameter count, then the total.
  static std::string describe() {
    std::string s;
    for_each_index([&](auto i) {
      using L = layer_type<i>;
      s += "  layer " + std::to_string(decltype(i)::value + 1) + ": " + L::name() + ", " +
           std::to_string(L::param_count) + " parameters\n";
    });
    return "Network " + shape() + ", " + std::to_string(param_count) + " parameters\n" + s;
  }

  /// Fresh weights from `seed`; the same seed gives bit-identical weights on every platform.
  void initialize(std::uint64_t seed) {
    Rng rng(seed);
    hana::for_each(layers, [&](auto& l) { l.initialize(rng); });
  }

  /// Sets every parameter to zero (the state of a gradient accumulator).
  void zero() {
    hana::for_each(layers, [](auto& l) { l = std::remove_reference_t<decltype(l)>{}; });
  }

  /// Runs the batch through all layers; returns the logits (row stride last_layer::padded_out).
  template <class Kernel = kernels::Default>
  const real* forward(Workspace<Sequential>& ws, std::size_t rows, const real* x) const {
    for_each_index([&](auto i) {
      layer<i>().template forward<Kernel>(rows, input_of<i>(ws, x), input_stride<i>(),
                                          ws.outputs[i].data());
    });
    return ws.outputs[depth - 1].data();
  }

  template <class Kernel = kernels::Default, std::size_t Cols>
  const real* forward(Workspace<Sequential>& ws, MatrixView<Cols> batch) const {
    static_assert(detail::check_input_width<in_size, Cols>::value);
    return forward<Kernel>(ws, batch.rows, batch.data);
  }

  /// Backpropagates ws.gradients[depth - 1] (dLoss/dlogits, set by the loss) after forward() on
  /// the same x; adds the parameter gradients to `grad` and writes dLoss/dx to dx if not null
  /// (row stride in_size). ws.gradients are overwritten.
  template <class Kernel = kernels::Default>
  void backward(Workspace<Sequential>& ws, std::size_t rows, const real* x, Sequential& grad,
                real* dx = nullptr) const {
    hana::for_each(
        hana::reverse(hana::to_tuple(hana::make_range(hana::size_c<0>, hana::size_c<depth>))),
        [&](auto i) {
          constexpr std::size_t I = decltype(i)::value;
          real* d_in = dx;
          if constexpr (I > 0) d_in = ws.gradients[I - 1].data();
          layer<i>().template backward<Kernel>(rows, input_of<i>(ws, x), input_stride<i>(),
                                               ws.outputs[i].data(), ws.gradients[i].data(),
                                               grad.template layer<i>(), d_in, input_stride<i>());
        });
  }

  /// Calls f(weights of a, weights of others..., is_bias=false) and then the same for the biases,
  /// for every layer: how optimizers walk parameters, gradients and moments in lock step.
  template <class F, class... Others>
  static void for_each_parameter_block(F&& f, Sequential& a, Others&... others) {
    for_each_index([&](auto i) {
      f(a.template layer<i>().weights.span(), others.template layer<i>().weights.span()..., false);
      f(a.template layer<i>().bias.span(), others.template layer<i>().bias.span()..., true);
    });
  }

  bool operator==(const Sequential&) const = default;

  /// Layer I reads the batch (stride in_size) or the previous layer's padded output.
  template <std::size_t I>
  static const real* input_of(const Workspace<Sequential>& ws, const real* x) {
    if constexpr (I == 0)
      return x;
    else
      return ws.outputs[I - 1].data();
  }
  template <std::size_t I>
  static constexpr std::size_t input_stride() {
    if constexpr (I == 0)
      return in_size;
    else
      return layer_type<I - 1>::padded_out;
  }
};

namespace detail {
template <class Hidden, std::size_t... Sizes>
struct make_sequential {
  static_assert(sizeof...(Sizes) >= 2, "a network needs an input size and an output size");
  static constexpr std::array<std::size_t, sizeof...(Sizes)> s = {Sizes...};
  template <std::size_t... I>
  static auto build(std::index_sequence<I...>) -> Sequential<
      Dense<s[I], s[I + 1], std::conditional_t<I + 2 < sizeof...(Sizes), Hidden, Identity>>...>;
  using type = decltype(build(std::make_index_sequence<sizeof...(Sizes) - 1>{}));
};
}  // namespace detail

/// A network with the given sizes and hidden activation, e.g. NetworkWith<Tanh, 784, 128, 10>.
template <class Hidden, std::size_t... Sizes>
using NetworkWith = typename detail::make_sequential<Hidden, Sizes...>::type;

/// A network with ReLU hidden layers, e.g. Network<784, 128, 10>.
template <std::size_t... Sizes>
using Network = NetworkWith<Relu, Sizes...>;

/// Creates an initialised network on the heap (784x800 weights are 2.5 MB: too big for a stack).
template <class Net>
std::unique_ptr<Net> make_network(std::uint64_t seed) {
  auto net = std::make_unique<Net>();
  net->initialize(seed);
  return net;
}

template <std::size_t... Sizes>
std::unique_ptr<Network<Sizes...>> make_network(std::uint64_t seed) {
  return make_network<Network<Sizes...>>(seed);
}

/// A zeroed network of the same type: the container for gradients and optimizer moments.
template <class Net>
std::unique_ptr<Net> make_zeroed() {
  return std::make_unique<Net>();
}

}  // namespace dr
