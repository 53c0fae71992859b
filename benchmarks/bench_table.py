#!/usr/bin/env python3
"""Turns bench_forward's and bench_train's JSON (medians of interleaved repetitions) into the
Markdown ratio tables of the README and the data file of the chart. Usage: bench_table.py DIR"""
import json
import os
import re
import sys

out = sys.argv[1]


def load(name):
    if name == "train_bound" and not os.path.exists(os.path.join(out, name + ".json")):
        return None, {}, {}  # from a scripts/bench.sh older than bench_train_bound
    with open(os.path.join(out, name + ".json")) as f:
        doc = json.load(f)
    # Threaded cases carry "/repeats:N" in their names (bench_support.hpp); the tables omit it.
    by_name = lambda aggregate: {re.sub(r"/repeats:\d+", "", b["run_name"]): b
                                 for b in doc["benchmarks"] if b.get("aggregate_name") == aggregate}
    # Threaded cases also carry their best repetition (aggregate "min", bench_support.hpp).
    return doc["context"], by_name("median"), by_name("min")


fctx, fwd, fwd_best = load("forward")
tctx, trn, trn_best = load("train")
_, bound, _ = load("train_bound")
peak = fwd["peak/fma"]["GFLOP/s"]


def ips(name):
    b = fwd.get(name)
    return b["images/s"] if b else None


def ratio(a, b):
    return f"{a / b:.2f}" if a and b else "-"


def k(v):
    return f"{v / 1e3:.0f}k" if v else "-"


print(f"Measured {fctx['date'][:10]} on {fctx['host_name']}: {fctx['num_cpus']} cores at "
      f"{fctx['mhz_per_cpu']} MHz, SIMD {fctx['simd_bytes']} bytes, OpenBLAS core "
      f"{fctx['openblas_core']}; load average at start {', '.join(f'{x:.1f}' for x in fctx.get('load_avg', []))}.")
print(f"FMA peak (peak/fma, one core, {int(fctx['simd_bytes']) * 8}-bit vectors): **{peak:.0f} GFLOP/s**. "
      "Medians of 5 randomly interleaved repetitions; single-thread rows are CPU time.\n")
print("### Forward pass, images/s (1 thread)\n")
print("| H | B | ours | ours_sparse | ours_auto | eigen | openblas | ours/openblas | sparse/openblas "
      "| best/eigen | ours % of peak |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
chart = []
for h in (128, 800):
    for b in (1, 64, 256, 4096):
        n = lambda impl: f"forward/{impl}/H:{h}/B:{b}"
        v = {i: ips(n(i)) for i in ("ours", "ours_sparse", "ours_auto", "eigen", "openblas")}
        best = max(v["ours"] or 0, v["ours_sparse"] or 0)
        pct = fwd[n("ours")]["GFLOP/s"] / peak * 100
        print(f"| {h} | {b} | {k(v['ours'])} | {k(v['ours_sparse'])} | {k(v['ours_auto'])} | "
              f"{k(v['eigen'])} | {k(v['openblas'])} | {ratio(v['ours'], v['openblas'])} | "
              f"{ratio(v['ours_sparse'], v['openblas'])} | {ratio(best, v['eigen'])} | {pct:.0f}% |")
        chart.append((f"H{h}/B{b}", v))

print("\n### Training epoch, 37,800 rows, SGD momentum (1 thread)\n")


def epoch_row(label, slow, fast, *more):
    """A table row of seconds per epoch of two runs, how much faster the second is, and any
    more cells."""
    if slow and fast:
        print(f"| {label} | {slow['s/epoch']:.3f} | {fast['s/epoch']:.3f} | "
              f"{slow['s/epoch'] / fast['s/epoch']:.2f} |" + "".join(f" {c} |" for c in more))


print("| H | batch | noise | openblas s/epoch | ours s/epoch | openblas/ours |")
print("|---|---|---|---|---|---|")
for h in (128, 800):
    for b in (64, 128):
        for noise in ("0", "0.2"):
            epoch_row(f"{h} | {b} | {noise}", trn.get(f"train/openblas/H:{h}/B:{b}/noise:{noise}"),
                      trn.get(f"train/ours/H:{h}/B:{b}/noise:{noise}"))

print("\n### Two threads (wall clock, same run)\n")
for name, medians in (("bench_forward", fwd), ("bench_train", trn)):
    two = medians.get("peak/fma/T:2/real_time")
    one = medians.get("peak/fma")
    if two and one:
        print(f"During {name}, the FMA chains on two threads at once ran at {two['GFLOP/s']:.0f} "
              f"GFLOP/s, {two['GFLOP/s'] / (2 * one['GFLOP/s']) * 100:.0f}% of twice one "
              f"thread's {one['GFLOP/s']:.0f} (peak/fma/T:2, median of "
              f"{two.get('repetitions', '?')} repetitions): the share of the second core the "
              "threaded cases had.\n")
    trip = medians.get("cores/round_trip/T:2/real_time")
    if trip:
        print(f"During {name}, a cache line went from one core to the other and back in "
              f"{trip['ns']:.0f} ns (cores/round_trip/T:2, median of "
              f"{trip.get('repetitions', '?')} repetitions).\n")
print("Speed-up: of the medians; best: of the best repetitions of each, the time when the "
      "second core was freest.\n")
print("| case | 1 thread | 2 threads | speed-up | best |")
print("|---|---|---|---|---|")


def best_speedup(best, name, two_threads="T:2", one_thread="T:1"):
    """One thread's best wall time over two threads' (same work, so their speed ratio)."""
    one = best.get(f"{name}/{one_thread}/real_time")
    two = best.get(f"{name}/{two_threads}/real_time")
    return ratio(one["real_time"], two["real_time"]) if one and two else "-"


def cpus_of(name, medians=trn):
    """The CPUs a case was measured on one at a time (its .../T:1/cpu:N cases), in order."""
    found = (re.fullmatch(re.escape(name) + r"/T:1/cpu:(\d+)/real_time", n) for n in medians)
    return sorted(int(m.group(1)) for m in found if m)


for h in (128, 800):
    for impl in ("ours", "ours_sparse"):
        name = f"forward/{impl}/H:{h}/B:256"
        one, two = ips(f"{name}/T:1/real_time"), ips(f"{name}/T:2/real_time")
        print(f"| forward {impl} H={h} B=256 (images/s) | {k(one)} | {k(two)} | {ratio(two, one)} "
              f"| {best_speedup(fwd_best, name)} |")
    for b, x, label in ((64, "", ""), (64, "/x:cached", ", one batch in cache"),
                        (64, "/x:gathered", ", dr::fit gathering the batches"), (128, "", "")):
        name = f"train/ours/H:{h}/B:{b}/noise:0{x}"
        epoch_row(f"train ours H={h} batch {b}{label} (s/epoch)", trn.get(f"{name}/T:1/real_time"),
                  trn.get(f"{name}/T:2/real_time"), best_speedup(trn_best, name))
    # One thread held to each core in turn, against the same two-thread case.
    name = f"train/ours/H:{h}/B:64/noise:0"
    for cpu in cpus_of(name):
        epoch_row(f"train ours H={h} batch 64, one thread held to cpu {cpu} (s/epoch)",
                  trn.get(f"{name}/T:1/cpu:{cpu}/real_time"), trn.get(f"{name}/T:2/real_time"),
                  best_speedup(trn_best, name, one_thread=f"T:1/cpu:{cpu}"))
    # The two ways of handing rows between the threads (Handover in train_step.hpp), forced.
    for mode, label in (("in_place", "in place"), ("streamed", "streamed")):
        epoch_row(f"train ours H={h} batch 64, rows handed {label} (s/epoch)",
                  trn.get(f"{name}/T:1/real_time"),
                  trn.get(f"{name}/T:2/handover:{mode}/real_time"),
                  best_speedup(trn_best, name, f"T:2/handover:{mode}"))
    # The threads meeting at every step's start and end (Trainer::step per batch).
    epoch_row(f"train ours H={h} batch 64, a step() per batch (s/epoch)",
              trn.get(f"{name}/T:1/real_time"), trn.get(f"{name}/T:2/steps:one_by_one/real_time"),
              best_speedup(trn_best, name, "T:2/steps:one_by_one"))

chosen = [(h, x, trn.get(f"train/ours/H:{h}/B:64/noise:0{x}/T:2/real_time")) for h in (128, 800)
          for x in ("", "/x:cached")]
if all(case and "streamed" in case for _, _, case in chosen):
    print("\nThe rows of the two-thread cases without `handover` in their name were handed as "
          "Handover::automatic chose from where the cores were; in the last step: "
          + ", ".join(f"H={h}{' in cache' if x else ''} "
                      f"{'streamed' if case['streamed'] else 'in place'}" for h, x, case in chosen)
          + ".")

one_pass = trn.get("cores/buffer_pass/KiB:16/T:1/real_time")
two_pass = trn.get("cores/buffer_pass/KiB:16/T:2/real_time")
if one_pass and two_pass:
    print(f"\nReading and rewriting 16 KiB took {one_pass['ns']:.0f} ns on one core and "
          f"{two_pass['ns']:.0f} ns when the other core had just written it "
          "(cores/buffer_pass/KiB:16/T:1 and T:2): handing 16 KiB over cost "
          f"{two_pass['ns'] - one_pass['ns']:.0f} ns.")


def held_steps(medians, name):
    """One thread's step held to each core in turn, in µs, fastest first (at least two)."""
    pinned = [medians.get(f"{name}/T:1/cpu:{cpu}/real_time") for cpu in cpus_of(name, medians)]
    return sorted(step(p) for p in pinned) if len(pinned) >= 2 and None not in pinned else None


def step(case):
    """A case's step in µs: an epoch of 37,800 rows is 591 steps of 64."""
    return case["s/epoch"] / 591 * 1e6


def worked(case):
    """Each thread's working time in a step (its phases' sum, waits not counted), in µs."""
    return [sum(case[f"t{t}.p{p}"] for p in (1, 2, 3)) for t in range(2) if f"t{t}.p1" in case]


sync = trn.get("cores/step_sync/T:2/real_time")
for h in (128, 800):
    name = f"train/ours/H:{h}/B:64/noise:0"
    two = trn.get(f"{name}/T:2/real_time")
    held = held_steps(trn, name)
    if not two or not sync or not held:
        continue
    fast, slow = held[:2]
    rho = fast / slow
    print(f"\nWhat two threads could reach at H={h}, batch 64, against one thread on the faster "
          f"core: held to each core in turn, one thread's step took {fast:.1f} and {slow:.1f} µs, "
          f"so the two cores together could train at most {1 + rho:.2f} × as fast, and "
          f"{2 * rho:.2f} × with the work in two equal halves, as train_step.hpp cuts it; two "
          f"threads took {step(two):.1f} µs a step, {fast / step(two):.2f} ×. 1.8 × leaves "
          f"{fast / 1.8:.1f} µs a step, {fast / 1.8 - fast / 2:.1f} µs more than half of one "
          f"thread's; starting two threads on a step and meeting at its two barriers with nothing "
          f"to do took {sync['ns'] / 1e3:.1f} µs (cores/step_sync/T:2).")
    free = bound.get(f"{name}/T:2/handover:none/real_time")
    held = held_steps(bound, name)
    if free and held:
        print(f"\nWithout handing rows over at H={h} (bench_train_bound, run after bench_train: "
              f"the streamed handover copies nothing, so the model is wrong): one thread held to "
              f"each core took {held[0]:.1f} and {held[1]:.1f} µs a step, two threads "
              f"{step(free):.1f} µs, {held[0] / step(free):.2f} × the faster core; the threads "
              f"worked {' and '.join(f'{w:.1f}' for w in worked(free))} µs of it (half of the faster "
              f"core's step: {held[0] / 2:.1f}). That is the most "
              f"any way of handing the rows over could reach with this split of the work; 1.8 × "
              f"would need a step of {held[0] / 1.8:.1f} µs.")

print("\n### Where a training step's time goes (H=128, batch 64, µs per step)\n")
print("Each thread's working time in each phase of train_step.hpp (waits not counted): "
      "phase 1 the first layer's sum, 2 the rows' forward and backward passes, 3 the "
      "gradients and updates.\n")
print("| case | thread | phase 1 | phase 2 | phase 3 | sum |")
print("|---|---|---|---|---|---|")
for x, label in (("", ""), ("/x:cached", ", batch in cache")):
    for threads in (1, 2):
        case = trn.get(f"train/ours/H:128/B:64/noise:0{x}/T:{threads}/real_time")
        for t in range(threads):
            p = [case.get(f"t{t}.p{i}") if case else None for i in (1, 2, 3)]
            if None in p:
                continue
            print(f"| {threads} thread{'s' if threads > 1 else ''}{label} | {t} | "
                  + " | ".join(f"{v:.1f}" for v in p) + f" | {sum(p):.1f} |")

densities = ("0.2", "0.4", "0.6", "0.7", "0.8", "0.9")
print("\n### First layer alone, 64 random rows: sparse kernel speed over dense, by input density\n")
print("| pass | H | " + " | ".join(f"density {d}" for d in densities) + " |")
print("|---|---|" + "---|" * len(densities))
for name, label in (("layer1", "forward"), ("grad1", "weight gradient")):
    for h in (128, 800):
        cells = []
        for d in densities:
            dense = fwd.get(f"{name}/dense/H:{h}/density:{d}")
            sparse = fwd.get(f"{name}/sparse/H:{h}/density:{d}")
            cells.append(ratio(sparse["images/s"], dense["images/s"]) if dense and sparse else "-")
        print(f"| {label} | {h} | " + " | ".join(cells) + " |")

with open(os.path.join(out, "forward_chart.dat"), "w") as f:
    f.write("# config ours ours_sparse eigen (images/s over openblas)\n")
    for label, v in chart:
        f.write(f"{label} " + " ".join(ratio(v[i], v["openblas"]).replace("-", "0")
                                       for i in ("ours", "ours_sparse", "eigen")) + "\n")
