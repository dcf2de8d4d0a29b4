//! `layergate graph`: the dependency graph as Graphviz dot, Mermaid or JSON,
//! with the edges that carry a violation marked.
//!
//! * `--level module` (the default): per group, nodes are the module
//!   instances that have files; an edge counts the imports between two
//!   modules the way the engine counts dependencies (resolved file targets,
//!   type-only imports per `type_only_imports`). An edge is marked when
//!   `layergate check` reports a diagnostic naming both of its modules.
//! * `--level file`: every file of the workspace, and an edge for every
//!   import resolved to a file (type-only ones included and flagged), so the
//!   graph can be compared with another tool's. An import is marked with the
//!   rules of the diagnostics reported on it.
//!
//! The JSON lists the imports behind every edge: file, line, specifier,
//! target, kind (`static`, `dynamic`, `require`, `re-export`), type-only and
//! the rules reported on it.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::PathBuf;

use rules::analysis::is_type_only;
use rules::analysis::modules::assign_file;
use rules::facts::{Import, ImportKind, Span};
use rules::Resolved;
use rules::Workspace;

use crate::project::{self, UsageError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Dot,
    Mermaid,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Level {
    /// Modules, per group.
    Module,
    /// Every file.
    File,
}

#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Dot)]
    pub format: Format,
    /// Modules (per group) or every file.
    #[arg(long, value_enum, default_value_t = Level::Module)]
    pub level: Level,
    /// Use this config file instead of discovering `layergate.toml`.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

pub fn run(args: GraphArgs) -> anyhow::Result<i32> {
    let configs = super::explain::configs_here(args.config.as_deref())?;
    if configs.len() > 1 {
        let cwd = project::cwd();
        let list: Vec<String> = configs
            .iter()
            .map(|c| project::relative_to(c, &cwd))
            .collect();
        return Err(UsageError(format!(
            "several workspaces below this directory ({}): pick one with --config",
            list.join(", ")
        ))
        .into());
    }
    let mut out = String::new();
    for c in &configs {
        // through the facts cache and the check memo, as `check`
        let ws = project::load_workspace_cached(c)?;
        let (outcome, _) = project::check_config(c, None, true, true)?;
        let root = project::relative_to(&ws.config.root, &project::cwd());
        out.push_str(&match args.level {
            Level::Module => {
                let g = Graph::build(&ws, &outcome.diagnostics);
                match args.format {
                    Format::Dot => g.dot(),
                    Format::Mermaid => g.mermaid(),
                    Format::Json => g.json(&root),
                }
            }
            Level::File => {
                let g = FileGraph::build(&ws, &outcome.diagnostics);
                match args.format {
                    Format::Dot => g.dot(),
                    Format::Mermaid => g.mermaid(),
                    Format::Json => g.json(&root),
                }
            }
        });
    }
    std::io::stdout().lock().write_all(out.as_bytes())?;
    Ok(0)
}

/// Per group: nodes (module name → file count) and edges.
#[derive(Debug, Default)]
pub struct Graph {
    pub groups: Vec<GroupGraph>,
}

#[derive(Debug, Default)]
pub struct GroupGraph {
    pub name: String,
    /// Module instance → number of files.
    pub nodes: BTreeMap<String, usize>,
    /// (from, to) → edge.
    pub edges: BTreeMap<(String, String), EdgeInfo>,
}

#[derive(Debug, Default, Clone)]
pub struct EdgeInfo {
    /// Imports counted on this edge.
    pub imports: usize,
    /// Rule ids of the violations on this edge, sorted.
    pub rules: BTreeSet<String>,
    /// The imports behind it, in file and line order.
    pub behind: Vec<ImportRecord>,
}

/// One import behind an edge.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportRecord {
    /// The importing file, workspace-relative.
    pub file: String,
    /// 1-based line of the import.
    pub line: u32,
    pub specifier: String,
    /// The file it resolves to, workspace-relative.
    pub target: String,
    /// `static`, `dynamic`, `require` or `re-export`.
    pub kind: &'static str,
    pub type_only: bool,
    /// Rule ids of the diagnostics reported on this import, sorted.
    pub rules: BTreeSet<String>,
}

/// The kind of an import as the JSON names it.
fn kind_name(kind: ImportKind) -> &'static str {
    match kind {
        ImportKind::Static
        | ImportKind::Namespace
        | ImportKind::SideEffect
        | ImportKind::Use
        | ImportKind::ExternCrate
        | ImportKind::Path => "static",
        ImportKind::ReExport | ImportKind::ReExportAll | ImportKind::PubUse => "re-export",
        ImportKind::Dynamic => "dynamic",
        ImportKind::Require | ImportKind::ImportEquals => "require",
    }
}

/// The rules of the diagnostics of each file, by byte span, to mark imports.
struct Marks<'d> {
    by_file: BTreeMap<&'d str, Vec<(u32, u32, &'d str)>>,
}

impl<'d> Marks<'d> {
    fn new(diagnostics: &'d [rules::Diagnostic]) -> Marks<'d> {
        let mut by_file: BTreeMap<&str, Vec<(u32, u32, &str)>> = BTreeMap::new();
        for d in diagnostics {
            if d.to_module.is_none() && d.target.is_none() {
                continue; // about no import
            }
            by_file.entry(d.file.as_str()).or_default().push((
                d.span.start,
                d.span.end,
                d.rule.as_str(),
            ));
        }
        Marks { by_file }
    }

    /// The rules reported inside `span` of `file`.
    fn rules(&self, file: &str, span: &Span) -> BTreeSet<String> {
        self.by_file
            .get(file)
            .into_iter()
            .flatten()
            .filter(|(s, e, _)| *s >= span.start && *e <= span.end.max(*s))
            .map(|(_, _, r)| r.to_string())
            .collect()
    }
}

/// Every import of the workspace that resolves to a file, with its record,
/// in file and line order.
fn resolved_imports<'w>(
    ws: &'w Workspace,
    marks: &Marks<'_>,
) -> Vec<(&'w str, &'w Import, ImportRecord)> {
    let mut out = Vec::new();
    for (rel, entry) in &ws.files {
        for (imp, res) in entry.facts.imports.iter().zip(&entry.resolved) {
            let Resolved::File(target) = res else {
                continue;
            };
            let rec = ImportRecord {
                file: rel.clone(),
                line: imp.span.line + 1,
                specifier: imp.specifier.clone(),
                target: target.clone(),
                kind: kind_name(imp.kind),
                type_only: is_type_only(imp),
                rules: marks.rules(rel, &imp.span),
            };
            out.push((rel.as_str(), imp, rec));
        }
    }
    out
}

impl Graph {
    /// The graph of a workspace, marked with the diagnostics of a check.
    pub fn build(ws: &Workspace, diagnostics: &[rules::Diagnostic]) -> Graph {
        let config = ws.config.as_ref();
        let mut groups: Vec<GroupGraph> = config
            .groups
            .iter()
            .map(|n| GroupGraph {
                name: n.clone(),
                ..Default::default()
            })
            .collect();
        // each file's modules, once (targets outside the walked files are
        // assigned as they come)
        let assigned: BTreeMap<&str, _> = ws
            .files
            .keys()
            .map(|rel| (rel.as_str(), assign_file(config, rel)))
            .collect();
        for mods in assigned.values() {
            for (g, m) in mods.iter().enumerate() {
                if let (Some(m), Some(gg)) = (m, groups.get_mut(g)) {
                    *gg.nodes.entry(m.name.to_string()).or_default() += 1;
                }
            }
        }
        let marks = Marks::new(diagnostics);
        for (rel, imp, rec) in resolved_imports(ws, &marks) {
            if !config.checks.type_only_count && is_type_only(imp) {
                continue;
            }
            let outside;
            let from_mods = &assigned[rel];
            let to_mods = match assigned.get(rec.target.as_str()) {
                Some(m) => m,
                None => {
                    outside = assign_file(config, &rec.target);
                    &outside
                }
            };
            for (g, (from, to)) in from_mods.iter().zip(to_mods.iter()).enumerate() {
                let (Some(from), Some(to), Some(gg)) = (from, to, groups.get_mut(g)) else {
                    continue;
                };
                if from == to {
                    continue;
                }
                let e = gg
                    .edges
                    .entry((from.name.to_string(), to.name.to_string()))
                    .or_default();
                e.imports += 1;
                e.behind.push(rec.clone());
            }
        }
        for d in diagnostics {
            let (Some(from), Some(to)) = (&d.from_module, &d.to_module) else {
                continue;
            };
            if from == to {
                continue;
            }
            for gg in &mut groups {
                if gg.nodes.contains_key(from) && gg.nodes.contains_key(to) {
                    gg.edges
                        .entry((from.clone(), to.clone()))
                        .or_default()
                        .rules
                        .insert(d.rule.to_string());
                }
            }
        }
        groups.retain(|g| !g.nodes.is_empty());
        Graph { groups }
    }

    fn counts(&self) -> (usize, usize, usize) {
        let nodes = self.groups.iter().map(|g| g.nodes.len()).sum();
        let edges = self.groups.iter().map(|g| g.edges.len()).sum();
        let marked = self
            .groups
            .iter()
            .flat_map(|g| g.edges.values())
            .filter(|e| !e.rules.is_empty())
            .count();
        (nodes, edges, marked)
    }

    /// JSON: per group, the modules and every edge with the imports behind it.
    pub fn json(&self, root: &str) -> String {
        let groups: Vec<serde_json::Value> = self
            .groups
            .iter()
            .map(|g| {
                serde_json::json!({
                    "name": g.name,
                    "modules": g.nodes.iter().map(|(name, files)| serde_json::json!({
                        "name": name,
                        "files": files,
                    })).collect::<Vec<_>>(),
                    "edges": g.edges.iter().map(|((from, to), info)| serde_json::json!({
                        "from": from,
                        "to": to,
                        "count": info.imports,
                        "rules": info.rules,
                        "imports": info.behind,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        json_text(serde_json::json!({
            "version": 1,
            "level": "module",
            "workspace": root,
            "groups": groups,
        }))
    }

    /// Graphviz dot.
    pub fn dot(&self) -> String {
        let (n, e, m) = self.counts();
        let mut s = String::new();
        s.push_str(&format!(
            "// layergate module graph: {n} modules, {e} edges, {m} with violations (red)\n"
        ));
        s.push_str("digraph layergate {\n  rankdir=TB;\n  node [shape=box];\n");
        let clusters = self.groups.len() > 1;
        for (gi, g) in self.groups.iter().enumerate() {
            let indent = if clusters { "    " } else { "  " };
            if clusters {
                s.push_str(&format!(
                    "  subgraph cluster_{gi} {{\n    label={};\n",
                    quote(&g.name)
                ));
            }
            for (name, files) in &g.nodes {
                s.push_str(&format!(
                    "{indent}{} [label={}];\n",
                    quote(&node_id(&g.name, name, clusters)),
                    quote(&format!("{name}\\n{}", files_text(*files)))
                ));
            }
            for ((from, to), info) in &g.edges {
                let mut attrs = Vec::new();
                if !info.rules.is_empty() {
                    attrs.push("color=red".to_string());
                    attrs.push("fontcolor=red".to_string());
                    attrs.push(format!(
                        "label={}",
                        quote(&info.rules.iter().cloned().collect::<Vec<_>>().join(", "))
                    ));
                }
                attrs.push(format!("tooltip={}", quote(&imports_text(info.imports))));
                s.push_str(&format!(
                    "{indent}{} -> {} [{}];\n",
                    quote(&node_id(&g.name, from, clusters)),
                    quote(&node_id(&g.name, to, clusters)),
                    attrs.join(", ")
                ));
            }
            if clusters {
                s.push_str("  }\n");
            }
        }
        s.push_str("}\n");
        s
    }

    /// A Mermaid flowchart.
    pub fn mermaid(&self) -> String {
        let (n, e, m) = self.counts();
        let mut s = String::new();
        s.push_str("flowchart TD\n");
        s.push_str(&format!(
            "  %% layergate module graph: {n} modules, {e} edges, {m} with violations (dotted, red)\n"
        ));
        let clusters = self.groups.len() > 1;
        let mut ids: BTreeMap<(usize, &str), String> = BTreeMap::new();
        let mut next = 0usize;
        let mut red: Vec<usize> = Vec::new();
        let mut link = 0usize;
        for (gi, g) in self.groups.iter().enumerate() {
            let indent = if clusters { "    " } else { "  " };
            if clusters {
                s.push_str(&format!(
                    "  subgraph g{gi}[\"{}\"]\n",
                    mermaid_text(&g.name)
                ));
            }
            for (name, files) in &g.nodes {
                let id = format!("m{next}");
                next += 1;
                s.push_str(&format!(
                    "{indent}{id}[\"{}<br/>{}\"]\n",
                    mermaid_text(name),
                    files_text(*files)
                ));
                ids.insert((gi, name.as_str()), id);
            }
            if clusters {
                s.push_str("  end\n");
            }
        }
        for (gi, g) in self.groups.iter().enumerate() {
            for ((from, to), info) in &g.edges {
                let (Some(a), Some(b)) =
                    (ids.get(&(gi, from.as_str())), ids.get(&(gi, to.as_str())))
                else {
                    continue;
                };
                if info.rules.is_empty() {
                    s.push_str(&format!("  {a} --> {b}\n"));
                } else {
                    let label = info.rules.iter().cloned().collect::<Vec<_>>().join(", ");
                    s.push_str(&format!("  {a} -.->|{}| {b}\n", mermaid_text(&label)));
                    red.push(link);
                }
                link += 1;
            }
        }
        if !red.is_empty() {
            s.push_str(&format!(
                "  linkStyle {} stroke:red,color:red\n",
                red.iter()
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            ));
        }
        s
    }
}

/// The file graph: every file and every import resolved to a file.
#[derive(Debug, Default)]
pub struct FileGraph {
    /// Group names, in config order.
    pub groups: Vec<String>,
    /// File → its module per group (`None`: in no module of that group).
    pub files: BTreeMap<String, Vec<Option<String>>>,
    /// (from, to) → the imports behind the edge.
    pub edges: BTreeMap<(String, String), Vec<ImportRecord>>,
}

impl FileGraph {
    pub fn build(ws: &Workspace, diagnostics: &[rules::Diagnostic]) -> FileGraph {
        let config = ws.config.as_ref();
        let files = ws
            .files
            .keys()
            .map(|rel| {
                let mods = assign_file(config, rel)
                    .iter()
                    .map(|m| m.as_ref().map(|m| m.name.to_string()))
                    .collect();
                (rel.clone(), mods)
            })
            .collect();
        let marks = Marks::new(diagnostics);
        let mut edges: BTreeMap<(String, String), Vec<ImportRecord>> = BTreeMap::new();
        for (rel, _, rec) in resolved_imports(ws, &marks) {
            edges
                .entry((rel.to_string(), rec.target.clone()))
                .or_default()
                .push(rec);
        }
        FileGraph {
            groups: config.groups.clone(),
            files,
            edges,
        }
    }

    fn marked(imports: &[ImportRecord]) -> BTreeSet<String> {
        imports
            .iter()
            .flat_map(|r| r.rules.iter().cloned())
            .collect()
    }

    /// JSON: every file (with its modules) and every edge with its imports.
    pub fn json(&self, root: &str) -> String {
        let files: Vec<serde_json::Value> = self
            .files
            .iter()
            .map(|(path, mods)| {
                let modules: serde_json::Map<String, serde_json::Value> = self
                    .groups
                    .iter()
                    .zip(mods)
                    .filter_map(|(g, m)| Some((g.clone(), serde_json::Value::from(m.clone()?))))
                    .collect();
                serde_json::json!({ "path": path, "modules": modules })
            })
            .collect();
        let edges: Vec<serde_json::Value> = self
            .edges
            .iter()
            .map(|((from, to), imports)| {
                serde_json::json!({
                    "from": from,
                    "to": to,
                    "count": imports.len(),
                    "type_only": imports.iter().all(|r| r.type_only),
                    "rules": Self::marked(imports),
                    "imports": imports,
                })
            })
            .collect();
        json_text(serde_json::json!({
            "version": 1,
            "level": "file",
            "workspace": root,
            "groups": self.groups,
            "files": files,
            "edges": edges,
        }))
    }

    /// The module of each file in the first group, for clustering.
    fn clusters(&self) -> BTreeMap<Option<&str>, Vec<&str>> {
        let mut c: BTreeMap<Option<&str>, Vec<&str>> = BTreeMap::new();
        for (path, mods) in &self.files {
            let m = mods.first().and_then(|m| m.as_deref());
            c.entry(m).or_default().push(path);
        }
        c
    }

    fn counts(&self) -> (usize, usize, usize) {
        let marked = self
            .edges
            .values()
            .filter(|v| v.iter().any(|r| !r.rules.is_empty()))
            .count();
        (self.files.len(), self.edges.len(), marked)
    }

    /// Graphviz dot: files clustered by their module (of the first group);
    /// type-only edges dashed, edges with violations red.
    pub fn dot(&self) -> String {
        let (n, e, m) = self.counts();
        let mut s =
            format!("// layergate file graph: {n} files, {e} edges, {m} with violations (red)\n");
        s.push_str("digraph layergate {\n  rankdir=LR;\n  node [shape=box];\n");
        for (ci, (module, files)) in self.clusters().iter().enumerate() {
            let indent = if module.is_some() { "    " } else { "  " };
            if let Some(m) = module {
                s.push_str(&format!(
                    "  subgraph cluster_{ci} {{\n    label={};\n",
                    quote(m)
                ));
            }
            for f in files {
                s.push_str(&format!("{indent}{};\n", quote(f)));
            }
            if module.is_some() {
                s.push_str("  }\n");
            }
        }
        for ((from, to), imports) in &self.edges {
            let mut attrs = Vec::new();
            let rules = Self::marked(imports);
            if !rules.is_empty() {
                attrs.push("color=red".to_string());
                attrs.push("fontcolor=red".to_string());
                attrs.push(format!(
                    "label={}",
                    quote(&rules.into_iter().collect::<Vec<_>>().join(", "))
                ));
            }
            if imports.iter().all(|r| r.type_only) {
                attrs.push("style=dashed".to_string());
            }
            attrs.push(format!("tooltip={}", quote(&imports_text(imports.len()))));
            s.push_str(&format!(
                "  {} -> {} [{}];\n",
                quote(from),
                quote(to),
                attrs.join(", ")
            ));
        }
        s.push_str("}\n");
        s
    }

    /// A Mermaid flowchart: files in one subgraph per module (first group).
    pub fn mermaid(&self) -> String {
        let (n, e, m) = self.counts();
        let mut s = String::from("flowchart LR\n");
        s.push_str(&format!(
            "  %% layergate file graph: {n} files, {e} edges, {m} with violations (dotted, red)\n"
        ));
        let mut ids: BTreeMap<&str, String> = BTreeMap::new();
        for (ci, (module, files)) in self.clusters().iter().enumerate() {
            let indent = if module.is_some() { "    " } else { "  " };
            if let Some(m) = module {
                s.push_str(&format!("  subgraph c{ci}[\"{}\"]\n", mermaid_text(m)));
            }
            for f in files {
                let id = format!("f{}", ids.len());
                s.push_str(&format!("{indent}{id}[\"{}\"]\n", mermaid_text(f)));
                ids.insert(f, id);
            }
            if module.is_some() {
                s.push_str("  end\n");
            }
        }
        let mut red = Vec::new();
        let mut outside = 0usize;
        for (link, ((from, to), imports)) in self.edges.iter().enumerate() {
            let mut id = |p: &str, s: &mut String| -> String {
                if let Some(id) = ids.get(p) {
                    return id.clone();
                }
                outside += 1;
                let id = format!("x{outside}");
                s.push_str(&format!("  {id}[\"{}\"]\n", mermaid_text(p)));
                id
            };
            let a = id(from, &mut s);
            let b = id(to, &mut s);
            let rules = Self::marked(imports);
            if rules.is_empty() {
                s.push_str(&format!("  {a} --> {b}\n"));
            } else {
                let label = rules.into_iter().collect::<Vec<_>>().join(", ");
                s.push_str(&format!("  {a} -.->|{}| {b}\n", mermaid_text(&label)));
                red.push(link.to_string());
            }
        }
        if !red.is_empty() {
            s.push_str(&format!(
                "  linkStyle {} stroke:red,color:red\n",
                red.join(",")
            ));
        }
        s
    }
}

fn json_text(v: serde_json::Value) -> String {
    let mut t = serde_json::to_string_pretty(&v).unwrap_or_default();
    t.push('\n');
    t
}

fn files_text(n: usize) -> String {
    if n == 1 {
        "1 file".into()
    } else {
        format!("{n} files")
    }
}

fn imports_text(n: usize) -> String {
    if n == 1 {
        "1 import".into()
    } else {
        format!("{n} imports")
    }
}

/// A dot node id: the module name, prefixed by its group when there are
/// several groups (names are unique across groups, template instances may not be).
fn node_id(group: &str, name: &str, clusters: bool) -> String {
    if clusters {
        format!("{group}/{name}")
    } else {
        name.to_string()
    }
}

/// A dot double-quoted string.
fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text inside a Mermaid quoted label.
fn mermaid_text(s: &str) -> String {
    s.replace('"', "#quot;")
        .replace('|', "#124;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
}
