//! Supported languages and how a file's extension maps to a grammar.

use serde::{Deserialize, Serialize};

/// The grammar a file is parsed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// `.ts .mts .cts` (and `.d.ts`).
    TypeScript,
    /// `.tsx .js .jsx .mjs .cjs`: the tsx grammar parses JavaScript too.
    Tsx,
    /// `.rs`.
    Rust,
}

impl Lang {
    /// The language of a path, from its extension; `None` for unsupported files.
    pub fn from_path(path: &str) -> Option<Lang> {
        let ext = path.rsplit_once('.')?.1;
        match ext {
            "ts" | "mts" | "cts" => Some(Lang::TypeScript),
            "tsx" | "js" | "jsx" | "mjs" | "cjs" => Some(Lang::Tsx),
            "rs" => Some(Lang::Rust),
            _ => None,
        }
    }

    /// True for the TypeScript/JavaScript family.
    pub fn is_js_family(self) -> bool {
        matches!(self, Lang::TypeScript | Lang::Tsx)
    }

    /// The tree-sitter grammar for this language.
    pub fn grammar(self) -> tree_sitter::Language {
        match self {
            Lang::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Lang::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            Lang::Rust => tree_sitter_rust::LANGUAGE.into(),
        }
    }

    /// Grammar name as written in config errors.
    pub fn grammar_name(self) -> &'static str {
        match self {
            Lang::TypeScript => "typescript",
            Lang::Tsx => "tsx",
            Lang::Rust => "rust",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions() {
        assert_eq!(Lang::from_path("a/b.ts"), Some(Lang::TypeScript));
        assert_eq!(Lang::from_path("a/b.d.ts"), Some(Lang::TypeScript));
        assert_eq!(Lang::from_path("a/b.cjs"), Some(Lang::Tsx));
        assert_eq!(Lang::from_path("a/b.rs"), Some(Lang::Rust));
        assert_eq!(Lang::from_path("a/b.py"), None);
        assert_eq!(Lang::from_path("Makefile"), None);
    }
}
