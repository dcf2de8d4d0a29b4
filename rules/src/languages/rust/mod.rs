//! Rust: items and `use` paths, resolved through Cargo crates and the `mod`
//! tree.

pub(crate) mod extract;
pub(crate) mod resolve;
