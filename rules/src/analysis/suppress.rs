//! Exceptions: `[[allow]]` entries of the config, then `layergate-ignore`
//! comments in the code. Both report what they failed to silence.

use super::ctx::{config_rel, is_iso_date, range_of, Ctx, Violation};
use super::judge::{allows, Exception};
use crate::config::{did_you_mean, Severity};
use crate::diagnostic::{Edit, Fix};
use crate::facts::{Span, Suppression};
use crate::rule::{Builtin, RuleId};

/// Rules that no exception can silence.
fn unsilenceable(rule: &RuleId) -> bool {
    !rule.flags().silenceable
}

/// Drops violations covered by an `[[allow]]` entry; sets `used[i]` for each
/// entry that silenced something (entries that silence nothing anywhere are
/// reported by [`unused_allows`]).
pub(super) fn apply_allows(
    ctx: &Ctx,
    violations: Vec<Violation>,
    used: &mut [bool],
) -> Vec<Violation> {
    let config = ctx.config;
    if config.allows.is_empty() {
        return violations;
    }
    violations
        .into_iter()
        .filter(|v| {
            if unsilenceable(&v.rule) {
                return true;
            }
            let from_mods = ctx.modules_of(&v.file);
            let to_mods = v.target_file.as_ref().map(|tf| ctx.modules_of(tf));
            let asked = Exception {
                rule: v.rule.as_str(),
                from: &v.file,
                from_mods: &from_mods,
                to_file: v.target_file.as_deref().zip(to_mods.as_deref()),
                target: v.target.as_deref(),
            };
            let hit = config.allows.iter().position(|a| allows(config, a, &asked));
            match hit {
                Some(i) => {
                    if let Some(u) = used.get_mut(i) {
                        *u = true;
                    }
                    false
                }
                None => true,
            }
        })
        .collect()
}

/// An `[[allow]]` entry that silences nothing is a `suppression` warning on
/// its line in layergate.toml.
pub(super) fn unused_allows(ctx: &Ctx, used: impl Fn(usize) -> bool) -> Vec<Violation> {
    let config = ctx.config;
    let file = config_rel(config);
    let mut out = Vec::new();
    for (i, a) in config.allows.iter().enumerate() {
        if !used(i) {
            let line_end = config.text[a.span.start as usize..]
                .find('\n')
                .map_or(config.text.len(), |e| a.span.start as usize + e);
            let span =
                crate::text::LineIndex::new(&config.text).span(a.span.start as usize..line_end);
            let mut v = Violation::new(
                &file,
                span,
                Builtin::Suppression,
                Severity::Warning,
                "this [[allow]] entry silences nothing: remove it, or fix its `from`, `to` or `rules`".into(),
            );
            v.unnecessary = true;
            out.push(v);
        }
    }
    out
}

/// Applies the `layergate-ignore` comments of file `rel` to its violations,
/// adds the suppress fix to what remains, and reports its suppressions that
/// are unused, expired, unknown or unexplained.
pub(super) fn apply_suppressions(
    ctx: &Ctx,
    rel: &str,
    violations: Vec<Violation>,
    today: &str,
) -> Vec<Violation> {
    let Some(entry) = ctx.file(rel) else {
        return violations;
    };
    let mut used = vec![false; entry.facts.suppressions.len()];
    let mut out: Vec<Violation> = Vec::with_capacity(violations.len());
    // read at most once, and only when a fix needs it
    let mut text: Option<Option<std::sync::Arc<str>>> = None;
    let mut text = move || text.get_or_insert_with(|| ctx.text_of(rel, entry)).clone();
    for mut v in violations {
        if unsilenceable(&v.rule) || v.file != rel {
            out.push(v);
            continue;
        }
        let silenced_by = entry.facts.suppressions.iter().position(|s| {
            s.rules.iter().any(|r| v.rule == *r)
                && (s.file_level || s.target_line == v.span.line)
                && !s
                    .until
                    .as_deref()
                    .is_some_and(|u| is_iso_date(u) && u < today)
        });
        match silenced_by {
            Some(i) => used[i] = true,
            None => {
                if v.rule.flags().suppress_fix {
                    v.fixes.push(suppress_fix(
                        entry.lang.language().def().line_comment,
                        text().as_deref(),
                        entry.kept_text(),
                        &entry.lines,
                        &v.file,
                        v.span.line,
                        v.rule.as_str(),
                    ));
                }
                out.push(v);
            }
        }
    }
    if entry.facts.suppressions.is_empty() {
        return out;
    }
    let known = ctx.config.all_rule_ids();
    for (i, s) in entry.facts.suppressions.iter().enumerate() {
        let Some((message, unnecessary)) = suppression_problem(s, &known, today, used[i]) else {
            continue;
        };
        let fixes = match (unnecessary, text()) {
            (true, Some(t)) => vec![remove_fix(&t, entry.kept_text(), &entry.lines, rel, s.span)],
            _ => Vec::new(),
        };
        let mut v = Violation::new(
            rel,
            s.span,
            Builtin::Suppression,
            Severity::Warning,
            message,
        );
        v.fixes = fixes;
        v.unnecessary = unnecessary;
        out.push(v);
    }
    out
}

/// At most one problem per comment, the most important first.
fn suppression_problem(
    s: &Suppression,
    known: &[&str],
    today: &str,
    used: bool,
) -> Option<(String, bool)> {
    let kind = if s.file_level {
        "layergate-ignore-file"
    } else {
        "layergate-ignore"
    };
    if s.rules.is_empty() {
        return Some((
            format!("`{kind}` names no rule: write `{kind} RULE: reason`"),
            false,
        ));
    }
    if let Some(unknown) = s.rules.iter().find(|r| !known.contains(&r.as_str())) {
        let hint = did_you_mean(unknown, known.iter().copied())
            .map(|h| format!("; did you mean `{h}`?"))
            .unwrap_or_default();
        return Some((
            format!("unknown rule `{unknown}` in suppression{hint}"),
            false,
        ));
    }
    if let Some(u) = &s.until {
        if !is_iso_date(u) {
            return Some((
                format!("`until {u}` is not a date: write `until YYYY-MM-DD`"),
                false,
            ));
        }
        if u.as_str() < today {
            return Some((
                format!("suppression expired on {u}: the violation is reported again"),
                false,
            ));
        }
    }
    if !used {
        return Some((
            format!(
                "unused suppression: no `{}` violation here to silence",
                s.rules.join("`, `")
            ),
            true,
        ));
    }
    if s.reason.is_none() {
        return Some((
            "suppression without a reason: say why after a `:`".into(),
            false,
        ));
    }
    if s.reason.as_deref().map(str::trim) == Some(REASON_PLACEHOLDER) {
        return Some((
            format!(
                "the suppression's reason is still the placeholder `{REASON_PLACEHOLDER}`: say why"
            ),
            false,
        ));
    }
    None
}

/// What the suppress quick fix writes where the reason goes: a suppression
/// whose reason is still this has none.
pub const REASON_PLACEHOLDER: &str = "<reason>";

/// `text`: the file's text, if it could be read (else no indentation);
/// `kept`: the text as kept for positions.
fn suppress_fix(
    comment: &str,
    text: Option<&str>,
    kept: Option<&str>,
    lines: &crate::text::LineIndex,
    file: &str,
    line: u32,
    rule: &str,
) -> Fix {
    let line_text = text.map_or("", |t| lines.line_text(t, line));
    let indent: String = line_text
        .chars()
        .take_while(|c| c.is_whitespace())
        .collect();
    let at = lines.line_start(line).unwrap_or(0);
    let span = lines.span(at..at);
    Fix {
        title: format!("Suppress `{rule}` on this line"),
        edits: vec![Edit {
            file: file.to_string(),
            range: range_of(kept, lines, span),
            span,
            new_text: format!("{indent}{comment} layergate-ignore {rule}: {REASON_PLACEHOLDER}\n"),
        }],
    }
}

fn remove_fix(
    text: &str,
    kept: Option<&str>,
    lines: &crate::text::LineIndex,
    file: &str,
    s: Span,
) -> Fix {
    let start = s.start as usize;
    let end = s.end as usize;
    let line_start = lines.line_start(s.line).unwrap_or(0);
    let alone = text
        .get(line_start..start)
        .is_some_and(|p| p.trim().is_empty())
        && text
            .get(end..)
            .is_some_and(|rest| rest.split('\n').next().unwrap_or("").trim().is_empty());
    let range = if alone {
        let next = lines.line_start(s.end_line + 1).unwrap_or(text.len());
        line_start..next
    } else {
        let before = text
            .get(..start)
            .map_or(start, |p| p.trim_end_matches([' ', '\t']).len());
        before.max(line_start)..end
    };
    let span = lines.span(range);
    Fix {
        title: "Remove the unused suppression".into(),
        edits: vec![Edit {
            file: file.to_string(),
            range: range_of(kept, lines, span),
            span,
            new_text: String::new(),
        }],
    }
}
