import { test } from "node:test";
import assert from "node:assert/strict";
import { CHECK_ARGS, interpretRun, parseCheckJson, reportLines, summaryLine, type CheckReport } from "../src/check";

const sample = JSON.stringify({
  version: 1,
  diagnostics: [
    {
      file: "src/domain/user.ts", line: 3, column: 1, end_line: 3, end_column: 28,
      severity: "error", rule: "layers", message: "`src/domain/user.ts` in module `domain` imports `src/infra/db.ts` in module `infra`",
      from_module: "domain", to_module: "infra", target: "src/infra/db.ts", baselined: false, fixes: [],
    },
    {
      file: "src/app/main.ts", line: 10, column: 5, end_line: 10, end_column: 9,
      severity: "hint", rule: "no-eval", message: "eval runs untrusted strings as code.",
      from_module: "app", to_module: null, target: null, baselined: true, fixes: [],
    },
  ],
  summary: { files: 120, errors: 1, warnings: 0, elapsed_ms: 14 },
});

test("CHECK_ARGS: check --format json", () => {
  assert.deepEqual(CHECK_ARGS, ["check", "--format", "json"]);
});

test("parseCheckJson: the diagnostics and the summary", () => {
  assert.deepEqual(parseCheckJson(sample), {
    diagnostics: [
      { file: "src/domain/user.ts", line: 3, column: 1, severity: "error", rule: "layers", message: "`src/domain/user.ts` in module `domain` imports `src/infra/db.ts` in module `infra`", baselined: false },
      { file: "src/app/main.ts", line: 10, column: 5, severity: "hint", rule: "no-eval", message: "eval runs untrusted strings as code.", baselined: true },
    ],
    files: 120,
    errors: 1,
    warnings: 0,
    elapsedMs: 14,
  });
});

test("parseCheckJson: not JSON, not an object, another version", () => {
  assert.match(parseCheckJson("error: boom") as string, /^layergate check printed no valid JSON: /);
  assert.equal(parseCheckJson("[]"), "layergate check printed JSON of version undefined; this extension reads version 1");
  assert.equal(parseCheckJson("null"), "layergate check printed JSON that is not an object");
  assert.equal(parseCheckJson('{"version":2}'), "layergate check printed JSON of version 2; this extension reads version 1");
});

test("interpretRun: exit 0 and 1 are reports, 1 failed", () => {
  const ok = interpretRun({ code: 0, stdout: sample, stderr: "" });
  assert.ok(ok.kind === "report" && !ok.failed);
  const failed = interpretRun({ code: 1, stdout: sample, stderr: "" });
  assert.ok(failed.kind === "report" && failed.failed && failed.report.errors === 1);
});

test("interpretRun: exit 2 shows stderr; spawn errors and signals", () => {
  assert.deepEqual(interpretRun({ code: 2, stdout: "", stderr: "layergate.toml:3:1: unknown key `modulez`\n" }), {
    kind: "error",
    message: "layergate check exited with status 2: layergate.toml:3:1: unknown key `modulez`",
  });
  assert.deepEqual(interpretRun({ code: null, stdout: "", stderr: "", spawnError: "ENOENT: spawn layergate ENOENT" }), {
    kind: "error",
    message: "could not run layergate: ENOENT: spawn layergate ENOENT",
  });
  assert.deepEqual(interpretRun({ code: null, stdout: "", stderr: "" }), { kind: "error", message: "layergate check was stopped: no output" });
});

test("summaryLine and reportLines", () => {
  const report = parseCheckJson(sample) as CheckReport;
  assert.equal(summaryLine("shop", report), "layergate (shop): 1 error in 120 files (1 baselined)");
  assert.deepEqual(reportLines("shop", report), [
    "── layergate (shop): 1 error in 120 files (1 baselined) (14 ms)",
    "src/domain/user.ts:3:1: error [layers] `src/domain/user.ts` in module `domain` imports `src/infra/db.ts` in module `infra`",
    "src/app/main.ts:10:5: hint [no-eval] (baselined) eval runs untrusted strings as code.",
  ]);
  const clean: CheckReport = { diagnostics: [], files: 1, errors: 0, warnings: 0, elapsedMs: 2 };
  assert.equal(summaryLine("one", clean), "layergate (one): no errors or warnings in 1 file");
  assert.equal(summaryLine("w", { ...clean, warnings: 2, files: 3 }), "layergate (w): 2 warnings in 3 files");
});
