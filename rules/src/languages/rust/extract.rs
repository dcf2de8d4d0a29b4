//! Rust extraction: `use` trees, `extern crate`, qualified paths in code, types
//! and macro token trees, `mod` declarations, `unsafe`, top-level `pub` items
//! and suppression comments.
//!
//! One explicit-stack walk over the tree (never recursion, so deeply nested
//! input cannot overflow the stack). Paths are collected as *pending* items and
//! resolved against the file's `use` aliases at the end, because an alias is
//! file-wide: a `use` below a path still expands it.
//!
//! Choices worth knowing:
//! * Only the outermost path node is taken (`std::process::Command::new` once);
//!   generic arguments are dropped from the path (`Vec::<u8>::new` is
//!   `Vec::new`) and the paths inside them are taken on their own.
//! * Paths headed by `Self` or a qualified type (`<T as Tr>::f`) are skipped;
//!   `$crate` (in `macro_rules!` bodies) is written `crate`.
//! * `extern crate foo as bar;` binds `bar` like a `use` alias; a plain
//!   `extern crate foo;` binds nothing, so `foo::x()` stays a `Path` import.
//! * Attributes are code: their path (`#[tokio::main]`), `derive(..)` lists
//!   and paths in their arguments count, and `cfg_attr(pred, attrs..)` counts
//!   its attributes, not its predicate. Lint attributes (`allow(clippy::x)`),
//!   `cfg(..)` predicates and tool attributes (`#[rustfmt::skip]`) name no
//!   crate and hold no paths. Visibility modifiers (`pub(in crate::a)`) hold
//!   no paths either.

use std::collections::HashMap;

use tree_sitter::Node;

use crate::extract::suppress;
use crate::facts::{
    ApiRef, Exports, FileFacts, Import, ImportKind, ImportedName, ModDecl, Span, Suppression,
};
use crate::lang::Lang;

/// Extracts `use` trees, qualified paths, `mod` declarations, `unsafe` and
/// suppressions from a Rust tree.
pub(crate) fn extract(tree: &tree_sitter::Tree, text: &str) -> FileFacts {
    extract_with(tree, text, true)
}

/// [`extract`]; `prune: false` walks every subtree, even those whose text
/// shows they hold nothing to extract (for checking that pruning changes
/// nothing).
#[doc(hidden)]
pub(crate) fn extract_with(tree: &tree_sitter::Tree, text: &str, prune: bool) -> FileFacts {
    let root = tree.root_node();
    let mut w = Walker {
        text,
        pending: Vec::new(),
        unsafe_spans: Vec::new(),
        mods: Vec::new(),
        suppressions: Vec::new(),
        mod_stack: Vec::new(),
        stack: vec![Task::Visit(root)],
        cursor: root.walk(),
        marks: prune.then(|| Marks::new(text)),
    };
    w.run();
    let (imports, apis) = resolve_pending(w.pending);
    let mut unsafe_spans = w.unsafe_spans;
    unsafe_spans.sort_by_key(|s| s.start);
    let mut suppressions = w.suppressions;
    suppressions.sort_by_key(|s| s.span.start);
    let (names, mut open, macros) = module_names(root, text, &imports);
    // an inline module inside a function body (thiserror's `mod kw {
    // syn::custom_keyword!(..); }`): its items were not listed
    let listed = module_level_mods(root);
    open |= w
        .mods
        .iter()
        .any(|m| m.inline && !listed.contains(&m.span.start));
    let mut exports = Exports {
        local: top_level_exports(root, text),
        names,
        open,
        macros,
    };
    exports.finish();
    FileFacts {
        lang: Lang::Rust,
        imports,
        apis,
        unsafe_spans,
        mods: w.mods,
        exports,
        suppressions,
        has_syntax_errors: root.has_error(),
        scanned: false,
    }
}

/// What a suppression comment says; a comment without it is not one.
const IGNORE_WORD: &str = "layergate-ignore";

/// Where the file's text holds something the walk may extract: every path
/// recorded has `::`, every suppression says `layergate-ignore`, and `unsafe`,
/// `mod`, `use` and `extern crate` items name their keyword. A subtree whose
/// range holds none of these is barren and not walked: walking the tree costs
/// about half a parse, and most statements and expressions are barren.
/// Found once per file, so asking about a subtree is a binary search rather
/// than a scan of its text.
struct Marks {
    /// (start, end) of every occurrence, overlapping ones included, by start.
    spans: Vec<(u32, u32)>,
    /// Where `layergate-ignore` occurs (what a comment needs to matter).
    ignores: Vec<u32>,
}

impl Marks {
    fn new(text: &str) -> Marks {
        use memchr::memmem::Finder;
        use std::sync::LazyLock;
        static KEYWORDS: LazyLock<Vec<Finder<'static>>> = LazyLock::new(|| {
            ["unsafe", "mod", "use", "extern", "include"]
                .iter()
                .map(|w| Finder::new(w.as_bytes()))
                .collect()
        });
        static IGNORE: LazyLock<Finder<'static>> =
            LazyLock::new(|| Finder::new(IGNORE_WORD.as_bytes()));
        let t = text.as_bytes();
        let ignores: Vec<u32> = IGNORE.find_iter(t).map(|i| i as u32).collect();
        // every `::`, overlapping ones too (`:::` holds two)
        let mut spans: Vec<(u32, u32)> = memchr::memchr_iter(b':', t)
            .filter(|&i| t.get(i + 1) == Some(&b':'))
            .map(|i| (i as u32, i as u32 + 2))
            .collect();
        // no word overlaps itself, so non-overlapping matches are all
        for w in KEYWORDS.iter() {
            let n = w.needle().len() as u32;
            spans.extend(w.find_iter(t).map(|i| (i as u32, i as u32 + n)));
        }
        let n = IGNORE_WORD.len() as u32;
        spans.extend(ignores.iter().map(|&i| (i, i + n)));
        spans.sort_unstable();
        Marks { spans, ignores }
    }

    /// Whether `range` holds a whole `layergate-ignore`.
    fn has_ignore(&self, range: std::ops::Range<usize>) -> bool {
        let first = self
            .ignores
            .partition_point(|&s| (s as usize) < range.start);
        self.ignores
            .get(first)
            .is_some_and(|&s| s as usize + IGNORE_WORD.len() <= range.end)
    }

    /// Whether `range` holds no mark entirely (and is worth skipping: longer
    /// than 8 bytes).
    fn barren(&self, range: std::ops::Range<usize>) -> bool {
        if range.len() <= 8 {
            return false;
        }
        let (start, end) = (range.start as u32, range.end as u32);
        let first = self.spans.partition_point(|&(s, _)| s < start);
        !self.spans[first..]
            .iter()
            .take_while(|&&(s, _)| s < end)
            .any(|&(_, e)| e <= end)
    }
}

enum Task<'t> {
    Visit(Node<'t>),
    /// Leave the innermost inline `mod`.
    LeaveMod,
}

/// A use leaf / extern crate (always an import), or a path written in code
/// (an import or an API reference, depending on the file's aliases).
enum Pending {
    Import {
        import: Import,
        /// The leaf binds its `local` name as an alias.
        binds: bool,
    },
    Path {
        /// As written, generic arguments dropped; leading `::` kept.
        path: String,
        /// False for `::a::b` paths: their head is never an alias.
        aliasable: bool,
        span: Span,
    },
}

impl Pending {
    fn start(&self) -> u32 {
        match self {
            Pending::Import { import, .. } => import.span.start,
            Pending::Path { span, .. } => span.start,
        }
    }
}

struct Walker<'t> {
    text: &'t str,
    pending: Vec<Pending>,
    unsafe_spans: Vec<Span>,
    mods: Vec<ModDecl>,
    suppressions: Vec<Suppression>,
    /// Names of the enclosing inline modules, outermost first.
    mod_stack: Vec<String>,
    stack: Vec<Task<'t>>,
    /// One cursor for listing children, reset per node (a new cursor per
    /// node would allocate per node).
    cursor: tree_sitter::TreeCursor<'t>,
    /// Skip subtrees whose text holds nothing to extract ([`Marks`]);
    /// `None`: walk everything.
    marks: Option<Marks>,
}

impl<'t> Walker<'t> {
    fn src(&self, node: Node<'_>) -> &'t str {
        &self.text[node.byte_range()]
    }

    fn run(&mut self) {
        while let Some(task) = self.stack.pop() {
            match task {
                Task::LeaveMod => {
                    self.mod_stack.pop();
                }
                Task::Visit(node) => self.visit(node),
            }
        }
    }

    /// Pushes `node`'s named children so that they are visited in source order.
    fn push_children(&mut self, node: Node<'t>) {
        let base = self.stack.len();
        self.cursor.reset(node);
        if let Some(marks) = &self.marks {
            // only the children holding a mark: jump to each from the next
            // mark instead of stepping over every child (most are barren)
            let spans = &marks.spans;
            let end = node.end_byte();
            let mut i = spans.partition_point(|&(s, _)| (s as usize) < node.start_byte());
            while let Some(&(start, stop)) = spans.get(i).filter(|m| (m.0 as usize) < end) {
                if stop as usize > end {
                    i += 1;
                    continue;
                }
                self.cursor.reset(node);
                if self
                    .cursor
                    .goto_first_child_for_byte(start as usize)
                    .is_none()
                {
                    break;
                }
                let child = self.cursor.node();
                if child.is_named() {
                    self.stack.push(Task::Visit(child));
                }
                // the marks inside this child are its own walk's business
                let child_end = child.end_byte().max(start as usize + 1);
                while spans.get(i).is_some_and(|m| (m.0 as usize) < child_end) {
                    i += 1;
                }
            }
        } else if self.cursor.goto_first_child() {
            loop {
                let child = self.cursor.node();
                if child.is_named() {
                    self.stack.push(Task::Visit(child));
                }
                if !self.cursor.goto_next_sibling() {
                    break;
                }
            }
        }
        self.stack[base..].reverse();
    }

    fn visit(&mut self, node: Node<'t>) {
        match node.kind() {
            "line_comment" | "block_comment" => self.comment(node),
            "use_declaration" => self.use_declaration(node),
            "extern_crate_declaration" => self.extern_crate(node),
            "mod_item" => self.mod_item(node),
            "scoped_identifier" | "scoped_type_identifier" => self.code_path(node),
            "token_tree" | "token_repetition" | "ERROR" if !self.barren(node) => {
                self.scan_tokens(node)
            }
            "macro_invocation" if self.is_item_include(node).is_some() => {
                if let Some(path) = self.is_item_include(node) {
                    self.mods.push(ModDecl {
                        name: String::new(),
                        path_attr: Some(path),
                        cfg_paths: Vec::new(),
                        inline: false,
                        include: true,
                        parents: self.mod_stack.clone(),
                        span: Span::of(&node),
                    });
                }
                self.push_children(node);
            }
            "macro_invocation" if self.is_quoting(node) => {
                // code a procedural macro generates for its caller: its paths
                // are not this crate's dependencies, but the macro's own path
                // (`quote::quote!`) is
                if let Some(name) = node.child_by_field_name("macro") {
                    self.stack.push(Task::Visit(name));
                }
                self.comments_only(node);
            }
            "attribute_item" | "inner_attribute_item" => self.attribute_item(node),
            "visibility_modifier" => self.comments_only(node),
            "string_literal" | "raw_string_literal" | "char_literal" => {}
            "unsafe_block" => {
                self.unsafe_spans.push(Span::of(&node));
                self.push_children(node);
            }
            "function_item" | "function_signature_item" => {
                let mut cursor = node.walk();
                let kw = node
                    .children(&mut cursor)
                    .find(|c| c.kind() == "function_modifiers")
                    .and_then(|m| child_of_kind(m, "unsafe"));
                if let Some(kw) = kw {
                    let end = node.child_by_field_name("name").unwrap_or(node);
                    self.unsafe_spans.push(span_between(kw, end));
                }
                self.push_children(node);
            }
            "impl_item" | "trait_item" | "foreign_mod_item" => {
                if let Some(kw) = child_of_kind(node, "unsafe") {
                    let end = match node.kind() {
                        "impl_item" => node.child_by_field_name("type"),
                        "trait_item" => node.child_by_field_name("name"),
                        _ => child_of_kind(node, "extern_modifier"),
                    };
                    self.unsafe_spans
                        .push(span_between(kw, end.unwrap_or(node)));
                }
                self.push_children(node);
            }
            _ if self.barren(node) => {}
            _ => self.push_children(node),
        }
    }

    /// Whether pruning is on and `node` holds nothing to extract.
    fn barren(&self, node: Node<'_>) -> bool {
        self.marks
            .as_ref()
            .is_some_and(|m| m.barren(node.byte_range()))
    }

    /// `include!("path")` (also `std::include!`, `core::include!`) written
    /// as an item: the path.
    fn is_item_include(&self, node: Node<'t>) -> Option<String> {
        let item_level = node.parent().is_some_and(|p| {
            p.kind() == "source_file"
                || p.kind() == "declaration_list"
                || (p.kind() == "expression_statement"
                    && p.parent().is_some_and(|g| g.kind() == "source_file"))
        });
        if !item_level {
            return None;
        }
        let name = self.src(node.child_by_field_name("macro")?);
        if !matches!(
            name,
            "include" | "std::include" | "core::include" | "::std::include" | "::core::include"
        ) {
            return None;
        }
        let tree = node
            .named_children(&mut node.walk())
            .find(|c| c.kind() == "token_tree")?;
        let mut c = tree.walk();
        let args: Vec<Node<'t>> = tree.named_children(&mut c).collect();
        match args.as_slice() {
            [lit] if matches!(lit.kind(), "string_literal" | "raw_string_literal") => {
                Some(string_value(*lit, self.text))
            }
            _ => None,
        }
    }

    /// Skipped subtrees (attributes) may still hold suppression comments.
    /// `quote!`, `quote_spanned!`, `parse_quote!`, `parse_quote_spanned!`,
    /// also written with a path (`syn::parse_quote!`).
    fn is_quoting(&self, node: Node<'t>) -> bool {
        node.child_by_field_name("macro").is_some_and(|m| {
            matches!(
                last_segment(self.src(m)),
                "quote" | "quote_spanned" | "parse_quote" | "parse_quote_spanned"
            )
        })
    }

    /// `#[..]` / `#![..]`: the attribute's path and the paths in its
    /// arguments or value, unless it is one whose arguments are not code
    /// ([`attribute_is_inert`]); `cfg_attr` counts its attributes.
    fn attribute_item(&mut self, node: Node<'t>) {
        let Some(attr) = node.named_child(0).filter(|a| a.kind() == "attribute") else {
            return self.comments_only(node);
        };
        let args = attr.child_by_field_name("arguments");
        let path = attr
            .named_child(0)
            .filter(|p| Some(*p) != args && Some(*p) != attr.child_by_field_name("value"));
        let name = path.map(|p| self.src(p)).unwrap_or("");
        if name == "cfg_attr" {
            self.comments_outside(node, attr);
            if let Some(args) = args {
                self.cfg_attr_args(args);
            }
            return;
        }
        if attribute_is_inert(name) {
            return self.comments_only(node);
        }
        self.comments_outside(node, attr);
        self.push_children(attr);
    }

    /// Comments of an attribute item outside its attribute (`# /* x */ [..]`).
    fn comments_outside(&mut self, item: Node<'t>, attr: Node<'t>) {
        let mut cursor = item.walk();
        for c in item.children(&mut cursor) {
            if c != attr && matches!(c.kind(), "line_comment" | "block_comment") {
                self.comment(c);
            }
        }
    }

    /// The arguments of `cfg_attr(pred, a, b(..), ..)`: the predicate is not
    /// code; each attribute after it is read as a written one would be.
    fn cfg_attr_args(&mut self, tt: Node<'t>) {
        let mut cursor = tt.walk();
        let tokens: Vec<Node<'t>> = tt.children(&mut cursor).collect();
        // between the delimiters, split at top-level commas
        let inner = match tokens.len() {
            0..=2 => &[][..],
            n => &tokens[1..n - 1],
        };
        for (i, seg) in inner.split(|t| t.kind() == ",").enumerate() {
            let path_len = seg
                .iter()
                .take_while(|t| {
                    matches!(t.kind(), "identifier" | "::" | "crate" | "self" | "super")
                })
                .count();
            let name: String = seg[..path_len].iter().map(|t| self.src(*t)).collect();
            if i == 0 || attribute_is_inert(&name) {
                for t in seg {
                    self.comments_only(*t);
                    if matches!(t.kind(), "line_comment" | "block_comment") {
                        self.comment(*t);
                    }
                }
            } else if name == "cfg_attr" {
                for t in seg {
                    if t.kind() == "token_tree" {
                        self.cfg_attr_args(*t);
                    } else if matches!(t.kind(), "line_comment" | "block_comment") {
                        self.comment(*t);
                    }
                }
            } else {
                self.scan_token_list(seg);
            }
        }
    }

    fn comments_only(&mut self, node: Node<'t>) {
        let no_ignore = self
            .marks
            .as_ref()
            .is_some_and(|m| !m.has_ignore(node.byte_range()));
        if node.child_count() == 0 || no_ignore {
            return;
        }
        let mut cursor = node.walk();
        let mut depth = 0usize;
        if !cursor.goto_first_child() {
            return;
        }
        depth += 1;
        loop {
            let n = cursor.node();
            if matches!(n.kind(), "line_comment" | "block_comment") {
                self.comment(n);
            } else if cursor.goto_first_child() {
                depth += 1;
                continue;
            }
            loop {
                if cursor.goto_next_sibling() {
                    break;
                }
                if depth <= 1 || !cursor.goto_parent() {
                    return;
                }
                depth -= 1;
            }
        }
    }

    fn comment(&mut self, node: Node<'t>) {
        let raw = self.src(node);
        // doc line comments include their newline in tree-sitter-rust 0.24
        let body = raw.trim_end_matches(['\n', '\r']);
        let mut span = Span::of(&node);
        if body.len() < raw.len() {
            span.end = span.start + body.len() as u32;
            span.end_line = span.line;
            span.end_col = span.col + body.len() as u32;
        }
        let before = suppress::code_before(self.text, node.start_byte());
        if let Some(s) = suppress::parse_comment(body, span, before) {
            self.suppressions.push(s);
        }
    }

    fn mod_item(&mut self, node: Node<'t>) {
        let Some(name) = node.child_by_field_name("name") else {
            self.push_children(node);
            return;
        };
        // `mod r#type;` is the module `type` (file `type.rs`)
        let name = self.src(name).trim_start_matches("r#").to_string();
        let body = node.child_by_field_name("body");
        if body.is_some() && self.mod_stack.len() >= crate::facts::MAX_MOD_NESTING {
            // the file will be `skipped`: this marker says why
            self.mods.push(ModDecl {
                name,
                path_attr: None,
                cfg_paths: Vec::new(),
                inline: true,
                include: false,
                parents: self.mod_stack.clone(),
                span: Span::of(&node),
            });
            return;
        }
        let (path_attr, cfg_paths) = path_attributes(node, self.text);
        self.mods.push(ModDecl {
            name: name.clone(),
            path_attr,
            cfg_paths,
            inline: body.is_some(),
            include: false,
            parents: self.mod_stack.clone(),
            span: Span::of(&node),
        });
        if body.is_some() {
            self.mod_stack.push(name);
            self.stack.push(Task::LeaveMod);
        }
        self.push_children(node);
    }

    fn extern_crate(&mut self, node: Node<'t>) {
        self.comments_only(node);
        let Some(name) = node.child_by_field_name("name") else {
            return;
        };
        let name = self.src(name);
        let alias = node.child_by_field_name("alias").map(|a| self.src(a));
        self.pending.push(Pending::Import {
            import: Import {
                kind: ImportKind::ExternCrate,
                specifier: name.to_string(),
                span: Span::of(&node),
                type_only: false,
                names: vec![ImportedName {
                    name: name.to_string(),
                    local: alias.unwrap_or(name).to_string(),
                    type_only: false,
                }],
            },
            binds: alias.is_some_and(|a| a != name && a != "_"),
        });
    }

    /// Expands a `use` tree into one import per leaf.
    fn use_declaration(&mut self, node: Node<'t>) {
        let kind = if child_of_kind(node, "visibility_modifier").is_some() {
            ImportKind::PubUse
        } else {
            ImportKind::Use
        };
        let Some(arg) = node.child_by_field_name("argument") else {
            self.comments_only(node);
            return;
        };
        // comments between `use` and the tree, or before `;`
        let mut cursor = node.walk();
        for c in node.named_children(&mut cursor) {
            if matches!(c.kind(), "line_comment" | "block_comment") {
                self.comment(c);
            }
        }
        let mut work: Vec<(Node<'t>, String)> = vec![(arg, String::new())];
        while let Some((n, prefix)) = work.pop() {
            match n.kind() {
                "use_list" => {
                    let base = work.len();
                    let mut cursor = n.walk();
                    for c in n.named_children(&mut cursor) {
                        if matches!(c.kind(), "line_comment" | "block_comment") {
                            self.comment(c);
                        } else {
                            work.push((c, prefix.clone()));
                        }
                    }
                    work[base..].reverse();
                }
                "scoped_use_list" => {
                    self.comments_only_direct(n);
                    let head = match n.child_by_field_name("path") {
                        Some(p) => match use_path(p, self.text) {
                            Some(s) => s,
                            None => continue,
                        },
                        None if child_of_kind(n, "::").is_some() => "::".to_string(),
                        None => String::new(),
                    };
                    if let Some(list) = n.child_by_field_name("list") {
                        work.push((list, concat(&prefix, &head)));
                    }
                }
                "use_as_clause" => {
                    let (Some(path), Some(alias)) = (
                        n.child_by_field_name("path"),
                        n.child_by_field_name("alias"),
                    ) else {
                        continue;
                    };
                    let spec = if path.kind() == "self" && !prefix.is_empty() {
                        prefix
                    } else {
                        match use_path(path, self.text) {
                            Some(p) => concat(&prefix, &p),
                            None => continue,
                        }
                    };
                    let alias = self.src(alias);
                    self.use_leaf(kind, spec, Some(alias), n);
                }
                "use_wildcard" => {
                    let base = match n.named_child(0) {
                        Some(p) => match use_path(p, self.text) {
                            Some(p) => concat(&prefix, &p),
                            None => continue,
                        },
                        None => prefix,
                    };
                    let spec = concat(&base, "*");
                    self.use_leaf(kind, spec, None, n);
                }
                "self" if !prefix.is_empty() => self.use_leaf(kind, prefix, None, n),
                "line_comment" | "block_comment" => self.comment(n),
                _ => {
                    if let Some(p) = use_path(n, self.text) {
                        let spec = concat(&prefix, &p);
                        self.use_leaf(kind, spec, None, n);
                    }
                }
            }
        }
    }

    /// Comments that are direct children of `node`.
    fn comments_only_direct(&mut self, node: Node<'t>) {
        let mut cursor = node.walk();
        for c in node.named_children(&mut cursor) {
            if matches!(c.kind(), "line_comment" | "block_comment") {
                self.comment(c);
            }
        }
    }

    fn use_leaf(&mut self, kind: ImportKind, spec: String, alias: Option<&str>, node: Node<'t>) {
        let name = last_segment(&spec).to_string();
        let local = alias.map_or_else(|| name.clone(), str::to_string);
        // globs and `_` bind nothing; keywords cannot be bound (`use crate;`)
        let binds = !matches!(
            local.as_str(),
            "" | "*" | "_" | "self" | "super" | "crate" | "Self"
        );
        self.pending.push(Pending::Import {
            import: Import {
                kind,
                specifier: spec,
                span: Span::of(&node),
                type_only: false,
                names: vec![ImportedName {
                    name,
                    local,
                    type_only: false,
                }],
            },
            binds,
        });
    }

    /// A `scoped_identifier` / `scoped_type_identifier` in code or a type: the
    /// outermost node of a path. Generic arguments and qualified types inside it
    /// are visited on their own.
    fn code_path(&mut self, node: Node<'t>) {
        let base = self.stack.len();
        let mut segs: Vec<&str> = Vec::new();
        let mut leading = false;
        let mut valid = true;
        let mut cur = node;
        loop {
            match cur.kind() {
                "scoped_identifier" | "scoped_type_identifier" => {
                    match cur.child_by_field_name("name") {
                        Some(n) => segs.push(self.src(n)),
                        None => valid = false,
                    }
                    match cur.child_by_field_name("path") {
                        Some(p) => cur = p,
                        None => {
                            leading = child_of_kind(cur, "::").is_some();
                            break;
                        }
                    }
                }
                "generic_type" | "generic_type_with_turbofish" => {
                    if let Some(args) = cur.child_by_field_name("type_arguments") {
                        self.stack.push(Task::Visit(args));
                    }
                    match cur.child_by_field_name("type") {
                        Some(t) => cur = t,
                        None => {
                            valid = false;
                            break;
                        }
                    }
                }
                "identifier" | "type_identifier" | "self" | "super" | "crate"
                | "primitive_type" => {
                    segs.push(self.src(cur));
                    break;
                }
                "metavariable" if self.src(cur) == "$crate" => {
                    segs.push("crate");
                    break;
                }
                _ => {
                    valid = false;
                    self.stack.push(Task::Visit(cur));
                    break;
                }
            }
        }
        // comments written inside the path (`a:: /* x */ b`) still count
        self.comments_only_direct(node);
        self.stack[base..].reverse();
        if !valid || segs.len() < 2 {
            return;
        }
        segs.reverse();
        self.push_path(leading, &segs, Span::of(&node));
    }

    fn push_path(&mut self, leading: bool, segs: &[&str], span: Span) {
        if segs.len() < 2 || segs[0] == "Self" || segs.iter().any(|s| s.is_empty()) {
            return;
        }
        let mut path = String::new();
        if leading {
            path.push_str("::");
        }
        path.push_str(&segs.join("::"));
        self.pending.push(Pending::Path {
            path,
            aliasable: !leading,
            span,
        });
    }

    /// Scans the raw tokens of a macro token tree (or an ERROR node) for
    /// `ident (:: ident)+` sequences; other named children are visited.
    fn scan_tokens(&mut self, node: Node<'t>) {
        let mut cursor = node.walk();
        let children: Vec<Node<'t>> = node.children(&mut cursor).collect();
        self.scan_token_list(&children);
    }

    /// [`Walker::scan_tokens`] over a run of sibling tokens.
    fn scan_token_list(&mut self, tokens: &[Node<'t>]) {
        let base = self.stack.len();
        let mut seq = TokenPath::default();
        // whether the previous token permits a leading `::` to start a path
        let mut leading_ok = true;
        for &c in tokens {
            let kind = c.kind();
            if matches!(kind, "line_comment" | "block_comment") {
                self.stack.push(Task::Visit(c));
                continue;
            }
            let ident = match kind {
                "identifier" | "self" | "super" | "crate" | "primitive_type" => Some(self.src(c)),
                "metavariable" if self.src(c) == "$crate" => Some("crate"),
                _ => None,
            };
            if let Some(ident) = ident {
                if seq.dead {
                    // the tail of something that is not a path (`$x::y`, `T>::new`)
                } else if seq.expect_ident {
                    seq.segs.push(ident);
                    seq.end = Some(c);
                    seq.expect_ident = false;
                } else {
                    self.flush(&mut seq);
                    seq.start = Some(c);
                    seq.end = Some(c);
                    seq.segs.push(ident);
                }
                leading_ok = false;
                continue;
            }
            if kind == "::" {
                if seq.dead {
                    // still inside the skipped chain
                } else if !seq.segs.is_empty() && !seq.expect_ident {
                    seq.expect_ident = true;
                } else {
                    self.flush(&mut seq);
                    if leading_ok {
                        seq.start = Some(c);
                        seq.leading = true;
                        seq.expect_ident = true;
                    } else {
                        seq.dead = true;
                    }
                }
                leading_ok = false;
                continue;
            }
            self.flush(&mut seq);
            leading_ok = !c.is_named() && kind != ">" && kind != ">>";
            if c.is_named() {
                self.stack.push(Task::Visit(c));
            }
        }
        self.flush(&mut seq);
        self.stack[base..].reverse();
    }

    fn flush(&mut self, seq: &mut TokenPath<'t>) {
        if let (Some(start), Some(end)) = (seq.start, seq.end) {
            // `self::`/`super::` in a `macro_rules!` body count from where
            // the macro expands, which layergate does not know
            let relative_in_macro =
                matches!(seq.segs.first(), Some(&("self" | "super"))) && in_macro_definition(start);
            if seq.segs.len() >= 2 && !relative_in_macro {
                let segs = std::mem::take(&mut seq.segs);
                self.push_path(seq.leading, &segs, span_between(start, end));
                seq.segs = segs;
            }
        }
        seq.segs.clear();
        seq.start = None;
        seq.end = None;
        seq.leading = false;
        seq.expect_ident = false;
        seq.dead = false;
    }
}

/// A path being read from raw tokens.
#[derive(Default)]
struct TokenPath<'t> {
    segs: Vec<&'t str>,
    start: Option<Node<'t>>,
    end: Option<Node<'t>>,
    leading: bool,
    /// The last token was `::`.
    expect_ident: bool,
    /// Inside a `::` chain that does not start a path: skip to its end.
    dead: bool,
}

/// Turns pending items into imports (source order) and API references: a path
/// whose head is a `use` alias becomes an expanded [`ApiRef`] pointing at that
/// use leaf; any other path becomes a `Path` import plus an unexpanded `ApiRef`.
fn resolve_pending(mut pending: Vec<Pending>) -> (Vec<Import>, Vec<ApiRef>) {
    pending.sort_by_key(Pending::start);
    let mut aliases: HashMap<&str, usize> = HashMap::new();
    for (i, p) in pending.iter().enumerate() {
        if let Pending::Import {
            import,
            binds: true,
        } = p
        {
            if let Some(n) = import.names.first() {
                aliases.insert(n.local.as_str(), i);
            }
        }
    }
    let alias_of = |path: &str, aliasable: bool| -> Option<usize> {
        if !aliasable {
            return None;
        }
        let head = path.split("::").next()?;
        aliases.get(head).copied()
    };
    // the index each pending item gets in `imports`, if it becomes one
    let mut index: Vec<Option<u32>> = Vec::with_capacity(pending.len());
    let mut n = 0u32;
    for p in &pending {
        let is_import = match p {
            Pending::Import { .. } => true,
            Pending::Path {
                path, aliasable, ..
            } => alias_of(path, *aliasable).is_none(),
        };
        if is_import {
            index.push(Some(n));
            n += 1;
        } else {
            index.push(None);
        }
    }
    let mut apis = Vec::new();
    for p in &pending {
        if let Pending::Path {
            path,
            aliasable,
            span,
        } = p
        {
            match alias_of(path, *aliasable) {
                Some(j) => {
                    let Pending::Import { import, .. } = &pending[j] else {
                        continue;
                    };
                    let head_len = path.find("::").unwrap_or(path.len());
                    apis.push(ApiRef {
                        path: format!("{}{}", import.specifier, &path[head_len..]),
                        span: *span,
                        via_import: index[j],
                        introduced_as: None,
                    });
                }
                None => apis.push(ApiRef {
                    path: path.clone(),
                    span: *span,
                    via_import: None,
                    introduced_as: None,
                }),
            }
        }
    }
    let mut imports = Vec::with_capacity(n as usize);
    for (p, idx) in pending.into_iter().zip(index) {
        match p {
            Pending::Import { import, .. } => imports.push(import),
            Pending::Path { path, span, .. } if idx.is_some() => imports.push(Import {
                kind: ImportKind::Path,
                specifier: path,
                span,
                type_only: false,
                names: Vec::new(),
            }),
            Pending::Path { .. } => {}
        }
    }
    (imports, apis)
}

/// The `::`-joined text of a path in a `use` tree (`::std::fs`, `self`,
/// `super::super::x`). `None` for anything else (macros' metavariables).
fn use_path(node: Node<'_>, text: &str) -> Option<String> {
    let mut segs: Vec<&str> = Vec::new();
    let mut leading = false;
    let mut cur = node;
    loop {
        match cur.kind() {
            "scoped_identifier" => {
                segs.push(&text[cur.child_by_field_name("name")?.byte_range()]);
                match cur.child_by_field_name("path") {
                    Some(p) => cur = p,
                    None => {
                        leading = child_of_kind(cur, "::").is_some();
                        break;
                    }
                }
            }
            "identifier" | "self" | "super" | "crate" => {
                segs.push(&text[cur.byte_range()]);
                break;
            }
            "metavariable" if &text[cur.byte_range()] == "$crate" => {
                segs.push("crate");
                break;
            }
            _ => return None,
        }
    }
    segs.reverse();
    let mut out = String::new();
    if leading {
        out.push_str("::");
    }
    out.push_str(&segs.join("::"));
    Some(out)
}

/// `prefix::tail`, where an empty prefix is nothing and `::` is a leading `::`.
fn concat(prefix: &str, tail: &str) -> String {
    match prefix {
        "" => tail.to_string(),
        "::" => format!("::{tail}"),
        _ if tail.is_empty() => prefix.to_string(),
        _ => format!("{prefix}::{tail}"),
    }
}

fn last_segment(path: &str) -> &str {
    path.rsplit("::").next().unwrap_or(path)
}

/// The first direct child of `node` of the given kind (named or not).
fn child_of_kind<'t>(node: Node<'t>, kind: &str) -> Option<Node<'t>> {
    let mut cursor = node.walk();
    let found = node.children(&mut cursor).find(|c| c.kind() == kind);
    found
}

/// From the start of `a` to the end of `b`.
fn span_between(a: Node<'_>, b: Node<'_>) -> Span {
    let s = a.start_position();
    let e = b.end_position();
    Span {
        start: a.start_byte() as u32,
        end: b.end_byte() as u32,
        line: s.row as u32,
        col: s.column as u32,
        end_line: e.row as u32,
        end_col: e.column as u32,
    }
}

/// Whether an attribute (by its path as written) names no crate and holds no
/// code: lint levels (their arguments are lint names, `clippy::x`), `cfg`
/// predicates, and the tool attributes (`rustfmt::skip`, `clippy::msrv`,
/// `diagnostic::on_unimplemented`, ...).
fn attribute_is_inert(path: &str) -> bool {
    const LINTS: [&str; 6] = ["allow", "warn", "deny", "forbid", "expect", "cfg"];
    const TOOLS: [&str; 6] = [
        "rustfmt",
        "clippy",
        "rustdoc",
        "rust_analyzer",
        "diagnostic",
        "miri",
    ];
    let path = path.trim();
    if LINTS.contains(&path) {
        return true;
    }
    match path.split_once("::") {
        Some((head, _)) => TOOLS.contains(&head.trim()),
        None => false,
    }
}

/// The attributes written right before `item` (nearest first), skipping comments.
fn preceding_attributes<'t>(item: Node<'t>) -> impl Iterator<Item = Node<'t>> {
    std::iter::successors(item.prev_sibling(), |n| n.prev_sibling())
        .take_while(|n| {
            matches!(
                n.kind(),
                "attribute_item" | "line_comment" | "block_comment"
            )
        })
        .filter(|n| n.kind() == "attribute_item")
        .filter_map(|n| n.named_child(0).filter(|a| a.kind() == "attribute"))
}

/// Whether `node` lies in the body of a `macro_rules!` definition.
fn in_macro_definition(node: Node<'_>) -> bool {
    let mut cur = node.parent();
    while let Some(n) = cur {
        if n.kind() == "macro_definition" {
            return true;
        }
        cur = n.parent();
    }
    false
}

/// The value of a `#[path = "..."]` attribute on `item`, and those of
/// `#[cfg_attr(pred, path = "...")]` in source order.
fn path_attributes(item: Node<'_>, text: &str) -> (Option<String>, Vec<String>) {
    let mut plain = None;
    let mut cfg = Vec::new();
    for attr in preceding_attributes(item) {
        let Some(name) = attr.named_child(0) else {
            continue;
        };
        match &text[name.byte_range()] {
            "path" if plain.is_none() => {
                plain = attr
                    .child_by_field_name("value")
                    .map(|v| string_value(v, text));
            }
            "cfg_attr" => {
                let Some(args) = attr.child_by_field_name("arguments") else {
                    continue;
                };
                let mut c = args.walk();
                let tokens: Vec<Node<'_>> = args.children(&mut c).collect();
                // `path = "..."` among the arguments (after the predicate)
                let mut found = Vec::new();
                for w in tokens.windows(3) {
                    if w[0].kind() == "identifier"
                        && &text[w[0].byte_range()] == "path"
                        && &text[w[1].byte_range()] == "="
                        && matches!(w[2].kind(), "string_literal" | "raw_string_literal")
                    {
                        found.push(string_value(w[2], text));
                    }
                }
                // attributes come nearest first: keep source order
                cfg.splice(0..0, found);
            }
            _ => {}
        }
    }
    (plain, cfg)
}

/// The text of a string literal node, without quotes.
fn string_value(value: Node<'_>, text: &str) -> String {
    match child_of_kind(value, "string_content") {
        Some(c) => text[c.byte_range()].to_string(),
        None => {
            let raw = &text[value.byte_range()];
            raw.trim_start_matches('r')
                .trim_matches(['"', '#'])
                .to_string()
        }
    }
}

/// Derives that generate no item beside the one they derive for (impls
/// only): the standard ones and the most common others. Any other derive may
/// (derive_builder's `FooBuilder`), so it makes the file's names open.
const PLAIN_DERIVES: &[&str] = &[
    "Debug",
    "Clone",
    "Copy",
    "PartialEq",
    "Eq",
    "PartialOrd",
    "Ord",
    "Hash",
    "Default",
    "Serialize",
    "Deserialize",
    "Error",
    "Parser",
    "Args",
    "Subcommand",
    "ValueEnum",
];

/// Attributes of the language and its tools: they generate no item.
const PLAIN_ATTRIBUTES: &[&str] = &[
    "allow",
    "warn",
    "deny",
    "forbid",
    "expect",
    "cfg",
    "doc",
    "inline",
    "cold",
    "must_use",
    "deprecated",
    "repr",
    "path",
    "macro_export",
    "macro_use",
    "no_mangle",
    "export_name",
    "link",
    "link_name",
    "link_section",
    "non_exhaustive",
    "automatically_derived",
    "track_caller",
    "test",
    "bench",
    "ignore",
    "should_panic",
    "proc_macro",
    "proc_macro_derive",
    "proc_macro_attribute",
    "global_allocator",
    "used",
    "target_feature",
    "no_std",
    "no_implicit_prelude",
    "recursion_limit",
    "crate_type",
    "crate_name",
    "feature",
    "windows_subsystem",
    "naked",
    "instruction_set",
    "collapse_debuginfo",
    "debugger_visualizer",
    "unsafe",
    "coverage",
    "optimize",
    "type_length_limit",
    "no_main",
    "no_builtins",
];

/// Where each `mod` item at module level (not inside a function) starts.
fn module_level_mods(root: Node<'_>) -> Vec<u32> {
    let mut out = Vec::new();
    let mut lists = vec![root];
    while let Some(list) = lists.pop() {
        let mut cursor = list.walk();
        for item in list.named_children(&mut cursor) {
            if item.kind() == "mod_item" {
                out.push(item.start_byte() as u32);
                lists.extend(item.child_by_field_name("body"));
            } else if item.kind() == "foreign_mod_item" {
                lists.extend(item.child_by_field_name("body"));
            }
        }
    }
    out
}

/// Every name the file's modules declare or import ([`Exports::names`]),
/// and whether they may hold others ([`Exports::open`]).
fn module_names(
    root: Node<'_>,
    text: &str,
    imports: &[Import],
) -> (Vec<String>, bool, Vec<String>) {
    let mut names = Vec::new();
    let mut open = false;
    let mut macros = Vec::new();
    let name_of = |n: Node<'_>, field: &str| {
        n.child_by_field_name(field)
            .map(|x| text[x.byte_range()].trim_start_matches("r#").to_string())
    };
    let mut lists = vec![root];
    while let Some(list) = lists.pop() {
        let mut cursor = list.walk();
        for item in list.named_children(&mut cursor) {
            match item.kind() {
                "function_item"
                | "function_signature_item"
                | "struct_item"
                | "enum_item"
                | "union_item"
                | "trait_item"
                | "type_item"
                | "const_item"
                | "static_item" => names.extend(name_of(item, "name")),
                "macro_definition" => {
                    names.extend(name_of(item, "name"));
                    let exported = preceding_attributes(item).any(|attr| {
                        attr.named_child(0)
                            .is_some_and(|n| &text[n.byte_range()] == "macro_export")
                    });
                    if exported {
                        macros.extend(name_of(item, "name"));
                    }
                }
                "mod_item" => {
                    names.extend(name_of(item, "name"));
                    lists.extend(item.child_by_field_name("body"));
                }
                "foreign_mod_item" => lists.extend(item.child_by_field_name("body")),
                "extern_crate_declaration" => {
                    names.extend(name_of(item, "alias").or_else(|| name_of(item, "name")))
                }
                "macro_invocation" => open = true,
                "expression_statement"
                    if item
                        .named_child(0)
                        .is_some_and(|c| c.kind() == "macro_invocation") =>
                {
                    open = true
                }
                "attribute_item" => {
                    let Some(attr) = item.named_child(0) else {
                        continue;
                    };
                    let Some(path) = attr.named_child(0) else {
                        continue;
                    };
                    let path = &text[path.byte_range()];
                    let args = attr
                        .child_by_field_name("arguments")
                        .map(|a| &text[a.byte_range()])
                        .unwrap_or("");
                    match path {
                        "derive" => {
                            let plain = args
                                .trim_matches(|c| c == '(' || c == ')')
                                .split(',')
                                .map(|d| d.trim().rsplit("::").next().unwrap_or("").trim())
                                .filter(|d| !d.is_empty())
                                .all(|d| PLAIN_DERIVES.contains(&d));
                            open |= !plain;
                        }
                        "proc_macro_derive" => {
                            // `#[proc_macro_derive(Name, attributes(..))]`
                            let first = args
                                .trim_start_matches('(')
                                .split([',', ')'])
                                .next()
                                .unwrap_or("")
                                .trim();
                            if !first.is_empty() {
                                names.push(first.to_string());
                            }
                        }
                        // its attributes could be anything: open when they
                        // hold a macro (a path or a non-plain derive)
                        "cfg_attr" => {
                            open |= args.contains("::") || args.contains("derive");
                        }
                        p if p.contains("::")
                            && ["rustfmt::", "clippy::", "rustdoc::", "diagnostic::"]
                                .iter()
                                .any(|t| p.starts_with(t)) => {}
                        p => open |= !PLAIN_ATTRIBUTES.contains(&p),
                    }
                }
                _ => {}
            }
        }
    }
    for imp in imports {
        match imp.kind {
            ImportKind::Use | ImportKind::PubUse | ImportKind::ExternCrate => {
                if imp.specifier.ends_with("::*") {
                    open = true;
                }
                names.extend(
                    imp.names
                        .iter()
                        .map(|n| n.local.trim_start_matches("r#").to_string()),
                );
            }
            _ => {}
        }
    }
    (names, open, macros)
}

/// Names of `pub` items at the top level of the file (`pub(self)` excluded);
/// `macro_rules!` with `#[macro_export]` counts too.
fn top_level_exports(root: Node<'_>, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cursor = root.walk();
    for item in root.named_children(&mut cursor) {
        let exported = match item.kind() {
            "function_item" | "struct_item" | "enum_item" | "trait_item" | "type_item"
            | "const_item" | "static_item" | "mod_item" | "union_item" => {
                // the visibility comes first (attributes are the item's
                // siblings): no need to list the children of every item
                let vis = item.child(0).filter(|c| c.kind() == "visibility_modifier");
                debug_assert_eq!(
                    vis.map(|v| v.id()),
                    child_of_kind(item, "visibility_modifier").map(|v| v.id())
                );
                vis.is_some_and(|v| {
                    let v: String = text[v.byte_range()]
                        .chars()
                        .filter(|c| !c.is_whitespace())
                        .collect();
                    v != "pub(self)"
                })
            }
            "macro_definition" => preceding_attributes(item).any(|attr| {
                attr.named_child(0)
                    .is_some_and(|n| &text[n.byte_range()] == "macro_export")
            }),
            _ => false,
        };
        if exported {
            if let Some(name) = item.child_by_field_name("name") {
                out.push(text[name.byte_range()].to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Skipping barren subtrees changes nothing: every Rust file of this
    /// repository (engine, server, tests, fixtures) gives the same facts
    /// with and without pruning.
    #[test]
    fn pruning_barren_subtrees_changes_no_facts() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut stack = vec![root];
        let mut files = 0;
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&Lang::Rust.grammar()).unwrap();
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).unwrap().flatten() {
                let p = e.path();
                let name = e.file_name();
                if p.is_dir() {
                    if !matches!(name.to_str(), Some("target" | ".git" | "node_modules")) {
                        stack.push(p);
                    }
                } else if p.extension().is_some_and(|x| x == "rs") {
                    let text = std::fs::read_to_string(&p).unwrap();
                    let tree = parser.parse(&text, None).unwrap();
                    assert_eq!(
                        extract_with(&tree, &text, true),
                        extract_with(&tree, &text, false),
                        "{}",
                        p.display()
                    );
                    files += 1;
                }
            }
        }
        assert!(files > 100, "only {files} Rust files found");
    }

    #[test]
    fn a_range_is_barren_only_without_a_whole_mark_inside() {
        let text = "let a_long_name = b:::c; // layergate-ignore[x]";
        let m = Marks::new(text);
        let at = |needle: &str| text.find(needle).unwrap();
        // `:::` holds `::` twice: a range starting at its second colon has one
        assert!(!m.barren(at(":::") + 1..at(";")));
        assert!(!m.barren(0..text.len()));
        // a mark cut by the end of the range does not count
        assert!(m.barren(0..at(":::") + 1));
        assert!(m.barren(at("//")..at("ignore") + 3));
        assert!(!m.barren(at("//")..text.len()));
        // short ranges are never worth skipping
        assert!(!m.barren(0..8));
        assert!(m.has_ignore(at("//")..text.len()));
        assert!(!m.has_ignore(at("//")..at("ignore") + 3));
        assert!(!m.has_ignore(0..at("//")));
    }
    fn facts(src: &str) -> FileFacts {
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&Lang::Rust.grammar()).unwrap();
        extract(&parser.parse(src, None).unwrap(), src)
    }

    /// `(kind, specifier, [(name, local)])` for every import.
    /// `(kind, specifier, [(name, local)])`.
    type Imp = (ImportKind, String, Vec<(String, String)>);

    fn imports(src: &str) -> Vec<Imp> {
        facts(src)
            .imports
            .into_iter()
            .map(|i| {
                assert!(!i.type_only);
                (
                    i.kind,
                    i.specifier,
                    i.names
                        .into_iter()
                        .map(|n| {
                            assert!(!n.type_only);
                            (n.name, n.local)
                        })
                        .collect(),
                )
            })
            .collect()
    }

    fn specs(src: &str) -> Vec<(ImportKind, String)> {
        facts(src)
            .imports
            .into_iter()
            .map(|i| (i.kind, i.specifier))
            .collect()
    }

    fn apis(src: &str) -> Vec<(String, Option<u32>)> {
        facts(src)
            .apis
            .into_iter()
            .map(|a| (a.path, a.via_import))
            .collect()
    }

    fn n(name: &str, local: &str) -> Vec<(String, String)> {
        vec![(name.to_string(), local.to_string())]
    }

    fn s(x: &str) -> String {
        x.to_string()
    }

    use ImportKind::{ExternCrate, Path, PubUse, Use};

    #[test]
    fn simple_use() {
        assert_eq!(
            imports("use std::collections::HashMap;"),
            [(Use, s("std::collections::HashMap"), n("HashMap", "HashMap"))]
        );
    }

    #[test]
    fn group_with_rename_glob_and_self() {
        assert_eq!(
            imports("use a::{b, c::d as e, f::*, self};"),
            [
                (Use, s("a::b"), n("b", "b")),
                (Use, s("a::c::d"), n("d", "e")),
                (Use, s("a::f::*"), n("*", "*")),
                (Use, s("a"), n("a", "a")),
            ]
        );
    }

    #[test]
    fn nested_groups() {
        assert_eq!(
            imports("use crate::{x::{y, z::{self as zz, w}}, v};"),
            [
                (Use, s("crate::x::y"), n("y", "y")),
                (Use, s("crate::x::z"), n("z", "zz")),
                (Use, s("crate::x::z::w"), n("w", "w")),
                (Use, s("crate::v"), n("v", "v")),
            ]
        );
    }

    #[test]
    fn leaf_spans_are_the_leaf_nodes() {
        let src = "use a::{b, c::d as e, *};";
        let f = facts(src);
        let texts: Vec<&str> = f
            .imports
            .iter()
            .map(|i| &src[i.span.start as usize..i.span.end as usize])
            .collect();
        assert_eq!(texts, ["b", "c::d as e", "*"]);
        assert_eq!(f.imports[1].span.col, 11);
    }

    #[test]
    fn glob_and_underscore_rename() {
        assert_eq!(
            imports("use super::*;\nuse std::io::Write as _;"),
            [
                (Use, s("super::*"), n("*", "*")),
                (Use, s("std::io::Write"), n("Write", "_")),
            ]
        );
    }

    #[test]
    fn pub_use_and_restricted_visibility() {
        assert_eq!(
            specs("pub use a::b;\npub(crate) use c::{d, e};\nuse f::g;"),
            [
                (PubUse, s("a::b")),
                (PubUse, s("c::d")),
                (PubUse, s("c::e")),
                (Use, s("f::g")),
            ]
        );
    }

    #[test]
    fn leading_colons_in_use() {
        assert_eq!(
            specs("use ::std::fs;\nuse ::serde::{de, ser::Error};\nuse ::{a, b::c};"),
            [
                (Use, s("::std::fs")),
                (Use, s("::serde::de")),
                (Use, s("::serde::ser::Error")),
                (Use, s("::a")),
                (Use, s("::b::c")),
            ]
        );
    }

    #[test]
    fn bare_group_and_single_identifier() {
        assert_eq!(
            imports("use {c, d::e};\nuse serde;"),
            [
                (Use, s("c"), n("c", "c")),
                (Use, s("d::e"), n("e", "e")),
                (Use, s("serde"), n("serde", "serde")),
            ]
        );
    }

    #[test]
    fn self_super_crate_paths_in_use() {
        assert_eq!(
            specs("use self::a::B;\nuse super::super::c;\nuse crate::d as _;"),
            [
                (Use, s("self::a::B")),
                (Use, s("super::super::c")),
                (Use, s("crate::d")),
            ]
        );
    }

    #[test]
    fn uses_inside_functions_and_modules() {
        assert_eq!(
            specs("fn f() { use a::b; }\nmod m { use c::d; mod n { pub use e::f; } }"),
            [(Use, s("a::b")), (Use, s("c::d")), (PubUse, s("e::f"))]
        );
    }

    #[test]
    fn extern_crate() {
        assert_eq!(
            imports("extern crate foo;\nextern crate bar as baz;\nbaz::x();\nfoo::y();"),
            [
                (ExternCrate, s("foo"), n("foo", "foo")),
                (ExternCrate, s("bar"), n("bar", "baz")),
                (Path, s("foo::y"), vec![]),
            ]
        );
        assert_eq!(
            apis("extern crate bar as baz;\nfn f() { baz::x(); }"),
            [(s("bar::x"), Some(0))]
        );
    }

    #[test]
    fn qualified_paths_in_expressions_take_the_outermost_node() {
        let src = "fn f() { std::process::Command::new(\"ls\"); crate::infra::db::connect(); super::x::y; serde_json::to_string(&1); }";
        assert_eq!(
            specs(src),
            [
                (Path, s("std::process::Command::new")),
                (Path, s("crate::infra::db::connect")),
                (Path, s("super::x::y")),
                (Path, s("serde_json::to_string")),
            ]
        );
        // every unaliased path is also an API reference, unexpanded
        assert_eq!(
            apis(src),
            [
                (s("std::process::Command::new"), None),
                (s("crate::infra::db::connect"), None),
                (s("super::x::y"), None),
                (s("serde_json::to_string"), None),
            ]
        );
        let f = facts(src);
        let sp = f.imports[0].span;
        assert_eq!(
            &src[sp.start as usize..sp.end as usize],
            "std::process::Command::new"
        );
    }

    #[test]
    fn leading_colon_path_in_code() {
        assert_eq!(
            specs("fn f() { ::std::env::var(\"x\"); }"),
            [(Path, s("::std::env::var"))]
        );
    }

    #[test]
    fn paths_in_types_and_patterns() {
        let src = "fn f(x: std::path::PathBuf) -> io::Result<()> { match o { Ordering::Less => {}, a::B { x } => {} } let s = c::S { x: 1 }; }";
        assert_eq!(
            specs(src),
            [
                (Path, s("std::path::PathBuf")),
                (Path, s("io::Result")),
                (Path, s("Ordering::Less")),
                (Path, s("a::B")),
                (Path, s("c::S")),
            ]
        );
    }

    #[test]
    fn generics_are_dropped_and_their_paths_taken() {
        let src = "fn f() { let v = Vec::<u8>::new(); let m: HashMap<String, crate::a::B> = std::collections::HashMap::<K, dep::V>::new(); mem::size_of::<x::Y>(); }";
        assert_eq!(
            specs(src),
            [
                (Path, s("Vec::new")),
                (Path, s("crate::a::B")),
                (Path, s("std::collections::HashMap::new")),
                (Path, s("dep::V")),
                (Path, s("mem::size_of")),
                (Path, s("x::Y")),
            ]
        );
    }

    #[test]
    fn self_type_and_qualified_type_paths_are_skipped() {
        assert_eq!(
            specs("impl X { fn f() { Self::new(); Self::Item::g(); <T as crate::Tr>::x(); } }"),
            [(Path, s("crate::Tr"))]
        );
    }

    #[test]
    fn single_identifiers_produce_nothing() {
        let f = facts("use std::env::var;\nfn f() { var(\"X\"); let x: String = String::new(); }");
        assert_eq!(
            f.imports
                .iter()
                .map(|i| i.specifier.as_str())
                .collect::<Vec<_>>(),
            ["std::env::var", "String::new"]
        );
        assert_eq!(f.apis.len(), 1);
    }

    #[test]
    fn macro_token_trees() {
        let src = r#"fn f() { println!("{}", std::env::var("X").unwrap()); let v = vec![crate::a::b(), ::core::mem::zeroed()]; }"#;
        assert_eq!(
            specs(src),
            [
                (Path, s("std::env::var")),
                (Path, s("crate::a::b")),
                (Path, s("::core::mem::zeroed")),
            ]
        );
        let f = facts(src);
        let sp = f.imports[0].span;
        assert_eq!(&src[sp.start as usize..sp.end as usize], "std::env::var");
    }

    #[test]
    fn quoted_code_is_not_a_dependency() {
        let src = r#"fn f() -> T {
            let a = quote! { impl ::serde::Serialize for X { fn f() { crate::x::y(); } } };
            let b = quote::quote_spanned! { span => ::other::Thing };
            let c: syn::Item = syn::parse_quote! { use ::third::party; };
            let d = parse_quote_spanned!(span => ::fourth::x);
            other::m! { ::kept::path }
        }"#;
        assert_eq!(
            specs(src),
            [
                (Path, s("quote::quote_spanned")),
                (Path, s("syn::Item")),
                (Path, s("syn::parse_quote")),
                (Path, s("other::m")),
                (Path, s("::kept::path")),
            ]
        );
    }

    #[test]
    fn nested_macros_keep_source_order() {
        let src = "fn f() { m!(a::b, n!(c::d, (e::f)), g::h); }";
        assert_eq!(
            specs(src),
            [
                (Path, s("a::b")),
                (Path, s("c::d")),
                (Path, s("e::f")),
                (Path, s("g::h")),
            ]
        );
    }

    #[test]
    fn macro_paths_and_turbofish_in_token_trees() {
        let src = "fn f() { m!(x.collect::<Vec<_>>(), a::b::c!(d), Vec::<u8>::new(), serde_json::json!({})); std::println!(); }";
        assert_eq!(
            specs(src),
            [
                (Path, s("a::b::c")),
                (Path, s("serde_json::json")),
                (Path, s("std::println")),
            ]
        );
    }

    #[test]
    fn macro_rules_bodies_use_dollar_crate() {
        let src =
            "macro_rules! m { ($x:expr) => { $crate::a::b($x); $x::y::z; std::mem::drop($x) } }";
        assert_eq!(
            specs(src),
            [(Path, s("crate::a::b")), (Path, s("std::mem::drop"))]
        );
    }

    #[test]
    fn relative_paths_in_macro_rules_bodies_are_not_dependencies() {
        // they count from where the macro expands (ring, getrandom, zerocopy)
        let src = "macro_rules! m { ($n:ident) => { mod $n { use super::super::digest; self::x::y(); crate::a::b(); } } }\nfn f() { g!(super::c::d); }";
        assert_eq!(
            specs(src),
            [(Path, s("crate::a::b")), (Path, s("super::c::d"))]
        );
    }

    #[test]
    fn strings_and_comments_are_not_paths() {
        let src = r##"
/// Calls std::env::var.
//! also std::fs::read
fn f() {
    // std::process::Command::new
    /* crate::x::y */
    let s = "std::env::var";
    let r = r#"std::fs::write"#;
    println!("std::env::var {}", 'c');
}
"##;
        assert_eq!(specs(src), []);
        assert!(facts(src).apis.is_empty());
    }

    #[test]
    fn alias_expansion_points_at_the_use_leaf() {
        let src = "use std::env;\nuse std::process::{Command, Stdio as S};\nfn f() { env::var(\"X\"); Command::new(\"ls\").stdin(S::null()); std::fs::read(\"a\"); }";
        assert_eq!(
            specs(src),
            [
                (Use, s("std::env")),
                (Use, s("std::process::Command")),
                (Use, s("std::process::Stdio")),
                (Path, s("std::fs::read")),
            ]
        );
        assert_eq!(
            apis(src),
            [
                (s("std::env::var"), Some(0)),
                (s("std::process::Command::new"), Some(1)),
                (s("std::process::Stdio::null"), Some(2)),
                (s("std::fs::read"), None),
            ]
        );
    }

    #[test]
    fn alias_declared_later_applies_file_wide() {
        let src = "fn f() { Db::connect(); }\nuse crate::infra::Db;";
        assert_eq!(specs(src), [(Use, s("crate::infra::Db"))]);
        assert_eq!(apis(src), [(s("crate::infra::Db::connect"), Some(0))]);
    }

    #[test]
    fn aliases_apply_in_macros_and_types_and_self_leaves() {
        let src = "use std::{env::{self}, io as stdio};\nfn f() -> stdio::Result<()> { println!(\"{}\", env::var(\"X\")?); Ok(()) }";
        assert_eq!(
            apis(src),
            [
                (s("std::io::Result"), Some(1)),
                (s("std::env::var"), Some(0)),
            ]
        );
        assert_eq!(facts(src).imports.len(), 2);
    }

    #[test]
    fn globs_and_underscore_bind_nothing() {
        let src = "use a::*;\nuse b::Tr as _;\nfn f() { x::y(); }";
        assert_eq!(
            specs(src),
            [(Use, s("a::*")), (Use, s("b::Tr")), (Path, s("x::y"))]
        );
    }

    #[test]
    fn leading_colon_path_is_never_an_alias() {
        let src = "use foo::env;\nfn f() { ::env::var(); }";
        assert_eq!(specs(src), [(Use, s("foo::env")), (Path, s("::env::var"))]);
        assert_eq!(apis(src), [(s("::env::var"), None)]);
    }

    #[test]
    fn visibility_holds_no_paths() {
        assert_eq!(specs("pub(in crate::a) struct S;"), []);
    }

    #[test]
    fn attribute_paths_derives_and_arguments_are_paths() {
        let src = r#"#![cfg_attr(docsrs, feature(doc_cfg))]
#[derive(Debug, serde::Serialize, ::ruff_macros::CacheKey)]
#[salsa::tracked(heap_size = ruff_memory_usage::heap_size)]
#[serde(with = "a::b", default = "c::d")]
#[doc = "see x::y"]
struct S;
#[tokio::main(flavor = "current_thread")]
async fn main() {}
#[test_case(crate::fixtures::one() ; "one")]
fn t() {}"#;
        assert_eq!(
            specs(src),
            [
                (ImportKind::Path, s("serde::Serialize")),
                (ImportKind::Path, s("::ruff_macros::CacheKey")),
                (ImportKind::Path, s("salsa::tracked")),
                (ImportKind::Path, s("ruff_memory_usage::heap_size")),
                (ImportKind::Path, s("tokio::main")),
                (ImportKind::Path, s("crate::fixtures::one")),
            ]
        );
    }

    #[test]
    fn cfg_attr_counts_its_attributes_not_its_predicate() {
        let src = r#"#[cfg_attr(feature = "serde", derive(serde::Deserialize), x::y)]
#[cfg_attr(all(unix, target_os::z), cfg_attr(test, derive(proptest_derive::Arbitrary)))]
#[cfg_attr(feature = "lint", allow(clippy::needless_return))]
struct S;"#;
        assert_eq!(
            specs(src),
            [
                (ImportKind::Path, s("serde::Deserialize")),
                (ImportKind::Path, s("x::y")),
                (ImportKind::Path, s("proptest_derive::Arbitrary")),
            ]
        );
    }

    #[test]
    fn lint_cfg_and_tool_attributes_hold_no_paths() {
        let src = "#![allow(clippy::too_many_lines)]\n#[warn(rustdoc::broken_intra_doc_links)]\n#[expect(clippy::x, reason = \"y\")]\n#[cfg(feature = \"a::b\")]\n#[rustfmt::skip]\n#[rustfmt::skip::macros(a::b)]\n#[diagnostic::on_unimplemented(message = \"m\")]\n#[clippy::msrv = \"1.70\"]\nfn f() {}";
        assert_eq!(specs(src), []);
    }

    #[test]
    fn attribute_paths_expand_use_aliases() {
        let src = "use ruff_macros as rm;\n#[derive(rm::CacheKey)]\nstruct S;";
        assert_eq!(apis(src), [(s("ruff_macros::CacheKey"), Some(0))]);
    }

    #[test]
    fn mod_declarations() {
        let src = "mod a;\n#[cfg(test)]\n#[path = \"b_impl.rs\"]\npub mod b;\n#[path = \"t.rs\"] // comment\n#[cfg(test)]\nmod tests { mod inner { mod deep; } }\n#[cfg_attr(libc, path = \"backend/libc/mod.rs\")]\n#[cfg_attr(\n    linux_raw,\n    path = r\"backend/linux_raw/mod.rs\"\n)]\nmod backend;";
        let m = facts(src).mods;
        let got: Vec<(&str, Option<&str>, bool, Vec<&str>)> = m
            .iter()
            .map(|d| {
                (
                    d.name.as_str(),
                    d.path_attr.as_deref(),
                    d.inline,
                    d.parents.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("a", None, false, vec![]),
                ("b", Some("b_impl.rs"), false, vec![]),
                ("tests", Some("t.rs"), true, vec![]),
                ("inner", None, true, vec!["tests"]),
                ("deep", None, false, vec!["tests", "inner"]),
                ("backend", None, false, vec![]),
            ]
        );
        assert_eq!(facts("mod r#type;").mods[0].name, "type");
        let inc = facts("include!(\"windows.rs\");\nmod a { include!(\"b.rs\"); }\nfn f() { let x = include!(\"c.rs\"); }\ninclude!(concat!(env!(\"OUT_DIR\"), \"/x.rs\"));").mods;
        let got: Vec<(&str, Option<&str>, bool, Vec<&str>)> = inc
            .iter()
            .map(|d| {
                (
                    d.name.as_str(),
                    d.path_attr.as_deref(),
                    d.include,
                    d.parents.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("", Some("windows.rs"), true, vec![]),
                ("a", None, false, vec![]),
                ("", Some("b.rs"), true, vec!["a"]),
            ]
        );
        let cfg: Vec<&[String]> = m.iter().map(|d| d.cfg_paths.as_slice()).collect();
        assert_eq!(
            cfg.last().copied(),
            Some(
                &[
                    "backend/libc/mod.rs".to_string(),
                    "backend/linux_raw/mod.rs".to_string()
                ][..]
            )
        );
        assert!(cfg[..cfg.len() - 1].iter().all(|c| c.is_empty()), "{cfg:?}");
        assert_eq!(m[0].span.line, 0);
        assert_eq!(m[1].span.line, 3);
    }

    #[test]
    fn sibling_mods_after_inline_mod_have_no_parent() {
        let m = facts("mod a { mod b {} }\nmod c;").mods;
        assert_eq!(m[2].name, "c");
        assert!(m[2].parents.is_empty());
        assert_eq!(m[1].parents, ["a"]);
    }

    #[test]
    fn unsafe_in_all_forms() {
        let src = "unsafe extern \"C\" { fn g(); }\nunsafe impl<T> Send for X<T> where T: Copy {}\nunsafe trait T {}\npub unsafe fn f<T>(x: T) -> u8 { unsafe { 1 } }\ntrait U { unsafe fn h(); }\nfn safe() { let s = \"unsafe { }\"; m!(unsafe { x }); }";
        let f = facts(src);
        let texts: Vec<&str> = f
            .unsafe_spans
            .iter()
            .map(|s| &src[s.start as usize..s.end as usize])
            .collect();
        assert_eq!(
            texts,
            [
                "unsafe extern \"C\"",
                "unsafe impl<T> Send for X<T>",
                "unsafe trait T",
                "unsafe fn f",
                "unsafe { 1 }",
                "unsafe fn h",
            ]
        );
        assert_eq!(f.unsafe_spans[1].line, 1);
    }

    #[test]
    fn exports_of_top_level_pub_items() {
        let src = "pub fn a() {}\nfn b() {}\npub struct C;\npub(crate) enum D {}\npub trait E {}\npub type F = u8;\npub const G: u8 = 1;\npub static H: u8 = 1;\npub mod i;\npub(self) fn j() {}\n#[macro_export]\nmacro_rules! k { () => {} }\nmacro_rules! l { () => {} }\npub use x::Y;\nmod m { pub fn n() {} }\npub union O { a: u8 }";
        assert_eq!(
            facts(src).exports.local,
            ["C", "D", "E", "F", "G", "H", "O", "a", "i", "k"]
        );
    }

    #[test]
    fn suppressions_trailing_and_alone() {
        let src = "use a::b; // layergate-ignore layers: wiring\n// layergate-ignore depends-on\nuse c::d;\n/* layergate-ignore-file no-x: ok */\nfn f() { /* layergate-ignore x until 2027-01-01 */ }";
        let s = facts(src).suppressions;
        type Sup<'a> = (bool, Vec<&'a str>, Option<&'a str>, Option<&'a str>, u32);
        let got: Vec<Sup> = s
            .iter()
            .map(|s| {
                (
                    s.file_level,
                    s.rules.iter().map(String::as_str).collect(),
                    s.until.as_deref(),
                    s.reason.as_deref(),
                    s.target_line,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (false, vec!["layers"], None, Some("wiring"), 0),
                (false, vec!["depends-on"], None, None, 2),
                (true, vec!["no-x"], None, Some("ok"), 4),
                (false, vec!["x"], Some("2027-01-01"), None, 4),
            ]
        );
        assert_eq!(
            &src[s[0].span.start as usize..s[0].span.end as usize],
            "// layergate-ignore layers: wiring"
        );
    }

    #[test]
    fn doc_comment_suppression_excludes_newline() {
        let src = "/// layergate-ignore layers: doc\nuse a::b;\n";
        let s = facts(src).suppressions;
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].target_line, 1);
        assert_eq!(s[0].span.end_line, 0);
        assert_eq!(
            &src[s[0].span.start as usize..s[0].span.end as usize],
            "/// layergate-ignore layers: doc"
        );
    }

    #[test]
    fn suppressions_inside_use_lists_macros_and_attributes() {
        let src = "use crate::{\n    infra::db, // layergate-ignore layers: wiring\n};\nfn f() { m!(a, // layergate-ignore x: y\n b); }\n#[cfg(test)] // layergate-ignore z: w\nfn g() {}\n#[derive(Debug, /* layergate-ignore q: r */ Clone)]\nstruct S;";
        let f = facts(src);
        let lines: Vec<(u32, &str)> = f
            .suppressions
            .iter()
            .map(|s| (s.target_line, s.rules[0].as_str()))
            .collect();
        assert_eq!(lines, [(1, "layers"), (3, "x"), (5, "z"), (7, "q")]);
    }

    #[test]
    fn broken_file_still_yields_uses() {
        let src = "use a::b;\nfn f( { let x = ; \nuse c::{d, e};\nfn g() { std::env::var(\"x\"); }";
        let f = facts(src);
        assert!(f.has_syntax_errors);
        assert_eq!(
            specs(src),
            [
                (Use, s("a::b")),
                (Use, s("c::d")),
                (Use, s("c::e")),
                (Path, s("std::env::var")),
            ]
        );
    }

    #[test]
    fn newer_syntax_is_walked() {
        let src = "use a::b;\nfn f() { let Some(x) = y else { return }; if let Some(a) = b && let Some(c) = d { e::f(); } gen { g::h() }; }";
        assert_eq!(
            specs(src),
            [(Use, s("a::b")), (Path, s("e::f")), (Path, s("g::h"))]
        );
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let depth = 20_000;
        let parens = format!(
            "fn f() {{ {}std::x::y(){} }}",
            "(".repeat(depth),
            ")".repeat(depth)
        );
        assert_eq!(specs(&parens), [(Path, s("std::x::y"))]);
        let blocks = format!(
            "fn f() {}unsafe {{ a::b() }}{}",
            "{".repeat(depth),
            "}".repeat(depth)
        );
        let f = facts(&blocks);
        assert_eq!(f.unsafe_spans.len(), 1);
        assert_eq!(f.imports.len(), 1);
        let tokens = format!("m!{}a::b{};", "(".repeat(depth), ")".repeat(depth));
        assert_eq!(specs(&tokens), [(Path, s("a::b"))]);
        let uses = format!("use {}x{};", "a::{".repeat(depth), "}".repeat(depth));
        let spec = format!("{}x", "a::".repeat(depth));
        assert_eq!(specs(&uses), [(Use, spec)]);
        let path = format!("fn f() {{ {}z(); }}", "a::".repeat(depth));
        let spec = format!("{}z", "a::".repeat(depth));
        assert_eq!(specs(&path), [(Path, spec)]);
    }
}
