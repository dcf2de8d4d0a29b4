//! The checks, one file per rule (ruff's shape): each file holds its rule's
//! documentation (the doc comment in `rule_doc!`, the source of `layergate
//! explain`, SARIF's rule metadata and `docs/rules/<rule>.md`), its check and
//! its messages. The rule's id, `[checks]` key, default severity and flags are
//! its line in the registry, [`crate::rule`].

mod common;

use common::*;

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
    DeadRule => dead_rule,
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

/// Every per-file rule for one file.
pub(super) fn file_rules(ctx: &Ctx, rel: &str, entry: &FileEntry) -> FileResult {
    let mut reads = Vec::new();
    let mut shallow = Vec::new();
    let mut edges_out = Vec::new();
    let mut violations = file_violations(ctx, rel, entry, &mut reads, &mut shallow, &mut edges_out);
    let mut cut = None;
    if violations.len() > crate::analysis::ctx::MAX_VIOLATIONS_PER_FILE {
        violations.sort_by(|a, b| (a.span.start, &a.rule).cmp(&(b.span.start, &b.rule)));
        let dropped = violations.split_off(crate::analysis::ctx::MAX_VIOLATIONS_PER_FILE);
        let loudest = dropped.iter().map(|v| v.severity).min();
        cut = loudest.map(|s| (dropped.len(), s));
    }
    reads.sort();
    reads.dedup();
    reads.retain(|r| r != rel);
    shallow.sort();
    shallow.dedup();
    shallow.retain(|r| r != rel && reads.binary_search(r).is_err());
    let module_edges = cycle::module_edges(ctx, rel, &edges_out);
    FileResult {
        violations,
        edges: edges_out,
        module_edges,
        reads,
        shallow_reads: shallow,
        cut,
    }
}

fn file_violations(
    ctx: &Ctx,
    rel: &str,
    entry: &FileEntry,
    reads: &mut Vec<String>,
    shallow: &mut Vec<String>,
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

    let edges = ctx.edges(entry, reads, shallow);
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
