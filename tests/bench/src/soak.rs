//! The language server through a long editing session (`layergate-bench
//! soak`): a seeded stream of edits to open documents, hub files (the most
//! imported) and leaves, sent at a fixed rate without waiting for answers,
//! through the real `layergate lsp` over pipes. Then:
//!
//! * every publish of a sampled version of an edited document equals
//!   `layergate check --stdin-filename` on that version's text (one document
//!   differs from the disk at a time, so the CLI sees what the server saw);
//! * no document version is published twice with different diagnostics;
//! * hover, code action and status requests sent along the way are answered;
//! * the server's memory over the second half of the stream stays within
//!   10% of the first half's;
//! * once every document is back to its disk text, the last diagnostics
//!   published for each file equal a cold `layergate check`;
//! * `shutdown` is answered and the process exits with status 0, nothing on
//!   stderr.
//!
//! It prints the latency from `didChange` to the publish that covers it
//! (hubs and leaves apart), the server's CPU time per edit and its RSS
//! series. With `--check`, a failed assertion is an error (the test command
//! runs it so on a real corpus and a generated hub workspace).

use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use layergate_bench::gen::Rng;
use serde_json::{json, Value};

use rules::analysis::relative_specifier;

use crate::lsp::{rss_kb, Server};

pub struct SoakArgs {
    pub layergate: PathBuf,
    pub dir: PathBuf,
    pub edits: usize,
    /// Edits per second.
    pub rate: f64,
    pub seed: u64,
    /// How many of the most-imported files, and how many leaves, are open.
    pub hubs: usize,
    pub leaves: usize,
    /// Every `sample`-th version of an edited document is kept for the
    /// `check --stdin-filename` comparison, at most `max_samples` of them.
    pub sample: usize,
    pub max_samples: usize,
    /// Fail on a broken assertion.
    pub check: bool,
}

/// One diagnostic as both sides can say it: 0-based line, rule, message.
type Key = (u64, String, String);

struct Pub {
    uri: String,
    version: Option<i64>,
    at: Instant,
    diags: Vec<Key>,
}

#[derive(Default)]
struct Record {
    pubs: Vec<Pub>,
    /// The last diagnostics published per uri.
    last: HashMap<String, Vec<Key>>,
    /// (uri, version) → the diagnostics first published under it.
    by_version: HashMap<(String, i64), Vec<Key>>,
    /// Versions published twice with different diagnostics.
    conflicts: Vec<String>,
}

impl Record {
    fn see(&mut self, at: Instant, v: &Value) {
        if v.get("method") != Some(&json!("textDocument/publishDiagnostics")) {
            return;
        }
        let p = &v["params"];
        let uri = p["uri"].as_str().unwrap_or_default().to_string();
        let version = p["version"].as_i64();
        let mut diags: Vec<Key> = p["diagnostics"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|d| {
                        (
                            d["range"]["start"]["line"].as_u64().unwrap_or(0),
                            d["code"].as_str().unwrap_or_default().to_string(),
                            d["message"].as_str().unwrap_or_default().to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        diags.sort();
        if let Some(ver) = version {
            match self.by_version.get(&(uri.clone(), ver)) {
                Some(before) if *before != diags => self.conflicts.push(format!(
                    "{uri} version {ver}: {} diagnostics, then {}",
                    before.len(),
                    diags.len()
                )),
                Some(_) => {}
                None => {
                    self.by_version.insert((uri.clone(), ver), diags.clone());
                }
            }
        }
        self.last.insert(uri.clone(), diags.clone());
        self.pubs.push(Pub {
            uri,
            version,
            at,
            diags,
        });
    }
}

struct Doc {
    rel: String,
    uri: String,
    disk: String,
    text: String,
    version: i64,
    hub: bool,
    /// Lines this session inserted that are still there.
    inserted: Vec<String>,
}

/// A line-based edit: replace lines `start..end` with `text`.
struct LineEdit {
    start: usize,
    end: usize,
    text: String,
}

fn apply(text: &str, e: &LineEdit) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut out = String::with_capacity(text.len() + e.text.len());
    for l in &lines[..e.start.min(lines.len())] {
        out.push_str(l);
    }
    out.push_str(&e.text);
    for l in &lines[e.end.min(lines.len())..] {
        out.push_str(l);
    }
    out
}

fn line_count(text: &str) -> usize {
    text.split_inclusive('\n').count()
}

fn is_source(rel: &str) -> bool {
    [".ts", ".tsx", ".js", ".jsx", ".mts", ".cts", ".rs"]
        .iter()
        .any(|e| rel.ends_with(e))
        && !rel.ends_with(".d.ts")
}

/// Source files and how many files import each, from `graph --level file`.
fn importers(exe: &Path, dir: &Path) -> anyhow::Result<BTreeMap<String, usize>> {
    let out = Command::new(exe)
        .args(["graph", "--level", "file", "--format", "json"])
        .current_dir(dir)
        .output()?;
    let g: Value = serde_json::from_slice(&out.stdout).context("graph --format json")?;
    let mut n: BTreeMap<String, usize> = BTreeMap::new();
    for f in g["files"].as_array().into_iter().flatten() {
        if let Some(f) = f.as_str().or_else(|| f["path"].as_str()) {
            if is_source(f) {
                n.entry(f.to_string()).or_insert(0);
            }
        }
    }
    for e in g["edges"].as_array().into_iter().flatten() {
        if let Some(to) = e["to"].as_str() {
            if let Some(c) = n.get_mut(to) {
                *c += 1;
            }
        }
    }
    if n.is_empty() {
        bail!(
            "`graph --level file` listed no source file in {}",
            dir.display()
        );
    }
    Ok(n)
}

/// The diagnostics `check` gives, per file (cold when `stdin` is `None`).
fn check(
    exe: &Path,
    dir: &Path,
    stdin: Option<(&str, &str)>,
) -> anyhow::Result<BTreeMap<String, Vec<Key>>> {
    let mut cmd = Command::new(exe);
    // the cold check reads no cache; the checks of proposed contents use
    // the facts cache of the workspace's files (read once, not per sample)
    cmd.args(["check", "--format", "json"])
        .args(stdin.is_none().then_some("--no-cache"))
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some((rel, _)) = stdin {
        cmd.args(["--stdin-filename", rel]).stdin(Stdio::piped());
    }
    let mut child = cmd.spawn()?;
    if let Some((_, text)) = stdin {
        let mut w = child.stdin.take().context("stdin")?;
        let text = text.to_string();
        std::thread::spawn(move || w.write_all(text.as_bytes()));
    }
    let mut buf = Vec::new();
    child
        .stdout
        .take()
        .context("stdout")?
        .read_to_end(&mut buf)?;
    child.wait()?;
    let v: Value = serde_json::from_slice(&buf).context("check --format json")?;
    let mut out: BTreeMap<String, Vec<Key>> = BTreeMap::new();
    for d in v["diagnostics"].as_array().into_iter().flatten() {
        out.entry(d["file"].as_str().unwrap_or_default().to_string())
            .or_default()
            .push((
                d["line"].as_u64().unwrap_or(1).saturating_sub(1),
                d["rule"].as_str().unwrap_or_default().to_string(),
                d["message"].as_str().unwrap_or_default().to_string(),
            ));
    }
    for v in out.values_mut() {
        v.sort();
    }
    Ok(out)
}

/// utime + stime of a process, in milliseconds.
fn cpu_ms(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // the fields after the command name, which is in parentheses
    let rest = stat.rsplit(')').next().unwrap_or_default();
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 (1-based), 12 and 13 here; 100 Hz
    (ticks(11) + ticks(12)) * 10.0
}

fn percentiles(mut xs: Vec<f64>) -> String {
    if xs.is_empty() {
        return "none".into();
    }
    xs.sort_by(f64::total_cmp);
    let at = |p: f64| xs[((xs.len() as f64 * p) as usize).min(xs.len() - 1)];
    format!(
        "p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} edits)",
        at(0.5),
        at(0.99),
        xs[xs.len() - 1],
        xs.len()
    )
}

/// Waits until every document's current version has been published, then
/// a moment more: the server is idle.
fn quiet(s: &mut Server, rec: &mut Record, docs: &[Doc]) -> anyhow::Result<()> {
    let since = Instant::now();
    loop {
        drain(s, rec)?;
        let waiting = docs
            .iter()
            .filter(|d| !rec.by_version.contains_key(&(d.uri.clone(), d.version)))
            .count();
        if waiting == 0 {
            break;
        }
        if since.elapsed() > Duration::from_secs(300) {
            bail!("{waiting} documents' last versions not published after 300 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    drain(s, rec)
}

/// Reads what the server sent so far; answers its requests.
fn drain(s: &mut Server, rec: &mut Record) -> anyhow::Result<()> {
    while let Ok((at, v)) = s.rx.try_recv() {
        if let (Some(id), Some(_)) = (v.get("id"), v.get("method")) {
            s.send(json!({ "jsonrpc": "2.0", "id": id, "result": null }))?;
        }
        rec.see(at, &v);
    }
    Ok(())
}

/// The next edit of a burst on `d`: typing, imports added and taken out,
/// a paste taken out by the next edit, a revert.
fn next_edit(
    rng: &mut Rng,
    d: &mut Doc,
    all: &[String],
    pasted: &mut Option<(usize, usize)>,
    i: usize,
) -> LineEdit {
    let n = line_count(&d.text);
    let insert = |at: usize, text: String| LineEdit {
        start: at,
        end: at,
        text,
    };
    if let Some((at, len)) = pasted.take() {
        return LineEdit {
            start: at,
            end: at + len,
            text: String::new(),
        };
    }
    match rng.below(20) {
        // a comment typed on a new line: every line below moves
        0..=5 => insert(rng.below(n + 1), format!("// typed {i}\n")),
        // an import of another file (layering may forbid it)
        6..=9 => {
            let to = &all[rng.below(all.len())];
            let line = if d.rel.ends_with(".rs") {
                "use crate::nowhere_typed;\n".to_string()
            } else {
                format!(
                    "import {{ x{i} }} from '{}';\n",
                    relative_specifier(&d.rel, to)
                )
            };
            d.inserted.push(line.clone());
            insert(rng.below(n.min(20) + 1), line)
        }
        // an inserted import taken out again
        10..=13 if !d.inserted.is_empty() => {
            let line = d.inserted.swap_remove(rng.below(d.inserted.len()));
            match d.text.split_inclusive('\n').position(|l| l == line) {
                Some(at) => LineEdit {
                    start: at,
                    end: at + 1,
                    text: String::new(),
                },
                None => insert(0, String::new()),
            }
        }
        // a character typed at the start of a line (an import broken, a
        // statement changed)
        10..=17 => {
            let at = rng.below(n.max(1));
            let line = d.text.split_inclusive('\n').nth(at).unwrap_or("");
            LineEdit {
                start: at,
                end: (at + 1).min(n),
                text: format!("x{line}"),
            }
        }
        // a paste of 200 lines, taken out by the next edit
        18 => {
            let chunk: String = d.disk.split_inclusive('\n').take(200).collect();
            let at = rng.below(n + 1);
            *pasted = Some((at, line_count(&chunk)));
            insert(at, chunk)
        }
        // back to the disk text
        _ => {
            d.inserted.clear();
            LineEdit {
                start: 0,
                end: n,
                text: d.disk.clone(),
            }
        }
    }
}

pub fn run(a: &SoakArgs) -> anyhow::Result<()> {
    let dir = a.dir.canonicalize()?;
    let exe = a
        .layergate
        .canonicalize()
        .with_context(|| format!("{}", a.layergate.display()))?;
    let a = &SoakArgs {
        layergate: exe,
        dir: dir.clone(),
        ..*a
    };
    let root_uri = format!("file://{}", dir.display());
    let mut rng = Rng::new(a.seed);
    let counts = importers(&a.layergate, &dir)?;
    let mut by_importers: Vec<(&String, &usize)> = counts.iter().collect();
    by_importers.sort_by(|x, y| y.1.cmp(x.1).then(x.0.cmp(y.0)));
    let hubs: Vec<String> = by_importers
        .iter()
        .take(a.hubs)
        .map(|(f, _)| (*f).clone())
        .collect();
    let mut leaves: Vec<String> = by_importers
        .iter()
        .filter(|(f, n)| **n <= 1 && !hubs.contains(f))
        .map(|(f, _)| (*f).clone())
        .collect();
    let mut picked = Vec::new();
    while picked.len() < a.leaves && !leaves.is_empty() {
        picked.push(leaves.swap_remove(rng.below(leaves.len())));
    }
    let all: Vec<String> = counts.keys().cloned().collect();

    let stderr_text = Arc::new(Mutex::new(String::new()));
    let mut s = Server::start(&a.layergate, Stdio::piped())?;
    {
        let mut err = s.child.stderr.take().context("stderr")?;
        let sink = stderr_text.clone();
        std::thread::spawn(move || {
            let mut buf = String::new();
            let _ = err.read_to_string(&mut buf);
            sink.lock().unwrap().push_str(&buf);
        });
    }
    let pid = s.child.id();
    let mut rec = Record::default();
    let t0 = Instant::now();
    s.request_seeing(
        "initialize",
        Some(json!({
            "processId": null,
            "rootUri": root_uri,
            "capabilities": { "textDocument": { "publishDiagnostics": { "versionSupport": true } } }
        })),
        &mut |at, v| rec.see(at, v),
    )?;
    s.notify("initialized", json!({}))?;
    loop {
        let st = s.request_seeing("layergate/status", None, &mut |at, v| rec.see(at, v))?;
        if st["result"]["indexed"] == json!(true) {
            break;
        }
        if t0.elapsed() > Duration::from_secs(600) {
            bail!("not indexed after 600 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let indexed = t0.elapsed();

    let mut docs: Vec<Doc> = Vec::new();
    for (rel, hub) in hubs
        .iter()
        .map(|h| (h, true))
        .chain(picked.iter().map(|l| (l, false)))
    {
        let disk = std::fs::read_to_string(dir.join(rel))?;
        let uri = format!("{root_uri}/{rel}");
        let language = if rel.ends_with(".rs") {
            "rust"
        } else if rel.ends_with(".js") || rel.ends_with(".jsx") {
            "javascript"
        } else {
            "typescript"
        };
        s.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": language, "version": 1, "text": disk } }),
        )?;
        docs.push(Doc {
            rel: rel.clone(),
            uri,
            text: disk.clone(),
            disk,
            version: 1,
            hub,
            inserted: Vec::new(),
        });
    }
    if docs.is_empty() {
        bail!("no document to edit");
    }
    let _ = s.request_seeing("layergate/status", None, &mut |at, v| rec.see(at, v))?;
    drain(&mut s, &mut rec)?;

    // the stream
    let mut sent: Vec<(usize, i64, Instant)> = Vec::with_capacity(a.edits);
    let mut samples: Vec<(usize, i64, String)> = Vec::new();
    let mut rss: Vec<(usize, u64)> = vec![(0, rss_kb(pid))];
    let mut probes = 0usize;
    let cpu0 = cpu_ms(pid);
    let start = Instant::now();
    let mut paused = Duration::ZERO;
    let mut mid_rss = 0;
    let mut current = 0usize;
    let mut burst_left = 0usize;
    let mut pasted: Option<(usize, usize)> = None;
    for i in 0..a.edits {
        // a burst ends with its document back to the disk text: one
        // document differs from the disk at a time
        let full_revert = burst_left == 0 && docs[current].text != docs[current].disk;
        let (change, new_text) = if full_revert {
            let d = &docs[current];
            (json!({ "text": d.disk }), d.disk.clone())
        } else {
            if burst_left == 0 {
                // a hub one burst in three
                current = if rng.below(3) == 0 {
                    rng.below(hubs.len().min(docs.len()).max(1))
                } else {
                    rng.below(docs.len())
                };
                burst_left = 5 + rng.below(30);
            }
            burst_left -= 1;
            let e = next_edit(&mut rng, &mut docs[current], &all, &mut pasted, i);
            let d = &docs[current];
            let new_text = apply(&d.text, &e);
            let change = json!({
                "range": { "start": { "line": e.start, "character": 0 }, "end": { "line": e.end, "character": 0 } },
                "text": e.text,
            });
            (change, new_text)
        };
        // pacing
        let due = start + paused + Duration::from_secs_f64(i as f64 / a.rate);
        let now = Instant::now();
        if due > now {
            std::thread::sleep(due - now);
        }
        let d = &mut docs[current];
        d.version += 1;
        d.text = new_text;
        if full_revert {
            d.inserted.clear();
            // a paste still to be taken out was in the text reverted
            pasted = None;
        }
        if d.version % a.sample as i64 == 0 && samples.len() < a.max_samples {
            samples.push((current, d.version, d.text.clone()));
        }
        let t = Instant::now();
        s.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": d.uri, "version": d.version }, "contentChanges": [change] }),
        )?;
        sent.push((current, d.version, t));
        drain(&mut s, &mut rec)?;
        if (i + 1) % 100 == 0 {
            rss.push((i + 1, rss_kb(pid)));
        }
        if i + 1 == a.edits / 2 {
            // the memory of the idle server after the first half
            let t = Instant::now();
            quiet(&mut s, &mut rec, &docs)?;
            mid_rss = rss_kb(pid);
            paused += t.elapsed();
        }
        if (i + 1) % 500 == 0 {
            // requests along the way, each answered
            let d = &docs[current];
            let pos = json!({ "line": 0, "character": 0 });
            let td = json!({ "uri": d.uri });
            for (method, params) in [
                (
                    "textDocument/hover",
                    Some(json!({ "textDocument": td, "position": pos })),
                ),
                (
                    "textDocument/codeAction",
                    Some(json!({
                        "textDocument": td,
                        "range": { "start": pos, "end": { "line": 3, "character": 0 } },
                        "context": { "diagnostics": [] }
                    })),
                ),
                ("layergate/status", None),
            ] {
                let r = s.request_seeing(method, params, &mut |at, v| rec.see(at, v))?;
                if r.get("error").is_some() {
                    bail!("{method} answered with an error: {r}");
                }
                probes += 1;
            }
        }
    }
    // every document back to its disk text
    for (k, d) in docs.iter_mut().enumerate() {
        if d.text != d.disk {
            d.version += 1;
            d.text = d.disk.clone();
            s.notify(
                "textDocument/didChange",
                json!({ "textDocument": { "uri": d.uri, "version": d.version }, "contentChanges": [{ "text": d.disk }] }),
            )?;
            sent.push((k, d.version, Instant::now()));
        }
    }
    let stream = start.elapsed();
    // quiet: each document's last version published
    quiet(&mut s, &mut rec, &docs)?;
    let end_rss = rss_kb(pid);
    let cpu = cpu_ms(pid) - cpu0;
    rss.push((a.edits, rss_kb(pid)));
    // whatever a last round still had to say
    let _ = s.request_seeing("layergate/status", None, &mut |at, v| rec.see(at, v))?;
    std::thread::sleep(Duration::from_millis(300));
    drain(&mut s, &mut rec)?;

    let mut failures: Vec<String> = Vec::new();

    // latency: from a didChange to the first publish of its document under
    // that version or a later one
    let mut by_uri: HashMap<&str, Vec<(i64, Instant)>> = HashMap::new();
    for p in &rec.pubs {
        if let Some(v) = p.version {
            by_uri.entry(p.uri.as_str()).or_default().push((v, p.at));
        }
    }
    let (mut hub_ms, mut leaf_ms) = (Vec::new(), Vec::new());
    let mut unanswered = 0;
    for (k, v, t) in &sent {
        let d = &docs[*k];
        let first = by_uri
            .get(d.uri.as_str())
            .and_then(|ps| ps.iter().find(|(pv, at)| pv >= v && at >= t));
        match first {
            Some((_, at)) => {
                let ms = (*at - *t).as_secs_f64() * 1000.0;
                if d.hub {
                    hub_ms.push(ms);
                } else {
                    leaf_ms.push(ms);
                }
            }
            None => unanswered += 1,
        }
    }
    if unanswered > 0 {
        failures.push(format!(
            "{unanswered} edits were never covered by a publish"
        ));
    }

    // the final state against a cold check
    let cold = check(&a.layergate, &dir, None)?;
    let prefix = format!("{root_uri}/");
    let mut published: BTreeMap<String, Vec<Key>> = BTreeMap::new();
    for (uri, diags) in &rec.last {
        if !diags.is_empty() {
            let rel = uri.strip_prefix(&prefix).unwrap_or(uri).to_string();
            published.insert(rel, diags.clone());
        }
    }
    let final_equal = published == cold;
    if !final_equal {
        let mut shown = 0;
        for f in cold.keys().chain(published.keys()) {
            if cold.get(f) != published.get(f) && shown < 5 {
                shown += 1;
                failures.push(format!(
                    "final state of {f}: published {:?}, cold check {:?}",
                    published
                        .get(f)
                        .map(|d| d.iter().take(3).collect::<Vec<_>>()),
                    cold.get(f).map(|d| d.iter().take(3).collect::<Vec<_>>())
                ));
            }
        }
    }

    // sampled versions against check --stdin-filename
    let mut compared = 0;
    for (k, version, text) in &samples {
        let d = &docs[*k];
        let pubs: Vec<&Pub> = rec
            .pubs
            .iter()
            .filter(|p| p.uri == d.uri && p.version == Some(*version))
            .collect();
        if pubs.is_empty() {
            continue;
        }
        let want = check(&a.layergate, &dir, Some((&d.rel, text)))?
            .remove(&d.rel)
            .unwrap_or_default();
        compared += 1;
        for p in pubs {
            if p.diags != want {
                failures.push(format!(
                    "{} version {version}: published {} diagnostics {:?}, check --stdin-filename on that text says {} {:?}",
                    d.rel,
                    p.diags.len(),
                    p.diags.iter().take(3).collect::<Vec<_>>(),
                    want.len(),
                    want.iter().take(3).collect::<Vec<_>>()
                ));
            }
        }
    }
    if compared == 0 {
        failures.push("no sampled version was published".into());
    }
    failures.extend(rec.conflicts.iter().take(5).cloned());

    // memory: the idle server after the second half against after the first
    let half = a.edits / 2;
    let max_of = |f: &dyn Fn(usize) -> bool| {
        rss.iter()
            .filter(|(i, _)| f(*i))
            .map(|(_, r)| *r)
            .max()
            .unwrap_or(0)
    };
    let first_half = max_of(&|i| i <= half);
    let second_half = max_of(&|i| i > half);
    if end_rss as f64 > mid_rss as f64 * 1.10 {
        failures.push(format!(
            "RSS grew: {} MB idle after the first half, {} MB after the second",
            mid_rss / 1024,
            end_rss / 1024
        ));
    }

    // a clean exit
    let r = s.request("shutdown", None)?;
    if r.get("error").is_some() {
        failures.push(format!("shutdown answered with an error: {r}"));
    }
    s.notify("exit", json!(null))?;
    let exit = Instant::now();
    let status = loop {
        if let Some(st) = s.child.try_wait()? {
            break Some(st);
        }
        if exit.elapsed() > Duration::from_secs(30) {
            let _ = s.child.kill();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    if !status.is_some_and(|s| s.success()) {
        failures.push(format!("the server did not exit cleanly: {status:?}"));
    }
    std::thread::sleep(Duration::from_millis(100));
    let stderr = stderr_text.lock().unwrap().clone();
    if !stderr.trim().is_empty() {
        failures.push(format!(
            "stderr: {}",
            stderr.chars().take(500).collect::<String>()
        ));
    }

    let versions_published = rec.pubs.iter().filter(|p| p.version.is_some()).count();
    println!(
        "soak on {} ({} files; {} hubs: {}; {} leaves): indexed in {:.1} s; {} edits in {:.1} s ({:.0}/s), {} publishes ({} under a version), {} requests along the way",
        dir.display(),
        counts.len(),
        hubs.len(),
        hubs.iter()
            .map(|h| format!("{h} ({} importers)", counts[h]))
            .collect::<Vec<_>>()
            .join(", "),
        docs.len() - hubs.len(),
        indexed.as_secs_f64(),
        sent.len(),
        stream.as_secs_f64(),
        sent.len() as f64 / stream.as_secs_f64(),
        rec.pubs.len(),
        versions_published,
        probes,
    );
    println!("  didChange → publish, hubs:   {}", percentiles(hub_ms));
    println!("  didChange → publish, leaves: {}", percentiles(leaf_ms));
    println!(
        "  server CPU {:.2} ms per edit ({:.0} ms in all)",
        cpu / sent.len().max(1) as f64,
        cpu
    );
    println!(
        "  RSS MB every 100 edits: {}",
        rss.iter()
            .map(|(_, r)| (r / 1024).to_string())
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!(
        "  RSS idle after the first half {} MB, after the second {} MB (peaks {} and {} MB); final state = cold check: {final_equal}; sampled versions compared with check --stdin-filename: {compared} of {}; versions published twice with different diagnostics: {}",
        mid_rss / 1024,
        end_rss / 1024,
        first_half / 1024,
        second_half / 1024,
        samples.len(),
        rec.conflicts.len()
    );
    if failures.is_empty() {
        println!("  ok");
        return Ok(());
    }
    for f in &failures {
        println!("  FAIL {f}");
    }
    if a.check {
        bail!("soak: {} failures", failures.len());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_edits() {
        let t = "a\nb\nc\n";
        let e = |start, end, text: &str| LineEdit {
            start,
            end,
            text: text.into(),
        };
        assert_eq!(apply(t, &e(1, 1, "x\n")), "a\nx\nb\nc\n");
        assert_eq!(apply(t, &e(1, 2, "")), "a\nc\n");
        assert_eq!(apply(t, &e(3, 3, "d\n")), "a\nb\nc\nd\n");
        assert_eq!(apply(t, &e(0, 3, "z\n")), "z\n");
    }
}
