#!/usr/bin/env bash
# Runs `layergate check` for the action: SARIF to INPUT_SARIF, GitHub
# annotations on stdout, counts to GITHUB_OUTPUT, and the exit status that
# INPUT_FAIL_ON asks for. Exit 2 (a broken config or invocation) always fails.
set -uo pipefail
bin="${LAYERGATE:?}"
# paths: separated by spaces or newlines (a YAML block scalar)
read -r -d '' -a paths <<< "${INPUT_PATHS:-.}" || true
[ ${#paths[@]} -gt 0 ] || paths=(.)
# a fresh runner has a fresh cache key: a cache could never be reused, and a
# committed one is never trusted; --no-cache says so and skips the writes
args=(--no-cache)
[ -n "${INPUT_CONFIG:-}" ] && args+=(--config "$INPUT_CONFIG")
base=""
case "${INPUT_DIFF:-auto}" in
  auto) [ -n "${BASE_REF:-}" ] && base="origin/$BASE_REF" ;;
  false|"") ;;
  *) base="$INPUT_DIFF" ;;
esac
if [ -n "$base" ]; then
  if ! git rev-parse --quiet --verify "$base^{commit}" >/dev/null 2>&1 \
     || ! git merge-base HEAD "$base" >/dev/null 2>&1; then
    echo "::error::layergate: --diff needs $base and its history in the checkout: use actions/checkout with fetch-depth: 0 (or fetch the base branch), or set diff: false"
    exit 2
  fi
  args+=(--diff "$base")
fi
case "${INPUT_FAIL_ON:-error}" in
  error|warning|never) ;;
  *) echo "::error::layergate: fail-on must be error, warning or never, got '$INPUT_FAIL_ON'"; exit 2 ;;
esac

sarif="${INPUT_SARIF:-}"
# absolute, so that the upload step (which runs in GITHUB_WORKSPACE) finds it
# whatever working-directory says
[ -n "$sarif" ] && case "$sarif" in /*) ;; *) sarif="$PWD/$sarif" ;; esac
report="${sarif:-${RUNNER_TEMP:-/tmp}/layergate-$$.sarif}"
"$bin" check "${args[@]}" --format sarif "${paths[@]}" > "$report"
status=$?
if [ "$status" -ge 2 ]; then
  echo "::error::layergate check failed (exit $status); see the message above"
  exit "$status"
fi
if [ "${INPUT_ANNOTATIONS:-true}" = "true" ]; then
  "$bin" check "${args[@]}" --format github "${paths[@]}"
fi
read -r violations errors < <(node -e '
  const runs = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).runs || [];
  // baselined results are known debt (level note, baselineState unchanged)
  const results = runs
    .flatMap((r) => r.results || [])
    .filter((r) => !(r.suppressions || []).length && r.baselineState !== "unchanged");
  console.log(results.length, results.filter((r) => (r.level || "warning") === "error").length);
' "$report")
{
  echo "violations=$violations"
  echo "errors=$errors"
  echo "sarif=$sarif"
} >> "${GITHUB_OUTPUT:-/dev/null}"
echo "layergate: $violations violation(s), $errors error(s)"
[ -n "$sarif" ] || rm -f "$report"
case "${INPUT_FAIL_ON:-error}" in
  never) exit 0 ;;
  warning) [ "$violations" -eq 0 ] ;;
  error) [ "$status" -eq 0 ] ;;
esac
