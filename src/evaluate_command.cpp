#include <cstdio>

#include "commands.hpp"
#include "dr/data/batch.hpp"
#include "dr/model_file.hpp"
#include "dr/train.hpp"
#include "model_dispatch.hpp"

namespace driver {

void add_evaluate_command(CLI::App& app) {
  struct Settings {
    std::string model, test, labels;
    float noise = 0;
    std::uint64_t seed = 1;
  };
  auto s = std::make_shared<Settings>();
  auto* cmd = app.add_subcommand("evaluate", "Accuracy and confusion matrix on labelled data");
  cmd->add_option("--model", s->model, "Model file written by train")->required();
  cmd->add_option("--test", s->test, "Labelled Kaggle CSV or MNIST IDX image file")->required();
  cmd->add_option("--labels", s->labels, "IDX label file (default: found beside the images)");
  cmd->add_option("--noise", s->noise, "Std of Gaussian noise added to the test pixels")
      ->check(CLI::Range(0.0, 10.0));
  cmd->add_option("--seed", s->seed, "Seed of the test noise")->capture_default_str();
  cmd->callback([s] {
    with_mnist_model(s->model, [&](const auto& net) {
      const dr::Dataset data = load_input(s->test, s->labels);
      if (!data.labelled())
        throw dr::Error(s->test + ": has no labels; evaluate needs labelled data (use predict)");
      const auto confusion = dr::evaluate(net, data, dr::all_rows(data.rows()), s->noise, s->seed);
      std::printf("accuracy %.2f%% (%zu of %zu) on %s%s\n", 100 * confusion.accuracy(),
                  confusion.correct(), confusion.total(), s->test.c_str(),
                  s->noise > 0 ? (" with noise " + std::to_string(s->noise)).c_str() : "");
      std::printf("%s", confusion.to_string().c_str());
    });
  });
}

}  // namespace driver
