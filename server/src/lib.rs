//! The `layergate` binary as a library: the CLI commands, the language server
//! and the agent interface, thin over the `rules` engine. `main.rs` only
//! parses the command line; the fuzz targets and benchmarks drive the
//! language server in-process through [`lsp`].
#![deny(clippy::print_stdout)]

pub mod cache_key;
pub mod check;
pub mod commands;
pub mod diff;
pub mod docs;
pub mod lsp;
pub mod mcp;
pub mod output;
pub mod project;
pub mod warm;
