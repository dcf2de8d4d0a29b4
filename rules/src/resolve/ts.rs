//! TypeScript / JavaScript module resolution. (stub: being written)

use std::path::{Path, PathBuf};

use super::{FileSystem, Resolved};

/// Resolves TS/JS specifiers as TypeScript's `bundler` mode does.
/// Shared across threads: caches use interior mutability.
pub struct TsResolver {
    #[allow(dead_code)]
    root: PathBuf,
}

impl TsResolver {
    /// `tsconfig`: the `[workspace] tsconfig` setting (relative to `root`), if any;
    /// otherwise the nearest `tsconfig.json` of each importing file is used.
    pub fn new(root: &Path, _tsconfig: Option<&str>, _fs: &dyn FileSystem) -> TsResolver {
        TsResolver {
            root: root.to_path_buf(),
        }
    }

    /// Resolves `specifier` written in `from` (a workspace-relative path).
    pub fn resolve(&self, _fs: &dyn FileSystem, _from: &str, _specifier: &str) -> Resolved {
        Resolved::Unresolved
    }

    /// Problems met while reading manifests (tsconfig `extends` cycle, malformed
    /// `package.json`...), as (workspace-relative file, message).
    pub fn problems(&self) -> Vec<(String, String)> {
        Vec::new()
    }
}
