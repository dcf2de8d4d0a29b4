//! A workspace kept loaded and checked between requests, and brought up to
//! date with the disk before each one, as `git status` does: a changed
//! config reloads everything, a changed baseline or date changes the
//! options, a directory whose metadata changed (or whose `.gitignore` /
//! `.ignore` did) walks the files again, a file whose metadata changed is
//! read again (and counts as changed when its content hash did), and every
//! answer a resolver got from the disk (manifests, candidate paths) is asked
//! again. The hook's server and the MCP server keep their workspaces so.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use rayon::prelude::*;
use rules::memo::{Meta, RecordingFs};
use rules::workspace::{self, Content};
use rules::{AnalysisHost, Change};

use crate::project;

/// How long metadata must be unchanged before it alone vouches for a
/// file's content (clocks of some file systems tick in seconds).
const SETTLE: Duration = Duration::from_secs(2);

/// A loaded, checked workspace and what it was loaded from.
pub struct Warm {
    config_path: PathBuf,
    config_text: String,
    baseline_text: Option<String>,
    today: String,
    pub host: AnalysisHost,
    recorder: Arc<RecordingFs>,
    /// The metadata of every walked file when it was read (`None`: not
    /// settled then, its content vouches).
    files: BTreeMap<String, Option<Meta>>,
    /// Every directory holding walked files, and the ignore files in them.
    dirs: BTreeMap<PathBuf, Seen>,
}

impl Warm {
    pub fn load(config_path: &Path) -> Result<Warm, String> {
        let config = project::load_config(config_path).map_err(|e| e.0)?;
        let config_text = config.text.clone();
        let baseline = project::read_baseline(&config, None).map_err(|e| e.0)?;
        let today = project::today().map_err(|e| e.0)?;
        let root = config.root.clone();
        let now = SystemTime::now();
        let settled = now.checked_sub(SETTLE).unwrap_or(now);
        let (walked, walked_dirs) = workspace::walk_with_dirs(&config);
        let files = stamps(&root, &walked, settled);
        let dirs = dir_stamps(&root, &walked_dirs, settled);
        let (ws, recorder) = project::load_recorded(config);
        let (baseline_text, baseline) = baseline.unzip();
        let mut host = project::host(ws, baseline).map_err(|e| e.0)?;
        host.check();
        Ok(Warm {
            config_path: config_path.to_path_buf(),
            config_text,
            baseline_text,
            today,
            host,
            recorder,
            files,
            dirs,
        })
    }

    /// Brings the workspace up to date with the disk, loading it again
    /// when its config changed; `Err` when it no longer loads.
    pub fn catch_up(&mut self) -> Result<(), String> {
        if self.refresh().is_err() {
            *self = Warm::load(&self.config_path)?;
        }
        Ok(())
    }

    /// Whether a baseline is in force.
    pub fn baseline_in_use(&self) -> bool {
        self.baseline_text.is_some()
    }

    /// Brings the workspace up to date with the disk; `Err` when only a
    /// new load can (the config changed).
    fn refresh(&mut self) -> Result<(), ()> {
        let config_text =
            rules::disk::read_regular_string(&self.config_path, 1 << 20).map_err(|_| ())?;
        if config_text != self.config_text {
            return Err(());
        }
        let config = self.host.config.clone();
        let root = config.root.clone();

        let baseline = project::read_baseline(&config, None).map_err(|_| ())?;
        let today = project::today().map_err(|_| ())?;
        let baseline_text = baseline.as_ref().map(|(t, _)| t.clone());
        if baseline_text != self.baseline_text || today != self.today {
            self.baseline_text = baseline_text;
            self.today = today.clone();
            self.host.apply_change(Change::Options(rules::Options {
                today,
                baseline: baseline.map(|(_, b)| b),
            }));
        }

        let now = SystemTime::now();
        let settled = now.checked_sub(SETTLE).unwrap_or(now);
        let dirs_changed = self.dirs.par_iter().any(|(path, seen)| seen.moved(path));
        let mut added = Vec::new();
        let mut removed = Vec::new();
        if dirs_changed {
            let (walked, walked_dirs) = workspace::walk_with_dirs(&config);
            let now: BTreeSet<&String> = walked.iter().collect();
            removed = self
                .files
                .keys()
                .filter(|f| !now.contains(f))
                .cloned()
                .collect();
            added = walked
                .iter()
                .filter(|f| !self.files.contains_key(*f))
                .cloned()
                .collect();
            self.dirs = dir_stamps(&root, &walked_dirs, settled);
        }

        // files whose metadata moved: read again, changed when the hash did
        let host = &self.host;
        let changed: Vec<(String, Option<Meta>, Option<Content>)> = self
            .files
            .par_iter()
            .filter(|(rel, meta)| meta.is_none() || Meta::of(&root.join(rel)) != **meta)
            .map(|(rel, _)| {
                let abs = root.join(rel);
                let meta = Meta::settled(&abs, settled);
                let content = workspace::read_content(&abs);
                let same = match (&content, host.files.get(rel)) {
                    (Content::Text(t), Some(e)) => rules::cache::content_hash(t) == e.hash,
                    _ => false,
                };
                (rel.clone(), meta, (!same).then_some(content))
            })
            .collect();
        for (rel, meta, content) in changed {
            if removed.contains(&rel) {
                continue;
            }
            self.files.insert(rel.clone(), meta);
            if let Some(content) = content {
                self.host.apply_change(Change::Text {
                    rel,
                    content,
                    tree: None,
                });
            }
        }
        for rel in removed {
            self.files.remove(&rel);
            self.host.apply_change(Change::Removed(rel));
        }
        // a new file may be what an import asked for before (`IsFile` false):
        // those answers are asked again below, although the file is walked
        let added_abs: BTreeSet<PathBuf> = added.iter().map(|rel| root.join(rel)).collect();
        for rel in added {
            let abs = root.join(&rel);
            self.files.insert(rel.clone(), Meta::settled(&abs, settled));
            self.host.apply_change(Change::Text {
                rel,
                content: workspace::read_content(&abs),
                tree: None,
            });
        }

        // what the resolvers asked the disk, outside the walked files
        let walked: BTreeSet<PathBuf> = self.files.keys().map(|f| root.join(f)).collect();
        let fs = self.host.fs();
        let probes_hold = self
            .recorder
            .probes()
            .par_iter()
            .filter(|p| !walked.contains(p.path()) || added_abs.contains(p.path()))
            .all(|p| p.holds(fs));
        if !probes_hold {
            self.recorder.clear();
            self.host.apply_change(Change::Manifests);
        }
        Ok(())
    }
}

/// The metadata of each walked file, trusted when it last changed before
/// `settled` (taken before the walk).
fn stamps(root: &Path, walked: &[String], settled: SystemTime) -> BTreeMap<String, Option<Meta>> {
    walked
        .par_iter()
        .map(|rel| (rel.clone(), Meta::settled(&root.join(rel), settled)))
        .collect()
}

/// What a change of the walked file set shows in: the folders the walk went
/// through (`walked_dirs`, below the root) and the root, their
/// subfolders (an ignored one, or one with its own config, made or changed
/// now), the ignore files in each, and those above the root up to the
/// repository's top (which the walk reads too), with its
/// `.git/info/exclude`. `settled`: taken before the walk, so that what
/// changed during it is looked at again.
fn dir_stamps(root: &Path, walked_dirs: &[String], settled: SystemTime) -> BTreeMap<PathBuf, Seen> {
    let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();
    dirs.insert(root.to_path_buf());
    dirs.extend(walked_dirs.iter().map(|d| root.join(d)));
    let children: Vec<PathBuf> = dirs
        .par_iter()
        .flat_map_iter(|d| {
            std::fs::read_dir(d)
                .into_iter()
                .flatten()
                .filter_map(|e| e.ok())
                .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                .filter(|e| e.file_name() != ".git" && e.file_name() != ".layergate")
                .map(|e| e.path())
        })
        .collect();
    dirs.extend(children);
    let mut paths: Vec<PathBuf> = Vec::new();
    for d in dirs {
        paths.push(d.join(".gitignore"));
        paths.push(d.join(".ignore"));
        paths.push(d);
    }
    let mut top = root.to_path_buf();
    loop {
        if top.join(".git").exists() {
            paths.push(top.join(".git/info/exclude"));
            break;
        }
        if !top.pop() {
            break;
        }
        paths.push(top.join(".gitignore"));
        paths.push(top.join(".ignore"));
    }
    paths
        .into_par_iter()
        .map(|p| {
            let seen = match Meta::of(&p) {
                None => Seen::Missing,
                Some(_) => Meta::settled(&p, settled).map_or(Seen::Moving, Seen::Settled),
            };
            (p, seen)
        })
        .collect()
}

/// What a directory or ignore file looked like.
enum Seen {
    Missing,
    Settled(Meta),
    /// Changed too recently for its metadata to vouch for it.
    Moving,
}

impl Seen {
    fn moved(&self, path: &Path) -> bool {
        match self {
            Seen::Missing => std::fs::symlink_metadata(path).is_ok(),
            Seen::Settled(meta) => Meta::of(path) != Some(*meta),
            Seen::Moving => true,
        }
    }
}
