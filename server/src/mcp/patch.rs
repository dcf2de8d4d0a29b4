//! Unified diffs (git-style, several files) parsed and applied in memory, for
//! the MCP tool `check_patch`.
//!
//! Accepted: `diff --git a/X b/X` headers (optional), `--- a/X` / `+++ b/X`
//! (the `a/` and `b/` prefixes are dropped, a tab and what follows it is a
//! timestamp), `--- /dev/null` for a new file, `+++ /dev/null` for a deleted
//! one, `rename from`/`rename to` and `new file mode`/`deleted file mode`
//! without hunks, and `\ No newline at end of file`. Text around the file
//! patches (a commit message, `index` lines) is ignored. Binary patches are
//! refused.
//!
//! A hunk applies where its context and removed lines match the file: at the
//! line it names, else at the nearest line where they match (as `patch` and
//! `git apply` tolerate moved code); never before the previous hunk. A hunk
//! that matches nowhere is an error naming the first line that differs.

/// One file's changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilePatch {
    /// The path before (`None`: the file is created).
    pub old: Option<String>,
    /// The path after (`None`: the file is deleted).
    pub new: Option<String>,
    pub hunks: Vec<Hunk>,
}

impl FilePatch {
    /// The path to name in messages.
    pub fn name(&self) -> &str {
        self.new
            .as_deref()
            .or(self.old.as_deref())
            .unwrap_or("<unnamed>")
    }
}

/// One `@@ -a,b +c,d @@` hunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hunk {
    /// The `@@ ... @@` line, for messages.
    pub header: String,
    /// 1-based first old line (0 with an empty old side).
    pub old_start: usize,
    pub lines: Vec<Line>,
    /// `\ No newline at end of file` after the last old-side line.
    pub old_no_newline: bool,
    /// `\ No newline at end of file` after the last new-side line.
    pub new_no_newline: bool,
}

/// A line of a hunk, without its leading marker and line ending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    Context(String),
    Remove(String),
    Add(String),
}

/// The result of applying one file's hunks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub text: String,
    /// 1-based lines of `text` that the patch added.
    pub added_lines: Vec<u32>,
}

/// Parses a unified diff into its file patches, in order.
pub fn parse(diff: &str) -> Result<Vec<FilePatch>, String> {
    let lines: Vec<&str> = diff.split('\n').collect();
    let mut out: Vec<FilePatch> = Vec::new();
    // the `diff --git` header being read, before its `---`/`+++` or hunks
    let mut git: Option<GitHeader> = None;
    let mut i = 0;
    while i < lines.len() {
        let line = strip_cr(lines[i]);
        if let Some(rest) = line.strip_prefix("diff --git ") {
            if let Some(h) = git.take() {
                out.push(h.into_patch()?);
            }
            git = Some(GitHeader::new(rest));
            i += 1;
            continue;
        }
        if let Some(h) = git.as_mut() {
            if let Some(p) = line.strip_prefix("rename from ") {
                h.rename_from = Some(unquote(p));
            } else if let Some(p) = line.strip_prefix("rename to ") {
                h.rename_to = Some(unquote(p));
            } else if line.starts_with("new file mode") {
                h.created = true;
            } else if line.starts_with("deleted file mode") {
                h.deleted = true;
            } else if line.starts_with("Binary files ") || line == "GIT binary patch" {
                return Err(format!(
                    "{}: binary patches are not supported",
                    h.display_name()
                ));
            }
        }
        let next = lines.get(i + 1).map(|l| strip_cr(l));
        if let (Some(old), Some(new)) = (
            line.strip_prefix("--- "),
            next.and_then(|n| n.strip_prefix("+++ ")),
        ) {
            git = None;
            let old = header_path(old, "a/");
            let new = header_path(new, "b/");
            if old.is_none() && new.is_none() {
                return Err(format!(
                    "line {}: `--- /dev/null` and `+++ /dev/null` together name no file",
                    i + 1
                ));
            }
            i += 2;
            let mut hunks = Vec::new();
            while i < lines.len() && strip_cr(lines[i]).starts_with("@@") {
                let (hunk, next_i) = parse_hunk(&lines, i)?;
                hunks.push(hunk);
                i = next_i;
            }
            if hunks.is_empty() {
                return Err(format!(
                    "{}: the file header is not followed by a `@@ -a,b +c,d @@` hunk",
                    new.as_deref().or(old.as_deref()).unwrap_or("<unnamed>")
                ));
            }
            out.push(FilePatch { old, new, hunks });
            continue;
        }
        if line.starts_with("@@ ") {
            return Err(format!(
                "line {}: a hunk with no `--- a/FILE` / `+++ b/FILE` header before it",
                i + 1
            ));
        }
        i += 1;
    }
    if let Some(h) = git.take() {
        out.push(h.into_patch()?);
    }
    Ok(out)
}

/// A `diff --git` header with no `---`/`+++` (yet): a rename, an empty new or
/// deleted file, a mode change.
struct GitHeader {
    a: Option<String>,
    b: Option<String>,
    rename_from: Option<String>,
    rename_to: Option<String>,
    created: bool,
    deleted: bool,
}

impl GitHeader {
    fn new(rest: &str) -> GitHeader {
        // `a/X b/X`: split at the ` b/` that leaves equal halves when it can
        let (a, b) = match rest.strip_prefix("a/").and_then(|r| {
            let candidates: Vec<usize> = r.match_indices(" b/").map(|(k, _)| k).collect();
            candidates
                .iter()
                .find(|&&k| r[..k] == r[k + 3..])
                .or(candidates.first())
                .map(|&k| (r[..k].to_string(), r[k + 3..].to_string()))
        }) {
            Some((a, b)) => (Some(a), Some(b)),
            None => (None, None),
        };
        GitHeader {
            a,
            b,
            rename_from: None,
            rename_to: None,
            created: false,
            deleted: false,
        }
    }

    fn display_name(&self) -> String {
        self.b
            .clone()
            .or(self.a.clone())
            .unwrap_or_else(|| "<unnamed>".into())
    }

    fn into_patch(self) -> Result<FilePatch, String> {
        let name = self.display_name();
        let old = self.rename_from.or(self.a);
        let new = self.rename_to.or(self.b);
        if old.is_none() || new.is_none() {
            return Err(format!(
                "`diff --git {name}`: cannot tell the file names; write `--- a/FILE` and `+++ b/FILE` headers"
            ));
        }
        Ok(FilePatch {
            old: if self.created { None } else { old },
            new: if self.deleted { None } else { new },
            hunks: Vec::new(),
        })
    }
}

fn strip_cr(s: &str) -> &str {
    s.strip_suffix('\r').unwrap_or(s)
}

/// The path of a `---`/`+++` line: `/dev/null` is none; a tab ends it; the
/// git prefix is dropped.
fn header_path(raw: &str, prefix: &str) -> Option<String> {
    let raw = raw.split('\t').next().unwrap_or(raw).trim_end();
    let p = unquote(raw);
    if p == "/dev/null" {
        return None;
    }
    Some(p.strip_prefix(prefix).map(str::to_string).unwrap_or(p))
}

/// Git quotes paths with unusual characters: `"a/x y.ts"`.
fn unquote(s: &str) -> String {
    match s.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        Some(inner) => inner.replace("\\\"", "\"").replace("\\\\", "\\"),
        None => s.to_string(),
    }
}

/// `@@ -a[,b] +c[,d] @@`: (a, b, c, d).
fn parse_range_header(line: &str) -> Option<(usize, usize, usize, usize)> {
    let rest = line.strip_prefix("@@ -")?;
    let end = rest.find(" @@")?;
    let (old, new) = rest[..end].split_once(" +")?;
    let range = |s: &str| -> Option<(usize, usize)> {
        match s.split_once(',') {
            Some((a, b)) => Some((a.parse().ok()?, b.parse().ok()?)),
            None => Some((s.parse().ok()?, 1)),
        }
    };
    let (a, b) = range(old)?;
    let (c, d) = range(new)?;
    Some((a, b, c, d))
}

/// Parses the hunk starting at `lines[start]`; returns it and the index after it.
fn parse_hunk(lines: &[&str], start: usize) -> Result<(Hunk, usize), String> {
    let header = strip_cr(lines[start]).to_string();
    let (old_start, mut old_left, _new_start, mut new_left) = parse_range_header(&header)
        .ok_or_else(|| {
            format!(
                "line {}: `{header}` is not a hunk header `@@ -a,b +c,d @@`",
                start + 1
            )
        })?;
    let mut hunk = Hunk {
        header: header.clone(),
        old_start,
        lines: Vec::new(),
        old_no_newline: false,
        new_no_newline: false,
    };
    let mut i = start + 1;
    // which sides the last line belonged to, for `\ No newline`
    let mut last = (false, false);
    while old_left > 0 || new_left > 0 {
        let Some(raw) = lines.get(i) else {
            return Err(truncated(&header, old_left, new_left));
        };
        // a trailing empty string is the end of the text, not an empty line
        if i + 1 == lines.len() && raw.is_empty() {
            return Err(truncated(&header, old_left, new_left));
        }
        let line = strip_cr(raw);
        if line.starts_with('\\') {
            mark_no_newline(&mut hunk, last);
            i += 1;
            continue;
        }
        let (kind, text) = match line.chars().next() {
            // editors often strip the space of an empty context line
            None => (' ', ""),
            Some(c) => (c, &line[c.len_utf8()..]),
        };
        match kind {
            ' ' if old_left > 0 && new_left > 0 => {
                old_left -= 1;
                new_left -= 1;
                last = (true, true);
                hunk.lines.push(Line::Context(text.to_string()));
            }
            '-' if old_left > 0 => {
                old_left -= 1;
                last = (true, false);
                hunk.lines.push(Line::Remove(text.to_string()));
            }
            '+' if new_left > 0 => {
                new_left -= 1;
                last = (false, true);
                hunk.lines.push(Line::Add(text.to_string()));
            }
            _ => {
                return Err(format!(
                    "line {}: `{line}` does not fit hunk `{header}` ({})",
                    i + 1,
                    left_text(old_left, new_left)
                ))
            }
        }
        i += 1;
    }
    while let Some(l) = lines.get(i) {
        if strip_cr(l).starts_with('\\') {
            mark_no_newline(&mut hunk, last);
            i += 1;
        } else {
            break;
        }
    }
    Ok((hunk, i))
}

fn mark_no_newline(hunk: &mut Hunk, (old, new): (bool, bool)) {
    if old {
        hunk.old_no_newline = true;
    }
    if new {
        hunk.new_no_newline = true;
    }
}

fn left_text(old_left: usize, new_left: usize) -> String {
    format!("{old_left} old and {new_left} new lines still expected")
}

fn truncated(header: &str, old_left: usize, new_left: usize) -> String {
    format!(
        "hunk `{header}` is truncated: {}",
        left_text(old_left, new_left)
    )
}

/// Applies a file's hunks to its current content (`None`: it does not exist).
/// Returns the new content (`None`: deleted).
pub fn apply(original: Option<&str>, fp: &FilePatch) -> Result<Option<Applied>, String> {
    let name = fp.name();
    let text = match (fp.old.is_some(), original) {
        (true, Some(t)) => t,
        (true, None) => {
            return Err(format!(
                "{}: the patch changes a file that does not exist in the workspace",
                fp.old.as_deref().unwrap_or(name)
            ))
        }
        (false, Some(_)) => {
            return Err(format!(
                "{name}: the patch creates a file that already exists"
            ))
        }
        (false, None) => "",
    };
    let crlf = text.find('\n').is_some_and(|k| text[..k].ends_with('\r'));
    let mut final_newline = text.ends_with('\n');
    let src: Vec<&str> = if text.is_empty() {
        Vec::new()
    } else {
        let body = text.strip_suffix('\n').unwrap_or(text);
        body.split('\n').map(strip_cr).collect()
    };
    let mut out: Vec<String> = Vec::new();
    let mut added_lines = Vec::new();
    let mut cursor = 0usize; // next unread line of `src`
    let mut offset: isize = 0; // where hunks matched relative to where they said
    for (n, hunk) in fp.hunks.iter().enumerate() {
        let expected: Vec<&str> = hunk
            .lines
            .iter()
            .filter_map(|l| match l {
                Line::Context(t) | Line::Remove(t) => Some(strip_cr(t)),
                Line::Add(_) => None,
            })
            .collect();
        // 0-based index where the old side starts, as the header says
        let stated = if expected.is_empty() {
            hunk.old_start
        } else {
            hunk.old_start.saturating_sub(1)
        };
        let want = (stated as isize + offset).max(cursor as isize) as usize;
        let Some(at) = find_match(&src, &expected, want, cursor) else {
            return Err(mismatch(
                name,
                n,
                fp.hunks.len(),
                hunk,
                &src,
                &expected,
                stated,
            ));
        };
        offset = at as isize - stated as isize;
        out.extend(src[cursor..at].iter().map(|s| s.to_string()));
        let mut k = at;
        for l in &hunk.lines {
            match l {
                Line::Context(_) => {
                    out.push(src[k].to_string());
                    k += 1;
                }
                Line::Remove(_) => k += 1,
                Line::Add(t) => {
                    out.push(strip_cr(t).to_string());
                    added_lines.push(out.len() as u32);
                }
            }
        }
        cursor = k;
        if cursor == src.len() {
            // the hunk reaches the end of the file: it decides the final newline
            if hunk.new_no_newline {
                final_newline = false;
            } else if hunk.old_no_newline || !final_newline {
                final_newline = hunk.lines.iter().any(|l| !matches!(l, Line::Remove(_)));
            }
        }
    }
    out.extend(src[cursor..].iter().map(|s| s.to_string()));
    if fp.new.is_none() {
        return Ok(None);
    }
    let eol = if crlf { "\r\n" } else { "\n" };
    let mut text = out.join(eol);
    if final_newline && !out.is_empty() {
        text.push_str(eol);
    }
    Ok(Some(Applied { text, added_lines }))
}

/// The start index nearest to `want` (not before `min`) where `expected` matches.
fn find_match(src: &[&str], expected: &[&str], want: usize, min: usize) -> Option<usize> {
    let last = src.len().checked_sub(expected.len())?;
    if min > last {
        return None;
    }
    let matches = |at: usize| {
        src[at..at + expected.len()]
            .iter()
            .zip(expected)
            .all(|(a, b)| a == b)
    };
    let want = want.clamp(min, last);
    for d in 0..=(last - min) {
        if want + d <= last && matches(want + d) {
            return Some(want + d);
        }
        if d > 0 && want >= min + d && matches(want - d) {
            return Some(want - d);
        }
        if want + d > last && want < min + d {
            break;
        }
    }
    None
}

/// The error for a hunk that matches nowhere: the first differing line at the
/// place the hunk names.
fn mismatch(
    name: &str,
    n: usize,
    total: usize,
    hunk: &Hunk,
    src: &[&str],
    expected: &[&str],
    stated: usize,
) -> String {
    let head = format!(
        "hunk {} of {} in {name} (`{}`) does not apply",
        n + 1,
        total,
        hunk.header
    );
    for (k, want) in expected.iter().enumerate() {
        match src.get(stated + k) {
            Some(have) if have == want => continue,
            Some(have) => {
                return format!(
                    "{head}: line {} of the file is `{have}`, the patch expects `{want}` (and its lines match nowhere else in the file)",
                    stated + k + 1
                )
            }
            None => {
                return format!(
                    "{head}: the file has {} lines, the patch expects line {} to be `{want}`",
                    src.len(),
                    stated + k + 1
                )
            }
        }
    }
    format!("{head}: its lines match nowhere after the previous hunk")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(diff: &str) -> FilePatch {
        let mut v = parse(diff).unwrap();
        assert_eq!(v.len(), 1, "{v:?}");
        v.remove(0)
    }

    fn apply_text(original: &str, diff: &str) -> Result<String, String> {
        apply(Some(original), &one(diff)).map(|a| a.map(|a| a.text).unwrap_or_default())
    }

    #[test]
    fn parses_git_diff_of_two_files() {
        let diff = "diff --git a/src/a.ts b/src/a.ts\nindex 1..2 100644\n--- a/src/a.ts\n+++ b/src/a.ts\n@@ -1,2 +1,2 @@\n x\n-y\n+z\ndiff --git a/src/b.ts b/src/b.ts\n--- a/src/b.ts\n+++ b/src/b.ts\n@@ -3 +3,2 @@\n q\n+r\n";
        let v = parse(diff).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].old.as_deref(), Some("src/a.ts"));
        assert_eq!(v[0].new.as_deref(), Some("src/a.ts"));
        assert_eq!(
            v[0].hunks[0].lines,
            vec![
                Line::Context("x".into()),
                Line::Remove("y".into()),
                Line::Add("z".into())
            ]
        );
        assert_eq!(v[1].hunks[0].old_start, 3);
        assert_eq!(
            v[1].hunks[0].lines,
            vec![Line::Context("q".into()), Line::Add("r".into())]
        );
    }

    #[test]
    fn new_and_deleted_files() {
        let diff = "--- /dev/null\n+++ b/src/new.ts\n@@ -0,0 +1,2 @@\n+a\n+b\n--- a/src/old.ts\n+++ /dev/null\n@@ -1 +0,0 @@\n-gone\n";
        let v = parse(diff).unwrap();
        assert_eq!(v[0].old, None);
        assert_eq!(v[0].new.as_deref(), Some("src/new.ts"));
        assert_eq!(v[1].old.as_deref(), Some("src/old.ts"));
        assert_eq!(v[1].new, None);
        let created = apply(None, &v[0]).unwrap().unwrap();
        assert_eq!(created.text, "a\nb\n");
        assert_eq!(created.added_lines, vec![1, 2]);
        assert_eq!(apply(Some("gone\n"), &v[1]).unwrap(), None);
    }

    #[test]
    fn timestamps_and_no_prefix() {
        let fp = one("--- src/x.rs\t2024-01-01 10:00:00\n+++ src/x.rs\t2024-01-02 10:00:00\n@@ -1 +1 @@\n-a\n+b\n");
        assert_eq!(fp.old.as_deref(), Some("src/x.rs"));
        assert_eq!(fp.new.as_deref(), Some("src/x.rs"));
    }

    #[test]
    fn modifies_in_the_middle_and_reports_added_lines() {
        let got = apply(
            Some("a\nb\nc\nd\n"),
            &one("--- a/f.ts\n+++ b/f.ts\n@@ -2,2 +2,3 @@\n b\n-c\n+C1\n+C2\n"),
        )
        .unwrap()
        .unwrap();
        assert_eq!(got.text, "a\nb\nC1\nC2\nd\n");
        assert_eq!(got.added_lines, vec![3, 4]);
    }

    #[test]
    fn hunk_applies_at_an_offset_when_lines_moved() {
        // the file gained two lines at the top since the diff was made
        let got = apply_text(
            "new1\nnew2\na\nb\nc\n",
            "--- a/f.ts\n+++ b/f.ts\n@@ -1,2 +1,2 @@\n a\n-b\n+B\n",
        );
        assert_eq!(got.unwrap(), "new1\nnew2\na\nB\nc\n");
    }

    #[test]
    fn hunk_that_does_not_apply_is_a_clear_error() {
        let err = apply_text(
            "a\nb\nc\n",
            "--- a/src/f.ts\n+++ b/src/f.ts\n@@ -1,2 +1,2 @@\n a\n-x\n+y\n",
        )
        .unwrap_err();
        assert_eq!(
            err,
            "hunk 1 of 1 in src/f.ts (`@@ -1,2 +1,2 @@`) does not apply: line 2 of the file is `b`, the patch expects `x` (and its lines match nowhere else in the file)"
        );
    }

    #[test]
    fn hunk_past_the_end_is_a_clear_error() {
        let err =
            apply_text("a\n", "--- a/f.ts\n+++ b/f.ts\n@@ -5,1 +5,1 @@\n-q\n+r\n").unwrap_err();
        assert_eq!(
            err,
            "hunk 1 of 1 in f.ts (`@@ -5,1 +5,1 @@`) does not apply: the file has 1 lines, the patch expects line 5 to be `q`"
        );
    }

    #[test]
    fn changing_a_missing_file_or_creating_an_existing_one_fails() {
        let fp = one("--- a/f.ts\n+++ b/f.ts\n@@ -1 +1 @@\n-a\n+b\n");
        assert_eq!(
            apply(None, &fp).unwrap_err(),
            "f.ts: the patch changes a file that does not exist in the workspace"
        );
        let fp = one("--- /dev/null\n+++ b/f.ts\n@@ -0,0 +1 @@\n+b\n");
        assert_eq!(
            apply(Some("x\n"), &fp).unwrap_err(),
            "f.ts: the patch creates a file that already exists"
        );
    }

    #[test]
    fn truncated_hunk_is_an_error() {
        let err = parse("--- a/f.ts\n+++ b/f.ts\n@@ -1,3 +1,3 @@\n a\n-b\n").unwrap_err();
        assert_eq!(
            err,
            "hunk `@@ -1,3 +1,3 @@` is truncated: 1 old and 2 new lines still expected"
        );
    }

    #[test]
    fn hunk_without_header_is_an_error() {
        let err = parse("@@ -1 +1 @@\n-a\n+b\n").unwrap_err();
        assert_eq!(
            err,
            "line 1: a hunk with no `--- a/FILE` / `+++ b/FILE` header before it"
        );
    }

    #[test]
    fn no_newline_at_end_of_file() {
        // adds a line to a file that had no final newline, and keeps none
        let got = apply_text(
            "a\nb",
            "--- a/f\n+++ b/f\n@@ -1,2 +1,3 @@\n a\n-b\n\\ No newline at end of file\n+b\n+c\n\\ No newline at end of file\n",
        );
        assert_eq!(got.unwrap(), "a\nb\nc");
        // adds the final newline
        let got = apply_text(
            "a\nb",
            "--- a/f\n+++ b/f\n@@ -2 +2 @@\n-b\n\\ No newline at end of file\n+b\n",
        );
        assert_eq!(got.unwrap(), "a\nb\n");
    }

    #[test]
    fn crlf_files_keep_their_line_endings() {
        let got = apply_text(
            "a\r\nb\r\n",
            "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n",
        );
        assert_eq!(got.unwrap(), "a\r\nc\r\n");
    }

    #[test]
    fn empty_context_line_without_its_space() {
        let got = apply_text(
            "a\n\nb\n",
            "--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n\n-b\n+c\n",
        );
        assert_eq!(got.unwrap(), "a\n\nc\n");
    }

    #[test]
    fn rename_without_hunks() {
        let v = parse("diff --git a/src/a.ts b/src/b.ts\nsimilarity index 100%\nrename from src/a.ts\nrename to src/b.ts\n").unwrap();
        assert_eq!(
            v,
            vec![FilePatch {
                old: Some("src/a.ts".into()),
                new: Some("src/b.ts".into()),
                hunks: vec![]
            }]
        );
        let a = apply(Some("x\n"), &v[0]).unwrap().unwrap();
        assert_eq!(a.text, "x\n");
        assert!(a.added_lines.is_empty());
    }

    #[test]
    fn empty_new_file_from_git_header() {
        let v = parse(
            "diff --git a/src/e.ts b/src/e.ts\nnew file mode 100644\nindex 0000000..e69de29\n",
        )
        .unwrap();
        assert_eq!(v[0].old, None);
        assert_eq!(v[0].new.as_deref(), Some("src/e.ts"));
        assert_eq!(apply(None, &v[0]).unwrap().unwrap().text, "");
    }

    #[test]
    fn binary_patch_is_refused() {
        let err = parse("diff --git a/i.png b/i.png\nBinary files a/i.png and b/i.png differ\n")
            .unwrap_err();
        assert_eq!(err, "i.png: binary patches are not supported");
    }

    #[test]
    fn second_hunk_never_matches_before_the_first() {
        let fp = one("--- a/f\n+++ b/f\n@@ -3,1 +3,1 @@\n-x\n+y\n@@ -1,1 +1,1 @@\n-a\n+b\n");
        let err = apply(Some("a\nb\nx\n"), &fp).unwrap_err();
        assert!(err.starts_with("hunk 2 of 2 in f"), "{err}");
    }

    #[test]
    fn pure_insertion_with_empty_old_side() {
        let got = apply_text("a\nb\n", "--- a/f\n+++ b/f\n@@ -1,0 +2 @@\n+x\n");
        assert_eq!(got.unwrap(), "a\nx\nb\n");
    }
}
