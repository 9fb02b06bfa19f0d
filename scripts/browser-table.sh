#!/usr/bin/env bash
# Publishes samples/BrowserClassifier, opens it in headless Chromium (the suite's Test_BrowserClassifierPage) and writes
# what it measured into docs/embedding.md, between the browser-table markers: each runtime's single-image latency in
# the same page, .NET's best-case loop in that page, and what the page fetches; with the machine and its 128-bit
# multiply + add ceiling (../shared/tools/fma-peak, as WebAssembly SIMD has no FMA) measured in the same run.
# Needs chromium, Node.js with npm, and gcc for fma-peak. Usage: scripts/browser-table.sh   (about a minute)
set -euo pipefail
cd "$(dirname "$0")/.."
doc=docs/embedding.md
report="$(mktemp)"
trap 'rm -f "$report" "$report.log"' EXIT

dotnet build tests/StaticConvNet.Tests -c Release -nologo -v q >/dev/null
if ! SCN_BROWSER_REPORT="$report" dotnet test tests/StaticConvNet.Tests -c Release --no-build -nologo \
  --filter "FullyQualifiedName~Test_BrowserClassifierPage.The_typeset_letters" >"$report.log" 2>&1; then
  grep -E "Error Message|Shouldly|Exception" -A3 "$report.log" >&2 || tail -20 "$report.log" >&2
  echo "error: the browser test failed (above)" >&2; exit 1
fi
if [ ! -s "$report" ]; then echo "error: the browser test wrote no table: it was skipped (is chromium installed? node and npm?)" >&2; exit 1; fi

cpu="$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
family="$(lscpu | sed -n 's/^CPU family: *//p' | head -1), model $(lscpu | sed -n 's/^Model: *//p' | head -1)"
ceiling="$(../shared/tools/fma-peak 2>/dev/null | sed -n 's/^tier 128-bit multiply + add, no FMA (as WebAssembly SIMD): one core \([0-9.]*\).*/\1/p')"
{
  echo "<!-- browser-table:begin (scripts/browser-table.sh writes this part; $(date -u +%Y-%m-%d)) -->"
  echo "Measured on $cpu (CPU family $family), one core; headless Chromium, the page on loopback. This core's native"
  echo "ceiling for WebAssembly SIMD's kind of arithmetic (128-bit multiply, then add; no FMA), by \`fma-peak\` in the same"
  echo "run: ${ceiling:-not measured (../shared/tools/fma-peak is missing or failed; it needs gcc)} GFLOP/s."
  echo
  cat "$report"
  echo "<!-- browser-table:end -->"
} > "$report.section"
awk -v section="$report.section" '
  /<!-- browser-table:begin/ { while ((getline line < section) > 0) print line; skipping = 1; next }
  /<!-- browser-table:end -->/ { skipping = 0; next }
  !skipping { print }' "$doc" > "$doc.tmp" && mv "$doc.tmp" "$doc"
rm -f "$report.section"
echo "wrote the browser table into $doc"
