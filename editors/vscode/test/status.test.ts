import { test } from "node:test";
import assert from "node:assert/strict";
import { Severity, countDiagnostics, formatCounts, statusView, type DiagnosticLike } from "../src/status";

const d = (severity: number, source = "layergate"): DiagnosticLike => ({ source, severity });

test("countDiagnostics: only source layergate, by severity, files with violations", () => {
  const entries: [string, DiagnosticLike[]][] = [
    ["file:///a.ts", [d(Severity.Error), d(Severity.Error), d(Severity.Warning), d(Severity.Error, "ts")]],
    ["file:///b.rs", [d(Severity.Hint)]],
    ["file:///c.rs", [d(Severity.Information), d(Severity.Error, "rust-analyzer")]],
    ["file:///d.ts", [d(Severity.Warning, "eslint")]],
    ["file:///e.ts", []],
  ];
  assert.deepEqual(countDiagnostics(entries), { errors: 2, warnings: 1, infos: 1, hints: 1, files: 2 });
});

test("countDiagnostics: a diagnostic without source is not layergate's", () => {
  assert.deepEqual(countDiagnostics([["x", [{ severity: Severity.Error }]]]), { errors: 0, warnings: 0, infos: 0, hints: 0, files: 0 });
});

test("formatCounts: plural forms and order", () => {
  assert.equal(formatCounts({ errors: 0, warnings: 0, infos: 0, hints: 4, files: 0 }), "no violations");
  assert.equal(formatCounts({ errors: 1, warnings: 0, infos: 0, hints: 0, files: 1 }), "1 error");
  assert.equal(formatCounts({ errors: 2, warnings: 1, infos: 3, hints: 0, files: 2 }), "2 errors, 1 warning, 3 infos");
  assert.equal(formatCounts({ errors: 0, warnings: 2, infos: 1, hints: 0, files: 1 }), "2 warnings, 1 info");
});

test("statusView ready: the violation count with the worst severity's icon", () => {
  assert.deepEqual(statusView({ kind: "ready", counts: { errors: 2, warnings: 1, infos: 0, hints: 3, files: 2 } }), {
    text: "$(error) layergate: 3",
    tooltip: "layergate: 2 errors, 1 warning in 2 files; 3 hints (baselined violations included). Click to open the Problems view.",
    background: undefined,
    command: "workbench.actions.view.problems",
    visible: true,
  });
  const warn = statusView({ kind: "ready", counts: { errors: 0, warnings: 1, infos: 0, hints: 0, files: 1 } });
  assert.equal(warn.text, "$(warning) layergate: 1");
  assert.equal(warn.tooltip, "layergate: 1 warning in 1 file. Click to open the Problems view.");
  const clean = statusView({ kind: "ready", counts: { errors: 0, warnings: 0, infos: 0, hints: 0, files: 0 } });
  assert.equal(clean.text, "$(check) layergate");
  assert.equal(clean.tooltip, "layergate: no violations. Click to open the Problems view.");
});

test("statusView: indexing, starting, stopped, failed, disabled, no config", () => {
  const indexing = statusView({ kind: "indexing" });
  assert.equal(indexing.text, "$(loading~spin) layergate: indexing…");
  assert.equal(indexing.visible, true);
  assert.equal(statusView({ kind: "starting" }).text, "$(loading~spin) layergate");
  const stopped = statusView({ kind: "stopped" });
  assert.equal(stopped.command, "layergate.restartServer");
  assert.equal(stopped.background, "warning");
  const failed = statusView({ kind: "failed", message: "layergate: the `layergate` binary was not found" });
  assert.deepEqual(failed, {
    text: "$(error) layergate",
    tooltip: "layergate: the `layergate` binary was not found",
    background: "error",
    command: "layergate.showOutput",
    visible: true,
  });
  assert.equal(statusView({ kind: "disabled" }).text, "$(circle-slash) layergate");
  assert.equal(statusView({ kind: "noConfig" }).visible, false);
});
