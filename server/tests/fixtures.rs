//! End-to-end acceptance tests of the spec (`layergate.md`).
//!
//! Every directory under `tests/fixtures/` is a small but real workspace. The
//! diagnostics `layergate check` must report are written as markers in the
//! sources, on the line where each diagnostic starts (see
//! `tests/fixtures/README.md`):
//!
//! * `//~ RULE [RULE...]` at the end of a line of a TS/JS/Rust file,
//!   `#~ RULE` in a Python or `.toml` file;
//! * `//~^ RULE` points one line up, `//~^^ RULE` two lines up, ...;
//! * `RULE[baselined]` expects `"baselined": true`;
//! * anything after ` -- ` is a note for the reader.
//!
//! The harness runs the real binary as
//! `layergate check --format json --no-cache` in the fixture directory with
//! `LAYERGATE_NOW=2026-06-01`, and compares the multiset of
//! (file, line, rule, baselined) with the markers: nothing missing, nothing
//! extra. It also checks the exit status (1 when a non-baselined diagnostic has
//! severity `error`, else 0) and that baselined diagnostics are `hint`s.
//! The same check with `--no-scan` (every file parsed by tree-sitter) must
//! report exactly the same diagnostics as the default (most TS/JS files read
//! by the import scanner).
//!
//! An optional `fixture.toml` in a fixture may set `args = [...]` (extra
//! arguments to `check`), `exit = N` (overrides the expected exit status),
//! `env = { K = "V" }` and `severity = { rule = "warning" }` (the severity
//! every non-baselined diagnostic of that rule must have).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The date every fixture runs at (`LAYERGATE_NOW`).
const NOW: &str = "2026-06-01";

/// One expected or reported diagnostic, as far as the fixtures pin it down.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    file: String,
    line: u32,
    rule: String,
    baselined: bool,
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.rule)?;
        if self.baselined {
            f.write_str("[baselined]")?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Markers

/// The marker prefix used in a file, or `None` when the file carries no markers.
fn marker_prefix(path: &str) -> Option<&'static str> {
    let name = path.rsplit('/').next().unwrap_or(path);
    if name == "fixture.toml" {
        return None;
    }
    let ext = name.rsplit_once('.').map(|(_, e)| e)?;
    match ext {
        "toml" | "py" | "pyi" => Some("#~"),
        "ts" | "tsx" | "mts" | "cts" | "js" | "jsx" | "mjs" | "cjs" | "rs" => Some("//~"),
        _ => None,
    }
}

/// Parses the markers of one file. `text` may have been decoded lossily (the
/// `skipped` fixture has non-UTF-8 files whose first line carries a marker).
fn parse_markers(file: &str, text: &str, prefix: &str) -> Result<Vec<Key>, String> {
    let mut out = Vec::new();
    for (idx, raw) in text.split('\n').enumerate() {
        let line_no = idx as u32 + 1;
        let Some(pos) = raw.find(prefix) else {
            continue;
        };
        let rest = raw[pos + prefix.len()..].trim_end_matches('\r');
        let carets = rest.chars().take_while(|&c| c == '^').count();
        let rest = &rest[carets..];
        if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
            return Err(format!(
                "{file}:{line_no}: a marker must be followed by a space: `{}`",
                raw.trim()
            ));
        }
        let rest = match rest.find(" -- ") {
            Some(i) => &rest[..i],
            None => rest,
        };
        let target = line_no as i64 - carets as i64;
        if target < 1 {
            return Err(format!(
                "{file}:{line_no}: marker points above the first line"
            ));
        }
        let mut any = false;
        for token in rest.split_whitespace() {
            let (rule, baselined) = match token.strip_suffix("[baselined]") {
                Some(r) => (r, true),
                None => (token, false),
            };
            let valid = !rule.is_empty()
                && rule.chars().all(|c| {
                    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.')
                });
            if !valid {
                return Err(format!(
                    "{file}:{line_no}: bad rule id `{token}` in marker `{}`",
                    raw.trim()
                ));
            }
            any = true;
            out.push(Key {
                file: file.to_string(),
                line: target as u32,
                rule: rule.to_string(),
                baselined,
            });
        }
        if !any {
            return Err(format!("{file}:{line_no}: marker names no rule"));
        }
    }
    Ok(out)
}

/// Every file below `dir`, as sorted `/`-separated paths relative to it.
fn walk(dir: &Path) -> Vec<String> {
    fn rec(root: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                rec(root, &path, out);
            } else if let Ok(rel) = path.strip_prefix(root) {
                let parts: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                out.push(parts.join("/"));
            }
        }
    }
    let mut out = Vec::new();
    rec(dir, dir, &mut out);
    out.sort();
    out
}

fn collect_markers(dir: &Path) -> Result<Vec<Key>, String> {
    let mut all = Vec::new();
    for rel in walk(dir) {
        let Some(prefix) = marker_prefix(&rel) else {
            continue;
        };
        let bytes = std::fs::read(dir.join(&rel)).map_err(|e| format!("{rel}: {e}"))?;
        let text = String::from_utf8_lossy(&bytes);
        all.extend(parse_markers(&rel, &text, prefix)?);
    }
    Ok(all)
}

// ---------------------------------------------------------------------------
// fixture.toml (a tiny subset of TOML, so the harness needs no toml crate)

#[derive(Debug, Default, PartialEq)]
struct FixtureConfig {
    args: Vec<String>,
    exit: Option<i32>,
    env: Vec<(String, String)>,
    severity: Vec<(String, String)>,
}

struct Cursor<'a> {
    s: &'a str,
    i: usize,
}

impl Cursor<'_> {
    fn ws(&mut self) {
        while let Some(c) = self.s[self.i..].chars().next() {
            if c.is_whitespace() {
                self.i += c.len_utf8();
            } else if c == '#' {
                self.i += self.s[self.i..].find('\n').unwrap_or(self.s.len() - self.i);
            } else {
                break;
            }
        }
    }
    fn peek(&self) -> Option<char> {
        self.s[self.i..].chars().next()
    }
    fn eat(&mut self, c: char) -> bool {
        self.ws();
        if self.peek() == Some(c) {
            self.i += c.len_utf8();
            true
        } else {
            false
        }
    }
    fn string(&mut self) -> Result<String, String> {
        self.ws();
        if !self.eat('"') {
            return Err(format!("expected a string at byte {}", self.i));
        }
        let mut out = String::new();
        let mut chars = self.s[self.i..].char_indices();
        while let Some((off, c)) = chars.next() {
            match c {
                '"' => {
                    self.i += off + 1;
                    return Ok(out);
                }
                '\\' => match chars.next() {
                    Some((_, 'n')) => out.push('\n'),
                    Some((_, 't')) => out.push('\t'),
                    Some((_, e)) => out.push(e),
                    None => break,
                },
                _ => out.push(c),
            }
        }
        Err("unterminated string".to_string())
    }
    fn key(&mut self) -> Result<String, String> {
        self.ws();
        if self.peek() == Some('"') {
            return self.string();
        }
        let start = self.i;
        while let Some(c) = self.peek() {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.' {
                self.i += 1;
            } else {
                break;
            }
        }
        if start == self.i {
            return Err(format!("expected a key at byte {}", self.i));
        }
        Ok(self.s[start..self.i].to_string())
    }
    fn string_array(&mut self) -> Result<Vec<String>, String> {
        if !self.eat('[') {
            return Err("expected `[`".to_string());
        }
        let mut out = Vec::new();
        loop {
            if self.eat(']') {
                return Ok(out);
            }
            out.push(self.string()?);
            if !self.eat(',') {
                return if self.eat(']') {
                    Ok(out)
                } else {
                    Err("expected `,` or `]`".to_string())
                };
            }
        }
    }
    fn string_table(&mut self) -> Result<Vec<(String, String)>, String> {
        if !self.eat('{') {
            return Err("expected `{`".to_string());
        }
        let mut out = Vec::new();
        loop {
            if self.eat('}') {
                return Ok(out);
            }
            let k = self.key()?;
            if !self.eat('=') {
                return Err(format!("expected `=` after `{k}`"));
            }
            out.push((k, self.string()?));
            if !self.eat(',') {
                return if self.eat('}') {
                    Ok(out)
                } else {
                    Err("expected `,` or `}`".to_string())
                };
            }
        }
    }
    fn int(&mut self) -> Result<i32, String> {
        self.ws();
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit() || c == '-') {
            self.i += 1;
        }
        self.s[start..self.i]
            .parse()
            .map_err(|_| format!("expected an integer at byte {start}"))
    }
}

fn parse_fixture_config(text: &str) -> Result<FixtureConfig, String> {
    let mut cfg = FixtureConfig::default();
    let mut c = Cursor { s: text, i: 0 };
    loop {
        c.ws();
        if c.peek().is_none() {
            return Ok(cfg);
        }
        let key = c.key()?;
        if !c.eat('=') {
            return Err(format!("expected `=` after `{key}`"));
        }
        match key.as_str() {
            "args" => cfg.args = c.string_array()?,
            "exit" => cfg.exit = Some(c.int()?),
            "env" => cfg.env = c.string_table()?,
            "severity" => cfg.severity = c.string_table()?,
            other => return Err(format!("unknown key `{other}` in fixture.toml")),
        }
    }
}

// ---------------------------------------------------------------------------
// Running a fixture

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn str_field<'a>(d: &'a serde_json::Value, k: &str) -> Option<&'a str> {
    d.get(k).and_then(|v| v.as_str())
}

/// A fixture's `fixture.toml`, or the defaults.
fn fixture_config(name: &str) -> FixtureConfig {
    match std::fs::read_to_string(fixtures_dir().join(name).join("fixture.toml")) {
        Ok(text) => {
            parse_fixture_config(&text).unwrap_or_else(|e| panic!("{name}/fixture.toml: {e}"))
        }
        Err(_) => FixtureConfig::default(),
    }
}

/// `layergate check --format json` plus `extra` in `dir`, with the fixture's
/// own arguments and environment, at [`NOW`].
fn check_json(dir: &Path, cfg: &FixtureConfig, extra: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_layergate"))
        .args(["check", "--format", "json"])
        .args(extra)
        .args(&cfg.args)
        .current_dir(dir)
        .env("LAYERGATE_NOW", NOW)
        .envs(cfg.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .output()
        .unwrap_or_else(|e| panic!("{}: cannot run layergate: {e}", dir.display()))
}

fn run_fixture(name: &str) {
    let dir = fixtures_dir().join(name);
    assert!(
        dir.is_dir(),
        "fixture directory {} is missing",
        dir.display()
    );
    let cfg = fixture_config(name);
    let expected = collect_markers(&dir).unwrap_or_else(|e| panic!("{name}: bad marker: {e}"));

    let output = check_json(&dir, &cfg, &["--no-cache"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let code = output.status.code();

    let json: serde_json::Value = match serde_json::from_str(&stdout) {
        Ok(v) => v,
        Err(e) => panic!(
            "fixture {name}: output is not JSON ({e}); exit {code:?}\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
        ),
    };
    let diags = json
        .get("diagnostics")
        .and_then(|d| d.as_array())
        .unwrap_or_else(|| panic!("fixture {name}: no `diagnostics` array in\n{stdout}"));

    let mut problems = Vec::new();
    if json.get("version").and_then(|v| v.as_u64()) != Some(1) {
        problems.push("`version` is not 1".to_string());
    }
    let mut actual = Vec::new();
    let mut messages: BTreeMap<Key, Vec<String>> = BTreeMap::new();
    let mut any_error = false;
    for d in diags {
        let (Some(file), Some(line), Some(rule), Some(severity)) = (
            str_field(d, "file"),
            d.get("line").and_then(|v| v.as_u64()),
            str_field(d, "rule"),
            str_field(d, "severity"),
        ) else {
            problems.push(format!("malformed diagnostic: {d}"));
            continue;
        };
        let Some(baselined) = d.get("baselined").and_then(|v| v.as_bool()) else {
            problems.push(format!("diagnostic without boolean `baselined`: {d}"));
            continue;
        };
        let key = Key {
            file: file.to_string(),
            line: line as u32,
            rule: rule.to_string(),
            baselined,
        };
        if baselined && severity != "hint" {
            problems.push(format!(
                "{key}: baselined but severity `{severity}`, not `hint`"
            ));
        }
        if !baselined {
            any_error |= severity == "error";
            if let Some((_, want)) = cfg.severity.iter().find(|(r, _)| r == rule) {
                if want != severity {
                    problems.push(format!("{key}: severity `{severity}`, expected `{want}`"));
                }
            }
        }
        let message = str_field(d, "message").unwrap_or("").to_string();
        messages
            .entry(key.clone())
            .or_default()
            .push(format!("[{severity}] {message}"));
        actual.push(key);
    }

    // the same check with every file parsed by tree-sitter (no import
    // scanner) reports exactly the same diagnostics
    let full = check_json(&dir, &cfg, &["--no-cache", "--no-scan"]);
    let full: serde_json::Value = serde_json::from_slice(&full.stdout).unwrap_or_default();
    if full.get("diagnostics") != json.get("diagnostics") {
        problems.push(format!(
            "--no-scan reports other diagnostics:\n{}",
            serde_json::to_string_pretty(&full["diagnostics"]).unwrap_or_default()
        ));
    }

    let (missing, unexpected) = diff(&expected, &actual);
    for k in &missing {
        problems.push(format!("missing:    {k}"));
    }
    for k in &unexpected {
        let msg = messages.get(k).map(|m| m.join(" | ")).unwrap_or_default();
        problems.push(format!("unexpected: {k}   {msg}"));
    }

    let want_exit = cfg.exit.unwrap_or(i32::from(any_error));
    if code != Some(want_exit) {
        problems.push(format!("exit status {code:?}, expected {want_exit}"));
    }

    if !problems.is_empty() {
        let mut report = format!("fixture `{name}` failed:\n");
        for p in &problems {
            let _ = writeln!(report, "  {p}");
        }
        if !stderr.trim().is_empty() {
            let _ = write!(report, "--- stderr\n{stderr}");
        }
        panic!("{report}");
    }
}

/// Multiset difference both ways: (expected but not reported, reported but not expected).
fn diff(expected: &[Key], actual: &[Key]) -> (Vec<Key>, Vec<Key>) {
    let mut counts: BTreeMap<&Key, i64> = BTreeMap::new();
    for k in expected {
        *counts.entry(k).or_default() += 1;
    }
    for k in actual {
        *counts.entry(k).or_default() -= 1;
    }
    let mut missing = Vec::new();
    let mut unexpected = Vec::new();
    for (k, n) in counts {
        for _ in 0..n.max(0) {
            missing.push(k.clone());
        }
        for _ in 0..(-n).max(0) {
            unexpected.push(k.clone());
        }
    }
    (missing, unexpected)
}

// ---------------------------------------------------------------------------
// The fixtures: one test each

macro_rules! fixtures {
    ($($test:ident => $dir:literal,)*) => {
        $(
            #[test]
            fn $test() {
                run_fixture($dir);
            }
        )*
        const ALL_FIXTURES: &[&str] = &[$($dir),*];
    };
}

fixtures! {
    ts_layers => "ts-layers",
    ts_layers_strict_siblings_allow => "ts-layers-strict-siblings-allow",
    ts_depends_on => "ts-depends-on",
    ts_visibility => "ts-visibility",
    ts_external => "ts-external",
    ts_public_api => "ts-public-api",
    ts_cycles => "ts-cycles",
    ts_deny => "ts-deny",
    ts_deny_transitive => "ts-deny-transitive",
    ts_boundary => "ts-boundary",
    ts_pattern => "ts-pattern",
    ts_suppressions => "ts-suppressions",
    ts_monorepo => "ts-monorepo",
    ts_reexports => "ts-reexports",
    ts_template_modules => "ts-template-modules",
    ts_unresolved_unassigned => "ts-unresolved-unassigned",
    ts_test_imports => "ts-test-imports",
    js_mixed => "js-mixed",
    rust_layers => "rust-layers",
    rust_workspace => "rust-workspace",
    rust_facade => "rust-facade",
    rust_proc_macro => "rust-proc-macro",
    rust_items => "rust-items",
    rust_boundary => "rust-boundary",
    rust_cycles_and_patterns => "rust-cycles-and-patterns",
    py_layers => "py-layers",
    py_roots => "py-roots",
    py_importlinter => "py-importlinter",
    py_tach => "py-tach",
    py_boundary => "py-boundary",
    baseline => "baseline",
    baseline_cli_flag => "baseline-cli-flag",
    config_warnings => "config-warnings",
    dead_rules => "dead-rules",
    dead_rules_rust => "dead-rules-rust",
    nested_configs => "nested-configs",
    allow_exceptions => "allow-exceptions",
    skipped => "skipped",
}

#[test]
fn every_fixture_directory_is_listed() {
    let mut on_disk: Vec<String> = std::fs::read_dir(fixtures_dir())
        .expect("tests/fixtures exists")
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = ALL_FIXTURES.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(
        on_disk, listed,
        "tests/fixtures directories vs the fixtures! list"
    );
}

#[test]
fn every_fixture_has_markers_that_parse() {
    for name in ALL_FIXTURES {
        let dir = fixtures_dir().join(name);
        assert!(
            dir.join("layergate.toml").is_file(),
            "{name} has no layergate.toml"
        );
        if let Err(e) = collect_markers(&dir) {
            panic!("{name}: {e}");
        }
        if let Ok(text) = std::fs::read_to_string(dir.join("fixture.toml")) {
            if let Err(e) = parse_fixture_config(&text) {
                panic!("{name}/fixture.toml: {e}");
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Tests of the harness itself

fn key(file: &str, line: u32, rule: &str, baselined: bool) -> Key {
    Key {
        file: file.to_string(),
        line,
        rule: rule.to_string(),
        baselined,
    }
}

#[test]
fn marker_at_end_of_line() {
    let text = "import a from './a';\nimport b from '../infra/b'; //~ layers\n";
    assert_eq!(
        parse_markers("src/x.ts", text, "//~").unwrap(),
        vec![key("src/x.ts", 2, "layers", false)]
    );
}

#[test]
fn several_rules_in_one_marker_and_repeats() {
    let text = "use crate::infra::{db::A, http::B}; //~ layers  layers depends-on\n";
    assert_eq!(
        parse_markers("src/lib.rs", text, "//~").unwrap(),
        vec![
            key("src/lib.rs", 1, "layers", false),
            key("src/lib.rs", 1, "layers", false),
            key("src/lib.rs", 1, "depends-on", false),
        ]
    );
}

#[test]
fn carets_point_up() {
    let text = "a\nb // layergate-ignore x\n//~^ suppression\nc\n//~^^^ no-eval\n";
    assert_eq!(
        parse_markers("f.ts", text, "//~").unwrap(),
        vec![
            key("f.ts", 2, "suppression", false),
            key("f.ts", 2, "no-eval", false)
        ]
    );
}

#[test]
fn baselined_suffix_and_note() {
    let text = "x //~ layers[baselined] domain-is-pure -- the second one is new\n";
    assert_eq!(
        parse_markers("f.ts", text, "//~").unwrap(),
        vec![
            key("f.ts", 1, "layers", true),
            key("f.ts", 1, "domain-is-pure", false)
        ]
    );
}

#[test]
fn toml_markers_use_hash() {
    let text = "[[allow]]  #~ suppression\npaths = [\n  \"src/none/**\",\n]\n#~^^ config\n";
    assert_eq!(
        parse_markers("layergate.toml", text, "#~").unwrap(),
        vec![
            key("layergate.toml", 1, "suppression", false),
            key("layergate.toml", 3, "config", false)
        ]
    );
}

#[test]
fn crlf_and_lossy_text() {
    let bytes = b"// caf\xe9 //~ skipped\r\nconst x = 1;\r\n";
    let text = String::from_utf8_lossy(bytes);
    assert_eq!(
        parse_markers("a.ts", &text, "//~").unwrap(),
        vec![key("a.ts", 1, "skipped", false)]
    );
}

#[test]
fn bad_markers_are_errors() {
    assert!(parse_markers("f.ts", "x //~\n", "//~").is_err());
    assert!(parse_markers("f.ts", "x //~ Layers\n", "//~").is_err());
    assert!(parse_markers("f.ts", "x //~layers\n", "//~").is_err());
    assert!(parse_markers("f.ts", "//~^ layers\n", "//~").is_err());
    assert!(parse_markers("f.ts", "x //~ layers[base]\n", "//~").is_err());
    assert_eq!(
        parse_markers("f.ts", "// ~ not a marker\nx // ~x\n", "//~"),
        Ok(vec![])
    );
}

#[test]
fn marker_prefix_by_file_kind() {
    assert_eq!(marker_prefix("src/a.tsx"), Some("//~"));
    assert_eq!(marker_prefix("crates/x/src/lib.rs"), Some("//~"));
    assert_eq!(marker_prefix("legacy/x.cjs"), Some("//~"));
    assert_eq!(marker_prefix("layergate.toml"), Some("#~"));
    assert_eq!(marker_prefix("crates/x/Cargo.toml"), Some("#~"));
    assert_eq!(marker_prefix("fixture.toml"), None);
    assert_eq!(marker_prefix("package.json"), None);
    assert_eq!(marker_prefix("README"), None);
}

#[test]
fn diff_is_a_multiset_difference() {
    let a = key("f.ts", 1, "layers", false);
    let b = key("f.ts", 2, "cycle", false);
    let c = key("f.ts", 2, "cycle", true);
    let (missing, unexpected) = diff(
        &[a.clone(), a.clone(), b.clone()],
        &[a.clone(), c.clone(), b],
    );
    assert_eq!(missing, vec![a]);
    assert_eq!(unexpected, vec![c]);
}

#[test]
fn fixture_config_subset_of_toml() {
    let text = r#"
# extra arguments
args = ["--baseline", "ci/old.json",]
exit = 1
env = { NO_COLOR = "1", "LAYERGATE_X" = "a \"b\"" }
severity = { no-ui-in-services = "warning" }
"#;
    assert_eq!(
        parse_fixture_config(text).unwrap(),
        FixtureConfig {
            args: vec!["--baseline".into(), "ci/old.json".into()],
            exit: Some(1),
            env: vec![
                ("NO_COLOR".into(), "1".into()),
                ("LAYERGATE_X".into(), "a \"b\"".into())
            ],
            severity: vec![("no-ui-in-services".into(), "warning".into())],
        }
    );
    assert_eq!(parse_fixture_config("").unwrap(), FixtureConfig::default());
    assert!(parse_fixture_config("argz = []").is_err());
    assert!(parse_fixture_config("args = [\"a\"").is_err());
    assert!(parse_fixture_config("exit = x").is_err());
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// The source files of a fixture copy, sorted (`.layergate/` left out).
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                if e.file_name() != ".layergate" {
                    stack.push(p);
                }
            } else if p
                .extension()
                .is_some_and(|x| matches!(x.to_str(), Some("ts" | "tsx" | "js" | "rs" | "py")))
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The diagnostics of `layergate check --format json` (plus `extra`) in a
/// fixture copy, with the fixture's own arguments and environment.
fn diagnostics_of(dir: &Path, cfg: &FixtureConfig, extra: &[&str]) -> serde_json::Value {
    let out = check_json(dir, cfg, extra);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: not JSON ({e}): {}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    json["diagnostics"].clone()
}

/// The facts cache and the check memo never change what a check reports: on
/// every fixture, a first check (filling both), a second (served by the
/// memo) and a check after files change (the memo and part of the facts
/// cache stale) equal `--no-cache`.
#[test]
fn the_caches_never_change_what_a_fixture_reports() {
    let mut changed_by_deletion = 0;
    for name in ALL_FIXTURES {
        let cfg = fixture_config(name);
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join(name);
        copy_dir(&fixtures_dir().join(name), &dir);
        let reference = diagnostics_of(&dir, &cfg, &["--no-cache"]);
        let first = diagnostics_of(&dir, &cfg, &[]);
        assert_eq!(first, reference, "{name}: first check with the caches");
        assert!(
            dir.join(".layergate/cache/check.bin").is_file(),
            "{name}: no check memo written"
        );
        let second = diagnostics_of(&dir, &cfg, &[]);
        assert_eq!(second, reference, "{name}: second check (memo)");

        // every source gains a line at its top: every later line moves
        let files = sources(&dir);
        for f in &files {
            let python = f.extension().is_some_and(|x| x == "py");
            let mut bytes = if python { "# moved\n" } else { "// moved\n" }
                .as_bytes()
                .to_vec();
            bytes.extend(std::fs::read(f).unwrap());
            std::fs::write(f, bytes).unwrap();
        }
        let moved = diagnostics_of(&dir, &cfg, &[]);
        assert_eq!(
            moved,
            diagnostics_of(&dir, &cfg, &["--no-cache"]),
            "{name}: after an edit"
        );

        // the first source file disappears
        std::fs::remove_file(&files[0]).unwrap();
        let fewer = diagnostics_of(&dir, &cfg, &["--no-cache"]);
        assert_eq!(
            diagnostics_of(&dir, &cfg, &[]),
            fewer,
            "{name}: after a deletion"
        );
        changed_by_deletion += usize::from(fewer != moved);
    }
    // the deletions must matter somewhere, or the last step tests nothing
    assert!(
        changed_by_deletion >= 10,
        "only {changed_by_deletion} fixtures changed"
    );
}
