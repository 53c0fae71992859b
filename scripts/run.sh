#!/usr/bin/env bash
# The main job: dependencies, Release build, real MNIST, train H=128 with the default recipe on
# the 60,000 training images, evaluate on the 10,000 test images, write results/submission.csv.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build/release}"
cd "$root"

scripts/setup-deps.sh
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j "$(nproc)" --target digit-recognizer
scripts/fetch-mnist.sh

driver="$build/src/digit-recognizer"
mkdir -p results/models
"$driver" train --train data/mnist/train-images-idx3-ubyte --hidden 128 \
  --model results/models/mnist-h128.bin
"$driver" evaluate --model results/models/mnist-h128.bin --test data/mnist/t10k-images-idx3-ubyte
"$driver" predict --model results/models/mnist-h128.bin --test data/mnist/t10k-images-idx3-ubyte \
  --out results/submission.csv
