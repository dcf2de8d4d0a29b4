//! The server's state, in two parts behind two locks:
//!
//! * [`Docs`]: the open documents and the queue of changes not yet analysed.
//!   Notification handlers update it synchronously, at their very top, so
//!   edits are applied strictly in the order they arrived (tower-lsp runs
//!   notification handlers concurrently: one that awaited first would lose
//!   edits). Held only for microseconds.
//! * [`World`]: the workspaces (one per `layergate.toml`), their last check and
//!   what was last published. Held by the single analysis task while it
//!   applies the queued changes and re-checks, and by requests (hover, code
//!   actions) in blocking threads.
//!
//! **Invariant:** lock order is `World` then `Docs`, never the reverse, and no
//! lock is held across an `.await`.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rules::analysis::{self, Baseline, Options};
use rules::workspace::{self, Content, Workspace};
use rules::Diagnostic;
use rules::Lang;
use rules::LineIndex;
use rules::{AnalysisHost, Change};
use rules::{Config, ConfigProblem, Severity, CONFIG_FILE};
use tower_lsp_server::ls_types::{self as lsp, FileChangeType, Uri};

use super::fs::OverlayFs;
use super::proto::{self, Encoding, View};

/// One open document.
pub struct Doc {
    pub uri: Uri,
    pub version: i32,
    pub text: String,
    pub lines: LineIndex,
    /// The last parse, edited (`Tree::edit`) by every change since: the old
    /// tree of the next incremental parse.
    pub tree: Option<tree_sitter::Tree>,
}

impl Doc {
    pub fn view(&self) -> View<'_> {
        View::new(&self.text, &self.lines)
    }

    /// Applies one content change (a range in the negotiated encoding, or the
    /// whole text), editing the tree alongside.
    pub fn apply_change(&mut self, enc: Encoding, range: Option<lsp::Range>, new_text: &str) {
        let Some(range) = range else {
            self.text = new_text.to_string();
            self.lines = LineIndex::new(&self.text);
            self.tree = None;
            return;
        };
        let v = self.view();
        let mut start = v.offset(enc, range.start);
        let mut end = v.offset(enc, range.end);
        if start > end {
            std::mem::swap(&mut start, &mut end);
        }
        let (sl, sc) = self.lines.position(start);
        let (el, ec) = self.lines.position(end);
        let new_end = start + new_text.len();
        let (nl, nc) = match new_text.rfind('\n') {
            Some(i) => (
                sl as usize + new_text.matches('\n').count(),
                new_text.len() - i - 1,
            ),
            None => (sl as usize, sc as usize + new_text.len()),
        };
        if let Some(tree) = &mut self.tree {
            tree.edit(&tree_sitter::InputEdit {
                start_byte: start,
                old_end_byte: end,
                new_end_byte: new_end,
                start_position: tree_sitter::Point::new(sl as usize, sc as usize),
                old_end_position: tree_sitter::Point::new(el as usize, ec as usize),
                new_end_position: tree_sitter::Point::new(nl, nc),
            });
        }
        self.text.replace_range(start..end, new_text);
        self.lines = LineIndex::new(&self.text);
    }
}

/// A queued change, applied to the [`World`] by the analysis task in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    /// An open document changed, was opened, or was closed (then it is no
    /// longer in [`Docs::docs`] and reverts to the disk).
    Doc(PathBuf),
    /// A file changed on disk (`workspace/didChangeWatchedFiles`).
    Disk(PathBuf, FileChangeType),
    /// Workspace folders were added or removed.
    Folders {
        added: Vec<PathBuf>,
        removed: Vec<PathBuf>,
    },
}

#[derive(Default)]
pub struct Docs {
    /// The negotiated position encoding (also in [`World::enc`]).
    pub enc: Encoding,
    pub docs: HashMap<PathBuf, Doc>,
    pub pending: Vec<Pending>,
    /// Incremented for every queued change.
    pub epoch: u64,
}

impl Docs {
    pub fn queue(&mut self, p: Pending) {
        self.pending.push(p);
        self.epoch += 1;
    }
}

/// One workspace: a `layergate.toml` and what it governs.
pub struct Root {
    pub config_path: PathBuf,
    pub dir: PathBuf,
    /// `None` until indexed, or while the config has never been valid.
    pub ws: Option<AnalysisHost>,
    /// Errors of the current config text (the last valid config stays in force).
    pub problems: Vec<ConfigProblem>,
    /// The text the problems refer to.
    pub problem_text: String,
    pub baseline: Option<Baseline>,
    /// The last check: the diagnostics of each file that has any.
    pub outcome: BTreeMap<String, Arc<[Diagnostic]>>,
    /// Files whose diagnostics changed since the last publish.
    pub fresh: BTreeSet<String>,
    /// Needs a new check.
    pub dirty: bool,
}

impl Root {
    pub fn new(config_path: PathBuf) -> Root {
        let dir = config_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        Root {
            config_path,
            dir,
            ws: None,
            problems: Vec::new(),
            problem_text: String::new(),
            baseline: None,
            outcome: BTreeMap::new(),
            fresh: BTreeSet::new(),
            dirty: true,
        }
    }

    pub fn rel(&self, path: &Path) -> Option<String> {
        workspace::relative(&self.dir, path)
    }

    fn reload_baseline(&mut self, log: &mut Vec<String>) {
        self.baseline = None;
        if let Some(ws) = &self.ws {
            match crate::project::load_baseline(ws, None) {
                Ok(b) => self.baseline = b,
                Err(e) => log.push(format!("layergate: {e}")),
            }
        }
    }
}

/// One publish to send (or, in pull mode, to keep for the next pull).
pub struct Publish {
    pub uri: Uri,
    pub diagnostics: Vec<lsp::Diagnostic>,
    pub version: Option<i32>,
}

pub struct World {
    pub enc: Encoding,
    pub folders: Vec<PathBuf>,
    pub roots: Vec<Root>,
    pub overlay: Arc<OverlayFs>,
    /// What the client has (last publish per file).
    pub published: BTreeMap<PathBuf, (Uri, Vec<lsp::Diagnostic>)>,
    pub indexed: bool,
    /// The next publish compares every file, not only the changed ones (the
    /// roots were replaced).
    full: bool,
    /// Pull diagnostics: files whose diagnostics went away keep an empty entry.
    pub pull: bool,
    /// Messages for `window/logMessage`, drained by the analysis task.
    pub log: Vec<String>,
    /// The version of each open document whose text the workspaces hold.
    applied: HashMap<PathBuf, i32>,
    /// The open documents whose new text this round analysed: each is
    /// published under its version even when its diagnostics did not
    /// change, so a client (or an agent) knows that version was checked.
    analysed: HashSet<PathBuf>,
    /// The version each document was last published under: one version is
    /// never published with two different results. A document whose
    /// diagnostics change while its text does not (an edit elsewhere closed
    /// a cycle) is published without a version.
    versioned: HashMap<PathBuf, i32>,
}

/// Whether a path is a manifest resolvers read.
pub fn is_manifest(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    rules::lang::is_manifest(name)
}

/// Whether `check` would walk `rel`, ignore files included (for files that
/// appear after the index was built).
pub fn governed(config: &Config, rel: &str) -> bool {
    workspace::walked(config, rel)
}

/// Today's date for suppressions (`LAYERGATE_NOW` or the clock).
pub fn today(log: &mut Vec<String>) -> String {
    match crate::project::today() {
        Ok(t) => t,
        Err(e) => {
            log.push(format!("layergate: {e}"));
            analysis::today_utc()
        }
    }
}

/// The configs of the workspace folders: every `layergate.toml` at or below
/// each folder, else the nearest one above it.
pub fn discover(folders: &[PathBuf]) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    for f in folders {
        for c in workspace::discover_configs(f) {
            if !out.contains(&c) {
                out.push(c);
            }
        }
    }
    out.sort();
    out
}

/// The text of a `layergate.toml`, as [`Config::load`] reads it (a FIFO in
/// its place must not stop the server).
fn read_config_text(path: &Path) -> Option<String> {
    Config::read_text(path).ok()
}

/// Loads the roots of the workspace folders from disk (no lock held: the
/// server answers requests meanwhile). `progress(done, total)` is called while
/// files are read.
pub fn load_roots(
    folders: &[PathBuf],
    overlay: Arc<OverlayFs>,
    log: &mut Vec<String>,
    progress: &mut dyn FnMut(usize, usize),
) -> Vec<Root> {
    let configs = discover(folders);
    let mut roots: Vec<Root> = configs.into_iter().map(Root::new).collect();
    overlay.set_roots(roots.iter().map(|r| r.dir.as_path()));
    let mut loaded: Vec<(usize, Arc<Config>, Vec<String>)> = Vec::new();
    for (i, root) in roots.iter_mut().enumerate() {
        match Config::load(&root.config_path) {
            Ok(c) => {
                let rels = workspace::walk(&c);
                loaded.push((i, Arc::new(c), rels));
            }
            Err(p) => {
                root.problem_text = read_config_text(&root.config_path).unwrap_or_default();
                root.problems = p;
            }
        }
    }
    let total: usize = loaded.iter().map(|(_, _, r)| r.len()).sum();
    let mut done = 0;
    progress(0, total);
    for (i, config, rels) in loaded {
        // the facts cache `check` keeps: only changed files are parsed
        let cache = crate::project::read_cache(&config.root);
        let pkey = rules::cache::patterns_key(&config);
        let mut files = BTreeMap::new();
        for chunk in rels.chunks(512) {
            use rayon::prelude::*;
            let part: Vec<(String, workspace::FileEntry)> = chunk
                .par_iter()
                .filter_map(|rel| {
                    let entry = workspace::load_file(&config, rel, cache.as_ref(), pkey)?;
                    Some((rel.clone(), entry))
                })
                .collect();
            files.extend(part);
            done += chunk.len();
            progress(done, total);
        }
        let fs: Arc<dyn rules::FileSystem> = overlay.clone();
        let ws = Workspace::from_entries(config, fs, files);
        crate::project::save_cache(&ws, cache.as_ref());
        roots[i].ws = Some(AnalysisHost::new(ws, Options::default()));
        roots[i].reload_baseline(log);
    }
    roots
}

/// The file list of a config for `same_files`: include and exclude globs.
fn file_set_key(c: &Config) -> (Option<Vec<String>>, Vec<String>) {
    (
        c.include
            .as_ref()
            .map(|v| v.iter().map(|g| g.text.clone()).collect()),
        c.exclude.iter().map(|g| g.text.clone()).collect(),
    )
}

/// A snapshot of an open document for the analysis (taken under the `Docs` lock).
struct DocSnap {
    text: String,
    tree: Option<tree_sitter::Tree>,
    version: i32,
}

/// The changes one round of analysis takes: the queue, and a snapshot of
/// each changed open document (`None`: closed).
struct Round {
    pending: Vec<Pending>,
    snaps: HashMap<PathBuf, Option<DocSnap>>,
}

impl Round {
    fn take(docs: &std::sync::Mutex<Docs>) -> Round {
        let mut d = docs.lock().unwrap_or_else(|e| e.into_inner());
        let pending = std::mem::take(&mut d.pending);
        let mut snaps: HashMap<PathBuf, Option<DocSnap>> = HashMap::new();
        for p in &pending {
            if let Pending::Doc(path) = p {
                snaps.insert(
                    path.clone(),
                    d.docs.get(path).map(|doc| DocSnap {
                        text: doc.text.clone(),
                        tree: doc.tree.clone(),
                        version: doc.version,
                    }),
                );
            }
        }
        Round { pending, snaps }
    }
}

impl World {
    pub fn new(enc: Encoding, folders: Vec<PathBuf>) -> World {
        World {
            enc,
            folders,
            roots: Vec::new(),
            overlay: Arc::new(OverlayFs::default()),
            published: BTreeMap::new(),
            indexed: false,
            full: true,
            pull: false,
            log: Vec::new(),
            applied: HashMap::new(),
            analysed: HashSet::new(),
            versioned: HashMap::new(),
        }
    }

    /// The root governing `path`: the deepest root directory containing it.
    pub fn root_of(&self, path: &Path) -> Option<usize> {
        self.roots
            .iter()
            .enumerate()
            .filter(|(_, r)| path.starts_with(&r.dir))
            .max_by_key(|(_, r)| r.dir.components().count())
            .map(|(i, _)| i)
    }

    fn fs(&self) -> Arc<dyn rules::FileSystem> {
        self.overlay.clone()
    }

    /// Installs freshly loaded roots and queues the open documents again
    /// (they override the disk).
    pub fn install(&mut self, roots: Vec<Root>, docs: &std::sync::Mutex<Docs>) {
        self.roots = roots;
        self.full = true;
        // what the old roots analysed is not to be published: the open
        // documents are queued again, under the roots that govern them now
        self.analysed.clear();
        let mut d = docs.lock().unwrap_or_else(|e| e.into_inner());
        let open: Vec<PathBuf> = d.docs.keys().cloned().collect();
        for p in open {
            d.queue(Pending::Doc(p));
        }
    }

    /// Applies every queued change, re-checks the workspaces they touched and
    /// returns what must be published (only files whose diagnostics changed).
    pub fn process(&mut self, docs: &std::sync::Mutex<Docs>) -> Vec<Publish> {
        let round = Round::take(docs);
        self.run(round, docs)
    }

    /// [`process`](Self::process) of the changes `round` took: documents that
    /// changed since are published under the version the round analysed.
    fn run(&mut self, round: Round, docs: &std::sync::Mutex<Docs>) -> Vec<Publish> {
        let Round { pending, mut snaps } = round;
        let mut new_trees: Vec<(PathBuf, i32, tree_sitter::Tree)> = Vec::new();
        let mut rediscover = false;
        for (i, p) in pending.iter().enumerate() {
            match p {
                Pending::Doc(path) => {
                    // coalesce: only the last change of a document counts
                    if pending[i + 1..].contains(p) {
                        continue;
                    }
                    let snap = snaps.remove(path).flatten();
                    if let Some(t) = self.apply_doc(path, snap) {
                        new_trees.push(t);
                    }
                }
                Pending::Disk(path, kind) => {
                    let open = {
                        let d = docs.lock().unwrap_or_else(|e| e.into_inner());
                        d.docs.contains_key(path)
                    };
                    if !open {
                        rediscover |= self.apply_disk(path, *kind);
                    }
                }
                Pending::Folders { added, removed } => {
                    self.folders.retain(|f| !removed.contains(f));
                    for a in added {
                        if !self.folders.contains(a) {
                            self.folders.push(a.clone());
                        }
                    }
                    rediscover = true;
                }
            }
        }
        if rediscover {
            let before: Vec<PathBuf> = self.roots.iter().map(|r| r.config_path.clone()).collect();
            if discover(&self.folders) != before {
                let mut log = Vec::new();
                let roots = load_roots(
                    &self.folders,
                    self.overlay.clone(),
                    &mut log,
                    &mut |_, _| {},
                );
                self.log.extend(log);
                self.install(roots, docs);
                // the open documents were queued again: apply them now
                return self.process(docs);
            }
        }
        {
            // keep the incremental trees (unless the document moved on)
            let mut d = docs.lock().unwrap_or_else(|e| e.into_inner());
            for (path, version, tree) in new_trees {
                if let Some(doc) = d.docs.get_mut(&path) {
                    if doc.version == version {
                        doc.tree = Some(tree);
                    }
                }
            }
        }
        self.check_dirty();
        // each open document's diagnostics go out under the version of the
        // text they were computed from, not the live one (an edit that came
        // in during the round is published by the next)
        let versions: HashMap<PathBuf, (Uri, Option<i32>)> = {
            let d = docs.lock().unwrap_or_else(|e| e.into_inner());
            d.docs
                .iter()
                .map(|(p, doc)| (p.clone(), (doc.uri.clone(), self.applied.get(p).copied())))
                .collect()
        };
        self.diff(&versions)
    }

    /// Applies an open (or just closed) document's content to its workspace.
    /// Returns the new tree of a source file, to keep for the next parse.
    fn apply_doc(
        &mut self,
        path: &Path,
        snap: Option<DocSnap>,
    ) -> Option<(PathBuf, i32, tree_sitter::Tree)> {
        match &snap {
            Some(s) => {
                self.overlay.set(path, &s.text);
                // versions only grow while a document is open: one that does
                // not was closed and opened again within one round
                if self.applied.get(path).is_some_and(|&v| s.version <= v) {
                    self.versioned.remove(path);
                }
                self.applied.insert(path.to_path_buf(), s.version);
            }
            None => {
                self.overlay.remove(path);
                self.applied.remove(path);
                // a document opened again counts its versions anew
                self.versioned.remove(path);
            }
        }
        let ri = self.root_of(path)?;
        if path == self.roots[ri].config_path {
            if snap.is_some() {
                self.analysed.insert(path.to_path_buf());
            }
            let text = match &snap {
                Some(s) => s.text.clone(),
                None => read_config_text(path).unwrap_or_default(),
            };
            self.apply_config_text(ri, text);
            return None;
        }
        if is_manifest(path) {
            for r in &mut self.roots {
                if let Some(ws) = &mut r.ws {
                    ws.apply_change(Change::Manifests);
                    r.dirty = true;
                }
            }
            return None;
        }
        let root = &mut self.roots[ri];
        let rel = root.rel(path)?;
        let lang = Lang::from_path(&rel)?;
        let ws = root.ws.as_mut()?;
        let mut kept = None;
        match snap {
            Some(s) => {
                let known = ws.files.contains_key(&rel);
                if known || (!path.exists() && governed(&ws.config, &rel)) {
                    // over the size limit it is `skipped` unparsed, as on disk;
                    // a file the import scanner reads needs no tree (a
                    // keystroke in a large file costs the scan, not the
                    // reparse and a walk of the whole tree)
                    let tree = (s.text.len() as u64 <= workspace::MAX_FILE_SIZE
                        && !workspace::scannable(&ws.config, lang, &s.text))
                    .then(|| workspace::parse(lang, &s.text, s.tree.as_ref()))
                    .flatten();
                    ws.apply_change(Change::Text {
                        rel: rel.clone(),
                        content: Content::Text(s.text),
                        // a copy of a tree is cheap (shared nodes)
                        tree: tree.clone(),
                    });
                    kept = tree.map(|t| (path.to_path_buf(), s.version, t));
                    root.dirty = true;
                    self.analysed.insert(path.to_path_buf());
                }
            }
            None => {
                if path.is_file() {
                    if ws.files.contains_key(&rel) {
                        ws.apply_change(Change::Text {
                            rel: rel.clone(),
                            content: workspace::read_content(path),
                            tree: None,
                        });
                        root.dirty = true;
                    }
                } else if ws.files.contains_key(&rel) {
                    ws.apply_change(Change::Removed(rel.clone()));
                    root.dirty = true;
                }
            }
        }
        kept
    }

    /// Applies a change on disk. Returns whether the set of configs may have changed.
    fn apply_disk(&mut self, path: &Path, kind: FileChangeType) -> bool {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name == CONFIG_FILE {
            match self.roots.iter().position(|r| r.config_path == path) {
                Some(ri) if kind != FileChangeType::DELETED => {
                    match read_config_text(path) {
                        Some(text) => self.apply_config_text(ri, text),
                        None => return true,
                    }
                    return false;
                }
                _ => return true,
            }
        }
        if is_manifest(path) {
            for r in &mut self.roots {
                if let Some(ws) = &mut r.ws {
                    ws.apply_change(Change::Manifests);
                    r.dirty = true;
                }
            }
            return false;
        }
        if name == ".gitignore" || name == ".ignore" {
            // which files are checked may change: every root it can
            // govern (the ones at or below its folder, and the ones below
            // the repository's top for a top-level one) walks again
            let dir = path.parent().unwrap_or(Path::new("/")).to_path_buf();
            let affected: Vec<usize> = (0..self.roots.len())
                .filter(|&ri| {
                    let r = &self.roots[ri];
                    r.ws.is_some() && (r.dir.starts_with(&dir) || dir.starts_with(&r.dir))
                })
                .collect();
            for ri in affected {
                if let Some(config) = self.roots[ri].ws.as_ref().map(|ws| ws.config.clone()) {
                    self.reload_files(ri, config);
                }
            }
            return false;
        }
        let Some(ri) = self.root_of(path) else {
            return false;
        };
        let root = &mut self.roots[ri];
        let Some(rel) = root.rel(path) else {
            return false;
        };
        if name.ends_with(".json") {
            if let Some(ws) = &root.ws {
                if crate::project::baseline_path(ws, None).0 == path {
                    let mut log = Vec::new();
                    root.reload_baseline(&mut log);
                    self.log.extend(log);
                    self.roots[ri].dirty = true;
                }
            }
            return false;
        }
        let Some(ws) = root.ws.as_mut() else {
            return false;
        };
        if kind == FileChangeType::DELETED || !path.exists() {
            if ws.files.contains_key(&rel) {
                ws.apply_change(Change::Removed(rel));
                root.dirty = true;
            } else {
                // a directory: everything below it
                let prefix = format!("{rel}/");
                if ws.files.keys().any(|k| k.starts_with(&prefix)) {
                    ws.apply_change(Change::DirRemoved(rel));
                    root.dirty = true;
                }
            }
        } else if path.is_file() && (ws.files.contains_key(&rel) || governed(&ws.config, &rel)) {
            ws.apply_change(Change::Text {
                rel,
                content: workspace::read_content(path),
                tree: None,
            });
            root.dirty = true;
        }
        false
    }

    /// A new text of a root's `layergate.toml`: valid → in force; invalid →
    /// its problems are shown and the last valid config stays in force.
    fn apply_config_text(&mut self, ri: usize, text: String) {
        let root = &mut self.roots[ri];
        root.dirty = true;
        match Config::parse(&root.config_path, &text) {
            Ok(config) => {
                root.problems.clear();
                root.problem_text.clear();
                let same_files = root
                    .ws
                    .as_ref()
                    .is_some_and(|ws| file_set_key(&ws.config) == file_set_key(&config));
                match &mut root.ws {
                    Some(ws) if same_files => ws.apply_change(Change::Config(Arc::new(config))),
                    _ => self.reload_files(ri, Arc::new(config)),
                }
                let mut log = Vec::new();
                self.roots[ri].reload_baseline(&mut log);
                self.log.extend(log);
            }
            Err(problems) => {
                root.problems = problems;
                root.problem_text = text;
            }
        }
    }

    /// Walks root `ri` again under `config` (a new file set: `include` or
    /// `exclude` changed, an ignore file appeared), then applies the open
    /// documents again. What the old workspace published is forgotten: a
    /// file the new set leaves out must lose its diagnostics.
    fn reload_files(&mut self, ri: usize, config: Arc<Config>) {
        let overlay = self.fs();
        let root = &mut self.roots[ri];
        let old = std::mem::take(&mut root.outcome);
        root.fresh.extend(old.into_keys());
        root.ws = Some(AnalysisHost::new(
            Workspace::load(config, overlay),
            Options::default(),
        ));
        root.dirty = true;
        let dir = root.dir.clone();
        for p in self.overlay.paths() {
            if p.starts_with(&dir) && self.root_of(&p) == Some(ri) {
                self.reapply_overlay(ri, &p);
            }
        }
    }

    /// Re-applies an open document (its overlay text) after a reload.
    fn reapply_overlay(&mut self, ri: usize, path: &Path) {
        let Some(text) = rules::resolve::FileSystem::read_to_string(self.overlay.as_ref(), path)
        else {
            return;
        };
        let root = &mut self.roots[ri];
        let Some(rel) = root.rel(path) else { return };
        let Some(ws) = root.ws.as_mut() else { return };
        if Lang::from_path(&rel).is_none() {
            return;
        }
        if ws.files.contains_key(&rel) || (!path.exists() && governed(&ws.config, &rel)) {
            ws.apply_change(Change::Text {
                rel,
                content: Content::Text(text),
                tree: None,
            });
        }
    }

    /// Re-checks the dirty roots.
    fn check_dirty(&mut self) {
        let mut log = Vec::new();
        let today = today(&mut log);
        for r in &mut self.roots {
            if !r.dirty {
                continue;
            }
            r.dirty = false;
            match &mut r.ws {
                Some(ws) => {
                    ws.apply_change(Change::Options(Options {
                        today: today.clone(),
                        baseline: r.baseline.clone(),
                    }));
                    let changes = ws.check_changes();
                    for (rel, d) in changes.files {
                        if d.is_empty() {
                            r.outcome.remove(&rel);
                        } else {
                            r.outcome.insert(rel.clone(), d);
                        }
                        r.fresh.insert(rel);
                    }
                }
                None => {
                    let old = std::mem::take(&mut r.outcome);
                    r.fresh.extend(old.into_keys());
                }
            }
        }
        self.log.extend(log);
    }

    /// The text of a file outside the workspace's files, for position conversion.
    fn file_text(&self, root: &Root, rel: &str) -> Option<(Arc<str>, LineIndex)> {
        let text =
            rules::resolve::FileSystem::read_to_string(self.overlay.as_ref(), &root.dir.join(rel))?;
        let lines = LineIndex::new(&text);
        Some((Arc::from(text), lines))
    }

    /// The LSP diagnostics of every file (`only: None`) or of the given files
    /// of each root and its config file, from the roots' last checks and
    /// config problems.
    fn desired(
        &self,
        only: Option<&[BTreeSet<String>]>,
    ) -> BTreeMap<PathBuf, Vec<lsp::Diagnostic>> {
        let mut out: BTreeMap<PathBuf, Vec<lsp::Diagnostic>> = BTreeMap::new();
        for (ri, root) in self.roots.iter().enumerate() {
            let config_abs = root.config_path.clone();
            let (config_text, config_lines) = match &root.ws {
                Some(ws) => (ws.config.text.clone(), LineIndex::new(&ws.config.text)),
                None => (String::new(), LineIndex::new("")),
            };
            let config_view = View::new(&config_text, &config_lines);
            let broken = !root.problems.is_empty();
            let files: Vec<(&String, &Arc<[Diagnostic]>)> = match only {
                None => root.outcome.iter().collect(),
                Some(sets) => {
                    let config_rel = root.rel(&config_abs);
                    sets.get(ri)
                        .into_iter()
                        .flatten()
                        .chain(config_rel.as_ref())
                        .filter_map(|rel| root.outcome.get_key_value(rel))
                        .collect()
                }
            };
            for (rel, diags) in files {
                let abs = root.dir.join(rel);
                if broken && abs == config_abs {
                    continue; // its spans refer to the last valid text
                }
                let entry = root.ws.as_ref().and_then(|ws| ws.files.get(rel));
                let read;
                let view = if abs == config_abs {
                    Some(config_view)
                } else if let Some(e) = entry {
                    Some(View::of(e))
                } else {
                    read = self.file_text(root, rel);
                    read.as_ref().map(|(text, lines)| View::new(text, lines))
                };
                let list = out.entry(abs).or_default();
                for d in diags.iter() {
                    list.push(proto::diagnostic(d, view, config_view, &root.dir, self.enc));
                }
            }
            if broken {
                let lines = LineIndex::new(&root.problem_text);
                let view = View::new(&root.problem_text, &lines);
                let list = out.entry(config_abs).or_default();
                for p in &root.problems {
                    list.push(proto::config_problem(p, view, self.enc));
                }
            }
        }
        out
    }

    /// Compares with what was published; records and returns the changes.
    /// Only the files whose diagnostics changed are looked at, unless the
    /// roots were replaced.
    fn diff(&mut self, versions: &HashMap<PathBuf, (Uri, Option<i32>)>) -> Vec<Publish> {
        let full = std::mem::take(&mut self.full);
        let sets: Vec<BTreeSet<String>> = self
            .roots
            .iter_mut()
            .map(|r| std::mem::take(&mut r.fresh))
            .collect();
        let desired = self.desired((!full).then_some(sets.as_slice()));
        // the paths whose diagnostics were recomputed
        let considered: Option<HashSet<PathBuf>> = (!full).then(|| {
            self.roots
                .iter()
                .zip(&sets)
                .flat_map(|(r, set)| {
                    set.iter()
                        .map(|rel| r.dir.join(rel))
                        .chain(std::iter::once(r.config_path.clone()))
                })
                .collect()
        });
        // each publish with its path
        let mut out: Vec<(PathBuf, Publish)> = Vec::new();
        let version_of = |p: &Path| versions.get(p).and_then(|v| v.1);
        let gone: Vec<PathBuf> = self
            .published
            .iter()
            .filter(|(p, (_, d))| {
                !desired.contains_key(*p)
                    && !d.is_empty()
                    && considered.as_ref().is_none_or(|c| c.contains(*p))
            })
            .map(|(p, _)| p.clone())
            .collect();
        for p in gone {
            let removed = if self.pull {
                // a pulled workspace report must say the file is now clean
                self.published.get_mut(&p).map(|(u, d)| {
                    d.clear();
                    (u.clone(), ())
                })
            } else {
                self.published.remove(&p).map(|(u, _)| (u, ()))
            };
            if let Some((uri, _)) = removed {
                let version = version_of(&p);
                out.push((
                    p,
                    Publish {
                        uri,
                        diagnostics: Vec::new(),
                        version,
                    },
                ));
            }
        }
        for (path, diags) in desired {
            if self.published.get(&path).is_some_and(|(_, d)| *d == diags) {
                continue;
            }
            let uri = match versions.get(&path) {
                Some((u, _)) => u.clone(),
                None => match proto::uri_of(&path) {
                    Some(u) => u,
                    None => continue,
                },
            };
            let version = version_of(&path);
            self.published
                .insert(path.clone(), (uri.clone(), diags.clone()));
            out.push((
                path,
                Publish {
                    uri,
                    diagnostics: diags,
                    version,
                },
            ));
        }
        // a document analysed at a new version is published under it, its
        // diagnostics changed or not, so that the client knows that version
        // was checked (not in pull mode: there the client asks)
        for path in std::mem::take(&mut self.analysed) {
            let Some((uri, Some(version))) = versions.get(&path) else {
                continue;
            };
            if self.pull
                || self.versioned.get(&path) == Some(version)
                || out.iter().any(|(p, _)| *p == path)
            {
                continue;
            }
            let diagnostics = self
                .published
                .get(&path)
                .map(|(_, d)| d.clone())
                .unwrap_or_default();
            out.push((
                path,
                Publish {
                    uri: uri.clone(),
                    diagnostics,
                    version: Some(*version),
                },
            ));
        }
        // one version, one result: a different result for a version already
        // published (another file's change moved this one's diagnostics)
        // goes out without a version
        for (path, p) in &mut out {
            if let Some(v) = p.version {
                if self.versioned.get(path) == Some(&v) {
                    p.version = None;
                } else {
                    self.versioned.insert(path.clone(), v);
                }
            }
        }
        out.into_iter().map(|(_, p)| p).collect()
    }

    /// The engine diagnostics of a file (by absolute path) and its root.
    pub fn file_diagnostics(&self, path: &Path) -> Option<(&Root, String, Vec<&Diagnostic>)> {
        let ri = self.root_of(path)?;
        let root = &self.roots[ri];
        let rel = root.rel(path)?;
        let list = root
            .outcome
            .get(&rel)
            .map(|d| d.iter().collect())
            .unwrap_or_default();
        Some((root, rel, list))
    }

    /// Diagnostics of a proposed content for `path`, without keeping it.
    pub fn check_content(
        &mut self,
        path: &Path,
        content: String,
    ) -> Result<Vec<lsp::Diagnostic>, String> {
        let Some(ri) = self.root_of(path) else {
            return Err(format!("no layergate.toml governs {}", path.display()));
        };
        let enc = self.enc;
        let mut log = Vec::new();
        let today = today(&mut log);
        let root = &mut self.roots[ri];
        let Some(rel) = root.rel(path) else {
            return Err(format!("{} is not in a workspace", path.display()));
        };
        if Lang::from_path(&rel).is_none() {
            return Err(format!(
                "{rel} is not a TypeScript, JavaScript or Rust file"
            ));
        }
        let baseline = root.baseline.clone();
        let Some(ws) = root.ws.as_mut() else {
            return Err("the workspace is not indexed yet".into());
        };
        ws.apply_change(Change::Options(Options { today, baseline }));
        let dir = &root.dir;
        let mine = ws.check_overlay(&rel, Content::Text(content), |ws, outcome| {
            let config_text = &ws.config.text;
            let config_lines = LineIndex::new(config_text);
            match ws.files.get(&rel) {
                Some(e) => outcome
                    .diagnostics
                    .iter()
                    .filter(|d| d.file == rel)
                    .map(|d| {
                        proto::diagnostic(
                            d,
                            Some(View::of(e)),
                            View::new(config_text, &config_lines),
                            dir,
                            enc,
                        )
                    })
                    .collect(),
                None => Vec::new(),
            }
        });
        Ok(mine)
    }

    /// Severity counts, for logs.
    pub fn summary(&self) -> (usize, usize) {
        let mut files = 0;
        let mut errors = 0;
        for r in &self.roots {
            files += r.ws.as_ref().map_or(0, |w| w.files.len());
            errors += r
                .outcome
                .values()
                .flat_map(|d| d.iter())
                .filter(|d| d.severity == Severity::Error && !d.baselined)
                .count();
        }
        (files, errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    const CONFIG: &str = "[[modules]]\nname = \"app\"\npaths = [\"src/app/**\"]\n\n[[modules]]\nname = \"domain\"\npaths = [\"src/domain/**\"]\n\n[layers]\norder = [\"app\", \"domain\"]\n";
    const BAD: &str = "import { a } from '../app/a';\nexport const d = a;\n";
    const GOOD: &str = "export const d = 1;\n";

    fn open(docs: &Mutex<Docs>, path: &Path, version: i32, text: &str) {
        let mut d = docs.lock().unwrap();
        d.docs.insert(
            path.to_path_buf(),
            Doc {
                uri: proto::uri_of(path).unwrap(),
                version,
                text: text.to_string(),
                lines: LineIndex::new(text),
                tree: None,
            },
        );
        d.queue(Pending::Doc(path.to_path_buf()));
    }

    /// (version, number of diagnostics) published for `path`.
    fn published(out: &[Publish], path: &Path) -> Option<(Option<i32>, usize)> {
        let uri = proto::uri_of(path).unwrap();
        out.iter()
            .rfind(|p| p.uri == uri)
            .map(|p| (p.version, p.diagnostics.len()))
    }

    #[test]
    fn diagnostics_carry_the_version_they_were_computed_from() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("src/app")).unwrap();
        std::fs::create_dir_all(root.join("src/domain")).unwrap();
        std::fs::write(root.join("layergate.toml"), CONFIG).unwrap();
        std::fs::write(root.join("src/app/a.ts"), "export const a = 1;\n").unwrap();
        let d_ts = root.join("src/domain/d.ts");
        std::fs::write(&d_ts, GOOD).unwrap();

        let mut world = World::new(Encoding::Utf16, vec![root.clone()]);
        let docs = Mutex::new(Docs {
            enc: Encoding::Utf16,
            docs: HashMap::new(),
            pending: Vec::new(),
            epoch: 0,
        });
        let roots = load_roots(
            &world.folders,
            world.overlay.clone(),
            &mut Vec::new(),
            &mut |_, _| {},
        );
        world.install(roots, &docs);
        open(&docs, &d_ts, 1, BAD);
        let out = world.process(&docs);
        assert_eq!(published(&out, &d_ts), Some((Some(1), 1)));

        // version 2 fixes it; version 3 arrives while 2 is being analysed
        open(&docs, &d_ts, 2, GOOD);
        let round = Round::take(&docs);
        open(&docs, &d_ts, 3, BAD);
        let out = world.run(round, &docs);
        assert_eq!(
            published(&out, &d_ts),
            Some((Some(2), 0)),
            "the clean result is version 2's, not 3's"
        );
        // the next round publishes version 3's
        let out = world.process(&docs);
        assert_eq!(published(&out, &d_ts), Some((Some(3), 1)));

        // a version whose diagnostics are those of the last is published
        // all the same: the client learns it was checked
        open(&docs, &d_ts, 4, &format!("{BAD}// typed\n"));
        let out = world.process(&docs);
        assert_eq!(published(&out, &d_ts), Some((Some(4), 1)));
        let out = world.process(&docs);
        assert_eq!(published(&out, &d_ts), None, "nothing new to say");

        // an edit of another file closes a cycle through d.ts: its new
        // diagnostics are not version 4's result, so they carry no version
        let a_ts = root.join("src/app/a.ts");
        open(
            &docs,
            &a_ts,
            1,
            "import { d } from '../domain/d';\nexport const a = d;\n",
        );
        let out = world.process(&docs);
        assert_eq!(published(&out, &a_ts).map(|p| p.0), Some(Some(1)));
        assert_eq!(published(&out, &d_ts), Some((None, 2)));

        // closed and opened again within one round, at the version it was
        // last published under: the new text's result carries that version
        {
            let mut d = docs.lock().unwrap();
            d.docs.remove(&d_ts);
            d.queue(Pending::Doc(d_ts.clone()));
        }
        open(&docs, &d_ts, 4, GOOD);
        let out = world.process(&docs);
        assert_eq!(published(&out, &d_ts).map(|p| p.0), Some(Some(4)));
    }
}
