//! A small LSP client for the language-server tests: runs the real
//! `layergate lsp` binary over pipes (Content-Length framing), answers the
//! server's requests, and records what it publishes.
//!
//! Included by the `lsp_*` tests with `#[path = "lsp_client.rs"] mod client;`.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// A small layered workspace config (ui > domain > infra, cycles off),
/// shared by the protocol and abuse tests.
pub const LAYERED: &str = r#"[workspace]
include = ["src/**"]

[[modules]]
name = "ui"
paths = ["src/ui/**"]

[[modules]]
name = "domain"
paths = ["src/domain/**"]

[[modules]]
name = "infra"
paths = ["src/infra/**"]

[layers]
order = ["ui", "domain", "infra"]

[checks]
cycles = "off"
"#;

pub const NOW: &str = "2026-06-01";

pub struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: Receiver<Value>,
    next_id: u64,
    /// Last published diagnostics per URI.
    pub diagnostics: BTreeMap<String, Vec<Value>>,
    /// Number of `publishDiagnostics` received.
    pub publishes: u64,
    pub progress_ended: bool,
    pub logs: Vec<String>,
    /// Requests the server sent (method, params).
    pub server_requests: Vec<(String, Value)>,
    pub root: PathBuf,
    pub utf8: bool,
}

/// Options of a session.
pub struct Setup {
    pub utf8: bool,
    pub pull: bool,
    pub folders: Vec<PathBuf>,
}

/// Reads one frame; `None` at EOF or on a frame the test cannot parse.
pub fn read_message(r: &mut impl BufRead) -> Option<Value> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length:") {
            len = v.trim().parse::<usize>().ok();
        }
    }
    let mut buf = vec![0; len?];
    r.read_exact(&mut buf).ok()?;
    serde_json::from_slice(&buf).ok()
}

pub fn uri(path: &Path) -> String {
    let mut s = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                s.push(b as char)
            }
            _ => s.push_str(&format!("%{b:02X}")),
        }
    }
    s
}

pub fn path_of_uri(u: &str) -> PathBuf {
    let p = u.strip_prefix("file://").unwrap_or(u);
    let bytes = p.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(v) = u8::from_str_radix(&p[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    PathBuf::from(String::from_utf8_lossy(&out).into_owned())
}

/// `layergate lsp` in `root` with piped stdin/stdout and no stderr.
pub fn lsp_command(root: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_layergate"));
    cmd.arg("lsp")
        .current_dir(root)
        .env("LAYERGATE_NOW", NOW)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    cmd
}

/// Starts `layergate lsp` in `root`: the process (stdout taken), its stdin,
/// and the messages a reader thread parses from its stdout.
pub fn spawn_lsp(root: &Path) -> (Child, Option<ChildStdin>, Receiver<Value>) {
    let mut child = lsp_command(root).spawn().expect("spawn layergate lsp");
    let stdout = child.stdout.take().expect("stdout");
    let stdin = child.stdin.take();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut r = BufReader::new(stdout);
        while let Some(m) = read_message(&mut r) {
            if tx.send(m).is_err() {
                break;
            }
        }
    });
    (child, stdin, rx)
}

impl Client {
    pub fn start(root: &Path, setup: Setup) -> Client {
        let (child, stdin, rx) = spawn_lsp(root);
        let mut c = Client {
            child,
            stdin,
            rx,
            next_id: 1,
            diagnostics: BTreeMap::new(),
            publishes: 0,
            progress_ended: false,
            logs: Vec::new(),
            server_requests: Vec::new(),
            root: root.to_path_buf(),
            utf8: setup.utf8,
        };
        let encodings = if setup.utf8 {
            json!(["utf-8", "utf-16"])
        } else {
            json!(["utf-16"])
        };
        let folders: Vec<Value> = setup
            .folders
            .iter()
            .map(|f| json!({ "uri": uri(f), "name": f.file_name().map(|n| n.to_string_lossy().into_owned()) }))
            .collect();
        let mut text_document = json!({
            "synchronization": { "dynamicRegistration": false, "didSave": false },
            "publishDiagnostics": { "relatedInformation": true, "versionSupport": true,
                "tagSupport": { "valueSet": [1, 2] }, "codeDescriptionSupport": true, "dataSupport": true },
            "hover": { "contentFormat": ["markdown", "plaintext"] },
            "codeAction": { "codeActionLiteralSupport": { "codeActionKind": { "valueSet": ["quickfix"] } } }
        });
        if setup.pull {
            text_document["diagnostic"] =
                json!({ "dynamicRegistration": false, "relatedDocumentSupport": false });
        }
        let result = c.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri(root),
                "workspaceFolders": folders,
                "capabilities": {
                    "general": { "positionEncodings": encodings },
                    "window": { "workDoneProgress": true, "showDocument": { "support": true } },
                    "workspace": {
                        "workspaceFolders": true,
                        "didChangeWatchedFiles": { "dynamicRegistration": true },
                        "diagnostics": { "refreshSupport": false }
                    },
                    "textDocument": text_document
                }
            }),
        );
        let enc = result["result"]["capabilities"]["positionEncoding"]
            .as_str()
            .unwrap_or("utf-16")
            .to_string();
        assert_eq!(enc, if setup.utf8 { "utf-8" } else { "utf-16" }, "{result}");
        c.notify("initialized", json!({}));
        c
    }

    pub fn start_in(root: &Path, utf8: bool) -> Client {
        Client::start(
            root,
            Setup {
                utf8,
                pull: false,
                folders: vec![root.to_path_buf()],
            },
        )
    }

    pub fn send(&mut self, msg: &Value) {
        let body = msg.to_string();
        if let Some(stdin) = &mut self.stdin {
            let _ = write!(stdin, "Content-Length: {}\r\n\r\n{}", body.len(), body);
            let _ = stdin.flush();
        }
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and returns the whole response (`result` or `error`).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let mut msg = json!({ "jsonrpc": "2.0", "id": id, "method": method });
        if !params.is_null() {
            msg["params"] = params;
        }
        self.send(&msg);
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let m = self
                .next(deadline)
                .unwrap_or_else(|| panic!("no response to {method}"));
            if m.get("method").is_none() && m["id"] == json!(id) {
                return m;
            }
        }
    }

    /// Receives and handles one message; `None` at the deadline or EOF.
    fn next(&mut self, deadline: Instant) -> Option<Value> {
        let left = deadline.saturating_duration_since(Instant::now());
        let m = match self.rx.recv_timeout(left) {
            Ok(m) => m,
            Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => return None,
        };
        self.handle(&m);
        Some(m)
    }

    fn handle(&mut self, m: &Value) {
        let Some(method) = m.get("method").and_then(|v| v.as_str()) else {
            return;
        };
        if let Some(id) = m.get("id") {
            // a request of the server: answer it
            self.server_requests
                .push((method.to_string(), m["params"].clone()));
            let id = id.clone();
            self.send(&json!({ "jsonrpc": "2.0", "id": id, "result": null }));
            return;
        }
        match method {
            "textDocument/publishDiagnostics" => {
                let u = m["params"]["uri"].as_str().unwrap_or("").to_string();
                let d = m["params"]["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                self.publishes += 1;
                if d.is_empty() {
                    self.diagnostics.remove(&u);
                } else {
                    self.diagnostics.insert(u, d);
                }
            }
            "$/progress" if m["params"]["value"]["kind"] == "end" => {
                self.progress_ended = true;
            }
            "window/logMessage" | "window/showMessage" => {
                self.logs
                    .push(m["params"]["message"].as_str().unwrap_or("").to_string());
            }
            _ => {}
        }
    }

    pub fn wait_indexed(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(120);
        while !self.progress_ended {
            if self.next(deadline).is_none() {
                panic!("indexing did not finish; logs: {:?}", self.logs);
            }
        }
        self.sync();
    }

    /// Waits until the server analysed every change sent so far and every
    /// publish it sent was received.
    pub fn sync(&mut self) {
        let r = self.request("layergate/status", Value::Null);
        let want = r["result"]["published"].as_u64().expect("status");
        let deadline = Instant::now() + Duration::from_secs(60);
        while self.publishes < want {
            if self.next(deadline).is_none() {
                panic!("missing publishes: {} of {want}", self.publishes);
            }
        }
    }

    pub fn open(&mut self, path: &Path, version: i32, text: &str) {
        let lang = match path.extension().and_then(|e| e.to_str()) {
            Some("rs") => "rust",
            Some("toml") => "toml",
            Some("tsx") => "typescriptreact",
            Some("js") | Some("mjs") | Some("cjs") | Some("jsx") => "javascript",
            _ => "typescript",
        };
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri(path), "languageId": lang, "version": version, "text": text } }),
        );
    }

    pub fn change(&mut self, path: &Path, version: i32, changes: Value) {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri(path), "version": version }, "contentChanges": changes }),
        );
    }

    pub fn close(&mut self, path: &Path) {
        self.notify(
            "textDocument/didClose",
            json!({ "textDocument": { "uri": uri(path) } }),
        );
    }

    /// `workspace/didChangeWatchedFiles`: 1 created, 2 changed, 3 deleted.
    pub fn watched(&mut self, path: &Path, typ: u32) {
        self.notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [ { "uri": uri(path), "type": typ } ] }),
        );
    }

    /// The published diagnostics as comparable rows. `text_of` gives the
    /// current text of a file (to convert columns back to scalar values).
    pub fn rows(&self, text_of: &dyn Fn(&Path) -> Option<String>) -> BTreeSet<Row> {
        let mut out = BTreeSet::new();
        for (u, diags) in &self.diagnostics {
            let path = path_of_uri(u);
            let file = rel(&self.root, &path);
            let text = text_of(&path).unwrap_or_default();
            for d in diags {
                let r = &d["range"];
                let line = r["start"]["line"].as_u64().unwrap_or(0) as u32;
                let ch = r["start"]["character"].as_u64().unwrap_or(0) as u32;
                let end_line = r["end"]["line"].as_u64().unwrap_or(0) as u32;
                let end_ch = r["end"]["character"].as_u64().unwrap_or(0) as u32;
                out.insert(Row {
                    file: file.clone(),
                    line: line + 1,
                    column: scalar(&text, line, ch, self.utf8) + 1,
                    end_line: end_line + 1,
                    end_column: scalar(&text, end_line, end_ch, self.utf8) + 1,
                    rule: d["code"].as_str().unwrap_or("").to_string(),
                    severity: match d["severity"].as_u64() {
                        Some(1) => "error",
                        Some(2) => "warning",
                        Some(3) => "info",
                        _ => "hint",
                    }
                    .to_string(),
                    message: d["message"].as_str().unwrap_or("").to_string(),
                });
            }
        }
        out
    }

    /// Closes stdin and waits for the process to exit.
    pub fn finish(mut self) -> Option<i32> {
        self.stdin = None;
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            if let Ok(Some(s)) = self.child.try_wait() {
                return s.code();
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn child_status(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        self.stdin = None;
        if let Ok(None) = self.child.try_wait() {
            std::thread::sleep(Duration::from_millis(50));
            if let Ok(None) = self.child.try_wait() {
                let _ = self.child.kill();
            }
        }
        let _ = self.child.wait();
    }
}

/// `path` relative to `root` with `/`.
pub fn rel(root: &Path, path: &Path) -> String {
    match path.strip_prefix(root) {
        Ok(r) => r
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/"),
        Err(_) => path.to_string_lossy().into_owned(),
    }
}

/// A column in the LSP encoding → Unicode scalar values.
fn scalar(text: &str, line: u32, ch: u32, utf8: bool) -> u32 {
    let l = text.split('\n').nth(line as usize).unwrap_or("");
    let l = l.strip_suffix('\r').unwrap_or(l);
    let mut units = 0;
    let mut n = 0;
    for c in l.chars() {
        if units >= ch {
            break;
        }
        units += if utf8 {
            c.len_utf8() as u32
        } else {
            c.len_utf16() as u32
        };
        n += 1;
    }
    n
}

/// One diagnostic as both front ends report it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Row {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub rule: String,
    pub severity: String,
    pub message: String,
}

/// `layergate check --format json --no-cache` in `dir`, as rows; `None` when
/// it printed no JSON (a broken config).
pub fn check_rows(dir: &Path) -> Option<BTreeSet<Row>> {
    let out = Command::new(env!("CARGO_BIN_EXE_layergate"))
        .args(["check", "--format", "json", "--no-cache"])
        .current_dir(dir)
        .env("LAYERGATE_NOW", NOW)
        .output()
        .expect("run layergate check");
    let v: Value = serde_json::from_slice(&out.stdout).ok()?;
    let mut rows = BTreeSet::new();
    // `dead-rule` is `check`'s alone (built from cases checked in memory);
    // the language server does not report it
    for d in v["diagnostics"]
        .as_array()?
        .iter()
        .filter(|d| d["rule"] != "dead-rule")
    {
        let n = |k: &str| d[k].as_u64().unwrap_or(0) as u32;
        rows.insert(Row {
            file: d["file"].as_str().unwrap_or("").to_string(),
            line: n("line"),
            column: n("column"),
            end_line: n("end_line"),
            end_column: n("end_column"),
            rule: d["rule"].as_str().unwrap_or("").to_string(),
            severity: d["severity"].as_str().unwrap_or("").to_string(),
            message: d["message"].as_str().unwrap_or("").to_string(),
        });
    }
    Some(rows)
}

/// Reads a file lossily (fixtures hold non-UTF-8 files).
pub fn read_lossy(p: &Path) -> Option<String> {
    std::fs::read(p)
        .ok()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// A fresh, canonical temporary directory.
pub fn temp_dir(tag: &str) -> PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let d = std::env::temp_dir().join(format!(
        "layergate-{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("create temp dir");
    d.canonicalize().expect("canonical temp dir")
}

/// Writes files (relative path → text) under `root`.
pub fn write_files(root: &Path, files: &[(&str, &str)]) {
    for (rel, text) in files {
        let p = root.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, text).expect("write");
    }
}

/// Renders a row set difference for assertion messages.
pub fn diff(expected: &BTreeSet<Row>, got: &BTreeSet<Row>) -> String {
    let mut s = String::new();
    for r in expected.difference(got) {
        s.push_str(&format!("  missing: {r:?}\n"));
    }
    for r in got.difference(expected) {
        s.push_str(&format!("  extra:   {r:?}\n"));
    }
    s
}
