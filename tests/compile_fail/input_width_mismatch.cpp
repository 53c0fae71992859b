// Must not compile: a 784-input network given a view of 785-column rows (a Kaggle row with label).
#include <dr/dr.hpp>

#ifdef DR_PROBE_CONTROL
constexpr std::size_t columns = 784;
#else
constexpr std::size_t columns = 785;
#endif

int main() {
  using Net = dr::Network<784, 32, 10>;
  auto net = dr::make_network<Net>(1);
  dr::Workspace<Net> ws(1);
  static float row[columns] = {};
  net->forward(ws, dr::MatrixView<columns>{row, 1});
}
