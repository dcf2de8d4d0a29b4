//! `layergate hook AGENT`: the pre-edit gate of agent CLIs. The agent runs
//! it before each file edit with the tool call on stdin; it computes the
//! content the edit would leave, checks the workspace with that content (in
//! memory: nothing is written) and blocks the edit, in the agent's own
//! format, when it adds a violation the current content does not have, or
//! adds a `layergate-ignore`. Existing violations never block.
//!
//! Claude Code (`PreToolUse`, tools `Write`, `Edit`, `MultiEdit`): blocking is
//! exit status 2 with the reason on stderr (its documented form that no
//! JSON can override); anything else is exit 0 without output ("no
//! decision": the normal permission flow applies). Input it cannot read is
//! exit 1 with the reason on stderr, which Claude Code treats as a
//! non-blocking error: a gate that cannot judge says so and lets the edit
//! through rather than blocking every edit.

use std::io::Read;
use std::path::{Path, PathBuf};

use rules::analysis::added::added_diagnostics;
use rules::Diagnostic;
use rules::Lang;
use rules::{check_cold, Baseline, Options};
use rules::{Severity, CONFIG_FILE};
use serde::Deserialize;

use crate::project;

pub mod cline;
pub mod codex;
mod input;
pub mod judge;
#[cfg(unix)]
pub mod server;

use input::ToolCall;
use judge::{blocks, checked_file, judge_source, one_line, Verdict, MAX_INPUT};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Agent {
    /// Claude Code's `PreToolUse` hook (tools `Write`, `Edit`, `MultiEdit`).
    ClaudeCode,
    /// Gemini CLI's `BeforeTool` hook (tools `write_file`, `replace`).
    Gemini,
    /// OpenAI Codex CLI's `PreToolUse` hook (`apply_patch`).
    Codex,
    /// Cursor's `preToolUse` hook (`Write`, and edits with `old_string` /
    /// `new_string`).
    Cursor,
    /// Windsurf's (Cascade) `pre_write_code` hook.
    Windsurf,
    /// Cline's `PreToolUse` hook (`write_to_file`, `replace_in_file`,
    /// `apply_patch`, `editor`).
    Cline,
    /// GitHub Copilot's `preToolUse` hook, CLI and cloud agent (`create`,
    /// `edit`, `str_replace_editor`, `apply_patch`).
    Copilot,
}

#[derive(Debug, clap::Args)]
pub struct HookArgs {
    /// The agent CLI whose hook runs this (its input and answer formats).
    #[arg(value_enum)]
    pub agent: Agent,
}

/// Exit statuses Claude Code understands.
const ALLOW: i32 = 0;
const BLOCK: i32 = 2;
const CANNOT_JUDGE: i32 = 1;

pub fn run(args: HookArgs) -> anyhow::Result<i32> {
    let mut input = String::new();
    let read = std::io::stdin()
        .lock()
        .take(MAX_INPUT + 1)
        .read_to_string(&mut input);
    let verdict = match read {
        Err(e) => Err(format!("cannot read stdin: {e}")),
        Ok(n) if n as u64 > MAX_INPUT => Err(format!(
            "stdin is over {} MiB: not a hook call",
            MAX_INPUT >> 20
        )),
        Ok(_) => match args.agent {
            Agent::ClaudeCode => claude_code(&input),
            Agent::Gemini => gemini(&input),
            Agent::Codex => codex(&input),
            Agent::Cursor => cursor(&input),
            Agent::Windsurf => windsurf(&input),
            Agent::Cline => cline(&input),
            Agent::Copilot => copilot(&input),
        },
    };
    use std::io::Write;
    if args.agent == Agent::Cline {
        // Cline reads its decision from stdout, always
        let answer = match &verdict {
            Ok(Verdict::Block(reason)) => {
                serde_json::json!({ "cancel": true, "errorMessage": reason })
            }
            _ => serde_json::json!({ "cancel": false }),
        };
        let _ = writeln!(std::io::stdout().lock(), "{answer}");
        if let Err(e) = &verdict {
            eprintln!("layergate hook: {e}; the edit was not judged");
        }
        return Ok(ALLOW);
    }
    if args.agent == Agent::Copilot {
        // Copilot reads a denial from stdout; any exit status but 0 denies
        // too (in recent versions), so a call that cannot be judged exits 0
        match &verdict {
            Ok(Verdict::Block(reason)) => {
                let answer = serde_json::json!({
                    "permissionDecision": "deny",
                    "permissionDecisionReason": reason,
                });
                let _ = writeln!(std::io::stdout().lock(), "{answer}");
            }
            Ok(Verdict::Allow) => {}
            Err(e) => eprintln!("layergate hook: {e}; the edit was not judged"),
        }
        return Ok(ALLOW);
    }
    Ok(match verdict {
        Ok(Verdict::Allow) => {
            if args.agent == Agent::Gemini {
                // Gemini CLI parses stdout as JSON: an empty object is no decision
                let _ = writeln!(std::io::stdout().lock(), "{{}}");
            }
            ALLOW
        }
        Ok(Verdict::Block(reason)) if args.agent == Agent::Cursor => {
            // Cursor reads its decision from stdout; the agent gets the reason
            let answer = serde_json::json!({
                "permission": "deny",
                "agent_message": reason,
                "user_message": reason.lines().next().unwrap_or_default(),
            });
            let _ = writeln!(std::io::stdout().lock(), "{answer}");
            ALLOW
        }
        Ok(Verdict::Block(reason)) => {
            eprint!("{reason}");
            BLOCK
        }
        Err(e) => {
            eprintln!("layergate hook: {e}; the edit was not judged");
            CANNOT_JUDGE
        }
    })
}

#[derive(Deserialize)]
struct Replace {
    old_string: String,
    new_string: String,
    #[serde(default)]
    replace_all: bool,
}

/// Judges one Claude Code `PreToolUse` call.
pub fn claude_code(input: &str) -> Result<Verdict, String> {
    let call: ToolCall = serde_json::from_str(input)
        .map_err(|e| format!("stdin is not a Claude Code hook call ({e})"))?;
    if call
        .hook_event_name
        .as_deref()
        .is_some_and(|e| e != "PreToolUse")
    {
        return Ok(Verdict::Allow);
    }
    let edits: Vec<Replace> = match call.tool_name.as_str() {
        "Write" => Vec::new(),
        "Edit" => vec![serde_json::from_value(call.tool_input.clone())
            .map_err(|e| format!("`Edit` input: {e}"))?],
        "MultiEdit" => {
            let v = call
                .tool_input
                .get("edits")
                .cloned()
                .ok_or("`MultiEdit` without `tool_input.edits`")?;
            serde_json::from_value(v).map_err(|e| format!("`MultiEdit` edits: {e}"))?
        }
        // not a file edit: not ours to judge
        _ => return Ok(Verdict::Allow),
    };
    let path = call.path(&call.field("file_path")?);
    let proposed = if call.tool_name == "Write" {
        call.field("content")?
    } else {
        let current = current_text(&path);
        match apply_edits(current.as_deref(), &edits) {
            Some(text) => text,
            // the tool itself will refuse the edit: nothing to judge
            None => return Ok(Verdict::Allow),
        }
    };
    judge(&path, proposed)
}

/// Judges one Gemini CLI `BeforeTool` call: `write_file` (`file_path`,
/// `content`) and `replace` (`file_path`, `old_string`, `new_string`,
/// `expected_replacements`, default 1; an empty `old_string` creates the
/// file). Blocking is exit status 2 with the reason on stderr.
pub fn gemini(input: &str) -> Result<Verdict, String> {
    let call: ToolCall = serde_json::from_str(input)
        .map_err(|e| format!("stdin is not a Gemini CLI hook call ({e})"))?;
    if call
        .hook_event_name
        .as_deref()
        .is_some_and(|e| e != "BeforeTool")
    {
        return Ok(Verdict::Allow);
    }
    if !matches!(call.tool_name.as_str(), "write_file" | "replace") {
        return Ok(Verdict::Allow);
    }
    let path = call.path(&call.field("file_path")?);
    let proposed = if call.tool_name == "write_file" {
        call.field("content")?
    } else {
        let old = call.field("old_string")?;
        let new = call.field("new_string")?;
        let expected = match call.tool_input.get("expected_replacements") {
            None | Some(serde_json::Value::Null) => 1,
            Some(v) => v
                .as_u64()
                .ok_or("`replace` with a non-numeric `expected_replacements`")?
                as usize,
        };
        let current = current_text(&path);
        match (current, old.is_empty()) {
            (None, true) => new,
            (Some(text), false) if text.matches(old.as_str()).count() == expected => {
                text.replace(&old, &new)
            }
            // the tool itself will refuse the edit: nothing to judge
            _ => return Ok(Verdict::Allow),
        }
    };
    judge(&path, proposed)
}

/// Judges one Codex `PreToolUse` call: every file its `apply_patch` writes,
/// each against the workspace as it is; blocked when any one is.
pub fn codex(input: &str) -> Result<Verdict, String> {
    match codex::writes(input)? {
        Some(writes) => judge_all(writes),
        None => Ok(Verdict::Allow),
    }
}

/// Judges several files one call writes, each against the workspace as it
/// is; blocked when any one is.
fn judge_all(writes: Vec<(PathBuf, String)>) -> Result<Verdict, String> {
    let mut reasons = Vec::new();
    for (path, proposed) in writes {
        if let Verdict::Block(reason) = judge(&path, proposed)? {
            reasons.push(reason);
        }
    }
    Ok(if reasons.is_empty() {
        Verdict::Allow
    } else {
        Verdict::Block(reasons.join("\n"))
    })
}

/// Judges one Cursor `preToolUse` call: `Write` (`file_path`, `content`) and
/// edit tools whose input has `old_string` / `new_string` (applied as
/// Claude Code's `Edit`); other tools are not judged.
pub fn cursor(input: &str) -> Result<Verdict, String> {
    let call: ToolCall = serde_json::from_str(input)
        .map_err(|e| format!("stdin is not a Cursor hook call ({e})"))?;
    if call
        .hook_event_name
        .as_deref()
        .is_some_and(|e| e != "preToolUse")
    {
        return Ok(Verdict::Allow);
    }
    let Some(file) = call.tool_input.get("file_path").and_then(|v| v.as_str()) else {
        return Ok(Verdict::Allow);
    };
    let path = call.path(file);
    let proposed = if let Some(content) = call.tool_input.get("content").and_then(|v| v.as_str()) {
        content.to_string()
    } else if call.tool_input.get("old_string").is_some() {
        let edit: Replace = serde_json::from_value(call.tool_input.clone())
            .map_err(|e| format!("`{}` input: {e}", call.tool_name))?;
        let current = current_text(&path);
        match apply_edits(current.as_deref(), &[edit]) {
            Some(text) => text,
            None => return Ok(Verdict::Allow),
        }
    } else {
        return Ok(Verdict::Allow);
    };
    judge(&path, proposed)
}

/// The part of Windsurf's `pre_write_code` input the gate reads.
#[derive(Deserialize)]
struct WindsurfInput {
    agent_action_name: Option<String>,
    tool_info: WindsurfWrite,
}

#[derive(Deserialize)]
struct WindsurfWrite {
    file_path: String,
    #[serde(default)]
    edits: Vec<Replace>,
}

/// Judges one Windsurf `pre_write_code` call: its `edits` applied in order
/// to the file (an empty `old_string` on a missing file creates it).
pub fn windsurf(input: &str) -> Result<Verdict, String> {
    let call: WindsurfInput = serde_json::from_str(input)
        .map_err(|e| format!("stdin is not a Windsurf hook call ({e})"))?;
    if call
        .agent_action_name
        .as_deref()
        .is_some_and(|e| e != "pre_write_code")
    {
        return Ok(Verdict::Allow);
    }
    let path = PathBuf::from(&call.tool_info.file_path);
    let current = current_text(&path);
    match apply_edits(current.as_deref(), &call.tool_info.edits) {
        Some(proposed) => judge(&path, proposed),
        None => Ok(Verdict::Allow),
    }
}

/// The part of Cline's `PreToolUse` input the gate reads.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClineInput {
    hook_name: Option<String>,
    #[serde(default)]
    workspace_roots: Vec<PathBuf>,
    pre_tool_use: ClineCall,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClineCall {
    tool_name: String,
    #[serde(default)]
    parameters: serde_json::Map<String, serde_json::Value>,
}

/// Judges one Cline `PreToolUse` call: `write_to_file` (`path`, `content`)
/// and `replace_in_file` (`path`, `diff`: SEARCH/REPLACE blocks); other
/// tools are not judged. A relative path is relative to the first
/// workspace root.
pub fn cline(input: &str) -> Result<Verdict, String> {
    let call: ClineInput =
        serde_json::from_str(input).map_err(|e| format!("stdin is not a Cline hook call ({e})"))?;
    if call.hook_name.as_deref().is_some_and(|h| h != "PreToolUse") {
        return Ok(Verdict::Allow);
    }
    let tool = &call.pre_tool_use;
    let param = |name: &str| scalar_arg(tool.parameters.get(name), &tool.tool_name, name);
    let at = |file: &str| input::at_cwd(file, call.workspace_roots.first().map(PathBuf::as_path));
    if tool.tool_name == "apply_patch" {
        return match codex::patch_writes(&param("input")?, at)? {
            Some(writes) => judge_all(writes),
            None => Ok(Verdict::Allow),
        };
    }
    if !matches!(
        tool.tool_name.as_str(),
        "write_to_file" | "replace_in_file" | "editor"
    ) {
        return Ok(Verdict::Allow);
    }
    let path = at(&param("path").or_else(|_| param("absolutePath"))?);
    let current = current_text(&path);
    let proposed = match tool.tool_name.as_str() {
        "write_to_file" => Some(param("content")?),
        "replace_in_file" => cline::apply(current.as_deref(), &param("diff")?)?,
        // the SDK's editor: a replacement, an insertion after a line, or a
        // new file
        _ => {
            let new = param("new_text")?;
            match (current, param("old_text"), param("insert_line")) {
                (Some(cur), Ok(old), _) => apply_edits(
                    Some(&cur),
                    &[Replace {
                        old_string: old,
                        new_string: new,
                        replace_all: false,
                    }],
                ),
                (Some(cur), Err(_), Ok(line)) => insert_after(&cur, &line, &new),
                (None, _, _) => Some(new),
                (Some(_), Err(e), Err(_)) => return Err(e),
            }
        }
    };
    match proposed {
        Some(text) => judge(&path, text),
        None => Ok(Verdict::Allow),
    }
}

/// Judges one GitHub Copilot `preToolUse` call. Its camelCase input has
/// `toolName` and `toolArgs` (a JSON object, or the same as a JSON string);
/// the hook judges `create` (`path`, `file_text`), `edit` (`path`,
/// `old_str`, `new_str`), the older `str_replace_editor` (`command` `create`,
/// `str_replace` or `insert` with `insert_line`) and `apply_patch` (a patch
/// in Codex's format). Input in the Claude Code-compatible form (the event
/// named `PreToolUse`: `tool_name`, `tool_input`) is judged as Claude Code's.
pub fn copilot(input: &str) -> Result<Verdict, String> {
    let call: serde_json::Value = serde_json::from_str(input)
        .map_err(|e| format!("stdin is not a Copilot hook call ({e})"))?;
    if call.get("tool_name").is_some() {
        return claude_code(input);
    }
    let tool = call
        .get("toolName")
        .and_then(|v| v.as_str())
        .ok_or("stdin is not a Copilot hook call (no `toolName`)")?;
    let cwd = call.get("cwd").and_then(|v| v.as_str()).map(PathBuf::from);
    let at = |file: &str| input::at_cwd(file, cwd.as_deref());
    let args = match call.get("toolArgs") {
        Some(serde_json::Value::String(s)) => match serde_json::from_str(s) {
            Ok(v) => v,
            // apply_patch's argument may be the patch itself
            Err(_) => serde_json::json!({ "input": s }),
        },
        Some(v) => v.clone(),
        None => serde_json::Value::Null,
    };
    let arg = |name: &str| scalar_arg(args.get(name), tool, name);
    if tool == "apply_patch" {
        let patch = ["input", "patch", "command"]
            .iter()
            .find_map(|k| arg(k).ok())
            .ok_or(format!("`{tool}` without its patch"))?;
        return match codex::patch_writes(&patch, at)? {
            Some(writes) => judge_all(writes),
            None => Ok(Verdict::Allow),
        };
    }
    let command = match tool {
        "create" => "create".to_string(),
        "edit" => "str_replace".to_string(),
        "str_replace_editor" => arg("command")?,
        _ => return Ok(Verdict::Allow),
    };
    let path = at(&arg("path")?);
    let proposed = match command.as_str() {
        "create" => Some(arg("file_text")?),
        "str_replace" => apply_edits(
            current_text(&path).as_deref(),
            &[Replace {
                old_string: arg("old_str")?,
                new_string: arg("new_str").unwrap_or_default(),
                replace_all: false,
            }],
        ),
        "insert" => current_text(&path)
            .and_then(|cur| insert_after(&cur, &arg("insert_line").ok()?, &arg("new_str").ok()?)),
        _ => None,
    };
    match proposed {
        Some(text) => judge(&path, text),
        None => Ok(Verdict::Allow),
    }
}

/// A tool argument that is a string (or a number, as its text); its
/// absence is an error naming the tool.
fn scalar_arg(v: Option<&serde_json::Value>, tool: &str, name: &str) -> Result<String, String> {
    match v {
        Some(serde_json::Value::String(v)) => Ok(v.clone()),
        Some(v @ serde_json::Value::Number(_)) => Ok(v.to_string()),
        _ => Err(format!("`{tool}` without `{name}`")),
    }
}

/// `text` with `new` inserted after its line `line` (`0`: at the top), as
/// the editor tools' `insert` does it (lines are what `\n` separates, so a
/// file ending with one has an empty last line); `None` past the end.
fn insert_after(text: &str, line: &str, new: &str) -> Option<String> {
    let n: usize = line.trim().parse().ok()?;
    let mut lines: Vec<&str> = text.split('\n').collect();
    if n > lines.len() {
        return None;
    }
    lines.splice(n..n, new.split('\n'));
    Some(lines.join("\n"))
}

/// `path` with its longest existing prefix resolved (the file, and folders
/// an edit creates, may not exist yet).
fn canonical(path: &Path) -> PathBuf {
    for base in path.ancestors() {
        if let (Ok(real), Ok(rest)) = (std::fs::canonicalize(base), path.strip_prefix(base)) {
            return if rest.as_os_str().is_empty() {
                real
            } else {
                real.join(rest)
            };
        }
    }
    path.to_path_buf()
}

/// The text of the file an edit applies to, if it is a regular file of
/// readable size (a FIFO or `/dev/zero` in its place is not waited on or
/// read forever).
fn current_text(path: &Path) -> Option<String> {
    rules::disk::read_regular_string(path, rules::disk::MAX_SOURCE_SIZE).ok()
}

/// The text after Claude Code's `Edit`s, applied in order; `None` where the
/// tool would refuse one (its `old_string` missing, or not unique without
/// `replace_all`). An empty `old_string` on a missing file creates it.
fn apply_edits(current: Option<&str>, edits: &[Replace]) -> Option<String> {
    let mut text = match current {
        Some(t) => t.to_string(),
        None if edits.first().is_some_and(|e| e.old_string.is_empty()) => String::new(),
        None => return None,
    };
    for e in edits {
        if e.old_string.is_empty() {
            if !text.is_empty() {
                return None;
            }
            text = e.new_string.clone();
            continue;
        }
        let n = text.matches(e.old_string.as_str()).count();
        if n == 0 || (n > 1 && !e.replace_all) {
            return None;
        }
        text = if e.replace_all {
            text.replace(&e.old_string, &e.new_string)
        } else {
            text.replacen(&e.old_string, &e.new_string, 1)
        };
    }
    Some(text)
}

/// Whether writing `proposed` to `path` adds a violation or a suppression,
/// or weakens the policy (`layergate.toml`, the baseline).
pub fn judge(path: &Path, proposed: String) -> Result<Verdict, String> {
    // the real path: a workspace reached through a symlinked folder is the
    // same workspace (its files resolve against their real places)
    let real = canonical(path);
    let path = real.as_path();
    let Some(dir) = path.parent() else {
        return Ok(Verdict::Allow);
    };
    let Some(config_path) = rules::workspace::nearest_config(dir) else {
        return Ok(Verdict::Allow);
    };
    if path.file_name().is_some_and(|n| n == CONFIG_FILE) {
        if config_path == path {
            return judge_config(path, proposed);
        }
        // a new config below one that governs its folder
        return judge_nested_config(&config_path, path);
    }
    if Lang::from_path(&path.to_string_lossy()).is_none() {
        return judge_baseline(&config_path, path, &proposed);
    }
    #[cfg(unix)]
    if let Some(verdict) = server::ask(&config_path, path, &proposed)? {
        return Ok(verdict);
    }
    let ws = match project::load_workspace_cached(&config_path) {
        Ok(ws) => ws,
        Err(e) => {
            // a broken config blocks nothing, and says so
            eprintln!("layergate hook: {}; the edit was not judged", e.0);
            return Ok(Verdict::Allow);
        }
    };
    let Some(rel) = checked_file(&ws, path) else {
        return Ok(Verdict::Allow);
    };
    let baseline = project::load_baseline(&ws, None).map_err(|e| e.0)?;
    let mut host = project::host(ws, baseline).map_err(|e| e.0)?;
    Ok(judge_source(&mut host, &rel, path, proposed))
}

/// An edit of `layergate.toml`: blocked when the new config does not parse,
/// or lets through a violation the current one reports (a rule removed or
/// loosened, an `[[allow]]` added, a severity lowered), judged on the
/// current code as `check --diff`'s ratchet judges a branch.
fn judge_config(path: &Path, proposed: String) -> Result<Verdict, String> {
    let ws = match project::load_workspace_cached(path) {
        Ok(ws) => ws,
        Err(e) => {
            eprintln!("layergate hook: {}; the edit was not judged", e.0);
            return Ok(Verdict::Allow);
        }
    };
    let new = match rules::config::Config::parse(path, &proposed) {
        Ok(c) => std::sync::Arc::new(c),
        Err(problems) => {
            return Ok(Verdict::Block(format!(
                "layergate blocked this edit of {CONFIG_FILE}: the result does not parse, and every check would stop.\n{}",
                project::format_problems(path, &problems)
            )))
        }
    };
    let baseline = project::load_baseline(&ws, None).map_err(|e| e.0)?;
    let today = project::today().map_err(|e| e.0)?;
    let opts = Options { today, baseline };
    let before = check_cold(&ws, &opts).diagnostics;
    let new_ws = crate::diff::ratchet::workspace_with(&ws, new.clone());
    let after = check_cold(&new_ws, &opts).diagnostics;
    // what the current config reports that the new one no longer does, or
    // reports less loudly
    let counted =
        |d: &&Diagnostic| blocks(d) || (d.rule.flags().ratcheted && d.severity == Severity::Info);
    let before: Vec<Diagnostic> = before.iter().filter(counted).cloned().collect();
    let after_all: Vec<Diagnostic> = after
        .iter()
        .filter(|d| d.rule.flags().ratcheted)
        .cloned()
        .collect();
    let (gone, _) = added_diagnostics(&after_all, before.clone(), |_| false);
    let mut lines: Vec<String> = gone
        .iter()
        .map(|d| format!("- no longer reported: {}", one_line(d)))
        .collect();
    for d in &before {
        let quieter = after_all.iter().find(|a| {
            a.rule == d.rule && a.file == d.file && a.target == d.target && a.message == d.message
        });
        if let Some(a) = quieter.filter(|a| a.severity > d.severity && !gone.contains(d)) {
            lines.push(format!(
                "- now {} instead of {}: {}:{}:{} [{}]: {}",
                a.severity.as_str(),
                d.severity.as_str(),
                d.file,
                d.range.line,
                d.range.column,
                d.rule,
                d.message
            ));
        }
    }
    if new.hook_suppressions_with_reason && !ws.config.hook_suppressions_with_reason {
        lines.push(
            "- `[hooks] suppressions = \"with-reason\"` would let agents add layergate-ignore comments"
                .to_string(),
        );
    }
    if lines.is_empty() {
        return Ok(Verdict::Allow);
    }
    Ok(Verdict::Block(format!(
        "layergate blocked this edit of {CONFIG_FILE}: it loosens the policy, letting through {} violation{} the current rules report:\n{}\nThe rules are the team's decision, not the agent's: change the code instead, or ask a person to change {CONFIG_FILE}.\n",
        lines.len(),
        if lines.len() == 1 { "" } else { "s" },
        lines.join("\n")
    )))
}

/// A new `layergate.toml` below the one in force: blocked when it takes
/// checked files out of the current rules (a nested config starts its own
/// workspace, which the parent's rules no longer reach).
fn judge_nested_config(config_path: &Path, path: &Path) -> Result<Verdict, String> {
    let ws = match project::load_workspace_cached(config_path) {
        Ok(ws) => ws,
        Err(e) => {
            eprintln!("layergate hook: {}; the edit was not judged", e.0);
            return Ok(Verdict::Allow);
        }
    };
    let Some(dir) = path
        .parent()
        .and_then(|d| rules::workspace::relative(ws.root(), d))
    else {
        return Ok(Verdict::Allow);
    };
    let baseline = project::load_baseline(&ws, None).map_err(|e| e.0)?;
    let today = project::today().map_err(|e| e.0)?;
    let outcome = check_cold(&ws, &Options { today, baseline });
    match judge::taken_out(&ws, &outcome.diagnostics, &dir) {
        Some(why) => Ok(Verdict::Block(format!(
            "layergate blocked writing {}: {why}\nThe rules are the team's decision, not the agent's: follow {CONFIG_FILE} instead, or ask a person to split the workspace.\n",
            path.display()
        ))),
        None => Ok(Verdict::Allow),
    }
}

/// An edit of the baseline in force: blocked when an entry is new or its
/// count grew (recording a violation instead of fixing it).
fn judge_baseline(config_path: &Path, path: &Path, proposed: &str) -> Result<Verdict, String> {
    let Ok(config) = project::load_config(config_path) else {
        return Ok(Verdict::Allow);
    };
    let (baseline_path, _) = project::baseline_path_of(&config, None);
    if baseline_path != path {
        return Ok(Verdict::Allow);
    }
    let Ok(new) = Baseline::parse(proposed) else {
        return Ok(Verdict::Block(
            "layergate blocked this edit of the baseline: the result is not a layergate baseline.\n".into(),
        ));
    };
    let old = rules::disk::read_regular_string(path, rules::disk::MAX_BASELINE_SIZE)
        .ok()
        .and_then(|t| Baseline::parse(&t).ok())
        .unwrap_or_default();
    let grown: Vec<String> = new
        .entries
        .iter()
        .filter(|(k, n)| old.entries.get(*k).is_none_or(|m| m < *n))
        .map(|((rule, file, target), n)| {
            let was = old
                .entries
                .get(&(rule.clone(), file.clone(), target.clone()))
                .copied()
                .unwrap_or(0);
            format!("- {rule} in {file} ({target}): {was} -> {n}")
        })
        .collect();
    if grown.is_empty() {
        return Ok(Verdict::Allow);
    }
    Ok(Verdict::Block(format!(
        "layergate blocked this edit of the baseline: it records violations instead of fixing them:\n{}\nFix the code; the baseline only shrinks (`layergate baseline prune`).\n",
        grown.join("\n")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(old: &str, new: &str, all: bool) -> Replace {
        Replace {
            old_string: old.into(),
            new_string: new.into(),
            replace_all: all,
        }
    }

    #[test]
    fn insertions_count_lines_as_the_editor_tools_do() {
        assert_eq!(
            insert_after("a\nb\n", "0", "X").as_deref(),
            Some("X\na\nb\n")
        );
        assert_eq!(
            insert_after("a\nb\n", "2", "X").as_deref(),
            Some("a\nb\nX\n")
        );
        // after the empty line a final newline ends with
        assert_eq!(
            insert_after("a\nb\n", "3", "X").as_deref(),
            Some("a\nb\n\nX")
        );
        assert_eq!(insert_after("a\nb\n", "4", "X"), None);
        assert_eq!(insert_after("a\n", "x", "X"), None);
    }

    #[test]
    fn edits_apply_as_claude_code_applies_them() {
        assert_eq!(
            apply_edits(Some("a b a"), &[r("b", "c", false)]).as_deref(),
            Some("a c a")
        );
        // not unique without replace_all: the tool refuses
        assert_eq!(apply_edits(Some("a b a"), &[r("a", "x", false)]), None);
        assert_eq!(
            apply_edits(Some("a b a"), &[r("a", "x", true)]).as_deref(),
            Some("x b x")
        );
        assert_eq!(apply_edits(Some("a"), &[r("z", "x", false)]), None);
        // in sequence, each on the result of the previous one
        assert_eq!(
            apply_edits(
                Some("one"),
                &[r("one", "two", false), r("two", "three", false)]
            )
            .as_deref(),
            Some("three")
        );
        // a new file
        assert_eq!(
            apply_edits(None, &[r("", "x", false)]).as_deref(),
            Some("x")
        );
        assert_eq!(apply_edits(None, &[r("a", "x", false)]), None);
    }

    #[test]
    fn gemini_reads_its_own_format() {
        assert!(gemini("[]").is_err());
        assert!(gemini(r#"{"tool_name":"replace","tool_input":{"file_path":"/x.ts"}}"#).is_err());
        assert_eq!(
            gemini(
                r#"{"hook_event_name":"BeforeTool","tool_name":"run_shell_command","tool_input":{}}"#
            ),
            Ok(Verdict::Allow)
        );
        assert_eq!(
            gemini(r#"{"hook_event_name":"AfterTool","tool_name":"write_file","tool_input":{}}"#),
            Ok(Verdict::Allow)
        );
    }

    #[test]
    fn unreadable_input_is_an_error_not_a_verdict() {
        assert!(claude_code("not json").is_err());
        assert!(claude_code(r#"{"tool_name":"Write","tool_input":{}}"#).is_err());
        assert_eq!(
            claude_code(r#"{"tool_name":"Bash","tool_input":{"command":"ls"}}"#),
            Ok(Verdict::Allow)
        );
    }
}
