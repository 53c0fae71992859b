#include <dr/dr.hpp>
#include <iostream>

int main() {
  using Net = dr::Network<784, 128, 10>;          // a type: sizes checked at compile time
  auto net = dr::make_network<Net>(/*seed=*/42);  // on the heap, He-initialised
  std::cout << Net::describe();

  dr::Trainer trainer(*net, dr::Sgd<Net>({.momentum = 0.9f, .nesterov = true}));
  std::vector<float> images(32 * 784, 0.5f);  // 32 rows of 784 pixels in [0, 1]
  std::vector<std::uint8_t> labels(32, 7);
  for (int step = 0; step < 5; ++step)
    std::cout << "loss " << trainer.step(images.data(), labels.data(), 32, 0.05f) << "\n";
}
