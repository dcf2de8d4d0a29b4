// Shared by the extractor targets (included with `include!`).

use rules::facts::{FileFacts, Span};

/// Asserts a span lies within `text`, on char boundaries, and that its
/// line/column fields agree with its byte offsets.
fn check_span(text: &str, span: Span, what: &str) {
    let (s, e) = (span.start as usize, span.end as usize);
    assert!(s <= e, "{what}: inverted span {span:?}");
    assert!(
        e <= text.len(),
        "{what}: span {span:?} past the end ({})",
        text.len()
    );
    assert!(
        text.is_char_boundary(s),
        "{what}: start of {span:?} not on a char boundary"
    );
    assert!(
        text.is_char_boundary(e),
        "{what}: end of {span:?} not on a char boundary"
    );
    let line_of = |off: usize| {
        text.as_bytes()[..off]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
    };
    let col_of = |off: usize| off - text[..off].rfind('\n').map_or(0, |i| i + 1);
    assert_eq!(span.line as usize, line_of(s), "{what}: line of {span:?}");
    assert_eq!(span.col as usize, col_of(s), "{what}: col of {span:?}");
    assert_eq!(
        span.end_line as usize,
        line_of(e),
        "{what}: end_line of {span:?}"
    );
    assert_eq!(
        span.end_col as usize,
        col_of(e),
        "{what}: end_col of {span:?}"
    );
}

fn check_facts(text: &str, facts: &FileFacts) {
    for i in &facts.imports {
        check_span(text, i.span, "import");
    }
    for (n, a) in facts.apis.iter().enumerate() {
        check_span(text, a.span, "api");
        if let Some(v) = a.via_import {
            assert!(
                (v as usize) < facts.imports.len(),
                "api {n}: via_import {v} out of range"
            );
        }
    }
    for s in &facts.unsafe_spans {
        check_span(text, *s, "unsafe");
    }
    for m in &facts.mods {
        check_span(text, m.span, "mod");
    }
    for s in &facts.suppressions {
        check_span(text, s.span, "suppression");
    }
}
