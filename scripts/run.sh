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

# The noise study: noise 0, 0.1, 0.2, 0.3 x 3 seeds at H=128 on the same 60k / 10k split, every
# model tested clean, with test noise, and under FGSM and PGD. A rerun skips the finished cells.
sweep_start=$SECONDS
"$driver" sweep --train data/mnist/train-images-idx3-ubyte --test data/mnist/t10k-images-idx3-ubyte \
  --noise 0,0.1,0.2,0.3 --seeds 3 --hidden 128 --out results/sweep
echo "noise study: $((SECONDS - sweep_start)) s on $(nproc) cores ($(uname -m)); results/sweep/sweep.md:"
cat results/sweep/sweep.md
