//! Conversions between the engine's plain data (byte spans, workspace-relative
//! paths) and LSP types, in the position encoding negotiated with the client.
//! The only place that knows about UTF-8 vs UTF-16 columns.

use std::path::{Path, PathBuf};

use rules::text::{byte_col_from_utf16, utf16_col, LineIndex};
use rules::Span;
use rules::{ConfigProblem, Severity};
use tower_lsp_server::ls_types::{
    self as lsp, CodeDescription, DiagnosticRelatedInformation, DiagnosticTag, Location,
    NumberOrString, Position, PositionEncodingKind, Uri,
};

/// The position encoding in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    Utf8,
    #[default]
    Utf16,
}

impl Encoding {
    /// UTF-8 when the client offers it, else UTF-16 (the protocol's default).
    pub fn negotiate(caps: &lsp::ClientCapabilities) -> Encoding {
        let offered = caps
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref());
        match offered {
            Some(v) if v.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
            _ => Encoding::Utf16,
        }
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }
}

/// The largest char boundary of `s` at or below `i`.
fn floor_boundary(s: &str, i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    let mut i = i;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A text with its line index: converts byte offsets ↔ LSP positions. The
/// text of an all-ASCII workspace file is not kept (`None`): its columns are
/// byte offsets in every encoding.
#[derive(Clone, Copy)]
pub struct View<'a> {
    pub text: Option<&'a str>,
    /// The text's length in bytes.
    pub len: usize,
    pub lines: &'a LineIndex,
}

impl<'a> View<'a> {
    pub fn new(text: &'a str, lines: &'a LineIndex) -> View<'a> {
        View {
            text: Some(text),
            len: text.len(),
            lines,
        }
    }

    /// A workspace file as the engine keeps it.
    pub fn of(entry: &'a rules::FileEntry) -> View<'a> {
        View {
            text: entry.kept_text(),
            len: entry.len,
            lines: &entry.lines,
        }
    }

    /// The byte length of a 0-based line (without its `\n`).
    fn line_len(&self, line: u32) -> usize {
        let start = self.lines.line_start(line).unwrap_or(self.len);
        let end = self
            .lines
            .line_start(line + 1)
            .map_or(self.len, |e| e.saturating_sub(1));
        end.saturating_sub(start)
    }

    /// The LSP position of a 0-based line and byte column.
    pub fn position(&self, enc: Encoding, line: u32, byte_col: u32) -> Position {
        if line as usize >= self.lines.line_count() {
            // past the end: the end of the text
            let (l, c) = self.lines.position(self.len);
            if l < line {
                return self.position(enc, l, c);
            }
        }
        let Some(text) = self.text else {
            let character = (byte_col as usize).min(self.line_len(line)) as u32;
            return Position { line, character };
        };
        let lt = self.lines.line_text(text, line);
        let character = match enc {
            Encoding::Utf8 => floor_boundary(lt, byte_col as usize) as u32,
            Encoding::Utf16 => utf16_col(lt, byte_col),
        };
        Position { line, character }
    }

    /// The LSP range of a byte span.
    pub fn range(&self, enc: Encoding, span: Span) -> lsp::Range {
        lsp::Range {
            start: self.position(enc, span.line, span.col),
            end: self.position(enc, span.end_line, span.end_col),
        }
    }

    /// The byte offset of an LSP position, clamped to the text.
    pub fn offset(&self, enc: Encoding, pos: Position) -> usize {
        let Some(start) = self.lines.line_start(pos.line) else {
            return self.len;
        };
        let col = match self.text {
            None => (pos.character as usize).min(self.line_len(pos.line)),
            Some(text) => {
                let lt = self.lines.line_text(text, pos.line);
                match enc {
                    Encoding::Utf8 => floor_boundary(lt, pos.character as usize),
                    Encoding::Utf16 => byte_col_from_utf16(lt, pos.character) as usize,
                }
            }
        };
        (start + col).min(self.len)
    }
}

/// `file://` URI of an absolute path.
pub fn uri_of(path: &Path) -> Option<Uri> {
    Uri::from_file_path(path)
}

/// The absolute, canonical-as-possible path of a `file://` URI.
pub fn path_of(uri: &Uri) -> Option<PathBuf> {
    if uri.scheme().as_str() != "file" {
        return None;
    }
    let p = uri.to_file_path()?.into_owned();
    Some(canonical(&p))
}

/// Canonicalises a path that may not exist (its nearest existing ancestor is
/// canonicalised, the rest appended).
pub fn canonical(p: &Path) -> PathBuf {
    if let Ok(c) = p.canonicalize() {
        return c;
    }
    let mut rest = Vec::new();
    let mut cur = p;
    while let Some(parent) = cur.parent() {
        if let Some(name) = cur.file_name() {
            rest.push(name.to_os_string());
        }
        if let Ok(c) = parent.canonicalize() {
            let mut out = c;
            for n in rest.iter().rev() {
                out.push(n);
            }
            return out;
        }
        cur = parent;
    }
    p.to_path_buf()
}

pub fn severity(s: Severity) -> lsp::DiagnosticSeverity {
    match s {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
        Severity::Hint | Severity::Off => lsp::DiagnosticSeverity::HINT,
    }
}

fn code_description(rule: &str) -> Option<CodeDescription> {
    rules::analysis::docs::url_of(rule)
        .parse::<Uri>()
        .ok()
        .map(|href| CodeDescription { href })
}

/// An engine diagnostic as an LSP diagnostic. `view` gives the text of the
/// diagnostic's file, `config` the text of layergate.toml (for the related
/// location), `root` the workspace root.
pub fn diagnostic(
    d: &rules::Diagnostic,
    view: Option<View<'_>>,
    config: View<'_>,
    root: &Path,
    enc: Encoding,
) -> lsp::Diagnostic {
    let range = match view {
        Some(v) => v.range(enc, d.span),
        // no text at hand: the JSON range (1-based scalar columns)
        None => lsp::Range {
            start: Position {
                line: d.range.line.saturating_sub(1),
                character: d.range.column.saturating_sub(1),
            },
            end: Position {
                line: d.range.end_line.saturating_sub(1),
                character: d.range.end_column.saturating_sub(1),
            },
        },
    };
    let related = d.related.as_ref().and_then(|r| {
        Some(vec![DiagnosticRelatedInformation {
            location: Location {
                uri: uri_of(&root.join(&r.file))?,
                range: config.range(enc, r.span),
            },
            message: r.message.clone(),
        }])
    });
    lsp::Diagnostic {
        range,
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.rule.to_string())),
        code_description: code_description(d.rule.as_str()),
        source: Some("layergate".into()),
        message: d.message.clone(),
        related_information: related,
        tags: d.unnecessary.then(|| vec![DiagnosticTag::UNNECESSARY]),
        data: crate::output::json::value(d),
    }
}

/// A problem of layergate.toml as a `config` diagnostic at its TOML span.
pub fn config_problem(p: &ConfigProblem, view: View<'_>, enc: Encoding) -> lsp::Diagnostic {
    lsp::Diagnostic {
        range: view.range(enc, p.span),
        severity: Some(severity(p.severity)),
        code: Some(NumberOrString::String("config".into())),
        code_description: code_description("config"),
        source: Some("layergate".into()),
        message: p.message.clone(),
        related_information: None,
        tags: None,
        data: Some(serde_json::json!({
            "rule": "config",
            "severity": p.severity.as_str(),
            "message": p.message,
            "baselined": false,
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_round_trip_in_both_encodings() {
        let text = "ab\nx😀é y\n";
        let lines = LineIndex::new(text);
        let v = View::new(text, &lines);
        let y = text.find('y').unwrap();
        let (l, c) = lines.position(y);
        assert_eq!(v.position(Encoding::Utf8, l, c), Position::new(1, 8));
        assert_eq!(v.position(Encoding::Utf16, l, c), Position::new(1, 5));
        assert_eq!(v.offset(Encoding::Utf8, Position::new(1, 8)), y);
        assert_eq!(v.offset(Encoding::Utf16, Position::new(1, 5)), y);
        // clamped
        assert_eq!(v.offset(Encoding::Utf16, Position::new(1, 99)), y + 1);
        assert_eq!(v.offset(Encoding::Utf8, Position::new(9, 0)), text.len());
        // inside a multi-byte char: floor
        assert_eq!(v.offset(Encoding::Utf8, Position::new(1, 3)), 4);
    }

    #[test]
    fn an_ascii_file_without_its_text_converts_like_with_it() {
        let text = "ab\r\nimport x;\n\nend";
        let lines = LineIndex::new(text);
        let with = View::new(text, &lines);
        let without = View {
            text: None,
            len: text.len(),
            lines: &lines,
        };
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            for line in 0..6 {
                for col in 0..14 {
                    let pos = Position::new(line, col);
                    let off = with.offset(enc, pos);
                    // past a line's end: the `\r` may count, nothing further
                    assert!(
                        without.offset(enc, pos) == off || without.offset(enc, pos) == off + 1,
                        "{enc:?} {pos:?}"
                    );
                    if text.as_bytes().get(off) != Some(&b'\r') {
                        let (l, c) = lines.position(off);
                        assert_eq!(without.position(enc, l, c), with.position(enc, l, c));
                    }
                }
            }
        }
    }
}
