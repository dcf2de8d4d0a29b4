//! `layergate lsp` under abuse, each test against the real binary over stdio:
//! malformed frames, messages that are not JSON-RPC, protocol misuse,
//! impossible edits, floods, dying clients, `shutdown` during indexing.
//!
//! What the transport (tower-lsp-server 0.23 on tokio-util 0.7) does with a
//! frame it cannot decode — bad headers, a bad or missing `Content-Length`,
//! a bad charset, a body that is not UTF-8, not JSON or not JSON-RPC — is one
//! error response with id `null` (-32700, or -32600 when the body is JSON but
//! not a JSON-RPC message), after which it stops reading: the frames behind
//! it are never answered, even when the framing could resync, and the server
//! exits with status 1. Every read here is bounded (a few seconds).

#[path = "lsp_client.rs"]
mod client;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use client::{
    check_rows, diff, lsp_command, read_lossy, spawn_lsp, uri, write_files, Client,
    LAYERED as CONFIG,
};
use serde_json::{json, Value};

/// The longest any single read waits.
const READ: Duration = Duration::from_secs(10);

const BAD: &str = "import { v } from '../ui/view';\nexport const bad = v;\n";

/// A workspace whose only violation is `src/domain/bad.ts` line 1 (layers).
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("layergate-abuse-")
        .tempdir()
        .expect("temp dir");
    write_files(
        dir.path(),
        &[
            ("layergate.toml", CONFIG),
            ("src/ui/view.ts", "export const v = 1;\n"),
            ("src/domain/bad.ts", BAD),
            ("src/domain/clean.ts", "export const clean = 1;\n"),
            ("src/infra/db.ts", "export const db = 1;\n"),
        ],
    );
    dir
}

fn root_of(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().canonicalize().expect("canonical temp dir")
}

/// A client that can write any bytes.
struct Raw {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: Receiver<Value>,
    next_id: i64,
    /// Every message the server sent, in order (server requests answered).
    seen: Vec<Value>,
    diagnostics: BTreeMap<String, Vec<Value>>,
}

impl Raw {
    fn spawn(root: &Path) -> Raw {
        let (child, stdin, rx) = spawn_lsp(root);
        Raw {
            stdin,
            child,
            rx,
            next_id: 1,
            seen: Vec::new(),
            diagnostics: BTreeMap::new(),
        }
    }

    fn write(&mut self, bytes: &[u8]) {
        if let Some(s) = &mut self.stdin {
            let _ = s.write_all(bytes);
            let _ = s.flush();
        }
    }

    fn send(&mut self, msg: &Value) {
        let body = msg.to_string();
        self.write(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request without waiting; returns its id.
    fn request_id(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        let mut msg = json!({ "jsonrpc": "2.0", "id": id, "method": method });
        if !params.is_null() {
            msg["params"] = params;
        }
        self.send(&msg);
        id
    }

    /// Sends a request and waits (bounded) for its response.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.request_id(method, params);
        self.response(&json!(id))
            .unwrap_or_else(|| panic!("no response to {method}; seen {:?}", self.seen))
    }

    /// The next message, or `None` after `READ` or at EOF; answers server
    /// requests with `null` and records diagnostics.
    fn next(&mut self, wait: Duration) -> Option<Value> {
        let m = match self.rx.recv_timeout(wait) {
            Ok(m) => m,
            Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => return None,
        };
        if let (Some(_), Some(id)) = (m.get("method"), m.get("id")) {
            let id = id.clone();
            self.send(&json!({ "jsonrpc": "2.0", "id": id, "result": null }));
        }
        if m["method"] == "textDocument/publishDiagnostics" {
            let u = m["params"]["uri"].as_str().unwrap_or("").to_string();
            let d = m["params"]["diagnostics"].as_array().cloned();
            self.diagnostics.insert(u, d.unwrap_or_default());
        }
        self.seen.push(m.clone());
        Some(m)
    }

    /// The response with this id: already received (responses to
    /// concurrent requests may come in any order), or the next ones.
    fn response(&mut self, id: &Value) -> Option<Value> {
        if let Some(m) = self
            .seen
            .iter()
            .find(|m| m.get("method").is_none() && &m["id"] == id)
        {
            return Some(m.clone());
        }
        let deadline = Instant::now() + READ;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let m = self.next(left)?;
            if m.get("method").is_none() && &m["id"] == id {
                return Some(m);
            }
        }
    }

    /// Every message until stdout closes (bounded); panics if it stays open.
    fn rest(&mut self) -> Vec<Value> {
        let deadline = Instant::now() + READ;
        let mut out = Vec::new();
        loop {
            match self
                .rx
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                Ok(m) => out.push(m),
                Err(RecvTimeoutError::Disconnected) => return out,
                Err(RecvTimeoutError::Timeout) => panic!("stdout still open; got {out:?}"),
            }
        }
    }

    fn initialize(&mut self, root: &Path) -> Value {
        let r = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri(root),
                "workspaceFolders": [{ "uri": uri(root), "name": "ws" }],
                "capabilities": {}
            }),
        );
        assert!(r.get("error").is_none(), "{r}");
        self.notify("initialized", json!({}));
        r
    }

    /// `layergate/status`, then the publishes it counted.
    fn sync(&mut self) {
        let r = self.request("layergate/status", Value::Null);
        let want = r["result"]["published"].as_u64().expect("status");
        let deadline = Instant::now() + READ;
        while self.publishes() < want {
            let left = deadline.saturating_duration_since(Instant::now());
            if self.next(left).is_none() {
                panic!("missing publishes: {} of {want}", self.publishes());
            }
        }
    }

    fn publishes(&self) -> u64 {
        self.seen
            .iter()
            .filter(|m| m["method"] == "textDocument/publishDiagnostics")
            .count() as u64
    }

    fn rules_of(&self, path: &Path) -> Vec<(String, u64)> {
        self.diagnostics
            .get(&uri(path))
            .map(|v| {
                v.iter()
                    .map(|d| {
                        let code = d["code"].as_str().unwrap_or("").to_string();
                        (code, d["range"]["start"]["line"].as_u64().unwrap_or(99))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Waits (bounded) for the process to end; its exit code.
    fn exit_code(&mut self, within: Duration) -> Option<i32> {
        let t = Instant::now();
        loop {
            if let Ok(Some(s)) = self.child.try_wait() {
                return s.code();
            }
            if t.elapsed() > within {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("layergate lsp still running after {within:?}");
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for Raw {
    fn drop(&mut self) {
        self.stdin = None;
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

fn frame(body: &str) -> String {
    format!("Content-Length: {}\r\n\r\n{body}", body.len())
}

fn error_response(code: i64, message: &str, id: Value) -> Value {
    json!({ "jsonrpc": "2.0", "error": { "code": code, "message": message }, "id": id })
}

/// Writes `garbage` then a valid `layergate/status` request in one write:
/// exactly one error response with id `null` comes back, the request behind
/// the garbage is never answered, stdout closes and the status is 1.
fn assert_broken_by(garbage: &[u8], code: i64, message: &str) {
    let dir = workspace();
    let root = root_of(&dir);
    let mut c = Raw::spawn(&root);
    c.initialize(&root);
    c.sync();
    let mut bytes = garbage.to_vec();
    bytes.extend_from_slice(
        frame(r#"{"jsonrpc":"2.0","id":77,"method":"layergate/status"}"#).as_bytes(),
    );
    c.write(&bytes);
    let rest: Vec<Value> = c
        .rest()
        .into_iter()
        .filter(|m| m["method"] != "window/logMessage")
        .collect();
    assert_eq!(rest, vec![error_response(code, message, Value::Null)]);
    assert_eq!(c.exit_code(Duration::from_secs(3)), Some(1));
}

#[test]
fn missing_content_length_is_a_parse_error_and_ends_the_session() {
    assert_broken_by(b"Content-Size: 2\r\n\r\n{}", -32700, "Parse error");
}

#[test]
fn invalid_content_length_is_a_parse_error_and_ends_the_session() {
    assert_broken_by(b"Content-Length: twelve\r\n\r\n{}", -32700, "Parse error");
    assert_broken_by(b"Content-Length: -3\r\n\r\n{}", -32700, "Parse error");
}

/// Writes `bad` then a valid `layergate/status` request in one write: an
/// error response with id `null`, `code` and a message starting with
/// `message` comes back, then the answer to the request; the session goes
/// on to a clean shutdown.
fn assert_survives(bad: &[u8], code: i64, message: &str) {
    let dir = workspace();
    let root = root_of(&dir);
    let mut c = Raw::spawn(&root);
    c.initialize(&root);
    c.sync();
    let mut bytes = bad.to_vec();
    bytes.extend_from_slice(
        frame(r#"{"jsonrpc":"2.0","id":77,"method":"layergate/status"}"#).as_bytes(),
    );
    c.write(&bytes);
    let error = c
        .response(&Value::Null)
        .expect("an answer to the bad frame");
    assert_eq!(error["error"]["code"], code, "{error}");
    assert!(
        error["error"]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with(message)),
        "{error}"
    );
    let status = c
        .response(&json!(77))
        .expect("the request behind it is answered");
    assert!(status["result"]["indexed"].as_bool().is_some(), "{status}");
    let r = c.request("shutdown", Value::Null);
    assert!(r.get("error").is_none(), "{r}");
    c.notify("exit", Value::Null);
    assert_eq!(c.exit_code(Duration::from_secs(3)), Some(0));
}

#[test]
fn header_garbage_is_a_parse_error_and_ends_the_session() {
    assert_broken_by(b"\x00\x01 not a header\r\n\r\n", -32700, "Parse error");
}

#[test]
fn a_body_in_another_charset_is_a_parse_error_and_the_session_goes_on() {
    assert_survives(
        b"Content-Length: 2\r\nContent-Type: application/json; charset=latin1\r\n\r\n{}",
        -32700,
        "Parse error: the message is in charset latin1",
    );
}

#[test]
fn a_body_that_is_not_json_is_a_parse_error_and_the_session_goes_on() {
    // the framing is intact: the next frame is read
    assert_survives(
        frame("hello").as_bytes(),
        -32700,
        "Parse error: the message is not JSON",
    );
    assert_survives(
        frame(r#"{"jsonrpc":"2.0","id":1,"#).as_bytes(),
        -32700,
        "Parse error",
    );
    assert_survives(b"Content-Length: 2\r\n\r\n\xff\xfe", -32700, "Parse error");
    // a client writing its header names in lower case is understood
    let body = r#"{"jsonrpc":"2.0","id":5,"method":"layergate/status"}"#;
    let dir = workspace();
    let root = root_of(&dir);
    let mut c = Raw::spawn(&root);
    c.initialize(&root);
    c.write(format!("content-length: {}\r\n\r\n{body}", body.len()).as_bytes());
    assert!(c.response(&json!(5)).is_some());
}

#[test]
fn json_that_is_not_json_rpc_is_an_invalid_request_and_the_session_goes_on() {
    assert_survives(
        frame(r#"{"hello":"world"}"#).as_bytes(),
        -32600,
        "Invalid request",
    );
    assert_survives(frame("[1,2,3]").as_bytes(), -32600, "Invalid request");
    assert_survives(
        frame(r#"{"jsonrpc":"1.0","id":1,"method":"layergate/status"}"#).as_bytes(),
        -32600,
        "Invalid request",
    );
}

#[test]
fn unknown_methods_and_notifications() {
    let dir = workspace();
    let root = root_of(&dir);
    let mut c = Raw::spawn(&root);
    c.initialize(&root);
    let id = c.request_id("layergate/noSuchThing", json!({ "x": 1 }));
    let r = c.response(&json!(id)).expect("response");
    assert_eq!(r["error"]["code"], -32601, "{r}");
    assert_eq!(r["error"]["message"], "Method not found", "{r}");
    // an empty method name is a request for an unknown method too
    c.send(&json!({ "jsonrpc": "2.0", "id": 900 }));
    let r = c.response(&json!(900)).expect("response");
    assert_eq!(r["error"]["code"], -32601, "{r}");
    // unknown notifications, and `$/` ones, are ignored without an answer
    c.notify("layergate/noSuchNotification", json!([1, 2]));
    c.notify("$/noSuchNotification", json!({}));
    c.send(&json!({ "jsonrpc": "2.0" }));
    // tower-lsp-server drops the error of an unknown `$/` request: no answer
    c.send(&json!({ "jsonrpc": "2.0", "id": 901, "method": "$/noSuchRequest" }));
    c.sync();
    let answered: Vec<&Value> = c
        .seen
        .iter()
        .filter(|m| m.get("method").is_none() && (m["id"] == 901 || m["id"].is_null()))
        .collect();
    assert!(answered.is_empty(), "{answered:?}");
    // and the server is fine
    c.sync();
    assert_eq!(
        c.rules_of(&root.join("src/domain/bad.ts")),
        vec![("layers".to_string(), 0)]
    );
}

#[test]
fn requests_before_initialize_are_server_not_initialized() {
    let dir = workspace();
    let root = root_of(&dir);
    let mut c = Raw::spawn(&root);
    let bad = uri(&root.join("src/domain/bad.ts"));
    for (method, params) in [
        (
            "textDocument/hover",
            json!({ "textDocument": { "uri": bad }, "position": { "line": 0, "character": 0 } }),
        ),
        ("layergate/status", Value::Null),
        ("shutdown", Value::Null),
    ] {
        let id = c.request_id(method, params);
        let r = c.response(&json!(id)).expect("response");
        assert_eq!(
            r,
            error_response(-32002, "Server not initialized", json!(id)),
            "{method}"
        );
    }
    // a notification before initialize is dropped; the session goes on
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": bad, "languageId": "typescript", "version": 1, "text": "" } }),
    );
    c.initialize(&root);
    c.sync();
    assert_eq!(
        c.rules_of(&root.join("src/domain/bad.ts")),
        vec![("layers".to_string(), 0)]
    );
}

/// Found by the `lsp` fuzz target: requests that wait for the analysis
/// (`layergate/status`, `explain`, `allowed`, `checkContent`), sent after
/// `initialize` but before `initialized`, waited up to 60 s each, and four of
/// them held back every later message.
#[test]
fn requests_before_initialized_answer_at_once() {
    let dir = workspace();
    let root = root_of(&dir);
    let mut c = Raw::spawn(&root);
    let r = c.request(
        "initialize",
        json!({ "processId": null, "rootUri": uri(&root), "capabilities": {} }),
    );
    assert!(r.get("error").is_none(), "{r}");
    let t = Instant::now();
    let mut ids: Vec<i64> = (0..5)
        .map(|_| c.request_id("layergate/status", Value::Null))
        .collect();
    ids.push(c.request_id("layergate/explain", Value::Null));
    ids.push(c.request_id("layergate/allowed", json!({ "path": "src/ui/x.ts" })));
    for id in &ids[..5] {
        let r = c.response(&json!(id)).expect("status");
        assert_eq!(
            r["result"],
            json!({ "indexed": false, "settled": false, "epoch": 0, "published": 0 }),
            "{r}"
        );
    }
    for id in &ids[5..] {
        let r = c.response(&json!(id)).expect("response");
        assert!(r.get("result").is_some() || r.get("error").is_some(), "{r}");
    }
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    c.notify("initialized", json!({}));
    c.sync();
    assert_eq!(
        c.rules_of(&root.join("src/domain/bad.ts")),
        vec![("layers".to_string(), 0)]
    );
}

#[test]
fn a_second_initialize_is_an_invalid_request() {
    let dir = workspace();
    let root = root_of(&dir);
    let mut c = Raw::spawn(&root);
    c.initialize(&root);
    let id = c.request_id(
        "initialize",
        json!({ "processId": null, "capabilities": {} }),
    );
    let r = c.response(&json!(id)).expect("response");
    assert_eq!(r, error_response(-32600, "Invalid request", json!(id)));
    c.sync();
    assert_eq!(
        c.rules_of(&root.join("src/domain/bad.ts")),
        vec![("layers".to_string(), 0)]
    );
}

#[test]
fn edits_to_documents_never_opened_are_ignored() {
    let dir = workspace();
    let root = root_of(&dir);
    let bad = root.join("src/domain/bad.ts");
    let mut c = Raw::spawn(&root);
    c.initialize(&root);
    c.sync();
    let before = c.publishes();
    // would fix the violation if it were applied
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri(&bad), "version": 2 },
                "contentChanges": [{ "text": "export const bad = 1;\n" }] }),
    );
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri(&root.join("src/domain/ghost.ts")), "version": 2 },
                "contentChanges": [{ "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } }, "text": BAD }] }),
    );
    c.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": uri(&root.join("src/domain/never.ts")) } }),
    );
    c.sync();
    assert_eq!(c.publishes(), before, "{:?}", c.seen);
    assert_eq!(c.rules_of(&bad), vec![("layers".to_string(), 0)]);
    assert!(!c
        .diagnostics
        .contains_key(&uri(&root.join("src/domain/ghost.ts"))));
}

#[test]
fn a_lone_surrogate_in_an_edit_is_replaced_and_the_session_goes_on() {
    let dir = workspace();
    let root = root_of(&dir);
    let bad = root.join("src/domain/bad.ts");
    let mut c = Raw::spawn(&root);
    c.initialize(&root);
    c.sync();
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri(&bad), "languageId": "typescript", "version": 1, "text": BAD } }),
    );
    c.sync();
    assert_eq!(c.rules_of(&bad), vec![("layers".to_string(), 0)]);
    // serde_json refuses `\ud800` alone: written by hand; the edit also
    // removes the violation, so applying it shows
    let body = format!(
        r#"{{"jsonrpc":"2.0","method":"textDocument/didChange","params":{{"textDocument":{{"uri":"{}","version":2}},"contentChanges":[{{"text":"export const s = '\ud800';\n"}}]}}}}"#,
        uri(&bad)
    );
    c.write(frame(&body).as_bytes());
    c.sync();
    assert_eq!(c.rules_of(&bad), vec![]);
    let r = c.request("layergate/status", Value::Null);
    assert!(r.get("result").is_some(), "{r}");
}

#[test]
fn version_regressions_are_dropped() {
    let dir = workspace();
    let root = root_of(&dir);
    let bad = root.join("src/domain/bad.ts");
    let mut c = Raw::spawn(&root);
    c.initialize(&root);
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri(&bad), "languageId": "typescript", "version": 5, "text": BAD } }),
    );
    c.sync();
    for version in [5, 4, -1, i32::MIN as i64] {
        c.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri(&bad), "version": version },
                    "contentChanges": [{ "text": "export const bad = 1;\n" }] }),
        );
    }
    c.sync();
    assert_eq!(c.rules_of(&bad), vec![("layers".to_string(), 0)]);
    // the log messages are notifications: they may trail the status answer
    let dropped = |c: &Raw| {
        c.seen
            .iter()
            .filter(|m| {
                m["params"]["message"]
                    .as_str()
                    .is_some_and(|s| s.starts_with("layergate: dropped a stale change"))
            })
            .count()
    };
    let deadline = Instant::now() + READ;
    while dropped(&c) < 4
        && c.next(deadline.saturating_duration_since(Instant::now()))
            .is_some()
    {}
    assert_eq!(dropped(&c), 4);
    // a newer version applies
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri(&bad), "version": 6 },
                "contentChanges": [{ "text": "export const bad = 1;\n" }] }),
    );
    c.sync();
    assert_eq!(c.rules_of(&bad), vec![]);
}

/// `didChange` ranges past the end of a line clamp to its end; past the last
/// line, to the end of the document; an inverted range is swapped; and the
/// diagnostics are those of a cold check of the resulting text.
#[test]
fn out_of_range_positions_clamp() {
    let dir = workspace();
    let root = root_of(&dir);
    let f = root.join("src/domain/clean.ts");
    let mut c = Client::start_in(&root, false);
    c.wait_indexed();
    c.open(&f, 1, "export const clean = 1;\n");
    let pos = |l: u32, ch: u32| json!({ "line": l, "character": ch });
    let edits = [
        // end of line 0 (past its end), then far past the last line
        (pos(0, 999), pos(0, 4000), " // x"),
        (pos(50, 9), pos(60, 0), "import { v } from '../ui/view';\n"),
        // inverted: deletes "const " on line 0
        (pos(0, 13), pos(0, 7), ""),
        (
            pos(u32::MAX, u32::MAX),
            pos(u32::MAX, u32::MAX),
            "import { db } from '../infra/db';\n",
        ),
    ];
    for (v, (s, e, t)) in edits.iter().enumerate() {
        c.change(
            &f,
            2 + v as i32,
            json!([{ "range": { "start": s, "end": e }, "text": t }]),
        );
    }
    c.sync();
    let text = "export clean = 1; // x\nimport { v } from '../ui/view';\nimport { db } from '../infra/db';\n";
    std::fs::write(&f, text).expect("write");
    let want = check_rows(&root).expect("check json");
    let got = c.rows(&|p| read_lossy(p));
    assert_eq!(
        want.iter()
            .filter(|r| r.file == "src/domain/clean.ts")
            .count(),
        1,
        "{want:?}"
    );
    assert_eq!(want, got, "\n{}", diff(&want, &got));
}

/// A tiny deterministic generator (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// (line, character) of a byte offset in ASCII text.
fn position(text: &str, off: usize) -> (usize, usize) {
    let before = &text[..off];
    let line = before.matches('\n').count();
    let col = off - before.rfind('\n').map_or(0, |i| i + 1);
    (line, col)
}

#[test]
fn ten_thousand_edits_unawaited_end_like_a_cold_check() {
    let dir = workspace();
    let root = root_of(&dir);
    let f = root.join("src/domain/bad.ts");
    let mut c = Client::start_in(&root, false);
    c.wait_indexed();
    let mut text = BAD.to_string();
    c.open(&f, 1, &text);
    let snippets = [
        "import { v } from '../ui/view';\n",
        "import { db } from '../infra/db';\n",
        "import { nope } from './missing';\n",
        "// layergate-ignore layers: ok\n",
        "x",
        "'",
        "{",
        "\n",
        " ",
        "import(",
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for v in 2..10_002 {
        let a = rng.below(text.len() + 1);
        let b = if rng.below(3) == 0 {
            (a + rng.below(40)).min(text.len())
        } else {
            a
        };
        let new = if a == b || rng.below(2) == 0 {
            snippets[rng.below(snippets.len())]
        } else {
            ""
        };
        let (sl, sc) = position(&text, a);
        let (el, ec) = position(&text, b);
        text.replace_range(a..b, new);
        // keep the document a reasonable size
        if text.len() > 4000 {
            let (l, _) = position(&text, text.len());
            c.change(
                &f,
                v,
                json!([{ "range": { "start": { "line": sl, "character": sc }, "end": { "line": el, "character": ec } }, "text": new },
                       { "range": { "start": { "line": 0, "character": 0 }, "end": { "line": l + 1, "character": 0 } }, "text": BAD }]),
            );
            text = BAD.to_string();
        } else {
            c.change(
                &f,
                v,
                json!([{ "range": { "start": { "line": sl, "character": sc }, "end": { "line": el, "character": ec } }, "text": new }]),
            );
        }
    }
    c.sync();
    std::fs::write(&f, &text).expect("write");
    let want = check_rows(&root).expect("check json");
    let got = c.rows(&|p| read_lossy(p));
    assert!(
        want.iter().any(|r| r.file == "src/domain/bad.ts"),
        "the final text has violations: {want:?}\n{text}"
    );
    assert_eq!(want, got, "\n{}\nfinal text:\n{text}", diff(&want, &got));
}

#[test]
fn a_client_dying_mid_frame_ends_the_server() {
    let dir = workspace();
    let root = root_of(&dir);
    let mut child = lsp_command(&root).spawn().expect("spawn layergate lsp");
    let mut stdin = child.stdin.take().expect("stdin");
    let stdout = child.stdout.take().expect("stdout");
    let bad = uri(&root.join("src/domain/bad.ts"));
    let mut bytes = String::new();
    for m in [
        json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize",
                "params": { "processId": null, "rootUri": uri(&root), "capabilities": {} } }),
        json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }),
        json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen",
                "params": { "textDocument": { "uri": bad, "languageId": "typescript", "version": 1, "text": BAD } } }),
        json!({ "jsonrpc": "2.0", "id": 2, "method": "layergate/status" }),
    ] {
        bytes.push_str(&frame(&m.to_string()));
    }
    // half a frame, then the client is gone: both pipes closed, nothing read
    bytes.push_str("Content-Length: 300\r\n\r\n{\"jsonrpc\":\"2.0\",\"method\":");
    stdin.write_all(bytes.as_bytes()).expect("write");
    stdin.flush().expect("flush");
    std::thread::sleep(Duration::from_millis(300));
    drop(stdout);
    drop(stdin);
    let t = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("try_wait") {
            break s;
        }
        if t.elapsed() > Duration::from_secs(3) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("layergate lsp still running after its client died");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    assert_eq!(status.code(), Some(0));
    assert!(t.elapsed() < Duration::from_secs(1), "{:?}", t.elapsed());
    // reaped: no zombie left behind
    assert!(!Path::new(&format!("/proc/{}", child.id())).exists());
}

/// Reads (bounded by `READ`) up to the first message that is `found`;
/// panics with `what` if none comes.
fn read_until(rx: &Receiver<Value>, what: &str, found: impl Fn(&Value) -> bool) {
    let deadline = Instant::now() + READ;
    loop {
        let m = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect(what);
        if found(&m) {
            return;
        }
    }
}

/// A session whose server waits for the client: `initialize` (with dynamic
/// registration of watched files) and `initialized` sent, then read, without
/// answering anything, up to the server's `client/registerCapability`.
fn waiting_for_the_client(root: &Path) -> Raw {
    let mut c = Raw::spawn(root);
    let id = c.request_id(
        "initialize",
        json!({ "processId": null, "rootUri": uri(root),
                "capabilities": { "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } } } }),
    );
    // read without answering anything
    read_until(&c.rx, "initialize result", |m| m["id"] == id);
    c.notify("initialized", json!({}));
    read_until(&c.rx, "registerCapability", |m| {
        m["method"] == "client/registerCapability"
    });
    c
}

/// EOF while a notification handler waits for the client
/// (`client/registerCapability` after `initialized`) that never answers.
#[test]
fn eof_while_the_server_waits_for_the_client_ends_the_server() {
    let dir = workspace();
    let mut c = waiting_for_the_client(&root_of(&dir));
    c.stdin = None;
    let t = Instant::now();
    assert_eq!(c.exit_code(Duration::from_secs(3)), Some(0));
    assert!(t.elapsed() < Duration::from_secs(1), "{:?}", t.elapsed());
}

/// Found by the `lsp` fuzz target: after a frame it cannot decode the
/// transport stops reading but waited for every handler in flight, and one
/// waiting for the client (`client/registerCapability`, whose answer is never
/// read now) kept the server alive forever.
#[test]
fn a_bad_frame_while_the_server_waits_for_the_client_ends_the_server() {
    let dir = workspace();
    let mut c = waiting_for_the_client(&root_of(&dir));
    // broken framing: nothing after it can be read
    c.write(b"Content-Size: 2\r\n\r\n{}");
    let t = Instant::now();
    let rest: Vec<Value> = c
        .rest()
        .into_iter()
        .filter(|m| m["method"] != "window/logMessage")
        .collect();
    assert_eq!(
        rest,
        vec![error_response(-32700, "Parse error", Value::Null)]
    );
    assert_eq!(c.exit_code(Duration::from_secs(3)), Some(1));
    assert!(t.elapsed() < Duration::from_secs(1), "{:?}", t.elapsed());
}

#[test]
fn exit_status_follows_the_spec() {
    let dir = workspace();
    let root = root_of(&dir);
    // exit without shutdown: 1
    let mut c = Raw::spawn(&root);
    c.initialize(&root);
    c.notify("exit", Value::Null);
    assert_eq!(c.exit_code(Duration::from_secs(2)), Some(1));
    // exit before initialize: 1
    let mut c = Raw::spawn(&root);
    c.notify("exit", Value::Null);
    assert_eq!(c.exit_code(Duration::from_secs(2)), Some(1));
    // a failed shutdown (before initialize) does not count
    let mut c = Raw::spawn(&root);
    let r = c.request("shutdown", Value::Null);
    assert_eq!(r["error"]["code"], -32002, "{r}");
    c.initialize(&root);
    c.notify("exit", Value::Null);
    assert_eq!(c.exit_code(Duration::from_secs(2)), Some(1));
    // shutdown, then exit: 0
    let mut c = Raw::spawn(&root);
    c.initialize(&root);
    let r = c.request("shutdown", Value::Null);
    assert_eq!(
        r,
        json!({ "jsonrpc": "2.0", "result": null, "id": r["id"] })
    );
    c.notify("exit", Value::Null);
    assert_eq!(c.exit_code(Duration::from_secs(2)), Some(0));
    // shutdown and exit sent together, without waiting for the answer: the
    // shutdown request was received before exit, so 0
    for _ in 0..5 {
        let mut c = Raw::spawn(&root);
        c.initialize(&root);
        c.request_id("shutdown", Value::Null);
        c.notify("exit", Value::Null);
        assert_eq!(c.exit_code(Duration::from_secs(2)), Some(0));
    }
    // EOF without either: 0
    let mut c = Raw::spawn(&root);
    c.initialize(&root);
    c.stdin = None;
    assert_eq!(c.exit_code(Duration::from_secs(2)), Some(0));
}

#[test]
fn requests_after_shutdown_are_invalid_requests() {
    let dir = workspace();
    let root = root_of(&dir);
    let bad = uri(&root.join("src/domain/bad.ts"));
    let mut c = Raw::spawn(&root);
    c.initialize(&root);
    c.sync();
    let r = c.request("shutdown", Value::Null);
    assert!(r.get("error").is_none(), "{r}");
    for (method, params) in [
        (
            "textDocument/hover",
            json!({ "textDocument": { "uri": bad }, "position": { "line": 0, "character": 0 } }),
        ),
        ("layergate/status", Value::Null),
        ("shutdown", Value::Null),
        (
            "initialize",
            json!({ "processId": null, "capabilities": {} }),
        ),
    ] {
        let id = c.request_id(method, params);
        let r = c.response(&json!(id)).expect("response");
        assert_eq!(
            r,
            error_response(-32600, "Invalid request", json!(id)),
            "{method}"
        );
    }
    c.notify("exit", Value::Null);
    assert_eq!(c.exit_code(Duration::from_secs(2)), Some(0));
}

#[test]
fn shutdown_during_indexing_answers_and_exits_promptly() {
    let dir = tempfile::Builder::new()
        .prefix("layergate-abuse-big-")
        .tempdir()
        .expect("temp dir");
    let root = root_of(&dir);
    write_files(&root, &[("layergate.toml", CONFIG)]);
    for i in 0..3000 {
        let (layer, import) = match i % 3 {
            0 => (
                "ui",
                format!("import {{ d{} }} from '../domain/f{}';\n", i + 1, i + 1),
            ),
            1 => (
                "domain",
                format!("import {{ i{} }} from '../infra/f{}';\n", i + 1, i + 1),
            ),
            _ => (
                "infra",
                format!("import {{ u{} }} from '../ui/f{}';\n", i - 2, i - 2),
            ),
        };
        let p = root.join(format!("src/{layer}/f{i}.ts"));
        std::fs::create_dir_all(p.parent().unwrap()).expect("mkdir");
        let body = format!("{import}export const x{i} = {i};\n").repeat(20);
        std::fs::write(&p, body).expect("write");
    }
    let mut c = Raw::spawn(&root);
    let r = c.request(
        "initialize",
        json!({ "processId": null, "rootUri": uri(&root),
                "capabilities": { "window": { "workDoneProgress": true } } }),
    );
    assert!(r.get("error").is_none(), "{r}");
    c.notify("initialized", json!({}));
    let t = Instant::now();
    let r = c.request("shutdown", Value::Null);
    assert_eq!(
        r,
        json!({ "jsonrpc": "2.0", "result": null, "id": r["id"] })
    );
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    // it was still indexing: no `end` of the indexing progress yet
    assert!(
        !c.seen.iter().any(|m| m["params"]["value"]["kind"] == "end"),
        "indexing had finished: make the workspace bigger"
    );
    c.notify("exit", Value::Null);
    let t = Instant::now();
    assert_eq!(c.exit_code(Duration::from_secs(3)), Some(0));
    assert!(t.elapsed() < Duration::from_secs(1), "{:?}", t.elapsed());
}

#[cfg(unix)]
#[test]
fn a_hostile_workspace_is_indexed_within_its_bounds() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::Builder::new()
        .prefix("layergate-hostile-lsp-")
        .tempdir()
        .expect("temp dir");
    let root = root_of(&dir);
    let mut files: Vec<(String, String)> = vec![
        (
            "layergate.toml".into(),
            format!(
                "{CONFIG}\n[[pattern]]\nid = \"siblings\"\nlanguage = \"typescript\"\nquery = '(program (_) @a (_) @b (_) @c (_) @d (_) @e)'\nallow_in = []\n"
            ),
        ),
        ("tsconfig.json".into(), r#"{ "extends": "./cfg/t0.json" }"#.into()),
        ("cfg/t28.json".into(), "{}".into()),
        ("package.json".into(), r#"{ "workspaces": ["packages/**"] }"#.into()),
        ("packages/real/package.json".into(), r#"{ "name": "real" }"#.into()),
        ("src/ui/view.ts".into(), "f(1);\n".repeat(200)),
        ("src/domain/bad.ts".into(), BAD.into()),
    ];
    // the issue's workspaces 6 (an extends diamond), 9 (a combinatorial
    // query) and 11 (workspaces links to `.`): indexing never ended
    for i in 0..28 {
        files.push((
            format!("cfg/t{i}.json"),
            format!(r#"{{ "extends": ["./t{0}.json", "./t{0}.json"] }}"#, i + 1),
        ));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    write_files(&root, &refs);
    for i in 0..25 {
        symlink(".", root.join(format!("packages/l{i}"))).expect("symlink");
    }
    let mut c = Raw::spawn(&root);
    c.initialize(&root);
    c.sync();
    let bad = root.join("src/domain/bad.ts");
    assert_eq!(c.rules_of(&bad), vec![("layers".to_string(), 0)]);
    let view = root.join("src/ui/view.ts");
    assert!(
        c.rules_of(&view).iter().any(|(r, _)| r == "siblings"),
        "{:?}",
        c.rules_of(&view)
    );
    let r = c.request("shutdown", Value::Null);
    assert!(r.get("error").is_none(), "{r}");
    c.notify("exit", Value::Null);
    assert_eq!(c.exit_code(Duration::from_secs(5)), Some(0));
}
