//! The layergate engine: config, extraction, resolution, graph and rule evaluation.
//!
//! **Architecture invariant:** this crate knows nothing of LSP, tokio, terminals
//! or output formats. It reads the disk only through [`resolve::FileSystem`] and
//! the workspace walker; callers decide what to do with the diagnostics.

pub mod alloc;
pub mod analysis;
pub mod cache;
pub mod config;
pub mod diagnostic;
pub mod disk;
pub mod extract;
pub mod facts;
pub mod host;
pub mod lang;
pub mod languages;
pub mod memo;
pub mod resolve;
pub mod rule;
pub mod severity;
pub mod text;
pub mod workspace;
