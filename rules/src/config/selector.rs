//! API selectors (`npm:x`, `node:fs`, `crate:x`, `std::env::var`, `global:eval`,
//! `rust:unsafe`, `py:subprocess`) and package patterns of `external` lists.

/// Whether a rule-list entry is an API selector rather than a module or glob.
pub(crate) fn looks_like_api(s: &str) -> bool {
    ["npm:", "node:", "crate:", "global:", "rust:", "py:"]
        .iter()
        .any(|p| s.starts_with(p))
        || s.contains("::")
}

/// A third-party package name or scope: `zod`, `@tanstack/*`, `serde`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackagePattern {
    /// Without prefix; crate names with `-` as `_`.
    pub name: String,
    /// `@scope/*` or `name/*`: any package under the prefix.
    pub prefix: bool,
}

impl PackagePattern {
    pub fn parse(s: &str) -> Result<PackagePattern, String> {
        let body = s
            .strip_prefix("npm:")
            .or_else(|| s.strip_prefix("crate:"))
            .unwrap_or(s);
        if body.is_empty() {
            return Err(format!("empty package name in `{s}`"));
        }
        let (name, prefix) = match body.strip_suffix("/*") {
            Some(scope) => (format!("{scope}/"), true),
            None => (body.to_string(), false),
        };
        if name.contains('*') {
            return Err(format!(
                "`{s}`: only a trailing `/*` (a whole scope) is allowed in package names"
            ));
        }
        Ok(PackagePattern { name, prefix })
    }

    /// Whether the package (npm name or crate key) matches.
    pub fn matches(&self, package: &str) -> bool {
        if self.prefix {
            package.starts_with(&self.name)
        } else {
            package == self.name || package.replace('-', "_") == self.name.replace('-', "_")
        }
    }
}

/// What an API selector matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiKind {
    Npm(PackagePattern),
    /// Builtin name without `node:`.
    Node(String),
    /// Crate name with `_`.
    Crate(String),
    RustPath(Vec<String>),
    Global(Vec<String>),
    RustUnsafe,
    /// A Python module, package or name by its dotted path (`subprocess`,
    /// `os.system`, `pickle.loads`, `eval`).
    Python(Vec<String>),
}

/// A parsed selector and the text it was written as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiSelector {
    pub text: String,
    pub kind: ApiKind,
}

impl ApiSelector {
    pub fn parse(s: &str) -> Result<ApiSelector, String> {
        let kind = if let Some(n) = s.strip_prefix("npm:") {
            ApiKind::Npm(PackagePattern::parse(n)?)
        } else if let Some(n) = s.strip_prefix("node:") {
            if n.is_empty() {
                return Err(format!("`{s}`: missing builtin module name"));
            }
            ApiKind::Node(n.to_string())
        } else if let Some(n) = s.strip_prefix("crate:") {
            if n.is_empty() || n.contains("::") {
                return Err(format!(
                    "`{s}`: expected a crate name (write paths without `crate:`)"
                ));
            }
            ApiKind::Crate(n.replace('-', "_"))
        } else if let Some(g) = s.strip_prefix("global:") {
            // `global:window.fetch` is `global:fetch`, as uses are
            let g = crate::facts::strip_global_object(g);
            let parts: Vec<String> = g.split('.').map(str::to_string).collect();
            if parts.iter().any(|p| p.is_empty()) {
                return Err(format!(
                    "`{s}`: expected a dotted global such as `global:process.env`"
                ));
            }
            ApiKind::Global(parts)
        } else if let Some(p) = s.strip_prefix("py:") {
            let parts: Vec<String> = p.split('.').map(str::to_string).collect();
            let identifier = |x: &String| {
                !x.is_empty()
                    && !x.starts_with(|c: char| c.is_ascii_digit())
                    && x.chars().all(|c| c.is_alphanumeric() || c == '_')
            };
            if !parts.iter().all(identifier) {
                return Err(format!(
                    "`{s}`: expected a dotted Python name (`py:subprocess`, `py:os.system`, `py:eval`)"
                ));
            }
            ApiKind::Python(parts)
        } else if s == "rust:unsafe" {
            ApiKind::RustUnsafe
        } else if let Some(other) = s.strip_prefix("rust:") {
            return Err(format!(
                "unknown selector `rust:{other}`: the only `rust:` selector is `rust:unsafe`"
            ));
        } else if s.contains("::") {
            let parts: Vec<String> = s
                .trim_start_matches("::")
                .split("::")
                .map(str::to_string)
                .collect();
            if parts.iter().any(|p| p.is_empty()) {
                return Err(format!("`{s}`: empty segment in Rust path"));
            }
            ApiKind::RustPath(parts)
        } else {
            return Err(format!("`{s}` is not an API selector (npm:, node:, crate:, global:, py:, rust:unsafe or a Rust path a::b)"));
        };
        Ok(ApiSelector {
            text: s.to_string(),
            kind,
        })
    }
}

/// Whether the path `path` (segments) is `prefix` or below it. Takes the
/// segments as an iterator, so a caller can split a path without collecting
/// it (API uses are matched per use and selector).
pub(crate) fn path_under<'a>(path: impl IntoIterator<Item = &'a str>, prefix: &[String]) -> bool {
    let mut segs = path.into_iter();
    prefix.iter().all(|p| segs.next() == Some(p.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_selectors() {
        assert_eq!(
            ApiSelector::parse("npm:execa").unwrap().kind,
            ApiKind::Npm(PackagePattern {
                name: "execa".into(),
                prefix: false
            })
        );
        assert_eq!(
            ApiSelector::parse("npm:@aws-sdk/*").unwrap().kind,
            ApiKind::Npm(PackagePattern {
                name: "@aws-sdk/".into(),
                prefix: true
            })
        );
        assert_eq!(
            ApiSelector::parse("node:child_process").unwrap().kind,
            ApiKind::Node("child_process".into())
        );
        assert_eq!(
            ApiSelector::parse("crate:tokio-util").unwrap().kind,
            ApiKind::Crate("tokio_util".into())
        );
        assert_eq!(
            ApiSelector::parse("std::env::var").unwrap().kind,
            ApiKind::RustPath(vec!["std".into(), "env".into(), "var".into()])
        );
        assert_eq!(
            ApiSelector::parse("global:process.env").unwrap().kind,
            ApiKind::Global(vec!["process".into(), "env".into()])
        );
        assert_eq!(
            ApiSelector::parse("rust:unsafe").unwrap().kind,
            ApiKind::RustUnsafe
        );
        assert!(ApiSelector::parse("rust:ffi").is_err());
        assert!(ApiSelector::parse("global:a..b").is_err());
        assert!(ApiSelector::parse("zod").is_err());
        assert_eq!(
            ApiSelector::parse("py:os.system").unwrap().kind,
            ApiKind::Python(vec!["os".into(), "system".into()])
        );
        assert_eq!(
            ApiSelector::parse("py:eval").unwrap().kind,
            ApiKind::Python(vec!["eval".into()])
        );
        for bad in ["py:", "py:os..system", "py:os.", "py:1abc", "py:a-b"] {
            assert!(ApiSelector::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn package_patterns() {
        let p = PackagePattern::parse("npm:@tanstack/*").unwrap();
        assert!(p.matches("@tanstack/query"));
        assert!(!p.matches("@tanstack"));
        assert!(!p.matches("react"));
        let c = PackagePattern::parse("crate:serde-json").unwrap();
        assert!(c.matches("serde_json"));
        assert!(PackagePattern::parse("a*b").is_err());
    }

    #[test]
    fn path_prefixes() {
        let sel = vec!["std".to_string(), "env".to_string()];
        assert!(path_under(["std", "env", "var"], &sel));
        assert!(path_under(["std", "env"], &sel));
        assert!(!path_under(["std"], &sel));
        assert!(!path_under(["std", "envx"], &sel));
        assert!(path_under("std::env::var".split("::"), &sel));
        assert!(path_under([], &[]));
    }
}
