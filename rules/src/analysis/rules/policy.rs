rule_doc! {
    /// A change weakens the policy: a rule removed or loosened, a suppression added,
    /// the baseline grown (`check --diff` only).
    ///
    /// ## What it does
    ///
    /// Reported by `layergate check --diff [REF]` only, comparing the work tree with
    /// the base REF (default: the merge base of HEAD with the default branch). Three
    /// kinds of change are reported as errors: a rule removed or loosened in
    /// `layergate.toml` (or an `[[allow]]` added): the base's config is evaluated on
    /// the current code, and each violation it reports that the current config no
    /// longer reports, or reports at a lower severity, is reported where it happens; a
    /// `layergate-ignore` comment added on a changed line (moving or re-wording an
    /// existing one is no change); and a baseline entry that is new or whose count
    /// grew, on its line in the baseline file. If the base's `layergate.toml` does not
    /// parse, that is a warning and rule changes are not compared. Suppressions,
    /// `[[allow]]` entries and the baseline never silence these diagnostics: the change
    /// being judged cannot approve itself.
    ///
    /// ## Why
    ///
    /// Architecture erodes one exception at a time. Loosening a rule, suppressing a
    /// violation or recording it in the baseline are sometimes right, but they are
    /// decisions about the architecture and belong in review, not buried in a diff that
    /// "only fixes the build". A change that only fixes violations reports nothing.
    ///
    /// ## Example
    ///
    /// ```diff
    ///  [[deny]]
    ///  id = "domain-is-pure"
    ///  from = ["domain"]
    /// -to = ["infra", "npm:axios"]
    /// +to = ["infra"]
    /// ```
    ///
    /// ```text
    /// src/domain/user.ts:1:1: error[policy]: let through by the change to layergate.toml since main (`domain-is-pure` no longer reports it): ...
    /// ```
    ///
    /// ## How to fix
    ///
    /// Fix the violations instead of loosening the rule, suppressing them or recording
    /// them in the baseline. When the weakening is intended, it is a decision for
    /// review: the `policy` error names what changed and what it lets through, so
    /// approvers see it; once the change is merged, `--diff` runs against a base that
    /// contains it no longer report it.
}

// The check is the ratchet of `check --diff` in the binary (`server/src/diff`):
// it needs the base revision, which the engine never reads.
