//! Hostile workspaces: inputs built to break or stall the engine, generated
//! in temporary directories at test time (nothing large is committed). Each
//! test asserts the exact outcome; none asserts a duration (CI machines are
//! noisy) — the README states the observed times and the bounds.

use std::path::Path;
use std::sync::Arc;

use rules::analysis::{check_cold, files_per_module, Options, Outcome};
use rules::workspace::{read_content, Content, FileEntry, Workspace, MAX_FILE_SIZE};
use rules::Lang;
use rules::{Config, Severity};
use rules::{ConfinedFs, RealFs};

fn write(root: &Path, rel: &str, content: impl AsRef<[u8]>) {
    let path = root.join(rel);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("create dir");
    }
    std::fs::write(path, content).expect("write file");
}

/// Writes `layergate.toml`, loads the workspace from disk and checks it.
fn load(root: &Path, config: &str) -> (Workspace, Outcome) {
    load_with(root, config, true)
}

/// `scan`: whether TS/JS files may be read by the import scanner (`false`:
/// every file goes through tree-sitter).
fn load_with(root: &Path, config: &str, scan: bool) -> (Workspace, Outcome) {
    write(root, "layergate.toml", config);
    let start = std::time::Instant::now();
    let mut config = Config::load(&root.join("layergate.toml")).expect("config loads");
    config.scan = scan;
    // what the front ends use: reads confined to the repository
    let disk = ConfinedFs::around(&config.root);
    let ws = Workspace::load(Arc::new(config), Arc::new(disk));
    let loaded = start.elapsed();
    let outcome = check_cold(
        &ws,
        &Options {
            today: "2026-01-01".into(),
            baseline: None,
        },
    );
    // observed times, for the README (never asserted)
    eprintln!(
        "load {:?}, check {:?}, {} files",
        loaded,
        start.elapsed() - loaded,
        outcome.files
    );
    (ws, outcome)
}

/// (file, line, rule, message) of every diagnostic.
fn summary(outcome: &Outcome) -> Vec<(String, u32, String, String)> {
    outcome
        .diagnostics
        .iter()
        .map(|d| {
            (
                d.file.clone(),
                d.range.line,
                d.rule.to_string(),
                d.message.clone(),
            )
        })
        .collect()
}

fn diag(file: &str, line: u32, rule: &str, message: &str) -> (String, u32, String, String) {
    (file.into(), line, rule.into(), message.into())
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

#[test]
fn minified_bundle_of_20_mb_is_skipped_without_being_read() {
    let dir = tmp();
    let root = dir.path();
    // one line, 20,000,000 bytes of minified JavaScript
    let unit = "var a=function(b){return b+1};";
    let mut bundle = unit.repeat(20_000_000 / unit.len() + 1);
    bundle.truncate(20_000_000);
    write(root, "dist/bundle.js", &bundle);
    drop(bundle);
    write(root, "src/main.ts", "import '../dist/bundle.js';\n");

    // the size is checked on the metadata, before any read
    assert!(matches!(
        read_content(&root.join("dist/bundle.js")),
        Content::TooLarge(20_000_000)
    ));
    let (ws, outcome) = load(root, "");
    let bundle = &ws.files["dist/bundle.js"];
    assert_eq!(
        bundle.skipped.as_deref(),
        Some("20.0 MB is over the size limit of 2 MB")
    );
    assert_eq!((bundle.len, bundle.kept_text()), (0, None));
    assert_eq!(
        summary(&outcome),
        vec![diag(
            "dist/bundle.js",
            1,
            "skipped",
            "`dist/bundle.js` was not analysed: 20.0 MB is over the size limit of 2 MB"
        )]
    );
    assert_eq!(outcome.diagnostics[0].severity, Severity::Info);
    // the import of the skipped file still resolves (no `unresolved`)
    assert_eq!(outcome.files, 2);
}

#[test]
fn text_over_the_size_limit_is_skipped_even_when_given_in_memory() {
    let config = Config::parse(Path::new("/w/layergate.toml"), "").expect("config");
    let text = "x;".repeat(MAX_FILE_SIZE as usize / 2 + 1);
    let entry = FileEntry::analyse(&config, Lang::TypeScript, Content::Text(text));
    assert_eq!(
        entry.skipped.as_deref(),
        Some("2.1 MB is over the size limit of 2 MB")
    );
}

const DEPTH: usize = 100_000;

fn nested(open: &str, close: &str) -> String {
    format!("{}{}", open.repeat(DEPTH), close.repeat(DEPTH))
}

#[test]
fn hundred_thousand_nested_brackets_do_not_crash() {
    let dir = tmp();
    let root = dir.path();
    write(
        root,
        "src/array.ts",
        format!("export const x = {};\n", nested("[", "]")),
    );
    write(root, "src/parens.js", format!("f{};\n", nested("(", ")")));
    write(
        root,
        "src/object.ts",
        format!("const o = {};\n", nested("{a:", "}")),
    );
    write(root, "src/blocks.ts", nested("{", "}"));
    write(
        root,
        "src/lib.rs",
        format!("fn f() {{ let x = {}; }}\n", nested("(", ")")),
    );
    write(
        root,
        "src/blocks.rs",
        format!("fn f() {}\n", nested("{", "}")),
    );
    write(root, "src/unclosed.ts", "[".repeat(DEPTH));
    // the import scanner keeps its brackets on a heap stack too: same facts
    let (scanned, outcome) = load(root, "");
    assert_eq!(outcome.files, 7);
    assert_eq!(summary(&outcome), vec![]);
    // the tree-sitter path, which the scanner spares most files
    let (ws, outcome) = load_with(root, "", false);
    assert_eq!(outcome.files, 7);
    for (rel, e) in &ws.files {
        let s = &scanned.files[rel];
        assert_eq!(
            (&s.facts.imports, &s.facts.exports, s.skipped.as_deref()),
            (&e.facts.imports, &e.facts.exports, e.skipped.as_deref()),
            "{rel}"
        );
    }
    // every file is analysed (the parser and the extractors do not recurse
    // per nesting level: no stack overflow); the ones with a missing operand
    // or bracket have syntax errors
    let got: Vec<(&str, Option<&str>, bool)> = ws
        .files
        .iter()
        .map(|(rel, e)| {
            (
                rel.as_str(),
                e.skipped.as_deref(),
                e.facts.has_syntax_errors,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("src/array.ts", None, false),
            ("src/blocks.rs", None, false),
            ("src/blocks.ts", None, false),
            ("src/lib.rs", None, false),
            ("src/object.ts", None, true),
            ("src/parens.js", None, true),
            ("src/unclosed.ts", None, true),
        ]
    );
    assert_eq!(summary(&outcome), vec![]);
}

#[test]
fn non_utf8_and_binary_files_are_skipped() {
    let dir = tmp();
    let root = dir.path();
    // Latin-1 text: no NUL, not UTF-8
    write(
        root,
        "src/latin1.ts",
        b"export const caf\xe9 = '\xe9t\xe9';\n",
    );
    // a PNG header under a .ts name: NUL bytes, not UTF-8
    write(
        root,
        "src/image.ts",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10",
    );
    // valid UTF-8 with NUL bytes: still binary
    write(root, "src/nul.ts", b"export const a = 1;\x00\x00\x00\n");
    write(root, "src/ok.ts", "export const ok = 1;\n");
    let (_ws, outcome) = load(root, "");
    assert_eq!(
        summary(&outcome),
        vec![
            diag(
                "src/image.ts",
                1,
                "skipped",
                "`src/image.ts` was not analysed: binary file"
            ),
            diag(
                "src/latin1.ts",
                1,
                "skipped",
                "`src/latin1.ts` was not analysed: not valid UTF-8"
            ),
            diag(
                "src/nul.ts",
                1,
                "skipped",
                "`src/nul.ts` was not analysed: binary file"
            ),
        ]
    );
    assert_eq!(outcome.files, 4);
}

#[cfg(unix)]
#[test]
fn symlink_loops_terminate() {
    use std::os::unix::fs::symlink;
    let dir = tmp();
    let root = dir.path();
    write(root, "src/a.ts", "import './b';\n");
    write(root, "src/b.ts", "export {};\n");
    symlink("..", root.join("src/up")).expect("symlink");
    symlink(".", root.join("src/here")).expect("symlink");
    symlink("loop2.ts", root.join("src/loop1.ts")).expect("symlink");
    symlink("loop1.ts", root.join("src/loop2.ts")).expect("symlink");
    symlink(".", root.join("src/dir.ts")).expect("symlink");
    let (ws, outcome) = load(root, "");
    // symlinks that lead nowhere (a loop) are not walked; one to a directory
    // inside the workspace is, and cannot be read as a file
    assert_eq!(
        ws.files.keys().map(String::as_str).collect::<Vec<_>>(),
        ["src/a.ts", "src/b.ts", "src/dir.ts"]
    );
    let skipped: Vec<(String, String)> = outcome
        .diagnostics
        .iter()
        .map(|d| (d.file.clone(), d.rule.to_string()))
        .collect();
    assert_eq!(skipped, [("src/dir.ts".to_string(), "skipped".to_string())]);
    for d in &outcome.diagnostics {
        assert!(
            d.message.contains("was not analysed: unreadable: "),
            "{}",
            d.message
        );
    }
}

#[cfg(unix)]
#[test]
fn unreadable_file_is_skipped_or_read_when_root() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tmp();
    let root = dir.path();
    write(root, "src/secret.ts", "export const s = 1;\n");
    let path = root.join("src/secret.ts");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    // root (and CAP_DAC_OVERRIDE) reads it anyway: detect rather than assume
    let privileged = std::fs::read(&path).is_ok();
    let (ws, outcome) = load(root, "");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    if privileged {
        assert_eq!(ws.files["src/secret.ts"].skipped, None);
        assert_eq!(summary(&outcome), vec![]);
    } else {
        assert_eq!(
            ws.files["src/secret.ts"].skipped.as_deref(),
            Some("unreadable: Permission denied (os error 13)")
        );
        assert_eq!(
            summary(&outcome),
            vec![diag(
                "src/secret.ts",
                1,
                "skipped",
                "`src/secret.ts` was not analysed: unreadable: Permission denied (os error 13)"
            )]
        );
    }
}

#[test]
fn tsconfig_extends_cycle_is_a_config_warning() {
    let dir = tmp();
    let root = dir.path();
    write(
        root,
        "tsconfig.json",
        r#"{ "extends": "./tsconfig.base.json", "compilerOptions": { "paths": { "@x": ["./src/x.ts"] } } }"#,
    );
    write(
        root,
        "tsconfig.base.json",
        r#"{ "extends": "./tsconfig.json" }"#,
    );
    write(root, "src/x.ts", "export {};\n");
    write(root, "src/main.ts", "import '@x';\n");
    let (ws, outcome) = load(root, "");
    assert_eq!(
        summary(&outcome),
        vec![diag(
            "layergate.toml",
            1,
            "config",
            "tsconfig.base.json: tsconfig extends cycle: tsconfig.base.json -> tsconfig.json -> tsconfig.base.json"
        )]
    );
    assert_eq!(outcome.diagnostics[0].severity, Severity::Warning);
    // the paths of the config still apply
    assert_eq!(
        ws.files["src/main.ts"].resolved,
        vec![rules::resolve::Resolved::File("src/x.ts".into())]
    );
}

#[test]
fn malformed_cargo_toml_is_a_config_warning() {
    let dir = tmp();
    let root = dir.path();
    write(root, "crates/bad/Cargo.toml", "[package\nname = \"bad\"\n");
    write(root, "crates/bad/src/lib.rs", "pub fn f() {}\n");
    let (_ws, outcome) = load(root, "");
    assert_eq!(
        summary(&outcome),
        vec![diag(
            "layergate.toml",
            1,
            "config",
            "crates/bad/Cargo.toml: malformed Cargo.toml: unclosed table, expected `]`"
        )]
    );
    assert_eq!(outcome.diagnostics[0].severity, Severity::Warning);
}

const BAD_PACKAGE_JSON: &str = r#"{ "name": "web", "workspaces": ["packages/*"], }"#;

fn package_json_warning(outcome: &Outcome) {
    let got = summary(outcome);
    assert_eq!(got.len(), 1, "{got:#?}");
    assert_eq!(
        (got[0].0.as_str(), got[0].1, got[0].2.as_str()),
        ("layergate.toml", 1, "config")
    );
    assert!(
        got[0]
            .3
            .starts_with("package.json: malformed package.json: "),
        "{}",
        got[0].3
    );
    assert_eq!(outcome.diagnostics[0].severity, Severity::Warning);
}

#[test]
fn malformed_package_json_is_a_config_warning() {
    let dir = tmp();
    let root = dir.path();
    write(root, "package.json", BAD_PACKAGE_JSON);
    write(root, "src/main.ts", "import 'react';\n");
    let (_ws, outcome) = load(root, "");
    package_json_warning(&outcome);
}

/// FAILS today: the resolver reads the root package.json when it is built,
/// but `Workspace::from_entries` → `resolve_all` → `TsResolver::invalidate`
/// forgets that problem, and it is recorded again only if some import needs
/// the workspace's packages (a bare specifier). A workspace whose files have
/// no bare import therefore never hears about its malformed package.json.
#[test]
fn malformed_package_json_is_a_config_warning_without_bare_imports() {
    let dir = tmp();
    let root = dir.path();
    write(root, "package.json", BAD_PACKAGE_JSON);
    write(root, "src/main.ts", "import './b';\n");
    write(root, "src/b.ts", "export {};\n");
    let (_ws, outcome) = load(root, "");
    package_json_warning(&outcome);
}

/// Same as above for the tsconfig `extends` cycle, with only relative imports.
#[test]
fn tsconfig_extends_cycle_is_a_config_warning_without_bare_imports() {
    let dir = tmp();
    let root = dir.path();
    write(
        root,
        "tsconfig.json",
        r#"{ "extends": "./tsconfig.base.json" }"#,
    );
    write(
        root,
        "tsconfig.base.json",
        r#"{ "extends": "./tsconfig.json" }"#,
    );
    write(root, "src/main.ts", "import './b';\n");
    write(root, "src/b.ts", "export {};\n");
    let (_ws, outcome) = load(root, "");
    assert_eq!(
        summary(&outcome),
        vec![diag(
            "layergate.toml",
            1,
            "config",
            "tsconfig.base.json: tsconfig extends cycle: tsconfig.base.json -> tsconfig.json -> tsconfig.base.json"
        )]
    );
}

#[test]
fn fifty_thousand_files_in_one_folder() {
    let dir = tmp();
    let root = dir.path();
    let many = root.join("src/many");
    std::fs::create_dir_all(&many).expect("mkdir");
    for i in 0..50_000 {
        // empty files: no data blocks on disk
        std::fs::File::create(many.join(format!("f{i:05}.ts"))).expect("create");
    }
    write(
        root,
        "src/main.ts",
        "import './many/f49999';\nimport './many/f50000';\n",
    );
    let (ws, outcome) = load(
        root,
        "[[modules]]\nname = \"many\"\npaths = [\"src/many/**\"]\n",
    );
    assert_eq!(outcome.files, 50_001);
    assert_eq!(files_per_module(&ws)["many"].len(), 50_000);
    assert_eq!(
        summary(&outcome),
        vec![diag(
            "src/main.ts",
            2,
            "unresolved",
            &outcome.diagnostics[0].message
        )]
    );
    assert!(outcome.diagnostics[0].message.contains("./many/f50000"));
}

#[test]
fn globs_that_match_everything() {
    let dir = tmp();
    let root = dir.path();
    write(root, "a.ts", "export {};\n");
    write(root, "src/b.ts", "import '../a';\n");
    write(root, "src/deep/er/c.rs", "fn main() {}\n");
    write(root, "README.md", "not a source file\n");
    write(root, "node_modules/dep/index.js", "module.exports = 1;\n");
    write(root, "target/debug/build.rs", "fn main() {}\n");
    let (ws, outcome) = load(
        root,
        "[workspace]\ninclude = [\"**\"]\n\n[[modules]]\nname = \"all\"\npaths = [\"**\"]\n\n\
         [[deny]]\nid = \"all-to-all\"\nfrom = [\"**\"]\nto = [\"**/*.md\"]\n",
    );
    assert_eq!(
        files_per_module(&ws),
        [(
            "all".to_string(),
            vec![
                "a.ts".to_string(),
                "src/b.ts".to_string(),
                "src/deep/er/c.rs".to_string()
            ]
        )]
        .into_iter()
        .collect()
    );
    // `to = ["**/*.md"]` matches no file: a warning, nothing else
    let rules: Vec<&str> = outcome
        .diagnostics
        .iter()
        .map(|d| d.rule.as_str())
        .collect();
    assert_eq!(rules, ["config"], "{:#?}", summary(&outcome));
}

#[test]
fn exclude_everything_leaves_no_file() {
    let dir = tmp();
    let root = dir.path();
    write(root, "src/a.ts", "export {};\n");
    let (ws, outcome) = load(root, "[workspace]\nexclude = [\"**\"]\n");
    assert_eq!(ws.files.len(), 0);
    assert_eq!(outcome.files, 0);
}

#[test]
fn pattern_matching_every_node_is_bounded() {
    let dir = tmp();
    let root = dir.path();
    // about 1 MB and 600,000 named nodes
    let line = "const a = [1, 2, 3, 4, 5, 6, 7, 8, 9, x.y.z(1)];\n";
    let text = line.repeat(1_000_000 / line.len());
    assert!(text.len() as u64 <= MAX_FILE_SIZE);
    write(root, "src/big.ts", &text);
    let (ws, outcome) = load(
        root,
        "[[pattern]]\nid = \"every-node\"\nlanguage = \"typescript\"\nquery = '(_) @n'\nallow_in = []\n",
    );
    let hits = ws.files["src/big.ts"].pattern_hits.len();
    let reported = outcome
        .diagnostics
        .iter()
        .filter(|d| d.rule == "every-node")
        .count();
    assert_eq!(hits, 100_001);
    // reported up to the per-file cap, the rest counted
    let max = rules::analysis::MAX_DIAGNOSTICS_PER_FILE;
    assert_eq!(reported, max);
    assert_eq!(outcome.diagnostics.len(), max + 1);
    assert_eq!(
        outcome.diagnostics[max].message,
        format!(
            "{} more diagnostics in `src/big.ts` not reported: at most {max} per file",
            hits - max
        )
    );
}

#[test]
fn include_outside_the_workspace_is_refused() {
    for (config, glob) in [
        (
            "[workspace]\ninclude = [\"../../etc/**\"]\n",
            "../../etc/**",
        ),
        (
            "[workspace]\ninclude = [\"src/../../etc/**\"]\n",
            "src/../../etc/**",
        ),
        ("[workspace]\ninclude = [\"/etc/**\"]\n", "/etc/**"),
        ("[workspace]\nexclude = [\"../**\"]\n", "../**"),
        (
            "[[modules]]\nname = \"m\"\npaths = [\"../../etc/**\"]\n",
            "../../etc/**",
        ),
    ] {
        let problems = Config::parse(Path::new("/w/layergate.toml"), config).expect_err(config);
        assert_eq!(problems.len(), 1, "{problems:#?}");
        let p = &problems[0];
        assert_eq!(p.severity, Severity::Error);
        assert_eq!(
            p.message,
            format!("glob `{glob}` leaves the workspace: paths are relative to the directory of layergate.toml and may not contain `..` or start with `/`")
        );
        assert_eq!(
            &config[p.span.start as usize..p.span.end as usize],
            format!("\"{glob}\"")
        );
    }
    for config in [
        "[workspace]\ntsconfig = \"../tsconfig.json\"\n",
        "[workspace]\nbaseline = \"/tmp/baseline.json\"\n",
    ] {
        let problems = Config::parse(Path::new("/w/layergate.toml"), config).expect_err(config);
        assert!(
            problems[0].message.ends_with("leaves the workspace"),
            "{problems:#?}"
        );
    }
}

#[test]
fn include_outside_is_never_read() {
    // a sibling directory with sources next to the workspace: nothing of it
    // is walked, even when the include is refused and a valid config follows
    let dir = tmp();
    let outside = dir.path().join("outside");
    write(&outside, "secret.ts", "export const s = 1;\n");
    let root = dir.path().join("ws");
    write(&root, "src/a.ts", "export {};\n");
    write(
        &root,
        "layergate.toml",
        "[workspace]\ninclude = [\"../outside/**\"]\n",
    );
    assert!(Config::load(&root.join("layergate.toml")).is_err());
    let (ws, _) = load(&root, "[workspace]\ninclude = [\"**\"]\n");
    assert_eq!(ws.files.keys().collect::<Vec<_>>(), ["src/a.ts"]);
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_workspace_are_never_read() {
    use std::os::unix::fs::symlink;
    let outside = tmp();
    write(
        outside.path(),
        "secret.ts",
        "export const token = 'hunter2';\n",
    );
    let dir = tmp();
    let root = dir.path();
    write(root, "src/a.ts", "import { token } from './leak';\n");
    symlink(outside.path().join("secret.ts"), root.join("src/leak.ts")).expect("symlink");
    write(root, "src/inside.ts", "export {};\n");
    symlink(root.join("src/inside.ts"), root.join("src/alias.ts")).expect("symlink");
    let (ws, _) = load(root, "");
    assert_eq!(
        ws.files.keys().map(String::as_str).collect::<Vec<_>>(),
        ["src/a.ts", "src/alias.ts", "src/inside.ts"]
    );
}

// ---- Security: reads confined, bounded and never blocking ---------------

/// The configs' warnings (the `config` diagnostics' messages).
fn config_warnings(outcome: &Outcome) -> Vec<String> {
    outcome
        .diagnostics
        .iter()
        .filter(|d| d.rule == "config")
        .map(|d| d.message.clone())
        .collect()
}

const LAYERS: &str = "[[modules]]\nname = \"ui\"\npaths = [\"src/ui/**\"]\n\n[[modules]]\nname = \"db\"\npaths = [\"src/db/**\"]\n\n[layers]\norder = [\"ui\", \"db\"]\n";

#[cfg(unix)]
#[test]
fn ignore_files_that_are_devices_or_links_are_not_read() {
    use std::os::unix::fs::symlink;
    let dir = tmp();
    let root = dir.path();
    write(root, "src/ui/a.ts", "export const a = 1;\n");
    write(root, "src/db/q.ts", "import { a } from '../ui/a';\n");
    // read by the walker's own reader, these made it read /dev/zero forever
    symlink("/dev/zero", root.join(".gitignore")).expect("symlink");
    symlink("/dev/zero", root.join("src/.ignore")).expect("symlink");
    let c = std::ffi::CString::new(root.join("src/db/.gitignore").to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    // a symlinked ignore file inside the workspace is not read either (as git)
    write(root, "ignored-list", "*.ts\n");
    symlink("../../ignored-list", root.join("src/ui/.gitignore")).expect("symlink");
    let (_ws, outcome) = load(root, LAYERS);
    assert_eq!(
        summary(&outcome)
            .into_iter()
            .map(|d| (d.0, d.2))
            .collect::<Vec<_>>(),
        vec![("src/db/q.ts".to_string(), "layers".to_string())]
    );
    assert_eq!(outcome.files, 2);
}

#[cfg(unix)]
#[test]
fn a_fifo_in_place_of_a_source_file_or_the_baseline_does_not_block() {
    let dir = tmp();
    let root = dir.path();
    write(root, "src/ok.ts", "export const ok = 1;\n");
    std::fs::create_dir_all(root.join("src")).unwrap();
    for fifo in ["src/pipe.ts", "layergate-baseline.json"] {
        let c = std::ffi::CString::new(root.join(fifo).to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    }
    // a FIFO holds no code: it is not a file of the workspace
    let (ws, outcome) = load(root, "");
    assert_eq!(ws.files.keys().collect::<Vec<_>>(), ["src/ok.ts"]);
    assert_eq!(summary(&outcome), vec![]);
    // and read as a baseline it is refused at once
    let err = rules::Baseline::load(&root.join("layergate-baseline.json")).unwrap_err();
    assert!(err.ends_with("not a regular file"), "{err}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_file_whose_name_is_not_utf8_is_reported_skipped() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tmp();
    let root = dir.path();
    write(root, "src/ui/a.ts", "export const a = 1;\n");
    std::fs::create_dir_all(root.join("src/db")).unwrap();
    let name = std::ffi::OsStr::from_bytes(b"q\xff.ts");
    // the violation hidden in it used to pass unseen
    std::fs::write(
        root.join("src/db").join(name),
        "import { a } from '../ui/a';\n",
    )
    .unwrap();
    let (_ws, outcome) = load(root, LAYERS);
    assert_eq!(
        summary(&outcome),
        vec![diag(
            "src/db/q\u{fffd}.ts",
            1,
            "skipped",
            "`src/db/q\u{fffd}.ts` was not analysed: unreadable: its name is not valid UTF-8"
        )]
    );
}

#[test]
fn tsconfig_extends_outside_the_workspace_is_not_read() {
    let dir = tmp();
    let root = dir.path();
    let outside = tmp();
    write(
        outside.path(),
        "secret.json",
        "root:x:0:0:root:/root:/bin/bash\n",
    );
    let secret = outside.path().join("secret.json");
    write(
        root,
        "tsconfig.json",
        format!(r#"{{ "extends": "{}" }}"#, secret.display()),
    );
    write(root, "src/a.ts", "export {};\n");
    let (_ws, outcome) = load(root, "");
    let warnings = config_warnings(&outcome);
    assert_eq!(
        warnings,
        vec![format!(
            "tsconfig.json: tsconfig extends not found: {}",
            secret.display()
        )]
    );
    assert!(!warnings.iter().any(|w| w.contains("root:x")));
}

#[cfg(unix)]
#[test]
fn manifests_and_workspaces_outside_the_workspace_are_not_read() {
    use std::os::unix::fs::symlink;
    let parent = tmp();
    let root = parent.path().join("repo");
    std::fs::create_dir_all(root.join(".git")).unwrap();
    // a sibling of the repository, named by `workspaces: ["../*"]`
    write(parent.path(), "evil/package.json", r#"{ "name": "evil" }"#);
    write(parent.path(), "evil/index.ts", "export {};\n");
    write(
        parent.path(),
        "outside/Cargo.toml",
        "[package]\nname = \"leak\"\n",
    );
    write(&root, "package.json", r#"{ "workspaces": ["../*"] }"#);
    write(&root, "src/main.ts", "import 'evil';\n");
    std::fs::create_dir_all(root.join("crates/a/src")).unwrap();
    symlink(
        parent.path().join("outside/Cargo.toml"),
        root.join("crates/a/Cargo.toml"),
    )
    .unwrap();
    write(&root, "crates/a/src/lib.rs", "pub fn f() {}\n");
    let (ws, outcome) = load(&root, "");
    assert_eq!(
        ws.files["src/main.ts"].resolved,
        vec![rules::resolve::Resolved::External("evil".into())]
    );
    assert_eq!(
        config_warnings(&outcome),
        vec!["crates/a/Cargo.toml: Cargo.toml was not read: not UTF-8 text, over 4 MB, not a regular file, or a link that leads out of the workspace".to_string()]
    );
}

#[test]
fn a_tsconfig_extends_diamond_is_read_once_per_file() {
    let dir = tmp();
    let root = dir.path();
    // each level extends the next twice: 2^40 paths through 40 files
    for i in 0..40 {
        write(
            root,
            &format!("cfg/t{i}.json"),
            format!(r#"{{ "extends": ["./t{0}.json", "./t{0}.json"] }}"#, i + 1),
        );
    }
    write(
        root,
        "cfg/t40.json",
        r#"{ "compilerOptions": { "baseUrl": "..", "paths": { "@x": ["src/x.ts"] } } }"#,
    );
    write(root, "tsconfig.json", r#"{ "extends": "./cfg/t0.json" }"#);
    write(root, "src/x.ts", "export {};\n");
    write(root, "src/main.ts", "import '@x';\n");
    let (ws, outcome) = load(root, "");
    assert_eq!(config_warnings(&outcome), Vec::<String>::new());
    assert_eq!(
        ws.files["src/main.ts"].resolved,
        vec![rules::resolve::Resolved::File("src/x.ts".into())]
    );
}

#[cfg(unix)]
#[test]
fn workspaces_globs_do_not_walk_into_symlinked_folders() {
    use std::os::unix::fs::symlink;
    let dir = tmp();
    let root = dir.path();
    write(root, "package.json", r#"{ "workspaces": ["packages/**"] }"#);
    write(root, "packages/real/package.json", r#"{ "name": "real" }"#);
    write(root, "packages/real/index.ts", "export {};\n");
    // 25 links to `.`: walked into, 25^5 folders
    for i in 0..25 {
        symlink(".", root.join(format!("packages/l{i}"))).unwrap();
    }
    write(root, "src/main.ts", "import 'real';\n");
    let (ws, _outcome) = load(root, "");
    assert_eq!(
        ws.files["src/main.ts"].resolved,
        vec![rules::resolve::Resolved::File(
            "packages/real/index.ts".into()
        )]
    );
}

#[test]
fn inline_mods_nested_past_the_bound_skip_the_file() {
    let dir = tmp();
    let root = dir.path();
    let depth = 5_000;
    let mut text = String::new();
    for i in 0..depth {
        text.push_str(&format!("mod m{i} {{ "));
    }
    text.push_str(&"}".repeat(depth));
    write(root, "src/lib.rs", &text);
    write(root, "src/ok.rs", "pub fn f() {}\n");
    let (_ws, outcome) = load(root, "");
    assert_eq!(
        summary(&outcome),
        vec![diag(
            "src/lib.rs",
            1,
            "skipped",
            &format!(
                "`src/lib.rs` was not analysed: `mod` blocks nested more than {} deep",
                rules::facts::MAX_MOD_NESTING
            )
        )]
    );
}

#[test]
fn a_path_attribute_chain_stops_at_the_module_depth_bound() {
    let dir = tmp();
    let root = dir.path();
    let n = 2_000;
    write(root, "src/lib.rs", "#[path = \"f0.rs\"]\nmod m;\n");
    for i in 0..n {
        write(
            root,
            &format!("src/f{i}.rs"),
            format!("#[path = \"f{}.rs\"]\nmod m;\n", i + 1),
        );
    }
    write(root, &format!("src/f{n}.rs"), "pub fn f() {}\n");
    let (_ws, outcome) = load(root, "");
    let warnings = config_warnings(&outcome);
    assert!(!warnings.is_empty());
    assert!(
        warnings
            .iter()
            .all(|w| w.ends_with("`mod m` is nested more than 256 modules deep: not followed")),
        "{warnings:?}"
    );
}

#[test]
fn diagnostics_are_capped_per_file_and_the_cut_is_counted() {
    let dir = tmp();
    let root = dir.path();
    write(root, "src/app/a.ts", "eval('1');\n".repeat(5_000));
    write(root, "src/app/b.ts", "export const b = 1;\n");
    let config = "[[modules]]\nname = \"app\"\npaths = [\"src/app/**\"]\n\n[[boundary]]\nid = \"no-eval\"\napis = [\"global:eval\"]\nallow_in = []\nmessage = \"never eval\"\n";
    let (_ws, outcome) = load(root, config);
    let max = rules::analysis::MAX_DIAGNOSTICS_PER_FILE;
    assert_eq!(outcome.diagnostics.len(), max + 1);
    assert!(outcome.diagnostics[..max]
        .iter()
        .all(|d| d.rule == "no-eval" && d.severity == Severity::Error));
    let last = &outcome.diagnostics[max];
    assert_eq!(
        (
            last.rule.as_str(),
            last.range.line,
            last.severity,
            last.message.as_str()
        ),
        (
            "skipped",
            max as u32 + 1,
            // as loud as what it stands for: the exit status does not drop
            Severity::Error,
            "4000 more diagnostics in `src/app/a.ts` not reported: at most 1000 per file"
        )
    );
}

#[test]
fn a_query_that_explodes_is_bounded_and_stops_at_its_budget() {
    let dir = tmp();
    let root = dir.path();
    // about 5 KB of statements: sibling wildcards make the query
    // combinatorial (it ran for minutes); the match limit keeps it linear
    let text = "f(1);\n".repeat(800);
    write(root, "src/a.ts", &text);
    let config = "[[pattern]]\nid = \"siblings\"\nlanguage = \"typescript\"\nquery = '(program (_) @a (_) @b (_) @c (_) @d (_) @e)'\nallow_in = []\n";
    let (ws, _outcome) = load(root, config);
    let is_mark =
        |h: &&rules::workspace::PatternHit| h.text.starts_with(rules::workspace::QUERY_BUDGET_MARK);
    assert!(!ws.files["src/a.ts"]
        .pattern_hits
        .iter()
        .any(|h| is_mark(&h)));
    // with a small budget it stops, and says so
    let tree = rules::workspace::parse(Lang::TypeScript, &text, None).unwrap();
    let hits =
        rules::workspace::pattern_hits_within(&ws.config, Lang::TypeScript, &tree, &text, 100);
    let marks: Vec<_> = hits.iter().filter(is_mark).collect();
    assert_eq!(marks.len(), 1);
    let mut files = std::collections::BTreeMap::new();
    let mut entry = rules::workspace::FileEntry::analyse(
        &ws.config,
        Lang::TypeScript,
        Content::Text(text.clone()),
    );
    entry.pattern_hits = hits;
    files.insert("src/a.ts".to_string(), entry);
    let small = Workspace::from_entries(ws.config.clone(), Arc::new(RealFs), files);
    let outcome = check_cold(
        &small,
        &Options {
            today: "2026-01-01".into(),
            baseline: None,
        },
    );
    let skipped: Vec<&str> = outcome
        .diagnostics
        .iter()
        .filter(|d| d.rule == "skipped")
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert!(
        skipped[0].starts_with(
            "`[[pattern]]` `siblings` was not fully checked in `src/a.ts`: its query stopped after 10000 steps (its budget per file), near byte "
        ),
        "{}",
        skipped[0]
    );
}

#[test]
fn a_long_cycle_is_named_by_its_ends_in_each_diagnostic() {
    let dir = tmp();
    let root = dir.path();
    // 2,000 template modules in one ring (each folder imports the next)
    let n = 2_000;
    for i in 0..n {
        write(
            root,
            &format!("src/m{i}/index.ts"),
            format!("import '../m{}/index';\n", (i + 1) % n),
        );
    }
    let config = "[[modules]]\nname = \"m-{1}\"\npaths = [\"src/*/**\"]\n\n[checks]\nfile_cycles = \"error\"\n";
    let (_ws, outcome) = load(root, config);
    let cycles: Vec<&rules::Diagnostic> = outcome
        .diagnostics
        .iter()
        .filter(|d| d.rule == "cycle")
        .collect();
    let file_cycles = outcome
        .diagnostics
        .iter()
        .filter(|d| d.rule == "file-cycle")
        .count();
    assert_eq!((cycles.len(), file_cycles), (n, n));
    // every message is short: the ring is named by its ends
    let longest = outcome
        .diagnostics
        .iter()
        .map(|d| d.message.len())
        .max()
        .unwrap();
    assert!(longest < 600, "{longest}");
    let first = cycles.iter().find(|d| d.file == "src/m0/index.ts").unwrap();
    assert_eq!(
        first.message,
        format!(
            "`src/m0/index.ts` in module `m-m0` imports `src/m1/index.ts` in module `m-m1`, closing the module cycle `m-m0` → `m-m1` → `m-m2` → `m-m3` → `m-m4` → `m-m5` → `m-m6` → `m-m7` → … ({} more) … → `m-m1998` → `m-m1999` → `m-m0`",
            n + 1 - 11
        )
    );
}

#[test]
fn fifty_thousand_modules_that_name_each_other_load_in_linear_time() {
    let dir = tmp();
    let root = dir.path();
    let n = 50_000;
    let mut config = String::new();
    for i in 0..n {
        config.push_str(&format!(
            "[[modules]]\nname = \"m{i}\"\npaths = [\"src/m{i}/**\"]\ndepends_on = [\"m{}\"]\n\n",
            (i + 1) % n
        ));
    }
    // was quadratic: every name compared with every other, every reference
    // looked up in a list
    write(root, "src/m1/a.ts", "import '../m2/b';\n");
    write(root, "src/m2/b.ts", "import '../m1/a';\n");
    let (_ws, outcome) = load(root, &config);
    let rules: Vec<&str> = outcome
        .diagnostics
        .iter()
        .filter(|d| d.rule != "config")
        .map(|d| d.rule.as_str())
        .collect();
    // 49,998 modules match no file: the config's warnings are capped and
    // counted; m2 may not import m1 (it depends on m3 only); the two close a cycle
    assert_eq!(rules, ["skipped", "cycle", "cycle", "depends-on"]);
    let max = rules::analysis::MAX_DIAGNOSTICS_PER_FILE;
    assert_eq!(
        outcome
            .diagnostics
            .iter()
            .filter(|d| d.rule == "config")
            .count(),
        max
    );
    assert!(outcome.diagnostics.iter().any(|d| d.message
        == format!(
            "{} more diagnostics in `layergate.toml` not reported: at most {max} per file",
            n - 2 - max
        )));
}
