//! Per-file facts: everything the engine needs to know about one file, extracted
//! from its syntax tree alone, without looking at any other file.
//!
//! **Invariant:** facts depend only on the file's text and language, so they can be
//! cached by content hash and recomputed for one file when it is edited.

use serde::{Deserialize, Serialize};

use crate::lang::Lang;

/// A range in a file's text: byte offsets (`start..end`, UTF-8) plus the 0-based
/// line and byte column of the start and end, so consumers can convert to any
/// position encoding with the text at hand.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
pub struct Span {
    pub start: u32,
    pub end: u32,
    /// 0-based line of `start`.
    pub line: u32,
    /// 0-based byte column of `start` within its line.
    pub col: u32,
    /// 0-based line of `end`.
    pub end_line: u32,
    /// 0-based byte column of `end` within its line.
    pub end_col: u32,
}

impl Span {
    /// The span of a tree-sitter node.
    pub fn of(node: &tree_sitter::Node<'_>) -> Span {
        let s = node.start_position();
        let e = node.end_position();
        Span {
            start: node.start_byte() as u32,
            end: node.end_byte() as u32,
            line: s.row as u32,
            col: s.column as u32,
            end_line: e.row as u32,
            end_col: e.column as u32,
        }
    }
}

/// How an import is written. Both languages share one list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ImportKind {
    // TS/JS
    /// `import x from 'm'`, `import { a } from 'm'`, `import x, { a } from 'm'`.
    Static,
    /// `import * as ns from 'm'`.
    Namespace,
    /// `import 'm'`.
    SideEffect,
    /// `export { a } from 'm'`, `export * as ns from 'm'`.
    ReExport,
    /// `export * from 'm'`.
    ReExportAll,
    /// `import('m')` with a string literal.
    Dynamic,
    /// `require('m')` with a string literal.
    Require,
    /// `import x = require('m')`.
    ImportEquals,
    // Rust
    /// A leaf of a `use` tree: `use a::b::c;`, `use a::{b, c as d};`, `use a::*;`.
    Use,
    /// `pub use` leaf (a re-export).
    PubUse,
    /// `extern crate foo;`
    ExternCrate,
    /// A qualified path written in code, a type, or a macro token tree.
    Path,
}

/// One name brought in by an import.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ImportedName {
    /// The exported name as written in the target (`default` for default imports).
    pub name: String,
    /// The local binding (equal to `name` when not renamed).
    pub local: String,
    /// `import { type X }`.
    pub type_only: bool,
}

/// A dependency written in a file.
///
/// * TS/JS: `specifier` is the module specifier string (`./x`, `react`, `node:fs`).
/// * Rust: `specifier` is the full path with `::` separators as written, after
///   expanding the `use` tree (`crate::a::b::C`, `super::x`, `std::env::var`,
///   `serde::Deserialize`); for a glob it ends in `::*`. For `ImportKind::Path`
///   whose first segment is a `use` alias, the alias is already expanded and
///   `via_use` is set, see [`ApiRef`]; such paths are not dependencies by
///   themselves and are emitted as `ApiRef`s, not `Import`s.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Import {
    pub kind: ImportKind,
    pub specifier: String,
    /// The whole import statement / use leaf / call / path: where diagnostics go.
    pub span: Span,
    /// `import type ...`, or every specifier is `type`. Always false for Rust.
    pub type_only: bool,
    /// Names imported (TS named/default imports, re-exported names; Rust: the
    /// last path segment, or the rename `as` target in `local`). Empty for
    /// namespace, side-effect, `export *`, dynamic and require imports.
    pub names: Vec<ImportedName>,
}

/// A use of an API that is not an import by itself:
/// * TS/JS: a read or call of a global not shadowed by a local binding, as a
///   member chain `process.env.HOME`, `eval`, `fetch`; or a member chain rooted at
///   a binding imported from `process`/`node:process` (`env.HOME` after
///   `import { env } from 'node:process'` is `process.env.HOME`).
/// * Rust: a path in code, a type or a macro token tree (2+ segments) whose
///   first segment was brought in by a `use` (`env::var` after `use std::env;`
///   is `std::env::var`), expanded through that use; and fully qualified paths
///   whose first segment is not a use alias (`std::process::Command::new`), not
///   expanded (`via_use` is `None`). Fully qualified paths are *also* emitted as
///   [`Import`]s of kind `Path` when they may name another file or crate.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ApiRef {
    /// TS: dotted (`process.env.HOME`); Rust: `::`-separated, expanded.
    pub path: String,
    pub span: Span,
    /// Index into [`FileFacts::imports`] of the import whose binding this path
    /// extends, if any. An API already introduced by that import is reported
    /// there, not again here.
    pub via_import: Option<u32>,
    /// TS/JS: for a chain rooted at a local alias of a global
    /// (`const token = process.env.T; use(token)`, `const { env } = process`),
    /// the path of the declaration's value (`process.env.T`, `process`): that
    /// declaration introduced everything at or below it, so an API it already
    /// matched is not reported again here.
    pub introduced_as: Option<String>,
}

/// The names of the global object in JavaScript: `window.fetch`,
/// `globalThis.fetch`, `self.fetch` and `global.fetch` are all `fetch`.
pub const GLOBAL_OBJECTS: &[&str] = &["globalThis", "window", "self", "global"];

/// A global API's dotted path without the global object in front
/// (`window.globalThis.fetch` → `fetch`); the object alone stays itself.
pub fn strip_global_object(path: &str) -> &str {
    let mut p = path;
    while let Some((first, rest)) = p.split_once('.') {
        if !GLOBAL_OBJECTS.contains(&first) || rest.is_empty() {
            break;
        }
        p = rest;
    }
    p
}

/// The deepest inline `mod` blocks may nest in one file: a file that nests
/// deeper is `skipped` (the extractor stops there), so 50,000 nested blocks
/// cost what 100 do.
pub const MAX_MOD_NESTING: usize = 100;

/// `mod name;` or `mod name { ... }` in a Rust file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]

pub struct ModDecl {
    pub name: String,
    /// `#[path = "..."]` on the declaration.
    pub path_attr: Option<String>,
    /// `#[cfg_attr(pred, path = "...")]` on the declaration, in source order:
    /// the files the module may be, per configuration (rustix's `backend`
    /// is `backend/libc/mod.rs` or `backend/linux_raw/mod.rs`).
    pub cfg_paths: Vec<String>,
    /// `mod name { ... }`: the module's items are in this file.
    pub inline: bool,
    /// `include!("file.rs")` at item level: not a module, the file's items
    /// (and its `mod` declarations) are this module's; the path is in
    /// `path_attr`, relative to the declaring file's directory, and `name`
    /// is empty.
    pub include: bool,
    /// For declarations nested in inline modules: the names of the enclosing
    /// inline modules, outermost first (`mod a { mod b; }` gives `["a"]` for `b`).
    pub parents: Vec<String>,
    pub span: Span,
}

/// What a TS/JS file or Rust file makes available to importers, for
/// re-export following.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exports {
    /// Names declared in this file and exported (TS `export const x`,
    /// `export function f`, `export default`, `export { local }` of a local
    /// declaration; Rust: `pub` items at file level). A set: sorted and
    /// without duplicates ([`Exports::finish`]), so that [`Exports::defines`]
    /// is a binary search (index files export hundreds of names, and every
    /// imported name asks).
    pub local: Vec<String>,
    /// Rust: every name the file's modules declare or import, at any module
    /// level of the file (items, `mod`s, `macro_rules!`, `extern crate`,
    /// `use` bindings, a proc-macro crate's derive names), sorted: what a
    /// path into the file may name after its module (item-level
    /// `unresolved`). Empty for TS/JS.
    pub names: Vec<String>,
    /// Rust: the file's modules may hold names not listed in `names`: a glob
    /// `use`, an item-level macro call, or a derive or attribute macro that
    /// may generate items.
    pub open: bool,
    /// Rust: `#[macro_export]` macros the file defines, at any module level:
    /// they are named at the crate root.
    pub macros: Vec<String>,
}

impl Exports {
    /// Whether a path into this (Rust) file may name `name` after its module.
    pub fn may_name(&self, name: &str) -> bool {
        self.open
            || self
                .names
                .binary_search_by(|n| n.as_str().cmp(name))
                .is_ok()
    }

    /// Whether the file itself defines and exports `name`.
    pub fn defines(&self, name: &str) -> bool {
        self.local
            .binary_search_by(|n| n.as_str().cmp(name))
            .is_ok()
    }

    /// Sorts and deduplicates [`Exports::local`]; every extractor calls it
    /// last.
    pub fn finish(&mut self) {
        self.local.sort_unstable();
        self.local.dedup();
        self.names.sort_unstable();
        self.names.dedup();
        self.macros.sort_unstable();
        self.macros.dedup();
    }
}

/// One `layergate-ignore` / `layergate-ignore-file` comment.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Suppression {
    /// `layergate-ignore-file`.
    pub file_level: bool,
    /// Rule ids as written.
    pub rules: Vec<String>,
    /// `until YYYY-MM-DD` as written (validated by the engine).
    pub until: Option<String>,
    /// Text after the `:`; `None` when absent or empty.
    pub reason: Option<String>,
    /// The comment itself.
    pub span: Span,
    /// The 0-based line this suppression applies to: the comment's own line
    /// when code precedes it on that line (a trailing comment), else the line
    /// after the comment's last line (a comment alone on its line).
    pub target_line: u32,
}

/// Everything extracted from one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileFacts {
    pub lang: Lang,
    pub imports: Vec<Import>,
    pub apis: Vec<ApiRef>,
    /// Rust `unsafe` blocks, fns, impls and traits (the `unsafe` keyword's
    /// enclosing item head, or the block).
    pub unsafe_spans: Vec<Span>,
    pub mods: Vec<ModDecl>,
    pub exports: Exports,
    pub suppressions: Vec<Suppression>,
    /// The tree had ERROR or MISSING nodes.
    pub has_syntax_errors: bool,
    /// Read by the import scanner ([`crate::languages::ts::scan`]), not from a
    /// syntax tree: `apis` was not computed and `has_syntax_errors` is false.
    pub scanned: bool,
}

impl FileFacts {
    /// Whether the file re-exports anything (`export … from`, `pub use`): if
    /// not, every name imported from it is defined in it or nowhere, and
    /// re-export following stops there.
    pub fn reexports(&self) -> bool {
        self.imports.iter().any(|i| {
            matches!(
                i.kind,
                ImportKind::ReExport | ImportKind::ReExportAll | ImportKind::PubUse
            )
        })
    }

    pub fn empty(lang: Lang) -> FileFacts {
        FileFacts {
            lang,
            imports: Vec::new(),
            apis: Vec::new(),
            unsafe_spans: Vec::new(),
            mods: Vec::new(),
            exports: Exports::default(),
            suppressions: Vec::new(),
            has_syntax_errors: false,
            scanned: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_global_object_is_not_part_of_a_global_path() {
        assert_eq!(strip_global_object("window.fetch"), "fetch");
        assert_eq!(strip_global_object("window.globalThis.self.fetch"), "fetch");
        assert_eq!(
            strip_global_object("globalThis.process.env.X"),
            "process.env.X"
        );
        assert_eq!(strip_global_object("window"), "window");
        assert_eq!(strip_global_object("window."), "window.");
        assert_eq!(strip_global_object("fetch"), "fetch");
        assert_eq!(
            strip_global_object("document.window.x"),
            "document.window.x"
        );
    }

    #[test]
    fn exports_are_a_set_searched_by_name() {
        let mut e = Exports {
            local: ["b", "default", "a", "B", "b"].map(String::from).to_vec(),
            names: ["z", "y", "z"].map(String::from).to_vec(),
            ..Exports::default()
        };
        e.finish();
        assert_eq!(e.local, ["B", "a", "b", "default"]);
        assert_eq!(e.names, ["y", "z"]);
        assert!(e.may_name("y") && !e.may_name("x"));
        e.open = true;
        assert!(e.may_name("x"));
        for name in ["B", "a", "b", "default"] {
            assert!(e.defines(name), "{name}");
        }
        for name in ["", "A", "c", "defaults", "bb"] {
            assert!(!e.defines(name), "{name}");
        }
    }
}

/// A `[[pattern]]` match in a file: (pattern index, captured node span, captured text).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PatternHit {
    pub pattern: usize,
    pub span: Span,
    pub text: String,
}
