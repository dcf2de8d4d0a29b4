rule_doc! {
    /// A problem in layergate.toml or in a manifest layergate reads.
    ///
    /// ## What it does
    ///
    /// Errors (malformed TOML, unknown keys, unknown module names, queries that do not
    /// compile) stop `check` with exit status 2 and, in the editor, keep the last valid
    /// config in force. Warnings (a glob that matches no file, a malformed
    /// tsconfig.json, package.json or Cargo.toml) are reported at their place.
    ///
    /// ## Why
    ///
    /// A rule that matches nothing silently checks nothing.
    ///
    /// ## Example
    ///
    /// ```toml
    /// [[modules]]
    /// name = "domain"
    /// paths = ["src/domian/**"] # config: matches no file
    /// ```
    ///
    /// ## How to fix
    ///
    /// Correct the glob or key; the message suggests the closest valid name.
}

use super::common::*;

/// `config` warnings: config load warnings, and globs that match no file.
pub(crate) fn config_warnings(ctx: &Ctx) -> Vec<Violation> {
    let config = ctx.config;
    let rel = config_rel(config);
    let mut out = Vec::new();
    let mut warn = |span: Span, message: String| {
        out.push(Violation::new(
            &rel,
            span,
            Builtin::Config,
            Severity::Warning,
            message,
        ))
    };
    for w in &config.warnings {
        warn(w.span, w.message.clone());
    }
    // every glob to check, with its warning; matched against the files in
    // one pass of one glob set (a glob at a time would be modules × files:
    // 16 s for 32,000 modules)
    let mut checked: Vec<(&crate::config::PathGlob, String)> = Vec::new();
    for m in &config.modules {
        for g in &m.paths {
            checked.push((
                g,
                format!("`{}` in module `{}` matches no file", g.text, m.name),
            ));
        }
        for g in m.public.iter().flatten() {
            checked.push((
                g,
                format!(
                    "public entry `{}` of module `{}` matches no file",
                    g.text, m.name
                ),
            ));
        }
    }
    let mut rule_globs: Vec<(&crate::config::PathGlob, &str)> = Vec::new();
    for r in &config.deny {
        for g in collect(&r.from) {
            rule_globs.push((g, &r.id));
        }
        for t in &r.to {
            if let Target::Files(FileTarget::Glob(g)) = t {
                rule_globs.push((g, &r.id));
            }
        }
    }
    for r in &config.boundaries {
        for g in collect(&r.allow_in) {
            rule_globs.push((g, &r.id));
        }
    }
    for r in &config.patterns {
        for g in collect(&r.allow_in) {
            rule_globs.push((g, &r.id));
        }
    }
    for (g, id) in rule_globs {
        checked.push((g, format!("`{}` in rule `{id}` matches no file", g.text)));
    }
    let mut set = globset::GlobSetBuilder::new();
    for (g, _) in &checked {
        set.add(g.matcher.glob().clone());
    }
    let mut matched = vec![false; checked.len()];
    let mut left = checked.len();
    if let Ok(set) = set.build() {
        let mut hits = Vec::new();
        for f in ctx.ws.files.keys() {
            if left == 0 {
                break;
            }
            set.matches_into(f.as_str(), &mut hits);
            for &i in &hits {
                if !matched[i] {
                    matched[i] = true;
                    left -= 1;
                }
            }
        }
    }
    for ((g, message), matched) in checked.into_iter().zip(matched) {
        if !matched {
            warn(g.span, message);
        }
    }
    out
}

fn collect(ts: &[FileTarget]) -> Vec<&crate::config::PathGlob> {
    ts.iter()
        .filter_map(|t| {
            if let FileTarget::Glob(g) = t {
                Some(g)
            } else {
                None
            }
        })
        .collect()
}

/// Manifest problems (tsconfig `extends` cycles, malformed package.json or
/// Cargo.toml) as `config` warnings on the manifest's first line.
pub(crate) fn manifest_problems(ctx: &Ctx) -> Vec<Violation> {
    let rel = config_rel(ctx.config);
    ctx.ws
        .manifest_problems()
        .into_iter()
        .map(|(file, message)| {
            let mut v = Violation::new(
                &rel,
                Span::default(),
                Builtin::Config,
                Severity::Warning,
                format!("{file}: {message}"),
            );
            v.target = Some(file);
            v
        })
        .collect()
}
