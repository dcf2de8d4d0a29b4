use super::boundary::{api_places, api_use, RuleRef};
use super::common::*;

/// `[[deny]]` rules, direct part: imports from `from` files to `to` targets.
pub(super) fn deny_rules(
    ctx: &Ctx,
    place: &Place,
    from_mods: &[Option<Module>],
    edges: &[Edge],
    out: &mut Vec<Violation>,
) {
    let config = ctx.config;
    for rule in &config.deny {
        if !crate::analysis::judge::deny_applies(config, rule, place.rel, from_mods) {
            continue;
        }
        let from_name = first_module(from_mods);
        // a set: a file with 200,000 uses of one API was quadratic
        let mut reported: FxHashSet<Span> = FxHashSet::default();
        // file and module targets
        for edge in edges {
            if !ctx.counts(edge.import) {
                continue;
            }
            // a module target is judged in its module's group, a glob in the first
            let hit = rule.to.iter().find_map(|t| {
                let Target::Files(ft) = t else { return None };
                let judged = match ft {
                    FileTarget::Module(r) => edge.judged.group(config.modules[r.def()].group),
                    FileTarget::Glob(_) => edge.judged.first(),
                };
                judged
                    .iter()
                    .find(|(target, _)| target_matches(config, ft, target, &ctx.modules_of(target)))
            });
            if let Some((target, via)) = hit {
                let to_mods = ctx.modules_of(target);
                if !reported.contains(&edge.import.span) {
                    reported.insert(edge.import.span);
                    let to_name = first_module(&to_mods);
                    let mut v = place.violation(
                        edge.import.span,
                        RuleId::user(&rule.id),
                        rule.severity,
                        with_message(
                            format!(
                                "{} imports {}{}, which `{}` forbids",
                                describe(place.rel, from_name),
                                describe(target, to_name),
                                via_text(via),
                                rule.id
                            ),
                            rule.message.as_deref(),
                        ),
                    );
                    v.from_module = from_name.map(|m| m.name.to_string());
                    v.to_module = to_name.map(|m| m.name.to_string());
                    v.target = Some(target.clone());
                    v.target_file = Some(target.clone());
                    v.related = Some((rule.span, format!("rule `{}`", rule.id)));
                    out.push(v);
                }
            }
        }
        // API targets
        for t in &rule.to {
            let Target::Api(sel) = t else { continue };
            for (span, imp) in api_places(place, sel) {
                if let Some(i) = imp {
                    if !ctx.counts(&place.entry.facts.imports[i]) {
                        continue;
                    }
                }
                if reported.contains(&span) {
                    continue;
                }
                reported.insert(span);
                let rule_ref = RuleRef {
                    id: &rule.id,
                    severity: rule.severity,
                    span: rule.span,
                    message: rule.message.as_deref(),
                };
                out.push(api_use(
                    place,
                    span,
                    imp,
                    sel,
                    from_name,
                    rule_ref,
                    "forbids".into(),
                ));
            }
        }
    }
}

/// `[[deny]] transitive = true`: an import in a `from` file that starts a chain
/// of imports reaching a `to` target (the direct case is reported by
/// [`deny_rules`]).
pub(crate) fn transitive_deny(
    ctx: &Ctx,
    results: &FxHashMap<String, FileResult>,
) -> Vec<Violation> {
    let config = ctx.config;
    let rules: Vec<_> = config
        .deny
        .iter()
        .filter(|r| r.transitive && r.severity != Severity::Off)
        .collect();
    if rules.is_empty() {
        return Vec::new();
    }
    let files: Vec<&String> = ctx.ws.files.keys().collect();
    let index: FxHashMap<&str, usize> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.as_str(), i))
        .collect();
    let mut adj: Vec<Vec<usize>> = vec![Vec::new(); files.len()];
    let mut radj: Vec<Vec<usize>> = vec![Vec::new(); files.len()];
    for (i, rel) in ctx.ws.files.keys().enumerate() {
        for edge in edges_of(results, rel) {
            if !edge.counted {
                continue;
            }
            for (t, _) in edge.judged.first() {
                if let Some(&j) = index.get(t.as_str()) {
                    if !adj[i].contains(&j) {
                        adj[i].push(j);
                        radj[j].push(i);
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    for rule in rules {
        // goal files: match a file target, or contain an import of an API target
        let goals: Vec<usize> = files
            .iter()
            .enumerate()
            .filter(|(_, f)| {
                let mods = ctx.modules_of(f);
                let entry = &ctx.ws.files[f.as_str()];
                rule.to.iter().any(|t| match t {
                    Target::Files(ft) => target_matches(config, ft, f, &mods),
                    Target::Api(sel) => {
                        let place = Place { rel: f, entry };
                        api_places(&place, sel)
                            .iter()
                            .any(|(_, imp)| imp.is_none_or(|i| ctx.counts(&entry.facts.imports[i])))
                    }
                })
            })
            .map(|(i, _)| i)
            .collect();
        if goals.is_empty() {
            continue;
        }
        let dist = graph::bfs_dist(&radj, &goals);
        for (i, (rel, entry)) in ctx.ws.files.iter().enumerate() {
            let mods = ctx.modules_of(rel);
            if !rule
                .from
                .iter()
                .any(|t| target_matches(config, t, rel, &mods))
                || rule.exclude.iter().any(|g| g.matcher.is_match(rel))
            {
                continue;
            }
            let _ = i;
            for edge in edges_of(results, rel) {
                if !edge.counted {
                    continue;
                }
                // the shortest chain over every judged target of this import
                let mut best: Option<Vec<usize>> = None;
                for (t, _) in edge.judged.first() {
                    let Some(&j) = index.get(t.as_str()) else {
                        continue;
                    };
                    if dist[j] == usize::MAX || dist[j] == 0 && direct_hit(ctx, rule, t) {
                        continue; // unreachable, or reported as a direct violation
                    }
                    let path = graph::walk_down(&adj, &dist, j, &|_| true, &|v| files[v].clone());
                    let better = match &best {
                        None => true,
                        Some(b) => {
                            (
                                path.len(),
                                path.iter().map(|&v| files[v]).collect::<Vec<_>>(),
                            ) < (b.len(), b.iter().map(|&v| files[v]).collect::<Vec<_>>())
                        }
                    };
                    if better {
                        best = Some(path);
                    }
                }
                let Some(path) = best else { continue };
                let chain: Vec<String> = std::iter::once(rel.clone())
                    .chain(path.iter().map(|&v| files[v].clone()))
                    .collect();
                let last = chain.last().cloned().unwrap_or_default();
                let from_name = first_module(&mods);
                let place = Place { rel, entry };
                let mut v = place.violation(
                    edge.span,
                    RuleId::user(&rule.id),
                    rule.severity,
                    with_message(
                        format!(
                            "{} reaches a target of `{}` through {}",
                            describe(rel, from_name),
                            rule.id,
                            chain
                                .iter()
                                .map(|c| format!("`{c}`"))
                                .collect::<Vec<_>>()
                                .join(" → ")
                        ),
                        rule.message.as_deref(),
                    ),
                );
                v.from_module = from_name.map(|m| m.name.to_string());
                v.to_module = first_module(&ctx.modules_of(&last)).map(|m| m.name.to_string());
                v.target = Some(last.clone());
                v.target_file = Some(last);
                v.related = Some((rule.span, format!("rule `{}`", rule.id)));
                out.push(v);
            }
        }
    }
    out
}

pub(super) fn edges_of<'r>(
    results: &'r FxHashMap<String, FileResult>,
    rel: &str,
) -> &'r [CachedEdge] {
    results.get(rel).map_or(&[], |r| r.edges.as_slice())
}

fn direct_hit(ctx: &Ctx, rule: &crate::config::DenyRule, target: &str) -> bool {
    let mods = ctx.modules_of(target);
    rule.to
        .iter()
        .any(|t| matches!(t, Target::Files(ft) if target_matches(ctx.config, ft, target, &mods)))
}
