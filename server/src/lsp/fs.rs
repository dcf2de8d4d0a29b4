//! The file system the resolvers see: the disk, overlaid with the open
//! documents (an unsaved new file resolves; an edited `tsconfig.json` counts).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::RwLock;

use rules::{ConfinedFs, FileSystem, RealFs};

#[derive(Debug, Default)]
pub struct OverlayFs {
    docs: RwLock<HashMap<PathBuf, String>>,
    /// The disk of each workspace folder, confined to its repository: what
    /// lies outside every one of them is neither read nor found.
    disks: RwLock<Vec<ConfinedFs>>,
}

impl OverlayFs {
    /// Confines reads of the disk to the repositories around `roots`.
    pub fn set_roots<'a>(&self, roots: impl IntoIterator<Item = &'a Path>) {
        let mut disks: Vec<ConfinedFs> = roots.into_iter().map(ConfinedFs::around).collect();
        disks.dedup_by(|a, b| a.boundary() == b.boundary());
        *self.disks.write().unwrap_or_else(|e| e.into_inner()) = disks;
    }

    /// Runs `f` on the disk whose boundary holds `path` (the real disk when
    /// no root is set yet); `None` when `path` lies outside all of them.
    fn on_disk<T>(&self, path: &Path, f: impl FnOnce(&dyn FileSystem) -> T) -> Option<T> {
        let disks = self.disks.read().unwrap_or_else(|e| e.into_inner());
        if disks.is_empty() {
            return Some(f(&RealFs));
        }
        let disk = disks
            .iter()
            .find(|d| d.boundary().contains_lexically(path))?;
        Some(f(disk))
    }

    pub fn set(&self, path: &Path, text: &str) {
        let mut d = self.docs.write().unwrap_or_else(|e| e.into_inner());
        d.insert(path.to_path_buf(), text.to_string());
    }

    pub fn remove(&self, path: &Path) {
        let mut d = self.docs.write().unwrap_or_else(|e| e.into_inner());
        d.remove(path);
    }

    /// The paths of the open documents.
    pub fn paths(&self) -> Vec<PathBuf> {
        let d = self.docs.read().unwrap_or_else(|e| e.into_inner());
        d.keys().cloned().collect()
    }

    fn get(&self, path: &Path) -> Option<String> {
        let d = self.docs.read().unwrap_or_else(|e| e.into_inner());
        d.get(path).cloned()
    }

    fn contains(&self, path: &Path) -> bool {
        let d = self.docs.read().unwrap_or_else(|e| e.into_inner());
        d.contains_key(path)
    }
}

impl FileSystem for OverlayFs {
    fn is_file(&self, path: &Path) -> bool {
        self.contains(path) || self.on_disk(path, |d| d.is_file(path)) == Some(true)
    }

    fn is_dir(&self, path: &Path) -> bool {
        self.on_disk(path, |d| d.is_dir(path)) == Some(true)
    }

    fn read_to_string(&self, path: &Path) -> Option<String> {
        self.get(path)
            .or_else(|| self.on_disk(path, |d| d.read_to_string(path))?)
    }

    fn is_symlink(&self, path: &Path) -> bool {
        !self.contains(path) && self.on_disk(path, |d| d.is_symlink(path)) == Some(true)
    }

    fn read_dir(&self, path: &Path) -> Vec<String> {
        let mut names = self.on_disk(path, |d| d.read_dir(path)).unwrap_or_default();
        let d = self.docs.read().unwrap_or_else(|e| e.into_inner());
        for p in d.keys() {
            if p.parent() == Some(path) {
                if let Some(n) = p.file_name().and_then(|n| n.to_str()) {
                    if !names.iter().any(|x| x == n) {
                        names.push(n.to_string());
                    }
                }
            }
        }
        names.sort();
        names
    }
}
