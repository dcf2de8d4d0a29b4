//! What the differential tests hold a scanner to: its facts against the
//! tree extractor's.

use crate::facts::FileFacts;

/// How a scanner compares with the tree-sitter extractor on one text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The scanner gave up; the file would be parsed in full.
    GaveUp,
    /// Both agree on imports, exports and suppressions.
    Agrees,
    /// The scanner read facts, but tree-sitter's tree has errors: the two
    /// recover from broken code differently, so they are not compared.
    TreeHasErrors,
    /// They disagree (a bug): what differs.
    Differs(String),
}

/// A scanner's facts against the tree extractor's: equal imports, exports
/// and suppressions, or what differs.
pub(crate) fn compare_facts(fast: &FileFacts, full: &FileFacts) -> Verdict {
    if fast.imports != full.imports {
        return Verdict::Differs(format!(
            "imports:\n  scan: {:?}\n  tree: {:?}",
            fast.imports, full.imports
        ));
    }
    if fast.exports != full.exports {
        return Verdict::Differs(format!(
            "exports:\n  scan: {:?}\n  tree: {:?}",
            fast.exports, full.exports
        ));
    }
    if fast.suppressions != full.suppressions {
        return Verdict::Differs(format!(
            "suppressions:\n  scan: {:?}\n  tree: {:?}",
            fast.suppressions, full.suppressions
        ));
    }
    Verdict::Agrees
}
