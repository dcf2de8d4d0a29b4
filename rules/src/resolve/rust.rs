//! Rust path resolution through Cargo crates and the `mod` tree. (stub: being written)

use std::path::{Path, PathBuf};

use super::{FileSystem, Resolved};
use crate::facts::ModDecl;

/// The crates of a workspace and their `mod` trees.
pub struct RustResolver {
    #[allow(dead_code)]
    root: PathBuf,
}

impl RustResolver {
    /// Builds the crate map from the workspace's `.rs` files and their `mod`
    /// declarations (workspace-relative paths).
    pub fn new(
        root: &Path,
        _fs: &dyn FileSystem,
        _files: &[(String, Vec<ModDecl>)],
    ) -> RustResolver {
        RustResolver {
            root: root.to_path_buf(),
        }
    }

    /// Resolves a `::`-separated path written in `from` (workspace-relative).
    pub fn resolve(&self, _from: &str, _path: &str) -> Resolved {
        Resolved::NotADependency
    }

    /// Problems met while reading manifests (malformed `Cargo.toml`...), as
    /// (workspace-relative file, message).
    pub fn problems(&self) -> Vec<(String, String)> {
        Vec::new()
    }
}
