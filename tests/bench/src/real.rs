//! `layergate-bench real`: layergate on real code from the registries.
//!
//! * Rust: the sources of the dependency tree pinned in
//!   `tests/bench/real/Cargo.toml` (+ `Cargo.lock`), fetched with
//!   `cargo vendor --locked`, one module per vendored crate.
//! * TypeScript: the `src/` trees that npm packages ship (rxjs, effect, zod,
//!   pinned in `tests/bench/real/package.json` + lock, installed with
//!   `npm ci`), one workspace per package, one module per directory.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{bail, Context};
use serde_json::Value;

use crate::measure::{self, median};

/// The npm packages whose `src/` is benchmarked.
pub const TS_PACKAGES: &[&str] = &["rxjs", "effect", "zod"];

pub struct RealArgs {
    pub layergate: PathBuf,
    pub work: PathBuf,
    pub runs: usize,
    pub timeout: Duration,
    pub only: Option<String>,
}

fn real_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("real")
}

/// A module name from a path: lowercase, anything but `[a-z0-9_-]` → `-`.
pub fn module_name(s: &str) -> String {
    s.chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

fn toml_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// `layergate.toml` with one module per `(name, glob)`, in order, plus the
/// given extra text (boundaries).
pub fn config_text(include: &str, modules: &[(String, String)], extra: &str) -> String {
    let mut t = format!("[workspace]\ninclude = [{}]\n\n", toml_str(include));
    for (name, glob) in modules {
        let _ = writeln!(
            t,
            "[[modules]]\nname = {}\npaths = [{}]\n",
            toml_str(name),
            toml_str(glob)
        );
    }
    t.push_str(extra);
    t
}

/// Vendors the pinned Rust tree into `work/rust/vendor` (once) and writes
/// its config: one module per crate directory.
fn prepare_rust(work: &Path) -> anyhow::Result<PathBuf> {
    let root = work.join("rust");
    let vendor = root.join("vendor");
    if !vendor.exists() {
        std::fs::create_dir_all(&root)?;
        eprintln!("cargo vendor --locked into {} ...", vendor.display());
        let out = Command::new("cargo")
            .args(["vendor", "--locked", "--manifest-path"])
            .arg(real_dir().join("Cargo.toml"))
            .arg(&vendor)
            .stdin(Stdio::null())
            .output()
            .context("running cargo vendor")?;
        if !out.status.success() {
            let _ = std::fs::remove_dir_all(&vendor);
            bail!(
                "cargo vendor failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    let mut crates: Vec<String> = std::fs::read_dir(&vendor)?
        .filter_map(|e| {
            let e = e.ok()?;
            e.file_type()
                .ok()?
                .is_dir()
                .then(|| e.file_name().to_string_lossy().into_owned())
        })
        .collect();
    crates.sort();
    let modules: Vec<(String, String)> = crates
        .iter()
        .map(|c| (module_name(c), format!("vendor/{c}/**")))
        .collect();
    let extra = "[[boundary]]\nid = \"process-spawn\"\napis = [\"std::process::Command\"]\nallow_in = []\n\n\
                 [[boundary]]\nid = \"env-access\"\napis = [\"std::env::var\", \"std::env::vars\"]\nallow_in = []\n";
    std::fs::write(
        root.join("layergate.toml"),
        config_text("vendor/**", &modules, extra),
    )?;
    Ok(root)
}

fn copy_dir(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if e.file_type()?.is_dir() {
            copy_dir(&src, &dst)?;
        } else {
            std::fs::copy(&src, &dst)?;
        }
    }
    Ok(())
}

/// The directories under `src` at depth 1 and 2 that hold source files
/// (deeper ones first, so they come before their parents), as `src/a/b`.
pub fn ts_module_dirs(files: &[String]) -> Vec<String> {
    let mut dirs = std::collections::BTreeSet::new();
    for f in files {
        let parts: Vec<&str> = f.split('/').collect();
        // src/a/x.ts → src/a; src/a/b/.../x.ts → src/a/b
        if parts.len() >= 3 {
            dirs.insert(parts[..2].join("/"));
        }
        if parts.len() >= 4 {
            dirs.insert(parts[..3].join("/"));
        }
    }
    let mut v: Vec<String> = dirs.into_iter().collect();
    v.sort_by(|a, b| {
        b.matches('/')
            .count()
            .cmp(&a.matches('/').count())
            .then(a.cmp(b))
    });
    v
}

/// Copies the package's shipped `src/` into `work/ts/PKG/src` and writes
/// its config: a module per directory (depth ≤ 2), `top` for `src/*`.
fn prepare_ts(work: &Path, pkg: &str) -> anyhow::Result<PathBuf> {
    let from = real_dir().join("node_modules").join(pkg).join("src");
    if !from.is_dir() {
        bail!(
            "{} is missing: run `npm ci` in {}",
            from.display(),
            real_dir().display()
        );
    }
    let root = work.join("ts").join(module_name(pkg));
    let _ = std::fs::remove_dir_all(&root);
    copy_dir(&from, &root.join("src"))?;
    let mut files = Vec::new();
    collect_files(&root, &root.join("src"), &mut files)?;
    files.retain(|f| rules::lang::Lang::from_path(f).is_some());
    let mut modules: Vec<(String, String)> = Vec::new();
    for d in ts_module_dirs(&files) {
        let name = module_name(d.trim_start_matches("src/"));
        let name = if modules.iter().any(|(n, _)| *n == name) || name == "top" {
            format!("{name}-{}", modules.len())
        } else {
            name
        };
        modules.push((name, format!("{d}/**")));
    }
    modules.push(("top".into(), "src/*".into()));
    let extra =
        "[[boundary]]\nid = \"env-access\"\napis = [\"global:process.env\"]\nallow_in = []\n";
    std::fs::write(
        root.join("layergate.toml"),
        config_text("src/**", &modules, extra),
    )?;
    Ok(root)
}

fn collect_files(root: &Path, dir: &Path, out: &mut Vec<String>) -> anyhow::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let p = e.path();
        if e.file_type()?.is_dir() {
            collect_files(root, &p, out)?;
        } else if let Ok(rel) = p.strip_prefix(root) {
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}

/// Diagnostics per rule in `layergate check --format json` output.
pub fn rule_counts(json_text: &str) -> Option<BTreeMap<String, usize>> {
    let v: Value = serde_json::from_str(json_text).ok()?;
    let mut out = BTreeMap::new();
    for d in v.get("diagnostics")?.as_array()? {
        let rule = d.get("rule")?.as_str()?.to_string();
        *out.entry(rule).or_insert(0) += 1;
    }
    Some(out)
}

struct Row {
    name: String,
    files: usize,
    bytes: usize,
    cold: Option<Duration>,
    cold_rss: u64,
    warm: Option<Duration>,
    warm_rss: u64,
    parse: Duration,
    diagnostics: String,
}

fn bench(a: &RealArgs, name: &str, root: &Path) -> anyhow::Result<Row> {
    let layergate = a.layergate.canonicalize().context("layergate executable")?;
    let (files, bytes, contents) = crate::read_workspace(root)?;
    eprintln!(
        "{name}: {files} files, {:.1} MB ({})",
        bytes as f64 / 1e6,
        root.display()
    );
    let parse: Vec<Duration> = (0..a.runs).map(|_| crate::parse_only(&contents)).collect();
    drop(contents);
    let out_dir = std::env::temp_dir().join(format!("layergate-bench-real-{}", std::process::id()));
    std::fs::create_dir_all(&out_dir)?;
    let argv = |cold: bool| {
        let mut v: Vec<OsString> = vec![layergate.as_os_str().to_owned()];
        v.extend(["check", "--format", "json"].map(OsString::from));
        if cold {
            v.push("--no-cache".into());
        }
        v
    };
    let mut diagnostics = String::from("?");
    let mut series = Vec::new();
    for cold in [true, false] {
        let out = out_dir.join(format!("{}.out", if cold { "cold" } else { "warm" }));
        if !cold {
            measure::run(&argv(false), &[], root, a.timeout, &out)?; // fills the cache
        }
        let mut runs = Vec::new();
        for i in 0..a.runs {
            let m = measure::run(&argv(cold), &[], root, a.timeout, &out)?;
            eprintln!(
                "  {} run {}: {}, {}, exit {:?}",
                if cold { "cold" } else { "warm" },
                i + 1,
                measure::secs(m.wall),
                measure::mb(m.max_rss_kb),
                m.code
            );
            if m.timed_out {
                break;
            }
            if cold && i == 0 {
                let text = std::fs::read_to_string(&m.stdout).unwrap_or_default();
                diagnostics = match rule_counts(&text) {
                    Some(c) => summarize(&c),
                    None => {
                        let err = std::fs::read_to_string(m.stdout.with_extension("err"))
                            .unwrap_or_default();
                        eprintln!("    no JSON on stdout; stderr:\n{}", err.trim());
                        "?".into()
                    }
                };
            }
            runs.push(m);
        }
        let walls: Vec<Duration> = runs.iter().map(|m| m.wall).collect();
        let rss: Vec<u64> = runs.iter().map(|m| m.max_rss_kb).collect();
        series.push((median(&walls), median(&rss).unwrap_or(0)));
    }
    let _ = std::fs::remove_dir_all(&out_dir);
    Ok(Row {
        name: name.to_string(),
        files,
        bytes,
        cold: series[0].0,
        cold_rss: series[0].1,
        warm: series[1].0,
        warm_rss: series[1].1,
        parse: median(&parse).unwrap_or_default(),
        diagnostics,
    })
}

/// `layers 3, cycle 12` — the rules found, most frequent first.
pub fn summarize(counts: &BTreeMap<String, usize>) -> String {
    if counts.is_empty() {
        return "0".into();
    }
    let mut v: Vec<(&String, &usize)> = counts.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    v.iter()
        .map(|(r, n)| format!("{r} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn run(a: &RealArgs) -> anyhow::Result<()> {
    measure::require_gnu_time()?;
    std::fs::create_dir_all(&a.work)?;
    let work = a.work.canonicalize()?;
    let mut targets: Vec<(String, PathBuf)> = Vec::new();
    let want = |k: &str| a.only.as_deref().is_none_or(|o| o == k);
    if want("rust") {
        targets.push((
            "Rust: cargo vendor (tests/bench/real/Cargo.lock)".into(),
            prepare_rust(&work)?,
        ));
    }
    if want("ts") {
        for pkg in TS_PACKAGES {
            let version = std::fs::read_to_string(
                real_dir()
                    .join("node_modules")
                    .join(pkg)
                    .join("package.json"),
            )
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
            .and_then(|v| v.get("version")?.as_str().map(str::to_string))
            .unwrap_or_default();
            targets.push((
                format!("TS: npm {pkg}@{version} src/"),
                prepare_ts(&work, pkg)?,
            ));
        }
    }
    let mut rows = Vec::new();
    for (name, root) in &targets {
        rows.push(bench(a, name, root)?);
    }
    println!(
        "\n{} runs each, medians; whole process (`layergate check --format json`), parse-only in process\n",
        a.runs
    );
    println!("| workspace | files | MB | cold check | parse-only baseline | ratio | warm check | peak RSS cold / warm | diagnostics |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
    for r in &rows {
        let cold = r.cold.map_or("timeout".into(), measure::secs);
        let ratio = r.cold.map_or("?".into(), |c| {
            format!("{:.2}", c.as_secs_f64() / r.parse.as_secs_f64())
        });
        println!(
            "| {} | {} | {:.1} | {cold} | {} | {ratio} | {} | {} / {} | {} |",
            r.name,
            r.files,
            r.bytes as f64 / 1e6,
            measure::secs(r.parse),
            r.warm.map_or("timeout".into(), measure::secs),
            measure::mb(r.cold_rss),
            measure::mb(r.warm_rss),
            r.diagnostics
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_names_are_bare_identifiers() {
        assert_eq!(module_name("windows-sys-0.52.0"), "windows-sys-0-52-0");
        assert_eq!(module_name("internal/Operators"), "internal-operators");
        assert_eq!(module_name("@trpc"), "-trpc");
    }

    #[test]
    fn ts_module_dirs_list_nested_dirs_first() {
        let files: Vec<String> = [
            "src/index.ts",
            "src/internal/Observable.ts",
            "src/internal/operators/map.ts",
            "src/internal/operators/deep/x.ts",
            "src/operators/index.ts",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            ts_module_dirs(&files),
            ["src/internal/operators", "src/internal", "src/operators"]
        );
    }

    #[test]
    fn configs_and_diagnostics() {
        let t = config_text("src/**", &[("a".into(), "src/a/**".into())], "[checks]\n");
        assert_eq!(
            t,
            "[workspace]\ninclude = [\"src/**\"]\n\n[[modules]]\nname = \"a\"\npaths = [\"src/a/**\"]\n\n[checks]\n"
        );
        let json = r#"{"diagnostics":[{"rule":"cycle"},{"rule":"unresolved"},{"rule":"cycle"}]}"#;
        let c = rule_counts(json).unwrap();
        assert_eq!(summarize(&c), "cycle 2, unresolved 1");
        assert_eq!(summarize(&BTreeMap::new()), "0");
        assert!(rule_counts("{}").is_none());
    }
}
