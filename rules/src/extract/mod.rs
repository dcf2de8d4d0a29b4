//! Extraction: syntax tree → [`FileFacts`]. One module per language family.

pub mod rust;
pub mod scan;
pub mod suppress;
pub mod ts;

use crate::facts::FileFacts;
use crate::lang::Lang;

/// Parses `text` (reusing `old_tree` for incremental parsing when it was edited
/// with `Tree::edit`) and extracts the file's facts. Never fails: a file that
/// does not parse still yields what tree-sitter's error recovery leaves.
pub fn parse_and_extract(
    lang: Lang,
    text: &str,
    old_tree: Option<&tree_sitter::Tree>,
) -> (FileFacts, Option<tree_sitter::Tree>) {
    let mut parser = tree_sitter::Parser::new();
    if parser.set_language(&lang.grammar()).is_err() {
        return (FileFacts::empty(lang), None);
    }
    let Some(tree) = parser.parse(text, old_tree) else {
        return (FileFacts::empty(lang), None);
    };
    let facts = extract(lang, &tree, text);
    (facts, Some(tree))
}

/// Extracts facts from an already parsed tree.
pub fn extract(lang: Lang, tree: &tree_sitter::Tree, text: &str) -> FileFacts {
    match lang {
        Lang::TypeScript | Lang::Tsx => ts::extract(tree, text, lang),
        Lang::Rust => rust::extract(tree, text),
    }
}
