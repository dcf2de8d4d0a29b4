//! A project: every workspace (`archgate.toml`) a command covers, loaded from
//! disk. Shared by the CLI commands; the language server keeps its own
//! long-lived workspaces but loads them the same way.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rules::analysis::{self, Baseline, Options, Outcome};
use rules::cache::FactCache;
use rules::config::{Config, ConfigProblem};
use rules::resolve::RealFs;
use rules::workspace::{self, Workspace};

/// A command-line failure that exits with status 2.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Renders config problems as `file:line:col: error: message` lines.
pub fn format_problems(path: &Path, problems: &[ConfigProblem]) -> String {
    problems
        .iter()
        .map(|p| {
            format!(
                "{}:{}:{}: {}: {}",
                path.display(),
                p.span.line + 1,
                p.span.col + 1,
                p.severity.as_str(),
                p.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Loads one config, turning problems into a usage error.
pub fn load_config(path: &Path) -> Result<Config, UsageError> {
    Config::load(path).map_err(|p| UsageError(format_problems(path, &p)))
}

/// The configs covering `paths` (or `--config`).
pub fn find_configs(
    paths: &[PathBuf],
    explicit: Option<&Path>,
) -> Result<Vec<PathBuf>, UsageError> {
    if let Some(c) = explicit {
        if !c.is_file() {
            return Err(UsageError(format!(
                "config file {} does not exist",
                c.display()
            )));
        }
        return Ok(vec![c.canonicalize().unwrap_or_else(|_| c.to_path_buf())]);
    }
    let mut found = Vec::new();
    for p in paths {
        if !p.exists() {
            return Err(UsageError(format!("{} does not exist", p.display())));
        }
        for c in workspace::discover_configs(p) {
            if !found.contains(&c) {
                found.push(c);
            }
        }
    }
    if found.is_empty() {
        let where_ = paths
            .first()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| ".".into());
        return Err(UsageError(format!(
            "no archgate.toml found in {where_}, below it or in any parent directory; run `archgate init` to write one"
        )));
    }
    Ok(found)
}

/// Loads the workspace of a config, without the on-disk cache.
pub fn load_workspace(config_path: &Path) -> Result<Workspace, UsageError> {
    load_workspace_with(config_path, false, true)
}

/// Loads a workspace, through the facts cache when `cached` (see
/// [`load_workspace_cached`]); `scan: false` parses every file with
/// tree-sitter instead of reading most with the import scanner.
pub fn load_workspace_with(
    config_path: &Path,
    cached: bool,
    scan: bool,
) -> Result<Workspace, UsageError> {
    let mut config = load_config(config_path)?;
    config.scan = scan;
    if !cached {
        return Ok(Workspace::load(Arc::new(config), Arc::new(RealFs)));
    }
    let old = read_cache(&config.root);
    let ws = Workspace::load_cached(Arc::new(config), Arc::new(RealFs), old.as_ref());
    save_cache(&ws, old.as_ref());
    Ok(ws)
}

/// Where the facts cache of a workspace lives.
pub fn cache_path(root: &Path) -> PathBuf {
    root.join(".archgate").join("cache").join("facts.bin")
}

/// Loads the workspace of a config through the on-disk facts cache
/// (`.archgate/cache/facts.bin`), and refreshes the cache when files changed.
/// A missing, corrupt or foreign cache is ignored; failing to write it is
/// not an error.
pub fn load_workspace_cached(config_path: &Path) -> Result<Workspace, UsageError> {
    load_workspace_with(config_path, true, true)
}

/// The facts cache of the workspace at `root`, if present and valid (a
/// corrupt, truncated or other-version cache is ignored).
pub fn read_cache(root: &Path) -> Option<FactCache> {
    std::fs::read(cache_path(root))
        .ok()
        .and_then(|b| FactCache::decode(&b))
}

/// Writes the facts cache of `ws` unless it equals `old` (best effort: a
/// cache that cannot be written is only slower next time).
pub fn save_cache(ws: &Workspace, old: Option<&FactCache>) {
    let new = ws.to_cache();
    let unchanged = old.is_some_and(|o| {
        o.files.len() == new.files.len()
            && new.files.iter().all(|(k, v)| {
                o.files
                    .get(k)
                    .is_some_and(|c| c.hash == v.hash && c.patterns_key == v.patterns_key)
            })
    });
    if !unchanged {
        let _ = write_cache(&cache_path(ws.root()), &new.encode());
    }
}

fn write_cache(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    if let Some(top) = dir.parent() {
        let ignore = top.join(".gitignore");
        if !ignore.exists() {
            std::fs::write(
                ignore,
                "# created by archgate: the cache is never committed\n*\n",
            )?;
        }
    }
    let tmp = dir.join(format!(".facts.bin.tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// Today for suppressions: `ARCHGATE_NOW` (an ISO date) or the clock.
pub fn today() -> Result<String, UsageError> {
    match std::env::var("ARCHGATE_NOW") {
        Ok(v) => {
            let d = v.get(..10).unwrap_or(&v);
            if analysis::is_iso_date(d) {
                Ok(d.to_string())
            } else {
                Err(UsageError(format!(
                    "ARCHGATE_NOW=`{v}` is not an ISO date (YYYY-MM-DD)"
                )))
            }
        }
        Err(_) => Ok(analysis::today_utc()),
    }
}

/// The baseline file in force for a workspace: `--baseline`, else
/// `[workspace] baseline`, else `archgate-baseline.json` if it exists.
pub fn baseline_path(ws: &Workspace, explicit: Option<&Path>) -> (PathBuf, bool) {
    if let Some(p) = explicit {
        return (p.to_path_buf(), true);
    }
    if let Some(b) = &ws.config.baseline {
        return (ws.root().join(b), true);
    }
    (ws.root().join("archgate-baseline.json"), false)
}

/// Loads the baseline in force, if any.
pub fn load_baseline(
    ws: &Workspace,
    explicit: Option<&Path>,
) -> Result<Option<Baseline>, UsageError> {
    let (path, named) = baseline_path(ws, explicit);
    if !path.exists() {
        if explicit.is_some() {
            return Err(UsageError(format!(
                "baseline {} does not exist",
                path.display()
            )));
        }
        let _ = named;
        return Ok(None);
    }
    Baseline::load(&path).map(Some).map_err(UsageError)
}

/// Checks one workspace.
pub fn check(ws: &Workspace, baseline: Option<Baseline>) -> Result<Outcome, UsageError> {
    Ok(analysis::check(
        ws,
        &Options {
            today: today()?,
            baseline,
        },
    ))
}

/// `path` relative to `base` with `/`, using `..` where needed.
pub fn relative_to(path: &Path, base: &Path) -> String {
    let p: Vec<_> = path.components().collect();
    let b: Vec<_> = base.components().collect();
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = Vec::new();
    for _ in common..b.len() {
        parts.push("..".into());
    }
    for c in &p[common..] {
        parts.push(c.as_os_str().to_string_lossy().into_owned());
    }
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

/// The current directory, canonical.
pub fn cwd() -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|d| d.canonicalize().ok())
        .unwrap_or_else(|| PathBuf::from("."))
}
