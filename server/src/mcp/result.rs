//! The check tools' results as structured content: `check --format json`'s
//! document, each diagnostic with the rule's `how_to_fix`, declared to the
//! client as the tools' `outputSchema`.

use std::sync::Arc;

use rmcp::model::{CallToolResult, JsonObject};
use rules::analysis::docs;
use rules::RuleId;
use schemars::JsonSchema;
use serde_json::Value;

/// What `how_to_fix` says for a `[[deny]]`, `[[boundary]]` or `[[pattern]]`
/// rule, whose own `message` (in the diagnostic's) is the team's advice.
const USER_RULE_FIX: &str = "Follow the rule's message; `allowed_dependencies` lists what this file may import and use. Change the code rather than suppressing the diagnostic.";

/// The shape of the results of `check_files`, `check_content` and
/// `check_patch` (for the schema: the values are built as JSON by the tools).
#[derive(JsonSchema)]
#[allow(dead_code)]
struct CheckResult {
    /// The version of the shape (1).
    version: u32,
    /// Sorted by file, line, column, rule.
    diagnostics: Vec<DiagnosticResult>,
    summary: Summary,
    /// `check_patch`: how many existing violations the patch fixes.
    removed: Option<usize>,
    /// `check_patch`: what it did not judge (changes of layergate.toml).
    note: Option<String>,
}

/// One diagnostic: `check --format json`'s, and how to fix its rule.
#[derive(JsonSchema)]
#[allow(dead_code)]
struct DiagnosticResult {
    #[serde(flatten)]
    diagnostic: crate::output::json::JsonDiagnostic<'static>,
    /// How to fix a violation of this rule, in a sentence or two.
    how_to_fix: String,
}

#[derive(JsonSchema)]
#[allow(dead_code)]
struct Summary {
    /// Files checked.
    files: usize,
    /// Errors not in the baseline.
    errors: usize,
    /// Warnings not in the baseline.
    warnings: usize,
    elapsed_ms: u64,
    /// Baseline entries that match no violation any more (when a baseline is in use).
    stale_baseline: Option<usize>,
}

/// The `outputSchema` of the check tools.
pub fn check_schema() -> Arc<JsonObject> {
    let schema = schemars::schema_for!(CheckResult);
    match serde_json::to_value(schema) {
        Ok(Value::Object(o)) => Arc::new(o),
        _ => Arc::new(JsonObject::new()),
    }
}

/// A check tool's JSON document as a result with structured content (and
/// the same JSON as text, for clients that read only text), each
/// diagnostic given its `how_to_fix`.
pub fn structured(json: &str) -> Result<CallToolResult, String> {
    let mut value: Value =
        serde_json::from_str(json).map_err(|e| format!("layergate failed internally: {e}"))?;
    if let Some(ds) = value.get_mut("diagnostics").and_then(Value::as_array_mut) {
        for d in ds {
            let fix = d
                .get("rule")
                .and_then(Value::as_str)
                .and_then(|id| RuleId::parse(id).builtin())
                .map_or(USER_RULE_FIX, |b| docs::of(b).fix.as_str());
            if let Some(o) = d.as_object_mut() {
                o.insert("how_to_fix".into(), Value::from(fix));
            }
        }
    }
    Ok(CallToolResult::structured(value))
}
