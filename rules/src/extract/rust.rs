//! Rust extraction. (stub: being written)

use crate::facts::FileFacts;
use crate::lang::Lang;

/// Extracts `use` trees, qualified paths, `mod` declarations, `unsafe` and
/// suppressions from a Rust tree.
pub fn extract(_tree: &tree_sitter::Tree, _text: &str) -> FileFacts {
    FileFacts::empty(Lang::Rust)
}
