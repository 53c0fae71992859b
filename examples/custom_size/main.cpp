// A network of our own sizes, built from the installed headers: 20 inputs, 48 tanh units, 5
// classes.
#include <dr/dr.hpp>
#include <iostream>
#include <vector>

int main() {
  using Net = dr::NetworkWith<dr::Tanh, 20, 48, 5>;
  auto net = dr::make_network<Net>(2024);
  dr::Trainer trainer(*net, dr::Adam<Net>());
  std::vector<float> x(64 * 20);
  std::vector<std::uint8_t> labels(64);
  for (std::size_t r = 0; r < 64; ++r) {
    labels[r] = r % 5;
    for (std::size_t k = 0; k < 20; ++k) x[r * 20 + k] = (k % 5 == labels[r]) ? 1.0f : 0.0f;
  }
  std::cout << Net::describe();
  for (int step = 1; step <= 30; ++step) {
    const double loss = trainer.step(x.data(), labels.data(), 64, 0.01f);
    if (step % 10 == 0) std::cout << "step " << step << " loss " << loss << "\n";
  }
}
