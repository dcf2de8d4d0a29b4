//! The state of one workspace (one `layergate.toml`): its files, their facts and
//! resolved imports. Built once by a parallel walk, then updated file by file
//! (the language server) without re-reading anything else.
//!
//! **Invariant:** the diagnostics of a workspace depend only on the config and
//! on the current text of each file, never on the order of updates; the
//! differential tests check `update(...)` sequences against a cold load.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::cache::FactCache;
use crate::config::selector::ApiKind;
use crate::config::{Config, Target, CONFIG_FILE};
use crate::facts::{FileFacts, ImportKind, Span};
use crate::lang::{Lang, Language};
use crate::languages;
use crate::languages::python::resolve::PyResolver;
use crate::languages::rust::resolve::RustResolver;
use crate::languages::ts::resolve::TsResolver;
use crate::resolve::{FileSystem, Resolved};
use crate::text::LineIndex;

/// The most progress calls (about 100 query steps each) one `[[pattern]]`
/// query may take on one file: a query over every node of a 2 MB file takes
/// a few thousand.
pub const MAX_QUERY_STEPS: u64 = 50_000;

/// The text of the [`PatternHit`] that says a query ran out of its budget at
/// its span (not a match: no source text holds a NUL here).
pub const QUERY_BUDGET_MARK: &str = "\0query budget";

/// Files larger than this are not analysed (`skipped`).
pub const MAX_FILE_SIZE: u64 = crate::disk::MAX_SOURCE_SIZE;

pub use crate::facts::PatternHit;

/// One source file of the workspace.
///
/// The files of a load drop their text when it is all ASCII
/// ([`FileEntry::compact`]): the facts are what the engine works on, and an
/// ASCII file's columns are its byte offsets, so positions need no text. The
/// rare users of such a file's text (fixes, re-running `[[pattern]]` queries)
/// read it again, checked against [`FileEntry::hash`]. Files set one by one
/// (edits, proposed contents) keep their text.
#[derive(Debug, Clone)]
pub struct FileEntry {
    pub lang: Lang,
    text: Option<Arc<str>>,
    /// The length of the text in bytes.
    pub len: usize,
    /// [`crate::cache::content_hash`] of the text.
    pub hash: u64,
    pub lines: LineIndex,
    pub facts: Arc<FileFacts>,
    /// Why the file could not be analysed, if it could not.
    pub skipped: Option<String>,
    /// One entry per `facts.imports`.
    pub resolved: Vec<Resolved>,
    pub pattern_hits: Vec<PatternHit>,
}

/// Raw file content as read from disk or received from an editor.
pub enum Content {
    Text(String),
    Bytes(Vec<u8>),
    /// Too large to read: the size in bytes.
    TooLarge(u64),
    /// Could not be read: the error.
    Unreadable(String),
}

/// One workspace: a config and the files it governs.
pub struct Workspace {
    pub config: Arc<Config>,
    pub files: BTreeMap<String, FileEntry>,
    fs: Arc<dyn FileSystem>,
    ts: TsResolver,
    rust: RustResolver,
    py: PyResolver,
    /// What the changes since the last [`Workspace::take_invalidation`]
    /// make stale in results derived from the workspace.
    pending: Invalidation,
}

/// Which derived results a change to a [`Workspace`] makes stale: those of
/// every file, or of these files and of the files that read them, or only
/// those of a file itself. The workspace records it; whoever keeps derived
/// results (the [`crate::host::AnalysisHost`]) takes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Invalidation {
    pub all: bool,
    /// Files whose results are stale, and so are the results of the files
    /// that read them.
    pub files: Vec<String>,
    /// Files whose exports or re-exports changed, but not whether they
    /// re-export anything ([`same_surface`]): stale with the files that read
    /// their exports, not with every importer.
    pub deep: Vec<String>,
    /// Files whose own results are stale, while nothing other files read of
    /// them changed ([`same_surface`] and [`same_exports`]): an edit inside a
    /// function of a file imported by thousands costs the work of that one
    /// file.
    pub own: Vec<String>,
    /// Files that entered or left the workspace (also in `files`).
    pub moved: Vec<String>,
}

/// Whether two analyses of one file look the same to every importer: the
/// file's language, whether it was analysed, and whether it re-exports
/// anything (an importer of a file that does not is judged by that file,
/// whatever it exports).
pub fn same_surface(old: &FileEntry, new: &FileEntry) -> bool {
    old.lang == new.lang
        && old.skipped == new.skipped
        && old.facts.reexports() == new.facts.reexports()
}

/// Whether two analyses of one file offer the same to the importers that
/// read its exports (re-export following, `public-api` entries, item-level
/// `unresolved`, `#[macro_export]` names): its exports, and its re-exports
/// with where they lead. The spans of its imports are its own; the file and
/// module graphs compare them apart (`graph_dirty`).
pub fn same_exports(old: &FileEntry, new: &FileEntry) -> bool {
    fn reexports(e: &FileEntry) -> impl Iterator<Item = (&crate::facts::Import, &Resolved)> {
        e.facts.imports.iter().zip(&e.resolved).filter(|(i, _)| {
            matches!(
                i.kind,
                ImportKind::ReExport | ImportKind::ReExportAll | ImportKind::PubUse
            )
        })
    }
    old.facts.exports == new.facts.exports
        && reexports(old)
            .map(|(i, r)| (i.kind, &i.specifier, i.type_only, &i.names, r))
            .eq(reexports(new).map(|(i, r)| (i.kind, &i.specifier, i.type_only, &i.names, r)))
}

impl std::fmt::Debug for Workspace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workspace")
            .field("root", &self.config.root)
            .field("files", &self.files.len())
            .finish()
    }
}

/// Lists the files a config governs: supported extensions, `include`/`exclude`,
/// `.gitignore`, never `node_modules`, `target`, `.git`, nor anything below a
/// nested `layergate.toml`. Paths are workspace-relative with `/`, sorted.
pub fn walk(config: &Config) -> Vec<String> {
    walk_with_dirs(config).0
}

/// [`walk`], and the folders below the root it went through
/// (workspace-relative, sorted): what a holder of the file list watches for
/// changes.
pub fn walk_with_dirs(config: &Config) -> (Vec<String>, Vec<String>) {
    let root = config.root.clone();
    let ignores = Arc::new(IgnoreFiles::new(&root));
    let mut builder = ignore::WalkBuilder::new(&root);
    // ignore files are read by [`IgnoreFiles`], which refuses what the
    // walker's own reader would block on or read forever (a `.gitignore`
    // symlinked to `/dev/zero`, a FIFO)
    builder
        .standard_filters(false)
        .follow_links(false)
        .filter_entry(move |e| {
            let name = e.file_name();
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            if is_dir {
                if name == "node_modules" || name == "target" || name == ".git" {
                    return false;
                }
                // a nested config splits the tree
                if e.depth() > 0 && e.path().join(CONFIG_FILE).is_file() {
                    return false;
                }
            }
            e.depth() == 0 || !ignores.ignored(e.path(), is_dir, false)
        });
    let (tx, rx) = std::sync::mpsc::channel();
    let real_root = root.canonicalize().unwrap_or_else(|_| root.clone());
    builder.build_parallel().run(|| {
        let tx = tx.clone();
        let root = root.clone();
        let real_root = real_root.clone();
        Box::new(move |entry| {
            if let Ok(e) = entry {
                if e.file_type().is_some_and(|t| t.is_dir()) {
                    if let Some(rel) = relative(&root, e.path()) {
                        let _ = tx.send(Walked::Dir(rel));
                    }
                    return ignore::WalkState::Continue;
                }
                let wanted = e.file_type().is_some_and(|t| t.is_file())
                    // a symlinked file is read only if it stays inside the
                    // workspace: a pull request must not make CI read /etc
                    || e.file_type().is_some_and(|t| t.is_symlink())
                        && std::fs::canonicalize(e.path()).is_ok_and(|t| t.starts_with(&real_root));
                if wanted && Lang::from_path(&e.path().to_string_lossy()).is_some() {
                    // a name that is not UTF-8 is listed under its lossy
                    // form, so it is reported `skipped`, not silently unchecked
                    if let Some(rel) =
                        relative(&root, e.path()).or_else(|| lossy_relative(&root, e.path()))
                    {
                        let _ = tx.send(Walked::File(rel));
                    }
                }
            }
            ignore::WalkState::Continue
        })
    });
    drop(tx);
    let mut files: Vec<String> = Vec::new();
    let mut dirs: Vec<String> = Vec::new();
    for w in rx {
        match w {
            Walked::File(rel) if config.is_included(&rel) => files.push(rel),
            Walked::File(_) => {}
            Walked::Dir(rel) => dirs.push(rel),
        }
    }
    files.sort();
    dirs.sort();
    (files, dirs)
}

/// What the walk finds.
enum Walked {
    File(String),
    Dir(String),
}

/// The names an import of the TypeScript file `rel` may end with: its name
/// up to the first dot and up to the last one, and for an index file its
/// folder's name (both ways too).
fn import_names(rel: &str) -> Vec<&str> {
    fn both(name: &str) -> [&str; 2] {
        [
            name.split('.').next().unwrap_or(name),
            name.rsplit_once('.').map_or(name, |(n, _)| n),
        ]
    }
    let mut parts = rel.rsplit('/');
    let file = parts.next().unwrap_or(rel);
    let mut names = both(file).to_vec();
    if names[0] == "index" {
        if let Some(dir) = parts.next() {
            names.push(dir);
            names.extend(both(dir));
        }
    }
    names
}

/// Whether an import resolved to `res` may resolve otherwise now that `rel`
/// (named `names`) entered or left the workspace.
fn may_name(specifier: &str, res: &Resolved, rel: &str, names: &[&str]) -> bool {
    match res {
        Resolved::File(f) if f == rel => return true,
        Resolved::Unresolved => return true,
        Resolved::Builtin(_) | Resolved::NotADependency => return false,
        _ => {}
    }
    let path = specifier.split(['?', '#']).next().unwrap_or(specifier);
    let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    let stem = last.split('.').next().unwrap_or("");
    let short = last.rsplit_once('.').map_or(last, |(n, _)| n);
    stem.is_empty() || [last, stem, short].iter().any(|n| names.contains(n))
}

/// Whether [`walk`] would list `rel` (workspace-relative, with `/`): for a
/// file that appears later (a watcher event, a new editor buffer). Applies
/// the same filters: language, `include`/`exclude`, never `node_modules`,
/// `target` or `.git`, not below a nested `layergate.toml`, and the `.ignore`,
/// `.gitignore` and `.git/info/exclude` files from the root down to the
/// file's folder (deeper files win, `.ignore` before `.gitignore`).
pub fn walked(config: &Config, rel: &str) -> bool {
    if Lang::from_path(rel).is_none() || !config.is_included(rel) {
        return false;
    }
    let parts: Vec<&str> = rel.split('/').collect();
    let dirs = &parts[..parts.len().saturating_sub(1)];
    if dirs
        .iter()
        .any(|c| *c == "node_modules" || *c == "target" || *c == ".git")
    {
        return false;
    }
    let root = &config.root;
    // a nested config splits the tree
    let mut dir = root.clone();
    for d in dirs {
        dir.push(d);
        if dir.join(CONFIG_FILE).is_file() {
            return false;
        }
    }
    !IgnoreFiles::new(root).ignored(&root.join(rel), false, true)
}

/// The `.ignore` and `.gitignore` files from the repository's top (the
/// [`crate::disk::Boundary`]) down, and the repository's
/// `.git/info/exclude`, read once per folder. Deeper folders win; within
/// one, `.ignore` before `.gitignore`; the exclude file last. Like git, an
/// ignore file that is a symbolic link is not read; neither is one that is
/// not a regular file or weighs more than [`crate::disk::MAX_MANIFEST_SIZE`].
pub struct IgnoreFiles {
    /// Canonical: the folders above the workspace that count.
    top: PathBuf,
    /// The workspace root as given (the paths asked about start with it).
    root: PathBuf,
    /// The canonical form of `root`.
    real_root: PathBuf,
    exclude: Option<ignore::gitignore::Gitignore>,
    folders: std::sync::RwLock<
        std::collections::HashMap<PathBuf, Arc<Vec<ignore::gitignore::Gitignore>>>,
    >,
}

impl IgnoreFiles {
    pub fn new(root: &Path) -> IgnoreFiles {
        let real_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let top = crate::disk::Boundary::around(&real_root)
            .root()
            .to_path_buf();
        let exclude = Self::read(&top, &top.join(".git/info/exclude"));
        IgnoreFiles {
            top,
            root: root.to_path_buf(),
            real_root,
            exclude,
            folders: Default::default(),
        }
    }

    /// The ignore file at `file` (rooted at `dir`) if it can be read safely.
    fn read(dir: &Path, file: &Path) -> Option<ignore::gitignore::Gitignore> {
        let meta = std::fs::symlink_metadata(file).ok()?;
        if !meta.is_file() {
            return None;
        }
        let text = crate::disk::read_regular(file, crate::disk::MAX_MANIFEST_SIZE).ok()?;
        let text = String::from_utf8_lossy(&text);
        let mut b = ignore::gitignore::GitignoreBuilder::new(dir);
        for line in text.lines() {
            let _ = b.add_line(None, line);
        }
        b.build().ok()
    }

    /// The ignore files of folder `dir` (canonical form), `.ignore` first.
    fn folder(&self, dir: &Path) -> Arc<Vec<ignore::gitignore::Gitignore>> {
        if let Some(f) = self
            .folders
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(dir)
        {
            return f.clone();
        }
        let found: Vec<_> = [".ignore", ".gitignore"]
            .iter()
            .filter_map(|n| Self::read(dir, &dir.join(n)))
            .collect();
        let found = Arc::new(found);
        self.folders
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .entry(dir.to_path_buf())
            .or_insert(found)
            .clone()
    }

    /// Whether `path` (below the workspace root, as given to [`Self::new`])
    /// is ignored. `parents`: also when a folder above it is (for a path
    /// asked about alone; a walk prunes ignored folders instead).
    pub fn ignored(&self, path: &Path, is_dir: bool, parents: bool) -> bool {
        let Ok(rel) = path.strip_prefix(&self.root) else {
            return false;
        };
        let path = self.real_root.join(rel);
        // Some(true): ignored, Some(false): re-included, None: no opinion
        let matched = |gi: &ignore::gitignore::Gitignore| -> Option<bool> {
            let m = if parents {
                gi.matched_path_or_any_parents(&path, is_dir)
            } else {
                gi.matched(&path, is_dir)
            };
            (!m.is_none()).then(|| m.is_ignore())
        };
        let mut dir = path.parent();
        while let Some(d) = dir {
            if !d.starts_with(&self.top) {
                break;
            }
            for gi in self.folder(d).iter() {
                if let Some(ignored) = matched(gi) {
                    return ignored;
                }
            }
            dir = d.parent();
        }
        self.exclude
            .as_ref()
            .is_some_and(|gi| matched(gi) == Some(true))
    }
}

/// `path` relative to `root`, with `/`, if it is inside it.
pub fn relative(root: &Path, path: &Path) -> Option<String> {
    let s = inside(root, path)?.to_str()?.replace('\\', "/");
    (!s.is_empty()).then_some(s)
}

/// [`relative`] for a path that is not UTF-8: undecodable bytes become U+FFFD.
fn lossy_relative(root: &Path, path: &Path) -> Option<String> {
    let s = inside(root, path)?.to_string_lossy().replace('\\', "/");
    (!s.is_empty()).then_some(s)
}

/// `path` below `root`, if it lies inside (only normal components).
fn inside<'a>(root: &Path, path: &'a Path) -> Option<&'a Path> {
    let rel = path.strip_prefix(root).ok()?;
    // `a/../../x` passes the prefix test without being inside
    rel.components()
        .all(|c| matches!(c, std::path::Component::Normal(_)))
        .then_some(rel)
}

/// Reads a file from disk for analysis, refusing huge files before reading them.
/// Only a regular file is read (a FIFO or a device in its place is
/// `Unreadable` at once); a name that is not UTF-8 (see [`walk`]) is
/// `Unreadable` with that reason.
pub fn read_content(path: &Path) -> Content {
    match crate::disk::read_regular(path, MAX_FILE_SIZE) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(s) => Content::Text(s),
            Err(e) => Content::Bytes(e.into_bytes()),
        },
        Err(crate::disk::ReadError::TooLarge { size, .. }) => Content::TooLarge(size),
        Err(e) if e.is_not_found() && path.to_string_lossy().contains(NOT_UTF8_MARK) => {
            Content::Unreadable("its name is not valid UTF-8".into())
        }
        Err(e) => Content::Unreadable(e.to_string()),
    }
}

/// What stands for the undecodable bytes of a file name that is not UTF-8
/// in the name [`walk`] lists it under.
const NOT_UTF8_MARK: char = char::REPLACEMENT_CHARACTER;

thread_local! {
    static PARSERS: std::cell::RefCell<Vec<(Lang, tree_sitter::Parser)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Parses with a per-thread parser (parsers are costly to create).
/// Whether the import scanner reads `text` under `config` (so analysing it
/// needs no tree): the language server then skips the parse of an edited
/// file, as the cold check does.
pub fn scannable(config: &Config, lang: Lang, text: &str) -> bool {
    config.scan
        && (text.len() as u64) <= MAX_FILE_SIZE
        && !needs_full_parse(config, lang, text)
        && languages::scan(lang, text, &LineIndex::new(text)).is_some()
}

pub fn parse(lang: Lang, text: &str, old: Option<&tree_sitter::Tree>) -> Option<tree_sitter::Tree> {
    PARSERS.with(|p| {
        let mut parsers = p.borrow_mut();
        let idx = match parsers.iter().position(|(l, _)| *l == lang) {
            Some(i) => i,
            None => {
                let mut parser = tree_sitter::Parser::new();
                parser.set_language(&lang.grammar()).ok()?;
                parsers.push((lang, parser));
                parsers.len() - 1
            }
        };
        let parser = &mut parsers[idx].1;
        // bound the time a pathological file can take
        let mut progress = {
            let start = std::time::Instant::now();
            move |_: &tree_sitter::ParseState| {
                if start.elapsed() > std::time::Duration::from_secs(10) {
                    std::ops::ControlFlow::Break(())
                } else {
                    std::ops::ControlFlow::Continue(())
                }
            }
        };
        let options = tree_sitter::ParseOptions::new().progress_callback(&mut progress);
        let bytes = text.as_bytes();
        let tree = parser.parse_with_options(
            &mut |i, _| if i < bytes.len() { &bytes[i..] } else { &[] },
            old,
            Some(options),
        );
        if tree.is_none() {
            parser.reset();
        }
        tree
    })
}

/// Runs the config's `[[pattern]]` queries of `lang` on a tree.
pub fn pattern_hits(
    config: &Config,
    lang: Lang,
    tree: &tree_sitter::Tree,
    text: &str,
) -> Vec<PatternHit> {
    pattern_hits_within(config, lang, tree, text, MAX_QUERY_STEPS)
}

/// [`pattern_hits`] with a budget of `max_steps` progress calls per query
/// (tests use a small one).
pub fn pattern_hits_within(
    config: &Config,
    lang: Lang,
    tree: &tree_sitter::Tree,
    text: &str,
    max_steps: u64,
) -> Vec<PatternHit> {
    use tree_sitter::StreamingIterator;
    let mut hits = Vec::new();
    for (i, p) in config.patterns.iter().enumerate() {
        for (qlang, query, capture) in &p.queries {
            if *qlang != lang {
                continue;
            }
            let mut cursor = tree_sitter::QueryCursor::new();
            // in-progress matches, as Neovim: each step costs up to this
            // many, so a query's work is linear in the tree
            cursor.set_match_limit(256);
            // tree-sitter calls back about every 100 steps of the query:
            // counting the calls is a budget that does not depend on the
            // machine's speed (the match limit does not stop queries such as
            // `(program (_) @a (_) @b (_) @c (_) @d)`)
            let steps = std::cell::Cell::new(0u64);
            let over_at = std::cell::Cell::new(None);
            let mut progress = |state: &tree_sitter::QueryCursorState| {
                steps.set(steps.get() + 1);
                if steps.get() > max_steps {
                    over_at.set(Some(state.current_byte_offset()));
                    std::ops::ControlFlow::Break(())
                } else {
                    std::ops::ControlFlow::Continue(())
                }
            };
            let options = tree_sitter::QueryCursorOptions::new().progress_callback(&mut progress);
            let mut matches =
                cursor.matches_with_options(query, tree.root_node(), text.as_bytes(), options);
            while let Some(m) = matches.next() {
                for c in m.captures().iter().filter(|c| c.index == *capture) {
                    let span = Span::of(&c.node);
                    let t = text
                        .get(span.start as usize..span.end as usize)
                        .unwrap_or("");
                    hits.push(PatternHit {
                        pattern: i,
                        span,
                        text: t.chars().take(200).collect(),
                    });
                }
                if hits.len() > 100_000 {
                    return hits;
                }
            }
            drop(matches);
            if let Some(at) = over_at.get() {
                hits.push(PatternHit {
                    pattern: i,
                    span: Span {
                        start: at as u32,
                        end: at as u32,
                        ..Span::default()
                    },
                    // the budget spent, in query steps, after the mark
                    text: format!("{QUERY_BUDGET_MARK}{}", max_steps * 100),
                });
            }
        }
    }
    hits.sort_by_key(|h| (h.span.start, h.pattern));
    hits.dedup_by_key(|h| (h.span.start, h.span.end, h.pattern));
    hits
}

fn content_text(c: Content) -> String {
    match c {
        Content::Text(t) => t,
        _ => String::new(),
    }
}

impl FileEntry {
    /// Analyses one file's content (without resolving its imports).
    pub fn analyse(config: &Config, lang: Lang, content: Content) -> FileEntry {
        let skipped = |reason: String| FileEntry::skipped(lang, reason);
        let text = match content {
            Content::Text(t) => t,
            Content::Bytes(b) if b.iter().take(8192).any(|&c| c == 0) => {
                return skipped("binary file".into())
            }
            Content::Bytes(_) => return skipped("not valid UTF-8".into()),
            Content::TooLarge(n) => {
                return skipped(format!(
                    "{:.1} MB is over the size limit of {} MB",
                    n as f64 / 1e6,
                    MAX_FILE_SIZE / 1024 / 1024
                ))
            }
            Content::Unreadable(e) => return skipped(format!("unreadable: {e}")),
        };
        if text.len() as u64 > MAX_FILE_SIZE {
            return skipped(format!(
                "{:.1} MB is over the size limit of {} MB",
                text.len() as f64 / 1e6,
                MAX_FILE_SIZE / 1024 / 1024
            ));
        }
        if text.as_bytes().iter().take(8192).any(|&c| c == 0) {
            return skipped("binary file".into());
        }
        let lines = LineIndex::new(&text);
        let hash = crate::cache::content_hash(&text);
        if config.scan && !needs_full_parse(config, lang, &text) {
            if let Some(facts) = languages::scan(lang, &text, &lines) {
                let facts = Arc::new(facts);
                return FileEntry::with_lines(lang, text, lines, hash, facts, Vec::new());
            }
        }
        let (facts, hits) = match parse(lang, &text, None) {
            Some(tree) => {
                let facts = languages::extract(lang, &tree, &text);
                let hits = pattern_hits(config, lang, &tree, &text);
                (facts, hits)
            }
            None => return skipped("parsing took too long".into()),
        };
        FileEntry::with_lines(lang, text, lines, hash, Arc::new(facts), hits)
    }

    /// A file that was not analysed, and why.
    pub fn skipped(lang: Lang, reason: String) -> FileEntry {
        FileEntry {
            lang,
            text: None,
            len: 0,
            hash: crate::cache::content_hash(""),
            lines: LineIndex::new(""),
            facts: Arc::new(FileFacts::empty(lang)),
            skipped: Some(reason),
            resolved: Vec::new(),
            pattern_hits: Vec::new(),
        }
    }

    /// An analysed file (its imports not resolved yet).
    pub fn new(
        lang: Lang,
        text: String,
        facts: Arc<FileFacts>,
        pattern_hits: Vec<PatternHit>,
    ) -> FileEntry {
        let lines = LineIndex::new(&text);
        let hash = crate::cache::content_hash(&text);
        FileEntry::with_lines(lang, text, lines, hash, facts, pattern_hits)
    }

    /// [`FileEntry::new`] with the text's line index and content hash
    /// already computed.
    fn with_lines(
        lang: Lang,
        text: String,
        lines: LineIndex,
        hash: u64,
        facts: Arc<FileFacts>,
        pattern_hits: Vec<PatternHit>,
    ) -> FileEntry {
        if facts
            .mods
            .iter()
            .any(|m| m.parents.len() >= crate::facts::MAX_MOD_NESTING)
        {
            return FileEntry::skipped(
                lang,
                format!(
                    "`mod` blocks nested more than {} deep",
                    crate::facts::MAX_MOD_NESTING
                ),
            );
        }
        FileEntry {
            lang,
            len: text.len(),
            hash,
            lines,
            text: Some(Arc::from(text)),
            facts,
            skipped: None,
            resolved: Vec::new(),
            pattern_hits,
        }
    }

    /// Drops the text if it is all ASCII (see [`FileEntry`]).
    pub fn compact(mut self) -> FileEntry {
        if self.text.as_deref().is_some_and(str::is_ascii) {
            self.text = None;
        }
        self
    }

    /// The text, when it is kept; `None` means an ASCII text, in which every
    /// column is a byte offset.
    pub fn kept_text(&self) -> Option<&str> {
        self.text.as_deref()
    }

    /// The text: kept, or read again through `fs` and checked against the
    /// hash (`None` when the file changed since it was analysed).
    pub fn text(&self, fs: &dyn FileSystem, abs: &Path) -> Option<Arc<str>> {
        if let Some(t) = &self.text {
            return Some(t.clone());
        }
        if self.skipped.is_some() {
            return Some(Arc::from(""));
        }
        let t = fs.read_to_string(abs)?;
        (t.len() == self.len && crate::cache::content_hash(&t) == self.hash).then(|| Arc::from(t))
    }
}

/// Reads and analyses one file of a load, reusing its facts from `cache` when
/// its content hash and the `[[pattern]]` queries (`patterns_key`, from
/// [`crate::cache::patterns_key`]) match; `None` for an unsupported file.
pub fn load_file(
    config: &Config,
    rel: &str,
    cache: Option<&FactCache>,
    patterns_key: u64,
) -> Option<FileEntry> {
    let lang = Lang::from_path(rel)?;
    let content = read_content(&config.root.join(rel));
    if let (Some(cache), Content::Text(text)) = (cache, &content) {
        let hash = crate::cache::content_hash(text);
        if let Some(hit) = cache.lookup(rel, hash, patterns_key) {
            // scanned facts lack global API uses: a rule may need them now
            let stale = hit.facts.scanned && (!config.scan || needs_full_parse(config, lang, text));
            if !stale {
                let (facts, hits) = (hit.facts.clone(), hit.pattern_hits.clone());
                let text = content_text(content);
                let lines = LineIndex::new(&text);
                let entry = FileEntry::with_lines(lang, text, lines, hash, facts, hits);
                return Some(entry.compact());
            }
        }
    }
    Some(FileEntry::analyse(config, lang, content).compact())
}

impl Workspace {
    /// Walks, reads and analyses every file of `config` in parallel.
    pub fn load(config: Arc<Config>, fs: Arc<dyn FileSystem>) -> Workspace {
        Workspace::load_cached(config, fs, None)
    }

    /// Like [`Workspace::load`], reusing the facts of files whose content hash
    /// is in `cache` (files are still read; only changed ones are parsed).
    pub fn load_cached(
        config: Arc<Config>,
        fs: Arc<dyn FileSystem>,
        cache: Option<&FactCache>,
    ) -> Workspace {
        let rels = walk(&config);
        let pkey = crate::cache::patterns_key(&config);
        let files: BTreeMap<String, FileEntry> = rels
            .into_par_iter()
            .filter_map(|rel| Some((rel.clone(), load_file(&config, &rel, cache, pkey)?)))
            .collect();
        Workspace::from_entries(config, fs, files)
    }

    /// The facts of every analysed file, for the on-disk cache.
    pub fn to_cache(&self) -> FactCache {
        let key = crate::cache::patterns_key(&self.config);
        let files = self
            .files
            .iter()
            .filter(|(_, e)| e.skipped.is_none())
            .map(|(rel, e)| {
                (
                    rel.clone(),
                    crate::cache::CachedFile {
                        hash: e.hash,
                        facts: e.facts.clone(),
                        patterns_key: key,
                        pattern_hits: e.pattern_hits.clone(),
                    },
                )
            })
            .collect();
        FactCache { files }
    }

    /// A workspace from already analysed files (tests, `--stdin-filename`).
    pub fn from_entries(
        config: Arc<Config>,
        fs: Arc<dyn FileSystem>,
        files: BTreeMap<String, FileEntry>,
    ) -> Workspace {
        let ts = TsResolver::new(&config.root, config.tsconfig.as_deref(), fs.as_ref());
        let rust = RustResolver::new(&config.root, fs.as_ref(), &[]);
        let py = PyResolver::new(&config.root, fs.as_ref(), config.python_roots.as_deref());
        let mut ws = Workspace {
            config,
            files,
            fs,
            ts,
            rust,
            py,
            pending: Invalidation::default(),
        };
        ws.rebuild_rust();
        ws.resolve_all();
        ws
    }

    pub fn root(&self) -> &Path {
        &self.config.root
    }

    pub fn fs(&self) -> &dyn FileSystem {
        self.fs.as_ref()
    }

    pub fn ts_resolver(&self) -> &TsResolver {
        &self.ts
    }

    pub fn rust_resolver(&self) -> &RustResolver {
        &self.rust
    }

    fn rust_mods(&self) -> Vec<(String, Vec<crate::facts::ModDecl>)> {
        self.files
            .iter()
            .filter(|(_, f)| f.lang == Lang::Rust)
            .map(|(rel, f)| (rel.clone(), f.facts.mods.clone()))
            .collect()
    }

    fn rebuild_rust(&mut self) {
        let mods = self.rust_mods();
        self.rust = RustResolver::new(&self.config.root, self.fs.as_ref(), &mods);
    }

    fn resolve_entry(&self, rel: &str, entry: &FileEntry) -> Vec<Resolved> {
        entry
            .facts
            .imports
            .iter()
            .map(|imp| match entry.lang.language() {
                Language::Rust => self.rust.resolve_at(rel, &imp.specifier, imp.span.start),
                Language::TypeScript => self.ts.resolve(self.fs.as_ref(), rel, &imp.specifier),
                Language::Python => self.py.resolve(self.fs.as_ref(), rel, imp),
            })
            .collect()
    }

    /// Re-resolves every import (after files appeared or disappeared, or a
    /// manifest changed).
    pub fn resolve_all(&mut self) {
        self.pending.all = true;
        // a fresh resolver re-reads the root manifests, so their problems
        // (malformed package.json, tsconfig extends cycles) stay reported
        self.ts = TsResolver::new(
            &self.config.root,
            self.config.tsconfig.as_deref(),
            self.fs.as_ref(),
        );
        self.py = PyResolver::new(
            &self.config.root,
            self.fs.as_ref(),
            self.config.python_roots.as_deref(),
        );
        let resolved: Vec<(String, Vec<Resolved>)> = self
            .files
            .par_iter()
            .map(|(rel, e)| (rel.clone(), self.resolve_entry(rel, e)))
            .collect();
        for (rel, r) in resolved {
            if let Some(e) = self.files.get_mut(&rel) {
                e.resolved = r;
            }
        }
    }

    /// Sets the content of one file (new or changed) and re-resolves what that
    /// can affect. `tree`: a tree already parsed from `text` (the server's
    /// incremental parse), to avoid parsing twice.
    pub fn set_file(&mut self, rel: &str, content: Content, tree: Option<&tree_sitter::Tree>) {
        let Some(lang) = Lang::from_path(rel) else {
            return;
        };
        let entry = match (content, tree) {
            (Content::Text(text), Some(tree)) if (text.len() as u64) <= MAX_FILE_SIZE => {
                let facts = languages::extract(lang, tree, &text);
                let hits = pattern_hits(&self.config, lang, tree, &text);
                FileEntry::new(lang, text, Arc::new(facts), hits)
            }
            (content, _) => FileEntry::analyse(&self.config, lang, content),
        };
        self.set_entry(rel, entry);
    }

    /// Puts an analysed file in place (new or changed) and re-resolves what
    /// that can affect; [`Workspace::set_file`] without the analysis (to put
    /// back an entry taken out earlier).
    pub fn set_entry(&mut self, rel: &str, mut entry: FileEntry) {
        let lang = entry.lang;
        let old_mods = self.files.get(rel).map(|old| &old.facts.mods);
        let is_new = old_mods.is_none();
        let mods_changed =
            lang == Lang::Rust && old_mods.is_none_or(|old| !same_mod_tree(old, &entry.facts.mods));
        let mods_moved = lang == Lang::Rust && old_mods.is_some_and(|old| *old != entry.facts.mods);
        if lang.language() == Language::TypeScript && is_new {
            self.files.insert(rel.to_string(), entry);
            self.file_moved(rel);
            self.python_dirs_moved();
        } else if is_new || mods_changed {
            // a new file can make other imports resolve; new `mod`s change the tree
            self.files.insert(rel.to_string(), entry);
            if lang == Lang::Rust {
                self.rebuild_rust();
            }
            self.resolve_all();
        } else if mods_moved {
            // the same tree, declared at other places (a line typed above a
            // `mod`): the resolver's places move (inline modules, missing
            // files), no other file resolves differently
            let old = self.files.insert(rel.to_string(), entry);
            self.rebuild_rust();
            let resolved = self.files.get(rel).map(|e| self.resolve_entry(rel, e));
            if let (Some(e), Some(resolved)) = (self.files.get_mut(rel), resolved) {
                e.resolved = resolved;
            }
            self.edited(rel, old);
        } else {
            entry.resolved = self.resolve_entry(rel, &entry);
            let old = self.files.insert(rel.to_string(), entry);
            self.edited(rel, old);
        }
    }

    /// Records an edit of a file that stays in the workspace: its importers'
    /// results are stale only if what they read of it changed.
    fn edited(&mut self, rel: &str, old: Option<FileEntry>) {
        let list = match (old, self.files.get(rel)) {
            (Some(old), Some(new)) if same_surface(&old, new) => {
                if same_exports(&old, new) {
                    &mut self.pending.own
                } else {
                    &mut self.pending.deep
                }
            }
            _ => &mut self.pending.files,
        };
        list.push(rel.to_string());
    }

    /// What the changes since the last call made stale.
    pub fn take_invalidation(&mut self) -> Invalidation {
        std::mem::take(&mut self.pending)
    }

    /// Forgets a deleted file.
    pub fn remove_file(&mut self, rel: &str) {
        if let Some(old) = self.files.remove(rel) {
            match old.lang.language() {
                Language::Rust => {
                    self.rebuild_rust();
                    self.resolve_all();
                }
                // the imports of a module that appeared or went may name it
                // (`from pkg import name`: a submodule or a name of `pkg`)
                Language::Python => self.resolve_all(),
                Language::TypeScript => {
                    self.file_moved(rel);
                    self.python_dirs_moved();
                }
            }
        }
    }

    /// A file of another language entered or left the workspace, and with
    /// it maybe a directory Python's resolution asks about (`src/`, a uv
    /// workspace member, a namespace package): the Python files' imports are
    /// resolved again (nothing to do without Python files).
    fn python_dirs_moved(&mut self) {
        if !self
            .files
            .values()
            .any(|e| e.lang.language() == Language::Python)
        {
            return;
        }
        self.py = PyResolver::new(
            &self.config.root,
            self.fs.as_ref(),
            self.config.python_roots.as_deref(),
        );
        let updates: Vec<(String, Vec<Resolved>)> = self
            .files
            .par_iter()
            .filter(|(_, e)| e.lang.language() == Language::Python)
            .map(|(r, e)| (r.clone(), self.resolve_entry(r, e)))
            .collect();
        for (r, resolved) in updates {
            if let Some(e) = self.files.get_mut(&r) {
                if e.resolved != resolved {
                    e.resolved = resolved;
                    self.pending.files.push(r);
                }
            }
        }
    }

    /// A TypeScript file entered or left the workspace: re-resolves the file
    /// and the imports that could resolve differently now (those resolved to
    /// it, unresolved ones, and those whose last segment names it), not
    /// every import; the resolvers read the disk, so a file created or
    /// deleted there is seen, and one only in memory is not.
    fn file_moved(&mut self, rel: &str) {
        self.ts.forget_results();
        let names = import_names(rel);
        let updates: Vec<(String, Vec<Resolved>)> = self
            .files
            .par_iter()
            .filter(|(r, e)| {
                e.lang.language() == Language::TypeScript
                    && (r.as_str() == rel
                        || e.facts
                            .imports
                            .iter()
                            .zip(&e.resolved)
                            .any(|(imp, res)| may_name(&imp.specifier, res, rel, &names)))
            })
            .map(|(r, e)| (r.clone(), self.resolve_entry(r, e)))
            .collect();
        for (r, resolved) in updates {
            if let Some(e) = self.files.get_mut(&r) {
                if e.resolved != resolved || r == rel {
                    e.resolved = resolved;
                    self.pending.files.push(r);
                }
            }
        }
        self.pending.files.push(rel.to_string());
        self.pending.moved.push(rel.to_string());
    }

    /// A manifest (`tsconfig*.json`, `package.json`, `Cargo.toml`) changed.
    pub fn manifests_changed(&mut self) {
        // resolve_all starts a fresh TS resolver, which re-reads the manifests
        self.rebuild_rust();
        self.resolve_all();
    }

    /// Replaces the config. Sources are re-parsed only when the `[[pattern]]`
    /// queries changed (their matches are kept per file); include/exclude
    /// changes are applied by the caller with a new walk.
    pub fn set_config(&mut self, config: Arc<Config>) {
        let patterns_changed = pattern_key(&self.config) != pattern_key(&config);
        let globals_changed = global_roots(&self.config).collect::<Vec<_>>()
            != global_roots(&config).collect::<Vec<_>>();
        let tsconfig_changed = self.config.tsconfig != config.tsconfig
            || self.config.python_roots != config.python_roots;
        self.config = config;
        self.pending.all = true;
        if patterns_changed || globals_changed {
            let config = self.config.clone();
            let fs = self.fs.clone();
            let imports_changed = self
                .files
                .par_iter_mut()
                .map(|(rel, e)| {
                    if e.skipped.is_some() || !(patterns_changed || e.facts.scanned) {
                        return false;
                    }
                    // a file changed on disk since is re-analysed when its change arrives
                    let Some(text) = e.text(fs.as_ref(), &config.root.join(rel)) else {
                        return false;
                    };
                    if !patterns_changed && !needs_full_parse(&config, e.lang, &text) {
                        return false;
                    }
                    let Some(tree) = parse(e.lang, &text, None) else {
                        return false;
                    };
                    e.pattern_hits = pattern_hits(&config, e.lang, &tree, &text);
                    if !e.facts.scanned {
                        return false;
                    }
                    // the same imports, now with global API uses (the imports of
                    // a file tree-sitter cannot parse cleanly may differ)
                    let full = languages::extract(e.lang, &tree, &text);
                    let changed = full.imports != e.facts.imports;
                    e.facts = Arc::new(full);
                    changed
                })
                .reduce(|| false, |a, b| a || b);
            if imports_changed {
                self.resolve_all();
            }
        }
        if tsconfig_changed {
            self.manifests_changed();
        }
    }

    /// Problems met reading manifests, as (workspace-relative file, message).
    pub fn manifest_problems(&self) -> Vec<(String, String)> {
        let mut p = self.ts.problems();
        p.extend(self.rust.problems());
        p
    }
}

// ---------------------------------------------------------------------------
// Which files the import scanner may read (`languages::scan`).

/// True when a file of `lang` needs a full parse under `config` whatever its
/// text: a `[[pattern]]` query applies to it, or it has no scanner (Rust).
fn needs_tree(config: &Config, lang: Lang) -> bool {
    lang == Lang::Rust
        || config
            .patterns
            .iter()
            .any(|p| p.queries.iter().any(|(l, _, _)| *l == lang))
}

/// Whether two versions of a file's `mod` declarations give the same module
/// tree, wherever they are in the file.
fn same_mod_tree(a: &[crate::facts::ModDecl], b: &[crate::facts::ModDecl]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.name == y.name
                && x.path_attr == y.path_attr
                && x.cfg_paths == y.cfg_paths
                && x.include == y.include
                && x.inline == y.inline
                && x.parents == y.parents
        })
}

/// True when scanned facts (no global API uses) are not enough for `text`
/// under `config`: `needs_tree`, or a rule names a global (`process.env`,
/// `fetch`) whose first segment occurs anywhere in the text. Every global
/// use the full extractor records is rooted at an identifier of the text (or
/// at `process`, from a `'process'` import), so a text without the name has
/// no such use.
pub fn needs_full_parse(config: &Config, lang: Lang, text: &str) -> bool {
    needs_tree(config, lang)
        || match lang {
            Lang::Python => python_roots(config).any(|root| text.contains(root)),
            _ => global_roots(config).any(|root| text.contains(root)),
        }
}

/// First segments of every global API selector in `config`.
fn global_roots(config: &Config) -> impl Iterator<Item = &str> {
    selector_roots(config, |k| match k {
        ApiKind::Global(segs) => segs.first().map(String::as_str),
        _ => None,
    })
}

/// First segments of every `py:` selector in `config`: a Python API use
/// the full extractor records (`os.system(..)`, `sh(..)` bound by `from
/// subprocess import run as sh`, `eval(..)`) names its first segment in
/// the text, at the use or in the import that binds it.
fn python_roots(config: &Config) -> impl Iterator<Item = &str> {
    selector_roots(config, |k| match k {
        ApiKind::Python(segs) => segs.first().map(String::as_str),
        _ => None,
    })
}

/// `pick` of every API selector of `config` (`[[deny]] to`, `[[allow]]
/// to`, `[[boundary]] apis`).
fn selector_roots<'c>(
    config: &'c Config,
    pick: fn(&'c ApiKind) -> Option<&'c str>,
) -> impl Iterator<Item = &'c str> {
    let denied = config.deny.iter().flat_map(|d| d.to.iter());
    let allowed = config.allows.iter().flat_map(|a| a.to.iter());
    let targets = denied.chain(allowed).filter_map(|t| match t {
        Target::Api(sel) => Some(sel),
        Target::Files(_) => None,
    });
    let boundaries = config.boundaries.iter().flat_map(|b| b.apis.iter());
    targets
        .chain(boundaries)
        .filter_map(move |sel| pick(&sel.kind))
}

fn pattern_key(c: &Config) -> Vec<(String, Vec<String>)> {
    c.patterns
        .iter()
        .map(|p| {
            (
                p.id.clone(),
                p.queries
                    .iter()
                    .map(|(l, q, i)| format!("{l:?}{}{i}", q.pattern_count()))
                    .collect(),
            )
        })
        .collect()
}

/// Finds the configs `check` covers from `start`: every `layergate.toml` at or
/// below it, or else the nearest one above it.
pub fn discover_configs(start: &Path) -> Vec<PathBuf> {
    let start = start.canonicalize().unwrap_or_else(|_| start.to_path_buf());
    let dir = if start.is_file() {
        start.parent().map(Path::to_path_buf).unwrap_or_default()
    } else {
        start.clone()
    };
    let mut found = Vec::new();
    // ignore files through [`IgnoreFiles`], as [`walk`]: the walker's own
    // reader would follow a `.gitignore` link to `/dev/zero`
    let ignores = IgnoreFiles::new(&dir);
    let walker = ignore::WalkBuilder::new(&dir)
        .standard_filters(false)
        .follow_links(false)
        .filter_entry(move |e| {
            let n = e.file_name();
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            n != "node_modules"
                && n != "target"
                && n != ".git"
                && (e.depth() == 0 || !ignores.ignored(e.path(), is_dir, false))
        })
        .build();
    for e in walker.flatten() {
        if e.file_name() == CONFIG_FILE && e.file_type().is_some_and(|t| t.is_file()) {
            found.push(e.into_path());
        }
    }
    if found.is_empty() {
        if let Some(c) = nearest_config(&dir) {
            found.push(c);
        }
    }
    found.sort();
    found
}

/// The nearest `layergate.toml` in `dir` or a parent.
pub fn nearest_config(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .map(|d| d.join(CONFIG_FILE))
        .find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn relative_refuses_paths_that_climb_out() {
        let root = Path::new("/w/ws");
        assert_eq!(
            relative(root, Path::new("/w/ws/src/a.ts")).as_deref(),
            Some("src/a.ts")
        );
        assert_eq!(relative(root, Path::new("/w/ws/../../etc/x.ts")), None);
        assert_eq!(relative(root, Path::new("/w/ws/src/../../x.ts")), None);
        assert_eq!(relative(root, Path::new("/w/other/x.ts")), None);
        assert_eq!(relative(root, Path::new("/w/ws")), None);
    }

    #[test]
    fn load_uses_cached_facts_when_the_content_matches() {
        use crate::cache::FactCache;
        use crate::facts::FileFacts;
        use crate::resolve::RealFs;
        const KEY: crate::cache::CacheKey = [7; 32];
        const SAMPLE: &str = "import x from './y';\nconst t = process.env.T;\nuse(t);\n";
        let t = tempfile::tempdir().unwrap();
        std::fs::write(t.path().join("layergate.toml"), "").unwrap();
        std::fs::write(t.path().join("a.ts"), SAMPLE).unwrap();
        let config = Arc::new(Config::load(&t.path().join("layergate.toml")).unwrap());
        let cold = Workspace::load(config.clone(), Arc::new(RealFs));
        assert_eq!(cold.files["a.ts"].facts.imports.len(), 1);
        // a cache entry with the same content hash but different facts: if the
        // load parsed instead of using the cache, it would find the import
        let mut fake = cold.to_cache();
        let entry = fake.files.get_mut("a.ts").unwrap();
        entry.facts = Arc::new(FileFacts::empty(Lang::TypeScript));
        let decoded = FactCache::decode(&fake.encode(&KEY), &KEY).unwrap();
        let warm = Workspace::load_cached(config.clone(), Arc::new(RealFs), Some(&decoded));
        assert!(
            warm.files["a.ts"].facts.imports.is_empty(),
            "the cached facts were not used"
        );
        // changed content: the stale entry is not trusted
        std::fs::write(t.path().join("a.ts"), "import y from './z';\n").unwrap();
        let changed = Workspace::load_cached(config, Arc::new(RealFs), Some(&decoded));
        assert_eq!(changed.files["a.ts"].facts.imports[0].specifier, "./z");
    }
}
