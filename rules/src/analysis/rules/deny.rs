use super::boundary::{api_places, api_target, api_use, RuleRef};
use super::common::*;
use crate::analysis::modules::Assignment;
use crate::config::DenyRule;
use crate::workspace::Workspace;
use std::collections::BTreeMap;

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
/// [`deny_rules`]). Also returns the `[[allow]]` entries that lifted a link
/// of a chain (they count as used).
pub(crate) fn transitive_deny(
    ctx: &Ctx,
    results: &FxHashMap<String, FileResult>,
) -> (Vec<Violation>, Vec<usize>) {
    let config = ctx.config;
    let rules: Vec<_> = config
        .deny
        .iter()
        .filter(|r| r.transitive && r.severity != Severity::Off)
        .collect();
    if rules.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let graph = FileGraph::new(ctx, |rel| {
        edges_of(results, rel)
            .iter()
            .filter(|e| e.counted)
            .flat_map(|e| e.judged.first().iter().map(|(t, _)| t.clone()))
            .collect()
    });
    let mut out = Vec::new();
    let mut lifted = Vec::new();
    let mut cache = EntryEdges::new(config.allows.len());
    for rule in rules {
        let cuts = Cuts::new(ctx, rule, &graph, &mut cache);
        let targets = FileTargets::of(rule);
        let direct: Vec<bool> = graph.files.iter().map(|f| targets.hit(ctx, f)).collect();
        let (goals, goal_lifts) = goals(ctx, rule, &graph.files, &cuts, &direct);
        lifted.extend(cuts.used(ctx, &graph, &mut cache, &goals, &goal_lifts));
        if goals.is_empty() {
            continue;
        }
        let chains = Chains::new(&graph, &cuts, &goals, direct);
        for (rel, entry) in ctx.ws.files.iter() {
            let mods = ctx.modules_of(rel);
            if !crate::analysis::judge::deny_applies(config, rule, rel, &mods) {
                continue;
            }
            let Some(&i) = graph.index.get(rel.as_str()) else {
                continue;
            };
            for edge in edges_of(results, rel) {
                if !edge.counted {
                    continue;
                }
                // the shortest chain over every judged target of this import
                let mut best: Option<Vec<String>> = None;
                for (t, _) in edge.judged.first() {
                    let Some(&j) = graph.index.get(t.as_str()) else {
                        continue;
                    };
                    if cuts.edges.contains(&(i, j)) {
                        continue;
                    }
                    let Some(path) = chains.from(j) else { continue };
                    let better = best
                        .as_ref()
                        .is_none_or(|b| (path.len(), &path) < (b.len(), b));
                    if better {
                        best = Some(path);
                    }
                }
                let Some(path) = best else { continue };
                let chain: Vec<String> = std::iter::once(rel.clone()).chain(path).collect();
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
    lifted.sort_unstable();
    lifted.dedup();
    (out, lifted)
}

/// The imports an `[[allow]]` entry naming a transitive rule lifts out of
/// the rule's chains: an allowed import is no link of any chain (as
/// import-linter's `ignore_imports` take an import out of the graph). An
/// entry without `rules` silences direct violations only: it lifts no link.
#[derive(Default)]
struct Cuts {
    edges: FxHashSet<(usize, usize)>,
    /// The entries naming this rule.
    entries: Vec<usize>,
}

/// The import edges each `[[allow]]` entry matches, computed once per
/// evaluation (an entry usually names several rules of one contract).
struct EntryEdges(Vec<Option<Vec<(usize, usize)>>>);

impl EntryEdges {
    fn new(n: usize) -> EntryEdges {
        EntryEdges(vec![None; n])
    }

    fn of(&mut self, ctx: &Ctx, graph: &FileGraph, k: usize) -> &[(usize, usize)] {
        let config = ctx.config;
        self.0[k].get_or_insert_with(|| {
            let a = &config.allows[k];
            let mut out = Vec::new();
            for (i, f) in graph.files.iter().enumerate() {
                if graph.adj[i].is_empty() {
                    continue;
                }
                let from_mods = ctx.modules_of(f);
                if !a
                    .from
                    .iter()
                    .any(|t| target_matches(config, t, f, &from_mods))
                {
                    continue;
                }
                for &j in &graph.adj[i] {
                    let to = graph.files[j];
                    let to_mods = ctx.modules_of(to);
                    let hit = a.to.iter().any(|t| {
                        matches!(t, Target::Files(ft) if target_matches(config, ft, to, &to_mods))
                    });
                    if hit {
                        out.push((i, j));
                    }
                }
            }
            out
        })
    }
}

impl Cuts {
    fn new(ctx: &Ctx, rule: &DenyRule, graph: &FileGraph, cache: &mut EntryEdges) -> Cuts {
        let mut cuts = Cuts::default();
        for (k, a) in ctx.config.allows.iter().enumerate() {
            if !a.rules.as_ref().is_some_and(|r| r.contains(&rule.id)) {
                continue;
            }
            cuts.entries.push(k);
            cuts.edges.extend(cache.of(ctx, graph, k).iter().copied());
        }
        cuts
    }

    /// The entries that lifted something that mattered: a link from which
    /// a goal is reachable (`dist` over the uncut graph), or a goal's API
    /// use (`goal_lifts`).
    fn used(
        &self,
        ctx: &Ctx,
        graph: &FileGraph,
        cache: &mut EntryEdges,
        goals: &[usize],
        goal_lifts: &[usize],
    ) -> Vec<usize> {
        let mut used: Vec<usize> = goal_lifts.to_vec();
        if self.entries.is_empty() {
            return used;
        }
        let n = graph.files.len();
        let mut radj: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, out) in graph.adj.iter().enumerate() {
            for &j in out {
                radj[j].push(i);
            }
        }
        let dist = graph::bfs_dist(&radj, goals);
        for &k in &self.entries {
            if cache
                .of(ctx, graph, k)
                .iter()
                .any(|&(_, j)| dist[j] != usize::MAX)
            {
                used.push(k);
            }
        }
        used
    }
}

/// The shortest chains of a transitive rule toward its goals, over the
/// imports its `[[allow]]` entries leave.
struct Chains<'g, 'w> {
    graph: &'g FileGraph<'w>,
    dist: Vec<usize>,
    direct: Vec<bool>,
    adj: Vec<Vec<usize>>,
}

impl<'g, 'w> Chains<'g, 'w> {
    /// `direct`: per file, whether it is a file target (the direct case).
    fn new(
        graph: &'g FileGraph<'w>,
        cuts: &Cuts,
        goals: &[usize],
        direct: Vec<bool>,
    ) -> Chains<'g, 'w> {
        let n = graph.files.len();
        // the links a chain may use: those not lifted
        let mut adj: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut radj: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, out) in graph.adj.iter().enumerate() {
            for &j in out {
                if !cuts.edges.contains(&(i, j)) {
                    adj[i].push(j);
                    radj[j].push(i);
                }
            }
        }
        let dist = graph::bfs_dist(&radj, goals);
        Chains {
            graph,
            dist,
            direct,
            adj,
        }
    }

    /// The shortest chain from an import of file `j` to a goal (`j` first),
    /// or `None` when `j` reaches none or is the direct case.
    fn from(&self, j: usize) -> Option<Vec<String>> {
        if self.dist[j] == usize::MAX || self.dist[j] == 0 && self.direct[j] {
            return None;
        }
        let files = &self.graph.files;
        let path = graph::walk_down(&self.adj, &self.dist, j, &|_| true, &|v| files[v].clone());
        Some(path.iter().map(|&v| files[v].clone()).collect())
    }
}

/// A transitive rule's file targets as one matcher: its globs in one set
/// (an independence contract's rule names dozens), its modules one by one.
struct FileTargets<'c> {
    globs: globset::GlobSet,
    modules: Vec<&'c FileTarget>,
}

impl<'c> FileTargets<'c> {
    fn of(rule: &'c DenyRule) -> FileTargets<'c> {
        let mut b = globset::GlobSetBuilder::new();
        let mut modules = Vec::new();
        for t in &rule.to {
            match t {
                Target::Files(FileTarget::Glob(g)) => {
                    if let Ok(glob) = crate::config::build_glob(&g.text) {
                        b.add(glob);
                    }
                }
                Target::Files(ft) => modules.push(ft),
                Target::Api(_) => {}
            }
        }
        FileTargets {
            globs: b.build().unwrap_or_else(|_| globset::GlobSet::empty()),
            modules,
        }
    }

    /// Whether file `f` is one of the rule's file targets.
    fn hit(&self, ctx: &Ctx, f: &str) -> bool {
        self.globs.is_match(f)
            || !self.modules.is_empty() && {
                let mods = ctx.modules_of(f);
                self.modules
                    .iter()
                    .any(|t| target_matches(ctx.config, t, f, &mods))
            }
    }
}

/// The file graph of the workspace: files in order, and each file's import
/// targets (`targets_of`) as adjacency lists.
struct FileGraph<'w> {
    files: Vec<&'w String>,
    index: FxHashMap<&'w str, usize>,
    adj: Vec<Vec<usize>>,
}

impl<'w> FileGraph<'w> {
    fn new(ctx: &Ctx<'w>, targets_of: impl Fn(&str) -> Vec<String>) -> FileGraph<'w> {
        let files: Vec<&String> = ctx.ws.files.keys().collect();
        let index: FxHashMap<&str, usize> = files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.as_str(), i))
            .collect();
        let mut adj: Vec<Vec<usize>> = vec![Vec::new(); files.len()];
        for (i, rel) in files.iter().enumerate() {
            for t in targets_of(rel) {
                if let Some(&j) = index.get(t.as_str()) {
                    if !adj[i].contains(&j) {
                        adj[i].push(j);
                    }
                }
            }
        }
        FileGraph { files, index, adj }
    }
}

/// The goal files of a transitive rule: those matching a file target, or
/// holding a counted import or use of an API target that no `[[allow]]`
/// entry naming the rule lifts; and the entries that lifted such a use.
fn goals(
    ctx: &Ctx,
    rule: &DenyRule,
    files: &[&String],
    cuts: &Cuts,
    direct: &[bool],
) -> (Vec<usize>, Vec<usize>) {
    let mut lifts: Vec<usize> = Vec::new();
    let has_api = rule.to.iter().any(|t| matches!(t, Target::Api(_)));
    let goals = files
        .iter()
        .enumerate()
        .filter(|(i, f)| {
            if direct[*i] {
                return true;
            }
            if !has_api {
                return false;
            }
            let mods = ctx.modules_of(f);
            let entry = &ctx.ws.files[f.as_str()];
            rule.to.iter().any(|t| match t {
                Target::Files(_) => false,
                Target::Api(sel) => {
                    let place = Place { rel: f, entry };
                    api_places(&place, sel).iter().any(|&(_, imp)| {
                        if !imp.is_none_or(|i| ctx.counts(&entry.facts.imports[i])) {
                            return false;
                        }
                        let lifted_by = cuts.entries.iter().copied().find(|&k| {
                            let asked = crate::analysis::judge::Exception {
                                rule: &rule.id,
                                from: f,
                                from_mods: &mods,
                                to_file: None,
                                target: Some(&api_target(&place, sel, imp)),
                            };
                            crate::analysis::judge::allows(
                                ctx.config,
                                &ctx.config.allows[k],
                                &asked,
                            )
                        });
                        match lifted_by {
                            Some(k) => {
                                lifts.push(k);
                                false
                            }
                            None => true,
                        }
                    })
                }
            })
        })
        .map(|(i, _)| i)
        .collect();
    (goals, lifts)
}

/// `layergate allowed`'s view of `[[deny]] transitive = true`: for each such
/// rule that applies to `rel` (in modules `from_mods`), the files an import of
/// which starts a chain of imports reaching one of the rule's targets, each
/// with the shortest such chain (that file first, the target last). A file
/// that is itself a file target is the judge's direct case, not listed.
/// Computed as the check computes it: counted imports, judged where
/// re-exports lead.
pub fn transitive_reach<'c>(
    ws: &'c Workspace,
    rel: &str,
    from_mods: &[Option<Module>],
) -> Vec<(&'c DenyRule, BTreeMap<String, Vec<String>>)> {
    let config = ws.config.as_ref();
    let rules: Vec<&DenyRule> = config
        .deny
        .iter()
        .filter(|r| {
            r.transitive
                && r.severity != Severity::Off
                && crate::analysis::judge::deny_applies(config, r, rel, from_mods)
        })
        .collect();
    if rules.is_empty() {
        return Vec::new();
    }
    let assignment = Assignment::new(config, ws.files.keys());
    let ctx = Ctx {
        ws,
        config,
        assignment: &assignment,
        crate_names: std::sync::OnceLock::new(),
    };
    let graph = FileGraph::new(&ctx, |f| {
        let (mut reads, mut shallow) = (Vec::new(), Vec::new());
        ctx.edges(&ws.files[f], &mut reads, &mut shallow)
            .into_iter()
            .filter(|e| ctx.counts(e.import))
            .flat_map(|e| {
                e.judged
                    .first()
                    .iter()
                    .map(|(t, _)| t.clone())
                    .collect::<Vec<_>>()
            })
            .collect()
    });
    let mut out = Vec::new();
    let mut cache = EntryEdges::new(config.allows.len());
    for rule in rules {
        let cuts = Cuts::new(&ctx, rule, &graph, &mut cache);
        let targets = FileTargets::of(rule);
        let direct: Vec<bool> = graph.files.iter().map(|f| targets.hit(&ctx, f)).collect();
        let (goals, _) = goals(&ctx, rule, &graph.files, &cuts, &direct);
        let chains = Chains::new(&graph, &cuts, &goals, direct);
        let mut reach = BTreeMap::new();
        for (j, f) in graph.files.iter().enumerate() {
            // an import `rel` → `f` that an entry for the rule allows is no link
            let lifted = cuts.entries.iter().any(|&k| {
                let a = &config.allows[k];
                a.from
                    .iter()
                    .any(|t| target_matches(config, t, rel, from_mods))
                    && a.to.iter().any(|t| {
                        matches!(t, Target::Files(ft)
                            if target_matches(config, ft, f, &ctx.modules_of(f)))
                    })
            });
            if lifted {
                continue;
            }
            if let Some(chain) = chains.from(j) {
                reach.insert((*f).clone(), chain);
            }
        }
        out.push((rule, reach));
    }
    out
}

pub(super) fn edges_of<'r>(
    results: &'r FxHashMap<String, FileResult>,
    rel: &str,
) -> &'r [CachedEdge] {
    results.get(rel).map_or(&[], |r| r.edges.as_slice())
}
