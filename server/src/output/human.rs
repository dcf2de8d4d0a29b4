//! `--format human`: rustc/ruff-like diagnostics with a code frame.
//!
//! ```text
//! error[layers]: src/domain/user.ts in module `domain` imports ...
//!  --> src/domain/user.ts:1:20
//!   |
//! 1 | import { db } from "../infra/db";
//!   |                    ^^^^^^^^^^^^^
//!   |
//!   = help: Import `infra` through its public entry
//! ```
//!
//! Only the first line of a range is shown; a range running onto later lines
//! gets carets to the end of its first line. Tabs are shown as 4 spaces, East
//! Asian wide characters as 2 cells, combining marks as 0, control characters
//! as `�`, and the carets follow the same widths.

use rules::Diagnostic;
use rules::Severity;

use super::report::Report;

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";
const BLUE: &str = "\x1b[1;34m";

/// ANSI styles, all empty without colour.
struct Style {
    color: bool,
}

impl Style {
    fn get(&self, code: &'static str) -> &'static str {
        if self.color {
            code
        } else {
            ""
        }
    }
    fn severity(&self, s: Severity) -> &'static str {
        self.get(match s {
            Severity::Error => RED,
            Severity::Warning => YELLOW,
            Severity::Info | Severity::Hint | Severity::Off => BLUE,
        })
    }
    fn reset(&self) -> &'static str {
        self.get(RESET)
    }
    fn bold(&self) -> &'static str {
        self.get(BOLD)
    }
    fn gutter(&self) -> &'static str {
        self.get(BLUE)
    }
}

/// Renders the report for a terminal. `source(file)` gives a file's text
/// (`None`: no code frame). Baselined diagnostics are only counted.
pub fn human(r: &Report, source: &dyn Fn(&str) -> Option<String>, color: bool) -> String {
    let style = Style { color };
    let mut out = String::new();
    // Diagnostics come sorted by file: read each file once, and find its
    // lines once (a thousand diagnostics in a 2 MB file must not scan it a
    // thousand times).
    let mut cached: Option<(String, Option<Lines>)> = None;
    let shown: Vec<&Diagnostic> = r.diagnostics.iter().filter(|d| !d.baselined).collect();
    // cycle diagnostics come last, grouped by the cycle they are part of
    let (cycles, rest): (Vec<&Diagnostic>, Vec<&Diagnostic>) =
        shown.into_iter().partition(|d| cycle_ends(d).is_some());
    let components = components(&cycles);
    let mut print = |out: &mut String, d: &Diagnostic| {
        let text = match &cached {
            Some((file, text)) if *file == d.file => text.as_ref(),
            _ => {
                let read = source(&d.file).map(|t| {
                    let starts = std::iter::once(0)
                        .chain(memchr_lines(&t))
                        .collect::<Vec<usize>>();
                    (t, starts)
                });
                cached.insert((d.file.clone(), read)).1.as_ref()
            }
        };
        let line = text.and_then(|(t, starts)| {
            let i = (d.range.line as usize).checked_sub(1)?;
            let start = *starts.get(i)?;
            let end = starts.get(i + 1).map_or(t.len(), |e| e - 1);
            t.get(start..end)
        });
        render(out, d, line, &style);
        out.push('\n');
    };
    for d in rest {
        print(&mut out, d);
    }
    for c in &components {
        out.push_str(style.bold());
        out.push_str(&c.title());
        out.push_str(style.reset());
        out.push_str("\n\n");
        for d in &c.diagnostics {
            print(&mut out, d);
        }
    }
    if !components.is_empty() {
        out.push_str(style.bold());
        out.push_str(&plural(components.len(), "cycle:", "cycles:"));
        out.push_str(style.reset());
        out.push('\n');
        for c in &components {
            out.push_str("  ");
            out.push_str(&c.title());
            out.push('\n');
        }
    }
    out.push_str(style.bold());
    out.push_str(&summary(r));
    out.push_str(style.reset());
    out.push('\n');
    out
}

/// A cycle diagnostic's kind, and the modules or files its import joins.
fn cycle_ends(d: &Diagnostic) -> Option<(CycleKind, &str, &str)> {
    match d.rule.as_str() {
        "cycle" => Some((
            CycleKind::Modules,
            d.from_module.as_deref()?,
            d.to_module.as_deref()?,
        )),
        "file-cycle" => Some((CycleKind::Files, d.file.as_str(), d.target.as_deref()?)),
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum CycleKind {
    Modules,
    Files,
}

/// The diagnostics of one cycle: the imports between the members of one
/// strongly connected component (of the module graph or of the file graph).
struct Component<'a> {
    kind: CycleKind,
    /// Sorted.
    members: Vec<String>,
    diagnostics: Vec<&'a Diagnostic>,
}

impl Component<'_> {
    /// `module cycle between `a`, `b` and `c` (12 imports)`.
    fn title(&self) -> String {
        const SHOWN: usize = 8;
        let mut names: Vec<String> = self
            .members
            .iter()
            .take(SHOWN)
            .map(|m| format!("`{}`", printable(m)))
            .collect();
        if self.members.len() > SHOWN {
            names.push(format!("{} more", self.members.len() - SHOWN));
        }
        let last = names.pop().unwrap_or_default();
        let list = if names.is_empty() {
            last
        } else {
            format!("{} and {last}", names.join(", "))
        };
        let imports = plural(self.diagnostics.len(), "import", "imports");
        match self.kind {
            CycleKind::Modules => format!("module cycle between {list} ({imports})"),
            CycleKind::Files => format!(
                "file cycle through {} files: {list} ({imports})",
                self.members.len()
            ),
        }
    }
}

/// Groups cycle diagnostics by the cycle they are part of: an import from
/// one member to another joins the two (the members of a strongly
/// connected component are joined by its imports). In the order of each
/// component's first diagnostic.
fn components<'a>(cycles: &[&'a Diagnostic]) -> Vec<Component<'a>> {
    // union-find over (kind, name)
    let mut ids: std::collections::HashMap<(CycleKind, &str), usize> = Default::default();
    let mut parent: Vec<usize> = Vec::new();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    let mut ends: Vec<(CycleKind, usize)> = Vec::new();
    for d in cycles {
        let Some((kind, from, to)) = cycle_ends(d) else {
            continue;
        };
        let mut id = |name: &'a str| {
            *ids.entry((kind, name)).or_insert_with(|| {
                parent.push(parent.len());
                parent.len() - 1
            })
        };
        let (a, b) = (id(from), id(to));
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        parent[ra] = rb;
        ends.push((kind, a));
    }
    let mut by_root: std::collections::HashMap<(CycleKind, usize), usize> = Default::default();
    let mut out: Vec<Component<'a>> = Vec::new();
    for (d, (kind, a)) in cycles.iter().zip(ends) {
        let root = find(&mut parent, a);
        let i = *by_root.entry((kind, root)).or_insert_with(|| {
            out.push(Component {
                kind,
                members: Vec::new(),
                diagnostics: Vec::new(),
            });
            out.len() - 1
        });
        out[i].diagnostics.push(d);
    }
    // the members of each component, in one pass
    for ((kind, name), id) in &ids {
        let root = find(&mut parent, *id);
        if let Some(&i) = by_root.get(&(*kind, root)) {
            out[i].members.push(name.to_string());
        }
    }
    for c in &mut out {
        c.members.sort();
    }
    out
}

/// A file's text and where each of its lines starts.
type Lines = (String, Vec<usize>);

/// The offsets just after each `\n` of `text`.
fn memchr_lines(text: &str) -> impl Iterator<Item = usize> + '_ {
    text.bytes()
        .enumerate()
        .filter(|(_, b)| *b == b'\n')
        .map(|(i, _)| i + 1)
}

/// The most characters of a source line a code frame shows: around the
/// diagnostic, with `…` where it is cut (a minified line can be 2 MB).
const MAX_FRAME_CHARS: usize = 160;

/// `s` with its control characters (C0, DEL, C1) written as `\u{..}`
/// escapes: file names, messages and rule ids come from the repository, and
/// an escape sequence in one must not reach the terminal.
pub(crate) fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(
        s.chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_unicode().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

fn render(out: &mut String, d: &Diagnostic, line: Option<&str>, s: &Style) {
    let (sev, bold, reset, gutter) = (s.severity(d.severity), s.bold(), s.reset(), s.gutter());
    out.push_str(&format!(
        "{sev}{}[{}]{reset}{bold}: {}{reset}\n",
        d.severity.as_str(),
        printable(d.rule.as_str()),
        printable(&d.message)
    ));
    let width = d.range.line.to_string().len();
    let pad = " ".repeat(width);
    out.push_str(&format!(
        "{pad}{gutter}-->{reset} {}:{}:{}\n",
        printable(&d.file),
        d.range.line,
        d.range.column
    ));
    let frame = line.map(|l| frame(l, d));
    if let Some(f) = &frame {
        out.push_str(&format!("{pad} {gutter}|{reset}\n"));
        if f.text.is_empty() {
            out.push_str(&format!("{gutter}{} |{reset}\n", d.range.line));
        } else {
            out.push_str(&format!("{gutter}{} |{reset} {}\n", d.range.line, f.text));
        }
        let spaces = " ".repeat(f.start);
        let carets = "^".repeat(f.len);
        out.push_str(&format!(
            "{pad} {gutter}|{reset} {spaces}{sev}{carets}{reset}\n"
        ));
    }
    if !d.fixes.is_empty() && frame.is_some() {
        out.push_str(&format!("{pad} {gutter}|{reset}\n"));
    }
    for fix in &d.fixes {
        out.push_str(&format!(
            "{pad} {gutter}={reset} {bold}help{reset}: {}\n",
            printable(&fix.title)
        ));
    }
}

/// The line shown under a diagnostic and where its carets go, in cells.
#[derive(Debug, PartialEq, Eq)]
struct Frame {
    text: String,
    start: usize,
    len: usize,
}

fn frame(raw: &str, d: &Diagnostic) -> Frame {
    let raw = raw.strip_suffix('\r').unwrap_or(raw);
    // a long line: a window of it around the diagnostic's column
    let total = raw.chars().count();
    let (raw, shift, cut_before, cut_after) = if total > MAX_FRAME_CHARS {
        let col = (d.range.column.max(1) as usize - 1).min(total);
        let from = col.saturating_sub(MAX_FRAME_CHARS / 3);
        let to = (from + MAX_FRAME_CHARS).min(total);
        let byte = |c: usize| raw.char_indices().nth(c).map_or(raw.len(), |(b, _)| b);
        let (b0, b1) = (byte(from), byte(to));
        (&raw[b0..b1], from, from > 0, to < total)
    } else {
        (raw, 0, false, false)
    };
    // cells[i]: the cell where char i starts; cells[n]: the line's width.
    let mut shown = String::with_capacity(raw.len() + 8);
    let mut cells = Vec::with_capacity(raw.len() + 1);
    let mut at = 0;
    if cut_before {
        shown.push('…');
        at += 1;
    }
    for c in raw.chars() {
        cells.push(at);
        let (s, w) = display(c);
        match s {
            Some(s) => shown.push_str(s),
            None => shown.push(c),
        }
        at += w;
    }
    cells.push(at);
    if cut_after {
        shown.push('…');
    }
    let n = cells.len() - 1;
    let cell = |column: u32| cells[(column.max(1) as usize - 1).saturating_sub(shift).min(n)];
    let start = cell(d.range.column);
    let end = if d.range.end_line == d.range.line {
        cell(d.range.end_column)
    } else {
        at
    };
    let text = shown.trim_end().to_string();
    Frame {
        text,
        start,
        len: end.saturating_sub(start).max(1),
    }
}

/// How a character is shown: a replacement text (if not itself) and its width
/// in terminal cells.
fn display(c: char) -> (Option<&'static str>, usize) {
    match c {
        '\t' => (Some("    "), 4),
        c if c.is_control() => (Some("\u{FFFD}"), 1),
        c if is_zero_width(c) => (None, 0),
        c if is_wide(c) => (None, 2),
        _ => (None, 1),
    }
}

fn is_zero_width(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x0483..=0x0489 | 0x0591..=0x05BD | 0x0610..=0x061A | 0x064B..=0x065F
        | 0x0E31 | 0x0E34..=0x0E3A | 0x0E47..=0x0E4E | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF
        | 0x200B..=0x200F | 0x20D0..=0x20FF | 0xFE00..=0xFE0F | 0xFE20..=0xFE2F | 0xFEFF
        | 0xE0100..=0xE01EF)
}

fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x1F300..=0x1F64F | 0x1F900..=0x1F9FF | 0x20000..=0x2FFFD
        | 0x30000..=0x3FFFD)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `Found 1 error, 1 warning in 120 files (14 ms); 1 baselined; ...`
fn summary(r: &Report) -> String {
    let c = r.counts();
    let mut found = Vec::new();
    if c.errors > 0 {
        found.push(plural(c.errors, "error", "errors"));
    }
    if c.warnings > 0 {
        found.push(plural(c.warnings, "warning", "warnings"));
    }
    if c.infos > 0 {
        found.push(format!("{} info", c.infos));
    }
    let files = plural(r.files, "file", "files");
    let mut line = if found.is_empty() {
        format!("No violations in {files} ({} ms)", r.elapsed_ms)
    } else {
        format!(
            "Found {} in {files} ({} ms)",
            found.join(", "),
            r.elapsed_ms
        )
    };
    if c.baselined > 0 {
        line.push_str(&format!("; {} baselined", c.baselined));
    }
    if r.stale_baseline > 0 {
        let entries = plural(
            r.stale_baseline,
            "stale baseline entry",
            "stale baseline entries",
        );
        line.push_str(&format!("; {entries} (run `layergate baseline prune`)"));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::super::report::fixture::{self, diag, diagnostics, report};
    use super::*;

    fn no_source(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn cycle_diagnostics_are_grouped_by_component_and_named_once() {
        let w = Severity::Warning;
        let cycle = |file: &str, from: &str, to: &str| {
            diag(
                file,
                (1, 1, 1, 5),
                w,
                "cycle",
                "in a cycle",
                (Some(from), Some(to)),
                None,
                false,
            )
        };
        let file_cycle = |file: &str, target: &str| {
            diag(
                file,
                (2, 1, 2, 5),
                w,
                "file-cycle",
                "in a file cycle",
                (None, None),
                Some(target),
                false,
            )
        };
        // sorted by file, as checks give them: two module cycles and a
        // file cycle interleaved, and a layer violation
        let ds = vec![
            cycle("src/a/x.ts", "a", "b"),
            file_cycle("src/a/x.ts", "src/a/y.ts"),
            cycle("src/b/y.ts", "b", "a"),
            diag(
                "src/c/z.ts",
                (3, 1, 3, 5),
                Severity::Error,
                "layers",
                "up",
                (Some("c"), Some("d")),
                None,
                false,
            ),
            cycle("src/c/z.ts", "c", "d"),
            file_cycle("src/a/y.ts", "src/a/x.ts"),
            cycle("src/d/w.ts", "d", "c"),
            cycle("src/e/v.ts", "e", "a"),
            cycle("src/a/u.ts", "a", "e"),
        ];
        let out = human(&report(&ds), &no_source, false);
        let at = |needle: &str| {
            out.find(needle)
                .unwrap_or_else(|| panic!("{needle} in {out}"))
        };
        // the layer violation first, then each cycle under its name
        let ae = "module cycle between `a`, `b` and `e` (4 imports)";
        let cd = "module cycle between `c` and `d` (2 imports)";
        let files = "file cycle through 2 files: `src/a/x.ts` and `src/a/y.ts` (2 imports)";
        assert!(at("error[layers]") < at(ae));
        assert!(at(ae) < at("src/a/x.ts:1:1") && at("src/a/x.ts:1:1") < at("src/b/y.ts:1:1"));
        assert!(at("src/e/v.ts:1:1") < at(files) && at(files) < at(cd));
        assert!(at(files) < at("src/a/x.ts:2:1") && at("src/a/y.ts:2:1") < at(cd));
        assert!(at(cd) < at("src/c/z.ts:1:1") && at("src/d/w.ts:1:1") < at("3 cycles:"));
        // named once more each, above the count
        let names = &out[at("3 cycles:")..];
        assert!(names.contains(ae) && names.contains(cd) && names.contains(files));
        assert!(names.contains("Found 1 error, 8 warnings"));
    }

    #[test]
    fn snapshot_plain() {
        let ds = diagnostics();
        insta::assert_snapshot!(human(&report(&ds), &fixture::source, false));
    }

    #[test]
    fn snapshot_color() {
        let ds = diagnostics();
        // ESC shown as `␛` to keep the snapshot file plain text.
        insta::assert_snapshot!(human(&report(&ds), &fixture::source, true).replace('\x1b', "␛"));
    }

    #[test]
    fn no_colour_codes_without_colour() {
        let ds = diagnostics();
        assert!(!human(&report(&ds), &fixture::source, false).contains('\x1b'));
    }

    #[test]
    fn baselined_are_counted_not_printed() {
        let ds = diagnostics();
        let out = human(&report(&ds), &fixture::source, false);
        assert!(!out.contains("src/app/api.ts"));
        assert!(out.ends_with(
            "; 1 baselined; 2 stale baseline entries (run `layergate baseline prune`)\n"
        ));
    }

    #[test]
    fn escape_sequences_from_the_repository_do_not_reach_the_terminal() {
        let evil = "src/\x1b]0;pwned\x07\x1b[2J.ts";
        let ds = vec![diag(
            evil,
            (1, 1, 1, 2),
            Severity::Error,
            "layers",
            "`src/\x1b[31mx.ts` imports \u{9b}2J",
            (None, None),
            None,
            false,
        )];
        for color in [false, true] {
            let out = human(&report(&ds), &no_source, color);
            let stray = out
                .replace(RESET, "")
                .replace(BOLD, "")
                .replace(RED, "")
                .replace(BLUE, "");
            assert!(
                !stray.chars().any(|c| c.is_control() && c != '\n'),
                "{out:?}"
            );
            assert!(
                out.contains(r"src/\u{1b}]0;pwned\u{7}\u{1b}[2J.ts:1:1"),
                "{out}"
            );
        }
    }

    #[test]
    fn no_violations() {
        let r = Report {
            diagnostics: &[],
            files: 1,
            elapsed_ms: 0,
            stale_baseline: 0,
            baseline_in_use: false,
        };
        assert_eq!(
            human(&r, &no_source, false),
            "No violations in 1 file (0 ms)\n"
        );
    }

    #[test]
    fn only_baselined_is_no_violation() {
        let ds = vec![diag(
            "a.ts",
            (1, 1, 1, 2),
            Severity::Hint,
            "layers",
            "m",
            (None, None),
            None,
            true,
        )];
        let r = Report {
            diagnostics: &ds,
            files: 3,
            elapsed_ms: 5,
            stale_baseline: 1,
            baseline_in_use: true,
        };
        assert_eq!(
            human(&r, &no_source, false),
            "No violations in 3 files (5 ms); 1 baselined; 1 stale baseline entry (run `layergate baseline prune`)\n"
        );
    }

    #[test]
    fn plural_counts() {
        let e = |line| {
            diag(
                "a.ts",
                (line, 1, line, 2),
                Severity::Error,
                "layers",
                "m",
                (None, None),
                None,
                false,
            )
        };
        let w = diag(
            "b.ts",
            (1, 1, 1, 2),
            Severity::Warning,
            "cycle",
            "m",
            (None, None),
            None,
            false,
        );
        let ds = vec![e(1), e(2), w];
        let r = Report {
            diagnostics: &ds,
            files: 2,
            elapsed_ms: 7,
            stale_baseline: 0,
            baseline_in_use: false,
        };
        let out = human(&r, &no_source, false);
        assert!(
            out.ends_with("\nFound 2 errors, 1 warning in 2 files (7 ms)\n"),
            "{out}"
        );
    }

    #[test]
    fn no_frame_without_source() {
        let ds = vec![diag(
            "a.ts",
            (12, 3, 12, 5),
            Severity::Warning,
            "cycle",
            "a cycle",
            (None, None),
            None,
            false,
        )];
        let r = Report {
            diagnostics: &ds,
            files: 1,
            elapsed_ms: 1,
            stale_baseline: 0,
            baseline_in_use: false,
        };
        assert_eq!(
            human(&r, &no_source, false),
            "warning[cycle]: a cycle\n  --> a.ts:12:3\n\nFound 1 warning in 1 file (1 ms)\n"
        );
    }

    fn frame_of(text: &str, range: (u32, u32, u32, u32)) -> Option<Frame> {
        let d = diag(
            "a.ts",
            range,
            Severity::Error,
            "r",
            "m",
            (None, None),
            None,
            false,
        );
        let line = text.split('\n').nth((range.0 as usize).checked_sub(1)?)?;
        Some(frame(line, &d))
    }

    #[test]
    fn a_long_line_is_shown_around_the_diagnostic() {
        // a 2 MB minified line with the diagnostic near its middle
        let line = format!("{}eval(1);{}", "a".repeat(1_000_000), "b".repeat(1_000_000));
        let f = frame_of(&line, (1, 1_000_001, 1, 1_000_009)).unwrap();
        let expected = format!(
            "…{}eval(1);{}…",
            "a".repeat(MAX_FRAME_CHARS / 3),
            "b".repeat(MAX_FRAME_CHARS - MAX_FRAME_CHARS / 3 - 8)
        );
        assert_eq!(f.text, expected);
        assert_eq!((f.start, f.len), (1 + MAX_FRAME_CHARS / 3, 8));
        // a range to the end of the line is cut at the window
        let f = frame_of(&line, (1, 5, 1, 2_000_009)).unwrap();
        assert_eq!((f.start, f.len), (4, MAX_FRAME_CHARS - 4));
        assert!(f.text.ends_with('…') && !f.text.starts_with('…'));
    }

    #[test]
    fn frame_ascii() {
        assert_eq!(
            frame_of("let x = 1;\n", (1, 5, 1, 6)),
            Some(Frame {
                text: "let x = 1;".into(),
                start: 4,
                len: 1
            })
        );
    }

    #[test]
    fn frame_tabs_and_wide_chars() {
        // Columns: \t=1, 日=2, é=3, \t=4, x=5.
        let f = frame_of("\t日é\tx", (1, 5, 1, 6));
        assert_eq!(
            f,
            Some(Frame {
                text: "    日é    x".into(),
                start: 11,
                len: 1
            })
        );
        // A range over the tab and the wide character.
        let f = frame_of("\t日é\tx", (1, 1, 1, 3));
        assert_eq!(f.map(|f| (f.start, f.len)), Some((0, 6)));
    }

    #[test]
    fn frame_multi_line_runs_to_end_of_first_line() {
        let f = frame_of("a\nuse x::{\n  y,\n};\n", (2, 5, 4, 3));
        assert_eq!(
            f,
            Some(Frame {
                text: "use x::{".into(),
                start: 4,
                len: 4
            })
        );
    }

    #[test]
    fn frame_empty_range_gets_one_caret() {
        assert_eq!(
            frame_of("abc", (1, 4, 1, 4)),
            Some(Frame {
                text: "abc".into(),
                start: 3,
                len: 1
            })
        );
        // A multi-line range starting at the end of its line.
        assert_eq!(
            frame_of("abc\n", (1, 4, 2, 1)),
            Some(Frame {
                text: "abc".into(),
                start: 3,
                len: 1
            })
        );
    }

    #[test]
    fn frame_out_of_range_positions_are_clamped() {
        assert_eq!(
            frame_of("abc", (1, 9, 1, 20)),
            Some(Frame {
                text: "abc".into(),
                start: 3,
                len: 1
            })
        );
        assert_eq!(
            frame_of("abc", (1, 0, 1, 0)),
            Some(Frame {
                text: "abc".into(),
                start: 0,
                len: 1
            })
        );
        assert_eq!(
            frame_of("abc", (1, 3, 1, 1)),
            Some(Frame {
                text: "abc".into(),
                start: 2,
                len: 1
            })
        );
        assert_eq!(frame_of("abc", (5, 1, 5, 2)), None);
        assert_eq!(frame_of("abc", (0, 1, 0, 2)), None);
    }

    #[test]
    fn frame_control_characters_are_replaced() {
        let f = frame_of("a\x1b[31mb\r\n", (1, 7, 1, 8));
        assert_eq!(
            f,
            Some(Frame {
                text: "a\u{FFFD}[31mb".into(),
                start: 6,
                len: 1
            })
        );
    }

    #[test]
    fn frame_combining_mark_has_no_width() {
        // "e\u{301}x": x is column 3 but cell 1.
        assert_eq!(
            frame_of("e\u{301}x", (1, 3, 1, 4)).map(|f| (f.start, f.len)),
            Some((1, 1))
        );
    }
}
