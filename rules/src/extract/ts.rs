//! TypeScript / JavaScript extraction. (stub: being written)

use crate::facts::FileFacts;
use crate::lang::Lang;

/// Extracts imports, global API uses, exports and suppressions from a TS/JS tree.
pub fn extract(_tree: &tree_sitter::Tree, _text: &str, lang: Lang) -> FileFacts {
    FileFacts::empty(lang)
}
