rule_doc! {
    /// A module imports a module whose `visible_to` list does not include it.
    ///
    /// ## What it does
    ///
    /// `visible_to` is the inverse allowlist: only the listed modules (or files
    /// matching the listed globs) may import the module.
    ///
    /// ## Why
    ///
    /// Some modules are implementation details of one other module (a database layer
    /// inside infrastructure). `visible_to` keeps everyone else out without listing
    /// everyone else.
    ///
    /// ## Example
    ///
    /// ```toml
    /// [[modules]]
    /// name = "db"
    /// paths = ["src/infra/db/**"]
    /// visible_to = ["infra"]
    /// ```
    ///
    /// ```ts
    /// // src/app/page.ts
    /// import { pool } from "../infra/db/pool"; // visibility
    /// ```
    ///
    /// ## How to fix
    ///
    /// Go through the module that owns it (here `infra`), or widen `visible_to`.
}

use super::common::*;

/// Why file `rel` (modules `from_mods`) may not import module `to`, if its
/// `visible_to` does not name the importer.
pub(crate) fn judge(
    config: &Config,
    rel: &str,
    from_mods: &[Option<Module>],
    to: &Module,
) -> Option<Reason> {
    let severity = config.checks.get(Builtin::Visibility);
    let to_def = &config.modules[to.def];
    if severity == Severity::Off {
        return None;
    }
    let visible = to_def.visible_to.as_ref()?;
    if visible
        .iter()
        .any(|t| target_matches(config, t, rel, from_mods))
    {
        return None;
    }
    Some(Reason {
        rule: Builtin::Visibility.into(),
        severity,
        why: format!(
            "`{}` is visible only to {}",
            to.name,
            if visible.is_empty() {
                "no module".to_string()
            } else {
                visible
                    .iter()
                    .map(|t| format!("`{}`", target_text(config, t)))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        ),
        related: (
            to_def.span,
            format!("`visible_to` of module `{}`", to_def.name),
        ),
        message: None,
    })
}
