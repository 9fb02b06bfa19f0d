#!/usr/bin/env bash
# The kernel, Winograd, gradient and reference-equivalence tests on ARM64 (NEON: Vector128 with a fused multiply-add,
# the 128-bit block with ARM64's register budget), emulated by qemu-user-static: correctness only, never speed.
# Publishes tests/StaticConvNet.KernelCheck self-contained for linux-arm64 and runs it; installs qemu and the arm64 C
# libraries .NET needs when run as root with apt. Usage: tests/arm64.sh   (about 2 minutes with the packages present)
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v qemu-aarch64-static >/dev/null || [ ! -e /usr/lib/aarch64-linux-gnu/libstdc++.so.6 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    { dpkg --add-architecture arm64 && apt-get update -qq \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user-static libc6:arm64 libstdc++6:arm64 libgcc-s1:arm64 zlib1g:arm64 >/dev/null; } \
      || { echo "arm64 check skipped: the packages could not be installed"; exit 0; }
  else
    echo "arm64 check skipped: needs qemu-user-static and arm64 libc/libstdc++ (root with apt installs them)"; exit 0
  fi
fi
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
dotnet publish tests/StaticConvNet.KernelCheck -c Release -r linux-arm64 --self-contained -o "$out" >"$out.log" 2>&1 || { cat "$out.log"; exit 1; }
# W^X maps JIT'ed code twice (written through one mapping, run through another); qemu-user does not see code written
# through the other mapping and runs stale bytes (illegal instructions, wrong results). Off under emulation only.
DOTNET_EnableWriteXorExecute=0 DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 qemu-aarch64-static "$out/StaticConvNet.KernelCheck"
