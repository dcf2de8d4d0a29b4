//! The Python import scanner: a lexer-level fast path.
//!
//! A cold check of a Python project is mostly tree-sitter building trees of
//! which only the imports, the module-level names, `__all__` and the
//! comments are read. [`scan`] reads those facts with one pass of a small
//! lexer and a statement reader over logical lines, and gives up (`None`)
//! on anything it does not read with certainty; the caller then parses the
//! file with tree-sitter.
//!
//! **Contract:** when `scan` returns facts, they equal what the tree
//! extractor ([`super::extract`]) finds in the same text for `imports`,
//! `exports` and `suppressions` (checked differentially in tests and on
//! real packages, on text tree-sitter parses without errors). API uses are
//! *not* computed: `apis` is empty and [`FileFacts::scanned`] is set, so the
//! engine parses a file in full when a `py:` selector's first segment occurs
//! in its text (see `workspace::needs_full_parse`). `has_syntax_errors` is
//! always false.
//!
//! What it reads: `import` and `from … import` statements (also after `;`
//! and after a compound statement's `:` on the same line), literal
//! `import_module("m")` / `__import__("m")` calls anywhere, `if
//! TYPE_CHECKING:` blocks by indentation, `def`/`class` names and
//! assignment targets outside functions and classes, `__all__` lists. What
//! makes it give up: non-ASCII outside strings and comments, tabs or form
//! feeds in indentation, a lone `\r`, unterminated strings, unbalanced
//! brackets, a `\` not ending a line, f-strings whose replacement fields
//! hold their own quote or a line break, a `lambda` in a compound
//! statement's header, strings with `\` where their value matters, and
//! every assignment target or import form it does not know.
//!
//! **Invariant:** never panics: every index is checked, and text is sliced
//! at ASCII token boundaries only.

use crate::extract::suppress;
use crate::facts::{FileFacts, Import, ImportKind, ImportedName};
use crate::lang::Lang;
use crate::text::LineIndex;

/// The facts of a Python file without building a syntax tree, or `None`
/// when the text needs a full parse.
pub fn scan(text: &str) -> Option<FileFacts> {
    scan_with_lines(text, &LineIndex::new(text))
}

/// [`scan`] with the text's line index at hand.
pub(crate) fn scan_with_lines(text: &str, lines: &LineIndex) -> Option<FileFacts> {
    thread_local! {
        // one token buffer per thread, reused: a fresh one per file was a
        // page fault per 4 KB of tokens
        static TOKS: std::cell::RefCell<Vec<Tok>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    TOKS.with(|buf| match buf.try_borrow_mut() {
        Ok(mut toks) => scan_into(text, lines, &mut toks),
        Err(_) => scan_into(text, lines, &mut Vec::new()),
    })
}

fn scan_into(text: &str, lines: &LineIndex, toks: &mut Vec<Tok>) -> Option<FileFacts> {
    let mut facts = FileFacts::empty(Lang::Python);
    toks.clear();
    lex(text, lines, &mut facts, toks)?;
    let toks: &[Tok] = toks;
    let mut r = Reader {
        text,
        lines,
        toks,
        facts,
        blocks: Vec::new(),
        all: Vec::new(),
        from_names: Vec::new(),
        starts: Vec::new(),
    };
    r.run()?;
    let Reader {
        mut facts,
        all,
        from_names,
        starts,
        ..
    } = r;
    for (i, as_itself) in from_names {
        let imp = &mut facts.imports[i];
        let offered = as_itself || imp.names.iter().any(|n| all.contains(&n.local));
        if offered && !imp.type_only {
            imp.kind = ImportKind::ReExport;
        }
    }
    // document order, as the tree walk finds them
    let mut order: Vec<usize> = (0..facts.imports.len()).collect();
    order.sort_by_key(|&i| starts[i]);
    let mut imports: Vec<Option<Import>> = facts.imports.drain(..).map(Some).collect();
    facts.imports = order
        .into_iter()
        .filter_map(|i| imports[i].take())
        .collect();
    facts.exports.finish();
    facts.scanned = true;
    Some(facts)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Name,
    /// A string literal; `plain`: a prefix of `r`/`u` only and no `\`, so
    /// its value is the text between its quotes.
    Str {
        plain: bool,
        quote_len: u8,
        prefix_len: u8,
    },
    Number,
    /// An operator or bracket (its text is the token's text).
    Op,
    /// The end of a logical line.
    Newline,
}

#[derive(Debug, Clone, Copy)]
struct Tok {
    kind: Kind,
    start: usize,
    end: usize,
    /// For the first token of a logical line: its indentation.
    indent: u32,
    /// A comment lies between this token and the next one.
    comment_after: bool,
}

/// The tokens of `text`, with logical line ends; suppression comments go
/// straight into `facts`.
fn lex(text: &str, lines: &LineIndex, facts: &mut FileFacts, toks: &mut Vec<Tok>) -> Option<()> {
    let b = text.as_bytes();
    let mut i = 0;
    let mut depth: u32 = 0;
    let mut brackets: Vec<u8> = Vec::new();
    // at the start of a physical line that may begin a logical one
    let mut line_start = true;
    let mut pending_indent: Option<u32> = None;
    while i < b.len() {
        let c = b[i];
        if line_start {
            // measure the indentation of a new logical line
            let mut n = 0u32;
            while i < b.len() && b[i] == b' ' {
                n += 1;
                i += 1;
            }
            if i < b.len() && (b[i] == b'\t' || b[i] == 0x0c) {
                return None;
            }
            line_start = false;
            pending_indent = Some(n);
            continue;
        }
        match c {
            b' ' => i += 1,
            b'\t' | 0x0c => i += 1,
            b'\r' => {
                if b.get(i + 1) != Some(&b'\n') {
                    return None;
                }
                i += 1;
            }
            b'\n' => {
                i += 1;
                if depth == 0 {
                    if pending_indent.is_none() {
                        // a line with code ends a logical line
                        toks.push(Tok {
                            kind: Kind::Newline,
                            start: i - 1,
                            end: i - 1,
                            indent: 0,
                            comment_after: false,
                        });
                    }
                    line_start = true;
                }
            }
            b'\\' => {
                // a line continuation; anything else is an error
                match (b.get(i + 1), b.get(i + 2)) {
                    (Some(b'\n'), _) => i += 2,
                    (Some(b'\r'), Some(b'\n')) => i += 3,
                    _ => return None,
                }
            }
            b'#' => {
                let end = memchr_newline(b, i);
                // a comment runs to the line feed (a `\r` before it is
                // part of it, as for tree-sitter)
                let body = text.get(i..end)?;
                let before = suppress::code_before(text, i);
                if let Some(s) = suppress::parse_comment(body, lines.span(i..end), before) {
                    facts.suppressions.push(s);
                }
                if let Some(t) = toks.last_mut() {
                    if pending_indent.is_none() {
                        t.comment_after = true;
                    }
                }
                i = end;
            }
            b'"' | b'\'' => {
                let t = string(b, i, i)?;
                i = push(toks, t, &mut pending_indent);
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                // a string prefix
                if i < b.len() && (b[i] == b'"' || b[i] == b'\'') && i - start <= 2 {
                    let prefix = &b[start..i];
                    if prefix.iter().all(|p| b"rRuUbBfFtT".contains(p)) {
                        let t = string(b, start, i)?;
                        i = push(toks, t, &mut pending_indent);
                        continue;
                    }
                }
                i = push(
                    toks,
                    Tok {
                        kind: Kind::Name,
                        start,
                        end: i,
                        indent: 0,
                        comment_after: false,
                    },
                    &mut pending_indent,
                );
            }
            b'0'..=b'9' => {
                let start = i;
                while i < b.len()
                    && (b[i].is_ascii_alphanumeric()
                        || b[i] == b'_'
                        || b[i] == b'.'
                        || (matches!(b[i], b'+' | b'-') && matches!(b[i - 1], b'e' | b'E')))
                {
                    i += 1;
                }
                i = push(
                    toks,
                    Tok {
                        kind: Kind::Number,
                        start,
                        end: i,
                        indent: 0,
                        comment_after: false,
                    },
                    &mut pending_indent,
                );
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                brackets.push(c);
                i = push(toks, op(i, i + 1), &mut pending_indent);
            }
            b')' | b']' | b'}' => {
                let open = brackets.pop()?;
                if !matches!((open, c), (b'(', b')') | (b'[', b']') | (b'{', b'}')) {
                    return None;
                }
                depth -= 1;
                i = push(toks, op(i, i + 1), &mut pending_indent);
            }
            c if c.is_ascii_punctuation() => {
                // the longest operator: what matters is `=` alone, `:`,
                // `;`, `,`, `.`, `*`, `->`, `:=` and augmented assignments
                let len = operator_len(&b[i..]);
                i = push(toks, op(i, i + len), &mut pending_indent);
            }
            _ => return None, // non-ASCII or a control character
        }
    }
    if depth != 0 {
        return None;
    }
    if pending_indent.is_none() {
        toks.push(Tok {
            kind: Kind::Newline,
            start: b.len(),
            end: b.len(),
            indent: 0,
            comment_after: false,
        });
    }
    Some(())
}

fn memchr_newline(b: &[u8], from: usize) -> usize {
    b[from..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |p| from + p)
}

fn op(start: usize, end: usize) -> Tok {
    Tok {
        kind: Kind::Op,
        start,
        end,
        indent: 0,
        comment_after: false,
    }
}

/// Pushes a token; the first of a logical line carries its indentation.
fn push(toks: &mut Vec<Tok>, mut t: Tok, pending: &mut Option<u32>) -> usize {
    if let Some(n) = pending.take() {
        t.indent = n;
    }
    let end = t.end;
    toks.push(t);
    end
}

const OPERATORS: [&[u8]; 24] = [
    b"**=", b"//=", b">>=", b"<<=", b"...", b"->", b":=", b"==", b"!=", b"<=", b">=", b"+=", b"-=",
    b"*=", b"/=", b"%=", b"&=", b"|=", b"^=", b"@=", b"**", b"//", b"<<", b">>",
];

fn operator_len(rest: &[u8]) -> usize {
    OPERATORS
        .iter()
        .find(|o| rest.starts_with(o))
        .map_or(1, |o| if **o == *b"..." { 1 } else { o.len() })
}

/// A string literal starting at `start` (its prefix) with its quote at `q`.
fn string(b: &[u8], start: usize, q: usize) -> Option<Tok> {
    let quote = b[q];
    let triple = b.get(q + 1) == Some(&quote) && b.get(q + 2) == Some(&quote);
    let qlen = if triple { 3 } else { 1 };
    let prefix = &b[start..q];
    let fstring = prefix
        .iter()
        .any(|p| matches!(p, b'f' | b'F' | b't' | b'T'));
    let mut i = q + qlen;
    let mut escaped = false;
    let mut fields: u32 = 0;
    loop {
        let c = *b.get(i)?;
        if c == b'\\' {
            escaped = true;
            i += 2;
            continue;
        }
        if fstring {
            if c == b'{' {
                if b.get(i + 1) == Some(&b'{') && fields == 0 {
                    i += 2;
                    continue;
                }
                fields += 1;
            } else if c == b'}' && fields > 0 {
                fields -= 1;
            } else if fields > 0 && (c == quote || c == b'\n') {
                // a replacement field with its own quotes or lines
                return None;
            } else if fields > 0 && (c == b'"' || c == b'\'') {
                // a string of the other quote inside a field: to its end
                let close = b[i + 1..]
                    .iter()
                    .position(|&x| x == c || x == b'\n' || x == b'\\')?;
                if b[i + 1 + close] != c {
                    return None;
                }
                i += close + 2;
                continue;
            }
        }
        if c == quote && fields == 0 {
            if !triple {
                i += 1;
                break;
            }
            if b.get(i + 1) == Some(&quote) && b.get(i + 2) == Some(&quote) {
                i += 3;
                break;
            }
        }
        if c == b'\n' && !triple {
            return None; // unterminated
        }
        i += 1;
    }
    let plain = !escaped
        && prefix
            .iter()
            .all(|p| matches!(p, b'r' | b'R' | b'u' | b'U'));
    Some(Tok {
        kind: Kind::Str {
            plain,
            quote_len: qlen as u8,
            prefix_len: prefix.len() as u8,
        },
        start,
        end: i,
        indent: 0,
        comment_after: false,
    })
}

/// An open block: a `def`/`class` body (no longer module level) or the
/// body of `if TYPE_CHECKING:` (type-only), by the indentation of its
/// header.
#[derive(Debug, Clone, Copy)]
struct Block {
    indent: u32,
    def: bool,
}

struct Reader<'a> {
    text: &'a str,
    lines: &'a LineIndex,
    toks: &'a [Tok],
    facts: FileFacts,
    blocks: Vec<Block>,
    /// `__all__`'s strings.
    all: Vec<String>,
    /// (import index, imported as itself) of every `from … import name`.
    from_names: Vec<(usize, bool)>,
    /// Each import's start offset, for document order.
    starts: Vec<usize>,
}

const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

const COMPOUND: &[&str] = &[
    "if", "elif", "else", "for", "while", "try", "except", "finally", "with", "async", "def",
    "class",
];

impl Reader<'_> {
    fn s(&self, t: &Tok) -> &str {
        self.text.get(t.start..t.end).unwrap_or("")
    }

    fn is(&self, i: usize, s: &str) -> bool {
        self.toks
            .get(i)
            .is_some_and(|t| !matches!(t.kind, Kind::Str { .. }) && self.s(t) == s)
    }

    fn run(&mut self) -> Option<()> {
        let mut i = 0;
        while i < self.toks.len() {
            // one logical line: toks[i..end]
            let end = (i..self.toks.len())
                .find(|&k| self.toks[k].kind == Kind::Newline)
                .unwrap_or(self.toks.len());
            if end > i {
                let indent = self.toks[i].indent;
                while self.blocks.last().is_some_and(|b| b.indent >= indent) {
                    self.blocks.pop();
                }
                let top = !self.blocks.iter().any(|b| b.def);
                let type_only = self.blocks.iter().any(|b| !b.def);
                self.dynamic_imports(i, end, type_only)?;
                self.statements(i, end, indent, top, type_only)?;
            }
            i = end + 1;
        }
        Some(())
    }

    /// The depth-0 token `s` in `toks[from..to]`.
    fn find_top(&self, from: usize, to: usize, s: &str) -> Option<usize> {
        let mut depth = 0i32;
        for k in from..to {
            let t = &self.toks[k];
            match t.kind {
                Kind::Op => match self.s(t) {
                    "(" | "[" | "{" => depth += 1,
                    ")" | "]" | "}" => depth -= 1,
                    x if depth == 0 && x == s => return Some(k),
                    _ => {}
                },
                Kind::Name if depth == 0 && self.s(t) == s => return Some(k),
                _ => {}
            }
        }
        None
    }

    /// Simple statements and compound headers in `toks[i..end]`.
    fn statements(
        &mut self,
        mut i: usize,
        end: usize,
        indent: u32,
        mut top: bool,
        mut type_only: bool,
    ) -> Option<()> {
        while i < end {
            let first = self.s(&self.toks[i]);
            let is_name = self.toks[i].kind == Kind::Name;
            // `match x:` / `case p:` (soft keywords), not `match = …`,
            // `match(x)` or `match.x`
            let soft = is_name
                && (first == "match" || first == "case")
                && i + 1 < end
                && !self.assigns_or_accesses(i + 1)
                && self.find_top(i, end, ":").is_some();
            if is_name && (COMPOUND.contains(&first) || soft) {
                // a compound statement's header, up to its `:`
                let colon = self.find_top(i, end, ":")?;
                // a `lambda` at depth 0 would have its own `:`
                if self.find_top(i, colon, "lambda").is_some() {
                    return None;
                }
                let mut k = i;
                if first == "async" {
                    k += 1;
                }
                let kw = self.s(&self.toks[k]).to_string();
                match kw.as_str() {
                    "def" | "class" => {
                        let name = self.toks.get(k + 1)?;
                        if name.kind != Kind::Name {
                            return None;
                        }
                        if top {
                            self.facts.exports.local.push(self.s(name).to_string());
                        }
                        self.blocks.push(Block { indent, def: true });
                        top = false;
                    }
                    "if" => {
                        // the condition's text (a comment can only be inside
                        // its brackets, so inside the tree's node too)
                        let cond = self.text.get(self.toks[k].end..self.toks[colon].start)?;
                        let c = cond.trim();
                        if c == "TYPE_CHECKING" || c.ends_with(".TYPE_CHECKING") {
                            self.blocks.push(Block { indent, def: false });
                            type_only = true;
                        }
                    }
                    "for" | "while" | "with" | "try" | "else" | "elif" | "except" | "finally"
                    | "match" | "case" => {}
                    _ => return None,
                }
                i = colon + 1;
                continue;
            }
            // a simple statement, up to `;`
            let stop = self.find_top(i, end, ";").unwrap_or(end);
            self.simple(i, stop, top, type_only)?;
            i = stop + 1;
        }
        Some(())
    }

    fn simple(&mut self, i: usize, end: usize, top: bool, type_only: bool) -> Option<()> {
        if i >= end {
            return Some(());
        }
        if self.is(i, "import") && self.toks[i].kind == Kind::Name {
            return self.import(i, end, type_only);
        }
        if self.is(i, "from") && self.toks[i].kind == Kind::Name {
            return self.from(i, end, type_only);
        }
        if top {
            self.assignment(i, end)?;
        }
        Some(())
    }

    /// A dotted name at `i` (`a.b.c`, spaces allowed around the dots): its
    /// text without spaces and the index after it.
    fn dotted(&self, mut i: usize, end: usize) -> Option<(String, usize)> {
        let mut s = String::new();
        loop {
            let t = self.toks.get(i).filter(|_| i < end)?;
            if t.kind != Kind::Name {
                return None;
            }
            s.push_str(self.s(t));
            i += 1;
            if i < end && self.is(i, ".") {
                if self.toks[i - 1].comment_after || self.toks[i].comment_after {
                    return None;
                }
                s.push('.');
                i += 1;
            } else {
                return Some((s, i));
            }
        }
    }

    /// Whether the token at `k` is an operator making the name before it an
    /// assignment target or a value (`=`, `:`, `.`, `,`, `)`, `+=`, ...).
    fn assigns_or_accesses(&self, k: usize) -> bool {
        let t = &self.toks[k];
        t.kind == Kind::Op && {
            let s = self.s(t);
            matches!(s, ":" | "=" | "." | "," | ")") || is_augmented(s)
        }
    }

    fn push_import(&mut self, imp: Import, start: usize) {
        self.starts.push(start);
        self.facts.imports.push(imp);
    }

    /// `import a.b.c [as d], …`
    fn import(&mut self, i: usize, end: usize, type_only: bool) -> Option<()> {
        let mut k = i + 1;
        loop {
            let start = self.toks.get(k)?.start;
            let (spec, mut next) = self.dotted(k, end)?;
            if next < end && self.is(next, "as") {
                let alias = self.toks.get(next + 1).filter(|_| next + 1 < end)?;
                if alias.kind != Kind::Name {
                    return None;
                }
                next += 2;
            }
            let stop = self.toks[next - 1].end;
            self.push_import(
                Import {
                    kind: ImportKind::Namespace,
                    specifier: spec,
                    span: self.lines.span(start..stop),
                    type_only,
                    names: Vec::new(),
                },
                start,
            );
            if next == end {
                return Some(());
            }
            if !self.is(next, ",") {
                return None;
            }
            k = next + 1;
        }
    }

    /// `from X import a [as b], …`, `from X import (…)`, `from X import *`.
    fn from(&mut self, i: usize, end: usize, type_only: bool) -> Option<()> {
        let stmt_start = self.toks[i].start;
        let mut k = i + 1;
        let mut module = String::new();
        while k < end && self.is(k, ".") {
            module.push('.');
            k += 1;
        }
        if k < end && !self.is(k, "import") {
            let (m, next) = self.dotted(k, end)?;
            module.push_str(&m);
            k = next;
        }
        if module.is_empty() || !self.is(k, "import") {
            return None;
        }
        if (i..k).any(|x| self.toks[x].comment_after) {
            return None;
        }
        k += 1;
        if module == "__future__" {
            return Some(());
        }
        if k + 1 == end && self.is(k, "*") {
            self.push_import(
                Import {
                    kind: ImportKind::ReExportAll,
                    specifier: module,
                    span: self.lines.span(stmt_start..self.toks[k].end),
                    type_only,
                    names: Vec::new(),
                },
                stmt_start,
            );
            return Some(());
        }
        let (mut k, stop) = if self.is(k, "(") {
            if !self.is(end - 1, ")") {
                return None;
            }
            (k + 1, end - 1)
        } else {
            (k, end)
        };
        if k >= stop {
            return None;
        }
        while k < stop {
            let start = self.toks[k].start;
            let (name, mut next) = self.dotted(k, stop)?;
            let mut local = name.clone();
            let mut aliased = false;
            if next < stop && self.is(next, "as") {
                let alias = self.toks.get(next + 1).filter(|_| next + 1 < stop)?;
                if alias.kind != Kind::Name {
                    return None;
                }
                local = self.s(alias).to_string();
                aliased = true;
                next += 2;
            }
            let span_end = self.toks[next - 1].end;
            let as_itself = aliased && local == name;
            self.from_names.push((self.facts.imports.len(), as_itself));
            self.push_import(
                Import {
                    kind: ImportKind::Static,
                    specifier: module.clone(),
                    span: self.lines.span(start..span_end),
                    type_only,
                    names: vec![ImportedName {
                        name,
                        local,
                        type_only,
                    }],
                },
                start,
            );
            if next == stop {
                break;
            }
            if !self.is(next, ",") {
                return None;
            }
            k = next + 1;
        }
        Some(())
    }

    /// A module-level assignment: its plain names are exports;
    /// `__all__ = [..]` (or `+=`) lists the names the file offers.
    fn assignment(&mut self, i: usize, end: usize) -> Option<()> {
        let toks = self.toks;
        let t0 = &toks[i];
        if t0.kind == Kind::Name && KEYWORDS.contains(&self.s(t0)) {
            return Some(()); // a keyword statement, or `lambda: …`
        }
        // `type X = …`, `type X[T] = …`: a type alias (PEP 695), no name of
        // the module's as the tree reads it
        if self.is(i, "type")
            && t0.kind == Kind::Name
            && toks.get(i + 1).is_some_and(|t| t.kind == Kind::Name)
            && (self.is(i + 2, "=") || self.is(i + 2, "["))
        {
            return Some(());
        }
        // `x: T [= v]`
        if t0.kind == Kind::Name && self.is(i + 1, ":") && i + 1 < end {
            let name = self.s(t0).to_string();
            self.facts.exports.local.push(name.clone());
            if let Some(eq) = self.find_top(i + 2, end, "=") {
                if name == "__all__" {
                    self.all_list(eq + 1, end)?;
                }
            }
            return Some(());
        }
        // `x += v`
        if t0.kind == Kind::Name
            && toks
                .get(i + 1)
                .filter(|_| i + 1 < end)
                .is_some_and(|t| t.kind == Kind::Op && is_augmented(self.s(t)))
        {
            let name = self.s(t0).to_string();
            self.facts.exports.local.push(name.clone());
            if name == "__all__" {
                self.all_list(i + 2, end)?;
            }
            return Some(());
        }
        // `t1 = t2 = … = v`
        let mut eqs = Vec::new();
        let mut depth = 0i32;
        for (k, t) in toks.iter().enumerate().take(end).skip(i) {
            if t.kind == Kind::Op {
                match self.s(t) {
                    "(" | "[" | "{" => depth += 1,
                    ")" | "]" | "}" => depth -= 1,
                    "=" if depth == 0 => eqs.push(k),
                    s if depth == 0 && is_augmented(s) => return None,
                    _ => {}
                }
            }
        }
        let Some(&last) = eqs.last() else {
            return Some(()); // an expression
        };
        let mut from = i;
        let mut last_names = Vec::new();
        for &eq in &eqs {
            last_names = self.target(from, eq)?;
            self.facts.exports.local.extend(last_names.iter().cloned());
            from = eq + 1;
        }
        if last_names == ["__all__"] {
            self.all_list(last + 1, end)?;
        }
        Some(())
    }

    /// The names a target `toks[i..end]` binds, or `None` for a form not
    /// known.
    fn target(&self, i: usize, end: usize) -> Option<Vec<String>> {
        if i >= end {
            return None;
        }
        // `(a, b)` as a whole: a tuple pattern; `[a, b]`: a list pattern
        let (inner, tuple_or_list) = if self.is(i, "(") || self.is(i, "[") {
            let close = self.matching(i, end)?;
            if close + 1 == end {
                ((i + 1, close), Some(self.is(i, "(")))
            } else {
                ((i, end), None)
            }
        } else {
            ((i, end), None)
        };
        let items = self.split_commas(inner.0, inner.1);
        if tuple_or_list == Some(true)
            && items.len() == 1
            && !self.ends_with_comma(inner.0, inner.1)
        {
            return None; // `(a) = …`
        }
        let mut names = Vec::new();
        for (a, b) in items {
            if a >= b {
                continue; // a trailing comma
            }
            if b - a == 1 && self.toks[a].kind == Kind::Name {
                if self.is(a, "lambda") || self.is(a, "yield") || self.is(a, "await") {
                    return None;
                }
                names.push(self.s(&self.toks[a]).to_string());
            } else if self.is(a, "*") && b - a == 2 && self.toks[a + 1].kind == Kind::Name {
                // a starred name binds nothing the tree calls a name
            } else if self.is_attribute_or_subscript(a, b) {
            } else if self.is(a, "(") || self.is(a, "[") {
                // a nested pattern binds nothing at this level
                let close = self.matching(a, b)?;
                if close + 1 != b {
                    return None;
                }
            } else {
                return None;
            }
        }
        if tuple_or_list == Some(false) {
            return Some(Vec::new());
        }
        Some(names)
    }

    fn ends_with_comma(&self, a: usize, b: usize) -> bool {
        b > a && self.is(b - 1, ",")
    }

    /// `x.y`, `x[0]`, `f().y`, `a.b[c].d`: a primary ending in an attribute
    /// or a subscript.
    fn is_attribute_or_subscript(&self, a: usize, b: usize) -> bool {
        if self.toks[a].kind != Kind::Name {
            return false;
        }
        let mut k = a + 1;
        let mut last_ok = false;
        while k < b {
            if self.is(k, ".") && k + 1 < b && self.toks[k + 1].kind == Kind::Name {
                k += 2;
                last_ok = true;
            } else if self.is(k, "[") || self.is(k, "(") {
                let Some(close) = self.matching(k, b) else {
                    return false;
                };
                last_ok = self.is(k, "[");
                k = close + 1;
            } else {
                return false;
            }
        }
        last_ok
    }

    /// The index of the bracket closing the one at `i`, before `end`.
    fn matching(&self, i: usize, end: usize) -> Option<usize> {
        let mut depth = 0i32;
        for k in i..end {
            let t = &self.toks[k];
            if t.kind == Kind::Op {
                match self.s(t) {
                    "(" | "[" | "{" => depth += 1,
                    ")" | "]" | "}" => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(k);
                        }
                    }
                    _ => {}
                }
            }
        }
        None
    }

    /// The depth-0 comma-separated ranges of `toks[a..b]`.
    fn split_commas(&self, a: usize, b: usize) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut depth = 0i32;
        let mut from = a;
        for k in a..b {
            let t = &self.toks[k];
            if t.kind == Kind::Op {
                match self.s(t) {
                    "(" | "[" | "{" => depth += 1,
                    ")" | "]" | "}" => depth -= 1,
                    "," if depth == 0 => {
                        out.push((from, k));
                        from = k + 1;
                    }
                    _ => {}
                }
            }
        }
        out.push((from, b));
        out
    }

    /// `__all__`'s value: a list or tuple of strings, when it is exactly
    /// one; `None` for a string whose value the scanner cannot decode.
    fn all_list(&mut self, a: usize, b: usize) -> Option<()> {
        if a >= b || !(self.is(a, "[") || self.is(a, "(")) {
            return Some(());
        }
        if self.matching(a, b) != Some(b - 1) {
            return Some(());
        }
        for (x, y) in self.split_commas(a + 1, b - 1) {
            if y == x + 1 {
                let t = self.toks[x];
                if let Some(v) = self.string_value(&t) {
                    self.all.push(v);
                } else if matches!(t.kind, Kind::Str { .. })
                    && self.text.get(t.start..t.end)?.contains('\\')
                {
                    return None;
                }
            }
        }
        Some(())
    }

    /// A plain string literal's value.
    fn string_value(&self, t: &Tok) -> Option<String> {
        let Kind::Str {
            plain: true,
            quote_len,
            prefix_len,
        } = t.kind
        else {
            return None;
        };
        let from = t.start + prefix_len as usize + quote_len as usize;
        let to = t.end.checked_sub(quote_len as usize)?;
        self.text.get(from..to).map(String::from)
    }

    /// `import_module("m")`, `x.import_module("m")`, `__import__("m")`
    /// anywhere in `toks[i..end]`.
    fn dynamic_imports(&mut self, i: usize, end: usize, type_only: bool) -> Option<()> {
        for k in i..end {
            let t = &self.toks[k];
            if t.kind != Kind::Name {
                continue;
            }
            let name = self.s(t);
            if name != "import_module" && name != "__import__" {
                continue;
            }
            if !(k + 1 < end && self.is(k + 1, "(")) {
                continue;
            }
            // the callee: a name, or a chain of names
            let mut root = k;
            while root >= i + 2 && self.is(root - 1, ".") && self.toks[root - 2].kind == Kind::Name
            {
                root -= 2;
            }
            if root > i {
                let before = &self.toks[root - 1];
                if matches!(before.kind, Kind::Name) && matches!(self.s(before), "def" | "class") {
                    continue; // a definition of that name
                }
                if before.kind == Kind::Op && self.s(before) == "." {
                    return None; // a call on something not a name chain
                }
            }
            let close = self.matching(k + 1, end)?;
            if (root..close).any(|x| self.toks[x].comment_after) {
                return None;
            }
            let arg = k + 2;
            if arg >= close {
                continue;
            }
            let a = &self.toks[arg];
            let Kind::Str { plain, .. } = a.kind else {
                continue;
            };
            let next = arg + 1;
            if !(next == close || self.is(next, ",")) {
                continue; // concatenated, or an expression
            }
            if !plain {
                // an escape or a prefix: the tree reads no plain literal, or
                // reads one the scanner cannot decode
                if self.text.get(a.start..a.end)?.contains('\\') {
                    return None;
                }
                continue;
            }
            let Some(spec) = self.string_value(a) else {
                continue;
            };
            let valid = !spec.is_empty()
                && !spec.starts_with('.')
                && spec
                    .split('.')
                    .all(|p| !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || c == '_'));
            if !valid {
                continue;
            }
            let start = self.toks[root].start;
            self.push_import(
                Import {
                    kind: ImportKind::Dynamic,
                    specifier: spec,
                    span: self.lines.span(start..self.toks[close].end),
                    type_only,
                    names: Vec::new(),
                },
                start,
            );
        }
        Some(())
    }
}

fn is_augmented(s: &str) -> bool {
    s.len() >= 2 && s.ends_with('=') && !matches!(s, "==" | "!=" | "<=" | ">=" | ":=")
}

/// What the scanner and the tree extractor make of one text.
pub fn compare_with_tree(text: &str) -> super::super::compare::Verdict {
    use super::super::compare::Verdict;
    let Some(fast) = scan(text) else {
        return Verdict::GaveUp;
    };
    let mut parser = tree_sitter::Parser::new();
    let tree = parser
        .set_language(&Lang::Python.grammar())
        .ok()
        .and_then(|()| parser.parse(text, None));
    let Some(tree) = tree else {
        return Verdict::TreeHasErrors;
    };
    let full = super::extract::extract(&tree, text);
    if full.has_syntax_errors {
        return Verdict::TreeHasErrors;
    }
    super::super::compare::compare_facts(&fast, &full)
}
