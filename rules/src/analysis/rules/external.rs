rule_doc! {
    /// A module uses a third-party package or crate that is not in its `external`
    /// allowlist.
    ///
    /// ## What it does
    ///
    /// When a module has `external`, it may import only those npm packages or crates
    /// (`name`, `npm:name`, `crate:name`, `@scope/*`). `external = []` forbids every
    /// third-party package. Node builtins, `std`/`core`/`alloc` and the workspace's own
    /// packages are never third-party.
    ///
    /// ## Why
    ///
    /// Third-party code in the wrong layer (an HTTP client in the domain, a UI kit in
    /// the server) is the most common architecture leak, and the hardest to undo once
    /// it spreads.
    ///
    /// ## Example
    ///
    /// ```toml
    /// [[modules]]
    /// name = "domain"
    /// paths = ["src/domain/**"]
    /// external = ["zod"]
    /// ```
    ///
    /// ```ts
    /// // src/domain/user.ts
    /// import axios from "axios"; // external
    /// ```
    ///
    /// ## How to fix
    ///
    /// Move the code that needs the package to a module allowed to use it, or add the
    /// package to `external`.
}

use super::common::*;

/// The package an import names, if it is third-party.
pub(super) fn package_of(res: &Resolved) -> Option<&str> {
    match res {
        Resolved::External(p) => Some(p),
        _ => None,
    }
}

/// `external`: a module with an `external` list may import only those packages.
pub(super) fn external_rule(
    ctx: &Ctx,
    place: &Place,
    from_mods: &[Option<Module>],
    out: &mut Vec<Violation>,
) {
    let config = ctx.config;
    if config.checks.get(Builtin::External) == Severity::Off {
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
            let kind = place.entry.lang.language().def().package_noun;
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
                Builtin::External,
                config.checks.get(Builtin::External),
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
