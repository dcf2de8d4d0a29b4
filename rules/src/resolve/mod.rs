//! Resolution: an import's specifier → a file of the workspace, a package, a
//! builtin, or nothing. What every resolver shares (the resolvers themselves
//! are in `languages/<language>/resolve.rs`).
//!
//! Resolvers read manifests (`tsconfig.json`, `package.json`, `Cargo.toml`) and
//! probe for files only through [`FileSystem`], so the language server can
//! overlay unsaved documents and tests can use an in-memory tree.

use std::path::{Path, PathBuf};

use crate::disk::Boundary;

/// Where an import leads.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Resolved {
    /// A file, as a path relative to the workspace root with `/` separators.
    /// It may be excluded or ignored: imports into generated code still resolve.
    File(String),
    /// A third-party package or crate: npm `name` / `@scope/name` (subpath cut
    /// off), or the crate's dependency key (hyphens as underscores).
    External(String),
    /// A node builtin (`fs`, written `fs` or `node:fs`, stored without the
    /// `node:` prefix) or a Rust standard crate (`std`, `core`, `alloc`,
    /// `proc_macro`, `test`).
    Builtin(String),
    /// A workspace package / crate whose entry could not be found, or a
    /// relative / crate-local import that resolves to no file: `unresolved`.
    Unresolved,
    /// Not a dependency at all (a Rust path whose first segment is a local item,
    /// a type parameter, an enum...). Ignored by every rule.
    NotADependency,
}

/// The only door to the disk for resolvers.
pub trait FileSystem: Send + Sync {
    /// Whether `path` (absolute) is an existing regular file (or an open document).
    fn is_file(&self, path: &Path) -> bool;
    /// Whether `path` (absolute) is a directory.
    fn is_dir(&self, path: &Path) -> bool;
    /// The text of a file, `None` when it is missing or not UTF-8.
    fn read_to_string(&self, path: &Path) -> Option<String>;
    /// The names of the entries of directory `path` (absolute), sorted; empty
    /// when it is missing. Used to expand `workspaces` globs.
    fn read_dir(&self, _path: &Path) -> Vec<String> {
        Vec::new()
    }
    /// Whether `path` is a symbolic link (not followed when expanding
    /// `workspaces` globs, so links to `.` cannot multiply the walk).
    fn is_symlink(&self, _path: &Path) -> bool {
        false
    }
}

/// The real disk.
#[derive(Debug, Default, Clone, Copy)]
pub struct RealFs;

impl FileSystem for RealFs {
    fn is_file(&self, path: &Path) -> bool {
        path.is_file()
    }
    fn is_dir(&self, path: &Path) -> bool {
        path.is_dir()
    }
    fn read_to_string(&self, path: &Path) -> Option<String> {
        crate::disk::read_regular_string(path, READ_CAP).ok()
    }
    fn read_dir(&self, path: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(path)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok()?.file_name().into_string().ok())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }
    fn is_symlink(&self, path: &Path) -> bool {
        std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
    }
}

/// The most [`RealFs`] reads of one file: a manifest, or a source file's text.
const READ_CAP: u64 = if crate::disk::MAX_SOURCE_SIZE > crate::disk::MAX_MANIFEST_SIZE {
    crate::disk::MAX_SOURCE_SIZE
} else {
    crate::disk::MAX_MANIFEST_SIZE
};

/// The real disk, confined to a [`Boundary`]: nothing outside it is read or
/// listed once symlinks are followed (a `tsconfig.json` `extends` of
/// `/etc/passwd`, `workspaces: ["../*"]`, a manifest symlinked out), and
/// probes outside it find nothing. What the front ends use.
#[derive(Debug, Clone)]
pub struct ConfinedFs {
    boundary: Boundary,
}

impl ConfinedFs {
    /// Confined to the repository around the workspace at `root`.
    pub fn around(root: &Path) -> ConfinedFs {
        ConfinedFs {
            boundary: Boundary::around(root),
        }
    }

    pub fn boundary(&self) -> &Boundary {
        &self.boundary
    }
}

impl FileSystem for ConfinedFs {
    fn is_file(&self, path: &Path) -> bool {
        self.boundary.contains_lexically(path) && path.is_file()
    }
    fn is_dir(&self, path: &Path) -> bool {
        self.boundary.contains_lexically(path) && path.is_dir()
    }
    fn read_to_string(&self, path: &Path) -> Option<String> {
        self.boundary.read_string(path, READ_CAP).ok()
    }
    fn read_dir(&self, path: &Path) -> Vec<String> {
        match self.boundary.resolve(path) {
            Ok(real) => RealFs.read_dir(&real),
            Err(_) => Vec::new(),
        }
    }
    fn is_symlink(&self, path: &Path) -> bool {
        RealFs.is_symlink(path)
    }
}

/// An in-memory tree for tests: paths relative to `/`.
#[derive(Debug, Default, Clone)]
pub struct MemFs {
    pub files: std::collections::BTreeMap<PathBuf, String>,
}

impl MemFs {
    pub fn new<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> MemFs {
        MemFs {
            files: files
                .into_iter()
                .map(|(p, t)| (Path::new("/").join(p), t.to_string()))
                .collect(),
        }
    }
}

impl FileSystem for MemFs {
    fn is_file(&self, path: &Path) -> bool {
        self.files.contains_key(path)
    }
    fn is_dir(&self, path: &Path) -> bool {
        self.files.keys().any(|p| p.starts_with(path) && p != path)
    }
    fn read_to_string(&self, path: &Path) -> Option<String> {
        self.files.get(path).cloned()
    }
    fn read_dir(&self, path: &Path) -> Vec<String> {
        let names: std::collections::BTreeSet<String> = self
            .files
            .keys()
            .filter_map(|p| p.strip_prefix(path).ok()?.components().next())
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        names.into_iter().collect()
    }
}
