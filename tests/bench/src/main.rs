//! `layergate-bench`: generates deterministic workspaces and measures layergate
//! on them, phase by phase, against a tree-sitter parse-only baseline.
//!
//! ```sh
//! cargo run --release -p layergate-bench -- gen ts 10000 /tmp/ws-ts
//! cargo run --release -p layergate-bench -- phases /tmp/ws-ts
//! cargo run --release -p layergate-bench -- scaling ts 1000,10000,50000
//! cargo run --release -p layergate-bench -- peers target/release/layergate /tmp/ws-ts --runs 5
//! cargo run --release -p layergate-bench -- real --runs 5
//! cargo run --release -p layergate-bench -- hook target/release/layergate /tmp/ws-ts 30
//! ```

mod hook;
mod hostile;
mod lsp;
mod mcp;
mod measure;
mod peers;
mod real;
mod soak;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use layergate_bench::gen;
use rayon::prelude::*;
use rules::workspace::{self, Content, FileEntry, Workspace};
use rules::Config;
use rules::Lang;
use rules::RealFs;
use rules::{check_cold, Options};
use rules::{AnalysisHost, Change};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    rules::alloc::no_transparent_huge_pages();
    rules::alloc::tree_sitter_uses_mimalloc();
    let all: Vec<String> = std::env::args().skip(1).collect();
    let (args, flags) = split_flags(&all)?;
    let flag = |name: &str| flags.get(name).map(String::as_str);
    let runs: usize = flag("runs").unwrap_or("5").parse().context("--runs")?;
    let timeout = Duration::from_secs(
        flag("timeout")
            .unwrap_or("600")
            .parse()
            .context("--timeout")?,
    );
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["peers", exe, dir] => peers::run(&peers::PeerArgs {
            layergate: PathBuf::from(exe),
            dir: PathBuf::from(dir),
            runs: runs.max(1),
            timeout,
            skip: flag("skip").map(str::to_string),
        }),
        ["real", rest @ ..] if rest.len() <= 1 => real::run(&real::RealArgs {
            layergate: match rest.first() {
                Some(exe) => PathBuf::from(exe),
                None => sibling_layergate()?,
            },
            work: PathBuf::from(flag("work").map_or_else(
                || std::env::temp_dir().join("layergate-bench-real").to_string_lossy().into_owned(),
                str::to_string,
            )),
            runs: runs.max(1),
            timeout,
            only: flag("only").map(str::to_string),
        }),
        ["hostile", rest @ ..] if rest.len() <= 1 => hostile::run(&match rest.first() {
            Some(exe) => PathBuf::from(exe),
            None => sibling_layergate()?,
        }),
        ["gen", kind, n, dir] => generate(kind, n.parse()?, Path::new(dir)),
        ["phases", dir] => {
            let p = phases(Path::new(dir))?;
            print_phases(dir, &p);
            Ok(())
        }
        ["scaling", kind, sizes] => scaling(kind, sizes),
        ["edits", dir, n] => edits(Path::new(dir), n.parse()?),
        ["hook", exe, dir, n] => hook::latency(Path::new(exe), Path::new(dir), n.parse()?),
        ["lsp", exe, dir, n] => lsp::latency(
            Path::new(exe),
            Path::new(dir),
            n.parse()?,
            flag("file"),
            flag("edit").unwrap_or("import").parse()?,
        ),
        ["soak", exe, dir] => soak::run(&soak::SoakArgs {
            layergate: PathBuf::from(exe),
            dir: PathBuf::from(dir),
            edits: flag("edits").unwrap_or("6000").parse().context("--edits")?,
            rate: flag("rate").unwrap_or("20").parse().context("--rate")?,
            seed: flag("seed").unwrap_or("1").parse().context("--seed")?,
            hubs: flag("hubs").unwrap_or("10").parse().context("--hubs")?,
            leaves: flag("leaves").unwrap_or("30").parse().context("--leaves")?,
            sample: flag("sample").unwrap_or("7").parse::<usize>().context("--sample")?.max(1),
            max_samples: flag("max-samples").unwrap_or("60").parse().context("--max-samples")?,
            check: flag("check").is_some_and(|v| v == "yes"),
        }),
        ["mcp", exe, dir, n] => mcp::latency(Path::new(exe), Path::new(dir), n.parse()?),
        _ => bail!("usage: layergate-bench gen ts|ts-hub|rust N DIR | phases DIR | scaling ts|rust N,N,N | edits DIR N | lsp LAYERGATE DIR N [--file REL] [--edit import|line|body] | hook LAYERGATE DIR N | mcp LAYERGATE DIR N\n  | soak LAYERGATE DIR [--edits 6000] [--rate 20] [--seed 1] [--hubs 10] [--leaves 30] [--sample 7] [--max-samples 60] [--check yes]\n  | peers LAYERGATE DIR [--runs 5] [--timeout 600] [--skip NAME]\n  | real [LAYERGATE] [--runs 5] [--timeout 600] [--only rust|ts] [--work DIR]\n  | hostile [LAYERGATE]"),
    }
}

/// Positional arguments, and `--name value` flags.
fn split_flags(all: &[String]) -> anyhow::Result<(Vec<String>, BTreeMap<String, String>)> {
    let mut pos = Vec::new();
    let mut flags = BTreeMap::new();
    let mut it = all.iter();
    while let Some(a) = it.next() {
        match a.strip_prefix("--") {
            Some(name) => {
                let v = it
                    .next()
                    .with_context(|| format!("--{name} needs a value"))?;
                flags.insert(name.to_string(), v.clone());
            }
            None => pos.push(a.clone()),
        }
    }
    Ok((pos, flags))
}

/// `layergate` next to this executable (both are built into target/release).
fn sibling_layergate() -> anyhow::Result<PathBuf> {
    let p = std::env::current_exe()?.with_file_name("layergate");
    if !p.exists() {
        bail!("{} not found: pass the layergate executable", p.display());
    }
    Ok(p)
}

/// Workspace-relative paths and their contents.
type Contents = Vec<(String, Content)>;

/// The workspace's files read into memory as layergate reads them: (files,
/// bytes of text, contents).
fn read_workspace(dir: &Path) -> anyhow::Result<(usize, usize, Contents)> {
    let config = Config::load(&dir.join("layergate.toml"))
        .map_err(|e| anyhow::anyhow!("{e:?}"))
        .context("config")?;
    let contents: Contents = workspace::walk(&config)
        .par_iter()
        .map(|r| (r.clone(), workspace::read_content(&config.root.join(r))))
        .collect();
    let bytes = contents
        .iter()
        .map(|(_, c)| if let Content::Text(t) = c { t.len() } else { 0 })
        .sum();
    Ok((contents.len(), bytes, contents))
}

/// The parse-only baseline: tree-sitter alone, on all cores, on files
/// already in memory.
fn parse_only(contents: &[(String, Content)]) -> Duration {
    let t = Instant::now();
    let parsed: usize = contents
        .par_iter()
        .filter_map(|(r, c)| match c {
            Content::Text(text) => workspace::parse(Lang::from_path(r)?, text, None)
                .map(|t| t.root_node().child_count() as usize),
            _ => None,
        })
        .sum();
    std::hint::black_box(parsed);
    t.elapsed()
}

fn generate(kind: &str, n: usize, dir: &Path) -> anyhow::Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    match kind {
        "ts" => gen::typescript(dir, n, 42),
        "ts-hub" => gen::typescript(dir, n, 42).and_then(|()| gen::hub(dir)),
        "rust" => gen::rust(dir, n, 42),
        _ => bail!("unknown kind {kind}: ts, ts-hub or rust"),
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
    /// Files read by the import scanner (the others were parsed).
    scanned: usize,
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
    let config_path = dir.join("layergate.toml");
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
    p.parse_only = parse_only(&contents);

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
    p.scanned = entries.values().filter(|e| e.facts.scanned).count();

    let t = Instant::now();
    let ws = Workspace::from_entries(config.clone(), Arc::new(RealFs), entries);
    p.resolve = t.elapsed();

    let t = Instant::now();
    let out = check_cold(
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
        "workspace {name}: {} files, {:.1} MB, {} read by the import scanner, {} diagnostics, {} threads",
        p.files,
        p.bytes as f64 / 1e6,
        p.scanned,
        p.diagnostics,
        rayon::current_num_threads()
    );
    println!("| phase | ms |\n| --- | ---: |");
    for (n, d) in [
        ("walk", p.walk),
        ("read", p.read),
        ("scan or parse + extract", p.parse_extract),
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

/// The phases of a cold check, in `phases`' table, whose per-file cost
/// `scaling` follows across sizes.
const SCALED_PHASES: &[&str] = &[
    "walk",
    "read",
    "scan or parse + extract",
    "resolve",
    "evaluate",
];

fn scaling(kind: &str, sizes: &str) -> anyhow::Result<()> {
    println!(
        "| files | MB | total ms | µs/file | {} | parse-only ms | ratio | peak RSS MB |\n| ---: | ---: | ---: | ---: | {}---: | ---: | ---: |",
        SCALED_PHASES
            .iter()
            .map(|p| format!("{p} µs/file"))
            .collect::<Vec<_>>()
            .join(" | "),
        "---: | ".repeat(SCALED_PHASES.len())
    );
    // (files, parse-only µs per file, µs per file of each phase)
    let mut rows: Vec<(f64, f64, Vec<f64>)> = Vec::new();
    for n in sizes.split(',') {
        let n: usize = n.trim().parse()?;
        let dir: PathBuf = std::env::temp_dir().join(format!("layergate-bench-{kind}-{n}"));
        generate(kind, n, &dir)?;
        // each size in its own process, so peak RSS is per size
        let exe = std::env::current_exe()?;
        let out = std::process::Command::new(exe)
            .args(["phases", &dir.to_string_lossy()])
            .output()?;
        let _ = std::fs::remove_dir_all(&dir);
        let text = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            bail!(
                "phases failed on {n} files ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
        }
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
        let per_file: Vec<f64> = SCALED_PHASES
            .iter()
            .map(|p| grab(&text, &format!("| {p} | ")) * 1000.0 / files)
            .collect();
        println!(
            "| {files} | {mb} | {total:.0} | {:.1} | {} | {parse:.0} | {:.2} | {rss} |",
            total * 1000.0 / files,
            per_file
                .iter()
                .map(|c| format!("{c:.1}"))
                .collect::<Vec<_>>()
                .join(" | "),
            total / parse
        );
        rows.push((files, parse * 1000.0 / files, per_file));
    }
    for warning in superlinear(&rows) {
        println!("{warning}");
    }
    Ok(())
}

/// Phases whose cost per file grows with the workspace: from the smallest
/// size to the largest (at least 4× as many files), µs/file more than
/// doubled relative to the parse-only baseline's µs/file (which is linear,
/// so this cancels the machine's load changing between sizes), and above
/// 10 µs (smaller costs are noise).
fn superlinear(rows: &[(f64, f64, Vec<f64>)]) -> Vec<String> {
    let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
        return vec![];
    };
    if last.0 < first.0 * 4.0 {
        return vec![];
    }
    SCALED_PHASES
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let (a, b) = (*first.2.get(i)?, *last.2.get(i)?);
            let growth = (b / last.1) / (a / first.1);
            (growth > 2.0 && b > 10.0).then(|| {
                format!(
                    "superlinear? {p}: {a:.1} µs/file at {} files, {b:.1} at {} files \
                     ({growth:.1}× relative to parse-only)",
                    first.0, last.0
                )
            })
        })
        .collect()
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
        Arc::new(Config::load(&dir.join("layergate.toml")).map_err(|e| anyhow::anyhow!("{e:?}"))?);
    let t = Instant::now();
    let mut ws = AnalysisHost::new(
        Workspace::load(config, Arc::new(RealFs)),
        Options {
            today: "2026-01-01".into(),
            baseline: None,
        },
    );
    let first = ws.check();
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
    let extra = layergate_bench::unresolved_import(lang);
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
        ws.apply_change(Change::Text {
            rel: rel.clone(),
            content: Content::Text(new),
            tree: tree.clone(),
        });
        let t_check = Instant::now();
        let out = ws.check();
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
    let config = Config::load(&dir.join("layergate.toml")).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let files = workspace::walk(&config);
    files.get(files.len() / 2).cloned().context("no files")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn superlinear_phases_are_named() {
        let flat = vec![
            (1000.0, 700.0, vec![1.0, 5.0, 900.0, 20.0, 12.0]),
            (10000.0, 750.0, vec![1.2, 5.5, 950.0, 22.0, 13.0]),
        ];
        assert!(superlinear(&flat).is_empty());
        // a loaded machine: everything twice as slow per file, parse-only too
        let loaded = vec![
            (1000.0, 700.0, vec![1.0, 5.0, 900.0, 20.0, 12.0]),
            (10000.0, 1400.0, vec![2.0, 10.0, 1800.0, 40.0, 24.0]),
        ];
        assert!(superlinear(&loaded).is_empty());
        let quadratic = vec![
            (1000.0, 700.0, vec![1.0, 5.0, 900.0, 20.0, 12.0]),
            (50000.0, 700.0, vec![1.0, 5.0, 900.0, 400.0, 12.0]),
        ];
        assert_eq!(
            superlinear(&quadratic),
            ["superlinear? resolve: 20.0 µs/file at 1000 files, 400.0 at 50000 files (20.0× relative to parse-only)"]
        );
        // too few sizes apart to judge
        let close = vec![
            (1000.0, 700.0, vec![1.0; 5]),
            (2000.0, 700.0, vec![100.0; 5]),
        ];
        assert!(superlinear(&close).is_empty());
    }

    #[test]
    fn flags_are_split_from_positional_arguments() {
        let args: Vec<String> = ["peers", "a", "--runs", "3", "b"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let (pos, flags) = split_flags(&args).unwrap();
        assert_eq!(pos, ["peers", "a", "b"]);
        assert_eq!(flags.get("runs").map(String::as_str), Some("3"));
        assert!(split_flags(&["--runs".to_string()]).is_err());
    }
}
