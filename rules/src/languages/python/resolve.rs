//! Python resolution: a dotted module name → the file Python's import
//! system would load, under the workspace's roots.
//!
//! * **Roots**: `[workspace] python_roots` when the config sets it; else
//!   the directories the project's manifests declare ([`declared_roots`]:
//!   pyproject.toml's setuptools, hatch, poetry and uv workspace tables,
//!   setup.cfg's `package_dir`), then `src/` when the workspace has one (the
//!   "src layout"), then the workspace root. An absolute import is looked up
//!   under each root in that order.
//! * **Modules**: `a.b` is the package `a/b/__init__.py`, else `a/b.py`,
//!   else the stubs (`a/b/__init__.pyi`, `a/b.pyi`); a directory without
//!   `__init__` is a namespace package (PEP 420): its modules are found
//!   through it, in any root.
//! * **`from X import n`**: `X.n` when that is a module (a submodule), else
//!   the module `X` itself (`n` is a name defined in it).
//! * **Relative imports** (`from . import x`, `from ..a import b`) start at
//!   the file's package; going above the top-level package (the file's
//!   directory under its root) is an error in Python: `unresolved`.
//! * **Everything else**: the standard library ([`PYTHON_STDLIB`], the
//!   modules of Python 3.9 to 3.14) is a builtin; any other first segment
//!   that is not in the workspace is a third-party package, named by it.
//!   A first segment that is in the workspace but whose rest is not is
//!   `unresolved`.
//!
//! The disk is read only through [`FileSystem`] probes, so the language
//! server sees unsaved files and the check memo records every question.

use std::path::{Path, PathBuf};

use crate::facts::{Import, ImportKind};
use crate::resolve::{FileSystem, Resolved};

/// Where a dotted name leads under one directory.
enum Found {
    File(PathBuf),
    /// A directory without `__init__`: a namespace package.
    Namespace,
}

/// (the importing file's directory for a relative import; specifier;
/// imported name)
type ResultKey = (Option<String>, String, Option<String>);

pub(crate) struct PyResolver {
    root: PathBuf,
    /// Absolute, in lookup order.
    roots: Vec<PathBuf>,
    /// Results by (the importing file's directory for a relative import,
    /// else nothing; specifier; imported name). A resolver lives as long as
    /// the file set: the workspace makes a new one when a Python file (or a
    /// directory resolution asks about) appears or goes.
    results: std::sync::RwLock<rustc_hash::FxHashMap<ResultKey, Resolved>>,
    /// Whether a first segment names anything under some root (a folder,
    /// or a module file): when not, the import is the standard library's or
    /// a third-party package's, without probing its every submodule.
    tops: std::sync::RwLock<rustc_hash::FxHashMap<String, bool>>,
    /// Whether a path is a directory, as asked so far: a module's files are
    /// only probed in a folder that exists (`from pkg.mod import Name`
    /// asks for `pkg/mod/Name/__init__.py` and the like under every root).
    dirs: std::sync::RwLock<rustc_hash::FxHashMap<PathBuf, bool>>,
}

impl PyResolver {
    /// `configured`: `[workspace] python_roots`, relative to `root`.
    pub(crate) fn new(
        root: &Path,
        fs: &dyn FileSystem,
        configured: Option<&[String]>,
    ) -> PyResolver {
        let dirs: Vec<String> = match configured {
            Some(list) => list.to_vec(),
            None => {
                let mut d = declared_roots(root, fs);
                if fs.is_dir(&root.join("src")) {
                    d.push("src".into());
                }
                d.push(".".into());
                d
            }
        };
        let mut roots: Vec<PathBuf> = Vec::new();
        for d in dirs {
            let mut p = root.to_path_buf();
            for part in d.split('/') {
                match part {
                    "" | "." => {}
                    ".." => return_none_above(&mut p, root),
                    _ => p.push(part),
                }
            }
            if !roots.contains(&p) {
                roots.push(p);
            }
        }
        PyResolver {
            root: root.to_path_buf(),
            roots,
            results: Default::default(),
            tops: Default::default(),
            dirs: Default::default(),
        }
    }

    /// Where import `imp` of file `rel` (workspace-relative) leads.
    pub(crate) fn resolve(&self, fs: &dyn FileSystem, rel: &str, imp: &Import) -> Resolved {
        let spec = imp.specifier.as_str();
        // `from X import name`: one name per import (see the extractor)
        let name = match imp.kind {
            ImportKind::Static | ImportKind::ReExport => imp
                .names
                .first()
                .map(|n| n.name.as_str())
                .filter(|n| !n.is_empty()),
            _ => None,
        };
        let dir = spec
            .starts_with('.')
            .then(|| rel.rsplit_once('/').map_or("", |(d, _)| d).to_string());
        let key = (dir, spec.to_string(), name.map(String::from));
        if let Some(hit) = self
            .results
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            return hit.clone();
        }
        let resolved = self.resolve_uncached(fs, rel, spec, name);
        self.results
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, resolved.clone());
        resolved
    }

    fn resolve_uncached(
        &self,
        fs: &dyn FileSystem,
        rel: &str,
        spec: &str,
        name: Option<&str>,
    ) -> Resolved {
        if spec.starts_with('.') {
            return self.relative(fs, rel, spec, name);
        }
        let parts: Vec<&str> = spec.split('.').collect();
        if parts.iter().any(|p| p.is_empty()) {
            return Resolved::Unresolved;
        }
        let first = parts[0];
        if !self.top_is_local(fs, first) {
            // nothing of that name under any root: no probe below it can
            // find a file
            return if PYTHON_STDLIB.binary_search(&first).is_ok() {
                Resolved::Builtin(first.to_string())
            } else {
                Resolved::External(first.to_string())
            };
        }
        // the first root with a regular module or package of that name wins;
        // a namespace portion (a directory without `__init__`) decides
        // nothing on its own: an installed package or the standard library
        // of that name comes first in Python (an `alembic/` migrations
        // folder is not the alembic package)
        for base in &self.roots {
            if let Some(r) = self.lookup_file(fs, base, &parts, name) {
                return r;
            }
        }
        let first = parts[0];
        let local = self
            .roots
            .iter()
            .any(|base| matches!(self.find(fs, base, &[first]), Some(Found::File(_))));
        if local {
            Resolved::Unresolved
        } else if PYTHON_STDLIB.binary_search(&first).is_ok() {
            Resolved::Builtin(first.to_string())
        } else {
            Resolved::External(first.to_string())
        }
    }

    /// [`find_module`], when the folder it looks in exists.
    fn find(&self, fs: &dyn FileSystem, base: &Path, parts: &[&str]) -> Option<Found> {
        let mut parent = base.to_path_buf();
        for p in parts.iter().take(parts.len().saturating_sub(1)) {
            parent.push(p);
        }
        if !self.is_dir(fs, &parent) {
            return None;
        }
        find_module(fs, base, parts)
    }

    fn is_dir(&self, fs: &dyn FileSystem, path: &Path) -> bool {
        if let Some(&hit) = self
            .dirs
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(path)
        {
            return hit;
        }
        let d = fs.is_dir(path);
        self.dirs
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path.to_path_buf(), d);
        d
    }

    /// Whether `first` is a folder or a module file under some root.
    fn top_is_local(&self, fs: &dyn FileSystem, first: &str) -> bool {
        if let Some(&hit) = self
            .tops
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(first)
        {
            return hit;
        }
        let local = self.roots.iter().any(|base| {
            fs.is_dir(&base.join(first))
                || fs.is_file(&base.join(format!("{first}.py")))
                || fs.is_file(&base.join(format!("{first}.pyi")))
        });
        self.tops
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(first.to_string(), local);
        local
    }

    /// The file `parts` (or first `parts` + `name`, a submodule) is under
    /// `base`, if it is a module or a regular package there.
    fn lookup_file(
        &self,
        fs: &dyn FileSystem,
        base: &Path,
        parts: &[&str],
        name: Option<&str>,
    ) -> Option<Resolved> {
        if let Some(n) = name {
            let mut with_name = parts.to_vec();
            with_name.push(n);
            if let Some(Found::File(p)) = self.find(fs, base, &with_name) {
                return Some(self.file(&p));
            }
        }
        match self.find(fs, base, parts)? {
            Found::File(p) => Some(self.file(&p)),
            Found::Namespace => None,
        }
    }

    /// [`Self::lookup_file`] for a relative import, which has no other place
    /// to look: a namespace package is no file, and a name that is no
    /// submodule of one cannot be defined in it (it has no `__init__`).
    fn lookup(
        &self,
        fs: &dyn FileSystem,
        base: &Path,
        parts: &[&str],
        name: Option<&str>,
    ) -> Option<Resolved> {
        if let Some(r) = self.lookup_file(fs, base, parts, name) {
            return Some(r);
        }
        match self.find(fs, base, parts)? {
            Found::File(p) => Some(self.file(&p)),
            Found::Namespace if name.is_some() => Some(Resolved::Unresolved),
            Found::Namespace => Some(Resolved::NotADependency),
        }
    }

    fn relative(&self, fs: &dyn FileSystem, rel: &str, spec: &str, name: Option<&str>) -> Resolved {
        let dots = spec.len() - spec.trim_start_matches('.').len();
        let rest = &spec[dots..];
        let file = self.root.join(rel);
        let Some(dir) = file.parent() else {
            return Resolved::Unresolved;
        };
        // the file's package: its directory under a root holding it; under
        // the shallowest one, so that `..` is refused only when it goes
        // above every root (`src/` may itself be a package)
        let Some(depth) = self
            .roots
            .iter()
            .filter_map(|r| dir.strip_prefix(r).ok())
            .map(|p| p.components().count())
            .max()
        else {
            return Resolved::Unresolved;
        };
        if dots > depth {
            return Resolved::Unresolved; // beyond the top-level package
        }
        let mut base = dir.to_path_buf();
        for _ in 1..dots {
            base.pop();
        }
        let parts: Vec<&str> = if rest.is_empty() {
            Vec::new()
        } else {
            rest.split('.').collect()
        };
        if parts.iter().any(|p| p.is_empty()) {
            return Resolved::Unresolved;
        }
        self.lookup(fs, &base, &parts, name)
            .unwrap_or(Resolved::Unresolved)
    }

    fn file(&self, abs: &Path) -> Resolved {
        match abs.strip_prefix(&self.root) {
            Ok(p) => Resolved::File(
                p.components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/"),
            ),
            Err(_) => Resolved::Unresolved,
        }
    }
}

/// `..` in a root: never above the workspace root (the config refuses it;
/// a manifest's value is not trusted to).
fn return_none_above(p: &mut PathBuf, root: &Path) {
    if p.as_path() != root {
        p.pop();
    }
}

/// The package roots the project's manifests at `root` declare, relative
/// to it: pyproject.toml's `[tool.setuptools] package-dir` (the `""` key),
/// `[tool.setuptools.packages.find] where`, hatch's wheel `packages` (their
/// parent directories), poetry's `packages` `from`, uv workspace `members`
/// (each member and its `src/`), and setup.cfg's `[options] package_dir`.
pub fn declared_roots(root: &Path, fs: &dyn FileSystem) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |d: &str| {
        let d = d.trim().trim_start_matches("./").trim_end_matches('/');
        let d = if d.is_empty() { "." } else { d };
        if !out.iter().any(|o| o == d) {
            out.push(d.to_string());
        }
    };
    if let Some(doc) = fs
        .read_to_string(&root.join("pyproject.toml"))
        .and_then(|t| t.parse::<toml::Table>().ok())
    {
        let at = |path: &[&str]| -> Option<&toml::Value> {
            let mut v = doc.get(path[0])?;
            for k in &path[1..] {
                v = v.get(k)?;
            }
            Some(v)
        };
        let strings = |v: Option<&toml::Value>| -> Vec<String> {
            v.and_then(toml::Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        if let Some(d) = at(&["tool", "setuptools", "package-dir", ""]).and_then(|v| v.as_str()) {
            add(d);
        }
        for d in strings(at(&["tool", "setuptools", "packages", "find", "where"])) {
            add(&d);
        }
        for p in strings(at(&[
            "tool", "hatch", "build", "targets", "wheel", "packages",
        ])) {
            let p = p.trim_end_matches('/');
            add(p.rsplit_once('/').map_or(".", |(dir, _)| dir));
        }
        if let Some(pkgs) = at(&["tool", "poetry", "packages"]).and_then(toml::Value::as_array) {
            for p in pkgs {
                if let Some(from) = p.get("from").and_then(toml::Value::as_str) {
                    add(from);
                }
            }
        }
        for m in strings(at(&["tool", "uv", "workspace", "members"])) {
            let dirs: Vec<String> = match m.strip_suffix("/*") {
                Some(parent) if !parent.contains('*') => fs
                    .read_dir(&root.join(parent))
                    .into_iter()
                    .map(|n| format!("{parent}/{n}"))
                    .filter(|d| fs.is_dir(&root.join(d)))
                    .collect(),
                _ if !m.contains('*') => vec![m.clone()],
                _ => Vec::new(),
            };
            for d in dirs {
                if fs.is_dir(&root.join(&d).join("src")) {
                    add(&format!("{d}/src"));
                }
                add(&d);
            }
        }
    }
    if let Some(cfg) = fs.read_to_string(&root.join("setup.cfg")) {
        // [options] package_dir = =lib  (or on the next, indented line)
        let mut in_options = false;
        let mut in_value = false;
        for line in cfg.lines() {
            let t = line.trim();
            if t.starts_with('[') {
                in_options = t == "[options]";
                in_value = false;
                continue;
            }
            if !in_options {
                continue;
            }
            let value = if let Some((k, v)) = t
                .split_once('=')
                .filter(|_| !line.starts_with(char::is_whitespace))
            {
                in_value = k.trim() == "package_dir";
                if !in_value {
                    continue;
                }
                v
            } else if in_value && line.starts_with(char::is_whitespace) {
                t
            } else {
                in_value = false;
                continue;
            };
            // `=lib` maps the root package to lib; `pkg = dir` maps one package
            if let Some(dir) = value.trim().strip_prefix('=') {
                add(dir);
            }
        }
    }
    out
}

/// The module `parts` names under `base` (`parts` empty: `base` itself as a
/// package).
fn find_module(fs: &dyn FileSystem, base: &Path, parts: &[&str]) -> Option<Found> {
    let mut path = base.to_path_buf();
    for p in parts {
        path.push(p);
    }
    // as CPython's path finder: a package before a module of the same name;
    // then the stubs (`.pyi`), for modules that have no source
    for ext in ["py", "pyi"] {
        let init = path.join(format!("__init__.{ext}"));
        if fs.is_file(&init) {
            return Some(Found::File(init));
        }
        if let Some((last, _)) = parts.split_last() {
            let f = path.with_file_name(format!("{last}.{ext}"));
            if fs.is_file(&f) {
                return Some(Found::File(f));
            }
        }
    }
    fs.is_dir(&path).then_some(Found::Namespace)
}

/// The standard library's top-level modules, Python 3.9 to 3.14 (those of
/// `sys.stdlib_module_names` and those removed since 3.9), sorted.
pub(crate) const PYTHON_STDLIB: &[&str] = &[
    "__future__",
    "_abc",
    "_aix_support",
    "_android_support",
    "_ast",
    "_asyncio",
    "_bisect",
    "_blake2",
    "_bootlocale",
    "_bootsubprocess",
    "_bz2",
    "_codecs",
    "_codecs_cn",
    "_codecs_hk",
    "_codecs_iso2022",
    "_codecs_jp",
    "_codecs_kr",
    "_codecs_tw",
    "_collections",
    "_collections_abc",
    "_colorize",
    "_compat_pickle",
    "_compression",
    "_contextvars",
    "_crypt",
    "_csv",
    "_ctypes",
    "_curses",
    "_curses_panel",
    "_datetime",
    "_dbm",
    "_decimal",
    "_elementtree",
    "_frozen_importlib",
    "_frozen_importlib_external",
    "_functools",
    "_gdbm",
    "_hashlib",
    "_heapq",
    "_imp",
    "_interpchannels",
    "_interpqueues",
    "_interpreters",
    "_io",
    "_ios_support",
    "_json",
    "_locale",
    "_lsprof",
    "_lzma",
    "_markupbase",
    "_md5",
    "_msi",
    "_multibytecodec",
    "_multiprocessing",
    "_opcode",
    "_operator",
    "_osx_support",
    "_overlapped",
    "_pickle",
    "_posixshmem",
    "_posixsubprocess",
    "_py_abc",
    "_pydecimal",
    "_pyio",
    "_pyrepl",
    "_queue",
    "_random",
    "_remote_debugging",
    "_scproxy",
    "_sha1",
    "_sha256",
    "_sha3",
    "_sha512",
    "_signal",
    "_sitebuiltins",
    "_socket",
    "_sqlite3",
    "_sre",
    "_ssl",
    "_stat",
    "_statistics",
    "_string",
    "_strptime",
    "_struct",
    "_suggestions",
    "_symtable",
    "_sysconfig",
    "_thread",
    "_threading_local",
    "_tkinter",
    "_tokenize",
    "_tracemalloc",
    "_typing",
    "_uuid",
    "_warnings",
    "_weakref",
    "_weakrefset",
    "_winapi",
    "_zoneinfo",
    "_zstd",
    "abc",
    "aifc",
    "annotationlib",
    "antigravity",
    "argparse",
    "array",
    "ast",
    "asynchat",
    "asyncio",
    "asyncore",
    "atexit",
    "audioop",
    "base64",
    "bdb",
    "binascii",
    "binhex",
    "bisect",
    "builtins",
    "bz2",
    "cProfile",
    "calendar",
    "cgi",
    "cgitb",
    "chunk",
    "cmath",
    "cmd",
    "code",
    "codecs",
    "codeop",
    "collections",
    "colorsys",
    "compileall",
    "compression",
    "concurrent",
    "configparser",
    "contextlib",
    "contextvars",
    "copy",
    "copyreg",
    "crypt",
    "csv",
    "ctypes",
    "curses",
    "dataclasses",
    "datetime",
    "dbm",
    "decimal",
    "difflib",
    "dis",
    "distutils",
    "doctest",
    "email",
    "encodings",
    "ensurepip",
    "enum",
    "errno",
    "faulthandler",
    "fcntl",
    "filecmp",
    "fileinput",
    "fnmatch",
    "formatter",
    "fractions",
    "ftplib",
    "functools",
    "gc",
    "genericpath",
    "getopt",
    "getpass",
    "gettext",
    "glob",
    "graphlib",
    "grp",
    "gzip",
    "hashlib",
    "heapq",
    "hmac",
    "html",
    "http",
    "idlelib",
    "imaplib",
    "imghdr",
    "imp",
    "importlib",
    "inspect",
    "io",
    "ipaddress",
    "itertools",
    "json",
    "keyword",
    "lib2to3",
    "linecache",
    "locale",
    "logging",
    "lzma",
    "mailbox",
    "mailcap",
    "marshal",
    "math",
    "mimetypes",
    "mmap",
    "modulefinder",
    "msilib",
    "msvcrt",
    "multiprocessing",
    "netrc",
    "nis",
    "nntplib",
    "nt",
    "ntpath",
    "nturl2path",
    "numbers",
    "opcode",
    "operator",
    "optparse",
    "os",
    "ossaudiodev",
    "parser",
    "pathlib",
    "pdb",
    "pickle",
    "pickletools",
    "pipes",
    "pkgutil",
    "platform",
    "plistlib",
    "poplib",
    "posix",
    "posixpath",
    "pprint",
    "profile",
    "pstats",
    "pty",
    "pwd",
    "py_compile",
    "pyclbr",
    "pydoc",
    "pydoc_data",
    "pyexpat",
    "queue",
    "quopri",
    "random",
    "re",
    "readline",
    "reprlib",
    "resource",
    "rlcompleter",
    "runpy",
    "sched",
    "secrets",
    "select",
    "selectors",
    "shelve",
    "shlex",
    "shutil",
    "signal",
    "site",
    "smtpd",
    "smtplib",
    "sndhdr",
    "socket",
    "socketserver",
    "spwd",
    "sqlite3",
    "sre_compile",
    "sre_constants",
    "sre_parse",
    "ssl",
    "stat",
    "statistics",
    "string",
    "stringprep",
    "struct",
    "subprocess",
    "sunau",
    "symbol",
    "symtable",
    "sys",
    "sysconfig",
    "syslog",
    "tabnanny",
    "tarfile",
    "telnetlib",
    "tempfile",
    "termios",
    "textwrap",
    "this",
    "threading",
    "time",
    "timeit",
    "tkinter",
    "token",
    "tokenize",
    "tomllib",
    "trace",
    "traceback",
    "tracemalloc",
    "tty",
    "turtle",
    "turtledemo",
    "types",
    "typing",
    "unicodedata",
    "unittest",
    "urllib",
    "uu",
    "uuid",
    "venv",
    "warnings",
    "wave",
    "weakref",
    "webbrowser",
    "winreg",
    "winsound",
    "wsgiref",
    "xdrlib",
    "xml",
    "xmlrpc",
    "zipapp",
    "zipfile",
    "zipimport",
    "zlib",
    "zoneinfo",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{ImportedName, Span};
    use crate::resolve::MemFs;

    fn fs() -> MemFs {
        MemFs::new([
            ("/w/src/app/__init__.py", ""),
            ("/w/src/app/models.py", ""),
            ("/w/src/app/api/__init__.py", ""),
            ("/w/src/app/api/views.py", ""),
            ("/w/src/app/stubbed.pyi", ""),
            ("/w/src/app/both.py", ""),
            ("/w/src/app/both.pyi", ""),
            ("/w/src/nspkg/mod.py", ""),
            ("/w/tools/run.py", ""),
            ("/w/top.py", ""),
        ])
    }

    fn imp(kind: ImportKind, spec: &str, name: Option<&str>) -> Import {
        Import {
            kind,
            specifier: spec.into(),
            span: Span::default(),
            type_only: false,
            names: name
                .map(|n| ImportedName {
                    name: n.into(),
                    local: n.into(),
                    type_only: false,
                })
                .into_iter()
                .collect(),
        }
    }

    fn r(from: &str, kind: ImportKind, spec: &str, name: Option<&str>) -> Resolved {
        let fs = fs();
        PyResolver::new(Path::new("/w"), &fs, None).resolve(&fs, from, &imp(kind, spec, name))
    }

    fn file(p: &str) -> Resolved {
        Resolved::File(p.into())
    }

    #[test]
    fn absolute_imports() {
        use ImportKind::*;
        let from = "src/app/api/views.py";
        assert_eq!(
            r(from, Namespace, "app.models", None),
            file("src/app/models.py")
        );
        assert_eq!(r(from, Namespace, "app", None), file("src/app/__init__.py"));
        assert_eq!(
            r(from, Namespace, "app.api", None),
            file("src/app/api/__init__.py")
        );
        assert_eq!(
            r(from, Namespace, "app.stubbed", None),
            file("src/app/stubbed.pyi")
        );
        assert_eq!(
            r(from, Namespace, "app.both", None),
            file("src/app/both.py")
        );
        assert_eq!(
            r(from, Namespace, "nspkg.mod", None),
            file("src/nspkg/mod.py")
        );
        // a bare namespace package is no file: as a name it is third-party
        assert_eq!(
            r(from, Namespace, "nspkg", None),
            Resolved::External("nspkg".into())
        );
        assert_eq!(r(from, Namespace, "tools.run", None), file("tools/run.py"));
        assert_eq!(
            r(from, Namespace, "app.nothing", None),
            Resolved::Unresolved
        );
        assert_eq!(
            r(from, Namespace, "os.path", None),
            Resolved::Builtin("os".into())
        );
        assert_eq!(
            r(from, Namespace, "requests.adapters", None),
            Resolved::External("requests".into())
        );
    }

    #[test]
    fn from_imports_prefer_submodules() {
        use ImportKind::*;
        let from = "src/app/models.py";
        assert_eq!(
            r(from, Static, "app", Some("models")),
            file("src/app/models.py")
        );
        assert_eq!(
            r(from, Static, "app", Some("Thing")),
            file("src/app/__init__.py")
        );
        assert_eq!(
            r(from, Static, "app.api", Some("views")),
            file("src/app/api/views.py")
        );
        assert_eq!(
            r(from, Static, "nspkg", Some("mod")),
            file("src/nspkg/mod.py")
        );
        assert_eq!(
            r(from, Static, "nspkg", Some("Thing")),
            Resolved::External("nspkg".into())
        );
    }

    #[test]
    fn namespace_portions_decide_nothing() {
        use ImportKind::*;
        let fs = MemFs::new([
            // an alembic migrations folder: no __init__, no module `op`
            ("/w/alembic/env.py", ""),
            ("/w/alembic/versions/x.py", ""),
            // a static folder named as a stdlib module
            ("/w/html/index.py", ""),
            // one namespace package over two roots
            (
                "/w/pyproject.toml",
                "[tool.uv.workspace]\nmembers = [\"packages/*\"]\n",
            ),
            ("/w/packages/a/src/acme/x.py", ""),
            ("/w/packages/b/src/acme/y.py", ""),
            // a package and a module of one name: the package
            ("/w/dual/__init__.py", ""),
            ("/w/dual.py", ""),
            // src is itself a package
            ("/w/src/__init__.py", ""),
            ("/w/src/core.py", ""),
            ("/w/src/app/api.py", ""),
        ]);
        let py = PyResolver::new(std::path::Path::new("/w"), &fs, None);
        let r = |from: &str, kind, spec: &str, name| py.resolve(&fs, from, &imp(kind, spec, name));
        let v = "alembic/versions/x.py";
        assert_eq!(
            r(v, Static, "alembic", Some("op")),
            Resolved::External("alembic".into())
        );
        assert_eq!(
            r(v, Static, "html", Some("escape")),
            Resolved::Builtin("html".into())
        );
        let x = "packages/a/src/acme/x.py";
        assert_eq!(
            r(x, Static, "acme", Some("y")),
            file("packages/b/src/acme/y.py")
        );
        assert_eq!(
            r(x, Namespace, "acme.y", None),
            file("packages/b/src/acme/y.py")
        );
        assert_eq!(
            r("top.py", Namespace, "dual", None),
            file("dual/__init__.py")
        );
        assert_eq!(
            r("src/app/api.py", Static, "..core", Some("x")),
            file("src/core.py")
        );
    }

    #[test]
    fn relative_imports() {
        use ImportKind::*;
        let from = "src/app/api/views.py";
        assert_eq!(
            r(from, Static, ".", Some("views")),
            file("src/app/api/views.py")
        );
        assert_eq!(
            r(from, Static, "..", Some("models")),
            file("src/app/models.py")
        );
        assert_eq!(
            r(from, Static, "..models", Some("User")),
            file("src/app/models.py")
        );
        assert_eq!(
            r(from, Static, "..", Some("Thing")),
            file("src/app/__init__.py")
        );
        // app is the top-level package: three dots go above it
        assert_eq!(r(from, Static, "...", Some("x")), Resolved::Unresolved);
        // a module at a root has no package
        assert_eq!(r("top.py", Static, ".", Some("x")), Resolved::Unresolved);
        assert_eq!(
            r(from, Static, "..missing", Some("x")),
            Resolved::Unresolved
        );
    }

    fn roots_of(files: &[(&str, &str)], configured: Option<&[String]>) -> Vec<String> {
        let fs = MemFs::new(files.iter().copied());
        PyResolver::new(Path::new("/w"), &fs, configured)
            .roots
            .iter()
            .map(|r| r.display().to_string())
            .collect()
    }

    #[test]
    fn roots_from_the_manifests() {
        let setuptools = "[tool.setuptools.package-dir]\n\"\" = \"lib\"\n";
        assert_eq!(
            roots_of(
                &[("/w/pyproject.toml", setuptools), ("/w/lib/a.py", "")],
                None
            ),
            ["/w/lib", "/w"]
        );
        let find = "[tool.setuptools.packages.find]\nwhere = [\"src\"]\n";
        assert_eq!(
            roots_of(&[("/w/pyproject.toml", find), ("/w/src/a.py", "")], None),
            ["/w/src", "/w"]
        );
        let hatch = "[tool.hatch.build.targets.wheel]\npackages = [\"python/pkg\"]\n";
        assert_eq!(
            roots_of(&[("/w/pyproject.toml", hatch)], None),
            ["/w/python", "/w"]
        );
        let poetry = "[tool.poetry]\npackages = [{ include = \"pkg\", from = \"code\" }]\n";
        assert_eq!(
            roots_of(&[("/w/pyproject.toml", poetry)], None),
            ["/w/code", "/w"]
        );
        let uv = "[tool.uv.workspace]\nmembers = [\"packages/*\"]\n";
        assert_eq!(
            roots_of(
                &[
                    ("/w/pyproject.toml", uv),
                    ("/w/packages/a/src/a/__init__.py", ""),
                    ("/w/packages/b/b.py", ""),
                ],
                None
            ),
            ["/w/packages/a/src", "/w/packages/a", "/w/packages/b", "/w"]
        );
        let cfg = "[metadata]\nname = x\n[options]\npackage_dir =\n    =lib\npackages = find:\n";
        assert_eq!(roots_of(&[("/w/setup.cfg", cfg)], None), ["/w/lib", "/w"]);
        assert_eq!(
            roots_of(&[("/w/setup.cfg", "[options]\npackage_dir = =lib\n")], None),
            ["/w/lib", "/w"]
        );
        // a broken manifest declares nothing
        assert_eq!(roots_of(&[("/w/pyproject.toml", "[tool")], None), ["/w"]);
        // the config's list replaces the default; `..` never leaves the root
        let configured = ["lib".to_string(), "../x".to_string(), ".".to_string()];
        assert_eq!(
            roots_of(&[("/w/src/a.py", "")], Some(&configured)),
            ["/w/lib", "/w/x", "/w"]
        );
    }

    #[test]
    fn the_stdlib_list_is_sorted() {
        assert!(PYTHON_STDLIB.windows(2).all(|w| w[0] < w[1]));
        for m in [
            "os",
            "typing",
            "tomllib",
            "distutils",
            "asyncio",
            "__future__",
        ] {
            assert!(PYTHON_STDLIB.binary_search(&m).is_ok(), "{m}");
        }
    }
}
