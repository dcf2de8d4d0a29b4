rule_doc! {
    /// A suppression or `[[allow]]` entry is unused, expired, unexplained or names an
    /// unknown rule.
    ///
    /// ## What it does
    ///
    /// Reported on the `layergate-ignore` comment itself (at most one per comment): one
    /// that silences nothing, one whose `until` date has passed (the violation is
    /// reported again), one naming an unknown rule, and one without a reason after `:`
    /// (the quick fix's placeholder `<reason>`, left unedited, is no reason).
    /// An `[[allow]]` entry that silences nothing is reported on its line in
    /// layergate.toml.
    ///
    /// ## Why
    ///
    /// Stale exceptions hide the next real violation on the same line and make the
    /// config lie about the architecture.
    ///
    /// ## Example
    ///
    /// ```ts
    /// import { db } from "../infra/db"; // layergate-ignore layers: legacy, see #123
    /// ```
    ///
    /// ## How to fix
    ///
    /// Remove the unused suppression (a code action does it), give it a reason, or fix
    /// the rule id.
}

// The check is `analysis/suppress.rs`: it applies `[[allow]]` entries and
// `layergate-ignore` comments, and reports what they failed to silence.
