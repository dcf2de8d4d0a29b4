//! The documentation of every built-in rule, in one place: `layergate explain`,
//! SARIF rule metadata, LSP `codeDescription` links and the generated pages
//! under `docs/rules/` are all written from this table (a test keeps the pages
//! current, as ruff generates its rule pages from rule doc comments).

use crate::rule::Builtin;
pub use crate::rule::BUILTIN_RULES;
use std::sync::OnceLock;

/// Where the generated rule pages are published (relative links work in the
/// repository; the absolute base is used where a URI is required).
pub const DOCS_BASE: &str = "https://github.com/layergate/layergate/blob/main/docs/rules/";

/// One built-in rule's documentation, read from the doc comment in its file
/// (`analysis/rules/<rule>.rs`).
#[derive(Debug, Clone)]
pub struct RuleDoc {
    pub id: &'static str,
    /// One line.
    pub summary: String,
    pub what: String,
    pub why: String,
    /// A `layergate.toml` snippet and code that breaks it.
    pub example: String,
    pub fix: String,
}

impl RuleDoc {
    pub fn url(&self) -> String {
        format!("{DOCS_BASE}{}.md", self.id)
    }

    /// The Markdown page of the rule.
    pub fn page(&self) -> String {
        format!(
            "# `{}`\n\n{}\n\n## What it does\n\n{}\n\n## Why\n\n{}\n\n## Example\n\n{}\n\n## How to fix\n\n{}\n",
            self.id, self.summary, self.what, self.why, self.example, self.fix
        )
    }
}

/// The URL of a rule's page; user rules link to the `[[deny]]`/`[[boundary]]`/
/// `[[pattern]]` page of their kind.
pub fn url_of(rule: &str) -> String {
    match rules().iter().find(|r| r.id == rule) {
        Some(r) => r.url(),
        None => format!("{DOCS_BASE}user-rules.md"),
    }
}

/// Every built-in rule's documentation, in registry order.
pub fn rules() -> &'static [RuleDoc] {
    static DOCS: OnceLock<Vec<RuleDoc>> = OnceLock::new();
    DOCS.get_or_init(|| {
        Builtin::ALL
            .iter()
            .map(|&b| parse(b.id(), crate::analysis::rule_doc(b)))
            .collect()
    })
}

/// The documentation of one built-in rule.
pub fn of(rule: Builtin) -> &'static RuleDoc {
    let i = Builtin::ALL.iter().position(|b| *b == rule).unwrap_or(0);
    &rules()[i]
}

/// A rule's doc comment as a [`RuleDoc`]: the summary, then the sections
/// `## What it does`, `## Why`, `## Example`, `## How to fix`. Lines of a
/// paragraph are joined with spaces; code fences keep their lines.
fn parse(id: &'static str, doc: &str) -> RuleDoc {
    let mut sections: Vec<(String, Vec<String>)> = vec![(String::new(), Vec::new())];
    let mut fenced = false;
    for line in doc.lines() {
        let line = line.strip_prefix(' ').unwrap_or(line);
        if !fenced {
            if let Some(title) = line.strip_prefix("## ") {
                sections.push((title.to_string(), Vec::new()));
                continue;
            }
        }
        let blocks = &mut sections.last_mut().expect("one section").1;
        if line.starts_with("```") {
            if fenced {
                if let Some(b) = blocks.last_mut() {
                    b.push('\n');
                    b.push_str(line);
                }
            } else {
                blocks.push(line.to_string());
            }
            fenced = !fenced;
        } else if fenced {
            if let Some(b) = blocks.last_mut() {
                b.push('\n');
                b.push_str(line);
            }
        } else if line.trim().is_empty() {
            blocks.push(String::new());
        } else {
            match blocks.last_mut() {
                Some(b) if !b.is_empty() && !b.ends_with("```") => {
                    b.push(' ');
                    b.push_str(line);
                }
                _ => blocks.push(line.to_string()),
            }
        }
    }
    let section = |title: &str| -> String {
        sections
            .iter()
            .find(|(t, _)| t == title)
            .map(|(_, blocks)| {
                blocks
                    .iter()
                    .filter(|b| !b.is_empty())
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("\n\n")
            })
            .unwrap_or_default()
    };
    RuleDoc {
        id,
        summary: section(""),
        what: section("What it does"),
        why: section("Why"),
        example: section("Example"),
        fix: section("How to fix"),
    }
}

/// The page for user-defined rules.
pub const USER_RULES_PAGE: &str = "# User rules: `[[deny]]`, `[[boundary]]`, `[[pattern]]`\n\nDiagnostics of rules you define carry the rule's own `id` as their code and its `message`.\n\n- `[[deny]]`: imports from `from` (modules or globs) to `to` (modules, globs, `npm:`/`crate:` packages, Rust paths) are forbidden; `transitive = true` also forbids reaching a target through a chain of imports, naming the shortest chain.\n- `[[boundary]]`: the listed APIs (`node:child_process`, `npm:execa`, `global:process.env`, `std::process::Command`, `rust:unsafe` ...) may be used only in `allow_in`.\n- `[[pattern]]`: any tree-sitter query; a match of its capture outside `allow_in` is a violation.\n\nSee the README's configuration tutorial for examples.\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_rule_is_documented() {
        for r in rules() {
            for (part, text) in [
                ("summary", &r.summary),
                ("What it does", &r.what),
                ("Why", &r.why),
                ("Example", &r.example),
                ("How to fix", &r.fix),
            ] {
                assert!(!text.trim().is_empty(), "{}: no {part}", r.id);
            }
            assert!(
                !r.summary.contains('\n'),
                "{}: the summary is one line",
                r.id
            );
        }
        assert_eq!(rules().len(), BUILTIN_RULES.len());
    }

    #[test]
    fn paragraphs_are_joined_and_fences_kept() {
        let d = parse(
            "x",
            " One\n line.\n\n ## What it does\n\n A\n b.\n\n C.\n\n ## Example\n\n ```ts\n  a;\n\n b;\n ```\n",
        );
        assert_eq!(d.summary, "One line.");
        assert_eq!(d.what, "A b.\n\nC.");
        assert_eq!(d.example, "```ts\n a;\n\nb;\n```");
    }

    /// The pages under docs/rules are generated from this table: regenerate
    /// with `UPDATE_DOCS=1 cargo test -p layergate-rules docs`.
    #[test]
    fn rule_pages_are_current() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/rules");
        let mut pages: Vec<(String, String)> = rules()
            .iter()
            .map(|r| (format!("{}.md", r.id), r.page()))
            .collect();
        pages.push(("user-rules.md".into(), USER_RULES_PAGE.into()));
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::create_dir_all(&dir).unwrap();
            for (name, text) in &pages {
                std::fs::write(dir.join(name), text).unwrap();
            }
        }
        for (name, text) in &pages {
            let on_disk = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
            assert_eq!(
                &on_disk, text,
                "docs/rules/{name} is stale: run UPDATE_DOCS=1 cargo test -p layergate-rules docs"
            );
        }
    }
}
