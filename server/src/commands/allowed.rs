//! `layergate allowed PATH`: what a file (existing or not) may import and use,
//! judged the way the engine judges an import from it. The JSON form
//! ([`answer`]) also answers the LSP request `layergate/allowed` and the MCP tool
//! `allowed_dependencies`; the Markdown form renders the same data.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use serde::Serialize;

use rules::analysis::judge;
use rules::analysis::modules::{assign_file, layer_positions, target_matches, Module};
use rules::config::{Config, DenyRule, FileTarget, Severity, Target};
use rules::Builtin;
use rules::Lang;
use rules::Workspace;

use super::explain::{code_list, file_target_text, is_package_selector, SUPPRESSIONS_MD};
use crate::project::{self, UsageError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Markdown,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct AllowedArgs {
    /// The file to ask about, relative to the current directory; it need not exist.
    pub path: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Markdown)]
    pub format: Format,
    /// Use this config file instead of the `layergate.toml` governing PATH.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

pub fn run(args: AllowedArgs) -> anyhow::Result<i32> {
    let cwd = project::cwd();
    let abs = absolute(&cwd, &args.path);
    let config_path = match &args.config {
        Some(c) => {
            if !c.is_file() {
                return Err(
                    UsageError(format!("config file {} does not exist", c.display())).into(),
                );
            }
            c.canonicalize().unwrap_or_else(|_| c.clone())
        }
        None => {
            let dir = if abs.is_dir() {
                abs.as_path()
            } else {
                abs.parent().unwrap_or(&abs)
            };
            let start = dir.ancestors().find(|d| d.is_dir()).unwrap_or(&cwd);
            rules::workspace::nearest_config(start).ok_or_else(|| {
                UsageError(format!(
                    "no layergate.toml governs {}; run `layergate init` to write one",
                    args.path.display()
                ))
            })?
        }
    };
    let ws = project::load_workspace_cached(&config_path)?;
    let Some(rel) = rules::workspace::relative(ws.root(), &abs) else {
        return Err(UsageError(format!(
            "{} is outside the workspace at {}",
            args.path.display(),
            ws.root().display()
        ))
        .into());
    };
    let a = build(&ws, &rel);
    let text = match args.format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&a)?;
            s.push('\n');
            s
        }
        Format::Markdown => render(&a),
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(0)
}

/// `path` made absolute against `cwd`, `.`/`..` removed lexically, and its
/// deepest existing ancestor canonicalized (the rest may not exist yet).
fn absolute(cwd: &Path, path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    let mut clean = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                clean.pop();
            }
            other => clean.push(other.as_os_str()),
        }
    }
    for anc in clean.ancestors() {
        if anc.exists() {
            if let (Ok(canon), Ok(rest)) = (anc.canonicalize(), clean.strip_prefix(anc)) {
                return if rest.as_os_str().is_empty() {
                    canon
                } else {
                    canon.join(rest)
                };
            }
            break;
        }
    }
    clean
}

/// The answer for `rel` (workspace-relative, `/`), as JSON.
pub fn answer(ws: &Workspace, rel: &str) -> serde_json::Value {
    serde_json::to_value(build(ws, rel)).unwrap_or(serde_json::Value::Null)
}

#[derive(Debug, Serialize)]
struct Answer {
    path: String,
    root: String,
    config: String,
    /// Whether the file is in the workspace today.
    exists: bool,
    /// Whether `layergate check` would check it (supported extension, included).
    checked: bool,
    modules: Vec<GroupModule>,
    may_import: Vec<Importable>,
    may_not_import: Vec<Forbidden>,
    denied_files: Vec<DeniedFiles>,
    /// Files in no module, or in the file's own module, whose import would
    /// reach a target of a `[[deny]] transitive = true` rule (files of other
    /// modules are in `may_not_import`).
    reaching: Vec<Reaching>,
    packages: Packages,
    apis: Vec<ApiRule>,
    patterns: Vec<PatternInfo>,
    suppressions: Suppressions,
}

#[derive(Debug, Serialize)]
struct PatternInfo {
    rule: String,
    severity: Severity,
    language: &'static str,
    allowed_in: Vec<String>,
    message: Option<String>,
}

#[derive(Debug, Serialize)]
struct GroupModule {
    group: String,
    module: Option<String>,
    layers: Vec<LayerPos>,
}

#[derive(Debug, Serialize)]
struct LayerPos {
    /// 1-based stack number (`[[layers]]` order).
    stack: usize,
    /// 1-based level, top to bottom.
    level: usize,
    of: usize,
}

#[derive(Debug, Serialize)]
struct Importable {
    group: String,
    module: String,
    files: usize,
    /// The entries other modules must import it through, if it has any.
    public: Option<Vec<String>>,
}

#[derive(Debug, Serialize, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Reason {
    rule: String,
    severity: Severity,
    why: String,
    message: Option<String>,
}

#[derive(Debug, Serialize)]
struct Forbidden {
    group: String,
    module: String,
    files: usize,
    /// When only some of its files are forbidden: those files.
    only_files: Option<Vec<String>>,
    reasons: Vec<Reason>,
    public: Option<Vec<String>>,
}

#[derive(Debug, Serialize)]
struct DeniedFiles {
    files: String,
    rule: String,
    severity: Severity,
    message: Option<String>,
}

#[derive(Debug, Serialize)]
struct Reaching {
    file: String,
    rule: String,
    severity: Severity,
    /// The chain of imports from the file to the rule's target.
    through: Vec<String>,
    message: Option<String>,
}

#[derive(Debug, Serialize)]
struct Packages {
    /// Modules of this file with an `external` allowlist; empty: any package.
    external: Vec<ExternalList>,
    denied: Vec<DeniedPackage>,
}

#[derive(Debug, Serialize)]
struct ExternalList {
    module: String,
    allowed: Vec<String>,
}

#[derive(Debug, Serialize)]
struct DeniedPackage {
    package: String,
    rule: String,
    severity: Severity,
    message: Option<String>,
}

#[derive(Debug, Serialize)]
struct ApiRule {
    rule: String,
    /// `boundary` or `deny`.
    kind: &'static str,
    severity: Severity,
    apis: Vec<String>,
    /// For boundaries: where the APIs are allowed (empty: nowhere).
    allowed_in: Option<Vec<String>>,
    message: Option<String>,
}

#[derive(Debug, Serialize)]
struct Suppressions {
    line: &'static str,
    until: &'static str,
    file: &'static str,
}

fn message(m: &Option<String>) -> Option<String> {
    m.as_deref()
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|s| !s.is_empty())
}

/// A module instance and its files.
struct Instance {
    module: Module,
    files: Vec<String>,
}

/// Every module instance known in the workspace, per group, by name: the
/// instances found among the files, plus non-template modules without files.
fn instances(ws: &Workspace) -> Vec<BTreeMap<String, Instance>> {
    let config = ws.config.as_ref();
    let mut out: Vec<BTreeMap<String, Instance>> =
        (0..config.groups.len()).map(|_| BTreeMap::new()).collect();
    for rel in ws.files.keys() {
        for (g, m) in assign_file(config, rel).into_iter().enumerate() {
            let Some(m) = m else { continue };
            if let Some(slot) = out.get_mut(g) {
                slot.entry(m.name.to_string())
                    .or_insert_with(|| Instance {
                        module: m.clone(),
                        files: Vec::new(),
                    })
                    .files
                    .push(rel.clone());
            }
        }
    }
    for (i, def) in config.modules.iter().enumerate() {
        if def.template.is_none() {
            if let Some(slot) = out.get_mut(def.group) {
                slot.entry(def.name.clone()).or_insert_with(|| Instance {
                    module: Module {
                        def: i,
                        name: def.name.as_str().into(),
                    },
                    files: Vec::new(),
                });
            }
        }
    }
    out
}

/// `[[deny]] transitive = true` rules applying to the file, each with the
/// files whose import would reach one of its targets and the chain
/// ([`rules::analysis::transitive_reach`]).
type Reach<'c> = [(&'c DenyRule, BTreeMap<String, Vec<String>>)];

/// Why an import from `rel` (modules `from_mods`) of `target` (modules
/// `to_mods`) breaks a rule, judged in group `group` for module rules: the
/// engine's own judge and transitive reach, then the `[[allow]]` entries that
/// silence them.
fn judge(
    config: &Config,
    reach: &Reach,
    rel: &str,
    from_mods: &[Option<Module>],
    group: usize,
    target: &str,
    to_mods: &[Option<Module>],
) -> Vec<Reason> {
    let mut out = Vec::new();
    let from = from_mods.get(group).cloned().flatten();
    let to = to_mods.get(group).cloned().flatten();
    if let (Some(from), Some(to)) = (&from, &to) {
        for r in judge::module_rules(config, rel, from_mods, from, target, to_mods, to) {
            out.push(Reason {
                rule: r.rule.to_string(),
                severity: r.severity,
                why: r.why,
                message: r.message,
            });
        }
    }
    for rule in &config.deny {
        if !judge::deny_applies(config, rule, rel, from_mods) {
            continue;
        }
        let hits: Vec<String> = judge::deny_hits(config, rule, target, to_mods)
            .map(|ft| file_target_text(config, ft))
            .collect();
        if !hits.is_empty() {
            out.push(Reason {
                rule: rule.id.clone(),
                severity: rule.severity,
                why: format!("`{}` forbids importing {}", rule.id, code_list(&hits, "")),
                message: message(&rule.message),
            });
        }
    }
    // `[[allow]]` exceptions silence what they cover
    let silenced = |rule: &str, to: &str, to_mods: &[Option<Module>], target: Option<&str>| {
        let asked = judge::Exception {
            rule,
            from: rel,
            from_mods,
            to_file: Some((to, to_mods)),
            target,
        };
        config
            .allows
            .iter()
            .any(|a| judge::allows(config, a, &asked))
    };
    let mut transitive = Vec::new();
    for (rule, files) in reach {
        let Some(chain) = files.get(target) else {
            continue;
        };
        let Some(goal) = chain.last() else { continue };
        // as the check reports it: at the goal the chain reaches
        let goal_mods = assign_file(config, goal);
        if silenced(&rule.id, goal, &goal_mods, Some(goal)) {
            continue;
        }
        let through = chain
            .iter()
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(" → ");
        transitive.push(Reason {
            rule: rule.id.clone(),
            severity: rule.severity,
            why: format!(
                "importing it reaches a target of `{}` through {through}",
                rule.id
            ),
            message: message(&rule.message),
        });
    }
    out.retain(|r| !silenced(&r.rule, target, to_mods, None));
    out.extend(transitive);
    out
}

fn build(ws: &Workspace, rel: &str) -> Answer {
    let config = ws.config.as_ref();
    let from_mods = assign_file(config, rel);
    let reach = rules::analysis::transitive_reach(ws, rel, &from_mods);

    let modules = config
        .groups
        .iter()
        .enumerate()
        .map(|(g, name)| {
            let m = from_mods.get(g).cloned().flatten();
            GroupModule {
                group: name.clone(),
                layers: m
                    .as_ref()
                    .map(|m| {
                        layer_positions(config, m)
                            .into_iter()
                            .map(|(s, l)| LayerPos {
                                stack: s + 1,
                                level: l + 1,
                                of: config.layers[s].levels.len(),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                module: m.map(|m| m.name.to_string()),
            }
        })
        .collect();

    let mut may_import = Vec::new();
    let mut may_not_import = Vec::new();
    // the files judged as part of another module (their transitive reach is
    // under may_not_import); the others' is under `reaching`
    let mut judged_files = std::collections::HashSet::new();
    for (g, insts) in instances(ws).into_iter().enumerate() {
        let own = from_mods.get(g).cloned().flatten();
        for (name, inst) in insts {
            if own.as_ref() == Some(&inst.module) {
                continue;
            }
            let def = &config.modules[inst.module.def];
            let public = def
                .public
                .as_ref()
                .filter(|_| config.checks.get(Builtin::PublicApi) != Severity::Off)
                .map(|p| p.iter().map(|g| g.text.clone()).collect::<Vec<_>>());
            let mut reasons: Vec<Reason> = Vec::new();
            let mut forbidden_files: Vec<String> = Vec::new();
            if inst.files.is_empty() {
                let mut to_mods: Vec<Option<Module>> = vec![None; config.groups.len()];
                if let Some(slot) = to_mods.get_mut(g) {
                    *slot = Some(inst.module.clone());
                }
                reasons = judge(config, &reach, rel, &from_mods, g, "", &to_mods);
            } else {
                for f in &inst.files {
                    let to_mods = assign_file(config, f);
                    let r = judge(config, &reach, rel, &from_mods, g, f, &to_mods);
                    judged_files.insert(f.clone());
                    if !r.is_empty() {
                        forbidden_files.push(f.clone());
                        for x in r {
                            if !reasons.contains(&x) {
                                reasons.push(x);
                            }
                        }
                    }
                }
            }
            if reasons.is_empty() {
                may_import.push(Importable {
                    group: config.groups[g].clone(),
                    module: name,
                    files: inst.files.len(),
                    public,
                });
            } else {
                let only_files =
                    (forbidden_files.len() < inst.files.len()).then_some(forbidden_files);
                may_not_import.push(Forbidden {
                    group: config.groups[g].clone(),
                    module: name,
                    files: inst.files.len(),
                    only_files,
                    reasons,
                    public,
                });
            }
        }
    }

    let mut denied_files = Vec::new();
    let mut denied_packages = Vec::new();
    let mut apis = Vec::new();
    for rule in &config.deny {
        if !judge::deny_applies(config, rule, rel, &from_mods) {
            continue;
        }
        let mut other_apis = Vec::new();
        for t in &rule.to {
            match t {
                Target::Files(FileTarget::Glob(g)) => denied_files.push(DeniedFiles {
                    files: g.text.clone(),
                    rule: rule.id.clone(),
                    severity: rule.severity,
                    message: message(&rule.message),
                }),
                Target::Files(FileTarget::Module(_)) => {}
                Target::Api(sel) if is_package_selector(sel) => {
                    denied_packages.push(DeniedPackage {
                        package: sel.text.clone(),
                        rule: rule.id.clone(),
                        severity: rule.severity,
                        message: message(&rule.message),
                    })
                }
                Target::Api(sel) => other_apis.push(sel.text.clone()),
            }
        }
        if !other_apis.is_empty() {
            apis.push(ApiRule {
                rule: rule.id.clone(),
                kind: "deny",
                severity: rule.severity,
                apis: other_apis,
                allowed_in: None,
                message: message(&rule.message),
            });
        }
    }
    for rule in &config.boundaries {
        if rule.severity == Severity::Off
            || rule
                .allow_in
                .iter()
                .any(|t| target_matches(config, t, rel, &from_mods))
        {
            continue;
        }
        apis.push(ApiRule {
            rule: rule.id.clone(),
            kind: "boundary",
            severity: rule.severity,
            apis: rule.apis.iter().map(|a| a.text.clone()).collect(),
            allowed_in: Some(
                rule.allow_in
                    .iter()
                    .map(|t| file_target_text(config, t))
                    .collect(),
            ),
            message: message(&rule.message),
        });
    }

    let patterns = config
        .patterns
        .iter()
        .filter(|r| {
            r.severity != Severity::Off
                && !r
                    .allow_in
                    .iter()
                    .any(|t| target_matches(config, t, rel, &from_mods))
        })
        .map(|r| PatternInfo {
            rule: r.id.clone(),
            severity: r.severity,
            language: r.language().map_or("", |l| l.def().config_names[0]),
            allowed_in: r
                .allow_in
                .iter()
                .map(|t| file_target_text(config, t))
                .collect(),
            message: message(&r.message),
        })
        .collect();

    let external = if config.checks.get(Builtin::External) == Severity::Off {
        Vec::new()
    } else {
        from_mods
            .iter()
            .flatten()
            .filter_map(|m| {
                let def = &config.modules[m.def];
                def.external.as_ref().map(|l| ExternalList {
                    module: m.name.to_string(),
                    allowed: l
                        .iter()
                        .map(|p| format!("{}{}", p.name, if p.prefix { "*" } else { "" }))
                        .collect(),
                })
            })
            .collect()
    };

    let mut reaching = Vec::new();
    for (rule, files) in &reach {
        for (file, chain) in files {
            if file == rel || judged_files.contains(file) {
                continue;
            }
            let Some(goal) = chain.last() else { continue };
            let asked = judge::Exception {
                rule: &rule.id,
                from: rel,
                from_mods: &from_mods,
                to_file: Some((goal, &assign_file(config, goal))),
                target: Some(goal),
            };
            if config
                .allows
                .iter()
                .any(|a| judge::allows(config, a, &asked))
            {
                continue;
            }
            reaching.push(Reaching {
                file: file.clone(),
                rule: rule.id.clone(),
                severity: rule.severity,
                through: chain.clone(),
                message: message(&rule.message),
            });
        }
    }

    Answer {
        path: rel.to_string(),
        root: ws.root().display().to_string(),
        config: rules::analysis::config_rel(config),
        exists: ws.files.contains_key(rel),
        checked: Lang::from_path(rel).is_some() && config.is_included(rel),
        modules,
        may_import,
        may_not_import,
        denied_files,
        reaching,
        packages: Packages {
            external,
            denied: denied_packages,
        },
        apis,
        patterns,
        suppressions: Suppressions {
            line: "// layergate-ignore RULE_ID: reason",
            until: "// layergate-ignore RULE_ID until YYYY-MM-DD: reason",
            file: "// layergate-ignore-file RULE_ID: reason",
        },
    }
}

fn rule_line(rule: &str, severity: Severity, text: &str, message: Option<&str>) -> String {
    let mut s = format!("`{rule}` ({})", severity.as_str());
    if !text.is_empty() {
        s.push_str(": ");
        s.push_str(text);
    }
    if let Some(m) = message {
        s.push_str(". ");
        s.push_str(m);
    }
    s
}

fn public_text(p: &Option<Vec<String>>) -> String {
    match p {
        Some(p) => format!(", only through {}", code_list(p, "nothing")),
        None => String::new(),
    }
}

fn render(a: &Answer) -> String {
    let mut md = String::new();
    md.push_str(&format!("# What `{}` may import and use\n\n", a.path));
    md.push_str(&format!(
        "Workspace root `{}` (config `{}`). {}{}\n\n",
        a.root,
        a.config,
        if a.exists {
            "The file exists."
        } else {
            "The file does not exist yet."
        },
        if a.checked {
            ""
        } else {
            " It is not checked: its extension is not supported or `[workspace]` include/exclude leaves it out."
        }
    ));

    md.push_str("## Modules\n\n");
    for m in &a.modules {
        match &m.module {
            Some(name) => {
                let layers = m
                    .layers
                    .iter()
                    .map(|l| {
                        if l.stack == 1 && m.layers.len() == 1 {
                            format!("layer {} of {}", l.level, l.of)
                        } else {
                            format!("layer {} of {} in stack {}", l.level, l.of, l.stack)
                        }
                    })
                    .collect::<Vec<_>>();
                let layers = if layers.is_empty() {
                    "not layered".to_string()
                } else {
                    layers.join(", ")
                };
                md.push_str(&format!(
                    "- group `{}`: module `{name}` ({layers})\n",
                    m.group
                ));
            }
            None => md.push_str(&format!(
                "- group `{}`: no module (module rules do not apply in this group)\n",
                m.group
            )),
        }
    }
    md.push_str("\nImports of its own module and of files in no module are always allowed by the module rules.\n\n");

    md.push_str("## May import\n\n");
    if a.may_import.is_empty() {
        md.push_str("No other module.\n");
    }
    if a.modules.len() > 1 {
        md.push_str(
            "A file is in one module per group: importing it must be allowed in each group.\n\n",
        );
    }
    for m in &a.may_import {
        md.push_str(&format!(
            "- `{}` (group `{}`){}\n",
            m.module,
            m.group,
            public_text(&m.public)
        ));
    }
    md.push('\n');

    md.push_str("## May not import\n\n");
    if a.may_not_import.is_empty() && a.denied_files.is_empty() && a.reaching.is_empty() {
        md.push_str("Nothing is forbidden.\n");
    }
    for m in &a.may_not_import {
        let only = match &m.only_files {
            Some(f) => format!(" — only these files: {}", code_list(f, "")),
            None => String::new(),
        };
        md.push_str(&format!("- `{}` (group `{}`){only}\n", m.module, m.group));
        for r in &m.reasons {
            md.push_str(&format!(
                "  - {}\n",
                rule_line(&r.rule, r.severity, &r.why, r.message.as_deref())
            ));
        }
    }
    for d in &a.denied_files {
        md.push_str(&format!(
            "- files `{}`: {}\n",
            d.files,
            rule_line(&d.rule, d.severity, "", d.message.as_deref())
        ));
    }
    for r in &a.reaching {
        let through = r
            .through
            .iter()
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(" → ");
        let why = format!(
            "importing it reaches a target of `{}` through {through}",
            r.rule
        );
        md.push_str(&format!(
            "- file `{}`: {}\n",
            r.file,
            rule_line(&r.rule, r.severity, &why, r.message.as_deref())
        ));
    }
    md.push('\n');

    md.push_str("## Third-party packages\n\n");
    if a.packages.external.is_empty() {
        md.push_str("- Allowed: any package or crate.\n");
    }
    for e in &a.packages.external {
        md.push_str(&format!(
            "- Allowed (`external` of `{}`): {}\n",
            e.module,
            code_list(&e.allowed, "none")
        ));
    }
    for d in &a.packages.denied {
        md.push_str(&format!(
            "- Forbidden `{}`: {}\n",
            d.package,
            rule_line(&d.rule, d.severity, "", d.message.as_deref())
        ));
    }
    md.push('\n');

    md.push_str("## APIs it may not use\n\n");
    if a.apis.is_empty() {
        md.push_str("None.\n");
    }
    for r in &a.apis {
        let where_ = match &r.allowed_in {
            Some(l) if l.is_empty() => " (allowed nowhere)".to_string(),
            Some(l) => format!(" (allowed only in {})", code_list(l, "")),
            None => String::new(),
        };
        md.push_str(&format!(
            "- {}\n",
            rule_line(
                &r.rule,
                r.severity,
                &format!("{}{where_}", code_list(&r.apis, "none")),
                r.message.as_deref()
            )
        ));
    }
    md.push('\n');
    if !a.patterns.is_empty() {
        md.push_str("## Code patterns it may not contain\n\n");
        for p in &a.patterns {
            let where_ = if p.allowed_in.is_empty() {
                "allowed nowhere".to_string()
            } else {
                format!("allowed only in {}", code_list(&p.allowed_in, ""))
            };
            md.push_str(&format!(
                "- {}\n",
                rule_line(
                    &p.rule,
                    p.severity,
                    &format!("{} pattern, {where_}", p.language),
                    p.message.as_deref()
                )
            ));
        }
        md.push('\n');
    }
    md.push_str(SUPPRESSIONS_MD);
    md
}
