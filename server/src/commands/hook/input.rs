//! What the agents send: the fields of a tool call that Claude Code's
//! `PreToolUse`, Gemini CLI's `BeforeTool`, Codex's `PreToolUse` and
//! Cursor's `preToolUse` share.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The part of a tool call the gate reads: Claude Code's `PreToolUse`,
/// Gemini CLI's `BeforeTool`, Codex's `PreToolUse` and Cursor's
/// `preToolUse` share these fields.
#[derive(Deserialize)]
pub struct ToolCall {
    pub hook_event_name: Option<String>,
    pub tool_name: String,
    pub tool_input: serde_json::Value,
    pub cwd: Option<PathBuf>,
}

impl ToolCall {
    /// A string field of `tool_input`; its absence is an error.
    pub fn field(&self, name: &str) -> Result<String, String> {
        self.tool_input
            .get(name)
            .and_then(|v| v.as_str())
            .map(str::to_string)
            .ok_or_else(|| format!("`{}` without `tool_input.{name}`", self.tool_name))
    }

    /// A path of the call: relative ones are relative to its `cwd`.
    pub fn path(&self, file: &str) -> PathBuf {
        at_cwd(file, self.cwd.as_deref())
    }
}

/// `file`, relative to `cwd` when it is relative.
pub fn at_cwd(file: &str, cwd: Option<&Path>) -> PathBuf {
    match cwd {
        Some(cwd) if Path::new(file).is_relative() => cwd.join(file),
        _ => PathBuf::from(file),
    }
}
