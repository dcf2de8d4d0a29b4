//! The one judge of an import between modules: rule evaluation, `layergate
//! allowed`, hover and `explain` all ask it, so they cannot disagree.

use super::modules::{target_matches, Module};
use super::rules::{depends_on, layers, visibility};
use crate::config::{AllowRule, Config, DenyRule, FileTarget, Target};
use crate::severity::Severity;

pub use super::ctx::Reason;

/// `layers`, `depends-on` and `visibility` for an import from file `rel`
/// (modules `from_mods`, module `from` in the group judged) of file `target`
/// (modules `to_mods`, module `to` in that group). An import within one
/// module breaks none of them.
pub fn module_rules(
    config: &Config,
    rel: &str,
    from_mods: &[Option<Module>],
    from: &Module,
    target: &str,
    to_mods: &[Option<Module>],
    to: &Module,
) -> Vec<Reason> {
    if from == to {
        return Vec::new();
    }
    layers::judge(config, from, to)
        .into_iter()
        .chain(depends_on::judge(config, from, target, to_mods, to))
        .chain(visibility::judge(config, rel, from_mods, to))
        .collect()
}

/// Whether a `[[deny]]` rule governs imports from `rel` (modules `from_mods`).
pub fn deny_applies(
    config: &Config,
    rule: &DenyRule,
    rel: &str,
    from_mods: &[Option<Module>],
) -> bool {
    rule.severity != Severity::Off
        && rule
            .from
            .iter()
            .any(|t| target_matches(config, t, rel, from_mods))
        && !rule.exclude.iter().any(|g| g.matcher.is_match(rel))
}

/// The file and module targets of a `[[deny]]` rule that `target` (modules
/// `to_mods`) matches.
pub fn deny_hits<'c>(
    config: &'c Config,
    rule: &'c DenyRule,
    target: &str,
    to_mods: &[Option<Module>],
) -> impl Iterator<Item = &'c FileTarget> + 'c {
    let (target, to_mods) = (target.to_string(), to_mods.to_vec());
    rule.to.iter().filter_map(move |t| match t {
        Target::Files(ft) if target_matches(config, ft, &target, &to_mods) => Some(ft),
        _ => None,
    })
}

/// What an `[[allow]]` entry is asked about: a diagnostic of `rule` in file
/// `from` (modules `from_mods`) about file `to_file` and/or `target` (a
/// package, an API or a path, as diagnostics carry it).
pub struct Exception<'a> {
    pub rule: &'a str,
    pub from: &'a str,
    pub from_mods: &'a [Option<Module>],
    pub to_file: Option<(&'a str, &'a [Option<Module>])>,
    pub target: Option<&'a str>,
}

/// Whether an `[[allow]]` entry silences a diagnostic.
pub fn allows(config: &Config, a: &AllowRule, e: &Exception) -> bool {
    use crate::config::selector::ApiKind;
    a.rules
        .as_ref()
        .is_none_or(|r| r.iter().any(|r| r == e.rule))
        && a.from
            .iter()
            .any(|t| target_matches(config, t, e.from, e.from_mods))
        && a.to.iter().any(|t| match t {
            Target::Files(ft) => e
                .to_file
                .is_some_and(|(file, mods)| target_matches(config, ft, file, mods)),
            Target::Api(sel) => e.target.is_some_and(|target| match &sel.kind {
                ApiKind::Npm(p) => p.matches(target) || target == sel.text,
                _ => target == sel.text,
            }),
        })
}
