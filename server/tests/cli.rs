//! `layergate check` on bad input and the CLI's contracts: exit statuses,
//! messages, `--stdin-filename`, baselines. Each test builds a small
//! workspace in a temporary directory and runs the real binary.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn write(root: &Path, files: &[(&str, &str)]) {
    for (rel, text) in files {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

fn layergate(dir: &Path, args: &[&str]) -> Output {
    layergate_on(dir, args, "2026-06-01")
}

/// [`layergate`] with `LAYERGATE_NOW` set to `today`.
fn layergate_on(dir: &Path, args: &[&str], today: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_layergate"))
        .args(args)
        .current_dir(dir)
        .env("LAYERGATE_NOW", today)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// `layergate check --format json --stdin-filename <path>` in `dir`, with
/// `content` on standard input.
fn check_stdin(dir: &Path, path: &str, content: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_layergate"))
        .args(["check", "--format", "json", "--stdin-filename", path])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // the binary may refuse the path and exit before it reads stdin: a
    // broken pipe here is its answer, not a failure of the test
    if let Err(e) = child.stdin.take().unwrap().write_all(content.as_bytes()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    child.wait_with_output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&o.stdout)))
}

fn rules_of(v: &serde_json::Value) -> Vec<(String, String, u64)> {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["file"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

const LAYERED: &str = r#"
[[modules]]
name = "app"
paths = ["src/app/**"]

[[modules]]
name = "domain"
paths = ["src/domain/**"]

[layers]
order = ["app", "domain"]
"#;

fn layered(root: &Path) {
    write(
        root,
        &[
            ("layergate.toml", LAYERED),
            (
                "src/app/main.ts",
                "import { User } from '../domain/user';\nexport const u: User = { name: 'a' };\n",
            ),
            (
                "src/domain/user.ts",
                "export interface User { name: string }\n",
            ),
        ],
    );
}

#[test]
fn malformed_toml_exits_2_with_position() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        &[("layergate.toml", "[[modules]\nname = 1\n"), ("a.ts", "")],
    );
    let o = layergate(t.path(), &["check"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("layergate.toml:1:"), "{e}");
    assert!(o.stdout.is_empty());
}

#[test]
fn unknown_key_and_unknown_module_suggest_the_right_name() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        &[(
            "layergate.toml",
            "[[modules]]\nname = \"domain\"\npaths = [\"src/**\"]\ndepend_on = [\"x\"]\n",
        )],
    );
    let o = layergate(t.path(), &["check"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("layergate.toml:4:1: error: unknown field `depend_on`"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("did you mean `depends_on`?"),
        "{}",
        stderr(&o)
    );

    write(t.path(), &[("layergate.toml", "[[modules]]\nname = \"domain\"\npaths = [\"src/**\"]\n[layers]\norder = [\"domian\"]\n")]);
    let o = layergate(t.path(), &["check"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains(
            "layergate.toml:5:10: error: unknown module `domian`; did you mean `domain`?"
        ),
        "{}",
        stderr(&o)
    );
}

#[test]
fn query_that_does_not_compile_is_a_config_error() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        &[(
            "layergate.toml",
            "[[pattern]]\nid = \"p\"\nlanguage = \"rust\"\nquery = \"(no_such_node) @x\"\n",
        )],
    );
    let o = layergate(t.path(), &["check"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o)
            .contains("layergate.toml:4:9: error: the query does not compile for the rust grammar"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn include_outside_the_workspace_is_refused() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        &[(
            "layergate.toml",
            "[workspace]\ninclude = [\"../../etc/**\"]\n",
        )],
    );
    let o = layergate(t.path(), &["check"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("leaves the workspace"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn no_config_is_a_usage_error() {
    let t = tempfile::tempdir().unwrap();
    let o = layergate(t.path(), &["check"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no layergate.toml found"),
        "{}",
        stderr(&o)
    );
    let o = layergate(t.path(), &["check", "--format", "yaml"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn violations_exit_1_and_json_is_sorted() {
    let t = tempfile::tempdir().unwrap();
    layered(t.path());
    write(
        t.path(),
        &[(
            "src/domain/user.ts",
            "import { x } from '../app/main';\nexport interface User { name: string }\n",
        )],
    );
    let o = layergate(t.path(), &["check", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert_eq!(
        rules_of(&v),
        [
            ("cycle".to_string(), "src/app/main.ts".to_string(), 1),
            ("cycle".to_string(), "src/domain/user.ts".to_string(), 1),
            ("layers".to_string(), "src/domain/user.ts".to_string(), 1),
        ]
    );
    assert_eq!(v["summary"]["errors"], 3);
    assert_eq!(v["summary"]["files"], 2);
}

#[test]
fn paths_limit_what_is_reported_but_not_what_resolves() {
    let t = tempfile::tempdir().unwrap();
    layered(t.path());
    write(
        t.path(),
        &[(
            "src/domain/user.ts",
            "import { x } from '../app/main';\nexport interface User { name: string }\n",
        )],
    );
    let o = layergate(t.path(), &["check", "--format", "json", "src/domain"]);
    assert_eq!(o.status.code(), Some(1));
    let files: Vec<String> = rules_of(&json(&o)).into_iter().map(|r| r.1).collect();
    assert_eq!(files, ["src/domain/user.ts", "src/domain/user.ts"]);
}

#[test]
fn skipped_files_non_utf8_binary_and_huge() {
    let t = tempfile::tempdir().unwrap();
    layered(t.path());
    std::fs::write(
        t.path().join("src/app/latin1.ts"),
        b"export const s = '\xe9t\xe9';\n",
    )
    .unwrap();
    std::fs::write(t.path().join("src/app/blob.ts"), b"\x00\x01\x02binary").unwrap();
    let big = "export const x = 1;\n".repeat(150_000); // 3 MB
    std::fs::write(t.path().join("src/app/bundle.js"), big).unwrap();
    let o = layergate(t.path(), &["check", "--format", "json"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let v = json(&o);
    let skipped: Vec<(String, String)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(skipped.len(), 3, "{skipped:?}");
    assert!(
        skipped[0].0 == "src/app/blob.ts" && skipped[0].1.contains("binary"),
        "{skipped:?}"
    );
    assert!(
        skipped[1].0 == "src/app/bundle.js" && skipped[1].1.contains("size limit"),
        "{skipped:?}"
    );
    assert!(
        skipped[2].0 == "src/app/latin1.ts" && skipped[2].1.contains("UTF-8"),
        "{skipped:?}"
    );
    assert!(v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["severity"] == "info" && d["rule"] == "skipped"));
}

#[cfg(unix)]
#[test]
fn symlink_loops_do_not_hang() {
    let t = tempfile::tempdir().unwrap();
    layered(t.path());
    std::os::unix::fs::symlink(t.path().join("src"), t.path().join("src/app/loop")).unwrap();
    std::os::unix::fs::symlink("self", t.path().join("src/app/self")).unwrap();
    let o = layergate(t.path(), &["check", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(json(&o)["summary"]["files"], 2);
}

#[test]
fn stdin_filename_checks_a_proposed_change() {
    let t = tempfile::tempdir().unwrap();
    layered(t.path());
    let o = check_stdin(
        t.path(),
        "src/domain/new.ts",
        "import { u } from '../app/main';\n",
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // app already imports domain, so the new import also closes a module cycle
    assert_eq!(
        rules_of(&json(&o)),
        [
            ("cycle".to_string(), "src/domain/new.ts".to_string(), 1),
            ("layers".to_string(), "src/domain/new.ts".to_string(), 1)
        ]
    );
    assert!(
        !t.path().join("src/domain/new.ts").exists(),
        "stdin content must not be written"
    );
}

/// What `check` would not walk (git-ignored, node_modules) is not checked from
/// standard input either, as the MCP tool `check_content` does.
#[test]
fn stdin_filename_outside_the_checked_files_reports_nothing() {
    let t = tempfile::tempdir().unwrap();
    layered(t.path());
    write(t.path(), &[(".gitignore", "src/domain/gen/\n")]);
    for path in ["src/domain/gen/new.ts", "node_modules/pkg/new.ts"] {
        let o = check_stdin(t.path(), path, "import { u } from '../app/main';\n");
        assert_eq!(o.status.code(), Some(0), "{path}: {}", stderr(&o));
        assert_eq!(json(&o)["diagnostics"], serde_json::json!([]), "{path}");
        assert!(
            stderr(&o).contains(&format!("{path} is not checked")),
            "{path}: {}",
            stderr(&o)
        );
    }
}

#[test]
fn baseline_write_check_and_prune() {
    let t = tempfile::tempdir().unwrap();
    layered(t.path());
    write(
        t.path(),
        &[("src/domain/user.ts", "import { a } from '../app/main';\nimport { b } from '../app/main';\nexport interface User { name: string }\n")],
    );
    write(
        t.path(),
        &[(
            "layergate.toml",
            &format!("{LAYERED}\n[checks]\ncycles = \"off\"\n"),
        )],
    );
    let o = layergate(t.path(), &["check", "--write-baseline"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(t.path().join("layergate-baseline.json")).unwrap();
    let b: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(b["entries"][0]["count"], 2);
    assert_eq!(b["entries"][0]["target"], "src/app/main.ts");

    // known violations are hints and do not fail
    let o = layergate(t.path(), &["check", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let v = json(&o);
    assert!(v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["baselined"] == true && d["severity"] == "hint"));

    // one more occurrence fails, and only the third is new
    write(
        t.path(),
        &[(
            "src/domain/user.ts",
            "import { a } from '../app/main';\nimport { b } from '../app/main';\nimport { c } from '../app/main';\nexport interface User { name: string }\n",
        )],
    );
    let o = layergate(t.path(), &["check", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let fresh: Vec<u64> = json(&o)["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["baselined"] == false)
        .map(|d| d["line"].as_u64().unwrap())
        .collect();
    assert_eq!(fresh, [3]);

    // fix all but one: prune shrinks the count, never grows it
    write(
        t.path(),
        &[(
            "src/domain/user.ts",
            "import { a } from '../app/main';\nexport interface User { name: string }\n",
        )],
    );
    let o = layergate(t.path(), &["baseline", "prune"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let b: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(t.path().join("layergate-baseline.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(b["entries"][0]["count"], 1);
    let leftovers: Vec<_> = std::fs::read_dir(t.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

/// Facts the import scanner read (no global API uses) are cached; a config
/// that later names a global must not be served them for a file whose text
/// mentions it.
#[test]
fn scanned_facts_in_the_cache_are_not_used_for_a_new_global_rule() {
    let t = tempfile::tempdir().unwrap();
    layered(t.path());
    write(
        t.path(),
        &[(
            "src/domain/user.ts",
            "export interface User { name: string }\nexport const home = process.env.HOME;\n",
        )],
    );
    let first = layergate(t.path(), &["check", "--format", "json"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert!(t.path().join(".layergate/cache/facts.bin").exists());

    let config = format!(
        "{LAYERED}\n[[boundary]]\nid = \"env\"\napis = [\"global:process.env\"]\nallow_in = [\"app\"]\n"
    );
    write(t.path(), &[("layergate.toml", &config)]);
    let warm = layergate(t.path(), &["check", "--format", "json"]);
    let cold = layergate(t.path(), &["check", "--format", "json", "--no-cache"]);
    assert_eq!(rules_of(&json(&warm)), rules_of(&json(&cold)));
    assert_eq!(
        rules_of(&json(&warm)),
        [("env".to_string(), "src/domain/user.ts".to_string(), 2)]
    );
}

/// Each input of a check besides the sources (today's date, the config, the
/// baseline, ignore files, manifests) invalidates the check memo: after each
/// change the check equals `--no-cache`, and differs from the one before.
#[test]
fn the_check_memo_is_never_served_stale() {
    let t = tempfile::tempdir().unwrap();
    layered(t.path());
    write(
        t.path(),
        &[(
            "src/domain/user.ts",
            "// layergate-ignore layers until 2026-06-01: moving it this month\nimport { u } from '../app/main';\nexport interface User { name: string }\n",
        )],
    );
    let run = |now: &str, extra: &[&str]| {
        let args = [&["check", "--format", "json"][..], extra].concat();
        json(&layergate_on(t.path(), &args, now))["diagnostics"].clone()
    };
    let mut before = run("2026-06-01", &[]);
    assert_eq!(run("2026-06-01", &[]), before, "memo hit");
    assert!(t.path().join(".layergate/cache/check.bin").is_file());
    let mut step = |what: &str, now: &str| {
        let warm = run(now, &[]);
        assert_eq!(warm, run(now, &["--no-cache"]), "after {what}");
        assert_ne!(
            warm, before,
            "{what} changed nothing: the step tests nothing"
        );
        before = warm;
    };

    // the suppression expires
    step("a day passing", "2026-06-02");
    // a rule is loosened: no layers at all
    write(
        t.path(),
        &[(
            "layergate.toml",
            &LAYERED.replace("[layers]\norder = [\"app\", \"domain\"]", ""),
        )],
    );
    step("a config change", "2026-06-02");
    write(t.path(), &[("layergate.toml", LAYERED)]);
    step("the config changing back", "2026-06-02");
    // the violation goes into the baseline
    let o = layergate(t.path(), &["check", "--write-baseline"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    step("a new baseline", "2026-06-02");
    std::fs::remove_file(t.path().join("layergate-baseline.json")).unwrap();
    step("the baseline's removal", "2026-06-02");
    // an ignore file takes the violating file out of the walk
    write(t.path(), &[(".gitignore", "src/domain/user.ts\n")]);
    step("a new .gitignore", "2026-06-02");
    std::fs::remove_file(t.path().join(".gitignore")).unwrap();
    step("the .gitignore's removal", "2026-06-02");
    // a tsconfig alias the import uses appears
    write(
        t.path(),
        &[(
            "src/domain/user.ts",
            "import { u } from '@app/main';\nexport interface User { name: string }\n",
        )],
    );
    step("an import through a missing alias", "2026-06-02");
    write(
        t.path(),
        &[(
            "tsconfig.json",
            r#"{ "compilerOptions": { "paths": { "@app/*": ["src/app/*"] } } }"#,
        )],
    );
    step("a new tsconfig.json", "2026-06-02");
}

#[test]
fn facts_cache_is_reused_refreshed_and_never_trusted_when_corrupt() {
    let t = tempfile::tempdir().unwrap();
    layered(t.path());
    let cache = t.path().join(".layergate/cache/facts.bin");
    let o = layergate(t.path(), &["check", "--format", "json", "--no-cache"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(!cache.exists(), "--no-cache writes no cache");

    let first = layergate(t.path(), &["check", "--format", "json"]);
    assert!(cache.exists());
    assert_eq!(
        std::fs::read_to_string(t.path().join(".layergate/.gitignore"))
            .unwrap()
            .lines()
            .last(),
        Some("*")
    );
    let warm = layergate(t.path(), &["check", "--format", "json"]);
    assert_eq!(rules_of(&json(&first)), rules_of(&json(&warm)));

    // an edit is seen, not served stale from the cache
    write(
        t.path(),
        &[(
            "src/domain/user.ts",
            "import { x } from '../app/main';\nexport interface User { name: string }\n",
        )],
    );
    let edited = layergate(t.path(), &["check", "--format", "json"]);
    assert_eq!(edited.status.code(), Some(1));
    assert!(rules_of(&json(&edited)).iter().any(|r| r.0 == "layers"));

    // a corrupt cache (facts and check memo) is ignored and replaced
    let memo = t.path().join(".layergate/cache/check.bin");
    assert!(memo.is_file());
    std::fs::write(&cache, b"LGFACTS\0 garbage").unwrap();
    std::fs::write(&memo, b"LGMEMO\0\0 garbage").unwrap();
    let after = layergate(t.path(), &["check", "--format", "json"]);
    assert_eq!(rules_of(&json(&edited)), rules_of(&json(&after)));
    assert!(std::fs::read(&cache).unwrap().len() > 100);
    assert!(std::fs::read(&memo).unwrap().len() > 100);
}

#[test]
fn select_reports_only_the_named_rules_and_refuses_unknown_ones() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        &[
            (
                "layergate.toml",
                "[[modules]]\nname = \"app\"\npaths = [\"src/app/**\"]\n\n[[modules]]\nname = \"domain\"\npaths = [\"src/domain/**\"]\ndepends_on = []\n\n[layers]\norder = [\"app\", \"domain\"]\n\n[[boundary]]\nid = \"no-env\"\napis = [\"global:process.env\"]\nallow_in = []\n",
            ),
            ("src/app/a.ts", "export const a = 1;\n"),
            (
                "src/domain/d.ts",
                "import { a } from '../app/a';\nexport const d = a + Number(process.env.X);\n",
            ),
        ],
    );
    let rules_of = |o: &Output| -> Vec<String> {
        json(o)["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .map(|d| d["rule"].as_str().unwrap_or("").to_string())
            .collect()
    };
    let all = layergate(t.path(), &["check", "--no-cache", "--format", "json"]);
    let mut every = rules_of(&all);
    every.sort();
    every.dedup();
    assert!(
        every.len() >= 2 && every.contains(&"no-env".to_string()),
        "{every:?}"
    );

    let only = layergate(
        t.path(),
        &[
            "check",
            "--no-cache",
            "--format",
            "json",
            "--select",
            "no-env",
        ],
    );
    assert_eq!(only.status.code(), Some(1), "{}", stderr(&only));
    assert_eq!(rules_of(&only), ["no-env"]);

    let two = layergate(
        t.path(),
        &[
            "check",
            "--no-cache",
            "--format",
            "json",
            "--select=layers,no-env",
        ],
    );
    assert_eq!(
        rules_of(&two).len(),
        rules_of(&all).len()
            - rules_of(&all)
                .iter()
                .filter(|r| *r != "layers" && *r != "no-env")
                .count()
    );

    // a rule that exists but does not fire: nothing reported, exit 0
    let none = layergate(t.path(), &["check", "--no-cache", "--select", "policy"]);
    assert_eq!(none.status.code(), Some(0), "{}", stderr(&none));

    let typo = layergate(t.path(), &["check", "--select", "layrs"]);
    assert_eq!(typo.status.code(), Some(2));
    assert!(
        stderr(&typo).contains("--select: no rule `layrs`; did you mean `layers`?"),
        "{}",
        stderr(&typo)
    );
}

/// `layergate check --format json` on a machine whose cache directory is
/// `cache_home` (its cache key lives there).
fn check_on_machine(dir: &Path, cache_home: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_layergate"))
        .args(["check", "--format", "json"])
        .current_dir(dir)
        .env("LAYERGATE_NOW", "2026-06-01")
        .env("XDG_CACHE_HOME", cache_home)
        .env("HOME", cache_home)
        .output()
        .unwrap()
}

#[test]
fn a_forged_cache_from_another_machine_does_not_hide_a_violation() {
    use rules::cache::{content_hash, patterns_key, CachedFile, FactCache};
    use std::sync::Arc;
    let t = tempfile::tempdir().unwrap();
    let ws = t.path().join("ws");
    let violating = "import { a } from '../app/a';\nexport const d = a;\n";
    write(
        &ws,
        &[
            (
                "layergate.toml",
                "[[modules]]\nname = \"app\"\npaths = [\"src/app/**\"]\n\n[[modules]]\nname = \"domain\"\npaths = [\"src/domain/**\"]\n\n[layers]\norder = [\"app\", \"domain\"]\n",
            ),
            ("src/app/a.ts", "export const a = 1;\n"),
            ("src/domain/d.ts", violating),
        ],
    );
    // what a pull request commits: the facts of a harmless file filed under
    // the content hash of the violating one, in a well-formed cache
    let config = rules::config::Config::load(&ws.join("layergate.toml")).unwrap();
    let (harmless, _) =
        rules::parse_and_extract(rules::lang::Lang::TypeScript, "export const d = 1;\n", None);
    let mut forged = FactCache::default();
    forged.files.insert(
        "src/domain/d.ts".into(),
        CachedFile {
            hash: content_hash(violating),
            facts: Arc::new(harmless),
            patterns_key: patterns_key(&config),
            pattern_hits: Vec::new(),
        },
    );
    let plant = |key: &rules::cache::CacheKey| {
        let dir = ws.join(".layergate").join("cache");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("facts.bin"), forged.encode(key)).unwrap();
        let _ = std::fs::remove_file(dir.join("check.bin"));
    };
    let layers = |o: &Output| -> usize {
        json(o)["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["rule"] == "layers")
            .count()
    };

    // the attacker's key is not this machine's: the violation is found
    let machine = t.path().join("machine");
    plant(&[1; 32]);
    let o = check_on_machine(&ws, &machine);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(layers(&o), 1);

    // the same forgery under this machine's own key would be believed: so
    // the key, not anything else about the file, is what refused it above
    let key: rules::cache::CacheKey = std::fs::read(machine.join("layergate").join("cache-key"))
        .expect("the first run created the machine's key")
        .try_into()
        .unwrap();
    plant(&key);
    let o = check_on_machine(&ws, &machine);
    assert_eq!(layers(&o), 0, "a cache under the machine's key is trusted");
}

#[test]
fn stdin_filename_cannot_climb_out_of_the_workspace() {
    let t = tempfile::tempdir().unwrap();
    let ws = t.path().join("ws");
    write(
        &ws,
        &[
            (
                "layergate.toml",
                "[[modules]]\nname = \"app\"\npaths = [\"src/**\"]\n",
            ),
            ("src/a.ts", "export const a = 1;\n"),
        ],
    );
    std::fs::create_dir_all(t.path().join("etc")).unwrap();
    // a path that does not exist, written with `..` through the workspace:
    // it names t/etc/passwd.ts, outside; it must not be checked as if inside
    for path in ["src/../../etc/passwd.ts", "nothing/../../etc/passwd.ts"] {
        let o = check_stdin(&ws, path, "import x from 'y';\n");
        assert_eq!(o.status.code(), Some(2), "{path}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("no layergate.toml governs")
                || stderr(&o).contains("outside the workspace"),
            "{path}: {}",
            stderr(&o)
        );
    }
    // inside, with a `..` that stays inside: checked
    let o = check_stdin(&ws, "src/../src/new.ts", "export const n = 1;\n");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
#[cfg(unix)]
fn the_cache_is_never_written_through_a_committed_symlink() {
    use std::os::unix::fs::symlink;
    let t = tempfile::tempdir().unwrap();
    let ws = t.path().join("ws");
    let outside = t.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    write(
        &ws,
        &[
            (
                "layergate.toml",
                "[[modules]]\nname = \"app\"\npaths = [\"src/**\"]\n",
            ),
            ("src/a.ts", "export const a = 1;\n"),
        ],
    );
    let check_writes_nothing_outside = || {
        let o = layergate(&ws, &["check"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_eq!(names_in(&outside), Vec::<String>::new());
    };
    // 1. `.layergate` is a link to a directory outside
    symlink(&outside, ws.join(".layergate")).unwrap();
    check_writes_nothing_outside();

    // 2. `.layergate/cache` is the link
    std::fs::remove_file(ws.join(".layergate")).unwrap();
    std::fs::create_dir(ws.join(".layergate")).unwrap();
    symlink(&outside, ws.join(".layergate/cache")).unwrap();
    check_writes_nothing_outside();

    // 3. a dangling `.gitignore` link would create its target
    std::fs::remove_file(ws.join(".layergate/cache")).unwrap();
    std::fs::remove_file(ws.join(".layergate/.gitignore")).ok();
    symlink(outside.join("created"), ws.join(".layergate/.gitignore")).unwrap();
    check_writes_nothing_outside();
    // the cache itself is still written, inside
    assert!(ws.join(".layergate/cache/facts.bin").is_file());
}

/// The names in folder `d`, sorted (empty when it is missing).
fn names_in(d: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(d)
        .map(|r| {
            r.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
#[cfg(unix)]
fn baseline_init_and_agents_files_are_never_written_outside() {
    use std::os::unix::fs::{symlink, PermissionsExt};
    let t = tempfile::tempdir().unwrap();
    let ws = t.path().join("ws");
    let outside = t.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::create_dir_all(ws.join(".git")).unwrap();
    write(
        &ws,
        &[
            (
                "layergate.toml",
                "[workspace]\nbaseline = \"bl/baseline.json\"\n\n[[modules]]\nname = \"ui\"\npaths = [\"src/ui/**\"]\n\n[[modules]]\nname = \"db\"\npaths = [\"src/db/**\"]\n\n[layers]\norder = [\"ui\", \"db\"]\n",
            ),
            ("src/ui/a.ts", "export const a = 1;\n"),
            ("src/db/q.ts", "import { a } from '../ui/a';\n"),
        ],
    );
    // `--write-baseline` into a folder that is a link out
    symlink(&outside, ws.join("bl")).unwrap();
    let o = layergate(&ws, &["check", "--write-baseline"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("lies outside the workspace"),
        "{}",
        stderr(&o)
    );
    assert_eq!(names_in(&outside), Vec::<String>::new());

    // `init` through a dangling `layergate.toml` link, even with --force
    let fresh = ws.join("fresh");
    std::fs::create_dir_all(&fresh).unwrap();
    symlink(outside.join("created.toml"), fresh.join("layergate.toml")).unwrap();
    let o = layergate(&fresh, &["init"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = layergate(&fresh, &["init", "--force"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("leads nowhere"), "{}", stderr(&o));
    assert_eq!(names_in(&outside), Vec::<String>::new());

    // `explain --agents --write`: a link inside is written through, the
    // link kept; a read-only file is left as it is
    std::fs::write(ws.join("CLAUDE.md"), "# Notes\n").unwrap();
    symlink("CLAUDE.md", ws.join("AGENTS.md")).unwrap();
    let o = layergate(&ws, &["explain", "--agents", "--write", "AGENTS.md"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(std::fs::symlink_metadata(ws.join("AGENTS.md"))
        .unwrap()
        .file_type()
        .is_symlink());
    let claude = std::fs::read_to_string(ws.join("CLAUDE.md")).unwrap();
    assert!(
        claude.starts_with("# Notes\n") && claude.contains("layergate"),
        "{claude}"
    );
    std::fs::write(ws.join("RO.md"), "mine\n").unwrap();
    std::fs::set_permissions(ws.join("RO.md"), std::fs::Permissions::from_mode(0o444)).unwrap();
    let o = layergate(&ws, &["explain", "--agents", "--write", "RO.md"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(ws.join("RO.md")).unwrap(), "mine\n");
    let mode = std::fs::metadata(ws.join("RO.md"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o444);
    // and a link leading out is refused
    symlink(outside.join("x.md"), ws.join("OUT.md")).unwrap();
    let o = layergate(&ws, &["explain", "--agents", "--write", "OUT.md"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(names_in(&outside), Vec::<String>::new());
}

/// A rule that cannot fire is a warning; `--strict` fails on it. The same
/// rule fixed to point at real files fires and is no longer reported.
#[test]
fn rules_that_cannot_fire_warn_and_fail_under_strict() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    let config = |from: &str| {
        format!(
            "[workspace]\ninclude = [\"src/**\"]\n\n[[deny]]\nid = \"ui-no-pg\"\nfrom = [\"{from}\"]\nto = [\"npm:pg\"]\n"
        )
    };
    write(
        root,
        &[
            ("layergate.toml", &config("src/ui/**")),
            ("src/components/button.ts", "export const b = 1;\n"),
        ],
    );
    let o = layergate(root, &["check", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(rules_of(&json(&o))
        .iter()
        .any(|(rule, file, _)| rule == "dead-rule" && file == "layergate.toml"));
    let o = layergate(root, &["check", "--strict"]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("[[deny]] `ui-no-pg` cannot fire: its `from` matches no checked file"),
        "{out}"
    );
    // pointed at the real folder: alive, nothing to say, strict passes
    write(root, &[("layergate.toml", &config("src/components/**"))]);
    let o = layergate(root, &["check", "--strict", "--format", "json"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(!rules_of(&json(&o))
        .iter()
        .any(|(rule, _, _)| rule == "dead-rule"));
}

#[test]
fn one_use_statement_is_one_diagnostic_per_rule_and_target() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        &[
            ("Cargo.toml", "[package]\nname = \"cy\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
            ("src/lib.rs", "pub mod a;\npub mod b;\n"),
            ("src/a/mod.rs", "pub mod x;\n"),
            // one statement on one line, one over several lines, and two
            // statements: 1 + 1 + 2 diagnostics toward p.rs
            (
                "src/a/x.rs",
                "use crate::b::p::{P, P2};\nuse crate::b::p::{\n    P3,\n    P4,\n};\nuse crate::b::p::P5;\nuse crate::b::p::P6;\npub struct X;\n",
            ),
            ("src/b/mod.rs", "pub mod p;\n"),
            (
                "src/b/p.rs",
                "use crate::a::x::X;\npub struct P;\npub struct P2;\npub struct P3;\npub struct P4;\npub struct P5;\npub struct P6;\n",
            ),
            (
                "layergate.toml",
                "[[modules]]\nname = \"a\"\npaths = [\"src/a/**\"]\n\n[[modules]]\nname = \"b\"\npaths = [\"src/b/**\"]\n",
            ),
        ],
    );
    let v = json(&layergate(root, &["check", "--format", "json"]));
    let lines: Vec<u64> = rules_of(&v)
        .into_iter()
        .filter(|(rule, file, _)| rule == "cycle" && file == "src/a/x.rs")
        .map(|(_, _, line)| line)
        .collect();
    assert_eq!(lines, [1, 3, 6, 7], "{v}");
}
