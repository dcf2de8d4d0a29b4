//! `layergate init`: writes a starter `layergate.toml` in the current directory:
//! one module per workspace member (`package.json` `workspaces`,
//! `pnpm-workspace.yaml`, a Cargo `[workspace]`'s `members`) when the project
//! declares them, else one per source folder found under `src/`, `crates/`,
//! `packages/` and `apps/` (for a Python package, one per subpackage); the
//! layers and checks as commented suggestions,
//! and `cycles = "warning"` when the code has module cycles today.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rules::Lang;
use rules::{Config, CONFIG_FILE};

use crate::project::{self, UsageError};

pub mod importlinter;
pub mod tach;

/// Another tool's configuration to convert.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum FromTool {
    /// import-linter: `[importlinter]` in setup.cfg or .importlinter,
    /// `[tool.importlinter]` in pyproject.toml.
    Importlinter,
    /// tach: `tach.toml`.
    Tach,
}

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Overwrite an existing layergate.toml.
    #[arg(long)]
    pub force: bool,
    /// Also install layergate's pre-edit hook for this agent CLI in the
    /// project (merged into its settings file); an existing layergate.toml
    /// is then kept.
    #[arg(long, value_enum, value_name = "AGENT")]
    pub agent: Option<super::hook::Agent>,
    /// Convert another tool's configuration instead of proposing modules
    /// (each of its contracts keeps its verdict).
    #[arg(long, value_enum, value_name = "TOOL")]
    pub from: Option<FromTool>,
    /// The file to convert (default: where the tool itself looks).
    #[arg(long, value_name = "FILE", requires = "from")]
    pub from_file: Option<PathBuf>,
}

/// The folders whose subfolders become modules.
const CONTAINERS: &[&str] = &["src", "crates", "packages", "apps"];

pub fn run(args: InitArgs) -> anyhow::Result<i32> {
    let cwd = project::cwd();
    let path = cwd.join(CONFIG_FILE);
    let exists = std::fs::symlink_metadata(&path).is_ok();
    if let Some(agent) = args.agent {
        install_hook(&cwd, agent)?;
        if exists && !args.force {
            eprintln!("kept the existing {CONFIG_FILE}");
            return Ok(0);
        }
    }
    // a dangling link counts as there: `--force` is refused through it anyway
    if exists && !args.force {
        return Err(UsageError(format!(
            "{} already exists; pass --force to overwrite it",
            path.display()
        ))
        .into());
    }
    match args.from {
        Some(FromTool::Importlinter) => {
            return from_importlinter(&cwd, &path, args.from_file.as_deref())
        }
        Some(FromTool::Tach) => return from_tach(&cwd, &path, args.from_file.as_deref()),
        None => {}
    }
    let modules = detect(&cwd);
    let text = starter(&modules, false, None);
    // never write a file `check` would refuse
    if let Err(problems) = Config::parse(&path, &text) {
        return Err(UsageError(format!(
            "internal error: the starter config does not parse:\n{}",
            project::format_problems(&path, &problems)
        ))
        .into());
    }
    let boundary = rules::disk::Boundary::around(&cwd);
    rules::disk::write_inside(&boundary, &path, text.as_bytes())
        .map_err(|e| UsageError(format!("cannot write {}: {e}", path.display())))?;
    // the code's module cycles today: a first run that is a wall of
    // errors is switched off, so they start as warnings; and the layer
    // order the imports follow
    let (cycles, order) = if modules.len() > 1 {
        let ws = project::load_workspace_cached(&path)?;
        let diagnostics = project::check(&ws, None)?.diagnostics;
        let graph = super::graph::Graph::build(&ws, &diagnostics);
        let edges: Vec<((String, String), usize)> = graph
            .groups
            .first()
            .map(|g| {
                g.edges
                    .iter()
                    .map(|(k, e)| (k.clone(), e.imports))
                    .collect()
            })
            .unwrap_or_default();
        let names: Vec<String> = modules.iter().map(|m| m.name.clone()).collect();
        let cycles = diagnostics.iter().filter(|d| d.rule == "cycle").count();
        // an order only where the imports make one (more than one level)
        let order = Some(Order::of(&names, &edges)).filter(|o| o.levels.len() > 1);
        (cycles, order)
    } else {
        (0, None)
    };
    if cycles > 0 || order.is_some() {
        let text = starter(&modules, cycles > 0, order.as_ref());
        rules::disk::write_inside(&boundary, &path, text.as_bytes())
            .map_err(|e| UsageError(format!("cannot write {}: {e}", path.display())))?;
    }
    let names: Vec<&str> = modules.iter().map(|m| m.name.as_str()).collect();
    if names.is_empty() {
        eprintln!("wrote {CONFIG_FILE} with no modules (no workspace members, and no source folders under src/, crates/, packages/ or apps/); edit it to describe your architecture");
    } else {
        eprintln!(
            "wrote {CONFIG_FILE} with {} module(s): {}",
            names.len(),
            names.join(", ")
        );
        if cycles > 0 {
            eprintln!(
                "the modules have cycles today ({cycles} imports): `cycles` is set to \"warning\" until they are fixed"
            );
        }
        if let Some(o) = &order {
            let shown: Vec<String> = o.levels.iter().map(|l| l.join(" | ")).collect();
            eprintln!(
                "the imports follow this layer order today, top to bottom: {} (proposed, commented out under [layers])",
                shown.join(" → ")
            );
            for c in &o.cycles {
                eprintln!("  {}", c.describe());
            }
        }
        eprintln!("next: order the layers, run `layergate check`, and adopt it on the existing code with `layergate check --write-baseline`");
    }
    Ok(0)
}

/// `init --from importlinter`: the converted config, written only when it
/// parses; what was not converted is listed.
fn from_importlinter(root: &Path, path: &Path, file: Option<&Path>) -> anyhow::Result<i32> {
    let options = importlinter::read(root, file)?;
    let converted = importlinter::convert(root, &options);
    write_converted(root, path, &converted.text)?;
    let n: usize = converted.rules.iter().map(|(_, ids)| ids.len()).sum();
    eprintln!(
        "wrote {CONFIG_FILE} from {}: {} contract(s) as {n} [[deny]] rule(s)",
        options.source,
        converted.rules.len()
    );
    for (contract, ids) in &converted.rules {
        eprintln!("  {contract} → {}", ids.join(", "));
    }
    for note in &converted.notes {
        eprintln!("not converted: {note}");
    }
    eprintln!("next: run `layergate check`; each contract's violations carry its rule ids");
    Ok(0)
}

/// Writes a converted config, only when it parses.
fn write_converted(root: &Path, path: &Path, text: &str) -> anyhow::Result<()> {
    if let Err(problems) = Config::parse(path, text) {
        return Err(UsageError(format!(
            "internal error: the converted config does not parse:\n{}",
            project::format_problems(path, &problems)
        ))
        .into());
    }
    let boundary = rules::disk::Boundary::around(root);
    rules::disk::write_inside(&boundary, path, text.as_bytes())
        .map_err(|e| UsageError(format!("cannot write {}: {e}", path.display())))?;
    Ok(())
}

/// `init --from tach`.
fn from_tach(root: &Path, path: &Path, file: Option<&Path>) -> anyhow::Result<i32> {
    let converted = tach::convert(root, file)?;
    write_converted(root, path, &converted.text)?;
    eprintln!(
        "wrote {CONFIG_FILE} from tach: {} module(s)",
        converted.modules
    );
    for note in &converted.notes {
        eprintln!("not converted: {note}");
    }
    eprintln!("next: run `layergate check`");
    Ok(0)
}

/// A layer order the imports follow: levels top to bottom (modules that
/// import others above those they import; no import within a level), and
/// the cycles it had to break.
#[derive(Debug, PartialEq, Eq)]
pub struct Order {
    pub levels: Vec<Vec<String>>,
    pub cycles: Vec<Broken>,
}

/// A cycle of modules, put in the order that sends the fewest imports
/// upward, and those imports: (from, to, how many).
#[derive(Debug, PartialEq, Eq)]
pub struct Broken {
    pub modules: Vec<String>,
    pub upward: Vec<(String, String, usize)>,
}

impl Order {
    /// The order of `names` that the module imports `edges` ((from, to) →
    /// how many imports) follow: the strongly connected components of the
    /// graph, each at the length of the longest path from it to a module
    /// that imports nothing, highest first; components at one height form
    /// one level. A component of several modules (a cycle) becomes a chain
    /// of levels in the order with the fewest imports going upward (every
    /// order for up to 7 modules, else greedily).
    pub fn of(names: &[String], edges: &[((String, String), usize)]) -> Order {
        let n = names.len();
        let index: BTreeMap<&str, usize> = names
            .iter()
            .enumerate()
            .map(|(i, m)| (m.as_str(), i))
            .collect();
        let mut weight: BTreeMap<(usize, usize), usize> = BTreeMap::new();
        for ((a, b), w) in edges {
            if let (Some(&a), Some(&b)) = (index.get(a.as_str()), index.get(b.as_str())) {
                if a != b {
                    *weight.entry((a, b)).or_default() += w;
                }
            }
        }
        let mut out_edges: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
        for &(a, b) in weight.keys() {
            out_edges[a].insert(b);
        }
        // reach[i]: every module i reaches (the modules of one project: few)
        let mut reach: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
        for (i, r) in reach.iter_mut().enumerate() {
            let mut stack: Vec<usize> = out_edges[i].iter().copied().collect();
            while let Some(j) = stack.pop() {
                if r.insert(j) {
                    stack.extend(out_edges[j].iter().copied());
                }
            }
        }
        // components: modules that reach each other
        let mut comp = vec![usize::MAX; n];
        let mut comps: Vec<Vec<usize>> = Vec::new();
        for i in 0..n {
            if comp[i] != usize::MAX {
                continue;
            }
            let members: Vec<usize> = (0..n)
                .filter(|&j| j == i || (reach[i].contains(&j) && reach[j].contains(&i)))
                .collect();
            for &j in &members {
                comp[j] = comps.len();
            }
            comps.push(members);
        }
        // height of a component: the longest path down to one importing
        // nothing (components in topological order: reach decides)
        let mut order: Vec<usize> = (0..comps.len()).collect();
        order.sort_by_key(|&c| reach[comps[c][0]].iter().filter(|&&j| comp[j] != c).count());
        let mut height = vec![0usize; comps.len()];
        for &c in &order {
            height[c] = comps[c]
                .iter()
                .flat_map(|&m| out_edges[m].iter().map(|&t| comp[t]))
                .filter(|&d| d != c)
                .map(|d| height[d] + 1)
                .max()
                .unwrap_or(0);
        }
        let mut by_height: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (c, &h) in height.iter().enumerate() {
            by_height.entry(h).or_default().push(c);
        }
        let mut levels: Vec<Vec<String>> = Vec::new();
        let mut cycles = Vec::new();
        for (_, cs) in by_height.into_iter().rev() {
            let single: Vec<String> = cs
                .iter()
                .filter(|&&c| comps[c].len() == 1)
                .map(|&c| names[comps[c][0]].clone())
                .collect();
            if !single.is_empty() {
                levels.push(single);
            }
            for &c in cs.iter().filter(|&&c| comps[c].len() > 1) {
                let chain = fewest_upward(&comps[c], &weight);
                let pos: BTreeMap<usize, usize> =
                    chain.iter().enumerate().map(|(i, &m)| (m, i)).collect();
                let mut upward: Vec<(String, String, usize)> = weight
                    .iter()
                    .filter(|((a, b), _)| matches!((pos.get(a), pos.get(b)), (Some(pa), Some(pb)) if pa > pb))
                    .map(|((a, b), w)| (names[*a].clone(), names[*b].clone(), *w))
                    .collect();
                upward.sort_by(|x, y| y.2.cmp(&x.2).then_with(|| (&x.0, &x.1).cmp(&(&y.0, &y.1))));
                cycles.push(Broken {
                    modules: chain.iter().map(|&m| names[m].clone()).collect(),
                    upward,
                });
                levels.extend(chain.iter().map(|&m| vec![names[m].clone()]));
            }
        }
        Order { levels, cycles }
    }
}

impl Broken {
    /// One line saying which cycle was broken where.
    pub fn describe(&self) -> String {
        let total: usize = self.upward.iter().map(|u| u.2).sum();
        let shown: Vec<String> = self
            .upward
            .iter()
            .take(5)
            .map(|(a, b, n)| format!("{a} → {b} ({n})"))
            .collect();
        format!(
            "{} import each other (a cycle); in this order {total} import{} would go upward: {}{}",
            self.modules.join(", "),
            if total == 1 { "" } else { "s" },
            shown.join(", "),
            if self.upward.len() > 5 { ", …" } else { "" }
        )
    }
}

/// The order of `members` (top first) with the fewest imports from a
/// module to one above it: every order for up to 7 modules, else greedily
/// (the module sending the most imports down, net, goes next).
fn fewest_upward(members: &[usize], weight: &BTreeMap<(usize, usize), usize>) -> Vec<usize> {
    let w = |a: usize, b: usize| weight.get(&(a, b)).copied().unwrap_or(0);
    let cost = |order: &[usize]| -> usize {
        let mut c = 0;
        for (i, &a) in order.iter().enumerate() {
            for &b in &order[..i] {
                c += w(a, b);
            }
        }
        c
    };
    if members.len() <= 7 {
        let mut best = members.to_vec();
        let mut best_cost = cost(&best);
        let mut perm = members.to_vec();
        // Heap's algorithm
        let mut c = vec![0usize; perm.len()];
        let mut i = 0;
        while i < perm.len() {
            if c[i] < i {
                if i % 2 == 0 {
                    perm.swap(0, i);
                } else {
                    perm.swap(c[i], i);
                }
                let k = cost(&perm);
                if k < best_cost {
                    best_cost = k;
                    best = perm.clone();
                }
                c[i] += 1;
                i = 0;
            } else {
                c[i] = 0;
                i += 1;
            }
        }
        return best;
    }
    let mut left: Vec<usize> = members.to_vec();
    let mut out = Vec::new();
    while !left.is_empty() {
        let net = |m: usize| -> i64 { left.iter().map(|&o| w(m, o) as i64 - w(o, m) as i64).sum() };
        let (i, _) = left
            .iter()
            .enumerate()
            .max_by_key(|(_, &m)| (net(m), std::cmp::Reverse(m)))
            .unwrap_or((0, &left[0]));
        out.push(left.remove(i));
    }
    out
}

/// A module proposed for a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposed {
    pub name: String,
    /// The folder, relative to the root, with `/`.
    pub dir: String,
}

/// The modules to propose: the workspace members the project declares, else
/// the source folders under the usual containers.
pub fn detect(root: &Path) -> Vec<Proposed> {
    let members = members(root);
    let found = if members.is_empty() {
        folders(root)
    } else {
        members
    };
    // a Python package: its subpackages are the modules, unless the project
    // declared members or has several source folders of its own
    let python = python_packages(root);
    let within = |p: &Proposed| {
        found
            .iter()
            .all(|f| p.dir == f.dir || p.dir.starts_with(&format!("{}/", f.dir)))
    };
    let python_project = ["pyproject.toml", "setup.cfg", "setup.py"]
        .iter()
        .any(|m| root.join(m).is_file());
    let takes_over = if found.is_empty() {
        python_project
    } else {
        found.len() == 1 && python.iter().all(within)
    };
    if !python.is_empty() && takes_over {
        return python;
    }
    found
}

/// Python: the packages (folders with `__init__.py`) under the package
/// roots the manifests declare (pyproject.toml, setup.cfg), `src/` and the
/// root. With one top-level package, one module per subpackage of it (a
/// package's layers are its subpackages: `src/shop/domain`, `src/shop/infra`);
/// with several, one per package. Folders named `tests`, `docs` or
/// `examples` are not proposed.
pub fn python_packages(root: &Path) -> Vec<Proposed> {
    let is_package = |d: &Path| d.join("__init__.py").is_file() || d.join("__init__.pyi").is_file();
    let subdirs = |d: &Path| -> Vec<(String, PathBuf)> {
        let Ok(entries) = std::fs::read_dir(d) else {
            return Vec::new();
        };
        let mut out: Vec<(String, PathBuf)> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter_map(|e| Some((e.file_name().to_str()?.to_string(), e.path())))
            .filter(|(n, _)| {
                usable_dir_name(n) && !["tests", "test", "docs", "examples"].contains(&n.as_str())
            })
            .collect();
        out.sort();
        out
    };
    let mut top: Vec<(String, PathBuf)> = Vec::new();
    let mut bases: Vec<String> = rules::python_declared_roots(root, &rules::RealFs);
    bases.extend(["src".to_string(), ".".to_string()]);
    for base in bases {
        let prefix = if base == "." {
            String::new()
        } else {
            format!("{base}/")
        };
        for (name, path) in subdirs(&root.join(&base)) {
            if is_package(&path) && !top.iter().any(|(_, p)| *p == path) {
                top.push((format!("{prefix}{name}"), path));
            }
        }
    }
    let proposed = |dir: String| Proposed {
        name: module_name(dir.rsplit('/').next().unwrap_or(&dir)),
        dir,
    };
    let found = python_proposals(&top, proposed, subdirs);
    // names are unique (`lib/common` and `common`: `common`, `common-2`)
    let mut out: Vec<Proposed> = Vec::with_capacity(found.len());
    for mut p in found {
        let base = p.name.clone();
        let mut n = 2;
        while out.iter().any(|m| m.name == p.name) {
            p.name = format!("{base}-{n}");
            n += 1;
        }
        out.push(p);
    }
    out
}

/// [`python_packages`]' choice: the subpackages of a lone top-level package,
/// else the packages.
fn python_proposals(
    top: &[(String, PathBuf)],
    proposed: impl Fn(String) -> Proposed,
    subdirs: impl Fn(&Path) -> Vec<(String, PathBuf)>,
) -> Vec<Proposed> {
    match top {
        [] => Vec::new(),
        [(dir, path)] => {
            let subs: Vec<Proposed> = subdirs(path)
                .into_iter()
                .filter(|(_, p)| has_source(p, 0))
                .map(|(n, _)| proposed(format!("{dir}/{n}")))
                .collect();
            if subs.len() >= 2 {
                subs
            } else {
                vec![proposed(dir.clone())]
            }
        }
        several => several
            .iter()
            .map(|(dir, _)| proposed(dir.clone()))
            .collect(),
    }
}

/// The most directories a member glob looks at.
const MAX_MEMBER_DIRS: usize = 10_000;

/// The workspace members `root` declares, holding source, each named by its
/// package: `package.json` `workspaces` (an array, or `{ packages }`),
/// `pnpm-workspace.yaml` `packages`, and a Cargo `[workspace]`'s `members`
/// (less its `exclude`). Patterns starting with `!` exclude.
pub fn members(root: &Path) -> Vec<Proposed> {
    let read = |name: &str| {
        rules::disk::read_regular_string(&root.join(name), rules::disk::MAX_MANIFEST_SIZE).ok()
    };
    let mut found: Vec<(String, String)> = Vec::new(); // (dir, package name)
    let mut patterns: Vec<String> = Vec::new();
    if let Some(v) =
        read("package.json").and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
    {
        let list = match v.get("workspaces") {
            Some(serde_json::Value::Array(a)) => a.clone(),
            Some(serde_json::Value::Object(o)) => o
                .get("packages")
                .and_then(|p| p.as_array())
                .cloned()
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        patterns.extend(list.iter().filter_map(|p| p.as_str().map(str::to_string)));
    }
    if let Some(text) = read("pnpm-workspace.yaml") {
        let mut inside = false;
        for line in text.lines() {
            let t = line.trim_end();
            if !t.starts_with(' ') && !t.starts_with('-') && !t.is_empty() {
                inside = t.starts_with("packages:");
                continue;
            }
            if let Some(item) = t.trim_start().strip_prefix("- ").filter(|_| inside) {
                let item = item.split(" #").next().unwrap_or(item).trim();
                patterns.push(item.trim_matches(|c| c == '\'' || c == '"').to_string());
            }
        }
    }
    let (npm_in, npm_out): (Vec<&String>, Vec<&String>) =
        patterns.iter().partition(|p| !p.starts_with('!'));
    let npm_out: Vec<String> = npm_out
        .iter()
        .map(|p| p[1..].trim_start_matches("./").to_string())
        .collect();
    for p in npm_in {
        for dir in expand(root, p.trim_start_matches("./")) {
            if npm_out.iter().any(|x| glob_match(x, &dir)) {
                continue;
            }
            // a member is a folder with a `package.json`
            let manifest = root.join(&dir).join("package.json");
            let Ok(text) =
                rules::disk::read_regular_string(&manifest, rules::disk::MAX_MANIFEST_SIZE)
            else {
                continue;
            };
            let name = serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|v| v.get("name")?.as_str().map(str::to_string))
                .unwrap_or_else(|| dir.rsplit('/').next().unwrap_or(&dir).to_string());
            found.push((dir, name));
        }
    }
    if let Some(table) = read("Cargo.toml").and_then(|t| t.parse::<toml::Table>().ok()) {
        if let Some(ws) = table.get("workspace").and_then(|w| w.as_table()) {
            let list = |k: &str| -> Vec<String> {
                ws.get(k)
                    .and_then(|m| m.as_array())
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| {
                                x.as_str().map(|s| {
                                    s.trim_start_matches("./").trim_end_matches('/').to_string()
                                })
                            })
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let exclude = list("exclude");
            for p in list("members") {
                for dir in expand(root, &p) {
                    if exclude.iter().any(|x| glob_match(x, &dir)) {
                        continue;
                    }
                    let manifest = root.join(&dir).join("Cargo.toml");
                    let name =
                        rules::disk::read_regular_string(&manifest, rules::disk::MAX_MANIFEST_SIZE)
                            .ok()
                            .and_then(|t| t.parse::<toml::Table>().ok())
                            .and_then(|t| {
                                t.get("package")?.get("name")?.as_str().map(str::to_string)
                            });
                    if let Some(name) = name {
                        found.push((dir, name));
                    }
                }
            }
        }
    }
    found.sort();
    found.dedup_by(|a, b| a.0 == b.0);
    let mut out: Vec<Proposed> = Vec::new();
    for (dir, package) in found {
        if dir.is_empty()
            || !dir.split('/').all(usable_dir_name)
            || !has_source(&root.join(&dir), 0)
        {
            continue;
        }
        // `@acme/ui` → `ui`; clashes get the scope back, then a number
        let short = package.rsplit('/').next().unwrap_or(&package);
        let mut name = module_name(short);
        if out.iter().any(|m| m.name == name) {
            name = module_name(&package);
        }
        let base_name = name.clone();
        let mut n = 2;
        while out.iter().any(|m| m.name == name) {
            name = format!("{base_name}-{n}");
            n += 1;
        }
        out.push(Proposed { name, dir });
    }
    out
}

/// The directories (relative, `/`) a member pattern names: literal
/// segments, `*` for one folder level and `**` for any number (hidden
/// folders, `node_modules` and `target` are never entered).
fn expand(root: &Path, pattern: &str) -> Vec<String> {
    let segs: Vec<&str> = pattern
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    let mut out = Vec::new();
    let mut budget = MAX_MEMBER_DIRS;
    expand_into(root, String::new(), &segs, &mut out, &mut budget, 0);
    out.sort();
    out.dedup();
    out
}

fn expand_into(
    root: &Path,
    at: String,
    segs: &[&str],
    out: &mut Vec<String>,
    budget: &mut usize,
    depth: usize,
) {
    if *budget == 0 || depth > 8 {
        return;
    }
    *budget -= 1;
    let Some((&seg, rest)) = segs.split_first() else {
        if root.join(&at).is_dir() {
            out.push(at);
        }
        return;
    };
    let join = |a: &str, b: &str| {
        if a.is_empty() {
            b.to_string()
        } else {
            format!("{a}/{b}")
        }
    };
    if seg == ".." {
        return; // members outside the root are not this config's
    }
    if !seg.contains('*') && !seg.contains('?') && !seg.contains('[') {
        expand_into(root, join(&at, seg), rest, out, budget, depth + 1);
        return;
    }
    let Ok(entries) = std::fs::read_dir(root.join(&at)) else {
        return;
    };
    let mut names: Vec<String> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| usable_dir_name(n))
        .collect();
    names.sort();
    if seg == "**" {
        expand_into(root, at.clone(), rest, out, budget, depth + 1);
        for n in names {
            expand_into(root, join(&at, &n), segs, out, budget, depth + 1);
        }
        return;
    }
    for n in names {
        if glob_match(seg, &n) {
            expand_into(root, join(&at, &n), rest, out, budget, depth + 1);
        }
    }
}

/// Whether `text` matches the glob `pattern` (`*`, `?`, `**`, `[..]`).
fn glob_match(pattern: &str, text: &str) -> bool {
    globset::Glob::new(pattern.trim_start_matches("./").trim_end_matches('/'))
        .map(|g| g.compile_matcher().is_match(text))
        .unwrap_or(false)
}

/// The module folders under `root`: each subfolder of `src/`, `crates/`,
/// `packages/`, `apps/` holding at least one supported source file, sorted.
pub fn folders(root: &Path) -> Vec<Proposed> {
    let mut out: Vec<Proposed> = Vec::new();
    for container in CONTAINERS {
        let base = root.join(container);
        let Ok(entries) = std::fs::read_dir(&base) else {
            continue;
        };
        let mut dirs: Vec<(String, PathBuf)> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter_map(|e| Some((e.file_name().to_str()?.to_string(), e.path())))
            .filter(|(n, _)| usable_dir_name(n))
            .collect();
        dirs.sort();
        for (folder, path) in dirs {
            if !has_source(&path, 0) {
                continue;
            }
            let mut name = module_name(&folder);
            if out.iter().any(|m| m.name == name) {
                name = format!("{}-{name}", module_name(container));
            }
            let mut n = 2;
            let base_name = name.clone();
            while out.iter().any(|m| m.name == name) {
                name = format!("{base_name}-{n}");
                n += 1;
            }
            out.push(Proposed {
                name,
                dir: format!("{container}/{folder}"),
            });
        }
    }
    out
}

/// Folders that can be written in a glob and a TOML string as they are.
fn usable_dir_name(n: &str) -> bool {
    !n.starts_with('.')
        && n != "node_modules"
        && n != "target"
        && !n.is_empty()
        && n.chars()
            .all(|c| !c.is_control() && !"*?[]{}\\\"'!/".contains(c))
}

/// Whether a directory holds a supported source file (bounded depth).
fn has_source(dir: &Path, depth: usize) -> bool {
    if depth > 12 {
        return false;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    let mut subdirs = Vec::new();
    for e in entries.flatten() {
        let Ok(t) = e.file_type() else { continue };
        let name = e.file_name();
        let name = name.to_string_lossy();
        if t.is_file() && Lang::from_path(&name).is_some() {
            return true;
        }
        if t.is_dir() && !name.starts_with('.') && name != "node_modules" && name != "target" {
            subdirs.push(e.path());
        }
    }
    subdirs.iter().any(|d| has_source(d, depth + 1))
}

/// A valid module name (`[a-z0-9_-]+`) for a folder name.
pub fn module_name(folder: &str) -> String {
    let mut s: String = folder
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    while s.contains("--") {
        s = s.replace("--", "-");
    }
    let s = s.trim_matches('-').to_string();
    if s.is_empty() {
        "module".into()
    } else {
        s
    }
}

/// The text of the starter config; `cycles_warning` when the code has module
/// cycles today.
pub fn starter(modules: &[Proposed], cycles_warning: bool, order: Option<&Order>) -> String {
    let mut s = String::new();
    s.push_str(
        "# layergate.toml: the intended architecture of this codebase, checked by\n\
         # `layergate check` (CI) and `layergate lsp` (the editor).\n\
         #\n\
         # Written by `layergate init` from the folders found here. Next steps:\n\
         #   1. Check the modules below: merge, rename or split them.\n\
         #   2. Uncomment [layers] and order the modules top to bottom.\n\
         #   3. Add `depends_on`, `visible_to`, `public`, [[deny]] and [[boundary]] rules.\n\
         #   4. Run `layergate check`; adopt it on existing code with\n\
         #      `layergate check --write-baseline`.\n\
         #   5. Run `layergate explain` to print these rules for people and agents.\n\
         #\n\
         # Globs are relative to this file's directory; `*` stays within one folder,\n\
         # `**` crosses folders. A file belongs to the FIRST module whose paths match.\n\n",
    );
    s.push_str("[workspace]\n# include = [\"src/**\"]          # default: every supported file\n# exclude = [\"**/generated/**\"]  # node_modules, target, .git and .gitignore'd files are always excluded\n\n");
    if modules.is_empty() {
        s.push_str("# No source folders were found under src/, crates/, packages/ or apps/.\n# Describe modules like this:\n#\n# [[modules]]\n# name = \"domain\"\n# paths = [\"src/domain/**\"]\n\n");
    }
    for m in modules {
        s.push_str(&format!(
            "[[modules]]\nname = \"{}\"\npaths = [\"{}/**\"]\n# depends_on = []   # the only modules it may import\n\n",
            m.name, m.dir
        ));
    }
    s.push_str("# Layers, top to bottom: a module may import only modules in layers below it.\n# An inner array is one level of siblings.\n");
    if let Some(o) = order {
        s.push_str("# The order below is the one the imports follow today (modules that\n# import others above the modules they import; one level: no imports\n# between them).\n");
        for cycle in &o.cycles {
            s.push_str(&format!("# {}\n", cycle.describe()));
        }
    }
    s.push_str("# [layers]\n");
    let quoted = |n: &str| format!("\"{n}\"");
    let items: Vec<String> = match order {
        Some(o) => o
            .levels
            .iter()
            .map(|level| match level.as_slice() {
                [one] => quoted(one),
                many => format!(
                    "[{}]",
                    many.iter()
                        .map(|n| quoted(n))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })
            .collect(),
        None => modules.iter().map(|m| quoted(&m.name)).collect(),
    };
    if items.is_empty() {
        s.push_str("# order = [\"app\", \"domain\"]\n");
    } else {
        s.push_str(&format!("# order = [{}]\n", items.join(", ")));
    }
    s.push_str("# siblings = \"deny\"   # or \"allow\"\n# strict = false\n\n");
    s.push_str(
        "# Forbidden dependencies and security boundaries, for example:\n\
         # [[deny]]\n\
         # id = \"domain-is-pure\"\n\
         # from = [\"domain\"]\n\
         # to = [\"npm:axios\", \"crate:reqwest\"]\n\
         # message = \"The domain stays free of I/O.\"\n\
         #\n\
         # [[boundary]]\n\
         # id = \"env-access\"\n\
         # apis = [\"global:process.env\", \"std::env::var\"]\n\
         # allow_in = [\"src/config/**\"]\n\n",
    );
    let cycles = if cycles_warning {
        "# the modules have cycles today: warnings until they are fixed (default \"error\")\n\
         cycles = \"warning\"\n"
    } else {
        "# cycles = \"error\"\n"
    };
    s.push_str(
        "# Built-in checks and their severities (error | warning | info | hint | off);\n\
         # the values shown are the defaults.\n\
         [checks]\n\
         # layers = \"error\"\n\
         # depends_on = \"error\"\n\
         # visibility = \"error\"\n\
         # external = \"error\"\n\
         # public_api = \"error\"\n",
    );
    s.push_str(cycles);
    s.push_str(
        "\
         # file_cycles = \"off\"\n\
         # unresolved = \"warning\"\n\
         # unassigned = \"off\"\n\
         # type_only_imports = \"count\"  # or \"ignore\"\n\
         # cycle_type_only_imports = \"ignore\"  # or \"count\"\n\
         # reexports = \"follow\"         # or \"direct\"\n",
    );
    s
}

/// Where an agent reads its project hooks, the event, the command, and the
/// entry layergate adds to the event's list.
struct HookSettings {
    file: &'static str,
    event: &'static str,
    command: &'static str,
    entry: fn() -> serde_json::Value,
    /// The file starts with `"version": 1` (Cursor's format).
    versioned: bool,
    tools: &'static str,
}

fn hook_settings(agent: super::hook::Agent) -> HookSettings {
    use super::hook::Agent;
    use serde_json::json;
    match agent {
        Agent::ClaudeCode => HookSettings {
            file: ".claude/settings.json",
            event: "PreToolUse",
            command: "layergate hook claude-code",
            entry: || json!({"matcher": "Write|Edit|MultiEdit", "hooks": [{"type": "command", "command": "layergate hook claude-code", "timeout": 30}]}),
            versioned: false,
            tools: "Claude Code now runs it before each Write, Edit and MultiEdit",
        },
        Agent::Gemini => HookSettings {
            file: ".gemini/settings.json",
            event: "BeforeTool",
            command: "layergate hook gemini",
            // Gemini CLI's timeout is in milliseconds
            entry: || json!({"matcher": "write_file|replace", "hooks": [{"type": "command", "command": "layergate hook gemini", "name": "layergate", "timeout": 30000}]}),
            versioned: false,
            tools: "Gemini CLI now runs it before each write_file and replace",
        },
        Agent::Codex => HookSettings {
            file: ".codex/hooks.json",
            event: "PreToolUse",
            command: "layergate hook codex",
            entry: || json!({"matcher": "apply_patch", "hooks": [{"type": "command", "command": "layergate hook codex", "timeout": 30}]}),
            versioned: false,
            tools: "Codex now runs it before each apply_patch (trust the project's hooks when Codex asks, see /hooks)",
        },
        Agent::Cursor => HookSettings {
            file: ".cursor/hooks.json",
            event: "preToolUse",
            command: "layergate hook cursor",
            entry: || json!({"matcher": "Write|StrReplace|Edit", "command": "layergate hook cursor", "timeout": 30}),
            versioned: true,
            tools: "Cursor now runs it before each Write and edit",
        },
        Agent::Windsurf => HookSettings {
            file: ".windsurf/hooks.json",
            event: "pre_write_code",
            command: "layergate hook windsurf",
            entry: || json!({"command": "layergate hook windsurf", "show_output": true}),
            versioned: false,
            tools: "Windsurf now runs it before Cascade writes code",
        },
        Agent::Copilot => HookSettings {
            file: ".github/hooks/layergate.json",
            event: "preToolUse",
            command: "layergate hook copilot",
            entry: || json!({"type": "command", "bash": "layergate hook copilot", "powershell": "layergate hook copilot", "cwd": ".", "timeoutSec": 30, "matcher": "create|edit|str_replace_editor|apply_patch"}),
            versioned: true,
            tools: "GitHub Copilot (CLI, and the cloud agent once it is on the default branch) now runs it before each create, edit and apply_patch",
        },
        // no JSON: an executable named after the hook (see `install_script`)
        Agent::Cline => HookSettings {
            file: CLINE_HOOK,
            event: "PreToolUse",
            command: "layergate hook cline",
            entry: || json!(null),
            versioned: false,
            tools: "Cline runs it before each write_to_file and replace_in_file once hooks are enabled (Settings, or `cline config set hooks-enabled=true`)",
        },
    }
}

/// Where Cline looks for a project's `PreToolUse` hook.
const CLINE_HOOK: &str = ".clinerules/hooks/PreToolUse";

/// Writes an agent's hook that is an executable script (Cline's): a new
/// one, or none when the one there runs layergate already; another script
/// in its place is the user's, and is not replaced.
fn install_script(root: &Path, h: &HookSettings) -> Result<(), UsageError> {
    let path = root.join(h.file);
    let shown = h.file;
    match rules::disk::read_regular_string(&path, 1 << 20) {
        Ok(text) if text.contains(h.command) => {
            eprintln!("{shown} already runs `{}`: not changed", h.command);
            return Ok(());
        }
        Ok(_) => {
            return Err(UsageError(format!(
                "{shown} exists and does not run layergate; it was not changed: add `{}` to it (it reads the hook's input on stdin and prints the answer)",
                h.command
            )))
        }
        Err(_) if path.exists() || path.is_symlink() => {
            return Err(UsageError(format!(
                "{shown} is not a readable file; it was not changed"
            )))
        }
        Err(_) => {}
    }
    let text = format!(
        "#!/bin/sh\n# layergate, the architecture gate, before each file edit\n# (written by `layergate init --agent`)\nexec {}\n",
        h.command
    );
    let boundary = rules::disk::Boundary::around(root);
    let written = rules::disk::write_inside(&boundary, &path, text.as_bytes())
        .map_err(|e| UsageError(format!("cannot write {shown}: {e}")))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&written, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| UsageError(format!("cannot make {shown} executable: {e}")))?;
    }
    #[cfg(not(unix))]
    let _ = written;
    eprintln!("{shown}: `{}` installed; {}", h.command, h.tools);
    Ok(())
}

/// A JSON value that keeps the order of object keys as written (settings
/// files are people's: merging layergate's hook must not reorder them).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
enum Json {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Json>),
    Object(indexmap::IndexMap<String, Json>),
}

impl Json {
    fn str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }
    fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(m) => m.get(key),
            _ => None,
        }
    }
}

/// Merges layergate's hook into the agent's project settings, leaving every
/// other setting as it was, in its order; a hook already there is left alone.
fn install_hook(root: &Path, agent: super::hook::Agent) -> Result<(), UsageError> {
    let h = hook_settings(agent);
    if agent == super::hook::Agent::Cline {
        return install_script(root, &h);
    }
    let path = root.join(h.file);
    let shown = h.file;
    let empty = || Json::Object(indexmap::IndexMap::new());
    let mut settings: Json = match std::fs::read_to_string(&path) {
        Ok(text) if text.trim().is_empty() => empty(),
        Ok(text) => serde_json::from_str(&text).map_err(|e| {
            UsageError(format!(
                "{shown} is not valid JSON ({e}); it was not changed"
            ))
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => empty(),
        Err(e) => return Err(UsageError(format!("cannot read {shown}: {e}"))),
    };
    let not = |what: &str| {
        UsageError(format!(
            "{what} in {shown} is not what the agent reads; it was not changed"
        ))
    };
    let Json::Object(top) = &mut settings else {
        return Err(not("the top level"));
    };
    if h.versioned && !top.contains_key("version") {
        top.insert("version".to_string(), Json::Number(1.into()));
    }
    let Json::Object(hooks) = top.entry("hooks".to_string()).or_insert_with(empty) else {
        return Err(not("`hooks`"));
    };
    let Json::Array(pre) = hooks
        .entry(h.event.to_string())
        .or_insert_with(|| Json::Array(Vec::new()))
    else {
        return Err(not(&format!("`hooks.{}`", h.event)));
    };
    let runs = |handler: &Json| {
        ["command", "bash"].iter().any(|key| {
            handler
                .get(key)
                .and_then(Json::str)
                .is_some_and(|c| c.contains(h.command))
        })
    };
    let installed = pre.iter().any(|m| {
        runs(m)
            || match m.get("hooks") {
                Some(Json::Array(hs)) => hs.iter().any(runs),
                _ => false,
            }
    });
    if installed {
        eprintln!("{shown} already runs `{}`: not changed", h.command);
        return Ok(());
    }
    let entry: Json = serde_json::from_value((h.entry)())
        .map_err(|e| UsageError(format!("internal error: {e}")))?;
    pre.push(entry);
    let mut text = serde_json::to_string_pretty(&settings)
        .map_err(|e| UsageError(format!("cannot write {shown}: {e}")))?;
    text.push('\n');
    let boundary = rules::disk::Boundary::around(root);
    rules::disk::write_inside(&boundary, &path, text.as_bytes())
        .map_err(|e| UsageError(format!("cannot write {shown}: {e}")))?;
    eprintln!("{shown}: `{}` installed; {}", h.command, h.tools);
    Ok(())
}
