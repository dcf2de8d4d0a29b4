//! The file system the resolvers see: the disk, overlaid with the open
//! documents (an unsaved new file resolves; an edited `tsconfig.json` counts).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::RwLock;

use rules::resolve::{FileSystem, RealFs};

#[derive(Debug, Default)]
pub struct OverlayFs {
    docs: RwLock<HashMap<PathBuf, String>>,
}

impl OverlayFs {
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
        self.contains(path) || RealFs.is_file(path)
    }

    fn is_dir(&self, path: &Path) -> bool {
        RealFs.is_dir(path)
    }

    fn read_to_string(&self, path: &Path) -> Option<String> {
        self.get(path).or_else(|| RealFs.read_to_string(path))
    }

    fn read_dir(&self, path: &Path) -> Vec<String> {
        let mut names = RealFs.read_dir(path);
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
