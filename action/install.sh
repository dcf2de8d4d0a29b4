#!/usr/bin/env bash
# Installs the layergate binary for the runner's platform from npm (the
# package layergate and its platform package), pinned to LAYERGATE_VERSION,
# into RUNNER_TEMP, and prints its path to GITHUB_OUTPUT as `binary`.
# LAYERGATE_NPM_SPECS (space-separated npm specs, e.g. local tarballs)
# replaces the registry package: the tests install the packed tarballs so.
set -euo pipefail
version="${LAYERGATE_VERSION:?}"
case "$version" in
  *[!0-9A-Za-z.+-]*|"") echo "::error::layergate: version must be an exact version, got '$version'"; exit 2 ;;
esac
prefix="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/layergate-$version"
mkdir -p "$prefix"
[ -f "$prefix/package.json" ] || echo '{"name":"layergate-action","version":"0.0.0","private":true}' > "$prefix/package.json"
# shellcheck disable=SC2206
specs=(${LAYERGATE_NPM_SPECS:-layergate@$version})
npm install --prefix "$prefix" --no-audit --no-fund --no-save --include=optional "${specs[@]}" >&2
binary=$(cd "$prefix" && node -p 'require("layergate").binaryPath()')
"$binary" --version >&2
echo "binary=$binary" >> "${GITHUB_OUTPUT:-/dev/null}"
echo "$binary"
