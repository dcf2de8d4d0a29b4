#!/usr/bin/env bash
# Runs `layergate check` for the action: SARIF to INPUT_SARIF, GitHub
# annotations on stdout, counts to GITHUB_OUTPUT, and the exit status that
# INPUT_FAIL_ON asks for. Exit 2 (a broken config or invocation) always fails.
set -uo pipefail
bin="${LAYERGATE:?}"
read -r -a paths <<< "${INPUT_PATHS:-.}"
args=()
[ -n "${INPUT_CONFIG:-}" ] && args+=(--config "$INPUT_CONFIG")
case "${INPUT_DIFF:-auto}" in
  auto) [ -n "${BASE_REF:-}" ] && args+=(--diff "origin/$BASE_REF") ;;
  false|"") ;;
  *) args+=(--diff "$INPUT_DIFF") ;;
esac
case "${INPUT_FAIL_ON:-error}" in
  error|warning|never) ;;
  *) echo "::error::layergate: fail-on must be error, warning or never, got '$INPUT_FAIL_ON'"; exit 2 ;;
esac

sarif="${INPUT_SARIF:-}"
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
  const results = runs.flatMap((r) => r.results || []).filter((r) => !(r.suppressions || []).length);
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
