#include <cstdio>

#include "commands.hpp"
#include "dr/data/kaggle_csv.hpp"
#include "dr/model_file.hpp"
#include "dr/train.hpp"
#include "model_dispatch.hpp"

namespace driver {

void add_predict_command(CLI::App& app) {
  struct Settings {
    std::string model, test, labels, out;
  };
  auto s = std::make_shared<Settings>();
  auto* cmd =
      app.add_subcommand("predict", "Write a Kaggle submission (ImageId,Label) for a test file");
  cmd->add_option("--model", s->model, "Model file written by train")->required();
  cmd->add_option("--test", s->test, "Kaggle test.csv (or train.csv) or MNIST IDX image file")
      ->required();
  cmd->add_option("--labels", s->labels, "IDX label file (ignored for prediction)");
  cmd->add_option("--out", s->out, "Submission file to write")->required();
  cmd->callback([s] {
    check_output_folder(s->out);
    with_mnist_model(s->model, [&](const auto& net) {
      const dr::Dataset data = load_input(s->test, s->labels);
      dr::write_submission(s->out, dr::predict_all(net, data));
      std::printf("wrote %zu predictions to %s\n", data.rows(), s->out.c_str());
    });
  });
}

}  // namespace driver
