//! Rules that cannot fire. A rule that matches nothing passes forever and
//! says so ("no violations"); a config that names a module by a path that
//! moved, or an `[[allow]]` wider than meant, silently turns a rule off. For
//! every `[[deny]]` target and every `[[boundary]]`, this builds the smallest
//! violation it can in memory (an import appended to a file of `from`, of a
//! file of the target or of the package; a use of the global outside
//! `allow_in`) and checks that the engine reports it; what no such case can
//! trigger is named with the reason (`dead-rule`, on the rule's line in
//! layergate.toml).
//!
//! Cases are built in TypeScript and JavaScript files: a `[[deny]]` whose
//! `from` holds only Rust files, and Rust API targets, are judged by their
//! files alone (a `from` or `to` that matches no file).

use crate::analysis::modules::{assign_file, target_matches, Module};
use crate::analysis::{config_rel, range_of};
use crate::config::selector::ApiKind;
use crate::config::{Config, FileTarget, Severity, Target};
use crate::diagnostic::Diagnostic;
use crate::facts::Span;
use crate::host::AnalysisHost;
use crate::lang::Language;
use crate::rule::Builtin;
use crate::text::LineIndex;
use crate::workspace::Content;

/// How many files of `from` a case is tried in before the target is
/// declared dead (an `[[allow]]` may cover some files of `from`, not all).
const TRIES: usize = 3;

/// The `dead-rule` warnings of the host's config.
pub fn dead_rules(host: &mut AnalysisHost) -> Vec<Diagnostic> {
    let config = host.config.clone();
    let files: Vec<(String, Vec<Option<Module>>, bool)> = host
        .files
        .iter()
        .map(|(rel, e)| {
            let ts = e.lang.language() == Language::TypeScript && e.skipped.is_none();
            (rel.clone(), assign_file(&config, rel), ts)
        })
        .collect();
    let matching = |t: &FileTarget| -> Vec<&str> {
        files
            .iter()
            .filter(|(rel, mods, _)| target_matches(&config, t, rel, mods))
            .map(|(rel, _, _)| rel.as_str())
            .collect()
    };
    let mut dead: Vec<(Span, String)> = Vec::new();

    for rule in config.deny.iter().filter(|r| r.severity != Severity::Off) {
        let from_any: Vec<&str> = rule.from.iter().flat_map(&matching).collect();
        let from: Vec<&(String, Vec<Option<Module>>, bool)> = files
            .iter()
            .filter(|(rel, mods, _)| crate::analysis::judge::deny_applies(&config, rule, rel, mods))
            .collect();
        let name = format!("[[deny]] `{}`", rule.id);
        if from.is_empty() {
            let why = if from_any.is_empty() {
                "its `from` matches no checked file".to_string()
            } else {
                "its `exclude` covers every file of its `from`".to_string()
            };
            dead.push((rule.span, format!("{name} cannot fire: {why}")));
            continue;
        }
        let ts_from: Vec<&str> = from
            .iter()
            .filter(|(_, _, ts)| *ts)
            .map(|(rel, _, _)| rel.as_str())
            .collect();
        let mut dead_targets = Vec::new();
        for target in &rule.to {
            let (shown, specifiers): (String, Vec<(String, Option<String>)>) = match target {
                Target::Files(ft) => {
                    let shown = file_target_text(&config, ft);
                    let to = matching(ft);
                    if to.is_empty() {
                        dead_targets.push(format!("`{shown}` matches no checked file"));
                        continue;
                    }
                    // a file of the target outside `from` (an import within
                    // one file set is no dependency)
                    let to_file = to
                        .iter()
                        .find(|t| !from.iter().any(|(f, _, _)| f == *t))
                        .unwrap_or(&to[0])
                        .to_string();
                    let specs = ts_from
                        .iter()
                        .filter(|f| **f != to_file)
                        .take(TRIES)
                        .map(|f| (f.to_string(), Some(relative_specifier(f, &to_file))))
                        .collect();
                    (shown, specs)
                }
                Target::Api(sel) => {
                    let spec = match &sel.kind {
                        ApiKind::Npm(p) if !p.prefix => p.name.clone(),
                        ApiKind::Node(n) if !n.contains('.') => format!("node:{n}"),
                        // Rust paths, crates, globals in `to`: not built
                        _ => continue,
                    };
                    let specs = ts_from
                        .iter()
                        .take(TRIES)
                        .map(|f| (f.to_string(), Some(spec.clone())))
                        .collect();
                    (sel.text.clone(), specs)
                }
            };
            if specifiers.is_empty() {
                continue;
            }
            let fires = specifiers.iter().any(|(file, spec)| {
                let spec = spec.as_deref().unwrap_or_default();
                fires_on_appended(host, file, &format!("import \"{spec}\";"), &rule.id)
            });
            if !fires {
                dead_targets.push(format!(
                    "an import of `{shown}` from `{}` is not reported (an `[[allow]]` entry or another rule's exception silences it)",
                    specifiers[0].0
                ));
            }
        }
        if !dead_targets.is_empty() {
            let all = dead_targets.len() == rule.to.len();
            dead.push((
                rule.span,
                format!(
                    "{name} cannot fire{}: {}",
                    if all { "" } else { " for part of its `to`" },
                    dead_targets.join("; ")
                ),
            ));
        }
    }

    for rule in config
        .boundaries
        .iter()
        .filter(|r| r.severity != Severity::Off)
    {
        let name = format!("[[boundary]] `{}`", rule.id);
        let outside: Vec<&(String, Vec<Option<Module>>, bool)> = files
            .iter()
            .filter(|(rel, mods, _)| {
                !rule
                    .allow_in
                    .iter()
                    .any(|t| target_matches(&config, t, rel, mods))
            })
            .collect();
        if outside.is_empty() {
            dead.push((
                rule.span,
                format!("{name} cannot fire: every checked file is in its `allow_in`"),
            ));
            continue;
        }
        let ts_outside: Vec<&str> = outside
            .iter()
            .filter(|(_, _, ts)| *ts)
            .take(TRIES)
            .map(|(rel, _, _)| rel.as_str())
            .collect();
        let mut silent = Vec::new();
        for sel in &rule.apis {
            let ApiKind::Global(parts) = &sel.kind else {
                continue;
            };
            if ts_outside.is_empty() {
                continue;
            }
            let usage = format!("void {};", parts.join("."));
            if !ts_outside
                .iter()
                .any(|f| fires_on_appended(host, f, &usage, &rule.id))
            {
                silent.push(format!(
                    "a use of `{}` in `{}` is not reported (an `[[allow]]` entry silences it)",
                    sel.text, ts_outside[0]
                ));
            }
        }
        if !silent.is_empty() {
            dead.push((
                rule.span,
                format!("{name} cannot fire: {}", silent.join("; ")),
            ));
        }
    }

    let file = config_rel(&config);
    let lines = LineIndex::new(&config.text);
    dead.into_iter()
        .map(|(span, message)| {
            Diagnostic::plain(
                file.clone(),
                range_of(Some(&config.text), &lines, span),
                span,
                Severity::Warning,
                Builtin::DeadRule,
                message,
            )
        })
        .collect()
}

/// Whether rule `id` reports the line `line` appended to `file` (in memory).
fn fires_on_appended(host: &mut AnalysisHost, file: &str, line: &str, id: &str) -> bool {
    let abs = host.root().join(file);
    let Some(text) = host.files.get(file).and_then(|e| e.text(host.fs(), &abs)) else {
        return false;
    };
    let mut new = text.to_string();
    if !new.is_empty() && !new.ends_with('\n') {
        new.push('\n');
    }
    let at = new.lines().count() as u32 + 1;
    new.push_str(line);
    new.push('\n');
    host.check_overlay(file, Content::Text(new), |_, outcome| {
        outcome
            .diagnostics
            .iter()
            .any(|d| d.file == file && d.rule == id && d.range.line == at)
    })
}

/// `from`'s import of `to` (workspace-relative files): `./x.ts`, `../a/x.ts`.
fn relative_specifier(from: &str, to: &str) -> String {
    let from_dir: Vec<&str> = from.split('/').collect::<Vec<_>>();
    let from_dir = &from_dir[..from_dir.len() - 1];
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dir
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let up = from_dir.len() - common;
    let rest = to_parts[common..].join("/");
    if up == 0 {
        format!("./{rest}")
    } else {
        format!("{}{rest}", "../".repeat(up))
    }
}

fn file_target_text(config: &Config, t: &FileTarget) -> String {
    match t {
        FileTarget::Module(crate::config::ModRef::Instance(_, name)) => name.clone(),
        FileTarget::Module(m) => config
            .modules
            .get(m.def())
            .map_or_else(|| format!("{m:?}"), |d| d.name.clone()),
        FileTarget::Glob(g) => g.text.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::relative_specifier;

    #[test]
    fn specifiers_climb_to_the_common_folder() {
        assert_eq!(relative_specifier("src/a/x.ts", "src/a/y.ts"), "./y.ts");
        assert_eq!(
            relative_specifier("src/a/x.ts", "src/b/c/y.ts"),
            "../b/c/y.ts"
        );
        assert_eq!(relative_specifier("x.ts", "src/y.ts"), "./src/y.ts");
        assert_eq!(relative_specifier("src/a/b/x.ts", "y.ts"), "../../../y.ts");
    }
}
