//! The language server in-process: `layergate::lsp::serve` on a
//! `tokio::io::duplex` pipe, driven by a fuzzer-chosen session over a small
//! workspace written to a temporary directory once per process.
//!
//! Input: a sequence of operations, each one byte (`I` initialize, `i`
//! initialized, `o` didOpen, `c` didChange, `x` didClose, `w`
//! didChangeWatchedFiles, `h` hover, `a` codeAction, `d` pull diagnostic,
//! `s` layergate/status, `e` layergate/explain, `l` layergate/allowed, `k`
//! layergate/checkContent, `C` $/cancelRequest, `S` shutdown, `E` exit, `j` a
//! JSON body (text up to NUL) in a valid frame, `R` the rest of the input as
//! raw bytes; any other byte picks one of these by its value) followed by
//! its arguments: small numbers are single bytes (`'0'..='9'` mean 0..9),
//! texts run up to a NUL byte.
//!
//! Checked: nothing panics (libFuzzer's hook aborts even on a panic the
//! server catches), no response is an internal error (-32603) and no
//! `window/logMessage` has type Error; every session ends within a bounded
//! time; a session that only sent well-formed messages still answers a last
//! `layergate/status` (unless it sent `exit`), then ends on EOF with the exit
//! status the LSP specification asks for.
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use layergate::lsp::{serve, Outcome};
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

/// The longest a session may take before it counts as a hang.
const SESSION: Duration = Duration::from_secs(10);

const CONFIG: &str = r#"[workspace]
include = ["src/**"]

[[modules]]
name = "ui"
paths = ["src/ui/**"]

[[modules]]
name = "domain"
paths = ["src/domain/**", "src/core/**"]
public = ["src/domain/index.ts"]

[[modules]]
name = "infra"
paths = ["src/infra/**"]

[layers]
order = ["ui", "domain", "infra"]

[[boundary]]
id = "env-access"
apis = ["global:process.env", "std::env::var"]
allow_in = ["infra"]

[[pattern]]
id = "no-eval"
language = "typescript"
query = '((call_expression function: (identifier) @callee) (#eq? @callee "eval"))'
allow_in = []

[checks]
unresolved = "warning"
file_cycles = "warning"
"#;

const FILES: &[(&str, &str)] = &[
    ("layergate.toml", CONFIG),
    (
        "src/ui/view.ts",
        "import { order } from '../domain/index';\nexport const v = order;\n",
    ),
    ("src/domain/index.ts", "export { order } from './order';\n"),
    (
        "src/domain/order.ts",
        "import { db } from '../infra/db';\nexport const order = db + process.env.X;\n",
    ),
    ("src/infra/db.ts", "export const db = 1;\n"),
    (
        "src/lib.rs",
        "mod core;\npub fn f() { let _ = std::env::var(\"A\"); }\n",
    ),
    ("src/core.rs", "use crate::f;\npub fn g() { f() }\n"),
    ("Cargo.toml", "[package]\nname = \"w\"\n"),
];

/// Documents the session may name (some do not exist on disk).
const DOCS: &[&str] = &[
    "src/ui/view.ts",
    "src/domain/index.ts",
    "src/domain/order.ts",
    "src/infra/db.ts",
    "src/lib.rs",
    "src/core.rs",
    "layergate.toml",
    "src/domain/new.ts",
    "src/ui/new.tsx",
    "outside.ts",
];

fn root() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("layergate-fuzz-lsp-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (rel, text) in FILES {
            let p = dir.join(rel);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(&p, text).expect("write");
        }
        let dir = dir.canonicalize().expect("canonical");
        // a session without a root indexes the current directory: keep it small
        std::env::set_current_dir(&dir).expect("chdir");
        dir
    })
}

fn uri(rel: &str) -> String {
    if rel == "untitled" {
        return "untitled:Untitled-1".into();
    }
    format!("file://{}/{rel}", root().display())
}

/// The input, read as operations.
struct Input<'a> {
    data: &'a [u8],
}

impl Input<'_> {
    fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }
    /// A small number: `'0'..='9'` are 0..9, other bytes themselves.
    fn num(&mut self) -> u32 {
        let b = self.byte();
        if b.is_ascii_digit() {
            u32::from(b - b'0')
        } else if b == 0xff {
            u32::MAX
        } else {
            u32::from(b)
        }
    }
    fn text(&mut self) -> String {
        let n = self
            .data
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(self.data.len());
        let t = String::from_utf8_lossy(&self.data[..n]).into_owned();
        self.data = &self.data[(n + 1).min(self.data.len())..];
        t
    }
    fn doc(&mut self) -> &'static str {
        let n = self.num() as usize;
        if n == DOCS.len() {
            "untitled"
        } else {
            DOCS[n % DOCS.len()]
        }
    }
    fn pos(&mut self) -> Value {
        json!({ "line": self.num(), "character": self.num() })
    }
}

fn frame(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

/// Reads frames from the server; answers its requests; checks every message.
async fn read_server(
    mut out: tokio::io::ReadHalf<tokio::io::DuplexStream>,
    to_server: mpsc::WeakUnboundedSender<Vec<u8>>,
    seen: mpsc::UnboundedSender<Value>,
) {
    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 1 << 16];
    loop {
        // parse every complete frame in the buffer
        while let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = std::str::from_utf8(&buf[..end]).expect("server headers are UTF-8");
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("Content-Length: "))
                .expect("server frames have a Content-Length")
                .parse()
                .expect("server Content-Length is a number");
            if buf.len() < end + 4 + len {
                break;
            }
            let body = buf[end + 4..end + 4 + len].to_vec();
            buf.drain(..end + 4 + len);
            let m: Value = serde_json::from_slice(&body).expect("server frames are JSON");
            check_message(&m);
            if let (Some(_), Some(id)) = (m.get("method"), m.get("id")) {
                let reply = json!({ "jsonrpc": "2.0", "id": id, "result": null });
                if let Some(tx) = to_server.upgrade() {
                    let _ = tx.send(frame(&reply.to_string()));
                }
            }
            let _ = seen.send(m);
        }
        match out.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

fn check_message(m: &Value) {
    if m["error"]["code"] == -32603 {
        panic!("internal error response: {m}");
    }
    if m["method"] == "window/logMessage" && m["params"]["type"] == 1 {
        panic!("error logged: {m}");
    }
    if m["method"] == "textDocument/publishDiagnostics" {
        for d in m["params"]["diagnostics"].as_array().expect("diagnostics") {
            let r = &d["range"];
            let (sl, el) = (&r["start"]["line"], &r["end"]["line"]);
            assert!(sl.as_u64() <= el.as_u64(), "inverted range: {m}");
        }
    }
}

fn request(method: &str, params: Value, id: &mut i64) -> Vec<u8> {
    *id += 1;
    let mut m = json!({ "jsonrpc": "2.0", "id": *id, "method": method });
    if !params.is_null() {
        m["params"] = params;
    }
    frame(&m.to_string())
}

fn notify(method: &str, params: Value) -> Vec<u8> {
    frame(&json!({ "jsonrpc": "2.0", "method": method, "params": params }).to_string())
}

fn slot(doc: &str) -> usize {
    DOCS.iter().position(|d| *d == doc).unwrap_or(DOCS.len())
}

/// What the session sent, to know what to expect at its end.
#[derive(Default)]
struct Sent {
    shutdown: bool,
    exit: bool,
    /// Bytes that may not be a well-formed message were sent.
    raw: bool,
}

async fn session(data: &[u8]) {
    let (client, server) = tokio::io::duplex(1 << 16);
    let (server_in, server_out) = tokio::io::split(server);
    let (client_in, mut client_out) = tokio::io::split(client);
    let (tx, mut rx) = mpsc::unbounded_channel::<Vec<u8>>();
    let (seen_tx, mut seen) = mpsc::unbounded_channel::<Value>();
    let writer = async move {
        while let Some(bytes) = rx.recv().await {
            if client_out.write_all(&bytes).await.is_err() {
                break;
            }
        }
        let _ = client_out.shutdown().await;
    };
    // weak: the writer ends (EOF to the server) when the driver is done
    let reader = read_server(client_in, tx.downgrade(), seen_tx);
    let server = serve(server_in, server_out);

    let driver = async move {
        let mut input = Input { data };
        let mut sent = Sent::default();
        let mut id = 0i64;
        let mut versions = [0i32; 16];
        while !input.data.is_empty() && !sent.exit {
            let op = input.byte();
            let op = match op {
                b'I' | b'i' | b'o' | b'c' | b'x' | b'w' | b'h' | b'a' | b'd' | b's' | b'e'
                | b'l' | b'k' | b'C' | b'S' | b'E' | b'j' | b'R' => op,
                other => b"Iiocxwhadselkcoc"[usize::from(other) % 16],
            };
            let bytes = match op {
                b'I' => {
                    let flags = input.byte();
                    let encodings = if flags & 1 != 0 {
                        json!(["utf-8", "utf-16"])
                    } else {
                        json!(["utf-16"])
                    };
                    let mut text_document = json!({});
                    if flags & 2 != 0 {
                        text_document["diagnostic"] = json!({ "dynamicRegistration": false });
                    }
                    request(
                        "initialize",
                        json!({
                            "processId": null,
                            "rootUri": uri(""),
                            "workspaceFolders": if flags & 4 != 0 { json!(null) } else { json!([{ "uri": uri(""), "name": "w" }]) },
                            "capabilities": {
                                "general": { "positionEncodings": encodings },
                                "window": { "workDoneProgress": flags & 8 != 0 },
                                "workspace": {
                                    "didChangeWatchedFiles": { "dynamicRegistration": flags & 16 != 0 },
                                    "diagnostics": { "refreshSupport": flags & 32 != 0 }
                                },
                                "textDocument": text_document
                            }
                        }),
                        &mut id,
                    )
                }
                b'i' => notify("initialized", json!({})),
                b'o' => {
                    let doc = input.doc();
                    let v = &mut versions[slot(doc)];
                    *v = v.wrapping_add(1);
                    let text = input.text();
                    let lang = if doc.ends_with(".rs") {
                        "rust"
                    } else {
                        "typescript"
                    };
                    notify(
                        "textDocument/didOpen",
                        json!({ "textDocument": { "uri": uri(doc), "languageId": lang, "version": *v, "text": text } }),
                    )
                }
                b'c' => {
                    let flags = input.byte();
                    let doc = input.doc();
                    let v = &mut versions[slot(doc)];
                    if flags & 1 == 0 {
                        *v = v.wrapping_add(1);
                    } else {
                        *v = v.wrapping_sub(i32::from(input.byte()));
                    }
                    let range = if flags & 2 == 0 {
                        json!({ "start": input.pos(), "end": input.pos() })
                    } else {
                        json!(null)
                    };
                    let text = input.text();
                    let mut change = json!({ "text": text });
                    if !range.is_null() {
                        change["range"] = range;
                    }
                    notify(
                        "textDocument/didChange",
                        json!({ "textDocument": { "uri": uri(doc), "version": *v }, "contentChanges": [change] }),
                    )
                }
                b'x' => notify(
                    "textDocument/didClose",
                    json!({ "textDocument": { "uri": uri(input.doc()) } }),
                ),
                b'w' => {
                    let doc = input.doc();
                    let typ = input.num() % 4;
                    notify(
                        "workspace/didChangeWatchedFiles",
                        json!({ "changes": [{ "uri": uri(doc), "type": typ }] }),
                    )
                }
                b'h' => {
                    let doc = input.doc();
                    let pos = input.pos();
                    request(
                        "textDocument/hover",
                        json!({ "textDocument": { "uri": uri(doc) }, "position": pos }),
                        &mut id,
                    )
                }
                b'a' => {
                    let doc = input.doc();
                    let (s, e) = (input.pos(), input.pos());
                    request(
                        "textDocument/codeAction",
                        json!({ "textDocument": { "uri": uri(doc) }, "range": { "start": s, "end": e },
                                "context": { "diagnostics": [] } }),
                        &mut id,
                    )
                }
                b'd' => request(
                    "textDocument/diagnostic",
                    json!({ "textDocument": { "uri": uri(input.doc()) } }),
                    &mut id,
                ),
                b's' => request("layergate/status", Value::Null, &mut id),
                b'e' => {
                    let params = match input.num() % 3 {
                        0 => Value::Null,
                        1 => json!({}),
                        _ => json!([]),
                    };
                    request("layergate/explain", params, &mut id)
                }
                b'l' => {
                    let params = match input.num() % 3 {
                        0 => json!({ "uri": uri(input.doc()) }),
                        1 => json!({ "path": input.text() }),
                        _ => json!({}),
                    };
                    request("layergate/allowed", params, &mut id)
                }
                b'k' => {
                    let doc = input.doc();
                    let text = input.text();
                    request(
                        "layergate/checkContent",
                        json!({ "uri": uri(doc), "content": text }),
                        &mut id,
                    )
                }
                b'C' => {
                    let back = i64::from(input.num());
                    notify("$/cancelRequest", json!({ "id": id - back }))
                }
                b'S' => {
                    sent.shutdown = true;
                    request("shutdown", Value::Null, &mut id)
                }
                b'E' => {
                    sent.exit = true;
                    notify("exit", Value::Null)
                }
                b'j' => {
                    sent.raw = true;
                    frame(&input.text())
                }
                _ => {
                    // `R`: the rest as raw bytes
                    sent.raw = true;
                    let rest = input.data.to_vec();
                    input.data = &[];
                    rest
                }
            };
            if tx.send(bytes).is_err() {
                break;
            }
        }
        // a well-formed session still answers, unless it exited
        let last = id + 1;
        if !sent.raw && !sent.exit {
            let _ = tx.send(frame(
                &json!({ "jsonrpc": "2.0", "id": last, "method": "layergate/status" }).to_string(),
            ));
            loop {
                let m = seen
                    .recv()
                    .await
                    .expect("the server answers a last layergate/status");
                if m.get("method").is_none() && m["id"] == last {
                    break;
                }
            }
        }
        drop(tx); // EOF once the queue is written
        sent
    };

    // the server, the client's reader and writer, and the driver, together
    let (outcome, _, _, sent) = tokio::join!(server, reader, writer, driver);
    if !sent.raw {
        let want = if sent.exit && sent.shutdown {
            // a shutdown before initialize fails: then exit is status 1
            [Outcome::Exit, Outcome::ExitWithoutShutdown]
        } else if sent.exit {
            [Outcome::ExitWithoutShutdown; 2]
        } else {
            [Outcome::Eof; 2]
        };
        assert!(
            want.contains(&outcome),
            "session ended {outcome:?}, want {want:?}"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    root();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let ended = rt.block_on(async { tokio::time::timeout(SESSION, session(data)).await });
    // the analysis task of the session is dropped with the runtime
    rt.shutdown_timeout(Duration::from_secs(2));
    if ended.is_err() {
        panic!("session did not end within {SESSION:?}");
    }
});
