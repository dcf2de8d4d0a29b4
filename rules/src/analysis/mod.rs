//! Rule evaluation: a [`Workspace`]'s facts → diagnostics.
//!
//! Per-file rules (module rules, `[[deny]]`, boundaries, patterns, unresolved,
//! unassigned) run in parallel over the files; whole-graph rules (cycles,
//! transitive deny) run on the dependency graph built from the same edges;
//! then `[[allow]]`, suppressions and the baseline are applied in that order.

pub mod added;
pub(crate) mod baseline;
pub(crate) mod ctx;
pub mod docs;
pub(crate) mod graph;
pub mod judge;
pub mod modules;
mod rules;

/// A relative import specifier from one file to another (as a quick fix
/// writes it).
pub use rules::deny::transitive_reach;
pub(crate) use rules::doc as rule_doc;
pub use rules::public_api::relative_specifier;
mod suppress;
pub use suppress::REASON_PLACEHOLDER;

use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Severity;
use crate::diagnostic::{Diagnostic, Range, Related};
use crate::facts::Span;
use crate::rule::{Builtin, RuleId};
use crate::text::LineIndex;
use crate::workspace::{FileEntry, Workspace};
pub use baseline::Baseline;
pub use ctx::{
    config_rel, is_iso_date, is_type_only, range_of, MAX_DIAGNOSTICS_PER_FILE,
    MAX_DIAGNOSTICS_PER_RUN, MAX_VIOLATIONS_PER_FILE,
};
pub(crate) use ctx::{Ctx, FileResult, Pairs, Violation};
use modules::{Assignment, Module};

/// Inputs of a check that are not in the workspace.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Today as `YYYY-MM-DD` (UTC), for `until` dates of suppressions.
    pub today: String,
    /// The baseline in force, if any.
    pub baseline: Option<Baseline>,
}

/// The result of a check (stored as it is by the check memo).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Outcome {
    /// Sorted by file, line, column, rule.
    pub diagnostics: Vec<Diagnostic>,
    /// Baseline entries (counted per occurrence) no longer matched.
    pub stale_baseline: usize,
    pub files: usize,
}

/// Evaluation results kept between checks, so that after an edit only the
/// edited file and the files that read it are evaluated again; graph rules
/// run over the kept edges. The workspace invalidates it on every change;
/// the differential tests check it against cold checks.
#[derive(Debug, Default)]
pub struct AnalysisCache {
    assignment: Option<Assignment>,
    files: FxHashMap<String, FileResult>,
    /// file → files whose results read its exports.
    dependents: FxHashMap<String, FxHashSet<String>>,
    /// file → files whose results read only whether it re-exports anything.
    shallow_dependents: FxHashMap<String, FxHashSet<String>>,
    /// (group, from, to) → files with such module edges, and how many: the
    /// module graph, kept up to date file by file.
    pairs: Pairs,
    dirty: FxHashSet<String>,
    all_dirty: bool,
    /// Files entered or left the workspace since the last evaluation.
    file_set_dirty: bool,
    /// An edge of the file graph or the module graph changed since the graph
    /// rules last ran.
    graph_dirty: bool,
    /// Files whose edges only moved in their text (a line typed above an
    /// import) since the graph rules last ran: the old span of each edge and
    /// its new one. The graphs are the same, so their graph-rule violations
    /// move with them and nothing else is computed again.
    moved_edges: FxHashMap<String, Vec<(Span, Span)>>,
    /// Files whose edges changed since the graph rules last ran.
    edges_changed: FxHashSet<String>,
    /// The module graph's edges (which module pairs have imports) or the
    /// file set changed since the graph rules last ran: with the same
    /// module graph, only the module cycles of the files in
    /// `edges_changed` can differ (when no other graph rule is on).
    topology_dirty: bool,
    /// The last graph-rule violations (cycles, transitive deny), by file.
    global: FxHashMap<String, Vec<Violation>>,
    /// The `[[allow]]` entries that lifted a link of a transitive rule's
    /// chains when the graph rules last ran (they count as used).
    lifted: Vec<usize>,
    /// The final diagnostics of every file (and of the config file), after
    /// `[[allow]]`, suppressions and the baseline.
    post: BTreeMap<String, Post>,
    /// The options `post` was computed with.
    opts: Option<(String, Option<Baseline>)>,
    /// Baseline entries by file, for the options in `opts`.
    baseline_files: baseline::PerFile,
    /// Stale baseline entries of files that are not in the workspace.
    stale_elsewhere: usize,
    /// Files whose `post` changed since the last [`check_changes`], with
    /// their previous diagnostics' absence noted as an empty list.
    changed: BTreeSet<String>,
}

/// One file's final diagnostics and what computing them used.
#[derive(Debug, Clone, Default)]
struct Post {
    diagnostics: Arc<[Diagnostic]>,
    /// The `[[allow]]` entries (indices) that silenced one of its violations.
    allows: Vec<usize>,
    /// Its baseline entries no longer matched.
    stale: usize,
}

impl AnalysisCache {
    /// `rel` changed: it and every file that read it are evaluated again.
    pub fn invalidate(&mut self, rel: &str) {
        self.invalidate_deep(rel);
        if let Some(deps) = self.shallow_dependents.get(rel) {
            self.dirty.extend(deps.iter().cloned());
        }
    }

    /// `rel`'s exports or re-exports changed, not whether it re-exports
    /// anything: it and the files that read its exports are evaluated again.
    pub fn invalidate_deep(&mut self, rel: &str) {
        self.dirty.insert(rel.to_string());
        if let Some(deps) = self.dependents.get(rel) {
            self.dirty.extend(deps.iter().cloned());
        }
    }

    /// `rel` changed, but nothing the files that read it read of it: only
    /// it is evaluated again.
    pub fn invalidate_own(&mut self, rel: &str) {
        self.dirty.insert(rel.to_string());
    }

    /// A file entered or left the workspace (the files whose imports now
    /// resolve otherwise are invalidated apart): its module is assigned or
    /// forgotten, and what depends on the file set (the config file's
    /// warnings, baseline entries of absent files) is computed again.
    pub fn file_moved(&mut self, ws: &Workspace, rel: &str) {
        if let Some(a) = self.assignment.as_mut() {
            if ws.files.contains_key(rel) {
                a.by_file
                    .insert(rel.to_string(), modules::assign_file(&ws.config, rel));
            } else {
                a.by_file.remove(rel);
            }
        }
        self.file_set_dirty = true;
        self.invalidate(rel);
    }

    /// Everything is evaluated again (config, resolution or file set changed).
    pub fn invalidate_all(&mut self) {
        self.all_dirty = true;
        self.assignment = None;
    }

    fn store(&mut self, rel: String, result: FileResult) {
        match self.files.get(&rel) {
            Some(old) if old.edges == result.edges && old.module_edges == result.module_edges => {}
            Some(old) => match edge_moves(old, &result) {
                Some(moves) if !self.moved_edges.contains_key(&rel) => {
                    self.moved_edges.insert(rel.clone(), moves);
                }
                _ => {
                    self.graph_dirty = true;
                    self.edges_changed.insert(rel.clone());
                }
            },
            None => {
                self.graph_dirty = true;
                self.topology_dirty = true;
            }
        }
        let dropped = self.forget(&rel);
        for r in &result.reads {
            self.dependents
                .entry(r.clone())
                .or_default()
                .insert(rel.clone());
        }
        for r in &result.shallow_reads {
            self.shallow_dependents
                .entry(r.clone())
                .or_default()
                .insert(rel.clone());
        }
        for e in &result.module_edges {
            let key = (e.group, e.from.clone(), e.to.clone());
            let new_pair = !self.pairs.contains_key(&key) && !dropped.contains(&key);
            *self
                .pairs
                .entry(key)
                .or_default()
                .entry(rel.clone())
                .or_insert(0) += 1;
            self.topology_dirty |= new_pair;
        }
        // a module pair only this file imported, and no more
        if dropped.iter().any(|k| !self.pairs.contains_key(k)) {
            self.topology_dirty = true;
        }
        self.files.insert(rel, result);
    }

    /// Drops a file's result and everything indexed from it. Returns the
    /// module pairs that no other file imports (gone from `pairs`).
    fn forget(&mut self, rel: &str) -> Vec<(usize, Module, Module)> {
        let mut dropped = Vec::new();
        let Some(old) = self.files.remove(rel) else {
            return dropped;
        };
        for r in &old.reads {
            if let Some(d) = self.dependents.get_mut(r) {
                d.remove(rel);
            }
        }
        for r in &old.shallow_reads {
            if let Some(d) = self.shallow_dependents.get_mut(r) {
                d.remove(rel);
            }
        }
        for e in &old.module_edges {
            let key = (e.group, e.from.clone(), e.to.clone());
            if let Some(files) = self.pairs.get_mut(&key) {
                files.remove(rel);
                if files.is_empty() {
                    self.pairs.remove(&key);
                    dropped.push(key);
                }
            }
        }
        dropped
    }
}

/// When a file's edges and module edges are those it had, in the same order,
/// only at other places in its text: each old edge span with its new one.
/// `None` when anything else differs, or when the move does not keep the
/// spans' order and equalities (then the graph rules run again).
fn edge_moves(old: &FileResult, new: &FileResult) -> Option<Vec<(Span, Span)>> {
    if old.edges.len() != new.edges.len() || old.module_edges.len() != new.module_edges.len() {
        return None;
    }
    let mut moves: Vec<(Span, Span)> = Vec::with_capacity(old.edges.len());
    for (a, b) in old.edges.iter().zip(&new.edges) {
        if a.direct != b.direct
            || a.judged != b.judged
            || a.counted != b.counted
            || a.cycle_counted != b.cycle_counted
        {
            return None;
        }
        moves.push((a.span, b.span));
    }
    moves.sort();
    moves.dedup();
    // one new place per old one, in the same order, and the other way round
    // (with equal starts kept equal: `cycles` reports one edge per start)
    if moves.windows(2).any(|w| {
        w[0].0 == w[1].0
            || w[0].1 >= w[1].1
            || (w[0].0.start == w[1].0.start) != (w[0].1.start == w[1].1.start)
    }) {
        return None;
    }
    for (a, b) in old.module_edges.iter().zip(&new.module_edges) {
        if a.group != b.group
            || a.from != b.from
            || a.to != b.to
            || a.target != b.target
            || moved_to(&moves, a.span) != Some(b.span)
        {
            return None;
        }
    }
    Some(moves)
}

/// Where [`edge_moves`] (sorted by old span) moved the edge at `span`.
fn moved_to(moves: &[(Span, Span)], span: Span) -> Option<Span> {
    let i = moves.binary_search_by_key(&span, |(from, _)| *from).ok()?;
    Some(moves[i].1)
}

/// What changed since the previous check of a workspace.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    /// Every file whose diagnostics changed, with its new diagnostics (empty
    /// when it has none now or left the workspace), sorted by file.
    pub files: Vec<(String, Arc<[Diagnostic]>)>,
    /// Baseline entries (counted per occurrence) no longer matched.
    pub stale_baseline: usize,
}

/// Evaluates every rule on the workspace, from nothing: a one-shot check
/// (`layergate check`, the ratchet's base config). What is checked again and
/// again keeps its results in an [`crate::host::AnalysisHost`].
pub fn check_cold(ws: &Workspace, opts: &Options) -> Outcome {
    check(&mut AnalysisCache::default(), ws, opts)
}

/// Evaluates every rule on the workspace. Per-file results are kept in
/// `cache`: only files changed since the last check (and the files that read
/// them) are evaluated again; the caller has applied the workspace's
/// [`crate::workspace::Invalidation`]s to it.
pub(crate) fn check(cache: &mut AnalysisCache, ws: &Workspace, opts: &Options) -> Outcome {
    evaluate(ws, opts, cache);
    let mut diagnostics = cache
        .post
        .values()
        .flat_map(|p| p.diagnostics.iter().cloned())
        .collect();
    cap(&mut diagnostics, MAX_DIAGNOSTICS_PER_RUN, "run", None);
    Outcome {
        diagnostics,
        stale_baseline: stale_total(cache),
        files: ws.files.len(),
    }
}

/// Like [`check`], but returns only the files whose diagnostics changed since
/// the previous check of this workspace (the language server publishes those):
/// the cost of an edit is proportional to what it changes, not to the
/// workspace or its number of diagnostics.
pub(crate) fn check_changes(cache: &mut AnalysisCache, ws: &Workspace, opts: &Options) -> Changes {
    evaluate(ws, opts, cache);
    let files = std::mem::take(&mut cache.changed)
        .into_iter()
        .map(|rel| {
            let d = cache
                .post
                .get(&rel)
                .map_or_else(|| Arc::from(Vec::new()), |p| p.diagnostics.clone());
            (rel, d)
        })
        .collect();
    Changes {
        files,
        stale_baseline: stale_total(cache),
    }
}

fn stale_total(cache: &AnalysisCache) -> usize {
    cache.stale_elsewhere + cache.post.values().map(|p| p.stale).sum::<usize>()
}

/// Brings the cache up to date with the workspace: per-file rules for the
/// files that changed, graph rules when an edge changed, then `[[allow]]`,
/// suppressions and the baseline for each file whose violations may differ.
fn evaluate(ws: &Workspace, opts: &Options, cache: &mut AnalysisCache) {
    let config = ws.config.as_ref();
    let all = cache.all_dirty || cache.assignment.is_none();
    if all {
        cache.assignment = Some(Assignment::new(config, ws.files.keys()));
    }
    let todo: Vec<(&String, &FileEntry)> = if all {
        cache.files.clear();
        cache.dependents.clear();
        cache.shallow_dependents.clear();
        cache.pairs.clear();
        cache.graph_dirty = true;
        ws.files.iter().collect()
    } else {
        // a dirty file that left the workspace is forgotten
        let mut dirty: Vec<&String> = cache.dirty.iter().collect();
        dirty.sort();
        let gone: Vec<String> = dirty
            .iter()
            .filter(|rel| !ws.files.contains_key(rel.as_str()))
            .map(|rel| (*rel).clone())
            .collect();
        let todo = dirty
            .into_iter()
            .filter_map(|rel| ws.files.get_key_value(rel.as_str()))
            .collect();
        for rel in gone {
            cache.forget(&rel);
            cache.graph_dirty = true;
            cache.topology_dirty = true;
        }
        todo
    };
    let assignment = cache.assignment.take().unwrap_or_default();
    let ctx = Ctx {
        ws,
        config,
        assignment: &assignment,
        crate_names: std::sync::OnceLock::new(),
    };

    // per-file rules, in parallel, for what changed
    let fresh: Vec<(String, FileResult)> = todo
        .par_iter()
        .map(|(rel, entry)| ((*rel).clone(), rules::file_rules(&ctx, rel, entry)))
        .collect();
    let mut post_dirty: BTreeSet<String> = fresh.iter().map(|(rel, _)| rel.clone()).collect();
    post_dirty.extend(cache.dirty.drain());
    for (rel, result) in fresh {
        cache.store(rel, result);
    }

    // graph rules, over the kept edges, when an edge changed (a transitive
    // deny with an API target also depends on what each file uses: it always
    // runs)
    let transitive = config
        .deny
        .iter()
        .any(|r| r.transitive && r.severity != Severity::Off);
    let transitive_uses = config.deny.iter().any(|r| {
        r.transitive
            && r.severity != Severity::Off
            && r.to
                .iter()
                .any(|t| matches!(t, crate::config::Target::Api(_)))
    });
    let moved = std::mem::take(&mut cache.moved_edges);
    let changed = std::mem::take(&mut cache.edges_changed);
    let file_cycles = config.checks.get(Builtin::FileCycle) != Severity::Off;
    if cache.graph_dirty && !cache.topology_dirty && !transitive && !file_cycles && !all {
        // the module graph has the same edges: the module cycles of the
        // files whose edges changed or moved are found again, the others'
        // stay
        let only: FxHashSet<String> = changed.into_iter().chain(moved.into_keys()).collect();
        let mut found: FxHashMap<String, Vec<Violation>> = FxHashMap::default();
        for v in rules::cycles(&ctx, &cache.pairs, &cache.files, Some(&only)) {
            found.entry(v.file.clone()).or_default().push(v);
        }
        for rel in only {
            let now = found.remove(&rel).unwrap_or_default();
            if cache.global.get(&rel).map_or(&[][..], Vec::as_slice) != now.as_slice() {
                post_dirty.insert(rel.clone());
            }
            if now.is_empty() {
                cache.global.remove(&rel);
            } else {
                cache.global.insert(rel, now);
            }
        }
        cache.graph_dirty = false;
    } else if !cache.graph_dirty && !transitive && !moved.is_empty() {
        // the graphs did not change: the violations move with their edges
        // (or, should one not sit on an edge, everything runs again)
        for (rel, moves) in &moved {
            let Some(vs) = cache.global.get(rel) else {
                continue;
            };
            let moved_vs: Option<Vec<Violation>> = vs
                .iter()
                .map(|v| {
                    let mut v = v.clone();
                    v.span = moved_to(moves, v.span)?;
                    Some(v)
                })
                .collect();
            match moved_vs {
                Some(vs) => {
                    cache.global.insert(rel.clone(), vs);
                    post_dirty.insert(rel.clone());
                }
                None => cache.graph_dirty = true,
            }
        }
    } else if !moved.is_empty() {
        cache.graph_dirty = true;
    }
    let lifted_before = cache.lifted.clone();
    if cache.graph_dirty || transitive_uses {
        let mut global: FxHashMap<String, Vec<Violation>> = FxHashMap::default();
        let (transitive_found, lifted) = rules::transitive_deny(&ctx, &cache.files);
        cache.lifted = lifted;
        let found = rules::cycles(&ctx, &cache.pairs, &cache.files, None)
            .into_iter()
            .chain(rules::file_cycles(&ctx, &cache.files))
            .chain(transitive_found);
        for v in found {
            global.entry(v.file.clone()).or_default().push(v);
        }
        for (rel, vs) in &global {
            if cache.global.get(rel) != Some(vs) {
                post_dirty.insert(rel.clone());
            }
        }
        for rel in cache.global.keys() {
            if !global.contains_key(rel) {
                post_dirty.insert(rel.clone());
            }
        }
        cache.global = global;
        cache.graph_dirty = false;
        cache.topology_dirty = false;
    }

    // the options of the last post-processing
    let opts_changed = !cache
        .opts
        .as_ref()
        .is_some_and(|(today, b)| *today == opts.today && *b == opts.baseline);
    if all || opts_changed || cache.file_set_dirty {
        cache.baseline_files = opts
            .baseline
            .as_ref()
            .map(Baseline::by_file)
            .unwrap_or_default();
        cache.stale_elsewhere = cache
            .baseline_files
            .iter()
            .filter(|(file, _)| !ws.files.contains_key(file.as_str()))
            .flat_map(|(_, e)| e.values())
            .map(|&c| c as usize)
            .sum();
        cache.opts = Some((opts.today.clone(), opts.baseline.clone()));
    }
    let config_file = config_rel(config);
    if all || opts_changed {
        post_dirty.extend(ws.files.keys().cloned());
        post_dirty.extend(cache.post.keys().cloned());
    }
    post_dirty.remove(&config_file);

    let cfg = ConfigText {
        rel: config_file.clone(),
        lines: LineIndex::new(&config.text),
    };
    let allows_before = allow_uses(cache, config.allows.len());
    let processed: Vec<(String, Option<Post>)> = post_dirty
        .into_par_iter()
        .map(|rel| {
            let post = ws.files.get(&rel).map(|_| {
                let mut raw: Vec<Violation> = cache
                    .files
                    .get(&rel)
                    .map(|r| r.violations.clone())
                    .unwrap_or_default();
                if let Some(g) = cache.global.get(&rel) {
                    raw.extend(g.iter().cloned());
                }
                let cut = cache.files.get(&rel).and_then(|r| r.cut);
                post_process(
                    &ctx,
                    &cfg,
                    &rel,
                    raw,
                    cut,
                    opts,
                    cache.baseline_files.get(&rel),
                )
            });
            (rel, post)
        })
        .collect();
    for (rel, post) in processed {
        let old = match post {
            Some(p) => cache.post.insert(rel.clone(), p),
            None => cache.post.remove(&rel),
        };
        let now = cache.post.get(&rel).map(|p| &p.diagnostics);
        if old.as_ref().map(|p| &p.diagnostics) != now {
            cache.changed.insert(rel);
        }
    }

    // the config file: its warnings change only with the config, the file
    // set or the manifests (all `invalidate_all`), or with which `[[allow]]`
    // entries are used
    let allows_now = allow_uses(cache, config.allows.len());
    if all
        || opts_changed
        || cache.file_set_dirty
        || allows_before != allows_now
        || lifted_before != cache.lifted
        || !cache.post.contains_key(&config_file)
    {
        let mut raw = rules::config_warnings(&ctx);
        raw.extend(rules::manifest_problems(&ctx));
        raw.extend(suppress::unused_allows(&ctx, |i| allows_now[i]));
        let post = post_process(&ctx, &cfg, &config_file, raw, None, opts, None);
        let old = cache.post.insert(config_file.clone(), post);
        if old.map(|p| p.diagnostics) != cache.post.get(&config_file).map(|p| p.diagnostics.clone())
        {
            cache.changed.insert(config_file);
        }
    }
    cache.all_dirty = false;
    cache.file_set_dirty = false;
    cache.assignment = Some(assignment);
}

/// Which `[[allow]]` entries silence something somewhere.
fn allow_uses(cache: &AnalysisCache, n: usize) -> Vec<bool> {
    let mut used = vec![false; n];
    if n > 0 {
        for &i in &cache.lifted {
            if let Some(u) = used.get_mut(i) {
                *u = true;
            }
        }
        for p in cache.post.values() {
            for &i in &p.allows {
                if let Some(u) = used.get_mut(i) {
                    *u = true;
                }
            }
        }
    }
    used
}

/// Keeps the first `max` of `diagnostics` (sorted) and puts in place of the
/// rest one `skipped` diagnostic that counts them, at the first one's place,
/// as loud as the loudest of them: cutting never lowers the exit status.
fn cap(
    diagnostics: &mut Vec<Diagnostic>,
    max: usize,
    per: &str,
    earlier: Option<(usize, Severity)>,
) {
    if diagnostics.len() <= max && earlier.is_none() {
        return;
    }
    let at = max.min(diagnostics.len());
    let cut = diagnostics.split_off(at);
    let (earlier_n, earlier_sev) = earlier.unwrap_or((0, Severity::Hint));
    let loudest = cut
        .iter()
        .map(|d| d.severity)
        .chain(std::iter::once(earlier_sev))
        .min()
        .unwrap_or(Severity::Info);
    let Some(first) = cut.first().or(diagnostics.last()).cloned() else {
        return;
    };
    let where_ = if per == "file" {
        format!(" in `{}`", first.file)
    } else {
        String::new()
    };
    diagnostics.push(Diagnostic::plain(
        first.file,
        first.range,
        first.span,
        loudest,
        Builtin::Skipped,
        format!(
            "{} more diagnostics{where_} not reported: at most {max} per {per}",
            cut.len() + earlier_n
        ),
    ));
}

/// One file's violations → its final diagnostics: groups merged, then
/// `[[allow]]`, suppressions, severity `off`, sorting and the baseline.
fn post_process(
    ctx: &Ctx,
    cfg: &ConfigText,
    rel: &str,
    raw: Vec<Violation>,
    cut: Option<(usize, Severity)>,
    opts: &Options,
    baseline: Option<&BTreeMap<(String, String), u32>>,
) -> Post {
    let violations = merge_groups(ctx, raw);
    let mut used = vec![false; ctx.config.allows.len()];
    let violations = suppress::apply_allows(ctx, violations, &mut used);
    let mut violations = suppress::apply_suppressions(ctx, rel, violations, &opts.today);
    violations.retain(|v| v.severity != Severity::Off);
    let violations = one_per_use_tree(ctx, rel, violations);
    let mut diagnostics: Vec<Diagnostic> = violations
        .into_iter()
        .map(|v| to_diagnostic(ctx, cfg, v))
        .collect();
    diagnostics.sort_by(|a, b| {
        a.sort_key()
            .cmp(&b.sort_key())
            .then_with(|| a.message.cmp(&b.message))
    });
    let stale = baseline::apply_file(baseline, &mut diagnostics);
    cap(&mut diagnostics, MAX_DIAGNOSTICS_PER_FILE, "file", cut);
    Post {
        diagnostics: Arc::from(diagnostics),
        allows: used
            .iter()
            .enumerate()
            .filter(|(_, &u)| u)
            .map(|(i, _)| i)
            .collect(),
        stale,
    }
}

/// One Rust `use` statement is one diagnostic per rule and message: the
/// leaves of `use crate::b::{P, Q};` that break one rule toward one target
/// say the same thing twice (a cycle through `b` reported at `P` and at `Q`).
/// Two violations are of one statement when only what a use tree holds
/// (names, `::`, `,`, braces, `*`, spaces) lies between them.
fn one_per_use_tree(ctx: &Ctx, rel: &str, violations: Vec<Violation>) -> Vec<Violation> {
    let Some(entry) = ctx.ws.files.get(rel) else {
        return violations;
    };
    if entry.lang.language() != crate::lang::Language::Rust || violations.len() < 2 {
        return violations;
    }
    let key = |v: &Violation| -> (RuleId, String, Option<String>, Severity) {
        (
            v.rule.clone(),
            v.message.clone(),
            v.target.clone(),
            v.severity,
        )
    };
    let mut counts: FxHashMap<(RuleId, String, Option<String>, Severity), usize> =
        FxHashMap::default();
    for v in &violations {
        *counts.entry(key(v)).or_default() += 1;
    }
    if counts.values().all(|&n| n < 2) {
        return violations;
    }
    let Some(text) = entry.text(ctx.ws.fs(), &ctx.ws.root().join(rel)) else {
        return violations;
    };
    let tree_only = |from: u32, to: u32| {
        text.get(from as usize..to as usize).is_some_and(|between| {
            between
                .chars()
                .all(|c| c.is_alphanumeric() || c.is_whitespace() || "_:,{}*".contains(c))
        })
    };
    let mut order: Vec<usize> = (0..violations.len()).collect();
    order.sort_by_key(|&i| violations[i].span.start);
    // per key: where the last violation of its statement ends
    let mut last: FxHashMap<(RuleId, String, Option<String>, Severity), u32> = FxHashMap::default();
    let mut keep = vec![true; violations.len()];
    for i in order {
        let v = &violations[i];
        let k = key(v);
        if counts.get(&k).copied().unwrap_or(0) < 2 {
            continue;
        }
        match last.get(&k) {
            Some(&end) if end <= v.span.start && tree_only(end, v.span.start) => {
                keep[i] = false;
                last.insert(k, v.span.end);
            }
            _ => {
                last.insert(k, v.span.end);
            }
        }
    }
    violations
        .into_iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(v, _)| v)
        .collect()
}

/// One place breaking the same rule in several groups is one diagnostic.
fn merge_groups(ctx: &Ctx, violations: Vec<Violation>) -> Vec<Violation> {
    let mut out: Vec<Violation> = Vec::with_capacity(violations.len());
    let mut seen: FxHashMap<(String, u32, u32, RuleId), usize> = FxHashMap::default();
    for v in violations {
        let key = (v.file.clone(), v.span.start, v.span.end, v.rule.clone());
        match seen.get(&key) {
            Some(&i) if !v.groups.is_empty() && !out[i].groups.is_empty() => {
                let existing = &mut out[i];
                for g in v.groups {
                    if !existing.groups.contains(&g) {
                        existing.groups.push(g);
                        existing.message.push_str(&format!(
                            " Also in group `{}`: {}",
                            ctx.config.groups[g], v.message
                        ));
                    }
                }
            }
            Some(_) => {}
            None => {
                seen.insert(key, out.len());
                out.push(v);
            }
        }
    }
    for v in &mut out {
        if v.groups.len() > 1 {
            let names: Vec<&str> = v
                .groups
                .iter()
                .map(|&g| ctx.config.groups[g].as_str())
                .collect();
            v.message = format!("[groups: {}] {}", names.join(", "), v.message);
        }
    }
    out
}

/// What converting violations to diagnostics needs about the config file.
struct ConfigText {
    rel: String,
    lines: LineIndex,
}

fn to_diagnostic(ctx: &Ctx, cfg: &ConfigText, v: Violation) -> Diagnostic {
    let config_rel = &cfg.rel;
    let range = if v.file == *config_rel {
        range_of(Some(&ctx.config.text), &cfg.lines, v.span)
    } else {
        match ctx.file(&v.file) {
            Some(e) => range_of(e.kept_text(), &e.lines, v.span),
            None => Range {
                line: v.span.line + 1,
                column: v.span.col + 1,
                end_line: v.span.end_line + 1,
                end_column: v.span.end_col + 1,
            },
        }
    };
    let related = v.related.map(|(span, message)| Related {
        file: config_rel.clone(),
        range: range_of(Some(&ctx.config.text), &cfg.lines, span),
        span,
        message,
    });
    Diagnostic {
        file: v.file,
        range,
        span: v.span,
        severity: v.severity,
        rule: v.rule,
        message: v.message,
        from_module: v.from_module,
        to_module: v.to_module,
        target: v.target,
        baselined: false,
        fixes: v.fixes,
        related,
        unnecessary: v.unnecessary,
    }
}

/// Today's UTC date as `YYYY-MM-DD` from the system clock.
pub fn today_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    civil_from_days((secs / 86_400) as i64)
}

/// Days since 1970-01-01 → `YYYY-MM-DD` (Howard Hinnant's algorithm).
pub fn civil_from_days(z: i64) -> String {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}")
}

/// Files grouped per module for `explain`/`graph`: module name → files.
pub fn files_per_module(ws: &Workspace) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for rel in ws.files.keys() {
        for m in modules::assign_file(&ws.config, rel).into_iter().flatten() {
            out.entry(m.name.to_string()).or_default().push(rel.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), "1970-01-01");
        assert_eq!(civil_from_days(20_454), "2026-01-01");
        assert_eq!(civil_from_days(11_016), "2000-02-29");
        assert!(is_iso_date("2027-03-01"));
        assert!(!is_iso_date("2027-13-01"));
        assert!(!is_iso_date("tomorrow"));
    }
}
