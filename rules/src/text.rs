//! Line and column arithmetic: byte offsets ↔ lines, and columns in Unicode
//! scalar values (the CLI and JSON) or UTF-16 code units (LSP's default).

use crate::facts::Span;

/// Start offsets of every line of a text.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    starts: Vec<u32>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i as u32 + 1));
        LineIndex { starts }
    }

    /// Number of lines (a trailing newline opens an empty last line).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// 0-based line and byte column of a byte offset.
    pub fn position(&self, offset: usize) -> (u32, u32) {
        let line = self
            .starts
            .partition_point(|&s| s as usize <= offset)
            .saturating_sub(1);
        let start = self.starts.get(line).map_or(0, |&s| s as usize);
        (line as u32, offset.saturating_sub(start) as u32)
    }

    /// The byte offset of a 0-based line's start, clamped to the text.
    pub fn line_start(&self, line: u32) -> Option<usize> {
        self.starts.get(line as usize).map(|&s| s as usize)
    }

    /// A [`Span`] for a byte range.
    pub fn span(&self, range: std::ops::Range<usize>) -> Span {
        let (line, col) = self.position(range.start);
        let (end_line, end_col) = self.position(range.end);
        Span {
            start: range.start as u32,
            end: range.end as u32,
            line,
            col,
            end_line,
            end_col,
        }
    }

    /// The text of a 0-based line, without its line ending.
    pub fn line_text<'t>(&self, text: &'t str, line: u32) -> &'t str {
        let Some(start) = self.line_start(line) else {
            return "";
        };
        let end = self
            .line_start(line + 1)
            .map_or(text.len(), |e| e.saturating_sub(1));
        let s = text.get(start..end.max(start)).unwrap_or("");
        s.strip_suffix('\r').unwrap_or(s)
    }
}

/// Counts Unicode scalar values in `line[..byte_col]` (clamped to a char boundary).
pub fn scalar_col(line: &str, byte_col: u32) -> u32 {
    let b = floor_char_boundary(line, byte_col as usize);
    line[..b].chars().count() as u32
}

/// Counts UTF-16 code units in `line[..byte_col]`.
pub fn utf16_col(line: &str, byte_col: u32) -> u32 {
    let b = floor_char_boundary(line, byte_col as usize);
    line[..b].chars().map(|c| c.len_utf16() as u32).sum()
}

/// Byte column of a column given in UTF-16 code units (clamped to the line).
pub fn byte_col_from_utf16(line: &str, utf16: u32) -> u32 {
    let mut units = 0;
    for (i, c) in line.char_indices() {
        if units >= utf16 {
            return i as u32;
        }
        units += c.len_utf16() as u32;
    }
    line.len() as u32
}

/// Byte column of a column given in Unicode scalar values (clamped).
pub fn byte_col_from_scalar(line: &str, scalars: u32) -> u32 {
    line.char_indices()
        .nth(scalars as usize)
        .map_or(line.len(), |(i, _)| i) as u32
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_and_columns() {
        let t = "ab\nçé x\n\nend";
        let idx = LineIndex::new(t);
        assert_eq!(idx.line_count(), 4);
        assert_eq!(idx.position(0), (0, 0));
        assert_eq!(idx.position(3), (1, 0));
        let x = t.find('x').unwrap();
        assert_eq!(idx.position(x), (1, 5));
        assert_eq!(scalar_col(idx.line_text(t, 1), 5), 3);
        assert_eq!(idx.line_text(t, 3), "end");
        assert_eq!(idx.line_text(t, 2), "");
        assert_eq!(utf16_col("a😀b", 5), 3);
        assert_eq!(byte_col_from_utf16("a😀b", 3), 5);
        assert_eq!(byte_col_from_scalar("çé x", 3), 5);
        assert_eq!(byte_col_from_scalar("ab", 9), 2);
    }
}
