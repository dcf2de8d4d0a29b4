//! The output formats of `layergate check`: `human` (rustc/ruff-like code
//! frames), `json` (spec §3), `sarif` (SARIF 2.1.0 for GitHub code scanning)
//! and `github` (GitHub Actions workflow commands).
//!
//! Every format is a pure function from a [`Report`] to a `String`; the CLI
//! decides where it goes. The diagnostics arrive with `file` paths already
//! relative to the current directory (with `/`) and sorted by file, line,
//! column, rule; the formats keep that order.
//!
//! **Invariant:** baselined diagnostics never count as errors or warnings
//! (they are known debt); they are listed in `json` and `sarif` (marked), and
//! only counted in `human` and `github`.

mod github;
mod human;
pub mod json;
mod report;
mod sarif;

pub use github::github;
pub use human::human;
pub use json::json;
#[cfg(test)]
pub(crate) use report::fixture;
pub use report::{Counts, Report, RuleMeta};
pub use sarif::sarif;

#[cfg(test)]
mod tests {
    use super::fixture::{diag, diagnostics, report};
    use super::*;
    use rules::Severity;

    #[test]
    fn counts_exclude_baselined() {
        let ds = diagnostics();
        let c = report(&ds).counts();
        assert_eq!(
            c,
            Counts {
                errors: 1,
                warnings: 1,
                infos: 2,
                baselined: 1
            }
        );
    }

    #[test]
    fn baselined_error_is_not_an_error() {
        let ds = vec![diag(
            "a.ts",
            (1, 1, 1, 2),
            Severity::Error,
            "layers",
            "m",
            (None, None),
            None,
            true,
        )];
        let c = report(&ds).counts();
        assert_eq!(
            c,
            Counts {
                errors: 0,
                warnings: 0,
                infos: 0,
                baselined: 1
            }
        );
    }
}
