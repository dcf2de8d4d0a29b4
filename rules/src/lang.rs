//! The languages layergate reads: a registry of one line per language
//! ([`LANGUAGES`]: its grammars by extension, the names `[[pattern]]
//! language` accepts, the manifests its resolver reads, its comment syntax and
//! its API selector prefixes) and [`Lang`], the grammar a file is parsed with.
//! Matches over [`Language`] and [`Lang`] are exhaustive: a new language is a
//! compile error wherever it needs its extractor, scanner or resolver.

use serde::{Deserialize, Serialize};

/// A language: one extractor and one resolver, one grammar or more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    /// TypeScript and JavaScript (one resolver: bundler-mode resolution).
    TypeScript,
    Rust,
    Python,
}

/// What layergate knows of a language besides its extractor and resolver.
#[derive(Debug)]
pub struct LanguageDef {
    pub language: Language,
    /// The name in messages and docs.
    pub name: &'static str,
    /// The name where space is short (agents' context files).
    pub short_name: &'static str,
    /// The names `[[pattern]] language` accepts (the first is the canonical one).
    pub config_names: &'static [&'static str],
    /// File extensions and the grammar each is parsed with.
    pub extensions: &'static [(&'static str, Lang)],
    /// File names (`*` matches any run of characters) of the manifests its
    /// resolver reads: a change to one resolves every import again.
    pub manifests: &'static [&'static str],
    /// What a third-party dependency is called (`package`, `crate`).
    pub package_noun: &'static str,
    /// How a line comment starts (suppressions and their fixes).
    pub line_comment: &'static str,
    /// Prefixes of `[[boundary]] apis` / `[[deny]] to` selectors about it.
    pub selector_prefixes: &'static [&'static str],
}

/// Every language, one line each.
pub const LANGUAGES: &[LanguageDef] = &[
    LanguageDef {
        language: Language::TypeScript,
        name: "TypeScript/JavaScript",
        short_name: "TS/JS",
        config_names: &["typescript", "javascript", "ts", "js"],
        extensions: &[
            ("ts", Lang::TypeScript),
            ("tsx", Lang::Tsx),
            ("mts", Lang::TypeScript),
            ("cts", Lang::TypeScript),
            ("js", Lang::Tsx),
            ("jsx", Lang::Tsx),
            ("mjs", Lang::Tsx),
            ("cjs", Lang::Tsx),
        ],
        manifests: &[
            "package.json",
            "tsconfig*.json",
            "pnpm-workspace.yaml",
            "lerna.json",
        ],
        package_noun: "package",
        line_comment: "//",
        selector_prefixes: &["node:", "npm:", "global:"],
    },
    LanguageDef {
        language: Language::Rust,
        name: "Rust",
        short_name: "Rust",
        config_names: &["rust"],
        extensions: &[("rs", Lang::Rust)],
        manifests: &["Cargo.toml"],
        package_noun: "crate",
        line_comment: "//",
        selector_prefixes: &["crate:", "rust:"],
    },
    LanguageDef {
        language: Language::Python,
        name: "Python",
        short_name: "Python",
        config_names: &["python", "py"],
        extensions: &[("py", Lang::Python), ("pyi", Lang::Python)],
        manifests: &["pyproject.toml", "setup.cfg"],
        package_noun: "package",
        line_comment: "#",
        selector_prefixes: &["py:"],
    },
];

impl Language {
    pub fn def(self) -> &'static LanguageDef {
        LANGUAGES
            .iter()
            .find(|d| d.language == self)
            .expect("every language has its line in LANGUAGES")
    }

    /// The language `[[pattern]] language = name` means.
    pub fn from_config_name(name: &str) -> Option<Language> {
        LANGUAGES
            .iter()
            .find(|d| d.config_names.contains(&name))
            .map(|d| d.language)
    }

    /// Its grammars, each once, in the order of its extensions.
    pub fn grammars(self) -> Vec<Lang> {
        let mut out: Vec<Lang> = Vec::new();
        for (_, l) in self.def().extensions {
            if !out.contains(l) {
                out.push(*l);
            }
        }
        out
    }
}

/// Whether a file name is a manifest some language's resolver reads.
pub fn is_manifest(file_name: &str) -> bool {
    LANGUAGES
        .iter()
        .flat_map(|d| d.manifests)
        .any(|m| match m.split_once('*') {
            Some((head, tail)) => {
                file_name.len() >= head.len() + tail.len()
                    && file_name.starts_with(head)
                    && file_name.ends_with(tail)
            }
            None => file_name == *m,
        })
}

/// Every supported extension, for watchers and messages.
pub fn extensions() -> impl Iterator<Item = &'static str> {
    LANGUAGES
        .iter()
        .flat_map(|d| d.extensions.iter().map(|(e, _)| *e))
}

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
    /// `.py .pyi`.
    Python,
}

impl Lang {
    /// Every grammar.
    pub const ALL: &'static [Lang] = &[Lang::TypeScript, Lang::Tsx, Lang::Rust, Lang::Python];

    /// The grammar of a path, from its extension; `None` for unsupported files.
    pub fn from_path(path: &str) -> Option<Lang> {
        let ext = path.rsplit_once('.')?.1;
        LANGUAGES
            .iter()
            .flat_map(|d| d.extensions)
            .find(|(e, _)| *e == ext)
            .map(|(_, l)| *l)
    }

    /// The language this grammar parses.
    pub fn language(self) -> Language {
        match self {
            Lang::TypeScript | Lang::Tsx => Language::TypeScript,
            Lang::Rust => Language::Rust,
            Lang::Python => Language::Python,
        }
    }

    /// True for the TypeScript/JavaScript family.
    pub fn is_js_family(self) -> bool {
        self.language() == Language::TypeScript
    }

    /// The tree-sitter grammar for this language.
    pub fn grammar(self) -> tree_sitter::Language {
        match self {
            Lang::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Lang::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            Lang::Rust => tree_sitter_rust::LANGUAGE.into(),
            Lang::Python => tree_sitter_python::LANGUAGE.into(),
        }
    }

    /// Grammar name as written in config errors.
    pub fn grammar_name(self) -> &'static str {
        match self {
            Lang::TypeScript => "typescript",
            Lang::Tsx => "tsx",
            Lang::Rust => "rust",
            Lang::Python => "python",
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
        assert_eq!(Lang::from_path("a/b.py"), Some(Lang::Python));
        assert_eq!(Lang::from_path("a/b.pyi"), Some(Lang::Python));
        assert_eq!(Lang::from_path("a/b.pyc"), None);
        assert_eq!(Lang::from_path("Makefile"), None);
    }

    #[test]
    fn the_registry_is_consistent() {
        for l in Lang::ALL {
            assert!(l.language().grammars().contains(l), "{l:?}");
        }
        for d in LANGUAGES {
            assert_eq!(d.language.def().name, d.name);
            for n in d.config_names {
                assert_eq!(Language::from_config_name(n), Some(d.language));
            }
            for (e, l) in d.extensions {
                assert_eq!(Lang::from_path(&format!("a.{e}")), Some(*l));
            }
        }
        assert_eq!(
            Language::TypeScript.grammars(),
            [Lang::TypeScript, Lang::Tsx]
        );
        // the language server's watcher glob, as clients have always seen it
        assert_eq!(
            super::extensions().collect::<Vec<_>>().join(","),
            "ts,tsx,mts,cts,js,jsx,mjs,cjs,rs,py,pyi"
        );
        for m in [
            "package.json",
            "tsconfig.json",
            "tsconfig.build.json",
            "Cargo.toml",
            "lerna.json",
        ] {
            assert!(is_manifest(m), "{m}");
        }
        for m in ["tsconfig", "package.json5", "cargo.toml", "a.json"] {
            assert!(!is_manifest(m), "{m}");
        }
    }
}
