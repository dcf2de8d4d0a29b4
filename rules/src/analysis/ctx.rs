//! The plain data of one evaluation, shared by the driver (`mod.rs`), the
//! rules, the judge and the exceptions: the evaluation context, violations,
//! edges and per-file results. It imports none of them, so the engine's
//! files form no cycle.

use rustc_hash::FxHashMap;
use std::sync::Arc;

use super::modules::{Assignment, Module};
use crate::config::{Config, Severity};
use crate::diagnostic::{Fix, Range};
use crate::facts::{Import, ImportKind, Span};
use crate::resolve::Resolved;
use crate::rule::RuleId;
use crate::text::{scalar_col, LineIndex};
use crate::workspace::{FileEntry, Workspace};

/// The module graph as edge counts: (group, from, to) → files with such
/// module edges, and how many.
pub(crate) type Pairs = FxHashMap<(usize, Module, Module), FxHashMap<String, u32>>;

/// Why an import breaks one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    pub rule: RuleId,
    pub severity: Severity,
    /// Why, after "`a` imports `b`: ".
    pub why: String,
    /// Where the rule is defined in layergate.toml, and what that place is.
    pub related: (Span, String),
    /// The rule's own `message` (user rules).
    pub message: Option<String>,
}

/// A violation before `[[allow]]`, suppressions and the baseline.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Violation {
    pub file: String,
    pub span: Span,
    pub rule: RuleId,
    pub severity: Severity,
    pub message: String,
    pub from_module: Option<String>,
    pub to_module: Option<String>,
    /// Baseline and JSON `target`: a path, a package, an API or captured text.
    pub target: Option<String>,
    /// The file the violation is about, for `[[allow]] to` globs and modules.
    pub target_file: Option<String>,
    /// The groups this violation was found in (module rules).
    pub groups: Vec<usize>,
    /// Where the rule is defined in layergate.toml.
    pub related: Option<(Span, String)>,
    pub fixes: Vec<Fix>,
    pub unnecessary: bool,
}

impl Violation {
    /// A violation with only its place, rule, severity and message set.
    pub(crate) fn new(
        file: &str,
        span: Span,
        rule: impl Into<RuleId>,
        severity: Severity,
        message: String,
    ) -> Violation {
        Violation {
            file: file.to_string(),
            span,
            rule: rule.into(),
            severity,
            message,
            from_module: None,
            to_module: None,
            target: None,
            target_file: None,
            groups: Vec::new(),
            related: None,
            fixes: Vec::new(),
            unnecessary: false,
        }
    }
}

/// Where an import is judged to lead: `(judged target file, re-exporting file
/// it came through)` per group, since re-export following stops at a module
/// boundary and modules differ per group. One list when every group judges
/// alike (the common case).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Judged(Vec<Vec<(String, Option<String>)>>);

impl Judged {
    fn direct(target: &str) -> Judged {
        Judged(vec![vec![(target.to_string(), None)]])
    }

    /// The judged targets in `group`.
    #[inline]
    pub(crate) fn group(&self, group: usize) -> &[(String, Option<String>)] {
        &self.0[group.min(self.0.len() - 1)]
    }

    /// The judged targets for rules that belong to no group (globs, chains
    /// of the file graph): those of the first group.
    #[inline]
    pub(crate) fn first(&self) -> &[(String, Option<String>)] {
        &self.0[0]
    }
}

/// One dependency edge: an import of a file and where it is judged to lead.
#[derive(Debug, Clone)]
pub(crate) struct Edge<'a> {
    pub import: &'a Import,
    pub resolved: &'a Resolved,
    pub judged: Judged,
}

/// An import edge to a file, as kept between evaluations for the graph rules.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CachedEdge {
    pub span: Span,
    /// The file the import resolves to.
    pub direct: String,
    pub judged: Judged,
    /// Whether it counts as a dependency under `type_only_imports`.
    pub counted: bool,
    /// Whether it counts for `cycles` and `file_cycles`, under
    /// `cycle_type_only_imports`.
    pub cycle_counted: bool,
}

/// A counted import between two different modules of a group.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ModuleEdge {
    pub group: usize,
    pub from: Module,
    pub to: Module,
    pub span: Span,
    pub target: String,
}

/// What evaluating one file's rules produced, and what it read to do so.
#[derive(Debug, Clone, Default)]
pub(crate) struct FileResult {
    pub violations: Vec<Violation>,
    pub edges: Vec<CachedEdge>,
    pub module_edges: Vec<ModuleEdge>,
    /// Other files whose exports the evaluation consulted (re-export
    /// chains, public entries, Rust item names): a change to their exports
    /// or re-exports re-evaluates this file.
    pub reads: Vec<String>,
    /// Import targets of which the evaluation read only whether they
    /// re-export anything (not in `reads`): only a change to that, to their
    /// language or to whether they could be analysed re-evaluates this file.
    pub shallow_reads: Vec<String>,
    /// Violations dropped past [`MAX_VIOLATIONS_PER_FILE`]: how many, and
    /// the loudest severity among them.
    pub cut: Option<(usize, Severity)>,
}

/// Shared read-only state of one evaluation.
pub(crate) struct Ctx<'a> {
    pub ws: &'a Workspace,
    pub config: &'a Config,
    pub assignment: &'a Assignment,
    /// Rust: per crate (by its root file), each `#[macro_export]` macro and
    /// the files that define it ([`Ctx::crate_names_any`]); built on first
    /// use.
    pub crate_names: std::sync::OnceLock<CrateNames>,
}

/// One crate's exported macro names → the files defining them; and every
/// file of the crate.
type CrateMacros = (FxHashMap<String, Vec<String>>, Vec<String>);

/// Per crate root file: its [`CrateMacros`].
#[derive(Default)]
pub(crate) struct CrateNames {
    by_crate: FxHashMap<String, CrateMacros>,
}

impl Ctx<'_> {
    /// Whether some file of the crate rooted at `krate` defines a
    /// `#[macro_export]` macro `name` (named at the crate root wherever it
    /// is written); the files consulted are added to `reads`: those that
    /// define it, or all of the crate's when none does.
    pub(crate) fn crate_names_any(&self, krate: &str, name: &str, reads: &mut Vec<String>) -> bool {
        let names = self.crate_names.get_or_init(|| {
            let resolver = self.ws.rust_resolver();
            let mut c = CrateNames::default();
            for (rel, entry) in &self.ws.files {
                if entry.lang != crate::lang::Lang::Rust {
                    continue;
                }
                let Some(k) = resolver.crate_root_of(rel) else {
                    continue;
                };
                let (by_name, files) = c.by_crate.entry(k.to_string()).or_default();
                files.push(rel.clone());
                for n in &entry.facts.exports.macros {
                    by_name.entry(n.clone()).or_default().push(rel.clone());
                }
            }
            c
        });
        let Some((by_name, files)) = names.by_crate.get(krate) else {
            return false;
        };
        match by_name.get(name) {
            Some(found) => {
                reads.extend(found.iter().cloned());
                true
            }
            None => {
                reads.extend(files.iter().cloned());
                false
            }
        }
    }

    #[inline]
    pub(crate) fn modules_of(&self, rel: &str) -> std::borrow::Cow<'_, [Option<Module>]> {
        match self.assignment.by_file.get(rel) {
            Some(v) => std::borrow::Cow::Borrowed(v),
            None => std::borrow::Cow::Owned(super::modules::assign_file(self.config, rel)),
        }
    }

    #[inline]
    pub(crate) fn file(&self, rel: &str) -> Option<&FileEntry> {
        self.ws.files.get(rel)
    }

    /// The text of a file, kept or read again (`None` if it changed since).
    pub(crate) fn text_of(&self, rel: &str, entry: &FileEntry) -> Option<Arc<str>> {
        entry.text(self.ws.fs(), &self.config.root.join(rel))
    }

    /// Whether an import counts as a dependency under `type_only_imports`.
    #[inline]
    pub(crate) fn counts(&self, import: &Import) -> bool {
        self.config.checks.type_only_count || !is_type_only(import)
    }

    /// The edges of a file's imports that lead to files; every file whose
    /// exports were consulted is added to `reads`, every other target to
    /// `shallow` (its result read only whether it re-exports anything).
    pub(crate) fn edges<'e>(
        &self,
        entry: &'e FileEntry,
        reads: &mut Vec<String>,
        shallow: &mut Vec<String>,
    ) -> Vec<Edge<'e>> {
        entry
            .facts
            .imports
            .iter()
            .zip(&entry.resolved)
            .filter_map(|(imp, res)| {
                let Resolved::File(target) = res else {
                    return None;
                };
                Some(Edge {
                    import: imp,
                    resolved: res,
                    judged: self.follow(imp, target, reads, shallow),
                })
            })
            .collect()
    }

    /// Whether an import counts for `cycles` and `file_cycles` under
    /// `cycle_type_only_imports`.
    #[inline]
    pub(crate) fn counts_for_cycles(&self, import: &Import) -> bool {
        self.config.checks.cycle_type_only_count || !is_type_only(import)
    }

    /// Re-export following (spec "Re-exports"): per group, the files an
    /// import's names are judged by. A name's chain of re-exports is followed
    /// through files in no module of the group and through files of the
    /// module they re-export from; it stops at the first file of a module that
    /// re-exports the name from another module (a facade offers it as its
    /// own).
    fn follow(
        &self,
        imp: &Import,
        target: &str,
        reads: &mut Vec<String>,
        shallow: &mut Vec<String>,
    ) -> Judged {
        shallow.push(target.to_string());
        if !self.config.checks.reexports_follow
            || !matches!(
                imp.kind,
                ImportKind::Static | ImportKind::ReExport | ImportKind::Use | ImportKind::PubUse
            )
            || imp.names.is_empty()
        {
            return Judged::direct(target);
        }
        // the common case: a target that re-exports nothing defines every
        // name imported from it, or none (then the import is judged by the
        // target all the same)
        let Some(target_entry) = self.file(target).filter(|e| e.facts.reexports()) else {
            return Judged::direct(target);
        };
        // its exports are read from here on
        reads.push(target.to_string());
        let mut chains: Vec<Vec<String>> = Vec::new();
        for n in &imp.names {
            // without following anything: the target defines the name itself
            // (`target` is in `reads` already)
            if n.name == "default" || n.name == "*" || target_entry.facts.exports.defines(&n.name) {
                chains.push(vec![target.to_string()]);
                continue;
            }
            let mut seen = Vec::new();
            let chain = self
                .defining_chain(target, &n.name, &mut seen)
                .unwrap_or_else(|| vec![target.to_string()]);
            reads.append(&mut seen);
            chains.push(chain);
        }
        let mut per_group: Vec<Vec<(String, Option<String>)>> =
            (0..self.config.groups.len().max(1))
                .map(|group| {
                    let mut out: Vec<(String, Option<String>)> = chains
                        .iter()
                        .map(|chain| {
                            let judged = &chain[self.stop_in(chain, group)];
                            let via = (judged != target).then(|| target.to_string());
                            (judged.clone(), via)
                        })
                        .collect();
                    out.sort();
                    out.dedup();
                    out
                })
                .collect();
        if per_group.iter().all(|g| *g == per_group[0]) {
            per_group.truncate(1);
        }
        Judged(per_group)
    }

    /// Where following a chain of re-exports (target first, defining file
    /// last) stops in `group`: at the first file of a module that re-exports
    /// from a file outside that module.
    fn stop_in(&self, chain: &[String], group: usize) -> usize {
        for i in 0..chain.len().saturating_sub(1) {
            let here = self.modules_of(&chain[i]).get(group).cloned().flatten();
            if let Some(m) = here {
                let next = self.modules_of(&chain[i + 1]).get(group).cloned().flatten();
                if next.as_ref() != Some(&m) {
                    return i;
                }
            }
        }
        chain.len().saturating_sub(1)
    }

    /// The chain of files from `file` to the one defining `name` as seen from
    /// `file`, following re-exports (`file` first).
    fn defining_chain(
        &self,
        file: &str,
        name: &str,
        seen: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if seen.len() > 32 || seen.iter().any(|s| s == file) {
            return None;
        }
        seen.push(file.to_string());
        let entry = self.file(file)?;
        if entry.facts.exports.defines(name) {
            return Some(vec![file.to_string()]);
        }
        let through = |tail: Vec<String>| {
            let mut chain = Vec::with_capacity(tail.len() + 1);
            chain.push(file.to_string());
            chain.extend(tail);
            chain
        };
        for (imp, res) in entry.facts.imports.iter().zip(&entry.resolved) {
            let Resolved::File(next) = res else { continue };
            match imp.kind {
                ImportKind::ReExport | ImportKind::PubUse => {
                    if let Some(n) = imp.names.iter().find(|n| n.local == name) {
                        if n.name == "*" || n.name == "default" {
                            return Some(through(vec![next.clone()]));
                        }
                        let tail = self
                            .defining_chain(next, &n.name, seen)
                            .unwrap_or_else(|| vec![next.clone()]);
                        return Some(through(tail));
                    }
                    // `pub use a::*` in Rust re-exports everything of a
                    if imp.kind == ImportKind::PubUse && imp.specifier.ends_with("::*") {
                        if let Some(tail) = self.defining_chain(next, name, seen) {
                            return Some(through(tail));
                        }
                    }
                }
                ImportKind::ReExportAll => {
                    if let Some(tail) = self.defining_chain(next, name, seen) {
                        return Some(through(tail));
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// Whether `file` or a file it re-exports from defines `name`.
    pub(crate) fn provides(&self, file: &str, name: &str, reads: &mut Vec<String>) -> bool {
        let mut seen = Vec::new();
        let found = self.defining_chain(file, name, &mut seen).is_some();
        reads.append(&mut seen);
        found
    }
}

/// `import type`, or every name `type`.
pub fn is_type_only(imp: &Import) -> bool {
    imp.type_only || (!imp.names.is_empty() && imp.names.iter().all(|n| n.type_only))
}

/// The most diagnostics one file reports (a 2 MB file of `eval(1);` has
/// 250,000 violations); the rest are counted in one `skipped` diagnostic.
pub const MAX_DIAGNOSTICS_PER_FILE: usize = 1_000;

/// The most diagnostics one `check` reports, all files together.
pub const MAX_DIAGNOSTICS_PER_RUN: usize = 100_000;

/// The most violations of one file kept before `[[allow]]`, suppressions
/// and the baseline (their memory stays for incremental checks: 250,000
/// per file took 250 MB); the rest are counted with the diagnostics cut.
pub const MAX_VIOLATIONS_PER_FILE: usize = 10 * MAX_DIAGNOSTICS_PER_FILE;

/// A 1-based, scalar-column range from a byte span in `text` (`None`: an
/// ASCII text, whose columns are byte offsets).
pub fn range_of(text: Option<&str>, lines: &LineIndex, span: Span) -> Range {
    let Some(text) = text else {
        return Range {
            line: span.line + 1,
            column: span.col + 1,
            end_line: span.end_line + 1,
            end_column: span.end_col + 1,
        };
    };
    let start_line = lines.line_text(text, span.line);
    let end_line = lines.line_text(text, span.end_line);
    Range {
        line: span.line + 1,
        column: scalar_col(start_line, span.col) + 1,
        end_line: span.end_line + 1,
        end_column: scalar_col(end_line, span.end_col) + 1,
    }
}

/// The path of the config file relative to the workspace root.
pub fn config_rel(config: &Config) -> String {
    crate::workspace::relative(&config.root, &config.path)
        .unwrap_or_else(|| crate::config::CONFIG_FILE.to_string())
}

/// Whether `s` is a valid `YYYY-MM-DD` date.
pub fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<u32>().ok());
    matches!((num(0..4), num(5..7), num(8..10)), (Some(_), Some(m), Some(d)) if (1..=12).contains(&m) && (1..=31).contains(&d))
}
