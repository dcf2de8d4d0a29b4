//! The machine's cache key: 32 random bytes in the user's cache directory
//! (`$XDG_CACHE_HOME/layergate/cache-key`, else `~/.cache/layergate/...`;
//! `~/Library/Caches/layergate/` on macOS, `%LOCALAPPDATA%\layergate\` on
//! Windows), created on first use, readable by the user alone. The facts
//! cache and the check memo in a workspace's `.layergate/cache/` are
//! authenticated under it (`rules::cache`), so a cache file that did not
//! come from this machine (committed to the repository, forged by a pull
//! request) is ignored. Without a usable cache directory the key lives in
//! memory for this process only: caches are written and read within one run,
//! never trusted across runs.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use rules::cache::CacheKey;

const FILE: &str = "cache-key";

/// The directory that holds the key, from the environment.
pub fn key_dir() -> Option<PathBuf> {
    let abs = |v: std::ffi::OsString| Some(PathBuf::from(v)).filter(|p| p.is_absolute());
    if cfg!(windows) {
        return std::env::var_os("LOCALAPPDATA")
            .and_then(abs)
            .map(|p| p.join("layergate"));
    }
    let home = std::env::var_os("HOME").and_then(abs);
    if cfg!(target_os = "macos") {
        return home.map(|h| h.join("Library").join("Caches").join("layergate"));
    }
    std::env::var_os("XDG_CACHE_HOME")
        .and_then(abs)
        .or_else(|| home.map(|h| h.join(".cache")))
        .map(|p| p.join("layergate"))
}

/// The key of this machine (read or created once per process).
pub fn machine_key() -> &'static CacheKey {
    static KEY: OnceLock<CacheKey> = OnceLock::new();
    KEY.get_or_init(|| {
        key_dir()
            .and_then(|d| load_or_create(&d))
            .unwrap_or_else(random_key)
    })
}

fn random_key() -> CacheKey {
    let mut k = [0u8; 32];
    // without an OS random source there is no secret to keep: a key of
    // zeros from the time would be guessable, so the process's own address
    // space layout and time are mixed in only as a last resort
    if getrandom::fill(&mut k).is_err() {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let seed = format!("{t}:{:p}:{}", &k, std::process::id());
        k = *blake3::hash(seed.as_bytes()).as_bytes();
    }
    k
}

/// Reads the key in `dir`, or creates it there: written to a private
/// temporary file, then hard-linked into place, so two processes starting at
/// once agree on one key (the second reads the first's).
pub fn load_or_create(dir: &Path) -> Option<CacheKey> {
    let path = dir.join(FILE);
    if let Some(k) = read_key(&path) {
        return Some(k);
    }
    create_private_dir(dir).ok()?;
    let key = random_key();
    let tmp = dir.join(format!(".{FILE}.{}", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    let written = (|| {
        let mut f = private_file(&tmp)?;
        f.write_all(&key)?;
        f.sync_all()
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
        return None;
    }
    let linked = std::fs::hard_link(&tmp, &path);
    let placed = match &linked {
        Ok(()) => true,
        // a file system without hard links: a rename, unless a key appeared
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
            std::fs::symlink_metadata(&path).is_err() && std::fs::rename(&tmp, &path).is_ok()
        }
        Err(_) => false,
    };
    let _ = std::fs::remove_file(&tmp);
    if placed {
        // a racing rename may have won: the key on disk is the key
        return read_key(&path).or(Some(key));
    }
    // another process created it first, or a broken key is in the way
    read_key(&path).or_else(|| {
        let _ = std::fs::remove_file(&path);
        None
    })
}

/// The key at `path` if it is a regular file of exactly 32 bytes.
fn read_key(path: &Path) -> Option<CacheKey> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_file() || meta.len() != 32 {
        return None;
    }
    std::fs::read(path).ok()?.try_into().ok()
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(unix)]
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_created_once_and_read_back() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("cache").join("layergate");
        let first = load_or_create(&dir).expect("created");
        assert_eq!(load_or_create(&dir), Some(first));
        assert_ne!(first, [0; 32]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join(FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "only the user may read the key");
        }
        // another directory, another machine: another key
        let other = load_or_create(&t.path().join("other")).unwrap();
        assert_ne!(first, other);
    }

    #[test]
    fn a_broken_key_file_is_not_used() {
        let t = tempfile::tempdir().unwrap();
        std::fs::write(t.path().join(FILE), b"short").unwrap();
        assert_eq!(read_key(&t.path().join(FILE)), None);
        // a key is made in its place on a later run
        let _ = load_or_create(t.path());
        assert!(load_or_create(t.path()).is_some());
    }
}
