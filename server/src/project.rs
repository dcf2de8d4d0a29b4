//! A project: every workspace (`layergate.toml`) a command covers, loaded from
//! disk. Shared by the CLI commands; the language server keeps its own
//! long-lived workspaces but loads them the same way.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rules::analysis::{self, Baseline, Options, Outcome};
use rules::cache::FactCache;
use rules::memo::{Memo, RecordingFs};
use rules::workspace::{self, Content, Workspace};
use rules::AnalysisHost;
use rules::{Config, ConfigProblem};
use rules::{ConfinedFs, FileSystem};

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
            "no layergate.toml found in {where_}, below it or in any parent directory; run `layergate init` to write one"
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
    let disk = ConfinedFs::around(&config.root);
    Ok(load_through(config, Arc::new(disk), cached))
}

/// The workspace of a loaded config, its resolvers asking `fs`; through the
/// facts cache, refreshed afterwards, when `cached`.
fn load_through(config: Config, fs: Arc<dyn FileSystem>, cached: bool) -> Workspace {
    if !cached {
        return Workspace::load(Arc::new(config), fs);
    }
    let old = read_cache(&config.root);
    let ws = Workspace::load_cached(Arc::new(config), fs, old.as_ref());
    save_cache(&ws, old.as_ref());
    ws
}

/// The workspace of a loaded config through the facts cache, with a record
/// of every question its resolvers asked the disk (manifests, candidate
/// paths): what a long-lived holder of the workspace checks to see whether
/// the answers changed.
pub fn load_recorded(config: Config) -> (Workspace, Arc<RecordingFs>) {
    let disk = Arc::new(ConfinedFs::around(&config.root));
    let recorder = Arc::new(RecordingFs::new(disk));
    (load_through(config, recorder.clone(), true), recorder)
}

/// Where the facts cache of a workspace lives.
pub fn cache_path(root: &Path) -> PathBuf {
    root.join(".layergate").join("cache").join("facts.bin")
}

/// Loads the workspace of a config through the on-disk facts cache
/// (`.layergate/cache/facts.bin`), and refreshes the cache when files changed.
/// A missing, corrupt or foreign cache is ignored; failing to write it is
/// not an error.
pub fn load_workspace_cached(config_path: &Path) -> Result<Workspace, UsageError> {
    load_workspace_with(config_path, true, true)
}

/// The most a cache file may weigh (the facts of the VS Code sources take
/// about 40 MB): a larger one is ignored unread.
const MAX_CACHE_SIZE: u64 = 1 << 30;

/// The facts cache of the workspace at `root`, if present and valid (a
/// corrupt, truncated or other-version cache is ignored).
pub fn read_cache(root: &Path) -> Option<FactCache> {
    rules::disk::read_regular(&cache_path(root), MAX_CACHE_SIZE)
        .ok()
        .and_then(|b| FactCache::decode(&b, crate::cache_key::machine_key()))
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
        let _ = write_atomic(
            &cache_path(ws.root()),
            &new.encode(crate::cache_key::machine_key()),
        );
    }
}

/// Writes a file of the cache directory (`<root>/.layergate/cache/<name>`)
/// through a temporary file and a rename, so a reader sees the old file or
/// the new one, never half of one; creates the directories with a
/// `.gitignore` of `*` first. Nothing is written through a symlink: a
/// pull request can commit `.layergate` or `cache` as a link to anywhere, a
/// dangling `.gitignore` link, or a link where the temporary file will be.
/// The directories must be real directories, and the `.gitignore` and the
/// temporary file are created new (`create_new` fails on any existing entry,
/// links included); the rename replaces the entry at `path` itself.
fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    if let Some(top) = dir.parent() {
        real_dir(top)?;
        let ignore = top.join(".gitignore");
        if std::fs::symlink_metadata(&ignore).is_err() {
            if let Ok(mut f) = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&ignore)
            {
                f.write_all(b"# created by layergate: the cache is never committed\n*\n")?;
            }
        }
    }
    real_dir(dir)?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let (tmp, mut file) = rules::disk::create_temp(dir, &format!(".{name}.tmp"))?;
    let written = file.write_all(bytes).and_then(|()| file.sync_data());
    drop(file);
    written
        .and_then(|()| std::fs::rename(&tmp, path))
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
}

/// `dir` as a real directory: created when missing, an error when it is
/// anything else (a symlink included, whatever it points to).
fn real_dir(dir: &Path) -> std::io::Result<()> {
    match std::fs::symlink_metadata(dir) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(std::io::Error::other(format!(
            "{} is not a directory (a symlink is not followed)",
            dir.display()
        ))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => std::fs::create_dir(dir),
        Err(e) => Err(e),
    }
}

/// Today for suppressions: `LAYERGATE_NOW` (an ISO date) or the clock.
pub fn today() -> Result<String, UsageError> {
    match std::env::var("LAYERGATE_NOW") {
        Ok(v) => {
            let d = v.get(..10).unwrap_or(&v);
            if analysis::is_iso_date(d) {
                Ok(d.to_string())
            } else {
                Err(UsageError(format!(
                    "LAYERGATE_NOW=`{v}` is not an ISO date (YYYY-MM-DD)"
                )))
            }
        }
        Err(_) => Ok(analysis::today_utc()),
    }
}

/// The baseline file in force for a workspace: `--baseline`, else
/// `[workspace] baseline`, else `layergate-baseline.json` if it exists.
pub fn baseline_path(ws: &Workspace, explicit: Option<&Path>) -> (PathBuf, bool) {
    baseline_path_of(&ws.config, explicit)
}

/// [`baseline_path`] from the config alone.
pub fn baseline_path_of(config: &Config, explicit: Option<&Path>) -> (PathBuf, bool) {
    if let Some(p) = explicit {
        return (p.to_path_buf(), true);
    }
    if let Some(b) = &config.baseline {
        return (config.root.join(b), true);
    }
    (config.root.join("layergate-baseline.json"), false)
}

/// Loads the baseline in force, if any.
pub fn load_baseline(
    ws: &Workspace,
    explicit: Option<&Path>,
) -> Result<Option<Baseline>, UsageError> {
    Ok(read_baseline(&ws.config, explicit)?.map(|(_, b)| b))
}

/// The baseline in force, with the text it was parsed from.
pub fn read_baseline(
    config: &Config,
    explicit: Option<&Path>,
) -> Result<Option<(String, Baseline)>, UsageError> {
    let (path, _) = baseline_path_of(config, explicit);
    if !path.exists() {
        if explicit.is_some() {
            return Err(UsageError(format!(
                "baseline {} does not exist",
                path.display()
            )));
        }
        return Ok(None);
    }
    // a baseline named by the config is the repository's input: it must
    // lie inside it; one given on the command line is the user's choice
    let text = if explicit.is_some() {
        rules::disk::read_regular_string(&path, rules::disk::MAX_BASELINE_SIZE)
    } else {
        rules::disk::Boundary::around(&config.root)
            .read_string(&path, rules::disk::MAX_BASELINE_SIZE)
    }
    .map_err(|e| UsageError(format!("cannot read baseline {}: {e}", path.display())))?;
    let baseline =
        Baseline::parse(&text).map_err(|e| UsageError(format!("{}: {e}", path.display())))?;
    Ok(Some((text, baseline)))
}

/// This build of layergate, for the memo's key: the version alone would let
/// a rebuilt binary with other rules serve its predecessor's outcomes, so the
/// executable's size and modification time go in too.
pub fn build_identity() -> Vec<u8> {
    let mut id = env!("CARGO_PKG_VERSION").as_bytes().to_vec();
    let meta = std::env::current_exe().and_then(std::fs::metadata);
    if let Ok(m) = meta {
        id.extend(m.len().to_le_bytes());
        if let Ok(d) = m
            .modified()
            .map(|t| t.duration_since(std::time::UNIX_EPOCH).unwrap_or_default())
        {
            id.extend(d.as_nanos().to_le_bytes());
        }
    }
    id
}

/// Where the check memo of a workspace lives (see [`rules::memo`]).
pub fn memo_path(root: &Path) -> PathBuf {
    root.join(".layergate").join("cache").join("check.bin")
}

/// Checks the workspace of a config as `layergate check` does. When `cached`,
/// through the check memo first (an unchanged workspace is not read again)
/// and the facts cache next (unchanged files are not parsed again); both are
/// refreshed afterwards. `scan: false` parses every file. Also says whether
/// a baseline was in force.
pub fn check_config(
    config_path: &Path,
    explicit_baseline: Option<&Path>,
    cached: bool,
    scan: bool,
) -> Result<(Outcome, bool), UsageError> {
    let started = std::time::SystemTime::now();
    let mut config = load_config(config_path)?;
    config.scan = scan;
    let baseline = read_baseline(&config, explicit_baseline)?;
    let with_baseline = baseline.is_some();
    let today = today()?;
    if !cached {
        let disk = ConfinedFs::around(&config.root);
        let ws = load_through(config, Arc::new(disk), false);
        let (outcome, _) = check_live(ws, baseline.map(|(_, b)| b), today);
        return Ok((outcome, with_baseline));
    }
    // everything besides files and probes the outcome depends on
    let (bpath, _) = baseline_path_of(&config, explicit_baseline);
    let key = rules::memo::Key::new()
        .part(&build_identity())
        .part(config.path.as_os_str().as_encoded_bytes())
        .part(config.text.as_bytes())
        .part(today.as_bytes())
        .part(bpath.as_os_str().as_encoded_bytes())
        .part(
            baseline
                .as_ref()
                .map_or(&b"\0none"[..], |(t, _)| t.as_bytes()),
        )
        .part(&[u8::from(scan)])
        .finish();
    let root = config.root.clone();
    let memo = rules::disk::read_regular(&memo_path(&root), MAX_CACHE_SIZE)
        .ok()
        .and_then(|b| Memo::decode(&b, crate::cache_key::machine_key()));
    let disk = Arc::new(ConfinedFs::around(&root));
    if let Some(memo) = &memo {
        let walked = workspace::walk(&config);
        if let Some(outcome) = memo.outcome_if_valid(key, &root, &walked, disk.as_ref()) {
            return Ok((outcome, with_baseline));
        }
    }
    let recorder = Arc::new(RecordingFs::new(disk));
    let ws = load_through(config, recorder.clone(), true);
    let (outcome, ws) = check_live(ws, baseline.map(|(_, b)| b), today);
    let memo = Memo::new(key, &ws, recorder.probes(), &outcome, started);
    let _ = write_atomic(
        &memo_path(&root),
        &memo.encode(crate::cache_key::machine_key()),
    );
    Ok((outcome, with_baseline))
}

/// The workspace as an [`AnalysisHost`], checked under `baseline` today.
pub fn host(ws: Workspace, baseline: Option<Baseline>) -> Result<AnalysisHost, UsageError> {
    Ok(AnalysisHost::new(
        ws,
        Options {
            today: today()?,
            baseline,
        },
    ))
}

/// Checks one workspace.
pub fn check(ws: &Workspace, baseline: Option<Baseline>) -> Result<Outcome, UsageError> {
    Ok(check_with(ws, baseline, today()?))
}

/// Every diagnostic of `layergate check`: the rules, then the rules that
/// cannot fire (`dead-rule`, cases built in memory).
fn check_live(ws: Workspace, baseline: Option<Baseline>, today: String) -> (Outcome, Workspace) {
    let mut host = AnalysisHost::new(ws, Options { today, baseline });
    let mut outcome = host.check();
    outcome
        .diagnostics
        .extend(rules::host::live::dead_rules(&mut host));
    outcome
        .diagnostics
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    (outcome, host.into_workspace())
}

/// A one-shot check of `ws` as if the file of `overlay` had its text
/// (`check --stdin-filename`, nothing written): the engine's one way of
/// checking proposed content, as for the language server, MCP and the hooks.
pub fn check_overlay(
    ws: Workspace,
    baseline: Option<Baseline>,
    overlay: Option<(String, String)>,
) -> Result<Outcome, UsageError> {
    let Some((rel, text)) = overlay else {
        return check(&ws, baseline);
    };
    let mut host = AnalysisHost::new(
        ws,
        Options {
            today: today()?,
            baseline,
        },
    );
    Ok(host.check_overlay(&rel, Content::Text(text), |_, outcome| outcome.clone()))
}

fn check_with(ws: &Workspace, baseline: Option<Baseline>, today: String) -> Outcome {
    analysis::check_cold(ws, &Options { today, baseline })
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
