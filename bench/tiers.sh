#!/usr/bin/env bash
# Measures every SIMD tier on this machine in one sitting and writes docs/performance.md's per-tier section (between
# its two "bench/tiers.sh" markers; everything else in the file is kept):
#   - each tier's ceiling, from ../shared/tools/fma-peak (512-bit FMA; 256-bit FMA; 128-bit multiply + add without FMA,
#     which is what .NET has with DOTNET_EnableAVX2=0, as on WebAssembly);
#   - single-image inference of each notebook model beside ONNX Runtime in the same process (its own AVX-512 kernels:
#     the .NET switches do not reach it), and a training step at batch 16 on both cores (bench --tier);
#   - each layer's forward and backward pass, with its share of the tier's one-core ceiling (bench --tier-layers);
#   - scn train's own training rate for arch2 and arch3, as a user runs it;
#   - PyTorch's training rate, when PyTorch is importable (best of three runs, as compare.sh takes it).
# The tier is chosen by the environment the benchmark process starts in. Usage: bench/tiers.sh   (about 8 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
out=docs/performance.md
begin='<!-- bench/tiers.sh writes from here. -->'
end='<!-- bench/tiers.sh writes to here. -->'
grep -qF "$begin" "$out" && grep -qF "$end" "$out" || { echo "$out has no '$begin' / '$end' lines" >&2; exit 1; }
peak_tool=../shared/tools/fma-peak
[ -x "$peak_tool" ] || { echo "needs $peak_tool (each tier's ceiling is quoted beside its results)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

dotnet build -c Release bench/StaticConvNet.Bench >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
dotnet build -c Release src/Cli >>"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
bench=bench/StaticConvNet.Bench/bin/Release/net10.0/StaticConvNet.Bench
"$peak_tool" >"$work/peak.txt"
"$bench" --layer-flops >"$work/flops.csv"
run_tier() { # name env...
  local name=$1; shift
  env "$@" "$bench" --tier >"$work/$name.models.csv"
  env "$@" "$bench" --tier-layers >"$work/$name.layers.csv"
  # What a user runs: scn train, its own img/s line (evaluation off, so the rate is the training steps').
  for model in arch2 arch3; do
    env "$@" dotnet src/Cli/bin/Release/net10.0/scn.dll train "$model" --steps 2001 --eval-every 100000 --out "$work/run-$model" --overwrite \
      | sed -n 's/.*(\([0-9,]*\) img\/s training).*/\1/p' | tr -d , | sed "s/^/$model,/" >>"$work/$name.scn.csv"
  done
}
run_tier avx512
run_tier avx2 DOTNET_EnableAVX512=0
run_tier sse DOTNET_EnableAVX2=0
"$peak_tool" >>"$work/peak.txt" # and again after: a drifting machine shows here
: >"$work/torch.csv"
if /usr/bin/python3 -c "import torch" 2>/dev/null; then
  for run in 1 2 3; do /usr/bin/python3 bench/pytorch/train_speed.py >>"$work/torch.csv"; done
  /usr/bin/python3 -c "import torch; print(torch.__version__)" >"$work/torch.version"
fi
cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs) (CPU family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | xargs), model $(grep -m1 '^model\s*:' /proc/cpuinfo | cut -d: -f2 | xargs))"

python3 - "$work" "$out" "$begin" "$end" "$cpu" "$(date -u +%Y-%m-%d)" "$(dotnet --version)" <<'PY'
import csv, os, re, sys
work, out, begin, end, cpu, day, sdk = sys.argv[1:8]
peak = open(os.path.join(work, "peak.txt")).read()
def ceilings(pattern):
    return [float(v) for v in re.findall(pattern, peak)]
tiers = [  # name, title, how it was forced, its ceiling's line in fma-peak's output
    ("avx512", "AVX-512 (the default here)", "no switch", r"one core: ([0-9.]+) GFLOP"),
    ("avx2", "AVX2 + FMA", "`DOTNET_EnableAVX512=0`", r"tier 256-bit FMA \(AVX2\): one core ([0-9.]+)"),
    ("sse", "128-bit, no FMA (as WebAssembly; ARM64 has the FMA)", "`DOTNET_EnableAVX2=0`", r"tier 128-bit multiply \+ add, no FMA[^:]*: one core ([0-9.]+)"),
]
flops = {row[0]: (int(row[1]), int(row[2])) for row in csv.reader(open(os.path.join(work, "flops.csv")))}
def model_flops(model, training):
    return sum(f + (b if training else 0) for case, (f, b) in flops.items() if case.split("/")[0] == model)
torch = {}
for line in open(os.path.join(work, "torch.csv")):
    if line.startswith("#") or "," not in line: continue
    model, rate = line.strip().split(",")
    torch[model] = max(torch.get(model, 0), float(rate))
def read(name, kind):
    lines = [l for l in open(os.path.join(work, f"{name}.{kind}.csv")) if not l.startswith("#")]
    return list(csv.DictReader(lines)), open(os.path.join(work, f"{name}.{kind}.csv")).readline().strip()
models = {name: read(name, "models") for name, *_ in tiers}
base = {r["model"]: r for r in models["avx512"][0]}
lines = [begin, ""]
lines.append(f"Measured by `bench/tiers.sh` on {day}: 2 cores of {cpu}, .NET SDK {sdk}"
             + (f", PyTorch {open(os.path.join(work, 'torch.version')).read().strip()}" if torch else ", PyTorch not installed (no training ratio)") + ".")
lines.append("Inference: one image, one thread, best of seven interleaved rounds beside ONNX Runtime in the same process (ONNX Runtime "
             "runs its own AVX-512 kernels whatever .NET is told). Training: a step at batch 16 on both cores, as img/s. "
             "GFLOP/s count direct multiply-adds (a Winograd layer does fewer, so it can pass 100 %).")
lines.append("")
for name, title, how, pattern in tiers:
    ceiling = ceilings(pattern)
    one = min(ceiling)
    rows, header = models[name]
    lines.append(f"### {title}")
    lines.append("")
    lines.append(f"Forced by {how}; the JIT saw `{header.lstrip('# ')}`. Ceiling, one core: "
                 + " and ".join(f"{c:.1f}" for c in ceiling) + " GFLOP/s (fma-peak before and after).")
    lines.append("")
    lines.append("| model | predict µs | ONNX Runtime µs | vs ONNX Runtime | B per predict | GFLOP/s | % of one core | x AVX-512 time | training img/s | vs PyTorch | x AVX-512 time |")
    lines.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        m = r["model"]; us = float(r["predict_us"]); ort = float(r["onnxruntime_us"]); rate = float(r["training_img_per_s"])
        gflops = model_flops(m, False) / us / 1e3
        vs_torch = f"{rate / torch[m]:.1f}x" if m in torch else "–"
        versus = f"{ort / us:.2f}x faster" if ort >= us else f"{us / ort:.2f}x slower"
        lines.append(f"| {m} | {us:.2f} | {ort:.2f} | {versus} | {r['allocated_bytes']} | {gflops:.0f} | {100 * gflops / one:.0f} % | "
                     f"{us / float(base[m]['predict_us']):.2f} | {rate:,.0f} | {vs_torch} | {float(base[m]['training_img_per_s']) / rate:.2f} |")
    lines.append("")
    layer_rows, _ = read(name, "layers")
    scn = dict(l.strip().split(",") for l in open(os.path.join(work, f"{name}.scn.csv")) if "," in l)
    lines.append("`scn train MODEL --steps 2001 --eval-every 100000`, as a user runs it at this tier: "
                 + ", ".join(f"{m} {float(v):,.0f} img/s" + (f" ({float(v) / torch[m]:.1f}x PyTorch)" if m in torch else "") for m, v in sorted(scn.items())) + ".")
    lines.append("")
    lines.append("<details><summary>Each layer's pass on this tier (µs, and % of one core's ceiling counted as direct multiply-adds)</summary>")
    lines.append("")
    lines.append("| layer | forward µs | % | backward µs | % |")
    lines.append("| --- | ---: | ---: | ---: | ---: |")
    for r in layer_rows:
        f, b = flops.get(r["layer"], (0, 0))
        fu, bu = float(r["forward_us"]), float(r["backward_us"])
        pct = lambda n, t: f"{100 * n / t / 1e3 / one:.0f} %" if n else ""
        lines.append(f"| {r['layer']} | {fu:.2f} | {pct(f, fu)} | {bu:.2f} | {pct(b, bu)} |")
    lines.append("")
    lines.append("</details>")
    lines.append("")
if torch:
    lines.append("PyTorch (CPU, batch 16, 2 threads, best of three runs): " + ", ".join(f"{m} {v:,.0f} img/s" for m, v in sorted(torch.items())) + ".")
    lines.append("")
lines.append(end)
text = open(out).read()
start, stop = text.index(begin), text.index(end) + len(end)
open(out + ".tmp", "w").write(text[:start] + "\n".join(lines) + text[stop:])
os.replace(out + ".tmp", out)
PY
echo "wrote $out"
