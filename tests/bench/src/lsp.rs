//! End-to-end language-server latency: `didChange` → `publishDiagnostics`
//! for the edited file, through the real `layergate lsp` over pipes.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// A language-server process over pipes, and the messages it sent, each
/// with the time it was read.
pub(crate) struct Server {
    pub child: Child,
    stdin: ChildStdin,
    pub rx: Receiver<(Instant, Value)>,
    next_id: i64,
}

impl Server {
    pub fn start(exe: &Path, stderr: Stdio) -> anyhow::Result<Server> {
        let mut child = Command::new(exe)
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()?;
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = 0usize;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length: ") {
                        len = v.parse().unwrap_or(0);
                    }
                }
                let mut buf = vec![0; len];
                if r.read_exact(&mut buf).is_err() {
                    return;
                }
                if let Ok(v) = serde_json::from_slice::<Value>(&buf) {
                    if tx.send((Instant::now(), v)).is_err() {
                        return;
                    }
                }
            }
        });
        Ok(Server {
            child,
            stdin,
            rx,
            next_id: 1,
        })
    }

    pub fn send(&mut self, v: Value) -> anyhow::Result<()> {
        let body = serde_json::to_vec(&v)?;
        write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len())?;
        self.stdin.write_all(&body)?;
        self.stdin.flush()?;
        Ok(())
    }

    pub fn request(&mut self, method: &str, params: Option<Value>) -> anyhow::Result<Value> {
        self.request_seeing(method, params, &mut |_, _| {})
    }

    /// [`Server::request`], handing every other message read meanwhile to
    /// `seen`.
    pub fn request_seeing(
        &mut self,
        method: &str,
        params: Option<Value>,
        seen: &mut dyn FnMut(Instant, &Value),
    ) -> anyhow::Result<Value> {
        let id = self.next_id;
        self.next_id += 1;
        let mut msg = json!({ "jsonrpc": "2.0", "id": id, "method": method });
        if let Some(p) = params {
            msg["params"] = p;
        }
        self.send(msg)?;
        loop {
            let (at, v) = self.rx.recv_timeout(Duration::from_secs(600))?;
            seen(at, &v);
            if v.get("id") == Some(&json!(id)) && v.get("method").is_none() {
                return Ok(v);
            }
            // answer server-to-client requests (progress tokens, registrations)
            if let (Some(rid), Some(_)) = (v.get("id"), v.get("method")) {
                self.send(json!({ "jsonrpc": "2.0", "id": rid, "result": null }))?;
            }
        }
    }

    pub fn notify(&mut self, method: &str, params: Value) -> anyhow::Result<()> {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }))
    }

    /// Waits for a `publishDiagnostics` of `uri`.
    fn wait_publish(&mut self, uri: &str) -> anyhow::Result<()> {
        loop {
            let (_, v) = self.rx.recv_timeout(Duration::from_secs(60))?;
            if v.get("method") == Some(&json!("textDocument/publishDiagnostics"))
                && v["params"]["uri"] == json!(uri)
            {
                return Ok(());
            }
            if let (Some(rid), Some(_)) = (v.get("id"), v.get("method")) {
                self.send(json!({ "jsonrpc": "2.0", "id": rid, "result": null }))?;
            }
        }
    }
}

pub(crate) fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// What each timed edit does to the file, and the next one undoes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// An import of a missing file on the first line: a new import and
    /// diagnostic, every line below moves.
    Import,
    /// An empty first line: every line moves, the imports stay.
    Line,
    /// A comment line at the end: what a keystroke in a body changes.
    Body,
}

impl std::str::FromStr for Edit {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> anyhow::Result<Edit> {
        Ok(match s {
            "import" => Edit::Import,
            "line" => Edit::Line,
            "body" => Edit::Body,
            _ => anyhow::bail!("--edit {s}: import, line or body"),
        })
    }
}

/// Starts the server on `dir`, waits for the index, then times `n` edits of
/// `file` (default: the middle file of the walk).
pub fn latency(
    exe: &Path,
    dir: &Path,
    n: usize,
    file: Option<&str>,
    edit: Edit,
) -> anyhow::Result<()> {
    let dir = dir.canonicalize()?;
    let root_uri = format!("file://{}", dir.display());
    let mut s = Server::start(exe, Stdio::null())?;
    let t = Instant::now();
    s.request(
        "initialize",
        Some(json!({ "processId": null, "rootUri": root_uri, "capabilities": { "window": { "workDoneProgress": true } } })),
    )?;
    s.notify("initialized", json!({}))?;
    // layergate/status answers once the index is built and analysed
    loop {
        let st = s.request("layergate/status", None)?;
        if st["result"]["indexed"] == json!(true) {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let first = t.elapsed();
    let rss = rss_kb(s.child.id());
    let rel = match file {
        Some(f) => f.to_string(),
        None => crate::first_ts_file(&dir)?,
    };
    let uri = format!("{root_uri}/{rel}");
    let text = std::fs::read_to_string(dir.join(&rel))?;
    let language = if rel.ends_with(".rs") {
        "rust"
    } else if rel.ends_with(".py") || rel.ends_with(".pyi") {
        "python"
    } else {
        "typescript"
    };
    s.notify("textDocument/didOpen", json!({ "textDocument": { "uri": uri, "languageId": language, "version": 1, "text": text } }))?;
    let _ = s.request("layergate/status", None)?;
    // where the edit goes: the first line, or a new last line
    let last = text.lines().count() + usize::from(!text.ends_with('\n') && !text.is_empty());
    let (at, line) = match edit {
        Edit::Import if language == "rust" => (0, "use crate::nowhere_at_all;\n"),
        Edit::Import if language == "python" => (0, "from .nowhere_at_all import x\n"),
        Edit::Import => (0, "import { nothing } from './nowhere';\n"),
        Edit::Line => (0, "\n"),
        Edit::Body if language == "python" => (last, "# typed\n"),
        Edit::Body => (last, "// typed\n"),
    };
    if edit == Edit::Body && !text.ends_with('\n') && !text.is_empty() {
        anyhow::bail!("{rel} does not end with a line break");
    }
    let mut times = Vec::with_capacity(n);
    for i in 0..n {
        let change = if i % 2 == 0 {
            json!({ "range": { "start": { "line": at, "character": 0 }, "end": { "line": at, "character": 0 } }, "text": line })
        } else {
            json!({ "range": { "start": { "line": at, "character": 0 }, "end": { "line": at + 1, "character": 0 } }, "text": "" })
        };
        let t = Instant::now();
        s.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": i + 2 }, "contentChanges": [change] }),
        )?;
        s.wait_publish(&uri)?;
        times.push(t.elapsed());
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let pct = |p: f64| ms(times[((times.len() as f64 * p) as usize).min(times.len() - 1)]);
    println!(
        "lsp on {} ({rel}): first diagnostics {:.0} ms after initialize; RSS after indexing {} MB; didChange → publishDiagnostics p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms over {n} edits ({edit:?})",
        dir.display(),
        ms(first),
        rss / 1024,
        pct(0.5),
        pct(0.99),
        ms(times[times.len() - 1])
    );
    let _ = s.request("shutdown", None);
    let _ = s.notify("exit", json!(null));
    let _ = s.child.wait();
    Ok(())
}
