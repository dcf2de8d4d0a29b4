//! The checks themselves. Each function documents its rule; `layergate explain`
//! and the README's rule pages are written from the same words.

use rustc_hash::{FxHashMap, FxHashSet};

use super::graph;
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
use crate::workspace::FileEntry;

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
    fn violation(&self, span: Span, rule: &str, severity: Severity, message: String) -> Violation {
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

/// Rust `use` paths into a file that name, after its module, something the
/// file neither declares nor imports (`use crate::nothing::here;`). A file whose
/// names are open (a glob import, an item-level macro call, a derive that may
/// generate items) may name anything. At a crate root, a name declared
/// anywhere in the crate counts (a `#[macro_export]` macro is named there).
fn item_level_unresolved(
    ctx: &Ctx,
    place: &Place,
    rel: &str,
    entry: &FileEntry,
    reads: &mut Vec<String>,
    out: &mut Vec<Violation>,
) {
    let config = ctx.config;
    let resolver = ctx.ws.rust_resolver();
    if resolver.is_guessed(rel) {
        // what `crate::`, `self::` and `super::` mean here is a guess
        return;
    }
    for (imp, res) in entry.facts.imports.iter().zip(&entry.resolved) {
        // `use` items only: a path in code may sit in an item compiled out
        // by `#[cfg]`, where it may name what no configuration has
        if !matches!(imp.kind, ImportKind::Use | ImportKind::PubUse) {
            continue;
        }
        let Resolved::File(target) = res else {
            continue;
        };
        // the module's files: alternatives under `cfg`, `include!`d files
        let files = resolver.module_files(target);
        let entries: Vec<&FileEntry> = files.iter().filter_map(|f| ctx.file(f)).collect();
        if entries.len() != files.len()
            || entries
                .iter()
                .any(|e| e.lang != Lang::Rust || e.skipped.is_some() || e.facts.exports.open)
        {
            reads.extend(files.iter().map(|f| f.to_string()));
            continue;
        }
        let (_, next) = resolver.resolve_item_at(rel, &imp.specifier, imp.span.start);
        let Some(name) = next else {
            continue;
        };
        if matches!(name.as_str(), "*" | "self" | "super" | "crate" | "Self") {
            continue;
        }
        reads.extend(files.iter().map(|f| f.to_string()));
        if entries.iter().any(|e| e.facts.exports.may_name(&name)) {
            continue;
        }
        if resolver.crate_root_of(target) == Some(target.as_str())
            && ctx.crate_names_any(target, &name, reads)
        {
            continue;
        }
        let mut v = place.violation(
            imp.span,
            "unresolved",
            config.checks.unresolved,
            format!(
                "`{}` in `{rel}`: `{target}` declares or imports no `{name}`",
                imp.specifier
            ),
        );
        v.target = Some(imp.specifier.clone());
        out.push(v);
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
    let module_edges = module_edges(ctx, rel, &edges_out);
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
    let config = ctx.config;
    let modules = ctx.modules_of(rel);

    if let Some(reason) = &entry.skipped {
        out.push(place.violation(
            place.first_line(),
            "skipped",
            Severity::Info,
            format!("`{rel}` was not analysed: {reason}"),
        ));
        return out;
    }

    // unassigned: files in no module of the default group
    if config.checks.unassigned != Severity::Off && modules.first().is_none_or(|m| m.is_none()) {
        let mut v = place.violation(
            place.first_line(),
            "unassigned",
            config.checks.unassigned,
            format!("`{rel}` is in no module: add it to a module's `paths` in layergate.toml"),
        );
        v.related = Some((config.checks_span, "the `unassigned` check".into()));
        out.push(v);
    }

    // unresolved imports and missing `mod` files
    if config.checks.unresolved != Severity::Off {
        for (imp, res) in entry.facts.imports.iter().zip(&entry.resolved) {
            if *res == Resolved::Unresolved {
                let mut v = place.violation(
                    imp.span,
                    "unresolved",
                    config.checks.unresolved,
                    format!("`{}` in `{rel}` resolves to no file", imp.specifier),
                );
                v.target = Some(imp.specifier.clone());
                out.push(v);
            }
        }
        if entry.lang == Lang::Rust {
            item_level_unresolved(ctx, &place, rel, entry, reads, &mut out);
            for (file, decl) in ctx.ws.rust_resolver().missing_mods() {
                if file == rel {
                    let attrs: Vec<String> = decl
                        .path_attr
                        .iter()
                        .chain(&decl.cfg_paths)
                        .map(|p| format!("`{p}`"))
                        .collect();
                    let message = match attrs.as_slice() {
                        [] => format!(
                            "`mod {};` in `{rel}`: neither `{}.rs` nor `{}/mod.rs` exists",
                            decl.name, decl.name, decl.name
                        ),
                        [one] => format!("`mod {};` in `{rel}`: {one} does not exist", decl.name),
                        more => format!(
                            "`mod {};` in `{rel}`: none of {} exists",
                            decl.name,
                            more.join(", ")
                        ),
                    };
                    let mut v =
                        place.violation(decl.span, "unresolved", config.checks.unresolved, message);
                    v.target = Some(decl.name.clone());
                    out.push(v);
                }
            }
        }
    }

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
    external_rule(ctx, &place, &modules, &mut out);
    deny_rules(ctx, &place, &modules, &edges, &mut out);
    boundary_rules(ctx, &place, &modules, &mut out);
    pattern_rules(ctx, &place, &modules, &mut out);
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
    let config = ctx.config;
    if !ctx.counts(edge.import) {
        return;
    }
    let direct = match edge.resolved {
        Resolved::File(t) => t.as_str(),
        _ => return,
    };
    for (group, from) in from_mods.iter().enumerate() {
        let Some(from) = from else { continue };
        // public-api: judged by the direct target
        let direct_mods = ctx.modules_of(direct);
        if let Some(to) = direct_mods.get(group).and_then(|m| m.as_ref()) {
            if from != to && config.checks.public_api != Severity::Off {
                let def = &config.modules[to.def];
                if let Some(public) = &def.public {
                    if !public.iter().any(|g| g.matcher.is_match(direct)) {
                        let entries: Vec<&str> = public.iter().map(|g| g.text.as_str()).collect();
                        let mut v = violation_between(
                            place,
                            edge,
                            "public-api",
                            config.checks.public_api,
                            format!(
                                "{} imports {}, which is not a public entry of `{}`: import it through {}",
                                describe(place.rel, Some(from)),
                                describe(direct, Some(to)),
                                to.name,
                                entries.iter().map(|e| format!("`{e}`")).collect::<Vec<_>>().join(" or ")
                            ),
                            Some(from),
                            Some(to),
                            direct,
                        );
                        v.groups = vec![group];
                        v.related = Some((
                            def.span,
                            format!("module `{}` and its public entries", def.name),
                        ));
                        v.fixes = public_entry_fix(ctx, place, edge, to, reads)
                            .into_iter()
                            .collect();
                        out.push(v);
                    }
                }
            }
        }
        for (target, via) in edge.judged.group(group) {
            let to_mods = ctx.modules_of(target);
            let Some(to) = to_mods.get(group).and_then(|m| m.as_ref()) else {
                continue;
            };
            if to == from {
                continue;
            }
            let to_def = &config.modules[to.def];
            let from_def = &config.modules[from.def];
            let both = format!(
                "{} imports {}{}",
                describe(place.rel, Some(from)),
                describe(target, Some(to)),
                via_text(via)
            );

            // layers
            if config.checks.layers != Severity::Off && !to_def.utility {
                for (si, fl) in layer_positions(config, from) {
                    let stack = &config.layers[si];
                    let Some(tl) = stack.levels.iter().position(|lvl| {
                        lvl.iter()
                            .any(|r| super::modules::ref_matches(config, r, to))
                    }) else {
                        continue;
                    };
                    let why = if tl < fl {
                        Some(format!(
                            "layer `{}` may not import `{}`, which is in a higher layer",
                            from.name, to.name
                        ))
                    } else if tl == fl && !stack.siblings_allow {
                        Some(format!("`{}` and `{}` are siblings in one layer, which may not import each other", from.name, to.name))
                    } else if stack.strict && tl > fl + 1 {
                        Some(format!(
                            "strict layering: `{}` may only import the layer directly below it",
                            from.name
                        ))
                    } else {
                        None
                    };
                    if let Some(why) = why {
                        let mut v = violation_between(
                            place,
                            edge,
                            "layers",
                            config.checks.layers,
                            format!("{both}: {why}"),
                            Some(from),
                            Some(to),
                            target,
                        );
                        v.groups = vec![group];
                        v.related = Some((stack.span, "the layers in layergate.toml".into()));
                        out.push(v);
                        break;
                    }
                }
            }

            // depends-on
            if config.checks.depends_on != Severity::Off && !to_def.utility {
                if let Some(allowed) = &from_def.depends_on {
                    if !allowed
                        .iter()
                        .any(|t| target_matches(config, t, target, &to_mods))
                    {
                        let list = if allowed.is_empty() {
                            "no other module".to_string()
                        } else {
                            allowed
                                .iter()
                                .map(|t| format!("`{}`", target_text(config, t)))
                                .collect::<Vec<_>>()
                                .join(", ")
                        };
                        let mut v = violation_between(
                            place,
                            edge,
                            "depends-on",
                            config.checks.depends_on,
                            format!("{both}: `{}` may depend on {list}", from.name),
                            Some(from),
                            Some(to),
                            target,
                        );
                        v.groups = vec![group];
                        v.related = Some((
                            from_def.span,
                            format!("`depends_on` of module `{}`", from_def.name),
                        ));
                        out.push(v);
                    }
                }
            }

            // visibility
            if config.checks.visibility != Severity::Off {
                if let Some(visible) = &to_def.visible_to {
                    if !visible
                        .iter()
                        .any(|t| target_matches(config, t, place.rel, from_mods))
                    {
                        let mut v = violation_between(
                            place,
                            edge,
                            "visibility",
                            config.checks.visibility,
                            format!(
                                "{both}: `{}` is visible only to {}",
                                to.name,
                                visible
                                    .iter()
                                    .map(|t| format!("`{}`", target_text(config, t)))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                            Some(from),
                            Some(to),
                            target,
                        );
                        v.groups = vec![group];
                        v.related = Some((
                            to_def.span,
                            format!("`visible_to` of module `{}`", to_def.name),
                        ));
                        out.push(v);
                    }
                }
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
    rule: &str,
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

/// The package an import names, if it is third-party.
fn package_of(res: &Resolved) -> Option<&str> {
    match res {
        Resolved::External(p) => Some(p),
        _ => None,
    }
}

/// `external`: a module with an `external` list may import only those packages.
fn external_rule(ctx: &Ctx, place: &Place, from_mods: &[Option<Module>], out: &mut Vec<Violation>) {
    let config = ctx.config;
    if config.checks.external == Severity::Off {
        return;
    }
    for (imp, res) in place.entry.facts.imports.iter().zip(&place.entry.resolved) {
        let Some(pkg) = package_of(res) else { continue };
        if !ctx.counts(imp) {
            continue;
        }
        for (group, from) in from_mods.iter().enumerate() {
            let Some(from) = from else { continue };
            let def = &config.modules[from.def];
            let Some(allowed) = &def.external else {
                continue;
            };
            if allowed.iter().any(|p| p.matches(pkg)) {
                continue;
            }
            let kind = if place.entry.lang == Lang::Rust {
                "crate"
            } else {
                "package"
            };
            let list = if allowed.is_empty() {
                "no third-party package".to_string()
            } else {
                allowed
                    .iter()
                    .map(|p| format!("`{}{}`", p.name, if p.prefix { "*" } else { "" }))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let mut v = place.violation(
                imp.span,
                "external",
                config.checks.external,
                format!(
                    "{} uses the third-party {kind} `{pkg}`: `{}` may use {list}",
                    describe(place.rel, Some(from)),
                    from.name
                ),
            );
            v.from_module = Some(from.name.to_string());
            v.target = Some(pkg.to_string());
            v.groups = vec![group];
            v.related = Some((def.span, format!("`external` of module `{}`", def.name)));
            out.push(v);
        }
    }
}

/// Whether an import introduces the API of a selector (spec "API selectors").
pub(crate) fn import_matches_api(imp: &Import, res: &Resolved, sel: &ApiSelector) -> bool {
    match &sel.kind {
        ApiKind::Npm(p) => {
            package_of(res).is_some_and(|pkg| p.matches(pkg)) && !imp.specifier.contains("::")
        }
        ApiKind::Node(name) => {
            matches!(res, Resolved::Builtin(b) if b == name || b.starts_with(&format!("{name}/")))
                && !imp.specifier.contains("::")
        }
        ApiKind::Crate(name) => {
            let first = imp
                .specifier
                .trim_start_matches("::")
                .split("::")
                .next()
                .unwrap_or("");
            imp.specifier.contains("::") && first.replace('-', "_") == *name
                || imp.kind == ImportKind::ExternCrate && imp.specifier.replace('-', "_") == *name
        }
        ApiKind::RustPath(sel_path) => {
            if !matches!(
                imp.kind,
                ImportKind::Use | ImportKind::PubUse | ImportKind::ExternCrate
            ) {
                return false;
            }
            let spec = imp.specifier.trim_start_matches("::");
            let segs: Vec<&str> = spec.split("::").collect();
            if segs.last() == Some(&"*") {
                // a glob brings in everything below its prefix
                let prefix = &segs[..segs.len() - 1];
                let sel_segs: Vec<&str> = sel_path.iter().map(String::as_str).collect();
                sel_segs.len() > prefix.len() && sel_segs.starts_with(prefix)
                    || path_under(prefix.iter().copied(), sel_path)
            } else {
                path_under(segs.iter().copied(), sel_path)
            }
        }
        ApiKind::Global(g) => {
            // `process` or `{ env }` imported from `node:process` is the global
            if g.first().map(String::as_str) != Some("process")
                || *res != Resolved::Builtin("process".into())
            {
                return false;
            }
            g.len() == 1 || g.len() == 2 && imp.names.iter().any(|n| n.name == g[1])
        }
        ApiKind::RustUnsafe => false,
    }
}

/// Whether an API reference (a global chain or an expanded Rust path) is at or
/// below a selector.
fn apiref_matches(r: &ApiRef, lang: Lang, sel: &ApiSelector) -> bool {
    match (&sel.kind, lang) {
        (ApiKind::Global(g), Lang::TypeScript | Lang::Tsx) => path_under(r.path.split('.'), g),
        (ApiKind::RustPath(p), Lang::Rust) => {
            path_under(r.path.trim_start_matches("::").split("::"), p)
        }
        _ => false,
    }
}

/// The baseline/JSON target of an API use: the package or builtin an import
/// names, else the selector.
fn api_target(place: &Place, sel: &ApiSelector, imp: Option<usize>) -> String {
    match imp.and_then(|i| place.entry.resolved.get(i)) {
        Some(Resolved::Builtin(p)) if matches!(sel.kind, ApiKind::Node(_)) => format!("node:{p}"),
        Some(Resolved::External(p)) | Some(Resolved::Builtin(p))
            if matches!(sel.kind, ApiKind::Npm(_) | ApiKind::Crate(_)) =>
        {
            p.clone()
        }
        _ => sel.text.clone(),
    }
}

/// Places in a file that introduce an API: (span, import index if any).
fn api_places(place: &Place, sel: &ApiSelector) -> Vec<(Span, Option<usize>)> {
    let entry = place.entry;
    let mut out = Vec::new();
    if sel.kind == ApiKind::RustUnsafe {
        if entry.lang == Lang::Rust {
            out.extend(entry.facts.unsafe_spans.iter().map(|s| (*s, None)));
        }
        return out;
    }
    for (i, (imp, res)) in entry.facts.imports.iter().zip(&entry.resolved).enumerate() {
        if !is_type_only(imp) && import_matches_api(imp, res, sel) {
            out.push((imp.span, Some(i)));
        }
    }
    for r in &entry.facts.apis {
        if !apiref_matches(r, entry.lang, sel) {
            continue;
        }
        if let Some(decl) = &r.introduced_as {
            // the declaration `const x = <decl>` already introduced it
            let decl_ref = ApiRef {
                path: decl.clone(),
                span: r.span,
                via_import: None,
                introduced_as: None,
            };
            if apiref_matches(&decl_ref, entry.lang, sel) {
                continue;
            }
        }
        if let Some(i) = r.via_import {
            let i = i as usize;
            if let (Some(imp), Some(res)) = (entry.facts.imports.get(i), entry.resolved.get(i)) {
                if import_matches_api(imp, res, sel) || is_type_only(imp) {
                    continue; // reported at the import
                }
            }
        }
        out.push((r.span, None));
    }
    out
}

/// `[[deny]]` rules, direct part: imports from `from` files to `to` targets.
fn deny_rules(
    ctx: &Ctx,
    place: &Place,
    from_mods: &[Option<Module>],
    edges: &[Edge],
    out: &mut Vec<Violation>,
) {
    let config = ctx.config;
    for rule in &config.deny {
        if rule.severity == Severity::Off
            || !rule
                .from
                .iter()
                .any(|t| target_matches(config, t, place.rel, from_mods))
            || rule.exclude.iter().any(|g| g.matcher.is_match(place.rel))
        {
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
                        &rule.id,
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

/// A user rule as a violation needs it.
struct RuleRef<'r> {
    id: &'r str,
    severity: Severity,
    span: Span,
    message: Option<&'r str>,
}

/// A `[[deny]]` or `[[boundary]]` violation for one place that uses an API:
/// "`file` uses `API`, which `rule` {verdict}".
fn api_use(
    place: &Place,
    span: Span,
    imp: Option<usize>,
    sel: &ApiSelector,
    from_name: Option<&Module>,
    rule: RuleRef,
    verdict: String,
) -> Violation {
    let mut v = place.violation(
        span,
        rule.id,
        rule.severity,
        with_message(
            format!(
                "{} uses `{}`, which `{}` {verdict}",
                describe(place.rel, from_name),
                sel.text,
                rule.id
            ),
            rule.message,
        ),
    );
    v.from_module = from_name.map(|m| m.name.to_string());
    v.target = Some(api_target(place, sel, imp));
    v.related = Some((rule.span, format!("rule `{}`", rule.id)));
    v
}

fn first_module(mods: &[Option<Module>]) -> Option<&Module> {
    mods.iter().flatten().next()
}

/// `[[boundary]]`: an API used outside `allow_in`.
fn boundary_rules(
    ctx: &Ctx,
    place: &Place,
    from_mods: &[Option<Module>],
    out: &mut Vec<Violation>,
) {
    let config = ctx.config;
    for rule in &config.boundaries {
        if rule.severity == Severity::Off
            || rule
                .allow_in
                .iter()
                .any(|t| target_matches(config, t, place.rel, from_mods))
        {
            continue;
        }
        let from_name = first_module(from_mods);
        // a set: a file with 200,000 uses of one API was quadratic
        let mut reported: FxHashSet<Span> = FxHashSet::default();
        for sel in &rule.apis {
            for (span, imp) in api_places(place, sel) {
                if reported.contains(&span) {
                    continue;
                }
                reported.insert(span);
                let allowed = if rule.allow_in.is_empty() {
                    "nowhere".to_string()
                } else {
                    format!(
                        "only in {}",
                        rule.allow_in
                            .iter()
                            .map(|t| format!("`{}`", target_text(config, t)))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
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
                    format!("allows {allowed}"),
                ));
            }
        }
    }
}

/// `[[pattern]]`: matches of a tree-sitter query outside `allow_in`.
fn pattern_rules(ctx: &Ctx, place: &Place, from_mods: &[Option<Module>], out: &mut Vec<Violation>) {
    let config = ctx.config;
    for hit in &place.entry.pattern_hits {
        let Some(rule) = config.patterns.get(hit.pattern) else {
            continue;
        };
        if rule.severity == Severity::Off
            || rule
                .allow_in
                .iter()
                .any(|t| target_matches(config, t, place.rel, from_mods))
        {
            continue;
        }
        if let Some(spent) = hit.text.strip_prefix(crate::workspace::QUERY_BUDGET_MARK) {
            out.push(place.violation(
                place.first_line(),
                "skipped",
                Severity::Info,
                format!(
                    "`[[pattern]]` `{}` was not fully checked in `{}`: its query stopped after {spent} steps (its budget per file), near byte {}",
                    rule.id,
                    place.rel,
                    hit.span.start
                ),
            ));
            continue;
        }
        let from_name = first_module(from_mods);
        let shown: String = hit
            .text
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .take(60)
            .collect();
        let mut v = place.violation(
            hit.span,
            &rule.id,
            rule.severity,
            with_message(
                format!(
                    "{} matches pattern `{}` (`{shown}`)",
                    describe(place.rel, from_name),
                    rule.id
                ),
                rule.message.as_deref(),
            ),
        );
        v.from_module = from_name.map(|m| m.name.to_string());
        v.target = Some(hit.text.clone());
        v.related = Some((rule.span, format!("rule `{}`", rule.id)));
        out.push(v);
    }
}

/// The fix for `public-api`: point the specifier at a public entry that
/// exports every imported name (TS/JS only).
fn public_entry_fix(
    ctx: &Ctx,
    place: &Place,
    edge: &Edge,
    to: &Module,
    reads: &mut Vec<String>,
) -> Option<Fix> {
    if !place.entry.lang.is_js_family() || edge.import.names.is_empty() {
        return None;
    }
    let def = &ctx.config.modules[to.def];
    let public = def.public.as_ref()?;
    let entry_file = ctx.ws.files.keys().find(|f| {
        public.iter().any(|g| g.matcher.is_match(f))
            && ctx.modules_of(f).get(def.group).cloned().flatten().as_ref() == Some(to)
            && edge
                .import
                .names
                .iter()
                .all(|n| ctx.provides(f, &n.name, reads))
    })?;
    let spec = relative_specifier(place.rel, entry_file);
    let text = ctx.text_of(place.rel, place.entry)?;
    let stmt = text.get(edge.import.span.start as usize..edge.import.span.end as usize)?;
    let quoted = [
        format!("'{}'", edge.import.specifier),
        format!("\"{}\"", edge.import.specifier),
    ];
    let (off, q) = quoted
        .iter()
        .find_map(|q| stmt.find(q.as_str()).map(|o| (o, q)))?;
    let start = edge.import.span.start as usize + off;
    let end = start + q.len();
    let span = place.entry.lines.span(start..end);
    let quote = &q[..1];
    Some(Fix {
        title: format!("Import from the public entry `{entry_file}`"),
        edits: vec![Edit {
            file: place.rel.to_string(),
            range: super::range_of(place.entry.kept_text(), &place.entry.lines, span),
            span,
            new_text: format!("{quote}{spec}{quote}"),
        }],
    })
}

/// A relative import specifier from one file to another, without extension,
/// and `dir` for `dir/index.*`.
pub fn relative_specifier(from: &str, to: &str) -> String {
    let from_dir: Vec<&str> =
        from.split('/').collect::<Vec<_>>()[..from.split('/').count() - 1].to_vec();
    let mut to_parts: Vec<&str> = to.split('/').collect();
    let last = to_parts.pop().unwrap_or("");
    let stem = last
        .strip_suffix(".d.ts")
        .or_else(|| last.rsplit_once('.').map(|(s, _)| s))
        .unwrap_or(last);
    let common = from_dir
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts: Vec<String> = Vec::new();
    for _ in common..from_dir.len() {
        parts.push("..".into());
    }
    parts.extend(to_parts[common..].iter().map(|s| s.to_string()));
    if stem != "index" {
        parts.push(stem.to_string());
    }
    let joined = parts.join("/");
    if joined.is_empty() {
        ".".into()
    } else if joined.starts_with("..") {
        joined
    } else {
        format!("./{joined}")
    }
}

/// `cycle`: every import between two different modules of one strongly
/// connected component of the module graph, naming a shortest module cycle.
pub(super) fn cycles(ctx: &Ctx, cache: &AnalysisCache) -> Vec<Violation> {
    let config = ctx.config;
    if config.checks.cycles == Severity::Off {
        return Vec::new();
    }
    let mut out = Vec::new();
    for group in 0..config.groups.len() {
        // the module graph of this group, from the kept per-pair edge counts
        let mut ids: FxHashMap<&Module, usize> = FxHashMap::default();
        let mut names: Vec<&Module> = Vec::new();
        let mut pairs: Vec<(&Module, &Module)> = cache
            .pairs
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
            let Some(files) = cache.pairs.get(&(group, (*a).clone(), (*b).clone())) else {
                continue;
            };
            for rel in files.keys() {
                let Some(r) = cache.files.get(rel) else {
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
            let e = &cache.files[rel].module_edges[i];
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
                "cycle",
                config.checks.cycles,
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
fn module_edges(ctx: &Ctx, rel: &str, edges: &[CachedEdge]) -> Vec<ModuleEdge> {
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

/// `file-cycle`: like `cycle`, on the file graph.
pub(super) fn file_cycles(ctx: &Ctx, results: &FxHashMap<String, FileResult>) -> Vec<Violation> {
    let config = ctx.config;
    if config.checks.file_cycles == Severity::Off {
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
        for edge in edges_of(results, rel) {
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
            "file-cycle",
            config.checks.file_cycles,
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

/// `[[deny]] transitive = true`: an import in a `from` file that starts a chain
/// of imports reaching a `to` target (the direct case is reported by
/// [`deny_rules`]).
pub(super) fn transitive_deny(
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
                    &rule.id,
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

fn edges_of<'r>(results: &'r FxHashMap<String, FileResult>, rel: &str) -> &'r [CachedEdge] {
    results.get(rel).map_or(&[], |r| r.edges.as_slice())
}

fn direct_hit(ctx: &Ctx, rule: &crate::config::DenyRule, target: &str) -> bool {
    let mods = ctx.modules_of(target);
    rule.to
        .iter()
        .any(|t| matches!(t, Target::Files(ft) if target_matches(ctx.config, ft, target, &mods)))
}

/// `config` warnings: config load warnings, and globs that match no file.
pub(super) fn config_warnings(ctx: &Ctx) -> Vec<Violation> {
    let config = ctx.config;
    let rel = config_rel(config);
    let mut out = Vec::new();
    let mut warn = |span: Span, message: String| {
        out.push(Violation::new(
            &rel,
            span,
            "config",
            Severity::Warning,
            message,
        ))
    };
    for w in &config.warnings {
        warn(w.span, w.message.clone());
    }
    // every glob to check, with its warning; matched against the files in
    // one pass of one glob set (a glob at a time would be modules × files:
    // 16 s for 32,000 modules)
    let mut checked: Vec<(&crate::config::PathGlob, String)> = Vec::new();
    for m in &config.modules {
        for g in &m.paths {
            checked.push((
                g,
                format!("`{}` in module `{}` matches no file", g.text, m.name),
            ));
        }
        for g in m.public.iter().flatten() {
            checked.push((
                g,
                format!(
                    "public entry `{}` of module `{}` matches no file",
                    g.text, m.name
                ),
            ));
        }
    }
    let mut rule_globs: Vec<(&crate::config::PathGlob, &str)> = Vec::new();
    for r in &config.deny {
        for g in collect(&r.from) {
            rule_globs.push((g, &r.id));
        }
        for t in &r.to {
            if let Target::Files(FileTarget::Glob(g)) = t {
                rule_globs.push((g, &r.id));
            }
        }
    }
    for r in &config.boundaries {
        for g in collect(&r.allow_in) {
            rule_globs.push((g, &r.id));
        }
    }
    for r in &config.patterns {
        for g in collect(&r.allow_in) {
            rule_globs.push((g, &r.id));
        }
    }
    for (g, id) in rule_globs {
        checked.push((g, format!("`{}` in rule `{id}` matches no file", g.text)));
    }
    let mut set = globset::GlobSetBuilder::new();
    for (g, _) in &checked {
        set.add(g.matcher.glob().clone());
    }
    let mut matched = vec![false; checked.len()];
    let mut left = checked.len();
    if let Ok(set) = set.build() {
        let mut hits = Vec::new();
        for f in ctx.ws.files.keys() {
            if left == 0 {
                break;
            }
            set.matches_into(f.as_str(), &mut hits);
            for &i in &hits {
                if !matched[i] {
                    matched[i] = true;
                    left -= 1;
                }
            }
        }
    }
    for ((g, message), matched) in checked.into_iter().zip(matched) {
        if !matched {
            warn(g.span, message);
        }
    }
    out
}

fn collect(ts: &[FileTarget]) -> Vec<&crate::config::PathGlob> {
    ts.iter()
        .filter_map(|t| {
            if let FileTarget::Glob(g) = t {
                Some(g)
            } else {
                None
            }
        })
        .collect()
}

/// Manifest problems (tsconfig `extends` cycles, malformed package.json or
/// Cargo.toml) as `config` warnings on the manifest's first line.
pub(super) fn manifest_problems(ctx: &Ctx) -> Vec<Violation> {
    let rel = config_rel(ctx.config);
    ctx.ws
        .manifest_problems()
        .into_iter()
        .map(|(file, message)| {
            let mut v = Violation::new(
                &rel,
                Span::default(),
                "config",
                Severity::Warning,
                format!("{file}: {message}"),
            );
            v.target = Some(file);
            v
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::relative_specifier;

    #[test]
    fn relative_specifiers() {
        assert_eq!(
            relative_specifier("src/app/a.ts", "src/domain/index.ts"),
            "../domain"
        );
        assert_eq!(relative_specifier("src/app/a.ts", "src/app/b.ts"), "./b");
        assert_eq!(
            relative_specifier("src/app/x/a.ts", "src/domain/api.ts"),
            "../../domain/api"
        );
        assert_eq!(relative_specifier("a.ts", "index.ts"), ".");
    }
}
