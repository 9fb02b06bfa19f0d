#!/usr/bin/env bash
# Measures what the second core gives `scn train`, as a user runs it, and writes docs/performance.md's "Both cores"
# section (between its two "bench/cores.sh" markers; everything else in the file is kept):
#   - the machine's ceiling on one core and on both (../shared/tools/fma-peak, before and after), so the ratio the
#     hardware allows is quoted beside the ratio training gets;
#   - scn train MODEL for the four notebook models at batch 16, 64 and 256 on both cores, and at batch 16 on one core
#     (taskset -c 0, DOTNET_PROCESSOR_COUNT=1), rounds interleaved, the median of five (batch 16) or three of each;
#     each run between two readings of the cores' round trip (bench/core-distance.c --round-trip), so that a round's
#     one-core and two-core runs at batch 16 can be set against each other where the cores were near throughout;
#   - PyTorch's training rate at the same batch sizes (best of three), when PyTorch is importable;
#   - what the machine allows a whole two-core run in the same minutes: before each model's runs, bench/lockstep.c's
#     job of training-step shape (pure FMA halves and a barrier) for 2 s on two threads and 2 s on one;
#   - one core against two in the same moments (StaticConvNet.Bench --core-distance: interleaved blocks of steps in one
#     process, binned by the cores' round trip), and the FMA ceiling binned the same way (bench/core-distance.c);
#   - what moving each model's step data between the two cores costs, binned the same way (bench/line-transfer.c);
#   - what a data-parallel step of each model's size allows, near and far: its exchange with perfect kernels and
#     nothing else (bench/ideal-step.c), beside the same-moment ratios.
# Usage: bench/cores.sh   (about 9 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
out=docs/performance.md
begin='<!-- bench/cores.sh writes from here. -->'
end='<!-- bench/cores.sh writes to here. -->'
grep -qF "$begin" "$out" && grep -qF "$end" "$out" || { echo "$out has no '$begin' / '$end' lines" >&2; exit 1; }
peak_tool=../shared/tools/fma-peak
[ -x "$peak_tool" ] || { echo "needs $peak_tool (the ceiling is quoted beside the results)" >&2; exit 1; }
command -v taskset >/dev/null || { echo "needs taskset (util-linux) to run on one core" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

dotnet build -c Release src/Cli >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
dotnet build -c Release bench/StaticConvNet.Bench >>"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
scn=src/Cli/bin/Release/net10.0/scn.dll
"$peak_tool" >"$work/peak.txt"
# The FMA ceiling by core distance needs AVX-512: without it the table is left out, not the run.
if gcc -O2 -o "$work/core-distance" bench/core-distance.c -lpthread && "$work/core-distance" 10 >"$work/distance-fma.csv"; then :; else : >"$work/distance-fma.csv"; fi
gcc -O2 -o "$work/lockstep" bench/lockstep.c -lpthread || true
: >"$work/lockstep.csv"
lockstep() { # model: the machine's two-thread allowance just before that model's runs (none without gcc or AVX-512)
  [ -x "$work/lockstep" ] || return 0
  "$work/lockstep" 2 1 2>/dev/null | tail -n +2 | sed "s/^/$1,/" >>"$work/lockstep.csv" || true
}
dotnet bench/StaticConvNet.Bench/bin/Release/net10.0/StaticConvNet.Bench.dll --core-distance >"$work/distance-steps.csv"
# Each model's parameter count (the harness's second column), once each: the floats a step exchanges each way.
if gcc -O2 -o "$work/line-transfer" bench/line-transfer.c -lpthread \
   && "$work/line-transfer" 12 $(tail -n +2 "$work/distance-steps.csv" | cut -d, -f2 | sort -un) >"$work/transfer.csv"; then :; else : >"$work/transfer.csv"; fi
# Each model's parameter count and half its one-core step (the harness's "all" rows, in its order) as each thread's compute.
if gcc -O2 -o "$work/ideal-step" bench/ideal-step.c -lpthread \
   && "$work/ideal-step" 12 $(awk -F, 'NR > 1 && $3 == "all" { printf "%s %.0f ", $2, $7 / 2 }' "$work/distance-steps.csv") >"$work/ideal.csv"; then :; else : >"$work/ideal.csv"; fi
round_trip() { # near, far or between: the cores' state now (empty without the probe: no gcc or no AVX-512)
  [ -x "$work/core-distance" ] && "$work/core-distance" --round-trip 2>/dev/null || true
}
# About 96,000 images a run whatever the batch, evaluation off, so the rate is the training steps'.
train() { # cores model batch
  local steps=$((96000 / $3)) prefix=() before rate
  [ "$1" = 1 ] && prefix=(taskset -c 0 env DOTNET_PROCESSOR_COUNT=1)
  before="$(round_trip)"
  rate="$("${prefix[@]}" dotnet "$scn" train "$2" --batch-size "$3" --steps "$steps" --eval-every 1000000 --out "$work/run" --overwrite \
    | sed -n 's/.*(\([0-9,]*\) img\/s training).*/\1/p' | tr -d ,)"
  echo "$1,$2,$3,$rate,$before,$(round_trip)" >>"$work/scn.csv"
}
for round in 1 2 3 4 5; do
  for model in arch1 arch2 arch3 arch4; do
    lockstep "$model"
    train 1 "$model" 16
    train 2 "$model" 16
    if [ "$round" -le 3 ]; then for batch in 64 256; do train 2 "$model" "$batch"; done; fi
  done
done
"$peak_tool" >>"$work/peak.txt"
: >"$work/torch.csv"
if /usr/bin/python3 -c "import torch" 2>/dev/null; then
  for round in 1 2 3; do
    for batch in 16 64 256; do
      /usr/bin/python3 bench/pytorch/train_speed.py --batch "$batch" | sed "s/^/$batch,/" >>"$work/torch.csv"
    done
  done
  /usr/bin/python3 -c "import torch; print(torch.__version__)" >"$work/torch.version"
fi
cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs) (CPU family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | xargs), model $(grep -m1 '^model\s*:' /proc/cpuinfo | cut -d: -f2 | xargs))"

python3 - "$work" "$out" "$begin" "$end" "$cpu" "$(date -u +%Y-%m-%d)" <<'PY'
import os, re, statistics, sys
work, out, begin, end, cpu, day = sys.argv[1:7]
peak = open(os.path.join(work, "peak.txt")).read()
one = [float(v) for v in re.findall(r"^one core: ([0-9.]+)", peak, re.M)]
both = [float(v) for v in re.findall(r"^all \d+ cores: ([0-9.]+)", peak, re.M)]
runs = {}
near_throughout = {} # (cores, model, batch) -> per run: whether the cores were near when it began and when it ended
for line in open(os.path.join(work, "scn.csv")):
    cores, model, batch, rate, before, after = line.strip().split(",")
    key = (int(cores), model, int(batch))
    runs.setdefault(key, []).append(float(rate))
    near_throughout.setdefault(key, []).append(before == after == "near")
rate = {k: statistics.median(v) for k, v in runs.items()}
# model -> two ÷ one of each round whose one-core and two-core runs at batch 16 (one after the other) were both near
# throughout, and the number of rounds
near_pairs = {}
for model in ["arch1", "arch2", "arch3", "arch4"]:
    ones, twos = runs[(1, model, 16)], runs[(2, model, 16)]
    near = [a and b for a, b in zip(near_throughout[(1, model, 16)], near_throughout[(2, model, 16)])]
    near_pairs[model] = ([t / o for o, t, n in zip(ones, twos, near) if n], len(ones))
# model -> per round: (two ÷ one threads, the two-thread run's stalls and stalled ms, the one-thread run's stalls)
lockstep = {}
two = {} # model -> its last two-thread run, until the one-thread run after it
for line in open(os.path.join(work, "lockstep.csv")):
    model, _, threads, steps, stalls, stalled = line.strip().split(",")
    if threads == "2": two[model] = (float(steps), int(stalls), float(stalled))
    elif model in two:
        both_steps, both_stalls, both_stalled = two.pop(model)
        lockstep.setdefault(model, []).append((both_steps / float(steps), both_stalls, both_stalled, int(stalls)))
stalls_two = sum(r[1] for rounds in lockstep.values() for r in rounds)
stalls_one = sum(r[3] for rounds in lockstep.values() for r in rounds)
torch = {}
for line in open(os.path.join(work, "torch.csv")):
    if line.startswith("#") or line.count(",") != 2: continue
    batch, model, value = line.strip().split(",")
    key = (model, int(batch))
    torch[key] = max(torch.get(key, 0), float(value))
version = open(os.path.join(work, "torch.version")).read().strip() if torch else None
lines = [begin, ""]
lines.append(f"Measured by `bench/cores.sh` on {day}: 2 cores of {cpu}"
             + (f", PyTorch {version} (2 threads)" if version else ", PyTorch not installed") + ". "
             "`scn train MODEL --batch-size B --steps 96000/B --eval-every 1000000`, the img/s it prints, median of five "
             "interleaved runs at batch 16 and three at 64 and 256; one core is `taskset -c 0` with `DOTNET_PROCESSOR_COUNT=1`. "
             "Each run starts and ends with a reading of the cores' state, by their round trip (`bench/core-distance.c --round-trip`); "
             "\"near rounds\" sets each round's one-core run at batch 16 against the two-core run right after it, where "
             "all four readings were near (the median, and how many of the rounds). PyTorch: its full training "
             "step at the same batch size, best of three.")
lines.append("")
lines.append(f"The ceiling: one core {one[0]:.0f} and {one[-1]:.0f} GFLOP/s, both cores {both[0]:.0f} and {both[-1]:.0f} "
             f"(fma-peak before and after): the hardware gives the second core {both[0] / one[0]:.2f}x and {both[-1] / one[-1]:.2f}x.")
lines.append("")
if lockstep:
    lines.append("The machine's allowance for a whole two-core run, measured beside each model's runs (`bench/lockstep.c`: "
                 "a job of a training step's shape, two halves of 512-bit FMA work of about 150 µs and a barrier, for 2 s "
                 "on two threads, then on one thread doing both halves; once per model and round; a stall is "
                 "a gap of over 20 ms between two steps, a virtual CPU stopped by the host while the other waits at the "
                 f"barrier, as a step's caller waits at its join). In this run: {stalls_two} stalls on two threads, "
                 f"{stalls_one} on one.")
    lines.append("")
lines.append("| model | one core, batch 16 | both cores, batch 16 | both ÷ one | both ÷ one, near rounds | lockstep job beside it | batch 64 | batch 256 | PyTorch 16 / 64 / 256 | vs PyTorch 16 / 64 / 256 |")
lines.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for model in ["arch1", "arch2", "arch3", "arch4"]:
    r1, r16, r64, r256 = rate[(1, model, 16)], rate[(2, model, 16)], rate[(2, model, 64)], rate[(2, model, 256)]
    t = [torch.get((model, b)) for b in (16, 64, 256)]
    theirs = " / ".join(f"{v:,.0f}" if v else "–" for v in t)
    ratio = " / ".join(f"{ours / v:.1f}x" if v else "–" for ours, v in zip((r16, r64, r256), t))
    beside = lockstep.get(model, [])
    allowance = (" / ".join(f"{r[0]:.2f}x" for r in beside)
                 + f" ({sum(r[1] for r in beside)} stalls, {sum(r[2] for r in beside):,.0f} ms)") if beside else "–"
    pairs, rounds = near_pairs[model]
    near = f"{statistics.median(pairs):.2f}x ({len(pairs)} of {rounds})" if pairs else f"– (0 of {rounds})"
    lines.append(f"| {model} | {r1:,.0f} | {r16:,.0f} | {r16 / r1:.2f}x | {near} | {allowance} | {r64:,.0f} | {r256:,.0f} | {theirs} | {ratio} |")
lines.append("")
lines.append("**One core against two in the same moments** (`StaticConvNet.Bench --core-distance`): per model, for 8 s, ten "
             "training steps at batch 16 on both cores and ten on one (each block timed after one untimed step: the first "
             "step after a block of the other kind moves the network's lines between the cores, which a run of steady "
             "steps never does), in alternating order, each pair after measuring a "
             "flag's round trip between the step's two threads (timed once both are running); the median per step, over "
             "all blocks and over those where the cores were near (round trip under 200 ns) or far (over 300 ns); a state "
             "seen in under 20 blocks shows only its count. Just "
             "before, `bench/core-distance.c` binned 512-bit FMA throughput the same way for 10 s (means per sample), so "
             "each state's ceiling stands beside it (a state seen in under 1,000 samples shows only its count). The last "
             "column is the share of the two-core steps' half-updates that went through a copy (`HalfUpdate`: each core "
             "writes its half of the parameters in place or through a copy, whichever it has timed faster lately; the "
             "slower way is tried once in 32). After each pair a third block has each core step a network of its own "
             "on one core, at once: the last column is twice one core's rate over that (its two threads' mean), what "
             "two cores give two independent networks at that moment, the most the machine offers a step that shares "
             "nothing.")
lines.append("")
lines.append("| model | the cores were | blocks | round trip | both cores, µs/step | one core, µs/step | both ÷ one | updates through the copy | a network per core, ÷ one |")
lines.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
steps = {} # (model, state) -> two-core µs a step, where the state had enough blocks to say (a few far blocks are often a moment's noise)
parameter_counts = {} # model -> its parameter count, in the harness's order
for line in open(os.path.join(work, "distance-steps.csv")).read().splitlines()[1:]:
    model, parameters, state, blocks, rt_ns, two, one_core, copied, independent = line.split(",")
    parameter_counts[model] = int(parameters)
    enough = int(blocks.split("/")[0]) >= 20
    if two and enough: steps[(model, state)] = float(two)
    # As for the FMA ceiling below: a few blocks in a state are a moment's noise, not a placement; their count only.
    if not two or not enough:
        lines.append(f"| {model} | {state} | {blocks} | – | – | – | – | – | – |")
        continue
    lines.append(f"| {model} | {state} | {blocks} | {float(rt_ns):,.0f} ns | {float(two):.1f} | {float(one_core):.1f} | {float(one_core) / float(two):.2f}x "
                 f"| {float(copied):.0%} | {2 * float(one_core) / float(independent):.2f}x |")
fma = open(os.path.join(work, "distance-fma.csv")).read().splitlines()[1:]
if fma:
    lines.append("")
    lines.append("| FMA ceiling, the cores were | samples | round trip | one thread | both threads | both ÷ one |")
    lines.append("| --- | ---: | ---: | ---: | ---: | ---: |")
    for line in fma:
        state, samples, rt_ns, one_t, both_t = line.split(",")
        # A state seen in a few samples is a moment's noise (a stalled round trip), not a placement: its count only.
        if not one_t or (state != "all" and int(samples) < 1000):
            lines.append(f"| {state} | {samples or 0} | – | – | – | – |")
            continue
        lines.append(f"| {state} | {samples} | {float(rt_ns):,.0f} ns | {float(one_t):.0f} GFLOP/s | {float(both_t):.0f} GFLOP/s | {float(both_t) / float(one_t):.2f}x |")
transfer = {} # (floats, state) -> (samples, pull µs, rewrite µs, local write µs)
for line in open(os.path.join(work, "transfer.csv")).read().splitlines()[1:]:
    floats, state, samples, _, pull, rewrite, local = line.split(",")
    if pull and int(samples) >= 1000: transfer[(int(floats), state)] = (int(samples), float(pull), float(rewrite), float(local))
if transfer:
    lines.append("")
    lines.append("**What the cores' distance costs a step.** A two-core step exchanges about its parameter count in floats each "
                 "way: each core reads the half of the other's shard gradients it sums and the half of the parameters the "
                 "other updated (a pull: lines the other core wrote), and rewrites lines the other core has read (its half "
                 "of the parameters, its shard's gradients: a rewrite, which first takes them from the other core's cache). "
                 "`bench/line-transfer.c` times both for a buffer of that many floats (rounded down to whole cache lines), "
                 "every size in each sample, for 12 s after the same-moment runs, binned by the round trip as above "
                 "(medians); a local write of the same lines for comparison. Beside it, how much longer the model's "
                 "two-core step was far than near in the table above. Here a state seen in under 1,000 samples, or a "
                 "step state in under 20 blocks, is left out: a few far round trips are often a moment's noise, not a "
                 "far placement.")
    lines.append("")
    lines.append("| model | parameters | near: pull + rewrite | far: pull + rewrite (samples) | far − near | local write | two-core step, far − near |")
    lines.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for model, parameters in parameter_counts.items():
        floats = parameters // 16 * 16
        near, far = transfer.get((floats, "near")), transfer.get((floats, "far"))
        cost = lambda t: f"{t[1]:.1f} + {t[2]:.1f} µs" if t else "–"
        extra = f"{far[1] + far[2] - near[1] - near[2]:.1f} µs" if near and far else "–"
        step = (f"{steps[(model, 'far')] - steps[(model, 'near')]:.1f} µs"
                if (model, "far") in steps and (model, "near") in steps else "–")
        local = near or far
        lines.append(f"| {model} | {parameters:,} | {cost(near)} | {cost(far)}{f' ({far[0]:,})' if far else ''} | {extra} | "
                     f"{f'{local[3]:.1f} µs' if local else '–'} | {step} |")
ideal = [line.split(",") for line in open(os.path.join(work, "ideal.csv")).read().splitlines()[1:]]
if ideal:
    same = {}  # (model, state) -> both ÷ one in the same-moment table above
    for line in open(os.path.join(work, "distance-steps.csv")).read().splitlines()[1:]:
        model, _, state, blocks, _, two, one_core = line.split(",")[:7]
        if two and int(blocks.split("/")[0]) >= 20: same[(model, state)] = float(one_core) / float(two)
    lines.append("")
    lines.append("**What a data-parallel step of this size allows** (`bench/ideal-step.c`, 12 s after the rest, binned as above): "
                 "two C threads each read every parameter (half of them the other last wrote), run half the model's one-core "
                 "step of 512-bit FMAs (the compute, as the same-moment table's one-core step), write their shard's "
                 "gradients, then each sums its half of both shards into its half of the parameters; one thread does both "
                 "threads' work in turn. So it is the step's exchange with perfect kernels and nothing else: the most a "
                 "two-core step that exchanges this much can gain here, set beside what training gets in the same state. "
                 "A state seen in under 50 samples is left out.")
    lines.append("")
    lines.append("| model | parameters | compute a half | near: two threads / one (ratio) | far: two threads / one (ratio, samples) | training, same moments, near / far |")
    lines.append("| --- | ---: | ---: | ---: | ---: | ---: |")
    for i, (model, parameters) in enumerate(parameter_counts.items()):
        rows = {row[2]: row for row in ideal[2 * i:2 * i + 2]}
        def cell(state, with_samples):
            row = rows.get(state)
            if not row or not row[5] or int(row[3]) < 50: return "–"
            return f"{float(row[5]):.1f} / {float(row[6]):.1f} µs ({float(row[7]):.2f}x{f', {int(row[3]):,}' if with_samples else ''})"
        trained = " / ".join(f"{same[(model, s)]:.2f}x" if (model, s) in same else "–" for s in ("near", "far"))
        lines.append(f"| {model} | {parameters:,} | {ideal[2 * i][1]} µs | {cell('near', False)} | {cell('far', True)} | {trained} |")
lines += ["", end]
text = open(out).read()
start, stop = text.index(begin), text.index(end) + len(end)
tmp = out + ".tmp"
open(tmp, "w").write(text[:start] + "\n".join(lines) + text[stop:])
os.replace(tmp, out)
print(f"wrote {out}")
PY
