//! The check memo: the outcome of a whole check, reused by the next check
//! when nothing it depended on has changed. A check of an unchanged
//! workspace then walks it and looks at its files' metadata, but reads,
//! resolves and evaluates nothing.
//!
//! A check's outcome is a function of:
//! - the layergate version (the memo's header);
//! - the config, today's date, the baseline and the options: a key the
//!   caller computes ([`Key`]);
//! - the list of files the walk finds (walked again every time, so
//!   `.gitignore` changes and new or deleted files are seen);
//! - the content of each of those files: a [`Stamp`] per file, its metadata
//!   (size, modification and change times, inode) and the hash of the
//!   content that was analysed;
//! - everything the resolvers asked the disk: manifests read, paths probed
//!   (`node_modules`, files outside the walk, directories), recorded by
//!   [`RecordingFs`] while the check ran.
//!
//! Each is checked again before the memo is trusted; any difference and the
//! caller runs the check. As git does with its index, a file's metadata is
//! only trusted when the file last changed well before the check that wrote
//! the memo started reading ([`RACY`]): a file changed while it was being
//! checked, or within the file system's timestamp granularity of it, is read
//! and hashed again instead. Where the memo lives and when it is written is
//! the caller's policy.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::analysis::Outcome;
use crate::resolve::FileSystem;
use crate::workspace::Workspace;

/// Bumped whenever the memo's format changes meaning.
pub const MEMO_FORMAT: u32 = 2;

const MAGIC: &[u8; 8] = b"LGMEMO\0\0";

/// How long before the check started a file must have last changed for its
/// metadata alone to vouch for its content later: the coarsest timestamp
/// granularity of common file systems (FAT: 2 s), with the kernel's coarse
/// clock well inside it.
pub const RACY: Duration = Duration::from_secs(3);

/// Everything a check depends on besides the files and the disk: built by
/// the caller from the config's text, today's date, the baseline's content
/// and the options that change the outcome.
#[derive(Default)]
pub struct Key(xxhash_rust::xxh3::Xxh3);

impl Key {
    pub fn new() -> Key {
        Key::default()
    }

    /// Adds one part (length-prefixed, so parts cannot run into each other).
    pub fn part(mut self, bytes: &[u8]) -> Key {
        self.0.update(&(bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
        self
    }

    pub fn finish(&self) -> u64 {
        self.0.digest()
    }
}

/// A file's metadata when its content was analysed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    len: u64,
    mtime_ns: i128,
    ctime_ns: i128,
    ino: u64,
    dev: u64,
}

impl Meta {
    /// The metadata of `path` (following symlinks, as reading does).
    pub fn of(path: &Path) -> Option<Meta> {
        let m = std::fs::metadata(path).ok()?;
        Some(Meta::from_std(&m))
    }

    #[cfg(unix)]
    fn from_std(m: &std::fs::Metadata) -> Meta {
        use std::os::unix::fs::MetadataExt;
        Meta {
            len: m.len(),
            mtime_ns: i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec()),
            ctime_ns: i128::from(m.ctime()) * 1_000_000_000 + i128::from(m.ctime_nsec()),
            ino: m.ino(),
            dev: m.dev(),
        }
    }

    #[cfg(not(unix))]
    fn from_std(m: &std::fs::Metadata) -> Meta {
        let ns = |t: std::io::Result<SystemTime>| {
            t.ok()
                .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos() as i128)
        };
        Meta {
            len: m.len(),
            mtime_ns: ns(m.modified()),
            ctime_ns: ns(m.created()),
            ino: 0,
            dev: 0,
        }
    }

    /// The metadata of `path` when it last changed before `before`: a file
    /// that changed later may change again within the clock's granularity
    /// without its metadata showing it, so its content must vouch instead.
    pub fn settled(path: &Path, before: SystemTime) -> Option<Meta> {
        let meta = Meta::of(path)?;
        let before = before
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as i128);
        (meta.changed_ns() < before).then_some(meta)
    }

    /// The later of the two times: when the file's content (or its
    /// metadata) last changed.
    fn changed_ns(&self) -> i128 {
        self.mtime_ns.max(self.ctime_ns)
    }
}

/// What the memo knows of one walked file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    /// Trusted alone when present (the file had settled before the check).
    meta: Option<Meta>,
    /// xxh3 of the content analysed; `None` for a file that was not analysed
    /// as text (binary, too large, unreadable): only its metadata vouches.
    hash: Option<u64>,
}

/// One question a resolver asked the disk, and its answer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Probe {
    IsFile(PathBuf, bool),
    IsDir(PathBuf, bool),
    /// The hash of the text read, `None` when missing or not UTF-8.
    Read(PathBuf, Option<u64>),
    /// The hash of the sorted names.
    ReadDir(PathBuf, u64),
}

/// A [`FileSystem`] that records every question and answer, for the memo.
pub struct RecordingFs {
    inner: Arc<dyn FileSystem>,
    probes: Mutex<HashSet<Probe>>,
}

impl RecordingFs {
    pub fn new(inner: Arc<dyn FileSystem>) -> RecordingFs {
        RecordingFs {
            inner,
            probes: Mutex::new(HashSet::new()),
        }
    }

    fn record(&self, p: Probe) {
        self.probes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(p);
    }

    /// Forgets everything asked so far (the answers changed; what is asked
    /// next is recorded anew).
    pub fn clear(&self) {
        self.probes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Everything asked so far.
    pub fn probes(&self) -> Vec<Probe> {
        let set = self.probes.lock().unwrap_or_else(|e| e.into_inner());
        set.iter().cloned().collect()
    }
}

fn hash_names(names: &[String]) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for n in names {
        h.update(n.as_bytes());
        h.update(b"\0");
    }
    h.digest()
}

impl FileSystem for RecordingFs {
    fn is_file(&self, path: &Path) -> bool {
        let r = self.inner.is_file(path);
        self.record(Probe::IsFile(path.to_path_buf(), r));
        r
    }
    fn is_dir(&self, path: &Path) -> bool {
        let r = self.inner.is_dir(path);
        self.record(Probe::IsDir(path.to_path_buf(), r));
        r
    }
    fn read_to_string(&self, path: &Path) -> Option<String> {
        let r = self.inner.read_to_string(path);
        let h = r.as_deref().map(crate::cache::content_hash);
        self.record(Probe::Read(path.to_path_buf(), h));
        r
    }
    fn read_dir(&self, path: &Path) -> Vec<String> {
        let r = self.inner.read_dir(path);
        self.record(Probe::ReadDir(path.to_path_buf(), hash_names(&r)));
        r
    }
    fn is_symlink(&self, path: &Path) -> bool {
        self.inner.is_symlink(path)
    }
}

#[derive(Debug, Serialize)]
struct Header {
    format: u32,
    layergate: String,
}

fn header() -> Header {
    Header {
        format: MEMO_FORMAT,
        layergate: env!("CARGO_PKG_VERSION").to_string(),
    }
}

/// A check's outcome and everything it depended on.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Memo {
    key: u64,
    /// Every walked file, in walk order.
    files: Vec<(String, Stamp)>,
    probes: Vec<Probe>,
    outcome: Outcome,
}

impl Memo {
    /// The memo of a check of `ws` that produced `outcome`. `key` is the
    /// caller's [`Key`]; `probes` what `ws`'s [`RecordingFs`] saw; `started`
    /// when the check began reading files (before the walk).
    pub fn new(
        key: u64,
        ws: &Workspace,
        probes: Vec<Probe>,
        outcome: &Outcome,
        started: SystemTime,
    ) -> Memo {
        let settled = started
            .checked_sub(RACY)
            .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as i128);
        let root = ws.root();
        let files = ws
            .files
            .par_iter()
            .map(|(rel, e)| {
                let meta = Meta::of(&root.join(rel)).filter(|m| m.changed_ns() < settled);
                let hash = e.skipped.is_none().then_some(e.hash);
                (rel.clone(), Stamp { meta, hash })
            })
            .collect();
        Memo {
            key,
            files,
            probes,
            outcome: outcome.clone(),
        }
    }

    /// The memoised outcome, if `key` is the same and every walked file
    /// (`walked`, from [`crate::workspace::walk`]) and every recorded probe
    /// still answers the same; `fs` answers probes outside the walk.
    pub fn outcome_if_valid(
        &self,
        key: u64,
        root: &Path,
        walked: &[String],
        fs: &dyn FileSystem,
    ) -> Option<Outcome> {
        if key != self.key
            || walked.len() != self.files.len()
            || walked.iter().zip(&self.files).any(|(w, (f, _))| w != f)
        {
            return None;
        }
        let unchanged = self
            .files
            .par_iter()
            .all(|(rel, stamp)| stamp_holds(&root.join(rel), stamp));
        if !unchanged {
            return None;
        }
        let by_path: BTreeMap<PathBuf, &Stamp> = self
            .files
            .iter()
            .map(|(rel, s)| (root.join(rel), s))
            .collect();
        let probes_hold = self.probes.par_iter().all(|p| probe_holds(p, &by_path, fs));
        probes_hold.then(|| self.outcome.clone())
    }

    pub fn encode(&self, key: &crate::cache::CacheKey) -> Vec<u8> {
        crate::cache::frame(MAGIC, &header(), self, key)
    }

    /// `None` for anything but a complete memo of this exact version
    /// written under `key` (see [`crate::cache`]).
    pub fn decode(bytes: &[u8], key: &crate::cache::CacheKey) -> Option<Memo> {
        crate::cache::unframe(MAGIC, &header(), bytes, key)
    }
}

/// Whether the file at `path` still has the content `stamp` describes:
/// settled metadata that is unchanged vouches for it; otherwise the content
/// is hashed again.
fn stamp_holds(path: &Path, stamp: &Stamp) -> bool {
    if stamp.meta.is_some() && stamp.meta == Meta::of(path) {
        return true;
    }
    let Some(hash) = stamp.hash else {
        return false;
    };
    std::fs::read(path).is_ok_and(|b| xxhash_rust::xxh3::xxh3_64(&b) == hash)
}

fn probe_holds(p: &Probe, walked: &BTreeMap<PathBuf, &Stamp>, fs: &dyn FileSystem) -> bool {
    match p {
        // a walked file's existence and content were just checked
        Probe::IsFile(path, r) if walked.contains_key(path) => *r,
        Probe::IsDir(path, r) if walked.contains_key(path) => !*r,
        Probe::Read(path, h) if walked.contains_key(path) => {
            walked[path].hash.is_some() && *h == walked[path].hash
        }
        _ => p.holds(fs),
    }
}

impl Probe {
    /// The path asked about.
    pub fn path(&self) -> &Path {
        match self {
            Probe::IsFile(p, _) | Probe::IsDir(p, _) | Probe::Read(p, _) | Probe::ReadDir(p, _) => {
                p
            }
        }
    }

    /// Whether `fs` still gives the answer recorded.
    pub fn holds(&self, fs: &dyn FileSystem) -> bool {
        match self {
            Probe::IsFile(path, r) => fs.is_file(path) == *r,
            Probe::IsDir(path, r) => fs.is_dir(path) == *r,
            Probe::Read(path, h) => {
                fs.read_to_string(path)
                    .as_deref()
                    .map(crate::cache::content_hash)
                    == *h
            }
            Probe::ReadDir(path, h) => hash_names(&fs.read_dir(path)) == *h,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{self, Options};
    use crate::config::Config;
    use crate::resolve::RealFs;

    const CONFIG: &str = r#"
[[modules]]
name = "app"
paths = ["src/app/**"]

[[modules]]
name = "domain"
paths = ["src/domain/**"]

[layers]
order = ["app", "domain"]
"#;

    fn write(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn workspace() -> tempfile::TempDir {
        let t = tempfile::tempdir().unwrap();
        write(t.path(), "layergate.toml", CONFIG);
        write(
            t.path(),
            "tsconfig.json",
            r#"{ "compilerOptions": { "paths": { "@d/*": ["src/domain/*"] } } }"#,
        );
        write(
            t.path(),
            "src/domain/user.ts",
            "import { x } from '@d/../app/main';\nexport const u = 1;\n",
        );
        write(t.path(), "src/app/main.ts", "export const x = 1;\n");
        t
    }

    /// Checks the workspace at `root` and memoises the outcome as if the
    /// check had started at `started`.
    fn check(root: &Path, started: SystemTime) -> (Memo, Outcome) {
        let config = Arc::new(Config::load(&root.join("layergate.toml")).unwrap());
        let recorder = Arc::new(RecordingFs::new(Arc::new(RealFs)));
        let ws = Workspace::load(config, recorder.clone());
        let outcome = analysis::check_cold(
            &ws,
            &Options {
                today: "2026-06-01".into(),
                baseline: None,
            },
        );
        let memo = Memo::new(7, &ws, recorder.probes(), &outcome, started);
        (memo, outcome)
    }

    /// The memo's outcome for the workspace as it is now, if still valid.
    fn reuse(memo: &Memo, root: &Path, key: u64) -> Option<Outcome> {
        let config = Config::load(&root.join("layergate.toml")).unwrap();
        let walked = crate::workspace::walk(&config);
        memo.outcome_if_valid(key, &config.root, &walked, &RealFs)
    }

    fn rules(o: &Outcome) -> Vec<(String, String, u32)> {
        o.diagnostics
            .iter()
            .map(|d| (d.rule.to_string(), d.file.clone(), d.range.line))
            .collect()
    }

    /// A check that started long after the files were written: their
    /// metadata is trusted on its own.
    fn settled() -> SystemTime {
        SystemTime::now() + Duration::from_secs(60)
    }

    #[test]
    fn an_unchanged_workspace_gets_the_same_outcome_back() {
        let t = workspace();
        let (memo, outcome) = check(t.path(), settled());
        assert_eq!(
            rules(&outcome),
            [("layers".into(), "src/domain/user.ts".into(), 1)]
        );
        let decoded =
            Memo::decode(&memo.encode(&[3; 32]), &[3; 32]).expect("a memo of this version decodes");
        let again = reuse(&decoded, t.path(), 7).expect("nothing changed");
        assert_eq!(again.diagnostics, outcome.diagnostics);
        assert_eq!(again.files, outcome.files);
        assert!(reuse(&decoded, t.path(), 8).is_none(), "another key");
        // metadata not settled: contents are hashed again, and still match
        let (fresh, _) = check(t.path(), SystemTime::now());
        assert!(fresh.files.iter().all(|(_, s)| s.meta.is_none()));
        assert!(reuse(&fresh, t.path(), 7).is_some());
    }

    #[test]
    fn a_same_size_edit_that_keeps_the_modification_time_is_seen() {
        let t = workspace();
        let (memo, _) = check(t.path(), settled());
        let path = t.path().join("src/app/main.ts");
        let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
        // on a file system with 1 s timestamps the edit must land in another
        // second for its change time to differ
        std::thread::sleep(Duration::from_millis(1100));
        std::fs::write(&path, "export const y = 1;\n").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(mtime)
            .unwrap();
        assert!(reuse(&memo, t.path(), 7).is_none());
        // the same content written back: metadata differs, content does not
        std::fs::write(&path, "export const x = 1;\n").unwrap();
        assert!(reuse(&memo, t.path(), 7).is_some());
    }

    #[test]
    fn new_deleted_and_renamed_files_are_seen() {
        let t = workspace();
        let (memo, _) = check(t.path(), settled());
        write(t.path(), "src/app/extra.ts", "export const e = 1;\n");
        assert!(reuse(&memo, t.path(), 7).is_none());
        std::fs::remove_file(t.path().join("src/app/extra.ts")).unwrap();
        assert!(reuse(&memo, t.path(), 7).is_some());
        std::fs::rename(
            t.path().join("src/app/main.ts"),
            t.path().join("src/app/main2.ts"),
        )
        .unwrap();
        assert!(reuse(&memo, t.path(), 7).is_none());
    }

    #[test]
    fn what_the_resolver_read_or_probed_is_checked_again() {
        let t = workspace();
        let (memo, _) = check(t.path(), settled());
        assert!(memo
            .probes
            .iter()
            .any(|p| matches!(p, Probe::Read(p, Some(_)) if p.ends_with("tsconfig.json"))));
        // a manifest outside the walk changes
        write(
            t.path(),
            "tsconfig.json",
            r#"{ "compilerOptions": { "paths": { "@e/*": ["src/domain/*"] } } }"#,
        );
        assert!(reuse(&memo, t.path(), 7).is_none());

        // a file outside the walk (excluded: generated code) appears where
        // an import found nothing
        let t = workspace();
        let config = format!("[workspace]\nexclude = [\"src/gen/**\"]\n{CONFIG}");
        write(t.path(), "layergate.toml", &config);
        write(
            t.path(),
            "src/app/main.ts",
            "import { a } from '../gen/api';\nexport const x = a;\n",
        );
        let (memo, outcome) = check(t.path(), settled());
        assert!(rules(&outcome).iter().any(|r| r.0 == "unresolved"));
        assert!(reuse(&memo, t.path(), 7).is_some());
        write(t.path(), "src/gen/api.ts", "export const a = 1;\n");
        let (_, now) = check(t.path(), settled());
        assert!(!rules(&now).iter().any(|r| r.0 == "unresolved"));
        assert!(reuse(&memo, t.path(), 7).is_none());
    }

    #[test]
    fn corrupt_or_foreign_memos_are_ignored() {
        let t = workspace();
        let (memo, _) = check(t.path(), settled());
        let bytes = memo.encode(&[3; 32]);
        for cut in [0, 5, 8, 20, bytes.len() / 2, bytes.len() - 1] {
            assert!(
                Memo::decode(&bytes[..cut], &[3; 32]).is_none(),
                "truncated at {cut}"
            );
        }
        let mut flipped = bytes.clone();
        let last = flipped.len() - 3;
        flipped[last] ^= 0x55;
        assert!(Memo::decode(&flipped, &[3; 32]).is_none());
        assert!(Memo::decode(b"not a memo", &[3; 32]).is_none());
    }
}
