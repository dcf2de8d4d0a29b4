//! What the pre-edit gate decides about one source file: whether writing
//! the proposed content adds a violation or a suppression to what the
//! workspace reports now. Shared by the hook (judging an edit itself) and
//! the hook's server (judging it on its warm workspace).

use std::path::Path;

use rules::analysis::added::added_diagnostics;
use rules::analysis::docs;
use rules::analysis::REASON_PLACEHOLDER;
use rules::facts::Suppression;
use rules::AnalysisHost;
use rules::Diagnostic;
use rules::Severity;
use rules::{Content, Workspace};

/// The most stdin a hook reads: an edit is text a person could review.
pub const MAX_INPUT: u64 = 64 * 1024 * 1024;

/// What the gate answers.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Allow,
    /// The reason, for the agent to act on.
    Block(String),
}

/// The workspace-relative name of `path` when the workspace checks it.
pub fn checked_file(ws: &rules::Workspace, path: &Path) -> Option<String> {
    let rel = rules::workspace::relative(ws.root(), path)?;
    rules::workspace::walked(&ws.config, &rel).then_some(rel)
}

/// Whether writing `proposed` to the checked file `rel` (at `path`) adds a
/// violation or a suppression to what `host` reports now.
pub fn judge_source(host: &mut AnalysisHost, rel: &str, path: &Path, proposed: String) -> Verdict {
    let before = host.check().diagnostics;
    // `[hooks] suppressions = "with-reason"`: only those without one count
    let with_reason = host.config.hook_suppressions_with_reason;
    let counted = |s: &Suppression| !with_reason || !explained(s);
    let suppressions_before = suppressions(host.files.get(rel), counted);
    let written: Vec<u32> = written_lines(
        rules::disk::read_regular_string(path, rules::disk::MAX_SOURCE_SIZE)
            .ok()
            .as_deref(),
        &proposed,
    );
    let (after, suppressions_after) = host.check_overlay(rel, Content::Text(proposed), |ws, o| {
        (
            o.diagnostics.clone(),
            suppressions(ws.files.get(rel), counted),
        )
    });
    let (added, _) = added_diagnostics(&before, after, |d| {
        d.file == rel && written.contains(&d.range.line)
    });
    let violations: Vec<&Diagnostic> = added.iter().filter(|d| blocks(d)).collect();
    let new_ignores: Vec<String> = suppressions_after
        .iter()
        .filter(|(rule, n)| {
            suppressions_before
                .iter()
                .find(|(r, _)| r == rule)
                .is_none_or(|(_, m)| m < n)
        })
        .map(|(rule, _)| rule.clone())
        .collect();
    if violations.is_empty() && new_ignores.is_empty() {
        return Verdict::Allow;
    }
    Verdict::Block(reason(
        host.root(),
        rel,
        &violations,
        &new_ignores,
        with_reason,
    ))
}

/// Whether a suppression gives a reason (not the quick fix's placeholder).
pub fn explained(s: &Suppression) -> bool {
    s.reason
        .as_deref()
        .map(str::trim)
        .is_some_and(|r| !r.is_empty() && r != REASON_PLACEHOLDER)
}

/// Violations about the code, as loud as a warning, not in the baseline.
pub fn blocks(d: &Diagnostic) -> bool {
    d.rule.flags().ratcheted
        && !d.baselined
        && matches!(d.severity, Severity::Error | Severity::Warning)
}

/// The `layergate-ignore` comments of a file that `counted` holds for:
/// (rule, how many).
fn suppressions(
    entry: Option<&rules::FileEntry>,
    counted: impl Fn(&Suppression) -> bool,
) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for s in entry
        .iter()
        .flat_map(|e| e.facts.suppressions.iter())
        .filter(|s| counted(s))
    {
        for r in &s.rules {
            match out.iter_mut().find(|(x, _)| x == r) {
                Some((_, n)) => *n += 1,
                None => out.push((r.clone(), 1)),
            }
        }
    }
    out
}

/// 1-based lines of `new` that are not lines of `old` (by content, in order:
/// the common prefix and suffix are kept).
fn written_lines(old: Option<&str>, new: &str) -> Vec<u32> {
    let old: Vec<&str> = old.map(|t| t.lines().collect()).unwrap_or_default();
    let new: Vec<&str> = new.lines().collect();
    let prefix = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    ((prefix + 1) as u32..=(new.len() - suffix) as u32).collect()
}

/// What a new `layergate.toml` in folder `dir` (workspace-relative) would
/// take out of workspace `ws` (whose diagnostics are `diagnostics`): `None`
/// when no checked file lies below it, else the sentence saying how many
/// files and which violations would leave the current rules.
pub fn taken_out(ws: &Workspace, diagnostics: &[Diagnostic], dir: &str) -> Option<String> {
    let below = |rel: &str| dir.is_empty() || rel.starts_with(&format!("{dir}/"));
    let files = ws.files.keys().filter(|f| below(f)).count();
    if files == 0 {
        return None;
    }
    let config_rel = rules::analysis::config_rel(&ws.config);
    let parent = config_rel.as_str();
    let mut s = format!(
        "a new {} in {} would take {files} checked file{} out of the rules of {parent}",
        rules::CONFIG_FILE,
        if dir.is_empty() { "." } else { dir },
        if files == 1 { "" } else { "s" },
    );
    let let_through: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| blocks(d) && below(&d.file))
        .collect();
    if !let_through.is_empty() {
        s.push_str(&format!(
            ", letting through {} violation{} it reports there:",
            let_through.len(),
            if let_through.len() == 1 { "" } else { "s" }
        ));
        for d in let_through {
            s.push_str(&format!("\n- {}", one_line(d)));
        }
    } else {
        s.push('.');
    }
    Some(s)
}

/// `file:line:column severity[rule]: message`.
pub fn one_line(d: &Diagnostic) -> String {
    format!(
        "{}:{}:{} {}[{}]: {}",
        d.file,
        d.range.line,
        d.range.column,
        d.severity.as_str(),
        d.rule,
        d.message
    )
}

/// The message the agent acts on.
fn reason(
    root: &Path,
    rel: &str,
    violations: &[&Diagnostic],
    ignores: &[String],
    with_reason: bool,
) -> String {
    let mut s = String::new();
    let n = violations.len();
    if n > 0 {
        s.push_str(&format!(
            "layergate blocked this edit of {rel}: it adds {n} architecture violation{} (layergate.toml in {}).\n",
            if n == 1 { "" } else { "s" },
            root.display()
        ));
        for d in violations {
            s.push_str(&format!("- {}\n", one_line(d)));
            if let Some(fix) = d.rule.builtin().map(|b| &docs::of(b).fix) {
                s.push_str(&format!("  how to fix: {fix}\n"));
            }
            for f in &d.fixes {
                if !f.title.starts_with("Suppress") {
                    s.push_str(&format!("  quick fix: {}\n", f.title));
                }
            }
        }
    } else {
        s.push_str(&format!("layergate blocked this edit of {rel}.\n"));
    }
    for r in ignores {
        s.push_str(&if with_reason {
            format!("- it adds `layergate-ignore {r}` without a reason: this project lets agents suppress only with one, after `:`.\n")
        } else {
            format!("- it adds `layergate-ignore {r}`: suppressions are the team's decision, not the agent's.\n")
        });
    }
    s.push_str(if with_reason {
        "Change the code so that it follows the rules, or suppress with a real reason (`layergate-ignore RULE: why`); do not loosen layergate.toml. `layergate allowed PATH` lists what a file may import.\n"
    } else {
        "Change the code so that it follows the rules; do not add layergate-ignore comments or loosen layergate.toml. `layergate allowed PATH` lists what a file may import.\n"
    });
    s
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_lines_are_the_changed_middle() {
        assert_eq!(written_lines(Some("a\nb\nc\n"), "a\nX\nY\nc\n"), [2, 3]);
        assert_eq!(written_lines(None, "a\nb\n"), [1, 2]);
        assert!(written_lines(Some("a\nb\n"), "a\nb\n").is_empty());
        assert_eq!(written_lines(Some("a\nb\n"), "X\na\nb\n"), [1]);
    }
}
