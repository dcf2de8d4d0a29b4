//! Cline's `replace_in_file` diffs: SEARCH/REPLACE blocks applied to the
//! current content as Cline applies them, so that the gate judges the
//! content Cline is about to write.
//!
//! ```text
//! ------- SEARCH
//! exact lines to find
//! =======
//! lines to put in their place
//! +++++++ REPLACE
//! ```
//!
//! (`<<<<<<< SEARCH` and `>>>>>>> REPLACE` are the older markers.) Blocks
//! apply in order, each looked for after the previous one, then from the
//! top; a block is found exactly, else line by line ignoring leading and
//! trailing whitespace, as Cline falls back to. An empty SEARCH creates a missing or empty file, or
//! replaces the whole file.

/// One SEARCH/REPLACE block.
#[derive(Debug, PartialEq, Eq)]
struct Block {
    search: String,
    replace: String,
}

fn is_marker(line: &str, fill: char, word: &str) -> bool {
    let line = line.trim_end_matches('\r');
    let line = line.strip_suffix('>').unwrap_or(line);
    let Some(rest) = line.strip_suffix(word) else {
        return false;
    };
    let Some(fills) = rest.strip_suffix(' ') else {
        return false;
    };
    fills.len() >= 3 && fills.chars().all(|c| c == fill)
}

fn is_search(line: &str) -> bool {
    is_marker(line, '-', "SEARCH") || is_marker(line, '<', "SEARCH")
}

fn is_separator(line: &str) -> bool {
    let line = line.trim_end_matches('\r');
    line.len() >= 3 && line.chars().all(|c| c == '=')
}

fn is_replace(line: &str) -> bool {
    is_marker(line, '+', "REPLACE") || is_marker(line, '>', "REPLACE")
}

/// The blocks of a diff; `Err` when one is not closed.
fn parse(diff: &str) -> Result<Vec<Block>, String> {
    enum State {
        Outside,
        Search(Vec<String>),
        Replace(Vec<String>, Vec<String>),
    }
    let mut state = State::Outside;
    let mut blocks = Vec::new();
    for line in diff.split_inclusive('\n') {
        let bare = line.trim_end_matches('\n');
        state = match state {
            State::Outside if is_search(bare) => State::Search(Vec::new()),
            State::Outside => State::Outside,
            State::Search(s) if is_separator(bare) => State::Replace(s, Vec::new()),
            State::Search(mut s) => {
                s.push(line.to_string());
                State::Search(s)
            }
            State::Replace(s, r) if is_replace(bare) => {
                blocks.push(Block {
                    search: s.concat(),
                    replace: r.concat(),
                });
                State::Outside
            }
            State::Replace(s, mut r) => {
                r.push(line.to_string());
                State::Replace(s, r)
            }
        };
    }
    match state {
        State::Outside => Ok(blocks),
        // Cline takes a last block without its REPLACE marker as closed
        State::Replace(s, r) => {
            blocks.push(Block {
                search: s.concat(),
                replace: r.concat(),
            });
            Ok(blocks)
        }
        State::Search(_) => {
            Err("a SEARCH block of `replace_in_file` has no `=======` and replacement".into())
        }
    }
}

/// Where `search` is in `text` at or after `from`, as Cline looks for it:
/// exactly; else as lines equal once trimmed; else, for three lines or
/// more, as lines whose first and last are equal once trimmed (the "block
/// anchor"). The spans of the fallbacks cover whole lines.
fn find(text: &str, search: &str, from: usize) -> Option<(usize, usize)> {
    if let Some(i) = text[from..].find(search) {
        return Some((from + i, from + i + search.len()));
    }
    let wanted: Vec<&str> = search.lines().map(str::trim).collect();
    if wanted.is_empty() {
        return None;
    }
    // line starts at or after `from`, then the end
    let mut starts: Vec<usize> = Vec::new();
    let mut at = 0;
    for l in text.split_inclusive('\n') {
        if at >= from {
            starts.push(at);
        }
        at += l.len();
    }
    starts.push(text.len());
    let line = |k: usize| text[starts[k]..starts[k + 1]].trim();
    let n = wanted.len();
    let spans = || (0..starts.len().saturating_sub(n)).map(|i| (i, (starts[i], starts[i + n])));
    if let Some((_, span)) = spans().find(|(i, _)| (0..n).all(|k| line(i + k) == wanted[k])) {
        return Some(span);
    }
    if n >= 3 {
        return spans()
            .find(|(i, _)| line(*i) == wanted[0] && line(i + n - 1) == wanted[n - 1])
            .map(|(_, span)| span);
    }
    None
}

/// The content after `diff`; `None` where Cline would fail the edit (a
/// SEARCH that matches nothing, a missing file that is not created).
pub fn apply(current: Option<&str>, diff: &str) -> Result<Option<String>, String> {
    let blocks = parse(diff)?;
    if blocks.is_empty() {
        return Err("`replace_in_file` without a SEARCH/REPLACE block".into());
    }
    let mut text = current.unwrap_or_default().to_string();
    if current.is_none() && !blocks[0].search.is_empty() {
        return Ok(None);
    }
    let mut from = 0;
    for b in blocks {
        if b.search.is_empty() {
            // a new file, or the whole file replaced
            text = b.replace;
            from = text.len();
            continue;
        }
        // a block Cline finds out of order is still an edit it makes: the
        // gate looks again from the top rather than let it through unjudged
        let Some((start, end)) = find(&text, &b.search, from).or_else(|| find(&text, &b.search, 0))
        else {
            return Ok(None);
        };
        text.replace_range(start..end, &b.replace);
        from = start + b.replace.len();
    }
    Ok(Some(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_apply_in_order() {
        let diff = "------- SEARCH\nb\n=======\nB\n+++++++ REPLACE\n\n------- SEARCH\nd\n=======\nD1\nD2\n+++++++ REPLACE\n";
        assert_eq!(
            apply(Some("a\nb\nc\nd\n"), diff).unwrap().as_deref(),
            Some("a\nB\nc\nD1\nD2\n")
        );
    }

    #[test]
    fn legacy_markers_and_trimmed_fallback() {
        let diff = "<<<<<<< SEARCH\n  x = 1;\n=======\nx = 2;\n>>>>>>> REPLACE\n";
        assert_eq!(
            apply(Some("fn() {\n    x = 1;  \n}\n"), diff)
                .unwrap()
                .as_deref(),
            Some("fn() {\nx = 2;\n}\n")
        );
    }

    #[test]
    fn empty_search_creates_or_replaces_the_file() {
        let diff = "------- SEARCH\n=======\nnew\n+++++++ REPLACE\n";
        assert_eq!(apply(None, diff).unwrap().as_deref(), Some("new\n"));
        assert_eq!(
            apply(Some("old\n"), diff).unwrap().as_deref(),
            Some("new\n")
        );
    }

    #[test]
    fn a_search_that_matches_nothing_is_no_edit() {
        let diff = "------- SEARCH\nnope\n=======\nx\n+++++++ REPLACE\n";
        assert_eq!(apply(Some("a\n"), diff).unwrap(), None);
        assert_eq!(apply(None, diff).unwrap(), None);
        // a second block before the first is still found
        let diff = "------- SEARCH\nb\n=======\nB\n+++++++ REPLACE\n------- SEARCH\na\n=======\nA\n+++++++ REPLACE\n";
        assert_eq!(
            apply(Some("a\nb\n"), diff).unwrap().as_deref(),
            Some("A\nB\n")
        );
    }

    #[test]
    fn a_last_block_without_its_replace_marker_counts() {
        assert_eq!(
            apply(Some("a\n"), "------- SEARCH\na\n=======\nb\n")
                .unwrap()
                .as_deref(),
            Some("b\n")
        );
    }

    #[test]
    fn unfinished_or_missing_blocks_are_errors() {
        assert!(apply(Some("a\n"), "------- SEARCH\na\n").is_err());
        assert!(apply(Some("a\n"), "just text\n").is_err());
    }

    #[test]
    fn a_block_of_three_lines_or_more_is_anchored_by_its_first_and_last() {
        let text = "f() {\n  one();\n  two();\n}\nrest\n";
        let diff =
            "------- SEARCH\nf() {\n  changed();\n  two();\n}\n=======\nf() {}\n+++++++ REPLACE\n";
        assert_eq!(
            apply(Some(text), diff).unwrap().as_deref(),
            Some("f() {}\nrest\n")
        );
        // two lines are not enough to anchor
        let diff = "------- SEARCH\nf() {\nnope\n=======\nx\n+++++++ REPLACE\n";
        assert_eq!(apply(Some(text), diff).unwrap(), None);
    }
}
