//! `archgate-bench`: generates deterministic workspaces and measures archgate
//! on them, phase by phase, against a tree-sitter parse-only baseline.
//!
//! ```sh
//! cargo run --release -p archgate-bench -- gen ts 10000 /tmp/ws-ts
//! cargo run --release -p archgate-bench -- phases /tmp/ws-ts
//! cargo run --release -p archgate-bench -- scaling ts 1000,10000,50000
//! ```

mod gen;
mod lsp;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use rayon::prelude::*;
use rules::analysis::{check, Options};
use rules::config::Config;
use rules::lang::Lang;
use rules::resolve::RealFs;
use rules::workspace::{self, Content, FileEntry, Workspace};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["gen", kind, n, dir] => generate(kind, n.parse()?, Path::new(dir)),
        ["phases", dir] => {
            let p = phases(Path::new(dir))?;
            print_phases(dir, &p);
            Ok(())
        }
        ["scaling", kind, sizes] => scaling(kind, sizes),
        ["edits", dir, n] => edits(Path::new(dir), n.parse()?),
        ["lsp", exe, dir, n] => lsp::latency(Path::new(exe), Path::new(dir), n.parse()?),
        _ => bail!("usage: archgate-bench gen ts|rust N DIR | phases DIR | scaling ts|rust N,N,N | edits DIR N | lsp ARCHGATE DIR N"),
    }
}

fn generate(kind: &str, n: usize, dir: &Path) -> anyhow::Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    match kind {
        "ts" => gen::typescript(dir, n, 42),
        "rust" => gen::rust(dir, n, 42),
        _ => bail!("unknown kind {kind}: ts or rust"),
    }
}

/// Wall time of each phase of a cold check, and of the parse-only baseline.
#[derive(Debug, Default)]
struct Phases {
    files: usize,
    bytes: usize,
    walk: Duration,
    read: Duration,
    parse_only: Duration,
    parse_extract: Duration,
    resolve: Duration,
    evaluate: Duration,
    diagnostics: usize,
    peak_rss_kb: u64,
}

impl Phases {
    fn total(&self) -> Duration {
        self.walk + self.read + self.parse_extract + self.resolve + self.evaluate
    }
}

fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn phases(dir: &Path) -> anyhow::Result<Phases> {
    let config_path = dir.join("archgate.toml");
    let config = Arc::new(
        Config::load(&config_path)
            .map_err(|e| anyhow::anyhow!("{e:?}"))
            .context("config")?,
    );
    let mut p = Phases::default();

    let t = Instant::now();
    let rels = workspace::walk(&config);
    p.walk = t.elapsed();
    p.files = rels.len();

    let t = Instant::now();
    let contents: Vec<(String, Content)> = rels
        .par_iter()
        .map(|r| (r.clone(), workspace::read_content(&config.root.join(r))))
        .collect();
    p.read = t.elapsed();
    p.bytes = contents
        .iter()
        .map(|(_, c)| if let Content::Text(t) = c { t.len() } else { 0 })
        .sum();

    // the baseline: tree-sitter alone, on all cores, same files
    let t = Instant::now();
    let parsed: usize = contents
        .par_iter()
        .filter_map(|(r, c)| match c {
            Content::Text(text) => workspace::parse(Lang::from_path(r)?, text, None)
                .map(|t| t.root_node().child_count() as usize),
            _ => None,
        })
        .sum();
    p.parse_only = t.elapsed();
    std::hint::black_box(parsed);

    let t = Instant::now();
    let entries: BTreeMap<String, FileEntry> = contents
        .into_par_iter()
        .filter_map(|(r, c)| {
            let lang = Lang::from_path(&r)?;
            let e = FileEntry::analyse(&config, lang, c);
            Some((r, e))
        })
        .collect();
    p.parse_extract = t.elapsed();

    let t = Instant::now();
    let ws = Workspace::from_entries(config.clone(), Arc::new(RealFs), entries);
    p.resolve = t.elapsed();

    let t = Instant::now();
    let out = check(
        &ws,
        &Options {
            today: "2026-01-01".into(),
            baseline: None,
        },
    );
    p.evaluate = t.elapsed();
    p.diagnostics = out.diagnostics.len();
    p.peak_rss_kb = peak_rss_kb();
    Ok(p)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn print_phases(name: &str, p: &Phases) {
    println!(
        "workspace {name}: {} files, {:.1} MB, {} diagnostics, {} threads",
        p.files,
        p.bytes as f64 / 1e6,
        p.diagnostics,
        rayon::current_num_threads()
    );
    println!("| phase | ms |\n| --- | ---: |");
    for (n, d) in [
        ("walk", p.walk),
        ("read", p.read),
        ("parse + extract", p.parse_extract),
        ("resolve", p.resolve),
        ("evaluate", p.evaluate),
        ("**total**", p.total()),
    ] {
        println!("| {n} | {:.0} |", ms(d));
    }
    println!(
        "| tree-sitter parse only (baseline) | {:.0} |",
        ms(p.parse_only)
    );
    println!(
        "ratio total / parse-only: {:.2}; per file: {:.1} µs; peak RSS {} MB",
        p.total().as_secs_f64() / p.parse_only.as_secs_f64(),
        p.total().as_secs_f64() * 1e6 / p.files.max(1) as f64,
        p.peak_rss_kb / 1024
    );
}

fn scaling(kind: &str, sizes: &str) -> anyhow::Result<()> {
    println!("| files | MB | total ms | µs/file | parse-only ms | ratio | peak RSS MB |\n| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for n in sizes.split(',') {
        let n: usize = n.trim().parse()?;
        let dir: PathBuf = std::env::temp_dir().join(format!("archgate-bench-{kind}-{n}"));
        generate(kind, n, &dir)?;
        // each size in its own process, so peak RSS is per size
        let exe = std::env::current_exe()?;
        let out = std::process::Command::new(exe)
            .args(["phases", &dir.to_string_lossy()])
            .output()?;
        let text = String::from_utf8_lossy(&out.stdout);
        let total = grab(&text, "| **total** | ");
        let parse = grab(&text, "| tree-sitter parse only (baseline) | ");
        let rss = text
            .split("peak RSS ")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .unwrap_or("?")
            .to_string();
        let mb = text
            .split(" files, ")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .unwrap_or("?")
            .to_string();
        let files = text
            .split(": ")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .and_then(|s| s.parse::<f64>().ok())
            .unwrap_or(n as f64);
        println!(
            "| {files} | {mb} | {total:.0} | {:.1} | {parse:.0} | {:.2} | {rss} |",
            total * 1000.0 / files,
            total / parse
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}

fn grab(text: &str, prefix: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(prefix))
        .and_then(|r| r.trim_end_matches(" |").trim().parse().ok())
        .unwrap_or(f64::NAN)
}

/// Engine latency per keystroke: `set_file` + `check` after an edit of one
/// file (every other edit adds or removes an import), p50/p99 over `n` edits.
fn edits(dir: &Path, n: usize) -> anyhow::Result<()> {
    let config =
        Arc::new(Config::load(&dir.join("archgate.toml")).map_err(|e| anyhow::anyhow!("{e:?}"))?);
    let t = Instant::now();
    let mut ws = Workspace::load(config, Arc::new(RealFs));
    let first = check(
        &ws,
        &Options {
            today: "2026-01-01".into(),
            baseline: None,
        },
    );
    println!(
        "{} files: load + first check {:.0} ms, {} diagnostics, RSS {} MB",
        ws.files.len(),
        ms(t.elapsed()),
        first.diagnostics.len(),
        peak_rss_kb() / 1024
    );
    let (rel, text) = ws
        .files
        .iter()
        .nth(ws.files.len() / 2)
        .and_then(|(r, e)| Some((r.clone(), e.text(ws.fs(), &dir.join(r))?.to_string())))
        .context("empty workspace")?;
    let lang = Lang::from_path(&rel).context("lang")?;
    let extra = if lang == Lang::Rust {
        "use crate::nothing::Here;\n"
    } else {
        "import { nothing } from './nowhere';\n"
    };
    let mut times = Vec::with_capacity(n);
    let mut check_times = Vec::with_capacity(n);
    let mut tree = workspace::parse(lang, &text, None);
    for i in 0..n {
        let new = if i % 2 == 0 {
            format!("{extra}{text}")
        } else {
            text.clone()
        };
        let t = Instant::now();
        // incremental parse as the server does (the edit is at the start)
        if let Some(old) = tree.as_mut() {
            let (old_len, new_len) = if i % 2 == 0 {
                (0, extra.len())
            } else {
                (extra.len(), 0)
            };
            old.edit(&tree_sitter::InputEdit {
                start_byte: 0,
                old_end_byte: old_len,
                new_end_byte: new_len,
                start_position: tree_sitter::Point::new(0, 0),
                old_end_position: tree_sitter::Point::new(if old_len > 0 { 1 } else { 0 }, 0),
                new_end_position: tree_sitter::Point::new(if new_len > 0 { 1 } else { 0 }, 0),
            });
        }
        tree = workspace::parse(lang, &new, tree.as_ref());
        ws.set_file(&rel, Content::Text(new), tree.as_ref());
        let t_check = Instant::now();
        let out = check(
            &ws,
            &Options {
                today: "2026-01-01".into(),
                baseline: None,
            },
        );
        check_times.push(t_check.elapsed());
        times.push(t.elapsed());
        std::hint::black_box(out.diagnostics.len());
    }
    times.sort();
    check_times.sort();
    println!(
        "  of which check: p50 {:.2} ms",
        ms(check_times[check_times.len() / 2])
    );
    let pct = |p: f64| ms(times[((times.len() as f64 * p) as usize).min(times.len() - 1)]);
    println!(
        "edit {rel}: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms over {n} edits; RSS {} MB",
        pct(0.5),
        pct(0.99),
        ms(times[times.len() - 1]),
        peak_rss_kb() / 1024
    );
    Ok(())
}

/// A TypeScript file in the middle of the workspace, workspace-relative.
fn first_ts_file(dir: &Path) -> anyhow::Result<String> {
    let config = Config::load(&dir.join("archgate.toml")).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let files = workspace::walk(&config);
    files.get(files.len() / 2).cloned().context("no files")
}
