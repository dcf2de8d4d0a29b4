//! Rule metadata for output formats and the language server.

use rules::analysis::docs;
use rules::Diagnostic;

use crate::output::RuleMeta;

/// Metadata of the rules that appear in `diags`, sorted by id.
pub fn rule_meta(diags: &[Diagnostic]) -> Vec<RuleMeta> {
    let mut ids: Vec<&str> = diags.iter().map(|d| d.rule.as_str()).collect();
    ids.sort();
    ids.dedup();
    ids.into_iter()
        .map(|id| {
            let description = docs::rules()
                .iter()
                .find(|r| r.id == id)
                .map(|r| r.summary.to_string())
                .unwrap_or_else(|| format!("User-defined rule `{id}` from layergate.toml"));
            RuleMeta {
                id: id.to_string(),
                description,
                help_uri: docs::url_of(id),
            }
        })
        .collect()
}
