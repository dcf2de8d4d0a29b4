//! The checks, one file per rule (ruff's shape): each file holds its rule's
//! documentation (the doc comment in `rule_doc!`, the source of `layergate
//! explain`, SARIF's rule metadata and `docs/rules/<rule>.md`), its check and
//! its messages. The rule's id, `[checks]` key, default severity and flags are
//! its line in the registry, [`crate::rule`].

use rustc_hash::{FxHashMap, FxHashSet};

use super::graph;
use super::judge::Reason;
use super::modules::{layer_positions, target_matches, Module};
use super::{
    config_rel, is_type_only, AnalysisCache, CachedEdge, Ctx, Edge, FileResult, ModuleEdge,
    Violation,
};
use crate::config::selector::{path_under, ApiKind};
use crate::config::{ApiSelector, Config, FileTarget, Severity, Target};
use crate::diagnostic::{Edit, Fix};
use crate::facts::{ApiRef, Import, ImportKind, Span};
use crate::lang::Lang;
use crate::resolve::Resolved;
use crate::rule::{Builtin, RuleId};
use crate::workspace::FileEntry;

/// The doc comment written inside it, as the rule's `DOC` (a summary line,
/// then `## What it does`, `## Why`, `## Example`, `## How to fix`).
macro_rules! rule_doc {
    ($(#[doc = $line:literal])*) => {
        /// The rule's documentation, as written above.
        pub(crate) const DOC: &str = concat!($($line, "\n",)*);
    };
}

/// The file of each built-in rule: its line here declares the module and
/// makes its `DOC` the rule's documentation.
macro_rules! builtin_files {
    ($($rule:ident => $file:ident,)*) => {
        $(pub(crate) mod $file;)*

        /// The documentation of a built-in rule, as its file writes it.
        pub(crate) fn doc(rule: Builtin) -> &'static str {
            match rule {
                $(Builtin::$rule => $file::DOC,)*
            }
        }
    };
}

builtin_files! {
    Layers => layers,
    DependsOn => depends_on,
    Visibility => visibility,
    External => external,
    PublicApi => public_api,
    Cycle => cycle,
    FileCycle => file_cycle,
    Unresolved => unresolved,
    Unassigned => unassigned,
    TestImport => test_import,
    Suppression => suppression,
    Config => config,
    Skipped => skipped,
    Policy => policy,
}

// user rules: `[[deny]]`, `[[boundary]]`, `[[pattern]]`
mod boundary;
pub(crate) mod deny;
mod pattern;

pub(super) use config::{config_warnings, manifest_problems};
pub(super) use cycle::cycles;
pub(super) use deny::transitive_deny;
pub(super) use file_cycle::file_cycles;

fn describe(rel: &str, m: Option<&Module>) -> String {
    match m {
        Some(m) => format!("`{rel}` in module `{}`", m.name),
        None => format!("`{rel}`"),
    }
}

fn with_message(base: String, user: Option<&str>) -> String {
    match user {
        Some(m) if !m.trim().is_empty() => format!("{base}. {}", m.trim()),
        _ => base,
    }
}

fn via_text(via: &Option<String>) -> String {
    via.as_ref()
        .map(|v| format!(" (via `{v}`)"))
        .unwrap_or_default()
}

struct Place<'a> {
    rel: &'a str,
    entry: &'a FileEntry,
}

impl Place<'_> {
    fn violation(
        &self,
        span: Span,
        rule: impl Into<RuleId>,
        severity: Severity,
        message: String,
    ) -> Violation {
        Violation::new(self.rel, span, rule, severity, message)
    }

    fn first_line(&self) -> Span {
        let lines = &self.entry.lines;
        let end = lines
            .line_start(1)
            .map_or(self.entry.len, |s| s.saturating_sub(1));
        Span {
            start: 0,
            end: end as u32,
            line: 0,
            col: 0,
            end_line: 0,
            end_col: end as u32,
        }
    }
}

/// Every per-file rule for one file.
pub(super) fn file_rules(ctx: &Ctx, rel: &str, entry: &FileEntry) -> FileResult {
    let mut reads = Vec::new();
    let mut edges_out = Vec::new();
    let mut violations = file_violations(ctx, rel, entry, &mut reads, &mut edges_out);
    let mut cut = None;
    if violations.len() > super::MAX_VIOLATIONS_PER_FILE {
        violations.sort_by(|a, b| (a.span.start, &a.rule).cmp(&(b.span.start, &b.rule)));
        let dropped = violations.split_off(super::MAX_VIOLATIONS_PER_FILE);
        let loudest = dropped.iter().map(|v| v.severity).min();
        cut = loudest.map(|s| (dropped.len(), s));
    }
    reads.sort();
    reads.dedup();
    reads.retain(|r| r != rel);
    let module_edges = cycle::module_edges(ctx, rel, &edges_out);
    FileResult {
        violations,
        edges: edges_out,
        module_edges,
        reads,
        cut,
    }
}

fn file_violations(
    ctx: &Ctx,
    rel: &str,
    entry: &FileEntry,
    reads: &mut Vec<String>,
    cached: &mut Vec<CachedEdge>,
) -> Vec<Violation> {
    let place = Place { rel, entry };
    let mut out = Vec::new();
    let modules = ctx.modules_of(rel);

    if let Some(reason) = &entry.skipped {
        out.push(skipped::violation(&place, reason));
        return out;
    }
    unassigned::check(ctx, &place, &modules, &mut out);
    unresolved::check(ctx, &place, reads, &mut out);

    let edges = ctx.edges(entry, reads);
    for edge in &edges {
        if let Resolved::File(direct) = edge.resolved {
            cached.push(CachedEdge {
                span: edge.import.span,
                direct: direct.clone(),
                judged: edge.judged.clone(),
                counted: ctx.counts(edge.import),
                cycle_counted: ctx.counts_for_cycles(edge.import),
            });
        }
        module_rules(ctx, &place, &modules, edge, reads, &mut out);
    }
    test_import::check(ctx, &place, &edges, &mut out);
    external::external_rule(ctx, &place, &modules, &mut out);
    deny::deny_rules(ctx, &place, &modules, &edges, &mut out);
    boundary::boundary_rules(ctx, &place, &modules, &mut out);
    pattern::pattern_rules(ctx, &place, &modules, &mut out);
    out
}

/// `layers`, `depends-on`, `visibility` and `public-api` for one import edge,
/// in every group.
fn module_rules(
    ctx: &Ctx,
    place: &Place,
    from_mods: &[Option<Module>],
    edge: &Edge,
    reads: &mut Vec<String>,
    out: &mut Vec<Violation>,
) {
    if !ctx.counts(edge.import) {
        return;
    }
    let Resolved::File(direct) = edge.resolved else {
        return;
    };
    for (group, from) in from_mods.iter().enumerate() {
        let Some(from) = from else { continue };
        // public-api: judged by the direct target
        public_api::check(ctx, place, edge, direct, group, from, reads, out);
        for (target, via) in edge.judged.group(group) {
            let to_mods = ctx.modules_of(target);
            let Some(to) = to_mods.get(group).and_then(|m| m.as_ref()) else {
                continue;
            };
            let reasons = super::judge::module_rules(
                ctx.config, place.rel, from_mods, from, target, &to_mods, to,
            );
            for r in reasons {
                let mut v = violation_between(
                    place,
                    edge,
                    r.rule,
                    r.severity,
                    format!(
                        "{} imports {}{}: {}",
                        describe(place.rel, Some(from)),
                        describe(target, Some(to)),
                        via_text(via),
                        r.why
                    ),
                    Some(from),
                    Some(to),
                    target,
                );
                v.groups = vec![group];
                v.related = Some(r.related);
                out.push(v);
            }
        }
    }
}

fn target_text(config: &Config, t: &FileTarget) -> String {
    match t {
        FileTarget::Glob(g) => g.text.clone(),
        FileTarget::Module(crate::config::ModRef::Def(d)) => config.modules[*d].name.clone(),
        FileTarget::Module(crate::config::ModRef::Instance(d, cap)) => {
            config.modules[*d].instance_name(cap)
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn violation_between(
    place: &Place,
    edge: &Edge,
    rule: impl Into<RuleId>,
    severity: Severity,
    message: String,
    from: Option<&Module>,
    to: Option<&Module>,
    target: &str,
) -> Violation {
    let mut v = place.violation(edge.import.span, rule, severity, message);
    v.from_module = from.map(|m| m.name.to_string());
    v.to_module = to.map(|m| m.name.to_string());
    v.target = Some(target.to_string());
    v.target_file = Some(target.to_string());
    v
}

fn first_module(mods: &[Option<Module>]) -> Option<&Module> {
    mods.iter().flatten().next()
}
