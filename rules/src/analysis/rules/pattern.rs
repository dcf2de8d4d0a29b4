use super::common::*;

/// `[[pattern]]`: matches of a tree-sitter query outside `allow_in`.
pub(super) fn pattern_rules(
    ctx: &Ctx,
    place: &Place,
    from_mods: &[Option<Module>],
    out: &mut Vec<Violation>,
) {
    let config = ctx.config;
    for hit in &place.entry.pattern_hits {
        let Some(rule) = config.patterns.get(hit.pattern) else {
            continue;
        };
        if rule.severity == Severity::Off
            || rule
                .allow_in
                .iter()
                .any(|t| target_matches(config, t, place.rel, from_mods))
        {
            continue;
        }
        if let Some(spent) = hit.text.strip_prefix(crate::workspace::QUERY_BUDGET_MARK) {
            out.push(place.violation(
                place.first_line(),
                Builtin::Skipped,
                Severity::Info,
                format!(
                    "`[[pattern]]` `{}` was not fully checked in `{}`: its query stopped after {spent} steps (its budget per file), near byte {}",
                    rule.id,
                    place.rel,
                    hit.span.start
                ),
            ));
            continue;
        }
        let from_name = first_module(from_mods);
        let shown: String = hit
            .text
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .take(60)
            .collect();
        let mut v = place.violation(
            hit.span,
            RuleId::user(&rule.id),
            rule.severity,
            with_message(
                format!(
                    "{} matches pattern `{}` (`{shown}`)",
                    describe(place.rel, from_name),
                    rule.id
                ),
                rule.message.as_deref(),
            ),
        );
        v.from_module = from_name.map(|m| m.name.to_string());
        v.target = Some(hit.text.clone());
        v.related = Some((rule.span, format!("rule `{}`", rule.id)));
        out.push(v);
    }
}
