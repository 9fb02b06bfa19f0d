#!/usr/bin/env bash
# Runs the BenchmarkDotNet suite and, when PyTorch is importable, the same training steps in PyTorch, on this
# machine in one go, and writes docs/performance.md with the ratios. Usage: bench/compare.sh [--job short]
set -euo pipefail
cd "$(dirname "$0")/.."
out=docs/performance.md
artifacts="$(mktemp -d)"
trap 'rm -rf "$artifacts"' EXIT
dotnet run -c Release --project bench/StaticConvNet.Bench -- --filter '*' --exporters csv --artifacts "$artifacts" "$@" >"$artifacts/bdn.log"

# BenchmarkDotNet CSV: Method,...,Model,Mean,...  Mean like "1,234.5 us"; turn it into microseconds.
mean_us() { # class model [method]
  local file="$artifacts/results/StaticConvNet.Bench.$1-report.csv"
  python3 - "$file" "$2" "${3:-}" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
for r in rows:
    if sys.argv[2] in ("", r.get("Model", "")) and sys.argv[3] in ("", r["Method"]):
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

declare -A torch
if /usr/bin/python3 -c "import torch" 2>/dev/null; then
  while IFS=, read -r model rate; do [[ "$model" == \#* ]] || torch[$model]=$rate; done < <(/usr/bin/python3 bench/pytorch/train_speed.py)
  torch_version=$(/usr/bin/python3 -c "import torch; print(torch.__version__)")
fi

ort_version=$(sed -n 's/.*Microsoft.ML.OnnxRuntime" Version="\([^"]*\)".*/\1/p' bench/StaticConvNet.Bench/StaticConvNet.Bench.csproj)
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)
{
  echo "# Performance"
  echo
  echo "Measured by \`bench/compare.sh\` on $(date -u +%Y-%m-%d): $(nproc) cores of $cpu, .NET $(dotnet --version), BenchmarkDotNet."
  echo "Ratios matter more than absolute times: they vary from run to run and machine to machine."
  echo
  echo "## Training step (forward, backward, SGD update; batch 16, both cores)"
  echo
  echo "| model | StaticConvNet (img/s) | PyTorch ${torch_version:-(not installed)} (img/s) | ratio |"
  echo "| --- | --- | --- | --- |"
  for m in arch1 arch2 arch3 arch4; do
    us=$(mean_us TrainingStep "$m"); ours=$(python3 -c "print(round(16 / ($us * 1e-6)))")
    theirs=${torch[$m]:-}; ratio=$([ -n "$theirs" ] && python3 -c "print(f'{$ours / $theirs:.1f}x')" || echo "-")
    echo "| $m | $ours | ${theirs:--} | $ratio |"
  done
  echo
  echo "## Single-image inference (one thread)"
  echo
  echo "| model | StaticConvNet (us per image) | allocated per call | ONNX Runtime $ort_version, same graph (us per image) | ratio |"
  echo "| --- | --- | --- | --- | --- |"
  for m in arch1 arch2 arch3 arch4; do
    ours=$(mean_us SingleImageInference "$m"); theirs=$(mean_us OnnxRuntimeInference "$m")
    echo "| $m | $(python3 -c "print(f'{$ours:.1f}')") | $(alloc SingleImageInference "$m") | $(python3 -c "print(f'{$theirs:.1f}')") | $(python3 -c "print(f'{$theirs / $ours:.1f}x')") |"
  done
  echo
  echo "## Batch inference of the validation split (2,000 images, both cores)"
  echo
  echo "| model | one network's PredictBatch (img/s) | one network per core, Predict per image (img/s) |"
  echo "| --- | --- | --- |"
  for m in arch1 arch2 arch3 arch4; do
    echo "| $m | $(python3 -c "print(round(1 / ($(mean_us BatchInference "$m" PredictBatch) * 1e-6)))") | $(python3 -c "print(round(1 / ($(mean_us BatchInference "$m" ValidationSet) * 1e-6)))") |"
  done
  echo
  echo "## The generator, and loading data"
  echo
  echo "| what | time |"
  echo "| --- | --- |"
  for m in Arch2ConvPool Arch4LeNet; do echo "| generate $m (fresh driver: parse, shapes, emit) | $(python3 -c "print(f'{$(mean_us GeneratorRun "$m") / 1000:.2f}')") ms |"; done
  echo "| load the 11,840-image training IDX (gzip) | $(python3 -c "print(f'{$(mean_us DataLoading "") / 1000:.0f}')") ms |"
  echo
  echo "Raw BenchmarkDotNet output of this run:"
  echo
  echo '```'
  sed -n '/^| Method/,/^$/p' "$artifacts/bdn.log" | head -80
  echo '```'
} >"$out.generated"
echo "wrote $out.generated (merge it into $out, which also holds the analysis)"
