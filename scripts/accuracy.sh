#!/usr/bin/env bash
# Reproduces results/accuracy.md: trains 784-H-10 on the 60,000 MNIST training images with each
# recipe (fast, best), hidden size (128, 800) and seed (1, 2, 3), evaluates every model on the
# 10,000 test images, and writes the table (mean, spread, times, commands).
#
#   scripts/accuracy.sh                      # everything: 21 trainings (17 min here, 27 of CPU)
#   RECIPES=fast SIZES=128 scripts/accuracy.sh   # a subset (the table shows only what ran)
#   REUSE=1 scripts/accuracy.sh              # keep runs already finished (after an interruption)
#   ABLATIONS="" scripts/accuracy.sh         # skip the one-option-changed runs of the fast recipe
#
# Each run's log and result line go to results/accuracy/; models to results/models/ (ignored).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build/release}"
recipes="${RECIPES:-fast best}"
sizes="${SIZES:-128 800}"
seeds="${SEEDS:-1 2 3}"
# The fast recipe at H=128 with one option added, each on the same seeds: what dropout, label
# smoothing and weight decay do to it (none of them is in a recipe).
ablations="${ABLATIONS---dropout=0.2 --label-smoothing=0.1 --weight-decay=0.0005}"
cd "$root"

if [[ -z "${SKIP_BUILD:-}" ]]; then
  scripts/setup-deps.sh
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" -j "$(nproc)" --target digit-recognizer
  scripts/fetch-mnist.sh
fi
driver="$build/src/digit-recognizer"
train_images=data/mnist/train-images-idx3-ubyte
test_images=data/mnist/t10k-images-idx3-ubyte
out=results/accuracy
mkdir -p "$out" results/models

# One training and evaluation, with an optional extra option (--name=value); writes
# "recipe[+option] hidden seed accuracy train_s cpu_s epochs" to the run's result file, which
# REUSE=1 keeps.
run_one() {
  local recipe=$1 hidden=$2 seed=$3 extra=${4:-}
  local label="$recipe${extra:++${extra#--}}"
  local name="$label-h$hidden-s$seed"
  local result="$out/$name.result" log="$out/$name.log" model="results/models/accuracy-$name.bin"
  if [[ -n "${REUSE:-}" && -s "$result" ]]; then return; fi
  local command="digit-recognizer train --train $train_images --recipe $recipe --hidden $hidden --seed $seed${extra:+ ${extra/=/ }}"
  echo "== $command" | tee "$log"
  # --resume: an interrupted run of the same settings continues from its last epoch.
  /usr/bin/time -f "cpu_seconds %U %S" "$driver" train --train "$train_images" --recipe "$recipe" \
    --hidden "$hidden" --seed "$seed" --model "$model" --resume ${extra:+"$extra"} >>"$log" 2>&1
  "$driver" evaluate --model "$model" --test "$test_images" >>"$log"
  local accuracy train_s cpu_s epochs
  accuracy=$(sed -n 's/^accuracy \([0-9.]*\)%.*/\1/p' "$log")
  train_s=$(sed -n 's/^trained in \([0-9.]*\)s.*/\1/p' "$log")
  cpu_s=$(awk '/^cpu_seconds/ {print $2 + $3}' "$log")
  epochs=$(grep -c '^epoch ' "$log")
  echo "$label $hidden $seed $accuracy $train_s $cpu_s $epochs" >"$result.tmp"
  mv "$result.tmp" "$result"
  echo "   test accuracy $accuracy%, training ${train_s}s wall, ${cpu_s}s CPU"
}

for recipe in $recipes; do
  for hidden in $sizes; do
    for seed in $seeds; do run_one "$recipe" "$hidden" "$seed"; done
  done
done
for extra in $ablations; do
  for seed in $seeds; do run_one fast 128 "$seed" "$extra"; done
done
labels="$recipes"
for extra in $ablations; do labels+=" fast+${extra#--}"; done

# The table: one row per (recipe, H) with the mean and spread over the seeds that ran.
table=results/accuracy.md
{
  echo "# Accuracy on the 10,000 MNIST test images"
  echo
  echo "Written by \`scripts/accuracy.sh\` on $(date -u +%Y-%m-%d) ($(nproc) cores; other work was"
  echo "running on the machine, so wall times vary). Trained on the 60,000 training images; seeds"
  echo "$(echo $seeds | sed 's/ /, /g'). Spread is min to max over the seeds; sd is the sample standard deviation."
  echo "Training time is the driver's own \"trained in\" (wall clock, loading excluded); CPU is"
  echo "the whole process's user+system time (both threads: training and augmentation)."
  echo
  echo "| recipe | H | mean accuracy | spread | sd | runs | epochs | training wall s (mean) | CPU s (mean) |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for recipe in $labels; do
    for hidden in $sizes; do
      { cat "$out/$recipe-h$hidden-"s*.result 2>/dev/null || true; } | awk -v r="$recipe" -v h="$hidden" '
        $1 == r && $2 == h { n++; a[n] = $4; s += $4; t += $5; c += $6; e = $7
                             if (n == 1 || $4 < lo) lo = $4; if (n == 1 || $4 > hi) hi = $4 }
        END { if (n == 0) exit
              m = s / n; v = 0; for (i = 1; i <= n; i++) v += (a[i] - m) ^ 2
              sd = n > 1 ? sqrt(v / (n - 1)) : 0
              printf "| %s | %d | %.2f%% | %.2f-%.2f%% | %.2f | %d | %d | %.1f | %.1f |\n",
                     r, h, m, lo, hi, sd, n, e, t / n, c / n }'
    done
  done
  echo
  echo "Per run (\`results/accuracy/*.log\` hold the epoch lines):"
  echo
  echo "| recipe | H | seed | accuracy | training wall s | CPU s |"
  echo "|---|---|---|---|---|---|"
  for recipe in $labels; do
    for hidden in $sizes; do
      for seed in $seeds; do
        [[ -s "$out/$recipe-h$hidden-s$seed.result" ]] || continue
        awk '{printf "| %s | %s | %s | %s%% | %s | %s |\n", $1, $2, $3, $4, $5, $6}' \
          "$out/$recipe-h$hidden-s$seed.result"
      done
    done
  done
  echo
  echo "Command of each run: \`digit-recognizer train --train $train_images --recipe RECIPE --hidden H --seed S --model M\`"
  echo "(a row fast+OPTION=VALUE adds \`--OPTION VALUE\`),"
  echo "then \`digit-recognizer evaluate --model M --test $test_images\`."
} >"$table.tmp"
mv "$table.tmp" "$table"
echo "wrote $table"
