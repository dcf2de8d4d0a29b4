rule_doc! {
    /// A file could not be analysed (binary, over the size limit, unreadable, not
    /// UTF-8).
    ///
    /// ## What it does
    ///
    /// One info diagnostic on the file's first line. Files over 2 MiB are skipped
    /// without being read.
    ///
    /// ## Why
    ///
    /// layergate says what it did not check rather than pretending the file is clean.
    ///
    /// ## Example
    ///
    /// ```text
    /// src/vendor/bundle.min.js: 20.1 MB is over the size limit of 2 MB
    /// ```
    ///
    /// ## How to fix
    ///
    /// Exclude generated or vendored files in `[workspace] exclude`, or fix the
    /// encoding.
}

use super::common::*;

/// A file that was not analysed, and why.
pub(super) fn violation(place: &Place, reason: &str) -> Violation {
    place.violation(
        place.first_line(),
        Builtin::Skipped,
        Builtin::Skipped.default_severity(),
        format!("`{}` was not analysed: {reason}", place.rel),
    )
}
