#!/usr/bin/env bash
# Measures the machine's FMA ceiling, runs the BenchmarkDotNet suite and, when PyTorch is importable, the same
# training steps in PyTorch, on this machine in one go, and writes the measured half of docs/performance.md (every
# line below its marker; the analysis above it is kept), then runs bench/tiers.sh, which measures inference and training at
# every SIMD tier beside ONNX Runtime and PyTorch and writes its own section. Usage: bench/compare.sh [--job short]
set -euo pipefail
cd "$(dirname "$0")/.."
out=docs/performance.md
artifacts="$(mktemp -d)"
trap 'rm -rf "$artifacts"' EXIT
marker='<!-- bench/compare.sh writes everything below this line. -->'
grep -qF "$marker" "$out" || { echo "$out has no line '$marker'" >&2; exit 1; }

# The ceiling, in the same sitting as the benchmarks: ../shared/tools/fma-peak (twelve independent FMA chains per thread).
peak_tool=../shared/tools/fma-peak
[ -x "$peak_tool" ] || { echo "needs $peak_tool (the FMA ceiling is quoted beside every result)" >&2; exit 1; }
"$peak_tool" >"$artifacts/peak.txt"
peak_one=$(sed -n 's/^one core: \([0-9.]*\) GFLOP.*/\1/p' "$artifacts/peak.txt")
peak_all=$(sed -n 's/^all [0-9]* cores: \([0-9.]*\) GFLOP.*/\1/p' "$artifacts/peak.txt")

dotnet run -c Release --project bench/StaticConvNet.Bench -- --filter '*' --exporters csv --artifacts "$artifacts" "$@" >"$artifacts/bdn.log"
dotnet run -c Release --no-build --project bench/StaticConvNet.Bench -- --layer-flops >"$artifacts/flops.csv"
"$peak_tool" >>"$artifacts/peak.txt" # and again after: a drifting machine shows here

# BenchmarkDotNet CSV: Method,...,Model,Mean,...  Mean like "1,234.5 us"; turn it into microseconds.
mean_us() { # class model [method] [param column]
  local file="$artifacts/results/StaticConvNet.Bench.$1-report.csv"
  python3 - "$file" "$2" "${3:-}" "${4:-Model}" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
for r in rows:
    if sys.argv[2] in ("", r.get(sys.argv[4], "")) and sys.argv[3] in ("", r["Method"]):
        value, unit = r["Mean"].replace(",", "").split()
        print(float(value) * {"ns": 1e-3, "us": 1.0, "μs": 1.0, "ms": 1e3, "s": 1e6}[unit]); break
PY
}
alloc() { # class model
  python3 - "$artifacts/results/StaticConvNet.Bench.$1-report.csv" "$2" <<'PY'
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    if r.get("Model", "") == sys.argv[2]: print(r.get("Allocated", "?")); break
PY
}

# PyTorch's rate drifts by a quarter between runs on this VM (arch3: 4,000 to 5,166 img/s in one sitting), so it runs
# three times and keeps each model's best: the ratio is against PyTorch at its fastest.
declare -A torch
if /usr/bin/python3 -c "import torch" 2>/dev/null; then
  for run in 1 2 3; do
    while IFS=, read -r model rate; do
      [[ "$model" == \#* ]] || [ "${torch[$model]:-0}" -ge "$rate" ] || torch[$model]=$rate
    done < <(/usr/bin/python3 bench/pytorch/train_speed.py)
  done
  torch_version=$(/usr/bin/python3 -c "import torch; print(torch.__version__)")
fi

ort_version=$(sed -n 's/.*Microsoft.ML.OnnxRuntime" Version="\([^"]*\)".*/\1/p' bench/StaticConvNet.Bench/StaticConvNet.Bench.csproj)
# The model name alone ("AMD EPYC") does not tell a Zen 4 from a Zen 5, whose FMA ceilings differ by 2x.
cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs) (CPU family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | xargs), model $(grep -m1 '^model\s*:' /proc/cpuinfo | cut -d: -f2 | xargs))"
# FLOPs per image of a model, forward only or the whole training pass (forward, backward, shard passes).
flops() { # model forward|training
  python3 - "$artifacts/flops.csv" "$1" "$2" <<'PY'
import csv, sys
total = 0
for case, forward, backward in csv.reader(open(sys.argv[1])):
    if case.split("/")[0] == sys.argv[2]:
        total += int(forward) + (int(backward) if sys.argv[3] == "training" else 0)
print(total)
PY
}

{
  awk -v marker="$marker" '{ print } $0 == marker { exit }' "$out"
  echo
  echo "Measured by \`bench/compare.sh $*\` on $(date -u +%Y-%m-%d): $(nproc) cores of $cpu, .NET $(dotnet --version), BenchmarkDotNet."
  echo "Ratios matter more than absolute times: they vary from run to run and machine to machine."
  echo
  echo "**The ceiling, measured in this run** by \`../shared/tools/fma-peak\` before and after the benchmarks:"
  echo
  echo '```'
  cat "$artifacts/peak.txt"
  echo '```'
  echo
  echo "Percentages of peak below use the first measurement: $peak_one GFLOP/s on one core, $peak_all on all cores."
  echo
  echo "### Training step (forward, backward, SGD update; batch 16, both cores)"
  echo
  echo "| model | StaticConvNet (img/s) | PyTorch ${torch_version:-(not installed)}, best of 3 runs (img/s) | ratio | MFLOP per image | % of all cores' peak |"
  echo "| --- | --- | --- | --- | --- | --- |"
  for m in arch1 arch2 arch3 arch4; do
    us=$(mean_us TrainingStep "$m"); ours=$(python3 -c "print(round(16 / ($us * 1e-6)))")
    theirs=${torch[$m]:-}; ratio=$([ -n "$theirs" ] && python3 -c "print(f'{$ours / $theirs:.1f}x')" || echo "-")
    f=$(flops "$m" training)
    [ "$f" -gt 0 ] && pct=$(python3 -c "print(f'{$f * $ours / 1e9 / $peak_all * 100:.0f} %')") || pct="-"
    echo "| $m | $ours | ${theirs:--} | $ratio | $(python3 -c "print(f'{$f / 1e6:.2f}' if $f else '-')") | $pct |"
  done
  echo
  echo "### Single-image inference (one thread)"
  echo
  echo "| model | StaticConvNet (us per image) | allocated per call | ONNX Runtime $ort_version, same graph (us per image) | ratio | % of one core's peak |"
  echo "| --- | --- | --- | --- | --- | --- |"
  for m in arch1 arch2 arch3 arch4; do
    ours=$(mean_us SingleImageInference "$m"); theirs=$(mean_us OnnxRuntimeInference "$m")
    f=$(flops "$m" forward)
    [ "$f" -gt 0 ] && pct=$(python3 -c "print(f'{$f / ($ours * 1e-6) / 1e9 / $peak_one * 100:.0f} %')") || pct="-"
    echo "| $m | $(python3 -c "print(f'{$ours:.1f}')") | $(alloc SingleImageInference "$m") | $(python3 -c "print(f'{$theirs:.1f}')") | $(python3 -c "print(f'{$theirs / $ours:.1f}x')") | $pct |"
  done
  echo
  echo "(arch4's FLOPs leave out its LRN, dropout and pooling, which have no multiply-add ceiling; its % is not comparable."
  echo "FLOPs are those of direct convolutions everywhere, and the Winograd layers do fewer multiply-adds: F(4x4, 5x5) (every"
  echo "stride-1 5x5 convolution with 16-channel multiples, where the machine has a fused multiply-add: conv2 and conv3 of"
  echo "arch2-arch4) 6.25x fewer per 4x4 tile, 4.8x at a 7x7 output and 4.8x at 14x14 counting the tiles' overlap, and"
  echo "F(4x4, 3x3) over pixel phases (arch1's stride-2 conv2, forward only) 2.1x fewer at its 7x7 output, so a % over 100"
  echo "is the direct convolution's rate it stands in for.)"
  echo
  echo "### Per layer (one image, one thread, as a training step runs it)"
  echo
  echo "Forward and backward of each layer alone (\`LayerPasses\`, BenchmarkDotNet's short job). \"batch\" is the once-per-batch"
  echo "preparation (the Winograd layers' kernels transformed; weights flipped for the input gradients, and transformed),"
  echo "which each core does for its own shard's 8 images, and \"shard\" the dense weight gradients summed over a shard's 8"
  echo "images, both per image. % of peak is the layer's"
  echo "direct multiply-adds against one core's measured ceiling (over 100 % for the Winograd layers, see above)."
  echo
  echo "| model | layer | forward (us) | % of peak | backward (us) | % of peak |"
  echo "| --- | --- | --- | --- | --- | --- |"
  while IFS=, read -r case forward backward; do
    model=${case%%/*}; rest=${case#*/}; kind=${rest%%/*}; name=${rest#*/}
    per=1; [ "$kind" = batch ] && per=8; [ "$kind" = shard ] && per=8 # each core prepares for its own shard
    f_us=$(mean_us LayerPasses "$case" Forward Layer); b_us=$(mean_us LayerPasses "$case" Backward Layer)
    [ -n "$b_us" ] || continue # a model LayerPasses does not measure (its FLOPs count in the tables above)
    python3 - "$model" "$kind" "$name" "$f_us" "$b_us" "$forward" "$backward" "$per" "$peak_one" <<'PY'
import sys
model, kind, name, f_us, b_us, f_flops, b_flops, per, peak = sys.argv[1:]
f_us, b_us, per, peak = float(f_us), float(b_us) / float(per), float(per), float(peak)
label = name if kind not in ("batch", "shard") else f"{kind}: {name}"
pct = lambda flops, us: f"{int(flops) / (us * 1e-6) / 1e9 / peak * 100:.0f} %" if int(flops) and us > 0 else "-"
fwd = f"{f_us:.2f}" if kind not in ("batch", "shard") else "-"
print(f"| {model} | {label} | {fwd} | {pct(f_flops, f_us) if fwd != '-' else '-'} | {b_us:.2f} | {pct(b_flops, b_us)} |")
PY
  done <"$artifacts/flops.csv"
  echo
  echo "### Batch inference of the validation split (2,000 images, both cores)"
  echo
  echo "| model | one network's PredictBatch (img/s) | one network per core, Predict per image (img/s) |"
  echo "| --- | --- | --- |"
  for m in arch1 arch2 arch3 arch4; do
    echo "| $m | $(python3 -c "print(round(1 / ($(mean_us BatchInference "$m" PredictBatch) * 1e-6)))") | $(python3 -c "print(round(1 / ($(mean_us BatchInference "$m" ValidationSet) * 1e-6)))") |"
  done
  echo
  echo "### The generator, and loading data"
  echo
  echo "| what | time |"
  echo "| --- | --- |"
  for m in Arch2ConvPool Arch4LeNet; do echo "| generate $m (fresh driver: parse, shapes, emit) | $(python3 -c "print(f'{$(mean_us GeneratorRun "$m") / 1000:.2f}')") ms |"; done
  echo "| load the 11,840-image training IDX (gzip) | $(python3 -c "print(f'{$(mean_us DataLoading "") / 1000:.0f}')") ms |"
  echo
  echo "Raw BenchmarkDotNet output of this run (LayerPasses left out; it is the table above):"
  echo
  echo '```'
  sed -n '/^| Method/,/^$/p' "$artifacts/bdn.log" | grep -v '/' | head -80
  echo '```'
} >"$out.tmp"
mv "$out.tmp" "$out"
echo "wrote $out"

# Every SIMD tier (AVX-512, AVX2, 128-bit) beside ONNX Runtime and PyTorch, into its own section of the same file.
bench/tiers.sh
