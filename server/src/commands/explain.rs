//! `layergate explain`: the architecture of a workspace as Markdown (modules,
//! layers, rules and their messages), for people and for AI agents' context
//! files (`CLAUDE.md`, `AGENTS.md`). The language server (`layergate/explain`)
//! and the MCP tool reuse [`markdown`].

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use rules::analysis::modules::{assign_file, Module};
use rules::config::selector::ApiKind;
use rules::config::{AllowRule, ApiSelector, Config, FileTarget, ModRef, Severity, Target};
use rules::lang::Lang;
use rules::rule::Builtin;
use rules::workspace::Workspace;

use crate::project::{self, UsageError};

pub mod agents;

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// Use this config file instead of discovering `layergate.toml`.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Print a compact block for AI agents' context files (AGENTS.md,
    /// CLAUDE.md, .cursor rules), between `<!-- layergate:begin -->` and
    /// `<!-- layergate:end -->` markers.
    #[arg(long)]
    pub agents: bool,
    /// With --agents: exit 1 when FILE's block is missing or stale.
    #[arg(
        long,
        value_name = "FILE",
        requires = "agents",
        conflicts_with = "write"
    )]
    pub check: Option<PathBuf>,
    /// With --agents: replace FILE's block (or append one), leaving the rest
    /// of the file unchanged.
    #[arg(long, value_name = "FILE", requires = "agents")]
    pub write: Option<PathBuf>,
}

/// Prints the Markdown of the workspace governing the current directory (or,
/// when none does, of every workspace below it).
pub fn run(args: ExplainArgs) -> anyhow::Result<i32> {
    if args.agents {
        return agents::run(&args);
    }
    let configs = configs_here(args.config.as_deref())?;
    let mut out = String::new();
    for (i, c) in configs.iter().enumerate() {
        let ws = project::load_workspace(c)?;
        if i > 0 {
            out.push_str("\n---\n\n");
        }
        out.push_str(&markdown(&ws));
    }
    std::io::stdout().lock().write_all(out.as_bytes())?;
    Ok(0)
}

/// The configs `explain` and `graph` describe: `--config`, else the one
/// governing the current directory, else every one below it.
pub(crate) fn configs_here(explicit: Option<&std::path::Path>) -> Result<Vec<PathBuf>, UsageError> {
    let cwd = project::cwd();
    if explicit.is_none() {
        if let Some(c) = rules::workspace::nearest_config(&cwd) {
            return Ok(vec![c]);
        }
    }
    project::find_configs(std::slice::from_ref(&cwd), explicit)
}

/// The user-facing text of a module reference.
pub(crate) fn modref_text(config: &Config, r: &ModRef) -> String {
    match r {
        ModRef::Def(d) => config.modules[*d].name.clone(),
        ModRef::Instance(d, cap) => config.modules[*d].instance_name(cap),
    }
}

/// A module name or a glob, as written.
pub(crate) fn file_target_text(config: &Config, t: &FileTarget) -> String {
    match t {
        FileTarget::Glob(g) => g.text.clone(),
        FileTarget::Module(r) => modref_text(config, r),
    }
}

/// A `[[deny]]`/`[[allow]]` target as written.
pub(crate) fn target_text(config: &Config, t: &Target) -> String {
    match t {
        Target::Files(f) => file_target_text(config, f),
        Target::Api(a) => a.text.clone(),
    }
}

/// An `[[allow]]` entry's `from`, `to` and `rules` as code lists
/// (`nothing` / `every rule` / `no rule` when empty or absent).
pub(crate) fn allow_parts(config: &Config, allow: &AllowRule) -> (String, String, String) {
    let from = code_list(
        allow.from.iter().map(|t| file_target_text(config, t)),
        "nothing",
    );
    let to = code_list(allow.to.iter().map(|t| target_text(config, t)), "nothing");
    let rules = match &allow.rules {
        None => "every rule".to_string(),
        Some(r) => code_list(r, "no rule"),
    };
    (from, to, rules)
}

/// `` `a`, `b` `` (or `fallback` when empty).
pub(crate) fn code_list<I, S>(items: I, fallback: &str) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let v: Vec<String> = items
        .into_iter()
        .map(|s| format!("`{}`", s.as_ref()))
        .collect();
    if v.is_empty() {
        fallback.to_string()
    } else {
        v.join(", ")
    }
}

/// Whether an API selector names a third-party package (`npm:` / `crate:`).
pub(crate) fn is_package_selector(sel: &ApiSelector) -> bool {
    matches!(sel.kind, ApiKind::Npm(_) | ApiKind::Crate(_))
}

/// Text for a table cell: no line breaks, `|` escaped.
fn cell(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

/// One line of free text (messages, reasons).
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Where a module definition sits in the layer stacks: `2 of 4`, or
/// `#1: 2 of 4; #2: 1 of 2` with several stacks.
pub(crate) fn layer_text(config: &Config, def: usize) -> String {
    let mut parts = Vec::new();
    for (si, stack) in config.layers.iter().enumerate() {
        let pos = stack.levels.iter().position(|lvl| {
            lvl.iter()
                .any(|r| matches!(r, ModRef::Def(d) | ModRef::Instance(d, _) if *d == def))
        });
        if let Some(li) = pos {
            let t = format!("{} of {}", li + 1, stack.levels.len());
            if config.layers.len() > 1 {
                parts.push(format!("#{}: {t}", si + 1));
            } else {
                parts.push(t);
            }
        }
    }
    if parts.is_empty() {
        "—".into()
    } else {
        parts.join("; ")
    }
}

fn severity_suffix(s: Severity) -> &'static str {
    s.as_str()
}

/// Module instances and their file counts, per definition.
fn instances(ws: &Workspace) -> BTreeMap<usize, BTreeMap<String, usize>> {
    let mut out: BTreeMap<usize, BTreeMap<String, usize>> = BTreeMap::new();
    for rel in ws.files.keys() {
        for Module { def, name } in assign_file(&ws.config, rel).into_iter().flatten() {
            *out.entry(def)
                .or_default()
                .entry(name.to_string())
                .or_default() += 1;
        }
    }
    out
}

/// The architecture of a workspace as Markdown.
pub fn markdown(ws: &Workspace) -> String {
    let config = ws.config.as_ref();
    let mut md = String::new();
    let root_name = config
        .root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| config.root.display().to_string());
    md.push_str(&format!("# Architecture of `{root_name}`\n\n"));
    md.push_str(&format!(
        "Generated by `layergate explain` from `{}`; the workspace root is its directory (files checked: {}). Paths below are relative to the root; globs use `/`, `*` stays within one directory, `**` crosses directories.\n\n",
        rules::analysis::config_rel(config),
        ws.files.len()
    ));
    md.push_str("Check a change with `layergate check` (or `layergate check --stdin-filename PATH` before writing it); ask `layergate allowed PATH` what a file may import and use.\n\n");

    modules_section(ws, &mut md);
    layers_section(config, &mut md);
    rules_section(config, &mut md);
    checks_section(config, &mut md);
    md.push_str(SUPPRESSIONS_MD);
    md
}

fn modules_section(ws: &Workspace, md: &mut String) {
    let config = ws.config.as_ref();
    md.push_str("## Modules\n\n");
    if config.modules.is_empty() {
        md.push_str("No modules are defined: only boundaries and patterns apply.\n\n");
        return;
    }
    md.push_str("A file belongs to the first module of its group (in this order) whose paths match it. `depends_on`: the only modules it may import (— = any); `visible_to`: the only modules that may import it (— = any); `public`: the entry points other modules must import it through (— = any file); `external`: the third-party packages it may use (— = any, empty = none); a `utility` module may be imported by any module, whatever its layers and `depends_on`.\n\n");
    md.push_str("| module | group | paths | files | layer | depends_on | visible_to | public | external | utility | description |\n");
    md.push_str("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
    let inst = instances(ws);
    for (i, m) in config.modules.iter().enumerate() {
        let files: usize = inst.get(&i).map(|x| x.values().sum()).unwrap_or(0);
        let list = |l: &Option<Vec<FileTarget>>| match l {
            None => "—".to_string(),
            Some(v) => code_list(v.iter().map(|t| file_target_text(config, t)), "none"),
        };
        let public = match &m.public {
            None => "—".to_string(),
            Some(v) => code_list(v.iter().map(|g| g.text.as_str()), "none"),
        };
        let external = match &m.external {
            None => "—".to_string(),
            Some(v) => code_list(
                v.iter()
                    .map(|p| format!("{}{}", p.name, if p.prefix { "*" } else { "" })),
                "none",
            ),
        };
        md.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            m.name,
            cell(&config.groups[m.group]),
            cell(&code_list(m.paths.iter().map(|g| g.text.as_str()), "—")),
            files,
            layer_text(config, i),
            cell(&list(&m.depends_on)),
            cell(&list(&m.visible_to)),
            cell(&public),
            cell(&external),
            if m.utility { "yes" } else { "no" },
            cell(m.description.as_deref().unwrap_or("")),
        ));
    }
    md.push('\n');
    let templates: Vec<(usize, &rules::config::ModuleDef)> = config
        .modules
        .iter()
        .enumerate()
        .filter(|(_, m)| m.template.is_some())
        .collect();
    if !templates.is_empty() {
        md.push_str("Template modules are one module per directory (`{1}` is the text of the first `*`); every rule naming the template applies to each instance on its own. Instances found:\n\n");
        for (i, m) in templates {
            let found = inst.get(&i).cloned().unwrap_or_default();
            let names = if found.is_empty() {
                "none yet".to_string()
            } else {
                found
                    .iter()
                    .map(|(n, c)| format!("`{n}` ({c})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            md.push_str(&format!("- `{}`: {names}\n", m.name));
        }
        md.push('\n');
    }
    if config.groups.len() > 1 {
        md.push_str(&format!(
            "Groups are orthogonal views of the same files ({}): a file is in at most one module per group, and every rule applies in each group on its own.\n\n",
            code_list(&config.groups, "")
        ));
    }
}

fn layers_section(config: &Config, md: &mut String) {
    md.push_str("## Layers\n\n");
    if config.layers.is_empty() {
        md.push_str("No layers are defined.\n\n");
        return;
    }
    md.push_str("Top to bottom. A module may import modules in layers below its own, never above; modules not named here are not layered; `utility` modules are exempt.\n\n");
    for (si, stack) in config.layers.iter().enumerate() {
        if config.layers.len() > 1 {
            md.push_str(&format!("### Stack {}\n\n", si + 1));
        }
        for (li, level) in stack.levels.iter().enumerate() {
            let names = code_list(level.iter().map(|r| modref_text(config, r)), "(empty)");
            let note = if level.len() > 1 { " (siblings)" } else { "" };
            md.push_str(&format!("{}. {names}{note}\n", li + 1));
        }
        md.push('\n');
        let siblings = if stack.siblings_allow {
            "siblings (modules of one level) may import each other"
        } else {
            "siblings (modules of one level) may not import each other"
        };
        let strict = if stack.strict {
            "strict: a module may import only the level directly below its own"
        } else {
            "not strict: any lower level may be imported"
        };
        md.push_str(&format!("{siblings}; {strict}.\n\n"));
    }
}

fn rules_section(config: &Config, md: &mut String) {
    md.push_str("## Rules\n\n");
    let none = config.deny.is_empty()
        && config.boundaries.is_empty()
        && config.patterns.is_empty()
        && config.allows.is_empty();
    if none {
        md.push_str("No `[[deny]]`, `[[boundary]]`, `[[pattern]]` or `[[allow]]` entries.\n\n");
        return;
    }
    if !config.deny.is_empty() {
        md.push_str("### Forbidden dependencies (`[[deny]]`)\n\n");
        for r in &config.deny {
            let from = code_list(
                r.from.iter().map(|t| file_target_text(config, t)),
                "nothing",
            );
            let to = code_list(r.to.iter().map(|t| target_text(config, t)), "nothing");
            let mut line = format!(
                "- **`{}`** ({}): {from} → {to}",
                r.id,
                severity_suffix(r.severity)
            );
            if r.transitive {
                line.push_str(", also through any chain of imports (transitive)");
            }
            if !r.exclude.is_empty() {
                line.push_str(&format!(
                    "; except in {}",
                    code_list(r.exclude.iter().map(|g| g.text.as_str()), "")
                ));
            }
            push_message(&mut line, r.message.as_deref());
            md.push_str(&line);
            md.push('\n');
        }
        md.push('\n');
    }
    if !config.boundaries.is_empty() {
        md.push_str("### Security boundaries (`[[boundary]]`)\n\n");
        md.push_str("These APIs may be used only in the files listed (files in no module are checked too).\n\n");
        for r in &config.boundaries {
            let apis = code_list(r.apis.iter().map(|a| a.text.as_str()), "none");
            let allow = if r.allow_in.is_empty() {
                "nowhere".to_string()
            } else {
                format!(
                    "only in {}",
                    code_list(r.allow_in.iter().map(|t| file_target_text(config, t)), "")
                )
            };
            let mut line = format!(
                "- **`{}`** ({}): {apis} allowed {allow}",
                r.id,
                severity_suffix(r.severity)
            );
            push_message(&mut line, r.message.as_deref());
            md.push_str(&line);
            md.push('\n');
        }
        md.push('\n');
    }
    if !config.patterns.is_empty() {
        md.push_str("### Code patterns (`[[pattern]]`)\n\n");
        for r in &config.patterns {
            let lang = if r.queries.iter().any(|(l, _, _)| *l == Lang::Rust) {
                "rust"
            } else {
                "typescript"
            };
            let allow = if r.allow_in.is_empty() {
                "allowed nowhere".to_string()
            } else {
                format!(
                    "allowed only in {}",
                    code_list(r.allow_in.iter().map(|t| file_target_text(config, t)), "")
                )
            };
            let mut line = format!(
                "- **`{}`** ({}, {lang}): {allow}",
                r.id,
                severity_suffix(r.severity)
            );
            push_message(&mut line, r.message.as_deref());
            md.push_str(&line);
            md.push('\n');
        }
        md.push('\n');
    }
    if !config.allows.is_empty() {
        md.push_str("### Exceptions (`[[allow]]`)\n\n");
        for a in &config.allows {
            let (from, to, rules) = allow_parts(config, a);
            let mut line = format!("- {from} → {to} ({rules})");
            match a.reason.as_deref().map(one_line) {
                Some(r) if !r.is_empty() => line.push_str(&format!(": {r}")),
                _ => {}
            }
            md.push_str(&line);
            md.push('\n');
        }
        md.push('\n');
    }
}

fn push_message(line: &mut String, message: Option<&str>) {
    if let Some(m) = message.map(one_line) {
        if !m.is_empty() {
            line.push_str(&format!(". {m}"));
        }
    }
}

/// `[checks]` key, rule id, severity: every built-in rule with a key.
pub(crate) fn builtin_checks(config: &Config) -> Vec<(&'static str, &'static str, Severity)> {
    Builtin::ALL
        .iter()
        .filter_map(|b| Some((b.check_key()?, b.id(), config.checks.get(*b))))
        .collect()
}

fn checks_section(config: &Config, md: &mut String) {
    md.push_str("## Built-in checks (`[checks]`)\n\n");
    md.push_str("| check | rule id | severity | reports |\n| --- | --- | --- | --- |\n");
    for (key, id, sev) in builtin_checks(config) {
        let summary = rules::analysis::docs::rules()
            .iter()
            .find(|r| r.id == id)
            .map(|r| r.summary.as_str())
            .unwrap_or("");
        md.push_str(&format!(
            "| `{key}` | `{id}` | {} | {} |\n",
            sev.as_str(),
            cell(summary)
        ));
    }
    md.push('\n');
    md.push_str(&format!(
        "Type-only imports (`import type`) {}; `cycles` and `file_cycles` {} them. Re-exports: {}.\n\n",
        if config.checks.type_only_count {
            "count as dependencies"
        } else {
            "are ignored"
        },
        if config.checks.cycle_type_only_count {
            "count"
        } else {
            "ignore"
        },
        if config.checks.reexports_follow {
            "a named import through a re-exporting file is judged against the file that defines the name, up to the first module that re-exports another module's name (a facade offers it as its own)"
        } else {
            "imports are judged by their direct target"
        }
    ));
}

/// The suppression syntax, shared with `layergate allowed`.
pub(crate) const SUPPRESSIONS_MD: &str = "## Suppressions\n\n\
- `// layergate-ignore RULE_ID: reason` at the end of the offending line, or alone on the line above it, silences RULE_ID there (`/* */` works too; several ids: `RULE_A, RULE_B`).\n\
- `// layergate-ignore RULE_ID until YYYY-MM-DD: reason` silences it through that date (UTC); after it the violation is reported again.\n\
- `// layergate-ignore-file RULE_ID: reason` anywhere in a file silences RULE_ID in the whole file.\n\
- A suppression without a reason, one that silences nothing, an expired one or one naming an unknown rule is a `suppression` warning. Prefer fixing the import; suppress only with a real reason.\n";
