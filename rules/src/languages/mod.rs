//! The languages' implementations, one folder each: its extractor (syntax
//! tree → [`FileFacts`]), its resolver, and optionally a scanner that reads
//! imports without a tree (held to the tree's results by a differential
//! test). What the engine knows of a language besides is its line in
//! [`crate::lang::LANGUAGES`]; the matches here over [`Lang`] are exhaustive,
//! so a new language is a compile error until it has an extractor.

pub(crate) mod compare;
pub(crate) mod python;
pub(crate) mod rust;
pub(crate) mod ts;

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
        Lang::TypeScript | Lang::Tsx => ts::extract::extract(tree, text, lang),
        Lang::Rust => rust::extract::extract(tree, text),
        Lang::Python => python::extract::extract(tree, text),
    }
}

/// The facts of `text` read without a tree, for a language that has a
/// scanner; `None` when it has none or when the text has something the
/// scanner does not read (the caller then parses).
pub(crate) fn scan(lang: Lang, text: &str, lines: &crate::text::LineIndex) -> Option<FileFacts> {
    match lang {
        Lang::TypeScript | Lang::Tsx => ts::scan::scan_with_lines(text, lang, lines),
        Lang::Python => python::scan::scan_with_lines(text, lines),
        Lang::Rust => None,
    }
}
