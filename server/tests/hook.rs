//! `layergate hook claude-code` end to end: the real binary, fed the JSON
//! Claude Code sends to a `PreToolUse` hook (the shape of its hooks
//! reference: common fields, `tool_name`, `tool_input`, `tool_use_id`), on a
//! copy of the bundled example (which has violations of its own).

use std::cell::RefCell;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

struct Shop {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    /// `XDG_RUNTIME_DIR` of every hook and server of this shop (their socket).
    run: PathBuf,
    /// The hook server of this shop, once a call needed it.
    server: RefCell<Option<Child>>,
}

impl Drop for Shop {
    fn drop(&mut self) {
        if let Some(mut child) = self.server.borrow_mut().take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Shop {
    /// Starts the shop's hook server (as the first hook call would) and
    /// waits until it listens.
    fn start_server(&self) {
        if self.server.borrow().is_some() {
            return;
        }
        let child = Command::new(env!("CARGO_BIN_EXE_layergate"))
            .arg("hook-server")
            .arg(self.root.join("layergate.toml"))
            .env("XDG_RUNTIME_DIR", &self.run)
            .env("LAYERGATE_NOW", "2026-06-01")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        *self.server.borrow_mut() = Some(child);
        wait_for(|| socket(&self.run).is_some(), "the hook server's socket");
    }
}

/// The socket of the only server under `run`, if it exists.
fn socket(run: &Path) -> Option<PathBuf> {
    std::fs::read_dir(run.join("layergate"))
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "sock"))
}

fn wait_for(cond: impl Fn() -> bool, what: &str) {
    let start = std::time::Instant::now();
    while !cond() {
        assert!(start.elapsed().as_secs() < 30, "waited 30 s for {what}");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let name = e.file_name();
        if name == ".layergate" {
            continue;
        }
        let (src, dst) = (e.path(), to.join(&name));
        if e.file_type().unwrap().is_dir() {
            copy_dir(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

fn shop() -> Shop {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("shop");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/shop"),
        &root,
    );
    let run = tmp.path().join("run");
    std::fs::create_dir(&run).unwrap();
    Shop {
        _tmp: tmp,
        root,
        run,
        server: RefCell::new(None),
    }
}

/// What Claude Code writes on the hook's stdin for one tool call.
fn call(shop: &Shop, tool: &str, tool_input: serde_json::Value) -> String {
    serde_json::json!({
        "session_id": "abc123",
        "transcript_path": "/home/u/.claude/projects/shop/00893aaf-19fa-41d2-8238-13269b9b3ca0.jsonl",
        "cwd": shop.root,
        "permission_mode": "default",
        "hook_event_name": "PreToolUse",
        "tool_name": tool,
        "tool_input": tool_input,
        "tool_use_id": "toolu_01ABC123"
    })
    .to_string()
}

fn hook(shop: &Shop, stdin: &str) -> Output {
    hook_for("claude-code", shop, stdin)
}

/// Runs the hook twice, judging the edit itself and asking the shop's hook
/// server, and asserts both give the same answer.
fn hook_for(agent: &str, shop: &Shop, stdin: &str) -> Output {
    let cold = hook_with(agent, shop, stdin, "off");
    shop.start_server();
    let served = hook_with(agent, shop, stdin, "require");
    assert_eq!(
        (cold.status.code(), stderr(&cold), &cold.stdout),
        (served.status.code(), stderr(&served), &served.stdout),
        "the hook server answers otherwise than the hook"
    );
    cold
}

fn hook_with(agent: &str, shop: &Shop, stdin: &str, server: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_layergate"))
        .args(["hook", agent])
        .current_dir(&shop.root)
        .env("LAYERGATE_NOW", "2026-06-01")
        .env("LAYERGATE_HOOK_SERVER", server)
        .env("XDG_RUNTIME_DIR", &shop.run)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Runs the hook on one `Edit` of `rel`.
fn edit(s: &Shop, rel: &str, old: &str, new: &str) -> Output {
    hook(
        s,
        &call(
            s,
            "Edit",
            serde_json::json!({"file_path": path(s, rel), "old_string": old, "new_string": new, "replace_all": false}),
        ),
    )
}

/// Runs the hook on one `Write` of `rel`.
fn write(s: &Shop, rel: &str, content: &str) -> Output {
    hook(
        s,
        &call(
            s,
            "Write",
            serde_json::json!({"file_path": path(s, rel), "content": content}),
        ),
    )
}

fn path(shop: &Shop, rel: &str) -> String {
    shop.root.join(rel).to_string_lossy().into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Blocked: exit status 2, the reason on stderr, nothing on stdout.
fn assert_blocked(o: &Output, needles: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "not blocked: {err}");
    assert!(o.stdout.is_empty());
    for n in needles {
        assert!(err.contains(n), "`{n}` not in:\n{err}");
    }
}

/// Allowed: exit status 0 and no output at all (no decision).
fn assert_allowed(o: &Output) {
    assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
    assert!(
        o.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(o.stderr.is_empty(), "{}", stderr(o));
}

const DOMAIN_IMPORTS_INFRA: &str = "import { SqlOrders } from \"../infra/orders\";\n\nexport const audit = () => new SqlOrders();\n";

#[test]
fn a_new_file_with_a_violation_is_blocked_with_rule_message_and_fix() {
    let s = shop();
    let o = write(&s, "src/domain/audit.ts", DOMAIN_IMPORTS_INFRA);
    assert_blocked(
        &o,
        &[
            "src/domain/audit.ts:1:1 error[layers]",
            "layer `domain` may not import `infra`",
            "how to fix: Invert the dependency",
        ],
    );
    assert!(
        !s.root.join("src/domain/audit.ts").exists(),
        "the hook wrote"
    );
}

#[test]
fn a_clean_new_file_is_allowed() {
    let s = shop();
    let clean = "import { money } from \"../shared/money\";\n\nexport const zero = money(0);\n";
    let o = write(&s, "src/domain/zero.ts", clean);
    assert_allowed(&o);
}

#[test]
fn an_edit_adding_a_violation_is_blocked() {
    let s = shop();
    let o = edit(
        &s,
        "src/domain/order/order.ts",
        "import { money } from \"../../shared/money\";",
        "import { money } from \"../../shared/money\";\nimport { SqlOrders } from \"../../infra/orders\";",
    );
    // the file's own violations (axios) exist already: only the new one is named
    assert_blocked(&o, &["src/domain/order/order.ts:4:1 error[layers]"]);
    assert!(!stderr(&o).contains("axios"), "{}", stderr(&o));
}

#[test]
fn a_multi_edit_adding_a_violation_is_blocked() {
    let s = shop();
    let o = hook(
        &s,
        &call(
            &s,
            "MultiEdit",
            serde_json::json!({
                "file_path": path(&s, "src/domain/ports.ts"),
                "edits": [
                    {"old_string": "export", "new_string": "import * as fs from \"node:fs\";\nexport", "replace_all": false},
                    {"old_string": "node:fs", "new_string": "fs"}
                ]
            }),
        ),
    );
    assert_blocked(&o, &["error[domain-is-pure]", "src/domain/ports.ts:3:1"]);
}

#[test]
fn an_edit_removing_a_violation_while_others_remain_is_allowed() {
    let s = shop();
    let o = edit(
        &s,
        "src/domain/order/order.ts",
        "import axios from \"axios\";\n",
        "",
    );
    assert_allowed(&o);
}

#[test]
fn an_added_suppression_is_blocked() {
    let s = shop();
    let o = edit(
        &s,
        "src/domain/order/order.ts",
        "import axios from \"axios\";",
        "import axios from \"axios\"; // layergate-ignore external: needed",
    );
    assert_blocked(&o, &["`layergate-ignore external`", "not the agent's"]);
}

#[test]
fn a_team_can_let_agents_suppress_with_a_reason() {
    let s = shop();
    // flipping the switch is itself loosening the policy
    let o = edit_config(
        &s,
        "[layers]",
        "[hooks]\nsuppressions = \"with-reason\"\n\n[layers]",
    );
    assert_blocked(&o, &["it loosens the policy", "with-reason"]);
    // set by a person
    let config = std::fs::read_to_string(s.root.join("layergate.toml")).unwrap();
    std::fs::write(
        s.root.join("layergate.toml"),
        format!("{config}\n[hooks]\nsuppressions = \"with-reason\"\n"),
    )
    .unwrap();
    let suppress = |reason: &str| {
        edit(
            &s,
            "src/domain/order/order.ts",
            "import axios from \"axios\";",
            &format!("import axios from \"axios\"; // layergate-ignore external{reason}"),
        )
    };
    assert_allowed(&suppress(": the HTTP client moves to infra in ARCH-7"));
    assert_blocked(
        &suppress(""),
        &["without a reason", "suppress with a real reason"],
    );
    assert_blocked(&suppress(": <reason>"), &["without a reason"]);
    // a value it does not know is a config error
    let o = edit_config(
        &s,
        "suppressions = \"with-reason\"",
        "suppressions = \"sometimes\"",
    );
    assert_blocked(
        &o,
        &["does not parse", "expected \"with-reason\" or \"block\""],
    );
    // switching it back is no loosening
    let o = edit_config(
        &s,
        "suppressions = \"with-reason\"",
        "suppressions = \"block\"",
    );
    assert_allowed(&o);
}

#[test]
fn files_layergate_does_not_check_are_allowed() {
    let s = shop();
    for (rel, content) in [
        // outside `include`
        ("scripts/seed.ts", DOMAIN_IMPORTS_INFRA),
        // not source
        ("README.md", "import x from './y'\n"),
    ] {
        let o = hook(
            &s,
            &call(
                &s,
                "Write",
                serde_json::json!({"file_path": path(&s, rel), "content": content}),
            ),
        );
        assert_allowed(&o);
    }
    // no layergate.toml governs it
    let elsewhere = tempfile::tempdir().unwrap();
    let o = hook(
        &s,
        &call(
            &s,
            "Write",
            serde_json::json!({"file_path": elsewhere.path().join("a.ts"), "content": DOMAIN_IMPORTS_INFRA}),
        ),
    );
    assert_allowed(&o);
}

#[test]
fn other_tools_and_events_are_not_judged() {
    let s = shop();
    let o = hook(
        &s,
        &call(&s, "Bash", serde_json::json!({"command": "rm -rf src"})),
    );
    assert_allowed(&o);
}

#[test]
fn malformed_input_is_a_clear_error_that_blocks_nothing() {
    let s = shop();
    for input in [
        "",
        "not json",
        "{\"tool_name\": \"Write\"}",
        "{\"tool_name\": \"Write\", \"tool_input\": {\"content\": \"x\"}}",
        "{\"tool_name\": \"Edit\", \"tool_input\": {\"file_path\": \"/x.ts\", \"old_string\": 1}}",
    ] {
        let o = hook(&s, input);
        assert_eq!(o.status.code(), Some(1), "{input}: {}", stderr(&o));
        assert!(
            stderr(&o).starts_with("layergate hook: "),
            "{input}: {}",
            stderr(&o)
        );
        assert!(o.stdout.is_empty());
    }
}

fn init_agent(dir: &Path) -> Output {
    init_for(dir, "claude-code")
}

/// `layergate init --agent AGENT` in `dir`.
fn init_for(dir: &Path, agent: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_layergate"))
        .args(["init", "--agent", agent])
        .current_dir(dir)
        .output()
        .unwrap()
}

/// A JSON settings file of the shop.
fn settings(s: &Shop, file: &str) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(s.root.join(file)).unwrap()).unwrap()
}

#[test]
fn init_installs_the_hook_into_existing_settings_once() {
    let s = shop();
    let claude = s.root.join(".claude");
    std::fs::create_dir_all(&claude).unwrap();
    let settings = claude.join("settings.json");
    std::fs::write(
        &settings,
        r#"{
  "permissions": { "allow": ["Bash(npm test)"] },
  "hooks": {
    "PostToolUse": [{ "matcher": "Write", "hooks": [{ "type": "command", "command": "prettier --write" }] }]
  },
  "model": "opus"
}
"#,
    )
    .unwrap();
    let config_before = std::fs::read_to_string(s.root.join("layergate.toml")).unwrap();
    let o = init_agent(&s.root);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // the existing layergate.toml is kept
    assert_eq!(
        std::fs::read_to_string(s.root.join("layergate.toml")).unwrap(),
        config_before
    );
    let text = std::fs::read_to_string(&settings).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    // what was there is there, in its order (serde_json's Value sorts keys:
    // the order is read from the text)
    let at = |k: &str| text.find(&format!("\"{k}\"")).unwrap();
    assert!(
        at("permissions") < at("hooks") && at("hooks") < at("model"),
        "{text}"
    );
    assert!(at("PostToolUse") < at("PreToolUse"), "{text}");
    assert_eq!(v["permissions"]["allow"][0], "Bash(npm test)");
    assert_eq!(
        v["hooks"]["PostToolUse"][0]["hooks"][0]["command"],
        "prettier --write"
    );
    let pre = &v["hooks"]["PreToolUse"];
    assert_eq!(pre.as_array().unwrap().len(), 1);
    assert_eq!(pre[0]["matcher"], "Write|Edit|MultiEdit");
    assert_eq!(pre[0]["hooks"][0]["command"], "layergate hook claude-code");
    // again: nothing changes
    let o = init_agent(&s.root);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&settings).unwrap(), text);
}

#[test]
fn init_with_an_agent_in_a_new_project_writes_both_and_refuses_broken_settings() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::create_dir_all(root.join("src/app")).unwrap();
    std::fs::write(root.join("src/app/main.ts"), "export const a = 1;\n").unwrap();
    let o = init_agent(root);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(root.join("layergate.toml").is_file());
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join(".claude/settings.json")).unwrap())
            .unwrap();
    assert_eq!(
        v["hooks"]["PreToolUse"][0]["hooks"][0]["command"],
        "layergate hook claude-code"
    );
    // settings that are not JSON are not touched
    std::fs::write(root.join(".claude/settings.json"), "{ not json").unwrap();
    let o = init_agent(root);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not valid JSON"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(root.join(".claude/settings.json")).unwrap(),
        "{ not json"
    );
}

fn edit_config(s: &Shop, old: &str, new: &str) -> Output {
    edit(s, "layergate.toml", old, new)
}

#[test]
fn a_loosened_config_is_blocked_and_a_harmless_one_allowed() {
    let s = shop();
    // a rule removed: its violation would go unreported
    let o = edit_config(
        &s,
        "to = [\"npm:axios\", \"node:fs\"]",
        "to = [\"node:fs\"]",
    );
    assert_blocked(
        &o,
        &[
            "it loosens the policy",
            "no longer reported: src/domain/order/order.ts",
            "[domain-is-pure]",
        ],
    );
    // a severity lowered
    let o = hook(
        &s,
        &call(
            &s,
            "Write",
            serde_json::json!({
                "file_path": path(&s, "layergate.toml"),
                "content": std::fs::read_to_string(s.root.join("layergate.toml")).unwrap() + "\n[checks]\npublic_api = \"warning\"\n"
            }),
        ),
    );
    assert_blocked(&o, &["now warning instead of error", "[public-api]"]);
    // a description changes nothing
    let o = edit_config(
        &s,
        "description = \"Business rules. No I/O.\"",
        "description = \"Business rules, no I/O.\"",
    );
    assert_allowed(&o);
    // a config that does not parse would stop every check
    let o = edit_config(&s, "[layers]", "[layers");
    assert_blocked(&o, &["does not parse"]);
    assert!(std::fs::read_to_string(s.root.join("layergate.toml"))
        .unwrap()
        .contains("[layers]"));
}

#[test]
fn a_grown_baseline_is_blocked_and_a_shrunk_one_allowed() {
    let s = shop();
    let baseline = s.root.join("layergate-baseline.json");
    let entry = |rule: &str, file: &str, target: &str, n: u32| serde_json::json!({"rule": rule, "file": file, "target": target, "count": n});
    let doc = |entries: Vec<serde_json::Value>| {
        serde_json::json!({"version": 1, "entries": entries}).to_string()
    };
    std::fs::write(
        &baseline,
        doc(vec![
            entry("external", "src/domain/order/order.ts", "axios", 1),
            entry("no-eval", "src/app/checkout.ts", "eval", 1),
        ]),
    )
    .unwrap();
    let write_baseline = |content: String| write(&s, "layergate-baseline.json", &content);
    let o = write_baseline(doc(vec![
        entry("external", "src/domain/order/order.ts", "axios", 1),
        entry("no-eval", "src/app/checkout.ts", "eval", 1),
        entry("layers", "src/domain/audit.ts", "src/infra/orders.ts", 1),
    ]));
    assert_blocked(&o, &["records violations", "layers in src/domain/audit.ts"]);
    let o = write_baseline(doc(vec![entry(
        "external",
        "src/domain/order/order.ts",
        "axios",
        1,
    )]));
    assert_allowed(&o);
}

/// What Gemini CLI writes on a `BeforeTool` hook's stdin (its hooks
/// reference: common fields, `tool_name`, `tool_input`, `mcp_context`).
fn gemini_call(shop: &Shop, tool: &str, tool_input: serde_json::Value) -> String {
    serde_json::json!({
        "session_id": "s-1",
        "transcript_path": "/home/u/.gemini/tmp/shop/chats/session.json",
        "cwd": shop.root,
        "hook_event_name": "BeforeTool",
        "timestamp": "2026-06-01T10:00:00.000Z",
        "tool_name": tool,
        "tool_input": tool_input,
        "mcp_context": null
    })
    .to_string()
}

#[test]
fn gemini_cli_calls_are_judged_in_its_format() {
    let s = shop();
    let g = |tool: &str, input: serde_json::Value| {
        hook_for("gemini", &s, &gemini_call(&s, tool, input))
    };
    // write_file with a violation: blocked, reason on stderr, nothing on stdout
    let o = g(
        "write_file",
        serde_json::json!({"file_path": path(&s, "src/domain/audit.ts"), "content": DOMAIN_IMPORTS_INFRA}),
    );
    assert_blocked(&o, &["src/domain/audit.ts:1:1 error[layers]"]);
    // replace adding one
    let o = g(
        "replace",
        serde_json::json!({
            "file_path": path(&s, "src/domain/order/order.ts"),
            "old_string": "import { money } from \"../../shared/money\";",
            "new_string": "import { money } from \"../../shared/money\";\nimport { SqlOrders } from \"../../infra/orders\";",
            "expected_replacements": 1
        }),
    );
    assert_blocked(&o, &["src/domain/order/order.ts:4:1 error[layers]"]);
    // allowed: exit 0 and an empty JSON object (Gemini CLI parses stdout)
    let o = g(
        "write_file",
        serde_json::json!({"file_path": path(&s, "src/domain/zero.ts"), "content": "export const zero = 0;\n"}),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout), "{}\n");
    // a replace the tool will refuse (two occurrences, one expected) is not judged
    let o = g(
        "replace",
        serde_json::json!({
            "file_path": path(&s, "src/domain/ports.ts"),
            "old_string": "order",
            "new_string": "../../infra/orders"
        }),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // unreadable input
    let o = hook_for("gemini", &s, "{}");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).starts_with("layergate hook: "), "{}", stderr(&o));
}

#[test]
fn init_installs_the_gemini_hook() {
    let s = shop();
    let o = init_for(&s.root, "gemini");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = settings(&s, ".gemini/settings.json");
    let entry = &v["hooks"]["BeforeTool"][0];
    assert_eq!(entry["matcher"], "write_file|replace");
    assert_eq!(entry["hooks"][0]["command"], "layergate hook gemini");
    assert_eq!(entry["hooks"][0]["timeout"], 30000);
}

/// Writes a file of the shop on disk (not through the hook).
fn put(s: &Shop, rel: &str, text: &str) {
    let p = s.root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

#[test]
fn the_hook_server_follows_the_disk_between_calls() {
    let s = shop();
    let alias = |to: &str| {
        put(
            &s,
            "tsconfig.json",
            &format!(
                r#"{{"compilerOptions": {{"baseUrl": ".", "paths": {{"@infra/*": ["src/{to}/*"]}}}}}}"#
            ),
        )
    };
    alias("shared");
    // metadata older than the server's settling time vouches for content:
    // the changes below are seen through it, not through hashing every file
    std::thread::sleep(std::time::Duration::from_millis(2100));
    s.start_server();
    // a first call waits for the server's load
    let money = std::fs::read_to_string(s.root.join("src/shared/money.ts")).unwrap();
    assert_allowed(&write(&s, "src/shared/money.ts", &money));
    // a new file on disk, with a violation of its own: writing it again adds none
    put(&s, "src/domain/extra.ts", DOMAIN_IMPORTS_INFRA);
    assert_allowed(&write(&s, "src/domain/extra.ts", DOMAIN_IMPORTS_INFRA));
    // in a new directory, imported by a new file
    put(&s, "src/infra/deep/deep.ts", "export class Deep {}\n");
    assert_blocked(
        &write(
            &s,
            "src/domain/deep_user.ts",
            "import { Deep } from \"../infra/deep/deep\";\nexport const d = () => new Deep();\n",
        ),
        &["error[layers]", "src/infra/deep/deep.ts"],
    );
    // an existing file gains a violation on disk: rewriting it is no new one
    let order = std::fs::read_to_string(s.root.join("src/domain/order/order.ts")).unwrap();
    let with_violation = format!("import {{ SqlOrders }} from \"../../infra/orders\";\n{order}");
    put(&s, "src/domain/order/order.ts", &with_violation);
    assert_allowed(&write(&s, "src/domain/order/order.ts", &with_violation));
    // the file with the violation is deleted: writing it is a new violation
    std::fs::remove_file(s.root.join("src/domain/extra.ts")).unwrap();
    assert_blocked(
        &write(&s, "src/domain/extra.ts", DOMAIN_IMPORTS_INFRA),
        &["error[layers]"],
    );
    // a tsconfig path alias changes: in an existing file, `@infra/orders`
    // resolved into shared (where it names nothing), and now into infra
    let ports = std::fs::read_to_string(s.root.join("src/domain/ports.ts")).unwrap();
    let aliased = format!("import {{ SqlOrders }} from \"@infra/orders\";\n{ports}");
    let o = write(&s, "src/domain/ports.ts", &aliased);
    assert!(!stderr(&o).contains("error[layers]"), "{}", stderr(&o));
    alias("infra");
    assert_blocked(
        &write(&s, "src/domain/ports.ts", &aliased),
        &["error[layers]", "src/infra/orders.ts"],
    );
    // an empty folder made now, a file written into it once the folder's
    // metadata has settled: the server sees the file (its existing violation
    // is no new one)
    std::fs::create_dir(s.root.join("src/domain/later")).unwrap();
    assert_allowed(&write(&s, "src/shared/money.ts", &money));
    std::thread::sleep(std::time::Duration::from_millis(2100));
    assert_allowed(&write(&s, "src/shared/money.ts", &money));
    put(&s, "src/domain/later/x.ts", DOMAIN_IMPORTS_INFRA);
    assert_allowed(&write(&s, "src/domain/later/x.ts", DOMAIN_IMPORTS_INFRA));
    // the config lets domain import infra: the server reloads it
    let config = std::fs::read_to_string(s.root.join("layergate.toml")).unwrap();
    put(
        &s,
        "layergate.toml",
        &config.replace(
            r#"order = ["app", "infra", "domain"]"#,
            r#"order = ["app", "domain", "infra"]"#,
        ),
    );
    assert_allowed(&write(&s, "src/domain/deep_user2.ts", DOMAIN_IMPORTS_INFRA));
}

#[test]
fn the_first_hook_call_starts_a_server_that_leaves_with_its_workspace() {
    let s = shop();
    let call = call(
        &s,
        "Write",
        serde_json::json!({"file_path": path(&s, "src/domain/audit.ts"), "content": DOMAIN_IMPORTS_INFRA}),
    );
    // no server: the call judges the edit itself and starts one
    let first = hook_with("claude-code", &s, &call, "auto");
    assert_blocked(&first, &["error[layers]"]);
    wait_for(|| socket(&s.run).is_some(), "the started server's socket");
    let served = hook_with("claude-code", &s, &call, "require");
    assert_eq!(stderr(&first), stderr(&served));
    // the checkout goes away: so does its server, and its socket
    std::fs::remove_dir_all(&s.root).unwrap();
    wait_for(|| socket(&s.run).is_none(), "the server to leave");
}

/// What Codex writes on the hook's stdin for one `apply_patch` call.
fn codex_call(shop: &Shop, patch: &str) -> String {
    serde_json::json!({
        "session_id": "019a-codex",
        "turn_id": "turn-1",
        "transcript_path": null,
        "cwd": shop.root,
        "hook_event_name": "PreToolUse",
        "model": "gpt-5-codex",
        "permission_mode": "default",
        "tool_name": "apply_patch",
        "tool_input": { "command": patch },
        "tool_use_id": "call_1"
    })
    .to_string()
}

#[test]
fn codex_patches_are_judged_file_by_file() {
    let s = shop();
    let c = |patch: &str| hook_for("codex", &s, &codex_call(&s, patch));
    // a new file with a violation: blocked, the reason on stderr (non-empty,
    // or Codex ignores the exit status)
    let o = c("*** Begin Patch\n*** Add File: src/domain/audit.ts\n+import { SqlOrders } from \"../infra/orders\";\n+\n+export const audit = () => new SqlOrders();\n*** End Patch\n");
    assert_blocked(&o, &["src/domain/audit.ts:1:1 error[layers]", "how to fix"]);
    // an update adding one, beside a clean new file and a deletion
    let o = c("*** Begin Patch\n*** Add File: src/shared/fmt.ts\n+export const fmt = (n: number) => `${n}`;\n*** Update File: src/domain/ports.ts\n@@\n import type { Order } from \"./order/order\";\n+import { SqlOrders } from \"../infra/orders\";\n*** Delete File: src/app/config.ts\n*** End Patch\n");
    assert_blocked(&o, &["src/domain/ports.ts:2:1 error[layers]"]);
    assert!(!stderr(&o).contains("fmt.ts"), "{}", stderr(&o));
    // an update removing a violation while others remain: allowed
    let o = c("*** Begin Patch\n*** Update File: src/domain/order/order.ts\n@@ import { z } from \"zod\";\n-import axios from \"axios\";\n*** End Patch\n");
    assert_allowed(&o);
    // a move keeps the gate on the new path
    let o = c("*** Begin Patch\n*** Update File: src/shared/money.ts\n*** Move to: src/domain/money2.ts\n@@\n+import { SqlOrders } from \"../infra/orders\";\n*** End Patch\n");
    assert_blocked(&o, &["src/domain/money2.ts", "error[layers]"]);
    // a patch that would not apply is Codex's to refuse: allowed
    assert_allowed(&c(
        "*** Begin Patch\n*** Update File: src/domain/ports.ts\n-no such line\n+x\n*** End Patch\n",
    ));
    // other tools are not judged
    let shell = serde_json::json!({"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": "ls"}, "cwd": s.root});
    assert_allowed(&hook_for("codex", &s, &shell.to_string()));
    // a malformed patch: a clear error (exit 1, which Codex does not read as a block)
    let o = c("diff --git a/x b/x\n");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).starts_with("layergate hook: "), "{}", stderr(&o));
}

#[test]
fn cursor_and_windsurf_calls_are_judged_in_their_formats() {
    let s = shop();
    // Cursor: the decision is JSON on stdout, exit status 0
    let cursor = |tool: &str, input: serde_json::Value| {
        let call = serde_json::json!({
            "conversation_id": "c-1", "generation_id": "g-1", "model": "auto",
            "hook_event_name": "preToolUse", "cursor_version": "2.4.0",
            "workspace_roots": [s.root], "user_email": null, "transcript_path": null,
            "tool_name": tool, "tool_input": input, "tool_use_id": "t-1", "cwd": s.root,
            "agent_message": ""
        });
        hook_for("cursor", &s, &call.to_string())
    };
    let o = cursor(
        "Write",
        serde_json::json!({"file_path": path(&s, "src/domain/audit.ts"), "content": DOMAIN_IMPORTS_INFRA}),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let answer: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(answer["permission"], "deny");
    assert!(answer["agent_message"]
        .as_str()
        .unwrap()
        .contains("error[layers]"));
    assert!(answer["user_message"]
        .as_str()
        .unwrap()
        .starts_with("layergate blocked this edit of src/domain/audit.ts"));
    assert_allowed(&cursor(
        "Write",
        serde_json::json!({"file_path": path(&s, "src/domain/clean.ts"), "content": "export const c = 1;\n"}),
    ));
    let o = cursor(
        "StrReplace",
        serde_json::json!({"file_path": path(&s, "src/domain/ports.ts"), "old_string": "export interface", "new_string": "import { SqlOrders } from \"../infra/orders\";\nexport interface"}),
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("\"deny\""));
    assert_allowed(&cursor("Shell", serde_json::json!({"command": "ls"})));

    // Windsurf: `pre_write_code` with `edits`; blocking is exit status 2
    let windsurf = |file: &str, edits: serde_json::Value| {
        let call = serde_json::json!({
            "agent_action_name": "pre_write_code", "trajectory_id": "tr-1",
            "execution_id": "ex-1", "timestamp": "2026-06-01T10:00:00Z",
            "tool_info": {"file_path": path(&s, file), "edits": edits}
        });
        hook_for("windsurf", &s, &call.to_string())
    };
    assert_blocked(
        &windsurf(
            "src/domain/ports.ts",
            serde_json::json!([{"old_string": "export interface", "new_string": "import { SqlOrders } from \"../infra/orders\";\nexport interface"}]),
        ),
        &["src/domain/ports.ts:3:1 error[layers]"],
    );
    assert_blocked(
        &windsurf(
            "src/domain/new.ts",
            serde_json::json!([{"old_string": "", "new_string": DOMAIN_IMPORTS_INFRA}]),
        ),
        &["error[layers]"],
    );
    assert_allowed(&windsurf(
        "src/domain/ports.ts",
        serde_json::json!([{"old_string": "save(order: Order)", "new_string": "store(order: Order)"}]),
    ));
}

#[test]
fn init_installs_the_codex_cursor_and_windsurf_hooks() {
    let s = shop();
    let init = |agent: &str| {
        let o = init_for(&s.root, agent);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    };
    let read = |file: &str| settings(&s, file);
    init("codex");
    let codex = read(".codex/hooks.json");
    assert_eq!(codex["hooks"]["PreToolUse"][0]["matcher"], "apply_patch");
    assert_eq!(
        codex["hooks"]["PreToolUse"][0]["hooks"][0]["command"],
        "layergate hook codex"
    );
    // Cursor's file has a version and flat entries; an existing one is kept
    std::fs::create_dir_all(s.root.join(".cursor")).unwrap();
    std::fs::write(
        s.root.join(".cursor/hooks.json"),
        r#"{"version": 1, "hooks": {"afterFileEdit": [{"command": "./format.sh"}]}}"#,
    )
    .unwrap();
    init("cursor");
    init("cursor");
    let cursor = read(".cursor/hooks.json");
    assert_eq!(cursor["version"], 1);
    assert_eq!(
        cursor["hooks"]["afterFileEdit"][0]["command"],
        "./format.sh"
    );
    assert_eq!(cursor["hooks"]["preToolUse"].as_array().unwrap().len(), 1);
    assert_eq!(
        cursor["hooks"]["preToolUse"][0]["command"],
        "layergate hook cursor"
    );
    init("windsurf");
    let windsurf = read(".windsurf/hooks.json");
    assert_eq!(
        windsurf["hooks"]["pre_write_code"][0]["command"],
        "layergate hook windsurf"
    );
}

/// The served gate judges a file reached through a symlinked folder as the
/// hook alone does (the server's root is canonical, the agent's path is not).
#[test]
fn a_workspace_reached_through_a_symlink_is_judged_all_the_same() {
    let real = shop();
    let link = real._tmp.path().join("link");
    std::os::unix::fs::symlink(&real.root, &link).unwrap();
    let s = Shop {
        _tmp: tempfile::tempdir().unwrap(),
        root: link,
        run: real.run.clone(),
        server: RefCell::new(None),
    };
    assert_blocked(
        &write(&s, "src/domain/audit.ts", DOMAIN_IMPORTS_INFRA),
        &["error[layers]"],
    );
}

/// What Cline writes on its `PreToolUse` hook's stdin for one tool call.
fn cline_call(shop: &Shop, tool: &str, parameters: serde_json::Value) -> String {
    serde_json::json!({
        "clineVersion": "3.40.0",
        "hookName": "PreToolUse",
        "timestamp": "1780308000000",
        "taskId": "task-1",
        "workspaceRoots": [shop.root],
        "userId": "u-1",
        "preToolUse": { "toolName": tool, "parameters": parameters }
    })
    .to_string()
}

/// Cline's answer: exit status 0 and a JSON decision on stdout; `Some` of
/// the reason when it cancels the call.
fn cline_answer(o: &Output) -> Option<String> {
    assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)));
    match v["cancel"].as_bool() {
        Some(true) => Some(v["errorMessage"].as_str().unwrap().to_string()),
        Some(false) => None,
        None => panic!("no `cancel` in {v}"),
    }
}

fn search_replace(search: &str, replace: &str) -> String {
    format!("------- SEARCH\n{search}\n=======\n{replace}\n+++++++ REPLACE\n")
}

#[test]
fn cline_calls_are_judged_in_its_format() {
    let s = shop();
    let c = |tool: &str, params: serde_json::Value| {
        hook_for("cline", &s, &cline_call(&s, tool, params))
    };
    // a new file with a violation, by a path relative to the workspace root
    let reason = cline_answer(&c(
        "write_to_file",
        serde_json::json!({"path": "src/domain/audit.ts", "content": DOMAIN_IMPORTS_INFRA}),
    ))
    .expect("blocked");
    assert!(
        reason.contains("src/domain/audit.ts:1:1 error[layers]"),
        "{reason}"
    );
    assert!(reason.contains("how to fix:"), "{reason}");
    // a clean new file
    assert_eq!(
        cline_answer(&c(
            "write_to_file",
            serde_json::json!({"path": path(&s, "src/domain/clean.ts"), "content": "export const c = 1;\n"}),
        )),
        None
    );
    // an edit adding a violation, in SEARCH/REPLACE blocks
    let diff = search_replace(
        "export interface OrderRepository {",
        "import { SqlOrders } from \"../infra/orders\";\nexport interface OrderRepository {",
    );
    let reason = cline_answer(&c(
        "replace_in_file",
        serde_json::json!({"path": "src/domain/ports.ts", "diff": diff}),
    ))
    .expect("blocked");
    assert!(
        reason.contains("src/domain/ports.ts:3:1 error[layers]"),
        "{reason}"
    );
    // an edit removing a violation while others remain
    assert_eq!(
        cline_answer(&c(
            "replace_in_file",
            serde_json::json!({"path": "src/domain/order/order.ts", "diff": search_replace("import axios from \"axios\";", "")}),
        )),
        None
    );
    // an added suppression
    let reason = cline_answer(&c(
        "replace_in_file",
        serde_json::json!({"path": "src/domain/order/order.ts", "diff": search_replace("import axios from \"axios\";", "import axios from \"axios\"; // layergate-ignore external: needed")}),
    ))
    .expect("blocked");
    assert!(reason.contains("`layergate-ignore external`"), "{reason}");
    // a loosened layergate.toml
    let reason = cline_answer(&c(
        "replace_in_file",
        serde_json::json!({"path": "layergate.toml", "diff": search_replace("to = [\"npm:axios\", \"node:fs\"]", "to = [\"node:fs\"]")}),
    ))
    .expect("blocked");
    assert!(reason.contains("it loosens the policy"), "{reason}");
    // a file layergate does not check, another tool
    assert_eq!(
        cline_answer(&c(
            "write_to_file",
            serde_json::json!({"path": "README.md", "content": "import '../infra/orders';\n"}),
        )),
        None
    );
    assert_eq!(
        cline_answer(&c("execute_command", serde_json::json!({"command": "ls"}))),
        None
    );
    // a SEARCH that matches nothing is an edit Cline does not make
    assert_eq!(
        cline_answer(&c(
            "replace_in_file",
            serde_json::json!({"path": "src/domain/ports.ts", "diff": search_replace("no such line", "import '../infra/orders';")}),
        )),
        None
    );
    // malformed input: the call goes on, and stderr says why it was not judged
    for bad in ["not json", r#"{"hookName": "PreToolUse"}"#] {
        let o = hook_with("cline", &s, bad, "off");
        assert_eq!(cline_answer(&o), None);
        assert!(
            stderr(&o).starts_with("layergate hook: stdin is not a Cline hook call"),
            "{}",
            stderr(&o)
        );
    }
    let o = hook_with(
        "cline",
        &s,
        &cline_call(
            &s,
            "replace_in_file",
            serde_json::json!({"path": "src/domain/ports.ts", "diff": "------- SEARCH\nx\n"}),
        ),
        "off",
    );
    assert_eq!(cline_answer(&o), None);
    assert!(stderr(&o).contains("has no `=======`"), "{}", stderr(&o));
}

#[test]
fn init_installs_the_cline_hook_script_that_cline_runs() {
    let s = shop();
    let init = || init_for(&s.root, "cline");
    let o = init();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let script = s.root.join(".clinerules/hooks/PreToolUse");
    let text = std::fs::read_to_string(&script).unwrap();
    assert!(text.starts_with("#!/bin/sh\n") && text.contains("exec layergate hook cline"));
    // run it as Cline does: the file itself, the call on stdin, layergate on PATH
    let bin = Path::new(env!("CARGO_BIN_EXE_layergate")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut child = Command::new(&script)
        .current_dir(&s.root)
        .env("PATH", path)
        .env("LAYERGATE_HOOK_SERVER", "off")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(
            cline_call(
                &s,
                "write_to_file",
                serde_json::json!({"path": "src/domain/audit.ts", "content": DOMAIN_IMPORTS_INFRA}),
            )
            .as_bytes(),
        )
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(cline_answer(&o).expect("blocked").contains("error[layers]"));
    // again: unchanged; a script of the user's in its place is left alone
    let o = init();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("not changed"));
    std::fs::write(&script, "#!/bin/sh\necho '{\"cancel\": false}'\n").unwrap();
    let o = init();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("does not run layergate"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read_to_string(&script).unwrap(),
        "#!/bin/sh\necho '{\"cancel\": false}'\n"
    );
}

/// What GitHub Copilot writes on its `preToolUse` hook's stdin (camelCase;
/// `toolArgs` as the JSON string its documentation shows, or as an object).
fn copilot_call(shop: &Shop, tool: &str, args: serde_json::Value, as_string: bool) -> String {
    serde_json::json!({
        "timestamp": 1780308000000u64,
        "cwd": shop.root,
        "toolName": tool,
        "toolArgs": if as_string { serde_json::Value::from(args.to_string()) } else { args },
    })
    .to_string()
}

/// Copilot's answer: exit status 0; `Some` of the reason when stdout denies,
/// `None` when it is empty.
fn copilot_answer(o: &Output) -> Option<String> {
    assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
    if o.stdout.is_empty() {
        return None;
    }
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["permissionDecision"], "deny", "{v}");
    Some(v["permissionDecisionReason"].as_str().unwrap().to_string())
}

#[test]
fn copilot_calls_are_judged_in_its_format() {
    let s = shop();
    let c = |tool: &str, args: serde_json::Value, as_string: bool| {
        copilot_answer(&hook_for(
            "copilot",
            &s,
            &copilot_call(&s, tool, args, as_string),
        ))
    };
    let ports_import =
        "import { SqlOrders } from \"../infra/orders\";\nexport interface OrderRepository {";
    // a new file with a violation (relative to cwd), toolArgs as a string
    let reason = c(
        "create",
        serde_json::json!({"path": "src/domain/audit.ts", "file_text": DOMAIN_IMPORTS_INFRA}),
        true,
    )
    .expect("blocked");
    assert!(
        reason.contains("src/domain/audit.ts:1:1 error[layers]"),
        "{reason}"
    );
    // a clean new file, toolArgs as an object
    assert_eq!(
        c(
            "create",
            serde_json::json!({"path": path(&s, "src/domain/clean.ts"), "file_text": "export const c = 1;\n"}),
            false,
        ),
        None
    );
    // edits adding a violation: `edit`, and the older `str_replace_editor`
    let reason = c(
        "edit",
        serde_json::json!({"path": "src/domain/ports.ts", "old_str": "export interface OrderRepository {", "new_str": ports_import}),
        true,
    )
    .expect("blocked");
    assert!(
        reason.contains("src/domain/ports.ts:3:1 error[layers]"),
        "{reason}"
    );
    assert!(c(
        "str_replace_editor",
        serde_json::json!({"command": "insert", "path": "src/domain/ports.ts", "insert_line": 1, "new_str": "import { SqlOrders } from \"../infra/orders\";"}),
        false,
    )
    .is_some());
    // an edit removing a violation while others remain; an added suppression
    assert_eq!(
        c(
            "edit",
            serde_json::json!({"path": "src/domain/order/order.ts", "old_str": "import axios from \"axios\";\n", "new_str": ""}),
            true,
        ),
        None
    );
    let reason = c(
        "edit",
        serde_json::json!({"path": "src/domain/order/order.ts", "old_str": "import axios from \"axios\";", "new_str": "import axios from \"axios\"; // layergate-ignore external: needed"}),
        true,
    )
    .expect("blocked");
    assert!(reason.contains("`layergate-ignore external`"), "{reason}");
    // a loosened layergate.toml
    let reason = c(
        "edit",
        serde_json::json!({"path": "layergate.toml", "old_str": "to = [\"npm:axios\", \"node:fs\"]", "new_str": "to = [\"node:fs\"]"}),
        true,
    )
    .expect("blocked");
    assert!(reason.contains("it loosens the policy"), "{reason}");
    // apply_patch, in Codex's format
    let patch = "*** Begin Patch\n*** Add File: src/domain/p.ts\n+import { SqlOrders } from \"../infra/orders\";\n+export const p = SqlOrders;\n*** End Patch\n";
    assert!(c("apply_patch", serde_json::json!({"input": patch}), true).is_some());
    // files layergate does not check, other tools
    assert_eq!(
        c(
            "create",
            serde_json::json!({"path": "NOTES.md", "file_text": "x"}),
            true
        ),
        None
    );
    assert_eq!(
        c("bash", serde_json::json!({"command": "rm -rf dist"}), true),
        None
    );
    // the Claude Code-compatible form (event `PreToolUse`)
    let claude_form = call(
        &s,
        "Write",
        serde_json::json!({"file_path": path(&s, "src/domain/audit.ts"), "content": DOMAIN_IMPORTS_INFRA}),
    );
    assert!(copilot_answer(&hook_for("copilot", &s, &claude_form)).is_some());
    // malformed input: exit 0 (any other status would deny every edit), why on stderr
    for bad in ["not json", r#"{"cwd": "/"}"#] {
        let o = hook_with("copilot", &s, bad, "off");
        assert_eq!(copilot_answer(&o), None);
        assert!(
            stderr(&o).starts_with("layergate hook: stdin is not a Copilot hook call"),
            "{}",
            stderr(&o)
        );
    }
}

#[test]
fn cline_sdk_tools_are_judged_too() {
    let s = shop();
    let c = |tool: &str, params: serde_json::Value| {
        cline_answer(&hook_for("cline", &s, &cline_call(&s, tool, params)))
    };
    // the SDK's editor: a replacement, an insertion, a new file
    assert!(c("editor", serde_json::json!({"path": "src/domain/ports.ts", "old_text": "export interface OrderRepository {", "new_text": "import { SqlOrders } from \"../infra/orders\";\nexport interface OrderRepository {"})).is_some());
    assert!(c("editor", serde_json::json!({"path": "src/domain/ports.ts", "insert_line": "1", "new_text": "import { SqlOrders } from \"../infra/orders\";"})).is_some());
    assert!(c(
        "editor",
        serde_json::json!({"path": "src/domain/fresh.ts", "new_text": DOMAIN_IMPORTS_INFRA})
    )
    .is_some());
    assert_eq!(
        c(
            "editor",
            serde_json::json!({"path": "src/domain/fresh.ts", "new_text": "export const f = 1;\n"})
        ),
        None
    );
    // apply_patch in Codex's format; write_to_file with absolutePath
    let patch = "*** Begin Patch\n*** Update File: src/domain/ports.ts\n@@\n-export interface OrderRepository {\n+import { SqlOrders } from \"../infra/orders\";\n+export interface OrderRepository {\n*** End Patch\n";
    assert!(c("apply_patch", serde_json::json!({"input": patch})).is_some());
    assert!(c("write_to_file", serde_json::json!({"absolutePath": path(&s, "src/domain/a.ts"), "content": DOMAIN_IMPORTS_INFRA})).is_some());
}

#[test]
fn init_installs_the_copilot_hook() {
    let s = shop();
    for _ in 0..2 {
        let o = init_for(&s.root, "copilot");
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    let v = settings(&s, ".github/hooks/layergate.json");
    assert_eq!(v["version"], 1);
    let pre = v["hooks"]["preToolUse"].as_array().unwrap();
    assert_eq!(pre.len(), 1, "installed once: {v}");
    assert_eq!(pre[0]["bash"], "layergate hook copilot");
    assert_eq!(pre[0]["type"], "command");
}

#[test]
fn a_new_nested_config_that_takes_files_out_of_the_rules_is_blocked() {
    let s = shop();
    let o = write(
        &s,
        "src/domain/layergate.toml",
        "[[modules]]\nname = \"all\"\npaths = [\"**\"]\n",
    );
    assert_blocked(
        &o,
        &[
            "a new layergate.toml in src/domain would take",
            "checked files out of the rules of layergate.toml",
            "letting through",
            "src/domain/order/order.ts",
        ],
    );
    // where no checked file lies below it, it takes nothing away
    assert_allowed(&write(
        &s,
        "tools/layergate.toml",
        "[[modules]]\nname = \"t\"\npaths = [\"**\"]\n",
    ));
}
