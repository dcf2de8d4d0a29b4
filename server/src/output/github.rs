//! `--format github`: GitHub Actions workflow commands, which GitHub turns into
//! annotations on the pull request.
//!
//! `::error file=F,line=L,col=C,endLine=EL,endColumn=EC,title=layergate RULE::MESSAGE`
//!
//! `error` for errors, `warning` for warnings, `notice` for info and hint.
//! Baselined diagnostics are left out (they must not fail or clutter CI).
//! GitHub accepts `col`/`endColumn` only when the annotation is on one line,
//! so a multi-line range gives `file`, `line`, `endLine` only.

use rules::Severity;

use super::report::Report;

/// Renders one workflow command per non-baselined diagnostic.
pub fn github(r: &Report) -> String {
    let mut out = String::new();
    for d in r.diagnostics.iter().filter(|d| !d.baselined) {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info | Severity::Hint | Severity::Off => "notice",
        };
        let range = &d.range;
        let position = if range.end_line == range.line {
            format!(
                "line={},col={},endLine={},endColumn={}",
                range.line, range.column, range.end_line, range.end_column
            )
        } else {
            format!("line={},endLine={}", range.line, range.end_line)
        };
        out.push_str(&format!(
            "::{command} file={},{position},title={}::{}\n",
            escape_property(&d.file),
            escape_property(&format!("layergate {}", d.rule)),
            escape_data(&d.message),
        ));
    }
    out
}

/// Escapes a command's message, as `@actions/core` does.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property value, as `@actions/core` does.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::super::report::fixture::{diag, diagnostics, report};
    use super::*;

    #[test]
    fn snapshot() {
        let ds = diagnostics();
        insta::assert_snapshot!(github(&report(&ds)));
    }

    #[test]
    fn escapes_message() {
        assert_eq!(escape_data("100% a:b,c\r\nd"), "100%25 a:b,c%0D%0Ad");
    }

    #[test]
    fn escapes_property() {
        assert_eq!(escape_property("a%b:c,d\ne\r"), "a%25b%3Ac%2Cd%0Ae%0D");
        // `%` first: an escape sequence in the input is not double-decoded.
        assert_eq!(escape_property("%3A"), "%253A");
    }

    #[test]
    fn one_command_per_diagnostic() {
        let ds = vec![
            diag(
                "src/a,b:c.ts",
                (3, 1, 3, 9),
                Severity::Error,
                "no-eval",
                "no `eval`: 100%\nreally",
                (None, None),
                None,
                false,
            ),
            diag(
                "b.ts",
                (1, 1, 1, 2),
                Severity::Warning,
                "cycle",
                "w",
                (None, None),
                None,
                false,
            ),
            diag(
                "c.ts",
                (1, 1, 2, 2),
                Severity::Hint,
                "x",
                "h",
                (None, None),
                None,
                false,
            ),
            diag(
                "d.ts",
                (1, 1, 1, 2),
                Severity::Hint,
                "layers",
                "baselined",
                (None, None),
                None,
                true,
            ),
        ];
        let r = Report {
            diagnostics: &ds,
            files: 4,
            elapsed_ms: 0,
            stale_baseline: 0,
            baseline_in_use: true,
        };
        assert_eq!(
            github(&r),
            "::error file=src/a%2Cb%3Ac.ts,line=3,col=1,endLine=3,endColumn=9,title=layergate no-eval::no `eval`: 100%25%0Areally\n\
             ::warning file=b.ts,line=1,col=1,endLine=1,endColumn=2,title=layergate cycle::w\n\
             ::notice file=c.ts,line=1,endLine=2,title=layergate x::h\n"
        );
    }

    #[test]
    fn nothing_for_no_diagnostics() {
        let r = Report {
            diagnostics: &[],
            files: 4,
            elapsed_ms: 0,
            stale_baseline: 0,
            baseline_in_use: false,
        };
        assert_eq!(github(&r), "");
    }
}
