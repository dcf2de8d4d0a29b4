//! The CLI commands other than `check` and `lsp`.

pub mod allowed;
pub mod baseline;
pub mod explain;
pub mod graph;
pub mod hook;
pub mod init;
