rule_doc! {
    /// An import is part of a dependency cycle between files (off by default).
    ///
    /// ## What it does
    ///
    /// Like `cycle`, on the file graph: every import between two files of one strongly
    /// connected component, naming a shortest file cycle. Enable with `[checks]
    /// file_cycles = "warning"`.
    ///
    /// ## Why
    ///
    /// File cycles make module initialisation order fragile (TDZ errors in ES modules)
    /// and hide tangled responsibilities.
    ///
    /// ## Example
    ///
    /// ```text
    /// src/a.ts imports src/b.ts, src/b.ts imports src/a.ts
    /// ```
    ///
    /// ## How to fix
    ///
    /// Extract what both files need into a third file.
}

use super::common::*;

/// `file-cycle`: like `cycle`, on the file graph.
pub(crate) fn file_cycles(ctx: &Ctx, results: &FxHashMap<String, FileResult>) -> Vec<Violation> {
    let config = ctx.config;
    if config.checks.get(Builtin::FileCycle) == Severity::Off {
        return Vec::new();
    }
    let files: Vec<&String> = ctx.ws.files.keys().collect();
    let index: FxHashMap<&str, usize> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.as_str(), i))
        .collect();
    let mut adj: Vec<Vec<usize>> = vec![Vec::new(); files.len()];
    let mut edges: Vec<(usize, Span, usize)> = Vec::new();
    for (i, rel) in ctx.ws.files.keys().enumerate() {
        for edge in super::deny::edges_of(results, rel) {
            if !edge.cycle_counted {
                continue;
            }
            let t = &edge.direct;
            let Some(&j) = index.get(t.as_str()) else {
                continue;
            };
            if i == j {
                continue;
            }
            if !adj[i].contains(&j) {
                adj[i].push(j);
            }
            edges.push((i, edge.span, j));
        }
    }
    let finder = graph::CycleFinder::new(&adj);
    let comp = finder.comp();
    let mut out = Vec::new();
    let mut cache: FxHashMap<(usize, usize), String> = FxHashMap::default();
    for (a, span, b) in edges {
        if comp[a] != comp[b] {
            continue;
        }
        let cycle = cache
            .entry((b, a))
            .or_insert_with(|| {
                let back = finder.path(b, a, |v| files[v].clone()).unwrap_or_default();
                graph::cycle_text(back.len() + 1, |i| {
                    files[if i == 0 { a } else { back[i - 1] }].clone()
                })
            })
            .clone();
        let rel = files[a];
        let place = Place {
            rel,
            entry: &ctx.ws.files[rel],
        };
        let mut v = place.violation(
            span,
            Builtin::FileCycle,
            config.checks.get(Builtin::FileCycle),
            format!(
                "`{rel}` imports `{}`, closing the file cycle {}",
                files[b], cycle
            ),
        );
        v.target = Some(files[b].clone());
        v.target_file = Some(files[b].clone());
        v.related = Some((config.checks_span, "the `file_cycles` check".into()));
        out.push(v);
    }
    out
}
