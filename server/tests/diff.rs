//! `layergate check --diff [REF]` and its policy ratchet, on real git
//! repositories in temporary directories (git isolated from the user's and
//! the system's config).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{json, Value};

struct Repo {
    _tmp: tempfile::TempDir,
    root: PathBuf,
}

/// Environment shared by git and layergate: no global or system git config,
/// no repository above the temporary directory.
fn isolate(cmd: &mut Command, root: &Path) {
    cmd.current_dir(root)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env(
            "GIT_CEILING_DIRECTORIES",
            root.parent().expect("parent of the repository"),
        )
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE");
}

impl Repo {
    /// A repository on branch `branch` (or no repository with `None`).
    fn new(branch: Option<&str>) -> Repo {
        let tmp = tempfile::tempdir().expect("temp dir");
        let root = tmp.path().join("repo");
        std::fs::create_dir_all(&root).expect("root");
        let root = root.canonicalize().expect("canonical");
        let r = Repo { _tmp: tmp, root };
        if let Some(b) = branch {
            r.git(&["init", "-q", "-b", b]);
            r.git(&["config", "user.name", "Test"]);
            r.git(&["config", "user.email", "test@example.com"]);
            r.git(&["config", "commit.gpgsign", "false"]);
        }
        r
    }

    fn git(&self, args: &[&str]) -> String {
        let mut cmd = Command::new("git");
        cmd.args(args);
        isolate(&mut cmd, &self.root);
        let out = cmd.output().expect("run git");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn write(&self, files: &[(&str, &str)]) {
        for (rel, text) in files {
            let p = self.root.join(rel);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("dirs");
            std::fs::write(p, text).expect("write");
        }
    }

    fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
    }

    fn layergate(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_layergate"));
        cmd.args(args)
            .env("LAYERGATE_NOW", "2026-06-01")
            .env("NO_COLOR", "1");
        isolate(&mut cmd, &self.root);
        cmd.output().expect("run layergate")
    }
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The JSON output with `elapsed_ms` zeroed.
fn json_of(o: &Output) -> Value {
    let mut v: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&o.stdout),
            stderr(o)
        )
    });
    v["summary"]["elapsed_ms"] = json!(0);
    v
}

const CONFIG: &str = r#"[[modules]]
name = "app"
paths = ["src/app/**"]

[[modules]]
name = "domain"
paths = ["src/domain/**"]

[layers]
order = ["app", "domain"]

[[deny]]
id = "no-axios"
from = ["domain"]
to = ["npm:axios"]
message = "The domain does no I/O."
"#;

const UPWARD: &str = "import { App } from '../app/app';";

/// `main` with one known violation (src/domain/user.ts:1, `layers`), then a
/// `feature` branch checked out.
fn base_repo() -> Repo {
    let r = Repo::new(Some("main"));
    r.write(&[
        ("layergate.toml", CONFIG),
        ("src/app/app.ts", "export interface App { name: string }\n"),
        (
            "src/domain/user.ts",
            &format!("{UPWARD}\nexport interface User {{ app: App }}\n"),
        ),
        ("src/domain/order.ts", "export const order = 1;\n"),
    ]);
    r.commit("base");
    r.git(&["checkout", "-q", "-b", "feature"]);
    r
}

/// The `layers` diagnostic of `UPWARD` at `file`:`line`, as JSON.
fn upward(file: &str, line: u64) -> Value {
    json!({
        "file": file, "line": line, "column": 1, "end_line": line, "end_column": 34,
        "severity": "error", "rule": "layers",
        "message": format!("`{file}` in module `domain` imports `src/app/app.ts` in module `app`: layer `domain` may not import `app`, which is in a higher layer"),
        "from_module": "domain", "to_module": "app", "target": "src/app/app.ts",
        "baselined": false,
        "fixes": [ { "title": "Suppress `layers` on this line", "edits": [ {
            "file": file, "line": line, "column": 1, "end_line": line, "end_column": 1,
            "new_text": "// layergate-ignore layers: <reason>\n" } ] } ]
    })
}

fn report(diagnostics: Vec<Value>, files: u64, errors: u64, warnings: u64) -> Value {
    json!({
        "version": 1,
        "diagnostics": diagnostics,
        "summary": { "files": files, "errors": errors, "warnings": warnings, "elapsed_ms": 0 }
    })
}

#[test]
fn a_commit_adding_a_violation_reports_only_it() {
    let r = base_repo();
    r.write(&[
        (
            "src/domain/order.ts",
            &format!("export const order = 1;\n{UPWARD}\n"),
        ),
        // a changed file whose old violation (line 1) is on an unchanged line
        (
            "src/domain/user.ts",
            &format!("{UPWARD}\nexport interface User {{ app: App }}\nexport const extra = 1;\n"),
        ),
    ]);
    r.commit("add a violation");
    let out = r.layergate(&["check", "--no-cache", "--diff", "main", "--format", "json"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(
        json_of(&out),
        report(vec![upward("src/domain/order.ts", 2)], 3, 1, 0)
    );
    let base = r.git(&["rev-parse", "main"]);
    assert!(
        stderr(&out).contains(&format!(
            "reporting changes since {} (the merge base of HEAD and `main`)",
            &base[..12]
        )),
        "{}",
        stderr(&out)
    );

    // without --diff, the old violation is reported too
    let all = r.layergate(&["check", "--no-cache", "--format", "json"]);
    assert_eq!(json_of(&all)["summary"]["errors"], json!(2));

    // uncommitted and untracked changes count; a new file is entirely new
    // (a space and non-ASCII in its name)
    r.write(&[("src/domain/new é file.ts", &format!("\n{UPWARD}\n"))]);
    let out = r.layergate(&["check", "--no-cache", "--diff", "main", "--format", "json"]);
    assert_eq!(
        json_of(&out),
        report(
            vec![
                upward("src/domain/new é file.ts", 2),
                upward("src/domain/order.ts", 2)
            ],
            4,
            2,
            0
        )
    );
}

#[test]
fn every_format_reports_only_the_changed_lines() {
    let r = base_repo();
    r.write(&[(
        "src/domain/order.ts",
        &format!("export const order = 1;\n{UPWARD}\n"),
    )]);
    let out = r.layergate(&[
        "check",
        "--no-cache",
        "--diff",
        "main",
        "--format",
        "github",
    ]);
    assert_eq!(code(&out), 1);
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(lines.len(), 1, "{text}");
    assert!(
        lines[0].starts_with("::error file=src/domain/order.ts,line=2,"),
        "{text}"
    );
    let out = r.layergate(&["check", "--no-cache", "--diff", "main", "--format", "sarif"]);
    assert_eq!(code(&out), 1);
    let v: Value = serde_json::from_slice(&out.stdout).expect("sarif");
    let results = v["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 1);
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        json!(2)
    );
    let out = r.layergate(&["check", "--no-cache", "--diff", "main"]);
    assert_eq!(code(&out), 1);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("src/domain/order.ts:2:1"), "{text}");
    assert!(!text.contains("src/domain/user.ts"), "{text}");
}

#[test]
fn loosening_a_rule_reports_what_it_lets_through() {
    let r = base_repo();
    // the rule goes, and an import it forbade arrives in the same change
    r.write(&[
        (
            "layergate.toml",
            &CONFIG.replace(
                "[[deny]]\nid = \"no-axios\"\nfrom = [\"domain\"]\nto = [\"npm:axios\"]\nmessage = \"The domain does no I/O.\"\n",
                "",
            ),
        ),
        ("src/domain/http.ts", "import axios from 'axios';\nexport const get = axios.get;\n"),
    ]);
    r.commit("drop no-axios");
    let out = r.layergate(&["check", "--no-cache", "--diff", "main", "--format", "json"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(
        json_of(&out),
        report(
            vec![json!({
                "file": "src/domain/http.ts", "line": 1, "column": 1, "end_line": 1, "end_column": 27,
                "severity": "error", "rule": "policy",
                "message": "let through by the change to layergate.toml since main (`no-axios` no longer reports it): `src/domain/http.ts` in module `domain` uses `npm:axios`, which `no-axios` forbids. The domain does no I/O.",
                "from_module": "domain", "to_module": null, "target": "axios",
                "baselined": false, "fixes": []
            })],
            4,
            1,
            0
        )
    );

    // a severity lowered is a loosening too
    r.write(&[(
        "layergate.toml",
        &CONFIG.replace(
            "message = \"The domain",
            "severity = \"warning\"\nmessage = \"The domain",
        ),
    )]);
    let out = r.layergate(&["check", "--no-cache", "--diff", "main", "--format", "json"]);
    assert_eq!(code(&out), 1);
    let v = json_of(&out);
    let got: Vec<(String, String, String)> = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap_or("").to_string(),
                d["severity"].as_str().unwrap_or("").to_string(),
                d["message"]
                    .as_str()
                    .unwrap_or("")
                    .chars()
                    .take(95)
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "no-axios".to_string(),
                "warning".to_string(),
                "`src/domain/http.ts` in module `domain` uses `npm:axios`, which `no-axios` forbids. The domain ".to_string()
            ),
            (
                "policy".to_string(),
                "error".to_string(),
                "let through by the change to layergate.toml since main (`no-axios` is now a warning, was an err".to_string()
            ),
        ]
    );
}

#[test]
fn an_old_config_that_does_not_parse_is_a_warning() {
    let r = Repo::new(Some("main"));
    r.write(&[
        ("layergate.toml", "[[modules]]\nnme = \"x\"\n"),
        ("src/app/app.ts", "export const a = 1;\n"),
        ("src/domain/d.ts", "export const d = 1;\n"),
    ]);
    r.commit("broken config");
    r.write(&[("layergate.toml", CONFIG)]);
    let out = r.layergate(&["check", "--no-cache", "--diff", "main", "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let v = json_of(&out);
    let d = &v["diagnostics"][0];
    assert_eq!(v["diagnostics"].as_array().map(Vec::len), Some(1), "{v}");
    assert_eq!(
        (
            d["file"].as_str(),
            d["line"].as_u64(),
            d["severity"].as_str(),
            d["rule"].as_str()
        ),
        (
            Some("layergate.toml"),
            Some(1),
            Some("warning"),
            Some("policy")
        )
    );
    let m = d["message"].as_str().unwrap_or("");
    assert!(
        m.starts_with("the layergate.toml of main does not parse (line 2: ")
            && m.ends_with("): rules removed or loosened since then are not checked"),
        "{m}"
    );
}

#[test]
fn an_added_suppression_is_a_policy_error() {
    let r = base_repo();
    r.write(&[(
        "src/domain/order.ts",
        &format!("export const order = 1;\n{UPWARD} // layergate-ignore layers: needed for now\n"),
    )]);
    r.commit("suppress");
    let out = r.layergate(&["check", "--no-cache", "--diff", "main", "--format", "json"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(
        json_of(&out),
        report(
            vec![json!({
                "file": "src/domain/order.ts", "line": 2, "column": 35, "end_line": 2, "end_column": 77,
                "severity": "error", "rule": "policy",
                "message": "suppression added since main: `layergate-ignore layers` silences the rule instead of fixing the violation; a change that weakens the policy needs a reviewer's agreement",
                "from_module": null, "to_module": null, "target": null,
                "baselined": false, "fixes": []
            })],
            3,
            1,
            0
        )
    );
}

#[test]
fn moving_or_rewording_a_suppression_is_no_change() {
    let r = Repo::new(Some("main"));
    r.write(&[
        ("layergate.toml", CONFIG),
        ("src/app/app.ts", "export interface App { name: string }\n"),
        (
            "src/domain/user.ts",
            &format!("// layergate-ignore layers: old reason\n{UPWARD}\n"),
        ),
    ]);
    r.commit("base");
    r.git(&["checkout", "-q", "-b", "feature"]);
    r.write(&[(
        "src/domain/user.ts",
        &format!("{UPWARD} // layergate-ignore layers: a better reason\n"),
    )]);
    let out = r.layergate(&["check", "--no-cache", "--diff", "main", "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(json_of(&out), report(vec![], 2, 0, 0));
}

#[test]
fn a_grown_baseline_is_a_policy_error() {
    let r = base_repo();
    r.git(&["checkout", "-q", "main"]);
    let out = r.layergate(&["check", "--no-cache", "--write-baseline"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    r.commit("baseline");
    r.git(&["checkout", "-q", "-B", "feature"]);
    r.write(&[(
        "src/domain/order.ts",
        &format!("export const order = 1;\n{UPWARD}\n"),
    )]);
    let out = r.layergate(&["check", "--no-cache", "--write-baseline"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    r.commit("record the new violation");
    let baseline =
        std::fs::read_to_string(r.root.join("layergate-baseline.json")).expect("baseline");
    let line = baseline
        .lines()
        .position(|l| l.contains("\"file\": \"src/domain/order.ts\""))
        .expect("entry") as u64; // 0-based line of "file" = 1-based line of "rule"
    let out = r.layergate(&["check", "--no-cache", "--diff", "main", "--format", "json"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let mut known = upward("src/domain/order.ts", 2);
    known["severity"] = json!("hint");
    known["baselined"] = json!(true);
    let mut expected = report(
        vec![
            json!({
                "file": "layergate-baseline.json", "line": line, "column": 7, "end_line": line, "end_column": 24,
                "severity": "error", "rule": "policy",
                "message": "baseline grown since main: `layers` in `src/domain/order.ts` → `src/app/app.ts`, a new entry (1); fix the new violations instead of recording them",
                "from_module": null, "to_module": null, "target": "src/app/app.ts",
                "baselined": false, "fixes": []
            }),
            known,
        ],
        3,
        1,
        0,
    );
    expected["summary"]["stale_baseline"] = json!(0);
    assert_eq!(json_of(&out), expected);
}

#[test]
fn a_commit_that_only_fixes_reports_nothing() {
    let r = base_repo();
    r.git(&["checkout", "-q", "main"]);
    r.write(&[(
        "src/domain/order.ts",
        "export const order = 1; // layergate-ignore no-axios: kept\n",
    )]);
    let out = r.layergate(&["check", "--no-cache", "--write-baseline"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    r.commit("baseline");
    r.git(&["checkout", "-q", "-B", "feature"]);
    // fix the violation, drop the suppression, prune the baseline, tighten a rule
    r.write(&[
        (
            "src/domain/user.ts",
            "export interface User { name: string }\n",
        ),
        ("src/domain/order.ts", "export const order = 1;\n"),
        (
            "layergate.toml",
            &CONFIG.replace("[layers]", "[layers]\nstrict = true"),
        ),
    ]);
    let out = r.layergate(&["baseline", "prune"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    r.commit("fix");
    let out = r.layergate(&["check", "--no-cache", "--diff", "main", "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let mut expected = report(vec![], 3, 0, 0);
    expected["summary"]["stale_baseline"] = json!(0);
    assert_eq!(json_of(&out), expected);
}

#[test]
fn a_file_moved_within_its_module_keeps_its_old_violations_quiet() {
    let r = base_repo();
    std::fs::create_dir_all(r.root.join("src/domain/people")).expect("dir");
    r.git(&["mv", "src/domain/user.ts", "src/domain/people/user.ts"]);
    let moved = std::fs::read_to_string(r.root.join("src/domain/people/user.ts")).expect("read");
    r.write(&[(
        "src/domain/people/user.ts",
        &moved.replace("'../app/app'", "'../../app/app'"),
    )]);
    r.commit("move");
    let out = r.layergate(&["check", "--no-cache", "--diff", "main", "--format", "json"]);
    // line 1 changed (the path), so it is reported; nothing else
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let v = json_of(&out);
    let got: Vec<(String, u64)> = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap_or("").to_string(),
                d["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(got, vec![("src/domain/people/user.ts".to_string(), 1)]);

    // a pure move to another folder of the same module: nothing changed
    let r = base_repo();
    r.write(&[(
        "src/domain/order.ts",
        &format!("{UPWARD}\nexport const order = 1;\n"),
    )]);
    r.commit("violation");
    r.git(&["checkout", "-q", "-b", "second"]);
    std::fs::create_dir_all(r.root.join("src/domain/x")).expect("dir");
    r.git(&["mv", "src/domain/order.ts", "src/domain/x/order.ts"]);
    r.commit("pure move");
    let out = r.layergate(&[
        "check",
        "--no-cache",
        "--diff",
        "feature",
        "--format",
        "json",
    ]);
    let v = json_of(&out);
    // the import no longer resolves (it became an unresolved warning, on
    // an unchanged line of a file that did not change modules): not reported
    assert_eq!(v["diagnostics"], json!([]), "{v}");
}

#[test]
fn the_default_base_is_the_merge_base_with_main() {
    let r = base_repo();
    r.write(&[(
        "src/domain/order.ts",
        &format!("export const order = 1;\n{UPWARD}\n"),
    )]);
    r.commit("add a violation");
    // main moves on after the branch point: its changes are not ours
    r.git(&["checkout", "-q", "main"]);
    r.write(&[("src/app/later.ts", "export const later = 1;\n")]);
    r.commit("later on main");
    r.git(&["checkout", "-q", "feature"]);
    let out = r.layergate(&["check", "--no-cache", "--diff", "--format", "json"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(
        json_of(&out),
        report(vec![upward("src/domain/order.ts", 2)], 3, 1, 0)
    );
    let base = r.git(&["merge-base", "HEAD", "main"]);
    assert_eq!(
        stderr(&out),
        format!(
            "layergate: --diff: reporting changes since {} (the merge base of HEAD and the default branch `main`)\n",
            &base[..12]
        )
    );
}

#[test]
fn no_base_is_a_usage_error() {
    // not a git repository
    let r = Repo::new(None);
    r.write(&[
        ("layergate.toml", CONFIG),
        ("src/app/app.ts", "export const a = 1;\n"),
    ]);
    let out = r.layergate(&["check", "--diff"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).starts_with(&format!(
            "layergate: --diff needs a git repository: {} is not in one",
            r.root.display()
        )),
        "{}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty());

    // no default branch
    let r = Repo::new(Some("trunk"));
    r.write(&[
        ("layergate.toml", CONFIG),
        ("src/app/app.ts", "export const a = 1;\n"),
    ]);
    r.commit("base");
    let out = r.layergate(&["check", "--diff"]);
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out),
        "layergate: --diff: no default branch found (tried origin/HEAD, origin/main, origin/master, main, master); name the base: `layergate check --diff REF`\n"
    );

    // an unknown REF
    let out = r.layergate(&["check", "--diff", "nope"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("`nope` names no commit"),
        "{}",
        stderr(&out)
    );
    // a REF that looks like an option is not one
    let out = r.layergate(&["check", "--diff=--output=x"]);
    assert_eq!(code(&out), 2);
    assert!(!r.root.join("x").exists());
}

#[test]
fn a_file_moved_to_another_module_counts_as_new() {
    let r = base_repo();
    r.write(&[("src/lib/x.ts", &format!("{UPWARD}\nexport const x = 1;\n"))]);
    r.commit("a file in no module");
    r.git(&["checkout", "-q", "-b", "move"]);
    r.git(&["mv", "src/lib/x.ts", "src/domain/x.ts"]);
    r.commit("move it into domain");
    let out = r.layergate(&[
        "check",
        "--no-cache",
        "--diff",
        "feature",
        "--format",
        "json",
    ]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(
        json_of(&out),
        report(vec![upward("src/domain/x.ts", 1)], 4, 1, 0)
    );
}

/// A checkout whose own `.git` is hostile: a filter driver defined in its
/// config and selected by its `.gitattributes`, and hooks git may run while
/// it compares the work tree (`post-index-change`, `post-checkout`). None of
/// them may run under `check --diff`.
#[test]
fn the_checkouts_own_filters_and_hooks_do_not_run() {
    let r = base_repo();
    let marker = r.root.parent().expect("parent").join("ran");
    let script = |name: &str| format!("#!/bin/sh\necho {name} >> '{}'\ncat\n", marker.display());
    let hooks = r.root.join(".git").join("hooks");
    for (name, text) in [
        ("evil-filter", script("filter")),
        ("post-index-change", script("post-index-change")),
        ("post-checkout", script("post-checkout")),
    ] {
        let p = hooks.join(name);
        std::fs::write(&p, text).expect("hook");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let filter = hooks.join("evil-filter");
    let filter = filter.to_str().expect("utf-8 path");
    // a driver name with `=` (which `git -c` would split at), and `-diff`,
    // which without `--text` turns every hunk into "Binary files differ"
    r.git(&["config", "filter.e=vil.clean", filter]);
    r.git(&["config", "filter.e=vil.smudge", filter]);
    r.git(&["config", "filter.e=vil.required", "true"]);
    r.write(&[(".gitattributes", "*.ts filter=e=vil -diff\n")]);
    // git itself runs them (the attack is real), then the marker is reset
    r.commit("attributes");
    r.write(&[(
        "src/domain/order.ts",
        &format!("{UPWARD}\nexport const order = 1;\n"),
    )]);
    r.git(&["status", "--porcelain"]);
    assert!(
        marker.exists(),
        "the test's filter and hooks run under plain git"
    );
    std::fs::remove_file(&marker).expect("reset");
    // a work-tree file whose stat no longer matches the index: git would
    // have to run the clean filter to compare it
    std::thread::sleep(std::time::Duration::from_millis(1100));
    r.write(&[(
        "src/domain/user.ts",
        &format!("{UPWARD}\nexport interface User {{ app: App }}\n"),
    )]);
    let out = r.layergate(&["check", "--no-cache", "--diff", "main", "--format", "json"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let ran = std::fs::read_to_string(&marker).unwrap_or_default();
    assert!(ran.is_empty(), "ran under layergate check --diff: {ran}");
}
