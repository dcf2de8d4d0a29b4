//! `layergate mcp` end to end: the real binary in a temporary workspace,
//! spoken to in MCP JSON-RPC (newline-delimited) over its stdio, by hand:
//! initialize → notifications/initialized → tools/list → tools/call.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

use serde_json::{json, Value};

fn write(root: &Path, files: &[(&str, &str)]) {
    for (rel, text) in files {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

const CONFIG: &str = r#"
[[modules]]
name = "app"
paths = ["src/app/**"]

[[modules]]
name = "infra"
paths = ["src/infra/**"]

[[modules]]
name = "domain"
paths = ["src/domain/**"]

[layers]
order = ["app", "infra", "domain"]

[[boundary]]
id = "process-spawn"
apis = ["node:child_process"]
allow_in = ["infra"]
message = "Spawn processes only through infra."
"#;

/// app → domain (fine); domain → infra (a `layers` violation at
/// src/domain/user.ts:1, there before any patch).
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("layergate.toml", CONFIG),
            (
                "src/app/main.ts",
                "import { User } from '../domain/user';\nexport const u: User = { name: 'a' };\n",
            ),
            (
                "src/domain/user.ts",
                "import { db } from '../infra/db';\nexport interface User { name: string }\n",
            ),
            ("src/infra/db.ts", "export const db = 1;\n"),
        ],
    );
    dir
}

/// A running `layergate mcp`, initialized.
struct Mcp {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
    next_id: u64,
}

impl Mcp {
    fn start(dir: &Path, extra: &[&str]) -> Mcp {
        let mut child = Command::new(env!("CARGO_BIN_EXE_layergate"))
            .arg("mcp")
            .args(extra)
            .current_dir(dir)
            .env("LAYERGATE_NOW", "2026-06-01")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut mcp = Mcp {
            child,
            stdin,
            lines,
            next_id: 1,
        };
        let init = mcp.request(
            "initialize",
            json!({
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": { "name": "layergate-tests", "version": "0" }
            }),
        );
        assert_eq!(init["result"]["serverInfo"]["name"], "layergate", "{init}");
        assert_eq!(init["result"]["protocolVersion"], "2025-06-18");
        assert!(
            init["result"]["capabilities"]["tools"].is_object(),
            "{init}"
        );
        mcp.send(&json!({ "jsonrpc": "2.0", "method": "notifications/initialized" }));
        mcp
    }

    fn send(&mut self, msg: &Value) {
        writeln!(self.stdin, "{msg}").unwrap();
        self.stdin.flush().unwrap();
    }

    /// Sends a request and returns its response (skipping notifications).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(60))
                .unwrap_or_else(|_| panic!("no response to {method}"));
            let v: Value =
                serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
            if v["id"] == id {
                return v;
            }
        }
    }

    /// Calls a tool; returns (isError, the text of its single content item).
    fn call(&mut self, tool: &str, arguments: Value) -> (bool, String) {
        let (is_error, text, _) = self.call_full(tool, arguments);
        (is_error, text)
    }

    /// A tool's result: whether it is an error, its text, its structured content.
    fn call_full(&mut self, tool: &str, arguments: Value) -> (bool, String, Option<Value>) {
        let v = self.request(
            "tools/call",
            json!({ "name": tool, "arguments": arguments }),
        );
        let result = &v["result"];
        assert!(result.is_object(), "{tool}: {v}");
        let content = result["content"].as_array().unwrap();
        assert_eq!(content.len(), 1, "{v}");
        assert_eq!(content[0]["type"], "text");
        (
            result["isError"].as_bool().unwrap_or(false),
            content[0]["text"].as_str().unwrap().to_string(),
            result.get("structuredContent").cloned(),
        )
    }

    /// Calls a tool that must succeed and return JSON. The check tools also
    /// return it as structured content, each diagnostic with its rule's
    /// `how_to_fix`; that field is taken out, to compare with `check`.
    fn call_json(&mut self, tool: &str, arguments: Value) -> Value {
        let (is_error, text, structured) = self.call_full(tool, arguments);
        assert!(!is_error, "{tool} failed: {text}");
        let mut value: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
        if tool.starts_with("check_") {
            let structured = structured.unwrap_or_else(|| panic!("{tool}: no structuredContent"));
            assert_eq!(
                structured, value,
                "{tool}: structured content and text differ"
            );
            for d in value["diagnostics"].as_array_mut().unwrap() {
                let fix = d.as_object_mut().unwrap().remove("how_to_fix");
                assert!(
                    fix.as_ref()
                        .and_then(Value::as_str)
                        .is_some_and(|f| f.len() > 20),
                    "{tool}: no how_to_fix in {d}"
                );
            }
        }
        value
    }
}

impl Drop for Mcp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn layergate(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_layergate"))
        .args(args)
        .current_dir(dir)
        .env("LAYERGATE_NOW", "2026-06-01")
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// (rule, file, line, target) of each diagnostic.
fn summary(v: &Value) -> Vec<(String, String, u64, Value)> {
    v["diagnostics"]
        .as_array()
        .unwrap_or_else(|| panic!("no diagnostics: {v}"))
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["file"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["target"].clone(),
            )
        })
        .collect()
}

fn s(rule: &str, file: &str, line: u64, target: &str) -> (String, String, u64, Value) {
    (rule.into(), file.into(), line, Value::from(target))
}

#[test]
fn lists_the_five_tools_with_schemas_and_guidance() {
    let ws = workspace();
    let mut mcp = Mcp::start(ws.path(), &[]);
    let v = mcp.request("tools/list", json!({}));
    let tools = v["result"]["tools"].as_array().unwrap();
    let mut names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "allowed_dependencies",
            "check_content",
            "check_files",
            "check_patch",
            "explain"
        ]
    );
    let tool = |n: &str| tools.iter().find(|t| t["name"] == n).unwrap();
    assert_eq!(
        tool("check_content")["inputSchema"]["required"],
        json!(["path", "content"])
    );
    assert_eq!(
        tool("check_patch")["inputSchema"]["required"],
        json!(["unified_diff"])
    );
    assert_eq!(
        tool("allowed_dependencies")["inputSchema"]["required"],
        json!(["path"])
    );
    assert_eq!(
        tool("check_files")["inputSchema"]["properties"]["paths"]["type"],
        "array"
    );
    // the check tools declare the shape of their structured results
    for name in ["check_files", "check_content", "check_patch"] {
        let schema = &tool(name)["outputSchema"];
        assert_eq!(schema["type"], "object", "{name}: {schema}");
        for key in ["version", "diagnostics", "summary"] {
            assert!(schema["properties"].get(key).is_some(), "{name}: {key}");
        }
        let diagnostic = schema["$defs"]["DiagnosticResult"].to_string();
        for key in ["\"how_to_fix\"", "\"rule\"", "\"line\"", "\"fixes\""] {
            assert!(diagnostic.contains(key), "{name}: {key} in {diagnostic}");
        }
    }
    assert!(tool("check_content")["description"]
        .as_str()
        .unwrap()
        .contains("Call before writing a file"));
    assert!(tool("allowed_dependencies")["description"]
        .as_str()
        .unwrap()
        .contains("Call before writing or editing a file"));
}

#[test]
fn check_files_is_the_json_of_check() {
    let ws = workspace();
    let mut mcp = Mcp::start(ws.path(), &[]);
    let v = mcp.call_json("check_files", json!({}));
    assert_eq!(
        summary(&v),
        [s("layers", "src/domain/user.ts", 1, "src/infra/db.ts")]
    );
    assert_eq!(v["version"], 1);
    assert_eq!(v["summary"]["files"], 3);
    assert_eq!(v["summary"]["errors"], 1);
    let cli = layergate(ws.path(), &["check", "--format", "json"]);
    let cli: Value = serde_json::from_slice(&cli.stdout).unwrap();
    assert_eq!(v["diagnostics"], cli["diagnostics"]);

    // only some paths
    let v = mcp.call_json("check_files", json!({ "paths": ["src/app"] }));
    assert_eq!(summary(&v), []);
    let v = mcp.call_json("check_files", json!({ "paths": ["src/domain/user.ts"] }));
    assert_eq!(
        summary(&v),
        [s("layers", "src/domain/user.ts", 1, "src/infra/db.ts")]
    );

    // it sees what was written since the last call
    write(
        ws.path(),
        &[(
            "src/domain/user.ts",
            "export interface User { name: string }\n",
        )],
    );
    let v = mcp.call_json("check_files", json!({}));
    assert_eq!(summary(&v), []);

    let (is_error, text) = mcp.call("check_files", json!({ "paths": ["src/nope"] }));
    assert!(is_error);
    assert_eq!(text, "src/nope does not exist");
}

#[test]
fn check_content_reports_the_proposed_file_only() {
    let ws = workspace();
    let mut mcp = Mcp::start(ws.path(), &[]);
    // a new file
    let v = mcp.call_json(
        "check_content",
        json!({
            "path": "src/domain/order.ts",
            "content": "import { spawn } from 'child_process';\nimport { db } from '../infra/db';\nexport const o = 1;\n"
        }),
    );
    assert_eq!(
        summary(&v),
        [
            s(
                "process-spawn",
                "src/domain/order.ts",
                1,
                "node:child_process"
            ),
            s("layers", "src/domain/order.ts", 2, "src/infra/db.ts"),
        ]
    );
    assert_eq!(
        v["diagnostics"][0]["message"],
        "`src/domain/order.ts` in module `domain` uses `node:child_process`, which `process-spawn` allows only in `infra`. Spawn processes only through infra."
    );
    assert_eq!(v["summary"]["errors"], 2);
    assert!(
        !ws.path().join("src/domain/order.ts").exists(),
        "never written"
    );

    // an existing file, fixed: user.ts's own violation is gone, and the one
    // elsewhere is not reported
    let v = mcp.call_json(
        "check_content",
        json!({ "path": "src/domain/user.ts", "content": "export interface User { name: string }\n" }),
    );
    assert_eq!(summary(&v), []);
    assert_eq!(
        std::fs::read_to_string(ws.path().join("src/domain/user.ts")).unwrap(),
        "import { db } from '../infra/db';\nexport interface User { name: string }\n"
    );

    // the same answer as `check --stdin-filename`
    let content = "import { db } from '../infra/db';\n\nexport const x = db;\n";
    let v = mcp.call_json(
        "check_content",
        json!({ "path": "src/domain/x.ts", "content": content }),
    );
    let mut cli = Command::new(env!("CARGO_BIN_EXE_layergate"))
        .args([
            "check",
            "--format",
            "json",
            "--stdin-filename",
            "src/domain/x.ts",
        ])
        .current_dir(ws.path())
        .env("LAYERGATE_NOW", "2026-06-01")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    cli.stdin
        .take()
        .unwrap()
        .write_all(content.as_bytes())
        .unwrap();
    let out = cli.wait_with_output().unwrap();
    let cli: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["diagnostics"], cli["diagnostics"]);
    assert_eq!(without_time(&v["summary"]), without_time(&cli["summary"]));
    assert_eq!(
        v["summary"]["files"], 4,
        "the workspace's files and the new one"
    );
    assert_eq!(
        summary(&v),
        [s("layers", "src/domain/x.ts", 1, "src/infra/db.ts")]
    );
}

/// A summary without its `elapsed_ms`.
fn without_time(summary: &Value) -> Value {
    let mut s = summary.clone();
    s.as_object_mut().unwrap().remove("elapsed_ms");
    s
}

/// `check --format json` in `dir`.
fn cli_check(dir: &Path) -> Value {
    let out = layergate(dir, &["check", "--format", "json"]);
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

/// A change of the disk.
type Step = Box<dyn Fn(&Path)>;

#[test]
fn one_workspace_stays_loaded_and_follows_the_disk() {
    let ws = workspace();
    let root = ws.path();
    let mut mcp = Mcp::start(root, &[]);
    // each step changes the disk between two calls of one server; its
    // answer must be the command line's, which loads everything afresh
    let steps: Vec<(&str, Step)> = vec![
        ("nothing", Box::new(|_: &Path| {})),
        (
            "a new violating file",
            Box::new(|r: &Path| {
                write(
                    r,
                    &[(
                        "src/domain/order.ts",
                        "import { db } from '../infra/db';\nexport const o = db;\n",
                    )],
                )
            }),
        ),
        (
            "a file in a new folder",
            Box::new(|r: &Path| {
                write(
                    r,
                    &[(
                        "src/infra/deep/q.ts",
                        "import '../../app/main';\nexport const q = 1;\n",
                    )],
                )
            }),
        ),
        (
            "empty nested folders",
            Box::new(|r: &Path| {
                std::fs::create_dir_all(r.join("src/domain/deep/er")).unwrap();
                // older than the 2 s in which metadata does not vouch for a
                // folder, so that only its own stamp can show the next file
                std::thread::sleep(std::time::Duration::from_millis(2200));
            }),
        ),
        (
            "a file two folders below a folder without files",
            Box::new(|r: &Path| {
                write(
                    r,
                    &[(
                        "src/domain/deep/er/x.ts",
                        "import { db } from '../../../infra/db';\nexport const x = db;\n",
                    )],
                )
            }),
        ),
        (
            "an import of the new file",
            Box::new(|r: &Path| {
                write(r, &[("src/domain/user.ts", "import { q } from '../infra/deep/q';\nexport interface User { name: string }\n")])
            }),
        ),
        (
            "a file deleted",
            Box::new(|r: &Path| std::fs::remove_file(r.join("src/infra/deep/q.ts")).unwrap()),
        ),
        (
            "the config changed",
            Box::new(|r: &Path| {
                write(
                    r,
                    &[(
                        "layergate.toml",
                        &CONFIG.replace(
                            r#"order = ["app", "infra", "domain"]"#,
                            r#"order = ["app", "domain", "infra"]"#,
                        ),
                    )],
                )
            }),
        ),
        (
            "a tsconfig path alias",
            Box::new(|r: &Path| {
                write(
                    r,
                    &[
                        (
                            "tsconfig.json",
                            r#"{ "compilerOptions": { "baseUrl": ".", "paths": { "@app/*": ["src/app/*"] } } }"#,
                        ),
                        (
                            "src/infra/alias.ts",
                            "import '@app/main';\nexport const a = 1;\n",
                        ),
                    ],
                )
            }),
        ),
        (
            "a baseline written",
            Box::new(|r: &Path| {
                let out = layergate(r, &["check", "--write-baseline"]);
                assert!(out.status.success(), "{out:?}");
            }),
        ),
        (
            "a baselined violation fixed",
            Box::new(|r: &Path| write(r, &[("src/infra/alias.ts", "export const a = 1;\n")])),
        ),
    ];
    let mut seen = Vec::new();
    for (what, change) in steps {
        change(root);
        let v = mcp.call_json("check_files", json!({}));
        let cli = cli_check(root);
        assert_eq!(v["diagnostics"], cli["diagnostics"], "after {what}");
        assert_eq!(
            without_time(&v["summary"]),
            without_time(&cli["summary"]),
            "after {what}"
        );
        seen.push(summary(&v).len());
    }
    // the steps changed what is reported (the comparison compared something)
    assert!(
        seen.windows(2).filter(|w| w[0] != w[1]).count() >= 4,
        "{seen:?}"
    );
    // a tool that reads the workspace after the changes: the same answer
    let allowed = mcp.call_json(
        "allowed_dependencies",
        json!({ "path": "src/domain/order.ts" }),
    );
    let cli = layergate(
        root,
        &["allowed", "src/domain/order.ts", "--format", "json"],
    );
    let cli: Value = serde_json::from_slice(&cli.stdout).unwrap();
    assert_eq!(allowed, cli);
}

/// A file's path, its text before and after (`None`: absent).
type FileChange<'a> = (&'a str, Option<&'a str>, Option<&'a str>);

/// A unified diff replacing the whole of each file.
fn whole_file_diff(changes: &[FileChange]) -> String {
    let mut d = String::new();
    for (path, old, new) in changes {
        let lines = |t: &Option<&str>| {
            t.map_or(Vec::new(), |t| {
                t.lines().map(String::from).collect::<Vec<_>>()
            })
        };
        let (o, n) = (lines(old), lines(new));
        d.push_str(&match old {
            Some(_) => format!("--- a/{path}\n"),
            None => "--- /dev/null\n".to_string(),
        });
        d.push_str(&match new {
            Some(_) => format!("+++ b/{path}\n"),
            None => "+++ /dev/null\n".to_string(),
        });
        d.push_str(&format!(
            "@@ -{},{} +{},{} @@\n",
            usize::from(!o.is_empty()),
            o.len(),
            usize::from(!n.is_empty()),
            n.len()
        ));
        for l in &o {
            d.push_str(&format!("-{l}\n"));
        }
        for l in &n {
            d.push_str(&format!("+{l}\n"));
        }
    }
    d
}

/// (rule, file, target) of each diagnostic, sorted.
fn keys(v: &Value) -> Vec<(String, String, String)> {
    let mut k: Vec<_> = summary(v)
        .into_iter()
        .map(|(r, f, _, t)| (r, f, t.to_string()))
        .collect();
    k.sort();
    k
}

#[test]
fn check_patch_agrees_with_the_patch_written_to_disk() {
    let user = "import { db } from '../infra/db';\nexport interface User { name: string }\n";
    let main = "import { User } from '../domain/user';\nexport const u: User = { name: 'a' };\n";
    let db = "export const db = 1;\n";
    let patches: Vec<Vec<FileChange>> = vec![
        // edits only: judged on the loaded workspace
        vec![
            ("src/infra/db.ts", Some(db), Some("import '../app/main';\nexport const db = 1;\n")),
            ("src/app/main.ts", Some(main), Some("import { spawn } from 'child_process';\nexport const u = 1;\n")),
        ],
        vec![("src/domain/user.ts", Some(user), Some("export interface User { name: string }\n"))],
        vec![
            ("src/domain/user.ts", Some(user), Some("import '../app/main';\nimport '../infra/db';\nexport interface User { name: string }\n")),
            ("src/infra/db.ts", Some(db), Some("import '../domain/user';\nexport const db = 1;\n")),
        ],
        // a new file imported by an edited one, a deleted one
        vec![
            ("src/infra/q.ts", None, Some("import '../app/main';\nexport const q = 1;\n")),
            ("src/domain/user.ts", Some(user), Some("import '../infra/q';\nexport interface User { name: string }\n")),
        ],
        vec![("src/infra/db.ts", Some(db), None)],
    ];
    for changes in patches {
        let ws = workspace();
        let mut mcp = Mcp::start(ws.path(), &[]);
        // warm first, as an agent's session is
        mcp.call_json("check_files", json!({}));
        let v = mcp.call_json(
            "check_patch",
            json!({ "unified_diff": whole_file_diff(&changes) }),
        );
        let before = keys(&cli_check(ws.path()));
        for (path, _, new) in &changes {
            match new {
                Some(t) => write(ws.path(), &[(path, t)]),
                None => std::fs::remove_file(ws.path().join(path)).unwrap(),
            }
        }
        let after = keys(&cli_check(ws.path()));
        let mut added = after.clone();
        for k in &before {
            if let Some(i) = added.iter().position(|a| a == k) {
                added.remove(i);
            }
        }
        let removed = before.iter().filter(|k| !after.contains(k)).count();
        assert_eq!(keys(&v), added, "{changes:?}");
        assert_eq!(v["removed"], removed, "{changes:?}");
        assert_eq!(
            v["summary"]["files"],
            cli_check(ws.path())["summary"]["files"]
        );
    }
}

#[test]
fn check_content_errors_are_tool_errors() {
    let ws = workspace();
    let mut mcp = Mcp::start(ws.path(), &[]);
    let root = ws.path().canonicalize().unwrap();
    let (is_error, text) = mcp.call(
        "check_content",
        json!({ "path": "../outside.ts", "content": "" }),
    );
    assert!(is_error);
    assert_eq!(
        text,
        format!("../outside.ts is outside the workspace {}", root.display())
    );
    let (is_error, text) = mcp.call(
        "check_content",
        json!({ "path": "README.md", "content": "# hi" }),
    );
    assert!(is_error);
    assert_eq!(
        text,
        "README.md is not a file layergate checks (.ts .tsx .mts .cts .js .jsx .mjs .cjs .rs)"
    );
    // a missing argument is an error too, and the server keeps serving
    let v = mcp.request(
        "tools/call",
        json!({ "name": "check_content", "arguments": { "path": "src/a.ts" } }),
    );
    assert!(
        v["error"].is_object() || v["result"]["isError"] == true,
        "{v}"
    );
    let v = mcp.call_json("check_files", json!({}));
    assert_eq!(summary(&v).len(), 1);
}

#[test]
fn check_patch_reports_only_what_the_patch_adds() {
    let ws = workspace();
    let mut mcp = Mcp::start(ws.path(), &[]);
    // removes the layers violation of user.ts and adds a process-spawn one
    let diff = "\
diff --git a/src/domain/user.ts b/src/domain/user.ts
index 1111111..2222222 100644
--- a/src/domain/user.ts
+++ b/src/domain/user.ts
@@ -1,2 +1,3 @@
-import { db } from '../infra/db';
+import { exec } from 'node:child_process';
 export interface User { name: string }
+export const run = () => exec('ls');
";
    let v = mcp.call_json("check_patch", json!({ "unified_diff": diff }));
    assert_eq!(
        summary(&v),
        [s(
            "process-spawn",
            "src/domain/user.ts",
            1,
            "node:child_process"
        )]
    );
    assert_eq!(v["removed"], 1);
    assert_eq!(v["summary"]["errors"], 1);
    // nothing was written
    assert_eq!(
        std::fs::read_to_string(ws.path().join("src/domain/user.ts")).unwrap(),
        "import { db } from '../infra/db';\nexport interface User { name: string }\n"
    );

    // moves the existing violation down a line (not new) and adds a new file
    // with a violation of the same rule: only the new file's is reported
    let diff = "\
--- a/src/domain/user.ts
+++ b/src/domain/user.ts
@@ -1,2 +1,3 @@
+// the user entity
 import { db } from '../infra/db';
 export interface User { name: string }
--- /dev/null
+++ b/src/domain/order.ts
@@ -0,0 +1,2 @@
+import { queue } from '../infra/queue';
+export const order = queue;
diff --git a/src/infra/queue.ts b/src/infra/queue.ts
new file mode 100644
--- /dev/null
+++ b/src/infra/queue.ts
@@ -0,0 +1 @@
+export const queue = [];
";
    let v = mcp.call_json("check_patch", json!({ "unified_diff": diff }));
    // the new file's import resolves to the other new file
    assert_eq!(
        summary(&v),
        [s("layers", "src/domain/order.ts", 1, "src/infra/queue.ts")]
    );
    assert_eq!(v["removed"], 0);

    // deleting the violating file adds nothing, removes one
    let diff = "\
--- a/src/domain/user.ts
+++ /dev/null
@@ -1,2 +0,0 @@
-import { db } from '../infra/db';
-export interface User { name: string }
";
    let v = mcp.call_json("check_patch", json!({ "unified_diff": diff }));
    // app/main.ts's import of it no longer resolves, and module `domain` is
    // left with no file: that is what the patch adds
    assert_eq!(
        summary(&v)[1..],
        [s("unresolved", "src/app/main.ts", 1, "../domain/user")]
    );
    assert_eq!(v["diagnostics"][0]["rule"], "config");
    assert_eq!(v["diagnostics"][0]["file"], "layergate.toml");
    assert_eq!(v["diagnostics"][0]["severity"], "warning");
    assert_eq!(v["diagnostics"].as_array().unwrap().len(), 2);
    assert_eq!(v["removed"], 1);
}

#[test]
fn check_patch_errors_are_tool_errors() {
    let ws = workspace();
    let mut mcp = Mcp::start(ws.path(), &[]);
    let diff = "\
--- a/src/domain/user.ts
+++ b/src/domain/user.ts
@@ -1,2 +1,2 @@
-import { db } from '../infra/database';
+import { db } from '../infra/db2';
 export interface User { name: string }
";
    let (is_error, text) = mcp.call("check_patch", json!({ "unified_diff": diff }));
    assert!(is_error);
    assert_eq!(
        text,
        "hunk 1 of 1 in src/domain/user.ts (`@@ -1,2 +1,2 @@`) does not apply: line 1 of the file is `import { db } from '../infra/db';`, the patch expects `import { db } from '../infra/database';` (and its lines match nowhere else in the file)"
    );
    let (is_error, text) = mcp.call("check_patch", json!({ "unified_diff": "hello" }));
    assert!(is_error);
    assert_eq!(
        text,
        "the patch changes no file: expected a unified diff with `--- a/FILE` / `+++ b/FILE` headers and `@@` hunks"
    );
    let diff = "--- a/src/missing.ts\n+++ b/src/missing.ts\n@@ -1 +1 @@\n-a\n+b\n";
    let (is_error, text) = mcp.call("check_patch", json!({ "unified_diff": diff }));
    assert!(is_error);
    assert_eq!(
        text,
        "src/missing.ts: the patch changes a file that does not exist in the workspace"
    );
    let diff = "--- /dev/null\n+++ b/../evil.ts\n@@ -0,0 +1 @@\n+a\n";
    let (is_error, text) = mcp.call("check_patch", json!({ "unified_diff": diff }));
    assert!(is_error);
    assert!(
        text.starts_with("../evil.ts is outside the workspace"),
        "{text}"
    );
}

#[test]
fn allowed_dependencies_and_explain_match_the_cli() {
    let ws = workspace();
    let mut mcp = Mcp::start(ws.path(), &[]);
    let v = mcp.call_json(
        "allowed_dependencies",
        json!({ "path": "src/domain/new.ts" }),
    );
    let cli = layergate(
        ws.path(),
        &["allowed", "src/domain/new.ts", "--format", "json"],
    );
    assert!(cli.status.success());
    let cli: Value = serde_json::from_slice(&cli.stdout).unwrap();
    assert_eq!(v, cli);
    assert_eq!(v["path"], "src/domain/new.ts");
    assert_eq!(v["exists"], false);

    let (is_error, md) = mcp.call("explain", json!({}));
    assert!(!is_error, "{md}");
    let cli = layergate(ws.path(), &["explain"]);
    assert_eq!(md, String::from_utf8(cli.stdout).unwrap());
    assert!(md.contains("process-spawn"), "{md}");
}

#[test]
fn no_config_is_a_tool_error_and_root_flag_works() {
    let empty = tempfile::tempdir().unwrap();
    let mut mcp = Mcp::start(empty.path(), &[]);
    let (is_error, text) = mcp.call("check_files", json!({}));
    assert!(is_error);
    assert!(text.starts_with("no layergate.toml found in "), "{text}");
    let (is_error, text) = mcp.call("allowed_dependencies", json!({ "path": "src/a.ts" }));
    assert!(is_error);
    assert_eq!(
        text,
        "no layergate.toml governs src/a.ts; run `layergate init` at the workspace root to write one"
    );
    drop(mcp);

    // --root points the server at a workspace elsewhere
    let ws = workspace();
    let root = ws.path().to_str().unwrap().to_string();
    let mut mcp = Mcp::start(empty.path(), &["--root", &root]);
    let v = mcp.call_json("check_files", json!({}));
    assert_eq!(
        summary(&v),
        [s("layers", "src/domain/user.ts", 1, "src/infra/db.ts")]
    );
}

#[test]
fn broken_config_is_a_tool_error() {
    let ws = workspace();
    write(
        ws.path(),
        &[("layergate.toml", "[[modules]]\nnam = \"x\"\n")],
    );
    let mut mcp = Mcp::start(ws.path(), &[]);
    let (is_error, text) = mcp.call("check_files", json!({}));
    assert!(is_error);
    assert!(text.contains("layergate.toml:2:1: error:"), "{text}");
}

/// (rule, file, message) of each diagnostic.
fn messages(v: &Value) -> Vec<(String, String, String)> {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["file"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn check_patch_applies_the_config_and_judges_the_policy_as_the_ratchet() {
    let ws = workspace();
    let root = ws.path();
    let user = "import { db } from '../infra/db';\nexport interface User { name: string }\n";
    let db = "export const db = 1;\n";
    let mut mcp = Mcp::start(root, &[]);
    let mut patch = |changes: &[FileChange]| {
        mcp.call_json(
            "check_patch",
            json!({ "unified_diff": whole_file_diff(changes) }),
        )
    };

    // domain may import infra under the new order: the existing violation
    // is let through, and the patch's own domain → infra import is no
    // violation under the new config
    let loosened = CONFIG.replace(
        r#"order = ["app", "infra", "domain"]"#,
        r#"order = ["app", "domain", "infra"]"#,
    );
    let v = patch(&[
        ("layergate.toml", Some(CONFIG), Some(&loosened)),
        (
            "src/domain/order.ts",
            None,
            Some("import '../infra/db';\nexport const o = 1;\n"),
        ),
    ]);
    let m = messages(&v);
    assert_eq!(m.len(), 2, "{v}");
    assert_eq!(m[0].0, "policy");
    assert!(
        m[0].2.starts_with("let through by this patch's change to layergate.toml (`layers` no longer reports it): "),
        "{m:?}"
    );
    assert_eq!(m[0].1, "src/domain/order.ts", "{m:?}");
    assert_eq!(m[1].1, "src/domain/user.ts", "{m:?}");
    assert_eq!(
        v["removed"], 1,
        "the old violation is gone under the new config"
    );

    // a tightened config applies to the patched code: infra may use no
    // child_process now, and the patch's new import says so
    let tightened = CONFIG.replace(r#"allow_in = ["infra"]"#, r#"allow_in = ["app"]"#);
    let v = patch(&[
        ("layergate.toml", Some(CONFIG), Some(&tightened)),
        (
            "src/infra/db.ts",
            Some(db),
            Some("import { spawn } from 'child_process';\nexport const db = 1;\n"),
        ),
    ]);
    assert_eq!(
        summary(&v),
        [s(
            "process-spawn",
            "src/infra/db.ts",
            1,
            "node:child_process"
        )]
    );

    // a config that does not parse: its problems, nothing else
    let v = patch(&[(
        "layergate.toml",
        Some(CONFIG),
        Some(&CONFIG.replace("[layers]", "[layer]")),
    )]);
    let m = messages(&v);
    assert!(
        !m.is_empty()
            && m.iter().all(|(r, f, msg)| r == "config"
                && f == "layergate.toml"
                && msg.starts_with("the patched layergate.toml does not parse")),
        "{m:?}"
    );

    // the config deleted
    let v = patch(&[("layergate.toml", Some(CONFIG), None)]);
    assert_eq!(
        messages(&v),
        [(
            "policy".to_string(),
            "layergate.toml".to_string(),
            "the patch deletes layergate.toml: every rule of this workspace would stop".to_string()
        )]
    );

    // a suppression added (on the loaded workspace: an edit of a source)
    let v = patch(&[(
        "src/domain/user.ts",
        Some(user),
        Some("// layergate-ignore layers: needed\nimport { db } from '../infra/db';\nexport interface User { name: string }\n"),
    )]);
    let m = messages(&v);
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!(m[0].0, "policy");
    assert!(
        m[0].2
            .starts_with("suppression added by this patch: `layergate-ignore layers`"),
        "{m:?}"
    );
    assert_eq!(v["removed"], 1);

    // the baseline grown
    let out = layergate(root, &["check", "--write-baseline"]);
    assert!(out.status.success());
    let baseline = std::fs::read_to_string(root.join("layergate-baseline.json")).unwrap();
    let grown = baseline.replace("\"count\": 1", "\"count\": 2");
    assert_ne!(grown, baseline);
    let v = patch(&[("layergate-baseline.json", Some(&baseline), Some(&grown))]);
    let m = messages(&v);
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!(m[0].1, "layergate-baseline.json");
    assert!(
        m[0].2
            .starts_with("baseline grown by this patch: `layers` in `src/domain/user.ts`"),
        "{m:?}"
    );
    // shrinking it is fine
    let v = patch(&[(
        "layergate-baseline.json",
        Some(&baseline),
        Some("{\"version\": 1, \"entries\": []}\n"),
    )]);
    assert_eq!(messages(&v), []);
}

#[test]
fn check_patch_blocks_a_new_nested_config_that_splits_the_workspace() {
    let ws = workspace();
    let mut mcp = Mcp::start(ws.path(), &[]);
    let v = mcp.call_json(
        "check_patch",
        json!({ "unified_diff": whole_file_diff(&[("src/domain/layergate.toml", None, Some("[[modules]]\nname = \"d\"\npaths = [\"**\"]\n"))]) }),
    );
    let m = messages(&v);
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!(m[0].0, "policy");
    assert_eq!(m[0].1, "src/domain/layergate.toml");
    assert!(
        m[0].2.starts_with("a new layergate.toml in src/domain would take 1 checked file out of the rules of layergate.toml, letting through 1 violation"),
        "{m:?}"
    );
}

#[test]
fn check_patch_counts_suppressions_and_baselines_as_the_hook_does() {
    let ws = workspace();
    let root = ws.path();
    // agents may suppress with a reason here
    let config = format!("{CONFIG}\n[hooks]\nsuppressions = \"with-reason\"\n");
    let user = "// layergate-ignore layers: the old import, until the port exists\nimport { db } from '../infra/db';\n// layergate-ignore layers\nexport interface User { name: string }\n";
    write(
        root,
        &[("layergate.toml", &config), ("src/domain/user.ts", user)],
    );
    let mut mcp = Mcp::start(root, &[]);
    let mut patch = |changes: &[FileChange]| {
        mcp.call_json(
            "check_patch",
            json!({ "unified_diff": whole_file_diff(changes) }),
        )
    };
    // re-wording the one without a reason adds none
    let reworded = user.replace(
        "// layergate-ignore layers\n",
        "// layergate-ignore layers \n",
    );
    assert_eq!(
        messages(&patch(&[(
            "src/domain/user.ts",
            Some(user),
            Some(&reworded)
        )])),
        []
    );
    // a second one without a reason is added
    let more = format!("{user}// layergate-ignore layers\n");
    let m = messages(&patch(&[("src/domain/user.ts", Some(user), Some(&more))]));
    let policy: Vec<_> = m.iter().filter(|(r, _, _)| r == "policy").collect();
    assert_eq!(policy.len(), 1, "{m:?}");
    assert!(
        policy[0].2.starts_with("suppression added by this patch"),
        "{m:?}"
    );

    // a config naming another baseline, which holds more than the current
    let grown = r#"{"version": 1, "entries": [{"rule": "layers", "file": "src/domain/user.ts", "target": "src/infra/db.ts", "count": 5}]}"#;
    let moved = format!("[workspace]\nbaseline = \"b2.json\"\n{config}");
    let v = patch(&[
        ("layergate.toml", Some(&config), Some(&moved)),
        ("b2.json", None, Some(grown)),
    ]);
    let m = messages(&v);
    assert!(
        m.iter().any(|(r, f, msg)| r == "policy"
            && f == "b2.json"
            && msg.starts_with("baseline grown by this patch")),
        "{m:?}"
    );
}
