//! `layergate-ignore` comments, shared by both languages.
//!
//! Grammar (inside a `//`, `/* */` or `#` comment, after optional whitespace):
//! `layergate-ignore[-file] RULE[, RULE...] [until YYYY-MM-DD][: reason]`

use crate::facts::{Span, Suppression};

/// Parses one comment node's text. `code_before` tells whether non-whitespace
/// text precedes the comment on its first line (then the comment is trailing and
/// applies to its own line; otherwise to the line after it).
pub fn parse_comment(comment: &str, span: Span, code_before: bool) -> Option<Suppression> {
    let body = comment
        .strip_prefix("//")
        .or_else(|| comment.strip_prefix('#'))
        .or_else(|| {
            comment
                .strip_prefix("/*")
                .map(|b| b.strip_suffix("*/").unwrap_or(b))
        })?;
    // doc comments (`///`, `//!`, `/**`) are allowed too: drop their markers
    let body = body.trim_start_matches(['/', '!', '*']).trim();
    let (file_level, rest) = if let Some(r) = body.strip_prefix("layergate-ignore-file") {
        (true, r)
    } else if let Some(r) = body.strip_prefix("layergate-ignore") {
        (false, r)
    } else {
        return None;
    };
    // must be followed by whitespace, ':' or end
    if !(rest.is_empty() || rest.starts_with(char::is_whitespace) || rest.starts_with(':')) {
        return None;
    }
    let (head, reason) = match rest.split_once(':') {
        Some((h, r)) => (h, Some(r.trim().to_string()).filter(|r| !r.is_empty())),
        None => (rest, None),
    };
    let mut rules = Vec::new();
    let mut until = None;
    let mut words = head
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|w| !w.is_empty());
    while let Some(w) = words.next() {
        if w == "until" {
            until = words.next().map(str::to_string);
        } else {
            rules.push(w.to_string());
        }
    }
    let target_line = if code_before {
        span.line
    } else {
        span.end_line + 1
    };
    Some(Suppression {
        file_level,
        rules,
        until,
        reason,
        span,
        target_line,
    })
}

/// Whether non-whitespace text precedes byte offset `start` on its line.
pub fn code_before(text: &str, start: usize) -> bool {
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    !text[line_start..start].trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sp(line: u32) -> Span {
        Span {
            line,
            end_line: line,
            ..Span::default()
        }
    }

    #[test]
    fn parses_rules_until_and_reason() {
        let s = parse_comment(
            "// layergate-ignore layers, depends-on until 2027-03-01: wiring",
            sp(4),
            false,
        )
        .unwrap();
        assert_eq!(s.rules, ["layers", "depends-on"]);
        assert_eq!(s.until.as_deref(), Some("2027-03-01"));
        assert_eq!(s.reason.as_deref(), Some("wiring"));
        assert_eq!(s.target_line, 5);
        assert!(!s.file_level);
    }

    #[test]
    fn trailing_block_comment_without_reason() {
        let s = parse_comment("/* layergate-ignore-file no-eval */", sp(2), true).unwrap();
        assert!(s.file_level);
        assert_eq!(s.rules, ["no-eval"]);
        assert_eq!(s.reason, None);
        assert_eq!(s.target_line, 2);
    }

    #[test]
    fn ignores_other_comments() {
        assert!(parse_comment("// layergate-ignored stuff", sp(0), false).is_none());
        assert!(parse_comment("// hello", sp(0), false).is_none());
        assert!(parse_comment("/// layergate-ignore x: y", sp(0), false).is_some());
    }

    #[test]
    fn code_before_detection() {
        let t = "let a = 1; // c\n  // d\n";
        assert!(code_before(t, t.find("// c").unwrap()));
        assert!(!code_before(t, t.find("// d").unwrap()));
    }
}
