#!/usr/bin/env bash
# GPU measurements for docs/gpu.md, for a GPU machine without the .NET SDK (the device tool's machines).
#   bench/gpu.sh publish         here: the benchmarks, self-contained for linux-x64, packed into .device/bench.tar.xz
#   bench/gpu.sh measure OUT     there (in a copy of this repository carrying .device/bench.tar.xz): the GPU's name,
#                                the GPU benchmarks (training steps at batch 128 and 1024, batch inference), PyTorch
#                                CUDA on the same architectures and 20 training steps of every model checked against
#                                the CPU path, all into OUT/gpu-results.md, in one sitting
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  publish)
    # One self-contained program (the runtime included), packed: the device tool carries at most 64 MiB.
    rm -rf .device && mkdir -p .device
    dotnet publish bench/StaticConvNet.Bench -c Release -r linux-x64 --self-contained -o .device/bench
    tar -C .device -cJf .device/bench.tar.xz bench && rm -rf .device/bench
    ls -l .device/bench.tar.xz
    ;;
  measure)
    out="$(realpath -m "${2:?usage: bench/gpu.sh measure OUT}")" # absolute: the benchmarks run from inside it
    mkdir -p "$out"
    [ -x .device/bench/StaticConvNet.Bench ] || tar -C .device -xJf .device/bench.tar.xz
    results="$out/gpu-results.md"
    {
      echo "Measured by \`bench/gpu.sh measure\` on $(date -u +%Y-%m-%d):"
      echo
      echo '```'
      nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
      echo '```'
      echo
      echo "### StaticConvNet (ILGPU, CUDA), BenchmarkDotNet in process"
      echo
      (cd "$out" && "$OLDPWD/.device/bench/StaticConvNet.Bench" --gpu --filter '*' --artifacts "$out/bdn" >"$out/bdn.log" 2>&1) || true
      cat "$out"/bdn/results/*-report-github.md 2>/dev/null || { echo "(no results: see bdn.log)"; tail -20 "$out/bdn.log"; }
      echo
      echo "### PyTorch CUDA, same architectures (images per second)"
      echo
      echo '```'
      for batch in 128 1024; do python3 bench/pytorch/train_speed.py --device cuda --batch "$batch" arch2 arch3; done
      python3 bench/pytorch/train_speed.py --device cuda --inference --batch 1024 arch2 arch3
      echo '```'
      echo
      echo "### Training on this GPU against the CPU path (20 steps of every model)"
      echo
      echo '```'
      .device/bench/StaticConvNet.Bench --gpu-check cuda 2>&1 || true
      echo '```'
    } >"$results"
    cat "$results"
    ;;
  *)
    echo "usage: bench/gpu.sh publish | measure OUT" >&2
    exit 2
    ;;
esac
