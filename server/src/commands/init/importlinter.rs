//! `layergate init --from importlinter`: an import-linter configuration
//! (`setup.cfg`, `.importlinter` or `pyproject.toml`, looked for in that
//! order as `lint-imports` does) converted into an equivalent layergate.toml.
//!
//! Every contract becomes `[[deny]]` rules whose ids start with the
//! contract's id, so each contract keeps its own verdict: `forbidden` one
//! rule (`transitive` unless `allow_indirect_imports`), `independence` one
//! per module, `layers` one per layer below the top (it may not reach the
//! layers above it) and one per member of an independent (`|`) level, for
//! each container, `protected` one direct rule from every file but the
//! allowed importers. `ignore_imports` become `[[allow]]` entries for the
//! contract's rules: an allowed import is no link of a chain either, as an
//! ignored import is out of import-linter's graph. Module names become path
//! globs under the root packages' folders; a wildcard (`mypkg.*.models`) is
//! expanded to the modules that exist when converting. What cannot be
//! converted (`acyclic_siblings`, custom contract types, `exhaustive`) is
//! reported, never dropped silently.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::project::UsageError;

/// One contract as written: a value is a list (a one-line INI value or a
/// TOML string is a list of one).
#[derive(Debug, Clone, Default)]
pub struct Contract {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub options: BTreeMap<String, Vec<String>>,
}

impl Contract {
    fn list(&self, key: &str) -> &[String] {
        self.options.get(key).map_or(&[], Vec::as_slice)
    }

    fn flag(&self, key: &str, default: bool) -> bool {
        self.options
            .get(key)
            .and_then(|v| v.first())
            .map_or(default, |v| v.eq_ignore_ascii_case("true"))
    }
}

/// An import-linter configuration.
#[derive(Debug, Default)]
pub struct Options {
    /// The file it was read from, relative to the project.
    pub source: String,
    pub root_packages: Vec<String>,
    pub exclude_type_checking_imports: bool,
    pub contracts: Vec<Contract>,
}

/// Reads the configuration: `file` when given, else the first of
/// `setup.cfg`, `.importlinter` and `pyproject.toml` that has one.
pub fn read(root: &Path, file: Option<&Path>) -> Result<Options, UsageError> {
    let candidates: Vec<std::path::PathBuf> = match file {
        Some(f) => vec![f.to_path_buf()],
        None => ["setup.cfg", ".importlinter", "pyproject.toml"]
            .iter()
            .map(|f| root.join(f))
            .collect(),
    };
    for path in &candidates {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if file.is_none() && e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(UsageError(format!("cannot read {}: {e}", path.display()))),
        };
        let shown = path
            .strip_prefix(root)
            .unwrap_or(path)
            .to_string_lossy()
            .into_owned();
        let parsed = if path.extension().is_some_and(|e| e == "toml") {
            parse_toml(&text)
        } else {
            parse_ini(&text)
        };
        match parsed {
            Ok(Some(mut o)) => {
                o.source = shown;
                return Ok(o);
            }
            Ok(None) if file.is_none() => continue,
            Ok(None) => {
                return Err(UsageError(format!(
                    "{shown} has no import-linter configuration (an [importlinter] section, or [tool.importlinter] in a .toml file)"
                )))
            }
            Err(e) => return Err(UsageError(format!("{shown}: {e}"))),
        }
    }
    Err(UsageError(
        "no import-linter configuration found: looked for [importlinter] in setup.cfg and .importlinter, and [tool.importlinter] in pyproject.toml (name another file with --from-file)".into(),
    ))
}

/// A section's keys (lowercased) and values, in order.
type Values = Vec<(String, Option<String>)>;

/// One INI value as a list: its non-empty lines.
fn ini_list(v: &Option<String>) -> Vec<String> {
    v.as_deref()
        .unwrap_or("")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

/// `[importlinter]` and its `[importlinter:contract:ID]` sections, read as
/// Python's configparser reads them (indented lines continue a value).
pub fn parse_ini(text: &str) -> Result<Option<Options>, String> {
    // as Python's configparser: section names keep their case, keys are
    // lowercased, `#`/`;` start a comment only at the start of a line
    let mut defaults = configparser::ini::Ini::new_cs().defaults();
    defaults.multiline = true;
    defaults.enable_inline_comments = false;
    let mut ini = configparser::ini::Ini::new_from_defaults(defaults);
    let map = ini.read(text.to_string())?;
    let map: Vec<(String, Values)> = map
        .into_iter()
        .map(|(section, values)| {
            let values = values
                .into_iter()
                .map(|(k, v)| (k.to_lowercase(), v))
                .collect();
            (section, values)
        })
        .collect();
    let get = |values: &Values, key: &str| -> Option<Option<String>> {
        values
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    let Some((_, session)) = map.iter().find(|(s, _)| s == "importlinter") else {
        return Ok(None);
    };
    let mut o = Options::default();
    for key in ["root_package", "root_packages"] {
        if let Some(v) = get(session, key) {
            o.root_packages.extend(ini_list(&v));
        }
    }
    o.exclude_type_checking_imports = get(session, "exclude_type_checking_imports")
        .flatten()
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    for (section, values) in &map {
        let Some(rest) = section.strip_prefix("importlinter:") else {
            continue;
        };
        let mut c = Contract {
            id: rest.rsplit(':').next().unwrap_or(rest).to_string(),
            ..Contract::default()
        };
        for (k, v) in values {
            match k.as_str() {
                "name" => c.name = v.as_deref().unwrap_or("").trim().to_string(),
                "type" => c.kind = v.as_deref().unwrap_or("").trim().to_string(),
                _ => {
                    c.options.insert(k.clone(), ini_list(v));
                }
            }
        }
        o.contracts.push(c);
    }
    Ok(Some(o))
}

/// `[tool.importlinter]` with its `contracts` array of tables.
pub fn parse_toml(text: &str) -> Result<Option<Options>, String> {
    let doc: toml::Table = text.parse().map_err(|e: toml::de::Error| e.to_string())?;
    let Some(session) = doc
        .get("tool")
        .and_then(|t| t.get("importlinter"))
        .and_then(|t| t.as_table())
    else {
        return Ok(None);
    };
    let strings = |v: &toml::Value| -> Vec<String> {
        match v {
            toml::Value::Array(a) => a.iter().map(scalar).collect(),
            other => vec![scalar(other)],
        }
    };
    let mut o = Options::default();
    for key in ["root_package", "root_packages"] {
        if let Some(v) = session.get(key) {
            o.root_packages.extend(strings(v));
        }
    }
    o.exclude_type_checking_imports = session
        .get("exclude_type_checking_imports")
        .is_some_and(|v| scalar(v).eq_ignore_ascii_case("true"));
    let contracts = match session.get("contracts") {
        None => &Vec::new(),
        Some(toml::Value::Array(a)) => a,
        Some(_) => return Err("`tool.importlinter.contracts` is not an array of tables".into()),
    };
    for (n, t) in contracts.iter().enumerate() {
        let Some(t) = t.as_table() else {
            return Err(format!(
                "contract {} of `tool.importlinter.contracts` is not a table",
                n + 1
            ));
        };
        let mut c = Contract::default();
        for (k, v) in t {
            match k.as_str() {
                "id" => c.id = scalar(v),
                "name" => c.name = scalar(v),
                "type" => c.kind = scalar(v),
                _ => {
                    c.options.insert(k.clone(), strings(v));
                }
            }
        }
        o.contracts.push(c);
    }
    Ok(Some(o))
}

fn scalar(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Where the project's modules are: each root package's folder.
pub(super) struct Tree<'a> {
    pub(super) root: &'a Path,
    /// Root package → the folder it is in ("" or "src/", ...).
    pub(super) tops: BTreeMap<String, String>,
}

/// A module found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Node {
    /// A package's folder; whether it has an `__init__.py(i)`.
    Package(String, bool),
    /// A module's path without `.py`.
    Module(String),
}

impl<'a> Tree<'a> {
    pub(super) fn new(root: &'a Path, packages: &[String]) -> Tree<'a> {
        let mut bases: Vec<String> = rules::python_declared_roots(root, &rules::RealFs);
        bases.extend(["src".to_string(), ".".to_string()]);
        Tree::in_roots(root, &bases, packages)
    }

    /// The packages found in the first of `bases` (folders relative to
    /// `root`, `.` for itself) that holds each.
    pub(super) fn in_roots(root: &'a Path, bases: &[String], packages: &[String]) -> Tree<'a> {
        let mut tops = BTreeMap::new();
        for p in packages {
            for base in bases {
                let prefix = if base == "." {
                    String::new()
                } else {
                    format!("{base}/")
                };
                // a root package may be a subpackage (`company.billing`)
                let rel = p.replace('.', "/");
                let dir = root.join(format!("{prefix}{rel}"));
                if dir.is_dir() || root.join(format!("{prefix}{rel}.py")).is_file() {
                    tops.insert(p.clone(), prefix);
                    break;
                }
            }
        }
        Tree { root, tops }
    }

    /// The root package `name` is in, and its folder's prefix.
    fn top_of(&self, name: &str) -> Option<(&str, &str)> {
        self.tops
            .iter()
            .filter(|(top, _)| {
                name == top.as_str()
                    || name.len() > top.len()
                        && name.starts_with(top.as_str())
                        && name.as_bytes()[top.len()] == b'.'
            })
            .map(|(t, p)| (t.as_str(), p.as_str()))
            .max_by_key(|(t, _)| t.len())
    }

    pub(super) fn is_internal(&self, name: &str) -> bool {
        self.top_of(name).is_some()
    }

    pub(super) fn node(&self, name: &str) -> Option<Node> {
        let (_, prefix) = self.top_of(name)?;
        let rel = format!("{prefix}{}", name.replace('.', "/"));
        let dir = self.root.join(&rel);
        if dir.is_dir() {
            let init = dir.join("__init__.py").is_file() || dir.join("__init__.pyi").is_file();
            return Some(Node::Package(rel, init));
        }
        let file = self.root.join(format!("{rel}.py"));
        let stub = self.root.join(format!("{rel}.pyi"));
        (file.is_file() || stub.is_file()).then_some(Node::Module(rel))
    }

    /// The direct submodules and subpackages of `name`, sorted. Inside a
    /// regular package, a folder without `__init__.py` is no module (grimp
    /// does not read it).
    fn children(&self, name: &str) -> Vec<String> {
        let Some(Node::Package(dir, regular)) = self.node(name) else {
            return Vec::new();
        };
        let Ok(entries) = std::fs::read_dir(self.root.join(dir)) else {
            return Vec::new();
        };
        let mut out = BTreeSet::new();
        for e in entries.flatten() {
            let Some(file) = e.file_name().to_str().map(String::from) else {
                continue;
            };
            let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
            let stem = if is_dir {
                Some(file.as_str())
            } else {
                file.strip_suffix(".py")
                    .or_else(|| file.strip_suffix(".pyi"))
            };
            let Some(stem) = stem else { continue };
            if stem.starts_with("__") && stem.ends_with("__") || !is_identifier(stem) {
                continue;
            }
            if is_dir
                && !(if regular {
                    e.path().join("__init__.py").is_file()
                } else {
                    has_python(&e.path(), 4)
                })
            {
                continue;
            }
            out.insert(format!("{name}.{stem}"));
        }
        out.into_iter().collect()
    }

    /// The modules a module expression names: itself without a wildcard,
    /// else those that exist (`*` one segment, `**` one or more).
    pub(super) fn expand(&self, expr: &str) -> Vec<String> {
        if !expr.contains('*') {
            return vec![expr.to_string()];
        }
        let parts: Vec<&str> = expr.split('.').collect();
        let mut out = BTreeSet::new();
        if let Some((first, rest)) = parts.split_first() {
            if !first.contains('*') {
                self.matching(first, rest, &mut out);
            }
        }
        out.into_iter().collect()
    }

    fn matching(&self, at: &str, rest: &[&str], out: &mut BTreeSet<String>) {
        let Some((seg, tail)) = rest.split_first() else {
            if self.node(at).is_some() {
                out.insert(at.to_string());
            }
            return;
        };
        match *seg {
            "*" => {
                for c in self.children(at) {
                    self.matching(&c, tail, out);
                }
            }
            "**" => {
                let mut stack = self.children(at);
                while let Some(c) = stack.pop() {
                    self.matching(&c, tail, out);
                    stack.extend(self.children(&c));
                }
            }
            name => self.matching(&format!("{at}.{name}"), tail, out),
        }
    }

    /// The path globs of a module: with `as_package`, its files and its
    /// descendants'. A stub is named only where there is one.
    pub(super) fn globs(&self, name: &str, as_package: bool) -> Vec<String> {
        let files = |stem: String| {
            ["py", "pyi"]
                .iter()
                .map(|ext| format!("{stem}.{ext}"))
                .filter(|f| self.root.join(f).is_file())
                .collect()
        };
        match self.node(name) {
            Some(Node::Package(dir, _)) if as_package => vec![format!("{dir}/**")],
            Some(Node::Package(dir, true)) => files(format!("{dir}/__init__")),
            Some(Node::Package(_, false)) | None => Vec::new(),
            Some(Node::Module(stem)) => files(stem),
        }
    }
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
}

/// The folders below the regular package `dir` that have no `__init__.py`
/// (and hold Python files), as globs; not below them.
fn orphans(root: &Path, dir: &str, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
        return;
    };
    let mut subdirs: Vec<String> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().to_str().map(String::from))
        .filter(|n| n != "__pycache__")
        .collect();
    subdirs.sort();
    for name in subdirs {
        let sub = format!("{dir}/{name}");
        if root.join(&sub).join("__init__.py").is_file() {
            orphans(root, &sub, out);
        } else if has_python(&root.join(&sub), 8) {
            out.push(format!("{sub}/**"));
        }
    }
}

/// Whether a folder holds a `.py` file within `depth` levels.
fn has_python(dir: &Path, depth: usize) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|e| {
        let p = e.path();
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            depth > 0 && has_python(&p, depth - 1)
        } else {
            p.extension().is_some_and(|x| x == "py" || x == "pyi")
        }
    })
}

/// A `[[deny]]` rule to write.
#[derive(Debug)]
struct Deny {
    id: String,
    from: Vec<String>,
    to: Vec<String>,
    exclude: Vec<String>,
    transitive: bool,
    message: String,
}

/// An `[[allow]]` entry to write.
#[derive(Debug)]
struct Allow {
    from: Vec<String>,
    to: Vec<String>,
    rules: Vec<String>,
    reason: String,
}

/// The converted config: its text, the rule ids of each contract (by its
/// name as `lint-imports` shows it, in the file's order), and what could
/// not be converted.
#[derive(Debug)]
pub struct Converted {
    pub text: String,
    pub rules: Vec<(String, Vec<String>)>,
    pub notes: Vec<String>,
}

/// A rule id from a contract id: `[a-z0-9._-]`, starting with a letter or
/// digit.
pub(super) fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches(|c| c == '-' || c == '.').to_string()
}

/// Converts `o` for the project at `root`.
pub fn convert(root: &Path, o: &Options) -> Converted {
    let tree = Tree::new(root, &o.root_packages);
    let mut notes = Vec::new();
    for p in &o.root_packages {
        if !tree.tops.contains_key(p) {
            notes.push(format!("root package `{p}` was not found (looked in the roots pyproject.toml or setup.cfg declare, src/ and the project root)"));
        }
    }
    let mut denies: Vec<(String, Vec<Deny>)> = Vec::new();
    let mut allows: Vec<Allow> = Vec::new();
    let mut rules_of: Vec<(String, Vec<String>)> = Vec::new();
    let mut used_ids: BTreeSet<String> = BTreeSet::new();
    for (n, c) in o.contracts.iter().enumerate() {
        let base = {
            let s = slug(if c.id.is_empty() { &c.name } else { &c.id });
            if s.is_empty() {
                format!("contract-{}", n + 1)
            } else if rules::Builtin::from_id(&s).is_some() {
                format!("{s}-contract")
            } else {
                s
            }
        };
        let title = if c.name.is_empty() {
            c.id.clone()
        } else {
            c.name.clone()
        };
        let title = title.replace(['\n', '\r'], " ");
        let mut out: Vec<Deny> = Vec::new();
        let missing = |name: &str, notes: &mut Vec<String>| {
            notes.push(format!(
                "contract `{title}`: module `{name}` does not exist (import-linter refuses such a contract)"
            ));
        };
        let targets = |names: &[String], as_package: bool| -> Vec<String> {
            let mut t = Vec::new();
            for m in names {
                if tree.is_internal(m) {
                    t.extend(tree.globs(m, as_package));
                } else {
                    t.push(format!("py:{m}"));
                }
            }
            t
        };
        // a list of module expressions, wildcards expanded
        let expanded = |key: &str| -> Vec<String> {
            c.list(key).iter().flat_map(|e| tree.expand(e)).collect()
        };
        // modules of the project that do not exist are said
        let missing_of = |lists: &[&Vec<String>], notes: &mut Vec<String>| {
            for m in lists.iter().flat_map(|l| l.iter()) {
                if tree.is_internal(m) && tree.node(m).is_none() {
                    missing(m, notes);
                }
            }
        };
        match c.kind.as_str() {
            "forbidden" => {
                let as_packages = c.flag("as_packages", true);
                let sources = expanded("source_modules");
                let forbidden = expanded("forbidden_modules");
                missing_of(&[&sources, &forbidden], &mut notes);
                let overlap = |s: &str, f: &str| {
                    s == f
                        || as_packages
                            && (s.starts_with(&format!("{f}.")) || f.starts_with(&format!("{s}.")))
                };
                let transitive = !c.flag("allow_indirect_imports", false);
                let message = format!(
                    "import-linter contract `{title}` (forbidden): these modules may not import {}{}",
                    forbidden.join(", "),
                    if transitive { ", not even indirectly" } else { "" }
                );
                // a source overlapping a forbidden module does not forbid it
                // (import-linter skips the pair): such sources get their own rule
                let (plain, overlapping): (Vec<&String>, Vec<&String>) = sources
                    .iter()
                    .partition(|s| !forbidden.iter().any(|f| overlap(s, f)));
                if !plain.is_empty() {
                    let names: Vec<String> = plain.into_iter().cloned().collect();
                    out.push(Deny {
                        id: String::new(),
                        from: targets(&names, as_packages),
                        to: targets(&forbidden, as_packages),
                        exclude: Vec::new(),
                        transitive,
                        message: message.clone(),
                    });
                }
                for s in overlapping {
                    let f: Vec<String> = forbidden
                        .iter()
                        .filter(|f| !overlap(s, f))
                        .cloned()
                        .collect();
                    if !f.is_empty() {
                        out.push(Deny {
                            id: String::new(),
                            from: targets(std::slice::from_ref(s), as_packages),
                            to: targets(&f, as_packages),
                            exclude: Vec::new(),
                            transitive,
                            message: message.clone(),
                        });
                    }
                }
            }
            "independence" => {
                let modules: Vec<String> = c
                    .list("modules")
                    .iter()
                    .flat_map(|e| tree.expand(e))
                    .collect();
                for m in &modules {
                    if tree.node(m).is_none() {
                        missing(m, &mut notes);
                    }
                }
                for m in &modules {
                    let others: Vec<String> = modules.iter().filter(|o| *o != m).cloned().collect();
                    out.push(Deny {
                        id: String::new(),
                        from: targets(std::slice::from_ref(m), true),
                        to: targets(&others, true),
                        exclude: Vec::new(),
                        transitive: true,
                        message: format!(
                            "import-linter contract `{title}` (independence): `{m}` may not import {}, not even indirectly",
                            others.join(", ")
                        ),
                    });
                }
            }
            "layers" => {
                if c.flag("exhaustive", false) {
                    notes.push(format!("contract `{title}`: `exhaustive` is not converted (layergate does not require every child of a container to be a layer)"));
                }
                let containers: Vec<Option<String>> = if c.list("containers").is_empty() {
                    vec![None]
                } else {
                    c.list("containers")
                        .iter()
                        .flat_map(|e| tree.expand(e))
                        .map(Some)
                        .collect()
                };
                // levels: (tails with optional flags, independent)
                let levels: Vec<(Vec<(String, bool)>, bool)> = c
                    .list("layers")
                    .iter()
                    .map(|l| {
                        let independent = !l.contains(':');
                        let sep = if l.contains('|') { '|' } else { ':' };
                        let tails = l
                            .split(sep)
                            .map(str::trim)
                            .filter(|t| !t.is_empty())
                            .map(
                                |t| match t.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
                                    Some(inner) => (inner.trim().to_string(), true),
                                    None => (t.to_string(), false),
                                },
                            )
                            .collect();
                        (tails, independent)
                    })
                    .collect();
                for container in &containers {
                    let full = |tail: &str| match container {
                        Some(c) => format!("{c}.{tail}"),
                        None => tail.to_string(),
                    };
                    let present: Vec<(Vec<String>, bool)> = levels
                        .iter()
                        .map(|(tails, independent)| {
                            let names = tails
                                .iter()
                                .filter_map(|(t, optional)| {
                                    let name = full(t);
                                    if tree.node(&name).is_some() {
                                        Some(name)
                                    } else {
                                        if !optional {
                                            missing(&name, &mut notes);
                                        }
                                        None
                                    }
                                })
                                .collect();
                            (names, *independent)
                        })
                        .collect();
                    for (i, (names, independent)) in present.iter().enumerate() {
                        let above: Vec<String> = present[..i]
                            .iter()
                            .flat_map(|(n, _)| n.iter().cloned())
                            .collect();
                        if !names.is_empty() && !above.is_empty() {
                            out.push(Deny {
                                id: String::new(),
                                from: targets(names, true),
                                to: targets(&above, true),
                                exclude: Vec::new(),
                                transitive: true,
                                message: format!(
                                    "import-linter contract `{title}` (layers): {} may not import the layers above ({}), not even indirectly",
                                    names.join(" | "),
                                    above.join(", ")
                                ),
                            });
                        }
                        if *independent && names.len() > 1 {
                            for m in names {
                                let others: Vec<String> =
                                    names.iter().filter(|o| *o != m).cloned().collect();
                                out.push(Deny {
                                    id: String::new(),
                                    from: targets(std::slice::from_ref(m), true),
                                    to: targets(&others, true),
                                    exclude: Vec::new(),
                                    transitive: true,
                                    message: format!(
                                        "import-linter contract `{title}` (layers): `{m}` may not import its independent siblings ({}), not even indirectly",
                                        others.join(", ")
                                    ),
                                });
                            }
                        }
                    }
                }
            }
            "protected" => {
                let as_packages = c.flag("as_packages", true);
                let protected = expanded("protected_modules");
                let allowed = expanded("allowed_importers");
                missing_of(&[&protected, &allowed], &mut notes);
                let mut exclude = targets(&allowed, as_packages);
                if as_packages {
                    // a protected package's own modules import each other
                    exclude.extend(targets(&protected, true));
                }
                exclude.retain(|e| !e.starts_with("py:"));
                out.push(Deny {
                    id: String::new(),
                    from: vec!["**".into()],
                    to: targets(&protected, as_packages),
                    exclude,
                    transitive: false,
                    message: format!(
                        "import-linter contract `{title}` (protected): only {} may import {}",
                        allowed.join(", "),
                        protected.join(", ")
                    ),
                });
            }
            other => {
                notes.push(format!(
                    "contract `{title}`: type `{other}` is not converted{}",
                    if other == "acyclic_siblings" {
                        " (express it with template modules and `cycles`)"
                    } else {
                        ""
                    }
                ));
                continue;
            }
        }
        // ids: the contract's id, or id.1, id.2, ... for several rules;
        // unique across contracts (`feat` and `feat.1` could meet)
        let several = out.len() > 1;
        let count = out.len();
        let ids_for = |base: &str| -> Vec<String> {
            (0..count)
                .map(|k| {
                    if several {
                        format!("{base}.{}", k + 1)
                    } else {
                        base.to_string()
                    }
                })
                .collect()
        };
        let mut chosen = base.clone();
        let mut bump = 2;
        while ids_for(&chosen).iter().any(|id| used_ids.contains(id)) {
            chosen = format!("{base}-{bump}");
            bump += 1;
        }
        for (d, id) in out.iter_mut().zip(ids_for(&chosen)) {
            used_ids.insert(id.clone());
            d.id = id;
        }
        out.retain(|d| !d.from.is_empty() && !d.to.is_empty());
        let ids: Vec<String> = out.iter().map(|d| d.id.clone()).collect();
        for expr in c.list("ignore_imports") {
            let Some((a, b)) = expr.split_once("->") else {
                notes.push(format!(
                    "contract `{title}`: ignore_imports entry `{expr}` is not `importer -> imported`"
                ));
                continue;
            };
            let (a, b) = (a.trim(), b.trim());
            let from: Vec<String> = tree
                .expand(a)
                .iter()
                .flat_map(|m| tree.globs(m, false))
                .collect();
            let to: Vec<String> = tree
                .expand(b)
                .iter()
                .flat_map(|m| {
                    if tree.is_internal(m) {
                        tree.globs(m, false)
                    } else {
                        vec![format!("py:{m}")]
                    }
                })
                .collect();
            if from.is_empty() || to.is_empty() || ids.is_empty() {
                notes.push(format!(
                    "contract `{title}`: ignore_imports entry `{expr}` matches no module"
                ));
                continue;
            }
            allows.push(Allow {
                from,
                to,
                rules: ids.clone(),
                reason: format!("ignore_imports of import-linter contract `{title}`: {a} -> {b}"),
            });
        }
        rules_of.push((title.clone(), ids));
        denies.push((format!("{title} ({})", c.kind), out));
    }
    Converted {
        text: render(o, &tree, &denies, &allows),
        rules: rules_of,
        notes,
    }
}

pub(super) fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

pub(super) fn list(items: &[String]) -> String {
    let one = format!(
        "[{}]",
        items
            .iter()
            .map(|s| quote(s))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if one.len() <= 80 {
        return one;
    }
    let mut s = String::from("[\n");
    for i in items {
        s.push_str(&format!("  {},\n", quote(i)));
    }
    s.push(']');
    s
}

fn render(o: &Options, tree: &Tree, denies: &[(String, Vec<Deny>)], allows: &[Allow]) -> String {
    let mut s = format!(
        "# layergate.toml, converted from {} by `layergate init --from importlinter`.\n\
         # Each contract became [[deny]] rules whose ids start with the contract's\n\
         # id; its ignore_imports became [[allow]] entries for those rules (an\n\
         # allowed import is no link of an indirect chain either). Module names are\n\
         # path globs; a wildcard was expanded to the modules that exist today.\n\n",
        o.source
    );
    let include: Vec<String> = tree
        .tops
        .iter()
        .flat_map(|(p, prefix)| {
            // the Python files only: grimp reads no other
            let rel = p.replace('.', "/");
            if tree.root.join(format!("{prefix}{rel}")).is_dir() {
                vec![format!("{prefix}{rel}/**/*.py")]
            } else {
                vec![format!("{prefix}{rel}.py")]
            }
        })
        .collect();
    if !include.is_empty() {
        s.push_str("[workspace]\n# import-linter's graph: the root packages' Python files\n");
        s.push_str(&format!("include = {}\n", list(&include)));
        // what grimp does not read as modules either: folders without
        // __init__.py inside a package
        let mut exclude = Vec::new();
        for (p, prefix) in &tree.tops {
            let dir = format!("{prefix}{}", p.replace('.', "/"));
            if tree.root.join(&dir).join("__init__.py").is_file() {
                orphans(tree.root, &dir, &mut exclude);
            }
        }
        if !exclude.is_empty() {
            s.push_str(&format!("exclude = {}\n", list(&exclude)));
        }
        s.push('\n');
    }
    // import-linter's graph has the imports as written: `from pkg import
    // Name` is an import of `pkg`, wherever `pkg/__init__.py` got `Name`
    s.push_str("[checks]\nreexports = \"direct\"  # import-linter's graph: imports as written\n");
    if o.exclude_type_checking_imports {
        s.push_str("type_only_imports = \"ignore\"  # exclude_type_checking_imports\n");
    }
    s.push('\n');
    for (title, rules) in denies {
        s.push_str(&format!("# {title}\n"));
        for d in rules {
            s.push_str("[[deny]]\n");
            s.push_str(&format!("id = {}\n", quote(&d.id)));
            s.push_str(&format!("from = {}\n", list(&d.from)));
            s.push_str(&format!("to = {}\n", list(&d.to)));
            if !d.exclude.is_empty() {
                s.push_str(&format!("exclude = {}\n", list(&d.exclude)));
            }
            if d.transitive {
                s.push_str("transitive = true\n");
            }
            s.push_str(&format!("message = {}\n\n", quote(&d.message)));
        }
    }
    for a in allows {
        s.push_str("[[allow]]\n");
        s.push_str(&format!("from = {}\n", list(&a.from)));
        s.push_str(&format!("to = {}\n", list(&a.to)));
        s.push_str(&format!("rules = {}\n", list(&a.rules)));
        s.push_str(&format!("reason = {}\n\n", quote(&a.reason)));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ini_values_are_lists_of_lines() {
        let o = parse_ini(
            "[importlinter]\nroot_packages =\n    shop\n    tools\n\
             [importlinter:contract:layers]\nname = Layers\ntype = layers\n\
             layers =\n    api\n    # a comment\n    domain | infra\n    util : log\ncontainers = shop\n",
        )
        .unwrap()
        .unwrap();
        assert_eq!(o.root_packages, ["shop", "tools"]);
        let c = &o.contracts[0];
        assert_eq!((c.id.as_str(), c.kind.as_str()), ("layers", "layers"));
        assert_eq!(c.list("layers"), ["api", "domain | infra", "util : log"]);
        assert_eq!(c.list("containers"), ["shop"]);
        assert!(parse_ini("[other]\na = 1\n").unwrap().is_none());
    }

    #[test]
    fn toml_contracts_keep_their_order_and_types() {
        let o = parse_toml(
            "[tool.importlinter]\nroot_package = \"shop\"\nexclude_type_checking_imports = true\n\
             [[tool.importlinter.contracts]]\nname = \"No HTTP\"\ntype = \"forbidden\"\n\
             source_modules = [\"shop.domain\"]\nforbidden_modules = [\"requests\"]\nallow_indirect_imports = true\n\
             [[tool.importlinter.contracts]]\nid = \"ind\"\nname = \"Features\"\ntype = \"independence\"\nmodules = [\"shop.a\", \"shop.b\"]\n",
        )
        .unwrap()
        .unwrap();
        assert_eq!(o.root_packages, ["shop"]);
        assert!(o.exclude_type_checking_imports);
        assert_eq!(o.contracts[0].name, "No HTTP");
        assert!(o.contracts[0].flag("allow_indirect_imports", false));
        assert_eq!(o.contracts[1].id, "ind");
        assert_eq!(o.contracts[1].list("modules"), ["shop.a", "shop.b"]);
        assert!(parse_toml("[tool.other]\n").unwrap().is_none());
        assert!(parse_toml("[tool.importlinter]\ncontracts = 3\n").is_err());
    }

    #[test]
    fn ini_is_read_as_python_reads_it() {
        // `;` and `#` after a value are part of it; section names keep their
        // case; keys do not
        let o = parse_ini(
            "[importlinter]\nRoot_Package = shop\n\
             [importlinter:contract:A]\nname = Domain; no HTTP # really\ntype = forbidden\n\
             [importlinter:contract:a]\nname = other\ntype = forbidden\n",
        )
        .unwrap()
        .unwrap();
        assert_eq!(o.root_packages, ["shop"]);
        let ids: Vec<(&str, &str)> = o
            .contracts
            .iter()
            .map(|c| (c.id.as_str(), c.name.as_str()))
            .collect();
        assert_eq!(ids, [("A", "Domain; no HTTP # really"), ("a", "other")]);
    }

    #[test]
    fn rule_ids_never_collide() {
        // `feat` makes feat.1 and feat.2; a contract with the id `feat.1`
        // must get another
        let dir = tempfile::tempdir().unwrap();
        for f in ["shop/__init__.py", "shop/a.py", "shop/b.py"] {
            let p = dir.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "").unwrap();
        }
        let o = parse_ini(
            "[importlinter]\nroot_package = shop\n\
             [importlinter:contract:feat]\nname = F\ntype = independence\nmodules =\n    shop.a\n    shop.b\n\
             [importlinter:contract:feat.1]\nname = G\ntype = forbidden\nsource_modules = shop.a\nforbidden_modules = shop.b\n",
        )
        .unwrap()
        .unwrap();
        let c = convert(dir.path(), &o);
        assert_eq!(
            c.rules,
            [
                (
                    "F".to_string(),
                    vec!["feat.1".to_string(), "feat.2".to_string()]
                ),
                ("G".to_string(), vec!["feat.1-2".to_string()]),
            ]
        );
        assert!(rules::Config::parse(&dir.path().join("layergate.toml"), &c.text).is_ok());
    }

    #[test]
    fn slugs_are_rule_ids() {
        assert_eq!(slug("My Layers_Contract!"), "my-layers-contract");
        assert_eq!(slug("--"), "");
    }
}
