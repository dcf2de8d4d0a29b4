//! The import scanner: a lexer-level fast path for TypeScript / JavaScript.
//!
//! Most files contribute only their imports, exports and suppression comments
//! to a check; building a full syntax tree for them is the bulk of a cold
//! check. [`scan`] reads those facts with a single pass of a small lexer and
//! a few statement shapes, and gives up (`None`) on anything it does not
//! recognise with certainty; the caller then parses the file with tree-sitter.
//!
//! **Contract:** when `scan` returns facts, they equal what
//! [`crate::extract::extract`] finds in the same text for `imports`,
//! `exports` and `suppressions` (checked differentially in tests and a fuzz
//! target, on text tree-sitter parses without errors). Global API uses are
//! *not* computed: `apis` is empty and [`FileFacts::scanned`] is set, so the
//! engine parses a file in full when a rule names a global its text contains
//! (see `workspace::needs_full_parse`). `has_syntax_errors` is always false.
//!
//! What it recognises: `import …` / `export …` statements of the usual
//! shapes at the top level and in `namespace` bodies, `declare module` /
//! `declare namespace` / `declare global` bodies (type-only there),
//! `require('m')` calls anywhere, `import('m')` after `await` or `return`,
//! and JSX in `.tsx`/`.js` (elements, fragments, attributes, expression
//! containers). What makes it give up: `import(…)` anywhere else (it may be
//! a type), JSX with type arguments or what may be a generic arrow
//! (`<T,>(x) => x`), a `/` after `}` or `>` (regex or division cannot be told
//! apart), line breaks tree-sitter reads as the end of a statement
//! (`export⏎const`), a `declare` statement followed by a `require`,
//! unterminated literals or comments, unbalanced brackets, non-ASCII outside
//! strings and comments, and every rarer statement form (`export =`, import
//! attributes, destructured or several declarators in one exported `const`,
//! …).
//!
//! **Invariant:** never panics: every index is checked, and text is sliced at
//! ASCII token boundaries only.

use crate::extract::suppress;
use crate::facts::{FileFacts, Import, ImportKind, ImportedName};
use crate::lang::Lang;
use crate::text::LineIndex;

/// The facts of a TS/JS file without building a syntax tree, or `None` when
/// the text needs a full parse (any other language, or a construct the
/// scanner does not handle with certainty).
pub fn scan(text: &str, lang: Lang) -> Option<FileFacts> {
    scan_with_lines(text, lang, &LineIndex::new(text))
}

/// [`scan`] with the text's line index already at hand (the workspace keeps
/// one per file anyway).
pub(crate) fn scan_with_lines(text: &str, lang: Lang, lines: &LineIndex) -> Option<FileFacts> {
    scan_or_offset(text, lang, lines).ok()
}

/// Where [`scan`] gives up on `text`: the byte offset it had read to (the
/// construct it could not read ends there), or `None` when it does not.
/// For finding out what makes files need a full parse.
pub fn gives_up_at(text: &str, lang: Lang) -> Option<usize> {
    scan_or_offset(text, lang, &LineIndex::new(text)).err()
}

fn scan_or_offset(text: &str, lang: Lang, lines: &LineIndex) -> Result<FileFacts, usize> {
    if !lang.is_js_family() {
        return Err(0);
    }
    let mut s = Scanner {
        lx: Lexer::new(text, lang == Lang::Tsx),
        facts: FileFacts::empty(lang),
        back: Vec::new(),
        ends: Vec::new(),
        export_decl: false,
        angles: Vec::new(),
        comma_in_angle: false,
        decl_depth: 0,
        declared: false,
    };
    if s.run().is_none() {
        return Err(s.lx.pos);
    }
    for (imp, (start, end)) in s.facts.imports.iter_mut().zip(s.ends) {
        imp.span = lines.span(start..end);
    }
    for &(start, end, at) in &s.lx.comments {
        let code_before = suppress::code_before(text, at);
        let comment = text.get(start..end).ok_or(start)?;
        s.facts.suppressions.extend(suppress::parse_comment(
            comment,
            lines.span(start..end),
            code_before,
        ));
    }
    s.facts.scanned = true;
    s.facts.exports.finish();
    Ok(s.facts)
}

// ---------------------------------------------------------------------------
// Lexer.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum K {
    Ident,
    /// `'…'` or `"…"`.
    Str,
    /// A template without substitutions.
    Tpl,
    /// A template part that opens a substitution (`` `…${ `` or `}…${`).
    TplOpen,
    /// The end of a template with substitutions (`}…`` ` ``).
    TplClose,
    /// A whole JSX element, from its `<` to its end, or its part after an
    /// expression container.
    Jsx,
    Num,
    Regex,
    Punct,
    Eof,
}

#[derive(Debug, Clone, Copy)]
struct Tok {
    k: K,
    start: usize,
    end: usize,
    /// What the token before it was.
    pre: Pre,
    /// What separates it from that token.
    gap: Gap,
}

/// Line breaks between two tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gap {
    Same,
    Newline,
    /// Only a block comment holding a line break: tree-sitter does not always
    /// treat it as one.
    Murky,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pre {
    /// `.` or `?.`: this token is a property name.
    Member,
    New,
    Function,
    /// `await` or `return`: an expression follows, never a type.
    Await,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Open {
    /// `(`; whether `if`/`while`/`for`/`with` preceded it (then a `/` after
    /// the `)` starts a regex).
    Paren(bool),
    Bracket,
    Brace(Region),
    /// `${` of a template.
    Subst,
    /// `{` of a JSX expression container; `true` among an element's
    /// children, `false` in its tag (an attribute value or spread).
    JsxExpr(bool),
}

/// An open JSX element.
#[derive(Debug, Clone, Copy)]
struct JsxEl {
    /// Its name's byte range (empty for a fragment `<>`).
    name: (usize, usize),
    /// Still reading its tag's attributes (else its children).
    in_tag: bool,
}

/// What a `{ … }` is the body of, as far as imports and exports go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Region {
    /// A block, an object, a class body: no import or export belongs here.
    Plain,
    /// `namespace N { … }`: its exports are the file's exports.
    Namespace,
    /// `declare module 'm' { … }`, `declare namespace N { … }`, `declare
    /// global { … }` and everything nested in them: type-level; their
    /// imports and re-exports are type-only, their declarations not exported.
    Ambient,
}

/// Where an `import` or `export` keyword stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Body {
    Top,
    Namespace,
    Ambient,
    /// Nested in anything else.
    Other,
}

/// What the previous token allows a `/` to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slash {
    Regex,
    Divide,
    /// After `}`: a block (regex) or an object literal (division).
    Unknown,
}

/// The length of the punctuator starting with bytes `a b c d` (longest
/// match: `>>>=`, `...`, `?.`, `=>`, …).
fn punct_len(a: u8, b: u8, c: u8, d: u8) -> usize {
    match (a, b) {
        (b'>', b'>') if c == b'>' => 3 + usize::from(d == b'='),
        (b'>', b'>') | (b'<', b'<') => 2 + usize::from(c == b'='),
        (b'=' | b'!', b'=') => 2 + usize::from(c == b'='),
        (b'*', b'*') | (b'&', b'&') | (b'|', b'|') | (b'?', b'?') => 2 + usize::from(c == b'='),
        // `a ?.5 : b` is a conditional, not optional chaining
        (b'?', b'.') if !c.is_ascii_digit() => 2,
        (b'.', b'.') if c == b'.' => 3,
        (b'=', b'>') | (b'+', b'+') | (b'-', b'-') => 2,
        (b'<' | b'>' | b'+' | b'-' | b'*' | b'/' | b'%' | b'&' | b'|' | b'^', b'=') => 2,
        _ => 1,
    }
}

/// The last non-blank byte before `at` ends an operator after which an
/// expression starts (so a `<` there opens type parameters or an assertion).
fn expression_start(src: &[u8], at: usize) -> bool {
    let before = src.get(..at).unwrap_or(b"");
    before
        .iter()
        .enumerate()
        .rev()
        .find(|(_, b)| !b.is_ascii_whitespace())
        .is_some_and(|(i, b)| {
            matches!(
                b,
                b'=' | b'(' | b',' | b':' | b'?' | b'[' | b'<' | b'|' | b'&'
            ) || (*b == b'>' && i > 0 && before.get(i - 1) == Some(&b'='))
        })
}

/// Words tree-sitter may read as an operator or a modifier, not a name.
fn contextual_keyword(w: &[u8]) -> bool {
    matches!(
        w,
        b"satisfies"
            | b"as"
            | b"is"
            | b"in"
            | b"of"
            | b"instanceof"
            | b"keyof"
            | b"typeof"
            | b"infer"
            | b"extends"
            | b"implements"
            | b"from"
            | b"type"
            | b"declare"
            | b"module"
            | b"namespace"
            | b"global"
            | b"abstract"
            | b"readonly"
            | b"async"
            | b"await"
            | b"yield"
            | b"get"
            | b"set"
            | b"static"
            | b"public"
            | b"private"
            | b"protected"
            | b"override"
            | b"accessor"
            | b"new"
            | b"import"
            | b"export"
            | b"unique"
            | b"asserts"
            | b"enum"
            | b"interface"
            | b"class"
            | b"function"
            | b"const"
            | b"let"
            | b"var"
    )
}

/// What a `/` after the word `w` (not a property name) is.
fn slash_after_word(w: &[u8]) -> Slash {
    match w {
        // keywords after which an expression starts
        b"return" | b"typeof" | b"instanceof" | b"new" | b"delete" | b"void" | b"throw" | b"do"
        | b"else" | b"default" => Slash::Regex,
        // keywords that may also be names, or that tree-sitter may read so
        b"in" | b"of" | b"case" | b"yield" | b"await" => Slash::Unknown,
        _ => Slash::Divide,
    }
}

struct Lexer<'a> {
    text: &'a str,
    src: &'a [u8],
    pos: usize,
    jsx: bool,
    open: Vec<Open>,
    slash: Slash,
    /// What a `/` after the last `)` is.
    closed_paren: Slash,
    /// Line breaks in the trivia being skipped.
    gap: Gap,
    /// The previous token (`None` at the start).
    prev: Option<Tok>,
    /// The token before `prev`.
    before: Option<Tok>,
    /// Comments holding `layergate-ignore`: byte range, and where to look
    /// for code before it (the `{` of a JSX container holding only it).
    comments: Vec<(usize, usize, usize)>,
    /// Every comment seen so far.
    comment_count: usize,
    /// Open JSX elements, innermost last.
    elements: Vec<JsxEl>,
    /// `elements.len()` where each JSX expression being read started.
    jsx_bases: Vec<usize>,
    /// For each open JSX child container: its `{` offset, and
    /// `comment_count` and `comments.len()` when it opened.
    containers: Vec<(usize, usize, usize)>,
}

impl<'a> Lexer<'a> {
    fn new(text: &'a str, jsx: bool) -> Self {
        Lexer {
            text,
            src: text.as_bytes(),
            pos: 0,
            jsx,
            open: Vec::new(),
            slash: Slash::Regex,
            closed_paren: Slash::Divide,
            gap: Gap::Same,
            prev: None,
            before: None,
            comments: Vec::new(),
            comment_count: 0,
            elements: Vec::new(),
            jsx_bases: Vec::new(),
            containers: Vec::new(),
        }
    }

    fn at(&self, i: usize) -> u8 {
        self.src.get(i).copied().unwrap_or(0)
    }

    fn word(&self, t: Tok) -> &'a [u8] {
        self.src.get(t.start..t.end).unwrap_or(b"")
    }

    fn str_of(&self, t: Tok) -> &'a str {
        self.text.get(t.start..t.end).unwrap_or("")
    }

    /// Skips whitespace and comments; `None` on what the scanner does not
    /// handle (non-ASCII, unterminated comments, HTML comments).
    fn trivia(&mut self) -> Option<()> {
        loop {
            match self.at(self.pos) {
                b'\n' | b'\r' => {
                    self.gap = Gap::Newline;
                    self.pos += 1;
                }
                b' ' | b'\t' | 0x0b | 0x0c => self.pos += 1,
                b'#' if self.pos == 0 && self.at(1) == b'!' => {
                    // hashbang: not a comment node
                    while !matches!(self.at(self.pos), b'\n' | 0) {
                        self.pos += 1;
                    }
                }
                b'/' if self.at(self.pos + 1) == b'/' => {
                    let start = self.pos;
                    let rest = self.src.get(start..)?;
                    let len = rest
                        .iter()
                        .position(|&b| b == b'\n' || b == b'\r')
                        .unwrap_or(rest.len());
                    let body = rest.get(..len)?;
                    // U+2028 / U+2029 end a line comment in JavaScript
                    if memchr::memmem::find(body, b"\xe2\x80\xa8").is_some()
                        || memchr::memmem::find(body, b"\xe2\x80\xa9").is_some()
                    {
                        return None;
                    }
                    self.pos = start + len;
                    self.comment(start);
                }
                b'/' if self.at(self.pos + 1) == b'*' => {
                    let start = self.pos;
                    let rest = self.src.get(start + 2..)?;
                    let len = memchr::memmem::find(rest, b"*/")?;
                    if self.gap == Gap::Same
                        && rest.get(..len)?.iter().any(|&b| b == b'\n' || b == b'\r')
                    {
                        self.gap = Gap::Murky;
                    }
                    self.pos = start + 2 + len + 2;
                    self.comment(start);
                }
                0 if self.pos >= self.src.len() => return Some(()),
                b if b >= 0x80 || b == 0 => return None,
                _ => return Some(()),
            }
        }
    }

    fn comment(&mut self, start: usize) {
        self.comment_count += 1;
        let body = self.src.get(start..self.pos).unwrap_or(b"");
        if memchr::memmem::find(body, b"layergate-ignore").is_some() {
            self.comments.push((start, self.pos, start));
        }
    }

    /// The next token, or `None` to give up on the file.
    fn next(&mut self) -> Option<Tok> {
        self.gap = Gap::Same;
        self.trivia()?;
        let start = self.pos;
        let gap = self.gap;
        let c = self.at(start);
        let k = if start >= self.src.len() {
            if !self.open.is_empty() {
                return None;
            }
            K::Eof
        } else if c.is_ascii_alphabetic() || c == b'_' || c == b'$' || c == b'#' {
            self.pos += 1;
            while let b @ 1.. = self.at(self.pos) {
                if b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80 {
                    self.pos += 1;
                } else if b == b'\\' {
                    return None; // unicode escape in a name
                } else {
                    break;
                }
            }
            K::Ident
        } else if c.is_ascii_digit() || (c == b'.' && self.at(start + 1).is_ascii_digit()) {
            while matches!(self.at(self.pos), b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' | b'_' | b'.')
            {
                self.pos += 1;
            }
            K::Num
        } else if c == b'\'' || c == b'"' {
            self.string(c)?;
            K::Str
        } else if c == b'`' {
            self.pos += 1;
            self.template()?
        } else if c == b'/' {
            match self.slash {
                Slash::Regex => {
                    self.regex()?;
                    K::Regex
                }
                Slash::Unknown => return None,
                Slash::Divide => {
                    self.pos += if self.at(start + 1) == b'=' { 2 } else { 1 };
                    K::Punct
                }
            }
        } else if c == b'}' && self.open.last() == Some(&Open::Subst) {
            self.open.pop();
            self.pos += 1;
            self.template()?
        } else if let (b'}', Some(&Open::JsxExpr(child))) = (c, self.open.last()) {
            self.open.pop();
            if child {
                self.close_container();
            }
            self.pos += 1;
            self.jsx()?
        } else if c == b'<' && self.jsx && self.slash == Slash::Regex {
            self.pos += 1;
            self.jsx_bases.push(self.elements.len());
            self.open_element()?;
            self.jsx()?
        } else if c.is_ascii_punctuation() {
            self.punct()?
        } else {
            return None;
        };
        let pre = match self.prev {
            Some(p) => match self.word(p) {
                b"." | b"?." if p.k == K::Punct => Pre::Member,
                b"new" if p.k == K::Ident => Pre::New,
                b"function" if p.k == K::Ident => Pre::Function,
                b"await" | b"return" if p.k == K::Ident => Pre::Await,
                _ => Pre::Other,
            },
            None => Pre::Other,
        };
        let t = Tok {
            k,
            start,
            end: self.pos,
            pre,
            gap,
        };
        self.slash = self.slash_after(t);
        self.before = self.prev;
        self.prev = Some(t);
        Some(t)
    }

    fn slash_after(&self, t: Tok) -> Slash {
        match t.k {
            K::Ident => {
                if t.pre == Pre::Member {
                    Slash::Divide
                } else {
                    slash_after_word(self.word(t))
                }
            }
            K::Str | K::Tpl | K::TplClose | K::Num | K::Regex | K::Jsx => Slash::Divide,
            K::TplOpen | K::Eof => Slash::Regex,
            K::Punct => match self.word(t) {
                b"]" | b"++" | b"--" => Slash::Divide,
                // a comparison, or the end of type arguments (`as T<U> / 2`)
                b">" | b">>" | b">>>" => Slash::Unknown,
                b")" => self.closed_paren,
                b"}" => Slash::Unknown,
                // `x!` (non-null assertion) ends an expression
                b"!" if self.prev.is_some_and(|p| {
                    p.end == t.start && (p.k == K::Ident || matches!(self.word(p), b")" | b"]"))
                }) =>
                {
                    Slash::Divide
                }
                _ => Slash::Regex,
            },
        }
    }

    // -- JSX -------------------------------------------------------------------

    /// After the `<` of an element: its name (none for a fragment), or gives
    /// up on what may be a generic arrow function (`<T,>(x) => x`).
    fn open_element(&mut self) -> Option<()> {
        self.jsx_space();
        let start = self.pos;
        self.jsx_name(true);
        let name = (start, self.pos);
        if start == self.pos && self.at(self.pos) != b'>' {
            return None;
        }
        self.jsx_space();
        let rest = self.src.get(self.pos..)?;
        if matches!(self.at(self.pos), b',' | b'<') || rest.starts_with(b"extends") {
            return None;
        }
        self.elements.push(JsxEl { name, in_tag: true });
        Some(())
    }

    /// An element or attribute name (`div`, `my-el`, `svg:rect`, `Foo.Bar`).
    fn jsx_name(&mut self, dots: bool) {
        while let b @ 1.. = self.at(self.pos) {
            if b.is_ascii_alphanumeric()
                || matches!(b, b'_' | b'$' | b'-' | b':')
                || (dots && b == b'.')
            {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    fn jsx_space(&mut self) {
        while self.at(self.pos).is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    /// Reads JSX from `pos` until the element being read ends (`K::Jsx`) or
    /// an expression container opens (its `{`, a `K::Punct`).
    fn jsx(&mut self) -> Option<K> {
        loop {
            let base = *self.jsx_bases.last()?;
            if self.elements.len() == base {
                self.jsx_bases.pop();
                return Some(K::Jsx);
            }
            let el = *self.elements.last()?;
            if el.in_tag {
                self.jsx_space();
                match self.at(self.pos) {
                    b'/' if self.at(self.pos + 1) == b'>' => {
                        self.pos += 2;
                        self.elements.pop();
                    }
                    b'>' => {
                        self.pos += 1;
                        self.elements.last_mut()?.in_tag = false;
                    }
                    b'{' => {
                        self.pos += 1;
                        self.open.push(Open::JsxExpr(false));
                        return Some(K::Punct);
                    }
                    b'a'..=b'z' | b'A'..=b'Z' | b'_' | b'$' => {
                        self.jsx_name(false);
                        self.jsx_space();
                        if self.at(self.pos) == b'=' {
                            self.pos += 1;
                            self.jsx_space();
                            match self.at(self.pos) {
                                q @ (b'"' | b'\'') => {
                                    let rest = self.src.get(self.pos + 1..)?;
                                    self.pos += 1 + memchr::memchr(q, rest)? + 1;
                                }
                                b'{' => {
                                    self.pos += 1;
                                    self.open.push(Open::JsxExpr(false));
                                    return Some(K::Punct);
                                }
                                _ => return None,
                            }
                        }
                    }
                    _ => return None,
                }
            } else {
                // children: text up to the next `{` or `<`
                let rest = self.src.get(self.pos..)?;
                let at = rest
                    .iter()
                    .position(|&b| matches!(b, b'{' | b'<' | b'>' | b'}'))?;
                self.pos += at;
                match self.at(self.pos) {
                    b'{' => {
                        let opened = (self.pos, self.comment_count, self.comments.len());
                        self.containers.push(opened);
                        self.pos += 1;
                        self.open.push(Open::JsxExpr(true));
                        return Some(K::Punct);
                    }
                    b'<' if self.at(self.pos + 1) == b'/' => {
                        self.pos += 2;
                        self.jsx_space();
                        let start = self.pos;
                        self.jsx_name(true);
                        let closing = self.src.get(start..self.pos)?;
                        if closing != self.src.get(el.name.0..el.name.1)? {
                            return None;
                        }
                        self.jsx_space();
                        if self.at(self.pos) != b'>' {
                            return None;
                        }
                        self.pos += 1;
                        self.elements.pop();
                    }
                    b'<' => {
                        self.pos += 1;
                        self.open_element()?;
                    }
                    _ => return None, // `>` or `}` in text
                }
            }
        }
    }

    /// A JSX child container closes: when it held nothing but one comment,
    /// that comment's code-before is looked for from the `{` (as the
    /// tree-sitter extractor does).
    fn close_container(&mut self) {
        let Some((open, count, len)) = self.containers.pop() else {
            return;
        };
        let empty = self.prev.is_some_and(|p| p.end == open + 1);
        if empty && self.comment_count == count + 1 && self.comments.len() == len + 1 {
            if let Some(c) = self.comments.last_mut() {
                c.2 = open;
            }
        }
    }

    fn string(&mut self, quote: u8) -> Option<()> {
        self.pos += 1;
        loop {
            match self.at(self.pos) {
                b'\\' => {
                    self.pos += 1;
                    if self.at(self.pos) == b'\r' && self.at(self.pos + 1) == b'\n' {
                        self.pos += 1;
                    }
                    if self.pos >= self.src.len() {
                        return None;
                    }
                    self.pos += 1;
                }
                b'\n' | b'\r' => return None,
                0 if self.pos >= self.src.len() => return None,
                b if b == quote => {
                    self.pos += 1;
                    return Some(());
                }
                _ => self.pos += 1,
            }
        }
    }

    /// After `` ` `` or the `}` closing a substitution.
    fn template(&mut self) -> Option<K> {
        let opened_here = self.src.get(self.pos - 1) == Some(&b'`');
        loop {
            match self.at(self.pos) {
                b'\\' => {
                    if self.pos + 1 >= self.src.len() {
                        return None;
                    }
                    self.pos += 2;
                }
                b'`' => {
                    self.pos += 1;
                    return Some(if opened_here { K::Tpl } else { K::TplClose });
                }
                b'$' if self.at(self.pos + 1) == b'{' => {
                    self.pos += 2;
                    self.open.push(Open::Subst);
                    return Some(K::TplOpen);
                }
                0 if self.pos >= self.src.len() => return None,
                _ => self.pos += 1,
            }
        }
    }

    fn regex(&mut self) -> Option<()> {
        self.pos += 1;
        let mut class = false;
        loop {
            match self.at(self.pos) {
                b'\\' => {
                    if matches!(self.at(self.pos + 1), b'\n' | b'\r') {
                        return None;
                    }
                    self.pos += 2;
                }
                b'[' => {
                    class = true;
                    self.pos += 1;
                }
                b']' => {
                    class = false;
                    self.pos += 1;
                }
                b'/' if !class => {
                    self.pos += 1;
                    break;
                }
                b'\n' | b'\r' => return None,
                0 if self.pos >= self.src.len() => return None,
                _ => self.pos += 1,
            }
        }
        while self.at(self.pos).is_ascii_alphanumeric() {
            self.pos += 1;
        }
        Some(())
    }

    fn punct(&mut self) -> Option<K> {
        let start = self.pos;
        let b = |i: usize| self.at(start + i);
        let c = b(0);
        if (c, b(1), b(2), b(3)) == (b'<', b'!', b'-', b'-')
            || (c, b(1), b(2)) == (b'-', b'-', b'>')
        {
            return None; // HTML-like comments
        }
        let len = punct_len(c, b(1), b(2), b(3));
        if c == b'<' && self.jsx && self.slash != Slash::Divide {
            return None; // JSX, or maybe JSX
        }
        self.pos += len;
        match c {
            b'(' => {
                let kw = self.prev.is_some_and(|p| {
                    p.k == K::Ident && matches!(self.word(p), b"if" | b"while" | b"for" | b"with")
                });
                self.open.push(Open::Paren(kw));
            }
            b'[' => self.open.push(Open::Bracket),
            b'{' => self.open.push(Open::Brace(Region::Plain)),
            b')' => {
                let Some(Open::Paren(kw)) = self.open.pop() else {
                    return None;
                };
                self.closed_paren = if kw { Slash::Regex } else { Slash::Divide };
            }
            b']' => return (self.open.pop() == Some(Open::Bracket)).then_some(K::Punct),
            b'}' => return matches!(self.open.pop(), Some(Open::Brace(_))).then_some(K::Punct),
            b'\\' => return None,
            _ => {}
        }
        Some(K::Punct)
    }
}

// ---------------------------------------------------------------------------
// Statements.

/// One name of an import or export clause.
struct Spec<'a> {
    name: &'a str,
    local: &'a str,
    type_only: bool,
}

impl Spec<'_> {
    fn imported(&self) -> ImportedName {
        ImportedName {
            name: self.name.to_string(),
            local: self.local.to_string(),
            type_only: self.type_only,
        }
    }
}

struct Scanner<'a> {
    lx: Lexer<'a>,
    facts: FileFacts,
    /// Tokens read ahead and given back, the next one last.
    back: Vec<Tok>,
    /// The byte range of each import, in `facts.imports` order.
    ends: Vec<(usize, usize)>,
    /// Reading the initializer of a top-level `export const x = …`: a `,` at
    /// the top level would start a second declarator.
    export_decl: bool,
    /// `<` minus `>` at the top level of that initializer (`<` right after
    /// a name: type arguments, not a comparison).
    /// Open `<` at the top level of that initializer: `true` for one that
    /// opened where an expression starts (`= <A, B = C>(…) =>`: type
    /// parameters for certain), `false` right after a name (`f<A, B>(…)`:
    /// type arguments, or a comparison if it never closes).
    angles: Vec<bool>,
    /// A `,` was passed while `angle` was open: it separated type arguments
    /// only if the `<` closes.
    comma_in_angle: bool,
    /// The bracket depth of that declaration's statement.
    decl_depth: usize,
    /// A `declare const …`, `declare function …` (a type-level statement,
    /// where tree-sitter records no `require`) was seen: where it ends is
    /// not known, so a later `require('m')` makes the scanner give up.
    declared: bool,
}

impl<'a> Scanner<'a> {
    fn next(&mut self) -> Option<Tok> {
        match self.back.pop() {
            Some(t) => Some(t),
            None => self.lx.next(),
        }
    }

    fn give_back(&mut self, t: Tok) {
        self.back.push(t);
    }

    fn is(&self, t: Tok, w: &str) -> bool {
        matches!(t.k, K::Ident | K::Punct) && self.lx.word(t) == w.as_bytes()
    }

    fn next_is(&mut self, w: &str) -> Option<bool> {
        let t = self.next()?;
        Some(self.is(t, w))
    }

    /// The next token must be `w`.
    fn expect(&mut self, w: &str) -> Option<Tok> {
        let t = self.next()?;
        self.is(t, w).then_some(t)
    }

    fn ident(&mut self) -> Option<&'a str> {
        let t = self.next()?;
        (t.k == K::Ident).then(|| self.lx.str_of(t))
    }

    /// An identifier's text or a string's content (`import { "a-b" as x }`).
    fn name_of(&self, t: Tok) -> Option<&'a str> {
        match t.k {
            K::Ident => Some(self.lx.str_of(t)),
            K::Str => self.lx.text.get(t.start + 1..t.end - 1),
            _ => None,
        }
    }

    fn literal(&self, t: Tok) -> Option<&'a str> {
        match t.k {
            K::Str | K::Tpl => self.lx.text.get(t.start + 1..t.end - 1),
            _ => None,
        }
    }

    fn run(&mut self) -> Option<()> {
        loop {
            let t = self.next()?;
            if self.export_decl {
                self.decl_token(t)?;
            }
            match t.k {
                K::Eof => return Some(()),
                K::Ident if t.pre != Pre::Member => match self.lx.word(t) {
                    b"import" => self.import(t)?,
                    // after `:` or another operator awaiting an operand,
                    // `export` is a name to the tree (`function f(): export
                    // { x }` returns the type `export`; fuzz); what may end
                    // a statement (`;`, brackets, `>`) lets it start one
                    b"export"
                        if self.lx.before.is_some_and(|b| {
                            b.k == K::Punct
                                && !matches!(
                                    self.lx.word(b),
                                    b";" | b"}" | b"{" | b")" | b"]" | b">" | b">>" | b">>>"
                                )
                        }) =>
                    {
                        return None
                    }
                    b"export" => self.export(t)?,
                    // tree-sitter reads `new⏎require('m')` as a call
                    b"require" if t.pre == Pre::New && t.gap != Gap::Same => return None,
                    // calls in type-level code are not dependencies
                    b"require" if matches!(t.pre, Pre::Other | Pre::Await) && !self.ambient() => {
                        self.require(t)?
                    }
                    b"namespace" | b"module" => self.namespace(false, false)?,
                    b"declare" => {
                        let n = self.next()?;
                        // `declare⏎module m {}` is not ambient to tree-sitter
                        if n.gap == Gap::Murky {
                            return None;
                        }
                        let same_line = n.gap == Gap::Same;
                        match self.lx.word(n) {
                            b"namespace" | b"module" if n.k == K::Ident && same_line => {
                                self.namespace(false, true)?
                            }
                            b"global" if n.k == K::Ident && same_line => self.global()?,
                            _ => {
                                self.declared |= same_line && n.k == K::Ident;
                                self.give_back(n)
                            }
                        }
                    }
                    _ => {}
                },
                _ => {}
            }
        }
    }

    /// One token of an exported variable's initializer: a `,` at its level
    /// would start a second declarator, which the scanner does not read.
    fn decl_token(&mut self, t: Tok) -> Option<()> {
        let src = self.lx.src;
        let after_name = |at: usize| {
            at > 0
                && src
                    .get(at - 1)
                    .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$')
        };
        if t.k == K::Eof {
            return self.end_decl();
        }
        if self.lx.open.len() < self.decl_depth {
            return self.end_decl(); // the enclosing block closed
        }
        if self.lx.open.len() != self.decl_depth {
            return Some(());
        }
        let w = self.lx.word(t);
        match t.k {
            // `d⏎x` inside `<…>`: two statements, so `<` was a comparison
            K::Ident if !self.angles.is_empty() && t.gap != Gap::Same => {
                let before = src.get(..t.start)?;
                let prev = before.iter().rposition(|b| !b.is_ascii_whitespace())?;
                if after_name(prev + 1) {
                    return None;
                }
            }
            K::Punct => match w {
                b";" => return self.end_decl(),
                // `Map<K, V>`, `dual<A, B>(…)`, `= <A, B>(a: A) =>`
                b"<" if expression_start(src, t.start) => self.angles.push(true),
                b"<" if after_name(t.start) => self.angles.push(false),
                _ if w.iter().all(|&b| b == b'>') => {
                    let n = self.angles.len().saturating_sub(w.len());
                    self.angles.truncate(n);
                }
                b"," if self.angles.is_empty() => return None,
                b"," if self.angles.last() == Some(&true) => {}
                b"," => {
                    let a = self.next()?;
                    let b = self.next()?;
                    // `, d = 1`, `, d;`, `, d⏎…`: a declarator, unless a
                    // `>` follows (`dual<⏎  A,⏎  B⏎>(…)`)
                    let ends = self.is(b, "=")
                        || self.is(b, ":")
                        || self.is(b, ";")
                        || b.k == K::Eof
                        || (b.gap != Gap::Same && !self.lx.word(b).starts_with(b">"));
                    if a.k == K::Ident && ends {
                        return None;
                    }
                    self.back.push(b);
                    self.back.push(a);
                    self.comma_in_angle = true;
                }
                _ => {}
            },
            _ => {}
        }
        Some(())
    }

    /// The statement of an exported variable ended: a `,` inside a `<` that
    /// never closed separated declarators.
    fn end_decl(&mut self) -> Option<()> {
        if self.export_decl && !self.angles.is_empty() && self.comma_in_angle {
            return None;
        }
        self.export_decl = false;
        Some(())
    }

    fn body(&self) -> Body {
        match self.lx.open.last() {
            None => Body::Top,
            Some(Open::Brace(Region::Namespace)) => Body::Namespace,
            Some(Open::Brace(Region::Ambient)) => Body::Ambient,
            Some(_) => Body::Other,
        }
    }

    fn ambient(&self) -> bool {
        self.lx.open.contains(&Open::Brace(Region::Ambient))
    }

    /// Marks the `{` just read as the body of `region`.
    fn mark_body(&mut self, region: Region) {
        let region = if region != Region::Plain && self.ambient() {
            Region::Ambient
        } else {
            region
        };
        if let Some(top) = self.lx.open.last_mut() {
            *top = Open::Brace(region);
        }
    }

    /// After `namespace` / `module` (`declared`: after `declare`): its name
    /// and body. `exported`: after `export`, where an undotted name is an
    /// export of the file. Anything else (`module.exports`) is given back.
    fn namespace(&mut self, exported: bool, declared: bool) -> Option<()> {
        let first = self.next()?;
        let (name, string) = match first.k {
            K::Ident if first.gap == Gap::Same && !contextual_keyword(self.lx.word(first)) => {
                (self.lx.str_of(first), false)
            }
            K::Str if first.gap == Gap::Same => ("", true),
            K::Ident | K::Str => return None,
            _ if exported => return None,
            _ => {
                self.give_back(first); // `module.exports`
                return Some(());
            }
        };
        let mut dotted = false;
        let mut n = self.next()?;
        while !string && self.is(n, ".") {
            self.ident()?;
            dotted = true;
            n = self.next()?;
        }
        if !self.is(n, "{") {
            return None;
        }
        let ambient = declared || self.ambient();
        if exported && !dotted && !string && !self.ambient() {
            self.facts.exports.local.push(name.to_string());
        }
        self.mark_body(if ambient {
            Region::Ambient
        } else {
            Region::Namespace
        });
        Some(())
    }

    /// After `declare global`.
    fn global(&mut self) -> Option<()> {
        let n = self.next()?;
        if self.is(n, "{") {
            self.mark_body(Region::Ambient);
        } else {
            self.give_back(n);
        }
        Some(())
    }

    // -- import ----------------------------------------------------------------

    fn import(&mut self, kw: Tok) -> Option<()> {
        let body = self.body();
        let t = self.next()?;
        if self.is(t, ".") {
            self.give_back(t); // import.meta
            return Some(());
        }
        if self.is(t, "(") {
            // `await import('m')`: certainly an expression; elsewhere
            // `import('m')` may be a type (`() => import('m').T`)
            if kw.pre != Pre::Await || self.ambient() || self.declared {
                return None;
            }
            let src = self.next()?;
            let spec = self.literal(src)?.to_string();
            let close = self.expect(")")?;
            self.push(
                ImportKind::Dynamic,
                spec,
                (kw.start, close.end),
                false,
                Vec::new(),
            );
            return Some(());
        }
        if body == Body::Other {
            return None;
        }
        self.end_decl()?;
        let before = self.facts.imports.len();
        self.import_statement(kw, t, body)?;
        if body == Body::Ambient {
            for i in &mut self.facts.imports[before..] {
                i.type_only = true;
            }
        }
        Some(())
    }

    fn import_statement(&mut self, kw: Tok, mut t: Tok, body: Body) -> Option<()> {
        let mut type_only = false;
        if self.is(t, "type") {
            let n = self.next()?;
            if self.is(n, "from") || self.is(n, ",") || self.is(n, "=") {
                return None; // a default import named `type`
            }
            type_only = true;
            t = n;
        }
        if self.is(t, "typeof") || self.is(t, "from") {
            return None;
        }
        if t.k == K::Str {
            if type_only || body == Body::Namespace {
                return None;
            }
            return self.end_import(kw, ImportKind::SideEffect, t, t.end, false, Vec::new());
        }
        let mut names: Vec<Spec<'a>> = Vec::new();
        if t.k == K::Ident {
            let local = self.lx.str_of(t);
            let n = self.next()?;
            if self.is(n, "=") {
                let r = self.next()?;
                if !self.is(r, "require") {
                    // `import A = N.B`: an alias, not an import
                    self.give_back(r);
                    return self.entity_name();
                }
                // import x = require('m')
                self.expect("(")?;
                let src = self.next()?;
                if src.k != K::Str {
                    return None;
                }
                let close = self.expect(")")?;
                names.push(Spec {
                    name: "*",
                    local,
                    type_only: false,
                });
                let kind = ImportKind::ImportEquals;
                return self.end_import(kw, kind, src, close.end, type_only, names);
            }
            if body == Body::Namespace {
                return None;
            }
            names.push(Spec {
                name: "default",
                local,
                type_only: false,
            });
            if self.is(n, "from") {
                return self.import_source(kw, ImportKind::Static, type_only, names);
            }
            if !self.is(n, ",") {
                return None;
            }
            t = self.next()?;
        }
        if body == Body::Namespace {
            return None;
        }
        let kind = if self.is(t, "*") {
            if !self.next_is("as")? {
                return None;
            }
            self.ident()?;
            ImportKind::Namespace
        } else if self.is(t, "{") {
            self.specs(&mut names)?;
            ImportKind::Static
        } else {
            return None;
        };
        if !self.next_is("from")? {
            return None;
        }
        self.import_source(kw, kind, type_only, names)
    }

    /// `N.B.C` after `import A =`.
    fn entity_name(&mut self) -> Option<()> {
        self.ident()?;
        loop {
            let n = self.next()?;
            if !self.is(n, ".") {
                self.give_back(n);
                return Some(());
            }
            self.ident()?;
        }
    }

    /// After `from`: the source string and the end of the statement.
    fn import_source(
        &mut self,
        kw: Tok,
        kind: ImportKind,
        mut type_only: bool,
        names: Vec<Spec<'a>>,
    ) -> Option<()> {
        let src = self.next()?;
        if src.k != K::Str {
            return None;
        }
        if kind != ImportKind::Namespace && !names.is_empty() && names.iter().all(|n| n.type_only) {
            type_only = true;
        }
        let names = if kind == ImportKind::Namespace {
            Vec::new()
        } else {
            names
        };
        self.end_import(kw, kind, src, src.end, type_only, names)
    }

    /// Records an import statement whose last token ends at `end`; a `;`
    /// right after it belongs to the statement.
    fn end_import(
        &mut self,
        kw: Tok,
        kind: ImportKind,
        src: Tok,
        end: usize,
        type_only: bool,
        names: Vec<Spec<'a>>,
    ) -> Option<()> {
        let specifier = self.literal(src)?.to_string();
        let n = self.next()?;
        let end = if self.is(n, ";") {
            n.end
        } else if self.is(n, "with") || self.is(n, "assert") {
            return None; // import attributes
        } else {
            self.give_back(n);
            self.asi_end(end)?
        };
        self.push(kind, specifier, (kw.start, end), type_only, names);
        Some(())
    }

    /// Where a statement without `;` whose last token ends at `end` ends:
    /// tree-sitter extends it over the comments that follow on the same line.
    /// `None` when something else follows on that line.
    fn asi_end(&self, mut end: usize) -> Option<usize> {
        let src = self.lx.src;
        let mut i = end;
        loop {
            match src.get(i) {
                Some(b' ' | b'\t' | 0x0b | 0x0c) => i += 1,
                Some(b'/') if src.get(i + 1) == Some(&b'/') => {
                    let rest = src.get(i..)?;
                    let len = rest
                        .iter()
                        .position(|&b| b == b'\n' || b == b'\r')
                        .unwrap_or(rest.len());
                    return Some(i + len);
                }
                Some(b'/') if src.get(i + 1) == Some(&b'*') => {
                    let rest = src.get(i + 2..)?;
                    let len = memchr::memmem::find(rest, b"*/")?;
                    if rest.get(..len)?.iter().any(|&b| b == b'\n' || b == b'\r') {
                        return None;
                    }
                    i += 2 + len + 2;
                    end = i;
                }
                None | Some(b'\n' | b'\r' | b'}') => return Some(end),
                Some(_) => return None,
            }
        }
    }

    fn push(
        &mut self,
        kind: ImportKind,
        specifier: String,
        range: (usize, usize),
        type_only: bool,
        names: Vec<Spec<'a>>,
    ) {
        self.facts.imports.push(Import {
            kind,
            specifier,
            span: Default::default(),
            type_only,
            names: names.iter().map(Spec::imported).collect(),
        });
        self.ends.push(range);
    }

    /// The specifiers of a clause, after its `{`, through its `}`.
    fn specs(&mut self, out: &mut Vec<Spec<'a>>) -> Option<()> {
        loop {
            let mut t = self.next()?;
            if self.is(t, "}") {
                return Some(());
            }
            let mut type_only = false;
            if self.is(t, "type") {
                let n = self.next()?;
                if self.is(n, ",") || self.is(n, "}") || self.is(n, "as") {
                    return None; // a name `type`, or `type as …`: ambiguous
                }
                type_only = true;
                t = n;
            }
            let name = self.name_of(t)?;
            let mut n = self.next()?;
            let mut local = name;
            if self.is(n, "as") {
                let alias = self.next()?;
                local = self.name_of(alias)?;
                n = self.next()?;
            }
            out.push(Spec {
                name,
                local,
                type_only,
            });
            if self.is(n, "}") {
                return Some(());
            }
            if !self.is(n, ",") {
                return None;
            }
        }
    }

    // -- export ----------------------------------------------------------------

    fn export(&mut self, kw: Tok) -> Option<()> {
        match self.body() {
            Body::Other => return None,
            Body::Ambient => return self.ambient_export(kw),
            Body::Top | Body::Namespace => {}
        }
        self.end_decl()?;
        let t = self.next()?;
        if t.gap != Gap::Same {
            return None; // tree-sitter does not always see `export⏎const x` as one statement
        }
        match self.lx.word(t) {
            b"namespace" | b"module" => self.namespace(true, false),
            b"import" => {
                // `export import A = N.B`; tree-sitter may take a comment
                // before the name for the name
                let n = self.next()?;
                if self
                    .lx
                    .src
                    .get(t.end..n.start)?
                    .iter()
                    .any(|&b| b != b' ' && b != b'\t')
                {
                    return None;
                }
                self.give_back(n);
                let name = self.ident()?;
                self.expect("=")?;
                let r = self.next()?;
                if self.is(r, "require") {
                    return None;
                }
                self.give_back(r);
                self.facts.exports.local.push(name.to_string());
                self.entity_name()
            }
            b"*" => self.export_star(kw, false),
            b"{" => self.export_clause(kw, false),
            b"default" => {
                self.facts.exports.local.push("default".to_string());
                Some(())
            }
            b"type" => {
                let n = self.next()?;
                if self.is(n, "{") {
                    self.export_clause(kw, true)
                } else if self.is(n, "*") {
                    self.export_star(kw, true)
                } else {
                    self.give_back(n);
                    self.declared_name()
                }
            }
            b"declare" => {
                let n = self.next()?;
                if n.gap != Gap::Same {
                    return None;
                }
                match self.lx.word(n) {
                    b"namespace" | b"module" => return self.namespace(true, true),
                    b"global" => return self.global(),
                    _ => {}
                }
                self.declared = true;
                if !matches!(
                    self.lx.word(n),
                    b"function"
                        | b"class"
                        | b"abstract"
                        | b"interface"
                        | b"type"
                        | b"enum"
                        | b"const"
                        | b"let"
                        | b"var"
                ) {
                    return None;
                }
                self.declaration(n)
            }
            _ => self.declaration(t),
        }
    }

    /// `export …` in an ambient body: only re-exports matter (type-only).
    fn ambient_export(&mut self, kw: Tok) -> Option<()> {
        let mut t = self.next()?;
        if t.gap != Gap::Same {
            return None; // see `export`
        }
        if self.is(t, "type") {
            t = self.next()?;
        }
        if self.is(t, "*") {
            return self.export_star(kw, true);
        }
        if self.is(t, "import") {
            return None;
        }
        if !self.is(t, "{") {
            self.give_back(t);
            return Some(());
        }
        let mut specs = Vec::new();
        self.specs(&mut specs)?;
        let n = self.next()?;
        if self.is(n, "from") && n.gap != Gap::Same {
            return None; // see `export_clause`
        }
        if !self.is(n, "from") {
            self.give_back(n);
            return Some(());
        }
        let src = self.next()?;
        if src.k != K::Str {
            return None;
        }
        self.end_import(kw, ImportKind::ReExport, src, src.end, true, specs)
    }

    /// `export [declare] <declaration>`, `t` its first token.
    fn declaration(&mut self, t: Tok) -> Option<()> {
        match self.lx.word(t) {
            b"async" => {
                self.expect("function")?;
                self.function_name()
            }
            b"function" => self.function_name(),
            b"abstract" => {
                self.expect("class")?;
                self.declared_name()
            }
            b"class" | b"interface" | b"enum" | b"type" => self.declared_name(),
            b"const" | b"let" | b"var" => {
                let n = self.next()?;
                if self.is(n, "enum") && self.lx.word(t) == b"const" {
                    return self.declared_name();
                }
                if n.k != K::Ident {
                    return None; // a destructuring pattern
                }
                self.facts.exports.local.push(self.lx.str_of(n).to_string());
                self.declarator_rest()
            }
            _ => None,
        }
    }

    fn function_name(&mut self) -> Option<()> {
        let mut n = self.next()?;
        if self.is(n, "*") {
            n = self.next()?;
        }
        self.give_back(n);
        self.declared_name()
    }

    fn declared_name(&mut self) -> Option<()> {
        let name = self.ident()?;
        self.facts.exports.local.push(name.to_string());
        Some(())
    }

    /// After the name of an exported variable: its type annotation, then its
    /// initializer, is read watching for a second declarator.
    fn declarator_rest(&mut self) -> Option<()> {
        let n = self.next()?;
        if self.is(n, ":") {
            let mut angle = 0usize;
            let depth = self.lx.open.len();
            loop {
                let t = self.next()?;
                if self.lx.open.len() < depth {
                    return Some(()); // the enclosing block closed: the statement is over
                }
                let top = self.lx.open.len() == depth;
                let w = self.lx.word(t);
                match t.k {
                    K::Eof => {
                        self.give_back(t);
                        return Some(());
                    }
                    // a statement after an annotation ended by a line break
                    K::Ident
                        if matches!(w, b"import" | b"export" | b"require")
                            || (top && matches!(w, b"declare" | b"namespace" | b"module")) =>
                    {
                        self.give_back(t);
                        break;
                    }
                    K::Punct if w.iter().all(|&b| b == b'<') => angle += w.len(),
                    K::Punct if w.iter().all(|&b| b == b'>') => {
                        angle = angle.checked_sub(w.len())?;
                    }
                    K::Punct if w.len() > 1 && matches!(w[0], b'<' | b'>') && w != b"=>" => {
                        return None;
                    }
                    K::Punct if top && angle == 0 => match w {
                        b"=" => break,
                        b";" => return Some(()),
                        b"," => return None,
                        _ => {}
                    },
                    _ => {}
                }
            }
        } else if self.is(n, ",") {
            return None;
        } else if !self.is(n, "=") {
            self.give_back(n);
        }
        self.export_decl = true;
        self.angles.clear();
        self.comma_in_angle = false;
        self.decl_depth = self.lx.open.len();
        Some(())
    }

    fn export_star(&mut self, kw: Tok, type_only: bool) -> Option<()> {
        let mut n = self.next()?;
        let ns = self.is(n, "as");
        if ns {
            let name = self.next()?;
            self.name_of(name)?;
            n = self.next()?;
        }
        if !self.is(n, "from") {
            return None;
        }
        let src = self.next()?;
        if src.k != K::Str {
            return None;
        }
        let kind = if ns {
            ImportKind::ReExport
        } else {
            ImportKind::ReExportAll
        };
        self.end_import(kw, kind, src, src.end, type_only, Vec::new())
    }

    fn export_clause(&mut self, kw: Tok, type_kw: bool) -> Option<()> {
        let mut specs = Vec::new();
        self.specs(&mut specs)?;
        let n = self.next()?;
        if self.is(n, "from") && n.gap != Gap::Same {
            return None; // tree-sitter ends the statement before a `from` on the next line
        }
        if !self.is(n, "from") {
            self.give_back(n);
            for s in &specs {
                self.facts.exports.local.push(s.local.to_string());
            }
            return Some(());
        }
        let src = self.next()?;
        if src.k != K::Str {
            return None;
        }
        let type_only = type_kw || (!specs.is_empty() && specs.iter().all(|s| s.type_only));
        self.end_import(kw, ImportKind::ReExport, src, src.end, type_only, specs)
    }

    // -- require ---------------------------------------------------------------

    /// `require('m')`: a call of the bare name with a literal first argument.
    fn require(&mut self, kw: Tok) -> Option<()> {
        let open = self.next()?;
        if self.is(open, "?.") || self.is(open, "<") {
            return None; // `require?.('m')`, `require<T>('m')`
        }
        if !self.is(open, "(") {
            self.give_back(open);
            return Some(());
        }
        let arg = self.next()?;
        let Some(spec) = self.literal(arg) else {
            self.give_back(arg);
            return Some(());
        };
        let close = self.next()?;
        if self.is(close, ",") {
            return None; // more arguments: the call's end is further away
        }
        if !self.is(close, ")") {
            self.give_back(close);
            return Some(());
        }
        if self.declared {
            return None;
        }
        let range = (kw.start, close.end);
        self.push(
            ImportKind::Require,
            spec.to_string(),
            range,
            false,
            Vec::new(),
        );
        Some(())
    }
}

// ---------------------------------------------------------------------------
// Differential check, shared by the tests, the fuzz target and the bench.

/// Runs [`scan`] and the tree-sitter extractor on `text` and compares them.
pub fn compare_with_tree(text: &str, lang: Lang) -> super::super::compare::Verdict {
    use super::super::compare::Verdict;
    let Some(fast) = scan(text, lang) else {
        return Verdict::GaveUp;
    };
    let mut parser = tree_sitter::Parser::new();
    let tree = parser
        .set_language(&lang.grammar())
        .ok()
        .and_then(|()| parser.parse(text, None));
    let Some(tree) = tree else {
        return Verdict::TreeHasErrors;
    };
    let full = super::extract::extract(&tree, text, lang);
    if full.has_syntax_errors {
        return Verdict::TreeHasErrors;
    }
    super::super::compare::compare_facts(&fast, &full)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::languages::compare::Verdict;

    /// Scanned, and equal to the tree-sitter extractor.
    fn agrees(lang: Lang, src: &str) -> FileFacts {
        assert_eq!(compare_with_tree(src, lang), Verdict::Agrees, "{src}");
        scan(src, lang).expect("scanned")
    }

    fn specs(f: &FileFacts) -> Vec<(ImportKind, &str, bool)> {
        f.imports
            .iter()
            .map(|i| (i.kind, i.specifier.as_str(), i.type_only))
            .collect()
    }

    #[test]
    fn statements_with_and_without_semicolons() {
        for sep in [";", "", " ;"] {
            let src = format!(
                "import a, {{ b as c, type D }} from './a'{sep}\n\
                 import * as ns from \"./ns\"{sep}\n\
                 import './side'{sep}\n\
                 import type {{ T }} from './t'{sep}\n\
                 import q = require('./q'){sep}\n\
                 export * from './all'{sep}\n\
                 export * as every from './every'{sep}\n\
                 export {{ x as y, type Z }} from './x'{sep}\n\
                 const r = require(`./r`).s{sep}\n"
            );
            let f = agrees(Lang::TypeScript, &src);
            assert_eq!(
                specs(&f),
                [
                    (ImportKind::Static, "./a", false),
                    (ImportKind::Namespace, "./ns", false),
                    (ImportKind::SideEffect, "./side", false),
                    (ImportKind::Static, "./t", true),
                    (ImportKind::ImportEquals, "./q", false),
                    (ImportKind::ReExportAll, "./all", false),
                    (ImportKind::ReExport, "./every", false),
                    (ImportKind::ReExport, "./x", false),
                    (ImportKind::Require, "./r", false),
                ]
            );
        }
    }

    #[test]
    fn exports_of_every_declaration_form() {
        let src = "export const a = 1;\n\
                   export let b: Map<string, number> = new Map();\n\
                   export const f = (x: A): Effect<A, E, R> => g<A, B>(x)\n\
                   export function* gen() {}\n\
                   export async function run() {}\n\
                   export abstract class C {}\n\
                   export interface I {}\n\
                   export type T<X> = X;\n\
                   export enum E { A }\n\
                   export const enum CE { A }\n\
                   export declare const d: number;\n\
                   export { a as aa, b };\n\
                   export default class {}\n\
                   export namespace N { export const inner = 1; }\n\
                   export declare namespace D { export const hidden: 1; }\n\
                   export import Alias = N.inner;\n";
        let f = agrees(Lang::TypeScript, src);
        assert_eq!(
            f.exports.local,
            [
                "Alias", "C", "CE", "D", "E", "I", "N", "T", "a", "aa", "b", "d", "default", "f",
                "gen", "inner", "run"
            ]
        );
    }

    #[test]
    fn ambient_blocks_hold_type_only_dependencies() {
        let src = "declare module 'm' {\n  import x from './x';\n  export * from './y';\n  export = x;\n}\n\
                   declare global { const g: typeof require; }\n\
                   namespace M { export import A = B.C; }\n";
        let f = agrees(Lang::TypeScript, src);
        assert_eq!(
            specs(&f),
            [
                (ImportKind::Static, "./x", true),
                (ImportKind::ReExportAll, "./y", true)
            ]
        );
    }

    #[test]
    fn requires_only_as_calls_of_the_bare_name() {
        let src = "a.require('no'); new require('no'); require.resolve('no');\n\
                   function f(require) { return require(x); }\n\
                   const t = `${require('yes')}`;\n\
                   if (x) /require('no')/.test(y);\n\
                   const d = (a) / 2 / require('yes2');\n";
        let f = agrees(Lang::Tsx, src);
        assert_eq!(
            specs(&f),
            [
                (ImportKind::Require, "yes", false),
                (ImportKind::Require, "yes2", false)
            ]
        );
    }

    #[test]
    fn suppressions_and_spans() {
        let src =
            "// layergate-ignore layers: why\r\nimport a from './a' // layergate-ignore-file\n\
                   /* layergate-ignore env until 2030-01-01 */ const x = 1;\n";
        let f = agrees(Lang::TypeScript, src);
        assert_eq!(f.suppressions.len(), 3);
        assert_eq!(f.imports[0].span.line, 1);
        assert!(f.scanned && f.apis.is_empty());
    }

    #[test]
    fn gives_up_on_what_it_cannot_read_with_certainty() {
        for (lang, src) in [
            (Lang::TypeScript, "const m = import('./m');\n"),
            (Lang::Tsx, "const e = <T,>(x: T) => x;\n"),
            (Lang::TypeScript, "function f() {}\n/ 2 /\n"),
            (Lang::TypeScript, "function f() { import x from 'y'; }\n"),
            (Lang::TypeScript, "export const a = 1, b = 2;\n"),
            (Lang::TypeScript, "export const { a } = o;\n"),
            (
                Lang::TypeScript,
                "import j from './j.json' with { type: 'json' };\n",
            ),
            (Lang::TypeScript, "const s = 'unterminated\n"),
            (Lang::TypeScript, "const x = (1;\n"),
            (Lang::TypeScript, "const caf\u{e9} = 1;\n\u{a0}"),
            (Lang::TypeScript, "const r = require('a', 'b');\n"),
        ] {
            assert_eq!(scan(src, lang), None, "{src}");
        }
        assert_eq!(scan("fn main() {}", Lang::Rust), None);
    }
}
