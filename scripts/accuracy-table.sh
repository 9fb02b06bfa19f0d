#!/usr/bin/env bash
# Trains every notebook model with its notebook recipe over several seeds (plus the better recipes we offer)
# and writes docs/results.md from what the runs measured. Usage: scripts/accuracy-table.sh [output.md]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/results.md}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
dotnet build src/Cli -c Release -nologo -v q >/dev/null
scn() { dotnet src/Cli/bin/Release/net10.0/scn.dll "$@"; }

rows=""
summary=""
# model | seeds | label | extra flags
runs=(
  "arch1|1 2 3 4 5|notebook|"
  "arch2|1 2 3 4 5|notebook|"
  "arch3|1 2 3 4 5|notebook|"
  "arch4|1 2 3 4 5|notebook|"
  "arch1|1 2 3|momentum 0.9, lr 0.01, 3001 steps|--momentum 0.9 --learning-rate 0.01 --steps 3001"
  "arch2|1 2 3|momentum 0.9, lr 0.01, 3001 steps|--momentum 0.9 --learning-rate 0.01 --steps 3001"
  "arch3|1 2 3|momentum 0.9, lr 0.01, 10001 steps|--momentum 0.9 --learning-rate 0.01"
)
for run in "${runs[@]}"; do
  IFS='|' read -r model seeds label flags <<<"$run"
  sum=0; n=0; diverged=0
  for seed in $seeds; do
    dir="$work/$model-$seed-$n-$RANDOM"
    start=$(date +%s.%N)
    # shellcheck disable=SC2086
    if scn train "$model" --seed "$seed" --out "$dir" $flags >"$dir.log" 2>&1; then status=ok; else status=diverged; diverged=$((diverged + 1)); fi
    seconds=$(echo "$(date +%s.%N) - $start" | bc)
    steps=$(tail -n 1 "$dir/metrics.csv" | cut -d, -f1); steps=$((steps + 1))
    accuracy=$(awk -F, 'NR > 1 && $5 != "" { a = $5 } END { printf "%.2f", a * 100 }' "$dir/metrics.csv")
    rows+="| $model | $label | $seed | $steps | $(printf '%.1f' "$seconds") | $accuracy | $status |"$'\n'
    if [ "$status" = ok ]; then sum=$(echo "$sum + $accuracy" | bc -l); n=$((n + 1)); fi
  done
  mean=$( [ "$n" -gt 0 ] && printf '%.2f' "$(echo "$sum / $n" | bc -l)" || echo "-")
  first3=$(printf '%s' "$rows" | awk -F'|' -v m=" $model " -v l=" $label " '$2 == m && $3 == l && $4 + 0 <= 3 && $8 ~ /ok/ { s += $7; c++ } END { if (c) printf "%.2f", s / c; else print "-" }')
  summary+="| $model | $label | $n of $((n + diverged)) | $mean | $first3 |"$'\n'
done

cat >"$out" <<MD
# Validation accuracy on the bundled notMNIST data

Produced by \`scripts/accuracy-table.sh\` on $(date -u +%Y-%m-%d) ($(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)).
Each run is \`scn train MODEL --seed N\` on the bundled \`train\` split (11,840 images), validation accuracy measured on the
bundled \`valid\` split (2,000 images) after the last step. The held-back test split is never used. Time is the whole
command: start-up, data loading, training and periodic validation.

Reference (PyTorch, the notebook's recipe, same splits): arch1 ≈ 90.1–90.5 %, arch2 ≈ 90.8 %, arch3 ≈ 92.0 %.

## Mean over seeds

| model | recipe | runs that finished | mean validation accuracy (%) | mean of seeds 1–3 (%) |
| --- | --- | --- | --- | --- |
$summary
## Every run

| model | recipe | seed | steps | time (s) | validation accuracy (%) | status |
| --- | --- | --- | --- | --- | --- | --- |
$rows
MD
echo "wrote $out"
