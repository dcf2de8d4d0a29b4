//! Plain-data diagnostics: what every front end (CLI formats, LSP, MCP) renders.
//!
//! They carry facts, not a format: each front end shapes them its own way
//! (the JSON output's objects are the server's, `output/json.rs`), and the
//! check memo stores them as they are.

use serde::{Deserialize, Serialize};

use crate::facts::Span;
use crate::rule::RuleId;
use crate::severity::Severity;

/// A position range, 1-based, columns in Unicode scalar values, `end_column`
/// exclusive.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Range {
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

/// One text edit of a fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edit {
    /// Workspace-relative path.
    pub file: String,
    pub range: Range,
    /// The same range in bytes (for the language server's own conversion).
    pub span: Span,
    pub new_text: String,
}

/// A fix: a titled set of edits the user (or client) may apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<Edit>,
}

/// Where a rule is defined in `layergate.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Related {
    /// Workspace-relative path of the config file (`layergate.toml`).
    pub file: String,
    pub range: Range,
    pub span: Span,
    pub message: String,
}

/// One violation (or config / suppression problem) at one place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Workspace-relative path with `/`.
    pub file: String,
    pub range: Range,
    /// Byte offsets and 0-based byte columns of the same range.
    pub span: Span,
    pub severity: Severity,
    pub rule: RuleId,
    pub message: String,
    pub from_module: Option<String>,
    pub to_module: Option<String>,
    pub target: Option<String>,
    pub baselined: bool,
    pub fixes: Vec<Fix>,
    /// The rule's definition in `layergate.toml`, when it has one.
    pub related: Option<Related>,
    /// An unused suppression: clients render it faded.
    pub unnecessary: bool,
}

impl Diagnostic {
    /// A diagnostic about no import or module: no target, no fixes, no
    /// related rule (layergate's own notes, such as `policy` or a count of
    /// what was cut).
    pub fn plain(
        file: String,
        range: Range,
        span: Span,
        severity: Severity,
        rule: impl Into<RuleId>,
        message: String,
    ) -> Diagnostic {
        Diagnostic {
            file,
            range,
            span,
            severity,
            rule: rule.into(),
            message,
            from_module: None,
            to_module: None,
            target: None,
            baselined: false,
            fixes: Vec::new(),
            related: None,
            unnecessary: false,
        }
    }

    /// The sort key of the JSON output: file, line, column, rule.
    pub fn sort_key(&self) -> (&str, u32, u32, &str) {
        (
            &self.file,
            self.range.line,
            self.range.column,
            self.rule.as_str(),
        )
    }
}
