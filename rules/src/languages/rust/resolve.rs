//! Rust path resolution through Cargo crates and the `mod` tree.
//!
//! Built once from the workspace's `.rs` files and their `mod` declarations
//! ([`RustResolver::new`], O(files)), then queried read-only from any thread.
//!
//! * **Crates.** A file belongs to the package of the nearest `Cargo.toml`
//!   upward that has a `[package]`. Each package has targets (the lib, bins,
//!   `build.rs`, tests, examples, benches), each the root of its own `mod`
//!   tree. Dependencies are the keys of every `*dependencies` table (the key
//!   is what code writes); `path` and `workspace = true` dependencies that
//!   lead to a package of the workspace are workspace crates.
//! * **Module trees.** From each target root, `mod` declarations are followed
//!   as rustc does: `a.rs` or `a/mod.rs`, non-mod-rs files own a directory of
//!   their name, `#[path]` is relative to the declaring file's directory (or
//!   to an inline module's directory), inline modules imply a directory.
//!   Files no root reaches get a module path by convention (`src/a/b.rs` →
//!   `crate::a::b`), so paths written in them still resolve.
//! * **Paths.** `crate::`/`self::`/`super::` and child modules walk the tree
//!   down to the deepest module that exists; items resolve to the file that
//!   holds their module. Other first segments are a standard crate, a
//!   dependency key, a workspace crate, or not a dependency at all.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::facts::ModDecl;
use crate::resolve::{FileSystem, Resolved};

/// Dependency tables of a manifest (also looked up under `[target.*]`).
/// The deepest a module may sit in its crate through `mod` declarations
/// (a `#[path]` chain nests modules without nesting folders).
const MAX_MODULE_DEPTH: usize = 256;

const DEP_TABLES: &[&str] = &[
    "dependencies",
    "dev-dependencies",
    "dev_dependencies",
    "build-dependencies",
    "build_dependencies",
];

/// Where a dependency key leads.
#[derive(Debug, Clone, PartialEq, Eq)]
enum DepTarget {
    /// A crate from a registry, git, or a path outside the workspace.
    External,
    /// A package of the workspace (index into `packages`).
    Workspace(usize),
    /// A `path` dependency inside the workspace with no package there.
    Missing,
}

/// A dependency as written, before path dependencies are matched to packages.
#[derive(Debug, Clone)]
enum RawDep {
    External,
    /// Workspace-relative directory of a `path` dependency inside the root.
    Path(String),
}

/// One Cargo package.
#[derive(Debug, Clone)]
struct Package {
    /// Workspace-relative directory of its `Cargo.toml` (`""` for the root).
    dir: String,
    /// Lib crate name as code writes it (`[lib] name`, else `package.name`
    /// with `-` as `_`).
    crate_name: String,
    /// `package.name` with `-` as `_`.
    package_name: String,
    raw_deps: Vec<(String, RawDep)>,
    deps: HashMap<String, DepTarget>,
    /// Explicit `[lib] path` (workspace-relative), if any.
    lib_path: Option<String>,
    /// Explicit `[[bin]]`, `[[test]]`, `[[example]]`, `[[bench]]` targets:
    /// (name, workspace-relative root), and the build script.
    declared: Vec<(TargetKind, String, String)>,
    /// `package.build`: `Some(None)` when `build = false`.
    build: Option<Option<String>>,
    /// The lib target, once targets are made.
    lib: Option<usize>,
    /// `package.autolib`, `autobins`, `autotests`, `autoexamples`,
    /// `autobenches` (Cargo's target discovery; `cargo publish` writes them
    /// all `false` and lists every target).
    auto: AutoTargets,
    /// Edition 2015 (`package.edition` absent or `"2015"`): a leading `::`
    /// starts at the crate root, where extern crates are names too.
    edition_2015: bool,
}

/// Which targets Cargo discovers by convention in a package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct AutoTargets {
    lib: bool,
    bins: bool,
    tests: bool,
    examples: bool,
    benches: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TargetKind {
    Lib,
    Bin,
    Build,
    Other,
}

/// The root of one `mod` tree.
#[derive(Debug, Clone)]
struct Target {
    pkg: Option<usize>,
    /// The crate name of this target (lib name, bin name, file stem).
    name: String,
    root: String,
    kind: TargetKind,
}

/// Where a module's children are looked for, as rustc tracks it: the
/// directory, plus the name of a non-mod-rs file (`src/x.rs` has dir `src`
/// and relative `x`, so `mod a;` is `src/x/a.rs`).
#[derive(Debug, Clone)]
struct DirState {
    dir: String,
    relative: Option<String>,
}

impl DirState {
    /// The directory that inline modules and plain `mod a;` start from.
    fn owned_dir(&self) -> String {
        match &self.relative {
            Some(r) => join(&self.dir, r),
            None => self.dir.clone(),
        }
    }
}

/// An inline module of a file: its byte range and its path below the file's
/// own module.
#[derive(Debug, Clone)]
struct InlineSpan {
    start: u32,
    end: u32,
    suffix: Vec<String>,
}

/// Where a path is written: its target and module, and its package.
struct Ctx {
    target: Option<usize>,
    pkg: Option<usize>,
    module: Vec<String>,
}

/// The crates of a workspace and their `mod` trees.
pub struct RustResolver {
    #[allow(dead_code)]
    root: PathBuf,
    packages: Vec<Package>,
    targets: Vec<Target>,
    /// Per target: module path → the file holding it (`None`: declared, but
    /// its file is missing).
    modules: Vec<HashMap<Vec<String>, Option<String>>>,
    /// File → (target, module path of the file itself).
    file_mod: HashMap<String, (usize, Vec<String>)>,
    /// For a module that is several files (its `cfg_attr(path)`
    /// alternatives, files it `include!`s): each of them → all of them.
    shared: HashMap<String, Vec<String>>,
    /// Files no crate root reaches: their module paths are guesses.
    guessed: HashSet<String>,
    /// File → its inline modules.
    inline: HashMap<String, Vec<InlineSpan>>,
    /// Lib crate name → package.
    crate_names: HashMap<String, usize>,
    /// Directory → package, for every directory met while building.
    dir_pkg: HashMap<String, Option<usize>>,
    problems: Vec<(String, String)>,
    missing: Vec<(String, ModDecl)>,
}

impl RustResolver {
    /// Builds the crate map from the workspace's `.rs` files and their `mod`
    /// declarations (workspace-relative paths).
    pub fn new(root: &Path, fs: &dyn FileSystem, files: &[(String, Vec<ModDecl>)]) -> RustResolver {
        // only workspace-relative paths: a file given as `../x.rs` or `/x.rs`
        // could make a resolution point outside the workspace
        let inside: Vec<(String, Vec<ModDecl>)> = files
            .iter()
            .filter(|(rel, _)| {
                !rel.starts_with('/') && !rel.split('/').any(|seg| seg == ".." || seg.is_empty())
            })
            .cloned()
            .collect();
        Builder::new(root, fs, &inside).build()
    }

    /// Resolves a `::`-separated path written in `from` (workspace-relative),
    /// as if written at file level (outside any inline module).
    pub fn resolve(&self, from: &str, path: &str) -> Resolved {
        self.resolve_in(from, path, None).0
    }

    /// Resolves a path written in `from` at byte `offset`: `self`, `super`
    /// and child modules count from the innermost inline module around it
    /// (`mod tests { use super::*; }`).
    pub fn resolve_at(&self, from: &str, path: &str, offset: u32) -> Resolved {
        self.resolve_in(from, path, Some(offset)).0
    }

    /// [`RustResolver::resolve_at`], and for a path that resolves to a file,
    /// the segment after the deepest module it names: the item it asks that
    /// module for (`f` in `crate::a::f::g`), if any.
    pub fn resolve_item_at(
        &self,
        from: &str,
        path: &str,
        offset: u32,
    ) -> (Resolved, Option<String>) {
        self.resolve_in(from, path, Some(offset))
    }

    /// Problems met while reading manifests (malformed `Cargo.toml`...), as
    /// (workspace-relative file, message).
    pub fn problems(&self) -> Vec<(String, String)> {
        self.problems.clone()
    }

    /// `mod x;` declarations whose file does not exist, with the declaring file.
    pub fn missing_mods(&self) -> Vec<(String, ModDecl)> {
        self.missing.clone()
    }

    /// The lib crate name of the package `file` belongs to (`None` for files
    /// outside any Cargo package).
    pub fn crate_name_of(&self, file: &str) -> Option<&str> {
        let pkg = match self.file_mod.get(file) {
            Some((t, _)) => self.targets[*t].pkg,
            None => self.package_of_dir(parent(file)),
        }?;
        Some(self.packages[pkg].crate_name.as_str())
    }

    /// The files that are the same module as `file` (itself included): a
    /// module's `cfg_attr(path)` alternatives and the files it `include!`s.
    pub fn module_files<'s>(&'s self, file: &'s str) -> Vec<&'s str> {
        match self.shared.get(file) {
            Some(v) => v.iter().map(String::as_str).collect(),
            None => vec![file],
        }
    }

    /// The root file of the crate target whose module tree holds `file`.
    pub fn crate_root_of(&self, file: &str) -> Option<&str> {
        let (t, _) = self.file_mod.get(file)?;
        Some(self.targets[*t].root.as_str())
    }

    /// Whether no crate root reaches `file` through `mod` declarations: its
    /// module path is a guess by convention.
    pub fn is_guessed(&self, file: &str) -> bool {
        self.guessed.contains(file)
    }

    /// Whether `name` (hyphens or underscores) is a crate of the workspace.
    pub fn is_workspace_crate(&self, name: &str) -> bool {
        let name = name.replace('-', "_");
        self.crate_names.contains_key(&name) || self.packages.iter().any(|p| p.package_name == name)
    }

    /// The crate (target) name and module path of a file: `src/a/b.rs` of
    /// crate `domain` is `("domain", ["a", "b"])`.
    pub fn module_path_of(&self, file: &str) -> Option<(String, Vec<String>)> {
        let ctx = self.context(file, None)?;
        let target = ctx.target?;
        Some((self.targets[target].name.clone(), ctx.module))
    }

    fn resolve_in(
        &self,
        from: &str,
        path: &str,
        offset: Option<u32>,
    ) -> (Resolved, Option<String>) {
        let path = path.trim();
        let (leading, rest) = match path.strip_prefix("::") {
            Some(rest) => (true, rest),
            None => (false, path),
        };
        // a raw identifier (`r#ref`) names the module `ref`
        let segs: Vec<&str> = rest
            .split("::")
            .map(|s| s.trim().trim_start_matches("r#"))
            .filter(|s| !s.is_empty())
            .collect();
        let Some(&first) = segs.first() else {
            return (Resolved::NotADependency, None);
        };
        let ctx = self.context(from, offset);
        let pkg = ctx.as_ref().and_then(|c| c.pkg);
        if leading {
            if let (Some(p), Some(t)) = (pkg, ctx.as_ref().and_then(|c| c.target)) {
                if self.packages[p].edition_2015 {
                    // 2015: `::x` is `crate::x`, and the crate root holds the
                    // extern crates (`::std::..`, `::serde::..`) too.
                    return self
                        .extern_path(pkg, first, &segs[1..])
                        .unwrap_or_else(|| self.walk(t, Vec::new(), &segs));
                }
            }
            return self
                .extern_path(pkg, first, &segs[1..])
                .unwrap_or_else(|| (Resolved::External(first.replace('-', "_")), None));
        }
        let Some(ctx) = ctx else {
            return self
                .extern_path(None, first, &segs[1..])
                .unwrap_or((Resolved::NotADependency, None));
        };
        match first {
            // `$crate` in a macro body: the macro's crate, taken as the file's.
            "crate" | "$crate" => match ctx.target {
                Some(t) => self.walk(t, Vec::new(), &segs[1..]),
                None => (Resolved::NotADependency, None),
            },
            "self" => match ctx.target {
                Some(t) => self.walk(t, ctx.module, &segs[1..]),
                None => (Resolved::NotADependency, None),
            },
            "super" => {
                let Some(t) = ctx.target else {
                    return (Resolved::NotADependency, None);
                };
                let n = segs.iter().take_while(|s| **s == "super").count();
                let mut module = ctx.module;
                if n > module.len() {
                    // Without a position, a `super` that leaves the crate from
                    // file level must be written in an inline module
                    // (`mod tests { use super::*; }`): the shallowest such
                    // reading lands on the crate root.
                    let depth = self.max_inline_depth(from);
                    if offset.is_none() && n - module.len() <= depth {
                        module.clear();
                    } else {
                        return (Resolved::Unresolved, None);
                    }
                } else {
                    module.truncate(module.len() - n);
                }
                self.walk(t, module, &segs[n..])
            }
            "Self" => (Resolved::NotADependency, None),
            _ => {
                if let Some(t) = ctx.target {
                    let mut child = ctx.module.clone();
                    child.push(first.to_string());
                    if self.modules[t].contains_key(&child) {
                        let (resolved, next) = self.walk(t, ctx.module, &segs);
                        // a local module that is also a crate's name (rustix's
                        // `#[cfg(linux_raw)] mod libc`): which one a
                        // configuration means is not known, so no item is asked
                        let ambiguous = self.extern_path(pkg, first, &[]).is_some();
                        return (resolved, if ambiguous { None } else { next });
                    }
                }
                // A workspace crate the package does not declare may still be
                // meant (typed before its Cargo.toml line), unless a module
                // of that name is in an enclosing module, where `use
                // super::*;` brings it (rust-analyzer's parser has `mod
                // paths;` and a workspace crate `paths` it does not depend on)
                if let (Some(t), Some(p)) = (ctx.target, pkg) {
                    let name = first.replace('-', "_");
                    if self.crate_names.contains_key(&name)
                        && !RUST_STD_CRATES.contains(&name.as_str())
                        && !self.packages[p].deps.contains_key(&name)
                        && self.packages[p].crate_name != name
                    {
                        let mut anc = ctx.module.clone();
                        while anc.pop().is_some() {
                            let mut child = anc.clone();
                            child.push(first.to_string());
                            if self.modules[t].contains_key(&child) {
                                let (resolved, _) = self.walk(t, anc, &segs);
                                return (resolved, None);
                            }
                        }
                    }
                }
                self.extern_path(pkg, first, &segs[1..])
                    .unwrap_or((Resolved::NotADependency, None))
            }
        }
    }

    /// A path whose first segment names a crate: std, a dependency key of
    /// `pkg`, or a workspace crate. `None` when it is none of them.
    fn extern_path(
        &self,
        pkg: Option<usize>,
        name: &str,
        rest: &[&str],
    ) -> Option<(Resolved, Option<String>)> {
        let name = name.replace('-', "_");
        if RUST_STD_CRATES.contains(&name.as_str()) {
            return Some((Resolved::Builtin(name), None));
        }
        if let Some(dep) = pkg.and_then(|p| self.packages[p].deps.get(&name)) {
            return Some(match dep {
                DepTarget::External => (Resolved::External(name), None),
                DepTarget::Missing => (Resolved::Unresolved, None),
                DepTarget::Workspace(p) => self.walk_crate(*p, rest),
            });
        }
        // a package's own lib, by name, from its tests, benches and bins
        // (two versions of a crate may be in the workspace)
        if let Some(p) = pkg.filter(|p| self.packages[*p].crate_name == name) {
            return Some(self.walk_crate(p, rest));
        }
        let p = *self.crate_names.get(&name)?;
        Some(self.walk_crate(p, rest))
    }

    /// Walks `rest` down the lib tree of package `pkg`.
    fn walk_crate(&self, pkg: usize, rest: &[&str]) -> (Resolved, Option<String>) {
        let target = self.packages[pkg].lib.or_else(|| {
            self.targets
                .iter()
                .position(|t| t.pkg == Some(pkg) && t.kind == TargetKind::Bin)
        });
        match target {
            Some(t) => self.walk(t, Vec::new(), rest),
            None => (Resolved::Unresolved, None),
        }
    }

    /// From module `anchor` of `target`, consumes the segments of `rest` that
    /// name modules; the file holding the deepest one.
    /// The resolution, and the segment after the deepest module (the item
    /// asked of it) when that module was reached by walking and is a file.
    fn walk(
        &self,
        target: usize,
        anchor: Vec<String>,
        rest: &[&str],
    ) -> (Resolved, Option<String>) {
        let modules = &self.modules[target];
        let mut cur = anchor;
        let mut next = None;
        for seg in rest {
            if *seg == "self" {
                continue;
            }
            cur.push((*seg).to_string());
            match modules.get(&cur) {
                Some(Some(_)) => {}
                Some(None) => return (Resolved::Unresolved, None),
                None => {
                    cur.pop();
                    next = Some((*seg).to_string());
                    break;
                }
            }
        }
        loop {
            match modules.get(&cur) {
                Some(Some(file)) => return (Resolved::File(file.clone()), next),
                Some(None) => return (Resolved::Unresolved, None),
                None if cur.is_empty() => return (Resolved::Unresolved, None),
                None => {
                    // an anchor outside the tree: no item to ask about
                    next = None;
                    cur.pop();
                }
            }
        }
    }

    fn max_inline_depth(&self, file: &str) -> usize {
        self.inline
            .get(file)
            .and_then(|v| v.iter().map(|s| s.suffix.len()).max())
            .unwrap_or(0)
    }

    /// Where a path written in `file` (at `offset`) stands.
    fn context(&self, file: &str, offset: Option<u32>) -> Option<Ctx> {
        let (target, mut module) = match self.file_mod.get(file) {
            Some((t, m)) => (Some(*t), m.clone()),
            None => {
                let pkg = self.package_of_dir(parent(file));
                match self.covering_target(pkg, file) {
                    Some((t, m)) => (Some(t), m),
                    None if pkg.is_some() => (None, Vec::new()),
                    None => return None,
                }
            }
        };
        if let (Some(offset), Some(spans)) = (offset, self.inline.get(file)) {
            let inner = spans
                .iter()
                .filter(|s| s.start <= offset && offset < s.end)
                .max_by_key(|s| s.suffix.len());
            if let Some(s) = inner {
                module.extend(s.suffix.iter().cloned());
            }
        }
        let pkg = match target {
            Some(t) => self.targets[t].pkg,
            None => self.package_of_dir(parent(file)),
        };
        Some(Ctx {
            target,
            pkg,
            module,
        })
    }

    /// The package of the nearest known directory at or above `dir`.
    fn package_of_dir(&self, dir: &str) -> Option<usize> {
        let mut d = dir;
        loop {
            if let Some(p) = self.dir_pkg.get(d) {
                return *p;
            }
            if d.is_empty() {
                return None;
            }
            d = parent(d);
        }
    }

    /// The target whose root directory is the deepest one above `file`, and
    /// the module path of `file` below it by convention.
    fn covering_target(&self, pkg: Option<usize>, file: &str) -> Option<(usize, Vec<String>)> {
        covering_target(&self.targets, pkg, file)
    }
}

/// The target of `pkg` whose root directory is the deepest ancestor of
/// `file`, and `file`'s conventional module path below it.
fn covering_target(
    targets: &[Target],
    pkg: Option<usize>,
    file: &str,
) -> Option<(usize, Vec<String>)> {
    let dir = parent(file);
    let mut best: Option<(usize, &str)> = None;
    for (i, t) in targets.iter().enumerate() {
        if t.pkg != pkg || t.kind == TargetKind::Build || t.root == file {
            continue;
        }
        let root_dir = parent(&t.root);
        if !is_within(dir, root_dir) {
            continue;
        }
        if best.is_none_or(|(_, d)| root_dir.len() > d.len()) {
            best = Some((i, root_dir));
        }
    }
    let (t, root_dir) = best?;
    let below = dir[root_dir.len()..].trim_start_matches('/');
    let mut module: Vec<String> = below
        .split('/')
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    let stem = file_stem(file);
    if stem != "mod" {
        module.push(stem.to_string());
    }
    Some((t, module))
}

/// Builds a [`RustResolver`].
struct Builder<'a> {
    root: &'a Path,
    fs: &'a dyn FileSystem,
    known: HashSet<&'a str>,
    mods: HashMap<&'a str, &'a [ModDecl]>,
    /// Directory → parsed manifest there (`None`: no `Cargo.toml`).
    manifests: HashMap<String, Option<Result<toml::Table, String>>>,
    /// Directory → the package whose manifest is in it.
    pkg_at: HashMap<String, Option<usize>>,
    r: RustResolver,
    visited: Vec<HashSet<String>>,
    missing_seen: HashSet<(String, u32, String)>,
    /// Walking files no root reaches: their module paths are guesses, so a
    /// `mod x;` is also looked for beside the file (as a `#[path]`-declared
    /// file would own its directory), and one found nowhere is not reported
    /// (rustc compiles no such file as layergate guessed).
    guessing: bool,
}

impl<'a> Builder<'a> {
    fn new(root: &'a Path, fs: &'a dyn FileSystem, files: &'a [(String, Vec<ModDecl>)]) -> Self {
        let files_rs: Vec<&(String, Vec<ModDecl>)> =
            files.iter().filter(|(f, _)| f.ends_with(".rs")).collect();
        Builder {
            root,
            fs,
            known: files_rs.iter().map(|(f, _)| f.as_str()).collect(),
            mods: files_rs
                .iter()
                .map(|(f, m)| (f.as_str(), m.as_slice()))
                .collect(),
            manifests: HashMap::new(),
            pkg_at: HashMap::new(),
            r: RustResolver {
                root: root.to_path_buf(),
                packages: Vec::new(),
                targets: Vec::new(),
                modules: Vec::new(),
                file_mod: HashMap::new(),
                shared: HashMap::new(),
                guessed: HashSet::new(),
                inline: HashMap::new(),
                crate_names: HashMap::new(),
                dir_pkg: HashMap::new(),
                problems: Vec::new(),
                missing: Vec::new(),
            },
            visited: Vec::new(),
            missing_seen: HashSet::new(),
            guessing: false,
        }
    }

    fn build(mut self) -> RustResolver {
        // Packages of every file.
        let mut files: Vec<&str> = self.known.iter().copied().collect();
        files.sort_by(|a, b| depth(a).cmp(&depth(b)).then(a.cmp(b)));
        let mut file_pkg: HashMap<&str, Option<usize>> = HashMap::new();
        for f in &files {
            let p = self.nearest_package(parent(f));
            file_pkg.insert(f, p);
        }
        // Path dependencies, which may name packages without files.
        let mut i = 0;
        while i < self.r.packages.len() {
            self.link_deps(i);
            i += 1;
        }
        // Lib crate names: the first package wins a clash.
        for (i, p) in self.r.packages.iter().enumerate() {
            self.r.crate_names.entry(p.crate_name.clone()).or_insert(i);
        }
        // Targets, lib first in each package.
        let mut by_pkg: HashMap<Option<usize>, Vec<&str>> = HashMap::new();
        for f in &files {
            by_pkg
                .entry(file_pkg.get(f).copied().flatten())
                .or_default()
                .push(f);
        }
        for p in 0..self.r.packages.len() {
            let pkg_files = by_pkg.get(&Some(p)).cloned().unwrap_or_default();
            self.add_targets(p, &pkg_files);
        }
        // Loose files: `main.rs` and `lib.rs` outside any package are roots.
        if let Some(loose) = by_pkg.get(&None) {
            for f in loose {
                let stem = file_stem(f);
                if stem == "lib" || stem == "main" {
                    let name = crate_ident(file_stem(parent(f)));
                    let name = if name.is_empty() {
                        stem.to_string()
                    } else {
                        name
                    };
                    self.add_target(None, name, f.to_string(), TargetKind::Bin);
                }
            }
        }
        // Walk every target's tree.
        for t in 0..self.r.targets.len() {
            let root = self.r.targets[t].root.clone();
            let state = DirState {
                dir: parent(&root).to_string(),
                relative: None,
            };
            self.walk(t, root, Vec::new(), state);
        }
        // Files no root reaches: by convention under the deepest covering
        // root, else a root of their own.
        self.guessing = true;
        for f in &files {
            if self.r.file_mod.contains_key(*f) {
                continue;
            }
            let pkg = file_pkg.get(f).copied().flatten();
            let stem = file_stem(f);
            let state = DirState {
                dir: parent(f).to_string(),
                relative: (stem != "mod").then(|| stem.to_string()),
            };
            match covering_target(&self.r.targets, pkg, f) {
                Some((t, module)) => {
                    self.r.modules[t]
                        .entry(module.clone())
                        .or_insert_with(|| Some(f.to_string()));
                    self.walk(t, f.to_string(), module, state);
                }
                None => {
                    let name = match pkg {
                        Some(p) => self.r.packages[p].crate_name.clone(),
                        None => crate_ident(stem),
                    };
                    let t = self.add_target(pkg, name, f.to_string(), TargetKind::Other);
                    let state = DirState {
                        dir: parent(f).to_string(),
                        relative: None,
                    };
                    self.walk(t, f.to_string(), Vec::new(), state);
                }
            }
        }
        self.guessing = false;
        let mut by_module: HashMap<(usize, &Vec<String>), Vec<String>> = HashMap::new();
        for (file, (t, module)) in &self.r.file_mod {
            by_module
                .entry((*t, module))
                .or_default()
                .push(file.clone());
        }
        let mut shared = HashMap::new();
        for (_, mut files) in by_module {
            if files.len() > 1 {
                files.sort();
                for f in &files {
                    shared.insert(f.clone(), files.clone());
                }
            }
        }
        self.r.shared = shared;
        for (dir, p) in self.pkg_at.drain() {
            if p.is_some() {
                self.r.dir_pkg.entry(dir).or_insert(p);
            }
        }
        self.r
    }

    fn exists(&self, path: &str) -> bool {
        self.known.contains(path) || self.fs.is_file(&self.root.join(path))
    }

    /// The manifest in `dir`, parsed once.
    fn manifest(&mut self, dir: &str) -> Option<Result<toml::Table, String>> {
        if let Some(m) = self.manifests.get(dir) {
            return m.clone();
        }
        let rel = join(dir, "Cargo.toml");
        let abs = self.root.join(&rel);
        let parsed = if self.fs.is_file(&abs) {
            Some(match self.fs.read_to_string(&abs) {
                None => Err("Cargo.toml was not read: not UTF-8 text, over 4 MB, not a regular file, or a link that leads out of the workspace".to_string()),
                Some(text) => toml::from_str::<toml::Table>(&text)
                    .map_err(|e| format!("malformed Cargo.toml: {}", e.message().trim())),
            })
        } else {
            None
        };
        if let Some(Err(msg)) = &parsed {
            self.r.problems.push((rel, msg.clone()));
        }
        self.manifests.insert(dir.to_string(), parsed.clone());
        parsed
    }

    /// The package whose manifest is in `dir`, loaded once.
    fn package_at(&mut self, dir: &str) -> Option<usize> {
        if let Some(p) = self.pkg_at.get(dir) {
            return *p;
        }
        let p = match self.manifest(dir) {
            None => None,
            Some(Ok(table)) if !table.contains_key("package") => None,
            Some(parsed) => Some(self.load_package(dir, parsed.ok())),
        };
        self.pkg_at.insert(dir.to_string(), p);
        p
    }

    /// The package of the nearest manifest with `[package]` at or above `dir`.
    fn nearest_package(&mut self, dir: &str) -> Option<usize> {
        let mut seen = Vec::new();
        let mut d = dir.to_string();
        let found = loop {
            if let Some(p) = self.r.dir_pkg.get(&d) {
                break *p;
            }
            seen.push(d.clone());
            if let Some(p) = self.package_at(&d) {
                break Some(p);
            }
            if d.is_empty() {
                break None;
            }
            d = parent(&d).to_string();
        };
        for s in seen {
            self.r.dir_pkg.insert(s, found);
        }
        found
    }

    /// Reads a package manifest (`None`: malformed, no dependencies).
    fn load_package(&mut self, dir: &str, table: Option<toml::Table>) -> usize {
        let dir_name = crate_ident(dir.rsplit('/').next().unwrap_or(dir));
        let table = table.unwrap_or_default();
        let package = table.get("package").and_then(|v| v.as_table());
        let package_name = package
            .and_then(|p| p.get("name"))
            .and_then(|n| n.as_str())
            .map(crate_ident)
            .unwrap_or(dir_name);
        let lib = table.get("lib").and_then(|v| v.as_table());
        let crate_name = lib
            .and_then(|l| l.get("name"))
            .and_then(|n| n.as_str())
            .map(crate_ident)
            .unwrap_or_else(|| package_name.clone());
        let lib_path = lib
            .and_then(|l| l.get("path"))
            .and_then(|p| p.as_str())
            .and_then(|p| norm_join(self.root, dir, p));
        let build = package.and_then(|p| p.get("build")).map(|b| match b {
            toml::Value::String(s) => norm_join(self.root, dir, s),
            toml::Value::Boolean(true) => Some(join(dir, "build.rs")),
            _ => None,
        });
        let mut declared = Vec::new();
        for (section, kind) in [
            ("bin", TargetKind::Bin),
            ("test", TargetKind::Other),
            ("example", TargetKind::Other),
            ("bench", TargetKind::Other),
        ] {
            let Some(list) = table.get(section).and_then(|v| v.as_array()) else {
                continue;
            };
            for entry in list.iter().filter_map(|e| e.as_table()) {
                let name = entry.get("name").and_then(|n| n.as_str()).map(crate_ident);
                let path = entry
                    .get("path")
                    .and_then(|p| p.as_str())
                    .and_then(|p| norm_join(self.root, dir, p));
                let path = match (path, &name) {
                    (Some(p), _) => Some(p),
                    (None, Some(n)) if section == "bin" => {
                        self.default_bin_path(dir, n, &package_name)
                    }
                    (None, Some(n)) => {
                        let sub = format!("{section}s");
                        let one = join(dir, &format!("{sub}/{n}.rs"));
                        let nested = join(dir, &format!("{sub}/{n}/main.rs"));
                        if self.exists(&nested) && !self.exists(&one) {
                            Some(nested)
                        } else {
                            Some(one)
                        }
                    }
                    (None, None) => None,
                };
                if let Some(path) = path {
                    let name = name.unwrap_or_else(|| crate_ident(file_stem(&path)));
                    declared.push((kind, name, path));
                }
            }
        }
        let ws = self.workspace_deps(dir);
        let mut raw_deps = Vec::new();
        let mut tables: Vec<&toml::Table> = DEP_TABLES
            .iter()
            .filter_map(|k| table.get(*k).and_then(|v| v.as_table()))
            .collect();
        if let Some(targets) = table.get("target").and_then(|v| v.as_table()) {
            for cfg in targets.values().filter_map(|v| v.as_table()) {
                tables.extend(
                    DEP_TABLES
                        .iter()
                        .filter_map(|k| cfg.get(*k).and_then(|v| v.as_table())),
                );
            }
        }
        for deps in tables {
            for (key, value) in deps {
                let raw = match value.as_table() {
                    None => RawDep::External,
                    Some(spec) => {
                        if let Some(p) = spec.get("path").and_then(|p| p.as_str()) {
                            match norm_join(self.root, dir, p) {
                                Some(d) => RawDep::Path(d),
                                None => RawDep::External,
                            }
                        } else if spec.get("workspace").and_then(|w| w.as_bool()) == Some(true) {
                            ws.get(key).cloned().unwrap_or(RawDep::External)
                        } else {
                            RawDep::External
                        }
                    }
                };
                raw_deps.push((crate_ident(key), raw));
            }
        }
        // `edition.workspace = true` inherits an edition that is 2018 or
        // later in practice (inheritance came in Rust 1.64).
        let edition_2015 = package.is_some_and(|p| match p.get("edition") {
            None => true,
            Some(e) => e.as_str() == Some("2015"),
        });
        let auto_flag = |key: &str| {
            package
                .and_then(|p| p.get(key))
                .and_then(|v| v.as_bool())
                .unwrap_or(true)
        };
        let auto = AutoTargets {
            // a `[lib]` table still makes the lib (at its path or the default)
            lib: auto_flag("autolib") || lib.is_some(),
            bins: auto_flag("autobins"),
            tests: auto_flag("autotests"),
            examples: auto_flag("autoexamples"),
            benches: auto_flag("autobenches"),
        };
        self.r.packages.push(Package {
            auto,
            edition_2015,
            dir: dir.to_string(),
            crate_name,
            package_name,
            raw_deps,
            deps: HashMap::new(),
            lib_path,
            declared,
            build,
            lib: None,
        });
        self.r.packages.len() - 1
    }

    /// `[[bin]] name = ".."` without a path: where Cargo looks for it.
    fn default_bin_path(&self, dir: &str, name: &str, package_name: &str) -> Option<String> {
        let one = join(dir, &format!("src/bin/{name}.rs"));
        let nested = join(dir, &format!("src/bin/{name}/main.rs"));
        let main = join(dir, "src/main.rs");
        if self.exists(&one) {
            Some(one)
        } else if self.exists(&nested) {
            Some(nested)
        } else if name == package_name {
            Some(main)
        } else {
            Some(one)
        }
    }

    /// `[workspace.dependencies]` of the nearest workspace manifest at or
    /// above `dir`: key → path dependency or external.
    fn workspace_deps(&mut self, dir: &str) -> HashMap<String, RawDep> {
        let mut d = dir.to_string();
        loop {
            if let Some(Ok(table)) = self.manifest(&d) {
                if let Some(ws) = table.get("workspace").and_then(|w| w.as_table()) {
                    let mut out = HashMap::new();
                    if let Some(deps) = ws.get("dependencies").and_then(|v| v.as_table()) {
                        for (key, value) in deps {
                            let path = value
                                .as_table()
                                .and_then(|t| t.get("path"))
                                .and_then(|p| p.as_str())
                                .and_then(|p| norm_join(self.root, &d, p));
                            let raw = match path {
                                Some(p) => RawDep::Path(p),
                                None => RawDep::External,
                            };
                            out.insert(key.clone(), raw);
                        }
                    }
                    return out;
                }
            }
            if d.is_empty() {
                return HashMap::new();
            }
            d = parent(&d).to_string();
        }
    }

    /// Matches package `i`'s path dependencies to packages.
    fn link_deps(&mut self, i: usize) {
        let raw = std::mem::take(&mut self.r.packages[i].raw_deps);
        let mut deps = HashMap::new();
        for (key, dep) in raw {
            let target = match dep {
                RawDep::External => DepTarget::External,
                RawDep::Path(dir) => match self.package_at(&dir) {
                    Some(p) => DepTarget::Workspace(p),
                    None => DepTarget::Missing,
                },
            };
            // A key in several tables: a workspace reading wins.
            let entry = deps.entry(key).or_insert(DepTarget::External);
            if *entry == DepTarget::External {
                *entry = target;
            }
        }
        self.r.packages[i].deps = deps;
    }

    fn add_target(
        &mut self,
        pkg: Option<usize>,
        name: String,
        root: String,
        kind: TargetKind,
    ) -> usize {
        self.r.targets.push(Target {
            pkg,
            name,
            root: root.clone(),
            kind,
        });
        let mut modules = HashMap::new();
        let root_file = self.exists(&root).then_some(root);
        modules.insert(Vec::new(), root_file);
        self.r.modules.push(modules);
        self.visited.push(HashSet::new());
        self.r.targets.len() - 1
    }

    /// The targets of package `p`, lib first; `files` are its `.rs` files.
    fn add_targets(&mut self, p: usize, files: &[&str]) {
        let pkg = self.r.packages[p].clone();
        let prefix = if pkg.dir.is_empty() {
            String::new()
        } else {
            format!("{}/", pkg.dir)
        };
        let mut roots: HashSet<String> = HashSet::new();
        let mut add = |b: &mut Self, name: String, root: String, kind: TargetKind| {
            if roots.insert(root.clone()) {
                let t = b.add_target(Some(p), name, root, kind);
                if kind == TargetKind::Lib {
                    b.r.packages[p].lib = Some(t);
                }
            }
        };
        let lib = match pkg.lib_path.clone() {
            Some(path) => Some(path),
            None if pkg.auto.lib => {
                let default = format!("{prefix}src/lib.rs");
                self.exists(&default).then_some(default)
            }
            None => None,
        };
        if let Some(lib) = lib {
            add(self, pkg.crate_name.clone(), lib, TargetKind::Lib);
        }
        let main = format!("{prefix}src/main.rs");
        if pkg.auto.bins && self.exists(&main) {
            add(self, pkg.package_name.clone(), main, TargetKind::Bin);
        }
        for (kind, name, path) in pkg.declared.iter().filter(|d| d.0 == TargetKind::Bin) {
            add(self, name.clone(), path.clone(), *kind);
        }
        // Auto-discovered bins, tests, examples, benches.
        let mut found: Vec<(TargetKind, String, String)> = Vec::new();
        for f in files {
            let Some(rel) = f.strip_prefix(&prefix) else {
                continue;
            };
            for (sub, kind, auto) in [
                ("src/bin/", TargetKind::Bin, pkg.auto.bins),
                ("tests/", TargetKind::Other, pkg.auto.tests),
                ("examples/", TargetKind::Other, pkg.auto.examples),
                ("benches/", TargetKind::Other, pkg.auto.benches),
            ] {
                if !auto {
                    continue;
                }
                let Some(below) = rel.strip_prefix(sub) else {
                    continue;
                };
                let parts: Vec<&str> = below.split('/').collect();
                match parts.as_slice() {
                    [file] => {
                        found.push((kind, crate_ident(file_stem(file)), f.to_string()));
                    }
                    [d, "main.rs"] => found.push((kind, crate_ident(d), f.to_string())),
                    _ => {}
                }
            }
        }
        found.sort_by_key(|a| a.0 != TargetKind::Bin);
        for (kind, name, root) in found {
            add(self, name, root, kind);
        }
        for (kind, name, path) in pkg.declared.iter().filter(|d| d.0 != TargetKind::Bin) {
            add(self, name.clone(), path.clone(), *kind);
        }
        let build = match &pkg.build {
            Some(b) => b.clone(),
            None => {
                let default = format!("{prefix}build.rs");
                self.exists(&default).then_some(default)
            }
        };
        if let Some(build) = build {
            add(
                self,
                "build_script_build".to_string(),
                build,
                TargetKind::Build,
            );
        }
    }

    /// `mod name;` without `#[path]` from directory `base`: `base/name.rs`,
    /// else `base/name/mod.rs`, with the directory state its file has.
    fn default_child(&self, base: &str, name: &str) -> Option<(String, DirState)> {
        let one = join(base, &format!("{name}.rs"));
        if self.exists(&one) {
            return Some((
                one,
                DirState {
                    dir: base.to_string(),
                    relative: Some(name.to_string()),
                },
            ));
        }
        let nested = join(base, &format!("{name}/mod.rs"));
        self.exists(&nested).then(|| {
            let dir = parent(&nested).to_string();
            (
                nested,
                DirState {
                    dir,
                    relative: None,
                },
            )
        })
    }

    /// Follows the `mod` declarations of `file`, module `module` of target `t`.
    fn walk(&mut self, t: usize, file: String, module: Vec<String>, state: DirState) {
        let mut stack = vec![(file, module, state)];
        while let Some((file, module, state)) = stack.pop() {
            if !self.visited[t].insert(file.clone()) {
                continue;
            }
            if self.guessing && !self.r.file_mod.contains_key(&file) {
                self.r.guessed.insert(file.clone());
            }
            self.r
                .file_mod
                .entry(file.clone())
                .or_insert_with(|| (t, module.clone()));
            let decls: &'a [ModDecl] = self.mods.get(file.as_str()).copied().unwrap_or(&[]);
            let mut states: HashMap<Vec<String>, DirState> = HashMap::new();
            states.insert(Vec::new(), state);
            let mut inline_spans = Vec::new();
            for decl in decls {
                let mut inner = decl.parents.clone();
                let parent_state = self.inline_state(t, &file, &module, decls, &mut states, &inner);
                if decl.include {
                    // the included file's items are this module's; its
                    // `mod` declarations count from its own directory (as
                    // rustc does: windows-sys `include!("Windows/mod.rs")`)
                    let path = decl
                        .path_attr
                        .as_deref()
                        .and_then(|p| norm_join(self.root, parent(&file), p))
                        .filter(|p| self.exists(p));
                    if let Some(path) = path {
                        let mut full = module.clone();
                        full.extend(inner.iter().cloned());
                        let dir = parent(&path).to_string();
                        stack.push((
                            path,
                            full,
                            DirState {
                                dir,
                                relative: None,
                            },
                        ));
                    }
                    continue;
                }
                inner.push(decl.name.clone());
                let mut full = module.clone();
                full.extend(inner.iter().cloned());
                if decl.inline {
                    self.inline_state(t, &file, &module, decls, &mut states, &inner);
                    inline_spans.push(InlineSpan {
                        start: decl.span.start,
                        end: decl.span.end,
                        suffix: inner,
                    });
                    continue;
                }
                // The files the module may be: `#[path]`, then each
                // `cfg_attr(.., path)` (one per configuration), then the
                // default place when no plain `#[path]` overrides it. The
                // first that exists names the module; all are followed.
                let mut children: Vec<(String, DirState)> = Vec::new();
                for attr in decl.path_attr.iter().chain(&decl.cfg_paths) {
                    if let Some(p) =
                        norm_join(self.root, &parent_state.dir, attr).filter(|p| self.exists(p))
                    {
                        if !children.iter().any(|(c, _)| *c == p) {
                            let dir = parent(&p).to_string();
                            children.push((
                                p,
                                DirState {
                                    dir,
                                    relative: None,
                                },
                            ));
                        }
                    }
                }
                if decl.path_attr.is_none() {
                    // a file no root reaches may have been declared through
                    // a `#[path]` and own its directory: look beside it too
                    let beside =
                        self.guessing && decl.parents.is_empty() && parent_state.relative.is_some();
                    let found = self
                        .default_child(&parent_state.owned_dir(), &decl.name)
                        .or_else(|| {
                            beside
                                .then(|| self.default_child(&parent_state.dir, &decl.name))
                                .flatten()
                        });
                    children.extend(found);
                }
                match children.first() {
                    // a `#[path]` chain can nest modules without nesting
                    // folders: past the bound the file is not followed (it
                    // is placed by its path like any file no root reaches)
                    Some(_) if full.len() > MAX_MODULE_DEPTH => {
                        self.r.problems.push((
                            file.clone(),
                            format!(
                                "`mod {}` is nested more than {MAX_MODULE_DEPTH} modules deep: not followed",
                                decl.name
                            ),
                        ));
                    }
                    Some((path, _)) => {
                        self.r.modules[t]
                            .entry(full.clone())
                            .or_insert_with(|| Some(path.clone()));
                        // pushed last-first: the primary file is walked first
                        for (path, st) in children.into_iter().rev() {
                            stack.push((path, full.clone(), st));
                        }
                    }
                    None => {
                        self.r.modules[t].entry(full).or_insert(None);
                        let key = (file.clone(), decl.span.start, decl.name.clone());
                        if !self.guessing && self.missing_seen.insert(key) {
                            self.r.missing.push((file.clone(), decl.clone()));
                        }
                    }
                }
            }
            if !inline_spans.is_empty() {
                self.r.inline.entry(file).or_insert(inline_spans);
            }
        }
    }

    /// The directory state of inline module `inner` (names below the file's
    /// module) of `file`, registering each inline module on the way.
    fn inline_state(
        &mut self,
        t: usize,
        file: &str,
        module: &[String],
        decls: &[ModDecl],
        states: &mut HashMap<Vec<String>, DirState>,
        inner: &[String],
    ) -> DirState {
        for i in 1..=inner.len() {
            let prefix = &inner[..i];
            if states.contains_key(prefix) {
                continue;
            }
            let outer = states
                .get(&inner[..i - 1])
                .cloned()
                .unwrap_or_else(|| DirState {
                    dir: parent(file).to_string(),
                    relative: None,
                });
            let name = &inner[i - 1];
            let attr = decls
                .iter()
                .find(|d| d.inline && d.name == *name && d.parents == inner[..i - 1])
                .and_then(|d| d.path_attr.as_deref());
            let dir = match attr.and_then(|a| norm_join(self.root, &outer.dir, a)) {
                Some(d) => d,
                None => join(&outer.owned_dir(), name),
            };
            states.insert(
                prefix.to_vec(),
                DirState {
                    dir,
                    relative: None,
                },
            );
            let mut full = module.to_vec();
            full.extend(prefix.iter().cloned());
            self.r.modules[t]
                .entry(full)
                .or_insert_with(|| Some(file.to_string()));
        }
        states.get(inner).cloned().unwrap_or(DirState {
            dir: parent(file).to_string(),
            relative: None,
        })
    }
}

/// A crate name as code writes it.
fn crate_ident(name: &str) -> String {
    name.replace('-', "_")
}

/// The directory part of a workspace-relative path (`""` at the root).
fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(i) => &path[..i],
        None => "",
    }
}

/// The file name without its extension.
fn file_stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    match name.rfind('.') {
        Some(i) if i > 0 => &name[..i],
        _ => name,
    }
}

fn depth(path: &str) -> usize {
    path.matches('/').count()
}

/// Whether `dir` is `base` or below it.
fn is_within(dir: &str, base: &str) -> bool {
    base.is_empty()
        || dir == base
        || (dir.len() > base.len() && dir.starts_with(base) && dir.as_bytes()[base.len()] == b'/')
}

/// `dir/name` without normalisation.
fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// `rel` (from a manifest or `#[path]`) joined to the workspace-relative
/// `dir`, with `.` and `..` resolved; `None` when it leaves the workspace.
fn norm_join(root: &Path, dir: &str, rel: &str) -> Option<String> {
    let rel = rel.replace('\\', "/");
    let mut parts: Vec<&str> = Vec::new();
    let rel_str: String;
    let rel = if Path::new(&rel).is_absolute() {
        let stripped = Path::new(&rel).strip_prefix(root).ok()?;
        rel_str = stripped.to_string_lossy().replace('\\', "/");
        rel_str.as_str()
    } else {
        parts.extend(dir.split('/').filter(|s| !s.is_empty()));
        rel.as_str()
    };
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    if parts.is_empty() {
        return Some(String::new());
    }
    Some(parts.join("/"))
}

/// Rust's standard crates.
pub(crate) const RUST_STD_CRATES: &[&str] = &["std", "core", "alloc", "proc_macro", "test"];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::Span;
    use crate::resolve::MemFs;

    /// `mod name;`
    fn m(name: &str) -> ModDecl {
        ModDecl {
            name: name.to_string(),
            path_attr: None,
            cfg_paths: Vec::new(),
            inline: false,
            include: false,
            parents: Vec::new(),
            span: Span::default(),
        }
    }

    /// `#[path = "attr"] mod name;`
    fn mp(name: &str, attr: &str) -> ModDecl {
        ModDecl {
            path_attr: Some(attr.to_string()),
            ..m(name)
        }
    }

    /// `mod name { ... }` spanning `start..end`.
    fn inl(name: &str, start: u32, end: u32) -> ModDecl {
        ModDecl {
            inline: true,
            span: Span {
                start,
                end,
                ..Span::default()
            },
            ..m(name)
        }
    }

    /// `decl` nested in the inline modules `parents`.
    fn within(parents: &[&str], decl: ModDecl) -> ModDecl {
        ModDecl {
            parents: parents.iter().map(|s| s.to_string()).collect(),
            ..decl
        }
    }

    /// A resolver over `files` (path, text); `.rs` files get the `mod`
    /// declarations listed in `mods`.
    fn build(files: &[(&str, &str)], mods: Vec<(&str, Vec<ModDecl>)>) -> RustResolver {
        let fs = MemFs::new(files.iter().copied());
        let mut mods: HashMap<&str, Vec<ModDecl>> = mods.into_iter().collect();
        let list: Vec<(String, Vec<ModDecl>)> = files
            .iter()
            .filter(|(p, _)| p.ends_with(".rs"))
            .map(|(p, _)| (p.to_string(), mods.remove(p).unwrap_or_default()))
            .collect();
        RustResolver::new(Path::new("/"), &fs, &list)
    }

    fn file(p: &str) -> Resolved {
        Resolved::File(p.to_string())
    }

    const APP: &str = "[package]\nname = \"app\"\n";
    const APP_2021: (&str, &str) = (
        "Cargo.toml",
        "[package]\nname = \"app\"\nedition = \"2021\"\n",
    );

    /// `include!("path");`
    fn include(path: &str) -> ModDecl {
        ModDecl {
            path_attr: Some(path.to_string()),
            include: true,
            ..m("")
        }
    }

    /// `#[cfg_attr(.., path = "p")]` for each of `paths`, then `mod name;`.
    fn mcfg(name: &str, paths: &[&str]) -> ModDecl {
        ModDecl {
            cfg_paths: paths.iter().map(|p| p.to_string()).collect(),
            ..m(name)
        }
    }

    /// A one-crate layout: lib.rs declares a (a.rs) and b (b/mod.rs); a
    /// declares c (a/c.rs); b declares d (b/d.rs).
    fn one_crate() -> RustResolver {
        build(
            &[
                ("Cargo.toml", APP),
                ("src/lib.rs", ""),
                ("src/a.rs", ""),
                ("src/a/c.rs", ""),
                ("src/b/mod.rs", ""),
                ("src/b/d.rs", ""),
            ],
            vec![
                ("src/lib.rs", vec![m("a"), m("b")]),
                ("src/a.rs", vec![m("c")]),
                ("src/b/mod.rs", vec![m("d")]),
            ],
        )
    }

    #[test]
    fn crate_paths_resolve_to_the_deepest_module_file() {
        let r = one_crate();
        assert_eq!(
            r.resolve("src/b/d.rs", "crate::a::c::C::new"),
            file("src/a/c.rs")
        );
        assert_eq!(r.resolve("src/b/d.rs", "crate::a::Thing"), file("src/a.rs"));
        assert_eq!(r.resolve("src/b/d.rs", "crate::b::d"), file("src/b/d.rs"));
        assert_eq!(r.resolve("src/b/d.rs", "crate::b"), file("src/b/mod.rs"));
    }

    #[test]
    fn crate_items_resolve_to_the_root() {
        let r = one_crate();
        assert_eq!(r.resolve("src/a/c.rs", "crate::Foo"), file("src/lib.rs"));
        assert_eq!(
            r.resolve("src/a/c.rs", "crate::nothing::x"),
            file("src/lib.rs")
        );
        assert_eq!(r.resolve("src/a/c.rs", "crate"), file("src/lib.rs"));
        assert_eq!(r.resolve("src/a/c.rs", "$crate::a::X"), file("src/a.rs"));
    }

    #[test]
    fn self_paths_start_at_the_files_module() {
        let r = one_crate();
        assert_eq!(r.resolve("src/a.rs", "self::c::X"), file("src/a/c.rs"));
        assert_eq!(r.resolve("src/a.rs", "self::Local"), file("src/a.rs"));
        assert_eq!(r.resolve("src/lib.rs", "self::b::d::f"), file("src/b/d.rs"));
    }

    #[test]
    fn super_chains_climb_the_tree() {
        let r = one_crate();
        assert_eq!(r.resolve("src/a/c.rs", "super::X"), file("src/a.rs"));
        assert_eq!(
            r.resolve("src/a/c.rs", "super::super::b::d"),
            file("src/b/d.rs")
        );
        assert_eq!(
            r.resolve("src/b/d.rs", "super::super::Root"),
            file("src/lib.rs")
        );
        assert_eq!(r.resolve("src/a/c.rs", "super::c::Y"), file("src/a/c.rs"));
    }

    #[test]
    fn super_above_the_crate_root_is_unresolved() {
        let r = one_crate();
        assert_eq!(r.resolve("src/lib.rs", "super::X"), Resolved::Unresolved);
        assert_eq!(
            r.resolve("src/a/c.rs", "super::super::super::X"),
            Resolved::Unresolved
        );
    }

    #[test]
    fn globs_resolve_to_the_module_file() {
        let r = one_crate();
        assert_eq!(r.resolve("src/b/d.rs", "crate::a::*"), file("src/a.rs"));
        assert_eq!(r.resolve("src/a/c.rs", "super::*"), file("src/a.rs"));
        assert_eq!(r.resolve("src/a/c.rs", "crate::*"), file("src/lib.rs"));
    }

    #[test]
    fn self_segment_in_a_group_is_skipped() {
        let r = one_crate();
        assert_eq!(r.resolve("src/lib.rs", "crate::a::self"), file("src/a.rs"));
        assert_eq!(
            r.resolve("src/lib.rs", "crate::a::c::self"),
            file("src/a/c.rs")
        );
    }

    #[test]
    fn uniform_paths_name_child_modules() {
        let r = one_crate();
        assert_eq!(r.resolve("src/lib.rs", "a::c::X"), file("src/a/c.rs"));
        assert_eq!(r.resolve("src/a.rs", "c::X"), file("src/a/c.rs"));
        // `a` is not a child of `b`.
        assert_eq!(r.resolve("src/b/mod.rs", "a::X"), Resolved::NotADependency);
    }

    #[test]
    fn local_names_are_not_dependencies() {
        let r = one_crate();
        assert_eq!(
            r.resolve("src/lib.rs", "Foo::new"),
            Resolved::NotADependency
        );
        assert_eq!(
            r.resolve("src/lib.rs", "Ordering::Less"),
            Resolved::NotADependency
        );
        assert_eq!(r.resolve("src/lib.rs", "Self::X"), Resolved::NotADependency);
        assert_eq!(
            r.resolve("src/lib.rs", "helper::go"),
            Resolved::NotADependency
        );
        assert_eq!(r.resolve("src/lib.rs", ""), Resolved::NotADependency);
    }

    #[test]
    fn std_crates_are_builtins() {
        let r = one_crate();
        for name in ["std", "core", "alloc", "proc_macro", "test"] {
            assert_eq!(
                r.resolve("src/a.rs", &format!("{name}::x::Y")),
                Resolved::Builtin(name.to_string())
            );
        }
        assert_eq!(
            r.resolve("src/a.rs", "::std::env::var"),
            Resolved::Builtin("std".into())
        );
    }

    #[test]
    fn a_local_module_shadows_a_std_crate_name() {
        let r = build(
            &[("Cargo.toml", APP), ("src/lib.rs", ""), ("src/core.rs", "")],
            vec![("src/lib.rs", vec![m("core")])],
        );
        assert_eq!(r.resolve("src/lib.rs", "core::Engine"), file("src/core.rs"));
        assert_eq!(
            r.resolve("src/lib.rs", "::core::mem"),
            Resolved::Builtin("core".into())
        );
        assert_eq!(
            r.resolve("src/core.rs", "core::mem"),
            Resolved::Builtin("core".into())
        );
    }

    #[test]
    fn non_mod_rs_files_own_a_directory() {
        let r = build(
            &[
                ("Cargo.toml", APP),
                ("src/lib.rs", ""),
                ("src/x.rs", ""),
                ("src/x/y.rs", ""),
                ("src/x/y/z/mod.rs", ""),
                ("src/y.rs", ""),
            ],
            vec![
                ("src/lib.rs", vec![m("x")]),
                ("src/x.rs", vec![m("y")]),
                ("src/x/y.rs", vec![m("z")]),
            ],
        );
        assert_eq!(
            r.resolve("src/lib.rs", "crate::x::y::z::W"),
            file("src/x/y/z/mod.rs")
        );
        assert_eq!(
            r.module_path_of("src/x/y/z/mod.rs"),
            Some(("app".into(), vec!["x".into(), "y".into(), "z".into()]))
        );
        // src/y.rs is not `x::y`: it is unreached and named by convention.
        assert_eq!(
            r.module_path_of("src/y.rs"),
            Some(("app".into(), vec!["y".into()]))
        );
        assert!(r.missing_mods().is_empty());
    }

    #[test]
    fn a_rs_is_preferred_over_a_mod_rs() {
        let r = build(
            &[
                ("Cargo.toml", APP),
                ("src/lib.rs", ""),
                ("src/a.rs", ""),
                ("src/a/mod.rs", ""),
            ],
            vec![("src/lib.rs", vec![m("a")])],
        );
        assert_eq!(r.resolve("src/lib.rs", "crate::a::X"), file("src/a.rs"));
    }

    #[test]
    fn inline_modules_resolve_to_their_file() {
        let r = build(
            &[
                ("Cargo.toml", APP),
                ("src/lib.rs", ""),
                ("src/a.rs", ""),
                ("src/a/inner/deep.rs", ""),
            ],
            vec![
                ("src/lib.rs", vec![m("a")]),
                (
                    "src/a.rs",
                    vec![inl("inner", 10, 100), within(&["inner"], m("deep"))],
                ),
            ],
        );
        assert_eq!(
            r.resolve("src/lib.rs", "crate::a::inner::X"),
            file("src/a.rs")
        );
        assert_eq!(
            r.resolve("src/lib.rs", "crate::a::inner::deep::Y"),
            file("src/a/inner/deep.rs")
        );
        assert_eq!(
            r.module_path_of("src/a/inner/deep.rs"),
            Some((
                "app".into(),
                vec!["a".into(), "inner".into(), "deep".into()]
            ))
        );
    }

    #[test]
    fn inline_modules_in_mod_rs_files_imply_directories() {
        let r = build(
            &[
                ("Cargo.toml", APP),
                ("src/lib.rs", ""),
                ("src/outer/b.rs", ""),
                ("src/outer/c/d.rs", ""),
            ],
            vec![(
                "src/lib.rs",
                vec![
                    inl("outer", 0, 200),
                    within(&["outer"], m("b")),
                    within(&["outer"], inl("c", 50, 150)),
                    within(&["outer", "c"], m("d")),
                ],
            )],
        );
        assert_eq!(
            r.resolve("src/lib.rs", "crate::outer::b::X"),
            file("src/outer/b.rs")
        );
        assert_eq!(
            r.resolve("src/outer/b.rs", "crate::outer::c::d"),
            file("src/outer/c/d.rs")
        );
        assert_eq!(
            r.resolve("src/outer/b.rs", "super::c::Z"),
            file("src/lib.rs")
        );
        assert_eq!(
            r.resolve("src/outer/c/d.rs", "super::super::b"),
            file("src/outer/b.rs")
        );
    }

    #[test]
    fn resolve_at_counts_from_the_enclosing_inline_module() {
        let r = build(
            &[
                ("Cargo.toml", APP),
                ("src/lib.rs", ""),
                ("src/a.rs", ""),
                ("src/a/tests/helper.rs", ""),
            ],
            vec![
                ("src/lib.rs", vec![m("a"), inl("tests", 300, 400)]),
                (
                    "src/a.rs",
                    vec![inl("tests", 100, 200), within(&["tests"], m("helper"))],
                ),
            ],
        );
        // `mod tests { use super::*; }` in a.rs is a.rs, not the crate root.
        assert_eq!(r.resolve_at("src/a.rs", "super::*", 150), file("src/a.rs"));
        assert_eq!(r.resolve_at("src/a.rs", "super::*", 50), file("src/lib.rs"));
        assert_eq!(
            r.resolve_at("src/a.rs", "self::helper::X", 150),
            file("src/a/tests/helper.rs")
        );
        assert_eq!(
            r.resolve_at("src/lib.rs", "super::*", 350),
            file("src/lib.rs")
        );
        assert_eq!(
            r.resolve_at("src/lib.rs", "super::*", 10),
            Resolved::Unresolved
        );
    }

    #[test]
    fn super_from_a_root_with_inline_modules_reads_as_inside_one() {
        let r = build(
            &[("Cargo.toml", APP), ("src/lib.rs", "")],
            vec![("src/lib.rs", vec![inl("tests", 300, 400)])],
        );
        assert_eq!(r.resolve("src/lib.rs", "super::*"), file("src/lib.rs"));
        assert_eq!(
            r.resolve("src/lib.rs", "super::super::X"),
            Resolved::Unresolved
        );
    }

    fn ext(p: &str) -> Resolved {
        Resolved::External(p.to_string())
    }

    /// `mod name { ... }` with an empty span.
    fn inl0(name: &str) -> ModDecl {
        ModDecl {
            inline: true,
            ..m(name)
        }
    }

    #[test]
    fn path_attr_is_relative_to_the_declaring_files_directory() {
        let r = build(
            &[
                ("Cargo.toml", APP),
                ("src/lib.rs", ""),
                ("src/x.rs", ""),
                ("src/gen/out.rs", ""),
                ("src/other.rs", ""),
                ("src/gen/sub.rs", ""),
            ],
            vec![
                ("src/lib.rs", vec![mp("generated", "gen/out.rs"), m("x")]),
                // In non-mod-rs src/x.rs, #[path] is still relative to src/.
                ("src/x.rs", vec![mp("o", "other.rs")]),
                // A #[path] file acts as a mod.rs: children are siblings.
                ("src/gen/out.rs", vec![m("sub")]),
            ],
        );
        assert_eq!(
            r.resolve("src/lib.rs", "crate::generated::X"),
            file("src/gen/out.rs")
        );
        assert_eq!(
            r.resolve("src/lib.rs", "crate::x::o::Y"),
            file("src/other.rs")
        );
        assert_eq!(
            r.resolve("src/lib.rs", "crate::generated::sub::Z"),
            file("src/gen/sub.rs")
        );
        assert_eq!(
            r.module_path_of("src/other.rs"),
            Some(("app".into(), vec!["x".into(), "o".into()]))
        );
    }

    #[test]
    fn path_attr_with_parent_dirs_is_normalised() {
        let r = build(
            &[
                ("Cargo.toml", APP),
                ("src/lib.rs", ""),
                ("shared/common.rs", ""),
            ],
            vec![("src/lib.rs", vec![mp("common", "../shared/common.rs")])],
        );
        assert_eq!(
            r.resolve("src/lib.rs", "crate::common::Z"),
            file("shared/common.rs")
        );
        assert_eq!(
            r.resolve("shared/common.rs", "crate::Root"),
            file("src/lib.rs")
        );
    }

    #[test]
    fn path_attr_inside_inline_modules_is_relative_to_their_directory() {
        let r = build(
            &[
                ("Cargo.toml", APP),
                ("src/lib.rs", ""),
                ("src/x.rs", ""),
                ("src/outer/p.rs", ""),
                ("src/x/inner/q.rs", ""),
                ("src/custom/r.rs", ""),
            ],
            vec![
                (
                    "src/lib.rs",
                    vec![
                        m("x"),
                        inl0("outer"),
                        within(&["outer"], mp("p", "p.rs")),
                        ModDecl {
                            path_attr: Some("custom".into()),
                            ..inl0("c")
                        },
                        within(&["c"], m("r")),
                    ],
                ),
                // Non-mod-rs: the inline module's directory starts with `x/`.
                (
                    "src/x.rs",
                    vec![inl0("inner"), within(&["inner"], mp("q", "q.rs"))],
                ),
            ],
        );
        assert_eq!(
            r.resolve("src/lib.rs", "crate::outer::p::A"),
            file("src/outer/p.rs")
        );
        assert_eq!(
            r.resolve("src/lib.rs", "crate::x::inner::q::B"),
            file("src/x/inner/q.rs")
        );
        assert_eq!(
            r.resolve("src/lib.rs", "crate::c::r::C"),
            file("src/custom/r.rs")
        );
        assert_eq!(r.resolve("src/lib.rs", "crate::c::D"), file("src/lib.rs"));
        assert!(r.missing_mods().is_empty());
    }

    #[test]
    fn path_attr_cycles_terminate() {
        let r = build(
            &[("Cargo.toml", APP), ("src/lib.rs", ""), ("src/a.rs", "")],
            vec![
                ("src/lib.rs", vec![m("a")]),
                ("src/a.rs", vec![mp("back", "lib.rs"), mp("me", "a.rs")]),
            ],
        );
        assert_eq!(r.resolve("src/lib.rs", "crate::a::X"), file("src/a.rs"));
        assert_eq!(
            r.resolve("src/lib.rs", "crate::a::back::Y"),
            file("src/lib.rs")
        );
        assert_eq!(
            r.module_path_of("src/a.rs"),
            Some(("app".into(), vec!["a".into()]))
        );
        assert_eq!(r.module_path_of("src/lib.rs"), Some(("app".into(), vec![])));
    }

    #[test]
    fn missing_mod_files_are_reported_and_unresolved() {
        let r = build(
            &[("Cargo.toml", APP), ("src/lib.rs", ""), ("src/a.rs", "")],
            vec![
                (
                    "src/lib.rs",
                    vec![m("a"), m("gone"), inl0("t"), within(&["t"], m("nope"))],
                ),
                ("src/a.rs", vec![mp("p", "missing.rs")]),
            ],
        );
        let missing: Vec<(String, String)> = r
            .missing_mods()
            .into_iter()
            .map(|(f, d)| (f, d.name))
            .collect();
        let mut missing = missing;
        missing.sort();
        assert_eq!(
            missing,
            vec![
                ("src/a.rs".to_string(), "p".to_string()),
                ("src/lib.rs".to_string(), "gone".to_string()),
                ("src/lib.rs".to_string(), "nope".to_string()),
            ]
        );
        assert_eq!(
            r.resolve("src/a.rs", "crate::gone::X"),
            Resolved::Unresolved
        );
        assert_eq!(r.resolve("src/lib.rs", "gone::X"), Resolved::Unresolved);
        assert_eq!(r.resolve("src/lib.rs", "crate::a::p"), Resolved::Unresolved);
        assert_eq!(r.resolve("src/lib.rs", "crate::a::q"), file("src/a.rs"));
    }

    #[test]
    fn unreached_files_get_conventional_module_paths() {
        let r = build(
            &[
                ("Cargo.toml", APP),
                ("src/lib.rs", ""),
                ("src/orphan.rs", ""),
                ("src/dir/mod.rs", ""),
                ("src/dir/leaf.rs", ""),
            ],
            vec![("src/dir/mod.rs", vec![m("leaf")])],
        );
        assert_eq!(
            r.module_path_of("src/orphan.rs"),
            Some(("app".into(), vec!["orphan".into()]))
        );
        assert_eq!(
            r.module_path_of("src/dir/mod.rs"),
            Some(("app".into(), vec!["dir".into()]))
        );
        assert_eq!(
            r.module_path_of("src/dir/leaf.rs"),
            Some(("app".into(), vec!["dir".into(), "leaf".into()]))
        );
        assert_eq!(
            r.resolve("src/orphan.rs", "crate::Root"),
            file("src/lib.rs")
        );
        assert_eq!(
            r.resolve("src/orphan.rs", "crate::dir::leaf::X"),
            file("src/dir/leaf.rs")
        );
        assert_eq!(
            r.resolve("src/dir/leaf.rs", "super::super::orphan::Y"),
            file("src/orphan.rs")
        );
        assert_eq!(
            r.resolve("src/dir/mod.rs", "leaf::Z"),
            file("src/dir/leaf.rs")
        );
    }

    #[test]
    fn bins_tests_examples_benches_and_build_scripts_are_roots() {
        let r = build(
            &[
                ("Cargo.toml", "[package]\nname = \"my-tool\"\n"),
                ("src/lib.rs", ""),
                ("src/util.rs", ""),
                ("src/main.rs", ""),
                ("src/cli.rs", ""),
                ("src/bin/extra.rs", ""),
                ("src/bin/big/main.rs", ""),
                ("src/bin/big/part.rs", ""),
                ("tests/it.rs", ""),
                ("tests/common/mod.rs", ""),
                ("examples/demo.rs", ""),
                ("benches/speed.rs", ""),
                ("build.rs", ""),
            ],
            vec![
                ("src/lib.rs", vec![m("util")]),
                ("src/main.rs", vec![m("cli")]),
                ("src/bin/big/main.rs", vec![m("part")]),
                ("tests/it.rs", vec![m("common")]),
            ],
        );
        assert_eq!(r.resolve("src/cli.rs", "crate::X"), file("src/main.rs"));
        assert_eq!(
            r.resolve("src/main.rs", "my_tool::util::f"),
            file("src/util.rs")
        );
        assert_eq!(
            r.resolve("src/bin/big/part.rs", "crate::Y"),
            file("src/bin/big/main.rs")
        );
        assert_eq!(
            r.resolve("src/bin/extra.rs", "crate::Y"),
            file("src/bin/extra.rs")
        );
        assert_eq!(
            r.resolve("tests/it.rs", "common::helper"),
            file("tests/common/mod.rs")
        );
        assert_eq!(
            r.resolve("tests/common/mod.rs", "crate::x"),
            file("tests/it.rs")
        );
        assert_eq!(
            r.resolve("tests/it.rs", "my_tool::util"),
            file("src/util.rs")
        );
        assert_eq!(
            r.resolve("examples/demo.rs", "crate::Z"),
            file("examples/demo.rs")
        );
        assert_eq!(
            r.resolve("benches/speed.rs", "self::Z"),
            file("benches/speed.rs")
        );
        assert_eq!(r.resolve("build.rs", "crate::Z"), file("build.rs"));
        assert_eq!(
            r.module_path_of("src/bin/big/part.rs"),
            Some(("big".into(), vec!["part".into()]))
        );
        assert_eq!(
            r.module_path_of("src/cli.rs"),
            Some(("my_tool".into(), vec!["cli".into()]))
        );
        assert_eq!(r.crate_name_of("tests/it.rs"), Some("my_tool"));
    }

    #[test]
    fn declared_lib_and_bin_paths_are_honoured() {
        let r = build(
            &[
                (
                    "Cargo.toml",
                    "[package]\nname = \"pkg\"\n[lib]\nname = \"core_lib\"\npath = \"lib/root.rs\"\n[[bin]]\nname = \"tool\"\npath = \"cmd/tool.rs\"\n",
                ),
                ("lib/root.rs", ""),
                ("lib/inner.rs", ""),
                ("cmd/tool.rs", ""),
            ],
            vec![("lib/root.rs", vec![m("inner")])],
        );
        assert_eq!(
            r.resolve("cmd/tool.rs", "core_lib::inner::X"),
            file("lib/inner.rs")
        );
        assert_eq!(r.resolve("lib/inner.rs", "crate::Y"), file("lib/root.rs"));
        assert_eq!(r.resolve("cmd/tool.rs", "crate::Y"), file("cmd/tool.rs"));
        assert_eq!(r.crate_name_of("cmd/tool.rs"), Some("core_lib"));
        assert_eq!(
            r.module_path_of("cmd/tool.rs"),
            Some(("tool".into(), vec![]))
        );
        assert!(r.is_workspace_crate("core_lib"));
        assert!(r.is_workspace_crate("pkg"));
        assert!(!r.is_workspace_crate("serde"));
    }

    #[test]
    fn dependencies_are_external_by_key() {
        let manifest = r#"
[package]
name = "app"
edition = "2021"

[dependencies]
serde = "1"
my-http = { package = "reqwest", version = "0.12" }
tokio = { version = "1", features = ["full"] }

[dev-dependencies]
insta = "1"

[build-dependencies]
cc = "1"

[target.'cfg(windows)'.dependencies]
winapi = "0.3"

[target.'cfg(unix)'.dev-dependencies]
nix = "0.29"
"#;
        let r = build(&[("Cargo.toml", manifest), ("src/lib.rs", "")], vec![]);
        let from = "src/lib.rs";
        assert_eq!(r.resolve(from, "serde::Deserialize"), ext("serde"));
        assert_eq!(r.resolve(from, "my_http::Client"), ext("my_http"));
        assert_eq!(r.resolve(from, "reqwest::Client"), Resolved::NotADependency);
        assert_eq!(r.resolve(from, "tokio::spawn"), ext("tokio"));
        assert_eq!(r.resolve(from, "insta::assert_snapshot"), ext("insta"));
        assert_eq!(r.resolve(from, "cc::Build"), ext("cc"));
        assert_eq!(r.resolve(from, "winapi::um"), ext("winapi"));
        assert_eq!(r.resolve(from, "nix::unistd"), ext("nix"));
        assert_eq!(r.resolve(from, "::serde::Serialize"), ext("serde"));
        assert_eq!(r.resolve(from, "serde"), ext("serde"));
        // Leading `::` always names a crate (2018 and later).
        assert_eq!(r.resolve(from, "::unknown::x"), ext("unknown"));
        assert!(r.problems().is_empty());
    }

    #[test]
    fn published_manifests_turn_target_discovery_off() {
        // `cargo publish` writes `autotests = false` and lists the targets:
        // idna's tests/deprecated.rs is a module of tests/tests.rs, not a
        // test of its own
        let manifest = "[package]\nname = \"idna\"\nedition = \"2018\"\nautolib = false\nautobins = false\nautotests = false\n\n[lib]\npath = \"src/lib.rs\"\n\n[[test]]\nname = \"tests\"\npath = \"tests/tests.rs\"\n";
        let files = [
            ("Cargo.toml", manifest),
            ("src/lib.rs", ""),
            ("src/main.rs", ""),
            ("tests/tests.rs", ""),
            ("tests/deprecated.rs", ""),
        ];
        let r = build(&files, vec![("tests/tests.rs", vec![m("deprecated")])]);
        assert_eq!(
            r.module_path_of("tests/deprecated.rs"),
            Some(("tests".to_string(), vec!["deprecated".to_string()]))
        );
        assert_eq!(
            r.resolve("tests/deprecated.rs", "crate::X"),
            file("tests/tests.rs")
        );
        // no bin: src/main.rs is reached by no root
        assert!(r.is_guessed("src/main.rs"));
        // with discovery on, tests/deprecated.rs is a test crate of its own
        let on = manifest
            .replace("autotests = false\n", "")
            .replace("autobins = false\n", "");
        let files = [
            ("Cargo.toml", on.as_str()),
            files[1],
            files[2],
            files[3],
            files[4],
        ];
        let r = build(&files, vec![("tests/tests.rs", vec![m("deprecated")])]);
        assert_eq!(
            r.resolve("tests/deprecated.rs", "crate::X"),
            file("tests/deprecated.rs")
        );
        assert!(!r.is_guessed("src/main.rs"));
    }

    #[test]
    fn raw_identifiers_name_their_modules() {
        // the extractor names `mod r#type;` `type`
        let r = build(
            &[
                APP_2021,
                ("src/lib.rs", ""),
                ("src/type.rs", "pub struct T;\n"),
            ],
            vec![("src/lib.rs", vec![m("type")])],
        );
        assert_eq!(
            r.resolve("src/lib.rs", "crate::r#type::T"),
            file("src/type.rs")
        );
        assert_eq!(r.resolve("src/lib.rs", "r#type::T"), file("src/type.rs"));
        assert!(r.missing_mods().is_empty());
    }

    #[test]
    fn an_included_files_mods_count_from_the_including_module() {
        // windows-core: lib.rs has `include!("windows.rs");`, whose
        // `mod array;` is `src/array.rs`, a child of the crate root
        let r = build(
            &[
                APP_2021,
                ("src/lib.rs", ""),
                ("src/windows.rs", ""),
                ("src/array.rs", ""),
                ("src/imp/mod.rs", ""),
                ("src/imp/windows.rs", ""),
                ("src/imp/marshaler.rs", ""),
                ("src/sys.rs", ""),
                ("src/Windows/mod.rs", ""),
                ("src/Windows/Wdk/mod.rs", ""),
            ],
            vec![
                (
                    "src/lib.rs",
                    vec![include("windows.rs"), m("imp"), m("sys")],
                ),
                ("src/windows.rs", vec![m("array")]),
                ("src/imp/mod.rs", vec![include("windows.rs")]),
                ("src/imp/windows.rs", vec![m("marshaler")]),
                ("src/sys.rs", vec![include("Windows/mod.rs")]),
                ("src/Windows/mod.rs", vec![m("Wdk")]),
            ],
        );
        // windows-sys: `include!("Windows/mod.rs")`, whose `mod Wdk;` is
        // `Windows/Wdk/mod.rs`: from the included file's own directory
        assert_eq!(
            r.resolve("src/sys.rs", "self::Wdk::W"),
            file("src/Windows/Wdk/mod.rs")
        );
        assert_eq!(
            r.resolve("src/lib.rs", "crate::array::A"),
            file("src/array.rs")
        );
        assert_eq!(
            r.resolve("src/windows.rs", "array::A"),
            file("src/array.rs")
        );
        assert_eq!(
            r.resolve("src/lib.rs", "crate::imp::marshaler::M"),
            file("src/imp/marshaler.rs")
        );
        assert_eq!(
            r.module_path_of("src/imp/windows.rs"),
            Some(("app".to_string(), vec!["imp".to_string()]))
        );
        assert!(r.missing_mods().is_empty(), "{:?}", r.missing_mods());
    }

    #[test]
    fn a_file_no_root_reaches_looks_for_its_mods_beside_it_and_reports_none() {
        // mio: `selector/poll.rs` is reached through a `#[path]` written
        // inside a macro call; its `mod registered_io_source;` is beside it
        let r = build(
            &[
                APP_2021,
                ("src/lib.rs", ""),
                ("src/selector/poll.rs", ""),
                ("src/selector/registered_io_source.rs", ""),
            ],
            vec![(
                "src/selector/poll.rs",
                vec![m("registered_io_source"), m("gone")],
            )],
        );
        assert_eq!(
            r.resolve("src/selector/poll.rs", "registered_io_source::R"),
            file("src/selector/registered_io_source.rs")
        );
        assert!(r.missing_mods().is_empty(), "{:?}", r.missing_mods());
    }

    #[test]
    fn cfg_attr_paths_are_each_the_module() {
        // rustix: `backend` is `backend/libc/mod.rs` or
        // `backend/linux_raw/mod.rs`; each declares its own children.
        let lib = vec![
            mcfg(
                "backend",
                &["backend/libc/mod.rs", "backend/linux_raw/mod.rs"],
            ),
            mcfg("lazy", &["one.rs", "gone.rs"]),
            mcfg("missing", &["nowhere.rs"]),
        ];
        let r = build(
            &[
                APP_2021,
                ("src/lib.rs", ""),
                ("src/backend/libc/mod.rs", ""),
                ("src/backend/libc/conv.rs", ""),
                ("src/backend/linux_raw/mod.rs", ""),
                ("src/backend/linux_raw/arch.rs", ""),
                ("src/one.rs", ""),
            ],
            vec![
                ("src/lib.rs", lib),
                ("src/backend/libc/mod.rs", vec![m("conv")]),
                ("src/backend/linux_raw/mod.rs", vec![m("arch")]),
            ],
        );
        let from = "src/lib.rs";
        assert_eq!(
            r.resolve(from, "crate::backend::conv::f"),
            file("src/backend/libc/conv.rs")
        );
        assert_eq!(
            r.resolve(from, "crate::backend::arch::g"),
            file("src/backend/linux_raw/arch.rs")
        );
        assert_eq!(
            r.resolve(from, "crate::backend::X"),
            file("src/backend/libc/mod.rs")
        );
        assert_eq!(r.resolve(from, "crate::lazy::Lazy"), file("src/one.rs"));
        // every alternative is that module: `super` from either is the root
        assert_eq!(
            r.module_path_of("src/backend/linux_raw/arch.rs"),
            Some((
                "app".to_string(),
                vec!["backend".to_string(), "arch".to_string()]
            ))
        );
        let missing: Vec<String> = r.missing_mods().into_iter().map(|(_, d)| d.name).collect();
        assert_eq!(missing, ["missing"]);
    }

    #[test]
    fn a_leading_colon_pair_starts_at_the_crate_root_in_edition_2015() {
        for (edition, local) in [
            ("", true),
            ("edition = \"2015\"\n", true),
            ("edition = \"2018\"\n", false),
        ] {
            let manifest =
                format!("[package]\nname = \"old\"\n{edition}\n[dependencies]\nserde = \"1\"\n");
            let r = build(
                &[
                    ("Cargo.toml", &manifest),
                    ("src/lib.rs", "mod config;\nmod tests;\n"),
                    ("src/config.rs", "pub struct Config;\n"),
                    ("src/tests.rs", ""),
                ],
                vec![("src/lib.rs", vec![m("config"), m("tests")])],
            );
            let from = "src/tests.rs";
            let want = if local {
                file("src/config.rs")
            } else {
                ext("config")
            };
            assert_eq!(r.resolve(from, "::config::Config"), want, "{edition:?}");
            assert_eq!(
                r.resolve(from, "::serde::Serialize"),
                ext("serde"),
                "{edition:?}"
            );
            assert_eq!(
                r.resolve(from, "::std::env"),
                Resolved::Builtin("std".into()),
                "{edition:?}"
            );
        }
    }

    /// `crates/domain`, `crates/infra` (depends on domain by path),
    /// `crates/app` (workspace-inherited deps, a renamed one).
    fn workspace() -> RustResolver {
        build(
            &[
                (
                    "Cargo.toml",
                    r#"
[workspace]
members = ["crates/*"]

[workspace.dependencies]
domain = { path = "crates/domain" }
infra-db = { path = "crates/infra", package = "infra" }
anyhow = "1"
"#,
                ),
                ("crates/domain/Cargo.toml", "[package]\nname = \"domain\"\n"),
                ("crates/domain/src/lib.rs", ""),
                ("crates/domain/src/user.rs", ""),
                ("crates/domain/src/ports/mod.rs", ""),
                ("crates/domain/src/ports/repo.rs", ""),
                (
                    "crates/infra/Cargo.toml",
                    "[package]\nname = \"infra\"\n[dependencies]\ndomain = { path = \"../domain\" }\nsqlx = \"0.8\"\n",
                ),
                ("crates/infra/src/lib.rs", ""),
                ("crates/infra/src/db.rs", ""),
                (
                    "crates/app/Cargo.toml",
                    "[package]\nname = \"my-app\"\n[dependencies]\ndomain.workspace = true\ndb = { workspace = true }\nanyhow = { workspace = true }\n",
                ),
                ("crates/app/src/main.rs", ""),
            ],
            vec![
                ("crates/domain/src/lib.rs", vec![m("user"), m("ports")]),
                ("crates/domain/src/ports/mod.rs", vec![m("repo")]),
                ("crates/infra/src/lib.rs", vec![m("db")]),
            ],
        )
    }

    #[test]
    fn workspace_crates_resolve_through_their_lib_tree() {
        let r = workspace();
        let from = "crates/infra/src/db.rs";
        assert_eq!(
            r.resolve(from, "domain::user::User"),
            file("crates/domain/src/user.rs")
        );
        assert_eq!(
            r.resolve(from, "domain::ports::repo::Repo"),
            file("crates/domain/src/ports/repo.rs")
        );
        assert_eq!(
            r.resolve(from, "domain::ports::Port"),
            file("crates/domain/src/ports/mod.rs")
        );
        assert_eq!(
            r.resolve(from, "domain::Thing"),
            file("crates/domain/src/lib.rs")
        );
        assert_eq!(
            r.resolve(from, "::domain::user"),
            file("crates/domain/src/user.rs")
        );
        assert_eq!(r.resolve(from, "sqlx::query"), ext("sqlx"));
        assert_eq!(
            r.resolve(from, "crate::db::X"),
            file("crates/infra/src/db.rs")
        );
        assert_eq!(r.resolve(from, "crate::Y"), file("crates/infra/src/lib.rs"));
    }

    #[test]
    fn an_enclosing_modules_child_wins_over_an_undeclared_workspace_crate() {
        // rust-analyzer: parser's grammar.rs has `mod paths;`; its inline
        // modules write `paths::type_path(p)` after `use super::*;`, and the
        // workspace has a crate `paths` the parser does not depend on
        let parser = "[package]\nname = \"parser\"\nedition = \"2021\"\n";
        let paths = "[package]\nname = \"paths\"\nedition = \"2021\"\n";
        let r = build(
            &[
                ("crates/parser/Cargo.toml", parser),
                ("crates/parser/src/lib.rs", ""),
                ("crates/parser/src/grammar.rs", ""),
                ("crates/parser/src/grammar/paths.rs", ""),
                ("crates/parser/src/grammar/items.rs", ""),
                ("crates/paths/Cargo.toml", paths),
                ("crates/paths/src/lib.rs", ""),
            ],
            vec![
                ("crates/parser/src/lib.rs", vec![m("grammar")]),
                ("crates/parser/src/grammar.rs", vec![m("paths"), m("items")]),
            ],
        );
        assert_eq!(
            r.resolve("crates/parser/src/grammar/items.rs", "paths::type_path"),
            file("crates/parser/src/grammar/paths.rs")
        );
        // where no enclosing module has one, the undeclared crate is meant
        assert_eq!(
            r.resolve("crates/parser/src/lib.rs", "paths::AbsPath"),
            file("crates/paths/src/lib.rs")
        );
    }

    #[test]
    fn workspace_inherited_and_renamed_deps() {
        let r = workspace();
        let from = "crates/app/src/main.rs";
        assert_eq!(
            r.resolve(from, "domain::user::User"),
            file("crates/domain/src/user.rs")
        );
        // `db` inherits `infra-db`? No: the key in app is `db`, whose
        // workspace entry does not exist, so it is external.
        assert_eq!(r.resolve(from, "db::X"), ext("db"));
        assert_eq!(r.resolve(from, "anyhow::Result"), ext("anyhow"));
        // Workspace crates are found by name even when not declared.
        assert_eq!(
            r.resolve(from, "infra::db::Pool"),
            file("crates/infra/src/db.rs")
        );
        assert_eq!(r.crate_name_of(from), Some("my_app"));
        assert_eq!(
            r.crate_name_of("crates/domain/src/ports/repo.rs"),
            Some("domain")
        );
        assert!(r.is_workspace_crate("my-app"));
        assert!(r.is_workspace_crate("infra"));
        assert!(!r.is_workspace_crate("anyhow"));
        assert_eq!(
            r.module_path_of("crates/domain/src/ports/repo.rs"),
            Some(("domain".into(), vec!["ports".into(), "repo".into()]))
        );
    }

    #[test]
    fn renamed_workspace_deps_use_the_key() {
        let r = build(
            &[
                ("Cargo.toml", "[workspace]\n[workspace.dependencies]\nstore = { path = \"infra\", package = \"infra\" }\n"),
                ("infra/Cargo.toml", "[package]\nname = \"infra\"\n"),
                ("infra/src/lib.rs", ""),
                ("infra/src/db.rs", ""),
                (
                    "app/Cargo.toml",
                    "[package]\nname = \"app\"\n[dependencies]\nstore = { workspace = true }\ndb2 = { path = \"../infra\", package = \"infra\" }\n",
                ),
                ("app/src/lib.rs", ""),
            ],
            vec![("infra/src/lib.rs", vec![m("db")])],
        );
        assert_eq!(
            r.resolve("app/src/lib.rs", "store::db::X"),
            file("infra/src/db.rs")
        );
        assert_eq!(
            r.resolve("app/src/lib.rs", "db2::Y"),
            file("infra/src/lib.rs")
        );
    }

    #[test]
    fn hyphenated_crate_names_use_underscores() {
        let r = build(
            &[
                ("crates/my-core/Cargo.toml", "[package]\nname = \"my-core\"\n"),
                ("crates/my-core/src/lib.rs", ""),
                ("crates/my-core/src/a.rs", ""),
                ("crates/user/Cargo.toml", "[package]\nname = \"user\"\n[dependencies]\nmy-core = { path = \"../my-core\" }\nserde-json = \"1\"\n"),
                ("crates/user/src/lib.rs", ""),
            ],
            vec![("crates/my-core/src/lib.rs", vec![m("a")])],
        );
        assert_eq!(
            r.resolve("crates/user/src/lib.rs", "my_core::a::X"),
            file("crates/my-core/src/a.rs")
        );
        assert_eq!(
            r.resolve("crates/user/src/lib.rs", "serde_json::Value"),
            ext("serde_json")
        );
        assert_eq!(r.crate_name_of("crates/my-core/src/a.rs"), Some("my_core"));
        assert!(r.is_workspace_crate("my_core"));
        assert!(r.is_workspace_crate("my-core"));
    }

    #[test]
    fn path_deps_outside_the_root_are_external_and_missing_ones_unresolved() {
        let r = build(
            &[
                ("Cargo.toml", "[package]\nname = \"app\"\n[dependencies]\nfar = { path = \"../../far\" }\nghost = { path = \"ghost\" }\n"),
                ("src/lib.rs", ""),
            ],
            vec![],
        );
        assert_eq!(r.resolve("src/lib.rs", "far::x"), ext("far"));
        assert_eq!(r.resolve("src/lib.rs", "ghost::x"), Resolved::Unresolved);
    }

    #[test]
    fn path_dep_to_a_package_without_listed_files() {
        let r = build(
            &[
                ("Cargo.toml", "[package]\nname = \"app\"\n[dependencies]\nvendored = { path = \"vendor/v\" }\n"),
                ("src/lib.rs", ""),
                ("vendor/v/Cargo.toml", "[package]\nname = \"vendored\"\n"),
            ],
            vec![],
        );
        // The package exists but has no lib root on disk.
        assert_eq!(r.resolve("src/lib.rs", "vendored::x"), Resolved::Unresolved);
        assert!(r.is_workspace_crate("vendored"));
    }

    #[test]
    fn malformed_manifest_is_a_problem_and_has_no_deps() {
        let r = build(
            &[
                ("crates/bad/Cargo.toml", "[package\nname = \"bad\"\n"),
                ("crates/bad/src/lib.rs", ""),
                ("crates/bad/src/a.rs", ""),
            ],
            vec![("crates/bad/src/lib.rs", vec![m("a")])],
        );
        let problems = r.problems();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].0, "crates/bad/Cargo.toml");
        assert!(
            problems[0].1.starts_with("malformed Cargo.toml"),
            "{}",
            problems[0].1
        );
        assert_eq!(
            r.resolve("crates/bad/src/lib.rs", "crate::a::X"),
            file("crates/bad/src/a.rs")
        );
        assert_eq!(
            r.resolve("crates/bad/src/lib.rs", "serde::X"),
            Resolved::NotADependency
        );
        assert_eq!(r.crate_name_of("crates/bad/src/a.rs"), Some("bad"));
    }

    #[test]
    fn virtual_manifests_are_skipped_for_the_nearest_package() {
        let r = build(
            &[
                (
                    "Cargo.toml",
                    "[package]\nname = \"outer\"\n[dependencies]\nrand = \"0.8\"\n",
                ),
                ("src/lib.rs", ""),
                ("nested/Cargo.toml", "[workspace]\n"),
                ("nested/src/x.rs", ""),
            ],
            vec![],
        );
        assert_eq!(r.crate_name_of("nested/src/x.rs"), Some("outer"));
        assert_eq!(r.resolve("nested/src/x.rs", "rand::random"), ext("rand"));
    }

    #[test]
    fn loose_files_without_a_manifest() {
        let r = build(
            &[
                ("scripts/main.rs", ""),
                ("scripts/util.rs", ""),
                ("scripts/helper.rs", ""),
                ("lone.rs", ""),
            ],
            vec![("scripts/main.rs", vec![m("util")])],
        );
        assert_eq!(
            r.resolve("scripts/main.rs", "util::f"),
            file("scripts/util.rs")
        );
        assert_eq!(
            r.resolve("scripts/util.rs", "crate::helper::g"),
            file("scripts/helper.rs")
        );
        assert_eq!(
            r.resolve("scripts/util.rs", "serde::X"),
            Resolved::NotADependency
        );
        assert_eq!(
            r.resolve("scripts/util.rs", "std::fs"),
            Resolved::Builtin("std".into())
        );
        assert_eq!(r.resolve("lone.rs", "crate::X"), file("lone.rs"));
        assert_eq!(r.crate_name_of("lone.rs"), None);
    }

    #[test]
    fn unknown_from_files_use_the_nearest_package() {
        let r = build(
            &[
                (
                    "Cargo.toml",
                    "[package]\nname = \"app\"\n[dependencies]\nserde = \"1\"\n",
                ),
                ("src/lib.rs", ""),
                ("src/a.rs", ""),
            ],
            vec![("src/lib.rs", vec![m("a")])],
        );
        assert_eq!(r.resolve("src/new/file.rs", "serde::X"), ext("serde"));
        assert_eq!(
            r.resolve("src/new/file.rs", "crate::a::Y"),
            file("src/a.rs")
        );
        assert_eq!(r.crate_name_of("src/new/file.rs"), Some("app"));
        assert_eq!(
            r.module_path_of("src/new/file.rs"),
            Some(("app".into(), vec!["new".into(), "file".into()]))
        );
    }

    #[test]
    fn a_second_file_declaring_the_same_module_keeps_the_first() {
        // lib.rs and main.rs both declare `mod shared;`: the lib wins.
        let r = build(
            &[
                ("Cargo.toml", APP),
                ("src/lib.rs", ""),
                ("src/main.rs", ""),
                ("src/shared.rs", ""),
            ],
            vec![
                ("src/lib.rs", vec![m("shared")]),
                ("src/main.rs", vec![m("shared")]),
            ],
        );
        assert_eq!(r.resolve("src/shared.rs", "crate::X"), file("src/lib.rs"));
        assert_eq!(
            r.resolve("src/main.rs", "crate::shared::X"),
            file("src/shared.rs")
        );
        assert_eq!(
            r.resolve("src/main.rs", "app::shared::X"),
            file("src/shared.rs")
        );
    }

    #[test]
    fn resolver_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<RustResolver>();
    }

    #[test]
    fn files_outside_the_workspace_are_ignored() {
        // found by the `resolve` fuzz target: a `from` file outside the root
        // made a crate root resolve outside the workspace
        let fs = MemFs::new([
            ("Cargo.toml", "[package]\nname = \"a\"\n"),
            ("src/lib.rs", ""),
        ]);
        let files = vec![
            ("../../x.rs".to_string(), Vec::new()),
            ("src/lib.rs".to_string(), Vec::new()),
        ];
        let r = RustResolver::new(Path::new("/"), &fs, &files);
        assert_eq!(
            r.resolve("../../x.rs", "crate::y::Z"),
            Resolved::NotADependency
        );
        assert_eq!(
            r.resolve("src/lib.rs", "crate::y::Z"),
            Resolved::File("src/lib.rs".into())
        );
    }
}
