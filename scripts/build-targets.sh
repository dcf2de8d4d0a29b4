#!/usr/bin/env bash
# Builds the release binaries that Debian's cross toolchains reach, stages
# them as release assets (scripts/stage-release.sh) with SHA256SUMS, and runs
# each one that this machine can run (natively, or under qemu-user) on the
# bundled example:
#   scripts/build-targets.sh [OUT]        (default dist/)
# Targets: x86_64/aarch64 linux gnu and musl, x86_64-pc-windows-gnu (mingw-w64).
# macOS and Windows MSVC are built by .github/workflows/release.yml.
# Installs what it needs: rustup targets, Debian's gcc cross compilers,
# musl-tools, mingw-w64, qemu-user. Not part of the test command (each
# target is a full release build); the release workflow builds them all.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mkdir -p "${1:-$repo/dist}" && cd "${1:-$repo/dist}" && pwd)"
cd "$repo"
targets=(x86_64-unknown-linux-gnu x86_64-unknown-linux-musl aarch64-unknown-linux-gnu aarch64-unknown-linux-musl x86_64-pc-windows-gnu)
export DEBIAN_FRONTEND=noninteractive
need=()
command -v aarch64-linux-gnu-gcc >/dev/null || need+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross)
command -v musl-gcc >/dev/null || need+=(musl-tools)
command -v x86_64-w64-mingw32-gcc >/dev/null || need+=(gcc-mingw-w64-x86-64)
command -v qemu-aarch64 >/dev/null || need+=(qemu-user)
if [ ${#need[@]} -gt 0 ]; then apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null; fi
rustup target add "${targets[@]}" >/dev/null
# aarch64 musl: the aarch64 gcc with musl's headers is not in Debian; the
# static binary links with rust's bundled musl and the aarch64 gcc as linker
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER=aarch64-linux-gnu-gcc
export CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc
export CC_aarch64_unknown_linux_musl=aarch64-linux-gnu-gcc
export CC_x86_64_unknown_linux_musl=musl-gcc
export CC_x86_64_pc_windows_gnu=x86_64-w64-mingw32-gcc
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
target_dir=$(cargo metadata --format-version 1 --no-deps --locked | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
for t in "${targets[@]}"; do
  echo "== $t"
  cargo build --release --locked -q -p layergate --target "$t"
  asset=$(bash scripts/stage-release.sh "$t" "$target_dir/$t/release" "$out")
  exe="$target_dir/$t/release/layergate"
  case "$t" in
    *windows*) echo "   $(basename "$asset"): $(du -h "$asset" | cut -f1) (not run here: no Windows)"; continue ;;
    aarch64*) run=(qemu-aarch64 -L /usr/aarch64-linux-gnu "$exe") ;;
    *) run=("$exe") ;;
  esac
  set +e
  (cd examples && "${run[@]}" check --no-cache --format json > "$out/.check-$t.json" 2>/dev/null); rc=$?
  set -e
  n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["diagnostics"]))' "$out/.check-$t.json" 2>/dev/null || echo "no JSON")
  rm -f "$out/.check-$t.json"
  echo "   $(basename "$asset"): $(du -h "$asset" | cut -f1), binary $(du -h "$exe" | cut -f1); \`layergate check\` on the example: exit $rc, $n diagnostics (expected: exit 1, 7)"
done
(cd "$out" && sha256sum layergate-*.tar.gz layergate-*.zip > SHA256SUMS && cat SHA256SUMS)
