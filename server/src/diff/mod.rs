//! `layergate check --diff [REF]`: only the violations on lines changed since
//! a git base, plus the *policy ratchet* ([`ratchet`]): a change that weakens
//! the policy (a rule removed or loosened in `layergate.toml`, a suppression
//! added, the baseline grown) is reported as a `policy` diagnostic.
//!
//! The changed lines come from `git` run as a subprocess ([`git`], hardened:
//! no external diff drivers, textconv, fsmonitor or pager), comparing the
//! work tree (staged, unstaged and untracked-but-not-ignored files) with the
//! base commit.

pub mod git;
pub mod ratchet;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rules::analysis::modules::assign_file;
use rules::Config;
use rules::Diagnostic;

use crate::project::UsageError;
use git::{Changes, Status};

/// The branches tried, in order, when `--diff` names no base.
pub const DEFAULT_BRANCHES: &[&str] = &[
    "origin/HEAD",
    "origin/main",
    "origin/master",
    "main",
    "master",
];

/// The base of a `--diff` run and what changed since it.
#[derive(Debug, Clone)]
pub struct DiffContext {
    /// The top directory of the git work tree.
    pub top: PathBuf,
    /// The base commit (full hash).
    pub base: String,
    /// How the base is named in messages: the REF as given, or the default
    /// branch it was found from.
    pub label: String,
    pub changes: Changes,
}

/// Finds the base (REF, or the merge base of HEAD with the default branch)
/// and the changes since it; says on stderr which base is used.
pub fn prepare(cwd: &Path, reference: Option<&str>) -> Result<DiffContext, UsageError> {
    let top = git::toplevel(cwd).map_err(|e| {
        UsageError(format!(
            "--diff needs a git repository: {} is not in one ({e})",
            cwd.display()
        ))
    })?;
    if git::commit_of(&top, "HEAD").is_none() {
        return Err(UsageError(
            "--diff: the repository has no commit yet (HEAD names none)".into(),
        ));
    }
    let (name, commit) = match reference {
        Some(r) => match git::commit_of(&top, r) {
            Some(c) => (r.to_string(), c),
            None => {
                return Err(UsageError(format!(
                    "--diff: `{r}` names no commit in {}",
                    top.display()
                )))
            }
        },
        None => {
            let found = DEFAULT_BRANCHES
                .iter()
                .find_map(|b| git::commit_of(&top, b).map(|c| (b.to_string(), c)));
            match found {
                Some(f) => f,
                None => {
                    return Err(UsageError(format!(
                        "--diff: no default branch found (tried {}); name the base: `layergate check --diff REF`",
                        DEFAULT_BRANCHES.join(", ")
                    )))
                }
            }
        }
    };
    let base = git::merge_base(&top, &commit).map_err(|e| {
        UsageError(format!(
            "--diff: HEAD and `{name}` have no common ancestor ({e})"
        ))
    })?;
    let short: String = base.chars().take(12).collect();
    let how = if reference.is_some() {
        format!("the merge base of HEAD and `{name}`")
    } else {
        format!("the merge base of HEAD and the default branch `{name}`")
    };
    eprintln!("layergate: --diff: reporting changes since {short} ({how})");
    let changes = git::changes(&top, &base).map_err(|e| UsageError(format!("--diff: {e}")))?;
    Ok(DiffContext {
        top,
        base,
        label: name,
        changes,
    })
}

/// Which lines of a file changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lines {
    /// The whole file is new (or moved to another module).
    All,
    /// 1-based inclusive ranges.
    Ranges(Vec<(u32, u32)>),
}

impl Lines {
    /// Whether any line of `first..=last` changed.
    pub fn touches(&self, first: u32, last: u32) -> bool {
        match self {
            Lines::All => true,
            Lines::Ranges(r) => r.iter().any(|&(a, b)| a <= last && first <= b),
        }
    }
}

/// One changed file of a workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    pub lines: Lines,
    /// Its path at the base, relative to the git top (`None`: new file).
    pub base_path: Option<String>,
}

/// The changes of one workspace, by workspace-relative path.
#[derive(Debug, Clone, Default)]
pub struct WorkspaceChanges {
    pub files: BTreeMap<String, FileChange>,
}

impl WorkspaceChanges {
    /// Whether a diagnostic (workspace-relative file) starts or ends on a
    /// changed line.
    pub fn touches(&self, d: &Diagnostic) -> bool {
        self.files.get(&d.file).is_some_and(|c| {
            c.lines
                .touches(d.range.line, d.range.end_line.max(d.range.line))
        })
    }
}

impl DiffContext {
    /// `path` (absolute) relative to the git top, with `/`.
    pub fn top_relative(&self, path: &Path) -> Option<String> {
        rules::workspace::relative(&self.top, path)
    }

    /// The changes that fall in the workspace of `config`. A renamed file
    /// counts as entirely changed when it moved to other modules (module
    /// membership follows the path, so each of its lines may break a rule
    /// it did not break before); otherwise only its changed lines count.
    pub fn for_workspace(&self, config: &Config) -> WorkspaceChanges {
        let root = &config.root;
        let mut out = WorkspaceChanges::default();
        for (path, status) in &self.changes.status {
            let abs = self.top.join(path);
            let Some(rel) = rules::workspace::relative(root, &abs) else {
                continue;
            };
            let hunks = || Lines::Ranges(self.changes.lines.get(path).cloned().unwrap_or_default());
            let change = match status {
                Status::Added => FileChange {
                    lines: Lines::All,
                    base_path: None,
                },
                Status::Modified => FileChange {
                    lines: hunks(),
                    base_path: Some(path.clone()),
                },
                Status::Renamed(old) => {
                    let old_rel = rules::workspace::relative(root, &self.top.join(old));
                    let same_modules = old_rel
                        .as_deref()
                        .is_some_and(|o| module_names(config, o) == module_names(config, &rel));
                    FileChange {
                        lines: if same_modules { hunks() } else { Lines::All },
                        base_path: Some(old.clone()),
                    }
                }
            };
            out.files.insert(rel, change);
        }
        out
    }
}

fn module_names(config: &Config, rel: &str) -> Vec<Option<String>> {
    assign_file(config, rel)
        .into_iter()
        .map(|m| m.map(|m| m.name.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_ranges() {
        let l = Lines::Ranges(vec![(3, 3), (10, 12)]);
        assert!(!l.touches(1, 2));
        assert!(l.touches(2, 3));
        assert!(l.touches(12, 20));
        assert!(!l.touches(4, 9));
        assert!(Lines::All.touches(1, 1));
        assert!(!Lines::Ranges(vec![]).touches(1, 1));
    }
}
