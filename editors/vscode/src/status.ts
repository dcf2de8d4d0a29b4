// The status bar item: what the server is doing and how many violations the
// workspace has. Pure: the counts come from diagnostics passed in.

/** VS Code's `DiagnosticSeverity` values. */
export const Severity = {
  Error: 0,
  Warning: 1,
  Information: 2,
  Hint: 3,
} as const;

/** The part of a `vscode.Diagnostic` the count needs. */
export interface DiagnosticLike {
  source?: string;
  severity: number;
}

export const DIAGNOSTIC_SOURCE = "layergate";

export interface Counts {
  errors: number;
  warnings: number;
  infos: number;
  /** Hints: mostly baselined violations, which do not fail CI. */
  hints: number;
  /** Files with at least one layergate error, warning or info. */
  files: number;
}

export const NO_COUNTS: Counts = { errors: 0, warnings: 0, infos: 0, hints: 0, files: 0 };

/** Counts the diagnostics with source "layergate" in `vscode.languages.getDiagnostics()`'s shape. */
export function countDiagnostics(entries: Iterable<readonly [unknown, readonly DiagnosticLike[]]>): Counts {
  const c = { ...NO_COUNTS };
  for (const [, diagnostics] of entries) {
    let violations = 0;
    for (const d of diagnostics) {
      if (d.source !== DIAGNOSTIC_SOURCE) {
        continue;
      }
      switch (d.severity) {
        case Severity.Error:
          c.errors++;
          violations++;
          break;
        case Severity.Warning:
          c.warnings++;
          violations++;
          break;
        case Severity.Information:
          c.infos++;
          violations++;
          break;
        default:
          c.hints++;
      }
    }
    if (violations > 0) {
      c.files++;
    }
  }
  return c;
}

export type ServerState =
  | { kind: "disabled" }
  | { kind: "noConfig" }
  | { kind: "starting" }
  | { kind: "indexing" }
  | { kind: "ready"; counts: Counts }
  | { kind: "stopped" }
  | { kind: "failed"; message: string };

export interface StatusView {
  text: string;
  tooltip: string;
  /** Background: "error" and "warning" map to the theme's status bar colours. */
  background: "error" | "warning" | undefined;
  /** The command run on click. */
  command: string;
  visible: boolean;
}

function plural(n: number, one: string, many: string = one + "s"): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The text of the counts, e.g. "2 errors, 1 warning" ("no violations" for none). */
export function formatCounts(c: Counts): string {
  const parts: string[] = [];
  if (c.errors > 0) {
    parts.push(plural(c.errors, "error"));
  }
  if (c.warnings > 0) {
    parts.push(plural(c.warnings, "warning"));
  }
  if (c.infos > 0) {
    parts.push(plural(c.infos, "info", "infos"));
  }
  return parts.length === 0 ? "no violations" : parts.join(", ");
}

export const SHOW_PROBLEMS = "workbench.actions.view.problems";
export const SHOW_OUTPUT = "layergate.showOutput";

/** What the status bar item shows in a state. */
export function statusView(state: ServerState): StatusView {
  switch (state.kind) {
    case "disabled":
      return { text: "$(circle-slash) layergate", tooltip: "layergate is disabled (setting `layergate.enable`)", background: undefined, command: SHOW_OUTPUT, visible: true };
    case "noConfig":
      return { text: "layergate", tooltip: "No layergate.toml in this workspace", background: undefined, command: SHOW_OUTPUT, visible: false };
    case "starting":
      return { text: "$(loading~spin) layergate", tooltip: "layergate: starting the language server…", background: undefined, command: SHOW_OUTPUT, visible: true };
    case "indexing":
      return { text: "$(loading~spin) layergate: indexing…", tooltip: "layergate is reading the workspace", background: undefined, command: SHOW_OUTPUT, visible: true };
    case "stopped":
      return { text: "$(debug-stop) layergate", tooltip: "The layergate language server is stopped: run `layergate: Restart Server`", background: "warning", command: "layergate.restartServer", visible: true };
    case "failed":
      return { text: "$(error) layergate", tooltip: state.message, background: "error", command: SHOW_OUTPUT, visible: true };
    case "ready": {
      const c = state.counts;
      const violations = c.errors + c.warnings + c.infos;
      const icon = c.errors > 0 ? "$(error)" : c.warnings > 0 ? "$(warning)" : violations > 0 ? "$(info)" : "$(check)";
      const text = violations === 0 ? `${icon} layergate` : `${icon} layergate: ${violations}`;
      let tooltip = `layergate: ${formatCounts(c)}`;
      if (violations > 0) {
        tooltip += ` in ${plural(c.files, "file")}`;
      }
      if (c.hints > 0) {
        tooltip += `; ${plural(c.hints, "hint")} (baselined violations included)`;
      }
      tooltip += ". Click to open the Problems view.";
      return { text, tooltip, background: undefined, command: SHOW_PROBLEMS, visible: true };
    }
  }
}
