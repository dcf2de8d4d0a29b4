rule_doc! {
    /// A file that is not a test imports a test file (off by default).
    ///
    /// ## What it does
    ///
    /// Test files are the files `[workspace] tests` matches (default: `**/*.test.*`,
    /// `**/*.spec.*`, `**/__tests__/**`, `**/test/**`, `**/tests/**`, and Rust
    /// `**/benches/**/*.rs`, `**/examples/**/*.rs`). An import from any other file
    /// whose direct target is a test file is reported at the import. Type-only imports
    /// count as `type_only_imports` says. Enable with `[checks] test_imports =
    /// "error"`.
    ///
    /// ## Why
    ///
    /// Production code that imports a test helper ships the test code (and its test
    /// framework) with it, and breaks as soon as the tests move. Fixtures and fakes
    /// that production needs belong in a module of their own.
    ///
    /// ## Example
    ///
    /// ```toml
    /// [checks]
    /// test_imports = "error"
    /// ```
    ///
    /// ```ts
    /// // src/billing/invoice.ts
    /// import { fakeClock } from "./invoice.test"; // test-import
    /// ```
    ///
    /// ## How to fix
    ///
    /// Move what production code needs out of the test file into a module both can
    /// import, or mark the file as not a test in `[workspace] tests`.
}

use super::common::*;

/// Imports of test files from files that are not tests, judged by the direct
/// target.
pub(super) fn check(ctx: &Ctx, place: &Place, edges: &[Edge], out: &mut Vec<Violation>) {
    let config = ctx.config;
    let severity = config.checks.get(Builtin::TestImport);
    if severity == Severity::Off || config.is_test(place.rel) {
        return;
    }
    for edge in edges {
        let Resolved::File(target) = edge.resolved else {
            continue;
        };
        if !ctx.counts(edge.import) || !config.is_test(target) {
            continue;
        }
        let mods = ctx.modules_of(place.rel);
        let to_mods = ctx.modules_of(target);
        let (from, to) = (first_module(&mods), first_module(&to_mods));
        let mut v = place.violation(
            edge.import.span,
            Builtin::TestImport,
            severity,
            format!(
                "{} imports {}, a test file: code that is not a test may not depend on tests",
                describe(place.rel, from),
                describe(target, to)
            ),
        );
        v.from_module = from.map(|m| m.name.to_string());
        v.to_module = to.map(|m| m.name.to_string());
        v.target = Some(target.clone());
        v.target_file = Some(target.clone());
        v.related = Some((config.checks_span, "the `test_imports` check".into()));
        out.push(v);
    }
}
