//! `layergate-bench peers LAYERGATE DIR`: layergate side by side with
//! dependency-cruiser and fallow (both pinned in `tests/bench/peers`) on the
//! same TypeScript workspace with the same layer rule.
//!
//! The layer rule is read from DIR's `layergate.toml` (one `[layers]` stack
//! of modules whose paths are directory globs `DIR/**`, as the generator
//! writes them) and translated into each tool's own config:
//! * dependency-cruiser: one `forbidden` rule per (lower layer, upper layer)
//!   pair, tsconfig `paths` through `options.tsConfig`, and
//!   `tsPreCompilationDeps` so imports that TypeScript would elide (the
//!   generated imports are never used) still count, as they do for layergate;
//! * fallow: one zone per layer and a boundary rule per zone allowing the
//!   zones below it, with every other rule `off`, run as
//!   `fallow architecture --boundaries`.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use rules::config::{Config, ModRef};
use serde_json::{json, Value};

use crate::measure::{self, median, Measured};

/// Every rule of fallow 3.36 (`fallow config-schema`, `$defs.RulesConfig`);
/// all but `boundary-violation` are switched off.
const FALLOW_RULES: &[&str] = &[
    "unused-files",
    "unused-exports",
    "unused-types",
    "private-type-leaks",
    "deprecated-exports-in-use",
    "unused-dependencies",
    "unused-dev-dependencies",
    "unused-optional-dependencies",
    "unused-enum-members",
    "unused-class-members",
    "unused-store-members",
    "unprovided-injects",
    "unrendered-components",
    "unused-component-props",
    "absent-component-props",
    "unused-component-emits",
    "unused-component-inputs",
    "unused-component-outputs",
    "unused-svelte-events",
    "unused-effect-layers",
    "unused-tagged-errors",
    "unproduced-catch-tags",
    "unused-server-actions",
    "unused-load-data-keys",
    "prop-drilling",
    "thin-wrapper",
    "duplicate-prop-shape",
    "css-token-drift",
    "css-duplicate-block",
    "css-selector-complexity",
    "css-dead-surface",
    "css-broken-reference",
    "complexity-cyclomatic",
    "complexity-cognitive",
    "complexity-crap",
    "unresolved-imports",
    "unlisted-dependencies",
    "duplicate-exports",
    "type-only-dependencies",
    "test-only-dependencies",
    "dev-dependencies-in-production",
    "circular-dependencies",
    "re-export-cycle",
    "package-cycle",
    "boundary-violation",
    "coverage-gaps",
    "feature-flags",
    "stale-suppressions",
    "require-suppression-reason",
    "unused-catalog-entries",
    "empty-catalog-groups",
    "unresolved-catalog-references",
    "unused-dependency-overrides",
    "misconfigured-dependency-overrides",
    "security-client-server-leak",
    "security-sink",
    "policy-violation",
    "invalid-client-export",
    "mixed-client-server-barrel",
    "misplaced-directive",
    "route-collision",
    "dynamic-segment-name-conflict",
    "weakened-tests",
    "added-suppression",
    "test-only-branch",
    "diverged-clone-sibling",
    "added-dependency",
];

/// A layer: its module name and the directory its files are in (`src/app`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layer {
    pub name: String,
    pub dir: String,
}

/// The layers of `config`'s first stack, top first, each level a single
/// module whose paths are one `DIR/**` glob.
pub fn layers(config: &Config) -> anyhow::Result<Vec<Layer>> {
    let stack = config
        .layers
        .first()
        .context("layergate.toml has no [layers]")?;
    let mut out = Vec::new();
    for level in &stack.levels {
        let [ModRef::Def(i)] = level.as_slice() else {
            bail!("peers needs one module per layer level (no siblings, no template instances)");
        };
        let m = &config.modules[*i];
        let [glob] = m.paths.as_slice() else {
            bail!("module {} must have exactly one path glob", m.name);
        };
        let Some(dir) = glob.text.strip_suffix("/**") else {
            bail!("module {}: path {} is not DIR/**", m.name, glob.text);
        };
        if dir.contains('*') {
            bail!("module {}: path {} is not DIR/**", m.name, glob.text);
        }
        out.push(Layer {
            name: m.name.clone(),
            dir: dir.to_string(),
        });
    }
    if stack.strict || stack.siblings_allow {
        bail!("peers translates only non-strict layers");
    }
    Ok(out)
}

fn regex_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `.dependency-cruiser.json`: a `forbidden` rule for each lower layer
/// importing each layer above it.
pub fn depcruise_config(layers: &[Layer], tsconfig: Option<&str>) -> Value {
    let mut forbidden = Vec::new();
    for (lo, lower) in layers.iter().enumerate() {
        for upper in &layers[..lo] {
            forbidden.push(json!({
                "name": format!("layers-{}-{}", lower.name, upper.name),
                "severity": "error",
                "from": { "path": format!("^{}/", regex_escape(&lower.dir)) },
                "to": { "path": format!("^{}/", regex_escape(&upper.dir)) },
            }));
        }
    }
    let mut options = json!({
        "tsPreCompilationDeps": true,
        "doNotFollow": { "path": "node_modules" },
    });
    if let Some(ts) = tsconfig {
        options["tsConfig"] = json!({ "fileName": ts });
    }
    json!({ "forbidden": forbidden, "options": options })
}

/// `.fallowrc.json`: a zone per layer, each allowed to import the zones
/// below it; every detector but boundary violations off.
pub fn fallow_config(layers: &[Layer]) -> Value {
    let mut rules = serde_json::Map::new();
    for r in FALLOW_RULES {
        rules.insert((*r).to_string(), json!("off"));
    }
    rules.insert("boundary-violation".into(), json!("error"));
    let zones: Vec<Value> = layers
        .iter()
        .map(|l| json!({ "name": l.name, "patterns": [format!("{}/**", l.dir)] }))
        .collect();
    let brules: Vec<Value> = layers
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let allow: Vec<&str> = layers[i + 1..].iter().map(|l| l.name.as_str()).collect();
            json!({ "from": l.name, "allow": allow })
        })
        .collect();
    json!({ "rules": rules, "boundaries": { "zones": zones, "rules": brules } })
}

/// Violations in `layergate check --format json` output with rule `rule`.
pub fn layergate_count(json_text: &str, rule: &str) -> Option<usize> {
    let v: Value = serde_json::from_str(json_text).ok()?;
    Some(
        v.get("diagnostics")?
            .as_array()?
            .iter()
            .filter(|d| d.get("rule").and_then(Value::as_str) == Some(rule))
            .count(),
    )
}

/// Violations in dependency-cruiser's `--output-type err` output: its
/// summary line, `x 16 dependency violations (16 errors, 0 warnings). ...`
/// or `✔ no dependency violations found (...)`.
pub fn depcruise_count(text: &str) -> Option<usize> {
    for line in text.lines().map(str::trim) {
        if line.contains("no dependency violations found") {
            return Some(0);
        }
        if let Some(rest) = line.strip_prefix("x ") {
            if rest.contains("dependency violation") {
                return rest.split_whitespace().next()?.parse().ok();
            }
        }
    }
    None
}

/// Violations in `fallow architecture --format json` output.
pub fn fallow_count(json_text: &str) -> Option<usize> {
    let v: Value = serde_json::from_str(json_text).ok()?;
    Some(v.get("summary")?.get("boundary_violations")?.as_u64()? as usize)
}

/// The directory with the pinned peer tools' `node_modules`.
pub fn peers_dir() -> PathBuf {
    std::env::var_os("LAYERGATE_BENCH_PEERS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("peers"))
}

/// fallow's native binary (the npm wrapper only starts it), or the wrapper.
fn fallow_exe(peers: &Path) -> Option<PathBuf> {
    let cli = peers.join("node_modules/@fallow-cli");
    if let Ok(rd) = std::fs::read_dir(&cli) {
        let mut found: Vec<PathBuf> = rd
            .filter_map(|e| Some(e.ok()?.path().join("fallow")))
            .filter(|p| p.is_file())
            .collect();
        found.sort();
        if let Some(p) = found.into_iter().next() {
            return Some(p);
        }
    }
    let wrapper = peers.join("node_modules/.bin/fallow");
    wrapper.exists().then_some(wrapper)
}

/// One measured configuration.
struct Tool {
    name: &'static str,
    argv: Vec<OsString>,
    /// Extra environment variables.
    env: Vec<(String, String)>,
    /// Directories removed before each run (the tool's caches, for cold runs).
    clear: Vec<PathBuf>,
    /// Runs the command once before the measured runs (fills a cache).
    prime: bool,
    count: fn(&str) -> Option<usize>,
    runs: Vec<Measured>,
    counts: Vec<Option<usize>>,
    gave_up: bool,
}

fn os(args: &[&str]) -> Vec<OsString> {
    args.iter().map(OsString::from).collect()
}

pub struct PeerArgs {
    pub layergate: PathBuf,
    pub dir: PathBuf,
    pub runs: usize,
    pub timeout: Duration,
    /// Tools whose name contains this are not run (`--skip dependency-cruiser`:
    /// its one run can take the whole timeout).
    pub skip: Option<String>,
}

pub fn run(a: &PeerArgs) -> anyhow::Result<()> {
    measure::require_gnu_time()?;
    let peers = peers_dir();
    let depcruise = peers.join("node_modules/.bin/depcruise");
    let fallow = fallow_exe(&peers);
    let (Some(fallow), true) = (fallow, depcruise.exists()) else {
        bail!(
            "dependency-cruiser and fallow are not installed: run `npm ci` in {} (or set LAYERGATE_BENCH_PEERS)",
            peers.display()
        );
    };
    let dir = a.dir.canonicalize().context("workspace directory")?;
    let layergate = a.layergate.canonicalize().context("layergate executable")?;
    let config =
        Config::load(&dir.join("layergate.toml")).map_err(|e| anyhow::anyhow!("config: {e:?}"))?;
    let layers = layers(&config)?;
    let tsconfig = dir
        .join("tsconfig.json")
        .exists()
        .then_some("tsconfig.json");
    let write_json = |name: &str, v: &Value| -> anyhow::Result<()> {
        std::fs::write(dir.join(name), serde_json::to_string_pretty(v)? + "\n")?;
        Ok(())
    };
    write_json(
        ".dependency-cruiser.json",
        &depcruise_config(&layers, tsconfig),
    )?;
    write_json(".fallowrc.json", &fallow_config(&layers))?;
    // dependency-cruiser is given the layers' parent directories
    let mut roots: Vec<String> = layers
        .iter()
        .map(|l| l.dir.split('/').next().unwrap_or(&l.dir).to_string())
        .collect();
    roots.sort();
    roots.dedup();

    let fallow_args = |exe: &Path| {
        let mut v = vec![exe.as_os_str().to_owned()];
        v.extend(os(&[
            "architecture",
            "--boundaries",
            "--format",
            "json",
            "--quiet",
        ]));
        v
    };
    let mut depcruise_argv = vec![depcruise.as_os_str().to_owned()];
    depcruise_argv.extend(roots.iter().map(OsString::from));
    depcruise_argv.extend(os(&[
        "--config",
        ".dependency-cruiser.json",
        "--output-type",
        "err",
    ]));
    let layergate_argv = |cold: bool| {
        let mut v = vec![layergate.as_os_str().to_owned()];
        v.extend(os(&["check", "--format", "json"]));
        if cold {
            v.push("--no-cache".into());
        }
        v
    };
    let layers_count = |s: &str| layergate_count(s, "layers");
    let mut tools = [
        Tool {
            name: "layergate check (cold, --no-cache)",
            argv: layergate_argv(true),
            env: vec![],
            // --no-cache neither reads nor writes the cache, so the warm
            // runs keep theirs
            clear: vec![],
            prime: false,
            count: layers_count,
            runs: vec![],
            counts: vec![],
            gave_up: false,
        },
        Tool {
            name: "layergate check (warm cache)",
            argv: layergate_argv(false),
            env: vec![],
            clear: vec![],
            prime: true,
            count: layers_count,
            runs: vec![],
            counts: vec![],
            gave_up: false,
        },
        Tool {
            // what a check after an edit costs: the memo is stale, the
            // facts of every unchanged file come from the facts cache
            name: "layergate check (facts cache, check memo removed)",
            argv: layergate_argv(false),
            env: vec![],
            clear: vec![dir.join(".layergate/cache/check.bin")],
            // runs after the warm row, whose runs keep the facts cache filled
            prime: false,
            count: layers_count,
            runs: vec![],
            counts: vec![],
            gave_up: false,
        },
        Tool {
            name: "dependency-cruiser (cold)",
            argv: depcruise_argv,
            // node's default heap limit (about 4 GB) is too small for
            // dependency-cruiser on 10,000 files; its docs advise raising it
            env: vec![(
                "NODE_OPTIONS".into(),
                std::env::var("NODE_OPTIONS")
                    .unwrap_or_else(|_| "--max-old-space-size=16384".into()),
            )],
            clear: vec![dir.join("node_modules/.cache/dependency-cruiser")],
            prime: false,
            count: depcruise_count,
            runs: vec![],
            counts: vec![],
            gave_up: false,
        },
        Tool {
            name: "fallow architecture --boundaries (cold)",
            argv: fallow_args(&fallow),
            env: vec![],
            clear: vec![dir.join(".fallow")],
            prime: false,
            count: fallow_count,
            runs: vec![],
            counts: vec![],
            gave_up: false,
        },
        Tool {
            name: "fallow architecture --boundaries (warm cache)",
            argv: fallow_args(&fallow),
            env: vec![],
            clear: vec![],
            prime: true,
            count: fallow_count,
            runs: vec![],
            counts: vec![],
            gave_up: false,
        },
    ];
    if let Some(skip) = &a.skip {
        for t in tools.iter_mut().filter(|t| t.name.contains(skip.as_str())) {
            t.gave_up = true;
        }
    }

    let out_dir =
        std::env::temp_dir().join(format!("layergate-bench-peers-{}", std::process::id()));
    std::fs::create_dir_all(&out_dir)?;
    let (files, bytes, contents) = crate::read_workspace(&dir)?;
    eprintln!(
        "workspace {}: {files} files, {:.1} MB; {} runs each, timeout {} s",
        dir.display(),
        bytes as f64 / 1e6,
        a.runs,
        a.timeout.as_secs()
    );
    let mut baseline = Vec::new();
    for round in 0..a.runs {
        baseline.push(crate::parse_only(&contents));
        for (ti, t) in tools.iter_mut().enumerate() {
            if t.gave_up {
                continue;
            }
            for d in &t.clear {
                let _ = if d.is_dir() {
                    std::fs::remove_dir_all(d)
                } else {
                    std::fs::remove_file(d)
                };
            }
            let out = out_dir.join(format!("tool{ti}-run{round}.out"));
            if t.prime && round == 0 {
                measure::run(&t.argv, &t.env, &dir, a.timeout, &out)?;
            }
            let m = measure::run(&t.argv, &t.env, &dir, a.timeout, &out)?;
            let text = std::fs::read_to_string(&m.stdout).unwrap_or_default();
            let count = (t.count)(&text);
            eprintln!(
                "  run {}: {}: {}, {}, exit {:?}, violations {}",
                round + 1,
                t.name,
                measure::secs(m.wall),
                measure::mb(m.max_rss_kb),
                m.code,
                count.map_or("?".to_string(), |c| c.to_string())
            );
            if m.timed_out {
                eprintln!(
                    "    timed out after {} s: no more runs of it",
                    a.timeout.as_secs()
                );
                t.gave_up = true;
            } else if count.is_none() {
                let err =
                    std::fs::read_to_string(m.stdout.with_extension("err")).unwrap_or_default();
                eprintln!(
                    "    could not read a violation count; stderr:\n{}",
                    err.trim()
                );
            }
            t.counts.push(count);
            t.runs.push(m);
        }
    }
    drop(contents);

    let base = median(&baseline).unwrap_or_default();
    let med = |t: &Tool| -> Option<(Duration, u64)> {
        let ok: Vec<&Measured> = t.runs.iter().filter(|m| !m.timed_out).collect();
        if ok.is_empty() {
            return None;
        }
        let walls: Vec<Duration> = ok.iter().map(|m| m.wall).collect();
        let rss: Vec<u64> = ok.iter().map(|m| m.max_rss_kb).collect();
        Some((median(&walls)?, median(&rss)?))
    };
    let cold = med(&tools[0]);
    let warm = med(&tools[1]);
    let mut table = String::new();
    let _ = writeln!(
        table,
        "\n{files} TS files, {:.1} MB, {} runs each, medians; expected layer violations: {}\n",
        bytes as f64 / 1e6,
        a.runs,
        expected_violations(&dir).map_or("?".into(), |n| n.to_string())
    );
    let _ = writeln!(
        table,
        "| tool | wall time | peak RSS | layer violations | × layergate |\n| --- | ---: | ---: | ---: | ---: |"
    );
    for (i, t) in tools.iter().enumerate() {
        let counts: Vec<String> = {
            let mut c: Vec<String> = t
                .counts
                .iter()
                .map(|c| c.map_or("?".into(), |n| n.to_string()))
                .collect();
            c.dedup();
            c
        };
        // warm runs compare with layergate warm, cold ones with layergate cold
        let against = if t.prime { warm } else { cold };
        match med(t) {
            Some((w, r)) => {
                let ratio = match (i, against) {
                    (0 | 1, _) => "1".to_string(),
                    (2, _) => "–".to_string(),
                    (_, Some((aw, _))) => format!("{:.1}", w.as_secs_f64() / aw.as_secs_f64()),
                    _ => "?".to_string(),
                };
                let _ = writeln!(
                    table,
                    "| {} | {} | {} | {} | {ratio} |",
                    t.name,
                    measure::secs(w),
                    measure::mb(r),
                    counts.join("/")
                );
            }
            None if t.runs.is_empty() => {
                let _ = writeln!(table, "| {} | skipped | | | |", t.name);
            }
            None => {
                let _ = writeln!(
                    table,
                    "| {} | timeout (> {} s) | | | |",
                    t.name,
                    a.timeout.as_secs()
                );
            }
        }
    }
    let _ = writeln!(
        table,
        "| tree-sitter parse only, in process (baseline) | {} | | | |",
        measure::secs(base)
    );
    if let Some((w, _)) = cold {
        let _ = writeln!(
            table,
            "\nlayergate cold / parse-only baseline: {:.2}",
            w.as_secs_f64() / base.as_secs_f64()
        );
    }
    print!("{table}");
    let _ = std::fs::remove_dir_all(&out_dir);
    Ok(())
}

/// The layer violations the generator put in DIR (one `as up` import each),
/// counted from the files, so the table can show what every tool should find.
fn expected_violations(dir: &Path) -> Option<usize> {
    let config = Config::load(&dir.join("layergate.toml")).ok()?;
    let n = rules::workspace::walk(&config)
        .iter()
        .filter(|r| {
            std::fs::read_to_string(dir.join(r))
                .map(|t| t.contains(" as up } from '@/"))
                .unwrap_or(false)
        })
        .count();
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depcruise_summaries_are_counted() {
        let found = "\n  error layers-shared-domain: src/shared/d5/f75.ts → src/domain/d5/f125.ts\n\n\
                     x 16 dependency violations (16 errors, 0 warnings). 1001 modules, 9456 dependencies cruised.\n";
        assert_eq!(depcruise_count(found), Some(16));
        let none =
            "\n✔ no dependency violations found (1001 modules, 1000 dependencies cruised)\n\n";
        assert_eq!(depcruise_count(none), Some(0));
        assert_eq!(
            depcruise_count("ERROR: Can't open 'src' for reading."),
            None
        );
    }

    #[test]
    fn fallow_and_layergate_json_are_counted() {
        let fallow =
            r#"{"kind":"architecture","summary":{"total_issues":3,"boundary_violations":2}}"#;
        assert_eq!(fallow_count(fallow), Some(2));
        assert_eq!(fallow_count("not json"), None);
        let layergate = r#"{"version":1,"diagnostics":[{"rule":"layers"},{"rule":"env-access"},{"rule":"layers"}],"summary":{}}"#;
        assert_eq!(layergate_count(layergate, "layers"), Some(2));
        assert_eq!(layergate_count(layergate, "cycle"), Some(0));
        assert_eq!(layergate_count("", "layers"), None);
    }

    fn three() -> Vec<Layer> {
        ["app", "domain", "shared"]
            .iter()
            .map(|n| Layer {
                name: n.to_string(),
                dir: format!("src/{n}"),
            })
            .collect()
    }

    #[test]
    fn depcruise_forbids_every_upward_pair() {
        let c = depcruise_config(&three(), Some("tsconfig.json"));
        let names: Vec<&str> = c["forbidden"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "layers-domain-app",
                "layers-shared-app",
                "layers-shared-domain"
            ]
        );
        assert_eq!(c["forbidden"][1]["from"]["path"], "^src/shared/");
        assert_eq!(c["forbidden"][1]["to"]["path"], "^src/app/");
        assert_eq!(c["options"]["tsConfig"]["fileName"], "tsconfig.json");
        assert_eq!(c["options"]["tsPreCompilationDeps"], true);
    }

    #[test]
    fn fallow_zones_allow_only_lower_layers() {
        let c = fallow_config(&three());
        assert_eq!(
            c["boundaries"]["rules"][0]["allow"],
            json!(["domain", "shared"])
        );
        assert_eq!(c["boundaries"]["rules"][2]["allow"], json!([]));
        assert_eq!(
            c["boundaries"]["zones"][1]["patterns"],
            json!(["src/domain/**"])
        );
        assert_eq!(c["rules"]["unused-files"], "off");
        assert_eq!(c["rules"]["boundary-violation"], "error");
        let on = c["rules"]
            .as_object()
            .unwrap()
            .values()
            .filter(|v| *v != "off")
            .count();
        assert_eq!(on, 1);
    }

    #[test]
    fn layers_are_read_from_a_generated_config() {
        let dir =
            std::env::temp_dir().join(format!("layergate-bench-layers-{}", std::process::id()));
        layergate_bench::gen::typescript(&dir, 50, 1).unwrap();
        let config = Config::load(&dir.join("layergate.toml")).unwrap();
        let l = layers(&config).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        let names: Vec<&str> = l.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, layergate_bench::gen::LAYERS);
        assert_eq!(l[0].dir, "src/app");
    }
}
