//! The policy ratchet of `check --diff`: a change may tighten the policy,
//! never loosen it silently. Three kinds of weakening are reported as
//! `policy` diagnostics (error):
//!
//! - a rule removed or loosened in `layergate.toml` (or an `[[allow]]` added):
//!   the base's config is evaluated on the current code; each violation it
//!   reports that the current config does not (or reports at a lower
//!   severity) is reported where it happens;
//! - a `layergate-ignore` comment added on a changed line;
//! - the baseline grown: a new key, or a higher count, than the base's.
//!
//! These diagnostics are computed after suppressions and the baseline were
//! applied and are never passed through them, so the change being judged
//! cannot silence its own verdict.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rules::analysis::{self, Baseline, Options};
use rules::facts::{Span, Suppression};
use rules::Builtin;
use rules::ConfinedFs;
use rules::LineIndex;
use rules::{Config, Severity};
use rules::{Content, FileEntry, Workspace};
use rules::{Diagnostic, Range};

use super::{git, DiffContext, WorkspaceChanges};

/// The rule id of the ratchet's diagnostics.
pub const RULE: Builtin = Builtin::Policy;

/// What the ratchet needs about one workspace's check.
pub struct Input<'a> {
    pub ctx: &'a DiffContext,
    pub ws: &'a Workspace,
    pub changes: &'a WorkspaceChanges,
    /// The current config's diagnostics, before the baseline was applied.
    pub raw: &'a [Diagnostic],
    /// `--baseline`, if given.
    pub explicit_baseline: Option<&'a Path>,
    pub today: &'a str,
}

/// The policy diagnostics of one workspace (workspace-relative files).
pub fn check(input: &Input) -> Vec<Diagnostic> {
    let ctx = input.ctx;
    let config = input.ws.config.as_ref();
    let Some(config_top) = ctx.top_relative(&config.path) else {
        return Vec::new();
    };
    let config_rel = analysis::config_rel(config);
    let Some(old_bytes) = git::show(&ctx.top, &ctx.base, &config_top) else {
        eprintln!(
            "layergate: --diff: {config_top} is new since {}: no policy to compare with",
            ctx.label
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    let old_text = String::from_utf8_lossy(&old_bytes).into_owned();
    let old_config = match Config::parse(&config.path, &old_text) {
        Ok(c) => Some(Arc::new(c)),
        Err(problems) => {
            let first = problems
                .first()
                .map(|p| format!(" (line {}: {})", p.span.line + 1, p.message))
                .unwrap_or_default();
            out.push(at_line(
                &config_rel,
                &config.text,
                0,
                Severity::Warning,
                format!(
                    "the {config_rel} of {} does not parse{first}: rules removed or loosened since then are not checked",
                    ctx.label
                ),
            ));
            None
        }
    };
    if let Some(old) = &old_config {
        if old.text != config.text {
            out.extend(loosened(input, old.clone(), &config_rel));
        }
    }
    out.extend(added_suppressions(input));
    out.extend(grown_baseline(input, old_config.as_deref()));
    out
}

/// A `policy` diagnostic covering line `line` (0-based) of `text`, from its
/// first non-blank character.
pub(crate) fn at_line(
    file: &str,
    text: &str,
    line: u32,
    severity: Severity,
    message: String,
) -> Diagnostic {
    let lines = LineIndex::new(text);
    let start = lines.line_start(line).unwrap_or(0);
    let line_text = lines.line_text(text, line);
    let indent = line_text.len() - line_text.trim_start().len();
    let body = line_text.trim_end_matches(['\r', '\n']).len();
    let span = lines.span(start + indent.min(body)..start + body);
    policy(
        file,
        analysis::range_of(Some(text), &lines, span),
        span,
        severity,
        message,
    )
}

fn policy(file: &str, range: Range, span: Span, severity: Severity, message: String) -> Diagnostic {
    Diagnostic::plain(file.to_string(), range, span, severity, RULE, message)
}

/// Rules about the tool rather than the code: never compared.
fn compared(d: &Diagnostic) -> bool {
    d.rule.flags().ratcheted
        && !d.baselined
        && matches!(
            d.severity,
            Severity::Error | Severity::Warning | Severity::Info
        )
}

type Key = (String, String, Range, String);

fn key(d: &Diagnostic) -> Key {
    (
        d.rule.to_string(),
        d.file.clone(),
        d.range,
        d.target.clone().unwrap_or_default(),
    )
}

fn article(s: Severity) -> &'static str {
    match s {
        Severity::Error => "an error",
        Severity::Warning => "a warning",
        Severity::Info => "an info",
        Severity::Hint => "a hint",
        Severity::Off => "off",
    }
}

/// The base's config evaluated on the current code, against the current
/// config: what the change to `layergate.toml` lets through.
fn loosened(input: &Input, old: Arc<Config>, config_rel: &str) -> Vec<Diagnostic> {
    let ctx = input.ctx;
    let ws = input.ws;
    let old_ws = workspace_with(ws, old.clone());
    let old_baseline = base_baseline(input, Some(old.as_ref()));
    let outcome = analysis::check_cold(
        &old_ws,
        &Options {
            today: input.today.to_string(),
            baseline: old_baseline,
        },
    );
    let by = format!("the change to {config_rel} since {}", ctx.label);
    let_through(&outcome.diagnostics, input.raw, &by)
}

/// What `then` (an old config's diagnostics) reports that `now_raw` (the
/// new config's, on the same code, before the baseline) does not, or
/// reports less loudly: `policy` errors, "let through by `by`".
pub(crate) fn let_through(
    then: &[Diagnostic],
    now_raw: &[Diagnostic],
    by: &str,
) -> Vec<Diagnostic> {
    let mut now: HashMap<Key, Severity> = HashMap::new();
    for d in now_raw.iter().filter(|d| !d.rule.is(RULE)) {
        let e = now.entry(key(d)).or_insert(d.severity);
        *e = (*e).min(d.severity);
    }
    let mut out = Vec::new();
    for d in then.iter().filter(|d| compared(d)) {
        let why = match now.get(&key(d)) {
            Some(&s) if s <= d.severity => continue,
            Some(&s) => format!(
                "`{}` is now {}, was {}",
                d.rule,
                article(s),
                article(d.severity)
            ),
            None => format!("`{}` no longer reports it", d.rule),
        };
        let mut p = policy(
            &d.file,
            d.range,
            d.span,
            Severity::Error,
            format!("let through by {by} ({why}): {}", d.message),
        );
        p.from_module = d.from_module.clone();
        p.to_module = d.to_module.clone();
        p.target = d.target.clone();
        out.push(p);
    }
    out
}

/// A workspace of `config` over the current files: the files it governs
/// (its own include/exclude), with the current contents.
pub(crate) fn workspace_with(ws: &Workspace, config: Arc<Config>) -> Workspace {
    let disk = Arc::new(ConfinedFs::around(&config.root));
    workspace_over(ws, config, disk)
}

/// [`workspace_with`], its resolvers asking `fs`.
pub(crate) fn workspace_over(
    ws: &Workspace,
    config: Arc<Config>,
    fs: Arc<dyn rules::FileSystem>,
) -> Workspace {
    let same_patterns =
        rules::cache::patterns_key(&config) == rules::cache::patterns_key(&ws.config);
    let files: BTreeMap<String, FileEntry> = rules::workspace::walk(&config)
        .into_iter()
        .filter_map(|rel| {
            let lang = rules::lang::Lang::from_path(&rel)?;
            if same_patterns {
                if let Some(e) = ws.files.get(&rel) {
                    return Some((rel, e.clone()));
                }
            }
            let content = match ws.files.get(&rel) {
                Some(e) if e.skipped.is_none() => match e.text(ws.fs(), &ws.root().join(&rel)) {
                    Some(t) => Content::Text(t.to_string()),
                    None => rules::workspace::read_content(&config.root.join(&rel)),
                },
                _ => rules::workspace::read_content(&config.root.join(&rel)),
            };
            Some((rel, FileEntry::analyse(&config, lang, content)))
        })
        .collect();
    Workspace::from_entries(config, fs, files)
}

/// The base's baseline: the file `--baseline` names, else the one the
/// base's config names, else `layergate-baseline.json`; `None` when it did
/// not exist at the base or does not parse.
fn base_baseline(input: &Input, old: Option<&Config>) -> Option<Baseline> {
    let text = base_baseline_text(input, old)?;
    Baseline::parse(&text).ok()
}

fn base_baseline_path(input: &Input, old: Option<&Config>) -> PathBuf {
    let root = input.ws.root();
    if let Some(p) = input.explicit_baseline {
        return p.to_path_buf();
    }
    match old.and_then(|c| c.baseline.as_deref()) {
        Some(b) => root.join(b),
        None if old.is_some() => root.join("layergate-baseline.json"),
        // the base's config did not parse: assume the baseline did not move
        None => crate::project::baseline_path(input.ws, None).0,
    }
}

fn base_baseline_text(input: &Input, old: Option<&Config>) -> Option<String> {
    let path = base_baseline_path(input, old);
    let abs = if path.is_absolute() {
        path
    } else {
        crate::project::cwd().join(path)
    };
    let rel = input.ctx.top_relative(&normalize(&abs))?;
    let bytes = git::show(&input.ctx.top, &input.ctx.base, &rel)?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// `a/./b/../c` → `a/c`, without touching the disk (the file may be gone).
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// What identifies a suppression across edits: its kind, rules and date,
/// not its reason or place.
type SuppressionKey = (bool, Vec<String>, Option<String>);

fn suppression_key(s: &Suppression) -> SuppressionKey {
    let mut rules = s.rules.clone();
    rules.sort();
    (s.file_level, rules, s.until.clone())
}

fn suppression_text(s: &Suppression) -> String {
    let kind = if s.file_level {
        "layergate-ignore-file"
    } else {
        "layergate-ignore"
    };
    let until = s
        .until
        .as_deref()
        .map(|u| format!(" until {u}"))
        .unwrap_or_default();
    format!("{kind} {}{until}", s.rules.join(", "))
}

/// Suppression comments on changed lines that the file did not have at the
/// base (same kind, rules and date; moving or re-wording one is no change).
fn added_suppressions(input: &Input) -> Vec<Diagnostic> {
    let ctx = input.ctx;
    let mut out = Vec::new();
    for (rel, change) in &input.changes.files {
        let Some(entry) = input.ws.files.get(rel) else {
            continue;
        };
        let sups = &entry.facts.suppressions;
        let on_changed: Vec<&Suppression> = sups
            .iter()
            .filter(|s| change.lines.touches(s.span.line + 1, s.span.end_line + 1))
            .collect();
        if on_changed.is_empty() {
            continue;
        }
        let mut old = None;
        if let Some(base_path) = &change.base_path {
            if let Some(bytes) = git::show(&ctx.top, &ctx.base, base_path) {
                if let Ok(text) = String::from_utf8(bytes) {
                    old = Some(FileEntry::analyse(
                        &input.ws.config,
                        entry.lang,
                        Content::Text(text),
                    ));
                }
            }
        }
        let before: Vec<&Suppression> = old.iter().flat_map(|o| &o.facts.suppressions).collect();
        let by = format!("since {}", ctx.label);
        let now: Vec<&Suppression> = sups.iter().collect();
        out.extend(new_suppressions(
            rel,
            entry,
            (&before, &now),
            &on_changed,
            &by,
        ));
    }
    out
}

/// The suppressions of `on_changed` (comments of `entry` on changed lines)
/// beyond those the file had `before` compared with those it has `now`
/// (same kind, rules and date; moving or re-wording one is no change):
/// `policy` errors, "added `by`".
pub(crate) fn new_suppressions(
    rel: &str,
    entry: &FileEntry,
    (before, now): (&[&Suppression], &[&Suppression]),
    on_changed: &[&Suppression],
    by: &str,
) -> Vec<Diagnostic> {
    // per key: how many more the file has now than before
    let mut added: HashMap<SuppressionKey, i64> = HashMap::new();
    for s in now {
        *added.entry(suppression_key(s)).or_default() += 1;
    }
    for s in before {
        *added.entry(suppression_key(s)).or_default() -= 1;
    }
    let mut out = Vec::new();
    for s in on_changed {
        let Some(n) = added.get_mut(&suppression_key(s)) else {
            continue;
        };
        if *n <= 0 {
            continue;
        }
        *n -= 1;
        out.push(policy(
            rel,
            analysis::range_of(entry.kept_text(), &entry.lines, s.span),
            s.span,
            Severity::Error,
            format!(
                "suppression added {by}: `{}` silences the rule instead of fixing the violation; a change that weakens the policy needs a reviewer's agreement",
                suppression_text(s)
            ),
        ));
    }
    out
}

/// Entries of the current baseline beyond the base's: new keys or higher
/// counts. A renamed file's entries may move with it.
fn grown_baseline(input: &Input, old: Option<&Config>) -> Vec<Diagnostic> {
    let (path, _) = crate::project::baseline_path(input.ws, input.explicit_baseline);
    let abs = if path.is_absolute() {
        path.clone()
    } else {
        crate::project::cwd().join(&path)
    };
    let Ok(text) = rules::disk::Boundary::around(input.ws.root())
        .read_string(&abs, rules::disk::MAX_BASELINE_SIZE)
    else {
        return Vec::new();
    };
    let Ok(now) = Baseline::parse(&text) else {
        return Vec::new();
    };
    let before = match base_baseline_text(input, old) {
        Some(t) => match Baseline::parse(&t) {
            Ok(b) => b,
            Err(_) => return Vec::new(),
        },
        None => Baseline::default(),
    };
    // workspace-relative old path of each renamed file
    let root = input.ws.root();
    let renamed: HashMap<&str, String> = input
        .changes
        .files
        .iter()
        .filter_map(|(rel, c)| {
            let old = c.base_path.as_ref()?;
            let old_rel = rules::workspace::relative(root, &input.ctx.top.join(old))?;
            (old_rel != *rel).then_some((rel.as_str(), old_rel))
        })
        .collect();
    let file = rules::workspace::relative(root, &normalize(&abs))
        .unwrap_or_else(|| abs.display().to_string());
    let by = format!("since {}", input.ctx.label);
    grown_entries(&before, &now, &text, &file, &renamed, &by)
}

/// The entries of baseline `now` (whose text is `text`, file `file`) beyond
/// those of `before`: new keys or higher counts; `renamed` maps a file to
/// its old name, whose entries may move with it. `policy` errors, "grown
/// `by`".
pub(crate) fn grown_entries(
    before: &Baseline,
    now: &Baseline,
    text: &str,
    file: &str,
    renamed: &HashMap<&str, String>,
    by: &str,
) -> Vec<Diagnostic> {
    let lines = entry_lines(text);
    let mut out = Vec::new();
    for ((rule, f, target), &count) in &now.entries {
        let mut was = before
            .entries
            .get(&(rule.clone(), f.clone(), target.clone()))
            .copied()
            .unwrap_or(0);
        if let Some(old_f) = renamed.get(f.as_str()) {
            was += before
                .entries
                .get(&(rule.clone(), old_f.clone(), target.clone()))
                .copied()
                .unwrap_or(0);
        }
        if count <= was {
            continue;
        }
        let line = lines
            .get(&(rule.clone(), f.clone(), target.clone()))
            .copied()
            .unwrap_or(0);
        let what = if target.is_empty() {
            format!("`{rule}` in `{f}`")
        } else {
            format!("`{rule}` in `{f}` → `{target}`")
        };
        let grew = if was == 0 {
            format!("a new entry ({count})")
        } else {
            format!("{was} → {count}")
        };
        let mut d = at_line(
            file,
            text,
            line,
            Severity::Error,
            format!(
                "baseline grown {by}: {what}, {grew}; fix the new violations instead of recording them"
            ),
        );
        d.target = (!target.is_empty()).then(|| target.clone());
        out.push(d);
    }
    out
}

/// The 0-based line of each entry's `"rule"` key in a baseline written by
/// layergate (one key per line; other layouts fall back to line 0).
fn entry_lines(text: &str) -> HashMap<(String, String, String), u32> {
    let mut out = HashMap::new();
    let mut cur: (Option<u32>, String, String, String) = Default::default();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim().trim_end_matches(',');
        let Some((k, v)) = t.split_once(':') else {
            continue;
        };
        let value = || serde_json::from_str::<String>(v.trim()).unwrap_or_default();
        match k.trim() {
            "\"rule\"" => cur = (Some(i as u32), value(), String::new(), String::new()),
            "\"file\"" => cur.2 = value(),
            "\"target\"" => cur.3 = value(),
            "\"count\"" => {
                if let Some(l) = cur.0.take() {
                    out.entry((cur.1.clone(), cur.2.clone(), cur.3.clone()))
                        .or_insert(l);
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn baseline_entry_lines() {
        let b = Baseline {
            entries: [
                (("layers".into(), "src/a.ts".into(), "src/b.ts".into()), 2),
                (
                    ("no-eval".into(), "src/é \"q\".ts".into(), String::new()),
                    1,
                ),
            ]
            .into_iter()
            .collect(),
        };
        let text = b.to_json();
        let lines = entry_lines(&text);
        let l1 = lines[&("layers".into(), "src/a.ts".into(), "src/b.ts".into())];
        let l2 = lines[&("no-eval".into(), "src/é \"q\".ts".into(), String::new())];
        assert_eq!(
            text.lines().nth(l1 as usize).map(str::trim),
            Some("\"rule\": \"layers\",")
        );
        assert_eq!(
            text.lines().nth(l2 as usize).map(str::trim),
            Some("\"rule\": \"no-eval\",")
        );
    }
}
