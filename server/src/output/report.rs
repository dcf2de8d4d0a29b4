//! What the formats render: the [`Report`] of a check and rule metadata.

use rules::Diagnostic;
use rules::Severity;

/// Everything `layergate check` reports, as the formats see it.
pub struct Report<'a> {
    pub diagnostics: &'a [Diagnostic],
    /// Files checked.
    pub files: usize,
    pub elapsed_ms: u64,
    /// Baseline entries no longer matched (fixed).
    pub stale_baseline: usize,
    pub baseline_in_use: bool,
}

/// Metadata of a rule, for SARIF `tool.driver.rules` and human hints.
pub struct RuleMeta {
    pub id: String,
    pub description: String,
    pub help_uri: String,
}

/// Counts of the diagnostics by what they mean for the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Non-baselined errors: these fail the run.
    pub errors: usize,
    /// Non-baselined warnings.
    pub warnings: usize,
    /// Non-baselined info and hint diagnostics.
    pub infos: usize,
    /// Baselined diagnostics, whatever their severity.
    pub baselined: usize,
}

impl Report<'_> {
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for d in self.diagnostics {
            if d.baselined {
                c.baselined += 1;
                continue;
            }
            match d.severity {
                Severity::Error => c.errors += 1,
                Severity::Warning => c.warnings += 1,
                Severity::Info | Severity::Hint => c.infos += 1,
                Severity::Off => {}
            }
        }
        c
    }
}

/// Hand-built diagnostics shared by the format tests: an error with a fix, a
/// baselined one, a warning after tabs and non-ASCII text, a multi-line info
/// range, and an info in a file without source.
#[cfg(test)]
pub(crate) mod fixture {
    use rules::Severity;
    use rules::Span;
    use rules::{Diagnostic, Edit, Fix, Range};

    pub const USER_TS: &str =
        "import { db } from \"../infra/db\";\nimport { api } from \"../app/api\";\n";
    pub const WIDGET_TS: &str = "// ünïcödé\n\tconst s = \"日本é\";\tfetch(url);\r\n";
    pub const MOD_RS: &str = "use crate::{\n    infra::db,\n};\n";

    pub fn source(file: &str) -> Option<String> {
        match file {
            "src/domain/user.ts" => Some(USER_TS.to_string()),
            "src/ui/widget.ts" => Some(WIDGET_TS.to_string()),
            "src/app/mod.rs" => Some(MOD_RS.to_string()),
            _ => None,
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub fn diag(
        file: &str,
        range: (u32, u32, u32, u32),
        severity: Severity,
        rule: &str,
        message: &str,
        modules: (Option<&str>, Option<&str>),
        target: Option<&str>,
        baselined: bool,
    ) -> Diagnostic {
        Diagnostic {
            file: file.to_string(),
            range: Range {
                line: range.0,
                column: range.1,
                end_line: range.2,
                end_column: range.3,
            },
            span: Span::default(),
            severity,
            rule: rules::rule::RuleId::parse(rule),
            message: message.to_string(),
            from_module: modules.0.map(str::to_string),
            to_module: modules.1.map(str::to_string),
            target: target.map(str::to_string),
            baselined,
            fixes: Vec::new(),
            related: None,
            unnecessary: false,
        }
    }

    pub fn diagnostics() -> Vec<Diagnostic> {
        let skipped = diag(
            "assets/logo.ts",
            (1, 1, 1, 1),
            Severity::Info,
            "skipped",
            "assets/logo.ts was not analysed: it is not UTF-8",
            (None, None),
            None,
            false,
        );
        let multi = diag(
            "src/app/mod.rs",
            (1, 5, 3, 2),
            Severity::Info,
            "depends-on",
            "src/app/mod.rs in module `app` imports src/infra/db.rs in module `infra`, which `app` does not list in depends_on",
            (Some("app"), Some("infra")),
            Some("src/infra/db.rs"),
            false,
        );
        let mut error = diag(
            "src/domain/user.ts",
            (1, 20, 1, 33),
            Severity::Error,
            "layers",
            "src/domain/user.ts in module `domain` imports src/infra/db.ts in module `infra`: the domain layer may not depend on infrastructure",
            (Some("domain"), Some("infra")),
            Some("src/infra/db.ts"),
            false,
        );
        error.fixes.push(Fix {
            title: "Import `infra` through its public entry `src/infra/index.ts`".to_string(),
            edits: vec![Edit {
                file: "src/domain/user.ts".to_string(),
                range: Range {
                    line: 1,
                    column: 20,
                    end_line: 1,
                    end_column: 33,
                },
                span: Span::default(),
                new_text: "\"../infra\"".to_string(),
            }],
        });
        let baselined = diag(
            "src/domain/user.ts",
            (2, 21, 2, 33),
            Severity::Hint,
            "layers",
            "src/domain/user.ts in module `domain` imports src/app/api.ts in module `app`, a higher layer",
            (Some("domain"), Some("app")),
            Some("src/app/api.ts"),
            true,
        );
        let warning = diag(
            "src/ui/widget.ts",
            (2, 19, 2, 24),
            Severity::Warning,
            "no-fetch",
            "`fetch` may be used only in module `http`: use the api client",
            (Some("ui"), None),
            Some("fetch"),
            false,
        );
        vec![skipped, multi, error, baselined, warning]
    }

    pub fn report(diagnostics: &[Diagnostic]) -> super::Report<'_> {
        super::Report {
            diagnostics,
            files: 120,
            elapsed_ms: 14,
            stale_baseline: 2,
            baseline_in_use: true,
        }
    }
}
