//! What an edit adds: the diagnostics after a change beyond those before it,
//! judged by identity rather than position (an edit moves lines). MCP's
//! `check_patch` and the agents' pre-edit hooks both ask this.

use rustc_hash::FxHashMap;

use crate::diagnostic::Diagnostic;
use crate::rule::RuleId;

/// The identity of a diagnostic that survives moved lines.
type Key = (RuleId, String, Option<String>, String);

fn key(d: &Diagnostic) -> Key {
    (
        d.rule.clone(),
        d.file.clone(),
        d.target.clone(),
        d.message.clone(),
    )
}

/// The diagnostics of `after` beyond those of `before`, compared as
/// multisets of (rule, file, target, message); of several equal ones, those
/// for which `preferred` holds (on lines the edit wrote) are the new ones.
/// Also returns how many of `before` went away.
pub fn added_diagnostics(
    before: &[Diagnostic],
    after: Vec<Diagnostic>,
    preferred: impl Fn(&Diagnostic) -> bool,
) -> (Vec<Diagnostic>, usize) {
    let mut count: FxHashMap<Key, isize> = FxHashMap::default();
    for d in before {
        *count.entry(key(d)).or_default() += 1;
    }
    let mut groups: FxHashMap<Key, Vec<Diagnostic>> = FxHashMap::default();
    for d in after {
        groups.entry(key(&d)).or_default().push(d);
    }
    let mut added = Vec::new();
    for (k, mut ds) in groups {
        let had = count.remove(&k).unwrap_or(0);
        let extra = ds.len() as isize - had;
        if extra <= 0 {
            count.insert(k, -extra);
            continue;
        }
        ds.sort_by_key(|d| !preferred(d));
        added.extend(ds.into_iter().take(extra as usize));
    }
    added.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let removed = count.values().map(|&n| n.max(0) as usize).sum();
    (added, removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Range;
    use crate::facts::Span;
    use crate::rule::Builtin;
    use crate::severity::Severity;

    fn d(line: u32, rule: Builtin, message: &str) -> Diagnostic {
        Diagnostic::plain(
            "src/a.ts".into(),
            Range {
                line,
                column: 1,
                end_line: line,
                end_column: 2,
            },
            Span::default(),
            Severity::Error,
            rule,
            message.into(),
        )
    }

    #[test]
    fn moved_lines_add_nothing_and_a_second_copy_is_new() {
        let before = vec![d(3, Builtin::Layers, "up"), d(5, Builtin::Cycle, "c")];
        // the same two, moved down by an inserted line
        let moved = vec![d(4, Builtin::Layers, "up"), d(6, Builtin::Cycle, "c")];
        assert_eq!(added_diagnostics(&before, moved, |_| false), (vec![], 0));
        // one more `up`: the one on the written line is the new one
        let more = vec![
            d(4, Builtin::Layers, "up"),
            d(9, Builtin::Layers, "up"),
            d(6, Builtin::Cycle, "c"),
        ];
        let (added, removed) = added_diagnostics(&before, more, |x| x.range.line == 9);
        assert_eq!(added.len(), 1);
        assert_eq!(added[0].range.line, 9);
        assert_eq!(removed, 0);
        // the cycle is fixed
        let fixed = vec![d(3, Builtin::Layers, "up")];
        assert_eq!(added_diagnostics(&before, fixed, |_| false), (vec![], 1));
    }
}
