//! TypeScript / JavaScript module resolution, as TypeScript's
//! `moduleResolution: "bundler"` does it.
//!
//! Order, for a specifier written in a file:
//! 1. `node:X` and Node's builtins → [`Resolved::Builtin`]; URLs and other
//!    `scheme:` specifiers → [`Resolved::NotADependency`].
//! 2. Relative (`./`, `../`) and absolute specifiers → a file of the workspace,
//!    probed with [`TsResolver::probe`]: the exact file, a written `.js` as
//!    `.ts`/`.tsx`, each supported extension appended, then the directory
//!    (`package.json` `types`/`main`, `index.*`); `Unresolved` otherwise.
//! 3. `#x` → the nearest `package.json` `imports`.
//! 4. Bare specifiers → tsconfig `paths` (longest prefix), `baseUrl`, the
//!    workspace's own packages (`exports`, `types`, `main`, `index.*`, mapped
//!    back to source files), and finally [`Resolved::External`].
//!
//! Every manifest is read once through [`FileSystem`] and cached; results are
//! cached per (importing directory, specifier) until [`TsResolver::invalidate`].

use std::collections::{BTreeSet, HashMap};
use std::hash::Hash;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use serde_json::Value;

use crate::resolve::{FileSystem, Resolved};

/// Extensions appended to an extensionless specifier, in TypeScript's order.
const EXTENSIONS: &[&str] = &[
    ".ts", ".tsx", ".d.ts", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts", ".d.mts", ".d.cts",
];

/// Extensions of files that are modules (`.d.ts` & co. end in one of them).
const MODULE_EXTENSIONS: &[&str] = &[".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts"];

/// A written JavaScript extension and the TypeScript files it may stand for.
const JS_TO_TS: &[(&str, &[&str])] = &[
    (".js", &[".ts", ".tsx", ".d.ts"]),
    (".jsx", &[".tsx", ".ts"]),
    (".mjs", &[".mts", ".d.mts"]),
    (".cjs", &[".cts", ".d.cts"]),
];

/// Extensions of build outputs, stripped to find the source file.
const COMPILED_EXTENSIONS: &[&str] = &[".d.ts", ".d.mts", ".d.cts", ".js", ".jsx", ".mjs", ".cjs"];

/// Source extensions tried for a build output mapped back to `src/`.
const SOURCE_EXTENSIONS: &[&str] = &[".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"];

/// TypeScript sources tried beside a build output (`x.js` → `x.ts`).
const TS_SOURCE_EXTENSIONS: &[&str] = &[".ts", ".tsx", ".mts", ".cts"];

/// Build output directories of a package, mapped back to `src/`.
const BUILD_DIRS: &[&str] = &["dist", "lib", "build", "out"];

/// Format directories inside a build output (`dist/esm/x.js` → `src/x.ts`).
const BUILD_FORMAT_DIRS: &[&str] = &[
    "esm", "cjs", "es", "mjs", "umd", "types", "module", "commonjs", "node", "browser",
];

/// How the importing file is loaded at run time, for self-references.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flavor {
    /// `.mts` / `.mjs`.
    Esm,
    /// `.cts` / `.cjs`.
    Cjs,
    /// As its package's `type` says.
    ByPackage,
}

/// `exports` / `imports` conditions, most preferred first; others follow.
const CONDITIONS: &[&str] = &["types", "import", "module", "default", "require", "node"];

/// Entry fields of a `package.json`, in the order they are tried.
const ENTRY_FIELDS: &[&str] = &["types", "typings", "main", "module"];

/// How deep a `**` in a `workspaces` glob is followed.
const MAX_WORKSPACE_DEPTH: usize = 5;

/// The most folders a `workspaces` glob expansion looks at.
const MAX_WORKSPACE_DIRS: usize = 100_000;

/// Resolves TS/JS specifiers as TypeScript's `bundler` mode does.
/// Shared across threads: caches use interior mutability.
pub struct TsResolver {
    root: PathBuf,
    /// The `[workspace] tsconfig` setting, absolute.
    tsconfig: Option<PathBuf>,
    /// importing directory → specifier → result.
    results: RwLock<HashMap<String, HashMap<String, Resolved>>>,
    /// importing directory → its nearest tsconfig.
    dir_configs: RwLock<HashMap<String, Option<Arc<TsConfig>>>>,
    /// tsconfig file → its effective options (`extends` applied).
    configs: RwLock<HashMap<PathBuf, Option<Arc<TsConfig>>>>,
    /// tsconfig file → its own options.
    raw_configs: RwLock<HashMap<PathBuf, Option<Arc<RawConfig>>>>,
    /// `package.json` file → its fields.
    manifests: RwLock<HashMap<PathBuf, Option<Arc<Manifest>>>>,
    /// The workspace's own packages, scanned on first use.
    workspace: RwLock<Option<Arc<Workspace>>>,
    problems: Mutex<BTreeSet<(String, String)>>,
}

/// The options of one tsconfig file, before `extends` is applied.
#[derive(Debug, Default)]
struct RawConfig {
    extends: Vec<String>,
    base_url: Option<String>,
    /// `compilerOptions.paths`, in written order.
    paths: Option<PathsOption>,
}

/// The options that matter for resolution, `extends` applied, paths absolute.
#[derive(Debug, Default)]
struct TsConfig {
    base_url: Option<PathBuf>,
    paths: Vec<PathPattern>,
    /// The directory `paths` targets are relative to.
    paths_base: PathBuf,
}

/// One `paths` entry: `prefix*suffix` (or an exact pattern) → targets.
#[derive(Debug)]
struct PathPattern {
    prefix: String,
    /// `None` for a pattern without `*`.
    suffix: Option<String>,
    targets: Vec<String>,
}

/// The fields of a `package.json` the resolver uses.
#[derive(Debug, Default)]
struct Manifest {
    name: Option<String>,
    /// `"type": "module"`: its `.js`/`.ts` files are ES modules.
    esm: bool,
    exports: Option<Value>,
    imports: Option<Value>,
    /// `types`, `typings`, `main`, `module`, the ones present, in that order.
    entries: Vec<String>,
    workspaces: Vec<String>,
}

/// The workspace's own packages: name → absolute directory.
#[derive(Debug, Default)]
struct Workspace {
    packages: HashMap<String, PathBuf>,
}

/// What replaces the wildcard part of an `exports` / `imports` target.
#[derive(Clone, Copy)]
enum Subst<'a> {
    None,
    /// `./*` patterns: every `*` of the target.
    Star(&'a str),
    /// Legacy folder mappings (`"./features/": "./src/features/"`): appended.
    Append(&'a str),
}

impl TsResolver {
    /// `tsconfig`: the `[workspace] tsconfig` setting (relative to `root`), if any;
    /// otherwise the nearest `tsconfig.json` of each importing file is used.
    pub fn new(root: &Path, tsconfig: Option<&str>, fs: &dyn FileSystem) -> TsResolver {
        let resolver = TsResolver {
            root: normalize(root),
            tsconfig: tsconfig.map(|t| normalize(&root.join(t))),
            results: RwLock::default(),
            dir_configs: RwLock::default(),
            configs: RwLock::default(),
            raw_configs: RwLock::default(),
            manifests: RwLock::default(),
            workspace: RwLock::default(),
            problems: Mutex::default(),
        };
        // Read the main manifests now, so their problems show up early.
        resolver.workspace(fs);
        resolver.config_for(fs, "");
        resolver
    }

    /// Resolves `specifier` written in `from` (a workspace-relative path).
    pub fn resolve(&self, fs: &dyn FileSystem, from: &str, specifier: &str) -> Resolved {
        let dir = from.rfind('/').map_or("", |i| &from[..i]);
        // `.mts`/`.cts` files are ES / CommonJS modules whatever their
        // package says: a self-reference may resolve differently from them
        let flavor = match from.rsplit('.').next() {
            Some("mts" | "mjs") => Flavor::Esm,
            Some("cts" | "cjs") => Flavor::Cjs,
            _ => Flavor::ByPackage,
        };
        let key: std::borrow::Cow<'_, str> = match flavor {
            Flavor::ByPackage => dir.into(),
            Flavor::Esm => format!("{dir}\0esm").into(),
            Flavor::Cjs => format!("{dir}\0cjs").into(),
        };
        if let Some(hit) = read(&self.results)
            .get(key.as_ref())
            .and_then(|by_spec| by_spec.get(specifier))
        {
            return hit.clone();
        }
        let resolved = self.resolve_uncached(fs, dir, specifier, flavor);
        write(&self.results)
            .entry(key.into_owned())
            .or_default()
            .insert(specifier.to_string(), resolved.clone());
        resolved
    }

    /// Problems met while reading manifests (tsconfig `extends` cycle, malformed
    /// `package.json`...), as (workspace-relative file, message).
    pub fn problems(&self) -> Vec<(String, String)> {
        lock(&self.problems).iter().cloned().collect()
    }

    /// Forgets every cached result but keeps the manifests (a file was
    /// created or deleted: an import may resolve elsewhere now).
    pub fn forget_results(&self) {
        write(&self.results).clear();
    }

    /// Forgets every cached manifest and result (files were created or deleted,
    /// a manifest changed). Problems are recorded again as manifests are re-read.
    pub fn invalidate(&self) {
        write(&self.results).clear();
        write(&self.dir_configs).clear();
        write(&self.configs).clear();
        write(&self.raw_configs).clear();
        write(&self.manifests).clear();
        *write(&self.workspace) = None;
        lock(&self.problems).clear();
    }

    fn resolve_uncached(
        &self,
        fs: &dyn FileSystem,
        dir: &str,
        specifier: &str,
        flavor: Flavor,
    ) -> Resolved {
        let spec = specifier.trim();
        if spec.is_empty() {
            return Resolved::Unresolved;
        }
        if let Some(builtin) = spec.strip_prefix("node:") {
            return match builtin.trim_start_matches('/') {
                "" => Resolved::Unresolved,
                name => Resolved::Builtin(name.to_string()),
            };
        }
        if NODE_BUILTINS.contains(&spec) {
            return Resolved::Builtin(spec.to_string());
        }
        if let Some(scheme) = url_scheme(spec) {
            if scheme == "npm" {
                // Deno's `npm:name@version/sub`.
                let name = &spec[4..];
                return package_name(name)
                    .map(|n| Resolved::External(strip_version(n).to_string()))
                    .unwrap_or(Resolved::Unresolved);
            }
            return Resolved::NotADependency;
        }
        if is_relative(spec) {
            let path = strip_query(spec);
            let abs = normalize(&self.abs(dir).join(path));
            if !self.inside(&abs) {
                return Resolved::Unresolved;
            }
            // `.`, `..`, `./dir/`: only the directory.
            let dir_only = path.ends_with('/')
                || path.ends_with("/.")
                || path.ends_with("/..")
                || path == "."
                || path == "..";
            if dir_only {
                return match self.probe_dir(fs, &abs).and_then(|p| self.to_rel(&p)) {
                    Some(rel) => Resolved::File(rel),
                    None => Resolved::Unresolved,
                };
            }
            return self.probe_to_rel(fs, &abs);
        }
        if spec.starts_with('/') || Path::new(spec).is_absolute() {
            let path = Path::new(strip_query(spec));
            let abs = if path.starts_with(&self.root) {
                normalize(path)
            } else {
                // Root-relative, as bundlers read `/src/x`.
                normalize(&self.root.join(spec.trim_start_matches('/')))
            };
            return self.probe_to_rel(fs, &abs);
        }
        if spec.starts_with('#') {
            return self.resolve_subpath_import(fs, dir, spec);
        }
        self.resolve_bare(fs, dir, spec, flavor)
    }

    /// A bare specifier: tsconfig `paths`, `baseUrl`, workspace packages, externals.
    fn resolve_bare(&self, fs: &dyn FileSystem, dir: &str, spec: &str, flavor: Flavor) -> Resolved {
        if let Some(config) = self.config_for(fs, dir) {
            if let Some(found) = self.resolve_paths(fs, &config, spec) {
                return Resolved::File(found);
            }
            if let Some(base) = &config.base_url {
                if let Some(found) = self
                    .probe(fs, &normalize(&base.join(spec)))
                    .and_then(|p| self.to_source_rel(&p))
                {
                    return Resolved::File(found);
                }
            }
        }
        let Some(name) = package_name(spec) else {
            // `~/x`, `@/x`: an alias no config defines.
            return Resolved::Unresolved;
        };
        let workspace = self.workspace(fs);
        if let Some(pkg_dir) = workspace.packages.get(name) {
            let subpath = spec[name.len()..].trim_start_matches('/');
            // A self-reference (a package importing its own name): the
            // condition the importing file meets at run time (`import` for
            // an ES module, `require` for CommonJS) comes before `types`,
            // as Node resolves it.
            let runtime = self.abs(dir).starts_with(pkg_dir).then(|| match flavor {
                Flavor::Esm => "import",
                Flavor::Cjs => "require",
                Flavor::ByPackage => {
                    let esm = self
                        .manifest(fs, &pkg_dir.join("package.json"))
                        .is_some_and(|m| m.esm);
                    if esm {
                        "import"
                    } else {
                        "require"
                    }
                }
            });
            return self.resolve_in_package(fs, pkg_dir, subpath, runtime);
        }
        Resolved::External(name.to_string())
    }

    /// tsconfig `paths`: the matching pattern with the longest prefix (exact
    /// patterns first), each target in order.
    fn resolve_paths(&self, fs: &dyn FileSystem, config: &TsConfig, spec: &str) -> Option<String> {
        let mut best: Option<(&PathPattern, &str)> = None;
        for pattern in &config.paths {
            match &pattern.suffix {
                None if pattern.prefix == spec => {
                    best = Some((pattern, ""));
                    break;
                }
                None => {}
                Some(suffix) => {
                    let fits = spec.len() >= pattern.prefix.len() + suffix.len()
                        && spec.starts_with(pattern.prefix.as_str())
                        && spec.ends_with(suffix.as_str());
                    let longer = best.is_none_or(|(b, _)| pattern.prefix.len() > b.prefix.len());
                    if fits && longer {
                        let star = &spec[pattern.prefix.len()..spec.len() - suffix.len()];
                        best = Some((pattern, star));
                    }
                }
            }
        }
        let (pattern, star) = best?;
        let base = config.base_url.as_ref().unwrap_or(&config.paths_base);
        pattern.targets.iter().find_map(|target| {
            let target = target.replacen('*', star, 1);
            let found = self.probe(fs, &normalize(&base.join(target)))?;
            self.to_source_rel(&found)
        })
    }

    /// `#x`: the `imports` of the nearest `package.json`.
    fn resolve_subpath_import(&self, fs: &dyn FileSystem, dir: &str, spec: &str) -> Resolved {
        let mut pkg_dir = self.abs(dir);
        let manifest = loop {
            if let Some(m) = self.manifest(fs, &pkg_dir.join("package.json")) {
                break m;
            }
            if pkg_dir == self.root || !pkg_dir.pop() {
                return Resolved::Unresolved;
            }
        };
        let Some(Value::Object(imports)) = &manifest.imports else {
            return Resolved::Unresolved;
        };
        for target in match_subpath(imports, spec) {
            if target.starts_with("./") {
                if let Some(found) = self
                    .package_target(fs, &pkg_dir, &target)
                    .and_then(|p| self.to_rel(&p))
                {
                    return Resolved::File(found);
                }
            } else if !target.starts_with('#') && !target.starts_with('/') {
                return match self.resolve_uncached(fs, dir, &target, Flavor::ByPackage) {
                    Resolved::Unresolved => continue,
                    other => other,
                };
            }
        }
        Resolved::Unresolved
    }

    /// `@acme/core` or `@acme/core/sub/path` inside the workspace package at
    /// `pkg_dir`: `exports`, then `types`/`typings`/`main`/`module`, then `index.*`,
    /// build outputs mapped back to their sources.
    fn resolve_in_package(
        &self,
        fs: &dyn FileSystem,
        pkg_dir: &Path,
        subpath: &str,
        runtime: Option<&str>,
    ) -> Resolved {
        let manifest = self.manifest(fs, &pkg_dir.join("package.json"));
        let found = self.package_entry(fs, pkg_dir, manifest.as_deref(), subpath, runtime);
        match found.and_then(|p| self.to_rel(&p)) {
            Some(rel) => Resolved::File(rel),
            None => Resolved::Unresolved,
        }
    }

    fn package_entry(
        &self,
        fs: &dyn FileSystem,
        pkg_dir: &Path,
        manifest: Option<&Manifest>,
        subpath: &str,
        runtime: Option<&str>,
    ) -> Option<PathBuf> {
        if let Some(exports) = manifest.and_then(|m| m.exports.as_ref()) {
            let key = if subpath.is_empty() {
                ".".to_string()
            } else {
                format!("./{subpath}")
            };
            let targets = match exports {
                Value::Object(map) if map.keys().any(|k| k.starts_with('.')) => {
                    match_subpath_first(map, &key, runtime)
                }
                // `"exports": "./x.js"` or a condition object: the "." entry.
                sugar if key == "." => collect_targets(sugar, Subst::None, runtime),
                _ => Vec::new(),
            };
            for target in targets {
                if let Some(found) = self.package_target(fs, pkg_dir, &target) {
                    return Some(found);
                }
            }
        }
        if !subpath.is_empty() {
            return self.package_target(fs, pkg_dir, &format!("./{subpath}"));
        }
        for entry in manifest.map(|m| m.entries.as_slice()).unwrap_or_default() {
            if let Some(found) = self.package_target(fs, pkg_dir, entry) {
                return Some(found);
            }
        }
        self.probe_index(fs, pkg_dir)
            .or_else(|| self.probe_index(fs, &pkg_dir.join("src")))
    }

    /// A path written in a `package.json` (`./dist/index.js`): its source file
    /// when one exists (`src/index.ts`), else the path itself, probed.
    fn package_target(&self, fs: &dyn FileSystem, pkg_dir: &Path, target: &str) -> Option<PathBuf> {
        let path = normalize(&pkg_dir.join(target));
        if let Ok(rel) = path.strip_prefix(pkg_dir) {
            let segments: Vec<&str> = rel.iter().filter_map(|s| s.to_str()).collect();
            if segments.len() >= 2 && BUILD_DIRS.contains(&segments[0]) {
                let mut variants = vec![&segments[1..]];
                if segments.len() >= 3 && BUILD_FORMAT_DIRS.contains(&segments[1]) {
                    variants.push(&segments[2..]);
                }
                for rest in variants {
                    let mut source = pkg_dir.join("src");
                    source.extend(rest);
                    if let Some(found) = self.probe_source(fs, &source) {
                        return Some(found);
                    }
                }
            }
        }
        if let Some(stem) = path.to_str().and_then(compiled_stem) {
            for ext in TS_SOURCE_EXTENSIONS {
                let candidate = PathBuf::from(format!("{stem}{ext}"));
                if fs.is_file(&candidate) {
                    return Some(candidate);
                }
            }
        }
        self.probe(fs, &path)
    }

    /// A build output's path moved to `src/`: any source extension, or `index.*`.
    fn probe_source(&self, fs: &dyn FileSystem, path: &Path) -> Option<PathBuf> {
        let text = path.to_str()?;
        let stem = compiled_stem(text).unwrap_or(text);
        for ext in SOURCE_EXTENSIONS {
            let candidate = PathBuf::from(format!("{stem}{ext}"));
            if fs.is_file(&candidate) {
                return Some(candidate);
            }
        }
        let dir = Path::new(stem);
        SOURCE_EXTENSIONS.iter().find_map(|ext| {
            let candidate = dir.join(format!("index{ext}"));
            fs.is_file(&candidate).then_some(candidate)
        })
    }

    /// [`Self::probe`], as a workspace-relative result.
    fn probe_to_rel(&self, fs: &dyn FileSystem, path: &Path) -> Resolved {
        match self.probe(fs, path).and_then(|p| self.to_rel(&p)) {
            Some(rel) => Resolved::File(rel),
            None => Resolved::Unresolved,
        }
    }

    /// The file an absolute, normalised path names: the exact module file, a
    /// written `.js` as `.ts`, each extension appended, the directory's
    /// `package.json` entry or `index.*`, and last the exact file whatever its
    /// extension (`./styles.css`, `./data.json`).
    fn probe(&self, fs: &dyn FileSystem, path: &Path) -> Option<PathBuf> {
        self.probe_file(fs, path)
            .or_else(|| self.probe_dir(fs, path))
            .or_else(|| fs.is_file(path).then(|| path.to_path_buf()))
    }

    fn probe_file(&self, fs: &dyn FileSystem, path: &Path) -> Option<PathBuf> {
        let text = path.to_str()?;
        if MODULE_EXTENSIONS.iter().any(|e| text.ends_with(e)) && fs.is_file(path) {
            return Some(path.to_path_buf());
        }
        for (js, ts_exts) in JS_TO_TS {
            if let Some(stem) = text.strip_suffix(js) {
                for ext in *ts_exts {
                    let candidate = PathBuf::from(format!("{stem}{ext}"));
                    if fs.is_file(&candidate) {
                        return Some(candidate);
                    }
                }
            }
        }
        EXTENSIONS.iter().find_map(|ext| {
            let candidate = PathBuf::from(format!("{text}{ext}"));
            fs.is_file(&candidate).then_some(candidate)
        })
    }

    fn probe_dir(&self, fs: &dyn FileSystem, dir: &Path) -> Option<PathBuf> {
        if let Some(manifest) = self.manifest(fs, &dir.join("package.json")) {
            for entry in &manifest.entries {
                let path = normalize(&dir.join(entry));
                if let Some(found) = self
                    .probe_file(fs, &path)
                    .or_else(|| self.probe_index(fs, &path))
                {
                    return Some(found);
                }
            }
        }
        self.probe_index(fs, dir)
    }

    fn probe_index(&self, fs: &dyn FileSystem, dir: &Path) -> Option<PathBuf> {
        EXTENSIONS.iter().find_map(|ext| {
            let candidate = dir.join(format!("index{ext}"));
            fs.is_file(&candidate).then_some(candidate)
        })
    }

    // ---- tsconfig -------------------------------------------------------

    /// The tsconfig governing files of `dir` (workspace-relative): the
    /// configured one, or the nearest `tsconfig.json` (`jsconfig.json`) up to
    /// the root.
    fn config_for(&self, fs: &dyn FileSystem, dir: &str) -> Option<Arc<TsConfig>> {
        if let Some(forced) = &self.tsconfig {
            if !fs.is_file(forced) {
                self.problem(forced, "tsconfig not found".to_string());
                return None;
            }
            return self.config(fs, forced);
        }
        if let Some(hit) = read(&self.dir_configs).get(dir) {
            return hit.clone();
        }
        let mut current = self.abs(dir);
        let found = loop {
            let candidate = ["tsconfig.json", "jsconfig.json"]
                .iter()
                .map(|name| current.join(name))
                .find(|p| fs.is_file(p));
            if let Some(path) = candidate {
                break self.config(fs, &path);
            }
            if current == self.root || !current.pop() || !current.starts_with(&self.root) {
                break None;
            }
        };
        write(&self.dir_configs)
            .entry(dir.to_string())
            .or_insert(found)
            .clone()
    }

    /// The effective options of the tsconfig at `path`, `extends` applied.
    fn config(&self, fs: &dyn FileSystem, path: &Path) -> Option<Arc<TsConfig>> {
        cached(&self.configs, path, || {
            let top_dir = path.parent().unwrap_or(Path::new("/")).to_path_buf();
            let mut stack = Vec::new();
            let mut done = HashMap::new();
            let merged = self.merge_config(fs, path, &top_dir, &mut stack, &mut done)?;
            let (paths, paths_base) = merged.paths.unwrap_or_default();
            let paths = paths
                .into_iter()
                .filter_map(|(pattern, targets)| {
                    let targets = targets
                        .into_iter()
                        .map(|t| substitute_config_dir(&t, &top_dir))
                        .collect();
                    match pattern.split_once('*') {
                        None => Some(PathPattern {
                            prefix: pattern,
                            suffix: None,
                            targets,
                        }),
                        Some((_, suffix)) if suffix.contains('*') => None,
                        Some((prefix, suffix)) => Some(PathPattern {
                            prefix: prefix.to_string(),
                            suffix: Some(suffix.to_string()),
                            targets,
                        }),
                    }
                })
                .collect();
            Some(Arc::new(TsConfig {
                base_url: merged.base_url,
                paths,
                paths_base,
            }))
        })
    }

    /// The options the config at `path` sets, its `extends` applied first
    /// (later ones override earlier ones, its own override them all); `None`
    /// when it cannot be read or parsed. `done` holds the configs already
    /// merged for this top config, so a base reached along many paths (an
    /// `extends` diamond) is merged once: the work is linear in the configs.
    fn merge_config(
        &self,
        fs: &dyn FileSystem,
        path: &Path,
        top_dir: &Path,
        stack: &mut Vec<PathBuf>,
        done: &mut HashMap<PathBuf, Option<Merged>>,
    ) -> Option<Merged> {
        if let Some(m) = done.get(path) {
            return m.clone();
        }
        let raw = self.raw_config(fs, path)?;
        let dir = path.parent().unwrap_or(Path::new("/"));
        let mut merged = Merged::default();
        stack.push(path.to_path_buf());
        for extends in &raw.extends {
            let Some(base) = self.find_extends(fs, dir, extends) else {
                self.problem(path, format!("tsconfig extends not found: {extends}"));
                continue;
            };
            if let Some(start) = stack.iter().position(|p| *p == base) {
                self.cycle_problem(&stack[start..]);
                continue;
            }
            if let Some(m) = self.merge_config(fs, &base, top_dir, stack, done) {
                if m.base_url.is_some() {
                    merged.base_url = m.base_url;
                }
                if m.paths.is_some() {
                    merged.paths = m.paths;
                }
            }
        }
        stack.pop();
        if let Some(base_url) = &raw.base_url {
            let base_url = substitute_config_dir(base_url, top_dir);
            merged.base_url = Some(normalize(&dir.join(base_url)));
        }
        if let Some(paths) = &raw.paths {
            merged.paths = Some((paths.clone(), dir.to_path_buf()));
        }
        done.insert(path.to_path_buf(), Some(merged.clone()));
        Some(merged)
    }

    fn cycle_problem(&self, cycle: &[PathBuf]) {
        let names: Vec<String> = cycle.iter().map(|p| self.display(p)).collect();
        // Start at the smallest name, so the message does not depend on which
        // file of the cycle was read first.
        let start = names
            .iter()
            .enumerate()
            .min_by(|a, b| a.1.cmp(b.1))
            .map_or(0, |(i, _)| i);
        let mut chain: Vec<&str> = names[start..]
            .iter()
            .chain(&names[..start])
            .map(String::as_str)
            .collect();
        chain.push(chain[0]);
        let first = chain[0].to_string();
        self.problems_insert(
            first,
            format!("tsconfig extends cycle: {}", chain.join(" -> ")),
        );
    }

    /// The file an `extends` entry names: a path relative to `dir` (with or
    /// without `.json`), or a file of a package in `node_modules` or of the workspace.
    fn find_extends(&self, fs: &dyn FileSystem, dir: &Path, extends: &str) -> Option<PathBuf> {
        let with_json = |p: PathBuf| -> Option<PathBuf> {
            if fs.is_file(&p) {
                return Some(p);
            }
            if !p.to_str()?.ends_with(".json") {
                let json = PathBuf::from(format!("{}.json", p.to_str()?));
                if fs.is_file(&json) {
                    return Some(json);
                }
            }
            None
        };
        if is_relative(extends) || Path::new(extends).is_absolute() || extends.starts_with('/') {
            return with_json(normalize(&dir.join(extends)));
        }
        let in_package = |pkg: PathBuf| -> Option<PathBuf> {
            with_json(pkg.clone()).or_else(|| {
                let p = pkg.join("tsconfig.json");
                fs.is_file(&p).then_some(p)
            })
        };
        let mut current = dir.to_path_buf();
        loop {
            if let Some(found) = in_package(normalize(&current.join("node_modules").join(extends)))
            {
                return Some(found);
            }
            if !current.pop() {
                break;
            }
        }
        let name = package_name(extends)?;
        let workspace = self.workspace(fs);
        let pkg_dir = workspace.packages.get(name)?;
        in_package(normalize(
            &pkg_dir.join(extends[name.len()..].trim_start_matches('/')),
        ))
    }

    /// The own options of the tsconfig at `path`; `None` when missing or malformed.
    fn raw_config(&self, fs: &dyn FileSystem, path: &Path) -> Option<Arc<RawConfig>> {
        cached(&self.raw_configs, path, || {
            let text = fs.read_to_string(path)?;
            let value: Value = match serde_json::from_str(&strip_jsonc(&text)) {
                Ok(v) => v,
                Err(e) => {
                    self.problem(path, format!("malformed tsconfig: {e}"));
                    return None;
                }
            };
            let Value::Object(top) = value else {
                self.problem(path, "malformed tsconfig: not a JSON object".to_string());
                return None;
            };
            let mut raw = RawConfig::default();
            match top.get("extends") {
                Some(Value::String(s)) => raw.extends.push(s.clone()),
                Some(Value::Array(items)) => raw
                    .extends
                    .extend(items.iter().filter_map(|i| i.as_str().map(str::to_string))),
                _ => {}
            }
            if let Some(Value::Object(options)) = top.get("compilerOptions") {
                raw.base_url = options
                    .get("baseUrl")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                if let Some(Value::Object(paths)) = options.get("paths") {
                    let mut entries = Vec::with_capacity(paths.len());
                    for (pattern, targets) in paths {
                        if pattern.matches('*').count() > 1 {
                            self.problem(
                                path,
                                format!("tsconfig paths pattern '{pattern}' has more than one '*'"),
                            );
                            continue;
                        }
                        let targets: Vec<String> = match targets {
                            Value::Array(items) => items
                                .iter()
                                .filter_map(|t| t.as_str().map(str::to_string))
                                .collect(),
                            Value::String(s) => vec![s.clone()],
                            _ => Vec::new(),
                        };
                        entries.push((pattern.clone(), targets));
                    }
                    raw.paths = Some(entries);
                }
            }
            Some(Arc::new(raw))
        })
    }

    // ---- package.json ---------------------------------------------------

    /// The `package.json` at `path`; `None` when missing or malformed.
    fn manifest(&self, fs: &dyn FileSystem, path: &Path) -> Option<Arc<Manifest>> {
        cached(&self.manifests, path, || {
            if !fs.is_file(path) {
                return None;
            }
            let text = fs.read_to_string(path)?;
            let value: Value = match serde_json::from_str(text.trim_start_matches('\u{feff}')) {
                Ok(v) => v,
                Err(e) => {
                    self.problem(path, format!("malformed package.json: {e}"));
                    return None;
                }
            };
            let Value::Object(mut top) = value else {
                self.problem(
                    path,
                    "malformed package.json: not a JSON object".to_string(),
                );
                return None;
            };
            let string = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
            let workspaces = match top.get("workspaces") {
                Some(Value::Array(items)) => items.as_slice(),
                Some(Value::Object(o)) => match o.get("packages") {
                    Some(Value::Array(items)) => items.as_slice(),
                    _ => &[],
                },
                _ => &[],
            };
            Some(Arc::new(Manifest {
                name: string(top.get("name")).filter(|n| !n.is_empty()),
                esm: top.get("type").and_then(Value::as_str) == Some("module"),
                entries: ENTRY_FIELDS
                    .iter()
                    .filter_map(|f| string(top.get(*f)))
                    .filter(|e| !e.is_empty())
                    .collect(),
                workspaces: workspaces
                    .iter()
                    .filter_map(|w| w.as_str().map(str::to_string))
                    .collect(),
                exports: top.remove("exports"),
                imports: top.remove("imports"),
            }))
        })
    }

    /// The workspace's own packages (scanned once).
    fn workspace(&self, fs: &dyn FileSystem) -> Arc<Workspace> {
        if let Some(w) = read(&self.workspace).as_ref() {
            return w.clone();
        }
        let scanned = Arc::new(self.scan_workspace(fs));
        write(&self.workspace).get_or_insert(scanned).clone()
    }

    /// Reads the root `package.json` `workspaces` (and `pnpm-workspace.yaml`,
    /// `lerna.json` `packages`), expands the globs and reads each package's name.
    fn scan_workspace(&self, fs: &dyn FileSystem) -> Workspace {
        let root_manifest_path = self.root.join("package.json");
        let root_manifest = self.manifest(fs, &root_manifest_path);
        let mut globs: Vec<String> = root_manifest
            .as_ref()
            .map(|m| m.workspaces.clone())
            .unwrap_or_default();
        if let Some(text) = fs.read_to_string(&self.root.join("pnpm-workspace.yaml")) {
            globs.extend(pnpm_packages(&text));
        }
        if let Some(text) = fs.read_to_string(&self.root.join("lerna.json")) {
            if let Ok(Value::Object(lerna)) = serde_json::from_str::<Value>(&text) {
                if let Some(Value::Array(items)) = lerna.get("packages") {
                    globs.extend(items.iter().filter_map(|i| i.as_str().map(str::to_string)));
                }
            }
        }

        let mut workspace = Workspace::default();
        if let Some(name) = root_manifest.as_ref().and_then(|m| m.name.clone()) {
            workspace.packages.insert(name, self.root.clone());
        }
        let clean = |g: &str| -> String {
            g.trim()
                .split('/')
                .filter(|s| !s.is_empty() && *s != ".")
                .collect::<Vec<_>>()
                .join("/")
        };
        let mut excludes = globset::GlobSetBuilder::new();
        for glob in globs.iter().filter_map(|g| g.trim().strip_prefix('!')) {
            match build_glob(&clean(glob)) {
                Some(g) => {
                    excludes.add(g);
                }
                None => self.problem(
                    &root_manifest_path,
                    format!("invalid workspaces glob: !{glob}"),
                ),
            }
        }
        let excludes = excludes
            .build()
            .unwrap_or_else(|_| globset::GlobSet::empty());

        for glob in globs.iter().filter(|g| !g.trim().starts_with('!')) {
            let glob = clean(glob);
            let segments: Vec<&str> = glob.split('/').collect();
            let Some(first_wild) = segments
                .iter()
                .position(|s| s.contains(['*', '?', '[', '{']))
            else {
                self.add_package(fs, &mut workspace, &glob, &excludes);
                continue;
            };
            let Some(matcher) = build_glob(&glob).map(|g| g.compile_matcher()) else {
                self.problem(
                    &root_manifest_path,
                    format!("invalid workspaces glob: {glob}"),
                );
                continue;
            };
            let base = segments[..first_wild].join("/");
            let depth = if segments[first_wild..].contains(&"**") {
                MAX_WORKSPACE_DEPTH
            } else {
                segments.len() - first_wild
            };
            let mut dirs = Vec::new();
            self.walk_dirs(fs, &base, depth, &mut dirs);
            for dir in dirs.iter().filter(|d| matcher.is_match(d.as_str())) {
                self.add_package(fs, &mut workspace, dir, &excludes);
            }
        }
        workspace
    }

    /// Every entry under `dir` (workspace-relative) up to `depth` levels,
    /// `node_modules` and dot-directories skipped.
    fn walk_dirs(&self, fs: &dyn FileSystem, dir: &str, depth: usize, out: &mut Vec<String>) {
        if depth == 0 {
            return;
        }
        for name in fs.read_dir(&self.abs(dir)) {
            if name == "node_modules" || name.starts_with('.') {
                continue;
            }
            let child = if dir.is_empty() {
                name
            } else {
                format!("{dir}/{name}")
            };
            out.push(child.clone());
            // a symlinked folder is a candidate but is not walked into (as
            // node-glob's `**`): links to `.` would multiply the walk
            if out.len() >= MAX_WORKSPACE_DIRS {
                return;
            }
            if !fs.is_symlink(&self.abs(&child)) {
                self.walk_dirs(fs, &child, depth - 1, out);
            }
        }
    }

    /// Registers the package in `dir` (workspace-relative) under its name.
    fn add_package(
        &self,
        fs: &dyn FileSystem,
        workspace: &mut Workspace,
        dir: &str,
        excludes: &globset::GlobSet,
    ) {
        if excludes.is_match(dir) {
            return;
        }
        let abs = self.abs(dir);
        let manifest_path = abs.join("package.json");
        let Some(name) = self
            .manifest(fs, &manifest_path)
            .and_then(|m| m.name.clone())
        else {
            return;
        };
        match workspace.packages.get(&name) {
            Some(existing) if *existing != abs => {
                let message = format!(
                    "workspace package name '{name}' is also used by {}",
                    self.display(&existing.join("package.json"))
                );
                self.problem(&manifest_path, message);
            }
            Some(_) => {}
            None => {
                workspace.packages.insert(name, abs);
            }
        }
    }

    // ---- paths and problems ---------------------------------------------

    /// The absolute path of a workspace-relative one.
    fn abs(&self, rel: &str) -> PathBuf {
        if rel.is_empty() {
            self.root.clone()
        } else {
            self.root.join(rel)
        }
    }

    /// The workspace-relative form of an absolute path inside the root.
    fn to_rel(&self, path: &Path) -> Option<String> {
        let rel = path.strip_prefix(&self.root).ok()?;
        let mut out = String::with_capacity(rel.as_os_str().len());
        for component in rel.components() {
            let Component::Normal(part) = component else {
                return None;
            };
            if !out.is_empty() {
                out.push('/');
            }
            out.push_str(&part.to_string_lossy());
        }
        (!out.is_empty()).then_some(out)
    }

    /// [`Self::to_rel`] for `paths` / `baseUrl` results: a file under
    /// `node_modules` (`"*": ["node_modules/*"]`) is a package, not a file.
    fn to_source_rel(&self, path: &Path) -> Option<String> {
        self.to_rel(path)
            .filter(|rel| !rel.split('/').any(|s| s == "node_modules"))
    }

    /// Whether an absolute, normalised path is the root or below it.
    fn inside(&self, path: &Path) -> bool {
        path.strip_prefix(&self.root)
            .is_ok_and(|rel| rel.components().all(|c| matches!(c, Component::Normal(_))))
    }

    /// How a manifest is named in problems: workspace-relative when inside.
    fn display(&self, path: &Path) -> String {
        self.to_rel(path)
            .unwrap_or_else(|| path.to_string_lossy().replace('\\', "/"))
    }

    fn problem(&self, file: &Path, message: String) {
        self.problems_insert(self.display(file), message);
    }

    fn problems_insert(&self, file: String, message: String) {
        lock(&self.problems).insert((file, message));
    }
}

/// `baseUrl` and `paths` as `extends` leaves them.
#[derive(Debug, Clone, Default)]
struct Merged {
    base_url: Option<PathBuf>,
    /// The patterns and the directory of the config that wrote them.
    paths: Option<(PathsOption, PathBuf)>,
}

/// `compilerOptions.paths` as written: pattern → targets, in order.
type PathsOption = Vec<(String, Vec<String>)>;

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(PoisonError::into_inner)
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(PoisonError::into_inner)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The cached value for `key`, computed (without holding the lock) on a miss.
fn cached<K, Q, V>(map: &RwLock<HashMap<K, V>>, key: &Q, compute: impl FnOnce() -> V) -> V
where
    K: Eq + Hash + std::borrow::Borrow<Q>,
    Q: Eq + Hash + ToOwned<Owned = K> + ?Sized,
    V: Clone,
{
    if let Some(hit) = read(map).get(key) {
        return hit.clone();
    }
    let value = compute();
    write(map).entry(key.to_owned()).or_insert(value).clone()
}

fn build_glob(glob: &str) -> Option<globset::Glob> {
    globset::GlobBuilder::new(glob)
        .literal_separator(true)
        .build()
        .ok()
}

/// `./x`, `../x`, `.`, `..`.
fn is_relative(spec: &str) -> bool {
    spec == "." || spec == ".." || spec.starts_with("./") || spec.starts_with("../")
}

/// The scheme of `http://…`, `data:…`, `bun:test` (two letters at least, so
/// a Windows drive is not one).
fn url_scheme(spec: &str) -> Option<&str> {
    let (scheme, _) = spec.split_once(':')?;
    let mut chars = scheme.chars();
    let valid = scheme.len() >= 2
        && chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then_some(scheme)
}

/// A bundler query (`./icon.svg?raw`) is not part of the path.
fn strip_query(spec: &str) -> &str {
    spec.split('?').next().unwrap_or(spec)
}

/// `@scope/name` or `name` of a bare specifier; `None` when it cannot be an
/// npm package name (`~/x`, `@/x`, `.hidden`).
fn package_name(spec: &str) -> Option<&str> {
    let mut parts = spec.splitn(3, '/');
    let first = parts.next()?;
    let name_len = if let Some(scope) = first.strip_prefix('@') {
        let name = parts.next()?;
        if scope.is_empty() || name.is_empty() {
            return None;
        }
        first.len() + 1 + name.len()
    } else {
        first.len()
    };
    let name = &spec[..name_len];
    let valid =
        !first.is_empty() && !name.starts_with(['.', '_', '~']) && !name.contains(['\\', ' ', ':']);
    valid.then_some(name)
}

/// `lodash@4` → `lodash`, `@scope/x@1` → `@scope/x`.
fn strip_version(name: &str) -> &str {
    match name.char_indices().skip(1).find(|(_, c)| *c == '@') {
        Some((i, _)) => &name[..i],
        None => name,
    }
}

/// `.` and `..` removed lexically (`..` at the top stays at the top).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// `x.js` / `x.d.ts` → `x`; `None` for other extensions.
fn compiled_stem(path: &str) -> Option<&str> {
    COMPILED_EXTENSIONS
        .iter()
        .find_map(|ext| path.strip_suffix(ext))
}

/// TypeScript 5.5's `${configDir}`: the directory of the config in use.
fn substitute_config_dir(value: &str, top_dir: &Path) -> String {
    if value.contains("${configDir}") {
        value.replace("${configDir}", &top_dir.to_string_lossy())
    } else {
        value.to_string()
    }
}

/// The candidate targets of `key` (`.`, `./sub`, `#x`) in an `exports` or
/// `imports` map: the exact key, else the `*` pattern with the longest
/// prefix, else a legacy `dir/` mapping; conditions in preference order.
fn match_subpath(map: &serde_json::Map<String, Value>, key: &str) -> Vec<String> {
    match_subpath_first(map, key, None)
}

/// [`match_subpath`], with condition `first` tried before the others.
fn match_subpath_first(
    map: &serde_json::Map<String, Value>,
    key: &str,
    first: Option<&str>,
) -> Vec<String> {
    if let Some(value) = map.get(key) {
        return collect_targets(value, Subst::None, first);
    }
    let mut best: Option<(usize, &Value, Subst)> = None;
    for (pattern, value) in map {
        let candidate = if let Some((prefix, suffix)) = pattern.split_once('*') {
            let fits = !suffix.contains('*')
                && key.len() >= prefix.len() + suffix.len()
                && key.starts_with(prefix)
                && key.ends_with(suffix);
            fits.then(|| {
                let star = &key[prefix.len()..key.len() - suffix.len()];
                (prefix.len(), Subst::Star(star))
            })
        } else if pattern.ends_with('/') && key.starts_with(pattern.as_str()) {
            Some((pattern.len(), Subst::Append(&key[pattern.len()..])))
        } else {
            None
        };
        if let Some((len, subst)) = candidate {
            if best.as_ref().is_none_or(|(b, _, _)| len > *b) {
                best = Some((len, value, subst));
            }
        }
    }
    best.map(|(_, value, subst)| collect_targets(value, subst, first))
        .unwrap_or_default()
}

/// The target strings of an `exports` value: a string, an array of
/// alternatives, or conditions (`first` when given, then `types`, `import`,
/// `default`, `require`..., then any other), recursively; `null` excludes.
fn collect_targets(value: &Value, subst: Subst, first: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    collect_into(value, subst, first, &mut out, 0);
    out
}

fn collect_into(
    value: &Value,
    subst: Subst,
    first: Option<&str>,
    out: &mut Vec<String>,
    depth: usize,
) {
    if depth > 16 {
        return;
    }
    match value {
        Value::String(target) => out.push(match subst {
            Subst::None => target.clone(),
            Subst::Star(star) => target.replace('*', star),
            Subst::Append(rest) => format!("{target}{rest}"),
        }),
        Value::Array(items) => {
            for item in items {
                collect_into(item, subst, first, out, depth + 1);
            }
        }
        Value::Object(conditions) => {
            let order = first
                .into_iter()
                .chain(CONDITIONS.iter().copied().filter(|c| Some(*c) != first));
            for condition in order {
                if let Some(v) = conditions.get(condition) {
                    collect_into(v, subst, first, out, depth + 1);
                }
            }
            for (condition, v) in conditions {
                if !CONDITIONS.contains(&condition.as_str())
                    && Some(condition.as_str()) != first
                    && !condition.starts_with('.')
                {
                    collect_into(v, subst, first, out, depth + 1);
                }
            }
        }
        _ => {}
    }
}

/// The `packages:` list of a `pnpm-workspace.yaml` (block or flow style).
fn pnpm_packages(text: &str) -> Vec<String> {
    let unquote = |s: &str| -> String {
        let s = s.split(" #").next().unwrap_or(s).trim();
        s.trim_matches(|c| c == '\'' || c == '"').to_string()
    };
    let mut out = Vec::new();
    let mut in_packages = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if let Some(rest) = trimmed.strip_prefix("packages:") {
            if !line.starts_with(char::is_whitespace) {
                let rest = rest.trim();
                if let Some(flow) = rest.strip_prefix('[') {
                    let flow = flow.trim_end().trim_end_matches(']');
                    out.extend(flow.split(',').map(unquote).filter(|s| !s.is_empty()));
                } else {
                    in_packages = true;
                }
                continue;
            }
        }
        if !in_packages || trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        match trimmed.strip_prefix('-') {
            Some(item) if line.starts_with(char::is_whitespace) || line.starts_with('-') => {
                let item = unquote(item);
                if !item.is_empty() {
                    out.push(item);
                }
            }
            _ => in_packages = false,
        }
    }
    out
}

/// JSON with comments (`//`, `/* */`) and trailing commas → JSON. Comments and
/// removed commas become spaces (newlines kept), so error positions still
/// point into the original text.
fn strip_jsonc(text: &str) -> String {
    let bytes = text.trim_start_matches('\u{feff}').as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut i = 0;
    // Pass 1: comments.
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(bytes.len());
                out.extend_from_slice(&bytes[start..i]);
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    out.push(b' ');
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                out.extend_from_slice(b"  ");
                i += 2;
                while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                    out.push(if bytes[i] == b'\n' { b'\n' } else { b' ' });
                    i += 1;
                }
                if i < bytes.len() {
                    out.extend_from_slice(b"  ");
                    i += 2;
                }
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    // Pass 2: trailing commas.
    let mut i = 0;
    while i < out.len() {
        match out[i] {
            b'"' => {
                i += 1;
                while i < out.len() && out[i] != b'"' {
                    i += if out[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b',' => {
                let next = out[i + 1..].iter().find(|b| !b.is_ascii_whitespace());
                if matches!(next, Some(b'}' | b']')) {
                    out[i] = b' ';
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Node's builtin modules (without the `node:` prefix).
pub(crate) const NODE_BUILTINS: &[&str] = &[
    "assert",
    "assert/strict",
    "async_hooks",
    "buffer",
    "child_process",
    "cluster",
    "console",
    "constants",
    "crypto",
    "dgram",
    "diagnostics_channel",
    "dns",
    "dns/promises",
    "domain",
    "events",
    "fs",
    "fs/promises",
    "http",
    "http2",
    "https",
    "inspector",
    "module",
    "net",
    "os",
    "path",
    "path/posix",
    "path/win32",
    "perf_hooks",
    "process",
    "punycode",
    "querystring",
    "readline",
    "readline/promises",
    "repl",
    "stream",
    "stream/consumers",
    "stream/promises",
    "stream/web",
    "string_decoder",
    "sys",
    "test",
    "timers",
    "timers/promises",
    "tls",
    "trace_events",
    "tty",
    "url",
    "util",
    "util/types",
    "v8",
    "vm",
    "wasi",
    "worker_threads",
    "zlib",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::MemFs;

    fn mem(files: &[(&str, &str)]) -> MemFs {
        MemFs::new(files.iter().copied())
    }

    /// Resolves `spec` written in `from` in a workspace rooted at `/`.
    fn resolve(files: &[(&str, &str)], from: &str, spec: &str) -> Resolved {
        let fs = mem(files);
        TsResolver::new(Path::new("/"), None, &fs).resolve(&fs, from, spec)
    }

    fn problems(files: &[(&str, &str)], from: &str, spec: &str) -> Vec<(String, String)> {
        let fs = mem(files);
        let resolver = TsResolver::new(Path::new("/"), None, &fs);
        resolver.resolve(&fs, from, spec);
        resolver.problems()
    }

    fn file(path: &str) -> Resolved {
        Resolved::File(path.to_string())
    }

    fn ext(name: &str) -> Resolved {
        Resolved::External(name.to_string())
    }

    fn builtin(name: &str) -> Resolved {
        Resolved::Builtin(name.to_string())
    }

    #[test]
    fn resolver_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<TsResolver>();
    }

    // ---- builtins, schemes, externals -----------------------------------

    #[test]
    fn builtins_with_and_without_node_prefix() {
        let files = [("src/a.ts", "")];
        assert_eq!(resolve(&files, "src/a.ts", "fs"), builtin("fs"));
        assert_eq!(resolve(&files, "src/a.ts", "node:fs"), builtin("fs"));
        assert_eq!(
            resolve(&files, "src/a.ts", "fs/promises"),
            builtin("fs/promises")
        );
        assert_eq!(
            resolve(&files, "src/a.ts", "node:fs/promises"),
            builtin("fs/promises")
        );
        assert_eq!(resolve(&files, "src/a.ts", "node:test"), builtin("test"));
        assert_eq!(
            resolve(&files, "src/a.ts", "child_process"),
            builtin("child_process")
        );
    }

    #[test]
    fn any_node_prefixed_name_is_a_builtin() {
        let files = [("src/a.ts", "")];
        assert_eq!(
            resolve(&files, "src/a.ts", "node:sqlite"),
            builtin("sqlite")
        );
        assert_eq!(resolve(&files, "src/a.ts", "node:"), Resolved::Unresolved);
    }

    #[test]
    fn urls_are_not_dependencies() {
        let files = [("src/a.ts", "")];
        for spec in [
            "https://esm.sh/react",
            "http://x/y.js",
            "data:text/javascript,1",
            "bun:test",
        ] {
            assert_eq!(
                resolve(&files, "src/a.ts", spec),
                Resolved::NotADependency,
                "{spec}"
            );
        }
    }

    #[test]
    fn deno_npm_specifiers_are_externals() {
        let files = [("src/a.ts", "")];
        assert_eq!(
            resolve(&files, "src/a.ts", "npm:lodash@4/fp"),
            ext("lodash")
        );
        assert_eq!(
            resolve(&files, "src/a.ts", "npm:@scope/pkg@1.2"),
            ext("@scope/pkg")
        );
    }

    #[test]
    fn empty_specifier_is_unresolved() {
        assert_eq!(resolve(&[("a.ts", "")], "a.ts", ""), Resolved::Unresolved);
        assert_eq!(resolve(&[("a.ts", "")], "a.ts", "  "), Resolved::Unresolved);
    }

    #[test]
    fn unscoped_externals_cut_the_subpath() {
        let files = [("src/a.ts", "")];
        assert_eq!(resolve(&files, "src/a.ts", "react"), ext("react"));
        assert_eq!(resolve(&files, "src/a.ts", "lodash/fp/map"), ext("lodash"));
        assert_eq!(
            resolve(&files, "src/a.ts", "react-dom/client"),
            ext("react-dom")
        );
    }

    #[test]
    fn scoped_externals_keep_two_segments() {
        let files = [("src/a.ts", "")];
        assert_eq!(
            resolve(&files, "src/a.ts", "@tanstack/react-query"),
            ext("@tanstack/react-query")
        );
        assert_eq!(
            resolve(&files, "src/a.ts", "@scope/pkg/sub/path.js"),
            ext("@scope/pkg")
        );
    }

    #[test]
    fn aliases_no_config_defines_are_unresolved() {
        let files = [("src/a.ts", "")];
        assert_eq!(
            resolve(&files, "src/a.ts", "@/components/x"),
            Resolved::Unresolved
        );
        assert_eq!(resolve(&files, "src/a.ts", "~/x"), Resolved::Unresolved);
        assert_eq!(resolve(&files, "src/a.ts", "@scope"), Resolved::Unresolved);
    }

    // ---- relative probing ------------------------------------------------

    #[test]
    fn every_extension_is_probed() {
        for e in EXTENSIONS {
            let target = format!("src/b{e}");
            let files = [("src/a.ts", ""), (target.as_str(), "")];
            assert_eq!(resolve(&files, "src/a.ts", "./b"), file(&target), "{e}");
        }
    }

    #[test]
    fn extensions_are_tried_in_typescript_order() {
        let files = [
            ("src/a.ts", ""),
            ("src/b.ts", ""),
            ("src/b.tsx", ""),
            ("src/b.d.ts", ""),
            ("src/b.js", ""),
            ("src/c.tsx", ""),
            ("src/c.d.ts", ""),
            ("src/c.js", ""),
            ("src/d.d.ts", ""),
            ("src/d.js", ""),
        ];
        assert_eq!(resolve(&files, "src/a.ts", "./b"), file("src/b.ts"));
        assert_eq!(resolve(&files, "src/a.ts", "./c"), file("src/c.tsx"));
        assert_eq!(resolve(&files, "src/a.ts", "./d"), file("src/d.d.ts"));
    }

    #[test]
    fn exact_file_with_extension() {
        let files = [
            ("src/a.ts", ""),
            ("src/b.ts", ""),
            ("src/b.mjs", ""),
            ("src/b.d.ts", ""),
        ];
        assert_eq!(resolve(&files, "src/a.ts", "./b.ts"), file("src/b.ts"));
        assert_eq!(resolve(&files, "src/a.ts", "./b.mjs"), file("src/b.mjs"));
        assert_eq!(resolve(&files, "src/a.ts", "./b.d.ts"), file("src/b.d.ts"));
    }

    #[test]
    fn written_js_extension_finds_typescript() {
        let files = [
            ("src/a.ts", ""),
            ("src/b.ts", ""),
            ("src/c.tsx", ""),
            ("src/d.d.ts", ""),
            ("src/e.mts", ""),
            ("src/f.cts", ""),
            ("src/g.tsx", ""),
        ];
        assert_eq!(resolve(&files, "src/a.ts", "./b.js"), file("src/b.ts"));
        assert_eq!(resolve(&files, "src/a.ts", "./c.js"), file("src/c.tsx"));
        assert_eq!(resolve(&files, "src/a.ts", "./d.js"), file("src/d.d.ts"));
        assert_eq!(resolve(&files, "src/a.ts", "./e.mjs"), file("src/e.mts"));
        assert_eq!(resolve(&files, "src/a.ts", "./f.cjs"), file("src/f.cts"));
        assert_eq!(resolve(&files, "src/a.ts", "./g.jsx"), file("src/g.tsx"));
    }

    #[test]
    fn existing_js_file_wins_over_its_typescript_twin() {
        let files = [("src/a.ts", ""), ("src/b.js", ""), ("src/b.ts", "")];
        assert_eq!(resolve(&files, "src/a.ts", "./b.js"), file("src/b.js"));
    }

    #[test]
    fn dotted_names_append_extensions() {
        let files = [("src/a.ts", ""), ("src/user.service.ts", "")];
        assert_eq!(
            resolve(&files, "src/a.ts", "./user.service"),
            file("src/user.service.ts")
        );
    }

    #[test]
    fn directory_index_files() {
        let files = [
            ("src/a.ts", ""),
            ("src/lib/index.ts", ""),
            ("src/ui/index.tsx", ""),
            ("src/js/index.js", ""),
        ];
        assert_eq!(
            resolve(&files, "src/a.ts", "./lib"),
            file("src/lib/index.ts")
        );
        assert_eq!(
            resolve(&files, "src/a.ts", "./ui"),
            file("src/ui/index.tsx")
        );
        assert_eq!(resolve(&files, "src/a.ts", "./js"), file("src/js/index.js"));
        assert_eq!(
            resolve(&files, "src/a.ts", "./lib/"),
            file("src/lib/index.ts")
        );
    }

    #[test]
    fn file_wins_over_directory() {
        let files = [
            ("src/a.ts", ""),
            ("src/lib.ts", ""),
            ("src/lib/index.ts", ""),
        ];
        assert_eq!(resolve(&files, "src/a.ts", "./lib"), file("src/lib.ts"));
    }

    #[test]
    fn dot_and_dotdot_are_directories() {
        let files = [
            ("src/x/b.ts", ""),
            ("src/x/index.ts", ""),
            ("src/index.ts", ""),
            ("src/x.ts", ""),
        ];
        assert_eq!(resolve(&files, "src/x/b.ts", "."), file("src/x/index.ts"));
        assert_eq!(resolve(&files, "src/x/b.ts", ".."), file("src/index.ts"));
        assert_eq!(resolve(&files, "src/x/b.ts", "./"), file("src/x/index.ts"));
    }

    #[test]
    fn directory_package_json_entry() {
        let files = [
            ("src/a.ts", ""),
            ("src/vendor/package.json", r#"{ "main": "lib/entry.js" }"#),
            ("src/vendor/lib/entry.js", ""),
            ("src/vendor/index.js", ""),
        ];
        assert_eq!(
            resolve(&files, "src/a.ts", "./vendor"),
            file("src/vendor/lib/entry.js")
        );
    }

    #[test]
    fn parent_segments_are_normalised() {
        let files = [("src/a/b.ts", ""), ("src/c.ts", ""), ("src/a/y.ts", "")];
        assert_eq!(resolve(&files, "src/a/b.ts", "../c"), file("src/c.ts"));
        assert_eq!(
            resolve(&files, "src/a/b.ts", "./x/../y"),
            file("src/a/y.ts")
        );
        assert_eq!(
            resolve(&files, "src/a/b.ts", ".././a/./y.js"),
            file("src/a/y.ts")
        );
        assert_eq!(
            resolve(&files, "src/a/b.ts", "../../src/c"),
            file("src/c.ts")
        );
    }

    #[test]
    fn leaving_the_root_is_unresolved() {
        let files = [("src/a.ts", ""), ("outside.ts", "")];
        assert_eq!(
            resolve(&files, "src/a.ts", "../../outside"),
            Resolved::Unresolved
        );
        // Root /ws: /outside.ts exists but is not in the workspace.
        let fs = mem(&[("ws/src/a.ts", ""), ("outside.ts", "")]);
        let resolver = TsResolver::new(Path::new("/ws"), None, &fs);
        assert_eq!(
            resolver.resolve(&fs, "src/a.ts", "../../outside"),
            Resolved::Unresolved
        );
        assert_eq!(
            resolver.resolve(&fs, "src/a.ts", "../../ws/src/a"),
            file("src/a.ts")
        );
    }

    #[test]
    fn missing_relative_file_is_unresolved() {
        let files = [("src/a.ts", "")];
        assert_eq!(resolve(&files, "src/a.ts", "./nope"), Resolved::Unresolved);
        assert_eq!(
            resolve(&files, "src/a.ts", "./nope.js"),
            Resolved::Unresolved
        );
    }

    #[test]
    fn root_level_importer() {
        let files = [("main.ts", ""), ("src/app.ts", "")];
        assert_eq!(resolve(&files, "main.ts", "./src/app"), file("src/app.ts"));
    }

    #[test]
    fn assets_resolve_to_the_exact_file() {
        let files = [
            ("src/a.ts", ""),
            ("src/styles.css", ""),
            ("src/icon.svg", ""),
            ("src/data.json", ""),
        ];
        assert_eq!(
            resolve(&files, "src/a.ts", "./styles.css"),
            file("src/styles.css")
        );
        assert_eq!(
            resolve(&files, "src/a.ts", "./icon.svg?raw"),
            file("src/icon.svg")
        );
        assert_eq!(
            resolve(&files, "src/a.ts", "./data.json"),
            file("src/data.json")
        );
        assert_eq!(
            resolve(&files, "src/a.ts", "./missing.css"),
            Resolved::Unresolved
        );
    }

    #[test]
    fn absolute_specifiers_inside_the_workspace() {
        let fs = mem(&[("ws/src/a.ts", ""), ("ws/src/b.ts", "")]);
        let resolver = TsResolver::new(Path::new("/ws"), None, &fs);
        assert_eq!(
            resolver.resolve(&fs, "src/a.ts", "/ws/src/b"),
            file("src/b.ts")
        );
        assert_eq!(
            resolver.resolve(&fs, "src/a.ts", "/src/b.js"),
            file("src/b.ts")
        );
        assert_eq!(
            resolver.resolve(&fs, "src/a.ts", "/src/nope"),
            Resolved::Unresolved
        );
    }

    // ---- tsconfig paths and baseUrl --------------------------------------

    #[test]
    fn paths_wildcard() {
        let files = [
            (
                "tsconfig.json",
                r#"{ "compilerOptions": { "baseUrl": ".", "paths": { "@app/*": ["src/app/*"] } } }"#,
            ),
            ("src/main.ts", ""),
            ("src/app/x.ts", ""),
            ("src/app/ui/index.tsx", ""),
        ];
        assert_eq!(
            resolve(&files, "src/main.ts", "@app/x"),
            file("src/app/x.ts")
        );
        assert_eq!(
            resolve(&files, "src/main.ts", "@app/x.js"),
            file("src/app/x.ts")
        );
        assert_eq!(
            resolve(&files, "src/main.ts", "@app/ui"),
            file("src/app/ui/index.tsx")
        );
    }

    #[test]
    fn paths_wildcard_with_suffix() {
        let files = [
            (
                "tsconfig.json",
                r#"{ "compilerOptions": { "paths": { "gen:*.api": ["./gen/*/client.ts"] } } }"#,
            ),
            ("src/main.ts", ""),
            ("gen/users/client.ts", ""),
        ];
        // `gen:` looks like a URL scheme, so use a safer one too.
        let files2 = [
            (
                "tsconfig.json",
                r#"{ "compilerOptions": { "paths": { "api-*-client": ["./gen/*/client.ts"] } } }"#,
            ),
            ("src/main.ts", ""),
            ("gen/users/client.ts", ""),
        ];
        assert_eq!(
            resolve(&files, "src/main.ts", "gen:users.api"),
            Resolved::NotADependency
        );
        assert_eq!(
            resolve(&files2, "src/main.ts", "api-users-client"),
            file("gen/users/client.ts")
        );
    }

    #[test]
    fn paths_exact_pattern_wins() {
        let files = [
            (
                "tsconfig.json",
                r#"{ "compilerOptions": { "baseUrl": ".", "paths": {
                    "*": ["src/any/*"],
                    "config": ["src/config/index.ts"]
                } } }"#,
            ),
            ("src/main.ts", ""),
            ("src/config/index.ts", ""),
            ("src/any/config.ts", ""),
        ];
        assert_eq!(
            resolve(&files, "src/main.ts", "config"),
            file("src/config/index.ts")
        );
    }

    #[test]
    fn paths_longest_prefix_wins() {
        let files = [
            (
                "tsconfig.json",
                r#"{ "compilerOptions": { "baseUrl": ".", "paths": {
                    "@/*": ["src/*"],
                    "@/components/*": ["src/ui/components/*"]
                } } }"#,
            ),
            ("src/main.ts", ""),
            ("src/components/button.ts", ""),
            ("src/ui/components/button.ts", ""),
            ("src/lib/x.ts", ""),
        ];
        assert_eq!(
            resolve(&files, "src/main.ts", "@/components/button"),
            file("src/ui/components/button.ts")
        );
        assert_eq!(
            resolve(&files, "src/main.ts", "@/lib/x"),
            file("src/lib/x.ts")
        );
    }

    #[test]
    fn paths_targets_are_tried_in_order() {
        let files = [
            (
                "tsconfig.json",
                r#"{ "compilerOptions": { "baseUrl": ".", "paths": { "@lib/*": ["generated/*", "src/lib/*"] } } }"#,
            ),
            ("src/main.ts", ""),
            ("src/lib/a.ts", ""),
            ("generated/b.ts", ""),
            ("src/lib/b.ts", ""),
        ];
        assert_eq!(
            resolve(&files, "src/main.ts", "@lib/a"),
            file("src/lib/a.ts")
        );
        assert_eq!(
            resolve(&files, "src/main.ts", "@lib/b"),
            file("generated/b.ts")
        );
    }

    #[test]
    fn paths_match_without_target_falls_through() {
        let files = [
            (
                "tsconfig.json",
                r#"{ "compilerOptions": { "baseUrl": ".", "paths": { "lodash/*": ["typings/lodash/*"] } } }"#,
            ),
            ("src/main.ts", ""),
        ];
        assert_eq!(resolve(&files, "src/main.ts", "lodash/fp"), ext("lodash"));
    }

    #[test]
    fn paths_without_base_url_are_relative_to_their_config() {
        let files = [
            (
                "web/tsconfig.json",
                r#"{ "compilerOptions": { "paths": { "~/*": ["./src/*"] } } }"#,
            ),
            ("web/src/pages/a.ts", ""),
            ("web/src/b.ts", ""),
        ];
        assert_eq!(
            resolve(&files, "web/src/pages/a.ts", "~/b"),
            file("web/src/b.ts")
        );
    }

    #[test]
    fn paths_do_not_apply_to_relative_specifiers() {
        let files = [
            (
                "tsconfig.json",
                r#"{ "compilerOptions": { "paths": { "./*": ["./other/*"] } } }"#,
            ),
            ("src/a.ts", ""),
            ("other/src/b.ts", ""),
        ];
        assert_eq!(resolve(&files, "src/a.ts", "./b"), Resolved::Unresolved);
    }

    #[test]
    fn base_url_alone() {
        let files = [
            (
                "tsconfig.json",
                r#"{ "compilerOptions": { "baseUrl": "src" } }"#,
            ),
            ("src/main.ts", ""),
            ("src/utils/x.ts", ""),
        ];
        assert_eq!(
            resolve(&files, "src/main.ts", "utils/x"),
            file("src/utils/x.ts")
        );
        assert_eq!(resolve(&files, "src/main.ts", "react"), ext("react"));
    }

    #[test]
    fn paths_into_node_modules_are_packages() {
        let files = [
            (
                "tsconfig.json",
                r#"{ "compilerOptions": { "baseUrl": ".", "paths": { "*": ["node_modules/*", "src/types/*"] } } }"#,
            ),
            (
                "node_modules/react/package.json",
                r#"{ "main": "index.js" }"#,
            ),
            ("node_modules/react/index.js", ""),
            ("node_modules/lodash/fp.js", ""),
            ("src/types/zod.d.ts", ""),
            ("src/main.ts", ""),
        ];
        assert_eq!(resolve(&files, "src/main.ts", "react"), ext("react"));
        assert_eq!(resolve(&files, "src/main.ts", "lodash/fp"), ext("lodash"));
        assert_eq!(
            resolve(&files, "src/main.ts", "zod"),
            file("src/types/zod.d.ts")
        );
    }

    #[test]
    fn paths_come_before_base_url() {
        let files = [
            (
                "tsconfig.json",
                r#"{ "compilerOptions": { "baseUrl": ".", "paths": { "utils/*": ["lib/utils/*"] } } }"#,
            ),
            ("src/main.ts", ""),
            ("utils/x.ts", ""),
            ("lib/utils/x.ts", ""),
        ];
        assert_eq!(
            resolve(&files, "src/main.ts", "utils/x"),
            file("lib/utils/x.ts")
        );
    }

    #[test]
    fn nearest_tsconfig_governs() {
        let files = [
            (
                "tsconfig.json",
                r#"{ "compilerOptions": { "paths": { "x": ["./root-x.ts"] } } }"#,
            ),
            (
                "app/tsconfig.json",
                r#"{ "compilerOptions": { "paths": { "x": ["./app-x.ts"] } } }"#,
            ),
            ("root-x.ts", ""),
            ("app/app-x.ts", ""),
            ("app/src/a.ts", ""),
            ("lib/b.ts", ""),
        ];
        assert_eq!(resolve(&files, "app/src/a.ts", "x"), file("app/app-x.ts"));
        assert_eq!(resolve(&files, "lib/b.ts", "x"), file("root-x.ts"));
    }

    #[test]
    fn configured_tsconfig_applies_to_every_file() {
        let files = [
            (
                "config/tsconfig.app.json",
                r#"{ "compilerOptions": { "paths": { "x": ["../src/x.ts"] } } }"#,
            ),
            (
                "tsconfig.json",
                r#"{ "compilerOptions": { "paths": { "x": ["./other.ts"] } } }"#,
            ),
            ("src/x.ts", ""),
            ("other.ts", ""),
            ("pkg/a.ts", ""),
        ];
        let fs = mem(&files);
        let resolver = TsResolver::new(Path::new("/"), Some("config/tsconfig.app.json"), &fs);
        assert_eq!(resolver.resolve(&fs, "pkg/a.ts", "x"), file("src/x.ts"));
        let missing = TsResolver::new(Path::new("/"), Some("nope.json"), &fs);
        assert_eq!(missing.resolve(&fs, "pkg/a.ts", "x"), ext("x"));
        assert_eq!(
            missing.problems(),
            vec![("nope.json".to_string(), "tsconfig not found".to_string())]
        );
    }

    #[test]
    fn jsconfig_is_read_too() {
        let files = [
            (
                "jsconfig.json",
                r#"{ "compilerOptions": { "baseUrl": "src" } }"#,
            ),
            ("src/a.js", ""),
            ("src/lib/b.js", ""),
        ];
        assert_eq!(resolve(&files, "src/a.js", "lib/b"), file("src/lib/b.js"));
    }

    // ---- extends ---------------------------------------------------------

    #[test]
    fn extends_relative_without_json_extension() {
        let files = [
            (
                "tsconfig.json",
                r#"{ "extends": "./config/tsconfig.base" }"#,
            ),
            (
                "config/tsconfig.base.json",
                r#"{ "compilerOptions": { "baseUrl": "..", "paths": { "@/*": ["src/*"] } } }"#,
            ),
            ("src/main.ts", ""),
            ("src/x.ts", ""),
        ];
        assert_eq!(resolve(&files, "src/main.ts", "@/x"), file("src/x.ts"));
    }

    #[test]
    fn extends_two_levels() {
        let files = [
            ("tsconfig.json", r#"{ "extends": "./tsconfig.mid.json" }"#),
            (
                "tsconfig.mid.json",
                r#"{ "extends": "./base/tsconfig.json" }"#,
            ),
            (
                "base/tsconfig.json",
                r#"{ "compilerOptions": { "paths": { "@/*": ["../src/*"] } } }"#,
            ),
            ("src/main.ts", ""),
            ("src/x.ts", ""),
        ];
        // paths without baseUrl: relative to base/tsconfig.json, which wrote them.
        assert_eq!(resolve(&files, "src/main.ts", "@/x"), file("src/x.ts"));
    }

    #[test]
    fn extends_child_paths_override_base_paths() {
        let files = [
            (
                "tsconfig.json",
                r#"{ "extends": "./base.json", "compilerOptions": { "paths": { "@b/*": ["./b/*"] } } }"#,
            ),
            (
                "base.json",
                r#"{ "compilerOptions": { "paths": { "@a/*": ["./a/*"], "@b/*": ["./old-b/*"] } } }"#,
            ),
            ("src/main.ts", ""),
            ("a/x.ts", ""),
            ("b/x.ts", ""),
            ("old-b/x.ts", ""),
        ];
        assert_eq!(resolve(&files, "src/main.ts", "@b/x"), file("b/x.ts"));
        // `paths` is replaced as a whole, as TypeScript does.
        assert_eq!(resolve(&files, "src/main.ts", "@a/x"), ext("@a/x"));
    }

    #[test]
    fn extends_base_url_from_base_applies_to_child_paths() {
        let files = [
            (
                "tsconfig.json",
                r#"{ "extends": "./cfg/base.json", "compilerOptions": { "paths": { "@/*": ["*"] } } }"#,
            ),
            (
                "cfg/base.json",
                r#"{ "compilerOptions": { "baseUrl": "../src" } }"#,
            ),
            ("src/main.ts", ""),
            ("src/x.ts", ""),
        ];
        assert_eq!(resolve(&files, "src/main.ts", "@/x"), file("src/x.ts"));
        // baseUrl alone still applies.
        assert_eq!(resolve(&files, "src/main.ts", "x"), file("src/x.ts"));
    }

    #[test]
    fn extends_array_later_entries_override() {
        let files = [
            (
                "tsconfig.json",
                r#"{ "extends": ["./one.json", "./two.json"] }"#,
            ),
            (
                "one.json",
                r#"{ "compilerOptions": { "paths": { "x": ["./one.ts"] } } }"#,
            ),
            (
                "two.json",
                r#"{ "compilerOptions": { "paths": { "x": ["./two.ts"] } } }"#,
            ),
            ("one.ts", ""),
            ("two.ts", ""),
            ("src/main.ts", ""),
        ];
        assert_eq!(resolve(&files, "src/main.ts", "x"), file("two.ts"));
    }

    #[test]
    fn extends_package_in_node_modules() {
        let files = [
            (
                "tsconfig.json",
                r#"{ "extends": "@acme/tsconfig/base.json" }"#,
            ),
            (
                "node_modules/@acme/tsconfig/base.json",
                r#"{ "compilerOptions": { "baseUrl": "../../../src" } }"#,
            ),
            ("src/main.ts", ""),
            ("src/x.ts", ""),
        ];
        assert_eq!(resolve(&files, "src/main.ts", "x"), file("src/x.ts"));
        let files = [
            ("tsconfig.json", r#"{ "extends": "@tsconfig/node20" }"#),
            (
                "node_modules/@tsconfig/node20/tsconfig.json",
                r#"{ "compilerOptions": { "baseUrl": "../../../lib" } }"#,
            ),
            ("src/main.ts", ""),
            ("lib/y.ts", ""),
        ];
        assert_eq!(resolve(&files, "src/main.ts", "y"), file("lib/y.ts"));
    }

    #[test]
    fn extends_workspace_package() {
        let files = [
            ("package.json", r#"{ "workspaces": ["packages/*"] }"#),
            (
                "packages/tsconfig/package.json",
                r#"{ "name": "@acme/tsconfig" }"#,
            ),
            (
                "packages/tsconfig/base.json",
                r#"{ "compilerOptions": { "baseUrl": "../../src" } }"#,
            ),
            ("tsconfig.json", r#"{ "extends": "@acme/tsconfig/base" }"#),
            ("src/main.ts", ""),
            ("src/x.ts", ""),
        ];
        assert_eq!(resolve(&files, "src/main.ts", "x"), file("src/x.ts"));
    }

    #[test]
    fn extends_cycle_is_reported_and_terminates() {
        let files = [
            (
                "tsconfig.json",
                r#"{ "extends": "./b.json", "compilerOptions": { "paths": { "x": ["./x.ts"] } } }"#,
            ),
            ("b.json", r#"{ "extends": "./tsconfig.json" }"#),
            ("x.ts", ""),
            ("src/main.ts", ""),
        ];
        assert_eq!(resolve(&files, "src/main.ts", "x"), file("x.ts"));
        assert_eq!(
            problems(&files, "src/main.ts", "x"),
            vec![(
                "b.json".to_string(),
                "tsconfig extends cycle: b.json -> tsconfig.json -> b.json".to_string()
            )]
        );
    }

    #[test]
    fn extends_self_cycle() {
        let files = [
            ("tsconfig.json", r#"{ "extends": "./tsconfig.json" }"#),
            ("src/main.ts", ""),
        ];
        assert_eq!(resolve(&files, "src/main.ts", "x"), ext("x"));
        assert_eq!(
            problems(&files, "src/main.ts", "x"),
            vec![(
                "tsconfig.json".to_string(),
                "tsconfig extends cycle: tsconfig.json -> tsconfig.json".to_string()
            )]
        );
    }

    #[test]
    fn extends_three_cycle_message_is_canonical() {
        let files = [
            ("c.json", r#"{ "extends": "./a.json" }"#),
            ("a.json", r#"{ "extends": "./b.json" }"#),
            ("b.json", r#"{ "extends": "./c.json" }"#),
            ("tsconfig.json", r#"{ "extends": "./b.json" }"#),
            ("src/main.ts", ""),
        ];
        assert_eq!(
            problems(&files, "src/main.ts", "x"),
            vec![(
                "a.json".to_string(),
                "tsconfig extends cycle: a.json -> b.json -> c.json -> a.json".to_string()
            )]
        );
    }

    #[test]
    fn extends_missing_is_a_problem() {
        let files = [
            (
                "tsconfig.json",
                r#"{ "extends": "./nope.json", "compilerOptions": { "baseUrl": "src" } }"#,
            ),
            ("src/main.ts", ""),
            ("src/x.ts", ""),
        ];
        assert_eq!(resolve(&files, "src/main.ts", "x"), file("src/x.ts"));
        assert_eq!(
            problems(&files, "src/main.ts", "x"),
            vec![(
                "tsconfig.json".to_string(),
                "tsconfig extends not found: ./nope.json".to_string()
            )]
        );
    }

    #[test]
    fn config_dir_template() {
        let files = [
            ("tsconfig.json", r#"{ "extends": "./cfg/base.json" }"#),
            (
                "cfg/base.json",
                r#"{ "compilerOptions": { "paths": { "@/*": ["${configDir}/src/*"] } } }"#,
            ),
            ("src/main.ts", ""),
            ("src/x.ts", ""),
        ];
        assert_eq!(resolve(&files, "src/main.ts", "@/x"), file("src/x.ts"));
    }

    // ---- JSONC -------------------------------------------------------------

    #[test]
    fn tsconfig_with_comments_and_trailing_commas() {
        let config = r#"{
            // line comment
            "compilerOptions": {
                /* block
                   comment */
                "baseUrl": ".", // after a value
                "paths": {
                    "@/*": ["src/*",],
                },
            },
        }"#;
        let files = [
            ("tsconfig.json", config),
            ("src/main.ts", ""),
            ("src/x.ts", ""),
        ];
        assert_eq!(resolve(&files, "src/main.ts", "@/x"), file("src/x.ts"));
        assert_eq!(problems(&files, "src/main.ts", "@/x"), vec![]);
    }

    #[test]
    fn jsonc_keeps_comment_markers_inside_strings() {
        assert_eq!(
            strip_jsonc(r#"{"a": "http://x/*y*/", "b": "q\"//", "c": [1,],}"#),
            r#"{"a": "http://x/*y*/", "b": "q\"//", "c": [1 ] }"#
        );
    }

    #[test]
    fn jsonc_keeps_lines_and_survives_unterminated_input() {
        assert_eq!(strip_jsonc("{/*a\nb*/}"), "{   \n   }");
        assert_eq!(
            strip_jsonc("{\"a\": \"unterminated"),
            "{\"a\": \"unterminated"
        );
        assert_eq!(strip_jsonc("{/* open"), "{       ");
        assert_eq!(strip_jsonc("\u{feff}{} // é"), "{}      ");
    }

    #[test]
    fn malformed_tsconfig_is_a_problem_and_ignored() {
        let files = [
            (
                "tsconfig.json",
                "{ \"compilerOptions\": { \"baseUrl\": \"src\" ",
            ),
            ("src/main.ts", ""),
            ("src/x.ts", ""),
        ];
        assert_eq!(resolve(&files, "src/main.ts", "x"), ext("x"));
        let found = problems(&files, "src/main.ts", "x");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "tsconfig.json");
        assert!(
            found[0]
                .1
                .starts_with("malformed tsconfig: EOF while parsing"),
            "{}",
            found[0].1
        );
    }

    #[test]
    fn tsconfig_that_is_not_an_object() {
        let files = [("tsconfig.json", "[1, 2]"), ("src/main.ts", "")];
        assert_eq!(resolve(&files, "src/main.ts", "x"), ext("x"));
        assert_eq!(
            problems(&files, "src/main.ts", "x"),
            vec![(
                "tsconfig.json".to_string(),
                "malformed tsconfig: not a JSON object".to_string()
            )]
        );
    }

    #[test]
    fn paths_pattern_with_two_stars_is_a_problem() {
        let files = [
            (
                "tsconfig.json",
                r#"{ "compilerOptions": { "paths": { "a/*/b/*": ["./x/*"] } } }"#,
            ),
            ("src/main.ts", ""),
        ];
        assert_eq!(
            problems(&files, "src/main.ts", "a/1/b/2"),
            vec![(
                "tsconfig.json".to_string(),
                "tsconfig paths pattern 'a/*/b/*' has more than one '*'".to_string()
            )]
        );
    }

    #[test]
    fn oddly_typed_tsconfig_fields_do_not_panic() {
        let files = [
            (
                "tsconfig.json",
                r#"{ "extends": 3, "compilerOptions": { "baseUrl": 1, "paths": { "x": "./x.ts", "y": 5, "z": [1, "./z.ts"] } } }"#,
            ),
            ("x.ts", ""),
            ("z.ts", ""),
            ("src/main.ts", ""),
        ];
        assert_eq!(resolve(&files, "src/main.ts", "x"), file("x.ts"));
        assert_eq!(resolve(&files, "src/main.ts", "y"), ext("y"));
        assert_eq!(resolve(&files, "src/main.ts", "z"), file("z.ts"));
    }

    // ---- workspace packages ------------------------------------------------

    const ROOT_PKG: (&str, &str) = (
        "package.json",
        r#"{ "name": "root", "workspaces": ["packages/*"] }"#,
    );

    #[test]
    fn workspace_package_by_name_through_main() {
        let files = [
            ROOT_PKG,
            (
                "packages/core/package.json",
                r#"{ "name": "@acme/core", "main": "src/index.ts" }"#,
            ),
            ("packages/core/src/index.ts", ""),
            ("apps/web/a.ts", ""),
        ];
        assert_eq!(
            resolve(&files, "apps/web/a.ts", "@acme/core"),
            file("packages/core/src/index.ts")
        );
    }

    #[test]
    fn workspace_package_subpath_without_exports() {
        let files = [
            ROOT_PKG,
            (
                "packages/core/package.json",
                r#"{ "name": "core", "main": "src/index.ts" }"#,
            ),
            ("packages/core/utils/x.ts", ""),
            ("packages/core/src/index.ts", ""),
            ("a.ts", ""),
        ];
        assert_eq!(
            resolve(&files, "a.ts", "core/utils/x"),
            file("packages/core/utils/x.ts")
        );
        assert_eq!(
            resolve(&files, "a.ts", "core/utils/x.js"),
            file("packages/core/utils/x.ts")
        );
        assert_eq!(resolve(&files, "a.ts", "core/nope"), Resolved::Unresolved);
    }

    #[test]
    fn workspace_package_exports_string() {
        let files = [
            ROOT_PKG,
            (
                "packages/core/package.json",
                r#"{ "name": "@acme/core", "exports": "./src/main.ts", "main": "./other.ts" }"#,
            ),
            ("packages/core/src/main.ts", ""),
            ("packages/core/other.ts", ""),
            ("a.ts", ""),
        ];
        assert_eq!(
            resolve(&files, "a.ts", "@acme/core"),
            file("packages/core/src/main.ts")
        );
    }

    #[test]
    fn workspace_package_exports_object_with_subpaths() {
        let files = [
            ROOT_PKG,
            (
                "packages/core/package.json",
                r#"{ "name": "@acme/core", "exports": { ".": "./src/index.ts", "./feature": "./src/feature/main.ts" } }"#,
            ),
            ("packages/core/src/index.ts", ""),
            ("packages/core/src/feature/main.ts", ""),
            ("packages/core/feature.ts", ""),
            ("a.ts", ""),
        ];
        assert_eq!(
            resolve(&files, "a.ts", "@acme/core"),
            file("packages/core/src/index.ts")
        );
        assert_eq!(
            resolve(&files, "a.ts", "@acme/core/feature"),
            file("packages/core/src/feature/main.ts")
        );
    }

    #[test]
    fn workspace_package_exports_conditions_prefer_types() {
        let files = [
            ROOT_PKG,
            (
                "packages/ui/package.json",
                r#"{ "name": "ui", "exports": { ".": {
                    "require": "./cjs/index.js",
                    "import": "./esm/index.js",
                    "types": "./types/index.d.ts"
                } } }"#,
            ),
            ("packages/ui/cjs/index.js", ""),
            ("packages/ui/esm/index.js", ""),
            ("packages/ui/types/index.d.ts", ""),
            ("a.ts", ""),
        ];
        assert_eq!(
            resolve(&files, "a.ts", "ui"),
            file("packages/ui/types/index.d.ts")
        );
    }

    #[test]
    fn a_self_reference_takes_the_runtime_condition_before_types() {
        let pkg = |ty: &str| {
            format!(
                r#"{{ "name": "ui", {ty} "exports": {{ ".": {{
                    "types": "./types/index.d.ts",
                    "import": "./esm/index.js",
                    "require": "./cjs/index.js"
                }}, "./sub": {{ "types": "./types/sub.d.ts", "import": "./esm/sub.js", "require": "./cjs/sub.js" }} }} }}"#
            )
        };
        for (ty, plain) in [
            ("", "packages/ui/cjs/index.js"),
            (r#""type": "module","#, "packages/ui/esm/index.js"),
        ] {
            let manifest = pkg(ty);
            let files = [
                ROOT_PKG,
                ("packages/ui/package.json", manifest.as_str()),
                ("packages/ui/cjs/index.js", ""),
                ("packages/ui/esm/index.js", ""),
                ("packages/ui/types/index.d.ts", ""),
                ("packages/ui/cjs/sub.js", ""),
                ("packages/ui/esm/sub.js", ""),
                ("packages/ui/types/sub.d.ts", ""),
                ("packages/ui/src/a.ts", ""),
                ("packages/ui/src/b.mts", ""),
                ("packages/ui/src/c.cts", ""),
                ("other.ts", ""),
            ];
            // by the package's `type`
            assert_eq!(
                resolve(&files, "packages/ui/src/a.ts", "ui"),
                file(plain),
                "{ty}"
            );
            // `.mts` is ESM, `.cts` CommonJS, whatever the package says
            assert_eq!(
                resolve(&files, "packages/ui/src/b.mts", "ui/sub"),
                file("packages/ui/esm/sub.js"),
                "{ty}"
            );
            assert_eq!(
                resolve(&files, "packages/ui/src/c.cts", "ui"),
                file("packages/ui/cjs/index.js"),
                "{ty}"
            );
            // another package's import still prefers `types`
            assert_eq!(
                resolve(&files, "other.ts", "ui"),
                file("packages/ui/types/index.d.ts"),
                "{ty}"
            );
        }
    }

    #[test]
    fn workspace_package_exports_conditions_fall_back_in_order() {
        let files = [
            ROOT_PKG,
            (
                "packages/ui/package.json",
                r#"{ "name": "ui", "exports": { ".": {
                    "require": "./cjs/index.js",
                    "default": "./esm/index.js",
                    "types": "./types/missing.d.ts"
                } } }"#,
            ),
            ("packages/ui/cjs/index.js", ""),
            ("packages/ui/esm/index.js", ""),
            ("a.ts", ""),
        ];
        assert_eq!(
            resolve(&files, "a.ts", "ui"),
            file("packages/ui/esm/index.js")
        );
    }

    #[test]
    fn workspace_package_nested_conditions_and_sugar() {
        let files = [
            ROOT_PKG,
            (
                "packages/ui/package.json",
                r#"{ "name": "ui", "exports": {
                    "node": { "import": { "types": "./a.d.ts", "default": "./a.js" } },
                    "default": "./b.js"
                } }"#,
            ),
            ("packages/ui/a.d.ts", ""),
            ("packages/ui/a.js", ""),
            ("packages/ui/b.js", ""),
            ("a.ts", ""),
        ];
        // Condition order, not key order: `default` before `node`.
        assert_eq!(resolve(&files, "a.ts", "ui"), file("packages/ui/b.js"));
        let files = [
            ROOT_PKG,
            (
                "packages/ui/package.json",
                r#"{ "name": "ui", "exports": { "import": { "types": "./a.d.ts", "default": "./a.js" } } }"#,
            ),
            ("packages/ui/a.d.ts", ""),
            ("packages/ui/a.js", ""),
            ("a.ts", ""),
        ];
        assert_eq!(resolve(&files, "a.ts", "ui"), file("packages/ui/a.d.ts"));
    }

    #[test]
    fn workspace_package_exports_star_patterns() {
        let files = [
            ROOT_PKG,
            (
                "packages/core/package.json",
                r#"{ "name": "@acme/core", "exports": {
                    ".": "./src/index.ts",
                    "./*": "./src/*.ts",
                    "./icons/*": { "types": "./src/icons/*/index.ts" }
                } }"#,
            ),
            ("packages/core/src/index.ts", ""),
            ("packages/core/src/a/b.ts", ""),
            ("packages/core/src/icons/x/index.ts", ""),
            ("a.ts", ""),
        ];
        assert_eq!(
            resolve(&files, "a.ts", "@acme/core/a/b"),
            file("packages/core/src/a/b.ts")
        );
        assert_eq!(
            resolve(&files, "a.ts", "@acme/core/icons/x"),
            file("packages/core/src/icons/x/index.ts")
        );
    }

    #[test]
    fn workspace_package_null_export_is_excluded_and_falls_back() {
        let files = [
            ROOT_PKG,
            (
                "packages/core/package.json",
                r#"{ "name": "core", "exports": { ".": "./index.ts", "./internal": null } }"#,
            ),
            ("packages/core/index.ts", ""),
            ("a.ts", ""),
        ];
        assert_eq!(
            resolve(&files, "a.ts", "core/internal"),
            Resolved::Unresolved
        );
    }

    #[test]
    fn workspace_package_types_then_main() {
        let files = [
            ROOT_PKG,
            (
                "packages/a/package.json",
                r#"{ "name": "a", "types": "./index.d.ts", "main": "./index.js" }"#,
            ),
            ("packages/a/index.d.ts", ""),
            ("packages/a/index.js", ""),
            (
                "packages/b/package.json",
                r#"{ "name": "b", "types": "./missing.d.ts", "main": "./main.js" }"#,
            ),
            ("packages/b/main.js", ""),
            (
                "packages/c/package.json",
                r#"{ "name": "c", "typings": "./c.d.ts" }"#,
            ),
            ("packages/c/c.d.ts", ""),
            ("packages/d/package.json", r#"{ "name": "d" }"#),
            ("packages/d/index.ts", ""),
            ("x.ts", ""),
        ];
        assert_eq!(resolve(&files, "x.ts", "a"), file("packages/a/index.d.ts"));
        assert_eq!(resolve(&files, "x.ts", "b"), file("packages/b/main.js"));
        assert_eq!(resolve(&files, "x.ts", "c"), file("packages/c/c.d.ts"));
        assert_eq!(resolve(&files, "x.ts", "d"), file("packages/d/index.ts"));
    }

    #[test]
    fn workspace_package_typescript_source_beside_output() {
        let files = [
            ROOT_PKG,
            (
                "packages/a/package.json",
                r#"{ "name": "a", "types": "./index.d.ts", "main": "./index.js" }"#,
            ),
            ("packages/a/index.d.ts", ""),
            ("packages/a/index.ts", ""),
            ("x.ts", ""),
        ];
        assert_eq!(resolve(&files, "x.ts", "a"), file("packages/a/index.ts"));
    }

    #[test]
    fn workspace_package_dist_maps_to_src() {
        let files = [
            ROOT_PKG,
            (
                "packages/core/package.json",
                r#"{ "name": "core", "main": "dist/index.js", "types": "dist/index.d.ts" }"#,
            ),
            ("packages/core/src/index.ts", ""),
            ("x.ts", ""),
        ];
        assert_eq!(
            resolve(&files, "x.ts", "core"),
            file("packages/core/src/index.ts")
        );
    }

    #[test]
    fn workspace_package_source_wins_over_existing_output() {
        let files = [
            ROOT_PKG,
            (
                "packages/core/package.json",
                r#"{ "name": "core", "exports": { ".": { "types": "./dist/index.d.ts", "import": "./dist/index.mjs" } } }"#,
            ),
            ("packages/core/dist/index.d.ts", ""),
            ("packages/core/dist/index.mjs", ""),
            ("packages/core/src/index.tsx", ""),
            ("x.ts", ""),
        ];
        assert_eq!(
            resolve(&files, "x.ts", "core"),
            file("packages/core/src/index.tsx")
        );
    }

    #[test]
    fn workspace_package_output_format_dirs_and_index() {
        let files = [
            ROOT_PKG,
            (
                "packages/a/package.json",
                r#"{ "name": "a", "main": "build/cjs/index.js" }"#,
            ),
            ("packages/a/src/index.ts", ""),
            (
                "packages/b/package.json",
                r#"{ "name": "b", "exports": { "./*": "./lib/*.js" } }"#,
            ),
            ("packages/b/src/util.ts", ""),
            (
                "packages/c/package.json",
                r#"{ "name": "c", "main": "out/widgets" }"#,
            ),
            ("packages/c/src/widgets/index.ts", ""),
            ("x.ts", ""),
        ];
        assert_eq!(
            resolve(&files, "x.ts", "a"),
            file("packages/a/src/index.ts")
        );
        assert_eq!(
            resolve(&files, "x.ts", "b/util"),
            file("packages/b/src/util.ts")
        );
        assert_eq!(
            resolve(&files, "x.ts", "c"),
            file("packages/c/src/widgets/index.ts")
        );
    }

    #[test]
    fn workspace_package_output_kept_when_no_source() {
        let files = [
            ROOT_PKG,
            (
                "packages/a/package.json",
                r#"{ "name": "a", "main": "lib/index.js" }"#,
            ),
            ("packages/a/lib/index.js", ""),
            ("x.ts", ""),
        ];
        assert_eq!(
            resolve(&files, "x.ts", "a"),
            file("packages/a/lib/index.js")
        );
    }

    #[test]
    fn workspace_package_without_entry_is_unresolved() {
        let files = [
            ROOT_PKG,
            (
                "packages/a/package.json",
                r#"{ "name": "a", "main": "dist/index.js" }"#,
            ),
            ("packages/a/README.md", ""),
            ("x.ts", ""),
        ];
        assert_eq!(resolve(&files, "x.ts", "a"), Resolved::Unresolved);
        assert_eq!(resolve(&files, "x.ts", "a/sub"), Resolved::Unresolved);
    }

    #[test]
    fn workspace_package_src_index_as_last_resort() {
        let files = [
            ROOT_PKG,
            ("packages/a/package.json", r#"{ "name": "a" }"#),
            ("packages/a/src/index.ts", ""),
            ("x.ts", ""),
        ];
        assert_eq!(
            resolve(&files, "x.ts", "a"),
            file("packages/a/src/index.ts")
        );
    }

    #[test]
    fn workspaces_object_form_and_literal_paths() {
        let files = [
            (
                "package.json",
                r#"{ "workspaces": { "packages": ["apps/*", "tools/cli"] } }"#,
            ),
            (
                "apps/web/package.json",
                r#"{ "name": "web", "main": "main.ts" }"#,
            ),
            ("apps/web/main.ts", ""),
            (
                "tools/cli/package.json",
                r#"{ "name": "@acme/cli", "main": "cli.ts" }"#,
            ),
            ("tools/cli/cli.ts", ""),
            ("x.ts", ""),
        ];
        assert_eq!(resolve(&files, "x.ts", "web"), file("apps/web/main.ts"));
        assert_eq!(
            resolve(&files, "x.ts", "@acme/cli"),
            file("tools/cli/cli.ts")
        );
    }

    #[test]
    fn workspaces_double_star_finds_nested_packages() {
        let files = [
            ("package.json", r#"{ "workspaces": ["./packages/**"] }"#),
            (
                "packages/group/inner/package.json",
                r#"{ "name": "inner", "main": "i.ts" }"#,
            ),
            ("packages/group/inner/i.ts", ""),
            (
                "packages/top/package.json",
                r#"{ "name": "top", "main": "t.ts" }"#,
            ),
            ("packages/top/t.ts", ""),
            (
                "packages/top/node_modules/dep/package.json",
                r#"{ "name": "dep", "main": "d.ts" }"#,
            ),
            ("packages/top/node_modules/dep/d.ts", ""),
            ("x.ts", ""),
        ];
        assert_eq!(
            resolve(&files, "x.ts", "inner"),
            file("packages/group/inner/i.ts")
        );
        assert_eq!(resolve(&files, "x.ts", "top"), file("packages/top/t.ts"));
        assert_eq!(resolve(&files, "x.ts", "dep"), ext("dep"));
    }

    #[test]
    fn packages_outside_the_workspaces_globs_are_external() {
        let files = [
            ROOT_PKG,
            (
                "tools/x/package.json",
                r#"{ "name": "x-tool", "main": "x.ts" }"#,
            ),
            ("tools/x/x.ts", ""),
            ("a.ts", ""),
        ];
        assert_eq!(resolve(&files, "a.ts", "x-tool"), ext("x-tool"));
    }

    #[test]
    fn workspaces_negated_globs() {
        let files = [
            (
                "package.json",
                r#"{ "workspaces": ["packages/*", "!packages/legacy"] }"#,
            ),
            (
                "packages/legacy/package.json",
                r#"{ "name": "legacy", "main": "l.ts" }"#,
            ),
            ("packages/legacy/l.ts", ""),
            (
                "packages/new/package.json",
                r#"{ "name": "new", "main": "n.ts" }"#,
            ),
            ("packages/new/n.ts", ""),
            ("x.ts", ""),
        ];
        assert_eq!(resolve(&files, "x.ts", "legacy"), ext("legacy"));
        assert_eq!(resolve(&files, "x.ts", "new"), file("packages/new/n.ts"));
    }

    #[test]
    fn pnpm_workspace_yaml() {
        let files = [
            (
                "pnpm-workspace.yaml",
                "packages:\n  - 'packages/*'\n  - \"apps/*\" # apps\n\ncatalog:\n  - 'nope/*'\n",
            ),
            (
                "packages/a/package.json",
                r#"{ "name": "a", "main": "a.ts" }"#,
            ),
            ("packages/a/a.ts", ""),
            ("apps/b/package.json", r#"{ "name": "b", "main": "b.ts" }"#),
            ("apps/b/b.ts", ""),
            ("nope/c/package.json", r#"{ "name": "c", "main": "c.ts" }"#),
            ("nope/c/c.ts", ""),
            ("x.ts", ""),
        ];
        assert_eq!(resolve(&files, "x.ts", "a"), file("packages/a/a.ts"));
        assert_eq!(resolve(&files, "x.ts", "b"), file("apps/b/b.ts"));
        assert_eq!(resolve(&files, "x.ts", "c"), ext("c"));
    }

    #[test]
    fn pnpm_packages_parsing() {
        assert_eq!(
            pnpm_packages("# c\npackages:\n- a/*\n  - 'b/**'\n  - \"!c\"\nother: 1\n- d\n"),
            vec!["a/*", "b/**", "!c"]
        );
        assert_eq!(
            pnpm_packages("packages: ['x/*', \"y\"]\n"),
            vec!["x/*", "y"]
        );
        assert_eq!(pnpm_packages("name: z\n"), Vec::<String>::new());
    }

    #[test]
    fn root_package_name_is_the_workspace_own() {
        let files = [
            (
                "package.json",
                r#"{ "name": "my-app", "exports": { "./utils": "./src/utils.ts" } }"#,
            ),
            ("src/utils.ts", ""),
            ("src/a.ts", ""),
        ];
        assert_eq!(
            resolve(&files, "src/a.ts", "my-app/utils"),
            file("src/utils.ts")
        );
    }

    #[test]
    fn duplicate_workspace_package_names_are_a_problem() {
        let files = [
            ROOT_PKG,
            (
                "packages/a/package.json",
                r#"{ "name": "same", "main": "a.ts" }"#,
            ),
            ("packages/a/a.ts", ""),
            (
                "packages/b/package.json",
                r#"{ "name": "same", "main": "b.ts" }"#,
            ),
            ("packages/b/b.ts", ""),
            ("x.ts", ""),
        ];
        assert_eq!(resolve(&files, "x.ts", "same"), file("packages/a/a.ts"));
        assert_eq!(
            problems(&files, "x.ts", "same"),
            vec![(
                "packages/b/package.json".to_string(),
                "workspace package name 'same' is also used by packages/a/package.json".to_string()
            )]
        );
    }

    #[test]
    fn malformed_package_json_is_a_problem() {
        let files = [
            ROOT_PKG,
            ("packages/a/package.json", r#"{ "name": "a", }"#),
            ("packages/a/index.ts", ""),
            ("x.ts", ""),
        ];
        assert_eq!(resolve(&files, "x.ts", "a"), ext("a"));
        let found = problems(&files, "x.ts", "a");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "packages/a/package.json");
        assert!(
            found[0].1.starts_with("malformed package.json: "),
            "{}",
            found[0].1
        );
    }

    #[test]
    fn malformed_root_package_json() {
        let files = [
            ("package.json", "not json"),
            ("src/a.ts", ""),
            ("src/b.ts", ""),
        ];
        assert_eq!(resolve(&files, "src/a.ts", "react"), ext("react"));
        assert_eq!(resolve(&files, "src/a.ts", "./b"), file("src/b.ts"));
        let found = problems(&files, "src/a.ts", "react");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "package.json");
    }

    #[test]
    fn oddly_typed_package_json_fields_do_not_panic() {
        let files = [
            (
                "package.json",
                r#"{ "workspaces": [1, "packages/*"], "name": 5 }"#,
            ),
            (
                "packages/a/package.json",
                r#"{ "name": "a", "main": 7, "exports": { "./x": 3 }, "types": "" }"#,
            ),
            ("packages/a/index.ts", ""),
            ("packages/b/package.json", "[]"),
            ("x.ts", ""),
        ];
        assert_eq!(resolve(&files, "x.ts", "a"), file("packages/a/index.ts"));
        assert_eq!(resolve(&files, "x.ts", "a/x"), Resolved::Unresolved);
    }

    #[test]
    fn workspace_package_in_paths_wins() {
        let files = [
            ROOT_PKG,
            (
                "tsconfig.json",
                r#"{ "compilerOptions": { "paths": { "@acme/*": ["./packages/*/lib"] } } }"#,
            ),
            (
                "packages/core/package.json",
                r#"{ "name": "@acme/core", "main": "src/index.ts" }"#,
            ),
            ("packages/core/src/index.ts", ""),
            ("packages/core/lib/index.ts", ""),
            ("x.ts", ""),
        ];
        assert_eq!(
            resolve(&files, "x.ts", "@acme/core"),
            file("packages/core/lib/index.ts")
        );
    }

    // ---- package.json imports ---------------------------------------------

    #[test]
    fn subpath_imports() {
        let files = [
            (
                "package.json",
                r##"{ "imports": { "#db": "./src/db/index.js", "#utils/*": "./src/utils/*.js", "#dep": "lodash", "#fs": "node:fs" } }"##,
            ),
            ("src/db/index.ts", ""),
            ("src/utils/a.ts", ""),
            ("src/app/x.ts", ""),
        ];
        assert_eq!(
            resolve(&files, "src/app/x.ts", "#db"),
            file("src/db/index.ts")
        );
        assert_eq!(
            resolve(&files, "src/app/x.ts", "#utils/a"),
            file("src/utils/a.ts")
        );
        assert_eq!(resolve(&files, "src/app/x.ts", "#dep"), ext("lodash"));
        assert_eq!(resolve(&files, "src/app/x.ts", "#fs"), builtin("fs"));
        assert_eq!(
            resolve(&files, "src/app/x.ts", "#nope"),
            Resolved::Unresolved
        );
    }

    // ---- caching ------------------------------------------------------------

    #[test]
    fn results_are_cached_until_invalidated() {
        let before = mem(&[("src/a.ts", "")]);
        let after = mem(&[("src/a.ts", ""), ("src/b.ts", "")]);
        let resolver = TsResolver::new(Path::new("/"), None, &before);
        assert_eq!(
            resolver.resolve(&before, "src/a.ts", "./b"),
            Resolved::Unresolved
        );
        assert_eq!(
            resolver.resolve(&after, "src/a.ts", "./b"),
            Resolved::Unresolved
        );
        resolver.invalidate();
        assert_eq!(
            resolver.resolve(&after, "src/a.ts", "./b"),
            file("src/b.ts")
        );
    }

    #[test]
    fn cache_is_per_directory() {
        let files = [
            ("a/x.ts", ""),
            ("a/b.ts", ""),
            ("c/y.ts", ""),
            ("c/b.tsx", ""),
        ];
        let fs = mem(&files);
        let resolver = TsResolver::new(Path::new("/"), None, &fs);
        assert_eq!(resolver.resolve(&fs, "a/x.ts", "./b"), file("a/b.ts"));
        assert_eq!(resolver.resolve(&fs, "c/y.ts", "./b"), file("c/b.tsx"));
        assert_eq!(resolver.resolve(&fs, "a/x.ts", "./b"), file("a/b.ts"));
    }

    #[test]
    fn invalidate_rereads_manifests_and_problems() {
        let broken = mem(&[("tsconfig.json", "{"), ("src/a.ts", ""), ("src/x.ts", "")]);
        let fixed = mem(&[
            (
                "tsconfig.json",
                r#"{ "compilerOptions": { "baseUrl": "src" } }"#,
            ),
            ("src/a.ts", ""),
            ("src/x.ts", ""),
        ]);
        let resolver = TsResolver::new(Path::new("/"), None, &broken);
        assert_eq!(resolver.resolve(&broken, "src/a.ts", "x"), ext("x"));
        assert_eq!(resolver.problems().len(), 1);
        resolver.invalidate();
        assert_eq!(resolver.resolve(&fixed, "src/a.ts", "x"), file("src/x.ts"));
        assert_eq!(resolver.problems(), vec![]);
    }

    #[test]
    fn concurrent_resolution() {
        use rayon::prelude::*;
        let mut files: Vec<(String, String)> = vec![(
            "tsconfig.json".to_string(),
            r#"{ "compilerOptions": { "paths": { "@/*": ["./src/*"] } } }"#.to_string(),
        )];
        for i in 0..50 {
            files.push((format!("src/m{i}.ts"), String::new()));
        }
        let fs = MemFs::new(files.iter().map(|(a, b)| (a.as_str(), b.as_str())));
        let resolver = TsResolver::new(Path::new("/"), None, &fs);
        let results: Vec<Resolved> = (0..200)
            .into_par_iter()
            .map(|i| resolver.resolve(&fs, "src/m0.ts", &format!("@/m{}", i % 50)))
            .collect();
        for (i, r) in results.iter().enumerate() {
            assert_eq!(*r, file(&format!("src/m{}.ts", i % 50)));
        }
    }

    // ---- helpers --------------------------------------------------------------

    #[test]
    fn package_names() {
        assert_eq!(package_name("react"), Some("react"));
        assert_eq!(package_name("react/jsx-runtime"), Some("react"));
        assert_eq!(package_name("@a/b/c/d"), Some("@a/b"));
        assert_eq!(package_name("@a"), None);
        assert_eq!(package_name("@/x"), None);
        assert_eq!(package_name(".x"), None);
        assert_eq!(package_name("é/x"), Some("é"));
        assert_eq!(strip_version("é@1"), "é");
        assert_eq!(strip_version("@s/x@1"), "@s/x");
    }

    #[test]
    fn normalize_is_lexical() {
        assert_eq!(
            normalize(Path::new("/a/b/../c/./d")),
            PathBuf::from("/a/c/d")
        );
        assert_eq!(normalize(Path::new("/a/../../x")), PathBuf::from("/../x"));
    }
}
