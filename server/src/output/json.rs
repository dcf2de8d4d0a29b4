//! `--format json`: exactly the shape of spec §3, pretty-printed.
//!
//! The diagnostic objects are [`JsonDiagnostic`]s, the engine's diagnostics
//! in the output's shape (its field order is the spec's); they are also the
//! language server's diagnostic `data` and the MCP tools' items.
//! `summary.errors`/`warnings` leave baselined diagnostics out;
//! `summary.stale_baseline` is present only when a baseline is in use.

use rules::RuleId;
use rules::Severity;
use rules::{Diagnostic, Edit, Fix, Range};
use schemars::JsonSchema;
use serde::Serialize;

use super::report::Report;

/// The version of the JSON shape.
const VERSION: u32 = 1;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: Summary,
}

/// A position range, 1-based, columns in Unicode scalar values, `end_column`
/// exclusive.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "Range")]
pub struct JsonRange {
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

impl From<Range> for JsonRange {
    fn from(r: Range) -> JsonRange {
        JsonRange {
            line: r.line,
            column: r.column,
            end_line: r.end_line,
            end_column: r.end_column,
        }
    }
}

/// One text edit of a fix.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "Edit")]
pub struct JsonEdit<'a> {
    /// Workspace-relative path.
    pub file: &'a str,
    #[serde(flatten)]
    pub range: JsonRange,
    pub new_text: &'a str,
}

/// A fix: a titled set of edits the user (or client) may apply.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "Fix")]
pub struct JsonFix<'a> {
    pub title: &'a str,
    pub edits: Vec<JsonEdit<'a>>,
}

/// One violation (or config / suppression problem) at one place.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "Diagnostic")]
pub struct JsonDiagnostic<'a> {
    /// Workspace-relative path with `/`.
    pub file: &'a str,
    #[serde(flatten)]
    pub range: JsonRange,
    pub severity: Severity,
    pub rule: &'a RuleId,
    pub message: &'a str,
    pub from_module: Option<&'a str>,
    pub to_module: Option<&'a str>,
    pub target: Option<&'a str>,
    pub baselined: bool,
    pub fixes: Vec<JsonFix<'a>>,
}

impl<'a> From<&'a Edit> for JsonEdit<'a> {
    fn from(e: &'a Edit) -> JsonEdit<'a> {
        JsonEdit {
            file: &e.file,
            range: e.range.into(),
            new_text: &e.new_text,
        }
    }
}

impl<'a> From<&'a Fix> for JsonFix<'a> {
    fn from(f: &'a Fix) -> JsonFix<'a> {
        JsonFix {
            title: &f.title,
            edits: f.edits.iter().map(JsonEdit::from).collect(),
        }
    }
}

impl<'a> From<&'a Diagnostic> for JsonDiagnostic<'a> {
    fn from(d: &'a Diagnostic) -> JsonDiagnostic<'a> {
        JsonDiagnostic {
            file: &d.file,
            range: d.range.into(),
            severity: d.severity,
            rule: &d.rule,
            message: &d.message,
            from_module: d.from_module.as_deref(),
            to_module: d.to_module.as_deref(),
            target: d.target.as_deref(),
            baselined: d.baselined,
            fixes: d.fixes.iter().map(JsonFix::from).collect(),
        }
    }
}

/// A diagnostic as the JSON output shows it, as a JSON value.
pub fn value(d: &Diagnostic) -> Option<serde_json::Value> {
    serde_json::to_value(JsonDiagnostic::from(d)).ok()
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    errors: usize,
    warnings: usize,
    elapsed_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    stale_baseline: Option<usize>,
}

/// Renders the report as the JSON document of spec §3, with a trailing newline.
pub fn json(r: &Report) -> String {
    let counts = r.counts();
    let output = Output {
        version: VERSION,
        diagnostics: r.diagnostics.iter().map(JsonDiagnostic::from).collect(),
        summary: Summary {
            files: r.files,
            errors: counts.errors,
            warnings: counts.warnings,
            elapsed_ms: r.elapsed_ms,
            stale_baseline: r.baseline_in_use.then_some(r.stale_baseline),
        },
    };
    match serde_json::to_string_pretty(&output) {
        Ok(mut s) => {
            s.push('\n');
            s
        }
        // Cannot happen (string keys only), but never panic.
        Err(e) => format!(
            "{{\"version\": {VERSION}, \"error\": {}}}\n",
            serde_json::Value::from(e.to_string())
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::super::report::fixture::{diag, diagnostics, report};
    use super::*;
    use serde_json::{json as j, Value};

    #[test]
    fn snapshot() {
        let ds = diagnostics();
        insta::assert_snapshot!(json(&report(&ds)));
    }

    #[test]
    fn ends_with_newline_and_parses() {
        let ds = diagnostics();
        let out = json(&report(&ds));
        assert!(out.ends_with("}\n"));
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["version"], 1);
        assert_eq!(v["diagnostics"].as_array().map(Vec::len), Some(5));
    }

    #[test]
    fn summary_counts_exclude_baselined() {
        let ds = vec![
            diag(
                "a.ts",
                (1, 1, 1, 2),
                Severity::Error,
                "layers",
                "m",
                (None, None),
                None,
                false,
            ),
            diag(
                "a.ts",
                (2, 1, 2, 2),
                Severity::Hint,
                "layers",
                "m",
                (None, None),
                None,
                true,
            ),
            diag(
                "a.ts",
                (3, 1, 3, 2),
                Severity::Error,
                "layers",
                "m",
                (None, None),
                None,
                true,
            ),
            diag(
                "a.ts",
                (4, 1, 4, 2),
                Severity::Warning,
                "cycle",
                "m",
                (None, None),
                None,
                true,
            ),
            diag(
                "b.ts",
                (1, 1, 1, 2),
                Severity::Warning,
                "cycle",
                "m",
                (None, None),
                None,
                false,
            ),
            diag(
                "b.ts",
                (2, 1, 2, 2),
                Severity::Info,
                "skipped",
                "m",
                (None, None),
                None,
                false,
            ),
        ];
        let r = Report {
            diagnostics: &ds,
            files: 2,
            elapsed_ms: 3,
            stale_baseline: 4,
            baseline_in_use: true,
        };
        let v: Value = serde_json::from_str(&json(&r)).unwrap();
        assert_eq!(
            v["summary"],
            j!({"files": 2, "errors": 1, "warnings": 1, "elapsed_ms": 3, "stale_baseline": 4})
        );
    }

    #[test]
    fn no_stale_baseline_without_baseline() {
        let r = Report {
            diagnostics: &[],
            files: 0,
            elapsed_ms: 0,
            stale_baseline: 0,
            baseline_in_use: false,
        };
        assert_eq!(
            json(&r),
            "{\n  \"version\": 1,\n  \"diagnostics\": [],\n  \"summary\": {\n    \"files\": 0,\n    \"errors\": 0,\n    \"warnings\": 0,\n    \"elapsed_ms\": 0\n  }\n}\n"
        );
    }

    #[test]
    fn stale_baseline_zero_is_shown_with_baseline() {
        let r = Report {
            diagnostics: &[],
            files: 0,
            elapsed_ms: 0,
            stale_baseline: 0,
            baseline_in_use: true,
        };
        let v: Value = serde_json::from_str(&json(&r)).unwrap();
        assert_eq!(v["summary"]["stale_baseline"], 0);
    }

    #[test]
    fn field_order_is_the_specs() {
        let ds = diagnostics();
        let out = json(&report(&ds));
        let keys = [
            "\"file\"",
            "\"line\"",
            "\"column\"",
            "\"end_line\"",
            "\"end_column\"",
            "\"severity\"",
            "\"rule\"",
            "\"message\"",
            "\"from_module\"",
            "\"to_module\"",
            "\"target\"",
            "\"baselined\"",
            "\"fixes\"",
        ];
        let first = &out[out.find("{\n      \"file\"").unwrap()..];
        let positions: Vec<usize> = keys.iter().map(|k| first.find(k).unwrap()).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    }
}
