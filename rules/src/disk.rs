//! Reading what a repository controls: regular files only, a size cap on
//! each, and, through a [`Boundary`], nothing outside the workspace once
//! symlinks are followed.
//!
//! Everything in a checkout is attacker-controlled input when layergate runs
//! on a pull request: a `tsconfig.json` may be a symlink to `/etc/passwd`, a
//! `.gitignore` a symlink to `/dev/zero`, a source file a FIFO. These reads
//! never block (`O_NONBLOCK`, then `fstat`: only a regular file is read),
//! never read more than their cap, and never leave the boundary.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// The most a source file may weigh to be analysed (larger ones are
/// `skipped`, unread).
pub const MAX_SOURCE_SIZE: u64 = 2 * 1024 * 1024;

/// The most a manifest (`package.json`, `Cargo.toml`, `tsconfig.json`,
/// `pnpm-workspace.yaml`), an ignore file or `layergate.toml` may weigh.
pub const MAX_MANIFEST_SIZE: u64 = 4 * 1024 * 1024;

/// The most a baseline file may weigh.
pub const MAX_BASELINE_SIZE: u64 = 64 * 1024 * 1024;

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("not a regular file")]
    NotRegular,
    #[error("{size} bytes, over the limit of {cap} bytes")]
    TooLarge { size: u64, cap: u64 },
    #[error("it lies outside the workspace")]
    Outside,
    #[error("not valid UTF-8")]
    NotUtf8,
}

impl ReadError {
    /// Whether the file is simply not there (a probe, not a problem).
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::Io(e) if e.kind() == std::io::ErrorKind::NotFound)
    }
}

/// Opens `path` for reading if it is a regular file (following symlinks),
/// without blocking on a FIFO or a device; with the file its size.
pub fn open_regular(path: &Path) -> Result<(std::fs::File, u64), ReadError> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // a FIFO opened for reading would wait for a writer; a terminal would
        // become the controlling one
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular);
    }
    Ok((file, meta.len()))
}

/// The bytes of the regular file `path`, at most `cap` of them.
pub fn read_regular(path: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    let (file, size) = open_regular(path)?;
    if size > cap {
        return Err(ReadError::TooLarge { size, cap });
    }
    let mut bytes = Vec::with_capacity(size as usize);
    // the file may grow between fstat and read
    file.take(cap + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(ReadError::TooLarge {
            size: bytes.len() as u64,
            cap,
        });
    }
    Ok(bytes)
}

/// Like [`read_regular`], as UTF-8 text (a leading BOM kept).
pub fn read_regular_string(path: &Path, cap: u64) -> Result<String, ReadError> {
    String::from_utf8(read_regular(path, cap)?).map_err(|_| ReadError::NotUtf8)
}

/// The folder nothing is read outside of: the repository around a
/// workspace (the nearest ancestor holding `.git`), else the workspace itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Boundary {
    /// Canonical (symlinks resolved).
    root: PathBuf,
}

impl Boundary {
    /// The boundary of the workspace rooted at `dir`.
    pub fn around(dir: &Path) -> Boundary {
        let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        let root = dir
            .ancestors()
            .find(|a| std::fs::symlink_metadata(a.join(".git")).is_ok())
            .unwrap_or(&dir)
            .to_path_buf();
        Boundary { root }
    }

    /// The boundary's folder (canonical).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether `path` (absolute), with `.` and `..` removed, lies inside,
    /// without following symlinks: a cheap probe filter.
    pub fn contains_lexically(&self, path: &Path) -> bool {
        let mut out = PathBuf::new();
        for c in path.components() {
            match c {
                Component::ParentDir => {
                    out.pop();
                }
                Component::CurDir => {}
                c => out.push(c),
            }
        }
        out.starts_with(&self.root) || !path.is_absolute()
    }

    /// Where `path` really is, if that lies inside.
    pub fn resolve(&self, path: &Path) -> Result<PathBuf, ReadError> {
        let real = path.canonicalize()?;
        if real.starts_with(&self.root) {
            Ok(real)
        } else {
            Err(ReadError::Outside)
        }
    }

    /// [`read_regular_string`] of `path` if it really lies inside.
    pub fn read_string(&self, path: &Path, cap: u64) -> Result<String, ReadError> {
        read_regular_string(&self.resolve(path)?, cap)
    }
}

/// A new file `<dir>/<prefix><pid>-<n>` (created with `O_EXCL`, so never
/// an existing file or a link), for a write that is renamed into place.
pub fn create_temp(dir: &Path, prefix: &str) -> std::io::Result<(PathBuf, std::fs::File)> {
    (0..16)
        .find_map(|attempt| {
            let tmp = dir.join(format!("{prefix}{}-{attempt}", std::process::id()));
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&tmp)
                .ok()
                .map(|f| (tmp, f))
        })
        .ok_or_else(|| {
            std::io::Error::other(format!(
                "no temporary file could be created in {}",
                dir.display()
            ))
        })
}

/// Writes `bytes` to `path` for a user (a baseline, `layergate.toml`,
/// `AGENTS.md`): through a temporary file created new in the target's
/// folder and a rename, so a reader sees the old file or the new one. Safe
/// in a checkout a pull request made:
/// - a symlink at `path` is written through to its target when that lies
///   inside the boundary (the link stays a link), and refused when it leads
///   out or nowhere;
/// - missing folders are created inside the boundary only;
/// - only a regular file is replaced, never a read-only one, and it keeps its
///   permissions;
/// - temporary files this function left behind (a kill, a full disk) are
///   removed on the next write of the same file.
///
/// Returns the path actually written.
pub fn write_inside(boundary: &Boundary, path: &Path, bytes: &[u8]) -> std::io::Result<PathBuf> {
    use std::io::Write;
    let refuse = |why: String| std::io::Error::other(why);
    let shown = path.display();
    let target = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => match path.canonicalize() {
            Ok(real) if real.starts_with(boundary.root()) => real,
            Ok(_) => {
                return Err(refuse(format!(
                    "{shown} is a symbolic link that leads out of the workspace: not written"
                )))
            }
            Err(_) => {
                return Err(refuse(format!(
                    "{shown} is a symbolic link that leads nowhere: not written"
                )))
            }
        },
        Ok(_) => path.to_path_buf(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => path.to_path_buf(),
        Err(e) => return Err(e),
    };
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // the deepest folder that exists must lie inside; the rest is created
    let mut existing = dir.as_path();
    let mut missing = Vec::new();
    while std::fs::symlink_metadata(existing).is_err() {
        missing.push(existing.to_path_buf());
        existing = match existing.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
    }
    let real_dir = existing.canonicalize()?;
    if !real_dir.starts_with(boundary.root()) {
        return Err(refuse(format!(
            "{} lies outside the workspace ({}): not written",
            shown,
            boundary.root().display()
        )));
    }
    for d in missing.iter().rev() {
        match std::fs::create_dir(d) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    let mut perms = None;
    match std::fs::symlink_metadata(&target) {
        Ok(m) if !m.is_file() => {
            return Err(refuse(format!(
                "{shown} is not a regular file: not written"
            )))
        }
        Ok(m) if m.permissions().readonly() => {
            return Err(refuse(format!("{shown} is read-only: not written")))
        }
        Ok(m) => perms = Some(m.permissions()),
        Err(_) => {}
    }
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into());
    let prefix = format!(".{name}.layergate-tmp");
    // what a killed or failed earlier write left
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries.flatten() {
            let n = e.file_name();
            if n.to_string_lossy().starts_with(&prefix) && e.file_type().is_ok_and(|t| t.is_file())
            {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    let (tmp, mut file) = create_temp(&dir, &prefix)?;
    let result = (|| {
        file.write_all(bytes)?;
        file.sync_all()?;
        if let Some(p) = perms {
            file.set_permissions(p)?;
        }
        drop(file);
        std::fs::rename(&tmp, &target)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map(|()| target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_are_read() {
        let t = tempfile::tempdir().unwrap();
        let file = t.path().join("a.txt");
        std::fs::write(&file, "hello").unwrap();
        assert_eq!(read_regular_string(&file, 5).unwrap(), "hello");
        assert!(matches!(
            read_regular(&file, 4),
            Err(ReadError::TooLarge { size: 5, cap: 4 })
        ));
        assert!(matches!(
            read_regular(t.path(), 100),
            Err(ReadError::NotRegular) | Err(ReadError::Io(_))
        ));
        assert!(read_regular(&t.path().join("missing"), 100)
            .unwrap_err()
            .is_not_found());
    }

    #[cfg(unix)]
    #[test]
    fn a_device_and_a_fifo_are_refused_without_blocking() {
        assert!(matches!(
            read_regular(Path::new("/dev/zero"), 100),
            Err(ReadError::NotRegular)
        ));
        let t = tempfile::tempdir().unwrap();
        let fifo = t.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert!(matches!(
            read_regular(&fifo, 100),
            Err(ReadError::NotRegular)
        ));
    }

    #[cfg(unix)]
    #[test]
    fn the_boundary_refuses_symlinks_that_lead_out() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "s").unwrap();
        let t = tempfile::tempdir().unwrap();
        std::fs::write(t.path().join("in.json"), "{}").unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret"), t.path().join("link")).unwrap();
        std::os::unix::fs::symlink("in.json", t.path().join("inner")).unwrap();
        let b = Boundary::around(t.path());
        assert!(matches!(
            b.read_string(&t.path().join("link"), 100),
            Err(ReadError::Outside)
        ));
        assert_eq!(b.read_string(&t.path().join("inner"), 100).unwrap(), "{}");
        assert!(b.contains_lexically(&b.root().join("a/../b")));
        assert!(!b.contains_lexically(&b.root().join("../x")));
    }

    #[cfg(unix)]
    #[test]
    fn writes_follow_links_inside_and_refuse_links_out() {
        use std::os::unix::fs::{symlink, PermissionsExt};
        let outside = tempfile::tempdir().unwrap();
        let t = tempfile::tempdir().unwrap();
        let root = t.path();
        let b = Boundary::around(root);
        // a link inside: the target is updated, the link stays
        std::fs::write(root.join("CLAUDE.md"), "old").unwrap();
        std::fs::set_permissions(
            root.join("CLAUDE.md"),
            std::fs::Permissions::from_mode(0o640),
        )
        .unwrap();
        symlink("CLAUDE.md", root.join("AGENTS.md")).unwrap();
        write_inside(&b, &root.join("AGENTS.md"), b"new").unwrap();
        assert_eq!(
            std::fs::read_to_string(root.join("CLAUDE.md")).unwrap(),
            "new"
        );
        assert!(std::fs::symlink_metadata(root.join("AGENTS.md"))
            .unwrap()
            .file_type()
            .is_symlink());
        let mode = std::fs::metadata(root.join("CLAUDE.md"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o640);
        // links out, dangling links, folders that lead out: refused, nothing written
        symlink(outside.path().join("x"), root.join("dangling.toml")).unwrap();
        std::fs::write(outside.path().join("victim"), "keep").unwrap();
        symlink(outside.path().join("victim"), root.join("out.json")).unwrap();
        symlink(outside.path(), root.join("bl")).unwrap();
        for (name, why) in [
            ("dangling.toml", "leads nowhere"),
            ("out.json", "leads out of the workspace"),
            ("bl/baseline.json", "lies outside the workspace"),
        ] {
            let err = write_inside(&b, &root.join(name), b"x")
                .unwrap_err()
                .to_string();
            assert!(err.contains(why), "{name}: {err}");
        }
        assert!(!outside.path().join("x").exists());
        assert!(!outside.path().join("baseline.json").exists());
        assert_eq!(
            std::fs::read_to_string(outside.path().join("victim")).unwrap(),
            "keep"
        );
        // a read-only file is not replaced
        std::fs::write(root.join("ro.md"), "ro").unwrap();
        std::fs::set_permissions(root.join("ro.md"), std::fs::Permissions::from_mode(0o444))
            .unwrap();
        let err = write_inside(&b, &root.join("ro.md"), b"x")
            .unwrap_err()
            .to_string();
        assert!(err.contains("read-only"), "{err}");
        // missing folders are created; leftovers of a killed write are removed
        std::fs::create_dir_all(root.join("a")).unwrap();
        std::fs::write(root.join("a/.f.md.layergate-tmp99-0"), "junk").unwrap();
        write_inside(&b, &root.join("a/f.md"), b"1").unwrap();
        write_inside(&b, &root.join("new/dir/g.md"), b"2").unwrap();
        let names: Vec<String> = std::fs::read_dir(root.join("a"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["f.md"]);
        assert_eq!(
            std::fs::read_to_string(root.join("new/dir/g.md")).unwrap(),
            "2"
        );
    }

    #[test]
    fn the_boundary_is_the_repository_around_the_workspace() {
        let t = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(t.path().join(".git")).unwrap();
        std::fs::create_dir_all(t.path().join("packages/a")).unwrap();
        let b = Boundary::around(&t.path().join("packages/a"));
        assert_eq!(b.root(), t.path().canonicalize().unwrap());
    }
}
