rule_doc! {
    /// An import is part of a dependency cycle between modules.
    ///
    /// ## What it does
    ///
    /// For each strongly connected component of the module graph (per group), every
    /// import between two different modules of that component is reported once, naming
    /// a shortest module cycle through it. The result does not depend on the order in
    /// which files were read or edited.
    ///
    /// ## Why
    ///
    /// Modules in a cycle cannot be understood, tested, built or deployed apart: they
    /// are one module with several names.
    ///
    /// ## Example
    ///
    /// ```text
    /// src/a/x.ts imports src/b/y.ts, src/b/y.ts imports src/a/z.ts
    /// → both imports: cycle `a` → `b` → `a`
    /// ```
    ///
    /// ## How to fix
    ///
    /// Break the cycle: move the shared piece into a third module both depend on, or
    /// invert one dependency with an interface.
}

use super::common::*;

/// `cycle`: every import between two different modules of one strongly
/// connected component of the module graph, naming a shortest module cycle;
/// of the files in `only` if given (the others' are what they were when the
/// module graph has the same edges).
pub(crate) fn cycles(
    ctx: &Ctx,
    counts: &Pairs,
    results: &FxHashMap<String, FileResult>,
    only: Option<&FxHashSet<String>>,
) -> Vec<Violation> {
    let config = ctx.config;
    if config.checks.get(Builtin::Cycle) == Severity::Off {
        return Vec::new();
    }
    let mut out = Vec::new();
    for group in 0..config.groups.len() {
        // the module graph of this group, from the kept per-pair edge counts
        let mut ids: FxHashMap<&Module, usize> = FxHashMap::default();
        let mut names: Vec<&Module> = Vec::new();
        let mut pairs: Vec<(&Module, &Module)> = counts
            .keys()
            .filter(|(g, _, _)| *g == group)
            .map(|(_, a, b)| (a, b))
            .collect();
        pairs.sort();
        for (a, b) in &pairs {
            for m in [*a, *b] {
                ids.entry(m).or_insert_with(|| {
                    names.push(m);
                    names.len() - 1
                });
            }
        }
        let mut adj: Vec<Vec<usize>> = vec![Vec::new(); names.len()];
        for (a, b) in &pairs {
            adj[ids[a]].push(ids[b]);
        }
        let finder = graph::CycleFinder::new(&adj);
        let comp = finder.comp();
        // every kept edge between two modules of one component
        let mut candidates: Vec<(&String, u32, usize)> = Vec::new();
        for (a, b) in &pairs {
            if comp[ids[a]] != comp[ids[b]] {
                continue;
            }
            let Some(files) = counts.get(&(group, (*a).clone(), (*b).clone())) else {
                continue;
            };
            for rel in files.keys() {
                if only.is_some_and(|o| !o.contains(rel)) {
                    continue;
                }
                let Some(r) = results.get(rel) else {
                    continue;
                };
                for (i, e) in r.module_edges.iter().enumerate() {
                    if e.group == group && e.from == **a && e.to == **b {
                        candidates.push((rel, e.span.start, i));
                    }
                }
            }
        }
        candidates.sort();
        candidates.dedup_by(|x, y| x.0 == y.0 && x.1 == y.1);
        let mut paths: FxHashMap<(usize, usize), String> = FxHashMap::default();
        for (rel, _, i) in candidates {
            let e = &results[rel].module_edges[i];
            let (a, b) = (ids[&e.from], ids[&e.to]);
            // the cycle `a` → (`b` … `a`), as text once per module pair
            let cycle = paths
                .entry((a, b))
                .or_insert_with(|| {
                    let name = |v: usize| names[v].name.to_string();
                    let back = finder.path(b, a, name).unwrap_or_default();
                    graph::cycle_text(back.len() + 1, |i| {
                        name(if i == 0 { a } else { back[i - 1] })
                    })
                })
                .clone();
            let Some(entry) = ctx.ws.files.get(rel) else {
                continue;
            };
            let place = Place { rel, entry };
            let mut v = place.violation(
                e.span,
                Builtin::Cycle,
                config.checks.get(Builtin::Cycle),
                format!(
                    "{} imports {}, closing the module cycle {}",
                    describe(rel, Some(&e.from)),
                    describe(&e.target, Some(&e.to)),
                    cycle
                ),
            );
            v.from_module = Some(e.from.name.to_string());
            v.to_module = Some(e.to.name.to_string());
            v.target = Some(e.target.clone());
            v.target_file = Some(e.target.clone());
            v.groups = vec![group];
            v.related = Some((config.checks_span, "the `cycles` check".into()));
            out.push(v);
        }
    }
    out
}

/// The module-level edges of a file (counted imports between two different
/// modules of a group), kept for [`cycles`].
pub(super) fn module_edges(ctx: &Ctx, rel: &str, edges: &[CachedEdge]) -> Vec<ModuleEdge> {
    let mut out = Vec::new();
    let from_mods = ctx.modules_of(rel);
    for (group, from) in from_mods.iter().enumerate() {
        let Some(from) = from else { continue };
        for edge in edges.iter().filter(|e| e.cycle_counted) {
            for (target, _) in edge.judged.group(group) {
                let Some(to) = ctx.modules_of(target).get(group).cloned().flatten() else {
                    continue;
                };
                if to != *from {
                    out.push(ModuleEdge {
                        group,
                        from: from.clone(),
                        to,
                        span: edge.span,
                        target: target.clone(),
                    });
                }
            }
        }
    }
    out
}
