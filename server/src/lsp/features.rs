//! Requests answered from the [`World`]: hover, code actions, and the custom
//! `layergate/*` requests. Plain functions of the state (no I/O, no async), run
//! in blocking threads by the server.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use rules::analysis::modules::{assign_file, layer_positions};
use rules::Config;
use rules::LineIndex;
use rules::Resolved;
use rules::{Builtin, RuleId};
use serde_json::{json, Value};
use tower_lsp_server::ls_types::{
    self as lsp, CodeAction, CodeActionKind, CodeActionOrCommand, Command, Hover, HoverContents,
    MarkupContent, MarkupKind, TextEdit, Uri, WorkspaceEdit,
};

use super::proto::{self, Encoding, View};
use super::state::World;

/// The command of "Show rule in layergate.toml": arguments `[uri, range]`.
pub const SHOW_RULE: &str = "layergate.showRule";

/// Hover on an import: where it resolves, the modules and layers of both
/// sides, and the diagnostics on it.
pub fn hover(world: &World, path: &Path, pos: lsp::Position) -> Option<Hover> {
    let ri = world.root_of(path)?;
    let root = &world.roots[ri];
    let rel = root.rel(path)?;
    let ws = root.ws.as_ref()?;
    let entry = ws.files.get(&rel)?;
    let view = View::of(entry);
    let off = view.offset(world.enc, pos) as u32;
    let (idx, imp) = entry
        .facts
        .imports
        .iter()
        .enumerate()
        .filter(|(_, i)| i.span.start <= off && off <= i.span.end)
        .min_by_key(|(_, i)| i.span.end - i.span.start)?;
    let config = ws.config.as_ref();
    let mut md = String::new();
    let _ = writeln!(md, "**layergate** · import `{}`\n", imp.specifier);
    match entry.resolved.get(idx) {
        Some(Resolved::File(target)) => {
            let _ = writeln!(md, "Resolves to `{target}`\n");
            let _ = writeln!(md, "- this file: {}", placement(config, &rel));
            let _ = writeln!(md, "- target: {}", placement(config, target));
        }
        Some(Resolved::External(p)) => {
            let _ = writeln!(md, "Resolves to the package `{p}`\n");
            let _ = writeln!(md, "- this file: {}", placement(config, &rel));
        }
        Some(Resolved::Builtin(b)) => {
            let _ = writeln!(md, "Resolves to the builtin `{b}`\n");
            let _ = writeln!(md, "- this file: {}", placement(config, &rel));
        }
        Some(Resolved::Unresolved) => {
            let _ = writeln!(md, "Does not resolve to any file or package\n");
        }
        Some(Resolved::NotADependency) | None => {
            let _ = writeln!(md, "Not a dependency\n");
        }
    }
    // the rules that govern this import: its modules' rules and what fires here
    let governing = governing_rules(config, &rel);
    if !governing.is_empty() {
        let _ = writeln!(md, "\nRules governing this file: {}", governing.join(", "));
    }
    let here: Vec<&rules::Diagnostic> = root
        .outcome
        .get(&rel)
        .into_iter()
        .flat_map(|d| d.iter())
        .filter(|d| d.span.start <= imp.span.end && imp.span.start <= d.span.end)
        .collect();
    if !here.is_empty() {
        let _ = writeln!(md, "\nViolations here:");
        for d in here {
            let _ = writeln!(md, "- `{}`: {}", d.rule, d.message);
        }
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: md,
        }),
        range: Some(view.range(world.enc, imp.span)),
    })
}

/// "module `x` (group `g`), layer 2 of stack 1" for a file.
fn placement(config: &Config, rel: &str) -> String {
    let mods = assign_file(config, rel);
    let mut parts = Vec::new();
    for (g, m) in mods.iter().enumerate() {
        let Some(m) = m else { continue };
        let mut s = format!("module `{}`", m.name);
        if config.groups.len() > 1 {
            let _ = write!(s, " (group `{}`)", config.groups[g]);
        }
        for (stack, level) in layer_positions(config, m) {
            if config.layers.len() > 1 {
                let _ = write!(s, ", layer {} of stack {}", level + 1, stack + 1);
            } else {
                let _ = write!(
                    s,
                    ", layer {} of {}",
                    level + 1,
                    config.layers[stack].levels.len()
                );
            }
        }
        parts.push(s);
    }
    if parts.is_empty() {
        format!("`{rel}` in no module")
    } else {
        format!("`{rel}` in {}", parts.join("; "))
    }
}

/// Names of the rules that can apply to imports of `rel`.
fn governing_rules(config: &Config, rel: &str) -> Vec<String> {
    let mods = assign_file(config, rel);
    let mut out: Vec<RuleId> = Vec::new();
    for m in mods.iter().flatten() {
        let def = &config.modules[m.def];
        for (applies, rule) in [
            (!layer_positions(config, m).is_empty(), Builtin::Layers),
            (def.depends_on.is_some(), Builtin::DependsOn),
            (def.external.is_some(), Builtin::External),
        ] {
            if applies && !out.iter().any(|r| r.is(rule)) {
                out.push(rule.into());
            }
        }
    }
    for d in &config.deny {
        if rules::analysis::judge::deny_applies(config, d, rel, &mods) {
            out.push(RuleId::user(&d.id));
        }
    }
    out.iter().map(|r| format!("`{r}`")).collect()
}

/// Code actions for the diagnostics of `path` overlapping `range`: each fix
/// as a quick fix, and "Show rule in layergate.toml".
pub fn code_actions(world: &World, path: &Path, range: lsp::Range) -> Vec<CodeActionOrCommand> {
    let Some((root, rel, diags)) = world.file_diagnostics(path) else {
        return Vec::new();
    };
    let Some(ws) = root.ws.as_ref() else {
        return Vec::new();
    };
    let enc = world.enc;
    let (start, end) = match ws.files.get(&rel) {
        Some(e) => {
            let v = View::of(e);
            (
                v.offset(enc, range.start) as u32,
                v.offset(enc, range.end) as u32,
            )
        }
        None => (0, u32::MAX),
    };
    let config_lines = LineIndex::new(&ws.config.text);
    let config_view = View::new(&ws.config.text, &config_lines);
    let mut out = Vec::new();
    for d in diags {
        if !(d.span.start <= end && start <= d.span.end) {
            continue;
        }
        let view = ws.files.get(&rel).map(View::of);
        let lsp_diag = proto::diagnostic(d, view, config_view, &root.dir, enc);
        for fix in &d.fixes {
            let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
            for e in &fix.edits {
                let abs = root.dir.join(&e.file);
                let Some(uri) = proto::uri_of(&abs) else {
                    continue;
                };
                let r = match ws.files.get(&e.file) {
                    Some(f) => View::of(f).range(enc, e.span),
                    None => config_view.range(enc, e.span),
                };
                changes.entry(uri).or_default().push(TextEdit {
                    range: r,
                    new_text: e.new_text.clone(),
                });
            }
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: fix.title.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![lsp_diag.clone()]),
                edit: Some(WorkspaceEdit {
                    changes: Some(changes),
                    ..Default::default()
                }),
                ..Default::default()
            }));
        }
        if let Some(r) = &d.related {
            if let Some(uri) = proto::uri_of(&root.dir.join(&r.file)) {
                let range = config_view.range(enc, r.span);
                out.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: format!("Show rule `{}` in layergate.toml", d.rule),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![lsp_diag.clone()]),
                    command: Some(Command {
                        title: "Show rule in layergate.toml".into(),
                        command: SHOW_RULE.into(),
                        arguments: Some(vec![json!(uri), json!(range)]),
                    }),
                    ..Default::default()
                }));
            }
        }
    }
    out
}

/// `layergate/explain`: the Markdown of `layergate explain`, one section per
/// workspace.
pub fn explain(world: &World) -> String {
    let parts: Vec<String> = world
        .roots
        .iter()
        .filter_map(|r| r.ws.as_ref())
        .map(|ws| crate::commands::explain::markdown(ws))
        .collect();
    if parts.is_empty() {
        return "No `layergate.toml` is in force in this workspace.\n".into();
    }
    parts.join("\n")
}

/// `layergate/allowed`: what a path (existing or not) may import and use.
pub fn allowed(world: &World, path: &Path) -> Result<Value, String> {
    let ri = world
        .root_of(path)
        .ok_or_else(|| format!("no layergate.toml governs {}", path.display()))?;
    let root = &world.roots[ri];
    let rel = root
        .rel(path)
        .ok_or_else(|| format!("{} is not in a workspace", path.display()))?;
    let ws = root.ws.as_ref().ok_or("the workspace is not indexed yet")?;
    Ok(crate::commands::allowed::answer(ws, &rel))
}

/// `true` when `enc` columns are UTF-8 (for logs).
pub fn encoding_name(enc: Encoding) -> &'static str {
    match enc {
        Encoding::Utf8 => "utf-8",
        Encoding::Utf16 => "utf-16",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn governing_rules_name_each_rule_once() {
        let config = Config::parse(
            Path::new("/w/layergate.toml"),
            r#"
[[modules]]
name = "app"
paths = ["src/app/**"]
depends_on = ["domain"]

[[modules]]
name = "domain"
paths = ["src/domain/**"]

[[modules]]
name = "feature"
group = "features"
paths = ["src/app/**"]

[[modules]]
name = "lib"
group = "features"
paths = ["src/lib/**"]

[[layers]]
order = ["app", "domain"]

[[layers]]
order = ["feature", "lib"]

[[deny]]
id = "no-lib"
from = ["src/app/**"]
to = ["src/lib/**"]

[[deny]]
id = "off"
from = ["src/app/**"]
to = ["src/lib/**"]
severity = "off"
"#,
        )
        .unwrap();
        assert_eq!(
            governing_rules(&config, "src/app/a.ts"),
            ["`layers`", "`depends-on`", "`no-lib`"]
        );
        assert!(governing_rules(&config, "src/other.ts").is_empty());
    }
}
