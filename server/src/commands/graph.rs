//! `layergate graph`: the module dependency graph, per group, as Graphviz dot
//! or Mermaid, with the edges that carry a violation marked.
//!
//! Nodes are the module instances that have files; an edge counts the imports
//! between two modules the way the engine counts dependencies (resolved file
//! targets, type-only imports per `type_only_imports`). An edge is marked when
//! `layergate check` reports a diagnostic naming both of its modules.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::PathBuf;

use rules::analysis::is_type_only;
use rules::analysis::modules::assign_file;
use rules::resolve::Resolved;
use rules::workspace::Workspace;

use crate::project::{self, UsageError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Dot,
    Mermaid,
}

#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Dot)]
    pub format: Format,
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
        let ws = project::load_workspace(c)?;
        let outcome = project::check(&ws, None)?;
        let g = Graph::build(&ws, &outcome.diagnostics);
        out.push_str(&match args.format {
            Format::Dot => g.dot(),
            Format::Mermaid => g.mermaid(),
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
}

impl Graph {
    /// The graph of a workspace, marked with the diagnostics of a check.
    pub fn build(ws: &Workspace, diagnostics: &[rules::diagnostic::Diagnostic]) -> Graph {
        let config = ws.config.as_ref();
        let mut groups: Vec<GroupGraph> = config
            .groups
            .iter()
            .map(|n| GroupGraph {
                name: n.clone(),
                ..Default::default()
            })
            .collect();
        for (rel, entry) in &ws.files {
            let from_mods = assign_file(config, rel);
            for (g, m) in from_mods.iter().enumerate() {
                if let (Some(m), Some(gg)) = (m, groups.get_mut(g)) {
                    *gg.nodes.entry(m.name.to_string()).or_default() += 1;
                }
            }
            for (imp, res) in entry.facts.imports.iter().zip(&entry.resolved) {
                let Resolved::File(target) = res else {
                    continue;
                };
                if !config.checks.type_only_count && is_type_only(imp) {
                    continue;
                }
                let to_mods = assign_file(config, target);
                for (g, (from, to)) in from_mods.iter().zip(&to_mods).enumerate() {
                    let (Some(from), Some(to), Some(gg)) = (from, to, groups.get_mut(g)) else {
                        continue;
                    };
                    if from == to {
                        continue;
                    }
                    gg.edges
                        .entry((from.name.to_string(), to.name.to_string()))
                        .or_default()
                        .imports += 1;
                }
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
                        .insert(d.rule.clone());
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
