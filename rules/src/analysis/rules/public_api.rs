rule_doc! {
    /// An import reaches into a module past its `public` entry points.
    ///
    /// ## What it does
    ///
    /// When a module lists `public` files, imports from outside the module must target
    /// one of them. Importing any other file of the module is reported, and a fix
    /// rewrites the import to the public entry when that entry exports the imported
    /// names. Judged on the direct target.
    ///
    /// ## Why
    ///
    /// A module's public entry is its contract. Deep imports couple callers to internal
    /// file layout, so every refactoring inside the module breaks its users.
    ///
    /// ## Example
    ///
    /// ```toml
    /// [[modules]]
    /// name = "domain"
    /// paths = ["src/domain/**"]
    /// public = ["src/domain/index.ts"]
    /// ```
    ///
    /// ```ts
    /// // src/app/page.ts
    /// import { User } from "../domain/user/model"; // public-api
    /// ```
    ///
    /// ## How to fix
    ///
    /// Import from the public entry (`../domain`), exporting the name there if it is
    /// missing.
}

use super::common::*;

/// The fix for `public-api`: point the specifier at a public entry that
/// exports every imported name (TS/JS only).
pub(super) fn public_entry_fix(
    ctx: &Ctx,
    place: &Place,
    edge: &Edge,
    to: &Module,
    reads: &mut Vec<String>,
) -> Option<Fix> {
    if !place.entry.lang.is_js_family() || edge.import.names.is_empty() {
        return None;
    }
    let def = &ctx.config.modules[to.def];
    let public = def.public.as_ref()?;
    let entry_file = ctx.ws.files.keys().find(|f| {
        public.iter().any(|g| g.matcher.is_match(f))
            && ctx.modules_of(f).get(def.group).cloned().flatten().as_ref() == Some(to)
            && edge
                .import
                .names
                .iter()
                .all(|n| ctx.provides(f, &n.name, reads))
    })?;
    let spec = relative_specifier(place.rel, entry_file);
    let text = ctx.text_of(place.rel, place.entry)?;
    let stmt = text.get(edge.import.span.start as usize..edge.import.span.end as usize)?;
    let quoted = [
        format!("'{}'", edge.import.specifier),
        format!("\"{}\"", edge.import.specifier),
    ];
    let (off, q) = quoted
        .iter()
        .find_map(|q| stmt.find(q.as_str()).map(|o| (o, q)))?;
    let start = edge.import.span.start as usize + off;
    let end = start + q.len();
    let span = place.entry.lines.span(start..end);
    let quote = &q[..1];
    Some(Fix {
        title: format!("Import from the public entry `{entry_file}`"),
        edits: vec![Edit {
            file: place.rel.to_string(),
            range: range_of(place.entry.kept_text(), &place.entry.lines, span),
            span,
            new_text: format!("{quote}{spec}{quote}"),
        }],
    })
}

/// A relative import specifier from one file to another, without extension,
/// and `dir` for `dir/index.*`.
pub fn relative_specifier(from: &str, to: &str) -> String {
    let from_dir: Vec<&str> =
        from.split('/').collect::<Vec<_>>()[..from.split('/').count() - 1].to_vec();
    let mut to_parts: Vec<&str> = to.split('/').collect();
    let last = to_parts.pop().unwrap_or("");
    let stem = last
        .strip_suffix(".d.ts")
        .or_else(|| last.rsplit_once('.').map(|(s, _)| s))
        .unwrap_or(last);
    let common = from_dir
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts: Vec<String> = Vec::new();
    for _ in common..from_dir.len() {
        parts.push("..".into());
    }
    parts.extend(to_parts[common..].iter().map(|s| s.to_string()));
    if stem != "index" {
        parts.push(stem.to_string());
    }
    let joined = parts.join("/");
    if joined.is_empty() {
        ".".into()
    } else if joined.starts_with("..") {
        joined
    } else {
        format!("./{joined}")
    }
}

/// `public-api` for one import edge in one group, judged by its direct target.
#[allow(clippy::too_many_arguments)]
pub(super) fn check(
    ctx: &Ctx,
    place: &Place,
    edge: &Edge,
    direct: &str,
    group: usize,
    from: &Module,
    reads: &mut Vec<String>,
    out: &mut Vec<Violation>,
) {
    let config = ctx.config;
    let severity = config.checks.get(Builtin::PublicApi);
    if severity == Severity::Off {
        return;
    }
    let direct_mods = ctx.modules_of(direct);
    let Some(to) = direct_mods.get(group).and_then(|m| m.as_ref()) else {
        return;
    };
    if from == to {
        return;
    }
    let def = &config.modules[to.def];
    let Some(public) = &def.public else {
        return;
    };
    if public.iter().any(|g| g.matcher.is_match(direct)) {
        return;
    }
    let entries: Vec<&str> = public.iter().map(|g| g.text.as_str()).collect();
    let mut v = violation_between(
        place,
        edge,
        Builtin::PublicApi,
        severity,
        format!(
            "{} imports {}, which is not a public entry of `{}`: import it through {}",
            describe(place.rel, Some(from)),
            describe(direct, Some(to)),
            to.name,
            entries
                .iter()
                .map(|e| format!("`{e}`"))
                .collect::<Vec<_>>()
                .join(" or ")
        ),
        Some(from),
        Some(to),
        direct,
    );
    v.groups = vec![group];
    v.related = Some((
        def.span,
        format!("module `{}` and its public entries", def.name),
    ));
    v.fixes = public_entry_fix(ctx, place, edge, to, reads)
        .into_iter()
        .collect();
    out.push(v);
}

#[cfg(test)]
mod tests {
    use super::relative_specifier;

    #[test]
    fn relative_specifiers() {
        assert_eq!(
            relative_specifier("src/app/a.ts", "src/domain/index.ts"),
            "../domain"
        );
        assert_eq!(relative_specifier("src/app/a.ts", "src/app/b.ts"), "./b");
        assert_eq!(
            relative_specifier("src/app/x/a.ts", "src/domain/api.ts"),
            "../../domain/api"
        );
        assert_eq!(relative_specifier("a.ts", "index.ts"), ".");
    }
}
