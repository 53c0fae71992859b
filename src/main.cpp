// digit-recognizer: train, predict, evaluate and inspect one-hidden-layer MNIST networks.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "commands.hpp"
#include "dr/error.hpp"
#include "usage_error.hpp"

int main(int argc, char** argv) {
  CLI::App app{"digit-recognizer: compile-time neural networks for the Kaggle Digit Recognizer"};
  app.require_subcommand(1);
  driver::add_train_command(app);
  driver::add_predict_command(app);
  driver::add_evaluate_command(app);
  driver::add_info_command(app);
  driver::add_sweep_command(app);
  driver::add_report_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "digit-recognizer: %s (see --help)\n", e.what());
    return 2;
  } catch (const driver::UsageError& e) {
    std::fprintf(stderr, "digit-recognizer: %s\n", e.what());
    return 2;
  } catch (const dr::Error& e) {
    std::fprintf(stderr, "digit-recognizer: %s\n", e.what());
    return 1;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "digit-recognizer: out of memory\n");
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "digit-recognizer: %s\n", e.what());
    return 1;
  }
  return 0;
}
