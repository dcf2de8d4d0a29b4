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
//! files alone (a `from` or `to` that matches no file). A `[[pattern]]`'s
//! query cannot be turned into a case: it is dead when no checked file in
//! its language lies outside its `allow_in`.

use std::collections::BTreeMap;

use crate::analysis::modules::{assign_file, target_matches, Module};
use crate::analysis::{config_rel, range_of};
use crate::config::selector::ApiKind;
use crate::config::{Config, FileTarget, Severity, Target};
use crate::diagnostic::Diagnostic;
use crate::facts::Span;
use crate::host::AnalysisHost;
use crate::lang::{Lang, Language};
use crate::rule::Builtin;
use crate::text::LineIndex;
use crate::workspace::Content;

/// How many files of `from` a case is tried in before the target is
/// declared dead (an `[[allow]]` may cover some files of `from`, not all).
const TRIES: usize = 3;

/// One case built to prove a rule can fire: the files it is tried in, each
/// with the line appended there, and what to say when none fires.
struct Case {
    rule: usize,
    id: String,
    tries: Vec<(String, String)>,
    if_silent: String,
}

/// What is found about one rule: (its span, its name, what cannot fire,
/// whether that is all of it).
struct Finding {
    span: Span,
    name: String,
    dead: Vec<String>,
    parts: usize,
}

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
    let langs_of: BTreeMap<&str, Lang> = host
        .files
        .iter()
        .filter(|(_, e)| e.skipped.is_none())
        .map(|(rel, e)| (rel.as_str(), e.lang))
        .collect();
    let rust = host.rust_resolver();
    // the files of each target, once: an independence contract's dozens of
    // rules name the same modules in their `to`
    let memo: std::cell::RefCell<rustc_hash::FxHashMap<String, Vec<&str>>> = Default::default();
    let matching = |t: &FileTarget| -> Vec<&str> {
        let key = file_target_text(&config, t);
        if let Some(hit) = memo.borrow().get(&key) {
            return hit.clone();
        }
        let found: Vec<&str> = files
            .iter()
            .filter(|(rel, mods, _)| target_matches(&config, t, rel, mods))
            .map(|(rel, _, _)| rel.as_str())
            .collect();
        memo.borrow_mut().insert(key, found.clone());
        found
    };
    let mut findings: Vec<Finding> = Vec::new();
    let mut cases: Vec<Case> = Vec::new();

    for rule in config.deny.iter().filter(|r| r.severity != Severity::Off) {
        let mut f = Finding {
            span: rule.span,
            name: format!("[[deny]] `{}`", rule.id),
            dead: Vec::new(),
            parts: rule.to.len(),
        };
        let from_any: Vec<&str> = rule.from.iter().flat_map(&matching).collect();
        let from: Vec<&(String, Vec<Option<Module>>, bool)> = files
            .iter()
            .filter(|(rel, mods, _)| crate::analysis::judge::deny_applies(&config, rule, rel, mods))
            .collect();
        if from.is_empty() {
            f.parts = 1;
            f.dead.push(if from_any.is_empty() {
                "its `from` matches no checked file".to_string()
            } else {
                "its `exclude` covers every file of its `from`".to_string()
            });
            findings.push(f);
            continue;
        }
        let ts_from: Vec<&str> = tries_first(
            &config,
            &rule.id,
            from.iter()
                .filter(|(_, _, ts)| *ts)
                .map(|f| (f.0.as_str(), &f.1[..])),
        );
        let rust_from: Vec<&str> = tries_first(
            &config,
            &rule.id,
            from.iter()
                .filter(|(rel, _, _)| langs_of.get(rel.as_str()) == Some(&Lang::Rust))
                .map(|f| (f.0.as_str(), &f.1[..])),
        );
        for target in &rule.to {
            let (shown, tries): (String, Vec<(String, String)>) = match target {
                Target::Files(ft) => {
                    let shown = file_target_text(&config, ft);
                    let to = matching(ft);
                    if to.is_empty() {
                        f.dead.push(format!("`{shown}` matches no checked file"));
                        continue;
                    }
                    // a file of the target outside `from` (an import within
                    // one file set is no dependency)
                    let outside = |t: &&&str| !from.iter().any(|(f, _, _)| f == **t);
                    let to_file = to.iter().find(outside).unwrap_or(&to[0]).to_string();
                    let mut tries: Vec<(String, String)> = ts_from
                        .iter()
                        .filter(|f| **f != to_file)
                        .take(TRIES)
                        .map(|f| (f.to_string(), import_line(&relative_specifier(f, &to_file))))
                        .collect();
                    if tries.is_empty() {
                        tries = rust_tries(rust, &rust_from, &to, &outside);
                    }
                    (shown, tries)
                }
                Target::Api(sel) => {
                    let spec = match &sel.kind {
                        ApiKind::Npm(p) if !p.prefix => p.name.clone(),
                        ApiKind::Node(n) if !n.contains('.') => format!("node:{n}"),
                        // Rust paths, crates, globals in `to`: not built
                        _ => continue,
                    };
                    let tries = ts_from
                        .iter()
                        .take(TRIES)
                        .map(|f| (f.to_string(), import_line(&spec)))
                        .collect();
                    (sel.text.clone(), tries)
                }
            };
            if tries.is_empty() {
                continue;
            }
            let if_silent = format!(
                "an import of `{shown}` from `{}` is not reported (an `[[allow]]` entry or another rule's exception silences it)",
                tries[0].0
            );
            cases.push(Case {
                rule: findings.len(),
                id: rule.id.clone(),
                tries,
                if_silent,
            });
        }
        findings.push(f);
    }

    for rule in config
        .boundaries
        .iter()
        .filter(|r| r.severity != Severity::Off)
    {
        let mut f = Finding {
            span: rule.span,
            name: format!("[[boundary]] `{}`", rule.id),
            dead: Vec::new(),
            parts: rule.apis.len(),
        };
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
            f.parts = 1;
            f.dead
                .push("every checked file is in its `allow_in`".to_string());
            findings.push(f);
            continue;
        }
        let ts_outside: Vec<&str> = tries_first(
            &config,
            &rule.id,
            outside
                .iter()
                .filter(|(_, _, ts)| *ts)
                .map(|f| (f.0.as_str(), &f.1[..])),
        )
        .into_iter()
        .take(TRIES)
        .collect();
        for sel in &rule.apis {
            let ApiKind::Global(parts) = &sel.kind else {
                continue;
            };
            if ts_outside.is_empty() {
                continue;
            }
            let usage = format!("void {};", parts.join("."));
            cases.push(Case {
                rule: findings.len(),
                id: rule.id.clone(),
                tries: ts_outside
                    .iter()
                    .map(|f| (f.to_string(), usage.clone()))
                    .collect(),
                if_silent: format!(
                    "a use of `{}` in `{}` is not reported (an `[[allow]]` entry silences it)",
                    sel.text, ts_outside[0]
                ),
            });
        }
        findings.push(f);
    }

    // a `[[pattern]]`'s query cannot be turned into a case; what can be
    // known is whether any file it would look at lies outside `allow_in`
    for rule in config
        .patterns
        .iter()
        .filter(|r| r.severity != Severity::Off)
    {
        let langs: Vec<Lang> = rule.queries.iter().map(|(l, _, _)| *l).collect();
        let of_lang: Vec<&(String, Vec<Option<Module>>, bool)> = files
            .iter()
            .filter(|(rel, _, _)| {
                langs_of
                    .get(rel.as_str())
                    .is_some_and(|l| langs.contains(l))
            })
            .collect();
        let outside = of_lang.iter().any(|(rel, mods, _)| {
            !rule
                .allow_in
                .iter()
                .any(|t| target_matches(&config, t, rel, mods))
        });
        if outside {
            continue;
        }
        let names: Vec<&str> = rule.language().map(|l| l.def().name).into_iter().collect();
        findings.push(Finding {
            span: rule.span,
            name: format!("[[pattern]] `{}`", rule.id),
            dead: vec![if of_lang.is_empty() {
                format!(
                    "no checked file is in the language of its query ({})",
                    names.join(", ")
                )
            } else {
                "every checked file in the language of its query is in its `allow_in`".to_string()
            }],
            parts: 1,
        });
    }

    // the cases, in rounds: every case's n-th try at once, one check per file
    let mut fired = vec![false; cases.len()];
    for round in 0..TRIES {
        let mut by_file: BTreeMap<&str, Vec<(usize, &str, &str)>> = BTreeMap::new();
        for (i, case) in cases.iter().enumerate() {
            if let (false, Some((file, line))) = (fired[i], case.tries.get(round)) {
                by_file.entry(file.as_str()).or_default().push((
                    i,
                    line.as_str(),
                    case.id.as_str(),
                ));
            }
        }
        for (file, lines) in by_file {
            let lines_only: Vec<(&str, &str)> = lines.iter().map(|(_, l, id)| (*l, *id)).collect();
            for ((i, _, _), hit) in lines.iter().zip(fires_on_appended(host, file, &lines_only)) {
                fired[*i] |= hit;
            }
        }
    }
    for (case, fired) in cases.into_iter().zip(fired) {
        if !fired {
            findings[case.rule].dead.push(case.if_silent);
        }
    }

    let file = config_rel(&config);
    let lines = LineIndex::new(&config.text);
    findings
        .into_iter()
        .filter(|f| !f.dead.is_empty())
        .map(|f| {
            let message = format!(
                "{} cannot fire{}: {}",
                f.name,
                if f.dead.len() >= f.parts {
                    ""
                } else {
                    " for part of it"
                },
                f.dead.join("; ")
            );
            Diagnostic::plain(
                file.clone(),
                range_of(Some(&config.text), &lines, f.span),
                f.span,
                Severity::Warning,
                Builtin::DeadRule,
                message,
            )
        })
        .collect()
}

/// The files to try a rule's cases in, best first: files no `[[allow]]`
/// entry naming the rule (or every rule) covers, then the others; among
/// each, one per folder before a second of any folder (an exception often
/// covers a folder).
fn tries_first<'a>(
    config: &Config,
    id: &str,
    files: impl Iterator<Item = (&'a str, &'a [Option<Module>])>,
) -> Vec<&'a str> {
    let allows: Vec<&crate::config::AllowRule> = config
        .allows
        .iter()
        .filter(|a| a.rules.as_ref().is_none_or(|r| r.iter().any(|r| r == id)))
        .collect();
    let mut keyed: Vec<(bool, usize, &str)> = Vec::new();
    let mut per_dir: BTreeMap<&str, usize> = BTreeMap::new();
    for (rel, mods) in files {
        let covered = allows
            .iter()
            .any(|a| a.from.iter().any(|t| target_matches(config, t, rel, mods)));
        let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
        let n = per_dir.entry(dir).or_default();
        keyed.push((covered, *n, rel));
        *n += 1;
    }
    keyed.sort();
    keyed.into_iter().map(|(_, _, rel)| rel).collect()
}

fn import_line(specifier: &str) -> String {
    format!("import \"{specifier}\";")
}

/// For each `(line, rule id)` appended to `file` (in memory, all at once),
/// whether that rule reports that line.
fn fires_on_appended(host: &mut AnalysisHost, file: &str, lines: &[(&str, &str)]) -> Vec<bool> {
    let abs = host.root().join(file);
    let Some(text) = host.files.get(file).and_then(|e| e.text(host.fs(), &abs)) else {
        return vec![false; lines.len()];
    };
    let mut new = text.to_string();
    if !new.is_empty() && !new.ends_with('\n') {
        new.push('\n');
    }
    // a blank line first: a suppression comment ending the file applies to
    // the line after it, not to the first case
    new.push('\n');
    let first = new.lines().count() as u32 + 1;
    for (line, _) in lines {
        new.push_str(line);
        new.push('\n');
    }
    host.check_overlay(file, Content::Text(new), |_, outcome| {
        lines
            .iter()
            .enumerate()
            .map(|(k, (_, id))| {
                let at = first + k as u32;
                outcome
                    .diagnostics
                    .iter()
                    .any(|d| d.file == file && d.rule == *id && d.range.line == at)
            })
            .collect()
    })
}

/// Cases in Rust files: a file of `from` importing a module file of `to`
/// (one outside `from`, if any) of the same crate, as `use crate::a::b;`.
/// Only module paths the resolver found through `mod` declarations are
/// used, and only within one crate, so that a case that stays silent means
/// the rule cannot fire (not that the case did not resolve).
fn rust_tries(
    rust: &crate::languages::rust::resolve::RustResolver,
    from: &[&str],
    to: &[&str],
    outside: &dyn Fn(&&&str) -> bool,
) -> Vec<(String, String)> {
    let module = |f: &str| {
        let (krate, path) = rust.module_path_of(f)?;
        (!rust.is_guessed(f) && !path.is_empty()).then_some((krate, path))
    };
    let targets: Vec<(&str, (String, Vec<String>))> = to
        .iter()
        .filter(|t| t.ends_with(".rs"))
        .filter_map(|t| Some((*t, module(t)?)))
        .collect();
    let mut out = Vec::new();
    for f in from.iter().filter(|f| f.ends_with(".rs")) {
        let Some((krate, _)) = rust.module_path_of(f) else {
            continue;
        };
        let same_crate = |(t, (k, _)): &&(&str, (String, Vec<String>))| *k == krate && t != f;
        let Some((_, (_, path))) = targets
            .iter()
            .filter(same_crate)
            .find(|(t, _)| outside(&t))
            .or_else(|| targets.iter().find(same_crate))
        else {
            continue;
        };
        out.push((f.to_string(), format!("use crate::{};", path.join("::"))));
        if out.len() == TRIES {
            break;
        }
    }
    out
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
