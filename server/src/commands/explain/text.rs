//! The words `explain`, `explain --agents` and `allowed` share: config
//! references and lists as written in `layergate.toml`.

use std::path::PathBuf;

use rules::config::ApiKind;
use rules::config::{AllowRule, ApiSelector, Config, FileTarget, ModRef, Severity, Target};
use rules::Builtin;

use crate::project::{self, UsageError};

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

/// `[checks]` key, rule id, severity: every built-in rule with a key.
pub(crate) fn builtin_checks(config: &Config) -> Vec<(&'static str, &'static str, Severity)> {
    Builtin::ALL
        .iter()
        .filter_map(|b| Some((b.check_key()?, b.id(), config.checks.get(*b))))
        .collect()
}
