#!/usr/bin/env bash
# Puts one target's release binary into OUT as the release asset
# layergate-<version>-<target>.tar.gz (.zip for Windows), with the README and
# licences, and prints the asset's path. Used by the release workflow and by
# scripts/build-targets.sh.
#   scripts/stage-release.sh <target> <dir with the binary> <out dir>
set -euo pipefail
target="$1" bindir="$2" out="$3"
repo="$(cd "$(dirname "$0")/.." && pwd)"
version=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' "$repo/Cargo.toml")
exe=layergate
case "$target" in *windows*) exe=layergate.exe ;; esac
name="layergate-$version-$target"
stage="$(mktemp -d)/$name"
mkdir -p "$stage" "$out"
cp "$bindir/$exe" "$stage/"
cp "$repo/README.md" "$stage/"
cp "$repo"/LICENSE* "$stage/" 2>/dev/null || true
out="$(cd "$out" && pwd)"
case "$target" in
  *windows*)
    # Windows runners have 7z; elsewhere (cross builds) Python's zipfile
    if command -v 7z >/dev/null 2>&1; then
      (cd "$(dirname "$stage")" && 7z a -bd -tzip "$out/$name.zip" "$name" >/dev/null)
    else
      (cd "$(dirname "$stage")" && python3 -m zipfile -c "$out/$name.zip" "$name")
    fi
    echo "$out/$name.zip" ;;
  *) tar -C "$(dirname "$stage")" -czf "$out/$name.tar.gz" "$name" ; echo "$out/$name.tar.gz" ;;
esac
rm -rf "$(dirname "$stage")"
