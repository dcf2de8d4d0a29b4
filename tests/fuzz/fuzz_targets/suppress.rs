//! Suppression comment parser: arbitrary comment text, span and position.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rules::internals::{code_before, parse_comment};
use rules::Span;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let line = u32::from(flags >> 1);
    let span = Span {
        start: 0,
        end: text.len() as u32,
        line,
        col: 0,
        end_line: line + text.matches('\n').count() as u32,
        end_col: 0,
    };
    if let Some(s) = parse_comment(text, span, flags & 1 == 1) {
        assert_eq!(s.span, span);
        for r in &s.rules {
            assert!(!r.is_empty(), "empty rule id in {s:?}");
            assert!(
                !r.contains(',') && !r.contains(char::is_whitespace),
                "unsplit rule id {r:?}"
            );
        }
        if let Some(reason) = &s.reason {
            assert!(
                !reason.is_empty() && reason.trim() == reason,
                "untrimmed reason {reason:?}"
            );
        }
    }
    // some char boundaries of the text as a comment start (and its end)
    for (i, _) in text.char_indices().step_by(7).take(64) {
        let _ = code_before(text, i);
    }
    let _ = code_before(text, text.len());
});
