//! What the rule files share: the places and words of violations, and the
//! names they use (a rule file imports this, never `mod.rs`, so the rules
//! form no cycle with their driver).

pub(super) use rustc_hash::{FxHashMap, FxHashSet};

pub(super) use crate::analysis::ctx::{
    config_rel, is_type_only, range_of, CachedEdge, Ctx, Edge, FileResult, ModuleEdge, Pairs,
    Reason, Violation,
};
pub(super) use crate::analysis::graph;
pub(super) use crate::analysis::modules::{layer_positions, target_matches, Module};
pub(super) use crate::config::selector::{path_under, ApiKind};
pub(super) use crate::config::{ApiSelector, Config, FileTarget, Severity, Target};
pub(super) use crate::diagnostic::{Edit, Fix};
pub(super) use crate::facts::{ApiRef, Import, ImportKind, Span};
pub(super) use crate::lang::{Lang, Language};
pub(super) use crate::resolve::Resolved;
pub(super) use crate::rule::{Builtin, RuleId};
pub(super) use crate::workspace::FileEntry;

pub(super) fn describe(rel: &str, m: Option<&Module>) -> String {
    match m {
        Some(m) => format!("`{rel}` in module `{}`", m.name),
        None => format!("`{rel}`"),
    }
}

pub(super) fn with_message(base: String, user: Option<&str>) -> String {
    match user {
        Some(m) if !m.trim().is_empty() => format!("{base}. {}", m.trim()),
        _ => base,
    }
}

pub(super) fn via_text(via: &Option<String>) -> String {
    via.as_ref()
        .map(|v| format!(" (via `{v}`)"))
        .unwrap_or_default()
}

pub(super) struct Place<'a> {
    pub rel: &'a str,
    pub entry: &'a FileEntry,
}

impl Place<'_> {
    pub(super) fn violation(
        &self,
        span: Span,
        rule: impl Into<RuleId>,
        severity: Severity,
        message: String,
    ) -> Violation {
        Violation::new(self.rel, span, rule, severity, message)
    }

    pub(super) fn first_line(&self) -> Span {
        let lines = &self.entry.lines;
        let end = lines
            .line_start(1)
            .map_or(self.entry.len, |s| s.saturating_sub(1));
        Span {
            start: 0,
            end: end as u32,
            line: 0,
            col: 0,
            end_line: 0,
            end_col: end as u32,
        }
    }
}

pub(super) fn target_text(config: &Config, t: &FileTarget) -> String {
    match t {
        FileTarget::Glob(g) => g.text.clone(),
        FileTarget::Module(crate::config::ModRef::Def(d)) => config.modules[*d].name.clone(),
        FileTarget::Module(crate::config::ModRef::Instance(d, cap)) => {
            config.modules[*d].instance_name(cap)
        }
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn violation_between(
    place: &Place,
    edge: &Edge,
    rule: impl Into<RuleId>,
    severity: Severity,
    message: String,
    from: Option<&Module>,
    to: Option<&Module>,
    target: &str,
) -> Violation {
    let mut v = place.violation(edge.import.span, rule, severity, message);
    v.from_module = from.map(|m| m.name.to_string());
    v.to_module = to.map(|m| m.name.to_string());
    v.target = Some(target.to_string());
    v.target_file = Some(target.to_string());
    v
}

pub(super) fn first_module(mods: &[Option<Module>]) -> Option<&Module> {
    mods.iter().flatten().next()
}
