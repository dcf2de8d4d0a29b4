//! The documentation of every built-in rule, in one place: `layergate explain`,
//! SARIF rule metadata, LSP `codeDescription` links and the generated pages
//! under `docs/rules/` are all written from this table (a test keeps the pages
//! current, as ruff generates its rule pages from rule doc comments).

/// Ids of the built-in checks, as they appear in diagnostics.
pub const BUILTIN_RULES: &[&str] = &[
    "layers",
    "depends-on",
    "visibility",
    "external",
    "public-api",
    "cycle",
    "file-cycle",
    "unresolved",
    "unassigned",
    "suppression",
    "config",
    "skipped",
    "policy",
];

/// Where the generated rule pages are published (relative links work in the
/// repository; the absolute base is used where a URI is required).
pub const DOCS_BASE: &str = "https://github.com/layergate/layergate/blob/main/docs/rules/";

/// One built-in rule's documentation.
#[derive(Debug, Clone, Copy)]
pub struct RuleDoc {
    pub id: &'static str,
    /// One line.
    pub summary: &'static str,
    pub what: &'static str,
    pub why: &'static str,
    /// A `layergate.toml` snippet and code that breaks it.
    pub example: &'static str,
    pub fix: &'static str,
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
    match RULES.iter().find(|r| r.id == rule) {
        Some(r) => r.url(),
        None => format!("{DOCS_BASE}user-rules.md"),
    }
}

pub const RULES: &[RuleDoc] = &[
    RuleDoc {
        id: "layers",
        summary: "A module imports a module in a higher layer, a sibling in its own layer, or (strict) skips a layer.",
        what: "`[layers] order` lists modules top to bottom. A module may import modules in layers below its own. An import upwards is reported; so is an import between siblings of one level (an inner array) unless `siblings = \"allow\"`, and with `strict = true` an import that skips a level. Modules not named in a stack are not layered by it; `utility` modules may be imported from anywhere. Several independent stacks are written as `[[layers]]`.",
        why: "Layering keeps the direction of knowledge one-way: the domain does not know the UI, infrastructure does not call the application. Once one upward import lands, the next ones follow and the layers stop meaning anything.",
        example: "```toml\n[layers]\norder = [\"app\", \"infra\", \"domain\"]\n```\n\n```ts\n// src/domain/user.ts\nimport { db } from \"../infra/db\"; // layers: domain may not import infra, a higher layer\n```",
        fix: "Invert the dependency: define an interface (port) in the lower layer and implement it in the higher one, or move the code to the layer it belongs to.",
    },
    RuleDoc {
        id: "depends-on",
        summary: "A module imports a module that is not in its `depends_on` allowlist.",
        what: "When a module has `depends_on`, it may import only the modules and globs listed there (plus `utility` modules and itself). `depends_on = []` forbids every other module.",
        why: "An allowlist states the intended dependencies outright, so a new dependency is a visible decision in `layergate.toml` instead of an accident in a pull request.",
        example: "```toml\n[[modules]]\nname = \"billing\"\npaths = [\"src/billing/**\"]\ndepends_on = [\"shared\"]\n```\n\n```ts\n// src/billing/invoice.ts\nimport { search } from \"../search/index\"; // depends-on\n```",
        fix: "Depend on an allowed module instead, or add the module to `depends_on` if the dependency is intended.",
    },
    RuleDoc {
        id: "visibility",
        summary: "A module imports a module whose `visible_to` list does not include it.",
        what: "`visible_to` is the inverse allowlist: only the listed modules (or files matching the listed globs) may import the module.",
        why: "Some modules are implementation details of one other module (a database layer inside infrastructure). `visible_to` keeps everyone else out without listing everyone else.",
        example: "```toml\n[[modules]]\nname = \"db\"\npaths = [\"src/infra/db/**\"]\nvisible_to = [\"infra\"]\n```\n\n```ts\n// src/app/page.ts\nimport { pool } from \"../infra/db/pool\"; // visibility\n```",
        fix: "Go through the module that owns it (here `infra`), or widen `visible_to`.",
    },
    RuleDoc {
        id: "external",
        summary: "A module uses a third-party package or crate that is not in its `external` allowlist.",
        what: "When a module has `external`, it may import only those npm packages or crates (`name`, `npm:name`, `crate:name`, `@scope/*`). `external = []` forbids every third-party package. Node builtins, `std`/`core`/`alloc` and the workspace's own packages are never third-party.",
        why: "Third-party code in the wrong layer (an HTTP client in the domain, a UI kit in the server) is the most common architecture leak, and the hardest to undo once it spreads.",
        example: "```toml\n[[modules]]\nname = \"domain\"\npaths = [\"src/domain/**\"]\nexternal = [\"zod\"]\n```\n\n```ts\n// src/domain/user.ts\nimport axios from \"axios\"; // external\n```",
        fix: "Move the code that needs the package to a module allowed to use it, or add the package to `external`.",
    },
    RuleDoc {
        id: "public-api",
        summary: "An import reaches into a module past its `public` entry points.",
        what: "When a module lists `public` files, imports from outside the module must target one of them. Importing any other file of the module is reported, and a fix rewrites the import to the public entry when that entry exports the imported names. Judged on the direct target.",
        why: "A module's public entry is its contract. Deep imports couple callers to internal file layout, so every refactoring inside the module breaks its users.",
        example: "```toml\n[[modules]]\nname = \"domain\"\npaths = [\"src/domain/**\"]\npublic = [\"src/domain/index.ts\"]\n```\n\n```ts\n// src/app/page.ts\nimport { User } from \"../domain/user/model\"; // public-api\n```",
        fix: "Import from the public entry (`../domain`), exporting the name there if it is missing.",
    },
    RuleDoc {
        id: "cycle",
        summary: "An import is part of a dependency cycle between modules.",
        what: "For each strongly connected component of the module graph (per group), every import between two different modules of that component is reported once, naming a shortest module cycle through it. The result does not depend on the order in which files were read or edited.",
        why: "Modules in a cycle cannot be understood, tested, built or deployed apart: they are one module with several names.",
        example: "```text\nsrc/a/x.ts imports src/b/y.ts, src/b/y.ts imports src/a/z.ts\n→ both imports: cycle `a` → `b` → `a`\n```",
        fix: "Break the cycle: move the shared piece into a third module both depend on, or invert one dependency with an interface.",
    },
    RuleDoc {
        id: "file-cycle",
        summary: "An import is part of a dependency cycle between files (off by default).",
        what: "Like `cycle`, on the file graph: every import between two files of one strongly connected component, naming a shortest file cycle. Enable with `[checks] file_cycles = \"warning\"`.",
        why: "File cycles make module initialisation order fragile (TDZ errors in ES modules) and hide tangled responsibilities.",
        example: "```text\nsrc/a.ts imports src/b.ts, src/b.ts imports src/a.ts\n```",
        fix: "Extract what both files need into a third file.",
    },
    RuleDoc {
        id: "unresolved",
        summary: "A relative or crate-local import resolves to no file, or a Rust `use` names an item its module does not have.",
        what: "A relative TS/JS import, a tsconfig `paths` or workspace-package import, or a Rust `mod x;` whose file does not exist. Package imports never count: they are external. Imports into excluded or ignored files still resolve.\n\nRust `use` items are also checked by item: in `use crate::shapes::Square;`, once the path has named its last module (`shapes`), the next segment must be a module or an item that module's file declares (`fn`, `struct`, `enum`, `union`, `trait`, `type`, `const`, `static`, `mod`, `macro_rules!`, `extern crate`, a proc-macro crate's derive names) or imports by name (`use`, `pub use`, a rename). The module's file counts with the files it `include!`s and its `#[cfg_attr(.., path)]` alternatives; at a crate root, a `#[macro_export]` macro defined anywhere in the crate counts too. A module whose file has a glob import (`use x::*;`), an item-level macro call (`bitflags! { .. }`) or a derive other than the plain ones (`Debug`, `Clone`, `Serialize`, ...; derive_builder's `Builder` generates `FooBuilder`) may hold any name, so it is never reported. Paths written in code are not checked by item (they may sit in items compiled out by `#[cfg]`), and neither are `use`s in files no crate root reaches (their module paths are guesses).",
        why: "An import layergate cannot follow is a dependency it cannot judge; it is usually a typo or a deleted file.",
        example: "```ts\nimport { x } from \"./does-not-exist\"; // unresolved\n```\n\n```rust\nuse crate::nothing::here; // unresolved: the crate root declares no `nothing`\n```",
        fix: "Fix the path, or create the file.",
    },
    RuleDoc {
        id: "unassigned",
        summary: "A file belongs to no module of the default group (off by default).",
        what: "Reported on the first line of every checked file that no module of the default group `modules` matches.",
        why: "Files in no module escape every module rule. Turning this on makes sure every new folder gets a place in the architecture.",
        example: "```toml\n[checks]\nunassigned = \"warning\"\n```",
        fix: "Add the file's folder to a module's `paths`, or exclude it in `[workspace] exclude`.",
    },
    RuleDoc {
        id: "suppression",
        summary: "A suppression or `[[allow]]` entry is unused, expired, unexplained or names an unknown rule.",
        what: "Reported on the `layergate-ignore` comment itself (at most one per comment): one that silences nothing, one whose `until` date has passed (the violation is reported again), one naming an unknown rule, and one without a reason after `:`. An `[[allow]]` entry that silences nothing is reported on its line in layergate.toml.",
        why: "Stale exceptions hide the next real violation on the same line and make the config lie about the architecture.",
        example: "```ts\nimport { db } from \"../infra/db\"; // layergate-ignore layers: legacy, see #123\n```",
        fix: "Remove the unused suppression (a code action does it), give it a reason, or fix the rule id.",
    },
    RuleDoc {
        id: "config",
        summary: "A problem in layergate.toml or in a manifest layergate reads.",
        what: "Errors (malformed TOML, unknown keys, unknown module names, queries that do not compile) stop `check` with exit status 2 and, in the editor, keep the last valid config in force. Warnings (a glob that matches no file, a malformed tsconfig.json, package.json or Cargo.toml) are reported at their place.",
        why: "A rule that matches nothing silently checks nothing.",
        example: "```toml\n[[modules]]\nname = \"domain\"\npaths = [\"src/domian/**\"] # config: matches no file\n```",
        fix: "Correct the glob or key; the message suggests the closest valid name.",
    },
    RuleDoc {
        id: "skipped",
        summary: "A file could not be analysed (binary, over the size limit, unreadable, not UTF-8).",
        what: "One info diagnostic on the file's first line. Files over 2 MiB are skipped without being read.",
        why: "layergate says what it did not check rather than pretending the file is clean.",
        example: "```text\nsrc/vendor/bundle.min.js: 20.1 MB is over the size limit of 2 MB\n```",
        fix: "Exclude generated or vendored files in `[workspace] exclude`, or fix the encoding.",
    },
    RuleDoc {
        id: "policy",
        summary: "A change weakens the policy: a rule removed or loosened, a suppression added, the baseline grown (`check --diff` only).",
        what: "Reported by `layergate check --diff [REF]` only, comparing the work tree with the base REF (default: the merge base of HEAD with the default branch). Three kinds of change are reported as errors: a rule removed or loosened in `layergate.toml` (or an `[[allow]]` added): the base's config is evaluated on the current code, and each violation it reports that the current config no longer reports, or reports at a lower severity, is reported where it happens; a `layergate-ignore` comment added on a changed line (moving or re-wording an existing one is no change); and a baseline entry that is new or whose count grew, on its line in the baseline file. If the base's `layergate.toml` does not parse, that is a warning and rule changes are not compared. Suppressions, `[[allow]]` entries and the baseline never silence these diagnostics: the change being judged cannot approve itself.",
        why: "Architecture erodes one exception at a time. Loosening a rule, suppressing a violation or recording it in the baseline are sometimes right, but they are decisions about the architecture and belong in review, not buried in a diff that \"only fixes the build\". A change that only fixes violations reports nothing.",
        example: "```diff\n [[deny]]\n id = \"domain-is-pure\"\n from = [\"domain\"]\n-to = [\"infra\", \"npm:axios\"]\n+to = [\"infra\"]\n```\n\n```text\nsrc/domain/user.ts:1:1: error[policy]: let through by the change to layergate.toml since main (`domain-is-pure` no longer reports it): ...\n```",
        fix: "Fix the violations instead of loosening the rule, suppressing them or recording them in the baseline. When the weakening is intended, it is a decision for review: the `policy` error names what changed and what it lets through, so approvers see it; once the change is merged, `--diff` runs against a base that contains it no longer report it.",
    },
];

/// The page for user-defined rules.
pub const USER_RULES_PAGE: &str = "# User rules: `[[deny]]`, `[[boundary]]`, `[[pattern]]`\n\nDiagnostics of rules you define carry the rule's own `id` as their code and its `message`.\n\n- `[[deny]]`: imports from `from` (modules or globs) to `to` (modules, globs, `npm:`/`crate:` packages, Rust paths) are forbidden; `transitive = true` also forbids reaching a target through a chain of imports, naming the shortest chain.\n- `[[boundary]]`: the listed APIs (`node:child_process`, `npm:execa`, `global:process.env`, `std::process::Command`, `rust:unsafe` ...) may be used only in `allow_in`.\n- `[[pattern]]`: any tree-sitter query; a match of its capture outside `allow_in` is a violation.\n\nSee the README's configuration tutorial for examples.\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_rule_is_documented() {
        for id in BUILTIN_RULES {
            assert!(RULES.iter().any(|r| r.id == *id), "no docs for {id}");
        }
        assert_eq!(RULES.len(), BUILTIN_RULES.len());
    }

    /// The pages under docs/rules are generated from this table: regenerate
    /// with `UPDATE_DOCS=1 cargo test -p layergate-rules docs`.
    #[test]
    fn rule_pages_are_current() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/rules");
        let mut pages: Vec<(String, String)> = RULES
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
