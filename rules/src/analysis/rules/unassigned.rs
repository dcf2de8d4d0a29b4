rule_doc! {
    /// A file belongs to no module of the default group (off by default).
    ///
    /// ## What it does
    ///
    /// Reported on the first line of every checked file that no module of the default
    /// group `modules` matches.
    ///
    /// ## Why
    ///
    /// Files in no module escape every module rule. Turning this on makes sure every
    /// new folder gets a place in the architecture.
    ///
    /// ## Example
    ///
    /// ```toml
    /// [checks]
    /// unassigned = "warning"
    /// ```
    ///
    /// ## How to fix
    ///
    /// Add the file's folder to a module's `paths`, or exclude it in `[workspace]
    /// exclude`.
}

use super::common::*;

/// A file in no module of the default group.
pub(super) fn check(
    ctx: &Ctx,
    place: &Place,
    modules: &[Option<Module>],
    out: &mut Vec<Violation>,
) {
    let config = ctx.config;
    let severity = config.checks.get(Builtin::Unassigned);
    if severity == Severity::Off || !modules.first().is_none_or(|m| m.is_none()) {
        return;
    }
    let mut v = place.violation(
        place.first_line(),
        Builtin::Unassigned,
        severity,
        format!(
            "`{}` is in no module: add it to a module's `paths` in layergate.toml",
            place.rel
        ),
    );
    v.related = Some((config.checks_span, "the `unassigned` check".into()));
    out.push(v);
}
