#!/usr/bin/env bash
# `scn train MODEL --recipe best` at every SIMD tier against PyTorch's strongest recipe (bench/pytorch/train_best.py,
# always on its own AVX-512 kernels), arch1–arch4, one seed each, in one sitting, timed as whole commands (start-up
# and data loading included; PyTorch's from its loaded data). Writes the table into docs/training.md after the
# marker line. Needs PyTorch (apt-get install python3-torch). Usage: bench/recipe-tiers.sh   (about 6 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
doc=docs/training.md
marker='<!-- bench/recipe-tiers.sh writes from here. -->'
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 -c "import torch" 2>/dev/null || { echo "error: PyTorch is not installed (apt-get install python3-torch)" >&2; exit 1; }
dotnet build src/Cli -c Release -nologo -v q >/dev/null

tiers=("the default tier (AVX-512 where the machine has it)|" "AVX2 (DOTNET_EnableAVX512=0)|DOTNET_EnableAVX512=0" "128-bit (DOTNET_EnableAVX2=0)|DOTNET_EnableAVX2=0")
rows=""
for model in arch1 arch2 arch3 arch4; do
  IFS=, read -r _ _ torch_accuracy torch_seconds <<<"$(cd bench/pytorch && /usr/bin/python3 train_best.py "$model" 0)"
  row="| $model | $(printf '%.2f' "$(echo "$torch_accuracy * 100" | bc -l)") % in $torch_seconds s"
  for tier in "${tiers[@]}"; do
    IFS='|' read -r _ setting <<<"$tier"
    dir="$work/$model-$RANDOM"
    start=$(date +%s.%N)
    if ! env ${setting:+"$setting"} dotnet src/Cli/bin/Release/net10.0/scn.dll train "$model" --recipe best --seed 1 --out "$dir" >"$dir.log" 2>&1; then
      echo "error: scn train $model failed at $tier:" >&2; tail -5 "$dir.log" >&2; exit 1
    fi
    seconds=$(echo "$(date +%s.%N) - $start" | bc)
    accuracy=$(awk -F, 'NR > 1 && $5 != "" { a = $5 } END { printf "%.2f", a * 100 }' "$dir/metrics.csv")
    row+=" | $accuracy % in $(printf '%.1f' "$seconds") s: $(printf '%.2f' "$(echo "$seconds / $torch_seconds" | bc -l)")"
  done
  rows+="$row |"$'\n'
done

{
  awk -v marker="$marker" '{ print } $0 == marker { exit }' "$doc"
  echo
  echo "Measured by \`bench/recipe-tiers.sh\` on $(date -u +%Y-%m-%d): $(nproc) cores of $(lscpu | sed -n 's/^Model name: *//p' | head -1) (CPU family $(lscpu | sed -n 's/^CPU family: *//p' | head -1), model $(lscpu | sed -n 's/^Model: *//p' | head -1)), PyTorch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)') (seed 0); ours seed 1. Each cell: validation accuracy in whole-command seconds, then that time as a fraction of PyTorch's."
  echo
  echo "| model | PyTorch's best recipe | --recipe best, default tier (AVX-512 here) | AVX2 (\`DOTNET_EnableAVX512=0\`) | 128-bit (\`DOTNET_EnableAVX2=0\`) |"
  echo "| --- | --- | --- | --- | --- |"
  printf '%s' "$rows"
} >"$work/doc.md"
mv "$work/doc.md" "$doc"
echo "wrote the recipe table into $doc"
