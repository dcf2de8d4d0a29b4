use super::common::*;

/// Whether an import of a file of `lang` introduces the API of a selector
/// (spec "API selectors").
pub(crate) fn import_matches_api(
    imp: &Import,
    res: &Resolved,
    sel: &ApiSelector,
    lang: Language,
) -> bool {
    match (&sel.kind, lang) {
        (ApiKind::Python(p), Language::Python) => python_import_under(imp, p),
        (ApiKind::Python(_), _) | (_, Language::Python) => false,
        _ => import_matches_other_api(imp, res, sel),
    }
}

/// A Python import (`import a.b`, `from a import b`, a literal dynamic
/// import) of the selector's module or of something below it; `from a import
/// *` brings in everything of `a`. Relative imports are of the workspace's
/// own modules, never a selector's.
fn python_import_under(imp: &Import, sel: &[String]) -> bool {
    if imp.specifier.starts_with('.') {
        return false;
    }
    let module = imp.specifier.split('.');
    match imp.kind {
        ImportKind::ReExportAll => {
            let m: Vec<&str> = imp.specifier.split('.').collect();
            path_under(m.iter().copied(), sel)
                || sel.len() > m.len() && sel.iter().zip(&m).all(|(a, b)| a == b)
        }
        ImportKind::Static | ImportKind::ReExport => {
            let name = imp.names.first().map_or("", |n| n.name.as_str());
            path_under(module.chain(std::iter::once(name)), sel)
        }
        _ => path_under(module, sel),
    }
}

fn import_matches_other_api(imp: &Import, res: &Resolved, sel: &ApiSelector) -> bool {
    match &sel.kind {
        ApiKind::Npm(p) => {
            super::external::package_of(res).is_some_and(|pkg| p.matches(pkg))
                && !imp.specifier.contains("::")
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
        ApiKind::RustUnsafe | ApiKind::Python(_) => false,
    }
}

/// Whether an API reference (a global chain or an expanded Rust path) is at or
/// below a selector.
pub(super) fn apiref_matches(r: &ApiRef, lang: Lang, sel: &ApiSelector) -> bool {
    match (&sel.kind, lang.language()) {
        (ApiKind::Global(g), Language::TypeScript) => path_under(r.path.split('.'), g),
        (ApiKind::RustPath(p), Language::Rust) => {
            path_under(r.path.trim_start_matches("::").split("::"), p)
        }
        (ApiKind::Python(p), Language::Python) => path_under(r.path.split('.'), p),
        _ => false,
    }
}

/// The baseline/JSON target of an API use: the package or builtin an import
/// names, else the selector.
pub(super) fn api_target(place: &Place, sel: &ApiSelector, imp: Option<usize>) -> String {
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
pub(super) fn api_places(place: &Place, sel: &ApiSelector) -> Vec<(Span, Option<usize>)> {
    let entry = place.entry;
    let mut out = Vec::new();
    if sel.kind == ApiKind::RustUnsafe {
        if entry.lang == Lang::Rust {
            out.extend(entry.facts.unsafe_spans.iter().map(|s| (*s, None)));
        }
        return out;
    }
    for (i, (imp, res)) in entry.facts.imports.iter().zip(&entry.resolved).enumerate() {
        if !is_type_only(imp) && import_matches_api(imp, res, sel, entry.lang.language()) {
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
                if import_matches_api(imp, res, sel, entry.lang.language()) || is_type_only(imp) {
                    continue; // reported at the import
                }
            }
        }
        out.push((r.span, None));
    }
    out
}

/// A user rule as a violation needs it.
pub(super) struct RuleRef<'r> {
    pub id: &'r str,
    pub severity: Severity,
    pub span: Span,
    pub message: Option<&'r str>,
}

/// A `[[deny]]` or `[[boundary]]` violation for one place that uses an API:
/// "`file` uses `API`, which `rule` {verdict}".
pub(super) fn api_use(
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
        RuleId::user(rule.id),
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

/// `[[boundary]]`: an API used outside `allow_in`.
pub(super) fn boundary_rules(
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
