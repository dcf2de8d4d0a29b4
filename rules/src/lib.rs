//! The layergate engine: config, extraction, resolution, graph and rule evaluation.
//!
//! **Architecture invariant:** this crate knows nothing of LSP, tokio, terminals
//! or output formats. It reads the disk only through [`resolve::FileSystem`] and
//! the workspace walker; callers decide what to do with the diagnostics.

#![warn(unreachable_pub)]

pub mod alloc;
pub mod analysis;
pub mod cache;
pub mod config;
pub mod diagnostic;
pub mod disk;
mod extract;
pub mod facts;
pub mod host;
pub mod lang;
mod languages;
pub mod memo;
pub mod resolve;
pub mod rule;
pub mod severity;
pub mod text;
pub mod workspace;

// The facade: what the front ends (command line, language server, MCP, the
// hooks) and the tests use, at the crate's root. The modules above stay
// public for what is particular to one front end (the config's schema, the
// rule docs, the memo); the languages' extractors, scanner and resolvers do
// not: the engine reaches them through `Workspace` and `AnalysisHost`.
pub use analysis::{check_cold, Baseline, Options, Outcome};
pub use config::{Config, ConfigProblem, Severity, CONFIG_FILE};
pub use diagnostic::{Diagnostic, Edit, Fix, Range, Related};
pub use facts::Span;
pub use host::{AnalysisHost, Change};
pub use lang::{Lang, Language};
pub use languages::parse_and_extract;
/// The Python package roots a project's manifests declare (`layergate init`).
pub use languages::python::resolve::declared_roots as python_declared_roots;
pub use resolve::{ConfinedFs, FileSystem, RealFs, Resolved};
pub use rule::{Builtin, RuleId};
pub use text::LineIndex;
pub use workspace::{Content, FileEntry, Workspace};

/// The engine's insides that its differential tests, fuzz targets and
/// benchmarks drive directly. Not an API: no stability, no docs.
#[doc(hidden)]
pub mod internals {
    pub use crate::extract::suppress::{code_before, parse_comment};
    pub use crate::languages::compare::Verdict;
    pub use crate::languages::extract;
    pub use crate::languages::rust::resolve::RustResolver;
    pub use crate::languages::ts::resolve::TsResolver;
    pub use crate::languages::ts::scan::{compare_with_tree, gives_up_at, scan};
    /// The Python import scanner and its differential comparison.
    pub mod python_scan {
        pub use crate::languages::python::scan::{compare_with_tree, scan};
    }
}
