rule_doc! {
    /// A module imports a module that is not in its `depends_on` allowlist.
    ///
    /// ## What it does
    ///
    /// When a module has `depends_on`, it may import only the modules and globs listed
    /// there (plus `utility` modules and itself). `depends_on = []` forbids every other
    /// module.
    ///
    /// ## Why
    ///
    /// An allowlist states the intended dependencies outright, so a new dependency is a
    /// visible decision in `layergate.toml` instead of an accident in a pull request.
    ///
    /// ## Example
    ///
    /// ```toml
    /// [[modules]]
    /// name = "billing"
    /// paths = ["src/billing/**"]
    /// depends_on = ["shared"]
    /// ```
    ///
    /// ```ts
    /// // src/billing/invoice.ts
    /// import { search } from "../search/index"; // depends-on
    /// ```
    ///
    /// ## How to fix
    ///
    /// Depend on an allowed module instead, or add the module to `depends_on` if the
    /// dependency is intended.
}

use super::common::*;

/// Why `from` may not import `target` (modules `to_mods`, module `to` in the
/// group judged), if its `depends_on` does not list it.
pub(crate) fn judge(
    config: &Config,
    from: &Module,
    target: &str,
    to_mods: &[Option<Module>],
    to: &Module,
) -> Option<Reason> {
    let severity = config.checks.get(Builtin::DependsOn);
    let from_def = &config.modules[from.def];
    if severity == Severity::Off || config.modules[to.def].utility {
        return None;
    }
    let allowed = from_def.depends_on.as_ref()?;
    if allowed
        .iter()
        .any(|t| target_matches(config, t, target, to_mods))
    {
        return None;
    }
    let list = if allowed.is_empty() {
        "no other module".to_string()
    } else {
        allowed
            .iter()
            .map(|t| format!("`{}`", target_text(config, t)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    Some(Reason {
        rule: Builtin::DependsOn.into(),
        severity,
        why: format!("`{}` may depend on {list}", from.name),
        related: (
            from_def.span,
            format!("`depends_on` of module `{}`", from_def.name),
        ),
        message: None,
    })
}
