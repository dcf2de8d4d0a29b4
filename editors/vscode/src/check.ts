// "layergate: Check Workspace": runs `layergate check --format json` in a
// workspace folder and summarises the result. Parsing and formatting are
// pure; spawning the process is `runCheck`, on node's child_process only.

import { execFile } from "node:child_process";

export const CHECK_ARGS: readonly string[] = ["check", "--format", "json"];

/** One diagnostic of `--format json` (spec §3), the fields shown here. */
export interface CheckDiagnostic {
  file: string;
  line: number;
  column: number;
  severity: string;
  rule: string;
  message: string;
  baselined: boolean;
}

export interface CheckReport {
  diagnostics: CheckDiagnostic[];
  files: number;
  errors: number;
  warnings: number;
  elapsedMs: number;
}

/** What a run produced: its exit code and outputs. */
export interface CheckRun {
  /** Exit status; null when killed by a signal or not started. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** Set when the process could not be started (ENOENT, ...). */
  spawnError?: string;
}

export type CheckOutcome =
  | { kind: "report"; report: CheckReport; failed: boolean }
  | { kind: "error"; message: string };

function num(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) ? v : 0;
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

/** The report in `--format json` output, or an error message saying what is wrong with it. */
export function parseCheckJson(stdout: string): CheckReport | string {
  let data: unknown;
  try {
    data = JSON.parse(stdout);
  } catch (e) {
    return `layergate check printed no valid JSON: ${e instanceof Error ? e.message : String(e)}`;
  }
  if (typeof data !== "object" || data === null) {
    return "layergate check printed JSON that is not an object";
  }
  const obj = data as Record<string, unknown>;
  if (obj.version !== 1) {
    return `layergate check printed JSON of version ${JSON.stringify(obj.version)}; this extension reads version 1`;
  }
  const list = Array.isArray(obj.diagnostics) ? obj.diagnostics : [];
  const diagnostics: CheckDiagnostic[] = list
    .filter((d): d is Record<string, unknown> => typeof d === "object" && d !== null)
    .map((d) => ({
      file: str(d.file),
      line: num(d.line),
      column: num(d.column),
      severity: str(d.severity),
      rule: str(d.rule),
      message: str(d.message),
      baselined: d.baselined === true,
    }));
  const summary = (typeof obj.summary === "object" && obj.summary !== null ? obj.summary : {}) as Record<string, unknown>;
  return {
    diagnostics,
    files: num(summary.files),
    errors: num(summary.errors),
    warnings: num(summary.warnings),
    elapsedMs: num(summary.elapsed_ms),
  };
}

/** Exit 0: clean; 1: error-severity violations (a report); 2: config or invocation error (stderr). */
export function interpretRun(run: CheckRun): CheckOutcome {
  if (run.spawnError !== undefined) {
    return { kind: "error", message: `could not run layergate: ${run.spawnError}` };
  }
  if (run.code === 0 || run.code === 1) {
    const r = parseCheckJson(run.stdout);
    if (typeof r === "string") {
      return { kind: "error", message: r };
    }
    return { kind: "report", report: r, failed: run.code === 1 };
  }
  const why = run.stderr.trim() || run.stdout.trim() || "no output";
  return {
    kind: "error",
    message: run.code === null ? `layergate check was stopped: ${why}` : `layergate check exited with status ${run.code}: ${why}`,
  };
}

function plural(n: number, one: string): string {
  return `${n} ${one}${n === 1 ? "" : "s"}`;
}

/** One line for a notification, e.g. "layergate (shop): 2 errors, 1 warning in 12 files". */
export function summaryLine(folder: string, report: CheckReport): string {
  const baselined = report.diagnostics.filter((d) => d.baselined).length;
  const parts: string[] = [];
  if (report.errors > 0 || report.warnings > 0) {
    if (report.errors > 0) {
      parts.push(plural(report.errors, "error"));
    }
    if (report.warnings > 0) {
      parts.push(plural(report.warnings, "warning"));
    }
  } else {
    parts.push("no errors or warnings");
  }
  let line = `layergate (${folder}): ${parts.join(", ")} in ${plural(report.files, "file")}`;
  if (baselined > 0) {
    line += ` (${baselined} baselined)`;
  }
  return line;
}

/** The lines written to the output channel: one per diagnostic, `file:line:col: severity [rule] message`. */
export function reportLines(folder: string, report: CheckReport): string[] {
  const lines = report.diagnostics.map((d) => {
    const base = d.baselined ? " (baselined)" : "";
    return `${d.file}:${d.line}:${d.column}: ${d.severity} [${d.rule}]${base} ${d.message}`;
  });
  return [`── ${summaryLine(folder, report)} (${report.elapsedMs} ms)`, ...lines];
}

/** Runs `binary check --format json` in `cwd`. Never rejects. */
export function runCheck(binary: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs = 300_000): Promise<CheckRun> {
  return new Promise((resolve) => {
    execFile(
      binary,
      [...CHECK_ARGS],
      { cwd, env, timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024, windowsHide: true },
      (error, stdout, stderr) => {
        if (error !== null && typeof error.code === "string") {
          resolve({ code: null, stdout, stderr, spawnError: `${error.code}: ${error.message}` });
          return;
        }
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : null;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
