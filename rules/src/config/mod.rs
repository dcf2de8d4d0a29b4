//! `layergate.toml`: parsed into the serde shape of [`raw`], then validated and
//! compiled into [`Config`] (globs compiled, names resolved to indices, queries
//! compiled per grammar). Every problem carries the TOML span it is about.

pub(crate) mod raw;
pub(crate) mod selector;

use std::ops::Range;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobBuilder, GlobMatcher, GlobSet, GlobSetBuilder};
use regex::Regex;

pub use raw::json_schema_text;
pub use selector::{ApiKind, ApiSelector, PackagePattern};

use crate::facts::Span;
use crate::lang::{Lang, Language};
use crate::text::LineIndex;
use raw::{LayerEntry, RawConfig, RawLayers, S};

/// The name of the config file.
pub const CONFIG_FILE: &str = "layergate.toml";

use crate::rule::Builtin;
pub use crate::rule::BUILTIN_RULES;
pub use crate::severity::Severity;

/// A problem in `layergate.toml`: an error makes the config unusable, a warning
/// does not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    pub severity: Severity,
    pub message: String,
    pub span: Span,
}

/// A glob of workspace files, with the text and span it was written with.
#[derive(Debug, Clone)]
pub struct PathGlob {
    pub text: String,
    pub matcher: GlobMatcher,
    pub span: Span,
}

/// A reference to modules in a rule list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModRef {
    /// Every instance of the module definition (all instances of a template).
    Def(usize),
    /// One instance of a template definition (`feature-billing`).
    Instance(usize, String),
}

impl ModRef {
    /// The module definition referred to.
    pub fn def(&self) -> usize {
        match self {
            ModRef::Def(d) | ModRef::Instance(d, _) => *d,
        }
    }
}

/// A module or a glob of files, as written in `from`, `allow_in`,
/// `depends_on`, `visible_to`.
#[derive(Debug, Clone)]
pub enum FileTarget {
    Module(ModRef),
    Glob(PathGlob),
}

/// A target in `[[deny]] to` / `[[allow]] to`: files, modules or APIs.
#[derive(Debug, Clone)]
pub enum Target {
    Files(FileTarget),
    Api(ApiSelector),
}

/// A `[[modules]]` entry.
#[derive(Debug, Clone)]
pub struct ModuleDef {
    pub name: String,
    pub group: usize,
    /// Matched for every module at once through [`Config::module_globs`].
    pub paths: Vec<PathGlob>,
    /// For template modules (`feature-{1}`): one regex per `paths` entry whose
    /// first group captures the text of the first `*`.
    pub template: Option<Vec<Regex>>,
    pub depends_on: Option<Vec<FileTarget>>,
    pub external: Option<Vec<PackagePattern>>,
    pub public: Option<Vec<PathGlob>>,
    pub visible_to: Option<Vec<FileTarget>>,
    pub utility: bool,
    pub description: Option<String>,
    pub span: Span,
}

impl ModuleDef {
    /// The instance name for a template capture.
    pub fn instance_name(&self, capture: &str) -> String {
        self.name.replace("{1}", capture)
    }
}

/// Every module's `paths` in one set, so assigning a file to its modules is
/// one match rather than one per module (a config with a module per crate
/// of a large dependency tree has hundreds).
#[derive(Debug, Clone, Default)]
pub struct ModuleGlobs {
    pub set: GlobSet,
    /// The module (index in `Config::modules`) of each glob of `set`.
    pub owner: Vec<usize>,
}

impl ModuleGlobs {
    fn new(modules: &[ModuleDef]) -> ModuleGlobs {
        let mut b = GlobSetBuilder::new();
        let mut owner = Vec::new();
        for (i, m) in modules.iter().enumerate() {
            for g in &m.paths {
                if let Ok(glob) = build_glob(&g.text) {
                    b.add(glob);
                    owner.push(i);
                }
            }
        }
        ModuleGlobs {
            set: b.build().unwrap_or_else(|_| GlobSet::empty()),
            owner,
        }
    }

    /// The modules whose `paths` match `rel`, in config order.
    pub fn matching(&self, rel: &str) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .set
            .matches(rel)
            .into_iter()
            .map(|g| self.owner[g])
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// The first field (`name:`) of a tree-sitter query whose pattern starts
/// with a predicate, looking through opening brackets (`field: (#eq? ...)`,
/// `field: [(#match? ...)]`).
/// tree-sitter 0.27 fails a C assertion and aborts on such a field when the
/// predicate's captures exist, so these queries are refused before they are
/// compiled. This also refuses a few shapes tree-sitter would accept, such as
/// `field: [(#eq? @a "x") (identifier)]`, where a predicate is an
/// alternative of its own.
pub fn predicate_after_field(query: &str) -> Option<String> {
    let b = query.as_bytes();
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    // skips whitespace and `;` comments from `i`
    let skip_blank = |mut i: usize| loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i < b.len() && b[i] == b';' {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else {
            return i;
        }
    };
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b';' => i = skip_blank(i),
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            // captures and predicate names are not fields
            b'@' | b'#' => {
                i += 1;
                while i < b.len() && (ident(b[i]) || matches!(b[i], b'.' | b'-' | b'?' | b'!')) {
                    i += 1;
                }
            }
            c if ident(c) => {
                let start = i;
                while i < b.len() && (ident(b[i]) || b[i] == b'-') {
                    i += 1;
                }
                let after = skip_blank(i);
                if b.get(after) != Some(&b':') {
                    continue;
                }
                let mut j = skip_blank(after + 1);
                while j < b.len() && matches!(b[j], b'(' | b'[') {
                    j = skip_blank(j + 1);
                }
                if b.get(j) == Some(&b'#') {
                    return Some(query[start..i].to_string());
                }
                i = after + 1;
            }
            _ => i += 1,
        }
    }
    None
}

/// One stack of layers.
#[derive(Debug, Clone)]
pub struct LayerStack {
    /// Top to bottom; each level holds one or more modules.
    pub levels: Vec<Vec<ModRef>>,
    pub siblings_allow: bool,
    pub strict: bool,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct DenyRule {
    pub id: String,
    pub from: Vec<FileTarget>,
    pub to: Vec<Target>,
    pub message: Option<String>,
    pub severity: Severity,
    pub exclude: Vec<PathGlob>,
    pub transitive: bool,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct BoundaryRule {
    pub id: String,
    pub apis: Vec<ApiSelector>,
    pub allow_in: Vec<FileTarget>,
    pub message: Option<String>,
    pub severity: Severity,
    pub span: Span,
}

/// A `[[pattern]]` rule: its query compiled for each grammar of its language.
#[derive(Debug)]
pub struct PatternRule {
    pub id: String,
    /// The query text as written (cache keys).
    pub source: String,
    /// (grammar, query, index of the reported capture).
    pub queries: Vec<(Lang, tree_sitter::Query, u32)>,
    pub allow_in: Vec<FileTarget>,
    pub message: Option<String>,
    pub severity: Severity,
    pub span: Span,
}

impl PatternRule {
    /// The language its query is written in.
    pub fn language(&self) -> Option<Language> {
        self.queries.first().map(|(l, _, _)| l.language())
    }
}

#[derive(Debug, Clone)]
pub struct AllowRule {
    pub from: Vec<FileTarget>,
    pub to: Vec<Target>,
    /// `None`: every rule.
    pub rules: Option<Vec<String>>,
    pub reason: Option<String>,
    pub span: Span,
}

/// `[checks]`: a severity per built-in rule (its registry default unless
/// set), and the options of the import graph.
#[derive(Debug, Clone)]
pub struct Checks {
    severities: [Severity; Builtin::ALL.len()],
    /// `type_only_imports = "count"`.
    pub type_only_count: bool,
    /// `cycle_type_only_imports = "count"`.
    pub cycle_type_only_count: bool,
    /// `reexports = "follow"`.
    pub reexports_follow: bool,
}

impl Default for Checks {
    fn default() -> Self {
        let mut severities = [Severity::Off; Builtin::ALL.len()];
        for b in Builtin::ALL {
            severities[*b as usize] = b.default_severity();
        }
        Checks {
            severities,
            type_only_count: true,
            cycle_type_only_count: false,
            reexports_follow: true,
        }
    }
}

impl Checks {
    /// The severity of a built-in rule.
    pub fn get(&self, rule: Builtin) -> Severity {
        self.severities[rule as usize]
    }

    pub fn set(&mut self, rule: Builtin, severity: Severity) {
        self.severities[rule as usize] = severity;
    }

    /// The severity of a built-in rule by id. An id that names no built-in
    /// rule is off here: a user rule carries its own severity.
    pub fn severity_of(&self, rule: &str) -> Severity {
        Builtin::from_id(rule).map_or(Severity::Off, |b| self.get(b))
    }
}

/// A validated, compiled `layergate.toml`.
#[derive(Debug)]
pub struct Config {
    /// The directory holding `layergate.toml`.
    pub root: PathBuf,
    /// The config file itself.
    pub path: PathBuf,
    pub text: String,
    pub include: Option<Vec<PathGlob>>,
    pub include_set: Option<GlobSet>,
    pub exclude: Vec<PathGlob>,
    pub exclude_set: GlobSet,
    pub baseline: Option<String>,
    pub tsconfig: Option<String>,
    /// `[workspace] python_roots` as written (relative to the root), when set.
    pub python_roots: Option<Vec<String>>,
    /// `[workspace] tests`, or the default test globs.
    pub tests_set: GlobSet,
    /// Group names; index 0 is the default group `modules`.
    pub groups: Vec<String>,
    pub modules: Vec<ModuleDef>,
    /// All of `modules`' `paths`, for [`crate::analysis`]'s assignment.
    pub module_globs: ModuleGlobs,
    pub layers: Vec<LayerStack>,
    pub deny: Vec<DenyRule>,
    pub boundaries: Vec<BoundaryRule>,
    pub patterns: Vec<PatternRule>,
    pub allows: Vec<AllowRule>,
    pub checks: Checks,
    /// Span of the `[checks]` table or the file start, for related info.
    pub checks_span: Span,
    /// Warnings found while loading (the config is still usable).
    pub warnings: Vec<ConfigProblem>,
    /// Read TS/JS files with the import scanner when their facts allow it
    /// ([`crate::languages::ts::scan`]); `false` parses every file with
    /// tree-sitter (`--no-scan`, differential tests). Not a config key.
    pub scan: bool,
    /// `[hooks] suppressions = "with-reason"`: the agents' hooks let an
    /// added suppression through when it gives a real reason.
    pub hook_suppressions_with_reason: bool,
}

impl Config {
    /// Loads and validates `path`. `Err` holds at least one error-severity problem.
    pub fn load(path: &Path) -> Result<Config, Vec<ConfigProblem>> {
        let text = Config::read_text(path).map_err(|e| {
            vec![ConfigProblem {
                severity: Severity::Error,
                message: format!("cannot read {}: {e}", path.display()),
                span: Span::default(),
            }]
        })?;
        Config::parse(path, &text)
    }

    /// The text of a `layergate.toml`: a regular file (a FIFO in its place
    /// must not block) of at most [`crate::disk::MAX_MANIFEST_SIZE`].
    pub fn read_text(path: &Path) -> Result<String, crate::disk::ReadError> {
        crate::disk::read_regular_string(path, crate::disk::MAX_MANIFEST_SIZE)
    }

    /// Parses and validates the text of `path` (which need not exist on disk).
    pub fn parse(path: &Path, text: &str) -> Result<Config, Vec<ConfigProblem>> {
        let index = LineIndex::new(text);
        let raw: RawConfig = match toml::from_str(text) {
            Ok(r) => r,
            Err(e) => {
                let span = e.span().map(|r| index.span(r)).unwrap_or_default();
                return Err(vec![ConfigProblem {
                    severity: Severity::Error,
                    message: improve_serde_message(e.message()),
                    span,
                }]);
            }
        };
        let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut b = Builder {
            by_name: Default::default(),
            templates: Vec::new(),
            index: &index,
            problems: Vec::new(),
        };
        let config = b.build(raw, root, path.to_path_buf(), text.to_string());
        if b.problems.iter().any(|p| p.severity == Severity::Error) {
            b.problems.sort_by_key(|p| p.span.start);
            return Err(b.problems);
        }
        let mut config = config;
        config.warnings = b.problems;
        Ok(config)
    }

    /// A module definition's index by name.
    pub fn module_index(&self, name: &str) -> Option<usize> {
        self.modules.iter().position(|m| m.name == name)
    }

    /// Whether `rel` (workspace-relative) is an included, non-excluded file.
    pub fn is_included(&self, rel: &str) -> bool {
        if self.exclude_set.is_match(rel) {
            return false;
        }
        self.include_set.as_ref().is_none_or(|s| s.is_match(rel))
    }

    /// Whether `rel` is a test file (`[workspace] tests`).
    pub fn is_test(&self, rel: &str) -> bool {
        self.tests_set.is_match(rel)
    }

    /// Whether a rule id (built-in or user-defined) exists.
    pub fn rule_exists(&self, id: &str) -> bool {
        BUILTIN_RULES.contains(&id) || self.user_rule_ids().any(|r| r == id)
    }

    /// Ids of `[[deny]]`, `[[boundary]]` and `[[pattern]]` rules.
    pub fn user_rule_ids(&self) -> impl Iterator<Item = &str> {
        self.deny
            .iter()
            .map(|r| r.id.as_str())
            .chain(self.boundaries.iter().map(|r| r.id.as_str()))
            .chain(self.patterns.iter().map(|r| r.id.as_str()))
    }

    /// Every rule id that exists, for "did you mean".
    pub fn all_rule_ids(&self) -> Vec<&str> {
        BUILTIN_RULES
            .iter()
            .copied()
            .chain(self.user_rule_ids())
            .collect()
    }

    /// The span of the definition of a rule, for related information.
    pub fn rule_span(&self, id: &str) -> Span {
        self.deny
            .iter()
            .find(|r| r.id == id)
            .map(|r| r.span)
            .or_else(|| self.boundaries.iter().find(|r| r.id == id).map(|r| r.span))
            .or_else(|| self.patterns.iter().find(|r| r.id == id).map(|r| r.span))
            .unwrap_or(self.checks_span)
    }

    /// The user message of a rule, if it has one.
    pub fn rule_message(&self, id: &str) -> Option<&str> {
        self.deny
            .iter()
            .find(|r| r.id == id)
            .and_then(|r| r.message.as_deref())
            .or_else(|| {
                self.boundaries
                    .iter()
                    .find(|r| r.id == id)
                    .and_then(|r| r.message.as_deref())
            })
            .or_else(|| {
                self.patterns
                    .iter()
                    .find(|r| r.id == id)
                    .and_then(|r| r.message.as_deref())
            })
    }
}

/// serde's "unknown field `x`, expected one of `a`, `b`" gains a "did you mean".
fn improve_serde_message(msg: &str) -> String {
    let msg = msg.trim_end();
    let Some(rest) = msg.strip_prefix("unknown field `") else {
        return msg.to_string();
    };
    let Some((field, expected)) = rest.split_once('`') else {
        return msg.to_string();
    };
    let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    match did_you_mean(field, candidates.iter().copied()) {
        Some(s) => format!("{msg}; did you mean `{s}`?"),
        None => msg.to_string(),
    }
}

/// The closest candidate to `word`, if any is close enough.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Builds a workspace glob (`literal_separator(true)`: `*` never crosses `/`).
pub fn build_glob(text: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(text)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
}

/// The test files when `[workspace] tests` is not set.
pub const DEFAULT_TESTS: &[&str] = &[
    "**/*.test.*",
    "**/*.spec.*",
    "**/__tests__/**",
    "**/test/**",
    "**/tests/**",
    "**/benches/**/*.rs",
    "**/examples/**/*.rs",
];

fn default_tests() -> GlobSet {
    let mut b = GlobSetBuilder::new();
    for g in DEFAULT_TESTS {
        if let Ok(glob) = build_glob(g) {
            b.add(glob);
        }
    }
    b.build().unwrap_or_else(|_| GlobSet::empty())
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.replace("{1}", "")
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

fn is_rule_id(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-' || c == '.'
        })
}

/// A glob → regex capturing the text of the first `*` (template modules).
fn template_regex(glob: &str) -> Option<Regex> {
    let mut re = String::from("^");
    let mut chars = glob.chars().peekable();
    let mut captured = false;
    let mut in_alt = false;
    while let Some(c) = chars.next() {
        match c {
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
                if chars.peek() == Some(&'/') {
                    chars.next();
                    re.push_str("(?:.*/)?");
                } else {
                    re.push_str(".*");
                }
            }
            '*' => {
                if captured {
                    re.push_str("[^/]*");
                } else {
                    captured = true;
                    re.push_str("([^/]+)");
                }
            }
            '?' => re.push_str("[^/]"),
            '{' => {
                in_alt = true;
                re.push_str("(?:");
            }
            '}' if in_alt => {
                in_alt = false;
                re.push(')');
            }
            ',' if in_alt => re.push('|'),
            '[' => {
                re.push('[');
                for c in chars.by_ref() {
                    if c == ']' {
                        break;
                    }
                    if c == '!' {
                        re.push('^');
                    } else {
                        re.push(c);
                    }
                }
                re.push(']');
            }
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    if !captured {
        return None;
    }
    Regex::new(&re).ok()
}

struct Builder<'a> {
    index: &'a LineIndex,
    problems: Vec<ConfigProblem>,
    /// Module name → its first index (lookups stay linear in the config:
    /// 100,000 modules used to take minutes).
    by_name: std::collections::HashMap<String, usize>,
    /// The indices of template modules (`feature-{1}`).
    templates: Vec<usize>,
}

impl Builder<'_> {
    fn span(&self, r: Range<usize>) -> Span {
        self.index.span(r)
    }

    fn error(&mut self, span: Range<usize>, message: impl Into<String>) {
        let span = self.span(span);
        self.problems.push(ConfigProblem {
            severity: Severity::Error,
            message: message.into(),
            span,
        });
    }

    fn severity(&mut self, s: Option<&S<String>>, default: Severity) -> Severity {
        let Some(s) = s else { return default };
        match Severity::parse(s.get_ref()) {
            Some(sev) => sev,
            None => {
                let hint = did_you_mean(s.get_ref(), ["error", "warning", "info", "hint", "off"])
                    .map(|h| format!("; did you mean `{h}`?"))
                    .unwrap_or_default();
                self.error(
                    s.span(),
                    format!(
                        "unknown severity `{}`: expected error, warning, info, hint or off{hint}",
                        s.get_ref()
                    ),
                );
                default
            }
        }
    }

    fn glob(&mut self, s: &S<String>) -> Option<PathGlob> {
        let text = s.get_ref();
        if text.starts_with('/')
            || text.split('/').any(|seg| seg == "..")
            || text.contains('\\') && text.contains(":\\")
        {
            self.error(
                s.span(),
                format!("glob `{text}` leaves the workspace: paths are relative to the directory of layergate.toml and may not contain `..` or start with `/`"),
            );
            return None;
        }
        let text = text.strip_prefix("./").unwrap_or(text);
        match build_glob(text) {
            Ok(g) => Some(PathGlob {
                text: text.to_string(),
                matcher: g.compile_matcher(),
                span: self.span(s.span()),
            }),
            Err(e) => {
                self.error(s.span(), format!("invalid glob `{text}`: {}", e.kind()));
                None
            }
        }
    }

    fn globs(&mut self, list: &[S<String>]) -> Vec<PathGlob> {
        list.iter().filter_map(|s| self.glob(s)).collect()
    }

    fn glob_set(&mut self, globs: &[PathGlob]) -> GlobSet {
        let mut b = GlobSetBuilder::new();
        for g in globs {
            if let Ok(glob) = build_glob(&g.text) {
                b.add(glob);
            }
        }
        b.build().unwrap_or_else(|_| GlobSet::empty())
    }

    fn mod_ref(&mut self, modules: &[(String, Range<usize>)], s: &S<String>) -> Option<ModRef> {
        let name = s.get_ref();
        if let Some(&i) = self.by_name.get(name.as_str()) {
            return Some(ModRef::Def(i));
        }
        // an instance of a template: `feature-billing` for `feature-{1}`
        for &i in &self.templates {
            let n = &modules[i].0;
            if let Some((pre, post)) = n.split_once("{1}") {
                if name.len() > pre.len() + post.len()
                    && name.starts_with(pre)
                    && name.ends_with(post)
                {
                    let cap = &name[pre.len()..name.len() - post.len()];
                    return Some(ModRef::Instance(i, cap.to_string()));
                }
            }
        }
        let hint = did_you_mean(name, modules.iter().map(|(n, _)| n.as_str()))
            .map(|h| format!("; did you mean `{h}`?"))
            .unwrap_or_default();
        self.error(s.span(), format!("unknown module `{name}`{hint}"));
        None
    }

    fn file_targets(
        &mut self,
        modules: &[(String, Range<usize>)],
        list: &[S<String>],
    ) -> Vec<FileTarget> {
        let mut out = Vec::new();
        for s in list {
            let t = s.get_ref();
            if t.contains('/') || t.contains('*') || t.contains('.') {
                if let Some(g) = self.glob(s) {
                    out.push(FileTarget::Glob(g));
                }
            } else if is_name(t) {
                if let Some(m) = self.mod_ref(modules, s) {
                    out.push(FileTarget::Module(m));
                }
            } else {
                self.error(s.span(), format!("`{t}` is neither a module name ([a-z0-9_-]) nor a glob of files (with `/` or `*`)"));
            }
        }
        out
    }

    fn targets(&mut self, modules: &[(String, Range<usize>)], list: &[S<String>]) -> Vec<Target> {
        let mut out = Vec::new();
        for s in list {
            let t = s.get_ref();
            if selector::looks_like_api(t) {
                match ApiSelector::parse(t) {
                    Ok(a) => out.push(Target::Api(a)),
                    Err(e) => self.error(s.span(), e),
                }
            } else {
                out.extend(
                    self.file_targets(modules, std::slice::from_ref(s))
                        .into_iter()
                        .map(Target::Files),
                );
            }
        }
        out
    }

    fn layer_stack(
        &mut self,
        modules: &[(String, Range<usize>)],
        raw: RawLayers,
        span: Span,
    ) -> LayerStack {
        let siblings_allow = match raw
            .siblings
            .as_ref()
            .map(|s| (s.get_ref().as_str(), s.span()))
        {
            None | Some(("deny", _)) => false,
            Some(("allow", _)) => true,
            Some((other, sp)) => {
                self.error(
                    sp,
                    format!("`siblings` must be \"allow\" or \"deny\", not \"{other}\""),
                );
                false
            }
        };
        let mut levels = Vec::new();
        for entry in &raw.order {
            let names: Vec<S<String>> = match entry.get_ref() {
                LayerEntry::One(s) => vec![S::new(entry.span(), s.clone())],
                LayerEntry::Level(v) => v.clone(),
            };
            let level: Vec<ModRef> = names
                .iter()
                .filter_map(|s| self.mod_ref(modules, s))
                .collect();
            levels.push(level);
        }
        LayerStack {
            levels,
            siblings_allow,
            strict: raw.strict,
            span,
        }
    }

    fn build(&mut self, raw: RawConfig, root: PathBuf, path: PathBuf, text: String) -> Config {
        // workspace
        let ws = raw.workspace.unwrap_or_default();
        let include = ws.include.as_ref().map(|l| self.globs(l));
        let include_set = include.as_ref().map(|g| self.glob_set(g));
        let exclude = self.globs(&ws.exclude);
        let exclude_set = self.glob_set(&exclude);
        let tests_set = match &ws.tests {
            Some(list) => {
                let globs = self.globs(list);
                self.glob_set(&globs)
            }
            None => default_tests(),
        };
        for s in ws
            .baseline
            .iter()
            .chain(ws.tsconfig.iter())
            .chain(ws.python_roots.iter().flatten())
        {
            if s.get_ref().starts_with('/') || s.get_ref().split('/').any(|p| p == "..") {
                self.error(s.span(), format!("`{}` leaves the workspace", s.get_ref()));
            }
        }

        // module names and groups first, so lists can refer to any module
        let mut groups = vec!["modules".to_string()];
        let mut names: Vec<(String, Range<usize>)> = Vec::new();
        for m in &raw.modules {
            let m = m.get_ref();
            let name = m.name.get_ref();
            if !is_name(name) {
                self.error(
                    m.name.span(),
                    format!("module name `{name}` must match [a-z0-9_-]+ (with optional `{{1}}`)"),
                );
            }
            if self.by_name.contains_key(name.as_str()) {
                self.error(
                    m.name.span(),
                    format!("duplicate module name `{name}`: names are unique across groups"),
                );
            }
            if name.contains("{1}") && !m.paths.iter().any(|p| p.get_ref().contains('*')) {
                self.error(
                    m.name.span(),
                    format!("template module `{name}` needs a `*` in its paths to fill `{{1}}`"),
                );
            }
            if let Some(g) = &m.group {
                if !groups.contains(g.get_ref()) {
                    groups.push(g.get_ref().clone());
                }
            }
            if name.contains("{1}") {
                self.templates.push(names.len());
            }
            self.by_name.entry(name.clone()).or_insert(names.len());
            names.push((name.clone(), m.name.span()));
        }

        let mut modules = Vec::new();
        for sm in &raw.modules {
            let span = self.span(sm.span());
            let m = sm.get_ref();
            let group = m
                .group
                .as_ref()
                .and_then(|g| groups.iter().position(|x| x == g.get_ref()))
                .unwrap_or(0);
            if m.paths.is_empty() {
                self.error(
                    sm.span(),
                    format!("module `{}` has no `paths`", m.name.get_ref()),
                );
            }
            let paths = self.globs(&m.paths);
            let template = m.name.get_ref().contains("{1}").then(|| {
                paths
                    .iter()
                    .filter_map(|p| template_regex(&p.text))
                    .collect()
            });
            let depends_on = m.depends_on.as_ref().map(|l| self.file_targets(&names, l));
            let visible_to = m.visible_to.as_ref().map(|l| self.file_targets(&names, l));
            let public = m.public.as_ref().map(|l| self.globs(l));
            let external = m.external.as_ref().map(|l| {
                l.iter()
                    .filter_map(|s| match PackagePattern::parse(s.get_ref()) {
                        Ok(p) => Some(p),
                        Err(e) => {
                            self.error(s.span(), e);
                            None
                        }
                    })
                    .collect()
            });
            modules.push(ModuleDef {
                name: m.name.get_ref().clone(),
                group,
                paths,
                template,
                depends_on,
                external,
                public,
                visible_to,
                utility: m.utility,
                description: m.description.clone(),
                span,
            });
        }

        // layers: a table or an array of tables
        let mut layers = Vec::new();
        if let Some(l) = raw.layers {
            let span = self.span(l.span());
            for rl in l.into_inner().0 {
                let stack = self.layer_stack(&names, rl, span);
                layers.push(stack);
            }
        }

        // rule ids
        let mut ids: Vec<String> = Vec::new();
        let mut check_id = |b: &mut Self, id: &S<String>| {
            let s = id.get_ref();
            if !is_rule_id(s) {
                b.error(id.span(), format!("rule id `{s}` must match [a-z0-9._-]+"));
            } else if BUILTIN_RULES.contains(&s.as_str()) {
                b.error(
                    id.span(),
                    format!("rule id `{s}` is the id of a built-in check; choose another"),
                );
            } else if ids.contains(s) {
                b.error(id.span(), format!("duplicate rule id `{s}`"));
            }
            ids.push(s.clone());
        };

        let mut deny = Vec::new();
        for sd in &raw.deny {
            let d = sd.get_ref();
            check_id(self, &d.id);
            let severity = self.severity(d.severity.as_ref(), Severity::Error);
            let from = self.file_targets(&names, &d.from);
            let to = self.targets(&names, &d.to);
            let exclude = self.globs(&d.exclude);
            deny.push(DenyRule {
                id: d.id.get_ref().clone(),
                from,
                to,
                message: d.message.clone(),
                severity,
                exclude,
                transitive: d.transitive,
                span: self.span(sd.span()),
            });
        }

        let mut boundaries = Vec::new();
        for sb in &raw.boundary {
            let b = sb.get_ref();
            check_id(self, &b.id);
            let severity = self.severity(b.severity.as_ref(), Severity::Error);
            let mut apis = Vec::new();
            for a in &b.apis {
                match ApiSelector::parse(a.get_ref()) {
                    Ok(sel) => apis.push(sel),
                    Err(e) => self.error(a.span(), e),
                }
            }
            let allow_in = self.file_targets(&names, &b.allow_in);
            boundaries.push(BoundaryRule {
                id: b.id.get_ref().clone(),
                apis,
                allow_in,
                message: b.message.clone(),
                severity,
                span: self.span(sb.span()),
            });
        }

        let mut patterns = Vec::new();
        for sp in &raw.pattern {
            let p = sp.get_ref();
            check_id(self, &p.id);
            let severity = self.severity(p.severity.as_ref(), Severity::Error);
            let langs: Vec<Lang> = match Language::from_config_name(p.language.get_ref()) {
                Some(language) => language.grammars(),
                None => {
                    let expected: Vec<String> = crate::lang::LANGUAGES
                        .iter()
                        .map(|d| format!("\"{}\"", d.config_names[0]))
                        .collect();
                    self.error(
                        p.language.span(),
                        format!(
                            "unknown language `{}`: expected {}",
                            p.language.get_ref(),
                            expected.join(" or ")
                        ),
                    );
                    Vec::new()
                }
            };
            let mut queries = Vec::new();
            let refused = predicate_after_field(p.query.get_ref());
            if let Some(field) = &refused {
                // tree-sitter 0.27 aborts the process on this shape (a failed
                // C assertion in `ts_query__parse_pattern`), so it never
                // reaches the compiler
                self.error(
                    p.query.span(),
                    format!("in the query, `{field}:` is followed by a predicate: a field takes a node pattern, such as `{field}: (identifier) @name`; put predicates after the pattern they test"),
                );
            }
            for &lang in langs.iter().filter(|_| refused.is_none()) {
                match tree_sitter::Query::new(&lang.grammar(), p.query.get_ref()) {
                    Ok(q) => {
                        let capture = match &p.capture {
                            Some(c) => match q.capture_index_for_name(c.get_ref()) {
                                Some(i) => i,
                                None => {
                                    self.error(c.span(), format!("the query has no capture named `@{}`", c.get_ref()));
                                    0
                                }
                            },
                            None => 0,
                        };
                        if q.capture_names().is_empty() {
                            self.error(p.query.span(), "the query has no capture: add one (`@name`) to mark what is reported");
                        }
                        queries.push((lang, q, capture));
                    }
                    Err(e) => self.error(
                        p.query.span(),
                        format!("the query does not compile for the {} grammar: {} at row {}, column {}", lang.grammar_name(), e.message.trim(), e.row + 1, e.column + 1),
                    ),
                }
            }
            let allow_in = self.file_targets(&names, &p.allow_in);
            patterns.push(PatternRule {
                id: p.id.get_ref().clone(),
                source: format!(
                    "{}\n{}\n{:?}",
                    p.language.get_ref(),
                    p.query.get_ref(),
                    p.capture.as_ref().map(|c| c.get_ref())
                ),
                queries,
                allow_in,
                message: p.message.clone(),
                severity,
                span: self.span(sp.span()),
            });
        }

        let all_rules: Vec<String> = BUILTIN_RULES
            .iter()
            .map(|s| s.to_string())
            .chain(ids.iter().cloned())
            .collect();
        let mut allows = Vec::new();
        for sa in &raw.allow {
            let a = sa.get_ref();
            let from = self.file_targets(&names, &a.from);
            let to = self.targets(&names, &a.to);
            let rules = a.rules.as_ref().map(|rs| {
                rs.iter()
                    .filter_map(|r| {
                        if all_rules.contains(r.get_ref()) {
                            Some(r.get_ref().clone())
                        } else {
                            let hint =
                                did_you_mean(r.get_ref(), all_rules.iter().map(String::as_str))
                                    .map(|h| format!("; did you mean `{h}`?"))
                                    .unwrap_or_default();
                            self.error(r.span(), format!("unknown rule `{}`{hint}", r.get_ref()));
                            None
                        }
                    })
                    .collect()
            });
            allows.push(AllowRule {
                from,
                to,
                rules,
                reason: a.reason.clone(),
                span: self.span(sa.span()),
            });
        }

        let hooks = raw.hooks.unwrap_or_default();
        let hook_suppressions_with_reason =
            self.choice(hooks.suppressions.as_ref(), "with-reason", "block", false);
        let rc = raw.checks.unwrap_or_default();
        let mut checks = Checks {
            type_only_count: self.choice(rc.type_only_imports.as_ref(), "count", "ignore", true),
            cycle_type_only_count: self.choice(
                rc.cycle_type_only_imports.as_ref(),
                "count",
                "ignore",
                false,
            ),
            reexports_follow: self.choice(rc.reexports.as_ref(), "follow", "direct", true),
            ..Checks::default()
        };
        for (key, value) in &rc.severities {
            // the raw table admits only the registry's keys
            if let Some(rule) = Builtin::from_check_key(key) {
                let severity = self.severity(Some(value), rule.default_severity());
                checks.set(rule, severity);
            }
        }
        let checks_span = text
            .find("[checks]")
            .map(|i| self.span(i..i + "[checks]".len()))
            .unwrap_or_default();

        Config {
            root,
            path,
            text,
            include,
            include_set,
            exclude,
            exclude_set,
            tests_set,
            baseline: ws.baseline.map(|s| s.into_inner()),
            tsconfig: ws.tsconfig.map(|s| s.into_inner()),
            python_roots: ws
                .python_roots
                .map(|l| l.into_iter().map(|s| s.into_inner()).collect()),
            groups,
            module_globs: ModuleGlobs::new(&modules),
            modules,
            layers,
            deny,
            boundaries,
            patterns,
            allows,
            checks,
            checks_span,
            warnings: Vec::new(),
            scan: true,
            hook_suppressions_with_reason,
        }
    }

    fn choice(&mut self, s: Option<&S<String>>, yes: &str, no: &str, default: bool) -> bool {
        match s {
            None => default,
            Some(v) if v.get_ref() == yes => true,
            Some(v) if v.get_ref() == no => false,
            Some(v) => {
                self.error(
                    v.span(),
                    format!("expected \"{yes}\" or \"{no}\", not \"{}\"", v.get_ref()),
                );
                default
            }
        }
    }
}

#[cfg(test)]
mod tests;
