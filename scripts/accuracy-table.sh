#!/usr/bin/env bash
# Trains every notebook model with its notebook recipe over several seeds (plus the better recipes we offer)
# and writes docs/results.md from what the runs measured. Where PyTorch is installed (apt-get install python3-torch),
# it also trains arch1 and arch2 with the same recipe in PyTorch, for comparison.
# Usage: scripts/accuracy-table.sh [output.md]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/results.md}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
dotnet build src/Cli -c Release -nologo -v q >/dev/null
scn() { dotnet src/Cli/bin/Release/net10.0/scn.dll "$@"; }

# mean and standard deviation (population) of the numbers on stdin, "-" when there are none
stats() { awk '{ s += $1; q += $1 * $1; n++ } END { if (n) { m = s / n; v = q / n - m * m; printf "%.2f|%.2f", m, (v > 0 ? sqrt(v) : 0) } else print "-|-" }'; }

rows=""
summary=""
declare -A best_mean best_time
# model | seeds | label | extra flags
# arch1's seeds spread by ±0.6 points around a mean that sits on the reference, so it gets 60 seeds: the mean of
# three is too coarse (±0.35) to say on which side of it a recipe lands.
# Our recipe, chosen on seeds 1–2 of arch2 and arch4 (valid only) among momentum, cosine decay, warm-up, shifts and length.
better="momentum 0.9, lr 0.01 cosine, 100 warm-up, shifts ≤ 2 px"
better_flags="--momentum 0.9 --learning-rate 0.01 --schedule cosine --warmup-steps 100 --shift 2"
runs=(
  "arch1|$(seq -s ' ' 1 60)|notebook|"
  "arch2|1 2 3 4 5|notebook|"
  "arch3|1 2 3 4 5|notebook|"
  "arch4|1 2 3 4 5|notebook|"
  "lenet5|1 2 3 4 5|arch1–3's|"
  "inception|1 2 3|arch1–3's|"
  "resnet|1 2 3|arch1–3's|"
  "arch1|1 2 3|momentum 0.9, lr 0.01, 3001 steps|--momentum 0.9 --learning-rate 0.01 --steps 3001"
  "arch2|1 2 3|momentum 0.9, lr 0.01, 3001 steps|--momentum 0.9 --learning-rate 0.01 --steps 3001"
  "arch3|1 2 3|momentum 0.9, lr 0.01, 10001 steps|--momentum 0.9 --learning-rate 0.01"
  "arch1|1 2 3|$better, 6001 steps|$better_flags --steps 6001"
  "arch2|1 2 3|$better, 6001 steps|$better_flags --steps 6001"
  "arch3|1 2 3|$better, 10001 steps|$better_flags --steps 10001"
  "arch4|1 2 3|$better, 6001 steps|$better_flags --steps 6001"
  "lenet5|1 2 3|$better, 6001 steps|$better_flags --steps 6001"
  "arch2|1 2 3|AdamW 0.001 (decay 0.01), cosine, 100 warm-up, shifts ≤ 2 px, 6001 steps|--optimizer adamw --weight-decay 0.01 --learning-rate 0.001 --schedule cosine --warmup-steps 100 --shift 2 --steps 6001"
  "arch1|1 2 3|best|--recipe best"
  "arch2|1 2 3|best|--recipe best"
  "arch3|1 2 3|best|--recipe best"
  "arch4|1 2 3|best|--recipe best"
  "inception|1 2 3|best|--recipe best"
  "resnet|1 2 3|best|--recipe best"
)
for run in "${runs[@]}"; do
  IFS='|' read -r model seeds label flags <<<"$run"
  n=0; diverged=0; accuracies=""; first3=""; times=""
  for seed in $seeds; do
    dir="$work/$model-$seed-$RANDOM"
    start=$(date +%s.%N)
    # shellcheck disable=SC2086
    if scn train "$model" --seed "$seed" --out "$dir" $flags >"$dir.log" 2>&1; then status=ok; else status=diverged; diverged=$((diverged + 1)); fi
    seconds=$(echo "$(date +%s.%N) - $start" | bc)
    steps=$(tail -n 1 "$dir/metrics.csv" | cut -d, -f1); steps=$((steps + 1))
    accuracy=$(awk -F, 'NR > 1 && $5 != "" { a = $5 } END { printf "%.2f", a * 100 }' "$dir/metrics.csv")
    rows+="| $model | $label | $seed | $steps | $(printf '%.1f' "$seconds") | $accuracy | $status |"$'\n'
    times+="$seconds"$'\n'
    if [ "$status" = ok ]; then
      accuracies+="$accuracy"$'\n'; n=$((n + 1))
      if [ "$seed" -le 3 ]; then first3+="$accuracy"$'\n'; fi
    fi
  done
  IFS='|' read -r mean spread <<<"$(printf '%s' "$accuracies" | stats)"
  IFS='|' read -r mean3 _ <<<"$(printf '%s' "$first3" | stats)"
  IFS='|' read -r seconds_mean _ <<<"$(printf '%s' "$times" | stats)"
  summary+="| $model | $label | $n of $((n + diverged)) | $mean | $spread | $mean3 | $(printf '%.1f' "$seconds_mean") |"$'\n'
  if [ "$label" = best ]; then best_mean[$model]=$mean; best_time[$model]=$seconds_mean; fi
done

# The same recipe in PyTorch (bench/pytorch/train_accuracy.py): once with PyTorch's own random numbers, once
# starting from the very weights and batch order `scn train --seed N` uses, which tells an implementation
# difference (the two would part) from the luck of the draw (they agree).
torch_section="PyTorch is not installed here (\`apt-get install python3-torch\`), so there is no comparison in this run."
if /usr/bin/python3 -c "import torch" 2>/dev/null; then
  torch_rows=""
  for spec in "arch1|$(seq -s ' ' 1 60)|tf|PyTorch's own random numbers" \
              "arch1|$(seq -s ' ' 1 20)|scn|the initial weights and batch order of \`scn train --seed N\`" \
              "arch2|1 2 3 4 5|tf|PyTorch's own random numbers"; do
    IFS='|' read -r model seeds init label <<<"$spec"
    # shellcheck disable=SC2086
    /usr/bin/python3 bench/pytorch/train_accuracy.py "$model" $seeds --init "$init" >"$work/torch.csv"
    accuracies=$(grep -v '^#' "$work/torch.csv" | cut -d, -f3)
    IFS='|' read -r mean spread <<<"$(printf '%s\n' "$accuracies" | stats)"
    IFS='|' read -r mean3 _ <<<"$(printf '%s\n' "$accuracies" | head -n 3 | stats)"
    torch_rows+="| $model | notebook, $label | $(printf '%s\n' "$accuracies" | wc -l) | $mean | $spread | $mean3 |"$'\n'
  done
  torch_section="$(/usr/bin/python3 -c 'import torch; print("PyTorch " + torch.__version__)'), CPU, the notebook's recipe written out in \`bench/pytorch/train_accuracy.py\`
(TensorFlow's SAME padding and truncated normal, SGD 0.05, batch 16, 1001 steps, the notebook's batch offsets):

| model | recipe | seeds | mean validation accuracy (%) | standard deviation over seeds | mean of seeds 1–3 (%) |
| --- | --- | --- | --- | --- | --- |
$torch_rows"
fi

# PyTorch's strongest recipe (bench/pytorch/train_best.py) against --recipe best, in the same run: the accuracy
# --recipe best must reach, and the time it must take at most a quarter of.
best_section="PyTorch is not installed here, so this run has no measured anchor; the issue's figures were arch1 95.35 %, arch2
95.35–95.45 %, arch3 95.20 %, arch4 94.75–95.00 % in 30–50 s (arch4 about 125 s)."
if /usr/bin/python3 -c "import torch" 2>/dev/null; then
  best_rows=""
  for model in arch1 arch2 arch3 arch4; do
    (cd bench/pytorch && /usr/bin/python3 train_best.py "$model" 0 1) >"$work/best.csv"
    IFS='|' read -r torch_mean _ <<<"$(cut -d, -f3 "$work/best.csv" | awk '{ print $1 * 100 }' | stats)"
    IFS='|' read -r torch_time _ <<<"$(cut -d, -f4 "$work/best.csv" | stats)"
    ratio=$(echo "scale=2; ${best_time[$model]} / $torch_time" | bc)
    verdict=$(awk -v a="${best_mean[$model]}" -v b="$torch_mean" -v r="$ratio" 'BEGIN { print (a >= b ? "accuracy ≥ PyTorch" : "accuracy < PyTorch") ", " (r <= 0.25 ? "time ≤ ¼ of it" : "time > ¼ of it") }')
    best_rows+="| $model | $torch_mean | $(printf '%.1f' "$torch_time") | ${best_mean[$model]} | $(printf '%.1f' "${best_time[$model]}") | $(printf '%.2f' "$ratio") | $verdict |"$'\n'
  done
  best_section="PyTorch's strongest recipe (\`bench/pytorch/train_best.py\`: Adam 0.002, cosine decay, batch 32, 20 epochs, random
shifts of up to 2 px, PyTorch's default initialisation, 2 threads), seeds 0 and 1, timed from the loaded data to the
validation accuracy, against \`scn train MODEL --recipe best\` over seeds 1–3 (the rows above, timed as whole commands,
start-up and data loading included):

| model | PyTorch best: mean validation accuracy (%) | PyTorch: mean time (s) | --recipe best: mean validation accuracy (%) | --recipe best: mean time (s) | time / PyTorch's | |
| --- | --- | --- | --- | --- | --- | --- |
$best_rows"
fi

cat >"$out" <<MD
# Validation accuracy on the bundled notMNIST data

Produced by \`scripts/accuracy-table.sh\` on $(date -u +%Y-%m-%d) ($(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)).
Each run is \`scn train MODEL --seed N\` on the bundled \`train\` split (11,840 images), validation accuracy measured on the
bundled \`valid\` split (2,000 images) after the last step. The held-back test split is never used. Time is the whole
command: start-up, data loading, training and periodic validation.

Reference (PyTorch, the notebook's recipe, same splits): arch1 ≈ 90.1–90.5 %, arch2 ≈ 90.8 %, arch3 ≈ 92.0 %.

## Mean over seeds

| model | recipe | runs that finished | mean validation accuracy (%) | standard deviation over seeds | mean of seeds 1–3 (%) | mean time per run (s) |
| --- | --- | --- | --- | --- | --- | --- |
$summary
One seed's result spreads by the standard deviation above, so a mean of three seeds is good to about ±0.35 points
for arch1 and arch2; arch1, whose mean sits on the reference, is run with 60 seeds.

The rows after the notebook's are recipes beyond it (\`scn train --help\`): SGD with momentum, cosine decay of the learning
rate after a short warm-up, and random shifts of each training image by up to two pixels, chosen by trying a few on
seeds 1–2 of arch2 and arch4 against \`valid\`; and AdamW for comparison. They cost more steps: the time column says how much.
The \`best\` rows are \`scn train MODEL --recipe best\`: AdamW with cosine decay, batches of 32 and random shifts, its
rate, weight decay, length and shift chosen per model on seeds 1–2 against \`valid\` (\`src/Models/ModelCatalog.cs\`);
seed 3 is a fresh draw.

## The best recipe against PyTorch's

$best_section

## The same recipe in PyTorch

$torch_section

## Every run

| model | recipe | seed | steps | time (s) | validation accuracy (%) | status |
| --- | --- | --- | --- | --- | --- | --- |
$rows
MD
echo "wrote $out"
